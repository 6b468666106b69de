/**
 * The hostile requests issue 13 measured (bad %-encoding, 2 KB ids, `__proto__` query keys, an image/png body,
 * null bodies, dates in year 0 or 9999, a clock advance of 1e13 seconds, …), each as an explicit case: a 4xx in the
 * §7 error shape that names what is wrong, and nothing written — the counts of stored items, provider messages and
 * journey executions are the same after it. Plus the simple forms that are accepted, and the local runtime's start
 * (ready when it answers, loopback only, a damaged saved clock refused).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossierBody, type Harness, startLocal } from '../support/local.js';
import { rawRequest, storeCounts } from '../support/edge.js';
import { caseState } from '../support/channel-steps.js';
import { LocalRuntime, listenHost } from '../../infra/local/runtime.js';

let h: Harness;
beforeAll(async () => {
  h = await startLocal({ start: '2026-03-03T09:00:00Z' });
});
afterAll(async () => h?.stop());

const KEY = { 'x-api-key': 'key-acme' };
const JSON_TYPE = { 'content-type': 'application/json' };

/** Sends the request, expects `status`, and shows that nothing was stored by it. */
async function refused(status: number, method: string, p: string, headers: Record<string, string> = {}, body?: string) {
  await h.advance({ seconds: 0 }); // let journeys started by earlier cases settle first
  const before = await storeCounts(h.rt);
  const res = await rawRequest(h.url, method, p, headers, body);
  expect(res.status, `${method} ${p.slice(0, 80)} → ${res.text.slice(0, 300)}`).toBe(status);
  expect(res.json?.error?.code, res.text).toEqual(expect.any(String));
  expect(res.json.error.message).toEqual(expect.any(String));
  expect(res.text).not.toMatch(/\n\s+at |\.ts:\d+/);
  await h.advance({ seconds: 0 });
  expect(await storeCounts(h.rt)).toEqual(before);
  return res.json.error as { code: string; message: string; fields?: Record<string, string> };
}

let dossierId = '';
beforeAll(async () => {
  const res = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'HOSTILE-1' }, { phone: '+31612340001', email: 'hostile@example.invalid' }));
  expect(res.status).toBe(201);
  dossierId = res.body.dossierId;
  await h.advance({ seconds: 0 });
});

describe('paths', () => {
  it.each([
    ['GET', '/v1/dossiers/%E0%A4%A'],
    ['GET', '/v1/debtors/%'],
    ['POST', '/v1/tasks/%ZZ/complete'],
    ['GET', '/local/outbox/%E0.pdf'],
  ])('a malformed %%-escape (%s %s) is a 400 invalid_path', async (method, p) => {
    const e = await refused(400, method, p, { ...KEY, ...JSON_TYPE }, method === 'POST' ? '{"outcome":"reached"}' : undefined);
    expect(e.code).toBe('invalid_path');
  });

  it.each([
    ['GET', '/v1/dossiers/{id}', 'dossierId'],
    ['POST', '/v1/dossiers/{id}/payments', 'dossierId'],
    ['GET', '/v1/debtors/{id}', 'debtorId'],
    ['POST', '/v1/tasks/{id}/complete', 'taskId'],
  ])('a 2 KB id (%s %s) is a 400 naming %s', async (method, template, field) => {
    const p = template.replace('{id}', 'd'.repeat(2048));
    const body = method === 'POST' ? (field === 'taskId' ? '{"outcome":"reached"}' : '{"amount":100}') : undefined;
    const e = await refused(400, method, p, { 'x-api-key': 'key-agency', ...JSON_TYPE }, body);
    expect(e.fields?.[field]).toMatch(/at most 100 characters/);
  });

  it('an id with odd characters is a 400, a well-formed unknown id a 404', async () => {
    expect((await refused(400, 'GET', `/v1/dossiers/${encodeURIComponent('dos_1;DROP TABLE')}`, KEY)).fields?.dossierId).toMatch(/letters, digits/);
    expect((await refused(404, 'GET', '/v1/dossiers/dos_doesnotexist', KEY)).code).toBe('not_found');
  });

  it('a wrong method is a 405 with Allow; an unknown path a 404', async () => {
    const res = await rawRequest(h.url, 'DELETE', `/v1/dossiers/${dossierId}`, KEY);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET');
    expect((await refused(404, 'GET', '/v2/nothing', KEY)).code).toBe('not_found');
  });
});

