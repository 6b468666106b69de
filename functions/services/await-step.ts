/**
 * The journey's Await state: parks the journey until the moment Decide asked for — the task token on the case, the
 * decision on the timeline, a timer that ends the wait with the planned action (or wakes Decide) — or until
 * something happens to the case. Its own module, apart from the sending steps (./channel-step.ts), because the Await
 * function sends, renders and decides nothing: its bundle carries none of that (infra/aws/functions.ts).
 */
import type { CaseState } from '../domain/case/state.js';
import type { ChannelStepEvent, JourneyState, WaitAction } from '../shared/schemas.js';
import { parkJourney } from '../store/cases.js';
import { appendEvents } from '../store/timeline.js';
import { endWait } from './journeys.js';
import { decisionRecords } from './records.js';
import { setTimer } from './timers.js';

export const stateOf = (c: Pick<CaseState, 'caseId' | 'journey'>, action: JourneyState['action']): JourneyState => ({ caseId: c.caseId, journeyNo: c.journey.journeyNo, ...(action ? { action } : {}) });
export const decideAgain = (s: { caseId: string; journeyNo: number }, reason: string): JourneyState => ({ caseId: s.caseId, journeyNo: s.journeyNo, action: { type: 'decide', reason } });

/** The Await state's step: only a wait action is carried out here (Route sends every other one to its channel). */
export async function runAwaitStep(ev: ChannelStepEvent, now: Date): Promise<void> {
  const action = ev.state.action;
  if (!action || action.type === 'done' || action.type === 'decide') throw new Error('channel step got no send or wait action');
  if (action.type !== 'wait') throw new Error(`step ${ev.channel} got an action for ${action.channel}`);
  return park(ev.state, action, ev.taskToken, now);
}

/** Parks the journey until the decision's moment: the token on the case, the decision on the timeline, a timer. */
export async function park(state: JourneyState, action: WaitAction, token: string, now: Date): Promise<void> {
  const at = now.toISOString();
  const timer = `w-${state.caseId}-${state.journeyNo}-${action.seenEventSeq}`.slice(0, 64);
  const c = await parkJourney({
    caseId: state.caseId,
    journeyNo: state.journeyNo,
    seenEventSeq: action.seenEventSeq,
    token,
    timer,
    view: { ...(action.log ? { segment: action.log.segment, segmentReasons: action.log.segmentReasons } : {}), nextContactAt: action.until },
    costs: action.costs,
    ...(action.expiredTask ? { forgetTask: true } : {}),
    ...(action.arrangement ? { arrangement: action.arrangement } : {}),
    at,
  });
  if (!c) {
    // Closed, or something happened since the decision: decide again now.
    await endWait(token, decideAgain(state, 'event since decide'));
    return;
  }
  const records = decisionRecords(c, action, now);
  if (records.length) await appendEvents(c.caseId, records);
  const then = action.then;
  await setTimer(
    timer,
    new Date(action.until),
    then?.type === 'send' ? { kind: 'output', taskToken: token, output: stateOf(c, then) } : { kind: 'wake', caseId: c.caseId, journeyNo: c.journey.journeyNo, taskToken: token },
  );
}
