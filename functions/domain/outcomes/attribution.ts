/**
 * Attribution: what came back (an opened or clicked message, a reply with its intent, a promise or arrangement,
 * a payment) is attributed to the contacts before it within the outcome's window, and to the experiments the
 * debtor is in, within the metric's window from the exposure. Pure: applied by the case's reducer after every
 * event (case/events.ts), so the case itself remembers what was attributed — each contact at most once per
 * outcome kind (and, for a contact about several creditors' claims, at most once per creditor too, `oc`: each
 * creditor's counters take only the outcomes about its own claims), each experiment's outcome per debtor at most once — and the counters (./kpis.ts) follow from
 * the case before and after the event.
 *
 * Windows (../experiments/metrics.ts): a reaction or a reply counts for the contacts of the 7 days before it, a
 * promise or arrangement for 14 days, a payment for 30 days; recovered cents go to the last contact about the
 * paid claim within 60 days (last touch, so a payment is never counted twice). A contact is "before" an outcome
 * when it was sent at or before it. A provider's status (delivered, opened, clicked) counts for its own message only,
 * within 7 days of it; a status implies the ones before it (an open shows delivery, a click both), an open or a
 * click is a reaction too. A status arrives once per contact and kind, however often the provider repeats it.
 *
 * Replies per intent (the KPIs' `repliesByIntent`): each reply counts once with its intent (opt-outs included: they
 * are replies, though no reaction), to the last contact about its claims within 7 days before it (last touch, like
 * recovered cents); for a creditor, to the last such contact about its own claims among them.
 *
 * Which contacts: those about the claims the outcome concerns (a reply: the claims its number was given with,
 * case/reply-scope.ts; a payment: its claim). Old contacts without claim ids count as about every claim. Only journey
 * contacts are attributed to: the answers to replies (services/conversation.ts, `inReplyTo`) are not contacts of the
 * case, so they never count as a contact nor take an outcome, and their status callbacks find no contact.
 *
 * Payments (booked by services/payments.ts bookPayments, whether the creditor reported them or the debtor paid through
 * Mollie) are payments with their amount; a refund or chargeback subtracts its amount from the recovered cents of the
 * contact the payment went to (and from the experiment's cents), but the payment still counts as one (payment rate).
 * An arrangement accepted (by reply or on the debtor page, services/arrangements.ts) is a promise/arrangement.
 *
 * Replies (the classifier's intents, ../intents/): every reply but an opt-out is a reaction and a reply; a promise
 * to pay, a request for an arrangement, or a request to pay later that names a date (the reducer weighs it like a
 * promise) is also a promise/arrangement — whether it is the reply's intent or one it carries too (`also`).
 */
import type { CaseEvent } from '../case/events.js';
import { type ContactFact, isOptOut } from '../case/facts.js';
import type { CaseState, ExperimentAssignment } from '../case/state.js';
import { DAY_MS, KPI_WINDOW_DAYS, type OutcomeKind } from '../experiments/metrics.js';
import { REACHED_CALL_OUTCOMES } from '../signals.js';
import type { Intent } from '../vocabulary.js';

/** The letters a contact's `o` holds. */
export const OUTCOME_FLAG: Readonly<Record<OutcomeKind, string>> = Object.freeze({ reacted: 'r', replied: 'y', promised: 'p', paid: '$', delivered: 'v', opened: 'o', clicked: 'l' });

/** What a provider's status of a message is as outcomes (bounced and failed: none). */
const STATUS_KINDS: Readonly<Partial<Record<Extract<CaseEvent, { type: 'delivery' }>['status'], OutcomeKind[]>>> = Object.freeze({
  delivered: ['delivered'],
  opened: ['reacted', 'delivered', 'opened'],
  clicked: ['reacted', 'delivered', 'opened', 'clicked'],
});

/** Reply intents that are a promise or an arrangement (postpone only with a date: replyPromises). */
const PROMISE_INTENTS: ReadonlySet<Intent> = new Set(['promise_to_pay', 'arrangement']);
/** Call outcomes that are a promise or an arrangement. */
const PROMISE_CALLS: ReadonlySet<string> = new Set(['promise_to_pay', 'arrangement_requested']);

/** Is the reply a promise or an arrangement (request)? */
export function replyPromises(e: Pick<Extract<CaseEvent, { type: 'reply' }>, 'intent' | 'also' | 'promiseDate'>): boolean {
  const intents = [e.intent, ...(e.also ?? [])];
  return intents.some((i) => PROMISE_INTENTS.has(i as Intent)) || (intents.includes('postpone') && e.promiseDate !== undefined);
}

