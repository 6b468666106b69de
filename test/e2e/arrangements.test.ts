/**
 * Issue 9: payment arrangements end to end on the local runtime (virtual clock, real SDKs against the fakes).
 * "ik wil een regeling" → the offer within a minute, as the one answer to the reply → reply "1"/"2" (answered with
 * the plan agreed, never handed to an agent as unclear) → the arrangement in force with its instalments
 * → a reminder before each due date (no collection messages meanwhile) → paying the instalments by link completes it;
 * a missed instalment gets a reminder, then the breach, and the journey resumes with the breach in its log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../infra/local/api-server.js';
import { dossierBody, type Harness, startLocal } from '../support/local.js';

let h: Harness;

beforeAll(async () => {
  // Monday 2 March 2026, 09:00 in Amsterdam.
  h = await startLocal({ start: '2026-03-02T08:00:00Z' });
});
afterAll(async () => h?.stop());

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });
const linkOf = (m: OutboxMessage) => /(https?:\/\/\S+\/p\/[A-Za-z0-9_-]+)/.exec(m.text)![1];
const now = async () => Date.parse(((await (await fetch(`${h.url}/local/clock`)).json()) as { now: string }).now);

async function debtor(phone: string, principal: number) {
  const res = await h.api('POST', '/v1/dossiers', dossierBody({ principal, reference: `ARR-${phone.slice(-4)}` }, { phone, email: undefined, name: `Debiteur ${phone.slice(-4)}` }));
  expect(res.status).toBe(201);
  await h.advance({ seconds: 0 });
  return { dossierId: res.body.dossierId as string, debtorId: res.body.debtorId as string };
}

const mine = async (debtorId: string) => (await h.outbox()).filter((m) => m.debtorId === debtorId);

async function payLink(link: string): Promise<void> {
  const res = await fetch(`${link}/pay`, form({ what: 'instalment' }));
  expect(res.status).toBe(303);
  const checkout = res.headers.get('location')!;
  const id = checkout.split('/').at(-1)!;
  expect((await h.api('POST', `/local/mollie/payments/${id}`, { status: 'paid' }, { key: null })).status).toBe(200);
  await h.advance({ seconds: 0 });
}

/** Runs the clock a day at a time until `pred` holds (at most `days`). */
async function until(pred: () => Promise<boolean>, days: number, dossierId?: string): Promise<void> {
  for (let i = 0; i < days; i++) {
    if (await pred()) return;
    await h.advance({ seconds: 86_400 });
  }
  if (!(await pred()) && dossierId && process.env.DEBUG_ARR) {
    const v = (await h.api('GET', `/v1/dossiers/${dossierId}`)).body;
    console.log(JSON.stringify(v.arrangement), v.timeline.slice(-12).map((e: { at: string; type: string; detail: string }) => `${e.at} ${e.type} ${e.detail.slice(0, 300)}`).join('\n'));
  }
  expect(await pred()).toBe(true);
}

