/**
 * Dutch contact calendar (DESIGN §5 rules 7–8 and the Algemene termijnenwet).
 *
 * Pure: no AWS, never reads the wall clock; every instant is a parameter.
 * Calendar dates are plain strings 'YYYY-MM-DD' meaning a day in Europe/Amsterdam.
 *
 * Holidays = Algemene termijnenwet (Atw) art. 3:
 *   lid 1  Nieuwjaarsdag, (Eerste en) Tweede Paasdag, Koningsdag (27 April; 26 April when the 27th is a Sunday),
 *          5 mei (every year), Hemelvaartsdag, (Eerste en) Tweede Pinksterdag, Eerste en Tweede Kerstdag;
 *   lid 2  Goede Vrijdag;
 *   lid 3  days the government declares equal ("gelijkgestelde dagen", see DECLARED_EQUAL_DAYS below).
 * Eerste Paasdag and Eerste Pinksterdag are Sundays (so never contact days anyway) but are listed by name so
 * that reasons read naturally.
 *
 * The statutory holidays come from a table generated at build time (holidays-nl.generated.ts, by
 * infra/build/holidays.ts from the `date-holidays` package, with 5 May forced in every year and Goede Vrijdag
 * selected by name); the declared days are added here. Shipping the table instead of the library keeps ~1.45 MB of
 * other countries' calendars out of every Lambda bundle. A year outside the table throws: regenerate it.
 *
 * Time zone arithmetic uses the platform's Intl (the IANA zone database that ships with Node), not a date library:
 * what the calendar needs is the local wall-clock time of an instant and the instant of a local wall-clock time,
 * and a library for that alone would be the largest part of the channel functions' bundles.
 */
import { HOLIDAY_TABLE } from './holidays-nl.generated.js';

export const ZONE = 'Europe/Amsterdam';

/** Contact hours allowed by Bki art. 4.2: from 07:00 up to (not including) 20:00 Europe/Amsterdam. */
export const LEGAL_CONTACT_WINDOW: Readonly<ContactWindow> = Object.freeze({ startHour: 7, endHour: 20 });

export interface ContactWindow {
  /** local hour the window opens (inclusive); fractions allowed, 9.5 = 09:30 */
  startHour: number;
  /** local hour the window closes (exclusive); fractions allowed */
  endHour: number;
}

