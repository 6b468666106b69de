/**
 * The outcomes the KPIs count besides reactions, replies, promises and payments, the pure parts: the providers'
 * statuses of a message (delivered, opened, clicked: once per contact and kind, within 7 days, a later status implying
 * the earlier ones), replies per intent (each reply once, last touch within 7 days; for a creditor, the last contact
 * about its own claims), as stored (the creditors' items with the agency's corrections) and as reported, with
 * hand-computed figures.
 */
import { describe, expect, it } from 'vitest';
import { type CaseEvent, applyEvent } from '../../functions/domain/case/events.js';
import type { CaseState } from '../../functions/domain/case/state.js';
import { INTENT_CODES, type KpiIncrement, intentCode, intentOfCode, outcomeIncrements, sentIncrements, storedIncrements, viewOf } from '../../functions/domain/outcomes/kpis.js';
import { INTENTS } from '../../functions/domain/vocabulary.js';
import { kpiRows } from '../../functions/reports/kpis.js';
import { caseWith } from '../support/cases.js';

const A = { dossierId: 'dos_1', clientId: 'acme', phone: '+31612345678', email: 'sam@example.invalid', address: { line1: 'Dorpsstraat 1', postalCode: '1234AB', city: 'Utrecht' } };
const B = { ...A, dossierId: 'dos_2', clientId: 'beta' };
const DAY = 86_400_000;
const t0 = Date.parse('2026-03-02T09:00:00Z');
const iso = (days: number) => new Date(t0 + days * DAY).toISOString();

/** A case and every stored increment its events made, as the services write them. */
class Script {
  stored: KpiIncrement[] = [];
  constructor(public c: CaseState) {}
  /** A step claimed and sent: the provider took it (services/channel-step.ts counts the contact then). */
  send(days: number, stepNo: number, channel: 'email' | 'sms' | 'whatsapp', dossierIds = ['dos_1']): this {
    this.claim(days, stepNo, channel, dossierIds);
    this.stored.push(...storedIncrements(sentIncrements(this.c, this.c.journey.contacts.at(-1)!, 1)));
    return this;
  }
  /** A step claimed, its send under way (not counted yet). */
  claim(days: number, stepNo: number, channel: 'email' | 'sms' | 'whatsapp', dossierIds = ['dos_1']): this {
    const at = iso(days);
    this.c = applyEvent(this.c, { type: 'step_claimed', at, contact: { at, channel, phase: 'reminder', tone: 'friendly', stepNo, journeyNo: 1, dossierIds, seg: 'unknown' }, token: 't' });
    return this;
  }
  apply(e: CaseEvent): KpiIncrement[] {
    const after = applyEvent(this.c, e);
    const incs = outcomeIncrements(this.c, after, e);
    this.stored.push(...storedIncrements(incs));
    this.c = after;
    return incs;
  }
  status(days: number, stepNo: number, channel: 'email' | 'sms' | 'whatsapp', status: 'delivered' | 'opened' | 'clicked' | 'bounced' | 'failed'): KpiIncrement[] {
    return this.apply({ type: 'delivery', at: iso(days), journeyNo: 1, stepNo, channel, status });
  }
  reply(days: number, intent: string, dossierIds = ['dos_1'], messageId?: string): KpiIncrement[] {
    return this.apply({ type: 'reply', at: iso(days), channel: 'sms', intent, dossierIds, ...(messageId ? { messageId } : {}) });
  }
  view(scope: string): Record<string, number> {
    return viewOf(this.stored.filter((i) => scope === '*' || i.scope === scope).map((i) => i.add), scope === '*');
  }
}

/** The counters of an increment's `channel:<c>` group: metric code → n. */
const channelCounters = (incs: readonly KpiIncrement[], scope: string, channel: string) =>
  Object.fromEntries(incs.filter((i) => i.scope === scope).flatMap((i) => Object.entries(i.add).filter(([k]) => k.startsWith(`channel:${channel}|`)).map(([k, n]) => [k.split('|')[1]!, n])));

