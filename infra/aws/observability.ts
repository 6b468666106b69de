/**
 * Operations view of the stack: one CloudWatch dashboard and the alarms that page (via SNS).
 *
 * Alarms (all 5-minute periods, missing data = OK):
 * - journey executions failed > 0
 * - per function: error rate (errors / invocations) > 5 %
 * - API 5xx > 0 (a handler answers bad input with 4xx; a 5xx is a crash or an integration failure)
 * - DynamoDB throttle events (table and both GSIs, reads and writes) > 0
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { TABLE } from '../../functions/store/table.js';

export interface ObservabilityProps {
  readonly dashboardName: string;
  readonly stateMachine: sfn.StateMachine;
  readonly functions: Record<string, lambda.IFunction>;
  readonly api: apigw.RestApi;
  readonly table: dynamodb.Table;
  readonly alarmEmail?: string;
}

const PERIOD = Duration.minutes(5);
/** Per-function error-rate alarm threshold, in percent of invocations. */
export const FUNCTION_ERROR_RATE_THRESHOLD = 5;

export class Observability extends Construct {
  readonly dashboard: cw.Dashboard;
  readonly alarmTopic: sns.Topic;
  readonly alarms: {
    journeyFailed: cw.Alarm;
    functionErrorRate: Record<string, cw.Alarm>;
    api5xx: cw.Alarm;
    tableThrottles: cw.Alarm;
  };

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { stateMachine, functions, api, table } = props;

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Maatwerk alarms',
      enforceSSL: true,
    });
    Validations.of(this.alarmTopic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'The topic only carries CloudWatch alarm state changes (alarm name, metric, threshold), no personal or case data. CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer-managed key would protect nothing here.',
    });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subs.EmailSubscription(props.alarmEmail));
    const notify = new cwActions.SnsAction(this.alarmTopic);
    const wire = (alarm: cw.Alarm): cw.Alarm => {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      return alarm;
    };

    // ------------------------------------------------------------ journeys
    const started = stateMachine.metricStarted({ period: PERIOD, statistic: 'Sum', label: 'Started' });
    const succeeded = stateMachine.metricSucceeded({ period: PERIOD, statistic: 'Sum', label: 'Succeeded' });
    const failed = stateMachine.metricFailed({ period: PERIOD, statistic: 'Sum', label: 'Failed' });
    const timedOut = stateMachine.metricTimedOut({ period: PERIOD, statistic: 'Sum', label: 'Timed out' });
    const aborted = stateMachine.metricAborted({ period: PERIOD, statistic: 'Sum', label: 'Aborted' });

    const journeyFailed = wire(
      new cw.Alarm(this, 'JourneyExecutionsFailed', {
        alarmDescription: 'A journey execution failed: that debtor gets no further outreach until it is restarted.',
        metric: failed,
        threshold: 0,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      }),
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
      functionErrorRate[name] = wire(
        new cw.Alarm(this, `${name}ErrorRate`, {
          alarmDescription: `${name} function: more than ${FUNCTION_ERROR_RATE_THRESHOLD}% of invocations failed in 5 minutes.`,
          metric: new cw.MathExpression({
            expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
            usingMetrics: { errors, invocations },
            period: PERIOD,
            label: `${name} error rate (%)`,
          }),
          threshold: FUNCTION_ERROR_RATE_THRESHOLD,
          comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    // ----------------------------------------------------------------- api
    const api4xx = api.metricClientError({ period: PERIOD, statistic: 'Sum', label: '4xx' });
    const api5xx = api.metricServerError({ period: PERIOD, statistic: 'Sum', label: '5xx' });
    const apiCount = api.metricCount({ period: PERIOD, statistic: 'Sum', label: 'Requests' });
    const latency = (statistic: string) => api.metricLatency({ period: PERIOD, statistic, label: `Latency ${statistic}` });
    const api5xxAlarm = wire(
      new cw.Alarm(this, 'Api5xx', {
        alarmDescription: 'The API answered with a 5xx: a handler crashed or an integration failed.',
        metric: api5xx,
        threshold: 0,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      }),
    );

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
    const tableThrottles = wire(
      new cw.Alarm(this, 'TableThrottles', {
        alarmDescription: 'DynamoDB throttled reads or writes on the table or one of its indexes.',
        metric: throttles,
        threshold: 0,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      }),
    );

    this.alarms = { journeyFailed, functionErrorRate, api5xx: api5xxAlarm, tableThrottles };

    // ----------------------------------------------------------- dashboard
    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cw.AlarmStatusWidget({
        title: 'Alarms',
        width: 24,
        height: 4,
        alarms: [journeyFailed, api5xxAlarm, tableThrottles, ...Object.values(functionErrorRate)],
      }),
    );
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
}
