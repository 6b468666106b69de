/**
 * Dutch contact calendar. Every expectation below was worked out by hand from a printed calendar
 * (Easter 2025-04-20, 2026-04-05, 2027-03-28, 2028-04-16; Hemelvaart = Easter + 39, Pinksteren = Easter + 49;
 * CET = UTC+1, CEST = UTC+2 from the last Sunday of March to the last Sunday of October).
 */
import { describe, expect, it } from 'vitest';
import {
  DECLARED_DAYS_COVERAGE,
  DECLARED_EQUAL_DAYS,
  declaredDaysCoverage,
  addWorkingDays,
  effectiveWindow,
  isAtwHoliday,
  isContactAllowed,
  isWorkingDay,
  nextContactMoment,
  nextWorkingDay,
  previousWorkingDay,
  workingDayOnOrAfter,
  workingDayOnOrBefore,
} from '../../functions/domain/calendar.js';

const DECL_HEMELVAART = 'Gelijkgestelde dag (vrijdag na Hemelvaartsdag)';
const DECL_NIEUWJAAR = 'Gelijkgestelde dag (vrijdag na Nieuwjaarsdag)';
const DECL_KONINGSDAG = 'Gelijkgestelde dag (vrijdag na Koningsdag)';

/** Every Atw holiday and declared day, by hand, per year. */
const HOLIDAYS: Record<number, Array<[string, string]>> = {
  2025: [
    ['2025-01-01', 'Nieuwjaarsdag'],
    ['2025-04-18', 'Goede Vrijdag'],
    ['2025-04-20', 'Eerste Paasdag'],
    ['2025-04-21', 'Tweede Paasdag'],
    ['2025-04-26', 'Koningsdag'], // 27 April 2025 is a Sunday
    ['2025-05-05', 'Bevrijdingsdag'],
    ['2025-05-29', 'Hemelvaartsdag'],
    ['2025-05-30', DECL_HEMELVAART],
    ['2025-06-08', 'Eerste Pinksterdag'],
    ['2025-06-09', 'Tweede Pinksterdag'],
    ['2025-12-25', 'Eerste Kerstdag'],
    ['2025-12-26', 'Tweede Kerstdag'],
  ],
  2026: [
    ['2026-01-01', 'Nieuwjaarsdag'],
    ['2026-01-02', DECL_NIEUWJAAR],
    ['2026-04-03', 'Goede Vrijdag'],
    ['2026-04-05', 'Eerste Paasdag'],
    ['2026-04-06', 'Tweede Paasdag'],
    ['2026-04-27', 'Koningsdag'],
    ['2026-05-05', 'Bevrijdingsdag'],
    ['2026-05-14', 'Hemelvaartsdag'],
    ['2026-05-15', DECL_HEMELVAART],
    ['2026-05-24', 'Eerste Pinksterdag'],
    ['2026-05-25', 'Tweede Pinksterdag'],
    ['2026-12-25', 'Eerste Kerstdag'],
    ['2026-12-26', 'Tweede Kerstdag'],
  ],
  2027: [
    ['2027-01-01', 'Nieuwjaarsdag'],
    ['2027-03-26', 'Goede Vrijdag'],
    ['2027-03-28', 'Eerste Paasdag'],
    ['2027-03-29', 'Tweede Paasdag'],
    ['2027-04-27', 'Koningsdag'],
    ['2027-05-05', 'Bevrijdingsdag'],
    ['2027-05-06', 'Hemelvaartsdag'],
    ['2027-05-07', DECL_HEMELVAART],
    ['2027-05-16', 'Eerste Pinksterdag'],
    ['2027-05-17', 'Tweede Pinksterdag'],
    ['2027-12-25', 'Eerste Kerstdag'],
    ['2027-12-26', 'Tweede Kerstdag'],
  ],
  2028: [
    ['2028-01-01', 'Nieuwjaarsdag'],
    ['2028-04-14', 'Goede Vrijdag'],
    ['2028-04-16', 'Eerste Paasdag'],
    ['2028-04-17', 'Tweede Paasdag'],
    ['2028-04-27', 'Koningsdag'],
    ['2028-04-28', DECL_KONINGSDAG],
    ['2028-05-05', 'Bevrijdingsdag'],
    ['2028-05-25', 'Hemelvaartsdag'],
    ['2028-05-26', DECL_HEMELVAART],
    ['2028-06-04', 'Eerste Pinksterdag'],
    ['2028-06-05', 'Tweede Pinksterdag'],
    ['2028-12-25', 'Eerste Kerstdag'],
    ['2028-12-26', 'Tweede Kerstdag'],
  ],
};

