/**
 * Statutory interest (art. 6:119 / 6:119a BW) and payment allocation (art. 6:44 BW). Every expected amount is worked
 * out by hand in the comments, with the rates of INTEREST_RATES: day count actual/actual (÷365, ÷366 in a leap
 * year), interest from the start day up to the day of payment, booked to cents (half up) at each anniversary,
 * payment and the reporting day.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../functions/domain/calendar.js';
import {
  INTEREST_RATES,
  SOURCES,
  anniversaries,
  claimLedger,
  describeAllocation,
  interestPlan,
  interestRatesCoverage,
  rateOn,
  ratesCoveredThrough,
} from '../../functions/domain/interest.js';

describe('wettelijke rente (art. 6:119 BW), compounded yearly (lid 2), paid off per art. 6:44 BW', () => {
  // €1,000 consumer claim due 1 January 2025, paid in full on 1 July 2026.
  //   Year 1, base €1,000.00:
  //     1 Jan 2025 – 1 Jul 2025: 181 days × 6% × €1,000 / 365 = €29.7534…
  //     1 Jul 2025 – 1 Jan 2026: 184 days × 6% × €1,000 / 365 = €30.2466…   (the 1 July 2025 rate is "to verify")
  //     together 365/365 × 6% × €1,000 = €60.00, added to the base on 1 January 2026 (the first anniversary)
  //   Year 2, base €1,060.00:
  //     1 Jan 2026 – 1 Jul 2026: 181 days × 4% × €1,060 / 365 = €7,674.40 / 365 = €21.0257… → €21.03
  //   Interest €60.00 + €21.03 = €81.03. With €150.00 WIK costs (due since March 2025) the claim is settled by
  //   €1,000.00 + €150.00 + €81.03 = €1,231.03, allocated €150.00 costs, €81.03 interest, €1,000.00 principal.
  const claim = { kind: 'statutory', principal: 100000, from: '2025-01-01', asOf: '2026-07-01', costs: { amount: 15000, from: '2025-03-01' } } as const;

  it('a consumer claim of €1,000 due 1 January 2025, paid in full on 1 July 2026, matches the hand computation', () => {
    const before = claimLedger(claim);
    expect(before.segments.map((s) => [s.from, s.to, s.days, s.baseCents, s.rateBp, s.yearDays])).toEqual([
      ['2025-01-01', '2025-07-01', 181, 100000, 600, 365],
      ['2025-07-01', '2026-01-01', 184, 100000, 600, 365],
      ['2026-01-01', '2026-07-01', 181, 106000, 400, 365],
    ]);
    expect(before.capitalisations).toEqual([{ date: '2026-01-01', amount: 6000 }]);
    expect(before.outstanding).toEqual({ principal: 100000, costs: 15000, interest: 8103, total: 123103 });

    const paid = claimLedger({ ...claim, payments: [{ amount: 123103, at: '2026-07-01' }] });
    expect(paid.allocations).toHaveLength(1);
    expect(paid.allocations[0]).toMatchObject({ date: '2026-07-01', amount: 123103, toCosts: 15000, toInterest: 8103, toPrincipal: 100000, surplus: 0 });
    expect(paid.allocations[0].reason).toBe(
      'payment of €1,231.03 on 2026-07-01: €150.00 to costs, €81.03 to interest, €1,000.00 to principal (art. 6:44 BW: costs, then interest, then principal)',
    );
    expect(paid.outstanding).toEqual({ principal: 0, costs: 0, interest: 0, total: 0 });
    expect(paid.interestCharged).toBe(8103);
    // the rates of 1 July 2025 and 1 January 2026 are not confirmed by a publication: the ledger says so
    expect(paid.warnings).toEqual([
      'wettelijke rente (art. 6:119 BW) 6.00% from 2025-07-01 is marked "to verify" in INTEREST_RATES (functions/domain/interest.ts)',
      'wettelijke rente (art. 6:119 BW) 4.00% from 2026-01-01 is marked "to verify" in INTEREST_RATES (functions/domain/interest.ts)',
    ]);
  });

  it('art. 6:44 BW with partial payments: costs, then interest, then principal; interest then runs on the rest only', () => {
    // €300 on 1 July 2025: interest so far 181 × 6% × €1,000 / 365 = €29.7534… → €29.75
    //   → €150.00 costs, €29.75 interest, €120.25 principal; principal €879.75
    // 1 Jul 2025 – 1 Jan 2026: 184 × 6% × €879.75 / 365 = €9,712.44 / 365 = €26.6094… → €26.61, capitalised 1 Jan 2026
    // 1 Jan 2026 – 1 Jul 2026: base €879.75 + €26.61 = €906.36; 181 × 4% × €906.36 / 365 = €6,562.0464 / 365 = €17.9782… → €17.98
    // outstanding 1 July 2026: principal €879.75, interest €26.61 + €17.98 = €44.59, total €924.34
    const r = claimLedger({ ...claim, payments: [{ amount: 30000, at: '2025-07-01' }] });
    expect(r.allocations.map((a) => [a.toCosts, a.toInterest, a.toPrincipal, a.surplus])).toEqual([[15000, 2975, 12025, 0]]);
    expect(r.capitalisations).toEqual([{ date: '2026-01-01', amount: 2661 }]);
    expect(r.segments.map((s) => s.baseCents)).toEqual([100000, 87975, 90636]);
    expect(r.outstanding).toEqual({ principal: 87975, costs: 0, interest: 4459, total: 92434 });
  });

  it('art. 6:44 BW: a payment that only covers part of the interest pays the capitalised (oldest) interest first, which lowers the base', () => {
    // as above, plus €20 on 1 March 2026:
    // 1 Jan – 1 Mar 2026: 59 × 4% × €906.36 / 365 = €2,139.0096 / 365 = €5.8603… → €5.86 booked (current interest)
    // €20 → capitalised €26.61 − €20 = €6.61 left; current €5.86 untouched; base €879.75 + €6.61 = €886.36
    // 1 Mar – 1 Jul 2026: 122 × 4% × €886.36 / 365 = €4,325.4368 / 365 = €11.8505… → €11.85
    // outstanding interest €6.61 + €5.86 + €11.85 = €24.32; total €879.75 + €24.32 = €904.07
    const r = claimLedger({ ...claim, payments: [{ amount: 30000, at: '2025-07-01' }, { amount: 2000, at: '2026-03-01' }] });
    expect(r.allocations[1]).toMatchObject({ toCosts: 0, toInterest: 2000, toPrincipal: 0 });
    expect(r.segments.slice(2).map((s) => [s.from, s.to, s.baseCents])).toEqual([
      ['2026-01-01', '2026-03-01', 90636],
      ['2026-03-01', '2026-07-01', 88636],
    ]);
    expect(r.outstanding).toEqual({ principal: 87975, costs: 0, interest: 2432, total: 90407 });
  });

  it('art. 6:119 lid 2 BW: the year\'s interest is added to the base on the anniversary of the start, not on 1 January', () => {
    // €1,000 from 1 July 2023.
    // Year 1: 1 Jul 2023 – 1 Jan 2024: 184 × 6% × €1,000 / 365 = €30.2466…
    //         1 Jan 2024 – 1 Jul 2024: 182 × 7% × €1,000 / 366 (2024 is a leap year) = €34.8087…
    //         = €65.0553… → €65.06, capitalised on 1 July 2024
    // Year 2: 1 Jul 2024 – 1 Jan 2025: 184 × 7% × €1,065.06 / 366 = €13,717.9728 / 366 = €37.4808…
    //         1 Jan 2025 – 1 Jul 2025: 181 × 6% × €1,065.06 / 365 = €11,566.5516 / 365 = €31.6892…
    //         = €69.1700… → €69.17, capitalised on 1 July 2025
    const base = { kind: 'statutory', principal: 100000, from: '2023-07-01' } as const;
    const y1 = claimLedger({ ...base, asOf: '2025-01-01' });
    expect(y1.capitalisations).toEqual([{ date: '2024-07-01', amount: 6506 }]);
    expect(y1.outstanding.interest).toBe(6506 + 3748); // €37.4808… → €37.48; simple interest would give €35.19
    const y2 = claimLedger({ ...base, asOf: '2025-07-01' });
    expect(y2.capitalisations).toEqual([
      { date: '2024-07-01', amount: 6506 },
      { date: '2025-07-01', amount: 6917 },
    ]);
    expect(y2.outstanding).toMatchObject({ principal: 100000, interest: 13423, total: 113423 });
    expect(y2.warnings).toEqual([]); // every rate used here is confirmed by a publication
  });

  it('a start on 29 February has its anniversary on 1 March in a common year', () => {
    expect(anniversaries('2028-02-29', '2033-01-01')).toEqual(['2029-03-01', '2030-03-01', '2031-03-01', '2032-02-29']);
    expect(anniversaries('2025-01-01', '2026-01-01')).toEqual(['2026-01-01']);
    expect(anniversaries('2025-01-01', '2025-12-31')).toEqual([]);
  });
});

describe('handelsrente (art. 6:119a BW): the half-yearly rate changes inside the period', () => {
  it('€10,000 commercial claim from 1 May 2024 to 1 February 2025: three rates, a leap year', () => {
    // 1 May – 1 Jul 2024:  61 days × 12.50% × €10,000 / 366 = €208.3333…
    // 1 Jul 2024 – 1 Jan 2025: 184 days × 12.25% × €10,000 / 366 = €615.8470…
    // 1 Jan – 1 Feb 2025: 31 days × 11.15% × €10,000 / 365 = €94.6986…
    // = €918.8789… → €918.88 (no anniversary yet)
    const r = claimLedger({ kind: 'commercial', principal: 1000000, from: '2024-05-01', asOf: '2025-02-01' });
    expect(r.segments.map((s) => [s.from, s.to, s.days, s.rateBp, s.yearDays])).toEqual([
      ['2024-05-01', '2024-07-01', 61, 1250, 366],
      ['2024-07-01', '2025-01-01', 184, 1225, 366],
      ['2025-01-01', '2025-02-01', 31, 1115, 365],
    ]);
    expect(r.outstanding).toEqual({ principal: 1000000, costs: 0, interest: 91888, total: 1091888 });
    expect(r.capitalisations).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('the same period under art. 6:119 BW is far lower (7% / 7% / 6%)', () => {
    // 61 × 7% × €10,000 / 366 = €116.6667; 184 × 7% × €10,000 / 366 = €351.9126; 31 × 6% × €10,000 / 365 = €50.9589
    // = €519.5382… → €519.54
    expect(claimLedger({ kind: 'statutory', principal: 1000000, from: '2024-05-01', asOf: '2025-02-01' }).outstanding.interest).toBe(51954);
  });
});

describe('edge cases', () => {
  const base = { kind: 'statutory', principal: 100000, from: '2025-03-01' } as const;

  it('paying on the due date bears no interest; one day later bears one day (€1,000 × 6% / 365 = €0.1644 → €0.16)', () => {
    const onTime = claimLedger({ ...base, asOf: '2025-12-31', payments: [{ amount: 100000, at: '2025-03-01' }] });
    expect(onTime.allocations[0]).toMatchObject({ toInterest: 0, toPrincipal: 100000 });
    expect(onTime.outstanding.total).toBe(0);
    const dayLate = claimLedger({ ...base, asOf: '2025-12-31', payments: [{ amount: 100016, at: '2025-03-02' }] });
    expect(dayLate.allocations[0]).toMatchObject({ toInterest: 16, toPrincipal: 100000, surplus: 0 });
    expect(dayLate.outstanding.total).toBe(0);
  });

  it('a payment time is read as its Europe/Amsterdam day (00:30 on 2 March = one day of interest)', () => {
    const r = claimLedger({ ...base, asOf: '2025-12-31', payments: [{ amount: 100016, at: new Date('2025-03-01T23:30:00Z') }] });
    expect(r.allocations[0]).toMatchObject({ date: '2025-03-02', toInterest: 16 });
  });

  it('no principal, no interest; before the start, no interest', () => {
    expect(claimLedger({ ...base, principal: 0, asOf: '2026-06-01' }).outstanding).toEqual({ principal: 0, costs: 0, interest: 0, total: 0 });
    expect(claimLedger({ ...base, asOf: '2025-02-01' }).outstanding).toEqual({ principal: 100000, costs: 0, interest: 0, total: 100000 });
    expect(claimLedger({ ...base, asOf: '2025-03-01' }).outstanding.interest).toBe(0);
  });

  it('a payment before interest starts lowers the principal the interest runs on', () => {
    // €400 paid 1 February, interest from 1 March on €600: 1 Mar – 1 Jul 2025 = 122 × 6% × €600 / 365 = €12.0329 → €12.03
    const r = claimLedger({ ...base, asOf: '2025-07-01', payments: [{ amount: 40000, at: '2025-02-01' }] });
    expect(r.allocations[0]).toMatchObject({ toInterest: 0, toPrincipal: 40000 });
    expect(r.outstanding).toEqual({ principal: 60000, costs: 0, interest: 1203, total: 61203 });
  });

  it('costs not yet due are skipped by a payment and reported as pending (e.g. inside the 14-day term)', () => {
    // €100 on 10 March: 9 days × 6% × €1,000 / 365 = €1.4795 → €1.48 interest, €98.52 principal; costs from 1 April
    const costs = { amount: 15000, from: '2025-04-01' };
    const r = claimLedger({ ...base, costs, asOf: '2025-03-20', payments: [{ amount: 10000, at: '2025-03-10' }] });
    expect(r.allocations[0]).toMatchObject({ toCosts: 0, toInterest: 148, toPrincipal: 9852 });
    expect(r.costsPending).toBe(15000);
    expect(r.outstanding.costs).toBe(0);
    const later = claimLedger({ ...base, costs, asOf: '2025-04-01', payments: [{ amount: 10000, at: '2025-03-10' }] });
    expect(later).toMatchObject({ costsPending: 0, outstanding: { costs: 15000 } });
  });

  it('more than is owed: the rest is a surplus to refund, and later payments are all surplus', () => {
    const r = claimLedger({ ...base, asOf: '2025-12-31', payments: [{ amount: 150000, at: '2025-03-01' }, { amount: 500, at: '2025-04-01' }] });
    expect(r.allocations.map((a) => [a.toPrincipal, a.surplus])).toEqual([
      [100000, 50000],
      [0, 500],
    ]);
    expect(r.surplus).toBe(50500);
    expect(r.allocations[0].reason).toContain('€500.00 more than was owed (to refund)');
    expect(r.outstanding.total).toBe(0);
  });

  it('payments after the reporting day are not counted yet; payments on one day are taken in the order given', () => {
    const r = claimLedger({ ...base, asOf: '2025-03-01', payments: [{ amount: 100, at: '2025-03-01' }, { amount: 200, at: '2025-03-01' }, { amount: 5000, at: '2025-03-02' }] });
    expect(r.allocations.map((a) => a.amount)).toEqual([100, 200]);
  });

  it('debt help / WSNP (DESIGN §5 rule 10): no interest accrues from the stop day', () => {
    // 1 Mar – 1 May 2025: 61 × 6% × €1,000 / 365 = €10.0274 → €10.03, then nothing
    const r = claimLedger({ ...base, asOf: '2026-01-01', stopAccrualOn: '2025-05-01' });
    expect(r.outstanding.interest).toBe(1003);
    expect(r.segments.at(-1)!.to).toBe('2025-05-01');
  });

  it('after the end of the table the last rate is carried forward, with a warning naming where to add the new rate', () => {
    const end = ratesCoveredThrough();
    const r = claimLedger({ kind: 'commercial', principal: 100000, from: '2026-07-01', asOf: addDays(end, 40) });
    expect(r.warnings.some((w) => w.includes(`after ${end}`) && w.includes('carried forward') && w.includes('functions/domain/interest.ts'))).toBe(true);
  });

  it.each<[Record<string, unknown>]>([
    [{ principal: -1 }],
    [{ principal: 10.5 }],
    [{ from: '2025-3-1' }],
    [{ asOf: 'gisteren' }],
    [{ from: '2014-12-31' }], // before the rate table
    [{ kind: 'contractual' }],
    [{ costs: { amount: -5 } }],
    [{ payments: [{ amount: 5, at: 'morgen' }] }],
    [{ payments: [{ amount: -5, at: '2025-04-01' }] }],
  ])('rejects %j', (over) => {
    expect(() => claimLedger({ ...base, asOf: '2026-01-01', ...over } as Parameters<typeof claimLedger>[0])).toThrow(RangeError);
  });
});

describe('the rate table (art. 6:120 BW: set per half-year on 1 January and 1 July)', () => {
  it('has one row per half-year without gaps, whole basis points, and a source for every rate', () => {
    for (let i = 0; i < INTEREST_RATES.length; i++) {
      const r = INTEREST_RATES[i];
      expect(r.from).toMatch(/^\d{4}-(01|07)-01$/);
      if (i > 0) {
        const prev = INTEREST_RATES[i - 1].from;
        expect(r.from).toBe(prev.endsWith('-01-01') ? prev.replace('-01-01', '-07-01') : `${Number(prev.slice(0, 4)) + 1}-01-01`);
      }
      for (const bp of [r.statutoryBp, r.commercialBp]) expect(Number.isInteger(bp) && bp > 0).toBe(true);
      expect(r.commercialBp).toBeGreaterThan(r.statutoryBp);
      expect(r.sources.statutory.length).toBeGreaterThan(20);
      expect(r.sources.commercial.length).toBeGreaterThan(20);
      // a rate is marked "to verify" exactly when its source says so
      expect(r.verify?.statutory === true).toBe(r.sources.statutory === SOURCES.verify);
      expect(r.verify?.commercial === true).toBe(r.sources.commercial === SOURCES.verify);
    }
  });

  it('rateOn picks the row of the day and flags rows to verify', () => {
    expect(rateOn('statutory', '2024-06-30')).toMatchObject({ bp: 700, from: '2024-01-01', unverified: false });
    expect(rateOn('commercial', '2024-07-01')).toMatchObject({ bp: 1225, from: '2024-07-01', unverified: false });
    expect(rateOn('statutory', '2026-03-01')).toMatchObject({ from: '2026-01-01', unverified: true, carriedForward: false });
    expect(rateOn('statutory', addDays(ratesCoveredThrough(), 1))).toMatchObject({ unverified: true, carriedForward: true });
    expect(() => rateOn('statutory', '2014-12-31')).toThrow(RangeError);
  });

  it('interestRatesCoverage warns 31 days before the table runs out, and after, naming where to add the rates', () => {
    const end = ratesCoveredThrough(); // 2026-12-31 today
    const at = (d: string) => new Date(`${d}T12:00:00Z`);
    expect(interestRatesCoverage(at(addDays(end, -32)))).toMatchObject({ ok: true, daysLeft: 32 });
    const soon = interestRatesCoverage(at(addDays(end, -31)));
    expect(soon).toMatchObject({ ok: false, daysLeft: 31 });
    expect(soon.message).toContain(`runs out on ${end}`);
    expect(soon.message).toContain('INTEREST_RATES in functions/domain/interest.ts');
    const past = interestRatesCoverage(at(addDays(end, 3)));
    expect(past).toMatchObject({ ok: false, daysLeft: -3 });
    expect(past.message).toContain('carried forward');
  });
});

describe('interestPlan: which interest, from when (art. 6:119 / 6:119a BW), switchable per client', () => {
  it.each<[Parameters<typeof interestPlan>[0], ReturnType<typeof interestPlan>['claim'], string | undefined, string | undefined]>([
    [{ consumer: true, clientClaimsInterest: true, dueDate: '2025-01-01' }, true, 'statutory', '2025-01-01'],
    [{ consumer: false, clientClaimsInterest: true, dueDate: '2025-01-01' }, true, 'commercial', '2025-01-01'],
    [{ consumer: false, commercialTransaction: false, clientClaimsInterest: true, dueDate: '2025-01-01' }, true, 'statutory', '2025-01-01'],
    [{ consumer: true, clientClaimsInterest: true, dueDate: '2025-01-01', agreedFrom: '2025-02-15' }, true, 'statutory', '2025-02-15'],
    [{ consumer: true, clientClaimsInterest: false, dueDate: '2025-01-01' }, false, undefined, undefined],
  ])('%j → claim %s, %s from %s', (input, claim, kind, from) => {
    const p = interestPlan(input);
    expect(p.claim).toBe(claim);
    if (p.claim) expect(p).toMatchObject({ kind, from });
    expect(p.reason).toMatch(claim ? /art\. 6:119a? BW/ : /does not claim/);
  });

  it('rejects a bad date', () => {
    expect(() => interestPlan({ consumer: true, clientClaimsInterest: true, dueDate: '1-1-2025' })).toThrow(RangeError);
  });
});

describe('properties of the ledger (fast-check)', () => {
  const DAY0 = '2016-07-01';
  const claimArb = fc.record({
    kind: fc.constantFrom('statutory' as const, 'commercial' as const),
    principal: fc.integer({ min: 0, max: 5_000_000 }),
    fromOffset: fc.integer({ min: 0, max: 3400 }),
    costs: fc.integer({ min: 0, max: 100_000 }),
    costsOffset: fc.integer({ min: 0, max: 200 }),
    span: fc.integer({ min: 0, max: 1500 }),
    payments: fc.array(fc.record({ amount: fc.integer({ min: 0, max: 2_000_000 }), offset: fc.integer({ min: -30, max: 1600 }) }), { maxLength: 6 }),
  });
  type ClaimCase = typeof claimArb extends fc.Arbitrary<infer T> ? T : never;
  const build = (c: ClaimCase) => {
    const from = addDays(DAY0, c.fromOffset);
    return {
      kind: c.kind,
      principal: c.principal,
      from,
      asOf: addDays(from, c.span),
      costs: { amount: c.costs, from: addDays(from, c.costsOffset) },
      payments: c.payments.map((p) => ({ amount: p.amount, at: addDays(from, p.offset) })),
    };
  };

  it('every cent is accounted for: payments = costs + interest + principal + surplus; nothing is ever negative', () => {
    fc.assert(
      fc.property(claimArb, (c) => {
        const input = build(c);
        const r = claimLedger(input);
        for (const a of r.allocations) {
          expect(a.toCosts + a.toInterest + a.toPrincipal + a.surplus).toBe(a.amount);
          for (const v of [a.toCosts, a.toInterest, a.toPrincipal, a.surplus]) expect(v).toBeGreaterThanOrEqual(0);
        }
        const sum = (k: 'toCosts' | 'toInterest' | 'toPrincipal') => r.allocations.reduce((s, a) => s + a[k], 0);
        expect(sum('toPrincipal') + r.outstanding.principal).toBe(input.principal);
        expect(sum('toCosts') + r.outstanding.costs + r.costsPending).toBe(input.costs.amount);
        expect(sum('toInterest') + r.outstanding.interest).toBe(r.interestCharged);
        expect(r.outstanding.total).toBe(r.outstanding.principal + r.outstanding.costs + r.outstanding.interest);
      }),
      { numRuns: 300 },
    );
  });

  it('paying the outstanding total on the reporting day settles the claim exactly', () => {
    fc.assert(
      fc.property(claimArb, (c) => {
        const input = build(c);
        const r = claimLedger(input);
        const settled = claimLedger({ ...input, payments: [...input.payments, { amount: r.outstanding.total, at: input.asOf }] });
        expect(settled.outstanding.total).toBe(0);
        expect(settled.surplus).toBe(r.surplus);
      }),
      { numRuns: 300 },
    );
  });

  it('a payment goes to principal only when the costs due and the interest are paid (art. 6:44 BW)', () => {
    fc.assert(
      fc.property(claimArb, (c) => {
        const input = build(c);
        const r = claimLedger(input);
        r.allocations.forEach((a, i) => {
          if (a.toPrincipal === 0 && a.surplus === 0) return;
          // what was owed just before this payment: the same claim with only the earlier payments, reported that day
          const before = claimLedger({ ...input, asOf: a.date, payments: r.allocations.slice(0, i).map((x) => ({ amount: x.amount, at: x.date })) });
          expect(a.toCosts).toBe(before.outstanding.costs);
          expect(a.toInterest).toBe(before.outstanding.interest);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('without payments interest never decreases over time, and a calendar year at a constant rate is exactly that rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 400 }), (principal, off, more) => {
        const from = addDays(DAY0, off);
        const a = claimLedger({ kind: 'statutory', principal, from, asOf: addDays(from, 200) });
        const b = claimLedger({ kind: 'statutory', principal, from, asOf: addDays(from, 200 + more) });
        expect(b.outstanding.interest).toBeGreaterThanOrEqual(a.outstanding.interest);
      }),
      { numRuns: 200 },
    );
    // 2017…2021: 2% all year (rows from 2016-07-01 to 2022-07-01), 2020 a leap year
    for (const y of [2017, 2018, 2019, 2020, 2021]) {
      for (const principal of [1, 100000, 123457, 9_999_999]) {
        const r = claimLedger({ kind: 'statutory', principal, from: `${y}-01-01`, asOf: `${y + 1}-01-01` });
        expect(r.outstanding.interest).toBe(Math.floor((principal * 2 + 50) / 100)); // 2%, rounded half up
      }
    }
  });

  it('describeAllocation names the rule', () => {
    expect(describeAllocation({ date: '2026-01-02', amount: 100, toCosts: 100, toInterest: 0, toPrincipal: 0, surplus: 0 })).toContain('art. 6:44 BW');
  });
});
