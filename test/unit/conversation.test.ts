/**
 * The conversation's domain rules (issue 8): the reply plan (answer, moment, tasks, opt-outs, holds), what the
 * reducer does with a reply (holds, debt help, repeats, promised dates) and with a resolved dispute, the decision's
 * hold rule, and the answer templates (every intent in both languages: GSM-7, the agency and its Wki number named,
 * short enough for SMS, nothing about the claim for a possibly wrong person).
 */
import { describe, expect, it } from 'vitest';
import { applyEvent, type CaseEvent } from '../../functions/domain/case/events.js';
import { type CaseState, type ClaimRecord, emptyCase, factsOf } from '../../functions/domain/case/state.js';
import { answerMoment, optOutsOf, planReply } from '../../functions/domain/conversation.js';
import { decide } from '../../functions/domain/decide/index.js';
import { classifyReply } from '../../functions/domain/intents/index.js';
import { defaultStrategy } from '../../functions/domain/strategy.js';
import { INTENTS } from '../../functions/domain/vocabulary.js';
import { renderAnswer, promiseText } from '../../functions/channels/render-answer.js';
import { loadSampleAgency } from '../../functions/channels/render.js';

const NOW = new Date('2026-03-02T08:00:00Z'); // Monday 09:00 in Amsterdam
const at = (iso: string) => new Date(iso);

function claim(id: string, clientId = 'acme'): ClaimRecord {
  return {
    dossierId: id,
    clientId,
    reference: `INV-${id}`,
    principal: 12_500,
    costs: 0,
    paid: 0,
    dueDate: '2026-02-01',
    status: 'open',
    createdAt: '2026-02-20T10:00:00.000Z',
    updatedAt: '2026-02-20T10:00:00.000Z',
    name: 'Sam Voorbeeld',
    language: 'nl',
    consumer: true,
    paymentKeys: [],
  };
}

function aCase(...ids: string[]): CaseState {
  let c = emptyCase('deb_1', '2026-02-20T10:00:00.000Z');
  for (const id of ids.length ? ids : ['d1']) {
    c = applyEvent(c, {
      type: 'claim_added',
      at: '2026-02-20T10:00:00.000Z',
      claim: claim(id),
      points: [
        { kind: 'phone', value: '+31612345678' },
        { kind: 'email', value: 'sam@example.invalid' },
        { kind: 'address', value: '1234ab|1', address: { line1: 'Dorpsstraat 1', postalCode: '1234 AB', city: 'Utrecht', country: 'NL' } },
      ],
      identity: { name: 'Sam Voorbeeld', phone: '+31612345678' } as never,
    });
  }
  return c;
}

const reply = (intent: string, o: Partial<Extract<CaseEvent, { type: 'reply' }>> = {}): CaseEvent => ({ type: 'reply', at: '2026-03-02T08:00:00.000Z', channel: 'sms', intent, dossierIds: ['d1'], ...o });

