/**
 * Extrajudicial collection costs (WIK, DESIGN §5 rules 1–6). Pure; money is integer euro cents.
 *
 * Sources: Besluit vergoeding voor buitengerechtelijke incassokosten (Stb. 2012, 141) art. 2; art. 6:96(6) BW;
 * Hoge Raad 25-11-2016, ECLI:NL:HR:2016:2704 (14-day letter: wording, receipt, payments inside the term).
 *
 * The 14-day term ends on receipt + 14 days, moved to the next working day per Algemene termijnenwet art. 1 (DESIGN
 * §5 rule 12, which refines rule 4's "receipt + 15 days"); costs from the day after.
 *
 * Rounding (documented choice): every bracket is computed exactly (in thousandths of a cent, integers only),
 * the sum is rounded once, half up, to whole cents; then the €40 floor and €6,775 cap apply. Because the
 * bracket edges are whole euros, only the last, partial bracket can have a fraction, so the per-bracket
 * amounts reported (each rounded half up) always add up to the uncapped total. VAT is 21% of the costs,
 * rounded half up to whole cents.
 */
import { addDays, dateParts, isAtwHoliday, localDate, weekday, workingDayOnOrAfter } from './calendar.js';
import { assertCents, divRoundHalfUp, euro } from './money.js';

export const WIK_MINIMUM_CENTS = 40_00;
export const WIK_MAXIMUM_CENTS = 6_775_00;
export const VAT_PERCENT = 21;
/** Below this monthly instalment amount the instalment cap applies (€266.67 = the principal where 15% is €40). */
export const INSTALMENT_THRESHOLD_CENTS = 266_67;
export const INSTALMENT_FIRST_CENTS = 40_00;
export const INSTALMENT_SIX_MONTH_CAP_CENTS = 140_00;

/** WIK brackets: [from, to) in cents and the rate in thousandths (150 = 15%). */
const BRACKETS: ReadonlyArray<{ from: number; to: number; permille: number }> = [
  { from: 0, to: 2_500_00, permille: 150 },
  { from: 2_500_00, to: 5_000_00, permille: 100 },
  { from: 5_000_00, to: 10_000_00, permille: 50 },
  { from: 10_000_00, to: 200_000_00, permille: 10 },
  { from: 200_000_00, to: Number.POSITIVE_INFINITY, permille: 5 },
];


export interface WikBracket {
  fromCents: number;
  /** null for the open top bracket */
  toCents: number | null;
  /** e.g. 0.15 */
  rate: number;
  /** the part of the principal that falls in this bracket */
  baseCents: number;
  /** rate × base, rounded half up to cents */
  amountCents: number;
}

export interface WikCosts {
  /** costs excluding VAT, after the €40 floor and €6,775 cap */
  costs: number;
  /** VAT on the costs (0 unless opts.vat) */
  vat: number;
  /** costs + vat */
  total: number;
  /** the staffel before the floor and cap */
  uncapped: number;
  /** which bound applied, if any */
  bound: 'minimum' | 'maximum' | null;
  brackets: WikBracket[];
}

/**
 * WIK costs on a principal. `vat: true` when the client cannot deduct VAT (the costs are then ×1.21, also the
 * €40 minimum). A principal of 0 has no costs at all (the €40 minimum needs a claim).
 */
export function wikCosts(principalCents: number, opts: { vat?: boolean } = {}): WikCosts {
  assertCents('principalCents', principalCents);
  const brackets: WikBracket[] = [];
  let exactThousandths = 0;
  for (const b of BRACKETS) {
    const base = Math.max(0, Math.min(principalCents, b.to) - b.from);
    if (base === 0) break;
    exactThousandths += base * b.permille;
    brackets.push({
      fromCents: b.from,
      toCents: Number.isFinite(b.to) ? b.to : null,
      rate: b.permille / 1000,
      baseCents: base,
      amountCents: divRoundHalfUp(base * b.permille, 1000),
    });
  }
  const uncapped = divRoundHalfUp(exactThousandths, 1000);
  let costs = uncapped;
  let bound: WikCosts['bound'] = null;
  if (principalCents === 0) costs = 0;
  else if (uncapped < WIK_MINIMUM_CENTS) {
    costs = WIK_MINIMUM_CENTS;
    bound = 'minimum';
  } else if (uncapped > WIK_MAXIMUM_CENTS) {
    costs = WIK_MAXIMUM_CENTS;
    bound = 'maximum';
  }
  const vat = opts.vat ? vatOn(costs) : 0;
  return { costs, vat, total: costs + vat, uncapped, bound, brackets };
}

