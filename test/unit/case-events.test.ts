/**
 * The case reducer's creditor events (issue 13): contact details replaced per claim, flags set and cleared per
 * client, withdrawal, dispute and its resolution, the moment a dossier was paid in full. Pure: no store.
 */
import { describe, expect, it } from 'vitest';
import { addressKey } from '../../functions/domain/case/identity.js';
import { applyEvent, type CaseEvent, type NewContactPoint } from '../../functions/domain/case/events.js';
import { type CaseState, type ClaimRecord, contactFor, emptyCase, factsOf, identityOf } from '../../functions/domain/case/state.js';

const T0 = '2026-03-02T09:00:00.000Z';
const T1 = '2026-03-03T09:00:00.000Z';

function claim(dossierId: string, clientId: string, over: Partial<ClaimRecord> = {}): ClaimRecord {
  return {
    dossierId,
    clientId,
    reference: `REF-${dossierId}`,
    principal: 10_000,
    costs: 0,
    paid: 0,
    dueDate: '2026-02-01',
    status: 'open',
    createdAt: T0,
    updatedAt: T0,
    consumer: true,
    name: 'Sam Voorbeeld',
    language: 'nl',
    payments: [],
    paymentKeys: [],
    ...over,
  };
}

const email = (value: string): NewContactPoint => ({ kind: 'email', value });
const phone = (value: string, whatsappOptIn = false): NewContactPoint => ({ kind: 'phone', value, ...(whatsappOptIn ? { whatsappOptIn } : {}) });

/** acme: dos_a1, dos_a2 (same email and phone); globex: dos_g1 with the same phone and its own email. */
function shared(): CaseState {
  const events: CaseEvent[] = [
    { type: 'claim_added', at: T0, claim: claim('dos_a1', 'acme'), points: [email('sam@acme.example'), phone('+31612345678', true)], identity: { name: 'Sam Voorbeeld' } },
    { type: 'claim_added', at: T0, claim: claim('dos_a2', 'acme'), points: [email('sam@acme.example'), phone('+31612345678', true)], identity: { name: 'Sam Voorbeeld' } },
    { type: 'claim_added', at: T0, claim: claim('dos_g1', 'globex'), points: [email('sam@globex.example'), phone('+31612345678')], identity: { name: 'Sam Voorbeeld' } },
  ];
  return events.reduce(applyEvent, emptyCase('deb_1', T0));
}

const pointsOf = (s: CaseState, kind: string) => s.contactPoints.filter((p) => p.kind === kind);

