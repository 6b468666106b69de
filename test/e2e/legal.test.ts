/**
 * Issue 11 end to end on the local runtime (virtual clock): the legal rules wired into the running journey.
 *
 *  - the 14-day term exactly (art. 6:96 lid 6 BW, Algemene termijnenwet art. 1): a letter whose term ends on a
 *    Saturday, on Koningsdag and before Easter gets its costs only from the day after the extended term;
 *  - a follow-up message states the letter's term end, records it on the claim, and costs never come before it —
 *    also when the legal term later turns out shorter (a proven delivery): DESIGN §5 rule 12;
 *  - a message that would contradict the legal state of its claims is never sent;
 *  - statutory interest (art. 6:119 BW) on a consumer claim of €1,000 due 1 January 2025, paid 1 July 2026, and the
 *    payment allocated costs → interest → principal (art. 6:44 BW) on the timeline;
 *  - business claims: WIK costs without a 14-day letter (art. 6:96 lid 4 and 5 BW), or the client's agreement;
 *  - instalment claims: the Wki small-instalment cap.
 *
 * One runtime, one clock that only moves forward: 2026 first (interest, business, instalments), then 2027 (terms).
 * The strategy is a short one (MAATWERK_STRATEGY_FILE) so the moments are exact: the 14-day letter is the first
 * contact, the day after the due date at 08:00; a follow-up e-mail a week later; the demand the day costs may be
 * charged.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../../functions/channels/render-format.js';
import { localDate } from '../../functions/domain/calendar.js';
import { fourteenDayTermEnd, presumedReceipt } from '../../functions/domain/costs.js';
import { applyEvent } from '../../functions/domain/case/events.js';
import { termStatementsOf } from '../../functions/domain/term-statements.js';
import { now } from '../../functions/shared/clock.js';
import { mutateCase } from '../../functions/services/case.js';
import { wakeJourney } from '../../functions/services/journeys.js';
import { claimStep } from '../../functions/store/cases.js';
import { LocalRuntime } from '../../infra/local/runtime.js';
import { caseState, runStep, seedCase, stepOutcome } from '../support/channel-steps.js';
import { CLIENTS, dossierBody, type Harness, startLocal } from '../support/local.js';

const STRATEGY = {
  version: 1,
  allowHandover: false,
  contactWindow: { startHour: 8, endHour: 20 },
  frequencyCap: { maxContacts: 3, perDays: 7 },
  leanDays: null,
  promiseGraceDays: 7,
  segments: Object.fromEntries(
    ['unaware', 'unknown', 'will_not_pay', 'cannot_pay', 'vulnerable'].map((segment) => [
      segment,
      {
        phases: [
          { phase: 'fourteen_day_letter', channels: ['letter', 'email'], tone: 'neutral', cadenceDays: 7, maxContacts: 2, escalateAfterDays: 0 },
          { phase: 'demand', channels: ['email'], tone: 'neutral', cadenceDays: 10, maxContacts: 1, escalateAfterDays: 10 },
        ],
        end: { reason: 'sequence finished without payment' },
      },
    ]),
  ),
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-legal-'));
const strategyFile = path.join(dir, 'strategy.json');
fs.writeFileSync(strategyFile, JSON.stringify(STRATEGY));

let h: Harness;
let stopped = false;
beforeAll(async () => {
  // Monday 29 June 2026, 10:00 in Amsterdam.
  h = await startLocal({
    start: '2026-06-29T08:00:00Z',
    clients: [...CLIENTS, { clientId: 'rente', name: 'Zon Energie B.V.', apiKey: 'key-rente' }],
    env: {
      MAATWERK_STRATEGY_FILE: strategyFile,
      // the way to set client settings locally (infra/local/client-settings.ts)
      MAATWERK_CLIENT_SETTINGS: JSON.stringify({ rente: { claimsInterest: true }, globex: { businessCosts: { type: 'fixed', amountCents: 25_00 } } }),
    },
  });
});
afterAll(async () => {
  if (!stopped) await h?.stop();
});

type Entry = { at: string; type: string; channel?: string; detail: string };
let n = 0;
/** A claim for a new person (unique contact details, so nobody joins an earlier debtor). */
async function file(overrides: Record<string, unknown>, debtor: Record<string, unknown> = {}, key = 'key-acme') {
  n++;
  const res = await h.api('POST', '/v1/dossiers', dossierBody(overrides, { phone: `+316200000${String(n).padStart(2, '0')}`, email: `legal${n}@example.invalid`, ...debtor }), { key });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { dossierId: string; debtorId: string };
}
const view = async (dossierId: string, key = 'key-acme') => (await h.api('GET', `/v1/dossiers/${dossierId}`, undefined, { key })).body;
const timelineOf = async (dossierId: string, key = 'key-acme'): Promise<Entry[]> => (await view(dossierId, key)).timeline;
const mine = async (debtorId: string) => (await h.outbox()).filter((m) => m.debtorId === debtorId);
const amsterdam = (iso: string) => localDate(new Date(iso));

