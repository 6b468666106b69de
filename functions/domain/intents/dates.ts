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
import { DateTime } from 'luxon';
import { ZONE } from '../calendar.js';

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

const iso = (d: DateTime) => d.toISODate()!;
const num = (s: string) => NUMBERS[s] ?? Number(s);

type Finder = (m: RegExpExecArray, today: DateTime) => Omit<PromiseDate, 'phrase'> | undefined;

/** The next `day` of the month from today on (this month if not past, else next month's). */
function dayOfMonth(today: DateTime, day: number): DateTime | undefined {
  if (day < 1 || day > 31) return undefined;
  let month = today.startOf('month');
  for (let i = 0; i < 3; i++, month = month.plus({ months: 1 })) {
    if (day > month.daysInMonth!) continue;
    const d = month.set({ day });
    if (d >= today) return d;
  }
  return undefined;
}

function explicit(today: DateTime, day: number, month: number): DateTime | undefined {
  for (const year of [today.year, today.year + 1]) {
    const d = DateTime.fromObject({ year, month, day }, { zone: ZONE });
    if (d.isValid && d >= today) return d;
  }
  return undefined;
}

function nextWeekday(today: DateTime, wd: number, weeksAhead = 0): DateTime {
  let d = today.plus({ days: 1 });
  while (d.weekday !== wd) d = d.plus({ days: 1 });
  if (weeksAhead > 0) {
    // "volgende week vrijdag": the Friday of next week, even when this week's Friday is still to come.
    const nextMonday = today.startOf('week').plus({ weeks: 1 });
    d = nextMonday.plus({ days: wd - 1 });
  }
  return d;
}

const day = (d: DateTime | undefined) => (d ? { date: iso(d), precision: 'day' as const } : undefined);

/** Ordered: the more specific phrase first. */
const FINDERS: Array<[RegExp, Finder]> = [
  [new RegExp(`\\b(\\d{1,2})[-/.](\\d{1,2})(?:[-/.](\\d{2,4}))?\\b`), (m, t) => day(explicit(t, Number(m[1]), Number(m[2])))],
  [new RegExp(`\\b${ORD} (?:of )?(${MON})\\b`), (m, t) => day(explicit(t, Number(m[1]), MONTHS[m[2]]))],
  [new RegExp(`\\b(${MON}) ${ORD}\\b`), (m, t) => day(explicit(t, Number(m[2]), MONTHS[m[1]]))],
  [new RegExp(`\\b(?:na|after) (?:de |the )?${ORD}\\b`), (m, t) => day(dayOfMonth(t, Number(m[1]))?.plus({ days: 1 }))],
  [new RegExp(`\\b(?:op|rond|uiterlijk|voor|on|around|by|de|the) (?:de |the )?${ORD}(?! (?:euro|eur|keer|maanden|weken|dagen|per))\\b`), (m, t) => day(dayOfMonth(t, Number(m[1])))],
  [/\b(?:begin|start of|early|eind|einde|end of|half|midden|mid)(?: van)?(?: de| the)? (volgende|komende|next) (?:maand|month)\b/, (m, t) => edgeOfMonth(m[0], t.plus({ months: 1 }))],
  [new RegExp(`\\b(?:begin|start of|early|eind|einde|end of|half|midden|mid)(?: van)?(?: de)? (${MON})\\b`), (m, t) => {
    const month = MONTHS[m[1]];
    const year = month < t.month ? t.year + 1 : t.year;
    return edgeOfMonth(m[0], DateTime.fromObject({ year, month, day: 1 }, { zone: ZONE }));
  }],
  [/\b(?:eind|einde|end)(?: van| of)?(?: de| deze| the| this)? (?:maand|month)\b/, (_m, t) => day(t.endOf('month'))],
  [/\b(?:volgende|komende|next) (?:maand|month)\b/, (_m, t) => ({ date: iso(t.plus({ months: 1 }).endOf('month')), precision: 'month' })],
  [new RegExp(`\\b(?:until|tot|in) (${MON})\\b`), (m, t) => {
    const month = MONTHS[m[1]];
    if (month === t.month) return undefined;
    const year = month < t.month ? t.year + 1 : t.year;
    return { date: iso(DateTime.fromObject({ year, month, day: 1 }, { zone: ZONE }).endOf('month')), precision: 'month' };
  }],
  [new RegExp(`\\b(?:volgende week|next week) (${WD})\\b|\\b(${WD}) (?:volgende week|next week)\\b|\\bnext (${WD})\\b`), (m, t) => day(nextWeekday(t, WEEKDAYS[m[1] ?? m[2] ?? m[3]], 1))],
  [new RegExp(`\\b(?:over|in|binnen|within|by|nog) (${NUM}) (dag|dagen|days?|week|weken|weeks?)\\b`), (m, t) => {
    const n = num(m[1]);
    return day(/^(dag|dagen|day|days)$/.test(m[2]) ? t.plus({ days: n }) : t.plus({ weeks: n }));
  }],
  [/\b(?:volgende week|next week|komende week)\b/, (_m, t) => ({ date: iso(t.startOf('week').plus({ weeks: 1 }).endOf('week')), precision: 'week' })],
  [/\b(?:voor het weekend|before the weekend)\b/, (_m, t) => day(t.weekday <= 5 ? t.set({ weekday: 5 }) : nextWeekday(t, 5))],
  [/\b(?:deze week|this week|dit weekend|this weekend|in het weekend|eind van de week|end of the week)\b/, (m, t) => ({ date: iso(t.endOf('week')), precision: /weekend/.test(m[0]) ? 'day' : 'week' })],
  [/\bna het weekend\b|\bafter the weekend\b/, (_m, t) => day(nextWeekday(t, 1))],
  [new RegExp(`\\b(${WD})\\b`), (m, t) => day(nextWeekday(t, WEEKDAYS[m[1]]))],
  [/\b(?:overmorgen|day after tomorrow)\b/, (_m, t) => day(t.plus({ days: 2 }))],
  [/\b(?:morgen|morgenvroeg|tomorrow)\b/, (_m, t) => day(t.plus({ days: 1 }))],
  [/\b(?:vandaag|vanavond|vanmiddag|today|tonight|right now|nu meteen|now)\b/, (_m, t) => day(t)],
];

function edgeOfMonth(phrase: string, month: DateTime): Omit<PromiseDate, 'phrase'> {
  if (/^(begin|start|early)/.test(phrase)) return { date: iso(month.set({ day: 7 })), precision: 'week' };
  if (/^(half|midden|mid)/.test(phrase)) return { date: iso(month.set({ day: 15 })), precision: 'day' };
  return { date: iso(month.endOf('month')), precision: 'day' };
}

/** The date a promise or postponement names, if any. `plain` is normalise(text).plain. */
export function promiseDate(plain: string, now: Date): PromiseDate | undefined {
  const today = DateTime.fromJSDate(now, { zone: ZONE }).startOf('day');
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
