/**
 * Everything that happens to a case, and what it changes: a pure reducer. The store applies it with
 * optimistic locking (read, apply, conditional write); the channel step's claim is the one hot path the store
 * writes with a targeted update, and tests hold it equal to `stepClaimed` here.
 *
 * Every event that could change the next decision bumps `eventSeq`, so a decision or plan made before it is
 * recognised as stale where it would be acted on.
 */
import { localDate } from '../calendar.js';
import { accrualStop, claimAmounts } from './amounts.js';
import { REACHED_CALL_OUTCOMES, CAPACITY_CALLS, CAPACITY_REPLIES } from '../signals.js';
import type { CostUpdate } from '../decide/costs.js';
import { type Channel, CONTACT_POINT_OF, type ContactPointKind, type DossierStatus, type OptOut } from '../vocabulary.js';
import {
  type ContactFact,
  type Signals,
  type Totals,
  addPayment,
  withoutPayment,
  emptySignals,
  emptyTotals,
  isOptOut,
  markContact,
  recordCallOutcome,
  recordContact,
  recordFailure,
  recordReaction,
  startJourney,
} from './facts.js';
import type { IdentityInput } from './identity.js';
import { attributeOutcome } from '../outcomes/attribution.js';
import type { CaseState, ClaimRecord, ContactPoint, HoldReason, JourneyRecord, PostalAddress, StepClaim } from './state.js';
import { type Arrangement, allocateToInstalments, reverseFromInstalments } from '../arrangements.js';
import { claimsOf, clientsOf } from './state.js';

export const PAYMENT_KEYS_KEPT = 20;

export interface NewContactPoint {
  kind: ContactPointKind;
  value: string;
  address?: PostalAddress;
  whatsappOptIn?: boolean;
  /** opt-outs recorded for this number before (by whoever used it) */
  optedOut?: OptOut[];
}

/**
 * What a journey step does to the arrangement, carried in its action like the costs: an offer sent, an instalment
 * reminder sent (its key), or a breach the decision found. `proposed` is the arrangement as it is after the step
 * (the decision fills it in, so the step writes it without a read).
 */
export interface ArrangementChange {
  proposed?: Arrangement;
  remind?: string;
  breach?: string;
}

/** The journey's view of the decision, shown with the dossier (phase, segment, next contact). */
export interface JourneyView {
  phase?: string;
  segment?: string;
  segmentReasons?: string[];
  nextContactAt?: string;
}