let relief: { dossierId: string; debtorId: string };

describe('statutory interest and the allocation of payments (art. 6:119 and 6:44 BW)', () => {
  let claim: { dossierId: string; debtorId: string };

  it('a consumer claim of €1,000 due 1 January 2025, paid 1 July 2026: the interest matches the hand computation (with INTEREST_RATES; the 2025-07 and 2026 rates there are marked "to verify")', async () => {
    claim = await file({ reference: 'RENTE-1', principal: 100_000, dueDate: '2025-01-01' }, {}, 'key-rente');
    // By hand, from INTEREST_RATES (actual/actual, yearly compounding on the anniversary, art. 6:119 lid 2 BW):
    //   1 Jan 2025 – 1 Jan 2026: €1,000.00 × 6% (6.00% both half-years; 2025-07-01 is "to verify") = €60.00,
    //     added to the base on 1 January 2026;
    //   1 Jan 2026 – 1 Jul 2026: €1,060.00 × 4% ("to verify") × 181/365 = €21.0257… → €21.03.
    //   Interest up to (not including) 1 July 2026: €81.03; outstanding €1,081.03 (no costs: the letter's term runs).
    await h.advance('2026-07-01T07:00:00Z');
    const before = await view(claim.dossierId, 'key-rente');
    expect(before.amounts).toEqual({ principal: 100_000, costs: 0, interest: 8_103, paid: 0, outstanding: 108_103 });
    const paid = await h.api('POST', `/v1/dossiers/${claim.dossierId}/payments`, { amount: 108_103, paidAt: '2026-07-01T07:00:00Z', reference: 'BANK-RENTE-1' }, { key: 'key-rente' });
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('paid');
    expect(paid.body.amounts).toEqual({ principal: 100_000, costs: 0, interest: 8_103, paid: 108_103, outstanding: 0 });
    const entry = paid.body.timeline.find((e: Entry) => e.type === 'payment');
    expect(entry.detail).toContain('payment of €1,081.03 on 2026-07-01: €0.00 to costs, €81.03 to interest, €1,000.00 to principal (art. 6:44 BW');
    expect(entry.detail).toContain('0 cents outstanding');
  });

  it('the 14-day letter already showed the interest owed, and the claim was received with its interest terms', async () => {
    const letter = (await mine(claim.debtorId)).find((m) => m.template?.startsWith('letter/fourteen_day_letter'))!;
    expect(letter).toBeDefined();
    expect(letter.text).toMatch(/rente/i);
    const received = (await timelineOf(claim.dossierId, 'key-rente')).find((e) => e.type === 'claim_received')!;
    expect(received.detail).toContain('wettelijke rente (art. 6:119 BW) from 2025-01-01, compounded yearly');
  });

  it('a partial payment goes to the interest first, then the principal (art. 6:44 BW), and interest runs on', async () => {
    const c = await file({ reference: 'RENTE-2', principal: 100_000, dueDate: '2025-01-01' }, {}, 'key-rente');
    const res = await h.api('POST', `/v1/dossiers/${c.dossierId}/payments`, { amount: 50_000, paidAt: '2026-07-01T07:00:00Z', reference: 'BANK-RENTE-2' }, { key: 'key-rente' });
    expect(res.body.status).toBe('open');
    expect(res.body.timeline.find((e: Entry) => e.type === 'payment').detail).toContain('€0.00 to costs, €81.03 to interest, €418.97 to principal');
    expect(res.body.amounts).toMatchObject({ interest: 8_103, paid: 50_000, outstanding: 58_103 });
  });

  it('debt relief stops the accrual (DESIGN §5 rule 10): a debtor who reports debt help on 1 July owes no interest after it', async () => {
    relief = await file({ reference: 'RENTE-3', principal: 100_000, dueDate: '2025-01-01' }, { phone: '+31620009901', email: 'relief@example.invalid' }, 'key-rente');
    expect(await h.reply('+31620009901', 'Ik zit sinds vandaag in de schuldhulpverlening')).toBe(200);
    await h.advance({ seconds: 0 });
    const v = await view(relief.dossierId, 'key-rente');
    expect(v.amounts.interest).toBe(8_103); // up to 1 July, as above
    // (checked again after the clock has run on, below)
  });

  it('a creditor that does not claim interest shows interest 0', async () => {
    const c = await file({ reference: 'GEEN-RENTE', principal: 100_000, dueDate: '2025-01-01' });
    expect((await view(c.dossierId)).amounts).toMatchObject({ interest: 0, outstanding: 100_000 });
  });
});

