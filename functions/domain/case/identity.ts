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

/** Latin letters that are not a base letter plus a diacritic, so NFKD leaves them as they are. */
const LATIN_FOLD: Readonly<Record<string, string>> = { ł: 'l', ø: 'o', ß: 'ss', æ: 'ae', œ: 'oe', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ħ: 'h', ŀ: 'l' };

/**
 * "J.A. de Vries-Bakker" and "j a de vries bakker" are the same; "Voorbeeld, Sam" is "Sam Voorbeeld" (a comma
 * means "family name first"). Diacritics go ("Zoë" = "Zoe"), Latin letters without a base letter are folded
 * ("Łukasz" = "Lukasz"), letters of every script are kept ("Иван Петров" stays itself, never ""). The order of
 * the parts is kept: "Jan-Willem Smit" is not "Willem-Jan Smit". Initials stay initials (no guessing "S." = "Sam").
 * An empty result (a name without letters) is refused at the edge and never matched.
 */
export function normaliseName(name: string): string {
  const commaFirst = name.split(',');
  const ordered = commaFirst.length === 2 && commaFirst[1].trim() ? `${commaFirst[1]} ${commaFirst[0]}` : name;
  return ordered
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/./gu, (ch) => LATIN_FOLD[ch] ?? ch)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/** How many letters (of any script) a name has: fewer than two is no name to file or match on. */
export const letterCount = (name: string): number => (name.match(/\p{L}/gu) ?? []).length;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The address as a key: country, postal code, house number and its addition — "1234 ab" + "Dorpsstraat 12 a"
 * → "NL|1234AB|12|A". In the Netherlands postal code + house number name one street and house, so the street
 * is left out (its spelling varies); the whole addition is kept ("10-III", "10 bis", "10 hs", "10 1e verdieping"
 * are other homes than "10"). Elsewhere the street is part of the key.
 */
export function addressKey(address: { line1: string; postalCode: string; country?: string }): string {
  const country = (address.country ?? 'NL').toUpperCase();
  const postal = address.postalCode.toUpperCase().replace(/[^0-9A-Z]/g, '');
  const line = address.line1.normalize('NFKD').replace(/\p{M}/gu, '').toUpperCase();
  // the house number: the first run of digits after the street's name
  const m = line.match(/^(.*?\p{L}[^\d]*?)\s*(\d+)(.*)$/u);
  if (!m) return `${country}|${postal}|${line.replace(/[^\p{L}\p{N}]+/gu, '')}`;
  const [, street, house, rest] = m;
  const addition = rest.replace(/[^\p{L}\p{N}]+/gu, '');
  const streetPart = country === 'NL' ? '' : `${street.replace(/[^\p{L}\p{N}]+/gu, '')}|`;
  return `${country}|${postal}|${streetPart}${house}|${addition}`;
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
