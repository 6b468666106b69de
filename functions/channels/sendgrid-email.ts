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

export const SENDGRID_API_BASE_URL = 'https://api.sendgrid.com';

/** SendGrid's error answer, shaped like the SDK's ResponseError: `.code` is the HTTP status. */
export class SendgridResponseError extends Error {
  override readonly name = 'ResponseError';
  constructor(readonly code: number) {
    super(`SendGrid answered HTTP ${code}`);
  }
}

function sendgridStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

export interface MailSendRequest {
  to: { email: string; name?: string };
  from: string;
  subject: string;
  text: string;
  html?: string;
  customArgs: Record<string, string>;
}

/**
 * The v3 Mail Send body (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send) for one recipient,
 * as @sendgrid/mail builds it: the text part before the HTML part (SendGrid requires that order) and custom_args on
 * the message, so every event SendGrid reports carries them. test/unit/sendgrid-email.test.ts compares it with
 * what @sendgrid/mail sends.
 */
export function mailSendBody(m: MailSendRequest): Record<string, unknown> {
  return {
    from: { email: m.from },
    subject: m.subject,
    personalizations: [{ to: [m.to.name ? { email: m.to.email, name: m.to.name } : { email: m.to.email }] }],
    content: [{ type: 'text/plain', value: m.text }, ...(m.html ? [{ type: 'text/html', value: m.html }] : [])],
    custom_args: m.customArgs,
  };
}

/**
 * `POST /v3/mail/send` with the API key as bearer token; SendGrid answers 202 and the message id in `x-message-id`.
 * One documented call: @sendgrid/mail with its HTTP client (axios, form-data, mime-db) would weigh ≈ 250 KB.
 */
export async function sendMail(cfg: Pick<SendgridConfig, 'apiKey' | 'apiBaseUrl'>, m: MailSendRequest, timeoutMs: number): Promise<{ messageId: string }> {
  const base = (cfg.apiBaseUrl ?? SENDGRID_API_BASE_URL).replace(/\/$/, '');
  const res = await fetch(`${base}/v3/mail/send`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cfg.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(mailSendBody(m)),
    signal: AbortSignal.timeout(timeoutMs),
  });
  // The error body echoes fields of the request (addresses): read and dropped, never logged.
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new SendgridResponseError(res.status);
  const messageId = res.headers.get('x-message-id') ?? '';
  if (!messageId) throw new Error('SendGrid answered without x-message-id');
  return { messageId };
}

/** Email through SendGrid. custom_args tie every event SendGrid reports back to the case and step. */
export class SendgridEmail implements ChannelAdapter {
  constructor(
    private readonly cfg: SendgridConfig,
    private readonly retry: RetryPolicy = retryPolicyFromEnv(),
    private readonly timeoutMs = providerTimeoutMs(),
  ) {}

  async send(msg: OutgoingMessage) {
    const { messageId } = await withRetries(
      () =>
        sendMail(
          this.cfg,
          {
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
          },
          this.timeoutMs,
        ),
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
    return { providerId: messageId };
  }
}
