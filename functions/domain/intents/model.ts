/**
 * A small multinomial logistic regression over the features of ./features.ts, trained on the labelled corpus's
 * training part at build time (`npm run train:intents` writes ./model.json; test/unit/intents.test.ts fails when
 * the file is not what training on the current corpus gives). Pure and deterministic: full-batch AdaGrad from
 * zero weights, a fixed number of rounds, features in sorted order — the same corpus always gives the same model.
 * Nothing is downloaded or trained at run time.
 */
import type { Features } from './features.js';

export interface Model {
  version: 1;
  /** the classes, in the order of every weight vector */
  intents: string[];
  bias: number[];
  /**
   * feature → its weights as pairs [class index, weight, class index, weight, …]; weights below PRUNE_BELOW are
   * left out (they change no decision and would triple the file).
   */
  weights: Record<string, number[]>;
  /** how it was trained (for the report) */
  trainedOn: { examples: number; rounds: number; l2: number };
}

export interface TrainOptions {
  rounds?: number;
  learningRate?: number;
  l2?: number;
}

export interface Example {
  features: Features;
  label: string;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
export const PRUNE_BELOW = 0.05;

export function train(examples: readonly Example[], intents: readonly string[], o: TrainOptions = {}): Model {
  const rounds = o.rounds ?? 1500;
  const lr = o.learningRate ?? 0.3;
  const l2 = o.l2 ?? 1e-4;
  const K = intents.length;
  const names = [...new Set(examples.flatMap((e) => [...e.features.keys()]))].sort();
  const index = new Map(names.map((n, i) => [n, i]));
  const rows = examples.map((e) => ({
    idx: [...e.features.keys()].map((k) => index.get(k)!),
    val: [...e.features.values()],
    y: intents.indexOf(e.label),
  }));
  if (rows.some((r) => r.y < 0)) throw new Error('an example has a label that is not an intent');
  const F = names.length;
  const W = new Float64Array(F * K);
  const b = new Float64Array(K);
  const GW = new Float64Array(F * K);
  const Gb = new Float64Array(K);
  const gradW = new Float64Array(F * K);
  const gradB = new Float64Array(K);
  const p = new Float64Array(K);
  const N = rows.length;
  for (let round = 0; round < rounds; round++) {
    gradW.fill(0);
    gradB.fill(0);
    for (const r of rows) {
      scores(W, b, r.idx, r.val, K, p);
      softmaxInPlace(p);
      p[r.y] -= 1;
      for (let j = 0; j < r.idx.length; j++) {
        const base = r.idx[j] * K;
        const x = r.val[j];
        for (let k = 0; k < K; k++) gradW[base + k] += x * p[k];
      }
      for (let k = 0; k < K; k++) gradB[k] += p[k];
    }
    for (let i = 0; i < W.length; i++) {
      const g = gradW[i] / N + l2 * W[i];
      GW[i] += g * g;
      W[i] -= (lr * g) / (Math.sqrt(GW[i]) + 1e-8);
    }
    for (let k = 0; k < K; k++) {
      const g = gradB[k] / N;
      Gb[k] += g * g;
      b[k] -= (lr * g) / (Math.sqrt(Gb[k]) + 1e-8);
    }
  }
  const weights: Record<string, number[]> = {};
  names.forEach((name, f) => {
    const pairs: number[] = [];
    for (let k = 0; k < K; k++) {
      const w = round(W[f * K + k]);
      if (Math.abs(w) >= PRUNE_BELOW) pairs.push(k, w);
    }
    if (pairs.length) weights[name] = pairs;
  });
  return { version: 1, intents: [...intents], bias: Array.from(b, (x) => round(x, 3)), weights, trainedOn: { examples: N, rounds, l2 } };
}

function scores(W: Float64Array, b: Float64Array, idx: readonly number[], val: readonly number[], K: number, out: Float64Array): void {
  for (let k = 0; k < K; k++) out[k] = b[k];
  for (let j = 0; j < idx.length; j++) {
    const base = idx[j] * K;
    for (let k = 0; k < K; k++) out[k] += val[j] * W[base + k];
  }
}

function softmaxInPlace(p: Float64Array | number[]): void {
  let max = -Infinity;
  for (const x of p) max = Math.max(max, x);
  let sum = 0;
  for (let k = 0; k < p.length; k++) {
    p[k] = Math.exp(p[k] - max);
    sum += p[k];
  }
  for (let k = 0; k < p.length; k++) p[k] /= sum;
}

/** Probability per class, in the model's class order. */
export function predict(model: Model, features: Features): number[] {
  const p = [...model.bias];
  for (const [name, x] of features) {
    const w = model.weights[name];
    if (!w) continue;
    for (let j = 0; j < w.length; j += 2) p[w[j]] += x * w[j + 1];
  }
  softmaxInPlace(p);
  return p;
}
