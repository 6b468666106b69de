import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import { nowMs } from './clock.js';

const next = monotonicFactory();

/** Time-ordered unique id (ULID) stamped with the runtime clock, so ids sort with the timeline. */
export function newId(prefix: string): string {
  return `${prefix}_${next(nowMs()).toLowerCase()}`;
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A random id in the same alphabet and length as newId, without its time: a debtor's id must not tell a
 * creditor when the person was first filed (that another creditor had filed them before).
 */
export function opaqueId(prefix: string): string {
  const bytes = randomBytes(26);
  let id = '';
  for (const b of bytes) id += CROCKFORD[b & 31];
  return `${prefix}_${id}`;
}
