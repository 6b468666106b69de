/**
 * The simulator's composition point: the same ASL file, the same journey handlers, API and webhook handlers as
 * AWS and `npm start` run — with every port on an in-process adapter so thousands of journeys run in seconds:
 *
 *   DynamoDB        functions/store/in-process.ts (the same store modules; contract-tested against dynalite)
 *   Step Functions  the local emulator in memory (no file per execution), through an in-process SFNClient
 *   Scheduler       the local emulator in memory, through an in-process SchedulerClient
 *   providers       in-process channel adapters: what was sent goes to the debtor model (model.ts), which answers
 *                   through the real handlers (payments: the API, replies: the signed Twilio webhook, opens: the
 *                   signed SendGrid event webhook)
 *   letters         rendered lazily (MAATWERK_LAZY_LETTERS): nobody reads a simulated PDF, so none is made
 *   clock           virtual, settling in-process (no 2 ms I/O wait per instant)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import twilio from 'twilio';
import { IANAZone } from 'luxon';
import { Clock } from '../clock.js';
import { LOCAL_DEFAULTS } from '../defaults.js';
import { JOURNEY_FUNCTIONS } from '../journey-functions.js';
import { StepFunctionsEmulator } from '../sfn/index.js';
import { localTargets, SchedulerEmulator } from '../scheduler/emulator.js';
import { inProcessLambdaClient, inProcessSchedulerClient, inProcessSfnClient } from '../in-process-clients.js';
import { signSendgridEvents } from '../fakes/sendgrid.js';
import { JOURNEY_ASL } from '../runtime.js';
import { InProcessTable, inProcessDocumentClient } from '../../../functions/store/in-process.js';
import { handler as countersHandler } from '../../../functions/counters/handler.js';
import { StreamEmulator } from '../streams/emulator.js';
import { inProcessWithStream } from '../streams/capture.js';
import { TABLE } from '../../../functions/store/table.js';
import { setClockSource } from '../../../functions/shared/clock.js';
import { useAwsClients } from '../../../functions/shared/aws.js';
import { useLambdaClient } from '../../../functions/services/invoke.js';
import { logger } from '../../../functions/shared/logger.js';
import { seedIds } from '../../../functions/shared/ids.js';
import { rngFor } from './model.js';
import { resetAdapters } from '../../../functions/services/channel-step.js';
import { forgetClients, putClient } from '../../../functions/store/clients.js';
import { forgetExperimentState } from '../../../functions/services/experiments.js';
import type { ChannelAdapter, OutgoingMessage } from '../../../functions/channels/port.js';
import { handler as apiHandler } from '../../../functions/api/handler.js';
import { handler as authorizerHandler } from '../../../functions/authorizer/handler.js';
import { allows, authorizerRequestFor } from '../authorizer-request.js';
import { handler as webhooksHandler } from '../../../functions/webhooks/handler.js';
import { handler as deliveriesHandler } from '../../../functions/deliveries/handler.js';

export interface Sent {
  msg: OutgoingMessage;
  at: number;
}

const PUBLIC_BASE = 'https://sim.maatwerk.invalid';

/**
 * The simulator asks the calendar for Europe/Amsterdam offsets millions of times; luxon computes each one with
 * Intl (formatToParts), which was a quarter of the CPU. Offsets only change on whole quarter hours, so they are
 * remembered per zone and quarter hour — the same answers, in this process only (Lambdas and `npm start` are
 * untouched).
 */
function rememberZoneOffsets(): void {
  const proto = IANAZone.prototype as unknown as { offset(ts: number): number; __remembered?: boolean };
  if (proto.__remembered) return;
  const original = proto.offset;
  const memo = new WeakMap<object, Map<number, number>>();
  proto.offset = function (this: object, ts: number): number {
    let m = memo.get(this);
    if (!m) memo.set(this, (m = new Map()));
    const k = Math.floor(ts / 900_000);
    let v = m.get(k);
    if (v === undefined) {
      v = original.call(this, ts);
      m.set(k, v);
    }
    return v;
  };
  proto.__remembered = true;
}

