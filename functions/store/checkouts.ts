/**
 * Payments the debtor started on the page (`PAYMENT#<provider id>` / `PAYMENT`): which debtor and dossiers a
 * provider payment is for, and how much of it refunds and chargebacks have taken back so far, so each reversal is
 * applied once. The webhook finds it by the provider's id (one GetItem); nothing is ever queried across debtors.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';
import { isConditionFailed, key, strip } from './keys.js';

export interface Checkout {
  providerId: string;
  debtorId: string;
  allocation: Array<[string, number]>;
  scope: string;
  amount: number;
  createdAt: string;
  /** cents taken back (refunds + chargebacks) already applied to the dossiers */
  reversed: number;
}

export async function putCheckout(c: Checkout): Promise<void> {
  try {
    await dynamo().send(new PutCommand({ TableName: tableName(), Item: { ...key.providerPayment(c.providerId), ...c }, ConditionExpression: 'attribute_not_exists(PK)' }));
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
  }
}

export async function getCheckout(providerId: string): Promise<Checkout | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.providerPayment(providerId), ConsistentRead: true }));
  return strip<Checkout>(res.Item);
}

/** Moves `reversed` from `from` to `to`; false when another delivery did it first. */
export async function markReversed(providerId: string, from: number, to: number): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key.providerPayment(providerId),
        UpdateExpression: 'SET reversed = :to',
        ConditionExpression: 'reversed = :from',
        ExpressionAttributeValues: { ':from': from, ':to': to },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** The debtor's latest checkout (`PAYING#<debtorId>`): which claims it covers, so a second one cannot pay them again. */
export interface PendingCheckout {
  providerId: string;
  dossierIds: string[];
  checkoutUrl: string;
  createdAt: string;
}

export async function getPendingCheckout(debtorId: string): Promise<PendingCheckout | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.paying(debtorId), ConsistentRead: true }));
  return strip<PendingCheckout>(res.Item);
}

/** Replaces the checkout read before (`replaces`, or none); false when another one was written meanwhile. */
export async function putPendingCheckout(debtorId: string, p: PendingCheckout, replaces: string | undefined): Promise<boolean> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...key.paying(debtorId), ...p },
        ...(replaces
          ? { ConditionExpression: 'providerId = :was', ExpressionAttributeValues: { ':was': replaces } }
          : { ConditionExpression: 'attribute_not_exists(PK)' }),
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}
