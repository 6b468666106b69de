/**
 * What a debtor's reply means. Pure: text in, intent out, with the words that decided it.
 * Opt-out keywords (DESIGN §5 rule 10) count only as a single-word reply, case-insensitive.
 */
export type Intent =
  | 'opt_out'
  | 'opt_out_all'
  | 'arrangement'
  | 'already_paid'
  | 'cannot_pay'
  | 'dispute'
  | 'debt_help'
  | 'promise_to_pay'
  | 'other';

export interface ClassifiedReply {
  intent: Intent;
  /** the words that made the decision, for the timeline */
  matched?: string;
}

const OPT_OUT = new Set(['stop', 'unsubscribe', 'cancel', 'end', 'quit', 'afmelden', 'uitschrijven', 'stoppen', 'optout', 'opt-out', 'revoke']);
const OPT_OUT_ALL = new Set(['stopall', 'stop all', 'alles stoppen']);

/** Ordered: the first rule that matches wins (a debt-help signal outranks a payment plan request). */
const RULES: Array<[Intent, RegExp]> = [
  ['debt_help', /\b(schuldhulp\w*|schuldsanering|wsnp|bewindvoer\w*|bewind|budgetbeheer|moratorium|debt (help|advice|counsel\w*)|insolven\w*|bankrupt\w*|faillis\w*)\b/i],
  ['dispute', /\b(betwist\w*|klopt niet|niet van mij|nooit besteld|onterecht|bezwaar|fraude|dispute\w*|not mine|never ordered|wrong (amount|bill|invoice)|incorrect)\b/i],
  ['already_paid', /\b(al betaald|reeds betaald|heb betaald|is betaald|already paid|have paid|paid already|i paid)\b/i],
  ['cannot_pay', /\b(kan niet betalen|kan het niet betalen|geen geld|kan dit niet|werkloos|ziek|ontslagen|can'?not pay|can'?t pay|unable to pay|no money|lost my job|unemployed)\b/i],
  ['arrangement', /\b(regeling|betalingsregeling|termijnen|in delen|afbetal\w*|payment plan|arrangement|instal?lments?)\b/i],
  ['promise_to_pay', /\b(ik betaal|betaal (morgen|vandaag|volgende week|vrijdag|maandag)|ga betalen|zal betalen|will pay|i'?ll pay|paying (tomorrow|today|on))\b/i],
];

export function classifyReply(text: string): ClassifiedReply {
  const trimmed = text.trim().toLowerCase().replace(/[.!?\s]+$/g, '').replace(/\s+/g, ' ');
  if (OPT_OUT_ALL.has(trimmed)) return { intent: 'opt_out_all', matched: trimmed };
  if (OPT_OUT.has(trimmed)) return { intent: 'opt_out', matched: trimmed };
  for (const [intent, pattern] of RULES) {
    const m = pattern.exec(text);
    if (m) return { intent, matched: m[0].toLowerCase() };
  }
  return { intent: 'other' };
}
