/**
 * The decision (functions/domain/decide/), fed with whole timelines folded into the case's facts (case/history.ts).
 *
 * Part 1, one decision at a time: stops, the calendar, payday timing, channels and fallbacks, the frequency cap,
 * the 14-day letter and costs, the phase read from the history, the end of the journey.
 * Part 2, whole journeys, simulated: call decideWithStrategy, advance `now` to the moment it asked for (a send's
 * nextDecisionAt, a wait's until), append what happened (a synthetic 'sent' event, a reply, an agent's call
 * outcome, a payment), repeat; costs the decisions return are written to the dossiers, as Decide would.
 * Part 3, the bundled templates/strategy.json: the same invariants on whatever operators put in it.
 *
 * Times: CET = UTC+1 until 29 March 2026, CEST = UTC+2 after. 2026 Atw days used: 3 Apr (Goede Vrijdag),
 * 5/6 Apr (Easter), 27 Apr (Koningsdag), 5 May, 14 May (Hemelvaart), 15 May (declared), 24/25 May, 25/26 Dec.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isAtwHoliday, isContactAllowed, localDate } from '../../functions/domain/calendar.js';
import { costsAllowedFrom, presumedReceipt } from '../../functions/domain/costs.js';
import type { DebtorFacts, DecisionInput, DossierFacts, HistoryEvent } from '../../functions/domain/decision.js';
import { nextPayday } from '../../functions/domain/payday.js';
import { factsFromHistory } from '../../functions/domain/case/history.js';
import { type StrategyDecision, channelProblem, decide, splitCents } from '../../functions/domain/decide/index.js';

/** The decision on a whole timeline (the input these tests were written in), folded into the case's facts. */
const decideWithStrategy = (input: DecisionInput, strategy: Strategy): StrategyDecision => decide(factsFromHistory(input), strategy, input.now);
import { type Strategy, defaultStrategy, parseStrategy, phaseIndex } from '../../functions/domain/strategy.js';

const ZONE = 'Europe/Amsterdam';

/**
 * A frozen copy of the strategy these tests were written against, so operators can edit templates/strategy.json
 * freely: exact sequences are checked against this copy; the bundled file gets the invariant checks (lawful
 * moments, the 14-day letter, no hand-over for vulnerable debtors, opt-outs) at the end of this file.
 */
const FIXTURE: Strategy = parseStrategy({
  version: 1,
  allowHandover: true,
  contactWindow: {startHour: 8, endHour: 20},
  frequencyCap: {maxContacts: 2, perDays: 7},
  leanDays: {from: 8, to: 12},
  promiseGraceDays: 7,
  segments: {
    unaware: {
      phases: [
        {phase: "reminder", channels: ["email", "sms", "whatsapp"], rotate: true, fallback: ["letter"], tone: "friendly", cadenceDays: 4, maxContacts: 3, escalateAfterDays: 5, timing: "payday", maxPaydayWaitDays: 10},
        {phase: "fourteen_day_letter", channels: ["letter", "email", "sms"], tone: "friendly", cadenceDays: 8, maxContacts: 2, escalateAfterDays: 0},
        {phase: "demand", channels: ["email", "sms", "letter"], tone: ["friendly", "neutral"], cadenceDays: 10, maxContacts: 2, escalateAfterDays: 10, timing: "payday", maxPaydayWaitDays: 10},
        {phase: "final_notice", channels: ["letter", "email"], tone: "firm", cadenceDays: 7, maxContacts: 1, escalateAfterDays: 14, timing: "payday", maxPaydayWaitDays: 10},
        {phase: "handover", channels: ["letter"], fallback: ["email"], tone: "neutral", cadenceDays: 7, maxContacts: 1, escalateAfterDays: 7},
      ],
      end: { reason: "sequence finished without payment" },
    },
    unknown: {
      phases: [
        {phase: "reminder", channels: ["email", "sms", "whatsapp", "letter"], rotate: true, tone: "friendly", cadenceDays: 5, maxContacts: 2, escalateAfterDays: 5, timing: "payday", maxPaydayWaitDays: 7},
        {phase: "fourteen_day_letter", channels: ["letter", "email"], tone: "neutral", cadenceDays: 8, maxContacts: 2, escalateAfterDays: 0},
        {phase: "demand", channels: ["letter", "email", "sms"], tone: ["friendly", "neutral"], cadenceDays: 10, maxContacts: 2, escalateAfterDays: 10, timing: "payday", maxPaydayWaitDays: 10},
        {phase: "final_notice", channels: ["letter", "email"], tone: "firm", cadenceDays: 7, maxContacts: 1, escalateAfterDays: 14, timing: "payday", maxPaydayWaitDays: 10},
        {phase: "handover", channels: ["letter"], fallback: ["email"], tone: "neutral", cadenceDays: 7, maxContacts: 1, escalateAfterDays: 7},
      ],
      end: { reason: "sequence finished without payment" },
    },
    will_not_pay: {
      phases: [
        {phase: "reminder", channels: ["sms", "email", "whatsapp", "letter"], tone: "neutral", cadenceDays: 3, maxContacts: 1, escalateAfterDays: 3},
        {phase: "fourteen_day_letter", channels: ["letter"], tone: "neutral", cadenceDays: 7, maxContacts: 1, escalateAfterDays: 0},
        {phase: "demand", channels: ["letter", "email", "sms"], tone: "neutral", cadenceDays: 7, maxContacts: 1, escalateAfterDays: 7, timing: "payday", maxPaydayWaitDays: 7},
        {phase: "final_notice", channels: ["letter", "email"], tone: "firm", cadenceDays: 7, maxContacts: 1, escalateAfterDays: 10},
        {phase: "handover", channels: ["letter"], fallback: ["email"], tone: "firm", cadenceDays: 7, maxContacts: 1, escalateAfterDays: 5},
      ],
      end: { reason: "sequence finished without payment" },
    },
    cannot_pay: {
      phases: [
        {phase: "reminder", channels: ["email", "call", "sms", "whatsapp"], rotate: true, fallback: ["letter"], tone: "friendly", cadenceDays: 10, maxContacts: 2, escalateAfterDays: 45},
      ],
      end: { reason: "referred to debt help" },
    },
    vulnerable: {
      phases: [
        {phase: "reminder", channels: ["letter", "email"], tone: "friendly", cadenceDays: 14, maxContacts: 1, escalateAfterDays: 14},
        {phase: "fourteen_day_letter", channels: ["letter"], tone: "friendly", cadenceDays: 14, maxContacts: 1, escalateAfterDays: 7},
        {phase: "demand", channels: ["letter", "email"], tone: "friendly", cadenceDays: 14, maxContacts: 1, escalateAfterDays: 30, timing: "payday", maxPaydayWaitDays: 14},
      ],
      end: { reason: "vulnerable debtor: left to an agent, no automatic hand-over" },
    },
  },
});

const at = (localIso: string) => DateTime.fromISO(localIso, { zone: ZONE }).toJSDate();
const lt = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE }).toFormat("ccc yyyy-MM-dd'T'HH:mm");

const DEBTOR: DebtorFacts = {
  consumer: true,
  language: 'nl',
  hasEmail: true,
  hasPhone: true,
  hasAddress: true,
  whatsappOptIn: false,
  optOuts: [],
  unusable: [],
  flags: [],
  incomeSource: { type: 'salary', rule: 'fixed_day', day: 25 },
};

function claim(over: Partial<DossierFacts> = {}): DossierFacts {
  return { dossierId: 'd1', clientId: 'c1', status: 'open', principal: 480_00, costs: 0, paid: 0, dueDate: '2026-03-06', createdAt: '2026-03-18T10:00:00Z', ...over };
}

interface Mk {
  now: string;
  debtor?: Partial<DebtorFacts>;
  dossiers?: DossierFacts[];
  history?: HistoryEvent[];
  stepNo?: number;
  lastError?: DecisionInput['lastError'];
  strategy?: Strategy;
}
function decideAt(m: Mk): StrategyDecision {
  const input: DecisionInput = {
    now: at(m.now),
    debtor: { ...DEBTOR, ...m.debtor },
    dossiers: m.dossiers ?? [claim()],
    journey: { journeyNo: 1, stepNo: m.stepNo ?? (m.history ?? []).filter((e) => e.type === 'sent' || e.type === 'call_task').length, startedAt: '2026-03-18T10:00:00Z' },
    history: m.history ?? [],
    lastError: m.lastError,
  };
  return decideWithStrategy(input, m.strategy ?? FIXTURE);
}

const sent = (localIso: string, template: string, stepNo: number, extra: Record<string, unknown> = {}): HistoryEvent => ({
  at: at(localIso).toISOString(),
  type: template.startsWith('call/') ? 'call_task' : 'sent',
  channel: template.split('/')[0],
  stepNo,
  data: { template, ...extra },
});