export class SimulationRuntime {
  readonly clock: Clock;
  readonly table = new InProcessTable();
  readonly sfn: StepFunctionsEmulator;
  readonly scheduler: SchedulerEmulator;
  /** the table's stream feeding the learning counters' aggregator (as on AWS) */
  readonly streams: StreamEmulator;
  readonly stateMachineArn: string;
  private readonly handlers = new Map<string, (payload: unknown) => Promise<unknown>>();
  private readonly eventKey = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-sim-'));
  private providerSeq = 0;
  /** Lambda invocations per function */
  readonly invocations: Record<string, number> = {};

  constructor(opts: { start: number; strategy: unknown; seed: number; onSend: (s: Sent) => void }) {
    rememberZoneOffsets();
    // deterministic ids (experiment assignment hashes the debtor id): the same seed, the same run
    seedIds(rngFor(opts.seed, 'ids'));
    this.clock = new Clock({ mode: 'virtual', start: opts.start, settle: 'immediate' });
    setClockSource(() => this.clock.now());
    logger.setLogLevel('ERROR');
    const strategyFile = path.join(this.dir, 'strategy.json');
    fs.writeFileSync(strategyFile, JSON.stringify(opts.strategy));
    Object.assign(process.env, {
      AWS_REGION: LOCAL_DEFAULTS.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      TABLE_NAME: TABLE.defaultName,
      SCHEDULE_GROUP_NAME: 'maatwerk-journeys',
      WAKE_FUNCTION_ARN: `arn:aws:lambda:${LOCAL_DEFAULTS.region}:${LOCAL_DEFAULTS.accountId}:function:maatwerk-Decide`,
      // an answer to a reply: the Deliveries function sends it, invoked by the reply path or by its timer (as on AWS)
      ANSWER_FUNCTION_ARN: `arn:aws:lambda:${LOCAL_DEFAULTS.region}:${LOCAL_DEFAULTS.accountId}:function:maatwerk-Deliveries`,
      PUBLIC_BASE_URL: PUBLIC_BASE,
      TWILIO_ACCOUNT_SID: LOCAL_DEFAULTS.twilioAccountSid,
      TWILIO_AUTH_TOKEN: LOCAL_DEFAULTS.twilioAuthToken,
      TWILIO_SMS_FROM: LOCAL_DEFAULTS.smsFrom,
      TWILIO_WHATSAPP_FROM: LOCAL_DEFAULTS.whatsappFrom,
      SENDGRID_API_KEY: LOCAL_DEFAULTS.sendgridApiKey,
      SENDGRID_FROM: LOCAL_DEFAULTS.fromEmail,
      SENDGRID_WEBHOOK_PUBLIC_KEY: crypto.createPublicKey(this.eventKey).export({ type: 'spki', format: 'der' }).toString('base64'),
      PRINT_SERVICE_URL: 'https://print.sim.invalid',
      PRINT_API_KEY: LOCAL_DEFAULTS.printApiKey,
      // the debtor page's link tokens in every message (issue 9): sealed with a key made for this run (from the seed,
      // so the same seed writes the same texts); nobody pays through Mollie in the simulation (payments are reported)
      PAGE_TOKEN_SECRET: crypto.createHash('sha256').update(`maatwerk-simulation-${opts.seed}`).digest('hex'),
      MOLLIE_API_KEY: LOCAL_DEFAULTS.mollieApiKey,
      MOLLIE_API_ENDPOINT: 'https://mollie.sim.invalid/v2/',
      MAATWERK_STRATEGY_FILE: strategyFile,
      MAATWERK_LAZY_LETTERS: 'true',
      // the bandits' shares are recomputed every 4 simulated hours (a Lambda keeps them for 5 minutes)
      EXPERIMENT_STATE_TTL_S: '14400',
    });
    this.sfn = new StepFunctionsEmulator({ clock: this.clock, region: LOCAL_DEFAULTS.region, accountId: LOCAL_DEFAULTS.accountId, keepHistory: false });
    this.scheduler = new SchedulerEmulator({
      clock: this.clock,
      region: LOCAL_DEFAULTS.region,
      accountId: LOCAL_DEFAULTS.accountId,
      targets: localTargets(this.sfn, this.handlers),
    });
    useAwsClients({
      dynamo: inProcessDocumentClient(this.table),
      sfn: inProcessSfnClient(this.sfn),
      scheduler: inProcessSchedulerClient(this.scheduler),
    });
    useLambdaClient(inProcessLambdaClient(this.handlers));
    // the learning counters arrive through the table's stream, batched per idle instant of the virtual clock
    this.streams = new StreamEmulator({
      handler: (event) => {
        this.invocations['maatwerk-Counters'] = (this.invocations['maatwerk-Counters'] ?? 0) + 1;
        return countersHandler(event);
      },
      clock: this.clock,
      region: LOCAL_DEFAULTS.region,
      accountId: LOCAL_DEFAULTS.accountId,
      tableName: TABLE.defaultName,
      functionName: 'maatwerk-Counters',
    });
    inProcessWithStream(this.table, this.streams);
    forgetClients();
    forgetExperimentState();
    const adapter: ChannelAdapter = {
      send: async (msg) => {
        opts.onSend({ msg, at: this.clock.now() });
        return { providerId: `SIM${String(++this.providerSeq).padStart(10, '0')}` };
      },
    };
    resetAdapters({ adapters: { email: adapter, sms: adapter, whatsapp: adapter, letter: adapter }, letterStorage: { put: async (key) => ({ uri: `sim://${key}`, key }) } });
    const substitutions: Record<string, string> = {};
    for (const [placeholder, fn] of Object.entries(JOURNEY_FUNCTIONS)) {
      const name = `maatwerk-${placeholder.replace(/FunctionArn$/, '')}`;
      substitutions[placeholder] = `arn:aws:lambda:${LOCAL_DEFAULTS.region}:${LOCAL_DEFAULTS.accountId}:function:${name}`;
      const counted = (payload: unknown) => {
        this.invocations[name] = (this.invocations[name] ?? 0) + 1;
        return fn(payload);
      };
      this.sfn.registerFunction(name, counted);
      this.handlers.set(name, counted);
    }
    this.handlers.set('maatwerk-Deliveries', (payload) => {
      this.invocations.Deliveries = (this.invocations.Deliveries ?? 0) + 1;
      return deliveriesHandler(payload);
    });
    this.stateMachineArn = this.sfn.createStateMachine('maatwerk-journey', fs.readFileSync(JOURNEY_ASL, 'utf8'), substitutions);
    process.env.STATE_MACHINE_ARN = this.stateMachineArn;
  }

