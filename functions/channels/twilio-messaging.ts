import type { TwilioConfig } from '../shared/config.js';
import {
  type ChannelAdapter,
  type OutgoingMessage,
  type ProviderMessage,
  PermanentSendError,
  providerTimeoutMs,
  type RetryPolicy,
  retryPolicyFromEnv,
  statusOf,
  inDoubtAfterTimeout,
  withRetries,
} from './port.js';

/**
 * Twilio error codes that mean this number will never get the message: invalid or unreachable 'To' (21211,
 * 21214, 21614), unsubscribed (21610), region not allowed (21408, 21612), WhatsApp: not a WhatsApp user or
 * not in the channel (63003, 63024).
 */
export const DEAD_NUMBER = new Set([21211, 21214, 21408, 21610, 21612, 21614, 63003, 63024]);

export const TWILIO_API_BASE_URL = 'https://api.twilio.com';

/**
 * Twilio's error answer `{ code, message, more_info, status }`, with the same fields the SDK's RestException
 * has (`status` = HTTP status, `code` = Twilio error code), so classification and logging read them alike.
 */
export class TwilioRestError extends Error {
  override readonly name = 'RestException';
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Creates one message: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded, HTTP Basic auth
 * with the account SID and auth token (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource).
 * This one documented call is all the adapter needs; the Twilio SDK would add ≈ 3.2 MB to the function for it.
 * test/unit/twilio-messaging.test.ts checks that it sends what the SDK sends.
 */
export async function createTwilioMessage(
  cfg: Pick<TwilioConfig, 'accountSid' | 'authToken' | 'apiBaseUrl'>,
  fields: Record<string, string | undefined>,
  timeoutMs: number,
): Promise<{ sid: string; status?: string }> {
  const base = (cfg.apiBaseUrl ?? TWILIO_API_BASE_URL).replace(/\/$/, '');
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.append(k, v);
  const res = await fetch(`${base}/2010-04-01/Accounts/${encodeURIComponent(cfg.accountSid)}/Messages.json`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${cfg.accountSid}:${cfg.authToken}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: form.toString(),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const answer = (await res.json().catch(() => undefined)) as { sid?: unknown; status?: unknown; code?: unknown; message?: unknown } | undefined;
  if (!res.ok) {
    // The message may quote the number ("The 'To' number +316… is not valid"): it is never logged (port.ts).
    throw new TwilioRestError(res.status, typeof answer?.code === 'number' ? answer.code : undefined, typeof answer?.message === 'string' ? answer.message : `HTTP ${res.status}`);
  }
  if (typeof answer?.sid !== 'string' || !answer.sid) throw new Error('Twilio answered without a message sid');
  return { sid: answer.sid, status: typeof answer.status === 'string' ? answer.status : undefined };
}

/** SMS and WhatsApp through Twilio's Messages API, with a status callback per message. */
export class TwilioMessaging implements ChannelAdapter {
  constructor(
    private readonly cfg: TwilioConfig,
    private readonly retry: RetryPolicy = retryPolicyFromEnv(),
    private readonly timeoutMs = providerTimeoutMs(),
  ) {}

  async send(msg: OutgoingMessage) {
    const whatsapp = msg.channel === 'whatsapp';
    const template = msg.rendered.whatsappTemplate;
    // Outside the WhatsApp 24 h window only the approved template and its variables, never free text.
    const content =
      whatsapp && template
        ? { ContentSid: template.contentSid, ContentVariables: JSON.stringify(template.variables) }
        : { Body: msg.rendered.text };
    const message = await withRetries(
      () =>
        createTwilioMessage(
          this.cfg,
          {
            To: whatsapp ? `whatsapp:${msg.to}` : msg.to,
            From: whatsapp ? `whatsapp:${this.cfg.whatsappFrom}` : this.cfg.smsFrom,
            ...content,
            StatusCallback: msg.statusCallbackUrl,
          },
          this.timeoutMs,
        ),
      (err) => {
        const doubt = inDoubtAfterTimeout('Twilio', err);
        if (doubt) return doubt;
        const code = (err as { code?: unknown }).code;
        const status = statusOf(err);
        if (typeof code === 'number' && DEAD_NUMBER.has(code)) {
          return { kind: 'permanent', error: new PermanentSendError(`Twilio cannot deliver to this number (error ${code})`, 'phone') };
        }
        if (status !== undefined && status >= 400 && status < 500 && status !== 429 && status !== 408) {
          return {
            kind: 'permanent',
            error: new PermanentSendError(`Twilio refused the message (HTTP ${status}${typeof code === 'number' ? `, error ${code}` : ''})`),
          };
        }
        return { kind: 'transient' };
      },
      this.retry,
    );
    return { providerId: message.sid };
  }

  /**
   * What Twilio took for this number since `since`, from our sender: the messages that went out (the list by
   * DateSent, as the SDK's `client.messages.list({ to, dateSentAfter })` asks), and — because a message Twilio
   * accepted but has not sent yet has no DateSent — the newest messages to the number, of which those created since
   * `since` count too.
   */
  async sentSince(q: { channel: OutgoingMessage['channel']; to: string; since: Date }): Promise<ProviderMessage[]> {
    const whatsapp = q.channel === 'whatsapp';
    const to = whatsapp ? `whatsapp:${q.to}` : q.to;
    const from = whatsapp ? `whatsapp:${this.cfg.whatsappFrom}` : this.cfg.smsFrom;
    const ask = (query: Record<string, string>) =>
      withRetries(
        () => listTwilioMessages(this.cfg, query, this.timeoutMs),
        (err) => {
          const status = statusOf(err);
          return status !== undefined && status >= 400 && status < 500 && status !== 429 && status !== 408
            ? { kind: 'permanent', error: new PermanentSendError(`it refused the message list: HTTP ${status}`) }
            : { kind: 'transient' };
        },
        this.retry,
      );
    const [sent, newest] = await Promise.all([ask({ To: to, 'DateSent>': twilioDateTime(q.since), PageSize: '50' }), ask({ To: to, PageSize: '50' })]);
    const seen = new Map<string, ProviderMessage>();
    for (const m of [...sent, ...newest]) {
      if (m.direction !== 'outbound-api' || m.from !== from || typeof m.sid !== 'string' || seen.has(m.sid)) continue;
      const created = typeof m.date_created === 'string' ? Date.parse(m.date_created) : Number.NaN;
      if (Number.isNaN(created) || created < q.since.getTime()) continue;
      const segments = Number(m.num_segments);
      seen.set(m.sid, { providerId: m.sid, createdAt: new Date(created).toISOString(), status: String(m.status), ...(m.num_segments && segments ? { segments } : {}) });
    }
    return [...seen.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
}

/** A date-time as Twilio's list filters take it (what the SDK's serialize.iso8601DateTime writes): whole seconds, UTC. */
const twilioDateTime = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/** The fields of a Message resource the confirmation reads (Twilio's snake_case JSON). */
interface TwilioMessageResource {
  sid?: unknown;
  direction?: unknown;
  from?: unknown;
  status?: unknown;
  /** RFC 2822 ("Mon, 16 Aug 2010 03:45:01 +0000") */
  date_created?: unknown;
  num_segments?: unknown;
}

/**
 * One page of the message list: `GET /2010-04-01/Accounts/{AccountSid}/Messages.json` with its filters
 * (https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources), as the SDK's
 * `messages.list({ …, limit })` reads it when the limit fits one page (PageSize = limit).
 */
export async function listTwilioMessages(
  cfg: Pick<TwilioConfig, 'accountSid' | 'authToken' | 'apiBaseUrl'>,
  query: Record<string, string>,
  timeoutMs: number,
): Promise<TwilioMessageResource[]> {
  const base = (cfg.apiBaseUrl ?? TWILIO_API_BASE_URL).replace(/\/$/, '');
  const res = await fetch(`${base}/2010-04-01/Accounts/${encodeURIComponent(cfg.accountSid)}/Messages.json?${new URLSearchParams(query).toString()}`, {
    headers: { authorization: `Basic ${Buffer.from(`${cfg.accountSid}:${cfg.authToken}`).toString('base64')}`, accept: 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const answer = (await res.json().catch(() => undefined)) as { messages?: unknown; code?: unknown; message?: unknown } | undefined;
  if (!res.ok) throw new TwilioRestError(res.status, typeof answer?.code === 'number' ? answer.code : undefined, typeof answer?.message === 'string' ? answer.message : `HTTP ${res.status}`);
  if (!Array.isArray(answer?.messages)) throw new Error('Twilio answered the message list without messages');
  return answer.messages as TwilioMessageResource[];
}