describe('query strings', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype'])('?%s=… is a 400 naming the key, on every kind of route', async (key) => {
    for (const p of [`/v1/tasks?${key}=1`, `/v1/dossiers/${dossierId}?${key}=x`, `/local/outbox?${key}=1`, `/local/clock?${key}[a]=1`]) {
      const e = await refused(400, 'GET', p, { 'x-api-key': 'key-agency' });
      expect(Object.keys(e.fields ?? {}).join(), p).toContain(key);
    }
    const e = await refused(400, 'POST', `/webhooks/twilio/status?${key}=1`, { 'content-type': 'application/x-www-form-urlencoded' }, 'MessageSid=SM1&MessageStatus=delivered');
    expect(Object.keys(e.fields ?? {})).toEqual([key]);
  });

  it('a parameter given twice is refused naming it, never read as its last value', async () => {
    for (const p of ['/v1/dossiers?status=open&status=paid', '/v1/dossiers?status=paid&status=open', '/v1/tasks?status=open&status=open']) {
      expect((await refused(400, 'GET', p, { 'x-api-key': 'key-agency' })).fields, p).toEqual({ status: 'must be given once' });
    }
  });

  it('an unknown query parameter is refused, a known one with a wrong value names the value expected', async () => {
    expect((await refused(400, 'GET', '/v1/tasks?status=done', { 'x-api-key': 'key-agency' })).fields).toEqual({ status: 'must be "open" (only open tasks can be listed)' });
    expect((await refused(400, 'GET', '/v1/tasks?statsu=open', { 'x-api-key': 'key-agency' })).fields?.statsu).toMatch(/did you mean "status"/);
  });
});

describe('Content-Type and bodies', () => {
  const valid = () => JSON.stringify(dossierBody({ reference: `CT-${Math.random().toString(36).slice(2, 8)}` }, { phone: '+31612340002', email: 'ct@example.invalid' }));

  it.each(['image/png', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''])('a JSON body sent as "%s" is a 415 on the API', async (type) => {
    const e = await refused(415, 'POST', '/v1/dossiers', { ...KEY, ...(type ? { 'content-type': type } : {}) }, valid());
    expect(e.code).toBe('unsupported_media_type');
    expect(e.message).toContain('application/json');
  });

  it('application/json with a charset, and a +json type, are accepted', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/problem+json']) {
      const res = await rawRequest(h.url, 'POST', '/v1/dossiers', { ...KEY, 'content-type': type }, valid());
      expect(res.status, res.text).toBe(201);
    }
  });

  it('webhooks check theirs: Twilio form-encoded, SendGrid JSON', async () => {
    await refused(415, 'POST', '/webhooks/twilio/inbound', JSON_TYPE, '{"From":"+31612340001","Body":"STOP"}');
    await refused(415, 'POST', '/webhooks/sendgrid/events', { 'content-type': 'image/png' }, '[]');
    await refused(415, 'POST', `/v1/dossiers/${dossierId}/payments`, { ...KEY, 'content-type': 'image/png' }, '{"amount":100}');
  });

  it.each(['null', '[]', '"text"', '42', 'true'])('a body of %s is a 400 invalid_body', async (body) => {
    expect((await refused(400, 'POST', '/v1/dossiers', { ...KEY, ...JSON_TYPE }, body)).code).toBe('invalid_body');
    expect((await refused(400, 'POST', `/v1/dossiers/${dossierId}/payments`, { ...KEY, ...JSON_TYPE }, body)).code).toBe('invalid_body');
  });

  it('a GET with a body is a 400 body_not_allowed', async () => {
    expect((await refused(400, 'GET', `/v1/dossiers/${dossierId}`, { ...KEY, ...JSON_TYPE }, '{"x":1}')).code).toBe('body_not_allowed');
    expect((await refused(400, 'GET', '/local/outbox', JSON_TYPE, '{}')).code).toBe('body_not_allowed');
  });

  it('a body over 1 MB is a 413', async () => {
    expect((await refused(413, 'POST', '/v1/dossiers', { ...KEY, ...JSON_TYPE }, `{"reference":"${'x'.repeat(1_100_000)}"}`)).code).toBe('too_large');
  });
});