describe("the providers' statuses of a message", () => {
  it('delivered, opened, clicked: each once per contact, in its groups; an open shows delivery, a click both; an open or a click is a reaction', () => {
    const s = new Script(caseWith([A])).send(0, 1, 'email');
    expect(channelCounters(s.status(0.1, 1, 'email', 'delivered'), 'acme', 'email')).toEqual({ v: 1 });
    expect(s.c.contacts[0]!.o).toBe('v');
    expect(channelCounters(s.status(0.2, 1, 'email', 'opened'), 'acme', 'email')).toEqual({ r: 1, o: 1 });
    // the same status again (SendGrid repeats an open with a new event id): nothing more
    expect(s.status(0.3, 1, 'email', 'opened')).toEqual([]);
    expect(channelCounters(s.status(0.4, 1, 'email', 'clicked'), 'acme', 'email')).toEqual({ l: 1 });
    expect(s.status(0.5, 1, 'email', 'delivered')).toEqual([]);
    expect(s.c.contacts[0]!.o).toBe('vrol');
    // every group of the contact takes it, the agency's client group too
    expect(s.view('*')).toMatchObject({ 'segment:unknown|v': 1, 'template:email/reminder/friendly|o': 1, 'tone:friendly|l': 1, 'client:acme|v': 1, 'channel:email|c': 1 });
  });

  it('a click before anything else is delivered, opened and clicked at once; a read WhatsApp message is opened and delivered', () => {
    const s = new Script(caseWith([A])).send(0, 1, 'email').send(1, 2, 'whatsapp');
    expect(channelCounters(s.status(1, 1, 'email', 'clicked'), 'acme', 'email')).toEqual({ r: 1, v: 1, o: 1, l: 1 });
    expect(channelCounters(s.status(1.1, 2, 'whatsapp', 'opened'), 'acme', 'whatsapp')).toEqual({ r: 1, v: 1, o: 1 });
    expect(s.status(1.2, 2, 'whatsapp', 'delivered')).toEqual([]);
  });

  it('counts within 7 days of the contact; a bounce or a failure counts nothing; a status of a contact the case does not hold finds none', () => {
    const s = new Script(caseWith([A])).send(0, 1, 'sms');
    expect(s.status(7.1, 1, 'sms', 'delivered')).toEqual([]);
    expect(s.c.contacts[0]!.o).toBeUndefined();
    expect(s.status(1, 1, 'sms', 'failed')).toEqual([]);
    // another step, another channel, another journey: not this contact (a contact fallen off the last 40 is like these:
    // services/engagement.ts finds no contact for it and writes nothing)
    expect(s.status(1, 2, 'sms', 'delivered')).toEqual([]);
    expect(s.status(1, 1, 'email', 'delivered')).toEqual([]);
    expect(s.apply({ type: 'delivery', at: iso(1), journeyNo: 2, stepNo: 1, channel: 'sms', status: 'delivered' })).toEqual([]);
    expect(s.c.contacts[0]!.o).toBeUndefined();
  });

  it("a contact about two creditors' claims: a status counts once for the agency and once for each creditor", () => {
    const s = new Script(caseWith([A, B])).send(0, 1, 'sms', ['dos_1', 'dos_2']);
    s.status(0.1, 1, 'sms', 'delivered');
    expect(s.c.contacts[0]).toMatchObject({ o: 'v', oc: { acme: 'v', beta: 'v' } });
    expect(s.status(0.2, 1, 'sms', 'delivered')).toEqual([]);
    expect(s.view('acme')).toMatchObject({ 'channel:sms|c': 1, 'channel:sms|v': 1 });
    expect(s.view('beta')).toMatchObject({ 'channel:sms|c': 1, 'channel:sms|v': 1 });
    expect(s.view('*')).toMatchObject({ 'channel:sms|c': 1, 'channel:sms|v': 1, 'client:acme|v': 1, 'client:beta|v': 1 });
  });
});

