/**
 * Decide's cost step (functions/domain/decide/costs.ts costState) and the last check before a message goes out
 * (functions/domain/message-guard.ts), on claims as the case holds them.
 */
import { describe, expect, it } from 'vitest';
import type { DossierFacts } from '../../functions/domain/case/facts.js';
import { costState } from '../../functions/domain/decide/costs.js';
import { messageContradictions, termPolicyFor } from '../../functions/domain/message-guard.js';

// The 14-day letter of Thursday 7 January 2027, 08:00: presumed received Saturday 9 January, day 14 is Saturday
// 23 January, so the term ends Monday 25 January (Atw art. 1) and costs may come from Tuesday 26 January.
const LETTER = { at: '2027-01-07T07:00:00Z', stepNo: 1 };
const claim = (over: Partial<DossierFacts> = {}): DossierFacts => ({
  dossierId: 'd1',
  clientId: 'c1',
  status: 'open',
  principal: 12_500,
  costs: 0,
  paid: 0,
  dueDate: '2027-01-06',
  createdAt: '2027-01-04T09:00:00Z',
  consumer: true,
  ...over,
});
const at = (iso: string) => new Date(iso);
const consumer = (d: DossierFacts) => d.consumer !== false;

describe('consumer claims: costs after the 14-day term (art. 6:96 lid 6 BW, Atw art. 1, DESIGN §5 rule 12)', () => {
  it('the term ending on a Saturday runs to Monday: no costs on Monday 25 January, €40 from Tuesday 26 January', () => {
    const d = claim({ letter: LETTER });
    expect(costState([d], at('2027-01-25T22:30:00Z'), consumer).updates).toEqual([]);
    const s = costState([d], at('2027-01-25T23:30:00Z'), consumer);
    expect(s.updates).toEqual([expect.objectContaining({ dossierId: 'd1', costs: 40_00, from: '2027-01-26' })]);
    expect(s.termEnd.get('d1')).toBe('2027-01-25');
    expect(s.receipt.get('d1')).toBe('2027-01-09');
  });

  it('a later term end a message stated holds the costs back until the day after it (rule 12)', () => {
    const d = claim({ letter: LETTER, statedTermEnd: '2027-01-28' });
    const inTerm = costState([d], at('2027-01-27T12:00:00Z'), consumer);
    expect(inTerm.updates).toEqual([]);
    expect(inTerm.termEnd.get('d1')).toBe('2027-01-28');
    expect(inTerm.costsFrom.get('d1')).toBe('2027-01-29');
    const after = costState([d], at('2027-01-29T12:00:00Z'), consumer);
    expect(after.updates[0]).toMatchObject({ costs: 40_00, from: '2027-01-29' });
    expect(after.updates[0].reason).toContain('a message stated the term ends 2027-01-28: costs wait until 2027-01-29 (legal term allowed 2027-01-26)');
  });

  it('an earlier stated date changes nothing: the legal term holds', () => {
    const s = costState([claim({ letter: LETTER, statedTermEnd: '2027-01-20' })], at('2027-01-26T12:00:00Z'), consumer);
    expect(s.updates[0]).toMatchObject({ costs: 40_00, from: '2027-01-26' });
  });

  it('the day the costs are due moves with a later stated term: the same amount is written again with the new day', () => {
    const d = claim({ letter: LETTER, costs: 40_00, costsFrom: '2027-01-26', statedTermEnd: '2027-01-28' });
    expect(costState([d], at('2027-02-01T12:00:00Z'), consumer).updates).toEqual([expect.objectContaining({ costs: 40_00, from: '2027-01-29' })]);
    expect(costState([{ ...d, costsFrom: '2027-01-29' }], at('2027-02-01T12:00:00Z'), consumer).updates).toEqual([]);
  });

  it('an instalment claim (Wki, DESIGN §5 rule 6) is capped on its own: €200 a month × 6 → €140, not WIK €180; the other claim of the creditor gets its own WIK', () => {
    const inst = claim({ dossierId: 'd1', principal: 120_000, letter: LETTER, instalment: { monthlyAmountCents: 20_000 } });
    const plain = claim({ dossierId: 'd2', principal: 100_000, letter: LETTER });
    const s = costState([inst, plain], at('2027-01-26T12:00:00Z'), consumer);
    expect(s.updates.map(({ dossierId, costs }) => ({ dossierId, costs }))).toEqual([
      { dossierId: 'd1', costs: 140_00 },
      { dossierId: 'd2', costs: 150_00 },
    ]);
    expect(s.updates[0].reason).toMatch(/Wki small-instalment cap €140\.00 .*the cap applies/);
  });

  it('an instalment of €266.67 or more a month gets the normal WIK costs', () => {
    const s = costState([claim({ principal: 120_000, letter: LETTER, instalment: { monthlyAmountCents: 30_000 } })], at('2027-01-26T12:00:00Z'), consumer);
    expect(s.updates[0]).toMatchObject({ costs: 180_00 });
  });
});

