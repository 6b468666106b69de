/** Decide (journey step): parse → decide → return the next action. */
import { now } from '../shared/clock.js';
import { journeyCorrelation, lambdaHandler } from '../shared/lambda.js';
import { metrics } from '../shared/metrics.js';
import { DecideEvent, type JourneyState } from '../shared/schemas/journey.js';
import { decide } from '../services/decide.js';

export const handler = lambdaHandler(async (event: unknown): Promise<JourneyState> => {
  // The ASL's Catch puts a failed Decide's error in `decideError` and comes back here after RetryDecideLater:
  // each such return is one turn of a retry-later loop (alarmed on), whatever the decision is this time.
  if ((event as { state?: { decideError?: unknown } } | undefined)?.state?.decideError !== undefined) metrics.decideRetriedLater();
  const { state } = DecideEvent.parse(event);
  return decide(state, now());
}, journeyCorrelation);