describe('replies per intent', () => {
  it('the intent codes: one short code per intent of the vocabulary, each its own', () => {
    expect(Object.keys(INTENT_CODES).sort()).toEqual([...INTENTS].sort());
    expect(new Set(Object.values(INTENT_CODES)).size).toBe(INTENTS.length);
    for (const i of INTENTS) expect(intentOfCode(intentCode(i))).toBe(i);
    // a reply of an intent the vocabulary does not know (legacy data) counts as unclear
    expect(intentCode('other')).toBe(intentCode('unclear'));
    expect(intentOfCode('y')).toBeUndefined();
  });

  it('each reply counts once with its intent, for the last contact about its claims within 7 days before it', () => {
    const s = new Script(caseWith([A])).send(0, 1, 'email').send(3, 2, 'sms');
    const first = s.reply(5, 'promise_to_pay', ['dos_1'], 'SM1');
    // the reply (y) for both contacts; its intent for the SMS only
    expect(channelCounters(first, 'acme', 'sms')).toEqual({ r: 1, y: 1, p: 1, ipp: 1 });
    expect(channelCounters(first, 'acme', 'email')).toEqual({ r: 1, y: 1, p: 1 });
    // the same message again (a redelivered webhook): nothing
    expect(s.reply(5, 'promise_to_pay', ['dos_1'], 'SM1')).toEqual([]);
    // a second reply: no second reply for the contacts, but a second intent
    expect(channelCounters(s.reply(6, 'who_are_you', ['dos_1'], 'SM2'), 'acme', 'sms')).toEqual({ iwa: 1 });
    // an opt-out is a reply with its intent, though no reaction
    expect(channelCounters(s.reply(7, 'opt_out', ['dos_1'], 'SM3'), 'acme', 'sms')).toEqual({ iso: 1 });
    // 9 days after the SMS: no contact within 7 days, no intent counted
    expect(s.reply(12, 'call_me', ['dos_1'], 'SM4')).toEqual([]);
    expect(kpiRows([s.view('acme')], 'channel').total.repliesByIntent).toEqual({ opt_out: 1, promise_to_pay: 1, who_are_you: 1 });
  });

  it("a creditor's counts take the intents of replies about its claims only, each for the last contact about its own claims", () => {
    // an email about acme's claim, an SMS about beta's, then replies: one about both claims, one about beta's only
    const s = new Script(caseWith([A, B])).send(0, 1, 'email', ['dos_1']).send(1, 2, 'sms', ['dos_2']);
    s.reply(2, 'arrangement', ['dos_1', 'dos_2'], 'SM1');
    s.reply(2.5, 'dispute', ['dos_2'], 'SM2');
    const acme = kpiRows([s.view('acme')], 'channel');
    const beta = kpiRows([s.view('beta')], 'channel');
    const agency = kpiRows([s.view('*')], 'channel');
    expect(acme.groups.map((g) => [g.group, g.repliesByIntent])).toEqual([['email', { arrangement: 1 }]]);
    expect(beta.groups.map((g) => [g.group, g.repliesByIntent])).toEqual([['sms', { arrangement: 1, dispute: 1 }]]);
    // the agency: each reply once, for the last contact about its claims (the SMS)
    expect(agency.groups.map((g) => [g.group, g.repliesByIntent])).toEqual([
      ['email', {}],
      ['sms', { arrangement: 1, dispute: 1 }],
    ]);
    expect(agency.total.repliesByIntent).toEqual({ arrangement: 1, dispute: 1 });
    // and its client groups are the creditors' own reports
    const clients = kpiRows([s.view('*')], 'client');
    expect(Object.fromEntries(clients.groups.map((g) => [g.group, g.repliesByIntent]))).toEqual({ acme: acme.total.repliesByIntent, beta: beta.total.repliesByIntent });
  });
});

