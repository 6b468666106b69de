/**
 * Text as the classifier reads it. Pure.
 *
 *  - NFKC first, so "ＳＴＯＰ" (full-width) reads as "stop"; then lower case and no diacritics ("één" → "een").
 *  - Chat spellings become words ("ff" → "even", "mn" → "mijn", "i'll" → "i will"): the rules stay readable.
 *  - Letters repeated three times or more are cut to two ("stoppppp" → "stopp"), then each word that is not a
 *    known word but is one or two typing errors away from a keyword of the rules becomes that keyword
 *    ("betallen" → "betalen", "overleeden" → "overleden", "regling" → "regeling"). Only words of five letters or
 *    more are corrected, and only to a keyword with the same first letter: short words are too easily another word.
 */
import { distance } from 'fastest-levenshtein';
import { KEYWORDS } from './lexicon.js';

export interface Normalised {
  /** lower case, no diacritics, punctuation kept (dates such as "25-3" need it) */
  plain: string;
  /** the corrected words, in order */
  tokens: string[];
  /** the corrected words joined by single spaces: what the rules match on */
  text: string;
  /** words that were corrected, as "from→to" (for the timeline's "matched") */
  corrections: string[];
}

/** Chat spellings and contractions (after lower-casing and removing diacritics). */
const SPELLINGS: ReadonlyArray<[RegExp, string]> = [
  [/\bi'll\b/g, 'i will'],
  // "ill pay" is "I'll pay" typed without the apostrophe; "very ill" stays ill.
  [/(^|[.!?,]\s*)ill (?=(pay|be|send|transfer|do|make|call|get|sort|try|have|see|wire|settle)\b)/g, '$1i will '],
  [/\b(you|we|they|he|she)'ll\b/g, '$1 will'],
  [/\bi'?m\b/g, 'i am'],
  [/\bi'?ve\b/g, 'i have'],
  [/\bi'?d\b/g, 'i would'],
  [/\b(can'?t|cannot|can not)\b/g, 'cant'],
  [/\b(won'?t)\b/g, 'wont'],
  [/\b(don'?t|do not)\b/g, 'dont'],
  [/\b(doesn'?t|does not)\b/g, 'doesnt'],
  [/\b(isn'?t|is not)\b/g, 'isnt'],
  [/\b(haven'?t|have not)\b/g, 'havent'],
  [/\b(it|that|there|what|who)'s\b/g, '$1 is'],
  [/\bm'?n\b/g, 'mijn'],
  [/\bz'?n\b/g, 'zijn'],
  [/(^|\s)'?k(?=\s)/g, '$1ik '],
  [/\b'?n\b/g, 'een'],
  [/\bff\b/g, 'even'],
  [/\baub\b|\ba\.u\.b\.?/g, 'alstublieft'],
  [/\bsvp\b/g, 'alstublieft'],
  [/\b(pls|plz|plse)\b/g, 'please'],
  [/\bwrm\b/g, 'waarom'],
  [/\bwnr\b/g, 'wanneer'],
  [/\bipv\b/g, 'in plaats van'],
  [/\bidd\b/g, 'inderdaad'],
  [/\b(thx|tnx|ty)\b/g, 'thanks'],
  [/\btxt\b/g, 'text'],
  [/\bmsgs?\b/g, 'messages'],
  [/\bnie\b/g, 'niet'],
  [/\b(\d+)\s?x\b/g, '$1 keer'],
];

/** Words that look like a keyword with a typo but are ordinary words: never corrected. */
const KNOWN = new Set([
  'betaal', 'betaald', 'betaalt', 'betalen', 'stoppen', 'stopt', 'gestopt', 'morgen', 'zorgen', 'regelen', 'geregeld', 'zieke', 'zieken',
  'overleg', 'bellen', 'belt', 'gebeld', 'delen', 'dealen', 'spelen', 'halen', 'malen', 'willen', 'zullen', 'kunnen', 'mogen', 'moeten',
  'helpen', 'lopen', 'hopen', 'kopen', 'sturen', 'huren', 'duren', 'buren', 'uren', 'kosten', 'posten', 'testen', 'maand', 'maanden',
  'cancel', 'cancels', 'overleven', 'never', 'other', 'ever', 'paid', 'pay', 'payed', 'mailen', 'mails', 'zaken', 'maken', 'laten', 'praten', 'weten', 'eten', 'heten',
  'rekening', 'rekeningen', 'regelingen', 'termijn', 'termijnen', 'betaling', 'betalingen', 'factuur', 'facturen', 'money', 'months',
  'month', 'monthly', 'about', 'hello', 'hallo', 'thanks', 'there', 'these', 'those', 'their', 'where', 'stress', 'stressed',
  'family', 'number', 'nummer', 'please', 'vrouw', 'broer', 'zoon', 'dochter', 'moeder', 'vader', 'tijd', 'later', 'water',
]);

function correct(word: string): string {
  if (word.length < 5 || KNOWN.has(word) || KEYWORDS.has(word) || /\d/.test(word)) return word;
  const limit = word.length >= 10 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = limit + 1;
  let tie = false;
  for (const k of KEYWORDS) {
    if (k[0] !== word[0] || Math.abs(k.length - word.length) > limit) continue;
    const d = distance(word, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance) tie = true;
  }
  // Two keywords equally near: no guess.
  return best && !tie ? best : word;
}

export function normalise(text: string): Normalised {
  let plain = text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[’‘`´]/g, "'")
    .replace(/(\p{L})\1{2,}/gu, '$1$1');
  for (const [from, to] of SPELLINGS) plain = plain.replace(from, to);
  // "sms'en", "ge-sms't" and "e-mail" are one word each.
  const words = plain
    .replace(/(\p{L})['-](\p{L})/gu, '$1$2')
    .replace(/(\p{L})['-](\p{L})/gu, '$1$2')
    .split(/[^\p{L}\p{N}€]+/u)
    .filter(Boolean);
  const corrections: string[] = [];
  const tokens = words.map((w) => {
    const c = correct(w);
    if (c !== w) corrections.push(`${w}→${c}`);
    return c;
  });
  return { plain, tokens, text: tokens.join(' '), corrections };
}
