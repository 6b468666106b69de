/**
 * One debtor, many creditors, no leaks (issue 7), end to end on the local runtime: who is the same person, one
 * conversation per person across creditors, each creditor's views free of the other's data, contact details
 * used for the claims they came with, replies from a shared number, the agency's whole-person view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, dossierBody, startLocal } from '../support/local.js';
import { caseState, norm, pdfText, seedCase } from '../support/channel-steps.js';

let h: Harness;
beforeAll(async () => {
  // Monday 2 March 2026, 09:00 in Amsterdam
  h = await startLocal({ start: '2026-03-02T08:00:00Z' });
});
afterAll(async () => h?.stop());

const acme = { key: 'key-acme' };
const globex = { key: 'key-globex' };
const agency = { key: 'key-agency' };

/** Advances a day at a time until `done` says so (at most `days`). */
async function until(done: () => Promise<boolean>, days = 60): Promise<void> {
  for (let d = 0; d < days; d++) {
    if (await done()) return;
    await h.advance({ seconds: 86_400 });
  }
  expect(await done(), `not reached within ${days} days`).toBe(true);
}

const outboxOf = async (debtorId: string) => (await h.outbox()).filter((m) => m.debtorId === debtorId);

describe('who is the same person', () => {
  it('the same phone with another name, address, email and language is another person: two debtors, each creditor’s letters to its own address in its own language', async () => {
    const a = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'SP-A', principal: 20_000 }, {
      name: 'Jan de Vries', phone: '+31620000001', email: 'jan.devries@example.invalid', language: 'nl',
      address: { line1: 'Kerkstraat 10', postalCode: '3511 AA', city: 'Utrecht' },
    }), acme);
    const b = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'SP-B', principal: 30_000 }, {
      name: 'Eva de Vries', phone: '+31620000001', email: 'eva@example.invalid', language: 'en',
      address: { line1: 'Havenweg 3', postalCode: '9711 BB', city: 'Groningen' },
    }), globex);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.debtorId, 'a shared phone number alone does not make one person').not.toBe(a.body.debtorId);

    const letterOf = async (debtorId: string) => (await outboxOf(debtorId)).find((m) => m.channel === 'letter');
    await until(async () => !!(await letterOf(a.body.debtorId)) && !!(await letterOf(b.body.debtorId)));
    const la = await letterOf(a.body.debtorId);
    const lb = await letterOf(b.body.debtorId);
    const ta = norm(await pdfText(h.rt.fakes.pdf(la!.id)!));
    const tb = norm(await pdfText(h.rt.fakes.pdf(lb!.id)!));
    expect(ta).toContain('Kerkstraat 10');
    expect(ta).toContain('Jan de Vries');
    expect(ta).not.toContain('Havenweg');
    expect(tb).toContain('Havenweg 3');
    expect(tb).toContain('Eva de Vries');
    expect(tb).not.toContain('Kerkstraat');
    expect(la!.language).toBe('nl');
    expect(lb!.language).toBe('en');
    // and each creditor's debtor view shows what it gave, nothing of the other
    const va = await h.api('GET', `/v1/debtors/${a.body.debtorId}`, undefined, acme);
    expect(va.body.language).toBe('nl');
    expect(JSON.stringify(va.body)).not.toMatch(/Eva|Havenweg|eva@example/);
    expect((await h.api('GET', `/v1/debtors/${a.body.debtorId}`, undefined, globex)).status).toBe(404);
  });

  it('the same name and address, once filed with only a phone and once with only an email, is one person: one debtor, one letter per step', async () => {
    const address = { line1: 'Molenweg 7', postalCode: '6511 CC', city: 'Nijmegen' };
    const first = await h.api('POST', '/v1/dossiers', { reference: 'PE-1', principal: 15_000, dueDate: '2026-02-01', debtor: { name: 'Noor Bakker', phone: '+31620000011', consumer: true, address } }, acme);
    const second = await h.api('POST', '/v1/dossiers', { reference: 'PE-2', principal: 9_000, dueDate: '2026-02-01', debtor: { name: 'noor  bakker', email: 'noor@example.invalid', consumer: true, address: { ...address, line1: 'Molenweg 7 ' } } }, acme);
    expect(second.body.debtorId).toBe(first.body.debtorId);
    await until(async () => (await outboxOf(first.body.debtorId)).filter((m) => m.channel === 'letter').length >= 1);
    await h.advance({ seconds: 20 * 86_400 });
    const mine = await outboxOf(first.body.debtorId);
    const steps = mine.map((m) => m.stepNo);
    expect(new Set(steps).size, 'one message per step').toBe(steps.length);
    const letters = mine.filter((m) => m.channel === 'letter');
    expect(letters.length).toBeGreaterThanOrEqual(1);
    // the 14-day letter covers both claims at once
    expect(letters[0].dossierIds.sort()).toEqual([first.body.dossierId, second.body.dossierId].sort());
    expect(mine.some((m) => m.channel === 'email'), 'the email that came with the second claim is used too').toBe(true);
  });

  it('a matching phone with another postal address is another household: two debtors', async () => {
    const a = await h.api('POST', '/v1/dossiers', { reference: 'HH-1', principal: 5_000, dueDate: '2026-02-01', debtor: { name: 'Piet Smit', phone: '+31620000021', consumer: true, address: { line1: 'Dorpsweg 1', postalCode: '1111 AA', city: 'Ede' } } }, acme);
    const b = await h.api('POST', '/v1/dossiers', { reference: 'HH-2', principal: 5_000, dueDate: '2026-02-01', debtor: { name: 'Piet Smit', phone: '+31620000021', consumer: true, address: { line1: 'Stationsplein 9', postalCode: '2222 BB', city: 'Zwolle' } } }, acme);
    expect(b.body.debtorId).not.toBe(a.body.debtorId);
  });

  it('the creditor’s own customer reference joins its claims with other contact details, never over another name', async () => {
    const a = await h.api('POST', '/v1/dossiers', { reference: 'REF-1', principal: 5_000, dueDate: '2026-02-01', debtor: { name: 'Lotte Jansen', email: 'lotte@example.invalid', consumer: true, debtorRef: 'CUST-77' } }, acme);
    const b = await h.api('POST', '/v1/dossiers', { reference: 'REF-2', principal: 6_000, dueDate: '2026-02-01', debtor: { name: 'lotte jansen', phone: '+31620000031', consumer: true, debtorRef: 'CUST-77' } }, acme);
    expect(b.body.debtorId).toBe(a.body.debtorId);
    // The same reference with another name is a mistake somewhere: two debtors are safer than one wrong one.
    const other = await h.api('POST', '/v1/dossiers', { reference: 'REF-2b', principal: 6_000, dueDate: '2026-02-01', debtor: { name: 'Piet Pietersen', phone: '+31620000033', consumer: true, debtorRef: 'CUST-77' } }, acme);
    expect(other.status).toBe(201);
    expect(other.body.debtorId).not.toBe(a.body.debtorId);
    // another creditor's customer number of the same value is that creditor's own customer
    const c = await h.api('POST', '/v1/dossiers', { reference: 'REF-3', principal: 6_000, dueDate: '2026-02-01', debtor: { name: 'Someone Else', phone: '+31620000032', consumer: true, debtorRef: 'CUST-77' } }, globex);
    expect(c.body.debtorId).not.toBe(a.body.debtorId);
  });
});

