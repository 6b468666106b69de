/**
 * The learning counters' stream aggregator: a batch of stream records — writes that recorded events and carry what
 * the counters must add (store/learning.ts encodeCounters) — becomes one ADD per counter item (the sum over the batch,
 * domain/outcomes/counters.ts), however many debtors' changes the batch holds.
 *
 * Guarantee: each write's increments are added at most once, and exactly once unless the aggregator dies between
 * marking a batch's writes counted and finishing its ADDs. In order:
 *  1. records are read; one that cannot be read is reported failed (the stream retries from it, and in the end puts
 *     its position in the failure queue), every other is counted now (the retry skips them: step 2);
 *  2. write ids counted before are skipped (a marker per write id, `LRNW#…`, looked up with one BatchGetItem per
 *     100): a redelivered batch, a retried one, and a write carrying an id it carried before count once;
 *  3. the new write ids are marked (BatchWriteItem, 25 a request), then
 *  4. the batch's sums are ADDed, one UpdateItem per counter item, a few at a time. ADDs that still fail after the
 *     SDK's retries are kept for the batch's retry (`LRNPEND#<first sequence number>`) and the batch is reported
 *     failed from its first record: the retry (whose records are all marked) adds only what was kept.
 * Two invocations with the same record at the same moment could both count it: the stream hands a shard's batches to
 * one invocation at a time, so only an exceptional duplicate delivery can do that.
 */
import { type CounterWrite, sumCounterWrites } from '../domain/outcomes/counters.js';
import { logger } from '../shared/logger.js';
import { addCounters, countedWriteIds, decodeCounters, dropPending, markCounted, pendingWrites, savePending } from '../store/learning.js';
import { TABLE } from '../store/table.js';

export interface CounterRecord {
  /** the stream record's sequence number (the partial batch response names records by it) */
  sequenceNumber: string;
  /** the written item's counters attribute (its string value), if it has one */
  counters?: string;
}

export interface AggregateOutcome {
  /** the first record to retry (every later one is retried too); none: the whole batch is done */
  failedFrom?: string;
  /** write ids counted now, and those skipped as counted before */
  counted: number;
  skipped: number;
  /** counter items written */
  items: number;
}

export async function aggregateCounters(records: readonly CounterRecord[], now: Date): Promise<AggregateOutcome> {
  const read: Array<{ sequenceNumber: string; writeId: string; writes: CounterWrite[] }> = [];
  let failedFrom: string | undefined;
  for (const r of records) {
    if (r.counters === undefined) continue; // nothing to add (the stream's filter lets few such records through)
    try {
      read.push({ sequenceNumber: r.sequenceNumber, ...decodeCounters(r.counters) });
    } catch (err) {
      logger.error('a stream record with learning counters could not be read; it is retried and then goes to the failure queue', {
        sequenceNumber: r.sequenceNumber,
        errorName: (err as Error)?.name,
      });
      failedFrom ??= r.sequenceNumber;
    }
  }
  const outcome: AggregateOutcome = { ...(failedFrom ? { failedFrom } : {}), counted: 0, skipped: 0, items: 0 };
  if (!read.length) return outcome;

  const batchId = records[0]!.sequenceNumber;
  const seen = await countedWriteIds(read.map((r) => r.writeId));
  const fresh = new Map<string, CounterWrite[]>();
  for (const r of read) if (!seen.has(r.writeId) && !fresh.has(r.writeId)) fresh.set(r.writeId, r.writes);
  outcome.counted = fresh.size;
  outcome.skipped = read.length - fresh.size;
  // a retry of a batch whose ADDs failed starts with that batch's first record, which is counted already
  const kept = seen.has(read[0]!.writeId) ? await pendingWrites(batchId) : undefined;

  if (fresh.size) await markCounted([...fresh.keys()], now.getTime());
  const writes = sumCounterWrites([...(kept ?? []), ...[...fresh.values()].flat()]);
  const failed = await addCounters(writes, TABLE.stream.writeConcurrency);
  outcome.items = writes.length - failed.length;
  if (failed.length) {
    await savePending(batchId, failed.map((f) => f.write));
    logger.error('learning counter ADDs failed; kept for the retry of their batch', { items: failed.length, errorName: (failed[0]!.error as Error)?.name });
    return { ...outcome, failedFrom: batchId };
  }
  if (kept) await dropPending(batchId);
  return outcome;
}
