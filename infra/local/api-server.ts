/**
 * The local stand-in for API Gateway: turns HTTP requests into the same REST proxy events API Gateway
 * sends (routes from functions/shared/routes.ts) and calls the same handlers. Like the AWS edge it
 *  - limits each API key to CLIENT_RATE_LIMIT requests per window (WAF on AWS) → 429 with Retry-After;
 *  - runs the same authorizer function before every client route, caching its answer per key for
 *    AUTHORIZER_CACHE_TTL_SECONDS, and passes its context on to the Api function (401 when it refuses);
 *  - sends webhooks straight to their function (their signature is their authentication).
 * Also serves the local-only routes of DESIGN §8: /local/clock, /local/clock/advance, /local/outbox.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayProxyResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import {
  AUTHORIZER_CACHE_TTL_SECONDS,
  AUTHORIZER_UNAUTHORIZED,
  CLIENT_RATE_LIMIT,
  EDGE_ERRORS,
  edgeErrorBody,
  isAuthorized,
  matchRoute,
} from '../../functions/shared/routes.js';
import { handler as apiHandler } from '../../functions/api/handler.js';
import { handler as authorizerHandler } from '../../functions/authorizer/handler.js';
import { handler as webhooksHandler } from '../../functions/webhooks/handler.js';
import { getMessageRef } from '../../functions/store/sends.js';
import { type CallTask, tasksWithStatus } from '../../functions/store/tasks.js';
import { LOCAL_DEFAULTS } from './defaults.js';
import type { LocalRuntime } from './runtime.js';

const MAX_BODY = 1024 * 1024;

export interface OutboxMessage {
  id: string;
  channel: string;
  to: string;
  subject?: string;
  text: string;
  html?: string;
  template: string | null;
  tone: string | null;
  language: string | null;
  sentAt: string;
  debtorId: string | null;
  dossierIds: string[];
  stepNo?: number;
  segments?: number;
  encoding?: string;
  contentSid?: string;
  contentVariables?: Record<string, string>;
  pdf?: string;
  status?: string;
}

function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v || undefined;
}

function edgeError(res: ServerResponse, e: (typeof EDGE_ERRORS)[keyof typeof EDGE_ERRORS], headers: Record<string, string> = {}): void {
  res.writeHead(e.status, { 'content-type': 'application/json', ...headers });
  res.end(edgeErrorBody(e));
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The functions behind the HTTP edge; the bundled-handler test swaps in the esbuild bundles. */
export interface EdgeHandlers {
  api: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  webhooks: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  authorizer: (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;
}

export const SOURCE_EDGE_HANDLERS: EdgeHandlers = { api: apiHandler, webhooks: webhooksHandler, authorizer: authorizerHandler };

/**
 * Fixed-window request counter per key (what a WAF rate-based rule does, on wall-clock time: a rate limit is about
 * real request rates, whatever the journey clock says). MAATWERK_RATE_LIMIT="<requests>/<seconds>" overrides it.
 */
export class RateLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly requests: number,
    readonly windowSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  static fromEnv(value: string | undefined): RateLimit {
    if (!value) return new RateLimit(CLIENT_RATE_LIMIT.requests, CLIENT_RATE_LIMIT.windowSeconds);
    const m = /^(\d+)\/(\d+)$/.exec(value.trim());
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`MAATWERK_RATE_LIMIT must be "<requests>/<seconds>", got "${value}"`);
    return new RateLimit(Number(m[1]), Number(m[2]));
  }

  /** Counts one request; when over the limit, the whole seconds until the window ends. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const t = this.now();
    const windowMs = this.windowSeconds * 1000;
    let w = this.windows.get(key);
    if (!w || t - w.start >= windowMs) {
      w = { start: t, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count <= this.requests) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((w.start + windowMs - t) / 1000)) };
  }
}

export class ApiServer {
  private server: http.Server | undefined;
  private url = '';
  /** API-side Lambda invocations (api, webhooks and authorizer), for the benchmark */
  invocations = 0;
  /** of which authorizer invocations (the rest of the client requests were answered from its cache) */
  authorizerInvocations = 0;
  private readonly rateLimit: RateLimit;
  private readonly authorizerCache = new Map<string, { until: number; result: APIGatewayAuthorizerResult }>();

  constructor(
    private readonly rt: LocalRuntime,
    private readonly handlers: EdgeHandlers = SOURCE_EDGE_HANDLERS,
    rateLimit?: RateLimit,
  ) {
    this.rateLimit = rateLimit ?? RateLimit.fromEnv(process.env.MAATWERK_RATE_LIMIT);
  }

  async listen(port: number): Promise<string> {
    this.server = http.createServer((req, res) => {
      // Requests are activity the virtual clock waits for — except an advance, which itself waits for idle.
      if (!req.url?.startsWith('/local/clock/advance')) res.on('close', this.rt.clock.activity.begin());
      this.handle(req, res).catch((err) => {
        const status = (err as { status?: number }).status ?? 500;
        if (!res.headersSent) send(res, status, { error: { code: status === 413 ? 'too_large' : 'internal', message: status === 413 ? 'The body is too large.' : 'Local runtime error.' } });
        else res.end();
        if (status === 500) console.error('local API error', err);
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections?.();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    if (url.pathname.startsWith('/local/')) return this.local(req.method ?? 'GET', url, body, res);
    const apiKey = singleHeader(req, 'x-api-key');
    if (apiKey) {
      const taken = this.rateLimit.take(apiKey);
      if (!taken.ok) return edgeError(res, EDGE_ERRORS.throttled, { 'retry-after': String(taken.retryAfterSeconds) });
    }
    const match = matchRoute(req.method ?? 'GET', url.pathname);
    if (match.kind !== 'match') {
      const status = match.kind === 'method_not_allowed' ? 405 : 404;
      return send(res, status, { error: { code: match.kind, message: `No route ${req.method} ${url.pathname}.` } });
    }
    const event = this.proxyEvent(req, url, body, match.route.resource, match.pathParameters);
    if (isAuthorized(match.route)) {
      // API Gateway answers a request without the identity source itself, without calling the authorizer.
      const allowed = apiKey ? await this.authorize(apiKey, event) : undefined;
      if (!allowed) return edgeError(res, EDGE_ERRORS.unauthorized);
      event.requestContext.authorizer = { principalId: allowed.principalId, ...(allowed.context ?? {}) };
    }
    const result = await this.invoke(match.route.fn, event);
    res.writeHead(result.statusCode, (result.headers ?? {}) as Record<string, string>);
    res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
  }

  private async invoke(fn: 'api' | 'webhooks', event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    this.invocations++;
    return fn === 'api' ? this.handlers.api(event) : this.handlers.webhooks(event);
  }

  /** The authorizer's answer for this key (cached like API Gateway does), or undefined when it refuses the key. */
  private async authorize(apiKey: string, event: APIGatewayProxyEvent): Promise<APIGatewayAuthorizerResult | undefined> {
    const cached = this.authorizerCache.get(apiKey);
    if (cached && cached.until > Date.now()) return cached.result;
    const request: APIGatewayRequestAuthorizerEvent = {
      type: 'REQUEST',
      methodArn: `arn:aws:execute-api:${LOCAL_DEFAULTS.region}:${LOCAL_DEFAULTS.accountId}:local/${event.requestContext.stage}/${event.httpMethod}${event.resource}`,
      resource: event.resource,
      path: event.path,
      httpMethod: event.httpMethod,
      headers: event.headers,
      multiValueHeaders: event.multiValueHeaders,
      pathParameters: event.pathParameters,
      queryStringParameters: event.queryStringParameters,
      multiValueQueryStringParameters: event.multiValueQueryStringParameters,
      stageVariables: event.stageVariables,
      requestContext: { ...event.requestContext, authorizer: undefined },
    };
    this.invocations++;
    this.authorizerInvocations++;
    try {
      const result = await this.handlers.authorizer(request);
      const allows = result.policyDocument.Statement.some((s) => s.Effect === 'Allow');
      if (!allows) return undefined;
      this.authorizerCache.set(apiKey, { until: Date.now() + AUTHORIZER_CACHE_TTL_SECONDS * 1000, result });
      return result;
    } catch (err) {
      if ((err as Error)?.message === AUTHORIZER_UNAUTHORIZED) return undefined;
      throw err;
    }
  }

  private proxyEvent(req: IncomingMessage, url: URL, body: Buffer, resource: string, pathParameters: Record<string, string>): APIGatewayProxyEvent {
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      const values = Array.isArray(v) ? v : [v];
      headers[k] = values.join(',');
      multiValueHeaders[k] = values;
    }
    const query: Record<string, string> = {};
    const multiQuery: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) {
      query[k] = v;
      (multiQuery[k] ??= []).push(v);
    }
    const hasQuery = Object.keys(query).length > 0;
    return {
      resource,
      path: url.pathname,
      httpMethod: req.method ?? 'GET',
      headers,
      multiValueHeaders,
      queryStringParameters: hasQuery ? query : null,
      multiValueQueryStringParameters: hasQuery ? multiQuery : null,
      pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
      stageVariables: null,
      body: body.length ? body.toString('utf8') : null,
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        authorizer: undefined,
        protocol: 'HTTP/1.1',
        httpMethod: req.method ?? 'GET',
        identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1' } as APIGatewayProxyEvent['requestContext']['identity'],
        path: url.pathname,
        stage: 'local',
        requestId: randomUUID(),
        requestTimeEpoch: this.rt.clock.now(),
        resourceId: 'local',
        resourcePath: resource,
      },
    };
  }

  private async local(method: string, url: URL, body: Buffer, res: ServerResponse): Promise<void> {
    const clock = this.rt.clock;
    if (method === 'GET' && url.pathname === '/local/clock') {
      return send(res, 200, { now: new Date(clock.now()).toISOString(), mode: clock.mode, scale: clock.scale, pendingTimers: clock.pendingTimers });
    }
    if (method === 'POST' && url.pathname === '/local/clock/advance') {
      if (clock.mode !== 'virtual') {
        return send(res, 409, { error: { code: 'clock_not_virtual', message: 'Start with MAATWERK_CLOCK=virtual to advance the clock.' } });
      }
      let input: { seconds?: unknown; until?: unknown };
      try {
        input = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        return send(res, 400, { error: { code: 'invalid_json', message: 'The body is not valid JSON.' } });
      }
      let target: number;
      if (typeof input.seconds === 'number' && Number.isFinite(input.seconds) && input.seconds >= 0) {
        target = clock.now() + Math.round(input.seconds * 1000);
      } else if (typeof input.until === 'string' && !Number.isNaN(Date.parse(input.until))) {
        target = Date.parse(input.until);
        if (target < clock.now()) {
          return send(res, 422, { error: { code: 'in_the_past', message: 'until lies before the current clock time.', fields: { until: 'must not be in the past' } } });
        }
      } else {
        return send(res, 400, {
          error: { code: 'validation_failed', message: 'Send { "seconds": N } or { "until": "<ISO>" }.', fields: { seconds: 'a number ≥ 0', until: 'an ISO-8601 time' } },
        });
      }
      await this.rt.advanceTo(target);
      return send(res, 200, { now: new Date(clock.now()).toISOString() });
    }
    if (method === 'GET' && url.pathname === '/local/outbox') {
      return send(res, 200, { messages: await this.outbox() });
    }
    const pdf = /^\/local\/outbox\/([\w-]+)\.pdf$/.exec(url.pathname);
    if (method === 'GET' && pdf) {
      const file = this.rt.fakes.pdf(pdf[1]);
      if (!file) return send(res, 404, { error: { code: 'not_found', message: 'No such letter.' } });
      return send(res, 200, file, { 'content-type': 'application/pdf' });
    }
    return send(res, 404, { error: { code: 'not_found', message: `No local route ${method} ${url.pathname}.` } });
  }

  /** What the fake sinks received, in order, joined with what the journey recorded about each message. */
  async outbox(): Promise<OutboxMessage[]> {
    const out: OutboxMessage[] = [];
    for (const r of this.rt.fakes.records()) {
      const ref = await getMessageRef(r.id);
      out.push({
        id: r.id,
        channel: r.channel,
        to: r.to,
        subject: r.subject,
        text: r.text,
        html: r.html,
        template: ref?.template ?? null,
        tone: ref?.tone ?? null,
        language: ref?.language ?? null,
        sentAt: r.receivedAt,
        debtorId: ref?.caseId ?? null,
        dossierIds: ref?.dossierIds ?? [],
        stepNo: ref?.stepNo,
        ...(ref?.meta?.segments !== undefined ? { segments: ref.meta.segments as number, encoding: ref.meta.encoding as string } : {}),
        ...(r.contentSid ? { contentSid: r.contentSid, contentVariables: r.contentVariables } : {}),
        ...(r.channel === 'letter' ? { pdf: `${this.url}/local/outbox/${r.id}.pdf` } : {}),
      });
    }
    for (const t of await this.callTasks()) {
      out.push({
        id: t.taskId,
        channel: 'call',
        to: String(t.context.phone ?? ''),
        text: String(t.context.talkingLine ?? ''),
        template: 'call/task',
        tone: null,
        language: String(t.context.language ?? 'nl'),
        sentAt: t.createdAt,
        debtorId: t.caseId,
        dossierIds: t.dossierIds,
        stepNo: t.stepNo,
        status: t.status,
      });
    }
    return out.sort((a, b) => a.sentAt.localeCompare(b.sentAt));
  }

  private async callTasks(): Promise<CallTask[]> {
    const all = await Promise.all((['open', 'done', 'expired'] as const).map((status) => tasksWithStatus(status)));
    return all.flat();
  }
}
