/**
 * The learning report as one self-contained HTML page: inline SVG charts rendered on the server by Apache ECharts
 * (its SSR mode: no browser, no canvas, no script in the page), inline CSS, nothing loaded from elsewhere — it
 * opens from a file without a network. Charts: the funnel per segment (sent → delivered → opened → clicked → replied →
 * promise → paid), replies per intent, recovery over time per variant, the channel mix, and each experiment's results
 * with their 95% intervals. Local and simulator code only: never in a Lambda.
 */
import * as echarts from 'echarts';
import type { ExperimentResults } from '../../../functions/domain/experiments/results.js';
import type { KpiRow } from '../../../functions/reports/kpis.js';
import { INTENTS, type Intent } from '../../../functions/domain/vocabulary.js';
import type { ReportData } from './data.js';

const PALETTE = ['#1f5fa8', '#d1495b', '#2e9e6a', '#e0a100', '#7b4ea3', '#4a4a4a', '#00a3b4'];

function svg(option: echarts.EChartsCoreOption, width = 760, height = 320): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({ animation: false, color: PALETTE, textStyle: { fontFamily: 'system-ui, sans-serif' }, ...option });
  const out = chart.renderToSVGString();
  chart.dispose();
  return out;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const euro = (cents: number) => `€ ${(cents / 100).toLocaleString('nl-NL', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The funnel per segment: contacts sent, delivered, opened, clicked, replied, promised or arranged, paid after them. */
export function funnelChart(rows: readonly KpiRow[]): string {
  const stages = [
    ['sent', (r: KpiRow) => r.contacts],
    ['delivered', (r: KpiRow) => Math.round(r.deliveredRate * r.contacts)],
    ['opened', (r: KpiRow) => Math.round(r.openedRate * r.contacts)],
    ['clicked', (r: KpiRow) => Math.round(r.clickedRate * r.contacts)],
    ['replied', (r: KpiRow) => Math.round(r.replyRate * r.contacts)],
    ['promise / arrangement', (r: KpiRow) => Math.round(r.promiseRate * r.contacts)],
    ['paid', (r: KpiRow) => Math.round(r.paymentRate * r.contacts)],
  ] as const;
  return svg({
    title: { text: 'Funnel per segment', left: 0, textStyle: { fontSize: 14 } },
    legend: { top: 24 },
    grid: { top: 60, left: 60, right: 20, bottom: 30 },
    xAxis: { type: 'category', data: rows.map((r) => r.group) },
    yAxis: { type: 'value', name: 'contacts' },
    series: stages.map(([name, f]) => ({ name, type: 'bar', data: rows.map(f) })),
  });
}

/** The intents that have replies in any of `rows`, in the vocabulary's order. */
const intentsIn = (rows: readonly KpiRow[]): Intent[] => INTENTS.filter((i) => rows.some((r) => (r.repliesByIntent[i] ?? 0) > 0));

/** Replies per intent: one bar per intent, stacked per segment. */
export function intentChart(rows: readonly KpiRow[]): string {
  const intents = intentsIn(rows);
  return svg(
    {
      title: { text: 'Replies per intent (each reply once, for the last contact before it)', left: 0, textStyle: { fontSize: 14 } },
      legend: { top: 24 },
      grid: { top: 60, left: 130, right: 30, bottom: 30 },
      xAxis: { type: 'value', name: 'replies', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: intents.length ? intents.map((i) => i.replace(/_/g, ' ')) : ['no replies yet'] },
      series: rows.map((r) => ({ name: r.group, type: 'bar', stack: 'replies', data: intents.map((i) => r.repliesByIntent[i] ?? 0) })),
    },
    760,
    Math.max(200, 90 + 26 * Math.max(1, intents.length)),
  );
}

function intentTable(rows: readonly KpiRow[], total: KpiRow): string {
  const intents = intentsIn([total]);
  if (!intents.length) return '<p>No replies in this period.</p>';
  const cells = (r: KpiRow) => intents.map((i) => `<td>${r.repliesByIntent[i] ?? 0}</td>`).join('');
  const sum = (r: KpiRow) => intents.reduce((n, i) => n + (r.repliesByIntent[i] ?? 0), 0);
  return `<table class="intents"><thead><tr><th>segment</th>${intents.map((i) => `<th>${esc(i.replace(/_/g, ' '))}</th>`).join('')}<th>replies</th></tr></thead><tbody>${rows
    .map((r) => `<tr><td>${esc(r.group)}</td>${cells(r)}<td>${sum(r)}</td></tr>`)
    .join('')}<tr class="total"><td>total</td>${cells(total)}<td>${sum(total)}</td></tr></tbody></table>`;
}

export function recoveryChart(daily: ReportData['daily']): string {
  const variants = [...new Set(daily.flatMap((d) => Object.keys(d.variant)))].sort();
  const series = variants.map((v) => {
    let sum = 0;
    return { name: v, type: 'line', showSymbol: false, data: daily.map((d) => Math.round((sum += d.variant[v]?.recoveredCents ?? 0) / 100)) };
  });
  return svg({
    title: { text: 'Recovery over time per variant (cumulative €, by contact day)', left: 0, textStyle: { fontSize: 14 } },
    legend: { top: 24 },
    grid: { top: 60, left: 70, right: 20, bottom: 30 },
    xAxis: { type: 'category', data: daily.map((d) => d.day.slice(5)) },
    yAxis: { type: 'value', name: '€' },
    series: series.length ? series : [{ name: 'no variants yet', type: 'line', data: daily.map(() => 0) }],
  });
}

export function channelMixChart(rows: readonly KpiRow[]): string {
  return svg({
    title: { text: 'Channel mix (contacts) and recovered per euro spent', left: 0, textStyle: { fontSize: 14 } },
    legend: { top: 24 },
    grid: { top: 60, left: 60, right: 60, bottom: 30 },
    xAxis: { type: 'category', data: rows.map((r) => r.group) },
    yAxis: [
      { type: 'value', name: 'contacts' },
      { type: 'value', name: '€ per €', position: 'right' },
    ],
    series: [
      { name: 'contacts', type: 'bar', data: rows.map((r) => r.contacts) },
      { name: 'recovered per euro spent', type: 'line', yAxisIndex: 1, data: rows.map((r) => Number(r.recoveredPerEuroSpent.toFixed(2))) },
    ],
  });
}

/** The metric per variant with its 95% interval as an error bar. */
export function experimentChart(x: ExperimentResults): string {
  const rows = [...x.variants, ...(x.holdout ? [x.holdout] : [])];
  const cents = x.metric === 'recovered_cents_within_60d';
  const scale = (v: number) => (cents ? v / 100 : v * 100);
  return svg(
    {
      title: { text: `${x.experimentId}: ${x.metric} (${x.verdict})`, left: 0, textStyle: { fontSize: 14 } },
      grid: { top: 50, left: 60, right: 20, bottom: 30 },
      xAxis: { type: 'category', data: rows.map((r) => `${r.variant}${r.control ? ' (control)' : ''}`) },
      yAxis: { type: 'value', name: cents ? '€ per debtor' : '%' },
      series: [
        { name: 'estimate', type: 'bar', barWidth: '40%', data: rows.map((r) => Number(scale(r.metric.value).toFixed(3))) },
        {
          name: '95% interval',
          type: 'custom',
          data: rows.map((r, i) => [i, scale(r.metric.low), scale(r.metric.high)]),
          renderItem: (_params: unknown, api: { value(i: number): number; coord(p: number[]): number[]; size(p: number[]): number[] }) => {
            const i = api.value(0);
            const low = api.coord([i, api.value(1)]);
            const high = api.coord([i, api.value(2)]);
            const w = api.size([1, 0])[0]! * 0.15;
            const style = { stroke: '#222', lineWidth: 1.5 };
            return {
              type: 'group',
              children: [
                { type: 'line', shape: { x1: high[0], y1: high[1], x2: low[0], y2: low[1] }, style },
                { type: 'line', shape: { x1: high[0]! - w, y1: high[1], x2: high[0]! + w, y2: high[1] }, style },
                { type: 'line', shape: { x1: low[0]! - w, y1: low[1], x2: low[0]! + w, y2: low[1] }, style },
              ],
            };
          },
          z: 10,
        },
      ],
    },
    560,
    300,
  );
}

function kpiTable(rows: readonly KpiRow[], total?: KpiRow): string {
  const head = ['group', 'debtors', 'contacts', 'delivered', 'opened', 'clicked', 'contact rate', 'reply rate', 'promise rate', 'payment rate', 'recovered', 'cost', 'per € spent'];
  const line = (r: KpiRow, cls = '') =>
    `<tr${cls ? ` class="${cls}"` : ''}><td>${esc(r.group)}</td><td>${r.debtors}</td><td>${r.contacts}</td><td>${pct(r.deliveredRate)}</td><td>${pct(r.openedRate)}</td><td>${pct(r.clickedRate)}</td><td>${pct(r.contactRate)}</td><td>${pct(r.replyRate)}</td><td>${pct(r.promiseRate)}</td><td>${pct(r.paymentRate)}</td><td>${euro(r.recoveredCents)}</td><td>${euro(r.costCents)}</td><td>${r.recoveredPerEuroSpent.toFixed(2)}</td></tr>`;
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => line(r)).join('')}${total ? line(total, 'total') : ''}</tbody></table>`;
}