describe('planReply', () => {
  const plan = (text: string, o: { optOuts?: string[]; now?: Date; channel?: 'sms' | 'whatsapp' } = {}) =>
    planReply(classifyReply(text, o.now ?? NOW), { channel: o.channel ?? 'sms', optOuts: o.optOuts ?? [], now: o.now ?? NOW });

  it('answers inside contact hours at once, outside them at the next 07:00 Amsterdam (winter and summer time)', () => {
    expect(answerMoment(at('2026-03-02T08:00:00Z'))).toEqual(at('2026-03-02T08:00:00Z'));
    expect(answerMoment(at('2026-03-02T19:30:00Z'))).toEqual(at('2026-03-03T06:00:00Z')); // 20:30 CET
    expect(answerMoment(at('2026-03-02T04:00:00Z'))).toEqual(at('2026-03-02T06:00:00Z')); // 05:00 CET
    expect(answerMoment(at('2026-07-01T17:59:00Z'))).toEqual(at('2026-07-01T17:59:00Z')); // 19:59 CEST
    expect(answerMoment(at('2026-07-01T18:00:00Z'))).toEqual(at('2026-07-02T05:00:00Z')); // 20:00 CEST → 07:00 CEST
  });

  it('an opt-out is confirmed at once, also at night; any other answer waits for 07:00', () => {
    const night = at('2026-03-02T22:00:00Z');
    expect(plan('stop', { now: night })).toMatchObject({ answer: 'opt_out', sendAt: night, optOuts: ['sms'] });
    expect(plan('wie bent u?', { now: night })).toMatchObject({ answer: 'who_are_you', sendAt: at('2026-03-03T06:00:00Z') });
  });

  it('STOP names the channels it stops: the reply’s own, the ones named, or all', () => {
    expect(optOutsOf(classifyReply('stop texting me', NOW), 'sms')).toEqual(['sms']);
    expect(optOutsOf(classifyReply('Stop met appen', NOW), 'sms')).toEqual(['whatsapp']);
    expect(optOutsOf(classifyReply('STOP. Bel me ook niet meer', NOW), 'sms')).toEqual(['sms', 'call']);
    expect(optOutsOf(classifyReply('STOPALL', NOW), 'whatsapp')).toEqual(['all']);
    expect(optOutsOf(classifyReply('ik betaal morgen', NOW), 'sms')).toEqual([]);
  });

  it('after an opt-out of the channel only a confirmation may go there', () => {
    const closed = plan('wie bent u?', { optOuts: ['sms'] });
    expect(closed.answer).toBeUndefined();
    expect(closed.noAnswer).toBe('the debtor opted out of sms earlier');
    expect(plan('wie bent u?', { optOuts: ['sms'], channel: 'whatsapp' }).answer).toBe('who_are_you');
    expect(plan('stop', { optOuts: ['sms'] }).answer).toBe('opt_out');
  });

  it('tasks and holds per intent', () => {
    const v = plan('Mijn vrouw is overleden. Kunnen jullie mij bellen?');
    expect(v.tasks.map((t) => [t.reason, t.priority])).toEqual([
      ['vulnerable', 'urgent'],
      ['call_back_requested', 'normal'],
    ]);
    expect(v.tasks[0].dueAt.getTime() - NOW.getTime()).toBe(4 * 3600_000);
    expect(v.holds).toEqual(['vulnerable']);
    expect(plan('Ik ga failliet').holds).toEqual(['bankruptcy']);
    expect(plan('verkeerd nummer')).toMatchObject({ holds: ['wrong_person'], tasks: [expect.objectContaining({ reason: 'wrong_person' })] });
    expect(plan('Deze rekening klopt niet')).toMatchObject({ holds: [], tasks: [expect.objectContaining({ reason: 'dispute_review' })] });
    expect(plan('hmm tja').tasks.map((t) => t.reason)).toEqual(['unclear_reply']);
    expect(plan('ik betaal vrijdag')).toMatchObject({ tasks: [], holds: [] });
    // An opt-out that also signals vulnerability: confirmed, and a person still looks.
    expect(plan('Mijn man is overleden. Stop met die smsjes')).toMatchObject({ answer: 'opt_out', holds: ['vulnerable'] });
  });
});

