/**
 * Decide: the journey's Decide state (parse → decide → the next action), and the journey timer's wake-up at the
 * end of a wait whose plan is to end or to decide again (it decides, then ends the wait itself). The first call in
 * a container logs the legal tables' coverage warnings (services/coverage.ts).
 */
import { now } from '../shared/clock.js';
import { DecideEvent, type JourneyState, WakeEvent } from '../shared/schemas.js';
import { warnCoverageOnce } from '../services/coverage.js';
import { decideState, wakeState } from '../services/decide.js';

export async function handler(event: unknown): Promise<JourneyState | void> {
  // The legal tables (declared-equal days, interest rates) say when they run out: once per container.
  warnCoverageOnce(now());
  const wake = WakeEvent.safeParse(event);
  if (wake.success) return wakeState(wake.data.wake, now());
  const { state } = DecideEvent.parse(event);
  return decideState(state, now());
}