export type CaseEvent =
  /** `identity`: what the claim said of the person (kept on the timeline's event; the case derives its identity from claims and points) */
  | { type: 'claim_added'; at: string; claim: ClaimRecord; points: NewContactPoint[]; identity?: IdentityInput }
  | {
      type: 'step_claimed';
      at: string;
      contact: ContactFact;
      token: string;
      timer?: string;
      view?: JourneyView;
      costs?: CostUpdate[];
      openTask?: JourneyRecord['openTask'];
      /** experiments the debtor joins with this contact (kept if the case has one already: sticky) */
      assignments?: Array<{ experimentId: string; variant: string }>;
      /** the term end ('YYYY-MM-DD') the message states (a follow-up of the 14-day letter): kept on its claims */
      statedTermEnd?: string;
      /** what the step does to the arrangement (an offer sent, a reminder sent, a breach) */
      arrangement?: ArrangementChange;
    }
  | { type: 'step_released'; at: string; stepNo: number }
  | { type: 'step_failed'; at: string; stepNo: number; channel: Channel; kind: 'send_failed' | 'send_skipped'; contactPoint?: { kind: ContactPointKind; value: string; reason: string } }
  | { type: 'parked'; at: string; token: string; timer?: string; view?: JourneyView; costs?: CostUpdate[]; arrangement?: ArrangementChange }
  | { type: 'token'; at: string; token: string }
  | { type: 'costs'; at: string; costs: CostUpdate[] }
  | {
      type: 'delivery';
      at: string;
      journeyNo: number;
      stepNo: number;
      channel: Channel;
      status: 'delivered' | 'opened' | 'clicked' | 'bounced' | 'failed';
      /** a hard failure: this contact point is marked unusable */
      unusable?: { value: string; reason: string };
    }
  | {
      type: 'reply';
      at: string;
      /** `page`: said on the debtor's page (already paid, dispute, debt help, a plan chosen) */
      channel: 'sms' | 'whatsapp' | 'page';
      intent: string;
      dossierIds: string[];
      /** the provider's message id: the same reply applied twice changes the case once */
      messageId?: string;
      /** other intents the reply carries that are acted on too (debt help, vulnerability, …) */
      also?: string[];
      /** the date a promise or a request to pay later named (YYYY-MM-DD) */
      promiseDate?: string;
      /** automated outreach waits for these agent tasks (conversation.ts decides which) */
      holds?: Array<{ reason: HoldReason; taskId: string }>;
    }
  /** A disputed dossier resolved: in the creditor's favour it is worked on again, else it is withdrawn. */
  | { type: 'dispute_resolved'; at: string; dossierIds: string[]; inFavourOf: 'creditor' | 'debtor'; reason: string }
  /** `point`: the opt-out holds for this number only, for everyone who uses it (a shared number), not for the person */
  | { type: 'opted_out'; at: string; channel: OptOut; dossierIds?: string[]; point?: string }
  | { type: 'payment'; at: string; dossierId: string; amount: number; paidAt: string; key: string }
  /** a refund or chargeback takes (part of) a payment back: the dossier reopens when something is owed again */
  | { type: 'payment_reversed'; at: string; dossierId: string; amount: number; key: string; reason: 'refund' | 'chargeback' }
  /** the debtor accepted a plan (by reply or on the page): the arrangement is in force; costs per the Wki rule */
  | { type: 'arrangement_accepted'; at: string; arrangement: Arrangement; costs?: CostUpdate[] }
  /** an offer made in the answer to a reply (a journey step's offer travels with the step instead) */
  | { type: 'arrangement_offered'; at: string; arrangement: Arrangement }
  | { type: 'arrangement_breached'; at: string; reason: string }
  | { type: 'arrangement_cancelled'; at: string; reason: string }
  | { type: 'call_outcome'; at: string; outcome: string; dossierIds: string[]; taskId: string; phone?: string }
  | { type: 'task_closed'; at: string; taskId: string }
  | { type: 'status'; at: string; dossierIds: string[]; to: DossierStatus; from: readonly DossierStatus[]; reason: string }
  | { type: 'flag'; at: string; flag: string; dossierIds?: string[] }
  | { type: 'journey_closed'; at: string; reason: string; closing: NonNullable<JourneyRecord['closing']> }
  | { type: 'journey_opened'; at: string }
  /**
   * A creditor replaced (or removed, `null`) the contact details it gave with its claims `dossierIds`; another
   * creditor's sources on the same contact point stay. `whatsappOptIn` alone sets the opt-in on its phone.
   */
  | {
      type: 'contact_updated';
      at: string;
      clientId: string;
      dossierIds: string[];
      replace: Partial<Record<ContactPointKind, NewContactPoint | null>>;
      whatsappOptIn?: boolean;
    }
  /** Flags a client sets or clears (its own only) about the claims `dossierIds`, or about the person (agents). */
  | { type: 'flags_set'; at: string; clientId: string; dossierIds?: string[]; add: string[]; remove: string[] }
  /** The creditor withdrew the claim: the outreach about it stops at once (from open, paused or debt help). */
  | { type: 'dossier_withdrawn'; at: string; dossierId: string; reason: string }
  /**
   * The creditor reports a dispute: the dossier pauses (DESIGN §5 rule 10), as a dispute in a reply or a call does;
   * `dispute_resolved` above ends every kind of dispute.
   */
  | { type: 'dispute_opened'; at: string; dossierId: string; reason: string };

/** Applies an event. Returns the same object when the event changes nothing (a repeated payment, a known claim). */
export function applyEvent(s: CaseState, e: CaseEvent): CaseState {
  // What came back is attributed to the contacts and experiments before it (outcomes/attribution.ts).
  const next = attributeOutcome(s, reduce(s, e), e);
  if (next === s) return s;
  return { ...next, updatedAt: e.at > next.updatedAt ? e.at : next.updatedAt };
}

function reduce(s: CaseState, e: CaseEvent): CaseState {
  switch (e.type) {
    case 'claim_added':
      return claimAdded(s, e);
    case 'step_claimed':
      return stepClaimed(s, e);
    case 'step_released':
      return withoutStep(s, e.stepNo, { settle: false });
    case 'step_failed':
      return stepFailed(s, e);
    case 'parked':
      return bump(withCosts({ ...s, journey: { ...s.journey, taskToken: e.token, ...(e.timer ? { timer: e.timer } : {}), ...viewOf(e.view) }, ...arrangementAfter(s, e.arrangement, e.at) }, e.costs, e.at), 0);
    case 'token':
      return { ...s, journey: { ...s.journey, taskToken: e.token } };
    case 'costs':
      return withCosts(s, e.costs, e.at);
    case 'delivery':
      return bump(delivery(s, e), 1);
    case 'reply': {
      const next = reply(s, e);
      return next === s ? s : bump(next, 1);
    }
    case 'opted_out':
      return bump(e.point ? pointOptOut(s, e.point, [e.channel]) : optOut(s, e.channel), 1);
    case 'payment':
      return payment(s, e);
    case 'payment_reversed':
      return paymentReversed(s, e);
    case 'arrangement_accepted':
      return bump(withCosts({ ...s, arrangement: e.arrangement }, e.costs, e.at), 1);
    case 'arrangement_offered':
      return s.arrangement?.status === 'active' ? s : bump({ ...s, arrangement: e.arrangement }, 1);
    case 'arrangement_breached':
      return s.arrangement?.status === 'active' ? bump({ ...s, arrangement: ended(s.arrangement, 'breached', e.at, e.reason) }, 1) : s;
    case 'arrangement_cancelled':
      return s.arrangement?.status === 'active' || s.arrangement?.status === 'proposed' ? bump({ ...s, arrangement: ended(s.arrangement, 'cancelled', e.at, e.reason) }, 1) : s;
    case 'call_outcome':
      return bump(callOutcome(s, e), 1);
    case 'dispute_resolved':
      return disputeResolved(s, e);
    case 'task_closed':
      return s.journey.openTask?.taskId === e.taskId ? { ...s, journey: { ...s.journey, openTask: undefined } } : s;
    case 'status':
      return statusChange(s, e);
    case 'flag':
      return s.flags.some((f) => f.flag === e.flag) ? s : bump({ ...s, flags: [...s.flags, { flag: e.flag, at: e.at, ...(e.dossierIds ? { dossierIds: e.dossierIds } : {}) }] }, 1);
    case 'journey_closed':
      return journeyClosed(s, e);
    case 'journey_opened':
      return s.journey.status === 'closed' ? bump({ ...s, journey: nextJourney(s.journey, e.at) }, 1) : s;
    case 'contact_updated':
      return contactUpdated(s, e);
    case 'flags_set':
      return flagsSet(s, e);
    case 'dossier_withdrawn':
      return planWithout(
        statusChange(s, { type: 'status', at: e.at, dossierIds: [e.dossierId], to: 'withdrawn', from: ['open', 'paused', 'debt_help'], reason: `withdrawn by the creditor${e.reason ? `: ${e.reason}` : ''}` }),
        e.at,
      );
    case 'dispute_opened':
      return statusChange(s, { type: 'status', at: e.at, dossierIds: [e.dossierId], to: 'paused', from: ['open'], reason: `disputed${e.reason ? `: ${e.reason}` : ''}` });
  }
}

