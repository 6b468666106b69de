/**
 * The operations a creditor needs (issue 13), end to end on the local runtime: finding its dossiers (reference,
 * status, debtor, creation time, cursor pages — only its own), withdrawing one (outreach stops at once), a dispute
 * and its resolution (pause, resume — also after the journey had ended), updating the contact details it gave
 * (never another creditor's), flags that the journey acts on, and the batch intake (a result per claim, idempotent).
 * Refusals write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossierBody, type Harness, startLocal } from '../support/local.js';
import { storeCounts } from '../support/edge.js';
import { caseState, seedCase } from '../support/channel-steps.js';

let h: Harness;
beforeAll(async () => {
  // Monday 2 March 2026, 09:00 in Amsterdam.
  h = await startLocal({ start: '2026-03-02T08:00:00Z' });
});
afterAll(async () => h?.stop());

const GLOBEX = { key: 'key-globex' };
type Entry = { type: string; detail: string; at: string };

/** dossierBody, with `null` meaning "leave this debtor field out". */
function claimOf(reference: string, debtor: Record<string, unknown>, over: Record<string, unknown> = {}) {
  const body = dossierBody({ reference, ...over }, debtor);
  for (const [k, v] of Object.entries(debtor)) if (v === null) delete (body.debtor as Record<string, unknown>)[k];
  return body;
}

async function file(reference: string, debtor: Record<string, unknown>, over: Record<string, unknown> = {}, opts: { key?: string } = {}) {
  const res = await h.api('POST', '/v1/dossiers', claimOf(reference, debtor, over), opts);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { dossierId: string; debtorId: string };
}

/** What the outbox holds about a debtor, sent after `since`. */
async function sentTo(debtorId: string, since = '') {
  return (await h.outbox()).filter((m) => m.debtorId === debtorId && m.sentAt > since);
}

const clock = async () => ((await (await fetch(`${h.url}/local/clock`)).json()) as { now: string }).now;

/** A refused request: its status, and nothing written (items, messages, executions) once the runtime is idle. */
async function refusedUnwritten(request: () => Promise<{ status: number; body: any }>, status: number, code?: string) {
  await h.advance({ seconds: 0 });
  const before = await storeCounts(h.rt);
  const res = await request();
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  if (code) expect(res.body.error.code).toBe(code);
  await h.advance({ seconds: 0 });
  expect(await storeCounts(h.rt)).toEqual(before);
  return res;
}

