/**
 * Builds the Lambda bundles: one esbuild bundle per function (infra/aws/functions.ts), the same for `cdk synth`,
 * the bench's bundle sizes and the test that runs the bundles against the local runtime.
 *
 * What goes in, and why:
 * - ES module, minified, target Node 20 (the oldest Node the bundles run on: the local runtime; Lambda runs 24).
 * - `@aws-sdk/*` stays out: the Lambda Node.js runtime provides the SDK v3. `@aws-lambda-powertools/*` stays out
 *   too: the stack adds the official Powertools layer of exactly the installed version (stack.ts). Bundled,
 *   Powertools with the X-Ray SDK would be ≈ 155 KB in every function; the layer is deployed once and shared.
 * - No source map in the asset: it is written next to it, under the artefacts folder, with esbuild's metafile.
 * - templates/strategy.json is embedded without its `$comment` notes (operators read those in the file).
 * - The API's documentation (`doc(schema, meta)`: descriptions, examples, component ids) only in the Docs function,
 *   which renders it; the other functions get the same schemas without it, and only the schemas they use
 *   (strip-docs.ts).
 * - grapheme-splitter (what sms-segments-calculator splits a text with) is replaced by functions/channels/graphemes.ts:
 *   the same algorithm over a generated table of the library's own break properties (≈ 23 KB → 5 KB), held equal to
 *   the library by test/unit/graphemes.test.ts.
 * - The reply classifier's model.json is embedded in its compact binary form, compressed (intents-model.ts): the
 *   same model, ≈ 39 KB instead of ≈ 190 KB in the Webhooks function.
 * - The phone metadata (functions/shared/schemas/phone-metadata.generated.ts) is embedded compressed
 *   (phone-metadata.ts compactPhoneMetadataModule): the same metadata, ≈ 11 KB instead of ≈ 32 KB in the Api function.
 * - Each function keeps only its own channels' modules (adapter, renderer parts, templates) — the Deliveries function,
 *   which answers replies, the answer templates and the SMS/WhatsApp adapter and SMS renderer: the others are
 *   replaced by stubs that throw if ever called, so e.g. Await bundles neither pdfkit nor a provider client.
 *   A stub that is called is a bundling mistake; test/infra/bundled-handlers.test.ts runs every bundle to find it.
 * - pdfkit: its standard-font metrics are loaded at run time through `createRequire` and the package's
 *   `#standard-fonts/*` imports, which esbuild cannot inline; when pdfkit is in a bundle, the font modules and a
 *   package.json mapping the same specifiers are put next to index.mjs. fontkit (embedded TrueType fonts) and
 *   with it brotli are left out: a letter is in the standard fonts, or, when it has a character they lack, in the
 *   letter fonts of functions/channels/letter-font.ts, which pdfkit embeds without fontkit; their files
 *   (functions/channels/letter-fonts/: two TrueType fonts and their licence) go next to index.mjs as well. So are
 *   pdfkit's AES (encryption) and PNG decoder, which a letter without password and images never calls, and the rest
 *   of its encryption (its own hash functions, SASLprep, the security handler) and its table layout (pdfkit.ts).
 */
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import type { Channel } from '../../functions/channels/render-contract.js';
import { FUNCTIONS, FUNCTION_NAMES, type FunctionName } from '../aws/functions.js';
import { LETTER_FONT_DIR_NAME } from '../../functions/channels/letter-font.js';
import { REPO_ROOT, repoPath } from '../aws/paths.js';
import { PHONE_METADATA } from '../../functions/shared/schemas/phone-metadata.generated.js';
import { compactModelModule } from './intents-model.js';
import { pdfkitWithoutEncryption } from './pdfkit.js';
import { compactPhoneMetadataModule } from './phone-metadata.js';
import { forBundle, SCHEMA_MODULES } from './strip-docs.js';
import { embeddedTemplatesModule } from './templates.js';

/** Provided at run time: the SDK by the Lambda Node.js runtime, Powertools by its layer. */
export const EXTERNAL_MODULES = ['@aws-sdk/*', '@aws-lambda-powertools/*'];
/** The oldest Node the bundles run on (the local runtime, the bundled-handler test); Lambda runs a newer one. */
export const BUNDLE_TARGET = 'node20';

