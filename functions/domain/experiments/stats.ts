/**
 * The reports' intervals for a mean (cents per debtor): mean ± t(0.975, n−1)·s/√n, and the difference of two means
 * with its Welch interval (t(0.975, Welch–Satterthwaite df)). The Student t quantiles are jstat's; only the results
 * (./results.ts: the Api's reports) need them. What a decision needs — the p-values, the posteriors, the probability
 * of being best — is in ./significance.ts and ./bandit.ts, without jstat (why: see there).
 */
import jStat from 'jstat';
import type { ArmCounts } from './counts.js';
import { type Difference, type Estimate, meanSd, welchTest } from './significance.js';

/** Mean with a t interval (95%). */
export function meanInterval(a: ArmCounts): Estimate & { sd: number } {
  const { value: mean, sd } = meanSd(a);
  if (a.n < 2) return { value: mean, low: mean, high: mean, sd };
  const t = jStat.studentt.inv(0.975, a.n - 1);
  const half = (t * sd) / Math.sqrt(a.n);
  return { value: mean, low: mean - half, high: mean + half, sd };
}

/** Two means: Welch's t-test (two-sided) and a 95% interval for the difference. */
export function meanDifference(v: ArmCounts, c: ArmCounts): Difference {
  const { value, pValue, se, df } = welchTest(v, c);
  if (se === undefined) return { value, low: -Infinity, high: Infinity, pValue };
  if (df === undefined) return { value, low: value, high: value, pValue };
  const q = jStat.studentt.inv(0.975, df);
  return { value, low: value - q * se, high: value + q * se, pValue };
}
