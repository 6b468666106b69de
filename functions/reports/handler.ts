/**
 * The Reports function (DESIGN §7): GET /v1/reports/kpis and GET /v1/experiments/{experimentId}/results, behind the
 * same API key authorizer as the client API. Thin, like the Api function: check the request against its route, take
 * the client from the authorizer's context, call the report, answer. Its own function because the results maths
 * (jstat) and the report schemas serve these two routes only; it reads counters and never writes (its role may
 * only read the table).
 */
import { clientRoutesHandler, noRoute } from '../shared/caller.js';
import { now } from '../shared/clock.js';
import { json } from '../shared/http.js';
import { REPORT_ROUTES } from '../shared/routes/reports.js';
import { experimentResultsFor } from './experiments.js';
import { kpiReport } from './kpis.js';
import { KpiQuery } from './schemas.js';

export const handler = clientRoutesHandler(REPORT_ROUTES, async (event, client) => {
  switch (`${event.httpMethod} ${event.resource}`) {
    case 'GET /v1/reports/kpis': {
      // checked by checkRequest against the route's query already; parsed again for the typed values
      const q = KpiQuery.parse(event.queryStringParameters ?? {});
      return json(200, await kpiReport({ clientId: client.clientId, agent: client.agent === true }, q, now()));
    }
    case 'GET /v1/experiments/{experimentId}/results':
      return json(200, await experimentResultsFor(client, (event.pathParameters ?? {}).experimentId!, now()));
    default:
      throw noRoute(event);
  }
});