describe('names in any script, and what one person can hold', () => {
  it('two people with names in another script who share a phone are two debtors, each with the address given for them', async () => {
    const phone = '+31620000051';
    const ivan = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'CY-A' }, { name: 'Иван Петров', phone, address: { line1: 'Kerkstraat 1', postalCode: '1000 AA', city: 'Amsterdam' } }), acme);
    const maria = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'CY-B' }, { name: 'Мария Иванова', phone, address: { line1: 'Dam 2', postalCode: '1012 JS', city: 'Amsterdam' } }), globex);
    expect(ivan.status).toBe(201);
    expect(maria.status).toBe(201);
    expect(maria.body.debtorId).not.toBe(ivan.body.debtorId);
    const addresses = async (id: string) => (await caseState(id)).contactPoints.filter((p) => p.kind === 'address').map((p) => p.address!.line1);
    expect(await addresses(ivan.body.debtorId)).toEqual(['Kerkstraat 1']);
    expect(await addresses(maria.body.debtorId)).toEqual(['Dam 2']);
  });

  it('a name without letters is refused, naming the field', async () => {
    for (const name of ['.', '😀', '\u200b\u200b', '12']) {
      const res = await h.api('POST', '/v1/dossiers', dossierBody({ reference: `NL-${name.length}-${name.codePointAt(0)}` }, { name, phone: '+31620000052' }), acme);
      expect(res.status, name).toBe(400);
      expect(res.body.error.fields['debtor.name']).toMatch(/two letters/);
    }
  });

  it('a person holds at most 100 claims: the next is refused with 422 and leaves its reference free', async () => {
    const seeded = await seedCase({ name: 'Veel Claims', phone: '+31620000053', email: null, address: null, dossiers: Array.from({ length: 100 }, (_, i) => ({ reference: `MANY-${i}` })) });
    const body = dossierBody({ reference: 'MANY-100' }, { name: 'Veel Claims', phone: '+31620000053', address: undefined });
    const refused = await h.api('POST', '/v1/dossiers', body, acme);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('too_many_claims');
    expect(Object.keys((await caseState(seeded.caseId)).dossiers)).toHaveLength(100);
    // the reference is free for the corrected request
    const other = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'MANY-100' }, { name: 'Iemand Anders', phone: '+31620000054' }), acme);
    expect(other.status).toBe(201);
  });
});

