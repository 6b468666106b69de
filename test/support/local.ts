/**
 * Test harness: a real local runtime (dynalite, the Step Functions emulator, fake providers, the API
 * server) in this test file's process, on a virtual clock and a fresh data dir. Tests talk to it over HTTP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import twilio from 'twilio';
import { LocalRuntime, type ClientSeed } from '../../infra/local/runtime.js';
import { LOCAL_DEFAULTS } from '../../infra/local/defaults.js';
import type { OutboxMessage } from '../../infra/local/api-server.js';

export const CLIENTS: ClientSeed[] = [
  { clientId: 'acme', name: 'Acme Energie B.V.', apiKey: 'key-acme' },
  { clientId: 'globex', name: 'Globex Telecom B.V.', apiKey: 'key-globex' },
  { clientId: 'agency', name: 'Incassobureau', apiKey: 'key-agency', agent: true },
];

export interface Harness {
  rt: LocalRuntime;
  url: string;
  dataDir: string;
  api(method: string, path: string, body?: unknown, opts?: { key?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: any }>;
  advance(until: string | { seconds: number }): Promise<void>;
  /** POST /local/streams/flush: answers when the learning counters' aggregator has had every write so far */
  flushStream(): Promise<{ pendingRecords: number; stats: Record<string, number>; failures: any[] }>;
  outbox(): Promise<OutboxMessage[]>;
  reply(from: string, body: string, opts?: { whatsapp?: boolean; signature?: string | null; messageSid?: string }): Promise<number>;
  stop(): Promise<void>;
}

export async function startLocal(opts: { start: string; dataDir?: string; env?: Record<string, string>; clients?: ClientSeed[] }): Promise<Harness> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-test-'));
  const rt = await LocalRuntime.start({
    dataDir,
    port: 0,
    env: { MAATWERK_CLOCK: 'virtual', MAATWERK_CLOCK_START: opts.start, ...(opts.env ?? {}) },
    clients: opts.clients ?? CLIENTS,
    quiet: true,
  });
  const url = rt.apiUrl;
  const h: Harness = {
    rt,
    url,
    dataDir,
    async api(method, p, body, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      const key = o.key === undefined ? 'key-acme' : o.key;
      if (key) headers['x-api-key'] = key;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${url}${p}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async advance(until) {
      const res = await fetch(`${url}/local/clock/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(typeof until === 'string' ? { until } : until),
      });
      if (res.status !== 200) throw new Error(`advance failed: ${res.status} ${await res.text()}`);
    },
    async flushStream() {
      const res = await fetch(`${url}/local/streams/flush`, { method: 'POST' });
      if (res.status !== 200) throw new Error(`stream flush failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as { pendingRecords: number; stats: Record<string, number>; failures: any[] };
    },
    async outbox() {
      const res = await fetch(`${url}/local/outbox`);
      return ((await res.json()) as { messages: OutboxMessage[] }).messages;
    },
    async reply(from, text, o = {}) {
      const target = `${url}/webhooks/twilio/inbound`;
      const prefix = o.whatsapp ? 'whatsapp:' : '';
      const params = {
        MessageSid: o.messageSid ?? `SM${Math.random().toString(16).slice(2).padEnd(32, '0')}`,
        AccountSid: LOCAL_DEFAULTS.twilioAccountSid,
        From: `${prefix}${from}`,
        To: `${prefix}${LOCAL_DEFAULTS.smsFrom}`,
        Body: text,
      };
      const signature = o.signature === undefined ? twilio.getExpectedTwilioSignature(rt.twilioAuthToken, target, params) : o.signature;
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
        body: new URLSearchParams(params).toString(),
      });
      await res.text();
      return res.status;
    },
    async stop() {
      await rt.stop();
    },
  };
  return h;
}

/**
 * A claim for a test debtor. People are one debtor only on strong evidence (the same name plus the same phone,
 * email or postal address): the default address follows from the phone/email given, so claims with the same
 * contact details are the same person and claims with other details are other people.
 */
export function dossierBody(overrides: Record<string, unknown> = {}, debtor: Record<string, unknown> = {}) {
  const contact = String(debtor.phone ?? debtor.email ?? '+31612345678');
  let house = 0;
  for (const ch of contact) house = (house * 31 + ch.charCodeAt(0)) % 997;
  return {
    reference: `INV-${Math.random().toString(36).slice(2, 8)}`,
    principal: 12_500,
    dueDate: '2026-02-01',
    description: 'Energierekening januari',
    debtor: {
      name: 'Sam Voorbeeld',
      email: 'sam@example.invalid',
      phone: '+31612345678',
      consumer: true,
      address: { line1: `Dorpsstraat ${house + 1}`, postalCode: '1234 AB', city: 'Utrecht' },
      ...debtor,
    },
    ...overrides,
  };
}
