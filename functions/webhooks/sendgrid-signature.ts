/**
 * SendGrid's signed event webhook: ECDSA P-256 with SHA-256 over `timestamp + body`, the signature DER in base64,
 * the verification key as SendGrid shows it (base64 DER SubjectPublicKeyInfo, or PEM). The same check as
 * @sendgrid/eventwebhook's `verifySignature`, done by node:crypto (OpenSSL) instead of that library's pure-JS
 * big-integer arithmetic (≈ 1 ms per request); test/unit/sendgrid-signature.test.ts holds the two equal.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

const keys = new Map<string, KeyObject>();

function keyObject(publicKey: string): KeyObject {
  let k = keys.get(publicKey);
  if (!k) {
    k = publicKey.includes('-----BEGIN')
      ? createPublicKey(publicKey)
      : createPublicKey({ key: Buffer.from(publicKey.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
    if (k.asymmetricKeyType !== 'ec') throw new Error('the SendGrid verification key is not an EC key');
    if (keys.size > 16) keys.clear();
    keys.set(publicKey, k);
  }
  return k;
}

/** Whether `signature` signs `timestamp + body` with the key; false for anything malformed. */
export function validSendgridSignature(publicKey: string, body: string, signature: string, timestamp: string): boolean {
  try {
    return verify('sha256', Buffer.from(timestamp + body, 'utf8'), { key: keyObject(publicKey), dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