describe('a reply is about the claims its number was given with', () => {
  it('one person, a number per creditor: a reply from Acme’s number is Acme’s to read and counts for Acme only', async () => {
    const address = { line1: 'Wilgenlaan 8', postalCode: '3521 BB', city: 'Utrecht' };
    const pa = '+31620000071';
    const pb = '+31620000072';
    const a = (await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'PA-1' }, { name: 'Fenna Smit', phone: pa, email: undefined, address }), acme)).body;
    // the first SMS (to Acme's number) is about Acme's claim alone; Globex's claim joins after it
    await until(async () => (await outboxOf(a.debtorId)).some((m) => m.channel === 'sms'), 20);
    const b = (await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'PB-1' }, { name: 'Fenna Smit', phone: pb, email: undefined, address }), globex)).body;
    expect(a.debtorId).toMatch(/^deb_/);
    expect(b.debtorId, 'the same name and address: one person').toBe(a.debtorId);
    await until(async () => (await outboxOf(a.debtorId)).some((m) => m.channel === 'letter' && m.dossierIds.includes(b.dossierId)), 30);
    expect((await outboxOf(a.debtorId)).filter((m) => m.channel === 'sms').map((m) => [m.to, m.dossierIds])).toEqual([[pa, [a.dossierId]]]);
    expect(await h.reply(pa, 'Die van Acme heb ik al betaald, IBAN NL00BANK0123456789')).toBe(200);
    await h.advance({ seconds: 60 });
    const globexViews = JSON.stringify([(await h.api('GET', `/v1/dossiers/${b.dossierId}`, undefined, globex)).body, (await h.api('GET', `/v1/debtors/${b.debtorId}`, undefined, globex)).body]);
    expect(globexViews).not.toContain('NL00BANK');
    expect(globexViews).not.toContain('already');
    expect(JSON.stringify((await h.api('GET', `/v1/dossiers/${a.dossierId}`, undefined, acme)).body)).toContain('NL00BANK');
    const c = await caseState(a.debtorId);
    expect(c.byClient.acme.signals.grace?.kind).toBe('already_paid');
    expect(c.byClient.globex.signals.grace).toBeUndefined();
  });
});

