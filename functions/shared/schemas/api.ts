/**
 * Client API bodies and parameters (DESIGN §7). Money is integer cents (EUR); times are ISO-8601.
 * Only the Api function (and the Docs function, which describes it) imports this module: it is the one that needs
 * libphonenumber's metadata.
 *
 * The schemas stay pure: rules that depend on the current time (a due date not 20 years back, a payment not in
 * the future) are in the `…At(now)` factories, which the handlers call with the runtime clock.
 */
import { parsePhoneNumberFromString as parseWith } from 'libphonenumber-js/core';
import { letterCount } from '../../domain/case/identity.js';
import { IncomeSourceSchema } from '../../domain/payday.js';
import { DEBTOR_FLAGS, DOSSIER_STATUSES, TASK_REASONS } from '../../domain/vocabulary.js';
import * as z from '../zod.js';
import { PHONE_METADATA } from './phone-metadata.generated.js';
import { CallOutcome, DUE_DATE_WINDOW, Id, Language, PAID_AT_CLOCK_SKEW_MS, cents, doc, isoDate, isoDateTime, isoDateYearsFrom, required, text } from './fields.js';

export { CallOutcome };

/** libphonenumber with the metadata the API needs: parsing and validation, no formatting (phone-metadata.generated.ts). */
const parsePhoneNumberFromString = (text: string) => parseWith(text, PHONE_METADATA);

// ---- the claim (POST /v1/dossiers) -------------------------------------------------------------------

export const E164 = z.string().check(
  z.regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +31612345678'),
  z.refine((v) => parsePhoneNumberFromString(v)?.isValid() ?? false, 'is not a valid phone number'),
);

/**
 * A phone number as the API accepts it: E.164, where spaces, dots, dashes and parentheses after the "+" are
 * unambiguous and removed ("+31 6 1234 5678" → "+31612345678"), and the result is the canonical E.164 form
 * (libphonenumber). A national number ("0612345678") is refused: which country it belongs to is a guess.
 */
export const PhoneInput = doc(
  z.string({ error: required('an E.164 phone number such as "+31612345678"') }).check(
    z.trim(),
    z.overwrite((v) => (v.startsWith('+') ? v.replace(/[\s().-]/g, '') : v)),
    // refine, not regex: the document must not show a pattern that refuses the spaced form accepted here.
    z.refine((v) => /^\+[1-9]\d{6,14}$/.test(v), 'must be an E.164 phone number with the country code, e.g. "+31612345678" (not "0612345678")'),
    z.refine((v) => parsePhoneNumberFromString(v)?.isValid() ?? false, 'is not a valid phone number for its country code, e.g. "+31612345678"'),
    // The canonical form, so one number is one debtor look-up: "+31 (0)6 1234 5678" → "+31612345678".
    z.overwrite((v) => parsePhoneNumberFromString(v)?.number ?? v),
  ),
  { description: 'Mobile or landline in E.164 (spaces, dots and dashes after the + are removed).', example: '+31612345678' },
);

export const Address = doc(
  z.strictObject({
    line1: doc(text('street and house number, e.g. "Dorpsstraat 1"', { max: 200 }), { example: 'Dorpsstraat 1' }),
    postalCode: doc(
      text('the postal code, e.g. "1234 AB"', { max: 20 }).check(z.regex(/^[A-Za-z0-9][A-Za-z0-9 -]*$/, 'may only hold letters, digits, spaces and -, e.g. "1234 AB"')),
      { example: '1234 AB' },
    ),
    city: doc(text('the city, e.g. "Utrecht"', { max: 100 }), { example: 'Utrecht' }),
    country: doc(
      z._default(
        z
          .string({ error: 'must be a two-letter country code (ISO 3166-1), e.g. "NL"' })
          .check(z.trim(), z.toUpperCase(), z.refine((v) => /^[A-Z]{2}$/.test(v), 'must be a two-letter country code (ISO 3166-1), e.g. "NL"')),
        'NL',
      ),
      { description: 'ISO 3166-1 alpha-2; default NL. Lower case is accepted.', example: 'NL' },
    ),
  }),
  { id: 'Address', description: 'Postal address, for letters.' },
);

