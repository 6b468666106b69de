import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';
import { isConditionFailed, key, strip } from './keys.js';

/**
 * The send ledger makes every journey step's side effect happen at most once: a step claims
 * (case, journey, step) with a conditional write before it calls a provider and records the outcome after.
 */
export interface SendRecord {
  caseId: string;
  journeyNo: number;
  stepNo: number;
  channel: string;
  status: 'sending' | 'sent' | 'failed';
  claimedAt: string;
  sentAt?: string;
  providerId?: string;
  template?: string;
  tone?: string;
  language?: string;
  dossierIds?: string[];
  /** SMS segments and encoding, the WhatsApp ContentSid, where a letter's PDF is stored … (ids only) */
  meta?: Record<string, unknown>;
  /** failed: why (no personal data), when, which contact point it made unusable, and how the timeline shows it */
  reason?: string;
  failedAt?: string;
  contactPoint?: 'email' | 'phone' | 'address';
  failureType?: 'send_failed' | 'send_skipped';
}

export type Claim = { outcome: 'claimed' } | { outcome: 'exists'; record: SendRecord };

export async function claimSend(r: Pick<SendRecord, 'caseId' | 'journeyNo' | 'stepNo' | 'channel' | 'claimedAt' | 'dossierIds'>): Promise<Claim> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...key.send(r.caseId, r.journeyNo, r.stepNo), ...r, status: 'sending' },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return { outcome: 'claimed' };
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    return { outcome: 'exists', record: (await getSend(r.caseId, r.journeyNo, r.stepNo))! };
  }
}

export async function getSend(caseId: string, journeyNo: number, stepNo: number): Promise<SendRecord | undefined> {
  const res = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: key.send(caseId, journeyNo, stepNo), ConsistentRead: true }),
  );
  return strip<SendRecord>(res.Item);
}

export type SendOutcome = Pick<
  SendRecord,
  'status' | 'sentAt' | 'providerId' | 'template' | 'tone' | 'language' | 'dossierIds' | 'meta' | 'reason' | 'failedAt' | 'contactPoint' | 'failureType'
>;

/**
 * Records a step's outcome. `onlyIfSending` makes it conditional on the claim still being in flight (used when
 * an abandoned claim is declared in doubt, so it can never overwrite a real outcome); returns false when
 * that condition failed.
 */
export async function completeSend(
  caseId: string,
  journeyNo: number,
  stepNo: number,
  outcome: SendOutcome,
  opts: { onlyIfSending?: boolean } = {},
): Promise<boolean> {
  const entries = Object.entries(outcome).filter(([, v]) => v !== undefined);
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key.send(caseId, journeyNo, stepNo),
        UpdateExpression: 'SET ' + entries.map(([k]) => `#${k} = :${k}`).join(', '),
        ...(opts.onlyIfSending ? { ConditionExpression: '#status = :sending' } : {}),
        ExpressionAttributeNames: Object.fromEntries([...entries.map(([k]) => [`#${k}`, k]), ...(opts.onlyIfSending ? [['#status', 'status']] : [])]),
        ExpressionAttributeValues: Object.fromEntries([
          ...entries.map(([k, v]) => [`:${k}`, v]),
          ...(opts.onlyIfSending ? [[':sending', 'sending']] : []),
        ]),
      }),
    );
    return true;
  } catch (err) {
    if (opts.onlyIfSending && isConditionFailed(err)) return false;
    throw err;
  }
}

/** Gives a claim back after a transient provider failure, so the step's retry may send. */
export async function releaseSend(caseId: string, journeyNo: number, stepNo: number): Promise<void> {
  await dynamo().send(
    new DeleteCommand({
      TableName: tableName(),
      Key: key.send(caseId, journeyNo, stepNo),
      ConditionExpression: '#s = :sending',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':sending': 'sending' },
    }),
  ).catch((err) => {
    if (!isConditionFailed(err)) throw err;
  });
}

/** Provider message id → the case and step it belongs to (status callbacks, the local outbox). */
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
}

export async function putMessageRef(ref: MessageRef): Promise<void> {
  await dynamo().send(new PutCommand({ TableName: tableName(), Item: { ...key.message(ref.providerId), ...ref } }));
}

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
  const receivedAt = at.toISOString();
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...key.webhook(source, id), receivedAt, done: false, expiresAt: Math.floor(at.getTime() / 1000) + 30 * 86400 },
        ConditionExpression: 'attribute_not_exists(PK)',
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
