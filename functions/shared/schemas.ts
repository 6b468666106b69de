/**
 * Schemas for everything that enters the system, shared by the handlers, the local runtime and the tests.
 * Money is integer cents (EUR); times are ISO-8601.
 */
import { z } from 'zod';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { IncomeSourceSchema } from '../domain/payday.js';
import { CALL_OUTCOMES, CHANNELS, LANGUAGES, PHASES, TONES } from '../domain/vocabulary.js';

export const E164 = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +31612345678')
  .refine((v) => parsePhoneNumberFromString(v)?.isValid() ?? false, 'is not a valid phone number');

const cents = z.number().int('must be whole cents').positive('must be more than 0 cents');
const isoDate = z.iso.date('must be a date YYYY-MM-DD');
const isoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' });

export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;

export const ChannelName = z.enum(CHANNELS);
export type ChannelName = z.infer<typeof ChannelName>;

export const Address = z.object({
  line1: z.string().trim().min(1).max(200),
  postalCode: z.string().trim().min(1).max(20),
  city: z.string().trim().min(1).max(100),
  country: z.string().trim().length(2).default('NL'),
});

/** The debtor's income source drives payday scheduling; the schema lives with the payday rules. */
export const IncomeSource = IncomeSourceSchema;
export type IncomeSource = z.infer<typeof IncomeSource>;

export const DebtorInput = z
  .object({
    name: z.string().trim().min(1, 'is required').max(200),
    email: z.email('must be an email address').max(254).optional(),
    phone: E164.optional(),
    whatsappOptIn: z.boolean().optional(),
    language: Language.default('nl'),
    address: Address.optional(),
    consumer: z.boolean({ error: 'is required (true for a consumer, false for a business)' }),
    incomeSource: IncomeSource.optional(),
    paydayOfMonth: z.number().int().min(1).max(31).optional(),
    /** the creditor's own customer number: claims with the same debtorRef of one creditor are one person */
    debtorRef: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[\w.:-]+$/, 'may only hold letters, digits and . _ : -')
      .optional(),
  })
  .refine((d) => d.email || d.phone || d.address, {
    message: 'needs at least one way to reach the debtor: email, phone or address',
    path: ['email'],
  })
  .refine((d) => !d.whatsappOptIn || d.phone, { message: 'WhatsApp opt-in needs a phone number', path: ['phone'] })
  .refine((d) => !(d.incomeSource && d.paydayOfMonth), {
    message: 'give either paydayOfMonth or incomeSource, not both',
    path: ['paydayOfMonth'],
  });
export type DebtorInput = z.infer<typeof DebtorInput>;

export const CreateDossierBody = z.object({
  reference: z.string().trim().min(1, 'is required').max(64).regex(/^[\w./-]+$/, 'may only hold letters, digits and . / - _'),
  debtor: DebtorInput,
  principal: cents,
  dueDate: isoDate,
  description: z.string().trim().max(500).optional(),
});
export type CreateDossierBody = z.infer<typeof CreateDossierBody>;

export const PaymentBody = z.object({
  amount: cents,
  paidAt: isoDateTime.optional(),
  reference: z.string().trim().min(1).max(64).optional(),
});
export type PaymentBody = z.infer<typeof PaymentBody>;

export const CallOutcome = z.enum(CALL_OUTCOMES);
export const CompleteTaskBody = z.object({ outcome: CallOutcome, note: z.string().trim().max(1000).optional() });

/** Twilio's inbound message webhook (form fields we use; Twilio sends more). */
export const TwilioInbound = z.object({
  MessageSid: z.string().min(1),
  AccountSid: z.string().min(1),
  From: z.string().min(1),
  To: z.string().min(1),
  Body: z.string().default(''),
});

/** Twilio's message status callback. */
export const TwilioStatus = z.object({
  MessageSid: z.string().min(1),
  MessageStatus: z.string().min(1),
  ErrorCode: z.string().optional(),
  /** the number the message went to (with `whatsapp:` for WhatsApp): the contact point a dead number makes unusable */
  To: z.string().optional(),
});

// ---- journey contract between the ASL, Decide and the channel steps -----------------------------
//
// The state every journey state passes on is { caseId, journeyNo, action }. Route (a Choice) sends it to the
// state that carries out `action`. Actions of executions started by the first version (no nextDecisionAt, no
// log) still parse: the steps then decide afresh.

/** The decision entry a state writes to the timeline when it carries the action out (absent: written already). */
export const DecisionLog = z.object({
  at: isoDateTime,
  segment: z.string(),
  segmentReasons: z.array(z.string()),
  reasons: z.array(z.string()),
});
export type DecisionLog = z.infer<typeof DecisionLog>;

export const CostsUpdate = z.array(z.object({ dossierId: z.string(), costs: z.number().int().nonnegative(), reason: z.string() }));
/** A call task Decide found overdue and expired: the state that carries out the action forgets it on the case. */
export const ExpiredTask = z.object({ taskId: z.string(), stepNo: z.number().int(), dossierIds: z.array(z.string()), at: isoDateTime });
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
  nextDecisionAt: isoDateTime.optional(),
  log: DecisionLog.optional(),
  costs: CostsUpdate.optional(),
  /** the strategy the decision was made with (services/strategy-source.ts strategyId) */
  strategy: z.string().optional(),
  expiredTask: ExpiredTask.optional(),
});
/** Decide afresh (something happened, or the plan ran out). */
export const DecideAction = z.object({ type: z.literal('decide'), reason: z.string() });
export const WaitAction = z.object({
  type: z.literal('wait'),
  awaitSeconds: z.number().int().positive(),
  seenEventSeq: z.number().int().nonnegative(),
  until: isoDateTime,
  /** what to do at `until` if nothing happens before (the planned decision) */
  then: z.union([SendAction, DecideAction]).optional(),
  log: DecisionLog.optional(),
  costs: CostsUpdate.optional(),
  expiredTask: ExpiredTask.optional(),
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

/** Turns a zod error into { "debtor.phone": "reason" } for the API's 400 answer. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '(body)';
    fields[key] ??= issue.message;
  }
  return fields;
}
