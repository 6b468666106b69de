/**
 * What the API answers, as zod schemas (zod/mini): the OpenAPI document (openapi.ts) renders them, and the e2e tests
 * hold the real answers against the document, so a field a service adds without documenting it fails a test.
 *
 * Objects here are open (`z.object`): clients must ignore fields they do not know, so adding one is not a
 * breaking change. The tests check the other direction (nothing undocumented) with a strict reading.
 */
import { CHANNELS, DOSSIER_STATUSES, INTENTS, PHASES, SEGMENTS, TASK_PRIORITIES, TASK_REASONS } from '../domain/vocabulary.js';
import { CallOutcome, Language, doc } from './schemas/fields.js';
import * as z from './zod.js';
import { ArrangementView } from './schemas/payments.js';

const cents = (description: string) => doc(z.number().check(z.int(), z.minimum(0)), { description, example: 12500 });
const dateTime = (description: string) => doc(z.string(), { format: 'date-time', description, example: '2026-03-02T09:30:00.000Z' });
const int = () => z.number().check(z.int());

export const ErrorBody = doc(
  z.object({
    error: z.object({
      code: doc(z.string(), {
        description:
          'Stable, machine-readable: validation_failed, invalid_json, invalid_body, body_not_allowed, invalid_path, unsupported_media_type, too_large, ' +
          'unauthenticated, forbidden, invalid_signature, not_found, method_not_allowed, throttled, duplicate_reference, idempotency_key_reused, task_not_open, internal, …',
        example: 'validation_failed',
      }),
      message: doc(z.string(), { description: 'For people; may change.', example: 'Some fields are missing or invalid.' }),
      fields: doc(z.optional(z.record(z.string(), z.string())), {
        description: 'Per field (dotted path), what is wrong and what is expected.',
        example: { 'debtor.phone': 'must be an E.164 phone number with the country code, e.g. "+31612345678" (not "0612345678")' },
      }),
    }),
  }),
  { id: 'Error', description: 'Every error answer has this shape; never a stack trace.' },
);

export const DossierStatus = doc(z.enum(DOSSIER_STATUSES), {
  id: 'DossierStatus',
  description:
    'open: being worked on; paused: disputed; paid; handed_over: to a bailiff; withdrawn; closed; debt_help: the debtor is in (or reported) municipal debt help, WSNP or a moratorium — collection and cost accrual stopped, the case is referred.',
});

export const CreatedDossier = doc(
  z.object({
    dossierId: doc(z.string(), { example: 'dos_01jnq7x5v2k8m3r4t6w8y0z2a4' }),
    debtorId: doc(z.string(), { description: 'The same for every claim of the same person.', example: 'deb_01jnq7x5v2k8m3r4t6w8y0z2a5' }),
    status: DossierStatus,
  }),
  { id: 'CreatedDossier' },
);

export const TimelineEntry = doc(
  z.object({
    at: dateTime('When it happened.'),
    type: doc(z.string(), {
      description:
        'claim_received, decision, sent, send_skipped, send_failed, delivered, opened, clicked, bounced, failed, replied, opted_out, payment, paid, call_task, call_outcome, costs, ' +
        'status (withdrawn, disputed), contact_updated, flags, journey_ended, ' +
        'task (an agent task a reply needs), answered (the answer to a reply), answer_planned (it waits for 07:00), answer_skipped, answer_failed, dispute_resolved',
      example: 'sent',
    }),
    channel: z.optional(z.enum(CHANNELS)),
    detail: doc(z.string(), {
      description:
        'What happened and why, readable. A reply shows the debtor’s own words only to the creditor whose claims alone the message answered was about (and to the agency); decisions about several creditors’ claims are shown without what came from the others.',
      example: 'email sent (email/reminder/friendly, friendly, nl).',
    }),
    intent: doc(z.optional(z.string()), {
      description: `A reply: what it means — ${INTENTS.join(', ')} (unclear: an agent reads it). Older entries may say other.`,
      example: 'promise_to_pay',
    }),
    confidence: doc(z.optional(z.number().check(z.minimum(0), z.maximum(1))), {
      description: 'A reply: how sure the classification is (0–1); below 0.4 the intent is unclear and an agent gets the reply.',
      example: 0.93,
    }),
  }),
  { id: 'TimelineEntry' },
);

// No component ids: these are nullable, and a nullable reference reads better inline ({"type": ["string", "null"]}).
const Phase = () => doc(z.enum(PHASES), { description: 'Where the journey is.' });
const Segment = () => doc(z.enum(SEGMENTS), { description: 'How the debtor is approached; see segmentReasons.' });

