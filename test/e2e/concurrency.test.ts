/**
 * Concurrency (issue 13 "No orphans", "Payments that add up"), on the local runtime over HTTP:
 * - 20 identical claims at once — without and with an Idempotency-Key, for a debtor with full details and for one
 *   known only by name and address — leave exactly one dossier, one debtor (case), one journey execution, and no
 *   debtor, case or look-up that no dossier accounts for;
 * - 20 identical payments at once are booked once; 10 with one reference and different amounts book one and refuse
 *   the rest (409); 10 different payments at once all add up, a surplus shown as refundDue, "paid" recorded once;
 * - a payment that would take the paid total past the limit is a 422 and leaves nothing behind, also when two
 *   payments race for the last room under it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossierBody, type Harness, startLocal } from '../support/local.js';
import { storeCounts, storeItems } from '../support/edge.js';
import { MAX_CENTS, MAX_PAID_TOTAL_CENTS } from '../../functions/shared/schemas.js';

let h: Harness;
beforeAll(async () => {
  // A Sunday: the first contact waits until Monday, so the claims themselves are all that happens.
  h = await startLocal({ start: '2026-03-01T10:00:00Z' });
});
afterAll(async () => h?.stop());

const parallel = <T>(n: number, fn: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

async function executionsOf(debtorId: string): Promise<string[]> {
  const list = (await h.rt.sfn.api('ListExecutions', { stateMachineArn: h.rt.stateMachineArn, maxResults: 1000 })) as { executions: Array<{ name: string }> };
  return list.executions.map((e) => e.name).filter((n) => n.startsWith(`${debtorId}-`));
}

/**
 * The whole store accounts for itself: every case holds at least one dossier, every dossier item belongs to a
 * case that holds it, every identity key and phone/email look-up points at a case, every execution at a case.
 */
