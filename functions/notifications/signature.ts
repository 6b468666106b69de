/**
 * The signature on every creditor notification (README "Creditor notifications"):
 *
 *   Maatwerk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>
 *
 * `verifySignature` is the receiver's side, the same code the README shows: it recomputes the HMAC over the raw
 * bytes received, compares in constant time and refuses a timestamp older (or newer) than the tolerance, so a
 * captured delivery cannot be replayed later.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Maatwerk-Signature';
export const EVENT_ID_HEADER = 'Maatwerk-Event-Id';
export const ATTEMPT_HEADER = 'Maatwerk-Delivery-Attempt';

export function sign(secret: string, unixSeconds: number, body: string): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/** A new signing secret: 32 random bytes. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function verifySignature(secret: string, header: string | undefined, rawBody: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
