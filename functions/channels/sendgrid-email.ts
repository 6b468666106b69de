import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import type { SendgridConfig } from '../shared/config.js';
import { type ChannelAdapter, type OutgoingMessage, PermanentSendError, statusOf, withRetries } from './port.js';

/** Email through SendGrid. custom_args tie every event SendGrid reports back to the case and step. */
export class SendgridEmail implements ChannelAdapter {
  private readonly mail: MailService;

  constructor(private readonly cfg: SendgridConfig) {
    // @sendgrid/mail keeps its own client: configure a fresh one, not the singleton (TOOLCHAIN.md).
    const client = new Client();
    client.setApiKey(cfg.apiKey);
    if (cfg.apiBaseUrl) client.setDefaultRequest('baseUrl', cfg.apiBaseUrl);
    this.mail = new MailService();
    this.mail.setClient(client);
    this.mail.setTimeout(10_000);
  }

  async send(msg: OutgoingMessage) {
    const [response] = await withRetries(
      () =>
        this.mail.send({
          to: { email: msg.to, name: msg.name },
          from: this.cfg.fromEmail,
          subject: msg.rendered.subject ?? '',
          text: msg.rendered.text,
          html: msg.rendered.html,
          customArgs: {
            caseId: msg.correlation.caseId,
            journeyNo: String(msg.correlation.journeyNo),
            stepNo: String(msg.correlation.stepNo),
            template: msg.rendered.template,
          },
        }),
      (err) => {
        const status = statusOf(err) ?? (err as { code?: number }).code;
        if (typeof status === 'number' && status >= 400 && status < 500 && status !== 429) {
          return { kind: 'permanent', error: new PermanentSendError(`SendGrid refused the email (${status})`, 'email') };
        }
        return { kind: 'transient' };
      },
    );
    const providerId = String(response.headers['x-message-id'] ?? '');
    if (!providerId) throw new Error('SendGrid answered without x-message-id');
    return { providerId };
  }
}