describe('the reducer', () => {
  it('a reply repeated with the same message id changes the case once', () => {
    const c = applyEvent(aCase(), reply('cannot_pay', { messageId: 'SM1' }));
    expect(applyEvent(c, reply('cannot_pay', { messageId: 'SM1' }))).toBe(c);
    expect(c.inbound?.recent).toEqual(['SM1']);
  });

  it('debt help (also as a second intent) moves open and paused dossiers to debt_help at once', () => {
    let c = aCase('d1', 'd2');
    c = { ...c, dossiers: { ...c.dossiers, d2: { ...c.dossiers.d2, status: 'paused' } } };
    const after = applyEvent(c, reply('opt_out', { also: ['debt_help'] }));
    expect([after.dossiers.d1.status, after.dossiers.d2.status]).toEqual(['debt_help', 'debt_help']);
    expect(after.flags.map((f) => f.flag)).toContain('debt_help_reported');
    const d = decide(factsOf(after), defaultStrategy(), NOW);
    expect(d).toMatchObject({ kind: 'done', reason: 'referred to debt help', dossierStatus: 'debt_help' });
  });

  it('a hold waits for an agent: the decision pauses outreach; no_answer keeps it, another outcome lifts it', () => {
    const c = applyEvent(aCase(), reply('vulnerable', { holds: [{ reason: 'vulnerable', taskId: 'reply_SM1_vulnerable' }] }));
    expect(c.holds).toEqual([{ reason: 'vulnerable', at: '2026-03-02T08:00:00.000Z', taskId: 'reply_SM1_vulnerable', dossierIds: ['d1'] }]);
    const held = decide(factsOf(c), defaultStrategy(), NOW);
    expect(held.kind).toBe('wait');
    expect(held.reasons.join('; ')).toMatch(/automated outreach paused .* until an agent records an outcome/);
    const outcome = (o: string, taskId: string): CaseEvent => ({ type: 'call_outcome', at: '2026-03-03T09:00:00.000Z', outcome: o, dossierIds: ['d1'], taskId });
    const noAnswer = applyEvent(c, outcome('no_answer', 'reply_SM1_vulnerable'));
    expect(noAnswer.holds).toHaveLength(1);
    expect(applyEvent(noAnswer, outcome('reached', 'other_task')).holds).toHaveLength(1);
    expect(applyEvent(noAnswer, outcome('reached', 'reply_SM1_vulnerable_r2')).holds).toEqual([]);
    const lifted = applyEvent(c, outcome('vulnerable', 'reply_SM1_vulnerable'));
    expect(lifted.holds).toEqual([]);
    expect(decide(factsOf(lifted), defaultStrategy(), at('2026-03-03T09:00:00Z')).reasons.join('; ')).not.toMatch(/paused/);
    expect(factsOf(lifted).signals.vulnerableCallAt).toBe('2026-03-03T09:00:00.000Z');
  });

  it('a promise with a date gives grace until a few days after it; a request to pay later without one, the default', () => {
    const c = applyEvent(aCase(), reply('promise_to_pay', { promiseDate: '2026-03-27' }));
    expect(c.signals.grace).toEqual({ at: '2026-03-02T08:00:00.000Z', kind: 'promise', until: '2026-03-27' });
    const d = decide(factsOf(c), defaultStrategy(), NOW);
    expect(d.kind).toBe('wait');
    if (d.kind === 'wait') expect(d.until.getTime()).toBeGreaterThanOrEqual(at('2026-03-30T07:00:00Z').getTime()); // 09:00 CEST, 3 days after the 27th
    const later = applyEvent(aCase(), reply('postpone'));
    expect(later.signals.grace).toEqual({ at: '2026-03-02T08:00:00.000Z', kind: 'promise' });
    expect(later.signals.latestStatement).toMatchObject({ kind: 'capacity', code: 'postpone' });
  });

  it('a dispute pauses; resolved for the creditor it is open again, for the debtor withdrawn', () => {
    const paused = applyEvent(aCase('d1', 'd2'), reply('dispute'));
    expect(paused.dossiers.d1.status).toBe('paused');
    const forCreditor = applyEvent(paused, { type: 'dispute_resolved', at: '2026-03-05T10:00:00.000Z', dossierIds: ['d1'], inFavourOf: 'creditor', reason: 'checked' });
    expect(forCreditor.dossiers.d1.status).toBe('open');
    expect(forCreditor.eventSeq).toBe(paused.eventSeq + 1);
    expect(applyEvent(paused, { type: 'dispute_resolved', at: '2026-03-05T10:00:00.000Z', dossierIds: ['d1'], inFavourOf: 'debtor', reason: 'x' }).dossiers.d1.status).toBe('withdrawn');
    // not paused: nothing to resolve
    expect(applyEvent(paused, { type: 'dispute_resolved', at: '2026-03-05T10:00:00.000Z', dossierIds: ['d2'], inFavourOf: 'creditor', reason: 'x' })).toBe(paused);
  });
});

