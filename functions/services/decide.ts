/**
 * Deciding: the case is read (one item, however long the journey), the pure domain decides, and the decision
 * becomes the journey's next action. Decide itself writes nothing for a send or a wait — the state that carries
 * the action out records it together with what it does — and closes the case when the decision is to end.
 *
 * A wait carries its plan: the decision as it will be at the end of the wait if nothing happens, so the timer
 * can start the next contact directly (services/timers.ts). Sends carry `nextDecisionAt` for the same reason.
 *
 * Used by the Decide state (a new journey's first action too: the intake starts it without one), by the timer when a
 * plan is to end the journey, and by the sending steps, which ask the Decide function for their next plan
 * (answerStep): the decision's code is in the Decide function only.
 */
import { type ExperimentInputs, type StrategyDecision, decide as decideNext } from '../domain/decide/index.js';
import type { CaseEvent } from '../domain/case/events.js';
import { type CaseState, claimsOf, factsOf, isActive } from '../domain/case/state.js';
import { ownersOf } from '../domain/notifications.js';
import type { CaseFacts } from '../domain/case/facts.js';
import type { Strategy } from '../domain/strategy.js';
import { logger } from '../shared/logger.js';
import { metrics } from '../shared/metrics.js';
import type { Action, DecisionLog, DecisionRequest, ExpiredTask, JourneyState, SendAction } from '../shared/schemas.js';
import { dossierItem } from '../store/dossiers.js';
import { closeOpenTask } from '../store/tasks.js';
import { appendEvent, appendEvents, getEvent } from '../store/timeline.js';
import { loadCase, mutateCase } from './case.js';
import { endWait } from './journeys.js';
import { costEvents, expiredTaskEvent } from './records.js';
import { currentStrategy, strategyId } from './strategy-source.js';
import { TIMER_GRACE_S, clearTimer } from './timers.js';
import { experimentInputs } from './experiments.js';

/** Step Functions task timeouts stay well inside a year. */
const MAX_AWAIT_S = 300 * 86400;
const seconds = (from: Date, to: Date) => Math.min(MAX_AWAIT_S, Math.max(1, Math.ceil((to.getTime() - from.getTime()) / 1000)));

const logOf = (d: StrategyDecision, at: Date): DecisionLog => ({ at: at.toISOString(), segment: d.segment, segmentReasons: d.segmentReasons, reasons: d.reasons });

function sendAction(d: Extract<StrategyDecision, { kind: 'send' }>, seenEventSeq: number, at: Date, log?: DecisionLog): SendAction {
  return {
    type: 'send',
    channel: d.channel,
    stepNo: d.stepNo,
    phase: d.phase,
    tone: d.tone,
    template: d.template,
    language: d.language,
    dossierIds: d.dossierIds,
    seenEventSeq,
    nextDecisionAt: d.nextDecisionAt.toISOString(),
    awaitSeconds: seconds(at, d.nextDecisionAt) + TIMER_GRACE_S,
    ...(log ? { log } : {}),
    ...(d.costs?.length ? { costs: d.costs } : {}),
    ...(d.termEndDate ? { termEndDate: d.termEndDate } : {}),
    strategy: strategyId(),
    ...(d.experiments?.length ? { experiments: d.experiments } : {}),
    ...(d.templateVariant ? { templateVariant: d.templateVariant } : {}),
    ...(d.topic ? { topic: d.topic } : {}),
    ...(d.aside ? { aside: true } : {}),
    ...(d.arrangement ? { arrangement: d.arrangement } : {}),
  };
}

/**
 * What the journey does at `at` if nothing happens before: a planned send, or "decide then" (an end needs the
 * closing done, another wait is decided again).
 */
export async function planAt(facts: CaseFacts, strategy: Strategy, at: Date, seenEventSeq: number, inputs?: ExperimentInputs): Promise<SendAction | { type: 'decide'; reason: string }> {
  const planned = decideNext(facts, strategy, at, inputs ?? (await experimentInputs(strategy, at)));
  if (planned.kind === 'send') return sendAction(planned, seenEventSeq, at, logOf(planned, at));
  return { type: 'decide', reason: planned.kind === 'done' ? 'planned end of the journey' : 'planned decision' };
}

/** The decision for the case now, as the journey's next action. */
export async function actionFor(c: CaseState, now: Date, lastError?: CaseFacts['lastError']): Promise<{ decision: StrategyDecision; action: Action }> {
  return actionForFacts(factsOf(c, {}, lastError), c.eventSeq, now);
}

/**
 * A sending step's question (services/ask-decide.ts): the plan for the moment its next step is due, or the decision
 * now for a case that changed since its action was decided — from the facts of the case the step holds, so Decide
 * reads nothing. A decision to end is only answered, never carried out here: the step hands it to the Decide state.
 */
