/**
 * Bundle sizes for the bench (`npm run bench` prints them, `--json` reports them as `bundles`): every function is
 * bundled exactly as `cdk synth` bundles it, and the size is the minified index.mjs from esbuild's metafile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FunctionName } from '../aws/functions.js';
import { type BundleResult, bundleAll, overBudget, topInputs } from './bundle.js';

export interface BundleSizes {
  /** bytes of each function's minified bundle */
  bundles: Record<FunctionName, number>;
  /** one line per function over its budget (empty when every target is met) */
  overBudget: string[];
  results: Record<FunctionName, BundleResult>;
}

export async function bundleSizes(outDir?: string): Promise<BundleSizes> {
  const dir = outDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-bundles-'));
  try {
    const results = await bundleAll(dir);
    const bundles = Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r.bytes])) as Record<FunctionName, number>;
    return { bundles, overBudget: overBudget(results), results };
  } finally {
    if (!outDir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The bench's table: size, budget and the biggest parts of each bundle. */
export function formatBundleSizes(sizes: BundleSizes): string {
  const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`;
  const lines = Object.values(sizes.results).map((r) => {
    const mark = r.bytes > r.budgetBytes ? '  ✗ OVER BUDGET' : '';
    const parts = topInputs(r, 4).map((i) => `${i.module} ${kb(i.bytes)}`).join(', ');
    return `  ${r.name.padEnd(13)}${kb(r.bytes).padStart(10)}  (budget ${kb(r.budgetBytes)})${mark}\n      ${parts}`;
  });
  return lines.join('\n');
}
