/**
 * The Deliveries function: what goes out to someone outside an HTTP request of theirs, invoked with an event, never
 * through API Gateway.
 * - `{ answer: { messageSid } }`: the answer to a debtor's reply (services/answer-delivery.ts) — from the reply's
 *   webhook when it is due now (the Webhooks function invokes this one and waits), or from the one-time schedule that
 *   waited for contact hours (07:00).
 * - `{ notify: { id, attempt } }`: a creditor notification's delivery attempt, set by its schedule
 *   (functions/notifications/outbox.ts); a failed attempt schedules the next one, again for this function.
 *
 * Its own function because answers carry the answer templates, their renderer and the SMS/WhatsApp adapter, which
 * the webhooks (the reply classifier, the status callbacks) never need, and the reply path carries the classifier,
 * which sending an answer never needs.
 */
import type { Context } from 'aws-lambda';
import * as z from '../shared/zod.js';
import { now } from '../shared/clock.js';
import { type Correlation, lambdaHandler } from '../shared/lambda.js';
import { deliverAnswer } from '../services/answer-delivery.js';
import { deliverNotification } from '../notifications/outbox.js';

/** The answer timer's event (services/conversation.ts), and the reply path's for an answer due now. */
const AnswerEvent = z.object({ answer: z.object({ messageSid: z.string().check(z.regex(/^[A-Za-z0-9]{10,64}$/)) }) });
/** A creditor notification's delivery attempt, set by its schedule (functions/notifications/outbox.ts). */
const NotifyEvent = z.object({ notify: z.object({ id: z.string().check(z.regex(/^ntf_[0-9a-f]{32}$/)), attempt: z.number().check(z.int(), z.minimum(1), z.maximum(100)) }) });

export const handler = lambdaHandler(async (event: unknown, context?: Context): Promise<void> => {
  // The next attempt of a notification is this function's again: on AWS it learns its own ARN from the invocation
  // (an environment variable naming it would be a CloudFormation cycle).
  if (context?.invokedFunctionArn && !process.env.NOTIFY_FUNCTION_ARN) process.env.NOTIFY_FUNCTION_ARN = context.invokedFunctionArn;
  const answer = AnswerEvent.safeParse(event);
  if (answer.success) return deliverAnswer(answer.data.answer.messageSid, now());
  const notify = NotifyEvent.safeParse(event);
  if (notify.success) {
    await deliverNotification(notify.data.notify.id, notify.data.notify.attempt, now());
    return;
  }
  throw new Error('not a delivery: expected { answer: { messageSid } } or { notify: { id, attempt } }');
}, deliveryCorrelation);

/** The reply's MessageSid of an answer, the notification's id of an attempt (no personal data). */
function deliveryCorrelation(event: unknown): Correlation {
  const sid = (event as { answer?: { messageSid?: unknown } } | undefined)?.answer?.messageSid;
  if (typeof sid === 'string') return { correlationId: sid, keys: { answerTo: sid } };
  const notification = (event as { notify?: { id?: unknown } } | undefined)?.notify?.id;
  if (typeof notification === 'string') return { correlationId: notification, keys: { notification } };
  return { keys: {} };
}
