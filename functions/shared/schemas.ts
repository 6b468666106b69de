/**
 * Schemas for everything that enters the system, shared by the handlers, the local runtime, the OpenAPI document
 * (functions/shared/openapi.ts renders these very schemas) and the tests. Money is integer cents (EUR); times are
 * ISO-8601.
 *
 * Edge rules (issue 13): objects are strict (an unknown or misplaced field is refused and named, never dropped);
 * every message says what is expected, with an example where the shape is not obvious; limits keep the arithmetic
 * exact (at most €100,000,000.00 per amount, far below 2^53 cents even summed); text holds no control characters.
 * The schemas stay pure: rules that depend on the current time (a due date not 20 years back, a payment not in
 * the future) are in the `…At(now)` factories, which the handlers call with the runtime clock.
 */
import { z } from 'zod';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { letterCount } from '../domain/case/identity.js';
import { IncomeSourceSchema } from '../domain/payday.js';
import { CALL_OUTCOMES, CHANNELS, DEBTOR_FLAGS, DOSSIER_STATUSES, LANGUAGES, PHASES, TASK_REASONS, TONES, TOPICS } from '../domain/vocabulary.js';
import { ArrangementChangeSchema } from './payment-schemas.js';

// ---- building blocks ---------------------------------------------------------------------------------

/** At most €100,000,000.00 per claim or payment: sums of thousands of these stay exact integers. */
export const MAX_CENTS = 10_000_000_000;
/**
 * What may be paid on one dossier in all: €1,000,000,000.00 — ten times the largest claim (a surplus is booked and
 * shown as refundDue), and so far below 2^53 cents that every sum over a debtor's claims stays an exact integer.
 */
export const MAX_PAID_TOTAL_CENTS = 10 * MAX_CENTS;
/** A due date at most this far back or ahead of today. */
export const DUE_DATE_WINDOW = { yearsBack: 20, yearsAhead: 1 } as const;
/** A payment's paidAt may be this far ahead of our clock (the creditor's clock may run a little fast). */
export const PAID_AT_CLOCK_SKEW_MS = 5 * 60_000;

/** C0 and C1 control characters (NUL, ESC, DEL, …). Free text may keep tab and line breaks. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** Half of a UTF-16 surrogate pair on its own ("\ud800"): JSON allows it, UTF-8 storage does not. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** `what` is the expectation, e.g. 'the debtor’s full name, e.g. "Sam Voorbeeld"'. */
function required(what: string) {
  return (iss: { input?: unknown }) => (iss.input === undefined ? `is required: ${what}` : `must be ${what}`);
}

function text(what: string, o: { max: number; min?: number; multiline?: boolean }) {
  const min = o.min ?? 1;
  return z
    .string({ error: required(what) })
    .trim()
    .min(min, min === 1 ? `must not be empty: ${what}` : `must be at least ${min} characters: ${what}`)
    .max(o.max, `must be at most ${o.max} characters`)
    .refine((v) => !(o.multiline ? CONTROL_EXCEPT_LINES : CONTROL).test(v), {
      message: o.multiline ? 'must not contain control characters (line breaks and tabs are fine)' : 'must not contain control characters or line breaks',
    })
    .refine((v) => !LONE_SURROGATE.test(v), { message: 'must be valid Unicode text (it holds half of a surrogate pair)' });
}

function cents(what: string) {
  return z
    .number({ error: required(`${what} in whole euro cents as a JSON number, e.g. 12500 for €125.00`) })
    .int('must be whole cents, e.g. 12500 for €125.00 (not 125.00)')
    .positive('must be more than 0 cents')
    .max(MAX_CENTS, `must be at most ${MAX_CENTS} cents (€100,000,000.00)`);
}

const isoDate = (what: string) =>
  z.iso.date({ error: (iss) => (iss.input === undefined ? `is required: ${what} as YYYY-MM-DD, e.g. "2026-01-15"` : 'must be a date YYYY-MM-DD, e.g. "2026-01-15"') });
const isoDateTime = (what: string) =>
  z.iso.datetime({
    offset: true,
    error: (iss) =>
      iss.input === undefined
        ? `is required: ${what} as an ISO-8601 date-time with a zone, e.g. "2026-03-02T09:30:00Z"`
        : 'must be an ISO-8601 date-time with a zone, e.g. "2026-03-02T09:30:00Z" or "2026-03-02T10:30:00+01:00"',
  });

/** The same calendar date `years` away (UTC), as YYYY-MM-DD; 29 February falls back to the 28th. */
export function isoDateYearsFrom(now: Date, years: number): string {
  const d = new Date(now.getTime());
  const month = d.getUTCMonth();
  d.setUTCFullYear(d.getUTCFullYear() + years);
  if (d.getUTCMonth() !== month) d.setUTCDate(0);
  return d.toISOString().slice(0, 10);
}