describe('contact_updated', () => {
  it('replaces the email this creditor gave for its claims and leaves the other creditor’s alone', () => {
    const s = shared();
    const next = applyEvent(s, { type: 'contact_updated', at: T1, clientId: 'acme', dossierIds: ['dos_a1', 'dos_a2'], replace: { email: email('sam.new@acme.example') } });
    expect(next.eventSeq).toBe(s.eventSeq + 1);
    const emails = pointsOf(next, 'email');
    expect(emails.map((p) => p.value).sort()).toEqual(['sam.new@acme.example', 'sam@globex.example']);
    expect(emails.find((p) => p.value === 'sam.new@acme.example')!.sources.map((x) => [x.dossierId, x.clientId, x.at])).toEqual([
      ['dos_a1', 'acme', T1],
      ['dos_a2', 'acme', T1],
    ]);
    expect(emails.find((p) => p.value === 'sam@globex.example')).toEqual(pointsOf(s, 'email').find((p) => p.value === 'sam@globex.example'));
  });

  it('keeps a shared phone for the other creditor when one creditor replaces or removes it', () => {
    const s = shared();
    const replaced = applyEvent(s, { type: 'contact_updated', at: T1, clientId: 'acme', dossierIds: ['dos_a1', 'dos_a2'], replace: { phone: phone('+31687654321') } });
    const phones = pointsOf(replaced, 'phone');
    expect(phones.find((p) => p.value === '+31612345678')!.sources.map((x) => x.dossierId)).toEqual(['dos_g1']);
    expect(phones.find((p) => p.value === '+31687654321')!.sources.map((x) => x.dossierId)).toEqual(['dos_a1', 'dos_a2']);
    // The new number has no WhatsApp opt-in unless it was given with it.
    expect(factsOf(replaced).debtor.whatsappOptIn).toBe(false);

    const removed = applyEvent(s, { type: 'contact_updated', at: T1, clientId: 'acme', dossierIds: ['dos_a1', 'dos_a2'], replace: { phone: null } });
    expect(pointsOf(removed, 'phone').map((p) => p.sources.map((x) => x.dossierId))).toEqual([['dos_g1']]);
    // Only globex's contact details remain for globex's claim; acme's claims have no phone now.
    expect(factsOf(removed, { clientId: 'acme' }).debtor.hasPhone).toBe(false);
    expect(factsOf(removed, { clientId: 'globex' }).debtor.hasPhone).toBe(true);
  });

  it('drops a contact point nobody gave any more, including its unusable mark', () => {
    const s = applyEvent(shared(), { type: 'delivery', at: T0, journeyNo: 1, stepNo: 1, channel: 'email', status: 'bounced', unusable: { value: 'sam@globex.example', reason: 'hard bounce' } });
    expect(pointsOf(s, 'email').find((p) => p.value === 'sam@globex.example')!.unusable).toBeDefined();
    const next = applyEvent(s, { type: 'contact_updated', at: T1, clientId: 'globex', dossierIds: ['dos_g1'], replace: { email: email('sam2@globex.example') } });
    expect(pointsOf(next, 'email').map((p) => [p.value, !!p.unusable]).sort()).toEqual([
      ['sam2@globex.example', false],
      ['sam@acme.example', false],
    ]);
  });

  it('sets or clears the WhatsApp opt-in on this creditor’s phone sources only', () => {
    const s = shared();
    const off = applyEvent(s, { type: 'contact_updated', at: T1, clientId: 'acme', dossierIds: ['dos_a1', 'dos_a2'], replace: {}, whatsappOptIn: false });
    expect(factsOf(off).debtor.whatsappOptIn).toBe(false);
    const on = applyEvent(off, { type: 'contact_updated', at: T1, clientId: 'globex', dossierIds: ['dos_g1'], replace: {}, whatsappOptIn: true });
    const sources = pointsOf(on, 'phone')[0].sources;
    expect(sources.filter((x) => x.whatsappOptIn).map((x) => x.dossierId)).toEqual(['dos_g1']);
  });

  it('changes nothing for another creditor’s claims or a repeat of the same change', () => {
    const s = shared();
    expect(applyEvent(s, { type: 'contact_updated', at: T1, clientId: 'globex', dossierIds: ['dos_a1'], replace: { email: email('evil@globex.example') } })).toBe(s);
    const once = applyEvent(s, { type: 'contact_updated', at: T1, clientId: 'acme', dossierIds: ['dos_a1', 'dos_a2'], replace: { email: email('sam.new@acme.example') } });
    const twice = applyEvent(once, { type: 'contact_updated', at: '2026-03-04T09:00:00.000Z', clientId: 'acme', dossierIds: ['dos_a1', 'dos_a2'], replace: { email: email('sam.new@acme.example') } });
    expect(twice).toBe(once);
    expect(applyEvent(once, { type: 'contact_updated', at: T1, clientId: 'acme', dossierIds: ['dos_a1', 'dos_a2'], replace: { address: null } })).toBe(once);
  });

  it('adds what a new address tells about the person', () => {
    const address = { line1: 'Kerkstraat 5', postalCode: '1234 AB', city: 'Utrecht', country: 'NL' };
    const next = applyEvent(shared(), {
      type: 'contact_updated',
      at: T1,
      clientId: 'acme',
      dossierIds: ['dos_a1'],
      replace: { address: { kind: 'address', value: addressKey(address), address } },
    });
    expect(identityOf(next).addresses).toContain(addressKey(address));
    expect(pointsOf(next, 'address')[0]).toMatchObject({ value: addressKey(address), address, sources: [{ dossierId: 'dos_a1', clientId: 'acme', at: T1 }] });
  });
});

