/**
 * An answer due now (the reply path, services/conversation.ts): the Webhooks function invokes the Deliveries function
 * with the event the answer's timer would send (`{ answer: { messageSid } }`) and waits for it, so the reply's webhook
 * answers Twilio after its answer went, as when one function did both. The Webhooks function also hands on so the
 * event of a schedule set before the Deliveries function existed (`{ answer }` or `{ notify }`).
 *
 * Configuration: ANSWER_FUNCTION_ARN (the Deliveries function); the call itself is invoke.ts.
 */
import { invokeFunction } from './invoke.js';

/**
 * Invokes the Deliveries function (synchronously) with a delivery event. Its failure is the caller's: a transient
 * send failure fails the reply's webhook, whose retry by Twilio sends the answer.
 */
export async function deliverNow(event: { answer: { messageSid: string } } | object): Promise<void> {
  const arn = process.env.ANSWER_FUNCTION_ARN;
  if (!arn) throw new Error('ANSWER_FUNCTION_ARN is not set');
  await invokeFunction(arn, 'Deliveries', event);
}
