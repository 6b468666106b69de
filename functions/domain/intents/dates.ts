/**
 * The date in a promise or a request to pay later: "vrijdag", "na de 25e", "volgende maand", "25-3", "on the
 * 25th", "in two weeks", "end of the month". Pure: the text (normalised plain text, see normalise.ts) and `now`
 * in, a calendar date in Europe/Amsterdam out — the last day the debtor means.
 *
 * Precision says how the answer should name it: `day` ("vrijdag 6 maart"), `week` ("volgende week", the Sunday
 * ending it), `month` ("in april", the last day of that month). A weekday means the next one after today
 * ("vrijdag" said on a Friday is a week later); a day of the month that has passed means next month's; a date
 * that has passed this year means next year's.
 */
import { addDays, addMonths, dateParts, localDate, weekday } from '../calendar.js';

export interface PromiseDate {
  /** YYYY-MM-DD, Europe/Amsterdam */
  date: string;
  precision: 'day' | 'week' | 'month';
  /** the words it was read from */
  phrase: string;
}

const WEEKDAYS: Record<string, number> = {
  maandag: 1, dinsdag: 2, woensdag: 3, donderdag: 4, vrijdag: 5, zaterdag: 6, zondag: 7,
  monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7,
};
const MONTHS: Record<string, number> = {
  januari: 1, jan: 1, january: 1, februari: 2, feb: 2, february: 2, maart: 3, mrt: 3, march: 3, mar: 3, april: 4, apr: 4,
  mei: 5, may: 5, juni: 6, jun: 6, june: 6, juli: 7, jul: 7, july: 7, augustus: 8, aug: 8, august: 8, september: 9, sep: 9, sept: 9,
  oktober: 10, okt: 10, october: 10, oct: 10, november: 11, nov: 11, december: 12, dec: 12,
};
const NUMBERS: Record<string, number> = { een: 1, one: 1, a: 1, twee: 2, two: 2, drie: 3, three: 3, vier: 4, four: 4, vijf: 5, five: 5, zes: 6, six: 6 };

const WD = Object.keys(WEEKDAYS).join('|');
const MON = Object.keys(MONTHS).join('|');
const NUM = `\\d{1,2}|${Object.keys(NUMBERS).join('|')}`;
const ORD = '(\\d{1,2})(?:e|ste|de|st|nd|rd|th)?';

