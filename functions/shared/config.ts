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

/** Where debtors pay; the dossier reference is appended. */
export function paymentLinkBase(): string {
  return process.env.PAYMENT_LINK_BASE ?? 'https://pay.example.invalid/p/';
}
