/**
 * The simulator on a small portfolio: the same ASL and handlers on the in-process ports, deterministic for a seed,
 * its population file validated with field paths, and the report it writes: self-contained HTML with the four
 * kinds of chart as SVG. (The big runs — 10,000 debtors — are `npm run simulate`, with their targets there.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePopulation } from '../../infra/local/simulate/population-schema.js';
import { runSimulation } from '../../infra/local/simulate/simulation.js';
import { chancesFor, makeDebtor } from '../../infra/local/simulate/model.js';
import { renderReport } from '../../infra/local/report/render.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const population = parsePopulation(JSON.parse(fs.readFileSync(path.join(ROOT, 'infra/local/simulate/populations/default.json'), 'utf8')));
const { $comment: _c, ...experiment } = JSON.parse(fs.readFileSync(path.join(ROOT, 'infra/local/simulate/experiment.json'), 'utf8'));
const strategy = { ...JSON.parse(fs.readFileSync(path.join(ROOT, 'templates/strategy.json'), 'utf8')), experiments: [experiment] };

describe('the population file', () => {
  it('the default and the firm-best populations are valid; a bad file is refused naming the field and why', () => {
    expect(population.segments.map((s) => s.name)).toEqual(['forgetful', 'struggling', 'avoider']);
    parsePopulation(JSON.parse(fs.readFileSync(path.join(ROOT, 'infra/local/simulate/populations/firm-best.json'), 'utf8')));
    const bad = JSON.parse(JSON.stringify(population));
    bad.segments[1].behaviour.pay = 1.5;
    bad.effects[0].when = {};
    bad.segments[0].colour = 'blue';
    expect(() => parsePopulation(bad)).toThrow(
      /population\.segments\[0\]\.colour: is not a known field.*population\.segments\[1\]\.behaviour\.pay: must be a number from 0 to 1.*population\.effects\[0\]\.when: must name at least one of/,
    );
  });

  it('the published effects multiply the chances of a matching contact (Toon & Timing, payday timing)', () => {
    const d = { ...makeDebtor(population, 1, 0, Date.parse('2026-03-02T08:00:00Z'), Date.parse('2026-05-01T00:00:00Z')), payday: 25 };
    const base = chancesFor(population, d, { channel: 'letter', phase: 'fourteen_day_letter', tone: 'neutral', at: Date.parse('2026-03-10T09:00:00Z'), stepNo: 1 });
    const positive = chancesFor(population, d, { channel: 'letter', phase: 'fourteen_day_letter', tone: 'friendly', at: Date.parse('2026-03-10T09:00:00Z'), stepNo: 1 });
    expect(positive.pay / base.pay).toBeCloseTo(1.28, 10);
    expect(positive.react / base.react).toBeCloseTo(1.1, 10);
    const payday = chancesFor(population, d, { channel: 'letter', phase: 'fourteen_day_letter', tone: 'neutral', at: Date.parse('2026-03-26T09:00:00Z'), stepNo: 1 });
    expect(payday.react / base.react).toBeCloseTo(1.12, 10);
  });
});

describe('a small simulation', () => {
  it('runs through the journey and is the same for the same seed; its report has the charts and needs no network', async () => {
    const run = () => runSimulation({ debtors: 40, days: 30, seed: 7, population, strategy });
    const a = await run();
    const b = await run();
    const figures = (r: typeof a) => ({ contacts: r.contacts, recovered: r.recoveredCents, transitions: r.transitions, kpis: r.kpis.bySegment.groups, variants: r.outcomes.map((o) => o.variants) });
    expect(a.contacts).toBeGreaterThan(40);
    expect(a.recoveredCents).toBeGreaterThan(0);
    expect(figures(b)).toEqual(figures(a));
    expect(a.kpis.byVariant.groups.map((g) => g.group.split(':')[0])).toEqual(expect.arrayContaining(['first-demand-card']));
    expect(a.experiments[0]).toMatchObject({ experimentId: 'first-demand-card', allocation: 'thompson' });
    // the debtors' replies went through the signed webhook and the classifier, and were answered there; the answers
    // are no journey contacts (the KPIs' messages are exactly the journey's, call tasks aside)
    expect(a.conversation.replies).toBeGreaterThan(0);
    expect(a.conversation.intents['(not recorded)']).toBeUndefined();
    expect(Object.values(a.conversation.intents).reduce((x, y) => x + y, 0)).toBe(a.conversation.replies);
    expect(a.conversation.understood).toBeGreaterThan(0.5);
    expect(a.conversation.answers).toBeGreaterThan(0);
    expect(a.kpis.byChannel.groups.filter((g) => g.group !== 'call').reduce((x, g) => x + g.contacts, 0)).toBe(a.contacts);
    expect(b.conversation).toEqual(a.conversation);
    // every timer found its function (journey timers, and answers that waited for contact hours: the Webhooks function)
    expect(a.deadLetters).toBe(0);
    const html = renderReport({ ...a.report, simulation: { summary: { debtors: 40 }, bandit: [{ arm: 'oracle', recoveredCents: a.recoveredCents, shareOfOracle: 1 }] } });
    for (const id of ['chart-funnel', 'chart-recovery', 'chart-channels']) expect(html).toMatch(new RegExp(`<div class="chart" id="${id}"><svg[^>]*>[\\s\\S]*?</svg></div>`));
    expect(html.match(/<div class="chart experiment"><svg/g)).toHaveLength(1);
    // each chart draws something: bars/lines are SVG paths
    expect((html.match(/<path /g) ?? []).length).toBeGreaterThan(20);
    expect(html).not.toMatch(/<script|<link|src="http/);
  }, 120_000);
});
