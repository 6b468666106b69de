/**
 * The case: one debtor's conversation with the agency — every claim of every creditor, the contact details
 * that came with each, the journey, and the bounded facts a decision reads (./facts.ts). Stored as one item
 * (functions/store/cases.ts) and changed only by the pure reducer in ./events.ts, so a decision costs one read
 * however long the journey has run.
 *
 * Creditors are separate controllers (DESIGN §4): what a creditor may see is computed here too (`factsOf` with
 * a client scope): its own claims, the contact details it gave, and the facts about messages that concerned its
 * own claims.
 */
import type { IncomeSource } from '../payday.js';
import { type Channel, type ContactPointKind, CONTACT_POINT_OF, type Language, type OptOut } from '../vocabulary.js';
import {
  CONTACT_LOG_LIMIT,
  type CaseFacts,
  type ContactFact,
  type DebtorFacts,
  type DossierFacts,
  type JourneyFacts,
  type Signals,
  type Totals,
  emptySignals,
  emptyTotals,
  withEvicted,
} from './facts.js';
import { type IdentityFacts, addressKey, normaliseName } from './identity.js';
import type { Arrangement } from '../arrangements.js';

export interface PostalAddress {
  line1: string;
  postalCode: string;
  city: string;
  country: string;
}

/** Who gave a contact point, with which claim, when. */
export interface ContactSource {
  dossierId: string;
  clientId: string;
  at: string;
  /** WhatsApp opt-in recorded with this claim (DESIGN §5 rule 11) */
  whatsappOptIn?: boolean;
  /**
   * The first version's one set of details per person (upgrade.ts): used for all of that person's claims, as the
   * first version did, though shown only to the creditor whose claim brought it.
   */
  personWide?: true;
}

export interface ContactPoint {
  kind: ContactPointKind;
  /** normalised: a lower-case email address, an E.164 number, an address key */
  value: string;
  address?: PostalAddress;
  sources: ContactSource[];
  /**
   * Someone who uses this number asked for no more messages on these channels ('all': none at all) — from a
   * number several people share, or a number another person gave before: it holds for everyone who uses it.
   */
  optedOut?: OptOut[];
  /** bounced, dead number, returned letter: not used again */
  unusable?: { at: string; reason: string };
}

/** A claim as the case holds it: the decision's facts plus what the creditor gave with it. */
export interface ClaimRecord extends DossierFacts {
  reference: string;
  description?: string;
  /** the debtor's name as this creditor gave it */
  name: string;
  language: Language;
  consumer: boolean;
  incomeSource?: IncomeSource;
  debtorRef?: string;
  statusReason?: string;
  /** when the status last changed */
  statusAt?: string;
  /** when the payments first covered principal + costs (the 'paid' timeline entry is keyed by it) */
  paidInFullAt?: string;
  updatedAt: string;
  /** payment keys booked recently, so a repeated payment is booked once (the payment item keeps them all) */
  paymentKeys: string[];
}

/** The step a journey claimed last: at most once per (journey, step). */
export interface StepClaim {
  stepNo: number;
  channel: Channel;
  at: string;
  /**
   * What the claimed contact took by last touch while it was being sent (outcomes/attribution.ts): scope ("*" the
   * agency, or a creditor) → what (an intent, `$` cents) → n; taken back from the counters if the step is not sent
   */
  lt?: Record<string, Record<string, number>>;
}

export interface JourneyRecord extends JourneyFacts {
  status: 'active' | 'closed';
  /** the waiting state's task token: whatever happens to the case ends the wait with it */
  taskToken?: string;
  /** the pending one-time schedule that ends the wait at the planned moment */
  timer?: string;
  claim?: StepClaim;
  openTask?: { taskId: string; stepNo: number; dueAt: string };
  phase?: string;
  segment?: string;
  segmentReasons?: string[];
  nextContactAt?: string;
  closedReason?: string;
  /** what ending the journey does, kept so a retry after a crash can finish it */
  closing?: { dossierStatus?: 'handed_over' | 'debt_help'; detail: string; at: string };
}

/**
 * A debtor's place in an experiment: assigned at the first contact under it (the exposure) and kept (sticky), with
 * what followed within the metrics' windows from the exposure (../outcomes/attribution.ts keeps it up to date).
 */
