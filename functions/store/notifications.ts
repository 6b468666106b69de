/**
 * Creditor notifications (functions/notifications/): a client's webhook registration (`CLIENT#<id>` / `WEBHOOK`,
 * one item in the client's own partition) and the outbox — one item per notification (`NOTIFY#<id>` / `NOTIFY`),
 * written once with a conditional put (the same fact written again finds it), then delivered attempt by attempt:
 * each attempt is claimed with one conditional update (`attempts` = the attempt before), so a schedule that fires
 * twice delivers once.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { NotificationBody } from '../domain/notifications.js';
import { dynamo, tableName } from '../shared/aws.js';
import { isConditionFailed, key, strip } from './keys.js';

export interface WebhookRegistration {
  clientId: string;
  url: string;
  secret: string;
  createdAt: string;
  updatedAt: string;
}

export async function getWebhook(clientId: string): Promise<WebhookRegistration | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.creditorWebhook(clientId), ConsistentRead: true }));
  return strip<WebhookRegistration>(res.Item);
}

export async function putWebhook(reg: WebhookRegistration): Promise<void> {
  await dynamo().send(new PutCommand({ TableName: tableName(), Item: { ...key.creditorWebhook(reg.clientId), ...reg } }));
}

/** true when there was one */
export async function deleteWebhook(clientId: string): Promise<boolean> {
  const res = await dynamo().send(new DeleteCommand({ TableName: tableName(), Key: key.creditorWebhook(clientId), ReturnValues: 'ALL_OLD' }));
  return !!res.Attributes;
}

export interface NotificationRecord {
  id: string;
  clientId: string;
  body: NotificationBody;
  status: 'pending' | 'delivered' | 'failed' | 'cancelled';
  /** attempts made (claimed) so far */
  attempts: number;
  createdAt: string;
  lastAttemptAt?: string;
  /** the receiver's HTTP status, or "timeout" / "network" */
  lastResult?: string;
  deliveredAt?: string;
}

/** Writes the notification once; false when it exists already (the same fact written again). */
export async function createNotification(rec: NotificationRecord): Promise<boolean> {
  try {
    await dynamo().send(new PutCommand({ TableName: tableName(), Item: { ...key.notification(rec.id), ...rec }, ConditionExpression: 'attribute_not_exists(PK)' }));
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

export async function getNotification(id: string): Promise<NotificationRecord | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.notification(id), ConsistentRead: true }));
  return strip<NotificationRecord>(res.Item);
}

/** Claims attempt `done + 1` of a pending notification; false when another claimed it or it is settled. */
export async function claimAttempt(id: string, done: number, at: string): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key.notification(id),
        UpdateExpression: 'SET attempts = :next, lastAttemptAt = :at',
        ConditionExpression: '#s = :pending AND attempts = :done',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending', ':done': done, ':next': done + 1, ':at': at },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** Records an attempt's result (and, when it ends the notification, its final status). */
export async function settleAttempt(id: string, result: string, status: NotificationRecord['status'], at: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key.notification(id),
      UpdateExpression: `SET #s = :s, lastResult = :r${status === 'delivered' ? ', deliveredAt = :at' : ''}`,
      ConditionExpression: '#s = :pending',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': status, ':r': result, ':pending': 'pending', ...(status === 'delivered' ? { ':at': at } : {}) },
    }),
  ).catch((err) => {
    if (!isConditionFailed(err)) throw err;
  });
}
