/**
 * The HTTP edge as the local API stand-in runs it (infra/local/api-server.ts), and the authorizer itself:
 * - the same authorizer function as on AWS decides on every client route, its answer cached per key;
 * - a per-key rate limit (WAF on AWS) answers 429 with Retry-After, in the API's error shape;
 * - the business metrics are emitted where the events happen (a journey run end to end, observed with onMetric).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as authorize } from '../../functions/authorizer/handler.js';
import { resetAdapters } from '../../functions/services/channel-step.js';
import { type MetricEvent, onMetric } from '../../functions/shared/metrics.js';
import { CLIENT_RATE_LIMIT } from '../../functions/shared/routes.js';
import { twilioSignature } from '../../functions/webhooks/signatures.js';
import { RateLimit } from '../../infra/local/api-server.js';
import { LOCAL_DEFAULTS } from '../../infra/local/defaults.js';
import { LocalRuntime } from '../../infra/local/runtime.js';

const LIMIT = 8;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-edge-'));
const events: MetricEvent[] = [];
let stopObserving: () => void;
let rt: LocalRuntime;

async function call(method: string, p: string, key: string | null, body?: unknown) {
  const res = await fetch(`${rt.apiUrl}${p}`, {
    method,
    headers: { ...(key ? { 'x-api-key': key } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
const advance = (until: string) => fetch(`${rt.apiUrl}/local/clock/advance`, { method: 'POST', body: JSON.stringify({ until }) }).then((r) => r.text());
const count = (name: string, dims: Record<string, string> = {}) =>
  events.filter((e) => e.name === name && Object.entries(dims).every(([k, v]) => e.dimensions[k] === v)).reduce((n, e) => n + e.value, 0);

beforeAll(async () => {
  stopObserving = onMetric((e) => events.push(e));
  process.env.MAATWERK_RATE_LIMIT = `${LIMIT}/60`;
  rt = await LocalRuntime.start({
    dataDir,
    port: 0,
    env: { MAATWERK_CLOCK: 'virtual', MAATWERK_CLOCK_START: '2026-03-02T08:00:00Z' },
    clients: [
      { clientId: 'acme', name: 'Acme Energie B.V.', apiKey: 'key-acme' },
      { clientId: 'busy', name: 'Busy B.V.', apiKey: 'key-busy' },
      { clientId: 'metrics', name: 'Metrics B.V.', apiKey: 'key-metrics' },
      { clientId: 'agency', name: 'Incassobureau', apiKey: 'key-agency', agent: true },
      { clientId: 'settled', name: 'Zon Energie B.V.', apiKey: 'key-settled', vatOnCosts: true, claimsInterest: true, businessCosts: { type: 'fixed', amountCents: 25_00 } },
    ],
    quiet: true,
  });
});
afterAll(async () => {
  stopObserving?.();
  delete process.env.MAATWERK_RATE_LIMIT;
  await rt?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('API key authorizer', () => {
  const request = (key?: string): APIGatewayRequestAuthorizerEvent =>
    ({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/v1/dossiers/{dossierId}',
      headers: key ? { 'X-Api-Key': key } : {},
      requestContext: { requestId: 'r1' },
    }) as unknown as APIGatewayRequestAuthorizerEvent;

  it('maps a key to its client and role, allowing the whole stage (one cached answer serves every route)', async () => {
    const creditor = await authorize(request('key-acme'));
    expect(creditor.principalId).toBe('acme');
    expect(creditor.context).toEqual({ clientId: 'acme', role: 'creditor', clientName: 'Acme Energie B.V.' });
    expect(creditor.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*' },
    ]);
    expect((await authorize(request('key-agency'))).context).toMatchObject({ clientId: 'agency', role: 'agent' });
  });

  it('passes on the client settings the intake needs, in values a context can hold (the agreement as JSON)', async () => {
    expect((await authorize(request('key-settled'))).context).toEqual({
      clientId: 'settled',
      role: 'creditor',
      clientName: 'Zon Energie B.V.',
      vatOnCosts: true,
      claimsInterest: true,
      businessCosts: '{"type":"fixed","amountCents":2500}',
    });
  });

  it('refuses a missing or unknown key with Unauthorized (API Gateway answers 401)', async () => {
    await expect(authorize(request())).rejects.toThrow(/^Unauthorized$/);
    await expect(authorize(request('key-nobody'))).rejects.toThrow(/^Unauthorized$/);
  });
});

describe('the local edge', () => {
  it('runs the authorizer before a client route and caches its answer per key', async () => {
    const before = rt.api!.authorizerInvocations;
    expect((await call('GET', '/v1/dossiers/dos_none', 'key-acme')).status).toBe(404);
    expect((await call('GET', '/v1/dossiers/dos_none', 'key-acme')).status).toBe(404);
    expect(rt.api!.authorizerInvocations - before).toBe(1);
  });

  it('answers 401 in the API error shape without a key or with a wrong one, and never runs the Api function for them', async () => {
    const invocations = rt.api!.invocations;
    for (const key of [null, 'key-wrong']) {
      const res = await call('POST', '/v1/dossiers', key, {});
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
    }
    // the wrong key cost one authorizer call, no Api call
    expect(rt.api!.invocations - invocations).toBe(1);
  });

  it('keeps the roles: 403 for a creditor on the agents\' task routes, 200 for an agent', async () => {
    expect((await call('GET', '/v1/tasks?status=open', 'key-acme')).status).toBe(403);
    expect((await call('POST', '/v1/tasks/task_x/complete', 'key-acme', { outcome: 'reached' })).status).toBe(403);
    expect((await call('GET', '/v1/tasks?status=open', 'key-agency')).status).toBe(200);
  });

  it('limits each key separately: past the limit 429 with Retry-After, other clients unaffected', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < LIMIT + 2; i++) {
      last = await call('GET', '/v1/dossiers/dos_none', 'key-busy');
      statuses.push(last.status);
    }
    expect(statuses.slice(0, LIMIT).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(LIMIT)).toEqual([429, 429]);
    expect(last!.body).toEqual({ error: { code: 'throttled', message: expect.stringContaining('Retry-After') } });
    const retryAfter = Number(last!.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await call('GET', '/v1/dossiers/dos_none', 'key-acme')).status).toBe(404);
  });

  it('does not count webhooks (they carry no key)', async () => {
    for (let i = 0; i < LIMIT + 2; i++) {
      const res = await fetch(`${rt.apiUrl}/webhooks/twilio/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'MessageSid=SMx&MessageStatus=sent',
      });
      expect(res.status).toBe(403); // unsigned: refused by the handler, never throttled
    }
  });
});

describe('local rate limit', () => {
  it('opens a new window once the old one is over, and says how long is left', () => {
    let now = 1_000_000;
    const limit = new RateLimit(2, 60, () => now);
    expect(limit.take('k')).toEqual({ ok: true });
    expect(limit.take('k')).toEqual({ ok: true });
    expect(limit.take('k')).toEqual({ ok: false, retryAfterSeconds: 60 });
    now += 45_500;
    expect(limit.take('k')).toEqual({ ok: false, retryAfterSeconds: 15 });
    now += 15_000;
    expect(limit.take('k')).toEqual({ ok: true });
    expect(RateLimit.fromEnv(undefined)).toMatchObject({ requests: CLIENT_RATE_LIMIT.requests, windowSeconds: CLIENT_RATE_LIMIT.windowSeconds });
    expect(() => RateLimit.fromEnv('fast')).toThrow(/MAATWERK_RATE_LIMIT/);
  });
});

describe('business metrics where the events happen', () => {
  it('counts a journey: started, sent per channel, a reply per intent, a rejected signature, a payment, the end', async () => {
    const created = await call('POST', '/v1/dossiers', 'key-metrics', {
      reference: 'MET-1',
      principal: 30_000,
      dueDate: '2026-02-01',
      debtor: { name: 'Sam Voorbeeld', email: 'sam@example.invalid', phone: '+31612345678', consumer: true, address: { line1: 'Dorpsstraat 1', postalCode: '1234 AB', city: 'Utrecht' } },
    });
    expect(created.status).toBe(201);
    expect(count('JourneysStarted')).toBe(1);
    await advance('2026-03-20T12:00:00Z');
    expect(count('Sends', { channel: 'email', outcome: 'sent' })).toBeGreaterThanOrEqual(1);
    expect(count('Sends', { channel: 'sms', outcome: 'sent' })).toBeGreaterThanOrEqual(1);

    const target = `${rt.apiUrl}/webhooks/twilio/inbound`;
    const params = { MessageSid: `SM${'c'.repeat(32)}`, AccountSid: LOCAL_DEFAULTS.twilioAccountSid, From: '+31612345678', To: LOCAL_DEFAULTS.smsFrom, Body: 'Ik wil een regeling' };
    const post = (signature: string) =>
      fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params).toString() });
    expect((await post('d3Jvbmc=')).status).toBe(403);
    expect(count('WebhookSignatureFailures', { source: 'twilio' })).toBeGreaterThanOrEqual(1);
    expect((await post(twilioSignature(rt.twilioAuthToken, target, params))).status).toBe(200);
    // a redelivery of the same reply is not a second reply
    expect((await post(twilioSignature(rt.twilioAuthToken, target, params))).status).toBe(200);
    expect(count('Replies', { intent: 'arrangement' })).toBe(1);

    const view = await call('GET', `/v1/dossiers/${created.body.dossierId}`, 'key-metrics');
    const due = view.body.amounts.outstanding as number;
    expect((await call('POST', `/v1/dossiers/${created.body.dossierId}/payments`, 'key-metrics', { amount: due, reference: 'PAY-M1' })).status).toBe(200);
    // the same payment again (a client retry) is booked once, and counted once
    expect((await call('POST', `/v1/dossiers/${created.body.dossierId}/payments`, 'key-metrics', { amount: due, reference: 'PAY-M1' })).status).toBe(200);
    expect(count('Payments')).toBe(1);
    expect(count('RecoveredCents')).toBe(due);
    await advance('2026-03-21T12:00:00Z');
    expect(events.filter((e) => e.name === 'JourneysEnded').map((e) => e.dimensions.reason)).toEqual(['no_open_dossiers_left']);
  });

  it('counts a provider error, and a provider refusal, per channel', async () => {
    // one attempt per send, so an injected failure is the step's outcome
    process.env.PROVIDER_RETRIES = '0';
    resetAdapters();
    try {
      rt.fakes.inject({ provider: 'sendgrid', kind: '500', times: 1 });
      rt.fakes.inject({ provider: 'twilio', kind: '400', times: 1, code: 21211 });
      const created = await call('POST', '/v1/dossiers', 'key-metrics', {
        reference: 'MET-2',
        principal: 30_000,
        dueDate: '2026-02-01',
        debtor: { name: 'Kim Voorbeeld', email: 'kim@example.invalid', phone: '+31612340002', consumer: true, address: { line1: 'Dorpsstraat 2', postalCode: '1234 AB', city: 'Utrecht' } },
      });
      expect(created.status).toBe(201);
      // the first email meets the injected 500 (Step Functions retries it), the first SMS the dead number
      await advance('2026-04-10T12:00:00Z');
      expect(count('Sends', { channel: 'email', outcome: 'provider_error' })).toBeGreaterThanOrEqual(1);
      expect(count('Sends', { channel: 'sms', outcome: 'rejected' })).toBe(1);
    } finally {
      delete process.env.PROVIDER_RETRIES;
      resetAdapters();
    }
  });
});