describe('a step taken back while it was being sent', () => {
  it('what its contact took meanwhile (a reply, its intent, a payment) is taken back with it: it never counted as sent', () => {
    const s = new Script(caseWith([A, B])).send(0, 1, 'email', ['dos_1', 'dos_2']).claim(2, 2, 'sms', ['dos_1', 'dos_2']);
    // while the SMS is being sent: a reply about both claims (its intent goes to the SMS, the last contact) and a payment
    s.reply(2, 'promise_to_pay', ['dos_1', 'dos_2'], 'SM1');
    s.apply({ type: 'payment', at: iso(2), dossierId: 'dos_2', amount: 4_000, paidAt: iso(2), key: 'p2' });
    const email = `${iso(0)}#1#email`;
    expect(s.c.journey.claim?.lt).toEqual({ '*': { [`promise_to_pay@${email}`]: 1, [`$@${email}`]: 4_000 }, acme: { [`promise_to_pay@${email}`]: 1 }, beta: { [`promise_to_pay@${email}`]: 1, [`$@${email}`]: 4_000 } });
    expect(s.c.contacts.map((c) => c.o)).toEqual(['ryp$', 'ryp$']);
    // the send fails (or the claim is given back): the SMS counts nothing; the reply's intent and the payment's cents
    // go to the email, the last contact before them without the SMS; the email keeps its flags
    s.apply({ type: 'step_failed', at: iso(2), stepNo: 2, channel: 'sms', kind: 'send_skipped' });
    for (const scope of ['*', 'acme', 'beta']) {
      const rows = kpiRows([s.view(scope)], 'channel');
      expect(rows.groups.map((g) => g.group)).toEqual(['email']);
      expect(rows.groups[0]).toMatchObject({ contacts: 1, replyRate: 1, promiseRate: 1, repliesByIntent: { promise_to_pay: 1 } });
    }
    expect(kpiRows([s.view('beta')], 'channel').total).toMatchObject({ paymentRate: 1, recoveredCents: 4_000 });
    expect(kpiRows([s.view('acme')], 'channel').total).toMatchObject({ paymentRate: 0, recoveredCents: 0 });
    expect(kpiRows([s.view('*')], 'client').groups.map((g) => [g.group, g.recoveredCents, g.repliesByIntent])).toEqual([
      ['acme', 0, { promise_to_pay: 1 }],
      ['beta', 4_000, { promise_to_pay: 1 }],
    ]);
    expect(Object.values(s.view('*')).filter((n) => n < 0)).toEqual([]);
  });

  it('with no contact before it, what the taken-back step took counts for none', () => {
    const s = new Script(caseWith([A])).claim(0, 1, 'sms');
    s.reply(0, 'opt_out', ['dos_1'], 'SM1');
    expect(s.c.journey.claim?.lt).toEqual({ '*': { opt_out: 1 }, acme: { opt_out: 1 } });
    s.apply({ type: 'step_failed', at: iso(0), stepNo: 1, channel: 'sms', kind: 'send_skipped' });
    expect(kpiRows([s.view('*')], 'channel')).toMatchObject({ groups: [], total: { repliesByIntent: {} } });
  });

  it('a claim given back before the provider had it (step_released) takes back its flags', () => {
    const s = new Script(caseWith([A])).claim(0, 1, 'sms');
    s.reply(0, 'arrangement', ['dos_1'], 'SM1');
    s.apply({ type: 'step_released', at: iso(0), stepNo: 1 });
    expect(s.c.contacts).toEqual([]);
    expect(Object.entries(s.view('*')).filter(([, n]) => n !== 0)).toEqual([]);
    expect(kpiRows([s.view('acme')], 'channel').groups).toEqual([]);
  });

  it('a step that was sent keeps what it took', () => {
    const s = new Script(caseWith([A])).send(0, 1, 'sms');
    s.reply(1, 'cannot_pay', ['dos_1'], 'SM1');
    expect(s.c.journey.claim?.lt).toEqual({ '*': { cannot_pay: 1 }, acme: { cannot_pay: 1 } }); // nothing before it
    // the next step's claim replaces the memory; its failure takes back nothing of the first
    s.claim(3, 2, 'email').apply({ type: 'step_failed', at: iso(3), stepNo: 2, channel: 'email', kind: 'send_failed' });
    expect(kpiRows([s.view('acme')], 'channel').groups.map((g) => [g.group, g.contacts, g.replyRate, g.repliesByIntent])).toEqual([['sms', 1, 1, { cannot_pay: 1 }]]);
  });
});

