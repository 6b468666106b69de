/**
 * Every Lambda function of the stack, in one table: what it runs (its own entry file, export `handler`), what goes
 * into its bundle, and how it is deployed. The CDK stack, the bundler (infra/build/bundle.ts), the bench's bundle
 * sizes and the tests all read this table.
 *
 * Adding a function: one entry here (entry file `functions/<folder>/<name>.ts` exporting `handler`, wrapped in
 * lambdaHandler from functions/shared/lambda.ts), then its permissions in stack.ts. Nothing else.
 *
 * Plain data (no CDK imports), so the bench and the bundler can load it cheaply.
 */
import type { Channel } from '../../functions/channels/render-contract.js';

export type FunctionName =
  | 'Api'
  | 'Reports'
  | 'Authorizer'
  | 'Webhooks'
  | 'Deliveries'
  | 'Payments'
  | 'Docs'
  | 'Decide'
  | 'SendEmail'
  | 'SendSms'
  | 'SendWhatsapp'
  | 'SendLetter'
  | 'CallTask'
  | 'Await'
  | 'Counters';

export interface FunctionSpec {
  /** repository-relative entry file; it exports `handler` */
  entry: string;
  /** POWERTOOLS_SERVICE_NAME = maatwerk-<service> (log and trace service) */
  service: string;
  description: string;
  memorySize: number;
  timeoutSeconds: number;
  /**
   * Channels whose templates (and only those) are embedded, precompiled, in the bundle, and whose provider
   * adapter and renderer parts it keeps; every other channel's adapter and renderer is left out of the bundle
   * (infra/build/bundle.ts). Undefined: the function renders nothing.
   */
  channels?: readonly Channel[];
  /**
   * Answers debtors' replies (functions/channels/render-answer.ts): the answer templates are embedded, precompiled,
   * and the SMS/WhatsApp adapter and SMS renderer stay in the bundle (no journey templates of those channels).
   */
  answers?: boolean;
  /** Largest allowed bundle (minified index.mjs) in bytes; the bench and the CDK tests fail above it. */
  budgetBytes: number;
}

const KB = 1000;
/** Issue 12: every bundle ≤ 250 KB minified, the letter function (pdfkit) ≤ 400 KB. */
export const DEFAULT_BUDGET_BYTES = 250 * KB;
export const LETTER_BUDGET_BYTES = 400 * KB;

export const FUNCTIONS: Record<FunctionName, FunctionSpec> = {
  Api: {
    entry: 'functions/api/handler.ts',
    service: 'api',
    description: 'Client REST API (/v1): dossiers, payments, debtors, call tasks, webhook registration',
    memorySize: 1024,
    timeoutSeconds: 15,
    budgetBytes: DEFAULT_BUDGET_BYTES,
  },
  Reports: {
    entry: 'functions/reports/handler.ts',
    service: 'reports',
    description: 'Client REST API reports (/v1, read-only): KPIs and experiment results',
    memorySize: 1024,
    timeoutSeconds: 15,
    budgetBytes: DEFAULT_BUDGET_BYTES,
  },
  Authorizer: {
    entry: 'functions/authorizer/handler.ts',
    service: 'authorizer',
    description: 'API Gateway REQUEST authorizer: hashed x-api-key → client id and role',
    memorySize: 512,
    timeoutSeconds: 5,
    budgetBytes: DEFAULT_BUDGET_BYTES,
  },
  Webhooks: {
    entry: 'functions/webhooks/handler.ts',
    service: 'webhooks',
    description: 'Twilio inbound/status and SendGrid event webhooks (signature-authenticated): replies classified and recorded',
    memorySize: 1024,
    timeoutSeconds: 15,
    budgetBytes: DEFAULT_BUDGET_BYTES,
  },
  Deliveries: {
    entry: 'functions/deliveries/handler.ts',
    service: 'deliveries',
    description: 'Answers to replies (from the reply path, or at 07:00 from their timer) and creditor notification attempts',
    memorySize: 1024,
    timeoutSeconds: 15,
    // It answers debtors' replies (templates/answer) over Twilio.
    answers: true,
    budgetBytes: DEFAULT_BUDGET_BYTES,
  },
  Payments: {
    entry: 'functions/debtor-page/handler.ts',
    service: 'payments',
    description: 'The debtor page (/p/{token}: claims, iDEAL checkout, payment plans, statements) and the Mollie payment webhook',
    memorySize: 1024,
    timeoutSeconds: 15,
    budgetBytes: DEFAULT_BUDGET_BYTES,
  },
  Docs: {
    entry: 'functions/docs/handler.ts',
    service: 'docs',
    description: 'The API description: GET /openapi.json (OpenAPI 3.1) and GET /docs',
    memorySize: 512,
    timeoutSeconds: 10,
    budgetBytes: DEFAULT_BUDGET_BYTES,
  },
  Decide: {
    entry: 'functions/decide/handler.ts',
    service: 'decide',
    description: 'Journey step: loads the case and decides the next action',
    memorySize: 1024,
    timeoutSeconds: 30,
    budgetBytes: DEFAULT_BUDGET_BYTES,
  },
  SendEmail: {
    entry: 'functions/channel-step/email.ts',
    service: 'channel-email',
    description: 'Journey step: sends an email (SendGrid) and parks the task token',
    memorySize: 512,
    timeoutSeconds: 30,
    channels: ['email'],
    budgetBytes: DEFAULT_BUDGET_BYTES,
  },
  SendSms: {
    entry: 'functions/channel-step/sms.ts',
    service: 'channel-sms',
    description: 'Journey step: sends an SMS (Twilio) and parks the task token',
    memorySize: 512,
    timeoutSeconds: 30,
    channels: ['sms'],
    budgetBytes: DEFAULT_BUDGET_BYTES,
  },
  SendWhatsapp: {
    entry: 'functions/channel-step/whatsapp.ts',
    service: 'channel-whatsapp',
    description: 'Journey step: sends a WhatsApp message (Twilio) and parks the task token',
    memorySize: 512,
    timeoutSeconds: 30,
    channels: ['whatsapp'],
    budgetBytes: DEFAULT_BUDGET_BYTES,
  },
  SendLetter: {
    entry: 'functions/channel-step/letter.ts',
    service: 'channel-letter',
    description: 'Journey step: renders the letter PDF, stores it, hands it to print-and-post',
    memorySize: 1536,
    timeoutSeconds: 60,
    channels: ['letter'],
    budgetBytes: LETTER_BUDGET_BYTES,
  },
  CallTask: {
    entry: 'functions/channel-step/call-task.ts',
    service: 'channel-call',
    description: 'Journey step: creates an agent call task holding the task token',
    memorySize: 512,
    timeoutSeconds: 30,
    channels: ['call'],
    budgetBytes: DEFAULT_BUDGET_BYTES,
  },
  Await: {
    entry: 'functions/channel-step/await.ts',
    service: 'channel-await',
    description: 'Journey step: parks the task token on the case until the next moment',
    memorySize: 512,
    timeoutSeconds: 30,
    channels: [],
    budgetBytes: DEFAULT_BUDGET_BYTES,
  },
  Counters: {
    entry: 'functions/counters/handler.ts',
    service: 'counters',
    description: 'Learning counters: adds a batch of the table stream’s counter increments, one ADD per counter item',
    memorySize: 512,
    timeoutSeconds: 60,
    budgetBytes: DEFAULT_BUDGET_BYTES,
  },
};

export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