describe('payment arrangements', () => {
  it('"ik wil een regeling" gets an offer within a minute; "1" makes it active; paying every instalment by link completes it', async () => {
    const d = await debtor('+31622220001', 30_000);
    const asked = await now();
    const sentBefore = (await mine(d.debtorId)).length;
    expect(await h.reply('+31622220001', 'ik wil een regeling')).toBe(200);
    await h.advance({ seconds: 60 });
    // One answer, once: the answer to the reply is the offer; the journey sends no second one.
    const answers = (await mine(d.debtorId)).slice(sentBefore);
    expect(answers.map((m) => m.template)).toEqual(['answer/arrangement']);
    const offer = answers[0];
    expect(offer.inReplyTo).toBeDefined();
    expect(Date.parse(offer.sentAt) - asked).toBeLessThanOrEqual(60_000);
    expect(offer.text).toMatch(/1\) 3 keer € 100,00/);
    expect(offer.text).toContain('Antwoord met het nummer van uw keuze');
    expect(offer.text).toMatch(/\/p\/[A-Za-z0-9_-]{40,}/);
    expect(offer.text).not.toMatch(/vergeten/i);

    expect(await h.reply('+31622220001', '1')).toBe(200);
    await h.advance({ seconds: 0 });
    // The choice is understood: answered with the plan agreed, no task for an agent.
    const agreed = (await mine(d.debtorId)).slice(sentBefore + 1);
    expect(agreed.map((m) => m.template)).toEqual(['answer/arrangement']);
    expect(agreed[0].text).toMatch(/uw betalingsregeling staat: 3 termijnen van € 100,00/);
    const tasks = await h.api('GET', '/v1/tasks?status=open', undefined, { key: 'key-agency' });
    expect(tasks.body.tasks.filter((t: { debtorId: string }) => t.debtorId === d.debtorId)).toEqual([]);
    const view = await h.api('GET', `/v1/dossiers/${d.dossierId}`);
    expect(view.body.arrangement.status).toBe('active');
    expect(view.body.arrangement.instalments).toHaveLength(3);
    expect(view.body.arrangement.instalments.map((i: { amount: number }) => i.amount)).toEqual([10_000, 10_000, 10_000]);
    for (const i of view.body.arrangement.instalments) expect(i).toMatchObject({ paidAmount: 0, status: 'open' });
    expect(view.body.timeline.some((e: { type: string; detail: string }) => e.type === 'arrangement' && /accepted by reply: option 1/.test(e.detail))).toBe(true);

    const dues: string[] = view.body.arrangement.instalments.map((i: { dueDate: string }) => i.dueDate);
    for (let k = 0; k < 3; k++) {
      await until(async () => (await mine(d.debtorId)).filter((m) => m.template === 'sms/instalment_reminder/friendly').length > k, 40);
      const reminder = (await mine(d.debtorId)).filter((m) => m.template === 'sms/instalment_reminder/friendly')[k];
      // before the due date, inside contact hours (07:00–20:00 Amsterdam)
      expect(reminder.sentAt.slice(0, 10) <= dues[k]).toBe(true);
      const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', hour: '2-digit', hourCycle: 'h23' }).format(new Date(reminder.sentAt)));
      expect(hour).toBeGreaterThanOrEqual(7);
      expect(hour).toBeLessThan(20);
      expect(reminder.text).toContain(`termijn ${k + 1} van 3`);
      await payLink(linkOf(reminder));
      const after = await h.api('GET', `/v1/dossiers/${d.dossierId}`);
      expect(after.body.arrangement.instalments[k]).toMatchObject({ paidAmount: 10_000, status: 'paid' });
    }
    const done = await h.api('GET', `/v1/dossiers/${d.dossierId}`);
    expect(done.body.arrangement.status).toBe('completed');
    expect(done.body.status).toBe('paid');
    // While the arrangement ran only arrangement messages went out: no collection message after the offer.
    const afterOffer = (await mine(d.debtorId)).filter((m) => m.sentAt > offer.sentAt);
    for (const m of afterOffer) expect(m.template).toMatch(/instalment_|^answer\/arrangement$/);
  });

  it('a missed instalment gets a reminder, then the breach; the journey resumes with the breach in its log', async () => {
    const d = await debtor('+31622220002', 60_000);
    expect(await h.reply('+31622220002', 'Kan ik een betalingsregeling krijgen?')).toBe(200);
    await h.advance({ seconds: 60 });
    expect((await mine(d.debtorId)).some((m) => m.template === 'answer/arrangement' && /2\) 6 keer/.test(m.text))).toBe(true);
    expect(await h.reply('+31622220002', 'de tweede')).toBe(200);
    await h.advance({ seconds: 0 });
    const view = await h.api('GET', `/v1/dossiers/${d.dossierId}`);
    expect(view.body.arrangement.status).toBe('active');
    expect(view.body.arrangement.instalments).toHaveLength(6);
    await until(async () => (await mine(d.debtorId)).some((m) => m.template === 'sms/instalment_missed/neutral'), 45);
    const missed = (await mine(d.debtorId)).find((m) => m.template === 'sms/instalment_missed/neutral')!;
    expect(missed.sentAt.slice(0, 10) > view.body.arrangement.instalments[0].dueDate).toBe(true);
    await until(async () => (await h.api('GET', `/v1/dossiers/${d.dossierId}`)).body.arrangement.status === 'breached', 15, d.dossierId);
    const breached = await h.api('GET', `/v1/dossiers/${d.dossierId}`);
    expect(breached.body.arrangement.reason).toMatch(/instalment 1 of 6 .* still unpaid 7 days after its due date/);
    const log = breached.body.timeline.filter((e: { type: string; detail: string }) => e.type === 'decision' && /arrangement breached/.test(e.detail));
    expect(log.length).toBeGreaterThan(0);
    expect(breached.body.timeline.some((e: { type: string; detail: string }) => e.type === 'arrangement' && /breached/.test(e.detail))).toBe(true);
    // The journey runs again where it stood: a collection message (no new plan right after the breach, no "vergeten?").
    const resumed = (await mine(d.debtorId)).filter((m) => m.sentAt >= breached.body.arrangement.instalments[0].dueDate && !/arrangement_offer|instalment_|^answer\//.test(m.template ?? ''));
    expect(resumed.length).toBeGreaterThan(0);
    if (process.env.DEBUG_ARR) console.log((await mine(d.debtorId)).map((m) => `${m.sentAt} ${m.template} ${m.text.slice(0, 80)}`).join('\n'), breached.body.timeline.filter((e: { type: string }) => e.type === 'decision' || e.type === 'replied').map((e: { at: string; detail: string }) => `${e.at} ${e.detail.slice(0, 400)}`).join('\n'));
    expect(resumed[0].template).toMatch(/^(sms|call)\/(reminder\/neutral|task)$/);
    expect(resumed[0].text).not.toMatch(/vergeten/i);
    expect(breached.body.arrangement.status).toBe('breached');
  });

  it('the plan is chosen on the page too; an offer on the page lists the options', async () => {
    const d = await debtor('+31622220003', 45_000);
    const sms = (await mine(d.debtorId)).find((m) => m.channel === 'sms')!;
    const link = linkOf(sms);
    const html = await (await fetch(link)).text();
    expect(html).toContain('Betalen in delen');
    expect(html).toMatch(/3 termijnen van € 150,00/);
    const res = await fetch(`${link}/plan`, form({ option: '2' }));
    expect(res.status).toBe(303);
    await h.advance({ seconds: 0 });
    const view = await h.api('GET', `/v1/dossiers/${d.dossierId}`);
    expect(view.body.arrangement.status).toBe('active');
    expect(view.body.arrangement.instalments).toHaveLength(6);
    const page = await (await fetch(link)).text();
    expect(page).toContain('Uw betalingsregeling');
  });

  it('cannot pay: the answer offers a plan and debt help; the next journey message too, never "vergeten?"', async () => {
    const d = await debtor('+31622220004', 20_000);
    const sent = (await mine(d.debtorId)).length;
    expect(await h.reply('+31622220004', 'ik kan niet betalen, ik ben werkloos')).toBe(200);
    await h.advance({ seconds: 0 });
    const answer = (await mine(d.debtorId)).slice(sent);
    expect(answer.map((m) => m.template)).toEqual(['answer/cannot_pay']);
    expect(answer[0].text).toMatch(/Betalen in delen kan: 1\) \d+ keer/);
    expect(answer[0].text).toContain('Uw gemeente helpt u gratis');
    const before = (await mine(d.debtorId)).length;
    await until(async () => (await mine(d.debtorId)).length > before, 30);
    const next = (await mine(d.debtorId))[before];
    expect(next.template).toBe('sms/arrangement_offer/friendly');
    expect(next.text).toContain('De gemeente helpt gratis');
    expect(next.text).not.toMatch(/vergeten/i);
  });
});
