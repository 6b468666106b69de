/**
 * Creditor notifications (issue 8 item 5): the webhook registration's body and answers (`PUT/GET/DELETE /v1/webhook`).
 *
 * The URL is https (an http URL only to this machine's loopback, and only on the local runtime, where
 * MAATWERK_ALLOW_LOOPBACK_WEBHOOKS=true); no user info, no fragment, no IP literal of a private, loopback or link-local
 * network on AWS (a notification must not reach into the agency's own network, nor the Lambda runtime's loopback).
 */
import { NOTIFICATION_TYPES } from '../../domain/notifications.js';
import { hostProblem } from '../public-address.js';
import * as z from '../zod.js';
import { doc } from './fields.js';

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Why a webhook URL is not accepted, or undefined. */
export function webhookUrlProblem(value: string, allowLoopbackHttp: boolean): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'must be an absolute URL, e.g. "https://hooks.example.com/maatwerk"';
  }
  if (u.username || u.password) return 'must not hold a user name or password; authenticate with the signature';
  if (u.hash) return 'must not have a #fragment';
  const loopback = LOOPBACK_HOST.test(u.hostname);
  if (u.protocol === 'http:' && loopback && allowLoopbackHttp) return undefined;
  if (u.protocol !== 'https:') return allowLoopbackHttp ? 'must be https (http only to 127.0.0.1 or localhost)' : 'must be https';
  if (!allowLoopbackHttp) return hostProblem(u.hostname);
  return undefined;
}

const secret = doc(z.string().check(z.regex(/^[\x21-\x7e]{24,128}$/, 'must be 24–128 printable characters without spaces, e.g. 32 random bytes in base64url')), {
  description: 'Your own signing secret (24–128 printable characters). Left out: the server generates one and returns it once.',
  example: 'whsec_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0',
});

const url = doc(z.string().check(z.maxLength(2048, 'must be at most 2048 characters')), {
  description: 'Where notifications are POSTed: https (locally also http://127.0.0.1 or http://localhost).',
  example: 'https://hooks.example.com/maatwerk',
});

/** The body as documented; the handler checks the URL with the runtime's rule (webhookBodyFor). */
export const WebhookBody = doc(z.strictObject({ url, secret: z.optional(secret) }), {
  id: 'WebhookRegistration',
  description: 'Registers (or replaces) your webhook. Without `secret` a new one is generated and answered once.',
});

export function webhookBodyFor(allowLoopbackHttp: boolean) {
  return WebhookBody.check(
    z.superRefine((b, ctx) => {
      const problem = webhookUrlProblem(b.url, allowLoopbackHttp);
      if (problem) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
    }),
  );
}

export const WebhookView = doc(
  z.object({
    url: z.string(),
    createdAt: doc(z.string(), { format: 'date-time' }),
    updatedAt: doc(z.string(), { format: 'date-time' }),
    secretHint: doc(z.string(), { description: 'The last 4 characters of the signing secret, to tell which one is in use.' }),
    secret: doc(z.optional(z.string()), { description: 'The signing secret: only in the answer to the PUT that set it.' }),
    events: doc(z.array(z.enum(NOTIFICATION_TYPES)), { description: 'The notification types delivered.' }),
  }),
  { id: 'Webhook' },
);
