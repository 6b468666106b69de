/**
 * Decide: the journey's Decide state (parse → decide → the next action), and the journey timer's wake-up at the
 * end of a wait whose plan is to end or to decide again (it decides, then ends the wait itself): EventBridge
 * Scheduler invokes this same function with `{ wake }`. The first call in a container logs the legal tables'
 * coverage warnings (services/coverage.ts).
 */
import { now } from '../shared/clock.js';
import { journeyCorrelation, lambdaHandler } from '../shared/lambda.js';
import { metrics } from '../shared/metrics.js';
import { DecideEvent, type JourneyState, WakeEvent } from '../shared/schemas/journey.js';
import { warnCoverageOnce } from '../services/coverage.js';
import { decideState, wakeState } from '../services/decide.js';

export const handler = lambdaHandler(async (event: unknown): Promise<JourneyState | void> => {
  // The legal tables (declared-equal days, interest rates) say when they run out: once per container.
  warnCoverageOnce(now());
  const wake = WakeEvent.safeParse(event);
  if (wake.success) return wakeState(wake.data.wake, now());
  // The ASL's Catch puts a failed Decide's error in `decideError` and comes back here after RetryDecideLater:
  // each such return is one turn of a retry-later loop (alarmed on), whatever the decision is this time.
  if ((event as { state?: { decideError?: unknown } } | undefined)?.state?.decideError !== undefined) metrics.decideRetriedLater();
  const { state } = DecideEvent.parse(event);
  return decideState(state, now());
}, wakeOrJourneyCorrelation);

/** A timer's wake-up carries the case id under `wake`; a Decide state under `state`. */
function wakeOrJourneyCorrelation(event: unknown) {
  const wake = (event as { wake?: { caseId?: unknown; journeyNo?: unknown } } | undefined)?.wake;
  if (typeof wake?.caseId === 'string') {
    return { correlationId: wake.caseId, keys: { caseId: wake.caseId, ...(typeof wake.journeyNo === 'number' ? { journeyNo: wake.journeyNo } : {}) } };
  }
  return journeyCorrelation(event);
}
