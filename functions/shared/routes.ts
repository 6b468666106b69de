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
import { CompleteTaskBody, CreateDossierBody, EXAMPLE_DOSSIER, IDEMPOTENCY_KEY, Id, PaymentBody, TasksQuery, TwilioInbound, TwilioStatus } from './schemas.js';
import { CompletedTask, CreatedDossier, DebtorView, DossierView, ErrorBody, SendgridReceipt, TaskList } from './responses.js';
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
}

export interface RouteAnswer {
  description: string;
  schema?: z.ZodType;
  /** default application/json */
  contentType?: string;
}

export interface Route {
  method: 'GET' | 'POST';
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
const error = (description: string): RouteAnswer => ({ description, schema: ErrorBody });

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
  {
    method: 'GET',
    resource: '/v1/reports/kpis',
    fn: 'api',
    auth: 'apiKey',
    operationId: 'kpiReport',
    tag: 'Reports',
    summary: 'KPIs per segment, channel, template, tone, variant or client',
    description:
      'Per group: debtors, contacts, the rates of any reaction (7 days), replies (7 days), promises or arrangements (14 days) and payments (30 days) ' +
      'after a contact, recovered cents (60 days, last touch), the contacts’ cost at list prices and recovered per euro spent. Counted by the day ' +
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
