/**
 * Fake Mollie Payments API v2 (the part the project uses), for the Mollie adapter (functions/payments/mollie.ts, which
 * sends what @mollie/api-client sends; test/unit/mollie-client.test.ts runs both against this fake too):
 *
 *   POST /v2/payments            Bearer test_… / live_… key; JSON { amount {currency, value}, description, redirectUrl,
 *                                webhookUrl, method?, metadata?, locale? }; Idempotency-Key honoured (same key → same
 *                                payment) → 201 payment resource with _links.checkout (the fake checkout page)
 *   GET  /v2/payments/{id}       → 200 the payment with its current status, amountRefunded, amountChargedBack; 404
 *
 * Errors have Mollie's shape `{ status, title, detail, field?, _links }`, which the adapter (like the SDK) turns into an ApiError.
 * Like Mollie's test mode, a script decides what happens at the checkout (`setStatus`: paid, failed, expired,
 * canceled — from open only), and refunds and chargebacks of a paid payment can be made (`refund`, `chargeback`).
 * Every change posts Mollie's webhook: form-encoded `id=tr_…` and nothing else, so the receiver must fetch the
 * payment to learn what happened. Durable under dataDir (mollie.jsonl: the payment after every change).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import { bearer, readBody, sendJson } from './http.js';

export type MollieStatus = 'open' | 'paid' | 'failed' | 'expired' | 'canceled';

export interface FakeMolliePayment {
  id: string;
  createdAt: string;
  amount: { currency: 'EUR'; value: string };
  description: string;
  redirectUrl: string;
  webhookUrl?: string;
  method: string;
  metadata: unknown;
  locale?: string;
  status: MollieStatus;
  paidAt?: string;
  failedAt?: string;
  expiredAt?: string;
  canceledAt?: string;
  /** cents */
  refunded: number;
  chargedBack: number;
  idempotencyKey?: string;
}

export function isMolliePath(pathname: string): boolean {
  return pathname === '/v2/payments' || pathname.startsWith('/v2/payments/');
}

export const isMollieSend = (method: string, pathname: string) => method === 'POST' && pathname === '/v2/payments';

const cents = (value: string) => {
  const [w, f = ''] = value.split('.');
  return Number(w) * 100 + Number(f.padEnd(2, '0'));
};
const value = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;

export function mollieError(res: ServerResponse, status: number, title: string, detail: string, field?: string): void {
  sendJson(res, status, { status, title, detail, ...(field ? { field } : {}), _links: { documentation: { href: 'https://docs.mollie.com/overview/handling-errors', type: 'text/html' } } }, { 'Content-Type': 'application/hal+json' });
}

export class FakeMollie {
  private readonly payments = new Map<string, FakeMolliePayment>();
  private readonly byKey = new Map<string, string>();
  private readonly file?: string;

  constructor(
    private readonly opts: {
      clock: Clock;
      dataDir?: string;
      /** where the fake checkout page is: `${checkoutBase}${id}` */
      checkoutBase: () => string;
      /** posts the webhook (tracked as activity by the caller) */
      post: (url: string, body: string, headers: Record<string, string>) => Promise<void>;
    },
  ) {
    if (opts.dataDir) {
      fs.mkdirSync(opts.dataDir, { recursive: true });
      this.file = path.join(opts.dataDir, 'mollie.jsonl');
      if (fs.existsSync(this.file)) {
        for (const line of fs.readFileSync(this.file, 'utf8').split('\n')) {
          if (!line.trim()) continue;
          try {
            this.keep(JSON.parse(line) as FakeMolliePayment, false);
          } catch {
            // a torn last line: that change was never answered
          }
        }
      }
    }
  }

  get(id: string): FakeMolliePayment | undefined {
    const p = this.payments.get(id);
    return p && { ...p };
  }

  list(): FakeMolliePayment[] {
    return [...this.payments.values()].map((p) => ({ ...p }));
  }

  private keep(p: FakeMolliePayment, write = true): void {
    if (write && this.file) fs.appendFileSync(this.file, `${JSON.stringify(p)}\n`);
    this.payments.set(p.id, p);
    if (p.idempotencyKey) this.byKey.set(p.idempotencyKey, p.id);
  }

  private now(): string {
    return new Date(this.opts.clock.now()).toISOString();
  }

  /** What the checkout decided (Mollie test mode's buttons): from open to paid, failed, expired or canceled. */
  async setStatus(id: string, status: Exclude<MollieStatus, 'open'>): Promise<FakeMolliePayment> {
    const p = this.payments.get(id);
    if (!p) throw Object.assign(new Error(`no payment ${id}`), { status: 404 });
    if (p.status !== 'open') throw Object.assign(new Error(`payment ${id} is ${p.status}, not open`), { status: 409 });
    const at = this.now();
    const next: FakeMolliePayment = { ...p, status, [`${status === 'canceled' ? 'canceled' : status}At`]: at };
    this.keep(next);
    await this.notify(next);
    return { ...next };
  }

  /** A refund (or chargeback) of part or all of a paid payment. */
  async reverse(id: string, kind: 'refund' | 'chargeback', amountCents: number): Promise<FakeMolliePayment> {
    const p = this.payments.get(id);
    if (!p) throw Object.assign(new Error(`no payment ${id}`), { status: 404 });
    if (p.status !== 'paid') throw Object.assign(new Error(`payment ${id} is ${p.status}: only a paid payment can be refunded or charged back`), { status: 409 });
    const left = cents(p.amount.value) - p.refunded - p.chargedBack;
    if (amountCents > left) throw Object.assign(new Error(`only ${left} cents of payment ${id} can still be taken back`), { status: 422 });
    const next = kind === 'refund' ? { ...p, refunded: p.refunded + amountCents } : { ...p, chargedBack: p.chargedBack + amountCents };
    this.keep(next);
    await this.notify(next);
    return { ...next };
  }