const bump = (s: CaseState, events: number): CaseState => ({ ...s, eventSeq: s.eventSeq + events });

/** The next journey: its own contacts start from zero; what the case learnt (the log, the signals) carries over. */
const nextJourney = (j: JourneyRecord, at: string): JourneyRecord => ({ ...startJourney(j, j.journeyNo + 1, at), status: 'active' });

function viewOf(v: JourneyView | undefined): Partial<JourneyRecord> {
  if (!v) return {};
  const out: Partial<JourneyRecord> = {};
  if (v.phase !== undefined) out.phase = v.phase;
  if (v.segment !== undefined) out.segment = v.segment;
  if (v.segmentReasons !== undefined) out.segmentReasons = v.segmentReasons;
  if (v.nextContactAt !== undefined) out.nextContactAt = v.nextContactAt;
  return out;
}

// ---- per-creditor counting ---------------------------------------------------------------------------

type Evidence = { signals: Signals; totals: Totals };

/** Applies `fn` to the case's signals and totals, and to those of every creditor whose claims the event is about. */
function counted(s: CaseState, dossierIds: readonly string[] | undefined, fn: (ev: Evidence) => Evidence): CaseState {
  const whole = fn({ signals: s.signals, totals: s.totals });
  const byClient = { ...s.byClient };
  for (const clientId of dossierIds ? clientsOf(s, dossierIds) : Object.keys(byClient)) {
    byClient[clientId] = fn(byClient[clientId] ?? { signals: emptySignals(), totals: emptyTotals() });
  }
  return { ...s, signals: whole.signals, totals: whole.totals, byClient };
}

// ---- claims ------------------------------------------------------------------------------------------

function claimAdded(s: CaseState, e: Extract<CaseEvent, { type: 'claim_added' }>): CaseState {
  if (s.dossiers[e.claim.dossierId]) return s;
  // A claim after the journey ended opens the next journey.
  const journey = s.journey.status === 'closed' ? nextJourney(s.journey, e.at) : s.journey;
  const contactPoints = [...s.contactPoints];
  for (const p of e.points) {
    const source = { dossierId: e.claim.dossierId, clientId: e.claim.clientId, at: e.at, ...(p.whatsappOptIn ? { whatsappOptIn: true } : {}) };
    const i = contactPoints.findIndex((c) => c.kind === p.kind && c.value === p.value);
    const optedOut = [...new Set([...(i >= 0 ? (contactPoints[i].optedOut ?? []) : []), ...(p.optedOut ?? [])])];
    const base = i >= 0 ? { ...contactPoints[i], sources: [...contactPoints[i].sources, source] } : { kind: p.kind, value: p.value, ...(p.address ? { address: p.address } : {}), sources: [source] };
    const point: ContactPoint = { ...base, ...(optedOut.length ? { optedOut } : {}) };
    if (i >= 0) contactPoints[i] = point;
    else contactPoints.push(point);
  }
  const byClient = s.byClient[e.claim.clientId] ? s.byClient : { ...s.byClient, [e.claim.clientId]: { signals: emptySignals(), totals: emptyTotals() } };
  return bump(
    { ...s, journey, contactPoints, dossiers: { ...s.dossiers, [e.claim.dossierId]: e.claim }, byClient },
    1,
  );
}

function withCosts(s: CaseState, costs: readonly CostUpdate[] | undefined, at: string): CaseState {
  if (!costs?.length) return s;
  const dossiers = { ...s.dossiers };
  for (const c of costs) {
    if (dossiers[c.dossierId]) dossiers[c.dossierId] = { ...dossiers[c.dossierId], costs: c.costs, ...(c.from ? { costsFrom: c.from } : {}), updatedAt: at };
  }
  return { ...s, dossiers };
}

