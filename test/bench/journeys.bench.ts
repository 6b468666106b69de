/**
 * `npm run bench` (`-- --json` for one JSON object as the last line): journeys on the virtual clock, through the
 * real ASL, handlers and SDKs, counted the way AWS bills them.
 *
 *  1. A portfolio: BENCH_JOURNEYS debtors (default 100), 30% of whom pay after the first contacts. Per journey: the
 *     contacts, state transitions (by state), Lambda invocations, DynamoDB requests and the capacity units they
 *     consumed (DynamoDB's own ReturnConsumedCapacity), journey timers, and the cost at list prices — Lambda at
 *     each function's configured memory for the handler time measured here.
 *     The same portfolio again with the providers' delivery statuses, as they come in production (`withStatuses` in
 *     --json): Twilio's signed status callbacks for every SMS/WhatsApp message, SendGrid's signed event batches for
 *     every email (scriptStatuses below). A status bumps the case's eventSeq, so the plan a sending step made for its
 *     next step is stale at its moment: the figures show where the extra requests go, and how many claims were
 *     refused and decided again. No target applies to this scenario.
 *  2. A long journey: one debtor who never reacts, a year under a strategy with 30+ contacts, and what a decision
 *     costs to read (the case item, strongly consistent) at its first and at its last contact: bounded state
 *     means the last costs at most one unit more than the first.
 *  3. An import, as its own section on a fresh runtime: a CSV of BENCH_IMPORT_ROWS claims (default 10,000; 0 skips
 *     it) through POST /v1/dossiers/batch (test/bench/import.bench.ts; rows per second, `importRowsPerSecond`).
 *
 *  3. The Lambda bundles: every function bundled as `cdk synth` bundles it, each bundle's size from esbuild's
 *     metafile against its budget (infra/aws/functions.ts), reported as `bundles` ({ <function>: bytes }).
 *
 * Targets (the run fails when one is missed), of the portfolio without statuses: DynamoDB requests per journey ≤ 25
 * (the journey's and the learning counters' stream aggregator's, amortised over its batches), no counter UpdateItem
 * on the request path, state transitions per contact ≤ 3.0; lastDecisionReadUnits ≤ firstDecisionReadUnits + 1, every
 * bundle within its budget (250 KB; the letter function 400 KB; the sending steps 300 KB, infra/aws/functions.ts says
 * why). The statuses scenario only has to run as scripted (every status webhook answered 2xx).
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
import { counterUpdatesOutsideAggregator, dynamo, dynamoConditionFailuresByFunction, dynamoRequestsByFunction, dynamoRequestsByPurpose, dynamoUsage, tableName } from '../../functions/shared/aws.js';
import { JOURNEY_FUNCTIONS } from '../../infra/local/journey-functions.js';
import type { ProviderRecord } from '../../infra/local/fakes/store.js';
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

/** What the Decide function was asked, per kind: its state, a timer's wake-up, a sending step's plan or decision now. */
type DecideKinds = { state: number; wake: number; plan: number; now: number };

/** The Decide handler, counting what it is asked (the step's questions arrive through the Lambda Invoke stand-in). */
function countingDecide(kinds: DecideKinds) {
  return (event: unknown) => {
    const e = event as { wake?: unknown; decide?: { kind?: string } } | undefined;
    if (e?.wake) kinds.wake++;
    else if (e?.decide) kinds[e.decide.kind === 'plan' ? 'plan' : 'now']++;
    else kinds.state++;
    return JOURNEY_FUNCTIONS.DecideFunctionArn!(event);
  };
}

