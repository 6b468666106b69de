import { createHash } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';
import { key, strip } from './keys.js';

export interface Client {
  clientId: string;
  name: string;
  /** the agency's own key may also work the call-task queue */
  agent?: boolean;
  /** the client cannot deduct VAT, so VAT is added to collection costs (DESIGN §5 rule 2) */
  vatOnCosts?: boolean;
}

export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

/** Access pattern: API key → client. Only the hash of the key is stored. */
export async function clientByApiKey(apiKey: string): Promise<Client | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.apiKey(hashApiKey(apiKey)) }));
  if (!res.Item) return undefined;
  const client = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.client(res.Item.clientId as string) }));
  return strip<Client>(client.Item);
}

/** Seeds a client with one API key (local runtime and tests; on AWS an operator script does this). */
export async function putClient(client: Client, apiKey: string): Promise<void> {
  await dynamo().send(new PutCommand({ TableName: tableName(), Item: { ...key.client(client.clientId), ...client } }));
  await dynamo().send(
    new PutCommand({ TableName: tableName(), Item: { ...key.apiKey(hashApiKey(apiKey)), clientId: client.clientId } }),
  );
}

export async function getClient(clientId: string): Promise<Client | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.client(clientId) }));
  return strip<Client>(res.Item);
}
