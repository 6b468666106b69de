/**
 * The fake creditor webhook receiver (DESIGN §8 `GET /local/webhooks`): what creditors' webhook URLs received.
 * Served by the fake providers' server under `/creditor-webhooks/<name>` (any name: one per creditor in a test),
 * it records every POST — the raw body exactly as signed, the Maatwerk headers, the time (the shared clock) and what
 * it answered — and answers 204, or the status it was told to fail with for the next N deliveries
 * (`POST /local/webhooks/fail`), so retries can be tested. Durable in `<dataDir>/webhooks.jsonl`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import { readBody, sendEmpty, sendJson } from './http.js';

export const RECEIVER_PREFIX = '/creditor-webhooks/';

export interface ReceivedWebhook {
  seq: number;
  receiver: string;
  receivedAt: string;
  /** the Maatwerk-* headers and the Content-Type, names in lower case */
  headers: Record<string, string>;
  body: string;
  /** what the fake answered */
  status: number;
}

export function isReceiverPath(pathname: string): boolean {
  return pathname.startsWith(RECEIVER_PREFIX) && /^[A-Za-z0-9_-]{1,64}$/.test(pathname.slice(RECEIVER_PREFIX.length));
}

export class FakeWebhookReceiver {
  private readonly list: ReceivedWebhook[] = [];
  private failures: Array<{ receiver?: string; status: number; remaining: number }> = [];
  private readonly file?: string;

  constructor(private readonly clock: Clock, dataDir?: string) {
    if (!dataDir) return;
    fs.mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, 'webhooks.jsonl');
    if (!fs.existsSync(this.file)) return;
    for (const line of fs.readFileSync(this.file, 'utf8').split('\n')) {
      try {
        if (line.trim()) this.list.push(JSON.parse(line) as ReceivedWebhook);
      } catch {
        // a line torn by a kill: that delivery was never answered
      }
    }
  }

  received(receiver?: string): ReceivedWebhook[] {
    return this.list.filter((r) => !receiver || r.receiver === receiver).map((r) => ({ ...r, headers: { ...r.headers } }));
  }

  /** The next `times` deliveries (to `receiver`, or to any) are answered with `status`. */
  failNext(times: number, status: number, receiver?: string): void {
    this.failures.push({ ...(receiver ? { receiver } : {}), status, remaining: times });
  }

  pendingFailures(): number {
    return this.failures.reduce((n, f) => n + f.remaining, 0);
  }

  async handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const body = (await readBody(req, 1024 * 1024)).toString('utf8');
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
    const receiver = pathname.slice(RECEIVER_PREFIX.length);
    const failure = this.failures.find((f) => !f.receiver || f.receiver === receiver);
    if (failure && --failure.remaining <= 0) this.failures = this.failures.filter((f) => f !== failure);
    const status = failure?.status ?? 204;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if ((k.startsWith('maatwerk-') || k === 'content-type') && typeof v === 'string') headers[k] = v;
    const rec: ReceivedWebhook = { seq: this.list.length + 1, receiver, receivedAt: new Date(this.clock.now()).toISOString(), headers, body, status };
    if (this.file) fs.appendFileSync(this.file, JSON.stringify(rec) + '\n');
    this.list.push(rec);
    if (status === 204) sendEmpty(res, 204);
    else sendJson(res, status, { error: 'told to fail' });
  }
}
