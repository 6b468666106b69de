/**
 * The API's edges (DESIGN §6–7): clear 4xx answers with the field and the reason, per-client isolation,
 * idempotent creation and payments, and webhooks that only a correct signature gets through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossierBody, type Harness, startLocal } from '../support/local.js';

let h: Harness;
beforeAll(async () => {
  h = await startLocal({ start: '2026-03-03T09:00:00Z' });
});
afterAll(async () => h?.stop());

describe('POST /v1/dossiers input validation', () => {
  it.each([
    ['a missing reference', { reference: undefined }, {}, 'reference'],
    ['a negative principal', { principal: -5 }, {}, 'principal'],
    ['a principal in euros with decimals', { principal: 12.5 }, {}, 'principal'],
    ['a bad due date', { dueDate: '31-01-2026' }, {}, 'dueDate'],
    ['a phone number that is not E.164', {}, { phone: '0612345678' }, 'debtor.phone'],
    ['an invalid email', {}, { email: 'not-an-email' }, 'debtor.email'],
    ['a missing consumer flag', {}, { consumer: undefined }, 'debtor.consumer'],
    ['an unknown language', {}, { language: 'de' }, 'debtor.language'],
  ])('rejects %s with 400 naming the field', async (_name, over, debtorOver, field) => {
    const before = await h.outbox();
    const res = await h.api('POST', '/v1/dossiers', dossierBody(over, debtorOver));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(Object.keys(res.body.error.fields)).toContain(field);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts|stack/i);
    await h.advance({ seconds: 0 });
    expect((await h.outbox()).length).toBe(before.length);
  });

  it('rejects a body that is not JSON with 400 and no stack trace', async () => {
    const res = await h.api('POST', '/v1/dossiers', '{"reference": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
  });

  it('asks for an API key (401) and refuses an unknown one', async () => {
    expect((await h.api('POST', '/v1/dossiers', dossierBody(), { key: null })).status).toBe(401);
    expect((await h.api('GET', '/v1/dossiers/dos_x', undefined, { key: 'wrong' })).status).toBe(401);
  });
});

describe('client isolation and idempotency', () => {
  it("answers 404 for another client's dossier and debtor, as if they did not exist", async () => {
    const mine = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'ISO-1' }, { phone: '+31611111111', email: 'iso@example.invalid' }));
    expect(mine.status).toBe(201);
    const theirs = await h.api('GET', `/v1/dossiers/${mine.body.dossierId}`, undefined, { key: 'key-globex' });
    expect(theirs.status).toBe(404);
    expect((await h.api('GET', `/v1/debtors/${mine.body.debtorId}`, undefined, { key: 'key-globex' })).status).toBe(404);
    expect((await h.api('POST', `/v1/dossiers/${mine.body.dossierId}/payments`, { amount: 100 }, { key: 'key-globex' })).status).toBe(404);
    expect((await h.api('GET', `/v1/dossiers/${mine.body.dossierId}`)).status).toBe(200);
  });

  it("does not show one creditor the details another creditor supplied about a shared debtor", async () => {
    const a = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'SHARE-A' }, { name: 'Sam Gedeeld', phone: '+31677777777', email: 'share-acme@example.invalid' }));
    const b = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'SHARE-B', principal: 90_000 }, { name: 'Sam Gedeeld', phone: '+31677777777', email: 'share-globex@example.invalid' }), { key: 'key-globex' });
    expect(b.body.debtorId).toBe(a.body.debtorId);
    await h.advance({ seconds: 0 });
    const seenByGlobex = await h.api('GET', `/v1/debtors/${b.body.debtorId}`, undefined, { key: 'key-globex' });
    expect(seenByGlobex.status).toBe(200);
    const text = JSON.stringify(seenByGlobex.body);
    expect(text).not.toContain('share-acme@example.invalid');
    expect(text).not.toContain('SHARE-A');
    expect(text).not.toContain(a.body.dossierId);
    const dossierSeenByGlobex = JSON.stringify((await h.api('GET', `/v1/dossiers/${b.body.dossierId}`, undefined, { key: 'key-globex' })).body);
    expect(dossierSeenByGlobex).not.toContain('SHARE-A');
    expect(dossierSeenByGlobex).not.toMatch(/2 open claims/);
  });

  it('replays a creation with the same Idempotency-Key and refuses the key for a different body', async () => {
    const body = dossierBody({ reference: 'IDEM-1' }, { phone: '+31622222222', email: 'idem@example.invalid' });
    const first = await h.api('POST', '/v1/dossiers', body, { headers: { 'Idempotency-Key': 'create-idem-1' } });
    const again = await h.api('POST', '/v1/dossiers', body, { headers: { 'Idempotency-Key': 'create-idem-1' } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const other = await h.api('POST', '/v1/dossiers', { ...body, principal: 999 }, { headers: { 'Idempotency-Key': 'create-idem-1' } });
    expect(other.status).toBe(422);
    await h.advance({ seconds: 0 });
    const emails = (await h.outbox()).filter((m) => m.debtorId === first.body.debtorId && m.channel === 'email');
    expect(emails).toHaveLength(1);
  });

  it('refuses a second dossier with the same reference (409)', async () => {
    const body = dossierBody({ reference: 'DUP-1' }, { phone: '+31633333333', email: 'dup@example.invalid' });
    expect((await h.api('POST', '/v1/dossiers', body)).status).toBe(201);
    const dup = await h.api('POST', '/v1/dossiers', { ...body, principal: 1 });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('duplicate_reference');
  });

  it('books a payment with the same reference once', async () => {
    const d = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'PAY-1', principal: 10_000 }, { phone: '+31644444444', email: 'pay@example.invalid' }));
    const p1 = await h.api('POST', `/v1/dossiers/${d.body.dossierId}/payments`, { amount: 2_500, reference: 'BANK-77' });
    const p2 = await h.api('POST', `/v1/dossiers/${d.body.dossierId}/payments`, { amount: 2_500, reference: 'BANK-77' });
    expect(p1.status).toBe(200);
    expect(p2.body.amounts).toEqual({ principal: 10_000, costs: 0, interest: 0, paid: 2_500, outstanding: 7_500 });
    expect(p2.body.status).toBe('open');
    expect((await h.api('POST', `/v1/dossiers/${d.body.dossierId}/payments`, { amount: 0 })).status).toBe(400);
  });
});

describe('Twilio inbound webhook authentication', () => {
  it('answers 403 to an unsigned or wrongly signed reply and changes nothing', async () => {
    const d = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'SIG-1' }, { phone: '+31655555555', email: 'sig@example.invalid' }));
    await h.advance({ seconds: 0 });
    const before = await h.api('GET', `/v1/dossiers/${d.body.dossierId}`);
    expect(await h.reply('+31655555555', 'STOP', { signature: null })).toBe(403);
    expect(await h.reply('+31655555555', 'STOP', { signature: 'bm90IHRoZSByaWdodCBzaWduYXR1cmU=' })).toBe(403);
    await h.advance({ seconds: 0 });
    const after = await h.api('GET', `/v1/dossiers/${d.body.dossierId}`);
    expect(after.body.timeline).toEqual(before.body.timeline);
    const debtor = await h.api('GET', `/v1/debtors/${d.body.debtorId}`);
    expect(debtor.body.optOuts).toEqual([]);
  });

  it('records a duplicated genuine reply once, and STOP opts the debtor out of SMS', async () => {
    const d = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'SIG-2' }, { phone: '+31666666666', email: 'sig2@example.invalid' }));
    await h.advance({ seconds: 0 });
    expect(await h.reply('+31666666666', 'stop', { messageSid: 'SMdup0000000000000000000000000001' })).toBe(200);
    expect(await h.reply('+31666666666', 'stop', { messageSid: 'SMdup0000000000000000000000000001' })).toBe(200);
    await h.advance({ seconds: 0 });
    const view = await h.api('GET', `/v1/dossiers/${d.body.dossierId}`);
    expect(view.body.timeline.filter((e: { type: string }) => e.type === 'replied')).toHaveLength(1);
    const debtor = await h.api('GET', `/v1/debtors/${d.body.debtorId}`);
    expect(debtor.body.optOuts).toEqual(['sms']);
    // The journey goes on without SMS; the only SMS is the one confirmation of the opt-out (issue 8).
    await h.advance('2026-03-25T12:00:00Z');
    const sms = (await h.outbox()).filter((m) => m.debtorId === d.body.debtorId && m.channel === 'sms');
    expect(sms.map((m) => [m.template, m.inReplyTo])).toEqual([['answer/opt_out', 'SMdup0000000000000000000000000001']]);
  });
});
