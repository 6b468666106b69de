/**
 * What a decision reads: the bounded facts of one case (one debtor's conversation), kept up to date as things
 * happen, so a decision never replays an ever-growing history. Pure data and pure updates; the store keeps
 * these inside the case item (functions/store/cases.ts), the legacy fold builds them from an old timeline
 * (./history.ts).
 *
 * Bounds: the journey's own contacts are bounded by the strategy (each phase has maxContacts); the log of
 * contacts across journeys keeps the last CONTACT_LOG_LIMIT (older ones survive as counters in `totals`);
 * payments per dossier keep the last PAYMENT_LIMIT dated ones (older ones are summed, dated by the latest).
 */
import { localDate } from '../calendar.js';
import type { BusinessCostAgreement } from '../claim-costs.js';
import type { InterestKind } from '../interest.js';
import type { Channel, DossierStatus, Language, Phase, Segment, Tone } from '../vocabulary.js';
import type { Arrangement } from '../arrangements.js';

export const CONTACT_LOG_LIMIT = 40;
export const PAYMENT_LIMIT = 24;
export const CALL_OUTCOME_LIMIT = 8;
export const FAILURE_LIMIT = 8;

/** A message, letter or call task the journey made. */
export interface ContactFact {
  at: string;
  channel: Channel;
  phase?: Phase;
  tone?: Tone;
  stepNo?: number;
  journeyNo?: number;
  dossierIds?: string[];
  /** a delivered/opened/clicked status (or an opt-out reply on its channel) showed it arrived */
  arrived?: boolean;
  /** it bounced or failed to deliver */
  returned?: boolean;
  /** the segment the decision saw (KPIs per segment) */
  seg?: Segment;
  /** the experiments the debtor was in when it was sent, as "experimentId:variant" (holdout included) */
  x?: string[];
  /** outcomes attributed to it within their windows (../outcomes/attribution.ts): r reacted, y replied, p promise or arrangement, $ paid */
  o?: string;
  /**
   * a contact about several creditors' claims: each creditor's outcomes, only those about its own claims (same letters,
   * each at most once per creditor); `o` is the agency's (at most once for the contact)
   */
  oc?: Record<string, string>;
  /** an arrangement message (offer, instalment reminder): counts for the frequency cap, not as a phase contact */
  aside?: boolean;
}

/** The 14-day letter that covers a dossier (the first one sent after its due date). */
export interface LetterFact {
  at: string;
  stepNo?: number;
  /** proven delivery (Europe/Amsterdam date), when the print service reported it */
  delivered?: string;
}

export interface PaymentFact {
  amount: number;
  /** when the money arrived; undefined = undated (legacy data): counted from the 14-day letter, in the debtor's favour */
  at?: string;
}

export interface DossierFacts {
  dossierId: string;
  clientId: string;
  status: DossierStatus | string;
  principal: number;
  costs: number;
  paid: number;
  dueDate: string;
  createdAt: string;
  /** the creditor cannot deduct VAT, so VAT is added to the collection costs */
  vatOnCosts?: boolean;
  /** consumer claim (the 14-day letter applies); undefined = as the debtor */
  consumer?: boolean;
  /** the language the creditor gave with this claim */
  language?: Language;
  letter?: LetterFact;
  /** dated payments (the last PAYMENT_LIMIT; older ones folded into the first entry) */
  payments?: PaymentFact[];
  /** the first day the current `costs` are due ('YYYY-MM-DD'); payments before it are not allocated to them */
  costsFrom?: string;
  /**
   * The latest term end ('YYYY-MM-DD') a message about this claim stated (a follow-up of the 14-day letter
   * "betaal uiterlijk op …"): costs never come before the day after it (DESIGN §5 rule 12). One date, not a list:
   * only the latest matters.
   */
  statedTermEnd?: string;
  /** statutory interest the creditor claims (the client setting when the claim was filed); absent: none */
  interest?: InterestTerms;
  /** business claims: the client's cost agreement when the claim was filed (absent: the WIK scale) */
  businessCosts?: BusinessCostAgreement;
  /** the creditor marked this as an instalment claim: the monthly amount (DESIGN §5 rule 6) */
  instalment?: { monthlyAmountCents: number };
}

/** Which statutory interest runs on a claim, from which day (domain/interest.ts interestPlan). */
export interface InterestTerms {
  kind: InterestKind;
  from: string;
}

export interface DebtorFacts {
  consumer: boolean;
  language: Language;
  hasEmail: boolean;
  hasPhone: boolean;
  hasAddress: boolean;
  whatsappOptIn: boolean;
  optOuts: string[];
  unusable: string[];
  flags: string[];
  incomeSource?: { type: string; [k: string]: unknown };
  lastInboundAt?: string;
  /** automated outreach waits for an agent's outcome (a reply signalled vulnerability, bankruptcy, the wrong person) */
  holds?: Array<{ reason: 'vulnerable' | 'bankruptcy' | 'wrong_person'; at: string }>;
}

