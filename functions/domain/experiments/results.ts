/**
 * An experiment's results and the allocation it gives new debtors, from its counters (per variant and exposure
 * day). Pure: the counters and `now` in.
 *
 * Verdict (the stopping rule's numbers, or these defaults when the experiment has none: at least 100 matured
 * debtors per variant, alpha 0.05, probability of being best 0.95):
 *  - fixed: once every variant has minDebtorsPerVariant matured debtors, the best variant whose difference to the
 *    control has p < alpha / (variants − 1) (Bonferroni) is the winner; the control wins when it beats every other
 *    variant so; with maxDebtorsPerVariant reached (or the experiment ended) and nothing significant: no difference;
 *  - thompson: once every variant has minDebtorsPerVariant exposed debtors, a variant whose probability of being
 *    best is ≥ probabilityBest wins; at maxDebtorsPerVariant or the end without one: no difference;
 *  - otherwise running. With a stopping rule that says winnerTakesOver (the default), the winner gets every new
 *    debtor from then on; debtors already assigned keep their variant.
 */
import { type AllocationState, unitHash, withMinShare } from './assign.js';
import { METRIC_SPECS, type Metric } from './metrics.js';
import { type Experiment, HOLDOUT, controlOf, minShareOf } from './schema.js';
import { type ArmDay, type Difference, type Estimate, matured, meanDifference, meanInterval, posterior, probabilityBest, proportionDifference, sum, wilson } from './stats.js';

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

export type Verdict = 'running' | 'no difference' | `winner: ${string}`;

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

const DEFAULT_STOPPING = { minDebtorsPerVariant: 100, alpha: 0.05, probabilityBest: 0.95 };

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

function estimateOf(metric: Metric, counts: ReturnType<typeof sum>): Estimate {
  return METRIC_SPECS[metric].kind === 'cents' ? meanInterval(counts) : wilson(counts.s, counts.n);
}

/** Posterior probability of being best for every variant (seeded: the same counters give the same numbers). */
export function bestProbabilities(x: Experiment, days: readonly VariantDay[], now: Date, draws = 4000, seed = 1): Record<string, number> {
  const posts = Object.fromEntries(x.variants.map((v) => [v.name, posterior(armDays(days, v.name, x.metric), x.metric, now)]));
  return probabilityBest(posts, draws, seed);
}

export function experimentResults(x: Experiment, days: readonly VariantDay[], now: Date): ExperimentResults {
  const stop = { ...DEFAULT_STOPPING, ...(x.stopping ?? {}) };
  const control = controlOf(x).name;
  const status = now.getTime() < Date.parse(x.start) ? 'scheduled' : x.end !== undefined && now.getTime() >= Date.parse(x.end) ? 'ended' : 'running';
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
    status,
    verdict: verdictOf(x, variants, stop, status === 'ended'),
    variants,
    ...(holdout ? { holdout } : {}),
    asOf: now.toISOString(),
  };
}

function verdictOf(x: Experiment, variants: readonly VariantResult[], stop: typeof DEFAULT_STOPPING & { maxDebtorsPerVariant?: number }, ended: boolean): Verdict {
  const enough = (r: VariantResult) => (x.allocation === 'thompson' ? r.exposed : r.n) >= stop.minDebtorsPerVariant;
  const atMax = stop.maxDebtorsPerVariant !== undefined && variants.every((r) => (x.allocation === 'thompson' ? r.exposed : r.n) >= stop.maxDebtorsPerVariant!);
  if (!variants.every(enough)) return ended ? 'no difference' : 'running';
  if (x.allocation === 'thompson') {
    const top = [...variants].sort((a, b) => (b.probabilityBest ?? 0) - (a.probabilityBest ?? 0))[0]!;
    if ((top.probabilityBest ?? 0) >= stop.probabilityBest) return `winner: ${top.variant}`;
    return atMax || ended ? 'no difference' : 'running';
  }
  const alpha = stop.alpha / Math.max(1, variants.length - 1);
  const control = variants.find((r) => r.control)!;
  const better = variants.filter((r) => !r.control && r.difference && r.difference.pValue < alpha && r.difference.value > 0).sort((a, b) => b.metric.value - a.metric.value);
  if (better.length) return `winner: ${better[0]!.variant}`;
  const others = variants.filter((r) => !r.control);
  if (others.every((r) => r.difference && r.difference.pValue < alpha && r.difference.value < 0)) return `winner: ${control.variant}`;
  return atMax || ended ? 'no difference' : 'running';
}

/** What new debtors get now: the bandit's shares (probability matching), or the winner once it took over. */
export function allocationState(x: Experiment, days: readonly VariantDay[], now: Date): AllocationState {
  if (x.stopping && x.stopping.winnerTakesOver !== false) {
    const r = experimentResults(x, days, now);
    if (r.verdict.startsWith('winner: ')) return { winner: r.verdict.slice('winner: '.length) };
  }
  if (x.allocation !== 'thompson') return {};
  // a new seed per hour: the shares move with the data, reproducibly
  const seed = Math.floor(unitHash(x.id, String(Math.floor(now.getTime() / 3_600_000))) * 2 ** 31);
  // 1,000 draws: shares within about ±1.5 percentage points, recomputed as the data come in
  return { shares: bestProbabilities(x, days, now, 1000, seed) };
}
