/**
 * What the API answers, as zod schemas: the OpenAPI document (openapi.ts) renders them, and the e2e tests hold the
 * real answers against the document, so a field a service adds without documenting it fails a test.
 *
 * Objects here are open (`z.object`): clients must ignore fields they do not know, so adding one is not a
 * breaking change. The tests check the other direction (nothing undocumented) with a strict reading.
 */
import { z } from 'zod';
import { CHANNELS, DOSSIER_STATUSES, INTENTS, PHASES, SEGMENTS, TASK_PRIORITIES, TASK_REASONS } from '../domain/vocabulary.js';
import { CallOutcome, Language } from './schemas.js';
import { ArrangementView } from './payment-schemas.js';

const cents = (description: string) => z.number().int().min(0).meta({ description, example: 12500 });
const dateTime = (description: string) => z.string().meta({ format: 'date-time', description, example: '2026-03-02T09:30:00.000Z' });

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({
        description:
          'Stable, machine-readable: validation_failed, invalid_json, invalid_body, body_not_allowed, invalid_path, unsupported_media_type, too_large, ' +
          'unauthenticated, forbidden, invalid_signature, not_found, method_not_allowed, duplicate_reference, idempotency_key_reused, task_not_open, internal, …',
        example: 'validation_failed',
      }),
      message: z.string().meta({ description: 'For people; may change.', example: 'Some fields are missing or invalid.' }),
      fields: z
        .record(z.string(), z.string())
        .optional()
        .meta({
          description: 'Per field (dotted path), what is wrong and what is expected.',
          example: { 'debtor.phone': 'must be an E.164 phone number with the country code, e.g. "+31612345678" (not "0612345678")' },
        }),
    }),
  })
  .meta({ id: 'Error', description: 'Every error answer has this shape; never a stack trace.' });

export const DossierStatus = z.enum(DOSSIER_STATUSES).meta({
  id: 'DossierStatus',
  description:
    'open: being worked on; paused: disputed; paid; handed_over: to a bailiff; withdrawn; closed; debt_help: the debtor is in (or reported) municipal debt help, WSNP or a moratorium — collection and cost accrual stopped, the case is referred.',
});

export const CreatedDossier = z
  .object({
    dossierId: z.string().meta({ example: 'dos_01jnq7x5v2k8m3r4t6w8y0z2a4' }),
    debtorId: z.string().meta({ description: 'The same for every claim of the same person.', example: 'deb_01jnq7x5v2k8m3r4t6w8y0z2a5' }),
    status: DossierStatus,
  })
  .meta({ id: 'CreatedDossier' });

export const TimelineEntry = z
  .object({
    at: dateTime('When it happened.'),
    type: z.string().meta({
      description:
        'claim_received, decision, sent, send_skipped, send_failed, delivered, opened, clicked, bounced, failed, replied, opted_out, payment, paid, call_task, call_outcome, costs, ' +
        'status (withdrawn, disputed), contact_updated, flags, journey_ended, ' +
        'task (an agent task a reply needs), answered (the answer to a reply), answer_planned (it waits for 07:00), answer_skipped, answer_failed, dispute_resolved',
      example: 'sent',
    }),
    channel: z.enum(CHANNELS).optional(),
    detail: z.string().meta({
      description:
        'What happened and why, readable. A reply shows the debtor’s own words only to the creditor whose claims alone the message answered was about (and to the agency); decisions about several creditors’ claims are shown without what came from the others.',
      example: 'email sent (email/reminder/friendly, friendly, nl).',
    }),
    intent: z
      .string()
      .optional()
      .meta({ description: `A reply: what it means — ${INTENTS.join(', ')} (unclear: an agent reads it). Older entries may say other.`, example: 'promise_to_pay' }),
    confidence: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .meta({ description: 'A reply: how sure the classification is (0–1); below 0.4 the intent is unclear and an agent gets the reply.', example: 0.93 }),
  })
  .meta({ id: 'TimelineEntry' });

// No component ids: zod-to-openapi 9.1 drops `null` from a nullable $ref, and these are nullable.
const Phase = z.enum(PHASES).meta({ description: 'Where the journey is.' });
const Segment = z.enum(SEGMENTS).meta({ description: 'How the debtor is approached; see segmentReasons.' });

