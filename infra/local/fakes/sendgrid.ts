/**
 * Fake SendGrid v3 Mail Send:
 *
 *   POST /v3/mail/send     Authorization: Bearer <api key>; JSON v3 body → 202, empty body, header x-message-id
 *
 * Validation is minimal but catches what breaks real sends: personalizations[].to[].email, from.email,
 * a subject (message- or personalization-level) and content[] unless a template_id is given, and
 * custom_args values that are not strings. Errors have SendGrid's `{ errors: [{ message, field, help }] }`
 * shape, which @sendgrid/client turns into a ResponseError (`.code` = HTTP status).
 *
 * One record per recipient: the first gets id = x-message-id, further ones x-message-id + ".1", ".2" …
 */
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import type { Clock } from '../clock.js';
import { bearer, readBody, sameSecret, sendEmpty, sendJson } from './http.js';
import type { ProviderRecord, RecordStore } from './store.js';

export interface SendgridContext {
  clock: Clock;
  store: RecordStore;
  /** When set, the Bearer token must equal it; otherwise any non-empty Bearer token is accepted. */
  apiKey?: string;
}

export function isSendgridPath(pathname: string): boolean {
  return pathname.startsWith('/v3/');
}

export function isSendgridSend(method: string, pathname: string): boolean {
  return method === 'POST' && pathname === '/v3/mail/send';
}

export function sendgridError(res: ServerResponse, status: number, message: string, field: string | null = null, headers: Record<string, string> = {}): void {
  sendJson(res, status, { errors: [{ message, field, help: null }] }, headers);
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

interface Address {
  email?: unknown;
  name?: unknown;
}

interface Personalization {
  to?: Address[];
  subject?: unknown;
  custom_args?: unknown;
  dynamic_template_data?: unknown;
}

interface MailBody {
  personalizations?: Personalization[];
  from?: Address;
  subject?: unknown;
  content?: Array<{ type?: unknown; value?: unknown }>;
  template_id?: unknown;
  custom_args?: unknown;
}

class Invalid extends Error {
  constructor(
    message: string,
    readonly field: string | null,
  ) {
    super(message);
  }
}

export async function handleSendgrid(ctx: SendgridContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const token = bearer(req);
  if (!token || (ctx.apiKey !== undefined && !sameSecret(token, ctx.apiKey))) {
    req.resume();
    sendgridError(res, 401, 'The provided authorization grant is invalid, expired, or revoked');
    return;
  }
  if (!isSendgridSend(req.method ?? '', url.pathname)) {
    req.resume();
    sendgridError(res, 404, `${req.method} ${url.pathname} is not emulated by the local SendGrid fake`);
    return;
  }
  const raw = await readBody(req, 30_000_000);
  let body: MailBody;
  try {
    body = JSON.parse(raw.toString('utf8')) as MailBody;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
  } catch {
    sendgridError(res, 400, 'Bad Request', null);
    return;
  }
  let records: ProviderRecord[];
  const messageId = crypto.randomBytes(16).toString('base64url').slice(0, 22);
  try {
    records = toRecords(ctx, body, messageId);
  } catch (err) {
    if (err instanceof Invalid) {
      sendgridError(res, 400, err.message, err.field);
      return;
    }
    throw err;
  }
  ctx.store.append(records); // durable before the answer
  sendEmpty(res, 202, { 'x-message-id': messageId });
}

function toRecords(ctx: SendgridContext, body: MailBody, messageId: string): ProviderRecord[] {
  const { personalizations, from, content } = body;
  if (!Array.isArray(personalizations) || personalizations.length === 0) {
    throw new Invalid('The personalizations field is required and must have at least one personalization.', 'personalizations');
  }
  if (!from || typeof from.email !== 'string' || !EMAIL.test(from.email)) {
    throw new Invalid('The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.', 'from.email');
  }
  const templateId = typeof body.template_id === 'string' && body.template_id ? body.template_id : undefined;
  let text = '';
  let html: string | undefined;
  if (!templateId) {
    if (!Array.isArray(content) || content.length === 0) {
      throw new Invalid('Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.', 'content');
    }
    content.forEach((c, i) => {
      if (typeof c?.type !== 'string' || typeof c.value !== 'string' || c.value.length === 0) {
        throw new Invalid('Content blocks need a type and a non-empty value.', `content.${i}`);
      }
      if (c.type === 'text/plain') text = c.value;
      else if (c.type === 'text/html') html = c.value;
    });
    if (!text && html) text = htmlToText(html);
  }
  const messageArgs = customArgs(body.custom_args, 'custom_args');
  const receivedAt = new Date(ctx.clock.now()).toISOString();
  const records: ProviderRecord[] = [];
  personalizations.forEach((p, pi) => {
    if (!p || !Array.isArray(p.to) || p.to.length === 0) {
      throw new Invalid('The to array is required for all personalization objects, and must have at least one email object with a valid email address.', `personalizations.${pi}.to`);
    }
    const subject = typeof p.subject === 'string' ? p.subject : typeof body.subject === 'string' ? body.subject : undefined;
    if (!templateId && !subject) {
      throw new Invalid('The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.', 'subject');
    }
    const args = { ...messageArgs, ...customArgs(p.custom_args, `personalizations.${pi}.custom_args`) };
    const templateData =
      p.dynamic_template_data && typeof p.dynamic_template_data === 'object' ? (p.dynamic_template_data as Record<string, unknown>) : undefined;
    p.to.forEach((to, ti) => {
      if (!to || typeof to.email !== 'string' || !EMAIL.test(to.email)) {
        throw new Invalid('Does not contain a valid address.', `personalizations.${pi}.to.${ti}.email`);
      }
      records.push({
        id: records.length === 0 ? messageId : `${messageId}.${records.length}`,
        provider: 'sendgrid',
        channel: 'email',
        to: to.email,
        from: from.email as string,
        ...(subject !== undefined && { subject }),
        text,
        ...(html !== undefined && { html }),
        ...(Object.keys(args).length > 0 && { customArgs: args }),
        ...(templateId !== undefined && { templateId }),
        ...(templateData !== undefined && { templateData }),
        receivedAt,
      });
    });
  });
  return records;
}

function customArgs(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Invalid('custom_args must be an object.', field);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new Invalid(`Invalid type. Expected: string, given: ${typeof v}.`, `${field}.${k}`);
    out[k] = v;
  }
  return out;
}

