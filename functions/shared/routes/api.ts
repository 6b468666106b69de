/** The client API's routes (the Api function, behind the API key authorizer) and the API's own description. */
import {
  BATCH_MAX,
  BatchBody,
  CompleteTaskBody,
  CreateDossierBody,
  EXAMPLE_DOSSIER,
  FlagsBody,
  IDEMPOTENCY_KEY,
  ListDossiersQuery,
  PatchDebtorBody,
  PaymentBody,
  ResolveDisputeBody,
  StatusChangeBody,
  TasksQuery,
} from '../schemas/api.js';
import { doc, Id } from '../schemas/fields.js';
import { BatchResult, CompletedTask, CreatedDossier, DebtorView, DossierList, DossierView, ErrorBody, TaskList } from '../responses.js';
import * as z from '../zod.js';
import { WebhookBody, WebhookView } from '../schemas/creditor-webhook.js';
import type { Route, RouteAnswer } from './route.js';

const idempotencyHeader = z.object({
  'Idempotency-Key': doc(z.optional(z.string().check(z.regex(IDEMPOTENCY_KEY))), {
    description: 'Makes a retry safe: the same key with the same body answers as the first time (7 days); with another body, 422.',
    example: 'create-INV-1001',
  }),
});
const dossierParams = z.object({ dossierId: Id('the dossier id', 'dos_01jnq7x5v2k8m3r4t6w8y0z2a4') });
const debtorParams = z.object({ debtorId: Id('the debtor id', 'deb_01jnq7x5v2k8m3r4t6w8y0z2a5') });
const statusBody = (example: string) => ({ type: 'json' as const, schema: StatusChangeBody, optional: true, example: { reason: example } });
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
    method: 'POST',
    resource: '/v1/dossiers/batch',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'createDossiers',
    tag: 'Dossiers',
    summary: `Hand over up to ${BATCH_MAX} claims at once`,
    description:
      'Each claim is checked and filed on its own, exactly as POST /v1/dossiers would, and gets the answer that route would give it alone ' +
      '(201 with the dossier, or 400/409/422 with the error): a refused claim writes nothing, the others are filed. Idempotent per claim: a claim sent ' +
      'again (same reference, same content) answers 201 with the same ids and writes nothing new (`replayed`); the same reference with other content is that ' +
      'claim’s 409. `npm run import` sends a CSV file through this route.',
    body: { type: 'json', schema: BatchBody, example: { claims: [EXAMPLE_DOSSIER] } },
    responses: { 200: { description: 'One result per claim, in order (also when some or all were refused).', schema: BatchResult } },
  },
  {
    method: 'GET',
    resource: '/v1/dossiers',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'listDossiers',
    tag: 'Dossiers',
    summary: 'Find your dossiers',
    description:
      'Your own dossiers only, by status and then creation time, a page at a time: pass `nextCursor` as `cursor` (with the same filters) for the next page. ' +
      'Filters combine: `reference` (exact, at most one dossier), `status`, `debtorId`, `createdFrom`/`createdTo`. A dossier filed a moment ago may take a ' +
      'second to be listed (the listing is an index); GET /v1/dossiers/{dossierId} is always current. A dossier whose status changes while you page moves ' +
      'in the order: page with a `status` filter for a stable listing.',
    query: ListDossiersQuery,
    responses: { 200: { description: 'A page of dossiers.', schema: DossierList } },
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
    description:
      'Books a payment once per reference (or Idempotency-Key). Full payment stops the outreach for the dossier; a payment beyond what is due is booked ' +
      '(the money arrived) and the surplus shown as `amounts.refundDue`. At most €1,000,000,000.00 may be paid on one dossier in all.',
    params: dossierParams,
    headers: idempotencyHeader,
    body: { type: 'json', schema: PaymentBody, example: { amount: 2500, reference: 'BANK-77' } },
    responses: {
      200: { description: 'The updated dossier (also for a retry of the same payment).', schema: DossierView },
      409: error('This reference (or Idempotency-Key) was booked with another amount or date (payment_reference_reused).'),
      422: error('The total paid on the dossier would pass €1,000,000,000.00 (paid_total_too_large); nothing was booked.'),
    },
  },
  {
    method: 'POST',
    resource: '/v1/dossiers/{dossierId}/withdraw',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'withdrawDossier',
    tag: 'Dossiers',
    summary: 'Withdraw a dossier',
    description:
      'Stops the outreach about this dossier at once, like a payment in full: nothing more is sent about it (a message planned before the withdrawal is not ' +
      'sent), and the journey decides again at once for the debtor’s other claims. From open, paused or debt_help; again on a withdrawn dossier answers the same.',
    params: dossierParams,
    body: statusBody('Betaald via de eigen bank.'),
    responses: {
      200: { description: 'The dossier, withdrawn.', schema: DossierView },
      409: error('The dossier is paid, handed over or closed (not_withdrawable).'),
    },
  },
  {
    method: 'POST',
    resource: '/v1/dossiers/{dossierId}/dispute',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'disputeDossier',
    tag: 'Dossiers',
    summary: 'Report a dispute: pauses the dossier',
    description:
      'The debtor disputes the claim (DESIGN §5: a dispute pauses that dossier): nothing more is sent about it until the dispute is resolved. ' +
      'Again on a paused dossier answers the same.',
    params: dossierParams,
    body: statusBody('Debiteur betwist de meterstand.'),
    responses: {
      200: { description: 'The dossier, paused.', schema: DossierView },
      409: error('The dossier is not open (not_disputable).'),
    },
  },
  {
    method: 'POST',
    resource: '/v1/dossiers/{dossierId}/dispute/resolve',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'resolveDispute',
    tag: 'Dossiers',
    summary: 'Resolve the dispute: resumes or withdraws the dossier',
    description:
      'Ends a dispute however it was raised (your POST …/dispute, the debtor’s reply, an agent’s call). `inFavourOf: "creditor"` (the default): the claim ' +
      'stands, the dossier is open again and its journey resumes at once (a journey that had ended because nothing was open starts again). ' +
      '`inFavourOf: "debtor"`: the dossier is withdrawn. Again on a dossier resolved the same way answers the same.',
    params: dossierParams,
    body: { type: 'json', schema: ResolveDisputeBody, optional: true, example: { inFavourOf: 'creditor', reason: 'Meterstand bevestigd.' } },
    responses: {
      200: { description: 'The dossier, open again (or withdrawn).', schema: DossierView },
      409: error('The dossier is not disputed (not_disputed).'),
    },
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
    params: debtorParams,
    responses: { 200: { description: 'The debtor.', schema: DebtorView } },
  },
  {
    method: 'PATCH',
    resource: '/v1/debtors/{debtorId}',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'updateDebtor',
    tag: 'Debtors',
    summary: 'Update the contact details you gave',
    description:
      'Replaces the email, phone or address you gave with your claims for this debtor (all of them, or `dossierIds`); null removes one. Contact details belong ' +
      'to the claim they came with: another creditor’s, even the same number, stay as they are. The journey uses the new details from its next decision, now. ' +
      'Every claim must keep at least one way to reach the debtor.',
    params: debtorParams,
    body: { type: 'json', schema: PatchDebtorBody, example: { email: 'sam.nieuw@example.com', phone: '+31687654321', whatsappOptIn: true } },
    responses: {
      200: { description: 'The debtor as you may see them, updated.', schema: DebtorView },
      422: error('The change would leave a claim with no way to reach the debtor (no_contact_left), or whatsappOptIn without a phone (no_phone).'),
    },
  },
  {
    method: 'POST',
    resource: '/v1/debtors/{debtorId}/flags',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'setDebtorFlags',
    tag: 'Debtors',
    summary: 'Set or clear flags (vulnerable, WSNP, debt help, …)',
    description:
      'Flags you set come with your claims; you clear only your own. The journey decides again at once: wsnp, schuldhulp and moratorium stop all outreach ' +
      'and cost accrual for the debtor (DESIGN §5 rule 10), vulnerable and the protective measures mean no escalation without an agent, beslag counts as a ' +
      'lack of means. Agent keys set flags about the person. The same flags again change nothing.',
    params: debtorParams,
    body: { type: 'json', schema: FlagsBody, example: { add: ['wsnp'] } },
    responses: { 200: { description: 'The debtor as you may see them, with the flags.', schema: DebtorView } },
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
  {
    method: 'PUT',
    resource: '/v1/webhook',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'putWebhook',
    tag: 'Notifications',
    summary: 'Register your webhook for notifications',
    description:
      'Events about your own dossiers (a reply with its intent, a promise, a dispute, debt help, a vulnerability flag, paid, handed over, withdrawn) are POSTed ' +
      'to this URL, signed: `Maatwerk-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`, with `Maatwerk-Event-Id` to deduplicate on; ' +
      'retried with backoff for about 44 hours until a 2xx. Without `secret` a new one is generated and answered here only. Replaces an earlier registration.',
    body: { type: 'json', schema: WebhookBody, example: { url: 'https://hooks.example.com/maatwerk' } },
    responses: { 200: { description: 'The registration, with the signing secret (this once).', schema: WebhookView } },
  },
  {
    method: 'GET',
    resource: '/v1/webhook',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'getWebhook',
    tag: 'Notifications',
    summary: 'Your webhook registration',
    responses: {
      200: { description: 'The registration (without the secret).', schema: WebhookView },
      404: error('No webhook is registered (not_found).'),
    },
  },
  {
    method: 'DELETE',
    resource: '/v1/webhook',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'deleteWebhook',
    tag: 'Notifications',
    summary: 'Stop notifications',
    description: 'Removes the registration; notifications not yet delivered are dropped. Again without a registration answers 404.',
    responses: { 204: { description: 'Removed.' }, 404: error('No webhook is registered (not_found).') },
  },
];