export const DossierView = z
  .object({
    dossierId: z.string(),
    reference: z.string().meta({ example: 'INV-1001' }),
    status: DossierStatus,
    amounts: z
      .object({
        principal: cents('The claim, in cents.'),
        costs: cents(
          'Collection costs charged, in cents. Consumers: WIK, 0 until the 14-day term has passed. Business debtors: WIK or your agreement, from the day after the due date. Instalment claims: capped by the small-instalment rule.',
        ),
        interest: cents(
          'Statutory interest up to today, in cents (wettelijke rente art. 6:119 BW for consumers, handelsrente art. 6:119a BW for business debtors), compounded yearly from the due date; 0 when you do not claim interest (client setting). Stops accruing when the debtor enters debt relief.',
        ),
        paid: cents('Paid so far, in cents (each payment is allocated to costs, then interest, then principal: art. 6:44 BW; the timeline says how).'),
        outstanding: cents('principal + costs + interest − paid, never below 0.'),
        refundDue: cents('What was paid beyond principal + costs + interest: to be refunded (only when above 0).').optional(),
      })
      .meta({ description: 'Money in euro cents.' }),
    debtorId: z.string(),
    journey: z.object({
      phase: Phase.nullable(),
      segment: Segment.nullable(),
      segmentReasons: z.array(z.string()).meta({ example: ['messages delivered but no reaction after 2 contacts'] }),
      nextContactAt: dateTime('The next planned contact, if the journey is running.').nullable(),
    }),
    arrangement: ArrangementView.optional(),
    timeline: z.array(TimelineEntry).meta({ description: 'In time order: what was sent, what happened, and every decision with its reasons.' }),
  })
  .meta({ id: 'Dossier' });

const ContactDetail = z
  .object({
    kind: z.enum(['email', 'phone', 'address']),
    value: z.string().meta({ example: '+31612345678' }),
    address: z.object({ line1: z.string(), postalCode: z.string(), city: z.string(), country: z.string() }).optional(),
    usable: z.boolean().meta({ description: 'false once it bounced, failed or was reported wrong.' }),
    sources: z
      .array(z.object({ dossierId: z.string(), clientId: z.string().optional(), at: dateTime('When it came with that claim.'), whatsappOptIn: z.boolean().optional() }))
      .meta({ description: 'The claims it came with (yours; the agency sees every creditor’s, with clientId).' }),
  })
  .meta({ id: 'ContactDetail' });

export const DebtorView = z
  .object({
    debtorId: z.string(),
    name: z.string().meta({ description: 'As given with your most recent claim.', example: 'Sam Voorbeeld' }),
    language: Language,
    consumer: z.boolean(),
    contactDetails: z.array(ContactDetail).meta({ description: 'The contact details you gave with your claims (never another creditor’s).' }),
    dossiers: z
      .array(z.object({ dossierId: z.string(), reference: z.string(), status: DossierStatus, outstanding: cents('In cents.'), clientId: z.string().optional() }))
      .meta({ description: 'Your own dossiers for this debtor (never another creditor’s); the agency sees all, with clientId.' }),
    segment: Segment.nullable(),
    segmentReasons: z.array(z.string()).meta({ description: 'Computed from the facts you may see.' }),
    optOuts: z.array(z.enum([...CHANNELS, 'all'])).meta({ description: 'Channels the debtor opted out of.' }),
    flags: z
      .array(z.string())
      .optional()
      .meta({ description: 'Flags about this debtor you may see: the ones you set, the ones that came with your claims or about the person (agents: all).', example: ['wsnp'] }),
    creditors: z.array(z.string()).optional().meta({ description: 'Agency only: every creditor with a claim on this person.' }),
    engagement: z.object({
      sent: z.number().int(),
      delivered: z.number().int(),
      opened: z.number().int(),
      replied: z.number().int(),
      payments: z.number().int(),
    }),
    replies: z.array(TimelineEntry).meta({ description: 'Replies about your claims, with their intent.' }),
    decisions: z.array(TimelineEntry),
  })
  .meta({ id: 'Debtor', description: 'The debtor as you may see them: your claims, your contact details, the events about them. Agent keys see the whole person.' });

const TaskContext = z
  .object({
    debtorName: z.string(),
    phone: z.string().optional(),
    language: Language,
    segment: Segment.nullable(),
    segmentReasons: z.array(z.string()),
    openDossiers: z.array(
      z.object({ dossierId: z.string(), reference: z.string(), creditor: z.string(), status: DossierStatus, outstanding: cents('In cents.') }),
    ),
    lastContacts: z
      .array(
        z.object({
          at: dateTime('When it was sent.'),
          type: z.enum(['sent', 'call_task']),
          channel: z.enum(CHANNELS),
          detail: z.string(),
          arrived: z.boolean().optional(),
          returned: z.boolean().optional(),
        }),
      )
      .meta({ description: 'The last five contacts, and whether they arrived.' }),
    talkingLine: z.string().meta({ description: 'What the agent opens the call with.' }),
  })
  .meta({ description: 'Everything the agent needs for the call (the whole person, across creditors: agents only).' });

