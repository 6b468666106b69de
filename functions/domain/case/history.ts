/**
 * The legacy fold: a whole timeline (the first version's decision input) folded into the case's bounded facts,
 * event by event in time order, exactly as the first version read it. Used by the tests written against that
 * input, and once per old case by the lazy upgrade (functions/services/upgrade.ts).
 *
 * Reading rules kept from the first version:
 *  - contacts are 'sent' and 'call_task' events; their phase comes from data.phase or the template id
 *    "<channel>/<phase>/<tone>"; this journey's are those tagged with its data.journeyNo, or untagged ones after
 *    the last 'journey_ended';
 *  - arrival evidence (delivered/opened/clicked, an opt-out reply) belongs to the latest earlier contact with the
 *    same step number when both carry one, else to the latest earlier contact on the same channel;
 *  - a bounce or failure marks every earlier contact on its channel (with its step number, when it has one) returned;
 *  - payments are 'payment' events with data { amount, dossierId, paidAt? }; what a dossier's `paid` holds beyond
 *    them is undated and counts from the earliest undescribed payment event, or else from the 14-day letter.
 */
import { localDate } from '../calendar.js';
import type { DecisionInput, HistoryEvent } from '../decision.js';
import { CAPACITY_CALLS, CAPACITY_REPLIES, REACHED_CALL_OUTCOMES } from '../signals.js';
import { type Channel, type Phase, isChannel, isPhase, isTone } from '../vocabulary.js';
import {
  type CaseFacts,
  type ContactFact,
  type DossierFacts,
  emptySignals,
  emptyTotals,
  isOptOut,
  markContact,
  recordCallOutcome,
  recordContact,
  recordFailure,
  recordReaction,
} from './facts.js';

/** The history in time order (stable), without events later than `now`. */
export function orderedHistory(history: readonly HistoryEvent[], now: Date): HistoryEvent[] {
  const t = now.getTime();
  return history
    .map((e, i) => ({ e, i, at: Date.parse(e.at) }))
    .filter((x) => Number.isFinite(x.at) && x.at <= t)
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.e);
}

export const isContactEvent = (e: HistoryEvent): boolean => e.type === 'sent' || e.type === 'call_task';
const intentOf = (e: HistoryEvent) => (typeof e.data?.intent === 'string' ? e.data.intent : undefined);
const outcomeOf = (e: HistoryEvent) => (typeof e.data?.outcome === 'string' ? e.data.outcome : undefined);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

type LooseEvent = HistoryEvent & { template?: string; tone?: string; dossierIds?: string[] };

/** A 'sent' or 'call_task' event as a contact. */
export function contactOf(e: HistoryEvent): ContactFact {
  const le = e as LooseEvent;
  const template = typeof e.data?.template === 'string' ? e.data.template : le.template;
  const parts = typeof template === 'string' ? template.split('/') : [];
  const phase: Phase | undefined = isPhase(e.data?.phase) ? e.data.phase : isPhase(parts[1]) ? parts[1] : undefined;
  const tone = e.data?.tone ?? le.tone ?? parts[2];
  const channel: Channel = isChannel(e.channel) ? e.channel : e.type === 'call_task' ? 'call' : isChannel(parts[0]) ? parts[0] : 'letter';
  const dossierIds = strings(e.data?.dossierIds) ?? strings(le.dossierIds);
  return {
    at: e.at,
    channel,
    ...(phase ? { phase } : {}),
    ...(isTone(tone) ? { tone } : {}),
    ...(e.stepNo !== undefined ? { stepNo: e.stepNo } : {}),
    ...(typeof e.data?.journeyNo === 'number' ? { journeyNo: e.data.journeyNo } : {}),
    ...(dossierIds ? { dossierIds } : {}),
  };
}

/** Folds a legacy decision input into the facts a decision reads. */
export function factsFromHistory(input: DecisionInput): CaseFacts {
  const history = orderedHistory(input.history, input.now);
  const journeyNo = input.journey.journeyNo;
  const lastEnd = history.reduce((at, e, i) => (e.type === 'journey_ended' ? i : at), -1);
  const inJourney = (e: HistoryEvent, i: number) => (typeof e.data?.journeyNo === 'number' ? e.data.journeyNo === journeyNo : i > lastEnd);
  let f: CaseFacts = {
    debtor: input.debtor,
    dossiers: input.dossiers.map((d) => ({ ...d })),
    journey: { journeyNo, stepNo: input.journey.stepNo, startedAt: input.journey.startedAt, contacts: [], failures: [] },
    contacts: [],
    signals: emptySignals(),
    totals: emptyTotals(),
    ...(input.lastError ? { lastError: input.lastError } : {}),
  };
  const journeyContacts: ContactFact[] = [];
  history.forEach((e, i) => {
    f = foldEvent(f, e, inJourney(e, i), journeyContacts);
  });
  f = { ...f, journey: { ...f.journey, contacts: journeyContacts, stepNo: input.journey.stepNo, ...(input.journey.lastContactAt ? { lastContactAt: input.journey.lastContactAt } : {}) } };
  return { ...f, dossiers: withPayments(f.dossiers, history) };
}

