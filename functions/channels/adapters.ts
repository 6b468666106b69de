/**
 * The messaging adapters, built once per process from the configuration: shared by the journey's channel steps and
 * the answers to replies, so both send through the same port and tests can inject one fake for both.
 */
import { paymentLinkBase, printConfig, sendgridConfig, twilioConfig } from '../shared/config.js';
import type { ChannelAdapter, OutgoingMessage } from './port.js';
import { PrintLetter } from './print-letter.js';
import { SendgridEmail } from './sendgrid-email.js';
import { TwilioMessaging } from './twilio-messaging.js';

export type MessageChannel = OutgoingMessage['channel'];

let adapters: Partial<Record<MessageChannel, ChannelAdapter>> = {};

export async function adapterFor(channel: MessageChannel): Promise<ChannelAdapter> {
  const cached = adapters[channel];
  if (cached) return cached;
  const created =
    channel === 'email' ? new SendgridEmail(await sendgridConfig()) : channel === 'letter' ? new PrintLetter(await printConfig()) : new TwilioMessaging(await twilioConfig());
  adapters[channel] = created;
  return created;
}

/** Forget adapters built from an earlier configuration (or inject some). */
export function setAdapters(inject: Partial<Record<MessageChannel, ChannelAdapter>> = {}): void {
  adapters = { ...inject };
}

export { paymentLinkBase };