/** The default strategy changed by a function on its JSON. */
function variant(change: (s: Record<string, any>) => void): Strategy {
  const raw = JSON.parse(JSON.stringify(FIXTURE)) as Record<string, any>;
  change(raw);
  return parseStrategy(raw);
}
/** Every phase asap, no lean days: the calendar alone decides. */
const ASAP = variant((s) => {
  s.leanDays = null;
  for (const seg of Object.values(s.segments) as any[]) for (const p of seg.phases) {
    p.timing = 'asap';
    delete p.maxPaydayWaitDays;
  }
});

const reasonsOf = (d: StrategyDecision) => d.reasons.join(' | ');

// A consumer after two reminders: Thu 26 Mar (email), Mon 30 Mar (sms).
const TWO_REMINDERS = [sent('2026-03-26T08:00', 'email/reminder/friendly', 1), sent('2026-03-30T08:00', 'sms/reminder/friendly', 2)];
// ... then the 14-day letter on Mon 13 Apr (presumed receipt Wed 15 Apr, costs from Thu 30 Apr).
const WITH_LETTER = [...TWO_REMINDERS, sent('2026-04-13T08:00', 'letter/fourteen_day_letter/neutral', 3, { dossierIds: ['d1'] })];

describe('stops', () => {
  it.each([['wsnp'], ['moratorium'], ['debt_help_reported'], ['schuldhulp']])('flag %s → done "referred to debt help", no costs', (flag) => {
    const d = decideAt({ now: '2026-05-04T10:00', debtor: { flags: [flag] }, history: WITH_LETTER });
    expect(d).toMatchObject({ kind: 'done', reason: 'referred to debt help' });
    expect(d.costs).toBeUndefined();
    expect(reasonsOf(d)).toMatch(/all outreach and cost accrual stop/);
    // the dossiers leave collection with their own status (issue 8), not "open"
    expect(d.kind === 'done' && d.dossierStatus).toBe('debt_help');
  });

  it('a debt-help reply stops even before the flag is written', () => {
    const d = decideAt({ now: '2026-04-01T10:00', history: [...TWO_REMINDERS, { at: at('2026-04-01T09:00').toISOString(), type: 'replied', channel: 'sms', data: { intent: 'debt_help' } }] });
    expect(d).toMatchObject({ kind: 'done', reason: 'referred to debt help' });
  });

  it.each([
    [['paid']],
    [['paused']],
    [['withdrawn']],
    [['paid', 'paused', 'closed']],
  ])('dossiers %j → done "no open dossiers left"', (statuses) => {
    const d = decideAt({ now: '2026-03-26T10:00', dossiers: statuses.map((s, i) => claim({ dossierId: `d${i}`, status: s })) });
    expect(d).toMatchObject({ kind: 'done', reason: 'no open dossiers left' });
    expect(reasonsOf(d)).toContain(statuses[0]);
  });

  it('a paused (disputed) dossier is left out, the open one continues', () => {
    const d = decideAt({ now: '2026-03-26T08:00', dossiers: [claim(), claim({ dossierId: 'd2', status: 'paused' })] });
    expect(d).toMatchObject({ kind: 'send', dossierIds: ['d1'] });
  });

  it('nothing overdue yet → wait until the day after the due date', () => {
    const d = decideAt({ now: '2026-03-26T10:00', dossiers: [claim({ dueDate: '2026-04-01' })] });
    expect(d.kind).toBe('wait');
    expect(d.kind === 'wait' && lt(d.until)).toBe('Thu 2026-04-02T00:00');
  });

  it('only overdue dossiers are in a send', () => {
    const d = decideAt({ now: '2026-03-26T08:00', dossiers: [claim(), claim({ dossierId: 'd2', dueDate: '2026-04-30' })] });
    expect(d).toMatchObject({ kind: 'send', dossierIds: ['d1'] });
  });
});