export const DossierView = doc(
  z.object({
    dossierId: z.string(),
    reference: doc(z.string(), { example: 'INV-1001' }),
    status: DossierStatus,
    amounts: doc(
      z.object({
        principal: cents('The claim, in cents.'),
        costs: cents(
          'Collection costs charged, in cents. Consumers: WIK, 0 until the 14-day term has passed. Business debtors: WIK or your agreement, from the day after the due date. Instalment claims: capped by the small-instalment rule.',
        ),
        interest: cents(
          'Statutory interest up to today, in cents (wettelijke rente art. 6:119 BW for consumers, handelsrente art. 6:119a BW for business debtors), compounded yearly from the due date; 0 when you do not claim interest (client setting). Stops accruing when the debtor enters debt relief.',
        ),
        paid: cents('Paid so far, in cents (each payment is allocated to costs, then interest, then principal: art. 6:44 BW; the timeline says how).'),
        outstanding: cents('principal + costs + interest − paid, never below 0.'),
        refundDue: z.optional(cents('What was paid beyond principal + costs + interest: to be refunded (only when above 0).')),
      }),
      { description: 'Money in euro cents.' },
    ),
    debtorId: z.string(),
    journey: z.object({
      phase: z.nullable(Phase()),
      segment: z.nullable(Segment()),
      segmentReasons: doc(z.array(z.string()), { example: ['messages delivered but no reaction after 2 contacts'] }),
      nextContactAt: z.nullable(dateTime('The next planned contact, if the journey is running.')),
    }),
    arrangement: z.optional(ArrangementView),
    timeline: doc(z.array(TimelineEntry), { description: 'In time order: what was sent, what happened, and every decision with its reasons.' }),
  }),
  { id: 'Dossier' },
);

const ContactDetail = doc(
  z.object({
    kind: z.enum(['email', 'phone', 'address']),
    value: doc(z.string(), { example: '+31612345678' }),
    address: z.optional(z.object({ line1: z.string(), postalCode: z.string(), city: z.string(), country: z.string() })),
    usable: doc(z.boolean(), { description: 'false once it bounced, failed or was reported wrong.' }),
    sources: doc(
      z.array(z.object({ dossierId: z.string(), clientId: z.optional(z.string()), at: dateTime('When it came with that claim.'), whatsappOptIn: z.optional(z.boolean()) })),
      { description: 'The claims it came with (yours; the agency sees every creditor’s, with clientId).' },
    ),
  }),
  { id: 'ContactDetail' },
);

export const DebtorView = doc(
  z.object({
    debtorId: z.string(),
    name: doc(z.string(), { description: 'As given with your most recent claim.', example: 'Sam Voorbeeld' }),
    language: Language,
    consumer: z.boolean(),
    contactDetails: doc(z.array(ContactDetail), { description: 'The contact details you gave with your claims (never another creditor’s).' }),
    dossiers: doc(
      z.array(z.object({ dossierId: z.string(), reference: z.string(), status: DossierStatus, outstanding: cents('In cents.'), clientId: z.optional(z.string()) })),
      { description: 'Your own dossiers for this debtor (never another creditor’s); the agency sees all, with clientId.' },
    ),
    segment: z.nullable(Segment()),
    segmentReasons: doc(z.array(z.string()), { description: 'Computed from the facts you may see.' }),
    optOuts: doc(z.array(z.enum([...CHANNELS, 'all'])), { description: 'Channels the debtor opted out of.' }),
    flags: doc(z.optional(z.array(z.string())), {
      description: 'Flags about this debtor you may see: the ones you set, the ones that came with your claims or about the person (agents: all).',
      example: ['wsnp'],
    }),
    creditors: doc(z.optional(z.array(z.string())), { description: 'Agency only: every creditor with a claim on this person.' }),
    engagement: z.object({
      sent: int(),
      delivered: int(),
      opened: int(),
      replied: int(),
      payments: int(),
    }),
    replies: doc(z.array(TimelineEntry), { description: 'Replies about your claims, with their intent.' }),
    decisions: z.array(TimelineEntry),
  }),
  { id: 'Debtor', description: 'The debtor as you may see them: your claims, your contact details, the events about them. Agent keys see the whole person.' },
);

const TaskContext = doc(
  z.object({
    debtorName: z.string(),
    phone: z.optional(z.string()),
    language: Language,
    segment: z.nullable(Segment()),
    segmentReasons: z.array(z.string()),
    openDossiers: z.array(z.object({ dossierId: z.string(), reference: z.string(), creditor: z.string(), status: DossierStatus, outstanding: cents('In cents.') })),
    lastContacts: doc(
      z.array(
        z.object({
          at: dateTime('When it was sent.'),
          type: z.enum(['sent', 'call_task']),
          channel: z.enum(CHANNELS),
          detail: z.string(),
          arrived: z.optional(z.boolean()),
          returned: z.optional(z.boolean()),
        }),
      ),
      { description: 'The last five contacts, and whether they arrived.' },
    ),
    talkingLine: doc(z.string(), { description: 'What the agent opens the call with.' }),
  }),
  { description: 'Everything the agent needs for the call (the whole person, across creditors: agents only).' },
);

