import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import type { SendgridConfig } from '../shared/config.js';
import {
  type ChannelAdapter,
  type OutgoingMessage,
  PermanentSendError,
  providerTimeoutMs,
  type RetryPolicy,
  retryPolicyFromEnv,
  inDoubtAfterTimeout,
  withRetries,
} from './port.js';

/** SendGrid's error: `.code` is the HTTP status (ResponseError). */
function sendgridStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Email through SendGrid. custom_args tie every event SendGrid reports back to the case and step. */
export class SendgridEmail implements ChannelAdapter {
  private readonly mail: MailService;

  constructor(
    private readonly cfg: SendgridConfig,
    private readonly retry: RetryPolicy = retryPolicyFromEnv(),
    timeoutMs = providerTimeoutMs(),
  ) {
    // @sendgrid/mail keeps its own client: configure a fresh one, not the singleton (TOOLCHAIN.md).
    // setApiKey() resets the base URL, so the key first and the base URL after it.
    const client = new Client();
    client.setApiKey(cfg.apiKey);
    if (cfg.apiBaseUrl) client.setDefaultRequest('baseUrl', cfg.apiBaseUrl);
    this.mail = new MailService();
    this.mail.setClient(client);
    this.mail.setTimeout(timeoutMs);
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
        const doubt = inDoubtAfterTimeout('SendGrid', err);
        if (doubt) return doubt;
        const status = sendgridStatus(err);
        if (status !== undefined && status >= 400 && status < 500 && status !== 429 && status !== 408) {
          // 401/403 are our credentials, not the address: do not blame the contact point for them.
          const contactPoint = status === 401 || status === 403 ? undefined : 'email';
          return { kind: 'permanent', error: new PermanentSendError(`SendGrid refused the email (HTTP ${status})`, contactPoint) };
        }
        return { kind: 'transient' };
      },
      this.retry,
    );
    const providerId = String(response.headers['x-message-id'] ?? '');
    if (!providerId) throw new Error('SendGrid answered without x-message-id');
    return { providerId };
  }
}
