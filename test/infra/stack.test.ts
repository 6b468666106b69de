/**
 * CDK assertions for the AWS stack. The app is built and synthesised once (bundling ten functions
 * is the slow part); every test reads that one template.
 *
 * The expectations below are written out independently of infra/aws (route table, IAM matrix,
 * placeholder → function binding), so a change in the stack that breaks the contract fails here.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, ArnFormat, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../functions/store/table.js';
import { buildApp } from '../../infra/aws/build-app.js';
import { JOURNEY_ASL_PATH } from '../../infra/aws/paths.js';
import type { FunctionName, MaatwerkStack } from '../../infra/aws/stack.js';

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
  'Webhooks',
  'Decide',
  'SendEmail',
  'SendSms',
  'SendWhatsapp',
  'SendLetter',
  'CallTask',
  'Await',
  'Counters',
];

/** Source module and export each function must run. */
const HANDLERS: Record<FunctionName, { entry: string; exportName: string }> = {
  Api: { entry: 'functions/api/handler.ts', exportName: 'handler' },
  Webhooks: { entry: 'functions/webhooks/handler.ts', exportName: 'handler' },
  Decide: { entry: 'functions/decide/handler.ts', exportName: 'handler' },
  SendEmail: { entry: 'functions/channel-step/handler.ts', exportName: 'email' },
  SendSms: { entry: 'functions/channel-step/handler.ts', exportName: 'sms' },
  SendWhatsapp: { entry: 'functions/channel-step/handler.ts', exportName: 'whatsapp' },
  SendLetter: { entry: 'functions/channel-step/handler.ts', exportName: 'letter' },
  CallTask: { entry: 'functions/channel-step/handler.ts', exportName: 'callTask' },
  Await: { entry: 'functions/channel-step/handler.ts', exportName: 'park' },
  Counters: { entry: 'functions/counters/handler.ts', exportName: 'handler' },
};

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
  Api: {
    states: ['states:DescribeExecution', 'states:SendTaskFailure', 'states:SendTaskSuccess', 'states:StartExecution'],
    secrets: ['mollie', 'page'],
    letterPut: false,
  },
  Webhooks: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess'], secrets: ['mollie', 'page', 'sendgrid', 'twilio'], letterPut: false },
  Decide: { states: [], secrets: [], letterPut: false },
  SendEmail: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess'], secrets: ['page', 'sendgrid'], letterPut: false },
  SendSms: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess'], secrets: ['page', 'twilio'], letterPut: false },
  SendWhatsapp: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess'], secrets: ['page', 'twilio'], letterPut: false },
  SendLetter: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess'], secrets: ['page', 'print'], letterPut: true },
  CallTask: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess'], secrets: ['page'], letterPut: false },
  Await: { states: ['states:SendTaskFailure', 'states:SendTaskSuccess'], secrets: [], letterPut: false },
  // besides: reads the table's stream, sends failed batches' positions to its queue (checked below)
  Counters: { states: [], secrets: [], letterPut: false },
};
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