/** An id in a path: what our ids look like (`dos_01j…`, `task_deb_…_1_3`), so a 2 KB or odd id is a 400. */
export const Id = (what: string, example: string) =>
  z
    .string({ error: required(`${what}, e.g. "${example}"`) })
    .min(1, `must not be empty: ${what}, e.g. "${example}"`)
    .max(100, `must be at most 100 characters: ${what}, e.g. "${example}"`)
    .regex(/^[A-Za-z0-9_-]+$/, `may only hold letters, digits, _ and -: ${what}, e.g. "${example}"`)
    .meta({ description: what, example });

// ---- enums -----------------------------------------------------------------------------------------------

export const Language = z.enum(LANGUAGES, { error: `must be one of ${LANGUAGES.map((l) => `"${l}"`).join(', ')}` }).meta({
  id: 'Language',
  description: 'The language the debtor is written to in: Dutch (nl, the default) or English (en).',
});
export type Language = z.infer<typeof Language>;

export const ChannelName = z.enum(CHANNELS);
export type ChannelName = z.infer<typeof ChannelName>;

// ---- the claim (POST /v1/dossiers) -------------------------------------------------------------------

export const E164 = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +31612345678')
  .refine((v) => parsePhoneNumberFromString(v)?.isValid() ?? false, 'is not a valid phone number');

/**
 * A phone number as the API accepts it: E.164, where spaces, dots, dashes and parentheses after the "+" are
 * unambiguous and removed ("+31 6 1234 5678" → "+31612345678"), and the result is the canonical E.164 form
 * (libphonenumber). A national number ("0612345678") is refused: which country it belongs to is a guess.
 */
const PhoneInput = z
  .string({ error: required('an E.164 phone number such as "+31612345678"') })
  .trim()
  .overwrite((v) => (v.startsWith('+') ? v.replace(/[\s().-]/g, '') : v))
  // refine, not regex: the document must not show a pattern that refuses the spaced form accepted here.
  .refine((v) => /^\+[1-9]\d{6,14}$/.test(v), 'must be an E.164 phone number with the country code, e.g. "+31612345678" (not "0612345678")')
  .refine((v) => parsePhoneNumberFromString(v)?.isValid() ?? false, 'is not a valid phone number for its country code, e.g. "+31612345678"')
  // The canonical form, so one number is one debtor look-up: "+31 (0)6 1234 5678" → "+31612345678".
  .overwrite((v) => parsePhoneNumberFromString(v)?.number ?? v)
  .meta({ description: 'Mobile or landline in E.164 (spaces, dots and dashes after the + are removed).', example: '+31612345678' });

export const Address = z
  .strictObject({
    line1: text('street and house number, e.g. "Dorpsstraat 1"', { max: 200 }).meta({ example: 'Dorpsstraat 1' }),
    postalCode: text('the postal code, e.g. "1234 AB"', { max: 20 })
      .regex(/^[A-Za-z0-9][A-Za-z0-9 -]*$/, 'may only hold letters, digits, spaces and -, e.g. "1234 AB"')
      .meta({ example: '1234 AB' }),
    city: text('the city, e.g. "Utrecht"', { max: 100 }).meta({ example: 'Utrecht' }),
    country: z
      .string({ error: 'must be a two-letter country code (ISO 3166-1), e.g. "NL"' })
      .trim()
      .toUpperCase()
      .refine((v) => /^[A-Z]{2}$/.test(v), 'must be a two-letter country code (ISO 3166-1), e.g. "NL"')
      .default('NL')
      .meta({ description: 'ISO 3166-1 alpha-2; default NL. Lower case is accepted.', example: 'NL' }),
  })
  .meta({ id: 'Address', description: 'Postal address, for letters.' });

/** The income source as the API accepts it: the shortcut strings besides the full objects of the payday rules. */
const INCOME_SHORTCUTS = ['salary', 'aow', 'toeslagen', 'bijstand', 'unknown'] as const;
const INCOME_EXPECTED =
  'must be one of "salary", "aow", "toeslagen", "bijstand", "unknown" (a salary or bijstand day goes in paydayOfMonth) ' +
  'or an object such as {"type":"salary","day":25}, {"type":"salary","rule":"last_working_day"}, {"type":"uwv","benefit":"ww"} or {"type":"bijstand","day":1}';

