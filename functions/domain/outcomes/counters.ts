/**
 * Counter writes as data, and their sum over a batch. Pure: no keys are made here (store/learning.ts makes them),
 * no AWS.
 *
 * A change that produces KPI or experiment increments (./kpis.ts) does not ADD them itself: the write that records
 * the change (the case item, or a sent step's timeline entry) carries them, and the stream aggregator
 * (functions/counters/handler.ts) adds a batch of many debtors' changes with one ADD per counter item. This is the
 * summing it does: every write to the same item becomes one write whose numbers are the sum, zeros left out.
 */

/** One counter item's increments: numbers to ADD, and strings to SET (the same for every write of the item). */
export interface CounterWrite {
  PK: string;
  SK: string;
  add: Record<string, number>;
  set?: Record<string, string>;
}

/** The writes of a batch summed per counter item (first-seen order); items whose every number sums to 0 are left out. */
export function sumCounterWrites(writes: Iterable<CounterWrite>): CounterWrite[] {
  const byKey = new Map<string, CounterWrite>();
  for (const w of writes) {
    const k = `${w.PK}\u0000${w.SK}`;
    let acc = byKey.get(k);
    if (!acc) byKey.set(k, (acc = { PK: w.PK, SK: w.SK, add: {} }));
    for (const [a, n] of Object.entries(w.add)) acc.add[a] = (acc.add[a] ?? 0) + n;
    if (w.set) acc.set = { ...acc.set, ...w.set };
  }
  const out: CounterWrite[] = [];
  for (const w of byKey.values()) {
    const add = Object.fromEntries(Object.entries(w.add).filter(([, n]) => n !== 0));
    if (Object.keys(add).length) out.push({ ...w, add });
  }
  return out;
}
