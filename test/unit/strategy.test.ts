/**
 * The strategy file (templates/strategy.json) and its schema (functions/domain/strategy.ts): the bundled file is
 * valid and follows the segment rules; every bad field is refused with its path and the reason.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SEGMENTS } from '../../functions/domain/segmentation.js';
import { describe, expect, it } from 'vitest';
import {
  PHASES,
  defaultStrategy,
  fieldPath,
  parseStrategy,
  strategyProblems,
  toneFor,
} from '../../functions/domain/strategy.js';

const FILE = fileURLToPath(new URL('../../templates/strategy.json', import.meta.url));
const raw = () => JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, any>;

describe('templates/strategy.json', () => {
  const s = parseStrategy(raw());

  it('is valid and the same as defaultStrategy()', () => {
    expect(defaultStrategy()).toEqual(s);
    expect(strategyProblems(raw())).toEqual([]);
  });

  it('has every segment', () => {
    expect(Object.keys(s.segments).sort()).toEqual([...SEGMENTS].sort());
  });

  it('stays inside the legal contact hours', () => {
    const windows = [s.contactWindow, ...SEGMENTS.flatMap((n) => s.segments[n].phases.map((p) => p.contactWindow).filter((w) => w !== undefined))];
    for (const w of windows) {
      expect(w.startHour).toBeGreaterThanOrEqual(7);
      expect(w.endHour).toBeLessThanOrEqual(20);
    }
  });

  it('cannot_pay: no escalation past reminders, no hand-over, ends "referred to debt help"', () => {
    const seg = s.segments.cannot_pay;
    expect(seg.phases.map((p) => p.phase)).toEqual(['reminder']);
    expect(seg.end.reason).toBe('referred to debt help');
    expect(seg.phases.every((p) => toneFor(p, 0) === 'friendly')).toBe(true);
  });

  it('vulnerable: no hand-over, no firm tone', () => {
    const seg = s.segments.vulnerable;
    expect(seg.phases.map((p) => p.phase)).not.toContain('handover');
    for (const p of seg.phases) for (let k = 0; k < p.maxContacts; k++) expect(toneFor(p, k)).not.toBe('firm');
  });

  it('will_not_pay: fewer friendly steps and faster to hand-over than unknown', () => {
    const friendly = (n: 'will_not_pay' | 'unknown') =>
      s.segments[n].phases.reduce((sum, p) => sum + Array.from({ length: p.maxContacts }, (_, k) => toneFor(p, k)).filter((t) => t === 'friendly').length, 0);
    const days = (n: 'will_not_pay' | 'unknown') => s.segments[n].phases.reduce((sum, p) => sum + (p.maxContacts - 1) * p.cadenceDays + p.escalateAfterDays, 0);
    expect(friendly('will_not_pay')).toBeLessThan(friendly('unknown'));
    expect(days('will_not_pay')).toBeLessThan(days('unknown'));
    expect(s.segments.will_not_pay.phases.at(-1)!.phase).toBe('handover');
  });

  it('unaware: digital reminders first, a letter only as the fallback', () => {
    const first = s.segments.unaware.phases[0];
    expect(first.phase).toBe('reminder');
    expect(first.channels.every((c) => c === 'email' || c === 'sms' || c === 'whatsapp')).toBe(true);
    expect(first.fallback).toEqual(['letter']);
  });

  it('tone gets firmer over the phases (friendly early, firm later)', () => {
    const rank = { friendly: 0, neutral: 1, firm: 2 } as const;
    for (const n of ['unknown', 'unaware', 'will_not_pay'] as const) {
      const ph = s.segments[n].phases;
      const reminder = ph.find((p) => p.phase === 'reminder')!;
      const final = ph.find((p) => p.phase === 'final_notice')!;
      expect(rank[toneFor(final, 0)], n).toBeGreaterThan(rank[toneFor(reminder, 0)]);
    }
  });
});

/** A deep copy of the bundled file with one change. */
function mutate(change: (s: Record<string, any>) => void): Record<string, any> {
  const s = raw();
  change(s);
  return s;
}

