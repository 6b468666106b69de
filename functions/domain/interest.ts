/**
 * Statutory interest and the allocation of payments (DESIGN §5 rule 13). Pure: no AWS, no clock; money in integer
 * euro cents; dates are 'YYYY-MM-DD' calendar days in Europe/Amsterdam.
 *
 * Law:
 *  - art. 6:119 BW (wettelijke rente): consumers and every claim that is not from a commercial transaction.
 *    Lid 2: "telkens na afloop van een jaar wordt het bedrag waarover de wettelijke rente wordt berekend,
 *    vermeerderd met de over dat jaar verschuldigde wettelijke rente" — yearly compounding on the anniversary of the
 *    start of the interest, not on 1 January.
 *  - art. 6:119a BW (handelsrente): claims from a commercial transaction; lid 3 applies the same yearly compounding.
 *  - art. 6:120 BW: the 6:119 rate is set by AMvB (Besluit vaststelling wettelijke rente, Staatsblad), half-yearly
 *    on 1 January and 1 July; the 6:119a rate is the ECB main refinancing rate on 1 January / 1 July + 8 points,
 *    published in the Staatscourant.
 *  - art. 6:44 BW: a payment goes first to the costs, then to the interest that has fallen due, then to the principal
 *    and the current interest.
 *
 * Conventions (documented choices):
 *  - Days: interest runs for every day from `from` (inclusive) up to the day of payment (exclusive). Counting from
 *    the due date, a payment on the due date itself bears no interest and one on the next day bears one day — the
 *    same count as "every day of default, from the day after the due date through the day of payment".
 *  - Day count actual/actual: a day's interest is base × rate / 365, or / 366 for a day in a leap year, so a full
 *    calendar year is exactly the yearly rate. Periods are split at rate changes, 1 January and anniversaries.
 *  - Anniversary: `from` + n years; a start on 29 February has its anniversary on 1 March in a common year (the
 *    year that began on 29 February ends at the end of 28 February).
 *  - Rounding: interest is accrued exactly (integer arithmetic in 1/(10,000 × 365 × 366) of a cent) and booked to
 *    whole cents, half up, at each anniversary, each payment and the reporting date.
 *  - The interest base is the principal still open plus the interest capitalised at anniversaries; costs and
 *    interest not yet capitalised bear no interest. Paying capitalised interest lowers the base (it is the oldest
 *    interest, paid first); paying current interest does not.
 *  - Interest on the collection costs is not charged.
 */
import { addDays, dateParts, localDate } from './calendar.js';
import type { Payment } from './costs.js';
import { assertCents, euro } from './money.js';

export type InterestKind = 'statutory' | 'commercial';

export interface InterestRate {
  /** first day the rate applies; it applies until the next entry */
  from: string;
  /** art. 6:119 BW, in basis points (600 = 6.00% a year) */
  statutoryBp: number;
  /** art. 6:119a BW, in basis points (1015 = 10.15% a year) */
  commercialBp: number;
  /** where the rates were published or found (see SOURCES) */
  sources: { statutory: string; commercial: string };
  /** true when a rate could not be confirmed in a publication: best knowledge, check it before relying on it */
  verify?: { statutory?: true; commercial?: true };
}

/** Publications and pages the rates were taken from (looked up December 2026). */
export const SOURCES = Object.freeze({
  rijksoverheid:
    'rijksoverheid.nl, "Hoe hoog is de wettelijke rente?" (https://www.rijksoverheid.nl/onderwerpen/schulden/vraag-en-antwoord/hoogte-wettelijke-rente), the page that follows each Besluit (Staatsblad) and Staatscourant notice: 2,00% / 8,00% in the 2016–2022 snapshot',
  rijksoverheid2015:
    'Rijksoverheid announcement of the decrease from 3% to 2% per 1 January 2015 (quoted by fintool.nl, "Wettelijke rente daalt")',
  handels2015: 'handelsrente 8,05% for 2015 and from 1 January 2016 (bierensgroup.com, rechtnet.nl "Wettelijke rente per 1 januari 2016"); ECB MRO 0.05% + 8',
  smk2024: 'smkaccountants.nl, "Wettelijke rente per 1 januari 2024" (3-1-2024): raised from 6% (since 1 July 2023) to 7%; ECB MRO 4.5%',
  ejustice2024: 'e-justice.europa.eu, "Rentetarieven – Nederland": 7% and 12,50% since 1 January 2024',
  metaalunie2024: 'metaalunie.nl, "Wettelijke rente per 1 juli 2024": 12,25% handelstransacties, 7% niet-handelstransacties',
  vvo2025: 'vvoadvocatuur.nl, "Wettelijke rente aangepast": per 1 januari 2025 6,0% and 11,15%; also actuelerentestanden.nl',
  verify:
    'TO VERIFY: no publication found; best knowledge (a third-party calculator table, and for 6:119a the ECB MRO rate on the first day of the half-year + 8 points). Check the Staatsblad (6:119) / Staatscourant (6:119a) or rijksoverheid.nl',
});

