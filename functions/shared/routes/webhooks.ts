/** The provider webhooks' routes (the Webhooks function; no API key: the provider's signature is checked). */
import { doc } from '../schemas/fields.js';
import { SendgridReceipt, TwilioInbound, TwilioStatus } from '../schemas/webhooks.js';
import * as z from '../zod.js';
import type { Route } from './route.js';

const twilioHeaders = z.object({
  'X-Twilio-Signature': doc(z.string(), { description: 'HMAC-SHA1 of the public URL and the sorted form fields, with the Twilio auth token.' }),
});
const sendgridHeaders = z.object({
  'X-Twilio-Email-Event-Webhook-Signature': doc(z.string(), { description: 'ECDSA P-256 signature of timestamp + raw body.' }),
  'X-Twilio-Email-Event-Webhook-Timestamp': doc(z.string(), { description: 'Unix seconds, as signed.' }),
});

export const WEBHOOK_ROUTES: readonly Route[] = [
  {
    method: 'POST',
    resource: '/webhooks/twilio/inbound',
    fn: 'webhooks',
    auth: 'twilioSignature',
    operationId: 'twilioInbound',
    tag: 'Provider webhooks',
    summary: 'A debtor’s SMS or WhatsApp reply (Twilio)',
    description:
      'Recorded once per MessageSid, classified (intent, confidence), handed to an agent where it needs a person, answered once on the same channel ' +
      '(through the Messages API, at 07:00 when it arrives outside contact hours; opt-out confirmations at once), and the journey woken. ' +
      'Point Twilio’s messaging webhook here.',
    headers: twilioHeaders,
    body: { type: 'form', schema: TwilioInbound },
    responses: { 200: { description: 'Empty TwiML: the answer goes through the Messages API, not in this response.', contentType: 'text/xml', schema: z.string() } },
  },
  {
    method: 'POST',
    resource: '/webhooks/twilio/status',
    fn: 'webhooks',
    auth: 'twilioSignature',
    operationId: 'twilioStatus',
    tag: 'Provider webhooks',
    summary: 'Twilio message status callback',
    description: 'The callback URL the channel step sets, with the step in its (signed) query.',
    headers: twilioHeaders,
    query: z.strictObject({
      c: doc(z.optional(z.string().check(z.maxLength(100))), { description: 'case id' }),
      j: doc(z.optional(z.string().check(z.maxLength(10))), { description: 'journey number' }),
      s: doc(z.optional(z.string().check(z.maxLength(10))), { description: 'step number' }),
    }),
    body: { type: 'form', schema: TwilioStatus },
    responses: { 204: { description: 'Recorded (once per message and status).' } },
  },
  {
    method: 'POST',
    resource: '/webhooks/sendgrid/events',
    fn: 'webhooks',
    auth: 'sendgridSignature',
    operationId: 'sendgridEvents',
    tag: 'Provider webhooks',
    summary: 'SendGrid signed event webhook',
    description: 'Delivered, opened, clicked, bounced, … verified on the raw body; each event recorded once.',
    headers: sendgridHeaders,
    body: { type: 'json', schema: doc(z.array(z.record(z.string(), z.unknown())), { description: 'SendGrid’s event objects.' }) },
    responses: { 200: { description: 'How many events were recorded.', schema: SendgridReceipt } },
  },
];