/** Every route: method, path, and the function its Lambda-proxy integration must call. */
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
  { method: 'GET', path: '/v1/reports/kpis', fn: 'Api', headers: ['x-api-key'] },
  { method: 'GET', path: '/v1/experiments/{experimentId}/results', fn: 'Api', headers: ['x-api-key'] },
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
  { method: 'POST', path: '/webhooks/mollie', fn: 'Webhooks', headers: [] },
  // The debtor page: the link's sealed token is the authentication.
  { method: 'GET', path: '/p/{token}', fn: 'Api', headers: [] },
  { method: 'POST', path: '/p/{token}/pay', fn: 'Api', headers: [] },
  { method: 'POST', path: '/p/{token}/plan', fn: 'Api', headers: [] },
  { method: 'POST', path: '/p/{token}/tell', fn: 'Api', headers: [] },
  // The API's description, served by the API function without a key.
  { method: 'GET', path: '/openapi.json', fn: 'Api', headers: [] },
  { method: 'GET', path: '/docs', fn: 'Api', headers: [] },
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
      .find((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
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

  it('point at the right export, and the bundle really exports it', () => {
    const bundles = new Map<string, string>();
    for (const name of ALL_FUNCTIONS) {
      const p = resources[fnId(name)].Properties;
      expect(p.Handler, name).toBe(`index.${HANDLERS[name].exportName}`);
      const hash = String(p.Code.S3Key).replace(/\.zip$/, '');
      const file = path.join(app.outdir, `asset.${hash}`, 'index.mjs');
      expect(existsSync(file), `${name}: ${file}`).toBe(true);
      if (!bundles.has(file)) bundles.set(file, readFileSync(file, 'utf8'));
      // esbuild ends the code of an ESM bundle with one `export{local as name,…}` clause (only
      // license comments and the source-map URL follow it).
      const clause = [...bundles.get(file)!.matchAll(/export\s*\{([^}]*)\}/g)].pop();
      expect(clause, `${name}: no export clause in bundle`).toBeDefined();
      const exported = clause![1].split(',').map((part) => part.trim().split(/\s+as\s+/).pop()!.trim());
      expect(exported, `${name} bundle of ${HANDLERS[name].entry}`).toContain(HANDLERS[name].exportName);
    }
  });

  it('channel-step bundles carry pdfkit font data and the templates', () => {
    const p = resources[fnId('SendLetter')].Properties;
    const dir = path.join(app.outdir, `asset.${String(p.Code.S3Key).replace(/\.zip$/, '')}`);
    expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).imports).toEqual({
      '#standard-fonts/*': './standard-fonts/*.cjs',
    });
    expect(existsSync(path.join(dir, 'standard-fonts', 'Helvetica.cjs'))).toBe(true);
    expect(existsSync(path.join(dir, 'templates', 'labels.json'))).toBe(true);
    for (const name of ['SendEmail', 'SendSms', 'SendWhatsapp', 'SendLetter', 'CallTask', 'Await'] as const) {
      expect(resources[fnId(name)].Properties.Environment.Variables.MAATWERK_TEMPLATES_DIR, name).toBe('/var/task/templates');
    }
  });

  it('get the environment they need and nothing more', () => {
    for (const name of ALL_FUNCTIONS) {
      const env: Record<string, Json> = resources[fnId(name)].Properties.Environment.Variables;
      expect(env.TABLE_NAME, name).toEqual({ Ref: logicalId(stack.table) });
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
      if (['SendEmail', 'SendSms', 'SendWhatsapp', 'SendLetter', 'CallTask'].includes(name)) {
        expect(JSON.stringify(env.PAYMENT_LINK_BASE), name).toContain(logicalId(stack.api));
      } else if (name === 'Webhooks') {
        // answers to replies carry the page link: the API's id and stage, never the stage's URL (a cycle)
        expect(JSON.stringify(env.PAYMENT_LINK_BASE)).toContain(logicalId(stack.api));
        expect(JSON.stringify(env.PAYMENT_LINK_BASE)).toContain('/prod/p/');
        expect(JSON.stringify(env.PAYMENT_LINK_BASE)).not.toContain('Stage');
      } else expect(env, name).not.toHaveProperty('PAYMENT_LINK_BASE');
      // Notification attempts: the scheduler role, and the function that delivers them (the Webhooks function itself
      // learns its ARN from its invocation).
      if (['Api', 'Webhooks', 'Decide'].includes(name)) expect(JSON.stringify(env.SCHEDULER_ROLE_ARN), name).toContain('NotificationSchedulerRole');
      else expect(env, name).not.toHaveProperty('SCHEDULER_ROLE_ARN');
      if (['Api', 'Decide'].includes(name)) expect(env.NOTIFY_FUNCTION_ARN, name).toEqual({ 'Fn::GetAtt': [fnId('Webhooks'), 'Arn'] });
      else expect(env, name).not.toHaveProperty('NOTIFY_FUNCTION_ARN');
      if (name === 'Api') expect(env.STATE_MACHINE_ARN).toEqual(stack.resolve(stack.journeyArn));
      else expect(env, name).not.toHaveProperty('STATE_MACHINE_ARN');
      for (const secret of ['twilio', 'sendgrid', 'print'] as const) {
        if (MATRIX[name].secrets.includes(secret)) {
          expect(env[SECRET_ENV[secret]], `${name} ${secret}`).toEqual({ Ref: logicalId(stack.secrets[secret]) });
        } else {
          expect(env, `${name} ${secret}`).not.toHaveProperty(SECRET_ENV[secret]);
        }
      }
      if (MATRIX[name].letterPut) expect(env.LETTER_BUCKET).toEqual({ Ref: logicalId(stack.letterBucket) });
      else expect(env, name).not.toHaveProperty('LETTER_BUCKET');
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
        const listStreams = name === 'Counters' && actionsOf([s]).join() === 'dynamodb:ListStreams';
        if (!listStreams) expect(actionsOf([s]), `only X-Ray (and ListStreams for the stream reader) may use Resource *`).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
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
      expect(actionsOf(stream)).toEqual(STREAM_ACTIONS);
      for (const s of stream) {
        if (actionsOf([s]).join() === 'dynamodb:ListStreams') expect(s.Resource).toBe('*');
        else expect(s.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
      }
    } else expect(stream).toEqual([]);
    // its failure queue: send only, to that queue
    const queue = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('sqs:')));
    if (name === 'Counters') {
      expect(actionsOf(queue)).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
      for (const s of queue) expect(s.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack.counterFailures), 'Arn'] });
    } else expect(queue).toEqual([]);

    // Table: item actions on the table, Query on the indexes, nothing else, no Scan.
    const dynamo = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')) && !stream.includes(s));
    expect(actionsOf(dynamo)).toEqual(TABLE_ITEM_ACTIONS);
    for (const s of dynamo) {
      for (const r of asArray(s.Resource)) {
        expect(mentions(r, tableId), JSON.stringify(r)).toBe(true);
        if (JSON.stringify(r).includes('/index/')) expect(asArray(s.Action)).toEqual(['dynamodb:Query']);
      }
    }
    const indexResources = dynamo.flatMap((s) => asArray(s.Resource)).filter((r) => JSON.stringify(r).includes('/index/'));
    expect(indexResources).toHaveLength(TABLE.indexes.length);

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

    // Creditor notifications: the functions that write what notifies creditors create the attempts' one-time
    // schedules (n-* in the default group) and pass the scheduler role, nothing else of either service.
    const notifies = ['Api', 'Webhooks', 'Decide'].includes(name);
    const scheduler = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('scheduler:') || a.startsWith('iam:')));
    expect(actionsOf(scheduler)).toEqual(notifies ? ['iam:PassRole', 'scheduler:CreateSchedule', 'scheduler:DeleteSchedule'] : []);
    for (const st of scheduler) {
      if (asArray(st.Action).includes('iam:PassRole')) expect(JSON.stringify(st.Resource)).toContain('NotificationSchedulerRole');
      else expect(JSON.stringify(st.Resource)).toContain(':schedule/default/n-*');
    }

    // Nothing outside those services.
    const services = new Set(actionsOf(statements).map((a) => a.split(':')[0]));
    for (const service of services) expect(['logs', 'xray', 'dynamodb', 'states', 'secretsmanager', 's3', 'scheduler', 'iam', 'sqs']).toContain(service);
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
      // No API Gateway authorizer: the handler checks the API key / provider signature.
      expect(m.authorization, key(route)).toBe('NONE');
      expect(m.headers, key(route)).toEqual([...route.headers].sort());
      expect(m.validated, key(route)).toBe(true);
    }
  });

  it('lets API Gateway invoke exactly the two HTTP functions', () => {
    const invoked = new Set(
      ofType('AWS::Lambda::Permission')
        .filter(([, p]) => p.Properties.Principal === 'apigateway.amazonaws.com')
        .map(([, p]) => p.Properties.FunctionName['Fn::GetAtt'][0]),
    );
    expect([...invoked].sort()).toEqual([fnId('Api'), fnId('Webhooks')].sort());
  });

  it('deploys stage prod with access logs, execution logs without bodies, tracing and throttling', () => {
    const [[, stage]] = ofType('AWS::ApiGateway::Stage');
    const p = stage.Properties;
    expect(p.StageName).toBe('prod');
    expect(p.TracingEnabled).toBe(true);
    expect(resources[p.AccessLogSetting.DestinationArn['Fn::GetAtt'][0]].Type).toBe('AWS::Logs::LogGroup');
    const all = (p.MethodSettings as Json[]).find((s) => s.HttpMethod === '*' && s.ResourcePath === '/*');
    expect(all.LoggingLevel).toBe('ERROR');
    expect(all.DataTraceEnabled).toBe(false);
    expect(all.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(all.ThrottlingBurstLimit).toBeGreaterThan(0);
    const [[, validator]] = ofType('AWS::ApiGateway::RequestValidator');
    expect(validator.Properties).toMatchObject({ ValidateRequestBody: true, ValidateRequestParameters: true });
  });

  it('answers its own errors in the API error shape', () => {
    const responses = ofType('AWS::ApiGateway::GatewayResponse').map(([, r]) => r.Properties);
    const missing = responses.find((r) => r.ResponseType === 'BAD_REQUEST_PARAMETERS');
    expect(missing.StatusCode).toBe('401');
    for (const r of responses) {
      const body = r.ResponseTemplates['application/json'] as string;
      expect(body, r.ResponseType).toMatch(/^\{"error":\{"code":"[a-z_]+","message":/);
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

  it('alarms on failed journey executions', () => {
    const [a, ...more] = watching('ExecutionsFailed');
    expect(a).toBeDefined();
    expect(more).toEqual([]);
    expect(watched(a)).toEqual([
      {
        namespace: 'AWS/States',
        name: 'ExecutionsFailed',
        dims: [{ Name: 'StateMachineArn', Value: { Ref: logicalId(stack.stateMachine) } }],
      },
    ]);
    expect(a).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(JSON.stringify(a)).toContain('"Sum"');
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

  it('sends every alarm to the SNS topic', () => {
    // journeys failed, API 5xx, table throttles, counter batches failed, and one error rate per function
    expect(alarms().length).toBe(4 + ALL_FUNCTIONS.length);
    for (const a of alarms()) expect(a.AlarmActions).toEqual([{ Ref: topicId() }]);
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
