/**
 * The deployed code is the esbuild output, not the TypeScript: a module left out of a bundle, a template not
 * compiled in, a data file not copied would only fail in production. So every function is bundled exactly as
 * `cdk synth` bundles it (infra/build/bundle.ts), and those bundles — not the sources — run a journey on the local
 * runtime: the HTTP edge (authorizer, Api, Reports, Webhooks, Payments, Docs), Deliveries (the answers), Decide and every channel step, against dynalite, the Step
 * Functions emulator, the EventBridge Scheduler emulator (the journey's timers, whose wake-ups run the Decide bundle)
 * and the fake providers.
 *
 * The bundles are built under node_modules/.cache so that, as on Lambda, `@aws-sdk/*` (the runtime's) and
 * `@aws-lambda-powertools/*` (the layer's) resolve from outside the bundle.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type FunctionName } from '../../infra/aws/functions.js';
import { repoPath } from '../../infra/aws/paths.js';
import { JOURNEY_SUBSTITUTIONS } from '../../infra/aws/stack.js';
import { bundleAll } from '../../infra/build/bundle.js';
import { LOCAL_DEFAULTS } from '../../infra/local/defaults.js';
import type { EdgeHandlers, OutboxMessage } from '../../infra/local/api-server.js';
import { LocalRuntime } from '../../infra/local/runtime.js';
import { addDays, localInstant } from '../../functions/domain/calendar.js';
import { createDossierBodyAt } from '../../functions/shared/schemas/api.js';
import { fieldErrors, friendlyError } from '../../functions/shared/schemas/fields.js';
import { twilioSignature } from '../../functions/webhooks/signatures.js';
import { toneExperiment } from '../support/experiments.js';
import { pdfText } from '../support/pdf-text.js';

type Handler = (event: unknown) => Promise<unknown>;

const buildDir = path.join(repoPath('node_modules', '.cache'), `maatwerk-bundled-test-${process.pid}`);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-bundled-'));
const calls = Object.fromEntries(FUNCTION_NAMES.map((n) => [n, 0])) as Record<FunctionName, number>;
const failures: Array<{ fn: FunctionName; error: string }> = [];
let rt: LocalRuntime;
let bundled: Record<FunctionName, Handler>;

/** A bundle's handler, counted; its errors recorded (the authorizer's refusal of a bad key is its answer, not a failure). */
function counted(name: FunctionName, handler: Handler): Handler {
  return async (event) => {
    calls[name]++;
    try {
      return await handler(event);
    } catch (err) {
      if (!(name === 'Authorizer' && (err as Error).message === 'Unauthorized')) failures.push({ fn: name, error: String((err as Error)?.stack ?? err) });
      throw err;
    }
  };
}

