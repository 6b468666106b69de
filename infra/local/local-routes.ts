/**
 * The local runtime's own routes (DESIGN §8), in the same table form as the API's (functions/shared/routes.ts):
 * the local API server dispatches by it, checks requests against it, and the local runtime's OpenAPI document
 * lists it under "Local runtime" (these routes never exist on AWS).
 *
 * Every input is validated before anything changes: a bad clock advance is a 400 and the clock stays where it was.
 */
import type { Route } from '../../functions/shared/routes.js';
import { ErrorBody } from '../../functions/shared/responses.js';
import { doc, Id } from '../../functions/shared/schemas/fields.js';
import * as z from '../../functions/shared/zod.js';
import { LocalCheckoutForm, LocalMolliePaymentBody } from '../../functions/shared/schemas/payments.js';
import { CLOCK_MAX } from './clock.js';

/** Ten (Julian) years: the longest a single advance may jump, and how far ahead `until` may lie. */
export const MAX_ADVANCE_SECONDS = 10 * 365.25 * 86_400;

const ClockAdvanceFields = z.strictObject({
  seconds: doc(
    z.optional(
      z
        .number({ error: 'must be a number of seconds, e.g. 3600 (0 runs what is due now and answers when idle)' })
        .check(
          z.minimum(0, 'must be 0 or more seconds (0 runs what is due now and answers when idle)'),
          z.maximum(MAX_ADVANCE_SECONDS, `must be at most ${MAX_ADVANCE_SECONDS} seconds (10 years)`),
        ),
    ),
    { description: 'Move the virtual clock this many seconds forward (0 – 10 years; 0 = run what is due now).', example: 86400 },
  ),
  until: doc(z.optional(z.string({ error: 'must be an ISO-8601 time with a zone, e.g. "2026-03-20T12:00:00Z"' })), {
    description: 'Move the virtual clock to this time (ISO-8601 with a zone, or a date = 00:00 UTC), at most 10 years ahead.',
    example: '2026-03-20T12:00:00Z',
  }),
});

const ISO_WITH_ZONE = z.iso.datetime({ offset: true });
const ISO_DATE = z.iso.date();

