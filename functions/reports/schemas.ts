/**
 * The reports' edge: the query of GET /v1/reports/kpis and the answers of both report routes (zod: the handler
 * validates with them, the OpenAPI document renders them). Kept in their own file (schemas.ts holds the rest).
 */
import { z } from 'zod';
import { GROUP_BY } from '../domain/outcomes/kpis.js';
import { INTENTS } from '../domain/vocabulary.js';

/** At most this many days per KPI request (a year and a day: a leap year fits). */
export const MAX_REPORT_DAYS = 366;

const day = (what: string) =>
  z.iso.date({ error: (iss) => (iss.input === undefined ? `is required: ${what} as YYYY-MM-DD` : `must be a date YYYY-MM-DD, e.g. "2026-03-01": ${what}`) });

export const KpiQuery = z
  .strictObject({
    from: day('the first day of the contacts counted (Europe/Amsterdam)').optional().meta({ description: 'First day (YYYY-MM-DD, Europe/Amsterdam) of the contacts counted; default 30 days before `to`.', example: '2026-03-01' }),
    to: day('the last day').optional().meta({ description: 'Last day (inclusive); default today.', example: '2026-03-31' }),
    groupBy: z
      .enum(GROUP_BY, { error: `must be one of ${GROUP_BY.join(', ')}` })
      .optional()
      .meta({ description: `One of ${GROUP_BY.join(', ')}; default segment.`, example: 'channel' }),
  })
  .superRefine((q, ctx) => {
    if (q.from && q.to && q.from > q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    if (q.from && q.to && (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 + 1 > MAX_REPORT_DAYS) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_REPORT_DAYS} days after from` });
    }
  });
export type KpiQuery = z.infer<typeof KpiQuery>;

const rate = (description: string) => z.number().min(0).max(1).meta({ description, example: 0.23 });
const cents = (description: string) => z.number().int().meta({ description, example: 125000 });

export const KpiGroup = z
  .object({
    group: z.string().meta({ description: 'The group (a segment, channel, template id, tone, "experiment:variant" or client id).', example: 'sms' }),
    debtors: z.number().int().min(0).meta({ description: 'Debtors contacted in the group (once per journey).' }),
    contacts: z.number().int().min(0).meta({ description: 'Messages, letters and call tasks sent.' }),
    deliveredRate: rate(
      'Contacts the provider reported delivered within 7 days (a delivered status, or an open or a click, which show delivery) / contacts. SMS and WhatsApp (Twilio) and email (SendGrid) report it; letters and calls do not.',
    ),
    openedRate: rate('Contacts opened within 7 days (an email opened or a link in it clicked, a WhatsApp message read) / contacts. SMS reports no opens.'),
    clickedRate: rate('Contacts with a link clicked within 7 days (email) / contacts.'),
    contactRate: rate('Contacts with any reaction within 7 days (opened, clicked, replied, promised, paid, reached by phone) / contacts.'),
    replyRate: rate('Contacts followed by a reply within 7 days / contacts.'),
    repliesByIntent: z
      .partialRecord(z.enum(INTENTS), z.number().int().min(0))
      .meta({
        description:
          'Replies per intent (as the classifier read them; opt-outs included, which are no reaction): each reply counts once, for the last contact about its claims within 7 days before it (last touch). Intents without replies are left out.',
        example: { promise_to_pay: 12, arrangement: 4, opt_out: 1 },
      }),
    promiseRate: rate('Contacts followed by a promise to pay or an arrangement within 14 days / contacts.'),
    paymentRate: rate('Contacts followed by a payment within 30 days / contacts.'),
    recoveredCents: cents('Payments within 60 days, each to the last contact before it about that claim (last touch).'),
    costCents: cents('The contacts at the channel list prices.'),
    recoveredPerEuroSpent: z.number().min(0).meta({ description: 'recoveredCents / costCents: euros recovered per euro spent on contacts.', example: 12.5 }),
  })
  .meta({ id: 'KpiGroup' });

export const KpiReport = z
  .object({
    from: z.string().meta({ example: '2026-03-01' }),
    to: z.string().meta({ example: '2026-03-31' }),
    groupBy: z.enum(GROUP_BY),
    scope: z.string().meta({ description: 'Whose contacts: your client id, or "all" with an agency key.', example: 'acme' }),
    groups: z.array(KpiGroup),
    total: KpiGroup,
  })
  .meta({ id: 'KpiReport', description: 'Counted by the day a contact was sent; outcomes count for the contacts before them within their windows.' });

const Estimate = z.object({ value: z.number(), low: z.number(), high: z.number() }).meta({ description: 'Point estimate with its 95% interval.' });
const Difference = z
  .object({ value: z.number(), low: z.number(), high: z.number(), pValue: z.number().min(0).max(1) })
  .meta({ description: 'Variant − control with its 95% interval and the two-sided p-value (z-test for rates, Welch t-test for cents).' });

export const VariantResult = z
  .object({
    variant: z.string(),
    control: z.boolean(),
    exposed: z.number().int().min(0).meta({ description: 'Debtors who got a contact under this variant so far.' }),
    n: z.number().int().min(0).meta({ description: 'Debtors whose metric window has passed: the estimate is over these.' }),
    metric: Estimate,
    difference: Difference.optional(),
    probabilityBest: z.number().min(0).max(1).optional().meta({ description: 'Thompson: posterior probability that this variant is the best.' }),
    share: z.number().min(0).max(1).optional().meta({ description: 'Thompson: the share of new debtors it gets now.' }),
  })
  .meta({ id: 'VariantResult' });

export const ExperimentResultsView = z
  .object({
    experimentId: z.string(),
    dimension: z.string(),
    metric: z.string().meta({ example: 'paid_within_30d' }),
    allocation: z.enum(['fixed', 'thompson']),
    status: z.enum(['scheduled', 'running', 'ended']),
    verdict: z.string().meta({ description: '"running", "winner: <variant>" or "no difference".', example: 'winner: positive' }),
    variants: z.array(VariantResult),
    holdout: VariantResult.optional(),
    asOf: z.string(),
  })
  .meta({ id: 'ExperimentResults' });
