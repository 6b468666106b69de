/**
 * Timeline entries the journey writes about its own decisions: the decision log (with, for a debtor of several
 * creditors, the segment as each creditor's own facts show it), collection costs, the end of a journey.
 * Built here, written in one batch with whatever else the step writes.
 */
import { type CaseState, claimsOf, factsOf } from '../domain/case/state.js';
import { segmentWithEvidence } from '../domain/segmentation.js';
import type { DecisionLog, SendAction, WaitAction } from '../shared/schemas.js';
import type { NewEvent } from '../store/timeline.js';

/** Per creditor of a shared debtor: the segment and reasons from the facts that creditor may see. */
export function creditorViews(c: CaseState, now: Date): Record<string, { segment: string; segmentReasons: string[] }> | undefined {
  const clients = Object.keys(c.byClient);
  if (clients.length < 2) return undefined;
  const views: Record<string, { segment: string; segmentReasons: string[] }> = {};
  for (const clientId of clients) {
    const seg = segmentWithEvidence(factsOf(c, { clientId }), now);
    views[clientId] = { segment: seg.segment, segmentReasons: seg.reasons };
  }
  return views;
}

export function decisionEvent(c: CaseState, action: SendAction | WaitAction, log: DecisionLog, now: Date): NewEvent {
  const what =
    action.type === 'send' ? `Send ${action.channel} now (${action.phase}, ${action.tone} tone, ${action.language}).` : `Wait until ${action.until}.`;
  const open = claimsOf(c).filter((d) => d.status === 'open').map((d) => d.dossierId);
  const views = creditorViews(c, now);
  return {
    eventId: `dec-${c.journey.journeyNo}-${action.type === 'send' ? `s${action.stepNo}` : `w${action.until}`}-${action.seenEventSeq}`,
    at: log.at,
    type: 'decision',
    ...(action.type === 'send' ? { channel: action.channel, stepNo: action.stepNo } : {}),
    detail: `${what} Segment ${log.segment} (${log.segmentReasons.join('; ')}). Why: ${log.reasons.join('; ')}.`,
    dossierIds: action.type === 'send' ? action.dossierIds : open,
    data: {
      kind: action.type === 'send' ? 'send' : 'wait',
      reasons: log.reasons,
      segment: log.segment,
      segmentReasons: log.segmentReasons,
      journeyNo: c.journey.journeyNo,
      ...(action.type === 'send' ? { channel: action.channel, phase: action.phase, tone: action.tone, language: action.language } : { until: action.until }),
      ...(views ? { byClient: views } : {}),
    },
  };
}

export function costEvents(costs: ReadonlyArray<{ dossierId: string; costs: number; reason: string }> | undefined, at: string): NewEvent[] {
  return (costs ?? []).map((u) => ({
    eventId: `costs-${u.dossierId}-${u.costs}`,
    at,
    type: 'costs' as const,
    detail: `Collection costs set to ${u.costs} cents: ${u.reason}.`,
    dossierIds: [u.dossierId],
    data: { costs: u.costs },
  }));
}

export function expiredTaskEvent(t: { taskId: string; stepNo: number; dossierIds: string[]; at: string }): NewEvent {
  return {
    eventId: `callexp-${t.taskId}`,
    at: t.at,
    type: 'call_outcome',
    channel: 'call',
    detail: 'Call task not completed in time; the journey moves on.',
    dossierIds: t.dossierIds,
    stepNo: t.stepNo,
  };
}

/** The arrangement entries of a step: an offer made, a breach (a reminder is the message itself). */
export function arrangementEvents(c: Pick<CaseState, 'journey'>, action: SendAction | WaitAction, at: string): NewEvent[] {
  const a = action.arrangement?.proposed;
  if (!a) return [];
  const out: NewEvent[] = [];
  if (action.arrangement?.breach) {
    out.push({ eventId: `arr-breach-${a.id}`, at, type: 'arrangement', detail: `${action.arrangement.breach[0].toUpperCase()}${action.arrangement.breach.slice(1)}; the journey resumes.`, dossierIds: a.dossierIds, data: { arrangement: 'breached' } });
  }
  if (a.status === 'proposed' && action.type === 'send') {
    const options = (a.options ?? []).map((o, i) => `${i + 1}: ${o.months} × ${o.monthly} cents (${o.costsReason})`).join('; ');
    out.push({ eventId: `arr-offer-${a.id}`, at, type: 'arrangement', detail: `Payment arrangement offered (${options}).`, dossierIds: a.dossierIds, data: { arrangement: 'proposed', journeyNo: c.journey.journeyNo } });
  }
  return out;
}

/** What a state writes when it carries out a decision: its log entry (unless written already), its costs, the arrangement's entries. */
export function decisionRecords(c: CaseState, action: SendAction | WaitAction, now: Date): NewEvent[] {
  const at = action.log?.at ?? now.toISOString();
  return [...(action.log ? [decisionEvent(c, action, action.log, now)] : []), ...costEvents(action.costs, at), ...arrangementEvents(c, action, at)];
}
