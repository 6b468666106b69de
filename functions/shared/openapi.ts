/**
 * The OpenAPI 3.1 document, generated from the route table (routes.ts) and the zod schemas it names — one source
 * of truth: what the handlers validate is what the document says. Served at GET /openapi.json and, as a page, at
 * GET /docs, on AWS by the API function and locally by the same handler.
 *
 * Generator: zod 4's own JSON Schema output (`z.toJSONSchema`, which reads zod/mini schemas and the metadata that
 * schemas/fields.ts `doc()` puts in zod's global registry). OpenAPI 3.1 schemas are JSON Schema 2020-12, so the
 * output is used as is, with a few rewrites that keep the document what clients had before (when it was made with
 * @asteasolutions/zod-to-openapi, which does not support zod/mini):
 * - a schema with a metadata `id` becomes a named component (`#/components/schemas/<id>`), referenced everywhere;
 * - `format: date` / `date-time` / `email` without zod's long regular expression for the same thing;
 * - a literal as a one-value `enum`, a nullable enum as `type: [..., "null"]` with `null` among the values, a
 *   string-keyed record without `propertyNames`, a discriminated union's options among the union's, whole numbers
 *   without the ±(2^53 − 1) bounds zod checks;
 * - answers are open objects (clients ignore fields they do not know), so no `additionalProperties: false` on them
 *   unless the schema is strict;
 * - request schemas are the input side (defaults make a field optional; a transform is documented by what it
 *   accepts), answers the output side; examples stay on schemas whose fields transform.
 * The parameters, request bodies and answers are built here from the route table.
 */
import type { OpenAPIV3_1 } from 'openapi-types';
import type { core } from 'zod/mini';
import { ErrorBody } from './responses.js';
import { ROUTES, isAuthorized, type Route } from './routes.js';
import * as z from './zod.js';

export type OpenAPIObject = OpenAPIV3_1.Document;
type Json = Record<string, unknown>;
type Io = 'input' | 'output';

const API_DESCRIPTION = `Maatwerk takes over a creditor's claims and runs a tailor-made outreach journey per debtor (letter, email, SMS,
WhatsApp, an agent's call) within Dutch collection law.

- **Authentication**: send your API key in the \`x-api-key\` header. Each key belongs to one client, and a client only ever
  sees its own dossiers (another client's is a 404). Provider webhooks use the provider's signature instead.
- **Money** is integer euro cents (12500 = €125.00), at most 10000000000 (€100,000,000.00) per amount. **Times** are ISO-8601.
- **Bodies** are JSON (\`Content-Type: application/json\`, else 415). Unknown fields are refused, naming the field.
- **Errors** always have the shape \`{ "error": { "code", "message", "fields"? } }\`; \`fields\` names each bad field
  (dotted path) and says what is expected. Never a stack trace.
- **Rate limit**: each API key may make a limited number of requests per minute; above it the answer is 429 with a
  \`Retry-After\` header (seconds).
- **Retries**: \`POST /v1/dossiers\` and payments take an \`Idempotency-Key\`; a claim is also idempotent by its reference (the
  batch route too, per claim); withdraw, dispute, resolve, contact details and flags answer a repeat as the first time. A request that
  fails is not applied; one that answers 2xx is applied once.`;

/** Local-runtime-only routes (/local/*), documented on the local runtime's document only. */
let extraRoutes: readonly Route[] = [];

/** Local runtime: add its own routes to the document it serves. */
export function documentAlso(routes: readonly Route[]): void {
  extraRoutes = routes;
  cached = undefined;
}

export function documentedRoutes(): readonly Route[] {
  return [...ROUTES, ...extraRoutes];
}

// ---- zod → JSON Schema ------------------------------------------------------------------------------------

/** Formats OpenAPI tools know by name: zod's equivalent regular expression is left out. */
const NAMED_FORMATS = new Set(['date', 'date-time', 'email']);

function metaOf(schema: core.$ZodType): Json | undefined {
  return z.globalRegistry.get(schema) as Json | undefined;
}