const S = SOURCES;
const V = { statutory: true, commercial: true } as const;

/**
 * The rate table, one row per half-year. Maintain it: add the next half-year when rijksoverheid.nl publishes it
 * (the new 6:119 rate by Besluit in the Staatsblad, the 6:119a rate in the Staatscourant, both shortly before
 * 1 January and 1 July), with its source. `interestRatesCoverage` warns when the table is about to run out.
 */
export const INTEREST_RATES: readonly InterestRate[] = Object.freeze([
  { from: '2015-01-01', statutoryBp: 200, commercialBp: 805, sources: { statutory: S.rijksoverheid2015, commercial: S.handels2015 } },
  { from: '2015-07-01', statutoryBp: 200, commercialBp: 805, sources: { statutory: S.rijksoverheid2015, commercial: S.handels2015 } },
  { from: '2016-01-01', statutoryBp: 200, commercialBp: 805, sources: { statutory: S.rijksoverheid2015, commercial: S.handels2015 } },
  ...halfYears('2016-07-01', '2022-07-01').map((from) => ({ from, statutoryBp: 200, commercialBp: 800, sources: { statutory: S.rijksoverheid, commercial: S.rijksoverheid } })),
  { from: '2023-01-01', statutoryBp: 400, commercialBp: 1050, sources: { statutory: S.verify, commercial: S.verify }, verify: V },
  { from: '2023-07-01', statutoryBp: 600, commercialBp: 1200, sources: { statutory: S.smk2024, commercial: S.verify }, verify: { commercial: true } },
  { from: '2024-01-01', statutoryBp: 700, commercialBp: 1250, sources: { statutory: S.smk2024, commercial: S.ejustice2024 } },
  { from: '2024-07-01', statutoryBp: 700, commercialBp: 1225, sources: { statutory: S.metaalunie2024, commercial: S.metaalunie2024 } },
  { from: '2025-01-01', statutoryBp: 600, commercialBp: 1115, sources: { statutory: S.vvo2025, commercial: S.vvo2025 } },
  { from: '2025-07-01', statutoryBp: 600, commercialBp: 1015, sources: { statutory: S.verify, commercial: S.verify }, verify: V },
  { from: '2026-01-01', statutoryBp: 400, commercialBp: 1015, sources: { statutory: S.verify, commercial: S.verify }, verify: V },
  { from: '2026-07-01', statutoryBp: 400, commercialBp: 1015, sources: { statutory: S.verify, commercial: S.verify }, verify: V },
] satisfies InterestRate[]);

function halfYears(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = first; d <= last; d = sixMonthsLater(d)) out.push(d);
  return out;
}

function sixMonthsLater(halfYearStart: string): string {
  const { year, month } = dateParts(halfYearStart);
  return month === 1 ? `${year}-07-01` : `${year + 1}-01-01`;
}

/** The last day the table covers (the end of its last half-year). */
export function ratesCoveredThrough(rates: readonly InterestRate[] = INTEREST_RATES): string {
  return addDays(sixMonthsLater(rates[rates.length - 1].from), -1);
}

export interface RateOnDay {
  bp: number;
  /** the table row it came from */
  from: string;
  source: string;
  /** a rate marked "to verify", or a day after the table (the last rate carried forward) */
  unverified: boolean;
  carriedForward: boolean;
}

/** The yearly rate of a kind on a day. Before the table: RangeError. After it: the last rate, flagged. */
export function rateOn(kind: InterestKind, date: string, rates: readonly InterestRate[] = INTEREST_RATES): RateOnDay {
  dateParts(date);
  if (date < rates[0].from) throw new RangeError(`no ${label(kind)} rate before ${rates[0].from}`);
  let row = rates[0];
  for (const r of rates) if (r.from <= date) row = r;
  const carriedForward = date > ratesCoveredThrough(rates);
  const bp = kind === 'statutory' ? row.statutoryBp : row.commercialBp;
  const unverified = carriedForward || row.verify?.[kind] === true;
  return { bp, from: row.from, source: row.sources[kind], unverified, carriedForward };
}

function label(kind: InterestKind): string {
  return kind === 'statutory' ? 'wettelijke rente (art. 6:119 BW)' : 'handelsrente (art. 6:119a BW)';
}

