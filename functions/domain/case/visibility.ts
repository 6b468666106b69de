/**
 * What each reader may see of a case (DESIGN §4: each creditor is a separate controller). Pure.
 *
 *  - The agency's agents see the whole person: every claim of every creditor, every contact detail with who gave
 *    it, replies in the debtor's own words, every reason.
 *  - A creditor sees its own claims, the contact details it gave, its own payments, and the events about its own
 *    claims. A reply to a message that also covered another creditor's claims shows the classified intent only;
 *    the debtor's words are shown only to the creditor whose claims alone the message was about. Segment reasons
 *    are computed from the facts the creditor may see; decisions and messages about several creditors' claims
 *    are shown without what came from the others (their claims, amounts, language, reasons).
 */
import { segmentWithEvidence } from '../segmentation.js';
import { type CaseState, type ClaimRecord, claimsOf, clientsOf, factsOf } from './state.js';

export interface Viewer {
  clientId: string;
  /** the agency's own key: sees the whole person */
  agent: boolean;
}

/** A timeline event as stored (functions/store/timeline.ts). */
export interface StoredEvent {
  at: string;
  type: string;
  channel?: string;
  detail: string;
  dossierIds: string[];
  template?: string;
  tone?: string;
  language?: string;
  text?: string;
  intent?: string;
  confidence?: number;
  data?: Record<string, unknown>;
}

export interface EntryView {
  at: string;
  type: string;
  channel?: string;
  detail: string;
  intent?: string;
  confidence?: number;
}

export const INTENT_TEXT: Readonly<Record<string, string>> = {
  opt_out: 'opted out of this channel',
  opt_out_all: 'opted out of all channels',
  promise_to_pay: 'promises to pay',
  postpone: 'asks to pay later',
  already_paid: 'says the claim is already paid',
  arrangement: 'asks for a payment arrangement',
  cannot_pay: 'says they cannot pay',
  dispute: 'disputes the claim',
  not_my_debt: 'says the claim is not theirs (wrong person)',
  debt_help: 'reports debt help or debt restructuring',
  bankruptcy: 'reports a bankruptcy',
  vulnerable: 'signals a difficult situation (vulnerability)',
  who_are_you: 'asks who we are',
  call_me: 'asks to be called',
  amount_question: 'asks about the amount',
  unclear: 'replied; an agent reads it',
  other: 'replied',
};

const ownIds = (c: CaseState, v: Viewer) => new Set(claimsOf(c).filter((d) => v.agent || d.clientId === v.clientId).map((d) => d.dossierId));

/** The claims a reader may see. */
export function visibleClaims(c: CaseState, v: Viewer): ClaimRecord[] {
  return claimsOf(c).filter((d) => v.agent || d.clientId === v.clientId);
}

/** Does this case hold claims of more than one creditor? Then each creditor reads only its own part. */
const shared = (c: CaseState): boolean => clientsOf(c).length > 1;

/**
 * The segment and its reasons as this reader may see them: for a creditor of a person with claims at other
 * creditors, computed from the facts that creditor may see — without saying that other facts exist.
 */
export function segmentFor(c: CaseState, v: Viewer, now: Date): { segment: string | null; segmentReasons: string[] } {
  const actual = c.journey.segment ?? null;
  if (v.agent || !shared(c)) return { segment: actual, segmentReasons: c.journey.segmentReasons ?? [] };
  const own = segmentWithEvidence(factsOf(c, { clientId: v.clientId }), now);
  return { segment: own.segment, segmentReasons: own.reasons };
}

/** The journey's phase for this reader: for a creditor of a shared person, the phase its own claims reached. */
export function phaseFor(c: CaseState, v: Viewer): string | null {
  if (v.agent || !shared(c)) return c.journey.phase ?? null;
  const own = ownIds(c, v);
  return [...c.journey.contacts].reverse().find((x) => x.dossierIds?.some((id) => own.has(id)))?.phase ?? null;
}

