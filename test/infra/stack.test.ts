/**
 * CDK assertions for the AWS stack. The app is built and synthesised once (bundling fourteen functions
 * is the slow part); every test reads that one template and the bundles' esbuild metafiles.
 *
 * The expectations below are written out independently of infra/aws (route table, IAM matrix,
 * placeholder → function binding), so a change in the stack that breaks the contract fails here.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_DIMENSIONS, METRICS_NAMESPACE, REPLY_INTENTS, type MetricName } from '../../functions/shared/metric-names.js';
import { AUTHORIZER_CACHE_TTL_SECONDS, CLIENT_RATE_LIMIT } from '../../functions/shared/routes.js';
import { TABLE } from '../../functions/store/table.js';
import { functionBuildsDir } from '../../infra/aws/bundling.js';
import { OMITTED_PREFIX } from '../../infra/build/bundle.js';
import { buildApp } from '../../infra/aws/build-app.js';
import { Observability } from '../../infra/aws/observability.js';
import { JOURNEY_ASL_PATH } from '../../infra/aws/paths.js';
import { POWERTOOLS_LAYER_PARAMETER, type FunctionName, type MaatwerkStack } from '../../infra/aws/stack.js';

type Json = any; // CloudFormation fragments
interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: Json;
  Sid?: string;
}

const STACK_NAME = 'MaatwerkTest';
const ALL_FUNCTIONS: FunctionName[] = [
  'Api',
  'Reports',
  'Authorizer',
  'Webhooks',
  'Deliveries',
  'Payments',
  'Docs',
  'Decide',
  'SendEmail',
  'SendSms',
  'SendWhatsapp',
  'SendLetter',
  'CallTask',
  'Await',
  'Counters',
];

/** The entry each function's bundle must be built from (one entry per function, each exporting `handler`). */
const ENTRIES: Record<FunctionName, string> = {
  Api: 'functions/api/handler.ts',
  Reports: 'functions/reports/handler.ts',
  Authorizer: 'functions/authorizer/handler.ts',
  Webhooks: 'functions/webhooks/handler.ts',
  Deliveries: 'functions/deliveries/handler.ts',
  Payments: 'functions/debtor-page/handler.ts',
  Docs: 'functions/docs/handler.ts',
  Decide: 'functions/decide/handler.ts',
  SendEmail: 'functions/channel-step/email.ts',
  SendSms: 'functions/channel-step/sms.ts',
  SendWhatsapp: 'functions/channel-step/whatsapp.ts',
  SendLetter: 'functions/channel-step/letter.ts',
  CallTask: 'functions/channel-step/call-task.ts',
  Await: 'functions/channel-step/await.ts',
  Counters: 'functions/counters/handler.ts',
};

/**
 * What a function's bundle must NOT contain (node_modules packages, source folders), on top of what no bundle may
 * contain. A module in a bundle is one its function may execute; anything else is weight and attack surface.
 */
const NEVER_BUNDLED = [
  // the provider SDKs: their adapters call the APIs over fetch (the SDKs are dev dependencies for the contract tests)
  'node_modules/twilio/',
  'node_modules/@sendgrid/',
  'node_modules/@mollie/',
  'node_modules/node-fetch/',
  'node_modules/ruply/',
  'node_modules/whatwg-url/',
  'node_modules/tr46/',
  'node_modules/date-holidays',
  'node_modules/moment',
  'node_modules/@aws-sdk/',
  'node_modules/@aws-lambda-powertools/',
  'node_modules/aws-xray-sdk-core/',
  'node_modules/zod/v4/classic/',
  'node_modules/fontkit/',
  'node_modules/brotli/',
  'node_modules/handlebars/dist/cjs/handlebars/compiler/',
  'node_modules/source-map/',
  // the calendar runs on Intl, provider retries on our own backoff, the OpenAPI document on zod's own generator
  'node_modules/luxon/',
  'node_modules/p-retry/',
  'node_modules/retry/',
  'node_modules/@asteasolutions/',
  // graphemes from a table generated from grapheme-splitter (functions/channels/graphemes.ts)
  'node_modules/grapheme-splitter/',
  // pdfkit's encryption and PNG support: letters have neither
  'node_modules/@noble/ciphers/',
  'node_modules/png-js/',
];
/** The OpenAPI generator and docs page: only in the Docs function. */
const DOCS = ['functions/shared/openapi.ts', 'functions/shared/docs-page.ts', 'node_modules/zod/v4/core/to-json-schema.js', 'node_modules/zod/v4/core/json-schema-processors.js'];
/** The client API's schemas and routes (and with them libphonenumber): only in the Api and Docs functions. */
const CLIENT_API = ['functions/shared/schemas/api.ts', 'functions/shared/routes/api.ts', 'node_modules/libphonenumber-js/'];
const PDF = ['node_modules/pdfkit/', 'functions/channels/render-pdf.ts'];
const CHANNEL_CLIENTS = ['functions/channels/twilio-messaging.ts', 'functions/channels/sendgrid-email.ts', 'functions/channels/print-letter.ts'];
const RENDERING = ['functions/channels/render.ts', 'node_modules/handlebars/'];
/** The answers to replies: rendered and sent by the Deliveries function only. */
const ANSWERS = ['functions/channels/render-answer.ts', 'functions/services/answer-delivery.ts', 'maatwerk-templates:'];
/** The reply classifier: only in the Webhooks function (the reply path). */
const CLASSIFIER = ['functions/domain/intents/'];
/** The payment provider's client (over fetch): only in the Payments function (the debtor page and the Mollie webhook). */
const MOLLIE = ['functions/payments/mollie.ts'];
/** The reports (KPIs, experiment results, the results maths): only in the Reports function (and Docs, their schemas). */
const REPORTS = ['functions/reports/kpis.ts', 'functions/reports/experiments.ts', 'functions/shared/routes/reports.ts'];
/**
 * The journey's decision and the strategy it decides with: the Decide function's only (the sending steps ask it for
 * their next plan; the intake leaves the first decision to it).
 */
const DECISION = ['functions/domain/decide/index.ts', 'functions/services/decide.ts'];
/** The strategy, parsed (the sending steps only compare its id: services/strategy-file.ts). */
const STRATEGY = ['functions/domain/strategy.ts', 'templates/strategy.json'];
/** What a sending step leaves to Decide (it asks Decide for its plans). */
const DECIDING = [...DECISION, ...STRATEGY];
const FORBIDDEN_BY_FUNCTION: Record<FunctionName, string[]> = {
  Api: [...PDF, ...CHANNEL_CLIENTS, ...RENDERING, ...DOCS, ...REPORTS, ...DECISION, 'functions/domain/strategy.ts', 'node_modules/sms-segments-calculator/', 'node_modules/jstat/'],
  // reads counters: no client API schemas, no case writes, no decision
  Reports: [...PDF, ...CHANNEL_CLIENTS, ...RENDERING, ...DOCS, ...CLIENT_API, ...DECISION, 'node_modules/sms-segments-calculator/', 'functions/services/intake.ts', 'functions/services/case.ts'],
  Payments: [...PDF, ...CHANNEL_CLIENTS, ...RENDERING, ...DOCS, ...CLIENT_API],
  Authorizer: [...PDF, ...CHANNEL_CLIENTS, ...RENDERING, ...DOCS, 'node_modules/zod/', 'node_modules/libphonenumber-js/', 'functions/services/'],
  // It classifies and records replies; their answers are the Deliveries function's: no renderer, no provider client.
  Webhooks: [...PDF, ...CHANNEL_CLIENTS, ...RENDERING, ...ANSWERS, ...DOCS, ...CLIENT_API, 'node_modules/sms-segments-calculator/'],
  // It answers replies over Twilio (the answer templates precompiled, only Handlebars' runtime) and delivers creditor
  // notifications: no journey renderer, no classifier.
  Deliveries: [...PDF, 'functions/channels/sendgrid-email.ts', 'functions/channels/print-letter.ts', 'functions/channels/render.ts', 'node_modules/handlebars/dist/cjs/handlebars/compiler/', ...DOCS, ...CLIENT_API, ...CLASSIFIER, 'functions/services/engagement.ts'],
  Docs: [...PDF, ...CHANNEL_CLIENTS, ...RENDERING, 'functions/services/', 'functions/store/', 'node_modules/ulid/'],
  Decide: [...PDF, ...CHANNEL_CLIENTS, ...RENDERING, ...DOCS, ...CLIENT_API],
  SendEmail: [...DECIDING, ...PDF, 'functions/channels/twilio-messaging.ts', 'functions/channels/print-letter.ts', 'node_modules/sms-segments-calculator/', ...DOCS, ...CLIENT_API],
  SendSms: [...DECIDING, ...PDF, 'functions/channels/sendgrid-email.ts', 'functions/channels/print-letter.ts', ...DOCS, ...CLIENT_API],
  SendWhatsapp: [...DECIDING, ...PDF, 'functions/channels/sendgrid-email.ts', 'functions/channels/print-letter.ts', 'node_modules/sms-segments-calculator/', ...DOCS, ...CLIENT_API],
  SendLetter: [...DECIDING, 'functions/channels/twilio-messaging.ts', 'functions/channels/sendgrid-email.ts', 'node_modules/sms-segments-calculator/', ...DOCS, ...CLIENT_API],
  CallTask: [...DECIDING, ...PDF, ...CHANNEL_CLIENTS, 'node_modules/sms-segments-calculator/', ...DOCS, ...CLIENT_API],
  // adds counter increments from the stream: no journey, no provider, no client API
  Counters: [...PDF, ...CHANNEL_CLIENTS, ...RENDERING, ...DOCS, ...CLIENT_API, ...DECISION, 'node_modules/sms-segments-calculator/', 'functions/services/case.ts'],
  Await: [...DECIDING, ...PDF, ...CHANNEL_CLIENTS, 'node_modules/sms-segments-calculator/', ...DOCS, ...CLIENT_API],
};
const FORBIDDEN = Object.fromEntries(
  Object.entries(FORBIDDEN_BY_FUNCTION).map(([name, banned]) => [name, name === 'Payments' ? banned : [...banned, ...MOLLIE]]),
) as Record<FunctionName, string[]>;
/** What a bundle MUST contain (so the lists above cannot pass because a bundle is empty or mis-built). */
const REQUIRED: Partial<Record<FunctionName, string[]>> = {
  Api: ['node_modules/libphonenumber-js/', 'functions/api/handler.ts'],
  Reports: ['functions/reports/handler.ts', ...REPORTS, 'node_modules/jstat/'],
  SendEmail: ['functions/channels/sendgrid-email.ts'],
  SendSms: ['functions/channels/twilio-messaging.ts', 'node_modules/sms-segments-calculator/', 'functions/channels/graphemes.ts'],
  SendWhatsapp: ['functions/channels/twilio-messaging.ts'],
  SendLetter: ['node_modules/pdfkit/', 'functions/channels/print-letter.ts', 'functions/channels/render-pdf.ts'],
  Authorizer: ['functions/authorizer/handler.ts'],
  // the classifier's model in its compact form (decoded by the codec), graphemes from the generated table
  Webhooks: ['functions/webhooks/handler.ts', 'functions/domain/intents/classify.ts', 'functions/domain/intents/model-codec.ts', 'functions/services/conversation.ts'],
  Deliveries: ['functions/deliveries/handler.ts', ...ANSWERS, 'functions/channels/twilio-messaging.ts', 'functions/channels/graphemes.ts', 'functions/notifications/outbox.ts'],
  Docs: ['functions/docs/handler.ts', ...DOCS, ...CLIENT_API],
  Payments: ['functions/debtor-page/handler.ts', 'functions/payments/mollie.ts', 'functions/services/checkout.ts'],
};
const KB = 1000;
/** Issue 12: every bundle ≤ 250 KB minified, the letter function (pdfkit) ≤ 400 KB. */
const BUDGET: Record<FunctionName, number> = { ...(Object.fromEntries(Object.keys(ENTRIES).map((n) => [n, 250 * KB])) as Record<FunctionName, number>), SendLetter: 400 * KB };