/** 21% VAT on an amount of cents, rounded half up. */
export function vatOn(cents: number): number {
  assertCents('cents', cents);
  return divRoundHalfUp(cents * VAT_PERCENT, 100);
}

/** Several claims of one creditor collected at once: the costs are computed on their sum, not per claim. */
export function wikCostsForClaims(claimsCents: readonly number[], opts: { vat?: boolean } = {}): WikCosts {
  let sum = 0;
  for (const c of claimsCents) {
    assertCents('claim', c);
    sum += c;
  }
  return wikCosts(sum, opts);
}

export interface InstalmentCap {
  /** whether the instalment rule applies (monthly amount below €266.67) */
  applies: boolean;
  /** the most that may be charged for the overdue instalments, excl. VAT; null when the rule does not apply */
  capCents: number | null;
  reason: string;
}

/**
 * Instalment claims (DESIGN §5 rule 6): when the monthly amount is below €266.67, the costs for overdue
 * instalments are at most €40 for the first and at most €140 per six months. We read this as: €40 per overdue
 * instalment (the WIK minimum, which is what 15% of such an instalment rounds up to), summed per block of six
 * consecutive monthly instalments and capped at €140 per block. `periods` = the number of overdue monthly
 * instalments. Example: 1 → €40, 3 → €120, 4..6 → €140, 7 → €180, 12 → €280.
 */
export function instalmentCostCap(monthlyAmountCents: number, periods: number): InstalmentCap {
  assertCents('monthlyAmountCents', monthlyAmountCents);
  if (!Number.isSafeInteger(periods) || periods < 0) throw new RangeError('periods must be a whole number ≥ 0');
  if (monthlyAmountCents >= INSTALMENT_THRESHOLD_CENTS) {
    return { applies: false, capCents: null, reason: 'monthly amount is €266.67 or more: normal WIK costs per claim' };
  }
  let cap = 0;
  for (let left = periods; left > 0; left -= 6) {
    cap += Math.min(Math.min(left, 6) * INSTALMENT_FIRST_CENTS, INSTALMENT_SIX_MONTH_CAP_CENTS);
  }
  const blocks = Math.ceil(periods / 6);
  return {
    applies: true,
    capCents: cap,
    reason:
      periods === 0
        ? 'no overdue instalments'
        : `monthly amount below €266.67: €40 per instalment, at most €140 per six months (${periods} instalment(s) in ${blocks} six-month block(s))`,
  };
}

/** A claim the creditor marked as an instalment claim: its monthly amount and how many instalments are overdue. */
export interface InstalmentTerms {
  monthlyAmountCents: number;
  overdueInstalments: number;
}

export interface InstalmentClaimCosts {
  costs: number;
  vat: number;
  total: number;
  /** which bound decided: the WIK scale on the overdue amount, or the small-instalment cap below it */
  rule: 'wik' | 'instalment_cap';
  /** WIK costs on the overdue amount (excl. VAT) */
  wikCents: number;
  /** the small-instalment cap (excl. VAT), null when the monthly amount is €266.67 or more */
  capCents: number | null;
  /** overdue instalments still unpaid (payments clear the oldest first) */
  unpaidInstalments: number;
  reason: string;
}

/**
 * Costs of an instalment claim (DESIGN §5 rule 6): the WIK scale on the overdue amount, but never more than the
 * small-instalment cap (€40 for the first instalment, at most €140 per six months) when the monthly amount is
 * below €266.67. The cap only ever lowers the costs. Why min(): the cap is a maximum for such claims, and the
 * WIK scale on the sum of the instalments (one creditor, claims collected together: rule 1) is already the
 * ceiling for any claim. `overdueCents` is what is still open of the overdue instalments; payments are taken to
 * clear whole instalments oldest first, so the unpaid count is at most ceil(overdueCents / monthly amount).
 */