/** `until` as epoch ms: a date-time with a zone, or a plain date at 00:00 UTC (what Date.parse made of it before). */
function untilMs(until: string): number | undefined {
  if (ISO_WITH_ZONE.safeParse(until).success || ISO_DATE.safeParse(until).success) {
    const ms = Date.parse(until);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

export const ClockAdvanceBody = doc(ClockAdvanceFields.clone(), {
  id: 'ClockAdvance',
  description: 'Exactly one of seconds or until.',
  examples: [{ seconds: 86400 }, { until: '2026-03-20T12:00:00Z' }],
});

/** The advance body checked against the clock: exactly one of the two, within 10 years of `now`; gives the target. */
export function clockAdvanceAt(now: number) {
  const checked = ClockAdvanceFields.check(
    z.superRefine((b, ctx) => {
    const given = (b.seconds !== undefined ? 1 : 0) + (b.until !== undefined ? 1 : 0);
    if (given !== 1) {
      ctx.addIssue({ code: 'custom', path: given ? ['until'] : [], message: 'send exactly one of { "seconds": N } or { "until": "<ISO-8601>" }' });
      return;
    }
    const field = b.until !== undefined ? 'until' : 'seconds';
    const target = b.until !== undefined ? untilMs(b.until) : now + Math.round(b.seconds! * 1000);
    if (target === undefined) ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be an ISO-8601 time with a zone, e.g. "2026-03-20T12:00:00Z"' });
    else if (target > now + MAX_ADVANCE_SECONDS * 1000) ctx.addIssue({ code: 'custom', path: ['until'], message: `must be at most 10 years ahead of the clock (${new Date(now).toISOString()})` });
    // The clock is saved and must start again: it stays before 2200 (see CLOCK_MAX).
    else if (target >= CLOCK_MAX) ctx.addIssue({ code: 'custom', path: [field], message: `would move the clock past ${new Date(CLOCK_MAX).toISOString()}, the latest time the local runtime keeps` });
    }),
  );
  return z.pipe(checked, z.transform((b) => (b.seconds !== undefined ? now + Math.round(b.seconds * 1000) : untilMs(b.until!)!)));
}

const error = (description: string) => ({ description, schema: ErrorBody });

const molliePaymentParams = z.object({ paymentId: Id('the fake Mollie payment id', 'tr_WDqYK6vllg') });
const MolliePaymentState = z.object({
  id: z.string(),
  status: z.enum(['open', 'paid', 'failed', 'expired', 'canceled']),
  amount: doc(z.number().check(z.int()), { description: 'cents' }),
  refunded: z.number().check(z.int()),
  chargedBack: z.number().check(z.int()),
});

const receiverName = doc(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, _ or -')), { description: 'The receiver: the last path segment of its URL.', example: 'acme' });
export const LocalWebhooksQuery = z.strictObject({ receiver: z.optional(receiverName) });
const HTTP_STATUS = 'must be an HTTP status 400–599';
export const LocalWebhookFailBody = doc(
  z.strictObject({
    times: doc(
      z.number({ error: 'must be a whole number of deliveries, 1–100' }).check(z.int('must be a whole number of deliveries, 1–100'), z.minimum(1, 'must be at least 1'), z.maximum(100, 'must be at most 100')),
      { example: 3 },
    ),
    status: doc(z.optional(z.number({ error: HTTP_STATUS }).check(z.int(HTTP_STATUS), z.minimum(400, HTTP_STATUS), z.maximum(599, HTTP_STATUS))), { description: 'Default 500.', example: 500 }),
    receiver: z.optional(receiverName),
  }),
  { id: 'LocalWebhookFail' },
);
const int = () => z.number().check(z.int());

const StreamState = z.object({
  pendingRecords: doc(int(), { description: 'Records waiting for their batch.' }),
  stats: z.object({ changes: int(), records: int(), batches: int(), invocations: int(), retries: int() }),
  failures: doc(z.array(z.record(z.string(), z.unknown())), { description: 'The on-failure destination: one message per batch that kept failing (Lambda’s format: requestContext, DDBStreamBatchInfo).' }),
});

export const LOCAL_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    resource: '/local/streams',
    fn: 'local',
    auth: 'none',
    operationId: 'localStreams',
    tag: 'Local runtime',
    summary: 'The table’s stream: records waiting, batches delivered, and the failure queue',
    description: 'The stream emulator (infra/local/streams/) feeds the Counters function like the event source mapping on AWS.',
    responses: { 200: { description: 'The stream’s state.', schema: StreamState } },
  },
  {
    method: 'POST',
    resource: '/local/streams/flush',
    fn: 'local',
    auth: 'none',
    operationId: 'localStreamsFlush',
    tag: 'Local runtime',
    summary: 'Deliver every waiting stream record now',
    description:
      'Answers when the Counters function has had every record written so far: the KPIs and experiment results then include everything that happened. (A clock advance waits for the stream too.)',
    responses: { 200: { description: 'The stream’s state after the flush.', schema: StreamState } },
  },
  {
    method: 'GET',
    resource: '/local/webhooks',
    fn: 'local',
    auth: 'none',
    operationId: 'localWebhooks',
    tag: 'Local runtime',
    summary: 'What creditors’ webhook URLs received (the fake receiver)',
    description:
      'Register `<url>` + a name of your choice (e.g. `…/creditor-webhooks/acme`) with PUT /v1/webhook; every delivery is listed here in order, with the raw body as signed.',
    query: LocalWebhooksQuery,
    responses: {
      200: {
        description: 'The deliveries.',
        schema: z.object({
          url: doc(z.string(), { description: 'The receiver’s base URL: append a name.', example: 'http://127.0.0.1:40123/creditor-webhooks/' }),
          pendingFailures: int(),
          deliveries: z.array(
            z.object({
              seq: int(),
              receiver: z.string(),
              receivedAt: doc(z.string(), { format: 'date-time' }),
              headers: z.record(z.string(), z.string()),
              body: doc(z.string(), { description: 'The raw body, exactly as signed.' }),
              status: doc(int(), { description: 'What the fake answered.' }),
            }),
          ),
        }),
      },
    },
  },
  {
    method: 'POST',
    resource: '/local/webhooks/fail',
    fn: 'local',
    auth: 'none',
    operationId: 'localWebhooksFail',
    tag: 'Local runtime',
    summary: 'Make the fake receiver fail the next deliveries',
    description: 'The next `times` deliveries (to `receiver`, or to any) are answered with `status` (default 500), to test retries.',
    body: { type: 'json', lenient: true, schema: LocalWebhookFailBody, example: { times: 3 } },
    responses: { 200: { description: 'How many deliveries will now fail.', schema: z.object({ pendingFailures: int() }) } },
  },
  {
    method: 'GET',
    resource: '/local/mollie/checkout/{paymentId}',
    fn: 'local',
    auth: 'none',
    operationId: 'localMollieCheckout',
    tag: 'Local runtime',
    summary: 'The fake Mollie checkout page (like Mollie’s test mode)',
    description: 'Buttons for paid, failed, expired and canceled; choosing one posts the webhook and returns the debtor to the page.',
    params: molliePaymentParams,
    responses: { 200: { description: 'The checkout page.', contentType: 'text/html', schema: z.string() } },
  },
  {
    method: 'POST',
    resource: '/local/mollie/checkout/{paymentId}',
    fn: 'local',
    auth: 'none',
    operationId: 'localMollieCheckoutChoose',
    tag: 'Local runtime',
    summary: 'A button of the fake checkout',
    params: molliePaymentParams,
    body: { type: 'form', schema: LocalCheckoutForm },
    responses: {
      303: { description: 'Back to the payment’s redirect URL (the debtor page).' },
      409: error('The payment is no longer open (not_open).'),
    },
  },
  {
    method: 'POST',
    resource: '/local/mollie/payments/{paymentId}',
    fn: 'local',
    auth: 'none',
    operationId: 'localMolliePayment',
    tag: 'Local runtime',
    summary: 'Script the fake Mollie: a payment’s outcome, a refund or a chargeback',
    description:
      '`{ "status": "paid" | "failed" | "expired" | "canceled" }` (from open only), `{ "refund": cents }` or `{ "chargeback": cents }` (of a paid payment). ' +
      'Posts Mollie’s webhook (the id only) and answers when the runtime is idle.',
    params: molliePaymentParams,
    body: { type: 'json', lenient: true, schema: LocalMolliePaymentBody, example: { status: 'paid' } },
    responses: {
      200: { description: 'The payment as the fake now holds it.', schema: MolliePaymentState },
      409: error('Not possible in the payment’s state (not_open, not_paid).'),
      422: error('More than the payment’s remaining amount (too_much).'),
    },
  },
  {
    method: 'GET',
    resource: '/local/clock',
    fn: 'local',
    auth: 'none',
    operationId: 'localClock',
    tag: 'Local runtime',
    summary: 'The runtime’s clock',
    responses: {
      200: {
        description: 'What handlers, the engine and the fakes read as "now".',
        schema: z.object({
          now: doc(z.string(), { format: 'date-time', example: '2026-03-02T08:00:00.000Z' }),
          mode: z.enum(['real', 'scaled', 'virtual']),
          scale: doc(z.number(), { description: 'MAATWERK_TIME_SCALE (1 unless scaled).' }),
          pendingTimers: doc(z.number().check(z.int()), { description: 'Waits, timeouts and sends scheduled.' }),
        }),
      },
    },
  },
  {
    method: 'POST',
    resource: '/local/clock/advance',
    fn: 'local',
    auth: 'none',
    operationId: 'localClockAdvance',
    tag: 'Local runtime',
    summary: 'Run the virtual clock forward',
    description:
      'Runs every due wait, timeout and send in time order and answers when the system is idle (MAATWERK_CLOCK=virtual only). ' +
      'For curl’s sake the body is read as JSON whatever its Content-Type says, unless that is another concrete type such as image/png (415).',
    body: { type: 'json', lenient: true, schema: ClockAdvanceBody, example: { until: '2026-03-20T12:00:00Z' } },
    responses: {
      200: { description: 'The new time.', schema: z.object({ now: doc(z.string(), { format: 'date-time' }) }) },
      409: error('The clock is not virtual (clock_not_virtual).'),
      422: error('`until` lies before the current clock time (in_the_past).'),
    },
  },
  {
    method: 'GET',
    resource: '/local/outbox',
    fn: 'local',
    auth: 'none',
    operationId: 'localOutbox',
    tag: 'Local runtime',
    summary: 'What the fake providers received, in send order',
    description: 'Email, SMS, WhatsApp, letters (with a PDF link) and call tasks (channel "call").',
    responses: {
      200: {
        description: 'The messages.',
        schema: z.object({
          messages: z.array(
            z.object({
              id: z.string(),
              channel: doc(z.string(), { example: 'email' }),
              to: z.string(),
              subject: z.optional(z.string()),
              text: z.string(),
              html: z.optional(z.string()),
              template: z.nullable(z.string()),
              tone: z.nullable(z.string()),
              language: z.nullable(z.string()),
              sentAt: doc(z.string(), { format: 'date-time' }),
              debtorId: z.nullable(z.string()),
              dossierIds: z.array(z.string()),
              stepNo: z.optional(z.number().check(z.int())),
              segments: z.optional(z.number().check(z.int())),
              encoding: z.optional(z.string()),
              contentSid: z.optional(z.string()),
              contentVariables: z.optional(z.record(z.string(), z.string())),
              pdf: doc(z.optional(z.string()), { description: 'Letters: where to get the PDF.' }),
              status: doc(z.optional(z.string()), { description: 'Call tasks: open, done or expired.' }),
              inReplyTo: doc(z.optional(z.string()), {
                description: 'An answer to a debtor’s reply (template answer/<intent>): the inbound message’s Twilio MessageSid.',
                example: 'SM00000000000000000000000000000001',
              }),
              reason: doc(z.optional(z.string()), { description: 'Agent tasks: why (call, vulnerable, dispute_review, unclear_reply, …).' }),
              priority: doc(z.optional(z.string()), { description: 'Agent tasks: urgent, high or normal.' }),
            }),
          ),
        }),
      },
    },
  },
  {
    method: 'GET',
    resource: '/local/report',
    fn: 'local',
    auth: 'none',
    operationId: 'localReport',
    tag: 'Local runtime',
    summary: 'The learning report (KPIs, funnel, recovery per variant, channel mix, experiments)',
    description: 'The page `npm run report` writes: self-contained HTML with SVG charts, for all creditors; `from`/`to` (YYYY-MM-DD) pick the contact days (default the last 30).',
    query: z.strictObject({
      from: doc(z.optional(ISO_DATE), { description: 'First contact day, YYYY-MM-DD.', example: '2026-03-01' }),
      to: doc(z.optional(ISO_DATE), { description: 'Last contact day, YYYY-MM-DD.', example: '2026-03-31' }),
    }),
    responses: { 200: { description: 'The report.', contentType: 'text/html', schema: z.string() } },
  },
  {
    method: 'GET',
    resource: '/local/outbox/{messageId}.pdf',
    fn: 'local',
    auth: 'none',
    operationId: 'localLetterPdf',
    tag: 'Local runtime',
    summary: 'A letter as the print service received it',
    params: z.object({ messageId: Id('the letter’s id in the outbox', 'LT00000000000000000000000000000001') }),
    responses: { 200: { description: 'The PDF.', contentType: 'application/pdf', schema: doc(z.string(), { format: 'binary' }) } },
  },
];
