/**
 * Operations view of the stack: one CloudWatch dashboard (the business first, then the machinery) and the alarms
 * that page (via SNS, alarm and OK).
 *
 * Business metrics (namespace Maatwerk, EMF from functions/shared/metrics.ts, dimension service=maatwerk):
 *   Sends {channel, outcome}, Replies {intent}, Payments, RecoveredCents, JourneysStarted, JourneysEnded {reason},
 *   WebhookSignatureFailures {source}, DecideRetriedLater, Answers {channel, outcome}, AgentTasks {reason},
 *   DisputesResolved {inFavourOf}, LegalTableWarnings {table} (graphed: a table runs out months ahead, so the
 *   once-per-container warning would page daily for months; the log line says what to add).
 *
 * Alarms (5-minute periods unless said otherwise, missing data = OK):
 * - journey executions failed, timed out or aborted > 0 (one alarm each: each means a debtor without a journey)
 * - Decide retry-later loop: a journey came back from RetryDecideLater > 0
 * - webhook signature failures > WEBHOOK_SIGNATURE_FAILURE_THRESHOLD (Twilio + SendGrid): a misconfigured token or
 *   someone forging callbacks
 * - the message guard stopped a message > 0 (Sends outcome contradicted: a template or rule states something the
 *   claims' legal state contradicts)
 * - provider error rate per channel (provider_error / attempts) > PROVIDER_ERROR_RATE_THRESHOLD %, over 15 minutes
 *   and at least PROVIDER_MIN_ATTEMPTS attempts
 * - per function: error rate (errors / invocations) > 5 %
 * - API 5xx > 0 (a handler answers bad input with 4xx; a 5xx is a crash or an integration failure)
 * - DynamoDB throttle events (table and both GSIs, reads and writes) > 0
 * - every dead-letter queue handed to it (`deadLetterQueues`, or alarmOnDeadLetterQueue): any message > 0
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import {
  ANSWER_OUTCOMES,
  LEGAL_TABLES,
  METRIC,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  type MetricName,
  REPLY_INTENTS,
  SEND_CHANNELS,
  SEND_OUTCOMES,
  WEBHOOK_SOURCES,
} from '../../functions/shared/metric-names.js';
import { TASK_REASONS } from '../../functions/domain/vocabulary.js';
import { TABLE } from '../../functions/store/table.js';

export interface ObservabilityProps {
  readonly dashboardName: string;
  readonly stateMachine: sfn.StateMachine;
  readonly functions: Record<string, lambda.IFunction>;
  readonly api: apigw.RestApi;
  readonly table: dynamodb.Table;
  /** the per-client rate limit (its blocked requests are graphed, not alarmed: blocking is its job) */
  readonly webAcl?: wafv2.CfnWebACL;
  /** dead-letter queues to alarm on, by a readable name (e.g. a scheduler's or an async invoke's DLQ) */
  readonly deadLetterQueues?: Record<string, sqs.IQueue>;
  readonly alarmEmail?: string;
}

const PERIOD = Duration.minutes(5);
/** Per-function error-rate alarm threshold, in percent of invocations. */
export const FUNCTION_ERROR_RATE_THRESHOLD = 5;
/** More rejected webhook signatures than this in 5 minutes alarms. */
export const WEBHOOK_SIGNATURE_FAILURE_THRESHOLD = 10;
/** Provider errors above this share of a channel's send attempts in 15 minutes alarm … */
export const PROVIDER_ERROR_RATE_THRESHOLD = 20;
/** … once there are at least this many attempts (two failures of three sends is noise, not an outage). */
export const PROVIDER_MIN_ATTEMPTS = 5;
/** The channels that call a provider (a call task goes to the agents' queue). */
export const PROVIDER_CHANNELS = SEND_CHANNELS.filter((c) => c !== 'call');

/** A business metric (namespace Maatwerk, service=maatwerk plus the given dimensions). */
export function businessMetric(name: MetricName, dimensions: Record<string, string> = {}, props: cw.MetricOptions = {}): cw.Metric {
  return new cw.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: METRICS_SERVICE, ...dimensions },
    period: PERIOD,
    statistic: 'Sum',
    ...props,
  });
}

