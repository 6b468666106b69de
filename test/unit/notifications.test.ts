/** The pure part of creditor notifications: which timeline entry notifies whom with what, and the signature. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, mayNotify, notificationId, notificationsFor, RETRY_DELAYS_S, type SourceEntry } from '../../functions/domain/notifications.js';
import { sign, verifySignature } from '../../functions/notifications/signature.js';

const owners = [
  { dossierId: 'dos_a1', clientId: 'acme', reference: 'A-1' },
  { dossierId: 'dos_a2', clientId: 'acme', reference: 'A-2' },
  { dossierId: 'dos_g1', clientId: 'globex', reference: 'G-1' },
];
const at = '2026-03-02T09:00:00.000Z';
const entry = (e: Partial<SourceEntry>): SourceEntry => ({ eventId: 'in-SM1', at, type: 'replied', dossierIds: ['dos_a1'], ...e });
const kinds = (e: SourceEntry) => notificationsFor('deb_1', e, owners).map((n) => [n.clientId, n.type, n.dossierIds]);

describe('what notifies whom', () => {
  it('a reply about one creditor’s claims: its words to that creditor, and what it means', () => {
    const out = notificationsFor('deb_1', entry({ text: 'ik betaal vrijdag', intent: 'promise_to_pay', confidence: 0.9, channel: 'sms', data: { date: '2026-03-06' } }), owners);
    expect(out.map((n) => n.type)).toEqual(['reply.received', 'promise.made']);
    expect(out[0]).toMatchObject({ clientId: 'acme', debtorId: 'deb_1', dossierIds: ['dos_a1'], references: ['A-1'], occurredAt: at, data: { intent: 'promise_to_pay', confidence: 0.9, channel: 'sms', text: 'ik betaal vrijdag' } });
    expect(out[1].data).toEqual({ by: 'debtor', channel: 'sms', date: '2026-03-06' });
  });

  it('a reply about two creditors’ claims: each gets its own dossiers and the intent, never the words', () => {
    const out = notificationsFor('deb_1', entry({ dossierIds: ['dos_a1', 'dos_g1'], text: 'Mijn man is overleden', intent: 'vulnerable', channel: 'sms' }), owners);
    expect(out.map((n) => [n.clientId, n.type, n.dossierIds])).toEqual([
      ['acme', 'reply.received', ['dos_a1']],
      ['globex', 'reply.received', ['dos_g1']],
      ['acme', 'vulnerability.flagged', ['dos_a1']],
      ['globex', 'vulnerability.flagged', ['dos_g1']],
    ]);
    for (const n of out) expect(JSON.stringify(n)).not.toContain('overleden');
  });

  it('what a reply carries besides its main intent counts too; a page statement has no words', () => {
    expect(kinds(entry({ intent: 'call_me', data: { also: ['dispute', 'debt_help'] } })).map((k) => k[1])).toEqual(['reply.received', 'dispute.opened', 'debt_help.reported']);
    const page = notificationsFor('deb_1', entry({ intent: 'dispute', data: { intent: 'dispute', via: 'page' }, text: 'x' }), owners);
    expect(page[0].data).toMatchObject({ channel: 'page' });
    expect(page[0].data.text).toBeUndefined();
    expect(kinds(entry({ intent: 'postpone' })).map((k) => k[1])).toEqual(['reply.received']);
    expect(kinds(entry({ intent: 'postpone', data: { date: '2026-04-01' } })).map((k) => k[1])).toEqual(['reply.received', 'promise.made']);
  });

  it.each([
    [{ type: 'status', data: { action: 'withdraw', status: 'withdrawn' } }, 'dossier.withdrawn'],
    [{ type: 'status', data: { action: 'dispute', status: 'paused' } }, 'dispute.opened'],
    [{ type: 'dispute_resolved', data: { inFavourOf: 'debtor' } }, 'dossier.withdrawn'],
    [{ type: 'dispute_resolved', data: { inFavourOf: 'creditor' } }, undefined],
    [{ type: 'paid' }, 'dossier.paid'],
    [{ type: 'flags', data: { add: ['vulnerable'], remove: [], by: 'agency' } }, 'vulnerability.flagged'],
    [{ type: 'flags', data: { add: ['wsnp'], remove: [] } }, 'debt_help.reported'],
    [{ type: 'flags', data: { add: [], remove: ['vulnerable'] } }, undefined],
    [{ type: 'call_outcome', data: { outcome: 'promise_to_pay' } }, 'promise.made'],
    [{ type: 'call_outcome', data: { outcome: 'vulnerable' } }, 'vulnerability.flagged'],
    [{ type: 'call_outcome', data: { outcome: 'reached' } }, undefined],
    [{ type: 'journey_ended' }, undefined],
    [{ type: 'sent' }, undefined],
    [{ type: 'payment', data: { amount: 100 } }, undefined],
  ] as const)('%j → %s', (e, type) => {
    expect(notificationsFor('deb_1', entry(e as Partial<SourceEntry>), owners).map((n) => n.type)).toEqual(type ? [type] : []);
  });

  it('a hand-over notifies about the dossiers it handed over, each creditor its own', () => {
    expect(kinds(entry({ type: 'journey_ended', dossierIds: ['dos_a1', 'dos_a2', 'dos_g1'], data: { handedOver: ['dos_a2', 'dos_g1'] } }))).toEqual([
      ['acme', 'dossier.handed_over', ['dos_a2']],
      ['globex', 'dossier.handed_over', ['dos_g1']],
    ]);
  });

  it('an entry about no known dossier notifies nobody; ids are fixed per creditor, case, entry and type', () => {
    expect(notificationsFor('deb_1', entry({ dossierIds: ['dos_x'] }), owners)).toEqual([]);
    const a = notificationsFor('deb_1', entry({ intent: 'dispute' }), owners);
    const b = notificationsFor('deb_1', entry({ intent: 'dispute' }), owners);
    expect(a.map((n) => n.id)).toEqual(b.map((n) => n.id));
    expect(new Set(a.map((n) => n.id)).size).toBe(a.length);
    expect(notificationId('acme', 'deb_1', 'in-SM1', 'reply.received')).not.toBe(notificationId('globex', 'deb_1', 'in-SM1', 'reply.received'));
    expect(notificationId('acme', 'deb_1', 'in-SM1', 'reply.received')).toMatch(/^ntf_[0-9a-f]{32}$/);
  });

  it('retries for at least 24 hours', () => {
    expect(RETRY_DELAYS_S.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(24 * 3600);
    expect(MAX_ATTEMPTS).toBe(8);
  });
});

describe('which entries cost a look-up at all', () => {
  it('a journey end only when it handed dossiers over; decisions and sends never', () => {
    const entry = (type: string, data?: Record<string, unknown>) => ({ type, ...(data ? { data } : {}) });
    expect(mayNotify(entry('journey_ended', { handedOver: ['dos_1'] }))).toBe(true);
    expect(mayNotify(entry('journey_ended', { handedOver: [] }))).toBe(false);
    expect(mayNotify(entry('journey_ended'))).toBe(false);
    for (const type of ['decision', 'sent', 'costs', 'answered']) expect(mayNotify(entry(type))).toBe(false);
    for (const type of ['replied', 'paid', 'status', 'flags']) expect(mayNotify(entry(type))).toBe(true);
  });
});

describe('the signature', () => {
  const secret = 'whsec_test_secret_of_some_length';
  const body = '{"id":"ntf_1","type":"dossier.paid"}';
  it('is HMAC-SHA256 over "t.body" in hex', () => {
    const header = sign(secret, 1_772_442_000, body);
    expect(header).toBe(`t=1772442000,v1=${createHmac('sha256', secret).update(`1772442000.${body}`).digest('hex')}`);
    expect(verifySignature(secret, header, body, 1_772_442_100)).toBe(true);
  });
  it('refuses another secret, another body, an old or future timestamp and malformed headers', () => {
    const header = sign(secret, 1_772_442_000, body);
    expect(verifySignature('whsec_other', header, body, 1_772_442_000)).toBe(false);
    expect(verifySignature(secret, header, body.replace('paid', 'Paid'), 1_772_442_000)).toBe(false);
    expect(verifySignature(secret, header, body, 1_772_442_000 + 301)).toBe(false);
    expect(verifySignature(secret, header, body, 1_772_442_000 - 301)).toBe(false);
    for (const bad of [undefined, '', 't=abc,v1=00', 't=1772442000', 'v1=ab', `t=1772442000,v1=${'0'.repeat(64)}`, 't=1772442000,v1=zz']) expect(verifySignature(secret, bad, body, 1_772_442_000), String(bad)).toBe(false);
  });
});
