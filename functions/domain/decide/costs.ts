/**
 * Decide, step "costs": the collection costs each consumer dossier should carry now (DESIGN §5 rules 1–5).
 * Per creditor and 14-day letter: the WIK costs on the sum of the claims that letter covers, once its term has
 * passed; payments inside the term lower the base (all of it paid inside the term: no costs); shared over the
 * dossiers by remaining principal. Returned only where they differ from what a dossier holds.
 */
import { localDate } from '../calendar.js';
import type { DossierFacts, LetterFact } from '../case/facts.js';
import { costsDue } from '../costs.js';
import { euro } from '../segmentation.js';

export interface CostUpdate {
  dossierId: string;
  /** the collection costs the dossier should now carry, integer cents */
  costs: number;
  reason: string;
}

export interface CostState {
  updates: CostUpdate[];
  /** per covered dossier: the first day costs may be added (the day after the term) */
  costsFrom: Map<string, string>;
  /** per covered dossier: the (presumed) receipt of its 14-day letter */
  receipt: Map<string, string>;
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

/** The dossiers each 14-day letter covers, per creditor (costs are computed on one creditor's claims together). */
function letterGroups(dossiers: readonly DossierFacts[]): Array<{ letter: LetterFact; dossiers: DossierFacts[] }> {
  const groups = new Map<string, { letter: LetterFact; dossiers: DossierFacts[] }>();
  for (const d of dossiers) {
    if (!d.letter) continue;
    const key = `${d.clientId}|${d.letter.at}|${d.letter.stepNo ?? ''}`;
    const g = groups.get(key) ?? { letter: d.letter, dossiers: [] };
    g.dossiers.push(d);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** `open`: the open dossiers that need the 14-day letter (consumer claims). */
export function costState(open: readonly DossierFacts[], now: Date): CostState {
  const state: CostState = { updates: [], costsFrom: new Map(), receipt: new Map() };
  for (const { letter, dossiers } of letterGroups(open)) {
    // Undated payments (old data) count from the letter: the reading most favourable to the debtor.
    const payments = dossiers.map((d) => (d.payments ?? []).map((p) => ({ amount: p.amount, at: p.at ?? letter.at })));
    const due = costsDue({
      principal: dossiers.map((d) => d.principal),
      payments: payments.flat(),
      letterSentAt: new Date(letter.at),
      provenDelivery: letter.delivered,
      now,
      // VAT only when the creditor cannot deduct it (DESIGN §5 rule 2); the 14-day letter states it.
      vat: dossiers.some((d) => d.vatOnCosts === true),
    });
    for (const d of dossiers) {
      state.costsFrom.set(d.dossierId, due.costsFrom);
      state.receipt.set(d.dossierId, due.receiptDate);
    }
    if (due.status === 'term_running') continue;
    const base = dossiers.map((d, i) => {
      const inTerm = payments[i].filter((p) => localDate(new Date(p.at)) <= due.termEnd).reduce((s, p) => s + p.amount, 0);
      return Math.max(0, d.principal - inTerm);
    });
    const shares = splitCents(due.total, base);
    dossiers.forEach((d, i) => {
      if (shares[i] === d.costs) return;
      const shared = dossiers.length > 1 ? `; ${euro(due.total)} on ${dossiers.length} claims of one creditor together, this claim's share ${euro(shares[i])}` : '';
      state.updates.push({
        dossierId: d.dossierId,
        costs: shares[i],
        reason: `14-day letter of ${localDate(new Date(letter.at))}, receipt ${due.receiptDate}: ${due.reason}${shared}`,
      });
    });
  }
  return state;
}
