/**
 * Segmentation: why has this debtor not paid? Pure: DecisionInput in (with `now`), a segment and readable
 * reasons out. The reasons go to the decision log, the call task and the debtor view, so they read as sentences.
 *
 * It reads the case's bounded facts (case/facts.ts), kept up to date as things happen — never the timeline.
 * Facts (every result starts with the first two):
 *   - the open claims: how many, and the outstanding total (principal + costs − paid, integer cents);
 *   - the age of the debt: whole days from the oldest open claim's due date to `now` (Europe/Amsterdam days);
 *   - contacts: messages, letters and call tasks, in every journey of this debtor (totals.contacts);
 *   - arrival: a contact arrived when a delivered/opened/clicked status (or an opt-out reply) came for it, or, for
 *     a letter that was not returned, once its presumed receipt date has come (costs.presumedReceipt);
 *   - reactions: a reply (any intent except an opt-out), a click, a payment, a call outcome in which the agent
 *     reached the debtor (reached, promise_to_pay, arrangement_requested, cannot_pay, dispute) — signals.lastReaction;
 *   - undeliverable: bounced/failed statuses and the debtor's unusable contact points.
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
import type { CaseFacts, ContactFact, Reaction, Statement } from './case/facts.js';
import { SEGMENTS, type Channel, type Segment } from './vocabulary.js';
import { euro } from './money.js';
// what flags, replies and call outcomes mean: the case model's vocabulary too (the reducer reads it)
import { CANNOT_PAY_FLAGS, CAPACITY_CALLS, CAPACITY_REPLIES, DEBT_RELIEF_FLAGS, VULNERABLE_FLAGS } from './signals.js';

export { SEGMENTS };
export type { Segment };

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

const DAY = 86_400_000;

export { euro };

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const day = (iso: string) => localDate(new Date(iso));

/** Did this contact demonstrably arrive by `today`? A letter that was not returned arrives on its presumed receipt. */
export function hasArrived(c: ContactFact, today: string): boolean {
  if (c.arrived) return true;
  return c.channel === 'letter' && !c.returned && presumedReceipt(new Date(c.at)) <= today;
}

// ---------------------------------------------------------------------------------------------------
// Segmentation
// ---------------------------------------------------------------------------------------------------

export function segment(f: CaseFacts, now: Date): SegmentResult {
  const { segment: s, reasons } = segmentWithEvidence(f, now);
  return { segment: s, reasons };
}

export function segmentWithEvidence(f: CaseFacts, now: Date): SegmentEvidence {
  const today = localDate(now);
  const flags = new Set(f.debtor.flags);
  const facts = claimFacts(f, today);
  const result = (segment: Segment, rule: SegmentEvidence['rule'], reasons: string[], since?: string): SegmentEvidence => ({
    segment,
    rule,
    reasons: [...facts.reasons, ...reasons],
    ...(since ? { since } : {}),
  });

  // --- 1. vulnerable -------------------------------------------------------------------------------
  const vulnerable = Object.keys(VULNERABLE_FLAGS).filter((flag) => flags.has(flag));
  const vulnerableCall = f.signals.vulnerableCallAt;
  if (vulnerable.length || vulnerableCall) {
    const why = vulnerable.map((flag) => `debtor ${VULNERABLE_FLAGS[flag]}`);
    if (vulnerableCall) why.push(`an agent marked the debtor vulnerable on ${day(vulnerableCall)}`);
    return result('vulnerable', 'vulnerable', [...why, 'a person decides before any escalation']);
  }

  // --- 2. debt relief --------------------------------------------------------------------------------
  const relief = Object.keys(DEBT_RELIEF_FLAGS).filter((flag) => flags.has(flag));
  if (relief.length) return result('cannot_pay', 'debt_relief', relief.map((flag) => `debtor ${DEBT_RELIEF_FLAGS[flag]}`));

  // --- 3. the latest capacity / willingness statement -----------------------------------------------
  const latest = f.signals.latestStatement;
  if (latest?.kind === 'capacity') {
    return result('cannot_pay', 'latest_signal', [`${statementText(latest)} (the latest statement weighs most)`], latest.at);
  }
  if (latest?.kind === 'promise') {
    const at = Date.parse(latest.at);
    const paidSince = f.signals.lastPaymentAt !== undefined && Date.parse(f.signals.lastPaymentAt) > at;
    const ageDays = Math.floor((now.getTime() - at) / DAY);
    if (!paidSince && ageDays > BROKEN_PROMISE_DAYS) {
      return result(
        'will_not_pay',
        'latest_signal',
        [`${statementText(latest)} but no payment in the ${ageDays} days since: broken promise`],
        new Date(at + BROKEN_PROMISE_DAYS * DAY).toISOString(),
      );
    }
    return result(
      'unknown',
      'latest_signal',
      [paidSince ? `${statementText(latest)} and paid since` : `${statementText(latest)} (${plural(ageDays, 'day')} ago): giving it time`],
      latest.at,
    );
  }

  // --- 4. flags pointing at a lack of means -----------------------------------------------------------
  const means = Object.keys(CANNOT_PAY_FLAGS).filter((flag) => flags.has(flag));
  if (means.length) return result('cannot_pay', 'flag', means.map((flag) => `debtor ${CANNOT_PAY_FLAGS[flag]}`));

  // --- engagement --------------------------------------------------------------------------------------
  const e = engagement(f, today);

  // --- 5. ignored ----------------------------------------------------------------------------------------
  if (e.arrivedSinceReaction >= IGNORED_CONTACTS_FOR_WILL_NOT_PAY) {
    return result('will_not_pay', 'ignored', [
      `messages delivered but no reaction after ${plural(e.arrivedSinceReaction, 'contact')} (${e.channelsSinceReaction.join(', ')})` +
        (e.lastReaction ? ` since the last reaction on ${day(e.lastReaction.at)}` : ''),
    ]);
  }

  // --- 6. unaware ------------------------------------------------------------------------------------------
  const unusable = f.debtor.unusable;
  if (!e.lastReaction && e.arrivedEver === 0) {
    const contacts = f.totals.contacts;
    if (contacts > 0 && (f.totals.undeliverable > 0 || unusable.length > 0)) {
      const why: string[] = [`${plural(contacts, 'contact')} so far, none confirmed to have arrived`];
      if (f.totals.undeliverable) why.push(`${plural(f.totals.undeliverable, 'message')} bounced or failed`);
      if (unusable.length) why.push(`unusable: ${unusable.join(', ')}`);
      why.push('we are probably not reaching the debtor');
      return result('unaware', 'unreachable', why);
    }
    const young = facts.overdueDays !== undefined && facts.overdueDays <= UNAWARE_MAX_OVERDUE_DAYS;
    const few = facts.openClaims > 0 && facts.openClaims <= UNAWARE_MAX_OPEN_CLAIMS;
    const small = facts.outstanding < UNAWARE_MAX_OUTSTANDING_CENTS;
    const soFar = contacts ? `${plural(contacts, 'contact')} so far, none confirmed to have arrived` : 'no contact yet';
    if (young && few && small) return result('unaware', 'forgotten', [soFar, 'a recent, small bill: probably forgotten']);
    const not: string[] = [];
    if (!young) not.push(`more than ${UNAWARE_MAX_OVERDUE_DAYS} days overdue`);
    if (!few) not.push(`more than ${UNAWARE_MAX_OPEN_CLAIMS} open claims`);
    if (!small) not.push(`${euro(UNAWARE_MAX_OUTSTANDING_CENTS)} or more outstanding`);
    return result('unknown', 'no_signal', [soFar, `not simply forgotten: ${not.join(', ')}`]);
  }

  // --- 7. unknown --------------------------------------------------------------------------------------------
  const why: string[] = [];
  if (e.lastReaction) why.push(`last reaction on ${day(e.lastReaction.at)} (${reactionText(e.lastReaction)})`);
  why.push(`${plural(e.arrivedSinceReaction, 'contact')} arrived since${e.lastReaction ? '' : ' the start'}, no clear signal yet`);
  return result('unknown', 'no_signal', why);
}

