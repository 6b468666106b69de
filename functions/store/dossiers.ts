import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';
import { isConditionFailed, key, queryAll, strip } from './keys.js';

export type DossierStatus = 'open' | 'paused' | 'paid' | 'handed_over' | 'withdrawn' | 'closed';
/** Statuses in which the journey still works on a dossier. */
export const ACTIVE_STATUSES: readonly DossierStatus[] = ['open'];

export interface Dossier {
  dossierId: string;
  clientId: string;
  debtorId: string;
  reference: string;
  description?: string;
  /** integer cents */
  principal: number;
  costs: number;
  paid: number;
  dueDate: string;
  status: DossierStatus;
  createdAt: string;
  updatedAt: string;
  statusReason?: string;
  /** payment keys already booked (dedupe) */
  paymentKeys?: Set<string>;
}

export function outstanding(d: Pick<Dossier, 'principal' | 'costs' | 'paid'>): number {
  return Math.max(0, d.principal + d.costs - d.paid);
}

const gsi1 = (d: Pick<Dossier, 'debtorId' | 'status' | 'createdAt' | 'dossierId'>) => ({
  GSI1PK: `DEBTOR#${d.debtorId}`,
  GSI1SK: `DOSSIER#${d.status}#${d.createdAt}#${d.dossierId}`,
});

export interface Claim {
  dossierId: string;
  requestHash: string;
  idempotencyKey?: string;
}

/**
 * A reference is unique per client. Claims it for a new dossier id; when it is taken, returns the
 * earlier claim so the caller can tell a retry (same request) from a conflict.
 */
export async function claimReference(clientId: string, reference: string, claim: Claim): Promise<{ claimed: boolean; claim: Claim }> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...key.reference(clientId, reference), ...claim },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return { claimed: true, claim };
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.reference(clientId, reference) }));
    return { claimed: false, claim: strip<Claim>(res.Item)! };
  }
}

/** Idempotency-Key: the first request with a key owns it; returns the owner's claim. */
export async function claimIdempotencyKey(clientId: string, idemKey: string, claim: Claim, expiresAt: number): Promise<Claim> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...key.idempotency(clientId, idemKey), ...claim, expiresAt },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return claim;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.idempotency(clientId, idemKey) }));
    return strip<Claim>(res.Item)!;
  }
}

/** Writes a new dossier once; a retry of the same creation is a no-op. */
export async function putDossierOnce(d: Dossier): Promise<void> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...key.dossier(d.dossierId), ...gsi1(d), ...d },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
  }
}

/** Access pattern: dossier by id (callers check the client). */
export async function getDossier(dossierId: string): Promise<Dossier | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.dossier(dossierId) }));
  return strip<Dossier>(res.Item);
}

/** Access pattern: a debtor's dossiers, optionally only those in one status (GSI1). */
export async function dossiersOfDebtor(debtorId: string, status?: DossierStatus): Promise<Dossier[]> {
  const dossiers = await queryAll<Dossier>({
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)',
    ExpressionAttributeValues: { ':pk': `DEBTOR#${debtorId}`, ':sk': status ? `DOSSIER#${status}#` : 'DOSSIER#' },
  });
  return dossiers.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Moves a dossier to another status if it is still in one of `from`; returns the updated dossier or undefined. */
export async function setDossierStatus(
  dossierId: string,
  status: DossierStatus,
  from: readonly DossierStatus[],
  reason: string,
  at: string,
): Promise<Dossier | undefined> {
  const current = await getDossier(dossierId);
  if (!current || !from.includes(current.status)) return undefined;
  try {
    const res = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key.dossier(dossierId),
        UpdateExpression: 'SET #s = :s, statusReason = :r, updatedAt = :at, GSI1SK = :g',
        ConditionExpression: '#s = :old',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':s': status,
          ':old': current.status,
          ':r': reason,
          ':at': at,
          ':g': gsi1({ ...current, status }).GSI1SK,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip<Dossier>(res.Attributes);
  } catch (err) {
    if (isConditionFailed(err)) return undefined;
    throw err;
  }
}

/**
 * Books a payment once (payment key = the client's payment reference, or the request's idempotency key)
 * and, when nothing is left to pay, marks the dossier paid. The dedupe is one conditional write on the
 * dossier itself (the set of booked payment keys), so a crash or a retry can never book it twice.
 */
export async function recordPayment(
  dossierId: string,
  payment: { paymentKey: string; amount: number; paidAt: string; reference?: string },
  at: string,
): Promise<{ applied: boolean; dossier: Dossier }> {
  let applied = true;
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key.dossier(dossierId),
        UpdateExpression: 'ADD paid :a, paymentKeys :k SET updatedAt = :at',
        ConditionExpression: 'attribute_exists(PK) AND NOT contains(paymentKeys, :key)',
        ExpressionAttributeValues: { ':a': payment.amount, ':k': new Set([payment.paymentKey]), ':key': payment.paymentKey, ':at': at },
      }),
    );
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    applied = false;
  }
  await dynamo().send(
    new PutCommand({ TableName: tableName(), Item: { ...key.payment(dossierId, payment.paymentKey), ...payment, recordedAt: at } }),
  );
  let dossier = (await getDossier(dossierId))!;
  if (outstanding(dossier) === 0 && (dossier.status === 'open' || dossier.status === 'paused')) {
    dossier = (await setDossierStatus(dossierId, 'paid', ['open', 'paused'], 'paid in full', at)) ?? (await getDossier(dossierId))!;
  }
  return { applied, dossier };
}

export async function setCosts(dossierId: string, costs: number, at: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key.dossier(dossierId),
      UpdateExpression: 'SET costs = :c, updatedAt = :at',
      ExpressionAttributeValues: { ':c': costs, ':at': at },
    }),
  );
}
