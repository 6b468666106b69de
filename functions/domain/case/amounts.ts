/**
 * What a claim amounts to on a day: principal, collection costs, statutory interest, what was paid, what is still
 * open, and how each payment was allocated (art. 6:44 BW: costs, then interest, then principal). Pure.
 *
 * Why interest is computed here rather than stored: it grows every day, so a stored figure is wrong the day after
 * it was written, and every event that changes it (a payment, a cost update, a back-dated payment, debt relief)
 * would have to recompute it anyway. What is stored is the claim's own bounded state — principal, the costs and the
 * day they became due, the interest terms (kind, start) and the dated payments (at most PAYMENT_LIMIT entries,
 * older ones folded in the debtor's favour, see facts.ts addPayment) — and this function turns it into amounts for
 * any day. It never reads the timeline, so a view or a decision costs the same after years of payments. The
 * reducer uses it to tell a full payment, the views to show `amounts`, the channel step to state what is owed.
 */
import { localDate } from '../calendar.js';
import { type InterestRate, type PaymentAllocation, claimLedger } from '../interest.js';
import { DEBT_RELIEF_FLAGS } from '../signals.js';
import type { DossierFacts } from './facts.js';

export type ClaimMoney = Pick<DossierFacts, 'principal' | 'costs' | 'paid' | 'dueDate' | 'createdAt' | 'payments' | 'costsFrom' | 'interest'>;

export interface ClaimAmounts {
  principal: number;
  /** collection costs charged (incl. VAT) */
  costs: number;
  /** statutory interest charged up to the day (paid or not); 0 when the creditor claims none */
  interest: number;
  paid: number;
  /** principal + costs + interest − paid, never below 0 */
  outstanding: number;
  /** what is still open of each part after the art. 6:44 BW allocation (adds up to `outstanding`) */
  open: { principal: number; costs: number; interest: number };
  /** paid beyond everything owed */
  refundDue: number;
  /** every payment up to the day, in date order, as art. 6:44 BW allocates it */
  allocations: PaymentAllocation[];
  /** rates marked "to verify" or carried forward past the table (only when interest is claimed) */
  warnings: string[];
}

/** A rate table of zeros: claims without interest still get their payments allocated costs → principal. */
const NO_INTEREST: readonly InterestRate[] = Object.freeze([
  { from: '1970-01-01', statutoryBp: 0, commercialBp: 0, sources: { statutory: 'no interest claimed', commercial: 'no interest claimed' } },
]);

/** The claim's dated payments as the ledger reads them; undated (legacy) ones count from the day the claim arrived. */
function datedPayments(d: ClaimMoney): Array<{ amount: number; at: string }> {
  const arrived = localDate(new Date(d.createdAt));
  const list = (d.payments ?? []).map((p) => ({ amount: p.amount, at: p.at ?? arrived }));
  // A first-version claim may know its total paid without the dated list: the rest counts from its arrival.
  const listed = list.reduce((s, p) => s + p.amount, 0);
  if (d.paid > listed) list.unshift({ amount: d.paid - listed, at: arrived });
  return list;
}

/**
 * The claim's amounts on `asOf` ('YYYY-MM-DD', Europe/Amsterdam): interest up to (not including) that day, payments
 * on or before it. `stopAccrualOn`: no interest accrues from that day (debt relief, DESIGN §5 rule 10).
 */
export function claimAmounts(d: ClaimMoney, asOf: string, opts: { stopAccrualOn?: string; rates?: readonly InterestRate[] } = {}): ClaimAmounts {
  const claimed = d.interest !== undefined;
  const ledger = claimLedger({
    kind: d.interest?.kind ?? 'statutory',
    principal: d.principal,
    from: d.interest?.from ?? d.dueDate,
    asOf,
    ...(d.costs > 0 ? { costs: { amount: d.costs, ...(d.costsFrom ? { from: d.costsFrom } : {}) } } : {}),
    payments: datedPayments(d),
    ...(opts.stopAccrualOn ? { stopAccrualOn: opts.stopAccrualOn } : {}),
    rates: claimed ? opts.rates : NO_INTEREST,
  });
  const paid = ledger.allocations.reduce((s, a) => s + a.amount, 0);
  return {
    principal: d.principal,
    costs: d.costs,
    interest: ledger.interestCharged,
    paid,
    outstanding: ledger.outstanding.total,
    open: { principal: ledger.outstanding.principal, costs: ledger.outstanding.costs, interest: ledger.outstanding.interest },
    refundDue: ledger.surplus,
    allocations: ledger.allocations,
    warnings: claimed ? ledger.warnings : [],
  };
}

/**
 * The first day no interest accrues for this debtor: debt help, the WSNP or a moratorium stop cost and interest
 * accrual for every claim of the person (DESIGN §5 rule 10: "all outreach and cost/interest accrual for that debtor
 * stop"), from the day it was reported. Undefined while nothing stops it.
 */
export function accrualStop(s: { flags: ReadonlyArray<{ flag: string; at: string }>; signals: { debtHelpReplyAt?: string } }): string | undefined {
  const moments = s.flags.filter((f) => f.flag in DEBT_RELIEF_FLAGS).map((f) => f.at);
  if (s.signals.debtHelpReplyAt) moments.push(s.signals.debtHelpReplyAt);
  if (moments.length === 0) return undefined;
  return localDate(new Date(moments.sort()[0]));
}

/** The day a claim's amounts are shown for: today while it is worked on, the day it closed once it is closed. */
export function amountsDay(d: Pick<DossierFacts, 'status'> & { updatedAt: string }, now: Date): string {
  return d.status === 'open' || d.status === 'paused' ? localDate(now) : localDate(new Date(d.updatedAt < now.toISOString() ? d.updatedAt : now.toISOString()));
}
