/**
 * Filing a claim, request by request, on the local runtime (functions/services/intake.ts): a new person's reference,
 * identity keys (and the creditor's debtorRef) and case are one transaction — all written or none —, and what the
 * transaction finds taken goes step by step without paying twice for it. The Api function's DynamoDB requests are
 * counted per command as the benchmark counts them (MAATWERK_MEASURE_CAPACITY=1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityKeys } from '../../functions/domain/case/identity.js';
import { dynamoRequestsByFunction } from '../../functions/shared/aws.js';
import { dossierIdByReference } from '../../functions/store/dossiers.js';
import { debtorByRef, identityOwners } from '../../functions/store/identity.js';
import { readCase } from '../../functions/store/cases.js';
import { type Harness, dossierBody, startLocal } from '../support/local.js';
import { storeItems } from '../support/edge.js';

let h: Harness;
beforeAll(async () => {
  process.env.MAATWERK_MEASURE_CAPACITY = '1';
  // A Sunday: the first contact waits until Monday, so the claims themselves are all that happens.
  h = await startLocal({ start: '2026-03-01T10:00:00Z' });
  // the first request of a client reads what is cached afterwards (its webhook settings): not a claim's cost
  for (const key of ['key-acme', 'key-globex']) expect((await h.api('POST', '/v1/dossiers', dossierBody({}, { name: `Warm ${key}`, phone: '+31612009999', email: undefined }), { key })).status).toBe(201);
});
afterAll(async () => {
  await h?.stop();
  delete process.env.MAATWERK_MEASURE_CAPACITY;
});

/** The Api function's DynamoDB requests while `fn` runs, by command. */
async function apiRequests<T>(fn: () => Promise<T>): Promise<[T, Record<string, number>]> {
  const before = { ...dynamoRequestsByFunction };
  const result = await fn();
  const delta: Record<string, number> = {};
  for (const [k, n] of Object.entries(dynamoRequestsByFunction)) {
    if (k.startsWith('Api ') && n - (before[k] ?? 0) > 0) delta[k.slice(4)] = n - (before[k] ?? 0);
  }
  return [result, delta];
}

const keysOf = (debtor: { name: string; phone?: string; email?: string; address?: { line1: string; postalCode: string; city: string } }) => {
  const { name, keys } = identityKeys(debtor);
  return { name, keys: keys.map((k) => k.key) };
};

describe('filing a claim', () => {
  it('a new person: the reference, the identity keys, the debtorRef and the case in one transaction — three requests in all', async () => {
    const body = dossierBody({ reference: 'NEW-1' }, { name: 'Nina Nieuw', phone: '+31612000101', email: 'nina@example.invalid', debtorRef: 'CUST-N1' });
    const [res, requests] = await apiRequests(() => h.api('POST', '/v1/dossiers', body));
    expect(res.status).toBe(201);
    expect(requests).toEqual({ BatchGetItemCommand: 1, TransactWriteItemsCommand: 1, BatchWriteItemCommand: 1 });
    const { dossierId, debtorId } = res.body;
    expect(await dossierIdByReference('acme', 'NEW-1')).toBe(dossierId);
    const { name, keys } = keysOf(body.debtor);
    expect(Object.values(await identityOwners(name, keys))).toEqual(keys.map(() => debtorId));
    expect(await debtorByRef('acme', 'CUST-N1')).toBe(debtorId);
    const c = await readCase(debtorId);
    expect(c?.v === 2 && Object.keys(c.item.dossiers)).toEqual([dossierId]);
  });

  it('the same person at another creditor: the transaction is cancelled, the claim joins the case, the owned keys are read, not claimed again', async () => {
    const debtor = { name: 'Otto Bekend', phone: '+31612000102', email: 'otto@example.invalid' };
    const first = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'KNOWN-1' }, debtor));
    const [second, requests] = await apiRequests(() => h.api('POST', '/v1/dossiers', dossierBody({ reference: 'KNOWN-2' }, debtor), { key: 'key-globex' }));
    expect(second.status).toBe(201);
    expect(second.body.debtorId).toBe(first.body.debtorId);
    expect(requests.TransactWriteItemsCommand).toBe(1);
    // no refused key claim (the transaction said they are owned) and no key to add (they are this person's)
    expect(requests.UpdateItemCommand).toBeUndefined();
    const c = await readCase(first.body.debtorId);
    expect(c?.v === 2 && Object.keys(c.item.dossiers).sort()).toEqual([first.body.dossierId, second.body.dossierId].sort());
  });

  it('the same request again answers as the first time and writes nothing new; under its Idempotency-Key it does not try the transaction again', async () => {
    const body = dossierBody({ reference: 'AGAIN-1' }, { name: 'Rik Herhaal', phone: '+31612000103', email: 'rik@example.invalid' });
    const first = await h.api('POST', '/v1/dossiers', body);
    const again = await h.api('POST', '/v1/dossiers', body);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const items = await storeItems(h.rt);
    expect(items.filter((i) => i.SK === 'CASE' && Object.values(i.dossiers ?? {}).some((d: any) => d.name === 'Rik Herhaal'))).toHaveLength(1);
    expect(items.filter((i) => i.PK === `DEBTOR#${first.body.debtorId}` && i.type === 'claim_received')).toHaveLength(1);

    const keyed = dossierBody({ reference: 'AGAIN-2' }, { name: 'Roos Herhaal', phone: '+31612000104', email: 'roos@example.invalid' });
    const headers = { 'Idempotency-Key': 'again-2' };
    const [one, firstRequests] = await apiRequests(() => h.api('POST', '/v1/dossiers', keyed, { headers }));
    expect(firstRequests.TransactWriteItemsCommand).toBe(1);
    const [two, retryRequests] = await apiRequests(() => h.api('POST', '/v1/dossiers', keyed, { headers }));
    expect(two.body).toEqual(one.body);
    expect(retryRequests.TransactWriteItemsCommand).toBeUndefined();
  });

  it('a refused claim leaves nothing of its person behind: a reference another claim holds is a 409, and no key, debtorRef or case is written', async () => {
    await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'TAKEN-1' }, { name: 'Eerste Houder', phone: '+31612000105' }));
    const before = (await storeItems(h.rt)).filter((i) => i.SK === 'CASE').length;
    const other = dossierBody({ reference: 'TAKEN-1' }, { name: 'Tweede Persoon', phone: '+31612000106', email: 'tweede@example.invalid', debtorRef: 'CUST-T2' });
    const refused = await h.api('POST', '/v1/dossiers', other);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('duplicate_reference');
    const { name, keys } = keysOf(other.debtor);
    expect(await identityOwners(name, keys)).toEqual({});
    expect(await debtorByRef('acme', 'CUST-T2')).toBeUndefined();
    expect((await storeItems(h.rt)).filter((i) => i.SK === 'CASE').length).toBe(before);
    // the corrected request files the person in one transaction again
    const [fixed, requests] = await apiRequests(() => h.api('POST', '/v1/dossiers', { ...other, reference: 'TAKEN-2' }));
    expect(fixed.status).toBe(201);
    expect(requests).toEqual({ BatchGetItemCommand: 1, TransactWriteItemsCommand: 1, BatchWriteItemCommand: 1 });
    expect(await debtorByRef('acme', 'CUST-T2')).toBe(fixed.body.debtorId);
  });
});
