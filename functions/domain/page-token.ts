/**
 * The debtor page's link token (`/p/<token>`): one per debtor and message, unguessable, signed, expiring, and
 * opaque — the debtor id inside is encrypted, so the URL carries no internal id and no personal data.
 *
 * Construction (deterministic authenticated encryption, SIV style): from the secret two keys are derived (HKDF-SHA256);
 * tag = HMAC-SHA256(macKey, payload)[0..12]; ciphertext = AES-256-CTR(encKey, iv = tag ‖ 0000, payload);
 * token = base64url(tag ‖ ciphertext). Opening decrypts, recomputes the tag and compares in constant time, so a
 * changed or made-up token is refused without any database read. The same message always gets the same link.
 *
 * Payload (30 bytes for our ids): version 1 · id kind (1: "deb_" + 26 base32 characters — a ULID or a random id of
 * that shape — as 17 bytes, 2: other text) · id ·
 * journey no (u16) · step no (u16) · expiry in hours since the epoch (u32) · scope (0: all claims, n: instalment n) ·
 * creditors (u16 bit mask: the creditors whose claims the message was about, bit i = the i-th creditor of the
 * case in filing order; 0: every creditor). The page shows and acts on those creditors' claims only, as a reply
 * from a number is about the claims that number was given with (case/reply-scope.ts).
 *
 * Pure apart from node:crypto; the secret and the time are passed in.
 */
import crypto from 'node:crypto';

export interface PageTokenPayload {
  debtorId: string;
  journeyNo: number;
  stepNo: number;
  /** epoch ms; kept to the hour (rounded up) */
  expiresAt: number;
  /** 0: the debtor's claims; n ≥ 1: instalment n of the arrangement */
  instalment: number;
  /** bit i: the i-th creditor of the case (filing order) the message was about; 0 (or absent): every creditor */
  creditors?: number;
}

export type OpenedToken = { ok: true; payload: PageTokenPayload } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

const HOUR = 3_600_000;
const TAG = 12;
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const ULID_ID = /^deb_[0-9a-hjkmnp-tv-z]{26}$/;
const ID_BYTES = 17;
/** journey no, step no, expiry, scope, creditors */
const TAIL = 11;

/** The keys derived from a secret, per secret (a derivation per token was a tenth of a message's rendering). */
const derived = new Map<string, Readonly<{ enc: Buffer; mac: Buffer }>>();

function keys(secret: string): Readonly<{ enc: Buffer; mac: Buffer }> {
  if (secret.length < 16) throw new Error('the page token secret must be at least 16 characters');
  let k = derived.get(secret);
  if (!k) {
    const okm = Buffer.from(crypto.hkdfSync('sha256', secret, 'maatwerk-page-token', 'v1', 64));
    k = Object.freeze({ enc: okm.subarray(0, 32), mac: okm.subarray(32) });
    if (derived.size >= 8) derived.clear();
    derived.set(secret, k);
  }
  return k;
}