describe('contact_updated and opt-outs (they belong to the number and to the person)', () => {
  it('a number someone opted out of stays opted out when a creditor lets go of it and another still uses it', () => {
    const s = applyEvent(shared(), { type: 'opted_out', at: T0, channel: 'sms', point: '+31612345678' });
    const next = applyEvent(s, { type: 'contact_updated', at: T1, clientId: 'acme', dossierIds: ['dos_a1', 'dos_a2'], replace: { phone: phone('+31687654321') } });
    expect(pointsOf(next, 'phone').find((p) => p.value === '+31612345678')).toMatchObject({ optedOut: ['sms'], sources: [{ dossierId: 'dos_g1' }] });
    expect(pointsOf(next, 'phone').find((p) => p.value === '+31687654321')!.optedOut).toBeUndefined();
    expect(contactFor(next, 'sms', ['dos_g1'])).toBeUndefined();
    expect(contactFor(next, 'sms', ['dos_a1'])!.value).toBe('+31687654321');
  });

  it('a new number brings the opt-outs recorded for it, also onto a point the case has', () => {
    const s = shared();
    const fresh = applyEvent(s, { type: 'contact_updated', at: T1, clientId: 'acme', dossierIds: ['dos_a1', 'dos_a2'], replace: { phone: { ...phone('+31687654321'), optedOut: ['all'] } } });
    expect(pointsOf(fresh, 'phone').find((p) => p.value === '+31687654321')!.optedOut).toEqual(['all']);
    expect(contactFor(fresh, 'sms', ['dos_a1'])).toBeUndefined();
    const joined = applyEvent(s, { type: 'contact_updated', at: T1, clientId: 'globex', dossierIds: ['dos_g1'], replace: { phone: { ...phone('+31612345678'), optedOut: ['whatsapp'] } } });
    // globex's number is already on the case (acme's too): an unchanged point, the change is a repeat
    expect(joined).toBe(s);
  });

  it('a person who opted out of everything is not messaged on a new number either', () => {
    const s = applyEvent(shared(), { type: 'opted_out', at: T0, channel: 'all', dossierIds: ['dos_a1'] });
    const next = applyEvent(s, { type: 'contact_updated', at: T1, clientId: 'acme', dossierIds: ['dos_a1', 'dos_a2'], replace: { phone: phone('+31687654321', true), email: email('sam.new@acme.example') } });
    expect(next.optOuts).toEqual(['all']);
    expect(factsOf(next, { clientId: 'acme' }).debtor.optOuts).toContain('all');
  });
});

describe('flags_set', () => {
  it('records a flag per client, visible to the decision, and lets a client clear only its own', () => {
    const s = shared();
    const a = applyEvent(s, { type: 'flags_set', at: T1, clientId: 'acme', dossierIds: ['dos_a1', 'dos_a2'], add: ['wsnp'], remove: [] });
    expect(a.eventSeq).toBe(s.eventSeq + 1);
    expect(factsOf(a).debtor.flags).toEqual(['wsnp']);
    expect(factsOf(a, { clientId: 'acme' }).debtor.flags).toEqual(['wsnp']);
    // globex may not see acme's flag (it came with acme's claims) …
    expect(factsOf(a, { clientId: 'globex' }).debtor.flags).toEqual([]);
    // … nor clear it.
    expect(applyEvent(a, { type: 'flags_set', at: T1, clientId: 'globex', add: [], remove: ['wsnp'] })).toBe(a);
    const both = applyEvent(a, { type: 'flags_set', at: T1, clientId: 'globex', dossierIds: ['dos_g1'], add: ['wsnp'], remove: [] });
    const cleared = applyEvent(both, { type: 'flags_set', at: T1, clientId: 'acme', dossierIds: ['dos_a1', 'dos_a2'], add: [], remove: ['wsnp'] });
    expect(cleared.flags.map((f) => [f.flag, f.clientId])).toEqual([['wsnp', 'globex']]);
    expect(factsOf(cleared).debtor.flags).toEqual(['wsnp']);
  });

  it('is idempotent: the same flag again changes nothing', () => {
    const a = applyEvent(shared(), { type: 'flags_set', at: T1, clientId: 'acme', dossierIds: ['dos_a1'], add: ['vulnerable', 'beslag'], remove: [] });
    expect(applyEvent(a, { type: 'flags_set', at: '2026-03-09T09:00:00.000Z', clientId: 'acme', dossierIds: ['dos_a1'], add: ['vulnerable'], remove: [] })).toBe(a);
    expect(applyEvent(a, { type: 'flags_set', at: T1, clientId: 'acme', add: [], remove: ['moratorium'] })).toBe(a);
  });
});

