/**
 * Fake Twilio Programmable Messaging (the part of api.twilio.com/2010-04-01 the project uses):
 *
 *   POST /2010-04-01/Accounts/{AccountSid}/Messages.json      form fields To, From, Body, StatusCallback,
 *                                                            ContentSid, ContentVariables (JSON), MessagingServiceSid
 *   GET  /2010-04-01/Accounts/{AccountSid}/Messages.json      the list: filters To, From, DateSent, DateSent<, DateSent>
 *                                                            (a message not sent yet has no date_sent and matches no
 *                                                            DateSent filter), PageSize, Page; newest first, paged with
 *                                                            next_page_uri — what `client.messages.list({ to, dateSentAfter })`
 *                                                            of the real SDK asks
 *   GET  /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json
 *
 * Basic auth with the account SID and auth token (401 / code 20003 otherwise). Errors have Twilio's
 * shape `{ code, message, more_info, status }`, which the SDK turns into a RestException.
 * Everything else under /2010-04-01 and every other Twilio host (see twilioClientFor) answers
 * 404 / code 20404 "not emulated", so nothing silently reaches the real Twilio.
 */
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SegmentedMessage } from 'sms-segments-calculator';
import twilio from 'twilio';
import type RequestClientTypes from 'twilio/lib/base/RequestClient.js';
import type * as TwilioHttpResponse from 'twilio/lib/http/response.js';
import type { Clock } from '../clock.js';
import { basicAuth, readBody, sameSecret, sendJson } from './http.js';
import type { MessageStatus, ProviderRecord, RecordStore } from './store.js';

export const TWILIO_API_VERSION = '2010-04-01';
/** Prefix under which twilioClientFor routes Twilio hosts other than api.twilio.com. */
export const OTHER_TWILIO_HOSTS_PREFIX = '/twilio-hosts';

const E164 = /^\+[1-9]\d{6,14}$/;
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const MAX_BODY_CHARS = 1600;

export interface TwilioContext {
  clock: Clock;
  store: RecordStore;
  accountSid: string;
  authToken: string;
}

export function isTwilioPath(pathname: string): boolean {
  return pathname.startsWith(`/${TWILIO_API_VERSION}/`) || pathname.startsWith(`${OTHER_TWILIO_HOSTS_PREFIX}/`);
}

const MESSAGES = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const MESSAGE = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/;

/** True for the requests fault injection applies to: creating a message. */
export function isTwilioSend(method: string, pathname: string): boolean {
  return method === 'POST' && MESSAGES.test(pathname);
}

/** Listing messages (a fault with `on: 'list'` applies to it). */
export function isTwilioList(method: string, pathname: string): boolean {
  return method === 'GET' && MESSAGES.test(pathname);
}

export function twilioError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
}

export async function handleTwilio(ctx: TwilioContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const pathname = url.pathname;
  if (pathname.startsWith(`${OTHER_TWILIO_HOSTS_PREFIX}/`)) {
    req.resume();
    twilioError(res, 404, 20404, `The requested resource ${pathname} is not emulated by the local Twilio fake`);
    return;
  }
  const auth = basicAuth(req);
  if (!auth || auth.user !== ctx.accountSid || !sameSecret(auth.password, ctx.authToken)) {
    req.resume();
    twilioError(res, 401, 20003, 'Authenticate', { 'WWW-Authenticate': 'Basic realm="Twilio API"' });
    return;
  }
  const create = MESSAGES.exec(pathname);
  const fetch = MESSAGE.exec(pathname);
  const pathSid = create?.[1] ?? fetch?.[1];
  if (pathSid !== undefined && pathSid !== ctx.accountSid) {
    req.resume();
    twilioError(res, 401, 20003, 'Authenticate', { 'WWW-Authenticate': 'Basic realm="Twilio API"' });
    return;
  }
  if (create && req.method === 'POST') return createMessage(ctx, req, res);
  if (create && req.method === 'GET') {
    req.resume();
    return listMessages(ctx, res, url);
  }
  if (fetch && req.method === 'GET') {
    const record = ctx.store.get(decodeURIComponent(fetch[2]));
    if (!record || record.provider !== 'twilio') {
      twilioError(res, 404, 20404, `The requested resource ${pathname} was not found`);
      return;
    }
    sendJson(res, 200, messageResource(ctx, record));
    return;
  }
  req.resume();
  twilioError(res, 404, 20404, `The requested resource ${pathname} is not emulated by the local Twilio fake`);
}

