/**
 * API Gateway (REST, Lambda proxy) helpers: JSON answers, the §7 error shape, and body parsing with zod.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type * as z from './zod.js';
import { fieldErrors } from './schemas/fields.js';

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

/** Parses a JSON body against a schema; a 400 names each bad field and why. */
export function parseJson<S extends z.ZodMiniType>(event: APIGatewayProxyEvent, schema: S): z.infer<S> {
  let data: unknown;
  try {
    data = JSON.parse(rawBody(event) || 'null');
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not valid JSON.');
  }
  if (data === null || typeof data !== 'object') throw new HttpError(400, 'invalid_body', 'The body must be a JSON object.');
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new HttpError(400, 'validation_failed', 'Some fields are missing or invalid.', fieldErrors(parsed.error));
  }
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
