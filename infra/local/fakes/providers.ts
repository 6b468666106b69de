/**
 * FakeProviders: one HTTP server on 127.0.0.1 that speaks enough of Twilio's, SendGrid's and our
 * print-and-post service's HTTP APIs for the REAL SDKs to talk to it, plus a durable record of what
 * it received and the outbound webhooks those providers send (Twilio status callbacks, SendGrid
 * signed event batches). All times come from the shared Clock.
 *
 * Routes:  /2010-04-01/…  Twilio (see twilio.ts)     /twilio-hosts/{host}/…  other Twilio hosts (404)
 *          /v3/…          SendGrid (see sendgrid.ts)  /v1/letters…           print (see print.ts)
 */
import crypto from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from '../clock.js';
import { BodyTooLarge, sendJson } from './http.js';
import { handlePrint, isPrintPath, isPrintSend, printError } from './print.js';
import {
  EVENT_SIGNATURE_HEADER,
  EVENT_TIMESTAMP_HEADER,
  handleSendgrid,
  isSendgridPath,
  isSendgridSend,
  sendgridError,
  signSendgridEvents,
} from './sendgrid.js';
import { MessageStatus, ProviderName, ProviderRecord, RecordStore } from './store.js';
import { handleTwilio, isTwilioList, isTwilioPath, isTwilioSend, statusCallbackParams, twilioError, twilioSignature } from './twilio.js';
import { FakeMollie, isMolliePath } from './mollie.js';
import { FakeWebhookReceiver, isReceiverPath } from './webhook-receiver.js';

export interface FakeProvidersOptions {
  clock: Clock;
  /** Directory for records.jsonl, status.jsonl and letters/; undefined = memory only. */
  dataDir?: string;
  twilioAuthToken: string;
  twilioAccountSid: string;
  /** Private key (EC P-256) that signs SendGrid event webhooks. */
  sendgridEventKey?: crypto.KeyObject;
  /** Where sendgridEvents() posts by default (e.g. `${PUBLIC_BASE_URL}/webhooks/sendgrid/events`). */
  sendgridEventWebhookUrl?: string;
  /** When set, SendGrid requests must carry exactly this Bearer key; otherwise any non-empty key is accepted. */
  sendgridApiKey?: string;
  /** When set, print requests must carry exactly this Bearer key; otherwise any non-empty key is accepted. */
  printApiKey?: string;
  /** Where the fake Mollie's checkout page is (`${base}${paymentId}`); default `${fakes}/checkout/`. */
  mollieCheckoutBase?: () => string;
}

export type FaultKind = '429' | '500' | 'timeout' | '400';

export interface Fault {
  provider: ProviderName;
  kind: FaultKind;
  /** How many of the next send requests (Twilio message create, SendGrid mail send, print letter) fail. */
  times: number;
  /** Which requests fail: sends (default), or Twilio's message list (GET …/Messages.json). */
  on?: 'send' | 'list';
  /** timeout only: how long to hold the request before dropping the connection (default 35 000 ms, past the Twilio SDK's 30 s). */
  holdMs?: number;
  /** 400 only: the Twilio error code (default 21610, unsubscribed recipient) or the SendGrid/print message. */
  code?: number;
  message?: string;
}

export type DeliveryStatus = Exclude<MessageStatus, 'accepted'>;

const DEFAULT_HOLD_MS = 35_000;
const WEBHOOK_TIMEOUT_MS = 15_000;

interface QueuedFault extends Fault {
  remaining: number;
}

export class FakeProviders {
  private readonly clock: Clock;
  private readonly store: RecordStore;
  private readonly opts: FakeProvidersOptions;
  private readonly faults: Record<ProviderName, QueuedFault[]> = { twilio: [], sendgrid: [], print: [] };
  private readonly held = new Map<Socket, NodeJS.Timeout>();
  private server: http.Server | undefined;
  private base: string | undefined;
  /** The fake Mollie (Payments API v2 under /v2/payments, with scriptable checkout, refunds and chargebacks). */
  readonly mollie: FakeMollie;
  /** The fake creditor webhook receiver (`/creditor-webhooks/<name>`; GET /local/webhooks shows what it got). */
  readonly webhooks: FakeWebhookReceiver;

