/**
 * The one place handlers read "now". On AWS it is the wall clock; the local runtime swaps in its
 * own clock (real, scaled or virtual) so handlers, the engine and the fake providers agree on time.
 * Domain code never calls this: it receives `now` as an argument.
 *
 * The source lives on globalThis under a registered symbol, not in this module: a Lambda bundle run by the local
 * runtime (test/infra/bundled-handlers.test.ts) carries its own copy of this module and must read the same clock.
 */
const SOURCE = Symbol.for('maatwerk.clock');
type Source = () => number;
const slot = globalThis as { [SOURCE]?: Source };

export function nowMs(): number {
  return (slot[SOURCE] ?? Date.now)();
}

export function now(): Date {
  return new Date(nowMs());
}

/** Local runtime and tests only. */
export function setClockSource(fn: Source): void {
  slot[SOURCE] = fn;
}