const IncomeSourceInput = z
  .union([z.enum(INCOME_SHORTCUTS), IncomeSourceSchema], { error: INCOME_EXPECTED })
  .meta({
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
  name: text('the debtor’s full name, e.g. "Sam Voorbeeld"', { max: 200 })
    // A name is what identity matching starts from (DESIGN §4): one without letters would match anyone.
    .refine((v) => letterCount(v) >= 2, { message: 'must contain at least two letters (of any script): the debtor’s full name' })
    .meta({ description: 'Full name, as on a letter (any script, at least two letters); no control characters.', example: 'Sam Voorbeeld' }),
  email: z
    .email({ error: required('an email address, e.g. "sam@example.com"') })
    .max(254, 'must be at most 254 characters')
    .optional()
    .meta({ example: 'sam@example.com' }),
  phone: PhoneInput.optional(),
  whatsappOptIn: z
    .boolean({ error: 'must be true or false: whether the debtor opted in to WhatsApp messages (needs phone)' })
    .optional()
    .meta({ description: 'The debtor opted in to WhatsApp messages (recorded consent). Needs `phone`. Default false.' }),
  language: Language.default('nl'),
  address: Address.optional(),
  consumer: z
    .boolean({ error: required('true for a consumer, false for a business') })
    .meta({ description: 'true for a consumer (the 14-day letter and consumer rules apply), false for a business.' }),
  incomeSource: IncomeSourceInput.optional(),
  paydayOfMonth: z
    .number({ error: required('a day of the month 1–31, e.g. 25') })
    .int('must be a whole day of the month 1–31, e.g. 25')
    .min(1, 'must be a day of the month 1–31, e.g. 25')
    .max(31, 'must be a day of the month 1–31, e.g. 25')
    .optional()
    .meta({
      description:
        'Payday of the month (31 means the last day). Alone: a salary on that day. With incomeSource "salary" or "bijstand": that source’s day.',
      example: 25,
    }),
  debtorRef: z
    .string({ error: required('your own customer id for this debtor, e.g. "CUST-00042"') })
    .min(1, 'must not be empty: your own customer id for this debtor, e.g. "CUST-00042"')
    .max(64, 'must be at most 64 characters')
    .regex(DEBTOR_REF, 'may only hold letters, digits and . _ : -, e.g. "CUST-00042"')
    .optional()
    .meta({ description: 'Your own customer id for this person (letters, digits, . _ : -): the strongest evidence that two of your claims concern the same person.', example: 'CUST-00042' }),
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

export const DebtorInput = DebtorFields.superRefine((d, ctx) => {
  if (!d.email && !d.phone && !d.address) {
    ctx.addIssue({ code: 'custom', path: ['email'], message: 'needs at least one way to reach the debtor: email, phone or address' });
  }
  if (d.whatsappOptIn && !d.phone) ctx.addIssue({ code: 'custom', path: ['phone'], message: 'is required when whatsappOptIn is true' });
  const conflict = paydayConflict(d.incomeSource, d.paydayOfMonth);
  if (conflict) ctx.addIssue({ code: 'custom', path: [conflict.path], message: conflict.message });
})
  .transform((d): Omit<DebtorFields, 'incomeSource'> & { incomeSource?: IncomeSource } => {
    if (d.incomeSource === undefined) return d as Omit<DebtorFields, 'incomeSource'>;
    const { paydayOfMonth, incomeSource, ...rest } = d;
    return { ...rest, incomeSource: canonicalIncome(incomeSource, paydayOfMonth) };
  })
  .meta({
    id: 'DebtorInput',
    description: 'The person who owes the claim. At least one of email, phone or address is required. Unknown fields are refused.',
  });
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
export const Instalment = z
  .strictObject(
    {
      monthlyAmount: cents('the monthly instalment').meta({
        description: 'The monthly instalment, in euro cents (5000 = €50.00). The overdue instalments are the principal divided by it, rounded up.',
        example: 5000,
      }),
    },
    { error: 'must be an object { "monthlyAmount": <cents> }, e.g. { "monthlyAmount": 5000 } for €50.00 a month' },
  )
  .meta({
    id: 'Instalment',
    description:
      'Marks an instalment claim (the principal is overdue instalments). Below €266.67 a month the Wki small-instalment cap applies to the collection costs: €40 for the first instalment, at most €140 per six months.',
    example: { monthlyAmount: 5000 },
  });

/** The claim's shape; at the edge use createDossierBodyAt(now), which also checks the due date against today. */
export const CreateDossierBody = z
  .strictObject({
    reference: text('your reference for this claim, e.g. "INV-1001"', { max: 64 })
      .regex(/^[\w./-]+$/, 'may only hold letters, digits and . / - _, e.g. "INV-1001"')
      .meta({ description: 'Your reference for this claim, unique among your dossiers (letters, digits, . / - _).', example: 'INV-1001' }),
    debtor: DebtorInput,
    principal: cents('the amount owed').meta({ description: 'The amount owed, in euro cents (12500 = €125.00); at most 10000000000 (€100,000,000.00).', example: 12500 }),
    dueDate: isoDate('the date the claim fell due').meta({
      description: `The date the claim fell due (YYYY-MM-DD), at most ${DUE_DATE_WINDOW.yearsBack} years ago and at most ${DUE_DATE_WINDOW.yearsAhead} year ahead.`,
      example: '2026-01-15',
    }),
    description: text('a short description of the claim, e.g. "Energierekening januari"', { max: 500, multiline: true })
      .optional()
      .meta({ description: 'Shown to the debtor in messages; at most 500 characters.', example: 'Energierekening januari' }),
    instalment: Instalment.optional(),
  })
  .meta({ id: 'CreateDossierBody', description: 'A claim. Unknown fields are refused.', examples: [EXAMPLE_DOSSIER] });
export type CreateDossierBody = z.infer<typeof CreateDossierBody>;

export function createDossierBodyAt(now: Date) {
  const earliest = isoDateYearsFrom(now, -DUE_DATE_WINDOW.yearsBack);
  const latest = isoDateYearsFrom(now, DUE_DATE_WINDOW.yearsAhead);
  return CreateDossierBody.superRefine((b, ctx) => {
    // Only a well-formed date is compared (a malformed one already has its message).
    if (typeof b.dueDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(b.dueDate)) return;
    if (b.dueDate < earliest) ctx.addIssue({ code: 'custom', path: ['dueDate'], message: `must not be more than ${DUE_DATE_WINDOW.yearsBack} years ago (on or after ${earliest})` });
    if (b.dueDate > latest) ctx.addIssue({ code: 'custom', path: ['dueDate'], message: `must not be more than ${DUE_DATE_WINDOW.yearsAhead} year ahead (on or before ${latest})` });
  });
}

// ---- payments, call outcomes --------------------------------------------------------------------------

export const PaymentBody = z
  .strictObject({
    amount: cents('the amount paid').meta({ description: 'Amount received, in euro cents; at most 10000000000.', example: 2500 }),
    paidAt: isoDateTime('when the money arrived')
      .optional()
      .meta({ description: 'When the money arrived (ISO-8601 with a zone); not in the future. Default: now.', example: '2026-03-02T09:30:00Z' }),
    reference: text('your payment reference, e.g. "BANK-77"', { max: 64 })
      .optional()
      .meta({ description: 'Your reference for this payment: the same reference is booked once.', example: 'BANK-77' }),
  })
  .meta({ id: 'PaymentBody', description: 'A payment received for the dossier. Unknown fields are refused.', examples: [{ amount: 2500, reference: 'BANK-77' }] });
export type PaymentBody = z.infer<typeof PaymentBody>;

export function paymentBodyAt(now: Date) {
  const earliest = isoDateYearsFrom(now, -DUE_DATE_WINDOW.yearsBack);
  return PaymentBody.superRefine((b, ctx) => {
    if (typeof b.paidAt !== 'string') return;
    const at = Date.parse(b.paidAt);
    if (Number.isNaN(at)) return;
    if (at > now.getTime() + PAID_AT_CLOCK_SKEW_MS) ctx.addIssue({ code: 'custom', path: ['paidAt'], message: `must not be in the future (now is ${now.toISOString()})` });
    if (b.paidAt.slice(0, 10) < earliest) ctx.addIssue({ code: 'custom', path: ['paidAt'], message: `must not be more than ${DUE_DATE_WINDOW.yearsBack} years ago` });
  });
}

export const CallOutcome = z
  .enum(CALL_OUTCOMES)
  .meta({ id: 'CallOutcome', description: 'What the call brought: dispute pauses the dossiers, wrong_number marks the phone unusable.' });
export const CompleteTaskBody = z
  .strictObject({
    outcome: CallOutcome,
    note: text('the agent’s note', { max: 1000, multiline: true }).optional().meta({ description: 'Free text for the file; never sent to the debtor.', example: 'Belt vrijdag terug.' }),
  })
  .meta({ id: 'CompleteTaskBody', examples: [{ outcome: 'promise_to_pay', note: 'Betaalt vrijdag.' }] });

// ---- finding dossiers, the creditor's changes, batch intake ----------------------------------------------

const REFERENCE = /^[\w./-]+$/;

/** A point in time for a filter: a date (YYYY-MM-DD, UTC) or an ISO-8601 date-time with a zone. */
const instantOrDate = (what: string) =>
  z
    .string({ error: `must be ${what}: a date YYYY-MM-DD (UTC) or an ISO-8601 date-time with a zone, e.g. "2026-03-01" or "2026-03-01T09:00:00Z"` })
    .refine(
      (v) => (z.iso.date().safeParse(v).success || z.iso.datetime({ offset: true }).safeParse(v).success) && !Number.isNaN(Date.parse(v)) && /^\d{4}-/.test(v),
      `must be ${what}: a date YYYY-MM-DD (UTC) or an ISO-8601 date-time with a zone, e.g. "2026-03-01" or "2026-03-01T09:00:00Z"`,
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
    reference: z
      .string()
      .min(1, 'must not be empty: your reference of the claim, e.g. "INV-1001"')
      .max(64, 'must be at most 64 characters')
      .regex(REFERENCE, 'may only hold letters, digits and . / - _, e.g. "INV-1001"')
      .optional()
      .meta({ description: 'Your reference of the claim (exact): at most one dossier.', example: 'INV-1001' }),
    status: z
      .enum(DOSSIER_STATUSES, { error: `must be one of ${DOSSIER_STATUSES.join(', ')}` })
      .optional()
      .meta({ description: 'Only dossiers with this status.', example: 'open' }),
    debtorId: Id('the debtor id', 'deb_01jnq7x5v2k8m3r4t6w8y0z2a5').optional().meta({ description: 'Only your dossiers of this debtor.' }),
    createdFrom: instantOrDate('the earliest creation time')
      .optional()
      .meta({ description: 'Only dossiers created at or after this time (a date: from 00:00 UTC that day).', example: '2026-03-01' }),
    createdTo: instantOrDate('the latest creation time')
      .optional()
      .meta({ description: 'Only dossiers created at or before this time (a date: through the end of that UTC day).', example: '2026-03-31' }),
    cursor: z
      .string()
      .max(600, 'must be at most 600 characters: pass the nextCursor of the previous page unchanged')
      .regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor of this API: pass the nextCursor of the previous page unchanged')
      .optional()
      .meta({ description: 'The `nextCursor` of the previous page, with the same filters.' }),
    limit: z
      .string()
      .regex(/^\d{1,3}$/, `must be a whole number 1–${LIST_LIMIT.max}, e.g. 25`)
      .refine((v) => Number(v) >= 1 && Number(v) <= LIST_LIMIT.max, `must be a whole number 1–${LIST_LIMIT.max}, e.g. 25`)
      .optional()
      .meta({ description: `Dossiers per page, 1–${LIST_LIMIT.max} (default ${LIST_LIMIT.default}).`, example: '25' }),
  })
  .superRefine((q, ctx) => {
    if (q.createdFrom && q.createdTo && filterInstant(q.createdFrom, 'from') > filterInstant(q.createdTo, 'to')) {
      ctx.addIssue({ code: 'custom', path: ['createdTo'], message: 'must not be before createdFrom' });
    }
  });
export type ListDossiersQuery = z.infer<typeof ListDossiersQuery>;

/** POST /v1/dossiers/{id}/withdraw, …/dispute, …/dispute/resolve: an optional reason for the file. */
export const StatusChangeBody = z
  .strictObject({
    reason: text('the reason, for the file, e.g. "paid to us directly"', { max: 500, multiline: true })
      .optional()
      .meta({ description: 'Why, for the file and the timeline (never sent to the debtor).', example: 'Betaald via de eigen bank.' }),
  })
  .meta({ id: 'StatusChangeBody', description: 'Optional: the body may be left out.' });
export type StatusChangeBody = z.infer<typeof StatusChangeBody>;

/** POST /v1/dossiers/{id}/dispute/resolve: who the dispute was decided for (services/disputes.ts), and a reason. */
export const ResolveDisputeBody = z
  .strictObject({
    ...StatusChangeBody.shape,
    inFavourOf: z
      .enum(['creditor', 'debtor'], { error: 'must be "creditor" (the claim stands: the journey resumes) or "debtor" (the claim goes: withdrawn)' })
      .optional()
      .meta({ description: 'creditor (default): the claim stands and its journey resumes; debtor: the dossier is withdrawn.', example: 'creditor' }),
  })
  .meta({ id: 'ResolveDisputeBody', description: 'Optional: the body may be left out (a resolution in the creditor’s favour).' });
export type ResolveDisputeBody = z.infer<typeof ResolveDisputeBody>;

const nullable = <T extends z.ZodType>(schema: T, what: string) =>
  z.union([schema, z.null()], { error: `must be ${what}, or null to remove it` });

/** PATCH /v1/debtors/{id}: the contact details this creditor gave with its claims. */
export const PatchDebtorBody = z
  .strictObject({
    email: nullable(
      z.email({ error: 'must be an email address, e.g. "sam@example.com"' }).max(254, 'must be at most 254 characters'),
      'an email address, e.g. "sam@example.com"',
    )
      .optional()
      .meta({ description: 'The new email address for your claims; null removes the one you gave.', example: 'sam.nieuw@example.com' }),
    phone: nullable(PhoneInput, 'an E.164 phone number such as "+31612345678"')
      .optional()
      .meta({ description: 'The new phone number (E.164) for your claims; null removes it. A new number has no WhatsApp opt-in unless whatsappOptIn is true.', example: '+31687654321' }),
    whatsappOptIn: z
      .boolean({ error: 'must be true or false: whether the debtor opted in to WhatsApp messages on this phone' })
      .optional()
      .meta({ description: 'The debtor opted in (true) or out (false) of WhatsApp on the phone you gave.' }),
    address: nullable(Address, 'an address object {"line1","postalCode","city","country"?}')
      .optional()
      .meta({ description: 'The new postal address for your claims (letters); null removes it.' }),
    dossierIds: z
      .array(Id('a dossier id of yours', 'dos_01jnq7x5v2k8m3r4t6w8y0z2a4'), { error: 'must be an array of your dossier ids, e.g. ["dos_01jnq7x5v2k8m3r4t6w8y0z2a4"]' })
      .min(1, 'must name at least one dossier, or be left out (all your dossiers of this debtor)')
      .max(100, 'must be at most 100 dossier ids')
      .optional()
      .meta({ description: 'Only for these claims of yours (default: all your dossiers of this debtor).' }),
  })
  .superRefine((b, ctx) => {
    if (b.email === undefined && b.phone === undefined && b.address === undefined && b.whatsappOptIn === undefined) {
      ctx.addIssue({ code: 'custom', path: ['(body)'], message: 'needs at least one of email, phone, whatsappOptIn or address' });
    }
    if (b.whatsappOptIn === true && b.phone === null) ctx.addIssue({ code: 'custom', path: ['whatsappOptIn'], message: 'cannot be true while phone is removed' });
  })
  .meta({
    id: 'PatchDebtorBody',
    description:
      'Replaces the contact details you gave with your claims (other creditors’ stay as they are). A field left out is unchanged; null removes it. Unknown fields are refused.',
    examples: [{ email: 'sam.nieuw@example.com', phone: '+31687654321', whatsappOptIn: true }],
  });
export type PatchDebtorBody = z.infer<typeof PatchDebtorBody>;

export const DebtorFlag = z.enum(DEBTOR_FLAGS, { error: `must be one of ${DEBTOR_FLAGS.join(', ')}` }).meta({
  id: 'DebtorFlag',
  description:
    'vulnerable, bewind (protective administration), curatele, mentorschap: a person’s care, no escalation without an agent; ' +
    'wsnp, schuldhulp (municipal debt help), moratorium: all outreach and cost accrual stop; beslag: income garnished by another creditor.',
});

/** POST /v1/debtors/{id}/flags */
export const FlagsBody = z
  .strictObject({
    add: z.array(DebtorFlag).max(DEBTOR_FLAGS.length).optional().meta({ description: 'Flags to set (with your claims).', example: ['wsnp'] }),
    remove: z.array(DebtorFlag).max(DEBTOR_FLAGS.length).optional().meta({ description: 'Flags you set before and clear now (only your own).', example: [] }),
  })
  .superRefine((b, ctx) => {
    if (!b.add?.length && !b.remove?.length) ctx.addIssue({ code: 'custom', path: ['add'], message: 'needs at least one flag in add or remove, e.g. {"add":["wsnp"]}' });
    const both = (b.add ?? []).filter((f) => b.remove?.includes(f));
    if (both.length) ctx.addIssue({ code: 'custom', path: ['remove'], message: `must not also be in add: ${both.join(', ')}` });
  })
  .meta({ id: 'FlagsBody', examples: [{ add: ['wsnp'] }, { add: ['vulnerable'], remove: ['beslag'] }] });
export type FlagsBody = z.infer<typeof FlagsBody>;

export const BATCH_MAX = 500;

/** POST /v1/dossiers/batch, as documented: up to 500 claims, each exactly as POST /v1/dossiers takes it. */
export const BatchBody = z
  .strictObject({
    claims: z
      .array(CreateDossierBody)
      .min(1)
      .max(BATCH_MAX)
      .meta({ description: `1–${BATCH_MAX} claims, each as POST /v1/dossiers takes it; each is checked and filed on its own.` }),
  })
  .meta({ id: 'BatchBody', examples: [{ claims: [EXAMPLE_DOSSIER] }] });

/** What the handler reads first: the envelope, so one bad claim is that claim's 400, not the batch's. */
export const BatchEnvelope = z.strictObject({
  claims: z
    .array(z.unknown(), { error: 'must be an array of claims, e.g. {"claims":[{…}, …]}' })
    .min(1, 'must hold at least one claim')
    .max(BATCH_MAX, `must hold at most ${BATCH_MAX} claims; send more in several batches`),
});

/** The Idempotency-Key header: what the handlers accept and the document shows. */
export const IDEMPOTENCY_KEY = /^[\w.:-]{1,128}$/;

/** GET /v1/tasks */
export const TasksQuery = z.strictObject({
  status: z.enum(['open'], { error: 'must be "open" (only open tasks can be listed)' }).optional().meta({ description: 'Only "open" (the default).' }),
  reason: z
    .enum(TASK_REASONS, { error: `must be one of ${TASK_REASONS.join(', ')}` })
    .optional()
    .meta({ description: 'Only tasks with this reason (e.g. vulnerable, dispute_review, unclear_reply).', example: 'vulnerable' }),
});

/** Twilio's inbound message webhook (form fields we use; Twilio sends more, so this object is open). */
export const TwilioInbound = z.object({
  MessageSid: z.string().min(1).meta({ example: 'SM00000000000000000000000000000001' }),
  AccountSid: z.string().min(1).meta({ example: 'AC00000000000000000000000000000000' }),
  From: z.string().min(1).meta({ description: 'The sender; "whatsapp:+31…" for WhatsApp.', example: '+31612345678' }),
  To: z.string().min(1).meta({ example: '+3197010000000' }),
  Body: z.string().default('').meta({ example: 'ik wil een regeling' }),
});

/** Twilio's message status callback. */
export const TwilioStatus = z.object({
  MessageSid: z.string().min(1),
  MessageStatus: z.string().min(1).meta({ example: 'delivered' }),
  ErrorCode: z.string().optional().meta({ example: '30003' }),
  /** the number the message went to (with `whatsapp:` for WhatsApp): the contact point a dead number makes unusable */
  To: z.string().optional().meta({ example: '+31612345678' }),
});

// ---- journey contract between the ASL, Decide and the channel steps -----------------------------
//
// The state every journey state passes on is { caseId, journeyNo, action }. Route (a Choice) sends it to the
// state that carries out `action`. Actions of executions started by the first version (no nextDecisionAt, no
// log) still parse: the steps then decide afresh.

const instant = z.iso.datetime({ offset: true });

/** The decision entry a state writes to the timeline when it carries the action out (absent: written already). */
export const DecisionLog = z.object({
  at: instant,
  segment: z.string(),
  segmentReasons: z.array(z.string()),
  reasons: z.array(z.string()),
});
export type DecisionLog = z.infer<typeof DecisionLog>;

export const CostsUpdate = z.array(z.object({ dossierId: z.string(), costs: z.number().int().nonnegative(), reason: z.string(), from: z.iso.date().optional() }));
/** A call task Decide found overdue and expired: the state that carries out the action forgets it on the case. */
export const ExpiredTask = z.object({ taskId: z.string(), stepNo: z.number().int(), dossierIds: z.array(z.string()), at: instant });
export type ExpiredTask = z.infer<typeof ExpiredTask>;

export const SendAction = z.object({
  type: z.literal('send'),
  channel: ChannelName,
  stepNo: z.number().int().positive(),
  /** the safety net: how long the channel state waits before Decide runs anyway (the planned moment + a margin) */
  awaitSeconds: z.number().int().positive(),
  /** the case's event counter the decision saw; a newer event means "decide again, do not send" */
  seenEventSeq: z.number().int().nonnegative(),
  template: z.string(),
  tone: z.enum(TONES),
  language: Language,
  phase: z.enum(PHASES),
  dossierIds: z.array(z.string()).min(1),
  /** when the next step is due if nothing happens: the journey's timer ends the wait then */
  nextDecisionAt: instant.optional(),
  log: DecisionLog.optional(),
  costs: CostsUpdate.optional(),
  /** the strategy the decision was made with (services/strategy-source.ts strategyId) */
  strategy: z.string().optional(),
  expiredTask: ExpiredTask.optional(),
  /** the experiments this contact is under; `assigned`: the debtor joins with it (domain/decide/experiment.ts) */
  experiments: z.array(z.object({ experimentId: z.string(), variant: z.string(), assigned: z.boolean() })).optional(),
  /** a template experiment's variant */
  templateVariant: z.string().optional(),
  /** an arrangement message: its template topic; aside: not a contact of the collection sequence */
  topic: z.enum(TOPICS).optional(),
  aside: z.boolean().optional(),
  arrangement: ArrangementChangeSchema.optional(),
  /** a follow-up of the 14-day letter: the letter's term end it states (and records on its claims) */
  termEndDate: z.iso.date().optional(),
});
/** Decide afresh (something happened, or the plan ran out). */
export const DecideAction = z.object({ type: z.literal('decide'), reason: z.string() });
export const WaitAction = z.object({
  type: z.literal('wait'),
  awaitSeconds: z.number().int().positive(),
  seenEventSeq: z.number().int().nonnegative(),
  until: instant,
  /** what to do at `until` if nothing happens before (the planned decision) */
  then: z.union([SendAction, DecideAction]).optional(),
  log: DecisionLog.optional(),
  costs: CostsUpdate.optional(),
  expiredTask: ExpiredTask.optional(),
  arrangement: ArrangementChangeSchema.optional(),
});
export const DoneAction = z.object({ type: z.literal('done'), reason: z.string() });
export const Action = z.discriminatedUnion('type', [SendAction, WaitAction, DoneAction, DecideAction]);
export type Action = z.infer<typeof Action>;
export type SendAction = z.infer<typeof SendAction>;
export type WaitAction = z.infer<typeof WaitAction>;
export type DecideAction = z.infer<typeof DecideAction>;

export const JourneyState = z.object({
  caseId: z.string().min(1),
  journeyNo: z.number().int().positive(),
  action: Action.optional(),
  error: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});
export type JourneyState = z.infer<typeof JourneyState>;

export const DecideEvent = z.object({ state: JourneyState, executionId: z.string() });
/** The journey timer's call at the planned moment when the plan is to end (or to decide afresh). */
export const WakeEvent = z.object({ wake: z.object({ caseId: z.string().min(1), journeyNo: z.number().int().positive(), taskToken: z.string().min(1) }) });
export const ChannelStepEvent = z.object({
  channel: z.enum(['email', 'sms', 'whatsapp', 'letter', 'call', 'await']),
  state: JourneyState,
  taskToken: z.string().min(1),
  executionId: z.string(),
});
export type ChannelStepEvent = z.infer<typeof ChannelStepEvent>;

// ---- messages ----------------------------------------------------------------------------------------------

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'a JSON array',
  null: 'null',
};

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 20 ? 'a string' : `the string ${JSON.stringify(v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v === 'number' ? 'the number' : typeof v} ${String(v)}`;
}

