/**
 * The HTTP routes (API §7): the one table that says, per route, which Lambda serves it, how callers authenticate,
 * what it takes (path parameters, query, headers, body) and what it answers. Everything else is derived from it:
 * - the CDK stack creates the API Gateway resources and methods from it (infra/aws/stack.ts);
 * - the local runtime turns a request into the proxy event API Gateway would send (infra/local/api-server.ts);
 * - the handlers check path parameters, query, Content-Type and "no body on GET" against it (http.ts checkRequest);
 * - the OpenAPI document and the docs page are rendered from it (openapi.ts, docs-page.ts), and a test fails when
 *   the document and this table disagree.
 *
 * Adding a route: add an entry here (schemas from schemas.ts, answers from responses.ts), handle it in the function's
 * switch, and add it to the stack test's list. The common error answers (400, 401, 403, 404, 413, 415, 500) are
 * added to the document from `auth`, `params` and `body`; list only the ones particular to the route.
 */
import { z } from 'zod';
import {
  BATCH_MAX,
  BatchBody,
  CompleteTaskBody,
  CreateDossierBody,
  EXAMPLE_DOSSIER,
  FlagsBody,
  IDEMPOTENCY_KEY,
  Id,
  ListDossiersQuery,
  PatchDebtorBody,
  PaymentBody,
  ResolveDisputeBody,
  StatusChangeBody,
  TasksQuery,
  TwilioInbound,
  TwilioStatus,
} from './schemas.js';
import { BatchResult, CompletedTask, CreatedDossier, DebtorView, DossierList, DossierView, ErrorBody, SendgridReceipt, TaskList } from './responses.js';
import { WebhookBody, WebhookView } from './webhook-schemas.js';
import { MollieWebhook, PagePayForm, PageParams, PagePlanForm, PageQuery, PageTellForm } from './payment-schemas.js';
import { ExperimentResultsView, KpiQuery, KpiReport } from '../reports/schemas.js';

/** apiKey: any client key; agentKey: an agency key (else 403); the signatures: the provider's, over the raw request. */
export type Auth = 'apiKey' | 'agentKey' | 'twilioSignature' | 'sendgridSignature' | 'none';

export interface RouteBody {
  /** json: application/json (415 otherwise); form: application/x-www-form-urlencoded */
  type: 'json' | 'form';
  /**
   * json only: also read the body as JSON when the Content-Type is missing, text/plain or form-encoded — what
   * `curl -d` and `fetch(url, { body: string })` send. The local routes use it so the README's curl lines work.
   */
  lenient?: boolean;
  schema: z.ZodType;
  example?: unknown;
  /** the body may be left out (then it is read as {}) */
  optional?: boolean;
}

export interface RouteAnswer {
  description: string;
  schema?: z.ZodType;
  /** default application/json */
  contentType?: string;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  resource: string;
  /** the Lambda that serves it; `local` routes exist only on the local runtime */
  fn: 'api' | 'webhooks' | 'local';
  auth: Auth;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  params?: z.ZodObject;
  /** accepted query parameters; any other is refused (400). None declared: no query parameters at all. */
  query?: z.ZodObject;
  /** request headers besides the authentication (e.g. Idempotency-Key) */
  headers?: z.ZodObject;
  body?: RouteBody;
  /** success answers and the errors particular to this route */
  responses: Record<number, RouteAnswer>;
}

const idempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .regex(IDEMPOTENCY_KEY)
    .optional()
    .meta({ description: 'Makes a retry safe: the same key with the same body answers as the first time (7 days); with another body, 422.', example: 'create-INV-1001' }),
});
const twilioHeaders = z.object({
  'X-Twilio-Signature': z.string().meta({ description: 'HMAC-SHA1 of the public URL and the sorted form fields, with the Twilio auth token.' }),
});
const sendgridHeaders = z.object({
  'X-Twilio-Email-Event-Webhook-Signature': z.string().meta({ description: 'ECDSA P-256 signature of timestamp + raw body.' }),
  'X-Twilio-Email-Event-Webhook-Timestamp': z.string().meta({ description: 'Unix seconds, as signed.' }),
});
const dossierParams = z.object({ dossierId: Id('the dossier id', 'dos_01jnq7x5v2k8m3r4t6w8y0z2a4') });
const debtorParams = z.object({ debtorId: Id('the debtor id', 'deb_01jnq7x5v2k8m3r4t6w8y0z2a5') });
const statusBody = (example: string) => ({ type: 'json' as const, schema: StatusChangeBody, optional: true, example: { reason: example } });
const error = (description: string): RouteAnswer => ({ description, schema: ErrorBody });
const page = (description: string): RouteAnswer => ({ description, contentType: 'text/html', schema: z.string() });
/** What every debtor page route may answer besides its success. */
const PAGE_ANSWERS: Record<number, RouteAnswer> = {
  404: page('An unknown, forged or expired link: a friendly page with how to reach the agency (it does not say which).'),
  429: page('Too many requests from this address or for this link (60 per address, 30 per link in 10 minutes); Retry-After says when.'),
};
const PAGE_FORM_ANSWERS: Record<number, RouteAnswer> = {
  ...PAGE_ANSWERS,
  400: page('The form is not valid.'),
  409: page('Nothing to pay for this choice, a payment for these claims still in progress, no such plan (any more), or no such claim on the page.'),
};

