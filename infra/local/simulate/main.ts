/**
 * `npm run simulate -- --debtors N --days D --seed S [--population FILE] [--strategy FILE] [--json] [--out FILE]`
 *
 * Runs a portfolio through the same ASL and handlers on the virtual clock (simulation.ts), prints KPIs per segment
 * and variant, and writes the report (default simulation-report.html). With a Thompson experiment in the strategy
 * it also compares the bandit with a fixed equal split and with the oracle (every debtor in the truly best variant,
 * known from the population's effects) over the first `--compare` debtors (default 5,000): each of the two is its
 * own run of those debtors, with the same seed. `--json`: one JSON object as the last line. The run fails (exit 1)
 * when a target is missed: journeysPerSecond ≥ 100 at 10,000 debtors or more, the bandit ≥ 90% of the oracle.
 * Deterministic for a seed (the figures; the timings are the machine's).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parseStrategy } from '../../../functions/domain/strategy.js';
import type { Experiment } from '../../../functions/domain/experiments/schema.js';
import { parsePopulation, type Population } from './population-schema.js';
import { type SimulationResult, runSimulation } from './simulation.js';
import { renderReport } from '../report/render.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
const TARGETS = { journeysPerSecond: 100, atDebtors: 10_000, banditShareOfOracle: 0.9 };

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    debtors: { type: 'string', default: '1000' },
    days: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    population: { type: 'string' },
    strategy: { type: 'string' },
    json: { type: 'boolean', default: false },
    out: { type: 'string', default: 'simulation-report.html' },
    compare: { type: 'string', default: '5000' },
    quiet: { type: 'boolean', default: false },
  },
});

const int = (name: string, v: string, min: number, max: number) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be a whole number from ${min} to ${max}, got ${v}`);
  return n;
};
const debtors = int('debtors', values.debtors!, 1, 1_000_000);
const days = int('days', values.days!, 1, 365);
const seed = int('seed', values.seed!, 0, 2 ** 31 - 1);
const compareDebtors = Math.min(debtors, int('compare', values.compare!, 0, 1_000_000));

const readJson = (file: string, what: string): unknown => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`${what} ${file}: ${(err as Error).message}`);
  }
};

let population: Population;
try {
  population = parsePopulation(readJson(values.population ?? path.join(HERE, 'populations/default.json'), 'population'));
} catch (err) {
  fail((err as Error).message);
}

let strategyJson: Record<string, unknown>;
if (values.strategy) strategyJson = readJson(values.strategy, 'strategy') as Record<string, unknown>;
else {
  strategyJson = readJson(path.join(ROOT, 'templates/strategy.json'), 'strategy') as Record<string, unknown>;
  const { $comment: _c, ...experiment } = readJson(path.join(HERE, 'experiment.json'), 'experiment') as Record<string, unknown>;
  strategyJson = { ...strategyJson, experiments: [experiment] };
}
let strategy: ReturnType<typeof parseStrategy>;
try {
  strategy = parseStrategy(strategyJson);
} catch (err) {
  fail((err as Error).message);
}

/** The variant the population's effects make best for the experiment's metric (tone and template experiments). */
export function trulyBest(pop: Population, x: Experiment): string | undefined {
  if (x.dimension !== 'tone' && x.dimension !== 'template') return undefined;
  const factor = (v: Experiment['variants'][number]) => {
    let f = 1;
    for (const e of pop.effects) {
      const w = e.when;
      const phases = w.phase === undefined ? undefined : Array.isArray(w.phase) ? w.phase : [w.phase];
      if (phases && !phases.some((p) => x.eligibility.phases.includes(p))) continue;
      if (x.dimension === 'tone' && (w.tone === undefined || w.tone !== v.tone)) continue;
      if (x.dimension === 'template' && (w.template === undefined || w.template !== v.template)) continue;
      f *= x.metric === 'contact_within_7d' ? (e.react ?? 1) : x.metric === 'promise_or_arrangement_within_14d' ? (e.promise ?? 1) : (e.pay ?? 1);
    }
    return f;
  };
  return [...x.variants].sort((a, b) => factor(b) - factor(a) || (a.control ? -1 : 1))[0]!.name;
}

