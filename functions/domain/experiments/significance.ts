/**
 * The tests behind an experiment's verdict (./allocation.ts: a stopping rule's winner takes over new debtors, so
 * the decisions need them too): a rate's Wilson interval, the two-proportion difference and z-test, a mean and
 * Welch's t-test. Pure; the formulas are the textbook ones (test/unit/experiments.test.ts checks hand-computed cases):
 *
 *  - a rate (binary metric): Wilson score interval; difference to the control with the unpooled standard error;
 *    p-value of the two-proportion z-test (pooled), two-sided;
 *  - a mean (cents per debtor): difference with Welch's t-test (Welch–Satterthwaite df), two-sided; its interval
 *    (Student t quantiles) is in ./stats.ts, for the reports only.
 *
 * Why the normal and Student t distribution functions are written out here and not taken from jstat (which the
 * reports' t quantiles still use): jstat is one 52 KB CommonJS file that no bundler can take apart, and every
 * function that decides applies the stopping rules. `erf`, `gammaln`, `betacf` and `ibeta` below are jstat 1.9.6's
 * own (Copyright (c) 2013 jStat, MIT licence; from Numerical Recipes: a Chebyshev fit of erf, Lanczos' log-gamma,
 * Lentz's continued fraction of the incomplete beta function), operation for operation, so the p-values — and a
 * verdict at the edge of alpha — are exactly jstat's (test/unit/experiment-sampling.test.ts compares them).
 */
import type { ArmCounts } from './counts.js';

const Z975 = 1.959963984540054;

export interface Estimate {
  value: number;
  low: number;
  high: number;
}

export interface Difference {
  /** variant − control */
  value: number;
  low: number;
  high: number;
  pValue: number;
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

/** Two proportions: difference with a 95% interval (unpooled SE) and the pooled z-test's two-sided p-value. */
export function proportionDifference(v: { s: number; n: number }, c: { s: number; n: number }): Difference {
  if (v.n === 0 || c.n === 0) return { value: 0, low: -1, high: 1, pValue: 1 };
  const pv = v.s / v.n;
  const pc = c.s / c.n;
  const diff = pv - pc;
  const se = Math.sqrt((pv * (1 - pv)) / v.n + (pc * (1 - pc)) / c.n);
  const pooled = (v.s + c.s) / (v.n + c.n);
  const se0 = Math.sqrt(pooled * (1 - pooled) * (1 / v.n + 1 / c.n));
  const pValue = se0 === 0 ? (diff === 0 ? 1 : 0) : 2 * (1 - normalCdf(Math.abs(diff) / se0, 0, 1));
  return { value: diff, low: diff - Z975 * se, high: diff + Z975 * se, pValue: Math.min(1, Math.max(0, pValue)) };
}

/** The mean per debtor and the sample standard deviation. */
export function meanSd(a: ArmCounts): { value: number; sd: number } {
  if (a.n === 0) return { value: 0, sd: 0 };
  const mean = a.sum / a.n;
  const variance = a.n > 1 ? Math.max(0, (a.sq - a.n * mean * mean) / (a.n - 1)) : 0;
  return { value: mean, sd: Math.sqrt(variance) };
}

/**
 * Two means: the difference and Welch's two-sided p-value, with the standard error and the Welch–Satterthwaite
 * degrees of freedom the interval needs (no `se` when a variant has fewer than 2 debtors; `se` 0 and no `df` when
 * both have no spread).
 */
export function welchTest(v: ArmCounts, c: ArmCounts): { value: number; pValue: number; se?: number; df?: number } {
  const a = meanSd(v);
  const b = meanSd(c);
  const diff = a.value - b.value;
  if (v.n < 2 || c.n < 2) return { value: diff, pValue: 1 };
  const va = (a.sd * a.sd) / v.n;
  const vb = (b.sd * b.sd) / c.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { value: diff, pValue: diff === 0 ? 1 : 0, se };
  const df = (va + vb) ** 2 / ((va * va) / (v.n - 1) + (vb * vb) / (c.n - 1));
  const t = diff / se;
  const pValue = 2 * (1 - studentTCdf(Math.abs(t), df));
  return { value: diff, pValue: Math.min(1, Math.max(0, pValue)), se, df };
}

/** The normal distribution function (jstat's `normal.cdf`). */
export function normalCdf(x: number, mean: number, std: number): number {
  return 0.5 * (1 + erf((x - mean) / Math.sqrt(2 * std * std)));
}

/** Student's t distribution function (jstat's `studentt.cdf`). */
export function studentTCdf(x: number, dof: number): number {
  const dof2 = dof / 2;
  return ibeta((x + Math.sqrt(x * x + dof)) / (2 * Math.sqrt(x * x + dof)), dof2, dof2);
}

const ERF_COF = [
  -1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3, -9.46595344482036e-4, 3.66839497852761e-4,
  4.2523324806907e-5, -2.0278578112534e-5, -1.624290004647e-6, 1.30365583558e-6, 1.5626441722e-8, -8.5238095915e-8, 6.529054439e-9,
  5.059343495e-9, -9.91364156e-10, -2.27365122e-10, 9.6467911e-11, 2.394038e-12, -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13,
  3.81e-16, 7.106e-15, -1.523e-15, -9.4e-17, 1.21e-16, -2.8e-17,
];

/** The error function (jstat's `erf`: a Chebyshev fit, Numerical Recipes' erfccheb). */
export function erf(x: number): number {
  let j = ERF_COF.length - 1;
  let isneg = false;
  let d = 0;
  let dd = 0;
  if (x < 0) {
    x = -x;
    isneg = true;
  }
  const t = 2 / (2 + x);
  const ty = 4 * t - 2;
  for (; j > 0; j--) {
    const tmp = d;
    d = ty * d - dd + ERF_COF[j]!;
    dd = tmp;
  }
  const res = t * Math.exp(-x * x + 0.5 * (ERF_COF[0]! + ty * d) - dd);
  return isneg ? res - 1 : 1 - res;
}

const GAMMALN_COF = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];

/** log Γ(x) (jstat's `gammaln`: Lanczos' approximation). */
export function gammaln(x: number): number {
  let ser = 1.000000000190015;
  let y = x;
  const xx = x;
  let tmp = x + 5.5;
  tmp -= (xx + 0.5) * Math.log(tmp);
  for (let j = 0; j < 6; j++) ser += GAMMALN_COF[j]! / ++y;
  return Math.log((2.5066282746310005 * ser) / xx) - tmp;
}

/** The continued fraction of the incomplete beta function, by the modified Lentz method (jstat's `betacf`). */
function betacf(x: number, a: number, b: number): number {
  const fpmin = 1e-30;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < fpmin) d = fpmin;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    // the even step of the recurrence
    d = 1 + aa * d;
    if (Math.abs(d) < fpmin) d = fpmin;
    c = 1 + aa / c;
    if (Math.abs(c) < fpmin) c = fpmin;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    // the odd step
    d = 1 + aa * d;
    if (Math.abs(d) < fpmin) d = fpmin;
    c = 1 + aa / c;
    if (Math.abs(c) < fpmin) c = fpmin;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1.0) < 3e-7) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b) (jstat's `ibeta`; NaN outside [0, 1], where jstat says false). */
export function ibeta(x: number, a: number, b: number): number {
  const bt = x === 0 || x === 1 ? 0 : Math.exp(gammaln(a + b) - gammaln(a) - gammaln(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < 0 || x > 1) return NaN;
  if (x < (a + 1) / (a + b + 2)) return (bt * betacf(x, a, b)) / a;
  return 1 - (bt * betacf(1 - x, b, a)) / b;
}
