/**
 * Counters: the DynamoDB Stream's aggregator for the learning counters (services/counters.ts). Invoked by the
 * event source mapping with batches of records whose new image carries counter increments (the mapping's filter,
 * functions/store/table.ts `TABLE.stream`); answers with a partial batch response, so a retry starts at the first
 * record that was not done. Locally the stream emulator (infra/local/streams/) invokes it the same way.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { now } from '../shared/clock.js';
import { logger } from '../shared/logger.js';
import { aggregateCounters } from '../services/counters.js';
import { COUNTERS_ATTR } from '../store/learning.js';

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const records = (event.Records ?? []).map((r) => {
    const value = r.dynamodb?.NewImage?.[COUNTERS_ATTR]?.S;
    return { sequenceNumber: r.dynamodb?.SequenceNumber ?? '', ...(value !== undefined ? { counters: value } : {}) };
  });
  try {
    const { failedFrom } = await aggregateCounters(records, now());
    return { batchItemFailures: failedFrom ? [{ itemIdentifier: failedFrom }] : [] };
  } catch (err) {
    // the markers could not be read or written, or failed ADDs could not be kept: the whole batch is retried (what
    // this attempt had marked counted is skipped then: at most once)
    logger.error('learning counter batch failed; retried from its first record', { records: records.length, errorName: (err as Error)?.name });
    return { batchItemFailures: records.length ? [{ itemIdentifier: records[0]!.sequenceNumber }] : [] };
  }
}