describe('fields', () => {
  const post = (over: Record<string, unknown>, debtor: Record<string, unknown> = {}) =>
    refused(400, 'POST', '/v1/dossiers', { ...KEY, ...JSON_TYPE }, JSON.stringify(dossierBody(over, { phone: '+31612340003', email: 'fields@example.invalid', ...debtor })));

  it('refuses dates far out: a due date in year 0, 9999, 21 years back, 13 months ahead', async () => {
    for (const dueDate of ['0000-01-01', '9999-12-31', '2005-03-02', '2027-04-03']) {
      expect((await post({ dueDate })).fields?.dueDate, dueDate).toMatch(/must not be more than (20 years ago|1 year ahead)/);
    }
  });

  it('refuses a name or text with control characters (NUL, ESC, a line break in a name)', async () => {
    for (const name of ['\u0000', 'Sam\u001b[31m', 'Sam\nVoorbeeld', 'Sam\u0085']) {
      expect((await post({}, { name })).fields?.['debtor.name'], JSON.stringify(name)).toMatch(/control characters/);
    }
    expect((await post({ description: 'bad\u0007bell' })).fields?.description).toMatch(/control characters/);
    expect((await post({}, { name: 'Sam \ud800' })).fields?.['debtor.name']).toMatch(/Unicode/);
  });

  it('refuses amounts past €100,000,000.00 or not whole cents, with the expected form', async () => {
    expect((await post({ principal: 10_000_000_001 })).fields?.principal).toMatch(/at most 10000000000 cents/);
    expect((await post({ principal: 2 ** 53 })).fields?.principal).toMatch(/whole cents/);
    expect((await post({ principal: '12500' })).fields?.principal).toMatch(/JSON number, e\.g\. 12500/);
    expect((await post({ principal: 125.5 })).fields?.principal).toMatch(/whole cents, e\.g\. 12500/);
    const pay = (body: unknown) => refused(400, 'POST', `/v1/dossiers/${dossierId}/payments`, { ...KEY, ...JSON_TYPE }, JSON.stringify(body));
    expect((await pay({ amount: 2 ** 53 + 2 })).fields?.amount).toBeDefined();
    expect((await pay({ amount: 10_000_000_001 })).fields?.amount).toMatch(/at most/);
  });

  it('refuses a payment dated in the future, or decades ago', async () => {
    const pay = (paidAt: string) => refused(400, 'POST', `/v1/dossiers/${dossierId}/payments`, { ...KEY, ...JSON_TYPE }, JSON.stringify({ amount: 100, paidAt }));
    expect((await pay('9999-12-31T00:00:00Z')).fields?.paidAt).toMatch(/future/);
    expect((await pay('2026-03-04T09:00:00Z')).fields?.paidAt).toMatch(/future/);
    expect((await pay('1970-01-01T00:00:00Z')).fields?.paidAt).toMatch(/20 years ago/);
    expect((await pay('2026-03-02')).fields?.paidAt).toMatch(/ISO-8601 date-time with a zone/);
  });

  it('names an unknown field, a misplaced one (and where it belongs), and a misspelt one', async () => {
    const e = await post({ paydayOfMonth: 25, refrence: 'x', colour: 'red' });
    expect(e.fields).toMatchObject({
      paydayOfMonth: 'is not a field here; it belongs inside "debtor" (debtor.paydayOfMonth)',
      refrence: 'is not a known field; did you mean "reference"?',
      colour: expect.stringMatching(/^is not a known field; the fields here are reference, debtor/),
    });
    expect((await post({}, { address: { line1: 'Dorpsstraat 1', postalCode: '1234 AB', city: 'Utrecht', zip: '1' } })).fields?.['debtor.address.zip']).toMatch(/not a known field/);
    expect((await post({}, { __proto__field: 1, constructor: 1 })).fields).toMatchObject({ 'debtor.constructor': expect.any(String), 'debtor.__proto__field': expect.any(String) });
  });

  it('explains incomeSource with examples when it is neither a known shortcut nor a valid object', async () => {
    const e = await post({}, { incomeSource: 'salaris' });
    expect(e.fields?.['debtor.incomeSource']).toContain('{"type":"salary","day":25}');
    expect((await post({}, { incomeSource: { type: 'salary', day: 40 } })).fields?.['debtor.incomeSource.day']).toMatch(/1–31/);
    expect((await post({}, { incomeSource: 'bijstand' })).fields?.['debtor.incomeSource']).toMatch(/paydayOfMonth/);
    expect((await post({}, { incomeSource: 'aow', paydayOfMonth: 23 })).fields?.['debtor.paydayOfMonth']).toMatch(/does not apply/);
    expect((await post({}, { incomeSource: { type: 'salary', day: 20 }, paydayOfMonth: 25 })).fields?.['debtor.paydayOfMonth']).toMatch(/conflicts/);
    expect((await post({}, { phone: '0612345678' })).fields?.['debtor.phone']).toMatch(/\+31612345678/);
  });
});