/**
 * The message for a zod issue whose schema did not set its own: pass as the per-parse error map
 * (`schema.safeParse(data, { error: friendlyError })`) so every refusal says what is expected.
 */
export function friendlyError(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type': {
      const expected = TYPE_NAMES[iss.expected] ?? iss.expected;
      return iss.input === undefined ? `is required (${expected})` : `must be ${expected}, not ${describeValue(iss.input)}`;
    }
    case 'invalid_value':
      return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_big': {
      const unit = iss.origin === 'string' ? ' characters' : iss.origin === 'array' ? ' items' : '';
      return `must be at most ${String(iss.maximum)}${unit}`;
    }
    case 'too_small': {
      const unit = iss.origin === 'string' ? ' characters' : iss.origin === 'array' ? ' items' : '';
      return `must be at least ${String(iss.minimum)}${unit}`;
    }
    case 'invalid_format':
      return `must be a valid ${iss.format}`;
    case 'invalid_union':
      return 'does not match any accepted form (see GET /docs)';
    default:
      return undefined;
  }
}

/** Peels optional/default/nullable/pipe wrappers off a schema (to read an object's fields). */
function unwrap(s: z.ZodType): z.ZodType {
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else return s;
  }
}

/** The fields of the object at `path` inside `schema`, if that is a plain object. */
function fieldsAt(schema: z.ZodType | undefined, path: PropertyKey[]): Record<string, z.ZodType> | undefined {
  let s = schema && unwrap(schema);
  for (const seg of path) {
    if (s instanceof z.ZodObject) s = Object.hasOwn(s.shape, String(seg)) ? unwrap(s.shape[String(seg)] as z.ZodType) : undefined;
    else if (s instanceof z.ZodArray) s = unwrap(s.element as z.ZodType);
    else return undefined;
  }
  return s instanceof z.ZodObject ? (s.shape as Record<string, z.ZodType>) : undefined;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)] as number[]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