async function noOrphans(): Promise<void> {
  const items = await storeItems(h.rt);
  const cases = new Map(items.filter((i) => i.SK === 'CASE').map((i) => [i.caseId as string, i]));
  for (const c of cases.values()) expect(Object.keys(c.dossiers ?? {}).length, `case ${c.caseId} has a dossier`).toBeGreaterThan(0);
  for (const d of items.filter((i) => i.SK === 'DOSSIER')) expect(cases.get(d.debtorId)?.dossiers?.[d.dossierId], `dossier ${d.dossierId} is in its case`).toBeDefined();
  for (const ident of items.filter((i) => String(i.PK).startsWith('IDENT#'))) {
    for (const [k, v] of Object.entries(ident)) if (k.startsWith('k_')) expect(cases.has(v as string), `identity key → ${v}`).toBe(true);
  }
  // (a number's opt-out record, PHONE#… / OPTOUT, names no debtor: it holds for whoever is filed with the number)
  for (const look of items.filter((i) => /^(PHONE|EMAIL|DREF)#/.test(String(i.PK)) && i.SK !== 'OPTOUT')) expect(cases.has(look.debtorId), `${look.PK} → ${look.debtorId}`).toBe(true);
  const list = (await h.rt.sfn.api('ListExecutions', { stateMachineArn: h.rt.stateMachineArn, maxResults: 1000 })) as { executions: Array<{ name: string }> };
  for (const e of list.executions) expect(cases.has(e.name.replace(/-j\d+$/, '')), `execution ${e.name}`).toBe(true);
}

describe('no orphans: 20 identical claims at once', () => {
  const scenarios: Array<[string, Record<string, unknown>, boolean]> = [
    ['a debtor with full details, no Idempotency-Key', { name: 'Iris Gelijk', phone: '+31612001001', email: 'iris@example.invalid' }, false],
    ['a debtor with full details, one Idempotency-Key', { name: 'Ivo Gelijk', phone: '+31612001002', email: 'ivo@example.invalid' }, true],
    ['an address-only debtor, no Idempotency-Key', { name: 'Ada Adres', phone: undefined, email: undefined, address: { line1: 'Postweg 12', postalCode: '9999 ZZ', city: 'Groningen' } }, false],
    ['an address-only debtor, one Idempotency-Key', { name: 'Aad Adres', phone: undefined, email: undefined, address: { line1: 'Postweg 14', postalCode: '9999 ZZ', city: 'Groningen' } }, true],
  ];

  it.each(scenarios)('%s: one dossier, one debtor, one case, one execution', async (_name, debtor, withKey) => {
    const reference = `SAME-${String(debtor.name).replace(/\W/g, '')}`;
    const body = JSON.parse(JSON.stringify(dossierBody({ reference }, debtor)));
    const res = await parallel(20, () => h.api('POST', '/v1/dossiers', body, withKey ? { headers: { 'Idempotency-Key': `k-${reference}` } } : {}));
    expect(res.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(res.map((r) => JSON.stringify(r.body))).size, 'every answer the same').toBe(1);
    const { dossierId, debtorId } = res[0].body;
    await h.advance({ seconds: 0 });

    const items = await storeItems(h.rt);
    expect(items.filter((i) => i.SK === 'DOSSIER' && i.reference === reference).map((i) => i.dossierId)).toEqual([dossierId]);
    const cases = items.filter((i) => i.SK === 'CASE' && Object.values(i.dossiers ?? {}).some((d: any) => d.reference === reference));
    expect(cases.map((c) => c.caseId)).toEqual([debtorId]);
    expect(Object.keys(cases[0].dossiers)).toEqual([dossierId]);
    expect(items.filter((i) => i.SK === 'CASE' && Object.values(i.dossiers ?? {}).some((d: any) => d.name === debtor.name)).length, 'one case for the person').toBe(1);
    expect(await executionsOf(debtorId)).toEqual([`${debtorId}-j1`]);
    const claimed = items.filter((i) => i.PK === `DEBTOR#${debtorId}` && String(i.SK).startsWith('EVENT#') && i.type === 'claim_received');
    expect(claimed, 'one claim_received entry').toHaveLength(1);
    await noOrphans();
  });
});

describe('payments under concurrency', () => {
  let n = 0;
  async function dossier(principal: number) {
    n++;
    const res = await h.api('POST', '/v1/dossiers', dossierBody({ reference: `PAYC-${n}`, principal }, { name: `Paula Betaal ${n}`, phone: `+3161200200${n}`, email: `paula${n}@example.invalid` }));
    expect(res.status).toBe(201);
    return res.body as { dossierId: string; debtorId: string };
  }
  const pay = (dossierId: string, body: Record<string, unknown>, headers?: Record<string, string>) => h.api('POST', `/v1/dossiers/${dossierId}/payments`, body, headers ? { headers } : {});
  const timeline = async (dossierId: string) => (await h.api('GET', `/v1/dossiers/${dossierId}`)).body.timeline as Array<{ type: string }>;
  const paymentItems = async (dossierId: string) => (await storeItems(h.rt)).filter((i) => i.PK === `DOSSIER#${dossierId}` && String(i.SK).startsWith('PAYMENT#'));

  it('20 identical payments at once (same reference, or same Idempotency-Key) are booked once', async () => {
    const d = await dossier(10_000);
    const byRef = await parallel(20, () => pay(d.dossierId, { amount: 2_500, reference: 'BANK-SAME' }));
    expect(byRef.map((r) => r.status)).toEqual(Array(20).fill(200));
    const byKey = await parallel(20, () => pay(d.dossierId, { amount: 1_000 }, { 'Idempotency-Key': 'pay-same-1' }));
    expect(byKey.map((r) => r.status)).toEqual(Array(20).fill(200));
    const view = (await h.api('GET', `/v1/dossiers/${d.dossierId}`)).body;
    expect(view.amounts).toEqual({ principal: 10_000, costs: 0, interest: 0, paid: 3_500, outstanding: 6_500 });
    expect((await timeline(d.dossierId)).filter((e) => e.type === 'payment')).toHaveLength(2);
    expect(await paymentItems(d.dossierId)).toHaveLength(2);
  });

  it('10 payments at once with one reference and different amounts: one is booked, nine are 409', async () => {
    const d = await dossier(10_000);
    const res = await parallel(10, (i) => pay(d.dossierId, { amount: 1_000 + i, reference: 'BANK-RACE' }));
    const ok = res.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(res.filter((r) => r.status === 409).map((r) => r.body.error.code)).toEqual(Array(9).fill('payment_reference_reused'));
    const view = (await h.api('GET', `/v1/dossiers/${d.dossierId}`)).body;
    expect(view.amounts.paid).toBe(ok[0].body.amounts.paid);
    expect(view.amounts.paid).toBeGreaterThanOrEqual(1_000);
    expect(view.amounts.paid).toBeLessThan(1_010);
    expect((await timeline(d.dossierId)).filter((e) => e.type === 'payment')).toHaveLength(1);
    expect(await paymentItems(d.dossierId)).toHaveLength(1);
  });

  it('10 different payments at once add up: paid in full once, the surplus shown as refundDue', async () => {
    const d = await dossier(10_000);
    const res = await parallel(10, (i) => pay(d.dossierId, { amount: 3_000, reference: `BANK-${i}` }));
    expect(res.map((r) => r.status)).toEqual(Array(10).fill(200));
    const view = (await h.api('GET', `/v1/dossiers/${d.dossierId}`)).body;
    expect(view.status).toBe('paid');
    expect(view.amounts).toEqual({ principal: 10_000, costs: 0, interest: 0, paid: 30_000, outstanding: 0, refundDue: 20_000 });
    const t = await timeline(d.dossierId);
    expect(t.filter((e) => e.type === 'payment')).toHaveLength(10);
    expect(t.filter((e) => e.type === 'paid'), '"paid in full" once').toHaveLength(1);
    // A later payment on the paid dossier: booked, refundDue grows, still one "paid".
    expect((await pay(d.dossierId, { amount: 500, reference: 'BANK-LATE' })).body.amounts.refundDue).toBe(20_500);
    expect((await timeline(d.dossierId)).filter((e) => e.type === 'paid')).toHaveLength(1);
  });

  it('refuses a payment that would take the paid total past the limit (422), leaving nothing behind', async () => {
    const d = await dossier(MAX_CENTS);
    const full = MAX_PAID_TOTAL_CENTS / MAX_CENTS;
    for (let i = 0; i < full - 1; i++) expect((await pay(d.dossierId, { amount: MAX_CENTS, reference: `BIG-${i}` })).status).toBe(200);
    await h.advance({ seconds: 0 });
    const before = await storeCounts(h.rt);
    // Two payments race for the last room: one fits, both together do not.
    const race = await parallel(2, (i) => pay(d.dossierId, { amount: MAX_CENTS - i, reference: `BIG-RACE-${i}` }));
    expect(race.map((r) => r.status).sort()).toEqual([200, 422]);
    const refused = race.find((r) => r.status === 422)!;
    expect(refused.body.error).toMatchObject({ code: 'paid_total_too_large', fields: { amount: expect.stringMatching(/at most \d+ more can be booked/) } });
    const won = race.find((r) => r.status === 200)!;
    await h.advance({ seconds: 0 });
    const after = await storeCounts(h.rt);
    // The booked one wrote its payment record and its timeline entry; the refused one nothing.
    expect(after.items - before.items).toBe(2);
    const paid = (await h.api('GET', `/v1/dossiers/${d.dossierId}`)).body.amounts.paid as number;
    expect(paid).toBe(won.body.amounts.paid);
    expect(paid).toBeLessThanOrEqual(MAX_PAID_TOTAL_CENTS);
    expect(Number.isSafeInteger(paid)).toBe(true);
    expect((await paymentItems(d.dossierId)).map((i) => i.reference)).not.toContain(race.indexOf(refused) === 0 ? 'BIG-RACE-0' : 'BIG-RACE-1');
    // One cent more than the room left: refused before anything is written; the refused reference stays free.
    const room = MAX_PAID_TOTAL_CENTS - paid;
    const counts = await storeCounts(h.rt);
    const over = await pay(d.dossierId, { amount: room + 1, reference: 'BIG-OVER' });
    expect(over.status).toBe(422);
    await h.advance({ seconds: 0 });
    expect(await storeCounts(h.rt)).toEqual(counts);
    if (room > 0) expect((await pay(d.dossierId, { amount: room, reference: 'BIG-OVER' })).status).toBe(200);
  });

  it('leaves the store accounting for itself', async () => {
    await h.advance({ seconds: 0 });
    await noOrphans();
  });
});
