/**
 * The Maatwerk stack: one DynamoDB table (with its stream), ten Lambda functions, the journey state machine (from
 * state-machines/journey.asl.json), the REST API, the letters bucket, provider secrets, and the
 * operations dashboard with alarms.
 *
 * IAM is written out per function (no `grantReadWriteData`, no managed policies) so the policy each
 * function gets is exactly what the handler needs; test/infra/stack.test.ts pins that matrix.
 *
 * Cycle avoidance: the state machine references the channel-step functions (definition
 * substitutions + invoke rights), and those functions need task-response rights on the state
 * machine. The state machine therefore has a fixed name (`<stackName>-journey`) and every function
 * policy uses the ARN formatted from that name, never a reference to the state machine resource.
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
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ROUTES, type Route } from '../../functions/shared/routes.js';
import { TABLE } from '../../functions/store/table.js';
import { Observability } from './observability.js';
import { JOURNEY_ASL_PATH, REPO_ROOT, repoPath } from './paths.js';

export interface MaatwerkStackProps extends StackProps {
  /** E-mail address subscribed to the alarm topic (optional; `cdk deploy -c alarmEmail=ops@…`). */
  readonly alarmEmail?: string;
}

/** Lambda runtime for every function: the newest Node.js runtime Lambda offers (cdk-nag L1). */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Letters are financial records: kept 7 years (DESIGN §5.12), then expired. */
export const LETTER_RETENTION_DAYS = 7 * 365 + 2;

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

export type FunctionName =
  | 'Api'
  | 'Webhooks'
  | 'Decide'
  | 'SendEmail'
  | 'SendSms'
  | 'SendWhatsapp'
  | 'SendLetter'
  | 'CallTask'
  | 'Await'
  | 'Counters';

interface FunctionSpec {
  entry: string;
  handler: string;
  service: string;
  description: string;
  memorySize: number;
  timeout: Duration;
  /** Channel steps render messages/PDFs: they get pdfkit's font data and the templates folder. */
  rendersMessages?: boolean;
}

const FUNCTION_SPECS: Record<FunctionName, FunctionSpec> = {
  Api: {
    entry: 'functions/api/handler.ts',
    handler: 'handler',
    service: 'api',
    description: 'Client REST API (/v1): dossiers, payments, debtors, call tasks',
    memorySize: 1024,
    timeout: Duration.seconds(15),
  },
  Webhooks: {
    entry: 'functions/webhooks/handler.ts',
    handler: 'handler',
    service: 'webhooks',
    description: 'Twilio inbound/status and SendGrid event webhooks (signature-authenticated); answers to replies',
    memorySize: 1024,
    timeout: Duration.seconds(15),
    // It answers debtors' replies (templates/answer), also when a schedule invokes it at 07:00.
    rendersMessages: true,
  },
  Decide: {
    entry: 'functions/decide/handler.ts',
    handler: 'handler',
    service: 'decide',
    description: 'Journey step: loads the case and decides the next action',
    memorySize: 1024,
    timeout: Duration.seconds(30),
  },
  SendEmail: {
    entry: 'functions/channel-step/handler.ts',
    handler: 'email',
    service: 'channel-email',
    description: 'Journey step: sends an e-mail (SendGrid) and parks the task token',
    memorySize: 512,
    timeout: Duration.seconds(30),
    rendersMessages: true,
  },
  SendSms: {
    entry: 'functions/channel-step/handler.ts',
    handler: 'sms',
    service: 'channel-sms',
    description: 'Journey step: sends an SMS (Twilio) and parks the task token',
    memorySize: 512,
    timeout: Duration.seconds(30),
    rendersMessages: true,
  },
  SendWhatsapp: {
    entry: 'functions/channel-step/handler.ts',
    handler: 'whatsapp',
    service: 'channel-whatsapp',
    description: 'Journey step: sends a WhatsApp message (Twilio) and parks the task token',
    memorySize: 512,
    timeout: Duration.seconds(30),
    rendersMessages: true,
  },
  SendLetter: {
    entry: 'functions/channel-step/handler.ts',
    handler: 'letter',
    service: 'channel-letter',
    description: 'Journey step: renders the letter PDF, stores it, hands it to print-and-post',
    memorySize: 1536,
    timeout: Duration.seconds(60),
    rendersMessages: true,
  },
  CallTask: {
    entry: 'functions/channel-step/handler.ts',
    handler: 'callTask',
    service: 'channel-call',
    description: 'Journey step: creates an agent call task holding the task token',
    memorySize: 512,
    timeout: Duration.seconds(30),
    rendersMessages: true,
  },
  Counters: {
    entry: 'functions/counters/handler.ts',
    handler: 'handler',
    service: 'counters',
    description: 'Learning counters: adds a batch of the table stream’s counter increments, one ADD per counter item',
    memorySize: 512,
    timeout: Duration.seconds(60),
  },
  Await: {
    entry: 'functions/channel-step/handler.ts',
    handler: 'park',
    service: 'channel-await',
    description: 'Journey step: parks the task token on the case until the next moment',
    memorySize: 512,
    timeout: Duration.seconds(30),
    rendersMessages: true,
  },
};

