/**
 * The edge schemas on their own (no runtime): the limits and their boundaries, the accepted simple forms, and the
 * messages — every refusal names the field and says what is expected.
 */
import { describe, expect, it } from 'vitest';
import {
  createDossierBodyAt,
  CreateDossierBody,
  DebtorInput,
  EXAMPLE_DOSSIER,
  fieldErrors,
  friendlyError,
  isoDateYearsFrom,
  MAX_CENTS,
  paymentBodyAt,
} from '../../functions/shared/schemas.js';
import { matchRoute, ROUTES } from '../../functions/shared/routes.js';
import { clockAdvanceAt, LOCAL_ROUTES, MAX_ADVANCE_SECONDS } from '../../infra/local/local-routes.js';

const NOW = new Date('2026-03-03T09:00:00Z');
const claim = (over: Record<string, unknown> = {}, debtor: Record<string, unknown> = {}) => ({ ...EXAMPLE_DOSSIER, ...over, debtor: { ...EXAMPLE_DOSSIER.debtor, ...debtor } });
const errorsOf = (schema: { safeParse: (v: unknown, o: object) => { success: boolean; error?: any } }, value: unknown) => {
  const r = schema.safeParse(value, { error: friendlyError });
  return r.success ? undefined : fieldErrors(r.error, schema as never);
};

