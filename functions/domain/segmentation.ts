/**
 * Segmentation: why has this debtor not paid? Pure: DecisionInput in (with `now`), a segment and readable
 * reasons out. The reasons go to the decision log, the call task and the debtor view, so they read as sentences.
 *
 * Facts (every result starts with the first two):
 *   - the open claims: how many, and the outstanding total (principal + costs − paid, integer cents);
 *   - the age of the debt: whole days from the oldest open claim's due date to `now` (Europe/Amsterdam days);
 *   - contacts: 'sent' and 'call_task' events, in every journey of this debtor;
 *   - arrival: a contact arrived when a 'delivered'/'opened' event (or an opt-out reply) exists for it, or, for a
 *     letter that was not returned, once its presumed receipt date has come (costs.presumedReceipt);
 *   - reactions: a reply (any intent except an opt-out), a click, a payment, a call outcome in which the agent
 *     reached the debtor (reached, promise_to_pay, arrangement_requested, cannot_pay, dispute);
 *   - undeliverable: 'bounced'/'failed' events and the debtor's unusable contact points.
 *
 * Rules, the first that matches wins:
 *   1. vulnerable     a vulnerability flag (vulnerable, bewind, curatele, mentorschap) or an agent's call outcome
 *                     'vulnerable'. Protection outranks everything else.
 *   2. cannot_pay     a legal debt-relief status: flags debt_help_reported, wsnp, moratorium, schuldhulp
 *                     (Decide stops the journey for these; the segment still says why).
 *   3. latest signal  the most recent capacity or willingness statement decides — replies weigh by recency, so
 *                     "ik kan niet betalen" moves the debtor at once, and a later promise overrides an older
 *                     "cannot pay":
 *                       reply cannot_pay / arrangement / debt_help, call outcome cannot_pay /
 *                       arrangement_requested                                       → cannot_pay
 *                       promise to pay (reply or call), no payment since, older than
 *                       BROKEN_PROMISE_DAYS                                         → will_not_pay (broken promise)
 *                       a newer promise (or one followed by a payment)              → unknown (give it time)
 *   4. cannot_pay     flags cannot_pay_reported or beslag (income garnished by another creditor) with no later
 *                     statement that contradicts them (rule 3 already returned when there was one).
 *   5. will_not_pay   at least IGNORED_CONTACTS_FOR_WILL_NOT_PAY contacts arrived since the last reaction
 *                     (or ever, without one) and none got a reaction: "messages delivered but no reaction after
 *                     2 contacts".
 *   6. unaware        never any reaction, no contact has demonstrably arrived, and either
 *                       a) every sign points at unreachable contact points (bounces, failures, unusable points), or
 *                       b) the claim looks like a forgotten bill: at most UNAWARE_MAX_OPEN_CLAIMS open claims, less
 *                          than UNAWARE_MAX_OUTSTANDING_CENTS outstanding, at most UNAWARE_MAX_OVERDUE_DAYS overdue.
 *   7. unknown        no clear signal yet; the reasons say what we know.
 *
 * `segmentWithEvidence` also returns `since`: the time of the event that decided the segment (for rule 3), so
 * the strategy can tell "became cannot_pay just now" from "was cannot_pay all along".
 */
import { daysBetween, localDate } from './calendar.js';
import { presumedReceipt } from './costs.js';
import type { DecisionInput, HistoryEvent } from './decision.js';

export type Segment = 'cannot_pay' | 'will_not_pay' | 'unaware' | 'vulnerable' | 'unknown';
export const SEGMENTS: readonly Segment[] = ['cannot_pay', 'will_not_pay', 'unaware', 'vulnerable', 'unknown'];

export interface SegmentResult {
  segment: Segment;
  reasons: string[];
}

export interface SegmentEvidence extends SegmentResult {
  /** which rule decided (see the module comment) */
  rule: 'vulnerable' | 'debt_relief' | 'latest_signal' | 'flag' | 'ignored' | 'unreachable' | 'forgotten' | 'no_signal';
  /** ISO time of the event that decided the segment, when one did */
  since?: string;
}

export const UNAWARE_MAX_OVERDUE_DAYS = 30;
export const UNAWARE_MAX_OPEN_CLAIMS = 2;
export const UNAWARE_MAX_OUTSTANDING_CENTS = 1_000_00;
export const IGNORED_CONTACTS_FOR_WILL_NOT_PAY = 2;
export const BROKEN_PROMISE_DAYS = 14;

/** Flags that need a person's care. */
export const VULNERABLE_FLAGS: Readonly<Record<string, string>> = Object.freeze({
  vulnerable: 'marked vulnerable',
  bewind: 'under protective administration (beschermingsbewind)',
  curatele: 'under guardianship (curatele)',
  mentorschap: 'has a mentor (mentorschap)',
});

