/**
 * What the bandits and stopping rules say for new debtors, for the decisions: read from the experiment's counters
 * (one Query per experiment, store/learning.ts) and kept for EXPERIMENT_STATE_TTL_S (default 300 s of the clock)
 * per Lambda container, so a decision costs no extra read most of the time. Only experiments that need it are read:
 * running ones with thompson allocation or a stopping rule; the others assign by the fixed hash alone. (The results
 * with their intervals are the reports', functions/reports/experiments.ts.)
 */
import type { ExperimentInputs } from '../domain/decide/index.js';
import type { AllocationState } from '../domain/experiments/assign.js';
import { allocationState } from '../domain/experiments/allocation.js';
import { isRunning } from '../domain/experiments/schema.js';
import type { Strategy } from '../domain/strategy.js';
import { logger } from '../shared/logger.js';
import { now as clockNow } from '../shared/clock.js';
import { readExperimentDays } from '../store/learning.js';

const ttlMs = () => Number(process.env.EXPERIMENT_STATE_TTL_S ?? 300) * 1000;
const cache = new Map<string, { at: number; key: string; state: AllocationState }>();
/** the read in flight per experiment: decisions that miss the cache together share one read (and one computation) */
const reading = new Map<string, { at: number; key: string; state: Promise<AllocationState> }>();
let overrides: Readonly<Record<string, AllocationState>> = {};

/**
 * The simulator's oracle: new debtors of these experiments get what is given here (e.g. `{ winner }`) instead of
 * what the counters say. Never set in a Lambda.
 */
export function overrideExperimentInputs(o: Readonly<Record<string, AllocationState>>): void {
  overrides = o;
}

/**
 * The allocation state of every experiment running at `at` that needs one. `at` may be a planned moment in the
 * future: the state is what the counters say now (the clock), whatever moment the decision is for.
 */
export async function experimentInputs(strategy: Strategy, at: Date): Promise<ExperimentInputs> {
  const out: Record<string, AllocationState> = {};
  const now = clockNow();
  for (const x of strategy.experiments ?? []) {
    if (!isRunning(x, at)) continue;
    if (overrides[x.id]) {
      out[x.id] = overrides[x.id]!;
      continue;
    }
    if (x.allocation !== 'thompson' && !x.stopping) continue;
    const key = JSON.stringify(x);
    const hit = cache.get(x.id);
    if (hit && hit.key === key && now.getTime() >= hit.at && now.getTime() - hit.at < ttlMs()) {
      out[x.id] = hit.state;
      continue;
    }
    try {
      let r = reading.get(x.id);
      if (!r || r.key !== key || r.at !== now.getTime()) {
        const at = now.getTime();
        const state = readExperimentDays(x.id).then((days) => {
          const s = allocationState(x, days, now);
          cache.set(x.id, { at, key, state: s });
          return s;
        });
        const entry = { at, key, state };
        reading.set(x.id, entry);
        void state.then(
          () => reading.get(x.id) === entry && reading.delete(x.id),
          () => reading.get(x.id) === entry && reading.delete(x.id),
        );
        r = entry;
      }
      out[x.id] = await r.state;
    } catch (err) {
      // without the counters the decision assigns by the fixed shares: the journey never waits for statistics
      logger.warn('experiment state not read', { experimentId: x.id, errorName: (err as Error)?.name });
    }
  }
  return out;
}

/** Tests and the simulator: forget the cached allocation states. */
export function forgetExperimentState(): void {
  cache.clear();
  reading.clear();
  overrides = {};
}
