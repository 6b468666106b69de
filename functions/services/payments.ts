/**
 * Payments: reported by the creditor (POST /v1/dossiers/{id}/payments) or made by the debtor through the payment
 * provider (services/checkout.ts). Booked exactly once per payment key (the client's reference, else the
 * Idempotency-Key; `mollie:<payment id>` for a provider payment): the payment item records it under its key, the
 * case applies it once (it remembers the recent keys), and a retry repeats only the idempotent rest. A key reused for
 * another amount is refused. The timeline entry says how the payment was allocated: costs, then interest, then
 * principal (art. 6:44 BW, domain/case/amounts.ts). A full payment ends the outreach about that dossier at once; a
 * surplus is shown as `refundDue`. A payment on a dossier in an arrangement goes to its instalments in order (the
 * reducer does that). Refunds and chargebacks take payments back and reopen what they undo (`reversePayments`).
 * The total paid on a dossier stays at most MAX_PAID_TOTAL_CENTS: a payment that would pass it is a 422 and leaves
 * nothing behind (checked before anything is written, and again on the case as it is written, for a concurrent payment).
 */
import { localDate } from '../domain/calendar.js';
import { accrualStop, claimAmounts } from '../domain/case/amounts.js';
import { applyEvent, type CaseEvent } from '../domain/case/events.js';
import { type CaseState, claimsOf } from '../domain/case/state.js';
import { euro } from '../domain/money.js';
import { HttpError } from '../shared/http.js';
import { newId } from '../shared/ids.js';
import { metrics } from '../shared/metrics.js';
import type { PaymentBody } from '../shared/schemas/api.js';
import { MAX_PAID_TOTAL_CENTS } from '../shared/schemas/fields.js';
import type { Client } from '../store/clients.js';
import { type DossierRecord, dossierItem, forgetPayment, type PaymentRecord, recordPaymentOnce } from '../store/dossiers.js';
import { appendEvents, type NewEvent } from '../store/timeline.js';
import { loadCase, mutateCase } from './case.js';
import { startJourney, wakeJourney } from './journeys.js';
import { dossierView } from './views.js';

const tooMuch = (paid: number) =>
  new HttpError(422, 'paid_total_too_large', `This payment would bring the total paid on the dossier above ${MAX_PAID_TOTAL_CENTS} cents (€1,000,000,000.00); ${paid} cents are booked.`, {
    amount: `must keep the total paid at most ${MAX_PAID_TOTAL_CENTS} cents: at most ${Math.max(0, MAX_PAID_TOTAL_CENTS - paid)} more can be booked`,
  });

/** The paid total a part would pass the limit with, on the case as it is (undefined: within it, or already booked). */
const overLimit = (c: CaseState, parts: readonly PaymentPart[], key: string): number | undefined => {
  for (const p of parts) {
    const d = c.dossiers[p.dossierId];
    if (d && !d.paymentKeys.includes(key) && d.paid + p.amount > MAX_PAID_TOTAL_CENTS) return d.paid;
  }
  return undefined;
};

export interface PaymentPart {
  dossierId: string;
  amount: number;
}

export interface Booking {
  key: string;
  paidAt: string;
  reference?: string;
  /** for the timeline: "via iDEAL (Mollie tr_…)" */
  how?: string;
  /** false: paidAt is "now" by default, so a retry at a later moment is the same payment */
  paidAtGiven?: boolean;
}


/**
 * Books a payment split over dossiers of one debtor, once per (dossier, key): payment items, one case write, the
 * timeline and the dossiers' projections, then the journey is woken (also on a repeat: a crash after the case write
 * still reaches the journey).
 */