function statusChange(s: CaseState, e: Extract<CaseEvent, { type: 'status' }>): CaseState {
  const dossiers = { ...s.dossiers };
  let changed = false;
  for (const id of e.dossierIds) {
    const d = dossiers[id];
    if (!d || !e.from.includes(d.status as DossierStatus) || d.status === e.to) continue;
    dossiers[id] = { ...d, status: e.to, statusReason: e.reason, statusAt: e.at, updatedAt: e.at };
    changed = true;
  }
  return changed ? bump({ ...s, dossiers }, 1) : s;
}

// ---- what the creditor changes ----------------------------------------------------------------------

function contactUpdated(s: CaseState, e: Extract<CaseEvent, { type: 'contact_updated' }>): CaseState {
  const mine = new Set(e.dossierIds.filter((id) => s.dossiers[id]?.clientId === e.clientId));
  if (mine.size === 0) return s;
  let points: ContactPoint[] = s.contactPoints;
  for (const kind of Object.keys(e.replace) as ContactPointKind[]) {
    const next = e.replace[kind];
    if (next === undefined) continue;
    // Already so (a retried request): the sources keep their dates.
    const held = points.filter((p) => p.kind === kind && p.sources.some((src) => mine.has(src.dossierId)));
    if (next === null ? held.length === 0 : held.length === 1 && held[0].value === next.value && [...mine].every((id) => held[0].sources.some((src) => src.dossierId === id && !!src.whatsappOptIn === !!next.whatsappOptIn))) continue;
    // This creditor's claims let go of their old contact point of this kind; a point nobody gave any more goes.
    points = points
      .map((p) => (p.kind === kind ? { ...p, sources: p.sources.filter((src) => !mine.has(src.dossierId)) } : p))
      .filter((p) => p.sources.length > 0);
    if (next === null) continue;
    const sources = [...mine].map((dossierId) => ({ dossierId, clientId: e.clientId, at: e.at, ...(next.whatsappOptIn ? { whatsappOptIn: true } : {}) }));
    // A number someone opted out of stays opted out (the case's point, and what the number's record says).
    const i = points.findIndex((p) => p.kind === kind && p.value === next.value);
    const optedOut = [...new Set([...(i >= 0 ? (points[i].optedOut ?? []) : []), ...(next.optedOut ?? [])])];
    const base: ContactPoint = i >= 0 ? { ...points[i], sources: [...points[i].sources, ...sources] } : { kind, value: next.value, ...(next.address ? { address: next.address } : {}), sources };
    const point: ContactPoint = { ...base, ...(optedOut.length ? { optedOut } : {}) };
    points = i >= 0 ? points.map((p, j) => (j === i ? point : p)) : [...points, point];
  }
  if (e.whatsappOptIn !== undefined && e.replace.phone === undefined) {
    const optIn = e.whatsappOptIn;
    points = points.map((p) =>
      p.kind !== 'phone'
        ? p
        : {
            ...p,
            sources: p.sources.map((src) => {
              if (!mine.has(src.dossierId)) return src;
              const { whatsappOptIn: _was, ...rest } = src;
              return optIn ? { ...rest, whatsappOptIn: true } : rest;
            }),
          },
    );
  }
  // The identity the next claim is matched against follows (state.ts identityOf reads the points).
  if (JSON.stringify(points) === JSON.stringify(s.contactPoints)) return s;
  return bump({ ...s, contactPoints: points }, 1);
}

function flagsSet(s: CaseState, e: Extract<CaseEvent, { type: 'flags_set' }>): CaseState {
  const removing = new Set(e.remove);
  let flags = s.flags.filter((f) => !(removing.has(f.flag) && f.clientId === e.clientId));
  for (const flag of e.add) {
    if (flags.some((f) => f.flag === flag && f.clientId === e.clientId)) continue;
    flags = [...flags, { flag, at: e.at, clientId: e.clientId, ...(e.dossierIds ? { dossierIds: [...e.dossierIds] } : {}) }];
  }
  const same = flags.length === s.flags.length && flags.every((f, i) => f === s.flags[i]);
  return same ? s : bump({ ...s, flags }, 1);
}

// ---- steps ---------------------------------------------------------------------------------------------

