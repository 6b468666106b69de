/**
 * Experiments and learning, the pure parts: the strategy file's experiments (field-path errors), assignment
 * (deterministic, sticky, holdout, minimum shares, a winner taking over), the decision step (a variant never breaks
 * a rule), attribution of outcomes within their windows, the KPI and experiment counters, and the results maths
 * against hand-computed cases.
 */
import { describe, expect, it } from 'vitest';
import { applyEvent } from '../../functions/domain/case/events.js';
import { type CaseState, factsOf } from '../../functions/domain/case/state.js';
import { decide } from '../../functions/domain/decide/index.js';
import { assignVariant, unitHash, withMinShare } from '../../functions/domain/experiments/assign.js';
import { allocationState } from '../../functions/domain/experiments/allocation.js';
import { effective, posterior, probabilityBest } from '../../functions/domain/experiments/bandit.js';
import type { VariantDay } from '../../functions/domain/experiments/counts.js';
import { experimentResults } from '../../functions/domain/experiments/results.js';
import type { Experiment } from '../../functions/domain/experiments/schema.js';
import { proportionDifference, wilson } from '../../functions/domain/experiments/significance.js';
import { meanDifference, meanInterval } from '../../functions/domain/experiments/stats.js';
import { experimentIncrements, outcomeIncrements, sentIncrements, storedIncrements, viewOf } from '../../functions/domain/outcomes/kpis.js';
import { type Strategy, defaultStrategy, parseStrategy, strategyProblems } from '../../functions/domain/strategy.js';
import { caseWith } from '../support/cases.js';
import { toneExperiment } from '../support/experiments.js';

const BASE = JSON.parse(JSON.stringify(defaultStrategy())) as Record<string, unknown>;
const EXPERIMENT = toneExperiment('tone-test');
const withExperiments = (...experiments: unknown[]): Strategy => parseStrategy({ ...BASE, experiments });
const problems = (...experiments: unknown[]) => strategyProblems({ ...BASE, experiments });

const A = { dossierId: 'dos_1', clientId: 'acme', phone: '+31612345678', email: 'sam@example.invalid', address: { line1: 'Dorpsstraat 1', postalCode: '1234AB', city: 'Utrecht' }, dueDate: '2026-02-01' };
const MONDAY_10H = new Date('2026-03-02T09:00:00Z');

describe('experiments in the strategy file', () => {
  it('a valid experiment parses, with its defaults', () => {
    const s = withExperiments(EXPERIMENT);
    expect(s.experiments[0]).toMatchObject({ id: 'tone-test', holdout: 0, allocation: 'fixed' });
    expect(defaultStrategy().experiments).toEqual([]);
  });

  it('every problem names its field path and why', () => {
    expect(problems({ ...EXPERIMENT, variants: [{ name: 'control', control: true }, { name: 'warm', tone: 'friendly' }], eligibility: { phases: ['final_notice'] } })).toEqual([
      expect.stringMatching(/^strategy\.experiments\[0\]\.variants\[1\]\.tone: friendly is not allowed at final_notice/),
    ]);
    expect(problems({ ...EXPERIMENT, variants: [{ name: 'a' }, { name: 'b', tone: 'firm' }] })).toEqual(['strategy.experiments[0].variants: must have exactly one variant with "control": true (found 0)', 'strategy.experiments[0].variants[0].tone: is required: a tone experiment\'s variant sets tone']);
    expect(problems({ ...EXPERIMENT, variants: [{ name: 'control', control: true }, { name: 'holdout', tone: 'firm' }] })).toEqual(['strategy.experiments[0].variants[1].name: "holdout" is reserved for the debtors held out']);
    expect(problems({ ...EXPERIMENT, variants: [{ name: 'control', control: true }, { name: 'b', tone: 'firm', cadenceDays: 3 }] })).toEqual(['strategy.experiments[0].variants[1].cadenceDays: does not belong to a tone experiment (it changes tone only)']);
    expect(problems({ ...EXPERIMENT, metric: 'paid_eventually' })[0]).toMatch(/^strategy\.experiments\[0\]\.metric: must be one of paid_within_30d/);
    expect(problems({ ...EXPERIMENT, minShare: 0.1 })).toEqual(['strategy.experiments[0].minShare: only applies when allocation is "thompson"']);
    expect(problems({ ...EXPERIMENT, allocation: 'thompson', minShare: 0.6 })).toEqual(['strategy.experiments[0].minShare: must be the minimum share of each variant, a number from 0 to 0.5']);
    expect(problems({ ...EXPERIMENT, allocation: 'thompson', minShare: 0.4, variants: [...EXPERIMENT.variants, { name: 'neutral', tone: 'neutral' }] })).toEqual(['strategy.experiments[0].minShare: × 3 variants is more than 1: at most 0.333']);
    expect(problems({ ...EXPERIMENT, end: '2025-12-31T00:00:00Z' })).toEqual(['strategy.experiments[0].end: must be later than start']);
    expect(problems(EXPERIMENT, { ...EXPERIMENT, id: 'tone-test' })).toEqual(expect.arrayContaining(['strategy.experiments[1].id: tone-test is used twice (experiments[0])']));
    expect(problems(EXPERIMENT, { ...EXPERIMENT, id: 'other' })).toEqual(['strategy.experiments[1].eligibility.phases: reminder already has a tone experiment (tone-test, experiments[0]): one experiment per dimension and phase']);
    expect(problems({ ...EXPERIMENT, colour: 'blue' })).toEqual(['strategy.experiments[0].colour: is not a known field']);
  });
});