/** Why a field is unknown, with the likely fix: misplaced (belongs inside `debtor`), a typo, or the list of fields. */
function unknownField(schema: z.ZodType | undefined, path: PropertyKey[], key: string): string {
  const fields = fieldsAt(schema, path);
  if (!fields) return 'is not a known field here (see GET /docs)';
  const names = Object.keys(fields);
  if (names.length === 0) return 'is not accepted: none are taken here';
  const home = names.find((n) => Object.hasOwn(fieldsAt(schema, [...path, n]) ?? {}, key));
  if (home) return `is not a field here; it belongs inside "${home}" (${[...path, home, key].join('.')})`;
  const near = names.find((n) => editDistance(n.toLowerCase(), key.toLowerCase()) <= 2);
  if (near) return `is not a known field; did you mean "${near}"?`;
  return `is not a known field; the fields here are ${names.join(', ')}`;
}

/**
 * Turns a zod error into { "debtor.phone": "reason" } for the API's 400 answer. An unknown field is named by its
 * own path ("debtor.foo"); pass the schema to say where a misplaced field belongs or which name was meant.
 */
export function fieldErrors(error: z.ZodError, schema?: z.ZodType): Record<string, string> {
  // No prototype: a field named "__proto__" or "constructor" is reported like any other.
  const fields = Object.create(null) as Record<string, string>;
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) fields[[...issue.path, k].join('.')] ??= unknownField(schema, issue.path, k);
      continue;
    }
    const key = issue.path.length ? issue.path.join('.') : '(body)';
    fields[key] ??= issue.message;
  }
  return fields;
}