/** All dates of a year, generated with plain UTC Date arithmetic (independent of the code under test). */
function datesOf(year: number): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(year, 0, 1); new Date(t).getUTCFullYear() === year; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

describe('isAtwHoliday', () => {
  for (const [year, list] of Object.entries(HOLIDAYS)) {
    it.each(list)(`${year}: %s is %s`, (date, name) => {
      expect(isAtwHoliday(date)).toMatchObject({ holiday: true, name });
    });

    it(`${year}: no other day of the year is a holiday`, () => {
      const found = datesOf(+year).filter((d) => isAtwHoliday(d).holiday);
      expect(found).toEqual(list.map(([d]) => d));
    });
  }

  it.each([
    ['2025-04-27', 'the 27th itself is a Sunday in 2025, Koningsdag is the 26th'],
    ['2025-05-04', 'Dodenherdenking is not a holiday'],
    ['2025-12-24', 'Christmas Eve'],
    ['2025-12-31', 'Oudejaarsdag'],
    ['2026-05-04', 'Monday before Bevrijdingsdag on a Tuesday was not declared'],
    ['2026-09-15', 'Prinsjesdag'],
    ['2026-12-05', 'Sinterklaas'],
    ['2027-04-26', 'Monday before Koningsdag on a Tuesday was not declared'],
    ['2027-05-04', 'between Bevrijdingsdag and Hemelvaart is not declared'],
    ['2028-12-27', 'after Tweede Kerstdag on a Tuesday'],
    ['2026-02-16', 'carnival is not a national holiday'],
  ])('%s is not a holiday (%s)', (date) => {
    expect(isAtwHoliday(date)).toEqual({ holiday: false });
  });

  it.each([2019, 2020, 2021, 2022, 2023, 2024, 2029, 2030, 2031, 2040])('5 May %i is a holiday (every year)', (y) => {
    expect(isAtwHoliday(`${y}-05-05`)).toMatchObject({ holiday: true, name: 'Bevrijdingsdag' });
  });

  it.each([
    ['2025-04-18', 'Goede Vrijdag'],
    ['2026-04-03', 'Goede Vrijdag'],
    ['2025-05-05', 'Bevrijdingsdag'],
    ['2027-05-05', 'Bevrijdingsdag'],
  ])('%s (%s) counts although date-holidays types it as non-public', (date, name) => {
    expect(isAtwHoliday(date)).toEqual({ holiday: true, name, declared: false });
  });

  it.each([
    ['2014-04-26', 'Koningsdag'], // 27 April 2014 was a Sunday
    ['2020-04-27', 'Koningsdag'],
    ['2031-04-26', 'Koningsdag'], // 27 April 2031 is a Sunday
  ])('Koningsdag %s', (date, name) => {
    expect(isAtwHoliday(date)).toMatchObject({ holiday: true, name });
  });

  it('every declared day is a Friday, flagged declared, and named', () => {
    const days = Object.keys(DECLARED_EQUAL_DAYS);
    expect(days).toEqual([
      '2023-04-28',
      '2023-05-19',
      '2024-05-10',
      '2024-12-27',
      '2025-05-30',
      '2026-01-02',
      '2026-05-15',
      '2027-05-07',
      '2028-04-28',
      '2028-05-26',
    ]);
    for (const d of days) {
      expect(new Date(`${d}T12:00:00Z`).getUTCDay()).toBe(5);
      expect(isAtwHoliday(d)).toMatchObject({ holiday: true, declared: true });
    }
  });

  it.each(['2026-1-02', '2026-02-30', '2025-02-29', 'yesterday', '', '2026-13-01', '0099-01-01'])('rejects %j', (bad) => {
    expect(() => isAtwHoliday(bad)).toThrow(RangeError);
  });
});

