/**
 * Delivery outcomes (DESIGN §6–7): Twilio status callbacks and SendGrid signed event webhooks, posted by the
 * fake providers exactly as the real ones do, verified (signature on the exact URL / the raw body), recorded on
 * the dossier timeline once, and acted on: a hard bounce or a dead number makes that contact point unusable so
 * the next decision picks another channel.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startLocal } from '../support/local.js';
import { caseState, debtorFacts, runStep, seedCase, type Seeded, timeline } from '../support/channel-steps.js';
import { decideState } from '../../functions/services/decide.js';
import { now } from '../../functions/shared/clock.js';
import { EVENT_SIGNATURE_HEADER, EVENT_TIMESTAMP_HEADER, signSendgridEvents } from '../../infra/local/fakes/index.js';
import { LOCAL_DEFAULTS } from '../../infra/local/defaults.js';

let h: Harness;
beforeAll(async () => {
  h = await startLocal({ start: '2026-03-03T08:00:00Z' });
});
afterAll(async () => h?.stop());

const outcomes = async (caseId: string) =>
  (await timeline(caseId)).filter((e) => ['delivered', 'opened', 'clicked', 'bounced', 'failed', 'opted_out'].includes(e.type));

async function smsTo(s: Seeded, channel: 'sms' | 'whatsapp' = 'sms') {
  await runStep(s, channel);
  const rec = h.rt.fakes.records().filter((r) => r.provider === 'twilio' && r.to === s.phone).at(-1)!;
  expect(rec.statusCallback).toBeDefined();
  return rec;
}

async function emailTo(s: Seeded) {
  await runStep(s, 'email');
  return h.rt.fakes.records().filter((r) => r.provider === 'sendgrid' && r.to === s.email).at(-1)!;
}

/** POST a Twilio status callback as Twilio would, optionally with a wrong or no signature. */
async function postStatus(url: string, params: Record<string, string>, signature: string | null | 'sign') {
  const sig = signature === 'sign' ? twilio.getExpectedTwilioSignature(h.rt.twilioAuthToken, url, params) : signature;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(sig ? { 'x-twilio-signature': sig } : {}) },
    body: new URLSearchParams(params).toString(),
  });
  await res.text();
  return res.status;
}

