import { createHash } from 'node:crypto';

/**
 * The identity of one Handlebars compilation: the exact source (or the template file) and the compile options.
 * Lambda bundles carry the templates precompiled at build time under this key (embedded-templates.ts); a template
 * that was not precompiled fails loudly instead of rendering something else.
 */
/** A template file by its path (the build compiled its source, prepared the way the renderer prepares it). */
export function fileKey(file: string, options: object | undefined): string {
  return compileKey(`file:${file}`, options);
}

export function compileKey(source: string, options: object | undefined): string {
  const opts = JSON.stringify(Object.entries(options ?? {}).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(opts).update('\0').update(source).digest('base64url').slice(0, 22);
}
