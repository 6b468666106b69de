/**
 * The webhook signature checks (functions/webhooks/signatures.ts) use node:crypto, not the providers' SDKs. They
 * must agree with the SDKs' own verifiers — twilio.validateRequest and @sendgrid/eventwebhook — on every request:
 * here hundreds of generated ones (a seeded generator, so a failure reproduces), genuine, tampered and malformed.
 */
import crypto from 'node:crypto';
import { EventWebhook } from '@sendgrid/eventwebhook';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { isValidSendgridSignature, isValidTwilioSignature, sendgridPublicKey, twilioSignature } from '../../functions/webhooks/signatures.js';

/** mulberry32: small, seeded, good enough to pick test inputs */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}

const CHARS = ['a', 'Z', '0', ' ', '+', '%', '&', '=', "'", '"', '~', '*', '!', '(', ')', '/', '?', '#', 'é', 'ü', '€', '😀', '\n', ',', ';', ':', '@', '$'];

function text(r: ReturnType<typeof rng>, max = 12): string {
  let s = '';
  for (let i = r.int(max + 1); i > 0; i--) s += r.pick(CHARS);
  return s;
}

interface TwilioCase {
  token: string;
  url: string;
  params: Record<string, string | string[]>;
}

function twilioCase(r: ReturnType<typeof rng>): TwilioCase {
  const scheme = r.pick(['https', 'http']);
  const host = r.pick(['abc123.execute-api.eu-west-1.amazonaws.com', 'api.example.invalid', '127.0.0.1', '[::1]']);
  const port = r.pick(['', '', ':443', ':80', ':3000']);
  const path = r.pick(['/prod/webhooks/twilio/inbound', '/webhooks/twilio/status', "/p/it's", '/a%20b/c']);
  const queries = ['', '?c=deb_01hx&j=1&s=3', "?name=o'brien&x=1", '?a=%27quoted%27&b=c+d', '?empty=&flag', '?utf=%E2%82%AC'];
  const query = r.pick(queries);
  const params: Record<string, string | string[]> = {};
  const names = ['Body', 'From', 'To', 'MessageSid', 'AccountSid', 'NumMedia', 'MessageStatus', 'ErrorCode', 'SmsSid', 'b', 'B', 'a_b'];
  for (let i = r.int(7); i > 0; i--) {
    const name = r.pick(names);
    params[name] = r.next() < 0.15 ? [text(r), text(r), text(r, 2)] : text(r);
  }
  return { token: r.pick(['local-twilio-auth-token', crypto.randomBytes(16).toString('hex'), 'tøken']), url: `${scheme}://${host}${port}${path}${query}`, params };
}