describe('the report of a small scripted case (hand-computed)', () => {
  it('rates per channel and in total, replies per intent', () => {
    // debtor 1 (acme): an email (delivered, opened, clicked) on day 0 and an SMS (delivered) on day 3, a promise on day 4;
    // debtor 2 (acme): an email that bounced and an SMS never reported, a question on day 4
    const one = new Script(caseWith([A])).send(0, 1, 'email').send(3, 2, 'sms');
    one.status(0.1, 1, 'email', 'delivered');
    one.status(0.2, 1, 'email', 'opened');
    one.status(0.3, 1, 'email', 'clicked');
    one.status(3.1, 2, 'sms', 'delivered');
    one.reply(4, 'promise_to_pay');
    const two = new Script(caseWith([{ ...A, dossierId: 'dos_9', email: 'kim@example.invalid', phone: '+31612345679' }])).send(0, 1, 'email', ['dos_9']).send(3, 2, 'sms', ['dos_9']);
    two.status(0.1, 1, 'email', 'bounced');
    two.reply(4, 'amount_question', ['dos_9']);
    const counters = [one.view('acme'), two.view('acme')];
    const { groups, total } = kpiRows(counters, 'channel');
    const by = Object.fromEntries(groups.map((g) => [g.group, g]));
    // email: 2 sent, 1 delivered, 1 opened, 1 clicked; reacted: the opened one and both replies (within 7 days) → 2 of 2
    expect(by.email).toMatchObject({ contacts: 2, deliveredRate: 0.5, openedRate: 0.5, clickedRate: 0.5, contactRate: 1, replyRate: 1, promiseRate: 0.5, repliesByIntent: {} });
    // sms: 2 sent, 1 delivered, none opened (SMS reports no opens), both replied to; the intents are the SMS's (last touch)
    expect(by.sms).toMatchObject({ contacts: 2, deliveredRate: 0.5, openedRate: 0, clickedRate: 0, replyRate: 1, repliesByIntent: { promise_to_pay: 1, amount_question: 1 } });
    expect(total).toMatchObject({ contacts: 4, deliveredRate: 0.5, openedRate: 0.25, clickedRate: 0.25, replyRate: 1, promiseRate: 0.5, repliesByIntent: { promise_to_pay: 1, amount_question: 1 } });
    // the same figures per segment (one segment) and for the agency (one creditor: no corrections)
    expect(kpiRows(counters, 'segment').groups[0]).toMatchObject({ group: 'unknown', ...Object.fromEntries(Object.entries(total).filter(([k]) => k !== 'group' && k !== 'debtors')) });
    expect(kpiRows([one.view('*'), two.view('*')], 'channel').total).toEqual(total);
  });

  it('the stored item stays small: short attribute names for the new counters', () => {
    const s = new Script(caseWith([A])).send(0, 1, 'email');
    s.status(0.1, 1, 'email', 'clicked');
    s.reply(1, 'amount_question');
    const names = s.stored.flatMap((i) => Object.keys(i.add)).map((k) => k.split('|')[1]!);
    expect(new Set(names)).toEqual(new Set(['c', 'k', 'd', 'r', 'v', 'o', 'l', 'y', 'iaq']));
  });
});