describe('Twilio status callbacks', () => {
  it('delivered and read are recorded once each, however often Twilio repeats them', async () => {
    const s = await seedCase({ whatsappOptIn: true });
    const sms = await smsTo(s);
    await h.rt.fakes.deliverStatus(sms.id, 'sent'); // not something a person needs to see
    await h.rt.fakes.deliverStatus(sms.id, 'delivered');
    await h.rt.fakes.deliverStatus(sms.id, 'delivered');
    await Promise.all([h.rt.fakes.deliverStatus(sms.id, 'delivered'), h.rt.fakes.deliverStatus(sms.id, 'delivered')]);
    await h.advance({ seconds: 1 });
    const wa = await smsTo(s, 'whatsapp');
    await h.rt.fakes.deliverStatus(wa.id, 'delivered');
    await h.advance({ seconds: 1 });
    await h.rt.fakes.deliverStatus(wa.id, 'read');
    await h.rt.fakes.deliverStatus(wa.id, 'read');
    const got = await outcomes(s.caseId);
    expect(got.map((e) => [e.type, e.channel, e.providerId])).toEqual([
      ['delivered', 'sms', sms.id],
      ['delivered', 'whatsapp', wa.id],
      ['opened', 'whatsapp', wa.id],
    ]);
    expect(got[0].dossierIds).toEqual(s.dossierIds);
    // The dossier's client sees it on the dossier timeline.
    const view = await h.api('GET', `/v1/dossiers/${s.dossierIds[0]}`);
    expect(view.body.timeline.filter((e: { type: string }) => e.type === 'delivered')).toHaveLength(2);
    expect((await debtorFacts(s.caseId)).unusable).toEqual([]);
  });

  it('undelivered (handset off, 30003) is recorded but keeps the number; failed with a dead number (30005) marks the phone unusable, so the next decision picks another channel', async () => {
    const a = await seedCase();
    const first = await smsTo(a);
    await h.rt.fakes.deliverStatus(first.id, 'undelivered');
    let got = await outcomes(a.caseId);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ type: 'failed', channel: 'sms', data: { status: 'undelivered', errorCode: '30003' } });
    expect(got[0].detail).toContain('undelivered (error 30003)');
    expect((await debtorFacts(a.caseId)).unusable).toEqual([]);

    await h.advance({ seconds: 60 });
    const second = await smsTo(a);
    const seqBefore = (await caseState(a.caseId)).eventSeq;
    await h.rt.fakes.deliverStatus(second.id, 'failed', { errorCode: 30005 });
    await h.rt.fakes.deliverStatus(second.id, 'failed', { errorCode: 30005 });
    got = await outcomes(a.caseId);
    expect(got.map((e) => [e.type, e.data?.status, e.data?.errorCode])).toEqual([
      ['failed', 'undelivered', '30003'],
      ['failed', 'failed', '30005'],
    ]);
    expect(got[1].detail).toContain('the phone number is marked unusable');
    expect((await debtorFacts(a.caseId)).unusable).toEqual(['phone']);
    // The journey was told (eventSeq moved once for the one genuine failure) …
    expect((await caseState(a.caseId)).eventSeq).toBe(seqBefore + 1);
    // … and whatever Decide chooses next, it is not a channel that needs the phone.
    const c = (await caseState(a.caseId));
    const next = await decideState({ caseId: a.caseId, journeyNo: 1 }, now());
    expect(c.journey.status).toBe('active');
    if (next.action?.type === 'send') expect(['email', 'letter']).toContain(next.action.channel);
  });

  it('a forged or unsigned status callback gets 403 and changes nothing', async () => {
    const s = await seedCase();
    const sms = await smsTo(s);
    const url = sms.statusCallback!;
    const params = {
      AccountSid: LOCAL_DEFAULTS.twilioAccountSid,
      ApiVersion: '2010-04-01',
      MessageSid: sms.id,
      SmsSid: sms.id,
      MessageStatus: 'failed',
      SmsStatus: 'failed',
      ErrorCode: '30005',
      To: s.phone!,
      From: LOCAL_DEFAULTS.smsFrom,
    };
    const before = await timeline(s.caseId);
    const seq = (await caseState(s.caseId)).eventSeq;
    expect(await postStatus(url, params, null)).toBe(403);
    expect(await postStatus(url, params, 'bm90IHRoZSByaWdodCBzaWduYXR1cmU=')).toBe(403);
    // Signed with the wrong token, or for another URL (the query carries the step), or over other fields.
    expect(await postStatus(url, params, twilio.getExpectedTwilioSignature('not-the-token', url, params))).toBe(403);
    expect(await postStatus(url.replace(/s=\d+/, 's=99'), params, twilio.getExpectedTwilioSignature(h.rt.twilioAuthToken, url, params))).toBe(403);
    expect(await postStatus(url, { ...params, ErrorCode: '30003' }, twilio.getExpectedTwilioSignature(h.rt.twilioAuthToken, url, params))).toBe(403);
    expect(await timeline(s.caseId)).toEqual(before);
    expect((await debtorFacts(s.caseId)).unusable).toEqual([]);
    expect((await caseState(s.caseId)).eventSeq).toBe(seq);
    // The genuine one still goes through afterwards (nothing was "used up" by the forgeries).
    expect(await postStatus(url, params, 'sign')).toBe(204);
    expect((await outcomes(s.caseId)).map((e) => e.type)).toEqual(['failed']);
  });

  it('a status that arrives before the message id is recorded still finds its step through the signed callback URL', async () => {
    const s = await seedCase();
    const sms = await smsTo(s);
    const url = sms.statusCallback!;
    const early = `SM${crypto.randomBytes(16).toString('hex')}`; // an id our look-up has never seen
    const params = { AccountSid: LOCAL_DEFAULTS.twilioAccountSid, MessageSid: early, MessageStatus: 'delivered', To: s.phone!, From: LOCAL_DEFAULTS.smsFrom };
    expect(await postStatus(url, params, 'sign')).toBe(204);
    expect((await outcomes(s.caseId)).map((e) => [e.type, e.providerId, e.dossierIds])).toEqual([['delivered', early, s.dossierIds]]);
    // Unknown message and no correlation: accepted (Twilio must not retry) and ignored.
    expect(await postStatus(`${h.url}/webhooks/twilio/status`, params, 'sign')).toBe(204);
    expect(await outcomes(s.caseId)).toHaveLength(1);
  });
});

