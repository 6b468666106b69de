/**
 * The embedded local runtime (DESIGN §3 and §8): the same ASL and the same handlers as on AWS, with
 * DynamoDB (dynalite, on disk), Step Functions (our durable emulator), Twilio, SendGrid and a print
 * service (fakes) on loopback, and one clock for all of them.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Clock, CLOCK_MAX, CLOCK_MIN } from './clock.js';
import { LOCAL_DEFAULTS } from './defaults.js';
import { JOURNEY_FUNCTIONS, type JourneyHandler } from './journey-functions.js';
import { FakeProviders } from './fakes/index.js';
import { StepFunctionsEmulator } from './sfn/index.js';
import { localTargets, SchedulerEmulator } from './scheduler/emulator.js';
import { useLambdaClient } from '../../functions/services/invoke.js';
import { LambdaInvokeEmulator } from './lambda-invoke.js';
import { handler as deliveriesHandler } from '../../functions/deliveries/handler.js';
import { ApiServer, type EdgeHandlers, SOURCE_EDGE_HANDLERS } from './api-server.js';
import { LOCAL_ROUTES } from './local-routes.js';
import { createTable } from './table.js';
import { StreamEmulator } from './streams/emulator.js';
import { dynaliteWithStream } from './streams/capture.js';
import { handler as countersHandler } from '../../functions/counters/handler.js';
import { documentAlso } from '../../functions/shared/openapi.js';
import { TABLE } from '../../functions/store/table.js';
import { setClockSource } from '../../functions/shared/clock.js';
import { invocationOf, resetAwsClients } from '../../functions/shared/aws.js';
import { resetAdapters } from '../../functions/services/channel-step.js';
import { resetPaymentProvider } from '../../functions/payments/provider.js';
import { handler as webhooksHandler } from '../../functions/webhooks/handler.js';
import { forgetClients, putClient } from '../../functions/store/clients.js';
import { currentStrategy } from '../../functions/services/strategy-source.js';
import { logCoverage } from '../../functions/services/coverage.js';
import type { BusinessCostAgreement } from '../../functions/domain/claim-costs.js';
import { withClientSettings } from './client-settings.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const JOURNEY_ASL = path.join(ROOT, 'state-machines/journey.asl.json');

export { LOCAL_DEFAULTS };

export interface ClientSeed {
  clientId: string;
  name: string;
  apiKey: string;
  agent?: boolean;
  /** the creditor cannot deduct VAT: VAT is added to collection costs */
  vatOnCosts?: boolean;
  /** the creditor claims statutory interest on its claims */
  claimsInterest?: boolean;
  /** the creditor's collection-cost agreement for business debtors (default: the WIK scale) */
  businessCosts?: BusinessCostAgreement;
}

export interface LocalRuntimeOptions {
  dataDir: string;
  /** 0 = a free port */
  port?: number;
  /** where the API listens; default MAATWERK_LISTEN_HOST or 127.0.0.1. Anything but loopback needs allowRemote. */
  host?: string;
  /** listen on a non-loopback address (default: MAATWERK_ALLOW_REMOTE=true) */
  allowRemote?: boolean;
  /** e.g. { MAATWERK_CLOCK: 'virtual', MAATWERK_CLOCK_START: '…' }; defaults to process.env */
  env?: NodeJS.ProcessEnv;
  clients?: ClientSeed[];
  /** the Twilio webhook signing token (TWILIO_AUTH_TOKEN) */
  twilioAuthToken?: string;
  /** quiet logs (tests) */
  quiet?: boolean;
  /**
   * The functions to run instead of the TypeScript handlers (the bundled-handler test runs the esbuild bundles):
   * journey steps by ASL placeholder, the HTTP edge's api / reports / webhooks / payments / docs / authorizer, and the
   * Deliveries function (answers, creditor notifications).
   */
  handlers?: {
    journey?: Partial<Record<string, JourneyHandler>>;
    edge?: Partial<EdgeHandlers>;
    deliveries?: (event: unknown) => Promise<unknown>;
    /** the table stream's aggregator (a test that runs the bundles gives its bundled one) */
    counters?: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
  };
}