export function instalmentClaimCosts(input: InstalmentTerms & { overdueCents: number; vat?: boolean }): InstalmentClaimCosts {
  const { monthlyAmountCents: monthly, overdueInstalments, overdueCents } = input;
  assertCents('overdueCents', overdueCents);
  assertCents('monthlyAmountCents', monthly);
  if (monthly === 0) throw new RangeError('monthlyAmountCents must be more than 0');
  if (!Number.isSafeInteger(overdueInstalments) || overdueInstalments < 0) throw new RangeError('overdueInstalments must be a whole number ≥ 0');
  if (overdueCents > 0 && overdueInstalments === 0) throw new RangeError('an overdue amount needs at least one overdue instalment');
  const unpaid = Math.min(overdueInstalments, Math.ceil(overdueCents / monthly));
  const wik = wikCosts(overdueCents).costs;
  const cap = instalmentCostCap(monthly, unpaid);
  const capped = cap.capCents !== null && cap.capCents < wik;
  const costs = capped ? cap.capCents! : wik;
  const vat = input.vat ? vatOn(costs) : 0;
  const head = `instalment claim of ${euro(monthly)} a month, ${unpaid} unpaid overdue instalment(s) (${euro(overdueCents)})`;
  const why =
    cap.capCents === null
      ? `monthly amount €266.67 or more, so no instalment cap: WIK ${euro(wik)}`
      : `WIK ${euro(wik)}, Wki small-instalment cap ${euro(cap.capCents)} (€40 per instalment, at most €140 per six months): ${capped ? 'the cap applies' : 'WIK is lower'}`;
  return {
    costs,
    vat,
    total: costs + vat,
    rule: capped ? 'instalment_cap' : 'wik',
    wikCents: wik,
    capCents: cap.capCents,
    unpaidInstalments: unpaid,
    reason: `${head}; ${why} → ${euro(costs)}${input.vat ? ' plus 21% VAT' : ''}`,
  };
}

// ---------------------------------------------------------------------------------------------------
// The 14-day letter
// ---------------------------------------------------------------------------------------------------

/**
 * Presumed receipt of the 14-day letter: the proven delivery date when there is one, else the second day after
 * the (Europe/Amsterdam) day of sending, not counting Sundays, Mondays or Atw holidays (declared days count as
 * holidays: no delivery is presumed on them, which only ever makes the term later — in the debtor's favour).
 */
export function presumedReceipt(sentAt: Date, provenDelivery?: string): string {
  const sent = localDate(sentAt);
  if (provenDelivery !== undefined) {
    dateParts(provenDelivery);
    if (provenDelivery < sent) throw new RangeError(`proven delivery ${provenDelivery} is before sending (${sent})`);
    return provenDelivery;
  }
  let d = sent;
  let counted = 0;
  while (counted < 2) {
    d = addDays(d, 1);
    const wd = weekday(d);
    if (wd === 7 || wd === 1 || isAtwHoliday(d).holiday) continue;
    counted++;
  }
  return d;
}

/**
 * The last day of the term "binnen 14 dagen vanaf de dag nadat deze brief bij u is bezorgd".
 *
 * Why this way (DESIGN §5 rules 3, 4 and 12): the 14 days run from the day after (presumed) receipt, so day 14
 * is receipt + 14. The 14-day term of art. 6:96 lid 6 BW is a statutory term, so the Algemene termijnenwet
 * applies: a term ending on a Saturday, Sunday, Atw holiday or declared-equal day runs on to the next day that is
 * none of these (Atw art. 1 lid 1). Not optional: charging costs on the Monday after a term that "ended" on
 * Saturday is charging them inside the term, and the costs are then lost (HR 25-11-2016,
 * ECLI:NL:HR:2016:2704). Atw art. 2 (at least two working days inside a term of three days or more) never
 * lengthens a 14-day term: no run of non-working days in the Dutch calendar is that long.
 */
export function fourteenDayTermEnd(receiptDate: string): string {
  return workingDayOnOrAfter(addDays(receiptDate, 14));
}

/** The first day costs may be added: the day after the (extended) term. */
export function costsAllowedFrom(receiptDate: string): string {
  return addDays(fourteenDayTermEnd(receiptDate), 1);
}

/**
 * When a later message about the same claims stated a term end (e.g. a follow-up e-mail "betaal uiterlijk op
 * 25 januari"), costs wait for the latest term any message stated (DESIGN §5 rule 12: a later message never
 * states a later term than the one costs are charged on; if one did, we honour it rather than contradict it).
 * `statedTermEnds` are the term-end dates ('YYYY-MM-DD') that messages actually showed the debtor.
 */
export function costsFromHonouringStatedTerms(costsFrom: string, statedTermEnds: readonly string[]): { costsFrom: string; reason: string } {
  dateParts(costsFrom);
  let latest = addDays(costsFrom, -1);
  for (const d of statedTermEnds) {
    dateParts(d);
    if (d > latest) latest = d;
  }
  const from = addDays(latest, 1);
  return from === costsFrom
    ? { costsFrom, reason: `costs from ${costsFrom}, the day after the legal term` }
    : { costsFrom: from, reason: `a message stated the term ends ${latest}: costs wait until ${from} (legal term allowed ${costsFrom})` };
}

