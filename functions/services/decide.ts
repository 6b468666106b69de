/**
 * The Decide step: load the case from the store (so a journey can always resume from what is stored),
 * let the domain decide, write the decision log, and hand the action to the state machine.
 */
import type { Decision, DecisionInput } from '../domain/decision.js';
import { decideWithStrategy, type StrategyDecision } from '../domain/strategy-decide.js';
import { currentStrategy } from './strategy-source.js';
import { logger } from '../shared/logger.js';
import { metrics } from '../shared/metrics.js';
import type { Action, JourneyState } from '../shared/schemas.js';
import { type Case, closeCase, getCase, markContact, saveDecision } from '../store/cases.js';
import { getDebtor } from '../store/debtors.js';
import { type Client, getClient } from '../store/clients.js';
import { dossiersOfDebtor, setCosts, setDossierStatus } from '../store/dossiers.js';
import { closeTask, getTask, taskIdFor, tasksWithStatus } from '../store/tasks.js';
import { getSend } from '../store/sends.js';
import { appendEvent, caseTimeline } from '../store/timeline.js';

/** Step Functions task timeouts stay well inside a year. */
const MAX_AWAIT_S = 300 * 86400;

const seconds = (from: Date, to: Date) => Math.min(MAX_AWAIT_S, Math.max(1, Math.ceil((to.getTime() - from.getTime()) / 1000)));