/** Debt-relief statuses: DESIGN §5 rule 10, all outreach stops and the case is referred. */
export const DEBT_RELIEF_FLAGS: Readonly<Record<string, string>> = Object.freeze({
  debt_help_reported: 'reported municipal debt help',
  schuldhulp: 'in municipal debt help (schuldhulpverlening)',
  wsnp: 'in the WSNP (statutory debt restructuring)',
  moratorium: 'under a moratorium',
});

/** Flags that point at a lack of means. */
export const CANNOT_PAY_FLAGS: Readonly<Record<string, string>> = Object.freeze({
  cannot_pay_reported: 'said they cannot pay',
  beslag: 'income garnished by another creditor (beslag)',
});

const CAPACITY_REPLIES: Readonly<Record<string, string>> = {
  cannot_pay: 'said they cannot pay',
  arrangement: 'asked for a payment arrangement',
  debt_help: 'reported debt help',
};
const CAPACITY_CALLS: Readonly<Record<string, string>> = {
  cannot_pay: 'told the agent they cannot pay',
  arrangement_requested: 'asked the agent for a payment arrangement',
};
const REACHED_CALL_OUTCOMES = new Set(['reached', 'promise_to_pay', 'arrangement_requested', 'cannot_pay', 'dispute', 'vulnerable']);
const OPT_OUT_INTENTS = new Set(['opt_out', 'opt_out_all']);

const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------------
// Small helpers shared with the strategy
// ---------------------------------------------------------------------------------------------------

/** The history in time order (stable), without events later than `now`. */
export function orderedHistory(history: readonly HistoryEvent[], now: Date): HistoryEvent[] {
  const t = now.getTime();
  return history
    .map((e, i) => ({ e, i, at: Date.parse(e.at) }))
    .filter((x) => Number.isFinite(x.at) && x.at <= t)
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.e);
}

/** A contact with the debtor: a message or letter sent, or a call task for an agent. */
export function isContact(e: HistoryEvent): boolean {
  return e.type === 'sent' || e.type === 'call_task';
}

export function intentOf(e: HistoryEvent): string | undefined {
  const v = e.data?.intent;
  return typeof v === 'string' ? v : undefined;
}

export function outcomeOf(e: HistoryEvent): string | undefined {
  const v = e.data?.outcome;
  return typeof v === 'string' ? v : undefined;
}

/** "€1,234.56" */
export function euro(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}€${whole}.${String(abs % 100).padStart(2, '0')}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const day = (iso: string) => localDate(new Date(iso));