export interface HolidayInfo {
  holiday: boolean;
  name?: string;
  /** true for a day declared equal to a holiday (Atw art. 3 lid 3) rather than a holiday by law */
  declared?: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Declared days (gelijkgestelde dagen, Atw art. 3 lid 3)
// ---------------------------------------------------------------------------------------------------

/**
 * Days declared equal to a generally recognised holiday (Atw art. 3 lid 3). Maintained by hand: the government
 * publishes a Besluit in the Staatscourant, usually for three years at a time. Add the next Besluit when it
 * appears (the one after 2028) and extend DECLARED_DAYS_COVERAGE.
 *
 * Sources (titles of the Besluiten, which list every day they declare):
 *  - "Besluit gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024, 27 december 2024 en 30 mei 2025 met
 *    een algemeen erkende feestdag"
 *  - "Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, 28 april 2028 en 26 mei 2028 met een
 *    algemeen erkende feestdag"
 *  Both titles as quoted by mr. W.G.H.M. van der Putten, sterfgeval.nl vraag 70745 (4 October 2025),
 *  https://sterfgeval.nl/juridisch/overige/vragen-van-uitvaartondernemers/gemeentelijke-feestdag-bij-lijkbezorging-feestdagen-in-2026-2028/70745
 *  The 2026–2028 days match DESIGN.md §5 (2 Jan 2026, 15 May 2026, 7 May 2027). Every listed day is the Friday
 *  after a Thursday holiday, the pattern the Besluiten follow. Nothing here is inferred from that pattern: a
 *  day is listed only when a Besluit names it (e.g. Monday 4 May 2026 is NOT declared).
 */
export const DECLARED_EQUAL_DAYS: Readonly<Record<string, string>> = Object.freeze({
  '2023-04-28': 'Gelijkgestelde dag (vrijdag na Koningsdag)',
  '2023-05-19': 'Gelijkgestelde dag (vrijdag na Hemelvaartsdag)',
  '2024-05-10': 'Gelijkgestelde dag (vrijdag na Hemelvaartsdag)',
  '2024-12-27': 'Gelijkgestelde dag (vrijdag na Tweede Kerstdag)',
  '2025-05-30': 'Gelijkgestelde dag (vrijdag na Hemelvaartsdag)',
  '2026-01-02': 'Gelijkgestelde dag (vrijdag na Nieuwjaarsdag)',
  '2026-05-15': 'Gelijkgestelde dag (vrijdag na Hemelvaartsdag)',
  '2027-05-07': 'Gelijkgestelde dag (vrijdag na Hemelvaartsdag)',
  '2028-04-28': 'Gelijkgestelde dag (vrijdag na Koningsdag)',
  '2028-05-26': 'Gelijkgestelde dag (vrijdag na Hemelvaartsdag)',
});

/** Years for which DECLARED_EQUAL_DAYS is known to be complete. Outside it only statutory holidays are known. */
export const DECLARED_DAYS_COVERAGE = Object.freeze({ from: 2023, through: 2028 });

export interface DeclaredDaysCoverage {
  ok: boolean;
  /** the last day DECLARED_EQUAL_DAYS is known to be complete */
  coveredThrough: string;
  /** days from today (Europe/Amsterdam) to coveredThrough; negative once it has passed */
  daysLeft: number;
  /** when not ok: what runs out and where to add the government's list */
  message?: string;
}

/**
 * Does the declared-days list run out within `horizonMonths` (default 12) of `now`? Why it matters: after the last
 * covered year the calendar only knows the statutory holidays, so a declared day would count as a working day — a
 * 14-day term could end a day too early (Atw art. 1 and 3 lid 3) and a message could go out on it. The Besluit is
 * published well ahead, so a year's warning leaves time to add it.
 */
export function declaredDaysCoverage(now: Date, horizonMonths = 12, coverage: { through: number } = DECLARED_DAYS_COVERAGE): DeclaredDaysCoverage {
  if (!Number.isInteger(horizonMonths) || horizonMonths < 0) throw new RangeError('horizonMonths must be a whole number ≥ 0');
  const today = localDate(now);
  const coveredThrough = `${pad4(coverage.through)}-12-31`;
  const daysLeft = daysBetween(today, coveredThrough);
  if (addMonths(today, horizonMonths) <= coveredThrough) return { ok: true, coveredThrough, daysLeft };
  const when = daysLeft < 0 ? `ran out on ${coveredThrough}` : `run out on ${coveredThrough}, within ${horizonMonths} months`;
  return {
    ok: false,
    coveredThrough,
    daysLeft,
    message:
      `The days declared equal to a holiday (Algemene termijnenwet art. 3 lid 3) ${when}; after that the calendar knows ` +
      "only the statutory holidays. Add the government's next \"Besluit gelijkstelling … met een algemeen erkende " +
      'feestdag" (Staatscourant) to DECLARED_EQUAL_DAYS in functions/domain/calendar.ts and extend DECLARED_DAYS_COVERAGE.',
  };
}

// ---------------------------------------------------------------------------------------------------
// Statutory holidays (the generated table)
// ---------------------------------------------------------------------------------------------------

/** Years the statutory holiday table covers; outside it isAtwHoliday throws rather than guess. */
export const HOLIDAY_TABLE_COVERAGE = Object.freeze({ from: HOLIDAY_TABLE.from, through: HOLIDAY_TABLE.through });

const yearCache = new Map<number, ReadonlyMap<string, HolidayInfo>>();

function holidaysOfYear(year: number): ReadonlyMap<string, HolidayInfo> {
  const cached = yearCache.get(year);
  if (cached) return cached;
  const row = HOLIDAY_TABLE.years[year];
  if (row === undefined) {
    throw new RangeError(`no holiday data for ${year} (the table covers ${HOLIDAY_TABLE.from}–${HOLIDAY_TABLE.through}; run npm run holidays)`);
  }
  const map = new Map<string, HolidayInfo>();
  // Three characters per holiday: the day of the year in two base-36 digits, the name's index in one.
  const jan1 = dateParts(`${pad4(year)}-01-01`).epochDay;
  for (let i = 0; i < row.length; i += 3) {
    const date = fromEpochDay(jan1 + parseInt(row.slice(i, i + 2), 36) - 1);
    map.set(date, { holiday: true, name: HOLIDAY_TABLE.names[parseInt(row[i + 2], 36)], declared: false });
  }
  for (const [date, name] of Object.entries(DECLARED_EQUAL_DAYS)) {
    if (date.startsWith(`${pad4(year)}-`) && !map.has(date)) map.set(date, { holiday: true, name, declared: true });
  }
  yearCache.set(year, map);
  return map;
}

// ---------------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------------

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function pad4(n: number): string {
  return String(n).padStart(4, '0');
}

interface DateParts {
  year: number;
  month: number;
  day: number;
  /** days since 1970-01-01 (plain calendar arithmetic, no time zone involved) */
  epochDay: number;
}

/**
 * Validates 'YYYY-MM-DD' and splits it. Calendar-day arithmetic (adding days, weekdays) needs no time zone, so
 * it runs on plain UTC day numbers: fast, and immune to DST by construction.
 */
export function dateParts(date: string): DateParts {
  const m = typeof date === 'string' ? ISO_DATE.exec(date) : null;
  if (!m) throw new RangeError(`not a date YYYY-MM-DD: ${JSON.stringify(date)}`);
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`not a valid calendar date: ${date}`);
  }
  return { year, month, day, epochDay: ms / 86_400_000 };
}

