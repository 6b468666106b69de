/**
 * The client routes' functions (Api, Reports): the handler around a function's part of the route table — the request
 * checked against its route, the caller as the authorizer established it, errors answered in the API's shape — and
 * the correlation keys of its request. The key itself is checked at the edge (functions/authorizer), never here.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ClientContext } from '../authorizer/handler.js';
import { parseBusinessCostAgreement } from '../domain/claim-costs.js';
import type { Client } from '../store/clients.js';
import { checkRequest, errorResponse, HttpError } from './http.js';
import { lambdaHandler } from './lambda.js';
import { logger } from './logger.js';
import { redact } from './redact.js';
import { routeFor, type Route } from './routes/route.js';

/** The 404 of a request no route of this function serves. */
export const noRoute = (event: APIGatewayProxyEvent) => new HttpError(404, 'not_found', `No route ${event.httpMethod} ${event.path}.`);

/**
 * The Lambda handler of a client routes' function: `serve` gets a request that matches one of `routes` (path
 * parameters, query, Content-Type checked) and its authenticated client; what it throws is answered as an error
 * (an unexpected one logged without personal data).
 */
export function clientRoutesHandler(routes: readonly Route[], serve: (event: APIGatewayProxyEvent, client: Client) => Promise<APIGatewayProxyResult>) {
  return lambdaHandler(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    try {
      const route = routeFor(event.httpMethod, event.resource, routes);
      if (!route) throw noRoute(event);
      checkRequest(event, route);
      return await serve(event, authenticatedClient(event));
    } catch (err) {
      if (!(err instanceof HttpError)) logger.error('request failed', { route: event.resource, errorName: (err as Error)?.name, errorMessage: redact(String((err as Error)?.message ?? err)) });
      return errorResponse(err);
    }
  }, requestCorrelation);
}

/**
 * API Gateway only invokes these functions after the authorizer allowed the request, so a missing context means a
 * route without the authorizer: refused, never guessed.
 */
export function authenticatedClient(event: APIGatewayProxyEvent): Client {
  const ctx = (event.requestContext?.authorizer ?? {}) as Partial<ClientContext>;
  if (typeof ctx.clientId !== 'string' || !ctx.clientId || (ctx.role !== 'creditor' && ctx.role !== 'agent')) {
    throw new HttpError(401, 'unauthenticated', 'Send your API key in the x-api-key header.');
  }
  // API Gateway passes context values on as strings; the local stand-in as they were returned.
  const flag = (v: unknown) => v === true || v === 'true';
  return {
    clientId: ctx.clientId,
    name: ctx.clientName ?? ctx.clientId,
    agent: ctx.role === 'agent',
    ...(flag(ctx.vatOnCosts) ? { vatOnCosts: true } : {}),
    ...(flag(ctx.claimsInterest) ? { claimsInterest: true } : {}),
    // the agreement the authorizer read from the client record, checked again (a bad record is a 500, not a guess)
    ...(typeof ctx.businessCosts === 'string' && ctx.businessCosts ? { businessCosts: parseBusinessCostAgreement(JSON.parse(ctx.businessCosts)) } : {}),
  };
}

/** The request id; the ids in the path (dossier, debtor, task, experiment) and the client on every line of the request. */
export function requestCorrelation(event: APIGatewayProxyEvent) {
  const keys: Record<string, string> = { route: `${event.httpMethod} ${event.resource}` };
  for (const [k, v] of Object.entries(event.pathParameters ?? {})) if (v) keys[k] = v;
  const clientId = (event.requestContext?.authorizer as Partial<ClientContext> | undefined)?.clientId;
  if (clientId) keys.clientId = clientId;
  return { correlationId: event.requestContext?.requestId, keys };
}
