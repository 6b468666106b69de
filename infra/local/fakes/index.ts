/**
 * Local fake providers (Twilio, SendGrid, print-and-post) that the real SDKs talk to over HTTP.
 * See README.md in this folder for the contracts and how each SDK is pointed at the fake.
 */
export { FakeProviders } from './providers.js';
export type { DeliveryStatus, Fault, FaultKind, FakeProvidersOptions } from './providers.js';
export type { MessageStatus, ProviderChannel, ProviderName, ProviderRecord, StatusChange } from './store.js';
export { FakeTwilioRequestClient, twilioClientFor, twilioSignature } from './twilio.js';
export type { TwilioClientOptions } from './twilio.js';
export { EVENT_SIGNATURE_HEADER, EVENT_TIMESTAMP_HEADER, sendgridMailFor, signSendgridEvents } from './sendgrid.js';
export { MailService } from './sendgrid.js';
export { formatAddress } from './print.js';
export type { LetterRequest } from './print.js';
