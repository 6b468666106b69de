/**
 * Provider message look-ups and webhook receipts. A sent message's provider id (Twilio SID, SendGrid
 * x-message-id, print id) points back to its case and step: status callbacks carry it, and the local outbox
 * shows each message with its template. Webhook deliveries are deduplicated by a receipt per provider event.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';
import type { Item } from './batch.js';
import { isConditionFailed, key, strip } from './keys.js';

/** Provider message id → the case and step it belongs to. */
export interface MessageRef {
  providerId: string;
  caseId: string;
  journeyNo: number;
  stepNo: number;
  channel: string;
  template: string;
  tone: string;
  language: string;
  dossierIds: string[];
  sentAt: string;
  /** SMS segment count and the like */
  meta?: Record<string, unknown>;
  /** a reply to the agency's answer, not a journey step */
  inReplyTo?: string;
}

export const messageRefItem = (ref: MessageRef): Item => ({ ...key.message(ref.providerId), ...ref });

/** Access pattern: provider message id → case. */
export async function getMessageRef(providerId: string): Promise<MessageRef | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.message(providerId) }));
  return strip<MessageRef>(res.Item);
}

/**
 * Webhook dedupe. The first delivery stores its receipt time; a redelivery gets the same time back so
 * the idempotent writes it repeats land on the same items, and `done` says the work already finished.
 * Kept 30 days (TTL).
 */
export async function webhookReceipt(source: string, id: string, at: Date): Promise<{ at: string; done: boolean }> {
  return receipt(source, id, at);
}

/**
 * The same for something that may rightly happen again later (the debtor page's statements): a receipt older than
 * `windowSeconds` is replaced by a new one, so only a repeat within the window is the same.
 */
export async function recentReceipt(source: string, id: string, at: Date, windowSeconds: number): Promise<{ at: string; done: boolean }> {
  return receipt(source, id, at, new Date(at.getTime() - windowSeconds * 1000).toISOString());
}

/** The receipt's conditional put; `replaceBefore`: an older receipt than this is replaced. */
async function receipt(source: string, id: string, at: Date, replaceBefore?: string): Promise<{ at: string; done: boolean }> {
  const receivedAt = at.toISOString();
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...key.webhook(source, id), receivedAt, done: false, expiresAt: Math.floor(at.getTime() / 1000) + 30 * 86400 },
        ...(replaceBefore
          ? { ConditionExpression: 'attribute_not_exists(PK) OR receivedAt < :cutoff', ExpressionAttributeValues: { ':cutoff': replaceBefore } }
          : { ConditionExpression: 'attribute_not_exists(PK)' }),
      }),
    );
    return { at: receivedAt, done: false };
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.webhook(source, id), ConsistentRead: true }));
    return { at: res.Item!.receivedAt as string, done: res.Item!.done === true };
  }
}

export async function webhookDone(source: string, id: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({ TableName: tableName(), Key: key.webhook(source, id), UpdateExpression: 'SET done = :t', ExpressionAttributeValues: { ':t': true } }),
  );
}

/** First version's send ledger entry (read by the upgrade for a step that was in flight). */
export async function legacySend(caseId: string, journeyNo: number, stepNo: number): Promise<Record<string, unknown> | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.legacySend(caseId, journeyNo, stepNo), ConsistentRead: true }));
  return strip<Record<string, unknown>>(res.Item);
}
