/**
 * Which claims a reply is about (issue 7: a creditor may read a reply's words only when it was about its claims
 * alone). A reply comes from a number, so it is about claims that number was given with — never about claims whose
 * creditor never gave it — and among them those the last message to the number, or the last message at all,
 * covered. When the debtor names creditors ("die van Acme klopt niet"), the reply is about those
 * creditors' claims among them. Pure: the case, the number and the creditors' names in, dossier ids out.
 */
import type { ContactFact } from './facts.js';
import { type CaseState, claimsOf } from './state.js';

const PHONE_CHANNELS = new Set(['sms', 'whatsapp', 'call']);

/** The claims a reply from `phone` is about. */
export function replyScope(c: CaseState, phone: string): string[] {
  const open = claimsOf(c).filter((d) => d.status === 'open');
  const candidates = open.length ? open : claimsOf(c);
  const viaNumber = new Set(
    c.contactPoints.filter((p) => p.kind === 'phone' && p.value === phone).flatMap((p) => p.sources.flatMap((src) => (src.personWide ? candidates.map((d) => d.dossierId) : [src.dossierId]))),
  );
  const linked = candidates.filter((d) => viaNumber.has(d.dossierId));
  const pool = linked.length ? linked : candidates;
  const ours = (id: string) => pool.some((d) => d.dossierId === id);
  // What the reply may answer: the last message to this number, and the last message at all (a text in answer
  // to a letter) — both, so words shown to one creditor were never possibly about another's claim.
  const answered = new Set([...(lastContact(c.contacts, ours, PHONE_CHANNELS)?.dossierIds ?? []), ...(lastContact(c.contacts, ours)?.dossierIds ?? [])]);
  const scoped = pool.filter((d) => answered.has(d.dossierId));
  return (scoped.length ? scoped : pool).map((d) => d.dossierId);
}

/** The latest contact (on one of `channels`, when given) that covered any of the claims `ours` accepts. */
function lastContact(log: readonly ContactFact[], ours: (dossierId: string) => boolean, channels?: ReadonlySet<string>): ContactFact | undefined {
  for (let i = log.length - 1; i >= 0; i--) {
    const x = log[i];
    if ((!channels || channels.has(x.channel)) && x.dossierIds?.some(ours)) return x;
  }
  return undefined;
}