  async seedClient(clientId: string, name: string, apiKey: string, agent = false): Promise<void> {
    await putClient({ clientId, name, agent }, apiKey);
  }

  /** An API request through the API handler (as API Gateway would call it). */
  async api(method: 'GET' | 'POST', resource: string, pathParameters: Record<string, string>, apiKey: string, body?: unknown, query?: Record<string, string>): Promise<APIGatewayProxyResult> {
    let p = resource;
    for (const [k, v] of Object.entries(pathParameters)) p = p.replace(`{${k}}`, encodeURIComponent(v));
    this.invocations.Api = (this.invocations.Api ?? 0) + 1;
    const event = this.event(method, p, resource, pathParameters, { 'x-api-key': apiKey, ...(body ? { 'content-type': 'application/json' } : {}) }, body ? JSON.stringify(body) : null, query);
    // The authorizer's context, as API Gateway passes it on (the Api function trusts it and never sees a key).
    event.requestContext.authorizer = await this.authorizerContext(apiKey, event);
    return this.clock.activity.track(() => apiHandler(event));
  }

  private readonly authorized = new Map<string, Record<string, unknown>>();

  /** The authorizer's answer for a key, once per key (API Gateway caches it too); a refused key gets no context. */
  private async authorizerContext(apiKey: string, event: APIGatewayProxyEvent): Promise<Record<string, unknown> | undefined> {
    const known = this.authorized.get(apiKey);
    if (known) return known;
    this.invocations.Authorizer = (this.invocations.Authorizer ?? 0) + 1;
    try {
      const result = await authorizerHandler(authorizerRequestFor(event, 'sim'));
      if (!allows(result)) return undefined;
      const context = { principalId: result.principalId, ...(result.context ?? {}) };
      this.authorized.set(apiKey, context);
      return context;
    } catch {
      return undefined; // refused: the Api answers 401
    }
  }

