/**
 * What the HTTP edge itself decides, before any function of ours runs (plain data, shared by the authorizer, the
 * CDK stack and the local API stand-in): how long an authorizer answer is reused, the per-client rate limit, and
 * the answers the edge gives in the API's error shape — identical on AWS and locally.
 */

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