describe('assignment', () => {
  const fixed = withExperiments({ ...EXPERIMENT, holdout: 0.1 }).experiments[0]!;
  const ids = Array.from({ length: 4000 }, (_, i) => `deb_${i}`);

  it('is deterministic: the same debtor and experiment always get the same variant', () => {
    expect(ids.slice(0, 50).map((id) => assignVariant(fixed, id))).toEqual(ids.slice(0, 50).map((id) => assignVariant(fixed, id)));
    expect(unitHash('tone-test', 'deb_1', 'variant')).toBe(unitHash('tone-test', 'deb_1', 'variant'));
    expect(unitHash('tone-test', 'deb_1', 'variant')).not.toBe(unitHash('other', 'deb_1', 'variant'));
  });

  it('fixed: equal shares of the debtors not held out; the holdout keeps its share', () => {
    const counts: Record<string, number> = {};
    for (const id of ids) counts[assignVariant(fixed, id)] = (counts[assignVariant(fixed, id)] ?? 0) + 1;
    expect(counts.holdout! / ids.length).toBeCloseTo(0.1, 1);
    expect(Math.abs(counts.control! - counts.firm!) / ids.length).toBeLessThan(0.05);
  });

  it("thompson: the bandit's shares, never below minShare; a winner takes new debtors; the holdout stays", () => {
    const bandit = withExperiments({ ...EXPERIMENT, allocation: 'thompson', minShare: 0.1, holdout: 0.05 }).experiments[0]!;
    expect(withMinShare(['a', 'b'], { a: 1, b: 0 }, 0.1)).toEqual({ a: 0.9, b: 0.1 });
    const got = ids.map((id) => assignVariant(bandit, id, { shares: { control: 1, firm: 0 } }));
    const share = (v: string) => got.filter((g) => g === v).length / ids.length;
    expect(share('firm')).toBeGreaterThan(0.07);
    expect(share('firm')).toBeLessThan(0.13);
    expect(share('holdout')).toBeCloseTo(0.05, 1);
    const won = ids.map((id) => assignVariant(bandit, id, { winner: 'firm' }));
    expect(new Set(won)).toEqual(new Set(['firm', 'holdout']));
  });

  it('is sticky: a debtor in the experiment keeps the variant the case holds, whatever the hash or the bandit says', () => {
    const s = withExperiments({ ...EXPERIMENT, eligibility: { phases: ['reminder', 'demand', 'fourteen_day_letter'] } });
    const c = caseWith([A]);
    const mine = assignVariant(s.experiments[0]!, c.caseId);
    const other = mine === 'control' ? 'firm' : 'control';
    const first = decide(factsOf(c), s, MONDAY_10H);
    expect(first).toMatchObject({ kind: 'send', experiments: [{ experimentId: 'tone-test', variant: mine, assigned: true }] });
    const held = { ...c, experiments: { 'tone-test': { variant: other, at: MONDAY_10H.toISOString(), journeyNo: 1 } } };
    const again = decide(factsOf(held), s, MONDAY_10H, { 'tone-test': { winner: mine } });
    expect(again).toMatchObject({ kind: 'send', experiments: [{ experimentId: 'tone-test', variant: other, assigned: false }] });
    // and the reducer keeps the first assignment when a claim names another variant
    const at = MONDAY_10H.toISOString();
    const claimed = applyEvent(held, { type: 'step_claimed', at, contact: { at, channel: 'email', phase: 'reminder', tone: 'friendly', stepNo: 1, journeyNo: 1, dossierIds: ['dos_1'] }, token: 't', assignments: [{ experimentId: 'tone-test', variant: mine }] });
    expect(claimed.experiments['tone-test']!.variant).toBe(other);
  });
});

