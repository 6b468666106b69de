/**
 * Outcomes in the KPIs, on the local runtime over HTTP (real handlers, dynalite, the emulator, the providers' signed
 * webhooks as the fakes post them): delivered, opened and clicked statuses raise the rates of the contact's groups,
 * each once however often the provider repeats it; replies count per intent for the last contact before them; a
 * creditor sees the intents of replies about its own claims only, the agency all. The figures are hand-computed for
 * a small scripted portfolio (the default strategy: an email reminder on Monday 2 March, an SMS on Saturday 7 March).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, dossierBody, startLocal } from '../support/local.js';
import { runStep, seedCase } from '../support/channel-steps.js';

type Group = Record<string, any>;
const report = async (h: Harness, key: string, groupBy: string) => {
  const r = await h.api('GET', `/v1/reports/kpis?from=2026-03-01&to=2026-03-31&groupBy=${groupBy}`, undefined, { key });
  expect(r.status).toBe(200);
  return { total: r.body.total as Group, by: Object.fromEntries(r.body.groups.map((g: Group) => [g.group, g])) as Record<string, Group> };
};
/** The figures the tests compare (the rest of a row is tested elsewhere). */
const figures = (g: Group) => ({
  contacts: g.contacts,
  deliveredRate: g.deliveredRate,
  openedRate: g.openedRate,
  clickedRate: g.clickedRate,
  contactRate: g.contactRate,
  replyRate: g.replyRate,
  promiseRate: g.promiseRate,
  repliesByIntent: g.repliesByIntent,
});

