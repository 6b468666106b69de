/**
 * Cases built in memory through the domain's reducer, for the unit tests of the case model: claims of one or
 * more creditors with their own contact details, as intake would add them.
 */
import { applyEvent, type NewContactPoint } from '../../functions/domain/case/events.js';
import { addressKey, normaliseEmail } from '../../functions/domain/case/identity.js';
import { type CaseState, type ClaimRecord, emptyCase } from '../../functions/domain/case/state.js';

export interface ClaimSpec {
  dossierId: string;
  clientId: string;
  name?: string;
  principal?: number;
  dueDate?: string;
  language?: 'nl' | 'en';
  consumer?: boolean;
  phone?: string;
  email?: string;
  whatsappOptIn?: boolean;
  address?: { line1: string; postalCode: string; city: string };
  at?: string;
}

export function claimRecord(c: ClaimSpec): ClaimRecord {
  const at = c.at ?? '2026-03-02T08:00:00.000Z';
  return {
    dossierId: c.dossierId,
    clientId: c.clientId,
    reference: `REF-${c.dossierId}`,
    principal: c.principal ?? 10_000,
    costs: 0,
    paid: 0,
    dueDate: c.dueDate ?? '2026-02-01',
    status: 'open',
    createdAt: at,
    updatedAt: at,
    name: c.name ?? 'Sam Voorbeeld',
    language: c.language ?? 'nl',
    consumer: c.consumer ?? true,
    payments: [],
    paymentKeys: [],
  };
}

export function pointsOf(c: ClaimSpec): NewContactPoint[] {
  return [
    ...(c.email ? [{ kind: 'email' as const, value: normaliseEmail(c.email) }] : []),
    ...(c.phone ? [{ kind: 'phone' as const, value: c.phone, ...(c.whatsappOptIn ? { whatsappOptIn: true } : {}) }] : []),
    ...(c.address ? [{ kind: 'address' as const, value: addressKey(c.address), address: { ...c.address, country: 'NL' } }] : []),
  ];
}

/** A case holding the given claims, each filed at its own `at` (default: one second apart, in order). */
export function caseWith(claims: ClaimSpec[], caseId = 'deb_test'): CaseState {
  let s = emptyCase(caseId, claims[0]?.at ?? '2026-03-02T08:00:00.000Z');
  claims.forEach((c, i) => {
    const at = c.at ?? new Date(Date.parse('2026-03-02T08:00:00.000Z') + i * 1000).toISOString();
    const spec = { ...c, at };
    s = applyEvent(s, {
      type: 'claim_added',
      at,
      claim: claimRecord(spec),
      points: pointsOf(spec),
      identity: { name: spec.name ?? 'Sam Voorbeeld', ...(c.phone ? { phone: c.phone } : {}), ...(c.email ? { email: c.email } : {}), ...(c.address ? { address: c.address } : {}) },
    });
  });
  return s;
}