  /** A debtor's SMS or WhatsApp reply through the signed Twilio webhook (classified, answered, put to agents there). */
  async reply(from: string, text: string, whatsapp: boolean, messageSid = `SM${String(++this.providerSeq).padStart(32, '0')}`): Promise<APIGatewayProxyResult> {
    const prefix = whatsapp ? 'whatsapp:' : '';
    const params = {
      MessageSid: messageSid,
      AccountSid: LOCAL_DEFAULTS.twilioAccountSid,
      From: `${prefix}${from}`,
      To: `${prefix}${whatsapp ? LOCAL_DEFAULTS.whatsappFrom : LOCAL_DEFAULTS.smsFrom}`,
      Body: text,
    };
    const resource = '/webhooks/twilio/inbound';
    const signature = twilio.getExpectedTwilioSignature(LOCAL_DEFAULTS.twilioAuthToken, `${PUBLIC_BASE}${resource}`, params);
    this.invocations.Webhooks = (this.invocations.Webhooks ?? 0) + 1;
    return this.clock.activity.track(() =>
      webhooksHandler(this.event('POST', resource, resource, {}, { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, new URLSearchParams(params).toString())),
    );
  }

  /** SendGrid events (an open) through the signed event webhook. */
  async sendgrid(events: Array<Record<string, unknown>>): Promise<APIGatewayProxyResult> {
    const body = JSON.stringify(events);
    const ts = String(Math.floor(this.clock.now() / 1000));
    const resource = '/webhooks/sendgrid/events';
    const headers = {
      'content-type': 'application/json',
      'x-twilio-email-event-webhook-signature': signSendgridEvents(this.eventKey, ts, body),
      'x-twilio-email-event-webhook-timestamp': ts,
    };
    this.invocations.Webhooks = (this.invocations.Webhooks ?? 0) + 1;
    return this.clock.activity.track(() => webhooksHandler(this.event('POST', resource, resource, {}, headers, body)));
  }

  private event(method: string, p: string, resource: string, pathParameters: Record<string, string>, headers: Record<string, string>, body: string | null, query?: Record<string, string>): APIGatewayProxyEvent {
    return {
      resource,
      path: p,
      httpMethod: method,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      queryStringParameters: query && Object.keys(query).length ? query : null,
      multiValueQueryStringParameters: query && Object.keys(query).length ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null,
      pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
      stageVariables: null,
      body,
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'sim',
        authorizer: undefined,
        protocol: 'HTTP/1.1',
        httpMethod: method,
        identity: { sourceIp: '127.0.0.1' } as APIGatewayProxyEvent['requestContext']['identity'],
        path: p,
        stage: 'sim',
        requestId: `sim-${++this.providerSeq}`,
        requestTimeEpoch: this.clock.now(),
        resourceId: 'sim',
        resourcePath: resource,
      },
    };
  }

  async close(): Promise<void> {
    seedIds();
    await this.streams.close();
    await this.scheduler.close();
    await this.sfn.close();
    this.clock.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
