/**
 * The decisions' experiment maths without jstat (domain/experiments/bandit.ts, significance.ts) against jstat, which
 * it replaced there: the samplers and the distribution functions are jstat's algorithms drawing from the same seeded
 * uniforms, so the draws, the probabilities of being best (the Thompson shares) and the p-values (a stopping rule's
 * verdict) must be exactly jstat's — tolerance 0, not a Monte Carlo tolerance. Independently of jstat, the
 * probability of being best is checked against its closed form for Beta posteriors, within Monte Carlo error.
 */
import jStat from 'jstat';
import { describe, expect, it } from 'vitest';
import { betaDeviate, gammaDeviate, normalDeviate, type Posterior, probabilityBest, seededUniform } from '../../functions/domain/experiments/bandit.js';
import { erf, normalCdf, proportionDifference, studentTCdf, welchTest } from '../../functions/domain/experiments/significance.js';

/** What domain/experiments/stats.ts did before the split: jstat's samplers over the same seeded uniforms. */
function jstatProbabilityBest(posteriors: Readonly<Record<string, Posterior>>, draws: number, seed: number): Record<string, number> {
  const names = Object.keys(posteriors);
  const wins = Object.fromEntries(names.map((n) => [n, 0])) as Record<string, number>;
  jStat.setRandom(seededUniform(seed));
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

const beta = (a: number, b: number): Posterior => ({ kind: 'beta', a, b });
const normal = (mean: number, sd: number): Posterior => ({ kind: 'normal', a: mean, b: sd });

/** Hand-picked posteriors: flat, few debtors, many, close, far apart, weighted (non-integer) failures, three arms, means. */
const CASES: Array<{ name: string; posteriors: Record<string, Posterior> }> = [
  { name: 'two flat priors', posteriors: { a: beta(1, 1), b: beta(1, 1) } },
  { name: 'few debtors', posteriors: { control: beta(3, 9), firm: beta(4, 8) } },
  { name: 'many debtors, close', posteriors: { control: beta(201, 801), firm: beta(221, 781) } },
  { name: 'far apart', posteriors: { control: beta(11, 91), firm: beta(51, 51) } },
  { name: 'young debtors as weighted failures', posteriors: { control: beta(5, 6.8), positive: beta(7, 4.25), negative: beta(2, 9.5) } },
  { name: 'recovered cents (normal posteriors)', posteriors: { control: normal(1200, 90), a: normal(1250, 120), b: normal(0, 1e6) } },
];

describe('probability of being best: exactly what jstat gave', () => {
  for (const { name, posteriors } of CASES) {
    it(name, () => {
      for (const [draws, seed] of [[4000, 1], [1000, 1_234_567_891], [1000, -7]] as const) {
        expect(probabilityBest(posteriors, draws, seed)).toEqual(jstatProbabilityBest(posteriors, draws, seed));
      }
    });
  }

  it('every single draw: normal, gamma (shape below and above 1) and beta deviates', () => {
    for (const shape of [0.3, 0.5, 1, 1.7, 5, 250.5]) {
      const ours = seededUniform(42);
      jStat.setRandom(seededUniform(42));
      try {
        for (let i = 0; i < 500; i++) expect(gammaDeviate(shape, ours)).toBe(jStat.randg(shape));
        for (let i = 0; i < 500; i++) expect(normalDeviate(ours)).toBe(jStat.randn());
        for (let i = 0; i < 500; i++) expect(betaDeviate(shape, 3.25, ours)).toBe(jStat.beta.sample(shape, 3.25));
      } finally {
        jStat.setRandom(Math.random);
      }
    }
  });
});

/** P(X > Y) for X ~ Beta(a1, b1), Y ~ Beta(a2, b2), a2 an integer (Evan Miller's closed form). */
function betaBeats(a1: number, b1: number, a2: number, b2: number): number {
  const lbeta = (a: number, b: number) => jStat.gammaln(a) + jStat.gammaln(b) - jStat.gammaln(a + b);
  let p = 0;
  for (let i = 0; i < a2; i++) p += Math.exp(lbeta(a1 + i, b1 + b2) - Math.log(b2 + i) - lbeta(1 + i, b2) - lbeta(a1, b1));
  return 1 - p;
}

describe('probability of being best: the right number, within Monte Carlo error', () => {
  // 40,000 draws: the standard error of a share is √(p(1−p)/40000) ≤ 0.0025; 4 standard errors (0.01) leave a
  // correct sampler failing one case in ~16,000 — and being seeded, the test gives the same answer every run.
  const draws = 40_000;
  for (const [a1, b1, a2, b2] of [[4, 8, 3, 9], [221, 781, 201, 801], [51, 51, 11, 91], [2, 2, 1, 1], [30, 70, 35, 65]] as const) {
    it(`Beta(${a1}, ${b1}) against Beta(${a2}, ${b2})`, () => {
      const exact = betaBeats(a1, b1, a2, b2);
      const p = probabilityBest({ x: beta(a1, b1), y: beta(a2, b2) }, draws, 11);
      expect(Math.abs(p.x! - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / draws) + 1e-9);
    });
  }
});

describe('the p-values of the stopping rules: exactly jstat', () => {
  it('erf, the normal and Student t distribution functions', () => {
    for (let x = -8; x <= 8; x += 0.037) {
      expect(erf(x)).toBe(jStat.erf(x));
      expect(normalCdf(x, 0, 1)).toBe(jStat.normal.cdf(x, 0, 1));
      expect(normalCdf(x, 0.3, 2.5)).toBe(jStat.normal.cdf(x, 0.3, 2.5));
      for (const dof of [1, 2.5, 7, 18, 63.4, 1000, 1e6]) expect(studentTCdf(x, dof)).toBe(jStat.studentt.cdf(x, dof));
    }
  });

  it('the two-proportion and Welch tests', () => {
    for (const [vs, vn, cs, cn] of [[30, 100, 20, 100], [50, 200, 20, 200], [44, 400, 40, 400], [0, 10, 0, 10], [1, 1000, 0, 1000], [999, 1000, 1000, 1000]] as const) {
      const pooled = (vs + cs) / (vn + cn);
      const se0 = Math.sqrt(pooled * (1 - pooled) * (1 / vn + 1 / cn));
      const diff = vs / vn - cs / cn;
      const expected = se0 === 0 ? (diff === 0 ? 1 : 0) : Math.min(1, Math.max(0, 2 * (1 - jStat.normal.cdf(Math.abs(diff) / se0, 0, 1))));
      expect(proportionDifference({ s: vs, n: vn }, { s: cs, n: cn }).pValue).toBe(expected);
    }
    const arm = (n: number, sum: number, sq: number) => ({ n, s: n, sum, sq });
    for (const [v, c] of [[arm(10, 1_000, 101_000), arm(10, 800, 65_000)], [arm(40, 52_000, 80_000_000), arm(35, 40_000, 61_000_000)], [arm(3, 300, 30_200), arm(200, 18_000, 2_000_000)]] as const) {
      const w = welchTest(v, c);
      const t = w.value / w.se!;
      expect(w.pValue).toBe(Math.min(1, Math.max(0, 2 * (1 - jStat.studentt.cdf(Math.abs(t), w.df!)))));
    }
  });
});
