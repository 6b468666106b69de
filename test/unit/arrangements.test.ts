/**
 * Issue 9, the pure rules: plan proposals (limits, payday due dates, the Wki small-instalment cap), allocation to
 * instalments in order, the reminder / missed / breach steps, offerChoice, per-client limits, the page token, the
 * reducer's arrangement and reversal events, and the decision while an arrangement runs.
 */
import { describe, expect, it } from 'vitest';
import {
  type Arrangement,
  acceptedArrangement,
  allocateToInstalments,
  arrangementStep,
  costsPerDossier,
  dueDates,
  offerChoice,
  planCosts,
  proposePlans,
  reverseFromInstalments,
  shareOf,
  splitOverDossiers,
} from '../../functions/domain/arrangements.js';
import { applyEvent } from '../../functions/domain/case/events.js';
import { factsOf } from '../../functions/domain/case/state.js';
import { visibleTimeline } from '../../functions/domain/case/visibility.js';
import { decide } from '../../functions/domain/decide/index.js';
import { creditorMask, creditorsOfMask, openPageToken, sealPageToken } from '../../functions/domain/page-token.js';
import { arrangementRulesFor, defaultStrategy, parseStrategy, strategyProblems } from '../../functions/domain/strategy.js';
import { isWorkingDay } from '../../functions/domain/calendar.js';
import defaultJson from '../../templates/strategy.json' with { type: 'json' };
import { caseWith } from '../support/cases.js';

const RULES = { maxMonths: 12, minInstalmentCents: 2_500, options: [3, 6, 12], reminderDaysBefore: 3, graceDays: 7 };
const SALARY = { type: 'salary' as const, rule: 'fixed_day' as const, day: 25 };
/** A claim as plans read it (no interest claimed): payments go to costs first, then principal (art. 6:44 BW). */
const d = (dossierId: string, principal: number, costs = 0, paid = 0) => ({ dossierId, outstanding: Math.max(0, principal + costs - paid), costs, principal: Math.max(0, principal - Math.max(0, paid - costs)) });

describe('plan proposals', () => {
  it('offers the strategy’s plan lengths that keep the minimum instalment, at most three', () => {
    const plans = proposePlans([d('a', 60_000)], RULES, SALARY, '2026-03-02');
    expect(plans.map((p) => [p.months, p.monthly])).toEqual([
      [3, 20_000],
      [6, 10_000],
      [12, 5_000],
    ]);
    for (const p of plans) expect(p.instalments.reduce((s, i) => s + i.amount, 0)).toBe(p.total);
  });

  it('respects maxMonths and the minimum instalment; falls back to the longest plan that keeps the minimum', () => {
    expect(proposePlans([d('a', 60_000)], { ...RULES, maxMonths: 6 }, SALARY, '2026-03-02').map((p) => p.months)).toEqual([3, 6]);
    expect(proposePlans([d('a', 12_500)], RULES, SALARY, '2026-03-02').map((p) => p.months)).toEqual([3]);
    expect(proposePlans([d('a', 6_000)], { ...RULES, options: [6, 12] }, SALARY, '2026-03-02').map((p) => p.months)).toEqual([2]);
    expect(proposePlans([d('a', 4_000)], RULES, SALARY, '2026-03-02')).toEqual([]);
    expect(proposePlans([d('a', 10_000, 0, 10_000)], RULES, SALARY, '2026-03-02')).toEqual([]);
  });

  it('splits the total in cents so the parts add up exactly (the first ones a cent more)', () => {
    const [p] = proposePlans([d('a', 10_001)], { ...RULES, options: [3] }, SALARY, '2026-03-02');
    expect(p.instalments.map((i) => i.amount)).toEqual([3_334, 3_334, 3_333]);
  });

  it('puts due dates on the working day after each expected payday, the first at least a few days away', () => {
    expect(dueDates(SALARY, '2026-03-02', 3)).toEqual(['2026-03-26', '2026-04-28', '2026-05-26']);
    // 25 April 2026 is a Saturday: salary the Friday before (24th), due the Monday after (27th is Koningsdag): 28th
    for (const date of dueDates(SALARY, '2026-03-24', 12)) expect(isWorkingDay(date)).toBe(true);
    // the payday of this month is too close: the next one
    expect(dueDates(SALARY, '2026-03-24', 1)).toEqual(['2026-04-28']);
  });

  it('caps the collection costs by the Wki small-instalment rule, with the reason', () => {
    expect(planCosts(15_000, 10_000, 6, 100_000)).toMatchObject({ costs: 14_000 });
    expect(planCosts(15_000, 10_000, 6, 100_000).reason).toMatch(/Wki small-instalment rule.*€140\.00.*lowered from €150\.00 to €140\.00/);
    expect(planCosts(10_000, 10_000, 3, 100_000).costs).toBe(10_000);
    expect(planCosts(42_500, 30_000, 12, 300_000).costs).toBe(42_500);
    expect(planCosts(42_500, 30_000, 12, 300_000).reason).toMatch(/€266\.67 or more/);
    // the one cap rule (costs.ts instalmentClaimCosts): VAT on the cap when the creditor cannot deduct it
    expect(planCosts(18_150, 10_000, 6, 100_000, true).costs).toBe(16_940);
    const [p] = proposePlans([d('a', 100_000, 15_000)], { ...RULES, options: [6] }, SALARY, '2026-03-02');
    expect(p).toMatchObject({ months: 6, costs: 14_000, total: 114_000 });
    expect(costsPerDossier([d('a', 60_000, 9_000), d('b', 40_000, 6_000)], p)).toEqual([
      { dossierId: 'a', costs: 8_400 },
      { dossierId: 'b', costs: 5_600 },
    ]);
  });
});

