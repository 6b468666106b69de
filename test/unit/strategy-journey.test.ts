/**
 * Whole journeys under the bundled strategy, simulated: call decideWithStrategy, advance `now` to the moment it
 * asked for (a send's nextDecisionAt, a wait's until), append what happened (a synthetic 'sent' event, a reply,
 * an agent's call outcome), repeat. Costs the decision returns are written to the dossiers, as Decide would.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isAtwHoliday, isContactAllowed, localDate } from '../../functions/domain/calendar.js';
import { costsAllowedFrom, presumedReceipt } from '../../functions/domain/costs.js';
import type { DebtorFacts, DecisionInput, DossierFacts, HistoryEvent } from '../../functions/domain/decision.js';
import { nextPayday } from '../../functions/domain/payday.js';
import { type StrategyDecision, decideWithStrategy } from '../../functions/domain/strategy-decide.js';
import { type Strategy, defaultStrategy, parseStrategy, phaseIndex } from '../../functions/domain/strategy.js';

const ZONE = 'Europe/Amsterdam';
const DAY = 86_400_000;
const local = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE });

type Send = Extract<StrategyDecision, { kind: 'send' }>;

interface Sim {
  decisions: Array<{ at: Date; d: StrategyDecision }>;
  sends: Array<{ at: Date; d: Send }>;
  end?: { at: Date; d: Extract<StrategyDecision, { kind: 'done' }> };
  history: HistoryEvent[];
  dossiers: DossierFacts[];
  /** every costs update the decisions asked for, with the moment */
  costs: Array<{ at: Date; dossierId: string; costs: number }>;
}

interface SimOptions {
  start: string;
  days?: number;
  debtor?: Partial<DebtorFacts>;
  dossiers?: DossierFacts[];
  strategy?: Strategy;
  /** things that happen to the case at a moment (the journey wakes then): replies, payments, flags */
  events?: Array<{ at: string; event?: HistoryEvent; flags?: string[]; optOut?: string; payment?: { dossierId: string; amount: number } }>;
  /** an agent completes each call task this long after it was created, with this outcome */
  agent?: { afterHours: number; outcome: string };
}

const DEBTOR: DebtorFacts = {
  consumer: true,
  language: 'nl',
  hasEmail: true,
  hasPhone: true,
  hasAddress: true,
  whatsappOptIn: true,
  optOuts: [],
  unusable: [],
  flags: [],
  incomeSource: { type: 'salary', rule: 'fixed_day', day: 25 },
};

function claim(over: Partial<DossierFacts> = {}): DossierFacts {
  return { dossierId: 'd1', clientId: 'c1', status: 'open', principal: 480_00, costs: 0, paid: 0, dueDate: '2026-03-06', createdAt: '2026-03-18T10:00:00Z', ...over };
}

