/**
 * `npm run reply -- --from <phone> --body "<text>" [--whatsapp]`: sends a correctly signed Twilio inbound
 * webhook to the local runtime, as Twilio would when a debtor answers.
 */
import { parseArgs } from 'node:util';
import twilio from 'twilio';
import { LOCAL_DEFAULTS } from './defaults.js';

const { values } = parseArgs({
  options: {
    from: { type: 'string' },
    body: { type: 'string' },
    whatsapp: { type: 'boolean', default: false },
    url: { type: 'string' },
  },
});

if (!values.from || values.body === undefined) {
  console.error('usage: npm run reply -- --from +31612345678 --body "ik wil een regeling" [--whatsapp] [--url http://127.0.0.1:3000]');
  process.exit(2);
}

const base = (values.url ?? process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
const url = `${base}/webhooks/twilio/inbound`;
const token = process.env.TWILIO_AUTH_TOKEN ?? LOCAL_DEFAULTS.twilioAuthToken;
const prefix = values.whatsapp ? 'whatsapp:' : '';
const params: Record<string, string> = {
  MessageSid: `SM${[...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('')}`,
  AccountSid: LOCAL_DEFAULTS.twilioAccountSid,
  From: `${prefix}${values.from}`,
  To: `${prefix}${values.whatsapp ? LOCAL_DEFAULTS.whatsappFrom : LOCAL_DEFAULTS.smsFrom}`,
  Body: values.body,
  NumMedia: '0',
};
const signature = twilio.getExpectedTwilioSignature(token, url, params);
const res = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
  body: new URLSearchParams(params).toString(),
});
console.log(`${res.status} ${res.statusText}`);
if (!res.ok) {
  console.log(await res.text());
  process.exit(1);
}
