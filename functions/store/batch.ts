/**
 * Unconditional writes of several items in one request (BatchWriteItem, up to 25): the timeline entries, the
 * provider-message look-up and the projections that follow a case write. Each item is idempotent (a fixed key
 * written with the same content), so a retried step or a redelivered webhook may write them again.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';

export type Item = Record<string, unknown> & { PK: string; SK: string };

export async function writeItems(items: readonly Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length; attempt++) {
      const res = await dynamo().send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }));
      requests = (res.UnprocessedItems?.[tableName()] ?? []) as typeof requests;
      if (requests.length === 0) break;
      if (attempt >= 8) throw new Error(`BatchWriteItem left ${requests.length} items unprocessed`);
      await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt) * Math.random()));
    }
  }
}