/** Did the debtor react (to the claim, not just to a channel)? */
function isReaction(e: HistoryEvent): boolean {
  switch (e.type) {
    case 'replied':
      return !OPT_OUT_INTENTS.has(intentOf(e) ?? '');
    case 'clicked':
    case 'payment':
    case 'paid':
      return true;
    case 'call_outcome':
      return REACHED_CALL_OUTCOMES.has(outcomeOf(e) ?? '');
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// Segmentation
// ---------------------------------------------------------------------------------------------------

export function segment(input: DecisionInput): SegmentResult {
  const { segment: s, reasons } = segmentWithEvidence(input);
  return { segment: s, reasons };
}

export function segmentWithEvidence(input: DecisionInput): SegmentEvidence {
  const now = input.now;
  const today = localDate(now);
  const history = orderedHistory(input.history, now);
  const flags = new Set(input.debtor.flags);

  // --- facts ---------------------------------------------------------------------------------------
  const open = input.dossiers.filter((d) => d.status === 'open');
  const outstanding = open.reduce((s, d) => s + Math.max(0, d.principal + d.costs - d.paid), 0);
  const facts: string[] = [];
  facts.push(open.length ? `${plural(open.length, 'open claim')}, ${euro(outstanding)} outstanding` : 'no open claims');
  let overdueDays: number | undefined;
  if (open.length) {
    const oldest = open.map((d) => d.dueDate).sort()[0];
    overdueDays = daysBetween(oldest, today);
    facts.push(overdueDays > 0 ? `oldest claim ${plural(overdueDays, 'day')} overdue` : 'not overdue yet');
  }
  const result = (segment: Segment, rule: SegmentEvidence['rule'], reasons: string[], since?: string): SegmentEvidence => ({
    segment,
    rule,
    reasons: [...facts, ...reasons],
    ...(since ? { since } : {}),
  });

  // --- 1. vulnerable -------------------------------------------------------------------------------
  const vulnerable = Object.keys(VULNERABLE_FLAGS).filter((f) => flags.has(f));
  const vulnerableCall = [...history].reverse().find((e) => e.type === 'call_outcome' && outcomeOf(e) === 'vulnerable');
  if (vulnerable.length || vulnerableCall) {
    const why = vulnerable.map((f) => `debtor ${VULNERABLE_FLAGS[f]}`);
    if (vulnerableCall) why.push(`an agent marked the debtor vulnerable on ${day(vulnerableCall.at)}`);
    return result('vulnerable', 'vulnerable', [...why, 'a person decides before any escalation']);
  }

  // --- 2. debt relief --------------------------------------------------------------------------------
  const relief = Object.keys(DEBT_RELIEF_FLAGS).filter((f) => flags.has(f));
  if (relief.length) return result('cannot_pay', 'debt_relief', relief.map((f) => `debtor ${DEBT_RELIEF_FLAGS[f]}`));

  // --- 3. the latest capacity / willingness statement -----------------------------------------------
  let latest: { e: HistoryEvent; kind: 'capacity' | 'promise'; what: string } | undefined;
  for (const e of history) {
    if (e.type === 'replied') {
      const intent = intentOf(e) ?? '';
      if (CAPACITY_REPLIES[intent]) latest = { e, kind: 'capacity', what: `replied on ${day(e.at)}: ${CAPACITY_REPLIES[intent]}` };
      else if (intent === 'promise_to_pay') latest = { e, kind: 'promise', what: `promised to pay on ${day(e.at)}` };
    } else if (e.type === 'call_outcome') {
      const outcome = outcomeOf(e) ?? '';
      if (CAPACITY_CALLS[outcome]) latest = { e, kind: 'capacity', what: `call on ${day(e.at)}: ${CAPACITY_CALLS[outcome]}` };
      else if (outcome === 'promise_to_pay') latest = { e, kind: 'promise', what: `promised an agent to pay on ${day(e.at)}` };
    }
  }
  if (latest?.kind === 'capacity') {
    return result('cannot_pay', 'latest_signal', [`${latest.what} (the latest statement weighs most)`], latest.e.at);
  }
  if (latest?.kind === 'promise') {
    const at = Date.parse(latest.e.at);
    const paidSince = history.some((e) => (e.type === 'payment' || e.type === 'paid') && Date.parse(e.at) > at);
    const ageDays = Math.floor((now.getTime() - at) / DAY);
    if (!paidSince && ageDays > BROKEN_PROMISE_DAYS) {
      return result(
        'will_not_pay',
        'latest_signal',
        [`${latest.what} but no payment in the ${ageDays} days since: broken promise`],
        new Date(at + BROKEN_PROMISE_DAYS * DAY).toISOString(),
      );
    }
    return result(
      'unknown',
      'latest_signal',
      [paidSince ? `${latest.what} and paid since` : `${latest.what} (${plural(ageDays, 'day')} ago): giving it time`],
      latest.e.at,
    );
  }

  // --- 4. flags pointing at a lack of means -----------------------------------------------------------
  const means = Object.keys(CANNOT_PAY_FLAGS).filter((f) => flags.has(f));
  if (means.length) return result('cannot_pay', 'flag', means.map((f) => `debtor ${CANNOT_PAY_FLAGS[f]}`));

  // --- engagement --------------------------------------------------------------------------------------
  const contacts = history.filter(isContact);
  const reactions = history.filter(isReaction);
  const lastReaction = reactions.at(-1);
  const undeliverable = history.filter((e) => e.type === 'bounced' || e.type === 'failed');
  const arrivedSteps = arrivals(history, now);
  const since = lastReaction ? Date.parse(lastReaction.at) : Number.NEGATIVE_INFINITY;
  const contactsSince = contacts.filter((c) => Date.parse(c.at) > since);
  const arrivedSince = contactsSince.filter((c) => arrivedSteps.has(c));

  // --- 5. ignored ----------------------------------------------------------------------------------------
  if (arrivedSince.length >= IGNORED_CONTACTS_FOR_WILL_NOT_PAY) {
    const channels = [...new Set(arrivedSince.map((c) => c.channel ?? 'message'))].join(', ');
    return result('will_not_pay', 'ignored', [
      `messages delivered but no reaction after ${plural(arrivedSince.length, 'contact')} (${channels})` +
        (lastReaction ? ` since the last reaction on ${day(lastReaction.at)}` : ''),
    ]);
  }

  // --- 6. unaware ------------------------------------------------------------------------------------------
  const unusable = input.debtor.unusable;
  if (!lastReaction && arrivedSteps.size === 0) {
    if (contacts.length > 0 && (undeliverable.length > 0 || unusable.length > 0)) {
      const why: string[] = [`${plural(contacts.length, 'contact')} so far, none confirmed to have arrived`];
      if (undeliverable.length) why.push(`${plural(undeliverable.length, 'message')} bounced or failed`);
      if (unusable.length) why.push(`unusable: ${unusable.join(', ')}`);
      why.push('we are probably not reaching the debtor');
      return result('unaware', 'unreachable', why);
    }
    const young = overdueDays !== undefined && overdueDays <= UNAWARE_MAX_OVERDUE_DAYS;
    const few = open.length > 0 && open.length <= UNAWARE_MAX_OPEN_CLAIMS;
    const small = outstanding < UNAWARE_MAX_OUTSTANDING_CENTS;
    if (young && few && small) {
      return result('unaware', 'forgotten', [
        contacts.length ? `${plural(contacts.length, 'contact')} so far, none confirmed to have arrived` : 'no contact yet',
        'a recent, small bill: probably forgotten',
      ]);
    }
    const not: string[] = [];
    if (!young) not.push(`more than ${UNAWARE_MAX_OVERDUE_DAYS} days overdue`);
    if (!few) not.push(`more than ${UNAWARE_MAX_OPEN_CLAIMS} open claims`);
    if (!small) not.push(`${euro(UNAWARE_MAX_OUTSTANDING_CENTS)} or more outstanding`);
    return result('unknown', 'no_signal', [
      contacts.length ? `${plural(contacts.length, 'contact')} so far, none confirmed to have arrived` : 'no contact yet',
      `not simply forgotten: ${not.join(', ')}`,
    ]);
  }

  // --- 7. unknown --------------------------------------------------------------------------------------------
  const why: string[] = [];
  if (lastReaction) why.push(`last reaction on ${day(lastReaction.at)} (${reactionText(lastReaction)})`);
  why.push(`${plural(arrivedSince.length, 'contact')} arrived since${lastReaction ? '' : ' the start'}, no clear signal yet`);
  return result('unknown', 'no_signal', why);
}

function reactionText(e: HistoryEvent): string {
  if (e.type === 'replied') return `replied${intentOf(e) && intentOf(e) !== 'other' ? `: ${intentOf(e)!.replace(/_/g, ' ')}` : ''}`;
  if (e.type === 'call_outcome') return `call: ${(outcomeOf(e) ?? '').replace(/_/g, ' ')}`;
  if (e.type === 'payment' || e.type === 'paid') return 'payment';
  return e.type;
}

/**
 * The contacts that demonstrably arrived: a delivered/opened/clicked event (or an opt-out reply on the same
 * channel) after them — matched on stepNo when both carry one, else on the channel — or, for a letter that was
 * not returned, its presumed receipt date has come.
 */
function arrivals(history: readonly HistoryEvent[], now: Date): Set<HistoryEvent> {
  const out = new Set<HistoryEvent>();
  const contacts = history.filter(isContact);
  const today = localDate(now);
  for (let i = 0; i < contacts.length; i++) {
    const c = contacts[i];
    const from = Date.parse(c.at);
    // evidence belongs to this contact until the next contact on the same channel (or with the same step number:
    // step numbers start again in every journey)
    const next = contacts.slice(i + 1).find((n) => n.channel === c.channel);
    const until = next ? Date.parse(next.at) : Number.POSITIVE_INFINITY;
    const nextSameStep = c.stepNo === undefined ? undefined : contacts.slice(i + 1).find((n) => n.stepNo === c.stepNo);
    const untilStep = nextSameStep ? Date.parse(nextSameStep.at) : Number.POSITIVE_INFINITY;
    const evidence = history.filter((e) => {
      const at = Date.parse(e.at);
      if (at < from) return false;
      const proof =
        e.type === 'delivered' || e.type === 'opened' || e.type === 'clicked' || (e.type === 'replied' && OPT_OUT_INTENTS.has(intentOf(e) ?? ''));
      if (!proof) return false;
      if (e.stepNo !== undefined && c.stepNo !== undefined) return e.stepNo === c.stepNo && at < untilStep && (e.channel === undefined || e.channel === c.channel);
      return e.channel === c.channel && at < until;
    });
    const returned = history.some(
      (e) => (e.type === 'bounced' || e.type === 'failed') && e.channel === c.channel && Date.parse(e.at) >= from && (e.stepNo === undefined || e.stepNo === c.stepNo),
    );
    if (evidence.length) out.add(c);
    else if (c.channel === 'letter' && !returned && presumedReceipt(new Date(c.at)) <= today) out.add(c);
  }
  return out;
}
