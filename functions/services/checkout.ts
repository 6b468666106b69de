/**
 * Paying through the debtor page (issue 9). The debtor chooses what to pay — every open claim, one claim, or the
 * instalment the link is about — and gets a payment at the provider for exactly that, split per dossier in cents.
 * The provider's webhook carries only the payment id: the payment is fetched from the provider before anything is
 * booked, so a forged call books nothing; a paid payment is booked once per provider id (payments.ts); failed,
 * expired and canceled ones change nothing but the timeline; refunds and chargebacks reopen what they undo.
 */
import { createHash, randomUUID } from 'node:crypto';
import { due, firstUnpaid, splitOverDossiers } from '../domain/arrangements.js';
import { splitCents } from '../domain/decide/costs.js';
import type { CaseState } from '../domain/case/state.js';
import { euro } from '../domain/money.js';
import { paymentProvider } from '../payments/provider.js';
import type { PaymentMetadata, ProviderPayment } from '../payments/port.js';
import { publicBaseUrl } from '../shared/config.js';
import { HttpError } from '../shared/http.js';
import { logger } from '../shared/logger.js';
import { type Checkout, getCheckout, getPendingCheckout, markReversed, putCheckout, putPendingCheckout } from '../store/checkouts.js';
import { appendEvent } from '../store/timeline.js';
import { bookPayments, type PaymentPart, reversePayments } from './payments.js';
import { openClaims, owedOn } from './arrangements.js';

/**
 * What a choice on the page pays, per dossier: what each claim owes today (art. 6:44 BW allocation, interest
 * included); among `creditors`' claims only (the page's). An instalment is split by what each of its dossiers
 * still owes, so the last one pays every dossier off to the cent.
 */
export function partsFor(c: CaseState, what: string, now: Date, creditors?: readonly string[]): PaymentPart[] {
  const open = openClaims(c, now, creditors);
  const owed = (d: (typeof open)[number]) => owedOn(c, d, now);
  if (what === 'all') return open.map((d) => ({ dossierId: d.dossierId, amount: owed(d) }));
  const claim = /^claim-(\d+)$/.exec(what);
  if (claim) {
    const d = open[Number(claim[1]) - 1];
    return d ? [{ dossierId: d.dossierId, amount: owed(d) }] : [];
  }
  if (what === 'instalment') {
    const a = c.arrangement;
    const next = a?.status === 'active' ? firstUnpaid(a) : undefined;
    if (!a || !next || (creditors && !a.dossierIds.every((id) => creditors.includes(c.dossiers[id]?.clientId ?? '')))) return [];
    const owing = open.filter((d) => a.dossierIds.includes(d.dossierId));
    return splitOverDossiers({ dossierIds: owing.map((d) => d.dossierId), weights: Object.fromEntries(owing.map((d) => [d.dossierId, owed(d)])) }, Math.min(due(next.instalment), owing.reduce((s, d) => s + owed(d), 0)));
  }
  return [];
}

/** Starts a payment for the choice and returns where the debtor pays (the provider's checkout). `base`: where the API is reached (redirect and webhook). */
export async function startCheckout(c: CaseState, creditors: readonly string[] | undefined, token: string, what: string, lang: 'nl' | 'en', now: Date, base = publicBaseUrl()): Promise<string> {
  const parts = partsFor(c, what, now, creditors);
  const amount = parts.reduce((s, p) => s + p.amount, 0);
  if (amount === 0) throw new HttpError(409, 'nothing_to_pay', 'There is nothing to pay for this choice.');
  const refs = parts.map((p) => c.dossiers[p.dossierId].reference);
  const metadata: PaymentMetadata = { debtorId: c.caseId, allocation: parts.map((p) => [p.dossierId, p.amount]), scope: what };
  // A double click in the same minute gets the same payment; a later attempt (after a failed one) a new one.
  const idempotencyKey = createHash('sha256').update(`${token}|${what}|${amount}|${Math.floor(now.getTime() / 60_000)}`).digest('hex').slice(0, 40);
  const provider = await paymentProvider();
  // Two open checkouts over the same claims would let the debtor pay them twice (both would be booked: the money
  // arrives). While one is open, a different choice over any of its claims is refused; the same choice gets it back.
  const pending = await getPendingCheckout(c.caseId);
  if (pending && pending.dossierIds.some((id) => parts.some((p) => p.dossierId === id))) {
    const open = await provider.getPayment(pending.providerId);
    if (open?.status === 'open') {
      const same = pending.dossierIds.length === parts.length && parts.every((p) => pending.dossierIds.includes(p.dossierId));
      if (same && open.amount === amount) return pending.checkoutUrl;
      throw new HttpError(409, 'payment_in_progress', 'A payment for these claims has been started and is not finished.');
    }
  }
  const create = (key: string) => provider.createPayment({
    amount,
    // No personal data: the creditors' references only (they are on every message already).
    description: `Betaling ${refs.slice(0, 3).join(', ')}${refs.length > 3 ? ` +${refs.length - 3}` : ''}`.slice(0, 255),
    redirectUrl: `${base}/p/${token}?status=return${lang === 'en' ? '&lang=en' : ''}`,
    webhookUrl: `${base}/webhooks/mollie`,
    metadata,
    idempotencyKey: key,
    locale: lang === 'en' ? 'en_US' : 'nl_NL',
  });
  let p = await create(idempotencyKey);
  // The same key found a payment that is over already (paid, failed, …): this is a new attempt.
  if (p.status !== 'open') p = await create(`${idempotencyKey}:${randomUUID()}`);
  await putCheckout({ providerId: p.id, debtorId: c.caseId, allocation: metadata.allocation, scope: what, amount, createdAt: now.toISOString(), reversed: 0 });
  await appendEvent(c.caseId, {
    eventId: `mollie-${p.id}-started`,
    at: now.toISOString(),
    type: 'payment_attempt',
    detail: `The debtor started an iDEAL payment of ${euro(amount)} on the payment page (${what === 'all' ? 'every open claim' : what === 'instalment' ? 'the instalment due' : 'one claim'}; Mollie ${p.id}).`,
    dossierIds: parts.map((x) => x.dossierId),
    data: { providerId: p.id, amount, scope: what },
  });
  if (!p.checkoutUrl) throw new Error('the payment provider gave no checkout URL');
  // Two clicks at once with different choices: only the first becomes the pending one; the other's payment is never
  // shown (it expires unpaid at Mollie).
  const stored = await putPendingCheckout(c.caseId, { providerId: p.id, dossierIds: parts.map((x) => x.dossierId), checkoutUrl: p.checkoutUrl, createdAt: now.toISOString() }, pending?.providerId);
  if (!stored && !(await getPendingCheckout(c.caseId).then((q) => q?.providerId === p.id))) {
    throw new HttpError(409, 'payment_in_progress', 'A payment for these claims has been started and is not finished.');
  }
  logger.info('payment started', { caseId: c.caseId, providerId: p.id, amount });
  return p.checkoutUrl;
}

