import crypto from 'node:crypto';
import fc from 'fast-check';
import { EventWebhook } from '@sendgrid/eventwebhook';
import { describe, expect, it } from 'vitest';
import { validSendgridSignature } from '../../functions/webhooks/sendgrid-signature.js';
import { signSendgridEvents } from '../../infra/local/fakes/sendgrid.js';

const pair = () => crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const base64Key = (k: crypto.KeyObject) => k.export({ type: 'spki', format: 'der' }).toString('base64');

/** What @sendgrid/eventwebhook answers (its pure-JS ECDSA). */
function library(publicKey: string, body: string, signature: string, timestamp: string): boolean {
  const w = new EventWebhook();
  try {
    return w.verifySignature(w.convertPublicKeyToECDSA(publicKey), body, signature, timestamp);
  } catch {
    return false;
  }
}

describe('SendGrid event webhook signature (node:crypto, the same answers as @sendgrid/eventwebhook)', () => {
  const { privateKey, publicKey } = pair();
  const other = pair();
  const key = base64Key(publicKey);

  it('accepts a signature over timestamp + body; refuses another body, timestamp, key or a malformed signature', () => {
    const body = JSON.stringify([{ event: 'open', email: 'a@example.invalid', sg_event_id: 'x1', timestamp: 1_700_000_000 }]);
    const ts = '1700000000';
    const sig = signSendgridEvents(privateKey, ts, body);
    const cases: Array<[string, string, string, string]> = [
      [key, body, sig, ts],
      [key, body + ' ', sig, ts],
      [key, body, sig, '1700000001'],
      [base64Key(other.publicKey), body, sig, ts],
      [key, body, 'bm90IGEgc2lnbmF0dXJl', ts],
      [key, body, '', ts],
      ['not a key', body, sig, ts],
      [publicKey.export({ type: 'spki', format: 'pem' }).toString(), body, sig, ts],
    ];
    const expected = [true, false, false, false, false, false, false, true];
    cases.forEach((c, i) => {
      expect(validSendgridSignature(...c), `case ${i}`).toBe(expected[i]);
      expect(library(...c), `library, case ${i}`).toBe(expected[i]);
    });
  });

  it('agrees with the library on random bodies, signed by this key or another (property, fixed seed)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), (body, t, mine) => {
        const ts = String(t);
        const sig = signSendgridEvents(mine ? privateKey : other.privateKey, ts, body);
        expect(validSendgridSignature(key, body, sig, ts)).toBe(library(key, body, sig, ts));
        expect(validSendgridSignature(key, body, sig, ts)).toBe(mine);
      }),
      { numRuns: 150, seed: 7 },
    );
  });
});
