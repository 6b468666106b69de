/**
 * A payment the creditor reports (POST /v1/dossiers/{id}/payments). Booked exactly once per payment key (the
 * client's reference, else the Idempotency-Key): the payment item records it under its key, the case applies it
 * once (it remembers the recent keys), and a retry repeats only the idempotent rest. A key reused for another
 * amount is refused. The timeline entry says how the payment was allocated: costs, then interest, then principal
 * (art. 6:44 BW). A full payment ends the outreach about that dossier at once; a surplus is shown as
 * `refundDue`. The total paid on a dossier stays at most MAX_PAID_TOTAL_CENTS: a payment that would pass it is a
 * 422 and leaves nothing behind (checked before anything is written, and again on the case as it is written, for
 * a concurrent payment).
 */
import { localDate } from '../domain/calendar.js';
import { accrualStop, claimAmounts } from '../domain/case/amounts.js';
import { HttpError } from '../shared/http.js';
import { newId } from '../shared/ids.js';
import { MAX_PAID_TOTAL_CENTS, type PaymentBody } from '../shared/schemas.js';
import type { Client } from '../store/clients.js';
import { type DossierRecord, dossierItem, forgetPayment, recordPaymentOnce } from '../store/dossiers.js';
import { appendEvents } from '../store/timeline.js';
import { loadCase, mutateCase } from './case.js';
import { wakeJourney } from './journeys.js';
import { dossierView } from './views.js';

const tooMuch = (paid: number) =>
  new HttpError(422, 'paid_total_too_large', `This payment would bring the total paid on the dossier above ${MAX_PAID_TOTAL_CENTS} cents (€1,000,000,000.00); ${paid} cents are booked.`, {
    amount: `must keep the total paid at most ${MAX_PAID_TOTAL_CENTS} cents: at most ${Math.max(0, MAX_PAID_TOTAL_CENTS - paid)} more can be booked`,
  });

export async function addPayment(client: Client, dossier: DossierRecord, body: PaymentBody, idempotencyKey: string | undefined, now: Date) {
  const at = now.toISOString();
  const paymentKey = body.reference ? `ref:${body.reference}` : idempotencyKey ? `idem:${idempotencyKey}` : newId('pay');
  // Refused before anything is written when the paid total would pass the limit (the common case of the check below).
  const current = await loadCase(dossier.debtorId, now);
  const known = current?.dossiers[dossier.dossierId];
  if (!current || !known) throw new HttpError(404, 'not_found', `No dossier ${dossier.dossierId}.`);
  if (!known.paymentKeys.includes(paymentKey) && known.paid + body.amount > MAX_PAID_TOTAL_CENTS) throw tooMuch(known.paid);
  const { created, record } = await recordPaymentOnce(dossier.dossierId, { paymentKey, amount: body.amount, paidAt: body.paidAt ?? at, ...(body.reference ? { reference: body.reference } : {}), recordedAt: at });
  if (record.amount !== body.amount || (body.paidAt !== undefined && record.paidAt !== body.paidAt)) {
    throw new HttpError(409, 'payment_reference_reused', `Payment ${body.reference ?? idempotencyKey} was already booked with another amount or date.`);
  }
  let over: number | undefined;
  let m: Awaited<ReturnType<typeof mutateCase>>;
  try {
    m = await mutateCase(
        dossier.debtorId,
        now,
        (c) => {
          const d = c.dossiers[dossier.dossierId];
          over = undefined;
          // Another payment booked meanwhile may have brought the total close to the limit: checked on the case as written.
          if (d && !d.paymentKeys.includes(paymentKey) && d.paid + record.amount > MAX_PAID_TOTAL_CENTS) {
            over = d.paid;
            return [];
          }
          return [{ type: 'payment', at: record.recordedAt, dossierId: dossier.dossierId, amount: record.amount, paidAt: record.paidAt, key: paymentKey }];
        },
        current,
      );
  } catch (err) {
    // The case could not take it (it kept changing, the store failed): unless the case has it after all (a write whose
    // answer was lost), the payment is not booked, so nothing of it stays — a retry books it. A record an earlier
    // attempt made is left for that attempt's retry.
    if (created) {
      const c = await loadCase(dossier.debtorId, now).catch(() => undefined);
      if (c && !c.dossiers[dossier.dossierId]?.paymentKeys.includes(paymentKey)) await forgetPayment(dossier.dossierId, record).catch(() => undefined);
    }
    throw err;
  }
  if (over !== undefined) {
    // Nothing of a refused payment stays: the record this request made goes again (an earlier one is not ours).
    if (created) await forgetPayment(dossier.dossierId, record);
    throw tooMuch(over);
  }
  if (!m) throw new HttpError(404, 'not_found', `No dossier ${dossier.dossierId}.`);
  const d = m.after.dossiers[dossier.dossierId];
  // How art. 6:44 BW allocates it (costs, then interest, then principal), over the claim's dated payments up to today.
  const paidOn = localDate(new Date(record.paidAt));
  const day = [paidOn, localDate(now)].sort()[1];
  const amounts = claimAmounts(d, day, { stopAccrualOn: accrualStop(m.after) });
  const allocation = amounts.allocations.filter((a) => a.date === paidOn && a.amount === record.amount).at(-1);
  await appendEvents(
    m.after.caseId,
    [
      {
        eventId: `pay-${dossier.dossierId}-${paymentKey}`,
        at: record.recordedAt,
        type: 'payment',
        detail:
          `Payment of ${record.amount} cents received${record.reference ? ` (${record.reference})` : ''}` +
          `${allocation ? `; ${allocation.reason}` : ''}; ${amounts.outstanding} cents outstanding${amounts.refundDue > 0 ? `, ${amounts.refundDue} cents to refund` : ''}.`,
        dossierIds: [dossier.dossierId],
        data: {
          amount: record.amount,
          paidAt: record.paidAt,
          dossierId: dossier.dossierId,
          ...(allocation ? { allocation: { toCosts: allocation.toCosts, toInterest: allocation.toInterest, toPrincipal: allocation.toPrincipal, surplus: allocation.surplus } } : {}),
        },
      },
      // Keyed by when the payments first covered the claim: every payment after it writes the same entry, never a second.
      ...(d.status === 'paid' ? [{ eventId: `paid-${dossier.dossierId}`, at: d.paidInFullAt ?? record.recordedAt, type: 'paid' as const, detail: 'Paid in full: outreach for this dossier stopped.', dossierIds: [dossier.dossierId] }] : []),
    ],
    [dossierItem({ ...d, debtorId: m.after.caseId })],
  );
  // Always, also for a retried request: if the first attempt crashed before this, the journey still hears of it.
  await wakeJourney(m.after, 'payment');
  return dossierView(client, dossier, now, m.after);
}
