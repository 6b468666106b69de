/**
 * The Mollie adapter (@mollie/api-client): iDEAL first, the method Dutch debtors use. Locally the real client
 * talks to the fake Mollie over HTTP: the SDK always builds an https.Agent (pinned to its own CA bundle), so for a
 * loopback http:// endpoint — local only, refused for any other host — the client is constructed with Node's
 * http.Agent in its place. Nothing else differs from production.
 */
import http from 'node:http';
import https from 'node:https';
import { createMollieClient, type Payment, PaymentMethod } from '@mollie/api-client';
import type { MollieConfig } from '../shared/config.js';
import { type NewProviderPayment, type PaymentMetadata, type PaymentProvider, type ProviderPayment, type ProviderPaymentStatus, toCents, toValue } from './port.js';

type MollieClient = ReturnType<typeof createMollieClient>;

const LOOPBACK_HTTP = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//;

function clientFor(cfg: MollieConfig): MollieClient {
  if (!cfg.apiEndpoint || cfg.apiEndpoint.startsWith('https://')) return createMollieClient({ apiKey: cfg.apiKey, ...(cfg.apiEndpoint ? { apiEndpoint: cfg.apiEndpoint } : {}) });
  if (!LOOPBACK_HTTP.test(cfg.apiEndpoint)) throw new Error('MOLLIE_API_ENDPOINT must be https (plain http only on loopback, for the local fake)');
  const mutable = https as unknown as { Agent: unknown };
  const original = mutable.Agent;
  mutable.Agent = class extends http.Agent {};
  try {
    return createMollieClient({ apiKey: cfg.apiKey, apiEndpoint: cfg.apiEndpoint });
  } finally {
    mutable.Agent = original;
  }
}

function metadataOf(raw: unknown): PaymentMetadata | undefined {
  const m = raw as Partial<PaymentMetadata> | null;
  if (!m || typeof m.debtorId !== 'string' || !Array.isArray(m.allocation) || typeof m.scope !== 'string') return undefined;
  if (!m.allocation.every((x) => Array.isArray(x) && typeof x[0] === 'string' && Number.isSafeInteger(x[1]) && (x[1] as number) > 0)) return undefined;
  return { debtorId: m.debtorId, allocation: m.allocation as Array<[string, number]>, scope: m.scope };
}

function fromMollie(p: Payment): ProviderPayment {
  return {
    id: p.id,
    status: p.status as ProviderPaymentStatus,
    amount: toCents(p.amount.value),
    amountRefunded: p.amountRefunded ? toCents(p.amountRefunded.value) : 0,
    amountChargedBack: p.amountChargedBack ? toCents(p.amountChargedBack.value) : 0,
    ...(p.paidAt ? { paidAt: p.paidAt } : {}),
    ...(p.getCheckoutUrl() ? { checkoutUrl: p.getCheckoutUrl()! } : {}),
    ...(p.method ? { method: String(p.method) } : {}),
    ...(metadataOf(p.metadata) ? { metadata: metadataOf(p.metadata)! } : {}),
  };
}

export class MolliePayments implements PaymentProvider {
  private readonly client: MollieClient;

  constructor(cfg: MollieConfig) {
    this.client = clientFor(cfg);
  }

  async createPayment(p: NewProviderPayment): Promise<ProviderPayment> {
    const payment = await this.client.payments.create({
      amount: { currency: 'EUR', value: toValue(p.amount) },
      description: p.description,
      redirectUrl: p.redirectUrl,
      webhookUrl: p.webhookUrl,
      method: PaymentMethod.ideal,
      metadata: p.metadata,
      ...(p.locale ? { locale: p.locale as never } : {}),
      idempotencyKey: p.idempotencyKey,
    });
    return fromMollie(payment);
  }

  async getPayment(id: string): Promise<ProviderPayment | undefined> {
    try {
      return fromMollie(await this.client.payments.get(id));
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }
}