export async function bookPayments(debtorId: string, parts: readonly PaymentPart[], b: Booking, now: Date): Promise<CaseState | undefined> {
  const at = now.toISOString();
  // Refused before anything is written when a paid total would pass the limit (the common case of the check below).
  const current = await loadCase(debtorId, now);
  if (!current) return undefined;
  const before = overLimit(current, parts, b.key);
  if (before !== undefined) throw tooMuch(before);
  const records: Array<PaymentRecord & { dossierId: string; created: boolean; wanted: number }> = [];
  for (const p of parts) {
    const { created, record } = await recordPaymentOnce(p.dossierId, { paymentKey: b.key, amount: p.amount, paidAt: b.paidAt, ...(b.reference ? { reference: b.reference } : {}), recordedAt: at });
    records.push({ ...record, dossierId: p.dossierId, created, wanted: p.amount });
  }
  // Nothing of a payment the case did not take stays: the records this request made go again (an earlier
  // attempt's are left for that attempt's retry).
  const forgetOurs = async (c: CaseState | undefined) => {
    for (const r of records) if (r.created && !c?.dossiers[r.dossierId]?.paymentKeys.includes(b.key)) await forgetPayment(r.dossierId, r).catch(() => undefined);
  };
  if (records.some((r) => r.amount !== r.wanted || (b.paidAtGiven !== false && r.paidAt !== b.paidAt))) {
    await forgetOurs(undefined);
    throw new HttpError(409, 'payment_reference_reused', `Payment ${b.reference ?? b.key} was already booked with another amount or date.`);
  }
  let over: number | undefined;
  let m: Awaited<ReturnType<typeof mutateCase>>;
  try {
    m = await mutateCase(
      debtorId,
      now,
      (c): CaseEvent[] => {
        // Another payment booked meanwhile may have brought a total close to the limit: checked on the case as written.
        over = overLimit(c, records, b.key);
        if (over !== undefined) return [];
        return records.map((r) => ({ type: 'payment', at: r.recordedAt, dossierId: r.dossierId, amount: r.amount, paidAt: r.paidAt, key: b.key }));
      },
      current,
    );
  } catch (err) {
    // The case could not take it (it kept changing, the store failed): unless the case has it after all (a write
    // whose answer was lost), the payment is not booked, so a retry books it.
    const c = await loadCase(debtorId, now).catch(() => undefined);
    if (c) await forgetOurs(c);
    throw err;
  }
  if (over !== undefined) {
    await forgetOurs(undefined);
    throw tooMuch(over);
  }
  if (!m) return undefined;
  // Counted when the case applied it: once per payment key, whatever a retry repeats (a split payment is one payment).
  if (m.changed) metrics.paymentReceived(records.reduce((sum, r) => sum + r.amount, 0));
  const events: NewEvent[] = [];
  for (const r of records) {
    const d = m.after.dossiers[r.dossierId];
    if (!d) continue;
    // How art. 6:44 BW allocates it (costs, then interest, then principal), over the claim's dated payments up to today.
    const paidOn = localDate(new Date(r.paidAt));
    const amounts = claimAmounts(d, [paidOn, localDate(now)].sort()[1], { stopAccrualOn: accrualStop(m.after) });
    const allocation = amounts.allocations.filter((a) => a.date === paidOn && a.amount === r.amount).at(-1);
    events.push({
      eventId: `pay-${r.dossierId}-${b.key}`,
      at: r.recordedAt,
      type: 'payment',
      detail:
        `Payment of ${r.amount} cents received${b.how ? ` ${b.how}` : ''}${r.reference ? ` (${r.reference})` : ''}` +
        `${allocation ? `; ${allocation.reason}` : ''}; ${amounts.outstanding} cents outstanding${amounts.refundDue > 0 ? `, ${amounts.refundDue} cents to refund` : ''}.`,
      dossierIds: [r.dossierId],
      data: {
        amount: r.amount,
        paidAt: r.paidAt,
        dossierId: r.dossierId,
        ...(allocation ? { allocation: { toCosts: allocation.toCosts, toInterest: allocation.toInterest, toPrincipal: allocation.toPrincipal, surplus: allocation.surplus } } : {}),
      },
    });
    // Keyed by when the payments first covered the claim: every payment after it writes the same entry, never a second.
    if (d.status === 'paid') events.push({ eventId: `paid-${r.dossierId}`, at: d.paidInFullAt ?? r.recordedAt, type: 'paid', detail: 'Paid in full: outreach for this dossier stopped.', dossierIds: [r.dossierId] });
  }
  const a = m.after.arrangement;
  if (a && m.before.arrangement?.status === 'active' && a.status === 'completed') {
    events.push({ eventId: `arr-done-${a.id}`, at, type: 'arrangement', detail: 'Payment arrangement completed: every instalment paid.', dossierIds: a.dossierIds, data: { arrangement: 'completed' } });
  }
  await appendEvents(m.after.caseId, events, records.map((r) => m.after.dossiers[r.dossierId]).filter(Boolean).map((d) => dossierItem({ ...d, debtorId: m.after.caseId })));
  await wakeJourney(m.after, 'payment');
  return m.after;
}