/** The journey claimed a step: the contact counts from now on (it is sent at most once, see channel-step.ts). */
export function stepClaimed(s: CaseState, e: Extract<CaseEvent, { type: 'step_claimed' }>): CaseState {
  const withContact = counted(s, e.contact.dossierIds, (ev) => ({ ...ev, totals: { ...ev.totals, contacts: ev.totals.contacts + 1 } }));
  // recordContact counts the contact in the case's own totals; counted() above did the same: undo one of the two
  const facts = recordContact({ ...withContact, totals: s.totals, dossiers: claimsOf(s) }, e.contact);
  const dossiers = { ...s.dossiers };
  for (const d of facts.dossiers) if (d.letter && !s.dossiers[d.dossierId].letter) dossiers[d.dossierId] = { ...s.dossiers[d.dossierId], letter: d.letter };
  if (e.statedTermEnd) {
    // The latest term any message stated; costs wait for the day after it (costs.ts costsFromHonouringStatedTerms).
    for (const id of e.contact.dossierIds ?? []) {
      const d = dossiers[id];
      if (d && (d.statedTermEnd === undefined || d.statedTermEnd < e.statedTermEnd)) dossiers[id] = { ...d, statedTermEnd: e.statedTermEnd };
    }
  }
  const claim: StepClaim = { stepNo: e.contact.stepNo!, channel: e.contact.channel, at: e.at };
  const journey: JourneyRecord = {
    ...s.journey,
    ...facts.journey,
    taskToken: e.token,
    claim,
    ...(e.timer ? { timer: e.timer } : {}),
    ...(e.openTask ? { openTask: e.openTask } : {}),
    ...viewOf(e.view),
  };
  const experiments = { ...(s.experiments ?? {}) };
  for (const a of e.assignments ?? []) experiments[a.experimentId] ??= { variant: a.variant, at: e.contact.at, journeyNo: s.journey.journeyNo };
  return withCosts({ ...withContact, journey, contacts: facts.contacts, totals: facts.totals, dossiers, experiments, ...arrangementAfter(s, e.arrangement, e.at) }, e.costs, e.at);
}

// ---- arrangements --------------------------------------------------------------------------------------

const ended = (a: Arrangement, status: 'breached' | 'cancelled' | 'completed', at: string, reason: string): Arrangement => ({ ...a, status, endedAt: at, reason });

/** A journey step's change to the arrangement: an offer made, a reminder recorded, a breach (store: cases.ts claimStep/parkJourney). */
export function arrangementAfter(s: Pick<CaseState, 'arrangement'>, change: ArrangementChange | undefined, at: string): Pick<CaseState, 'arrangement'> | Record<string, never> {
  if (!change) return {};
  let a = change.proposed ?? s.arrangement;
  if (!a) return {};
  if (change.remind && !a.reminders.includes(change.remind)) a = { ...a, reminders: [...a.reminders, change.remind] };
  if (change.breach && a.status === 'active') a = ended(a, 'breached', at, change.breach);
  return { arrangement: a };
}

/** A payment on a dossier of the arrangement in force goes to its instalments in order (its share of the plan). */
function allocated(s: CaseState, dossierId: string, amount: number, at: string): CaseState {
  const a = s.arrangement;
  if (!a || a.status !== 'active' || !a.dossierIds.includes(dossierId)) return s;
  const { instalments } = allocateToInstalments(a.instalments, amount);
  const done = instalments.every((i) => i.paidAmount >= i.amount);
  return { ...s, arrangement: done ? ended({ ...a, instalments }, 'completed', at, 'every instalment paid') : { ...a, instalments } };
}

function paymentReversed(s: CaseState, e: Extract<CaseEvent, { type: 'payment_reversed' }>): CaseState {
  const d = s.dossiers[e.dossierId];
  if (!d || d.paymentKeys.includes(e.key)) return s;
  const taken = Math.min(d.paid, e.amount);
  const reversed: ClaimRecord = {
    ...d,
    paid: d.paid - taken,
    payments: withoutPayment(d.payments, taken),
    paymentKeys: [...d.paymentKeys, e.key].slice(-PAYMENT_KEYS_KEPT),
    updatedAt: e.at,
  };
  // Owed again when principal, costs or interest up to the day are open once the amount is taken back (art. 6:44 BW).
  const { outstanding } = claimAmounts(reversed, localDate(new Date(e.at)), { stopAccrualOn: accrualStop(s) });
  const status = outstanding > 0 && d.status === 'paid' ? 'open' : d.status;
  const updated: ClaimRecord = {
    ...reversed,
    status,
    ...(status !== d.status ? { statusReason: `reopened: ${e.reason === 'refund' ? 'payment refunded' : 'payment charged back'}`, statusAt: e.at } : {}),
  };
  let next: CaseState = { ...s, dossiers: { ...s.dossiers, [d.dossierId]: updated } };
  const a = next.arrangement;
  if (a && a.dossierIds.includes(d.dossierId) && (a.status === 'active' || a.status === 'completed')) {
    next = { ...next, arrangement: { ...a, status: 'active', instalments: reverseFromInstalments(a.instalments, taken), endedAt: undefined, reason: undefined } };
  }
  return bump(next, 1);
}

