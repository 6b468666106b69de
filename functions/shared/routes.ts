/**
 * The HTTP routes (API §7): the one table that says, per route, which Lambda serves it, how callers authenticate,
 * what it takes (path parameters, query, headers, body) and what it answers. Everything else is derived from it:
 * - the CDK stack creates the API Gateway resources and methods from it, the API key authorizer on the routes with
 *   auth apiKey/agentKey (infra/aws/stack.ts);
 * - the local runtime turns a request into the proxy event API Gateway would send, with the same authorizer and
 *   rate limit in front (infra/local/api-server.ts);
 * - the handlers check path parameters, query, Content-Type and "no body on GET" against it (http.ts checkRequest);
 * - the OpenAPI document and the docs page are rendered from it (openapi.ts, docs-page.ts), and a test fails when
 *   the document and this table disagree.
 *
 * The table is kept in parts per function (routes/api.ts, routes/reports.ts, routes/webhooks.ts, routes/payments.ts,
 * routes/docs.ts) so that each handler
 * bundles only its own routes' schemas; this module joins them (the Docs function, which renders the whole table,
 * is the one that imports it). The edge's own constants (authorizer cache, rate limit, its
 * answers) live in edge.ts and are re-exported here.
 *
 * Adding a route: add an entry to its function's part (schemas from schemas/, answers from responses.ts), handle it
 * in the function's switch, and add it to the stack test's list. The common error answers (400, 401, 403, 404, 413,
 * 415, 429, 500) are added to the document from `auth`, `params` and `body`; list only the ones particular to it.
 */
import { API_ROUTES } from './routes/api.js';
import { DOC_ROUTES } from './routes/docs.js';
import { PAYMENT_ROUTES } from './routes/payments.js';
import { REPORT_ROUTES } from './routes/reports.js';
import { matchRoute as match, routeFor as find, type Route, type RouteMatch } from './routes/route.js';
import { WEBHOOK_ROUTES } from './routes/webhooks.js';

export * from './edge.js';
export { isAuthorized } from './routes/route.js';
export type { Auth, Route, RouteAnswer, RouteBody, RouteMatch } from './routes/route.js';
export { API_ROUTES, DOC_ROUTES, PAYMENT_ROUTES, REPORT_ROUTES, WEBHOOK_ROUTES };

/** The client routes in the order the API describes them: the reports (their own function) before the webhook registration. */
const REGISTRATION = API_ROUTES.findIndex((r) => r.resource === '/v1/webhook');
const CLIENT_ROUTES: readonly Route[] = [...API_ROUTES.slice(0, REGISTRATION), ...REPORT_ROUTES, ...API_ROUTES.slice(REGISTRATION)];

export const ROUTES: readonly Route[] = [...CLIENT_ROUTES, ...WEBHOOK_ROUTES, ...PAYMENT_ROUTES, ...DOC_ROUTES];

/** The route a Lambda proxy event belongs to (by method and resource pattern). */
export function routeFor(method: string, resource: string, routes: readonly Route[] = ROUTES): Route | undefined {
  return find(method, resource, routes);
}

export function matchRoute(method: string, path: string, routes: readonly Route[] = ROUTES): RouteMatch {
  return match(method, path, routes);
}
