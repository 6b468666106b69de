import { monotonicFactory } from 'ulid';
import { nowMs } from './clock.js';

const next = monotonicFactory();

/** Time-ordered unique id (ULID) stamped with the runtime clock, so ids sort with the timeline. */
export function newId(prefix: string): string {
  return `${prefix}_${next(nowMs()).toLowerCase()}`;
}