/** The rewrites listed in the header, on one JSON Schema node (children first). */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) out[k] = k === 'example' || k === 'examples' || k === 'default' || k === 'const' || k === 'enum' ? v : tidy(v);
  if (typeof out.format === 'string' && NAMED_FORMATS.has(out.format)) delete out.pattern;
  if ('const' in out && out.enum === undefined) {
    out.enum = [out.const];
    delete out.const;
  }
  if (out.type === 'object' && out.propertyNames && JSON.stringify(out.propertyNames) === '{"type":"string"}') delete out.propertyNames;
  if (out.type === 'integer') {
    if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
    if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
  }
  // A discriminated union inside a union: its options are the union's own (they exclude each other anyway).
  if (Array.isArray(out.anyOf)) {
    out.anyOf = (out.anyOf as Json[]).flatMap((o) => (o && Object.keys(o).length === 1 && Array.isArray(o.oneOf ?? o.anyOf) ? ((o.oneOf ?? o.anyOf) as Json[]) : [o]));
  }
  // A nullable enum: zod writes anyOf [enum, null]; the document keeps the one-schema form clients saw before.
  const any = out.anyOf as Json[] | undefined;
  if (Array.isArray(any) && any.length === 2) {
    const nul = any.findIndex((o) => JSON.stringify(o) === '{"type":"null"}');
    const other = any[1 - nul] as Json | undefined;
    if (nul >= 0 && other && typeof other.type === 'string' && !('$ref' in other)) {
      const { anyOf: _, ...rest } = out;
      const merged: Json = { ...other, type: [other.type, 'null'], ...(Array.isArray(other.enum) ? { enum: [...other.enum, null] } : {}) };
      return { ...merged, ...rest };
    }
  }
  return out;
}

class Components {
  readonly schemas: Record<string, Json> = {};

  /** The JSON Schema of `schema` (input or output side), its named parts moved to the components. */
  of(schema: core.$ZodType, io: Io): Json {
    const generated = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
      override: ({ zodSchema, jsonSchema }) => {
        // Answers: z.object is open (what zod strips on parsing, a client ignores); z.strictObject stays closed.
        const def = zodSchema._zod.def as { type: string; catchall?: core.$ZodType };
        if (io === 'output' && def.type === 'object' && def.catchall === undefined && jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
        // zod drops examples on the input side of a schema whose fields transform; they describe the input here.
        const examples = metaOf(zodSchema)?.examples;
        if (io === 'input' && examples !== undefined && jsonSchema.examples === undefined) jsonSchema.examples = examples as unknown[];
      },
    }) as Json;
    const { $schema: _, $defs, ...root } = generated;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, Json>)) {
      const body = tidy(refs(def)) as Json;
      const known = this.schemas[id];
      if (known && JSON.stringify(known) !== JSON.stringify(body)) {
        throw new Error(`OpenAPI component ${id} differs between uses (${io}): give the two forms their own ids`);
      }
      this.schemas[id] = body;
    }
    return tidy(refs(root)) as Json;
  }
}

/** `#/$defs/X` (zod's) → `#/components/schemas/X` (the document's). */
function refs<T>(node: T): T {
  return JSON.parse(JSON.stringify(node).replaceAll('"#/$defs/', '"#/components/schemas/')) as T;
}

/** The fields of a zod object, with whether each is required on the input side (not optional, no default). */
function fieldsOf(object: core.$ZodObject): Array<{ name: string; schema: core.$ZodType; optional: boolean }> {
  const shape = object._zod.def.shape as Record<string, core.$ZodType>;
  return Object.entries(shape).map(([name, schema]) => ({ name, schema, optional: schema._zod.optin === 'optional' }));
}

// ---- operations -------------------------------------------------------------------------------------------

type Response = { description: string; headers?: Record<string, Json>; content?: Record<string, { schema: Json }> };

