/**
 * Dossiers as creditors address them. The case item (cases.ts) is the truth about a dossier's money and status;
 * the dossier item is its projection for look-ups by id and a client's listings (GSI1 by client and status),
 * rewritten after every case write that changes it. Payments are kept as items too: the permanent record of
 * what was booked under which reference.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';
import type { Item } from './batch.js';
import { isConditionFailed, key, queryAll, strip } from './keys.js';
import type { TransactAction } from './transact.js';
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

/** Where a dossier sorts in its client's listing (GSI1): by status, then creation time, then id. */
export const listingKey = (d: Pick<DossierRecord, 'status' | 'createdAt' | 'dossierId'>): string => `DOSSIER#${d.status}#${d.createdAt}#${d.dossierId}`;

export function dossierItem(d: DossierRecord): Item {
  return {
    ...key.dossier(d.dossierId),
    GSI1PK: `CLIENT#${d.clientId}`,
    GSI1SK: listingKey(d),
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

/** The claim's write: the first one holds the key. */
const claimPut = (k: { PK: string; SK: string }, claim: Claim, extra: Record<string, unknown> = {}) => ({
  TableName: tableName(),
  Item: { ...k, ...claim, ...extra },
  ConditionExpression: 'attribute_not_exists(PK)',
});

async function claimOnce(k: { PK: string; SK: string }, claim: Claim, extra: Record<string, unknown> = {}): Promise<{ claimed: boolean; claim: Claim }> {
  try {
    await dynamo().send(new PutCommand(claimPut(k, claim, extra)));
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

/** claimReference's write as one action of a transaction (services/intake.ts): cancelled when the reference is taken. */
export const referenceClaim = (clientId: string, reference: string, claim: Claim): TransactAction => ({ Put: claimPut(key.reference(clientId, reference), claim) });

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

/** Removes a payment record this request made and the case refused (only that very record: same key, amount, time). */
export async function forgetPayment(dossierId: string, p: PaymentRecord): Promise<void> {
  await dynamo()
    .send(
      new DeleteCommand({
        TableName: tableName(),
        Key: key.payment(dossierId, p.paymentKey),
        ConditionExpression: 'amount = :a AND recordedAt = :r',
        ExpressionAttributeValues: { ':a': p.amount, ':r': p.recordedAt },
      }),
    )
    .catch((err) => {
      if (!isConditionFailed(err)) throw err;
    });
}

/** First version: a debtor's dossier items (GSI1 DEBTOR#<id>), read once by the upgrade. */
export async function legacyDossiersOfDebtor(debtorId: string): Promise<Array<Record<string, unknown>>> {
  return queryAll<Record<string, unknown>>({
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)',
    ExpressionAttributeValues: { ':pk': `DEBTOR#${debtorId}`, ':sk': 'DOSSIER#' },
  });
}

/** A client's dossier reference claim → the dossier it names (also one still being filed). */
export async function dossierIdByReference(clientId: string, reference: string): Promise<string | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.reference(clientId, reference) }));
  return typeof res.Item?.dossierId === 'string' ? res.Item.dossierId : undefined;
}

export interface ListingPage {
  items: DossierRecord[];
  /** the listing key of the last item returned, when there may be more */
  after?: string;
}

/**
 * Access pattern: a client's dossiers in listing order (GSI1 `CLIENT#<id>`), from after `after`, optionally of one
 * status and created within [from, to] (ISO strings). With a status the range is part of the key condition; without
 * one it is a filter, so a page may take a few reads — bounded by `maxReads`, after which the page is cut short and
 * the cursor says where to go on. Never a Scan.
 */
export async function listClientDossiers(
  clientId: string,
  o: { status?: string; from?: string; to?: string; after?: string; limit: number; maxReads?: number },
): Promise<ListingPage> {
  const values: Record<string, unknown> = { ':pk': `CLIENT#${clientId}` };
  let condition: string;
  let filter: string | undefined;
  if (o.status) {
    values[':lo'] = `DOSSIER#${o.status}#${o.from ?? ''}`;
    values[':hi'] = `DOSSIER#${o.status}#${o.to ?? ''}~`;
    condition = 'GSI1PK = :pk AND GSI1SK BETWEEN :lo AND :hi';
  } else {
    values[':p'] = 'DOSSIER#';
    condition = 'GSI1PK = :pk AND begins_with(GSI1SK, :p)';
    const parts: string[] = [];
    if (o.from) {
      values[':from'] = o.from;
      parts.push('createdAt >= :from');
    }
    if (o.to) {
      values[':to'] = o.to;
      parts.push('createdAt <= :to');
    }
    if (parts.length) filter = parts.join(' AND ');
  }
  const items: DossierRecord[] = [];
  let start: Record<string, unknown> | undefined = o.after ? { ...key.dossier(o.after.slice(o.after.lastIndexOf('#') + 1)), GSI1PK: `CLIENT#${clientId}`, GSI1SK: o.after } : undefined;
  let last: string | undefined;
  for (let reads = 0; reads < (o.maxReads ?? 10); reads++) {
    const res = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'GSI1',
        KeyConditionExpression: condition,
        ...(filter ? { FilterExpression: filter } : {}),
        ExpressionAttributeValues: values,
        ...(start ? { ExclusiveStartKey: start } : {}),
        // One more than needed tells whether there is a next page.
        Limit: o.limit + 1 - items.length,
      }),
    );
    for (const item of res.Items ?? []) {
      if (items.length === o.limit) return { items, after: last };
      items.push(strip<DossierRecord>(item)!);
      last = String(item.GSI1SK);
    }
    if (!res.LastEvaluatedKey) return { items };
    start = res.LastEvaluatedKey;
    // Filtered items count towards the read but not the page: go on from where the read stopped.
    last = String(res.LastEvaluatedKey.GSI1SK);
  }
  return { items, after: last };
}
