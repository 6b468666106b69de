import { paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';

/**
 * Single-table design (table and indexes: ./table.ts). Every access pattern is one function in this
 * folder; none of them scans.
 *
 * | entity            | PK                    | SK                         | GSI1PK / GSI1SK                          |
 * |-------------------|-----------------------|----------------------------|------------------------------------------|
 * | client            | CLIENT#<clientId>     | CLIENT                     |                                          |
 * | API key           | APIKEY#<sha256(key)>  | APIKEY                     |                                          |
 * | dossier reference | CLIENT#<clientId>     | REF#<reference>            |                                          |
 * | idempotency key   | CLIENT#<clientId>     | IDEMP#<Idempotency-Key>    |                                          |
 * | debtor            | DEBTOR#<debtorId>     | DEBTOR                     |                                          |
 * | phone look-up     | PHONE#<e164>          | PHONE                      |                                          |
 * | email look-up     | EMAIL#<lowercased>    | EMAIL                      |                                          |
 * | case (journey)    | DEBTOR#<debtorId>     | CASE                       |                                          |
 * | timeline event    | DEBTOR#<debtorId>     | EVENT#<at ISO>#<eventId>   |                                          |
 * | send ledger       | DEBTOR#<debtorId>     | SEND#<journeyNo>#<stepNo>  |                                          |
 * | dossier           | DOSSIER#<dossierId>   | DOSSIER                    | DEBTOR#<debtorId> / DOSSIER#<status>#<createdAt> |
 * | payment           | DOSSIER#<dossierId>   | PAYMENT#<reference or id>  |                                          |
 * | provider message  | MSG#<provider id>     | MSG                        |                                          |
 * | webhook receipt   | HOOK#<source>#<id>    | HOOK                       |        (expires via TTL)                 |
 * | call task         | TASK#<taskId>         | TASK                       | TASKS#<status> / <dueAt>#<taskId>        |
 *
 * Access patterns: API key → client; dossier by id (then checked against the caller's client);
 * a client's dossier by reference; all open dossiers of a debtor (GSI1, begins_with DOSSIER#open);
 * debtor by phone (inbound SMS/WhatsApp) and by email; a case's timeline in time order
 * (begins_with EVENT#); a step's send record (idempotency on (case, journey, step));
 * provider message id → case (status callbacks); open call tasks by due time (GSI1 TASKS#open).
 */
export const key = {
  client: (clientId: string) => ({ PK: `CLIENT#${clientId}`, SK: 'CLIENT' }),
  apiKey: (hash: string) => ({ PK: `APIKEY#${hash}`, SK: 'APIKEY' }),
  reference: (clientId: string, reference: string) => ({ PK: `CLIENT#${clientId}`, SK: `REF#${reference}` }),
  idempotency: (clientId: string, idemKey: string) => ({ PK: `CLIENT#${clientId}`, SK: `IDEMP#${idemKey}` }),
  debtor: (debtorId: string) => ({ PK: `DEBTOR#${debtorId}`, SK: 'DEBTOR' }),
  phone: (e164: string) => ({ PK: `PHONE#${e164}`, SK: 'PHONE' }),
  email: (email: string) => ({ PK: `EMAIL#${email.toLowerCase()}`, SK: 'EMAIL' }),
  case: (caseId: string) => ({ PK: `DEBTOR#${caseId}`, SK: 'CASE' }),
  event: (caseId: string, at: string, eventId: string) => ({ PK: `DEBTOR#${caseId}`, SK: `EVENT#${at}#${eventId}` }),
  send: (caseId: string, journeyNo: number, stepNo: number) => ({
    PK: `DEBTOR#${caseId}`,
    SK: `SEND#${String(journeyNo).padStart(4, '0')}#${String(stepNo).padStart(5, '0')}`,
  }),
  dossier: (dossierId: string) => ({ PK: `DOSSIER#${dossierId}`, SK: 'DOSSIER' }),
  payment: (dossierId: string, paymentKey: string) => ({ PK: `DOSSIER#${dossierId}`, SK: `PAYMENT#${paymentKey}` }),
  message: (providerId: string) => ({ PK: `MSG#${providerId}`, SK: 'MSG' }),
  webhook: (source: string, id: string) => ({ PK: `HOOK#${source}#${id}`, SK: 'HOOK' }),
  task: (taskId: string) => ({ PK: `TASK#${taskId}`, SK: 'TASK' }),
};

/** Strips the key attributes from an item before it leaves the store. */
export function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g1s, GSI2PK: _g2, GSI2SK: _g2s, ...rest } = item;
  return rest as T;
}

export function isConditionFailed(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** Runs a Query to the end, page by page (the SDK's paginator), and returns the items without key attributes. */
export async function queryAll<T>(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of paginateQuery({ client: dynamo() }, { ...input, TableName: tableName() })) {
    for (const item of page.Items ?? []) out.push(strip<T>(item)!);
  }
  return out;
}
