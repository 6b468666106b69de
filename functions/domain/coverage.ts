/**
 * The legal tables keep telling the truth (issue 11 item 5): the days the government declares equal to a holiday
 * (calendar.ts, Atw art. 3 lid 3) and the statutory interest rates (interest.ts, art. 6:119 / 6:119a BW) are
 * maintained by hand. Without the next Besluit the calendar silently knows only the statutory holidays (a term
 * could end on a day that is legally no working day, and costs would come one day early); without the next rates
 * the last ones are carried forward. So each says, in time, that it is about to run out. Pure: `now` passed in.
 */
import { declaredDaysCoverage } from './calendar.js';
import { interestRatesCoverage } from './interest.js';

export interface CoverageWarning {
  table: 'declared_equal_days' | 'interest_rates';
  coveredThrough: string;
  daysLeft: number;
  /** what runs out and where to add the next entries (no personal data) */
  message: string;
}

/** The tables that run out soon (or ran out) at `now`; [] when both are current. */
export function coverageWarnings(now: Date): CoverageWarning[] {
  const out: CoverageWarning[] = [];
  const days = declaredDaysCoverage(now);
  if (!days.ok) out.push({ table: 'declared_equal_days', coveredThrough: days.coveredThrough, daysLeft: days.daysLeft, message: days.message! });
  const rates = interestRatesCoverage(now);
  if (!rates.ok) out.push({ table: 'interest_rates', coveredThrough: rates.coveredThrough, daysLeft: rates.daysLeft, message: rates.message! });
  return out;
}