describe('business claims: no 14-day letter (art. 6:96 lid 4, 5 and 7 BW, DESIGN §5 rule 14)', () => {
  const biz = (over: Partial<DossierFacts> = {}) => claim({ consumer: false, principal: 300_000, dueDate: '2026-06-15', ...over });
  const now = at('2026-07-01T10:00:00Z');

  it('WIK on the sum of one creditor’s overdue claims, from the day after each due date; a claim not yet due waits', () => {
    const s = costState([biz(), biz({ dossierId: 'd2', principal: 200_000, dueDate: '2026-06-20' }), biz({ dossierId: 'd3', dueDate: '2026-07-10' })], now, consumer);
    // WIK on €5,000: €375 + €250 = €625, shared 3:2
    expect(s.updates.map(({ dossierId, costs, from }) => ({ dossierId, costs, from }))).toEqual([
      { dossierId: 'd1', costs: 375_00, from: '2026-06-16' },
      { dossierId: 'd2', costs: 250_00, from: '2026-06-21' },
    ]);
    expect(s.updates[0].reason).toMatch(/business debtor, no 14-day letter needed .*WIK scale on €5,000\.00/);
    expect(s.costsFrom.size).toBe(0); // no 14-day term for business claims
  });

  it('another creditor’s claims are computed on their own', () => {
    const s = costState([biz(), biz({ dossierId: 'd2', clientId: 'c2' })], now, consumer);
    expect(s.updates.map((u) => u.costs)).toEqual([425_00, 425_00]);
  });

  it('the agreement replaces the scale: a percentage with its minimum, none at all, VAT when the creditor cannot deduct it', () => {
    const pct = costState([biz({ principal: 30_000, businessCosts: { type: 'percentage', percent: 10, minimumCents: 50_00 } })], now, consumer);
    expect(pct.updates[0]).toMatchObject({ costs: 50_00 });
    expect(pct.updates[0].reason).toMatch(/agreed 10% of €300\.00 = €30\.00, agreed minimum €50\.00/);
    expect(costState([biz({ businessCosts: { type: 'none' } })], now, consumer).updates).toEqual([]);
    expect(costState([biz({ vatOnCosts: true })], now, consumer).updates[0]).toMatchObject({ costs: 514_25 }); // €425 + 21%
  });

  it('a claim paid by its due date has no costs; a payment after it does not lower them', () => {
    expect(costState([biz({ paid: 300_000, payments: [{ amount: 300_000, at: '2026-06-15T10:00:00Z' }] })], now, consumer).updates).toEqual([]);
    expect(costState([biz({ paid: 100_000, payments: [{ amount: 100_000, at: '2026-06-16T10:00:00Z' }] })], now, consumer).updates[0]).toMatchObject({ costs: 425_00 });
  });

  it('a business instalment claim under the WIK scale gets the small-instalment cap too', () => {
    const s = costState([biz({ principal: 120_000, instalment: { monthlyAmountCents: 20_000 } })], now, consumer);
    expect(s.updates[0]).toMatchObject({ costs: 140_00 });
    expect(s.updates[0].reason).toMatch(/WIK scale with the Wki small-instalment cap/);
  });
});

