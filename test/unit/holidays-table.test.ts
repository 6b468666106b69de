/**
 * The holiday table the calendar ships (functions/domain/holidays-nl.generated.ts) is generated from date-holidays
 * by infra/build/holidays.ts. Regenerating must give the committed bytes: a date-holidays upgrade that changes a
 * date, or a hand edit of the table, fails here until `npm run holidays` is run and the diff reviewed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOLIDAYS_FILE, holidayYears, holidaysModule } from '../../infra/build/holidays.js';
import { HOLIDAY_TABLE_COVERAGE, isAtwHoliday } from '../../functions/domain/calendar.js';
import { HOLIDAY_TABLE } from '../../functions/domain/holidays-nl.generated.js';

describe('generated holiday table', () => {
  it('is what the generator produces from the installed date-holidays', () => {
    expect(readFileSync(HOLIDAYS_FILE, 'utf8')).toBe(holidaysModule());
  });

  it('covers 2000–2100 with 10 or 11 statutory days a year, 5 May included every year', () => {
    expect(HOLIDAY_TABLE_COVERAGE).toEqual({ from: 2000, through: 2100 });
    const years = holidayYears();
    for (let y = 2000; y <= 2100; y++) {
      // 5 May may coincide with Hemelvaartsdag (2016, 2067, …): then one day carries both
      expect(years[y].length, String(y)).toBeGreaterThanOrEqual(10);
      expect(years[y].length, String(y)).toBeLessThanOrEqual(11);
      expect(isAtwHoliday(`${y}-05-05`).holiday, `${y}-05-05`).toBe(true);
      expect(isAtwHoliday(`${y}-12-25`).name, String(y)).toBe('Eerste Kerstdag');
    }
  });

  it('knows Koninginnedag before 2014 and Koningsdag after', () => {
    expect(isAtwHoliday('2013-04-30').name).toBe('Koninginnedag');
    expect(isAtwHoliday('2000-04-29').name).toBe('Koninginnedag'); // 30 April 2000 was a Sunday
    expect(isAtwHoliday('2014-04-26').name).toBe('Koningsdag');
    expect(isAtwHoliday('2014-04-30').holiday).toBe(false);
  });

  it('refuses a year it has no data for instead of guessing', () => {
    expect(() => isAtwHoliday('1999-12-25')).toThrow(/no holiday data for 1999/);
    expect(() => isAtwHoliday('2101-01-01')).toThrow(/no holiday data for 2101/);
  });

  it('is small', () => {
    expect(JSON.stringify(HOLIDAY_TABLE).length).toBeLessThan(10_000);
  });
});