/** Source modules that belong to some channels only; a function keeps those of its own channels. */
export const CHANNEL_MODULES: Readonly<Record<string, readonly Channel[]>> = {
  'functions/channels/sendgrid-email.ts': ['email'],
  'functions/channels/twilio-messaging.ts': ['sms', 'whatsapp'],
  'functions/channels/render-sms.ts': ['sms'],
  'functions/channels/render-email.ts': ['email', 'letter'],
  'functions/channels/render-email-html.ts': ['email'],
  'functions/channels/print-letter.ts': ['letter'],
  'functions/channels/letter-storage.ts': ['letter'],
  'functions/channels/render-pdf.ts': ['letter'],
  'functions/channels/letter-font.ts': ['letter'],
};
/**
 * Packages left out of every bundle that would otherwise reach them (see the header): fontkit (embedded fonts: the
 * letter fonts are embedded without it) and what pdfkit needs only for encrypted PDFs (@noble/ciphers' AES) and for
 * PNG images (png-js) — the letters have no password and no images.
 */
export const OMITTED_PACKAGES = ['fontkit', '@noble/ciphers/aes', 'png-js'];

const TEMPLATE_STORE = 'functions/channels/template-store.ts';
/** Reads its font files from ./letter-fonts/ next to itself, which in a bundle is next to index.mjs. */
const LETTER_FONT_MODULE = 'functions/channels/letter-font.ts';
/** grapheme-splitter's algorithm over a generated table (infra/build/graphemes.ts), in the library's place. */
const GRAPHEMES = 'functions/channels/graphemes.ts';
const TEMPLATE_STORE_LAMBDA = 'functions/channels/template-store.lambda.ts';
const VIRTUAL_TEMPLATES = 'virtual:maatwerk-templates';

/**
 * ESM bundles still contain CommonJS dependencies (handlebars' runtime, sms-segments-calculator, …) that call
 * `require` for Node built-ins; give them a real one. The alias keeps the name clear of esbuild's own bindings.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __maatwerkCreateRequire } from 'node:module'; const require = __maatwerkCreateRequire(import.meta.url);";

export interface BundleResult {
  name: FunctionName;
  /** the Lambda asset: index.mjs (+ data files) */
  assetDir: string;
  /** source map and metafile: build artefacts, never deployed */
  artefactsDir: string;
  /** size of the minified index.mjs, from esbuild's metafile */
  bytes: number;
  budgetBytes: number;
  metafile: esbuild.Metafile;
  /** repository-relative paths of every module in the bundle (node_modules/… for packages) */
  inputs: string[];
}

/** The channels an answer to a reply goes out on (render-answer.ts): their adapter and SMS renderer stay in. */
export const ANSWER_CHANNELS: readonly Channel[] = ['sms', 'whatsapp'];

/** Which source modules and packages this function's bundle leaves out. */
export function omittedModules(name: FunctionName): { modules: string[]; packages: string[] } {
  const spec = FUNCTIONS[name];
  const channels = [...(spec.channels ?? []), ...(spec.answers ? ANSWER_CHANNELS : [])];
  const modules = Object.entries(CHANNEL_MODULES)
    .filter(([, owners]) => !owners.some((c) => channels.includes(c)))
    .map(([file]) => file);
  return { modules, packages: OMITTED_PACKAGES };
}

const rel = (file: string) => path.relative(REPO_ROOT, file).split(path.sep).join('/');

