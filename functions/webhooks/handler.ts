/**
 * Provider webhooks (DESIGN §7): no API key — the provider's signature is the authentication.
 * A missing or wrong signature gets 403 and changes nothing.
 *
 * The same function sends the answers to replies that waited for contact hours: the one-time schedule set by
 * services/conversation.ts invokes it with `{ answer: { messageSid } }` (no HTTP event, so no API Gateway route),
 * and it delivers creditor notifications, invoked by their schedules with `{ notify: { id, attempt } }`
 * (functions/notifications/outbox.ts).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import twilio from 'twilio';
import type { z } from 'zod';
import { now } from '../shared/clock.js';
import { sendgridConfig, twilioConfig } from '../shared/config.js';
import { checkRequest, errorResponse, formParams, header, HttpError, json, publicUrl, rawBody } from '../shared/http.js';
import { routeFor } from '../shared/routes.js';
import { logger } from '../shared/logger.js';
import { fieldErrors, friendlyError, TwilioInbound, TwilioStatus } from '../shared/schemas.js';
import { MollieWebhook } from '../shared/payment-schemas.js';
import { redact } from '../channels/port.js';
import { handleInboundMessage, handleSendgridEvents, handleTwilioStatus, type SendgridEvent } from '../services/engagement.js';
import { deliverAnswer } from '../services/conversation.js';
import { validSendgridSignature } from './sendgrid-signature.js';
import { z as zod } from 'zod';

const AnswerEvent = zod.object({ answer: zod.object({ messageSid: zod.string().regex(/^[A-Za-z0-9]{10,64}$/) }) });
const NotifyEvent = zod.object({ notify: zod.object({ id: zod.string().regex(/^ntf_[0-9a-f]{32}$/), attempt: zod.number().int().min(1).max(100) }) });

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

async function verifiedTwilioParams(event: APIGatewayProxyEvent): Promise<Record<string, string>> {
  const signature = header(event, 'x-twilio-signature');
  const params = formParams(event);
  const { authToken } = await twilioConfig();
  if (!signature || !twilio.validateRequest(authToken, signature, publicUrl(event), params)) {
    throw new HttpError(403, 'invalid_signature', 'The X-Twilio-Signature header is missing or does not match.');
  }
  return params;
}

function parseForm<S extends z.ZodType>(schema: S, params: Record<string, string>): z.infer<S> {
  const parsed = schema.safeParse(params, { error: friendlyError });
  if (!parsed.success) throw new HttpError(400, 'validation_failed', 'Webhook fields are missing.', fieldErrors(parsed.error));
  return parsed.data;
}

async function verifiedSendgridEvents(event: APIGatewayProxyEvent): Promise<SendgridEvent[]> {
  const signature = header(event, 'x-twilio-email-event-webhook-signature');
  const timestamp = header(event, 'x-twilio-email-event-webhook-timestamp');
  const { webhookPublicKey } = await sendgridConfig();
  const body = rawBody(event);
  if (!webhookPublicKey) throw new HttpError(403, 'invalid_signature', 'No SendGrid webhook key is configured.');
  const valid = !!signature && !!timestamp && validSendgridSignature(webhookPublicKey, body, signature, timestamp);
  if (!valid) throw new HttpError(403, 'invalid_signature', 'The SendGrid event signature is missing or does not match.');
  let events: unknown;
  try {
    events = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not valid JSON.');
  }
  if (!Array.isArray(events)) throw new HttpError(400, 'invalid_body', 'Expected a JSON array of events.');
  return events as SendgridEvent[];
}

/** The step a status callback belongs to, from the query of the (signed) callback URL the channel step set. */
function statusCorrelation(event: APIGatewayProxyEvent): { caseId: string; journeyNo: number; stepNo: number } | undefined {
  const q = event.queryStringParameters ?? {};
  if (!q.c || !/^\d+$/.test(q.j ?? '') || !/^\d+$/.test(q.s ?? '')) return undefined;
  return { caseId: q.c, journeyNo: Number(q.j), stepNo: Number(q.s) };
}

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult>;
export async function handler(event: unknown, context?: { invokedFunctionArn?: string }): Promise<APIGatewayProxyResult | void>;
export async function handler(event: unknown, context?: { invokedFunctionArn?: string }): Promise<APIGatewayProxyResult | void> {
  // Notifications this function queues are delivered by itself: on AWS it learns its own ARN from the invocation
  // (an environment variable naming it would be a CloudFormation cycle).
  if (context?.invokedFunctionArn && !process.env.NOTIFY_FUNCTION_ARN) process.env.NOTIFY_FUNCTION_ARN = context.invokedFunctionArn;
  const answer = AnswerEvent.safeParse(event);
  if (answer.success) return deliverAnswer(answer.data.answer.messageSid, now());
  const notify = NotifyEvent.safeParse(event);
  if (notify.success) {
    const { deliverNotification } = await import('../notifications/outbox.js');
    await deliverNotification(notify.data.notify.id, notify.data.notify.attempt, now());
    return;
  }
  return httpHandler(event as APIGatewayProxyEvent);
}

async function httpHandler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  try {
    const route = routeFor(event.httpMethod, event.resource);
    if (!route) throw new HttpError(404, 'not_found', `No webhook ${event.path}.`);
    // Content-Type, query and path are checked before the signature: cheap, and nothing is revealed by it.
    checkRequest(event, route);
    switch (event.resource) {
      case '/webhooks/twilio/inbound': {
        const msg = parseForm(TwilioInbound, await verifiedTwilioParams(event));
        await handleInboundMessage(msg, now());
        return { statusCode: 200, headers: { 'content-type': 'text/xml' }, body: EMPTY_TWIML };
      }
      case '/webhooks/twilio/status': {
        const status = parseForm(TwilioStatus, await verifiedTwilioParams(event));
        await handleTwilioStatus(status, now(), statusCorrelation(event));
        return { statusCode: 204, headers: {}, body: '' };
      }
      case '/webhooks/mollie': {
        const { id } = parseForm(MollieWebhook, formParams(event));
        // Imported on first use: Twilio and SendGrid deliveries do not load the Mollie client.
        const { handleMollieWebhook } = await import('../services/checkout.js');
        const outcome = await handleMollieWebhook(id, now());
        logger.info('mollie webhook', { outcome });
        return json(200, { received: true });
      }
      case '/webhooks/sendgrid/events': {
        const events = await verifiedSendgridEvents(event);
        const recorded = await handleSendgridEvents(events, now());
        return json(200, { received: events.length, recorded });
      }
      default:
        throw new HttpError(404, 'not_found', `No webhook ${event.path}.`);
    }
  } catch (err) {
    if (!(err instanceof HttpError)) {
      logger.error('webhook failed', { route: event.resource, errorName: (err as Error)?.name, error: redact((err as Error)?.message ?? String(err)) });
    }
    else if (err.status === 403) logger.warn('webhook rejected', { route: event.resource });
    return errorResponse(err);
  }
}