function simulate(o: SimOptions): Sim {
  const strategy = o.strategy ?? defaultStrategy();
  let now = new Date(o.start);
  const stop = now.getTime() + (o.days ?? 120) * DAY;
  const debtor: DebtorFacts = { ...DEBTOR, ...o.debtor, flags: [...(o.debtor?.flags ?? [])], optOuts: [...(o.debtor?.optOuts ?? [])] };
  const dossiers = (o.dossiers ?? [claim()]).map((d) => ({ ...d }));
  const history: HistoryEvent[] = [];
  const pending = [...(o.events ?? [])].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const sim: Sim = { decisions: [], sends: [], history, dossiers, costs: [] };
  let stepNo = 0;
  for (let i = 0; i < 500; i++) {
    const input: DecisionInput = {
      now,
      debtor,
      dossiers: dossiers.map((d) => ({ ...d })),
      journey: { journeyNo: 1, stepNo, startedAt: o.start },
      history: history.map((e) => ({ ...e })),
    };
    const d = decideWithStrategy(input, strategy);
    sim.decisions.push({ at: now, d });
    for (const c of d.costs ?? []) {
      dossiers.find((x) => x.dossierId === c.dossierId)!.costs = c.costs;
      sim.costs.push({ at: now, dossierId: c.dossierId, costs: c.costs });
    }
    let next: Date;
    if (d.kind === 'done') {
      sim.end = { at: now, d };
      break;
    } else if (d.kind === 'send') {
      expect(d.stepNo).toBeGreaterThan(stepNo);
      expect(d.nextDecisionAt.getTime()).toBeGreaterThan(now.getTime());
      sim.sends.push({ at: now, d });
      history.push({
        at: now.toISOString(),
        type: d.channel === 'call' ? 'call_task' : 'sent',
        channel: d.channel,
        stepNo: d.stepNo,
        data: { template: d.template, dossierIds: d.dossierIds },
      });
      stepNo = d.stepNo;
      next = d.nextDecisionAt;
      if (d.channel === 'call' && o.agent) {
        pending.push({ at: new Date(now.getTime() + o.agent.afterHours * 3_600_000).toISOString(), event: { at: '', type: 'call_outcome', channel: 'call', data: { outcome: o.agent.outcome } } });
        pending.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      }
    } else {
      expect(d.until.getTime()).toBeGreaterThan(now.getTime());
      next = d.until;
    }
    // something happens before the planned moment: the journey wakes then
    if (pending.length && Date.parse(pending[0].at) <= next.getTime()) {
      const p = pending.shift()!;
      next = new Date(p.at);
      if (p.event) history.push({ ...p.event, at: p.at });
      if (p.flags) debtor.flags.push(...p.flags);
      if (p.optOut) debtor.optOuts.push(p.optOut);
      if (p.payment) {
        const target = dossiers.find((x) => x.dossierId === p.payment!.dossierId)!;
        target.paid += p.payment.amount;
        if (target.paid >= target.principal + target.costs) target.status = 'paid';
        history.push({ at: p.at, type: 'payment', data: { amount: p.payment.amount, dossierId: p.payment.dossierId } });
      }
    }
    if (next.getTime() > stop) break;
    now = next;
  }
  return sim;
}

function expectLawfulMoments(sim: Sim) {
  for (const { at, d } of sim.sends) {
    const l = local(at);
    const what = `${d.channel} ${d.phase} at ${l.toISO()}`;
    expect(isContactAllowed(at), what).toBe(true);
    expect(l.weekday, what).not.toBe(7);
    expect(isAtwHoliday(localDate(at)).holiday, what).toBe(false);
    expect(l.hour, what).toBeGreaterThanOrEqual(7);
    expect(l.hour, what).toBeLessThan(20);
  }
}

function expectLetterBeforeDemand(sim: Sim) {
  const letter = sim.sends.find((s) => s.d.phase === 'fourteen_day_letter');
  const demands = sim.sends.filter((s) => phaseIndex(s.d.phase) > phaseIndex('fourteen_day_letter'));
  if (demands.length === 0) return;
  expect(letter, 'a 14-day letter before the first demand').toBeDefined();
  expect(letter!.d.channel).toBe('letter');
  const from = costsAllowedFrom(presumedReceipt(letter!.at));
  for (const s of demands) {
    expect(s.at.getTime()).toBeGreaterThan(letter!.at.getTime());
    expect(localDate(s.at) >= from, `${s.d.phase} on ${localDate(s.at)} before the term ends (${from})`).toBe(true);
  }
}