/** The latest statement about capacity ("ik kan niet betalen") or willingness (a promise). */
export interface Statement {
  at: string;
  kind: 'capacity' | 'promise';
  source: 'reply' | 'call';
  /** the reply's intent or the call's outcome */
  code: string;
}

export interface Reaction {
  at: string;
  type: 'replied' | 'clicked' | 'payment' | 'call_outcome';
  code?: string;
}

export interface Signals {
  latestStatement?: Statement;
  lastReaction?: Reaction;
  lastPaymentAt?: string;
  vulnerableCallAt?: string;
  /**
   * the latest promise (or request to pay later) or "already paid": no contact for promiseGraceDays after it, or
   * until a few days after the date the debtor named (`until`, YYYY-MM-DD)
   */
  grace?: { at: string; kind: 'promise' | 'already_paid'; until?: string };
  /** recent call outcomes, oldest first */
  callOutcomes: Array<{ at: string; outcome: string }>;
  /** a reply reported debt help (the journey stops) */
  debtHelpReplyAt?: string;
}

/** Counters that keep what the bounded log forgets. */
export interface Totals {
  contacts: number;
  undeliverable: number;
  /** contacts evicted from the log that had arrived (all of them / those after the last reaction) */
  evictedArrived: number;
  evictedSinceReaction: number;
  evictedArrivedSinceReaction: number;
  evictedChannelsSinceReaction: Channel[];
}

export interface JourneyFacts {
  journeyNo: number;
  stepNo: number;
  startedAt: string;
  lastContactAt?: string;
  /** this journey's contacts, oldest first */
  contacts: ContactFact[];
  /** recent sends that failed after their retries (the channel is avoided for a day) */
  failures: Array<{ at: string; channel: Channel }>;
}

export interface CaseFacts {
  debtor: DebtorFacts;
  /** the debtor's dossiers in this journey's scope, any status */
  dossiers: DossierFacts[];
  journey: JourneyFacts;
  /** contacts of every journey, oldest first (the last CONTACT_LOG_LIMIT) */
  contacts: ContactFact[];
  signals: Signals;
  totals: Totals;
  /** the previous step failed after its retries: fail over */
  lastError?: { channel?: string; stepNo?: number; error: string };
  /** the case (the debtor), for the experiments' assignment hash */
  caseId?: string;
  /** experiment id → the variant this debtor is in (sticky; "holdout" for those held out) */
  experiments?: Record<string, string>;
  /** the payment arrangement offered or in force */
  arrangement?: Arrangement;
}

export const emptySignals = (): Signals => ({ callOutcomes: [] });
export const emptyTotals = (): Totals => ({
  contacts: 0,
  undeliverable: 0,
  evictedArrived: 0,
  evictedSinceReaction: 0,
  evictedArrivedSinceReaction: 0,
  evictedChannelsSinceReaction: [],
});

const last = <T>(list: readonly T[], n: number): T[] => (list.length > n ? list.slice(list.length - n) : [...list]);

// ---------------------------------------------------------------------------------------------------
// Updates (pure: they return new objects)
// ---------------------------------------------------------------------------------------------------

export type ContactBearing = Pick<CaseFacts, 'journey' | 'contacts' | 'totals' | 'signals'> & { dossiers: DossierFacts[] };

/**
 * The journey made a contact: it joins this journey's contacts and the log; a 14-day letter covers the
 * dossiers it was about that were overdue on the day it was sent (DESIGN §5 rule 3: a letter before default
 * does not count) and that no earlier letter covers.
 */
export function recordContact<T extends ContactBearing>(f: T, c: ContactFact): T {
  const journey: JourneyFacts = {
    ...f.journey,
    stepNo: Math.max(f.journey.stepNo, c.stepNo ?? f.journey.stepNo),
    lastContactAt: c.at,
    contacts: [...f.journey.contacts, c],
  };
  const { contacts, totals } = appendToLog(f.contacts, { ...f.totals, contacts: f.totals.contacts + 1 }, c, f.signals.lastReaction?.at);
  let dossiers = f.dossiers;
  if (c.channel === 'letter' && c.phase === 'fourteen_day_letter') {
    const sentOn = localDate(new Date(c.at));
    // A letter without dossier ids (old data) covers the claims that existed when it was sent.
    const about = (d: DossierFacts) => (c.dossierIds ? c.dossierIds.includes(d.dossierId) : Date.parse(c.at) >= Date.parse(d.createdAt));
    dossiers = f.dossiers.map((d) => (!d.letter && about(d) && sentOn > d.dueDate ? { ...d, letter: { at: c.at, ...(c.stepNo !== undefined ? { stepNo: c.stepNo } : {}) } } : d));
  }
  return { ...f, journey, contacts, totals, dossiers };
}

