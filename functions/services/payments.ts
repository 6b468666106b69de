/**
 * A payment the creditor reports (POST /v1/dossiers/{id}/payments). Booked exactly once per payment key (the
 * client's reference, else the Idempotency-Key): the payment item records it under its key, the case applies it
 * once (it remembers the recent keys), and a retry repeats only the idempotent rest. A key reused for another
 * amount is refused. The timeline entry says how the payment was allocated: costs, then interest, then principal
 * (art. 6:44 BW). A full payment ends the outreach about that dossier at once; a surplus is shown as
 * `refundDue`.
 */
import { localDate } from '../domain/calendar.js';
import { accrualStop, claimAmounts } from '../domain/case/amounts.js';
import { HttpError } from '../shared/http.js';
import { newId } from '../shared/ids.js';
import type { PaymentBody } from '../shared/schemas.js';
import type { Client } from '../store/clients.js';
import { type DossierRecord, dossierItem, recordPaymentOnce } from '../store/dossiers.js';
import { appendEvents } from '../store/timeline.js';
import { mutateCase } from './case.js';
import { wakeJourney } from './journeys.js';
import { dossierView } from './views.js';

export async function addPayment(client: Client, dossier: DossierRecord, body: PaymentBody, idempotencyKey: string | undefined, now: Date) {
  const at = now.toISOString();
  const paymentKey = body.reference ? `ref:${body.reference}` : idempotencyKey ? `idem:${idempotencyKey}` : newId('pay');
  const { record } = await recordPaymentOnce(dossier.dossierId, { paymentKey, amount: body.amount, paidAt: body.paidAt ?? at, ...(body.reference ? { reference: body.reference } : {}), recordedAt: at });
  if (record.amount !== body.amount || (body.paidAt !== undefined && record.paidAt !== body.paidAt)) {
    throw new HttpError(409, 'payment_reference_reused', `Payment ${body.reference ?? idempotencyKey} was already booked with another amount or date.`);
  }
  const m = await mutateCase(dossier.debtorId, now, () => [
    { type: 'payment', at: record.recordedAt, dossierId: dossier.dossierId, amount: record.amount, paidAt: record.paidAt, key: paymentKey },
  ]);
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
      ...(d.status === 'paid' ? [{ eventId: `paid-${dossier.dossierId}`, at: record.recordedAt, type: 'paid' as const, detail: 'Paid in full: outreach for this dossier stopped.', dossierIds: [dossier.dossierId] }] : []),
    ],
    [dossierItem({ ...d, debtorId: m.after.caseId })],
  );
  // Always, also for a retried request: if the first attempt crashed before this, the journey still hears of it.
  await wakeJourney(m.after, 'payment');
  return dossierView(client, dossier, now, m.after);
}
