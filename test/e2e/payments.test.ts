/**
 * Issue 9 end to end on the local runtime: the Mollie adapter (what @mollie/api-client sends, over fetch) against the
 * fake Mollie over HTTP.
 * The link in an SMS opens the debtor page; paying through the fake checkout books once, marks the dossier paid and
 * stops the journey; forged webhooks change nothing; paying one claim of two leaves the other running; refunds and
 * chargebacks reopen; failed/expired/canceled payments only reach the timeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossierBody, type Harness, startLocal } from '../support/local.js';
import { form, mollieWebhook, pageLinkIn, payThroughCheckout as checkoutPay } from '../support/checkout.js';

let h: Harness;

beforeAll(async () => {
  // Monday 2 March 2026, 09:00 in Amsterdam.
  h = await startLocal({ start: '2026-03-02T08:00:00Z' });
});
afterAll(async () => h?.stop());

const webhook = (id: string) => mollieWebhook(h, id);
const payThroughCheckout = (link: string, what: string, status: 'paid' | 'failed' | 'expired' | 'canceled') => checkoutPay(h, link, what, status);

/** A debtor reachable by SMS only, so the first message is an SMS with the link. */
async function smsDebtor(phone: string, claims: Array<{ reference: string; principal: number }>) {
  const ids: string[] = [];
  let debtorId = '';
  for (const c of claims) {
    const res = await h.api('POST', '/v1/dossiers', dossierBody(c, { phone, email: undefined, name: `Debiteur ${phone.slice(-4)}` }));
    expect(res.status).toBe(201);
    ids.push(res.body.dossierId);
    debtorId = res.body.debtorId;
  }
  await h.advance({ seconds: 0 });
  const sms = (await h.outbox()).filter((m) => m.channel === 'sms' && m.debtorId === debtorId);
  expect(sms.length).toBeGreaterThan(0);
  return { ids, debtorId, link: pageLinkIn(sms.at(-1)!.text), sms: sms.at(-1)! };
}

