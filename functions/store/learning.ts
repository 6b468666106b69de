/**
 * The learning counters: KPIs per scope (the agency "*" or a creditor) and day, and experiment counters per
 * variant and exposure day. The writes that record events carry their increments (`lrn`, encodeCounters); the stream
 * aggregator (functions/counters/handler.ts, services/counters.ts) adds a batch of them with one atomic ADD per
 * counter item (addCounters). Read by the reports
 * (functions/reports/) with a bounded number of GetItems/one Query per experiment — never a scan, never a query
 * over debtors.
 *
 * | item                 | PK                         | SK                             |
 * |----------------------|----------------------------|--------------------------------|
 * | KPI counters         | KPI#<creditor>#<YYYY-MM-DD> | S#<shard>                     |
 * | experiment counters  | EXP#<experimentId>         | V#<variant>#<YYYY-MM-DD>#<shard> |
 *
 * Sharding: the debtor's hash may spread a scope's day over KPI_SHARDS items (default 1: the stream aggregator
 * writes an item once per batch, so it does not get hot); a report reads all shards.
 * Attributes: `<group>|<metric>` numbers (domain/outcomes/kpis.ts names them), and `~<group>|<metric>` the agency's
 * corrections. Only creditors' items are written (one UpdateItem per creditor and day a batch touches); the agency's
 * view is read as the sum over every client (the `CLIENTS` item, store/clients.ts) and the `-` scope: clients × days ×
 * shards keys by BatchGetItem, 100 a request — bounded by the creditors and the days asked, never by debtors.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { BatchGetCommand, type BatchGetCommandOutput, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from '../shared/zod.js';
import type { CounterWrite } from '../domain/outcomes/counters.js';
import { AGENCY_SCOPE, type ExperimentIncrement, type KpiIncrement, NO_CREDITOR_SCOPE, viewOf } from '../domain/outcomes/kpis.js';
import { clientIds } from './clients.js';
import type { VariantDay } from '../domain/experiments/counts.js';
import { dynamo, tableName } from '../shared/aws.js';
import { hashed } from './keys.js';
import { writeItems } from './batch.js';
import { TABLE } from './table.js';

export type { CounterWrite };

/**
 * Counter items per scope and day (KPI_SHARDS, default 1). Sharding kept items cool when every event ADDed on its
 * own; now a batch of the stream makes one ADD per item, so one shard takes the whole day's traffic. Readers read
 * as many shards as writers use: change it only on an empty table.
 */
export const kpiShards = (): number => Math.max(1, Math.min(32, Number(process.env.KPI_SHARDS ?? 1) || 1));
const shardOf = (caseId: string, shards = kpiShards()): number => parseInt(hashed(caseId).slice(0, 8), 16) % shards;

export const learningKey = {
  kpi: (scope: string, day: string, shard: number) => ({ PK: `KPI#${scope}#${day}`, SK: `S#${shard}` }),
  experiment: (experimentId: string, variant: string, day: string, shard: number) => ({ PK: `EXP#${experimentId}`, SK: `V#${variant}#${day}#${shard}` }),
};

/** The counter writes of one case's increments: one per scope and day (KPIs) and per variant and day (experiments). */
export function counterWrites(caseId: string, kpis: readonly KpiIncrement[], experiments: readonly ExperimentIncrement[] = []): CounterWrite[] {
  const shard = shardOf(caseId);
  return [
    ...kpis.map((inc) => ({ ...learningKey.kpi(inc.scope, inc.day, shard), add: { ...inc.add } })),
    ...experiments.map((inc) => ({
      ...learningKey.experiment(inc.experimentId, inc.variant, inc.day, shard),
      add: { ...(inc.add as Record<string, number>) },
      set: { variant: inc.variant, day: inc.day },
    })),
  ].filter((w) => Object.values(w.add).some((n) => n !== 0));
}

/**
 * The attribute that carries a write's counter increments to the stream aggregator (TABLE.stream, the stream's
 * filter matches it): `<write id>` and the writes, as deflated JSON in base64 — a string, so every store (dynalite,
 * the in-process table) keeps it as it is; typically 200–600 bytes on the item.
 */
export const COUNTERS_ATTR = TABLE.stream.countersAttribute;

const nonEmpty = () => z.string().check(z.minLength(1));
// zod 4 numbers are finite (Infinity and NaN are refused).
const Payload = z.object({
  w: nonEmpty().check(z.maxLength(300)),
  u: z.array(z.tuple([nonEmpty(), nonEmpty(), z.record(z.string(), z.number()), z.optional(z.record(z.string(), z.string()))])).check(z.maxLength(2000)),
});

/** `writeId` names the change once (a case version, a sent step): a redelivered or repeated record is counted once. */
export function encodeCounters(writeId: string, writes: readonly CounterWrite[]): string | undefined {
  if (!writes.length) return undefined;
  const u = writes.map((w) => (w.set ? [w.PK, w.SK, w.add, w.set] : [w.PK, w.SK, w.add]));
  return deflateRawSync(Buffer.from(JSON.stringify({ w: writeId, u }))).toString('base64');
}