describe('one person at two creditors', () => {
  const person = { name: 'Sanne Visser', phone: '+31620000041', address: { line1: 'Lindelaan 5', postalCode: '5611 DD', city: 'Eindhoven' } };
  let a: { dossierId: string; debtorId: string };
  let b: { dossierId: string; debtorId: string };

  it('is one conversation: a claim that joins later makes the next message one message about both', async () => {
    a = (await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'ACME-77', principal: 48_000 }, { ...person, email: 'sanne@acme.invalid', language: 'nl' }), acme)).body;
    await until(async () => (await outboxOf(a.debtorId)).some((m) => m.channel === 'sms'), 20);
    const firstOnlyAcme = await outboxOf(a.debtorId);
    expect(firstOnlyAcme.length).toBeGreaterThanOrEqual(1);
    expect(firstOnlyAcme.every((m) => m.dossierIds.length === 1 && m.dossierIds[0] === a.dossierId)).toBe(true);

    // The debtor answers the message about Acme's claim alone: Acme may read the words.
    expect(await h.reply(person.phone, 'Ik heb Acme al betaald, mijn IBAN is NL00BANK0123456789')).toBe(200);
    await h.advance({ seconds: 60 });

    b = (await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'GLX-9', principal: 7_500 }, { ...person, email: 'sanne@globex.invalid', language: 'en' }), globex)).body;
    expect(b.debtorId).toBe(a.debtorId);
    await until(async () => (await outboxOf(a.debtorId)).some((m) => m.dossierIds.includes(b.dossierId)), 40);
    const all = await outboxOf(a.debtorId);
    const steps = all.map((m) => m.stepNo);
    expect(new Set(steps).size, 'one message per step, never two parallel journeys').toBe(steps.length);
    const both = all.find((m) => m.dossierIds.includes(b.dossierId))!;
    expect(both.dossierIds.sort(), 'the message covers both claims').toEqual([a.dossierId, b.dossierId].sort());
    expect(h.rt.sfn.stats().running).toBeGreaterThanOrEqual(1);
    const c = await caseState(a.debtorId);
    expect(Object.keys(c.dossiers).sort()).toEqual([a.dossierId, b.dossierId].sort());

    // A reply to that shared message: each creditor sees what it means, not the words.
    expect(await h.reply(person.phone, 'Ik kan niet betalen, ik ben mijn baan kwijt bij Acme')).toBe(200);
    await h.advance({ seconds: 60 });
  });

  it('shows each creditor its own claims, amounts, contact details and language only — and a reply’s words only where they may', async () => {
    for (const [viewer, mine, theirs, ownEmail, otherEmail, otherRef] of [
      [acme, a, b, 'sanne@acme.invalid', 'sanne@globex.invalid', 'GLX-9'],
      [globex, b, a, 'sanne@globex.invalid', 'sanne@acme.invalid', 'ACME-77'],
    ] as const) {
      const dossier = await h.api('GET', `/v1/dossiers/${mine.dossierId}`, undefined, viewer);
      const debtor = await h.api('GET', `/v1/debtors/${mine.debtorId}`, undefined, viewer);
      expect(dossier.status).toBe(200);
      expect(debtor.status).toBe(200);
      const text = JSON.stringify([dossier.body, debtor.body]);
      expect(text).not.toContain(theirs.dossierId);
      expect(text).not.toContain(otherRef);
      expect(text).not.toContain(otherEmail);
      expect(text, 'no amounts of the other creditor').not.toMatch(viewer === acme ? /€75\.00|7500/ : /€480\.00|48000/);
      expect(text, 'no count of the other creditor’s claims').not.toMatch(/2 open claims/);
      expect(debtor.body.dossiers.map((d: { dossierId: string }) => d.dossierId)).toEqual([mine.dossierId]);
      expect(debtor.body.contactDetails.filter((p: { kind: string }) => p.kind === 'email').map((p: { value: string }) => p.value)).toEqual([ownEmail]);
      expect(debtor.body.language).toBe(viewer === acme ? 'nl' : 'en');
      // the shared reply: the intent, never the words
      expect(text).not.toContain('baan kwijt');
      expect(debtor.body.replies.some((r: { intent: string }) => r.intent === 'cannot_pay')).toBe(true);
      expect(dossier.body.journey.segment).toBe('cannot_pay');
      // decisions weigh the whole conversation: a creditor reads what happens, not why
      const decisions = dossier.body.timeline.filter((e: { type: string }) => e.type === 'decision');
      expect(decisions.length).toBeGreaterThan(0);
      for (const e of decisions) expect(e.detail).not.toMatch(/Why:|previous|after the|payday/);
    }
    // The reply about Acme's claim alone: Acme read the words; Globex never sees that reply at all.
    const acmeView = JSON.stringify((await h.api('GET', `/v1/dossiers/${a.dossierId}`, undefined, acme)).body);
    expect(acmeView).toContain('Ik heb Acme al betaald');
    const globexView = JSON.stringify((await h.api('GET', `/v1/debtors/${b.debtorId}`, undefined, globex)).body);
    expect(globexView).not.toContain('Ik heb Acme al betaald');
    expect(globexView).not.toContain('NL00BANK');
  });

  it('shows the agency the whole person: every claim, every creditor, every contact detail with its source, the debtor’s own words', async () => {
    const whole = await h.api('GET', `/v1/debtors/${a.debtorId}`, undefined, agency);
    expect(whole.status).toBe(200);
    expect(whole.body.dossiers.map((d: { dossierId: string }) => d.dossierId).sort()).toEqual([a.dossierId, b.dossierId].sort());
    expect(whole.body.creditors.sort()).toEqual(['acme', 'globex']);
    const emails = whole.body.contactDetails.filter((p: { kind: string }) => p.kind === 'email');
    expect(emails.map((p: { value: string }) => p.value).sort()).toEqual(['sanne@acme.invalid', 'sanne@globex.invalid']);
    expect(emails.find((p: { value: string }) => p.value === 'sanne@globex.invalid').sources[0].clientId).toBe('globex');
    const words = whole.body.replies.map((r: { detail: string }) => r.detail).join(' ');
    expect(words).toContain('baan kwijt');
    expect(words).toContain('Ik heb Acme al betaald');
  });
});

