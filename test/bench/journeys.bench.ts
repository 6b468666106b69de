/**
 * `npm run bench` (`-- --json` for one JSON object as the last line): journeys on the virtual clock, through the
 * real ASL, handlers and SDKs, counted the way AWS bills them.
 *
 *  1. A portfolio: BENCH_JOURNEYS debtors (default 100), 30% of whom pay after the first contacts. Per journey: the
 *     contacts, state transitions (by state), Lambda invocations, DynamoDB requests and the capacity units they
 *     consumed (DynamoDB's own ReturnConsumedCapacity), journey timers, and the cost at list prices — Lambda at
 *     each function's configured memory for the handler time measured here.
 *  2. A long journey: one debtor who never reacts, a year under a strategy with 30+ contacts, and what a decision
 *     costs to read (the case item, strongly consistent) at its first and at its last contact: bounded state
 *     means the last costs at most one unit more than the first.
 *  3. An import, as its own section on a fresh runtime: a CSV of BENCH_IMPORT_ROWS claims (default 10,000; 0 skips
 *     it) through POST /v1/dossiers/batch (test/bench/import.bench.ts; rows per second, `importRowsPerSecond`).
 *
 *  3. The Lambda bundles: every function bundled as `cdk synth` bundles it, each bundle's size from esbuild's
 *     metafile against its budget (infra/aws/functions.ts), reported as `bundles` ({ <function>: bytes }).
 *
 * Targets (the run fails when one is missed): DynamoDB requests per journey ≤ 25 (the journey's and the learning
 * counters' stream aggregator's, amortised over its batches), no counter UpdateItem on the request path, state
 * transitions per contact ≤ 3.0, lastDecisionReadUnits ≤ firstDecisionReadUnits + 1, every bundle within its budget
 * (250 KB; the letter function 400 KB; the sending steps 300 KB, infra/aws/functions.ts says why).
 *
 *   BENCH_JOURNEYS=200 npm run bench
 *   npm run bench -- --json      # the last line is one JSON object
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { LocalRuntime } from '../../infra/local/runtime.js';
import { importBench } from './import.bench.js';
import { FUNCTIONS, type FunctionName } from '../../infra/aws/functions.js';
import { counterUpdatesOutsideAggregator, dynamo, dynamoRequestsByFunction, dynamoRequestsByPurpose, dynamoUsage, tableName } from '../../functions/shared/aws.js';
import { key } from '../../functions/store/keys.js';
import { bundleSizes, formatBundleSizes } from '../../infra/build/bundle-sizes.js';

process.env.MAATWERK_MEASURE_CAPACITY = '1';

const JOURNEYS = Number(process.env.BENCH_JOURNEYS ?? 100);
const PAY_SHARE = 0.3; // this share pays after the first contacts, the rest runs to the end
const JSON_OUT = process.argv.includes('--json');

const TARGETS = { ddbRequestsPerJourney: 25, transitionsPerContact: 3.0, readUnitsGrowth: 1 };

// List prices (eu-west-1, on-demand, December 2026)
const PRICE = {
  sfnPerTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1_000_000,
  /** arm64 */
  lambdaPerGbSecond: 0.0000133334,
  dynamoPerWriteUnit: 0.705 / 1_000_000,
  dynamoPerReadUnit: 0.1413 / 1_000_000,
  schedulerPerInvocation: 1.0 / 1_000_000,
  apiGatewayPerRequest: 3.5 / 1_000_000,
};
const WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const READ_OPS = new Set(['GetItem', 'Query', 'BatchGetItem', 'Scan']);

const DEBTOR = (i: number) => ({
  name: `Debtor ${i}`,
  email: `debtor${i}@example.invalid`,
  phone: `+316${String(10_000_000 + i).slice(-8)}`,
  consumer: true,
  address: { line1: `Straat ${i}`, postalCode: '1234 AB', city: 'Utrecht' },
});

