import { createHash } from 'node:crypto';

/**
 * The identity of one Handlebars compilation: the exact source and the compile options. Lambda bundles carry the
 * templates precompiled at build time under this key (template-store.embedded.ts); the renderer asks for a source
 * by key, so a template that was not precompiled fails loudly instead of rendering something else.
 */
export function compileKey(source: string, options: object | undefined): string {
  const opts = JSON.stringify(Object.entries(options ?? {}).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(opts).update('\0').update(source).digest('base64url').slice(0, 22);
}