function experimentTable(x: ExperimentResults): string {
  const cents = x.metric === 'recovered_cents_within_60d';
  const fmt = (v: number) => (cents ? euro(v) : pct(v));
  const rows = [...x.variants, ...(x.holdout ? [x.holdout] : [])];
  return `<table><thead><tr><th>variant</th><th>exposed</th><th>matured (n)</th><th>${esc(x.metric)}</th><th>95% interval</th><th>${x.allocation === 'thompson' ? 'P(best)</th><th>share now' : 'vs control</th><th>p-value'}</th></tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr><td>${esc(r.variant)}${r.control ? ' (control)' : ''}</td><td>${r.exposed}</td><td>${r.n}</td><td>${fmt(r.metric.value)}</td><td>${fmt(r.metric.low)} – ${fmt(r.metric.high)}</td>${
          x.allocation === 'thompson'
            ? `<td>${r.probabilityBest !== undefined ? pct(r.probabilityBest) : '—'}</td><td>${r.share !== undefined ? pct(r.share) : '—'}</td>`
            : `<td>${r.difference ? `${r.difference.value >= 0 ? '+' : ''}${fmt(r.difference.value)}` : '—'}</td><td>${r.difference ? r.difference.pValue.toFixed(3) : '—'}</td>`
        }</tr>`,
    )
    .join('')}</tbody></table>`;
}

export function renderReport(d: ReportData): string {
  const sim = d.simulation;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(d.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.85rem}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}
td:first-child,th:first-child{text-align:left}tr.total{font-weight:600;background:#f4f4f4}.chart{margin:.5rem 0}
.meta{color:#555;font-size:.9rem}dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{color:#555}
</style></head><body>
<h1>${esc(d.title)}</h1>
<p class="meta">Contacts sent ${esc(d.from)} – ${esc(d.to)} (Europe/Amsterdam), ${esc(d.scope)}; generated ${esc(d.generatedAt)}. Outcomes count for the contacts before them within their windows: delivered, opened and clicked (the providers' statuses of that message), reactions and replies 7 days, promises and arrangements 14, payments 30; recovered cents (60 days) and replies per intent (7) go to the last contact before them (last touch).</p>
${sim ? `<h2>Simulation</h2><dl>${Object.entries(sim.summary).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(String(v))}</dd>`).join('')}</dl>${sim.bandit ? `<table><thead><tr><th>allocation</th><th>recovered</th><th>share of the oracle</th></tr></thead><tbody>${sim.bandit.map((b) => `<tr><td>${esc(b.arm)}</td><td>${euro(b.recoveredCents)}</td><td>${pct(b.shareOfOracle)}</td></tr>`).join('')}</tbody></table>` : ''}` : ''}
<h2>Funnel per segment</h2>
<div class="chart" id="chart-funnel">${funnelChart(d.groups.segment)}</div>
${kpiTable(d.groups.segment, d.total)}
<h2>Replies per intent</h2>
<div class="chart" id="chart-intents">${intentChart(d.groups.segment)}</div>
${intentTable(d.groups.segment, d.total)}
<h2>Recovery over time per variant</h2>
<div class="chart" id="chart-recovery">${recoveryChart(d.daily)}</div>
${kpiTable(d.groups.variant)}
<h2>Channel mix</h2>
<div class="chart" id="chart-channels">${channelMixChart(d.groups.channel)}</div>
${kpiTable(d.groups.channel)}
<h2>Tone and template</h2>
${kpiTable(d.groups.tone)}
${kpiTable(d.groups.template)}
<h2>Experiments</h2>
${d.experiments.length ? d.experiments.map((x) => `<h3>${esc(x.experimentId)} — ${esc(x.dimension)}, ${esc(x.allocation)}, ${esc(x.status)}: <em>${esc(x.verdict)}</em></h3><div class="chart experiment">${experimentChart(x)}</div>${experimentTable(x)}`).join('\n') : '<p>No experiments in the strategy file.</p>'}
</body></html>
`;
}