/** Parses MAATWERK_API_KEYS="acme:key-a,globex:key-b". Clients whose id starts with "agency" work the call queue. */
export function parseApiKeys(value: string | undefined): ClientSeed[] | undefined {
  if (!value) return undefined;
  return value.split(',').map((pair) => {
    const [clientId, apiKey] = pair.split(':').map((s) => s.trim());
    if (!clientId || !apiKey) throw new Error(`MAATWERK_API_KEYS: expected "client:key" pairs, got "${pair}"`);
    return { clientId, name: clientId, apiKey, agent: clientId.startsWith('agency') };
  });
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * The API's listen address. The local runtime has no TLS, seeds well-known demo keys and serves /local/* (the
 * clock, every message sent, with names and addresses) without authentication, so it listens on loopback only —
 * unless MAATWERK_LISTEN_HOST names another address AND MAATWERK_ALLOW_REMOTE=true says that is meant.
 */
export function listenHost(env: NodeJS.ProcessEnv, opts: { host?: string; allowRemote?: boolean } = {}): string {
  const host = (opts.host ?? env.MAATWERK_LISTEN_HOST ?? '127.0.0.1').trim();
  const allow = opts.allowRemote ?? env.MAATWERK_ALLOW_REMOTE === 'true';
  if (!isLoopback(host) && !allow) {
    throw new Error(
      `refusing to listen on ${host}: the local runtime has demo keys and unauthenticated /local routes, so it listens on loopback (127.0.0.1) only. ` +
        'Set MAATWERK_ALLOW_REMOTE=true as well if you really mean to expose it.',
    );
  }
  return host;
}

/**
 * The saved virtual/scaled clock time, if any. A file that is not what saveClock() writes is refused with a clear
 * message instead of starting at a wrong or invalid time (before issue 13, `{"seconds":1e13}` could save a time
 * no Date can hold, and every later start failed with "Invalid time value").
 */
export function readSavedClock(file: string): number | undefined {
  if (!fs.existsSync(file)) return undefined;
  const fix = `Fix it, or delete it to start the clock from MAATWERK_CLOCK_START (time then starts there again).`;
  let saved: unknown;
  try {
    saved = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`the saved clock ${file} is not valid JSON (${(err as Error).message}). ${fix}`);
  }
  const now = (saved as { now?: unknown } | null)?.now;
  if (typeof now !== 'number' || !Number.isFinite(now) || now < CLOCK_MIN || now >= CLOCK_MAX) {
    throw new Error(`the saved clock ${file} does not hold a time between 1970 and 2200 as { "now": <epoch ms> } (it holds ${JSON.stringify(saved)?.slice(0, 80)}). ${fix}`);
  }
  return now;
}

