/**
 * Who is the same person (DESIGN §4 "Identity", issue 7). Claims join one debtor — one conversation across
 * claims and creditors — only on strong evidence:
 *
 *   - the same normalised name plus the same phone number, email address, or postal code and house number; or
 *   - the creditor's own customer reference (`debtorRef`) for a claim of the same creditor.
 *
 * Conflicting details never merge: another name is another person, and so is another postal address next to a
 * matching phone or email (a family sharing a phone, a father and son with one name). A phone number alone
 * never joins two claims. Pure: the store keeps the look-up keys, this module says what they are and whether a
 * candidate may be joined.
 */
export interface IdentityInput {
  name: string;
  email?: string;
  phone?: string;
  address?: { line1: string; postalCode: string; city?: string; country?: string };
  debtorRef?: string;
}

/** What the case keeps about the person to test later claims against. */
export interface IdentityFacts {
  /** normalised names */
  names: string[];
  /** address keys "1234AB|12A" */
  addresses: string[];
}

export type IdentityKeyKind = 'phone' | 'email' | 'address';

export interface IdentityKey {
  kind: IdentityKeyKind;
  /** e.g. "phone|+31612345678" — hashed by the store before it becomes a key */
  key: string;
}

/**
 * "J.A. de Vries-Bakker" and "j a de vries bakker" are the same; "Sam Voorbeeld" and "Voorbeeld, Sam" too
 * (the parts are sorted). Diacritics and punctuation go; initials stay initials (no guessing "S." = "Sam").
 */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9\s]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .sort()
    .join(' ');
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** "1234 ab" + "Dorpsstraat 12 a" → "1234AB|12-A": postal code and house number with its addition. */
export function addressKey(address: { line1: string; postalCode: string }): string {
  const postal = address.postalCode.toUpperCase().replace(/[^0-9A-Z]/g, '');
  const numbers = [...address.line1.toUpperCase().matchAll(/(\d+)\s*[-/]?\s*([A-Z]{1,2}\b|\d{1,3}\b)?/g)];
  const house = numbers.at(-1);
  return `${postal}|${house ? `${house[1]}${house[2] ? `-${house[2]}` : ''}` : address.line1.toUpperCase().replace(/\s+/g, ' ').trim()}`;
}

/** The look-up keys a claim offers: its normalised name with each contact point it has. */
export function identityKeys(input: IdentityInput): { name: string; keys: IdentityKey[] } {
  const name = normaliseName(input.name);
  const keys: IdentityKey[] = [];
  if (input.phone) keys.push({ kind: 'phone', key: `phone|${input.phone}` });
  if (input.email) keys.push({ kind: 'email', key: `email|${normaliseEmail(input.email)}` });
  if (input.address) keys.push({ kind: 'address', key: `address|${addressKey(input.address)}` });
  return { name, keys };
}

/**
 * Why a claim may not join a debtor it matched on a key, or undefined when it may. Another name is another
 * person; another postal address is another household.
 */
export function identityConflict(candidate: IdentityFacts, input: IdentityInput): string | undefined {
  const name = normaliseName(input.name);
  if (candidate.names.length && !candidate.names.includes(name)) return 'another name';
  if (input.address && candidate.addresses.length && !candidate.addresses.includes(addressKey(input.address))) return 'another postal address';
  return undefined;
}

/** Adds what a joining claim tells about the person. */
export function withIdentity(facts: IdentityFacts, input: IdentityInput): IdentityFacts {
  const name = normaliseName(input.name);
  const address = input.address ? addressKey(input.address) : undefined;
  return {
    names: facts.names.includes(name) ? facts.names : [...facts.names, name],
    addresses: address && !facts.addresses.includes(address) ? [...facts.addresses, address] : facts.addresses,
  };
}