export interface ExperimentAssignment {
  variant: string;
  /** the exposure: the first contact under the experiment */
  at: string;
  journeyNo: number;
  /** when the outcome came, if within its window: reacted (7 d), promise/arrangement (14 d), paid (30 d) */
  reacted?: string;
  promised?: string;
  paid?: string;
  /** cents paid within 60 days of the exposure */
  cents?: number;
}

/**
 * Automated outreach waits for a person: a reply signalled vulnerability, bankruptcy or the wrong person, and an
 * agent task was made for it. The agent's outcome on that task (any but no_answer) lifts the hold.
 */
export interface HoldRecord {
  reason: HoldReason;
  at: string;
  taskId: string;
  dossierIds: string[];
}
export type HoldReason = 'vulnerable' | 'bankruptcy' | 'wrong_person';

export interface FlagRecord {
  flag: string;
  at: string;
  /** the claims it came with; none = about the person (visible to every creditor) */
  dossierIds?: string[];
  /** the client that set it through the API (POST /v1/debtors/{id}/flags); none = the journey (a reply, a call) */
  clientId?: string;
}

export interface CaseState {
  v: 2;
  caseId: string;
  createdAt: string;
  updatedAt: string;
  /** bumped by every write: writes are conditional on it (optimistic locking) */
  version: number;
  /** bumped by everything that happens to the case: a decision made before it is stale */
  eventSeq: number;
  journey: JourneyRecord;
  contactPoints: ContactPoint[];
  dossiers: Record<string, ClaimRecord>;
  /** contacts of every journey (the last CONTACT_LOG_LIMIT; the store may hold a few more until the next full write) */
  contacts: ContactFact[];
  signals: Signals;
  totals: Totals;
  /** the same signals and totals, counted per creditor over the events about its claims */
  byClient: Record<string, { signals: Signals; totals: Totals }>;
  optOuts: OptOut[];
  flags: FlagRecord[];
  /** holds on automated outreach until an agent records an outcome (absent on cases from before issue 8) */
  holds?: HoldRecord[];
  /** the last inbound message: when, when on WhatsApp (its 24 h window), the recent message ids (a repeat is ignored) */
  inbound?: { at: string; whatsappAt?: string; recent?: string[] };
  /** experiment id → assignment (stored as top-level attributes `exp#<id>`, store/case-codec.ts) */
  experiments: Record<string, ExperimentAssignment>;
  /** the payment arrangement offered or in force (issue 9); an ended one stays until the next offer */
  arrangement?: Arrangement;
}

export function emptyCase(caseId: string, at: string): CaseState {
  return {
    v: 2,
    caseId,
    createdAt: at,
    updatedAt: at,
    version: 0,
    eventSeq: 0,
    journey: { journeyNo: 1, status: 'active', stepNo: 0, startedAt: at, contacts: [], failures: [] },
    contactPoints: [],
    dossiers: {},
    contacts: [],
    signals: emptySignals(),
    totals: emptyTotals(),
    byClient: {},
    optOuts: [],
    flags: [],
    experiments: {},
  };
}

export const claimsOf = (s: Pick<CaseState, 'dossiers'>): ClaimRecord[] => Object.values(s.dossiers).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.dossierId.localeCompare(b.dossierId));
export const clientsOf = (s: Pick<CaseState, 'dossiers'>, dossierIds?: readonly string[]): string[] => [
  ...new Set(claimsOf(s).filter((d) => !dossierIds || dossierIds.includes(d.dossierId)).map((d) => d.clientId)),
];

/** A scope for facts: the whole case (the journey, the agency's agents) or what one creditor may see. */
export type Scope = { clientId?: string };

const inScope = (s: CaseState, scope: Scope) => (d: ClaimRecord) => !scope.clientId || d.clientId === scope.clientId;
const aboutScope = (s: CaseState, scope: Scope, dossierIds: readonly string[] | undefined): boolean =>
  !scope.clientId || !dossierIds || dossierIds.some((id) => s.dossiers[id]?.clientId === scope.clientId);

