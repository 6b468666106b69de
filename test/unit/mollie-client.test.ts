/**
 * The Mollie adapter calls Mollie's Payments API with fetch instead of @mollie/api-client (which, with its pinned CA
 * bundle and node-fetch, would put ≈ 290 KB into the Payments function; functions/payments/mollie.ts says why). Here
 * the adapter and the adapter as it was over the SDK (`SdkPayments`, below) are pointed at one recording server and
 * must send the same requests — method, path, query, authentication, user agent, accept headers, content type,
 * idempotency key, body byte for byte, and the same number of attempts with the same key when Mollie answers 5xx —
 * and turn the same answers into the same port results and the same errors. Then both against the fake Mollie.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createMollieClient, type Payment, PaymentMethod } from '@mollie/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMollie } from '../../infra/local/fakes/mollie.js';
import type { Clock } from '../../infra/local/clock.js';
import { metadataOf, MOLLIE_CLIENT_VERSION, MollieApiError, MolliePayments } from '../../functions/payments/mollie.js';
import type { NewProviderPayment, PaymentMetadata, PaymentProvider, ProviderPayment, ProviderPaymentStatus } from '../../functions/payments/port.js';
import { toCents, toValue } from '../../functions/payments/port.js';

/** The adapter as it was over @mollie/api-client 4.6 (functions/payments/mollie.ts before the fetch client), the reference; the metadata check is the adapter's own (it reads no SDK). */
class SdkPayments implements PaymentProvider {
  private readonly client: ReturnType<typeof createMollieClient>;
  constructor(cfg: { apiKey: string; apiEndpoint: string }) {
    // The SDK always builds an https.Agent pinned to its CA bundle: for the http:// test servers, Node's http.Agent.
    const mutable = https as unknown as { Agent: unknown };
    const original = mutable.Agent;
    mutable.Agent = class extends http.Agent {};
    try {
      this.client = createMollieClient(cfg);
    } finally {
      mutable.Agent = original;
    }
  }
  async createPayment(p: NewProviderPayment): Promise<ProviderPayment> {
    const payment = await this.client.payments.create({
      amount: { currency: 'EUR', value: toValue(p.amount) },
      description: p.description,
      redirectUrl: p.redirectUrl,
      webhookUrl: p.webhookUrl,
      method: PaymentMethod.ideal,
      metadata: p.metadata,
      ...(p.locale ? { locale: p.locale as never } : {}),
      idempotencyKey: p.idempotencyKey,
    });
    return sdkPayment(payment);
  }
  async getPayment(id: string): Promise<ProviderPayment | undefined> {
    try {
      return sdkPayment(await this.client.payments.get(id));
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }
}

function sdkPayment(p: Payment): ProviderPayment {
  return {
    id: p.id,
    status: p.status as ProviderPaymentStatus,
    amount: toCents(p.amount.value),
    amountRefunded: p.amountRefunded ? toCents(p.amountRefunded.value) : 0,
    amountChargedBack: p.amountChargedBack ? toCents(p.amountChargedBack.value) : 0,
    ...(p.paidAt ? { paidAt: p.paidAt } : {}),
    ...(p.getCheckoutUrl() ? { checkoutUrl: p.getCheckoutUrl()! } : {}),
    ...(p.method ? { method: String(p.method) } : {}),
    ...(metadataOf(p.metadata) ? { metadata: metadataOf(p.metadata)! } : {}),
  };
}

interface Captured {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
interface Answer {
  status: number;
  body?: unknown;
  /** sent as is (not JSON) */
  raw?: string;
  headers?: Record<string, string>;
  gzip?: boolean;
}

let server: http.Server;
let endpoint = '';
const captured: Captured[] = [];
/** the answers to the next requests, in order; the last one repeats */
let answers: Answer[] = [];
let answered = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      captured.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const a = answers[Math.min(answered++, answers.length - 1)];
      const text = a.raw ?? (a.body === undefined ? '' : JSON.stringify(a.body));
      const payload = a.gzip ? gzipSync(text) : Buffer.from(text);
      res.writeHead(a.status, { 'content-type': 'application/hal+json', ...(a.gzip ? { 'content-encoding': 'gzip' } : {}), ...(a.headers ?? {}) });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const KEY = 'test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM';
const sdk = () => new SdkPayments({ apiKey: KEY, apiEndpoint: endpoint });
const ours = () => new MolliePayments({ apiKey: KEY, apiEndpoint: endpoint });

interface Outcome {
  requests: Captured[];
  result?: unknown;
  error?: unknown;
}

/** Runs the same call through the SDK and through ours against the same scripted answers. */
async function both(script: Answer[], call: (p: PaymentProvider) => Promise<unknown>): Promise<{ sdk: Outcome; ours: Outcome }> {
  const once = async (p: PaymentProvider): Promise<Outcome> => {
    captured.length = 0;
    answers = script;
    answered = 0;
    const out: Outcome = { requests: [] };
    try {
      out.result = await call(p);
    } catch (error) {
      out.error = error;
    }
    out.requests = [...captured];
    return out;
  };
  return { sdk: await once(sdk()), ours: await once(ours()) };
}
/** What must be equal in two requests: everything Mollie reads. */
function wire(r: Captured) {
  const url = new URL(r.url, endpoint);
  return {
    method: r.method,
    path: url.pathname,
    query: [...url.searchParams].sort(([a], [b]) => a.localeCompare(b)),
    authorization: r.headers.authorization,
    userAgent: r.headers['user-agent'],
    accept: r.headers.accept,
    acceptEncoding: r.headers['accept-encoding'],
    contentType: r.headers['content-type'],
    idempotencyKey: r.headers['idempotency-key'],
    body: r.body,
  };
}

/** What the callers and the logs read of an error (the SDK's ApiError fields). */
function errorOf(e: unknown) {
  const x = e as MollieApiError;
  return { name: x?.name, message: x?.message, statusCode: x?.statusCode, title: x?.title, field: x?.field, links: x?.links, idempotencyKey: x?.idempotencyKey };
}

const METADATA: PaymentMetadata = { debtorId: 'deb_01JABCDEF', allocation: [['dos_1', 12_500], ['dos_2', 4_007]], scope: 'all' };
const NEW: NewProviderPayment = {
  amount: 16_507,
  description: 'Betaling INV-1001, INV-1002',
  redirectUrl: 'https://api.example.invalid/prod/p/AbC-123_x?status=return',
  webhookUrl: 'https://api.example.invalid/prod/webhooks/mollie',
  metadata: METADATA,
  idempotencyKey: '0123456789abcdef0123456789abcdef01234567',
  locale: 'nl_NL',
};

const RESOURCE = (over: Record<string, unknown> = {}) => ({
  resource: 'payment',
  id: 'tr_7UhSN1zuXS',
  mode: 'test',
  createdAt: '2026-03-02T09:00:00+00:00',
  amount: { value: '165.07', currency: 'EUR' },
  description: NEW.description,
  method: 'ideal',
  metadata: METADATA,
  status: 'open',
  isCancelable: false,
  expiresAt: '2026-03-02T09:15:00+00:00',
  profileId: 'pfl_QkEhN94Ba',
  sequenceType: 'oneoff',
  redirectUrl: NEW.redirectUrl,
  webhookUrl: NEW.webhookUrl,
  _links: {
    self: { href: 'https://api.mollie.com/v2/payments/tr_7UhSN1zuXS', type: 'application/hal+json' },
    checkout: { href: 'https://www.mollie.com/checkout/select-method/7UhSN1zuXS', type: 'text/html' },
    documentation: { href: 'https://docs.mollie.com/reference/get-payment', type: 'text/html' },
  },
  ...over,
});

const PROBLEM = (status: number, title: string, detail: string, field?: string) => ({
  status,
  title,
  detail,
  ...(field ? { field } : {}),
  _links: { documentation: { href: 'https://docs.mollie.com/overview/handling-errors', type: 'text/html' } },
});

function expectSameWire(o: { sdk: Outcome; ours: Outcome }, attempts: number) {
  expect(o.sdk.requests).toHaveLength(attempts);
  expect(o.ours.requests.map(wire)).toEqual(o.sdk.requests.map(wire));
}

describe('the Mollie client over fetch sends what @mollie/api-client sends', () => {
  it('is held to the installed SDK version (its User-Agent names it)', async () => {
    const { version } = (await import('@mollie/api-client/package.json', { with: { type: 'json' } })).default as { version: string };
    expect(MOLLIE_CLIENT_VERSION).toBe(version);
  });

  it.each([
    ['a payment of every open claim, in Dutch', NEW],
    ['one claim, in English, a description with non-ASCII', { ...NEW, amount: 4_007, description: 'Betaling Ü-2026/€ 3 +2', metadata: { ...METADATA, allocation: [['dos_2', 4_007]] as Array<[string, number]>, scope: 'claim-2' }, locale: 'en_US' as const }],
    ['without a locale', { ...NEW, locale: undefined }],
  ])('creates a payment: %s', async (_name, payment) => {
    const o = await both([{ status: 201, body: RESOURCE() }], (p) => p.createPayment(payment));
    expectSameWire(o, 1);
    const [req] = o.ours.requests;
    expect(wire(req)).toMatchObject({
      method: 'POST',
      path: '/v2/payments',
      query: [],
      authorization: `Bearer ${KEY}`,
      userAgent: `Node/${process.version} Mollie/${MOLLIE_CLIENT_VERSION}`,
      accept: 'application/hal+json',
      acceptEncoding: 'gzip',
      contentType: 'application/json',
      idempotencyKey: payment.idempotencyKey,
    });
    expect(JSON.parse(req.body)).toEqual({
      amount: { currency: 'EUR', value: toValue(payment.amount) },
      description: payment.description,
      redirectUrl: payment.redirectUrl,
      webhookUrl: payment.webhookUrl,
      method: 'ideal',
      metadata: payment.metadata,
      ...(payment.locale ? { locale: payment.locale } : {}),
    });
    expect(o.ours.error).toBeUndefined();
    expect(o.ours.result).toEqual(o.sdk.result);
    expect(o.ours.result).toMatchObject({ id: 'tr_7UhSN1zuXS', status: 'open', amount: 16_507, checkoutUrl: 'https://www.mollie.com/checkout/select-method/7UhSN1zuXS' });
  });

  it('gives a create without a key a random one, as the SDK does', async () => {
    const o = await both([{ status: 201, body: RESOURCE() }], (p) => p.createPayment({ ...NEW, idempotencyKey: '' }));
    const key = (c: Captured) => String(c.headers['idempotency-key']);
    expect(key(o.sdk.requests[0])).toMatch(/^[A-Za-z0-9+/]{24}$/);
    expect(key(o.ours.requests[0])).toMatch(/^[A-Za-z0-9+/]{24}$/);
    expect(key(o.ours.requests[0])).not.toBe(key(o.sdk.requests[0]));
  });

  it.each([
    ['open, with its checkout', RESOURCE()],
    ['paid', RESOURCE({ status: 'paid', paidAt: '2026-03-02T09:03:11+00:00', amountRefunded: { value: '0.00', currency: 'EUR' }, amountRemaining: { value: '165.07', currency: 'EUR' }, _links: { self: { href: 'x' } } })],
    ['paid, part refunded and charged back', RESOURCE({ status: 'paid', paidAt: '2026-03-02T09:03:11+00:00', amountRefunded: { value: '25.00', currency: 'EUR' }, amountChargedBack: { value: '10.5', currency: 'EUR' } })],
    ['failed, the method not known, no metadata', RESOURCE({ status: 'failed', method: null, metadata: null, failedAt: '2026-03-02T09:05:00+00:00', _links: { self: { href: 'x' }, checkout: null } })],
    ['expired, metadata that is not ours', RESOURCE({ status: 'expired', metadata: { order: 12 } })],
    ['canceled, an allocation with a bad amount', RESOURCE({ status: 'canceled', metadata: { ...METADATA, allocation: [['dos_1', 0]] } })],
    ['gzip-compressed', RESOURCE({ status: 'paid', paidAt: '2026-03-02T09:03:11+00:00' }), true],
  ])('gets a payment: %s', async (_name, body, gzip = false) => {
    const o = await both([{ status: 200, body, gzip }], (p) => p.getPayment('tr_7UhSN1zuXS'));
    expectSameWire(o, 1);
    expect(wire(o.ours.requests[0])).toMatchObject({ method: 'GET', path: '/v2/payments/tr_7UhSN1zuXS', query: [], body: '', idempotencyKey: undefined });
    expect(o.ours.error).toBeUndefined();
    expect(o.sdk.error).toBeUndefined();
    expect(o.ours.result).toEqual(o.sdk.result);
  });

  it('answers an unknown payment (404) with undefined', async () => {
    const o = await both([{ status: 404, body: PROBLEM(404, 'Not Found', 'No payment exists with token tr_unknown1.') }], (p) => p.getPayment('tr_unknown1'));
    expectSameWire(o, 1);
    expect(o.sdk.result).toBeUndefined();
    expect(o.ours.result).toBeUndefined();
    expect(o.ours.error).toBeUndefined();
  });

  it('refuses an id that is not a payment id before asking, as the SDK does', async () => {
    const o = await both([{ status: 200, body: RESOURCE() }], (p) => p.getPayment('ord_123'));
    expectSameWire(o, 0);
    expect(errorOf(o.ours.error)).toEqual(errorOf(o.sdk.error));
  });

  it.each([
    [401, PROBLEM(401, 'Unauthorized Request', 'Missing authentication, or failed to authenticate')],
    [422, PROBLEM(422, 'Unprocessable Entity', 'The amount is lower than the minimum', 'amount')],
    [409, PROBLEM(409, 'Conflict', 'A request with this idempotency key is already being processed')],
    [429, PROBLEM(429, 'Too Many Requests', 'You have exceeded the rate limit')],
  ])('raises an answer %i as the SDK does (an ApiError with Mollie\'s fields), once', async (status, body) => {
    const create = await both([{ status, body }], (p) => p.createPayment(NEW));
    expectSameWire(create, 1);
    expect(create.ours.error).toBeInstanceOf(MollieApiError);
    expect(errorOf(create.ours.error)).toEqual(errorOf(create.sdk.error));
    expect(errorOf(create.ours.error)).toMatchObject({ name: 'ApiError', statusCode: status, idempotencyKey: NEW.idempotencyKey, message: body.detail });
    const get = await both([{ status, body }], (p) => p.getPayment('tr_7UhSN1zuXS'));
    expectSameWire(get, 1);
    expect(errorOf(get.ours.error)).toEqual(errorOf(get.sdk.error));
    expect(errorOf(get.ours.error).idempotencyKey).toBeUndefined();
  });

  it.each([
    ['a 503 with Retry-After: 0, then the payment', [{ status: 503, body: PROBLEM(503, 'Service Unavailable', 'Try again'), headers: { 'retry-after': '0' } }, { status: 201, body: RESOURCE() }], 2],
    ['two 500s with Retry-After: 0, then the payment', [{ status: 500, body: PROBLEM(500, 'Internal Server Error', 'x'), headers: { 'retry-after': '0' } }, { status: 500, body: PROBLEM(500, 'Internal Server Error', 'x'), headers: { 'retry-after': '0' } }, { status: 201, body: RESOURCE() }], 3],
    ['three 502s that are not JSON: gives up after the third', [{ status: 502, raw: '<html>Bad Gateway</html>', headers: { 'retry-after': '0', 'content-type': 'text/html' } }], 3],
    ['three 500s: the third answer is the error', [{ status: 500, body: PROBLEM(500, 'Internal Server Error', 'Something went wrong'), headers: { 'retry-after': '0' } }], 3],
  ] as const)('tries a 5xx again with the same idempotency key: %s', async (_name, script, attempts) => {
    const o = await both([...script], (p) => p.createPayment(NEW));
    expectSameWire(o, attempts);
    expect(new Set(o.ours.requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set([NEW.idempotencyKey]));
    expect(o.ours.result).toEqual(o.sdk.result);
    expect(errorOf(o.ours.error)).toEqual(errorOf(o.sdk.error));
  });

  it('waits 2 s before another attempt when the answer gives no Retry-After (a get)', async () => {
    const o = await both([{ status: 502, raw: '' }, { status: 200, body: RESOURCE() }], (p) => p.getPayment('tr_7UhSN1zuXS'));
    expectSameWire(o, 2);
    expect(o.ours.result).toEqual(o.sdk.result);
  }, 20_000);

  it('raises what is not JSON and an empty error answer as the SDK does', async () => {
    for (const script of [[{ status: 200, raw: 'not json' }], [{ status: 400, raw: '' }], [{ status: 400, raw: 'null' }]]) {
      const o = await both(script, (p) => p.getPayment('tr_7UhSN1zuXS'));
      expectSameWire(o, 1);
      expect(errorOf(o.ours.error)).toEqual(errorOf(o.sdk.error));
    }
  });

  it('refuses an answer that is not a payment', async () => {
    const o = await both([{ status: 200, body: { resource: 'balance-report', id: 'x' } }], (p) => p.getPayment('tr_7UhSN1zuXS'));
    expect((o.ours.error as Error).message).toBe('Received unexpected response from the server with resource balance-report');
    expect((o.ours.error as Error).message).toBe((o.sdk.error as Error).message);
    // another resource the SDK knows: it fails too (in that resource's transformer), and so do we, saying why
    const order = await both([{ status: 200, body: { resource: 'order', id: 'ord_1' } }], (p) => p.getPayment('tr_7UhSN1zuXS'));
    expect(order.sdk.error).toBeInstanceOf(Error);
    expect((order.ours.error as Error).message).toBe('Received unexpected response from the server with resource order');
  });

  it('raises a network error as an ApiError without a status (not retried)', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/v2/`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    for (const p of [new SdkPayments({ apiKey: KEY, apiEndpoint: url }), new MolliePayments({ apiKey: KEY, apiEndpoint: url })]) {
      const err = await p.getPayment('tr_7UhSN1zuXS').catch((e: unknown) => e);
      expect(errorOf(err)).toMatchObject({ name: 'ApiError', statusCode: undefined });
      expect((err as Error).message).toContain('ECONNREFUSED');
    }
  });

  it('gives up on an attempt without an answer after its timeout (the SDK would wait for the function to time out)', async () => {
    const slow = http.createServer(() => undefined);
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const p = new MolliePayments({ apiKey: KEY, apiEndpoint: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/v2/` }, { timeoutMs: 200 });
      const err = await p.createPayment(NEW).catch((e: unknown) => e);
      expect(errorOf(err)).toMatchObject({ name: 'ApiError', statusCode: undefined, message: 'no answer from Mollie within 200 ms' });
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });

  it('speaks plain http only to loopback (the local fake); https anywhere', () => {
    expect(() => new MolliePayments({ apiKey: KEY, apiEndpoint: 'http://mollie.example.invalid/v2/' })).toThrow(/must be https/);
    expect(() => new MolliePayments({ apiKey: KEY, apiEndpoint: 'http://10.0.0.1:8080/v2/' })).toThrow(/must be https/);
    expect(() => new MolliePayments({ apiKey: KEY, apiEndpoint: 'http://127.0.0.1:9/v2/' })).not.toThrow();
    expect(() => new MolliePayments({ apiKey: KEY, apiEndpoint: 'http://localhost:9/v2' })).not.toThrow();
    expect(() => new MolliePayments({ apiKey: KEY })).not.toThrow();
    expect(() => new MolliePayments({ apiKey: KEY, apiEndpoint: 'https://api.mollie.com/v2/' })).not.toThrow();
    expect(() => new MolliePayments({ apiKey: '' })).toThrow();
  });
});

describe('both against the fake Mollie', () => {
  let fakeServer: http.Server;
  let base = '';
  const webhooks: string[] = [];
  let fake: FakeMollie;

  beforeAll(async () => {
    const clock = { now: () => Date.parse('2026-03-02T09:00:00Z') } as unknown as Clock;
    fake = new FakeMollie({ clock, checkoutBase: () => `${base}/checkout/`, post: async (_url, body) => void webhooks.push(body) });
    fakeServer = http.createServer((req, res) => void fake.handle(req, res, new URL(req.url ?? '/', base), base));
    await new Promise<void>((resolve) => fakeServer.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(fakeServer.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => fakeServer.close(() => resolve())));

  it('creates, finds the same payment again by its key, reads it paid and refunded, and misses an unknown one alike', async () => {
    const viaSdk = new SdkPayments({ apiKey: KEY, apiEndpoint: `${base}/v2/` });
    const viaUs = new MolliePayments({ apiKey: KEY, apiEndpoint: `${base}/v2/` });
    const created = await viaUs.createPayment(NEW);
    expect(created).toMatchObject({ status: 'open', amount: NEW.amount, metadata: METADATA, method: 'ideal', checkoutUrl: `${base}/checkout/${created.id}` });
    // the same key: the same payment, whichever client sends it
    expect(await viaSdk.createPayment(NEW)).toEqual(created);
    expect(await viaUs.createPayment(NEW)).toEqual(created);
    expect(fake.list()).toHaveLength(1);
    expect(await viaUs.getPayment(created.id)).toEqual(await viaSdk.getPayment(created.id));
    await fake.setStatus(created.id, 'paid');
    await fake.reverse(created.id, 'refund', 2_500);
    await fake.reverse(created.id, 'chargeback', 1_000);
    const paid = await viaUs.getPayment(created.id);
    expect(paid).toEqual(await viaSdk.getPayment(created.id));
    expect(paid).toMatchObject({ status: 'paid', amountRefunded: 2_500, amountChargedBack: 1_000, paidAt: '2026-03-02T09:00:00.000Z' });
    expect(paid?.checkoutUrl).toBeUndefined();
    expect(await viaUs.getPayment('tr_doesnotexist')).toBeUndefined();
    expect(await viaSdk.getPayment('tr_doesnotexist')).toBeUndefined();
    // a key the fake refuses: the same error
    const bad = { apiKey: 'nonsense', apiEndpoint: `${base}/v2/` };
    const e1 = await new MolliePayments(bad).getPayment(created.id).catch((e: unknown) => e);
    const e2 = await new SdkPayments(bad).getPayment(created.id).catch((e: unknown) => e);
    expect(errorOf(e1)).toEqual(errorOf(e2));
    expect(errorOf(e1).statusCode).toBe(401);
  });
});