describe('business debtors: WIK costs without a 14-day letter (art. 6:96 lid 4, 5 and 7 BW)', () => {
  it('a business claim gets WIK costs from the day after its due date, no 14-day letter, the rule named in the decision log', async () => {
    const c = await file({ reference: 'BIZ-WIK', principal: 300_000, dueDate: '2026-06-15' }, { consumer: false, name: 'Voorbeeld Bouw B.V.' });
    await h.advance('2026-07-01T10:00:00Z');
    const v = await view(c.dossierId);
    expect(v.amounts.costs).toBe(42_500); // WIK on €3,000: 15% of €2,500 + 10% of €500
    const sent = await mine(c.debtorId);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.some((m) => m.template?.includes('fourteen_day_letter'))).toBe(false);
    const costs = v.timeline.filter((e: Entry) => e.type === 'costs');
    expect(costs).toHaveLength(1);
    expect(costs[0].detail).toMatch(/business debtor, no 14-day letter needed .*WIK scale on €3,000\.00 \(Besluit BIK art\. 2, art\. 6:96 lid 5 BW; no other agreement\)/);
    const decision = v.timeline.find((e: Entry) => e.type === 'decision' && /costs dos_/.test(e.detail));
    expect(decision?.detail).toMatch(/costs dos_\w+: €425\.00 \(business debtor/);
  });

  it("the client's agreement replaces the scale, at least €40 for a commercial transaction (MAATWERK_CLIENT_SETTINGS globex: fixed €25)", async () => {
    const c = await file({ reference: 'BIZ-FIXED', principal: 300_000, dueDate: '2026-06-15' }, { consumer: false, name: 'Voorbeeld Handel B.V.' }, 'key-globex');
    await h.advance({ seconds: 0 });
    const v = await view(c.dossierId, 'key-globex');
    expect(v.amounts.costs).toBe(40_00);
    expect(v.timeline.find((e: Entry) => e.type === 'costs').detail).toMatch(/agreed fixed amount €25\.00 .*raised to €40\.00, the minimum for a commercial transaction \(art\. 6:96 lid 4 BW\)/);
  });
});

describe('instalment claims: the Wki small-instalment cap (DESIGN §5 rule 6)', () => {
  it('refuses an instalment marker without a valid monthly amount, naming the field', async () => {
    const zero = await h.api('POST', '/v1/dossiers', dossierBody({ instalment: { monthlyAmount: 0 } }));
    expect(zero.status).toBe(400);
    expect(zero.body.error.fields['instalment.monthlyAmount']).toMatch(/more than 0 cents/);
    const odd = await h.api('POST', '/v1/dossiers', dossierBody({ instalment: { monthly: 5000 } }));
    expect(odd.status).toBe(400);
    expect(Object.keys(odd.body.error.fields)).toContain('instalment.monthly');
  });

  it('an instalment claim of €200 a month, 6 instalments overdue, is capped at €140 instead of WIK €180', async () => {
    const c = await file({ reference: 'TERMIJN-1', principal: 120_000, dueDate: '2026-06-15', instalment: { monthlyAmount: 20_000 } });
    // letter Wed 1 Jul 08:00 (first contact, contact hours), presumed received Fri 3 Jul, term until Fri 17 Jul
    await h.advance('2026-07-20T10:00:00Z');
    const v = await view(c.dossierId);
    expect(v.amounts.costs).toBe(140_00);
    const costs = v.timeline.find((e: Entry) => e.type === 'costs');
    expect(costs.detail).toMatch(/instalment claim of €200\.00 a month, 6 unpaid overdue instalment\(s\).*Wki small-instalment cap €140\.00.*the cap applies/);
    expect(v.timeline.find((e: Entry) => e.type === 'claim_received').detail).toContain('an instalment claim of 20000 cents a month');
    // the 14-day letter stated exactly these costs (art. 6:96 lid 6 BW: the letter names the amount)
    const letter = (await mine(c.debtorId)).find((m) => m.template?.startsWith('letter/fourteen_day_letter'))!;
    expect(letter.text.replace(/\s+/g, ' ')).toMatch(/incassokosten[^.]*\. Die kosten zijn € 140,00/);
  });
});

