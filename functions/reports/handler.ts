/**
 * The Reports function (DESIGN §7): GET /v1/reports/kpis and GET /v1/experiments/{experimentId}/results, behind the
 * same API key authorizer as the client API. Thin, like the Api function: check the request against its route, take
 * the client from the authorizer's context, call the report, answer. Its own function because the results maths
 * (jstat) and the report schemas serve these two routes only; it reads counters and never writes (its role may
 * only read the table).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { authenticatedClient, requestCorrelation } from '../shared/caller.js';
import { now } from '../shared/clock.js';
import { checkRequest, errorResponse, HttpError, json } from '../shared/http.js';
import { lambdaHandler } from '../shared/lambda.js';
import { logger } from '../shared/logger.js';
import { redact } from '../shared/redact.js';
import { REPORT_ROUTES } from '../shared/routes/reports.js';
import { routeFor } from '../shared/routes/route.js';
import { experimentResultsFor } from './experiments.js';
import { kpiReport } from './kpis.js';
import { KpiQuery } from './schemas.js';

export const handler = lambdaHandler(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  try {
    const route = routeFor(event.httpMethod, event.resource, REPORT_ROUTES);
    if (!route) throw new HttpError(404, 'not_found', `No route ${event.httpMethod} ${event.path}.`);
    checkRequest(event, route);
    const client = authenticatedClient(event);
    switch (`${event.httpMethod} ${event.resource}`) {
      case 'GET /v1/reports/kpis': {
        // checked by checkRequest against the route's query already; parsed again for the typed values
        const q = KpiQuery.parse(event.queryStringParameters ?? {});
        return json(200, await kpiReport({ clientId: client.clientId, agent: client.agent === true }, q, now()));
      }
      case 'GET /v1/experiments/{experimentId}/results':
        return json(200, await experimentResultsFor(client, (event.pathParameters ?? {}).experimentId!, now()));
      default:
        throw new HttpError(404, 'not_found', `No route ${event.httpMethod} ${event.path}.`);
    }
  } catch (err) {
    if (!(err instanceof HttpError)) logger.error('request failed', { route: event.resource, errorName: (err as Error)?.name, errorMessage: redact(String((err as Error)?.message ?? err)) });
    return errorResponse(err);
  }
}, requestCorrelation);
