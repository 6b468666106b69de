/**
 * Decide, step "costs": the collection costs each open dossier should carry now (DESIGN §5 rules 1–6, 12, 14).
 *
 *  - Consumer claims (art. 6:96 lid 6 BW): per creditor and 14-day letter, the WIK costs on the sum of the claims
 *    that letter covers, once its term has passed — the Atw-extended term, or a later term end a message about
 *    those claims stated (rule 12: costs never come before the latest term stated); payments inside the term
 *    lower the base (all of it paid inside the term: no costs).
 *  - Business claims (rule 14): no 14-day letter; per creditor, from the day after the due date, the WIK scale on
 *    the sum of its overdue claims or the client's own agreement (a setting copied onto the claim when it was
 *    filed), at least €40 for a commercial transaction (claim-costs.ts businessCosts).
 *  - Instalment claims (rule 6): each on its own, the WIK scale capped by the small-instalment rule.
 *
 * Shared over a group's dossiers by remaining principal. Returned only where they differ from what a dossier
 * holds, each with the rule that decided (for the decision log).
 */
import { addDays, localDate } from '../calendar.js';
import type { DossierFacts, LetterFact } from '../case/facts.js';
import { businessCosts } from '../claim-costs.js';
import { type InstalmentTerms, costsDue, instalmentClaimCosts } from '../costs.js';
import { euro } from '../money.js';

export interface CostUpdate {
  dossierId: string;
  /** the collection costs the dossier should now carry, integer cents */
  costs: number;
  reason: string;
  /** the first day these costs are due ('YYYY-MM-DD'): payments before it are allocated past them (art. 6:44 BW) */
  from?: string;
}

export interface CostState {
  updates: CostUpdate[];
  /** per covered dossier: the first day costs may be added (the day after the term) */
  costsFrom: Map<string, string>;
  /** per covered dossier: the (presumed) receipt of its 14-day letter */
  receipt: Map<string, string>;
  /**
   * per covered dossier: the last day of its term — the Atw-extended term end, or a later one a message stated.
   * What a follow-up message may state ("betaal uiterlijk op …"): costs are charged from the day after it.
   */
  termEnd: Map<string, string>;
}