function htmlToText(html: string): string {
  return html
    .replace(/<(br|\/p|\/div|\/h[1-6]|\/li|\/tr)\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ---- signed event webhook ----

export const EVENT_SIGNATURE_HEADER = 'X-Twilio-Email-Event-Webhook-Signature';
export const EVENT_TIMESTAMP_HEADER = 'X-Twilio-Email-Event-Webhook-Timestamp';

/** ECDSA P-256 / SHA-256 over `timestamp + rawBody`, DER, base64 (what EventWebhook.verifySignature checks). */
export function signSendgridEvents(privateKey: crypto.KeyObject, timestamp: string, rawBody: string): string {
  return crypto.sign('sha256', Buffer.from(timestamp + rawBody, 'utf8'), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
}

// ---- pointing the real SDK at the fake ----

export { MailService };

/**
 * A fresh @sendgrid/mail MailService (not the module singleton) sending to the fake at baseUrl.
 * Order matters: Client.setApiKey() resets baseUrl to api.sendgrid.com, so the key is set first and
 * the base URL after it; never call setApiKey() on the returned service.
 */
export function sendgridMailFor(baseUrl: string, apiKey: string, opts: { timeout?: number } = {}): MailService {
  const client = new Client();
  client.setApiKey(apiKey);
  client.setDefaultRequest('baseUrl', baseUrl);
  const mail = new MailService();
  mail.setClient(client);
  if (opts.timeout !== undefined) mail.setTimeout(opts.timeout);
  return mail;
}
