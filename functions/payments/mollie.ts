/**
 * The Mollie adapter: iDEAL first, the method Dutch debtors use. Two documented calls of Mollie's Payments API v2 over
 * the global fetch, sent exactly as @mollie/api-client 4.6 sends them (test/unit/mollie-client.test.ts runs both
 * against one recording server and compares every request and every parsed answer):
 *
 *   POST /v2/payments        create a payment (https://docs.mollie.com/reference/create-payment)
 *   GET  /v2/payments/{id}   get a payment, with amountRefunded / amountChargedBack (https://docs.mollie.com/reference/get-payment)
 *
 * Why not the SDK: it put 272 KB into the Payments function (its limit is 250 KB for everything): 211 KB of it a
 * copy of Mozilla's root certificates from November 2021 that it pins on its own https.Agent, plus node-fetch
 * (19 KB) and ruply. Over fetch the client trusts Node's own root store, which is updated with every Node release
 * (the Lambda runtime's), rather than a four-year-old copy; a host Node trusts is what the SDK trusted too, unless a
 * root was added since 2021 (Node's store has them) or removed (Node's has not).
 *
 * What the SDK does and this does the same way (its NetworkClient and retryingFetch):
 * - headers: `Authorization: Bearer <key>`, `User-Agent: Node/<version> Mollie/4.6.0`, `Accept: application/hal+json`,
 *   `Accept-Encoding: gzip`, `Content-Type: application/json`; a POST's body is the JSON of the fields.
 * - a POST always carries an `Idempotency-Key` (ours, from the port; the SDK makes a random one when none is given,
 *   and so does this), the same key on every attempt, so Mollie makes one payment however often it is sent.
 * - an answer 5xx is tried again, at most 3 attempts in all, after the answer's `Retry-After` (seconds) or 2 s; the
 *   third answer counts whatever it is. Nothing else is retried (a 4xx, a network error).
 * - errors are `ApiError`s like the SDK's: Mollie's problem JSON `{ status, title, detail, field?, _links }` gives
 *   `message` = detail, `statusCode` = status, `title`, `field`, `links`, `idempotencyKey`; a body that is not
 *   JSON "Received unexpected response from the server"; a network error its message.
 * One difference: an attempt that has no answer within PROVIDER_TIMEOUT_MS (10 s) is abandoned (an ApiError, not
 * retried; a create with the same key is safe to repeat). The SDK waits without limit, so the function's own timeout
 * (15 s) ended such a request, and the debtor got the gateway's error instead of the page's.
 *
 * Locally the fake Mollie (infra/local/fakes/mollie.ts) is reached over plain http on loopback; any other non-https
 * endpoint is refused. Nothing else differs from production.
 */
import { randomBytes } from 'node:crypto';
import { providerTimeoutMs } from '../channels/port.js';
import type { MollieConfig } from '../shared/config.js';
import { type NewProviderPayment, type PaymentMetadata, type PaymentProvider, type ProviderPayment, type ProviderPaymentStatus, toCents, toValue } from './port.js';

export const MOLLIE_API_ENDPOINT = 'https://api.mollie.com:443/v2/';
/** The SDK version whose requests these are (its User-Agent names it); the contract test holds it to the installed SDK. */
export const MOLLIE_CLIENT_VERSION = '4.6.0';
/** retryingFetch: one attempt and up to two more on a 5xx answer, 2 s apart unless Retry-After says otherwise. */
export const MOLLIE_ATTEMPTS = 3;
export const MOLLIE_RETRY_DELAY_MS = 2_000;

const LOOPBACK_HTTP = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//;

/** The SDK's ApiError, with the fields it sets (what callers and logs read: name, message, statusCode). */
export class MollieApiError extends Error {
  override readonly name = 'ApiError';
  readonly statusCode?: number;
  readonly title?: string;
  readonly field?: string;
  readonly links?: Record<string, { href: string; type?: string }>;
  readonly idempotencyKey?: string;
  constructor(message: string, info: { statusCode?: number; title?: string; field?: string; links?: MollieApiError['links']; idempotencyKey?: string } = {}) {
    super(message);
    Object.assign(this, info);
  }
}

/** The fields of Mollie's payment resource the port reads. */
interface MolliePaymentResource {
  resource?: unknown;
  id: string;
  status: string;
  amount: { value: string };
  amountRefunded?: { value: string };
  amountChargedBack?: { value: string };
  paidAt?: string;
  method?: string | null;
  metadata?: unknown;
  _links?: { checkout?: { href?: string } | null };
}

export interface MollieClientOptions {
  timeoutMs?: number;
  /** the wait before another attempt when the answer has no Retry-After */
  retryDelayMs?: number;
}

/** Mollie's Payments API, the two calls the port needs, as @mollie/api-client sends them. */
export class MollieClient {
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;

  constructor(
    cfg: MollieConfig,
    private readonly opts: MollieClientOptions = {},
  ) {
    if (!cfg.apiKey) throw new TypeError('Missing parameter "apiKey" or "accessToken".');
    const endpoint = cfg.apiEndpoint ?? MOLLIE_API_ENDPOINT;
    if (!endpoint.startsWith('https://') && !LOOPBACK_HTTP.test(endpoint.endsWith('/') ? endpoint : `${endpoint}/`)) {
      throw new Error('MOLLIE_API_ENDPOINT must be https (plain http only on loopback, for the local fake)');
    }
    this.endpoint = endpoint.endsWith('/') ? endpoint : `${endpoint}/`;
    this.headers = {
      'User-Agent': `Node/${process.version} Mollie/${MOLLIE_CLIENT_VERSION}`,
      Authorization: `Bearer ${cfg.apiKey}`,
      Accept: 'application/hal+json',
      'Accept-Encoding': 'gzip',
      'Content-Type': 'application/json',
    };
  }

