/**
 * The Payments function (infra/aws/functions.ts): the debtor page's routes (./routes.ts) and Mollie's payment
 * webhook (POST /webhooks/mollie), locally and on AWS. Its own function because these are the routes that carry the
 * Mollie client (functions/payments/mollie.ts, over fetch) and the page.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { handleMollieWebhook } from '../services/checkout.js';
import { now } from '../shared/clock.js';
import { checkRequest, errorResponse, formParams, HttpError, json } from '../shared/http.js';
import { lambdaHandler } from '../shared/lambda.js';
import { logger } from '../shared/logger.js';
import { redact } from '../shared/redact.js';
import { PAYMENT_ROUTES } from '../shared/routes/payments.js';
import { routeFor } from '../shared/routes/route.js';
import { fieldErrors, friendlyError } from '../shared/schemas/fields.js';
import { MollieWebhook } from '../shared/schemas/payments.js';
import { pageResponse } from './routes.js';

export const handler = lambdaHandler(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  try {
    const route = routeFor(event.httpMethod, event.resource, PAYMENT_ROUTES);
    if (!route) throw new HttpError(404, 'not_found', `No route ${event.httpMethod} ${event.path}.`);
    checkRequest(event, route);
    if (route.operationId === 'mollieWebhook') {
      // Mollie posts only the payment id; the payment is fetched from Mollie before anything is booked.
      const parsed = MollieWebhook.safeParse(formParams(event), { error: friendlyError });
      if (!parsed.success) throw new HttpError(400, 'validation_failed', 'Webhook fields are missing.', fieldErrors(parsed.error));
      const outcome = await handleMollieWebhook(parsed.data.id, now());
      logger.info('mollie webhook', { outcome });
      return json(200, { received: true });
    }
    return await pageResponse(event, route, now());
  } catch (err) {
    if (!(err instanceof HttpError)) logger.error('request failed', { route: event.resource, errorName: (err as Error)?.name, errorMessage: redact(String((err as Error)?.message ?? err)) });
    return errorResponse(err);
  }
});