describe('interest after debt relief (DESIGN §5 rule 10)', () => {
  it('three weeks later the claim in debt help still shows the interest of 1 July, while another claim’s interest ran on', async () => {
    expect(amsterdam(now().toISOString())).toBe('2026-07-20');
    expect((await view(relief.dossierId, 'key-rente')).amounts.interest).toBe(8_103);
    const other = await file({ reference: 'RENTE-4', principal: 100_000, dueDate: '2025-01-01' }, {}, 'key-rente');
    // €1,060.00 × 4% × 200/365 = €23.23 since 1 January: €83.23
    expect((await view(other.dossierId, 'key-rente')).amounts.interest).toBe(8_323);
  });
});

describe('a message that would contradict the legal state of its claims is never sent (DESIGN §5 rules 3 and 12)', () => {
  it('a demand inside the 14-day term is not sent', async () => {
    const s = await seedCase();
    await runStep(s, 'letter', { phase: 'fourteen_day_letter', tone: 'neutral' });
    const { action } = await runStep(s, 'email', { phase: 'demand', tone: 'neutral' });
    const outcome = await stepOutcome(s.caseId, 1, action.stepNo);
    expect(outcome?.status).toBe('failed');
    expect(outcome?.reason).toMatch(/would contradict the legal state of its claims: a demand about dos_\w+ while its 14-day term runs \(costs from \d{4}-\d{2}-\d{2}\)/);
    expect((await h.outbox()).filter((m) => m.debtorId === s.debtorId).map((m) => m.channel)).toEqual(['letter']);
  });

  it('a follow-up naming a day before the letter\'s term end is not sent; with the term end it is, and the date is recorded on the claim', async () => {
    const s = await seedCase();
    await runStep(s, 'letter', { phase: 'fourteen_day_letter', tone: 'neutral' });
    const letter = (await caseState(s.caseId)).dossiers[s.dossierIds[0]].letter!;
    expect(letter).toBeDefined();
    const early = await runStep(s, 'email', { phase: 'fourteen_day_letter', tone: 'neutral', termEndDate: amsterdam(now().toISOString()) });
    const failed = await stepOutcome(s.caseId, 1, early.action.stepNo);
    expect(failed?.status).toBe('failed');
    expect(failed?.reason).toMatch(/it names \d{4}-\d{2}-\d{2} while the term of dos_\w+ runs until \d{4}-\d{2}-\d{2}/);
    // the step's claim recorded the date it would have stated: costs wait for the later of the two, never earlier
    expect((await caseState(s.caseId)).dossiers[s.dossierIds[0]].statedTermEnd).toBe(amsterdam(now().toISOString()));
    const termEnd = fourteenDayTermEnd(presumedReceipt(new Date(letter.at)));
    const right = await runStep(s, 'email', { phase: 'fourteen_day_letter', tone: 'neutral', termEndDate: termEnd });
    expect((await stepOutcome(s.caseId, 1, right.action.stepNo))?.status).toBe('sent');
    const email = (await h.outbox()).filter((m) => m.debtorId === s.debtorId && m.channel === 'email').at(-1)!;
    expect(email.text).toContain(`uiterlijk op ${formatDate(termEnd, 'nl')}`);
    expect((await caseState(s.caseId)).dossiers[s.dossierIds[0]].statedTermEnd).toBe(termEnd);
  });
});