/** The error answers every route can give, from what it declares. */
function commonErrors(route: Route, c: Components): Record<number, Response> {
  const err = (description: string): Response => ({ description, content: { 'application/json': { schema: c.of(ErrorBody, 'output') } } });
  const out: Record<number, Response> = {
    400: err(
      route.body
        ? 'The request is not valid: a field is missing, invalid or unknown (validation_failed, with `fields`), the body is not JSON (invalid_json) or not an object (invalid_body), or a path or query parameter is not valid.'
        : 'The path or a query parameter is not valid (validation_failed, invalid_path), or a GET came with a body (body_not_allowed).',
    ),
  };
  if (isAuthorized(route)) out[401] = err('No x-api-key header, or the key is not valid (unauthenticated).');
  if (route.auth === 'agentKey') out[403] = err('Only the agency’s agent keys may do this (forbidden).');
  if (route.auth === 'twilioSignature' || route.auth === 'sendgridSignature') out[403] = err('The signature is missing or does not match (invalid_signature).');
  if (route.params) out[404] = err('No such resource of yours (not_found). Another client’s looks the same as a missing one.');
  if (route.body) {
    out[413] = err('The body is larger than 1 MB (too_large).');
    out[415] = err(`The body is not ${route.body.type === 'json' ? 'application/json' : 'application/x-www-form-urlencoded'} (unsupported_media_type).`);
  }
  if (isAuthorized(route)) {
    out[429] = {
      ...err('Too many requests for this API key (throttled); retry after the number of seconds in the Retry-After header.'),
      headers: { 'Retry-After': { description: 'Seconds until the key may make requests again.', schema: { type: 'integer', minimum: 1 } } },
    };
  }
  out[500] = err('Something went wrong on our side; the request was not applied, and may be retried (internal).');
  return out;
}

function parameters(route: Route, c: Components): Json[] {
  const out: Json[] = [];
  const add = (object: core.$ZodObject | undefined, where: 'path' | 'query' | 'header') => {
    for (const f of fieldsOf(object ?? z.object({}))) {
      const schema = c.of(f.schema, 'input');
      const description = metaOf(f.schema)?.description ?? schema.description;
      out.push({ schema, required: where === 'path' || !f.optional, ...(description ? { description } : {}), name: f.name, in: where });
    }
  };
  add(route.params, 'path');
  add(route.query, 'query');
  add(route.headers, 'header');
  return out;
}

function operation(route: Route, c: Components): Json {
  const responses: Record<number, Response> = commonErrors(route, c);
  for (const [status, answer] of Object.entries(route.responses)) {
    responses[Number(status)] = {
      description: answer.description,
      ...(answer.schema ? { content: { [answer.contentType ?? 'application/json']: { schema: c.of(answer.schema, 'output') } } } : {}),
    };
  }
  const bodyType = route.body?.type === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
  const params = parameters(route, c);
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security: isAuthorized(route) ? [{ apiKey: [] }] : [],
    ...(route.auth === 'agentKey' ? { 'x-agent-only': true } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: !route.body.optional,
            content: { [bodyType]: { ...(route.body.example ? { example: route.body.example } : {}), schema: c.of(route.body.schema, 'input') } },
          },
        }
      : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
  };
}

const TAG_ORDER = ['Dossiers', 'Debtors', 'Call tasks', 'Notifications', 'Reports', 'Debtor page', 'Provider webhooks', 'Documentation', 'Local runtime'];

function generate(routes: readonly Route[]): OpenAPIObject {
  const c = new Components();
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) (paths[route.resource] ??= {})[route.method.toLowerCase()] = operation(route, c);
  const tags = [...new Set(routes.map((r) => r.tag))].sort((a, b) => TAG_ORDER.indexOf(a) - TAG_ORDER.indexOf(b));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Maatwerk API',
      version: '1.0.0',
      description: API_DESCRIPTION,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: tags.map((name) => ({
      name,
      ...(name === 'Local runtime' ? { description: 'Only on the local runtime (`npm start`), never on AWS: the clock, what was sent.' } : {}),
    })),
    components: {
      securitySchemes: {
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-api-key',
          description: 'Your client API key. Locally: MAATWERK_API_KEYS, or the printed demo key.',
        },
      },
      schemas: c.schemas as OpenAPIV3_1.ComponentsObject['schemas'],
      parameters: {},
    },
    paths: paths as OpenAPIV3_1.PathsObject,
    webhooks: {},
  };
}

let cached: OpenAPIObject | undefined;

/** The document, with `serverUrl` (where the caller reached the API) as its server. */
export function openApiDocument(serverUrl?: string): OpenAPIObject {
  cached ??= generate(documentedRoutes());
  return serverUrl ? { ...cached, servers: [{ url: serverUrl }] } : cached;
}
