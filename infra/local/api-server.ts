/**
 * The local stand-in for API Gateway: turns HTTP requests into the same REST proxy events API Gateway
 * sends (routes from functions/shared/routes.ts) and calls the same handlers. Like the AWS edge it
 *  - limits each API key to CLIENT_RATE_LIMIT requests per window (WAF on AWS) → 429 with Retry-After;
 *  - runs the same authorizer function before every client route (auth apiKey/agentKey), caching its answer per
 *    key for AUTHORIZER_CACHE_TTL_SECONDS, and passes its context on to the Api or Reports function (401 when it
 *    refuses);
 *  - sends webhooks and the API's description straight to their function (no key).
 * Also serves the local-only routes of DESIGN §8 (infra/local/local-routes.ts): /local/clock, /local/clock/advance,
 * /local/outbox.
 *
 * It binds its port early (the runtime needs the port for PUBLIC_BASE_URL before it starts the rest), but holds
 * every request until the runtime says it is ready (clients seeded, journeys recovered): a request that gets an
 * answer sees a runtime that is fully up.
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
  ROUTES,
  type Route,
} from '../../functions/shared/routes.js';
import { checkRequest, errorResponse, HttpError, parseJson } from '../../functions/shared/http.js';
import { handler as apiHandler } from '../../functions/api/handler.js';
import { handler as authorizerHandler } from '../../functions/authorizer/handler.js';
import { handler as docsHandler } from '../../functions/docs/handler.js';
import { handler as webhooksHandler } from '../../functions/webhooks/handler.js';
import { handler as paymentsHandler } from '../../functions/debtor-page/handler.js';
import { handler as reportsHandler } from '../../functions/reports/handler.js';
import { getMessageRef } from '../../functions/store/messages.js';
import { type CallTask, tasksWithStatus } from '../../functions/store/tasks.js';
import { allows, authorizerRequestFor } from './authorizer-request.js';
import { clockAdvanceAt, LOCAL_ROUTES, LocalWebhookFailBody, LocalWebhooksQuery } from './local-routes.js';
import { RECEIVER_PREFIX } from './fakes/webhook-receiver.js';
import { formParams } from '../../functions/shared/http.js';
import { LocalCheckoutForm, LocalMolliePaymentBody } from '../../functions/shared/schemas/payments.js';
import { checkoutPage } from './fakes/mollie-checkout.js';
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
  /** an answer to a debtor's reply: the inbound message's id (Twilio MessageSid) */
  inReplyTo?: string;
  /** agent tasks: why (call, vulnerable, unclear_reply, …) and how urgent */
  reason?: string;
  priority?: string;
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

/** The functions behind the HTTP edge's routes (the route table's `fn`). */
type EdgeFunction = Exclude<Route['fn'], 'local'>;

/** The functions behind the HTTP edge; the bundled-handler test swaps in the esbuild bundles. */
export interface EdgeHandlers {
  api: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  reports: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  webhooks: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  payments: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  docs: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  authorizer: (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;
}

export const SOURCE_EDGE_HANDLERS: EdgeHandlers = { api: apiHandler, reports: reportsHandler, webhooks: webhooksHandler, payments: paymentsHandler, docs: docsHandler, authorizer: authorizerHandler };

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
  /** API-side Lambda invocations (api, reports, webhooks, payments, docs and authorizer), for the benchmark */
  invocations = 0;
  /** of which authorizer invocations (the rest of the client requests were answered from its cache) */
  authorizerInvocations = 0;
  private readonly rateLimit: RateLimit;
  private readonly authorizerCache = new Map<string, { until: number; result: APIGatewayAuthorizerResult }>();

  private readyResolve!: () => void;
  private readyReject!: (err: Error) => void;
  /** Resolves when the runtime is fully up; requests wait for it. */
  private readonly ready = new Promise<void>((resolve, reject) => {
    this.readyResolve = resolve;
    this.readyReject = reject;
  });

  constructor(
    private readonly rt: LocalRuntime,
    private readonly handlers: EdgeHandlers = SOURCE_EDGE_HANDLERS,
    rateLimit?: RateLimit,
  ) {
    this.rateLimit = rateLimit ?? RateLimit.fromEnv(process.env.MAATWERK_RATE_LIMIT);
    this.ready.catch(() => undefined); // a failed start is reported by the runtime; requests get a 503
  }