/** Takes a claimed step's contact back (a transient failure before the provider took it, or a failed send). */
function withoutStep(s: CaseState, stepNo: number, opts: { settle: boolean }): CaseState {
  const j = s.journey.journeyNo;
  const isIt = (c: ContactFact) => c.stepNo === stepNo && (c.journeyNo === undefined || c.journeyNo === j);
  const removed = s.journey.contacts.find(isIt);
  if (!removed) return opts.settle ? { ...s, journey: { ...s.journey, stepNo: Math.max(s.journey.stepNo, stepNo), claim: undefined } } : s;
  const contacts = s.journey.contacts.filter((c) => !isIt(c));
  const dossiers = { ...s.dossiers };
  for (const d of Object.values(dossiers)) {
    if (d.letter && d.letter.stepNo === stepNo && d.letter.at === removed.at) dossiers[d.dossierId] = { ...d, letter: undefined };
  }
  const uncounted = counted(s, removed.dossierIds, (ev) => ({ ...ev, totals: { ...ev.totals, contacts: Math.max(0, ev.totals.contacts - 1) } }));
  // an experiment the debtor joined with this very contact is left again: no contact, no exposure
  const experiments = Object.fromEntries(Object.entries(s.experiments ?? {}).filter(([, a]) => !(a.at === removed.at && a.journeyNo === j)));
  return {
    ...uncounted,
    experiments,
    dossiers,
    contacts: s.contacts.filter((c) => !isIt(c) || c.at !== removed.at),
    journey: {
      ...s.journey,
      contacts,
      stepNo: opts.settle ? Math.max(s.journey.stepNo, stepNo) : Math.min(s.journey.stepNo, stepNo - 1),
      lastContactAt: contacts.at(-1)?.at ?? s.journey.lastContactAt,
      claim: undefined,
    },
  };
}

function stepFailed(s: CaseState, e: Extract<CaseEvent, { type: 'step_failed' }>): CaseState {
  let next = withoutStep(s, e.stepNo, { settle: true });
  // Only a failure after retries makes the channel wait a day; a rule (opt-out, no opt-in) is not a failure.
  if (e.kind === 'send_failed') next = { ...next, journey: recordFailure(next.journey, e.at, e.channel) };
  if (e.contactPoint) next = markUnusable(next, e.contactPoint.kind, e.contactPoint.value, e.at, e.contactPoint.reason);
  return bump(next, 1);
}

function markUnusable(s: CaseState, kind: ContactPointKind, value: string, at: string, reason: string): CaseState {
  return {
    ...s,
    contactPoints: s.contactPoints.map((p): ContactPoint => (p.kind === kind && (p.value === value || value === '*') && !p.unusable ? { ...p, unusable: { at, reason } } : p)),
  };
}

// ---- what comes back -----------------------------------------------------------------------------------

function delivery(s: CaseState, e: Extract<CaseEvent, { type: 'delivery' }>): CaseState {
  const isIt = (c: ContactFact) => c.stepNo === e.stepNo && c.channel === e.channel && (c.journeyNo === undefined || c.journeyNo === e.journeyNo);
  const target = s.contacts.find(isIt) ?? s.journey.contacts.find(isIt);
  let next: CaseState = s;
  if (e.status === 'bounced' || e.status === 'failed') {
    next = markContact(next, isIt, { returned: true });
    next = counted(next, target?.dossierIds, (ev) => ({ ...ev, totals: { ...ev.totals, undeliverable: ev.totals.undeliverable + 1 } }));
    if (e.unusable) next = markUnusable(next, CONTACT_POINT_OF[e.channel], e.unusable.value, e.at, e.unusable.reason);
    return next;
  }
  next = markContact(next, isIt, { arrived: true });
  if (e.channel === 'letter' && e.status === 'delivered') {
    const dossiers = { ...next.dossiers };
    for (const d of Object.values(dossiers)) {
      if (d.letter && !d.letter.delivered && d.letter.stepNo === e.stepNo && Date.parse(e.at) >= Date.parse(d.letter.at)) {
        dossiers[d.dossierId] = { ...d, letter: { ...d.letter, delivered: localDate(new Date(e.at)) } };
      }
    }
    next = { ...next, dossiers };
  }
  if (e.status === 'clicked') next = counted(next, target?.dossierIds, (ev) => recordReaction(ev, { at: e.at, type: 'clicked' }));
  return next;
}

/** How many message ids the case remembers to recognise a repeated reply. */
export const RECENT_MESSAGES_KEPT = 10;

