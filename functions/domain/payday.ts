/**
 * Paydays and the contact moment after them (DESIGN §5 "Paydays", rules 7–8).
 *
 * Pure: no AWS, never reads the wall clock. Dates are 'YYYY-MM-DD' days in Europe/Amsterdam.
 *
 * Expected payday per income source. Where DESIGN says "around", we pick one day and say which; a payer that
 * cannot pay on a weekend or Atw holiday pays on the working day BEFORE it (salary convention), except
 * toeslagen, which DESIGN says move to the NEXT working day.
 *
 *  source                 nominal day                                  non-working day →
 *  salary fixed_day       contract `day` (default the 25th)             working day before
 *  salary last_working_day last working day of the month                (already a working day)
 *  salary four_weekly     anchorDate + k × 28 days                       working day before
 *  aow (SVB)              23rd ("around the 23rd")                       working day before   [assumption]
 *  uwv wajong             20th ("around the 20th")                       working day before   [assumption]
 *  uwv wia / wao          23rd (latest of "21st–23rd", so the contact   working day before   [assumption]
 *                         after it never comes before the money)
 *  uwv ww                 4th working day of the month                   —                    [assumption]
 *                         (the monthly income form can be sent from the first working day; UWV pays "a few
 *                         working days" later: we take form on working day 1 + 3 working days)
 *  toeslagen              20th                                            NEXT working day
 *  bijstand               the municipality's `day`                        working day before   [assumption]
 *  unknown                as salary on the 25th, and the reason says so
 * A day past the end of a month (e.g. 31 in February) means the last calendar day of that month.
 * Kinderbijslag (quarterly) is deliberately not a scheduling anchor: it is child benefit, and too rare to
 * help timing.
 */
import * as z from '../shared/zod.js';
import {
  type ContactWindow,
  addDays,
  addWorkingDays,
  dateParts,
  daysBetween,
  effectiveWindow,
  isWorkingDay,
  localDate,
  localInstant,
  localTime,
  nextContactMoment,
  nextWorkingDay,
  nonWorkingReason,
  workingDayOnOrAfter,
  workingDayOnOrBefore,
} from './calendar.js';

// ---------------------------------------------------------------------------------------------------
// Schema (shared with the API edge)
// ---------------------------------------------------------------------------------------------------

const isoDate = z.iso.date('must be a date YYYY-MM-DD');
const dayOfMonth = z.int('must be a whole day').check(z.minimum(1, 'must be 1–31'), z.maximum(31, 'must be 1–31'));

export const SalaryIncomeSchema = z
  .strictObject({
    type: z.literal('salary'),
    /** contract payday 1–31 (fixed_day) */
    day: z.optional(dayOfMonth),
    rule: z.optional(z.enum(['fixed_day', 'last_working_day', 'four_weekly'])),
    /** a known four-weekly payday (four_weekly) */
    anchorDate: z.optional(isoDate),
  })
  .check(
    z.superRefine((v, ctx) => {
      if (v.rule === 'four_weekly' && !v.anchorDate) {
        ctx.addIssue({ code: 'custom', path: ['anchorDate'], message: 'is required for a four-weekly salary' });
      }
      if (v.day !== undefined && (v.rule === 'last_working_day' || v.rule === 'four_weekly')) {
        ctx.addIssue({ code: 'custom', path: ['day'], message: `does not apply to rule ${v.rule}` });
      }
    }),
  );

export const IncomeSourceSchema = z.discriminatedUnion('type', [
  SalaryIncomeSchema,
  z.strictObject({ type: z.literal('aow') }),
  z.strictObject({ type: z.literal('uwv'), benefit: z.enum(['wajong', 'wia', 'wao', 'ww']) }),
  z.strictObject({ type: z.literal('toeslagen') }),
  z.strictObject({ type: z.literal('bijstand'), day: dayOfMonth }),
  z.strictObject({ type: z.literal('unknown') }),
]);
export type IncomeSource = z.infer<typeof IncomeSourceSchema>;

