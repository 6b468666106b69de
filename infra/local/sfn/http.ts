/**
 * The Step Functions API over HTTP, AWS JSON 1.0 protocol: POST / with
 * `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON body; errors are HTTP 400 with
 * {"__type": "<Code>", "message": "…"} (and the x-amzn-ErrorType header). Signatures are not checked.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Activity } from '../clock.js';
import { SfnApiError } from './errors.js';

export interface ServerHandle {
  url: string;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const MAX_BODY = 1024 * 1024;

export function serve(
  api: (op: string, body: Record<string, unknown>) => unknown,
  activity: Activity,
  port: number,
  host: string,
): Promise<ServerHandle> {
  const server = createServer((req, res) => {
    const end = activity.begin();
    res.on('close', end);
    handle(api, req, res).catch((err: unknown) => {
      console.error('sfn http: unexpected error', err);
      if (!res.headersSent) send(res, 500, { __type: 'InternalFailure', message: 'internal error' }, 'InternalFailure');
    });
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      const url = `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
      resolve({
        url,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function handle(
  api: (op: string, body: Record<string, unknown>) => unknown,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) {
      send(res, 413, { __type: 'ValidationException', message: 'request body too large' }, 'ValidationException');
      return;
    }
    chunks.push(chunk);
  }
  if (req.method !== 'POST') {
    send(res, 404, { __type: 'UnknownOperationException', message: 'use POST / with X-Amz-Target' }, 'UnknownOperationException');
    return;
  }
  const target = String(req.headers['x-amz-target'] ?? '');
  const m = /^AWSStepFunctions\.(\w+)$/.exec(target);
  if (!m) {
    send(res, 400, { __type: 'UnknownOperationException', message: `unknown X-Amz-Target '${target}'` }, 'UnknownOperationException');
    return;
  }
  let body: Record<string, unknown>;
  try {
    const text = Buffer.concat(chunks).toString('utf8');
    body = text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('the body must be a JSON object');
  } catch (err) {
    send(res, 400, { __type: 'SerializationException', message: (err as Error).message }, 'SerializationException');
    return;
  }
  try {
    const out = api(m[1]!, body);
    send(res, 200, out ?? {});
  } catch (err) {
    if (err instanceof SfnApiError) {
      send(res, err.status, { __type: err.code, message: err.message }, err.code);
      return;
    }
    throw err;
  }
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (v === undefined ? undefined : v));
  const headers: Record<string, string | number> = {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(text);
}
