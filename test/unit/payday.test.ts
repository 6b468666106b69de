/**
 * Paydays for every income source across all 12 months of 2026, and the contact moment after them.
 * Expectations are worked out by hand from the 2026 calendar (1 Jan is a Thursday) and its Atw holidays:
 * 1 Jan, 2 Jan (declared), 3 Apr, 5/6 Apr, 27 Apr, 5 May, 14 May, 15 May (declared), 24/25 May, 25/26 Dec.
 * CET = UTC+1; CEST = UTC+2 from 29 March to 25 October 2026.
 */
import { describe, expect, it } from 'vitest';
import { isContactAllowed, isWorkingDay } from '../../functions/domain/calendar.js';
import {
  IncomeSourceSchema,
  PaydayInputSchema,
  contactMomentAfterPayday,
  incomeSourceFromApi,
  nextPayday,
  paydayInMonth,
  paydayOnOrAfter,
  type IncomeSource,
} from '../../functions/domain/payday.js';

const MONTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

/** [source, label, the 12 expected paydays of 2026] */
const YEAR_2026: Array<[IncomeSource, string, string[]]> = [
  [
    { type: 'salary' },
    'salary, no day known → 25th, earlier on weekend/holiday',
    // 25 Jan Sun, 25 Apr Sat, 25 May Tweede Pinksterdag, 25 Jul Sat, 25 Oct Sun, 25 Dec Eerste Kerstdag
    ['2026-01-23', '2026-02-25', '2026-03-25', '2026-04-24', '2026-05-22', '2026-06-25', '2026-07-24', '2026-08-25', '2026-09-25', '2026-10-23', '2026-11-25', '2026-12-24'],
  ],
  [
    { type: 'salary', rule: 'fixed_day', day: 23 },
    'salary on the 23rd',
    // 23 May Sat, 23 Aug Sun
    ['2026-01-23', '2026-02-23', '2026-03-23', '2026-04-23', '2026-05-22', '2026-06-23', '2026-07-23', '2026-08-21', '2026-09-23', '2026-10-23', '2026-11-23', '2026-12-23'],
  ],
  [
    { type: 'salary', day: 15 },
    'salary on the 15th',
    // 15 Feb/Mar/Nov Sun, 15 May declared (and 14 May Hemelvaart), 15 Aug Sat
    ['2026-01-15', '2026-02-13', '2026-03-13', '2026-04-15', '2026-05-13', '2026-06-15', '2026-07-15', '2026-08-14', '2026-09-15', '2026-10-15', '2026-11-13', '2026-12-15'],
  ],
  [
    { type: 'salary', day: 27 },
    'salary on the 27th',
    // 27 Apr Koningsdag, 27 Jun Sat, 27 Sep Sun, 27 Dec Sun
    ['2026-01-27', '2026-02-27', '2026-03-27', '2026-04-24', '2026-05-27', '2026-06-26', '2026-07-27', '2026-08-27', '2026-09-25', '2026-10-27', '2026-11-27', '2026-12-24'],
  ],
  [
    { type: 'salary', day: 31 },
    'salary on the 31st (short months: their last day)',
    // 31 Jan Sat, 28 Feb Sat, 31 May Sun, 31 Oct Sat
    ['2026-01-30', '2026-02-27', '2026-03-31', '2026-04-30', '2026-05-29', '2026-06-30', '2026-07-31', '2026-08-31', '2026-09-30', '2026-10-30', '2026-11-30', '2026-12-31'],
  ],
  [
    { type: 'salary', rule: 'last_working_day' },
    'salary on the last working day',
    ['2026-01-30', '2026-02-27', '2026-03-31', '2026-04-30', '2026-05-29', '2026-06-30', '2026-07-31', '2026-08-31', '2026-09-30', '2026-10-30', '2026-11-30', '2026-12-31'],
  ],
  [
    { type: 'aow' },
    'AOW → 23rd, earlier on weekend/holiday',
    ['2026-01-23', '2026-02-23', '2026-03-23', '2026-04-23', '2026-05-22', '2026-06-23', '2026-07-23', '2026-08-21', '2026-09-23', '2026-10-23', '2026-11-23', '2026-12-23'],
  ],
  [
    { type: 'uwv', benefit: 'wajong' },
    'Wajong → 20th, earlier on weekend',
    // 20 Jun Sat, 20 Sep Sun, 20 Dec Sun
    ['2026-01-20', '2026-02-20', '2026-03-20', '2026-04-20', '2026-05-20', '2026-06-19', '2026-07-20', '2026-08-20', '2026-09-18', '2026-10-20', '2026-11-20', '2026-12-18'],
  ],
  [
    { type: 'uwv', benefit: 'wia' },
    'WIA → 23rd',
    ['2026-01-23', '2026-02-23', '2026-03-23', '2026-04-23', '2026-05-22', '2026-06-23', '2026-07-23', '2026-08-21', '2026-09-23', '2026-10-23', '2026-11-23', '2026-12-23'],
  ],
  [
    { type: 'uwv', benefit: 'wao' },
    'WAO → 23rd',
    ['2026-01-23', '2026-02-23', '2026-03-23', '2026-04-23', '2026-05-22', '2026-06-23', '2026-07-23', '2026-08-21', '2026-09-23', '2026-10-23', '2026-11-23', '2026-12-23'],
  ],
  [
    { type: 'uwv', benefit: 'ww' },
    'WW → 4th working day of the month',
    // Jan: 1 + 2 off → 5,6,7,8. Apr: 1,2,(3 GF),(6 Easter),7,8. May: 1,4,(5),6,7. Jul: 1,2,3,6. Oct: 1,2,5,6.
    ['2026-01-08', '2026-02-05', '2026-03-05', '2026-04-08', '2026-05-07', '2026-06-04', '2026-07-06', '2026-08-06', '2026-09-04', '2026-10-06', '2026-11-05', '2026-12-04'],
  ],
  [
    { type: 'toeslagen' },
    'toeslagen → 20th, LATER on weekend',
    // 20 Jun Sat → Mon 22, 20 Sep Sun → Mon 21, 20 Dec Sun → Mon 21
    ['2026-01-20', '2026-02-20', '2026-03-20', '2026-04-20', '2026-05-20', '2026-06-22', '2026-07-20', '2026-08-20', '2026-09-21', '2026-10-20', '2026-11-20', '2026-12-21'],
  ],
  [
    { type: 'bijstand', day: 1 },
    'bijstand on the 1st (January’s is paid on 31 December)',
    // 1 Jan holiday, 1 Feb/Mar/Nov Sun, 1 Aug Sat
    ['2025-12-31', '2026-01-30', '2026-02-27', '2026-04-01', '2026-05-01', '2026-06-01', '2026-07-01', '2026-07-31', '2026-09-01', '2026-10-01', '2026-10-30', '2026-12-01'],
  ],
  [
    { type: 'bijstand', day: 26 },
    'bijstand on the 26th',
    // 26 Apr Sun, 26 Jul Sun, 26 Sep Sat, 26 Dec Tweede Kerstdag (Sat) and 25 Dec → 24 Dec
    ['2026-01-26', '2026-02-26', '2026-03-26', '2026-04-24', '2026-05-26', '2026-06-26', '2026-07-24', '2026-08-26', '2026-09-25', '2026-10-26', '2026-11-26', '2026-12-24'],
  ],
  [
    { type: 'unknown' },
    'unknown → the salary pattern on the 25th',
    ['2026-01-23', '2026-02-25', '2026-03-25', '2026-04-24', '2026-05-22', '2026-06-25', '2026-07-24', '2026-08-25', '2026-09-25', '2026-10-23', '2026-11-25', '2026-12-24'],
  ],
];

