import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';
import { newId } from '../shared/ids.js';
import { incomeSourceFromApi } from '../domain/payday.js';
import type { DebtorInput, IncomeSource, Language } from '../shared/schemas.js';
import { isConditionFailed, key, strip } from './keys.js';

export type ContactPoint = 'email' | 'phone' | 'address';
export type OptOutChannel = 'email' | 'sms' | 'whatsapp' | 'letter' | 'call' | 'all';

export interface Debtor {
  debtorId: string;
  name: string;
  email?: string;
  phone?: string;
  whatsappOptIn: boolean;
  language: Language;
  address?: { line1: string; postalCode: string; city: string; country: string };
  consumer: boolean;
  incomeSource?: IncomeSource;
  /** channels the debtor opted out of */
  optOuts: OptOutChannel[];
  /** contact points that bounced or failed hard */
  unusable: ContactPoint[];
  /** last message from the debtor (opens the WhatsApp 24 h window) */
  lastInboundAt?: string;
  flags: string[];
  createdAt: string;
}

async function lookup(k: { PK: string; SK: string }): Promise<string | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: k }));
  return res.Item?.debtorId as string | undefined;
}

/** Claims a phone/email look-up for a debtor; returns the debtor that owns it (maybe another one). */
async function claimLookup(k: { PK: string; SK: string }, debtorId: string): Promise<string> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...k, debtorId },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return debtorId;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    return (await lookup(k))!;
  }
}

/** Access pattern: debtor by phone number (inbound SMS/WhatsApp). */
export async function debtorIdByPhone(e164: string): Promise<string | undefined> {
  return lookup(key.phone(e164));
}

/** Access pattern: debtor by email address. */
export async function debtorIdByEmail(email: string): Promise<string | undefined> {
  return lookup(key.email(email));
}

export async function getDebtor(debtorId: string): Promise<Debtor | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.debtor(debtorId) }));
  return strip<Debtor>(res.Item);
}

/**
 * One person, one debtor record: a claim whose phone or email is already known joins that debtor.
 * The look-ups are claimed first with conditional writes, so two concurrent claims for a new person
 * still end up on one debtor; every write is idempotent, so a retry after a crash completes the record.
 */
export async function findOrCreateDebtor(input: DebtorInput, createdAt: string): Promise<Debtor> {
  const candidate = newId('deb');
  let debtorId = input.phone ? await claimLookup(key.phone(input.phone), candidate) : undefined;
  if (input.email) {
    // An email already linked to another person (a shared mailbox) does not merge two phone owners.
    const owner = await claimLookup(key.email(input.email), debtorId ?? candidate);
    debtorId ??= owner;
  }
  debtorId ??= candidate;
  const existing = await getDebtor(debtorId);
  if (existing) return existing;
  const debtor: Debtor = {
    debtorId,
    name: input.name,
    email: input.email,
    phone: input.phone,
    whatsappOptIn: input.whatsappOptIn ?? false,
    language: input.language,
    address: input.address as Debtor['address'],
    consumer: input.consumer,
    incomeSource: incomeSourceFromApi(input),
    optOuts: [],
    unusable: [],
    flags: [],
    createdAt,
  };
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...key.debtor(debtorId), ...debtor },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return debtor;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    return (await getDebtor(debtorId))!;
  }
}

/** An opt-out stops that channel at once (DESIGN §5 rule 10). */
export async function addOptOut(debtorId: string, channel: OptOutChannel): Promise<void> {
  await addToList(debtorId, 'optOuts', channel);
}

/** A hard bounce or a failed number makes that contact point unusable for the next decisions. */
export async function markUnusable(debtorId: string, point: ContactPoint): Promise<void> {
  await addToList(debtorId, 'unusable', point);
}

export async function addFlag(debtorId: string, flag: string): Promise<void> {
  await addToList(debtorId, 'flags', flag);
}

async function addToList(debtorId: string, attr: 'optOuts' | 'unusable' | 'flags', value: string): Promise<void> {
  const debtor = await getDebtor(debtorId);
  if (!debtor || debtor[attr].includes(value as never)) return;
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key.debtor(debtorId),
      UpdateExpression: 'SET #a = list_append(#a, :v)',
      ConditionExpression: 'NOT contains(#a, :s)',
      ExpressionAttributeNames: { '#a': attr },
      ExpressionAttributeValues: { ':v': [value], ':s': value },
    }),
  ).catch((err) => {
    if (!isConditionFailed(err)) throw err;
  });
}

export async function recordInbound(debtorId: string, at: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key.debtor(debtorId),
      UpdateExpression: 'SET lastInboundAt = :at',
      ConditionExpression: 'attribute_not_exists(lastInboundAt) OR lastInboundAt < :at',
      ExpressionAttributeValues: { ':at': at },
    }),
  ).catch((err) => {
    if (!isConditionFailed(err)) throw err;
  });
}