describe('withdrawal and disputes', () => {
  it('withdraws an open or paused dossier, and nothing else', () => {
    const s = shared();
    const w = applyEvent(s, { type: 'dossier_withdrawn', at: T1, dossierId: 'dos_a1', reason: 'settled directly' });
    expect(w.dossiers.dos_a1).toMatchObject({ status: 'withdrawn', statusReason: 'withdrawn by the creditor: settled directly', updatedAt: T1 });
    expect(w.eventSeq).toBe(s.eventSeq + 1);
    expect(applyEvent(w, { type: 'dossier_withdrawn', at: T1, dossierId: 'dos_a1', reason: '' })).toBe(w);
    const paused = applyEvent(s, { type: 'dispute_opened', at: T1, dossierId: 'dos_a2', reason: '' });
    expect(applyEvent(paused, { type: 'dossier_withdrawn', at: T1, dossierId: 'dos_a2', reason: '' }).dossiers.dos_a2.status).toBe('withdrawn');
    const paid = applyEvent(s, { type: 'payment', at: T1, dossierId: 'dos_g1', amount: 10_000, paidAt: T1, key: 'ref:x' });
    expect(applyEvent(paid, { type: 'dossier_withdrawn', at: T1, dossierId: 'dos_g1', reason: '' })).toBe(paid);
  });

  it('a dispute pauses an open dossier; resolved for the creditor it is open again, for the debtor withdrawn', () => {
    const s = shared();
    const d = applyEvent(s, { type: 'dispute_opened', at: T1, dossierId: 'dos_a1', reason: 'debtor says the meter reading is wrong' });
    expect(d.dossiers.dos_a1).toMatchObject({ status: 'paused', statusReason: 'disputed: debtor says the meter reading is wrong', statusAt: T1 });
    expect(applyEvent(d, { type: 'dispute_opened', at: T1, dossierId: 'dos_a1', reason: 'again' })).toBe(d);
    const r = applyEvent(d, { type: 'dispute_resolved', at: T1, dossierIds: ['dos_a1'], inFavourOf: 'creditor', reason: 'dispute resolved in the creditor’s favour' });
    expect(r.dossiers.dos_a1).toMatchObject({ status: 'open', statusReason: 'dispute resolved in the creditor’s favour', statusAt: T1 });
    expect(r.eventSeq).toBe(d.eventSeq + 1);
    expect(r.journey).toBe(d.journey);
    expect(applyEvent(r, { type: 'dispute_resolved', at: T1, dossierIds: ['dos_a1'], inFavourOf: 'creditor', reason: '' })).toBe(r);
    const w = applyEvent(d, { type: 'dispute_resolved', at: T1, dossierIds: ['dos_a1'], inFavourOf: 'debtor', reason: 'dispute resolved in the debtor’s favour: withdrawn' });
    expect(w.dossiers.dos_a1.status).toBe('withdrawn');
  });

  it('one dispute model: a dispute in the debtor’s reply is resolved by the same event', () => {
    const s = applyEvent(shared(), { type: 'reply', at: T1, channel: 'sms', intent: 'dispute', dossierIds: ['dos_g1'], messageId: 'SM1' });
    expect(s.dossiers.dos_g1.status).toBe('paused');
    const r = applyEvent(s, { type: 'dispute_resolved', at: T1, dossierIds: ['dos_g1'], inFavourOf: 'creditor', reason: 'dispute resolved in the creditor’s favour' });
    expect(r.dossiers.dos_g1.status).toBe('open');
  });

  it('a debt-help dossier may be withdrawn', () => {
    const s = applyEvent(shared(), { type: 'status', at: T1, dossierIds: ['dos_a1'], to: 'debt_help', from: ['open', 'paused'], reason: 'debt help' });
    expect(applyEvent(s, { type: 'dossier_withdrawn', at: T1, dossierId: 'dos_a1', reason: '' }).dossiers.dos_a1.status).toBe('withdrawn');
  });

  it('after the journey ended for want of open dossiers, the resolution and journey_opened (services/disputes.ts) open the next journey', () => {
    let s = shared();
    for (const id of ['dos_a1', 'dos_a2', 'dos_g1']) s = applyEvent(s, { type: 'dispute_opened', at: T1, dossierId: id, reason: '' });
    s = applyEvent(s, { type: 'journey_closed', at: T1, reason: 'no open dossiers left', closing: { detail: 'Journey ended.', at: T1 } });
    expect(s.journey.status).toBe('closed');
    const at = '2026-03-10T09:00:00.000Z';
    const events: CaseEvent[] = [
      { type: 'dispute_resolved', at, dossierIds: ['dos_g1'], inFavourOf: 'creditor', reason: 'dispute resolved in the creditor’s favour' },
      { type: 'journey_opened', at },
    ];
    const r = events.reduce(applyEvent, s);
    expect(r.journey).toMatchObject({ status: 'active', journeyNo: 2, stepNo: 0, startedAt: at });
  });
});

describe('payment in full', () => {
  it('remembers when the payments first covered the claim, not when a later surplus came', () => {
    let s = shared();
    s = applyEvent(s, { type: 'payment', at: T0, dossierId: 'dos_a1', amount: 6_000, paidAt: T0, key: 'ref:1' });
    expect(s.dossiers.dos_a1.paidInFullAt).toBeUndefined();
    s = applyEvent(s, { type: 'payment', at: T1, dossierId: 'dos_a1', amount: 4_000, paidAt: T1, key: 'ref:2' });
    expect(s.dossiers.dos_a1).toMatchObject({ status: 'paid', paidInFullAt: T1 });
    s = applyEvent(s, { type: 'payment', at: '2026-03-05T09:00:00.000Z', dossierId: 'dos_a1', amount: 500, paidAt: T1, key: 'ref:3' });
    expect(s.dossiers.dos_a1).toMatchObject({ status: 'paid', paid: 10_500, paidInFullAt: T1 });
  });
});