/** The debtor page's token secret for this data dir: generated once, never in the repository. */
function loadOrCreatePageSecret(dataDir: string): string {
  const file = path.join(dataDir, 'page-token.secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const secret = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function loadOrCreateEventKey(dataDir: string): crypto.KeyObject {
  const file = path.join(dataDir, 'sendgrid-event-key.pem');
  if (fs.existsSync(file)) return crypto.createPrivateKey(fs.readFileSync(file));
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return privateKey;
}

export class LocalRuntime {
  readonly clock: Clock;
  fakes!: FakeProviders;
  readonly sfn: StepFunctionsEmulator;
  readonly scheduler: SchedulerEmulator;
  /** the table's DynamoDB Stream and its event source mapping to the Counters function (infra/local/streams/) */
  readonly streams: StreamEmulator;
  readonly clients: ClientSeed[];
  schedulerUrl = '';
  /** the Lambda Invoke stand-in (the Webhooks function invokes the Deliveries function) */
  readonly lambda: LambdaInvokeEmulator;
  lambdaUrl = '';
  /** Lambda invocations by the scheduler (the journey timer's wake-ups), for the benchmark */
  timerInvocations = 0;
  /** Per function (the stack's names: Decide, SendEmail, …, Api, Webhooks): invocations and handler wall time. */
  readonly lambdaTime: Record<string, { invocations: number; ms: number }> = {};
  private readonly handlers = new Map<string, (payload: unknown) => Promise<unknown>>();
  apiUrl = '';
  dynamoUrl = '';
  sfnUrl = '';
  fakesUrl = '';
  stateMachineArn = '';
  /** DynamoDB requests by operation (for the benchmark's cost figures) */
  readonly dynamoRequests: Record<string, number> = {};
  private dynamoServer: http.Server | undefined;
  api: ApiServer | undefined;
  private clockFile: string;
  private clockSaver: NodeJS.Timeout | undefined;
  /** where the API listens */
  readonly host: string;
  /** the legal tables' coverage warnings logged at start (functions/domain/coverage.ts) */
  coverageWarnings: string[] = [];

  private constructor(private readonly opts: LocalRuntimeOptions) {
    const env = opts.env ?? process.env;
    this.host = listenHost(env, opts);
    fs.mkdirSync(opts.dataDir, { recursive: true });
    this.clockFile = path.join(opts.dataDir, 'clock.json');
    // A virtual or scaled clock continues where it stopped, so a restart does not move time backwards.
    this.clock = Clock.fromEnv(env, readSavedClock(this.clockFile));
    setClockSource(() => this.clock.now());
    // MAATWERK_CLIENT_SETTINGS (client-settings.ts) sets interest, VAT and business-cost agreements on the seeds.
    this.clients = withClientSettings(
      opts.clients ?? parseApiKeys(env.MAATWERK_API_KEYS) ?? [{ clientId: 'demo', name: 'Demo Creditor B.V.', apiKey: 'demo-key', agent: true }],
      env.MAATWERK_CLIENT_SETTINGS,
    );
    this.sfn = new StepFunctionsEmulator({
      clock: this.clock,
      dataDir: path.join(opts.dataDir, 'stepfunctions'),
      region: LOCAL_DEFAULTS.region,
      accountId: LOCAL_DEFAULTS.accountId,
    });
    this.lambda = new LambdaInvokeEmulator({ clock: this.clock, handlers: this.handlers });
    this.scheduler = new SchedulerEmulator({
      clock: this.clock,
      dataDir: path.join(opts.dataDir, 'scheduler'),
      region: LOCAL_DEFAULTS.region,
      accountId: LOCAL_DEFAULTS.accountId,
      targets: localTargets(this.sfn, this.handlers, (invoke) => {
        this.timerInvocations++;
        return this.clock.activity.track(invoke);
      }),
    });
    this.streams = new StreamEmulator({
      handler: (event) => this.timed('Counters', () => (this.opts.handlers?.counters ?? countersHandler)(event)),
      clock: this.clock,
      region: LOCAL_DEFAULTS.region,
      accountId: LOCAL_DEFAULTS.accountId,
      tableName: TABLE.defaultName,
      functionName: 'maatwerk-Counters',
    });
  }

  static async start(opts: LocalRuntimeOptions): Promise<LocalRuntime> {
    const rt = new LocalRuntime(opts);
    try {
      await rt.boot();
    } catch (err) {
      rt.api?.markFailed(err as Error);
      await rt.stop().catch(() => undefined);
      throw err;
    }
    // Only now do requests get answers: a client that saw /local/clock answer can use its API key at once.
    rt.api!.markReady();
    return rt;
  }

  /** where this runtime keeps its state (MAATWERK_DATA_DIR) */
  get dataDir(): string {
    return this.opts.dataDir;
  }

  get twilioAuthToken(): string {
    return this.opts.twilioAuthToken ?? (this.opts.env ?? process.env).TWILIO_AUTH_TOKEN ?? LOCAL_DEFAULTS.twilioAuthToken;
  }

  private async boot(): Promise<void> {
    const env = this.opts.env ?? process.env;
    // Refuse to start on an invalid strategy file: the message names the field and the reason.
    if (env.MAATWERK_STRATEGY_FILE) process.env.MAATWERK_STRATEGY_FILE = env.MAATWERK_STRATEGY_FILE;
    currentStrategy();
    // 1. DynamoDB (dynalite) on disk, its committed changes feeding the stream emulator.
    this.dynamoServer = dynaliteWithStream(
      { path: path.join(this.opts.dataDir, 'dynamodb'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 },
      TABLE.defaultName,
      () => this.streams,
    );
    this.dynamoServer.on('request', (req: http.IncomingMessage) => {
      const op = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? 'unknown';
      this.dynamoRequests[op] = (this.dynamoRequests[op] ?? 0) + 1;
    });
    await new Promise<void>((resolve) => this.dynamoServer!.listen(0, '127.0.0.1', resolve));
    this.dynamoUrl = `http://127.0.0.1:${(this.dynamoServer!.address() as AddressInfo).port}`;

    // 2. The API server first binds its port, so PUBLIC_BASE_URL is known before anything signs webhooks. It holds
    //    every request until start() marks it ready (after the clients are seeded and journeys recovered).
    this.api = new ApiServer(this, { ...SOURCE_EDGE_HANDLERS, ...(this.opts.handlers?.edge ?? {}) });
    documentAlso(LOCAL_ROUTES);
    this.apiUrl = await this.api.listen(this.opts.port ?? 3000, this.host);
    const publicBase = env.PUBLIC_BASE_URL ?? this.apiUrl;

    // 3. Fake providers and the Step Functions emulator.
    this.fakes = new FakeProviders({
      clock: this.clock,
      dataDir: path.join(this.opts.dataDir, 'providers'),
      twilioAccountSid: LOCAL_DEFAULTS.twilioAccountSid,
      twilioAuthToken: this.twilioAuthToken,
      sendgridEventKey: loadOrCreateEventKey(this.opts.dataDir),
      sendgridEventWebhookUrl: `${publicBase.replace(/\/$/, '')}/webhooks/sendgrid/events`,
      sendgridApiKey: LOCAL_DEFAULTS.sendgridApiKey,
      printApiKey: LOCAL_DEFAULTS.printApiKey,
      mollieCheckoutBase: () => `${this.apiUrl}/local/mollie/checkout/`,
    });
    this.fakesUrl = await this.fakes.listen(0);
    this.sfnUrl = await this.sfn.listen(0, '127.0.0.1');
    this.schedulerUrl = await this.scheduler.listen(0, '127.0.0.1');
    this.lambdaUrl = await this.lambda.listen(0, '127.0.0.1');

    // 4. The handlers' configuration: the same variables a Lambda gets, pointing at the local services.
    Object.assign(process.env, {
      AWS_REGION: LOCAL_DEFAULTS.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: this.dynamoUrl,
      AWS_ENDPOINT_URL_SFN: this.sfnUrl,
      AWS_ENDPOINT_URL_SCHEDULER: this.schedulerUrl,
      AWS_ENDPOINT_URL_LAMBDA: this.lambdaUrl,
      SCHEDULE_GROUP_NAME: 'maatwerk-journeys',
      WAKE_FUNCTION_ARN: `arn:aws:lambda:${LOCAL_DEFAULTS.region}:${LOCAL_DEFAULTS.accountId}:function:maatwerk-Decide`,
      // Answers are sent by the Deliveries function (services/answer-delivery.ts): due now, invoked by the reply path;
      // waiting for 07:00, by their timer.
      ANSWER_FUNCTION_ARN: `arn:aws:lambda:${LOCAL_DEFAULTS.region}:${LOCAL_DEFAULTS.accountId}:function:maatwerk-Deliveries`,
      // Creditor notifications are delivered by it too; locally a webhook may be http to loopback (the fake receiver).
      NOTIFY_FUNCTION_ARN: `arn:aws:lambda:${LOCAL_DEFAULTS.region}:${LOCAL_DEFAULTS.accountId}:function:maatwerk-Deliveries`,
      MAATWERK_ALLOW_LOOPBACK_WEBHOOKS: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      TABLE_NAME: TABLE.defaultName,
      PUBLIC_BASE_URL: publicBase,
      TWILIO_ACCOUNT_SID: LOCAL_DEFAULTS.twilioAccountSid,
      TWILIO_AUTH_TOKEN: this.twilioAuthToken,
      TWILIO_SMS_FROM: LOCAL_DEFAULTS.smsFrom,
      TWILIO_WHATSAPP_FROM: LOCAL_DEFAULTS.whatsappFrom,
      TWILIO_API_BASE_URL: this.fakesUrl,
      SENDGRID_API_KEY: LOCAL_DEFAULTS.sendgridApiKey,
      SENDGRID_FROM: LOCAL_DEFAULTS.fromEmail,
      SENDGRID_API_BASE_URL: this.fakesUrl,
      SENDGRID_WEBHOOK_PUBLIC_KEY: crypto
        .createPublicKey(loadOrCreateEventKey(this.opts.dataDir))
        .export({ type: 'spki', format: 'der' })
        .toString('base64'),
      PRINT_SERVICE_URL: this.fakesUrl,
      PRINT_API_KEY: LOCAL_DEFAULTS.printApiKey,
      LETTER_DIR: path.join(this.opts.dataDir, 'letters'),
      MOLLIE_API_KEY: LOCAL_DEFAULTS.mollieApiKey,
      MOLLIE_API_ENDPOINT: `${this.fakesUrl}/v2/`,
      PAGE_TOKEN_SECRET: env.PAGE_TOKEN_SECRET ?? loadOrCreatePageSecret(this.opts.dataDir),
      POWERTOOLS_LOG_LEVEL: this.opts.quiet ? 'WARN' : (env.LOG_LEVEL ?? 'INFO'),
      // No EMF lines on stdout locally (metrics.onMetric still sees every call); no X-Ray outside Lambda anyway.
      POWERTOOLS_METRICS_DISABLED: 'true',
      LOG_LEVEL: this.opts.quiet ? 'WARN' : (env.LOG_LEVEL ?? 'INFO'),
    });
    resetAwsClients();
    useLambdaClient();
    resetAdapters();
    resetPaymentProvider();
    forgetClients();

    await this.ensureTable();

    // 5. The journey state machine from the same ASL file CDK deploys, bound to the same handlers.
    const functions: Record<string, JourneyHandler> = { ...JOURNEY_FUNCTIONS };
    for (const [placeholder, fn] of Object.entries(this.opts.handlers?.journey ?? {})) if (fn) functions[placeholder] = fn;
    const substitutions: Record<string, string> = {};
    for (const [placeholder, fn] of Object.entries(functions)) {
      const name = `maatwerk-${placeholder.replace(/FunctionArn$/, '')}`;
      substitutions[placeholder] = `arn:aws:lambda:${LOCAL_DEFAULTS.region}:${LOCAL_DEFAULTS.accountId}:function:${name}`;
      const timed = (payload: unknown) => this.timed(placeholder.replace(/FunctionArn$/, ''), () => fn(payload));
      this.sfn.registerFunction(name, timed);
      this.handlers.set(name, timed);
    }
    this.stateMachineArn = this.sfn.createStateMachine('maatwerk-journey', fs.readFileSync(JOURNEY_ASL, 'utf8'), substitutions);
    // The scheduler invokes the Deliveries function for answers that waited for contact hours and creditor
    // notifications, the Webhooks function for an answer due now (a test that runs the bundles gives its bundled one);
    // the Webhooks function for the schedules a data dir kept from before the Deliveries function (it hands them on).
    const deliveries = this.opts.handlers?.deliveries ?? deliveriesHandler;
    this.handlers.set('maatwerk-Deliveries', (payload) => this.timed('Deliveries', () => deliveries(payload)));
    const webhooks = (this.opts.handlers?.edge?.webhooks ?? webhooksHandler) as (payload: unknown) => Promise<unknown>;
    this.handlers.set('maatwerk-Webhooks', (payload) => webhooks(payload));
    process.env.STATE_MACHINE_ARN = this.stateMachineArn;

    for (const c of this.clients) {
      const { apiKey, ...client } = c;
      await putClient(client, apiKey);
    }

    // The legal tables that run out within their horizon (declared-equal days, interest rates) say so at start.
    this.coverageWarnings = logCoverage(new Date(this.clock.now())).map((w) => w.message);

    // 6. Continue every journey that was running when the runtime stopped, and re-arm their timers.
    await this.sfn.recover();
    this.scheduler.recover();
    this.saveClock();
    this.clock.onVirtualTime = () => this.saveClock();
    if (this.clock.mode !== 'real') this.clockSaver = setInterval(() => this.saveClock(), 1000).unref();
  }

  private async ensureTable(): Promise<void> {
    const ddb = new DynamoDBClient({ endpoint: this.dynamoUrl, region: LOCAL_DEFAULTS.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      await ddb.send(new DescribeTableCommand({ TableName: TABLE.defaultName }));
      return;
    } catch (err) {
      if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
    }
    await createTable(ddb);
    ddb.destroy();
  }

  /** Runs a handler as one Lambda invocation of `fn`, timing it (the benchmark prices them at the function's memory). */
  async timed<T>(fn: string, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await invocationOf.run(fn, work);
    } finally {
      const t = (this.lambdaTime[fn] ??= { invocations: 0, ms: 0 });
      t.invocations++;
      t.ms += performance.now() - t0;
    }
  }

  saveClock(): void {
    if (this.clock.mode === 'real') return;
    const tmp = `${this.clockFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ now: this.clock.now() }));
    fs.renameSync(tmp, this.clockFile);
  }

  /** Virtual clock: run everything due until `until` and return when idle. */
  async advanceTo(until: number): Promise<void> {
    await this.clock.advance(until);
    this.saveClock();
  }

  async stop(): Promise<void> {
    if (this.clockSaver) clearInterval(this.clockSaver);
    this.saveClock();
    await this.api?.close();
    await this.scheduler.close();
    await this.lambda.close();
    await this.sfn.close();
    await this.fakes?.close(); // undefined when the start failed early
    await this.streams.close();
    this.clock.close();
    await new Promise<void>((resolve) => this.dynamoServer?.close(() => resolve()) ?? resolve());
  }
}