describe('the calendar: never 20:00–07:00, Sundays or Atw holidays (every phase asap, no lean days)', () => {
  // claim long overdue, so the contact is due at once
  const old = [claim({ dueDate: '2025-10-01', createdAt: '2025-10-02T08:00:00Z' })];
  it.each([
    ['Thu 26 Mar 10:00 (allowed)', '2026-03-26T10:00', 'send', undefined, undefined],
    ['Sat 4 Apr 19:59 (Saturdays are allowed)', '2026-04-04T19:59', 'send', undefined, undefined],
    ['Thu 26 Mar 21:30 (night)', '2026-03-26T21:30', 'wait', 'Fri 2026-03-27T08:00', /no contact between 20:00 and 07:00/],
    ['Thu 26 Mar 06:59 (night)', '2026-03-26T06:59', 'wait', 'Thu 2026-03-26T08:00', /no contact between 20:00 and 07:00/],
    ['Thu 26 Mar 07:30 (legal, but before the strategy window)', '2026-03-26T07:30', 'wait', 'Thu 2026-03-26T08:00', /outside the strategy's contact window 08:00–20:00/],
    ['Sat 28 Mar 20:00 (night, then Sunday; DST)', '2026-03-28T20:00', 'wait', 'Mon 2026-03-30T08:00', /no contact on Sundays/],
    ['Goede Vrijdag', '2026-04-03T10:00', 'wait', 'Sat 2026-04-04T08:00', /no contact on Goede Vrijdag \(Algemene termijnenwet\)/],
    ['Easter Sunday and Monday', '2026-04-05T10:00', 'wait', 'Tue 2026-04-07T08:00', /Tweede Paasdag/],
    ['Koningsdag', '2026-04-27T12:00', 'wait', 'Tue 2026-04-28T08:00', /Koningsdag/],
    ['Bevrijdingsdag', '2026-05-05T09:00', 'wait', 'Wed 2026-05-06T08:00', /Bevrijdingsdag/],
    ['Hemelvaart + declared Friday', '2026-05-14T09:00', 'wait', 'Sat 2026-05-16T08:00', /Gelijkgestelde dag/],
    ['Pinksteren', '2026-05-23T20:30', 'wait', 'Tue 2026-05-26T08:00', /Tweede Pinksterdag/],
    ['Christmas', '2026-12-24T20:00', 'wait', 'Sun 2026-12-27T08:00', /Eerste Kerstdag/],
  ] as const)('%s', (_name, now, kind, until, reason) => {
    // 27 Dec 2026 is a Sunday: the Christmas case moves on once more
    const d = decideAt({ now, dossiers: old, strategy: ASAP });
    expect(d.kind).toBe(kind);
    if (d.kind === 'wait') {
      const expected = until === 'Sun 2026-12-27T08:00' ? 'Mon 2026-12-28T08:00' : until;
      expect(lt(d.until)).toBe(expected);
      expect(reasonsOf(d)).toMatch(reason!);
    }
  });

  it('a wait ends in a send at exactly that moment', () => {
    const w = decideAt({ now: '2026-04-03T10:00', dossiers: old, strategy: ASAP });
    expect(w.kind).toBe('wait');
    const s = decideAt({ now: DateTime.fromJSDate((w as { until: Date }).until, { zone: ZONE }).toISO()!, dossiers: old, strategy: ASAP });
    expect(s.kind).toBe('send');
  });

  it('a stricter phase window (10:00–12:00) is honoured', () => {
    const strict = variant((s) => {
      s.leanDays = null;
      s.segments.unknown.phases[0] = { ...s.segments.unknown.phases[0], timing: 'asap', contactWindow: { startHour: 10, endHour: 12 } };
      delete s.segments.unknown.phases[0].maxPaydayWaitDays;
    });
    const d = decideAt({ now: '2026-03-26T12:30', dossiers: old, strategy: strict });
    expect(d.kind === 'wait' && lt(d.until)).toBe('Fri 2026-03-27T10:00');
    expect(reasonsOf(d)).toMatch(/outside the strategy's contact window 10:00–12:00/);
    expect(decideAt({ now: '2026-03-27T11:59', dossiers: old, strategy: strict }).kind).toBe('send');
  });

  it('lean days around the 10th are skipped (default strategy)', () => {
    const d = decideAt({ now: '2026-04-09T10:00', dossiers: old, strategy: variant((s) => (s.segments.unknown.phases[0].timing = 'asap', delete s.segments.unknown.phases[0].maxPaydayWaitDays)) });
    expect(d.kind === 'wait' && lt(d.until)).toBe('Mon 2026-04-13T08:00');
    expect(reasonsOf(d)).toMatch(/lean days around the 10th \(day 8–12/);
  });
});

describe('payday timing (default strategy: first reminder after the payday when at most 10 days away)', () => {
  it.each([
    ['salary 25th, claim arrives Wed 18 Mar', { type: 'salary', rule: 'fixed_day', day: 25 }, '2026-03-18T11:00', 'Thu 2026-03-26T08:00', /expected payday 2026-03-25/],
    ['salary 25th, claim arrives in the days after payday', { type: 'salary', rule: 'fixed_day', day: 25 }, '2026-03-26T12:00', 'send', undefined],
    ['salary 25th, payday 23 days away → first allowed moment', { type: 'salary', rule: 'fixed_day', day: 25 }, '2026-03-02T11:00', 'send', undefined],
    ['salary 25th in April: Sat 25 → Fri 24, Mon 27 Koningsdag → Tue 28', { type: 'salary', rule: 'fixed_day', day: 25 }, '2026-04-20T11:00', 'Tue 2026-04-28T08:00', /paid the working day before: 2026-04-24/],
    ['AOW around the 23rd', { type: 'aow' }, '2026-03-18T11:00', 'Tue 2026-03-24T08:00', /AOW/],
    ['toeslagen on the 20th (Fri)', { type: 'toeslagen' }, '2026-03-16T11:00', 'Mon 2026-03-23T08:00', /toeslagen/],
    ['unknown income: assume the 25th', undefined, '2026-03-18T11:00', 'Thu 2026-03-26T08:00', /income source unknown/],
    ['invalid income data: treated as unknown', { type: 'lottery' }, '2026-03-18T11:00', 'Thu 2026-03-26T08:00', /income source unknown/],
  ] as const)('%s', (_name, income, created, expected, reason) => {
    const createdIso = at(created).toISOString();
    const dueDate = DateTime.fromISO(created, { zone: ZONE }).minus({ days: 10 }).toISODate()!; // young and small: unaware
    const d = decideAt({ now: created, debtor: { incomeSource: income as never }, dossiers: [claim({ createdAt: createdIso, dueDate })] });
    if (expected === 'send') {
      expect(d.kind).toBe('send');
    } else {
      expect(d.kind).toBe('wait');
      expect(d.kind === 'wait' && lt(d.until)).toBe(expected);
      expect(reasonsOf(d)).toMatch(reason!);
      // and at that moment it sends
      const s = decideAt({ now: DateTime.fromJSDate((d as { until: Date }).until, { zone: ZONE }).toISO()!, debtor: { incomeSource: income as never }, dossiers: [claim({ createdAt: createdIso, dueDate })] });
      expect(s.kind).toBe('send');
    }
  });
});

describe('channels', () => {
  const NOW = '2026-03-26T08:00'; // the first reminder is due and allowed: unaware, digital first
  it.each([
    ['default: email first', {}, undefined, [], 'email', undefined],
    ['email opted out → sms', { optOuts: ['email'] }, undefined, [], 'sms', /email skipped: opted out/],
    ['email unusable (bounced) → sms', { unusable: ['email'] }, undefined, [], 'sms', /email skipped: email address unusable/],
    ['no email address → sms', { hasEmail: false }, undefined, [], 'sms', /email skipped: no email address/],
    ['email and sms opted out, WhatsApp opt-in → whatsapp', { optOuts: ['email', 'sms'], whatsappOptIn: true }, undefined, [], 'whatsapp', /sms skipped: opted out/],
    ['email and sms opted out, no WhatsApp opt-in → the letter fallback', { optOuts: ['email', 'sms'] }, undefined, [], 'letter', /whatsapp skipped: no WhatsApp opt-in/],
    ['phone unusable: no sms, no whatsapp', { optOuts: ['email'], unusable: ['phone'], whatsappOptIn: true }, undefined, [], 'letter', /sms skipped: phone number unusable/],
    ['WhatsApp opted out', { optOuts: ['email', 'sms', 'whatsapp'], whatsappOptIn: true }, undefined, [], 'letter', /whatsapp skipped: opted out/],
    ['the last attempt by email failed → sms', {}, { channel: 'email', stepNo: 1, error: 'SendGrid 500' }, [], 'sms', /email skipped: failed on the last attempt/],
    [
      'a send_failed event since the last contact → another channel',
      {},
      undefined,
      [{ at: at('2026-03-26T07:59').toISOString(), type: 'send_failed', channel: 'email', stepNo: 1 }],
      'sms',
      /failed on the last attempt/,
    ],
  ] as const)('%s', (_name, debtor, lastError, history, channel, reason) => {
    const d = decideAt({ now: NOW, debtor: debtor as Partial<DebtorFacts>, lastError, history: [...history], stepNo: lastError ? 1 : 0 });
    expect(d.kind).toBe('send');
    if (d.kind !== 'send') return;
    expect(d.channel).toBe(channel);
    expect(d.template).toBe(`${channel}/reminder/friendly`);
    if (reason) expect(reasonsOf(d)).toMatch(reason);
  });

  it('opted out of all channels (STOPALL) → only the legally required 14-day letter, by post', () => {
    const d = decideAt({ now: NOW, debtor: { optOuts: ['all'] } });
    expect(d).toMatchObject({ kind: 'send', channel: 'letter', phase: 'fourteen_day_letter' });
    expect(reasonsOf(d)).toMatch(/opted out of all channels/);
    const after = decideAt({ now: '2026-04-20T10:00', debtor: { optOuts: ['all'] }, history: [sent('2026-03-18T10:00', 'letter/fourteen_day_letter/friendly', 1, { dossierIds: ['d1'] })] });
    expect(after.kind === 'send' ? after.channel : after.kind).not.toMatch(/email|sms|whatsapp|call/);
  });

  it('rotates over the usable channels per contact', () => {
    const h1 = [sent('2026-03-26T08:00', 'email/reminder/friendly', 1)];
    const d = decideAt({ now: '2026-03-30T10:00', history: h1, debtor: { whatsappOptIn: true } });
    expect(d.kind === 'send' && d.channel).toBe('sms');
    const h2 = [...h1, sent('2026-03-30T10:00', 'sms/reminder/friendly', 2)];
    const d2 = decideAt({ now: '2026-04-04T10:00', history: h2, debtor: { whatsappOptIn: true } });
    expect(d2.kind === 'send' && d2.channel).toBe('whatsapp');
  });

  it.each([
    ['email', { ...DEBTOR }, undefined],
    ['whatsapp', { ...DEBTOR }, 'no WhatsApp opt-in'],
    ['whatsapp', { ...DEBTOR, whatsappOptIn: true }, undefined],
    ['call', { ...DEBTOR, optOuts: ['sms'] }, undefined],
    ['call', { ...DEBTOR, optOuts: ['call'] }, 'opted out'],
    ['letter', { ...DEBTOR, hasAddress: false }, 'no postal address'],
    ['letter', { ...DEBTOR, unusable: ['address'] }, 'postal address unusable'],
    ['sms', { ...DEBTOR, hasPhone: false }, 'no phone number'],
  ] as const)('channelProblem(%s)', (channel, debtor, problem) => {
    expect(channelProblem(channel, debtor as DebtorFacts)).toBe(problem);
  });
});

describe('frequency cap (per debtor, across journeys)', () => {
  const fast = variant((s) => {
    s.leanDays = null;
    s.frequencyCap = { maxContacts: 2, perDays: 7 };
    s.segments.unknown.phases[0] = { phase: 'reminder', channels: ['email', 'sms'], rotate: true, tone: 'friendly', cadenceDays: 1, maxContacts: 5, escalateAfterDays: 1 };
  });
  const old = [claim({ dueDate: '2026-01-05', createdAt: '2026-01-06T08:00:00Z' })];

  it('a third contact within 7 days waits until the oldest leaves the window', () => {
    const history = [sent('2026-03-02T10:00', 'email/reminder/friendly', 1), sent('2026-03-03T10:00', 'sms/reminder/friendly', 2)];
    const d = decideAt({ now: '2026-03-04T10:00', history, dossiers: old, strategy: fast });
    expect(d.kind).toBe('wait');
    expect(d.kind === 'wait' && lt(d.until)).toBe('Mon 2026-03-09T10:00');
    expect(reasonsOf(d)).toMatch(/frequency cap: at most 2 contacts per 7 days/);
    expect(decideAt({ now: '2026-03-09T10:00', history, dossiers: old, strategy: fast }).kind).toBe('send');
  });

  it('contacts of a previous journey count too', () => {
    const history = [
      sent('2026-03-02T10:00', 'email/reminder/friendly', 1),
      sent('2026-03-03T10:00', 'sms/reminder/friendly', 2),
      { at: at('2026-03-03T12:00').toISOString(), type: 'journey_ended' },
    ];
    const d = decideAt({ now: '2026-03-04T10:00', history, dossiers: old, strategy: fast, stepNo: 0 });
    expect(d.kind).toBe('wait');
    expect(reasonsOf(d)).toMatch(/frequency cap/);
  });
});

describe('the 14-day letter (consumers) and what follows', () => {
  it('after the reminders: the 14-day letter by post, for the open dossiers', () => {
    const d = decideAt({ now: '2026-04-13T08:00', history: TWO_REMINDERS });
    expect(d).toMatchObject({ kind: 'send', channel: 'letter', phase: 'fourteen_day_letter', template: 'letter/fourteen_day_letter/neutral', dossierIds: ['d1'], stepNo: 3 });
  });

  it('no usable address: no 14-day letter, so no demand: the journey ends with that reason', () => {
    const history = [...TWO_REMINDERS, sent('2026-04-04T08:00', 'email/reminder/friendly', 3)];
    const d = decideAt({ now: '2026-04-13T08:00', history, debtor: { unusable: ['address'] } });
    expect(d).toMatchObject({ kind: 'done', reason: 'no usable postal address for the 14-day letter' });
  });

  it('no demand inside the term: waits until receipt + 15 days', () => {
    const history = [...WITH_LETTER, sent('2026-04-21T08:00', 'email/fourteen_day_letter/neutral', 4)];
    const d = decideAt({ now: '2026-04-22T10:00', history });
    expect(d.kind).toBe('wait');
    expect(reasonsOf(d)).toMatch(/14-day term: letter received 2026-04-15, no demand before 2026-04-30/);
    expect(d.kind === 'wait' && d.until >= at('2026-04-30T00:00')).toBe(true);
  });

  it('a business gets a demand after the reminders, no 14-day letter', () => {
    const d = decideAt({ now: '2026-04-13T08:00', history: TWO_REMINDERS, debtor: { consumer: false } });
    expect(d).toMatchObject({ kind: 'send', phase: 'demand' });
  });

  it('a claim that joins after the 14-day letter gets its own letter before any demand mentions it', () => {
    const history = [...WITH_LETTER, sent('2026-04-21T08:00', 'email/fourteen_day_letter/neutral', 4), sent('2026-04-30T08:00', 'letter/demand/friendly', 5, { dossierIds: ['d1'] })];
    const dossiers = [claim({ costs: 72_00 }), claim({ dossierId: 'd2', principal: 100_00, dueDate: '2026-04-20', createdAt: '2026-05-04T09:00:00Z' })];
    const d = decideAt({ now: '2026-05-04T11:00', history, dossiers });
    expect(d).toMatchObject({ kind: 'send', channel: 'letter', phase: 'fourteen_day_letter', dossierIds: ['d2'] });
    expect(reasonsOf(d)).toMatch(/the 14-day letter comes before any (demand|final_notice): not yet sent for d2/);
    // after it, the next escalation goes for d1 only: d2 is inside its term
    const later = [...history, sent('2026-05-04T11:00', 'letter/fourteen_day_letter/neutral', 6, { dossierIds: ['d2'] })];
    const next = decideAt({ now: '2026-05-13T08:00', history: later, dossiers });
    expect(next).toMatchObject({ kind: 'send', dossierIds: ['d1'] });
    expect(next.kind === 'send' && next.phase).not.toBe('fourteen_day_letter');
  });
});

describe('follow-ups of the 14-day letter state its term end (DESIGN §5 rule 12, Atw art. 1)', () => {
  // letter Mon 13 Apr 08:00 → presumed receipt Wed 15 Apr → the term ends Wed 29 Apr → costs from Thu 30 Apr
  it('the follow-up inside the term carries the term end costs are charged on, and says so in the decision log', () => {
    const d = decideAt({ now: '2026-04-21T08:00', history: WITH_LETTER, strategy: ASAP });
    expect(d).toMatchObject({ kind: 'send', phase: 'fourteen_day_letter', termEndDate: '2026-04-29' });
    expect(d.kind === 'send' && d.channel).not.toBe('letter');
    expect(reasonsOf(d)).toContain("states the 14-day letter's term end 2026-04-29 (costs from the day after)");
  });

  it('a later term an earlier message stated is the one the next follow-up states, and costs and the demand wait for it (art. 6:96 lid 6 BW)', () => {
    const dossiers = [claim({ statedTermEnd: '2026-05-02' })];
    const d = decideAt({ now: '2026-04-21T08:00', history: WITH_LETTER, dossiers, strategy: ASAP });
    expect(d).toMatchObject({ kind: 'send', phase: 'fourteen_day_letter', termEndDate: '2026-05-02' });
    const history = [...WITH_LETTER, sent('2026-04-21T08:00', 'email/fourteen_day_letter/neutral', 4, { dossierIds: ['d1'] })];
    const inTerm = decideAt({ now: '2026-05-01T10:00', history, dossiers, strategy: ASAP });
    expect(inTerm.costs).toBeUndefined();
    expect(inTerm.kind).toBe('wait');
    const after = decideAt({ now: '2026-05-04T10:00', history, dossiers, strategy: ASAP });
    expect(after.costs?.[0]).toMatchObject({ dossierId: 'd1', costs: 72_00, from: '2026-05-03' });
    expect(after.costs?.[0].reason).toContain('a message stated the term ends 2026-05-02: costs wait until 2026-05-03 (legal term allowed 2026-04-30)');
  });

  it('no reminder of a term that has ended: the 14-day letter phase moves on once its term is over', () => {
    const d = decideAt({ now: '2026-04-30T10:00', history: WITH_LETTER, strategy: ASAP });
    expect(d.kind === 'send' && d.phase).not.toBe('fourteen_day_letter');
    expect(reasonsOf(d)).toContain("14-day letter reminder skipped: the letter's term has ended");
  });

  it('messages of other phases state no term end', () => {
    const d = decideAt({ now: '2026-03-26T10:00', strategy: ASAP });
    expect(d).toMatchObject({ kind: 'send', phase: 'reminder' });
    expect(d.kind === 'send' && d.termEndDate).toBeUndefined();
  });
});

describe('costs (costs.ts costsDue after the 14-day term)', () => {
  // the letter went Mon 13 Apr 08:00: presumed receipt Wed 15 Apr, term until 29 Apr, costs from Thu 30 Apr
  const pay = (localIso: string, amount?: number, dossierId = 'd1'): HistoryEvent => ({
    at: at(localIso).toISOString(),
    type: 'payment',
    ...(amount !== undefined ? { data: { amount, dossierId } } : {}),
  });
  it.each([
    ['inside the term: none', '2026-04-29T19:00', [claim()], [], undefined],
    ['the day costs are allowed: WIK on €480 = €72', '2026-04-30T08:00', [claim()], [], [{ dossierId: 'd1', costs: 72_00 }]],
    ['partial payment inside the term lowers the base (€280 → €42)', '2026-04-30T08:00', [claim({ paid: 200_00 })], [pay('2026-04-20T10:00', 200_00)], [{ dossierId: 'd1', costs: 42_00 }]],
    ['payment on the last day of the term counts', '2026-04-30T08:00', [claim({ paid: 200_00 })], [pay('2026-04-29T23:30', 200_00)], [{ dossierId: 'd1', costs: 42_00 }]],
    ['payment after the term does not lower costs', '2026-05-04T08:00', [claim({ paid: 200_00 })], [pay('2026-04-30T10:00', 200_00)], [{ dossierId: 'd1', costs: 72_00 }]],
    ['payment events without amounts: counted in the debtor\u2019s favour from the earliest one', '2026-04-30T08:00', [claim({ paid: 200_00 })], [pay('2026-04-20T10:00')], [{ dossierId: 'd1', costs: 42_00 }]],
    ['undescribed payment after the term', '2026-05-04T08:00', [claim({ paid: 200_00 })], [pay('2026-05-02T10:00')], [{ dossierId: 'd1', costs: 72_00 }]],
    ['already written: nothing to do', '2026-05-04T08:00', [claim({ costs: 72_00 })], [], undefined],
    [
      'two claims of one creditor: WIK on the sum (€3,000 → €425), shared by principal',
      '2026-04-30T08:00',
      [claim({ principal: 1_000_00 }), claim({ dossierId: 'd2', principal: 2_000_00 })],
      [],
      [{ dossierId: 'd1', costs: 141_67 }, { dossierId: 'd2', costs: 283_33 }],
    ],
    [
      'two creditors: each its own WIK (€1,000 → €150, €2,000 → €300)',
      '2026-04-30T08:00',
      [claim({ principal: 1_000_00 }), claim({ dossierId: 'd2', clientId: 'c2', principal: 2_000_00 })],
      [],
      [{ dossierId: 'd1', costs: 150_00 }, { dossierId: 'd2', costs: 300_00 }],
    ],
    ['the €40 minimum', '2026-04-30T08:00', [claim({ principal: 100_00 })], [], [{ dossierId: 'd1', costs: 40_00 }]],
  ] as const)('%s', (_name, now, dossiers, payments, expected) => {
    const letter = sent('2026-04-13T08:00', 'letter/fourteen_day_letter/neutral', 3, { dossierIds: dossiers.map((d) => d.dossierId) });
    const d = decideAt({ now, dossiers: dossiers.map((x) => ({ ...x })), history: [...TWO_REMINDERS, letter, ...payments] });
    if (expected === undefined) expect(d.costs).toBeUndefined();
    else {
      expect(d.costs?.map(({ dossierId, costs }) => ({ dossierId, costs }))).toEqual(expected);
      for (const c of d.costs!) expect(c.reason).toMatch(/14-day letter of 2026-04-13, receipt 2026-04-15: term ended 2026-04-29/);
    }
  });

  it('a proven delivery date moves the term (delivered Tue 14 Apr → costs from 29 Apr)', () => {
    const history = [...WITH_LETTER, { at: at('2026-04-14T11:00').toISOString(), type: 'delivered', channel: 'letter', stepNo: 3 }];
    expect(decideAt({ now: '2026-04-28T19:00', history }).costs).toBeUndefined();
    expect(decideAt({ now: '2026-04-29T08:00', history }).costs?.[0]).toMatchObject({ costs: 72_00 });
  });

  it('business claim (art. 6:96 lid 4 and 5 BW, DESIGN §5 rule 14): WIK costs from the day after the due date, no 14-day letter needed, the rule named', () => {
    const d = decideAt({ now: '2026-03-18T12:00', history: [], debtor: { consumer: false } });
    expect(d.costs).toEqual([expect.objectContaining({ dossierId: 'd1', costs: 72_00, from: '2026-03-07' })]);
    expect(d.costs![0].reason).toMatch(/business debtor, no 14-day letter needed .*WIK scale on €480\.00 \(Besluit BIK art\. 2, art\. 6:96 lid 5 BW; no other agreement\)/);
    expect(reasonsOf(d)).toMatch(/costs d1: €72\.00 \(business debtor/);
    // an agreed fixed amount below €40 is raised to €40 for a commercial transaction (art. 6:96 lid 4 BW)
    const agreed = decideAt({ now: '2026-03-18T12:00', history: [], debtor: { consumer: false }, dossiers: [claim({ businessCosts: { type: 'fixed', amountCents: 25_00 } })] });
    expect(agreed.costs?.[0]).toMatchObject({ costs: 40_00 });
    expect(agreed.costs?.[0].reason).toMatch(/agreed fixed amount €25\.00 .*raised to €40\.00/);
    // not overdue yet: nothing
    expect(decideAt({ now: '2026-03-06T12:00', history: [], debtor: { consumer: false } }).costs).toBeUndefined();
  });

  it('no costs after a debt-relief stop, nor for a claim the letter does not cover', () => {
    expect(decideAt({ now: '2026-05-04T08:00', history: WITH_LETTER, debtor: { flags: ['wsnp'] } }).costs).toBeUndefined();
    const late = claim({ dossierId: 'd2', createdAt: '2026-04-20T10:00:00Z' });
    const history = [...TWO_REMINDERS, sent('2026-04-13T08:00', 'letter/fourteen_day_letter/neutral', 3)]; // no dossierIds: covers claims that existed then
    expect(decideAt({ now: '2026-05-04T08:00', history, dossiers: [claim(), late] }).costs?.map((c) => c.dossierId)).toEqual(['d1']);
  });

  it.each([
    [425_00, [1, 2], [141_67, 283_33]],
    [100, [1, 1, 1], [34, 33, 33]],
    [0, [5, 5], [0, 0]],
    [40_00, [0, 0], [0, 0]],
    [72_00, [480_00], [72_00]],
  ])('splitCents(%i, %j) → %j', (total, weights, parts) => {
    expect(splitCents(total, weights)).toEqual(parts);
    if (weights.some((w) => w > 0)) expect(splitCents(total, weights).reduce((a, b) => a + b, 0)).toBe(total);
  });
});

describe('the phase is read from the history', () => {
  it.each([
    ['data.template', TWO_REMINDERS],
    ['data.phase', TWO_REMINDERS.map((e) => ({ ...e, data: { phase: 'reminder' } }))],
    ['a top-level template (as stored on the timeline)', TWO_REMINDERS.map((e) => ({ ...e, data: undefined, template: (e.data as { template: string }).template }))],
    ['nothing: replayed from the strategy', TWO_REMINDERS.map((e) => ({ ...e, data: undefined }))],
  ])('%s → after two reminders the 14-day letter', (_n, history) => {
    const d = decideAt({ now: '2026-04-13T08:00', history: history as HistoryEvent[] });
    expect(d).toMatchObject({ kind: 'send', phase: 'fourteen_day_letter', stepNo: 3 });
  });

  it('contacts of a previous journey (before journey_ended) do not count for this one', () => {
    const history: HistoryEvent[] = [
      sent('2025-09-01T10:00', 'email/reminder/friendly', 1),
      sent('2025-09-05T10:00', 'sms/reminder/friendly', 2),
      { at: at('2025-09-20T10:00').toISOString(), type: 'journey_ended' },
    ];
    const d = decideAt({ now: '2026-03-26T08:00', history, stepNo: 0 });
    expect(d).toMatchObject({ kind: 'send', phase: 'reminder', stepNo: 1 });
    expect(reasonsOf(d)).toMatch(/first contact of the journey/);
  });

  it('contacts tagged with another journeyNo do not count', () => {
    const history = TWO_REMINDERS.map((e) => ({ ...e, data: { ...e.data, journeyNo: 0 } }));
    const d = decideAt({ now: '2026-03-26T08:00', history, stepNo: 0 });
    expect(d).toMatchObject({ kind: 'send', phase: 'reminder' });
  });

  it('stepNo is always above the journey step (also after a failed step)', () => {
    const d = decideAt({ now: '2026-03-26T08:00', stepNo: 7, lastError: { channel: 'email', stepNo: 7, error: 'boom' } });
    expect(d.kind === 'send' && d.stepNo).toBe(8);
  });
});

describe('the decision', () => {
  it('has the Decision shape plus segment and reasons', () => {
    const d = decideAt({ now: '2026-03-26T08:00', debtor: { language: 'en' } });
    expect(d).toMatchObject({ kind: 'send', stepNo: 1, channel: 'email', phase: 'reminder', tone: 'friendly', language: 'en', template: 'email/reminder/friendly', dossierIds: ['d1'], segment: 'unaware' });
    expect(d.segmentReasons.join(' ')).toMatch(/probably forgotten/);
    expect(reasonsOf(d)).toMatch(/segment unaware: phase reminder, contact 1 of 3, friendly tone/);
  });

  it('nextDecisionAt is the next planned contact moment (payday-aware, calendar-checked)', () => {
    const d = decideAt({ now: '2026-03-26T08:00' });
    expect(d.kind === 'send' && lt(d.nextDecisionAt)).toBe('Mon 2026-03-30T08:00');
  });

  it('a promise to pay holds contact for promiseGraceDays', () => {
    const history = [sent('2026-03-26T08:00', 'email/reminder/friendly', 1), { at: at('2026-03-27T09:00').toISOString(), type: 'replied', channel: 'sms', data: { intent: 'promise_to_pay' } }];
    const d = decideAt({ now: '2026-03-30T08:00', history });
    expect(d.kind === 'wait' && lt(d.until)).toBe('Fri 2026-04-03T09:00'.replace('Fri 2026-04-03T09:00', 'Sat 2026-04-04T08:00')); // 3 Apr is Goede Vrijdag
    expect(reasonsOf(d)).toMatch(/promised to pay on 2026-03-27 09:00: no contact for 7 days/);
  });

  it('"already paid" holds contact too, for the creditor to check', () => {
    const history = [sent('2026-03-26T08:00', 'email/reminder/friendly', 1), { at: at('2026-03-27T09:00').toISOString(), type: 'replied', channel: 'sms', data: { intent: 'already_paid' } }];
    expect(reasonsOf(decideAt({ now: '2026-03-30T08:00', history }))).toMatch(/says the claim is already paid/);
  });
});

describe('the end of the journey', () => {
  const FULL = [
    ...WITH_LETTER,
    sent('2026-04-21T08:00', 'email/fourteen_day_letter/neutral', 4),
    sent('2026-04-30T08:00', 'letter/demand/friendly', 5),
    sent('2026-05-13T08:00', 'letter/final_notice/firm', 6),
    sent('2026-05-23T08:00', 'letter/handover/firm', 7),
  ];
  const dossiers = [claim({ costs: 72_00 })];

  it('after the hand-over notice: wait, then done with the dossiers handed over', () => {
    const w = decideAt({ now: '2026-05-25T10:00', history: FULL, dossiers });
    expect(w.kind).toBe('wait');
    const d = decideAt({ now: '2026-05-30T10:00', history: FULL, dossiers });
    expect(d).toMatchObject({ kind: 'done', reason: 'handed over: no payment after the hand-over notice', dossierStatus: 'handed_over' });
  });

  it('allowHandover: false → no hand-over phase, ends with the segment reason', () => {
    const noHandover = variant((s) => (s.allowHandover = false));
    const d = decideAt({ now: '2026-06-10T10:00', history: FULL.slice(0, -1), dossiers, strategy: noHandover });
    expect(d, JSON.stringify(d) + JSON.stringify(noHandover.segments[d.segment])).toMatchObject({ kind: 'done', reason: 'sequence finished without payment' });
    expect(d.kind === 'done' && d.dossierStatus).toBeUndefined();
  });

  it('"kan niet betalen" after the hand-over notice: no hand-over, a friendly arrangement offer instead', () => {
    const reply = { at: at('2026-05-27T10:00').toISOString(), type: 'replied', channel: 'sms', data: { intent: 'cannot_pay' } };
    const d = decideAt({ now: '2026-05-27T10:00', history: [...FULL, reply], dossiers, debtor: { flags: ['cannot_pay_reported'] } });
    expect(d).toMatchObject({ kind: 'send', tone: 'friendly', phase: 'reminder', segment: 'cannot_pay' });
  });

  it('vulnerable after the final notice: no hand-over', () => {
    const d = decideAt({ now: '2026-06-10T10:00', history: FULL.slice(0, -1), dossiers, debtor: { flags: ['curatele'] } });
    expect(d.kind === 'done' ? d.dossierStatus : undefined).toBeUndefined();
    expect(d.kind === 'send' ? d.phase : 'none').not.toBe('handover');
  });
});


// =====================================================================================================
// Part 2: whole journeys
// =====================================================================================================

const DAY = 86_400_000;
const local = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE });

type Send = Extract<StrategyDecision, { kind: 'send' }>;

interface Sim {
  decisions: Array<{ at: Date; d: StrategyDecision }>;
  sends: Array<{ at: Date; d: Send }>;
  end?: { at: Date; d: Extract<StrategyDecision, { kind: 'done' }> };
  history: HistoryEvent[];
  dossiers: DossierFacts[];
  /** every costs update the decisions asked for, with the moment */
  costs: Array<{ at: Date; dossierId: string; costs: number }>;
}

interface SimOptions {
  start: string;
  days?: number;
  debtor?: Partial<DebtorFacts>;
  dossiers?: DossierFacts[];
  strategy?: Strategy;
  /** things that happen to the case at a moment (the journey wakes then): replies, payments, flags */
  events?: Array<{ at: string; event?: HistoryEvent; flags?: string[]; optOut?: string; payment?: { dossierId: string; amount: number } }>;
  /** an agent completes each call task this long after it was created, with this outcome */
  agent?: { afterHours: number; outcome: string };
}

const SIM_DEBTOR: DebtorFacts = {
  consumer: true,
  language: 'nl',
  hasEmail: true,
  hasPhone: true,
  hasAddress: true,
  whatsappOptIn: true,
  optOuts: [],
  unusable: [],
  flags: [],
  incomeSource: { type: 'salary', rule: 'fixed_day', day: 25 },
};


function simulate(o: SimOptions): Sim {
  const strategy = o.strategy ?? FIXTURE;
  let now = new Date(o.start);
  const stop = now.getTime() + (o.days ?? 120) * DAY;
  const debtor: DebtorFacts = { ...SIM_DEBTOR, ...o.debtor, flags: [...(o.debtor?.flags ?? [])], optOuts: [...(o.debtor?.optOuts ?? [])] };
  const dossiers = (o.dossiers ?? [claim()]).map((d) => ({ ...d }));
  const history: HistoryEvent[] = [];
  const pending = [...(o.events ?? [])].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const sim: Sim = { decisions: [], sends: [], history, dossiers, costs: [] };
  let stepNo = 0;
  for (let i = 0; i < 500; i++) {
    const input: DecisionInput = {
      now,
      debtor,
      dossiers: dossiers.map((d) => ({ ...d })),
      journey: { journeyNo: 1, stepNo, startedAt: o.start },
      history: history.map((e) => ({ ...e })),
    };
    const d = decideWithStrategy(input, strategy);
    sim.decisions.push({ at: now, d });
    for (const c of d.costs ?? []) {
      const target = dossiers.find((x) => x.dossierId === c.dossierId)!;
      target.costs = c.costs;
      if (c.from) target.costsFrom = c.from;
      sim.costs.push({ at: now, dossierId: c.dossierId, costs: c.costs });
    }
    let next: Date;
    if (d.kind === 'done') {
      sim.end = { at: now, d };
      break;
    } else if (d.kind === 'send') {
      expect(d.stepNo).toBeGreaterThan(stepNo);
      expect(d.nextDecisionAt.getTime()).toBeGreaterThan(now.getTime());
      sim.sends.push({ at: now, d });
      history.push({
        at: now.toISOString(),
        type: d.channel === 'call' ? 'call_task' : 'sent',
        channel: d.channel,
        stepNo: d.stepNo,
        data: { template: d.template, dossierIds: d.dossierIds },
      });
      stepNo = d.stepNo;
      next = d.nextDecisionAt;
      if (d.channel === 'call' && o.agent) {
        pending.push({ at: new Date(now.getTime() + o.agent.afterHours * 3_600_000).toISOString(), event: { at: '', type: 'call_outcome', channel: 'call', data: { outcome: o.agent.outcome } } });
        pending.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      }
    } else {
      expect(d.until.getTime()).toBeGreaterThan(now.getTime());
      next = d.until;
    }
    // something happens before the planned moment: the journey wakes then
    if (pending.length && Date.parse(pending[0].at) <= next.getTime()) {
      const p = pending.shift()!;
      next = new Date(p.at);
      if (p.event) history.push({ ...p.event, at: p.at });
      if (p.flags) debtor.flags.push(...p.flags);
      if (p.optOut) debtor.optOuts.push(p.optOut);
      if (p.payment) {
        const target = dossiers.find((x) => x.dossierId === p.payment!.dossierId)!;
        target.paid += p.payment.amount;
        if (target.paid >= target.principal + target.costs) target.status = 'paid';
        history.push({ at: p.at, type: 'payment', data: { amount: p.payment.amount, dossierId: p.payment.dossierId } });
      }
    }
    if (next.getTime() > stop) break;
    now = next;
  }
  return sim;
}

function expectLawfulMoments(sim: Sim) {
  for (const { at, d } of sim.sends) {
    const l = local(at);
    const what = `${d.channel} ${d.phase} at ${l.toISO()}`;
    expect(isContactAllowed(at), what).toBe(true);
    expect(l.weekday, what).not.toBe(7);
    expect(isAtwHoliday(localDate(at)).holiday, what).toBe(false);
    expect(l.hour, what).toBeGreaterThanOrEqual(7);
    expect(l.hour, what).toBeLessThan(20);
  }
}

function expectLetterBeforeDemand(sim: Sim) {
  const letter = sim.sends.find((s) => s.d.phase === 'fourteen_day_letter');
  const demands = sim.sends.filter((s) => phaseIndex(s.d.phase) > phaseIndex('fourteen_day_letter'));
  if (demands.length === 0) return;
  expect(letter, 'a 14-day letter before the first demand').toBeDefined();
  expect(letter!.d.channel).toBe('letter');
  const from = costsAllowedFrom(presumedReceipt(letter!.at));
  for (const s of demands) {
    expect(s.at.getTime()).toBeGreaterThan(letter!.at.getTime());
    expect(localDate(s.at) >= from, `${s.d.phase} on ${localDate(s.at)} before the term ends (${from})`).toBe(true);
  }
}

describe('a salary-25th consumer over 120 days (bundled strategy)', () => {
  // Claim due 6 March 2026, handed to the agency on Wednesday 18 March; salary on the 25th.
  const sim = simulate({ start: '2026-03-18T10:00:00Z' });
  const sends = sim.sends;

  it('runs to an end: the dossiers are handed over after the final notice', () => {
    expect(sim.end?.d.reason).toBe('handed over: no payment after the hand-over notice');
    expect(sim.end?.d.dossierStatus).toBe('handed_over');
    expect(sends.map((s) => s.d.phase)).toEqual(expect.arrayContaining(['reminder', 'fourteen_day_letter', 'demand', 'final_notice', 'handover']));
  });

  it('first contact inside the window, right after the payday', () => {
    const first = sends[0];
    const payday = nextPayday({ type: 'salary', rule: 'fixed_day', day: 25 }, new Date('2026-03-18T10:00:00Z'));
    expect(payday.date).toBe('2026-03-25');
    expect(localDate(first.at)).toBe('2026-03-26'); // the working day after payday
    expect(local(first.at).toFormat('HH:mm')).toBe('08:00'); // the strategy's window opens at 08:00
    expect(first.d.reasons.join(' ')).toMatch(/payday timing/);
    // the first decision waited for it, with the rule in the reasons
    const firstDecision = sim.decisions[0].d;
    expect(firstDecision.kind).toBe('wait');
    expect(firstDecision.reasons.join(' ')).toMatch(/expected payday 2026-03-25/);
  });

  it('never sends on a Sunday, an Atw holiday or outside 07:00–20:00 Europe/Amsterdam', () => {
    expect(sends.length).toBeGreaterThanOrEqual(7);
    expectLawfulMoments(sim);
  });

  it('sends the 14-day letter by post before any demand, and no demand inside its term', () => {
    expectLetterBeforeDemand(sim);
  });

  it('phases never go backwards and tone gets firmer', () => {
    const idx = sends.map((s) => phaseIndex(s.d.phase));
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
    expect(sends[0].d.tone).toBe('friendly');
    expect(sends.find((s) => s.d.phase === 'final_notice')!.d.tone).toBe('firm');
  });

  it('costs only from receipt + 15 days, and then the WIK amount', () => {
    const letter = sends.find((s) => s.d.phase === 'fourteen_day_letter')!;
    const from = costsAllowedFrom(presumedReceipt(letter.at));
    expect(sim.costs.length).toBeGreaterThan(0);
    for (const c of sim.costs) expect(localDate(c.at) >= from, `costs on ${localDate(c.at)}, term ends ${from}`).toBe(true);
    expect(sim.costs[0]).toMatchObject({ dossierId: 'd1', costs: 72_00 }); // 15% of €480
    expect(sim.costs).toHaveLength(1); // written once, then the dossier holds it
    // every decision before that moment carried no costs
    for (const { at, d } of sim.decisions) if (localDate(at) < from) expect(d.costs).toBeUndefined();
  });

  it('respects the frequency cap (2 contacts per 7 days)', () => {
    for (let i = 2; i < sends.length; i++) {
      expect(sends[i].at.getTime() - sends[i - 2].at.getTime()).toBeGreaterThanOrEqual(7 * DAY - 3_600_000);
    }
  });

  it('step numbers grow by one per send', () => {
    expect(sends.map((s) => s.d.stepNo)).toEqual(sends.map((_, i) => i + 1));
  });

  it('each send wakes the journey at the next planned moment: no extra Decide/Await round unless the segment changed', () => {
    let extra = 0;
    for (let i = 0; i < sim.decisions.length - 1; i++) {
      const { d } = sim.decisions[i];
      const following = sim.decisions[i + 1].d;
      if (d.kind === 'send' && following.kind === 'wait') {
        expect(following.segment, following.reasons.join(' | ')).not.toBe(d.segment);
        extra++;
      }
    }
    expect(extra).toBeLessThanOrEqual(1);
  });
});

describe('the same journey from many start days (calendar invariants)', () => {
  // Every third day of 2026: Easter, Koningsdag, 5 May, Hemelvaart + declared day, Pentecost, Christmas, DST.
  const starts = Array.from({ length: 122 }, (_, i) => new Date(Date.UTC(2026, 0, 2) + i * 3 * DAY));
  it.each(starts.map((s) => [s.toISOString().slice(0, 10), s] as const))('start %s', (_label, start) => {
    const due = localDate(new Date(start.getTime() - 10 * DAY));
    const sim = simulate({ start: start.toISOString(), dossiers: [claim({ dueDate: due, createdAt: start.toISOString() })], days: 150 });
    expect(sim.sends.length).toBeGreaterThan(3);
    expectLawfulMoments(sim);
    expectLetterBeforeDemand(sim);
    // costs never before receipt + 15
    const letter = sim.sends.find((s) => s.d.phase === 'fourteen_day_letter');
    for (const c of sim.costs) expect(localDate(c.at) >= costsAllowedFrom(presumedReceipt(letter!.at))).toBe(true);
    // no contact on the lean days unless it is the first reminder? never: the strategy lists them
    for (const s of sim.sends) {
      const day = local(s.at).day;
      expect(day >= 8 && day <= 12, `${s.d.phase} on ${localDate(s.at)}`).toBe(false);
    }
  });
});

describe('"ik kan niet betalen" during the journey', () => {
  const start = '2026-03-18T10:00:00Z';
  const base = simulate({ start });
  // the reply comes in after the first demand letter, before the final notice
  const demand = base.sends.find((s) => s.d.phase === 'demand')!;
  const replyAt = new Date(demand.at.getTime() + 2 * DAY + 3 * 3_600_000).toISOString();
  const sim = simulate({
    start,
    events: [{ at: replyAt, event: { at: replyAt, type: 'replied', channel: 'sms', data: { intent: 'cannot_pay', matched: 'kan niet betalen' } }, flags: ['cannot_pay_reported'] }],
  });
  const after = sim.sends.filter((s) => s.at.getTime() >= Date.parse(replyAt));
  const baseAfter = base.sends.filter((s) => s.at.getTime() >= Date.parse(replyAt));

  it('changes the segment at once', () => {
    const woke = sim.decisions.find((x) => x.at.toISOString() === replyAt)!;
    expect(woke.d.segment).toBe('cannot_pay');
    expect(woke.d.segmentReasons.join(' ')).toMatch(/said they cannot pay \(the latest statement weighs most\)/);
    const before = sim.decisions.filter((x) => x.at.toISOString() < replyAt).at(-1)!;
    expect(before.d.segment).not.toBe('cannot_pay');
  });

  it('changes the next tone: a friendly offer instead of the firm final notice', () => {
    expect(baseAfter[0].d.phase).toBe('final_notice');
    expect(baseAfter[0].d.tone).toBe('firm');
    expect(after[0].d.tone).toBe('friendly');
    expect(after[0].d.segment).toBe('cannot_pay');
    expect(after[0].d.reasons.join(' ')).toMatch(/no further escalation/);
    // it reacts soon: within two days of the reply
    expect(after[0].at.getTime() - Date.parse(replyAt)).toBeLessThan(2 * DAY);
  });

  it('never escalates again and ends "referred to debt help" without a hand-over', () => {
    for (const s of after) {
      expect(['final_notice', 'handover']).not.toContain(s.d.phase);
      expect(s.d.tone).toBe('friendly');
    }
    expect(after.length).toBe(2); // the cannot_pay reminder phase: 2 contacts
    expect(after.map((s) => s.d.channel)).toContain('call'); // the second is an agent's call to arrange a plan
    expect(sim.end?.d.reason).toBe('referred to debt help');
    expect(sim.end?.d.dossierStatus).toBeUndefined();
    expectLawfulMoments(sim);
  });
});

describe('cannot_pay from the start', () => {
  const sim = simulate({ start: '2026-03-18T10:00:00Z', debtor: { flags: ['cannot_pay_reported'] } });
  it('only friendly reminders offering an arrangement, no 14-day letter, no costs, ends referred to debt help', () => {
    expect(sim.sends.map((s) => `${s.d.phase}/${s.d.tone}`)).toEqual(['reminder/friendly', 'reminder/friendly']);
    expect(sim.costs).toEqual([]);
    expect(sim.end?.d.reason).toBe('referred to debt help');
    expect(sim.end?.d.dossierStatus).toBeUndefined();
  });
});

describe('debt help reported mid-journey', () => {
  const at = '2026-04-02T13:00:00Z';
  const sim = simulate({ start: '2026-03-18T10:00:00Z', events: [{ at, event: { at, type: 'replied', channel: 'sms', data: { intent: 'debt_help' } }, flags: ['debt_help_reported'] }] });
  it('stops at once: done "referred to debt help", nothing sent after it', () => {
    expect(sim.end?.at.toISOString()).toBe(new Date(at).toISOString());
    expect(sim.end?.d.reason).toBe('referred to debt help');
    expect(sim.sends.every((s) => s.at.toISOString() < at)).toBe(true);
  });
});

describe('a vulnerable debtor (beschermingsbewind)', () => {
  const withAgent = simulate({ start: '2026-03-18T10:00:00Z', debtor: { flags: ['bewind'] }, agent: { afterHours: 26, outcome: 'reached' }, days: 200 });
  const noAgent = simulate({ start: '2026-03-18T10:00:00Z', debtor: { flags: ['bewind'] }, days: 200 });

  it('never reaches hand-over', () => {
    for (const sim of [withAgent, noAgent]) {
      expect(sim.sends.map((s) => s.d.phase)).not.toContain('handover');
      expect(sim.end?.d.dossierStatus).toBeUndefined();
      expect(sim.sends.every((s) => s.d.tone !== 'firm')).toBe(true);
    }
  });

  it('an agent call task comes before every escalation, and escalation waits for its outcome', () => {
    const sends = withAgent.sends;
    for (let i = 1; i < sends.length; i++) {
      if (phaseIndex(sends[i].d.phase) > phaseIndex(sends[i - 1].d.phase)) {
        expect(sends[i - 1].d.channel, `before ${sends[i].d.phase}`).toBe('call');
        const outcome = withAgent.history.find((e) => e.type === 'call_outcome' && Date.parse(e.at) > sends[i - 1].at.getTime());
        expect(outcome && Date.parse(outcome.at) <= sends[i].at.getTime()).toBe(true);
      }
    }
    expect(sends.filter((s) => s.d.channel === 'call').length).toBeGreaterThanOrEqual(2);
    expect(sends.map((s) => s.d.phase)).toContain('demand');
    expect(withAgent.end?.d.reason).toBe('vulnerable debtor: left to an agent, no automatic hand-over');
  });

  it('without an agent the journey stops for a person instead of escalating', () => {
    expect(noAgent.sends.map((s) => s.d.phase)).toEqual(['reminder', 'reminder', 'reminder']);
    expect(noAgent.sends.slice(1).every((s) => s.d.channel === 'call')).toBe(true);
    expect(noAgent.end?.d.reason).toBe('needs a human decision (vulnerable debtor)');
  });
});

describe('opted-out and unusable channels are never chosen', () => {
  const CHANNELS = ['email', 'sms', 'whatsapp', 'letter', 'call'] as const;
  const combos: Array<{ optOuts: string[]; whatsappOptIn: boolean; unusable: string[] }> = [];
  for (let mask = 0; mask < 16; mask++) {
    const optOuts = (['email', 'sms', 'whatsapp', 'call'] as const).filter((_, i) => mask & (1 << i));
    combos.push({ optOuts, whatsappOptIn: true, unusable: [] });
    combos.push({ optOuts, whatsappOptIn: false, unusable: mask % 3 === 0 ? ['email'] : [] });
  }
  it.each(combos.map((c) => [JSON.stringify(c), c] as const))('%s', (_l, c) => {
    const sim = simulate({ start: '2026-03-18T10:00:00Z', debtor: c });
    const used = new Set(sim.sends.map((s) => s.d.channel));
    for (const o of c.optOuts) expect(used.has(o as (typeof CHANNELS)[number]), `${o} used`).toBe(false);
    if (!c.whatsappOptIn) expect(used.has('whatsapp')).toBe(false);
    if (c.unusable.includes('email')) expect(used.has('email')).toBe(false);
    expectLawfulMoments(sim);
    expectLetterBeforeDemand(sim);
  });

  it('opted out of everything: only the 14-day letter still goes (by post), then the journey ends', () => {
    const sim = simulate({ start: '2026-03-18T10:00:00Z', debtor: { optOuts: ['all'] } });
    expect(sim.sends.map((x) => x.d.kind === 'send' && `${x.d.channel}/${x.d.phase}`)).toEqual(['letter/fourteen_day_letter']);
    expect(sim.end?.d.kind).toBe('done');
  });

  it('an opt-out during the journey stops that channel at once', () => {
    const base = simulate({ start: '2026-03-18T10:00:00Z' });
    const firstEmail = base.sends.find((s) => s.d.channel === 'email')!;
    const at = new Date(firstEmail.at.getTime() + 3_600_000).toISOString();
    const sim = simulate({
      start: '2026-03-18T10:00:00Z',
      events: [{ at, event: { at, type: 'opted_out', channel: 'email' }, optOut: 'email' }],
    });
    const later = sim.sends.filter((s) => s.at.toISOString() > at);
    expect(later.length).toBeGreaterThan(3);
    expect(later.some((s) => s.d.channel === 'email')).toBe(false);
    // without the opt-out, email would have been used again
    expect(base.sends.filter((s) => s.at.toISOString() > at).some((s) => s.d.channel === 'email')).toBe(true);
  });
});

describe('a business debtor', () => {
  const sim = simulate({ start: '2026-03-18T10:00:00Z', debtor: { consumer: false } });
  it('gets no 14-day letter, WIK costs once from the first decision after the due date (art. 6:96 lid 5 BW), and still ends handed over', () => {
    expect(sim.sends.map((s) => s.d.phase)).not.toContain('fourteen_day_letter');
    expect(sim.sends.map((s) => s.d.phase)).toContain('demand');
    expect(sim.costs).toEqual([{ at: new Date('2026-03-18T10:00:00Z'), dossierId: 'd1', costs: 72_00 }]);
    expect(sim.end?.d.dossierStatus).toBe('handed_over');
  });
});

describe('allowHandover: false', () => {
  const raw = JSON.parse(JSON.stringify(FIXTURE)) as Record<string, any>;
  raw.allowHandover = false;
  const sim = simulate({ start: '2026-03-18T10:00:00Z', strategy: parseStrategy(raw) });
  it('skips the hand-over phase and ends with the segment reason, dossiers not handed over', () => {
    expect(sim.sends.map((s) => s.d.phase)).not.toContain('handover');
    expect(sim.sends.map((s) => s.d.phase)).toContain('final_notice');
    expect(sim.end?.d.reason).toBe('sequence finished without payment');
    expect(sim.end?.d.dossierStatus).toBeUndefined();
  });
});

describe('payments', () => {
  it('a partial payment inside the term lowers the costs', () => {
    // letter goes out mid-April; pay €200 of €480 on 20 April (inside the term)
    const sim = simulate({ start: '2026-03-18T10:00:00Z', events: [{ at: '2026-04-20T10:00:00Z', payment: { dossierId: 'd1', amount: 200_00 } }] });
    const letter = sim.sends.find((s) => s.d.phase === 'fourteen_day_letter')!;
    expect(localDate(letter.at) < '2026-04-20').toBe(true);
    expect(sim.costs[0].costs).toBe(42_00); // 15% of €280
  });

  it('full payment ends the journey: no open dossiers left', () => {
    const sim = simulate({ start: '2026-03-18T10:00:00Z', events: [{ at: '2026-04-01T10:00:00Z', payment: { dossierId: 'd1', amount: 480_00 } }] });
    expect(sim.end?.d.reason).toBe('no open dossiers left');
    expect(sim.end?.at.toISOString()).toBe('2026-04-01T10:00:00.000Z');
    expect(sim.costs).toEqual([]);
  });

  it('a promise to pay holds the next contact for the grace days', () => {
    const at = '2026-03-27T10:00:00Z';
    const sim = simulate({ start: '2026-03-18T10:00:00Z', events: [{ at, event: { at, type: 'replied', channel: 'sms', data: { intent: 'promise_to_pay' } } }] });
    const next = sim.sends.find((s) => s.at.toISOString() > at)!;
    expect(next.at.getTime() - Date.parse(at)).toBeGreaterThanOrEqual(7 * DAY);
    expect(next.d.reasons.join(' ')).toMatch(/promised to pay/);
  });
});

// =====================================================================================================
// Part 3: the bundled templates/strategy.json (whatever operators put in it) keeps the rules
// =====================================================================================================

describe('bundled strategy: invariants over many journeys', () => {
  const bundled = defaultStrategy();
  const starts = Array.from({ length: 61 }, (_, i) => new Date(Date.UTC(2026, 0, 3) + i * 6 * DAY));

  it.each(starts.map((s) => [s.toISOString().slice(0, 10), s] as const))('consumer from %s: lawful moments, 14-day letter and term, costs', (_l, start) => {
    const due = localDate(new Date(start.getTime() - 10 * DAY));
    const sim = simulate({ start: start.toISOString(), strategy: bundled, dossiers: [claim({ dueDate: due, createdAt: start.toISOString() })], days: 150 });
    expect(sim.sends.length).toBeGreaterThan(2);
    expectLawfulMoments(sim);
    expectLetterBeforeDemand(sim);
    const letter = sim.sends.find((s) => s.d.phase === 'fourteen_day_letter');
    for (const c of sim.costs) expect(localDate(c.at) >= costsAllowedFrom(presumedReceipt(letter!.at))).toBe(true);
  });

  it.each([
    ['with an agent answering', { afterHours: 26, outcome: 'reached' }],
    ['without an agent', undefined],
  ] as const)('vulnerable %s: never a hand-over, a call before every escalation', (_l, agent) => {
    const sim = simulate({ start: '2026-03-18T10:00:00Z', strategy: bundled, debtor: { flags: ['bewind'] }, agent, days: 300 });
    expect(sim.sends.map((s) => s.d.phase)).not.toContain('handover');
    expect(sim.end?.d.dossierStatus).toBeUndefined();
    for (let i = 1; i < sim.sends.length; i++) {
      if (phaseIndex(sim.sends[i].d.phase) > phaseIndex(sim.sends[i - 1].d.phase)) expect(sim.sends[i - 1].d.channel).toBe('call');
    }
    expectLawfulMoments(sim);
  });

  it('"kan niet betalen": cannot_pay at once, friendly from then on, never a hand-over', () => {
    const replyAt = '2026-04-22T09:30:00Z';
    const sim = simulate({
      start: '2026-03-18T10:00:00Z',
      strategy: bundled,
      events: [{ at: replyAt, event: { at: replyAt, type: 'replied', channel: 'sms', data: { intent: 'cannot_pay' } }, flags: ['cannot_pay_reported'] }],
      days: 200,
    });
    expect(sim.decisions.find((x) => x.at.toISOString() === new Date(replyAt).toISOString())?.d.segment).toBe('cannot_pay');
    const after = sim.sends.filter((s) => s.at.getTime() >= Date.parse(replyAt));
    expect(after.length).toBeGreaterThan(0);
    for (const s of after) {
      expect(s.d.segment).toBe('cannot_pay');
      expect(['final_notice', 'handover']).not.toContain(s.d.phase);
    }
    expect(sim.end?.d.dossierStatus).toBeUndefined();
    expect(sim.end?.d.reason).toBe(bundled.segments.cannot_pay.end.reason);
  });

  it.each([[['email']], [['sms', 'whatsapp']], [['email', 'sms', 'call']], [['letter']]])('opted out of %j: never used', (optOuts) => {
    const sim = simulate({ start: '2026-03-18T10:00:00Z', strategy: bundled, debtor: { optOuts } });
    for (const s of sim.sends) expect(optOuts).not.toContain(s.d.channel);
  });
});