describe('delivered, opened, clicked and replies per intent (hand-computed)', () => {
  let h: Harness;
  const who: Record<string, { debtorId: string; dossierId: string }> = {};
  const sentTo = async (debtorId: string, channel: string) => {
    const m = (await h.outbox()).filter((x) => x.debtorId === debtorId && x.channel === channel);
    expect(m).toHaveLength(1);
    return m[0]!;
  };

  beforeAll(async () => {
    h = await startLocal({ start: '2026-03-02T08:00:00Z' });
    const a = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'OUT-A', principal: 10_000 }, { name: 'Anna Acme', phone: '+31610000501', email: 'anna@example.invalid' }), { key: 'key-acme' });
    const g = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'OUT-G', principal: 20_000 }, { name: 'Bas Globex', phone: '+31610000502', email: 'bas@example.invalid' }), { key: 'key-globex' });
    expect([a.status, g.status]).toEqual([201, 201]);
    who.a = a.body;
    who.g = g.body;
  }, 60_000);
  afterAll(async () => h?.stop());

  it("an opened and clicked email raises its groups' rates once, however often SendGrid repeats the events", async () => {
    await h.advance('2026-03-04T10:00:00Z');
    const mail = await sentTo(who.a!.debtorId, 'email');
    const batch = ['delivered', 'open', 'click'].map((e) => h.rt.fakes.sendgridEventFor(mail.id, e, e === 'click' ? { url: 'https://pay.example.invalid/p/x' } : {}));
    await h.rt.fakes.sendgridEvents(batch);
    await h.rt.fakes.sendgridEvents(batch); // a redelivered batch: the same events
    await h.rt.fakes.sendgridEvents([h.rt.fakes.sendgridEventFor(mail.id, 'open')]); // a second open (a new event id): no second open
    await h.advance({ seconds: 0 });
    const acme = await report(h, 'key-acme', 'channel');
    expect(figures(acme.by.email!)).toEqual({ contacts: 1, deliveredRate: 1, openedRate: 1, clickedRate: 1, contactRate: 1, replyRate: 0, promiseRate: 0, repliesByIntent: {} });
    // the other creditor's email went unopened: nothing of acme's shows in its report
    const globex = await report(h, 'key-globex', 'channel');
    expect(figures(globex.by.email!)).toMatchObject({ contacts: 1, deliveredRate: 0, openedRate: 0, clickedRate: 0 });
  });

  it('a delivered SMS raises the delivered rate of its group once; replies count per intent, a creditor sees only its own', async () => {
    await h.advance('2026-03-08T10:00:00Z');
    const smsA = await sentTo(who.a!.debtorId, 'sms');
    const smsG = await sentTo(who.g!.debtorId, 'sms');
    await h.rt.fakes.deliverStatus(smsA.id, 'delivered');
    await h.rt.fakes.deliverStatus(smsA.id, 'delivered'); // Twilio repeats it
    await Promise.all([h.rt.fakes.deliverStatus(smsG.id, 'delivered'), h.rt.fakes.deliverStatus(smsG.id, 'delivered')]);
    expect(await h.reply('+31610000501', 'Ik betaal vrijdag')).toBe(200);
    expect(await h.reply('+31610000502', 'Wie bent u?')).toBe(200);
    await h.advance({ seconds: 0 });

    // acme: the email (delivered, opened, clicked; the reply came within 7 days of it too) and the SMS (delivered;
    // the reply's intent is its, the last contact before the reply)
    const acme = await report(h, 'key-acme', 'channel');
    expect(figures(acme.by.email!)).toEqual({ contacts: 1, deliveredRate: 1, openedRate: 1, clickedRate: 1, contactRate: 1, replyRate: 1, promiseRate: 1, repliesByIntent: {} });
    expect(figures(acme.by.sms!)).toEqual({ contacts: 1, deliveredRate: 1, openedRate: 0, clickedRate: 0, contactRate: 1, replyRate: 1, promiseRate: 1, repliesByIntent: { promise_to_pay: 1 } });
    expect(figures(acme.total)).toEqual({ contacts: 2, deliveredRate: 1, openedRate: 0.5, clickedRate: 0.5, contactRate: 1, replyRate: 1, promiseRate: 1, repliesByIntent: { promise_to_pay: 1 } });
    // globex: its email had no status; its SMS was delivered; its debtor asked who we are
    const globex = await report(h, 'key-globex', 'channel');
    expect(figures(globex.by.sms!)).toEqual({ contacts: 1, deliveredRate: 1, openedRate: 0, clickedRate: 0, contactRate: 1, replyRate: 1, promiseRate: 0, repliesByIntent: { who_are_you: 1 } });
    expect(figures(globex.total)).toEqual({ contacts: 2, deliveredRate: 0.5, openedRate: 0, clickedRate: 0, contactRate: 1, replyRate: 1, promiseRate: 0, repliesByIntent: { who_are_you: 1 } });

    // the agency: everything; its client groups are each creditor's own report
    const agency = await report(h, 'key-agency', 'client');
    expect(figures(agency.by.acme!)).toEqual(figures(acme.total));
    expect(figures(agency.by.globex!)).toEqual(figures(globex.total));
    expect(figures(agency.total)).toEqual({ contacts: 4, deliveredRate: 0.75, openedRate: 0.25, clickedRate: 0.25, contactRate: 1, replyRate: 1, promiseRate: 0.5, repliesByIntent: { promise_to_pay: 1, who_are_you: 1 } });
    const bySegment = await report(h, 'key-agency', 'segment');
    expect(Object.values(bySegment.by).reduce((n, g) => n + (g.repliesByIntent.promise_to_pay ?? 0) + (g.repliesByIntent.who_are_you ?? 0), 0)).toBe(2);
  });

  it('the report shows the funnel with delivered, opened and clicked, and replies per intent', async () => {
    const res = await fetch(`${h.url}/local/report?from=2026-03-01&to=2026-03-31`);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const id of ['chart-funnel', 'chart-intents']) expect(html).toMatch(new RegExp(`id="${id}"><svg`));
    const funnel = html.slice(html.indexOf('id="chart-funnel"'), html.indexOf('</svg>', html.indexOf('id="chart-funnel"')));
    for (const stage of ['sent', 'delivered', 'opened', 'clicked', 'replied', 'promise / arrangement', 'paid']) expect(funnel).toContain(`>${stage}<`);
    const intents = html.slice(html.indexOf('<table class="intents">'), html.indexOf('</table>', html.indexOf('<table class="intents">')));
    expect(intents).toContain('<th>promise to pay</th>');
    expect(intents).toContain('<th>who are you</th>');
    expect(intents).toMatch(/<tr class="total"><td>total<\/td><td>1<\/td><td>1<\/td><td>2<\/td><\/tr>/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('a spam report shows the email arrived, but is no open: an opt-out is no reaction', async () => {
    const mail = await sentTo(who.g!.debtorId, 'email');
    const before = figures((await report(h, 'key-globex', 'channel')).by.email!);
    expect(before).toMatchObject({ deliveredRate: 0, openedRate: 0 });
    await h.rt.fakes.sendgridEvents([h.rt.fakes.sendgridEventFor(mail.id, 'spamreport')]);
    await h.advance({ seconds: 0 });
    expect(figures((await report(h, 'key-globex', 'channel')).by.email!)).toEqual({ ...before, deliveredRate: 1 });
  });
});

