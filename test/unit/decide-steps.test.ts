/**
 * The decision's named steps one at a time (functions/domain/decide/): stops → phase (with the vulnerable and
 * 14-day letter gates) → channel → moment → costs. The whole decision is tested on full journeys in
 * strategy-decide.test.ts; here each step gets the case facts a decision would read (built through the reducer)
 * and is held to its own rule.
 */
import { describe, expect, it } from 'vitest';
import { applyEvent } from '../../functions/domain/case/events.js';
import type { DebtorFacts } from '../../functions/domain/case/facts.js';
import { type CaseState, factsOf } from '../../functions/domain/case/state.js';
import { channelFor, channelOrder, channelProblem } from '../../functions/domain/decide/channel.js';
import { decideContext } from '../../functions/domain/decide/context.js';
import { costState, splitCents } from '../../functions/domain/decide/costs.js';
import { afterFrequencyCap, afterGrace, firstAllowed, laterDays, windowFor } from '../../functions/domain/decide/moment.js';
import { journeyEnd, letterGate, nextStep, vulnerableGate } from '../../functions/domain/decide/phase.js';
import { notOverdueYet, stopFor } from '../../functions/domain/decide/stops.js';
import { type Strategy, parseStrategy } from '../../functions/domain/strategy.js';
import type { Phase } from '../../functions/domain/vocabulary.js';
import { caseWith } from '../support/cases.js';

const STRATEGY: Strategy = parseStrategy({
  version: 1,
  allowHandover: true,
  contactWindow: { startHour: 8, endHour: 20 },
  frequencyCap: { maxContacts: 2, perDays: 7 },
  leanDays: { from: 8, to: 12 },
  promiseGraceDays: 7,
  segments: Object.fromEntries(
    ['unaware', 'unknown', 'will_not_pay', 'cannot_pay', 'vulnerable'].map((segment) => [
      segment,
      {
        phases: [
          { phase: 'reminder', channels: ['email', 'sms'], rotate: true, fallback: ['letter'], tone: 'friendly', cadenceDays: 4, maxContacts: 2, escalateAfterDays: 5 },
          { phase: 'fourteen_day_letter', channels: ['letter', 'email'], tone: 'neutral', cadenceDays: 8, maxContacts: 2, escalateAfterDays: 0 },
          { phase: 'demand', channels: ['email', 'letter'], tone: 'neutral', cadenceDays: 10, maxContacts: 1, escalateAfterDays: 10 },
        ],
        end: { reason: `${segment}: sequence finished` },
      },
    ]),
  ),
});

const A = { dossierId: 'dos_1', clientId: 'acme', phone: '+31612345678', email: 'sam@example.invalid', address: { line1: 'Dorpsstraat 1', postalCode: '1234AB', city: 'Utrecht' }, dueDate: '2026-02-01' };
const NOW = new Date('2026-03-03T09:00:00Z'); // Tuesday 10:00 in Amsterdam
const ctxOf = (s: CaseState, now = NOW) => decideContext(factsOf(s), STRATEGY, now);

function contacted(s: CaseState, phases: Array<[Phase, 'email' | 'sms' | 'letter' | 'call', string]>): CaseState {
  return phases.reduce(
    (c, [phase, channel, at], i) =>
      applyEvent(c, { type: 'step_claimed', at, contact: { at, channel, phase, tone: 'neutral', stepNo: i + 1, journeyNo: 1, dossierIds: ['dos_1'] }, token: 't', timer: 'x' }),
    s,
  );
}