describe('paying through the debtor page (Mollie)', () => {
  it('the SMS link opens the page with the debtor’s claims; the URL carries no ids', async () => {
    const d = await smsDebtor('+31611110001', [{ reference: 'PAY-A-1', principal: 12_500 }]);
    expect(d.link).not.toContain(d.ids[0]);
    expect(d.link).not.toContain(d.debtorId);
    const res = await fetch(d.link);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="nl">');
    expect(html).toContain('PAY-A-1');
    expect(html).toContain('Acme Energie B.V.');
    expect(html).toContain('€ 125,00');
  });

  it('paying all through the fake checkout books once, marks the dossier paid and stops the journey', async () => {
    const d = await smsDebtor('+31611110002', [{ reference: 'PAY-B-1', principal: 8_000 }]);
    const id = await payThroughCheckout(d.link, 'all', 'paid');
    const view = await h.api('GET', `/v1/dossiers/${d.ids[0]}`);
    expect(view.body.status).toBe('paid');
    expect(view.body.amounts).toMatchObject({ paid: 8_000, outstanding: 0 });
    expect(view.body.journey.nextContactAt).toBeNull();
    expect(view.body.timeline.filter((e: { type: string }) => e.type === 'journey_ended')).toHaveLength(1);
    // The journey stops within a second of virtual time after the paid webhook was booked.
    const at = (type: string) => Date.parse(view.body.timeline.find((e: { type: string }) => e.type === type).at);
    const stoppedAfter = at('journey_ended') - at('payment');
    if (process.env.MAATWERK_REPORT) console.log(`paid webhook → journey ended: ${stoppedAfter} ms of virtual time`);
    expect(stoppedAfter).toBeGreaterThanOrEqual(0);
    expect(stoppedAfter).toBeLessThanOrEqual(1_000);
    // Mollie retries its webhook: five more deliveries book nothing more.
    for (let i = 0; i < 5; i++) expect(await webhook(id)).toBe(200);
    await h.advance({ seconds: 0 });
    const again = await h.api('GET', `/v1/dossiers/${d.ids[0]}`);
    expect(again.body.amounts.paid).toBe(8_000);
    expect(again.body.timeline.filter((e: { type: string }) => e.type === 'payment')).toHaveLength(1);
    // Nothing is sent after the payment, however far the clock runs.
    const before = (await h.outbox()).filter((m) => m.debtorId === d.debtorId).length;
    await h.advance({ seconds: 45 * 86_400 });
    expect((await h.outbox()).filter((m) => m.debtorId === d.debtorId).length).toBe(before);
    // The page now says nothing is open.
    expect(await (await fetch(d.link)).text()).toContain('Er staat niets meer open');
  });

  it('a forged webhook with an unknown id, or for an open payment, changes nothing', async () => {
    const d = await smsDebtor('+31611110003', [{ reference: 'PAY-C-1', principal: 5_000 }]);
    const before = await h.api('GET', `/v1/dossiers/${d.ids[0]}`);
    expect(await webhook('tr_doesnotexist1')).toBe(200);
    expect(await webhook('not-a-mollie-id')).toBe(200);
    // An open payment (the debtor went to the checkout and stopped there).
    const res = await fetch(`${d.link}/pay`, form({ what: 'all' }));
    const open = res.headers.get('location')!.split('/').at(-1)!;
    expect(await webhook(open)).toBe(200);
    await h.advance({ seconds: 0 });
    const after = await h.api('GET', `/v1/dossiers/${d.ids[0]}`);
    expect(after.body.status).toBe('open');
    expect(after.body.amounts).toEqual(before.body.amounts);
    expect(after.body.timeline.filter((e: { type: string }) => e.type === 'payment')).toHaveLength(0);
  });

  it('a claim can never be paid twice through two open checkouts: a second, overlapping choice waits for the first', async () => {
    const d = await smsDebtor('+31611110011', [
      { reference: 'PAY-K-1', principal: 4_000 },
      { reference: 'PAY-K-2', principal: 6_000 },
    ]);
    const start = async (what: string) => {
      const res = await fetch(`${d.link}/pay`, form({ what }));
      return { status: res.status, location: res.headers.get('location'), html: await res.text() };
    };
    const first = await start('claim-1');
    expect(first.status).toBe(303);
    // the same choice again (a second tab, the back button): the same checkout
    expect((await start('claim-1')).location).toBe(first.location);
    // "pay all" covers claim 1 too: refused while the first payment is open, with a page that says why
    const all = await start('all');
    expect(all.status).toBe(409);
    expect(all.html).toContain('Er loopt al een betaling');
    // another claim alone is fine
    const other = await start('claim-2');
    expect(other.status).toBe(303);
    expect(other.location).not.toBe(first.location);
    // once the first payment failed, paying all is possible again
    expect((await fetch(first.location!, form({ status: 'failed' }))).status).toBe(303);
    await h.advance({ seconds: 0 });
    expect((await fetch(other.location!, form({ status: 'canceled' }))).status).toBe(303);
    await h.advance({ seconds: 0 });
    expect((await start('all')).status).toBe(303);
    for (const id of d.ids) expect((await h.api('GET', `/v1/dossiers/${id}`)).body.amounts.paid).toBe(0);
  });

  it('paying one claim of two leaves the other’s journey running', async () => {
    const d = await smsDebtor('+31611110004', [
      { reference: 'PAY-D-1', principal: 4_000 },
      { reference: 'PAY-D-2', principal: 6_000 },
    ]);
    const html = await (await fetch(d.link)).text();
    expect(html).toContain('PAY-D-1');
    expect(html).toContain('PAY-D-2');
    await payThroughCheckout(d.link, 'claim-1', 'paid');
    const one = await h.api('GET', `/v1/dossiers/${d.ids[0]}`);
    const two = await h.api('GET', `/v1/dossiers/${d.ids[1]}`);
    expect(one.body.status).toBe('paid');
    expect(two.body.status).toBe('open');
    expect(two.body.journey.nextContactAt).not.toBeNull();
    const sent = (await h.outbox()).filter((m) => m.debtorId === d.debtorId).length;
    await h.advance({ seconds: 20 * 86_400 });
    const later = (await h.outbox()).filter((m) => m.debtorId === d.debtorId);
    expect(later.length).toBeGreaterThan(sent);
    for (const m of later.slice(sent)) expect(m.dossierIds).toEqual([d.ids[1]]);
  });

  it('paying all of several claims splits the payment per dossier in cents', async () => {
    const d = await smsDebtor('+31611110005', [
      { reference: 'PAY-E-1', principal: 3_333 },
      { reference: 'PAY-E-2', principal: 6_667 },
    ]);
    await payThroughCheckout(d.link, 'all', 'paid');
    const one = await h.api('GET', `/v1/dossiers/${d.ids[0]}`);
    const two = await h.api('GET', `/v1/dossiers/${d.ids[1]}`);
    expect([one.body.amounts.paid, two.body.amounts.paid]).toEqual([3_333, 6_667]);
    expect([one.body.status, two.body.status]).toEqual(['paid', 'paid']);
  });

  it('failed, expired and canceled payments change nothing but the timeline', async () => {
    const d = await smsDebtor('+31611110006', [{ reference: 'PAY-F-1', principal: 7_500 }]);
    for (const status of ['failed', 'expired', 'canceled'] as const) await payThroughCheckout(d.link, 'all', status);
    const view = await h.api('GET', `/v1/dossiers/${d.ids[0]}`);
    expect(view.body.status).toBe('open');
    expect(view.body.amounts.paid).toBe(0);
    const attempts = view.body.timeline.filter((e: { type: string; detail: string }) => e.type === 'payment_attempt' && /nothing changed/.test(e.detail));
    expect(attempts).toHaveLength(3);
  });

  it('a refund and a chargeback reopen what they undo, and the journey starts again', async () => {
    const d = await smsDebtor('+31611110007', [{ reference: 'PAY-G-1', principal: 10_000 }]);
    const id = await payThroughCheckout(d.link, 'all', 'paid');
    expect((await h.api('GET', `/v1/dossiers/${d.ids[0]}`)).body.status).toBe('paid');
    const refund = await h.api('POST', `/local/mollie/payments/${id}`, { refund: 2_500 }, { key: null });
    expect(refund.status).toBe(200);
    expect(refund.body).toMatchObject({ status: 'paid', refunded: 2_500 });
    await h.advance({ seconds: 0 });
    const reopened = await h.api('GET', `/v1/dossiers/${d.ids[0]}`);
    expect(reopened.body.status).toBe('open');
    expect(reopened.body.amounts).toMatchObject({ paid: 7_500, outstanding: 2_500 });
    expect(reopened.body.journey.nextContactAt).not.toBeNull();
    // The same webhook again takes nothing more back.
    expect(await webhook(id)).toBe(200);
    await h.advance({ seconds: 0 });
    expect((await h.api('GET', `/v1/dossiers/${d.ids[0]}`)).body.amounts.paid).toBe(7_500);
    const cb = await h.api('POST', `/local/mollie/payments/${id}`, { chargeback: 7_500 }, { key: null });
    expect(cb.status).toBe(200);
    await h.advance({ seconds: 0 });
    const charged = await h.api('GET', `/v1/dossiers/${d.ids[0]}`);
    expect(charged.body.amounts).toMatchObject({ paid: 0, outstanding: 10_000 });
    expect(charged.body.timeline.filter((e: { type: string }) => e.type === 'payment_reversed')).toHaveLength(2);
  });

  it('on the page: a dispute pauses that claim, "already paid" gives time, debt help stops the journey (as the replies do)', async () => {
    const d = await smsDebtor('+31611110009', [
      { reference: 'TELL-1', principal: 4_000 },
      { reference: 'TELL-2', principal: 5_000 },
    ]);
    const tell = async (fields: Record<string, string>) => {
      const res = await fetch(`${d.link}/tell`, form(fields));
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/status=told$/);
      await h.advance({ seconds: 0 });
    };
    // a claim the page does not show (a stale page, a tampered form) is refused and changes nothing
    const stale = await fetch(`${d.link}/tell`, form({ what: 'dispute', claim: '7' }));
    expect(stale.status).toBe(409);
    await stale.text();
    expect((await h.api('GET', `/v1/dossiers/${d.ids[0]}`)).body.status).toBe('open');
    expect((await h.api('GET', `/v1/dossiers/${d.ids[1]}`)).body.status).toBe('open');
    await tell({ what: 'dispute', claim: '1' });
    expect((await h.api('GET', `/v1/dossiers/${d.ids[0]}`)).body.status).toBe('paused');
    expect((await h.api('GET', `/v1/dossiers/${d.ids[1]}`)).body.status).toBe('open');
    // the same service as a disputing reply: an agent task to have the creditor check it
    const tasks = (await h.api('GET', '/v1/tasks?status=open&reason=dispute_review', undefined, { key: 'key-agency' })).body.tasks.filter((t: { debtorId: string }) => t.debtorId === d.debtorId);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ dossierIds: [d.ids[0]], context: { intent: 'dispute', channel: 'page' } });
    await tell({ what: 'already_paid' });
    const view = await h.api('GET', `/v1/dossiers/${d.ids[1]}`);
    expect(view.body.timeline.some((e: { type: string; detail: string }) => e.type === 'replied' && /already paid \(on the payment page\)/.test(e.detail))).toBe(true);
    expect(view.body.timeline.filter((e: { type: string; detail: string }) => e.type === 'decision').at(-1).detail).toMatch(/already paid/);
    // the same form sent again 30 s later, twice at once (a double click): the same statement, recorded once; again
    // after a minute it is a new one
    const saidPaid = async () => (await h.api('GET', `/v1/dossiers/${d.ids[1]}`)).body.timeline.filter((e: { type: string; detail: string }) => e.type === 'replied' && /already paid \(on the payment page\)/.test(e.detail));
    await h.advance({ seconds: 30 });
    await Promise.all([tell({ what: 'already_paid' }), tell({ what: 'already_paid' })]);
    expect(await saidPaid()).toHaveLength(1);
    await h.advance({ seconds: 61 });
    await tell({ what: 'already_paid' });
    expect(await saidPaid()).toHaveLength(2);
    await tell({ what: 'debt_help' });
    const ended = await h.api('GET', `/v1/dossiers/${d.ids[1]}`);
    expect(ended.body.status).toBe('debt_help');
    expect(ended.body.journey.nextContactAt).toBeNull();
    expect(ended.body.timeline.find((e: { type: string }) => e.type === 'journey_ended').detail).toMatch(/referred to debt help/);
    expect(await (await fetch(`${d.link}?status=told`)).text()).toContain('wij hebben uw bericht ontvangen');
  });

  it('a link shows and acts on the claims of the creditors its message was about, never another creditor’s', async () => {
    // One person (same name and address) with a claim at Acme (a phone) and one at Globex (an e-mail address).
    const person = { name: 'Robin Scoped-Voorbeeld', address: { line1: 'Kerkstraat 12', postalCode: '3512 AB', city: 'Utrecht' } };
    const a = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'SCOPE-ACME', principal: 7_000 }, { ...person, phone: '+31611110010', email: undefined }));
    const g = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'SCOPE-GLOBEX', principal: 8_000 }, { ...person, phone: undefined, email: 'robin.scoped@example.invalid' }), { key: 'key-globex' });
    expect(g.body.debtorId).toBe(a.body.debtorId);
    await h.advance({ seconds: 0 });
    const sms = (await h.outbox()).filter((m) => m.channel === 'sms' && m.debtorId === a.body.debtorId);
    expect(sms.length).toBeGreaterThan(0);
    expect(sms.at(-1)!.dossierIds).toEqual([a.body.dossierId]);
    const link = /(https?:\/\/\S+\/p\/[A-Za-z0-9_-]+)/.exec(sms.at(-1)!.text)![1];
    const html = await (await fetch(link)).text();
    expect(html).toContain('SCOPE-ACME');
    expect(html).not.toContain('SCOPE-GLOBEX');
    expect(html).not.toContain('Globex');
    // "pay all" pays what this page shows; "already paid" is about those claims only
    const res = await fetch(`${link}/pay`, form({ what: 'all' }));
    expect(res.status).toBe(303);
    const id = res.headers.get('location')!.split('/').at(-1)!;
    expect((await h.api('POST', `/local/mollie/payments/${id}`, { status: 'paid' }, { key: null })).status).toBe(200);
    await h.advance({ seconds: 0 });
    expect((await h.api('GET', `/v1/dossiers/${a.body.dossierId}`)).body.status).toBe('paid');
    expect((await h.api('GET', `/v1/dossiers/${g.body.dossierId}`, undefined, { key: 'key-globex' })).body).toMatchObject({ status: 'open', amounts: { paid: 0 } });
  });

  it('the local Mollie routes validate their input and change nothing on bad input', async () => {
    expect((await h.api('POST', '/local/mollie/payments/tr_nope', { status: 'paid' }, { key: null })).status).toBe(404);
    const d = await smsDebtor('+31611110008', [{ reference: 'PAY-H-1', principal: 2_000 }]);
    const res = await fetch(`${d.link}/pay`, form({ what: 'all' }));
    const id = res.headers.get('location')!.split('/').at(-1)!;
    for (const bad of [{ status: 'gone' }, {}, { status: 'paid', refund: 1 }, { refund: -1 }]) {
      expect((await h.api('POST', `/local/mollie/payments/${id}`, bad, { key: null })).status).toBe(400);
    }
    expect((await h.api('POST', `/local/mollie/payments/${id}`, { refund: 100 }, { key: null })).status).toBe(409);
    expect((await h.api('POST', `/local/mollie/payments/${id}`, { status: 'paid' }, { key: null })).status).toBe(200);
    expect((await h.api('POST', `/local/mollie/payments/${id}`, { status: 'failed' }, { key: null })).status).toBe(409);
    expect((await h.api('POST', `/local/mollie/payments/${id}`, { refund: 999_999 }, { key: null })).status).toBe(422);
  });
});