function percent(bp: number): string {
  return `${(bp / 100).toFixed(2)}%`;
}

// ---------------------------------------------------------------------------------------------------
// Which interest, from when
// ---------------------------------------------------------------------------------------------------

export interface InterestPlanInput {
  consumer: boolean;
  /** a business claim from a commercial transaction (art. 6:119a BW); default true for a business debtor */
  commercialTransaction?: boolean;
  /** the client's setting: does this creditor claim statutory interest at all? */
  clientClaimsInterest: boolean;
  /** the dossier's due date */
  dueDate: string;
  /** the start the creditor sent (e.g. default began later, after a notice of default); overrides dueDate */
  agreedFrom?: string;
}

export type InterestPlan = { claim: false; reason: string } | { claim: true; kind: InterestKind; from: string; reason: string };

/** Whether interest is claimed, which kind, from which day — with the reason for the decision log. */
export function interestPlan(input: InterestPlanInput): InterestPlan {
  dateParts(input.dueDate);
  if (input.agreedFrom !== undefined) dateParts(input.agreedFrom);
  if (!input.clientClaimsInterest) return { claim: false, reason: 'the client does not claim statutory interest (client setting)' };
  const kind: InterestKind = !input.consumer && (input.commercialTransaction ?? true) ? 'commercial' : 'statutory';
  const from = input.agreedFrom ?? input.dueDate;
  const who = input.consumer ? 'consumer' : kind === 'commercial' ? 'business debtor, commercial transaction' : 'business debtor, not a commercial transaction';
  const start = input.agreedFrom ? `the agreed start ${from}` : `the due date ${from}`;
  return { claim: true, kind, from, reason: `${who}: ${label(kind)}, compounded yearly, from ${start}` };
}

// ---------------------------------------------------------------------------------------------------
// The ledger: interest accrual and the allocation of payments
// ---------------------------------------------------------------------------------------------------

export interface LedgerInput {
  kind: InterestKind;
  /** the principal in cents */
  principal: number;
  /** the first day interest runs (interestPlan().from) */
  from: string;
  /** the reporting day: interest up to (not including) this day, payments on or before it */
  asOf: string;
  /** collection costs (incl. VAT) and the first day they are due; payments before that day skip them */
  costs?: { amount: number; from?: string };
  payments?: readonly Payment[];
  /** no interest accrues on or after this day (debt help, WSNP, moratorium: DESIGN §5 rule 10) */
  stopAccrualOn?: string;
  /** the rate table (default INTEREST_RATES) */
  rates?: readonly InterestRate[];
}

export interface PaymentAllocation {
  date: string;
  amount: number;
  toCosts: number;
  toInterest: number;
  toPrincipal: number;
  /** more than everything owed: to refund */
  surplus: number;
  reason: string;
}

export interface InterestSegment {
  from: string;
  /** exclusive */
  to: string;
  days: number;
  baseCents: number;
  rateBp: number;
  yearDays: 365 | 366;
  /** base × rate × days / yearDays, exact, in cents (for display; bookings round per event) */
  interestCents: number;
}

export interface Outstanding {
  principal: number;
  /** costs due and unpaid (costs not yet due are in `costsPending`) */
  costs: number;
  /** capitalised and current interest, booked to whole cents */
  interest: number;
  total: number;
}

export interface ClaimLedger {
  kind: InterestKind;
  asOf: string;
  allocations: PaymentAllocation[];
  segments: InterestSegment[];
  /** interest added to the base on each anniversary (art. 6:119 lid 2 BW) */
  capitalisations: Array<{ date: string; amount: number }>;
  /** all interest booked up to asOf, paid or not */
  interestCharged: number;
  outstanding: Outstanding;
  costsPending: number;
  /** sum of the payments' surpluses */
  surplus: number;
  /** rates marked "to verify" or carried forward past the table, once each */
  warnings: string[];
}

/** Denominator of the exact accrual: 10,000 (basis points) × 365 × 366, so both year lengths divide it. */
const DENOM = 10_000n * 365n * 366n;

interface State {
  principal: number;
  capitalised: number;
  current: number;
  /** interest accrued since the last booking, in 1/DENOM of a cent */
  exact: bigint;
  costs: number;
}

/**
 * Runs the claim from `from` to `asOf`: interest accrues on the open principal plus capitalised interest, each
 * anniversary capitalises the year's unpaid interest, and each payment is allocated costs → interest → principal
 * (art. 6:44 BW). Returns every allocation, the interest periods and what is outstanding on `asOf` (what paying on
 * that day would settle).
 */
