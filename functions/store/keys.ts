import { createHash } from 'node:crypto';
import { paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';

/**
 * Single-table design (table and indexes: ./table.ts). Every access pattern is one function in this
 * folder; none of them scans, and no request path queries a partition shared by all debtors.
 *
 * | entity                 | PK                           | SK                        | GSI1PK / GSI1SK                               |
 * |------------------------|------------------------------|---------------------------|-----------------------------------------------|
 * | client                 | CLIENT#<clientId>            | CLIENT                    |                                               |
 * | the clients' ids       | CLIENTS                      | CLIENTS                   |  (string set `ids`: the agency's KPI report)  |
 * | API key                | APIKEY#<sha256(key)>         | APIKEY                    |                                               |
 * | dossier reference      | CLIENT#<clientId>            | REF#<reference>           |                                               |
 * | idempotency key        | CLIENT#<clientId>            | IDEMP#<Idempotency-Key>   |                                               |
 * | case (the debtor)      | DEBTOR#<debtorId>            | CASE                      |                                               |
 * | timeline event         | DEBTOR#<debtorId>            | EVENT#<at ISO>#<eventId>  |                                               |
 * | identity keys of a name| IDENT#<sha256(name)>         | NAME                      |  (attributes k_<sha256(key)> = debtorId)      |
 * | creditor's debtorRef   | DREF#<sha256(client, ref)>   | DREF                      |                                               |
 * | phone → debtors        | PHONE#<e164>                 | DEBTOR#<debtorId>         |                                               |
 * | a number's opt-outs    | PHONE#<e164>                 | OPTOUT                    |  (channels someone using it opted out of)     |
 * | email → debtors        | EMAIL#<email>                | DEBTOR#<debtorId>         |                                               |
 * | dossier (projection)   | DOSSIER#<dossierId>          | DOSSIER                   | CLIENT#<clientId> / DOSSIER#<status>#<created>#<id> |
 * | payment                | DOSSIER#<dossierId>          | PAYMENT#<reference or id> |                                               |
 * | provider message       | MSG#<provider id>            | MSG                       |                                               |
 * | webhook receipt        | HOOK#<source>#<id>           | HOOK                      |        (expires via TTL)                      |
 * | call task              | TASK#<taskId>                | TASK                      | TASKS#<status> / <dueAt>#<taskId>             |
 * | provider payment       | PAYMENT#<provider id>        | PAYMENT                   |                                               |
 * | payment in progress    | PAYING#<debtorId>            | PAYING                    |                                               |
 * | rate-limit counter     | RATE#<sha256(kind, key)>     | W#<window start>          |        (expires via TTL)                      |
 * | answer to a reply      | ANSWER#<inbound MessageSid>  | ANSWER                    |                                               |
 * | creditor's webhook     | CLIENT#<clientId>            | WEBHOOK                   |  (URL and signing secret)                     |
 * | creditor notification  | NOTIFY#<notification id>     | NOTIFY                    |  (one per creditor and fact; delivery state)  |
 *
 * Access patterns: API key → client; dossier by id (then checked against the caller's client) → its case; a
 * client's dossier by reference; a client's dossiers by status and time (GSI1); the identity keys of a name (one
 * item per normalised name: strong-evidence matching, DESIGN §4); a creditor's debtorRef; debtors by phone
 * (inbound SMS/WhatsApp, with when each was last messaged there) and by email; a case's timeline in time order
 * (display only); a step's outcome by its event key; provider message id → case; open call tasks by due time
 * (GSI1, the agents' queue).
 *
 * Items of the first version still read by the lazy upgrade (functions/store/legacy.ts): DEBTOR#<id>/DEBTOR,
 * PHONE#<e164>/PHONE, EMAIL#<email>/EMAIL, DEBTOR#<id>/SEND#<journey>#<step>, dossiers with GSI1 DEBTOR#<id>.
 */
export const hashed = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 40);

export const key = {
  client: (clientId: string) => ({ PK: `CLIENT#${clientId}`, SK: 'CLIENT' }),
  clientIds: () => ({ PK: 'CLIENTS', SK: 'CLIENTS' }),
  apiKey: (hash: string) => ({ PK: `APIKEY#${hash}`, SK: 'APIKEY' }),
  reference: (clientId: string, reference: string) => ({ PK: `CLIENT#${clientId}`, SK: `REF#${reference}` }),
  idempotency: (clientId: string, idemKey: string) => ({ PK: `CLIENT#${clientId}`, SK: `IDEMP#${idemKey}` }),
  case: (caseId: string) => ({ PK: `DEBTOR#${caseId}`, SK: 'CASE' }),
  event: (caseId: string, at: string, eventId: string) => ({ PK: `DEBTOR#${caseId}`, SK: `EVENT#${at}#${eventId}` }),
  identity: (normalisedName: string) => ({ PK: `IDENT#${hashed(normalisedName)}`, SK: 'NAME' }),
  debtorRef: (clientId: string, debtorRef: string) => ({ PK: `DREF#${hashed(`${clientId}\n${debtorRef}`)}`, SK: 'DREF' }),
  phoneOf: (e164: string, debtorId: string) => ({ PK: `PHONE#${e164}`, SK: `DEBTOR#${debtorId}` }),
  emailOf: (email: string, debtorId: string) => ({ PK: `EMAIL#${email.toLowerCase()}`, SK: `DEBTOR#${debtorId}` }),
  dossier: (dossierId: string) => ({ PK: `DOSSIER#${dossierId}`, SK: 'DOSSIER' }),
  payment: (dossierId: string, paymentKey: string) => ({ PK: `DOSSIER#${dossierId}`, SK: `PAYMENT#${paymentKey}` }),
  message: (providerId: string) => ({ PK: `MSG#${providerId}`, SK: 'MSG' }),
  webhook: (source: string, id: string) => ({ PK: `HOOK#${source}#${id}`, SK: 'HOOK' }),
  task: (taskId: string) => ({ PK: `TASK#${taskId}`, SK: 'TASK' }),
  providerPayment: (providerId: string) => ({ PK: `PAYMENT#${providerId}`, SK: 'PAYMENT' }),
  paying: (debtorId: string) => ({ PK: `PAYING#${debtorId}`, SK: 'PAYING' }),
  rate: (bucket: string, windowStart: number) => ({ PK: `RATE#${hashed(bucket)}`, SK: `W#${windowStart}` }),
  answer: (messageSid: string) => ({ PK: `ANSWER#${messageSid}`, SK: 'ANSWER' }),
  creditorWebhook: (clientId: string) => ({ PK: `CLIENT#${clientId}`, SK: 'WEBHOOK' }),
  notification: (id: string) => ({ PK: `NOTIFY#${id}`, SK: 'NOTIFY' }),
  // first version (read by the upgrade only)
  legacyDebtor: (debtorId: string) => ({ PK: `DEBTOR#${debtorId}`, SK: 'DEBTOR' }),
  legacySend: (caseId: string, journeyNo: number, stepNo: number) => ({
    PK: `DEBTOR#${caseId}`,
    SK: `SEND#${String(journeyNo).padStart(4, '0')}#${String(stepNo).padStart(5, '0')}`,
  }),
};

/** Strips the key attributes from an item before it leaves the store. */
export function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  // `lrn`: a write's learning-counter increments, for the stream aggregator only (store/learning.ts)
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g1s, GSI2PK: _g2, GSI2SK: _g2s, lrn: _lrn, ...rest } = item;
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
