/**
 * Client API bodies (DESIGN §7). Money is integer cents (EUR); times are ISO-8601.
 * Only the Api function imports this module: it is the one that needs libphonenumber's metadata.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { IncomeSourceSchema } from '../../domain/payday.js';
import * as z from '../zod.js';
import { cents, isoDate, isoDateTime } from './fields.js';
import { Language } from './journey.js';

export const E164 = z.string().check(
  z.regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +31612345678'),
  z.refine((v) => parsePhoneNumberFromString(v)?.isValid() ?? false, 'is not a valid phone number'),
);

export const Address = z.object({
  line1: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  postalCode: z.string().check(z.trim(), z.minLength(1), z.maxLength(20)),
  city: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  country: z._default(z.string().check(z.trim(), z.length(2)), 'NL'),
});

/** The debtor's income source drives payday scheduling; the schema lives with the payday rules. */
export const IncomeSource = IncomeSourceSchema;
export type IncomeSource = z.infer<typeof IncomeSource>;

export const DebtorInput = z
  .object({
    name: z.string().check(z.trim(), z.minLength(1, 'is required'), z.maxLength(200)),
    email: z.optional(z.email('must be an email address').check(z.maxLength(254))),
    phone: z.optional(E164),
    whatsappOptIn: z.optional(z.boolean()),
    language: z._default(Language, 'nl'),
    address: z.optional(Address),
    consumer: z.boolean({ error: 'is required (true for a consumer, false for a business)' }),
    incomeSource: z.optional(IncomeSource),
    paydayOfMonth: z.optional(z.int().check(z.minimum(1), z.maximum(31))),
  })
  .check(
    z.refine((d) => !!(d.email || d.phone || d.address), {
      message: 'needs at least one way to reach the debtor: email, phone or address',
      path: ['email'],
    }),
    z.refine((d) => !d.whatsappOptIn || !!d.phone, { message: 'WhatsApp opt-in needs a phone number', path: ['phone'] }),
    z.refine((d) => !(d.incomeSource && d.paydayOfMonth), {
      message: 'give either paydayOfMonth or incomeSource, not both',
      path: ['paydayOfMonth'],
    }),
  );
export type DebtorInput = z.infer<typeof DebtorInput>;

export const CreateDossierBody = z.object({
  reference: z
    .string()
    .check(z.trim(), z.minLength(1, 'is required'), z.maxLength(64), z.regex(/^[\w./-]+$/, 'may only hold letters, digits and . / - _')),
  debtor: DebtorInput,
  principal: cents,
  dueDate: isoDate,
  description: z.optional(z.string().check(z.trim(), z.maxLength(500))),
});
export type CreateDossierBody = z.infer<typeof CreateDossierBody>;

export const PaymentBody = z.object({
  amount: cents,
  paidAt: z.optional(isoDateTime),
  reference: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(64))),
});
export type PaymentBody = z.infer<typeof PaymentBody>;

export const CallOutcome = z.enum([
  'reached',
  'no_answer',
  'promise_to_pay',
  'arrangement_requested',
  'cannot_pay',
  'dispute',
  'wrong_number',
]);
export const CompleteTaskBody = z.object({ outcome: CallOutcome, note: z.optional(z.string().check(z.trim(), z.maxLength(1000))) });
