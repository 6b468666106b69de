/**
 * Issue 8 on the local runtime, with real signed Twilio webhooks: every intent gets its answer on the channel it came
 * in (with `inReplyTo` in the outbox), its agent task or its stop; a duplicated webhook gives one answer; answers
 * wait for contact hours except opt-out confirmations; STOP in a sentence stops SMS for 60 virtual days; STOPALL
 * keeps the 14-day letter; a vulnerability message pauses automated outreach until an agent records an outcome;
 * a dispute resolved for the creditor resumes the journey; debt help moves the dossier to its own status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, dossierBody, startLocal } from '../support/local.js';
import { caseState, runStep, seedCase, type Seeded, timeline, uniquePhone } from '../support/channel-steps.js';
import { now } from '../../functions/shared/clock.js';

let h: Harness;
beforeAll(async () => {
  // Monday 2 March 2026, 09:00 in Amsterdam.
  h = await startLocal({ start: '2026-03-02T08:00:00Z' });
});
afterAll(async () => h?.stop());

const agent = { key: 'key-agency' };
let sids = 0;
const sid = () => `SM${String(++sids).padStart(8, '0')}${Math.random().toString(16).slice(2, 14).padEnd(24, '0')}`;

/** A debtor who got an SMS reminder (so a reply answers it), no journey running. */
async function smsed(o: Parameters<typeof seedCase>[0] = {}): Promise<Seeded> {
  const s = await seedCase({ name: 'Sam Voorbeeld', ...o });
  await runStep(s, 'sms', { phase: 'reminder', tone: 'friendly', language: o.language ?? 'nl' });
  return s;
}

async function answersTo(messageSid: string) {
  return (await h.outbox()).filter((m) => m.inReplyTo === messageSid);
}

const tasksOf = async (debtorId: string, reason?: string) =>
  ((await h.api('GET', `/v1/tasks?status=open${reason ? `&reason=${reason}` : ''}`, undefined, agent)).body.tasks as Array<Record<string, any>>).filter((t) => t.debtorId === debtorId);

