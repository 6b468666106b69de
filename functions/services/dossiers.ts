/**
 * Client-facing dossier operations (API §7): intake, the dossier view, payments.
 * Every write path is idempotent, so a client retrying after a timeout never creates a second dossier
 * or books a payment twice, and a crash half-way is completed by the retry.
 */
import { createHash } from 'node:crypto';
import { HttpError } from '../shared/http.js';
import { newId } from '../shared/ids.js';
import { metrics } from '../shared/metrics.js';
import type { CreateDossierBody, PaymentBody } from '../shared/schemas.js';
import type { Client } from '../store/clients.js';
import { getCase } from '../store/cases.js';
import { findOrCreateDebtor, getDebtor } from '../store/debtors.js';
import {
  claimIdempotencyKey,
  claimReference,
  type Dossier,
  dossiersOfDebtor,
  getDossier,
  outstanding,
  putDossierOnce,
  recordPayment,
} from '../store/dossiers.js';
import { appendEvent, caseTimeline, type TimelineEvent } from '../store/timeline.js';
import { notifyCase, startOrJoinJourney } from './journeys.js';

const IDEMPOTENCY_TTL_S = 7 * 86400;

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

export async function createDossier(
  client: Client,
  body: CreateDossierBody,
  idempotencyKey: string | undefined,
  now: Date,
): Promise<{ status: number; body: { dossierId: string; debtorId: string; status: string } }> {
  const at = now.toISOString();
  const requestHash = hashOf(body);
  let dossierId = newId('dos');
  if (idempotencyKey) {
    const owner = await claimIdempotencyKey(client.clientId, idempotencyKey, { dossierId, requestHash }, Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_S);
    if (owner.requestHash !== requestHash) {
      throw new HttpError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request.');
    }
    dossierId = owner.dossierId;
  }
  const ref = await claimReference(client.clientId, body.reference, { dossierId, requestHash, idempotencyKey });
  if (!ref.claimed) {
    if (ref.claim.requestHash !== requestHash) {
      throw new HttpError(409, 'duplicate_reference', `A dossier with reference ${body.reference} already exists (${ref.claim.dossierId}).`);
    }
    dossierId = ref.claim.dossierId; // the same request again: finish and answer as the first time
  }

  const existing = await getDossier(dossierId);
  const debtorId = existing?.debtorId ?? (await findOrCreateDebtor(body.debtor, at)).debtorId;
  const dossier: Dossier = existing ?? {
    dossierId,
    clientId: client.clientId,
    debtorId,
    reference: body.reference,
    description: body.description,
    principal: body.principal,
    costs: 0,
    paid: 0,
    dueDate: body.dueDate,
    status: 'open',
    createdAt: at,
    updatedAt: at,
  };
  if (!existing) await putDossierOnce(dossier);
  await appendEvent(debtorId, {
    eventId: `claim-${dossierId}`,
    at: dossier.createdAt,
    type: 'claim_received',
    detail: `Claim ${dossier.reference} received: principal ${dossier.principal} cents, due ${dossier.dueDate}.`,
    dossierIds: [dossierId],
  });
  await startOrJoinJourney(debtorId, at);
  return { status: 201, body: { dossierId, debtorId, status: dossier.status } };
}

/** Loads a dossier the client owns; another client's dossier is indistinguishable from a missing one. */
export async function ownDossier(client: Client, dossierId: string): Promise<Dossier> {
  const dossier = await getDossier(dossierId);
  if (!dossier || dossier.clientId !== client.clientId) {
    throw new HttpError(404, 'not_found', `No dossier ${dossierId}.`);
  }
  return dossier;
}

const EXPLAINED = new Set(['decision', 'journey_ended']);

/**
 * A timeline entry as a client sees it. Decisions about a debtor who also owes other creditors keep their
 * action but not their reasons, which describe those creditors' claims.
 */
function publicEvent(e: TimelineEvent, shared: boolean) {
  const detail = shared && EXPLAINED.has(e.type) ? `${e.detail.split('. ')[0]}. (Reasons not shown: the debtor also has claims of other creditors.)` : e.detail;
  return { at: e.at, type: e.type, ...(e.channel ? { channel: e.channel } : {}), detail };
}

const sharesDebtor = (clientId: string, debtorDossiers: Dossier[]) => debtorDossiers.some((d) => d.clientId !== clientId && d.status === 'open');