  /** `payments.create(data)`: the fields in the body, the idempotency key in its header. */
  createPayment(data: Record<string, unknown>, idempotencyKey?: string): Promise<unknown> {
    return this.request('payments', { method: 'POST', body: JSON.stringify(data), idempotencyKey: idempotencyKey || randomBytes(18).toString('base64') });
  }

  /** `payments.get(id)` */
  getPayment(id: string): Promise<unknown> {
    if (!id.startsWith('tr_')) return Promise.reject(new MollieApiError(`The payment id appears invalid: ${id} (unexpected format)`));
    return this.request(`payments/${id}`, { method: 'GET' });
  }

  private async request(pathname: string, req: { method: 'GET' | 'POST'; body?: string; idempotencyKey?: string }): Promise<unknown> {
    const url = new URL(pathname, this.endpoint);
    const headers = { ...this.headers, ...(req.idempotencyKey ? { 'Idempotency-Key': req.idempotencyKey } : {}) };
    const timeoutMs = this.opts.timeoutMs ?? providerTimeoutMs();
    let res: Response;
    for (let attempt = 1; ; attempt++) {
      try {
        res = await fetch(url, { method: req.method, headers, ...(req.body !== undefined ? { body: req.body } : {}), signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        // The SDK's throwApiError: the cause's message. The message names no debtor (the URL holds a payment id at most).
        const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
        const detail = e.name === 'TimeoutError' ? `no answer from Mollie within ${timeoutMs} ms` : [e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(': ');
        throw new MollieApiError(detail || 'An unknown error has occurred');
      }
      if (attempt === MOLLIE_ATTEMPTS || Math.floor(res.status / 100) !== 5) break;
      const retryAfter = Number.parseInt(res.headers.get('retry-after') ?? '', 10);
      await res.body?.cancel().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, Number.isNaN(retryAfter) ? (this.opts.retryDelayMs ?? MOLLIE_RETRY_DELAY_MS) : retryAfter * 1000));
    }
    return answerOf(res, req.idempotencyKey);
  }
}

/** The SDK's processFetchResponse: JSON on 2xx, an ApiError from Mollie's problem JSON otherwise. */
async function answerOf(res: Response, idempotencyKey: string | undefined): Promise<unknown> {
  if (res.status === 204) return true;
  const body = await res.text();
  const ok = Math.floor(res.status / 100) === 2;
  if (body.length === 0 && ok) return true;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MollieApiError('Received unexpected response from the server');
  }
  if (ok) return json;
  if (json == null) throw new MollieApiError('An unknown error has occurred');
  const { detail, title, status, field, _links } = json as { detail?: string; title?: string; status?: number; field?: string; _links?: MollieApiError['links'] };
  throw new MollieApiError(detail ?? 'Received an error without a message', { title, statusCode: status, field, links: _links, idempotencyKey });
}

/** Our metadata, only if it has our shape (anything else at Mollie is not ours). */
export function metadataOf(raw: unknown): PaymentMetadata | undefined {
  const m = raw as Partial<PaymentMetadata> | null;
  if (!m || typeof m.debtorId !== 'string' || !Array.isArray(m.allocation) || typeof m.scope !== 'string') return undefined;
  if (!m.allocation.every((x) => Array.isArray(x) && typeof x[0] === 'string' && Number.isSafeInteger(x[1]) && (x[1] as number) > 0)) return undefined;
  return { debtorId: m.debtorId, allocation: m.allocation as Array<[string, number]>, scope: m.scope };
}

/** A payment resource on the port's side (the SDK's transformer refuses any other resource the same way). */
export function fromMollie(answer: unknown): ProviderPayment {
  const p = answer as MolliePaymentResource;
  if (p?.resource !== 'payment') throw new Error(`Received unexpected response from the server with resource ${p?.resource}`);
  const checkoutUrl = p._links?.checkout?.href;
  const metadata = metadataOf(p.metadata);
  return {
    id: p.id,
    status: p.status as ProviderPaymentStatus,
    amount: toCents(p.amount.value),
    amountRefunded: p.amountRefunded ? toCents(p.amountRefunded.value) : 0,
    amountChargedBack: p.amountChargedBack ? toCents(p.amountChargedBack.value) : 0,
    ...(p.paidAt ? { paidAt: p.paidAt } : {}),
    ...(checkoutUrl ? { checkoutUrl } : {}),
    ...(p.method ? { method: String(p.method) } : {}),
    ...(metadata ? { metadata } : {}),
  };
}

export class MolliePayments implements PaymentProvider {
  private readonly client: MollieClient;

  constructor(cfg: MollieConfig, opts?: MollieClientOptions) {
    this.client = new MollieClient(cfg, opts);
  }

  async createPayment(p: NewProviderPayment): Promise<ProviderPayment> {
    const body = {
      amount: { currency: 'EUR', value: toValue(p.amount) },
      description: p.description,
      redirectUrl: p.redirectUrl,
      webhookUrl: p.webhookUrl,
      method: 'ideal',
      metadata: p.metadata,
      ...(p.locale ? { locale: p.locale } : {}),
    };
    return fromMollie(await this.client.createPayment(body, p.idempotencyKey));
  }

  async getPayment(id: string): Promise<ProviderPayment | undefined> {
    try {
      return fromMollie(await this.client.getPayment(id));
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }
}
