/**
 * Build step: the templates a Lambda function renders, embedded in its bundle and precompiled (the module behind
 * `virtual:maatwerk-templates`, see functions/channels/template-store.lambda.ts). Precompiling moves Handlebars'
 * compiler (≈ 107 KB with source-map) out of the bundle and the compile work out of every cold start, and a template
 * with a syntax error now fails the build instead of a send.
 */
import Handlebars from 'handlebars';
import { compileUnits, dataFiles } from '../../functions/channels/render.js';
import type { Channel } from '../../functions/channels/render-contract.js';
import { compileKey } from '../../functions/channels/template-key.js';
import { fileTemplateStore } from '../../functions/channels/template-store.js';
import { repoPath } from '../aws/paths.js';

export const TEMPLATES_DIR = repoPath('templates');

export interface EmbeddedTemplates {
  files: Record<string, string>;
  /** compile key → the precompiled template specification, as JavaScript source */
  compiled: Record<string, string>;
}

export function embeddedTemplates(channels: readonly Channel[], dir = TEMPLATES_DIR): EmbeddedTemplates {
  const store = fileTemplateStore(dir);
  const files: Record<string, string> = {};
  const compiled: Record<string, string> = {};
  for (const unit of compileUnits(store, channels)) {
    if (unit.file) files[unit.file] = store.read(unit.file);
    compiled[compileKey(unit.source, unit.options)] ??= Handlebars.precompile(unit.source, { ...unit.options }) as string; // a copy: Handlebars writes into it
  }
  for (const file of dataFiles(channels)) files[file] = store.read(file);
  return { files, compiled };
}

/** The ES module text for `virtual:maatwerk-templates`. */
export function embeddedTemplatesModule(channels: readonly Channel[], dir = TEMPLATES_DIR): string {
  const { files, compiled } = embeddedTemplates(channels, dir);
  const specs = Object.entries(compiled).map(([key, spec]) => `  ${JSON.stringify(key)}: ${spec},`);
  return `export const FILES = ${JSON.stringify(files)};\nexport const COMPILED = {\n${specs.join('\n')}\n};\n`;
}