describe('a salary-25th consumer over 120 days (bundled strategy)', () => {
  // Claim due 6 March 2026, handed to the agency on Wednesday 18 March; salary on the 25th.
  const sim = simulate({ start: '2026-03-18T10:00:00Z' });
  const sends = sim.sends;

  it('runs to an end: the dossiers are handed over after the final notice', () => {
    expect(sim.end?.d.reason).toBe('handed over: no payment after the hand-over notice');
    expect(sim.end?.d.dossierStatus).toBe('handed_over');
    expect(sends.map((s) => s.d.phase)).toEqual(expect.arrayContaining(['reminder', 'fourteen_day_letter', 'demand', 'final_notice', 'handover']));
  });

  it('first contact inside the window, right after the payday', () => {
    const first = sends[0];
    const payday = nextPayday({ type: 'salary', rule: 'fixed_day', day: 25 }, new Date('2026-03-18T10:00:00Z'));
    expect(payday.date).toBe('2026-03-25');
    expect(localDate(first.at)).toBe('2026-03-26'); // the working day after payday
    expect(local(first.at).toFormat('HH:mm')).toBe('08:00'); // the strategy's window opens at 08:00
    expect(first.d.reasons.join(' ')).toMatch(/payday timing/);
    // the first decision waited for it, with the rule in the reasons
    const firstDecision = sim.decisions[0].d;
    expect(firstDecision.kind).toBe('wait');
    expect(firstDecision.reasons.join(' ')).toMatch(/expected payday 2026-03-25/);
  });

  it('never sends on a Sunday, an Atw holiday or outside 07:00–20:00 Europe/Amsterdam', () => {
    expect(sends.length).toBeGreaterThanOrEqual(7);
    expectLawfulMoments(sim);
  });

  it('sends the 14-day letter by post before any demand, and no demand inside its term', () => {
    expectLetterBeforeDemand(sim);
  });

  it('phases never go backwards and tone gets firmer', () => {
    const idx = sends.map((s) => phaseIndex(s.d.phase));
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
    expect(sends[0].d.tone).toBe('friendly');
    expect(sends.find((s) => s.d.phase === 'final_notice')!.d.tone).toBe('firm');
  });

  it('costs only from receipt + 15 days, and then the WIK amount', () => {
    const letter = sends.find((s) => s.d.phase === 'fourteen_day_letter')!;
    const from = costsAllowedFrom(presumedReceipt(letter.at));
    expect(sim.costs.length).toBeGreaterThan(0);
    for (const c of sim.costs) expect(localDate(c.at) >= from, `costs on ${localDate(c.at)}, term ends ${from}`).toBe(true);
    expect(sim.costs[0]).toMatchObject({ dossierId: 'd1', costs: 72_00 }); // 15% of €480
    expect(sim.costs).toHaveLength(1); // written once, then the dossier holds it
    // every decision before that moment carried no costs
    for (const { at, d } of sim.decisions) if (localDate(at) < from) expect(d.costs).toBeUndefined();
  });

  it('respects the frequency cap (2 contacts per 7 days)', () => {
    for (let i = 2; i < sends.length; i++) {
      expect(sends[i].at.getTime() - sends[i - 2].at.getTime()).toBeGreaterThanOrEqual(7 * DAY - 3_600_000);
    }
  });

  it('step numbers grow by one per send', () => {
    expect(sends.map((s) => s.d.stepNo)).toEqual(sends.map((_, i) => i + 1));
  });

  it('each send wakes the journey exactly at the next planned moment (no extra waits)', () => {
    for (let i = 0; i < sim.decisions.length - 1; i++) {
      const { d } = sim.decisions[i];
      if (d.kind === 'send') {
        const following = sim.decisions[i + 1];
        if (following.d.kind === 'wait') expect(following.d.reasons.join(' ')).toMatch(/segment|term|end|hand-over/);
      }
    }
  });
});

describe('the same journey from many start days (calendar invariants)', () => {
  // Every third day of 2026: Easter, Koningsdag, 5 May, Hemelvaart + declared day, Pentecost, Christmas, DST.
  const starts = Array.from({ length: 122 }, (_, i) => new Date(Date.UTC(2026, 0, 2) + i * 3 * DAY));
  it.each(starts.map((s) => [s.toISOString().slice(0, 10), s] as const))('start %s', (_label, start) => {
    const due = localDate(new Date(start.getTime() - 10 * DAY));
    const sim = simulate({ start: start.toISOString(), dossiers: [claim({ dueDate: due, createdAt: start.toISOString() })], days: 150 });
    expect(sim.sends.length).toBeGreaterThan(3);
    expectLawfulMoments(sim);
    expectLetterBeforeDemand(sim);
    // costs never before receipt + 15
    const letter = sim.sends.find((s) => s.d.phase === 'fourteen_day_letter');
    for (const c of sim.costs) expect(localDate(c.at) >= costsAllowedFrom(presumedReceipt(letter!.at))).toBe(true);
    // no contact on the lean days unless it is the first reminder? never: the strategy lists them
    for (const s of sim.sends) {
      const day = local(s.at).day;
      expect(day >= 8 && day <= 12, `${s.d.phase} on ${localDate(s.at)}`).toBe(false);
    }
  });
});

