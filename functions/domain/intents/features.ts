/**
 * What the trained model sees of a reply: its words, word pairs, letter groups (3–4 letters, so a typo or an
 * inflection still shares most of them) and which rules of ./lexicon.ts matched. Pure.
 *
 * Each group of features is scaled to length one, so a long message does not outweigh a short one just by having
 * more words; a rule that matched counts 1 (strong) or 0.5 (weak).
 */
import type { Normalised } from './normalise.js';
import type { Rule } from './lexicon.js';

export type Features = Map<string, number>;

function addGroup(out: Features, keys: Iterable<string>): void {
  const set = new Set(keys);
  if (set.size === 0) return;
  const v = 1 / Math.sqrt(set.size);
  for (const k of set) out.set(k, v);
}

export function featuresOf(n: Normalised, hits: readonly Rule[]): Features {
  const out: Features = new Map();
  const t = n.tokens;
  addGroup(out, t.map((w) => `w:${w}`));
  addGroup(out, t.slice(1).map((w, i) => `b:${t[i]}_${w}`));
  const grams: string[] = [];
  for (const w of t) {
    const padded = ` ${w} `;
    for (const size of [3, 4]) for (let i = 0; i + size <= padded.length; i++) grams.push(`c:${padded.slice(i, i + size)}`);
  }
  addGroup(out, grams);
  out.set(t.length === 0 ? 'len:0' : t.length === 1 ? 'len:1' : t.length <= 3 ? 'len:2-3' : t.length <= 8 ? 'len:4-8' : 'len:9+', 1);
  for (const r of hits) {
    const key = `${r.strong ? 's' : 'r'}:${r.intent}`;
    out.set(key, Math.max(out.get(key) ?? 0, r.strong ? 1 : 0.5));
  }
  return out;
}