function lambdaPlugin(name: FunctionName): esbuild.Plugin {
  const spec = FUNCTIONS[name];
  const omitted = omittedModules(name);
  const omittedFiles = new Set(omitted.modules.map((m) => repoPath(m)));
  const packageFilter = new RegExp(`^(${omitted.packages.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})$`);
  return {
    name: 'maatwerk-lambda',
    setup(build) {
      // Relative imports: swap the template store, leave other channels' modules out.
      build.onResolve({ filter: /^\.\.?\// }, async (args) => {
        if (args.pluginData === 'resolving') return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolving' });
        if (resolved.errors.length) return { errors: resolved.errors };
        if (resolved.path === repoPath(TEMPLATE_STORE)) return { path: repoPath(TEMPLATE_STORE_LAMBDA) };
        if (omittedFiles.has(resolved.path)) return { path: rel(resolved.path), namespace: 'maatwerk-omit' };
        return undefined;
      });
      build.onResolve({ filter: packageFilter }, async (args) => {
        if (args.pluginData === 'resolving') return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolving' });
        if (resolved.errors.length) return { errors: resolved.errors };
        return { path: rel(resolved.path), namespace: 'maatwerk-omit' };
      });
      build.onResolve({ filter: /^grapheme-splitter$/ }, () => ({ path: repoPath(GRAPHEMES) }));
      build.onLoad({ filter: /.*/, namespace: 'maatwerk-omit' }, async (args) => ({
        contents: stubModule(name, args.path, await exportNames(repoPath(args.path))),
        loader: 'js',
        resolveDir: REPO_ROOT,
      }));
      // The strategy ships with the bundle without its operators' notes ($comment): nothing reads them at run time.
      build.onLoad({ filter: /[\\/]templates[\\/]strategy\.json$/ }, (args) => ({
        contents: JSON.stringify(withoutComments(JSON.parse(readFileSync(args.path, 'utf8')))),
        loader: 'json',
      }));
      // The API's documentation: only the Docs function renders it; elsewhere only the schemas a function uses.
      if (name !== 'Docs') {
        build.onLoad({ filter: SCHEMA_MODULES }, (args) => ({ contents: forBundle(readFileSync(args.path, 'utf8'), args.path), loader: 'ts' }));
      }
      // pdfkit without its PDF encryption and tables (a letter has neither): pdfkit.ts.
      build.onLoad({ filter: /[\\/]node_modules[\\/]pdfkit[\\/]js[\\/]pdfkit\.node\.mjs$/ }, (args) => ({
        contents: pdfkitWithoutEncryption(readFileSync(args.path, 'utf8')),
        loader: 'js',
        resolveDir: path.dirname(args.path),
      }));
      // The classifier's model: the same Model, from its compact form (decoded when the function loads).
      build.onLoad({ filter: /[\\/]functions[\\/]domain[\\/]intents[\\/]model\.json$/ }, () => ({ contents: compactModelModule(), loader: 'js', resolveDir: REPO_ROOT }));
      // The phone metadata: the same object, from its compressed form (parsed when the function loads).
      build.onLoad({ filter: /[\\/]functions[\\/]shared[\\/]schemas[\\/]phone-metadata\.generated\.ts$/ }, () => ({ contents: compactPhoneMetadataModule(PHONE_METADATA), loader: 'js' }));
      build.onResolve({ filter: /^virtual:maatwerk-templates$/ }, () => ({ path: VIRTUAL_TEMPLATES, namespace: 'maatwerk-templates' }));
      build.onLoad({ filter: /.*/, namespace: 'maatwerk-templates' }, () => ({
        contents: embeddedTemplatesModule(spec.channels ?? [], undefined, { answers: spec.answers }),
        loader: 'js',
      }));
    },
  };
}

/** A JSON value without its `$comment` members (JSON Schema's and the strategy file's notes for people). */
export function withoutComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutComments);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '$comment').map(([k, v]) => [k, withoutComments(v)]));
}

/** The value exports of a module (ES module source), from esbuild's own analysis of it. */
async function exportNames(file: string): Promise<string[]> {
  const r = await esbuild.build({ entryPoints: [file], bundle: false, write: false, metafile: true, format: 'esm', platform: 'node', logLevel: 'silent', outdir: '/tmp/unused' });
  return Object.values(r.metafile.outputs)[0]?.exports ?? [];
}

/** A module with the same exports, each of which throws when used: "X is not part of the Y bundle". */
function stubModule(fn: FunctionName, module: string, names: string[]): string {
  const lines = [
    `const stub = (name) => { const fail = () => { throw new Error(name + ' (${module}) is not part of the ${fn} function; see infra/build/bundle.ts'); };`,
    '  return new Proxy(function () {}, { apply: fail, construct: fail, get: fail }); };',
  ];
  for (const n of names) {
    if (n === 'default') lines.push(`export default stub('default');`);
    else lines.push(`export const ${n} = stub(${JSON.stringify(n)});`);
  }
  return lines.join('\n');
}

/** The metafile key of a module left out of a bundle (replaced by a stub that throws). */
export const OMITTED_PREFIX = 'maatwerk-omit:';

