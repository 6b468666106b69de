/**
 * Which collection costs apply to a claim, for consumers and business debtors alike (DESIGN §5 rules 1–6 and 14).
 * Pure; money in integer cents; dates 'YYYY-MM-DD' (Europe/Amsterdam days); time passed in.
 *
 *  - Consumers (art. 6:96 lid 6 BW): costs only after a correct 14-day letter and its (Atw-extended) term — see
 *    costs.ts `costsDue`; an instalment claim gets the small-instalment cap (rule 6).
 *  - Business debtors (rule 14): the WIK scale of the Besluit BIK applies to them as well (art. 6:96 lid 5 BW),
 *    but lid 7 lets the parties agree otherwise for anyone who is not a consumer, so a client setting may replace
 *    the scale by a fixed amount or a percentage, or the client may charge nothing. No 14-day letter is needed
 *    (lid 6 protects consumers only). For a commercial transaction (art. 6:119a BW) the creditor is entitled to at
 *    least €40 (art. 6:96 lid 4 BW, from the Late Payment Directive 2011/7/EU art. 6), so an agreed amount never
 *    goes below €40 there.
 */
import * as z from '../shared/zod.js';
import { addDays, dateParts, localDate } from './calendar.js';
import { type CostsDue, type InstalmentTerms, type Payment, WIK_MINIMUM_CENTS, costsDue, vatOn, wikCosts } from './costs.js';
import { assertCents, divRoundHalfUp, euro } from './money.js';

// ---------------------------------------------------------------------------------------------------
// The client's agreement for business debtors (a client setting)
// ---------------------------------------------------------------------------------------------------

const cents = z.number().check(z.int('must be whole cents'), z.nonnegative('must be 0 or more'), z.maximum(Number.MAX_SAFE_INTEGER));
/** A percentage with at most two decimals, above 0 and at most 100 (15 = 15%, 12.5 = 12.5%). */
const percent = z
  .number()
  .check(
    z.positive('must be more than 0'),
    z.maximum(100, 'must be at most 100'),
    z.refine((p) => Math.abs(p * 100 - Math.round(p * 100)) < 1e-9, 'may have at most two decimals'),
  );

export const BusinessCostAgreementSchema = z.discriminatedUnion('type', [
  /** the WIK scale of the Besluit BIK (the default when the client has no other agreement) */
  z.strictObject({ type: z.literal('wik') }),
  /** a fixed amount per collection (per creditor's claims collected together) */
  z.strictObject({ type: z.literal('fixed'), amountCents: cents }),
  /** a percentage of the principal, optionally with a floor and a ceiling */
  z.strictObject({ type: z.literal('percentage'), percent, minimumCents: z.optional(cents), maximumCents: z.optional(cents) }).check(
    z.refine((a) => a.minimumCents === undefined || a.maximumCents === undefined || a.minimumCents <= a.maximumCents, {
      message: 'minimumCents must not be more than maximumCents',
      path: ['minimumCents'],
    }),
  ),
  /** the client charges business debtors no collection costs */
  z.strictObject({ type: z.literal('none') }),
]);
export type BusinessCostAgreement = z.infer<typeof BusinessCostAgreementSchema>;

/** Validates a client's business-cost setting; throws a RangeError naming the field and the reason. */
export function parseBusinessCostAgreement(value: unknown): BusinessCostAgreement {
  const r = BusinessCostAgreementSchema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = ['businessCosts', ...issue.path.map(String)].join('.');
  throw new RangeError(`${field}: ${issue.message}`);
}

// ---------------------------------------------------------------------------------------------------
// Business debtors
// ---------------------------------------------------------------------------------------------------

export interface BusinessCostsInput {
  /** principal in cents, or several claims of one creditor (costs on their sum, as for consumers) */
  principal: number | readonly number[];
  /** the client's agreement; absent = the WIK scale */
  agreement?: BusinessCostAgreement;
  /** a claim from a commercial transaction (art. 6:119a BW): at least €40. Default true for a business debtor. */
  commercialTransaction?: boolean;
  /** the client cannot deduct VAT (rule 2) */
  vat?: boolean;
  /** the claim's due date: costs may be added from the day after it (no 14-day letter needed) */
  dueDate?: string;
}

export interface ClaimCosts {
  costs: number;
  vat: number;
  total: number;
  rule: 'wik' | 'wik_instalment_cap' | 'agreed_fixed' | 'agreed_percentage' | 'waived' | 'no_letter' | 'term_running' | 'paid_within_term';
  /** the first day these costs may be added, when known */
  costsFrom?: string;
  /** readable, names the rule: for the decision log */
  reason: string;
}