/** The open claims: how many, what is outstanding, how old the oldest is. */
function claimFacts(f: CaseFacts, today: string) {
  const open = f.dossiers.filter((d) => d.status === 'open');
  const outstanding = open.reduce((s, d) => s + Math.max(0, d.principal + d.costs - d.paid), 0);
  const reasons = [open.length ? `${plural(open.length, 'open claim')}, ${euro(outstanding)} outstanding` : 'no open claims'];
  let overdueDays: number | undefined;
  if (open.length) {
    const oldest = open.map((d) => d.dueDate).sort()[0];
    overdueDays = daysBetween(oldest, today);
    reasons.push(overdueDays > 0 ? `oldest claim ${plural(overdueDays, 'day')} overdue` : 'not overdue yet');
  }
  return { reasons, openClaims: open.length, outstanding, overdueDays };
}

/** What arrived, and what arrived since the last reaction (the log plus what it already forgot). */
function engagement(f: CaseFacts, today: string) {
  const lastReaction = f.signals.lastReaction;
  const since = lastReaction ? Date.parse(lastReaction.at) : Number.NEGATIVE_INFINITY;
  const arrived = f.contacts.filter((c) => hasArrived(c, today));
  const arrivedSince = arrived.filter((c) => Date.parse(c.at) > since);
  const channels: Channel[] = [...f.totals.evictedChannelsSinceReaction];
  for (const c of arrivedSince) if (!channels.includes(c.channel)) channels.push(c.channel);
  return {
    lastReaction,
    arrivedEver: arrived.length + f.totals.evictedArrived,
    arrivedSinceReaction: arrivedSince.length + f.totals.evictedArrivedSinceReaction,
    channelsSinceReaction: channels,
  };
}

function statementText(s: Statement): string {
  if (s.source === 'reply') {
    if (s.kind === 'capacity') return `replied on ${day(s.at)}: ${CAPACITY_REPLIES[s.code]}`;
    return s.code === 'postpone' ? `asked on ${day(s.at)} to pay later, on a date they named` : `promised to pay on ${day(s.at)}`;
  }
  return s.kind === 'capacity' ? `call on ${day(s.at)}: ${CAPACITY_CALLS[s.code]}` : `promised an agent to pay on ${day(s.at)}`;
}

function reactionText(r: Reaction): string {
  if (r.type === 'replied') return `replied${r.code && r.code !== 'other' && r.code !== 'unclear' ? `: ${r.code.replace(/_/g, ' ')}` : ''}`;
  if (r.type === 'call_outcome') return `call: ${(r.code ?? '').replace(/_/g, ' ')}`;
  if (r.type === 'payment') return 'payment';
  return r.type;
}
