/**
 * Build step: the reply classifier's model in the Lambda bundles. functions/domain/intents/model.json (≈ 207 KB of
 * JSON) becomes a module holding the same model in its compact binary form (model-codec.ts), brotli-compressed and
 * base64-encoded (≈ 39 KB), decoded once when the function loads (node:zlib, a millisecond or two). Same model,
 * same classifications: test/unit/intents.test.ts evaluates this module and compares it with model.json.
 */
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { encodeModel } from '../../functions/domain/intents/model-codec.js';
import type { Model } from '../../functions/domain/intents/model.js';
import { repoPath } from '../aws/paths.js';

export const MODEL_JSON = repoPath('functions', 'domain', 'intents', 'model.json');
const CODEC = repoPath('functions', 'domain', 'intents', 'model-codec.ts');

/** The compact model, compressed, as base64. */
export function compactModel(model: Model = JSON.parse(readFileSync(MODEL_JSON, 'utf8')) as Model): string {
  const bytes = encodeModel(model);
  const packed = brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length, [constants.BROTLI_PARAM_LGWIN]: 22 },
  });
  return packed.toString('base64');
}

/** The ES module the bundles get instead of model.json: its default export is the Model. */
export function compactModelModule(model?: Model, codecPath = CODEC): string {
  return [
    `import { brotliDecompressSync } from 'node:zlib';`,
    `import { decodeModel } from ${JSON.stringify(codecPath)};`,
    `export default decodeModel(new Uint8Array(brotliDecompressSync(Buffer.from(${JSON.stringify(compactModel(model))}, 'base64'))));`,
  ].join('\n');
}
