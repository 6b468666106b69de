/**
 * Provider webhook bodies: the form fields we use (the providers send more, so these objects are open); and the one
 * answer of the webhooks with a body (the Webhooks function bundles this module, not responses.ts).
 */
import * as z from '../zod.js';
import { doc } from './fields.js';

/** Twilio's inbound message webhook. */
export const TwilioInbound = z.object({
  MessageSid: doc(z.string().check(z.minLength(1)), { example: 'SM00000000000000000000000000000001' }),
  AccountSid: doc(z.string().check(z.minLength(1)), { example: 'AC00000000000000000000000000000000' }),
  From: doc(z.string().check(z.minLength(1)), { description: 'The sender; "whatsapp:+31…" for WhatsApp.', example: '+31612345678' }),
  To: doc(z.string().check(z.minLength(1)), { example: '+3197010000000' }),
  Body: doc(z._default(z.string(), ''), { example: 'ik wil een regeling' }),
});

/** Twilio's message status callback. */
export const TwilioStatus = z.object({
  MessageSid: z.string().check(z.minLength(1)),
  MessageStatus: doc(z.string().check(z.minLength(1)), { example: 'delivered' }),
  ErrorCode: doc(z.optional(z.string()), { example: '30003' }),
  /** the number the message went to (with `whatsapp:` for WhatsApp): the contact point a dead number makes unusable */
  To: doc(z.optional(z.string()), { example: '+31612345678' }),
});

/** POST /webhooks/sendgrid/events answers with this. */
export const SendgridReceipt = z.object({
  received: doc(z.number().check(z.int()), { description: 'Events in the batch.' }),
  recorded: doc(z.number().check(z.int()), { description: 'Events that were new and about a known message.' }),
});
