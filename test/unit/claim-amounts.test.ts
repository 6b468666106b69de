/**
 * A claim's amounts on a day (functions/domain/case/amounts.ts) and the reducer events that feed them
 * (functions/domain/case/events.ts): statutory interest computed over the claim's bounded payment list, payments
 * allocated costs → interest → principal (art. 6:44 BW), interest stopped by debt relief (DESIGN §5 rule 10), a
 * payment is full only when the interest is paid too, the latest stated term end kept, costs with the day they
 * are due.
 */
import { describe, expect, it } from 'vitest';
import { accrualStop, amountsDay, claimAmounts, type ClaimMoney } from '../../functions/domain/case/amounts.js';
import { applyEvent } from '../../functions/domain/case/events.js';
import { PAYMENT_LIMIT, addPayment } from '../../functions/domain/case/facts.js';
import { type CaseState, type ClaimRecord, emptyCase } from '../../functions/domain/case/state.js';

const money = (over: Partial<ClaimMoney> = {}): ClaimMoney => ({
  principal: 100_000,
  costs: 0,
  paid: 0,
  dueDate: '2025-01-01',
  createdAt: '2026-06-01T08:00:00Z',
  payments: [],
  ...over,
});
const STATUTORY = { kind: 'statutory' as const, from: '2025-01-01' };

describe('claimAmounts: interest computed over the bounded payment list (art. 6:119 BW)', () => {
  it('€1,000 due 1 January 2025 on 1 July 2026: €81.03 interest (INTEREST_RATES, rates from 2025-07 "to verify")', () => {
    const a = claimAmounts(money({ interest: STATUTORY }), '2026-07-01');
    expect(a).toMatchObject({ principal: 100_000, costs: 0, interest: 8_103, paid: 0, outstanding: 108_103, refundDue: 0 });
    expect(a.warnings.join(' ')).toMatch(/to verify/);
  });

  it('no interest claimed (client setting): interest 0, no rate warnings, payments still allocated costs → principal (art. 6:44 BW)', () => {
    const a = claimAmounts(
      money({ principal: 10_000, costs: 4_000, costsFrom: '2026-05-01', paid: 8_000, payments: [{ amount: 3_000, at: '2026-04-20T10:00:00Z' }, { amount: 5_000, at: '2026-05-10T10:00:00Z' }] }),
      '2026-06-01',
    );
    expect(a).toMatchObject({ interest: 0, paid: 8_000, outstanding: 6_000, refundDue: 0, warnings: [] });
    // before the costs were due the payment went to the principal; after, to the costs first
    expect(a.allocations.map(({ toCosts, toInterest, toPrincipal }) => ({ toCosts, toInterest, toPrincipal }))).toEqual([
      { toCosts: 0, toInterest: 0, toPrincipal: 3_000 },
      { toCosts: 4_000, toInterest: 0, toPrincipal: 1_000 },
    ]);
  });

  it('a payment goes to the costs, then the interest, then the principal (art. 6:44 BW)', () => {
    const a = claimAmounts(money({ interest: STATUTORY, costs: 15_000, costsFrom: '2025-03-01', paid: 50_000, payments: [{ amount: 50_000, at: '2026-07-01T07:00:00Z' }] }), '2026-07-01');
    expect(a.allocations[0]).toMatchObject({ toCosts: 15_000, toInterest: 8_103, toPrincipal: 26_897, surplus: 0 });
    expect(a.outstanding).toBe(100_000 - 26_897);
  });

  it('more than everything owed is a refund', () => {
    const a = claimAmounts(money({ paid: 120_000, payments: [{ amount: 120_000, at: '2026-06-02T10:00:00Z' }] }), '2026-06-10');
    expect(a).toMatchObject({ outstanding: 0, refundDue: 20_000 });
  });

  it('debt relief stops the accrual (DESIGN §5 rule 10): from 1 January 2026 only the first year, €60.00', () => {
    expect(claimAmounts(money({ interest: STATUTORY }), '2026-07-01', { stopAccrualOn: '2026-01-01' }).interest).toBe(6_000);
  });

  it('a first-version claim with a total paid but no dated payments counts it from the day the claim arrived', () => {
    const a = claimAmounts(money({ interest: STATUTORY, paid: 100_000, payments: undefined, createdAt: '2025-01-01T09:00:00Z' }), '2026-07-01');
    expect(a).toMatchObject({ interest: 0, outstanding: 0, paid: 100_000 });
  });

  it('undated payments (old data) count from the arrival of the claim, in the debtor’s favour', () => {
    const a = claimAmounts(money({ interest: STATUTORY, paid: 50_000, payments: [{ amount: 50_000 }], createdAt: '2026-01-01T09:00:00Z' }), '2026-07-01');
    expect(a.allocations[0].date).toBe('2026-01-01');
  });
});