async function api(method: string, p: string, body?: unknown, key: string | null = 'bundle-key'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${rt.apiUrl}${p}`, {
    method,
    headers: { ...(key ? { 'x-api-key': key } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function advance(until: string): Promise<void> {
  const res = await fetch(`${rt.apiUrl}/local/clock/advance`, { method: 'POST', body: JSON.stringify({ until }) });
  expect(res.status).toBe(200);
}

async function clockNow(): Promise<number> {
  return Date.parse(((await (await fetch(`${rt.apiUrl}/local/clock`)).json()) as { now: string }).now);
}

async function outbox(): Promise<OutboxMessage[]> {
  return ((await (await fetch(`${rt.apiUrl}/local/outbox`)).json()) as { messages: OutboxMessage[] }).messages;
}

beforeAll(async () => {
  const bundles = await bundleAll(buildDir);
  const handlers = {} as Record<FunctionName, Handler>;
  for (const name of FUNCTION_NAMES) {
    const mod = (await import(pathToFileURL(path.join(bundles[name].assetDir, 'index.mjs')).href)) as { handler: Handler };
    expect(typeof mod.handler, name).toBe('function');
    handlers[name] = counted(name, mod.handler);
  }
  bundled = handlers;
  // The default strategy with three reminders (email, SMS, WhatsApp in turn), so one journey reaches every channel.
  const strategy = JSON.parse(fs.readFileSync(repoPath('templates', 'strategy.json'), 'utf8')) as {
    segments: Record<string, { phases: Array<{ phase: string; channels: string[]; maxContacts: number }> }>;
  };
  for (const seg of Object.values(strategy.segments)) {
    const reminder = seg.phases.find((ph) => ph.phase === 'reminder');
    if (reminder?.channels.includes('whatsapp')) reminder.maxContacts = Math.max(3, reminder.maxContacts);
  }
  // An experiment of a creditor that files nothing here (no journey changes), for the Reports bundle's results maths.
  const experiment = { ...toneExperiment('bundle-tone'), eligibility: { phases: ['reminder'], clients: ['nobody'] } };
  const strategyFile = path.join(dataDir, 'strategy.json');
  fs.writeFileSync(strategyFile, JSON.stringify({ ...strategy, experiments: [experiment] }));
  const journey = Object.fromEntries(Object.entries(JOURNEY_SUBSTITUTIONS).map(([placeholder, fn]) => [placeholder, handlers[fn]]));
  rt = await LocalRuntime.start({
    dataDir,
    port: 0,
    // Monday 2 March 2026, 09:00 in Amsterdam
    env: { MAATWERK_CLOCK: 'virtual', MAATWERK_CLOCK_START: '2026-03-02T08:00:00Z', MAATWERK_STRATEGY_FILE: strategyFile },
    clients: [
      { clientId: 'bundle', name: 'Bundle Energie B.V.', apiKey: 'bundle-key' },
      { clientId: 'agency', name: 'Incassobureau', apiKey: 'agency-key', agent: true },
    ],
    quiet: true,
    handlers: {
      journey,
      edge: { api: handlers.Api, reports: handlers.Reports, webhooks: handlers.Webhooks, payments: handlers.Payments, docs: handlers.Docs, authorizer: handlers.Authorizer } as unknown as EdgeHandlers,
      deliveries: handlers.Deliveries,
      counters: handlers.Counters as never,
    },
  });
}, 180_000);

afterAll(async () => {
  await rt?.stop();
  delete process.env.MAATWERK_STRATEGY_FILE;
  fs.rmSync(buildDir, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the bundled handlers on the local runtime', () => {
  let dossierId = '';

  it('refuse a request without a valid key at the bundled authorizer, and accept a claim through the bundled Api', async () => {
    expect((await api('POST', '/v1/dossiers', {}, null)).status).toBe(401);
    expect((await api('GET', '/v1/dossiers/dos_x', undefined, 'not-a-key')).status).toBe(401);
    const res = await api('POST', '/v1/dossiers', {
      reference: 'BUNDLE-1',
      principal: 24_000,
      dueDate: '2026-02-01',
      debtor: {
        // a name and a street outside WinAnsi: the bundled letter sets them in the letter font, without fontkit
        name: 'Łukasz Şahin',
        email: 'sam@example.invalid',
        phone: '+31612345678',
        whatsappOptIn: true,
        consumer: true,
        address: { line1: 'Ulica Łódzka 7', postalCode: '1234 AB', city: 'Utrecht' },
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    dossierId = res.body.dossierId;
    expect(calls.Authorizer).toBeGreaterThanOrEqual(2);
    expect(calls.Api).toBe(1);
    // The bundle's schemas come without their documentation and without the schemas it does not use
    // (infra/build/strip-docs.ts): a bad claim is refused with the very fields and messages of the source schemas.
    const bad = {
      reference: 'BUNDLE-BAD',
      principal: 12.5,
      dueDate: '2026-02-30',
      paydayOfMonth: 25,
      debtor: { name: '1 2', phone: '0612345678', consumer: 'yes', foo: 1, incomeSource: 'salari' },
    };
    const refused = await api('POST', '/v1/dossiers', bad);
    expect(refused.status).toBe(400);
    const source = createDossierBodyAt(new Date(await clockNow())).safeParse(bad, { error: friendlyError });
    expect(source.success).toBe(false);
    expect(refused.body.error.fields).toEqual(fieldErrors(source.error!, createDossierBodyAt(new Date(await clockNow()))));
    expect(refused.body.error.fields['debtor.name']).toMatch(/two letters/);
  });

  it('run the journey: Decide, Await and every channel step, each from its own bundle, on the journey timers', async () => {
    // A second debtor paid on the 5th: the reminder waits for the payday (the Await state), then its timer sends.
    const waiting = await api('POST', '/v1/dossiers', {
      reference: 'BUNDLE-2',
      principal: 18_000,
      dueDate: '2026-02-01',
      debtor: { name: 'Kim Voorbeeld', email: 'kim@example.invalid', phone: '+31612340077', consumer: true, incomeSource: { type: 'salary', day: 5 } },
    });
    expect(waiting.status, JSON.stringify(waiting.body)).toBe(201);
    // Week by week until every channel was used (the strategy reaches the agents' call after the 14-day letter) and
    // a call task nobody completed let its timer wake Decide.
    let sent: OutboxMessage[] = [];
    for (let t = Date.parse('2026-03-02T12:00:00Z'); t <= Date.parse('2026-09-01T12:00:00Z'); t += 7 * 86_400_000) {
      await advance(new Date(t).toISOString());
      sent = await outbox();
      if (new Set(sent.map((m) => m.channel)).size === 5 && calls.Await > 0 && rt.timerInvocations > 0) break;
    }
    const channels = new Set(sent.map((m) => m.channel));
    expect([...channels].sort()).toEqual(['call', 'email', 'letter', 'sms', 'whatsapp']);
    // The planned moments came from the timers the bundled steps set, not from the states' safety-net timeouts.
    expect(rt.scheduler.stats.created).toBeGreaterThan(0);
    expect(rt.scheduler.stats.fired).toBeGreaterThan(0);
    expect(rt.scheduler.deadLetters).toEqual([]);
    const letter = sent.find((m) => m.channel === 'letter')!;
    const pdf = Buffer.from(await (await fetch(letter.pdf!)).arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(2_000);
    // the address block and the salutation with exactly the name and street; the print service got them as fields
    const text = await pdfText(pdf);
    expect(text).toMatch(/\nŁukasz Şahin\nUlica Łódzka 7\n1234 AB +Utrecht\n/);
    expect(text).toMatch(/(Geachte|Dear) Łukasz Şahin,/);
    expect(pdf.includes('/FontFile2')).toBe(true);
    expect(letter.to).toBe('Łukasz Şahin, Ulica Łódzka 7, 1234 AB Utrecht, NL');
    expect(sent.find((m) => m.channel === 'email')!.html).toMatch(/<html/i);
    expect(sent.find((m) => m.channel === 'sms')!.segments).toBeGreaterThanOrEqual(1);
    // Route-first: a planned contact goes from one channel state to the next on its timer, with no Decide; Decide
    // runs when something happens (below) or when a timer wakes it.
    for (const fn of ['Await', 'SendEmail', 'SendSms', 'SendWhatsapp', 'SendLetter', 'CallTask'] as const) {
      expect(calls[fn], fn).toBeGreaterThan(0);
    }
    // Decide as the timers' wake target: EventBridge Scheduler invokes the (bundled) function itself.
    expect(rt.timerInvocations).toBeGreaterThan(0);
    expect(calls.Decide).toBeGreaterThanOrEqual(rt.timerInvocations);
  });

  it('take a signed reply through the bundled Webhooks, its page link through the bundled Payments, and an agent and a payment through the bundled Api', async () => {
    const target = `${rt.apiUrl}/webhooks/twilio/inbound`;
    const signedReply = (params: Record<string, string>) =>
      fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(rt.twilioAuthToken, target, params) },
        body: new URLSearchParams(params).toString(),
      });
    // A working day in the morning: the bundled Webhooks classifies the reply, and the bundled Deliveries (invoked by
    // it) answers it at once, from the answer templates precompiled into its bundle.
    const day = new Date((await clockNow()) + 7 * 86_400_000);
    while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day.setUTCDate(day.getUTCDate() + 1);
    await advance(`${day.toISOString().slice(0, 10)}T08:00:00Z`);
    const params = { MessageSid: `SM${'b'.repeat(32)}`, AccountSid: LOCAL_DEFAULTS.twilioAccountSid, From: '+31612345678', To: LOCAL_DEFAULTS.smsFrom, Body: 'Ik wil een regeling' };
    const reply = await signedReply(params);
    expect(reply.status).toBe(200);
    const answer = (await outbox()).find((m) => m.inReplyTo === params.MessageSid);
    expect(answer?.template).toBe('answer/arrangement');
    expect(answer?.text).toMatch(/Wki/);
    // The answer's page link opens the debtor page through the bundled Payments function (with the Mollie client).
    const pagePath = /\/p\/[A-Za-z0-9_-]+/.exec(answer!.text)?.[0];
    expect(pagePath, 'a page link in the answer').toBeDefined();
    const debtorPage = await fetch(`${rt.apiUrl}${pagePath}`);
    expect(debtorPage.status).toBe(200);
    expect(await debtorPage.text()).toMatch(/<html/i);
    // Mollie's webhook with a payment Mollie does not know: fetched from (fake) Mollie by the bundled client, nothing booked.
    const mollie = await fetch(`${rt.apiUrl}/webhooks/mollie`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'id=tr_unknown0001' });
    expect(mollie.status).toBe(200);
    expect(await mollie.json()).toEqual({ received: true });
    // At 20:30 UTC (after 20:00 in Amsterdam) the answer waits for 07:00: the answer timer invokes the bundled Deliveries then.
    await advance(`${day.toISOString().slice(0, 10)}T20:30:00Z`);
    const late = { ...params, MessageSid: `SM${'c'.repeat(32)}`, Body: 'Wie bent u eigenlijk?' };
    const before = calls.Webhooks;
    const deliveriesBefore = calls.Deliveries;
    expect((await signedReply(late)).status).toBe(200);
    expect((await outbox()).some((m) => m.inReplyTo === late.MessageSid)).toBe(false);
    await advance(new Date(Date.parse(`${day.toISOString().slice(0, 10)}T20:30:00Z`) + 12 * 3_600_000).toISOString());
    const planned = (await outbox()).find((m) => m.inReplyTo === late.MessageSid);
    expect(planned?.template).toBe('answer/who_are_you');
    expect(planned!.sentAt).toBe(localInstant(addDays(day.toISOString().slice(0, 10), 1), 7).toISOString());
    expect(calls.Webhooks - before).toBe(1); // the late reply
    expect(calls.Deliveries - deliveriesBefore).toBe(1); // its answer timer
    // A schedule set before the Deliveries function existed names the Webhooks function: it hands the event on, and
    // the answer, sent already, is not sent again.
    const sentBefore = (await outbox()).length;
    await bundled.Webhooks({ answer: { messageSid: late.MessageSid } });
    expect(calls.Deliveries - deliveriesBefore).toBe(2);
    expect((await outbox()).length).toBe(sentBefore);
    const forged = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bm9wZQ==' }, body: new URLSearchParams(params).toString() });
    expect(forged.status).toBe(403);
    await advance(new Date((await clockNow()) + 1000).toISOString());
    const view = await api('GET', `/v1/dossiers/${dossierId}`);
    expect(view.body.timeline.some((e: { type: string }) => e.type === 'replied')).toBe(true);
    expect((await api('GET', '/v1/tasks?status=open', undefined, 'bundle-key')).status).toBe(403);
    expect((await api('GET', '/v1/tasks?status=open', undefined, 'agency-key')).status).toBe(200);
    const paid = await api('POST', `/v1/dossiers/${dossierId}/payments`, { amount: view.body.amounts.outstanding, reference: 'BANK-B1' });
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('paid');
    await advance(new Date((await clockNow()) + 35 * 86_400_000).toISOString());
    expect(calls.Webhooks).toBeGreaterThanOrEqual(2); // the reply and the forged one
  });

  it('report KPIs and an experiment’s results through the bundled Reports function, behind the bundled authorizer', async () => {
    const before = calls.Reports;
    expect((await api('GET', '/v1/reports/kpis?groupBy=channel', undefined, null)).status).toBe(401);
    const kpis = await api('GET', '/v1/reports/kpis?groupBy=channel&from=2026-03-01&to=2026-08-31', undefined, 'agency-key');
    expect(kpis.status, JSON.stringify(kpis.body)).toBe(200);
    expect(kpis.body.groups.length).toBeGreaterThan(0);
    expect(kpis.body.groups.reduce((n: number, g: { contacts: number }) => n + g.contacts, 0)).toBeGreaterThan(0);
    const results = await api('GET', '/v1/experiments/bundle-tone/results', undefined, 'agency-key');
    expect(results.status, JSON.stringify(results.body)).toBe(200);
    expect(results.body.variants.map((v: { variant: string }) => v.variant).sort()).toEqual(['control', 'firm']);
    // the strategy of this runtime has no experiment of that id: the report's own 404
    const unknown = await api('GET', '/v1/experiments/no-such-experiment/results', undefined, 'agency-key');
    expect(unknown.status).toBe(404);
    expect((await api('GET', '/v1/experiments/NOT%20AN%20ID/results', undefined, 'agency-key')).status).toBe(400);
    expect(calls.Reports - before).toBe(4);
  });

  it('describe the API through the bundled Docs function', async () => {
    const doc = await fetch(`${rt.apiUrl}/openapi.json`);
    expect(doc.status).toBe(200);
    const body = (await doc.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toContain('/v1/dossiers');
    const page = await fetch(`${rt.apiUrl}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/^<!doctype html>/);
  });

  it('every function ran from its bundle, and none of them failed', () => {
    for (const name of FUNCTION_NAMES) expect(calls[name], name).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });
});
