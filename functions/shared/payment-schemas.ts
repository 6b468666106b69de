/**
 * Schemas of issue 9 (payments, the debtor page, arrangements), in their own file: the journey contract's
 * arrangement change, the page's forms and queries, the Mollie webhook and the answers the API adds.
 */
import { z } from 'zod';
import { ARRANGEMENT_STATUSES } from '../domain/arrangements.js';

const cents = z.number().int().nonnegative();
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const PlannedInstalment = z.object({ dueDate: date, amount: cents });
const PlanOption = z.object({ months: z.number().int().positive(), monthly: cents, total: cents, costs: cents, costsReason: z.string(), instalments: z.array(PlannedInstalment) });
export const ArrangementRecord = z.object({
  id: z.string(),
  status: z.enum(ARRANGEMENT_STATUSES),
  dossierIds: z.array(z.string()),
  weights: z.record(z.string(), cents),
  proposedAt: z.string(),
  options: z.array(PlanOption).optional(),
  acceptedAt: z.string().optional(),
  chosen: z.number().int().optional(),
  instalments: z.array(PlannedInstalment.extend({ paidAmount: cents, status: z.enum(['open', 'paid']) })),
  costsReason: z.string().optional(),
  reminders: z.array(z.string()),
  endedAt: z.string().optional(),
  reason: z.string().optional(),
});

/** What a journey step does to the arrangement (domain/case/events.ts ArrangementChange). */
export const ArrangementChangeSchema = z.object({ proposed: ArrangementRecord.optional(), remind: z.string().optional(), breach: z.string().optional() });

/** The page token in the path: base64url, what sealPageToken makes (domain/page-token.ts). */
export const PageParams = z.object({
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be the link from your message')
    .meta({ description: 'The link token from the message: opaque, signed and expiring.', example: 'q3Jx0mJ7l3u1bGQw8g9r0e2KxJ8sd7Hk1vZl0aQ3m1c_xY' }),
});
export const PageQuery = z.strictObject({
  lang: z.enum(['nl', 'en']).optional().meta({ description: 'The page language; default the language of the claims.' }),
  status: z.enum(['return', 'plan', 'told']).optional().meta({ description: 'What the page confirms: return (back from the payment provider), plan (a plan chosen), told (a message received).' }),
});
export const PagePayForm = z.strictObject({
  what: z
    .string()
    .regex(/^(all|instalment|claim-\d{1,3})$/, 'must be all, instalment or claim-<n>')
    .meta({ description: 'all: every open claim; claim-<n>: the n-th claim on the page; instalment: the instalment the link is about.' }),
  lang: z.enum(['nl', 'en']).optional(),
});
export const PagePlanForm = z.strictObject({ option: z.string().regex(/^[1-3]$/, 'must be 1, 2 or 3'), lang: z.enum(['nl', 'en']).optional() });
export const PageTellForm = z.strictObject({
  what: z.enum(['already_paid', 'dispute', 'debt_help']),
  claim: z.string().regex(/^\d{1,3}$/).optional().meta({ description: 'the n-th claim on the page (dispute); default all' }),
  lang: z.enum(['nl', 'en']).optional(),
});

/** Mollie's webhook: the body holds only the payment id (status is fetched from Mollie). */
export const MollieWebhook = z.object({ id: z.string().min(1).max(64).meta({ example: 'tr_WDqYK6vllg' }) });

/** The arrangement as GET /v1/dossiers/{id} shows it: this dossier's share of each instalment. */
export const ArrangementView = z
  .object({
    status: z.enum(ARRANGEMENT_STATUSES),
    instalments: z.array(
      z.object({
        dueDate: z.string().meta({ format: 'date', example: '2026-04-27' }),
        amount: cents.meta({ description: 'This dossier’s share of the instalment, in cents.' }),
        paidAmount: cents,
        status: z.enum(['open', 'paid', 'overdue']),
      }),
    ),
    reason: z.string().optional().meta({ description: 'Why it ended (breached, cancelled, completed).' }),
  })
  .meta({ id: 'Arrangement', description: 'The payment arrangement this dossier is part of (offered, in force or ended).' });

/** The local fake Mollie: what a script may set (DESIGN §8). */
export const LocalMolliePaymentBody = z
  .strictObject({
    status: z.enum(['paid', 'failed', 'expired', 'canceled']).optional(),
    refund: z.number().int().positive().optional().meta({ description: 'Refund this many cents of a paid payment.' }),
    chargeback: z.number().int().positive().optional().meta({ description: 'Charge back this many cents of a paid payment.' }),
  })
  .refine((b) => [b.status, b.refund, b.chargeback].filter((x) => x !== undefined).length === 1, { message: 'send exactly one of status, refund or chargeback' })
  .meta({ id: 'LocalMolliePayment', examples: [{ status: 'paid' }, { refund: 1000 }] });
export const LocalCheckoutForm = z.strictObject({ status: z.enum(['paid', 'failed', 'expired', 'canceled']) });
