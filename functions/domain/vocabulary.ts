/**
 * The domain's vocabulary: one list of each, from which the zod enums (API, strategy file) and the types
 * derive. Channels, templates and the store import these; the domain imports nothing from them.
 */
export const CHANNELS = ['email', 'sms', 'whatsapp', 'letter', 'call'] as const;
export const TONES = ['friendly', 'neutral', 'firm'] as const;
export const LANGUAGES = ['nl', 'en'] as const;
/** Journey phases (DESIGN §5): friendly reminder → 14-day letter → demand → final notice → hand-over. */
export const PHASES = ['reminder', 'fourteen_day_letter', 'demand', 'final_notice', 'handover'] as const;
/**
 * What a message is about when it is not a phase's own message (issue 9): an arrangement offer (with the debt-help
 * referral for those who cannot pay), a reminder before an instalment's due date, one after a missed instalment.
 */
export const TOPICS = ['arrangement_offer', 'instalment_reminder', 'instalment_missed'] as const;
/** Why a debtor has not paid (segmentation.ts decides which). */
export const SEGMENTS = ['cannot_pay', 'will_not_pay', 'unaware', 'vulnerable', 'unknown'] as const;
/**
 * A dossier's status (DESIGN §7). Only `open` dossiers are worked on by the journey. `debt_help`: the debtor is in
 * (or reported) municipal debt help, WSNP or a moratorium — collection stops and the case is referred (§5 rule 10).
 */
export const DOSSIER_STATUSES = ['open', 'paused', 'paid', 'handed_over', 'withdrawn', 'closed', 'debt_help'] as const;
/** Where a message goes: an email address, a phone number (SMS, WhatsApp, calls) or a postal address. */
export const CONTACT_POINTS = ['email', 'phone', 'address'] as const;
/** What an agent can record after a call task. */
export const CALL_OUTCOMES = ['reached', 'no_answer', 'promise_to_pay', 'arrangement_requested', 'cannot_pay', 'dispute', 'wrong_number', 'vulnerable'] as const;
/**
 * What a debtor's reply means (functions/domain/intents/). `unclear`: no intent, or one the classifier is not sure
 * of — an agent reads it.
 */
export const INTENTS = [
  'opt_out',
  'opt_out_all',
  'promise_to_pay',
  'postpone',
  'already_paid',
  'arrangement',
  'cannot_pay',
  'dispute',
  'not_my_debt',
  'debt_help',
  'bankruptcy',
  'vulnerable',
  'who_are_you',
  'call_me',
  'amount_question',
  'unclear',
] as const;
/** Why an agent task exists: a journey's call step, or something a reply needs a person for. */
export const TASK_REASONS = ['call', 'unassigned_reply', 'unclear_reply', 'call_back_requested', 'vulnerable', 'dispute_review', 'wrong_person', 'bankruptcy'] as const;
export const TASK_PRIORITIES = ['urgent', 'high', 'normal'] as const;

/**
 * Flags a creditor (or an agent) may set on a debtor (POST /v1/debtors/{id}/flags); the decision reads each of
 * them (segmentation.ts: vulnerable and the protective measures, the debt-relief statuses that stop all outreach,
 * garnishment by another creditor). The journey sets its own flags from replies and calls besides these.
 */
export const DEBTOR_FLAGS = ['vulnerable', 'bewind', 'curatele', 'mentorschap', 'wsnp', 'schuldhulp', 'moratorium', 'beslag'] as const;

export type Channel = (typeof CHANNELS)[number];
export type Tone = (typeof TONES)[number];
export type Topic = (typeof TOPICS)[number];
export type Language = (typeof LANGUAGES)[number];
export type Phase = (typeof PHASES)[number];
export type Segment = (typeof SEGMENTS)[number];
export type DossierStatus = (typeof DOSSIER_STATUSES)[number];
export type ContactPointKind = (typeof CONTACT_POINTS)[number];
export type CallOutcome = (typeof CALL_OUTCOMES)[number];
export type DebtorFlag = (typeof DEBTOR_FLAGS)[number];
export type Intent = (typeof INTENTS)[number];
export type TaskReason = (typeof TASK_REASONS)[number];
export type TaskPriority = (typeof TASK_PRIORITIES)[number];
/** A channel a debtor opted out of, or all of them. */
export type OptOut = Channel | 'all';

/** The contact point a channel needs. */
export const CONTACT_POINT_OF: Readonly<Record<Channel, ContactPointKind>> = Object.freeze({
  email: 'email',
  sms: 'phone',
  whatsapp: 'phone',
  call: 'phone',
  letter: 'address',
});

export const isChannel = (v: unknown): v is Channel => typeof v === 'string' && (CHANNELS as readonly string[]).includes(v);
export const isPhase = (v: unknown): v is Phase => typeof v === 'string' && (PHASES as readonly string[]).includes(v);
export const isTone = (v: unknown): v is Tone => typeof v === 'string' && (TONES as readonly string[]).includes(v);
export const phaseIndex = (phase: Phase): number => PHASES.indexOf(phase);
