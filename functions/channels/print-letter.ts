import type { PrintConfig } from '../shared/config.js';
import { type ChannelAdapter, type OutgoingMessage, PermanentSendError, withRetries } from './port.js';

class HttpStatusError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * Letters: the rendered PDF goes to a print-and-post service over HTTP
 * (POST {url}/v1/letters {pdfBase64, address, reference, text} → 201 {id}).
 */
export class PrintLetter implements ChannelAdapter {
  constructor(private readonly cfg: PrintConfig) {}

  async send(msg: OutgoingMessage) {
    const pdf = msg.rendered.pdf;
    if (!pdf) throw new PermanentSendError('letter has no PDF');
    if (!msg.address) throw new PermanentSendError('debtor has no postal address', 'address');
    const body = JSON.stringify({
      pdfBase64: pdf.toString('base64'),
      address: { name: msg.name, ...msg.address },
      reference: `${msg.correlation.caseId}/${msg.correlation.journeyNo}/${msg.correlation.stepNo}`,
      text: msg.rendered.text,
    });
    const res = await withRetries(
      async () => {
        const r = await fetch(`${this.cfg.url.replace(/\/$/, '')}/v1/letters`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.cfg.apiKey}` },
          body,
          signal: AbortSignal.timeout(15_000),
        });
        if (!r.ok) throw new HttpStatusError(r.status, `print service answered ${r.status}`);
        return (await r.json()) as { id: string };
      },
      (err) => {
        const status = (err as HttpStatusError).status;
        if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
          return { kind: 'permanent', error: new PermanentSendError(`print service refused the letter (${status})`) };
        }
        return { kind: 'transient' };
      },
    );
    return { providerId: res.id };
  }
}