export const ROUTES: readonly Route[] = [
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
    method: 'GET',
    resource: '/v1/reports/kpis',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'kpiReport',
    tag: 'Reports',
    summary: 'KPIs per segment, channel, template, tone, variant or client',
    description:
      'Per group: debtors, contacts, the rates of delivered, opened and clicked messages (the providers’ statuses, 7 days), any reaction (7 days), ' +
      'replies (7 days), promises or arrangements (14 days) and payments (30 days) after a contact, replies per intent (each reply once, last touch), ' +
      'recovered cents (60 days, last touch), the contacts’ cost at list prices and recovered per euro spent. Counted by the day ' +
      'a contact was sent (Europe/Amsterdam). A creditor sees only contacts about its own claims and outcomes about them; an agency key sees all.',
    query: KpiQuery,
    responses: { 200: { description: 'The report.', schema: KpiReport } },
  },
  {
    method: 'GET',
    resource: '/v1/experiments/{experimentId}/results',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'experimentResults',
    tag: 'Reports',
    summary: 'An experiment’s results per variant',
    description:
      'Per variant: debtors exposed and matured (their metric window passed), the metric with a 95% interval, the difference to the control with a ' +
      'p-value (fixed allocation) or the probability of being best and the current share (Thompson), and the verdict. Agency keys see every ' +
      'experiment; a creditor only one limited to its own claims.',
    params: z.object({ experimentId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'must be an experiment id: a-z, 0-9, _ and -, e.g. "tone-first-demand"').meta({ description: 'The experiment id (the strategy file).', example: 'tone-first-demand' }) }),
    responses: { 200: { description: 'The results.', schema: ExperimentResultsView } },
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
  {
    method: 'POST',
    resource: '/webhooks/twilio/inbound',
    fn: 'webhooks',
    auth: 'twilioSignature',
    operationId: 'twilioInbound',
    tag: 'Provider webhooks',
    summary: 'A debtor’s SMS or WhatsApp reply (Twilio)',
    description:
      'Recorded once per MessageSid, classified (intent, confidence), handed to an agent where it needs a person, answered once on the same channel ' +
      '(through the Messages API, at 07:00 when it arrives outside contact hours; opt-out confirmations at once), and the journey woken. ' +
      'Point Twilio’s messaging webhook here.',
    headers: twilioHeaders,
    body: { type: 'form', schema: TwilioInbound },
    responses: { 200: { description: 'Empty TwiML: the answer goes through the Messages API, not in this response.', contentType: 'text/xml', schema: z.string() } },
  },
  {
    method: 'POST',
    resource: '/webhooks/twilio/status',
    fn: 'webhooks',
    auth: 'twilioSignature',
    operationId: 'twilioStatus',
    tag: 'Provider webhooks',
    summary: 'Twilio message status callback',
    description: 'The callback URL the channel step sets, with the step in its (signed) query.',
    headers: twilioHeaders,
    query: z.strictObject({
      c: z.string().max(100).optional().meta({ description: 'case id' }),
      j: z.string().max(10).optional().meta({ description: 'journey number' }),
      s: z.string().max(10).optional().meta({ description: 'step number' }),
    }),
    body: { type: 'form', schema: TwilioStatus },
    responses: { 204: { description: 'Recorded (once per message and status).' } },
  },
  {
    method: 'POST',
    resource: '/webhooks/sendgrid/events',
    fn: 'webhooks',
    auth: 'sendgridSignature',
    operationId: 'sendgridEvents',
    tag: 'Provider webhooks',
    summary: 'SendGrid signed event webhook',
    description: 'Delivered, opened, clicked, bounced, … verified on the raw body; each event recorded once.',
    headers: sendgridHeaders,
    body: { type: 'json', schema: z.array(z.record(z.string(), z.unknown())).meta({ description: 'SendGrid’s event objects.' }) },
    responses: { 200: { description: 'How many events were recorded.', schema: SendgridReceipt } },
  },
  {
    method: 'POST',
    resource: '/webhooks/mollie',
    fn: 'webhooks',
    auth: 'none',
    operationId: 'mollieWebhook',
    tag: 'Provider webhooks',
    summary: 'Mollie payment webhook',
    description:
      'Mollie posts only the payment id. The payment is fetched from the Mollie API before anything is booked, so a call with an unknown or open payment changes nothing. ' +
      'A paid payment is booked once per payment id (also when the webhook comes again), split per dossier; failed, expired and canceled ones go on the timeline only; refunds and chargebacks reopen what they undo.',
    body: { type: 'form', schema: MollieWebhook },
    responses: { 200: { description: 'Received (whatever the payment turned out to be: Mollie only needs a 2xx).', schema: z.object({ received: z.literal(true) }) } },
  },
  {
    method: 'GET',
    resource: '/p/{token}',
    fn: 'api',
    auth: 'none',
    operationId: 'debtorPage',
    tag: 'Debtor page',
    summary: 'The debtor’s own page: open claims, pay, a payment plan',
    description:
      'The link in every message (one per debtor and message; signed, expiring, opaque: no ids or personal data in it). Server-rendered HTML in Dutch or English, works without JavaScript. ' +
      'Shows the debtor’s open claims at this agency with creditor, reference, amounts and costs explained; lets them pay all or one, choose a payment plan, say they already paid, dispute a claim or report debt help.',
    params: PageParams,
    query: PageQuery,
    responses: { 200: page('The page.'), ...PAGE_ANSWERS },
  },
  {
    method: 'POST',
    resource: '/p/{token}/pay',
    fn: 'api',
    auth: 'none',
    operationId: 'debtorPagePay',
    tag: 'Debtor page',
    summary: 'Pay (all, one claim, or the instalment) with iDEAL',
    description: 'Creates a payment at Mollie for exactly the choice, split per dossier in cents, and sends the debtor to its checkout (303).',
    params: PageParams,
    body: { type: 'form', schema: PagePayForm },
    responses: { 303: { description: 'To the payment provider’s checkout.' }, ...PAGE_FORM_ANSWERS },
  },
  {
    method: 'POST',
    resource: '/p/{token}/plan',
    fn: 'api',
    auth: 'none',
    operationId: 'debtorPagePlan',
    tag: 'Debtor page',
    summary: 'Choose a payment plan',
    params: PageParams,
    body: { type: 'form', schema: PagePlanForm },
    responses: { 303: { description: 'Back to the page, the plan in force.' }, ...PAGE_FORM_ANSWERS },
  },
  {
    method: 'POST',
    resource: '/p/{token}/tell',
    fn: 'api',
    auth: 'none',
    operationId: 'debtorPageTell',
    tag: 'Debtor page',
    summary: 'Already paid, a dispute, or debt help',
    description: 'The same effects as the matching replies: already paid gives time, a dispute pauses that dossier, debt help stops all outreach.',
    params: PageParams,
    body: { type: 'form', schema: PageTellForm },
    responses: { 303: { description: 'Back to the page.' }, ...PAGE_FORM_ANSWERS },
  },
  {
    method: 'GET',
    resource: '/openapi.json',
    fn: 'api',
    auth: 'none',
    operationId: 'openapi',
    tag: 'Documentation',
    summary: 'This document (OpenAPI 3.1)',
    responses: { 200: { description: 'The OpenAPI document.', schema: z.record(z.string(), z.unknown()) } },
  },
  {
    method: 'GET',
    resource: '/docs',
    fn: 'api',
    auth: 'none',
    operationId: 'docs',
    tag: 'Documentation',
    summary: 'This document as a page',
    responses: { 200: { description: 'HTML, self-contained (no scripts, nothing loaded from elsewhere).', contentType: 'text/html', schema: z.string() } },
  },
];