const progress = values.quiet || values.json ? undefined : (t: string) => process.stderr.write(`\r  ${t}   `);
const say = (t: string) => {
  if (!values.json || !values.quiet) console.log(t);
};
say(`Maatwerk simulation: ${debtors} debtors, ${days} days, seed ${seed}${values.population ? `, population ${values.population}` : ''}${values.strategy ? `, strategy ${values.strategy}` : ''}`);

const main = await runSimulation({ debtors, days, seed, population, strategy: strategyJson, progress });
if (progress) process.stderr.write('\n');

const bandit = (strategy.experiments ?? []).find((x) => x.allocation === 'thompson');
let comparison: { experimentId: string; debtors: number; best: string; bandit: number; fixed: number; oracle: number; banditShareOfOracle: number; fixedShareOfOracle: number } | undefined;
if (bandit && compareDebtors > 0) {
  const best = trulyBest(population, bandit);
  if (best) {
    const withAllocation = (allocation: 'fixed' | 'thompson') => ({
      ...strategyJson,
      experiments: (strategyJson.experiments as Array<Record<string, unknown>>).map((x) => (x.id === bandit.id ? { ...x, allocation, ...(allocation === 'fixed' ? { minShare: undefined } : {}) } : x)),
    });
    say(`comparing on the first ${compareDebtors} debtors: the fixed split, then the oracle (every debtor in ${best})`);
    const fixed = await runSimulation({ debtors: compareDebtors, days, seed, population, strategy: withAllocation('fixed'), progress });
    if (progress) process.stderr.write('\n');
    const oracle = await runSimulation({ debtors: compareDebtors, days, seed, population, strategy: strategyJson, force: { [bandit.id]: best }, progress });
    if (progress) process.stderr.write('\n');
    const recovered = (r: SimulationResult) => r.outcomes.filter((o) => o.index < compareDebtors).reduce((s, o) => s + o.paidCents, 0);
    const b = recovered(main);
    const f = recovered(fixed);
    const o = recovered(oracle);
    comparison = { experimentId: bandit.id, debtors: compareDebtors, best, bandit: b, fixed: f, oracle: o, banditShareOfOracle: o ? b / o : 1, fixedShareOfOracle: o ? f / o : 1 };
  }
}

const r2 = (n: number) => Math.round(n * 100) / 100;
const euro = (c: number) => `€ ${(c / 100).toLocaleString('nl-NL', { maximumFractionDigits: 0 })}`;
const rows = (groups: SimulationResult['kpis']['bySegment']['groups']) =>
  groups.map((g) => `    ${g.group.padEnd(30)} debtors ${String(g.debtors).padStart(6)}  contacts ${String(g.contacts).padStart(6)}  react ${(g.contactRate * 100).toFixed(1).padStart(5)}%  reply ${(g.replyRate * 100).toFixed(1).padStart(5)}%  promise ${(g.promiseRate * 100).toFixed(1).padStart(5)}%  paid ${(g.paymentRate * 100).toFixed(1).padStart(5)}%  ${euro(g.recoveredCents).padStart(12)}  per € ${g.recoveredPerEuroSpent.toFixed(1)}`).join('\n');

const misses: string[] = [];
if (debtors >= TARGETS.atDebtors && main.journeysPerSecond < TARGETS.journeysPerSecond) misses.push(`journeysPerSecond ${r2(main.journeysPerSecond)} < ${TARGETS.journeysPerSecond}`);
if (main.deadLetters > 0) misses.push(`${main.deadLetters} timers failed after their retries (a function the simulation does not host?)`);
if (comparison && comparison.banditShareOfOracle < TARGETS.banditShareOfOracle) misses.push(`the bandit recovered ${(comparison.banditShareOfOracle * 100).toFixed(1)}% of the oracle (target ≥ ${TARGETS.banditShareOfOracle * 100}%)`);