export const TaskList = doc(
  z.object({
    tasks: z.array(
      z.object({
        taskId: doc(z.string(), { example: 'task_deb_01jnq7x5v2k8m3r4t6w8y0z2a5_1_4' }),
        reason: doc(z.enum(TASK_REASONS), {
          description:
            'call: a journey step; unassigned_reply: a reply from a number several debtors share, none messaged there in the last 30 days; ' +
            'unclear_reply, call_back_requested, vulnerable, dispute_review, wrong_person, bankruptcy: what a debtor’s reply needs from a person ' +
            '(vulnerable, wrong_person and bankruptcy hold automated outreach until an outcome other than no_answer is recorded).',
        }),
        priority: doc(z.enum(TASK_PRIORITIES), { description: 'urgent (vulnerability: within 4 hours), high, normal. The list is sorted by it, then by due time.' }),
        debtorId: doc(z.nullable(z.string()), { description: 'null for an unassigned reply.' }),
        status: z.enum(['open', 'done', 'expired']),
        dueAt: dateTime('Call before this moment; the journey moves on after it.'),
        createdAt: dateTime('When the journey asked for the call.'),
        dossierIds: z.array(z.string()),
        context: z.union([
          TaskContext,
          doc(
            z.object({
              why: z.string(),
              debtorName: z.string(),
              language: Language,
              channel: z.enum(['sms', 'whatsapp']),
              phone: z.string(),
              text: doc(z.string(), { description: 'The reply in the debtor’s own words.' }),
              intent: z.enum(INTENTS),
              confidence: z.number().check(z.minimum(0), z.maximum(1)),
              guess: doc(z.optional(z.enum(INTENTS)), { description: 'An unclear reply: what the classifier thought most likely.' }),
              openDossiers: z.array(z.object({ dossierId: z.string(), reference: z.string(), creditor: z.string(), status: DossierStatus, outstanding: cents('In cents.') })),
            }),
            { description: 'A task for a reply: the words, what the classifier made of them, the dossiers it answered.' },
          ),
          doc(z.object({ why: z.string(), channel: z.enum(['sms', 'whatsapp']), phone: z.string(), text: z.string(), candidates: z.array(z.string()) }), {
            description: 'An unassigned reply: the words, the number and the debtors who share it.',
          }),
        ]),
      }),
    ),
  }),
  { id: 'TaskList', description: 'Open call tasks, earliest due first.' },
);

export const CompletedTask = doc(
  z.object({ taskId: z.string(), status: z.literal('done'), outcome: CallOutcome, completedAt: dateTime('When the outcome was recorded.') }),
  { id: 'CompletedTask' },
);

/** The webhooks' answer lives with the webhook schemas (the Webhooks function bundles that module, not this one). */
export { SendgridReceipt } from './schemas/webhooks.js';

export const DossierSummary = doc(
  z.object({
    dossierId: doc(z.string(), { example: 'dos_01jnq7x5v2k8m3r4t6w8y0z2a4' }),
    reference: doc(z.string(), { example: 'INV-1001' }),
    status: DossierStatus,
    debtorId: doc(z.string(), { example: 'deb_01jnq7x5v2k8m3r4t6w8y0z2a5' }),
    createdAt: dateTime('When the claim was handed over.'),
    updatedAt: dateTime('Its last change.'),
  }),
  { id: 'DossierSummary' },
);

export const DossierList = doc(
  z.object({
    dossiers: doc(z.array(DossierSummary), { description: 'Your dossiers, by status and then creation time.' }),
    nextCursor: doc(z.nullable(z.string()), { description: 'Pass as `cursor` (with the same filters) for the next page; null on the last page.', example: 'eyJ2IjoxfQ' }),
  }),
  { id: 'DossierList' },
);

export const BatchResult = doc(
  z.object({
    results: doc(
      z.array(
        z.object({
          index: doc(z.number().check(z.int(), z.minimum(0)), { description: 'The claim’s position in `claims` (from 0).' }),
          status: doc(int(), { description: 'The status POST /v1/dossiers would have answered for this claim alone: 201, 400, 409, 422 (or 500).', example: 201 }),
          body: doc(z.union([CreatedDossier, ErrorBody]), { description: 'What POST /v1/dossiers would have answered: the dossier, or the error.' }),
          replayed: doc(z.optional(z.boolean()), { description: 'true: this claim was filed before (same reference, same content); nothing new was written.' }),
        }),
      ),
      { description: 'One result per claim, in the order sent.' },
    ),
    succeeded: doc(int(), { description: 'Claims answered 201 (new or replayed).' }),
    failed: doc(int(), { description: 'Claims refused (their errors say why); nothing of them was written.' }),
  }),
  { id: 'BatchResult' },
);