describe('stops', () => {
  it('debt help (a flag or a reply) ends all outreach', () => {
    const flagged = applyEvent(caseWith([A]), { type: 'flag', at: NOW.toISOString(), flag: 'wsnp' });
    expect(stopFor(ctxOf(flagged))).toMatchObject({ kind: 'done', reason: 'referred to debt help', reasons: expect.arrayContaining(['debtor in the WSNP (statutory debt restructuring)']) });
    const replied = applyEvent(caseWith([A]), { type: 'reply', at: NOW.toISOString(), channel: 'sms', intent: 'debt_help', dossierIds: ['dos_1'] });
    expect(stopFor(ctxOf(replied))).toMatchObject({ kind: 'done', reason: 'referred to debt help' });
  });

  it('nothing open left ends the journey; an open claim goes on', () => {
    const paid = applyEvent(caseWith([A]), { type: 'payment', at: NOW.toISOString(), dossierId: 'dos_1', amount: 10_000, paidAt: NOW.toISOString(), key: 'P' });
    expect(stopFor(ctxOf(paid))).toMatchObject({ kind: 'done', reason: 'no open dossiers left', reasons: ['every dossier is paid'] });
    expect(stopFor(ctxOf(caseWith([A])))).toBeUndefined();
  });

  it('a claim not overdue yet waits until the start of the day after its due date (Amsterdam)', () => {
    const early = caseWith([{ ...A, dueDate: '2026-03-10' }]);
    expect(notOverdueYet(ctxOf(early))).toMatchObject({ kind: 'wait', until: new Date('2026-03-10T23:00:00Z') });
    expect(notOverdueYet(ctxOf(caseWith([A])))).toBeUndefined();
  });
});

describe('phase', () => {
  it('the first contact is the first reminder, due when the first claim fell due, friendly', () => {
    const { step } = nextStep(ctxOf(caseWith([A])));
    expect(step).toMatchObject({ phase: 'reminder', contactNo: 0, channel: 'email', tone: 'friendly', why: ['first contact of the journey'] });
  });

  it('the next reminder is due a cadence after the previous one, on the next channel of the rotation', () => {
    const s = contacted(caseWith([A]), [['reminder', 'email', '2026-03-03T09:00:00.000Z']]);
    const { step } = nextStep(ctxOf(s, new Date('2026-03-04T09:00:00Z')));
    expect(step).toMatchObject({ phase: 'reminder', contactNo: 1, channel: 'sms', due: laterDays(Date.parse('2026-03-03T09:00:00Z'), 4) });
  });

  it('after the reminders: the 14-day letter, by post only, for the overdue claims it does not cover yet', () => {
    const s = contacted(caseWith([A]), [
      ['reminder', 'email', '2026-03-03T09:00:00.000Z'],
      ['reminder', 'sms', '2026-03-07T09:00:00.000Z'],
    ]);
    const { step } = nextStep(ctxOf(s, new Date('2026-03-13T09:00:00Z')));
    expect(step).toMatchObject({ phase: 'fourteen_day_letter', contactNo: 0, channel: 'letter' });
    expect(step!.dossiers.map((d) => d.dossierId)).toEqual(['dos_1']);
  });

  it('without a postal address the 14-day letter cannot go and a demand never goes before it', () => {
    const noAddress = contacted(caseWith([{ ...A, address: undefined }]), [
      ['reminder', 'email', '2026-03-03T09:00:00.000Z'],
      ['reminder', 'sms', '2026-03-07T09:00:00.000Z'],
    ]);
    const ctx = ctxOf(noAddress, new Date('2026-03-13T09:00:00Z'));
    const pick = nextStep(ctx);
    expect(pick.skipped).toContain('fourteen_day_letter skipped: no usable channel (letter skipped: no postal address)');
    expect(pick.step?.phase).toBe('demand');
    const gated = letterGate(ctx, pick.step!);
    expect('kind' in gated ? gated.kind : gated.phase).not.toBe('demand');
  });

  it('a vulnerable debtor gets an agent’s call before any escalation', () => {
    let s = contacted(caseWith([A]), [['reminder', 'email', '2026-03-03T09:00:00.000Z'], ['reminder', 'sms', '2026-03-07T09:00:00.000Z']]);
    s = applyEvent(s, { type: 'flag', at: '2026-03-02T09:00:00.000Z', flag: 'vulnerable' });
    const ctx = ctxOf(s, new Date('2026-03-13T09:00:00Z'));
    expect(ctx.seg.segment).toBe('vulnerable');
    const gated = vulnerableGate(ctx, nextStep(ctx).step!, undefined);
    expect(gated).toMatchObject({ channel: 'call', phase: 'reminder', why: expect.arrayContaining([expect.stringMatching(/an agent calls before the journey moves to fourteen_day_letter/)]) });
  });

  it('when every phase is used up the journey waits out the last escalation delay, then ends with the segment’s own end', () => {
    const s = contacted(caseWith([A]), [
      ['reminder', 'email', '2026-03-03T09:00:00.000Z'],
      ['fourteen_day_letter', 'letter', '2026-03-09T09:00:00.000Z'],
      ['demand', 'email', '2026-04-01T08:00:00.000Z'],
    ]);
    const before = ctxOf(s, new Date('2026-04-05T08:00:00Z'));
    expect(journeyEnd(before, [])).toMatchObject({ kind: 'wait', until: new Date(laterDays(Date.parse('2026-04-01T08:00:00Z'), 10)) });
    const after = ctxOf(s, new Date('2026-04-12T08:00:00Z'));
    expect(journeyEnd(after, [])).toMatchObject({ kind: 'done', reason: `${after.seg.segment}: sequence finished` });
    // nothing could ever be sent: said so
    expect(journeyEnd(ctxOf(caseWith([A])), ['reminder skipped: no usable channel'])).toMatchObject({ kind: 'done', reason: 'no usable channel left', reasons: ['reminder skipped: no usable channel'] });
  });
});

