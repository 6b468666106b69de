/**
 * What a debtor's reply means. Pure: text and `now` in; the intent, how sure, the other intents it carries, the
 * date it names and the words that decided it out.
 *
 *  1. The text is normalised (./normalise.ts: full-width letters, diacritics, chat spellings, typos).
 *  2. The rules (./lexicon.ts) say which phrases it contains.
 *  3. The trained model (./model.ts, ./model.json) weighs words, letter groups and rules into a probability per
 *     intent.
 *  4. A strong rule of a safety intent decides: an opt-out (of everything, then of a channel), then vulnerability,
 *     debt help, bankruptcy — missing one of those is a harm, a false alarm costs an agent a minute.
 *     Otherwise the model's most likely intent, if it is at least CONFIDENCE_THRESHOLD sure; below that the reply
 *     is `unclear` (with the best guess kept) and goes to an agent — never silently to "other".
 */
import type { Channel, Intent } from '../vocabulary.js';
import { featuresOf } from './features.js';
import { type Rule, RULES } from './lexicon.js';
import { type Model, predict } from './model.js';
import { normalise } from './normalise.js';
import { type PromiseDate, promiseDate } from './dates.js';
import trained from './model.json' with { type: 'json' };

export type { PromiseDate };

/** Below this the reply goes to an agent as `unclear`. */
export const CONFIDENCE_THRESHOLD = 0.4;
/** A safety intent decided by its rule is at least this sure. */
export const RULE_CONFIDENCE = 0.9;
/** The safety intents, most important first. */
export const SAFETY_ORDER: readonly Intent[] = ['opt_out_all', 'opt_out', 'vulnerable', 'debt_help', 'bankruptcy'];

export interface ClassifiedReply {
  intent: Intent;
  /** 0–1, two decimals */
  confidence: number;
  /** `unclear` because the model was not sure enough: what it thought most likely */
  guess?: Intent;
  /** other intents the reply carries that are acted on too (safety intents, a call-back request) */
  also: Intent[];
  /** promises and requests to pay later: the date named */
  date?: PromiseDate;
  /** opt-outs: the channels the reply names ("stop met bellen" → call); none named = the reply's own channel */
  channels: Channel[];
  /** the reply starts with a stop word on its own ("STOP. Bel me ook niet meer"): it stops the reply's channel too */
  bareStop: boolean;
  /** the phrases that decided it (for the timeline) */
  matched?: string;
}

const CHANNEL_WORDS: ReadonlyArray<[Channel, RegExp]> = [
  ['sms', /\b(sms|smsen|smsjes|smsje|gesmst|text|texts|texting|sms berichten)\b/],
  ['whatsapp', /\b(whatsapp|whatsappen|whatsapps|whatsapping|appen|appjes|appje)\b/],
  ['call', /\b(bel|bellen|gebeld|telefoontjes|calls|call|calling|phone calls|ring)\b/],
  ['email', /\b(mail|mails|mailen|email|emails|emailing)\b/],
];

const round2 = (x: number) => Math.round(x * 100) / 100;

export function classifyReply(text: string, now: Date, model: Model = trained as Model, threshold = CONFIDENCE_THRESHOLD): ClassifiedReply {
  const n = normalise(text);
  const hits: Rule[] = RULES.filter((r) => r.re.test(n.text));
  const p = predict(model, featuresOf(n, hits));
  const prob = (i: Intent) => p[model.intents.indexOf(i)] ?? 0;
  const strong = new Set(hits.filter((r) => r.strong).map((r) => r.intent));
  const safety = SAFETY_ORDER.filter((i) => strong.has(i));
  let intent: Intent;
  let confidence: number;
  let guess: Intent | undefined;
  if (safety.length) {
    intent = safety[0];
    confidence = Math.max(RULE_CONFIDENCE, prob(intent));
  } else {
    const best = p.indexOf(Math.max(...p));
    const top = model.intents[best] as Intent;
    confidence = p[best];
    if (confidence >= threshold || top === 'unclear') intent = top;
    else {
      intent = 'unclear';
      guess = top;
    }
  }
  const isOptOut = intent === 'opt_out' || intent === 'opt_out_all';
  const also = [...safety.filter((i) => i !== intent && !(intent === 'opt_out_all' && i === 'opt_out'))];
  if (!isOptOut && intent !== 'call_me' && hits.some((r) => r.intent === 'call_me')) also.push('call_me');
  const matched = [...new Set(hits.filter((r) => r.intent === intent).map((r) => r.re.exec(n.text)?.[0]).filter(Boolean))].join(', ');
  const date = intent === 'promise_to_pay' || intent === 'postpone' || guess === 'promise_to_pay' || guess === 'postpone' ? promiseDate(n.plain, now) : undefined;
  return {
    intent,
    confidence: round2(confidence),
    ...(guess ? { guess } : {}),
    also,
    ...(date ? { date } : {}),
    channels: isOptOut ? CHANNEL_WORDS.filter(([, re]) => re.test(n.text)).map(([c]) => c) : [],
    bareStop: /^\s*(stop|stopp|stoppen)\s*([.!,;:]|$)/.test(n.plain),
    ...(matched ? { matched } : {}),
  };
}
