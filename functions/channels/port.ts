/**
 * One port for every outbound channel. Each provider has one real adapter; the local runtime points those
 * adapters at fake providers that speak the same HTTP API, so handlers never know which is behind it.
 *
 * Retries: a provider call is retried with exponential backoff and jitter (backoff() below) on 429, 5xx, timeouts and
 * network errors; a 4xx (a bad number such as Twilio 21211, a refused address) is permanent and never retried.
 * When the retries are used up the call fails with ProviderUnavailableError, which the channel step lets
 * Step Functions retry (with its own backoff) after giving the send claim back.
 *
 * Provider error messages can contain the recipient (Twilio 21211: "The 'To' number +316… is not a valid
 * phone number"), so nothing here ever passes a provider's message on: errors are described by status,
 * code and kind only (describeProviderError), and free text that must be kept is redacted first.
 */
import type { RenderedMessage } from './render-contract.js';

export interface Correlation {
  caseId: string;
  journeyNo: number;
  stepNo: number;
}

export interface OutgoingMessage {
  channel: 'email' | 'sms' | 'whatsapp' | 'letter';
  /** E.164 phone, email address, or the postal address for letters */
  to: string;
  name: string;
  address?: { line1: string; postalCode: string; city: string; country?: string };
  rendered: RenderedMessage;
  correlation: Correlation;
  /** where the provider posts delivery statuses */
  statusCallbackUrl?: string;
  /** letters: where the rendered PDF is kept (LetterStorage) */
  storedAt?: string;
}

export interface SendResult {
  providerId: string;
}

/** A message the provider holds for a recipient (what an interrupted send is confirmed by). */
export interface ProviderMessage {
  providerId: string;
  /** when the provider created it (took the request) */
  createdAt: string;
  /** the provider's status: queued, sent, delivered, failed, … */
  status: string;
  segments?: number;
}

export interface ChannelAdapter {
  send(msg: OutgoingMessage): Promise<SendResult>;
  /**
   * The messages the provider took for `to` on `channel` since `since`, when the provider can say (Twilio can list
   * them; SendGrid cannot be asked, the print service is asked again under its Idempotency-Key). Throws when the
   * provider could not be asked.
   */
  sentSince?(q: { channel: OutgoingMessage['channel']; to: string; since: Date }): Promise<ProviderMessage[]>;
}

/** The provider refused the message for good (bad number, bad address): retrying will not help. */
export class PermanentSendError extends Error {
  override readonly name = 'PermanentSendError';
  constructor(
    /** must not contain personal data: it goes to the timeline and the logs */
    message: string,
    /** which contact point is unusable because of it */
    readonly contactPoint?: 'email' | 'phone' | 'address',
  ) {
    super(message);
  }
}

/** The provider was unavailable (429, 5xx, timeout) even after the retries. */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
}

export interface RetryPolicy {
  /** retries after the first attempt */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** no new attempt starts after this long (keeps a step inside its Lambda timeout) */
  maxRetryTimeMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, minTimeoutMs: 200, maxTimeoutMs: 2_000, maxRetryTimeMs: 15_000 };
/** Per-request provider timeout. 4 attempts never outlive a 30 s Lambda: maxRetryTime 15 s + one 10 s request. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;

function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`);
  return n;
}

/** PROVIDER_TIMEOUT_MS (default 10 s): how long one provider request may take. */
export function providerTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return envNumber(env, 'PROVIDER_TIMEOUT_MS', DEFAULT_PROVIDER_TIMEOUT_MS, 1);
}

/** PROVIDER_RETRIES, PROVIDER_RETRY_MIN_MS, PROVIDER_RETRY_MAX_MS, PROVIDER_RETRY_MAX_TIME_MS; defaults DEFAULT_RETRY. */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  return {
    retries: Math.floor(envNumber(env, 'PROVIDER_RETRIES', DEFAULT_RETRY.retries)),
    minTimeoutMs: envNumber(env, 'PROVIDER_RETRY_MIN_MS', DEFAULT_RETRY.minTimeoutMs),
    maxTimeoutMs: envNumber(env, 'PROVIDER_RETRY_MAX_MS', DEFAULT_RETRY.maxTimeoutMs),
    maxRetryTimeMs: envNumber(env, 'PROVIDER_RETRY_MAX_TIME_MS', DEFAULT_RETRY.maxRetryTimeMs, 1),
  };
}

export type Classification = { kind: 'permanent'; error: PermanentSendError } | { kind: 'transient' };

/**
 * Process-wide counters (the fault test and the bench read them): provider calls, attempts (retries =
 * attempts − calls), calls refused for good, calls that ran out of retries.
 */
export const providerStats = { calls: 0, attempts: 0, permanent: 0, exhausted: 0, slowestAcceptedMs: 0, failures: {} as Record<string, number> };
export function resetProviderStats(): void {
  Object.assign(providerStats, { calls: 0, attempts: 0, permanent: 0, exhausted: 0, slowestAcceptedMs: 0, failures: {} });
}