describe('answer templates', () => {
  const agency = loadSampleAgency();
  const input = (answer: (typeof INTENTS)[number], language: 'nl' | 'en', n = 1) => ({
    answer,
    channel: 'sms' as const,
    language,
    now: NOW,
    debtorName: 'Alexandra van der Berg-Voorbeeld',
    claims: Array.from({ length: n }, (_, i) => ({ reference: `ENERGIE-2026-00${i + 1}`, creditorName: i ? 'Globex Telecom B.V.' : 'Acme Energie B.V.', principal: 123_456, costs: 18_518, paid: 5_000, outstanding: 136_974 })),
    paymentLink: 'https://pay.example.invalid/p/dos_01jnq7x5v2k8m3r4t6w8y0z2a4',
    agency,
    promise: { date: '2026-03-06', precision: 'day' as const },
    optOuts: answer === 'opt_out_all' ? ['all'] : ['sms'],
    agentBy: at('2026-03-03T08:00:00Z'),
    distress: true,
  });

  it.each(INTENTS.flatMap((i) => [[i, 'nl'] as const, [i, 'en'] as const]))('%s (%s): GSM-7, names the agency, its Wki number and how to reach it, at most 3 SMS segments', (answer, language) => {
    for (const n of [1, 2]) {
      const r = renderAnswer(input(answer, language, n));
      expect(r.template).toBe(`answer/${answer}`);
      expect(r.language).toBe(language);
      expect(r.sms?.encoding).toBe('GSM-7');
      expect(r.sms!.segments).toBeLessThanOrEqual(answer === 'amount_question' && n === 2 ? 4 : 3);
      expect(r.text).toContain(agency.name);
      expect(r.text).toContain(agency.wkiNumber);
      expect(r.text).toMatch(new RegExp(`${agency.phone}|${agency.email}`));
      expect(r.text).not.toMatch(/beslag|deurwaarder|bailiff|seiz|garnish/i);
      expect(r.text).not.toMatch(/\{\{|undefined|null/);
    }
  });

  it('the wrong person learns nothing about the claim; the promise names its date; STOPALL says letters still come', () => {
    const wrong = renderAnswer(input('not_my_debt', 'nl')).text;
    expect(wrong).not.toMatch(/Alexandra|ENERGIE|Acme|1\.234/);
    expect(renderAnswer(input('promise_to_pay', 'nl')).text).toContain('op vrijdag 6 maart');
    expect(renderAnswer(input('opt_out_all', 'nl')).text).toContain('14-dagenbrief, sturen wij nog wel per post');
    expect(renderAnswer(input('opt_out_all', 'en')).text).toContain('will still come by post');
    expect(renderAnswer(input('vulnerable', 'nl')).text).toContain('0800-0113');
    expect(promiseText({ date: '2026-04-30', precision: 'month' }, 'nl')).toBe('in april');
    expect(promiseText({ date: '2026-03-15', precision: 'week' }, 'en')).toBe('by Sunday 15 March');
  });

  it('arrangement and cannot-pay answers carry the offer (numbered options, the page link) or the plan agreed; GSM-7, at most 3 segments', () => {
    const link = 'https://pay.example.invalid/p/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOp';
    const offer = { options: [{ no: 1, instalments: 3, amount: 45_658 }, { no: 2, instalments: 6, amount: 22_829 }, { no: 3, instalments: 12, amount: 11_415 }], link };
    for (const language of ['nl', 'en'] as const) {
      for (const answer of ['arrangement', 'cannot_pay'] as const) {
        const r = renderAnswer({ ...input(answer, language), arrangement: offer });
        expect(r.sms?.encoding).toBe('GSM-7');
        expect(r.sms!.segments).toBeLessThanOrEqual(3);
        expect(r.text).toContain(link);
        expect(r.text).toMatch(language === 'nl' ? /1\) 3 keer € 456,58\. 2\) 6 keer € 228,29\. 3\) 12 keer € 114,15/ : /1\) 3 payments of €456\.58\. 2\) 6 payments of €228\.29/);
        expect(r.text).toContain(agency.wkiNumber);
      }
      const agreed = renderAnswer({ ...input('arrangement', language), arrangement: { options: [], link, accepted: { option: 2, instalments: 6, amount: 22_829, firstDue: '2026-03-26' } } });
      expect(agreed.sms!.segments).toBeLessThanOrEqual(3);
      expect(agreed.text).toMatch(language === 'nl' ? /uw betalingsregeling staat: 6 termijnen van € 228,29, de eerste op 26 maart 2026/ : /your payment plan is set: 6 payments of €228\.29, the first on 26 March 2026/);
      expect(agreed.text).toContain(link);
      // the debt-help referral stays in the cannot-pay answer
      expect(renderAnswer({ ...input('cannot_pay', language), arrangement: offer }).text).toMatch(language === 'nl' ? /gemeente helpt u gratis/ : /municipality helps you for free/);
    }
  });

  it('the amount answer shows the interest and the page link', () => {
    const r = renderAnswer({ ...input('amount_question', 'nl'), claims: [{ reference: 'R-1', creditorName: 'Acme Energie B.V.', principal: 100_000, costs: 15_000, interest: 4_321, paid: 0, outstanding: 119_321 }] });
    expect(r.text).toMatch(/€ 1\.000,00 \+ incassokosten € 150,00 \+ rente € 43,21 = € 1\.193,21/);
    expect(r.text).toContain('Betalen kan via https://pay.example.invalid/p/');
  });

  it('WhatsApp: free text inside the 24 h window, the approved template outside it', () => {
    const inside = renderAnswer({ ...input('who_are_you', 'nl'), channel: 'whatsapp', whatsappWindowOpen: true });
    expect(inside.whatsappTemplate).toBeUndefined();
    const outside = renderAnswer({ ...input('who_are_you', 'nl'), channel: 'whatsapp', whatsappWindowOpen: false });
    expect(outside.whatsappTemplate?.contentSid).toMatch(/^HX/);
    expect(outside.text).toContain(agency.wkiNumber);
  });
});