/** The facts a decision reads, for the whole case or for what one creditor may see. */
export function factsOf(s: CaseState, scope: Scope = {}, lastError?: CaseFacts['lastError']): CaseFacts {
  const dossiers = claimsOf(s).filter(inScope(s, scope));
  const own = scope.clientId ? s.byClient[scope.clientId] : undefined;
  const log = s.contacts.filter((c) => aboutScope(s, scope, c.dossierIds));
  // A creditor's contact count is what its part of the log shows (the log keeps the last CONTACT_LOG_LIMIT).
  const scopeTotals = own ? { ...own.totals, contacts: log.length } : s.totals;
  const { contacts, totals } = trimmedLog(log, scopeTotals, (own?.signals ?? s.signals).lastReaction?.at);
  const journey: JourneyFacts = {
    journeyNo: s.journey.journeyNo,
    stepNo: s.journey.stepNo,
    startedAt: s.journey.startedAt,
    ...(s.journey.lastContactAt ? { lastContactAt: s.journey.lastContactAt } : {}),
    contacts: s.journey.contacts.filter((c) => aboutScope(s, scope, c.dossierIds)),
    failures: s.journey.failures,
  };
  return {
    debtor: debtorFacts(s, dossiers, scope),
    dossiers,
    journey,
    contacts,
    signals: own?.signals ?? s.signals,
    totals,
    ...(lastError ? { lastError } : {}),
    caseId: s.caseId,
    ...(s.experiments && Object.keys(s.experiments).length ? { experiments: Object.fromEntries(Object.entries(s.experiments).map(([id, a]) => [id, a.variant])) } : {}),
    ...(s.arrangement && (!scope.clientId || s.arrangement.dossierIds.some((id) => s.dossiers[id]?.clientId === scope.clientId)) ? { arrangement: s.arrangement } : {}),
  };
}

/** Every field of DossierFacts (the compiler holds it complete): what a decision may read of a claim. */
const DOSSIER_FACT_FIELDS: Record<keyof DossierFacts, true> = {
  dossierId: true,
  clientId: true,
  status: true,
  principal: true,
  costs: true,
  paid: true,
  dueDate: true,
  createdAt: true,
  vatOnCosts: true,
  consumer: true,
  language: true,
  letter: true,
  payments: true,
  costsFrom: true,
  statedTermEnd: true,
  interest: true,
  businessCosts: true,
  instalment: true,
};

/**
 * The facts with each claim cut down to its DossierFacts: without the name, reference, description and other fields
 * only people read. What a sending step sends to the Decide function (services/ask-decide.ts): the same decision,
 * no personal data in the invocation.
 */
export function decisionFacts(f: CaseFacts): CaseFacts {
  const dossiers = f.dossiers.map((d) => Object.fromEntries(Object.entries(d).filter(([k]) => k in DOSSIER_FACT_FIELDS)) as unknown as DossierFacts);
  return { ...f, dossiers };
}

/** A log the store let grow past its limit between full writes is cut back here, counting what falls off. */
function trimmedLog(log: readonly ContactFact[], totals: Totals, reactionAt: string | undefined): { contacts: ContactFact[]; totals: Totals } {
  if (log.length <= CONTACT_LOG_LIMIT) return { contacts: [...log], totals };
  const cut = log.length - CONTACT_LOG_LIMIT;
  const totalsAfter = log.slice(0, cut).reduce((t, old) => withEvicted(t, old, reactionAt), totals);
  return { contacts: log.slice(cut), totals: totalsAfter };
}

/** The debtor as a decision sees them: from the claims in scope (the open ones, when there are any). */
function debtorFacts(s: CaseState, dossiers: readonly ClaimRecord[], scope: Scope): DebtorFacts {
  const open = dossiers.filter((d) => d.status === 'open');
  const relevant = open.length ? open : dossiers;
  const ids = new Set(relevant.map((d) => d.dossierId));
  const points = s.contactPoints.filter((p) => p.sources.some((src) => ids.has(src.dossierId)));
  const has = (kind: ContactPointKind) => points.some((p) => p.kind === kind);
  const allUnusable = (kind: ContactPointKind) => has(kind) && points.filter((p) => p.kind === kind).every((p) => p.unusable);
  const latest = relevant.at(-1);
  const income = [...relevant].reverse().find((d) => d.incomeSource && d.incomeSource.type !== 'unknown')?.incomeSource;
  return {
    consumer: relevant.some((d) => d.consumer),
    language: latest?.language ?? 'nl',
    hasEmail: has('email'),
    hasPhone: has('phone'),
    hasAddress: has('address'),
    whatsappOptIn: points.some((p) => p.kind === 'phone' && !p.unusable && p.sources.some((src) => ids.has(src.dossierId) && src.whatsappOptIn)),
    // a channel whose every contact point someone opted out of is as closed as a debtor's own opt-out
    optOuts: [...s.optOuts, ...(['sms', 'whatsapp', 'call', 'email'] as const).filter((ch) => !s.optOuts.includes(ch) && closedEverywhere(points, ch))],
    unusable: (['email', 'phone', 'address'] as const).filter(allUnusable),
    flags: [...new Set(s.flags.filter((f) => aboutScope(s, scope, f.dossierIds)).map((f) => f.flag))],
    ...(income ? { incomeSource: income } : {}),
    ...(s.inbound?.at ? { lastInboundAt: s.inbound.at } : {}),
    ...(s.holds?.length ? { holds: s.holds.map((h) => ({ reason: h.reason, at: h.at })) } : {}),
  };
}