describe('the simple forms people send', () => {
  it('"incomeSource":"salary" with "paydayOfMonth":25 is a salary on the 25th; a spaced phone and a lower-case country are normalised', async () => {
    const res = await h.api(
      'POST',
      '/v1/dossiers',
      dossierBody({ reference: 'SIMPLE-1' }, { phone: '+31 6 1234 0004', email: 'simple@example.invalid', incomeSource: 'salary', paydayOfMonth: 25, debtorRef: 'CUST-00042', address: { line1: 'Dorpsstraat 1', postalCode: '1234 AB', city: 'Utrecht', country: 'nl' } }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const c = await caseState(res.body.debtorId);
    expect(c.dossiers[res.body.dossierId].incomeSource).toEqual({ type: 'salary', rule: 'fixed_day', day: 25 });
    expect(c.contactPoints.find((p) => p.kind === 'phone')?.value).toBe('+31612340004');
    expect(c.contactPoints.find((p) => p.kind === 'address')?.address?.country).toBe('NL');
    const bijstand = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'SIMPLE-2' }, { phone: '+31612340005', email: 'simple2@example.invalid', incomeSource: 'bijstand', paydayOfMonth: 1 }));
    expect(bijstand.status).toBe(201);
    expect((await caseState(bijstand.body.debtorId)).dossiers[bijstand.body.dossierId].incomeSource).toEqual({ type: 'bijstand', day: 1 });
  });
});

describe('/local routes: bad input changes nothing', () => {
  const clockNow = async () => (await rawRequest(h.url, 'GET', '/local/clock')).json.now as string;

  it.each([
    ['null', 'invalid_body'],
    ['[]', 'invalid_body'],
    ['', 'validation_failed'],
    ['{}', 'validation_failed'],
    ['{"seconds":1e13}', 'validation_failed'],
    ['{"seconds":-1}', 'validation_failed'],
    ['{"seconds":"NaN"}', 'validation_failed'],
    ['{"seconds":"3600"}', 'validation_failed'],
    ['{"until":"+275760-09-13T00:00:00.000Z"}', 'validation_failed'],
    ['{"until":"2037-03-04T09:00:00Z"}', 'validation_failed'],
    ['{"until":"2026-03-20T12:00:00"}', 'validation_failed'],
    ['{"until":"soon"}', 'validation_failed'],
    ['{"seconds":60,"until":"2026-03-20T12:00:00Z"}', 'validation_failed'],
    ['{"seconds":60,"speed":2}', 'validation_failed'],
    ['{"until":"2026-03-01T00:00:00Z"}', 'in_the_past'],
  ])('POST /local/clock/advance %s → 4xx %s, the clock unchanged', async (body, code) => {
    const before = await clockNow();
    const e = await refused(code === 'in_the_past' ? 422 : 400, 'POST', '/local/clock/advance', JSON_TYPE, body);
    expect(e.code).toBe(code);
    expect(await clockNow()).toBe(before);
  });

  it('an image/png body is a 415; curl’s default form type and fetch’s text/plain still work', async () => {
    await refused(415, 'POST', '/local/clock/advance', { 'content-type': 'image/png' }, '{"seconds":1}');
    for (const type of ['application/x-www-form-urlencoded', 'text/plain;charset=UTF-8']) {
      expect((await rawRequest(h.url, 'POST', '/local/clock/advance', { 'content-type': type }, '{"seconds":0}')).status).toBe(200);
    }
  });

  it('a restart after all of that starts at the same time', async () => {
    const before = await clockNow();
    await h.stop();
    h = await startLocal({ start: '2026-03-03T09:00:00Z', dataDir: h.dataDir });
    expect(await clockNow()).toBe(before);
    expect((await h.api('GET', `/v1/dossiers/${dossierId}`)).status).toBe(200);
  });
});

