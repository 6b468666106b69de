/**
 * An experiment's results, for the reports: per variant the metric with a 95% interval, the difference to the
 * control with a p-value (fixed allocation), and for a bandit the posterior probability of being the best and the
 * share of new debtors it gets now; the verdict is the one the decisions act on (./allocation.ts, where the
 * stopping rule is described). Pure: the counters (per variant and exposure day) and `now` in.
 */
import { withMinShare } from './assign.js';
import { type Verdict, bestProbabilities, experimentStatus, verdict } from './allocation.js';
import { type VariantDay, armDays, matured, sum } from './counts.js';
import { METRIC_SPECS, type Metric } from './metrics.js';
import { type Experiment, HOLDOUT, controlOf, minShareOf } from './schema.js';
import { type Difference, type Estimate, proportionDifference, wilson } from './significance.js';
import { meanDifference, meanInterval } from './stats.js';

export type { VariantDay } from './counts.js';
export type { Verdict } from './allocation.js';

export interface VariantResult {
  variant: string;
  control: boolean;
  /** debtors exposed so far */
  exposed: number;
  /** debtors whose metric window has passed: the results are over these */
  n: number;
  metric: Estimate;
  /** variant − control, with the p-value (fixed allocation) */
  difference?: Difference;
  /** posterior probability of being the best (thompson) */
  probabilityBest?: number;
  /** the share of new debtors it gets now (thompson) */
  share?: number;
}

export interface ExperimentResults {
  experimentId: string;
  dimension: Experiment['dimension'];
  metric: Metric;
  allocation: Experiment['allocation'];
  status: 'scheduled' | 'running' | 'ended';
  verdict: Verdict;
  variants: VariantResult[];
  holdout?: VariantResult;
  asOf: string;
}

function estimateOf(metric: Metric, counts: ReturnType<typeof sum>): Estimate {
  return METRIC_SPECS[metric].kind === 'cents' ? meanInterval(counts) : wilson(counts.s, counts.n);
}

export function experimentResults(x: Experiment, days: readonly VariantDay[], now: Date): ExperimentResults {
  const control = controlOf(x).name;
  const counts = (variant: string) => {
    const arm = armDays(days, variant, x.metric);
    return { exposed: sum(arm).n, m: matured(arm, x.metric, now) };
  };
  const c = counts(control);
  const best = x.allocation === 'thompson' ? bestProbabilities(x, days, now) : undefined;
  const shares = best ? withMinShare(x.variants.map((v) => v.name), best, minShareOf(x)) : undefined;
  const variants: VariantResult[] = x.variants.map((v) => {
    const k = counts(v.name);
    const isControl = v.name === control;
    const difference =
      isControl || x.allocation === 'thompson' ? undefined : METRIC_SPECS[x.metric].kind === 'cents' ? meanDifference(k.m, c.m) : proportionDifference(k.m, c.m);
    return {
      variant: v.name,
      control: isControl,
      exposed: k.exposed,
      n: k.m.n,
      metric: estimateOf(x.metric, k.m),
      ...(difference ? { difference } : {}),
      ...(best ? { probabilityBest: best[v.name], share: shares![v.name] } : {}),
    };
  });
  const h = counts(HOLDOUT);
  const holdout: VariantResult | undefined =
    x.holdout > 0 ? { variant: HOLDOUT, control: false, exposed: h.exposed, n: h.m.n, metric: estimateOf(x.metric, h.m) } : undefined;
  return {
    experimentId: x.id,
    dimension: x.dimension,
    metric: x.metric,
    allocation: x.allocation,
    status: experimentStatus(x, now),
    verdict: verdict(x, days, now, best),
    variants,
    ...(holdout ? { holdout } : {}),
    asOf: now.toISOString(),
  };
}
