/**
 * What a creditor (or an agent) reads: a dossier and a debtor, from the case and its timeline, through the
 * domain's visibility rules (domain/case/visibility.ts) — a creditor never sees another creditor's claims,
 * amounts, contact details, language or the debtor's words about them.
 */
import { type ClaimAmounts, accrualStop, amountsDay, claimAmounts } from '../domain/case/amounts.js';
import { type CaseState, type ClaimRecord, claimsOf, factsOf } from '../domain/case/state.js';
import { type Viewer, phaseFor, segmentFor, visibleClaims, visibleContactDetails, visibleTimeline } from '../domain/case/visibility.js';
import { HttpError } from '../shared/http.js';
import type { Client } from '../store/clients.js';
import { type DossierRecord, getDossier } from '../store/dossiers.js';
import { recentTimeline } from '../store/timeline.js';
import { shareOf } from '../domain/arrangements.js';
import { localDate } from '../domain/calendar.js';
import { loadCase } from './case.js';

/** The views show the latest events of the conversation: a bounded read, whatever its length. */
export const TIMELINE_LIMIT = 500;

export const viewerOf = (client: Client): Viewer => ({ clientId: client.clientId, agent: client.agent === true });

/** A claim's amounts as shown: interest computed for today (for a closed claim: the day it closed). */
const amountsOf = (c: CaseState, d: ClaimRecord, now: Date) => claimAmounts(d, amountsDay(d, now), { stopAccrualOn: accrualStop(c) });

function amountsView(a: ClaimAmounts) {
  return { principal: a.principal, costs: a.costs, interest: a.interest, paid: a.paid, outstanding: a.outstanding, ...(a.refundDue > 0 ? { refundDue: a.refundDue } : {}) };
}

/** Loads a dossier the client owns; another client's dossier is indistinguishable from a missing one. */
export async function ownDossier(client: Client, dossierId: string): Promise<DossierRecord> {
  const dossier = await getDossier(dossierId);
  if (!dossier || dossier.clientId !== client.clientId) throw new HttpError(404, 'not_found', `No dossier ${dossierId}.`);
  return dossier;
}

export async function dossierView(client: Client, dossier: DossierRecord, now: Date, known?: CaseState) {
  const c = known ?? (await loadCase(dossier.debtorId, now));
  const d = c?.dossiers[dossier.dossierId];
  if (!c || !d) throw new HttpError(404, 'not_found', `No dossier ${dossier.dossierId}.`);
  const viewer = viewerOf(client);
  const seg = segmentFor(c, viewer, now);
  const timeline = await recentTimeline(c.caseId, TIMELINE_LIMIT);
  return {
    dossierId: d.dossierId,
    reference: d.reference,
    status: d.status,
    amounts: amountsView(amountsOf(c, d, now)),
    debtorId: c.caseId,
    journey: {
      phase: phaseFor(c, viewer),
      segment: seg.segment,
      segmentReasons: seg.segmentReasons,
      nextContactAt: c.journey.status === 'active' ? (c.journey.nextContactAt ?? null) : null,
    },
    ...arrangementView(c, d.dossierId, now),
    timeline: visibleTimeline(c, viewer, timeline, d.dossierId),
  };
}

/** The debtor as this client may see them: its own claims and contact details; agents see the whole person. */
export async function debtorView(client: Client, debtorId: string, now: Date, known?: CaseState) {
  const c = known ?? (await loadCase(debtorId, now));
  const viewer = viewerOf(client);
  const mine = c ? visibleClaims(c, viewer) : [];
  if (!c || mine.length === 0) throw new HttpError(404, 'not_found', `No debtor ${debtorId}.`);
  const timeline = visibleTimeline(c, viewer, await recentTimeline(debtorId, TIMELINE_LIMIT));
  const count = (type: string) => timeline.filter((e) => e.type === type).length;
  const latest = mine.at(-1)!;
  const seg = segmentFor(c, viewer, now);
  return {
    debtorId,
    name: latest.name,
    language: latest.language,
    consumer: latest.consumer,
    contactDetails: visibleContactDetails(c, viewer),
    dossiers: mine.map((d) => ({
      dossierId: d.dossierId,
      reference: d.reference,
      status: d.status,
      outstanding: amountsOf(c, d, now).outstanding,
      ...(viewer.agent ? { clientId: d.clientId } : {}),
    })),
    segment: seg.segment,
    segmentReasons: seg.segmentReasons,
    optOuts: c.optOuts,
    flags: viewer.agent ? [...new Set(c.flags.map((f) => f.flag))] : factsOf(c, { clientId: viewer.clientId }).debtor.flags,
    ...(viewer.agent ? { creditors: [...new Set(claimsOf(c).map((d) => d.clientId))] } : {}),
    engagement: { sent: count('sent'), delivered: count('delivered'), opened: count('opened'), replied: count('replied'), payments: count('payment') },
    replies: timeline.filter((e) => e.type === 'replied'),
    decisions: timeline.filter((e) => e.type === 'decision'),
  };
}

/** The arrangement this dossier is part of, as this dossier's share of each instalment (never another creditor's amounts). */
function arrangementView(c: CaseState, dossierId: string, now: Date) {
  const a = c.arrangement;
  if (!a || !a.dossierIds.includes(dossierId)) return {};
  const today = localDate(now);
  const instalments = (a.status === 'proposed' ? [] : shareOf(a, dossierId)).map((i) => ({
    dueDate: i.dueDate,
    amount: i.amount,
    paidAmount: i.paidAmount,
    status: i.paidAmount >= i.amount ? ('paid' as const) : i.dueDate < today ? ('overdue' as const) : ('open' as const),
  }));
  return { arrangement: { status: a.status, instalments, ...(a.reason ? { reason: a.reason } : {}) } };
}
