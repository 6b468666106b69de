/**
 * An experiment's counters as the results maths and the allocation read them: per variant and exposure day
 * (what store/learning.ts reads), and per variant the counts of one metric. Pure.
 */
import { DAY_MS, METRIC_SPECS, type Metric } from './metrics.js';

/** One variant's counters on one exposure day (what store/learning.ts reads). */
export interface VariantDay {
  variant: string;
  day: string;
  n: number;
  reacted: number;
  promised: number;
  paid: number;
  payers: number;
  cents: number;
  sq: number;
}

/** The counters of one variant (all exposure days added up, or one day's). */
export interface ArmCounts {
  n: number;
  /** successes of the binary metric; payers for the cents metric */
  s: number;
  /** cents metric: sum and sum of squares per debtor */
  sum: number;
  sq: number;
}

/** One exposure day of one variant, as the bandit's posterior reads it. */
export interface ArmDay extends ArmCounts {
  day: string;
}

/** The arm days of one variant for a metric. */
export function armDays(days: readonly VariantDay[], variant: string, metric: Metric): ArmDay[] {
  const spec = METRIC_SPECS[metric];
  return days
    .filter((d) => d.variant === variant)
    .map((d) => ({
      day: d.day,
      n: d.n,
      s: spec.kind === 'cents' ? d.payers : metric === 'paid_within_30d' ? d.paid : metric === 'contact_within_7d' ? d.reacted : d.promised,
      sum: spec.kind === 'cents' ? d.cents : 0,
      sq: spec.kind === 'cents' ? d.sq : 0,
    }));
}

/** The counts of debtors whose window has passed by `now` (exposed at least windowDays before it). */
export function matured(days: readonly ArmDay[], metric: Metric, now: Date): ArmCounts {
  const cut = now.getTime() - METRIC_SPECS[metric].windowDays * DAY_MS;
  return sum(days.filter((d) => Date.parse(`${d.day}T23:59:59Z`) <= cut));
}

export function sum(days: readonly ArmCounts[]): ArmCounts {
  return days.reduce((a, d) => ({ n: a.n + d.n, s: a.s + d.s, sum: a.sum + d.sum, sq: a.sq + d.sq }), { n: 0, s: 0, sum: 0, sq: 0 });
}