/** The URL forms Twilio may have signed for a request the server sees as `url`. */
function signedForms(url: string): string[] {
  const u = new URL(url);
  const withDefaultPort = url.replace(/^(\w+:\/\/[^/?#:]+|\w+:\/\/\[[^\]]+\])(?=[/?#]|$)/, (m) => `${m}${u.protocol === 'https:' ? ':443' : ':80'}`);
  const withoutPort = url.replace(/^(\w+:\/\/(?:\[[^\]]+\]|[^/?#:]+)):\d+/, '$1');
  return [url, withDefaultPort, withoutPort, u.toString()];
}

describe('Twilio request signature', () => {
  it('computes the same signature as the SDK (500 generated requests)', () => {
    const r = rng(12);
    for (let i = 0; i < 500; i++) {
      const c = twilioCase(r);
      expect(twilioSignature(c.token, c.url, c.params), JSON.stringify(c)).toBe(twilio.getExpectedTwilioSignature(c.token, c.url, c.params));
    }
  });

  it('accepts and refuses exactly what twilio.validateRequest does (genuine, other URL forms, tampered, malformed)', () => {
    const r = rng(7);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      const c = twilioCase(r);
      const signedUrl = r.pick(signedForms(c.url));
      const genuine = twilio.getExpectedTwilioSignature(c.token, signedUrl, c.params);
      const otherParams = { ...c.params, Body: `${String(c.params.Body ?? '')}x` };
      const candidates: Array<[string, string | undefined, Record<string, string | string[]>, string]> = [
        ['genuine', genuine, c.params, c.token],
        ['tampered parameter', genuine, otherParams, c.token],
        ['other token', genuine, c.params, `${c.token}!`],
        ['truncated', genuine.slice(0, -2), c.params, c.token],
        ['flipped', genuine.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A')), c.params, c.token],
        ['empty', '', c.params, c.token],
        ['missing', undefined, c.params, c.token],
      ];
      for (const [what, sig, params, token] of candidates) {
        const sdk = twilio.validateRequest(token, sig ?? '', c.url, params);
        expect(isValidTwilioSignature(token, sig, c.url, params), `${what}: ${JSON.stringify({ ...c, signedUrl })}`).toBe(sdk);
        if (sdk) accepted++;
        else refused++;
      }
    }
    // the generated cases exercise both answers, genuinely signed ones are accepted in every URL form
    expect(accepted).toBeGreaterThanOrEqual(400);
    expect(refused).toBeGreaterThan(2000);
  });

  it('checks the documented example (Twilio security docs)', () => {
    // https://www.twilio.com/docs/usage/security#test-the-validity-of-your-webhook-signature
    const url = 'https://example.com/myapp.php?foo=1&bar=2';
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
    expect(twilioSignature('12345', url, params)).toBe(twilio.getExpectedTwilioSignature('12345', url, params));
    expect(isValidTwilioSignature('12345', twilio.getExpectedTwilioSignature('12345', url, params), url, params)).toBe(true);
    expect(isValidTwilioSignature('', twilio.getExpectedTwilioSignature('', url, params), url, params)).toBe(false);
  });
});

describe('SendGrid signed event webhook', () => {
  const keys = Array.from({ length: 3 }, () => crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }));
  const b64 = (k: crypto.KeyObject) => k.export({ type: 'spki', format: 'der' }).toString('base64');
  const pem = (k: crypto.KeyObject) => k.export({ type: 'spki', format: 'pem' }).toString();
  const verifier = new EventWebhook();
  const sdk = (key: string, body: string, sig: string | undefined, ts: string | undefined): boolean => {
    try {
      return !!sig && !!ts && verifier.verifySignature(verifier.convertPublicKeyToECDSA(key), body, sig, ts);
    } catch {
      return false;
    }
  };
  /** the same signature with s replaced by n − s: also valid ECDSA; both verifiers must agree on it */
  const highS = (derSig: Buffer): string => {
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    const rLen = derSig[3];
    const r = derSig.subarray(4, 4 + rLen);
    const sLen = derSig[5 + rLen];
    const s = BigInt(`0x${derSig.subarray(6 + rLen, 6 + rLen + sLen).toString('hex')}`);
    let hex = (n - s).toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    let sBytes = Buffer.from(hex, 'hex');
    if (sBytes[0] & 0x80) sBytes = Buffer.concat([Buffer.from([0]), sBytes]);
    const body = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, sBytes.length]), sBytes]);
    return Buffer.concat([Buffer.from([0x30, body.length]), body]).toString('base64');
  };

  it('accepts and refuses exactly what @sendgrid/eventwebhook does (150 generated deliveries)', () => {
    const r = rng(99);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 150; i++) {
      const pair = r.pick(keys);
      const other = keys.find((k) => k !== pair)!;
      const key = r.next() < 0.5 ? b64(pair.publicKey) : pem(pair.publicKey);
      const events = Array.from({ length: r.int(4) + 1 }, () => ({ event: r.pick(['delivered', 'open', 'bounce']), caseId: text(r), sg_event_id: text(r), timestamp: r.int(2e9) }));
      const body = r.next() < 0.2 ? `${JSON.stringify(events, null, 2)}\r\n` : JSON.stringify(events);
      const ts = String(1_700_000_000 + r.int(1e8));
      const der = crypto.sign('sha256', Buffer.from(ts + body, 'utf8'), { key: pair.privateKey, dsaEncoding: 'der' });
      const p1363 = crypto.sign('sha256', Buffer.from(ts + body, 'utf8'), { key: pair.privateKey, dsaEncoding: 'ieee-p1363' });
      const genuine = der.toString('base64');
      const candidates: Array<[string, string, string, string | undefined, string | undefined]> = [
        ['genuine', key, body, genuine, ts],
        ['high-s form of the genuine signature', key, body, highS(der), ts],
        ['body changed', key, body.replace(/.$/, ' '), genuine, ts],
        ['body re-serialised', key, JSON.stringify(JSON.parse(body)), genuine, ts],
        ['timestamp changed', key, body, genuine, String(Number(ts) + 1)],
        ['another key', b64(other.publicKey), body, genuine, ts],
        ['raw r|s encoding', key, body, p1363.toString('base64'), ts],
        ['garbage', key, body, 'bm90IGEgc2lnbmF0dXJl', ts],
        ['missing signature', key, body, undefined, ts],
        ['missing timestamp', key, body, genuine, undefined],
      ];
      for (const [what, k, b, sig, t] of candidates) {
        const expected = sdk(k, b, sig, t);
        expect(isValidSendgridSignature(k, b, sig, t), `${what} (case ${i})`).toBe(expected);
        expect(isValidSendgridSignature(k, Buffer.from(b, 'utf8'), sig, t), `${what} as bytes (case ${i})`).toBe(expected);
        if (expected) accepted++;
        else refused++;
      }
    }
    expect(accepted).toBeGreaterThanOrEqual(150);
    expect(refused).toBeGreaterThan(750);
  });

  it('refuses a key that is not ECDSA P-256, and a key that is not a key', () => {
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(() => sendgridPublicKey(b64(rsa))).toThrow(/P-256/);
    const k1 = crypto.generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expect(() => sendgridPublicKey(b64(k1.publicKey))).toThrow(/P-256/);
    const sig = crypto.sign('sha256', Buffer.from('1[]'), { key: k1.privateKey, dsaEncoding: 'der' }).toString('base64');
    expect(isValidSendgridSignature(b64(k1.publicKey), '[]', sig, '1')).toBe(false);
    expect(isValidSendgridSignature('not a key', '[]', sig, '1')).toBe(false);
  });
});
