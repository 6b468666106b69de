/**
 * The Maatwerk stack: one DynamoDB table (with its stream), fourteen Lambda functions (infra/aws/functions.ts), the journey state machine
 * (from state-machines/journey.asl.json) and its timers (an EventBridge Scheduler group, the role the schedules run
 * with, their dead-letter queue), the REST API with its API key authorizer and per-client rate limit (WAF), the
 * letters bucket, provider secrets, and the operations dashboard with business metrics and alarms.
 *
 * Layout, so a change stays a small diff: data → secrets → functions (one loop over the function table, then each
 * function's permissions, the journey timers' among them) → state machine → API (+ edge protection) →
 * observability → outputs.
 *
 * IAM is written out per function (no `grantReadWriteData`, no managed policies) so the policy each
 * function gets is exactly what the handler needs; test/infra/stack.test.ts pins that matrix.
 *
 * Cycle avoidance: the state machine references the channel-step functions (definition
 * substitutions + invoke rights), and those functions need task-response rights on the state
 * machine. The state machine therefore has a fixed name (`<stackName>-journey`) and every function
 * policy uses the ARN formatted from that name, never a reference to the state machine resource.
 * The Deliveries function schedules a creditor notification's next attempt for itself: it learns its own ARN from its
 * invocation (its ARN in its own environment would be a reference to itself). The Webhooks function keeps the fixed
 * name (`<stackName>-Webhooks`) it had when it was the answer timers' target, so the schedules set before the
 * Deliveries function existed still reach it (it hands their events on).
 */