describe('every intent: understood, answered on its channel, handed to an agent or stopped', () => {
  it.each([
    ['Stop met die sms-jes aub', 'opt_out', ['geen sms meer'], null],
    ['STOPALL', 'opt_out_all', ['geen sms, WhatsApp of e-mail meer', 'per post'], null],
    ['Ik betaal vrijdag', 'promise_to_pay', ['op vrijdag 6 maart', 'betalen kan via http://127.0.0.1:'], null],
    ['ik kan pas volgende maand betalen', 'postpone', ['in april'], null],
    ['ik heb het al overgemaakt', 'already_paid', ['controleren'], null],
    ['kan ik in 3 keer betalen', 'arrangement', ['betalingsregeling', '1) 3 keer € 41,67', 'antwoord met het nummer', '/p/'], null],
    ['ik kan niet betallen', 'cannot_pay', ['betalen in delen kan: 1) 3 keer € 41,67', 'gemeente', 'geldfit.nl'], null],
    ['Deze rekening klopt niet, ik heb het nooit besteld', 'dispute', ['zetten de incasso stil', 'Acme Energie B.V.'], 'dispute_review'],
    ['dat is niet mijn rekening', 'not_my_debt', ['niet voor u'], 'wrong_person'],
    ['ik zit in de schuldhulpverlening', 'debt_help', ['geldfit.nl', 'gemeente', 'stoppen de incasso'], null],
    ['Ik ga failliet', 'bankruptcy', ['curator'], 'bankruptcy'],
    ['Mijn man is overleden, ik weet niet wat ik moet doen', 'vulnerable', ['het spijt ons', 'persoonlijk'], 'vulnerable'],
    ['wie bent u?', 'who_are_you', ['incassobureau', 'Wki-register', 'justis.nl', 'Acme Energie B.V.'], null],
    ['bel me maar', 'call_me', ['belt u'], 'call_back_requested'],
    ['Waar is dit bedrag voor?', 'amount_question', ['Totaal open'], null],
    ['hmm tja', 'unclear', ['een medewerker leest het'], 'unclear_reply'],
  ] as const)('"%s" → %s', async (text, intent, says, taskReason) => {
    const s = await smsed();
    const messageSid = sid();
    expect(await h.reply(s.phone!, text, { messageSid })).toBe(200);
    await h.advance({ seconds: 0 });

    // The timeline entry carries the intent and its confidence, for the creditor too.
    const view = await h.api('GET', `/v1/dossiers/${s.dossierIds[0]}`);
    const replied = view.body.timeline.find((e: { type: string }) => e.type === 'replied');
    expect(replied).toMatchObject({ intent, channel: 'sms' });
    expect(replied.confidence).toBeGreaterThan(0);
    expect(replied.confidence).toBeLessThanOrEqual(1);

    // One answer, on SMS, in Dutch, naming the agency and its Wki number, with inReplyTo = the inbound message.
    const answers = await answersTo(messageSid);
    expect(answers).toHaveLength(1);
    const a = answers[0];
    expect(a).toMatchObject({ channel: 'sms', to: s.phone, template: `answer/${intent}`, language: 'nl', debtorId: s.caseId, dossierIds: s.dossierIds, inReplyTo: messageSid });
    expect(a.text).toContain('Voorbeeldstad Incasso B.V.');
    expect(a.text).toContain('WKI-2026-00042');
    for (const words of says) expect(a.text.toLowerCase()).toContain(words.toLowerCase());
    expect(a.encoding).toBe('GSM-7');
    expect(view.body.timeline.map((e: { type: string }) => e.type)).toContain('answered');

    const tasks = await tasksOf(s.caseId);
    if (taskReason) {
      expect(tasks.map((t) => t.reason)).toEqual([taskReason]);
      expect(tasks[0]).toMatchObject({ status: 'open', dossierIds: s.dossierIds, context: { intent, text, phone: s.phone } });
      expect(Date.parse(tasks[0].dueAt)).toBeGreaterThan(now().getTime());
    } else expect(tasks).toEqual([]);

    const c = await caseState(s.caseId);
    if (intent === 'opt_out') expect(c.optOuts).toEqual(['sms']);
    if (intent === 'opt_out_all') expect(c.optOuts).toEqual(['all']);
    if (intent === 'dispute') expect(view.body.status).toBe('paused');
    if (intent === 'debt_help') expect(view.body.status).toBe('debt_help');
    if (['vulnerable', 'bankruptcy', 'not_my_debt'].includes(intent)) expect(c.holds?.map((x) => x.taskId)).toEqual([tasks[0].taskId]);
    if (intent === 'promise_to_pay') expect(c.signals.grace).toMatchObject({ kind: 'promise', until: '2026-03-06' });
  });

  it('an English-speaking debtor gets the answer in English; WhatsApp answers go on WhatsApp as free text inside the window', async () => {
    const s = await smsed({ language: 'en', whatsappOptIn: true });
    const messageSid = sid();
    expect(await h.reply(s.phone!, 'I will pay on Friday', { messageSid, whatsapp: true })).toBe(200);
    await h.advance({ seconds: 0 });
    const [a] = await answersTo(messageSid);
    expect(a).toMatchObject({ channel: 'whatsapp', template: 'answer/promise_to_pay', language: 'en', inReplyTo: messageSid });
    expect(a.contentSid).toBeUndefined();
    expect(a.text).toContain('on Friday 6 March');
    expect(a.text).toContain('Wki WKI-2026-00042');
  });

  it('the agents’ list is filtered by reason and sorted by priority; a vulnerability task is urgent and due within 4 hours', async () => {
    const s = await smsed();
    await h.reply(s.phone!, 'Ik lig in het ziekenhuis, bel me maar', { messageSid: sid() });
    await h.advance({ seconds: 0 });
    const all = await tasksOf(s.caseId);
    expect(all.map((t) => [t.reason, t.priority])).toEqual([
      ['vulnerable', 'urgent'],
      ['call_back_requested', 'normal'],
    ]);
    expect(Date.parse(all[0].dueAt) - now().getTime()).toBeLessThanOrEqual(4 * 3600_000);
    expect((await tasksOf(s.caseId, 'vulnerable')).map((t) => t.reason)).toEqual(['vulnerable']);
    expect((await h.api('GET', '/v1/tasks?status=open&reason=gone_fishing', undefined, agent)).status).toBe(400);
  });
});