/** 26 Crockford base32 characters (a ULID, or a random id of that shape: 130 bits) in 17 bytes. */
function ulidBytes(ulid: string): Buffer {
  let n = 0n;
  for (const ch of ulid) n = (n << 5n) | BigInt(CROCKFORD.indexOf(ch));
  const out = Buffer.alloc(ID_BYTES);
  for (let i = ID_BYTES - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

function ulidText(bytes: Buffer): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let s = '';
  for (let i = 0; i < 26; i++) {
    s = CROCKFORD[Number(n & 31n)] + s;
    n >>= 5n;
  }
  return s;
}

function encode(p: PageTokenPayload): Buffer {
  const id = ULID_ID.test(p.debtorId) ? Buffer.concat([Buffer.from([1]), ulidBytes(p.debtorId.slice(4))]) : idText(p.debtorId);
  const tail = Buffer.alloc(TAIL);
  tail.writeUInt16BE(p.journeyNo & 0xffff, 0);
  tail.writeUInt16BE(p.stepNo & 0xffff, 2);
  tail.writeUInt32BE(Math.ceil(p.expiresAt / HOUR), 4);
  tail.writeUInt8(p.instalment & 0xff, 8);
  tail.writeUInt16BE((p.creditors ?? 0) & 0xffff, 9);
  return Buffer.concat([Buffer.from([1]), id, tail]);
}

function idText(id: string): Buffer {
  const b = Buffer.from(id, 'utf8');
  if (b.length > 100) throw new Error('debtor id too long for a page token');
  return Buffer.concat([Buffer.from([2, b.length]), b]);
}

function decode(b: Buffer): PageTokenPayload | undefined {
  if (b.length < 2 || b[0] !== 1) return undefined;
  let at = 2;
  let debtorId: string;
  if (b[1] === 1) {
    if (b.length !== 2 + ID_BYTES + TAIL) return undefined;
    debtorId = `deb_${ulidText(b.subarray(2, 2 + ID_BYTES))}`;
    at = 2 + ID_BYTES;
  } else if (b[1] === 2) {
    const len = b[2];
    if (b.length !== 3 + len + TAIL) return undefined;
    debtorId = b.subarray(3, 3 + len).toString('utf8');
    at = 3 + len;
  } else return undefined;
  return {
    debtorId,
    journeyNo: b.readUInt16BE(at),
    stepNo: b.readUInt16BE(at + 2),
    expiresAt: b.readUInt32BE(at + 4) * HOUR,
    instalment: b.readUInt8(at + 8),
    ...(b.readUInt16BE(at + 9) ? { creditors: b.readUInt16BE(at + 9) } : {}),
  };
}

function crypt(encKey: Buffer, tag: Buffer, data: Buffer): Buffer {
  const iv = Buffer.concat([tag, Buffer.alloc(16 - TAG)]);
  const c = crypto.createCipheriv('aes-256-ctr', encKey, iv);
  return Buffer.concat([c.update(data), c.final()]);
}

/** The token for a payload. */
export function sealPageToken(p: PageTokenPayload, secret: string): string {
  const k = keys(secret);
  const payload = encode(p);
  const tag = crypto.createHmac('sha256', k.mac).update(payload).digest().subarray(0, TAG);
  return Buffer.concat([tag, crypt(k.enc, tag, payload)]).toString('base64url');
}

/** Opens a token: its payload, or why not (a malformed, forged or expired token gives nothing away). */
export function openPageToken(token: string, secret: string, now: number): OpenedToken {
  if (!/^[A-Za-z0-9_-]{30,200}$/.test(token)) return { ok: false, reason: 'malformed' };
  const raw = Buffer.from(token, 'base64url');
  if (raw.length <= TAG || raw.toString('base64url') !== token) return { ok: false, reason: 'malformed' };
  const k = keys(secret);
  const tag = raw.subarray(0, TAG);
  const payload = crypt(k.enc, tag, raw.subarray(TAG));
  const expected = crypto.createHmac('sha256', k.mac).update(payload).digest().subarray(0, TAG);
  if (!crypto.timingSafeEqual(tag, expected)) return { ok: false, reason: 'forged' };
  const p = decode(payload);
  if (!p) return { ok: false, reason: 'malformed' };
  if (p.expiresAt <= now) return { ok: false, reason: 'expired' };
  return { ok: true, payload: p };
}

/** How long a message's link works: PAGE_LINK_DAYS, default 60 days after the message. */
export const DEFAULT_PAGE_LINK_DAYS = 60;

/** The creditor mask for a message about the claims of `clientIds`, given the case's creditors in filing order. */
export function creditorMask(caseCreditors: readonly string[], clientIds: readonly string[]): number {
  let mask = 0;
  for (const id of clientIds) {
    const i = caseCreditors.indexOf(id);
    // A 17th creditor does not fit: such a link shows every creditor's claims of the person (still only their own).
    if (i < 0 || i >= 16) return 0;
    mask |= 1 << i;
  }
  return mask;
}

/** The creditors a token's mask names (every creditor of the case when the mask is 0). */
export function creditorsOfMask(caseCreditors: readonly string[], mask: number | undefined): string[] {
  if (!mask) return [...caseCreditors];
  return caseCreditors.filter((_, i) => i < 16 && (mask & (1 << i)) !== 0);
}