describe('paydayInMonth: all 12 months of 2026', () => {
  for (const [source, label, expected] of YEAR_2026) {
    it.each(MONTHS.map((m) => [m, expected[m - 1]] as const))(`${label}: month %i → %s`, (month, date) => {
      const p = paydayInMonth(source, 2026, month);
      expect(p.date).toBe(date);
      expect(p.reason).toContain(date);
    });
  }
});

describe('paydayInMonth reasons', () => {
  it.each<[IncomeSource, number, string[]]>([
    [{ type: 'salary' }, 1, ['without a contract day', 'assuming the 25th', '2026-01-25 is a Sunday', 'working day before']],
    [{ type: 'salary' }, 5, ['2026-05-25 is Tweede Pinksterdag']],
    [{ type: 'salary', day: 27 }, 4, ['contract day 27', '2026-04-27 is Koningsdag']],
    [{ type: 'salary', day: 15 }, 5, ['2026-05-15 is Gelijkgestelde dag (vrijdag na Hemelvaartsdag)']],
    [{ type: 'salary', day: 31 }, 2, ['only 28 days', 'is a Saturday']],
    [{ type: 'salary', rule: 'last_working_day' }, 5, ['last working day', '2026-05-31 is a Sunday']],
    [{ type: 'aow' }, 8, ['AOW', '23rd', 'is a Sunday']],
    [{ type: 'uwv', benefit: 'wajong' }, 6, ['Wajong', '20th', 'is a Saturday']],
    [{ type: 'uwv', benefit: 'wia' }, 1, ['WIA', '21st–23rd', 'assumed the 23rd']],
    [{ type: 'uwv', benefit: 'ww' }, 1, ['WW', 'income form', '4th working day']],
    [{ type: 'toeslagen' }, 9, ['toeslagen', '2026-09-20 is a Sunday', 'next working day: 2026-09-21']],
    [{ type: 'bijstand', day: 1 }, 1, ["municipality's day 1", '2026-01-01 is Nieuwjaarsdag']],
    [{ type: 'unknown' }, 3, ['income source unknown', 'salary pattern', '25th']],
  ])('%j in month %i explains itself', (source, month, parts) => {
    const { reason } = paydayInMonth(source, 2026, month);
    for (const p of parts) expect(reason).toContain(p);
  });

  it('rejects a bad month', () => {
    expect(() => paydayInMonth({ type: 'aow' }, 2026, 13)).toThrow(RangeError);
  });
});