  /** The runtime is up: answer the requests that waited, and all later ones. */
  markReady(): void {
    this.readyResolve();
  }

  /** The runtime could not start: waiting requests get a 503. */
  markFailed(err: Error): void {
    this.readyReject(err);
  }

  /** Binds the port (0 = a free one) on `host` and returns the URL local tools use. */
  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    this.server = http.createServer((req, res) => {
      // Requests are activity the virtual clock waits for — except an advance, which itself waits for idle.
      if (!req.url?.startsWith('/local/clock/advance')) res.on('close', this.rt.clock.activity.begin());
      this.handle(req, res).catch((err) => {
        const status = (err as { status?: number }).status ?? 500;
        if (!res.headersSent) send(res, status, { error: { code: status === 413 ? 'too_large' : 'internal', message: status === 413 ? 'The body is larger than 1 MB.' : 'Local runtime error.' } });
        else res.end();
        if (status === 500) console.error('local API error', err);
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const bound = (this.server.address() as AddressInfo).port;
    // Listening on all interfaces: local tools still reach it on loopback.
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    this.url = `http://${shown}:${bound}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections?.();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.ready;
    } catch {
      return send(res, 503, { error: { code: 'unavailable', message: 'The local runtime did not start; see its output.' } });
    }
    // Split by hand: new URL() would read "//host/…" as another host, and must not see a malformed %-escape.
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const pathname = (q < 0 ? target : target.slice(0, q)) || '/';
    const search = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const local = pathname.startsWith('/local/');
    // The per-key rate limit comes first, as WAF does before API Gateway routes anything (no key: not counted).
    const apiKey = local ? undefined : singleHeader(req, 'x-api-key');
    if (apiKey) {
      const taken = this.rateLimit.take(apiKey);
      if (!taken.ok) return edgeError(res, EDGE_ERRORS.throttled, { 'retry-after': String(taken.retryAfterSeconds) });
    }
    const match = matchRoute(method, pathname, local ? LOCAL_ROUTES : ROUTES);
    if (match.kind === 'bad_path') {
      return send(res, 400, { error: { code: 'invalid_path', message: 'The path has a malformed %-escape; encode ids with encodeURIComponent.' } });
    }
    if (match.kind === 'method_not_allowed') {
      return send(res, 405, { error: { code: 'method_not_allowed', message: `${method} is not allowed here; use ${match.allowed.join(' or ')}.` } }, { allow: match.allowed.join(', ') });
    }
    if (match.kind === 'not_found') {
      return send(res, 404, { error: { code: 'not_found', message: `No route ${method} ${pathname.slice(0, 200)}; see GET /docs.` } });
    }
    const event = this.proxyEvent(req, pathname, search, body, match.route.resource, match.pathParameters);
    if (!local && isAuthorized(match.route)) {
      // API Gateway answers a request without the identity source itself, without calling the authorizer.
      const allowed = apiKey ? await this.authorize(apiKey, event) : undefined;
      if (!allowed) return edgeError(res, EDGE_ERRORS.unauthorized);
      event.requestContext.authorizer = { principalId: allowed.principalId, ...(allowed.context ?? {}) };
    }
    const result = local ? await this.local(match.route, event) : await this.invoke(match.route.fn as EdgeFunction, event);
    res.writeHead(result.statusCode, (result.headers ?? {}) as Record<string, string>);
    res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
  }

  private async invoke(fn: EdgeFunction, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    this.invocations++;
    const name = ({ api: 'Api', reports: 'Reports', webhooks: 'Webhooks', payments: 'Payments', docs: 'Docs' } as const)[fn];
    return this.rt.timed(name, () => this.handlers[fn](event));
  }

  /** The authorizer's answer for this key (cached like API Gateway does), or undefined when it refuses the key. */
  private async authorize(apiKey: string, event: APIGatewayProxyEvent): Promise<APIGatewayAuthorizerResult | undefined> {
    const cached = this.authorizerCache.get(apiKey);
    if (cached && cached.until > Date.now()) return cached.result;
    const request = authorizerRequestFor(event, 'local');
    this.invocations++;
    this.authorizerInvocations++;
    try {
      const result = await this.rt.timed('Authorizer', () => this.handlers.authorizer(request));
      if (!allows(result)) return undefined;
      this.authorizerCache.set(apiKey, { until: Date.now() + AUTHORIZER_CACHE_TTL_SECONDS * 1000, result });
      return result;
    } catch (err) {
      if ((err as Error)?.message === AUTHORIZER_UNAUTHORIZED) return undefined;
      throw err;
    }
  }

  private proxyEvent(req: IncomingMessage, pathname: string, search: URLSearchParams, body: Buffer, resource: string, pathParameters: Record<string, string>): APIGatewayProxyEvent {
    // Object.fromEntries, not obj[k] = v: a header or query key "__proto__" or "constructor" stays a plain key.
    const headerEntries: Array<[string, string[]]> = [];
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headerEntries.push([k, Array.isArray(v) ? v : [v]]);
    const headers: Record<string, string> = Object.fromEntries(headerEntries.map(([k, vs]) => [k, vs.join(',')]));
    const multiValueHeaders: Record<string, string[]> = Object.fromEntries(headerEntries);
    const grouped = new Map<string, string[]>();
    for (const [k, v] of search) grouped.set(k, [...(grouped.get(k) ?? []), v]);
    const query: Record<string, string> = Object.fromEntries([...grouped].map(([k, vs]) => [k, vs[vs.length - 1]]));
    const multiQuery: Record<string, string[]> = Object.fromEntries(grouped);
    const hasQuery = grouped.size > 0;
    return {
      resource,
      path: pathname,
      httpMethod: req.method ?? 'GET',
      headers,
      multiValueHeaders,
      queryStringParameters: hasQuery ? query : null,
      multiValueQueryStringParameters: hasQuery ? multiQuery : null,
      pathParameters: Object.keys(pathParameters).length ? Object.fromEntries(Object.entries(pathParameters)) : null,
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
        path: pathname,
        stage: 'local',
        requestId: randomUUID(),
        requestTimeEpoch: this.rt.clock.now(),
        resourceId: 'local',
        resourcePath: resource,
      },
    };
  }

  /** The §8 routes, checked against their table entries like the API's (no body on GET, Content-Type, ids). */
  private async local(route: Route, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const clock = this.rt.clock;
    const ok = (body: unknown) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    try {
      checkRequest(event, route);
      switch (route.operationId) {
        case 'localClock':
          return ok({ now: new Date(clock.now()).toISOString(), mode: clock.mode, scale: clock.scale, pendingTimers: clock.pendingTimers });
        case 'localClockAdvance': {
          if (clock.mode !== 'virtual') throw new HttpError(409, 'clock_not_virtual', 'Start with MAATWERK_CLOCK=virtual to advance the clock.');
          // An empty body asks for nothing: say what to send (parseJson would call it "not an object").
          if (!event.body?.trim()) throw new HttpError(400, 'validation_failed', 'Send { "seconds": N } or { "until": "<ISO-8601>" }.', { '(body)': 'send exactly one of { "seconds": N } or { "until": "<ISO-8601>" }' });
          const from = clock.now();
          const target = parseJson(event, clockAdvanceAt(from));
          if (target < from) {
            throw new HttpError(422, 'in_the_past', 'until lies before the current clock time.', { until: `must not be before the clock (${new Date(from).toISOString()})` });
          }
          await this.rt.advanceTo(target);
          return ok({ now: new Date(clock.now()).toISOString() });
        }
        case 'localStreams':
        case 'localStreamsFlush': {
          const streams = this.rt.streams;
          if (route.operationId === 'localStreamsFlush') await streams.flush();
          return ok({ pendingRecords: streams.pendingRecords, stats: streams.stats, failures: streams.failures });
        }
        case 'localWebhooks': {
          const q = LocalWebhooksQuery.parse(event.queryStringParameters ?? {});
          const w = this.rt.fakes.webhooks;
          return ok({ url: `${this.rt.fakesUrl}${RECEIVER_PREFIX}`, pendingFailures: w.pendingFailures(), deliveries: w.received(q.receiver) });
        }
        case 'localWebhooksFail': {
          const body = parseJson(event, LocalWebhookFailBody);
          this.rt.fakes.webhooks.failNext(body.times, body.status ?? 500, body.receiver);
          return ok({ pendingFailures: this.rt.fakes.webhooks.pendingFailures() });
        }
        case 'localOutbox':
          return ok({ messages: await this.outbox() });
        case 'localReport': {
          // loaded on first use: the charts library stays off the runtime's start
          const [{ reportData }, { renderReport }] = await Promise.all([import('./report/data.js'), import('./report/render.js')]);
          const q = event.queryStringParameters ?? {};
          const html = renderReport(await reportData({ now: new Date(clock.now()), ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) }));
          return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: html };
        }
        case 'localMollieCheckout': {
          const p = this.rt.fakes.mollie.get(event.pathParameters!.paymentId!);
          if (!p) throw new HttpError(404, 'not_found', 'No such payment.');
          return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: checkoutPage(p, event.path) };
        }
        case 'localMollieCheckoutChoose': {
          const parsed = LocalCheckoutForm.safeParse(formParams(event));
          if (!parsed.success) throw new HttpError(400, 'validation_failed', 'Choose paid, failed, expired or canceled.', { status: 'must be paid, failed, expired or canceled' });
          const p = await this.mollieChange(event.pathParameters!.paymentId!, () => this.rt.fakes.mollie.setStatus(event.pathParameters!.paymentId!, parsed.data.status));
          return { statusCode: 303, headers: { location: p.redirectUrl }, body: '' };
        }
        case 'localMolliePayment': {
          const body = parseJson(event, LocalMolliePaymentBody);
          const id = event.pathParameters!.paymentId!;
          const m = this.rt.fakes.mollie;
          const p = await this.mollieChange(id, () => (body.status ? m.setStatus(id, body.status) : m.reverse(id, body.refund !== undefined ? 'refund' : 'chargeback', (body.refund ?? body.chargeback)!)));
          const [w, f = ''] = p.amount.value.split('.');
          return ok({ id: p.id, status: p.status, amount: Number(w) * 100 + Number(f.padEnd(2, '0')), refunded: p.refunded, chargedBack: p.chargedBack });
        }
        case 'localLetterPdf': {
          const file = this.rt.fakes.pdf(event.pathParameters!.messageId!);
          if (!file) throw new HttpError(404, 'not_found', 'No such letter.');
          return { statusCode: 200, headers: { 'content-type': 'application/pdf' }, body: file.toString('base64'), isBase64Encoded: true };
        }
        default:
          throw new HttpError(404, 'not_found', `No local route ${event.httpMethod} ${event.path}.`);
      }
    } catch (err) {
      if (!(err instanceof HttpError)) console.error('local route failed', err);
      return errorResponse(err);
    }
  }

  /** A change to a fake Mollie payment, its errors as the API's. */
  private async mollieChange<T>(id: string, change: () => Promise<T>): Promise<T> {
    if (!this.rt.fakes.mollie.get(id)) throw new HttpError(404, 'not_found', `No payment ${id}.`);
    try {
      return await change();
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 409) throw new HttpError(409, /not open/.test((err as Error).message) ? 'not_open' : 'not_paid', (err as Error).message);
      if (status === 422) throw new HttpError(422, 'too_much', (err as Error).message);
      throw err;
    }
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
        ...(ref?.inReplyTo ? { inReplyTo: ref.inReplyTo } : {}),
      });
    }
    for (const t of await this.callTasks()) {
      out.push({
        id: t.taskId,
        channel: 'call',
        to: String(t.context.phone ?? ''),
        text: String(t.context.talkingLine ?? t.context.why ?? ''),
        template: t.reason && t.reason !== 'call' ? `task/${t.reason}` : 'call/task',
        tone: null,
        language: String(t.context.language ?? 'nl'),
        sentAt: t.createdAt,
        debtorId: t.caseId,
        dossierIds: t.dossierIds,
        stepNo: t.stepNo,
        status: t.status,
        reason: t.reason ?? 'call',
        priority: t.priority ?? 'normal',
      });
    }
    return out.sort((a, b) => a.sentAt.localeCompare(b.sentAt));
  }

  private async callTasks(): Promise<CallTask[]> {
    const all = await Promise.all((['open', 'done', 'expired'] as const).map((status) => tasksWithStatus(status)));
    return all.flat();
  }
}