async function startRuntime(env: Record<string, string> = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-bench-'));
  const rt = await LocalRuntime.start({
    dataDir,
    port: 0,
    env: { MAATWERK_CLOCK: 'virtual', MAATWERK_CLOCK_START: '2026-03-02T08:00:00Z', ...env },
    clients: [{ clientId: 'bench', name: 'Bench B.V.', apiKey: 'bench-key', agent: true }],
    quiet: true,
  });
  const post = (p: string, body: unknown) =>
    fetch(`${rt.apiUrl}${p}`, { method: 'POST', headers: { 'x-api-key': 'bench-key', 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as { dossierId: string; debtorId: string } }),
    );
  const stop = async () => {
    await rt.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { rt, post, stop };
}

interface Snapshot {
  dynamo: Record<string, number>;
  units: { readUnits: number; writeUnits: number };
  counterAggregator: number;
  byFunction: Record<string, number>;
  counterUpdatesOutsideAggregator: number;
  lambda: Record<string, { invocations: number; ms: number }>;
  sfn: ReturnType<LocalRuntime['sfn']['stats']>;
  timers: number;
  api: number;
}

function snapshot(rt: LocalRuntime): Snapshot {
  return {
    dynamo: { ...rt.dynamoRequests },
    units: { ...dynamoUsage },
    counterAggregator: dynamoRequestsByPurpose.counterAggregator,
    byFunction: { ...dynamoRequestsByFunction },
    counterUpdatesOutsideAggregator: counterUpdatesOutsideAggregator.count,
    lambda: JSON.parse(JSON.stringify(rt.lambdaTime)),
    sfn: rt.sfn.stats(),
    timers: rt.scheduler.stats.fired,
    // API Gateway requests: what reached a function behind it (an authorizer call is not a request of its own)
    api: rt.api!.invocations - rt.api!.authorizerInvocations,
  };
}

/** Usage between two snapshots, and what it costs at list prices. */
function usage(a: Snapshot, b: Snapshot) {
  let requests = 0;
  for (const [op, n] of Object.entries(b.dynamo)) if (WRITE_OPS.has(op) || READ_OPS.has(op)) requests += n - (a.dynamo[op] ?? 0);
  const lambda: Record<string, { invocations: number; ms: number; usd: number }> = {};
  for (const [fn, t] of Object.entries(b.lambda)) {
    const invocations = t.invocations - (a.lambda[fn]?.invocations ?? 0);
    const ms = t.ms - (a.lambda[fn]?.ms ?? 0);
    const memoryGb = (FUNCTIONS[fn as FunctionName]?.memorySize ?? 1024) / 1024;
    // billed per millisecond, at least 1 ms per invocation
    const billedSeconds = Math.max(invocations, Math.ceil(ms)) / 1000;
    lambda[fn] = { invocations, ms, usd: invocations * PRICE.lambdaPerRequest + billedSeconds * memoryGb * PRICE.lambdaPerGbSecond };
  }
  const transitions = b.sfn.stateTransitions - a.sfn.stateTransitions;
  const readUnits = b.units.readUnits - a.units.readUnits;
  const writeUnits = b.units.writeUnits - a.units.writeUnits;
  const timers = b.timers - a.timers;
  const apiRequests = b.api - a.api;
  const usd = {
    stepFunctions: transitions * PRICE.sfnPerTransition,
    lambda: Object.values(lambda).reduce((s, l) => s + l.usd, 0),
    dynamodb: readUnits * PRICE.dynamoPerReadUnit + writeUnits * PRICE.dynamoPerWriteUnit,
    scheduler: timers * PRICE.schedulerPerInvocation,
    apiGateway: apiRequests * PRICE.apiGatewayPerRequest,
  };
  // what of it the learning counters' stream aggregator made (the Counters function's invocations, amortised over
  // its batches; counted per command by the SDK middleware); the rest the journey's
  const counterAggregator = b.counterAggregator - a.counterAggregator;
  const byPurpose = { journey: requests - counterAggregator, counterAggregator };
  const counterUpdatesOnRequestPath = b.counterUpdatesOutsideAggregator - a.counterUpdatesOutsideAggregator;
  const byFunction = Object.fromEntries(Object.entries(b.byFunction).map(([k, n]) => [k, n - (a.byFunction[k] ?? 0)]).filter(([, n]) => (n as number) > 0));
  return { requests, byPurpose, byFunction, counterUpdatesOnRequestPath, readUnits, writeUnits, transitions, timers, apiRequests, lambda, usd, totalUsd: Object.values(usd).reduce((s, x) => s + x, 0) };
}

/** Where the transitions go: states entered, over every execution's history. */
async function transitionsByState(rt: LocalRuntime): Promise<Record<string, number>> {
  const byState: Record<string, number> = {};
  const list = (await rt.sfn.api('ListExecutions', { stateMachineArn: rt.stateMachineArn, maxResults: 1000 })) as { executions: Array<{ executionArn: string }> };
  for (const e of list.executions) {
    const hist = (await rt.sfn.api('GetExecutionHistory', { executionArn: e.executionArn, maxResults: 1000 })) as { events: Array<{ stateEnteredEventDetails?: { name: string } }> };
    for (const ev of hist.events) if (ev.stateEnteredEventDetails) byState[ev.stateEnteredEventDetails.name] = (byState[ev.stateEnteredEventDetails.name] ?? 0) + 1;
  }
  return byState;
}

async function portfolio() {
  const { rt, post, stop } = await startRuntime();
  const before = snapshot(rt);
  const started = performance.now();
  const dossiers: string[] = [];
  for (let i = 0; i < JOURNEYS; i++) {
    const res = await post('/v1/dossiers', { reference: `B-${i}`, principal: 5_000 + i * 37, dueDate: '2026-02-01', debtor: DEBTOR(i) });
    if (res.status !== 201) throw new Error(`create failed: ${JSON.stringify(res.body)}`);
    dossiers.push(res.body.dossierId);
  }
  await rt.advanceTo(Date.parse('2026-03-06T12:00:00Z'));
  for (let i = 0; i < JOURNEYS * PAY_SHARE; i++) await post(`/v1/dossiers/${dossiers[i]}/payments`, { amount: 5_000 + i * 37, reference: `P-${i}` });
  await rt.advanceTo(Date.parse('2026-07-01T12:00:00Z'));
  const seconds = (performance.now() - started) / 1000;
  const used = usage(before, snapshot(rt));
  const byState = await transitionsByState(rt);
  const contacts = (await rt.api!.outbox()).length;
  const streamRecords = rt.streams.stats.records;
  await stop();
  return { seconds, used, byState, contacts, streamRecords };
}

/** The case item's read cost (strongly consistent GetItem) and size now. */
async function caseReadUnits(caseId: string): Promise<{ units: number; bytes: number }> {
  const before = dynamoUsage.readUnits;
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.case(caseId), ConsistentRead: true }));
  const units = dynamoUsage.readUnits - before;
  dynamoUsage.readUnits = before; // a probe, not part of any journey
  return { units, bytes: Buffer.byteLength(JSON.stringify(res.Item ?? {})) };
}