describe('accrualStop and amountsDay', () => {
  it('the first debt-relief flag or reply stops interest, from its Amsterdam day; other flags do not', () => {
    expect(accrualStop({ flags: [{ flag: 'cannot_pay_reported', at: '2026-03-01T10:00:00Z' }], signals: {} })).toBeUndefined();
    expect(accrualStop({ flags: [{ flag: 'wsnp', at: '2026-03-01T23:30:00Z' }], signals: { debtHelpReplyAt: '2026-04-01T10:00:00Z' } })).toBe('2026-03-02');
    expect(accrualStop({ flags: [], signals: { debtHelpReplyAt: '2026-04-01T10:00:00Z' } })).toBe('2026-04-01');
  });

  it('an open claim is shown for today, a closed one for the day it closed', () => {
    const now = new Date('2026-07-10T10:00:00Z');
    expect(amountsDay({ status: 'open', updatedAt: '2026-07-01T10:00:00Z' }, now)).toBe('2026-07-10');
    expect(amountsDay({ status: 'paused', updatedAt: '2026-07-01T10:00:00Z' }, now)).toBe('2026-07-10');
    expect(amountsDay({ status: 'paid', updatedAt: '2026-07-01T10:00:00Z' }, now)).toBe('2026-07-01');
  });
});

describe('the reducer', () => {
  const at = '2026-07-01T07:00:00Z';
  function caseWith(over: Partial<ClaimRecord> = {}): CaseState {
    const claim: ClaimRecord = {
      dossierId: 'd1',
      clientId: 'c1',
      reference: 'R-1',
      name: 'Sam Voorbeeld',
      language: 'nl',
      consumer: true,
      status: 'open',
      principal: 100_000,
      costs: 0,
      paid: 0,
      dueDate: '2025-01-01',
      createdAt: '2026-06-01T08:00:00Z',
      updatedAt: '2026-06-01T08:00:00Z',
      payments: [],
      paymentKeys: [],
      ...over,
    };
    return applyEvent(emptyCase('deb_1', claim.createdAt), { type: 'claim_added', at: claim.createdAt, claim, points: [], identity: { name: 'Sam Voorbeeld' } });
  }
  const pay = (s: CaseState, amount: number, key: string) => applyEvent(s, { type: 'payment', at, dossierId: 'd1', amount, paidAt: at, key });

  it('paying the principal leaves an interest-bearing claim open; paying the interest too makes it paid (art. 6:44 BW)', () => {
    const s = pay(caseWith({ interest: STATUTORY }), 100_000, 'p1');
    expect(s.dossiers.d1.status).toBe('open');
    expect(pay(s, 8_103, 'p2').dossiers.d1.status).toBe('paid');
    // without interest, the principal settles it
    expect(pay(caseWith(), 100_000, 'p1').dossiers.d1.status).toBe('paid');
  });

  it('keeps the latest term end a message stated (DESIGN §5 rule 12), and costs with the day they are due', () => {
    const contact = (stepNo: number) => ({ at, channel: 'email' as const, phase: 'fourteen_day_letter' as const, stepNo, journeyNo: 1, dossierIds: ['d1'] });
    let s = applyEvent(caseWith(), { type: 'step_claimed', at, contact: contact(1), token: 't1', statedTermEnd: '2026-07-20' });
    expect(s.dossiers.d1.statedTermEnd).toBe('2026-07-20');
    s = applyEvent(s, { type: 'step_claimed', at, contact: contact(2), token: 't2', statedTermEnd: '2026-07-15' });
    expect(s.dossiers.d1.statedTermEnd).toBe('2026-07-20');
    s = applyEvent(s, { type: 'costs', at, costs: [{ dossierId: 'd1', costs: 40_00, reason: 'r', from: '2026-07-21' }] });
    expect(s.dossiers.d1).toMatchObject({ costs: 40_00, costsFrom: '2026-07-21' });
  });

  it(`folds payments past the last ${PAYMENT_LIMIT} into one dated by the earlier of the two (in the debtor's favour: inside the term, less interest)`, () => {
    let list = addPayment([], { amount: 1, at: '2026-01-01T10:00:00Z' });
    for (let i = 2; i <= PAYMENT_LIMIT + 1; i++) list = addPayment(list, { amount: 1, at: `2026-02-${String(i).padStart(2, '0')}T10:00:00Z` });
    expect(list).toHaveLength(PAYMENT_LIMIT);
    expect(list[0]).toEqual({ amount: 2, at: '2026-01-01T10:00:00Z' });
  });
});
