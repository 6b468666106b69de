import { randomBytes } from 'node:crypto';
import { monotonicFactory, type PRNG } from 'ulid';
import { nowMs } from './clock.js';

let next = monotonicFactory();
/** The simulator's seeded generator for opaque ids (undefined: crypto randomness). */
let seeded: PRNG | undefined;

/** Time-ordered unique id (ULID) stamped with the runtime clock, so ids sort with the timeline. */
export function newId(prefix: string): string {
  return `${prefix}_${next(nowMs()).toLowerCase()}`;
}

/**
 * The simulator only: ids from a seeded generator (the ULID's random part and the opaque ids), so a run is the
 * same for its seed — experiment assignment hashes the debtor id. Without an argument: back to crypto randomness.
 */
export function seedIds(prng?: PRNG): void {
  next = monotonicFactory(prng);
  seeded = prng;
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A random id in the same alphabet and length as newId, without its time: a debtor's id must not tell a
 * creditor when the person was first filed (that another creditor had filed them before).
 */
export function opaqueId(prefix: string): string {
  let id = '';
  if (seeded) {
    for (let i = 0; i < 26; i++) id += CROCKFORD[Math.floor(seeded() * 32) & 31];
  } else {
    for (const b of randomBytes(26)) id += CROCKFORD[b & 31];
  }
  return `${prefix}_${id}`;
}
