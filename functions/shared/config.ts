/**
 * Provider configuration. On AWS the credentials live in Secrets Manager (the stack passes *_SECRET_ARN;
 * Powertools caches them between invocations); locally they come from plain environment variables.
 * Base URLs are only set locally, to point the real SDKs at the fake providers.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { tracer } from './tracer.js';

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  smsFrom: string;
  whatsappFrom: string;
  apiBaseUrl?: string;
}
export interface SendgridConfig {
  apiKey: string;
  fromEmail: string;
  webhookPublicKey?: string;
  apiBaseUrl?: string;
}
export interface PrintConfig {
  url: string;
  apiKey: string;
}

let secrets: SecretsProvider | undefined;

async function fromSecret<T>(arnVar: string): Promise<Partial<T>> {
  const arn = process.env[arnVar];
  if (!arn) return {};
  // One provider per container: it caches each secret for maxAge, and its (traced) client is reused.
  secrets ??= new SecretsProvider({ awsSdkV3Client: tracer.captureAWSv3Client(new SecretsManagerClient({})) });
  const value = await secrets.get(arn, { transform: 'json', maxAge: 300 });
  return (value ?? {}) as Partial<T>;
}

function required<T extends object>(name: string, cfg: Partial<T>, fields: (keyof T)[]): T {
  const missing = fields.filter((f) => !cfg[f]);
  if (missing.length) throw new Error(`${name} configuration is missing ${missing.join(', ')}`);
  return cfg as T;
}

export async function twilioConfig(): Promise<TwilioConfig> {
  const env = process.env;
  const cfg: Partial<TwilioConfig> = {
    accountSid: env.TWILIO_ACCOUNT_SID,
    authToken: env.TWILIO_AUTH_TOKEN,
    smsFrom: env.TWILIO_SMS_FROM,
    whatsappFrom: env.TWILIO_WHATSAPP_FROM,
    apiBaseUrl: env.TWILIO_API_BASE_URL,
    ...(await fromSecret<TwilioConfig>('TWILIO_SECRET_ARN')),
  };
  return required('Twilio', cfg, ['accountSid', 'authToken', 'smsFrom', 'whatsappFrom']);
}

export async function sendgridConfig(): Promise<SendgridConfig> {
  const env = process.env;
  const cfg: Partial<SendgridConfig> = {
    apiKey: env.SENDGRID_API_KEY,
    fromEmail: env.SENDGRID_FROM,
    webhookPublicKey: env.SENDGRID_WEBHOOK_PUBLIC_KEY,
    apiBaseUrl: env.SENDGRID_API_BASE_URL,
    ...(await fromSecret<SendgridConfig>('SENDGRID_SECRET_ARN')),
  };
  return required('SendGrid', cfg, ['apiKey', 'fromEmail']);
}

export async function printConfig(): Promise<PrintConfig> {
  const env = process.env;
  const cfg: Partial<PrintConfig> = { url: env.PRINT_SERVICE_URL, apiKey: env.PRINT_API_KEY, ...(await fromSecret<PrintConfig>('PRINT_SECRET_ARN')) };
  return required('Print service', cfg, ['url', 'apiKey']);
}

/** Where the debtor page lives; each message's link token is appended (`<base><token>`). */
export function paymentLinkBase(): string {
  const base = process.env.PAYMENT_LINK_BASE ?? (process.env.PUBLIC_BASE_URL ? `${process.env.PUBLIC_BASE_URL.replace(/\/$/, '')}/p/` : undefined);
  return base ?? 'https://pay.example.invalid/p/';
}

/** The public base URL (redirects and webhooks point back at it). */
export function publicBaseUrl(): string {
  return (process.env.PUBLIC_BASE_URL ?? paymentLinkBase().replace(/\/p\/$/, '')).replace(/\/$/, '');
}

/**
 * The secret that seals the debtor page's link tokens (domain/page-token.ts). On AWS a generated Secrets Manager
 * secret ({ tokenSecret }, PAGE_SECRET_ARN); locally PAGE_TOKEN_SECRET, which the local runtime generates once per
 * data dir. Never a real secret in the repository.
 */
export async function pageTokenSecret(): Promise<string> {
  const fromEnv = process.env.PAGE_TOKEN_SECRET;
  const cfg = { tokenSecret: fromEnv, ...(await fromSecret<{ tokenSecret: string }>('PAGE_SECRET_ARN')) };
  if (!cfg.tokenSecret) throw new Error('Debtor page configuration is missing tokenSecret (PAGE_TOKEN_SECRET or PAGE_SECRET_ARN)');
  return cfg.tokenSecret;
}

/** How long a message's page link works (days): PAGE_LINK_DAYS, default 60. */
export function pageLinkDays(): number {
  const n = Number(process.env.PAGE_LINK_DAYS ?? 60);
  return Number.isFinite(n) && n > 0 ? n : 60;
}

export interface MollieConfig {
  apiKey: string;
  /** locally: the fake Mollie (http on loopback) */
  apiEndpoint?: string;
}

/** Mollie: MOLLIE_API_KEY (+ MOLLIE_API_ENDPOINT locally), or the secret at MOLLIE_SECRET_ARN ({ apiKey }). */
export async function mollieConfig(): Promise<MollieConfig> {
  const env = process.env;
  const cfg: Partial<MollieConfig> = { apiKey: env.MOLLIE_API_KEY, apiEndpoint: env.MOLLIE_API_ENDPOINT, ...(await fromSecret<MollieConfig>('MOLLIE_SECRET_ARN')) };
  return required('Mollie', cfg, ['apiKey']);
}