describe('working days', () => {
  it.each([
    ['2026-01-01', false],
    ['2026-01-02', false], // declared
    ['2026-01-03', false], // Saturday
    ['2026-01-04', false], // Sunday
    ['2026-01-05', true],
    ['2026-04-03', false],
    ['2026-04-07', true],
    ['2026-04-27', false],
    ['2026-05-04', true],
    ['2026-05-05', false],
    ['2026-05-15', false],
    ['2026-12-24', true],
    ['2026-12-31', true],
  ])('isWorkingDay(%s) = %s', (date, expected) => {
    expect(isWorkingDay(date)).toBe(expected);
  });

  it.each([
    ['2025-12-31', '2026-01-05'], // Nieuwjaarsdag, declared 2 Jan, weekend
    ['2026-04-02', '2026-04-07'], // Goede Vrijdag, weekend, Tweede Paasdag
    ['2026-05-13', '2026-05-18'], // Hemelvaart, declared Friday, weekend
    ['2026-05-22', '2026-05-26'], // weekend, Tweede Pinksterdag
    ['2026-12-24', '2026-12-28'], // Kerst Fri + Sat, Sunday
    ['2025-04-25', '2025-04-28'], // Koningsdag on Saturday
    ['2027-04-26', '2027-04-28'], // Koningsdag Tuesday
    ['2028-04-26', '2028-05-01'], // Koningsdag Thu, declared Fri, weekend
    ['2028-05-04', '2028-05-08'], // Bevrijdingsdag Friday, weekend
    ['2026-03-04', '2026-03-05'], // plain Wednesday
  ])('nextWorkingDay(%s) = %s', (date, expected) => {
    expect(nextWorkingDay(date)).toBe(expected);
  });

  it.each([
    ['2026-01-05', '2025-12-31'],
    ['2026-04-07', '2026-04-02'],
    ['2026-05-18', '2026-05-13'],
    ['2025-06-10', '2025-06-06'],
    ['2026-12-28', '2026-12-24'],
    ['2028-05-01', '2028-04-26'],
    ['2026-03-05', '2026-03-04'],
  ])('previousWorkingDay(%s) = %s', (date, expected) => {
    expect(previousWorkingDay(date)).toBe(expected);
  });

  it.each([
    ['2026-04-01', 3, '2026-04-08'],
    ['2025-12-22', 5, '2025-12-31'],
    ['2025-12-22', 6, '2026-01-05'],
    ['2026-01-05', -2, '2025-12-30'],
    ['2026-05-12', 2, '2026-05-18'],
    ['2026-03-06', 10, '2026-03-20'],
    ['2026-03-07', 1, '2026-03-09'], // from a Saturday
    ['2026-04-03', 0, '2026-04-03'], // zero moves nothing, even from a holiday
    ['2026-04-03', -1, '2026-04-02'],
  ])('addWorkingDays(%s, %i) = %s', (date, n, expected) => {
    expect(addWorkingDays(date, n)).toBe(expected);
  });

  it.each([
    ['2026-04-03', '2026-04-07', '2026-04-02'],
    ['2026-03-04', '2026-03-04', '2026-03-04'],
    ['2026-01-01', '2026-01-05', '2025-12-31'],
  ])('on-or-after / on-or-before %s', (date, after, before) => {
    expect(workingDayOnOrAfter(date)).toBe(after);
    expect(workingDayOnOrBefore(date)).toBe(before);
  });

  it('counts 252 working days in 2025 and 251 in 2026', () => {
    // 2025: 261 weekdays − 9 weekday holidays (1/1, 18/4, 21/4, 5/5, 29/5, 30/5, 9/6, 25/12, 26/12)
    // 2026: 261 weekdays − 10 weekday holidays (1/1, 2/1, 3/4, 6/4, 27/4, 5/5, 14/5, 15/5, 25/5, 25/12)
    expect(datesOf(2025).filter(isWorkingDay)).toHaveLength(252);
    expect(datesOf(2026).filter(isWorkingDay)).toHaveLength(251);
  });

  it('rejects a fractional n', () => {
    expect(() => addWorkingDays('2026-03-04', 1.5)).toThrow(RangeError);
  });
});