export const TaskList = z
  .object({
    tasks: z.array(
      z.object({
        taskId: z.string().meta({ example: 'task_deb_01jnq7x5v2k8m3r4t6w8y0z2a5_1_4' }),
        reason: z.enum(TASK_REASONS).meta({
          description:
            'call: a journey step; unassigned_reply: a reply from a number several debtors share, none messaged there in the last 30 days; ' +
            'unclear_reply, call_back_requested, vulnerable, dispute_review, wrong_person, bankruptcy: what a debtor’s reply needs from a person ' +
            '(vulnerable, wrong_person and bankruptcy hold automated outreach until an outcome other than no_answer is recorded).',
        }),
        priority: z.enum(TASK_PRIORITIES).meta({ description: 'urgent (vulnerability: within 4 hours), high, normal. The list is sorted by it, then by due time.' }),
        debtorId: z.string().nullable().meta({ description: 'null for an unassigned reply.' }),
        status: z.enum(['open', 'done', 'expired']),
        dueAt: dateTime('Call before this moment; the journey moves on after it.'),
        createdAt: dateTime('When the journey asked for the call.'),
        dossierIds: z.array(z.string()),
        context: z.union([
          TaskContext,
          z
            .object({
              why: z.string(),
              debtorName: z.string(),
              language: Language,
              channel: z.enum(['sms', 'whatsapp']),
              phone: z.string(),
              text: z.string().meta({ description: 'The reply in the debtor’s own words.' }),
              intent: z.enum(INTENTS),
              confidence: z.number().min(0).max(1),
              guess: z.enum(INTENTS).optional().meta({ description: 'An unclear reply: what the classifier thought most likely.' }),
              openDossiers: z.array(z.object({ dossierId: z.string(), reference: z.string(), creditor: z.string(), status: DossierStatus, outstanding: cents('In cents.') })),
            })
            .meta({ description: 'A task for a reply: the words, what the classifier made of them, the dossiers it answered.' }),
          z
            .object({ why: z.string(), channel: z.enum(['sms', 'whatsapp']), phone: z.string(), text: z.string(), candidates: z.array(z.string()) })
            .meta({ description: 'An unassigned reply: the words, the number and the debtors who share it.' }),
        ]),
      }),
    ),
  })
  .meta({ id: 'TaskList', description: 'Open call tasks, earliest due first.' });

export const CompletedTask = z
  .object({ taskId: z.string(), status: z.literal('done'), outcome: CallOutcome, completedAt: dateTime('When the outcome was recorded.') })
  .meta({ id: 'CompletedTask' });

export const SendgridReceipt = z.object({
  received: z.number().int().meta({ description: 'Events in the batch.' }),
  recorded: z.number().int().meta({ description: 'Events that were new and about a known message.' }),
});

export const DossierSummary = z
  .object({
    dossierId: z.string().meta({ example: 'dos_01jnq7x5v2k8m3r4t6w8y0z2a4' }),
    reference: z.string().meta({ example: 'INV-1001' }),
    status: DossierStatus,
    debtorId: z.string().meta({ example: 'deb_01jnq7x5v2k8m3r4t6w8y0z2a5' }),
    createdAt: dateTime('When the claim was handed over.'),
    updatedAt: dateTime('Its last change.'),
  })
  .meta({ id: 'DossierSummary' });

export const DossierList = z
  .object({
    dossiers: z.array(DossierSummary).meta({ description: 'Your dossiers, by status and then creation time.' }),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as `cursor` (with the same filters) for the next page; null on the last page.', example: 'eyJ2IjoxfQ' }),
  })
  .meta({ id: 'DossierList' });

export const BatchResult = z
  .object({
    results: z
      .array(
        z.object({
          index: z.number().int().min(0).meta({ description: 'The claim’s position in `claims` (from 0).' }),
          status: z.number().int().meta({ description: 'The status POST /v1/dossiers would have answered for this claim alone: 201, 400, 409, 422 (or 500).', example: 201 }),
          body: z.union([CreatedDossier, ErrorBody]).meta({ description: 'What POST /v1/dossiers would have answered: the dossier, or the error.' }),
          replayed: z.boolean().optional().meta({ description: 'true: this claim was filed before (same reference, same content); nothing new was written.' }),
        }),
      )
      .meta({ description: 'One result per claim, in the order sent.' }),
    succeeded: z.number().int().meta({ description: 'Claims answered 201 (new or replayed).' }),
    failed: z.number().int().meta({ description: 'Claims refused (their errors say why); nothing of them was written.' }),
  })
  .meta({ id: 'BatchResult' });