/**
 * A refund or chargeback took `parts` back: the dossiers' paid amounts go down, a paid dossier with something owed
 * again reopens (and the arrangement's instalments with it), and a journey that had ended because nothing was open
 * any more starts again.
 */
export async function reversePayments(debtorId: string, parts: readonly PaymentPart[], r: { key: string; reason: 'refund' | 'chargeback'; how: string }, now: Date): Promise<CaseState | undefined> {
  const at = now.toISOString();
  const m = await mutateCase(debtorId, now, (c): CaseEvent[] => {
    const events: CaseEvent[] = parts.map((p) => ({ type: 'payment_reversed', at, dossierId: p.dossierId, amount: p.amount, key: r.key, reason: r.reason }));
    // A journey starts again only when a dossier is owed again (a refunded surplus reopens nothing).
    const after = events.reduce(applyEvent, c);
    const reopens = parts.some((p) => c.dossiers[p.dossierId]?.status === 'paid' && after.dossiers[p.dossierId]?.status === 'open');
    if (reopens && c.journey.status === 'closed') events.push({ type: 'journey_opened', at });
    return events;
  });
  if (!m || !m.changed) return m?.after;
  const events: NewEvent[] = parts.map((p) => ({
    eventId: `rev-${p.dossierId}-${r.key}`,
    at,
    type: 'payment_reversed' as const,
    detail: `${r.reason === 'refund' ? 'Refund' : 'Chargeback'} of ${euro(p.amount)} ${r.how}; ${claimAmounts(m.after.dossiers[p.dossierId], localDate(now), { stopAccrualOn: accrualStop(m.after) }).outstanding} cents outstanding${m.before.dossiers[p.dossierId]?.status === 'paid' && m.after.dossiers[p.dossierId]?.status === 'open' ? ': the dossier is open again' : ''}.`,
    dossierIds: [p.dossierId],
    data: { amount: p.amount, reason: r.reason },
  }));
  const changed = claimsOf(m.after).filter((d) => m.before.dossiers[d.dossierId]?.status !== d.status);
  await appendEvents(m.after.caseId, events, changed.map((d) => dossierItem({ ...d, debtorId: m.after.caseId })));
  if (m.before.journey.status === 'closed' && m.after.journey.status === 'active') await startJourney(m.after);
  else await wakeJourney(m.after, r.reason);
  return m.after;
}

export async function addPayment(client: Client, dossier: DossierRecord, body: PaymentBody, idempotencyKey: string | undefined, now: Date) {
  const at = now.toISOString();
  const key = body.reference ? `ref:${body.reference}` : idempotencyKey ? `idem:${idempotencyKey}` : newId('pay');
  const after = await bookPayments(dossier.debtorId, [{ dossierId: dossier.dossierId, amount: body.amount }], { key, paidAt: body.paidAt ?? at, paidAtGiven: body.paidAt !== undefined, ...(body.reference ? { reference: body.reference } : {}) }, now).catch((err) => {
    if (err instanceof HttpError && err.code === 'payment_reference_reused') {
      throw new HttpError(409, 'payment_reference_reused', `Payment ${body.reference ?? idempotencyKey} was already booked with another amount or date.`);
    }
    throw err;
  });
  if (!after) throw new HttpError(404, 'not_found', `No dossier ${dossier.dossierId}.`);
  return dossierView(client, dossier, now, after);
}