import { readFileSync } from 'node:fs';
import {
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import {
  AUTHORIZER_CACHE_TTL_SECONDS,
  CLIENT_RATE_LIMIT,
  EDGE_ERRORS,
  edgeErrorBody,
  isAuthorized,
  ROUTES,
  type Route,
} from '../../functions/shared/routes.js';
import { TABLE } from '../../functions/store/table.js';
import { bundledCode } from './bundling.js';
import { FUNCTIONS, FUNCTION_NAMES, type FunctionName } from './functions.js';
import { Observability } from './observability.js';
import { JOURNEY_ASL_PATH, repoPath } from './paths.js';

export type { FunctionName };

export interface MaatwerkStackProps extends StackProps {
  /** E-mail address subscribed to the alarm topic (optional; `cdk deploy -c alarmEmail=ops@…`). */
  readonly alarmEmail?: string;
}

/**
 * Lambda runtime for every function: the newest Node.js runtime Lambda offers (cdk-nag L1). The bundles target
 * Node 20 (infra/build/bundle.ts), the oldest Node they run on (the local runtime), so they run on both.
 */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * Powertools comes from its official Lambda layer, of exactly the version in package-lock.json (the one every
 * test ran), looked up at deploy time in the public SSM parameter Powertools publishes per version and region.
 * Bundling it instead would add ≈ 155 KB (with the X-Ray SDK) to every function.
 */
export const POWERTOOLS_VERSION: string = (() => {
  // The packages do not export their package.json: read it from the installed folder.
  const versions = new Set(
    ['logger', 'metrics', 'tracer', 'parameters'].map(
      (p) => (JSON.parse(readFileSync(repoPath('node_modules', '@aws-lambda-powertools', p, 'package.json'), 'utf8')) as { version: string }).version,
    ),
  );
  if (versions.size !== 1) throw new Error(`@aws-lambda-powertools packages must share one version, found ${[...versions].join(', ')}`);
  return [...versions][0];
})();
export const POWERTOOLS_LAYER_PARAMETER = `/aws/service/powertools/typescript/generic/all/${POWERTOOLS_VERSION}`;

/** Letters are financial records: kept 7 years (DESIGN §5.12), then expired. */
export const LETTER_RETENTION_DAYS = 7 * 365 + 2;

/**
 * The timers (functions/services/timers.ts): which functions create one-time schedules — the channel states and
 * Await, when they park a journey until its next moment (journey timers), and Webhooks, when the answer to a reply
 * waits for contact hours (answer timers, for the Deliveries function) — and which delete them (a wait that ended early: a reply, payment, call
 * outcome or new claim, or the journey's end). The functions that notify creditors create the schedules of the
 * notifications' delivery attempts (notification timers). Nobody reads or lists schedules.
 */
export const JOURNEY_TIMER_CREATORS = ['SendEmail', 'SendSms', 'SendWhatsapp', 'SendLetter', 'CallTask', 'Await'] as const satisfies readonly FunctionName[];
export const ANSWER_TIMER_CREATORS = ['Webhooks'] as const satisfies readonly FunctionName[];
/**
 * The functions that write timeline entries which notify creditors (a reply, a promise, a dispute, debt help, a
 * flag, paid, handed over, withdrawn): they create the first delivery attempt's schedule, and every attempt
 * (the Deliveries function) the next one's (functions/notifications/outbox.ts).
 */
export const NOTIFICATION_TIMER_CREATORS = ['Api', 'Webhooks', 'Payments', 'Decide', 'Deliveries'] as const satisfies readonly FunctionName[];
export const TIMER_CREATORS: readonly FunctionName[] = [...new Set<FunctionName>([...JOURNEY_TIMER_CREATORS, ...ANSWER_TIMER_CREATORS, ...NOTIFICATION_TIMER_CREATORS])];
/** …and delete them: a wait that ended early; a notification delivered before its next attempt (Deliveries). */
export const TIMER_DELETERS = ['Api', 'Webhooks', 'Payments', 'Decide', 'Deliveries'] as const satisfies readonly FunctionName[];
/** Functions that never touch the table (no TABLE_NAME, no table permissions). */
export const TABLELESS: readonly FunctionName[] = ['Docs'];
/** Functions that only read the table (item reads and queries, no writes): the reports. */
export const TABLE_READERS: readonly FunctionName[] = ['Reports'];

/** The function a timer invokes when the plan at its moment is to end the journey or decide again. */
export const WAKE_FUNCTION: FunctionName = 'Decide';
/**
 * The sending steps, which ask Decide (invoked synchronously, WAKE_FUNCTION_ARN) for their next plan and for the
 * decision when the case changed since their action was decided (functions/services/ask-decide.ts): the decision's
 * code is in the Decide function only.
 */
export const DECIDE_ASKERS = ['SendEmail', 'SendSms', 'SendWhatsapp', 'SendLetter', 'CallTask'] as const satisfies readonly FunctionName[];
/**
 * The function that sends the answer to a reply (services/answer-delivery.ts) — invoked by the reply path when it is due
 * now, by its timer at 07:00 — and delivers the creditor notifications (their schedules invoke it).
 */
export const ANSWER_FUNCTION = 'Deliveries' as const satisfies FunctionName;
/** The function the answer and notification timers targeted before the Deliveries function: it keeps its fixed name. */
export const FORMER_TIMER_TARGET = 'Webhooks' as const satisfies FunctionName;

/** The API stage (its URL: `https://<api id>.execute-api.<region>.<suffix>/<stage>/`). */
const API_STAGE = 'prod';

/** The placeholders in state-machines/journey.asl.json and the function each one is bound to. */
export const JOURNEY_SUBSTITUTIONS = {
  DecideFunctionArn: 'Decide',
  SendEmailFunctionArn: 'SendEmail',
  SendSmsFunctionArn: 'SendSms',
  SendWhatsappFunctionArn: 'SendWhatsapp',
  SendLetterFunctionArn: 'SendLetter',
  CallTaskFunctionArn: 'CallTask',
  AwaitFunctionArn: 'Await',
} as const;

export class MaatwerkStack extends Stack {
  readonly table: dynamodb.Table;
  readonly stateMachine: sfn.StateMachine;
  /** The journey ARN formatted from its fixed name (what the function policies and env use). */
  readonly journeyArn: string;
  readonly journeyName: string;
  /** The Webhooks function's fixed name and the ARN formatted from it (the answer timers' target before Deliveries). */
  readonly formerTimerTargetName: string;
  readonly formerTimerTargetArn: string;
  readonly functions: Record<FunctionName, lambda.Function>;
  readonly api: apigw.RestApi;
  readonly letterBucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly secrets: { twilio: secretsmanager.Secret; sendgrid: secretsmanager.Secret; print: secretsmanager.Secret; mollie: secretsmanager.Secret; page: secretsmanager.Secret };
  readonly observability: Observability;
  readonly powertoolsLayer: lambda.ILayerVersion;
  readonly authorizer: apigw.RequestAuthorizer;
  readonly webAcl: wafv2.CfnWebACL;
  /** The journey timers: their schedule group, the role the schedules run with and their dead-letter queue. */
  readonly timers: { group: scheduler.ScheduleGroup; role: iam.Role; deadLetters: sqs.Queue };
  /** where the stream's event source mapping sends the position of counter batches that kept failing */
  readonly counterFailures: sqs.Queue;

  constructor(scope: Construct, id: string, props: MaatwerkStackProps = {}) {
    super(scope, id, props);

    // ---------------------------------------------------------------- data
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: TABLE.ttlAttribute,
      // the learning counters' aggregator reads it (functions/counters/handler.ts; TABLE.stream)
      stream: dynamodb.StreamViewType[TABLE.stream.viewType],
    });
    for (const index of TABLE.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(400) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.letterBucket = new s3.Bucket(this, 'LetterBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'letters/',
      lifecycleRules: [
        {
          id: 'retain-letters-7-years',
          expiration: Duration.days(LETTER_RETENTION_DAYS),
          noncurrentVersionExpiration: Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          expiredObjectDeleteMarker: false,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ------------------------------------------------------------- secrets
    // Created with placeholder values; operators put the real credentials in after the first deploy.
    // CloudFormation only regenerates a value when the generate settings change, so edits stick.
    this.secrets = {
      // twilio: { accountSid, authToken, smsFrom, whatsappFrom }
      twilio: this.providerSecret('TwilioSecret', 'Twilio: {"accountSid","authToken","smsFrom","whatsappFrom"}', {
        template: { accountSid: 'AC00000000000000000000000000000000', smsFrom: '+3197000000000', whatsappFrom: 'whatsapp:+3197000000000' },
        generated: 'authToken',
      }),
      // sendgrid: { apiKey, fromEmail, webhookPublicKey } — an empty webhookPublicKey rejects every event (fail closed)
      sendgrid: this.providerSecret('SendGridSecret', 'SendGrid: {"apiKey","fromEmail","webhookPublicKey"}', {
        template: { fromEmail: 'incasso@example.invalid', webhookPublicKey: '' },
        generated: 'apiKey',
      }),
      // print: { url, apiKey } — the print-and-post service
      print: this.providerSecret('PrintSecret', 'Print-and-post service: {"url","apiKey"}', {
        template: { url: 'https://print.example.invalid/v1/letters' },
        generated: 'apiKey',
      }),
      // mollie: { apiKey } — a placeholder until the live_/test_ key is put in
      mollie: this.providerSecret('MollieSecret', 'Mollie: {"apiKey"}', { template: {}, generated: 'apiKey' }),
      // page: { tokenSecret } — seals the debtor page's link tokens; generated here and never leaves AWS
      page: this.providerSecret('PageTokenSecret', 'Debtor page link tokens: {"tokenSecret"}', { template: {}, generated: 'tokenSecret' }),
    };

    // ---------------------------------------------------------- functions
    this.journeyName = `${this.stackName}-journey`;
    this.journeyArn = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: this.journeyName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const journeyExecutionsArn = this.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.journeyName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    this.formerTimerTargetName = `${this.stackName}-${FORMER_TIMER_TARGET}`;
    if (this.formerTimerTargetName.length > 64) throw new Error(`stack name too long: the function name ${this.formerTimerTargetName} has more than 64 characters`);
    this.formerTimerTargetArn = this.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: this.formerTimerTargetName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    this.powertoolsLayer = lambda.LayerVersion.fromLayerVersionArn(
      this,
      'PowertoolsLayer',
      ssm.StringParameter.valueForStringParameter(this, POWERTOOLS_LAYER_PARAMETER),
    );
    const fns = {} as Record<FunctionName, lambda.Function>;
    for (const name of FUNCTION_NAMES) fns[name] = this.makeFunction(name);
    this.functions = fns;

    // Every function but the authorizer, Docs and Reports reads and writes the table; the authorizer only reads the
    // key → client items, Reports only reads (the counters, the strategy's experiments), Docs (the API's description)
    // touches none.
    for (const name of FUNCTION_NAMES.filter((n) => n !== 'Authorizer' && !TABLELESS.includes(n) && !TABLE_READERS.includes(n))) this.grantTableReadWrite(fns[name]);
    for (const name of TABLE_READERS) this.grantTableRead(fns[name]);
    fns.Authorizer.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ClientByKey', actions: ['dynamodb:GetItem'], resources: [this.table.tableArn] }),
    );

    // Task response (end a parked journey's wait): everyone but the authorizer — Decide too, when a timer wakes it
    // at the end of a wait and it ends that wait itself.
    for (const name of ['Api', 'Webhooks', 'Payments', 'Decide', 'SendEmail', 'SendSms', 'SendWhatsapp', 'SendLetter', 'CallTask', 'Await'] as const) {
      fns[name].addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'JourneyTaskResponse',
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
          resources: [this.journeyArn],
        }),
      );
    }

    // The API starts journeys and looks at their executions.
    fns.Api.addEnvironment('STATE_MACHINE_ARN', this.journeyArn);
    fns.Api.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'JourneyStart', actions: ['states:StartExecution'], resources: [this.journeyArn] }),
    );
    fns.Api.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'JourneyDescribe', actions: ['states:DescribeExecution'], resources: [journeyExecutionsArn] }),
    );
    Validations.of(fns.Api.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${this.nagArn(journeyExecutionsArn)}]`,
      reason:
        'DescribeExecution is scoped to executions of the journey state machine; execution names are generated per debtor, so the execution part must be a wildcard.',
    });
    // The Payments function starts the journey again when a refund or chargeback reopens a case whose journey ended.
    fns.Payments.addEnvironment('STATE_MACHINE_ARN', this.journeyArn);
    fns.Payments.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'JourneyStart', actions: ['states:StartExecution'], resources: [this.journeyArn] }),
    );

    this.timers = this.makeJourneyTimers(fns);

    // Secrets: each function reads only the provider credentials it uses.
    // Webhooks: the signatures' keys (Twilio's auth token, SendGrid's public key); Deliveries sends the answers.
    this.grantSecret(fns.Webhooks, this.secrets.twilio, 'TWILIO_SECRET_ARN');
    this.grantSecret(fns.Webhooks, this.secrets.sendgrid, 'SENDGRID_SECRET_ARN');
    this.grantSecret(fns.Deliveries, this.secrets.twilio, 'TWILIO_SECRET_ARN');
    this.grantSecret(fns.SendEmail, this.secrets.sendgrid, 'SENDGRID_SECRET_ARN');
    this.grantSecret(fns.SendSms, this.secrets.twilio, 'TWILIO_SECRET_ARN');
    this.grantSecret(fns.SendWhatsapp, this.secrets.twilio, 'TWILIO_SECRET_ARN');
    this.grantSecret(fns.SendLetter, this.secrets.print, 'PRINT_SECRET_ARN');
    // Issue 9: only the Payments function (the debtor page's checkout, the Mollie webhook) uses Mollie; every message
    // carries a sealed page link, so the functions that write messages (and the page that opens them) read the token
    // secret. The Deliveries function answers replies, and answers that mention paying carry the page link too.
    this.grantSecret(fns.Payments, this.secrets.mollie, 'MOLLIE_SECRET_ARN');
    for (const name of ['Payments', 'Deliveries', 'SendEmail', 'SendSms', 'SendWhatsapp', 'SendLetter', 'CallTask'] as const) this.grantSecret(fns[name], this.secrets.page, 'PAGE_SECRET_ARN');

    // The reply path hands an answer due now to the Deliveries function and waits for it (services/deliver-now.ts).
    fns.Webhooks.addToRolePolicy(new iam.PolicyStatement({ sid: 'SendAnswerNow', actions: ['lambda:InvokeFunction'], resources: [fns[ANSWER_FUNCTION].functionArn] }));
    // A sending step asks Decide for its next plan (services/ask-decide.ts).
    for (const name of DECIDE_ASKERS) fns[name].addToRolePolicy(new iam.PolicyStatement({ sid: 'AskDecide', actions: ['lambda:InvokeFunction'], resources: [fns[WAKE_FUNCTION].functionArn] }));

    // Letters: SendLetter writes the rendered PDFs, nobody else touches the bucket.
    fns.SendLetter.addEnvironment('LETTER_BUCKET', this.letterBucket.bucketName);
    fns.SendLetter.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'LetterPut',
        actions: ['s3:PutObject'],
        resources: [this.letterBucket.arnForObjects('*')],
      }),
    );
    const letterBucketLogicalId = this.resolve(
      (this.letterBucket.node.defaultChild as s3.CfnBucket).logicalId,
    ) as string;
    Validations.of(fns.SendLetter.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${letterBucketLogicalId}.Arn>/*]`,
      reason:
        'SendLetter may only PutObject, but object keys are per dossier and letter, so the object part of the ARN is a wildcard within the single letters bucket.',
    });

    // ------------------------------------------------------- state machine
    const journeyLogGroup = new logs.LogGroup(this, 'JourneyLogs', {
      logGroupName: `/aws/vendedlogs/states/${this.journeyName}`,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const definitionSubstitutions = Object.fromEntries(
      Object.entries(JOURNEY_SUBSTITUTIONS).map(([placeholder, fn]) => [placeholder, fns[fn].functionArn]),
    );
    this.stateMachine = new sfn.StateMachine(this, 'Journey', {
      stateMachineName: this.journeyName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      // Inlined from the ASL file rather than DefinitionBody.fromFile: in this CDK version fromFile
      // uploads the file as an S3 asset (DefinitionS3Location), so the template would not show the
      // definition and `cdk diff` could not show journey changes. The file stays the only source.
      definitionBody: sfn.DefinitionBody.fromString(readFileSync(JOURNEY_ASL_PATH, 'utf8')),
      definitionSubstitutions,
      tracingEnabled: true,
      logs: {
        destination: journeyLogGroup,
        level: sfn.LogLevel.ALL,
        // Payloads may carry debtor data; logs stay free of it (execution history keeps the detail).
        includeExecutionData: false,
      },
    });
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'InvokeJourneySteps',
        actions: ['lambda:InvokeFunction'],
        resources: [...new Set(Object.values(JOURNEY_SUBSTITUTIONS))].map((fn) => fns[fn].functionArn),
      }),
    );
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by CDK for X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs delivery (logs:*LogDelivery*, resource policies); these actions do not support resource-level permissions.',
    });

    // ------------------------------------------------------------------ api
    this.authorizer = new apigw.RequestAuthorizer(this, 'ApiKeyAuthorizer', {
      authorizerName: 'api-key',
      handler: fns.Authorizer,
      identitySources: [apigw.IdentitySource.header('x-api-key')],
      // Cached per key: most requests cost no authorizer call and no DynamoDB read (functions/shared/routes.ts).
      resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_TTL_SECONDS),
    });
    this.api = this.makeApi({ api: fns.Api, reports: fns.Reports, webhooks: fns.Webhooks, payments: fns.Payments, docs: fns.Docs }, this.authorizer);
    this.webAcl = this.makeClientRateLimit(this.api);

    // Twilio status callbacks: the SMS/WhatsApp steps pass `${PUBLIC_BASE_URL}/webhooks/twilio/status`
    // with each message. They have no incoming request to derive the URL from, so they (and only
    // they) get the stage URL; the API and webhook handlers rebuild it from the request.
    for (const name of ['SendSms', 'SendWhatsapp'] as const) {
      fns[name].addEnvironment('PUBLIC_BASE_URL', this.api.url);
    }
    // Every message links to the debtor page (`<api>/p/<token>`).
    for (const name of ['SendEmail', 'SendSms', 'SendWhatsapp', 'SendLetter', 'CallTask'] as const) {
      fns[name].addEnvironment('PAYMENT_LINK_BASE', `${this.api.url}p/`);
    }
    // Answers to replies (the Deliveries function, with no request to read a URL from) link to the page as well.
    // Built from the API's id and stage name, not `api.url`: the stage depends on the Webhooks integration, and
    // Webhooks on the Deliveries function (it invokes it), so the stage's URL there would be a CloudFormation cycle.
    fns.Deliveries.addEnvironment('PAYMENT_LINK_BASE', `https://${this.api.restApiId}.execute-api.${this.region}.${this.urlSuffix}/${API_STAGE}/p/`);

    // -------------------------------------------------------- observability
    this.observability = new Observability(this, 'Observability', {
      dashboardName: `${this.stackName}-operations`,
      stateMachine: this.stateMachine,
      functions: fns,
      api: this.api,
      table: this.table,
      webAcl: this.webAcl,
      deadLetterQueues: { JourneyTimers: this.timers.deadLetters },
      alarmEmail: props.alarmEmail,
    });

    // ---------------------------------------------------- learning counters
    // The writes that record events carry their counter increments; the table's stream feeds them to the Counters
    // function in batches (only records whose new image has them: the filter), which adds each batch with one ADD
    // per counter item. A batch that keeps failing is skipped after its retries and its position (shard, sequence
    // numbers) goes to this queue; the records stay readable in the stream for 24 h.
    this.counterFailures = new sqs.Queue(this, 'CounterFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.counterFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the failure destination of the counters stream mapping; nothing consumes it automatically, so it needs no dead-letter queue of its own.',
    });
    fns.Counters.addEventSource(
      new DynamoEventSource(this.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: TABLE.stream.batchSize,
        maxBatchingWindow: Duration.seconds(TABLE.stream.maxBatchingWindowSeconds),
        bisectBatchOnError: TABLE.stream.bisectOnError,
        retryAttempts: TABLE.stream.retryAttempts,
        maxRecordAge: Duration.hours(TABLE.stream.maxRecordAgeHours),
        reportBatchItemFailures: true,
        // one invocation per shard at a time: the aggregator's markers rely on a shard's batches coming in order
        parallelizationFactor: 1,
        onFailure: new SqsDlq(this.counterFailures),
        filters: [lambda.FilterCriteria.filter(TABLE.stream.filter as unknown as Record<string, unknown>)],
      }),
    );
    Validations.of(fns.Counters.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'dynamodb:ListStreams, added by CDK for the stream event source, does not support resource-level permissions.',
    });
    // Alarmed as soon as it holds a position: the records are readable in the stream for 24 h only.
    this.observability.alarmOnDeadLetterQueue('CounterFailures', this.counterFailures);

    // ------------------------------------------------------------- outputs
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the REST API (append v1/… or webhooks/…)' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.alarmTopic.topicArn });
    new CfnOutput(this, 'ScheduleGroupName', { value: this.timers.group.scheduleGroupName });
  }

  /**
   * The journey's timers on EventBridge Scheduler: one schedule group for all of them, a role the schedules run
   * with (SendTaskSuccess on the journey, or invoking Decide), a dead-letter queue for a schedule whose target still
   * fails after the retries (alarmed on: a journey then waits for its state's timeout), and per function exactly
   * the schedule actions its code performs (TIMER_CREATORS, TIMER_DELETERS).
   */
  private makeJourneyTimers(fns: Record<FunctionName, lambda.Function>): MaatwerkStack['timers'] {
    const groupName = `${this.stackName}-journeys`;
    const group = new scheduler.ScheduleGroup(this, 'JourneyTimers', { scheduleGroupName: groupName, removalPolicy: RemovalPolicy.DESTROY });
    const deadLetters = new sqs.Queue(this, 'JourneyTimerDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the journey timers (the DeadLetterConfig of every schedule, set in functions/services/timers.ts), which cdk-nag cannot see from the template.',
    });
    const role = new iam.Role(this, 'JourneyTimerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        // Only schedules of this account may use the role (confused deputy).
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'Role of the timers (EventBridge Scheduler): end a journey wait, wake Decide, send the answer to a reply or deliver a creditor notification',
    });
    role.addToPolicy(new iam.PolicyStatement({ sid: 'EndJourneyWait', actions: ['states:SendTaskSuccess'], resources: [this.journeyArn] }));
    role.addToPolicy(new iam.PolicyStatement({ sid: 'WakeDecide', actions: ['lambda:InvokeFunction'], resources: [fns[WAKE_FUNCTION].functionArn] }));
    // The answers that waited for contact hours and the creditor notifications' delivery attempts; the Webhooks function
    // for the schedules set before the Deliveries function existed (it hands their events on).
    role.addToPolicy(
      new iam.PolicyStatement({ sid: 'SendAnswersAndNotifications', actions: ['lambda:InvokeFunction'], resources: [fns[ANSWER_FUNCTION].functionArn, fns[FORMER_TIMER_TARGET].functionArn] }),
    );
    role.addToPolicy(new iam.PolicyStatement({ sid: 'TimerDeadLetters', actions: ['sqs:SendMessage'], resources: [deadLetters.queueArn] }));

    const schedulesArn = this.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${groupName}/*` });
    const grant = (name: FunctionName, actions: string[], sid: string) => {
      fns[name].addEnvironment('SCHEDULE_GROUP_NAME', groupName);
      fns[name].addToRolePolicy(new iam.PolicyStatement({ sid, actions, resources: [schedulesArn] }));
      Validations.of(fns[name].role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${this.nagArn(schedulesArn)}]`,
        reason: 'Schedule names are per case, journey and step, so the schedule part of the ARN is a wildcard within the journey timers group.',
      });
    };
    for (const name of TIMER_CREATORS) {
      grant(name, ['scheduler:CreateSchedule'], 'JourneyTimerCreate');
      // The schedule runs with the timer role: passing it (to EventBridge Scheduler only) is part of creating one.
      fns[name].addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'JourneyTimerPassRole',
          actions: ['iam:PassRole'],
          resources: [role.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      );
      fns[name].addEnvironment('SCHEDULER_ROLE_ARN', role.roleArn);
      fns[name].addEnvironment('SCHEDULE_DLQ_ARN', deadLetters.queueArn);
    }
    for (const name of JOURNEY_TIMER_CREATORS) fns[name].addEnvironment('WAKE_FUNCTION_ARN', fns[WAKE_FUNCTION].functionArn);
    for (const name of ANSWER_TIMER_CREATORS) fns[name].addEnvironment('ANSWER_FUNCTION_ARN', fns[ANSWER_FUNCTION].functionArn);
    // The Deliveries function learns its own ARN from its invocation (its ARN in its own environment would be a cycle).
    for (const name of NOTIFICATION_TIMER_CREATORS) if (name !== ANSWER_FUNCTION) fns[name].addEnvironment('NOTIFY_FUNCTION_ARN', fns[ANSWER_FUNCTION].functionArn);
    for (const name of TIMER_DELETERS) grant(name, ['scheduler:DeleteSchedule'], 'JourneyTimerDelete');
    return { group, role, deadLetters };
  }

  /** How cdk-nag prints an ARN built by formatArn: pseudo parameters as <AWS::…>, literals as is. */
  private nagArn(arn: string): string {
    const pseudo = (value: string, name: string): string => (Token.isUnresolved(value) ? `<${name}>` : value);
    const [, , service, , , ...rest] = arn.split(':');
    return [
      'arn',
      pseudo(this.partition, 'AWS::Partition'),
      service,
      pseudo(this.region, 'AWS::Region'),
      pseudo(this.account, 'AWS::AccountId'),
      ...rest,
    ].join(':');
  }

  private providerSecret(
    id: string,
    shape: string,
    opts: { template: Record<string, string>; generated: string },
  ): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, id, {
      description: `${shape}. Created with placeholder values: replace them with the real credentials.`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify(opts.template),
        generateStringKey: opts.generated,
        excludePunctuation: true,
        passwordLength: 40,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Third-party provider credentials (Twilio, SendGrid, print service, Mollie) are issued and rotated in the provider console; Secrets Manager cannot rotate them without a provider-specific rotation function. The page token secret is rotated by replacing it (links already sent then show the friendly page).',
    });
    return secret;
  }

  private makeFunction(name: FunctionName): lambda.Function {
    const spec = FUNCTIONS[name];
    const logGroup = new logs.LogGroup(this, `${name}Logs`, {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Own role with no managed policy: log writes to this function's log group only.
    const role = new iam.Role(this, `${name}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${name} function`,
    });
    logGroup.grantWrite(role);

    const fn = new lambda.Function(this, name, {
      // The answer timers' target has a fixed name: it puts its own ARN, formatted from the name, in its environment.
      ...(name === FORMER_TIMER_TARGET ? { functionName: this.formerTimerTargetName } : {}),
      description: spec.description,
      // One entry and one asset per function (infra/build/bundle.ts); every entry exports `handler`.
      code: bundledCode(this, name),
      handler: 'index.handler',
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memorySize,
      timeout: Duration.seconds(spec.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      layers: [this.powertoolsLayer],
      role,
      logGroup,
      environment: {
        ...(TABLELESS.includes(name) ? {} : { TABLE_NAME: this.table.tableName }),
        POWERTOOLS_SERVICE_NAME: `maatwerk-${spec.service}`,
        LOG_LEVEL: 'INFO',
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        // Responses carry debtor data; keep it out of X-Ray.
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
      },
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by CDK for active X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords); X-Ray does not support resource-level permissions for these actions.',
    });
    return fn;
  }

  /** Item reads/writes on the table and Query on its two indexes. No Scan, no table management. */
  private grantTableReadWrite(fn: lambda.Function): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'TableItems',
        actions: [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:ConditionCheckItem',
        ],
        resources: [this.table.tableArn],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'TableIndexQuery',
        actions: ['dynamodb:Query'],
        resources: TABLE.indexes.map((index) => `${this.table.tableArn}/index/${index.name}`),
      }),
    );
  }

  /** Item reads and Query on the table and its two indexes: nothing that writes. */
  private grantTableRead(fn: lambda.Function): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'TableRead', actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'], resources: [this.table.tableArn] }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'TableIndexQuery',
        actions: ['dynamodb:Query'],
        resources: TABLE.indexes.map((index) => `${this.table.tableArn}/index/${index.name}`),
      }),
    );
  }

  private grantSecret(fn: lambda.Function, secret: secretsmanager.Secret, envName: string): void {
    fn.addEnvironment(envName, secret.secretArn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
  }

  private makeApi(fns: Record<Exclude<Route['fn'], 'local'>, lambda.Function>, authorizer: apigw.RequestAuthorizer): apigw.RestApi {
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const api = new apigw.RestApi(this, 'RestApi', {
      restApiName: `${this.stackName}-api`,
      description: 'Maatwerk client API (/v1, x-api-key checked by the authorizer) and provider webhooks (signature-checked)',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Execution logging (ERROR) needs the account-level CloudWatch role. Retained on stack
      // deletion because it is shared by every REST API in the account and region.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: API_STAGE,
        tracingEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Request/response bodies contain names, phone numbers and e-mail addresses: never log them.
        dataTraceEnabled: false,
        metricsEnabled: false,
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        // No path (ids only, but kept short), no query string, no bodies, no caller identity.
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigw.AccessLogField.contextRequestId(),
            requestTime: apigw.AccessLogField.contextRequestTime(),
            httpMethod: apigw.AccessLogField.contextHttpMethod(),
            resourcePath: apigw.AccessLogField.contextResourcePath(),
            status: apigw.AccessLogField.contextStatus(),
            protocol: apigw.AccessLogField.contextProtocol(),
            responseLength: apigw.AccessLogField.contextResponseLength(),
            responseLatency: apigw.AccessLogField.contextResponseLatency(),
            integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
            integrationStatus: apigw.AccessLogField.contextIntegrationStatus(),
            errorType: apigw.AccessLogField.contextErrorResponseType(),
            xrayTraceId: apigw.AccessLogField.contextXrayTraceId(),
            sourceIp: apigw.AccessLogField.contextIdentitySourceIp(),
          }),
        ),
      },
    });

    // Errors API Gateway produces itself keep the API's error shape { error: { code, message } }.
    const errorBody = (code: string, message: string): Record<string, string> => ({
      'application/json': `{"error":{"code":"${code}","message":${message}}}`,
    });
    api.addGatewayResponse('MissingCredentials', {
      // Only auth headers are declared required, so a failed parameter check is a missing credential.
      type: apigw.ResponseType.BAD_REQUEST_PARAMETERS,
      statusCode: '401',
      templates: errorBody('unauthorized', '"Missing x-api-key or provider signature header"'),
    });
    api.addGatewayResponse('BodyNotObject', {
      type: apigw.ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      templates: errorBody('invalid_body', '"The request body must be a JSON object"'),
    });
    api.addGatewayResponse('UnknownRoute', {
      // API Gateway answers unknown paths/methods with 403 "Missing Authentication Token".
      type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: '404',
      templates: errorBody('not_found', '"No such route"'),
    });
    // The authorizer refused the key (or there was none): the same answer the local stand-in gives.
    api.addGatewayResponse('Unauthorized', {
      type: apigw.ResponseType.UNAUTHORIZED,
      statusCode: String(EDGE_ERRORS.unauthorized.status),
      templates: { 'application/json': edgeErrorBody(EDGE_ERRORS.unauthorized) },
    });
    api.addGatewayResponse('AccessDenied', {
      type: apigw.ResponseType.ACCESS_DENIED,
      statusCode: '403',
      templates: errorBody('forbidden', '"This API key may not use this route"'),
    });
    // Stage throttling (all clients together); the per-client limit is the WAF rule (makeClientRateLimit).
    api.addGatewayResponse('Throttled', {
      type: apigw.ResponseType.THROTTLED,
      statusCode: '429',
      responseHeaders: { 'Retry-After': "'1'" },
      templates: errorBody('throttled', '"Too many requests; retry after the number of seconds in Retry-After"'),
    });
    api.addGatewayResponse('Default4xx', {
      type: apigw.ResponseType.DEFAULT_4XX,
      templates: errorBody('bad_request', '$context.error.messageString'),
    });
    api.addGatewayResponse('Default5xx', {
      type: apigw.ResponseType.DEFAULT_5XX,
      templates: errorBody('internal', '"Internal error"'),
    });

    // Cheap validation at the edge: auth headers present, JSON bodies are objects. Everything else
    // (fields, formats, money) is validated by the handlers, which own the error details.
    const validator = api.addRequestValidator('HeadersAndBody', {
      requestValidatorName: 'headers-and-body',
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    const jsonObject = api.addModel('JsonObject', {
      contentType: 'application/json',
      modelName: 'JsonObject',
      schema: { schema: apigw.JsonSchemaVersion.DRAFT4, title: 'JsonObject', type: apigw.JsonSchemaType.OBJECT },
    });

    const integration = (fn: lambda.Function) => new apigw.LambdaIntegration(fn, { allowTestInvoke: false });
    const integrations = { api: integration(fns.api), reports: integration(fns.reports), webhooks: integration(fns.webhooks), payments: integration(fns.payments), docs: integration(fns.docs) };

    // The methods come from the route table (functions/shared/routes.ts), the same one the handlers, the local
    // runtime and the OpenAPI document use: a route added there is deployed here. Client routes (auth apiKey or
    // agentKey) go through the API key authorizer; webhooks and the API's description do not.
    const AUTH_HEADERS: Record<Route['auth'], string[]> = {
      apiKey: ['x-api-key'],
      agentKey: ['x-api-key'],
      twilioSignature: ['X-Twilio-Signature'],
      sendgridSignature: ['X-Twilio-Email-Event-Webhook-Signature', 'X-Twilio-Email-Event-Webhook-Timestamp'],
      none: [],
    };
    for (const route of ROUTES) {
      if (route.fn === 'local') continue;
      const keyed = isAuthorized(route);
      api.root.resourceForPath(route.resource).addMethod(route.method, integrations[route.fn], {
        ...(keyed ? { authorizationType: apigw.AuthorizationType.CUSTOM, authorizer } : { authorizationType: apigw.AuthorizationType.NONE }),
        requestValidator: validator,
        requestParameters: Object.fromEntries(AUTH_HEADERS[route.auth].map((h) => [`method.request.header.${h}`, true])),
        // Client JSON bodies must be objects (SendGrid posts an array, checked on its raw bytes by the handler); a
        // body that may be left out (withdraw, dispute) is checked by the handler alone.
        ...(keyed && route.body?.type === 'json' && !route.body.optional ? { requestModels: { 'application/json': jsonObject } } : {}),
      });
    }

    Validations.of(api).acknowledge(
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Every /v1 method has the API key authorizer; the webhook methods cannot (Twilio and SendGrid send no credentials): their handler verifies the provider signature over the raw request, and the request validator requires the signature headers at the edge. GET /openapi.json and GET /docs are the public description of the API (no data).',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Callers are creditor back-office systems with API keys and the Twilio / SendGrid platforms with signed requests; there are no end users to put in a Cognito user pool.',
      },
    );
    Validations.of(api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level API Gateway logging role uses the AWS-managed policy made for exactly this purpose (write execution logs); it has no data access.',
    });
    return api;
  }

  /**
   * Per-client throttling: a WAF rate-based rule keyed on the x-api-key header, so each client (key) gets its own
   * budget of CLIENT_RATE_LIMIT requests per window, before the authorizer or any function runs. Chosen over API
   * Gateway usage plans, which would need an API Gateway key per client created outside the stack and returned by
   * the authorizer. Above the limit WAF answers 429 with Retry-After (the window length: WAF lifts the block once
   * the rate over the trailing window falls back under the limit). Requests without the header (webhooks) are not
   * counted. The local API stand-in applies the same numbers.
   */
  private makeClientRateLimit(api: apigw.RestApi): wafv2.CfnWebACL {
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: false, // sampled requests would show the x-api-key header in the console
    });
    const acl = new wafv2.CfnWebACL(this, 'ClientRateLimit', {
      name: `${this.stackName}-client-rate-limit`,
      description: `At most ${CLIENT_RATE_LIMIT.requests} requests per ${CLIENT_RATE_LIMIT.windowSeconds} s per API key`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${this.stackName}-waf`),
      customResponseBodies: {
        throttled: { contentType: 'APPLICATION_JSON', content: edgeErrorBody(EDGE_ERRORS.throttled) },
      },
      rules: [
        {
          name: 'PerApiKeyRate',
          priority: 0,
          action: {
            block: {
              customResponse: {
                responseCode: EDGE_ERRORS.throttled.status,
                customResponseBodyKey: 'throttled',
                responseHeaders: [{ name: 'Retry-After', value: String(CLIENT_RATE_LIMIT.windowSeconds) }],
              },
            },
          },
          statement: {
            rateBasedStatement: {
              limit: CLIENT_RATE_LIMIT.requests,
              evaluationWindowSec: CLIENT_RATE_LIMIT.windowSeconds,
              aggregateKeyType: 'CUSTOM_KEYS',
              customKeys: [{ header: { name: 'x-api-key', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
            },
          },
          visibilityConfig: visibility(`${this.stackName}-per-api-key-rate`),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'ClientRateLimitAssociation', {
      resourceArn: api.deploymentStage.stageArn,
      webAclArn: acl.attrArn,
    });
    return acl;
  }
}