describe('one answer per inbound message', () => {
  it('a webhook delivered twice (and twice at once) gives one answer, one timeline entry and one task', async () => {
    const s = await smsed();
    const messageSid = sid();
    expect(await h.reply(s.phone!, 'bel me maar', { messageSid })).toBe(200);
    expect(await h.reply(s.phone!, 'bel me maar', { messageSid })).toBe(200);
    const other = sid();
    const codes = await Promise.all([h.reply(s.phone!, 'wie bent u?', { messageSid: other }), h.reply(s.phone!, 'wie bent u?', { messageSid: other })]);
    expect(codes).toEqual([200, 200]);
    await h.advance({ seconds: 0 });
    expect(await answersTo(messageSid)).toHaveLength(1);
    expect(await answersTo(other)).toHaveLength(1);
    const events = await timeline(s.caseId);
    expect(events.filter((e) => e.type === 'replied')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'answered')).toHaveLength(2);
    expect(await tasksOf(s.caseId, 'call_back_requested')).toHaveLength(1);
  });

  it('an answer Twilio keeps refusing for now (500s) fails the webhook; Twilio’s retry of it sends the answer, once', async () => {
    const s = await smsed();
    const messageSid = sid();
    // the first send and its retries (PROVIDER_RETRIES) all answered 500: sent by the Deliveries function, failed there
    h.rt.fakes.inject({ provider: 'twilio', kind: '500', times: 1 + Number(process.env.PROVIDER_RETRIES ?? 3) });
    expect(await h.reply(s.phone!, 'wie bent u?', { messageSid })).toBe(500);
    expect(await answersTo(messageSid)).toHaveLength(0);
    expect(h.rt.fakes.pendingFaults().twilio).toBe(0);
    expect(await h.reply(s.phone!, 'wie bent u?', { messageSid })).toBe(200);
    await h.advance({ seconds: 0 });
    expect(await answersTo(messageSid)).toHaveLength(1);
    expect((await timeline(s.caseId)).filter((e) => e.type === 'answered')).toHaveLength(1);
  });
});

describe('contact hours', () => {
  it('an answer to a reply at 22:30 waits for 07:00; an opt-out at 22:30 is confirmed at once', async () => {
    const s = await smsed();
    await h.advance('2026-03-03T21:30:00Z'); // Tuesday 22:30 in Amsterdam
    const late = sid();
    expect(await h.reply(s.phone!, 'wie bent u?', { messageSid: late })).toBe(200);
    await h.advance({ seconds: 60 });
    expect(await answersTo(late)).toHaveLength(0);
    expect((await timeline(s.caseId)).find((e) => e.type === 'answer_planned')?.data).toMatchObject({ sendAt: '2026-03-04T06:00:00.000Z' });

    const t = await seedCase();
    await runStep(t, 'sms');
    const stop = sid();
    expect(await h.reply(t.phone!, 'stop', { messageSid: stop })).toBe(200);
    await h.advance({ seconds: 0 });
    const [confirmation] = await answersTo(stop);
    expect(confirmation).toMatchObject({ template: 'answer/opt_out' });
    expect(Date.parse(confirmation.sentAt)).toBeLessThan(Date.parse('2026-03-03T21:32:00Z'));

    await h.advance('2026-03-04T06:30:00Z');
    const [morning] = await answersTo(late);
    expect(morning).toMatchObject({ template: 'answer/who_are_you', inReplyTo: late });
    expect(morning.sentAt).toBe('2026-03-04T06:00:00.000Z');
  });
});

