/**
 * The API's own description (DESIGN §7): GET /openapi.json (OpenAPI 3.1, generated from the route table and its zod
 * schemas, functions/shared/openapi.ts) and GET /docs (the same document as a self-contained page). No key needed.
 *
 * Its own function rather than a route of the Api function: the document generator (zod's JSON Schema output, the
 * whole route table with every answer's schema, the page renderer) would be a sixth of the Api bundle and its cold
 * start, for two routes that clients hardly call. The document is generated once per container and cached.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { checkRequest, errorResponse, HttpError, json, serverUrl } from '../shared/http.js';
import { lambdaHandler } from '../shared/lambda.js';
import { logger } from '../shared/logger.js';
import { docsPage } from '../shared/docs-page.js';
import { openApiDocument } from '../shared/openapi.js';
import { DOC_ROUTES } from '../shared/routes/docs.js';
import { routeFor } from '../shared/routes/route.js';

export const handler = lambdaHandler(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  try {
    const route = routeFor(event.httpMethod, event.resource, DOC_ROUTES);
    if (!route) throw new HttpError(404, 'not_found', `No route ${event.httpMethod} ${event.path}.`);
    checkRequest(event, route);
    const doc = openApiDocument(serverUrl(event));
    switch (route.operationId) {
      case 'openapi':
        return json(200, doc);
      case 'docs':
        return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: docsPage(doc) };
      default:
        throw new HttpError(404, 'not_found', `No route ${event.httpMethod} ${event.path}.`);
    }
  } catch (err) {
    if (!(err instanceof HttpError)) logger.error('docs request failed', { route: event.resource, errorName: (err as Error)?.name });
    return errorResponse(err);
  }
}, (event) => ({ correlationId: event.requestContext?.requestId, keys: { route: `${event.httpMethod} ${event.resource}` } }));
