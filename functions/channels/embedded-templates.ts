/**
 * A TemplateStore over templates compiled at build time (infra/build/templates.ts), using only the Handlebars
 * runtime: no template source is embedded, only the compilations, the list of template files (for the
 * renderer's look-ups) and the data files. Lambda bundles get one through template-store.lambda.ts.
 */
import Handlebars from 'handlebars/runtime';
import { compileKey, fileKey } from './template-key.js';
import type { HandlebarsEnv, TemplateStore } from './template-store.js';

export interface EmbeddedTemplateData {
  /** every template file the build compiled (relative paths) */
  templates: readonly string[];
  /** data files by path, as text */
  data: Readonly<Record<string, string>>;
  /** compile key (fileKey for files, compileKey for strings) → Handlebars template specification */
  compiled: Readonly<Record<string, TemplateSpecification>>;
}

export function embeddedTemplateStore({ templates, data, compiled }: EmbeddedTemplateData): TemplateStore {
  const files = new Set(templates);
  const precompiled = (env: HandlebarsEnv, key: string, what: string) => {
    const spec = compiled[key];
    if (!spec) throw new Error(`${what} was not precompiled into this function (rebuild it)`);
    return env.template(spec);
  };
  return {
    origin: 'the templates compiled into this function',
    exists: (file) => files.has(file) || Object.hasOwn(data, file),
    list: (dir) => {
      const prefix = `${dir.replace(/\/$/, '')}/`;
      return [...files, ...Object.keys(data)].filter((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes('/')).map((f) => f.slice(prefix.length));
    },
    readData: (file) => {
      if (!Object.hasOwn(data, file)) throw new Error(`data file ${file} is not embedded in this function`);
      return data[file];
    },
    env: () => (Handlebars as unknown as HandlebarsEnv).create(),
    compileFile: (env, file, options) => precompiled(env, fileKey(file, options), `template ${file}`),
    compileString: (env, source, options) => precompiled(env, compileKey(source, options), 'a template'),
  };
}
