/**
 * The business metrics' vocabulary: names, namespace and the bounded dimension values, shared by the code that
 * emits them (metrics.ts) and the dashboard and alarms that read them (infra/aws/observability.ts). Plain data.
 */
import { INTENTS, type Intent } from '../domain/vocabulary.js';
import { CHANNELS } from '../channels/render-contract.js';
import type { CoverageWarning } from '../domain/coverage.js';

export const METRICS_NAMESPACE = 'Maatwerk';
/** The `service` dimension every business metric carries (one value, whichever function emitted it). */
export const METRICS_SERVICE = 'maatwerk';

export const METRIC = {
  sends: 'Sends',
  replies: 'Replies',
  payments: 'Payments',
  recoveredCents: 'RecoveredCents',
  journeysStarted: 'JourneysStarted',
  journeysEnded: 'JourneysEnded',
  webhookSignatureFailures: 'WebhookSignatureFailures',
  decideRetriedLater: 'DecideRetriedLater',
  answers: 'Answers',
  agentTasks: 'AgentTasks',
  disputesResolved: 'DisputesResolved',
  legalTableWarnings: 'LegalTableWarnings',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** Dimensions (besides `service`) of each metric. */
export const METRIC_DIMENSIONS: Readonly<Record<MetricName, readonly string[]>> = {
  Sends: ['channel', 'outcome'],
  Replies: ['intent'],
  Payments: [],
  RecoveredCents: [],
  JourneysStarted: [],
  JourneysEnded: ['reason'],
  WebhookSignatureFailures: ['source'],
  DecideRetriedLater: [],
  Answers: ['channel', 'outcome'],
  AgentTasks: ['reason'],
  DisputesResolved: ['inFavourOf'],
  LegalTableWarnings: ['table'],
};

export const SEND_CHANNELS = CHANNELS;

/**
 * What happened to one send attempt of a journey step:
 * - sent: the provider (or the agents' queue) took it;
 * - rejected: the provider refused it for good (bad number, bounced address): the journey fails over;
 * - skipped: a rule blocked it before any provider call (opt-out, no WhatsApp opt-in, unusable contact point);
 * - provider_error: the provider was unavailable after the adapter's retries (Step Functions retries the step);
 * - interrupted: an earlier attempt crashed mid-send; not sent again (never a duplicate);
 * - render_failed: the message could not be made from its template (a template bug: the journey fails over);
 * - contradicted: the message guard stopped it (domain/message-guard.ts: it would contradict the legal state of its
 *   claims — a template or rule bug, alarmed on: the journey fails over).
 */
export const SEND_OUTCOMES = ['sent', 'rejected', 'skipped', 'provider_error', 'interrupted', 'render_failed', 'contradicted'] as const;
export type SendOutcome = (typeof SEND_OUTCOMES)[number];

/**
 * What happened to the answer to a reply (services/conversation.ts): sent; planned (it waits for 07:00, the answer
 * timer sends it); skipped (the debtor opted out of the channel); failed (refused by the provider, or it could not
 * be rendered); in_doubt (an attempt was interrupted: not sent again).
 */
export const ANSWER_OUTCOMES = ['sent', 'planned', 'skipped', 'failed', 'in_doubt'] as const;
export type AnswerOutcome = (typeof ANSWER_OUTCOMES)[number];

/** The legal tables that say when they run out (domain/coverage.ts): the LegalTableWarnings dimension. */
export const LEGAL_TABLES = ['declared_equal_days', 'interest_rates'] as const satisfies readonly CoverageWarning['table'][];

/** Every reply intent (the classifier's vocabulary, functions/domain/vocabulary.ts): one graph line each. */
export const REPLY_INTENTS: readonly Intent[] = INTENTS;

export const WEBHOOK_SOURCES = ['twilio', 'sendgrid'] as const;
export type WebhookSource = (typeof WEBHOOK_SOURCES)[number];
