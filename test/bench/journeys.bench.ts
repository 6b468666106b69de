/**
 * `npm run bench`: a batch of journeys on the virtual clock, through the real ASL, handlers and SDKs.
 * Prints, per journey, the state transitions, Lambda invocations and DynamoDB requests it took, what that
 * costs on AWS at list prices, and how many journeys per second this machine runs locally.
 *
 * Then, as its own section on a fresh runtime, a 10,000-row CSV import (test/bench/import.bench.ts; rows per second).
 *
 *   BENCH_JOURNEYS=200 npm run bench
 *   BENCH_IMPORT_ROWS=2000 npm run bench     # a smaller import (0 skips it)
 *   npm run bench -- --json                  # the last line is one JSON object; `importRowsPerSecond` among its fields
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalRuntime } from '../../infra/local/runtime.js';
import { importBench } from './import.bench.js';

const JOURNEYS = Number(process.env.BENCH_JOURNEYS ?? 100);
const PAY_SHARE = 0.3; // this share pays half-way, the rest runs to hand-over

// List prices (eu-west-1, on-demand, 2026): Step Functions Standard, Lambda arm64, DynamoDB on-demand.
const PRICE = {
  sfnPerTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1_000_000,
  lambdaPerGbSecond: 0.0000133334,
  dynamoPerWrite: 0.705 / 1_000_000,
  dynamoPerRead: 0.1413 / 1_000_000,
};
const LAMBDA_MEMORY_GB = 0.25;
const WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-bench-'));
  const rt = await LocalRuntime.start({
    dataDir,
    port: 0,
    env: { MAATWERK_CLOCK: 'virtual', MAATWERK_CLOCK_START: '2026-03-02T08:00:00Z' },
    clients: [{ clientId: 'bench', name: 'Bench B.V.', apiKey: 'bench-key', agent: true }],
    quiet: true,
  });
  const post = (p: string, body: unknown) =>
    fetch(`${rt.apiUrl}${p}`, { method: 'POST', headers: { 'x-api-key': 'bench-key', 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  const baseline = { dynamo: { ...rt.dynamoRequests }, api: rt.api!.invocations, sfn: rt.sfn.stats() };
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const heapStart = process.memoryUsage().rss;
  const dossiers: string[] = [];
  for (let i = 0; i < JOURNEYS; i++) {
    const res = await post('/v1/dossiers', {
      reference: `B-${i}`,
      principal: 5_000 + i * 37,
      dueDate: '2026-02-01',
      debtor: {
        name: `Debtor ${i}`,
        email: `debtor${i}@example.invalid`,
        phone: `+316${String(10_000_000 + i).slice(-8)}`,
        consumer: true,
        address: { line1: `Straat ${i}`, postalCode: '1234 AB', city: 'Utrecht' },
      },
    });
    if (res.status !== 201) throw new Error(`create failed: ${JSON.stringify(res.body)}`);
    dossiers.push(res.body.dossierId);
  }
  await rt.advanceTo(Date.parse('2026-03-06T12:00:00Z'));
  for (let i = 0; i < JOURNEYS * PAY_SHARE; i++) await post(`/v1/dossiers/${dossiers[i]}/payments`, { amount: 5_000 + i * 37, reference: `P-${i}` });
  await rt.advanceTo(Date.parse('2026-07-01T12:00:00Z'));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);

  const sfn = rt.sfn.stats();
  const transitions = sfn.stateTransitions - baseline.sfn.stateTransitions;
  const stepLambdas = sfn.lambdaInvocations - baseline.sfn.lambdaInvocations;
  const apiLambdas = rt.api!.invocations - baseline.api;
  let reads = 0;
  let writes = 0;
  for (const [op, n] of Object.entries(rt.dynamoRequests)) {
    const delta = n - (baseline.dynamo[op] ?? 0);
    if (WRITE_OPS.has(op)) writes += delta;
    else if (op !== 'CreateTable' && op !== 'DescribeTable') reads += delta;
  }
  // Where the transitions go: states entered, over every execution's history.
  const byState: Record<string, number> = {};
  const list = (await rt.sfn.api('ListExecutions', { stateMachineArn: rt.stateMachineArn, maxResults: 1000 })) as { executions: Array<{ executionArn: string }> };
  for (const e of list.executions) {
    const hist = (await rt.sfn.api('GetExecutionHistory', { executionArn: e.executionArn, maxResults: 1000 })) as {
      events: Array<{ type: string; stateEnteredEventDetails?: { name: string } }>;
    };
    for (const ev of hist.events) if (ev.stateEnteredEventDetails) byState[ev.stateEnteredEventDetails.name] = (byState[ev.stateEnteredEventDetails.name] ?? 0) + 1;
  }
  const outbox = await rt.api!.outbox();
  const contacts = outbox.length;
  const lambdas = stepLambdas + apiLambdas;
  // Lambda duration is not measurable here (handlers share one process); assume 150 ms billed per call.
  const cost =
    transitions * PRICE.sfnPerTransition +
    lambdas * (PRICE.lambdaPerRequest + 0.15 * LAMBDA_MEMORY_GB * PRICE.lambdaPerGbSecond) +
    writes * PRICE.dynamoPerWrite +
    reads * PRICE.dynamoPerRead;
  const per = (n: number) => (n / JOURNEYS).toFixed(1);
  console.log(`
Maatwerk journey benchmark — ${JOURNEYS} journeys on the virtual clock (2 March → 1 July 2026), ${Math.round(PAY_SHARE * 100)}% pay after the first contacts
  contacts (messages, letters, call tasks)   ${contacts}  (${per(contacts)} per journey)
  state transitions                          ${transitions}  (${per(transitions)} per journey, ${(transitions / contacts).toFixed(2)} per contact; target ≤ 4)
      by state: ${Object.entries(byState).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / JOURNEYS).toFixed(1)}`).join(', ')} per journey
  Lambda invocations                         ${lambdas}  (${per(lambdas)} per journey: ${per(stepLambdas)} journey steps + ${per(apiLambdas)} API)
  DynamoDB requests                          ${reads + writes}  (${per(reads)} reads + ${per(writes)} writes per journey)
  AWS cost at list prices                    $${((cost / JOURNEYS) * 1000).toFixed(2)} per 1,000 journeys
      Step Functions $${((transitions * PRICE.sfnPerTransition) / JOURNEYS * 1000).toFixed(2)}, Lambda $${((lambdas * (PRICE.lambdaPerRequest + 0.15 * LAMBDA_MEMORY_GB * PRICE.lambdaPerGbSecond)) / JOURNEYS * 1000).toFixed(2)} (150 ms × 256 MB assumed), DynamoDB $${(((writes * PRICE.dynamoPerWrite) + reads * PRICE.dynamoPerRead) / JOURNEYS * 1000).toFixed(2)} (1 RRU/WRU per request)
  local throughput                           ${(JOURNEYS / seconds).toFixed(1)} journeys/s (${seconds.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, RSS +${Math.round((process.memoryUsage().rss - heapStart) / 1e6)} MB)
`);
  await rt.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });

  const imported = await importSection();
  if (process.argv.includes('--json')) console.log(JSON.stringify({ ...imported }));
  process.exit(0);
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
