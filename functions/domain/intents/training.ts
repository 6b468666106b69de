/**
 * Training the model on the corpus and measuring the classifier on it. Pure (the corpus is passed in), used by
 * `npm run train:intents` / `npm run eval:intents` (infra/tools/intents.ts) and the tests.
 */
import { INTENTS, type Intent } from '../vocabulary.js';
import { classifyReply } from './classify.js';
import { type CorpusEntry, CORPUS_NOW } from './corpus.js';
import { featuresOf } from './features.js';
import { RULES } from './lexicon.js';
import { type Model, type TrainOptions, train } from './model.js';
import { normalise } from './normalise.js';

export function trainOn(entries: readonly CorpusEntry[], options: TrainOptions = {}): Model {
  const examples = entries.map((e) => {
    const n = normalise(e.t);
    return { features: featuresOf(n, RULES.filter((r) => r.re.test(n.text))), label: e.i };
  });
  return train(examples, INTENTS, options);
}

export interface IntentScore {
  intent: Intent;
  /** replies labelled with it */
  support: number;
  predicted: number;
  correct: number;
  precision: number;
  recall: number;
}

export interface Evaluation {
  total: number;
  correct: number;
  accuracy: number;
  perIntent: IntentScore[];
  /**
   * Replies that carry an opt-out or a vulnerability signal (as their label or among their other intents), and how
   * many of them the classifier acts on (as its intent or among `also`).
   */
  safety: Record<'opt_out' | 'vulnerable', { carried: number; actedOn: number; recall: number; missed: string[] }>;
  dates: { expected: number; correct: number; wrong: Array<{ text: string; expected: string; got?: string }> };
  errors: Array<{ text: string; expected: Intent; got: Intent; confidence: number; guess?: Intent }>;
  /** replies that went to an agent because the classifier was not sure (intent unclear with a guess) */
  toAgent: number;
}

const OPT_OUTS: readonly Intent[] = ['opt_out', 'opt_out_all'];

export function evaluate(model: Model, entries: readonly CorpusEntry[], now: Date = CORPUS_NOW, threshold?: number): Evaluation {
  const counts = new Map<Intent, { support: number; predicted: number; correct: number }>(INTENTS.map((i) => [i, { support: 0, predicted: 0, correct: 0 }]));
  const errors: Evaluation['errors'] = [];
  const safety: Evaluation['safety'] = { opt_out: { carried: 0, actedOn: 0, recall: 1, missed: [] }, vulnerable: { carried: 0, actedOn: 0, recall: 1, missed: [] } };
  const dates: Evaluation['dates'] = { expected: 0, correct: 0, wrong: [] };
  let correct = 0;
  let toAgent = 0;
  for (const e of entries) {
    const r = classifyReply(e.t, now, model, threshold);
    counts.get(e.i)!.support++;
    counts.get(r.intent)!.predicted++;
    if (r.guess) toAgent++;
    if (r.intent === e.i) {
      correct++;
      counts.get(e.i)!.correct++;
    } else errors.push({ text: e.t, expected: e.i, got: r.intent, confidence: r.confidence, ...(r.guess ? { guess: r.guess } : {}) });
    const carried = [e.i, ...(e.a ?? [])];
    const acted = [r.intent, ...r.also];
    const check = (kind: 'opt_out' | 'vulnerable', set: readonly Intent[]) => {
      if (!carried.some((i) => set.includes(i))) return;
      safety[kind].carried++;
      if (acted.some((i) => set.includes(i))) safety[kind].actedOn++;
      else safety[kind].missed.push(e.t);
    };
    check('opt_out', OPT_OUTS);
    check('vulnerable', ['vulnerable']);
    if (e.d) {
      dates.expected++;
      if (r.date?.date === e.d) dates.correct++;
      else dates.wrong.push({ text: e.t, expected: e.d, ...(r.date ? { got: r.date.date } : {}) });
    }
  }
  for (const s of Object.values(safety)) s.recall = s.carried ? s.actedOn / s.carried : 1;
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  return {
    total: entries.length,
    correct,
    accuracy: ratio(correct, entries.length),
    perIntent: INTENTS.map((intent) => {
      const c = counts.get(intent)!;
      return { intent, ...c, precision: ratio(c.correct, c.predicted), recall: ratio(c.correct, c.support) };
    }),
    safety,
    dates,
    errors,
    toAgent,
  };
}

/** The targets of issue 8: ≥ 90% accuracy held-out, every opt-out and vulnerability signal caught. */
export const TARGETS = { accuracy: 0.9, optOutRecall: 1, vulnerableRecall: 1 } as const;

export function meetsTargets(e: Evaluation): boolean {
  const primary = (i: Intent) => e.perIntent.find((s) => s.intent === i)!.recall;
  return (
    e.accuracy >= TARGETS.accuracy &&
    e.safety.opt_out.recall >= TARGETS.optOutRecall &&
    e.safety.vulnerable.recall >= TARGETS.vulnerableRecall &&
    primary('opt_out') >= TARGETS.optOutRecall &&
    primary('opt_out_all') >= TARGETS.optOutRecall &&
    primary('vulnerable') >= TARGETS.vulnerableRecall
  );
}
