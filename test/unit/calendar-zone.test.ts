/**
 * calendar.ts converts between instants and Europe/Amsterdam wall-clock time with Intl instead of luxon (which
 * would be the biggest part of the channel functions' bundles). luxon stays the reference here: for every hour of
 * seven years, every DST switch minute by minute, and random instants, both must agree.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addLocalDays, localDate, localDateTime, localInstant, localTime, toLocal, ZONE } from '../../functions/domain/calendar.js';

const HOUR = 3_600_000;

describe('Europe/Amsterdam wall-clock time without luxon', () => {
  it('reads every hour of 2025–2027 as luxon does', () => {
    for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2028, 0, 1); t += HOUR) {
      const l = DateTime.fromMillis(t, { zone: ZONE });
      const ours = toLocal(new Date(t));
      expect([ours.date, ours.hour, ours.minute, ours.weekday], new Date(t).toISOString()).toEqual([l.toFormat('yyyy-MM-dd'), l.hour, l.minute, l.weekday]);
    }
  });

  it('reads random instants (seconds and milliseconds included) as luxon does', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 3_000; i++) {
      const t = Math.floor(Date.UTC(2000, 0, 1) + rand() * (Date.UTC(2100, 0, 1) - Date.UTC(2000, 0, 1)));
      const l = DateTime.fromMillis(t, { zone: ZONE });
      const o = toLocal(new Date(t));
      expect([o.date, o.hour, o.minute, o.second, o.millisecond, o.weekday]).toEqual([l.toFormat('yyyy-MM-dd'), l.hour, l.minute, l.second, l.millisecond, l.weekday]);
      expect(localDateTime(t)).toBe(l.toFormat('yyyy-MM-dd HH:mm'));
      expect(localTime(t)).toBe(l.toFormat('HH:mm'));
      expect(localDate(new Date(t))).toBe(l.toFormat('yyyy-MM-dd'));
    }
  });

  it('finds the instant of every quarter hour of the DST switch days of 2024–2030 (and every 2 hours of the other days) as luxon does, DST gaps and repeats included', () => {
    for (let day = Date.UTC(2024, 0, 1); day < Date.UTC(2031, 0, 1); day += 24 * HOUR) {
      const date = new Date(day).toISOString().slice(0, 10);
      const [y, m, d] = date.split('-').map(Number);
      const dst = DateTime.fromObject({ year: y, month: m, day: d, hour: 12 }, { zone: ZONE });
      const switchDay = dst.startOf('day').offset !== dst.endOf('day').offset;
      for (let q = 0; q < 96; q += switchDay ? 1 : 8) {
        const hour = q / 4;
        const luxon = DateTime.fromObject({ year: y, month: m, day: d, hour: Math.floor(hour), minute: (q % 4) * 15 }, { zone: ZONE });
        const ours = localInstant(date, hour).getTime();
        if (luxon.isValid && luxon.hour === Math.floor(hour)) {
          // an hour that exists: the same instant (when it exists twice, luxon's pick depends on today's offset;
          // ours is the first occurrence, which reads back as the same wall-clock time either way)
          const back = toLocal(new Date(ours));
          expect([back.date, back.hour, back.minute], `${date} ${hour}`).toEqual([date, Math.floor(hour), (q % 4) * 15]);
          expect(ours === luxon.toMillis() || ours === luxon.toMillis() - HOUR, `${date} ${hour}`).toBe(true);
        } else {
          // the skipped hour (02:00–03:00 when summer time starts): moved forward by the gap, like luxon
          expect(ours, `${date} ${hour}`).toBe(luxon.toMillis());
        }
      }
    }
  });

  it('resolves the two DST switches of 2026 to known instants', () => {
    expect(localInstant('2026-03-29', 1.5).toISOString()).toBe('2026-03-29T00:30:00.000Z');
    expect(localInstant('2026-03-29', 2.5).toISOString()).toBe('2026-03-29T01:30:00.000Z'); // 02:30 does not exist → 03:30 CEST
    expect(localInstant('2026-03-29', 3).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(localInstant('2026-10-25', 2.5).toISOString()).toBe('2026-10-25T00:30:00.000Z'); // first 02:30 (CEST)
    expect(localInstant('2026-10-25', 3).toISOString()).toBe('2026-10-25T02:00:00.000Z');
    expect(localInstant('2026-07-01', 7).toISOString()).toBe('2026-07-01T05:00:00.000Z');
    expect(localInstant('2026-12-01', 7).toISOString()).toBe('2026-12-01T06:00:00.000Z');
  });

  it('adds calendar days keeping the wall-clock time, like luxon plus({ days })', () => {
    for (let t = Date.UTC(2025, 0, 1, 8, 17); t < Date.UTC(2028, 0, 1); t += 7 * HOUR + 13 * 60_000) {
      for (const days of [1, 7, 30, -3]) {
        expect(addLocalDays(t, days), `${new Date(t).toISOString()} + ${days}`).toBe(DateTime.fromMillis(t, { zone: ZONE }).plus({ days }).toMillis());
      }
    }
  });

  it('refuses what is not a valid Date', () => {
    expect(() => toLocal(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => localDate('2026-01-01' as unknown as Date)).toThrow(RangeError);
  });
});
