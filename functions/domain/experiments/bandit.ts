/**
 * The bandit's posterior of each variant and the probability that each is the best, by seeded Monte Carlo (the
 * Thompson allocation's shares, ./allocation.ts, and the results' probabilityBest, ./results.ts). Pure.
 *
 * Delayed reward: the bandit cannot wait for a debtor's window to pass, so its posterior counts every success and
 * each not-yet-successful debtor as a failure weighted min(1, age / window) — a young debtor is only a small part of
 * a failure (a common heuristic for delayed feedback).
 *
 * Why the samplers are written out here and not taken from jstat (which the results maths' intervals still use,
 * ./stats.ts): jstat is one 52 KB CommonJS file that no bundler can take apart, and every function that decides
 * (Decide and every journey step) computes these shares. The samplers are jstat 1.9.6's own algorithms, line for
 * line (`randn`: Leva's ratio-of-uniforms normal; `randg`: Marsaglia and Tsang's gamma, with the u^(1/a) boost
 * below shape 1; a beta as X/(X+Y) of two gammas; jstat: Copyright (c) 2013 jStat, MIT licence), drawing from the
 * same seeded uniforms in the same order, so they give exactly the draws, and the shares, jstat gave
 * (test/unit/experiment-sampling.test.ts compares them).
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { ArmDay } from './counts.js';
import { DAY_MS, METRIC_SPECS, type Metric } from './metrics.js';

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

/** A seeded uniform generator on [0, 1) (the draws are then reproducible). */
export function seededUniform(seed: number): () => number {
  const g = xoroshiro128plus(seed | 0);
  return () => uniformFloat64(g);
}

/** A standard normal deviate (Leva's ratio-of-uniforms method; jstat's `randn`). */
export function normalDeviate(random: () => number): number {
  let u: number;
  let v: number;
  let x: number;
  let y: number;
  let q: number;
  do {
    u = random();
    v = 1.7156 * (random() - 0.5);
    x = u - 0.449871;
    y = Math.abs(v) + 0.386595;
    q = x * x + y * (0.196 * y - 0.25472 * x);
  } while (q > 0.27597 && (q > 0.27846 || v * v > -4 * Math.log(u) * u * u));
  return v / u;
}

/** A Gamma(shape, 1) deviate (Marsaglia and Tsang's method; jstat's `randg`). */
export function gammaDeviate(shape: number, random: () => number): number {
  const oalph = shape;
  if (!shape) shape = 1;
  if (shape < 1) shape += 1;
  const a1 = shape - 1 / 3;
  const a2 = 1 / Math.sqrt(9 * a1);
  let u: number;
  let v: number;
  let x: number;
  do {
    do {
      x = normalDeviate(random);
      v = 1 + a2 * x;
    } while (v <= 0);
    v = v * v * v;
    u = random();
  } while (u > 1 - 0.331 * Math.pow(x, 4) && Math.log(u) > 0.5 * x * x + a1 * (1 - v + Math.log(v)));
  // shape ≥ 1
  if (shape == oalph) return a1 * v;
  // shape < 1: Gamma(shape + 1) · U^(1/shape)
  do {
    u = random();
  } while (u === 0);
  return Math.pow(u, 1 / oalph) * a1 * v;
}

/** A Beta(a, b) deviate: X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b) (jstat's `beta.sample`). */
export function betaDeviate(a: number, b: number, random: () => number): number {
  const u = gammaDeviate(a, random);
  return u / (u + gammaDeviate(b, random));
}

/** For each variant the probability that its metric is the highest, by `draws` seeded Monte Carlo draws. */
export function probabilityBest(posteriors: Readonly<Record<string, Posterior>>, draws = 4000, seed = 1): Record<string, number> {
  const names = Object.keys(posteriors);
  const wins = Object.fromEntries(names.map((n) => [n, 0])) as Record<string, number>;
  if (names.length === 0) return wins;
  const random = seededUniform(seed);
  for (let i = 0; i < draws; i++) {
    let best = names[0]!;
    let top = -Infinity;
    for (const n of names) {
      const p = posteriors[n]!;
      const x = p.kind === 'beta' ? betaDeviate(p.a, p.b, random) : normalDeviate(random) * p.b + p.a;
      if (x > top) {
        top = x;
        best = n;
      }
    }
    wins[best]!++;
  }
  return Object.fromEntries(names.map((n) => [n, wins[n]! / draws]));
}
