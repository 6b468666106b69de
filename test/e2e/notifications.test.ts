/**
 * Creditor notifications (issue 8 item 5) on the local runtime, over HTTP: a creditor registers its webhook through
 * the API; replies (with their intent, a promise, a dispute, debt help, vulnerability), a payment in full, a
 * withdrawal and a hand-over each arrive once at the fake receiver, signed — checked with the verification snippet
 * exactly as the README documents it; another creditor of the same person gets only its own, and never the debtor's
 * words of a reply about both; a receiver failing three times gets the event on the fourth attempt with the same
 * event id; a Twilio webhook delivered twice gives one notification.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, dossierBody, startLocal } from '../support/local.js';
import { runStep, seedCase, type Seeded } from '../support/channel-steps.js';
import { mollieWebhook, pageLinkIn, payThroughCheckout } from '../support/checkout.js';
import { now } from '../../functions/shared/clock.js';
import { decideState } from '../../functions/services/decide.js';
import { loadCase, mutateCase } from '../../functions/services/case.js';

type Verify = (secret: string, header: string | undefined, rawBody: string, tolerance?: number, nowSeconds?: number) => boolean;
let verify: Verify;
let h: Harness;
let base = '';
const secrets: Record<string, string> = {};

/** The README's verification snippet, run as a module of its own. */
async function readmeSnippet(): Promise<Verify> {
  const readme = fs.readFileSync(path.join(import.meta.dirname, '../../README.md'), 'utf8');
  const block = /```js\n(\/\/ verify-snippet[\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('the README has no verify-snippet block');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'snippet-')), 'verify.mjs');
  fs.writeFileSync(file, block);
  return ((await import(pathToFileURL(file).href)) as { verifyMaatwerkSignature: Verify }).verifyMaatwerkSignature;
}

beforeAll(async () => {
  verify = await readmeSnippet();
  // Monday 2 March 2026, 09:00 in Amsterdam.
  h = await startLocal({ start: '2026-03-02T08:00:00Z' });
  base = ((await (await fetch(`${h.url}/local/webhooks`)).json()) as { url: string }).url;
  for (const [client, key] of [['acme', 'key-acme'], ['globex', 'key-globex']] as const) {
    const res = await h.api('PUT', '/v1/webhook', { url: `${base}${client}` }, { key });
    expect(res.status).toBe(200);
    expect(res.body.secret).toMatch(/^whsec_/);
    secrets[client] = res.body.secret;
  }
});
afterAll(async () => h?.stop());

interface Delivery {
  seq: number;
  receiver: string;
  headers: Record<string, string>;
  body: string;
  status: number;
  json: { id: string; type: string; clientId: string; debtorId: string; dossierIds: string[]; references: string[]; data: Record<string, any> };
}

async function deliveries(receiver: string): Promise<Delivery[]> {
  const res = await fetch(`${h.url}/local/webhooks?receiver=${receiver}`);
  expect(res.status).toBe(200);
  return (((await res.json()) as { deliveries: Omit<Delivery, 'json'>[] }).deliveries).map((d) => ({ ...d, json: JSON.parse(d.body) }));
}

const about = (ds: Delivery[], debtorId: string) => ds.filter((d) => d.json.debtorId === debtorId);

/** Every delivery is signed for the receiver's creditor, carries its id in the header and is about that creditor. */
function checkSigned(ds: Delivery[], client: string) {
  const nowS = Math.floor(now().getTime() / 1000);
  for (const d of ds) {
    expect(verify(secrets[client], d.headers['maatwerk-signature'], d.body, 86_400 * 3, nowS), `signature of ${d.json.type}`).toBe(true);
    expect(verify(secrets[client === 'acme' ? 'globex' : 'acme'], d.headers['maatwerk-signature'], d.body, 86_400 * 3, nowS)).toBe(false);
    expect(verify(secrets[client], d.headers['maatwerk-signature'], d.body.replace('}', ' }'), 86_400 * 3, nowS)).toBe(false);
    expect(d.headers['maatwerk-event-id']).toBe(d.json.id);
    expect(d.json.clientId).toBe(client);
  }
}

let sids = 0;
const sid = () => `SM${String(++sids).padStart(8, '0')}${Math.random().toString(16).slice(2, 14).padEnd(24, '0')}`;

async function smsed(): Promise<Seeded> {
  const s = await seedCase({ name: 'Sam Voorbeeld' });
  await runStep(s, 'sms', { phase: 'reminder', tone: 'friendly', language: 'nl' });
  return s;
}

describe('a creditor with a webhook', () => {
  it.each([
    ['Ik betaal vrijdag', 'promise_to_pay', ['reply.received', 'promise.made']],
    ['Deze rekening klopt niet, ik heb het nooit besteld', 'dispute', ['reply.received', 'dispute.opened']],
    ['ik zit in de schuldhulpverlening', 'debt_help', ['reply.received', 'debt_help.reported']],
    ['Mijn man is overleden, ik weet niet wat ik moet doen', 'vulnerable', ['reply.received', 'vulnerability.flagged']],
    ['wie bent u?', 'who_are_you', ['reply.received']],
  ] as const)('"%s" → %s: each notification once, signed, with the words (the message was about its claims alone)', async (text, intent, types) => {
    const s = await smsed();
    expect(await h.reply(s.phone!, text, { messageSid: sid() })).toBe(200);
    await h.advance({ seconds: 1 });
    const mine = about(await deliveries('acme'), s.debtorId);
    expect(mine.map((d) => d.json.type).sort()).toEqual([...types].sort());
    checkSigned(mine, 'acme');
    const reply = mine.find((d) => d.json.type === 'reply.received')!;
    expect(reply.json).toMatchObject({ dossierIds: s.dossierIds, references: s.references, data: { intent, channel: 'sms', text } });
    expect(reply.json.data.confidence).toBeGreaterThan(0);
    if (intent === 'promise_to_pay') expect(mine.find((d) => d.json.type === 'promise.made')!.json.data).toMatchObject({ by: 'debtor', date: '2026-03-06' });
    // Nothing personal beyond the words: no name, number or amount.
    for (const d of mine) for (const secret of [s.name, s.phone!, s.email!, '12500']) expect(d.body).not.toContain(secret);
    expect(about(await deliveries('globex'), s.debtorId)).toEqual([]);
  });

  it('a payment in full, a withdrawal and a hand-over each arrive once', async () => {
    const paid = await seedCase({});
    const pay = await h.api('POST', `/v1/dossiers/${paid.dossierIds[0]}/payments`, { amount: 12_500, reference: 'BANK-1' });
    expect(pay.status).toBe(200);
    expect(pay.body.status).toBe('paid');
    // the same payment again (a retry): no second notification
    expect((await h.api('POST', `/v1/dossiers/${paid.dossierIds[0]}/payments`, { amount: 12_500, reference: 'BANK-1' })).status).toBe(200);

    const withdrawn = await seedCase({});
    expect((await h.api('POST', `/v1/dossiers/${withdrawn.dossierIds[0]}/withdraw`, { reason: 'betaald bij ons' })).status).toBe(200);
    expect((await h.api('POST', `/v1/dossiers/${withdrawn.dossierIds[0]}/withdraw`)).status).toBe(200);

    // A journey that ends with a hand-over (Decide's end of the journey, as after a hand-over notice).
    const handed = await seedCase({});
    const at = now().toISOString();
    await mutateCase(handed.caseId, now(), () => [{ type: 'journey_closed', at, reason: 'handed over', closing: { dossierStatus: 'handed_over', detail: 'Journey ended: handed over.', at } }]);
    const c = (await loadCase(handed.caseId, now()))!;
    await decideState({ caseId: c.caseId, journeyNo: c.journey.journeyNo }, now());
    await decideState({ caseId: c.caseId, journeyNo: c.journey.journeyNo }, now());
    expect((await h.api('GET', `/v1/dossiers/${handed.dossierIds[0]}`)).body.status).toBe('handed_over');

    await h.advance({ seconds: 1 });
    const all = await deliveries('acme');
    checkSigned(all, 'acme');
    expect(about(all, paid.debtorId).map((d) => [d.json.type, d.json.dossierIds])).toEqual([['dossier.paid', paid.dossierIds]]);
    expect(about(all, withdrawn.debtorId).map((d) => [d.json.type, d.json.data.by])).toEqual([['dossier.withdrawn', 'creditor']]);
    expect(about(all, handed.debtorId).map((d) => [d.json.type, d.json.dossierIds])).toEqual([['dossier.handed_over', handed.dossierIds]]);
  });

  it('a debtor paying through the page (Mollie) is one dossier.paid, however often Mollie calls the webhook', async () => {
    const filed = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'NOTIFY-MOLLIE-1', principal: 6_000 }, { name: 'Noor Betaalt', phone: '+31611119901', email: undefined, address: undefined }));
    expect(filed.status).toBe(201);
    await h.advance({ seconds: 0 });
    const sms = (await h.outbox()).filter((m) => m.channel === 'sms' && m.debtorId === filed.body.debtorId);
    expect(sms.length).toBeGreaterThan(0);
    const id = await payThroughCheckout(h, pageLinkIn(sms.at(-1)!.text), 'all', 'paid');
    for (let i = 0; i < 3; i++) expect(await mollieWebhook(h, id)).toBe(200);
    expect((await h.api('GET', `/v1/dossiers/${filed.body.dossierId}`)).body.status).toBe('paid');
    await h.advance({ seconds: 1 });
    const mine = about(await deliveries('acme'), filed.body.debtorId);
    checkSigned(mine, 'acme');
    expect(mine.map((d) => [d.json.type, d.json.dossierIds, d.json.references])).toEqual([['dossier.paid', [filed.body.dossierId], ['NOTIFY-MOLLIE-1']]]);
    for (const d of mine) for (const secret of ['Noor', '+31611119901', '6000']) expect(d.body).not.toContain(secret);
  });

  it('another creditor of the same person gets only its own, and neither gets the words of a reply about both', async () => {
    // Acme's debtor; Globex files a claim for the same person (same name, number, email and address): one case.
    // (A name and address of its own: the other tests' debtors share a name and an address, and several people who
    // match is no strong evidence for any one of them.)
    const address = { line1: 'Gedeeldlaan 7', postalCode: '9999 ZZ', city: 'Utrecht' };
    const s = await seedCase({ name: 'Kim Gedeeld', address });
    const g = await h.api('POST', '/v1/dossiers', dossierBody({}, { name: 'Kim Gedeeld', phone: s.phone, email: s.email, address }), { key: 'key-globex' });
    expect(g.status).toBe(201);
    expect(g.body.debtorId).toBe(s.debtorId);
    await h.advance({ seconds: 1 });
    // A message about both creditors' claims, and the debtor's reply to it.
    await runStep(s, 'sms', { phase: 'reminder', tone: 'friendly', language: 'nl', dossierIds: [s.dossierIds[0], g.body.dossierId] });
    expect(await h.reply(s.phone!, 'Ik betaal vrijdag', { messageSid: sid() })).toBe(200);
    expect((await h.api('POST', `/v1/dossiers/${s.dossierIds[0]}/withdraw`, {}, { key: 'key-acme' })).status).toBe(200);
    await h.advance({ seconds: 1 });

    const acme = about(await deliveries('acme'), s.debtorId);
    const globex = about(await deliveries('globex'), s.debtorId);
    checkSigned(acme, 'acme');
    checkSigned(globex, 'globex');
    expect(acme.map((d) => d.json.type).sort()).toEqual(['dossier.withdrawn', 'promise.made', 'reply.received']);
    expect(globex.map((d) => d.json.type).sort()).toEqual(['promise.made', 'reply.received']);
    for (const d of acme) expect(d.json.dossierIds).toEqual([s.dossierIds[0]]);
    for (const d of globex) expect(d.json.dossierIds).toEqual([g.body.dossierId]);
    for (const d of [...acme, ...globex]) {
      expect(d.body).not.toContain('vrijdag');
      expect(d.json.data.text).toBeUndefined();
    }
    expect(globex.find((d) => d.json.type === 'reply.received')!.json.data).toMatchObject({ intent: 'promise_to_pay', channel: 'sms' });
    // What Globex's own view shows of that reply: the intent, not the words — the same as the notification.
    const view = await h.api('GET', `/v1/dossiers/${g.body.dossierId}`, undefined, { key: 'key-globex' });
    expect(JSON.stringify(view.body.timeline)).not.toContain('vrijdag');
  });

  it('a receiver that fails three times gets the event on the fourth attempt, with the same event id', async () => {
    expect((await h.api('POST', '/local/webhooks/fail', { times: 3, status: 503, receiver: 'acme' }, { key: null })).status).toBe(200);
    const s = await seedCase({});
    expect((await h.api('POST', `/v1/dossiers/${s.dossierIds[0]}/withdraw`)).status).toBe(200);
    await h.advance({ seconds: 1 });
    await h.advance({ seconds: 60 });
    await h.advance({ seconds: 300 });
    expect(about(await deliveries('acme'), s.debtorId).map((d) => d.status)).toEqual([503, 503, 503]);
    await h.advance({ seconds: 1800 });
    const tries = about(await deliveries('acme'), s.debtorId);
    expect(tries.map((d) => d.status)).toEqual([503, 503, 503, 204]);
    expect(tries.map((d) => d.headers['maatwerk-delivery-attempt'])).toEqual(['1', '2', '3', '4']);
    expect(new Set(tries.map((d) => d.headers['maatwerk-event-id'])).size).toBe(1);
    checkSigned(tries, 'acme');
    // Delivered: nothing more comes.
    await h.advance({ seconds: 3 * 86_400 });
    expect(about(await deliveries('acme'), s.debtorId)).toHaveLength(4);
  });

  it('a Twilio webhook delivered twice gives one notification', async () => {
    const s = await smsed();
    const messageSid = sid();
    expect(await h.reply(s.phone!, 'bel me maar', { messageSid })).toBe(200);
    expect(await h.reply(s.phone!, 'bel me maar', { messageSid })).toBe(200);
    await h.advance({ seconds: 1 });
    expect(about(await deliveries('acme'), s.debtorId).map((d) => d.json.type)).toEqual(['reply.received']);
  });
});

describe('the registration', () => {
  it('is validated at the edge, shows no secret after the PUT, takes a given secret, and can be removed', async () => {
    const key = 'key-agency';
    expect((await h.api('GET', '/v1/webhook', undefined, { key })).status).toBe(404);
    for (const url of ['http://hooks.example.com/x', 'ftp://127.0.0.1/x', 'https://user:pw@hooks.example.com/x', 'not a url', 'https://hooks.example.com/#x']) {
      const res = await h.api('PUT', '/v1/webhook', { url }, { key });
      expect(res.status, url).toBe(400);
      expect(res.body.error.fields.url).toBeTruthy();
    }
    expect((await h.api('PUT', '/v1/webhook', { url: 'https://hooks.example.com/x', secret: 'short' }, { key })).status).toBe(400);
    expect((await h.api('PUT', '/v1/webhook', { url: 'https://hooks.example.com/x', extra: 1 }, { key })).status).toBe(400);
    const given = 'my-own-secret-of-enough-length-123';
    const put = await h.api('PUT', '/v1/webhook', { url: `${base}agency`, secret: given }, { key });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ url: `${base}agency`, secret: given, secretHint: '-123' });
    const got = await h.api('GET', '/v1/webhook', undefined, { key });
    expect(got.body.secret).toBeUndefined();
    expect(got.body).toMatchObject({ url: `${base}agency`, secretHint: '-123' });
    expect(got.body.events).toContain('dossier.paid');
    expect((await h.api('DELETE', '/v1/webhook', undefined, { key })).status).toBe(204);
    expect((await h.api('DELETE', '/v1/webhook', undefined, { key })).status).toBe(404);
    expect((await h.api('GET', '/v1/webhook', undefined, { key })).status).toBe(404);
    expect((await h.api('GET', '/v1/webhook', undefined, { key: null })).status).toBe(401);
  });

  it('the fake receiver’s controls are validated', async () => {
    for (const body of [{ times: 0 }, { times: 1.5 }, { times: 3, status: 200 }, { times: 3, extra: true }, {}]) {
      const res = await fetch(`${h.url}/local/webhooks/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await fetch(`${h.url}/local/webhooks?receiver=${'x'.repeat(65)}`)).status).toBe(400);
    expect((await fetch(`${h.url}/local/webhooks?other=1`)).status).toBe(400);
  });
});
