/**
 * A local stand-in for the Lambda Invoke API, for the function-to-function calls the system makes (both synchronous,
 * functions/services/invoke.ts): the Webhooks function hands an answer due now to the Deliveries function
 * (deliver-now.ts), and a sending step asks the Decide function for its next plan (ask-decide.ts). The real
 * `@aws-sdk/client-lambda` talks to it over HTTP (POST /2015-03-31/functions/{name}/invocations),
 * with `AWS_ENDPOINT_URL_LAMBDA` pointing here. It runs the handler registered under the function name (the same map
 * the scheduler emulator's targets use) and answers as Lambda does: 200 with the result, `X-Amz-Function-Error:
 * Unhandled` and `{ errorType, errorMessage }` when the handler threw; 404 ResourceNotFoundException for an unknown
 * function. Only RequestResponse invocations (what the code uses); the work is tracked as clock activity.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from './clock.js';
import { lambdaFunctionName } from './sfn/emulator.js';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export class LambdaInvokeEmulator {
  private server: http.Server | undefined;

  constructor(
    private readonly opts: { clock: Clock; handlers: ReadonlyMap<string, (payload: unknown) => Promise<unknown>> },
  ) {}

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = http.createServer((req, res) => {
      const end = this.opts.clock.activity.begin();
      res.on('close', end);
      this.handle(req, res).catch((err) => {
        res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceException' });
        res.end(JSON.stringify({ Type: 'Service', message: String((err as Error)?.message ?? err) }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const m = INVOKE_PATH.exec((req.url ?? '').split('?')[0]!);
    const error = (status: number, code: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': code });
      res.end(JSON.stringify({ Type: 'User', message }));
    };
    if (req.method !== 'POST' || !m) return error(404, 'UnknownOperationException', `no such operation: ${req.method} ${req.url}`);
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (type !== 'RequestResponse') return error(400, 'InvalidParameterValueException', `invocation type ${type} is not supported locally`);
    const name = lambdaFunctionName(decodeURIComponent(m[1]!));
    const handler = this.opts.handlers.get(name);
    if (!handler) return error(404, 'ResourceNotFoundException', `Function not found: ${name}`);
    const body = Buffer.concat(chunks).toString('utf8');
    let result: unknown;
    try {
      result = await handler(body ? JSON.parse(body) : {});
    } catch (err) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' });
      res.end(JSON.stringify({ errorType: (err as Error)?.name ?? 'Error', errorMessage: String((err as Error)?.message ?? err) }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
    res.end(result === undefined ? 'null' : JSON.stringify(result));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