const FAILED: Record<string, string> = { failed: 'failed', expired: 'expired', canceled: 'was canceled' };

/** Mollie's webhook: the id only. Fetch, then act on what the provider says. Returns what happened (for logs and tests). */
export async function handleMollieWebhook(id: string, now: Date): Promise<'ignored' | 'booked' | 'unchanged' | 'reversed' | 'noted'> {
  if (!/^tr_[A-Za-z0-9]{4,40}$/.test(id)) return 'ignored';
  const provider = await paymentProvider();
  const p = await provider.getPayment(id);
  if (!p) {
    logger.info('webhook for an unknown payment ignored', { providerId: id });
    return 'ignored';
  }
  let checkout = await getCheckout(id);
  if (!checkout && p.metadata) {
    checkout = { providerId: id, debtorId: p.metadata.debtorId, allocation: p.metadata.allocation, scope: p.metadata.scope, amount: p.amount, createdAt: now.toISOString(), reversed: 0 };
    await putCheckout(checkout);
  }
  if (!checkout || (p.metadata && p.metadata.debtorId !== checkout.debtorId)) {
    logger.warn('webhook for a payment that is not ours ignored', { providerId: id });
    return 'ignored';
  }
  const dossierIds = checkout.allocation.map(([d]) => d);
  if (p.status === 'paid') {
    const parts = checkout.allocation.map(([dossierId, amount]) => ({ dossierId, amount }));
    // The allocation must add up to what was paid; anything else is not booked (and alarms through the error log).
    if (parts.reduce((s, x) => s + x.amount, 0) !== p.amount) {
      logger.error('paid amount does not match the allocation', { providerId: id });
      return 'ignored';
    }
    const c = await bookPayments(checkout.debtorId, parts, { key: `mollie:${id}`, paidAt: p.paidAt ?? now.toISOString(), paidAtGiven: p.paidAt !== undefined, how: `via iDEAL (Mollie ${id})` }, now);
    const reversed = await reversals(checkout, p, now);
    return reversed ? 'reversed' : c ? 'booked' : 'ignored';
  }
  if (FAILED[p.status]) {
    await appendEvent(checkout.debtorId, {
      eventId: `mollie-${id}-${p.status}`,
      at: now.toISOString(),
      type: 'payment_attempt',
      detail: `The iDEAL payment of ${euro(p.amount)} (Mollie ${id}) ${FAILED[p.status]}; nothing changed.`,
      dossierIds,
      data: { providerId: id, status: p.status },
    });
    return 'noted';
  }
  return 'unchanged';
}

/** Refunds and chargebacks beyond what was applied already: taken back from the dossiers once, split like the payment. */
async function reversals(checkout: Checkout, p: ProviderPayment, now: Date): Promise<boolean> {
  const total = p.amountRefunded + p.amountChargedBack;
  if (total <= checkout.reversed) return false;
  // Applied under a key per cumulative total (idempotent on the case), then recorded: a crash in between repeats safely.
  const delta = total - checkout.reversed;
  const shares = splitCents(delta, checkout.allocation.map(([, a]) => a));
  const parts = checkout.allocation.map(([dossierId], i) => ({ dossierId, amount: shares[i] })).filter((x) => x.amount > 0);
  const reason = p.amountChargedBack > 0 && p.amountChargedBack >= delta ? 'chargeback' : 'refund';
  await reversePayments(checkout.debtorId, parts, { key: `mollie:${p.id}:rev:${total}`, reason, how: `of iDEAL payment Mollie ${p.id}` }, now);
  await markReversed(checkout.providerId, checkout.reversed, total);
  return true;
}