async function longJourney() {
  const strategy = path.resolve(import.meta.dirname, 'long-journey.strategy.json');
  const previous = process.env.MAATWERK_STRATEGY_FILE;
  process.env.MAATWERK_STRATEGY_FILE = strategy;
  const { rt, post, stop } = await startRuntime({ MAATWERK_STRATEGY_FILE: strategy });
  try {
    const res = await post('/v1/dossiers', { reference: 'LONG-1', principal: 75_000, dueDate: '2026-02-01', debtor: DEBTOR(1) });
    const { debtorId } = res.body;
    const samples: Array<{ contacts: number; units: number; bytes: number }> = [];
    const end = Date.parse('2027-03-02T08:00:00Z');
    let t = rt.clock.now();
    while (t < end) {
      t = Math.min(end, t + 86_400_000);
      await rt.advanceTo(t);
      const contacts = (await rt.api!.outbox()).filter((m) => m.debtorId === debtorId).length;
      if (contacts > (samples.at(-1)?.contacts ?? 0)) samples.push({ contacts, ...(await caseReadUnits(debtorId)) });
    }
    return { contacts: samples.at(-1)?.contacts ?? 0, first: samples[0], last: samples.at(-1)! };
  } finally {
    await stop();
    if (previous === undefined) delete process.env.MAATWERK_STRATEGY_FILE;
    else process.env.MAATWERK_STRATEGY_FILE = previous;
  }
}