export function claimLedger(input: LedgerInput): ClaimLedger {
  const rates = input.rates ?? INTEREST_RATES;
  validate(input);
  const costsFrom = input.costs?.from;
  const st: State = { principal: input.principal, capitalised: 0, current: 0, exact: 0n, costs: input.costs?.amount ?? 0 };
  const out: ClaimLedger = { kind: input.kind, asOf: input.asOf, allocations: [], segments: [], capitalisations: [], interestCharged: 0, outstanding: { principal: 0, costs: 0, interest: 0, total: 0 }, costsPending: 0, surplus: 0, warnings: [] };
  const payments = (input.payments ?? [])
    .map((p, i) => ({ amount: p.amount, date: dayOf(p.at), i }))
    .filter((p) => p.date <= input.asOf)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.i - b.i));
  const stop = input.stopAccrualOn && input.stopAccrualOn < input.asOf ? input.stopAccrualOn : input.asOf;
  let cursor = input.from;
  const accrueTo = (day: string) => {
    const to = day < stop ? day : stop;
    if (to > cursor) accrue(st, input.kind, cursor, to, rates, out);
    if (day > cursor) cursor = day;
  };
  const book = () => {
    const cents = roundExact(st.exact);
    st.exact = 0n;
    st.current += cents;
    out.interestCharged += cents;
  };
  let pi = 0;
  for (const anniversary of anniversaries(input.from, input.asOf)) {
    for (; pi < payments.length && payments[pi].date < anniversary; pi++) {
      accrueTo(payments[pi].date);
      book();
      out.allocations.push(allocate(st, payments[pi], costsFrom));
    }
    accrueTo(anniversary);
    book();
    // art. 6:119 lid 2 BW: after each year the unpaid interest is added to the base
    out.capitalisations.push({ date: anniversary, amount: st.current });
    st.capitalised += st.current;
    st.current = 0;
  }
  for (; pi < payments.length; pi++) {
    accrueTo(payments[pi].date);
    book();
    out.allocations.push(allocate(st, payments[pi], costsFrom));
  }
  accrueTo(input.asOf);
  book();
  const costsDueNow = costsFrom === undefined || costsFrom <= input.asOf;
  const interest = st.capitalised + st.current;
  const costs = costsDueNow ? st.costs : 0;
  out.costsPending = costsDueNow ? 0 : st.costs;
  out.outstanding = { principal: st.principal, costs, interest, total: st.principal + costs + interest };
  out.surplus = out.allocations.reduce((s, a) => s + a.surplus, 0);
  return out;
}

function validate(input: LedgerInput): void {
  if (input.kind !== 'statutory' && input.kind !== 'commercial') throw new RangeError(`unknown interest kind ${String(input.kind)}`);
  assertCents('principal', input.principal);
  dateParts(input.from);
  dateParts(input.asOf);
  if (input.stopAccrualOn !== undefined) dateParts(input.stopAccrualOn);
  if (input.costs) {
    assertCents('costs.amount', input.costs.amount);
    if (input.costs.from !== undefined) dateParts(input.costs.from);
  }
  for (const p of input.payments ?? []) assertCents('payment amount', p.amount);
}

/** A payment's Europe/Amsterdam day: 'YYYY-MM-DD' as given, an instant (Date or ISO string) converted. */
function dayOf(at: Date | string): string {
  if (typeof at === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(at)) {
    dateParts(at);
    return at;
  }
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) throw new RangeError(`invalid payment time ${String(at)}`);
  return localDate(d);
}

/** Anniversaries of `from` strictly after it, on or before `asOf`. */
export function anniversaries(from: string, asOf: string): string[] {
  const out: string[] = [];
  for (let n = 1; ; n++) {
    const a = addYears(from, n);
    if (a > asOf) return out;
    out.push(a);
  }
}