  constructor(opts: FakeProvidersOptions) {
    if (!opts.twilioAccountSid.startsWith('AC')) throw new Error('twilioAccountSid must start with AC (the SDK refuses anything else)');
    if (!opts.twilioAuthToken) throw new Error('twilioAuthToken is required');
    this.opts = opts;
    this.clock = opts.clock;
    this.store = new RecordStore(opts.dataDir);
    this.webhooks = new FakeWebhookReceiver(this.clock, opts.dataDir);
    this.mollie = new FakeMollie({
      clock: this.clock,
      dataDir: opts.dataDir,
      checkoutBase: opts.mollieCheckoutBase ?? (() => `${this.base}/checkout/`),
      post: (url, body, headers) => this.post(url, body, headers),
    });
  }

  /** Starts the one HTTP server (127.0.0.1, port 0 = any free port) and returns its base URL. */
  async listen(port = 0): Promise<string> {
    if (this.server) throw new Error('FakeProviders is already listening');
    const server = http.createServer((req, res) => this.route(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('unexpected server address');
    this.base = `http://127.0.0.1:${address.port}`;
    return this.base;
  }

  get baseUrl(): string | undefined {
    return this.base;
  }

  /** Everything received, in receive order (copies). */
  records(): ProviderRecord[] {
    return this.store.records();
  }

  record(id: string): ProviderRecord | undefined {
    const r = this.store.get(id);
    return r && { ...r };
  }

  pdf(id: string): Buffer | undefined {
    return this.store.pdf(id);
  }

  /**
   * Calls `listener` with every message, e-mail or letter the fakes accept from now on (after it is recorded, before
   * the answer goes back), e.g. to script its statuses later on the clock (the benchmark's statuses scenario). A
   * listener must not throw; returns its removal.
   */
  onAccepted(listener: (r: ProviderRecord) => void): () => void {
    return this.store.onAppend(listener);
  }

  /** The next `times` send requests to `provider` fail with `kind`. Faults queue up in call order. */
  inject(fault: Fault): void {
    if (!Number.isInteger(fault.times) || fault.times <= 0) throw new Error('fault.times must be a positive integer');
    this.faults[fault.provider].push({ ...fault, remaining: fault.times });
  }

  /** Faults not yet used up, per provider. */
  pendingFaults(): Record<ProviderName, number> {
    const count = (p: ProviderName) => this.faults[p].reduce((n, f) => n + f.remaining, 0);
    return { twilio: count('twilio'), sendgrid: count('sendgrid'), print: count('print') };
  }

  /**
   * Twilio: records the new status of message `id` (GET …/Messages/{id}.json shows it) and, when the
   * message carried a StatusCallback, POSTs Twilio's form-encoded status callback there, signed with
   * X-Twilio-Signature (HMAC-SHA1 with the auth token over that exact URL + sorted params).
   * Rejects when the id is unknown, when the callback cannot be reached, or answers non-2xx.
   * A message without StatusCallback only changes status (Twilio posts nothing either).
   */
  async deliverStatus(id: string, status: DeliveryStatus, opts: { errorCode?: number } = {}): Promise<void> {
    const record = this.store.get(id);
    if (!record || record.provider !== 'twilio') throw new Error(`no Twilio message ${id}`);
    const errorCode =
      opts.errorCode ?? (status === 'undelivered' ? 30003 : status === 'failed' ? 30008 : undefined);
    this.store.setStatus({
      id,
      status,
      ...(errorCode !== undefined && { errorCode }),
      at: new Date(this.clock.now()).toISOString(),
    });
    if (!record.statusCallback) return;
    const url = record.statusCallback;
    const params = statusCallbackParams(this.opts.twilioAccountSid, record, status, errorCode);
    const signature = twilioSignature(this.opts.twilioAuthToken, url, params);
    await this.post(url, new URLSearchParams(params).toString(), {
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
      'User-Agent': 'TwilioProxy/1.1',
      'X-Twilio-Signature': signature,
      'I-Twilio-Idempotency-Token': crypto.randomUUID(),
    });
  }

  /**
   * SendGrid: POSTs one event webhook batch (a JSON array, exactly these bytes are signed) to `url`
   * or the configured sendgridEventWebhookUrl, signed ECDSA P-256 over `timestamp + body` with
   * X-Twilio-Email-Event-Webhook-Signature / -Timestamp (timestamp = clock seconds). Events without a
   * `timestamp` get the clock's. Rejects when no key/URL is configured or the receiver answers non-2xx.
   */
  async sendgridEvents(events: object[], opts: { url?: string } = {}): Promise<void> {
    const url = opts.url ?? this.opts.sendgridEventWebhookUrl;
    if (!url) throw new Error('no SendGrid event webhook URL: pass { url } or set sendgridEventWebhookUrl');
    const key = this.opts.sendgridEventKey;
    if (!key) throw new Error('no sendgridEventKey configured to sign SendGrid events');
    const seconds = Math.floor(this.clock.now() / 1000);
    const batch = events.map((e) => ('timestamp' in e ? e : { ...e, timestamp: seconds }));
    const rawBody = JSON.stringify(batch);
    const timestamp = String(seconds);
    await this.post(url, rawBody, {
      'Content-Type': 'application/json',
      'User-Agent': 'SendGrid Event API',
      [EVENT_SIGNATURE_HEADER]: signSendgridEvents(key, timestamp, rawBody),
      [EVENT_TIMESTAMP_HEADER]: timestamp,
    });
  }

  /**
   * A realistic SendGrid event for a recorded e-mail: email, event, sg_message_id, sg_event_id,
   * timestamp, and the custom_args as top-level fields (as SendGrid does). `extra` overrides.
   */
  sendgridEventFor(id: string, event: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const record = this.store.get(id);
    if (!record || record.provider !== 'sendgrid') throw new Error(`no SendGrid message ${id}`);
    const base = id.split('.')[0];
    return {
      ...(record.customArgs ?? {}),
      email: record.to,
      timestamp: Math.floor(this.clock.now() / 1000),
      event,
      sg_event_id: crypto.randomBytes(16).toString('base64url').slice(0, 22),
      sg_message_id: `${base}.recvd-fake-${crypto.randomBytes(4).toString('hex')}-${id.includes('.') ? id.split('.')[1] : '0'}`,
      ...extra,
    };
  }

  async close(): Promise<void> {
    for (const [socket, timer] of this.held) {
      clearTimeout(timer);
      socket.destroy();
    }
    this.held.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // ---- internals ----

  private route(req: IncomingMessage, res: ServerResponse): void {
    const end = this.clock.activity.begin();
    res.on('close', end);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const pathname = url.pathname;
    let provider: ProviderName | undefined;
    let send = false;
    let list = false;
    if (isReceiverPath(pathname)) {
      this.webhooks.handle(req, res, pathname).catch(() => {
        if (!res.headersSent) sendJson(res, 500, { error: 'fake receiver failed' });
        else res.destroy();
      });
      return;
    }
    if (isMolliePath(pathname)) {
      this.mollie.handle(req, res, url, this.base!).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, err instanceof BodyTooLarge ? 413 : 500, { status: 500, title: 'Internal Server Error', detail: `fake mollie failed: ${(err as Error).message}` });
        else res.destroy();
      });
      return;
    }
    if (isTwilioPath(pathname)) {
      provider = 'twilio';
      send = isTwilioSend(method, pathname);
      list = isTwilioList(method, pathname);
    } else if (isSendgridPath(pathname)) {
      provider = 'sendgrid';
      send = isSendgridSend(method, pathname);
    } else if (isPrintPath(pathname)) {
      provider = 'print';
      send = isPrintSend(method, pathname);
    }
    if (!provider) {
      req.resume();
      if (method === 'GET' && pathname === '/') {
        sendJson(res, 200, { fakes: ['twilio', 'sendgrid', 'print', 'mollie'], records: this.store.records().length });
      } else {
        sendJson(res, 404, { error: `${method} ${pathname}: no fake provider serves this path` });
      }
      return;
    }
    if (send || list) {
      const fault = this.takeFault(provider, send ? 'send' : 'list');
      if (fault) {
        this.applyFault(provider, fault, req, res);
        return;
      }
    }
    const work =
      provider === 'twilio'
        ? handleTwilio(
            { clock: this.clock, store: this.store, accountSid: this.opts.twilioAccountSid, authToken: this.opts.twilioAuthToken },
            req,
            res,
            url,
          )
        : provider === 'sendgrid'
          ? handleSendgrid({ clock: this.clock, store: this.store, apiKey: this.opts.sendgridApiKey }, req, res, url)
          : handlePrint({ clock: this.clock, store: this.store, apiKey: this.opts.printApiKey }, req, res, url);
    work.catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof BodyTooLarge) {
        sendJson(res, 413, { error: err.message }, { Connection: 'close' });
        return;
      }
      sendJson(res, 500, { error: `fake ${provider} failed: ${(err as Error).message}` });
    });
  }

  private takeFault(provider: ProviderName, on: 'send' | 'list'): QueuedFault | undefined {
    const queue = this.faults[provider];
    const i = queue.findIndex((f) => (f.on ?? 'send') === on);
    if (i < 0) return undefined;
    const fault = queue[i];
    fault.remaining--;
    if (fault.remaining <= 0) queue.splice(i, 1);
    return fault;
  }

  private applyFault(provider: ProviderName, fault: QueuedFault, req: IncomingMessage, res: ServerResponse): void {
    req.resume(); // drain the body; nothing is recorded
    if (fault.kind === 'timeout') {
      const socket = req.socket;
      const timer = setTimeout(() => {
        this.held.delete(socket);
        socket.destroy();
      }, fault.holdMs ?? DEFAULT_HOLD_MS);
      this.held.set(socket, timer);
      res.on('close', () => {
        clearTimeout(timer);
        this.held.delete(socket);
      });
      return;
    }
    const status = Number(fault.kind);
    if (provider === 'twilio') {
      if (status === 429) twilioError(res, 429, 20429, fault.message ?? 'Too Many Requests', { 'Retry-After': '1' });
      else if (status === 500) twilioError(res, 500, 20500, fault.message ?? 'An internal server error has occurred');
      else twilioError(res, 400, fault.code ?? 21610, fault.message ?? 'Attempt to send to unsubscribed recipient');
    } else if (provider === 'sendgrid') {
      if (status === 429) {
        const reset = String(Math.floor(this.clock.now() / 1000) + 1);
        sendgridError(res, 429, fault.message ?? 'too many requests', null, {
          'X-RateLimit-Limit': '600',
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': reset,
        });
      } else if (status === 500) sendgridError(res, 500, fault.message ?? 'internal error');
      else sendgridError(res, 400, fault.message ?? 'Bad Request');
    } else {
      const code = status === 429 ? 'rate_limited' : status === 500 ? 'internal_error' : 'invalid_request';
      printError(res, status, code, fault.message ?? `injected ${fault.kind}`);
    }
  }

  private async post(url: string, body: string, headers: Record<string, string>): Promise<void> {
    await this.clock.activity.track(async () => {
      const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`webhook ${new URL(url).pathname} answered ${res.status}`);
    });
  }
}
