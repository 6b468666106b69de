/**
 * Client API (DESIGN §7). Thin: check the request against its route (routes.ts), take the client from the
 * authorizer's context, parse with zod, call a service, map the result. The key itself is checked at the edge
 * (functions/authorizer), never here. The API's own description (GET /openapi.json, GET /docs) is the Docs
 * function's (functions/docs), the reports (KPIs, experiment results) the Reports function's (functions/reports).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { now } from '../shared/clock.js';
import { header, HttpError, json, parseJson } from '../shared/http.js';
import { clientRoutesHandler, noRoute } from '../shared/caller.js';
import { API_ROUTES } from '../shared/routes/api.js';
import {
  BatchEnvelope,
  CompleteTaskBody,
  createDossierBodyAt,
  FlagsBody,
  IDEMPOTENCY_KEY,
  ListDossiersQuery,
  PatchDebtorBody,
  paymentBodyAt,
  ResolveDisputeBody,
  StatusChangeBody,
  TasksQuery,
} from '../shared/schemas/api.js';
import { createDossier } from '../services/intake.js';
import { createDossiers } from '../services/batch.js';
import { setFlags, updateContactDetails } from '../services/debtors.js';
import { changeDossierStatus, resolveDossierDispute } from '../services/dossier-status.js';
import { listDossiers } from '../services/listing.js';
import { addPayment } from '../services/payments.js';
import { debtorView, dossierView, ownDossier } from '../services/views.js';
import { completeTask, openTasks, requireAgent } from '../services/tasks.js';
import { registerWebhook, removeWebhook, webhookOf } from '../services/webhook-registration.js';
import { allowLoopbackWebhooks } from '../shared/public-address.js';
import { webhookBodyFor } from '../shared/schemas/creditor-webhook.js';

function idempotencyKey(event: APIGatewayProxyEvent): string | undefined {
  const value = header(event, 'idempotency-key');
  if (value !== undefined && !IDEMPOTENCY_KEY.test(value)) {
    throw new HttpError(400, 'validation_failed', 'Invalid Idempotency-Key header.', {
      'Idempotency-Key': 'must be 1–128 letters, digits or . _ : -, e.g. "create-INV-1001"',
    });
  }
  return value;
}

export const handler = clientRoutesHandler(API_ROUTES, async (event, client) => {
  const p = event.pathParameters ?? {};
  switch (`${event.httpMethod} ${event.resource}`) {
    case 'POST /v1/dossiers': {
      const at = now();
      const body = parseJson(event, createDossierBodyAt(at));
      const res = await createDossier(client, body, idempotencyKey(event), at);
      return json(res.status, res.body);
    }
    case 'POST /v1/dossiers/batch': {
      const body = parseJson(event, BatchEnvelope);
      return json(200, await createDossiers(client, body.claims, now()));
    }
    case 'GET /v1/dossiers':
      // checkRequest accepted the query already; this reads it typed.
      return json(200, await listDossiers(client, ListDossiersQuery.parse(event.queryStringParameters ?? {}), now()));
    case 'POST /v1/dossiers/{dossierId}/withdraw':
    case 'POST /v1/dossiers/{dossierId}/dispute': {
      const dossier = await ownDossier(client, p.dossierId!);
      const body = event.body ? parseJson(event, StatusChangeBody) : {};
      return json(200, await changeDossierStatus(client, dossier, event.resource.endsWith('/withdraw') ? 'withdraw' : 'dispute', body, now()));
    }
    case 'POST /v1/dossiers/{dossierId}/dispute/resolve': {
      const dossier = await ownDossier(client, p.dossierId!);
      const body = event.body ? parseJson(event, ResolveDisputeBody) : {};
      return json(200, await resolveDossierDispute(client, dossier, body, now()));
    }
    case 'GET /v1/dossiers/{dossierId}':
      return json(200, await dossierView(client, await ownDossier(client, p.dossierId!), now()));
    case 'POST /v1/dossiers/{dossierId}/payments': {
      const dossier = await ownDossier(client, p.dossierId!);
      const at = now();
      const body = parseJson(event, paymentBodyAt(at));
      return json(200, await addPayment(client, dossier, body, idempotencyKey(event), at));
    }
    case 'GET /v1/debtors/{debtorId}':
      return json(200, await debtorView(client, p.debtorId!, now()));
    case 'PATCH /v1/debtors/{debtorId}':
      return json(200, await updateContactDetails(client, p.debtorId!, parseJson(event, PatchDebtorBody), now()));
    case 'POST /v1/debtors/{debtorId}/flags':
      return json(200, await setFlags(client, p.debtorId!, parseJson(event, FlagsBody), now()));
    case 'GET /v1/tasks': {
      // The query (status=open, reason=…) was checked against the route's TasksQuery by checkRequest.
      const query = TasksQuery.parse(event.queryStringParameters ?? {});
      return json(200, { tasks: await openTasks(client, query.reason) });
    }
    case 'POST /v1/tasks/{taskId}/complete': {
      requireAgent(client);
      const body = parseJson(event, CompleteTaskBody);
      return json(200, await completeTask(client, p.taskId!, body, now()));
    }
    case 'PUT /v1/webhook':
      return json(200, await registerWebhook(client, parseJson(event, webhookBodyFor(allowLoopbackWebhooks())), now()));
    case 'GET /v1/webhook':
      return json(200, await webhookOf(client));
    case 'DELETE /v1/webhook':
      await removeWebhook(client);
      return { statusCode: 204, headers: {}, body: '' };
    default:
      throw noRoute(event);
  }
});
