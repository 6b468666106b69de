/** Decide (journey step): parse → decide → return the next action. */
import { now } from '../shared/clock.js';
import { DecideEvent, type JourneyState } from '../shared/schemas/journey.js';
import { decide } from '../services/decide.js';

export async function handler(event: unknown): Promise<JourneyState> {
  const { state } = DecideEvent.parse(event);
  return decide(state, now());
}
