/**
 * GET /v1/reports/kpis: the counters of the caller's scope (a creditor: its own; an agency key: all) for the days
 * asked, added up per group of one dimension. Reads one item per day and shard (store/learning.ts): the cost of a
 * report does not grow with the number of debtors.
 */
import { addDays, localDate } from '../domain/calendar.js';
import { AGENCY_SCOPE, type GroupBy, KPI_METRICS, type KpiMetric, intentOfCode } from '../domain/outcomes/kpis.js';
import { INTENTS, type Intent } from '../domain/vocabulary.js';
import { readKpis } from '../store/learning.js';
import type { KpiQuery } from './schemas.js';

const PREFIX: Record<GroupBy, string> = { segment: 'segment:', channel: 'channel:', template: 'template:', tone: 'tone:', variant: 'variant:', client: 'client:' };
const BY_CODE = Object.fromEntries(Object.entries(KPI_METRICS).map(([m, c]) => [c, m])) as Record<string, KpiMetric>;

export interface KpiRow {
  group: string;
  debtors: number;
  contacts: number;
  /** a delivered, opened or clicked status came within 7 days */
  deliveredRate: number;
  /** an email opened or a WhatsApp message read (or a link clicked) within 7 days */
  openedRate: number;
  /** a link in an email clicked within 7 days */
  clickedRate: number;
  contactRate: number;
  replyRate: number;
  /** replies per intent, each reply once (last touch); intents without replies left out */
  repliesByIntent: Partial<Record<Intent, number>>;
  promiseRate: number;
  paymentRate: number;
  recoveredCents: number;
  costCents: number;
  recoveredPerEuroSpent: number;
}

/** One group's counters: the metrics, and replies per intent. */
interface Tally {
  m: Partial<Record<KpiMetric, number>>;
  intents: Partial<Record<Intent, number>>;
}
const tally = (): Tally => ({ m: {}, intents: {} });

function row(group: string, { m, intents }: Tally): KpiRow {
  const contacts = m.contacts ?? 0;
  const rate = (k: KpiMetric) => (contacts > 0 ? Math.min(1, (m[k] ?? 0) / contacts) : 0);
  const cost = m.cost ?? 0;
  return {
    group,
    debtors: m.debtors ?? 0,
    contacts,
    deliveredRate: rate('delivered'),
    openedRate: rate('opened'),
    clickedRate: rate('clicked'),
    contactRate: rate('reacted'),
    replyRate: rate('replied'),
    repliesByIntent: Object.fromEntries(INTENTS.filter((i) => (intents[i] ?? 0) > 0).map((i) => [i, intents[i]!])),
    promiseRate: rate('promised'),
    paymentRate: rate('paid'),
    recoveredCents: m.recovered ?? 0,
    costCents: cost,
    recoveredPerEuroSpent: cost > 0 ? (m.recovered ?? 0) / cost : 0,
  };
}

export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Adds up counters (`<group>|<code>` → n) of the given dimension per group. */
export function kpiRows(counters: Iterable<Record<string, number>>, groupBy: GroupBy): { groups: KpiRow[]; total: KpiRow } {
  const byGroup = new Map<string, Tally>();
  const total = tally();
  const prefix = PREFIX[groupBy];
  const count = (t: Tally, code: string, n: number) => {
    const metric = BY_CODE[code];
    if (metric) t.m[metric] = (t.m[metric] ?? 0) + n;
    const intent = metric ? undefined : intentOfCode(code);
    if (intent) t.intents[intent] = (t.intents[intent] ?? 0) + n;
  };
  for (const c of counters) {
    for (const [attr, n] of Object.entries(c)) {
      const bar = attr.lastIndexOf('|');
      if (bar < 0) continue;
      const group = attr.slice(0, bar);
      const code = attr.slice(bar + 1);
      if (group.startsWith(PREFIX.channel)) count(total, code, n); // every contact has one channel
      if (!group.startsWith(prefix)) continue;
      const g = byGroup.get(group) ?? tally();
      count(g, code, n);
      byGroup.set(group, g);
    }
  }
  // a group whose counters add up to nothing (a step taken back) is no group
  const counted = (t: Tally) => Object.values(t.m).some((n) => n !== 0) || Object.values(t.intents).some((n) => n !== 0);
  return {
    groups: [...byGroup.entries()].filter(([, t]) => counted(t)).map(([g, m]) => row(g.slice(prefix.length), m)).sort((a, b) => b.contacts - a.contacts || a.group.localeCompare(b.group)),
    total: row('total', total),
  };
}

export async function kpiReport(scope: { clientId: string; agent: boolean }, q: KpiQuery, now: Date) {
  const to = q.to ?? localDate(now);
  const from = q.from ?? addDays(to, -29);
  const groupBy = q.groupBy ?? 'segment';
  const counters = await readKpis(scope.agent ? AGENCY_SCOPE : scope.clientId, daysBetween(from, to));
  const values = [...counters.values()];
  const { groups, total } = kpiRows(values, groupBy);
  // debtors in total: from the segment groups (each contact is in one segment group; a debtor counts once per
  // journey and segment), not the channel sum (a debtor reached on two channels is in both)
  total.debtors = kpiRows(values, 'segment').groups.reduce((s, g) => s + g.debtors, 0);
  return { from, to, groupBy, scope: scope.agent ? 'all' : scope.clientId, groups, total };
}