export class Observability extends Construct {
  readonly dashboard: cw.Dashboard;
  readonly alarmTopic: sns.Topic;
  readonly alarms: {
    journeyFailed: cw.Alarm;
    journeyTimedOut: cw.Alarm;
    journeyAborted: cw.Alarm;
    decideRetryLater: cw.Alarm;
    webhookSignatureFailures: cw.Alarm;
    messageGuard: cw.Alarm;
    providerErrorRate: Record<string, cw.Alarm>;
    functionErrorRate: Record<string, cw.Alarm>;
    api5xx: cw.Alarm;
    tableThrottles: cw.Alarm;
    deadLetterQueues: Record<string, cw.Alarm>;
  };
  private readonly notify: cwActions.SnsAction;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { stateMachine, functions, api, table } = props;

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Maatwerk alarms',
      enforceSSL: true,
    });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subs.EmailSubscription(props.alarmEmail));
    this.notify = new cwActions.SnsAction(this.alarmTopic);
    const above = (alarmId: string, description: string, metric: cw.IMetric, threshold = 0, evaluationPeriods = 1) =>
      this.wire(
        new cw.Alarm(this, alarmId, {
          alarmDescription: description,
          metric,
          threshold,
          comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        }),
      );

    // ------------------------------------------------------------ journeys
    const started = stateMachine.metricStarted({ period: PERIOD, statistic: 'Sum', label: 'Started' });
    const succeeded = stateMachine.metricSucceeded({ period: PERIOD, statistic: 'Sum', label: 'Succeeded' });
    const failed = stateMachine.metricFailed({ period: PERIOD, statistic: 'Sum', label: 'Failed' });
    const timedOut = stateMachine.metricTimedOut({ period: PERIOD, statistic: 'Sum', label: 'Timed out' });
    const aborted = stateMachine.metricAborted({ period: PERIOD, statistic: 'Sum', label: 'Aborted' });

    const journeyFailed = above('JourneyExecutionsFailed', 'A journey execution failed: that debtor gets no further outreach until it is restarted.', failed);
    const journeyTimedOut = above(
      'JourneyExecutionsTimedOut',
      'A journey execution timed out: that debtor gets no further outreach until it is restarted.',
      timedOut,
    );
    const journeyAborted = above(
      'JourneyExecutionsAborted',
      'A journey execution was stopped (by an operator or a deployment): its debtor has no running journey until a new claim or a restart.',
      aborted,
    );
    const decideRetried = businessMetric(METRIC.decideRetriedLater, {}, { label: 'Decide retried later' });
    const decideRetryLater = above(
      'DecideRetryLaterLoop',
      'Decide failed after all its retries and a journey waited an hour to decide again (RetryDecideLater): it loops until the cause (see the Decide errors and logs) is fixed.',
      decideRetried,
    );

    // -------------------------------------------------------- business
    const sends = (channel: string, outcome: string) => businessMetric(METRIC.sends, { channel, outcome }, { label: `${channel} ${outcome}` });
    const providerErrorRate: Record<string, cw.Alarm> = {};
    const providerRates: cw.IMetric[] = [];
    for (const channel of PROVIDER_CHANNELS) {
      // ids unique per channel: the rates of all channels share one graph
      const [s, r, e] = ['sent', 'rejected', 'provider_error'].map((o) => `${o}_${channel}`);
      const usingMetrics = {
        [s]: sends(channel, 'sent').with({ period: Duration.minutes(15) }),
        [r]: sends(channel, 'rejected').with({ period: Duration.minutes(15) }),
        [e]: sends(channel, 'provider_error').with({ period: Duration.minutes(15) }),
      };
      const attempts = `(FILL(${s}, 0) + FILL(${r}, 0) + FILL(${e}, 0))`;
      const rate = new cw.MathExpression({
        expression: `IF(${attempts} >= ${PROVIDER_MIN_ATTEMPTS}, 100 * FILL(${e}, 0) / ${attempts}, 0)`,
        usingMetrics,
        period: Duration.minutes(15),
        label: `${channel} provider error rate (%)`,
      });
      providerRates.push(rate);
      providerErrorRate[channel] = above(
        `${channel}ProviderErrorRate`,
        `${channel}: more than ${PROVIDER_ERROR_RATE_THRESHOLD}% of send attempts in 15 minutes hit a provider error (429/5xx/network after retries); the journeys retry and then fail over.`,
        rate,
        PROVIDER_ERROR_RATE_THRESHOLD,
      );
    }
    const signatureFailures = Object.fromEntries(
      WEBHOOK_SOURCES.map((source) => [source, businessMetric(METRIC.webhookSignatureFailures, { source }, { label: source })]),
    );
    const webhookSignatureFailures = above(
      'WebhookSignatureFailures',
      `More than ${WEBHOOK_SIGNATURE_FAILURE_THRESHOLD} webhook requests in 5 minutes had a missing or wrong Twilio/SendGrid signature: a rotated token or key not updated in the secret, a wrong public URL, or forged callbacks. Their replies and statuses are not recorded.`,
      new cw.MathExpression({
        expression: WEBHOOK_SOURCES.map((s) => `FILL(${s}, 0)`).join(' + '),
        usingMetrics: signatureFailures,
        period: PERIOD,
        label: 'Rejected webhook signatures',
      }),
      WEBHOOK_SIGNATURE_FAILURE_THRESHOLD,
    );

    // A message the guard stopped (the message channels: a call task sends no text): sum over the channels.
    const contradicted = new cw.MathExpression({
      expression: PROVIDER_CHANNELS.map((c) => `FILL(contradicted_${c}, 0)`).join(' + '),
      usingMetrics: Object.fromEntries(PROVIDER_CHANNELS.map((c) => [`contradicted_${c}`, sends(c, 'contradicted')])),
      period: PERIOD,
      label: 'Stopped by the message guard',
    });
    const messageGuard = above(
      'MessageGuardStopped',
      'The message guard stopped a journey message: it would have contradicted the legal state of its claims (a term, costs or the 14-day letter). A template or a decision rule is wrong; the journey failed over to another channel. The channel step logs which.',
      contradicted,
    );

    // ----------------------------------------------------------- functions
    const functionErrorRate: Record<string, cw.Alarm> = {};
    const errorMetrics: cw.IMetric[] = [];
    const durationMetrics: cw.IMetric[] = [];
    for (const [name, fn] of Object.entries(functions)) {
      const errors = fn.metricErrors({ period: PERIOD, statistic: 'Sum' });
      const invocations = fn.metricInvocations({ period: PERIOD, statistic: 'Sum' });
      errorMetrics.push(fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: name }));
      durationMetrics.push(fn.metricDuration({ period: PERIOD, statistic: 'p95', label: name }));
      functionErrorRate[name] = above(
        `${name}ErrorRate`,
        `${name} function: more than ${FUNCTION_ERROR_RATE_THRESHOLD}% of invocations failed in 5 minutes.`,
        new cw.MathExpression({
          expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
          usingMetrics: { errors, invocations },
          period: PERIOD,
          label: `${name} error rate (%)`,
        }),
        FUNCTION_ERROR_RATE_THRESHOLD,
      );
    }

    // ----------------------------------------------------------------- api
    const api4xx = api.metricClientError({ period: PERIOD, statistic: 'Sum', label: '4xx' });
    const api5xx = api.metricServerError({ period: PERIOD, statistic: 'Sum', label: '5xx' });
    const apiCount = api.metricCount({ period: PERIOD, statistic: 'Sum', label: 'Requests' });
    const latency = (statistic: string) => api.metricLatency({ period: PERIOD, statistic, label: `Latency ${statistic}` });
    const api5xxAlarm = above('Api5xx', 'The API answered with a 5xx: a handler crashed or an integration failed.', api5xx);

    // ------------------------------------------------------------ dynamodb
    const throttleMetrics: Record<string, cw.IMetric> = {};
    const scopes: { key: string; dims: Record<string, string> }[] = [
      { key: 'table', dims: { TableName: table.tableName } },
      ...TABLE.indexes.map((index) => ({
        key: index.name.toLowerCase(),
        dims: { TableName: table.tableName, GlobalSecondaryIndexName: index.name },
      })),
    ];
    for (const { key, dims } of scopes) {
      for (const [kind, metricName] of [
        ['read', 'ReadThrottleEvents'],
        ['write', 'WriteThrottleEvents'],
      ] as const) {
        throttleMetrics[`${kind}_${key}`] = new cw.Metric({
          namespace: 'AWS/DynamoDB',
          metricName,
          dimensionsMap: dims,
          period: PERIOD,
          statistic: 'Sum',
        });
      }
    }
    const throttles = new cw.MathExpression({
      expression: Object.keys(throttleMetrics)
        .map((k) => `FILL(${k}, 0)`)
        .join(' + '),
      usingMetrics: throttleMetrics,
      period: PERIOD,
      label: 'Throttle events (table + GSIs)',
    });
    const tableThrottles = above('TableThrottles', 'DynamoDB throttled reads or writes on the table or one of its indexes.', throttles);

    this.alarms = {
      journeyFailed,
      journeyTimedOut,
      journeyAborted,
      decideRetryLater,
      webhookSignatureFailures,
      messageGuard,
      providerErrorRate,
      functionErrorRate,
      api5xx: api5xxAlarm,
      tableThrottles,
      deadLetterQueues: {},
    };
    for (const [name, queue] of Object.entries(props.deadLetterQueues ?? {})) this.alarmOnDeadLetterQueue(name, queue);

    // ----------------------------------------------------------- dashboard
    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cw.AlarmStatusWidget({
        title: 'Alarms',
        width: 24,
        height: 5,
        // every alarm made so far (the dead-letter queues' included), from the one list of them
        alarms: Object.values(this.alarms).flatMap((a) => (a instanceof cw.Alarm ? [a] : Object.values(a))),
      }),
    );
    // The business, first: what went out, what came back, what was paid, how journeys end.
    this.dashboard.addWidgets(
      new cw.TextWidget({
        markdown: '## Collection\nMessages, replies, payments and journeys (EMF metrics of the functions, namespace `Maatwerk`).',
        width: 24,
        height: 1,
      }),
    );
    const sumOverChannels = (outcome: string) =>
      new cw.MathExpression({
        // ids unique within the graph: one expression per outcome shares it with the others
        expression: SEND_CHANNELS.map((c) => `FILL(${outcome}_${c}, 0)`).join(' + '),
        usingMetrics: Object.fromEntries(SEND_CHANNELS.map((c) => [`${outcome}_${c}`, sends(c, outcome)])),
        period: PERIOD,
        label: outcome,
      });
    this.dashboard.addWidgets(
      new cw.GraphWidget({ title: 'Sent, per channel', width: 8, stacked: true, left: SEND_CHANNELS.map((c) => sends(c, 'sent').with({ label: c })) }),
      new cw.GraphWidget({
        title: 'Not sent, per outcome (all channels)',
        width: 8,
        stacked: true,
        left: SEND_OUTCOMES.filter((o) => o !== 'sent').map(sumOverChannels),
      }),
      new cw.GraphWidget({ title: 'Replies, per intent', width: 8, stacked: true, left: REPLY_INTENTS.map((intent) => businessMetric(METRIC.replies, { intent }, { label: intent })) }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Payments and recovered amount',
        width: 8,
        left: [businessMetric(METRIC.payments, {}, { label: 'Payments' })],
        right: [
          new cw.MathExpression({
            expression: 'cents / 100',
            usingMetrics: { cents: businessMetric(METRIC.recoveredCents) },
            period: PERIOD,
            label: 'Recovered (EUR)',
          }),
        ],
      }),
      new cw.GraphWidget({
        title: 'Journeys started and ended (per reason)',
        width: 8,
        left: [businessMetric(METRIC.journeysStarted, {}, { label: 'Started' })],
        right: [
          // End reasons come from the strategy file: a search, so a new reason shows without a deploy.
          new cw.MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},reason,service} MetricName="${METRIC.journeysEnded}"', 'Sum', 300)`,
            label: 'Ended:',
            period: PERIOD,
          }),
        ],
      }),
      new cw.GraphWidget({
        title: 'Rejected webhook signatures, Decide retried later',
        width: 8,
        left: Object.values(signatureFailures),
        right: [decideRetried],
      }),
    );
    // The conversation: answers to replies, what replies need from agents, disputes, the legal tables.
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Answers to replies, per outcome',
        width: 6,
        stacked: true,
        left: ANSWER_OUTCOMES.map(
          (outcome) =>
            new cw.MathExpression({
              expression: `FILL(${outcome}_sms, 0) + FILL(${outcome}_whatsapp, 0)`,
              usingMetrics: Object.fromEntries((['sms', 'whatsapp'] as const).map((c) => [`${outcome}_${c}`, businessMetric(METRIC.answers, { channel: c, outcome })])),
              period: PERIOD,
              label: outcome,
            }),
        ),
      }),
      new cw.GraphWidget({
        title: 'Agent tasks from replies, per reason',
        width: 6,
        stacked: true,
        left: TASK_REASONS.filter((r) => r !== 'call').map((reason) => businessMetric(METRIC.agentTasks, { reason }, { label: reason })),
      }),
      new cw.GraphWidget({
        title: 'Disputes resolved',
        width: 6,
        stacked: true,
        left: (['creditor', 'debtor'] as const).map((inFavourOf) => businessMetric(METRIC.disputesResolved, { inFavourOf }, { label: `for the ${inFavourOf}` })),
      }),
      new cw.GraphWidget({
        title: 'Legal tables running out (warnings), message guard stops',
        width: 6,
        left: LEGAL_TABLES.map((table) => businessMetric(METRIC.legalTableWarnings, { table }, { label: table })),
        right: [contradicted],
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({ title: 'Provider error rate per channel (%)', width: 12, left: providerRates }),
      new cw.GraphWidget({
        title: 'Requests over the per-client rate limit (WAF, blocked with 429)',
        width: 12,
        left: props.webAcl
          ? [
              new cw.Metric({
                namespace: 'AWS/WAFV2',
                metricName: 'BlockedRequests',
                dimensionsMap: { WebACL: props.webAcl.name!, Rule: 'PerApiKeyRate', Region: Stack.of(this).region },
                period: PERIOD,
                statistic: 'Sum',
                label: 'Blocked',
              }),
            ]
          : [],
      }),
    );
    // The machinery.
    this.dashboard.addWidgets(new cw.TextWidget({ markdown: '## Platform\nState machine, functions, API and table.', width: 24, height: 1 }));
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Journey executions',
        width: 12,
        left: [started, succeeded, failed, timedOut, aborted],
      }),
      new cw.GraphWidget({
        title: 'DynamoDB throttle events',
        width: 12,
        left: [throttles],
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({ title: 'Lambda errors per function', width: 12, left: errorMetrics }),
      new cw.GraphWidget({ title: 'Lambda duration p95 per function (ms)', width: 12, left: durationMetrics }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({ title: 'API requests and errors', width: 12, left: [apiCount], right: [api4xx, api5xx] }),
      new cw.GraphWidget({ title: 'API latency (ms)', width: 12, left: [latency('p50'), latency('p95'), latency('p99')] }),
    );
  }

  /**
   * Alarms as soon as a dead-letter queue holds a message: something the system gave up on (an async invoke, a
   * schedule that could not reach Step Functions) that needs a person. One call per queue.
   */
  alarmOnDeadLetterQueue(name: string, queue: sqs.IQueue): cw.Alarm {
    const alarm = this.wire(
      new cw.Alarm(this, `${name}DeadLetters`, {
        alarmDescription: `${name}: messages in the dead-letter queue; each is work the system gave up on after its retries.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
        threshold: 0,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      }),
    );
    this.alarms.deadLetterQueues[name] = alarm;
    return alarm;
  }

  private wire(alarm: cw.Alarm): cw.Alarm {
    alarm.addAlarmAction(this.notify);
    alarm.addOkAction(this.notify);
    return alarm;
  }
}
