/**
 * Dossiers as creditors address them. The case item (cases.ts) is the truth about a dossier's money and status;
 * the dossier item is its projection for look-ups by id and a client's listings (GSI1 by client and status),
 * rewritten after every case write that changes it. Payments are kept as items too: the permanent record of
 * what was booked under which reference.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';
import type { Item } from './batch.js';
import { isConditionFailed, key, queryAll, strip } from './keys.js';
import type { DossierStatus } from '../domain/vocabulary.js';

export type { DossierStatus };

/** What the dossier item holds: enough to find the case and list a client's dossiers. */
export interface DossierRecord {
  dossierId: string;
  clientId: string;
  debtorId: string;
  reference: string;
  status: DossierStatus | string;
  createdAt: string;
  updatedAt: string;
}

export function dossierItem(d: DossierRecord): Item {
  return {
    ...key.dossier(d.dossierId),
    GSI1PK: `CLIENT#${d.clientId}`,
    GSI1SK: `DOSSIER#${d.status}#${d.createdAt}#${d.dossierId}`,
    dossierId: d.dossierId,
    clientId: d.clientId,
    debtorId: d.debtorId,
    reference: d.reference,
    status: d.status,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

/** Access pattern: dossier by id (callers check the client). */
export async function getDossier(dossierId: string): Promise<DossierRecord | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.dossier(dossierId) }));
  return strip<DossierRecord>(res.Item);
}

export interface Claim {
  dossierId: string;
  requestHash: string;
  idempotencyKey?: string;
}

async function claimOnce(k: { PK: string; SK: string }, claim: Claim, extra: Record<string, unknown> = {}): Promise<{ claimed: boolean; claim: Claim }> {
  try {
    await dynamo().send(new PutCommand({ TableName: tableName(), Item: { ...k, ...claim, ...extra }, ConditionExpression: 'attribute_not_exists(PK)' }));
    return { claimed: true, claim };
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: k, ConsistentRead: true }));
    return { claimed: false, claim: strip<Claim>(res.Item)! };
  }
}

/**
 * A reference is unique per client. Claims it for a new dossier id; when it is taken, returns the earlier
 * claim so the caller can tell a retry (same request) from a conflict.
 */
export function claimReference(clientId: string, reference: string, claim: Claim): Promise<{ claimed: boolean; claim: Claim }> {
  return claimOnce(key.reference(clientId, reference), claim);
}

/** Idempotency-Key: the first request with a key owns it; returns the owner's claim and whether it is this one's. */
export async function claimIdempotencyKey(clientId: string, idemKey: string, claim: Claim, expiresAt: number): Promise<{ claimed: boolean; claim: Claim }> {
  return claimOnce(key.idempotency(clientId, idemKey), claim, { expiresAt });
}

/** Gives a key back that a request claimed and then failed with (so nothing of a failed request stays). */
export function releaseIdempotencyKey(clientId: string, idemKey: string, dossierId: string): Promise<void> {
  return releaseClaim(key.idempotency(clientId, idemKey), dossierId);
}

/** Gives a reference back that a refused claim took (the corrected request may use it). */
export function releaseReference(clientId: string, reference: string, dossierId: string): Promise<void> {
  return releaseClaim(key.reference(clientId, reference), dossierId);
}

async function releaseClaim(k: Record<string, string>, dossierId: string): Promise<void> {
  await dynamo()
    .send(new DeleteCommand({ TableName: tableName(), Key: k, ConditionExpression: 'dossierId = :d', ExpressionAttributeValues: { ':d': dossierId } }))
    .catch((err) => {
      if (!isConditionFailed(err)) throw err;
    });
}

export interface PaymentRecord {
  paymentKey: string;
  amount: number;
  paidAt: string;
  reference?: string;
  recordedAt: string;
}

/** Records a payment under its key once; returns the record that holds the key (this one, or an earlier one). */
export async function recordPaymentOnce(dossierId: string, p: PaymentRecord): Promise<{ created: boolean; record: PaymentRecord }> {
  try {
    await dynamo().send(new PutCommand({ TableName: tableName(), Item: { ...key.payment(dossierId, p.paymentKey), ...p }, ConditionExpression: 'attribute_not_exists(PK)' }));
    return { created: true, record: p };
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.payment(dossierId, p.paymentKey), ConsistentRead: true }));
    return { created: false, record: strip<PaymentRecord>(res.Item)! };
  }
}

/** First version: a debtor's dossier items (GSI1 DEBTOR#<id>), read once by the upgrade. */
export async function legacyDossiersOfDebtor(debtorId: string): Promise<Array<Record<string, unknown>>> {
  return queryAll<Record<string, unknown>>({
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)',
    ExpressionAttributeValues: { ':pk': `DEBTOR#${debtorId}`, ':sk': 'DOSSIER#' },
  });
}