/** Splits `total` cents over `weights` proportionally, largest remainder first; the parts add up exactly. */
export function splitCents(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (total === 0 || sum === 0) return weights.map(() => 0);
  const parts = weights.map((w) => Math.floor((total * w) / sum));
  const order = weights.map((w, i) => ({ i, frac: (total * w) % sum })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  let left = total - parts.reduce((s, p) => s + p, 0);
  for (const o of order) {
    if (left <= 0) break;
    parts[o.i]++;
    left--;
  }
  return parts;
}

/** The instalment terms costsDue / instalmentClaimCosts read: the overdue instalments follow from the principal. */
function instalmentOf(d: DossierFacts): InstalmentTerms | undefined {
  if (!d.instalment) return undefined;
  const monthly = d.instalment.monthlyAmountCents;
  return { monthlyAmountCents: monthly, overdueInstalments: Math.max(1, Math.ceil(d.principal / monthly)) };
}

/**
 * Claims whose costs are computed together: one creditor's claims (on their sum, rule 1), per 14-day letter for
 * consumers. An instalment claim is a group of its own: the small-instalment cap is about that claim's instalments.
 */
function groupsOf(dossiers: readonly DossierFacts[], keyOf: (d: DossierFacts) => string | undefined): DossierFacts[][] {
  const groups = new Map<string, DossierFacts[]>();
  for (const d of dossiers) {
    const k = keyOf(d);
    if (k === undefined) continue;
    const key = d.instalment ? `${k}|${d.dossierId}` : k;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return [...groups.values()];
}

/** Payments as the cost rules read them; undated ones (old data) count from `undatedAt`, in the debtor's favour. */
const paymentsOf = (d: DossierFacts, undatedAt: string) => (d.payments ?? []).map((p) => ({ amount: p.amount, at: p.at ?? undatedAt }));
const paidBy = (payments: ReadonlyArray<{ amount: number; at: string }>, lastDay: string) =>
  payments.filter((p) => localDate(new Date(p.at)) <= lastDay).reduce((s, p) => s + p.amount, 0);

/** The updates for a group: `total` shared over the dossiers by `base`, where it differs from what they hold. */
function share(state: CostState, dossiers: readonly DossierFacts[], base: number[], total: number, from: (d: DossierFacts) => string, reason: string): void {
  const shares = splitCents(total, base);
  dossiers.forEach((d, i) => {
    // unchanged costs need no update, unless the day they are due moved (a later stated term, a proven delivery)
    if (shares[i] === d.costs && (shares[i] === 0 || d.costsFrom === undefined || d.costsFrom === from(d))) return;
    const shared = dossiers.length > 1 ? `; ${euro(total)} on ${dossiers.length} claims of one creditor together, this claim's share ${euro(shares[i])}` : '';
    state.updates.push({ dossierId: d.dossierId, costs: shares[i], from: from(d), reason: `${reason}${shared}` });
  });
}

/** Consumer claims: the 14-day letter and its term (art. 6:96 lid 6 BW; Atw art. 1; rule 12). */
function letterCosts(state: CostState, dossiers: DossierFacts[], letter: LetterFact, now: Date): void {
  const payments = dossiers.map((d) => paymentsOf(d, letter.at));
  const statedTermEnds = dossiers.map((d) => d.statedTermEnd).filter((x): x is string => x !== undefined);
  const due = costsDue({
    principal: dossiers.map((d) => d.principal),
    payments: payments.flat(),
    letterSentAt: new Date(letter.at),
    provenDelivery: letter.delivered,
    now,
    // VAT only when the creditor cannot deduct it (DESIGN §5 rule 2); the 14-day letter states it.
    vat: dossiers.some((d) => d.vatOnCosts === true),
    statedTermEnds,
    ...(dossiers.length === 1 && instalmentOf(dossiers[0]) ? { instalment: instalmentOf(dossiers[0]) } : {}),
  });
  const lastTermDay = addDays(due.costsFrom, -1);
  for (const d of dossiers) {
    state.costsFrom.set(d.dossierId, due.costsFrom);
    state.receipt.set(d.dossierId, due.receiptDate);
    state.termEnd.set(d.dossierId, lastTermDay);
  }
  if (due.status === 'term_running') return;
  const base = dossiers.map((d, i) => Math.max(0, d.principal - paidBy(payments[i], lastTermDay)));
  const sent = localDate(new Date(letter.at));
  share(state, dossiers, base, due.total, () => due.costsFrom, `14-day letter of ${sent}, receipt ${due.receiptDate}: ${due.reason}`);
}

/** Business claims: no letter; from the day after the due date (art. 6:96 lid 4, 5 and 7 BW; rule 14). */
function businessGroupCosts(state: CostState, dossiers: DossierFacts[]): void {
  // A claim paid by its due date has no costs: payments up to the due date lower the base.
  const base = dossiers.map((d) => Math.max(0, d.principal - paidBy(paymentsOf(d, d.createdAt), d.dueDate)));
  const latest = [...dossiers].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1)!;
  const agreement = latest.businessCosts ?? { type: 'wik' as const };
  const vat = dossiers.some((d) => d.vatOnCosts === true);
  const instalment = dossiers.length === 1 ? instalmentOf(dossiers[0]) : undefined;
  const from = (d: DossierFacts) => addDays(d.dueDate, 1);
  if (instalment && agreement.type === 'wik') {
    // The small-instalment cap is part of how the WIK scale applies to an instalment claim; an agreed amount
    // (art. 6:96 lid 7 BW) replaces the scale and with it the cap.
    const c = instalmentClaimCosts({ ...instalment, overdueCents: base[0], vat });
    const rule = c.rule === 'instalment_cap' ? 'WIK scale with the Wki small-instalment cap' : 'WIK scale';
    share(state, dossiers, base, c.total, from, `business debtor, no 14-day letter needed (art. 6:96 lid 6 BW protects consumers only): ${rule}: ${c.reason}`);
    return;
  }
  const c = businessCosts({ principal: base, agreement, vat });
  share(state, dossiers, base, c.total, from, c.reason);
}

/**
 * `open`: the open dossiers; `needsLetter`: whether a dossier is a consumer claim that needs the 14-day letter.
 * Business claims count once they are overdue (the day after their due date).
 */
export function costState(open: readonly DossierFacts[], now: Date, needsLetter: (d: DossierFacts) => boolean = () => true): CostState {
  const state: CostState = { updates: [], costsFrom: new Map(), receipt: new Map(), termEnd: new Map() };
  const today = localDate(now);
  const consumer = open.filter(needsLetter);
  for (const group of groupsOf(consumer, (d) => (d.letter ? `${d.clientId}|${d.letter.at}|${d.letter.stepNo ?? ''}` : undefined))) {
    letterCosts(state, group, group[0].letter!, now);
  }
  const business = open.filter((d) => !needsLetter(d) && d.dueDate < today);
  for (const group of groupsOf(business, (d) => d.clientId)) businessGroupCosts(state, group);
  return state;
}
