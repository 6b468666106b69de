/**
 * The results maths: per variant the metric with a 95% interval, the difference to the control with a p-value,
 * and for a bandit the posterior probability of being the best. Distributions from jstat (normal, Student t, beta);
 * the formulas are the textbook ones, tested against hand-computed cases (test/unit/experiment-stats.test.ts):
 *
 *  - a rate (binary metric): Wilson score interval; difference to the control with the unpooled standard error;
 *    p-value of the two-proportion z-test (pooled), two-sided;
 *  - a mean (cents per debtor): mean ± t(0.975, n−1)·s/√n; difference with Welch's t-test (Welch–Satterthwaite df);
 *  - probability of being best: Monte Carlo over the posteriors (Beta(1+s, 1+f) for a rate, a normal for a mean)
 *    with a seeded generator, so the same data give the same answer.
 *
 * Delayed reward: a debtor exposed `age` days ago whose window (30 days for paid_within_30d) has not passed yet
 * may still succeed. For the verdict only matured debtors count (exposed at least a window ago). The bandit cannot
 * wait that long, so its posterior counts every success and each not-yet-successful debtor as a failure weighted
 * min(1, age / window) — a young debtor is only a small part of a failure (a common heuristic for delayed feedback).
 */
import jStat from 'jstat';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { DAY_MS, METRIC_SPECS, type Metric } from './metrics.js';

/** The counters of one variant (all exposure days added up, or one day's). */
export interface ArmCounts {
  n: number;
  /** successes of the binary metric; payers for the cents metric */
  s: number;
  /** cents metric: sum and sum of squares per debtor */
  sum: number;
  sq: number;
}

const Z975 = 1.959963984540054;

export interface Estimate {
  value: number;
  low: number;
  high: number;
}