const PaydayFieldsSchema = z
  .object({ incomeSource: z.optional(IncomeSourceSchema), paydayOfMonth: z.optional(dayOfMonth) })
  .check(
    z.superRefine((v, ctx) => {
      if (v.incomeSource && v.paydayOfMonth !== undefined) {
        const s = v.incomeSource;
        const agrees = s.type === 'salary' && (s.rule ?? 'fixed_day') === 'fixed_day' && (s.day === undefined || s.day === v.paydayOfMonth);
        if (!agrees) {
          ctx.addIssue({
            code: 'custom',
            path: ['paydayOfMonth'],
            message: 'conflicts with incomeSource (paydayOfMonth is a shortcut for a salary on a fixed day)',
          });
        }
      }
    }),
  );

/**
 * The debtor's payday fields as the API receives them, turned into one IncomeSource:
 * `paydayOfMonth` alone is a salary on that fixed day; neither field → unknown; both → they must agree.
 */
export const PaydayInputSchema = z.pipe(
  PaydayFieldsSchema,
  z.transform((v: z.infer<typeof PaydayFieldsSchema>): IncomeSource => {
    if (v.incomeSource) {
      if (v.incomeSource.type === 'salary' && v.paydayOfMonth !== undefined) {
        return { ...v.incomeSource, rule: 'fixed_day', day: v.paydayOfMonth };
      }
      return v.incomeSource;
    }
    if (v.paydayOfMonth !== undefined) return { type: 'salary', rule: 'fixed_day', day: v.paydayOfMonth };
    return { type: 'unknown' };
  }),
);

/** Same as PaydayInputSchema.parse: throws a ZodError with the field path on bad input. */
export function incomeSourceFromApi(input: { incomeSource?: unknown; paydayOfMonth?: unknown }): IncomeSource {
  return PaydayInputSchema.parse(input);
}

// ---------------------------------------------------------------------------------------------------
// Expected paydays
// ---------------------------------------------------------------------------------------------------

export interface Payday {
  /** expected day the money is in the account, 'YYYY-MM-DD' */
  date: string;
  /** how we got there, readable */
  reason: string;
}

const DEFAULT_SALARY_DAY = 25;
const FOUR_WEEKS = 28;

