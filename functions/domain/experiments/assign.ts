/**
 * Who gets which variant. Pure: the debtor, the experiment and (for a bandit) its current allocation in, a
 * variant name out. The case stores the answer at the first contact under the experiment (the reducer's
 * `step_claimed` event), so a debtor stays in one variant; this function is only asked for debtors not yet
 * assigned.
 *
 *  1. holdout: a hash of (experiment id, debtor id) below `holdout` keeps the debtor out (the strategy as it is);
 *  2. a winner that took over (stopping rule) gets every new debtor;
 *  3. fixed: equal shares by a second, independent hash; thompson: the shares the bandit gives now (probability
 *     matching — each variant's probability of being the best, bandit.ts), never below minShare.
 *
 * Hashes, not randomness: the same debtor and experiment always give the same answer (deterministic simulations,
 * retries that decide again), and the unit is uniform on [0, 1).
 */
import { createHash } from 'node:crypto';
import { type Experiment, HOLDOUT, minShareOf } from './schema.js';

/** A uniform number in [0, 1) from the parts (the first 52 bits of their sha-256). */
export function unitHash(...parts: string[]): number {
  const h = createHash('sha256').update(parts.join('\u0000')).digest();
  // 52 bits: exactly representable, so the unit is uniform and < 1
  return (h.readUIntBE(0, 6) * 16 + (h[6]! >> 4)) / 2 ** 52;
}

/** What a bandit's or a stopping rule's state says for new debtors. */
export interface AllocationState {
  /** per variant name the share of new (non-holdout) debtors; missing: equal shares */
  shares?: Record<string, number>;
  /** a winner that takes over new debtors */
  winner?: string;
}

/** Shares with every variant at least `min`, summing to 1 (missing or non-finite shares count as 0). */
export function withMinShare(names: readonly string[], shares: Record<string, number> | undefined, min: number): Record<string, number> {
  const raw = names.map((n) => {
    const v = shares?.[n];
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
  });
  const total = raw.reduce((s, v) => s + v, 0);
  const base = total > 0 ? raw.map((v) => v / total) : names.map(() => 1 / names.length);
  const floor = Math.min(min, 1 / names.length);
  return Object.fromEntries(names.map((n, i) => [n, floor + (1 - floor * names.length) * base[i]!]));
}

/** The variant for a debtor who has none yet in `x`. */
export function assignVariant(x: Experiment, debtorId: string, state: AllocationState = {}): string {
  if (x.holdout > 0 && unitHash(x.id, debtorId, 'holdout') < x.holdout) return HOLDOUT;
  const names = x.variants.map((v) => v.name);
  if (state.winner && names.includes(state.winner)) return state.winner;
  const shares = x.allocation === 'thompson' ? withMinShare(names, state.shares, minShareOf(x)) : withMinShare(names, undefined, 0);
  const u = unitHash(x.id, debtorId, 'variant');
  let acc = 0;
  for (const n of names) {
    acc += shares[n]!;
    if (u < acc) return n;
  }
  return names[names.length - 1]!;
}