const ERRORS: Array<[string, (s: Record<string, any>) => void, string]> = [
  ['cadence 0', (s) => (s.segments.unaware.phases[1].cadenceDays = 0), 'strategy.segments.unaware.phases[1].cadenceDays: must be a positive integer'],
  ['cadence as text', (s) => (s.segments.unaware.phases[1].cadenceDays = '3'), 'strategy.segments.unaware.phases[1].cadenceDays: must be a positive integer'],
  ['cadence 2.5', (s) => (s.segments.unknown.phases[0].cadenceDays = 2.5), 'strategy.segments.unknown.phases[0].cadenceDays: must be a positive integer'],
  ['maxContacts missing', (s) => delete s.segments.cannot_pay.phases[0].maxContacts, 'strategy.segments.cannot_pay.phases[0].maxContacts: is required'],
  ['escalateAfterDays negative', (s) => (s.segments.will_not_pay.phases[2].escalateAfterDays = -1), 'strategy.segments.will_not_pay.phases[2].escalateAfterDays: must be a whole number of days, 0 or more'],
  ['window before 07:00', (s) => (s.contactWindow.startHour = 6.5), 'strategy.contactWindow.startHour: must be 7 or later: no contact before 07:00 (Bki art. 4.2)'],
  ['window after 20:00', (s) => (s.contactWindow.endHour = 21), 'strategy.contactWindow.endHour: must be 20 or earlier: no contact from 20:00 (Bki art. 4.2)'],
  ['window reversed', (s) => (s.contactWindow = { startHour: 15, endHour: 9 }), 'strategy.contactWindow.endHour: must be later than startHour'],
  ['window hours out of range', (s) => (s.contactWindow.endHour = 25), 'strategy.contactWindow.endHour: must be a number of hours (0–24)'],
  ['phase window looser', (s) => (s.segments.unknown.phases[0].contactWindow = { startHour: 8, endHour: 22 }), 'strategy.segments.unknown.phases[0].contactWindow.endHour: must be 20 or earlier'],
  ['frequency cap 0', (s) => (s.frequencyCap.maxContacts = 0), 'strategy.frequencyCap.maxContacts: must be a positive integer'],
  ['frequency cap missing', (s) => delete s.frequencyCap, 'strategy.frequencyCap: is required'],
  ['allowHandover as text', (s) => (s.allowHandover = 'yes'), 'strategy.allowHandover: must be true or false'],
  ['unknown channel', (s) => (s.segments.unaware.phases[0].channels[0] = 'fax'), 'strategy.segments.unaware.phases[0].channels[0]: must be one of email, sms, whatsapp, letter, call'],
  ['no channels', (s) => (s.segments.unaware.phases[0].channels = []), 'strategy.segments.unaware.phases[0].channels: must name at least one channel'],
  ['channel twice', (s) => (s.segments.unaware.phases[0].channels = ['email', 'sms', 'email']), 'strategy.segments.unaware.phases[0].channels[2]: email is listed twice'],
  ['fallback repeats a channel', (s) => (s.segments.unaware.phases[0].fallback = ['email']), 'strategy.segments.unaware.phases[0].fallback[0]: email is already in channels'],
  ['unknown tone', (s) => (s.segments.unknown.phases[0].tone = 'angry'), 'strategy.segments.unknown.phases[0].tone: must be one of friendly, neutral, firm, or a list of them (one per contact)'],
  ['unknown phase', (s) => (s.segments.unknown.phases[0].phase = 'summons'), 'strategy.segments.unknown.phases[0].phase: must be one of reminder, fourteen_day_letter, demand, final_notice, handover'],
  [
    'phases out of order',
    (s) => s.segments.unknown.phases.splice(1, 2, s.segments.unknown.phases[2], s.segments.unknown.phases[1]),
    'strategy.segments.unknown.phases[2].phase: fourteen_day_letter cannot come after demand',
  ],
  [
    'phase twice',
    (s) => s.segments.unknown.phases.splice(1, 0, { ...s.segments.unknown.phases[0] }),
    'strategy.segments.unknown.phases[1].phase: reminder cannot come after reminder',
  ],
  [
    'demand without the 14-day letter',
    (s) => s.segments.will_not_pay.phases.splice(1, 1),
    'strategy.segments.will_not_pay.phases[1].phase: demand needs a fourteen_day_letter phase before it',
  ],
  [
    'handover for cannot_pay',
    (s) => s.segments.cannot_pay.phases.push(...s.segments.unknown.phases.slice(1)),
    'strategy.segments.cannot_pay.phases[4].phase: handover is not allowed for cannot_pay',
  ],
  [
    'handover for vulnerable',
    (s) => s.segments.vulnerable.phases.push({ ...s.segments.unknown.phases[3] }, { ...s.segments.unknown.phases[4] }),
    'strategy.segments.vulnerable.phases[4].phase: handover is not allowed for vulnerable debtors: never escalate without a human',
  ],
  [
    'friendly final notice',
    (s) => (s.segments.unknown.phases[3].tone = 'friendly'),
    'strategy.segments.unknown.phases[3].tone: friendly is not allowed at final_notice (Toon & Timing',
  ],
  [
    'friendly in a tone list at handover',
    (s) => (s.segments.unknown.phases[4].tone = ['neutral', 'friendly']),
    'strategy.segments.unknown.phases[4].tone[1]: friendly is not allowed at handover',
  ],
  [
    '14-day letter by email',
    (s) => (s.segments.unknown.phases[1].channels = ['email', 'letter']),
    'strategy.segments.unknown.phases[1].channels[0]: must be "letter": the 14-day letter goes by post',
  ],
  [
    '14-day phase with two contacts and only the letter',
    (s) => (s.segments.unknown.phases[1].channels = ['letter']),
    'strategy.segments.unknown.phases[1].maxContacts: more than 1 contact in fourteen_day_letter needs another channel besides the letter',
  ],
  ['payday wait without payday timing', (s) => (s.segments.unknown.phases[1].maxPaydayWaitDays = 5), 'strategy.segments.unknown.phases[1].maxPaydayWaitDays: only applies when timing is "payday"'],
  ['bad timing', (s) => (s.segments.unknown.phases[1].timing = 'later'), 'strategy.segments.unknown.phases[1].timing: must be "asap" or "payday"'],
  ['misspelt field', (s) => (s.segments.unaware.phases[0].cadence = 3), 'strategy.segments.unaware.phases[0].cadence: is not a known field'],
  ['unknown segment', (s) => (s.segments.rich = s.segments.unknown), 'strategy.segments.rich: is not a known field'],
  ['segment missing', (s) => delete s.segments.vulnerable, 'strategy.segments.vulnerable: is required'],
  ['no phases', (s) => (s.segments.vulnerable.phases = []), 'strategy.segments.vulnerable.phases: must list at least one phase'],
  ['empty end reason', (s) => (s.segments.cannot_pay.end.reason = '  '), 'strategy.segments.cannot_pay.end.reason: must not be empty'],
  ['lean days reversed', (s) => (s.leanDays = { from: 12, to: 8 }), 'strategy.leanDays.to: must not be before from'],
  ['lean day 32', (s) => (s.leanDays = { from: 8, to: 32 }), 'strategy.leanDays.to: must be a day of the month 1–31'],
  ['version 2', (s) => (s.version = 2), 'strategy.version: must be 1'],
  ['promiseGraceDays missing', (s) => delete s.promiseGraceDays, 'strategy.promiseGraceDays: is required'],
];

