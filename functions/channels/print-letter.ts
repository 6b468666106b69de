import type { PrintConfig } from '../shared/config.js';
import {
  type ChannelAdapter,
  type OutgoingMessage,
  PermanentSendError,
  providerTimeoutMs,
  type RetryPolicy,
  retryPolicyFromEnv,
  withRetries,
} from './port.js';

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    /** the request field the service refused (its 400 answer names it) */
    readonly field?: string,
  ) {
    super(`print service answered HTTP ${status}`);
  }
}

/**
 * Letters: the rendered (and already stored) PDF goes to a print-and-post service over HTTP
 * (POST {url}/v1/letters {pdfBase64, address, reference, text, metadata} → 201 {id}). The request carries an
 * Idempotency-Key per journey step, so retrying after a timeout can never post a second letter.
 */
export class PrintLetter implements ChannelAdapter {
  constructor(
    private readonly cfg: PrintConfig,
    private readonly retry: RetryPolicy = retryPolicyFromEnv(),
    private readonly timeoutMs = providerTimeoutMs(),
  ) {}

  async send(msg: OutgoingMessage) {
    const pdf = msg.rendered.pdf ?? (await msg.rendered.pdfLater?.());
    if (!pdf) throw new PermanentSendError('letter has no PDF');
    if (!msg.address) throw new PermanentSendError('debtor has no postal address', 'address');
    const body = JSON.stringify({
      pdfBase64: pdf.toString('base64'),
      address: { name: msg.name, ...msg.address },
      reference: `${msg.correlation.caseId}/${msg.correlation.journeyNo}/${msg.correlation.stepNo}`,
      text: msg.rendered.text,
      metadata: { template: msg.rendered.template, ...(msg.storedAt ? { storedAt: msg.storedAt } : {}) },
    });
    const res = await withRetries(
      async () => {
        const r = await fetch(`${this.cfg.url.replace(/\/$/, '')}/v1/letters`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${this.cfg.apiKey}`,
            // one letter per journey step, even when a timed-out request did reach the service
            'idempotency-key': `letter/${msg.correlation.caseId}/${msg.correlation.journeyNo}/${msg.correlation.stepNo}`,
          },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (!r.ok) {
          const answer = (await r.json().catch(() => undefined)) as { error?: { field?: unknown } } | undefined;
          const field = answer?.error?.field;
          throw new HttpStatusError(r.status, typeof field === 'string' ? field : undefined);
        }
        return (await r.json()) as { id: string };
      },
      (err) => {
        const { status, field } = err as HttpStatusError;
        if (typeof status === 'number' && status >= 400 && status < 500 && status !== 429 && status !== 408) {
          const badAddress = field?.startsWith('address') ?? false;
          return {
            kind: 'permanent',
            error: new PermanentSendError(`print service refused the letter (HTTP ${status}${field ? `, ${field}` : ''})`, badAddress ? 'address' : undefined),
          };
        }
        return { kind: 'transient' };
      },
      this.retry,
    );
    return { providerId: res.id };
  }
}
