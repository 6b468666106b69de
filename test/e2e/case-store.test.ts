/**
 * The store's contract with the domain (issue 7): the channel step's claim is one targeted UpdateItem on the
 * hot path, and it must leave the case exactly as the reducer's `step_claimed` does — otherwise a decision read
 * after a claim would see another case than the one the domain reasons about. Also the optimistic write: a save
 * from a stale read is refused, never merged over a newer case. Real DynamoDB API (dynalite) over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent } from '../../functions/domain/case/events.js';
import type { CaseState } from '../../functions/domain/case/state.js';
import { claimStep, createCase, parkJourney, readCase, saveCase } from '../../functions/store/cases.js';
import { caseWith } from '../support/cases.js';
import { STORE_BACKENDS } from '../support/stores.js';

describe.each(STORE_BACKENDS.map((make) => [make().name, make] as const))('the case store on %s', (_name, make) => {
  const backend = make();
  beforeAll(async () => {
    await backend.start();
  });
  afterAll(async () => {
    await backend.stop();
  });

  let n = 0;
  async function stored(claims: Parameters<typeof caseWith>[0]): Promise<CaseState> {
    const s = caseWith(claims, `deb_store${++n}${Math.random().toString(36).slice(2, 6)}`);
    expect(await createCase(s)).toBe(true);
    return s;
  }

  async function read(caseId: string): Promise<CaseState> {
    const r = await readCase(caseId);
    if (r?.v !== 2) throw new Error('no case');
    return r.item;
  }

  /** What may differ between two writes of the same case: bookkeeping, not facts. */
  const facts = (s: CaseState) => ({ ...s, version: 0, updatedAt: '' });

  const withoutCreditorCounts = (s: CaseState) => ({
    ...s,
    byClient: Object.fromEntries(Object.entries(s.byClient).map(([id, c]) => [id, { ...c, totals: { ...c.totals, contacts: 0 } }])),
  });

  const A = { dossierId: 'dos_s1', clientId: 'acme', phone: '+31612340001', email: 'a@example.invalid', address: { line1: 'Dorpsstraat 1', postalCode: '1234AB', city: 'Utrecht' } };
  const B = { dossierId: 'dos_s2', clientId: 'beta', phone: '+31612340001', address: { line1: 'Dorpsstraat 1', postalCode: '1234AB', city: 'Utrecht' } };

  describe('claimStep equals the reducer', () => {
    it.each([
      ['an email about one claim', 'email' as const, 'reminder' as const, ['dos_s1'], []],
      ['an SMS about two creditors’ claims', 'sms' as const, 'reminder' as const, ['dos_s1', 'dos_s2'], []],
      ['the 14-day letter (it covers both overdue claims)', 'letter' as const, 'fourteen_day_letter' as const, ['dos_s1', 'dos_s2'], ['dos_s1', 'dos_s2']],
      // a follow-up of the letter states its term end (kept on the claims) and joins an experiment (sticky on the case)
      ['an SMS follow-up stating the term end, joining an experiment', 'sms' as const, 'fourteen_day_letter' as const, ['dos_s1', 'dos_s2'], [], { statedTermEnd: '2026-03-20', assignments: [{ experimentId: 'x-tone', variant: 'firm' }] }],
    ])('%s', async (_what, channel, phase, dossierIds, letterFor, extra: { statedTermEnd?: string; assignments?: Array<{ experimentId: string; variant: string }> } = {}) => {
      const before = await stored([A, B]);
      const at = '2026-03-03T09:00:00.000Z';
      const contact = { at, channel, phase, tone: 'friendly' as const, stepNo: 1, journeyNo: 1, dossierIds, ...(extra.assignments ? { x: extra.assignments.map((a) => `${a.experimentId}:${a.variant}`) } : {}) };
      const view = { phase, segment: 'unaware', segmentReasons: ['first contact'], nextContactAt: '2026-03-06T09:00:00.000Z' };
      const written = await claimStep({ caseId: before.caseId, journeyNo: 1, seenEventSeq: before.eventSeq, contact, letterFor, token: 'tok-1', timer: 'tmr-1', view, at, ...extra });
      expect(written).toBeDefined();
      const expected = applyEvent(before, { type: 'step_claimed', at, contact, token: 'tok-1', timer: 'tmr-1', view, ...extra });
      if (extra.statedTermEnd) expect(expected.dossiers.dos_s1?.statedTermEnd).toBe(extra.statedTermEnd);
      if (extra.assignments) expect(expected.experiments['x-tone']).toEqual({ variant: 'firm', at, journeyNo: 1 });
      // The targeted update leaves the per-creditor contact counters alone: a creditor's count is read from its
      // part of the log (state.ts factsOf), never from them. Everything else is the same.
      expect(withoutCreditorCounts(facts(await read(before.caseId)))).toEqual(withoutCreditorCounts(facts(expected)));
      expect(written!.version).toBe(before.version + 1);
    });

    it('a second claim of the same step, or one after something happened to the case, is refused', async () => {
      const before = await stored([A]);
      const at = '2026-03-03T09:00:00.000Z';
      const claim = (seenEventSeq: number, stepNo = 1) =>
        claimStep({ caseId: before.caseId, journeyNo: 1, seenEventSeq, contact: { at, channel: 'email', stepNo, journeyNo: 1, dossierIds: ['dos_s1'] }, token: 't', timer: 'x', at });
      expect(await claim(before.eventSeq)).toBeDefined();
      expect(await claim(before.eventSeq)).toBeUndefined();
      // a reply arrived after the decision: the decision is stale
      const now = await read(before.caseId);
      const replied = applyEvent(now, { type: 'reply', at, channel: 'sms', intent: 'promise_to_pay', dossierIds: ['dos_s1'] });
      expect(await saveCase(replied, now.version)).toBe(true);
      expect(await claim(before.eventSeq, 2)).toBeUndefined();
      expect(await claim(replied.eventSeq, 2)).toBeDefined();
      expect((await read(before.caseId)).journey.contacts.map((c) => c.stepNo)).toEqual([1, 2]);
    });

    it('parking after a stale decision is refused', async () => {
      const before = await stored([A]);
      const at = '2026-03-03T09:00:00.000Z';
      const paid = applyEvent(before, { type: 'payment', at, dossierId: 'dos_s1', amount: 500, paidAt: at, key: 'P1' });
      expect(await saveCase(paid, before.version)).toBe(true);
      expect(await parkJourney({ caseId: before.caseId, journeyNo: 1, seenEventSeq: before.eventSeq, token: 't', timer: 'x', at })).toBeUndefined();
      expect(await parkJourney({ caseId: before.caseId, journeyNo: 1, seenEventSeq: paid.eventSeq, token: 't', timer: 'x', at })).toBeDefined();
    });
  });

  describe('optimistic writes', () => {
    it('a save from a stale read is refused and changes nothing', async () => {
      const base = await stored([A]);
      const first = await read(base.caseId);
      const second = await read(base.caseId);
      const at = '2026-03-04T09:00:00.000Z';
      expect(await saveCase(applyEvent(first, { type: 'payment', at, dossierId: 'dos_s1', amount: 1_000, paidAt: at, key: 'P-first' }), first.version)).toBe(true);
      expect(await saveCase(applyEvent(second, { type: 'payment', at, dossierId: 'dos_s1', amount: 2_000, paidAt: at, key: 'P-second' }), second.version)).toBe(false);
      const now = await read(base.caseId);
      expect(now.dossiers.dos_s1.paid).toBe(1_000);
      expect(now.dossiers.dos_s1.paymentKeys).toEqual(['P-first']);
    });

    it('what is written is what is read: a case with a full contact log round-trips through the compact form', async () => {
      let s = await stored([A, B]);
      for (let i = 1; i <= 45; i++) {
        const at = new Date(Date.parse('2026-03-03T09:00:00Z') + i * 86_400_000).toISOString();
        s = applyEvent(s, { type: 'step_claimed', at, contact: { at, channel: i % 3 ? 'email' : 'letter', phase: 'reminder', tone: 'neutral', stepNo: i, journeyNo: 1, dossierIds: i % 2 ? ['dos_s1'] : ['dos_s1', 'dos_s2'] }, token: `t${i}`, timer: `x${i}` });
      }
      expect(await saveCase(s, 1)).toBe(true);
      expect(facts(await read(s.caseId))).toEqual(facts(s));
    });

    it('the conversation’s and the experiments’ parts round-trip: holds, a number’s opt-out, recent inbound ids, assignments with outcomes', async () => {
      let s = await stored([A, B]);
      const at = (d: number) => new Date(Date.parse('2026-03-03T09:00:00Z') + d * 86_400_000).toISOString();
      s = applyEvent(s, { type: 'step_claimed', at: at(0), contact: { at: at(0), channel: 'sms', phase: 'reminder', tone: 'neutral', stepNo: 1, journeyNo: 1, dossierIds: ['dos_s1'], x: ['x-tone:firm'] }, token: 't1', timer: 'x1', assignments: [{ experimentId: 'x-tone', variant: 'firm' }] });
      s = applyEvent(s, { type: 'reply', at: at(1), channel: 'sms', intent: 'promise_to_pay', dossierIds: ['dos_s1'], messageId: 'SM1', promiseDate: '2026-03-10' });
      s = applyEvent(s, { type: 'reply', at: at(2), channel: 'sms', intent: 'vulnerable', dossierIds: ['dos_s1'], messageId: 'SM2', holds: [{ reason: 'vulnerable', taskId: 'reply_SM2_vulnerable' }] });
      s = applyEvent(s, { type: 'opted_out', at: at(3), channel: 'sms', dossierIds: ['dos_s1'], point: '+31612340001' });
      s = applyEvent(s, { type: 'payment', at: at(4), dossierId: 'dos_s1', amount: 700, paidAt: at(4), key: 'P1' });
      expect(s.holds?.map((h) => h.reason)).toEqual(['vulnerable']);
      expect(s.inbound?.recent).toEqual(['SM1', 'SM2']);
      expect(s.contactPoints.find((p) => p.value === '+31612340001')?.optedOut).toEqual(['sms']);
      expect(s.experiments['x-tone']).toMatchObject({ variant: 'firm', reacted: at(1), promised: at(1), paid: at(4), cents: 700 });
      expect(await saveCase(s, 1)).toBe(true);
      expect(facts(await read(s.caseId))).toEqual(facts(s));
    });
  });
});
