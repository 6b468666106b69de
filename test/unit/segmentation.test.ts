/**
 * Segmentation (functions/domain/segmentation.ts): every segment with its reasons, the rule order, and
 * "latest statement weighs most". Now = Wednesday 15 April 2026, 12:00 Europe/Amsterdam (10:00 UTC).
 */
import { describe, expect, it } from 'vitest';
import type { DecisionInput, DossierFacts, HistoryEvent } from '../../functions/domain/decision.js';
import { factsFromHistory } from '../../functions/domain/case/history.js';
import {
  BROKEN_PROMISE_DAYS,
  IGNORED_CONTACTS_FOR_WILL_NOT_PAY,
  type Segment,
  UNAWARE_MAX_OVERDUE_DAYS,
  euro,
  segment as segmentFacts,
  segmentWithEvidence as evidenceFacts,
} from '../../functions/domain/segmentation.js';

/** Segmentation of a whole timeline, folded into the case's facts as the store keeps them. */
const segmentWithEvidence = (i: DecisionInput) => evidenceFacts(factsFromHistory(i), i.now);
const segment = (i: DecisionInput) => segmentFacts(factsFromHistory(i), i.now);

const NOW = new Date('2026-04-15T10:00:00Z');

function dossier(over: Partial<DossierFacts> = {}): DossierFacts {
  return { dossierId: 'd1', clientId: 'c1', status: 'open', principal: 250_00, costs: 0, paid: 0, dueDate: '2026-04-01', createdAt: '2026-04-02T09:00:00Z', ...over };
}

function input(over: { flags?: string[]; unusable?: string[]; history?: HistoryEvent[]; dossiers?: DossierFacts[]; now?: Date } = {}): DecisionInput {
  return {
    now: over.now ?? NOW,
    debtor: {
      consumer: true,
      language: 'nl',
      hasEmail: true,
      hasPhone: true,
      hasAddress: true,
      whatsappOptIn: false,
      optOuts: [],
      unusable: over.unusable ?? [],
      flags: over.flags ?? [],
    },
    dossiers: over.dossiers ?? [dossier()],
    journey: { journeyNo: 1, stepNo: 0, startedAt: '2026-04-02T09:00:00Z' },
    history: over.history ?? [],
  };
}

const ev = (at: string, type: string, extra: Partial<HistoryEvent> = {}): HistoryEvent => ({ at, type, ...extra });
const sent = (at: string, channel: string, stepNo: number) => ev(at, 'sent', { channel, stepNo });
const delivered = (at: string, channel: string, stepNo: number) => ev(at, 'delivered', { channel, stepNo });
const reply = (at: string, intent: string) => ev(at, 'replied', { channel: 'sms', data: { intent } });
const call = (at: string, outcome?: string) => ev(at, 'call_outcome', { channel: 'call', ...(outcome ? { data: { outcome } } : {}) });

/** two emails delivered, no reaction */
const IGNORED = [sent('2026-04-03T08:00:00Z', 'email', 1), delivered('2026-04-03T08:01:00Z', 'email', 1), sent('2026-04-08T08:00:00Z', 'email', 2), delivered('2026-04-08T08:01:00Z', 'email', 2)];

interface Case {
  name: string;
  in: Parameters<typeof input>[0];
  segment: Segment;
  /** every pattern must match one of the reasons */
  reasons: RegExp[];
  rule?: string;
  since?: string;
}

