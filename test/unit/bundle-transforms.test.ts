/**
 * infra/build/strip-docs.ts rewrites the schema modules for every bundle but the Docs function's: no documentation
 * (doc() metadata, the route tables' summaries, descriptions and answers), and schemas esbuild may drop when unused.
 * The bundled-handler test holds the bundled Api's refusals equal to the source schemas'; this one checks the rewrite.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../infra/aws/paths.js';
import { forBundle, SCHEMA_MODULES } from '../../infra/build/strip-docs.js';

const files = ['functions/shared', 'functions/shared/schemas', 'functions/shared/routes', 'functions/domain', 'functions/domain/experiments', 'functions/reports']
  .flatMap((dir) => readdirSync(repoPath(dir)).map((f) => path.join(repoPath(dir), f)))
  .filter((f) => SCHEMA_MODULES.test(f));

describe('schema modules in the bundles', () => {
  it('are the documented schema modules', () => {
    expect(files.map((f) => path.relative(repoPath(), f)).sort()).toEqual([
      'functions/domain/claim-costs.ts',
      'functions/domain/experiments/schema.ts',
      'functions/domain/payday.ts',
      'functions/domain/strategy.ts',
      'functions/reports/schemas.ts',
      'functions/shared/responses.ts',
      'functions/shared/routes/api.ts',
      'functions/shared/routes/docs.ts',
      'functions/shared/routes/payments.ts',
      'functions/shared/routes/reports.ts',
      'functions/shared/routes/route.ts',
      'functions/shared/routes/webhooks.ts',
      'functions/shared/schemas/api.ts',
      'functions/shared/schemas/creditor-webhook.ts',
      'functions/shared/schemas/fields.ts',
      'functions/shared/schemas/journey.ts',
      'functions/shared/schemas/payments.ts',
      'functions/shared/schemas/webhooks.ts',
    ]);
  });

  it.each(files.map((f) => [path.relative(repoPath(), f), f]))('%s: no documentation, every message kept, top-level schemas droppable', (_name, file) => {
    const source = readFileSync(file, 'utf8');
    const out = forBundle(source, file);
    expect(out).not.toMatch(/(?<![\w.])doc\((?!schema)/); // the calls (doc's own definition stays)
    // every message the source writes is still there (the answers' module has examples of messages only: documentation)
    if (!file.endsWith('responses.ts')) {
      for (const [, message] of source.matchAll(/'((?:must|is |may |needs|does)[^']*)'/g)) expect(out, message).toContain(message);
    }
    if (/routes[\\/](api|webhooks|docs)\.ts$/.test(file)) expect(out).not.toMatch(/\b(summary|tag|description): ['`]|\bresponses: \{/);
    // `export const X = z.…` became `export const X = /* @__PURE__ */ (() => z.…)()`
    const zodConsts = [...source.matchAll(/^(?:export )?const (\w+)\s*=\s*z\b/gm)].map((m) => m[1]);
    for (const name of zodConsts) expect(out, name).toMatch(new RegExp(`const ${name} = /\\* @__PURE__ \\*/ \\(\\(\\) =>`));
  });
});