function appendToLog(log: readonly ContactFact[], totals: Totals, c: ContactFact, reactionAt: string | undefined): { contacts: ContactFact[]; totals: Totals } {
  const contacts = [...log, c];
  let t = totals;
  while (contacts.length > CONTACT_LOG_LIMIT) t = withEvicted(t, contacts.shift()!, reactionAt);
  return { contacts, totals: t };
}

/** A contact falls off the log: the totals keep what segmentation still needs to know of it. */
export function withEvicted(t: Totals, old: ContactFact, reactionAt: string | undefined): Totals {
  // Evicted contacts are long past: a letter that was not returned has arrived by now.
  const arrived = old.arrived === true || (old.channel === 'letter' && !old.returned);
  const next = { ...t, evictedArrived: t.evictedArrived + (arrived ? 1 : 0) };
  if (reactionAt !== undefined && Date.parse(old.at) <= Date.parse(reactionAt)) return next;
  return {
    ...next,
    evictedSinceReaction: next.evictedSinceReaction + 1,
    evictedArrivedSinceReaction: next.evictedArrivedSinceReaction + (arrived ? 1 : 0),
    evictedChannelsSinceReaction: arrived && !next.evictedChannelsSinceReaction.includes(old.channel) ? [...next.evictedChannelsSinceReaction, old.channel] : next.evictedChannelsSinceReaction,
  };
}

/** Arrival evidence for a contact (delivered, opened, clicked, an opt-out reply) or proof it did not arrive. */
export function markContact<T extends Pick<CaseFacts, 'contacts'> & { journey: JourneyFacts }>(
  f: T,
  match: (c: ContactFact) => boolean,
  mark: { arrived?: boolean; returned?: boolean },
): T {
  const apply = (list: ContactFact[]) => list.map((c) => (match(c) ? { ...c, ...mark } : c));
  return { ...f, contacts: apply(f.contacts), journey: { ...f.journey, contacts: apply(f.journey.contacts) } };
}

/** A reaction resets what counts as "since the last reaction" (segmentation rule 5). */
export function recordReaction<T extends Pick<CaseFacts, 'signals' | 'totals'>>(f: T, r: Reaction): T {
  return {
    ...f,
    signals: { ...f.signals, lastReaction: r },
    totals: { ...f.totals, evictedSinceReaction: 0, evictedArrivedSinceReaction: 0, evictedChannelsSinceReaction: [] },
  };
}

export function recordCallOutcome(s: Signals, at: string, outcome: string): Signals {
  return { ...s, callOutcomes: last([...s.callOutcomes, { at, outcome }], CALL_OUTCOME_LIMIT) };
}

export function recordFailure<J extends JourneyFacts>(j: J, at: string, channel: Channel): J {
  return { ...j, failures: last([...j.failures, { at, channel }], FAILURE_LIMIT) };
}

/** A dated payment on a dossier; the list keeps the last PAYMENT_LIMIT, older ones summed into the first. */
export function addPayment(payments: readonly PaymentFact[] | undefined, p: PaymentFact): PaymentFact[] {
  const list = [...(payments ?? []), p];
  while (list.length > PAYMENT_LIMIT) {
    const [a, b] = list.splice(0, 2);
    // Keeps the earlier date of the two, the reading in the debtor's favour for both rules that read dates: the
    // sum counts inside the 14-day term if either part did (costs), and lowers the interest base from the
    // earlier day (interest). Only claims with more than PAYMENT_LIMIT payments ever fold.
    list.unshift({ amount: a.amount + b.amount, at: a.at && b.at ? (a.at < b.at ? a.at : b.at) : (a.at ?? b.at) });
  }
  return list;
}

/** Takes `amount` back from the dated payments, the latest first (a refund or chargeback undoes a payment). */
export function withoutPayment(payments: readonly PaymentFact[] | undefined, amount: number): PaymentFact[] | undefined {
  if (!payments) return payments;
  const list = [...payments];
  let left = amount;
  for (let i = list.length - 1; i >= 0 && left > 0; i--) {
    const take = Math.min(left, list[i].amount);
    left -= take;
    list[i] = { ...list[i], amount: list[i].amount - take };
  }
  return list.filter((p) => p.amount > 0);
}

/** A new journey starts with no contacts of its own; the log and the signals carry over. */
export function startJourney(j: JourneyFacts, journeyNo: number, at: string): JourneyFacts {
  return { journeyNo, stepNo: 0, startedAt: at, contacts: [], failures: [], ...(j.lastContactAt ? { lastContactAt: j.lastContactAt } : {}) };
}

export const openDossiers = (f: Pick<CaseFacts, 'dossiers'>): DossierFacts[] => f.dossiers.filter((d) => d.status === 'open');

export function isOptOut(intent: string | undefined): boolean {
  return intent === 'opt_out' || intent === 'opt_out_all';
}

/** Opt-outs as the decision sees them (`all` or channel names). */
export const hasOptedOut = (d: Pick<DebtorFacts, 'optOuts'>, channel: Channel): boolean =>
  (d.optOuts as string[]).includes('all') || (d.optOuts as string[]).includes(channel);