function fromEpochDay(n: number): string {
  return new Date(n * 86_400_000).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------
// Europe/Amsterdam wall-clock time
// ---------------------------------------------------------------------------------------------------

/** An instant as read on a clock in Europe/Amsterdam. */
export interface LocalTime {
  /** 'YYYY-MM-DD' */
  date: string;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday */
  weekday: number;
}

const WALL_CLOCK = new Intl.DateTimeFormat('en-US', {
  timeZone: ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/**
 * UTC offset of Europe/Amsterdam at an instant, in ms (3 600 000 in winter, 7 200 000 in summer). Remembered per
 * quarter hour of UTC: Intl's formatToParts is slow (it was a fifth of a simulated portfolio's CPU), and the offset
 * changes at most once in a quarter hour — a quarter hour whose start and end differ (a switch inside it) is
 * computed for each instant. At most OFFSET_CACHE_MAX quarter hours are kept (then the memory starts afresh).
 */
function offsetAt(ms: number): number {
  const bucket = Math.floor(ms / OFFSET_BUCKET_MS);
  const known = offsets.get(bucket);
  if (known !== undefined) return known;
  const start = intlOffsetAt(bucket * OFFSET_BUCKET_MS);
  if (start !== intlOffsetAt((bucket + 1) * OFFSET_BUCKET_MS - 1)) return intlOffsetAt(ms);
  if (offsets.size >= OFFSET_CACHE_MAX) offsets.clear();
  offsets.set(bucket, start);
  return start;
}
const OFFSET_BUCKET_MS = 15 * 60_000;
const OFFSET_CACHE_MAX = 100_000;
const offsets = new Map<number, number>();

function intlOffsetAt(ms: number): number {
  const p: Record<string, number> = {};
  for (const part of WALL_CLOCK.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wholeSecond = ms - (((ms % 1000) + 1000) % 1000);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - wholeSecond;
}

function validMs(instant: Date): number {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new RangeError('not a valid Date');
  return instant.getTime();
}

/** The wall-clock time in Europe/Amsterdam of an instant. */
export function toLocal(instant: Date): LocalTime {
  const ms = validMs(instant);
  const local = new Date(ms + offsetAt(ms));
  const date = local.toISOString().slice(0, 10);
  return {
    date,
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    millisecond: local.getUTCMilliseconds(),
    weekday: ((local.getUTCDay() + 6) % 7) + 1,
  };
}

/**
 * The instant a wall-clock time in Europe/Amsterdam names. A time that does not exist (the hour skipped when
 * summer time starts) is moved forward by the gap, and one that exists twice (the hour repeated when it ends)
 * is the first of the two, as date libraries resolve them.
 */
function zonedMs(wallAsUtc: number): number {
  // The offsets in force a day before and a day after (DST changes are months apart): the answer is the wall
  // time minus one of them.
  const offsets = [...new Set([offsetAt(wallAsUtc - 86_400_000), offsetAt(wallAsUtc + 86_400_000)])].sort((x, y) => y - x);
  for (const o of offsets) {
    const t = wallAsUtc - o;
    if (offsetAt(t) === o) return t; // larger offset first: the earlier of two occurrences
  }
  return wallAsUtc - offsets[offsets.length - 1]; // in the skipped hour: forward by the gap
}

/** The calendar day (Europe/Amsterdam) an instant falls on. */
export function localDate(instant: Date): string {
  return toLocal(instant).date;
}

/** 'YYYY-MM-DD HH:mm' in Europe/Amsterdam (for reasons and logs that people read). */
export function localDateTime(instant: Date | number): string {
  const l = toLocal(typeof instant === 'number' ? new Date(instant) : instant);
  return `${l.date} ${pad2(l.hour)}:${pad2(l.minute)}`;
}

/** 'HH:mm' in Europe/Amsterdam. */
export function localTime(instant: Date | number): string {
  return localDateTime(instant).slice(11);
}

/** The same wall-clock time `days` calendar days later (or earlier) in Europe/Amsterdam, across DST changes. */
export function addLocalDays(instant: Date | number, days: number): number {
  if (!Number.isInteger(days)) throw new RangeError('days must be an integer');
  const l = toLocal(typeof instant === 'number' ? new Date(instant) : instant);
  const { year, month, day } = dateParts(addDays(l.date, days));
  return zonedMs(Date.UTC(year, month - 1, day, l.hour, l.minute, l.second, l.millisecond));
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** date + n calendar days (n may be negative). */
export function addDays(date: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError('n must be an integer');
  return fromEpochDay(dateParts(date).epochDay + n);
}

/**
 * date + n calendar months (n may be negative); a day the target month does not have becomes its last day
 * (31 January + 1 month = 28 or 29 February), as date libraries do.
 */
export function addMonths(date: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError('n must be an integer');
  const { year, month, day } = dateParts(date);
  const index = year * 12 + (month - 1) + n;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${pad4(y)}-${pad2(m)}-${pad2(Math.min(day, last))}`;
}

/** Whole calendar days from `a` to `b` (negative when b is earlier). */
export function daysBetween(a: string, b: string): number {
  return dateParts(b).epochDay - dateParts(a).epochDay;
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function weekday(date: string): number {
  // 1970-01-01 was a Thursday (ISO weekday 4)
  return ((((dateParts(date).epochDay + 3) % 7) + 7) % 7) + 1;
}

/** The instant of a local wall-clock time on a calendar day in Europe/Amsterdam (fractional hours allowed). */
export function localInstant(date: string, hour: number): Date {
  const { year, month, day } = dateParts(date);
  const minutes = Math.round(hour * 60);
  return new Date(zonedMs(Date.UTC(year, month - 1, day, Math.floor(minutes / 60), minutes % 60)));
}

// ---------------------------------------------------------------------------------------------------
// Holidays and working days
// ---------------------------------------------------------------------------------------------------

/** Is the date an Algemene termijnenwet holiday or a day declared equal to one? */
export function isAtwHoliday(date: string): HolidayInfo {
  const hit = holidaysOfYear(dateParts(date).year).get(date);
  return hit ? { ...hit } : { holiday: false };
}

/** Monday–Friday and not an Atw holiday or declared day. */
export function isWorkingDay(date: string): boolean {
  return weekday(date) <= 5 && !isAtwHoliday(date).holiday;
}

/** The first working day strictly after `date`. */
export function nextWorkingDay(date: string): string {
  let d = addDays(date, 1);
  while (!isWorkingDay(d)) d = addDays(d, 1);
  return d;
}

/** The last working day strictly before `date`. */
export function previousWorkingDay(date: string): string {
  let d = addDays(date, -1);
  while (!isWorkingDay(d)) d = addDays(d, -1);
  return d;
}

/** `date` itself when it is a working day, else the next one. */
export function workingDayOnOrAfter(date: string): string {
  return isWorkingDay(date) ? date : nextWorkingDay(date);
}

/** `date` itself when it is a working day, else the previous one. */
export function workingDayOnOrBefore(date: string): string {
  return isWorkingDay(date) ? date : previousWorkingDay(date);
}

/**
 * Moves n working days from `date` (negative n goes back). The start day itself is never counted, so
 * addWorkingDays(friday, 1) is the next Monday (or later, across holidays); n = 0 returns `date` unchanged.
 */
export function addWorkingDays(date: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError('n must be an integer');
  dateParts(date);
  let d = date;
  for (let i = 0; i < Math.abs(n); i++) d = n > 0 ? nextWorkingDay(d) : previousWorkingDay(d);
  return d;
}

/** Why a date is not a working day, in words ('a Saturday', 'a Sunday', 'Koningsdag'), or undefined. */
export function nonWorkingReason(date: string): string | undefined {
  const h = isAtwHoliday(date);
  if (h.holiday) return h.name;
  const wd = weekday(date);
  if (wd === 6) return 'a Saturday';
  if (wd === 7) return 'a Sunday';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Contact moments
// ---------------------------------------------------------------------------------------------------

/**
 * The window actually used: the legal 07:00–20:00 intersected with the one asked for. A strategy may be
 * stricter, never looser; an asked-for window that is looser is clamped, one that leaves nothing throws.
 */
export function effectiveWindow(window?: ContactWindow): ContactWindow {
  if (!window) return { ...LEGAL_CONTACT_WINDOW };
  const { startHour, endHour } = window;
  for (const [k, v] of [['startHour', startHour], ['endHour', endHour]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 24) {
      throw new RangeError(`${k} must be a number of hours between 0 and 24`);
    }
  }
  const start = Math.max(startHour, LEGAL_CONTACT_WINDOW.startHour);
  const end = Math.min(endHour, LEGAL_CONTACT_WINDOW.endHour);
  if (start >= end) throw new RangeError(`contact window ${startHour}–${endHour} leaves no allowed time within 07:00–20:00`);
  return { startHour: start, endHour: end };
}

function minuteOfDay(t: LocalTime): number {
  return t.hour * 60 + t.minute + t.second / 60 + t.millisecond / 60000;
}

/** May we contact someone at this instant? Not 20:00–07:00 Europe/Amsterdam, not on Sundays or Atw holidays. */
export function isContactAllowed(instant: Date, window?: ContactWindow): boolean {
  const w = effectiveWindow(window);
  const local = toLocal(instant);
  if (local.weekday === 7) return false;
  if (isAtwHoliday(local.date).holiday) return false;
  const m = minuteOfDay(local);
  return m >= w.startHour * 60 && m < w.endHour * 60;
}

export interface ContactMoment {
  /** the first allowed instant at or after the one asked for */
  at: Date;
  /** false when the instant asked for was already allowed */
  moved: boolean;
  /** why it was moved, in order: 'night', 'outside-window', 'sunday', 'holiday:<name>' */
  reasons: string[];
  /** the reasons joined with ', ', or 'allowed' */
  reason: string;
}

/**
 * The first allowed contact instant ≥ `instant`. Works on local wall-clock time in Europe/Amsterdam, so both DST
 * switches are handled by construction (07:00 local is resolved to the right UTC offset on either side).
 * Reasons: 'night' (20:00–07:00), 'outside-window' (inside legal hours but outside the stricter window asked
 * for), 'sunday', 'holiday:<name>' (statutory or declared day).
 */
export function nextContactMoment(instant: Date, window?: ContactWindow): ContactMoment {
  const w = effectiveWindow(window);
  const startMin = w.startHour * 60;
  const endMin = w.endHour * 60;
  const reasons: string[] = [];
  const note = (r: string) => {
    if (!reasons.includes(r)) reasons.push(r);
  };
  const atStart = (date: string) => localInstant(date, startMin / 60);
  let at = new Date(validMs(instant));
  // A year holds at most a handful of consecutive non-contact days; 400 iterations is a safety net only.
  for (let i = 0; i < 400; i++) {
    const t = toLocal(at);
    if (t.weekday === 7) {
      note('sunday');
      at = atStart(addDays(t.date, 1));
      continue;
    }
    const h = isAtwHoliday(t.date);
    if (h.holiday) {
      note(`holiday:${h.name}`);
      at = atStart(addDays(t.date, 1));
      continue;
    }
    const m = minuteOfDay(t);
    if (m < startMin) {
      note(m < LEGAL_CONTACT_WINDOW.startHour * 60 ? 'night' : 'outside-window');
      at = atStart(t.date);
      continue;
    }
    if (m >= endMin) {
      note(m >= LEGAL_CONTACT_WINDOW.endHour * 60 ? 'night' : 'outside-window');
      at = atStart(addDays(t.date, 1));
      continue;
    }
    return { at, moved: reasons.length > 0, reasons, reason: reasons.length ? reasons.join(', ') : 'allowed' };
  }
  throw new Error('no allowed contact moment found within 400 steps');
}
