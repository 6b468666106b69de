/**
 * The single DynamoDB table, defined once: the CDK stack (infra/aws) and the local runtime
 * (infra/local) both build the table from this description, so keys and indexes cannot drift.
 * Plain data only: no AWS imports here.
 */
export const TABLE = {
  /** Local default; on AWS the CDK stack lets CloudFormation name the table and passes TABLE_NAME. */
  defaultName: 'maatwerk',
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Epoch seconds after which DynamoDB TTL may delete an item (idempotency records, webhook dedupe). */
  ttlAttribute: 'expiresAt',
  indexes: [
    /** GSI1: a debtor's dossiers by status; open call tasks by due time; a client's items by time. */
    { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    /** GSI2: engagement events by experiment variant. */
    { name: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
  ],
  /**
   * The table's DynamoDB Stream and the learning-counter aggregator reading it (functions/counters/handler.ts): the
   * CDK stack (stream, event source mapping) and the local stream emulator (infra/local/streams/) both take it
   * from here. A write that records an event carries its counter increments in `countersAttribute`
   * (store/learning.ts encodeCounters); the filter lets only those records invoke the aggregator.
   */
  stream: {
    /** the new image carries the increments; the old one is never needed */
    viewType: 'NEW_IMAGE',
    countersAttribute: 'lrn',
    /** Lambda event filter (the event source mapping's FilterCriteria pattern; the local emulator matches the same) */
    filter: { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { lrn: { S: [{ exists: true }] } } } },
    /** records per invocation, and how long to gather them (the KPIs' lag on AWS) */
    batchSize: 500,
    maxBatchingWindowSeconds: 5,
    /** a failing batch: retried from the first failed record this often, then its position goes to the failure queue */
    retryAttempts: 5,
    bisectOnError: true,
    maxRecordAgeHours: 24,
    /** UpdateItems in flight at once within an invocation */
    writeConcurrency: 8,
  },
} as const;

export type IndexName = (typeof TABLE.indexes)[number]['name'];