function reply(s: CaseState, e: Extract<CaseEvent, { type: 'reply' }>): CaseState {
  if (e.messageId && s.inbound?.recent?.includes(e.messageId)) return s;
  const recent = e.messageId ? [...(s.inbound?.recent ?? []), e.messageId].slice(-RECENT_MESSAGES_KEPT) : s.inbound?.recent;
  // Something said on the debtor's page is no inbound message (no answer window, no WhatsApp window).
  const inbound =
    e.channel === 'page'
      ? s.inbound
      : {
          at: e.at,
          ...(e.channel === 'whatsapp' ? { whatsappAt: e.at } : s.inbound?.whatsappAt ? { whatsappAt: s.inbound.whatsappAt } : {}),
          ...(recent ? { recent } : {}),
        };
  let next: CaseState = { ...s, ...(inbound ? { inbound } : {}) };
  const intents = new Set([e.intent, ...(e.also ?? [])]);
  // Holds on automated outreach until an agent looked (vulnerability, bankruptcy, the wrong person).
  for (const h of e.holds ?? []) {
    const holds = next.holds ?? [];
    if (!holds.some((x) => x.taskId === h.taskId)) next = { ...next, holds: [...holds, { reason: h.reason, at: e.at, taskId: h.taskId, dossierIds: e.dossierIds }] };
  }
  if (intents.has('debt_help')) next = debtHelp(next, e);
  if (isOptOut(e.intent)) {
    // An opt-out shows the message arrived (it was read); it is no reaction to the claim.
    const latest = [...next.contacts].reverse().find((c) => c.channel === e.channel);
    if (latest) next = markContact(next, (c) => c === latest || (c.at === latest.at && c.stepNo === latest.stepNo && c.channel === latest.channel), { arrived: true });
    return next;
  }
  // A request to pay later that names a date weighs like a promise; without one it says something about means.
  const promise = e.intent === 'promise_to_pay' || (e.intent === 'postpone' && e.promiseDate !== undefined);
  next = counted(next, e.dossierIds, (ev) => {
    let signals = { ...ev.signals };
    if (promise) signals.latestStatement = { at: e.at, kind: 'promise', source: 'reply', code: e.intent };
    else if (CAPACITY_REPLIES[e.intent]) signals.latestStatement = { at: e.at, kind: 'capacity', source: 'reply', code: e.intent };
    if (promise || e.intent === 'postpone') signals.grace = { at: e.at, kind: 'promise', ...(e.promiseDate ? { until: e.promiseDate } : {}) };
    else if (e.intent === 'already_paid') signals.grace = { at: e.at, kind: 'already_paid' };
    if (intents.has('debt_help')) signals = { ...signals, debtHelpReplyAt: signals.debtHelpReplyAt ?? e.at };
    return recordReaction({ ...ev, signals }, { at: e.at, type: 'replied', code: e.intent });
  });
  if (e.intent === 'cannot_pay' || intents.has('cannot_pay')) next = addFlag(next, 'cannot_pay_reported', e.at, e.dossierIds);
  if (e.intent === 'dispute') next = pause(next, e.dossierIds, 'dispute reported by the debtor', e.at);
  return next;
}

/**
 * Debt help, the WSNP or a moratorium reported (DESIGN §5 rule 10): the debtor's claims leave collection at once —
 * every open or paused dossier gets the status debt_help (the creditor sees it is not open) — and the journey
 * stops at its next decision.
 */
function debtHelp(s: CaseState, e: Extract<CaseEvent, { type: 'reply' }>): CaseState {
  let next = addFlag(s, 'debt_help_reported', e.at, e.dossierIds);
  // Debt help takes over: an arrangement offered or in force with the agency ends (the journey stops too).
  if (next.arrangement?.status === 'active' || next.arrangement?.status === 'proposed') {
    next = { ...next, arrangement: ended(next.arrangement, 'cancelled', e.at, 'debt help reported') };
  }
  const ids = claimsOf(next)
    .filter((d) => d.status === 'open' || d.status === 'paused')
    .map((d) => d.dossierId);
  next = statusChange(next, { type: 'status', at: e.at, dossierIds: ids, to: 'debt_help', from: ['open', 'paused'], reason: 'the debtor reported debt help; collection stops and the case is referred' });
  // statusChange bumps eventSeq; the reply itself is bumped by the caller.
  return next.eventSeq === s.eventSeq ? next : { ...next, eventSeq: s.eventSeq };
}

function disputeResolved(s: CaseState, e: Extract<CaseEvent, { type: 'dispute_resolved' }>): CaseState {
  const dossiers = { ...s.dossiers };
  let changed = false;
  for (const id of e.dossierIds) {
    const d = dossiers[id];
    if (!d || d.status !== 'paused') continue;
    dossiers[id] = { ...d, status: e.inFavourOf === 'creditor' ? 'open' : 'withdrawn', statusReason: e.reason, statusAt: e.at, updatedAt: e.at };
    changed = true;
  }
  return changed ? planWithout(bump({ ...s, dossiers }, 1), e.at) : s;
}

/**
 * A plan offered or in force about a claim that was withdrawn ends: its instalments were computed with that claim's
 * amount, so the debtor would be asked to pay what is no longer claimed. The journey decides again (a new offer
 * for what is still open, when the debtor asked for one).
 */
function planWithout(s: CaseState, at: string): CaseState {
  const a = s.arrangement;
  if (!a || (a.status !== 'active' && a.status !== 'proposed')) return s;
  if (!a.dossierIds.some((id) => s.dossiers[id]?.status === 'withdrawn')) return s;
  return { ...s, arrangement: ended(a, 'cancelled', at, 'a claim in the plan was withdrawn') };
}

function addFlag(s: CaseState, flag: string, at: string, dossierIds?: string[]): CaseState {
  return s.flags.some((f) => f.flag === flag) ? s : { ...s, flags: [...s.flags, { flag, at, ...(dossierIds ? { dossierIds } : {}) }] };
}

function pause(s: CaseState, dossierIds: readonly string[], reason: string, at: string): CaseState {
  const dossiers = { ...s.dossiers };
  for (const id of dossierIds) if (dossiers[id]?.status === 'open') dossiers[id] = { ...dossiers[id], status: 'paused', statusReason: reason, statusAt: at, updatedAt: at };
  return { ...s, dossiers };
}

