/**
 * What the API answers, as zod schemas: the OpenAPI document (openapi.ts) renders them, and the e2e tests hold the
 * real answers against the document, so a field a service adds without documenting it fails a test.
 *
 * Objects here are open (`z.object`): clients must ignore fields they do not know, so adding one is not a
 * breaking change. The tests check the other direction (nothing undocumented) with a strict reading.
 */
import { z } from 'zod';
import { CHANNELS, PHASES } from '../channels/render-contract.js';
import { SEGMENTS } from '../domain/segmentation.js';
import { CallOutcome, Language } from './schemas.js';

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

export const DossierStatus = z
  .enum(['open', 'paused', 'paid', 'handed_over', 'withdrawn', 'closed'])
  .meta({ id: 'DossierStatus', description: 'open: being worked on; paused: disputed; paid; handed_over: to a bailiff; withdrawn; closed.' });

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
        'claim_received, decision, sent, send_skipped, send_failed, delivered, opened, clicked, bounced, failed, replied, opted_out, payment, paid, call_task, call_outcome, costs, status, journey_ended',
      example: 'sent',
    }),
    channel: z.enum(CHANNELS).optional(),
    detail: z.string().meta({ description: 'What happened and why, readable.', example: 'email sent: reminder (friendly, nl).' }),
  })
  .meta({ id: 'TimelineEntry' });

// No component ids: zod-to-openapi 9.1 drops `null` from a nullable $ref, and these are nullable.
const Phase = z.enum(PHASES).meta({ description: 'Where the journey is.' });
const Segment = z.enum(SEGMENTS as [string, ...string[]]).meta({ description: 'How the debtor is approached; see segmentReasons.' });

export const DossierView = z
  .object({
    dossierId: z.string(),
    reference: z.string().meta({ example: 'INV-1001' }),
    status: DossierStatus,
    amounts: z
      .object({
        principal: cents('The claim, in cents.'),
        costs: cents('Collection costs charged (WIK), in cents; 0 until the 14-day term has passed.'),
        paid: cents('Paid so far, in cents.'),
        outstanding: cents('principal + costs − paid, never below 0.'),
      })
      .meta({ description: 'Money in euro cents.' }),
    debtorId: z.string(),
    journey: z.object({
      phase: Phase.nullable(),
      segment: Segment.nullable(),
      segmentReasons: z.array(z.string()).meta({ example: ['messages delivered but no reaction after 2 contacts'] }),
      nextContactAt: dateTime('The next planned contact, if the journey is running.').nullable(),
    }),
    timeline: z.array(TimelineEntry).meta({ description: 'In time order: what was sent, what happened, and every decision with its reasons.' }),
  })
  .meta({ id: 'Dossier' });

export const DebtorView = z
  .object({
    debtorId: z.string(),
    language: Language,
    consumer: z.boolean(),
    dossiers: z.array(z.object({ dossierId: z.string(), reference: z.string(), status: DossierStatus, outstanding: cents('In cents.') })).meta({
      description: 'Your own dossiers for this debtor (never another creditor’s).',
    }),
    segment: Segment.nullable(),
    segmentReasons: z.array(z.string()),
    optOuts: z.array(z.enum([...CHANNELS, 'all'])).meta({ description: 'Channels the debtor opted out of.' }),
    engagement: z.object({
      sent: z.number().int(),
      delivered: z.number().int(),
      opened: z.number().int(),
      replied: z.number().int(),
      payments: z.number().int(),
    }),
    decisions: z.array(TimelineEntry),
  })
  .meta({ id: 'Debtor', description: 'The debtor as you may see them: your claims, the events about them.' });

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
    lastContacts: z.array(TimelineEntry).meta({ description: 'The last five contacts and reactions.' }),
    talkingLine: z.string().meta({ description: 'What the agent opens the call with.' }),
  })
  .meta({ description: 'Everything the agent needs for the call (the whole person, across creditors: agents only).' });

export const TaskList = z
  .object({
    tasks: z.array(
      z.object({
        taskId: z.string().meta({ example: 'task_deb_01jnq7x5v2k8m3r4t6w8y0z2a5_1_4' }),
        debtorId: z.string(),
        status: z.enum(['open', 'done', 'expired']),
        dueAt: dateTime('Call before this moment; the journey moves on after it.'),
        createdAt: dateTime('When the journey asked for the call.'),
        dossierIds: z.array(z.string()),
        context: TaskContext,
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