export interface Payment {
  amount: number;
  /** when the money was received (its Europe/Amsterdam day decides inside/outside the term) */
  at: Date | string;
}

export interface CostsDueInput {
  /** principal in cents, or several claims of one creditor (costs on their sum) */
  principal: number | readonly number[];
  payments?: readonly Payment[];
  letterSentAt: Date;
  provenDelivery?: string;
  now: Date;
  vat?: boolean;
  /** term-end dates ('YYYY-MM-DD') later messages showed the debtor; costs wait for the latest (rule 12) */
  statedTermEnds?: readonly string[];
  /** the claim is an instalment claim (DESIGN §5 rule 6): the small-instalment cap may apply */
  instalment?: InstalmentTerms;
}

export interface CostsDue {
  costs: number;
  vat: number;
  total: number;
  status: 'term_running' | 'paid_within_term' | 'due';
  receiptDate: string;
  /** the last day of the legal term (Atw-extended): what a follow-up message may state */
  termEnd: string;
  /** the first day costs may be added: the day after termEnd, or after a later term a message stated */
  costsFrom: string;
  /** principal still open at the end of the term (after payments made before costsFrom) */
  principalAtTermEnd: number;
  /** true when the small-instalment cap (rule 6) lowered the costs */
  instalmentCap: boolean;
  reason: string;
}

function toDate(at: Date | string): Date {
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) throw new RangeError(`invalid payment time ${String(at)}`);
  return d;
}

/**
 * The costs to show at `now`: nothing while the 14-day term runs (until the Atw-extended term end, Europe/Amsterdam,
 * or a later term end a message stated); afterwards the WIK costs on the principal still open at the end of the
 * term (capped for a small instalment claim). A payment inside the term lowers that principal; full payment inside
 * the term means no costs at all. Payments after the term do not lower the costs.
 */
export function costsDue(input: CostsDueInput): CostsDue {
  const principal = typeof input.principal === 'number' ? input.principal : sumCents(input.principal);
  assertCents('principal', principal);
  const receiptDate = presumedReceipt(input.letterSentAt, input.provenDelivery);
  const termEnd = fourteenDayTermEnd(receiptDate);
  const honoured = costsFromHonouringStatedTerms(costsAllowedFrom(receiptDate), input.statedTermEnds ?? []);
  const costsFrom = honoured.costsFrom;
  const lastTermDay = addDays(costsFrom, -1);
  let paidInTerm = 0;
  for (const p of input.payments ?? []) {
    assertCents('payment amount', p.amount);
    if (localDate(toDate(p.at)) <= lastTermDay) paidInTerm += p.amount;
  }
  const principalAtTermEnd = Math.max(0, principal - paidInTerm);
  const base = { receiptDate, termEnd, costsFrom, principalAtTermEnd, instalmentCap: false };
  const stated = lastTermDay === termEnd ? '' : ` (${honoured.reason})`;
  if (localDate(input.now) < costsFrom) {
    return { ...base, costs: 0, vat: 0, total: 0, status: 'term_running', reason: `the 14-day term runs until ${termEnd}; costs from ${costsFrom}${stated}` };
  }
  if (principalAtTermEnd === 0) {
    return { ...base, costs: 0, vat: 0, total: 0, status: 'paid_within_term', reason: `paid in full within the term (until ${lastTermDay}): no costs` };
  }
  const c = input.instalment
    ? instalmentClaimCosts({ ...input.instalment, overdueCents: principalAtTermEnd, vat: input.vat })
    : { ...wikCostsReason(principalAtTermEnd, input.vat === true), rule: 'wik' };
  const rest = paidInTerm > 0 ? ' (after payments inside the term)' : '';
  const instalmentCap = c.rule === 'instalment_cap';
  return { ...base, instalmentCap, costs: c.costs, vat: c.vat, total: c.total, status: 'due', reason: `term ended ${lastTermDay}${stated}${rest}: ${c.reason}` };
}

function wikCostsReason(principalCents: number, vat: boolean): { costs: number; vat: number; total: number; reason: string } {
  const w = wikCosts(principalCents, { vat });
  const reason = `WIK costs on the principal of ${euro(principalCents)}: ${euro(w.costs)}` + (w.bound ? ` (${w.bound} applied)` : '') + (vat ? ' plus 21% VAT' : '');
  return { costs: w.costs, vat: w.vat, total: w.total, reason };
}