/** The write id and writes a record carries; throws on anything that is not what encodeCounters makes. */
export function decodeCounters(value: string): { writeId: string; writes: CounterWrite[] } {
  const p = Payload.parse(JSON.parse(inflateRawSync(Buffer.from(value, 'base64'), { maxOutputLength: 1 << 20 }).toString('utf8')));
  return { writeId: p.w, writes: p.u.map(([PK, SK, add, set]) => ({ PK, SK, add, ...(set ? { set } : {}) })) };
}

async function addTo(w: CounterWrite): Promise<void> {
  const entries = Object.entries(w.add).filter(([, n]) => n !== 0);
  if (!entries.length) return;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts = entries.map(([attr, n], i) => {
    names[`#a${i}`] = attr;
    values[`:a${i}`] = n;
    return `#a${i} :a${i}`;
  });
  const sets = Object.entries(w.set ?? {}).map(([attr, v], i) => {
    names[`#s${i}`] = attr;
    values[`:s${i}`] = v;
    return `#s${i} = :s${i}`;
  });
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: { PK: w.PK, SK: w.SK },
      UpdateExpression: `${sets.length ? `SET ${sets.join(', ')} ` : ''}ADD ${parts.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/**
 * One UpdateItem ADD per counter item (BatchWriteItem cannot ADD), `concurrency` at a time; the SDK retries
 * throttling. Returns the writes that still failed (nothing is thrown: the caller decides what a failure means).
 */
export async function addCounters(writes: readonly CounterWrite[], concurrency = 8): Promise<Array<{ write: CounterWrite; error: unknown }>> {
  const failed: Array<{ write: CounterWrite; error: unknown }> = [];
  let next = 0;
  const worker = async () => {
    while (next < writes.length) {
      const w = writes[next++]!;
      try {
        await addTo(w);
      } catch (error) {
        failed.push({ write: w, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, writes.length) }, worker));
  return failed;
}

/** Adds KPI increments of one case (one UpdateItem per scope and day) — what the aggregator does for a batch. */
export async function addKpis(caseId: string, increments: readonly KpiIncrement[]): Promise<void> {
  const failed = await addCounters(counterWrites(caseId, increments));
  if (failed.length) throw failed[0]!.error;
}

export async function addExperimentCounts(caseId: string, increments: readonly ExperimentIncrement[]): Promise<void> {
  const failed = await addCounters(counterWrites(caseId, [], increments));
  if (failed.length) throw failed[0]!.error;
}

/**
 * The aggregator's own items: a marker per write id it has counted (`LRNW#<write id>`, kept 2 days: longer than a
 * stream keeps a record, 24 h), and the writes of a batch whose ADDs failed, kept for its retry
 * (`LRNPEND#<first sequence number>`).
 */
const markerKey = (writeId: string) => ({ PK: `LRNW#${writeId}`, SK: 'LRNW' });
const pendingKey = (batchId: string) => ({ PK: `LRNPEND#${batchId}`, SK: 'LRNPEND' });
export const MARKER_TTL_S = 2 * 86_400;

/** Which of these write ids were counted already (BatchGetItem, 100 a request). */
export async function countedWriteIds(writeIds: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  const ids = [...new Set(writeIds)];
  for (let i = 0; i < ids.length; i += 100) {
    let request: Record<string, { Keys: Array<Record<string, unknown>>; ProjectionExpression: string; ConsistentRead: boolean }> | undefined = {
      // strongly consistent: a retry right after an attempt must see the markers that attempt wrote
      [tableName()]: { Keys: ids.slice(i, i + 100).map(markerKey), ProjectionExpression: 'PK', ConsistentRead: true },
    };
    for (let attempt = 0; request && Object.keys(request).length; attempt++) {
      const res: BatchGetCommandOutput = await dynamo().send(new BatchGetCommand({ RequestItems: request }));
      for (const item of res.Responses?.[tableName()] ?? []) found.add(String(item.PK).slice('LRNW#'.length));
      request = res.UnprocessedKeys && Object.keys(res.UnprocessedKeys).length ? (res.UnprocessedKeys as typeof request) : undefined;
      if (request && attempt >= 8) throw new Error('BatchGetItem left keys unprocessed');
      if (request) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt) * Math.random()));
    }
  }
  return found;
}

/** Marks write ids as counted (BatchWriteItem, 25 a request). */
export async function markCounted(writeIds: readonly string[], nowMs: number): Promise<void> {
  const expiresAt = Math.floor(nowMs / 1000) + MARKER_TTL_S;
  await writeItems([...new Set(writeIds)].map((id) => ({ ...markerKey(id), [TABLE.ttlAttribute]: expiresAt })));
}

/** Keeps a batch's failed writes for its retry (replacing what an earlier attempt kept). */
export async function savePending(batchId: string, writes: readonly CounterWrite[]): Promise<void> {
  await dynamo().send(new PutCommand({ TableName: tableName(), Item: { ...pendingKey(batchId), writes: encodeCounters(batchId, writes) } }));
}

/** The writes kept for a batch's retry, if any. */
export async function pendingWrites(batchId: string): Promise<CounterWrite[] | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: pendingKey(batchId), ConsistentRead: true }));
  return typeof res.Item?.writes === 'string' ? decodeCounters(res.Item.writes).writes : undefined;
}

export async function dropPending(batchId: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: tableName(), Key: pendingKey(batchId) }));
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
