/**
 * The reports' edge: the query of GET /v1/reports/kpis and the answers of both report routes (zod: the handler
 * validates with them, the OpenAPI document renders them). Kept in their own file (schemas.ts holds the rest).
 */
import { doc } from '../shared/schemas/fields.js';
import * as z from '../shared/zod.js';
import { GROUP_BY } from '../domain/outcomes/kpis.js';
import { INTENTS } from '../domain/vocabulary.js';

/** At most this many days per KPI request (a year and a day: a leap year fits). */
export const MAX_REPORT_DAYS = 366;

const day = (what: string) =>
  z.iso.date({ error: (iss) => (iss.input === undefined ? `is required: ${what} as YYYY-MM-DD` : `must be a date YYYY-MM-DD, e.g. "2026-03-01": ${what}`) });

export const KpiQuery = z
  .strictObject({
    from: doc(z.optional(day('the first day of the contacts counted (Europe/Amsterdam)')), {
      description: 'First day (YYYY-MM-DD, Europe/Amsterdam) of the contacts counted; default 30 days before `to`.',
      example: '2026-03-01',
    }),
    to: doc(z.optional(day('the last day')), { description: 'Last day (inclusive); default today.', example: '2026-03-31' }),
    groupBy: doc(z.optional(z.enum(GROUP_BY, { error: `must be one of ${GROUP_BY.join(', ')}` })), {
      description: `One of ${GROUP_BY.join(', ')}; default segment.`,
      example: 'channel',
    }),
  })
  .check(
    z.superRefine((q, ctx) => {
      if (q.from && q.to && q.from > q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
      if (q.from && q.to && (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 + 1 > MAX_REPORT_DAYS) {
        ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_REPORT_DAYS} days after from` });
      }
    }),
  );
export type KpiQuery = z.infer<typeof KpiQuery>;

const count = (description?: string) => (description ? doc(z.number().check(z.int(), z.minimum(0)), { description }) : z.number().check(z.int(), z.minimum(0)));
const rate = (description: string) => doc(z.number().check(z.minimum(0), z.maximum(1)), { description, example: 0.23 });
const cents = (description: string) => doc(z.number().check(z.int()), { description, example: 125000 });
const probability = (description?: string) => (description ? doc(z.number().check(z.minimum(0), z.maximum(1)), { description }) : z.number().check(z.minimum(0), z.maximum(1)));

export const KpiGroup = doc(
  z.object({
    group: doc(z.string(), { description: 'The group (a segment, channel, template id, tone, "experiment:variant" or client id).', example: 'sms' }),
    debtors: count('Debtors contacted in the group (once per journey).'),
    contacts: count('Messages, letters and call tasks sent.'),
    deliveredRate: rate(
      'Contacts the provider reported delivered within 7 days (a delivered status, or an open or a click, which show delivery) / contacts. SMS and WhatsApp (Twilio) and email (SendGrid) report it; letters and calls do not.',
    ),
    openedRate: rate('Contacts opened within 7 days (an email opened or a link in it clicked, a WhatsApp message read) / contacts. SMS reports no opens.'),
    clickedRate: rate('Contacts with a link clicked within 7 days (email) / contacts.'),
    contactRate: rate('Contacts with any reaction within 7 days (opened, clicked, replied, promised, paid, reached by phone) / contacts.'),
    replyRate: rate('Contacts followed by a reply within 7 days / contacts.'),
    repliesByIntent: doc(z.partialRecord(z.enum(INTENTS), count()), {
      description:
        'Replies per intent (as the classifier read them; opt-outs included, which are no reaction): each reply counts once, for the last contact about its claims within 7 days before it (last touch). Intents without replies are left out.',
      example: { promise_to_pay: 12, arrangement: 4, opt_out: 1 },
    }),
    promiseRate: rate('Contacts followed by a promise to pay or an arrangement within 14 days / contacts.'),
    paymentRate: rate('Contacts followed by a payment within 30 days / contacts.'),
    recoveredCents: cents('Payments within 60 days, each to the last contact before it about that claim (last touch).'),
    costCents: cents('The contacts at the channel list prices.'),
    recoveredPerEuroSpent: doc(z.number().check(z.minimum(0)), { description: 'recoveredCents / costCents: euros recovered per euro spent on contacts.', example: 12.5 }),
  }),
  { id: 'KpiGroup' },
);

export const KpiReport = doc(
  z.object({
    from: doc(z.string(), { example: '2026-03-01' }),
    to: doc(z.string(), { example: '2026-03-31' }),
    groupBy: z.enum(GROUP_BY),
    scope: doc(z.string(), { description: 'Whose contacts: your client id, or "all" with an agency key.', example: 'acme' }),
    groups: z.array(KpiGroup),
    total: KpiGroup,
  }),
  { id: 'KpiReport', description: 'Counted by the day a contact was sent; outcomes count for the contacts before them within their windows.' },
);

const Estimate = doc(z.object({ value: z.number(), low: z.number(), high: z.number() }), { description: 'Point estimate with its 95% interval.' });
const Difference = doc(z.object({ value: z.number(), low: z.number(), high: z.number(), pValue: probability() }), {
  description: 'Variant − control with its 95% interval and the two-sided p-value (z-test for rates, Welch t-test for cents).',
});

export const VariantResult = doc(
  z.object({
    variant: z.string(),
    control: z.boolean(),
    exposed: count('Debtors who got a contact under this variant so far.'),
    n: count('Debtors whose metric window has passed: the estimate is over these.'),
    metric: Estimate,
    difference: z.optional(Difference),
    probabilityBest: doc(z.optional(probability()), { description: 'Thompson: posterior probability that this variant is the best.' }),
    share: doc(z.optional(probability()), { description: 'Thompson: the share of new debtors it gets now.' }),
  }),
  { id: 'VariantResult' },
);

export const ExperimentResultsView = doc(
  z.object({
    experimentId: z.string(),
    dimension: z.string(),
    metric: doc(z.string(), { example: 'paid_within_30d' }),
    allocation: z.enum(['fixed', 'thompson']),
    status: z.enum(['scheduled', 'running', 'ended']),
    verdict: doc(z.string(), { description: '"running", "winner: <variant>" or "no difference".', example: 'winner: positive' }),
    variants: z.array(VariantResult),
    holdout: z.optional(VariantResult),
    asOf: z.string(),
  }),
  { id: 'ExperimentResults' },
);