describe('the decision step: a variant never breaks a rule', () => {
  const send = (s: Strategy, c: CaseState, now = MONDAY_10H) => decide(factsOf(c), s, now);

  it('puts the variant in after the strategy chose, and the decision log names experiment and variant', () => {
    const s = withExperiments({ ...EXPERIMENT, variants: [{ name: 'control', control: true, tone: 'friendly' }, { name: 'firm', tone: 'firm' }], allocation: 'thompson' });
    const d = send(s, caseWith([A]), MONDAY_10H);
    const forced = decide(factsOf(caseWith([A])), s, MONDAY_10H, { 'tone-test': { winner: 'firm' } });
    expect(forced).toMatchObject({ kind: 'send', tone: 'firm', template: expect.stringMatching(/\/reminder\/firm$/), experiments: [{ experimentId: 'tone-test', variant: 'firm', assigned: true }] });
    expect((forced as { reasons: string[] }).reasons).toContain('experiment tone-test: variant firm (assigned now): tone firm instead of friendly');
    expect(d.kind).toBe('send');
  });

  it('a friendly variant where the phase forbids it is refused at run time too (a file changed under a running experiment)', () => {
    const s = withExperiments({ ...EXPERIMENT, eligibility: { phases: ['reminder'] } });
    // an experiment that the schema refuses, put in behind its back
    const bad: Strategy = { ...s, experiments: [{ ...s.experiments[0]!, eligibility: { phases: ['final_notice'] }, variants: [{ name: 'control', control: true }, { name: 'warm', tone: 'friendly' }] }] };
    let c = caseWith([A]);
    const at = (d: number) => new Date(Date.parse('2026-02-10T09:00:00Z') + d * 86_400_000).toISOString();
    const phases = ['reminder', 'reminder', 'fourteen_day_letter', 'demand', 'demand'] as const;
    phases.forEach((phase, i) => {
      c = applyEvent(c, { type: 'step_claimed', at: at(i * 3), contact: { at: at(i * 3), channel: i === 2 ? 'letter' : 'email', phase, tone: 'neutral', stepNo: i + 1, journeyNo: 1, dossierIds: ['dos_1'] }, token: 't' });
    });
    for (let day = 0; day < 60; day++) {
      const now = new Date(Date.parse('2026-03-10T09:00:00Z') + day * 86_400_000);
      const d = decide(factsOf(c), bad, now, { [bad.experiments[0]!.id]: { winner: 'warm' } });
      if (d.kind === 'send' && d.phase === 'final_notice') {
        expect(d.tone).not.toBe('friendly');
        expect(d.reasons.join(' ')).toMatch(/tone friendly refused at final_notice/);
        return;
      }
    }
    throw new Error('no final notice decided');
  });

  it('a channel order never uses a channel the debtor opted out of, nor WhatsApp without opt-in', () => {
    const s = withExperiments({ ...EXPERIMENT, dimension: 'channel_order', variants: [{ name: 'control', control: true }, { name: 'chat', channels: ['whatsapp', 'sms', 'email'] }] });
    const optedOut = applyEvent(caseWith([A]), { type: 'opted_out', at: '2026-03-01T10:00:00.000Z', channel: 'sms' });
    const d = decide(factsOf(optedOut), s, MONDAY_10H, { 'tone-test': { winner: 'chat' } });
    expect(d).toMatchObject({ kind: 'send', channel: 'email', experiments: [{ variant: 'chat' }] });
    expect((d as { reasons: string[] }).reasons.join(' ')).toMatch(/whatsapp skipped: no WhatsApp opt-in.*sms skipped: opted out/);
  });

  it('contact hours and days stay in force: a variant due at night or on a Sunday waits for the first allowed moment', () => {
    const s = withExperiments({ ...EXPERIMENT, dimension: 'timing', variants: [{ name: 'control', control: true }, { name: 'now', timing: 'asap' }] });
    const night = decide(factsOf(caseWith([A])), s, new Date('2026-03-03T21:30:00Z'), { 'tone-test': { winner: 'now' } });
    expect(night).toMatchObject({ kind: 'wait', until: new Date('2026-03-04T07:00:00Z') });
    const sunday = decide(factsOf(caseWith([A])), s, new Date('2026-03-08T11:00:00Z'), { 'tone-test': { winner: 'now' } });
    expect(sunday.kind).toBe('wait');
  });

  it('the 14-day letter comes first: a demand-phase variant cannot skip it, and a channel variant cannot move it off paper', () => {
    const s = withExperiments(
      { ...EXPERIMENT, id: 'demand-tone', eligibility: { phases: ['demand'] }, variants: [{ name: 'control', control: true }, { name: 'firm', tone: 'firm' }] },
      { ...EXPERIMENT, id: 'letter-channel', dimension: 'channel_order', eligibility: { phases: ['fourteen_day_letter'] }, variants: [{ name: 'control', control: true }, { name: 'digital', channels: ['email', 'sms'] }] },
    );
    let c = caseWith([A]);
    const at = (d: number) => new Date(Date.parse('2026-02-05T09:00:00Z') + d * 86_400_000).toISOString();
    for (let i = 0; i < 3; i++) c = applyEvent(c, { type: 'step_claimed', at: at(i * 4), contact: { at: at(i * 4), channel: 'email', phase: 'reminder', tone: 'friendly', stepNo: i + 1, journeyNo: 1, dossierIds: ['dos_1'] }, token: 't' });
    for (let day = 0; day < 20; day++) {
      const now = new Date(Date.parse('2026-02-20T09:00:00Z') + day * 86_400_000);
      const d = decide(factsOf(c), s, now, { 'demand-tone': { winner: 'firm' }, 'letter-channel': { winner: 'digital' } });
      if (d.kind !== 'send') continue;
      expect(d).toMatchObject({ phase: 'fourteen_day_letter', channel: 'letter' });
      expect(d.experiments ?? []).not.toContainEqual(expect.objectContaining({ experimentId: 'demand-tone' }));
      return;
    }
    throw new Error('no letter decided');
  });

  it('a number someone opted out of is closed to a channel variant too (a shared number, or one opted out before)', () => {
    const s = withExperiments({ ...EXPERIMENT, dimension: 'channel_order', variants: [{ name: 'control', control: true, channels: ['sms', 'email'] }, { name: 'chat', channels: ['sms', 'email'] }] });
    const c = applyEvent(caseWith([A]), { type: 'opted_out', at: '2026-03-01T10:00:00.000Z', channel: 'sms', point: A.phone });
    expect(c.optOuts).toEqual([]);
    const d = decide(factsOf(c), s, MONDAY_10H, { 'tone-test': { winner: 'chat' } });
    expect(d).toMatchObject({ kind: 'send', channel: 'email', experiments: [{ variant: 'chat' }] });
    expect((d as { reasons: string[] }).reasons.join(' ')).toMatch(/sms skipped: opted out/);
  });

  it('a hold on automated outreach (a reply signalled vulnerability) stops every variant until an agent looked', () => {
    const s = withExperiments({ ...EXPERIMENT, allocation: 'thompson' });
    const held = applyEvent(caseWith([A]), { type: 'reply', at: '2026-03-01T10:00:00.000Z', channel: 'sms', intent: 'vulnerable', dossierIds: ['dos_1'], holds: [{ reason: 'vulnerable', taskId: 'reply_SM1_vulnerable' }] });
    const d = decide(factsOf(held), s, MONDAY_10H, { 'tone-test': { winner: 'firm' } });
    expect(d.kind).toBe('wait');
    expect((d as { reasons: string[] }).reasons.join(' ')).toMatch(/automated outreach paused/);
    expect((d as { experiments?: unknown }).experiments).toBeUndefined();
  });

  it('a shorter cadence still meets the frequency cap', () => {
    const s = withExperiments({ ...EXPERIMENT, dimension: 'cadence', variants: [{ name: 'control', control: true }, { name: 'fast', cadenceDays: 1 }] });
    let c = caseWith([A]);
    const at = (h: number) => new Date(Date.parse('2026-03-02T09:00:00Z') + h * 3_600_000).toISOString();
    c = applyEvent(c, { type: 'step_claimed', at: at(0), contact: { at: at(0), channel: 'email', phase: 'reminder', tone: 'friendly', stepNo: 1, journeyNo: 1, dossierIds: ['dos_1'] }, token: 't' });
    c = applyEvent(c, { type: 'step_claimed', at: at(24), contact: { at: at(24), channel: 'sms', phase: 'reminder', tone: 'friendly', stepNo: 2, journeyNo: 1, dossierIds: ['dos_1'] }, token: 't' });
    const d = decide(factsOf(c), s, new Date(Date.parse(at(48))), { 'tone-test': { winner: 'fast' } });
    expect(d.kind).toBe('wait');
    expect((d as { reasons: string[] }).reasons.join(' ')).toMatch(/frequency cap: at most 2 contacts per 7 days/);
  });
});