/** Wilson score interval for s successes out of n (95%). */
export function wilson(s: number, n: number, z = Z975): Estimate {
  if (n === 0) return { value: 0, low: 0, high: 1 };
  const p = s / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Mean with a t interval (95%). */
export function meanInterval(a: ArmCounts): Estimate & { sd: number } {
  if (a.n === 0) return { value: 0, low: 0, high: 0, sd: 0 };
  const mean = a.sum / a.n;
  const variance = a.n > 1 ? Math.max(0, (a.sq - a.n * mean * mean) / (a.n - 1)) : 0;
  const sd = Math.sqrt(variance);
  if (a.n < 2) return { value: mean, low: mean, high: mean, sd };
  const t = jStat.studentt.inv(0.975, a.n - 1);
  const half = (t * sd) / Math.sqrt(a.n);
  return { value: mean, low: mean - half, high: mean + half, sd };
}

export interface Difference {
  /** variant − control */
  value: number;
  low: number;
  high: number;
  pValue: number;
}

/** Two proportions: difference with a 95% interval (unpooled SE) and the pooled z-test's two-sided p-value. */
export function proportionDifference(v: { s: number; n: number }, c: { s: number; n: number }): Difference {
  if (v.n === 0 || c.n === 0) return { value: 0, low: -1, high: 1, pValue: 1 };
  const pv = v.s / v.n;
  const pc = c.s / c.n;
  const diff = pv - pc;
  const se = Math.sqrt((pv * (1 - pv)) / v.n + (pc * (1 - pc)) / c.n);
  const pooled = (v.s + c.s) / (v.n + c.n);
  const se0 = Math.sqrt(pooled * (1 - pooled) * (1 / v.n + 1 / c.n));
  const pValue = se0 === 0 ? (diff === 0 ? 1 : 0) : 2 * (1 - jStat.normal.cdf(Math.abs(diff) / se0, 0, 1));
  return { value: diff, low: diff - Z975 * se, high: diff + Z975 * se, pValue: Math.min(1, Math.max(0, pValue)) };
}

/** Two means: Welch's t-test (two-sided) and a 95% interval for the difference. */
export function meanDifference(v: ArmCounts, c: ArmCounts): Difference {
  const a = meanInterval(v);
  const b = meanInterval(c);
  const diff = a.value - b.value;
  if (v.n < 2 || c.n < 2) return { value: diff, low: -Infinity, high: Infinity, pValue: 1 };
  const va = (a.sd * a.sd) / v.n;
  const vb = (b.sd * b.sd) / c.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { value: diff, low: diff, high: diff, pValue: diff === 0 ? 1 : 0 };
  const df = (va + vb) ** 2 / ((va * va) / (v.n - 1) + (vb * vb) / (c.n - 1));
  const t = diff / se;
  const pValue = 2 * (1 - jStat.studentt.cdf(Math.abs(t), df));
  const q = jStat.studentt.inv(0.975, df);
  return { value: diff, low: diff - q * se, high: diff + q * se, pValue: Math.min(1, Math.max(0, pValue)) };
}

/** One exposure day of one variant, as the bandit's posterior reads it. */
export interface ArmDay extends ArmCounts {
  day: string;
}

/** The counts of debtors whose window has passed by `now` (exposed at least windowDays before it). */
export function matured(days: readonly ArmDay[], metric: Metric, now: Date): ArmCounts {
  const cut = now.getTime() - METRIC_SPECS[metric].windowDays * DAY_MS;
  return sum(days.filter((d) => Date.parse(`${d.day}T23:59:59Z`) <= cut));
}

export function sum(days: readonly ArmCounts[]): ArmCounts {
  return days.reduce((a, d) => ({ n: a.n + d.n, s: a.s + d.s, sum: a.sum + d.sum, sq: a.sq + d.sq }), { n: 0, s: 0, sum: 0, sq: 0 });
}

/** The bandit's effective counts: successes in full, the others as failures weighted by how much of the window passed. */
export function effective(days: readonly ArmDay[], metric: Metric, now: Date): { s: number; nEff: number; sum: number; sq: number } {
  const window = METRIC_SPECS[metric].windowDays;
  let s = 0;
  let nEff = 0;
  let total = 0;
  let sq = 0;
  for (const d of days) {
    const age = (now.getTime() - Date.parse(`${d.day}T12:00:00Z`)) / DAY_MS;
    const w = Math.max(0, Math.min(1, age / window));
    s += d.s;
    nEff += d.s + w * Math.max(0, d.n - d.s);
    total += d.sum;
    sq += d.sq;
  }
  return { s, nEff, sum: total, sq };
}

export interface Posterior {
  kind: 'beta' | 'normal';
  a: number;
  b: number;
}

/** The posterior of a variant's metric from its effective counts (a flat prior; a wide one for means). */
export function posterior(days: readonly ArmDay[], metric: Metric, now: Date, prior?: { mean: number; sd: number }): Posterior {
  const e = effective(days, metric, now);
  if (METRIC_SPECS[metric].kind === 'binary') return { kind: 'beta', a: 1 + e.s, b: 1 + Math.max(0, e.nEff - e.s) };
  if (e.nEff < 2) return { kind: 'normal', a: prior?.mean ?? 0, b: prior?.sd ?? 1e6 };
  const mean = e.sum / e.nEff;
  const variance = Math.max(1, e.sq / e.nEff - mean * mean);
  return { kind: 'normal', a: mean, b: Math.sqrt(variance / e.nEff) };
}

/** A seeded uniform generator for jstat's samplers (the draws are then reproducible). */
function seeded(seed: number): () => number {
  const g = xoroshiro128plus(seed | 0);
  return () => uniformFloat64(g);
}

/** For each variant the probability that its metric is the highest, by `draws` seeded Monte Carlo draws. */
export function probabilityBest(posteriors: Readonly<Record<string, Posterior>>, draws = 4000, seed = 1): Record<string, number> {
  const names = Object.keys(posteriors);
  const wins = Object.fromEntries(names.map((n) => [n, 0])) as Record<string, number>;
  if (names.length === 0) return wins;
  jStat.setRandom(seeded(seed));
  try {
    for (let i = 0; i < draws; i++) {
      let best = names[0]!;
      let top = -Infinity;
      for (const n of names) {
        const p = posteriors[n]!;
        const x = p.kind === 'beta' ? jStat.beta.sample(p.a, p.b) : jStat.normal.sample(p.a, p.b);
        if (x > top) {
          top = x;
          best = n;
        }
      }
      wins[best]!++;
    }
  } finally {
    jStat.setRandom(Math.random);
  }
  return Object.fromEntries(names.map((n) => [n, wins[n]! / draws]));
}
