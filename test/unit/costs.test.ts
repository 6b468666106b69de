/**
 * WIK costs, the instalment cap and the 14-day letter. Every amount and date below is worked out by hand:
 * staffel 15% / 10% / 5% / 1% / 0.5% over 2,500 / 2,500 / 5,000 / 190,000 / rest (euros), floor €40, cap
 * €6,775, one rounding half up to cents; VAT 21% rounded half up. Dates from the 2025–2028 calendars.
 */
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, isWorkingDay, localInstant } from '../../functions/domain/calendar.js';
import {
  checkFourteenDayWording,
  costsAllowedFrom,
  costsDue,
  costsFromHonouringStatedTerms,
  fourteenDayTermEnd,
  instalmentClaimCosts,
  instalmentCostCap,
  isValidFourteenDayWording,
  presumedReceipt,
  vatOn,
  wikCosts,
  wikCostsForClaims,
} from '../../functions/domain/costs.js';

describe('wikCosts', () => {
  // principal (cents), costs, vat, total, bound, what it tests
  it.each<[number, number, number, number, 'minimum' | 'maximum' | null, string]>([
    [1, 4000, 840, 4840, 'minimum', '€0.01: floor'],
    [10000, 4000, 840, 4840, 'minimum', '€100: 15% = €15 → floor'],
    [26600, 4000, 840, 4840, 'minimum', '€266.00: €39.90 → floor'],
    [26666, 4000, 840, 4840, null, '€266.66: €39.999 rounds to €40.00'],
    [26667, 4000, 840, 4840, null, '€266.67: €40.0005 → €40.00'],
    [26670, 4001, 840, 4841, null, '€266.70: €40.005 rounds half up to €40.01'],
    [27000, 4050, 851, 4901, null, '€270: €40.50, VAT €8.505 → €8.51'],
    [100000, 15000, 3150, 18150, null, '€1,000 → €150 (DESIGN example)'],
    [249999, 37500, 7875, 45375, null, '€2,499.99: €374.9985 → €375.00'],
    [250000, 37500, 7875, 45375, null, '€2,500: first bracket edge'],
    [250001, 37500, 7875, 45375, null, '€2,500.01: + 0.1 cent'],
    [250005, 37501, 7875, 45376, null, '€2,500.05: + 0.5 cent rounds up'],
    [300000, 42500, 8925, 51425, null, '€3,000 → €425 (DESIGN example)'],
    [499999, 62500, 13125, 75625, null, '€4,999.99: €624.999 → €625'],
    [500000, 62500, 13125, 75625, null, '€5,000: second bracket edge'],
    [500010, 62501, 13125, 75626, null, '€5,000.10: + 0.5 cent rounds up'],
    [750000, 75000, 15750, 90750, null, '€7,500'],
    [999999, 87500, 18375, 105875, null, '€9,999.99: €874.9995 → €875'],
    [1000000, 87500, 18375, 105875, null, '€10,000 → €875 (DESIGN example), third edge'],
    [1000049, 87500, 18375, 105875, null, '€10,000.49: + 0.49 cent rounds down'],
    [1000050, 87501, 18375, 105876, null, '€10,000.50: + 0.5 cent rounds up'],
    [2000000, 97500, 20475, 117975, null, '€20,000'],
    [10000000, 177500, 37275, 214775, null, '€100,000'],
    [19999999, 277500, 58275, 335775, null, '€199,999.99: €2,774.9999 → €2,775'],
    [20000000, 277500, 58275, 335775, null, '€200,000: fourth bracket edge'],
    [20000100, 277501, 58275, 335776, null, '€200,001: + 0.5 cent rounds up'],
    [50000000, 427500, 89775, 517275, null, '€500,000'],
    [99999999, 677500, 142275, 819775, null, '€999,999.99: €6,774.99995 → €6,775.00'],
    [100000000, 677500, 142275, 819775, null, '€1,000,000: exactly the cap'],
    [100000200, 677500, 142275, 819775, 'maximum', '€1,000,002: over the cap'],
    [200000000, 677500, 142275, 819775, 'maximum', '€2,000,000: cap'],
  ])('%i cents → costs %i, VAT %i, total %i (%s; %s)', (principal, costs, vat, total, bound) => {
    const withVat = wikCosts(principal, { vat: true });
    expect(withVat).toMatchObject({ costs, vat, total, bound });
    const noVat = wikCosts(principal);
    expect(noVat).toMatchObject({ costs, vat: 0, total: costs, bound });
    expect(wikCosts(principal, { vat: false }).vat).toBe(0);
  });

  it('a principal of 0 has no costs (the floor needs a claim)', () => {
    expect(wikCosts(0, { vat: true })).toMatchObject({ costs: 0, vat: 0, total: 0, brackets: [] });
  });

  it('reports the brackets of €3,000', () => {
    expect(wikCosts(300000).brackets).toEqual([
      { fromCents: 0, toCents: 250000, rate: 0.15, baseCents: 250000, amountCents: 37500 },
      { fromCents: 250000, toCents: 500000, rate: 0.1, baseCents: 50000, amountCents: 5000 },
    ]);
  });

  it('reports all five brackets of €1,000,000, adding up to the costs', () => {
    const r = wikCosts(100000000);
    expect(r.brackets.map((b) => [b.baseCents, b.amountCents, b.toCents])).toEqual([
      [250000, 37500, 250000],
      [250000, 25000, 500000],
      [500000, 25000, 1000000],
      [19000000, 190000, 20000000],
      [80000000, 400000, null],
    ]);
    expect(r.brackets.reduce((s, b) => s + b.amountCents, 0)).toBe(r.uncapped);
  });

  it('above the cap the uncapped staffel is still reported (€2,000,000 → €11,775 uncapped)', () => {
    expect(wikCosts(200000000)).toMatchObject({ uncapped: 1177500, costs: 677500 });
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('rejects principal %s', (p) => {
    expect(() => wikCosts(p)).toThrow(RangeError);
  });

  it.each([
    [4000, 840],
    [4001, 840],
    [4003, 841], // 840.63
    [4050, 851], // 850.5 → up
    [677500, 142275],
    [0, 0],
  ])('vatOn(%i) = %i', (c, v) => {
    expect(vatOn(c)).toBe(v);
  });
});

describe('several claims of one creditor: costs on the sum', () => {
  it.each<[number[], number, string]>([
    [[10000, 10000, 10000], 4500, '3 × €100 = €300 → €45 (not 3 × €40)'],
    [[200000, 200000], 52500, '2 × €2,000 = €4,000 → €525 (not 2 × €300)'],
    [[60000, 40000], 15000, '€600 + €400 = €1,000 → €150'],
    [[1], 4000, 'one cent → floor'],
    [[], 0, 'no claims → nothing'],
  ])('%j → %i (%s)', (claims, costs) => {
    expect(wikCostsForClaims(claims).costs).toBe(costs);
  });

  it('VAT applies to the sum', () => {
    expect(wikCostsForClaims([10000, 10000, 10000], { vat: true })).toMatchObject({ costs: 4500, vat: 945, total: 5445 });
  });
});

describe('instalmentCostCap', () => {
  it.each<[number, number, boolean, number | null]>([
    [10000, 0, true, 0],
    [10000, 1, true, 4000], // first instalment €40
    [10000, 2, true, 8000],
    [10000, 3, true, 12000],
    [10000, 4, true, 14000], // €160 → capped at €140 per six months
    [10000, 6, true, 14000],
    [10000, 7, true, 18000], // second half-year starts: €140 + €40
    [10000, 12, true, 28000],
    [10000, 13, true, 32000],
    [26666, 4, true, 14000], // €266.66 is below the threshold
    [26667, 4, false, null], // €266.67: normal WIK per claim
    [50000, 12, false, null],
  ])('monthly %i cents, %i overdue instalments → applies %s, cap %s', (monthly, periods, applies, cap) => {
    const r = instalmentCostCap(monthly, periods);
    expect(r.applies).toBe(applies);
    expect(r.capCents).toBe(cap);
    expect(r.reason).toBeTruthy();
  });

  it.each([
    [-1, 1],
    [10000, -1],
    [10000, 1.5],
  ])('rejects (%s, %s)', (m, p) => {
    expect(() => instalmentCostCap(m, p)).toThrow(RangeError);
  });
});

describe('instalmentClaimCosts (DESIGN §5 rule 6: Wki small-instalment cap on top of the WIK scale, Besluit BIK art. 2)', () => {
  // monthly, overdue instalments, overdue amount, costs, rule, why (WIK by hand: 15% of the first €2,500 + 10% …, floor €40)
  it.each<[number, number, number, number, 'wik' | 'instalment_cap', string]>([
    [10000, 1, 10000, 4000, 'wik', 'first instalment: WIK floor €40 = cap €40'],
    [10000, 3, 30000, 4500, 'wik', '3 × €100: WIK 15% of €300 = €45 < cap €120'],
    [25000, 4, 100000, 14000, 'instalment_cap', '4 × €250: WIK €150 > cap €140 (six-month block)'],
    [25000, 6, 150000, 14000, 'instalment_cap', '6 × €250: WIK €225 > cap €140'],
    [25000, 7, 175000, 18000, 'instalment_cap', '7 × €250: WIK €262.50 > cap €140 + €40 (second half-year)'],
    [25000, 12, 300000, 28000, 'instalment_cap', '12 × €250: WIK €425 > cap 2 × €140'],
    [26666, 6, 159996, 14000, 'instalment_cap', '€266.66 a month is below €266.67: WIK €239.99 > cap €140'],
    [26667, 6, 160002, 24000, 'wik', '€266.67 a month: no cap, WIK 15% of €1,600.02 = €240.003 → €240.00'],
    [25000, 6, 60000, 9000, 'wik', 'after payments €600 open = 3 unpaid instalments: WIK €90 < cap €120'],
    [25000, 6, 110000, 14000, 'instalment_cap', 'after payments €1,100 open = 5 unpaid instalments: WIK €165 > cap €140'],
    [25000, 6, 0, 0, 'wik', 'everything paid: no costs'],
  ])('monthly %i cents, %i overdue, %i open → costs %i (%s: %s)', (monthly, overdue, open, costs, rule) => {
    const r = instalmentClaimCosts({ monthlyAmountCents: monthly, overdueInstalments: overdue, overdueCents: open });
    expect(r).toMatchObject({ costs, rule, vat: 0, total: costs });
    expect(r.costs).toBeLessThanOrEqual(r.wikCents);
    if (r.capCents !== null) expect(r.costs).toBeLessThanOrEqual(r.capCents);
    expect(r.reason).toMatch(rule === 'instalment_cap' ? /cap applies/ : /WIK/);
  });

  it('VAT (rule 2) is added on the capped amount: €140 × 1.21 = €169.40', () => {
    expect(instalmentClaimCosts({ monthlyAmountCents: 25000, overdueInstalments: 6, overdueCents: 150000, vat: true })).toMatchObject({ costs: 14000, vat: 2940, total: 16940 });
  });

  it('the reason names the rule, the amounts and the unpaid instalments for the decision log', () => {
    const r = instalmentClaimCosts({ monthlyAmountCents: 25000, overdueInstalments: 6, overdueCents: 110000 });
    expect(r.unpaidInstalments).toBe(5);
    expect(r.reason).toBe(
      'instalment claim of €250.00 a month, 5 unpaid overdue instalment(s) (€1,100.00); WIK €165.00, Wki small-instalment cap €140.00 (€40 per instalment, at most €140 per six months): the cap applies → €140.00',
    );
  });

  it('costsDue applies the cap to an instalment claim once the 14-day term has ended', () => {
    const input = { principal: 150000, letterSentAt: new Date('2026-03-04T10:00:00Z'), instalment: { monthlyAmountCents: 25000, overdueInstalments: 6 } };
    expect(costsDue({ ...input, now: new Date('2026-03-15T10:00:00Z') })).toMatchObject({ status: 'term_running', costs: 0 });
    const due = costsDue({ ...input, now: new Date('2026-03-21T10:00:00Z') });
    expect(due).toMatchObject({ status: 'due', costs: 14000 });
    expect(due.reason).toContain('cap applies');
    // without the instalment mark the same claim gets the full WIK scale
    expect(costsDue({ ...input, instalment: undefined, now: new Date('2026-03-21T10:00:00Z') }).costs).toBe(22500);
  });

  it.each([
    [{ monthlyAmountCents: 0, overdueInstalments: 1, overdueCents: 100 }],
    [{ monthlyAmountCents: 10000, overdueInstalments: 0, overdueCents: 100 }],
    [{ monthlyAmountCents: 10000, overdueInstalments: -1, overdueCents: 0 }],
    [{ monthlyAmountCents: 10000, overdueInstalments: 1.5, overdueCents: 100 }],
    [{ monthlyAmountCents: -1, overdueInstalments: 1, overdueCents: 100 }],
    [{ monthlyAmountCents: 10000, overdueInstalments: 1, overdueCents: 0.5 }],
  ])('rejects %j', (input) => {
    expect(() => instalmentClaimCosts(input)).toThrow(RangeError);
  });
});

describe('presumedReceipt: second day after sending, not counting Sundays, Mondays, Atw holidays', () => {
  it.each<[string, string, string]>([
    ['2026-03-04T10:00:00Z', '2026-03-06', 'Wed → Thu, Fri'],
    ['2026-03-05T10:00:00Z', '2026-03-07', 'Thu → Fri, Sat (Saturdays count)'],
    ['2026-03-06T10:00:00Z', '2026-03-10', 'Fri → Sat, (Sun, Mon), Tue'],
    ['2026-03-07T10:00:00Z', '2026-03-11', 'Sat → (Sun, Mon), Tue, Wed'],
    ['2026-03-08T10:00:00Z', '2026-03-11', 'Sun → (Mon), Tue, Wed'],
    ['2026-03-09T10:00:00Z', '2026-03-11', 'Mon → Tue, Wed'],
    ['2026-03-10T10:00:00Z', '2026-03-12', 'Tue → Wed, Thu'],
    ['2026-03-04T22:59:00Z', '2026-03-06', 'Wed 23:59 in Amsterdam is still Wednesday'],
    ['2026-03-04T23:30:00Z', '2026-03-07', '00:30 Thursday in Amsterdam counts as Thursday'],
    // Easter
    ['2026-04-02T10:00:00Z', '2026-04-07', 'Thu before Easter → (Goede Vrijdag), Sat, (Pasen, Tweede Paasdag), Tue'],
    ['2026-04-03T10:00:00Z', '2026-04-07', 'sent on Goede Vrijdag → Sat, (Sun, Mon), Tue'],
    ['2025-04-17T10:00:00Z', '2025-04-22', 'Thu before Easter 2025'],
    ['2027-03-25T10:00:00Z', '2027-03-30', 'Thu before Easter 2027'],
    // Christmas
    ['2025-12-24T10:00:00Z', '2025-12-30', 'Christmas Eve 2025 (Wed) → (Kerst Thu+Fri), Sat, (Sun, Mon), Tue'],
    ['2026-12-24T10:00:00Z', '2026-12-30', 'Christmas Eve 2026 (Thu) → (Fri, Sat Kerst, Sun, Mon), Tue, Wed'],
    ['2026-12-22T10:00:00Z', '2026-12-24', 'Tue before Christmas → Wed, Thu'],
    ['2026-12-23T10:00:00Z', '2026-12-29', 'Wed → Thu, (Fri, Sat Kerst, Sun, Mon), Tue'],
    // New Year with the declared 2 January 2026
    ['2025-12-31T10:00:00Z', '2026-01-06', 'Oudejaarsdag → (Nieuwjaar, 2 Jan declared), Sat, (Sun, Mon), Tue'],
    // Koningsdag
    ['2025-04-24T10:00:00Z', '2025-04-29', 'Thu before Koningsdag on Sat 26 Apr 2025 → Fri, (Sat, Sun, Mon), Tue'],
    ['2026-04-24T10:00:00Z', '2026-04-28', 'Fri before Koningsdag on Mon 27 Apr 2026'],
    ['2026-04-25T10:00:00Z', '2026-04-29', 'Sat before Koningsdag 2026 → (Sun, Mon), Tue, Wed'],
    ['2027-04-26T10:00:00Z', '2027-04-29', 'Mon before Koningsdag on Tue 27 Apr 2027'],
    ['2028-04-26T10:00:00Z', '2028-05-02', 'Wed before Koningsdag Thu + declared Fri 2028 → Sat, (Sun, Mon), Tue'],
    // 5 May, Hemelvaart, Pinksteren
    ['2026-05-04T10:00:00Z', '2026-05-07', 'Mon before 5 May 2026 → (Tue), Wed, Thu'],
    ['2026-05-13T10:00:00Z', '2026-05-19', 'Wed before Hemelvaart + declared Friday 2026'],
    ['2027-05-05T10:00:00Z', '2027-05-11', 'on 5 May 2027 → (Hemelvaart, declared Fri), Sat, (Sun, Mon), Tue'],
    ['2026-05-22T10:00:00Z', '2026-05-26', 'Fri before Pinksteren → Sat, (Sun, Mon), Tue'],
  ])('sent %s → %s (%s)', (sent, receipt) => {
    expect(presumedReceipt(new Date(sent))).toBe(receipt);
  });

  it('a proven delivery date wins', () => {
    expect(presumedReceipt(new Date('2026-03-04T10:00:00Z'), '2026-03-05')).toBe('2026-03-05');
    expect(presumedReceipt(new Date('2026-03-06T10:00:00Z'), '2026-03-09')).toBe('2026-03-09'); // even a Monday
    expect(presumedReceipt(new Date('2026-03-04T10:00:00Z'), '2026-03-04')).toBe('2026-03-04');
  });

  it.each(['2026-03-03', '2026-3-5', 'morgen'])('rejects proven delivery %j', (d) => {
    expect(() => presumedReceipt(new Date('2026-03-04T10:00:00Z'), d)).toThrow(RangeError);
  });
});

describe('the 14-day term (art. 6:96 lid 6 BW; DESIGN §5 rules 3, 4, 12): 14 days from the day after receipt, extended per Algemene termijnenwet art. 1', () => {
  it.each([
    ['2026-03-06', '2026-03-20', '2026-03-21', 'ends Friday: unchanged'],
    ['2026-03-10', '2026-03-24', '2026-03-25', 'ends Tuesday: unchanged'],
    ['2025-12-30', '2026-01-13', '2026-01-14', 'ends Tuesday: unchanged'],
    ['2026-02-20', '2026-03-06', '2026-03-07', 'February 2026 has 28 days; ends Friday'],
    ['2028-02-20', '2028-03-06', '2028-03-07', '2028 is a leap year: day 14 is Sunday 5 March → Monday 6 March'],
    ['2026-03-14', '2026-03-30', '2026-03-31', 'day 14 is Saturday 28 March (DST weekend) → Monday 30 March'],
    ['2026-12-30', '2027-01-13', '2027-01-14', 'ends Wednesday: unchanged'],
    ['2026-03-07', '2026-03-23', '2026-03-24', 'day 14 is Saturday 21 March → Monday 23 March'],
    ['2026-04-21', '2026-05-06', '2026-05-07', 'day 14 is 5 May (Bevrijdingsdag, Atw art. 3 lid 1) → 6 May'],
    ['2026-04-20', '2026-05-04', '2026-05-05', 'ends Monday 4 May, a working day: unchanged (costs may be added on 5 May)'],
    ['2026-04-30', '2026-05-18', '2026-05-19', 'day 14 is Hemelvaartsdag 14 May → (declared Fri 15, weekend) Monday 18 May'],
  ])('Atw art. 1: receipt %s → term ends %s, costs from %s (%s)', (receipt, end, from) => {
    expect(fourteenDayTermEnd(receipt)).toBe(end);
    expect(costsAllowedFrom(receipt)).toBe(from);
  });

  it('Atw art. 1: a letter sent Thursday 7 January 2027 is presumed received Saturday 9 January (DESIGN §5 rule 4); 14 days end Saturday 23 January → Monday 25 January; costs from Tuesday 26 January', () => {
    const receipt = presumedReceipt(new Date('2027-01-07T10:00:00Z'));
    expect(receipt).toBe('2027-01-09');
    expect(fourteenDayTermEnd(receipt)).toBe('2027-01-25');
    expect(costsAllowedFrom(receipt)).toBe('2027-01-26');
    const base = { principal: 100000, letterSentAt: new Date('2027-01-07T10:00:00Z') };
    // Monday 25 January 08:00 Amsterdam: what the issue measured — still inside the term
    expect(costsDue({ ...base, now: new Date('2027-01-25T07:00:00Z') })).toMatchObject({ status: 'term_running', costs: 0, termEnd: '2027-01-25', costsFrom: '2027-01-26' });
    expect(costsDue({ ...base, now: new Date('2027-01-25T22:59:59Z') }).status).toBe('term_running');
    expect(costsDue({ ...base, now: new Date('2027-01-25T23:00:00Z') })).toMatchObject({ status: 'due', costs: 15000 });
    // a payment on Monday 25 January is inside the (extended) term: costs on the rest only
    const paidMonday = costsDue({ ...base, now: new Date('2027-02-01T10:00:00Z'), payments: [{ amount: 100000, at: '2027-01-25T16:00:00Z' }] });
    expect(paidMonday).toMatchObject({ status: 'paid_within_term', costs: 0 });
  });

  it.each<[string, string, string, string, string]>([
    // sent, receipt, term end, costs from, why
    ['2026-04-09T10:00:00Z', '2026-04-11', '2026-04-28', '2026-04-29', 'day 14 Saturday 25 April 2026, then Sunday and Koningsdag Monday 27 April (Atw art. 3 lid 1) → Tuesday 28'],
    ['2027-04-09T10:00:00Z', '2027-04-13', '2027-04-28', '2027-04-29', 'day 14 is Koningsdag Tuesday 27 April 2027 → Wednesday 28'],
    ['2027-03-09T10:00:00Z', '2027-03-11', '2027-03-25', '2027-03-26', 'ends Thursday 25 March 2027, the day before Goede Vrijdag: unchanged'],
    ['2027-03-10T10:00:00Z', '2027-03-12', '2027-03-30', '2027-03-31', 'day 14 is Goede Vrijdag 26 March 2027 (Atw art. 3 lid 2), then the weekend with Eerste Paasdag and Tweede Paasdag → Tuesday 30 March'],
    ['2026-03-20T10:00:00Z', '2026-03-24', '2026-04-07', '2026-04-08', 'day 14 is Tuesday 7 April 2026, the day after Tweede Paasdag: unchanged'],
    ['2027-04-21T10:00:00Z', '2027-04-23', '2027-05-10', '2027-05-11', 'day 14 is Friday 7 May 2027, declared equal to a holiday (Atw art. 3 lid 3) → Monday 10 May'],
    ['2025-12-17T10:00:00Z', '2025-12-19', '2026-01-05', '2026-01-06', 'day 14 is Friday 2 January 2026, declared equal to a holiday (Atw art. 3 lid 3) → Monday 5 January'],
    ['2027-04-20T10:00:00Z', '2027-04-22', '2027-05-10', '2027-05-11', 'day 14 is Hemelvaartsdag Thursday 6 May 2027, then the declared Friday and the weekend → Monday 10 May'],
    ['2027-04-19T10:00:00Z', '2027-04-21', '2027-05-10', '2027-05-11', 'day 14 is 5 May 2027 (Wednesday), then Hemelvaart, the declared Friday and the weekend: five days on → Monday 10 May'],
  ])('Atw art. 1 and 3: letter sent %s → receipt %s, term ends %s, costs from %s (%s)', (sent, receipt, end, from) => {
    const letterSentAt = new Date(sent);
    expect(presumedReceipt(letterSentAt)).toBe(receipt);
    expect(fourteenDayTermEnd(receipt)).toBe(end);
    expect(costsAllowedFrom(receipt)).toBe(from);
    const lastSecondOfTerm = new Date(localInstant(from, 0).getTime() - 1000); // 23:59:59 Amsterdam on the term's last day
    expect(costsDue({ principal: 100000, letterSentAt, now: lastSecondOfTerm })).toMatchObject({ status: 'term_running', termEnd: end, costsFrom: from });
    const first = costsDue({ principal: 100000, letterSentAt, now: new Date(`${from}T12:00:00Z`) });
    expect(first).toMatchObject({ status: 'due', costs: 15000, termEnd: end, costsFrom: from });
  });

  it('for every receipt day of 2026–2028: the term ends on day 14 if that is a working day, else on the first working day after it (Atw art. 1)', () => {
    for (let d = '2026-01-01'; d <= '2028-12-31'; d = addDays(d, 1)) {
      const day14 = addDays(d, 14);
      const end = fourteenDayTermEnd(d);
      expect(isWorkingDay(end), end).toBe(true);
      for (let x = day14; x < end; x = addDays(x, 1)) expect(isWorkingDay(x), `${d}: ${x}`).toBe(false);
      // the longest run: Wednesday 5 May 2027 (Bevrijdingsdag), Hemelvaart, the declared Friday, the weekend → Monday 10 May
      expect(daysBetween(day14, end)).toBeLessThanOrEqual(5);
      expect(costsAllowedFrom(d)).toBe(addDays(end, 1));
    }
  });
});

describe('costsFromHonouringStatedTerms (DESIGN §5 rule 12: costs wait for the latest term a message stated)', () => {
  it('no later term stated: the legal day after the term', () => {
    expect(costsFromHonouringStatedTerms('2027-01-26', [])).toMatchObject({ costsFrom: '2027-01-26' });
    expect(costsFromHonouringStatedTerms('2027-01-26', ['2027-01-25', '2027-01-20'])).toMatchObject({ costsFrom: '2027-01-26' });
  });

  it('a follow-up that stated "uiterlijk op 4 april" moves the costs to 5 April', () => {
    const r = costsFromHonouringStatedTerms('2026-04-01', ['2026-03-31', '2026-04-04']);
    expect(r.costsFrom).toBe('2026-04-05');
    expect(r.reason).toContain('2026-04-04');
  });

  it('costsDue honours it: no costs before the latest stated term, and payments until then count as inside the term', () => {
    const letterSentAt = new Date('2026-03-04T10:00:00Z'); // term ends Fri 20 March, costs from 21 March
    const now = new Date('2026-03-22T10:00:00Z');
    expect(costsDue({ principal: 100000, letterSentAt, now }).status).toBe('due');
    const r = costsDue({ principal: 100000, letterSentAt, now, statedTermEnds: ['2026-03-23'] });
    expect(r).toMatchObject({ status: 'term_running', termEnd: '2026-03-20', costsFrom: '2026-03-24' });
    const paid = costsDue({ principal: 100000, letterSentAt, now: new Date('2026-03-25T10:00:00Z'), statedTermEnds: ['2026-03-23'], payments: [{ amount: 40000, at: '2026-03-23T10:00:00Z' }] });
    expect(paid).toMatchObject({ status: 'due', costs: 9000, principalAtTermEnd: 60000 });
  });

  it.each([['2026-3-1'], ['morgen']])('rejects a stated date %j', (d) => {
    expect(() => costsFromHonouringStatedTerms('2026-04-01', [d])).toThrow(RangeError);
  });
});

describe('costsDue', () => {
  // €1,000 claim; letter sent Wed 4 March 2026 → receipt Fri 6 March → term ends Fri 20 March → costs from
  // Sat 21 March 00:00 Amsterdam = 2026-03-20T23:00Z.
  const base = { principal: 100000, letterSentAt: new Date('2026-03-04T10:00:00Z') };
  const AFTER = new Date('2026-03-20T23:00:00Z');

  it.each<[string, Partial<Parameters<typeof costsDue>[0]>, number, number, string, number]>([
    ['during the term', { now: new Date('2026-03-10T10:00:00Z') }, 0, 0, 'term_running', 100000],
    ['last second of the term', { now: new Date('2026-03-20T22:59:59Z') }, 0, 0, 'term_running', 100000],
    ['first moment after the term', { now: AFTER }, 15000, 15000, 'due', 100000],
    ['with VAT', { now: AFTER, vat: true }, 15000, 18150, 'due', 100000],
    ['partial payment in the term', { now: AFTER, payments: [{ amount: 40000, at: '2026-03-15T10:00:00Z' }] }, 9000, 9000, 'due', 60000],
    ['payment at 23:30 on the last day (Amsterdam)', { now: AFTER, payments: [{ amount: 40000, at: new Date('2026-03-20T22:30:00Z') }] }, 9000, 9000, 'due', 60000],
    ['payment at 00:30 after the term (Amsterdam)', { now: AFTER, payments: [{ amount: 40000, at: new Date('2026-03-20T23:30:00Z') }] }, 15000, 15000, 'due', 100000],
    ['payment long after the term does not lower costs', { now: new Date('2026-05-01T10:00:00Z'), payments: [{ amount: 90000, at: '2026-04-20T10:00:00Z' }] }, 15000, 15000, 'due', 100000],
    ['full payment in the term', { now: AFTER, payments: [{ amount: 100000, at: '2026-03-10T10:00:00Z' }] }, 0, 0, 'paid_within_term', 0],
    ['two payments adding up to the principal', { now: AFTER, payments: [{ amount: 60000, at: '2026-03-07T10:00:00Z' }, { amount: 40000, at: '2026-03-19T10:00:00Z' }] }, 0, 0, 'paid_within_term', 0],
    ['overpayment', { now: AFTER, payments: [{ amount: 120000, at: '2026-03-10T10:00:00Z' }] }, 0, 0, 'paid_within_term', 0],
    ['small remainder → €40 floor', { now: AFTER, vat: true, payments: [{ amount: 98000, at: '2026-03-10T10:00:00Z' }] }, 4000, 4840, 'due', 2000],
    ['payment before the letter counts', { now: AFTER, payments: [{ amount: 50000, at: '2026-03-01T10:00:00Z' }] }, 7500, 7500, 'due', 50000],
    ['several claims: costs on the sum', { principal: [60000, 40000], now: AFTER }, 15000, 15000, 'due', 100000],
    ['several small claims', { principal: [10000, 10000, 10000], now: AFTER }, 4500, 4500, 'due', 30000],
  ])('%s', (_label, over, costs, total, status, open) => {
    const r = costsDue({ ...base, now: AFTER, ...over } as Parameters<typeof costsDue>[0]);
    expect(r).toMatchObject({ costs, total, status, principalAtTermEnd: open, receiptDate: '2026-03-06', termEnd: '2026-03-20', costsFrom: '2026-03-21' });
    expect(r.reason).toBeTruthy();
  });

  it('uses a proven delivery date (delivered Thursday 5 March → costs from Friday 20 March)', () => {
    const now = new Date('2026-03-19T23:00:00Z'); // 20 March 00:00 Amsterdam
    expect(costsDue({ ...base, now }).status).toBe('term_running');
    expect(costsDue({ ...base, now, provenDelivery: '2026-03-05' })).toMatchObject({
      status: 'due',
      costs: 15000,
      receiptDate: '2026-03-05',
      termEnd: '2026-03-19',
      costsFrom: '2026-03-20',
    });
  });

  it('letter on Christmas Eve 2026: receipt 30 Dec, costs from 14 Jan 2027', () => {
    const letterSentAt = new Date('2026-12-24T09:00:00Z');
    expect(costsDue({ principal: 300000, letterSentAt, now: new Date('2027-01-13T22:59:59Z') })).toMatchObject({ status: 'term_running', costs: 0, termEnd: '2027-01-13' });
    expect(costsDue({ principal: 300000, letterSentAt, now: new Date('2027-01-13T23:00:00Z') })).toMatchObject({ status: 'due', costs: 42500, receiptDate: '2026-12-30' });
  });

  it('Atw art. 1: a term whose day 14 is Saturday 21 March runs to Monday 23 March; costs from Tuesday 24 March', () => {
    const letterSentAt = new Date('2026-03-05T10:00:00Z'); // receipt Sat 7 March
    expect(costsDue({ principal: 100000, letterSentAt, now: new Date('2026-03-22T23:30:00Z') })).toMatchObject({ status: 'term_running', termEnd: '2026-03-23' });
    expect(costsDue({ principal: 100000, letterSentAt, now: new Date('2026-03-23T22:59:59Z') }).status).toBe('term_running');
    expect(costsDue({ principal: 100000, letterSentAt, now: new Date('2026-03-23T23:00:00Z') })).toMatchObject({ status: 'due', costsFrom: '2026-03-24' });
  });

  it.each([
    { principal: -1 },
    { principal: 10.5 },
    { payments: [{ amount: -5, at: '2026-03-10T10:00:00Z' }] },
    { payments: [{ amount: 5, at: 'gisteren' }] },
  ])('rejects bad input %j', (over) => {
    expect(() => costsDue({ ...base, now: AFTER, ...over } as Parameters<typeof costsDue>[0])).toThrow(RangeError);
  });
});

describe('isValidFourteenDayWording', () => {
  it.each([
    'Betaal binnen 14 dagen vanaf de dag nadat deze brief bij u is bezorgd.',
    'U moet binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd betalen.',
    'BINNEN 14 DAGEN VANAF DE DAG NADAT DEZE BRIEF BIJ U IS BEZORGD',
    'binnen 14 dagen\n  vanaf de dag nadat deze brief bij u is bezorgd',
    'binnen 14 dagen vanaf de dag nadat deze aanmaning bij u is bezorgd',
    'Betaal binnen 15 dagen nadat deze brief bij u is bezorgd.',
    'Betaal binnen vijftien dagen na bezorging van deze brief.',
    'binnen 21 dagen vanaf de dag nadat deze brief bij u is bezorgd',
    'binnen 15 dagen vanaf de dag waarop deze brief bij u is bezorgd',
  ])('accepts %j', (text) => {
    expect(isValidFourteenDayWording(text)).toBe(true);
  });

  it.each([
    ['binnen 14 dagen na dagtekening van deze brief', 'dagtekening'],
    ['Betaal binnen veertien dagen na dagtekening.', 'dagtekening'],
    ['binnen 14 dagen vanaf dagtekening', 'dagtekening'],
    ['binnen 14 dagen na heden', 'heden'],
    ['binnen 14 dagen na verzending van deze brief', 'verzending'],
    ['binnen 14 dagen na de datum van deze brief', 'date of the letter'],
    ['binnen 14 dagen vanaf vandaag', 'today'],
    ['Betaal binnen 14 dagen vanaf de dag nadat deze brief bij u is bezorgd, dus uiterlijk 14 dagen na dagtekening.', 'dagtekening'],
    ['binnen 14 dagen nadat deze brief bij u is bezorgd', '15 days'],
    ['binnen 10 dagen vanaf de dag nadat deze brief bij u is bezorgd', 'shorter'],
    ['binnen 14 dagen vanaf de dag waarop deze brief bij u is bezorgd', 'shorter'],
    ['binnen 14 dagen na ontvangst van deze brief', 'no payment term counted from delivery'],
    ['binnen 14 dagen', 'no payment term counted from delivery'],
    ['Betaal direct.', 'no payment term counted from delivery'],
    ['', 'no text'],
  ])('rejects %j (%s)', (text, why) => {
    expect(isValidFourteenDayWording(text)).toBe(false);
    expect(checkFourteenDayWording(text).reason).toContain(why);
  });
});