describe('an arrangement in force', () => {
  const accepted = acceptedArrangement({ id: 'arr-1', dossiers: [d('a', 20_000), d('b', 10_000)], months: 3, chosen: 1, income: SALARY, today: '2026-03-02', at: '2026-03-02T08:00:00.000Z' }).arrangement;

  it('splits every instalment per dossier by the plan’s weights', () => {
    expect(accepted.weights).toEqual({ a: 20_000, b: 10_000 });
    expect(splitOverDossiers(accepted, 10_000)).toEqual([
      { dossierId: 'a', amount: 6_667 },
      { dossierId: 'b', amount: 3_333 },
    ]);
    const a = shareOf(accepted, 'a').map((i) => i.amount);
    const b = shareOf(accepted, 'b').map((i) => i.amount);
    expect(a.map((x, i) => x + b[i])).toEqual(accepted.instalments.map((i) => i.amount));
    expect(b.reduce((s, x) => s + x, 0)).toBe(10_000);
  });

  it('allocates payments to the instalments in order; a refund takes the latest back first', () => {
    const { instalments, left } = allocateToInstalments(accepted.instalments, 15_000);
    expect(instalments.map((i) => [i.paidAmount, i.status])).toEqual([
      [10_000, 'paid'],
      [5_000, 'open'],
      [0, 'open'],
    ]);
    expect(left).toBe(0);
    expect(allocateToInstalments(accepted.instalments, 31_000).left).toBe(1_000);
    expect(reverseFromInstalments(instalments, 7_000).map((i) => i.paidAmount)).toEqual([8_000, 0, 0]);
  });

  it('reminds before the due date, once; reminds once after a missed one; breaches after the grace period', () => {
    const first = accepted.instalments[0].dueDate; // 2026-03-26
    expect(arrangementStep(accepted, RULES, '2026-03-10')).toMatchObject({ kind: 'wait', from: '2026-03-23' });
    expect(arrangementStep(accepted, RULES, '2026-03-23')).toMatchObject({ kind: 'remind', no: 1, key: '1:before' });
    const reminded: Arrangement = { ...accepted, reminders: ['1:before'] };
    expect(arrangementStep(reminded, RULES, first)).toMatchObject({ kind: 'wait', from: '2026-03-27' });
    expect(arrangementStep(reminded, RULES, '2026-03-27')).toMatchObject({ kind: 'missed', no: 1, key: '1:missed' });
    const missed: Arrangement = { ...reminded, reminders: ['1:before', '1:missed'] };
    expect(arrangementStep(missed, RULES, '2026-03-30')).toMatchObject({ kind: 'wait', from: '2026-04-03' });
    expect(arrangementStep(missed, RULES, '2026-04-03')).toMatchObject({ kind: 'breach', no: 1 });
    const paid: Arrangement = { ...missed, instalments: allocateToInstalments(missed.instalments, 30_000).instalments };
    expect(arrangementStep(paid, RULES, '2026-04-03')).toEqual({ kind: 'complete' });
  });
});

