/**
 * What a message says about payment terms (DESIGN §5 rules 3 and 12). Pure; Dutch and English.
 *
 * Why: costs are lost when the debtor is told a term that differs from the one costs are charged on, and a
 * defective 14-day letter is not repaired by a later message (HR 25-11-2016, ECLI:NL:HR:2016:2704). So only the
 * 14-day letter may start a term ("binnen 14 dagen vanaf de dag nadat deze brief bij u is bezorgd"); every later
 * message about the same claims either states no term, refers to the letter's term, or names that term's last
 * day — never a term of its own.
 *
 * `termStatementsOf(text)` finds, per sentence:
 *  - 'starts-term'   a term counted from the delivery of this message ("binnen 14 dagen vanaf de dag nadat deze
 *                    e-mail bij u is bezorgd", "within 14 days from the day after this letter has been delivered");
 *  - 'relative-term' any other term counted in days or weeks ("binnen 14 dagen", "14 dagen na dagtekening",
 *                    "within two weeks"): it starts a term from an unclear moment;
 *  - 'letter-term'   a reference to the letter's term ("de termijn uit die brief", "the term in our letter");
 *  - 'deadline'      a date the debtor is to pay by ("uiterlijk op 25 januari 2027", "by 25 January 2027",
 *                    "loopt tot en met …"), with the date as 'YYYY-MM-DD'.
 * `termViolations(text, policy)` applies the rule for the kind of message.
 */
import { checkFourteenDayWording } from './costs.js';

export type TermStatement =
  | { kind: 'starts-term'; sentence: string; days: number; medium: 'letter' | 'email' | 'message' }
  | { kind: 'relative-term'; sentence: string }
  | { kind: 'letter-term'; sentence: string }
  | { kind: 'deadline'; sentence: string; date: string; costFree: boolean };

const MONTHS: Record<string, number> = {
  januari: 1, februari: 2, maart: 3, april: 4, mei: 5, juni: 6, juli: 7, augustus: 8, september: 9, oktober: 10, november: 11, december: 12,
  january: 1, february: 2, march: 3, may: 5, june: 6, july: 7, august: 8, october: 10,
};
const MONTH = Object.keys(MONTHS).join('|');
const NUMBER = '(\\d+|een|twee|drie|vier|veertien|vijftien|a|one|two|three|four|fourteen|fifteen)';
const WORDS: Record<string, number> = { een: 1, twee: 2, drie: 3, vier: 4, veertien: 14, vijftien: 15, a: 1, one: 1, two: 2, three: 3, four: 4, fourteen: 14, fifteen: 15 };

const DATE = `(\\d{1,2})\\s+(${MONTH})\\s+(\\d{4})`;
const DEADLINE = new RegExp(`\\b(uiterlijk(\\s+op)?|voor|vóór|tot\\s+en\\s+met|t/m|eindigt\\s+op|by|before|no\\s+later\\s+than|until|through|ends\\s+on)\\s+(de\\s+|the\\s+)?${DATE}`, 'g');
const RELATIVE = [
  new RegExp(`\\b(binnen|within)\\s+${NUMBER}\\s+(kalender|werk|calendar\\s+|working\\s+)?(dagen|dag|days|day|weken|week|weeks)\\b`),
  new RegExp(`\\b${NUMBER}\\s+(kalender|werk)?(dagen|weken)\\s+(na|vanaf|nadat)\\b`),
  new RegExp(`\\b${NUMBER}\\s+(calendar\\s+|working\\s+)?(days|weeks)\\s+(after|from|of)\\b`),
];
const FROM_DELIVERY_NL = /\b(vanaf\s+de\s+dag\s+(nadat|waarop)|nadat|na\s+(de\s+)?bezorging\s+van)\s+(deze|dit|de|onze)\s+(brief|e-?mail|sms|bericht|aanmaning)\b/;
const FROM_DELIVERY_EN = /\b(from\s+the\s+day\s+after|after|from\s+the\s+day)\s+(this|the|our)\s+(letter|e-?mail|text|message)\s+(has\s+been|was|is)\s+delivered\b/;
const LETTER_TERM = /\btermijn\b.*\bbrief\b|\bbrief\b.*\btermijn\b|\bterm\b.*\bletter\b|\bletter\b.*\bterm\b/;
const COST_FREE = /\bgeen\s+(extra\s+)?(incasso)?kosten\b|\bzonder\s+(extra\s+)?(incasso)?kosten\b|\bincassokosten\s+(te\s+)?voorkomen\b|\bno\s+(extra\s+)?(collection\s+)?costs\b|\bwithout\s+(extra\s+|collection\s+)?costs\b|\bavoid\s+(the\s+)?collection\s+costs\b/;

function normalise(text: string): string {
  return text
    .replace(/\*\*|\*/g, '')
    .replace(/[\u00a0\u202f]/g, ' ')
    .toLowerCase();
}