describe('parseStrategy errors name the field and why', () => {
  it.each(ERRORS)('%s', (_name, change, message) => {
    const bad = mutate(change);
    let error: unknown;
    try {
      parseStrategy(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^invalid strategy: /);
    expect((error as Error).message).toContain(message);
  });

  it.each([
    [null, 'strategy: must be a JSON object'],
    ['text', 'strategy: must be a JSON object'],
    [[], 'strategy: must be a JSON object'],
    [{}, 'strategy.version: must be 1'],
  ])('not a strategy: %j', (json, message) => {
    expect(() => parseStrategy(json)).toThrow(message);
  });

  it('lists every problem at once', () => {
    const bad = mutate((s) => {
      s.segments.unaware.phases[1].cadenceDays = 0;
      s.contactWindow.startHour = 5;
    });
    const problems = strategyProblems(bad);
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^strategy\.segments\.unaware\.phases\[1\]\.cadenceDays: /), expect.stringMatching(/^strategy\.contactWindow\.startHour: /)]),
    );
    const message = (() => {
      try {
        parseStrategy(bad);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    for (const p of problems) expect(message).toContain(p);
  });
});

describe('what the schema accepts', () => {
  it('a stricter contact window (09:30–17:00), also per phase', () => {
    const s = parseStrategy(mutate((x) => {
      x.contactWindow = { startHour: 9.5, endHour: 17 };
      x.segments.unknown.phases[0].contactWindow = { startHour: 10, endHour: 12 };
    }));
    expect(s.contactWindow).toEqual({ startHour: 9.5, endHour: 17 });
  });

  it('exactly 07:00–20:00', () => {
    expect(parseStrategy(mutate((x) => (x.contactWindow = { startHour: 7, endHour: 20 }))).contactWindow).toEqual({ startHour: 7, endHour: 20 });
  });

  it('defaults: rotate false, no fallback, timing asap; lean days may be null or absent', () => {
    const s = parseStrategy(
      mutate((x) => {
        x.leanDays = null;
        delete x.segments.will_not_pay.phases[0].rotate;
      }),
    );
    const p = s.segments.will_not_pay.phases[0];
    expect(p.rotate).toBe(false);
    expect(p.fallback).toEqual([]);
    expect(s.segments.will_not_pay.phases[1].timing).toBe('asap');
    expect(s.leanDays).toBeNull();
    expect(parseStrategy(mutate((x) => delete x.leanDays)).leanDays).toBeUndefined();
  });

  it('a strategy without hand-over at all', () => {
    const s = parseStrategy(mutate((x) => {
      x.allowHandover = false;
      for (const n of ['unknown', 'unaware', 'will_not_pay']) x.segments[n].phases.pop();
    }));
    expect(s.segments.unknown.phases.map((p) => p.phase)).toEqual(PHASES.slice(0, 4));
  });
});

describe('toneFor', () => {
  const base = parseStrategy(raw()).segments.unknown.phases[2];
  it.each([
    ['friendly', 0, 'friendly'],
    ['friendly', 5, 'friendly'],
    [['friendly', 'neutral'], 0, 'friendly'],
    [['friendly', 'neutral'], 1, 'neutral'],
    [['friendly', 'neutral'], 4, 'neutral'],
  ] as const)('%j contact %i → %s', (tone, n, expected) => {
    expect(toneFor({ ...base, tone: tone as never }, n)).toBe(expected);
  });
});

describe('fieldPath', () => {
  it.each([
    [[], 'strategy'],
    [['segments', 'unaware', 'phases', 1, 'cadenceDays'], 'strategy.segments.unaware.phases[1].cadenceDays'],
    [['contactWindow', 'startHour'], 'strategy.contactWindow.startHour'],
  ] as const)('%j', (path, s) => expect(fieldPath(path)).toBe(s));
});