describe('"ik kan niet betalen" during the journey', () => {
  const start = '2026-03-18T10:00:00Z';
  const base = simulate({ start });
  // the reply comes in after the first demand letter, before the final notice
  const demand = base.sends.find((s) => s.d.phase === 'demand')!;
  const replyAt = new Date(demand.at.getTime() + 2 * DAY + 3 * 3_600_000).toISOString();
  const sim = simulate({
    start,
    events: [{ at: replyAt, event: { at: replyAt, type: 'replied', channel: 'sms', data: { intent: 'cannot_pay', matched: 'kan niet betalen' } }, flags: ['cannot_pay_reported'] }],
  });
  const after = sim.sends.filter((s) => s.at.getTime() >= Date.parse(replyAt));
  const baseAfter = base.sends.filter((s) => s.at.getTime() >= Date.parse(replyAt));

  it('changes the segment at once', () => {
    const woke = sim.decisions.find((x) => x.at.toISOString() === replyAt)!;
    expect(woke.d.segment).toBe('cannot_pay');
    expect(woke.d.segmentReasons.join(' ')).toMatch(/said they cannot pay \(the latest statement weighs most\)/);
    const before = sim.decisions.filter((x) => x.at.toISOString() < replyAt).at(-1)!;
    expect(before.d.segment).not.toBe('cannot_pay');
  });

  it('changes the next tone: a friendly offer instead of the firm final notice', () => {
    expect(baseAfter[0].d.phase).toBe('final_notice');
    expect(baseAfter[0].d.tone).toBe('firm');
    expect(after[0].d.tone).toBe('friendly');
    expect(after[0].d.segment).toBe('cannot_pay');
    expect(after[0].d.reasons.join(' ')).toMatch(/no further escalation/);
    // it reacts soon: within two days of the reply
    expect(after[0].at.getTime() - Date.parse(replyAt)).toBeLessThan(2 * DAY);
  });

  it('never escalates again and ends "referred to debt help" without a hand-over', () => {
    for (const s of after) {
      expect(['final_notice', 'handover']).not.toContain(s.d.phase);
      expect(s.d.tone).toBe('friendly');
    }
    expect(after.length).toBe(2); // the cannot_pay reminder phase: 2 contacts
    expect(after.map((s) => s.d.channel)).toContain('call'); // the second is an agent's call to arrange a plan
    expect(sim.end?.d.reason).toBe('referred to debt help');
    expect(sim.end?.d.dossierStatus).toBeUndefined();
    expectLawfulMoments(sim);
  });
});

describe('cannot_pay from the start', () => {
  const sim = simulate({ start: '2026-03-18T10:00:00Z', debtor: { flags: ['cannot_pay_reported'] } });
  it('only friendly reminders offering an arrangement, no 14-day letter, no costs, ends referred to debt help', () => {
    expect(sim.sends.map((s) => `${s.d.phase}/${s.d.tone}`)).toEqual(['reminder/friendly', 'reminder/friendly']);
    expect(sim.costs).toEqual([]);
    expect(sim.end?.d.reason).toBe('referred to debt help');
    expect(sim.end?.d.dossierStatus).toBeUndefined();
  });
});