function addYears(date: string, n: number): string {
  const { year, month, day } = dateParts(date);
  const y = String(year + n).padStart(4, '0');
  const mm = String(month).padStart(2, '0');
  // 29 February in a common year: the year ends with 28 February, the next one starts on 1 March
  if (month === 2 && day === 29 && !isLeap(year + n)) return `${y}-03-01`;
  return `${y}-${mm}-${String(day).padStart(2, '0')}`;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Accrues [from, to) on the current base, split at rate changes and at 1 January (the year length changes). */
function accrue(st: State, kind: InterestKind, from: string, to: string, rates: readonly InterestRate[], out: ClaimLedger): void {
  const base = st.principal + st.capitalised;
  let s = from;
  while (s < to) {
    const r = rateOn(kind, s, rates);
    const { year } = dateParts(s);
    const next = [to, `${year + 1}-01-01`, ...rates.map((x) => x.from).filter((f) => f > s)].reduce((m, d) => (d < m ? d : m));
    const days = (Date.parse(next) - Date.parse(s)) / 86_400_000;
    const yearDays = isLeap(year) ? 366 : 365;
    const part = BigInt(base) * BigInt(r.bp) * BigInt(days) * (yearDays === 365 ? 366n : 365n);
    st.exact += part;
    out.segments.push({ from: s, to: next, days, baseCents: base, rateBp: r.bp, yearDays, interestCents: Number(part) / Number(DENOM) });
    if (r.unverified) warn(out, kind, r, rates);
    s = next;
  }
}

function warn(out: ClaimLedger, kind: InterestKind, r: RateOnDay, rates: readonly InterestRate[]): void {
  const text = r.carriedForward
    ? `no ${label(kind)} rate in the table after ${ratesCoveredThrough(rates)}: ${percent(r.bp)} carried forward — add the new rate to INTEREST_RATES (functions/domain/interest.ts)`
    : `${label(kind)} ${percent(r.bp)} from ${r.from} is marked "to verify" in INTEREST_RATES (functions/domain/interest.ts)`;
  if (!out.warnings.includes(text)) out.warnings.push(text);
}

function roundExact(exact: bigint): number {
  return Number((2n * exact + DENOM) / (2n * DENOM));
}

/** Art. 6:44 BW: costs (once due), then interest (capitalised first: the oldest), then principal; the rest is surplus. */
function allocate(st: State, p: { amount: number; date: string }, costsFrom: string | undefined): PaymentAllocation {
  let left = p.amount;
  const take = (owed: number) => {
    const t = Math.min(owed, left);
    left -= t;
    return t;
  };
  const toCosts = costsFrom === undefined || costsFrom <= p.date ? take(st.costs) : 0;
  st.costs -= toCosts;
  const fromCapitalised = take(st.capitalised);
  st.capitalised -= fromCapitalised;
  const fromCurrent = take(st.current);
  st.current -= fromCurrent;
  const toPrincipal = take(st.principal);
  st.principal -= toPrincipal;
  const a = { date: p.date, amount: p.amount, toCosts, toInterest: fromCapitalised + fromCurrent, toPrincipal, surplus: left };
  return { ...a, reason: describeAllocation(a) };
}

/** "payment of €1,231.03 on 2026-07-01: €150.00 to costs, €81.03 to interest, €1,000.00 to principal (art. 6:44 BW)" */
export function describeAllocation(a: Omit<PaymentAllocation, 'reason'>): string {
  const parts = [`${euro(a.toCosts)} to costs`, `${euro(a.toInterest)} to interest`, `${euro(a.toPrincipal)} to principal`];
  if (a.surplus > 0) parts.push(`${euro(a.surplus)} more than was owed (to refund)`);
  return `payment of ${euro(a.amount)} on ${a.date}: ${parts.join(', ')} (art. 6:44 BW: costs, then interest, then principal)`;
}

// ---------------------------------------------------------------------------------------------------
// The table keeps telling the truth
// ---------------------------------------------------------------------------------------------------

export interface RatesCoverage {
  ok: boolean;
  coveredThrough: string;
  /** days from today (Europe/Amsterdam) to the last covered day; negative once it has passed */
  daysLeft: number;
  message?: string;
}

/**
 * Warns when the rate table ends within `horizonDays` (default 31: the next half-year's rates are published in the
 * weeks before 1 January and 1 July) or has already ended, naming where to add the new rates.
 */
export function interestRatesCoverage(now: Date, horizonDays = 31, rates: readonly InterestRate[] = INTEREST_RATES): RatesCoverage {
  const today = localDate(now);
  const coveredThrough = ratesCoveredThrough(rates);
  const daysLeft = (Date.parse(coveredThrough) - Date.parse(today)) / 86_400_000;
  if (daysLeft > horizonDays) return { ok: true, coveredThrough, daysLeft };
  const when = daysLeft < 0 ? `ran out on ${coveredThrough}: the last rates are being carried forward` : `runs out on ${coveredThrough}`;
  return {
    ok: false,
    coveredThrough,
    daysLeft,
    message:
      `The statutory interest rate table (art. 6:119 / 6:119a BW) ${when}. Add the next half-year to INTEREST_RATES in ` +
      'functions/domain/interest.ts, with its source: the wettelijke rente from the Besluit in the Staatsblad and the ' +
      'handelsrente from the Staatscourant, both summarised on rijksoverheid.nl ("Hoe hoog is de wettelijke rente?").',
  };
}