const report = {
  ...main.report,
  simulation: {
    summary: {
      debtors,
      days,
      seed,
      'journeys per second': r2(main.journeysPerSecond),
      'wall seconds': r2(main.seconds),
      contacts: main.contacts,
      'handed over': euro(main.principalCents),
      recovered: `${euro(main.recoveredCents)} (${((main.recoveredCents / main.principalCents) * 100).toFixed(1)}%)`,
      'state transitions': main.transitions,
      replies: `${main.conversation.replies} (${(main.conversation.understood * 100).toFixed(1)}% read as meant), ${main.conversation.answers} answered`,
    },
    ...(comparison
      ? {
          bandit: [
            { arm: `Thompson (the run, first ${comparison.debtors} debtors)`, recoveredCents: comparison.bandit, shareOfOracle: comparison.banditShareOfOracle },
            { arm: 'fixed equal split', recoveredCents: comparison.fixed, shareOfOracle: comparison.fixedShareOfOracle },
            { arm: `oracle (all ${comparison.best})`, recoveredCents: comparison.oracle, shareOfOracle: 1 },
          ],
        }
      : {}),
  },
};
fs.writeFileSync(values.out!, renderReport(report));

say(`
  ${main.contacts} contacts, ${main.transitions} state transitions; recovered ${euro(main.recoveredCents)} of ${euro(main.principalCents)} handed over
  ${r2(main.journeysPerSecond)} journeys/s (${r2(main.seconds)} s wall)${debtors >= TARGETS.atDebtors ? `; target ≥ ${TARGETS.journeysPerSecond}` : ''}
  conversation: ${main.conversation.replies} replies through the webhook (${Object.entries(main.conversation.byKind).map(([k, n]) => `${n} ${k}`).join(', ')}), read as meant ${(main.conversation.understood * 100).toFixed(1)}%; intents ${Object.entries(main.conversation.intents).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}; ${main.conversation.answers} answers sent; open agent tasks ${Object.entries(main.conversation.openTasks).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}
  KPIs per segment (the journey's segments):
${rows(main.kpis.bySegment.groups)}
  KPIs per variant:
${rows(main.kpis.byVariant.groups)}
${main.experiments.map((x) => `  experiment ${x.experimentId} (${x.allocation}, ${x.metric}): ${x.verdict}; ${x.variants.map((v) => `${v.variant} ${v.exposed} exposed${v.probabilityBest !== undefined ? `, P(best) ${(v.probabilityBest * 100).toFixed(0)}%` : ''}`).join('; ')}`).join('\n')}
${comparison ? `  bandit vs fixed vs oracle (first ${comparison.debtors} debtors, best = ${comparison.best}): ${euro(comparison.bandit)} / ${euro(comparison.fixed)} / ${euro(comparison.oracle)} — bandit ${(comparison.banditShareOfOracle * 100).toFixed(1)}% of the oracle, fixed ${(comparison.fixedShareOfOracle * 100).toFixed(1)}%` : ''}
  report: ${values.out}
${misses.length ? `\nTARGETS MISSED:\n  ${misses.join('\n  ')}\n` : '  all targets met'}`);

if (values.json) {
  console.log(
    JSON.stringify({
      debtors,
      days,
      seed,
      journeysPerSecond: r2(main.journeysPerSecond),
      seconds: r2(main.seconds),
      contacts: main.contacts,
      transitions: main.transitions,
      principalCents: main.principalCents,
      recoveredCents: main.recoveredCents,
      kpis: { bySegment: main.kpis.bySegment.groups, byVariant: main.kpis.byVariant.groups, byChannel: main.kpis.byChannel.groups, total: main.kpis.bySegment.total },
      experiments: main.experiments,
      conversation: main.conversation,
      ...(comparison ? { bandit: comparison } : {}),
      report: values.out,
      targetsMissed: misses,
    }),
  );
}
process.exit(misses.length ? 1 : 0);