/** The income source as the API accepts it: the shortcut strings besides the full objects of the payday rules. */
const INCOME_SHORTCUTS = ['salary', 'aow', 'toeslagen', 'bijstand', 'unknown'] as const;
const INCOME_EXPECTED =
  'must be one of "salary", "aow", "toeslagen", "bijstand", "unknown" (a salary or bijstand day goes in paydayOfMonth) ' +
  'or an object such as {"type":"salary","day":25}, {"type":"salary","rule":"last_working_day"}, {"type":"uwv","benefit":"ww"} or {"type":"bijstand","day":1}';

const IncomeSourceInput = doc(z.union([z.enum(INCOME_SHORTCUTS), IncomeSourceSchema], { error: INCOME_EXPECTED }), {
  id: 'IncomeSource',
  description:
    'Where the debtor’s money comes from; it sets the expected payday, and contact is planned in the first working days after it. ' +
    'A string is a shortcut: "salary" (the 25th, or `paydayOfMonth`), "aow" (SVB, around the 23rd), "toeslagen" (the 20th), ' +
    '"bijstand" (with `paydayOfMonth`: the municipality’s day), "unknown". The object forms: ' +
    '{"type":"salary","day":1–31} (fixed contract day), {"type":"salary","rule":"last_working_day"}, ' +
    '{"type":"salary","rule":"four_weekly","anchorDate":"2026-01-09"}, {"type":"aow"}, {"type":"uwv","benefit":"wajong"|"wia"|"wao"|"ww"}, ' +
    '{"type":"toeslagen"}, {"type":"bijstand","day":1–31}, {"type":"unknown"}.',
  examples: ['salary', { type: 'salary', day: 25 }, { type: 'uwv', benefit: 'ww' }],
});
export type IncomeSource = z.infer<typeof IncomeSourceSchema>;

const DEBTOR_REF = /^[A-Za-z0-9._:-]+$/;

const DebtorFields = z.strictObject({
  name: doc(
    text('the debtor’s full name, e.g. "Sam Voorbeeld"', { max: 200 }).check(
      // A name is what identity matching starts from (DESIGN §4): one without letters would match anyone.
      z.refine((v) => letterCount(v) >= 2, { message: 'must contain at least two letters (of any script): the debtor’s full name' }),
    ),
    { description: 'Full name, as on a letter (any script, at least two letters); no control characters.', example: 'Sam Voorbeeld' },
  ),
  email: doc(z.optional(z.email({ error: required('an email address, e.g. "sam@example.com"') }).check(z.maxLength(254, 'must be at most 254 characters'))), {
    example: 'sam@example.com',
  }),
  phone: z.optional(PhoneInput),
  whatsappOptIn: doc(z.optional(z.boolean({ error: 'must be true or false: whether the debtor opted in to WhatsApp messages (needs phone)' })), {
    description: 'The debtor opted in to WhatsApp messages (recorded consent). Needs `phone`. Default false.',
  }),
  language: z._default(Language, 'nl'),
  address: z.optional(Address),
  consumer: doc(z.boolean({ error: required('true for a consumer, false for a business') }), {
    description: 'true for a consumer (the 14-day letter and consumer rules apply), false for a business.',
  }),
  incomeSource: z.optional(IncomeSourceInput),
  paydayOfMonth: doc(
    z.optional(
      z
        .number({ error: required('a day of the month 1–31, e.g. 25') })
        .check(
          z.int('must be a whole day of the month 1–31, e.g. 25'),
          z.minimum(1, 'must be a day of the month 1–31, e.g. 25'),
          z.maximum(31, 'must be a day of the month 1–31, e.g. 25'),
        ),
    ),
    {
      description: 'Payday of the month (31 means the last day). Alone: a salary on that day. With incomeSource "salary" or "bijstand": that source’s day.',
      example: 25,
    },
  ),
  debtorRef: doc(
    z.optional(
      z
        .string({ error: required('your own customer id for this debtor, e.g. "CUST-00042"') })
        .check(
          z.minLength(1, 'must not be empty: your own customer id for this debtor, e.g. "CUST-00042"'),
          z.maxLength(64, 'must be at most 64 characters'),
          z.regex(DEBTOR_REF, 'may only hold letters, digits and . _ : -, e.g. "CUST-00042"'),
        ),
    ),
    { description: 'Your own customer id for this person (letters, digits, . _ : -): the strongest evidence that two of your claims concern the same person.', example: 'CUST-00042' },
  ),
});