describe('effectiveWindow', () => {
  it.each([
    [undefined, { startHour: 7, endHour: 20 }],
    [{ startHour: 9, endHour: 17 }, { startHour: 9, endHour: 17 }],
    [{ startHour: 6, endHour: 22 }, { startHour: 7, endHour: 20 }],
    [{ startHour: 0, endHour: 24 }, { startHour: 7, endHour: 20 }],
    [{ startHour: 8, endHour: 21 }, { startHour: 8, endHour: 20 }],
  ])('%j → %j (clamped to 07:00–20:00, never looser)', (w, expected) => {
    expect(effectiveWindow(w)).toEqual(expected);
  });

  it.each([
    { startHour: 21, endHour: 23 },
    { startHour: 5, endHour: 7 },
    { startHour: 10, endHour: 10 },
    { startHour: Number.NaN, endHour: 10 },
    { startHour: -1, endHour: 10 },
  ])('%j leaves nothing or is invalid → throws', (w) => {
    expect(() => effectiveWindow(w)).toThrow(RangeError);
  });
});

describe('isContactAllowed (instants in UTC)', () => {
  it.each([
    // plain winter Wednesday 4 March 2026 (CET = UTC+1)
    ['2026-03-04T06:00:00Z', true, '07:00 CET opens'],
    ['2026-03-04T05:59:59Z', false, '06:59:59 CET'],
    ['2026-03-04T18:59:59Z', true, '19:59:59 CET'],
    ['2026-03-04T19:00:00Z', false, '20:00 CET closes'],
    ['2026-03-04T23:30:00Z', false, '00:30 CET next day'],
    ['2026-03-07T12:00:00Z', true, 'Saturday is allowed'],
    ['2026-03-08T12:00:00Z', false, 'Sunday'],
    // holidays 2026 (CEST = UTC+2 from 29 March)
    ['2026-01-01T11:00:00Z', false, 'Nieuwjaarsdag'],
    ['2026-01-02T11:00:00Z', false, 'declared 2 Jan'],
    ['2026-04-02T17:59:00Z', true, 'Thursday 19:59 CEST before Goede Vrijdag'],
    ['2026-04-03T05:30:00Z', false, 'Goede Vrijdag 07:30 CEST'],
    ['2026-04-04T10:00:00Z', true, 'Saturday between Goede Vrijdag and Pasen'],
    ['2026-04-06T10:00:00Z', false, 'Tweede Paasdag'],
    ['2026-04-27T10:00:00Z', false, 'Koningsdag'],
    ['2026-05-05T10:00:00Z', false, 'Bevrijdingsdag 2026'],
    ['2027-05-05T10:00:00Z', false, 'Bevrijdingsdag 2027 (no lustrum)'],
    ['2026-05-14T10:00:00Z', false, 'Hemelvaartsdag'],
    ['2026-05-15T10:00:00Z', false, 'declared Friday after Hemelvaart'],
    ['2026-05-25T10:00:00Z', false, 'Tweede Pinksterdag'],
    ['2026-12-24T10:00:00Z', true, 'Christmas Eve'],
    ['2026-12-25T10:00:00Z', false, 'Eerste Kerstdag'],
    ['2026-12-26T10:00:00Z', false, 'Tweede Kerstdag on a Saturday'],
    ['2026-12-31T10:00:00Z', true, 'Oudejaarsdag'],
    ['2025-04-26T10:00:00Z', false, 'Koningsdag 2025 on Saturday 26 April'],
    // DST spring 2025 (30 March): 07:00 local is 06:00Z before, 05:00Z after
    ['2025-03-24T05:30:00Z', false, 'Mon 24 Mar 06:30 CET'],
    ['2025-03-31T05:30:00Z', true, 'Mon 31 Mar 07:30 CEST'],
    ['2025-03-31T04:59:59Z', false, 'Mon 31 Mar 06:59:59 CEST'],
    ['2025-03-31T05:00:00Z', true, 'Mon 31 Mar 07:00 CEST'],
    ['2025-03-28T18:30:00Z', true, 'Fri 28 Mar 19:30 CET'],
    ['2025-03-31T18:30:00Z', false, 'Mon 31 Mar 20:30 CEST'],
    // DST autumn 2025 (26 October): 07:00 local is 05:00Z before, 06:00Z after
    ['2025-10-24T05:30:00Z', true, 'Fri 24 Oct 07:30 CEST'],
    ['2025-10-27T05:30:00Z', false, 'Mon 27 Oct 06:30 CET'],
    ['2025-10-27T06:00:00Z', true, 'Mon 27 Oct 07:00 CET'],
    ['2025-10-24T18:00:00Z', false, 'Fri 24 Oct 20:00 CEST'],
    ['2025-10-27T18:30:00Z', true, 'Mon 27 Oct 19:30 CET'],
    // DST 2026 (29 March, 25 October)
    ['2026-03-30T04:30:00Z', false, 'Mon 30 Mar 06:30 CEST'],
    ['2026-03-30T05:00:00Z', true, 'Mon 30 Mar 07:00 CEST'],
    ['2026-10-26T05:30:00Z', false, 'Mon 26 Oct 06:30 CET'],
    ['2026-10-26T06:00:00Z', true, 'Mon 26 Oct 07:00 CET'],
  ])('%s → %s (%s)', (iso, expected) => {
    expect(isContactAllowed(new Date(iso))).toBe(expected);
  });

  it.each([
    ['2026-03-04T07:59:00Z', { startHour: 9, endHour: 17 }, false],
    ['2026-03-04T08:00:00Z', { startHour: 9, endHour: 17 }, true],
    ['2026-03-04T15:59:00Z', { startHour: 9, endHour: 17 }, true],
    ['2026-03-04T16:00:00Z', { startHour: 9, endHour: 17 }, false],
    ['2026-03-04T05:30:00Z', { startHour: 6, endHour: 22 }, false], // 06:30: a looser window is clamped
    ['2026-03-04T19:30:00Z', { startHour: 6, endHour: 22 }, false], // 20:30: clamped
    ['2026-03-04T06:00:00Z', { startHour: 6, endHour: 22 }, true],
    ['2026-03-08T10:00:00Z', { startHour: 9, endHour: 17 }, false], // Sunday whatever the window
  ])('%s with window %j → %s', (iso, w, expected) => {
    expect(isContactAllowed(new Date(iso), w)).toBe(expected);
  });

  it('counts 303 contact days in 2025 and 302 in 2026 (365 − 52 Sundays − holidays not on a Sunday)', () => {
    const count = (y: number) => datesOf(y).filter((d) => isContactAllowed(new Date(`${d}T11:00:00Z`))).length;
    expect(count(2025)).toBe(303); // 10 non-Sunday holidays incl. Koningsdag on Saturday 26 April
    expect(count(2026)).toBe(302); // 11 non-Sunday holidays incl. Tweede Kerstdag on Saturday
  });

  it('rejects an invalid Date', () => {
    expect(() => isContactAllowed(new Date('nope'))).toThrow(RangeError);
  });
});