/** ASL placeholder → function it must be bound to. */
const PLACEHOLDERS: Record<string, FunctionName> = {
  DecideFunctionArn: 'Decide',
  SendEmailFunctionArn: 'SendEmail',
  SendSmsFunctionArn: 'SendSms',
  SendWhatsappFunctionArn: 'SendWhatsapp',
  SendLetterFunctionArn: 'SendLetter',
  CallTaskFunctionArn: 'CallTask',
  AwaitFunctionArn: 'Await',
};
/** Task state in the ASL → function it must invoke. */
const TASK_STATES: Record<string, FunctionName> = {
  Decide: 'Decide',
  Email: 'SendEmail',
  SMS: 'SendSms',
  WhatsApp: 'SendWhatsapp',
  Letter: 'SendLetter',
  CallTask: 'CallTask',
  Await: 'Await',
};

type SecretName = 'twilio' | 'sendgrid' | 'print' | 'mollie' | 'page';
/** The IAM matrix: beyond its own log group, X-Ray and table item access, what each function may do. */
const MATRIX: Record<FunctionName, { states: string[]; secrets: SecretName[]; letterPut: boolean }> = {
  Authorizer: { states: [], secrets: [], letterPut: false },
  Docs: { states: [], secrets: [], letterPut: false },
  Reports: { states: [], secrets: [], letterPut: false },
  Api: {
    states: ['states:DescribeExecution', 'states:SendTaskFailure', 'states:SendTaskSuccess', 'states:StartExecution'],
    secrets: [],
    letterPut: false,
  },
  // the signatures' keys (Twilio, SendGrid); it invokes Deliveries for an answer due now
  Webhooks: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess'], secrets: ['sendgrid', 'twilio'], letterPut: false },
  // sends the answers (Twilio; page links) and creditor notifications
  Deliveries: { states: [], secrets: ['page', 'twilio'], letterPut: false },
  // the debtor page and the Mollie webhook: Mollie, the page tokens; a refund may start an ended journey again
  Payments: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess', 'states:StartExecution'], secrets: ['mollie', 'page'], letterPut: false },
  // a journey timer wakes Decide at the end of a wait: it ends that wait itself
  Decide: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess'], secrets: [], letterPut: false },
  SendEmail: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess'], secrets: ['page', 'sendgrid'], letterPut: false },
  SendSms: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess'], secrets: ['page', 'twilio'], letterPut: false },
  SendWhatsapp: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess'], secrets: ['page', 'twilio'], letterPut: false },
  SendLetter: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess'], secrets: ['page', 'print'], letterPut: true },
  CallTask: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess'], secrets: ['page'], letterPut: false },
  Await: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess'], secrets: [], letterPut: false },
  // besides: reads the table's stream, sends failed batches' positions to its queue (checked below)
  Counters: { states: [], secrets: [], letterPut: false },
};
/**
 * The timers (EventBridge Scheduler): who creates schedules (and passes the timer role) — journey timers (wake-ups go
 * to Decide), answer timers (to Webhooks itself) and the creditor notifications' delivery attempts (to Webhooks, from
 * every function that writes what notifies a creditor) — and who deletes them.
 */
const JOURNEY_TIMERS: FunctionName[] = ['SendEmail', 'SendSms', 'SendWhatsapp', 'SendLetter', 'CallTask', 'Await'];
/** The sending steps ask Decide for their next plan (functions/services/ask-decide.ts); Await only parks. */
const ASKS_DECIDE: FunctionName[] = ['SendEmail', 'SendSms', 'SendWhatsapp', 'SendLetter', 'CallTask'];
const ANSWER_TIMERS: FunctionName[] = ['Webhooks'];
const NOTIFICATION_TIMERS: FunctionName[] = ['Api', 'Webhooks', 'Payments', 'Decide', 'Deliveries'];
const CREATES_TIMERS: FunctionName[] = [...new Set([...JOURNEY_TIMERS, ...ANSWER_TIMERS, ...NOTIFICATION_TIMERS])];
const DELETES_TIMERS: FunctionName[] = ['Api', 'Webhooks', 'Payments', 'Decide', 'Deliveries'];
/** What the stream event source needs: the Counters function reads the table's stream, and only it. */
const STREAM_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];
const SECRET_ENV: Record<SecretName, string> = {
  twilio: 'TWILIO_SECRET_ARN',
  sendgrid: 'SENDGRID_SECRET_ARN',
  print: 'PRINT_SECRET_ARN',
  mollie: 'MOLLIE_SECRET_ARN',
  page: 'PAGE_SECRET_ARN',
};
const TABLE_ITEM_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];

const TABLE_READ_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];

/** Every route: method, path, and the function its Lambda-proxy integration must call (/v1: behind the authorizer). */
const ROUTES: { method: string; path: string; fn: FunctionName; headers: string[] }[] = [
  { method: 'POST', path: '/v1/dossiers', fn: 'Api', headers: ['x-api-key'] },
  { method: 'GET', path: '/v1/dossiers', fn: 'Api', headers: ['x-api-key'] },
  { method: 'POST', path: '/v1/dossiers/batch', fn: 'Api', headers: ['x-api-key'] },
  { method: 'GET', path: '/v1/dossiers/{dossierId}', fn: 'Api', headers: ['x-api-key'] },
  { method: 'POST', path: '/v1/dossiers/{dossierId}/payments', fn: 'Api', headers: ['x-api-key'] },
  { method: 'POST', path: '/v1/dossiers/{dossierId}/withdraw', fn: 'Api', headers: ['x-api-key'] },
  { method: 'POST', path: '/v1/dossiers/{dossierId}/dispute', fn: 'Api', headers: ['x-api-key'] },
  { method: 'POST', path: '/v1/dossiers/{dossierId}/dispute/resolve', fn: 'Api', headers: ['x-api-key'] },
  { method: 'GET', path: '/v1/debtors/{debtorId}', fn: 'Api', headers: ['x-api-key'] },
  { method: 'PATCH', path: '/v1/debtors/{debtorId}', fn: 'Api', headers: ['x-api-key'] },
  { method: 'POST', path: '/v1/debtors/{debtorId}/flags', fn: 'Api', headers: ['x-api-key'] },
  { method: 'GET', path: '/v1/tasks', fn: 'Api', headers: ['x-api-key'] },
  { method: 'GET', path: '/v1/reports/kpis', fn: 'Reports', headers: ['x-api-key'] },
  { method: 'GET', path: '/v1/experiments/{experimentId}/results', fn: 'Reports', headers: ['x-api-key'] },
  { method: 'POST', path: '/v1/tasks/{taskId}/complete', fn: 'Api', headers: ['x-api-key'] },
  { method: 'PUT', path: '/v1/webhook', fn: 'Api', headers: ['x-api-key'] },
  { method: 'GET', path: '/v1/webhook', fn: 'Api', headers: ['x-api-key'] },
  { method: 'DELETE', path: '/v1/webhook', fn: 'Api', headers: ['x-api-key'] },
  { method: 'POST', path: '/webhooks/twilio/inbound', fn: 'Webhooks', headers: ['X-Twilio-Signature'] },
  { method: 'POST', path: '/webhooks/twilio/status', fn: 'Webhooks', headers: ['X-Twilio-Signature'] },
  {
    method: 'POST',
    path: '/webhooks/sendgrid/events',
    fn: 'Webhooks',
    headers: ['X-Twilio-Email-Event-Webhook-Signature', 'X-Twilio-Email-Event-Webhook-Timestamp'],
  },
  // Mollie posts only the payment id; the handler fetches the payment from Mollie.
  { method: 'POST', path: '/webhooks/mollie', fn: 'Payments', headers: [] },
  // The debtor page: the link's sealed token is the authentication.
  { method: 'GET', path: '/p/{token}', fn: 'Payments', headers: [] },
  { method: 'POST', path: '/p/{token}/pay', fn: 'Payments', headers: [] },
  { method: 'POST', path: '/p/{token}/plan', fn: 'Payments', headers: [] },
  { method: 'POST', path: '/p/{token}/tell', fn: 'Payments', headers: [] },
  // The API's description, served by the Docs function without a key.
  { method: 'GET', path: '/openapi.json', fn: 'Docs', headers: [] },
  { method: 'GET', path: '/docs', fn: 'Docs', headers: [] },
];