export interface Outcome {
  at: string;
  kinds: OutcomeKind[];
  /** the claims it is about; undefined: a status of one message (`step`) */
  dossierIds?: string[];
  step?: { journeyNo: number; stepNo: number; channel: string };
  /** a payment */
  cents?: number;
  /** a reply: its intent (counted once, to the last touch: `repliesByIntent`) */
  intent?: string;
}

/** What an event is as an outcome (undefined: not an outcome, or it changed nothing). */
export function outcomeOf(before: CaseState, after: CaseState, e: CaseEvent): Outcome | undefined {
  if (after === before) return undefined;
  switch (e.type) {
    case 'delivery': {
      const kinds = STATUS_KINDS[e.status];
      if (!kinds) return undefined;
      const step = { journeyNo: e.journeyNo, stepNo: e.stepNo, channel: e.channel };
      // only a journey contact's status counts (an answer to a reply, step 0, is none)
      const known = (c: ContactFact) => concerns(c, { step });
      return before.contacts.some(known) || before.journey.contacts.some(known) ? { at: e.at, kinds: [...kinds], step } : undefined;
    }
    case 'reply':
      // an opt-out is no reaction to the claim (the reducer says so too), but a reply with its intent
      if (isOptOut(e.intent)) return { at: e.at, kinds: [], dossierIds: e.dossierIds, intent: e.intent };
      return { at: e.at, kinds: ['reacted', 'replied', ...(replyPromises(e) ? (['promised'] as const) : [])], dossierIds: e.dossierIds, intent: e.intent };
    case 'payment':
      return { at: e.paidAt > e.at ? e.at : e.paidAt, kinds: ['reacted', 'paid'], dossierIds: [e.dossierId], cents: e.amount };
    case 'payment_reversed': {
      // Recovered cents are net of refunds and chargebacks: the amount taken back leaves the contact the payment's cents
      // went to — the last touch before the payment it reverses (the claim's latest dated payment, the one the reducer
      // takes back first). The payment itself stays a payment (the payment rate counts that one was made).
      const d = before.dossiers[e.dossierId];
      const taken = Math.min(d?.paid ?? 0, e.amount);
      if (!d || taken <= 0) return undefined;
      const paidAt = [...(d.payments ?? [])].reverse().find((p) => p.at !== undefined)?.at;
      return { at: paidAt && paidAt < e.at ? paidAt : e.at, kinds: [], dossierIds: [e.dossierId], cents: -taken };
    }
    case 'arrangement_accepted':
      // a plan chosen (by reply or on the page) is an arrangement, like a promise
      return { at: e.at, kinds: ['reacted', 'promised'], dossierIds: e.arrangement.dossierIds };
    case 'call_outcome':
      if (!REACHED_CALL_OUTCOMES.has(e.outcome)) return undefined;
      return { at: e.at, kinds: ['reacted', ...(PROMISE_CALLS.has(e.outcome) ? (['promised'] as const) : [])], dossierIds: e.dossierIds };
    default:
      return undefined;
  }
}

/** Is the contact one the outcome may be attributed to (about its claims, or the very message)? */
export function concerns(c: ContactFact, o: Pick<Outcome, 'dossierIds' | 'step'>): boolean {
  if (o.step) return c.stepNo === o.step.stepNo && c.channel === o.step.channel && (c.journeyNo === undefined || c.journeyNo === o.step.journeyNo);
  if (!c.dossierIds) return true;
  return c.dossierIds.some((id) => o.dossierIds!.includes(id));
}

/** The outcome kinds a contact gets from `o` (within each kind's window, not yet in `had`: attributed before). */
export function flagsFor(c: ContactFact, o: Outcome, had: string = c.o ?? ''): string {
  const t = Date.parse(o.at);
  const sent = Date.parse(c.at);
  if (sent > t || !concerns(c, o)) return '';
  let add = '';
  for (const k of o.kinds) {
    const f = OUTCOME_FLAG[k];
    if (t - sent <= KPI_WINDOW_DAYS[k] * DAY_MS && !had.includes(f) && !add.includes(f)) add += f;
  }
  return add;
}

/** The creditors whose claims a contact is about. */
export function clientsOfContact(s: Pick<CaseState, 'dossiers'>, c: Pick<ContactFact, 'dossierIds'>): string[] {
  const ids = c.dossierIds ?? Object.keys(s.dossiers);
  return [...new Set(ids.map((id) => s.dossiers[id]?.clientId).filter((x): x is string => x !== undefined))].sort();
}