describe('debt help reported mid-journey', () => {
  const at = '2026-04-02T13:00:00Z';
  const sim = simulate({ start: '2026-03-18T10:00:00Z', events: [{ at, event: { at, type: 'replied', channel: 'sms', data: { intent: 'debt_help' } }, flags: ['debt_help_reported'] }] });
  it('stops at once: done "referred to debt help", nothing sent after it', () => {
    expect(sim.end?.at.toISOString()).toBe(new Date(at).toISOString());
    expect(sim.end?.d.reason).toBe('referred to debt help');
    expect(sim.sends.every((s) => s.at.toISOString() < at)).toBe(true);
  });
});

describe('a vulnerable debtor (beschermingsbewind)', () => {
  const withAgent = simulate({ start: '2026-03-18T10:00:00Z', debtor: { flags: ['bewind'] }, agent: { afterHours: 26, outcome: 'reached' }, days: 200 });
  const noAgent = simulate({ start: '2026-03-18T10:00:00Z', debtor: { flags: ['bewind'] }, days: 200 });

  it('never reaches hand-over', () => {
    for (const sim of [withAgent, noAgent]) {
      expect(sim.sends.map((s) => s.d.phase)).not.toContain('handover');
      expect(sim.end?.d.dossierStatus).toBeUndefined();
      expect(sim.sends.every((s) => s.d.tone !== 'firm')).toBe(true);
    }
  });

  it('an agent call task comes before every escalation, and escalation waits for its outcome', () => {
    const sends = withAgent.sends;
    for (let i = 1; i < sends.length; i++) {
      if (phaseIndex(sends[i].d.phase) > phaseIndex(sends[i - 1].d.phase)) {
        expect(sends[i - 1].d.channel, `before ${sends[i].d.phase}`).toBe('call');
        const outcome = withAgent.history.find((e) => e.type === 'call_outcome' && Date.parse(e.at) > sends[i - 1].at.getTime());
        expect(outcome && Date.parse(outcome.at) <= sends[i].at.getTime()).toBe(true);
      }
    }
    expect(sends.filter((s) => s.d.channel === 'call').length).toBeGreaterThanOrEqual(2);
    expect(sends.map((s) => s.d.phase)).toContain('demand');
    expect(withAgent.end?.d.reason).toBe('vulnerable debtor: left to an agent, no automatic hand-over');
  });

  it('without an agent the journey stops for a person instead of escalating', () => {
    expect(noAgent.sends.map((s) => s.d.phase)).toEqual(['reminder', 'reminder', 'reminder']);
    expect(noAgent.sends.slice(1).every((s) => s.d.channel === 'call')).toBe(true);
    expect(noAgent.end?.d.reason).toBe('needs a human decision (vulnerable debtor)');
  });
});

describe('opted-out and unusable channels are never chosen', () => {
  const CHANNELS = ['email', 'sms', 'whatsapp', 'letter', 'call'] as const;
  const combos: Array<{ optOuts: string[]; whatsappOptIn: boolean; unusable: string[] }> = [];
  for (let mask = 0; mask < 16; mask++) {
    const optOuts = (['email', 'sms', 'whatsapp', 'call'] as const).filter((_, i) => mask & (1 << i));
    combos.push({ optOuts, whatsappOptIn: true, unusable: [] });
    combos.push({ optOuts, whatsappOptIn: false, unusable: mask % 3 === 0 ? ['email'] : [] });
  }
  it.each(combos.map((c) => [JSON.stringify(c), c] as const))('%s', (_l, c) => {
    const sim = simulate({ start: '2026-03-18T10:00:00Z', debtor: c });
    const used = new Set(sim.sends.map((s) => s.d.channel));
    for (const o of c.optOuts) expect(used.has(o as (typeof CHANNELS)[number]), `${o} used`).toBe(false);
    if (!c.whatsappOptIn) expect(used.has('whatsapp')).toBe(false);
    if (c.unusable.includes('email')) expect(used.has('email')).toBe(false);
    expectLawfulMoments(sim);
    expectLetterBeforeDemand(sim);
  });

  it('opted out of everything: ends at once', () => {
    const sim = simulate({ start: '2026-03-18T10:00:00Z', debtor: { optOuts: ['all'] } });
    expect(sim.sends).toEqual([]);
    expect(sim.end?.d.reason).toBe('no usable channel left');
  });

  it('an opt-out during the journey stops that channel at once', () => {
    const base = simulate({ start: '2026-03-18T10:00:00Z' });
    const firstEmail = base.sends.find((s) => s.d.channel === 'email')!;
    const at = new Date(firstEmail.at.getTime() + 3_600_000).toISOString();
    const sim = simulate({
      start: '2026-03-18T10:00:00Z',
      events: [{ at, event: { at, type: 'opted_out', channel: 'email' }, optOut: 'email' }],
    });
    const later = sim.sends.filter((s) => s.at.toISOString() > at);
    expect(later.length).toBeGreaterThan(3);
    expect(later.some((s) => s.d.channel === 'email')).toBe(false);
    // without the opt-out, email would have been used again
    expect(base.sends.filter((s) => s.at.toISOString() > at).some((s) => s.d.channel === 'email')).toBe(true);
  });
});

