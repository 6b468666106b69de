import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { localDate } from '../../functions/domain/calendar.js';
import { fmt, laterDays } from '../../functions/domain/decide/moment.js';

const ZONE = 'Europe/Amsterdam';
const instants = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) });
/** instants within a few hours of a DST switch (last Sundays of March and October) */
const nearSwitch = fc.record({ year: fc.integer({ min: 1980, max: 2100 }), october: fc.boolean(), day: fc.integer({ min: 22, max: 31 }), minute: fc.integer({ min: -180, max: 300 }) }).map(({ year, october, day, minute }) => Date.UTC(year, october ? 9 : 2, day, 0, minute, 17, 3));

describe('Europe/Amsterdam time arithmetic without a DateTime answers what luxon answers', () => {
  it('laterDays = DateTime.plus({ days }) (the spring gap moves forward, the autumn overlap keeps the offset)', () => {
    fc.assert(
      fc.property(fc.oneof(instants, nearSwitch), fc.integer({ min: -400, max: 400 }), (at, days) => {
        expect(laterDays(at, days)).toBe(DateTime.fromMillis(at, { zone: ZONE }).plus({ days }).toMillis());
      }),
      { numRuns: 20_000, seed: 3 },
    );
    expect(laterDays(Date.UTC(2026, 2, 29, 1, 30), 0.5)).toBe(DateTime.fromMillis(Date.UTC(2026, 2, 29, 1, 30), { zone: ZONE }).plus({ days: 0.5 }).toMillis());
  });

  it('fmt and localDate = luxon’s format of the local time', () => {
    fc.assert(
      fc.property(fc.oneof(instants, nearSwitch), (at) => {
        const dt = DateTime.fromMillis(at, { zone: ZONE });
        expect(fmt(at)).toBe(dt.toFormat('yyyy-MM-dd HH:mm'));
        expect(localDate(new Date(at))).toBe(dt.toFormat('yyyy-MM-dd'));
      }),
      { numRuns: 20_000, seed: 4 },
    );
  });
});