describe("replies per intent of one person's claims at two creditors; a WhatsApp message read", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startLocal({ start: '2026-03-02T08:00:00Z' });
  }, 60_000);
  afterAll(async () => h?.stop());

  it('a WhatsApp message read is opened (and delivered), once', async () => {
    // Monday 2 March, 08:00 UTC: within the contact hours (a step on a Sunday is not sent)
    const s = await seedCase({ whatsappOptIn: true, clientId: 'acme' });
    await runStep(s, 'whatsapp');
    const wa = h.rt.fakes.records().filter((r) => r.provider === 'twilio' && r.to === s.phone).at(-1)!;
    await h.advance({ seconds: 0 }); // the counters arrive through the table's stream
    const before = (await report(h, 'key-acme', 'channel')).by.whatsapp;
    expect(before).toMatchObject({ contacts: 1, deliveredRate: 0, openedRate: 0 });
    await h.rt.fakes.deliverStatus(wa.id, 'read'); // read before delivered (Twilio's order is not guaranteed): delivered too
    await h.rt.fakes.deliverStatus(wa.id, 'delivered');
    await h.rt.fakes.deliverStatus(wa.id, 'read');
    await h.advance({ seconds: 0 });
    const after = (await report(h, 'key-acme', 'channel')).by.whatsapp!;
    expect(figures(after)).toEqual({ contacts: 1, deliveredRate: 1, openedRate: 1, clickedRate: 0, contactRate: 1, replyRate: 0, promiseRate: 0, repliesByIntent: {} });
  });

  it("a reply about both creditors' claims counts once for the agency and once for each creditor; one about the other's claims is not the creditor's", async () => {
    const person = { name: 'Dirk Dubbel', phone: '+31610000601', email: 'dirk@example.invalid' };
    const a = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'TWO-A', principal: 25_000 }, person), { key: 'key-acme' });
    const g = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'TWO-G', principal: 72_500 }, person), { key: 'key-globex' });
    expect(g.body.debtorId).toBe(a.body.debtorId);
    // a second globex debtor whose reply is about globex's claim only
    const o = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'TWO-O', principal: 9_000 }, { name: 'Olga Ander', phone: '+31610000602', email: 'olga@example.invalid' }), { key: 'key-globex' });
    expect(o.status).toBe(201);
    await h.advance('2026-03-08T10:00:00Z'); // the email about acme's claim (2 March), the SMS about both (7 March)
    const sms = (await h.outbox()).filter((m) => m.debtorId === a.body.debtorId && m.channel === 'sms');
    expect(sms).toHaveLength(1);
    expect(sms[0]!.dossierIds.sort()).toEqual([a.body.dossierId, g.body.dossierId].sort());
    expect(await h.reply(person.phone, 'Ik heb al betaald')).toBe(200);
    expect(await h.reply('+31610000602', 'Ik kan niet betalen')).toBe(200);
    await h.advance({ seconds: 0 });

    const acme = await report(h, 'key-acme', 'channel');
    const globex = await report(h, 'key-globex', 'channel');
    const agency = await report(h, 'key-agency', 'channel');
    expect(acme.total.repliesByIntent).toEqual({ already_paid: 1 });
    expect(acme.by.sms!.repliesByIntent).toEqual({ already_paid: 1 });
    expect(globex.total.repliesByIntent).toEqual({ already_paid: 1, cannot_pay: 1 });
    expect(agency.total.repliesByIntent).toEqual({ already_paid: 1, cannot_pay: 1 });
    expect(agency.by.sms!.repliesByIntent).toEqual({ already_paid: 1, cannot_pay: 1 });
    const clients = await report(h, 'key-agency', 'client');
    expect(clients.by.acme!.repliesByIntent).toEqual(acme.total.repliesByIntent);
    expect(clients.by.globex!.repliesByIntent).toEqual(globex.total.repliesByIntent);
  });

});