/**
 * One creditor's outcome flags on a contact: its own (`oc`) when the contact is about several creditors' claims, else
 * the contact's. A creditor `oc` does not name (a legacy contact whose case got another creditor's claim later) has
 * the contact's: at most once, never twice.
 */
export function creditorFlags(c: Pick<ContactFact, 'o' | 'oc'>, clientId: string): string {
  return c.oc?.[clientId] ?? c.o ?? '';
}

/** The per-creditor flags of a contact about several creditors' claims after `o` (undefined: unchanged). */
function creditorsMarked(s: Pick<CaseState, 'dossiers'>, c: ContactFact, o: Outcome): Record<string, string> | undefined {
  const clients = clientsOfContact(s, c);
  if (clients.length < 2) return undefined;
  const next: Record<string, string> = Object.fromEntries(clients.map((cl) => [cl, creditorFlags(c, cl)]));
  let grew = false;
  for (const cl of clients) {
    const own = (ids: readonly string[]) => ids.filter((id) => s.dossiers[id]?.clientId === cl);
    // an outcome about other creditors' claims only is none of this creditor's
    if (o.dossierIds && !own(o.dossierIds).length) continue;
    const mine: ContactFact = c.dossierIds ? { ...c, dossierIds: own(c.dossierIds) } : c;
    const add = flagsFor(mine, o.dossierIds ? { ...o, dossierIds: own(o.dossierIds) } : o, next[cl]);
    if (add) {
      next[cl] += add;
      grew = true;
    }
  }
  return grew ? next : undefined;
}

/**
 * The contact an outcome counted by last touch is attributed to: the last one about its claims within `days` before it
 * (a payment's cents: 60 days; a reply's intent: 7). `clientId`: the last one about that creditor's claims among them.
 */
export function lastTouch(s: Pick<CaseState, 'dossiers'>, contacts: readonly ContactFact[], o: Outcome, days: number, clientId?: string): ContactFact | undefined {
  const t = Date.parse(o.at);
  const about = clientId && o.dossierIds ? { ...o, dossierIds: o.dossierIds.filter((id) => s.dossiers[id]?.clientId === clientId) } : o;
  return [...contacts].reverse().find((c) => {
    const sent = Date.parse(c.at);
    return sent <= t && t - sent <= days * DAY_MS && concerns(c, about) && (!clientId || clientsOfContact(s, c).includes(clientId));
  });
}

/** The creditors an outcome about claims is about (undefined: a status of one message). */
export function clientsOfOutcome(s: Pick<CaseState, 'dossiers'>, o: Pick<Outcome, 'dossierIds'>): string[] | undefined {
  return o.dossierIds ? [...new Set(o.dossierIds.map((id) => s.dossiers[id]?.clientId).filter((x): x is string => !!x))] : undefined;
}

/** What an outcome counts by last touch: its cents (`$`, 60 days) and its intent (7 days), each with its amount. */
export function lastTouchCounts(o: Outcome): Array<{ what: string; n: number; days: number }> {
  return [...(o.cents ? [{ what: CENTS, n: o.cents, days: KPI_WINDOW_DAYS.recovered }] : []), ...(o.intent ? [{ what: o.intent, n: 1, days: KPI_WINDOW_DAYS.replied }] : [])];
}
/** The key of recovered cents in a claim's memory (`lt`); the others are intents. */
export const CENTS = '$';

/**
 * The contacts an outcome counted by last touch goes to: the agency's (the last about its claims within `days`) and,
 * for each creditor it is about, the last about that creditor's own claims.
 */
export function lastTouches(s: Pick<CaseState, 'dossiers'>, contacts: readonly ContactFact[], o: Outcome, days: number): { agency?: ContactFact; clients: Array<[string, ContactFact]> } {
  const agency = lastTouch(s, contacts, o, days);
  if (!agency) return { clients: [] };
  const clients: Array<[string, ContactFact]> = [];
  for (const cl of clientsOfOutcome(s, o) ?? []) {
    const mine = lastTouch(s, contacts, o, days, cl);
    if (mine) clients.push([cl, mine]);
  }
  return { agency, clients };
}

/** A contact's identity in a claim's memory: when it was sent, its step and channel. */
export const contactKey = (c: Pick<ContactFact, 'at' | 'stepNo' | 'channel'>): string => `${c.at}#${c.stepNo ?? ''}#${c.channel}`;