describe('starting the local runtime', () => {
  const freshDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-start-'));

  it('refuses a saved clock that is damaged or out of range, saying what to do', async () => {
    for (const [content, message] of [
      ['{"now": 17', /not valid JSON.*delete it/s],
      ['{"now": 1e20}', /between 1970 and 2200/],
      ['{"now": "2026-03-02"}', /between 1970 and 2200/],
      ['null', /between 1970 and 2200/],
    ] as const) {
      const dir = freshDir();
      fs.writeFileSync(path.join(dir, 'clock.json'), content);
      await expect(LocalRuntime.start({ dataDir: dir, port: 0, env: { MAATWERK_CLOCK: 'virtual', MAATWERK_CLOCK_START: '2026-03-02T08:00:00Z' }, quiet: true })).rejects.toThrow(message);
    }
    await expect(LocalRuntime.start({ dataDir: freshDir(), port: 0, env: { MAATWERK_CLOCK: 'virtual', MAATWERK_CLOCK_START: '+275760-09-13T00:00:00.000Z' }, quiet: true })).rejects.toThrow(/MAATWERK_CLOCK_START must be/);
  });

  it('listens on loopback only unless MAATWERK_ALLOW_REMOTE=true says otherwise', async () => {
    await expect(LocalRuntime.start({ dataDir: freshDir(), port: 0, env: { MAATWERK_LISTEN_HOST: '0.0.0.0' }, quiet: true })).rejects.toThrow(/refusing to listen on 0\.0\.0\.0.*MAATWERK_ALLOW_REMOTE=true/);
    expect(() => listenHost({ MAATWERK_LISTEN_HOST: '192.168.1.10' })).toThrow(/refusing/);
    expect(listenHost({})).toBe('127.0.0.1');
    expect(listenHost({ MAATWERK_LISTEN_HOST: '127.0.0.2' })).toBe('127.0.0.2');
    expect(listenHost({ MAATWERK_LISTEN_HOST: '::1' })).toBe('::1');
    expect(listenHost({ MAATWERK_LISTEN_HOST: '0.0.0.0', MAATWERK_ALLOW_REMOTE: 'true' })).toBe('0.0.0.0');
  });

  it('is ready when it answers: the first API call right after /local/clock answers is authenticated', async () => {
    // A free port, so the test can knock before start() returns (as a script polling `npm start` does).
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const starting = LocalRuntime.start({
      dataDir: freshDir(),
      port,
      env: { MAATWERK_CLOCK: 'virtual', MAATWERK_CLOCK_START: '2026-03-02T08:00:00Z', MAATWERK_API_KEYS: 'acme:key-acme' },
      quiet: true,
    });
    const url = `http://127.0.0.1:${port}`;
    let first: number | undefined;
    for (let i = 0; i < 3000 && first === undefined; i++) {
      const res = await rawRequest(url, 'GET', '/local/clock').catch(() => undefined);
      if (res) first = (await rawRequest(url, 'GET', '/v1/dossiers/dos_none', KEY)).status;
      else await new Promise((r) => setTimeout(r, 5));
    }
    const rt = await starting;
    try {
      expect(first).toBe(404); // authenticated (not 401): the key was seeded before anything answered
    } finally {
      await rt.stop();
    }
  });
});
