/**
 * An answer due now (the reply path, services/conversation.ts): the Webhooks function invokes the Deliveries function
 * with the event the answer's timer would send (`{ answer: { messageSid } }`) and waits for it, so the reply's webhook
 * answers Twilio after its answer went, as when one function did both. The Webhooks function also hands on so the
 * event of a schedule set before the Deliveries function existed (`{ answer }` or `{ notify }`).
 *
 * A module of its own (with its Lambda client): only the Webhooks function loads `@aws-sdk/client-lambda`.
 * Configuration: ANSWER_FUNCTION_ARN (the Deliveries function). Locally AWS_ENDPOINT_URL_LAMBDA points the client at
 * the runtime's Invoke stand-in (infra/local/lambda-invoke.ts); the simulator passes an in-process client.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { tracer } from '../shared/tracer.js';

let client: LambdaClient | undefined;

/** Uses this client (the simulator's in-process one), or, with none, the configured one again (a new endpoint). */
export function useLambdaClient(c?: LambdaClient): void {
  client = c;
}

/**
 * Invokes the Deliveries function (synchronously) with a delivery event. Its failure is the caller's: a transient
 * send failure fails the reply's webhook, whose retry by Twilio sends the answer.
 */
export async function deliverNow(event: { answer: { messageSid: string } } | object): Promise<void> {
  const arn = process.env.ANSWER_FUNCTION_ARN;
  if (!arn) throw new Error('ANSWER_FUNCTION_ARN is not set');
  client ??= tracer.captureAWSv3Client(new LambdaClient({}));
  const res = await client.send(new InvokeCommand({ FunctionName: arn, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  if (res.FunctionError) {
    let message = res.FunctionError;
    try {
      message = String((JSON.parse(new TextDecoder().decode(res.Payload)) as { errorMessage?: unknown }).errorMessage ?? message);
    } catch {
      // not JSON: the error kind is all there is
    }
    throw new Error(`the Deliveries function failed: ${message.slice(0, 200)}`);
  }
}
