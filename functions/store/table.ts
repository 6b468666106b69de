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
} as const;

export type IndexName = (typeof TABLE.indexes)[number]['name'];