type DebtorFields = z.infer<typeof DebtorFields>;

/** The paydayOfMonth that goes with an income source given in full or as a shortcut, or why it does not fit. */
function paydayConflict(source: DebtorFields['incomeSource'], day: number | undefined): { path: 'incomeSource' | 'paydayOfMonth'; message: string } | undefined {
  if (source === undefined) return undefined;
  const type = typeof source === 'string' ? source : source.type;
  if (type === 'bijstand' && typeof source === 'string' && day === undefined) {
    return { path: 'incomeSource', message: 'needs the municipality’s payday: add "paydayOfMonth": 1 (its day) or send {"type":"bijstand","day":1}' };
  }
  if (day === undefined) return undefined;
  if (typeof source === 'string') {
    return type === 'salary' || type === 'bijstand'
      ? undefined
      : { path: 'paydayOfMonth', message: `does not apply to incomeSource "${type}" (its payday is known); leave paydayOfMonth out` };
  }
  const agrees =
    (source.type === 'salary' && (source.rule ?? 'fixed_day') === 'fixed_day' && (source.day === undefined || source.day === day)) ||
    (source.type === 'bijstand' && source.day === day);
  return agrees ? undefined : { path: 'paydayOfMonth', message: 'conflicts with incomeSource: give the day in one of them, e.g. {"type":"salary","day":25}' };
}

/** One IncomeSource from the shortcut forms; paydayOfMonth has then done its work and is dropped. */
function canonicalIncome(source: NonNullable<DebtorFields['incomeSource']>, day: number | undefined): IncomeSource {
  if (typeof source !== 'string') {
    if (source.type === 'salary' && day !== undefined) return { ...source, rule: 'fixed_day', day };
    return source;
  }
  switch (source) {
    case 'salary':
      return day === undefined ? { type: 'salary' } : { type: 'salary', rule: 'fixed_day', day };
    case 'bijstand':
      return { type: 'bijstand', day: day! };
    default:
      return { type: source };
  }
}

export const DebtorInput = doc(
  z.pipe(
    DebtorFields.check(
      z.superRefine((d, ctx) => {
        if (!d.email && !d.phone && !d.address) {
          ctx.addIssue({ code: 'custom', path: ['email'], message: 'needs at least one way to reach the debtor: email, phone or address' });
        }
        if (d.whatsappOptIn && !d.phone) ctx.addIssue({ code: 'custom', path: ['phone'], message: 'is required when whatsappOptIn is true' });
        const conflict = paydayConflict(d.incomeSource, d.paydayOfMonth);
        if (conflict) ctx.addIssue({ code: 'custom', path: [conflict.path], message: conflict.message });
      }),
    ),
    z.transform((d): Omit<DebtorFields, 'incomeSource'> & { incomeSource?: IncomeSource } => {
      if (d.incomeSource === undefined) return d as Omit<DebtorFields, 'incomeSource'>;
      const { paydayOfMonth, incomeSource, ...rest } = d;
      return { ...rest, incomeSource: canonicalIncome(incomeSource, paydayOfMonth) };
    }),
  ),
  {
    id: 'DebtorInput',
    description: 'The person who owes the claim. At least one of email, phone or address is required. Unknown fields are refused.',
  },
);
export type DebtorInput = z.infer<typeof DebtorInput>;

export const EXAMPLE_DOSSIER = {
  reference: 'INV-1001',
  principal: 12500,
  dueDate: '2026-01-15',
  description: 'Energierekening januari',
  debtor: {
    name: 'Sam Voorbeeld',
    email: 'sam@example.com',
    phone: '+31612345678',
    consumer: true,
    language: 'nl',
    address: { line1: 'Dorpsstraat 1', postalCode: '1234 AB', city: 'Utrecht', country: 'NL' },
    incomeSource: 'salary',
    paydayOfMonth: 25,
    debtorRef: 'CUST-00042',
  },
};

/**
 * An instalment claim (DESIGN §5 rule 6): the claim is overdue instalments of a monthly amount. Below €266.67 a
 * month the collection costs are capped (€40 for the first instalment, at most €140 per six months).
 */
