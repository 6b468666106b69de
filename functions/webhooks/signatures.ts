/**
 * Webhook signatures, checked with node:crypto instead of the providers' SDKs: the Twilio SDK (≈ 3.2 MB bundled)
 * and @sendgrid/eventwebhook (an ECDSA implementation in JavaScript, ≈ 42 KB) are far more than two documented
 * algorithms need. test/unit/webhook-signatures.test.ts checks both against the SDKs' own verifiers on many cases.
 */
import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';

// ---------------------------------------------------------------------------------------------- Twilio

/**
 * Twilio's documented request signature (https://www.twilio.com/docs/usage/security#validating-requests):
 * take the full URL Twilio requested (with its query string), append every POST parameter's name and value,
 * sorted by name (a repeated name: its distinct values sorted), HMAC-SHA1 that with the auth token, base64.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string | string[]>): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    for (const v of Array.isArray(value) ? [...new Set(value)].sort() : [value]) data += name + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/**
 * Is `signature` (the X-Twilio-Signature header) Twilio's signature of this request? Like the SDK's
 * `validateRequest`, the URL is tried as given with and without its default port (Twilio signs whichever form it
 * requested), and then normalised the way the SDK does for back ends that re-encode the query string.
 */
export function isValidTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: Record<string, string | string[]>,
): boolean {
  if (!signature || !authToken) return false;
  const matches = (candidate: string) => safeEqual(signature, twilioSignature(authToken, candidate, params));
  if ([removePort(url), addPort(url)].some(matches)) return true;
  let normalized: string;
  try {
    normalized = new URL(url).toString();
  } catch {
    return false;
  }
  const bare = removePort(normalized);
  const withPort = addPort(normalized);
  return [bare, withPort, legacyQuery(bare), legacyQuery(withPort)].some(matches);
}

interface UrlParts {
  scheme: string;
  userInfo: string;
  host: string;
  port: string;
  rest: string;
}

/** Splits a URL without normalising it, so path and query keep the exact characters Twilio signed. */
function splitUrl(url: string): UrlParts | undefined {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!m) return undefined;
  const [prefix, scheme, authority] = m;
  const at = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(at + 1);
  // a colon starts the port only after the closing bracket of an IPv6 literal
  const colon = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userInfo: authority.slice(0, at + 1),
    host: colon === -1 ? hostAndPort : hostAndPort.slice(0, colon),
    port: colon === -1 ? '' : hostAndPort.slice(colon),
    rest: url.slice(prefix.length),
  };
}

function addPort(url: string): string {
  const p = splitUrl(url);
  if (!p || p.port) return url;
  return p.scheme + p.userInfo + p.host + (p.scheme.toLowerCase() === 'https://' ? ':443' : ':80') + p.rest;
}

function removePort(url: string): string {
  const p = splitUrl(url);
  return p ? p.scheme + p.userInfo + p.host + p.rest : url;
}

/** The query string re-encoded as Node's legacy `querystring` does (e.g. `'` as `%27`). */
function legacyQuery(url: string): string {
  const q = url.indexOf('?');
  if (q === -1 || q === url.length - 1) return url;
  return `${url.slice(0, q)}?${stringifyQuery(parseQuery(url.slice(q + 1)))}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// -------------------------------------------------------------------------------------------- SendGrid

const keyCache = new Map<string, KeyObject>();

/**
 * The verification key from SendGrid's Mail Settings: base64 DER (SubjectPublicKeyInfo), as SendGrid shows it,
 * or the same in PEM. Only P-256 keys are accepted (what SendGrid issues).
 */
export function sendgridPublicKey(key: string): KeyObject {
  const cached = keyCache.get(key);
  if (cached) return cached;
  const k = key.includes('-----BEGIN')
    ? createPublicKey(key)
    : createPublicKey({ key: Buffer.from(key.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
  if (k.asymmetricKeyType !== 'ec' || k.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('the SendGrid webhook key is not an ECDSA P-256 public key');
  }
  keyCache.set(key, k);
  return k;
}

/**
 * SendGrid's signed event webhook (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features):
 * ECDSA P-256 with SHA-256 over the timestamp header followed by the raw body, the signature base64 DER. Verify
 * the raw bytes as received, never re-serialised JSON.
 */
export function isValidSendgridSignature(
  publicKey: string | KeyObject,
  rawBody: string | Buffer,
  signature: string | undefined,
  timestamp: string | undefined,
): boolean {
  if (!signature || !timestamp) return false;
  try {
    const key = typeof publicKey === 'string' ? sendgridPublicKey(publicKey) : publicKey;
    const body = Buffer.isBuffer(rawBody) ? rawBody.toString('utf8') : rawBody;
    return verify('sha256', Buffer.from(timestamp + body, 'utf8'), { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
