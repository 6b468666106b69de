/**
 * Schemas of issue 9 (payments, the debtor page, arrangements): the journey contract's arrangement change, the
 * page's forms and queries, the Mollie webhook, the arrangement as the API shows it, and the local fake Mollie's
 * controls. zod/mini (../zod.ts); each function bundles only the ones it uses (infra/build/strip-docs.ts).
 */
import { ARRANGEMENT_STATUSES } from '../../domain/arrangements.js';
import * as z from '../zod.js';
import { doc } from './fields.js';

const amount = () => z.number().check(z.int(), z.nonnegative());
const date = () => z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));

const PlannedInstalment = z.object({ dueDate: date(), amount: amount() });
const PlanOption = z.object({
  months: z.number().check(z.int(), z.positive()),
  monthly: amount(),
  total: amount(),
  costs: amount(),
  costsReason: z.string(),
  instalments: z.array(PlannedInstalment),
});
export const ArrangementRecord = z.object({
  id: z.string(),
  status: z.enum(ARRANGEMENT_STATUSES),
  dossierIds: z.array(z.string()),
  weights: z.record(z.string(), amount()),
  proposedAt: z.string(),
  options: z.optional(z.array(PlanOption)),
  acceptedAt: z.optional(z.string()),
  chosen: z.optional(z.number().check(z.int())),
  instalments: z.array(z.extend(PlannedInstalment, { paidAmount: amount(), status: z.enum(['open', 'paid']) })),
  costsReason: z.optional(z.string()),
  reminders: z.array(z.string()),
  endedAt: z.optional(z.string()),
  reason: z.optional(z.string()),
});

/** What a journey step does to the arrangement (domain/case/events.ts ArrangementChange). */
export const ArrangementChangeSchema = z.object({ proposed: z.optional(ArrangementRecord), remind: z.optional(z.string()), breach: z.optional(z.string()) });

const PageLanguage = z.enum(['nl', 'en']);

/** The page token in the path: base64url, what sealPageToken makes (domain/page-token.ts). */
export const PageParams = z.object({
  token: doc(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be the link from your message')), {
    description: 'The link token from the message: opaque, signed and expiring.',
    example: 'q3Jx0mJ7l3u1bGQw8g9r0e2KxJ8sd7Hk1vZl0aQ3m1c_xY',
  }),
});
export const PageQuery = z.strictObject({
  lang: doc(z.optional(PageLanguage), { description: 'The page language; default the language of the claims.' }),
  status: doc(z.optional(z.enum(['return', 'plan', 'told'])), {
    description: 'What the page confirms: return (back from the payment provider), plan (a plan chosen), told (a message received).',
  }),
});
export const PagePayForm = z.strictObject({
  what: doc(z.string().check(z.regex(/^(all|instalment|claim-\d{1,3})$/, 'must be all, instalment or claim-<n>')), {
    description: 'all: every open claim; claim-<n>: the n-th claim on the page; instalment: the instalment the link is about.',
  }),
  lang: z.optional(PageLanguage),
});
export const PagePlanForm = z.strictObject({ option: z.string().check(z.regex(/^[1-3]$/, 'must be 1, 2 or 3')), lang: z.optional(PageLanguage) });
export const PageTellForm = z.strictObject({
  what: z.enum(['already_paid', 'dispute', 'debt_help']),
  claim: doc(z.optional(z.string().check(z.regex(/^\d{1,3}$/))), { description: 'the n-th claim on the page (dispute); default all' }),
  lang: z.optional(PageLanguage),
});

/** Mollie's webhook: the body holds only the payment id (status is fetched from Mollie). */
export const MollieWebhook = z.object({ id: doc(z.string().check(z.minLength(1), z.maxLength(64)), { example: 'tr_WDqYK6vllg' }) });

/** The arrangement as GET /v1/dossiers/{id} shows it: this dossier's share of each instalment. */
export const ArrangementView = doc(
  z.object({
    status: z.enum(ARRANGEMENT_STATUSES),
    instalments: z.array(
      z.object({
        dueDate: doc(z.string(), { format: 'date', example: '2026-04-27' }),
        amount: doc(amount(), { description: 'This dossier’s share of the instalment, in cents.' }),
        paidAmount: amount(),
        status: z.enum(['open', 'paid', 'overdue']),
      }),
    ),
    reason: doc(z.optional(z.string()), { description: 'Why it ended (breached, cancelled, completed).' }),
  }),
  { id: 'Arrangement', description: 'The payment arrangement this dossier is part of (offered, in force or ended).' },
);

const MollieStatus = z.enum(['paid', 'failed', 'expired', 'canceled']);

/** The local fake Mollie: what a script may set (DESIGN §8). */
export const LocalMolliePaymentBody = doc(
  z
    .strictObject({
      status: z.optional(MollieStatus),
      refund: doc(z.optional(z.number().check(z.int(), z.positive())), { description: 'Refund this many cents of a paid payment.' }),
      chargeback: doc(z.optional(z.number().check(z.int(), z.positive())), { description: 'Charge back this many cents of a paid payment.' }),
    })
    .check(z.refine((b) => [b.status, b.refund, b.chargeback].filter((x) => x !== undefined).length === 1, { message: 'send exactly one of status, refund or chargeback' })),
  { id: 'LocalMolliePayment', examples: [{ status: 'paid' }, { refund: 1000 }] },
);
export const LocalCheckoutForm = z.strictObject({ status: MollieStatus });
