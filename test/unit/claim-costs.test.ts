/**
 * Business debtors (DESIGN §5 rule 14; art. 6:96 lid 4, 5, 7 BW) and the consumer/business entry point. Every
 * amount is worked out by hand: WIK 15% of the first €2,500 (+10% of the next €2,500 …), floor €40; percentages
 * rounded half up to cents; VAT 21% rounded half up.
 */
import { describe, expect, it } from 'vitest';
import { type BusinessCostAgreement, businessCosts, claimCosts, parseBusinessCostAgreement } from '../../functions/domain/claim-costs.js';

describe('business debtors: the WIK scale unless the client agreed otherwise (art. 6:96 lid 5 and 7 BW, Besluit BIK art. 2)', () => {
  it.each<[number | number[], number, string]>([
    [100000, 15000, '€1,000 → 15% = €150'],
    [300000, 42500, '€3,000 → €375 + €50 = €425'],
    [10000, 4000, '€100 → 15% = €15 → the €40 floor of the Besluit'],
    [[60000, 40000], 15000, 'two claims of one creditor: on their sum €1,000'],
  ])('WIK scale (no agreement): %j cents → %i (%s)', (principal, costs) => {
    const r = businessCosts({ principal });
    expect(r).toMatchObject({ costs, vat: 0, total: costs, rule: 'wik' });
    expect(r.reason).toContain('WIK scale');
    expect(r.reason).toContain('no 14-day letter needed');
    expect(businessCosts({ principal, agreement: { type: 'wik' } }).costs).toBe(costs);
  });

  it.each<[BusinessCostAgreement, number, boolean, number, BusinessCostAgreement['type'] | string, string]>([
    [{ type: 'fixed', amountCents: 50000 }, 100000, true, 50000, 'agreed_fixed', 'agreed €500'],
    [{ type: 'fixed', amountCents: 2500 }, 100000, true, 4000, 'agreed_fixed', 'agreed €25 → €40 for a commercial transaction (lid 4)'],
    [{ type: 'fixed', amountCents: 2500 }, 100000, false, 2500, 'agreed_fixed', 'agreed €25, not a commercial transaction: €25'],
    [{ type: 'fixed', amountCents: 0 }, 100000, true, 4000, 'agreed_fixed', 'agreed €0 still gives the €40 of lid 4'],
    [{ type: 'percentage', percent: 10 }, 100000, true, 10000, 'agreed_percentage', '10% of €1,000 = €100'],
    [{ type: 'percentage', percent: 12.5 }, 33333, true, 4167, 'agreed_percentage', '12.5% of €333.33 = €41.66625 → €41.67'],
    [{ type: 'percentage', percent: 10 }, 20000, true, 4000, 'agreed_percentage', '10% of €200 = €20 → €40 (lid 4)'],
    [{ type: 'percentage', percent: 10 }, 20000, false, 2000, 'agreed_percentage', '10% of €200 = €20, not commercial'],
    [{ type: 'percentage', percent: 10, minimumCents: 7500 }, 20000, true, 7500, 'agreed_percentage', 'agreed minimum €75'],
    [{ type: 'percentage', percent: 20, maximumCents: 100000 }, 1000000, true, 100000, 'agreed_percentage', '20% of €10,000 = €2,000 → agreed maximum €1,000'],
    [{ type: 'percentage', percent: 0.01 }, 100, false, 0, 'agreed_percentage', '0.01% of €1 = 0.01 cent → 0'],
  ])('client agreement (lid 7) %j on %i cents, commercial %s → %i (%s; %s)', (agreement, principal, commercialTransaction, costs, rule) => {
    const r = businessCosts({ principal, agreement, commercialTransaction });
    expect(r).toMatchObject({ costs, rule, total: costs });
    expect(r.reason).toContain('client agreement, art. 6:96 lid 7 BW');
    if (commercialTransaction && costs === 4000) expect(r.reason).toContain('art. 6:96 lid 4 BW');
  });

  it('the client may charge business debtors nothing (client setting "none")', () => {
    expect(businessCosts({ principal: 100000, agreement: { type: 'none' } })).toMatchObject({ costs: 0, total: 0, rule: 'waived' });
  });

  it('VAT (rule 2) on top when the client cannot deduct it: €150 → €181.50; €40 minimum → €48.40', () => {
    expect(businessCosts({ principal: 100000, vat: true })).toMatchObject({ costs: 15000, vat: 3150, total: 18150 });
    expect(businessCosts({ principal: 100000, vat: true, agreement: { type: 'fixed', amountCents: 100 } })).toMatchObject({ costs: 4000, vat: 840, total: 4840 });
    expect(businessCosts({ principal: 100000, vat: true, agreement: { type: 'none' } })).toMatchObject({ costs: 0, vat: 0, total: 0 });
  });

  it('no 14-day letter: costs may be added from the day after the due date', () => {
    expect(businessCosts({ principal: 100000, dueDate: '2026-03-31' }).costsFrom).toBe('2026-04-01');
    expect(businessCosts({ principal: 100000 }).costsFrom).toBeUndefined();
    expect(() => businessCosts({ principal: 100000, dueDate: '31-03-2026' })).toThrow(RangeError);
  });

  it('a principal of 0 has no costs, not even the €40', () => {
    expect(businessCosts({ principal: 0 }).costs).toBe(0);
    expect(businessCosts({ principal: 0, agreement: { type: 'fixed', amountCents: 5000 } }).costs).toBe(0);
  });

  it.each([-1, 1.5, Number.NaN])('rejects principal %s', (p) => {
    expect(() => businessCosts({ principal: p })).toThrow(RangeError);
  });
});

