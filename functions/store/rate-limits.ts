/**
 * Fixed-window request counters (`RATE#<sha256(bucket)>` / `W#<window start>`), one item per bucket and window,
 * removed by TTL. One UpdateItem per hit (ADD, the new count returned); a bucket is one address or one token, so no
 * request path touches a partition shared by everyone.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';
import { key } from './keys.js';

/** Counts a hit in `bucket`'s current window of `windowSeconds`; returns the count so far in this window. */
export async function countHit(bucket: string, now: Date, windowSeconds: number): Promise<number> {
  const windowStart = Math.floor(now.getTime() / 1000 / windowSeconds) * windowSeconds;
  const res = await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key.rate(bucket, windowStart),
      UpdateExpression: 'ADD hits :one SET expiresAt = if_not_exists(expiresAt, :exp)',
      ExpressionAttributeValues: { ':one': 1, ':exp': windowStart + 2 * windowSeconds },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(res.Attributes?.hits ?? 1);
}
