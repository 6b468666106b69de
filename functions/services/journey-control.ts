/**
 * After a case change from outside the journey (a claim, a withdrawal, a dispute and its resolution, new contact
 * details, flags): the journey that the change opened starts without an action — its Route goes to Decide, which
 * decides the first one (the intake carries no decision of its own: Decide's code stays in the Decide function) —, a
 * running one is woken to decide again, and a journey that should be running but is not (the first attempt of the request
 * crashed before starting it, or the execution ended outside the system) is started — so no case is ever left
 * without its journey, and a retried request finishes what the first attempt began.
 */
import { type CaseState, isActive } from '../domain/case/state.js';
import { logger } from '../shared/logger.js';
import { metrics } from '../shared/metrics.js';
import { mutateCase } from './case.js';
import { isRunning, startJourney, wakeJourney } from './journeys.js';

export interface AfterChange {
  /** the change opened a journey (a new case, or the next journey after the last one ended) */
  opened: boolean;
  /** why the running journey is woken; undefined: the case did not change (a retry), nothing to reconsider */
  wake?: string;
}

export async function startOrWake(after: CaseState, o: AfterChange, now: Date): Promise<void> {
  let c = after;
  if (!isActive(c)) return;
  if (o.opened) return startJourney(c);
  if (!(await isRunning(c.caseId, c.journey.journeyNo))) {
    if (c.journey.taskToken || c.journey.stepNo > 0) {
      // The execution ended outside the system (an operator stopped it, it failed): close this journey and open
      // the next, so the case is never left without a running journey.
      logger.warn('journey execution was not running; starting a new one', { caseId: c.caseId, journeyNo: c.journey.journeyNo });
      const at = now.toISOString();
      const m = await mutateCase(c.caseId, now, (cur) =>
        cur.journey.journeyNo === c.journey.journeyNo && cur.journey.status === 'active'
          ? [{ type: 'journey_closed', at, reason: 'execution ended unexpectedly', closing: { detail: 'Journey ended: its execution was no longer running.', at } }, { type: 'journey_opened', at }]
          : undefined,
      );
      if (m?.changed) metrics.journeyEnded('execution ended unexpectedly');
      if (m) c = m.after;
    }
    // else: the first attempt crashed before starting it: start it now
    return startJourney(c);
  }
  if (o.wake) return wakeJourney(c, o.wake);
}

/** Did the change open a journey (the next one after the last ended)? */
export const openedJourney = (before: CaseState, after: CaseState): boolean =>
  isActive(after) && (before.journey.status === 'closed' || after.journey.journeyNo > before.journey.journeyNo);
