/**
 * The bounded case (issue 7), as pure functions: the reducer keeps one item per debtor bounded however long the
 * journey runs, counts per creditor what each creditor's claims brought, and never lets a later claim's contact
 * details or language leak into another creditor's messages; what each reader may see; identity rules; the
 * stored form of the contact log.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvent, type CaseEvent } from '../../functions/domain/case/events.js';
import { CONTACT_LOG_LIMIT, type ContactFact } from '../../functions/domain/case/facts.js';
import { addressKey, identityConflict, identityKeys, letterCount, normaliseName } from '../../functions/domain/case/identity.js';
import { type CaseState, contactFor, factsOf, identityOf, nameFor, normalised } from '../../functions/domain/case/state.js';
import { segmentFor, visibleClaims, visibleContactDetails, visibleTimeline, type StoredEvent } from '../../functions/domain/case/visibility.js';
import { CHANNELS, PHASES, TONES } from '../../functions/domain/vocabulary.js';
import { replyScope } from '../../functions/domain/case/reply-scope.js';
import { decodeCase, decodeContact, encodeCase, encodeContact, NO_ORDINALS, ordinalsOf } from '../../functions/store/case-codec.js';
import { caseWith } from '../support/cases.js';

const ACME = { dossierId: 'dos_a1', clientId: 'acme', name: 'Sam Voorbeeld', phone: '+31612345678', email: 'sam@example.invalid', language: 'nl' as const, address: { line1: 'Dorpsstraat 1', postalCode: '1234 AB', city: 'Utrecht' } };
const BETA = { dossierId: 'dos_b1', clientId: 'beta', name: 'Sam Voorbeeld', phone: '+31612345678', email: 'sam.work@example.invalid', language: 'en' as const, address: { line1: 'Dorpsstraat 1', postalCode: '1234AB', city: 'Utrecht' } };

const at = (day: number, hour = 10) => new Date(Date.UTC(2026, 2, 2 + day, hour)).toISOString();

function claimed(s: CaseState, stepNo: number, day: number, dossierIds: string[], channel: ContactFact['channel'] = 'email'): CaseState {
  return applyEvent(s, {
    type: 'step_claimed',
    at: at(day),
    contact: { at: at(day), channel, phase: 'reminder', tone: 'friendly', stepNo, journeyNo: s.journey.journeyNo, dossierIds },
    token: `token-${stepNo}`,
    timer: `timer-${stepNo}`,
  });
}

describe('the reducer keeps the case bounded', () => {
  it('a year of contacts keeps the last CONTACT_LOG_LIMIT in the log and counts the rest in totals', () => {
    let s = caseWith([ACME]);
    for (let i = 1; i <= 100; i++) s = claimed(s, i, i, ['dos_a1']);
    expect(s.contacts).toHaveLength(CONTACT_LOG_LIMIT);
    expect(s.contacts[0].stepNo).toBe(100 - CONTACT_LOG_LIMIT + 1);
    expect(s.totals.contacts).toBe(100);
    // no reaction ever: every evicted contact counts as "since the last reaction"
    expect(s.totals.evictedSinceReaction).toBe(100 - CONTACT_LOG_LIMIT);
    expect(factsOf(s).totals.contacts).toBe(100);
  });

  it('a log the hot path let grow past its limit is cut back on read, counting what falls off the same way', () => {
    let grown = caseWith([ACME]);
    let trimmed = grown;
    for (let i = 1; i <= CONTACT_LOG_LIMIT + 5; i++) trimmed = claimed(trimmed, i, i, ['dos_a1']);
    // what the store's targeted claim leaves: contacts appended without eviction
    for (let i = 1; i <= CONTACT_LOG_LIMIT + 5; i++) {
      const c: ContactFact = { at: at(i), channel: 'email', phase: 'reminder', tone: 'friendly', stepNo: i, journeyNo: 1, dossierIds: ['dos_a1'] };
      grown = { ...grown, contacts: [...grown.contacts, c], totals: { ...grown.totals, contacts: grown.totals.contacts + 1 } };
    }
    const read = normalised(grown);
    expect(read.contacts).toEqual(trimmed.contacts);
    expect(read.totals).toEqual(trimmed.totals);
  });

  it('every event that could change the next decision bumps eventSeq; a repeat changes nothing', () => {
    let s = caseWith([ACME]);
    const seq = s.eventSeq;
    const pay: CaseEvent = { type: 'payment', at: at(3), dossierId: 'dos_a1', amount: 2_500, paidAt: at(3), key: 'P-1' };
    s = applyEvent(s, pay);
    expect(s.eventSeq).toBe(seq + 1);
    expect(applyEvent(s, pay)).toBe(s);
    expect(s.dossiers.dos_a1.paid).toBe(2_500);
    s = applyEvent(s, { type: 'reply', at: at(4), channel: 'sms', intent: 'promise_to_pay', dossierIds: ['dos_a1'] });
    expect(s.eventSeq).toBe(seq + 2);
    // a token is bookkeeping: a decision made before it is not stale
    expect(applyEvent(s, { type: 'token', at: at(4), token: 'x' }).eventSeq).toBe(s.eventSeq);
  });

  it('a released step gives its contact back; a failed one settles the step without counting it', () => {
    let s = claimed(caseWith([ACME]), 1, 1, ['dos_a1']);
    const released = applyEvent(s, { type: 'step_released', at: at(1), stepNo: 1 });
    expect(released.journey.contacts).toHaveLength(0);
    expect(released.journey.stepNo).toBe(0);
    expect(released.totals.contacts).toBe(0);
    s = applyEvent(s, { type: 'step_failed', at: at(1), stepNo: 1, channel: 'email', kind: 'send_failed' });
    expect(s.journey.contacts).toHaveLength(0);
    expect(s.journey.stepNo).toBe(1);
    expect(s.journey.failures).toEqual([{ at: at(1), channel: 'email' }]);
  });

  it('a claim after the journey ended opens the next journey: its contacts start from zero, the log carries over', () => {
    let s = claimed(caseWith([ACME]), 1, 1, ['dos_a1']);
    s = applyEvent(s, { type: 'payment', at: at(2), dossierId: 'dos_a1', amount: 10_000, paidAt: at(2), key: 'P-full' });
    expect(s.dossiers.dos_a1.status).toBe('paid');
    s = applyEvent(s, { type: 'journey_closed', at: at(2), reason: 'all paid', closing: { detail: 'paid', at: at(2) } });
    s = applyEvent(s, { type: 'claim_added', at: at(30), claim: { ...caseWith([{ ...ACME, dossierId: 'dos_a2' }]).dossiers.dos_a2, createdAt: at(30) }, points: [], identity: { name: ACME.name } });
    expect(s.journey).toMatchObject({ journeyNo: 2, status: 'active', stepNo: 0, contacts: [] });
    expect(s.contacts).toHaveLength(1);
  });
});

describe('per-creditor counting and facts', () => {
  const both = () => caseWith([ACME, BETA]);

  it('a contact about one creditor counts for that creditor only; a shared one for both', () => {
    let s = claimed(both(), 1, 1, ['dos_a1']);
    s = claimed(s, 2, 2, ['dos_a1', 'dos_b1']);
    expect(s.totals.contacts).toBe(2);
    expect(s.byClient.acme.totals.contacts).toBe(2);
    expect(s.byClient.beta.totals.contacts).toBe(1);
    expect(factsOf(s, { clientId: 'beta' }).contacts.map((c) => c.stepNo)).toEqual([2]);
  });

  it("a reply about one creditor's claim is that creditor's evidence; the journey sees it too", () => {
    const s = applyEvent(both(), { type: 'reply', at: at(3), channel: 'sms', intent: 'cannot_pay', dossierIds: ['dos_a1'] });
    expect(s.byClient.acme.signals.latestStatement).toMatchObject({ kind: 'capacity', code: 'cannot_pay' });
    expect(s.byClient.beta.signals.latestStatement).toBeUndefined();
    expect(s.signals.latestStatement).toMatchObject({ code: 'cannot_pay' });
    expect(factsOf(s, { clientId: 'beta' }).debtor.flags).toEqual([]);
    expect(factsOf(s, { clientId: 'acme' }).debtor.flags).toEqual(['cannot_pay_reported']);
  });

  it("a dispute pauses the disputed claim only; a payment on one creditor's claim leaves the other's open", () => {
    let s = applyEvent(both(), { type: 'reply', at: at(3), channel: 'sms', intent: 'dispute', dossierIds: ['dos_b1'] });
    expect(s.dossiers.dos_b1.status).toBe('paused');
    expect(s.dossiers.dos_a1.status).toBe('open');
    s = applyEvent(s, { type: 'payment', at: at(4), dossierId: 'dos_a1', amount: 10_000, paidAt: at(4), key: 'P-a' });
    expect(s.dossiers.dos_a1.status).toBe('paid');
    expect(s.byClient.beta.signals.lastPaymentAt).toBeUndefined();
  });

  it("each creditor's facts hold its own claims, language and contact details", () => {
    const s = both();
    const acme = factsOf(s, { clientId: 'acme' });
    const beta = factsOf(s, { clientId: 'beta' });
    expect(acme.dossiers.map((d) => d.dossierId)).toEqual(['dos_a1']);
    expect(acme.debtor.language).toBe('nl');
    expect(beta.debtor.language).toBe('en');
    expect(beta.debtor.hasEmail).toBe(true);
  });

  it("a message about a creditor's claims goes to the details that creditor gave, under the name it gave", () => {
    const s = caseWith([ACME, { ...BETA, name: 'S. Voorbeeld' }]);
    expect(contactFor(s, 'email', ['dos_a1'])?.value).toBe('sam@example.invalid');
    expect(contactFor(s, 'email', ['dos_b1'])?.value).toBe('sam.work@example.invalid');
    expect(nameFor(s, ['dos_b1'])).toBe('S. Voorbeeld');
    expect(nameFor(s, ['dos_a1'])).toBe('Sam Voorbeeld');
    // the shared phone number is one contact point with two sources
    expect(s.contactPoints.filter((p) => p.kind === 'phone')).toHaveLength(1);
    expect(s.contactPoints.find((p) => p.kind === 'phone')?.sources.map((x) => x.clientId)).toEqual(['acme', 'beta']);
  });

  it("an unusable contact point is never chosen; the same creditor's other open claim can lend one, another creditor's never", () => {
    let s = caseWith([ACME, { ...BETA, email: undefined }]);
    expect(contactFor(s, 'email', ['dos_b1'])).toBeUndefined();
    const twoOfAcme = caseWith([ACME, { ...ACME, dossierId: 'dos_a2', email: undefined }]);
    expect(contactFor(twoOfAcme, 'email', ['dos_a2'])?.value).toBe('sam@example.invalid');
    s = applyEvent(claimed(s, 1, 1, ['dos_a1']), { type: 'delivery', at: at(1, 11), journeyNo: 1, stepNo: 1, channel: 'email', status: 'bounced', unusable: { value: 'sam@example.invalid', reason: 'hard bounce' } });
    expect(contactFor(s, 'email', ['dos_a1'])).toBeUndefined();
    expect(factsOf(s).debtor.unusable).toEqual(['email']);
    expect(s.totals.undeliverable).toBe(1);
  });

  it('WhatsApp only to a number whose creditor recorded an opt-in', () => {
    expect(contactFor(caseWith([ACME]), 'whatsapp', ['dos_a1'])).toBeUndefined();
    expect(contactFor(caseWith([{ ...ACME, whatsappOptIn: true }]), 'whatsapp', ['dos_a1'])?.value).toBe('+31612345678');
  });
});

describe('what each reader may see', () => {
  const s = caseWith([ACME, BETA]);
  const events: StoredEvent[] = [
    { at: at(1), type: 'sent', channel: 'sms', detail: 'sms sent to +31612345678 (reminder, friendly, nl): covers REF-dos_a1 and REF-dos_b1, €200.00', dossierIds: ['dos_a1', 'dos_b1'], template: 'reminder', tone: 'friendly' },
    { at: at(2), type: 'replied', channel: 'sms', detail: 'replied: promises to pay', text: 'Ik heb Acme vorige week al betaald', intent: 'promise_to_pay', dossierIds: ['dos_a1', 'dos_b1'] },
    { at: at(3), type: 'replied', channel: 'sms', detail: 'replied: asks for a payment arrangement', text: 'regeling graag', intent: 'arrangement', dossierIds: ['dos_b1'] },
    { at: at(4), type: 'payment', detail: 'payment €50.00', dossierIds: ['dos_a1'] },
  ];

  it('a creditor sees its own claims and contact details; the agency sees all, with who gave them', () => {
    expect(visibleClaims(s, { clientId: 'beta', agent: false }).map((d) => d.dossierId)).toEqual(['dos_b1']);
    const betaDetails = visibleContactDetails(s, { clientId: 'beta', agent: false });
    expect(betaDetails.map((d) => d.value)).not.toContain('sam@example.invalid');
    expect(betaDetails.flatMap((d) => d.sources.map((x) => x.dossierId))).toEqual(expect.arrayContaining(['dos_b1']));
    expect(betaDetails.flatMap((d) => d.sources.map((x) => x.dossierId))).not.toContain('dos_a1');
    const agent = visibleContactDetails(s, { clientId: 'agency', agent: true });
    expect(agent.find((d) => d.kind === 'phone')?.sources.map((x) => x.clientId)).toEqual(['acme', 'beta']);
  });

  it("a creditor never reads the debtor's words about a message that covered another creditor's claims, nor events about those claims only", () => {
    const beta = visibleTimeline(s, { clientId: 'beta', agent: false }, events);
    expect(beta.map((e) => e.type)).toEqual(['sent', 'replied', 'replied']);
    const text = JSON.stringify(beta);
    expect(text).not.toContain('Acme vorige week');
    expect(text).not.toContain('REF-dos_a1');
    expect(text).not.toContain('+31612345678');
    expect(beta[1]).toMatchObject({ intent: 'promise_to_pay' });
    // a reply about its own claim alone keeps the words
    expect(beta[2].detail).toContain('regeling graag');
    const agent = visibleTimeline(s, { clientId: 'agency', agent: true }, events);
    expect(agent).toHaveLength(4);
    expect(agent[1].detail).toContain('Acme vorige week');
  });

  it("a creditor's segment reasons come from what it may see", () => {
    let c = applyEvent(s, { type: 'reply', at: at(3), channel: 'sms', intent: 'cannot_pay', dossierIds: ['dos_a1'] });
    c = { ...c, journey: { ...c.journey, segment: 'cannot_pay', segmentReasons: ['reply cannot_pay about dos_a1'] } };
    const beta = segmentFor(c, { clientId: 'beta', agent: false }, new Date(at(5)));
    // beta's own facts: no reply about its claim; nothing says that other facts exist
    expect(beta.segment).not.toBe('cannot_pay');
    expect(beta.segmentReasons.join(' ')).not.toMatch(/dos_a1|cannot|other|whole conversation/);
    expect(segmentFor(c, { clientId: 'acme', agent: false }, new Date(at(5))).segmentReasons.join(' ')).toMatch(/cannot/i);
  });
});

describe('replies and opt-outs belong to the number', () => {
  const PA = '+31610000001';
  const PB = '+31610000002';
  const twoNumbers = () => caseWith([{ ...ACME, phone: PA }, { ...BETA, phone: PB }]);

  it('a reply is about the claims its number was given with, among those the last messages covered', () => {
    let s = claimed(twoNumbers(), 1, 1, ['dos_a1'], 'sms');
    s = claimed(s, 2, 2, ['dos_a1', 'dos_b1'], 'letter');
    expect(replyScope(s, PA)).toEqual(['dos_a1']);
    expect(replyScope(s, PB)).toEqual(['dos_b1']);
    // one number for both: the last message covered both, so the reply may be about both
    const shared = claimed(claimed(caseWith([ACME, BETA]), 1, 1, ['dos_a1'], 'sms'), 2, 2, ['dos_a1', 'dos_b1'], 'letter');
    expect(replyScope(shared, ACME.phone)).toEqual(['dos_a1', 'dos_b1']);
    // before any message: every claim the number came with
    expect(replyScope(caseWith([ACME, BETA]), ACME.phone)).toEqual(['dos_a1', 'dos_b1']);
  });

  it('an opt-out at a number closes that number, for whoever uses it, and the channel once no other number is left', () => {
    let s = twoNumbers();
    s = applyEvent(s, { type: 'opted_out', at: at(1), channel: 'sms', point: PA });
    expect(s.optOuts).toEqual([]);
    expect(contactFor(s, 'sms', ['dos_a1'])).toBeUndefined();
    expect(contactFor(s, 'call', ['dos_a1'])?.value, 'an SMS opt-out is no call opt-out').toBe(PA);
    expect(contactFor(s, 'sms', ['dos_b1'])?.value).toBe(PB);
    expect(factsOf(s, { clientId: 'acme' }).debtor.optOuts).toEqual(['sms']);
    expect(factsOf(s, { clientId: 'beta' }).debtor.optOuts).toEqual([]);
    s = applyEvent(s, { type: 'opted_out', at: at(2), channel: 'all', point: PB });
    expect(contactFor(s, 'whatsapp', ['dos_b1'])).toBeUndefined();
    expect(contactFor(s, 'letter', ['dos_b1'])?.kind, 'the post is not the number').toBe('address');
  });

  it('a number opted out before keeps its opt-out when someone is filed with it', () => {
    const s = applyEvent(caseWith([ACME]), {
      type: 'claim_added',
      at: at(3),
      claim: { ...caseWith([{ ...BETA, dossierId: 'dos_b9' }]).dossiers.dos_b9, createdAt: at(3) },
      points: [{ kind: 'phone', value: ACME.phone, optedOut: ['sms'] }],
    });
    expect(s.contactPoints.find((p) => p.value === ACME.phone)?.optedOut).toEqual(['sms']);
    expect(contactFor(s, 'sms', ['dos_a1'])).toBeUndefined();
  });
});

describe('identity: only strong evidence joins two claims', () => {
  it('names are compared without case, punctuation or diacritics; "family name, given name" is turned round', () => {
    expect(normaliseName('J.A. de Vries-Bakker')).toBe(normaliseName('j a de vries bakker'));
    expect(normaliseName('Voorbeeld, Sam')).toBe(normaliseName('Sam Voorbeeld'));
    expect(normaliseName('Zoë Çelik')).toBe(normaliseName('Zoe Celik'));
    expect(normaliseName('Łukasz Øster')).toBe('lukasz oster');
    expect(normaliseName('S. Voorbeeld')).not.toBe(normaliseName('Sam Voorbeeld'));
    // the order of the parts is the person's: these are two people
    expect(normaliseName('Jan-Willem Smit')).not.toBe(normaliseName('Willem-Jan Smit'));
  });

  it('a name in another script is kept, never emptied: two such names stay two people', () => {
    expect(normaliseName('Иван Петров')).toBe('иван петров');
    expect(normaliseName('Мария Иванова')).not.toBe(normaliseName('Иван Петров'));
    expect(normaliseName('محمد علي')).not.toBe(normaliseName('王小明'));
    expect(normaliseName('محمد علي')).not.toBe('');
    for (const none of ['.', '😀', '\u200b\u200b', '  ', '123']) expect(letterCount(none)).toBeLessThan(2);
    expect(letterCount('王明')).toBe(2);
  });

  it('addresses: postal code, house number and the whole addition (another addition is another home), country', () => {
    expect(addressKey({ line1: 'Dorpsstraat 12 a', postalCode: '1234 ab' })).toBe(addressKey({ line1: 'Dorpsstraat 12A', postalCode: '1234AB' }));
    expect(addressKey({ line1: 'Dorpsstraat 12-a', postalCode: '1234AB' })).toBe('NL|1234AB|12|A');
    const flats = ['Kerkstraat 10', 'Kerkstraat 10-III', 'Kerkstraat 10 bis', 'Kerkstraat 10-huis', 'Kerkstraat 10 1e verdieping', 'Kerkstraat 10-2'];
    expect(new Set(flats.map((line1) => addressKey({ line1, postalCode: '1017 GC' }))).size).toBe(flats.length);
    expect(addressKey({ line1: 'Kerkweg 3', postalCode: '1234AB' })).not.toBe(addressKey({ line1: 'Kerkweg 5', postalCode: '1234AB' }));
    // outside the Netherlands the street counts, and the country always
    expect(addressKey({ line1: 'Rue Neuve 1', postalCode: '1000', country: 'BE' })).not.toBe(addressKey({ line1: 'Avenue Louise 1', postalCode: '1000', country: 'BE' }));
    expect(addressKey({ line1: 'Hauptstraße 1', postalCode: '1000', country: 'DE' })).not.toBe(addressKey({ line1: 'Hauptstraße 1', postalCode: '1000', country: 'AT' }));
    // a street with a number in its name: the same spelling gives the same key
    expect(addressKey({ line1: 'Plein 1940 12', postalCode: '1234AB' })).toBe(addressKey({ line1: 'plein 1940 12', postalCode: '1234 ab' }));
  });

  it('a claim offers one look-up key per contact point, each with the name', () => {
    const keys = identityKeys({ name: 'Sam Voorbeeld', phone: '+31612345678', email: 'Sam@Example.invalid', address: { line1: 'Dorpsstraat 1', postalCode: '1234 AB' } });
    expect(keys.name).toBe('sam voorbeeld');
    expect(keys.keys.map((k) => k.key)).toEqual(['phone|+31612345678', 'email|sam@example.invalid', 'address|NL|1234AB|1|']);
  });

  it('another name or another postal address is another person; a missing address is no conflict', () => {
    const known = identityOf(caseWith([ACME]));
    expect(known).toEqual({ names: ['sam voorbeeld'], addresses: ['NL|1234AB|1|'] });
    expect(identityConflict(known, { name: 'Sam Voorbeeld' })).toBeUndefined();
    expect(identityConflict(known, { name: 'voorbeeld, sam', address: { line1: 'Dorpsstraat 1', postalCode: '1234 ab' } })).toBeUndefined();
    expect(identityConflict(known, { name: 'Kim Voorbeeld' })).toBe('another name');
    expect(identityConflict(known, { name: 'Sam Voorbeeld', address: { line1: 'Stationsweg 9', postalCode: '9999ZZ' } })).toBe('another postal address');
  });
});

describe('the stored contact log', () => {
  const contact = fc.record(
    {
      at: fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2040-01-01') }).map((t) => new Date(t).toISOString()),
      channel: fc.constantFrom(...CHANNELS),
      phase: fc.constantFrom(...PHASES),
      tone: fc.constantFrom(...TONES),
      stepNo: fc.integer({ min: 1, max: 10_000 }),
      journeyNo: fc.integer({ min: 1, max: 500 }),
      dossierIds: fc.array(fc.constantFrom('dos_a1', 'dos_b1', 'dos_unknown7'), { maxLength: 3 }),
      arrived: fc.constant(true),
      returned: fc.constant(true),
      o: fc.constantFrom('r', 'ry', 'ryp$'),
      oc: fc.dictionary(fc.constantFrom('acme', 'globex', 'a|b,c=d', 'ü x'), fc.constantFrom('', 'r', 'r$', 'ryp')),
    },
    { requiredKeys: ['at', 'channel'] },
  );

  it('every contact reads back as it was written, with or without the case at hand', () => {
    const o = ordinalsOf(caseWith([ACME, BETA]));
    fc.assert(
      fc.property(contact, (c) => {
        expect(decodeContact(encodeContact(c, o), o)).toEqual(c);
        // written by the hot path (no ordinals), read with the case
        expect(decodeContact(encodeContact(c, NO_ORDINALS), o)).toEqual(c);
      }),
      { numRuns: 500 },
    );
  });

  it('a whole case round-trips, and is much smaller stored', () => {
    let s = caseWith([ACME, BETA]);
    for (let i = 1; i <= 30; i++) s = claimed(s, i, i, i % 2 ? ['dos_a1'] : ['dos_a1', 'dos_b1']);
    const stored = encodeCase(s);
    expect(decodeCase(JSON.parse(JSON.stringify(stored)))).toEqual(s);
    expect(JSON.stringify(stored).length).toBeLessThan(JSON.stringify(s).length * 0.6);
  });

  it('a contact stored before the compact form reads as it was', () => {
    const old: ContactFact = { at: at(1), channel: 'letter', phase: 'fourteen_day_letter', tone: 'neutral', stepNo: 3, journeyNo: 1, dossierIds: ['dos_a1'] };
    expect(decodeContact(old, NO_ORDINALS)).toBe(old);
  });
});
