/** The client API's routes (the Api function, behind the API key authorizer) and the API's own description. */
import { CompleteTaskBody, CreateDossierBody, EXAMPLE_DOSSIER, IDEMPOTENCY_KEY, PaymentBody, TasksQuery } from '../schemas/api.js';
import { doc, Id } from '../schemas/fields.js';
import { CompletedTask, CreatedDossier, DebtorView, DossierView, ErrorBody, TaskList } from '../responses.js';
import * as z from '../zod.js';
import type { Route, RouteAnswer } from './route.js';

const idempotencyHeader = z.object({
  'Idempotency-Key': doc(z.optional(z.string().check(z.regex(IDEMPOTENCY_KEY))), {
    description: 'Makes a retry safe: the same key with the same body answers as the first time (7 days); with another body, 422.',
    example: 'create-INV-1001',
  }),
});
const dossierParams = z.object({ dossierId: Id('the dossier id', 'dos_01jnq7x5v2k8m3r4t6w8y0z2a4') });
const error = (description: string): RouteAnswer => ({ description, schema: ErrorBody });

export const API_ROUTES: readonly Route[] = [
  {
    method: 'POST',
    resource: '/v1/dossiers',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'createDossier',
    tag: 'Dossiers',
    summary: 'Hand over a claim',
    description:
      'Creates a dossier for the claim and starts the debtor’s journey; a claim for a person who already has a running journey joins it. ' +
      'Retrying with the same Idempotency-Key (or the same body and reference) answers as the first time. Unknown fields are refused (400, naming the field).',
    headers: idempotencyHeader,
    body: { type: 'json', schema: CreateDossierBody, example: EXAMPLE_DOSSIER },
    responses: {
      201: { description: 'The dossier (also for a retry of the same request).', schema: CreatedDossier },
      409: error('Another dossier of yours already has this reference (duplicate_reference).'),
      422: error('The Idempotency-Key was used for a different request (idempotency_key_reused), or the debtor already has the most claims one conversation holds, 100 (too_many_claims).'),
    },
  },
  {
    method: 'GET',
    resource: '/v1/dossiers/{dossierId}',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'getDossier',
    tag: 'Dossiers',
    summary: 'A dossier: status, amounts, journey and timeline',
    params: dossierParams,
    responses: { 200: { description: 'The dossier.', schema: DossierView } },
  },
  {
    method: 'POST',
    resource: '/v1/dossiers/{dossierId}/payments',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'addPayment',
    tag: 'Dossiers',
    summary: 'Report a payment',
    description: 'Books a payment once per reference (or Idempotency-Key). Full payment stops the outreach for the dossier.',
    params: dossierParams,
    headers: idempotencyHeader,
    body: { type: 'json', schema: PaymentBody, example: { amount: 2500, reference: 'BANK-77' } },
    responses: { 200: { description: 'The updated dossier.', schema: DossierView } },
  },
  {
    method: 'GET',
    resource: '/v1/debtors/{debtorId}',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'getDebtor',
    tag: 'Debtors',
    summary: 'The debtor as you may see them',
    description: 'Only your own claims and the events about them; another creditor’s claims or contact details never.',
    params: z.object({ debtorId: Id('the debtor id', 'deb_01jnq7x5v2k8m3r4t6w8y0z2a5') }),
    responses: { 200: { description: 'The debtor.', schema: DebtorView } },
  },
  {
    method: 'GET',
    resource: '/v1/tasks',
    fn: 'api',
    auth: 'agentKey',
    operationId: 'listTasks',
    tag: 'Call tasks',
    summary: 'The agents’ queue: journey calls and what replies need',
    query: TasksQuery,
    responses: { 200: { description: 'Open call tasks.', schema: TaskList } },
  },
  {
    method: 'POST',
    resource: '/v1/tasks/{taskId}/complete',
    fn: 'api',
    auth: 'agentKey',
    operationId: 'completeTask',
    tag: 'Call tasks',
    summary: 'Record a call’s outcome',
    description: 'Closes the task and resumes the journey with the outcome. The same outcome again replays; another one is a 409.',
    params: z.object({ taskId: Id('the call task id', 'task_deb_01jnq7x5v2k8m3r4t6w8y0z2a5_1_4') }),
    body: { type: 'json', schema: CompleteTaskBody, example: { outcome: 'promise_to_pay', note: 'Betaalt vrijdag.' } },
    responses: {
      200: { description: 'The task, done.', schema: CompletedTask },
      409: error('The task is no longer open (task_not_open).'),
    },
  },
];