describe('nextContactMoment (instants in UTC)', () => {
  const H = (name: string) => `holiday:${name}`;
  it.each<[string, string, string, string[]]>([
    ['allowed as is', '2026-03-04T10:00:00.123Z', '2026-03-04T10:00:00.123Z', []],
    ['evening → next morning', '2026-03-04T19:30:00Z', '2026-03-05T06:00:00Z', ['night']],
    ['20:00 sharp → next morning', '2026-03-04T19:00:00Z', '2026-03-05T06:00:00Z', ['night']],
    ['early morning → 07:00', '2026-03-05T03:00:00Z', '2026-03-05T06:00:00Z', ['night']],
    ['Saturday night → Monday', '2026-03-07T19:00:00Z', '2026-03-09T06:00:00Z', ['night', 'sunday']],
    ['Sunday noon → Monday', '2026-03-08T12:00:00Z', '2026-03-09T06:00:00Z', ['sunday']],
    ['Nieuwjaar + declared 2 Jan', '2025-12-31T19:30:00Z', '2026-01-03T06:00:00Z', ['night', H('Nieuwjaarsdag'), H(DECL_NIEUWJAAR)]],
    ['Goede Vrijdag 2026', '2026-04-02T18:30:00Z', '2026-04-04T05:00:00Z', ['night', H('Goede Vrijdag')]],
    ['Pasen 2026', '2026-04-04T18:00:00Z', '2026-04-07T05:00:00Z', ['night', 'sunday', H('Tweede Paasdag')]],
    ['Goede Vrijdag 2025', '2025-04-17T18:00:00Z', '2025-04-19T05:00:00Z', ['night', H('Goede Vrijdag')]],
    ['Koningsdag 2025 (Sat 26 Apr)', '2025-04-25T18:00:00Z', '2025-04-28T05:00:00Z', ['night', H('Koningsdag'), 'sunday']],
    ['Koningsdag 2026 (Mon)', '2026-04-25T18:30:00Z', '2026-04-28T05:00:00Z', ['night', 'sunday', H('Koningsdag')]],
    ['5 May 2026', '2026-05-04T19:00:00Z', '2026-05-06T05:00:00Z', ['night', H('Bevrijdingsdag')]],
    ['5 May 2027 (Wed)', '2027-05-05T09:00:00Z', '2027-05-08T05:00:00Z', [H('Bevrijdingsdag'), H('Hemelvaartsdag'), H(DECL_HEMELVAART)]],
    ['Hemelvaart + declared 2026', '2026-05-13T18:00:00Z', '2026-05-16T05:00:00Z', ['night', H('Hemelvaartsdag'), H(DECL_HEMELVAART)]],
    ['Hemelvaart + declared 2025', '2025-05-29T08:00:00Z', '2025-05-31T05:00:00Z', [H('Hemelvaartsdag'), H(DECL_HEMELVAART)]],
    ['Pinksteren 2026', '2026-05-23T18:30:00Z', '2026-05-26T05:00:00Z', ['night', 'sunday', H('Tweede Pinksterdag')]],
    ['Pinksteren 2025', '2025-06-08T10:00:00Z', '2025-06-10T05:00:00Z', ['sunday', H('Tweede Pinksterdag')]],
    ['Kerst 2026 (Fri + Sat)', '2026-12-24T19:00:00Z', '2026-12-28T06:00:00Z', ['night', H('Eerste Kerstdag'), H('Tweede Kerstdag'), 'sunday']],
    ['Kerst 2025 (Thu + Fri)', '2025-12-25T09:00:00Z', '2025-12-27T06:00:00Z', [H('Eerste Kerstdag'), H('Tweede Kerstdag')]],
    ['Christmas Eve 2025 is fine', '2025-12-24T12:00:00Z', '2025-12-24T12:00:00Z', []],
    // DST spring
    ['DST spring 2025: Sat night → Mon 07:00 CEST', '2025-03-29T19:30:00Z', '2025-03-31T05:00:00Z', ['night', 'sunday']],
    ['DST spring 2026: Sat 20:00 CET → Mon 07:00 CEST', '2026-03-28T19:00:00Z', '2026-03-30T05:00:00Z', ['night', 'sunday']],
    ['DST spring 2026: Mon 06:30 CEST → 07:00 CEST', '2026-03-30T04:30:00Z', '2026-03-30T05:00:00Z', ['night']],
    ['week before: Mon 06:30 CET → 07:00 CET', '2026-03-23T05:30:00Z', '2026-03-23T06:00:00Z', ['night']],
    ['DST switch night itself 2025 (Sun 03:30 CEST)', '2025-03-30T01:30:00Z', '2025-03-31T05:00:00Z', ['sunday']],
    // DST autumn
    ['DST autumn 2025: Sat 20:30 CEST → Mon 07:00 CET', '2025-10-25T18:30:00Z', '2025-10-27T06:00:00Z', ['night', 'sunday']],
    ['DST autumn 2026: Sat 20:00 CEST → Mon 07:00 CET', '2026-10-24T18:00:00Z', '2026-10-26T06:00:00Z', ['night', 'sunday']],
    ['DST autumn 2025: repeated hour (02:30 CET)', '2025-10-26T01:30:00Z', '2025-10-27T06:00:00Z', ['sunday']],
    ['DST autumn 2026: Fri 21:00 CEST → Sat 07:00 CEST', '2026-10-23T19:00:00Z', '2026-10-24T05:00:00Z', ['night']],
    // Easter 2027 right at the DST switch (28 March 2027)
    ['Goede Vrijdag 2027 (CET)', '2027-03-25T19:30:00Z', '2027-03-27T06:00:00Z', ['night', H('Goede Vrijdag')]],
    ['Pasen 2027 across DST', '2027-03-27T19:00:00Z', '2027-03-30T05:00:00Z', ['night', 'sunday', H('Tweede Paasdag')]],
  ])('%s: %s → %s', (_label, input, expected, reasons) => {
    const r = nextContactMoment(new Date(input));
    expect(r.at.toISOString()).toBe(new Date(expected).toISOString());
    expect(r.reasons).toEqual(reasons);
    expect(r.moved).toBe(reasons.length > 0);
    expect(r.reason).toBe(reasons.length ? reasons.join(', ') : 'allowed');
  });

  it.each<[string, string, { startHour: number; endHour: number }, string, string[]]>([
    ['after a stricter window → next day', '2026-03-04T12:00:00Z', { startHour: 9, endHour: 12 }, '2026-03-05T08:00:00Z', ['outside-window']],
    ['before a stricter window → same day', '2026-03-04T06:30:00Z', { startHour: 9, endHour: 12 }, '2026-03-04T08:00:00Z', ['outside-window']],
    ['night before a stricter window', '2026-03-04T05:00:00Z', { startHour: 9, endHour: 12 }, '2026-03-04T08:00:00Z', ['night']],
    ['stricter window in summer time', '2026-03-30T06:00:00Z', { startHour: 9, endHour: 10 }, '2026-03-30T07:00:00Z', ['outside-window']],
    ['half-hour window start', '2026-03-04T08:00:00Z', { startHour: 9.5, endHour: 10 }, '2026-03-04T08:30:00Z', ['outside-window']],
    ['looser window is clamped', '2026-03-04T05:00:00Z', { startHour: 5, endHour: 23 }, '2026-03-04T06:00:00Z', ['night']],
    ['looser evening is clamped', '2026-03-04T19:30:00Z', { startHour: 5, endHour: 23 }, '2026-03-05T06:00:00Z', ['night']],
  ])('%s', (_label, input, w, expected, reasons) => {
    const r = nextContactMoment(new Date(input), w);
    expect(r.at.toISOString()).toBe(new Date(expected).toISOString());
    expect(r.reasons).toEqual(reasons);
  });

  it('for every hour of 2026 the result is allowed, not earlier, and nothing allowed was skipped', () => {
    // Consistency sweep on top of the hand tables above: 8,760 hourly instants.
    const start = Date.UTC(2026, 0, 1);
    for (let t = start; t < Date.UTC(2027, 0, 1); t += 3_600_000) {
      const r = nextContactMoment(new Date(t));
      expect(r.at.getTime()).toBeGreaterThanOrEqual(t);
      expect(isContactAllowed(r.at)).toBe(true);
      expect(r.moved).toBe(r.at.getTime() !== t);
      // everything between the asked instant and the answer (in hourly steps) is forbidden
      for (let u = t; u < r.at.getTime(); u += 3_600_000) expect(isContactAllowed(new Date(u))).toBe(false);
    }
  });
});

