/**
 * The system's function-to-function calls, synchronous (RequestResponse): the Webhooks function hands an answer due
 * now to the Deliveries function (deliver-now.ts), and a sending step asks the Decide function for its decisions
 * (ask-decide.ts). One Lambda client per container, `@aws-sdk/client-lambda` from the runtime (never bundled).
 * Locally AWS_ENDPOINT_URL_LAMBDA points the client at the runtime's Invoke stand-in (infra/local/lambda-invoke.ts);
 * the simulator passes an in-process client.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { tracer } from '../shared/tracer.js';

let client: LambdaClient | undefined;

/** Uses this client (the simulator's in-process one), or, with none, the configured one again (a new endpoint). */
export function useLambdaClient(c?: LambdaClient): void {
  client = c;
}

/**
 * Invokes the function `arn` with `event` and waits for its result (parsed JSON), at most `timeoutMs` when given (the
 * call is then abandoned with an AbortError; the invoked function may still finish). A function error (the handler
 * threw) is thrown here as `the <label> function failed: <its message>`; error messages carry no personal data.
 */
export async function invokeFunction(arn: string, label: string, event: object, opts: { timeoutMs?: number } = {}): Promise<unknown> {
  client ??= tracer.captureAWSv3Client(new LambdaClient({}));
  const command = new InvokeCommand({ FunctionName: arn, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(event)) });
  const res = await client.send(command, opts.timeoutMs ? { abortSignal: AbortSignal.timeout(opts.timeoutMs) } : {});
  const text = res.Payload ? new TextDecoder().decode(res.Payload) : '';
  if (res.FunctionError) {
    let message = res.FunctionError;
    try {
      message = String((JSON.parse(text) as { errorMessage?: unknown }).errorMessage ?? message);
    } catch {
      // not JSON: the error kind is all there is
    }
    throw new Error(`the ${label} function failed: ${message.slice(0, 200)}`);
  }
  return text ? (JSON.parse(text) as unknown) : undefined;
}