describe('on a running journey', () => {
  async function journeyFor(reference: string, phone: string, extra: Record<string, unknown> = {}) {
    const res = await h.api('POST', '/v1/dossiers', dossierBody({ reference, dueDate: '2026-02-20', ...extra }, { phone, email: `${reference.toLowerCase()}@example.invalid` }));
    expect(res.status).toBe(201);
    await h.advance({ seconds: 0 });
    return res.body as { dossierId: string; debtorId: string };
  }
  const sent = async (debtorId: string, after = '') => (await h.outbox()).filter((m) => m.debtorId === debtorId && !m.inReplyTo && m.channel !== 'call' && m.sentAt > after);

  it('STOP in a sentence stops SMS: none in the next 60 virtual days, while the journey goes on by other channels', async () => {
    const phone = uniquePhone();
    const { debtorId } = await journeyFor('CONV-STOP', phone);
    // Run until the journey has sent an SMS.
    for (let i = 0; i < 30 && !(await sent(debtorId)).some((m) => m.channel === 'sms'); i++) await h.advance({ seconds: 86_400 });
    expect((await sent(debtorId)).some((m) => m.channel === 'sms')).toBe(true);
    const messageSid = sid();
    expect(await h.reply(phone, 'Stop met sturen van die smsjes, ik lees ze toch niet', { messageSid })).toBe(200);
    await h.advance({ seconds: 0 });
    const from = now().toISOString();
    expect((await answersTo(messageSid))[0]).toMatchObject({ template: 'answer/opt_out', channel: 'sms' });
    await h.advance({ seconds: 60 * 86_400 });
    const after = await sent(debtorId, from);
    expect(after.filter((m) => m.channel === 'sms')).toEqual([]);
    expect(after.length).toBeGreaterThan(0);
    const debtor = await h.api('GET', `/v1/debtors/${debtorId}`);
    expect(debtor.body.optOuts).toEqual(['sms']);
  });

  it('STOPALL stops every digital channel and calls; the 14-day letter still goes by post', async () => {
    const phone = uniquePhone();
    const { debtorId } = await journeyFor('CONV-ALL', phone);
    for (let i = 0; i < 30 && !(await sent(debtorId)).some((m) => m.channel === 'sms'); i++) await h.advance({ seconds: 86_400 });
    expect(await h.reply(phone, 'STOPALL', { messageSid: sid() })).toBe(200);
    await h.advance({ seconds: 0 });
    const from = now().toISOString();
    await h.advance({ seconds: 60 * 86_400 });
    const after = await sent(debtorId, from);
    expect(after.filter((m) => m.channel !== 'letter')).toEqual([]);
    // The 14-day letter was not sent yet when the debtor opted out of everything: it goes, and nothing else does.
    expect(after.map((m) => m.template)).toEqual(['letter/fourteen_day_letter/neutral']);
    expect((await h.outbox()).filter((m) => m.debtorId === debtorId && m.channel === 'call')).toEqual([]);
  });

  it('a vulnerability message pauses automated outreach until an agent records an outcome, then the journey resumes', async () => {
    const phone = uniquePhone();
    const { debtorId, dossierId } = await journeyFor('CONV-VULN', phone);
    for (let i = 0; i < 30 && !(await sent(debtorId)).some((m) => m.channel === 'sms'); i++) await h.advance({ seconds: 86_400 });
    const messageSid = sid();
    expect(await h.reply(phone, 'Mijn man is overleden, ik weet niet wat ik moet doen', { messageSid })).toBe(200);
    await h.advance({ seconds: 0 });
    const from = now().toISOString();
    await h.advance({ seconds: 30 * 86_400 });
    expect(await sent(debtorId, from)).toEqual([]);
    const view = await h.api('GET', `/v1/dossiers/${dossierId}`);
    expect(view.body.timeline.filter((e: { type: string }) => e.type === 'decision').at(-1).detail).toMatch(/paused .* until an agent records an outcome/);

    // Nobody answers the agent's call: still paused, and the task comes back the next day.
    const [task] = await tasksOf(debtorId, 'vulnerable');
    expect((await h.api('POST', `/v1/tasks/${task.taskId}/complete`, { outcome: 'no_answer' }, agent)).status).toBe(200);
    await h.advance({ seconds: 10 * 86_400 });
    expect(await sent(debtorId, from)).toEqual([]);
    const [again] = await tasksOf(debtorId, 'vulnerable');
    expect(again.taskId).toBe(`${task.taskId}_r2`);

    // The agent speaks with the debtor and records it: automated outreach resumes (a person decides each escalation).
    const at = now().toISOString();
    expect((await h.api('POST', `/v1/tasks/${again.taskId}/complete`, { outcome: 'vulnerable', note: 'Gesproken; betaalt na de uitvaart.' }, agent)).status).toBe(200);
    await h.advance({ seconds: 30 * 86_400 });
    expect((await sent(debtorId, at)).length + (await h.outbox()).filter((m) => m.debtorId === debtorId && m.channel === 'call' && m.sentAt > at).length).toBeGreaterThan(0);
    expect((await caseState(debtorId)).holds).toEqual([]);
  });

  it('a dispute is acknowledged, paused with a task; resolved for the creditor, the journey resumes', async () => {
    const phone = uniquePhone();
    const { debtorId, dossierId } = await journeyFor('CONV-DISP', phone);
    for (let i = 0; i < 30 && !(await sent(debtorId)).some((m) => m.channel === 'sms'); i++) await h.advance({ seconds: 86_400 });
    const messageSid = sid();
    expect(await h.reply(phone, 'Ik heb dit nooit besteld, klopt niet', { messageSid })).toBe(200);
    await h.advance({ seconds: 0 });
    expect((await answersTo(messageSid))[0].template).toBe('answer/dispute');
    expect((await tasksOf(debtorId, 'dispute_review')).length).toBe(1);
    const from = now().toISOString();
    await h.advance({ seconds: 20 * 86_400 });
    expect(await sent(debtorId, from)).toEqual([]);
    expect((await h.api('GET', `/v1/dossiers/${dossierId}`)).body.status).toBe('paused');

    const resolvedAt = now().toISOString();
    // The creditor resolves the debtor's dispute through the API (services/disputes.ts, the one resolution).
    const res = await h.api('POST', `/v1/dossiers/${dossierId}/dispute/resolve`, { inFavourOf: 'creditor' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('open');
    await h.advance({ seconds: 30 * 86_400 });
    expect((await sent(debtorId, resolvedAt)).length).toBeGreaterThan(0);
    expect((await h.api('GET', `/v1/dossiers/${dossierId}`)).body.timeline.map((e: { type: string }) => e.type)).toContain('dispute_resolved');
  });

  it('debt help: the dossier gets the debt_help status at once, the journey stops and nothing more is sent', async () => {
    const phone = uniquePhone();
    const { debtorId, dossierId } = await journeyFor('CONV-HELP', phone);
    for (let i = 0; i < 30 && !(await sent(debtorId)).some((m) => m.channel === 'sms'); i++) await h.advance({ seconds: 86_400 });
    expect(await h.reply(phone, 'Ik zit in de WSNP', { messageSid: sid() })).toBe(200);
    await h.advance({ seconds: 0 });
    const from = now().toISOString();
    await h.advance({ seconds: 60 * 86_400 });
    expect(await sent(debtorId, from)).toEqual([]);
    const view = await h.api('GET', `/v1/dossiers/${dossierId}`);
    expect(view.body.status).toBe('debt_help');
    expect(view.body.timeline.find((e: { type: string }) => e.type === 'journey_ended').detail).toMatch(/referred to debt help/);
  });
});