/** Sentences: split at . ! ? followed by white space, and at line breaks ("€ 1.227,60" and "B.V." stay whole enough). */
function sentences(text: string): string[] {
  return normalise(text)
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 0);
}

function isoDate(day: string, month: string, year: string): string {
  return `${year}-${String(MONTHS[month]).padStart(2, '0')}-${day.padStart(2, '0')}`;
}

function count(word: string): number {
  return /^\d+$/.test(word) ? Number(word) : WORDS[word];
}

/** Every term statement in a message's text (subject, body, footer: pass all the debtor sees). */
export function termStatementsOf(text: string): TermStatement[] {
  const out: TermStatement[] = [];
  for (const sentence of sentences(text)) {
    const rel = RELATIVE.map((re) => re.exec(sentence)).find((m) => m !== null);
    if (rel) {
      const m = FROM_DELIVERY_NL.exec(sentence) ?? FROM_DELIVERY_EN.exec(sentence);
      if (m) {
        const word = m[0].match(/brief|letter/) ? 'letter' : m[0].match(/e-?mail/) ? 'email' : 'message';
        const n = /\b(binnen|within)\s+(\S+)/.exec(sentence);
        out.push({ kind: 'starts-term', sentence, days: n ? count(n[2]) : Number.NaN, medium: word });
      } else {
        out.push({ kind: 'relative-term', sentence });
      }
    }
    for (const d of sentence.matchAll(DEADLINE)) {
      out.push({ kind: 'deadline', sentence, date: isoDate(d[4], d[5], d[6]), costFree: COST_FREE.test(sentence) });
    }
    if (!rel && LETTER_TERM.test(sentence)) out.push({ kind: 'letter-term', sentence });
  }
  return out;
}

/**
 * The letter's legal term: Dutch by `checkFourteenDayWording` (the authoritative wording); the English letter's
 * translation mirrors it — 14 days or more from the day after delivery, or 15 days or more after delivery.
 */
export function isLegalLetterTerm(sentence: string): boolean {
  if (checkFourteenDayWording(sentence).valid) return true;
  const t = normalise(sentence).replace(/\s+/g, ' ');
  if (/date of (this|the) letter|sending|dispatch|today/.test(t)) return false;
  const fromDayAfter = new RegExp(`\\bwithin ${NUMBER} days from the day after this letter has been delivered\\b`).exec(t);
  if (fromDayAfter) return count(fromDayAfter[1]) >= 14;
  const afterDelivery = new RegExp(`\\bwithin ${NUMBER} days after this letter has been delivered\\b`).exec(t);
  return afterDelivery !== null && count(afterDelivery[1]) >= 15;
}

export type TermPolicy =
  /** the 14-day letter itself: it states the legal term, and nothing else */
  | { message: 'fourteen-day-letter' }
  /** a message while the letter's term runs (the other channels in the fourteen_day_letter phase) */
  | { message: 'follow-up'; termEndDate?: string }
  /** any other message (reminder before the letter; demand, final notice, hand-over after the term) */
  | { message: 'other' };

/** What is wrong with a message's term statements under DESIGN §5 rules 3 and 12; [] when nothing is. */
export function termViolations(text: string, policy: TermPolicy): string[] {
  const found = termStatementsOf(text);
  const v: string[] = [];
  const starts = found.filter((s) => s.kind === 'starts-term');
  for (const s of found) {
    if (s.kind === 'relative-term') v.push(`states a term of its own, counted from an unclear moment: "${s.sentence}"`);
    if (s.kind === 'starts-term' && policy.message !== 'fourteen-day-letter') v.push(`starts a new term (only the 14-day letter may): "${s.sentence}"`);
  }
  if (policy.message === 'fourteen-day-letter') {
    const legal = starts.filter((s) => s.medium === 'letter' && isLegalLetterTerm(s.sentence));
    if (legal.length === 0) v.push('the 14-day letter does not state the legal term ("binnen 14 dagen vanaf de dag nadat deze brief bij u is bezorgd")');
    for (const s of starts.filter((x) => !legal.includes(x))) v.push(`a second, different term: "${s.sentence}"`);
    for (const s of found) if (s.kind === 'deadline') v.push(`a date next to the term counted from delivery: "${s.sentence}"`);
  }
  if (policy.message === 'follow-up') {
    for (const s of found) {
      if (s.kind !== 'deadline') continue;
      if (policy.termEndDate === undefined) v.push(`names a date (${s.date}) while the letter's term end is not known: "${s.sentence}"`);
      else if (s.date !== policy.termEndDate) v.push(`names ${s.date}, not the letter's term end ${policy.termEndDate}: "${s.sentence}"`);
    }
  }
  if (policy.message === 'other') {
    for (const s of found) if (s.kind === 'deadline' && s.costFree) v.push(`promises no costs until ${s.date}: "${s.sentence}"`);
  }
  return v;
}