function ymd(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function nominalDay(year: number, month: number, day: number): { date: string; note: string } {
  const last = daysInMonth(year, month);
  if (day <= last) return { date: ymd(year, month, day), note: '' };
  return { date: ymd(year, month, last), note: ` (the month has only ${last} days)` };
}

function before(nominal: string, what: string, note = ''): Payday {
  const actual = workingDayOnOrBefore(nominal);
  if (actual === nominal) return { date: actual, reason: `${what}: ${actual}${note}` };
  return {
    date: actual,
    reason: `${what}: ${nominal}${note} is ${nonWorkingReason(nominal)}, so paid the working day before: ${actual}`,
  };
}

function after(nominal: string, what: string): Payday {
  const actual = workingDayOnOrAfter(nominal);
  if (actual === nominal) return { date: actual, reason: `${what}: ${actual}` };
  return {
    date: actual,
    reason: `${what}: ${nominal} is ${nonWorkingReason(nominal)}, so paid the next working day: ${actual}`,
  };
}

/** The expected payday belonging to a calendar month, for every monthly source (not four-weekly). */
export function paydayInMonth(income: IncomeSource, year: number, month: number): Payday {
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) {
    throw new RangeError('year and month (1–12) must be integers');
  }
  switch (income.type) {
    case 'salary': {
      const rule = income.rule ?? 'fixed_day';
      if (rule === 'last_working_day') {
        const last = ymd(year, month, daysInMonth(year, month));
        const d = workingDayOnOrBefore(last);
        return {
          date: d,
          reason:
            d === last
              ? `salary on the last working day of the month: ${d}`
              : `salary on the last working day of the month: ${d} (${last} is ${nonWorkingReason(last)})`,
        };
      }
      if (rule === 'four_weekly') {
        // Only reached without an anchor (the schema requires one; older stored data may lack it).
        const n = nominalDay(year, month, DEFAULT_SALARY_DAY);
        return before(n.date, 'four-weekly salary without a known payday: assuming the common salary day, the 25th');
      }
      if (income.day === undefined) {
        const n = nominalDay(year, month, DEFAULT_SALARY_DAY);
        return before(n.date, 'salary without a contract day: assuming the 25th (most salaries are paid on the 23rd–25th)');
      }
      const n = nominalDay(year, month, income.day);
      return before(n.date, `salary on contract day ${income.day}`, n.note);
    }
    case 'aow':
      return before(ymd(year, month, 23), 'AOW (SVB) is paid around the 23rd; assumed the 23rd');
    case 'uwv':
      switch (income.benefit) {
        case 'wajong':
          return before(ymd(year, month, 20), 'Wajong (UWV) is paid around the 20th; assumed the 20th');
        case 'wia':
        case 'wao':
          return before(
            ymd(year, month, 23),
            `${income.benefit.toUpperCase()} (UWV) is paid around the 21st–23rd; assumed the 23rd, the latest`,
          );
        case 'ww': {
          const lastOfPrevious = month === 1 ? ymd(year - 1, 12, 31) : ymd(year, month - 1, daysInMonth(year, month - 1));
          const d = addWorkingDays(lastOfPrevious, 4);
          return {
            date: d,
            reason:
              `WW (UWV) is paid a few working days after the monthly income form; assumed the form on the first ` +
              `working day and payment 3 working days later, the 4th working day of the month: ${d}`,
          };
        }
      }
      break;
    case 'toeslagen':
      return after(ymd(year, month, 20), 'toeslagen (Belastingdienst) are paid on the 20th');
    case 'bijstand': {
      const n = nominalDay(year, month, income.day);
      return before(n.date, `bijstand on the municipality's day ${income.day}`, n.note);
    }
    case 'unknown': {
      const n = nominalDay(year, month, DEFAULT_SALARY_DAY);
      return before(n.date, 'income source unknown: assuming the common salary pattern, the 25th');
    }
  }
  throw new Error(`unhandled income source ${JSON.stringify(income)}`);
}

/** The first expected payday on or after a calendar day. */
export function paydayOnOrAfter(income: IncomeSource, date: string): Payday {
  const { year, month } = dateParts(date);
  if (income.type === 'salary' && income.rule === 'four_weekly' && income.anchorDate) {
    const diff = daysBetween(income.anchorDate, date);
    // start two periods early: moving a payday back to a working day can never cross a whole period
    let k = Math.floor(diff / FOUR_WEEKS) - 2;
    for (;; k++) {
      const nominal = addDays(income.anchorDate, k * FOUR_WEEKS);
      const p = before(nominal, `four-weekly salary (every 28 days from ${income.anchorDate})`);
      if (p.date >= date) return p;
    }
  }
  // A monthly payday moved back can land in the previous month (e.g. bijstand on the 1st, 1 January a
  // holiday): look at this month and the next two; the first one on or after `date` wins.
  for (let i = 0; i < 3; i++) {
    const p = paydayInMonth(income, year + Math.floor((month - 1 + i) / 12), ((month - 1 + i) % 12) + 1);
    if (p.date >= date) return p;
  }
  throw new Error('no payday found within three months');
}

/** The first expected payday on or after the day (Europe/Amsterdam) of `from`. A payday today counts. */
export function nextPayday(income: IncomeSource, from: Date): Payday {
  return paydayOnOrAfter(income, localDate(from));
}

// ---------------------------------------------------------------------------------------------------
// Contact after payday
// ---------------------------------------------------------------------------------------------------

export interface PaydayContactOptions {
  /** allow contact on the lean days around the 10th */
  urgent?: boolean;
  /** which working day after payday to aim for; default 1 (the working day after payday) */
  workingDaysAfter?: number;
  /** how many working days from that target still count as "the first days after payday"; default 3 */
  spanWorkingDays?: number;
  /** start window on the contact day, Europe/Amsterdam; default 09:00–10:00 (always within 07:00–20:00) */
  window?: ContactWindow;
  /** lean days (days of the month) avoided unless urgent; default the 8th–12th ("around the 10th") */
  leanDays?: { from: number; to: number };
}