describe('a reply from a number several debtors share', () => {
  let own: Harness;
  beforeAll(async () => {
    // its own runtime, so the moments are known: Monday 2 March 2026, 09:00 in Amsterdam
    own = await startLocal({ start: '2026-03-02T08:00:00Z' });
  });
  afterAll(async () => own?.stop());

  it('goes to the debtor messaged there last within 30 days; otherwise to an agent, never to a guess', async () => {
    // Two people share a phone; Anja's first SMS goes out two days after Kees's.
    const shared = '+31620000061';
    const first = await own.api('POST', '/v1/dossiers', { reference: 'SH-1', principal: 5_000, dueDate: '2026-02-01', debtor: { name: 'Kees Mulder', phone: shared, consumer: true } }, acme);
    await own.advance({ seconds: 2 * 86_400 });
    const second = await own.api('POST', '/v1/dossiers', { reference: 'SH-2', principal: 5_000, dueDate: '2026-02-01', debtor: { name: 'Anja Mulder', phone: shared, consumer: true } }, globex);
    expect(second.body.debtorId).not.toBe(first.body.debtorId);
    await own.advance({ seconds: 60 });
    const smsTo = async (debtorId: string) => (await own.outbox()).filter((m) => m.debtorId === debtorId && m.channel === 'sms');
    expect((await smsTo(first.body.debtorId)).map((m) => m.sentAt)).toEqual(['2026-03-02T08:00:00.000Z']);
    expect((await smsTo(second.body.debtorId)).map((m) => m.sentAt)).toEqual(['2026-03-04T08:00:00.000Z']);
    expect(await own.reply(shared, 'Ik betaal vrijdag')).toBe(200);
    await own.advance({ seconds: 1 });
    const inbound = async (debtorId: string) => (await caseState(debtorId)).inbound?.at;
    expect(await inbound(second.body.debtorId), 'Anja was messaged there last').toBeDefined();
    expect(await inbound(first.body.debtorId)).toBeUndefined();

    // Both journeys end; 31 days later nobody was messaged there recently: the reply is an agent's to place.
    await own.api('POST', `/v1/dossiers/${first.body.dossierId}/payments`, { amount: 5_000, reference: 'PAY-SH-1' }, acme);
    await own.api('POST', `/v1/dossiers/${second.body.dossierId}/payments`, { amount: 5_000, reference: 'PAY-SH-2' }, globex);
    await own.advance({ seconds: 31 * 86_400 });
    const before = { a: await inbound(first.body.debtorId), b: await inbound(second.body.debtorId) };
    expect(await own.reply(shared, 'Wie bent u eigenlijk?', { messageSid: 'SMshared000000000000000000000000001' })).toBe(200);
    await own.advance({ seconds: 1 });
    expect(await inbound(first.body.debtorId)).toBe(before.a);
    expect(await inbound(second.body.debtorId)).toBe(before.b);
    const tasks = (await own.api('GET', '/v1/tasks?status=open', undefined, agency)).body.tasks as Array<{ taskId: string; reason: string; debtorId: string | null; context: { candidates?: string[]; text?: string } }>;
    const task = tasks.find((t) => t.taskId === 'reply_SMshared000000000000000000000000001');
    expect(task).toMatchObject({ reason: 'unassigned_reply', debtorId: null });
    expect(task!.context.candidates!.sort()).toEqual([first.body.debtorId, second.body.debtorId].sort());
    expect(task!.context.text).toBe('Wie bent u eigenlijk?');
  });

  it('two messaged there within a day of each other: an agent places the reply; a STOP from that number stops it for everyone who uses it, also for people filed later', async () => {
    const shared = '+31620000062';
    const a = await own.api('POST', '/v1/dossiers', { reference: 'TIE-1', principal: 5_000, dueDate: '2026-02-01', debtor: { name: 'Piet Bakker', phone: shared, consumer: true } }, acme);
    const b = await own.api('POST', '/v1/dossiers', { reference: 'TIE-2', principal: 5_000, dueDate: '2026-02-01', debtor: { name: 'Ria Bakker', phone: shared, consumer: true } }, globex);
    await own.advance({ seconds: 60 });
    const smsTo = async (debtorId: string) => (await own.outbox()).filter((m) => m.debtorId === debtorId && m.channel === 'sms');
    await until(async () => (await smsTo(a.body.debtorId)).length > 0 && (await smsTo(b.body.debtorId)).length > 0, 10);
    expect(await own.reply(shared, 'Stop met sms sturen', { messageSid: 'SMtie00000000000000000000000000001' })).toBe(200);
    await own.advance({ seconds: 1 });
    const tasks = (await own.api('GET', '/v1/tasks?status=open', undefined, agency)).body.tasks as Array<{ taskId: string; reason: string; context: { why: string } }>;
    expect(tasks.find((t) => t.taskId === 'reply_SMtie00000000000000000000000000001')).toMatchObject({ reason: 'unassigned_reply', context: { why: expect.stringMatching(/within a day.*opted out of sms/) } });
    const sentBefore = { a: (await smsTo(a.body.debtorId)).length, b: (await smsTo(b.body.debtorId)).length };
    // someone else filed with that number later
    const c = await own.api('POST', '/v1/dossiers', { reference: 'TIE-3', principal: 5_000, dueDate: '2026-02-01', debtor: { name: 'Kim Bakker', phone: shared, consumer: true } }, acme);
    expect(c.status).toBe(201);
    await own.advance({ seconds: 60 * 86_400 });
    expect((await smsTo(a.body.debtorId)).length, 'no SMS to the number after its STOP').toBe(sentBefore.a);
    expect((await smsTo(b.body.debtorId)).length).toBe(sentBefore.b);
    expect(await smsTo(c.body.debtorId)).toEqual([]);
    expect((await caseState(c.body.debtorId)).contactPoints.find((p) => p.value === shared)?.optedOut).toEqual(['sms']);
  });
});