let app: App;
let stack: MaatwerkStack;
let template: Template;
let resources: Record<string, Resource>;

const logicalId = (construct: { node: { defaultChild?: unknown } } | unknown): string => {
  const c = construct as { node: { defaultChild?: unknown } };
  const cfn = (c.node.defaultChild ?? c) as Parameters<Stack['getLogicalId']>[0];
  return stack.resolve(stack.getLogicalId(cfn)) as string;
};
const fnId = (name: FunctionName): string => logicalId(stack.functions[name]);
/** The deployed asset folder of a function in the cloud assembly. */
const assetDir = (name: FunctionName): string => path.join(app.outdir, `asset.${String(resources[fnId(name)].Properties.Code.S3Key).replace(/\.zip$/, '')}`);
/** esbuild's metafile of a function's bundle, kept as a build artefact beside the assembly's assets. */
const meta = (name: FunctionName): Metafile => JSON.parse(readFileSync(path.join(functionBuildsDir(stack), name, 'artefacts', 'meta.json'), 'utf8'));
const ofType = (type: string): [string, Resource][] => Object.entries(resources).filter(([, r]) => r.Type === type);
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** All statements of every IAM policy attached to the function's role, plus the role itself. */
function roleOf(name: FunctionName): { roleId: string; role: Resource; statements: Statement[] } {
  const fn = resources[fnId(name)];
  const roleId: string = fn.Properties.Role['Fn::GetAtt'][0];
  const statements = ofType('AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties.Roles).some((r: Json) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
  return { roleId, role: resources[roleId], statements };
}
const actionsOf = (statements: Statement[]): string[] => [...new Set(statements.flatMap((s) => asArray(s.Action)))].sort();
const mentions = (fragment: Json, id: string): boolean => JSON.stringify(fragment).includes(`"${id}"`);

beforeAll(() => {
  ({ app, stack } = buildApp({ stackName: STACK_NAME, nag: false }));
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});
// The synthesised assembly (bundles included) lives in a temp directory; don't leave it behind.
const extraApps: App[] = [];
afterAll(() => {
  for (const a of [app, ...extraApps]) {
    if (a?.outdir.startsWith(os.tmpdir())) rmSync(a.outdir, { recursive: true, force: true });
  }
});

describe('DynamoDB table', () => {
  it('has the key schema and indexes of functions/store/table.ts', () => {
    const [[, table]] = ofType('AWS::DynamoDB::Table');
    const p = table.Properties;
    expect(p.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    expect(
      (p.GlobalSecondaryIndexes as Json[]).map((g) => ({ name: g.IndexName, keys: g.KeySchema })).sort((a, b) => a.name.localeCompare(b.name)),
    ).toEqual(
      [...TABLE.indexes]
        .map((i) => ({
          name: i.name,
          keys: [
            { AttributeName: i.partitionKey, KeyType: 'HASH' },
            { AttributeName: i.sortKey, KeyType: 'RANGE' },
          ],
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    const keyNames = [TABLE.partitionKey, TABLE.sortKey, ...TABLE.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
    expect((p.AttributeDefinitions as Json[]).sort((a, b) => a.AttributeName.localeCompare(b.AttributeName))).toEqual(
      [...new Set(keyNames)].sort().map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    );
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: TABLE.ttlAttribute, Enabled: true });
  });

  it('is on-demand, point-in-time recoverable, protected from deletion and encrypted', () => {
    const [[, table]] = ofType('AWS::DynamoDB::Table');
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
  });
});

describe('learning counters: the table stream and its aggregator', () => {
  it('streams new images to the Counters function, filtered to the writes that carry counter increments', () => {
    const [[tableId, table]] = ofType('AWS::DynamoDB::Table');
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: TABLE.stream.viewType });
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    expect(mappings).toHaveLength(1);
    const [m] = mappings;
    expect(m.FunctionName).toEqual({ Ref: fnId('Counters') });
    expect(m.EventSourceArn).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
    expect(m).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: TABLE.stream.batchSize,
      MaximumBatchingWindowInSeconds: TABLE.stream.maxBatchingWindowSeconds,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: TABLE.stream.retryAttempts,
      MaximumRecordAgeInSeconds: TABLE.stream.maxRecordAgeHours * 3600,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // the same pattern the local stream emulator matches
    expect(m.FilterCriteria.Filters.map((f: Json) => JSON.parse(f.Pattern))).toEqual([TABLE.stream.filter]);
    expect(m.DestinationConfig.OnFailure.Destination).toEqual({ 'Fn::GetAtt': [logicalId(stack.counterFailures), 'Arn'] });
  });

  it('keeps failed batches in an encrypted, SSL-only queue and alarms when one arrives', () => {
    const queue = resources[logicalId(stack.counterFailures)];
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const policies = ofType('AWS::SQS::QueuePolicy').map(([, p]) => JSON.stringify(p.Properties));
    expect(policies.some((p) => p.includes('aws:SecureTransport'))).toBe(true);
    const alarm = ofType('AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties)
      .find((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(a.Dimensions).includes(logicalId(stack.counterFailures)));
    expect(alarm).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarm.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.counterFailures), 'QueueName'] } }]);
    expect(alarm.AlarmActions).toEqual([{ Ref: logicalId(stack.observability.alarmTopic) }]);
  });
});

describe('journey state machine', () => {
  const substitute = (text: string, bind: (placeholder: string) => string): Json =>
    JSON.parse(text.replace(/\$\{(\w+)\}/g, (_, name: string) => bind(name)));

  it('is the ASL file with every placeholder bound to the right function', () => {
    const [[, sm]] = ofType('AWS::StepFunctions::StateMachine');
    const asl = readFileSync(JOURNEY_ASL_PATH, 'utf8');
    const inFile = [...new Set([...asl.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]))].sort();
    expect(inFile).toEqual(Object.keys(PLACEHOLDERS).sort());

    const subs: Record<string, Json> = sm.Properties.DefinitionSubstitutions;
    expect(Object.keys(subs).sort()).toEqual(inFile);
    expect(typeof sm.Properties.DefinitionString).toBe('string');

    // What CloudFormation will produce, with ARNs stood in for by "arn-of:<logicalId>".
    const deployed = substitute(sm.Properties.DefinitionString, (p) => {
      expect(Object.keys(subs[p])).toEqual(['Fn::GetAtt']);
      expect(subs[p]['Fn::GetAtt'][1]).toBe('Arn');
      return `arn-of:${subs[p]['Fn::GetAtt'][0]}`;
    });
    const expected = substitute(asl, (p) => `arn-of:${fnId(PLACEHOLDERS[p])}`);
    expect(deployed).toEqual(expected);

    for (const [state, fn] of Object.entries(TASK_STATES)) {
      expect(deployed.States[state].Parameters.FunctionName, state).toBe(`arn-of:${fnId(fn)}`);
    }
  });

  it('is a Standard workflow with X-Ray and ALL-level logging under a fixed name', () => {
    const [[, sm]] = ofType('AWS::StepFunctions::StateMachine');
    const p = sm.Properties;
    expect(p.StateMachineType).toBe('STANDARD');
    expect(p.StateMachineName).toBe(`${STACK_NAME}-journey`);
    expect(p.TracingConfiguration).toEqual({ Enabled: true });
    expect(p.LoggingConfiguration.Level).toBe('ALL');
    const logGroupId = p.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    expect(resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
  });

  it('may invoke exactly the seven journey functions', () => {
    const [[, sm]] = ofType('AWS::StepFunctions::StateMachine');
    const roleId = sm.Properties.RoleArn['Fn::GetAtt'][0];
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => asArray(p.Properties.Roles).some((r: Json) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
    const invoke = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('lambda:')));
    expect(actionsOf(invoke)).toEqual(['lambda:InvokeFunction']);
    const targets = invoke.flatMap((s) => asArray(s.Resource)).map((r: Json) => r['Fn::GetAtt'][0]).sort();
    expect(targets).toEqual(Object.values(TASK_STATES).map(fnId).sort());
  });
});