function closedEverywhere(points: readonly ContactPoint[], channel: Channel): boolean {
  const of = points.filter((p) => p.kind === CONTACT_POINT_OF[channel]);
  return of.length > 0 && of.every((p) => pointOptedOut(p, channel));
}

/**
 * Where a message about `dossierIds` goes on `channel`: the contact point given with those claims most recently
 * (contact details belong to the claim they came with), else one the same creditor gave with another open claim
 * of the person — never one only another creditor gave, never an unusable one. Equal dates: the later claim's,
 * as nameFor does, so name and address always come from the same claim.
 */
export function contactFor(s: CaseState, channel: Channel, dossierIds: readonly string[]): ContactPoint | undefined {
  const kind = CONTACT_POINT_OF[channel];
  const claims = claimsOf(s);
  const order = new Map(claims.map((d, i) => [d.dossierId, i]));
  const clients = new Set(dossierIds.map((id) => s.dossiers[id]?.clientId));
  const sameCreditorOpen = new Set(claims.filter((d) => d.status === 'open' && clients.has(d.clientId)).map((d) => d.dossierId));
  const usable = s.contactPoints.filter((p) => p.kind === kind && !p.unusable && !pointOptedOut(p, channel) && (channel !== 'whatsapp' || p.sources.some((src) => src.whatsappOptIn)));
  const latestFrom = (ids: (src: ContactSource) => boolean) =>
    usable
      .map((p) => ({ p, src: p.sources.filter(ids).sort((a, b) => a.at.localeCompare(b.at) || (order.get(a.dossierId) ?? -1) - (order.get(b.dossierId) ?? -1)).at(-1) }))
      .filter((x): x is { p: ContactPoint; src: ContactSource } => x.src !== undefined)
      .sort((a, b) => b.src.at.localeCompare(a.src.at) || (order.get(b.src.dossierId) ?? -1) - (order.get(a.src.dossierId) ?? -1))[0]?.p;
  return latestFrom((src) => dossierIds.includes(src.dossierId)) ?? latestFrom((src) => sameCreditorOpen.has(src.dossierId) || src.personWide === true);
}

/** Did someone ask for no more `channel` messages at this contact point? (Letters go by post, never opted out here.) */
export const pointOptedOut = (p: Pick<ContactPoint, 'optedOut'>, channel: Channel): boolean =>
  channel !== 'letter' && (p.optedOut ?? []).some((o) => o === channel || o === 'all');

/** The name to address a message about `dossierIds` to: as given with the most recent of those claims. */
export function nameFor(s: CaseState, dossierIds: readonly string[]): string {
  const claims = claimsOf(s);
  return (claims.filter((d) => dossierIds.includes(d.dossierId)).at(-1) ?? claims.at(-1))?.name ?? '';
}

/**
 * What the case knows of the person to test a later claim against: the names its claims were filed under and the
 * postal addresses they came with, normalised now (so a better normalisation applies to cases stored before it).
 */
export function identityOf(s: Pick<CaseState, 'dossiers' | 'contactPoints'>): IdentityFacts {
  return {
    names: [...new Set(claimsOf(s).map((d) => normaliseName(d.name)))],
    addresses: [...new Set(s.contactPoints.filter((p) => p.kind === 'address' && p.address).map((p) => addressKey(p.address!)))],
  };
}

/** Is the case's journey (journey `journeyNo`, when given) the one running? */
export function isActive(s: CaseState | undefined, journeyNo?: number): boolean {
  return s !== undefined && s.journey.status === 'active' && (journeyNo === undefined || s.journey.journeyNo === journeyNo);
}

/** A stored case as the domain works on it: the contact log cut back to its limit (see facts.ts). */
export function normalised(s: CaseState): CaseState {
  const { contacts, totals } = trimmedLog(s.contacts, s.totals, s.signals.lastReaction?.at);
  return contacts.length === s.contacts.length ? s : { ...s, contacts, totals };
}