/**
 * ESM bundles still contain CommonJS dependencies (twilio, handlebars, …) that call `require` for
 * Node built-ins; give them a real one. The alias keeps the name clear of esbuild's own bindings.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __maatwerkCreateRequire } from 'node:module'; const require = __maatwerkCreateRequire(import.meta.url);";

/**
 * pdfkit 0.20 loads its standard fonts at run time through `createRequire(import.meta.url)` and the
 * package's `#standard-fonts/*` subpath imports, which esbuild cannot inline. After bundling we put
 * the font modules next to index.mjs and a package.json whose `imports` maps the same specifiers, so
 * the lookup from /var/task/index.mjs resolves. The templates folder is copied as well: the renderer
 * reads the .hbs/.json files from disk (MAATWERK_TEMPLATES_DIR points at the copy).
 */
const RENDERER_HOOKS: ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir: string, outputDir: string): string[] => [
    `cp -R "${inputDir}/node_modules/pdfkit/js/standard-fonts" "${outputDir}/standard-fonts"`,
    `mkdir -p "${outputDir}/data"`,
    `cp "${inputDir}/node_modules/pdfkit/js/data/sRGB_IEC61966_2_1.icc" "${outputDir}/data/"`,
    `printf '%s' '{"private":true,"imports":{"#standard-fonts/*":"./standard-fonts/*.cjs"}}' > "${outputDir}/package.json"`,
    `mkdir -p "${outputDir}/templates"`,
    `cp -R "${inputDir}/templates/." "${outputDir}/templates/"`,
  ],
};

export class MaatwerkStack extends Stack {
  readonly table: dynamodb.Table;
  readonly stateMachine: sfn.StateMachine;
  /** The journey ARN formatted from its fixed name (what the function policies and env use). */
  readonly journeyArn: string;
  readonly journeyName: string;
  readonly functions: Record<FunctionName, NodejsFunction>;
  readonly api: apigw.RestApi;
  readonly letterBucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly secrets: { twilio: secretsmanager.Secret; sendgrid: secretsmanager.Secret; print: secretsmanager.Secret; mollie: secretsmanager.Secret; page: secretsmanager.Secret };
  readonly observability: Observability;
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
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the server-access-log destination of the letters bucket; logging it into itself would loop and logging it elsewhere only moves the problem.',
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

    const fns = {} as Record<FunctionName, NodejsFunction>;
    for (const name of Object.keys(FUNCTION_SPECS) as FunctionName[]) {
      fns[name] = this.makeFunction(name, FUNCTION_SPECS[name]);
    }
    this.functions = fns;

    // Every function reads and writes the table.
    for (const fn of Object.values(fns)) this.grantTableReadWrite(fn);

