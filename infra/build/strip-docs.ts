/**
 * Build step for the modules that define zod schemas, in every bundle but the Docs function's. Two rewrites, done by
 * the TypeScript compiler on the syntax tree (no pattern matching on source text):
 *
 * 1. The API's documentation stays with the function that publishes it: `doc(schema, meta)`
 *    (functions/shared/schemas/fields.ts) attaches a description, an example or a component id for the OpenAPI
 *    document, which only the Docs function renders; elsewhere it is written as `(schema)` — the same schema, the
 *    same validation and messages, without the descriptions and examples.
 *    The route tables (shared/routes/*.ts) lose what only the document reads: each route's summary, description,
 *    tag, answers and examples (the handlers check method, path, parameters, query, headers and body).
 * 2. A schema nobody in the bundle uses is left out: esbuild cannot see that building a schema
 *    (`z.object({…}).check(…)` at the top of a module) has no side effects, so it keeps every schema of every module
 *    a function imports. Each top-level `const X = z.…` is written as `const X = /* @__PURE__ *\/ (() => z.…)()`: the
 *    same value, built at the same moment, and dropped when X is unused.
 *
 * The Docs function gets the modules as written (its registry entries are the document).
 */
import ts from 'typescript';

/** Modules that define schemas (they import functions/shared/zod.ts). */
export const SCHEMA_MODULES = /[\\/]functions[\\/](shared[\\/](schemas[\\/][\w-]+|responses|routes[\\/][\w-]+)|domain[\\/](payday|claim-costs|strategy|experiments[\\/]schema)|reports[\\/]schemas)\.ts$/;

const ROUTE_TABLE = /[\\/]functions[\\/]shared[\\/]routes[\\/][\w-]+\.ts$/;
/** What only the OpenAPI document reads of a route (functions/shared/routes/route.ts). */
const DOCUMENT_ONLY = new Set(['summary', 'description', 'tag', 'responses', 'example', 'examples']);

/** Is `e` an expression that builds a schema: a chain that starts at the zod namespace (`z.…`)? */
function startsAtZod(e: ts.Expression): boolean {
  for (;;) {
    if (ts.isParenthesizedExpression(e)) e = e.expression;
    else if (ts.isCallExpression(e) || ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = e.expression;
    else return ts.isIdentifier(e) && e.text === 'z';
  }
}

/** The module's source for a bundle other than Docs: without `doc(…)` metadata, its schemas removable when unused. */
export function forBundle(source: string, fileName: string): string {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  let changed = 0;
  const routeTable = ROUTE_TABLE.test(fileName);
  const rewrite: ts.TransformerFactory<ts.SourceFile> = (context) => (root) => {
    const withoutDocs = (node: ts.Node): ts.Node => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'doc' && node.arguments.length === 2) {
        changed++;
        return ts.factory.createParenthesizedExpression(ts.visitNode(node.arguments[0], withoutDocs) as ts.Expression);
      }
      if (routeTable && ts.isObjectLiteralExpression(node)) {
        const kept = node.properties.filter((p) => !(ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && DOCUMENT_ONLY.has(p.name.text)));
        if (kept.length !== node.properties.length) {
          changed++;
          return ts.visitEachChild(ts.factory.updateObjectLiteralExpression(node, kept), withoutDocs, context);
        }
      }
      return ts.visitEachChild(node, withoutDocs, context);
    };
    const stripped = ts.visitNode(root, withoutDocs) as ts.SourceFile;
    const statements = stripped.statements.map((statement) => {
      if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) return statement;
      const declarations = statement.declarationList.declarations.map((d) => {
        if (!d.initializer || !startsAtZod(d.initializer)) return d;
        changed++;
        const iife = ts.factory.createCallExpression(
          ts.factory.createParenthesizedExpression(ts.factory.createArrowFunction(undefined, undefined, [], undefined, undefined, d.initializer)),
          undefined,
          [],
        );
        ts.addSyntheticLeadingComment(iife, ts.SyntaxKind.MultiLineCommentTrivia, ' @__PURE__ ', false);
        return ts.factory.updateVariableDeclaration(d, d.name, d.exclamationToken, d.type, iife);
      });
      return ts.factory.updateVariableStatement(statement, statement.modifiers, ts.factory.updateVariableDeclarationList(statement.declarationList, declarations));
    });
    return ts.factory.updateSourceFile(stripped, statements);
  };
  const result = ts.transform(file, [rewrite]);
  try {
    return changed === 0 ? source : ts.createPrinter().printFile(result.transformed[0]);
  } finally {
    result.dispose();
  }
}