describe('parseBusinessCostAgreement: the validated client setting', () => {
  it.each<[unknown]>([
    [{ type: 'wik' }],
    [{ type: 'none' }],
    [{ type: 'fixed', amountCents: 7500 }],
    [{ type: 'percentage', percent: 15 }],
    [{ type: 'percentage', percent: 12.25, minimumCents: 4000, maximumCents: 677500 }],
  ])('accepts %j', (value) => {
    expect(parseBusinessCostAgreement(value)).toEqual(value);
  });

  it.each<[unknown, string]>([
    [{ type: 'fixed', amountCents: -1 }, 'businessCosts.amountCents: must be 0 or more'],
    [{ type: 'fixed', amountCents: 10.5 }, 'businessCosts.amountCents: must be whole cents'],
    [{ type: 'percentage', percent: 12.345 }, 'businessCosts.percent: may have at most two decimals'],
    [{ type: 'percentage', percent: 0 }, 'businessCosts.percent: must be more than 0'],
    [{ type: 'percentage', percent: 101 }, 'businessCosts.percent: must be at most 100'],
    [{ type: 'percentage', percent: 10, minimumCents: 5000, maximumCents: 4000 }, 'businessCosts.minimumCents: minimumCents must not be more than maximumCents'],
    [{ type: 'fixed', amountCents: 100, percent: 5 }, 'businessCosts'],
    [{ type: 'staffel' }, 'businessCosts.type'],
    ['wik', 'businessCosts'],
  ])('refuses %j with the field and the reason', (value, message) => {
    expect(() => parseBusinessCostAgreement(value)).toThrow(RangeError);
    expect(() => parseBusinessCostAgreement(value)).toThrow(message);
  });
});

describe('claimCosts: one rule for the decision log, consumer or business', () => {
  const now = new Date('2026-04-10T10:00:00Z');

  it('business claim: WIK costs without a 14-day letter, from the day after the due date (rule 14)', () => {
    const before = claimCosts({ consumer: false, principal: 100000, dueDate: '2026-04-10', now });
    expect(before).toMatchObject({ costs: 0, costsFrom: '2026-04-11' });
    expect(before.reason).toContain('not overdue yet');
    const after = claimCosts({ consumer: false, principal: 100000, dueDate: '2026-04-09', now });
    expect(after).toMatchObject({ costs: 15000, rule: 'wik', costsFrom: '2026-04-10' });
  });

  it('consumer without a 14-day letter: no costs (art. 6:96 lid 6 BW)', () => {
    expect(claimCosts({ consumer: true, principal: 100000, dueDate: '2026-01-01', now })).toMatchObject({ costs: 0, rule: 'no_letter' });
  });

  it('consumer with a letter: nothing while the Atw-extended term runs, then WIK; an instalment claim gets the cap', () => {
    const letter = { sentAt: new Date('2026-03-05T10:00:00Z') }; // receipt Sat 7 March, day 14 Sat 21 → Mon 23 March
    expect(claimCosts({ consumer: true, principal: 100000, letter, now: new Date('2026-03-23T12:00:00Z') })).toMatchObject({ costs: 0, rule: 'term_running', costsFrom: '2026-03-24' });
    expect(claimCosts({ consumer: true, principal: 100000, letter, now })).toMatchObject({ costs: 15000, rule: 'wik' });
    expect(claimCosts({ consumer: true, principal: 100000, letter, now, payments: [{ amount: 100000, at: '2026-03-23T10:00:00Z' }] })).toMatchObject({ costs: 0, rule: 'paid_within_term' });
    const inst = claimCosts({ consumer: true, principal: 100000, letter, now, instalment: { monthlyAmountCents: 25000, overdueInstalments: 4 } });
    expect(inst).toMatchObject({ costs: 14000, rule: 'wik_instalment_cap' });
    expect(inst.reason).toContain('art. 6:96 lid 6 BW');
  });
});