/** Bundles one function into `<outDir>/asset` (deployed) and `<outDir>/artefacts` (source map, metafile). */
export async function bundleFunction(name: FunctionName, outDir: string): Promise<BundleResult> {
  const spec = FUNCTIONS[name];
  const assetDir = path.join(outDir, 'asset');
  const artefactsDir = path.join(outDir, 'artefacts');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(assetDir, { recursive: true });
  mkdirSync(artefactsDir, { recursive: true });
  const outfile = path.join(assetDir, 'index.mjs');
  const result = await esbuild.build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [repoPath(spec.entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    mainFields: ['module', 'main'],
    external: EXTERNAL_MODULES,
    minify: true,
    // 'external': a map without the sourceMappingURL comment in the code; it is moved to the artefacts below.
    sourcemap: 'external',
    sourcesContent: false,
    legalComments: 'eof',
    metafile: true,
    banner: { js: ESM_REQUIRE_BANNER },
    plugins: [lambdaPlugin(name)],
    logLevel: 'silent',
  });
  if (result.warnings.length) {
    const text = await esbuild.formatMessages(result.warnings, { kind: 'warning' });
    process.stderr.write(`${name}: esbuild warnings\n${text.join('\n')}`);
  }
  renameSync(`${outfile}.map`, path.join(artefactsDir, 'index.mjs.map'));
  writeFileSync(path.join(artefactsDir, 'meta.json'), JSON.stringify(result.metafile));
  const output = result.metafile.outputs[rel(outfile)];
  if (!output) throw new Error(`${name}: esbuild metafile has no output for ${rel(outfile)}`);
  const inputs = Object.keys(output.inputs);
  if (inputs.some((i) => i.includes('node_modules/pdfkit/'))) addPdfkitData(assetDir);
  if (inputs.includes(LETTER_FONT_MODULE)) cpSync(repoPath(path.dirname(LETTER_FONT_MODULE), LETTER_FONT_DIR_NAME), path.join(assetDir, LETTER_FONT_DIR_NAME), { recursive: true });
  return { name, assetDir, artefactsDir, bytes: output.bytes, budgetBytes: spec.budgetBytes, metafile: result.metafile, inputs };
}

function addPdfkitData(assetDir: string): void {
  const pdfkit = repoPath('node_modules', 'pdfkit', 'js');
  // The CommonJS font modules and the chunks they share (the .mjs twins are never loaded: see package.json below).
  cpSync(path.join(pdfkit, 'standard-fonts'), path.join(assetDir, 'standard-fonts'), {
    recursive: true,
    filter: (src) => statSync(src).isDirectory() || src.endsWith('.cjs'),
  });
  mkdirSync(path.join(assetDir, 'data'));
  cpSync(path.join(pdfkit, 'data', 'sRGB_IEC61966_2_1.icc'), path.join(assetDir, 'data', 'sRGB_IEC61966_2_1.icc'));
  writeFileSync(path.join(assetDir, 'package.json'), JSON.stringify({ private: true, imports: { '#standard-fonts/*': './standard-fonts/*.cjs' } }));
}

/** Bundles every function (or the ones named) into `<outDir>/<Name>/…`, one after the other (2-core machines). */
export async function bundleAll(outDir: string, names: readonly FunctionName[] = FUNCTION_NAMES): Promise<Record<FunctionName, BundleResult>> {
  const results = {} as Record<FunctionName, BundleResult>;
  for (const name of names) results[name] = await bundleFunction(name, path.join(outDir, name));
  return results;
}

/** Bundles that are over their budget, as readable lines (empty when all fit). */
export function overBudget(results: Partial<Record<FunctionName, Pick<BundleResult, 'bytes' | 'budgetBytes'>>>): string[] {
  return Object.entries(results)
    .filter(([, r]) => r!.bytes > r!.budgetBytes)
    .map(([name, r]) => `${name}: ${r!.bytes} bytes > budget ${r!.budgetBytes}`);
}

/** `Decide → 123456` and the biggest inputs, for the bench and for finding what to cut. */
export function topInputs(result: BundleResult, n = 5): Array<{ module: string; bytes: number }> {
  const byModule = new Map<string, number>();
  const out = result.metafile.outputs[Object.keys(result.metafile.outputs).find((k) => k.endsWith('index.mjs'))!];
  for (const [file, info] of Object.entries(out.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = m ? m[1] : file.replace(/^(functions\/[^/]+)\/.*/, '$1').replace(/^maatwerk-templates:.*/, 'templates (embedded)');
    byModule.set(key, (byModule.get(key) ?? 0) + info.bytesInOutput);
  }
  return [...byModule.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([module, bytes]) => ({ module, bytes }));
}