describe('the message guard: nothing is sent that contradicts the legal state (DESIGN §5 rules 3 and 12, HR 25-11-2016)', () => {
  const letterClaim = claim({ letter: LETTER });
  const check = (over: Partial<Parameters<typeof messageContradictions>[0]>) =>
    messageContradictions({ channel: 'email', phase: 'fourteen_day_letter', text: '', claims: [letterClaim], needsLetter: consumer, now: at('2027-01-14T09:00:00Z'), ...over });

  it('a follow-up naming the letter’s term end passes', () => {
    expect(check({ termEndDate: '2027-01-25', text: 'Betaal € 125,00 uiterlijk op 25 januari 2027. Dat is de laatste dag van de termijn uit onze brief.' })).toEqual([]);
  });

  it('the measured defect: a follow-up e-mail starting a term of its own ("… nadat deze e-mail bij u is bezorgd") is refused', () => {
    const v = check({ text: 'Sam, betaal binnen 14 dagen vanaf de dag nadat deze e-mail bij u is bezorgd.' });
    expect(v).toEqual(['the text starts a new term (only the 14-day letter may)']);
    expect(v.join(' ')).not.toContain('Sam'); // no sentence (and so no name) in the reason
  });

  it('a follow-up naming a day before the term end, or another date than it was rendered with, is refused', () => {
    expect(check({ termEndDate: '2027-01-23', text: 'Betaal uiterlijk op 23 januari 2027.' })).toEqual(['it names 2027-01-23 while the term of d1 runs until 2027-01-25']);
    expect(check({ termEndDate: '2027-01-25', text: 'Betaal uiterlijk op 26 januari 2027.' })).toEqual(["the text names 2027-01-26, not the letter's term end 2027-01-25"]);
  });

  it('a demand inside the term is refused ("De termijn … is voorbij" would be untrue); after it, it passes', () => {
    const demand = { channel: 'email' as const, phase: 'demand' as const, text: 'De termijn om zonder extra kosten te betalen is voorbij.' };
    expect(check({ ...demand, now: at('2027-01-25T12:00:00Z') })).toEqual(['a demand about d1 while its 14-day term runs (costs from 2027-01-26)']);
    expect(check({ ...demand, now: at('2027-01-26T12:00:00Z') })).toEqual([]);
    // the measured defect: a follow-up stated 4 April, so a demand on 1 April contradicts it
    expect(check({ ...demand, claims: [claim({ letter: LETTER, statedTermEnd: '2027-04-04' })], now: at('2027-04-01T08:00:00Z') })).toEqual([
      'a demand about d1 while its 14-day term runs (costs from 2027-04-05)',
    ]);
    // business claims, and claims without a letter (no costs, Decide's letter gate decides the order), say nothing untrue
    expect(check({ ...demand, claims: [claim({ consumer: false })] })).toEqual([]);
    expect(check({ ...demand, claims: [claim()] })).toEqual([]);
  });

  it('an arrangement message or an answer (aside) states the plan’s dates, no term: held to the rule for other messages in any phase', () => {
    const plan = 'Op 26 maart 2027 is termijn 1 van 3 van uw regeling: € 41,67. Betaal via de link.';
    expect(check({ aside: true, text: plan })).toEqual([]);
    expect(check({ aside: true, phase: 'demand', text: plan, now: at('2027-01-20T12:00:00Z') })).toEqual([]);
    // the same text as a follow-up of the letter would name a date that is not the term end
    expect(check({ text: 'Betaal uiterlijk op 26 maart 2027.' })).toHaveLength(1);
    // an aside message still may not start a term, nor promise a cost-free date
    expect(check({ aside: true, text: 'Betaal binnen 14 dagen.' })).toEqual(['the text states a term of its own, counted from an unclear moment']);
    expect(check({ aside: true, text: 'Betaal zonder extra kosten uiterlijk op 26 maart 2027.' })).toEqual(['the text promises no costs until 2027-03-26']);
  });

  it('which rule a message is held to', () => {
    expect(termPolicyFor('letter', 'fourteen_day_letter')).toEqual({ message: 'fourteen-day-letter' });
    expect(termPolicyFor('sms', 'fourteen_day_letter', '2027-01-25')).toEqual({ message: 'follow-up', termEndDate: '2027-01-25' });
    expect(termPolicyFor('email', 'demand', '2027-01-25')).toEqual({ message: 'other' });
  });
});
