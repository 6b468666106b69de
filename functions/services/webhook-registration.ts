/**
 * A client's webhook for creditor notifications (`PUT/GET/DELETE /v1/webhook`; delivery: functions/notifications/).
 * One item per client in its own partition (store/notifications.ts). The signing secret is answered only by the PUT
 * that set it; GET shows its last 4 characters.
 */
import { NOTIFICATION_TYPES } from '../domain/notifications.js';
import { HttpError } from '../shared/http.js';
import { logger } from '../shared/logger.js';
import type { Client } from '../store/clients.js';
import { deleteWebhook, getWebhook, putWebhook, type WebhookRegistration } from '../store/notifications.js';
import { forgetRegistration } from '../notifications/outbox.js';
import { newSecret } from '../notifications/signature.js';

/** The local runtime lets a webhook be http://127.0.0.1 (its fake receiver); on AWS only https to public hosts. */

function view(reg: WebhookRegistration, withSecret: boolean) {
  return {
    url: reg.url,
    createdAt: reg.createdAt,
    updatedAt: reg.updatedAt,
    secretHint: reg.secret.slice(-4),
    ...(withSecret ? { secret: reg.secret } : {}),
    events: [...NOTIFICATION_TYPES],
  };
}

export async function registerWebhook(client: Client, body: { url: string; secret?: string }, now: Date) {
  const at = now.toISOString();
  const before = await getWebhook(client.clientId);
  const reg: WebhookRegistration = { clientId: client.clientId, url: body.url, secret: body.secret ?? newSecret(), createdAt: before?.createdAt ?? at, updatedAt: at };
  await putWebhook(reg);
  forgetRegistration(client.clientId);
  logger.info('webhook registered', { clientId: client.clientId, replaced: !!before, secretGiven: body.secret !== undefined });
  return view(reg, true);
}

export async function webhookOf(client: Client) {
  const reg = await getWebhook(client.clientId);
  if (!reg) throw new HttpError(404, 'not_found', 'No webhook is registered; PUT /v1/webhook registers one.');
  return view(reg, false);
}

export async function removeWebhook(client: Client): Promise<void> {
  forgetRegistration(client.clientId);
  if (!(await deleteWebhook(client.clientId))) throw new HttpError(404, 'not_found', 'No webhook is registered.');
  logger.info('webhook removed', { clientId: client.clientId });
}