/**
 * A debtor may owe several creditors: segment reasons that describe the other creditors' claims are not this
 * client's to read, so they are summarised when another creditor has an open claim too.
 */
function reasonsFor(clientId: string, debtorDossiers: Dossier[], reasons: string[] | undefined): string[] {
  return sharesDebtor(clientId, debtorDossiers) ? ['based on all of the debtor’s open claims, including those of other creditors'] : (reasons ?? []);
}

export async function dossierView(dossier: Dossier) {
  const [c, timeline, debtorDossiers] = await Promise.all([getCase(dossier.debtorId), caseTimeline(dossier.debtorId), dossiersOfDebtor(dossier.debtorId)]);
  return {
    dossierId: dossier.dossierId,
    reference: dossier.reference,
    status: dossier.status,
    amounts: { principal: dossier.principal, costs: dossier.costs, paid: dossier.paid, outstanding: outstanding(dossier) },
    debtorId: dossier.debtorId,
    journey: {
      phase: c?.phase ?? null,
      segment: c?.segment ?? null,
      segmentReasons: reasonsFor(dossier.clientId, debtorDossiers, c?.segmentReasons),
      nextContactAt: c?.status === 'active' ? c?.nextContactAt ?? null : null,
    },
    timeline: timeline.filter((e) => e.dossierIds.includes(dossier.dossierId)).map((e) => publicEvent(e, sharesDebtor(dossier.clientId, debtorDossiers))),
  };
}

export async function addPayment(dossier: Dossier, body: PaymentBody, idempotencyKey: string | undefined, now: Date) {
  const at = now.toISOString();
  const paymentKey = body.reference ? `ref:${body.reference}` : idempotencyKey ? `idem:${idempotencyKey}` : newId('pay');
  const { applied, dossier: updated } = await recordPayment(
    dossier.dossierId,
    { paymentKey, amount: body.amount, paidAt: body.paidAt ?? at, reference: body.reference },
    at,
  );
  if (applied) {
    metrics.paymentReceived(body.amount);
    await appendEvent(dossier.debtorId, {
      eventId: `pay-${dossier.dossierId}-${paymentKey}`,
      at,
      type: 'payment',
      detail: `Payment of ${body.amount} cents received${body.reference ? ` (${body.reference})` : ''}; ${outstanding(updated)} cents outstanding.`,
      dossierIds: [dossier.dossierId],
      data: { amount: body.amount, paidAt: body.paidAt ?? at, dossierId: dossier.dossierId },
    });
    if (updated.status === 'paid') {
      await appendEvent(dossier.debtorId, {
        eventId: `paid-${dossier.dossierId}`,
        at,
        type: 'paid',
        detail: 'Paid in full: outreach for this dossier stopped.',
        dossierIds: [dossier.dossierId],
      });
    }
  }
  // Always, also for a retried request: if the first attempt crashed before this, the journey still hears of it.
  await notifyCase(dossier.debtorId, 'payment', at);
  return dossierView(updated);
}

/** The debtor as one client may see them: only that client's dossiers and the events about them. */
export async function debtorView(client: Client, debtorId: string) {
  const [debtor, dossiers] = await Promise.all([getDebtor(debtorId), dossiersOfDebtor(debtorId)]);
  const mine = dossiers.filter((d) => d.clientId === client.clientId);
  if (!debtor || mine.length === 0) throw new HttpError(404, 'not_found', `No debtor ${debtorId}.`);
  const ids = new Set(mine.map((d) => d.dossierId));
  const [c, timeline] = await Promise.all([getCase(debtorId), caseTimeline(debtorId)]);
  const visible = timeline.filter((e) => e.dossierIds.some((id) => ids.has(id)));
  const count = (type: string) => visible.filter((e) => e.type === type).length;
  return {
    debtorId,
    language: debtor.language,
    consumer: debtor.consumer,
    dossiers: mine.map((d) => ({ dossierId: d.dossierId, reference: d.reference, status: d.status, outstanding: outstanding(d) })),
    segment: c?.segment ?? null,
    segmentReasons: reasonsFor(client.clientId, dossiers, c?.segmentReasons),
    optOuts: debtor.optOuts,
    engagement: { sent: count('sent'), delivered: count('delivered'), opened: count('opened'), replied: count('replied'), payments: count('payment') },
    decisions: visible.filter((e) => e.type === 'decision').map((e) => publicEvent(e, sharesDebtor(client.clientId, dossiers))),
  };
}