describe('channel', () => {
  const debtor: DebtorFacts = { consumer: true, language: 'nl', hasEmail: true, hasPhone: true, hasAddress: true, whatsappOptIn: false, optOuts: [], unusable: [], flags: [] };

  it.each([
    ['email', { optOuts: ['all'] }, 'opted out of all channels'],
    ['sms', { optOuts: ['sms'] }, 'opted out'],
    ['whatsapp', {}, 'no WhatsApp opt-in'],
    ['email', { unusable: ['email'] }, 'email address unusable'],
    ['letter', { hasAddress: false }, 'no postal address'],
    ['call', { hasPhone: false }, 'no phone number'],
  ] as const)('%s with %o: %s', (channel, over, problem) => {
    expect(channelProblem(channel, { ...debtor, ...over } as DebtorFacts)).toBe(problem);
  });

  it('rotation moves one usable channel per contact; fallbacks come last; a failed channel is avoided', () => {
    const spec = STRATEGY.segments.unaware.phases[0];
    expect(channelOrder(spec, 0, debtor, new Set(), 'normal')).toEqual(['email', 'sms', 'letter']);
    expect(channelOrder(spec, 1, debtor, new Set(), 'normal')).toEqual(['sms', 'email', 'letter']);
    expect(channelFor(spec, 0, debtor, new Set(['email']), 'normal')).toEqual({ channel: 'sms', reasons: ['email skipped: failed on the last attempt'] });
    expect(channelFor(spec, 0, { ...debtor, optOuts: ['email', 'sms'] }, new Set(), 'normal').channel).toBe('letter');
  });

  it('the 14-day letter goes by post only; the reminders inside its term never by post', () => {
    const spec = STRATEGY.segments.unaware.phases[1];
    expect(channelOrder(spec, 0, debtor, new Set(), 'letter')).toEqual(['letter']);
    expect(channelOrder(spec, 1, debtor, new Set(), 'no-letter')).toEqual(['email']);
  });
});