describe('GET /v1/dossiers', () => {
  const mine: Array<{ dossierId: string; reference: string; createdAt: string }> = [];
  let listDebtor = '';

  beforeAll(async () => {
    for (let i = 0; i < 7; i++) {
      const d = await file(`LIST-${i}`, { name: `Lijst Persoon ${i}`, phone: `+3161200010${i}`, email: `list${i}@example.invalid` });
      mine.push({ dossierId: d.dossierId, reference: `LIST-${i}`, createdAt: await clock() });
      if (i === 2) listDebtor = d.debtorId;
      await h.advance({ seconds: 3600 });
    }
    // A second claim of the same person (debtor of LIST-2) and one of another creditor's.
    const again = await file('LIST-7', { name: 'Lijst Persoon 2', phone: '+31612000102', email: 'list2@example.invalid' });
    expect(again.debtorId).toBe(listDebtor);
    mine.push({ dossierId: again.dossierId, reference: 'LIST-7', createdAt: await clock() });
    await file('LIST-GLOBEX', { name: 'Lijst Persoon 2', phone: '+31612000102', email: 'list2@example.invalid' }, {}, GLOBEX);
    expect((await h.api('POST', `/v1/dossiers/${mine[0].dossierId}/withdraw`, {})).status).toBe(200);
    await h.advance({ seconds: 0 });
  });

  const all = async (query: string) => {
    const seen: Array<{ dossierId: string; reference: string; status: string; createdAt: string; debtorId: string }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await h.api('GET', `/v1/dossiers?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      seen.push(...res.body.dossiers);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    return { seen, pages };
  };

  it('pages through all of the client’s own dossiers and none of another client’s', async () => {
    const { seen, pages } = await all('limit=3');
    const refs = seen.map((d) => d.reference).filter((r) => r.startsWith('LIST-'));
    expect(refs.sort()).toEqual(mine.map((d) => d.reference).sort());
    expect(seen.map((d) => d.reference)).not.toContain('LIST-GLOBEX');
    expect(new Set(seen.map((d) => d.dossierId)).size).toBe(seen.length);
    expect(pages).toBeGreaterThanOrEqual(3);
    // In listing order: by status, then creation time.
    const keys = seen.map((d) => `${d.status}#${d.createdAt}#${d.dossierId}`);
    expect([...keys].sort()).toEqual(keys);
  });

  it('finds by reference, status, debtor and creation time, and the filters combine', async () => {
    const byRef = await h.api('GET', '/v1/dossiers?reference=LIST-3');
    expect(byRef.body).toEqual({ dossiers: [expect.objectContaining({ dossierId: mine[3].dossierId, reference: 'LIST-3', status: 'open' })], nextCursor: null });
    expect((await h.api('GET', '/v1/dossiers?reference=LIST-GLOBEX')).body.dossiers).toEqual([]);
    expect((await h.api('GET', '/v1/dossiers?reference=LIST-3&status=paid')).body.dossiers).toEqual([]);

    const withdrawn = await all('status=withdrawn');
    expect(withdrawn.seen.map((d) => d.dossierId)).toEqual([mine[0].dossierId]);

    const ofDebtor = await all(`debtorId=${listDebtor}&limit=1`);
    expect(ofDebtor.seen.map((d) => d.reference).sort()).toEqual(['LIST-2', 'LIST-7']);
    expect(ofDebtor.pages).toBe(2);
    expect((await h.api('GET', `/v1/dossiers?debtorId=${listDebtor}`, undefined, GLOBEX)).body.dossiers.map((d: { reference: string }) => d.reference)).toEqual(['LIST-GLOBEX']);

    const from = mine[2].createdAt;
    const to = mine[4].createdAt;
    const range = await all(`createdFrom=${encodeURIComponent(from)}&createdTo=${encodeURIComponent(to)}&limit=2`);
    expect(range.seen.map((d) => d.reference).sort()).toEqual(['LIST-2', 'LIST-3', 'LIST-4']);
    const openRange = await all(`status=open&createdFrom=${encodeURIComponent(from)}&createdTo=${encodeURIComponent(to)}&limit=2`);
    expect(openRange.seen.map((d) => d.reference)).toEqual(['LIST-2', 'LIST-3', 'LIST-4']);
    const day = await all('createdFrom=2026-03-02&createdTo=2026-03-02');
    expect(day.seen.filter((d) => d.reference.startsWith('LIST-')).length).toBe(mine.length);
    expect((await h.api('GET', '/v1/dossiers?createdFrom=2026-03-03')).body.dossiers).toEqual([]);
  });

  it('refuses bad filters and a cursor of another listing with a 400 naming the parameter', async () => {
    const first = await h.api('GET', '/v1/dossiers?status=open&limit=2');
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const cases: Array<[string, string]> = [
      [`/v1/dossiers?status=paid&cursor=${first.body.nextCursor}`, 'cursor'],
      [`/v1/dossiers?status=open&limit=2&cursor=${first.body.nextCursor}`, ''],
      ['/v1/dossiers?cursor=bm90LWEtY3Vyc29y', 'cursor'],
      [`/v1/dossiers?cursor=${Buffer.from(JSON.stringify({ a: 'DOSSIER#open#x#y', q: 'zz' })).toString('base64url')}`, 'cursor'],
      ['/v1/dossiers?limit=0', 'limit'],
      ['/v1/dossiers?limit=101', 'limit'],
      ['/v1/dossiers?limit=ten', 'limit'],
      ['/v1/dossiers?status=lost', 'status'],
      ['/v1/dossiers?createdFrom=yesterday', 'createdFrom'],
      ['/v1/dossiers?createdFrom=2026-03-05&createdTo=2026-03-01', 'createdTo'],
      ['/v1/dossiers?reference=%3Cscript%3E', 'reference'],
      ['/v1/dossiers?debtorId=../x', 'debtorId'],
      ['/v1/dossiers?page=2', 'page'],
    ];
    for (const [p, field] of cases) {
      const res = await h.api('GET', p);
      if (!field) {
        expect(res.status, p).toBe(200);
        continue;
      }
      expect(res.status, `${p}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(Object.keys(res.body.error.fields), p).toContain(field);
    }
    // Another client cannot use a cursor of this one's listing.
    expect((await h.api('GET', `/v1/dossiers?status=open&limit=2&cursor=${first.body.nextCursor}`, undefined, GLOBEX)).status).toBe(400);
  });
});

describe('POST /v1/dossiers/{id}/withdraw', () => {
  it('stops the outreach for that dossier at once, and the journey goes on for the debtor’s other claims', async () => {
    const a = await file('WD-1', { name: 'Wim Trek', phone: '+31612000201', email: 'wd@example.invalid' });
    const b = await file('WD-2', { name: 'Wim Trek', phone: '+31612000201', email: 'wd@example.invalid' }, { principal: 40_000 });
    expect(b.debtorId).toBe(a.debtorId);
    await h.advance({ seconds: 0 });
    const res = await h.api('POST', `/v1/dossiers/${a.dossierId}/withdraw`, { reason: 'Betaald via de eigen bank.' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dossierId: a.dossierId, status: 'withdrawn' });
    expect(res.body.timeline.map((e: Entry) => e.detail)).toContainEqual(expect.stringMatching(/^Withdrawn by the creditor \(Betaald via de eigen bank\.\): outreach for this dossier stopped\./));
    const at = await clock();
    // The same request again answers the same and writes nothing.
    await h.advance({ seconds: 0 });
    const counts = await storeCounts(h.rt);
    const again = await h.api('POST', `/v1/dossiers/${a.dossierId}/withdraw`, { reason: 'Betaald via de eigen bank.' });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('withdrawn');
    await h.advance({ seconds: 0 });
    expect(await storeCounts(h.rt)).toEqual(counts);

    await h.advance({ seconds: 60 * 86_400 });
    const later = await sentTo(a.debtorId, at);
    expect(later.length, 'the journey goes on for WD-2').toBeGreaterThan(0);
    for (const m of later) expect(m.dossierIds, `${m.channel} at ${m.sentAt}`).not.toContain(a.dossierId);
    expect(later.some((m) => m.dossierIds.includes(b.dossierId))).toBe(true);
  });

  it('ends the journey when it was the only open claim; a paid dossier cannot be withdrawn (409, nothing written)', async () => {
    const d = await file('WD-3', { name: 'Wanda Trek', phone: '+31612000202', email: 'wd3@example.invalid' });
    await h.advance({ seconds: 0 });
    const at = await clock();
    expect((await h.api('POST', `/v1/dossiers/${d.dossierId}/withdraw`)).status).toBe(200);
    await h.advance({ seconds: 0 });
    const view = await h.api('GET', `/v1/dossiers/${d.dossierId}`);
    expect(view.body.journey.nextContactAt).toBeNull();
    expect(view.body.timeline.map((e: Entry) => e.type)).toContain('journey_ended');
    await h.advance({ seconds: 40 * 86_400 });
    expect(await sentTo(d.debtorId, at)).toEqual([]);

    const p = await file('WD-4', { name: 'Piet Betaald', phone: '+31612000203', email: 'wd4@example.invalid' }, { principal: 5_000 });
    expect((await h.api('POST', `/v1/dossiers/${p.dossierId}/payments`, { amount: 5_000, reference: 'WD4-PAY' })).status).toBe(200);
    const refused = await refusedUnwritten(() => h.api('POST', `/v1/dossiers/${p.dossierId}/withdraw`, { reason: 'te laat' }), 409, 'not_withdrawable');
    expect(refused.body.error.message).toMatch(/is paid/);
    await refusedUnwritten(() => h.api('POST', `/v1/dossiers/${p.dossierId}/withdraw`, undefined, GLOBEX), 404, 'not_found');
    await refusedUnwritten(() => h.api('POST', `/v1/dossiers/${p.dossierId}/withdraw`, { reason: 'x', extra: 1 }), 400, 'validation_failed');
  });
});

describe('disputes', () => {
  it('a dispute pauses the dossier (nothing sent), resolving resumes it — also after the journey had ended', async () => {
    const d = await file('DSP-1', { name: 'Dirk Twist', phone: '+31612000301', email: 'dsp@example.invalid' });
    await h.advance({ seconds: 0 });
    const paused = await h.api('POST', `/v1/dossiers/${d.dossierId}/dispute`, { reason: 'Debiteur betwist de meterstand.' });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    expect((await h.api('POST', `/v1/dossiers/${d.dossierId}/dispute`, {})).body.status).toBe('paused');
    const at = await clock();
    await h.advance({ seconds: 30 * 86_400 });
    expect(await sentTo(d.debtorId, at), 'nothing while disputed').toEqual([]);
    const ended = await h.api('GET', `/v1/dossiers/${d.dossierId}`);
    expect(ended.body.journey.nextContactAt).toBeNull();

    const resolved = await h.api('POST', `/v1/dossiers/${d.dossierId}/dispute/resolve`, { reason: 'Meterstand bevestigd.' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('open');
    const again = await h.api('POST', `/v1/dossiers/${d.dossierId}/dispute/resolve`, { reason: 'Meterstand bevestigd.' });
    expect(again.status).toBe(200);
    const resumedAt = await clock();
    await h.advance({ seconds: 20 * 86_400 });
    const after = await sentTo(d.debtorId, resumedAt);
    expect(after.length, 'the journey resumed').toBeGreaterThan(0);
    const timeline = (await h.api('GET', `/v1/dossiers/${d.dossierId}`)).body.timeline as Entry[];
    expect(timeline.filter((e) => e.type === 'status' || e.type === 'dispute_resolved').map((e) => e.detail)).toEqual([
      'Disputed (Debiteur betwist de meterstand.): the dossier is paused until the dispute is resolved.',
      'Dispute resolved in the creditor’s favour (Meterstand bevestigd.): the journey resumes for this dossier.',
    ]);
  });

  it('a dispute decided for the debtor withdraws the dossier; the same request again answers the same', async () => {
    const d = await file('DSP-3', { name: 'Daan Twist', phone: '+31612000303', email: 'dsp3@example.invalid' });
    await h.advance({ seconds: 0 });
    expect((await h.api('POST', `/v1/dossiers/${d.dossierId}/dispute`)).body.status).toBe('paused');
    const body = { inFavourOf: 'debtor', reason: 'Levering niet aangetoond.' };
    const res = await h.api('POST', `/v1/dossiers/${d.dossierId}/dispute/resolve`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('withdrawn');
    const again = await h.api('POST', `/v1/dossiers/${d.dossierId}/dispute/resolve`, body);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('withdrawn');
    const timeline = again.body.timeline as Entry[];
    expect(timeline.filter((e) => e.type === 'dispute_resolved').map((e) => e.detail)).toEqual(['Dispute resolved in the debtor’s favour (Levering niet aangetoond.): the dossier is withdrawn.']);
    // Resolving it for the creditor now: nothing to resolve.
    await refusedUnwritten(() => h.api('POST', `/v1/dossiers/${d.dossierId}/dispute/resolve`, { inFavourOf: 'creditor' }), 409, 'not_disputed');
    await refusedUnwritten(() => h.api('POST', `/v1/dossiers/${d.dossierId}/dispute/resolve`, { inFavourOf: 'nobody' }), 400, 'validation_failed');
  });

  it('resolving an open dossier that is not disputed is a 409 and changes nothing', async () => {
    const d = await file('DSP-2', { name: 'Dora Twist', phone: '+31612000302', email: 'dsp2@example.invalid' });
    await refusedUnwritten(() => h.api('POST', `/v1/dossiers/${d.dossierId}/dispute/resolve`), 409, 'not_disputed');
    expect((await h.api('POST', `/v1/dossiers/${d.dossierId}/withdraw`)).status).toBe(200);
    await refusedUnwritten(() => h.api('POST', `/v1/dossiers/${d.dossierId}/dispute`), 409, 'not_disputable');
  });
});

describe('PATCH /v1/debtors/{id}', () => {
  it('replaces the contact details this creditor gave; the other creditor’s stay, and the next SMS goes to the new number', async () => {
    const person = { name: 'Petra Nieuw', phone: '+31612000401', email: 'petra@acme.example' };
    const a = await file('PT-1', person);
    const g = await file('PT-G', { ...person, email: 'petra@globex.example' }, {}, GLOBEX);
    expect(g.debtorId).toBe(a.debtorId);
    await h.advance({ seconds: 0 });
    const res = await h.api('PATCH', `/v1/debtors/${a.debtorId}`, { phone: '+31 6 8765 4321', email: 'Petra.Nieuw@Acme.example' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const mine = res.body.contactDetails.map((c: { kind: string; value: string }) => `${c.kind}:${c.value}`);
    expect(mine).toContain('phone:+31687654321');
    expect(mine).toContain('email:petra.nieuw@acme.example');
    expect(mine).not.toContain('phone:+31612000401');
    expect(JSON.stringify(res.body)).not.toContain('globex');
    const theirs = (await h.api('GET', `/v1/debtors/${g.debtorId}`, undefined, GLOBEX)).body.contactDetails.map((c: { kind: string; value: string }) => `${c.kind}:${c.value}`);
    expect(theirs).toContain('phone:+31612000401');
    expect(theirs).toContain('email:petra@globex.example');
    expect(theirs).not.toContain('phone:+31687654321');
    const timeline = (await h.api('GET', `/v1/dossiers/${a.dossierId}`)).body.timeline as Entry[];
    expect(timeline.map((e) => e.detail)).toContain('Contact details updated by the creditor: email, phone.');
    expect((await h.api('GET', `/v1/dossiers/${g.dossierId}`, undefined, GLOBEX)).body.timeline.map((e: Entry) => e.type)).not.toContain('contact_updated');

    // The same change again writes nothing.
    await h.advance({ seconds: 0 });
    const counts = await storeCounts(h.rt);
    expect((await h.api('PATCH', `/v1/debtors/${a.debtorId}`, { phone: '+31687654321', email: 'petra.nieuw@acme.example' })).status).toBe(200);
    await h.advance({ seconds: 0 });
    expect(await storeCounts(h.rt)).toEqual(counts);

    // A message about acme's claim alone goes to the number acme gave now (globex's claim is withdrawn first).
    expect((await h.api('POST', `/v1/dossiers/${g.dossierId}/withdraw`, undefined, GLOBEX)).status).toBe(200);
    const since = await clock();
    await h.advance({ seconds: 60 * 86_400 });
    const sms = (await sentTo(a.debtorId, since)).filter((m) => m.channel === 'sms');
    expect(sms.length).toBeGreaterThan(0);
    for (const m of sms) expect(m.to).toBe('+31687654321');
  });

  it('refuses another creditor, an unknown field, and a change that leaves no way to reach the debtor — writing nothing', async () => {
    const a = await file('PT-2', { name: 'Paul Leeg', phone: null, email: 'paul@example.invalid', address: null });
    await refusedUnwritten(() => h.api('PATCH', `/v1/debtors/${a.debtorId}`, { email: 'x@globex.example' }, GLOBEX), 404, 'not_found');
    const unknown = await refusedUnwritten(() => h.api('PATCH', `/v1/debtors/${a.debtorId}`, { mail: 'x@example.invalid' }), 400, 'validation_failed');
    expect(unknown.body.error.fields.mail).toMatch(/did you mean "email"/);
    await refusedUnwritten(() => h.api('PATCH', `/v1/debtors/${a.debtorId}`, {}), 400, 'validation_failed');
    await refusedUnwritten(() => h.api('PATCH', `/v1/debtors/${a.debtorId}`, { phone: '0612345678' }), 400, 'validation_failed');
    const none = await refusedUnwritten(() => h.api('PATCH', `/v1/debtors/${a.debtorId}`, { email: null, address: null }), 422, 'no_contact_left');
    expect(none.body.error.message).toContain(a.dossierId);
    await refusedUnwritten(() => h.api('PATCH', `/v1/debtors/${a.debtorId}`, { whatsappOptIn: true }), 422, 'no_phone');
    await refusedUnwritten(() => h.api('PATCH', `/v1/debtors/${a.debtorId}`, { email: 'p@example.invalid', dossierIds: ['dos_not_mine'] }), 400, 'validation_failed');
    // Replacing the only contact detail by another is fine.
    const ok = await h.api('PATCH', `/v1/debtors/${a.debtorId}`, { email: null, phone: '+31612000402', whatsappOptIn: true });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.contactDetails).toEqual([expect.objectContaining({ kind: 'phone', value: '+31612000402', sources: [expect.objectContaining({ dossierId: a.dossierId, whatsappOptIn: true })] })]);
  });
});

describe('PATCH /v1/debtors/{id} and opt-outs', () => {
  it('a person who opted out of everything is not messaged on a new number; the old number stays opted out for whoever gets it', async () => {
    const old = '+31612000411';
    const a = await file('PT-OPT', { name: 'Olga Stop', phone: old, email: 'olga@acme.example' });
    for (let i = 0; i < 30 && !(await sentTo(a.debtorId)).some((m) => m.channel === 'sms'); i++) await h.advance({ seconds: 86_400 });
    expect((await sentTo(a.debtorId)).some((m) => m.channel === 'sms')).toBe(true);
    expect(await h.reply(old, 'STOPALL')).toBe(200);
    await h.advance({ seconds: 0 });
    const res = await h.api('PATCH', `/v1/debtors/${a.debtorId}`, { phone: '+31612000412', whatsappOptIn: true, email: 'olga.nieuw@acme.example' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const since = await clock();
    await h.advance({ seconds: 45 * 86_400 });
    // Only the post may still go (STOPALL keeps the legally required letter); nothing digital, on no number or address.
    expect((await sentTo(a.debtorId, since)).filter((m) => m.channel !== 'letter')).toEqual([]);
    // Someone else filed later with the old number: it is opted out there too (the number's own record).
    const b = await file('PT-OPT-B', { name: 'Bram Later', phone: old, email: 'bram@example.invalid' });
    const point = (await caseState(b.debtorId)).contactPoints.find((p) => p.kind === 'phone' && p.value === old);
    expect(point?.optedOut).toContain('all');
  });

  it('a new number someone opted out of before is opted out on this case too; a replaced opted-out number stays so', async () => {
    const used = '+31612000421';
    const first = await file('PT-NUM-1', { name: 'Nina Eerst', phone: used, email: 'nina@example.invalid' });
    for (let i = 0; i < 30 && !(await sentTo(first.debtorId)).some((m) => m.channel === 'sms'); i++) await h.advance({ seconds: 86_400 });
    expect(await h.reply(used, 'STOP')).toBe(200);
    await h.advance({ seconds: 0 });
    const other = await file('PT-NUM-2', { name: 'Otto Ander', phone: '+31612000422', email: 'otto@example.invalid' });
    const res = await h.api('PATCH', `/v1/debtors/${other.debtorId}`, { phone: used });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await caseState(other.debtorId)).contactPoints.find((p) => p.kind === 'phone' && p.value === used)?.optedOut).toContain('sms');
    const since = await clock();
    await h.advance({ seconds: 30 * 86_400 });
    expect((await sentTo(other.debtorId, since)).filter((m) => m.channel === 'sms')).toEqual([]);
    // The first person moves to a new number: the old one keeps its opt-out at the number.
    expect((await h.api('PATCH', `/v1/debtors/${first.debtorId}`, { phone: '+31612000423' })).status).toBe(200);
    const third = await file('PT-NUM-3', { name: 'Tara Derde', phone: used, email: 'tara@example.invalid' });
    expect((await caseState(third.debtorId)).contactPoints.find((p) => p.kind === 'phone' && p.value === used)?.optedOut).toContain('sms');
  });
});

describe('POST /v1/debtors/{id}/flags', () => {
  it('a WSNP flag stops all outreach at once; another creditor does not see it; flags are validated', async () => {
    const person = { name: 'Frank Vlag', phone: '+31612000501', email: 'frank@example.invalid' };
    const a = await file('FL-1', person);
    const g = await file('FL-G', person, {}, GLOBEX);
    await h.advance({ seconds: 0 });
    const res = await h.api('POST', `/v1/debtors/${a.debtorId}/flags`, { add: ['wsnp'] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.flags).toEqual(['wsnp']);
    const seenByGlobex = await h.api('GET', `/v1/debtors/${g.debtorId}`, undefined, GLOBEX);
    expect(seenByGlobex.body.flags).toEqual([]);
    const at = await clock();
    await h.advance({ seconds: 45 * 86_400 });
    expect(await sentTo(a.debtorId, at), 'no outreach for a debtor in the WSNP').toEqual([]);
    const timeline = (await h.api('GET', `/v1/dossiers/${a.dossierId}`)).body.timeline as Entry[];
    expect(timeline.map((e) => e.detail)).toContain('Flags set wsnp by the creditor.');
    expect(timeline.some((e) => e.type === 'journey_ended' || /referred to debt help/.test(e.detail))).toBe(true);

    const bad = await refusedUnwritten(() => h.api('POST', `/v1/debtors/${a.debtorId}/flags`, { add: ['bankrupt'] }), 400, 'validation_failed');
    expect(bad.body.error.fields['add.0']).toMatch(/must be one of vulnerable, bewind/);
    await refusedUnwritten(() => h.api('POST', `/v1/debtors/${a.debtorId}/flags`, {}), 400, 'validation_failed');
    await refusedUnwritten(() => h.api('POST', `/v1/debtors/${a.debtorId}/flags`, { add: ['wsnp'], remove: ['wsnp'] }), 400, 'validation_failed');
    await refusedUnwritten(() => h.api('POST', '/v1/debtors/deb_nobody/flags', { add: ['vulnerable'] }), 404, 'not_found');
    // Setting it again changes nothing; globex cannot clear acme's flag.
    await h.advance({ seconds: 0 });
    const counts = await storeCounts(h.rt);
    expect((await h.api('POST', `/v1/debtors/${a.debtorId}/flags`, { add: ['wsnp'] })).status).toBe(200);
    expect((await h.api('POST', `/v1/debtors/${a.debtorId}/flags`, { remove: ['wsnp'] }, GLOBEX)).status).toBe(200);
    await h.advance({ seconds: 0 });
    expect(await storeCounts(h.rt)).toEqual(counts);
    expect((await h.api('GET', `/v1/debtors/${a.debtorId}`)).body.flags).toEqual(['wsnp']);
  });
});

describe('POST /v1/dossiers/batch', () => {
  it('files each claim as POST /v1/dossiers would, with a result per claim; sent again, it writes nothing new', async () => {
    const claims = [
      claimOf('BT-1', { name: 'Bea Tch', phone: '+31612000601', email: 'bea@example.invalid' }),
      claimOf('BT-2', { name: 'Ben Tch', phone: '+31612000602', email: 'ben@example.invalid' }, { principal: 12.5 }),
      claimOf('BT-3', { name: 'Bea Tch', phone: '+31612000601', email: 'bea@example.invalid' }),
      claimOf('BT-1', { name: 'Bea Tch', phone: '+31612000601', email: 'bea@example.invalid' }, { principal: 1 }),
      'not a claim',
      claimOf('BT-5', { name: 'Bo Tch', phone: null, email: null, address: { line1: 'Batchweg 5', postalCode: '1234 AB', city: 'Utrecht' } }),
    ];
    const res = await h.api('POST', '/v1/dossiers/batch', { claims });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const r = res.body.results as Array<{ index: number; status: number; body: any; replayed?: boolean }>;
    expect(r.map((x) => [x.index, x.status])).toEqual([
      [0, 201],
      [1, 400],
      [2, 201],
      [3, 409],
      [4, 400],
      [5, 201],
    ]);
    expect(res.body).toMatchObject({ succeeded: 3, failed: 3 });
    expect(r[1].body.error.fields).toHaveProperty('principal');
    expect(r[3].body.error.code).toBe('duplicate_reference');
    expect(r[4].body.error.code).toBe('invalid_body');
    expect(r[2].body.debtorId, 'the same person in one batch is one debtor').toBe(r[0].body.debtorId);
    // The same answer a single POST gives.
    const single = await h.api('POST', '/v1/dossiers', claims[0]);
    expect(single).toEqual({ status: 201, body: r[0].body });
    const dup = await h.api('POST', '/v1/dossiers', claims[3]);
    expect(dup.status).toBe(409);

    await h.advance({ seconds: 0 });
    const counts = await storeCounts(h.rt);
    const rerun = await h.api('POST', '/v1/dossiers/batch', { claims });
    expect(rerun.body.results.map((x: { status: number }) => x.status)).toEqual([201, 400, 201, 409, 400, 201]);
    expect(rerun.body.results.filter((x: { replayed?: boolean }) => x.replayed).map((x: { index: number }) => x.index)).toEqual([0, 2, 5]);
    for (const i of [0, 2, 5]) expect(rerun.body.results[i].body).toEqual(r[i].body);
    await h.advance({ seconds: 0 });
    expect(await storeCounts(h.rt), 'a rerun writes nothing').toEqual(counts);
  });

  it('a claim past a person’s 100 is that claim’s 422 too_many_claims; the others in the batch are filed', async () => {
    const seeded = await seedCase({ name: 'Veel Batch', phone: '+31612000651', email: null, address: null, dossiers: Array.from({ length: 100 }, (_, i) => ({ reference: `BMANY-${i}` })) });
    const res = await h.api('POST', '/v1/dossiers/batch', {
      claims: [claimOf('BMANY-100', { name: 'Veel Batch', phone: '+31612000651', email: null, address: null }), claimOf('BMANY-OTHER', { name: 'Iemand Anders', phone: '+31612000652', email: null })],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results.map((x: { status: number }) => x.status)).toEqual([422, 201]);
    expect(res.body.results[0].body.error.code).toBe('too_many_claims');
    expect(Object.keys((await caseState(seeded.caseId)).dossiers)).toHaveLength(100);
    // Its reference stays free, and the listing holds only what was filed.
    expect((await h.api('GET', '/v1/dossiers?reference=BMANY-100')).body.dossiers).toEqual([]);
  });

  it('refuses an envelope that is not one: no claims, too many, unknown fields (400, nothing written)', async () => {
    await refusedUnwritten(() => h.api('POST', '/v1/dossiers/batch', { claims: [] }), 400, 'validation_failed');
    const many = await refusedUnwritten(() => h.api('POST', '/v1/dossiers/batch', { claims: Array.from({ length: 501 }, (_, i) => ({ reference: `X-${i}` })) }), 400, 'validation_failed');
    expect(many.body.error.fields.claims).toMatch(/at most 500/);
    await refusedUnwritten(() => h.api('POST', '/v1/dossiers/batch', { claims: [dossierBody()], dryRun: true }), 400, 'validation_failed');
    await refusedUnwritten(() => h.api('POST', '/v1/dossiers/batch', [dossierBody()]), 400, 'invalid_body');
  });
});
