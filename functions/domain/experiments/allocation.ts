/**
 * What new debtors of an experiment get now, from its counters (per variant and exposure day): the bandit's shares
 * (probability matching) or, once a stopping rule's verdict names a winner that takes over, the winner. Pure: the
 * counters and `now` in. The decisions read it (services/experiments.ts); the reports (./results.ts) show the same
 * verdict with the intervals around it.
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
 *
 * For the verdict only matured debtors count (exposed at least a metric's window ago); the bandit's posterior counts
 * the young ones in part (./bandit.ts).
 */
import { type AllocationState, unitHash } from './assign.js';
import { posterior, probabilityBest } from './bandit.js';
import { type VariantDay, armDays, matured, sum } from './counts.js';
import { METRIC_SPECS } from './metrics.js';
import { type Experiment, controlOf } from './schema.js';
import { meanSd, proportionDifference, welchTest, wilson } from './significance.js';

export type Verdict = 'running' | 'no difference' | `winner: ${string}`;

export const DEFAULT_STOPPING = { minDebtorsPerVariant: 100, alpha: 0.05, probabilityBest: 0.95 };

export type ExperimentStatus = 'scheduled' | 'running' | 'ended';

export function experimentStatus(x: Experiment, now: Date): ExperimentStatus {
  return now.getTime() < Date.parse(x.start) ? 'scheduled' : x.end !== undefined && now.getTime() >= Date.parse(x.end) ? 'ended' : 'running';
}

/** Posterior probability of being best for every variant (seeded: the same counters give the same numbers). */
export function bestProbabilities(x: Experiment, days: readonly VariantDay[], now: Date, draws = 4000, seed = 1): Record<string, number> {
  const posts = Object.fromEntries(x.variants.map((v) => [v.name, posterior(armDays(days, v.name, x.metric), x.metric, now)]));
  return probabilityBest(posts, draws, seed);
}

/** What the verdict reads of a variant. */
export interface VerdictInput {
  variant: string;
  control: boolean;
  exposed: number;
  /** matured debtors */
  n: number;
  /** the metric over the matured debtors */
  value: number;
  /** variant − control over the matured debtors, with the p-value (fixed allocation, not the control) */
  difference?: { value: number; pValue: number };
  probabilityBest?: number;
}

/** The verdict over the counters now; `best`: the results' probabilities of being best (thompson), if computed. */
export function verdict(x: Experiment, days: readonly VariantDay[], now: Date, best = x.allocation === 'thompson' ? bestProbabilities(x, days, now) : undefined): Verdict {
  const stop = { ...DEFAULT_STOPPING, ...(x.stopping ?? {}) };
  const control = controlOf(x).name;
  const cents = METRIC_SPECS[x.metric].kind === 'cents';
  const c = matured(armDays(days, control, x.metric), x.metric, now);
  const variants: VerdictInput[] = x.variants.map((v) => {
    const arm = armDays(days, v.name, x.metric);
    const m = matured(arm, x.metric, now);
    const isControl = v.name === control;
    const difference = isControl || x.allocation === 'thompson' ? undefined : cents ? welchTest(m, c) : proportionDifference(m, c);
    return {
      variant: v.name,
      control: isControl,
      exposed: sum(arm).n,
      n: m.n,
      value: cents ? meanSd(m).value : wilson(m.s, m.n).value,
      ...(difference ? { difference } : {}),
      ...(best ? { probabilityBest: best[v.name] } : {}),
    };
  });
  return verdictOf(x, variants, stop, experimentStatus(x, now) === 'ended');
}

function verdictOf(x: Experiment, variants: readonly VerdictInput[], stop: typeof DEFAULT_STOPPING & { maxDebtorsPerVariant?: number }, ended: boolean): Verdict {
  const enough = (r: VerdictInput) => (x.allocation === 'thompson' ? r.exposed : r.n) >= stop.minDebtorsPerVariant;
  const atMax = stop.maxDebtorsPerVariant !== undefined && variants.every((r) => (x.allocation === 'thompson' ? r.exposed : r.n) >= stop.maxDebtorsPerVariant!);
  if (!variants.every(enough)) return ended ? 'no difference' : 'running';
  if (x.allocation === 'thompson') {
    const top = [...variants].sort((a, b) => (b.probabilityBest ?? 0) - (a.probabilityBest ?? 0))[0]!;
    if ((top.probabilityBest ?? 0) >= stop.probabilityBest) return `winner: ${top.variant}`;
    return atMax || ended ? 'no difference' : 'running';
  }
  const alpha = stop.alpha / Math.max(1, variants.length - 1);
  const control = variants.find((r) => r.control)!;
  const better = variants.filter((r) => !r.control && r.difference && r.difference.pValue < alpha && r.difference.value > 0).sort((a, b) => b.value - a.value);
  if (better.length) return `winner: ${better[0]!.variant}`;
  const others = variants.filter((r) => !r.control);
  if (others.every((r) => r.difference && r.difference.pValue < alpha && r.difference.value < 0)) return `winner: ${control.variant}`;
  return atMax || ended ? 'no difference' : 'running';
}

/** What new debtors get now: the bandit's shares (probability matching), or the winner once it took over. */
export function allocationState(x: Experiment, days: readonly VariantDay[], now: Date): AllocationState {
  if (x.stopping && x.stopping.winnerTakesOver !== false) {
    const v = verdict(x, days, now);
    if (v.startsWith('winner: ')) return { winner: v.slice('winner: '.length) };
  }
  if (x.allocation !== 'thompson') return {};
  // a new seed per hour: the shares move with the data, reproducibly
  const seed = Math.floor(unitHash(x.id, String(Math.floor(now.getTime() / 3_600_000))) * 2 ** 31);
  // 1,000 draws: shares within about ±1.5 percentage points, recomputed as the data come in
  return { shares: bestProbabilities(x, days, now, 1000, seed) };
}