export interface PaydayContact {
  /** the contact instant */
  at: Date;
  /** the expected payday it follows */
  payday: string;
  /** the local day of `at` */
  contactDate: string;
  reasons: string[];
  /** reasons joined with '; ' */
  reason: string;
}

export const DEFAULT_PAYDAY_WINDOW: Readonly<ContactWindow> = Object.freeze({ startHour: 9, endHour: 10 });
export const DEFAULT_LEAN_DAYS = Object.freeze({ from: 8, to: 12 });

function hhmm(hours: number): string {
  const m = Math.round(hours * 60);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/**
 * The first allowed contact moment in the first working days after the expected payday: by default the
 * working day after payday, 09:00–10:00 Europe/Amsterdam; a later working day of the span when `from` is past
 * that; the lean days (8th–12th) are skipped unless `urgent`. When `from` is past the whole span of the latest
 * payday, the next payday is used. Saturdays are never targeted (not working days), Sundays and Atw holidays
 * never reached; the result always satisfies isContactAllowed.
 */
export function contactMomentAfterPayday(income: IncomeSource, from: Date, opts: PaydayContactOptions = {}): PaydayContact {
  const offset = opts.workingDaysAfter ?? 1;
  const span = opts.spanWorkingDays ?? 3;
  const lean = opts.leanDays ?? DEFAULT_LEAN_DAYS;
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError('workingDaysAfter must be an integer ≥ 0');
  if (!Number.isInteger(span) || span < 1) throw new RangeError('spanWorkingDays must be an integer ≥ 1');
  if (!(lean.from >= 1 && lean.to <= 31 && lean.from <= lean.to)) throw new RangeError('leanDays must be 1 ≤ from ≤ to ≤ 31');
  const w = effectiveWindow(opts.window ?? DEFAULT_PAYDAY_WINDOW);
  const fromDate = localDate(from);
  const isLean = (d: string) => {
    const day = dateParts(d).day;
    return !opts.urgent && day >= lean.from && day <= lean.to;
  };

  // Begin with a payday up to a month back: `from` may still fall in the days right after it.
  let payday = paydayOnOrAfter(income, addDays(fromDate, -31));
  for (let attempt = 0; attempt < 30; attempt++) {
    const reasons = [`expected payday ${payday.date}: ${payday.reason}`];
    let d = addWorkingDays(payday.date, offset);
    if (offset > 0) {
      const skipped: string[] = [];
      for (let x = addDays(payday.date, 1); x < d; x = addDays(x, 1)) {
        if (!isWorkingDay(x)) skipped.push(`${x} ${nonWorkingReason(x)}`);
      }
      reasons.push(
        `aim for working day ${offset} after payday: ${d}` + (skipped.length ? ` (not working days: ${skipped.join(', ')})` : ''),
      );
    }
    let counted = 0;
    while (counted < span) {
      if (isLean(d)) {
        reasons.push(`${d} skipped: lean days around the 10th (day ${lean.from}–${lean.to} of the month), not urgent`);
        d = nextWorkingDay(d);
        continue;
      }
      if (d >= fromDate) {
        const open = localInstant(d, w.startHour);
        const candidate = d === fromDate && from.getTime() > open.getTime() ? from : open;
        const m = nextContactMoment(candidate, w);
        if (localDate(m.at) === d) {
          reasons.push(`contact on ${d} at ${localTime(m.at)} Europe/Amsterdam (window ${hhmm(w.startHour)}–${hhmm(w.endHour)})`);
          return { at: m.at, payday: payday.date, contactDate: d, reasons, reason: reasons.join('; ') };
        }
        reasons.push(`${d}: the ${hhmm(w.startHour)}–${hhmm(w.endHour)} window has passed`);
      } else {
        reasons.push(`${d} is already past`);
      }
      counted++;
      d = nextWorkingDay(d);
    }
    payday = paydayOnOrAfter(income, addDays(payday.date, 1));
  }
  throw new Error('no contact moment after payday found');
}
