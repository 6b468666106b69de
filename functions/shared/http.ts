/**
 * API Gateway (REST, Lambda proxy) helpers: JSON answers, the §7 error shape, the checks every route gets from
 * the route table (checkRequest), and body parsing with zod.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Route } from './routes/route.js';
import { fieldErrors, friendlyError } from './schemas/fields.js';
import * as z from './zod.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(err: unknown): APIGatewayProxyResult {
  if (err instanceof HttpError) {
    return json(err.status, { error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) } });
  }
  return json(500, { error: { code: 'internal', message: 'Something went wrong on our side; the request was not applied. Try again.' } });
}

export function rawBody(event: APIGatewayProxyEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** application/json, with parameters (charset) or a +json suffix type. */
export function isJsonType(contentType: string | undefined): boolean {
  return !!contentType && /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(contentType.trim());
}

export function isFormType(contentType: string | undefined): boolean {
  return !!contentType && /^application\/x-www-form-urlencoded\s*(?:;|$)/i.test(contentType.trim());
}

/**
 * What every route gets from its entry in the route table, before any work: no body on GET, the declared
 * Content-Type (415), path parameters in their id format, and only the declared query parameters. A 4xx, so a
 * hostile request (a 2 KB id, `?__proto__=1`, an image/png body) never reaches the services.
 */
export function checkRequest(event: APIGatewayProxyEvent, route: Route): void {
  const body = rawBody(event);
  if (event.httpMethod === 'GET' && body.length > 0) {
    throw new HttpError(400, 'body_not_allowed', 'A GET request takes no body; send its parameters in the query string.');
  }
  if (body.length > 0) {
    const type = header(event, 'content-type');
    const lenientOk = route.body?.lenient && (!type || isFormType(type) || /^text\/plain\s*(?:;|$)/i.test(type.trim()));
    if (route.body?.type === 'json' && !isJsonType(type) && !lenientOk) {
      throw new HttpError(415, 'unsupported_media_type', `Send the body as JSON with Content-Type: application/json${type ? ` (got ${type.slice(0, 100)})` : ''}.`);
    }
    if (route.body?.type === 'form' && !isFormType(type)) {
      throw new HttpError(415, 'unsupported_media_type', `Send the body form-encoded with Content-Type: application/x-www-form-urlencoded${type ? ` (got ${type.slice(0, 100)})` : ''}.`);
    }
    if (!route.body) throw new HttpError(400, 'body_not_allowed', 'This request takes no body.');
  }
  if (route.params) {
    const parsed = route.params.safeParse(event.pathParameters ?? {}, { error: friendlyError });
    if (!parsed.success) throw new HttpError(400, 'validation_failed', 'The path is not valid.', fieldErrors(parsed.error, route.params));
  }
  // A parameter given twice (`?status=open&status=paid`) would silently mean its last value: refused, naming it.
  const repeated = Object.entries(event.multiValueQueryStringParameters ?? {}).filter(([, vs]) => (vs?.length ?? 0) > 1).map(([k]) => k);
  if (repeated.length) {
    throw new HttpError(400, 'validation_failed', 'Some query parameters are not accepted.', Object.fromEntries(repeated.map((k) => [k.slice(0, 100), 'must be given once'])));
  }
  const query = route.query ?? NO_QUERY;
  const parsed = query.safeParse(event.queryStringParameters ?? {}, { error: friendlyError });
  if (!parsed.success) throw new HttpError(400, 'validation_failed', 'Some query parameters are not accepted.', fieldErrors(parsed.error, query));
}

const NO_QUERY = z.strictObject({});

/**
 * Parses a JSON body against a schema; a 400 names each bad or unknown field, says what is expected and, for a
 * misplaced field, where it belongs.
 */
export function parseJson<S extends z.ZodMiniType>(event: APIGatewayProxyEvent, schema: S): z.infer<S> {
  let data: unknown;
  try {
    data = JSON.parse(rawBody(event) || 'null');
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not valid JSON.');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new HttpError(400, 'invalid_body', 'The body must be a JSON object, e.g. {"amount": 2500}; see GET /docs.');
  }
  const parsed = schema.safeParse(data, { error: friendlyError });
  if (!parsed.success) throw new HttpError(400, 'validation_failed', 'Some fields are missing or invalid.', fieldErrors(parsed.error, schema));
  return parsed.data;
}

export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted && v != null) return v;
  return undefined;
}

/** Form-encoded webhook bodies (Twilio) as a plain object. */
export function formParams(event: APIGatewayProxyEvent): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(rawBody(event)));
}

/**
 * The public URL the caller used, needed to check webhook signatures. Locally PUBLIC_BASE_URL says it;
 * behind API Gateway it is rebuilt from the Host header, the stage and the path.
 */
export function publicUrl(event: APIGatewayProxyEvent): string {
  const query = event.multiValueQueryStringParameters
    ? '?' +
      Object.entries(event.multiValueQueryStringParameters)
        .flatMap(([k, vs]) => (vs ?? []).map((v) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
        .join('&')
    : '';
  const base = process.env.PUBLIC_BASE_URL;
  if (base) return `${base.replace(/\/$/, '')}${event.path}${query === '?' ? '' : query}`;
  // requestContext.path carries the stage (or a custom domain's base path) as the caller saw it.
  const host = header(event, 'host') ?? event.requestContext.domainName ?? 'localhost';
  return `https://${host}${event.requestContext.path ?? event.path}${query === '?' ? '' : query}`;
}

/**
 * Where the caller reached the API, for the OpenAPI document's `servers`: PUBLIC_BASE_URL locally; behind API
 * Gateway the Host header plus the stage (or a custom domain's base path), which requestContext.path carries.
 */
export function serverUrl(event: APIGatewayProxyEvent): string {
  const base = process.env.PUBLIC_BASE_URL;
  if (base) return base.replace(/\/$/, '');
  const host = header(event, 'host') ?? event.requestContext.domainName ?? 'localhost';
  const full = event.requestContext.path ?? event.path;
  const prefix = full.endsWith(event.path) ? full.slice(0, full.length - event.path.length) : '';
  return `https://${host}${prefix}`;
}