export async function answerStep(q: DecisionRequest): Promise<Action> {
  const at = new Date(q.at);
  if (q.kind === 'plan') return planAt(q.facts, currentStrategy(), at, q.seenEventSeq);
  return (await actionForFacts(q.facts, q.seenEventSeq, at)).action;
}

async function actionForFacts(facts: CaseFacts, eventSeq: number, now: Date): Promise<{ decision: StrategyDecision; action: Action }> {
  const strategy = currentStrategy();
  const inputs = await experimentInputs(strategy, now);
  const d = decideNext(facts, strategy, now, inputs);
  switch (d.kind) {
    case 'done':
      return { decision: d, action: { type: 'done', reason: d.reason } };
    case 'send':
      return { decision: d, action: sendAction(d, eventSeq, now, logOf(d, now)) };
    case 'wait':
      return {
        decision: d,
        action: {
          type: 'wait',
          until: d.until.toISOString(),
          awaitSeconds: seconds(now, d.until) + TIMER_GRACE_S,
          seenEventSeq: eventSeq,
          then: await planAt({ ...facts, lastError: undefined }, strategy, d.until, eventSeq),
          log: logOf(d, now),
          ...(d.costs?.length ? { costs: d.costs } : {}),
          ...(d.arrangement ? { arrangement: d.arrangement } : {}),
        },
      };
  }
}

/** The Decide state: settles what the previous step left, then decides (ending the journey when that is the decision). */
export async function decideState(state: JourneyState, now: Date, known?: CaseState): Promise<JourneyState> {
  const { caseId, journeyNo } = state;
  const settled = await settlePreviousStep(state, now);
  const lastError = state.error && state.action?.type === 'send' ? { channel: state.action.channel, stepNo: state.action.stepNo, error: state.error.Error } : undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    // The caller's copy of the case saves a read, unless settling the previous step changed it.
    const c = attempt === 0 && known && !settled ? known : await loadCase(caseId, now);
    if (!c || !isActive(c, journeyNo)) {
      // Closed by an earlier attempt that may have crashed before finishing: finishing again is idempotent.
      if (c?.journey.journeyNo === journeyNo && c.journey.closing) await finish(c, c, now);
      return { caseId, journeyNo, action: { type: 'done', reason: 'journey closed or superseded' } };
    }
    const expiredTask = await expireOverdueTask(c, now);
    const { decision, action } = await actionFor(c, now, lastError);
    if (action.type === 'send' || action.type === 'wait') return { caseId, journeyNo, action: expiredTask ? { ...action, expiredTask } : action };
    if (decision.kind !== 'done') return { caseId, journeyNo, action };
    // Only end if nothing happened since we looked; otherwise decide again with the news.
    const closed = await close(c, decision, now);
    if (!closed) continue;
    // Counted by the one attempt whose close took: a retried Decide finds the case closed and only finishes.
    metrics.journeyEnded(decision.reason);
    await finish(expiredTask ? { ...c, journey: { ...c.journey, openTask: undefined } } : c, closed, now);
    return { caseId, journeyNo, action };
  }
  throw new Error(`case ${caseId} kept changing while deciding`);
}

/** The timer at the end of a wait whose plan was to end (or to decide again): decide now and end the wait. */
export async function wakeState(w: { caseId: string; journeyNo: number; taskToken: string }, now: Date): Promise<void> {
  const c = await loadCase(w.caseId, now);
  if (!c || c.journey.journeyNo !== w.journeyNo || c.journey.taskToken !== w.taskToken) return;
  const next = await decideState({ caseId: w.caseId, journeyNo: w.journeyNo, action: { type: 'decide', reason: 'timer' } }, now, c);
  await endWait(w.taskToken, next);
}

async function close(c: CaseState, d: Extract<StrategyDecision, { kind: 'done' }>, now: Date): Promise<CaseState | undefined> {
  const at = now.toISOString();
  const closing = {
    ...(d.dossierStatus ? { dossierStatus: d.dossierStatus } : {}),
    detail: `Journey ended: ${d.reason}${d.dossierStatus ? ` (dossiers ${d.dossierStatus.replace('_', ' ')})` : ''}. ${d.reasons.join('; ')}`,
    at,
  };
  const m = await mutateCase(
    c.caseId,
    now,
    (cur): CaseEvent[] | undefined =>
      cur.eventSeq !== c.eventSeq || !isActive(cur, c.journey.journeyNo)
        ? undefined
        : [
            ...(d.arrangement?.breach ? [{ type: 'arrangement_breached' as const, at, reason: d.arrangement.breach }] : []),
            ...(d.costs?.length ? [{ type: 'costs' as const, at, costs: d.costs }] : []),
            { type: 'journey_closed', at, reason: d.reason, closing },
          ],
    c,
  );
  return m?.changed ? m.after : undefined;
}