    // Task response (wake a parked journey): everyone but Decide.
    for (const name of ['Api', 'Webhooks', 'SendEmail', 'SendSms', 'SendWhatsapp', 'SendLetter', 'CallTask', 'Await'] as const) {
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

    // Secrets: each function reads only the provider credentials it uses.
    this.grantSecret(fns.Webhooks, this.secrets.twilio, 'TWILIO_SECRET_ARN');
    this.grantSecret(fns.Webhooks, this.secrets.sendgrid, 'SENDGRID_SECRET_ARN');
    this.grantSecret(fns.SendEmail, this.secrets.sendgrid, 'SENDGRID_SECRET_ARN');
    this.grantSecret(fns.SendSms, this.secrets.twilio, 'TWILIO_SECRET_ARN');
    this.grantSecret(fns.SendWhatsapp, this.secrets.twilio, 'TWILIO_SECRET_ARN');
    this.grantSecret(fns.SendLetter, this.secrets.print, 'PRINT_SECRET_ARN');
    // Issue 9: the API (debtor page, checkout) and the webhooks (Mollie) use Mollie; every message carries a sealed
    // page link, so the functions that write messages (and the page that opens them) read the token secret.
    this.grantSecret(fns.Api, this.secrets.mollie, 'MOLLIE_SECRET_ARN');
    this.grantSecret(fns.Webhooks, this.secrets.mollie, 'MOLLIE_SECRET_ARN');
    // The Webhooks function answers replies, and answers that mention paying carry the page link too.
    for (const name of ['Api', 'Webhooks', 'SendEmail', 'SendSms', 'SendWhatsapp', 'SendLetter', 'CallTask'] as const) this.grantSecret(fns[name], this.secrets.page, 'PAGE_SECRET_ARN');

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
    this.api = this.makeApi(fns.Api, fns.Webhooks);

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
    // Answers to replies (the Webhooks function, also from the 07:00 answer timer, with no request to read a URL
    // from) link to the page as well. Built from the API's id and stage name, not `api.url`: the stage depends on
    // the Webhooks integration, so its URL in that function's environment would be a CloudFormation cycle.
    fns.Webhooks.addEnvironment('PAYMENT_LINK_BASE', `https://${this.api.restApiId}.execute-api.${this.region}.${this.urlSuffix}/${API_STAGE}/p/`);

    // ------------------------------------------------ creditor notifications
    // Each delivery attempt is a one-time EventBridge Scheduler schedule (`n-<notification>-<attempt>` in the default
    // group) that invokes the Webhooks function (functions/notifications/outbox.ts). The functions that write
    // timeline entries which notify creditors (Api, Webhooks, Decide) create them; the role the schedules run as may
    // only invoke the Webhooks function. The Webhooks function learns its own ARN from its invocation (its ARN in
    // its own environment would be a cycle).
    const schedulerRole = new iam.Role(this, 'NotificationSchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: 'Runs the one-time schedules of creditor-notification attempts: invokes the Webhooks function',
    });
    schedulerRole.addToPolicy(new iam.PolicyStatement({ sid: 'InvokeNotificationDelivery', actions: ['lambda:InvokeFunction'], resources: [fns.Webhooks.functionArn] }));
    const notificationSchedules = this.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: 'default/n-*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    for (const name of ['Api', 'Webhooks', 'Decide'] as const) {
      fns[name].addEnvironment('SCHEDULER_ROLE_ARN', schedulerRole.roleArn);
      if (name !== 'Webhooks') fns[name].addEnvironment('NOTIFY_FUNCTION_ARN', fns.Webhooks.functionArn);
      fns[name].addToRolePolicy(new iam.PolicyStatement({ sid: 'NotificationSchedules', actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'], resources: [notificationSchedules] }));
      fns[name].addToRolePolicy(new iam.PolicyStatement({ sid: 'NotificationSchedulerPassRole', actions: ['iam:PassRole'], resources: [schedulerRole.roleArn] }));
      Validations.of(fns[name].role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${this.nagArn(notificationSchedules)}]`,
        reason: 'Notification attempts are one-time schedules named per notification and attempt (n-<id>-<n>) in the default group; the name part must be a wildcard within that prefix.',
      });
    }

    // -------------------------------------------------------- observability
    this.observability = new Observability(this, 'Observability', {
      dashboardName: `${this.stackName}-operations`,
      stateMachine: this.stateMachine,
      functions: fns,
      api: this.api,
      table: this.table,
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
    const counterFailuresAlarm = new cw.Alarm(this, 'CounterBatchesFailed', {
      alarmDescription: 'Learning-counter batches kept failing and were skipped (their positions are in the CounterFailures queue; re-read the stream within 24 h).',
      metric: this.counterFailures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    counterFailuresAlarm.addAlarmAction(new cwActions.SnsAction(this.observability.alarmTopic));

    // ------------------------------------------------------------- outputs
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the REST API (append v1/… or webhooks/…)' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.alarmTopic.topicArn });
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

  private makeFunction(name: FunctionName, spec: FunctionSpec): NodejsFunction {
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

    const fn = new NodejsFunction(this, name, {
      description: spec.description,
      entry: repoPath(spec.entry),
      handler: spec.handler,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memorySize,
      timeout: spec.timeout,
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: repoPath('package-lock.json'),
      environment: {
        TABLE_NAME: this.table.tableName,
        POWERTOOLS_SERVICE_NAME: `maatwerk-${spec.service}`,
        POWERTOOLS_METRICS_NAMESPACE: 'Maatwerk',
        LOG_LEVEL: 'INFO',
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        // Responses carry debtor data; keep it out of X-Ray.
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        NODE_OPTIONS: '--enable-source-maps',
        // functions/channels/render.ts reads templates from here (its repo-relative default does not
        // exist inside a bundle); RENDERER_HOOKS copies templates/ into the bundle.
        ...(spec.rendersMessages ? { MAATWERK_TEMPLATES_DIR: '/var/task/templates' } : {}),
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node24',
        platform: 'node',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Ship the pinned SDK v3 (package-lock) instead of whatever the runtime happens to carry.
        bundleAwsSDK: true,
        ...(spec.rendersMessages ? { commandHooks: RENDERER_HOOKS } : {}),
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
  private grantTableReadWrite(fn: NodejsFunction): void {
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

  private grantSecret(fn: NodejsFunction, secret: secretsmanager.Secret, envName: string): void {
    fn.addEnvironment(envName, secret.secretArn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
  }

  private makeApi(apiFn: NodejsFunction, webhooksFn: NodejsFunction): apigw.RestApi {
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const api = new apigw.RestApi(this, 'RestApi', {
      restApiName: `${this.stackName}-api`,
      description: 'Maatwerk client API (/v1, x-api-key checked by the handler) and provider webhooks (signature-checked)',
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
    api.addGatewayResponse('Throttled', {
      type: apigw.ResponseType.THROTTLED,
      statusCode: '429',
      templates: errorBody('throttled', '"Too many requests"'),
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

    const apiIntegration = new apigw.LambdaIntegration(apiFn, { allowTestInvoke: false });
    const webhooksIntegration = new apigw.LambdaIntegration(webhooksFn, { allowTestInvoke: false });

    // The methods come from the route table (functions/shared/routes.ts), the same one the handlers, the local
    // runtime and the OpenAPI document use: a route added there is deployed here.
    const AUTH_HEADERS: Record<Route['auth'], string[]> = {
      apiKey: ['x-api-key'],
      agentKey: ['x-api-key'],
      twilioSignature: ['X-Twilio-Signature'],
      sendgridSignature: ['X-Twilio-Email-Event-Webhook-Signature', 'X-Twilio-Email-Event-Webhook-Timestamp'],
      none: [],
    };
    const integrations = { api: apiIntegration, webhooks: webhooksIntegration };
    for (const route of ROUTES) {
      if (route.fn === 'local') continue;
      const keyed = route.auth === 'apiKey' || route.auth === 'agentKey';
      api.root.resourceForPath(route.resource).addMethod(route.method, integrations[route.fn], {
        authorizationType: apigw.AuthorizationType.NONE,
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
          'Authentication is done in the handlers: /v1 methods check x-api-key against the hashed client keys in DynamoDB (per-client tenancy), webhook methods verify the Twilio / SendGrid signature over the raw request. The required auth headers are enforced at the edge by the request validator.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Callers are creditor back-office systems with API keys and the Twilio / SendGrid platforms with signed requests; there are no end users to put in a Cognito user pool.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF web ACL yet: stage throttling, required-header validation and handler-side authentication cover the current exposure; a WAF rate-based rule is on the backlog for production traffic.',
      },
    );
    Validations.of(api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level API Gateway logging role uses the AWS-managed policy made for exactly this purpose (write execution logs); it has no data access.',
    });
    return api;
  }
}