function sumCents(list: readonly number[]): number {
  let s = 0;
  for (const c of list) {
    assertCents('claim', c);
    s += c;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------
// Wording of the payment term
// ---------------------------------------------------------------------------------------------------

export interface WordingCheck {
  valid: boolean;
  reason: string;
}

const NUMBER_WORDS: Record<string, string> = {
  veertien: '14',
  vijftien: '15',
  zestien: '16',
  zeventien: '17',
  achttien: '18',
  negentien: '19',
  twintig: '20',
  eenentwintig: '21',
  dertig: '30',
};

/** Phrasings that start the term at the letter's date or dispatch instead of delivery: always invalid. */
const FORBIDDEN: ReadonlyArray<[RegExp, string]> = [
  [/\b(na|vanaf|sinds|van)\s+(de\s+)?dagtekening\b/, '"na dagtekening" counts from the date of the letter'],
  [/\bna\s+heden\b/, '"na heden" counts from today, not from delivery'],
  [/\b(na|vanaf)\s+(de\s+)?(datum\s+van\s+)?verzending\b/, '"na verzending" counts from dispatch, not from delivery'],
  [/\b(na|vanaf)\s+(de\s+)?datum\s+van\s+(deze|de)\s+(brief|aanmaning|sommatie)\b/, 'counts from the date of the letter'],
  [/\b(na|vanaf)\s+vandaag\b/, 'counts from today, not from delivery'],
];

/**
 * Checks the payment-term sentence of a 14-day letter (art. 6:96(6) BW, HR 25-11-2016):
 * accepted: "binnen 14 dagen vanaf de dag nadat deze brief bij u is bezorgd" (N ≥ 14 days counted from the day
 * after delivery), or "binnen 15 dagen nadat deze brief bij u is bezorgd" / "binnen 15 dagen na bezorging van
 * deze brief" (N ≥ 15 days after delivery). Rejected: "na dagtekening", "na heden", "na verzending" and
 * similar, shorter terms, and anything that does not tie the term to delivery (conservative: e.g. "na
 * ontvangst" is rejected and needs legal review).
 */
export function checkFourteenDayWording(text: string): WordingCheck {
  if (typeof text !== 'string' || text.trim() === '') return { valid: false, reason: 'no text' };
  let t = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ');
  for (const [word, digits] of Object.entries(NUMBER_WORDS)) t = t.replace(new RegExp(`\\b${word}\\b`, 'g'), digits);
  for (const [re, why] of FORBIDDEN) if (re.test(t)) return { valid: false, reason: why };

  const subject = '(deze|de|onze)\\s+(brief|aanmaning|herinnering|sommatie|ingebrekestelling)';
  const fromDayAfter = new RegExp(
    `\\bbinnen\\s+(\\d+)\\s+(kalender)?dagen\\s+(vanaf|na|gerekend\\s+vanaf)\\s+de\\s+dag\\s+(nadat|na\\s+de\\s+dag\\s+waarop|waarop)\\s+${subject}\\s+(bij\\s+u\\s+)?(is\\s+)?bezorgd(\\s+is)?\\b`,
  );
  const afterDelivery = new RegExp(
    `\\bbinnen\\s+(\\d+)\\s+(kalender)?dagen\\s+(nadat\\s+${subject}\\s+(bij\\s+u\\s+)?(is\\s+)?bezorgd(\\s+is)?|na\\s+(de\\s+)?bezorging\\s+van\\s+${subject})\\b`,
  );
  const a = fromDayAfter.exec(t);
  if (a) {
    const n = Number(a[1]);
    // "vanaf de dag waarop" counts the delivery day itself: one day less than "vanaf de dag nadat"
    const effective = a[4] === 'waarop' ? n - 1 : n;
    return effective >= 14
      ? { valid: true, reason: `term of ${n} days from the day after delivery` }
      : { valid: false, reason: `a term of ${n} days is shorter than 14 days after delivery` };
  }
  const b = afterDelivery.exec(t);
  if (b) {
    const n = Number(b[1]);
    return n >= 15
      ? { valid: true, reason: `term of ${n} days after delivery` }
      : { valid: false, reason: `"${n} dagen na bezorging" must be at least 15 days (or 14 days from the day after delivery)` };
  }
  return { valid: false, reason: 'no payment term counted from delivery ("binnen 14 dagen vanaf de dag nadat deze brief bij u is bezorgd")' };
}

/** True when the letter's payment term is worded validly (see checkFourteenDayWording). */
export function isValidFourteenDayWording(text: string): boolean {
  return checkFourteenDayWording(text).valid;
}