/** No more messages on `channels` at this contact point, for whoever uses it. */
function pointOptOut(s: CaseState, value: string, channels: readonly OptOut[]): CaseState {
  return {
    ...s,
    contactPoints: s.contactPoints.map((p): ContactPoint => (p.value === value ? { ...p, optedOut: [...new Set([...(p.optedOut ?? []), ...channels])] } : p)),
  };
}

function optOut(s: CaseState, channel: OptOut): CaseState {
  return s.optOuts.includes(channel) ? s : { ...s, optOuts: [...s.optOuts, channel] };
}

function payment(s: CaseState, e: Extract<CaseEvent, { type: 'payment' }>): CaseState {
  const d = s.dossiers[e.dossierId];
  if (!d || d.paymentKeys.includes(e.key)) return s;
  const booked: ClaimRecord = {
    ...d,
    paid: d.paid + e.amount,
    payments: addPayment(d.payments, { amount: e.amount, at: e.paidAt }),
    paymentKeys: [...d.paymentKeys, e.key].slice(-PAYMENT_KEYS_KEPT),
    updatedAt: e.at,
  };
  // Paid in full when nothing is left of principal, costs and the interest up to the day (art. 6:44 BW allocation).
  const day = [localDate(new Date(e.paidAt)), localDate(new Date(e.at))].sort()[1];
  const { outstanding } = claimAmounts(booked, day, { stopAccrualOn: accrualStop(s) });
  const status = outstanding <= 0 && (d.status === 'open' || d.status === 'paused') ? 'paid' : d.status;
  const updated: ClaimRecord = {
    ...booked,
    status,
    ...(status !== d.status ? { statusReason: 'paid in full', statusAt: e.at } : {}),
    ...(status === 'paid' && d.status !== 'paid' ? { paidInFullAt: e.at } : {}),
  };
  const next = counted(allocated({ ...s, dossiers: { ...s.dossiers, [d.dossierId]: updated } }, d.dossierId, e.amount, e.at), [d.dossierId], (ev) =>
    recordReaction({ ...ev, signals: { ...ev.signals, lastPaymentAt: e.at } }, { at: e.at, type: 'payment' }),
  );
  return bump(next, 1);
}

function callOutcome(s: CaseState, e: Extract<CaseEvent, { type: 'call_outcome' }>): CaseState {
  let next = counted(s, e.dossierIds, (ev) => {
    let signals = recordCallOutcome(ev.signals, e.at, e.outcome);
    if (CAPACITY_CALLS[e.outcome]) signals = { ...signals, latestStatement: { at: e.at, kind: 'capacity', source: 'call', code: e.outcome } };
    else if (e.outcome === 'promise_to_pay') signals = { ...signals, latestStatement: { at: e.at, kind: 'promise', source: 'call', code: e.outcome }, grace: { at: e.at, kind: 'promise' } };
    if (e.outcome === 'vulnerable') signals = { ...signals, vulnerableCallAt: e.at };
    const out = { ...ev, signals };
    return REACHED_CALL_OUTCOMES.has(e.outcome) ? recordReaction(out, { at: e.at, type: 'call_outcome', code: e.outcome }) : out;
  });
  if (e.outcome === 'wrong_number') next = markUnusable(next, 'phone', e.phone ?? '*', e.at, 'wrong number (call)');
  if (e.outcome === 'dispute') next = pause(next, e.dossierIds, 'dispute reported in a call', e.at);
  if (e.outcome === 'cannot_pay') next = addFlag(next, 'cannot_pay_reported', e.at, e.dossierIds);
  if (next.journey.openTask?.taskId === e.taskId) next = { ...next, journey: { ...next.journey, openTask: undefined } };
  // An agent's outcome on a hold's task lifts the hold — unless nobody answered: then the person is still unseen.
  // (a follow-up task after no answer carries the hold's task id with a suffix: `<taskId>_r2`, …)
  const onHold = (h: { taskId: string }) => h.taskId === e.taskId || e.taskId.startsWith(`${h.taskId}_r`);
  if (e.outcome !== 'no_answer' && next.holds?.some(onHold)) next = { ...next, holds: next.holds.filter((h) => !onHold(h)) };
  return next;
}

function journeyClosed(s: CaseState, e: Extract<CaseEvent, { type: 'journey_closed' }>): CaseState {
  if (s.journey.status === 'closed') return s;
  let next: CaseState = {
    ...s,
    journey: { ...s.journey, status: 'closed', closedReason: e.reason, closing: e.closing, taskToken: undefined, timer: undefined, nextContactAt: undefined },
  };
  if (e.closing.dossierStatus) {
    // Debt help takes the disputed (paused) claims out of collection too; a hand-over only the open ones.
    const from: DossierStatus[] = e.closing.dossierStatus === 'debt_help' ? ['open', 'paused'] : ['open'];
    const ids = claimsOf(next).filter((d) => from.includes(d.status as DossierStatus)).map((d) => d.dossierId);
    next = statusChange(next, { type: 'status', at: e.at, dossierIds: ids, to: e.closing.dossierStatus, from, reason: e.closing.detail });
  }
  return next;
}
