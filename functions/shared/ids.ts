import { monotonicFactory, type PRNG } from 'ulid';
import { nowMs } from './clock.js';

let next = monotonicFactory();

/** Time-ordered unique id (ULID) stamped with the runtime clock, so ids sort with the timeline. */
export function newId(prefix: string): string {
  return `${prefix}_${next(nowMs()).toLowerCase()}`;
}

/**
 * The simulator only: ids from a seeded generator (the ULID's random part), so a run is the same for its seed —
 * experiment assignment hashes the debtor id. Without an argument: back to crypto randomness.
 */
export function seedIds(prng?: PRNG): void {
  next = monotonicFactory(prng);
}