// Calendar dates are 'YYYY-MM-DD' strings (Europe/Amsterdam days): they compare as text, and the arithmetic is the
// calendar's (../calendar.ts), so no time zone is involved once today is known. Weeks are ISO weeks (Monday first).
type Day = string;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const ymd = (year: number, month: number, day: number): Day => `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
const yearOf = (d: Day) => dateParts(d).year;
const monthOf = (d: Day) => dateParts(d).month;
const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const startOfMonth = (d: Day): Day => `${d.slice(0, 8)}01`;
const endOfMonth = (d: Day): Day => ymd(yearOf(d), monthOf(d), daysInMonth(yearOf(d), monthOf(d)));
const withDay = (d: Day, day: number): Day => ymd(yearOf(d), monthOf(d), day);
const startOfWeek = (d: Day): Day => addDays(d, 1 - weekday(d));
const endOfWeek = (d: Day): Day => addDays(d, 7 - weekday(d));
const num = (s: string) => NUMBERS[s] ?? Number(s);

type Finder = (m: RegExpExecArray, today: Day) => Omit<PromiseDate, 'phrase'> | undefined;

/** The next `day` of the month from today on (this month if not past, else next month's). */
function dayOfMonth(today: Day, day: number): Day | undefined {
  if (day < 1 || day > 31) return undefined;
  let month = startOfMonth(today);
  for (let i = 0; i < 3; i++, month = addMonths(month, 1)) {
    if (day > daysInMonth(yearOf(month), monthOf(month))) continue;
    const d = withDay(month, day);
    if (d >= today) return d;
  }
  return undefined;
}

function explicit(today: Day, day: number, month: number): Day | undefined {
  if (month < 1 || month > 12 || day < 1) return undefined;
  for (const year of [yearOf(today), yearOf(today) + 1]) {
    if (day > daysInMonth(year, month)) continue;
    const d = ymd(year, month, day);
    if (d >= today) return d;
  }
  return undefined;
}

function nextWeekday(today: Day, wd: number, weeksAhead = 0): Day {
  // "volgende week vrijdag": the Friday of next week, even when this week's Friday is still to come.
  if (weeksAhead > 0) return addDays(startOfWeek(today), 7 * weeksAhead + wd - 1);
  return addDays(today, ((wd - weekday(today) + 6) % 7) + 1);
}

const day = (d: Day | undefined) => (d ? { date: d, precision: 'day' as const } : undefined);

/** Ordered: the more specific phrase first. */
const FINDERS: Array<[RegExp, Finder]> = [
  [new RegExp(`\\b(\\d{1,2})[-/.](\\d{1,2})(?:[-/.](\\d{2,4}))?\\b`), (m, t) => day(explicit(t, Number(m[1]), Number(m[2])))],
  [new RegExp(`\\b${ORD} (?:of )?(${MON})\\b`), (m, t) => day(explicit(t, Number(m[1]), MONTHS[m[2]]))],
  [new RegExp(`\\b(${MON}) ${ORD}\\b`), (m, t) => day(explicit(t, Number(m[2]), MONTHS[m[1]]))],
  [new RegExp(`\\b(?:na|after) (?:de |the )?${ORD}\\b`), (m, t) => { const d = dayOfMonth(t, Number(m[1])); return day(d && addDays(d, 1)); }],
  [new RegExp(`\\b(?:op|rond|uiterlijk|voor|on|around|by|de|the) (?:de |the )?${ORD}(?! (?:euro|eur|keer|maanden|weken|dagen|per))\\b`), (m, t) => day(dayOfMonth(t, Number(m[1])))],
  [/\b(?:begin|start of|early|eind|einde|end of|half|midden|mid)(?: van)?(?: de| the)? (volgende|komende|next) (?:maand|month)\b/, (m, t) => edgeOfMonth(m[0], addMonths(t, 1))],
  [new RegExp(`\\b(?:begin|start of|early|eind|einde|end of|half|midden|mid)(?: van)?(?: de)? (${MON})\\b`), (m, t) => {
    const month = MONTHS[m[1]];
    const year = month < monthOf(t) ? yearOf(t) + 1 : yearOf(t);
    return edgeOfMonth(m[0], ymd(year, month, 1));
  }],
  [/\b(?:eind|einde|end)(?: van| of)?(?: de| deze| the| this)? (?:maand|month)\b/, (_m, t) => day(endOfMonth(t))],
  [/\b(?:volgende|komende|next) (?:maand|month)\b/, (_m, t) => ({ date: endOfMonth(addMonths(t, 1)), precision: 'month' })],
  [new RegExp(`\\b(?:until|tot|in) (${MON})\\b`), (m, t) => {
    const month = MONTHS[m[1]];
    if (month === monthOf(t)) return undefined;
    const year = month < monthOf(t) ? yearOf(t) + 1 : yearOf(t);
    return { date: endOfMonth(ymd(year, month, 1)), precision: 'month' };
  }],
  [new RegExp(`\\b(?:volgende week|next week) (${WD})\\b|\\b(${WD}) (?:volgende week|next week)\\b|\\bnext (${WD})\\b`), (m, t) => day(nextWeekday(t, WEEKDAYS[m[1] ?? m[2] ?? m[3]], 1))],
  [new RegExp(`\\b(?:over|in|binnen|within|by|nog) (${NUM}) (dag|dagen|days?|week|weken|weeks?)\\b`), (m, t) => {
    const n = num(m[1]);
    return day(addDays(t, /^(dag|dagen|day|days)$/.test(m[2]) ? n : 7 * n));
  }],
  [/\b(?:volgende week|next week|komende week)\b/, (_m, t) => ({ date: endOfWeek(addDays(t, 7)), precision: 'week' })],
  [/\b(?:voor het weekend|before the weekend)\b/, (_m, t) => day(weekday(t) <= 5 ? addDays(t, 5 - weekday(t)) : nextWeekday(t, 5))],
  [/\b(?:deze week|this week|dit weekend|this weekend|in het weekend|eind van de week|end of the week)\b/, (m, t) => ({ date: endOfWeek(t), precision: /weekend/.test(m[0]) ? 'day' : 'week' })],
  [/\bna het weekend\b|\bafter the weekend\b/, (_m, t) => day(nextWeekday(t, 1))],
  [new RegExp(`\\b(${WD})\\b`), (m, t) => day(nextWeekday(t, WEEKDAYS[m[1]]))],
  [/\b(?:overmorgen|day after tomorrow)\b/, (_m, t) => day(addDays(t, 2))],
  [/\b(?:morgen|morgenvroeg|tomorrow)\b/, (_m, t) => day(addDays(t, 1))],
  [/\b(?:vandaag|vanavond|vanmiddag|today|tonight|right now|nu meteen|now)\b/, (_m, t) => day(t)],
];

function edgeOfMonth(phrase: string, month: Day): Omit<PromiseDate, 'phrase'> {
  if (/^(begin|start|early)/.test(phrase)) return { date: withDay(month, 7), precision: 'week' };
  if (/^(half|midden|mid)/.test(phrase)) return { date: withDay(month, 15), precision: 'day' };
  return { date: endOfMonth(month), precision: 'day' };
}

/** The date a promise or postponement names, if any. `plain` is normalise(text).plain. */
export function promiseDate(plain: string, now: Date): PromiseDate | undefined {
  const today = localDate(now);
  // "goedemorgen" is no "morgen"; "in 1 keer" is no date.
  const text = plain.replace(/\bgoedemorgen\b/g, ' ').replace(/\s+/g, ' ');
  for (const [re, find] of FINDERS) {
    const m = re.exec(text);
    if (!m) continue;
    const found = find(m, today);
    if (found) return { ...found, phrase: m[0].trim() };
  }
  return undefined;
}
