/**
 * The one place handlers read "now". On AWS it is the wall clock; the local runtime swaps in its
 * own clock (real, scaled or virtual) so handlers, the engine and the fake providers agree on time.
 * Domain code never calls this: it receives `now` as an argument.
 */
let source: () => number = () => Date.now();

export function nowMs(): number {
  return source();
}

export function now(): Date {
  return new Date(source());
}

/** Local runtime and tests only. */
export function setClockSource(fn: () => number): void {
  source = fn;
}