async function startRuntime(env: Record<string, string> = {}, decideKinds?: DecideKinds) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-bench-'));
  const rt = await LocalRuntime.start({
    dataDir,
    port: 0,
    env: { MAATWERK_CLOCK: 'virtual', MAATWERK_CLOCK_START: '2026-03-02T08:00:00Z', ...env },
    clients: [{ clientId: 'bench', name: 'Bench B.V.', apiKey: 'bench-key', agent: true }],
    quiet: true,
    ...(decideKinds ? { handlers: { journey: { DecideFunctionArn: countingDecide(decideKinds) } } } : {}),
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
  conditionFailures: Record<string, number>;
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
    conditionFailures: { ...dynamoConditionFailuresByFunction },
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
  const diff = (x: Record<string, number>, y: Record<string, number>) => Object.fromEntries(Object.entries(y).map(([k, n]) => [k, n - (x[k] ?? 0)]).filter(([, n]) => (n as number) > 0)) as Record<string, number>;
  const byFunction = diff(a.byFunction, b.byFunction);
  /** requests DynamoDB refused on their condition, per function and command (counted in `requests` too) */
  const conditionFailures = diff(a.conditionFailures, b.conditionFailures);
  return { requests, byPurpose, byFunction, conditionFailures, counterUpdatesOnRequestPath, readUnits, writeUnits, transitions, timers, apiRequests, lambda, usd, totalUsd: Object.values(usd).reduce((s, x) => s + x, 0) };
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

/**
 * The providers' delivery statuses, scripted the way they come in production (the second scenario): every SMS gets
 * Twilio's 'sent' and, a minute or two later, 'delivered'; a WhatsApp message 'sent', 'delivered' and for 60% 'read'
 * within hours; every email a SendGrid 'delivered' within the minute and for 40% an 'open' within a day, posted in
 * SendGrid's way: one signed batch per 30 s of events. Letters get none (the print service reports nothing). Through
 * the real signed webhooks (the fakes' deliverStatus / sendgridEvents), at a time drawn from the message (its
 * recipient and moment: the same each run).
 */
interface StatusScript {
  posted: Record<string, number>;
  /** webhook posts (a SendGrid batch is one) */
  posts: number;
  failed: number;
}

function scriptStatuses(rt: LocalRuntime): StatusScript {
  const script: StatusScript = { posted: {}, posts: 0, failed: 0 };
  const batches = new Map<number, Array<{ id: string; event: string }>>();
  const count = (what: string) => (script.posted[what] = (script.posted[what] ?? 0) + 1);
  const post = (work: () => Promise<void>) =>
    work().then(
      () => void script.posts++,
      (err: unknown) => {
        script.failed++;
        console.error('status webhook failed', (err as Error)?.message);
      },
    );
  const twilio = (r: ProviderRecord, status: 'sent' | 'delivered' | 'read', afterMs: number) => {
    rt.clock.schedule(rt.clock.now() + afterMs, () => {
      count(`${r.channel} ${status}`);
      return post(() => rt.fakes.deliverStatus(r.id, status));
    });
  };
  const sendgrid = (r: ProviderRecord, event: 'delivered' | 'open', afterMs: number) => {
    const at = Math.ceil((rt.clock.now() + afterMs) / 30_000) * 30_000;
    let batch = batches.get(at);
    if (!batch) {
      const events: Array<{ id: string; event: string }> = [];
      batch = events;
      batches.set(at, events);
      rt.clock.schedule(at, () => {
        batches.delete(at);
        for (const e of events) count(`email ${e.event}`);
        return post(() => rt.fakes.sendgridEvents(events.map((e) => rt.fakes.sendgridEventFor(e.id, e.event))));
      });
    }
    batch.push({ id: r.id, event });
  };
  rt.fakes.onAccepted((r) => {
    const u = (salt: string) => unit(`${r.channel}|${r.to}|${r.receivedAt}|${salt}`);
    const between = (salt: string, fromMs: number, toMs: number) => Math.round(fromMs + u(salt) * (toMs - fromMs));
    if (r.channel === 'sms') {
      twilio(r, 'sent', between('sent', 1_000, 5_000));
      twilio(r, 'delivered', between('delivered', 20_000, 120_000));
    } else if (r.channel === 'whatsapp') {
      twilio(r, 'sent', between('sent', 1_000, 3_000));
      twilio(r, 'delivered', between('delivered', 5_000, 60_000));
      if (u('read?') < 0.6) twilio(r, 'read', between('read', 5 * 60_000, 6 * 3600_000));
    } else if (r.channel === 'email') {
      sendgrid(r, 'delivered', between('delivered', 2_000, 60_000));
      if (u('open?') < 0.4) sendgrid(r, 'open', between('open', 10 * 60_000, 24 * 3600_000));
    }
  });
  return script;
}

/** A number in [0, 1) drawn from a string (FNV-1a): the same message gets the same statuses each run. */
function unit(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h / 2 ** 32;
}

async function portfolio(opts: { statuses?: boolean } = {}) {
  const decideKinds: DecideKinds = { state: 0, wake: 0, plan: 0, now: 0 };
  const { rt, post, stop } = await startRuntime({}, decideKinds);
  const statuses = opts.statuses ? scriptStatuses(rt) : undefined;
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
  const outbox = await rt.api!.outbox();
  const contacts = outbox.length;
  const contactsByChannel: Record<string, number> = {};
  for (const m of outbox) contactsByChannel[m.channel] = (contactsByChannel[m.channel] ?? 0) + 1;
  const streamRecords = rt.streams.stats.records;
  await stop();
  return { seconds, used, byState, contacts, contactsByChannel, streamRecords, decideKinds, statuses };
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

type Run = Awaited<ReturnType<typeof portfolio>>;

const CHANNEL_STEPS = ['SendEmail', 'SendSms', 'SendWhatsapp', 'SendLetter', 'CallTask'];
const sortedPer = (m: Record<string, number>, per: (n: number) => number) =>
  Object.fromEntries(Object.entries(m).sort(([, x], [, y]) => Math.abs(y) - Math.abs(x)).map(([k, n]) => [k, round(per(n))]).filter(([, n]) => n !== 0));

/** A portfolio run's figures per journey (both scenarios). */
function figures(run: Run) {
  const { used, contacts } = run;
  const per = (n: number) => n / JOURNEYS;
  const lambdaInvocations = Object.values(used.lambda).reduce((s, l) => s + l.invocations, 0);
  return {
    contactsPerJourney: round(per(contacts)),
    transitionsPerContact: round(used.transitions / contacts),
    transitionsPerJourney: round(per(used.transitions)),
    transitionsByStatePerJourney: Object.fromEntries(Object.entries(run.byState).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(per(v))])),
    lambdaInvocationsPerJourney: round(per(lambdaInvocations)),
    lambdaPerJourney: Object.fromEntries(Object.entries(used.lambda).map(([fn, l]) => [fn, { invocations: round(per(l.invocations)), msPerInvocation: round(l.ms / Math.max(1, l.invocations)) }])),
    /** what the Decide function was asked: the Decide state, a timer's wake-up, a sending step's next plan, a step's decision now */
    decideQuestionsPerJourney: Object.fromEntries(Object.entries(run.decideKinds).map(([k, n]) => [k, round(per(n))])) as DecideKinds,
    ddbRequestsPerJourney: round(per(used.requests)),
    ddbRequestsByPurposePerJourney: { journey: round(per(used.byPurpose.journey)), counterAggregator: round(per(used.byPurpose.counterAggregator)) },
    /** "<function> <command>" → requests per journey (what to look at when the request target is missed) */
    ddbRequestsByFunctionPerJourney: sortedPer(used.byFunction, per),
    /** of those, the requests DynamoDB refused on their condition (a refused claim: "SendEmail UpdateItemCommand") */
    ddbConditionFailuresByFunctionPerJourney: sortedPer(used.conditionFailures, per),
    /** UpdateItems on KPI#/EXP# counter items made by anything but the stream aggregator (target 0) */
    counterUpdatesOnRequestPath: used.counterUpdatesOnRequestPath,
    counterBatches: { invocations: used.lambda.Counters?.invocations ?? 0, recordsPerInvocation: round(run.streamRecords / Math.max(1, used.lambda.Counters?.invocations ?? 0)) },
    ddbReadUnitsPerJourney: round(per(used.readUnits)),
    ddbWriteUnitsPerJourney: round(per(used.writeUnits)),
    timersPerJourney: round(per(used.timers)),
    costPer1000JourneysUsd: round((used.totalUsd / JOURNEYS) * 1000, 4),
    costPer1000JourneysByServiceUsd: Object.fromEntries(Object.entries(used.usd).map(([k, v]) => [k, round((v / JOURNEYS) * 1000, 4)])),
    journeysPerSecond: round(JOURNEYS / run.seconds),
  };
}

/**
 * The stale plans: a sending step whose planned action's `seenEventSeq` is no longer the case's (a status came since
 * the plan was made) has its claim refused, reads the case, asks Decide for the decision now, and then either claims
 * again and sends (the same channel) or ends its wait into Route (another channel, or a wait).
 */
function stalePlans(run: Run) {
  const per = (n: number) => n / JOURNEYS;
  const refused = Object.entries(run.used.conditionFailures)
    .filter(([k]) => CHANNEL_STEPS.some((fn) => k === `${fn} UpdateItemCommand` || k === `${fn} UpdateCommand`))
    .reduce((s, [, n]) => s + n, 0);
  const stepInvocations = CHANNEL_STEPS.reduce((s, fn) => s + (run.used.lambda[fn]?.invocations ?? 0), 0);
  // every channel step sends at most once (no faults here): the steps that did not send were sent on elsewhere
  const rerouted = stepInvocations - run.contacts;
  return {
    refusedClaimsPerJourney: round(per(refused)),
    /** refused claims per step that sent */
    refusedClaimsPerSend: round(refused / Math.max(1, run.contacts)),
    redecidedPerJourney: round(per(run.decideKinds.now)),
    sentAtOncePerJourney: round(per(refused - rerouted)),
    reroutedPerJourney: round(per(rerouted)),
  };
}

async function main() {
  const run = await portfolio();
  const withStatusesRun = await portfolio({ statuses: true });
  const long = await longJourney();
  const sizes = await bundleSizes();
  const { used, contacts } = run;
  const result = {
    journeys: JOURNEYS,
    ...figures(run),
    longJourney: {
      contacts: long.contacts,
      firstDecisionReadUnits: long.first.units,
      lastDecisionReadUnits: long.last.units,
      caseItemBytes: { first: long.first.bytes, last: long.last.bytes },
    },
    bundles: sizes.bundles,
  };
  const lambdaInvocations = Object.values(used.lambda).reduce((s, l) => s + l.invocations, 0);

  // The second scenario: the same portfolio with the providers' delivery statuses. No target applies to it.
  const w = withStatusesRun;
  const wf = figures(w);
  const perW = (n: number) => n / JOURNEYS;
  const script = w.statuses!;
  const statusesPosted = Object.values(script.posted).reduce((s, n) => s + n, 0);
  const extraByFunction: Record<string, number> = {};
  for (const k of new Set([...Object.keys(w.used.byFunction), ...Object.keys(used.byFunction)])) extraByFunction[k] = (w.used.byFunction[k] ?? 0) - (used.byFunction[k] ?? 0);
  const withStatuses = {
    note: 'the providers report delivery statuses as in production; no target applies (the targets are for the scenario without statuses)',
    ...wf,
    contactsByChannelPerJourney: Object.fromEntries(Object.entries(w.contactsByChannel).map(([k, n]) => [k, round(perW(n))])),
    /** "<channel> <status>" → statuses posted per journey (a SendGrid batch carries several) */
    statusesPerJourney: Object.fromEntries(Object.entries(script.posted).sort().map(([k, n]) => [k, round(perW(n))])),
    statusWebhookPostsPerJourney: round(perW(script.posts)),
    stalePlans: stalePlans(w),
    /** this scenario minus the one without statuses, per journey */
    extra: {
      ddbRequestsPerJourney: round(wf.ddbRequestsPerJourney - result.ddbRequestsPerJourney),
      ddbRequestsByFunctionPerJourney: sortedPer(extraByFunction, perW),
      lambdaInvocationsPerJourney: round(wf.lambdaInvocationsPerJourney - result.lambdaInvocationsPerJourney),
      transitionsPerJourney: round(wf.transitionsPerJourney - result.transitionsPerJourney),
      costPer1000JourneysUsd: round(wf.costPer1000JourneysUsd - result.costPer1000JourneysUsd, 4),
    },
  };

  const misses = [
    result.ddbRequestsPerJourney > TARGETS.ddbRequestsPerJourney ? `DynamoDB requests per journey ${result.ddbRequestsPerJourney} > ${TARGETS.ddbRequestsPerJourney}` : undefined,
    result.counterUpdatesOnRequestPath > 0 ? `the request path made ${result.counterUpdatesOnRequestPath} counter UpdateItems (the stream aggregator should make them all)` : undefined,
    result.transitionsPerContact > TARGETS.transitionsPerContact ? `transitions per contact ${result.transitionsPerContact} > ${TARGETS.transitionsPerContact}` : undefined,
    long.last.units > long.first.units + TARGETS.readUnitsGrowth ? `last decision reads ${long.last.units} units, first ${long.first.units}` : undefined,
    long.contacts < 30 ? `the long journey made only ${long.contacts} contacts` : undefined,
    // not a target: the statuses scenario only has to have run as scripted
    script.failed > 0 ? `the statuses scenario: ${script.failed} status webhook(s) failed` : undefined,
    statusesPosted === 0 ? 'the statuses scenario posted no status' : undefined,
    ...sizes.overBudget.map((line) => `bundle over budget: ${line}`),
  ].filter((m): m is string => m !== undefined);

  const fmt = (m: Record<string, number>, signed = false, n = 10) => Object.entries(m).slice(0, n).map(([k, v]) => `${k} ${signed && v > 0 ? '+' : ''}${v}`).join(', ');
  const sp = withStatuses.stalePlans;
  console.log(`
Maatwerk journey benchmark — ${JOURNEYS} journeys on the virtual clock (2 March → 1 July 2026), ${Math.round(PAY_SHARE * 100)}% pay after the first contacts
  contacts (messages, letters, call tasks)   ${contacts}  (${result.contactsPerJourney} per journey)
  state transitions                          ${used.transitions}  (${result.transitionsPerJourney} per journey, ${result.transitionsPerContact} per contact; target ≤ ${TARGETS.transitionsPerContact})
      by state: ${Object.entries(result.transitionsByStatePerJourney).map(([k, v]) => `${k} ${v}`).join(', ')} per journey
  Lambda invocations                         ${lambdaInvocations}  (${result.lambdaInvocationsPerJourney} per journey: ${Object.entries(result.lambdaPerJourney).map(([fn, l]) => `${fn} ${l.invocations} × ${l.msPerInvocation} ms`).join(', ')})
      Decide was asked: ${Object.entries(result.decideQuestionsPerJourney).map(([k, v]) => `${k} ${v}`).join(', ')} per journey
  journey timers (EventBridge Scheduler)     ${used.timers}  (${result.timersPerJourney} per journey)
  DynamoDB requests                          ${used.requests}  (${result.ddbRequestsPerJourney} per journey; target ≤ ${TARGETS.ddbRequestsPerJourney}: the journey ${result.ddbRequestsByPurposePerJourney.journey}, the counters' stream aggregator ${result.ddbRequestsByPurposePerJourney.counterAggregator}); ${result.ddbReadUnitsPerJourney} read + ${result.ddbWriteUnitsPerJourney} write units per journey
  learning counters                          ${result.counterBatches.invocations} stream batches (${result.counterBatches.recordsPerInvocation} records each); counter UpdateItems on the request path: ${result.counterUpdatesOnRequestPath}
  AWS cost at list prices                    $${result.costPer1000JourneysUsd.toFixed(2)} per 1,000 journeys (${Object.entries(result.costPer1000JourneysByServiceUsd).map(([k, v]) => `${k} $${v.toFixed(3)}`).join(', ')})
      Lambda: measured handler time here, priced at each function's configured memory (arm64); DynamoDB Streams reads by Lambda are free
  local throughput                           ${result.journeysPerSecond} journeys/s (${run.seconds.toFixed(1)} s wall)
  long journey (never reacts, 1 year)        ${long.contacts} contacts; a decision reads ${long.first.units} unit(s) at the first contact, ${long.last.units} at the last (case item ${long.first.bytes} → ${long.last.bytes} bytes)

The same portfolio with delivery statuses, as the providers report them in production (no target applies: the targets above are for the portfolio without them)
  statuses posted                            ${statusesPosted}  (${Object.entries(withStatuses.statusesPerJourney).map(([k, v]) => `${k} ${v}`).join(', ')} per journey; ${withStatuses.statusWebhookPostsPerJourney} signed webhook posts per journey)
  contacts                                   ${w.contacts}  (${wf.contactsPerJourney} per journey: ${Object.entries(withStatuses.contactsByChannelPerJourney).map(([k, v]) => `${k} ${v}`).join(', ')})
  state transitions                          ${w.used.transitions}  (${wf.transitionsPerJourney} per journey, ${wf.transitionsPerContact} per contact; ${withStatuses.extra.transitionsPerJourney >= 0 ? '+' : ''}${withStatuses.extra.transitionsPerJourney})
      by state: ${Object.entries(wf.transitionsByStatePerJourney).map(([k, v]) => `${k} ${v}`).join(', ')} per journey
  Lambda invocations                         ${wf.lambdaInvocationsPerJourney} per journey (${withStatuses.extra.lambdaInvocationsPerJourney >= 0 ? '+' : ''}${withStatuses.extra.lambdaInvocationsPerJourney}: ${Object.entries(wf.lambdaPerJourney).map(([fn, l]) => `${fn} ${l.invocations}`).join(', ')})
      Decide was asked: ${Object.entries(wf.decideQuestionsPerJourney).map(([k, v]) => `${k} ${v}`).join(', ')} per journey
  DynamoDB requests                          ${wf.ddbRequestsPerJourney} per journey (+${withStatuses.extra.ddbRequestsPerJourney}); ${wf.ddbReadUnitsPerJourney} read + ${wf.ddbWriteUnitsPerJourney} write units
      more than without statuses: ${fmt(withStatuses.extra.ddbRequestsByFunctionPerJourney, true)}
      refused on their condition: ${fmt(wf.ddbConditionFailuresByFunctionPerJourney) || 'none'}
  stale plans                                ${sp.refusedClaimsPerJourney} refused claims per journey (${sp.refusedClaimsPerSend} per send); Decide asked for the decision now ${sp.redecidedPerJourney}; then sent at once ${sp.sentAtOncePerJourney}, sent on through Route ${sp.reroutedPerJourney}
  AWS cost at list prices                    $${wf.costPer1000JourneysUsd.toFixed(2)} per 1,000 journeys (${withStatuses.extra.costPer1000JourneysUsd >= 0 ? '+' : ''}$${withStatuses.extra.costPer1000JourneysUsd.toFixed(3)}; ${Object.entries(wf.costPer1000JourneysByServiceUsd).map(([k, v]) => `${k} $${v.toFixed(3)}`).join(', ')})
  local throughput                           ${wf.journeysPerSecond} journeys/s (${w.seconds.toFixed(1)} s wall)

Lambda bundles (minified, from esbuild's metafile)
${formatBundleSizes(sizes)}
${misses.length ? `\nTARGETS MISSED:\n  ${misses.join('\n  ')}\n` : '  all targets met'}
`);
  const imported = await importSection();
  if (JSON_OUT) console.log(JSON.stringify({ ...result, withStatuses, ...imported }));
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