/** A claim's memory entry: what was counted (an intent, or `$`), and the contact that takes it if the step is not sent. */
export function remembered(key: string): { what: string; instead?: string } {
  const at = key.indexOf('@');
  return at < 0 ? { what: key } : { what: key.slice(0, at), instead: key.slice(at + 1) };
}

/** Is `c` the contact of the journey's claimed step? */
export const isClaimed = (s: Pick<CaseState, 'journey'>, c: ContactFact): boolean => {
  const k = s.journey.claim;
  return !!k && c.stepNo === k.stepNo && c.channel === k.channel && c.at === k.at && (c.journeyNo === undefined || c.journeyNo === s.journey.journeyNo);
};

/**
 * The claimed step's memory of what its contact took by last touch (a reply's intent, a payment's cents), each with
 * the contact that would have taken it otherwise (`<what>@<contactKey>`): if the step is not sent after all
 * (step_failed, step_released), the counters move it there (kpis.ts takenBack). Bounded: one entry per scope, kind
 * and such contact, until the next claim replaces it.
 */
function claimRemembers(s: CaseState, o: Outcome): CaseState['journey']['claim'] {
  const claim = s.journey.claim;
  if (!claim) return claim;
  let lt = claim.lt;
  const remember = (scope: string, what: string, instead: ContactFact | undefined, n: number) => {
    const key = instead ? `${what}@${contactKey(instead)}` : what;
    const m = { ...(lt?.[scope] ?? {}) };
    m[key] = (m[key] ?? 0) + n;
    lt = { ...lt, [scope]: m };
  };
  const others = s.contacts.filter((c) => !isClaimed(s, c));
  for (const { what, n, days } of lastTouchCounts(o)) {
    const { agency, clients } = lastTouches(s, s.contacts, o, days);
    if (!agency || (!isClaimed(s, agency) && !clients.some(([, c]) => isClaimed(s, c)))) continue;
    const instead = lastTouches(s, others, o, days);
    if (isClaimed(s, agency)) remember('*', what, instead.agency, n);
    for (const [cl, c] of clients) if (isClaimed(s, c)) remember(cl, what, instead.clients.find(([x]) => x === cl)?.[1], n);
  }
  return lt === claim.lt ? claim : { ...claim, lt };
}

/** An experiment's outcome for one debtor, from the exposure: within 7 / 14 / 30 / 60 days. */
export function progressed(a: ExperimentAssignment, o: Outcome): ExperimentAssignment {
  const t = Date.parse(o.at);
  const from = Date.parse(a.at);
  if (t < from) return a;
  const within = (days: number) => t - from <= days * DAY_MS;
  let next = a;
  if (o.kinds.includes('reacted') && !a.reacted && within(7)) next = { ...next, reacted: o.at };
  if (o.kinds.includes('promised') && !a.promised && within(14)) next = { ...next, promised: o.at };
  if (o.kinds.includes('paid') && !a.paid && within(30)) next = { ...next, paid: o.at };
  // a reversal (negative cents) takes back at most what the debtor's payments brought
  if (o.cents && within(60)) {
    const cents = Math.max(0, (a.cents ?? 0) + o.cents);
    if (cents !== (a.cents ?? 0)) next = { ...next, cents };
  }
  return next;
}

/** The reducer's last step: the event's outcome attributed to the contacts and experiments of the case. */
export function attributeOutcome(before: CaseState, after: CaseState, e: CaseEvent): CaseState {
  const o = outcomeOf(before, after, e);
  if (!o) return after;
  let changed = false;
  const mark = (c: ContactFact): ContactFact => {
    const add = flagsFor(c, o);
    const oc = creditorsMarked(after, c, o);
    if (!add && !oc) return c;
    changed = true;
    return { ...c, ...(add ? { o: `${c.o ?? ''}${add}` } : {}), ...(oc ? { oc } : {}) };
  };
  const contacts = after.contacts.map(mark);
  const journeyContacts = after.journey.contacts.map(mark);
  const experiments: CaseState['experiments'] = {};
  for (const [id, a] of Object.entries(after.experiments ?? {})) {
    const next = progressed(a, o);
    if (next !== a) changed = true;
    experiments[id] = next;
  }
  const claim = claimRemembers(after, o);
  if (claim !== after.journey.claim) changed = true;
  if (!changed) return after;
  return { ...after, contacts, journey: { ...after.journey, contacts: journeyContacts, ...(claim ? { claim } : {}) }, experiments };
}
