/**
 * A compact, lossless binary form of the classifier's model (./model.json), for the Lambda bundle: the JSON is
 * ≈ 207 KB (5,400 feature names and 17,800 weights written out), this form ≈ 29 KB once compressed — which keeps
 * the Webhooks function within its budget with the classifier inside. infra/build/intents-model.ts writes it at build
 * time (brotli, base64) in place of model.json; decoding gives back exactly the same Model (test/unit/intents.test.ts
 * checks it equal to model.json, and every classification of the corpus equal).
 *
 * Lossless because training stores weights with two decimals (model.ts rounds them): a weight is an integer number
 * of hundredths, and n / 100 is the same double as the JSON's "0.78". Layout (all integers little-endian):
 *
 *   header   JSON {version, intents, bias, trainedOn}, then a 0 byte
 *   names    the feature names in the model's order, separated by "\n", then a 0 byte
 *   masks    per feature: 2 bytes, bit k set = the feature has a weight for class k (at most 16 classes)
 *   weights  per feature, per set bit in ascending class order: the weight in hundredths, zigzag, as a varint
 *
 * Pure: bytes in, bytes out (compression is the build's and the bundle's business).
 */
import type { Model } from './model.js';

const MAX_CLASSES = 16;

/** n ≥ 0 ↦ 2n, n < 0 ↦ −2n − 1 (small magnitudes stay small). */
const zigzag = (n: number) => (n >= 0 ? 2 * n : -2 * n - 1);
const unzigzag = (z: number) => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

export function encodeModel(model: Model): Uint8Array {
  if (model.intents.length > MAX_CLASSES) throw new RangeError(`the compact model holds at most ${MAX_CLASSES} classes`);
  const header = JSON.stringify({ version: model.version, intents: model.intents, bias: model.bias, trainedOn: model.trainedOn });
  const names = Object.keys(model.weights);
  for (const n of names) {
    if (/[\n\0]/.test(n) || n === '__proto__') throw new RangeError(`feature name cannot be encoded: ${JSON.stringify(n)}`);
  }
  const masks = new Uint8Array(names.length * 2);
  const weights: number[] = [];
  names.forEach((name, f) => {
    const pairs = model.weights[name];
    let mask = 0;
    let last = -1;
    for (let j = 0; j < pairs.length; j += 2) {
      const k = pairs[j];
      const w = pairs[j + 1];
      const hundredths = Math.round(w * 100);
      if (!Number.isInteger(k) || k <= last || k >= model.intents.length) throw new RangeError(`${name}: class indices must ascend within 0..${model.intents.length - 1}`);
      if (hundredths / 100 !== w) throw new RangeError(`${name}: weight ${w} has more than two decimals`);
      last = k;
      mask |= 1 << k;
      for (let z = zigzag(hundredths); ; z = Math.floor(z / 128)) {
        if (z < 128) {
          weights.push(z);
          break;
        }
        weights.push((z % 128) | 128);
      }
    }
    masks[2 * f] = mask & 0xff;
    masks[2 * f + 1] = mask >> 8;
  });
  const text = new TextEncoder();
  return concat([text.encode(header), Uint8Array.of(0), text.encode(names.join('\n')), Uint8Array.of(0), masks, Uint8Array.from(weights)]);
}

export function decodeModel(bytes: Uint8Array): Model {
  const text = new TextDecoder();
  const end1 = bytes.indexOf(0);
  const end2 = bytes.indexOf(0, end1 + 1);
  if (end1 < 0 || end2 < 0) throw new RangeError('not a compact model');
  const head = JSON.parse(text.decode(bytes.subarray(0, end1))) as Omit<Model, 'weights'>;
  const names = end2 > end1 + 1 ? text.decode(bytes.subarray(end1 + 1, end2)).split('\n') : [];
  let at = end2 + 1 + names.length * 2;
  const weights: Record<string, number[]> = {};
  names.forEach((name, f) => {
    const mask = bytes[end2 + 1 + 2 * f] | (bytes[end2 + 2 + 2 * f] << 8);
    const pairs: number[] = [];
    for (let k = 0; k < MAX_CLASSES; k++) {
      if (!(mask & (1 << k))) continue;
      let z = 0;
      for (let scale = 1; ; scale *= 128) {
        const b = bytes[at++];
        z += (b & 127) * scale;
        if (b < 128) break;
      }
      pairs.push(k, unzigzag(z) / 100);
    }
    weights[name] = pairs;
  });
  if (at !== bytes.length) throw new RangeError('compact model: trailing or missing bytes');
  return { version: head.version, intents: head.intents, bias: head.bias, weights, trainedOn: head.trainedOn };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