describe('functions', () => {
  it('run nodejs22.x or newer on arm64 with active tracing and their own log group', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns).toHaveLength(ALL_FUNCTIONS.length);
    for (const [id, fn] of fns) {
      const m = /^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime);
      expect(m, `${id} runtime ${fn.Properties.Runtime}`).not.toBeNull();
      expect(Number(m![1]), id).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      const logGroup = resources[fn.Properties.LoggingConfig.LogGroup.Ref];
      expect(logGroup.Type, id).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties.RetentionInDays, id).toBeGreaterThan(0);
      expect(fn.Properties.Timeout, id).toBeLessThanOrEqual(60);
      expect(fn.Properties.MemorySize, id).toBeGreaterThanOrEqual(256);
    }
  });

  it('each have their own asset, built from their own entry, exporting handler', () => {
    const assets = new Set<string>();
    for (const name of ALL_FUNCTIONS) {
      const p = resources[fnId(name)].Properties;
      expect(p.Handler, name).toBe('index.handler');
      const dir = assetDir(name);
      assets.add(dir);
      const file = path.join(dir, 'index.mjs');
      expect(existsSync(file), `${name}: ${file}`).toBe(true);
      // esbuild ends the code of an ESM bundle with one `export{local as name,…}` clause.
      const clause = [...readFileSync(file, 'utf8').matchAll(/export\s*\{([^}]*)\}/g)].pop();
      expect(clause, `${name}: no export clause in bundle`).toBeDefined();
      const exported = clause![1].split(',').map((part) => part.trim().split(/\s+as\s+/).pop()!.trim());
      expect(exported, name).toEqual(['handler']);
      expect(Object.values(meta(name).outputs).find((o) => o.entryPoint)?.entryPoint, name).toBe(ENTRIES[name]);
    }
    expect(assets.size, 'one asset per function').toBe(ALL_FUNCTIONS.length);
  });

  it.each(ALL_FUNCTIONS)('%s bundles only the modules it uses', (name) => {
    const all = Object.keys(Object.values(meta(name).outputs).find((o) => o.entryPoint)!.inputs);
    // Modules left out are replaced by a stub that throws when called (infra/build/bundle.ts): not the module.
    const inputs = all.filter((i) => !i.startsWith(OMITTED_PREFIX));
    expect(all.filter((i) => i.startsWith(OMITTED_PREFIX)).every((i) => !i.includes('/work/') && !i.startsWith(`${OMITTED_PREFIX}/`)), 'stub paths are repository-relative').toBe(true);
    for (const banned of [...NEVER_BUNDLED, ...FORBIDDEN[name]]) {
      expect(inputs.filter((i) => i.includes(banned)), `${name} must not bundle ${banned}`).toEqual([]);
    }
    for (const needed of REQUIRED[name] ?? []) {
      expect(inputs.some((i) => i.includes(needed)), `${name} must bundle ${needed}`).toBe(true);
    }
  });

  it.each(ALL_FUNCTIONS)('%s is minified, within its size budget, without a source map in the asset', (name) => {
    const file = path.join(assetDir(name), 'index.mjs');
    const code = readFileSync(file, 'utf8');
    const bytes = statSync(file).size;
    expect(bytes, `${name}: ${bytes} bytes`).toBeLessThanOrEqual(BUDGET[name]);
    expect(Object.values(meta(name).outputs).find((o) => o.entryPoint)!.bytes).toBe(bytes);
    expect(code).not.toMatch(/sourceMappingURL/);
    // minified: few line breaks for the size (the license comments at the end keep theirs)
    expect(code.split('\n').length, name).toBeLessThan(bytes / 200);
    const files = readdirSync(assetDir(name), { recursive: true }).map(String);
    expect(files.filter((f) => f.endsWith('.map')), name).toEqual([]);
    expect(files.filter((f) => f.startsWith('templates')), `${name}: templates are compiled in, not shipped as files`).toEqual([]);
    // the map and the metafile are kept, outside the asset
    expect(existsSync(path.join(functionBuildsDir(stack), name, 'artefacts', 'index.mjs.map')), name).toBe(true);
  });

  it('only the letter function carries pdfkit font data next to its bundle', () => {
    const dir = assetDir('SendLetter');
    expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).imports).toEqual({
      '#standard-fonts/*': './standard-fonts/*.cjs',
    });
    expect(existsSync(path.join(dir, 'standard-fonts', 'Helvetica.cjs'))).toBe(true);
    expect(existsSync(path.join(dir, 'data', 'sRGB_IEC61966_2_1.icc'))).toBe(true);
    // the letter fonts (functions/channels/letter-font.ts) and their licence, read next to index.mjs
    expect(readdirSync(path.join(dir, 'letter-fonts')).sort()).toEqual(['Arimo-Bold.ttf', 'Arimo-Regular.ttf', 'LICENSE']);
    for (const name of ALL_FUNCTIONS.filter((n) => n !== 'SendLetter')) {
      expect(readdirSync(assetDir(name)), name).toEqual(['index.mjs']);
    }
  });

  it('take Powertools from its layer, of exactly the installed version', () => {
    const parameters = template.toJSON().Parameters as Record<string, Json>;
    const [layerParam, ...more] = Object.entries(parameters).filter(([, p]) => p.Default === POWERTOOLS_LAYER_PARAMETER);
    expect(more).toEqual([]);
    expect(layerParam[1].Type).toBe('AWS::SSM::Parameter::Value<String>');
    const installed = JSON.parse(readFileSync(path.join('node_modules', '@aws-lambda-powertools', 'logger', 'package.json'), 'utf8')).version;
    expect(POWERTOOLS_LAYER_PARAMETER).toBe(`/aws/service/powertools/typescript/generic/all/${installed}`);
    for (const name of ALL_FUNCTIONS) expect(resources[fnId(name)].Properties.Layers, name).toEqual([{ Ref: layerParam[0] }]);
  });

  it('get the environment they need and nothing more', () => {
    for (const name of ALL_FUNCTIONS) {
      const env: Record<string, Json> = resources[fnId(name)].Properties.Environment.Variables;
      if (name === 'Docs') expect(env, name).not.toHaveProperty('TABLE_NAME');
      else expect(env.TABLE_NAME, name).toEqual({ Ref: logicalId(stack.table) });
      expect(env.POWERTOOLS_SERVICE_NAME, name).toMatch(/^maatwerk-/);
      if (name === 'SendSms' || name === 'SendWhatsapp') {
        // Twilio status callback base: the stage URL of this API (no request to rebuild it from).
        expect(env.PUBLIC_BASE_URL, name).toEqual(stack.resolve(stack.api.url));
        expect(JSON.stringify(env.PUBLIC_BASE_URL), name).toContain(logicalId(stack.api));
      } else {
        // The API and webhook handlers rebuild the public URL from the request.
        expect(env, name).not.toHaveProperty('PUBLIC_BASE_URL');
      }
      expect(env, name).not.toHaveProperty('AWS_NODEJS_CONNECTION_REUSE_ENABLED');
      // no source maps are shipped, so nothing to enable; templates are compiled into the bundles
      expect(env, name).not.toHaveProperty('NODE_OPTIONS');
      expect(env, name).not.toHaveProperty('MAATWERK_TEMPLATES_DIR');
      expect(env.POWERTOOLS_TRACER_CAPTURE_RESPONSE, name).toBe('false');
      if (['SendEmail', 'SendSms', 'SendWhatsapp', 'SendLetter', 'CallTask'].includes(name)) {
        expect(JSON.stringify(env.PAYMENT_LINK_BASE), name).toContain(logicalId(stack.api));
      } else if (name === 'Deliveries') {
        // answers to replies carry the page link: the API's id and stage, never the stage's URL (a cycle)
        expect(JSON.stringify(env.PAYMENT_LINK_BASE)).toContain(logicalId(stack.api));
        expect(JSON.stringify(env.PAYMENT_LINK_BASE)).toContain('/prod/p/');
        expect(JSON.stringify(env.PAYMENT_LINK_BASE)).not.toContain('Stage');
      } else expect(env, name).not.toHaveProperty('PAYMENT_LINK_BASE');
      // Notification attempts are created by the functions that notify (the Deliveries function itself learns its ARN
      // from its invocation).
      if (['Api', 'Payments', 'Decide', 'Webhooks'].includes(name)) expect(env.NOTIFY_FUNCTION_ARN, name).toEqual({ 'Fn::GetAtt': [fnId('Deliveries'), 'Arn'] });
      else expect(env, name).not.toHaveProperty('NOTIFY_FUNCTION_ARN');
      if (name === 'Api' || name === 'Payments') expect(env.STATE_MACHINE_ARN).toEqual(stack.resolve(stack.journeyArn));
      else expect(env, name).not.toHaveProperty('STATE_MACHINE_ARN');
      for (const secret of ['twilio', 'sendgrid', 'print', 'mollie', 'page'] as const) {
        if (MATRIX[name].secrets.includes(secret)) {
          expect(env[SECRET_ENV[secret]], `${name} ${secret}`).toEqual({ Ref: logicalId(stack.secrets[secret]) });
        } else {
          expect(env, `${name} ${secret}`).not.toHaveProperty(SECRET_ENV[secret]);
        }
      }
      if (MATRIX[name].letterPut) expect(env.LETTER_BUCKET).toEqual({ Ref: logicalId(stack.letterBucket) });
      else expect(env, name).not.toHaveProperty('LETTER_BUCKET');
      // The journey timers: the group for whoever creates or deletes them; role, wake target and DLQ for creators.
      if (CREATES_TIMERS.includes(name) || DELETES_TIMERS.includes(name)) expect(env.SCHEDULE_GROUP_NAME, name).toBe(`${STACK_NAME}-journeys`);
      else expect(env, name).not.toHaveProperty('SCHEDULE_GROUP_NAME');
      if (CREATES_TIMERS.includes(name)) {
        expect(env.SCHEDULER_ROLE_ARN, name).toEqual({ 'Fn::GetAtt': [logicalId(stack.timers.role), 'Arn'] });
        expect(env.SCHEDULE_DLQ_ARN, name).toEqual({ 'Fn::GetAtt': [logicalId(stack.timers.deadLetters), 'Arn'] });
      } else {
        for (const v of ['SCHEDULER_ROLE_ARN', 'SCHEDULE_DLQ_ARN']) expect(env, `${name} ${v}`).not.toHaveProperty(v);
      }
      if (JOURNEY_TIMERS.includes(name)) expect(env.WAKE_FUNCTION_ARN, name).toEqual({ 'Fn::GetAtt': [fnId('Decide'), 'Arn'] });
      else expect(env, `${name} WAKE_FUNCTION_ARN`).not.toHaveProperty('WAKE_FUNCTION_ARN');
      // The answers' function (invoked now, or by the answer timers): Deliveries.
      if (ANSWER_TIMERS.includes(name)) expect(env.ANSWER_FUNCTION_ARN, name).toEqual({ 'Fn::GetAtt': [fnId('Deliveries'), 'Arn'] });
      else expect(env, `${name} ANSWER_FUNCTION_ARN`).not.toHaveProperty('ANSWER_FUNCTION_ARN');
    }
  });
});