export const Instalment = doc(
  z.strictObject(
    {
      monthlyAmount: doc(cents('the monthly instalment'), {
        description: 'The monthly instalment, in euro cents (5000 = €50.00). The overdue instalments are the principal divided by it, rounded up.',
        example: 5000,
      }),
    },
    { error: 'must be an object { "monthlyAmount": <cents> }, e.g. { "monthlyAmount": 5000 } for €50.00 a month' },
  ),
  {
    id: 'Instalment',
    description:
      'Marks an instalment claim (the principal is overdue instalments). Below €266.67 a month the Wki small-instalment cap applies to the collection costs: €40 for the first instalment, at most €140 per six months.',
    example: { monthlyAmount: 5000 },
  },
);

/** The claim's shape; at the edge use createDossierBodyAt(now), which also checks the due date against today. */
export const CreateDossierBody = doc(
  z.strictObject({
    reference: doc(text('your reference for this claim, e.g. "INV-1001"', { max: 64 }).check(z.regex(/^[\w./-]+$/, 'may only hold letters, digits and . / - _, e.g. "INV-1001"')), {
      description: 'Your reference for this claim, unique among your dossiers (letters, digits, . / - _).',
      example: 'INV-1001',
    }),
    debtor: DebtorInput,
    principal: doc(cents('the amount owed'), { description: 'The amount owed, in euro cents (12500 = €125.00); at most 10000000000 (€100,000,000.00).', example: 12500 }),
    dueDate: doc(isoDate('the date the claim fell due'), {
      description: `The date the claim fell due (YYYY-MM-DD), at most ${DUE_DATE_WINDOW.yearsBack} years ago and at most ${DUE_DATE_WINDOW.yearsAhead} year ahead.`,
      example: '2026-01-15',
    }),
    description: doc(z.optional(text('a short description of the claim, e.g. "Energierekening januari"', { max: 500, multiline: true })), {
      description: 'Shown to the debtor in messages; at most 500 characters.',
      example: 'Energierekening januari',
    }),
    instalment: z.optional(Instalment),
  }),
  { id: 'CreateDossierBody', description: 'A claim. Unknown fields are refused.', examples: [EXAMPLE_DOSSIER] },
);
export type CreateDossierBody = z.infer<typeof CreateDossierBody>;

export function createDossierBodyAt(now: Date) {
  const earliest = isoDateYearsFrom(now, -DUE_DATE_WINDOW.yearsBack);
  const latest = isoDateYearsFrom(now, DUE_DATE_WINDOW.yearsAhead);
  return CreateDossierBody.check(
    z.superRefine((b, ctx) => {
      // Only a well-formed date is compared (a malformed one already has its message).
      if (typeof b.dueDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(b.dueDate)) return;
      if (b.dueDate < earliest) ctx.addIssue({ code: 'custom', path: ['dueDate'], message: `must not be more than ${DUE_DATE_WINDOW.yearsBack} years ago (on or after ${earliest})` });
      if (b.dueDate > latest) ctx.addIssue({ code: 'custom', path: ['dueDate'], message: `must not be more than ${DUE_DATE_WINDOW.yearsAhead} year ahead (on or before ${latest})` });
    }),
  );
}

// ---- payments, call outcomes --------------------------------------------------------------------------

export const PaymentBody = doc(
  z.strictObject({
    amount: doc(cents('the amount paid'), { description: 'Amount received, in euro cents; at most 10000000000.', example: 2500 }),
    paidAt: doc(z.optional(isoDateTime('when the money arrived')), {
      description: 'When the money arrived (ISO-8601 with a zone); not in the future. Default: now.',
      example: '2026-03-02T09:30:00Z',
    }),
    reference: doc(z.optional(text('your payment reference, e.g. "BANK-77"', { max: 64 })), {
      description: 'Your reference for this payment: the same reference is booked once.',
      example: 'BANK-77',
    }),
  }),
  { id: 'PaymentBody', description: 'A payment received for the dossier. Unknown fields are refused.', examples: [{ amount: 2500, reference: 'BANK-77' }] },
);
export type PaymentBody = z.infer<typeof PaymentBody>;

