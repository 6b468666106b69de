/**
 * The HTTP edge (API §7): the routes and which Lambda serves each, which of them the API key authorizer guards,
 * the per-client rate limit and the answers the edge itself gives. API Gateway gets them from the CDK stack; the
 * local runtime uses the same table to turn a request into the event API Gateway would send, and answers the
 * same way.
 */
export interface Route {
  method: 'GET' | 'POST';
  resource: string;
  /** api: client routes, behind the API key authorizer; webhooks: no key, the provider's signature is checked */
  fn: 'api' | 'webhooks';
}

/** Client routes go through the authorizer; webhooks never do. */
export const isAuthorized = (route: Route): boolean => route.fn === 'api';

/**
 * How long API Gateway reuses an authorizer answer for the same x-api-key (the local stand-in does the same):
 * most requests cost no authorizer call and no DynamoDB read; a revoked key keeps working for at most this long.
 */
export const AUTHORIZER_CACHE_TTL_SECONDS = 300;

/** The error message with which an authorizer makes API Gateway answer 401 (any other error is a 500). */
export const AUTHORIZER_UNAUTHORIZED = 'Unauthorized';

/**
 * Per-client rate limit, counted per API key before anything else runs: on AWS a WAF rate-based rule keyed on
 * the x-api-key header (stack.ts), locally the same numbers in the API stand-in. Above it: 429 with Retry-After.
 */
export const CLIENT_RATE_LIMIT = { requests: 600, windowSeconds: 60 } as const;

/** The answers the edge gives itself, in the API's error shape, identical on AWS and locally. */
export const EDGE_ERRORS = {
  unauthorized: { status: 401, code: 'unauthenticated', message: 'Send a valid API key in the x-api-key header.' },
  throttled: { status: 429, code: 'throttled', message: 'Too many requests for this API key; retry after the number of seconds in Retry-After.' },
} as const;

export const edgeErrorBody = (e: (typeof EDGE_ERRORS)[keyof typeof EDGE_ERRORS]): string =>
  JSON.stringify({ error: { code: e.code, message: e.message } });

export const ROUTES: readonly Route[] = [
  { method: 'POST', resource: '/v1/dossiers', fn: 'api' },
  { method: 'GET', resource: '/v1/dossiers/{dossierId}', fn: 'api' },
  { method: 'POST', resource: '/v1/dossiers/{dossierId}/payments', fn: 'api' },
  { method: 'GET', resource: '/v1/debtors/{debtorId}', fn: 'api' },
  { method: 'GET', resource: '/v1/tasks', fn: 'api' },
  { method: 'POST', resource: '/v1/tasks/{taskId}/complete', fn: 'api' },
  { method: 'POST', resource: '/webhooks/twilio/inbound', fn: 'webhooks' },
  { method: 'POST', resource: '/webhooks/twilio/status', fn: 'webhooks' },
  { method: 'POST', resource: '/webhooks/sendgrid/events', fn: 'webhooks' },
];

export type RouteMatch =
  | { kind: 'match'; route: Route; pathParameters: Record<string, string> }
  | { kind: 'method_not_allowed' }
  | { kind: 'not_found' };

export function matchRoute(method: string, path: string): RouteMatch {
  const parts = path.replace(/\/+$/, '').split('/');
  let pathExists = false;
  for (const route of ROUTES) {
    const pattern = route.resource.split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((seg, i) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (m) {
        if (!parts[i]) return false;
        params[m[1]] = decodeURIComponent(parts[i]);
        return true;
      }
      return seg === parts[i];
    });
    if (!ok) continue;
    pathExists = true;
    if (route.method === method.toUpperCase()) return { kind: 'match', route, pathParameters: params };
  }
  return pathExists ? { kind: 'method_not_allowed' } : { kind: 'not_found' };
}
