/**
 * The learning counters: KPIs per scope (the agency "*" or a creditor) and day, and experiment counters per
 * variant and exposure day. Written with atomic ADDs as events happen (services/learning.ts), read by the reports
 * (functions/reports/) with a bounded number of GetItems/one Query per experiment — never a scan, never a query
 * over debtors.
 *
 * | item                 | PK                         | SK                             |
 * |----------------------|----------------------------|--------------------------------|
 * | KPI counters         | KPI#<creditor>#<YYYY-MM-DD> | S#<shard>                     |
 * | experiment counters  | EXP#<experimentId>         | V#<variant>#<YYYY-MM-DD>#<shard> |
 *
 * Sharding: a busy creditor's day takes thousands of ADDs within minutes (the morning's sends); the debtor's
 * hash spreads them over KPI_SHARDS items (default 4) so no single item gets hot; a report reads all shards.
 * Attributes: `<group>|<metric>` numbers (domain/outcomes/kpis.ts names them), and `~<group>|<metric>` the agency's
 * corrections. Only creditors' items are written (one UpdateItem per creditor and day an event touches); the agency's
 * view is read as the sum over every client (the `CLIENTS` item, store/clients.ts) and the `-` scope: clients × days ×
 * shards keys by BatchGetItem, 100 a request — bounded by the creditors and the days asked, never by debtors.
 */
import { BatchGetCommand, type BatchGetCommandOutput, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AGENCY_SCOPE, type ExperimentIncrement, type KpiIncrement, NO_CREDITOR_SCOPE, viewOf } from '../domain/outcomes/kpis.js';
import { clientIds } from './clients.js';
import type { VariantDay } from '../domain/experiments/counts.js';
import { dynamo, tableName } from '../shared/aws.js';
import { hashed } from './keys.js';

export const kpiShards = (): number => Math.max(1, Math.min(32, Number(process.env.KPI_SHARDS ?? 4) || 4));
const shardOf = (caseId: string, shards = kpiShards()): number => parseInt(hashed(caseId).slice(0, 8), 16) % shards;

export const learningKey = {
  kpi: (scope: string, day: string, shard: number) => ({ PK: `KPI#${scope}#${day}`, SK: `S#${shard}` }),
  experiment: (experimentId: string, variant: string, day: string, shard: number) => ({ PK: `EXP#${experimentId}`, SK: `V#${variant}#${day}#${shard}` }),
};

async function addTo(key: { PK: string; SK: string }, add: Record<string, number>, extra: Record<string, string> = {}): Promise<void> {
  const entries = Object.entries(add).filter(([, n]) => n !== 0);
  if (!entries.length) return;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts = entries.map(([attr, n], i) => {
    names[`#a${i}`] = attr;
    values[`:a${i}`] = n;
    return `#a${i} :a${i}`;
  });
  const sets = Object.entries(extra).map(([attr, v], i) => {
    names[`#s${i}`] = attr;
    values[`:s${i}`] = v;
    return `#s${i} = :s${i}`;
  });
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key,
      UpdateExpression: `${sets.length ? `SET ${sets.join(', ')} ` : ''}ADD ${parts.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/** Adds KPI increments of one case (one UpdateItem per scope and day). */
export async function addKpis(caseId: string, increments: readonly KpiIncrement[]): Promise<void> {
  const shard = shardOf(caseId);
  for (const inc of increments) await addTo(learningKey.kpi(inc.scope, inc.day, shard), inc.add);
}

export async function addExperimentCounts(caseId: string, increments: readonly ExperimentIncrement[]): Promise<void> {
  const shard = shardOf(caseId);
  for (const inc of increments) {
    await addTo(learningKey.experiment(inc.experimentId, inc.variant, inc.day, shard), inc.add as Record<string, number>, { variant: inc.variant, day: inc.day });
  }
}

/**
 * The KPI counters of one scope per day, all shards added up: a creditor's own items, or for the agency ("*") every
 * client's items and the `-` scope's, with the agency's corrections (domain/outcomes/kpis.ts viewOf).
 */
export async function readKpis(scope: string, days: readonly string[]): Promise<Map<string, Record<string, number>>> {
  const agency = scope === AGENCY_SCOPE;
  const scopes = agency ? [...(await clientIds()), NO_CREDITOR_SCOPE] : [scope];
  const shards = kpiShards();
  const keys = days.flatMap((day) => scopes.flatMap((sc) => Array.from({ length: shards }, (_, s) => learningKey.kpi(sc, day, s))));
  const byDay = new Map<string, Array<Record<string, unknown>>>();
  for (let i = 0; i < keys.length; i += 100) {
    let request: Record<string, { Keys: Array<Record<string, unknown>> }> | undefined = { [tableName()]: { Keys: keys.slice(i, i + 100) } };
    for (let attempt = 0; request && Object.keys(request).length; attempt++) {
      const res: BatchGetCommandOutput = await dynamo().send(new BatchGetCommand({ RequestItems: request }));
      for (const item of res.Responses?.[tableName()] ?? []) {
        const day = String(item.PK).split('#').at(-1)!;
        byDay.set(day, [...(byDay.get(day) ?? []), item]);
      }
      request = res.UnprocessedKeys && Object.keys(res.UnprocessedKeys).length ? (res.UnprocessedKeys as typeof request) : undefined;
      if (request && attempt >= 8) throw new Error('BatchGetItem left keys unprocessed');
    }
  }
  return new Map([...byDay.entries()].map(([day, items]) => [day, viewOf(items, agency)]));
}

/** One variant's counters on one exposure day, the shards added up (the results maths reads them). */
export type ExperimentDay = VariantDay;

/** Every counter item of an experiment (variants × days × shards: bounded), shards added up. */
export async function readExperimentDays(experimentId: string): Promise<ExperimentDay[]> {
  const byKey = new Map<string, ExperimentDay>();
  let start: Record<string, unknown> | undefined;
  do {
    const res = await dynamo().send(
      new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `EXP#${experimentId}` }, ExclusiveStartKey: start }),
    );
    for (const item of res.Items ?? []) {
      const variant = String(item.variant);
      const day = String(item.day);
      const k = `${variant}\u0000${day}`;
      const acc = byKey.get(k) ?? { variant, day, n: 0, reacted: 0, promised: 0, paid: 0, payers: 0, cents: 0, sq: 0 };
      for (const f of ['n', 'reacted', 'promised', 'paid', 'payers', 'cents', 'sq'] as const) acc[f] += Number(item[f] ?? 0);
      byKey.set(k, acc);
    }
    start = res.LastEvaluatedKey;
  } while (start);
  return [...byKey.values()].sort((a, b) => a.variant.localeCompare(b.variant) || a.day.localeCompare(b.day));
}
