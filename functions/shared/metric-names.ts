/**
 * The business metrics' vocabulary: names, namespace and the bounded dimension values, shared by the code that
 * emits them (metrics.ts) and the dashboard and alarms that read them (infra/aws/observability.ts). Plain data.
 */
import type { Intent } from '../domain/intents.js';
import { CHANNELS } from '../channels/render-contract.js';

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
};

export const SEND_CHANNELS = CHANNELS;

/**
 * What happened to one send attempt of a journey step:
 * - sent: the provider (or the agents' queue) took it;
 * - rejected: the provider refused it for good (bad number, bounced address): the journey fails over;
 * - skipped: a rule blocked it before any provider call (opt-out, no WhatsApp opt-in, unusable contact point);
 * - provider_error: the provider was unavailable after the adapter's retries (Step Functions retries the step);
 * - interrupted: an earlier attempt crashed mid-send; not sent again (never a duplicate);
 * - render_failed: the message could not be made from its template (a template bug: the journey fails over).
 */
export const SEND_OUTCOMES = ['sent', 'rejected', 'skipped', 'provider_error', 'interrupted', 'render_failed'] as const;
export type SendOutcome = (typeof SEND_OUTCOMES)[number];

/** Every reply intent (the object makes tsc fail when domain/intents.ts gains or loses one). */
export const REPLY_INTENTS = Object.keys({
  opt_out: 1,
  opt_out_all: 1,
  arrangement: 1,
  already_paid: 1,
  cannot_pay: 1,
  dispute: 1,
  debt_help: 1,
  promise_to_pay: 1,
  other: 1,
} satisfies Record<Intent, 1>) as Intent[];

export const WEBHOOK_SOURCES = ['twilio', 'sendgrid'] as const;
export type WebhookSource = (typeof WEBHOOK_SOURCES)[number];