describe('attribution windows (hand-computed)', () => {
  const DAY = 86_400_000;
  const t0 = Date.parse('2026-03-02T09:00:00Z');
  const iso = (days: number) => new Date(t0 + days * DAY).toISOString();
  function sent(c: CaseState, days: number, stepNo: number, dossierIds = ['dos_1']): CaseState {
    const at = iso(days);
    return applyEvent(c, { type: 'step_claimed', at, contact: { at, channel: 'email', phase: 'reminder', tone: 'friendly', stepNo, journeyNo: 1, dossierIds, seg: 'unknown', x: ['tone-test:firm'] }, token: 't', ...(stepNo === 1 ? { assignments: [{ experimentId: 'tone-test', variant: 'firm' }] } : {}) });
  }
  const reply = (c: CaseState, days: number, intent: string, dossierIds = ['dos_1']) => applyEvent(c, { type: 'reply', at: iso(days), channel: 'sms', intent, dossierIds });
  const pay = (c: CaseState, days: number, amount: number, dossierId = 'dos_1') => applyEvent(c, { type: 'payment', at: iso(days), dossierId, amount, paidAt: iso(days), key: `p${days}` });
  const B = { ...A, dossierId: 'dos_2', clientId: 'beta' };

  it('a reply counts for the contacts of the 7 days before it (reaction, reply), a promise for 14', () => {
    const c = sent(caseWith([A]), 0, 1);
    expect(reply(c, 6.9, 'other').contacts[0]!.o).toBe('ry');
    expect(reply(c, 7.1, 'other').contacts[0]!.o).toBeUndefined();
    expect(reply(c, 13, 'promise_to_pay').contacts[0]!.o).toBe('p');
    expect(reply(c, 15, 'promise_to_pay').contacts[0]!.o).toBeUndefined();
    expect(reply(c, 2, 'arrangement').contacts[0]!.o).toBe('ryp');
    // an opt-out is no reaction; a second reply adds nothing
    expect(reply(c, 1, 'opt_out').contacts[0]!.o).toBeUndefined();
    expect(reply(reply(c, 1, 'other'), 2, 'other').contacts[0]!.o).toBe('ry');
  });

  it("the classifier's intents: a promise, an arrangement request, a request to pay later with a date are promises; an opt-out is nothing", () => {
    const c = sent(caseWith([A]), 0, 1);
    const r = (intent: string, extra: Record<string, unknown> = {}) => applyEvent(c, { type: 'reply', at: iso(1), channel: 'sms', intent, dossierIds: ['dos_1'], ...extra }).contacts[0]!.o;
    expect(r('promise_to_pay', { promiseDate: '2026-03-06' })).toBe('ryp');
    expect(r('arrangement')).toBe('ryp');
    expect(r('postpone', { promiseDate: '2026-03-25' })).toBe('ryp');
    // to pay later without a date says something about means, not a promise
    expect(r('postpone')).toBe('ry');
    // a promise the reply carries besides its main intent counts too
    expect(r('already_paid', { also: ['arrangement'] })).toBe('ryp');
    expect(r('who_are_you')).toBe('ry');
    expect(r('unclear')).toBe('ry');
    expect(r('opt_out_all')).toBeUndefined();
    // the same inbound message twice (a redelivered webhook) is attributed once
    const once = applyEvent(c, { type: 'reply', at: iso(1), channel: 'sms', intent: 'promise_to_pay', dossierIds: ['dos_1'], messageId: 'SM1' });
    const twice = applyEvent(once, { type: 'reply', at: iso(1), channel: 'sms', intent: 'promise_to_pay', dossierIds: ['dos_1'], messageId: 'SM1' });
    expect(twice).toBe(once);
    expect(experimentIncrements(once, twice)).toEqual([]);
    // promised within 14 days of the exposure: the experiment's outcome too
    expect(applyEvent(c, { type: 'reply', at: iso(2), channel: 'sms', intent: 'arrangement', dossierIds: ['dos_1'] }).experiments['tone-test']).toMatchObject({ reacted: iso(2), promised: iso(2) });
  });

  it('the answers to replies are no contacts: their status callbacks (step 0) attribute nothing', () => {
    const c = sent(caseWith([A]), 0, 1);
    const read = applyEvent(c, { type: 'delivery', at: iso(1), journeyNo: 1, stepNo: 0, channel: 'sms', status: 'opened' });
    expect(read.contacts.map((x) => x.o)).toEqual([undefined]);
    expect(outcomeIncrements(c, read, { type: 'delivery', at: iso(1), journeyNo: 1, stepNo: 0, channel: 'sms', status: 'opened' })).toEqual([]);
    expect(read.experiments['tone-test']!.reacted).toBeUndefined();
  });

  it('a payment: paid for the contacts of 30 days, reacted for 7, its cents to the last contact within 60 days', () => {
    const c = sent(sent(caseWith([A]), 0, 1), 10, 2);
    const paid = pay(c, 29, 5_000);
    expect(paid.contacts.map((x) => x.o)).toEqual(['$', '$']);
    expect(pay(c, 31, 5_000).contacts.map((x) => x.o)).toEqual([undefined, '$']);
    expect(pay(c, 12, 5_000).contacts.map((x) => x.o)).toEqual(['$', 'r$']);
    const late = outcomeIncrements(c, pay(c, 65, 5_000), { type: 'payment', at: iso(65), dossierId: 'dos_1', amount: 5_000, paidAt: iso(65), key: 'p65' });
    // day 65: the contact of day 10 is 55 days back (last touch, within 60); nothing is paid within 30 days
    expect(late).toEqual([
      { scope: '*', day: '2026-03-12', add: expect.objectContaining({ 'channel:email|e': 5_000, 'variant:tone-test:firm|e': 5_000 }) },
      { scope: 'acme', day: '2026-03-12', add: expect.objectContaining({ 'channel:email|e': 5_000, 'client:acme|e': 5_000 }) },
    ]);
    expect(outcomeIncrements(c, pay(c, 71, 5_000), { type: 'payment', at: iso(71), dossierId: 'dos_1', amount: 5_000, paidAt: iso(71), key: 'p71' })).toEqual([]);
  });

  it('a refund or chargeback takes its cents back from the contact the payment went to; the payment still counts as one', () => {
    const c = sent(sent(caseWith([A]), 0, 1), 10, 2);
    const paid = pay(c, 12, 5_000);
    const back = (s: CaseState, days: number, amount: number) => {
      const e = { type: 'payment_reversed' as const, at: iso(days), dossierId: 'dos_1', amount, key: `rf${days}`, reason: 'refund' as const };
      const after = applyEvent(s, e);
      return { after, kpis: outcomeIncrements(s, after, e), exp: experimentIncrements(s, after) };
    };
    // 40 days later: the last touch before the payment (day 10), not the one before the refund
    const part = back(paid, 40, 2_000);
    const acme = part.kpis.find((i) => i.add['client:acme|e'] !== undefined)!;
    expect(acme).toMatchObject({ day: '2026-03-12', add: { 'channel:email|e': -2_000, 'client:acme|e': -2_000 } });
    expect(Object.keys(acme.add).some((k) => k.endsWith('|$'))).toBe(false);
    expect(part.after.contacts.map((x) => x.o)).toEqual(paid.contacts.map((x) => x.o));
    expect(part.exp).toEqual([{ experimentId: 'tone-test', variant: 'firm', day: '2026-03-02', add: { cents: -2_000, sq: 3_000 ** 2 - 5_000 ** 2 } }]);
    // the rest refunded too: no payer left in the experiment; never below nothing
    const all = back(part.after, 41, 9_000);
    expect(all.exp).toEqual([{ experimentId: 'tone-test', variant: 'firm', day: '2026-03-02', add: { cents: -3_000, sq: -(3_000 ** 2), payers: -1 } }]);
    expect(all.kpis.find((i) => i.add['client:acme|e'] !== undefined)!.add['client:acme|e']).toBe(-3_000);
  });

  it('an arrangement accepted (by reply or on the page) is a promise/arrangement for the contacts about its claims', () => {
    const c = sent(caseWith([A]), 0, 1);
    const arrangement = { id: 'arr-1', status: 'active' as const, dossierIds: ['dos_1'], weights: { dos_1: 10_000 }, proposedAt: iso(0), acceptedAt: iso(2), chosen: 2, instalments: [], reminders: [] };
    const e = { type: 'arrangement_accepted' as const, at: iso(2), arrangement };
    const after = applyEvent(c, e);
    expect(after.contacts[0]!.o).toBe('rp');
    expect(after.experiments['tone-test']).toMatchObject({ reacted: iso(2), promised: iso(2) });
    expect(outcomeIncrements(c, after, e).find((i) => i.add['client:acme|p'] !== undefined)!.add).toMatchObject({ 'client:acme|p': 1, 'client:acme|r': 1 });
  });

  it("only contacts about the claims concerned; a creditor's counters only take outcomes about its own claims", () => {
    let c = caseWith([A, B]);
    c = sent(c, 0, 1, ['dos_1']);
    c = sent(c, 1, 2, ['dos_1', 'dos_2']);
    const after = pay(c, 3, 1_000, 'dos_2');
    expect(after.contacts.map((x) => x.o)).toEqual([undefined, 'r$']);
    const inc = outcomeIncrements(c, after, { type: 'payment', at: iso(3), dossierId: 'dos_2', amount: 1_000, paidAt: iso(3), key: 'p3' });
    expect(inc.map((i) => i.scope).sort()).toEqual(['*', 'beta']);
  });

  it('the experiment: outcomes within the metric windows from the exposure, each once per debtor', () => {
    const c = sent(caseWith([A]), 0, 1);
    expect(c.experiments['tone-test']).toEqual({ variant: 'firm', at: iso(0), journeyNo: 1 });
    const a = pay(reply(c, 3, 'promise_to_pay'), 20, 2_000);
    expect(a.experiments['tone-test']).toMatchObject({ reacted: iso(3), promised: iso(3), paid: iso(20), cents: 2_000 });
    const b = pay(c, 45, 2_000);
    expect(b.experiments['tone-test']).toEqual({ variant: 'firm', at: iso(0), journeyNo: 1, cents: 2_000 });
    expect(experimentIncrements(c, a)).toEqual([{ experimentId: 'tone-test', variant: 'firm', day: '2026-03-02', add: { reacted: 1, promised: 1, paid: 1, cents: 2_000, sq: 4_000_000, payers: 1 } }]);
    // a second payment adds its cents, and the square grows by (a+b)² − a²
    const more = pay(a, 25, 1_000);
    expect(experimentIncrements(a, more)).toEqual([{ experimentId: 'tone-test', variant: 'firm', day: '2026-03-02', add: { cents: 1_000, sq: 9_000_000 - 4_000_000 } }]);
    // the claim taken back (a transient failure before the provider had it): the exposure goes too
    const released = applyEvent(c, { type: 'step_released', at: iso(0), stepNo: 1 });
    expect(released.experiments).toEqual({});
    expect(experimentIncrements(c, released)).toEqual([{ experimentId: 'tone-test', variant: 'firm', day: '2026-03-02', add: { n: -1 } }]);
  });

  it("stored: only the creditors' items, one write per creditor and day; the agency's view is their sum with its corrections", () => {
    // one creditor: one item, no correction — and its sum is the agency's count
    const one = sent(caseWith([A]), 0, 1);
    const incs = sentIncrements(one, one.journey.contacts[0]!, 8);
    const stored = storedIncrements(incs);
    expect(stored.map((i) => i.scope)).toEqual(['acme']);
    expect(Object.keys(stored[0]!.add).some((k) => k.startsWith('~'))).toBe(false);
    expect(viewOf(stored.map((i) => i.add), true)).toEqual(incs.find((i) => i.scope === '*')!.add);
    // a contact about two creditors' claims: one contact for the agency, one for each creditor
    const two = sent(caseWith([A, B]), 0, 1, ['dos_1', 'dos_2']);
    const both = sentIncrements(two, two.journey.contacts[0]!, 8);
    const kept = storedIncrements(both);
    expect(kept.map((i) => i.scope)).toEqual(['acme', 'beta']);
    expect(viewOf(kept.map((i) => i.add), true)).toEqual(both.find((i) => i.scope === '*')!.add);
    expect(viewOf([kept[0]!.add], false)).toEqual(both.find((i) => i.scope === 'acme')!.add);
    expect(viewOf([kept[1]!.add], false)).toEqual(both.find((i) => i.scope === 'beta')!.add);
    // then a payment on beta's claim: the agency's recovered cents once, in beta's item; several events' increments merge
    const after = pay(two, 2, 1_000, 'dos_2');
    const outcome = outcomeIncrements(two, after, { type: 'payment', at: iso(2), dossierId: 'dos_2', amount: 1_000, paidAt: iso(2), key: 'p2' });
    const all = storedIncrements([...both, ...outcome]);
    expect(all.map((i) => `${i.scope}:${i.day}`)).toEqual(['acme:2026-03-02', 'beta:2026-03-02']);
    const agency = viewOf(all.map((i) => i.add), true);
    expect(agency['channel:email|e']).toBe(1_000);
    expect(agency['channel:email|c']).toBe(1);
    expect(viewOf([all[0]!.add], false)['channel:email|e']).toBeUndefined();
  });

  it("a contact about two creditors' claims: each creditor's payment counts for it once, and the agency's group of a creditor is that creditor's", () => {
    const two = sent(caseWith([A, B]), 0, 1, ['dos_1', 'dos_2']);
    const stored = [...storedIncrements(sentIncrements(two, two.journey.contacts[0]!, 8))];
    const paidA = pay(two, 1, 25_000, 'dos_1');
    stored.push(...storedIncrements(outcomeIncrements(two, paidA, { type: 'payment', at: iso(1), dossierId: 'dos_1', amount: 25_000, paidAt: iso(1), key: 'p1' })));
    const paidBoth = pay(paidA, 2, 72_500, 'dos_2');
    stored.push(...storedIncrements(outcomeIncrements(paidA, paidBoth, { type: 'payment', at: iso(2), dossierId: 'dos_2', amount: 72_500, paidAt: iso(2), key: 'p2' })));
    // the contact: one payer for the agency, one for each creditor
    expect(paidBoth.contacts[0]).toMatchObject({ o: 'r$', oc: { acme: 'r$', beta: 'r$' } });
    expect(paidA.contacts[0]).toMatchObject({ o: 'r$', oc: { acme: 'r$', beta: '' } });
    const view = (scope: string) => viewOf(stored.filter((i) => scope === '*' || i.scope === scope).map((i) => i.add), scope === '*');
    expect(view('acme')).toMatchObject({ 'channel:email|c': 1, 'channel:email|$': 1, 'channel:email|r': 1, 'channel:email|e': 25_000, 'client:acme|e': 25_000 });
    expect(view('beta')).toMatchObject({ 'channel:email|c': 1, 'channel:email|$': 1, 'channel:email|r': 1, 'channel:email|e': 72_500, 'client:beta|e': 72_500 });
    const agency = view('*');
    expect(agency).toMatchObject({ 'channel:email|c': 1, 'channel:email|$': 1, 'channel:email|r': 1, 'channel:email|e': 97_500 });
    expect(agency).toMatchObject({ 'client:acme|c': 1, 'client:acme|$': 1, 'client:acme|e': 25_000, 'client:beta|c': 1, 'client:beta|$': 1, 'client:beta|e': 72_500 });
    // an outcome about one creditor's claim only is none of the other's
    const replied = reply(two, 1, 'other', ['dos_2']);
    expect(replied.contacts[0]).toMatchObject({ o: 'ry', oc: { acme: '', beta: 'ry' } });
    const incs = outcomeIncrements(two, replied, { type: 'reply', at: iso(1), channel: 'sms', intent: 'other', dossierIds: ['dos_2'] });
    expect(incs.find((i) => i.scope === 'acme')).toBeUndefined();
    expect(incs.find((i) => i.scope === '*')!.add).toMatchObject({ 'channel:email|y': 1, 'client:beta|y': 1 });
    expect(incs.find((i) => i.scope === '*')!.add['client:acme|y']).toBeUndefined();
  });

  it('a contact sent: one contact at its list price in every group, a debtor once per group and journey', () => {
    const one = sent(caseWith([A]), 0, 1);
    const [agency, acme] = sentIncrements(one, one.journey.contacts[0]!, 1);
    expect(agency).toEqual({ scope: '*', day: '2026-03-02', add: expect.objectContaining({ 'channel:email|c': 1, 'channel:email|k': 1, 'channel:email|d': 1, 'segment:unknown|d': 1, 'variant:tone-test:firm|d': 1, 'client:acme|c': 1 }) });
    expect(acme!.scope).toBe('acme');
    const two = sent(one, 1, 2);
    const [again] = sentIncrements(two, two.journey.contacts[1]!, 1);
    expect(again!.add['channel:email|c']).toBe(1);
    expect(again!.add['channel:email|d']).toBeUndefined();
  });
});

