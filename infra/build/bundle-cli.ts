/**
 * `node --import tsx infra/build/bundle-cli.ts <outDir> [Function …]`: bundles the functions (all by default) into
 * `<outDir>/<Name>/asset` and `<outDir>/<Name>/artefacts`, and writes `<outDir>/sizes.json`. The CDK stack runs this
 * once per synth (infra/aws/bundling.ts: CDK's local bundling hook is synchronous, esbuild's plugins are not).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FUNCTION_NAMES, type FunctionName } from '../aws/functions.js';
import { bundleAll, overBudget } from './bundle.js';

const [outDir, ...names] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: bundle-cli.ts <outDir> [Function …]');
  process.exit(2);
}
const unknown = names.filter((n) => !FUNCTION_NAMES.includes(n as FunctionName));
if (unknown.length) {
  console.error(`unknown function(s): ${unknown.join(', ')}`);
  process.exit(2);
}
const results = await bundleAll(path.resolve(outDir), names.length ? (names as FunctionName[]) : FUNCTION_NAMES);
const sizes = Object.fromEntries(Object.entries(results).map(([n, r]) => [n, { bytes: r.bytes, budgetBytes: r.budgetBytes }]));
writeFileSync(path.join(outDir, 'sizes.json'), JSON.stringify(sizes, null, 2));
for (const line of overBudget(results)) console.error(`over budget: ${line}`);
