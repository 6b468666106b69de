/**
 * What the learning report shows, read through the store (dynalite under `npm start` and `npm run report`, the
 * in-process table in the simulator): the KPI counters of a scope for a period, per day and per group, and the
 * results of the strategy's experiments. Kept apart from the rendering (./render.ts) so the simulator can add
 * its own figures (the bandit against the fixed split and the oracle).
 */
import { addDays, localDate } from '../../../functions/domain/calendar.js';
import type { ExperimentResults } from '../../../functions/domain/experiments/results.js';
import { AGENCY_SCOPE, type GroupBy } from '../../../functions/domain/outcomes/kpis.js';
import { type KpiRow, daysBetween, kpiRows } from '../../../functions/reports/kpis.js';
import { resultsOf } from '../../../functions/reports/experiments.js';
import { currentStrategy } from '../../../functions/services/strategy-source.js';
import { readKpis } from '../../../functions/store/learning.js';

export interface ReportData {
  title: string;
  generatedAt: string;
  from: string;
  to: string;
  scope: string;
  total: KpiRow;
  groups: Record<GroupBy, KpiRow[]>;
  /** per day: group (variant or channel) → that day's row */
  daily: Array<{ day: string; variant: Record<string, KpiRow>; channel: Record<string, KpiRow> }>;
  experiments: ExperimentResults[];
  /** the simulator's own figures */
  simulation?: {
    summary: Record<string, string | number>;
    bandit?: Array<{ arm: string; recoveredCents: number; shareOfOracle: number }>;
  };
}

export async function reportData(o: { now: Date; from?: string; to?: string; scope?: string; title?: string }): Promise<ReportData> {
  const to = o.to ?? localDate(o.now);
  const from = o.from ?? addDays(to, -29);
  const scope = o.scope ?? AGENCY_SCOPE;
  const days = daysBetween(from, to);
  const counters = await readKpis(scope, days);
  const all = [...counters.values()];
  const groups = Object.fromEntries((['segment', 'channel', 'template', 'tone', 'variant', 'client'] as const).map((g) => [g, kpiRows(all, g).groups])) as Record<GroupBy, KpiRow[]>;
  const { total } = kpiRows(all, 'segment');
  total.debtors = groups.segment.reduce((s, g) => s + g.debtors, 0);
  const daily = days.map((day) => {
    const c = counters.get(day) ? [counters.get(day)!] : [];
    return {
      day,
      variant: Object.fromEntries(kpiRows(c, 'variant').groups.map((r) => [r.group, r])),
      channel: Object.fromEntries(kpiRows(c, 'channel').groups.map((r) => [r.group, r])),
    };
  });
  const experiments: ExperimentResults[] = [];
  for (const x of currentStrategy().experiments ?? []) experiments.push(await resultsOf(x, o.now));
  return { title: o.title ?? 'Maatwerk — what works', generatedAt: o.now.toISOString(), from, to, scope: scope === AGENCY_SCOPE ? 'all creditors' : scope, total, groups, daily, experiments };
}
