/**
 * Issue "Decisions" end to end on the local runtime (virtual clock): payday timing, the Dutch contact rules
 * over a long journey, costs only after the 14-day term, re-segmenting on a reply, and a timeline that
 * explains every step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isContactAllowed, localDate } from '../../functions/domain/calendar.js';
import { costsAllowedFrom, presumedReceipt } from '../../functions/domain/costs.js';
import { dossierBody, type Harness, startLocal } from '../support/local.js';

let h: Harness;
beforeAll(async () => {
  // Wednesday 18 March 2026, 11:00 in Amsterdam.
  h = await startLocal({ start: '2026-03-18T10:00:00Z' });
});
afterAll(async () => h?.stop());

type Event = { at: string; type: string; channel?: string; detail: string };
const timelineOf = async (dossierId: string): Promise<Event[]> => (await h.api('GET', `/v1/dossiers/${dossierId}`)).body.timeline;

describe('decisions on the local runtime', () => {
  let salaried: { dossierId: string; debtorId: string };

  it('contacts a consumer paid on the 25th in the allowed window right after payday', async () => {
    const res = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'DEC-PAYDAY', dueDate: '2026-03-01' }, { paydayOfMonth: 25, phone: '+31610000001', email: 'payday@example.invalid' }));
    expect(res.status).toBe(201);
    salaried = res.body;
    await h.advance('2026-03-30T12:00:00Z');
    const first = (await h.outbox()).find((m) => m.debtorId === salaried.debtorId)!;
    expect(first).toBeDefined();
    const day = localDate(new Date(first.sentAt));
    // Wednesday 25 March is payday: the first contact comes on the working days right after it.
    expect(['2026-03-26', '2026-03-27']).toContain(day);
    expect(isContactAllowed(new Date(first.sentAt))).toBe(true);
    const decision = (await timelineOf(salaried.dossierId)).find((e) => e.type === 'decision' && /wait/i.test(e.detail));
    expect(decision?.detail).toMatch(/payday/i);
  });

  it('never sends on a Sunday, a holiday or outside 07:00–20:00 over a 120-day journey, and adds costs only after the 14-day term', async () => {
    await h.advance('2026-07-20T12:00:00Z');
    const mine = (await h.outbox()).filter((m) => m.debtorId === salaried.debtorId);
    expect(mine.length).toBeGreaterThanOrEqual(5);
    for (const m of mine) expect(isContactAllowed(new Date(m.sentAt)), `${m.channel} at ${m.sentAt}`).toBe(true);

    const letter = mine.find((m) => m.template?.startsWith('letter/fourteen_day_letter'))!;
    expect(letter, 'a 14-day letter was sent').toBeDefined();
    const firstDemand = mine.find((m) => /\/(demand|final_notice|handover)\//.test(m.template ?? ''))!;
    expect(Date.parse(firstDemand.sentAt)).toBeGreaterThan(Date.parse(letter.sentAt));

    const allowedFrom = costsAllowedFrom(presumedReceipt(new Date(letter.sentAt)));
    const timeline = await timelineOf(salaried.dossierId);
    const costEvents = timeline.filter((e) => e.type === 'costs');
    expect(costEvents.length).toBeGreaterThanOrEqual(1);
    for (const e of costEvents) expect(localDate(new Date(e.at)) >= allowedFrom, `costs at ${e.at}, allowed from ${allowedFrom}`).toBe(true);
    const view = await h.api('GET', `/v1/dossiers/${salaried.dossierId}`);
    expect(view.body.amounts.costs).toBe(4_000); // WIK on €125: 15% = €18.75, so the €40 minimum
  });

  it('explains every step on the timeline: each contact follows a decision with its segment and reasons', async () => {
    const timeline = await timelineOf(salaried.dossierId);
    const contacts = timeline.filter((e) => e.type === 'sent' || e.type === 'call_task');
    expect(contacts.length).toBeGreaterThanOrEqual(5);
    for (const c of contacts) {
      const before = timeline.filter((e) => e.type === 'decision' && e.channel === c.channel && e.at <= c.at).pop();
      expect(before?.detail, `decision before ${c.channel} at ${c.at}`).toMatch(/Segment \w+ \(.+\)\. Why: .+/);
    }
  });

  it('moves a debtor to cannot_pay at once on "ik kan niet betalen", and the next message changes tone', async () => {
    const res = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'DEC-CANNOT', dueDate: '2026-05-01' }, { phone: '+31610000002', email: 'cannot@example.invalid' }));
    const { dossierId, debtorId } = res.body;
    // Run until the 14-day letter has gone out (a neutral tone in the standard strategy).
    let letterSent = false;
    for (let day = 0; day < 40 && !letterSent; day++) {
      await h.advance({ seconds: 86_400 });
      letterSent = (await h.outbox()).some((m) => m.debtorId === debtorId && m.template?.startsWith('letter/fourteen_day_letter'));
    }
    expect(letterSent).toBe(true);
    const before = (await h.outbox()).filter((m) => m.debtorId === debtorId);
    expect(before.at(-1)!.tone).not.toBe('friendly');

    expect(await h.reply('+31610000002', 'Sorry, ik kan niet betalen, ik ben mijn baan kwijt')).toBe(200);
    await h.advance({ seconds: 0 });
    const view = await h.api('GET', `/v1/dossiers/${dossierId}`);
    expect(view.body.journey.segment).toBe('cannot_pay');
    expect(view.body.journey.segmentReasons.join(' ')).toMatch(/kan niet betalen|cannot pay/i);

    await h.advance({ seconds: 30 * 86_400 });
    const after = (await h.outbox()).filter((m) => m.debtorId === debtorId && !m.inReplyTo).slice(before.length);
    expect(after.length).toBeGreaterThanOrEqual(1);
    expect(after[0].tone).toBe('friendly');
    const debtor = await h.api('GET', `/v1/debtors/${debtorId}`);
    expect(debtor.body.segment).toBe('cannot_pay');
    expect(debtor.body.decisions.length).toBeGreaterThan(0);
  });
});