  private async notify(p: FakeMolliePayment): Promise<void> {
    if (!p.webhookUrl) return;
    await this.opts.post(p.webhookUrl, new URLSearchParams({ id: p.id }).toString(), { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'Mollie.nl HTTP client/1.0' });
  }

  resource(p: FakeMolliePayment, base: string): Record<string, unknown> {
    const total = cents(p.amount.value);
    return {
      resource: 'payment',
      id: p.id,
      mode: 'test',
      createdAt: p.createdAt,
      amount: p.amount,
      description: p.description,
      method: p.method,
      metadata: p.metadata,
      status: p.status,
      isCancelable: false,
      ...(p.status === 'open' ? { expiresAt: new Date(Date.parse(p.createdAt) + 15 * 60_000).toISOString() } : {}),
      ...(p.paidAt ? { paidAt: p.paidAt } : {}),
      ...(p.failedAt ? { failedAt: p.failedAt } : {}),
      ...(p.expiredAt ? { expiredAt: p.expiredAt } : {}),
      ...(p.canceledAt ? { canceledAt: p.canceledAt } : {}),
      ...(p.status === 'paid' ? { amountRefunded: { currency: 'EUR', value: value(p.refunded) }, amountRemaining: { currency: 'EUR', value: value(total - p.refunded - p.chargedBack) } } : {}),
      ...(p.chargedBack ? { amountChargedBack: { currency: 'EUR', value: value(p.chargedBack) } } : {}),
      ...(p.locale ? { locale: p.locale } : {}),
      profileId: 'pfl_local0000',
      sequenceType: 'oneoff',
      redirectUrl: p.redirectUrl,
      ...(p.webhookUrl ? { webhookUrl: p.webhookUrl } : {}),
      _links: {
        self: { href: `${base}/v2/payments/${p.id}`, type: 'application/hal+json' },
        ...(p.status === 'open' ? { checkout: { href: `${this.opts.checkoutBase()}${p.id}`, type: 'text/html' } } : {}),
        documentation: { href: 'https://docs.mollie.com/reference/get-payment', type: 'text/html' },
      },
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, base: string): Promise<void> {
    const key = bearer(req);
    if (!key || !/^(test|live)_\w{10,}$/.test(key)) {
      req.resume();
      return mollieError(res, 401, 'Unauthorized Request', 'Missing authentication, or failed to authenticate');
    }
    const method = req.method ?? 'GET';
    const one = /^\/v2\/payments\/([A-Za-z0-9_]+)$/.exec(url.pathname);
    if (method === 'GET' && one) {
      req.resume();
      const p = this.payments.get(one[1]);
      if (!p) return mollieError(res, 404, 'Not Found', `No payment exists with token ${one[1]}.`);
      return sendJson(res, 200, this.resource(p, base), { 'Content-Type': 'application/hal+json' });
    }
    if (method !== 'POST' || url.pathname !== '/v2/payments') {
      req.resume();
      return mollieError(res, 404, 'Not Found', `${method} ${url.pathname} is not emulated by the local Mollie fake`);
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readBody(req, 256 * 1024)).toString('utf8')) as Record<string, unknown>;
    } catch {
      return mollieError(res, 400, 'Bad Request', 'The request body is not valid JSON');
    }
    const idem = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
    if (idem && this.byKey.has(idem)) return sendJson(res, 201, this.resource(this.payments.get(this.byKey.get(idem)!)!, base), { 'Content-Type': 'application/hal+json' });
    const amount = body.amount as { currency?: unknown; value?: unknown } | undefined;
    if (!amount || amount.currency !== 'EUR' || typeof amount.value !== 'string' || !/^\d+\.\d{2}$/.test(amount.value) || cents(amount.value) < 1) {
      return mollieError(res, 422, 'Unprocessable Entity', 'The amount is invalid: EUR with two decimals, at least 0.01', 'amount');
    }
    if (typeof body.description !== 'string' || !body.description.trim() || body.description.length > 255) return mollieError(res, 422, 'Unprocessable Entity', 'The description is invalid', 'description');
    for (const f of ['redirectUrl', 'webhookUrl'] as const) {
      const v = body[f];
      if (v === undefined && f === 'webhookUrl') continue;
      if (typeof v !== 'string' || !/^https?:\/\//.test(v)) return mollieError(res, 422, 'Unprocessable Entity', `The ${f} is invalid`, f);
    }
    const p: FakeMolliePayment = {
      id: `tr_${crypto.randomBytes(8).toString('base64url').replace(/[-_]/g, 'x')}`,
      createdAt: this.now(),
      amount: { currency: 'EUR', value: amount.value },
      description: body.description,
      redirectUrl: body.redirectUrl as string,
      ...(typeof body.webhookUrl === 'string' ? { webhookUrl: body.webhookUrl } : {}),
      method: typeof body.method === 'string' ? body.method : 'ideal',
      metadata: body.metadata ?? null,
      ...(typeof body.locale === 'string' ? { locale: body.locale } : {}),
      status: 'open',
      refunded: 0,
      chargedBack: 0,
      ...(idem ? { idempotencyKey: idem } : {}),
    };
    this.keep(p);
    sendJson(res, 201, this.resource(p, base), { 'Content-Type': 'application/hal+json' });
  }
}