/** The collection costs of a business claim (DESIGN §5 rule 14; art. 6:96 lid 4, 5 and 7 BW). */
export function businessCosts(input: BusinessCostsInput): ClaimCosts {
  const principal = sum(input.principal);
  const agreement = input.agreement ?? { type: 'wik' };
  const commercial = input.commercialTransaction ?? true;
  const costsFrom = input.dueDate === undefined ? undefined : (dateParts(input.dueDate), addDays(input.dueDate, 1));
  const head = 'business debtor, no 14-day letter needed (art. 6:96 lid 6 BW protects consumers only)';
  const done = (costs: number, rule: ClaimCosts['rule'], why: string): ClaimCosts => {
    const vat = input.vat && costs > 0 ? vatOn(costs) : 0;
    const vatText = vat > 0 ? ` plus 21% VAT (${euro(vat)})` : '';
    return { costs, vat, total: costs + vat, rule, ...(costsFrom ? { costsFrom } : {}), reason: `${head}: ${why}${vatText}` };
  };
  if (principal === 0) return done(0, agreement.type === 'none' ? 'waived' : 'wik', 'no principal, no costs');
  switch (agreement.type) {
    case 'none':
      return done(0, 'waived', 'the client charges business debtors no collection costs (client setting)');
    case 'wik': {
      const w = wikCosts(principal);
      const bound = w.bound ? ` (${w.bound} applied)` : '';
      return done(w.costs, 'wik', `WIK scale on ${euro(principal)} (Besluit BIK art. 2, art. 6:96 lid 5 BW; no other agreement): ${euro(w.costs)}${bound}`);
    }
    case 'fixed':
      return agreed(agreement.amountCents, 'agreed_fixed', `agreed fixed amount ${euro(agreement.amountCents)}`, commercial, done);
    case 'percentage': {
      const bp = Math.round(agreement.percent * 100);
      let amount = divRoundHalfUp(principal * bp, 10_000);
      let text = `agreed ${agreement.percent}% of ${euro(principal)} = ${euro(amount)}`;
      if (agreement.minimumCents !== undefined && amount < agreement.minimumCents) {
        amount = agreement.minimumCents;
        text += `, agreed minimum ${euro(amount)}`;
      }
      if (agreement.maximumCents !== undefined && amount > agreement.maximumCents) {
        amount = agreement.maximumCents;
        text += `, agreed maximum ${euro(amount)}`;
      }
      return agreed(amount, 'agreed_percentage', text, commercial, done);
    }
  }
}

/** An agreed amount (art. 6:96 lid 7 BW allows it for non-consumers), raised to €40 for a commercial transaction. */
function agreed(
  amount: number,
  rule: 'agreed_fixed' | 'agreed_percentage',
  text: string,
  commercial: boolean,
  done: (costs: number, rule: ClaimCosts['rule'], why: string) => ClaimCosts,
): ClaimCosts {
  const why = `${text} (client agreement, art. 6:96 lid 7 BW)`;
  if (commercial && amount < WIK_MINIMUM_CENTS) {
    return done(WIK_MINIMUM_CENTS, rule, `${why}; raised to €40.00, the minimum for a commercial transaction (art. 6:96 lid 4 BW)`);
  }
  return done(amount, rule, why);
}

function sum(principal: number | readonly number[]): number {
  const list = typeof principal === 'number' ? [principal] : principal;
  let s = 0;
  for (const c of list) {
    assertCents('principal', c);
    s += c;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------
// One entry point for the decision: consumer or business
// ---------------------------------------------------------------------------------------------------

export interface ClaimCostsInput {
  consumer: boolean;
  principal: number | readonly number[];
  now: Date;
  /** the client cannot deduct VAT */
  vat?: boolean;
  /** consumers: the 14-day letter, if one was sent for these claims */
  letter?: { sentAt: Date; provenDelivery?: string };
  payments?: readonly Payment[];
  /** consumers: term-end dates later messages stated (costs wait for the latest) */
  statedTermEnds?: readonly string[];
  /** consumers: the claim is an instalment claim */
  instalment?: InstalmentTerms;
  /** business debtors: the client's agreement (default: the WIK scale) */
  businessAgreement?: BusinessCostAgreement;
  /** business debtors: from a commercial transaction (default true) */
  commercialTransaction?: boolean;
  /** business debtors: the due date (costs from the day after) */
  dueDate?: string;
}

/**
 * The costs that apply to a claim at `now`, with the rule that decided, for the decision log. Consumers: nothing
 * without a 14-day letter, nothing while its term runs, then the WIK scale (capped for a small instalment claim).
 * Business debtors: `businessCosts`, from the day after the due date.
 */
export function claimCosts(input: ClaimCostsInput): ClaimCosts {
  if (!input.consumer) {
    const r = businessCosts({ principal: input.principal, agreement: input.businessAgreement, commercialTransaction: input.commercialTransaction, vat: input.vat, dueDate: input.dueDate });
    if (r.costsFrom && r.costsFrom > localDate(input.now)) return { costs: 0, vat: 0, total: 0, rule: r.rule, costsFrom: r.costsFrom, reason: `not overdue yet: costs from ${r.costsFrom}` };
    return r;
  }
  if (!input.letter) {
    return { costs: 0, vat: 0, total: 0, rule: 'no_letter', reason: 'consumer: no costs without a 14-day letter (art. 6:96 lid 6 BW)' };
  }
  const due: CostsDue = costsDue({
    principal: input.principal,
    payments: input.payments,
    letterSentAt: input.letter.sentAt,
    provenDelivery: input.letter.provenDelivery,
    now: input.now,
    vat: input.vat,
    statedTermEnds: input.statedTermEnds,
    instalment: input.instalment,
  });
  const rule: ClaimCosts['rule'] =
    due.status === 'due' ? (due.instalmentCap ? 'wik_instalment_cap' : 'wik') : due.status;
  return { costs: due.costs, vat: due.vat, total: due.total, rule, costsFrom: due.costsFrom, reason: `consumer, 14-day letter (art. 6:96 lid 6 BW): ${due.reason}` };
}
