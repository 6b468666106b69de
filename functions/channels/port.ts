/**
 * One port for every outbound channel. Each provider has one real adapter; the local runtime points those
 * adapters at fake providers that speak the same HTTP API, so handlers never know which is behind it.
 */
import pRetry, { AbortError } from 'p-retry';
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
}

export interface SendResult {
  providerId: string;
}

export interface ChannelAdapter {
  send(msg: OutgoingMessage): Promise<SendResult>;
}

/** The provider refused the message for good (bad number, bad address): retrying will not help. */
export class PermanentSendError extends Error {
  override readonly name = 'PermanentSendError';
  constructor(
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
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, minTimeoutMs: 200, maxTimeoutMs: 2_000 };

/**
 * Calls a provider with exponential backoff and full jitter (p-retry) on 429/5xx/timeouts.
 * `classify` turns a provider error into 'permanent' (stop now) or 'transient' (retry).
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  classify: (err: unknown) => { kind: 'permanent'; error: PermanentSendError } | { kind: 'transient' },
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<T> {
  try {
    return await pRetry(
      async () => {
        try {
          return await call();
        } catch (err) {
          const c = classify(err);
          if (c.kind === 'permanent') throw new AbortError(c.error);
          throw err;
        }
      },
      { retries: policy.retries, minTimeout: policy.minTimeoutMs, maxTimeout: policy.maxTimeoutMs, factor: 2, randomize: true },
    );
  } catch (err) {
    if (err instanceof PermanentSendError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new ProviderUnavailableError(`provider unavailable after ${policy.retries + 1} attempts: ${message}`);
  }
}

/** HTTP status of an SDK error, when there is one. */
export function statusOf(err: unknown): number | undefined {
  const e = err as { status?: number; code?: number | string; response?: { status?: number; statusCode?: number } };
  return e?.status ?? e?.response?.statusCode ?? e?.response?.status;
}
