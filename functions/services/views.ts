/**
 * What a creditor (or an agent) reads: a dossier and a debtor, from the case and its timeline, through the
 * domain's visibility rules (domain/case/visibility.ts) — a creditor never sees another creditor's claims,
 * amounts, contact details, language or the debtor's words about them.
 */
import { type CaseState, claimsOf } from '../domain/case/state.js';
import { type Viewer, segmentFor, visibleClaims, visibleContactDetails, visibleTimeline } from '../domain/case/visibility.js';
import { HttpError } from '../shared/http.js';
import type { Client } from '../store/clients.js';
import { type DossierRecord, getDossier } from '../store/dossiers.js';
import { caseTimeline } from '../store/timeline.js';
import { shareOf } from '../domain/arrangements.js';
import { localDate } from '../domain/calendar.js';
import { loadCase } from './case.js';

export const viewerOf = (client: Client): Viewer => ({ clientId: client.clientId, agent: client.agent === true });

const outstanding = (d: { principal: number; costs: number; paid: number }) => Math.max(0, d.principal + d.costs - d.paid);
const refundDue = (d: { principal: number; costs: number; paid: number }) => Math.max(0, d.paid - d.principal - d.costs);

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
  const timeline = await caseTimeline(c.caseId);
  return {
    dossierId: d.dossierId,
    reference: d.reference,
    status: d.status,
    amounts: { principal: d.principal, costs: d.costs, paid: d.paid, outstanding: outstanding(d), ...(refundDue(d) > 0 ? { refundDue: refundDue(d) } : {}) },
    debtorId: c.caseId,
    journey: {
      phase: c.journey.phase ?? null,
      segment: seg.segment,
      segmentReasons: seg.segmentReasons,
      nextContactAt: c.journey.status === 'active' ? (c.journey.nextContactAt ?? null) : null,
    },
    ...arrangementView(c, d.dossierId, now),
    timeline: visibleTimeline(c, viewer, timeline, d.dossierId),
  };
}

/** The debtor as this client may see them: its own claims and contact details; agents see the whole person. */
export async function debtorView(client: Client, debtorId: string, now: Date) {
  const c = await loadCase(debtorId, now);
  const viewer = viewerOf(client);
  const mine = c ? visibleClaims(c, viewer) : [];
  if (!c || mine.length === 0) throw new HttpError(404, 'not_found', `No debtor ${debtorId}.`);
  const timeline = visibleTimeline(c, viewer, await caseTimeline(debtorId));
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
      outstanding: outstanding(d),
      ...(viewer.agent ? { clientId: d.clientId } : {}),
    })),
    segment: seg.segment,
    segmentReasons: seg.segmentReasons,
    optOuts: c.optOuts,
    ...(viewer.agent ? { flags: c.flags.map((f) => f.flag), creditors: [...new Set(claimsOf(c).map((d) => d.clientId))] } : {}),
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
