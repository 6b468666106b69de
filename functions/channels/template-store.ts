/**
 * Where the renderer gets its templates and how it compiles them. This file is the development and local-runtime
 * store: the templates folder on disk (edits show on the next render) and the full Handlebars compiler.
 *
 * Lambda bundles replace this module with template-store.embedded.ts (infra/build/bundle.ts): the function's own
 * templates inside the bundle, precompiled at build time, and only the Handlebars runtime (≈ 18 KB instead of the
 * compiler's ≈ 107 KB). Both export the same functions; the renderer cannot tell them apart.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

export type HandlebarsEnv = typeof Handlebars;
export type CompileOptions = Parameters<typeof Handlebars.compile>[1];

export interface TemplateStore {
  /** where the templates come from, for error messages */
  readonly origin: string;
  /** is there a template (or data) file; `file` is relative to the templates folder, with `/` separators */
  exists(file: string): boolean;
  /** names of the files directly inside `dir` */
  list(dir: string): string[];
  /** a data file (labels.json, whatsapp/content-templates.json) as text */
  readData(file: string): string;
  /** a fresh Handlebars environment (its own helpers and partials) */
  env(): HandlebarsEnv;
  /**
   * A template file, compiled. `prepare` is applied to the source first; a precompiled store applied it at build
   * time, so the renderer and the build must pass the same one (render.ts's compileUnits does).
   */
  compileFile(env: HandlebarsEnv, file: string, options: CompileOptions, prepare?: (source: string) => string): HandlebarsTemplateDelegate;
  /** A template given as text (the labels in labels.json), compiled. */
  compileString(env: HandlebarsEnv, source: string, options: CompileOptions): HandlebarsTemplateDelegate;
}

export function defaultTemplatesDir(): string {
  return process.env.MAATWERK_TEMPLATES_DIR ?? fileURLToPath(new URL('../../templates/', import.meta.url));
}

export function fileTemplateStore(dir: string): TemplateStore {
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return {
    origin: dir,
    exists: (file) => {
      const full = join(dir, file);
      return existsSync(full) && statSync(full).isFile();
    },
    list: (sub) => (existsSync(join(dir, sub)) ? readdirSync(join(dir, sub)) : []),
    readData: read,
    env: () => Handlebars.create(),
    // copies of the options: Handlebars writes defaults (data: true, …) into the object it is given
    compileFile: (env, file, options, prepare = (src) => src) => env.compile(prepare(read(file)), { ...options }),
    compileString: (env, source, options) => env.compile(source, { ...options }),
  };
}

/** The store the renderer uses unless it is given one: the templates folder (MAATWERK_TEMPLATES_DIR or the repo's). */
export function defaultTemplateStore(): TemplateStore {
  return fileTemplateStore(defaultTemplatesDir());
}