describe('SendGrid signed event webhook', () => {
  it('delivered, open and click are recorded once each; a redelivered batch changes nothing', async () => {
    const s = await seedCase();
    const mail = await emailTo(s);
    const batch = [
      h.rt.fakes.sendgridEventFor(mail.id, 'processed'),
      h.rt.fakes.sendgridEventFor(mail.id, 'delivered'),
      h.rt.fakes.sendgridEventFor(mail.id, 'open'),
      h.rt.fakes.sendgridEventFor(mail.id, 'click', { url: 'https://pay.example.invalid/p/x' }),
    ];
    await h.rt.fakes.sendgridEvents(batch);
    await h.rt.fakes.sendgridEvents(batch);
    await Promise.all([h.rt.fakes.sendgridEvents(batch), h.rt.fakes.sendgridEvents(batch.slice(1, 3))]);
    const got = await outcomes(s.caseId);
    // one batch, one instant: the timeline orders them by id, so compare as a set
    expect(got.map((e) => [e.type, e.channel, e.providerId]).sort()).toEqual([
      ['clicked', 'email', mail.id],
      ['delivered', 'email', mail.id],
      ['opened', 'email', mail.id],
    ]);
    expect((await debtorFacts(s.caseId)).unusable).toEqual([]);
  });

  it('a hard bounce marks the address unusable (reason kept, address redacted) so the next decision picks another channel; a blocked bounce does not', async () => {
    const s = await seedCase();
    const mail = await emailTo(s);
    await h.rt.fakes.sendgridEvents([
      h.rt.fakes.sendgridEventFor(mail.id, 'bounce', { type: 'blocked', reason: '421 4.7.0 try again later' }),
    ]);
    expect((await debtorFacts(s.caseId)).unusable).toEqual([]);
    await h.advance({ seconds: 1 });
    const seq = (await caseState(s.caseId)).eventSeq;
    const hard = h.rt.fakes.sendgridEventFor(mail.id, 'bounce', {
      type: 'bounce',
      reason: `550 5.1.1 <${s.email}>: Recipient address rejected: User unknown`,
      status: '5.1.1',
    });
    await h.rt.fakes.sendgridEvents([hard]);
    await h.rt.fakes.sendgridEvents([hard]);
    const bounced = (await outcomes(s.caseId)).filter((e) => e.type === 'bounced');
    expect(bounced).toHaveLength(2);
    expect(bounced[1].detail).toContain('550 5.1.1 <[email]>: Recipient address rejected');
    expect(bounced[1].detail).toContain('the email address is marked unusable');
    expect(JSON.stringify(await timeline(s.caseId))).not.toContain(s.email!);
    expect((await debtorFacts(s.caseId)).unusable).toEqual(['email']);
    expect((await caseState(s.caseId)).eventSeq).toBe(seq + 1);
    const next = await decideState({ caseId: s.caseId, journeyNo: 1 }, now());
    if (next.action?.type === 'send') expect(next.action.channel).not.toBe('email');
  });

  it('spam report and unsubscribe opt the debtor out of email', async () => {
    const s = await seedCase();
    const mail = await emailTo(s);
    await h.rt.fakes.sendgridEvents([h.rt.fakes.sendgridEventFor(mail.id, 'unsubscribe')]);
    expect((await debtorFacts(s.caseId)).optOuts).toEqual(['email']);
    expect((await outcomes(s.caseId)).map((e) => e.type)).toEqual(['opted_out']);
  });

  it('an unsigned, wrongly signed or altered batch gets 403 and changes nothing', async () => {
    const s = await seedCase();
    const mail = await emailTo(s);
    const url = `${h.url}/webhooks/sendgrid/events`;
    const body = JSON.stringify([h.rt.fakes.sendgridEventFor(mail.id, 'bounce', { type: 'bounce', reason: 'x' })]);
    const ts = String(Math.floor(now().getTime() / 1000));
    const key = crypto.createPrivateKey(fs.readFileSync(path.join(h.dataDir, 'sendgrid-event-key.pem')));
    const otherKey = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const post = async (raw: string, headers: Record<string, string>) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
      await res.text();
      return res.status;
    };
    const before = await timeline(s.caseId);
    expect(await post(body, {})).toBe(403);
    expect(await post(body, { [EVENT_SIGNATURE_HEADER]: signSendgridEvents(otherKey, ts, body), [EVENT_TIMESTAMP_HEADER]: ts })).toBe(403);
    // Verified on the raw bytes: the same events re-serialised (other whitespace) no longer match.
    const sig = signSendgridEvents(key, ts, body);
    expect(await post(JSON.stringify(JSON.parse(body), null, 1), { [EVENT_SIGNATURE_HEADER]: sig, [EVENT_TIMESTAMP_HEADER]: ts })).toBe(403);
    expect(await post(body, { [EVENT_SIGNATURE_HEADER]: sig, [EVENT_TIMESTAMP_HEADER]: String(Number(ts) + 1) })).toBe(403);
    expect(await timeline(s.caseId)).toEqual(before);
    expect((await debtorFacts(s.caseId)).unusable).toEqual([]);
    // The genuine bytes with the genuine signature are accepted.
    expect(await post(body, { [EVENT_SIGNATURE_HEADER]: sig, [EVENT_TIMESTAMP_HEADER]: ts })).toBe(200);
    expect((await debtorFacts(s.caseId)).unusable).toEqual(['email']);
  });
});