/** Thrown from an attempt to stop retrying at once (a permanent refusal). */
class StopRetrying extends Error {
  constructor(readonly error: unknown) {
    super('stop retrying');
  }
}

/**
 * Runs `attempt` until it succeeds, at most 1 + retries times, waiting between attempts with exponential backoff
 * and jitter — what p-retry (through the `retry` package) did, kept in ten lines so the provider functions'
 * bundles do without both packages: the waits are min(maxTimeout, round(r × minTimeout × factor^n)) for
 * n = 0 … retries − 1 with r uniform in [1, 2), drawn up front and used shortest first; no new attempt starts once
 * maxRetryTime has passed since the first. A StopRetrying error ends it with the error it carries.
 */
export async function backoff<T>(
  attempt: () => Promise<T>,
  o: { retries: number; minTimeout: number; maxTimeout: number; maxRetryTime: number; factor: number },
): Promise<T> {
  const waits = Array.from({ length: o.retries }, (_, n) => Math.min(o.maxTimeout, Math.round((Math.random() + 1) * Math.max(o.minTimeout, 1) * o.factor ** n))).sort((a, b) => a - b);
  const started = Date.now();
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof StopRetrying) throw err.error;
      if (n >= waits.length || Date.now() - started >= o.maxRetryTime) throw err;
      await new Promise((resolve) => setTimeout(resolve, waits[n]));
    }
  }
}

/**
 * Calls a provider with exponential backoff and jitter (backoff()) on 429/5xx/timeouts.
 * `classify` turns a provider error into 'permanent' (stop now) or 'transient' (retry).
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  classify: (err: unknown) => Classification,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<T> {
  let last: unknown;
  providerStats.calls++;
  try {
    return await backoff(
      async () => {
        providerStats.attempts++;
        const started = Date.now();
        try {
          const result = await call();
          providerStats.slowestAcceptedMs = Math.max(providerStats.slowestAcceptedMs, Date.now() - started);
          return result;
        } catch (err) {
          last = err;
          const what = describeProviderError(err);
          providerStats.failures[what] = (providerStats.failures[what] ?? 0) + 1;
          const c = classify(err);
          if (c.kind === 'permanent') {
            providerStats.permanent++;
            throw new StopRetrying(c.error);
          }
          throw err;
        }
      },
      {
        retries: policy.retries,
        minTimeout: policy.minTimeoutMs,
        maxTimeout: policy.maxTimeoutMs,
        maxRetryTime: policy.maxRetryTimeMs,
        factor: 2,
      },
    );
  } catch (err) {
    if (err instanceof PermanentSendError) throw err;
    providerStats.exhausted++;
    throw new ProviderUnavailableError(`provider unavailable after ${policy.retries + 1} attempts (last: ${describeProviderError(last ?? err)})`);
  }
}

/** HTTP status of an SDK error, when there is one. */
export function statusOf(err: unknown): number | undefined {
  const e = err as { status?: unknown; code?: unknown; response?: { status?: number; statusCode?: number } };
  if (typeof e?.status === 'number') return e.status;
  return e?.response?.statusCode ?? e?.response?.status;
}

/**
 * A provider error in words that can be logged and shown: HTTP status, provider error code, timeout or
 * network error — never the provider's message (it may contain the number or address).
 */
export function describeProviderError(err: unknown): string {
  const e = (err ?? {}) as { status?: unknown; code?: unknown; name?: unknown; message?: unknown };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout';
  const message = typeof e.message === 'string' ? e.message : '';
  const code = e.code;
  // SendGrid's ResponseError carries the HTTP status as `code`; Twilio's RestException has both.
  const status = statusOf(err) ?? (typeof code === 'number' && code >= 100 && code <= 599 ? code : undefined);
  const parts: string[] = [];
  if (status !== undefined) parts.push(`HTTP ${status}`);
  if (typeof code === 'number' && code !== status) parts.push(`error ${code}`);
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) parts.push(code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'timeout' : code);
  else if (/timeout|timed out/i.test(message)) parts.push('timeout');
  else if (/socket hang up|ECONNRESET|ECONNREFUSED|fetch failed|network/i.test(message)) parts.push('network error');
  return parts.length ? parts.join(', ') : typeof e.name === 'string' && e.name ? e.name : 'unknown error';
}

/** Removes email addresses, phone numbers and IBANs from free text a provider sent (bounce reasons and the like). */
export { redact } from '../shared/redact.js';

/**
 * A request that timed out may still have been accepted, and neither Twilio nor SendGrid takes an
 * idempotency key: sending again could reach the debtor twice. Such a send is treated as done-or-lost
 * (not retried) and the journey moves on with the reason on the timeline — never a duplicate.
 */
export function inDoubtAfterTimeout(provider: string, err: unknown): Classification | undefined {
  if (!describeProviderError(err).includes('timeout')) return undefined;
  return { kind: 'permanent', error: new PermanentSendError(`no answer from ${provider} in time; it may have taken the message, so it is not sent again`) };
}