export async function decide(state: JourneyState, now: Date): Promise<JourneyState> {
  const at = now.toISOString();
  const { caseId, journeyNo } = state;
  await settlePreviousStep(state, at);

  for (let attempt = 0; attempt < 5; attempt++) {
    const c = await getCase(caseId);
    if (!c || c.journeyNo !== journeyNo || c.status !== 'active') {
      // Closed by an earlier attempt that may have crashed before finishing: finishing again is idempotent.
      if (c?.journeyNo === journeyNo && c.closing) await finish(c, c.closing);
      return { caseId, journeyNo, action: { type: 'done', reason: 'journey closed or superseded' } };
    }
    const input = await loadInput(c, now, state);
    const decision = decideWithStrategy(input, currentStrategy());
    const action = toAction(decision, c, now);
    await applyCosts(c, decision, at);
    if (action.type === 'done') {
      // Only end if nothing happened since we looked; otherwise decide again with the news.
      const ending = decision as Extract<Decision, { kind: 'done' }>;
      const closing = {
        ...(ending.dossierStatus ? { dossierStatus: ending.dossierStatus } : {}),
        detail: `Journey ended: ${ending.reason}${ending.dossierStatus ? ` (dossiers ${ending.dossierStatus.replace('_', ' ')})` : ''}. ${ending.reasons.join('; ')}`,
        at,
      };
      if (!(await closeCase(caseId, journeyNo, c.eventSeq, action.reason, at, closing))) continue;
      metrics.journeyEnded(action.reason);
      await finish(c, closing);
      return { caseId, journeyNo, action };
    }
    await saveDecision(caseId, journeyNo, {
      phase: decision.kind === 'send' ? decision.phase : c.phase,
      segment: decision.segment,
      segmentReasons: decision.segmentReasons,
      nextContactAt: action.type === 'send' ? at : action.until,
    }, at);
    await logDecision(c, decision as Exclude<StrategyDecision, { kind: 'done' }>, input, at);
    return { caseId, journeyNo, action };
  }
  throw new Error(`case ${caseId} kept changing while deciding`);
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

/** What the previous step left behind: a failure to fail over from, a call task nobody completed. */
async function settlePreviousStep(state: JourneyState, at: string): Promise<void> {
  const prev = state.action;
  if (prev?.type !== 'send') return;
  // A step whose ledger already says sent or failed has its outcome on the timeline.
  const ledger = state.error ? await getSend(state.caseId, state.journeyNo, prev.stepNo) : undefined;
  if (state.error && ledger?.status !== 'sent' && ledger?.status !== 'failed') {
    await appendEvent(state.caseId, {
      eventId: `sendfail-${state.journeyNo}-${prev.stepNo}`,
      at,
      type: 'send_failed',
      channel: prev.channel,
      detail: `${prev.channel} failed after retries (${state.error.Error}${causeMessage(state.error.Cause)}); moving on.`,
      dossierIds: prev.dossierIds,
      stepNo: prev.stepNo,
    });
    await markContact(state.caseId, state.journeyNo, prev.stepNo, at);
  }
  if (prev.channel === 'call') {
    // Woken early (a reply, a payment) the task stays in the agents' queue; past its due time it expires.
    const task = await getTask(taskIdFor(state.caseId, state.journeyNo, prev.stepNo));
    if (!task || task.status !== 'open' || Date.parse(task.dueAt) > Date.parse(at)) return;
    const expired = await closeTask(task.taskId, 'expired', at);
    if (expired) {
      await appendEvent(state.caseId, {
        eventId: `callexp-${expired.taskId}`,
        at,
        type: 'call_outcome',
        channel: 'call',
        detail: 'Call task not completed in time; the journey moves on.',
        dossierIds: expired.dossierIds,
        stepNo: expired.stepNo,
      });
    }
  }
}

async function loadInput(c: Case, now: Date, state: JourneyState): Promise<DecisionInput> {
  const [debtor, dossiers, timeline] = await Promise.all([getDebtor(c.caseId), dossiersOfDebtor(c.caseId), caseTimeline(c.caseId)]);
  if (!debtor) throw new Error(`case ${c.caseId} has no debtor record`);
  const clients = new Map<string, Client | undefined>();
  for (const d of dossiers) if (!clients.has(d.clientId)) clients.set(d.clientId, await getClient(d.clientId));
  return {
    now,
    debtor: {
      consumer: debtor.consumer,
      language: debtor.language,
      hasEmail: !!debtor.email,
      hasPhone: !!debtor.phone,
      hasAddress: !!debtor.address,
      whatsappOptIn: debtor.whatsappOptIn,
      optOuts: debtor.optOuts,
      unusable: debtor.unusable,
      flags: debtor.flags,
      incomeSource: debtor.incomeSource,
      lastInboundAt: debtor.lastInboundAt,
    },
    dossiers: dossiers.map((d) => ({
      dossierId: d.dossierId,
      clientId: d.clientId,
      status: d.status,
      principal: d.principal,
      costs: d.costs,
      paid: d.paid,
      dueDate: d.dueDate,
      createdAt: d.createdAt,
      vatOnCosts: clients.get(d.clientId)?.vatOnCosts === true,
    })),
    journey: { journeyNo: c.journeyNo, stepNo: c.stepNo, startedAt: c.updatedAt, lastContactAt: c.lastContactAt },
    history: timeline.map((e) => ({
      at: e.at,
      type: e.type,
      channel: e.channel,
      stepNo: e.stepNo,
      template: e.template,
      tone: e.tone,
      dossierIds: e.dossierIds,
      data: e.data,
    })),
    lastError: state.error && state.action?.type === 'send' ? { channel: state.action.channel, stepNo: state.action.stepNo, error: state.error.Error } : undefined,
  };
}

function toAction(decision: Decision, c: Case, now: Date): Action {
  switch (decision.kind) {
    case 'done':
      return { type: 'done', reason: decision.reason };
    case 'wait':
      return { type: 'wait', awaitSeconds: seconds(now, decision.until), seenEventSeq: c.eventSeq, until: decision.until.toISOString() };
    case 'send':
      return {
        type: 'send',
        channel: decision.channel,
        stepNo: decision.stepNo,
        awaitSeconds: seconds(now, decision.nextDecisionAt),
        seenEventSeq: c.eventSeq,
        template: decision.template,
        tone: decision.tone,
        language: decision.language,
        phase: decision.phase,
        dossierIds: decision.dossierIds,
      };
  }
}

/** Collection costs the strategy says each dossier should now carry (WIK, after the 14-day term). */
async function applyCosts(c: Case, decision: StrategyDecision, at: string): Promise<void> {
  for (const update of decision.costs ?? []) {
    await setCosts(update.dossierId, update.costs, at);
    await appendEvent(c.caseId, {
      eventId: `costs-${update.dossierId}-${update.costs}`,
      at,
      type: 'costs',
      detail: `Collection costs set to ${update.costs} cents: ${update.reason}.`,
      dossierIds: [update.dossierId],
      data: { costs: update.costs },
    });
  }
}

async function logDecision(c: Case, decision: Exclude<StrategyDecision, { kind: 'done' }>, input: DecisionInput, at: string): Promise<void> {
  const openIds = input.dossiers.filter((d) => d.status === 'open').map((d) => d.dossierId);
  const what =
    decision.kind === 'send'
      ? `Send ${decision.channel} now (${decision.phase}, ${decision.tone} tone, ${decision.language}).`
      : `Wait until ${decision.until.toISOString()}.`;
  await appendEvent(c.caseId, {
    at,
    type: 'decision',
    channel: decision.kind === 'send' ? decision.channel : undefined,
    detail: `${what} Segment ${decision.segment} (${decision.segmentReasons.join('; ')}). Why: ${decision.reasons.join('; ')}.`,
    dossierIds: decision.kind === 'send' ? decision.dossierIds : openIds,
    stepNo: decision.kind === 'send' ? decision.stepNo : undefined,
    data: { kind: decision.kind, reasons: decision.reasons, segment: decision.segment, journeyNo: c.journeyNo },
  });
}

async function finish(c: Case, closing: NonNullable<Case['closing']>): Promise<void> {
  const dossiers = await dossiersOfDebtor(c.caseId);
  // No agent should call someone whose journey ended (paid, opted out, referred to debt help).
  for (const task of (await tasksWithStatus('open')).filter((t) => t.caseId === c.caseId)) await closeTask(task.taskId, 'expired', closing.at);
  if (closing.dossierStatus) {
    for (const d of dossiers) await setDossierStatus(d.dossierId, closing.dossierStatus, ['open'], closing.detail, closing.at);
  }
  await appendEvent(c.caseId, {
    eventId: `end-${c.journeyNo}`,
    at: closing.at,
    type: 'journey_ended',
    detail: closing.detail,
    dossierIds: dossiers.map((d) => d.dossierId),
  });
  logger.info('journey ended', { caseId: c.caseId, journeyNo: c.journeyNo });
}
