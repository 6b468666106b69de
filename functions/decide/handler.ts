/**
 * Decide: the journey's Decide state (parse → decide → the next action), and the journey timer's wake-up at the
 * end of a wait whose plan is to end or to decide again (it decides, then ends the wait itself).
 */
import { now } from '../shared/clock.js';
import { DecideEvent, type JourneyState, WakeEvent } from '../shared/schemas.js';
import { decideState, wakeState } from '../services/decide.js';

export async function handler(event: unknown): Promise<JourneyState | void> {
  const wake = WakeEvent.safeParse(event);
  if (wake.success) return wakeState(wake.data.wake, now());
  const { state } = DecideEvent.parse(event);
  return decideState(state, now());
}