describe('accepting an offer by reply (offerChoice)', () => {
  const offer = { status: 'proposed' as const, options: proposePlans([d('a', 60_000)], RULES, SALARY, '2026-03-02') };
  it.each([
    ['2', 2],
    [' 1 ', 1],
    ['3.', 3],
    ['Optie 2', 2],
    ['plan 1!', 1],
    ['option 3', 3],
    ['de eerste', 1],
    ['De tweede.', 2],
    ['ik kies 2', 2],
    ['Ik neem optie 3', 3],
    ['the first one', 1],
    ['twee graag', 2],
    ['nr. 2', 2],
  ])('"%s" picks option %d', (text, n) => expect(offerChoice(text, offer)).toBe(n));
  it.each(['4', '0', '12', 'ik wil 2 termijnen', 'stop', '', '2 3', 'de vierde', 'ik kan er 2 betalen'])('"%s" picks nothing', (text) => expect(offerChoice(text, offer)).toBeUndefined());
  it('needs an open offer', () => {
    expect(offerChoice('1', undefined)).toBeUndefined();
    expect(offerChoice('1', { ...offer, status: 'active' as never })).toBeUndefined();
    expect(offerChoice('3', { ...offer, options: offer.options.slice(0, 2) })).toBeUndefined();
  });
});

describe('the strategy file: arrangement defaults and per-client limits', () => {
  it('has defaults; a client may only be stricter together with others (the strictest applies)', () => {
    const s = parseStrategy({ ...defaultJson, clients: { acme: { arrangements: { maxMonths: 6 } }, globex: { arrangements: { minInstalmentCents: 5_000 } } } });
    expect(arrangementRulesFor(s, ['acme'])).toMatchObject({ maxMonths: 6, minInstalmentCents: 2_500 });
    expect(arrangementRulesFor(s, ['acme', 'globex'])).toMatchObject({ maxMonths: 6, minInstalmentCents: 5_000 });
    expect(arrangementRulesFor(s, ['initech'])).toMatchObject({ maxMonths: 12, minInstalmentCents: 2_500 });
    const { arrangements: _a, clients: _c, ...without } = defaultJson as Record<string, unknown>;
    expect(parseStrategy(without).arrangements).toEqual(defaultStrategy().arrangements);
  });
  it('refuses bad limits with the field and the reason', () => {
    expect(strategyProblems({ ...defaultJson, arrangements: { ...RULES, options: [1] } })).toEqual(['strategy.arrangements.options[0]: a plan has at least 2 instalments']);
    expect(strategyProblems({ ...defaultJson, clients: { acme: { arrangements: { maxMonth: 6 } } } })[0]).toMatch(/strategy\.clients\.acme\.arrangements\.maxMonth: is not a known field/);
  });
});