describe('IAM least privilege', () => {
  it.each(ALL_FUNCTIONS)('%s gets exactly its row of the matrix', (name) => {
    const { role, statements } = roleOf(name);
    expect(role.Properties.ManagedPolicyArns ?? [], 'no managed policies').toEqual([]);
    expect(role.Properties.Policies ?? [], 'no inline role policies').toEqual([]);
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      for (const action of asArray(s.Action)) expect(action, `wildcard action in ${name}`).not.toContain('*');
      if (s.Resource === '*' || asArray(s.Resource).includes('*')) {
        // (the recommended flags merge statements with the same resource: X-Ray's and ListStreams may share one)
        const allowed = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments', ...(name === 'Counters' ? ['dynamodb:ListStreams'] : [])];
        expect(actionsOf([s]).filter((a) => !allowed.includes(a)), `only X-Ray (and ListStreams for the stream reader) may use Resource *`).toEqual([]);
      }
    }
    const tableId = logicalId(stack.table);
    const journeyArn = stack.resolve(stack.journeyArn);

    // Logs: only its own log group.
    const logStatements = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('logs:')));
    expect(logStatements.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [resources[fnId(name)].Properties.LoggingConfig.LogGroup.Ref, 'Arn'] }]);

    // The stream: the Counters function reads it (ListStreams has no resource-level permission), nobody else.
    const stream = statements.filter((s) => asArray(s.Action).some((a) => STREAM_ACTIONS.includes(a)));
    if (name === 'Counters') {
      // (X-Ray's actions may share the Resource * statement of ListStreams: the recommended flags merge them)
      expect(actionsOf(stream).filter((a) => !a.startsWith('xray:'))).toEqual(STREAM_ACTIONS);
      for (const s of stream) {
        if (asArray(s.Action).includes('dynamodb:ListStreams')) expect(s.Resource).toBe('*');
        else expect(s.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
      }
    } else expect(stream).toEqual([]);
    // its failure queue: send only, to that queue
    const queue = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('sqs:')));
    if (name === 'Counters') {
      expect(actionsOf(queue)).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
      for (const s of queue) expect(s.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack.counterFailures), 'Arn'] });
    } else expect(queue).toEqual([]);

    // Table: item actions on the table, Query on the indexes, nothing else, no Scan; the authorizer only reads keys,
    // the reports only read.
    const dynamo = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')) && !stream.includes(s));
    if (name === 'Docs') {
      expect(dynamo).toEqual([]);
    } else if (name === 'Authorizer') {
      expect(actionsOf(dynamo)).toEqual(['dynamodb:GetItem']);
      expect(dynamo.flatMap((s) => asArray(s.Resource))).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
    } else {
      expect(actionsOf(dynamo)).toEqual(name === 'Reports' ? TABLE_READ_ACTIONS : TABLE_ITEM_ACTIONS);
      for (const s of dynamo) {
        for (const r of asArray(s.Resource)) {
          expect(mentions(r, tableId), JSON.stringify(r)).toBe(true);
          if (JSON.stringify(r).includes('/index/')) expect(asArray(s.Action)).toEqual(['dynamodb:Query']);
        }
      }
      const indexResources = dynamo.flatMap((s) => asArray(s.Resource)).filter((r) => JSON.stringify(r).includes('/index/'));
      expect(indexResources).toHaveLength(TABLE.indexes.length);
    }

    // Step Functions: the row's actions, on the journey (executions of the journey for Describe).
    const states = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('states:')));
    expect(actionsOf(states)).toEqual(MATRIX[name].states);
    for (const s of states) {
      const expectedArn =
        asArray(s.Action).includes('states:DescribeExecution')
          ? stack.resolve(
              stack.formatArn({
                service: 'states',
                resource: 'execution',
                resourceName: `${STACK_NAME}-journey:*`,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            )
          : journeyArn;
      expect(s.Resource).toEqual(expectedArn);
    }

    // Secrets: read (GetSecretValue only) of exactly the row's secrets.
    const secretStatements = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('secretsmanager:')));
    expect(actionsOf(secretStatements)).toEqual(MATRIX[name].secrets.length ? ['secretsmanager:GetSecretValue'] : []);
    const readable = secretStatements
      .flatMap((s) => asArray(s.Resource))
      .map((r: Json) => (Object.entries({ twilio: 0, sendgrid: 0, print: 0, mollie: 0, page: 0 }) as [SecretName, number][]).find(([k]) => r.Ref === logicalId(stack.secrets[k]))?.[0])
      .sort();
    expect(readable).toEqual([...MATRIX[name].secrets].sort());

    // Letters bucket: PutObject on its objects for SendLetter, nothing for anyone else.
    const s3Statements = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')));
    if (MATRIX[name].letterPut) {
      expect(actionsOf(s3Statements)).toEqual(['s3:PutObject']);
      expect(s3Statements.map((s) => s.Resource)).toEqual([stack.resolve(stack.letterBucket.arnForObjects('*'))]);
    } else {
      expect(s3Statements).toEqual([]);
    }

    // Journey timers: CreateSchedule (with PassRole of the timer role, to EventBridge Scheduler only) or
    // DeleteSchedule, on the schedules of the journey timers group only.
    const schedulesArn = stack.resolve(stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${STACK_NAME}-journeys/*` }));
    const timerStatements = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('scheduler:') || a.startsWith('iam:')));
    const expectedTimerActions = [
      ...(CREATES_TIMERS.includes(name) ? ['iam:PassRole', 'scheduler:CreateSchedule'] : []),
      ...(DELETES_TIMERS.includes(name) ? ['scheduler:DeleteSchedule'] : []),
    ].sort();
    expect(actionsOf(timerStatements)).toEqual(expectedTimerActions);
    for (const t of timerStatements) {
      if (asArray(t.Action).includes('iam:PassRole')) {
        expect(t.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack.timers.role), 'Arn'] });
        expect((t as Json).Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
      } else {
        expect(t.Resource).toEqual(schedulesArn);
      }
    }

    // Lambda: Webhooks invokes Deliveries for an answer due now; the sending steps ask Decide for their next plan.
    const lambdaStatements = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('lambda:')));
    const invokes = name === 'Webhooks' ? 'Deliveries' : ASKS_DECIDE.includes(name) ? 'Decide' : undefined;
    if (invokes) {
      expect(actionsOf(lambdaStatements)).toEqual(['lambda:InvokeFunction']);
      expect(lambdaStatements.flatMap((s) => asArray(s.Resource))).toEqual([{ 'Fn::GetAtt': [fnId(invokes), 'Arn'] }]);
    } else {
      expect(lambdaStatements).toEqual([]);
    }

    // Nothing outside those services.
    const services = new Set(actionsOf(statements).map((a) => a.split(':')[0]));
    for (const service of services) expect(['logs', 'xray', 'dynamodb', 'states', 'secretsmanager', 's3', 'scheduler', 'iam', 'lambda', 'sqs']).toContain(service);
  });

  it('no policy in the stack grants a wildcard action on the table, the journey or the secrets', () => {
    for (const [id, policy] of ofType('AWS::IAM::Policy')) {
      for (const s of policy.Properties.PolicyDocument.Statement as Statement[]) {
        for (const action of asArray(s.Action)) {
          expect(action, id).not.toMatch(/^(\*|dynamodb:\*|states:\*|secretsmanager:\*|s3:\*)$/);
          expect(action, id).not.toBe('dynamodb:Scan');
        }
      }
    }
  });
});

describe('REST API', () => {
  /** "/v1/dossiers/{dossierId}" for every AWS::ApiGateway::Resource logical id. */
  function resourcePaths(): Map<string, string> {
    const paths = new Map<string, string>();
    const resolve = (id: string): string => {
      if (paths.has(id)) return paths.get(id)!;
      const r = resources[id].Properties;
      const parent = r.ParentId.Ref ? resolve(r.ParentId.Ref) : '';
      const full = `${parent}/${r.PathPart}`;
      paths.set(id, full);
      return full;
    };
    for (const [id] of ofType('AWS::ApiGateway::Resource')) resolve(id);
    return paths;
  }

  it('has every route, and only those, wired to the right function by Lambda proxy', () => {
    const paths = resourcePaths();
    const actual = ofType('AWS::ApiGateway::Method').map(([, m]) => {
      const p = m.Properties;
      const uri = JSON.stringify(p.Integration.Uri);
      const fn = ALL_FUNCTIONS.find((f) => uri.includes(`"${fnId(f)}"`));
      return {
        method: p.HttpMethod,
        path: paths.get(p.ResourceId.Ref),
        fn,
        type: p.Integration.Type,
        integrationMethod: p.Integration.IntegrationHttpMethod,
        authorization: p.AuthorizationType,
        authorizerId: p.AuthorizerId,
        headers: Object.keys(p.RequestParameters ?? {})
          .filter((k) => p.RequestParameters[k] === true && k.startsWith('method.request.header.'))
          .map((k) => k.slice('method.request.header.'.length))
          .sort(),
        validated: Boolean(p.RequestValidatorId),
      };
    });
    const key = (r: { method: string; path?: string }) => `${r.method} ${r.path}`;
    expect(actual.map(key).sort()).toEqual(ROUTES.map(key).sort());
    for (const route of ROUTES) {
      const m = actual.find((a) => key(a) === key(route))!;
      expect(m.fn, key(route)).toBe(route.fn);
      expect(m.type, key(route)).toBe('AWS_PROXY');
      expect(m.integrationMethod, key(route)).toBe('POST');
      if (route.path.startsWith('/v1/')) {
        // Every client route: the API key authorizer.
        expect(m.authorization, key(route)).toBe('CUSTOM');
        expect(m.authorizerId, key(route)).toEqual({ Ref: logicalId(stack.authorizer) });
      } else {
        // No webhook (Twilio and SendGrid send no key; the handler checks their signature; Mollie's is fetched back), no
        // debtor page (its sealed link is the authentication), no description: no authorizer.
        expect(m.authorization, key(route)).toBe('NONE');
        expect(m.authorizerId, key(route)).toBeUndefined();
      }
      expect(m.headers, key(route)).toEqual([...route.headers].sort());
      expect(m.validated, key(route)).toBe(true);
    }
  });

  it('lets API Gateway invoke exactly the five HTTP functions and the authorizer', () => {
    const invoked = new Set(
      ofType('AWS::Lambda::Permission')
        .filter(([, p]) => p.Properties.Principal === 'apigateway.amazonaws.com')
        .map(([, p]) => p.Properties.FunctionName['Fn::GetAtt'][0]),
    );
    expect([...invoked].sort()).toEqual([fnId('Api'), fnId('Reports'), fnId('Webhooks'), fnId('Payments'), fnId('Docs'), fnId('Authorizer')].sort());
  });

  it('has one REQUEST authorizer on the x-api-key header, cached, running the Authorizer function', () => {
    const [[id, authorizer], ...more] = ofType('AWS::ApiGateway::Authorizer');
    expect(more).toEqual([]);
    expect(id).toBe(logicalId(stack.authorizer));
    const p = authorizer.Properties;
    expect(p.Type).toBe('REQUEST');
    expect(p.IdentitySource).toBe('method.request.header.x-api-key');
    expect(p.AuthorizerResultTtlInSeconds).toBe(AUTHORIZER_CACHE_TTL_SECONDS);
    expect(p.AuthorizerResultTtlInSeconds).toBeGreaterThan(0);
    expect(JSON.stringify(p.AuthorizerUri)).toContain(`"${fnId('Authorizer')}"`);
  });

  it('limits each client (API key) with a WAF rate rule that answers 429 with Retry-After, on the API stage', () => {
    const [[aclId, acl], ...moreAcls] = ofType('AWS::WAFv2::WebACL');
    expect(moreAcls).toEqual([]);
    const p = acl.Properties;
    expect(p.Scope).toBe('REGIONAL');
    expect(p.DefaultAction).toEqual({ Allow: {} });
    const [rule, ...moreRules] = p.Rules as Json[];
    expect(moreRules).toEqual([]);
    const rate = rule.Statement.RateBasedStatement;
    expect(rate.Limit).toBe(CLIENT_RATE_LIMIT.requests);
    expect(rate.EvaluationWindowSec).toBe(CLIENT_RATE_LIMIT.windowSeconds);
    expect(rate.AggregateKeyType).toBe('CUSTOM_KEYS');
    expect(rate.CustomKeys).toEqual([{ Header: { Name: 'x-api-key', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }]);
    const response = rule.Action.Block.CustomResponse;
    expect(response.ResponseCode).toBe(429);
    expect(response.ResponseHeaders).toEqual([{ Name: 'Retry-After', Value: String(CLIENT_RATE_LIMIT.windowSeconds) }]);
    expect(JSON.parse(p.CustomResponseBodies[response.CustomResponseBodyKey].Content).error.code).toBe('throttled');
    // never sample requests: a sample would show the client's key in the console
    expect(rule.VisibilityConfig.SampledRequestsEnabled).toBe(false);
    expect(p.VisibilityConfig.SampledRequestsEnabled).toBe(false);
    const [[, assoc], ...moreAssoc] = ofType('AWS::WAFv2::WebACLAssociation');
    expect(moreAssoc).toEqual([]);
    expect(assoc.Properties.WebACLArn).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    const [[stageId]] = ofType('AWS::ApiGateway::Stage');
    expect(JSON.stringify(assoc.Properties.ResourceArn)).toContain(`"${stageId}"`);
  });

  it('deploys stage prod with access logs, execution logs without bodies, tracing and throttling', () => {
    const [[, stage]] = ofType('AWS::ApiGateway::Stage');
    const p = stage.Properties;
    expect(p.StageName).toBe('prod');
    expect(p.TracingEnabled).toBe(true);
    // the log group's ARN without the trailing :* (feature flag logGroupDestinationArnWithoutWildcard)
    const logGroupRef = JSON.stringify(p.AccessLogSetting.DestinationArn).match(/"Ref":"(ApiAccessLogs\w+)"/)?.[1];
    expect(logGroupRef && resources[logGroupRef].Type).toBe('AWS::Logs::LogGroup');
    expect(JSON.stringify(p.AccessLogSetting.DestinationArn)).not.toContain(':*');
    const all = (p.MethodSettings as Json[]).find((s) => s.HttpMethod === '*' && s.ResourcePath === '/*');
    expect(all.LoggingLevel).toBe('ERROR');
    expect(all.DataTraceEnabled).toBe(false);
    expect(all.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(all.ThrottlingBurstLimit).toBeGreaterThan(0);
    const [[, validator]] = ofType('AWS::ApiGateway::RequestValidator');
    expect(validator.Properties).toMatchObject({ ValidateRequestBody: true, ValidateRequestParameters: true });
  });

  it('answers its own errors in the API error shape (401 for a missing or refused key, 429 with Retry-After)', () => {
    const responses = ofType('AWS::ApiGateway::GatewayResponse').map(([, r]) => r.Properties);
    const missing = responses.find((r) => r.ResponseType === 'BAD_REQUEST_PARAMETERS');
    expect(missing.StatusCode).toBe('401');
    expect(responses.find((r) => r.ResponseType === 'UNAUTHORIZED').StatusCode).toBe('401');
    expect(responses.find((r) => r.ResponseType === 'ACCESS_DENIED').StatusCode).toBe('403');
    const throttled = responses.find((r) => r.ResponseType === 'THROTTLED');
    expect(throttled.StatusCode).toBe('429');
    expect(throttled.ResponseParameters).toEqual({ 'gatewayresponse.header.Retry-After': "'1'" });
    for (const r of responses) {
      const body = r.ResponseTemplates['application/json'] as string;
      expect(body, r.ResponseType).toMatch(/^\{"error":\{"code":"[a-z_]+","message":/);
    }
  });
});

describe('journey timers (EventBridge Scheduler)', () => {
  const roleStatements = (roleId: string): Statement[] =>
    ofType('AWS::IAM::Policy')
      .filter(([, p]) => asArray(p.Properties.Roles).some((r: Json) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);

  it('has one schedule group for the journeys, named from the stack (what SCHEDULE_GROUP_NAME names)', () => {
    const [[id, group], ...more] = ofType('AWS::Scheduler::ScheduleGroup');
    expect(more).toEqual([]);
    expect(id).toBe(logicalId(stack.timers.group));
    expect(group.Properties.Name).toBe(`${STACK_NAME}-journeys`);
  });

  it('runs the schedules with a role only EventBridge Scheduler of this account may assume: end a journey wait, wake Decide, send an answer or notification, dead-letter', () => {
    const roleId = logicalId(stack.timers.role);
    const role = resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
    const statements = roleStatements(roleId);
    expect(actionsOf(statements)).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage', 'states:SendTaskSuccess']);
    const resourceOf = (action: string) => statements.filter((st) => asArray(st.Action).includes(action)).flatMap((st) => asArray(st.Resource));
    expect(resourceOf('states:SendTaskSuccess')).toEqual([stack.resolve(stack.journeyArn)]);
    // Deliveries (answers, notifications); Webhooks for the schedules set before the Deliveries function existed
    expect(resourceOf('lambda:InvokeFunction')).toEqual([{ 'Fn::GetAtt': [fnId('Decide'), 'Arn'] }, { 'Fn::GetAtt': [fnId('Deliveries'), 'Arn'] }, { 'Fn::GetAtt': [fnId('Webhooks'), 'Arn'] }]);
    expect(resourceOf('sqs:SendMessage')).toEqual([{ 'Fn::GetAtt': [logicalId(stack.timers.deadLetters), 'Arn'] }]);
  });

  it('keeps a timer whose target keeps failing in an encrypted, SSL-only dead-letter queue that alarms at once', () => {
    const queueId = logicalId(stack.timers.deadLetters);
    const queue = resources[queueId];
    expect(queue.Type).toBe('AWS::SQS::Queue');
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
    const policy = ofType('AWS::SQS::QueuePolicy').find(([, p]) => asArray(p.Properties.Queues).some((q: Json) => q.Ref === queueId))![1];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(a.Properties.Dimensions).includes(`"${queueId}"`),
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0][1].Properties).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Maximum' });
    expect(alarms[0][1].Properties.AlarmActions).toEqual([{ Ref: logicalId(stack.observability.alarmTopic) }]);
  });

  it('gives schedule rights exactly to the functions whose code creates or deletes schedules (what their bundles import)', () => {
    for (const name of ALL_FUNCTIONS) {
      const code = readFileSync(path.join(assetDir(name), 'index.mjs'), 'utf8');
      // The scheduler commands the bundle's code constructs: `new <local name>(…)` of a name imported from the SDK
      // (esbuild keeps an external module's whole import clause, so the clause alone says nothing).
      const imported = [...code.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']@aws-sdk\/client-scheduler["']/g)].flatMap((m) =>
        m[1].split(',').map((x) => {
          const [imp, local] = x.trim().split(/\s+as\s+/);
          return { imp, local: local ?? imp };
        }),
      );
      const constructs = (command: string) =>
        imported.some((i) => i.imp === command && new RegExp(`new ${i.local.replace(/\$/g, '\\$')}\\(`).test(code));
      expect(constructs('CreateScheduleCommand'), `${name} creates schedules`).toBe(CREATES_TIMERS.includes(name));
      expect(constructs('DeleteScheduleCommand'), `${name} deletes schedules`).toBe(DELETES_TIMERS.includes(name));
      for (const other of ['GetScheduleCommand', 'ListSchedulesCommand', 'UpdateScheduleCommand']) expect(constructs(other), `${name} ${other}`).toBe(false);
    }
  });

  it('sends the answers and notifications to the Deliveries function; the Webhooks function keeps the fixed name the schedules set before it named', () => {
    for (const name of ANSWER_TIMERS) expect(resources[fnId(name)].Properties.Environment.Variables.ANSWER_FUNCTION_ARN, name).toEqual({ 'Fn::GetAtt': [fnId('Deliveries'), 'Arn'] });
    const webhooks = resources[fnId('Webhooks')].Properties;
    expect(webhooks.FunctionName).toBe(`${STACK_NAME}-Webhooks`);
    expect(stack.resolve(stack.formerTimerTargetArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:function:${STACK_NAME}-Webhooks`]],
    });
    // no other function has a fixed name (CloudFormation names them)
    for (const name of ALL_FUNCTIONS.filter((n) => n !== 'Webhooks')) expect(resources[fnId(name)].Properties.FunctionName, name).toBeUndefined();
  });

  it('sends the wake-ups to Decide, the function the state machine’s Decide state runs', () => {
    const [[, sm]] = ofType('AWS::StepFunctions::StateMachine');
    expect(sm.Properties.DefinitionSubstitutions.DecideFunctionArn).toEqual({ 'Fn::GetAtt': [fnId('Decide'), 'Arn'] });
    for (const name of JOURNEY_TIMERS) {
      expect(resources[fnId(name)].Properties.Environment.Variables.WAKE_FUNCTION_ARN, name).toEqual(sm.Properties.DefinitionSubstitutions.DecideFunctionArn);
    }
  });
});

describe('letters bucket', () => {
  it('is private, SSL-only, encrypted, logged, versioned and expires letters after 7 years', () => {
    const id = logicalId(stack.letterBucket);
    const b = resources[id].Properties;
    expect(b.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(b.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(b.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: logicalId(stack.accessLogsBucket) });
    expect(b.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const rule = (b.LifecycleConfiguration.Rules as Json[]).find((r) => r.ExpirationInDays);
    expect(rule.ExpirationInDays).toBeGreaterThanOrEqual(7 * 365);
    expect(rule.ExpirationInDays).toBeLessThanOrEqual(7 * 365 + 7);
    expect(resources[id].DeletionPolicy).toBe('Retain');
    const policy = ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === id)![1];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('observability', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  /** The metrics an alarm watches, whether it is a single-metric alarm or a metric-math one. */
  const watched = (a: Json): { namespace: string; name: string; dims: Json[] }[] =>
    a.MetricName
      ? [{ namespace: a.Namespace, name: a.MetricName, dims: a.Dimensions ?? [] }]
      : (a.Metrics as Json[])
          .filter((m) => m.MetricStat)
          .map((m) => ({
            namespace: m.MetricStat.Metric.Namespace,
            name: m.MetricStat.Metric.MetricName,
            dims: m.MetricStat.Metric.Dimensions ?? [],
          }));
  const watching = (name: string) => alarms().filter((a) => watched(a).some((m) => m.name === name));
  const topicId = () => logicalId(stack.observability.alarmTopic);

  it.each([
    ['ExecutionsFailed', 'failed'],
    ['ExecutionsTimedOut', 'timed-out'],
    ['ExecutionsAborted', 'aborted'],
  ])('alarms on %s journey executions (%s)', (metric) => {
    const [a, ...more] = watching(metric);
    expect(a).toBeDefined();
    expect(more).toEqual([]);
    expect(watched(a)).toEqual([
      {
        namespace: 'AWS/States',
        name: metric,
        dims: [{ Name: 'StateMachineArn', Value: { Ref: logicalId(stack.stateMachine) } }],
      },
    ]);
    expect(a).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(JSON.stringify(a)).toContain('"Sum"');
  });

  /** The business metric an alarm watches must be exactly the one the functions emit: same name, namespace and dimensions. */
  const business = (name: MetricName, dims: Record<string, string>) => ({
    namespace: METRICS_NAMESPACE,
    name,
    dims: Object.entries({ service: 'maatwerk', ...dims })
      .map(([Name, Value]) => ({ Name, Value }))
      .sort((x, y) => x.Name.localeCompare(y.Name)),
  });
  const sortedDims = (m: { namespace: string; name: string; dims: Json[] }) => ({ ...m, dims: [...m.dims].sort((x: Json, y: Json) => x.Name.localeCompare(y.Name)) });

  it('alarms when a journey loops through RetryDecideLater', () => {
    const [a, ...more] = watching('DecideRetriedLater');
    expect(more).toEqual([]);
    expect(watched(a).map(sortedDims)).toEqual([business('DecideRetriedLater', {})]);
    expect(a).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('alarms when webhook signature failures (Twilio and SendGrid) pass a threshold', () => {
    const [a, ...more] = watching('WebhookSignatureFailures');
    expect(more).toEqual([]);
    expect(watched(a).map(sortedDims).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))).toEqual(
      [business('WebhookSignatureFailures', { source: 'sendgrid' }), business('WebhookSignatureFailures', { source: 'twilio' })],
    );
    expect(a.ComparisonOperator).toBe('GreaterThanThreshold');
    expect(a.Threshold).toBeGreaterThan(0);
    expect(a.Threshold).toBeLessThanOrEqual(50);
  });

  const sendsOf = (channel: string, outcome: string) => (m: { name: string; dims: Json[] }) =>
    m.name === 'Sends' && m.dims.some((d: Json) => d.Name === 'channel' && d.Value === channel) && m.dims.some((d: Json) => d.Name === 'outcome' && d.Value === outcome);

  it.each(['email', 'sms', 'whatsapp', 'letter'])('alarms on the provider error rate of %s', (channel) => {
    const matching = alarms().filter((a) => watched(a).some(sendsOf(channel, 'provider_error')));
    expect(matching).toHaveLength(1);
    const [a] = matching;
    expect(watched(a).map(sortedDims).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))).toEqual(
      ['provider_error', 'rejected', 'sent'].map((outcome) => business('Sends', { channel, outcome })).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    );
    const expression: string = (a.Metrics as Json[]).find((m) => m.ReturnData !== false)?.Expression;
    expect(expression).toMatch(/100 \* FILL\(provider_error_\w+, 0\) \//);
    expect(a.ComparisonOperator).toBe('GreaterThanThreshold');
    expect(a.Threshold).toBeGreaterThan(0);
    expect(a.Threshold).toBeLessThanOrEqual(50);
  });

  it('has no provider error alarm for call tasks (they go to the agents, not to a provider)', () => {
    const callSends = alarms().filter((a) => watched(a).some((m) => m.name === 'Sends' && m.dims.some((d: Json) => d.Name === 'channel' && d.Value === 'call')));
    expect(callSends).toEqual([]);
  });

  it('alarms at once when the message guard stops a message (a template or rule contradicts the legal state of its claims)', () => {
    const matching = alarms().filter((a) => watched(a).some(sendsOf('email', 'contradicted')));
    expect(matching).toHaveLength(1);
    const [a] = matching;
    expect(watched(a).map(sortedDims).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))).toEqual(
      ['email', 'letter', 'sms', 'whatsapp'].map((channel) => business('Sends', { channel, outcome: 'contradicted' })).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    );
    expect(a).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('alarms on the error rate of every function', () => {
    for (const name of ALL_FUNCTIONS) {
      const ofFn = (m: { dims: Json[] }) => m.dims.some((d: Json) => d.Name === 'FunctionName' && d.Value.Ref === fnId(name));
      const matching = alarms().filter((a) => watched(a).some((m) => m.name === 'Errors' && ofFn(m)));
      expect(matching, name).toHaveLength(1);
      const [a] = matching;
      expect(watched(a).map((m) => `${m.namespace} ${m.name} ${ofFn(m)}`).sort(), name).toEqual([
        'AWS/Lambda Errors true',
        'AWS/Lambda Invocations true',
      ]);
      const expression = (a.Metrics as Json[]).find((m) => m.ReturnData !== false)?.Expression;
      expect(expression, name).toMatch(/errors\s*\/\s*invocations/);
      expect(a.ComparisonOperator, name).toBe('GreaterThanThreshold');
      expect(a.Threshold, name).toBeGreaterThan(0);
      expect(a.Threshold, name).toBeLessThanOrEqual(10);
    }
  });

  it('alarms on API 5xx and DynamoDB throttles', () => {
    const [api5xx] = watching('5XXError');
    expect(api5xx).toBeDefined();
    expect(watched(api5xx)).toEqual([
      { namespace: 'AWS/ApiGateway', name: '5XXError', dims: [{ Name: 'ApiName', Value: `${STACK_NAME}-api` }] },
    ]);
    expect(api5xx).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });

    const [throttles] = watching('WriteThrottleEvents');
    expect(throttles).toBeDefined();
    const metrics = watched(throttles);
    const tableRef = { Ref: logicalId(stack.table) };
    for (const name of ['ReadThrottleEvents', 'WriteThrottleEvents']) {
      const scopes = metrics
        .filter((m) => m.name === name)
        .map((m) => {
          expect(m.namespace).toBe('AWS/DynamoDB');
          expect(m.dims.find((d: Json) => d.Name === 'TableName')?.Value).toEqual(tableRef);
          return m.dims.find((d: Json) => d.Name === 'GlobalSecondaryIndexName')?.Value ?? '(table)';
        })
        .sort();
      expect(scopes, name).toEqual(['(table)', ...TABLE.indexes.map((i) => i.name)].sort());
    }
    expect(throttles).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('sends every alarm to the SNS topic, alarm and OK', () => {
    // 3 execution alarms, retry-later, webhook signatures, the message guard, 4 provider error rates, one per function,
    // API 5xx, throttles, the journey timers' dead-letter queue, the counter batches' failure queue
    expect(alarms().length).toBe(3 + 1 + 1 + 1 + 4 + ALL_FUNCTIONS.length + 2 + 1 + 1);
    for (const a of alarms()) {
      expect(a.AlarmActions).toEqual([{ Ref: topicId() }]);
      expect(a.OKActions).toEqual([{ Ref: topicId() }]);
      expect(a.AlarmDescription.length).toBeGreaterThan(20);
    }
  });

  it('alarms on a dead-letter queue as soon as it holds a message', () => {
    const probeApp = new App();
    extraApps.push(probeApp);
    const probe = new Stack(probeApp, 'DlqProbe');
    const fn = new lambda.Function(probe, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });
    const api = new apigw.LambdaRestApi(probe, 'Api', { handler: fn });
    const machine = new sfn.StateMachine(probe, 'Sm', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(probe, 'P')) });
    const table = new dynamodb.Table(probe, 'T', { partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING } });
    const dlq = new sqs.Queue(probe, 'Dlq');
    const obs = new Observability(probe, 'Obs', { dashboardName: 'probe', stateMachine: machine, functions: { Fn: fn }, api, table, deadLetterQueues: { Scheduler: dlq } });
    const later = new sqs.Queue(probe, 'Later');
    obs.alarmOnDeadLetterQueue('Later', later);
    const probeAlarms = Template.fromStack(probe).findResources('AWS::CloudWatch::Alarm');
    for (const queue of [dlq, later]) {
      const queueId = probe.resolve((queue.node.defaultChild as sqs.CfnQueue).logicalId);
      const matching = Object.values(probeAlarms).filter(
        (a: Json) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(a.Properties.Dimensions).includes(`"${queueId}"`),
      );
      expect(matching, queueId).toHaveLength(1);
      expect((matching[0] as Json).Properties).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Maximum' });
      expect((matching[0] as Json).Properties.AlarmActions).toEqual([{ Ref: probe.resolve((obs.alarmTopic.node.defaultChild as Json).logicalId) }]);
    }
  });

  /** Every metric of every dashboard widget: [namespace, name, dimension, value, …]. */
  function dashboardMetrics(): { widgets: Json[]; metrics: Json[][] } {
    const [[, dashboard]] = ofType('AWS::CloudWatch::Dashboard');
    const body = dashboard.Properties.DashboardBody;
    const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as Json[]).map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
    const widgets = (JSON.parse(text) as { widgets: Json[] }).widgets;
    return { widgets, metrics: widgets.flatMap((w) => (w.properties?.metrics ?? []) as Json[][]) };
  }

  it('graphs the business metrics under their exact namespace and dimensions, beside the technical widgets', () => {
    const { widgets, metrics } = dashboardMetrics();
    const ours = metrics.filter((m) => m[0] === METRICS_NAMESPACE);
    const seen = new Set<string>();
    for (const m of ours) {
      const name = m[1] as MetricName;
      const dims: Record<string, string> = {};
      for (let i = 2; i + 1 < m.length && typeof m[i] === 'string'; i += 2) dims[m[i]] = m[i + 1];
      expect(Object.keys(dims).sort(), name).toEqual(['service', ...METRIC_DIMENSIONS[name]].sort());
      expect(dims.service).toBe('maatwerk');
      seen.add(name);
    }
    for (const name of ['Sends', 'Replies', 'Payments', 'RecoveredCents', 'JourneysStarted', 'WebhookSignatureFailures', 'DecideRetriedLater', 'Answers', 'AgentTasks', 'DisputesResolved', 'LegalTableWarnings']) {
      expect(seen.has(name), name).toBe(true);
    }
    const intents = new Set(ours.filter((m) => m[1] === 'Replies').map((m) => m[m.indexOf('intent') + 1]));
    expect([...intents].sort()).toEqual([...REPLY_INTENTS].sort());
    // journeys ended per reason: the reasons come from the strategy file, so a search finds them all
    const ended = metrics.flat().filter((x) => typeof x === 'object' && typeof x?.expression === 'string' && x.expression.includes('JourneysEnded'));
    expect(ended.map((x: Json) => x.expression)).toEqual([`SEARCH('{Maatwerk,reason,service} MetricName="JourneysEnded"', 'Sum', 300)`]);
    const titles = widgets.map((w) => w.properties?.title ?? w.properties?.markdown ?? '').join(' | ');
    for (const t of ['Sent, per channel', 'Replies, per intent', 'Payments and recovered amount', 'Journeys started and ended', 'Answers to replies, per outcome', 'Agent tasks from replies, per reason', 'Disputes resolved', 'Legal tables running out', 'Journey executions', 'Lambda errors per function', 'API requests and errors']) {
      expect(titles, t).toContain(t);
    }
  });

  it('has a dashboard with journeys, functions, API and DynamoDB', () => {
    const [[, dashboard]] = ofType('AWS::CloudWatch::Dashboard');
    expect(dashboard.Properties.DashboardName).toBe(`${STACK_NAME}-operations`);
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const metric of [
      'ExecutionsStarted',
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'Errors',
      'Duration',
      '4XXError',
      '5XXError',
      'Latency',
      'ReadThrottleEvents',
      'WriteThrottleEvents',
    ]) {
      expect(body, metric).toContain(`\\"${metric}\\"`);
    }
    for (const name of ALL_FUNCTIONS) expect(body, name).toContain(fnId(name));
  });

  it('outputs the API URL, table name, state machine ARN and dashboard name', () => {
    const outputs = template.toJSON().Outputs as Record<string, Json>;
    expect(outputs.TableName.Value).toEqual({ Ref: logicalId(stack.table) });
    expect(outputs.StateMachineArn.Value).toEqual({ Ref: logicalId(stack.stateMachine) });
    expect(outputs.DashboardName.Value).toEqual({ Ref: logicalId(stack.observability.dashboard) });
    expect(JSON.stringify(outputs.ApiUrl.Value)).toContain(logicalId(stack.api));
  });
});

describe('cdk-nag', () => {
  it('reports no unacknowledged AwsSolutions findings', () => {
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('has no stale acknowledgement: each one matches a finding it suppresses', () => {
    // Every finding, acknowledged or not: the same pack with acknowledgements ignored.
    const pack = new AwsSolutionsChecks(stack);
    (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const findings = pack.validateScope(stack).violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? "" })));
    const acknowledgements = stack.node.findAll().flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.keys(m.data as Record<string, string>).map((id) => ({ id: id.replace(/^annotation::/i, ''), path: c.node.path }))),
    );
    expect(acknowledgements.length).toBeGreaterThan(5);
    const stale = acknowledgements.filter((a) => !findings.some((f) => f.rule === a.id && (f.path === a.path || f.path.startsWith(`${a.path}/`))));
    expect(stale.map((a) => `${a.id} on ${a.path}`)).toEqual([]);
  });

  it('would catch a stale acknowledgement (the check is live)', () => {
    const probeApp = new App();
    extraApps.push(probeApp);
    const probe = new Stack(probeApp, 'AckProbe');
    const bucket = new s3.Bucket(probe, 'Fine', { enforceSSL: true, serverAccessLogsPrefix: 'x/' });
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S10', reason: 'stale on purpose' });
    const pack = new AwsSolutionsChecks(probe);
    (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const rules = pack.validateScope(probe).violations.filter((v) => v.violatingResources.some((r) => (r.constructPath ?? "").startsWith(bucket.node.path))).map((v) => v.ruleName);
    expect(rules).not.toContain('AwsSolutions-S10');
  });

  it('is registered on the app that cdk synth runs', () => {
    // Skip bundling for this second app: only the plugin registration is looked at.
    const { app: synthApp } = buildApp({ stackName: 'NagRegistration', context: { 'aws:cdk:bundling-stacks': [] } });
    extraApps.push(synthApp);
    const plugins = (synthApp as unknown as { _validationPlugins: unknown[] })._validationPlugins;
    expect(plugins.some((p) => p instanceof AwsSolutionsChecks)).toBe(true);
  });

  it('would catch a violation (the check is live)', () => {
    const probeApp = new App();
    extraApps.push(probeApp);
    const probe = new Stack(probeApp, 'NagProbe');
    new s3.Bucket(probe, 'Unsafe', { enforceSSL: false });
    const rules = new AwsSolutionsChecks(probe).validateScope(probe).violations.map((v) => v.ruleName);
    expect(rules).toContain('AwsSolutions-S10');
  });
});
