/**
 * Identity look-ups (DESIGN §4): which debtor a claim's strong evidence points at. One item per normalised
 * name holds that name's keys (name + phone, name + email, name + postal code and house number) as attributes
 * `k_<hash>` = debtorId, so a new person's keys are all claimed in one conditional write — two concurrent
 * claims for the same new person end up on one debtor. Keys and names are hashed: no personal data in keys.
 */
import { BatchGetCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';
import type { Item } from './batch.js';
import type { OptOut } from '../domain/vocabulary.js';
import { hashed, isConditionFailed, key, queryAll } from './keys.js';
import type { TransactAction } from './transact.js';

const attr = (k: string) => `k_${hashed(k)}`;

/** Who owns each of these keys of a name (keys nobody owns are absent). */
export async function identityOwners(name: string, keys: readonly string[]): Promise<Record<string, string>> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.identity(name), ConsistentRead: true }));
  const owners: Record<string, string> = {};
  for (const k of keys) {
    const owner = res.Item?.[attr(k)];
    if (typeof owner === 'string') owners[k] = owner;
  }
  return owners;
}

/** The write that claims all `keys` of a name for `debtorId`, refused when any of them is owned already. */
const keysClaim = (name: string, keys: readonly string[], debtorId: string) => ({
  TableName: tableName(),
  Key: key.identity(name),
  UpdateExpression: `SET ${keys.map((_, i) => `#k${i} = :d`).join(', ')}`,
  ConditionExpression: keys.map((_, i) => `attribute_not_exists(#k${i})`).join(' AND '),
  ExpressionAttributeNames: Object.fromEntries(keys.map((k, i) => [`#k${i}`, attr(k)])),
  ExpressionAttributeValues: { ':d': debtorId },
});

/** Claims all `keys` for `debtorId` at once; false when any of them is owned already (then nothing is written). */
export async function claimIdentityKeys(name: string, keys: readonly string[], debtorId: string): Promise<boolean> {
  if (keys.length === 0) return true;
  try {
    await dynamo().send(new UpdateCommand(keysClaim(name, keys, debtorId)));
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** claimIdentityKeys's write as one action of a transaction (services/intake.ts); `keys` not empty. */
export const identityKeysClaim = (name: string, keys: readonly string[], debtorId: string): TransactAction => ({ Update: keysClaim(name, keys, debtorId) });

/** Adds keys for a debtor a claim joined; keys another debtor owns stay theirs. */
export async function addIdentityKeys(name: string, keys: readonly string[], debtorId: string): Promise<void> {
  if (keys.length === 0) return;
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key.identity(name),
      UpdateExpression: `SET ${keys.map((_, i) => `#k${i} = if_not_exists(#k${i}, :d)`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(keys.map((k, i) => [`#k${i}`, attr(k)])),
      ExpressionAttributeValues: { ':d': debtorId },
    }),
  );
}

/** Access pattern: a creditor's own customer reference → the debtor. */
export async function debtorByRef(clientId: string, debtorRef: string): Promise<string | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.debtorRef(clientId, debtorRef), ConsistentRead: true }));
  return res.Item?.debtorId as string | undefined;
}

const refClaim = (clientId: string, debtorRef: string, debtorId: string) => ({
  TableName: tableName(),
  Item: { ...key.debtorRef(clientId, debtorRef), debtorId },
  ConditionExpression: 'attribute_not_exists(PK)',
});

/** claimDebtorRef's write as one action of a transaction (services/intake.ts): cancelled when the ref has an owner. */
export const debtorRefClaim = (clientId: string, debtorRef: string, debtorId: string): TransactAction => ({ Put: refClaim(clientId, debtorRef, debtorId) });

/** Records a creditor's debtorRef for a debtor; the first claim wins. Returns the owner. */
export async function claimDebtorRef(clientId: string, debtorRef: string, debtorId: string): Promise<string> {
  try {
    await dynamo().send(new PutCommand(refClaim(clientId, debtorRef, debtorId)));
    return debtorId;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    return (await debtorByRef(clientId, debtorRef))!;
  }
}