describe('moment', () => {
  const w = windowFor(STRATEGY);
  const local = (iso: string) => new Date(iso);

  it('never at night, never on a Sunday or an Atw holiday, never on the lean days', () => {
    // Saturday 28 February 21:30 → Sunday skipped → Monday 2 March 08:00 (CET)
    expect(firstAllowed(local('2026-02-28T20:30:00Z'), w, STRATEGY)).toEqual({
      at: new Date('2026-03-02T07:00:00Z'),
      reasons: expect.arrayContaining(['no contact between 20:00 and 07:00 (Bki art. 4.2)', 'no contact on Sundays']),
    });
    // Koningsdag, Monday 27 April 2026 → Tuesday 08:00 (CEST)
    const kd = firstAllowed(local('2026-04-27T08:00:00Z'), w, STRATEGY);
    expect(kd.at).toEqual(new Date('2026-04-28T06:00:00Z'));
    expect(kd.reasons.join(' ')).toMatch(/Algemene termijnenwet/);
    // 9 March is a lean day (8–12): the 13th at the window's start
    const lean = firstAllowed(local('2026-03-09T09:00:00Z'), w, STRATEGY);
    expect(lean.at).toEqual(new Date('2026-03-13T07:00:00Z'));
    expect(lean.reasons[0]).toMatch(/lean days/);
  });

  it('a promise keeps the debtor free of contact for promiseGraceDays, an earlier due date moves', () => {
    const promisedAt = '2026-03-03T09:00:00.000Z';
    const r = afterGrace(Date.parse('2026-03-04T09:00:00Z'), { callOutcomes: [], grace: { at: promisedAt, kind: 'promise' } }, STRATEGY);
    expect(r.due).toBe(laterDays(Date.parse(promisedAt), 7));
    expect(r.why).toMatch(/promised to pay/);
    expect(afterGrace(Date.parse('2026-04-01T09:00:00Z'), { callOutcomes: [], grace: { at: promisedAt, kind: 'promise' } }, STRATEGY).why).toBeUndefined();
  });

  it('the frequency cap counts every journey’s contacts: a third within 7 days waits for a free slot', () => {
    const t1 = Date.parse('2026-03-02T09:00:00Z');
    const t2 = Date.parse('2026-03-04T09:00:00Z');
    const r = afterFrequencyCap(Date.parse('2026-03-05T09:00:00Z'), [t1, t2], STRATEGY);
    expect(r.due).toBe(laterDays(t1, 7));
    expect(afterFrequencyCap(Date.parse('2026-03-05T09:00:00Z'), [t2], STRATEGY).why).toBeUndefined();
  });

  it('laterDays keeps the Amsterdam wall-clock time across the DST change', () => {
    // Friday 27 March 10:00 CET + 3 days = Monday 30 March 10:00 CEST
    expect(new Date(laterDays(Date.parse('2026-03-27T09:00:00Z'), 3)).toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });
});

describe('costs', () => {
  it('splitCents gives every cent to someone, in proportion, never negative', () => {
    for (const [total, weights] of [
      [4_000, [1, 1, 1]],
      [6_775_00, [12_345, 1, 0]],
      [1, [5, 5]],
      [0, [3, 4]],
    ] as Array<[number, number[]]>) {
      const shares = splitCents(total, weights);
      expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
      expect(shares.every((x) => Number.isSafeInteger(x) && x >= 0)).toBe(true);
    }
    expect(splitCents(4_000, [1, 1, 1]).sort()).toEqual([1_333, 1_333, 1_334]);
  });

  it('no costs while the 14-day term runs; the WIK amount once it has passed', () => {
    let s = contacted(caseWith([A]), [['fourteen_day_letter', 'letter', '2026-03-03T09:00:00.000Z']]);
    expect(s.dossiers.dos_1.letter).toBeDefined();
    expect(costState(factsOf(s).dossiers, new Date('2026-03-10T09:00:00Z')).updates).toEqual([]);
    const after = costState(factsOf(s).dossiers, new Date('2026-04-01T09:00:00Z'));
    // €100 principal: 15 % = €15, the WIK minimum €40
    expect(after.updates).toEqual([expect.objectContaining({ dossierId: 'dos_1', costs: 4_000 })]);
    s = applyEvent(s, { type: 'payment', at: '2026-03-05T09:00:00.000Z', dossierId: 'dos_1', amount: 10_000, paidAt: '2026-03-05T09:00:00.000Z', key: 'P' });
    expect(s.dossiers.dos_1.status).toBe('paid');
  });
});
