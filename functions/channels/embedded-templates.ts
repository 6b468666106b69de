/**
 * A TemplateStore over templates embedded in code with their Handlebars compilations done at build time, using
 * only the Handlebars runtime. Lambda bundles get one through template-store.lambda.ts.
 */
import Handlebars from 'handlebars/runtime';
import { compileKey } from './template-key.js';
import type { HandlebarsEnv, TemplateStore } from './template-store.js';

export function embeddedTemplateStore(
  files: Readonly<Record<string, string>>,
  compiled: Readonly<Record<string, TemplateSpecification>>,
): TemplateStore {
  return {
    origin: 'the templates embedded in this function',
    exists: (file) => Object.hasOwn(files, file),
    read: (file) => {
      if (!Object.hasOwn(files, file)) throw new Error(`template file ${file} is not embedded in this function`);
      return files[file];
    },
    list: (dir) => {
      const prefix = `${dir.replace(/\/$/, '')}/`;
      return Object.keys(files)
        .filter((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes('/'))
        .map((f) => f.slice(prefix.length));
    },
    env: () => (Handlebars as unknown as HandlebarsEnv).create(),
    compile: (env, source, options) => {
      const spec = compiled[compileKey(source, options)];
      if (!spec) throw new Error('a template was not precompiled into this function (rebuild it)');
      return env.template(spec);
    },
  };
}