export function paymentBodyAt(now: Date) {
  const earliest = isoDateYearsFrom(now, -DUE_DATE_WINDOW.yearsBack);
  return PaymentBody.check(
    z.superRefine((b, ctx) => {
      if (typeof b.paidAt !== 'string') return;
      const at = Date.parse(b.paidAt);
      if (Number.isNaN(at)) return;
      if (at > now.getTime() + PAID_AT_CLOCK_SKEW_MS) ctx.addIssue({ code: 'custom', path: ['paidAt'], message: `must not be in the future (now is ${now.toISOString()})` });
      if (b.paidAt.slice(0, 10) < earliest) ctx.addIssue({ code: 'custom', path: ['paidAt'], message: `must not be more than ${DUE_DATE_WINDOW.yearsBack} years ago` });
    }),
  );
}

export const CompleteTaskBody = doc(
  z.strictObject({
    outcome: CallOutcome,
    note: doc(z.optional(text('the agent’s note', { max: 1000, multiline: true })), { description: 'Free text for the file; never sent to the debtor.', example: 'Belt vrijdag terug.' }),
  }),
  { id: 'CompleteTaskBody', examples: [{ outcome: 'promise_to_pay', note: 'Betaalt vrijdag.' }] },
);
export type CompleteTaskBody = z.infer<typeof CompleteTaskBody>;

// ---- finding dossiers, the creditor's changes, batch intake ----------------------------------------------

const REFERENCE = /^[\w./-]+$/;

const IsoDay = z.iso.date();
const IsoInstant = z.iso.datetime({ offset: true });

/** A point in time for a filter: a date (YYYY-MM-DD, UTC) or an ISO-8601 date-time with a zone. */
const instantOrDate = (what: string) =>
  z.string({ error: `must be ${what}: a date YYYY-MM-DD (UTC) or an ISO-8601 date-time with a zone, e.g. "2026-03-01" or "2026-03-01T09:00:00Z"` }).check(
    z.refine(
      (v) => (IsoDay.safeParse(v).success || IsoInstant.safeParse(v).success) && !Number.isNaN(Date.parse(v)) && /^\d{4}-/.test(v),
      `must be ${what}: a date YYYY-MM-DD (UTC) or an ISO-8601 date-time with a zone, e.g. "2026-03-01" or "2026-03-01T09:00:00Z"`,
    ),
  );

