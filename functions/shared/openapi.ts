/**
 * The OpenAPI 3.1 document, generated from the route table (routes.ts) and the zod schemas it names — one source
 * of truth: what the handlers validate is what the document says. Served at GET /openapi.json and, as a page, at
 * GET /docs, on AWS by the API function and locally by the same handler.
 *
 * Generator: @asteasolutions/zod-to-openapi (its 3.1 generator). Compared with zod 4's own z.toJSONSchema it gives
 * the cleaner document for zod 4.6: `format: date` instead of a 400-character date regex, examples kept on unions,
 * components named from `.meta({ id })`, and parameters/request bodies/responses built from zod objects.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import { ErrorBody } from './responses.js';
import { ROUTES, type Route } from './routes.js';

export type { OpenAPIObject };

const API_DESCRIPTION = `Maatwerk takes over a creditor's claims and runs a tailor-made outreach journey per debtor (letter, email, SMS,
WhatsApp, an agent's call) within Dutch collection law.

- **Authentication**: send your API key in the \`x-api-key\` header. Each key belongs to one client, and a client only ever
  sees its own dossiers (another client's is a 404). Provider webhooks use the provider's signature instead.
- **Money** is integer euro cents (12500 = €125.00), at most 10000000000 (€100,000,000.00) per amount. **Times** are ISO-8601.
- **Bodies** are JSON (\`Content-Type: application/json\`, else 415). Unknown fields are refused, naming the field.
- **Errors** always have the shape \`{ "error": { "code", "message", "fields"? } }\`; \`fields\` names each bad field
  (dotted path) and says what is expected. Never a stack trace.
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

const json = (schema: Route['responses'][number]['schema']) => ({ 'application/json': { schema: schema! } });

/** The error answers every route can give, from what it declares. */
function commonErrors(route: Route): Record<number, ResponseConfig> {
  const err = (description: string): ResponseConfig => ({ description, content: json(ErrorBody) });
  const out: Record<number, ResponseConfig> = {
    400: err(
      route.body
        ? 'The request is not valid: a field is missing, invalid or unknown (validation_failed, with `fields`), the body is not JSON (invalid_json) or not an object (invalid_body), or a path or query parameter is not valid.'
        : 'The path or a query parameter is not valid (validation_failed, invalid_path), or a GET came with a body (body_not_allowed).',
    ),
  };
  if (route.auth === 'apiKey' || route.auth === 'agentKey') out[401] = err('No x-api-key header, or the key is not valid (unauthenticated).');
  if (route.auth === 'agentKey') out[403] = err('Only the agency’s agent keys may do this (forbidden).');
  if (route.auth === 'twilioSignature' || route.auth === 'sendgridSignature') out[403] = err('The signature is missing or does not match (invalid_signature).');
  if (route.params) out[404] = err('No such resource of yours (not_found). Another client’s looks the same as a missing one.');
  if (route.body) {
    out[413] = err('The body is larger than 1 MB (too_large).');
    out[415] = err(`The body is not ${route.body.type === 'json' ? 'application/json' : 'application/x-www-form-urlencoded'} (unsupported_media_type).`);
  }
  out[500] = err('Something went wrong on our side; the request was not applied, and may be retried (internal).');
  return out;
}

function operation(route: Route): RouteConfig {
  const responses: Record<number, ResponseConfig> = commonErrors(route);
  for (const [status, answer] of Object.entries(route.responses)) {
    responses[Number(status)] = {
      description: answer.description,
      ...(answer.schema ? { content: { [answer.contentType ?? 'application/json']: { schema: answer.schema } } } : {}),
    };
  }
  const security =
    route.auth === 'apiKey' || route.auth === 'agentKey' ? [{ apiKey: [] }] : [];
  const bodyType = route.body?.type === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
  return {
    method: route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete',
    path: route.resource,
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security,
    ...(route.auth === 'agentKey' ? { 'x-agent-only': true } : {}),
    request: {
      ...(route.params ? { params: route.params } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(route.headers ? { headers: route.headers } : {}),
      ...(route.body
        ? { body: { required: !route.body.optional, content: { [bodyType]: { schema: route.body.schema, ...(route.body.example ? { example: route.body.example } : {}) } } } }
        : {}),
    },
    responses,
  };
}

const TAG_ORDER = ['Dossiers', 'Debtors', 'Call tasks', 'Notifications', 'Provider webhooks', 'Documentation', 'Local runtime'];

function generate(routes: readonly Route[]): OpenAPIObject {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: 'Your client API key. Locally: MAATWERK_API_KEYS, or the printed demo key.',
  });
  for (const route of routes) registry.registerPath(operation(route));
  const tags = [...new Set(routes.map((r) => r.tag))].sort((a, b) => TAG_ORDER.indexOf(a) - TAG_ORDER.indexOf(b));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
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
  }) as OpenAPIObject;
}

let cached: OpenAPIObject | undefined;

/** The document, with `serverUrl` (where the caller reached the API) as its server. */
export function openApiDocument(serverUrl?: string): OpenAPIObject {
  cached ??= generate(documentedRoutes());
  return serverUrl ? { ...cached, servers: [{ url: serverUrl }] } : cached;
}
