/**
 * Provider webhooks (DESIGN §7): no API key — the provider's signature is the authentication.
 * A missing or wrong signature gets 403 and changes nothing.
 *
 * A reply is classified and recorded here; its answer is rendered and sent by the Deliveries function
 * (functions/deliveries), which this one invokes and waits for when the answer is due now — so the webhook still
 * answers Twilio after the answer went — and which the answer timers and the creditor notifications' schedules invoke.
 * A schedule set before the Deliveries function existed still names this function (its fixed name): such an event
 * (`{ answer }`, `{ notify }`) is handed on to the Deliveries function unchanged.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from '../shared/zod.js';
import { now } from '../shared/clock.js';
import { sendgridConfig, twilioConfig } from '../shared/config.js';
import { checkRequest, errorResponse, formParams, header, HttpError, json, publicUrl, rawBody } from '../shared/http.js';
import { type Correlation, lambdaHandler } from '../shared/lambda.js';
import { logger } from '../shared/logger.js';
import { metrics } from '../shared/metrics.js';
import { routeFor } from '../shared/routes/route.js';
import { WEBHOOK_ROUTES } from '../shared/routes/webhooks.js';
import { fieldErrors, friendlyError } from '../shared/schemas/fields.js';
import { TwilioInbound, TwilioStatus } from '../shared/schemas/webhooks.js';
import { redact } from '../shared/redact.js';
import { isValidSendgridSignature, isValidTwilioSignature } from './signatures.js';
import { handleInboundMessage, handleSendgridEvents, handleTwilioStatus, type SendgridEvent } from '../services/engagement.js';
import { deliverNow } from '../services/deliver-now.js';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

async function verifiedTwilioParams(event: APIGatewayProxyEvent): Promise<Record<string, string>> {
  const signature = header(event, 'x-twilio-signature');
  const params = formParams(event);
  const { authToken } = await twilioConfig();
  if (!isValidTwilioSignature(authToken, signature, publicUrl(event), params)) {
    throw new HttpError(403, 'invalid_signature', 'The X-Twilio-Signature header is missing or does not match.');
  }
  return params;
}

function parseForm<S extends z.ZodMiniType>(schema: S, params: Record<string, string>): z.infer<S> {
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
  const valid = isValidSendgridSignature(webhookPublicKey, body, signature, timestamp);
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

/** An HTTP event answers with its response; a delivery event (an older schedule's) with nothing. */
type WebhooksHandler = {
  (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult>;
  (event: unknown, context?: Context): Promise<APIGatewayProxyResult | void>;
};

export const handler: WebhooksHandler = lambdaHandler(async (event: unknown, context?: Context): Promise<APIGatewayProxyResult | void> => {
  void context;
  // A schedule set before the Deliveries function existed: its event goes on to that function, as it came.
  if (event && typeof event === 'object' && !('httpMethod' in event) && ('answer' in event || 'notify' in event)) return deliverNow(event);
  return httpHandler(event as APIGatewayProxyEvent);
}, webhookCorrelation) as WebhooksHandler;

/** The request id and route of a webhook; the reply's MessageSid of an answer timer's event (no personal data). */
function webhookCorrelation(event: unknown): Correlation {
  const sid = (event as { answer?: { messageSid?: unknown } } | undefined)?.answer?.messageSid;
  if (typeof sid === 'string') return { correlationId: sid, keys: { answerTo: sid } };
  const notification = (event as { notify?: { id?: unknown } } | undefined)?.notify?.id;
  if (typeof notification === 'string') return { correlationId: notification, keys: { notification } };
  const e = event as APIGatewayProxyEvent;
  return { correlationId: e.requestContext?.requestId, keys: { route: e.resource } };
}

async function httpHandler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  try {
    const route = routeFor(event.httpMethod, event.resource, WEBHOOK_ROUTES);
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
    } else if (err.code === 'invalid_signature') {
      logger.warn('webhook rejected', { route: event.resource });
      metrics.webhookRejected(event.resource.startsWith('/webhooks/sendgrid') ? 'sendgrid' : 'twilio');
    }
    return errorResponse(err);
  }
}
