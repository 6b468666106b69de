/**
 * Client API (DESIGN §7). Thin: take the client from the authorizer's context, parse with zod, call a service,
 * map the result. The key itself is checked at the edge (functions/authorizer), never here.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ClientContext } from '../authorizer/handler.js';
import { now } from '../shared/clock.js';
import { errorResponse, header, HttpError, json, parseJson } from '../shared/http.js';
import { lambdaHandler } from '../shared/lambda.js';
import { logger } from '../shared/logger.js';
import { redact } from '../shared/redact.js';
import { CompleteTaskBody, CreateDossierBody, PaymentBody } from '../shared/schemas/api.js';
import type { Client } from '../store/clients.js';
import { addPayment, createDossier, debtorView, dossierView, ownDossier } from '../services/dossiers.js';
import { completeTask, openTasks, requireAgent } from '../services/tasks.js';

/**
 * The caller as the authorizer established it. API Gateway only invokes this function after the authorizer
 * allowed the request, so a missing context means a route without the authorizer: refused, never guessed.
 */
function authenticatedClient(event: APIGatewayProxyEvent): Client {
  const ctx = (event.requestContext?.authorizer ?? {}) as Partial<ClientContext>;
  if (typeof ctx.clientId !== 'string' || !ctx.clientId || (ctx.role !== 'creditor' && ctx.role !== 'agent')) {
    throw new HttpError(401, 'unauthenticated', 'Send your API key in the x-api-key header.');
  }
  return { clientId: ctx.clientId, name: ctx.clientName ?? ctx.clientId, agent: ctx.role === 'agent' };
}

function idempotencyKey(event: APIGatewayProxyEvent): string | undefined {
  const value = header(event, 'idempotency-key');
  if (value !== undefined && !/^[\w.:-]{1,128}$/.test(value)) {
    throw new HttpError(400, 'validation_failed', 'Invalid Idempotency-Key header.', {
      'Idempotency-Key': 'must be 1–128 letters, digits or . _ : -',
    });
  }
  return value;
}

export const handler = lambdaHandler(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  try {
    const client = authenticatedClient(event);
    const p = event.pathParameters ?? {};
    switch (`${event.httpMethod} ${event.resource}`) {
      case 'POST /v1/dossiers': {
        const body = parseJson(event, CreateDossierBody);
        const res = await createDossier(client, body, idempotencyKey(event), now());
        return json(res.status, res.body);
      }
      case 'GET /v1/dossiers/{dossierId}':
        return json(200, await dossierView(await ownDossier(client, p.dossierId!)));
      case 'POST /v1/dossiers/{dossierId}/payments': {
        const dossier = await ownDossier(client, p.dossierId!);
        const body = parseJson(event, PaymentBody);
        return json(200, await addPayment(dossier, body, idempotencyKey(event), now()));
      }
      case 'GET /v1/debtors/{debtorId}':
        return json(200, await debtorView(client, p.debtorId!));
      case 'GET /v1/tasks': {
        const status = event.queryStringParameters?.status ?? 'open';
        if (status !== 'open') throw new HttpError(400, 'validation_failed', 'Only open tasks can be listed.', { status: "must be 'open'" });
        return json(200, { tasks: await openTasks(client) });
      }
      case 'POST /v1/tasks/{taskId}/complete': {
        requireAgent(client);
        const body = parseJson(event, CompleteTaskBody);
        return json(200, await completeTask(client, p.taskId!, body, now()));
      }
      default:
        throw new HttpError(404, 'not_found', `No route ${event.httpMethod} ${event.path}.`);
    }
  } catch (err) {
    if (!(err instanceof HttpError)) logger.error('request failed', { route: event.resource, errorName: (err as Error)?.name, errorMessage: redact(String((err as Error)?.message ?? err)) });
    return errorResponse(err);
  }
}, requestCorrelation);

/** The request id; the ids in the path (dossier, debtor, task) and the client on every line of the request. */
function requestCorrelation(event: APIGatewayProxyEvent) {
  const keys: Record<string, string> = { route: `${event.httpMethod} ${event.resource}` };
  for (const [k, v] of Object.entries(event.pathParameters ?? {})) if (v) keys[k] = v;
  const clientId = (event.requestContext?.authorizer as Partial<ClientContext> | undefined)?.clientId;
  if (clientId) keys.clientId = clientId;
  return { correlationId: event.requestContext?.requestId, keys };
}