describe('four-weekly salary', () => {
  // anchor Friday 9 Jan 2026: +28 days each time; 3 April is Goede Vrijdag → Thursday 2 April
  const fw: IncomeSource = { type: 'salary', rule: 'four_weekly', anchorDate: '2026-01-09' };
  const expected2026 = [
    '2026-01-09', '2026-02-06', '2026-03-06', '2026-04-02', '2026-05-01', '2026-05-29', '2026-06-26',
    '2026-07-24', '2026-08-21', '2026-09-18', '2026-10-16', '2026-11-13', '2026-12-11', '2027-01-08',
  ];
  it('walks through 2026: 13 paydays, Goede Vrijdag moved to the day before', () => {
    const seen: string[] = [];
    let d = '2026-01-01';
    while (seen.length < expected2026.length) {
      const p = paydayOnOrAfter(fw, d);
      seen.push(p.date);
      d = new Date(Date.parse(`${p.date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    }
    expect(seen).toEqual(expected2026);
  });

  it.each([
    ['2026-04-01T10:00:00Z', '2026-04-02'],
    ['2026-04-02T10:00:00Z', '2026-04-02'],
    ['2026-04-03T10:00:00Z', '2026-05-01'],
    ['2026-05-02T10:00:00Z', '2026-05-29'],
    ['2025-12-20T10:00:00Z', '2026-01-09'], // before the anchor
  ])('nextPayday from %s → %s', (from, date) => {
    expect(nextPayday(fw, new Date(from)).date).toBe(date);
  });

  it('an anchor on Thursday 22 Jan 2026 hits Hemelvaart on 14 May → Wednesday 13 May', () => {
    const p = nextPayday({ type: 'salary', rule: 'four_weekly', anchorDate: '2026-01-22' }, new Date('2026-05-10T10:00:00Z'));
    expect(p).toEqual({ date: '2026-05-13', reason: expect.stringContaining('2026-05-14 is Hemelvaartsdag') });
  });

  it('an anchor in the future counts backwards (11 Dec 2026 − 9 × 28 days = 6 Mar 2026)', () => {
    const p = nextPayday({ type: 'salary', rule: 'four_weekly', anchorDate: '2026-12-11' }, new Date('2026-03-01T10:00:00Z'));
    expect(p.date).toBe('2026-03-06');
  });

  it('without an anchor (stored before validation) falls back to the 25th and says so', () => {
    const p = paydayInMonth({ type: 'salary', rule: 'four_weekly' }, 2026, 4);
    expect(p.date).toBe('2026-04-24');
    expect(p.reason).toContain('without a known payday');
  });
});

describe('nextPayday', () => {
  it.each<[IncomeSource, string, string]>([
    [{ type: 'salary' }, '2026-01-23T10:00:00Z', '2026-01-23'], // payday today counts
    [{ type: 'salary' }, '2026-01-24T10:00:00Z', '2026-02-25'],
    [{ type: 'salary' }, '2026-01-23T23:30:00Z', '2026-02-25'], // already 24 Jan in Amsterdam
    [{ type: 'salary' }, '2026-01-22T22:59:59Z', '2026-01-23'], // 23:59:59 on 22 Jan in Amsterdam
    [{ type: 'salary' }, '2026-12-25T10:00:00Z', '2027-01-25'],
    [{ type: 'bijstand', day: 1 }, '2025-12-02T10:00:00Z', '2025-12-31'], // January's payday, moved back
    [{ type: 'bijstand', day: 1 }, '2025-12-31T10:00:00Z', '2025-12-31'],
    [{ type: 'bijstand', day: 1 }, '2026-01-01T10:00:00Z', '2026-01-30'], // February's, moved back
    [{ type: 'toeslagen' }, '2026-06-21T10:00:00Z', '2026-06-22'],
    [{ type: 'uwv', benefit: 'ww' }, '2026-04-07T10:00:00Z', '2026-04-08'],
    [{ type: 'uwv', benefit: 'ww' }, '2026-04-09T10:00:00Z', '2026-05-07'],
    [{ type: 'aow' }, '2026-08-22T10:00:00Z', '2026-09-23'],
  ])('%j from %s → %s', (source, from, date) => {
    expect(nextPayday(source, new Date(from)).date).toBe(date);
  });
});

describe('IncomeSource schema and the paydayOfMonth shortcut', () => {
  it.each([
    { type: 'salary' },
    { type: 'salary', day: 25 },
    { type: 'salary', rule: 'fixed_day', day: 1 },
    { type: 'salary', rule: 'last_working_day' },
    { type: 'salary', rule: 'four_weekly', anchorDate: '2026-01-09' },
    { type: 'aow' },
    { type: 'uwv', benefit: 'wajong' },
    { type: 'uwv', benefit: 'ww' },
    { type: 'toeslagen' },
    { type: 'bijstand', day: 28 },
    { type: 'unknown' },
  ])('accepts %j', (v) => {
    expect(IncomeSourceSchema.parse(v)).toEqual(v);
  });

  it.each<[unknown, string]>([
    [{ type: 'salary', day: 0 }, 'day'],
    [{ type: 'salary', day: 32 }, 'day'],
    [{ type: 'salary', day: 2.5 }, 'day'],
    [{ type: 'salary', rule: 'four_weekly' }, 'anchorDate'],
    [{ type: 'salary', rule: 'four_weekly', anchorDate: '2026-02-30' }, 'anchorDate'],
    [{ type: 'salary', rule: 'last_working_day', day: 25 }, 'day'],
    [{ type: 'salary', rule: 'weekly' }, 'rule'],
    [{ type: 'uwv' }, 'benefit'],
    [{ type: 'uwv', benefit: 'aow' }, 'benefit'],
    [{ type: 'bijstand' }, 'day'],
    [{ type: 'aow', day: 23 }, ''],
    [{ type: 'pension' }, 'type'],
  ])('rejects %j (field %s)', (v, field) => {
    const r = IncomeSourceSchema.safeParse(v);
    expect(r.success).toBe(false);
    if (field) expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(field);
  });

  it.each<[object, IncomeSource]>([
    [{ paydayOfMonth: 15 }, { type: 'salary', rule: 'fixed_day', day: 15 }],
    [{}, { type: 'unknown' }],
    [{ incomeSource: { type: 'aow' } }, { type: 'aow' }],
    [{ incomeSource: { type: 'salary' }, paydayOfMonth: 20 }, { type: 'salary', rule: 'fixed_day', day: 20 }],
    [{ incomeSource: { type: 'salary', day: 20 }, paydayOfMonth: 20 }, { type: 'salary', rule: 'fixed_day', day: 20 }],
  ])('incomeSourceFromApi(%j) → %j', (input, expected) => {
    expect(incomeSourceFromApi(input)).toEqual(expected);
  });

  it.each([
    { incomeSource: { type: 'aow' }, paydayOfMonth: 20 },
    { incomeSource: { type: 'salary', day: 25 }, paydayOfMonth: 20 },
    { incomeSource: { type: 'salary', rule: 'last_working_day' }, paydayOfMonth: 20 },
    { paydayOfMonth: 0 },
    { paydayOfMonth: 40 },
  ])('rejects conflicting or bad %j with the field path', (input) => {
    const r = PaydayInputSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toContain('paydayOfMonth');
  });

  it('paydayOfMonth 15 schedules like salary day 15', () => {
    expect(nextPayday(incomeSourceFromApi({ paydayOfMonth: 15 }), new Date('2026-05-01T10:00:00Z')).date).toBe('2026-05-13');
  });
});

describe('contactMomentAfterPayday', () => {
  it.each<[string, IncomeSource, string, object, string, string]>([
    // label, source, from, opts, expected at (UTC), expected payday
    ['Koningsdag after a Friday payday', { type: 'salary' }, '2026-04-01T10:00:00Z', {}, '2026-04-28T07:00:00Z', '2026-04-24'],
    ['plain January (CET)', { type: 'salary' }, '2026-01-05T10:00:00Z', {}, '2026-01-26T08:00:00Z', '2026-01-23'],
    ['Pinksteren after payday', { type: 'salary' }, '2026-05-01T10:00:00Z', {}, '2026-05-26T07:00:00Z', '2026-05-22'],
    ['Christmas after payday', { type: 'salary' }, '2026-12-01T10:00:00Z', {}, '2026-12-28T08:00:00Z', '2026-12-24'],
    ['inside the window: now', { type: 'salary' }, '2026-01-26T08:30:00Z', {}, '2026-01-26T08:30:00Z', '2026-01-23'],
    ['after the window: next working day', { type: 'salary' }, '2026-01-26T10:00:00Z', {}, '2026-01-27T08:00:00Z', '2026-01-23'],
    ['before the window on the day', { type: 'salary' }, '2026-01-26T05:00:00Z', {}, '2026-01-26T08:00:00Z', '2026-01-23'],
    ['third day of the span', { type: 'salary' }, '2026-01-28T06:00:00Z', {}, '2026-01-28T08:00:00Z', '2026-01-23'],
    ['span over → next payday', { type: 'salary' }, '2026-01-29T10:00:00Z', {}, '2026-02-26T08:00:00Z', '2026-02-25'],
    ['DST spring: Fri 27 Mar payday → Mon 30 Mar 09:00 CEST', { type: 'salary', day: 27 }, '2026-03-10T10:00:00Z', {}, '2026-03-30T07:00:00Z', '2026-03-27'],
    ['still in the days after the previous payday (Fri 27 Feb; Mon 2 Mar window passed)', { type: 'salary', day: 27 }, '2026-03-02T10:00:00Z', {}, '2026-03-03T08:00:00Z', '2026-02-27'],
    ['DST autumn: Fri 23 Oct payday → Mon 26 Oct 09:00 CET', { type: 'salary' }, '2026-10-01T10:00:00Z', {}, '2026-10-26T08:00:00Z', '2026-10-23'],
    ['toeslagen moved to Mon 22 Jun', { type: 'toeslagen' }, '2026-06-01T10:00:00Z', {}, '2026-06-23T07:00:00Z', '2026-06-22'],
    ['AOW Fri 21 Aug', { type: 'aow' }, '2026-08-01T10:00:00Z', {}, '2026-08-24T07:00:00Z', '2026-08-21'],
    ['Wajong Fri 18 Dec', { type: 'uwv', benefit: 'wajong' }, '2026-12-01T10:00:00Z', {}, '2026-12-21T08:00:00Z', '2026-12-18'],
    ['WW in January: lean 9 and 12 Jan skipped', { type: 'uwv', benefit: 'ww' }, '2026-01-01T10:00:00Z', {}, '2026-01-13T08:00:00Z', '2026-01-08'],
    ['WW in January, urgent', { type: 'uwv', benefit: 'ww' }, '2026-01-01T10:00:00Z', { urgent: true }, '2026-01-09T08:00:00Z', '2026-01-08'],
    ['WW in April: 9 and 10 Apr lean', { type: 'uwv', benefit: 'ww' }, '2026-04-01T10:00:00Z', {}, '2026-04-13T07:00:00Z', '2026-04-08'],
    ['WW in June: no lean days', { type: 'uwv', benefit: 'ww' }, '2026-06-01T10:00:00Z', {}, '2026-06-05T07:00:00Z', '2026-06-04'],
    ['bijstand on the 10th', { type: 'bijstand', day: 10 }, '2026-03-01T10:00:00Z', {}, '2026-03-13T08:00:00Z', '2026-03-10'],
    ['bijstand on the 10th, urgent', { type: 'bijstand', day: 10 }, '2026-03-01T10:00:00Z', { urgent: true }, '2026-03-11T08:00:00Z', '2026-03-10'],
    ['bijstand on the 1st: January’s on 31 Dec', { type: 'bijstand', day: 1 }, '2025-12-15T10:00:00Z', {}, '2026-01-05T08:00:00Z', '2025-12-31'],
    ['a later start window', { type: 'salary' }, '2026-01-05T10:00:00Z', { window: { startHour: 14, endHour: 16 } }, '2026-01-26T13:00:00Z', '2026-01-23'],
    ['a looser window is clamped to 07:00', { type: 'salary' }, '2026-01-05T10:00:00Z', { window: { startHour: 5, endHour: 23 } }, '2026-01-26T06:00:00Z', '2026-01-23'],
    ['two working days after payday', { type: 'salary' }, '2026-01-05T10:00:00Z', { workingDaysAfter: 2 }, '2026-01-27T08:00:00Z', '2026-01-23'],
    ['on payday itself', { type: 'salary' }, '2026-01-05T10:00:00Z', { workingDaysAfter: 0 }, '2026-01-23T08:00:00Z', '2026-01-23'],
    ['span of one day', { type: 'salary' }, '2026-01-27T10:00:00Z', { spanWorkingDays: 1 }, '2026-02-26T08:00:00Z', '2026-02-25'],
    ['unknown = salary pattern', { type: 'unknown' }, '2026-04-01T10:00:00Z', {}, '2026-04-28T07:00:00Z', '2026-04-24'],
    ['custom lean days 20–28 push a salary contact', { type: 'salary', day: 20 }, '2026-01-05T10:00:00Z', { leanDays: { from: 20, to: 28 } }, '2026-01-29T08:00:00Z', '2026-01-20'],
  ])('%s', (_label, source, from, opts, at, payday) => {
    const r = contactMomentAfterPayday(source, new Date(from), opts);
    expect(r.at.toISOString()).toBe(new Date(at).toISOString());
    expect(r.payday).toBe(payday);
    expect(r.contactDate).toBe(new Date(new Date(at).getTime() + 2 * 3_600_000).toISOString().slice(0, 10));
    expect(r.reason).toBe(r.reasons.join('; '));
  });

  it('gives readable reasons', () => {
    const r = contactMomentAfterPayday({ type: 'salary' }, new Date('2026-04-01T10:00:00Z'));
    expect(r.reasons).toEqual([
      expect.stringContaining('expected payday 2026-04-24'),
      'aim for working day 1 after payday: 2026-04-28 (not working days: 2026-04-25 a Saturday, 2026-04-26 a Sunday, 2026-04-27 Koningsdag)',
      'contact on 2026-04-28 at 09:00 Europe/Amsterdam (window 09:00–10:00)',
    ]);
    const ww = contactMomentAfterPayday({ type: 'uwv', benefit: 'ww' }, new Date('2026-01-01T10:00:00Z'));
    expect(ww.reasons.filter((x) => x.includes('lean days'))).toHaveLength(2);
    const unknown = contactMomentAfterPayday({ type: 'unknown' }, new Date('2026-04-01T10:00:00Z'));
    expect(unknown.reason).toContain('income source unknown');
  });

  it.each([
    [{ workingDaysAfter: -1 }],
    [{ spanWorkingDays: 0 }],
    [{ leanDays: { from: 12, to: 8 } }],
    [{ window: { startHour: 21, endHour: 22 } }],
  ])('rejects bad options %j', (opts) => {
    expect(() => contactMomentAfterPayday({ type: 'salary' }, new Date('2026-01-05T10:00:00Z'), opts)).toThrow(RangeError);
  });

  const SOURCES: IncomeSource[] = [
    { type: 'salary' },
    { type: 'salary', rule: 'last_working_day' },
    { type: 'salary', rule: 'four_weekly', anchorDate: '2026-01-09' },
    { type: 'aow' },
    { type: 'uwv', benefit: 'wajong' },
    { type: 'uwv', benefit: 'ww' },
    { type: 'toeslagen' },
    { type: 'bijstand', day: 1 },
    { type: 'unknown' },
  ];
  it.each(SOURCES.map((s) => [JSON.stringify(s), s] as const))(
    '%s: for every day of 2026 the moment is allowed, after payday, on a working day, 09:00–10:00, not lean',
    (_l, source) => {
      for (let t = Date.UTC(2026, 0, 1, 11); t < Date.UTC(2027, 0, 1); t += 86_400_000) {
        const r = contactMomentAfterPayday(source, new Date(t));
        expect(r.at.getTime()).toBeGreaterThanOrEqual(t);
        expect(isContactAllowed(r.at)).toBe(true);
        expect(isWorkingDay(r.contactDate)).toBe(true);
        expect(r.contactDate > r.payday).toBe(true);
        const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', hour: '2-digit', hourCycle: 'h23' }).format(r.at));
        expect(hour).toBe(9);
        const day = Number(r.contactDate.slice(8));
        expect(day >= 8 && day <= 12).toBe(false);
        // never more than ~3 weeks past the payday (3-day span plus lean days plus holiday runs)
        expect(Date.parse(r.contactDate) - Date.parse(r.payday)).toBeLessThanOrEqual(21 * 86_400_000);
      }
    },
  );
});
