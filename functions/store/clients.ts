import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BusinessCostAgreement } from '../domain/claim-costs.js';
import { dynamo, tableName } from '../shared/aws.js';
import { key, strip } from './keys.js';

export interface Client {
  clientId: string;
  name: string;
  /** the agency's own key may also work the call-task queue and sees the whole person */
  agent?: boolean;
  /** the client cannot deduct VAT, so VAT is added to collection costs (DESIGN §5 rule 2) */
  vatOnCosts?: boolean;
  /** the creditor claims statutory interest (art. 6:119 / 6:119a BW) on its claims; default false */
  claimsInterest?: boolean;
  /** the creditor's agreement on collection costs for business debtors (art. 6:96 lid 7 BW); default the WIK scale */
  businessCosts?: BusinessCostAgreement;
}

export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

/**
 * Clients are static data: cached per container (a Lambda execution environment, or the local process) for
 * CLIENT_CACHE_MS, so a journey does not read the same client record for every step. A revoked API key is
 * refused at the latest CLIENT_CACHE_MS after its record is gone.
 */
export const CLIENT_CACHE_MS = 60_000;
const cache = new Map<string, { client: Client | undefined; at: number }>();

async function cached(k: string, load: () => Promise<Client | undefined>): Promise<Client | undefined> {
  const hit = cache.get(k);
  if (hit && Date.now() - hit.at < CLIENT_CACHE_MS) return hit.client;
  const client = await load();
  cache.set(k, { client, at: Date.now() });
  return client;
}

/** Access pattern: API key → client. Only the hash of the key is stored. */
export async function clientByApiKey(apiKey: string): Promise<Client | undefined> {
  return cached(`key:${hashApiKey(apiKey)}`, async () => {
    const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.apiKey(hashApiKey(apiKey)) }));
    return res.Item ? getClient(res.Item.clientId as string) : undefined;
  });
}

export async function getClient(clientId: string): Promise<Client | undefined> {
  return cached(`id:${clientId}`, async () => {
    const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.client(clientId) }));
    return strip<Client>(res.Item);
  });
}

/** Seeds a client with one API key (local runtime and tests; on AWS an operator script does this). */
export async function putClient(client: Client, apiKey: string): Promise<void> {
  await dynamo().send(new PutCommand({ TableName: tableName(), Item: { ...key.client(client.clientId), ...client } }));
  await dynamo().send(new PutCommand({ TableName: tableName(), Item: { ...key.apiKey(hashApiKey(apiKey)), clientId: client.clientId } }));
  await dynamo().send(
    new UpdateCommand({ TableName: tableName(), Key: key.clientIds(), UpdateExpression: 'ADD ids :id', ExpressionAttributeValues: { ':id': new Set([client.clientId]) } }),
  );
  cache.clear();
}

/**
 * Access pattern: every client's id (one item, `CLIENTS`, a string set kept by putClient) — what the agency's KPI
 * report adds up (store/learning.ts readKpis). Bounded by the number of creditors, never by debtors; no scan.
 */
export async function clientIds(): Promise<string[]> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.clientIds(), ConsistentRead: true }));
  const ids = res.Item?.ids;
  return ids instanceof Set ? [...(ids as Set<string>)].sort() : [];
}

/** Tests and the local runtime: forget cached clients (a new data dir, another table). */
export function forgetClients(): void {
  cache.clear();
}