/**
 * The end's bookkeeping, idempotent (a retry after a crash repeats it): the agent's open task closed (nobody
 * should call someone whose journey ended), the dossiers' projections, the timeline, the timer dropped.
 */
async function finish(before: CaseState, after: CaseState, now: Date): Promise<void> {
  const closing = after.journey.closing!;
  const task = before.journey.openTask ?? after.journey.openTask;
  if (task) await closeOpenTask(task.taskId, task.dueAt, 'expired', closing.at);
  const changed = claimsOf(after).filter((d) => before.dossiers[d.dossierId]?.status !== d.status || d.statusReason === closing.detail);
  const costs = claimsOf(after).filter((d) => before.dossiers[d.dossierId] && before.dossiers[d.dossierId].costs !== d.costs);
  const handedOver = closing.dossierStatus === 'handed_over' ? changed.filter((d) => d.status === 'handed_over').map((d) => d.dossierId) : [];
  await appendEvents(
    after.caseId,
    [
      ...costEvents(costs.map((d) => ({ dossierId: d.dossierId, costs: d.costs, reason: 'set when the journey ended' })), closing.at),
      {
        eventId: `end-${after.journey.journeyNo}`,
        at: closing.at,
        type: 'journey_ended',
        detail: closing.detail,
        dossierIds: claimsOf(after).map((d) => d.dossierId),
        // which dossiers this end handed over (the creditors are notified: functions/notifications/)
        ...(handedOver.length ? { data: { handedOver } } : {}),
      },
    ],
    changed.map((d) => dossierItem({ ...d, debtorId: after.caseId })),
  );
  await clearTimer(before.journey.timer);
  logger.info('journey ended', { caseId: after.caseId, journeyNo: after.journey.journeyNo });
  void now;
}

/**
 * A call task nobody completed by its due time expires when the journey moves on (the timer of a call step wakes
 * Decide for this): no agent should still call about a step the journey left behind. The case keeps the task's
 * id until the next call step replaces it; closing a task that is closed already changes nothing.
 */
async function expireOverdueTask(c: CaseState, now: Date): Promise<ExpiredTask | undefined> {
  const task = c.journey.openTask;
  if (!task || Date.parse(task.dueAt) > now.getTime()) return undefined;
  const at = now.toISOString();
  if (!(await closeOpenTask(task.taskId, task.dueAt, 'expired', at))) return undefined;
  const expired = { taskId: task.taskId, stepNo: task.stepNo, at, dossierIds: c.journey.contacts.find((x) => x.stepNo === task.stepNo && x.channel === 'call')?.dossierIds ?? [] };
  // the case's claims name the creditors to notify: no case read to find them
  await appendEvent(c.caseId, expiredTaskEvent(expired), ownersOf(claimsOf(c)));
  // the next state's write forgets the task on the case (expiredTask in its action)
  return expired;
}

/** The Lambda's error message from a Step Functions Cause (provider errors carry no personal data). */
function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const msg = (JSON.parse(cause) as { errorMessage?: unknown }).errorMessage;
    return typeof msg === 'string' && msg ? `: ${msg.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}

/**
 * A channel step that failed after its retries: unless the provider took the message (its 'sent' entry exists),
 * the step is recorded as failed — never sent again — and Decide fails over to another channel.
 */
async function settlePreviousStep(state: JourneyState, now: Date): Promise<boolean> {
  const prev = state.action;
  if (!state.error || prev?.type !== 'send') return false;
  const c = await loadCase(state.caseId, now);
  if (!c || c.journey.journeyNo !== state.journeyNo) return false;
  const claim = c.journey.claim;
  if (claim?.stepNo === prev.stepNo && (await getEvent(c.caseId, claim.at, `send-${c.journey.journeyNo}-${prev.stepNo}`))) return false;
  const at = now.toISOString();
  await mutateCase(c.caseId, now, (cur) => [{ type: 'step_failed', at, stepNo: prev.stepNo, channel: prev.channel, kind: 'send_failed' }]);
  await appendEvent(c.caseId, {
    eventId: `sendfail-${state.journeyNo}-${prev.stepNo}`,
    at,
    type: 'send_failed',
    channel: prev.channel,
    detail: `${prev.channel} failed after retries (${state.error.Error}${causeMessage(state.error.Cause)}); moving on.`,
    dossierIds: prev.dossierIds,
    stepNo: prev.stepNo,
  });
  return true;
}
