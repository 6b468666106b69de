/**
 * Decide: the journey's Decide state (parse → decide → the next action); the journey timer's wake-up at the end of a
 * wait whose plan is to end or to decide again (it decides, then ends the wait itself): EventBridge Scheduler invokes
 * this same function with `{ wake }`; and a sending step's question `{ decide }` — its next plan, or the decision now
 * for a case that changed — answered from the facts the step sends, without a read (services/ask-decide.ts). The
 * decision's code lives in this function only. The first call in a container logs the legal tables' coverage
 * warnings (services/coverage.ts).
 */
import { now } from '../shared/clock.js';
import { journeyCorrelation, lambdaHandler } from '../shared/lambda.js';
import { metrics } from '../shared/metrics.js';
import { type Action, DecideEvent, type JourneyState, parseDecisionRequest, WakeEvent } from '../shared/schemas/journey.js';
import { warnCoverageOnce } from '../services/coverage.js';
import { answerStep, decideState, wakeState } from '../services/decide.js';

export const handler = lambdaHandler(async (event: unknown): Promise<JourneyState | Action | void> => {
  // The legal tables (declared-equal days, interest rates) say when they run out: once per container.
  warnCoverageOnce(now());
  const wake = WakeEvent.safeParse(event);
  if (wake.success) return wakeState(wake.data.wake, now());
  if (event && typeof event === 'object' && 'decide' in event) return answerStep(parseDecisionRequest(event));
  // The ASL's Catch puts a failed Decide's error in `decideError` and comes back here after RetryDecideLater:
  // each such return is one turn of a retry-later loop (alarmed on), whatever the decision is this time.
  if ((event as { state?: { decideError?: unknown } } | undefined)?.state?.decideError !== undefined) metrics.decideRetriedLater();
  const { state } = DecideEvent.parse(event);
  return decideState(state, now());
}, wakeOrJourneyCorrelation);

/** A timer's wake-up carries the case id under `wake`, a sending step's question under `decide`; a Decide state under `state`. */
function wakeOrJourneyCorrelation(event: unknown) {
  const e = event as { wake?: { caseId?: unknown; journeyNo?: unknown }; decide?: { caseId?: unknown; facts?: { journey?: { journeyNo?: unknown } } } } | undefined;
  const keyed = e?.wake ?? (e?.decide ? { caseId: e.decide.caseId, journeyNo: e.decide.facts?.journey?.journeyNo } : undefined);
  if (typeof keyed?.caseId === 'string') {
    return { correlationId: keyed.caseId, keys: { caseId: keyed.caseId, ...(typeof keyed.journeyNo === 'number' ? { journeyNo: keyed.journeyNo } : {}) } };
  }
  return journeyCorrelation(event);
}