async function main() {
  const run = await portfolio();
  const long = await longJourney();
  const sizes = await bundleSizes();
  const { used, contacts } = run;
  const per = (n: number) => n / JOURNEYS;
  const lambdaInvocations = Object.values(used.lambda).reduce((s, l) => s + l.invocations, 0);
  const result = {
    journeys: JOURNEYS,
    contactsPerJourney: round(per(contacts)),
    transitionsPerContact: round(used.transitions / contacts),
    transitionsPerJourney: round(per(used.transitions)),
    transitionsByStatePerJourney: Object.fromEntries(Object.entries(run.byState).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(per(v))])),
    lambdaInvocationsPerJourney: round(per(lambdaInvocations)),
    lambdaPerJourney: Object.fromEntries(Object.entries(used.lambda).map(([fn, l]) => [fn, { invocations: round(per(l.invocations)), msPerInvocation: round(l.ms / Math.max(1, l.invocations)) }])),
    ddbRequestsPerJourney: round(per(used.requests)),
    ddbRequestsByPurposePerJourney: { journey: round(per(used.byPurpose.journey)), counterAggregator: round(per(used.byPurpose.counterAggregator)) },
    /** "<function> <command>" → requests per journey (what to look at when the request target is missed) */
    ddbRequestsByFunctionPerJourney: Object.fromEntries(Object.entries(used.byFunction as Record<string, number>).sort(([, x], [, y]) => y - x).map(([k, n]) => [k, round(per(n))])),
    /** UpdateItems on KPI#/EXP# counter items made by anything but the stream aggregator (target 0) */
    counterUpdatesOnRequestPath: used.counterUpdatesOnRequestPath,
    counterBatches: { invocations: used.lambda.Counters?.invocations ?? 0, recordsPerInvocation: round(run.streamRecords / Math.max(1, used.lambda.Counters?.invocations ?? 0)) },
    ddbReadUnitsPerJourney: round(per(used.readUnits)),
    ddbWriteUnitsPerJourney: round(per(used.writeUnits)),
    timersPerJourney: round(per(used.timers)),
    costPer1000JourneysUsd: round((used.totalUsd / JOURNEYS) * 1000, 4),
    costPer1000JourneysByServiceUsd: Object.fromEntries(Object.entries(used.usd).map(([k, v]) => [k, round((v / JOURNEYS) * 1000, 4)])),
    journeysPerSecond: round(JOURNEYS / run.seconds),
    longJourney: {
      contacts: long.contacts,
      firstDecisionReadUnits: long.first.units,
      lastDecisionReadUnits: long.last.units,
      caseItemBytes: { first: long.first.bytes, last: long.last.bytes },
    },
    bundles: sizes.bundles,
  };
  const misses = [
    result.ddbRequestsPerJourney > TARGETS.ddbRequestsPerJourney ? `DynamoDB requests per journey ${result.ddbRequestsPerJourney} > ${TARGETS.ddbRequestsPerJourney}` : undefined,
    result.counterUpdatesOnRequestPath > 0 ? `the request path made ${result.counterUpdatesOnRequestPath} counter UpdateItems (the stream aggregator should make them all)` : undefined,
    result.transitionsPerContact > TARGETS.transitionsPerContact ? `transitions per contact ${result.transitionsPerContact} > ${TARGETS.transitionsPerContact}` : undefined,
    long.last.units > long.first.units + TARGETS.readUnitsGrowth ? `last decision reads ${long.last.units} units, first ${long.first.units}` : undefined,
    long.contacts < 30 ? `the long journey made only ${long.contacts} contacts` : undefined,
    ...sizes.overBudget.map((line) => `bundle over budget: ${line}`),
  ].filter((m): m is string => m !== undefined);

  console.log(`
Maatwerk journey benchmark — ${JOURNEYS} journeys on the virtual clock (2 March → 1 July 2026), ${Math.round(PAY_SHARE * 100)}% pay after the first contacts
  contacts (messages, letters, call tasks)   ${contacts}  (${result.contactsPerJourney} per journey)
  state transitions                          ${used.transitions}  (${result.transitionsPerJourney} per journey, ${result.transitionsPerContact} per contact; target ≤ ${TARGETS.transitionsPerContact})
      by state: ${Object.entries(result.transitionsByStatePerJourney).map(([k, v]) => `${k} ${v}`).join(', ')} per journey
  Lambda invocations                         ${lambdaInvocations}  (${result.lambdaInvocationsPerJourney} per journey: ${Object.entries(result.lambdaPerJourney).map(([fn, l]) => `${fn} ${l.invocations} × ${l.msPerInvocation} ms`).join(', ')})
  journey timers (EventBridge Scheduler)     ${used.timers}  (${result.timersPerJourney} per journey)
  DynamoDB requests                          ${used.requests}  (${result.ddbRequestsPerJourney} per journey; target ≤ ${TARGETS.ddbRequestsPerJourney}: the journey ${result.ddbRequestsByPurposePerJourney.journey}, the counters' stream aggregator ${result.ddbRequestsByPurposePerJourney.counterAggregator}); ${result.ddbReadUnitsPerJourney} read + ${result.ddbWriteUnitsPerJourney} write units per journey
  learning counters                          ${result.counterBatches.invocations} stream batches (${result.counterBatches.recordsPerInvocation} records each); counter UpdateItems on the request path: ${result.counterUpdatesOnRequestPath}
  AWS cost at list prices                    $${result.costPer1000JourneysUsd.toFixed(2)} per 1,000 journeys (${Object.entries(result.costPer1000JourneysByServiceUsd).map(([k, v]) => `${k} $${v.toFixed(3)}`).join(', ')})
      Lambda: measured handler time here, priced at each function's configured memory (arm64); DynamoDB Streams reads by Lambda are free
  local throughput                           ${result.journeysPerSecond} journeys/s (${run.seconds.toFixed(1)} s wall)
  long journey (never reacts, 1 year)        ${long.contacts} contacts; a decision reads ${long.first.units} unit(s) at the first contact, ${long.last.units} at the last (case item ${long.first.bytes} → ${long.last.bytes} bytes)

Lambda bundles (minified, from esbuild's metafile)
${formatBundleSizes(sizes)}
${misses.length ? `\nTARGETS MISSED:\n  ${misses.join('\n  ')}\n` : '  all targets met'}
`);
  const imported = await importSection();
  if (JSON_OUT) console.log(JSON.stringify({ ...result, ...imported }));
  process.exit(misses.length ? 1 : 0);
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The import section's fields for the --json line (none when BENCH_IMPORT_ROWS=0). */
async function importSection(): Promise<{ importRowsPerSecond?: number; importRows?: number }> {
  const r = await importBench();
  return r ? { importRowsPerSecond: r.importRowsPerSecond, importRows: r.importRows } : {};
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