async function createMessage(ctx: TwilioContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = new URLSearchParams((await readBody(req, 1_000_000)).toString('utf8'));
  const to = form.get('To') ?? '';
  const from = form.get('From') ?? undefined;
  const body = form.get('Body') ?? undefined;
  const statusCallback = form.get('StatusCallback') ?? undefined;
  const contentSid = form.get('ContentSid') ?? undefined;
  const rawVariables = form.get('ContentVariables') ?? undefined;
  const messagingServiceSid = form.get('MessagingServiceSid') ?? undefined;

  if (!to) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
  const toWhatsapp = to.startsWith('whatsapp:');
  const toNumber = toWhatsapp ? to.slice('whatsapp:'.length) : to;
  if (!E164.test(toNumber)) return twilioError(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  if (!from && !messagingServiceSid) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
  let fromNumber: string | undefined;
  if (from) {
    const fromWhatsapp = from.startsWith('whatsapp:');
    fromNumber = fromWhatsapp ? from.slice('whatsapp:'.length) : from;
    const validFrom = E164.test(fromNumber) || (!fromWhatsapp && ALPHANUMERIC_SENDER.test(fromNumber));
    if (!validFrom) {
      return twilioError(res, 400, 21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
    }
    if (fromWhatsapp !== toWhatsapp) {
      return twilioError(res, 400, 21910, 'Invalid From and To pair. From and To should be of the same channel.');
    }
  }
  if (messagingServiceSid !== undefined && !/^MG[0-9a-f]{32}$/i.test(messagingServiceSid)) {
    return twilioError(res, 400, 21701, `The Messaging Service Sid ${messagingServiceSid} is invalid.`);
  }
  if (!body && !contentSid) return twilioError(res, 400, 21602, 'Message body is required.');
  if (body && body.length > MAX_BODY_CHARS) {
    return twilioError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
  }
  if (contentSid !== undefined && !/^HX[0-9a-f]{32}$/i.test(contentSid)) {
    return twilioError(res, 400, 21655, `The ContentSid ${contentSid} is invalid.`);
  }
  let contentVariables: Record<string, string> | undefined;
  if (rawVariables !== undefined) {
    try {
      const parsed: unknown = JSON.parse(rawVariables);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      contentVariables = {};
      for (const [k, v] of Object.entries(parsed)) {
        if (typeof v !== 'string') throw new Error('values must be strings');
        contentVariables[k] = v;
      }
    } catch {
      return twilioError(res, 400, 21656, 'The ContentVariables Parameter is invalid.');
    }
  }
  if (statusCallback !== undefined && !/^https?:\/\/[^\s]+$/i.test(statusCallback)) {
    return twilioError(res, 400, 21609, `The StatusCallback URL ${statusCallback} is not a valid URL.`);
  }

  const record: ProviderRecord = {
    id: 'SM' + crypto.randomBytes(16).toString('hex'),
    provider: 'twilio',
    channel: toWhatsapp ? 'whatsapp' : 'sms',
    to: toNumber,
    ...(fromNumber !== undefined && { from: fromNumber }),
    text: body ?? '',
    ...(contentSid !== undefined && { contentSid }),
    ...(contentVariables !== undefined && { contentVariables }),
    ...(statusCallback !== undefined && { statusCallback }),
    ...(messagingServiceSid !== undefined && { messagingServiceSid }),
    receivedAt: new Date(ctx.clock.now()).toISOString(),
  };
  ctx.store.append([record]); // durable before the answer
  sendJson(res, 201, messageResource(ctx, record));
}

const PAGE_SIZE_MAX = 1000;

/** When a message went out (its date_sent), if it has (a queued message has not). */
function sentAt(ctx: TwilioContext, record: ProviderRecord): number | undefined {
  const change = ctx.store.status(record.id);
  return change && ['sent', 'delivered', 'undelivered', 'read'].includes(change.status) ? Date.parse(change.at) : undefined;
}

/** A DateSent filter value: a date (that whole UTC day) or a date-time. */
function filterTime(value: string, bound: 'start' | 'end'): number | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T${bound === 'start' ? '00:00:00.000' : '23:59:59.999'}Z`);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function listMessages(ctx: TwilioContext, res: ServerResponse, url: URL): void {
  const q = url.searchParams;
  const to = q.get('To');
  const from = q.get('From');
  const exact = q.get('DateSent');
  const before = q.get('DateSent<');
  const after = q.get('DateSent>');
  const size = q.get('PageSize') === null ? 50 : Number(q.get('PageSize'));
  const page = q.get('Page') === null ? 0 : Number(q.get('Page'));
  if (!Number.isInteger(size) || size < 1 || size > PAGE_SIZE_MAX) return twilioError(res, 400, 20001, `PageSize must be 1–${PAGE_SIZE_MAX}`);
  if (!Number.isInteger(page) || page < 0) return twilioError(res, 400, 20001, 'Page must be a whole number ≥ 0');
  const bounds = { exact: exact === null ? undefined : [filterTime(exact, 'start'), filterTime(exact, 'end')], before: before === null ? undefined : filterTime(before, 'end'), after: after === null ? undefined : filterTime(after, 'start') };
  if ((exact !== null && bounds.exact!.some((b) => b === undefined)) || (before !== null && bounds.before === undefined) || (after !== null && bounds.after === undefined)) {
    return twilioError(res, 400, 20001, 'Invalid DateSent filter');
  }
  const dated = exact !== null || before !== null || after !== null;
  const matching = ctx.store
    .records()
    .filter((r) => r.provider === 'twilio')
    .map((r) => ({ r, resource: messageResource(ctx, r), sent: sentAt(ctx, r) }))
    .filter(({ resource, sent }) => {
      if (to !== null && resource.to !== to) return false;
      if (from !== null && resource.from !== from) return false;
      if (!dated) return true;
      if (sent === undefined) return false;
      if (bounds.exact && (sent < bounds.exact[0]! || sent > bounds.exact[1]!)) return false;
      if (bounds.before !== undefined && sent > bounds.before) return false;
      if (bounds.after !== undefined && sent < bounds.after) return false;
      return true;
    })
    // Newest first (by when it went out, else when it was created).
    .sort((a, b) => (b.sent ?? Date.parse(b.r.receivedAt)) - (a.sent ?? Date.parse(a.r.receivedAt)) || b.r.id.localeCompare(a.r.id));
  const start = page * size;
  const messages = matching.slice(start, start + size).map((m) => m.resource);
  const base = `/${TWILIO_API_VERSION}/Accounts/${ctx.accountSid}/Messages.json`;
  const uriOf = (p: number) => {
    const next = new URLSearchParams(q);
    next.set('PageSize', String(size));
    next.set('Page', String(p));
    return `${base}?${next.toString()}`;
  };
  sendJson(res, 200, {
    messages,
    end: start + Math.max(0, messages.length - 1),
    first_page_uri: uriOf(0),
    next_page_uri: start + size < matching.length ? uriOf(page + 1) : null,
    page,
    page_size: size,
    previous_page_uri: page > 0 ? uriOf(page - 1) : null,
    start,
    uri: uriOf(page),
  });
}

/** The Message resource as Twilio returns it (snake_case; the SDK maps it to camelCase). */
export function messageResource(ctx: TwilioContext, record: ProviderRecord): Record<string, unknown> {
  const change = ctx.store.status(record.id);
  const initial: MessageStatus = record.from === undefined && record.messagingServiceSid ? 'accepted' : 'queued';
  const status = change?.status ?? initial;
  const prefix = record.channel === 'whatsapp' ? 'whatsapp:' : '';
  const created = rfc2822(Date.parse(record.receivedAt));
  const updated = change ? rfc2822(Date.parse(change.at)) : created;
  const sent = change && ['sent', 'delivered', 'undelivered', 'read'].includes(change.status) ? updated : null;
  const uri = `/${TWILIO_API_VERSION}/Accounts/${ctx.accountSid}/Messages/${record.id}`;
  const errorCode = change?.errorCode ?? null;
  return {
    account_sid: ctx.accountSid,
    api_version: TWILIO_API_VERSION,
    body: record.text,
    date_created: created,
    date_sent: sent,
    date_updated: updated,
    direction: 'outbound-api',
    error_code: errorCode,
    error_message: errorCode === null ? null : errorMessage(errorCode),
    from: record.from === undefined ? null : prefix + record.from,
    messaging_service_sid: record.messagingServiceSid ?? null,
    num_media: '0',
    num_segments: String(smsSegments(record.text).segments),
    price: null,
    price_unit: 'USD',
    sid: record.id,
    status,
    subresource_uris: { media: `${uri}/Media.json` },
    to: prefix + record.to,
    uri: `${uri}.json`,
  };
}

function errorMessage(code: number): string {
  switch (code) {
    case 30003:
      return 'Unreachable destination handset';
    case 30005:
      return 'Unknown destination handset';
    case 30006:
      return 'Landline or unreachable carrier';
    case 30007:
      return 'Message filtered';
    case 30008:
      return 'Unknown error';
    default:
      return 'Message delivery failed';
  }
}

function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

// ---- SMS segments: Twilio's own calculator (the package the renderer uses too) ----

export function smsSegments(text: string): { encoding: 'GSM-7' | 'UCS-2'; segments: number } {
  if (!text) return { encoding: 'GSM-7', segments: 1 };
  const m = new SegmentedMessage(text);
  return { encoding: m.encodingName === 'UCS-2' ? 'UCS-2' : 'GSM-7', segments: m.segmentsCount };
}

// ---- webhook signing ----

/** X-Twilio-Signature: HMAC-SHA1 (auth token) over the URL followed by each POST param name+value sorted by name, base64. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return crypto.createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** Form fields of a Twilio message status callback, as Twilio sends them. */
export function statusCallbackParams(
  accountSid: string,
  record: ProviderRecord,
  status: MessageStatus,
  errorCode?: number,
): Record<string, string> {
  const prefix = record.channel === 'whatsapp' ? 'whatsapp:' : '';
  const params: Record<string, string> = {
    AccountSid: accountSid,
    ApiVersion: TWILIO_API_VERSION,
    MessageSid: record.id,
    SmsSid: record.id,
    MessageStatus: status,
    SmsStatus: status,
    To: prefix + record.to,
  };
  if (record.from !== undefined) params.From = prefix + record.from;
  if (record.messagingServiceSid) params.MessagingServiceSid = record.messagingServiceSid;
  if (record.channel === 'whatsapp') {
    params.ChannelPrefix = 'whatsapp';
    params.ChannelToAddress = record.to;
  }
  if (errorCode !== undefined) params.ErrorCode = String(errorCode);
  return params;
}

// ---- pointing the real SDK at the fake ----

type RequestOptions<TData> = RequestClientTypes.RequestOptions<TData>;

/**
 * A twilio RequestClient that sends every request for a *.twilio.com host to the fake instead:
 * api.twilio.com/… → {baseUrl}/…, any other Twilio host (messaging, content, verify…) →
 * {baseUrl}/twilio-hosts/{host}/… (answered 404 "not emulated"). Unlike `client.api.baseUrl = …`,
 * which only redirects the api domain, nothing can leak to the real Twilio.
 */
export class FakeTwilioRequestClient extends twilio.RequestClient {
  private readonly base: URL;

  constructor(baseUrl: string, opts?: ConstructorParameters<typeof twilio.RequestClient>[0]) {
    super(opts);
    this.base = new URL(baseUrl);
  }

  override request<TData>(opts: RequestOptions<TData>): Promise<TwilioHttpResponse.default<TData>> {
    const target = new URL(opts.uri);
    if (target.hostname === 'twilio.com' || target.hostname.endsWith('.twilio.com')) {
      const basePath = this.base.pathname.replace(/\/+$/, '');
      const isApi = /^api(\.[a-z0-9-]+)*\.twilio\.com$/.test(target.hostname);
      const hostPath = isApi ? '' : `${OTHER_TWILIO_HOSTS_PREFIX}/${target.hostname}`;
      const rewritten = new URL(this.base.origin);
      rewritten.pathname = basePath + hostPath + target.pathname;
      rewritten.search = target.search;
      opts = { ...opts, uri: rewritten.href };
    }
    return super.request(opts);
  }
}

export interface TwilioClientOptions {
  /** Request timeout in ms (the SDK's default is 30 000). */
  timeout?: number;
  /** Retry 429 answers with backoff (the SDK's autoRetry; default false). */
  autoRetry?: boolean;
  maxRetries?: number;
}

/** A real `twilio` client whose requests all go to the fake at baseUrl. */
export function twilioClientFor(baseUrl: string, accountSid: string, authToken: string, opts: TwilioClientOptions = {}): twilio.Twilio {
  const httpClient = new FakeTwilioRequestClient(baseUrl, {
    ...(opts.timeout !== undefined && { timeout: opts.timeout }),
    ...(opts.autoRetry !== undefined && { autoRetry: opts.autoRetry }),
    ...(opts.maxRetries !== undefined && { maxRetries: opts.maxRetries }),
  });
  return twilio(accountSid, authToken, { httpClient, ...(opts.timeout !== undefined && { timeout: opts.timeout }) });
}