function foldEvent(f: CaseFacts, e: HistoryEvent, inJourney: boolean, journeyContacts: ContactFact[]): CaseFacts {
  const at = e.at;
  switch (e.type) {
    case 'sent':
    case 'call_task': {
      const c = contactOf(e);
      const next = recordContact(f, c);
      if (inJourney) journeyContacts.push(c);
      return { ...next, journey: f.journey };
    }
    case 'delivered':
    case 'opened':
      return arrivedFor(withLetterDelivery(f, e), e);
    case 'clicked':
      return recordReaction(arrivedFor(f, e), { at, type: 'clicked' });
    case 'bounced':
    case 'failed':
      return returnedFor({ ...f, totals: { ...f.totals, undeliverable: f.totals.undeliverable + 1 } }, e);
    case 'replied':
      return foldReply(f, e);
    case 'payment':
    case 'paid':
      return recordReaction({ ...f, signals: { ...f.signals, lastPaymentAt: at } }, { at, type: 'payment' });
    case 'call_outcome':
      return foldCallOutcome(f, e);
    case 'send_failed':
      return inJourney && isChannel(e.channel) ? { ...f, journey: recordFailure(f.journey, at, e.channel) } : f;
    default:
      return f;
  }
}

function foldReply(f: CaseFacts, e: HistoryEvent): CaseFacts {
  const intent = intentOf(e) ?? 'other';
  if (isOptOut(intent)) return arrivedFor(f, e);
  let signals = { ...f.signals };
  if (CAPACITY_REPLIES[intent]) signals.latestStatement = { at: e.at, kind: 'capacity', source: 'reply', code: intent };
  else if (intent === 'promise_to_pay') signals.latestStatement = { at: e.at, kind: 'promise', source: 'reply', code: intent };
  if (intent === 'promise_to_pay' || intent === 'already_paid') signals.grace = { at: e.at, kind: intent === 'already_paid' ? 'already_paid' : 'promise' };
  if (intent === 'debt_help') signals.debtHelpReplyAt ??= e.at;
  signals = { ...signals };
  return recordReaction({ ...f, signals }, { at: e.at, type: 'replied', code: intent });
}

function foldCallOutcome(f: CaseFacts, e: HistoryEvent): CaseFacts {
  const outcome = outcomeOf(e);
  if (outcome === undefined) return f;
  let signals = recordCallOutcome(f.signals, e.at, outcome);
  if (CAPACITY_CALLS[outcome]) signals = { ...signals, latestStatement: { at: e.at, kind: 'capacity', source: 'call', code: outcome } };
  else if (outcome === 'promise_to_pay') signals = { ...signals, latestStatement: { at: e.at, kind: 'promise', source: 'call', code: outcome }, grace: { at: e.at, kind: 'promise' } };
  if (outcome === 'vulnerable') signals = { ...signals, vulnerableCallAt: e.at };
  const next = { ...f, signals };
  return REACHED_CALL_OUTCOMES.has(outcome) ? recordReaction(next, { at: e.at, type: 'call_outcome', code: outcome }) : next;
}

/** Evidence that a contact arrived belongs to the latest earlier contact with its step number, else on its channel. */
function arrivedFor(f: CaseFacts, e: HistoryEvent): CaseFacts {
  const t = Date.parse(e.at);
  const earlier = f.contacts.filter((c) => Date.parse(c.at) <= t);
  const target = [...earlier].reverse().find((c) => {
    if (e.stepNo !== undefined && c.stepNo !== undefined) return c.stepNo === e.stepNo && (e.channel === undefined || e.channel === c.channel);
    return e.channel === c.channel;
  });
  if (!target) return f;
  // "until the next contact with the same step / on the same channel": only the latest earlier one qualifies
  const byStep = e.stepNo !== undefined && target.stepNo !== undefined;
  const sameKey = earlier.filter((c) => (byStep ? c.stepNo === e.stepNo : c.channel === target.channel));
  if (sameKey.at(-1) !== target) return f;
  return markContact(f, (c) => c === target, { arrived: true });
}

function returnedFor(f: CaseFacts, e: HistoryEvent): CaseFacts {
  const t = Date.parse(e.at);
  return markContact(f, (c) => c.channel === e.channel && Date.parse(c.at) <= t && (e.stepNo === undefined || e.stepNo === c.stepNo), { returned: true });
}

/** A proven delivery of a letter dates the receipt of the 14-day letter it belongs to. */
function withLetterDelivery(f: CaseFacts, e: HistoryEvent): CaseFacts {
  if (e.type !== 'delivered' || e.channel !== 'letter') return f;
  const t = Date.parse(e.at);
  const date = localDate(new Date(t));
  return {
    ...f,
    dossiers: f.dossiers.map((d) =>
      d.letter && !d.letter.delivered && t >= Date.parse(d.letter.at) && (d.letter.stepNo === undefined || e.stepNo === d.letter.stepNo)
        ? { ...d, letter: { ...d.letter, delivered: date } }
        : d,
    ),
  };
}

/** Dated payments per dossier from 'payment' events; what `paid` holds beyond them stays undated. */
function withPayments(dossiers: DossierFacts[], history: readonly HistoryEvent[]): DossierFacts[] {
  return dossiers.map((d) => {
    if (d.payments) return d;
    const payments: Array<{ amount: number; at?: string }> = [];
    let known = 0;
    let firstUndated: string | undefined;
    for (const e of history) {
      if (e.type !== 'payment') continue;
      const amount = e.data?.amount;
      const ids = typeof e.data?.dossierId === 'string' ? [e.data.dossierId] : (strings(e.data?.dossierIds) ?? strings((e as LooseEvent).dossierIds));
      if (typeof amount === 'number' && Number.isSafeInteger(amount) && amount > 0 && ids?.length === 1) {
        if (ids[0] === d.dossierId) {
          payments.push({ amount, at: typeof e.data?.paidAt === 'string' ? e.data.paidAt : e.at });
          known += amount;
        }
      } else firstUndated ??= e.at;
    }
    const rest = d.paid - known;
    if (rest > 0) payments.push({ amount: rest, ...(firstUndated ? { at: firstUndated } : {}) });
    return { ...d, payments };
  });
}