describe('results maths (hand-computed)', () => {
  it('Wilson interval: 10 of 100 → [0.0552, 0.1744]', () => {
    const w = wilson(10, 100);
    expect(w.value).toBe(0.1);
    expect(w.low).toBeCloseTo(0.05523, 4);
    expect(w.high).toBeCloseTo(0.17437, 4);
    expect(wilson(0, 0)).toEqual({ value: 0, low: 0, high: 1 });
  });

  it('two proportions, 30/100 against 20/100: z = 0.1 / √(0.25·0.75·0.02) = 1.633, p = 0.1025; difference 0.10 ± 1.96·0.0608', () => {
    const d = proportionDifference({ s: 30, n: 100 }, { s: 20, n: 100 });
    expect(d.value).toBeCloseTo(0.1, 10);
    expect(d.pValue).toBeCloseTo(0.10247, 4);
    expect(d.low).toBeCloseTo(-0.01922, 4);
    expect(d.high).toBeCloseTo(0.21922, 4);
  });

  it('means: 10 debtors of 90/110 against 10 of 70/90 cents: s = 10.541, t = 4.243 on 18 df (Welch), p = 0.00049', () => {
    const v = { n: 10, s: 10, sum: 1_000, sq: 101_000 };
    const c = { n: 10, s: 10, sum: 800, sq: 65_000 };
    const m = meanInterval(v);
    expect(m.sd).toBeCloseTo(10.5409, 3);
    expect(m.low).toBeCloseTo(100 - 2.262157 * (10.5409 / Math.sqrt(10)), 3);
    const d = meanDifference(v, c);
    expect(d.value).toBe(20);
    expect(d.pValue).toBeCloseTo(0.00049, 4);
    expect(d.low).toBeCloseTo(20 - 2.100922 * 4.714045, 3);
  });

  it("the bandit's effective counts: successes in full, the others weighted by how much of the window passed", () => {
    const now = new Date('2026-03-31T12:00:00Z');
    // exposed 29 and 15 days before now, window 30 days
    const e = effective([{ day: '2026-03-02', n: 10, s: 4, sum: 0, sq: 0 }, { day: '2026-03-16', n: 10, s: 1, sum: 0, sq: 0 }], 'paid_within_30d', now);
    expect(e.s).toBe(5);
    expect(e.nEff).toBeCloseTo(4 + (29 / 30) * 6 + 1 + (15 / 30) * 9, 10);
    expect(posterior([{ day: '2026-03-02', n: 10, s: 4, sum: 0, sq: 0 }], 'paid_within_30d', now)).toEqual({ kind: 'beta', a: 5, b: expect.closeTo(1 + (29 / 30) * 6, 10) });
  });

  it('probability of being best: symmetric arms about even, a clearly better arm near 1; seeded, so repeatable', () => {
    const even = probabilityBest({ a: { kind: 'beta', a: 50, b: 50 }, b: { kind: 'beta', a: 50, b: 50 } }, 4000, 7);
    expect(even.a).toBeGreaterThan(0.45);
    expect(even.a).toBeLessThan(0.55);
    const clear = probabilityBest({ a: { kind: 'beta', a: 80, b: 20 }, b: { kind: 'beta', a: 50, b: 50 } }, 4000, 7);
    expect(clear.a).toBeGreaterThan(0.99);
    expect(probabilityBest({ a: { kind: 'beta', a: 3, b: 9 }, b: { kind: 'beta', a: 4, b: 8 } }, 2000, 3)).toEqual(probabilityBest({ a: { kind: 'beta', a: 3, b: 9 }, b: { kind: 'beta', a: 4, b: 8 } }, 2000, 3));
  });

  it('verdicts: running until enough debtors matured; a significant winner (Bonferroni); no difference at the maximum; a winner takes over', () => {
    const x = withExperiments({ ...EXPERIMENT, stopping: { minDebtorsPerVariant: 100, maxDebtorsPerVariant: 400 } }).experiments[0]!;
    const day = (variant: string, n: number, paid: number, d = '2026-01-05'): VariantDay => ({ variant, day: d, n, paid, reacted: 0, promised: 0, payers: paid, cents: 0, sq: 0 });
    const now = new Date('2026-03-01T00:00:00Z');
    expect(experimentResults(x, [day('control', 50, 10), day('firm', 50, 20)], now).verdict).toBe('running');
    const won = experimentResults(x, [day('control', 200, 20), day('firm', 200, 50)], now);
    expect(won.verdict).toBe('winner: firm');
    expect(won.variants[1]).toMatchObject({ variant: 'firm', n: 200, metric: { value: 0.25 }, difference: { value: 0.15 } });
    expect(experimentResults(x, [day('control', 400, 40), day('firm', 400, 44)], now).verdict).toBe('no difference');
    expect(allocationState(x, [day('control', 200, 20), day('firm', 200, 50)], now)).toEqual({ winner: 'firm' });
    // not matured yet (exposed 10 days ago, a 30-day window): not counted in n
    expect(experimentResults(x, [day('control', 200, 20, '2026-02-19')], now).variants[0]).toMatchObject({ exposed: 200, n: 0 });
  });
});

const _unused: Experiment | undefined = undefined;
void _unused;