/** A filter bound as the ISO string dossiers store: a date is the start of that UTC day (`from`) or its end (`to`). */
export function filterInstant(value: string, end: 'from' | 'to'): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T${end === 'from' ? '00:00:00.000' : '23:59:59.999'}Z`;
  return new Date(value).toISOString();
}

export const LIST_LIMIT = { default: 25, max: 100 } as const;

/** GET /v1/dossiers */
export const ListDossiersQuery = z
  .strictObject({
    reference: doc(
      z.optional(
        z
          .string()
          .check(
            z.minLength(1, 'must not be empty: your reference of the claim, e.g. "INV-1001"'),
            z.maxLength(64, 'must be at most 64 characters'),
            z.regex(REFERENCE, 'may only hold letters, digits and . / - _, e.g. "INV-1001"'),
          ),
      ),
      { description: 'Your reference of the claim (exact): at most one dossier.', example: 'INV-1001' },
    ),
    status: doc(z.optional(z.enum(DOSSIER_STATUSES, { error: `must be one of ${DOSSIER_STATUSES.join(', ')}` })), { description: 'Only dossiers with this status.', example: 'open' }),
    debtorId: doc(z.optional(Id('the debtor id', 'deb_01jnq7x5v2k8m3r4t6w8y0z2a5')), { description: 'Only your dossiers of this debtor.' }),
    createdFrom: doc(z.optional(instantOrDate('the earliest creation time')), {
      description: 'Only dossiers created at or after this time (a date: from 00:00 UTC that day).',
      example: '2026-03-01',
    }),
    createdTo: doc(z.optional(instantOrDate('the latest creation time')), {
      description: 'Only dossiers created at or before this time (a date: through the end of that UTC day).',
      example: '2026-03-31',
    }),
    cursor: doc(
      z.optional(
        z
          .string()
          .check(
            z.maxLength(600, 'must be at most 600 characters: pass the nextCursor of the previous page unchanged'),
            z.regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor of this API: pass the nextCursor of the previous page unchanged'),
          ),
      ),
      { description: 'The `nextCursor` of the previous page, with the same filters.' },
    ),
    limit: doc(
      z.optional(
        z
          .string()
          .check(
            z.regex(/^\d{1,3}$/, `must be a whole number 1–${LIST_LIMIT.max}, e.g. 25`),
            z.refine((v) => Number(v) >= 1 && Number(v) <= LIST_LIMIT.max, `must be a whole number 1–${LIST_LIMIT.max}, e.g. 25`),
          ),
      ),
      { description: `Dossiers per page, 1–${LIST_LIMIT.max} (default ${LIST_LIMIT.default}).`, example: '25' },
    ),
  })
  .check(
    z.superRefine((q, ctx) => {
      if (q.createdFrom && q.createdTo && filterInstant(q.createdFrom, 'from') > filterInstant(q.createdTo, 'to')) {
        ctx.addIssue({ code: 'custom', path: ['createdTo'], message: 'must not be before createdFrom' });
      }
    }),
  );
export type ListDossiersQuery = z.infer<typeof ListDossiersQuery>;

const StatusChangeFields = {
  reason: doc(z.optional(text('the reason, for the file, e.g. "paid to us directly"', { max: 500, multiline: true })), {
    description: 'Why, for the file and the timeline (never sent to the debtor).',
    example: 'Betaald via de eigen bank.',
  }),
};

/** POST /v1/dossiers/{id}/withdraw, …/dispute, …/dispute/resolve: an optional reason for the file. */
export const StatusChangeBody = doc(z.strictObject(StatusChangeFields), { id: 'StatusChangeBody', description: 'Optional: the body may be left out.' });
export type StatusChangeBody = z.infer<typeof StatusChangeBody>;

/** POST /v1/dossiers/{id}/dispute/resolve: who the dispute was decided for (services/disputes.ts), and a reason. */
export const ResolveDisputeBody = doc(
  z.strictObject({
    ...StatusChangeFields,
    inFavourOf: doc(
      z.optional(z.enum(['creditor', 'debtor'], { error: 'must be "creditor" (the claim stands: the journey resumes) or "debtor" (the claim goes: withdrawn)' })),
      { description: 'creditor (default): the claim stands and its journey resumes; debtor: the dossier is withdrawn.', example: 'creditor' },
    ),
  }),
  { id: 'ResolveDisputeBody', description: 'Optional: the body may be left out (a resolution in the creditor’s favour).' },
);
export type ResolveDisputeBody = z.infer<typeof ResolveDisputeBody>;

const orNull = <T extends z.ZodMiniType>(schema: T, what: string) => z.union([schema, z.null()], { error: `must be ${what}, or null to remove it` });

/** PATCH /v1/debtors/{id}: the contact details this creditor gave with its claims. */
export const PatchDebtorBody = doc(
  z
    .strictObject({
      email: doc(
        z.optional(
          orNull(z.email({ error: 'must be an email address, e.g. "sam@example.com"' }).check(z.maxLength(254, 'must be at most 254 characters')), 'an email address, e.g. "sam@example.com"'),
        ),
        { description: 'The new email address for your claims; null removes the one you gave.', example: 'sam.nieuw@example.com' },
      ),
      phone: doc(z.optional(orNull(PhoneInput, 'an E.164 phone number such as "+31612345678"')), {
        description: 'The new phone number (E.164) for your claims; null removes it. A new number has no WhatsApp opt-in unless whatsappOptIn is true.',
        example: '+31687654321',
      }),
      whatsappOptIn: doc(z.optional(z.boolean({ error: 'must be true or false: whether the debtor opted in to WhatsApp messages on this phone' })), {
        description: 'The debtor opted in (true) or out (false) of WhatsApp on the phone you gave.',
      }),
      address: doc(z.optional(orNull(Address, 'an address object {"line1","postalCode","city","country"?}')), {
        description: 'The new postal address for your claims (letters); null removes it.',
      }),
      dossierIds: doc(
        z.optional(
          z
            .array(Id('a dossier id of yours', 'dos_01jnq7x5v2k8m3r4t6w8y0z2a4'), { error: 'must be an array of your dossier ids, e.g. ["dos_01jnq7x5v2k8m3r4t6w8y0z2a4"]' })
            .check(z.minLength(1, 'must name at least one dossier, or be left out (all your dossiers of this debtor)'), z.maxLength(100, 'must be at most 100 dossier ids')),
        ),
        { description: 'Only for these claims of yours (default: all your dossiers of this debtor).' },
      ),
    })
    .check(
      z.superRefine((b, ctx) => {
        if (b.email === undefined && b.phone === undefined && b.address === undefined && b.whatsappOptIn === undefined) {
          ctx.addIssue({ code: 'custom', path: ['(body)'], message: 'needs at least one of email, phone, whatsappOptIn or address' });
        }
        if (b.whatsappOptIn === true && b.phone === null) ctx.addIssue({ code: 'custom', path: ['whatsappOptIn'], message: 'cannot be true while phone is removed' });
      }),
    ),
  {
    id: 'PatchDebtorBody',
    description:
      'Replaces the contact details you gave with your claims (other creditors’ stay as they are). A field left out is unchanged; null removes it. Unknown fields are refused.',
    examples: [{ email: 'sam.nieuw@example.com', phone: '+31687654321', whatsappOptIn: true }],
  },
);
export type PatchDebtorBody = z.infer<typeof PatchDebtorBody>;

export const DebtorFlag = doc(z.enum(DEBTOR_FLAGS, { error: `must be one of ${DEBTOR_FLAGS.join(', ')}` }), {
  id: 'DebtorFlag',
  description:
    'vulnerable, bewind (protective administration), curatele, mentorschap: a person’s care, no escalation without an agent; ' +
    'wsnp, schuldhulp (municipal debt help), moratorium: all outreach and cost accrual stop; beslag: income garnished by another creditor.',
});

/** POST /v1/debtors/{id}/flags */
export const FlagsBody = doc(
  z
    .strictObject({
      add: doc(z.optional(z.array(DebtorFlag).check(z.maxLength(DEBTOR_FLAGS.length))), { description: 'Flags to set (with your claims).', example: ['wsnp'] }),
      remove: doc(z.optional(z.array(DebtorFlag).check(z.maxLength(DEBTOR_FLAGS.length))), { description: 'Flags you set before and clear now (only your own).', example: [] }),
    })
    .check(
      z.superRefine((b, ctx) => {
        if (!b.add?.length && !b.remove?.length) ctx.addIssue({ code: 'custom', path: ['add'], message: 'needs at least one flag in add or remove, e.g. {"add":["wsnp"]}' });
        const both = (b.add ?? []).filter((f) => b.remove?.includes(f));
        if (both.length) ctx.addIssue({ code: 'custom', path: ['remove'], message: `must not also be in add: ${both.join(', ')}` });
      }),
    ),
  { id: 'FlagsBody', examples: [{ add: ['wsnp'] }, { add: ['vulnerable'], remove: ['beslag'] }] },
);
export type FlagsBody = z.infer<typeof FlagsBody>;

export const BATCH_MAX = 500;

/** POST /v1/dossiers/batch, as documented: up to 500 claims, each exactly as POST /v1/dossiers takes it. */
export const BatchBody = doc(
  z.strictObject({
    claims: doc(z.array(CreateDossierBody).check(z.minLength(1), z.maxLength(BATCH_MAX)), {
      description: `1–${BATCH_MAX} claims, each as POST /v1/dossiers takes it; each is checked and filed on its own.`,
    }),
  }),
  { id: 'BatchBody', examples: [{ claims: [EXAMPLE_DOSSIER] }] },
);

/** What the handler reads first: the envelope, so one bad claim is that claim's 400, not the batch's. */
export const BatchEnvelope = z.strictObject({
  claims: z
    .array(z.unknown(), { error: 'must be an array of claims, e.g. {"claims":[{…}, …]}' })
    .check(z.minLength(1, 'must hold at least one claim'), z.maxLength(BATCH_MAX, `must hold at most ${BATCH_MAX} claims; send more in several batches`)),
});

/** The Idempotency-Key header: what the handlers accept and the document shows. */
export const IDEMPOTENCY_KEY = /^[\w.:-]{1,128}$/;

/** GET /v1/tasks */
export const TasksQuery = z.strictObject({
  status: doc(z.optional(z.enum(['open'], { error: 'must be "open" (only open tasks can be listed)' })), { description: 'Only "open" (the default).' }),
  reason: doc(z.optional(z.enum(TASK_REASONS, { error: `must be one of ${TASK_REASONS.join(', ')}` })), {
    description: 'Only tasks with this reason (e.g. vulnerable, dispute_review, unclear_reply).',
    example: 'vulnerable',
  }),
});