describe('limits', () => {
  it('a due date from exactly 20 years back to exactly 1 year ahead', () => {
    const S = createDossierBodyAt(NOW);
    expect(errorsOf(S, claim({ dueDate: '2006-03-03' }))).toBeUndefined();
    expect(errorsOf(S, claim({ dueDate: '2006-03-02' }))?.dueDate).toMatch(/20 years ago \(on or after 2006-03-03\)/);
    expect(errorsOf(S, claim({ dueDate: '2027-03-03' }))).toBeUndefined();
    expect(errorsOf(S, claim({ dueDate: '2027-03-04' }))?.dueDate).toMatch(/1 year ahead/);
    expect(errorsOf(S, claim({ dueDate: '2026-02-30' }))?.dueDate).toMatch(/YYYY-MM-DD/);
    expect(isoDateYearsFrom(new Date('2024-02-29T12:00:00Z'), 1)).toBe('2025-02-28');
  });

  it('amounts: 1 cent to €100,000,000.00, whole cents, as numbers', () => {
    const S = createDossierBodyAt(NOW);
    expect(errorsOf(S, claim({ principal: MAX_CENTS }))).toBeUndefined();
    expect(errorsOf(S, claim({ principal: 1 }))).toBeUndefined();
    for (const principal of [MAX_CENTS + 1, 0, -1, 0.5, '100', null, Number.MAX_SAFE_INTEGER + 2]) {
      expect(errorsOf(S, claim({ principal }))?.principal, String(principal)).toMatch(/cents/);
    }
    // A thousand claims at the maximum still add up exactly.
    expect(Number.isSafeInteger(MAX_CENTS * 1000)).toBe(true);
  });

  it('instalment claims (DESIGN §5 rule 6): an optional marker with the monthly amount in whole cents, nothing else', () => {
    const S = createDossierBodyAt(NOW);
    expect(S.parse(claim({ instalment: { monthlyAmount: 5000 } })).instalment).toEqual({ monthlyAmount: 5000 });
    expect(errorsOf(S, claim())).toBeUndefined();
    expect(errorsOf(S, claim({ instalment: { monthlyAmount: 0 } }))?.['instalment.monthlyAmount']).toMatch(/more than 0 cents/);
    expect(errorsOf(S, claim({ instalment: { monthlyAmount: 50.5 } }))?.['instalment.monthlyAmount']).toMatch(/whole cents/);
    expect(errorsOf(S, claim({ instalment: {} }))?.['instalment.monthlyAmount']).toMatch(/is required: the monthly instalment/);
    expect(errorsOf(S, claim({ instalment: { monthlyAmount: 5000, months: 3 } }))?.['instalment.months']).toMatch(/not a known field/);
    expect(errorsOf(S, claim({ instalment: 5000 }))?.instalment).toMatch(/monthlyAmount/);
  });

  it('paidAt: not in the future (5 minutes of clock skew), not decades ago, with a zone', () => {
    const P = paymentBodyAt(NOW);
    expect(errorsOf(P, { amount: 1, paidAt: '2026-03-03T09:04:59Z' })).toBeUndefined();
    expect(errorsOf(P, { amount: 1, paidAt: '2026-03-03T09:05:01Z' })?.paidAt).toMatch(/future/);
    expect(errorsOf(P, { amount: 1, paidAt: '2026-03-03T10:00:00+01:00' })).toBeUndefined();
    expect(errorsOf(P, { amount: 1, paidAt: '2026-03-03T09:00:00' })?.paidAt).toMatch(/with a zone/);
  });

  it('the local clock: 0 s to 10 years, or until within 10 years and before 2200; exactly one of the two', () => {
    const now = NOW.getTime();
    const A = clockAdvanceAt(now);
    expect(A.parse({ seconds: 0 })).toBe(now);
    expect(A.parse({ seconds: MAX_ADVANCE_SECONDS })).toBe(now + MAX_ADVANCE_SECONDS * 1000);
    expect(A.parse({ until: '2026-03-20' })).toBe(Date.parse('2026-03-20T00:00:00Z'));
    for (const bad of [{ seconds: MAX_ADVANCE_SECONDS + 1 }, { seconds: 1e13 }, { until: '+275760-09-13T00:00:00.000Z' }, {}, { seconds: 1, until: '2026-03-20T00:00:00Z' }, { until: '2026-03-20T12:00' }]) {
      expect(A.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(clockAdvanceAt(Date.UTC(2199, 6, 1)).safeParse({ seconds: 365 * 86_400 }).error?.issues[0].message).toMatch(/past 2200/);
  });
});

describe('simple forms', () => {
  const debtor = (over: Record<string, unknown>) => DebtorInput.parse({ name: 'Sam', consumer: true, email: 'sam@example.com', ...over });

  it('income source shortcuts become the full objects the payday rules use', () => {
    expect(debtor({ incomeSource: 'salary', paydayOfMonth: 25 })).toMatchObject({ incomeSource: { type: 'salary', rule: 'fixed_day', day: 25 } });
    expect(debtor({ incomeSource: 'salary', paydayOfMonth: 25 })).not.toHaveProperty('paydayOfMonth');
    expect(debtor({ incomeSource: 'salary' }).incomeSource).toEqual({ type: 'salary' });
    expect(debtor({ incomeSource: 'aow' }).incomeSource).toEqual({ type: 'aow' });
    expect(debtor({ incomeSource: 'bijstand', paydayOfMonth: 3 }).incomeSource).toEqual({ type: 'bijstand', day: 3 });
    expect(debtor({ incomeSource: { type: 'salary', day: 25 }, paydayOfMonth: 25 }).incomeSource).toEqual({ type: 'salary', rule: 'fixed_day', day: 25 });
    expect(debtor({ incomeSource: { type: 'uwv', benefit: 'ww' } }).incomeSource).toEqual({ type: 'uwv', benefit: 'ww' });
    // paydayOfMonth alone stays as it was: the store makes it a salary on that day.
    expect(debtor({ paydayOfMonth: 23 })).toMatchObject({ paydayOfMonth: 23 });
  });

  it('phone numbers with spaces after the +, and a lower-case country', () => {
    expect(debtor({ phone: '+31 6-1234.5678' }).phone).toBe('+31612345678');
    // The Dutch "+31 (0)6 …" notation: the canonical number, without the trunk 0.
    expect(debtor({ phone: '+31 (0)6 1234 5678' }).phone).toBe('+31612345678');
    expect(DebtorInput.safeParse({ name: 'Sam', consumer: true, phone: '0612345678' }).success).toBe(false);
    expect(debtor({ address: { line1: 'Dorpsstraat 1', postalCode: '1234 AB', city: 'Utrecht', country: 'be' } }).address?.country).toBe('BE');
  });
});

describe('messages', () => {
  it('name the field and say what is expected', () => {
    const S = createDossierBodyAt(NOW);
    expect(errorsOf(S, {})).toEqual({
      reference: 'is required: your reference for this claim, e.g. "INV-1001"',
      debtor: 'is required (a JSON object)',
      principal: 'is required: the amount owed in whole euro cents as a JSON number, e.g. 12500 for €125.00',
      dueDate: 'is required: the date the claim fell due as YYYY-MM-DD, e.g. "2026-01-15"',
    });
    expect(errorsOf(S, claim({}, { language: 'de', consumer: 'ja', whatsappOptIn: 'yes' }))).toMatchObject({
      'debtor.language': 'must be one of "nl", "en"',
      'debtor.consumer': 'must be true for a consumer, false for a business',
      'debtor.whatsappOptIn': expect.stringMatching(/^must be true or false/),
    });
    expect(errorsOf(S, claim({}, { email: undefined, phone: undefined, address: undefined }))?.['debtor.email']).toMatch(/at least one way to reach/);
  });

  it('an unknown field: misplaced (where it belongs), misspelt (what was meant), or neither (the fields there are)', () => {
    const e = errorsOf(CreateDossierBody, { ...claim(), incomeSource: 'salary', principle: 1, foo: 1 })!;
    expect(e.incomeSource).toBe('is not a field here; it belongs inside "debtor" (debtor.incomeSource)');
    expect(e.principle).toBe('is not a known field; did you mean "principal"?');
    expect(e.foo).toBe('is not a known field; the fields here are reference, debtor, principal, dueDate, description, instalment');
    const proto = errorsOf(CreateDossierBody, JSON.parse('{"__proto__": 1, "constructor": 2}'))!;
    expect(Object.keys(proto)).toEqual(expect.arrayContaining(['__proto__', 'constructor']));
  });
});

describe('the route table', () => {
  it('has unique operation ids and method+resource pairs, and every route matches its own path', () => {
    const all = [...ROUTES, ...LOCAL_ROUTES];
    expect(new Set(all.map((r) => r.operationId)).size).toBe(all.length);
    expect(new Set(all.map((r) => `${r.method} ${r.resource}`)).size).toBe(all.length);
    for (const r of all) {
      const p = r.resource.replace(/\{\w+\}/g, 'id_1');
      const m = matchRoute(r.method, p, r.fn === 'local' ? LOCAL_ROUTES : ROUTES);
      expect(m.kind === 'match' && m.route.operationId, p).toBe(r.operationId);
    }
    expect(matchRoute('GET', '/v1/dossiers/%E0%A4%A').kind).toBe('bad_path');
    expect(matchRoute('DELETE', '/v1/dossiers/x')).toEqual({ kind: 'method_not_allowed', allowed: ['GET'] });
  });
});
