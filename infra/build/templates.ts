/**
 * Build step: the templates a Lambda function renders, embedded in its bundle and precompiled (the module behind
 * `virtual:maatwerk-templates`, see functions/channels/template-store.lambda.ts). Precompiling moves Handlebars'
 * compiler (≈ 107 KB with source-map) out of the bundle and the compile work out of every cold start, and a template
 * with a syntax error now fails the build instead of a send.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import Handlebars from 'handlebars';
import { compileUnits, dataFiles } from '../../functions/channels/render.js';
import { ANSWER_DATA_FILES, answerCompileUnits } from '../../functions/channels/render-answer.js';
import type { Channel } from '../../functions/channels/render-contract.js';
import { compileKey, fileKey } from '../../functions/channels/template-key.js';
import { fileTemplateStore } from '../../functions/channels/template-store.js';
import { repoPath } from '../aws/paths.js';
import { compactSpec, TEMPLATE_PRELUDE, TEMPLATE_PRELUDE_NAMES } from './template-compact.js';

export const TEMPLATES_DIR = repoPath('templates');

export interface EmbeddedTemplates {
  templates: string[];
  data: Record<string, string>;
  /** compile key → the precompiled template specification, as JavaScript source */
  compiled: Record<string, string>;
}

/** What else a function renders besides its channels' journey messages. */
export interface EmbedOptions {
  /** the answers to replies (templates/answer: render-answer.ts), for the Deliveries function */
  answers?: boolean;
}

export function embeddedTemplates(channels: readonly Channel[], dir = TEMPLATES_DIR, options: EmbedOptions = {}): EmbeddedTemplates {
  const store = fileTemplateStore(dir);
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  const templates: string[] = [];
  const compiled: Record<string, string> = {};
  const units = [...compileUnits(store, channels, read), ...(options.answers ? answerCompileUnits(store, read) : [])];
  for (const unit of units) {
    const key = unit.file ? fileKey(unit.file, unit.options) : compileKey(unit.source, unit.options);
    if (unit.file && !templates.includes(unit.file)) templates.push(unit.file);
    // a copy of the options: Handlebars writes into the object it is given
    compiled[key] ??= compactSpec(slim(Handlebars.precompile(unit.source, { ...unit.options }) as string));
  }
  const files = [...dataFiles(channels), ...(options.answers ? ANSWER_DATA_FILES : [])];
  // JSON data files without their layout (the renderers parse them)
  const data = Object.fromEntries(files.map((file) => [file, file.endsWith('.json') ? JSON.stringify(JSON.parse(store.readData(file))) : store.readData(file)]));
  return { templates, data, compiled };
}

/**
 * What Handlebars' precompiler writes into every template that the bundled runtime (handlebars 4.7) never uses: the
 * source position of each helper call (`"loc":{…}` in the options passed to the helper — neither the runtime nor our
 * helpers read it), the end of each strict look-up's position (an error message names only where it starts:
 * `"total" not defined in … - 3:12` stays as it was), and a fallback `lookupProperty` function for runtimes older
 * than 4.6 (this one always provides its own). Leaving them out makes the embedded templates about a fifth smaller;
 * test/unit/template-store.test.ts renders every template from the result.
 */
export function slim(spec: string): string {
  return spec
    .replace(/,"loc":\{"start":\{"line":\d+,"column":\d+\},"end":\{"line":\d+,"column":\d+\}\}/g, '')
    .replace(/\{"start":\{"line":(\d+),"column":(\d+)\},"end":\{"line":\d+,"column":\d+\}\}/g, '{"start":{"line":$1,"column":$2}}')
    .replace(
      /lookupProperty = container\.lookupProperty \|\| function\(parent, propertyName\) \{\s*if \(Object\.prototype\.hasOwnProperty\.call\(parent, propertyName\)\) \{\s*return parent\[propertyName\];\s*\}\s*return undefined\s*\}/g,
      'lookupProperty = container.lookupProperty',
    );
}

/**
 * The ES module text for `virtual:maatwerk-templates` (its default export is the EmbeddedTemplateData).
 *
 * The precompiled specifications are JavaScript source, ≈ 3.5 times the size of the templates they come from (the
 * email function's: 48 KB minified, the largest single part of its bundle); they are embedded brotli-compressed
 * (≈ 8 KB) and each becomes its function when the renderer first asks for it (`new Function` over the same source,
 * with the prelude's helpers passed in) — what the Handlebars compiler itself does at run time, here with source the
 * build wrote. Why not plain code: compressed, the templates of a channel cost 3–11 KB of its bundle instead of
 * 14–48 KB, and that is what keeps the sending functions within their budget. The trade-off: a template's frames in
 * a stack trace are anonymous (its strict look-up errors still name the position in the template), and the functions
 * must allow code generation from strings (Node's default; nothing in the stack turns it off).
 * test/unit/template-store.test.ts renders every template through this module's output.
 */
export function embeddedTemplatesModule(channels: readonly Channel[], dir = TEMPLATES_DIR, options: EmbedOptions = {}): string {
  const { templates, data, compiled } = embeddedTemplates(channels, dir, options);
  // the data files (layout words, WhatsApp's approved templates) travel in the same compressed text; the
  // specifications as the precompiler wrote them (minified first, they compress worse: short names repeat less)
  const json = Buffer.from(JSON.stringify({ compiled, data }));
  const packed = brotliCompressSync(json, {
    params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: json.length, [constants.BROTLI_PARAM_LGWIN]: 22 },
  }).toString('base64');
  return [
    "import { brotliDecompressSync } from 'node:zlib';",
    TEMPLATE_PRELUDE,
    `const { compiled: sources, data } = JSON.parse(brotliDecompressSync(Buffer.from(${JSON.stringify(packed)}, 'base64')).toString('utf8'));`,
    'const compiled = {};',
    // each specification becomes a function when first asked for, then stays one
    'for (const key of Object.keys(sources)) Object.defineProperty(compiled, key, { enumerable: true, configurable: true, get() {',
    `  const spec = new Function(${TEMPLATE_PRELUDE_NAMES.map((n) => JSON.stringify(n)).join(', ')}, 'return (' + sources[key] + ');')(${TEMPLATE_PRELUDE_NAMES.join(', ')});`,
    '  Object.defineProperty(compiled, key, { value: spec, enumerable: true });',
    '  return spec;',
    '} });',
    `export default {\n templates: ${JSON.stringify(templates)},\n data,\n compiled\n};`,
    '',
  ].join('\n');
}
