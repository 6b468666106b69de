/**
 * The edge schemas of the creditor operations (issue 13) on their own: the listing's query (limits, dates, cursor
 * form), contact-detail changes (null removes, the simple phone form, at least one field), flags (the fixed list,
 * not both added and removed) and the batch envelope — and that every flag a creditor may set is one the decision
 * reads.
 */
import { describe, expect, it } from 'vitest';
import { BatchEnvelope, fieldErrors, filterInstant, FlagsBody, friendlyError, ListDossiersQuery, PatchDebtorBody } from '../../functions/shared/schemas.js';
import { DEBTOR_FLAGS } from '../../functions/domain/vocabulary.js';
import { CANNOT_PAY_FLAGS, DEBT_RELIEF_FLAGS, VULNERABLE_FLAGS } from '../../functions/domain/signals.js';

const errorsOf = (schema: { safeParse: (v: unknown, o: object) => { success: boolean; error?: any } }, value: unknown) => {
  const r = schema.safeParse(value, { error: friendlyError });
  return r.success ? undefined : fieldErrors(r.error, schema as never);
};

describe('GET /v1/dossiers query', () => {
  it('takes the filters in their simple forms and refuses the rest, naming the parameter', () => {
    expect(errorsOf(ListDossiersQuery, { reference: 'INV-1', status: 'open', debtorId: 'deb_1', createdFrom: '2026-03-01', createdTo: '2026-03-02T10:00:00+01:00', limit: '100', cursor: 'abc_-1' })).toBeUndefined();
    expect(Object.keys(errorsOf(ListDossiersQuery, { limit: '0' })!)).toEqual(['limit']);
    expect(Object.keys(errorsOf(ListDossiersQuery, { limit: '1000' })!)).toEqual(['limit']);
    expect(Object.keys(errorsOf(ListDossiersQuery, { limit: '2.5' })!)).toEqual(['limit']);
    expect(errorsOf(ListDossiersQuery, { status: 'lost' })!.status).toMatch(/must be one of open, paused, paid/);
    expect(errorsOf(ListDossiersQuery, { createdFrom: '03-01-2026' })!.createdFrom).toMatch(/a date YYYY-MM-DD/);
    expect(errorsOf(ListDossiersQuery, { createdFrom: '2026-02-30' })).toBeDefined();
    expect(errorsOf(ListDossiersQuery, { createdFrom: '2026-03-02', createdTo: '2026-03-01' })!.createdTo).toBe('must not be before createdFrom');
    expect(errorsOf(ListDossiersQuery, { createdFrom: '2026-03-01', createdTo: '2026-03-01' })).toBeUndefined();
    expect(errorsOf(ListDossiersQuery, { cursor: 'a+b/c=' })!.cursor).toMatch(/nextCursor/);
    expect(Object.keys(errorsOf(ListDossiersQuery, { page: '2' })!)).toEqual(['page']);
  });

  it('reads a date as the whole UTC day and a date-time as its instant', () => {
    expect(filterInstant('2026-03-01', 'from')).toBe('2026-03-01T00:00:00.000Z');
    expect(filterInstant('2026-03-01', 'to')).toBe('2026-03-01T23:59:59.999Z');
    expect(filterInstant('2026-03-01T10:00:00+01:00', 'to')).toBe('2026-03-01T09:00:00.000Z');
  });
});

describe('PATCH /v1/debtors/{id} body', () => {
  it('null removes, a field left out stays, the phone in its simple form becomes E.164', () => {
    const parsed = PatchDebtorBody.parse({ phone: '+31 6 8765 4321', email: null });
    expect(parsed).toEqual({ phone: '+31687654321', email: null });
    expect(PatchDebtorBody.parse({ address: { line1: 'Kerkstraat 5', postalCode: '1234 AB', city: 'Utrecht' } }).address).toMatchObject({ country: 'NL' });
    expect(PatchDebtorBody.parse({ whatsappOptIn: false })).toEqual({ whatsappOptIn: false });
  });

  it('needs at least one change, knows its fields, and refuses an opt-in with the phone removed', () => {
    expect(errorsOf(PatchDebtorBody, {})!['(body)']).toMatch(/at least one of email, phone/);
    expect(errorsOf(PatchDebtorBody, { mail: 'x@example.com' })!.mail).toBe('is not a known field; did you mean "email"?');
    expect(errorsOf(PatchDebtorBody, { name: 'Someone Else' })!.name).toMatch(/is not a known field/);
    expect(errorsOf(PatchDebtorBody, { phone: null, whatsappOptIn: true })!.whatsappOptIn).toMatch(/cannot be true/);
    expect(errorsOf(PatchDebtorBody, { phone: '0612345678' })!.phone).toMatch(/E\.164|or null/);
    expect(errorsOf(PatchDebtorBody, { email: 'x@example.com', dossierIds: [] })!.dossierIds).toMatch(/at least one dossier/);
  });
});

describe('POST /v1/debtors/{id}/flags body', () => {
  it('takes flags from the list, at least one, never one both added and removed', () => {
    expect(FlagsBody.parse({ add: ['wsnp', 'beslag'] })).toEqual({ add: ['wsnp', 'beslag'] });
    expect(errorsOf(FlagsBody, { add: ['bankrupt'] })!['add.0']).toMatch(/must be one of vulnerable, bewind/);
    expect(errorsOf(FlagsBody, { add: [] })!.add).toMatch(/at least one flag/);
    expect(errorsOf(FlagsBody, { add: ['wsnp'], remove: ['wsnp'] })!.remove).toBe('must not also be in add: wsnp');
  });

  it('every flag a creditor may set is one the decision reads', () => {
    const read = new Set([...Object.keys(VULNERABLE_FLAGS), ...Object.keys(DEBT_RELIEF_FLAGS), ...Object.keys(CANNOT_PAY_FLAGS)]);
    for (const f of DEBTOR_FLAGS) expect(read.has(f), f).toBe(true);
  });
});

describe('POST /v1/dossiers/batch envelope', () => {
  it('takes 1–500 claims of any shape (each is checked on its own), nothing besides', () => {
    expect(errorsOf(BatchEnvelope, { claims: [{}, 'x', null] })).toBeUndefined();
    expect(errorsOf(BatchEnvelope, { claims: [] })!.claims).toBe('must hold at least one claim');
    expect(errorsOf(BatchEnvelope, { claims: Array(501).fill({}) })!.claims).toMatch(/at most 500/);
    expect(errorsOf(BatchEnvelope, { claims: {} })!.claims).toMatch(/must be an array of claims/);
    expect(errorsOf(BatchEnvelope, { claims: [{}], dryRun: true })!.dryRun).toMatch(/is not a known field/);
  });
});