/** The timeline as this reader may see it (optionally only the events about one dossier). */
export function visibleTimeline(c: CaseState, v: Viewer, events: readonly StoredEvent[], onlyDossier?: string): EntryView[] {
  const own = ownIds(c, v);
  const sharedCase = shared(c);
  const out: EntryView[] = [];
  for (const e of events) {
    if (onlyDossier && !e.dossierIds.includes(onlyDossier)) continue;
    if (!e.dossierIds.some((id) => own.has(id))) continue;
    const about = e.dossierIds.some((id) => !own.has(id));
    out.push({
      at: e.at,
      type: e.type,
      ...(e.channel ? { channel: e.channel } : {}),
      detail: v.agent ? agentDetail(e) : creditorDetail(e, v, { about, sharedCase }, own),
      ...(e.intent ? { intent: e.intent } : {}),
      ...(e.confidence !== undefined ? { confidence: e.confidence } : {}),
    });
  }
  return out;
}

function agentDetail(e: StoredEvent): string {
  return e.type === 'replied' && e.text !== undefined ? `${e.detail}: "${e.text}"` : e.detail;
}

/**
 * An event as a creditor reads it. `about`: the event also covers another creditor's claims; `sharedCase`: the
 * person has claims at other creditors.
 */
function creditorDetail(e: StoredEvent, v: Viewer, scope: { about: boolean; sharedCase: boolean }, own: ReadonlySet<string>): string {
  switch (e.type) {
    case 'replied':
      // The debtor's own words only to the creditor whose claims alone the message answered was about.
      return !scope.about && e.text !== undefined ? `${e.detail}: "${e.text}"` : e.detail;
    case 'decision':
      return scope.sharedCase ? decisionDetail(e, v, own) : e.detail;
    case 'sent':
      return scope.about ? `${e.channel} sent (${e.template}, ${e.tone}).` : e.detail;
    case 'journey_ended':
      return scope.about ? `${e.detail.split('. ')[0]}.` : e.detail;
    // A plan or a payment over several creditors' claims: its totals are not one creditor's to read (the dossier's
    // own share of the plan is under `arrangement`).
    case 'arrangement':
      return scope.about ? `Payment arrangement ${typeof e.data?.arrangement === 'string' ? e.data.arrangement : 'changed'}, together with claims of another creditor.` : e.detail;
    case 'payment_attempt':
      return scope.about ? 'A payment on the payment page, together with claims of another creditor.' : e.detail;
    default:
      return e.detail;
  }
}

/**
 * A decision as one creditor of a shared person may read it: what the journey does and the creditor's own
 * segment. The reasons are left out: they weigh the whole conversation (earlier contacts, other claims, another
 * creditor's income data), which is not this creditor's to read.
 */
function decisionDetail(e: StoredEvent, v: Viewer, own: ReadonlySet<string>): string {
  const d = e.data ?? {};
  const about = e.dossierIds.some((id) => !own.has(id));
  const what =
    d.kind === 'send'
      ? `Send ${String(d.channel ?? e.channel)} now (${String(d.phase)}, ${String(d.tone)} tone${about ? '' : `, ${String(d.language)}`}).`
      : d.kind === 'wait'
        ? `Wait until ${String(d.until)}.`
        : e.detail.split('. ')[0] + '.';
  const mine = (d.byClient as Record<string, { segment: string; segmentReasons: string[] }> | undefined)?.[v.clientId];
  return mine ? `${what} Segment ${mine.segment}${mine.segmentReasons.length ? ` (${mine.segmentReasons.join('; ')})` : ''}.` : what;
}

export interface ContactDetailView {
  kind: 'email' | 'phone' | 'address';
  value: string;
  address?: { line1: string; postalCode: string; city: string; country: string };
  usable: boolean;
  /** when this reader's claims brought it (agents: every source) */
  sources: Array<{ dossierId: string; clientId?: string; at: string; whatsappOptIn?: boolean }>;
}

/** The contact details this reader gave (agents: all, with who gave them). */
export function visibleContactDetails(c: CaseState, v: Viewer): ContactDetailView[] {
  const own = ownIds(c, v);
  return c.contactPoints
    .map((p) => ({ p, sources: p.sources.filter((s) => own.has(s.dossierId)) }))
    .filter(({ sources }) => sources.length > 0)
    .map(({ p, sources }) => ({
      kind: p.kind,
      value: p.kind === 'address' && p.address ? `${p.address.line1}, ${p.address.postalCode} ${p.address.city}` : p.value,
      ...(p.address ? { address: p.address } : {}),
      usable: !p.unusable,
      sources: sources.map((s) => ({ dossierId: s.dossierId, ...(v.agent ? { clientId: s.clientId } : {}), at: s.at, ...(s.whatsappOptIn ? { whatsappOptIn: true } : {}) })),
    }));
}