describe('declaredDaysCoverage: the calendar says when its declared days (Atw art. 3 lid 3) run out', () => {
  const through = `${DECLARED_DAYS_COVERAGE.through}-12-31`; // the list is complete through 2028

  it('more than 12 months of declared days left: no warning', () => {
    // 23:59 on 31 December 2027 in Amsterdam (CET = UTC+1): 12 months later is 31 December 2028, still covered
    const r = declaredDaysCoverage(new Date('2027-12-31T22:59:00Z'));
    expect(r).toEqual({ ok: true, coveredThrough: through, daysLeft: 366 });
    expect(declaredDaysCoverage(new Date('2026-12-10T10:00:00Z')).ok).toBe(true);
  });

  it('the list runs out within the next 12 months: a warning that names where to add the government\'s list', () => {
    // 00:00 on 1 January 2028 in Amsterdam: 12 months later (1 January 2029) is no longer covered
    const r = declaredDaysCoverage(new Date('2027-12-31T23:00:00Z'));
    expect(r).toMatchObject({ ok: false, coveredThrough: through, daysLeft: 365 });
    expect(r.message).toContain(`run out on ${through}, within 12 months`);
    expect(r.message).toContain('DECLARED_EQUAL_DAYS in functions/domain/calendar.ts');
    expect(r.message).toContain('Staatscourant');
    expect(r.message).toContain('Algemene termijnenwet art. 3 lid 3');
  });

  it('after the list ran out the warning says so', () => {
    const r = declaredDaysCoverage(new Date('2029-02-01T10:00:00Z'));
    expect(r).toMatchObject({ ok: false, daysLeft: -32 });
    expect(r.message).toContain(`ran out on ${through}`);
  });

  it('the horizon and the coverage are parameters (e.g. a 3-month warning; a list extended through 2031)', () => {
    expect(declaredDaysCoverage(new Date('2028-09-30T10:00:00Z'), 3).ok).toBe(true);
    expect(declaredDaysCoverage(new Date('2028-10-01T10:00:00Z'), 3).ok).toBe(false);
    expect(declaredDaysCoverage(new Date('2029-02-01T10:00:00Z'), 12, { through: 2031 })).toMatchObject({ ok: true, coveredThrough: '2031-12-31' });
    expect(() => declaredDaysCoverage(new Date('2028-10-01T10:00:00Z'), -1)).toThrow(RangeError);
  });

  it('every listed declared day lies inside the coverage (a day outside it would mean the coverage is wrong)', () => {
    for (const d of Object.keys(DECLARED_EQUAL_DAYS)) {
      expect(Number(d.slice(0, 4))).toBeGreaterThanOrEqual(DECLARED_DAYS_COVERAGE.from);
      expect(Number(d.slice(0, 4))).toBeLessThanOrEqual(DECLARED_DAYS_COVERAGE.through);
    }
  });
});