describe('the claim of a step equals the reducer (store/cases.ts claimStep ≡ events.ts step_claimed)', () => {
  it('records the stated term end and the costs with the day they are due, as the reducer does', async () => {
    const s = await seedCase({ dossiers: [{}, {}] });
    const before = await caseState(s.caseId);
    const at = now().toISOString();
    const contact = { at, channel: 'email' as const, phase: 'fourteen_day_letter' as const, tone: 'neutral' as const, stepNo: 1, journeyNo: 1, dossierIds: s.dossierIds };
    const costs = [{ dossierId: s.dossierIds[0], costs: 40_00, reason: 'test', from: '2026-07-02' }];
    const stored = await claimStep({ caseId: s.caseId, journeyNo: 1, seenEventSeq: before.eventSeq, contact, token: 'tok', timer: 'timer-1', costs, statedTermEnd: '2026-07-20', at });
    const reduced = applyEvent(before, { type: 'step_claimed', at, contact, token: 'tok', timer: 'timer-1', costs, statedTermEnd: '2026-07-20' });
    expect(stored).toBeDefined();
    for (const id of s.dossierIds) {
      const pick = (d: (typeof reduced.dossiers)[string]) => ({ costs: d.costs, costsFrom: d.costsFrom, statedTermEnd: d.statedTermEnd, letter: d.letter });
      expect(pick(stored!.dossiers[id])).toEqual(pick(reduced.dossiers[id]));
    }
    expect(stored!.dossiers[s.dossierIds[0]]).toMatchObject({ costs: 40_00, costsFrom: '2026-07-02', statedTermEnd: '2026-07-20' });
    expect(stored!.journey.contacts).toEqual(reduced.journey.contacts);
  });
});

