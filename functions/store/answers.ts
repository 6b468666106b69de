/**
 * The answer to a debtor's reply (`ANSWER#<inbound MessageSid>` / `ANSWER`): at most one per inbound message.
 * Planned when the reply is recorded, claimed (planned → sending, one conditional write) right before the provider
 * is called, and settled afterwards — so a webhook delivered twice, a retried timer or two concurrent deliveries
 * send one answer. A claim left `sending` by a crash is never sent again (in doubt beats twice).
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Intent } from '../domain/vocabulary.js';
import { dynamo, tableName } from '../shared/aws.js';
import { isConditionFailed, key, strip } from './keys.js';

export interface AnswerRecord {
  messageSid: string;
  caseId: string;
  channel: 'sms' | 'whatsapp';
  /** the debtor's number (E.164) the reply came from */
  to: string;
  answer: Intent;
  dossierIds: string[];
  /** when it may go (contact hours) */
  sendAt: string;
  status: 'planned' | 'sending' | 'sent' | 'skipped' | 'failed' | 'in_doubt';
  promise?: { date: string; precision: 'day' | 'week' | 'month' };
  optOuts?: string[];
  agentBy?: string;
  alsoVulnerable?: boolean;
  distress?: boolean;
  claimedAt?: string;
  providerId?: string;
  sentAt?: string;
  reason?: string;
}

/** Plans the answer once: a repeated reply finds the first plan. */
export async function planAnswer(rec: AnswerRecord): Promise<AnswerRecord> {
  try {
    await dynamo().send(new PutCommand({ TableName: tableName(), Item: { ...key.answer(rec.messageSid), ...rec }, ConditionExpression: 'attribute_not_exists(PK)' }));
    return rec;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    return (await getAnswer(rec.messageSid))!;
  }
}

export async function getAnswer(messageSid: string): Promise<AnswerRecord | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.answer(messageSid), ConsistentRead: true }));
  return strip<AnswerRecord>(res.Item);
}

/** planned → sending; undefined when someone else claimed it (or it is settled). */
export async function claimAnswer(messageSid: string, at: string): Promise<AnswerRecord | undefined> {
  try {
    const res = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key.answer(messageSid),
        UpdateExpression: 'SET #s = :sending, claimedAt = :at',
        ConditionExpression: '#s = :planned',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':sending': 'sending', ':planned': 'planned', ':at': at },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip<AnswerRecord>(res.Attributes);
  } catch (err) {
    if (isConditionFailed(err)) return undefined;
    throw err;
  }
}

/** Settles a claimed (or planned) answer. */
export async function settleAnswer(messageSid: string, status: 'sent' | 'skipped' | 'failed' | 'in_doubt' | 'planned', fields: Partial<Pick<AnswerRecord, 'providerId' | 'sentAt' | 'reason'>> = {}): Promise<void> {
  const sets = Object.entries(fields).filter(([, v]) => v !== undefined);
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key.answer(messageSid),
      UpdateExpression: `SET #s = :s${sets.map(([k]) => `, #${k} = :${k}`).join('')}`,
      ExpressionAttributeNames: { '#s': 'status', ...Object.fromEntries(sets.map(([k]) => [`#${k}`, k])) },
      ExpressionAttributeValues: { ':s': status, ...Object.fromEntries(sets.map(([k, v]) => [`:${k}`, v])) },
    }),
  );
}