describe('the page token', () => {
  const secret = 'a-test-secret-of-enough-length';
  const p = { debtorId: 'deb_01kjsesxm0yg5h87rnmqd1xhs4', journeyNo: 2, stepNo: 7, expiresAt: Date.parse('2026-05-01T10:00:00Z'), instalment: 3, creditors: 0b101 };
  it('round-trips, is short enough for an SMS, and shows no id', () => {
    const t = sealPageToken(p, secret);
    expect(t.length).toBeLessThanOrEqual(56);
    expect(t).not.toContain('deb_');
    expect(t).not.toContain('01kjsesxm0');
    expect(openPageToken(t, secret, Date.parse('2026-04-01T00:00:00Z'))).toEqual({ ok: true, payload: p });
    expect(sealPageToken(p, secret)).toBe(t); // one link per message
    expect(sealPageToken({ ...p, stepNo: 8 }, secret)).not.toBe(t);
  });
  it('refuses a changed, made-up or otherwise-signed token, and an expired one', () => {
    const t = sealPageToken(p, secret);
    const now = Date.parse('2026-04-01T00:00:00Z');
    for (let i = 0; i < t.length; i += 5) {
      const changed = `${t.slice(0, i)}${t[i] === 'A' ? 'B' : 'A'}${t.slice(i + 1)}`;
      expect(openPageToken(changed, secret, now).ok).toBe(false);
    }
    expect(openPageToken(t, 'another-secret-of-enough-length', now)).toEqual({ ok: false, reason: 'forged' });
    expect(openPageToken('x'.repeat(51), secret, now).ok).toBe(false);
    expect(openPageToken('short', secret, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(openPageToken(t, secret, p.expiresAt)).toEqual({ ok: false, reason: 'expired' });
  });
  it('names the creditors the message was about (the page shows only their claims); 0 = every creditor', () => {
    expect(creditorMask(['acme', 'globex', 'initech'], ['initech', 'acme'])).toBe(0b101);
    expect(creditorsOfMask(['acme', 'globex', 'initech'], 0b101)).toEqual(['acme', 'initech']);
    expect(creditorsOfMask(['acme', 'globex'], undefined)).toEqual(['acme', 'globex']);
    expect(creditorMask(Array.from({ length: 17 }, (_, i) => `c${i}`), ['c16'])).toBe(0);
    const { creditors: _c, ...all } = p;
    expect(openPageToken(sealPageToken(all, secret), secret, 0)).toEqual({ ok: true, payload: all });
  });
  it('also carries random ids of the same shape (first character beyond a ULID’s) and ids of other shapes', () => {
    for (const debtorId of ['deb_zzzzzzzzzzzzzzzzzzzzzzzzzz', 'deb_x0000000000000000000000001', 'legacy-debtor-42']) {
      const q = { ...p, debtorId };
      expect(openPageToken(sealPageToken(q, secret), secret, 0)).toEqual({ ok: true, payload: q });
    }
  });
});

describe('the reducer: arrangements and reversals', () => {
  const base = caseWith([
    { dossierId: 'a', clientId: 'acme', principal: 20_000 },
    { dossierId: 'b', clientId: 'acme', principal: 10_000 },
  ]);
  const { arrangement } = acceptedArrangement({ id: 'arr-1', dossiers: [d('a', 20_000), d('b', 10_000)], months: 3, chosen: 1, income: SALARY, today: '2026-03-02', at: '2026-03-02T08:00:00.000Z' });
  const active = applyEvent(base, { type: 'arrangement_accepted', at: '2026-03-02T08:00:00.000Z', arrangement });
  const pay = (s: typeof active, dossierId: string, amount: number, key: string) => applyEvent(s, { type: 'payment', at: '2026-03-20T08:00:00.000Z', dossierId, amount, paidAt: '2026-03-20T08:00:00.000Z', key });

  it('accepting makes it active and bumps eventSeq (the journey decides again)', () => {
    expect(active.arrangement?.status).toBe('active');
    expect(active.eventSeq).toBe(base.eventSeq + 1);
  });

  it('payments go to the instalments in order and the last one completes it', () => {
    let s = pay(active, 'a', 6_667, 'k1');
    s = pay(s, 'b', 3_333, 'k1');
    expect(s.arrangement!.instalments.map((i) => i.status)).toEqual(['paid', 'open', 'open']);
    expect(pay(s, 'b', 3_333, 'k1')).toBe(s); // the same payment again changes nothing
    s = pay(s, 'a', 13_333, 'k2');
    s = pay(s, 'b', 6_667, 'k2');
    expect(s.arrangement!.status).toBe('completed');
    expect(Object.values(s.dossiers).map((x) => x.status)).toEqual(['paid', 'paid']);
  });

  it('a refund reopens the paid dossier and the arrangement; a breach and a cancel end it', () => {
    let s = pay(active, 'a', 20_000, 'k1');
    expect(s.dossiers.a.status).toBe('paid');
    s = applyEvent(s, { type: 'payment_reversed', at: '2026-03-21T08:00:00.000Z', dossierId: 'a', amount: 5_000, key: 'r1', reason: 'refund' });
    expect(s.dossiers.a).toMatchObject({ status: 'open', paid: 15_000 });
    expect(s.arrangement!.instalments.reduce((x, i) => x + i.paidAmount, 0)).toBe(15_000);
    expect(applyEvent(s, { type: 'payment_reversed', at: '2026-03-21T08:00:00.000Z', dossierId: 'a', amount: 5_000, key: 'r1', reason: 'refund' })).toBe(s);
    const breached = applyEvent(s, { type: 'arrangement_breached', at: '2026-04-04T06:00:00.000Z', reason: 'unpaid' });
    expect(breached.arrangement).toMatchObject({ status: 'breached', reason: 'unpaid', endedAt: '2026-04-04T06:00:00.000Z' });
    expect(applyEvent(breached, { type: 'arrangement_cancelled', at: '2026-04-05T06:00:00.000Z', reason: 'x' })).toBe(breached);
    expect(applyEvent(active, { type: 'arrangement_cancelled', at: '2026-04-05T06:00:00.000Z', reason: 'debt help' }).arrangement?.status).toBe('cancelled');
  });

  it('withdrawing a claim of the plan (or a dispute decided for the debtor) ends the plan; a claim outside it does not', () => {
    const withdrawn = applyEvent(active, { type: 'dossier_withdrawn', at: '2026-03-10T08:00:00.000Z', dossierId: 'b', reason: 'settled' });
    expect(withdrawn.dossiers.b.status).toBe('withdrawn');
    expect(withdrawn.arrangement).toMatchObject({ status: 'cancelled', reason: 'a claim in the plan was withdrawn', endedAt: '2026-03-10T08:00:00.000Z' });
    const disputed = applyEvent(active, { type: 'dispute_opened', at: '2026-03-10T08:00:00.000Z', dossierId: 'a', reason: 'never ordered' });
    expect(disputed.arrangement?.status, 'a dispute alone leaves the plan').toBe('active');
    const forDebtor = applyEvent(disputed, { type: 'dispute_resolved', at: '2026-03-12T08:00:00.000Z', dossierIds: ['a'], inFavourOf: 'debtor', reason: 'not owed' });
    expect(forDebtor.arrangement?.status).toBe('cancelled');
    const outside = applyEvent(caseWith([{ dossierId: 'a', clientId: 'acme', principal: 20_000 }, { dossierId: 'b', clientId: 'acme', principal: 10_000 }, { dossierId: 'c', clientId: 'acme', principal: 5_000 }]), { type: 'arrangement_accepted', at: '2026-03-02T08:00:00.000Z', arrangement });
    expect(applyEvent(outside, { type: 'dossier_withdrawn', at: '2026-03-10T08:00:00.000Z', dossierId: 'c', reason: '' }).arrangement?.status).toBe('active');
  });

  it('a refund larger than what the dossier had paid takes back from the plan only what it took from the dossier', () => {
    let s = pay(active, 'a', 6_667, 'k1');
    s = pay(s, 'b', 3_333, 'k1');
    const refunded = applyEvent(s, { type: 'payment_reversed', at: '2026-03-21T08:00:00.000Z', dossierId: 'a', amount: 10_000, key: 'r1', reason: 'refund' });
    expect(refunded.dossiers.a.paid).toBe(0);
    expect(refunded.arrangement!.instalments.reduce((x, i) => x + i.paidAmount, 0)).toBe(3_333);
  });

  it('a dossier reopened by a chargeback says when', () => {
    const paid = pay(active, 'a', 20_000, 'k1');
    const back = applyEvent(paid, { type: 'payment_reversed', at: '2026-03-21T08:00:00.000Z', dossierId: 'a', amount: 5_000, key: 'c1', reason: 'chargeback' });
    expect(back.dossiers.a).toMatchObject({ status: 'open', statusAt: '2026-03-21T08:00:00.000Z' });
  });

  it('a refund takes the amount back from the dated payments too (art. 6:44 BW allocation reads them)', () => {
    let s = pay(active, 'a', 20_000, 'k1');
    s = applyEvent(s, { type: 'payment_reversed', at: '2026-03-21T08:00:00.000Z', dossierId: 'a', amount: 5_000, key: 'r1', reason: 'chargeback' });
    expect(s.dossiers.a.payments?.reduce((x, p) => x + p.amount, 0)).toBe(15_000);
    expect(s.dossiers.a.statusReason).toBe('reopened: payment charged back');
  });

  it('an offer made in an answer is kept as proposed; it never replaces an arrangement in force', () => {
    const offer = { ...arrangement, id: 'arr-r', status: 'proposed' as const, instalments: [], weights: {} };
    const offered = applyEvent(base, { type: 'arrangement_offered', at: '2026-03-02T08:00:00.000Z', arrangement: offer });
    expect(offered.arrangement).toMatchObject({ id: 'arr-r', status: 'proposed' });
    expect(offered.eventSeq).toBe(base.eventSeq + 1);
    expect(applyEvent(active, { type: 'arrangement_offered', at: '2026-03-02T08:00:00.000Z', arrangement: offer })).toBe(active);
  });

  it('debt help reported (reply or page) cancels the arrangement', () => {
    const s = applyEvent(active, { type: 'reply', at: '2026-03-10T08:00:00.000Z', channel: 'page', intent: 'debt_help', dossierIds: ['a', 'b'] });
    expect(s.arrangement).toMatchObject({ status: 'cancelled', reason: 'debt help reported' });
    // the same effects as the reply: the claims leave collection; a page statement opens no answer window
    expect(Object.values(s.dossiers).map((x) => x.status)).toEqual(['debt_help', 'debt_help']);
    expect(s.inbound).toEqual(active.inbound);
    const bySms = applyEvent(active, { type: 'reply', at: '2026-03-10T08:00:00.000Z', channel: 'sms', intent: 'cannot_pay', also: ['debt_help'], dossierIds: ['a', 'b'], messageId: 'SM1' });
    expect(bySms.arrangement?.status).toBe('cancelled');
  });

  it('a step records its reminder and a breach on the case, like the store’s targeted update', () => {
    const after = applyEvent(active, {
      type: 'parked',
      at: '2026-03-23T06:00:00.000Z',
      token: 't',
      arrangement: { remind: '1:before', proposed: { ...arrangement, reminders: ['1:before'] } },
    });
    expect(after.arrangement!.reminders).toEqual(['1:before']);
  });
});

describe('what a creditor reads of a plan over several creditors’ claims', () => {
  it('the totals are the agency’s to read; a creditor whose claims stand alone in it reads the detail', () => {
    const s = caseWith([
      { dossierId: 'a', clientId: 'acme', principal: 20_000 },
      { dossierId: 'g', clientId: 'globex', principal: 10_000 },
    ]);
    const events = [
      { at: '2026-03-02T08:00:00.000Z', type: 'arrangement', detail: 'Payment arrangement accepted by reply: option 1, 3 instalments (10000 cents on 2026-03-26, …)', dossierIds: ['a', 'g'], data: { arrangement: 'active' } },
      { at: '2026-03-02T08:00:00.000Z', type: 'arrangement', detail: 'Payment arrangement accepted on the payment page: option 2, 6 instalments (3334 cents …)', dossierIds: ['a'], data: { arrangement: 'active' } },
    ];
    const acme = visibleTimeline(s, { clientId: 'acme', agent: false }, events);
    expect(acme[0].detail).toBe('Payment arrangement active, together with claims of another creditor.');
    expect(acme[1].detail).toContain('3334 cents');
    expect(visibleTimeline(s, { clientId: 'agency', agent: true }, events)[0].detail).toContain('10000 cents');
  });
});

describe('the decision while an arrangement runs', () => {
  const base = caseWith([{ dossierId: 'a', clientId: 'acme', principal: 30_000, dueDate: '2026-01-15', phone: '+31612345678' }]);
  const { arrangement } = acceptedArrangement({ id: 'arr-1', dossiers: [d('a', 30_000)], months: 3, chosen: 1, income: { type: 'unknown' }, today: '2026-03-02', at: '2026-03-02T08:00:00.000Z' });
  const active = applyEvent(base, { type: 'arrangement_accepted', at: '2026-03-02T08:00:00.000Z', arrangement });
  const strategy = defaultStrategy();

  it('sends no collection message: it waits for the reminder moment', () => {
    const dec = decide(factsOf(active), strategy, new Date('2026-03-05T10:00:00Z'));
    expect(dec.kind).toBe('wait');
    expect(dec.reasons.join(' ')).toMatch(/no collection messages while the arrangement runs/);
  });

  it('reminds before the due date inside contact hours, as an aside message with the instalment topic', () => {
    const dec = decide(factsOf(active), strategy, new Date('2026-03-23T10:00:00Z'));
    expect(dec).toMatchObject({ kind: 'send', topic: 'instalment_reminder', aside: true, arrangement: { remind: '1:before' } });
    const night = decide(factsOf(active), strategy, new Date('2026-03-23T21:00:00Z'));
    expect(night.kind).toBe('wait');
    if (night.kind === 'wait') expect(night.until.toISOString()).toBe('2026-03-24T06:00:00.000Z');
  });

  it('after the grace period the journey resumes with the breach in the log and on the case', () => {
    const missed = { ...active, arrangement: { ...active.arrangement!, reminders: ['1:before', '1:missed'] } };
    const dec = decide(factsOf(missed), strategy, new Date('2026-04-06T10:00:00Z'));
    expect(dec.reasons[0]).toMatch(/^arrangement breached: instalment 1 of 3/);
    expect(dec.arrangement?.breach).toMatch(/still unpaid 7 days after its due date/);
    expect(dec.arrangement?.proposed?.status).toBe('breached');
  });
});
