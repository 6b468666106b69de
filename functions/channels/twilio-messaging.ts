import twilio from 'twilio';
import type { TwilioConfig } from '../shared/config.js';
import { type ChannelAdapter, type OutgoingMessage, PermanentSendError, statusOf, withRetries } from './port.js';

/** Twilio error codes that mean this number will never get the message. */
const DEAD_NUMBER = new Set([21211, 21214, 21408, 21610, 21612, 21614, 63003, 63024]);

/** SMS and WhatsApp through Twilio's Messages API, with a status callback per message. */
export class TwilioMessaging implements ChannelAdapter {
  private readonly client: twilio.Twilio;

  constructor(private readonly cfg: TwilioConfig) {
    this.client = twilio(cfg.accountSid, cfg.authToken, { timeout: 10_000 });
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
          ...(whatsapp && template
            ? { contentSid: template.contentSid, contentVariables: JSON.stringify(template.variables) }
            : { body: msg.rendered.text }),
          ...(msg.statusCallbackUrl ? { statusCallback: msg.statusCallbackUrl } : {}),
        }),
      (err) => {
        const code = (err as { code?: number }).code;
        const status = statusOf(err);
        if (code !== undefined && DEAD_NUMBER.has(code)) {
          return { kind: 'permanent', error: new PermanentSendError(`Twilio cannot deliver to this number (error ${code})`, 'phone') };
        }
        if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
          return { kind: 'permanent', error: new PermanentSendError(`Twilio refused the message (${status}${code ? `, error ${code}` : ''})`) };
        }
        return { kind: 'transient' };
      },
    );
    return { providerId: message.sid };
  }
}
