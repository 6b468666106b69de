/**
 * The labelled corpus (./corpus.jsonl, written for this project: fictional replies, no real people's data) and
 * its split. Pure: the caller reads the file.
 *
 * Each line: `t` the reply as a debtor would type it, `i` its intent (the one that decides the answer; see the
 * precedence below), `a` other intents it also carries, `d` the date it names (promises and requests to pay
 * later; relative to CORPUS_NOW), `l` its language.
 *
 * Labelling convention for replies with several intents: a request to stop messages first (opt-out of all, then
 * of a channel), then the protection signals (vulnerability, debt help, bankruptcy), then disputes and "not mine",
 * "already paid", then promises, requests to pay later or in parts and "cannot pay", then the questions.
 *
 * The held-out part is fixed by a hash of each reply's text (a quarter of them), so adding replies never moves an
 * existing one between the parts; the model is trained on the rest only.
 */
import { INTENTS, type Intent } from '../vocabulary.js';

export interface CorpusEntry {
  t: string;
  i: Intent;
  a?: Intent[];
  d?: string;
  l: 'nl' | 'en';
}

/** The moment the corpus's dates are relative to: Wednesday 4 March 2026, 11:00 in Amsterdam. */
export const CORPUS_NOW = new Date('2026-03-04T10:00:00Z');

export function parseCorpus(jsonl: string): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  const seen = new Set<string>();
  jsonl.split('\n').forEach((line, n) => {
    if (!line.trim()) return;
    const e = JSON.parse(line) as CorpusEntry;
    if (typeof e.t !== 'string' || !(INTENTS as readonly string[]).includes(e.i) || (e.l !== 'nl' && e.l !== 'en')) {
      throw new Error(`corpus line ${n + 1}: needs t (text), i (an intent) and l (nl or en)`);
    }
    for (const a of e.a ?? []) if (!(INTENTS as readonly string[]).includes(a)) throw new Error(`corpus line ${n + 1}: unknown intent ${a}`);
    if (seen.has(e.t)) throw new Error(`corpus line ${n + 1}: "${e.t}" appears twice`);
    seen.add(e.t);
    out.push(e);
  });
  return out;
}

/** FNV-1a, 32 bits. */
function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of new TextEncoder().encode(text)) {
    h ^= ch;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export const isHeldOut = (e: Pick<CorpusEntry, 't'>): boolean => fnv(e.t) % 4 === 0;

export function splitCorpus(entries: readonly CorpusEntry[]): { train: CorpusEntry[]; heldOut: CorpusEntry[] } {
  return { train: entries.filter((e) => !isHeldOut(e)), heldOut: entries.filter(isHeldOut) };
}