/** The route a Lambda proxy event belongs to (by method and resource pattern). */
export function routeFor(method: string, resource: string, routes: readonly Route[] = ROUTES): Route | undefined {
  return routes.find((r) => r.method === method.toUpperCase() && r.resource === resource);
}

export type RouteMatch =
  | { kind: 'match'; route: Route; pathParameters: Record<string, string> }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' }
  /** a path segment with malformed %-encoding ("%E0%A4%A"): a 400, not a crash */
  | { kind: 'bad_path'; segment: string };

/** A `{param}` segment, optionally with a literal suffix (`{messageId}.pdf`). */
const PARAM = /^\{(\w+)\}(.*)$/;

export function matchRoute(method: string, path: string, routes: readonly Route[] = ROUTES): RouteMatch {
  const parts = path.replace(/\/+$/, '').split('/');
  const allowed: string[] = [];
  for (const route of routes) {
    const pattern = route.resource.split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let bad: string | undefined;
    const ok = pattern.every((seg, i) => {
      const m = PARAM.exec(seg);
      if (!m) return seg === parts[i];
      const [, name, suffix] = m;
      const raw = parts[i];
      if (!raw.endsWith(suffix) || raw.length === suffix.length) return false;
      try {
        params[name] = decodeURIComponent(raw.slice(0, raw.length - suffix.length));
      } catch {
        bad = raw;
        return false;
      }
      return true;
    });
    if (bad !== undefined) return { kind: 'bad_path', segment: bad };
    if (!ok) continue;
    if (route.method === method.toUpperCase()) return { kind: 'match', route, pathParameters: params };
    allowed.push(route.method);
  }
  return allowed.length ? { kind: 'method_not_allowed', allowed } : { kind: 'not_found' };
}