const CASES: Case[] = [
  // --- vulnerable ---------------------------------------------------------------------------------------
  { name: 'flag bewind', in: { flags: ['bewind'] }, segment: 'vulnerable', reasons: [/beschermingsbewind/, /a person decides before any escalation/], rule: 'vulnerable' },
  { name: 'flag vulnerable', in: { flags: ['vulnerable'] }, segment: 'vulnerable', reasons: [/marked vulnerable/] },
  { name: 'flag curatele', in: { flags: ['curatele'] }, segment: 'vulnerable', reasons: [/curatele/] },
  { name: 'flag mentorschap', in: { flags: ['mentorschap'] }, segment: 'vulnerable', reasons: [/mentorschap/] },
  { name: 'agent marked vulnerable in a call', in: { history: [call('2026-04-10T10:00:00Z', 'vulnerable')] }, segment: 'vulnerable', reasons: [/agent marked the debtor vulnerable on 2026-04-10/] },
  {
    name: 'vulnerable outranks a cannot-pay reply and WSNP',
    in: { flags: ['bewind', 'wsnp'], history: [reply('2026-04-14T10:00:00Z', 'cannot_pay')] },
    segment: 'vulnerable',
    reasons: [/beschermingsbewind/],
  },
  // --- cannot_pay: debt relief -----------------------------------------------------------------------------
  { name: 'WSNP', in: { flags: ['wsnp'] }, segment: 'cannot_pay', reasons: [/WSNP/], rule: 'debt_relief' },
  { name: 'moratorium', in: { flags: ['moratorium'] }, segment: 'cannot_pay', reasons: [/moratorium/] },
  { name: 'debt help reported', in: { flags: ['debt_help_reported'] }, segment: 'cannot_pay', reasons: [/municipal debt help/] },
  {
    name: 'WSNP is not undone by a later promise',
    in: { flags: ['wsnp'], history: [reply('2026-04-14T10:00:00Z', 'promise_to_pay')] },
    segment: 'cannot_pay',
    reasons: [/WSNP/],
  },
  // --- cannot_pay: the latest statement ----------------------------------------------------------------------
  {
    name: '"ik kan niet betalen" reply',
    in: { history: [sent('2026-04-03T08:00:00Z', 'sms', 1), reply('2026-04-14T09:00:00Z', 'cannot_pay')] },
    segment: 'cannot_pay',
    reasons: [/replied on 2026-04-14: said they cannot pay \(the latest statement weighs most\)/],
    rule: 'latest_signal',
    since: '2026-04-14T09:00:00Z',
  },
  {
    name: 'a cannot-pay reply moves an ignoring debtor at once',
    in: { history: [...IGNORED, reply('2026-04-14T09:00:00Z', 'cannot_pay')] },
    segment: 'cannot_pay',
    reasons: [/said they cannot pay/],
  },
  { name: 'asks for an arrangement', in: { history: [reply('2026-04-14T09:00:00Z', 'arrangement')] }, segment: 'cannot_pay', reasons: [/asked for a payment arrangement/] },
  { name: 'debt-help reply (flag not yet written)', in: { history: [reply('2026-04-14T09:00:00Z', 'debt_help')] }, segment: 'cannot_pay', reasons: [/reported debt help/] },
  { name: 'call: cannot pay', in: { history: [call('2026-04-14T09:00:00Z', 'cannot_pay')] }, segment: 'cannot_pay', reasons: [/told the agent they cannot pay/] },
  { name: 'call: arrangement requested', in: { history: [call('2026-04-14T09:00:00Z', 'arrangement_requested')] }, segment: 'cannot_pay', reasons: [/asked the agent for a payment arrangement/] },
  {
    name: 'a later dispute does not undo cannot pay',
    in: { history: [reply('2026-04-10T09:00:00Z', 'cannot_pay'), reply('2026-04-12T09:00:00Z', 'dispute')] },
    segment: 'cannot_pay',
    reasons: [/cannot pay/],
  },
  // --- cannot_pay: flags -------------------------------------------------------------------------------------
  { name: 'flag cannot_pay_reported', in: { flags: ['cannot_pay_reported'] }, segment: 'cannot_pay', reasons: [/said they cannot pay/], rule: 'flag' },
  { name: 'flag beslag', in: { flags: ['beslag'] }, segment: 'cannot_pay', reasons: [/garnished by another creditor \(beslag\)/] },
  // --- promises ----------------------------------------------------------------------------------------------
  {
    name: 'a newer promise overrides an older cannot-pay (flag and reply)',
    in: { flags: ['cannot_pay_reported'], history: [reply('2026-04-05T09:00:00Z', 'cannot_pay'), reply('2026-04-13T09:00:00Z', 'promise_to_pay')] },
    segment: 'unknown',
    reasons: [/promised to pay on 2026-04-13 \(2 days ago\): giving it time/],
    since: '2026-04-13T09:00:00Z',
  },
  {
    name: `broken promise: more than ${BROKEN_PROMISE_DAYS} days without payment`,
    in: { history: [reply('2026-03-30T09:00:00Z', 'promise_to_pay')] },
    segment: 'will_not_pay',
    reasons: [/promised to pay on 2026-03-30 but no payment in the 16 days since: broken promise/],
    since: '2026-04-13T09:00:00.000Z',
  },
  {
    name: 'promise kept in part: a payment since',
    in: { history: [reply('2026-03-30T09:00:00Z', 'promise_to_pay'), ev('2026-04-02T09:00:00Z', 'payment')] },
    segment: 'unknown',
    reasons: [/promised to pay on 2026-03-30 and paid since/],
  },
  { name: 'promise to an agent, broken', in: { history: [call('2026-03-25T09:00:00Z', 'promise_to_pay')] }, segment: 'will_not_pay', reasons: [/promised an agent to pay on 2026-03-25/] },
  // --- will_not_pay: ignored messages ------------------------------------------------------------------------
  {
    name: '3 open claims; messages delivered but no reaction after 2 contacts',
    in: { dossiers: [dossier(), dossier({ dossierId: 'd2' }), dossier({ dossierId: 'd3' })], history: IGNORED },
    segment: 'will_not_pay',
    reasons: [/^3 open claims, €750\.00 outstanding$/, /^oldest claim 14 days overdue$/, /^messages delivered but no reaction after 2 contacts \(email\)$/],
    rule: 'ignored',
  },
  {
    name: 'opened counts as arrived',
    in: { history: [sent('2026-04-03T08:00:00Z', 'email', 1), ev('2026-04-03T09:00:00Z', 'opened', { channel: 'email', stepNo: 1 }), sent('2026-04-06T08:00:00Z', 'sms', 2), delivered('2026-04-06T08:00:05Z', 'sms', 2)] },
    segment: 'will_not_pay',
    reasons: [/no reaction after 2 contacts \(email, sms\)/],
  },
  {
    name: 'letters count as arrived on their presumed receipt',
    in: { history: [sent('2026-04-01T08:00:00Z', 'letter', 1), sent('2026-04-08T08:00:00Z', 'letter', 2)] },
    segment: 'will_not_pay',
    reasons: [/no reaction after 2 contacts \(letter\)/],
  },
  {
    name: 'a letter sent yesterday has not arrived yet (presumed receipt is later)',
    in: { history: [sent('2026-04-01T08:00:00Z', 'letter', 1), sent('2026-04-14T08:00:00Z', 'letter', 2)] },
    segment: 'unknown',
    reasons: [/1 contact arrived since the start, no clear signal yet/],
  },
  {
    name: 'a returned letter has not arrived',
    in: { history: [sent('2026-04-01T08:00:00Z', 'letter', 1), ev('2026-04-04T08:00:00Z', 'bounced', { channel: 'letter', stepNo: 1 })] },
    segment: 'unaware',
    reasons: [/1 contact so far, none confirmed to have arrived/, /1 message bounced or failed/, /probably not reaching/],
    rule: 'unreachable',
  },
  {
    name: 'a reply after the ignored messages resets the count',
    in: { history: [...IGNORED, reply('2026-04-09T09:00:00Z', 'other')] },
    segment: 'unknown',
    reasons: [/last reaction on 2026-04-09 \(replied\)/, /0 contacts arrived since/],
  },
  {
    name: 'a payment resets the count',
    in: { history: [...IGNORED, ev('2026-04-09T09:00:00Z', 'payment')] },
    segment: 'unknown',
    reasons: [/last reaction on 2026-04-09 \(payment\)/],
  },
  {
    name: 'a click is a reaction',
    in: { history: [...IGNORED, ev('2026-04-09T09:00:00Z', 'clicked', { channel: 'email', stepNo: 2 })] },
    segment: 'unknown',
    reasons: [/\(clicked\)/],
  },
  {
    name: 'a call in which the agent reached the debtor is a reaction',
    in: { history: [...IGNORED, call('2026-04-09T09:00:00Z', 'reached')] },
    segment: 'unknown',
    reasons: [/\(call: reached\)/],
  },
  {
    name: 'an expired call task (no outcome) is no reaction',
    in: { history: [...IGNORED, call('2026-04-09T09:00:00Z')] },
    segment: 'will_not_pay',
    reasons: [/no reaction after 2 contacts/],
  },
  {
    name: 'an opt-out shows the message arrived but is no reaction to the claim',
    in: { history: [sent('2026-04-03T08:00:00Z', 'sms', 1), reply('2026-04-03T08:30:00Z', 'opt_out'), sent('2026-04-08T08:00:00Z', 'email', 2), delivered('2026-04-08T08:01:00Z', 'email', 2)] },
    segment: 'will_not_pay',
    reasons: [/no reaction after 2 contacts \(sms, email\)/],
  },
  {
    name: 'one delivered message is not enough',
    in: { history: IGNORED.slice(0, 2) },
    segment: 'unknown',
    reasons: [/1 contact arrived since the start/],
  },
  {
    name: 'delivery proof from a previous journey does not count for a new step with the same number',
    in: { history: [sent('2026-04-03T08:00:00Z', 'email', 1), delivered('2026-04-03T08:01:00Z', 'email', 1), sent('2026-04-10T08:00:00Z', 'sms', 1)] },
    segment: 'unknown',
    reasons: [/1 contact arrived/],
  },
  // --- unaware ----------------------------------------------------------------------------------------------
  { name: 'a fresh, small bill, no contact yet', in: {}, segment: 'unaware', reasons: [/^1 open claim, €250\.00 outstanding$/, /^no contact yet$/, /probably forgotten/], rule: 'forgotten' },
  {
    name: 'young claim, messages sent but none confirmed',
    in: { history: [sent('2026-04-03T08:00:00Z', 'email', 1), sent('2026-04-08T08:00:00Z', 'sms', 2)] },
    segment: 'unaware',
    reasons: [/2 contacts so far, none confirmed to have arrived/],
  },
  {
    name: 'bounced email and unusable phone: not reaching the debtor (also for old debt)',
    in: {
      dossiers: [dossier({ dueDate: '2026-01-02' })],
      unusable: ['email', 'phone'],
      history: [sent('2026-04-03T08:00:00Z', 'email', 1), ev('2026-04-03T08:01:00Z', 'bounced', { channel: 'email', stepNo: 1 })],
    },
    segment: 'unaware',
    reasons: [/unusable: email, phone/, /probably not reaching the debtor/],
  },
  // --- unknown ----------------------------------------------------------------------------------------------
  {
    name: `more than ${UNAWARE_MAX_OVERDUE_DAYS} days overdue, no contact yet`,
    in: { dossiers: [dossier({ dueDate: '2026-02-01' })] },
    segment: 'unknown',
    reasons: [/oldest claim 73 days overdue/, /not simply forgotten: more than 30 days overdue/],
    rule: 'no_signal',
  },
  {
    name: 'three open claims are not simply forgotten',
    in: { dossiers: [dossier(), dossier({ dossierId: 'd2' }), dossier({ dossierId: 'd3' })] },
    segment: 'unknown',
    reasons: [/more than 2 open claims/],
  },
  { name: 'a large amount is not simply forgotten', in: { dossiers: [dossier({ principal: 2_500_00 })] }, segment: 'unknown', reasons: [/€2,500\.00 outstanding/, /€1,000\.00 or more outstanding/] },
  {
    name: 'outstanding counts costs and payments',
    in: { dossiers: [dossier({ principal: 1_000_00, costs: 150_00, paid: 200_00 })] },
    segment: 'unaware',
    reasons: [/€950\.00 outstanding/],
  },
  { name: 'not overdue yet', in: { dossiers: [dossier({ dueDate: '2026-04-20' })] }, segment: 'unaware', reasons: [/not overdue yet/] },
  { name: 'no open claims', in: { dossiers: [dossier({ status: 'paid' })] }, segment: 'unknown', reasons: [/^no open claims$/] },
  {
    name: 'events after now are ignored',
    in: { history: [reply('2026-04-20T09:00:00Z', 'cannot_pay')] },
    segment: 'unaware',
    reasons: [/no contact yet/],
  },
];

