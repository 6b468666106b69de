import twilio from 'twilio';
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

/** SMS and WhatsApp through Twilio's Messages API, with a status callback per message. */
export class TwilioMessaging implements ChannelAdapter {
  private readonly client: twilio.Twilio;

  constructor(
    private readonly cfg: TwilioConfig,
    private readonly retry: RetryPolicy = retryPolicyFromEnv(),
    timeoutMs = providerTimeoutMs(),
  ) {
    // autoRetry stays off: our retry policy (port.ts) is the only one, so attempts are counted once.
    this.client = twilio(cfg.accountSid, cfg.authToken, { timeout: timeoutMs, autoRetry: false });
    // Locally the real SDK talks to the fake Twilio (TOOLCHAIN.md).
    if (cfg.apiBaseUrl) this.client.api.baseUrl = cfg.apiBaseUrl.replace(/\/$/, '');
  }

  async send(msg: OutgoingMessage) {
    const whatsapp = msg.channel === 'whatsapp';
    const template = msg.rendered.whatsappTemplate;
    const message = await withRetries(
      () =>
        this.client.messages.create({
          to: whatsapp ? `whatsapp:${msg.to}` : msg.to,
          from: whatsapp ? `whatsapp:${this.cfg.whatsappFrom}` : this.cfg.smsFrom,
          // Outside the WhatsApp 24 h window only the approved template and its variables, never free text.
          ...(whatsapp && template
            ? { contentSid: template.contentSid, contentVariables: JSON.stringify(template.variables) }
            : { body: msg.rendered.text }),
          ...(msg.statusCallbackUrl ? { statusCallback: msg.statusCallbackUrl } : {}),
        }),
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
   * DateSent, as `client.messages.list({ to, dateSentAfter })`), and — because a message Twilio accepted but has not
   * sent yet has no DateSent — the newest messages to the number, of which those created since `since` count too.
   */
  async sentSince(q: { channel: OutgoingMessage['channel']; to: string; since: Date }): Promise<ProviderMessage[]> {
    const whatsapp = q.channel === 'whatsapp';
    const to = whatsapp ? `whatsapp:${q.to}` : q.to;
    const from = whatsapp ? `whatsapp:${this.cfg.whatsappFrom}` : this.cfg.smsFrom;
    const ask = (opts: { to: string; dateSentAfter?: Date; limit: number }) =>
      withRetries(
        () => this.client.messages.list(opts),
        (err) => {
          const status = statusOf(err);
          return status !== undefined && status >= 400 && status < 500 && status !== 429 && status !== 408
            ? { kind: 'permanent', error: new PermanentSendError(`it refused the message list: HTTP ${status}`) }
            : { kind: 'transient' };
        },
        this.retry,
      );
    const [sent, newest] = await Promise.all([ask({ to, dateSentAfter: q.since, limit: 50 }), ask({ to, limit: 50 })]);
    const seen = new Map<string, ProviderMessage>();
    for (const m of [...sent, ...newest]) {
      if (m.direction !== 'outbound-api' || m.from !== from || seen.has(m.sid)) continue;
      if (!m.dateCreated || m.dateCreated.getTime() < q.since.getTime()) continue;
      seen.set(m.sid, { providerId: m.sid, createdAt: m.dateCreated.toISOString(), status: String(m.status), ...(m.numSegments ? { segments: Number(m.numSegments) } : {}) });
    }
    return [...seen.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
}