describe('a business debtor', () => {
  const sim = simulate({ start: '2026-03-18T10:00:00Z', debtor: { consumer: false } });
  it('gets no 14-day letter and no costs from the domain, and still ends handed over', () => {
    expect(sim.sends.map((s) => s.d.phase)).not.toContain('fourteen_day_letter');
    expect(sim.sends.map((s) => s.d.phase)).toContain('demand');
    expect(sim.costs).toEqual([]);
    expect(sim.end?.d.dossierStatus).toBe('handed_over');
  });
});

describe('allowHandover: false', () => {
  const raw = JSON.parse(JSON.stringify(defaultStrategy())) as Record<string, any>;
  raw.allowHandover = false;
  const sim = simulate({ start: '2026-03-18T10:00:00Z', strategy: parseStrategy(raw) });
  it('skips the hand-over phase and ends with the segment reason, dossiers not handed over', () => {
    expect(sim.sends.map((s) => s.d.phase)).not.toContain('handover');
    expect(sim.sends.map((s) => s.d.phase)).toContain('final_notice');
    expect(sim.end?.d.reason).toBe('sequence finished without payment');
    expect(sim.end?.d.dossierStatus).toBeUndefined();
  });
});

describe('payments', () => {
  it('a partial payment inside the term lowers the costs', () => {
    // letter goes out mid-April; pay €200 of €480 on 20 April (inside the term)
    const sim = simulate({ start: '2026-03-18T10:00:00Z', events: [{ at: '2026-04-20T10:00:00Z', payment: { dossierId: 'd1', amount: 200_00 } }] });
    const letter = sim.sends.find((s) => s.d.phase === 'fourteen_day_letter')!;
    expect(localDate(letter.at) < '2026-04-20').toBe(true);
    expect(sim.costs[0].costs).toBe(42_00); // 15% of €280
  });

  it('full payment ends the journey: no open dossiers left', () => {
    const sim = simulate({ start: '2026-03-18T10:00:00Z', events: [{ at: '2026-04-01T10:00:00Z', payment: { dossierId: 'd1', amount: 480_00 } }] });
    expect(sim.end?.d.reason).toBe('no open dossiers left');
    expect(sim.end?.at.toISOString()).toBe('2026-04-01T10:00:00.000Z');
    expect(sim.costs).toEqual([]);
  });

  it('a promise to pay holds the next contact for the grace days', () => {
    const at = '2026-03-27T10:00:00Z';
    const sim = simulate({ start: '2026-03-18T10:00:00Z', events: [{ at, event: { at, type: 'replied', channel: 'sms', data: { intent: 'promise_to_pay' } } }] });
    const next = sim.sends.find((s) => s.at.toISOString() > at)!;
    expect(next.at.getTime() - Date.parse(at)).toBeGreaterThanOrEqual(7 * DAY);
    expect(next.d.reasons.join(' ')).toMatch(/promised to pay/);
  });
});