describe('the 14-day term exactly: costs only after the Atw-extended term (art. 6:96 lid 6 BW, Atw art. 1)', () => {
  const cases = [
    // letter Thu 7 Jan → presumed received Sat 9 Jan → day 14 Sat 23 Jan → the term ends Mon 25 Jan
    { name: 'ends on a Saturday', due: '2027-01-06', letterDay: '2027-01-07', day14: '2027-01-23', termEnd: '2027-01-25', text: '25 januari 2027' },
    // letter Wed 10 Mar → received Fri 12 Mar → day 14 Goede Vrijdag 26 Mar → past Easter Saturday, Sunday and Monday: Tue 30 Mar
    { name: 'ends on Goede Vrijdag, before Easter', due: '2027-03-09', letterDay: '2027-03-10', day14: '2027-03-26', termEnd: '2027-03-30', text: '30 maart 2027' },
    // letter Fri 9 Apr → received Tue 13 Apr (not on Sunday or Monday) → day 14 Koningsdag Tue 27 Apr → Wed 28 Apr
    { name: 'ends on Koningsdag', due: '2027-04-08', letterDay: '2027-04-09', day14: '2027-04-27', termEnd: '2027-04-28', text: '28 april 2027' },
  ];
  const filed = new Map<string, { dossierId: string; debtorId: string }>();
  let delivered: { dossierId: string; debtorId: string };

  beforeAll(async () => {
    await h.advance('2027-01-04T08:00:00Z');
    for (const c of cases) filed.set(c.name, await file({ reference: `TERM-${c.due}`, principal: 12_500, dueDate: c.due }));
    delivered = await file({ reference: 'TERM-DELIVERED', principal: 12_500, dueDate: '2027-01-06' });
  });

  it('(set-up) the letter of 7 January for one more claim proves to have been delivered on Friday 8 January, after its follow-up stated 25 January', async () => {
    await h.advance('2027-01-15T10:00:00Z');
    const c0 = await caseState(delivered.debtorId);
    const letterStep = c0.journey.contacts.find((x) => x.channel === 'letter')!.stepNo!;
    expect(c0.dossiers[delivered.dossierId].statedTermEnd).toBe('2027-01-25');
    const m = await mutateCase(delivered.debtorId, now(), () => [{ type: 'delivery', at: '2027-01-08T10:00:00Z', journeyNo: 1, stepNo: letterStep, channel: 'letter', status: 'delivered' }]);
    expect(m?.after.dossiers[delivered.dossierId].letter?.delivered).toBe('2027-01-08');
    // the journey hears of it and decides again: the legal term now ends Fri 22 January
    await wakeJourney(m!.after, 'letter delivered');
    await h.advance({ seconds: 0 });
  });

  for (const c of cases) {
    it(`a 14-day letter whose term ${c.name} gets its costs only from the day after ${c.termEnd}`, async () => {
      const d = filed.get(c.name)!;
      await h.advance(`${c.termEnd}T21:30:00Z`); // 22:30 or 23:30 in Amsterdam: the last day of the term
      const sent = await mine(d.debtorId);
      const letter = sent.find((m) => m.template?.startsWith('letter/fourteen_day_letter'))!;
      expect(amsterdam(letter.sentAt)).toBe(c.letterDay);
      expect((await view(d.dossierId)).amounts.costs, `no costs on ${c.day14} nor on the last day of the extended term`).toBe(0);
      expect(sent.some((m) => m.template?.startsWith('email/demand')), 'no demand inside the term').toBe(false);

      await h.advance(`${c.termEnd}T23:30:00Z`); // the next day, 00:30 or 01:30
      await h.advance({ seconds: 12 * 3600 });
      const v = await view(d.dossierId);
      expect(v.amounts.costs).toBe(40_00);
      const costs = v.timeline.filter((e: Entry) => e.type === 'costs');
      expect(costs.length).toBeGreaterThan(0);
      for (const e of costs) expect(amsterdam(e.at) > c.termEnd, `costs on ${amsterdam(e.at)}`).toBe(true);
      const demand = (await mine(d.debtorId)).find((m) => m.template?.startsWith('email/demand'))!;
      expect(amsterdam(demand.sentAt) > c.termEnd).toBe(true);
    });

    it(`the follow-up of the letter (term ${c.name}) states ${c.text} — the term costs are charged on — and the claim records it`, async () => {
      const d = filed.get(c.name)!;
      const followUp = (await mine(d.debtorId)).find((m) => m.template?.startsWith('email/fourteen_day_letter'))!;
      expect(followUp, 'a follow-up e-mail inside the term').toBeDefined();
      expect(followUp.text).toContain(`uiterlijk op ${c.text}`);
      expect((await caseState(d.debtorId)).dossiers[d.dossierId].statedTermEnd).toBe(c.termEnd);
    });
  }

  it('a follow-up message never states a later term than the one costs are charged on (every message of these journeys)', async () => {
    for (const d of [...filed.values()]) {
      const firstCosts = (await timelineOf(d.dossierId)).filter((e) => e.type === 'costs').map((e) => amsterdam(e.at)).sort()[0];
      expect(firstCosts).toBeDefined();
      for (const m of await mine(d.debtorId)) {
        for (const s of termStatementsOf(`${m.subject ?? ''}\n${m.text}`)) {
          if (s.kind === 'deadline') expect(s.date < firstCosts, `${m.template} names ${s.date}, costs from ${firstCosts}`).toBe(true);
          if (s.kind === 'starts-term') expect(m.template?.startsWith('letter/fourteen_day_letter'), `${m.template} starts a term`).toBe(true);
        }
      }
    }
  });

  it('the term a follow-up stated is honoured when the letter proves to have arrived earlier: costs still wait for it (rule 12)', async () => {
    // Delivered Fri 8 January: the legal term ended Fri 22 January and costs could have come on Sat 23 January —
    // but the follow-up of 14 January told the debtor "uiterlijk op 25 januari 2027".
    const v = await view(delivered.dossierId);
    expect(v.amounts.costs).toBe(40_00);
    const costs = v.timeline.filter((e: Entry) => e.type === 'costs');
    expect(costs.length).toBeGreaterThan(0);
    for (const e of costs) expect(amsterdam(e.at) >= '2027-01-26', `costs on ${amsterdam(e.at)}`).toBe(true);
    expect(costs[0].detail).toContain('a message stated the term ends 2027-01-25: costs wait until 2027-01-26 (legal term allowed 2027-01-23)');
    const demand = (await mine(delivered.debtorId)).find((m) => m.template?.startsWith('email/demand'))!;
    expect(amsterdam(demand.sentAt) >= '2027-01-26').toBe(true);
  });
});

describe('the legal tables say when they run out (issue 11 item 5)', () => {
  it('a runtime started when the declared-equal days and the rate table run out logs both at start', async () => {
    expect(h.rt.coverageWarnings).toEqual([]); // started 29 June 2026: both tables current
    await h.stop();
    stopped = true;
    const late = await LocalRuntime.start({ dataDir: fs.mkdtempSync(path.join(dir, 'late-')), port: 0, env: { MAATWERK_CLOCK: 'virtual', MAATWERK_CLOCK_START: '2028-03-01T08:00:00Z' }, quiet: true });
    try {
      expect(late.coverageWarnings).toHaveLength(2);
      expect(late.coverageWarnings[0]).toMatch(/declared equal to a holiday .* run out on 2028-12-31.*DECLARED_EQUAL_DAYS in functions\/domain\/calendar\.ts/);
      expect(late.coverageWarnings[1]).toMatch(/interest rate table .* ran out on 2026-12-31.*INTEREST_RATES in functions\/domain\/interest\.ts/);
    } finally {
      await late.stop();
    }
  });
});
