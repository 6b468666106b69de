/**
 * Business metrics, as CloudWatch Embedded Metric Format through Powertools Metrics: one small, stable call per
 * business event, made where the event happens (the first time it happens: never on a replay).
 *
 *   metrics.sent(channel, outcome)      Sends            {channel, outcome}
 *   metrics.replied(intent)             Replies          {intent}
 *   metrics.paymentReceived(cents)      Payments (count) and RecoveredCents (sum of cents)
 *   metrics.journeyStarted()            JourneysStarted
 *   metrics.journeyEnded(reason)        JourneysEnded    {reason}
 *   metrics.webhookRejected(source)     WebhookSignatureFailures {source}
 *   metrics.decideRetriedLater()        DecideRetriedLater
 *   metrics.answered(channel, outcome)  Answers          {channel, outcome}   the answer to a reply
 *   metrics.agentTask(reason)           AgentTasks       {reason}             a task a reply needs (created once)
 *   metrics.disputeResolved(inFavourOf) DisputesResolved {inFavourOf}
 *   metrics.legalTableWarning(table)    LegalTableWarnings {table}            once per container while it runs out
 *
 * Namespace `Maatwerk`; every metric also carries the dimension service=maatwerk (the same in every function, so
 * the dashboard and the alarms name one metric whichever function emitted it). Dimension values are bounded
 * vocabularies (channels, outcomes, intents, slugged end reasons), never ids: CloudWatch bills per dimension set.
 *
 * Each call is flushed at once (a single-metric EMF line), so nothing is lost when a handler throws. Outside Lambda
 * POWERTOOLS_METRICS_DISABLED=true (the local runtime, tests) silences the EMF output; `onMetric` lets tests and
 * the local runtime observe the calls either way.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CoverageWarning } from '../domain/coverage.js';
import type { TaskReason } from '../domain/vocabulary.js';
import { type AnswerOutcome, METRIC, METRICS_NAMESPACE, METRICS_SERVICE, type MetricName, type SendOutcome, type WebhookSource } from './metric-names.js';

export { ANSWER_OUTCOMES, METRIC, METRICS_NAMESPACE, METRICS_SERVICE, SEND_OUTCOMES, WEBHOOK_SOURCES } from './metric-names.js';
export type { AnswerOutcome, MetricName, SendOutcome, WebhookSource } from './metric-names.js';

export interface MetricEvent {
  name: MetricName;
  value: number;
  dimensions: Record<string, string>;
}

type Listener = (event: MetricEvent) => void;
const listeners = new Set<Listener>();

/** Observe every metric call (tests, the local runtime). Returns the function that stops observing. */
export function onMetric(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A bounded, readable dimension value: "referred to debt help" → "referred_to_debt_help". */
export function dimensionValue(text: string): string {
  const slug = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents off: ü → u
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return slug || 'unknown';
}

function emit(name: MetricName, value: number, dimensions: Record<string, string> = {}): void {
  for (const listener of listeners) listener({ name, value, dimensions });
  try {
    const m = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE }).singleMetric();
    for (const [k, v] of Object.entries(dimensions)) m.addDimension(k, v);
    m.addMetric(name, MetricUnit.Count, value);
  } catch {
    // A metric must never fail the business event it describes.
  }
}

export const metrics = {
  sent(channel: string, outcome: SendOutcome): void {
    emit(METRIC.sends, 1, { channel, outcome });
  },
  replied(intent: string): void {
    emit(METRIC.replies, 1, { intent });
  },
  paymentReceived(amountCents: number): void {
    emit(METRIC.payments, 1);
    emit(METRIC.recoveredCents, amountCents);
  },
  journeyStarted(): void {
    emit(METRIC.journeysStarted, 1);
  },
  journeyEnded(reason: string): void {
    emit(METRIC.journeysEnded, 1, { reason: dimensionValue(reason) });
  },
  webhookRejected(source: WebhookSource): void {
    emit(METRIC.webhookSignatureFailures, 1, { source });
  },
  decideRetriedLater(): void {
    emit(METRIC.decideRetriedLater, 1);
  },
  answered(channel: 'sms' | 'whatsapp', outcome: AnswerOutcome): void {
    emit(METRIC.answers, 1, { channel, outcome });
  },
  agentTask(reason: TaskReason): void {
    emit(METRIC.agentTasks, 1, { reason });
  },
  disputeResolved(inFavourOf: 'creditor' | 'debtor'): void {
    emit(METRIC.disputesResolved, 1, { inFavourOf });
  },
  legalTableWarning(table: CoverageWarning['table']): void {
    emit(METRIC.legalTableWarnings, 1, { table });
  },
};