export interface PhoneOwner {
  debtorId: string;
  /** when this debtor was last messaged at this number (SMS or WhatsApp) */
  lastMessagedAt?: string;
}

/** The phone → debtor look-up item; written with the claim and again with every SMS/WhatsApp sent there. */
export const phoneIndexItem = (e164: string, debtorId: string, lastMessagedAt?: string): Item => ({
  ...key.phoneOf(e164, debtorId),
  debtorId,
  ...(lastMessagedAt ? { lastMessagedAt } : {}),
});

export const emailIndexItem = (email: string, debtorId: string): Item => ({ ...key.emailOf(email, debtorId), debtorId });

/** Access pattern: the debtors with this phone number (usually one; a family can share one). */
export async function debtorsByPhone(e164: string): Promise<PhoneOwner[]> {
  const items = await queryAll<{ debtorId: string; lastMessagedAt?: string }>({
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': `PHONE#${e164}` },
  });
  // the first version's item (SK "PHONE") names one debtor too
  const seen = new Map<string, PhoneOwner>();
  for (const i of items) if (i.debtorId) seen.set(i.debtorId, { debtorId: i.debtorId, ...(i.lastMessagedAt ? { lastMessagedAt: i.lastMessagedAt } : {}) });
  return [...seen.values()];
}

/** Who may have used a phone or email before this claim: the first version's look-ups, and the number's opt-outs. */
export interface EarlierUse {
  /** debtors the first version's phone/email look-ups name (not yet upgraded, perhaps) */
  legacyOwners: string[];
  /** channels someone who used this phone number opted out of */
  phoneOptOuts: OptOut[];
}

/**
 * Access patterns, in one request at intake: the first version's phone/email look-ups (`PHONE#<e164>` /
 * `PHONE`, `EMAIL#<email>` / `EMAIL`) and the number's opt-outs (`PHONE#<e164>` / `OPTOUT`).
 */
export async function earlierUse(phone: string | undefined, email: string | undefined): Promise<EarlierUse> {
  const keys = [
    ...(phone ? [{ PK: `PHONE#${phone}`, SK: 'PHONE' }, { PK: `PHONE#${phone}`, SK: 'OPTOUT' }] : []),
    ...(email ? [{ PK: `EMAIL#${email}`, SK: 'EMAIL' }] : []),
  ];
  const out: EarlierUse = { legacyOwners: [], phoneOptOuts: [] };
  let pending: Array<Record<string, unknown>> = keys;
  for (let round = 0; pending.length && round < 5; round++) {
    const res = await dynamo().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: true } } }));
    for (const i of res.Responses?.[tableName()] ?? []) {
      if (i.SK === 'OPTOUT') out.phoneOptOuts.push(...((i.channels as Set<OptOut> | undefined) ?? []));
      else if (typeof i.debtorId === 'string' && !out.legacyOwners.includes(i.debtorId)) out.legacyOwners.push(i.debtorId);
    }
    pending = res.UnprocessedKeys?.[tableName()]?.Keys ?? [];
    if (pending.length) await new Promise((r) => setTimeout(r, 20 * 2 ** round));
  }
  // Never file a claim without knowing the number's opt-outs: the intake fails (a retry files it) rather than message
  // someone who said STOP.
  if (pending.length) throw new Error('BatchGetItem left keys unprocessed');
  return out;
}

/** Someone who uses this number opted out of `channels`: it holds for whoever is filed with it later. */
export async function recordNumberOptOut(phone: string, channels: readonly OptOut[], at: string): Promise<void> {
  if (channels.length === 0) return;
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: { PK: `PHONE#${phone}`, SK: 'OPTOUT' },
      UpdateExpression: 'ADD #c :c SET #at = :at',
      ExpressionAttributeNames: { '#c': 'channels', '#at': 'updatedAt' },
      ExpressionAttributeValues: { ':c': new Set(channels), ':at': at },
    }),
  );
}
