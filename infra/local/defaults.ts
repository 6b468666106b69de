/** Documented local defaults. Not secrets: they only work against the local fake providers. */
export const LOCAL_DEFAULTS = {
  twilioAccountSid: 'AC00000000000000000000000000000000',
  twilioAuthToken: 'local-twilio-auth-token',
  smsFrom: '+3197010000000',
  whatsappFrom: '+3197010000001',
  sendgridApiKey: 'SG.local-only.not-a-real-key',
  fromEmail: 'incasso@example.invalid',
  printApiKey: 'print-local-key',
  mollieApiKey: 'test_localonlynotarealkey000000',
  region: 'eu-west-1',
  accountId: '000000000000',
};