describe('segment()', () => {
  it.each(CASES)('$name → $segment', (c) => {
    const r = segmentWithEvidence(input(c.in));
    expect(r.segment).toBe(c.segment);
    for (const re of c.reasons) expect(r.reasons, `${re} in ${JSON.stringify(r.reasons)}`).toEqual(expect.arrayContaining([expect.stringMatching(re)]));
    if (c.rule) expect(r.rule).toBe(c.rule);
    if (c.since) expect(r.since).toBe(c.since);
    // segment() is the same without the evidence
    expect(segment(input(c.in))).toEqual({ segment: r.segment, reasons: r.reasons });
  });

  it('covers every segment', () => {
    expect(new Set(CASES.map((c) => c.segment))).toEqual(new Set(['cannot_pay', 'will_not_pay', 'unaware', 'vulnerable', 'unknown']));
  });

  it(`needs ${IGNORED_CONTACTS_FOR_WILL_NOT_PAY} arrived contacts for will_not_pay`, () => {
    expect(IGNORED_CONTACTS_FOR_WILL_NOT_PAY).toBe(2);
  });

  it('is order-independent: history given out of order is sorted by time', () => {
    const history = [...IGNORED, reply('2026-04-14T09:00:00Z', 'cannot_pay')].reverse();
    expect(segment(input({ history })).segment).toBe('cannot_pay');
  });

  it('every result starts with the claim facts', () => {
    for (const c of CASES) {
      const r = segment(input(c.in));
      expect(r.reasons[0]).toMatch(/open claim|no open claims/);
    }
  });

  it('moves with time: a young unanswered claim turns from unaware to unknown after 30 days', () => {
    const history = [sent('2026-04-03T08:00:00Z', 'email', 1)];
    expect(segment(input({ history, now: new Date('2026-05-01T10:00:00Z') })).segment).toBe('unaware');
    expect(segment(input({ history, now: new Date('2026-05-02T10:00:00Z') })).segment).toBe('unknown');
  });
});

describe('euro()', () => {
  it.each([
    [0, '€0.00'],
    [5, '€0.05'],
    [40_00, '€40.00'],
    [1_234_56, '€1,234.56'],
    [1_000_000_00, '€1,000,000.00'],
    [-12_34, '-€12.34'],
  ])('%i cents → %s', (c, s) => expect(euro(c)).toBe(s));
});
