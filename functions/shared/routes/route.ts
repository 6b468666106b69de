/**
 * What a route is (the entries of the route table, ../routes.ts) and how a request finds its route. No schemas are
 * imported here: each function's handler imports only its own part of the table (./api.ts, ./reports.ts, ./webhooks.ts), so the
 * Webhooks bundle carries none of the client API's schemas.
 */
import type { ZodMiniObject, ZodMiniType } from 'zod/mini';

/** apiKey: any client key; agentKey: an agency key (else 403); the signatures: the provider's, over the raw request. */
export type Auth = 'apiKey' | 'agentKey' | 'twilioSignature' | 'sendgridSignature' | 'none';

type Schema = ZodMiniType;

export interface RouteBody {
  /** json: application/json (415 otherwise); form: application/x-www-form-urlencoded */
  type: 'json' | 'form';
  /**
   * json only: also read the body as JSON when the Content-Type is missing, text/plain or form-encoded — what
   * `curl -d` and `fetch(url, { body: string })` send. The local routes use it so the README's curl lines work.
   */
  lenient?: boolean;
  schema: Schema;
  example?: unknown;
  /** the body may be left out (then it is read as {}) */
  optional?: boolean;
}

export interface RouteAnswer {
  description: string;
  schema?: Schema;
  /** default application/json */
  contentType?: string;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  resource: string;
  /** the Lambda that serves it; `local` routes exist only on the local runtime */
  fn: 'api' | 'reports' | 'webhooks' | 'payments' | 'docs' | 'local';
  auth: Auth;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  params?: ZodMiniObject;
  /** accepted query parameters; any other is refused (400). None declared: no query parameters at all. */
  query?: ZodMiniObject;
  /** request headers besides the authentication (e.g. Idempotency-Key) */
  headers?: ZodMiniObject;
  body?: RouteBody;
  /** success answers and the errors particular to this route */
  responses: Record<number, RouteAnswer>;
}

/** Routes behind the API key authorizer (on AWS and in the local stand-in); the others never see it. */
export const isAuthorized = (route: Pick<Route, 'auth'>): boolean => route.auth === 'apiKey' || route.auth === 'agentKey';

/** The route a Lambda proxy event belongs to (by method and resource pattern). */
export function routeFor(method: string, resource: string, routes: readonly Route[]): Route | undefined {
  return routes.find((r) => r.method === method.toUpperCase() && r.resource === resource);
}

export type RouteMatch =
  | { kind: 'match'; route: Route; pathParameters: Record<string, string> }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' }
  /** a path segment with malformed %-encoding ("%E0%A4%A"): a 400, not a crash */
  | { kind: 'bad_path'; segment: string };

/** A `{param}` segment, optionally with a literal suffix (`{messageId}.pdf`). */
const PARAM = /^\{(\w+)\}(.*)$/;

export function matchRoute(method: string, path: string, routes: readonly Route[]): RouteMatch {
  const parts = path.replace(/\/+$/, '').split('/');
  const allowed: string[] = [];
  for (const route of routes) {
    const pattern = route.resource.split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let bad: string | undefined;
    const ok = pattern.every((seg, i) => {
      const m = PARAM.exec(seg);
      if (!m) return seg === parts[i];
      const [, name, suffix] = m;
      const raw = parts[i];
      if (!raw.endsWith(suffix) || raw.length === suffix.length) return false;
      try {
        params[name] = decodeURIComponent(raw.slice(0, raw.length - suffix.length));
      } catch {
        bad = raw;
        return false;
      }
      return true;
    });
    if (bad !== undefined) return { kind: 'bad_path', segment: bad };
    if (!ok) continue;
    if (route.method === method.toUpperCase()) return { kind: 'match', route, pathParameters: params };
    allowed.push(route.method);
  }
  return allowed.length ? { kind: 'method_not_allowed', allowed } : { kind: 'not_found' };
}
