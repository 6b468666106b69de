/**
 * The Twilio and SendGrid adapters call the providers' documented HTTP APIs with fetch instead of the SDKs (which
 * would put ≈ 3.2 MB and ≈ 250 KB into the channel functions). Here both are pointed at one capturing server and
 * must send what the real SDKs send for the same message — method, path, authentication, content type and every
 * field — and read the providers' answers (ids, error status and code) the way the SDKs expose them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwilioMessage, listTwilioMessages, TwilioRestError } from '../../functions/channels/twilio-messaging.js';
import { SendgridResponseError, sendMail } from '../../functions/channels/sendgrid-email.js';
import { describeProviderError } from '../../functions/channels/port.js';

interface Captured {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let base = '';
const captured: Captured[] = [];
let answer: { status: number; body?: unknown; headers?: Record<string, string> } = { status: 201 };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      captured.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function capture(send: () => Promise<unknown>): Promise<{ request: Captured; result?: unknown; error?: unknown }> {
  captured.length = 0;
  let result: unknown;
  let error: unknown;
  try {
    result = await send();
  } catch (err) {
    error = err;
  }
  expect(captured).toHaveLength(1);
  return { request: captured[0], result, error };
}

const SID = `AC${'0'.repeat(31)}1`;
const TOKEN = 'twilio-test-token';

describe('Twilio Messages API', () => {
  const sdkClient = () => {
    const c = twilio(SID, TOKEN, { autoRetry: false });
    c.api.baseUrl = base;
    return c;
  };
  const MESSAGES: Array<{ name: string; sdk: Record<string, string>; ours: Record<string, string | undefined> }> = [
    {
      name: 'an SMS with a status callback (signed query in it)',
      sdk: { to: '+31612345678', from: '+3197000000000', body: 'Beste Sam, € 125,00 staat open. Zie https://pay.example.invalid/p/x?a=1&b=2', statusCallback: 'https://api.example.invalid/prod/webhooks/twilio/status?c=deb_1&j=1&s=3' },
      ours: { To: '+31612345678', From: '+3197000000000', Body: 'Beste Sam, € 125,00 staat open. Zie https://pay.example.invalid/p/x?a=1&b=2', StatusCallback: 'https://api.example.invalid/prod/webhooks/twilio/status?c=deb_1&j=1&s=3' },
    },
    {
      name: 'a WhatsApp template message',
      sdk: { to: 'whatsapp:+31612345678', from: 'whatsapp:+3197000000000', contentSid: 'HX0123456789abcdef0123456789abcdef', contentVariables: JSON.stringify({ 1: 'Sam', 2: '€ 125,00' }) },
      ours: { To: 'whatsapp:+31612345678', From: 'whatsapp:+3197000000000', ContentSid: 'HX0123456789abcdef0123456789abcdef', ContentVariables: JSON.stringify({ 1: 'Sam', 2: '€ 125,00' }), StatusCallback: undefined },
    },
    {
      name: 'text with newlines, emoji and form-special characters',
      sdk: { to: '+32470123456', from: '+3197000000000', body: 'Regel 1\nRegel 2 😀 & = + % # ü' },
      ours: { To: '+32470123456', From: '+3197000000000', Body: 'Regel 1\nRegel 2 😀 & = + % # ü' },
    },
  ];

  it.each(MESSAGES)('sends what the SDK sends: $name', async ({ sdk, ours }) => {
    answer = { status: 201, body: { sid: 'SM0123', status: 'queued', account_sid: SID } };
    const viaSdk = await capture(() => sdkClient().messages.create(sdk as never));
    const viaUs = await capture(() => createTwilioMessage({ accountSid: SID, authToken: TOKEN, apiBaseUrl: base }, ours, 5_000));
    expect(viaUs.request.method).toBe(viaSdk.request.method);
    expect(viaUs.request.path).toBe(viaSdk.request.path);
    expect(viaUs.request.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(viaUs.request.headers.authorization).toBe(viaSdk.request.headers.authorization);
    expect(viaUs.request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(viaSdk.request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    const fields = (body: string) => [...new URLSearchParams(body)].sort(([a], [b]) => a.localeCompare(b));
    expect(fields(viaUs.request.body)).toEqual(fields(viaSdk.request.body));
    expect((viaSdk.result as { sid: string }).sid).toBe('SM0123');
    expect(viaUs.result).toEqual({ sid: 'SM0123', status: 'queued' });
  });

  it.each([
    ['sent since a moment', { to: '+31612345678', dateSentAfter: new Date('2026-03-02T09:30:12.345Z'), limit: 50 }, { To: '+31612345678', 'DateSent>': '2026-03-02T09:30:12Z', PageSize: '50' }],
    ['the newest to a WhatsApp number', { to: 'whatsapp:+31612345678', limit: 50 }, { To: 'whatsapp:+31612345678', PageSize: '50' }],
  ] as const)('lists messages as the SDK does: %s', async (_name, sdk, ours) => {
    answer = { status: 200, body: { messages: [], next_page_uri: null, page: 0, page_size: 50 } };
    const viaSdk = await capture(() => sdkClient().messages.list(sdk as never));
    const viaUs = await capture(() => listTwilioMessages({ accountSid: SID, authToken: TOKEN, apiBaseUrl: base }, ours as Record<string, string>, 5_000));
    const query = (path: string) => [...new URL(path, base).searchParams].sort(([a], [b]) => a.localeCompare(b));
    expect(viaUs.request.method).toBe('GET');
    expect(viaUs.request.method).toBe(viaSdk.request.method);
    expect(new URL(viaUs.request.path, base).pathname).toBe(new URL(viaSdk.request.path, base).pathname);
    expect(query(viaUs.request.path)).toEqual(query(viaSdk.request.path));
    expect(viaUs.request.headers.authorization).toBe(viaSdk.request.headers.authorization);
    expect(viaUs.result).toEqual([]);
  });

  it.each([
    [400, 21211, "The 'To' number +31612345678 is not a valid phone number."],
    [401, 20003, 'Authenticate'],
    [429, 20429, 'Too Many Requests'],
    [503, 20500, 'Service unavailable'],
  ])('exposes an error answer %i (code %i) as the SDK does: status and code', async (status, code, message) => {
    answer = { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
    const viaSdk = await capture(() => sdkClient().messages.create({ to: '+31612345678', from: '+3197000000000', body: 'x' }));
    const viaUs = await capture(() => createTwilioMessage({ accountSid: SID, authToken: TOKEN, apiBaseUrl: base }, { To: '+31612345678', From: '+3197000000000', Body: 'x' }, 5_000));
    const sdkErr = viaSdk.error as { status: number; code: number };
    const ourErr = viaUs.error as TwilioRestError;
    expect(ourErr).toBeInstanceOf(TwilioRestError);
    expect({ status: ourErr.status, code: ourErr.code }).toEqual({ status: sdkErr.status, code: sdkErr.code });
    // what reaches the logs and the timeline: status and code, never the message with the number in it
    expect(describeProviderError(ourErr)).toBe(describeProviderError(sdkErr));
    expect(describeProviderError(ourErr)).not.toContain('+316');
  });

  it('times out as a timeout (so the step treats the send as in doubt, never resends)', async () => {
    const slow = http.createServer(() => undefined);
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
      const err = await createTwilioMessage({ accountSid: SID, authToken: TOKEN, apiBaseUrl: url }, { To: '+31612345678', From: '+3197000000000', Body: 'x' }, 200).catch((e: unknown) => e);
      expect(describeProviderError(err)).toBe('timeout');
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});

describe('SendGrid Mail Send API', () => {
  const KEY = 'SG.test-key';
  const sdkMail = () => {
    const client = new Client();
    client.setApiKey(KEY);
    client.setDefaultRequest('baseUrl', base);
    const mail = new MailService();
    mail.setClient(client);
    return mail;
  };
  const MAILS = [
    {
      name: 'an email with text and HTML',
      to: { email: 'sam@example.invalid', name: 'Sam Voorbeeld' },
      subject: 'Herinnering: INV-1001',
      text: 'Beste Sam,\n\n€ 125,00 staat open.',
      html: '<p>Beste Sam,</p><p>&euro; 125,00 staat open.</p>',
    },
    { name: 'text only, a name with quotes', to: { email: 'o.brien@example.invalid', name: "O'Brien \"Jr\"" }, subject: 'Reminder', text: 'Dear O’Brien 😀' },
  ];

  it.each(MAILS)('sends what @sendgrid/mail sends: $name', async (m) => {
    const customArgs = { caseId: 'deb_01', journeyNo: '1', stepNo: '4', template: 'email/reminder/friendly' };
    answer = { status: 202, headers: { 'x-message-id': 'msg-abc' } };
    const viaSdk = await capture(() => sdkMail().send({ to: m.to, from: 'incasso@example.invalid', subject: m.subject, text: m.text, html: m.html, customArgs }));
    const viaUs = await capture(() => sendMail({ apiKey: KEY, apiBaseUrl: base }, { to: m.to, from: 'incasso@example.invalid', subject: m.subject, text: m.text, html: m.html, customArgs }, 5_000));
    expect(viaUs.request.method).toBe('POST');
    expect(viaUs.request.path).toBe(viaSdk.request.path);
    expect(viaUs.request.path).toBe('/v3/mail/send');
    expect(viaUs.request.headers.authorization).toBe(viaSdk.request.headers.authorization);
    expect(viaUs.request.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(viaUs.request.body)).toEqual(JSON.parse(viaSdk.request.body));
    expect(viaUs.result).toEqual({ messageId: 'msg-abc' });
  });

  it.each([400, 401, 413, 429, 500])('exposes an error answer %i as the SDK does (code = HTTP status)', async (status) => {
    answer = { status, body: { errors: [{ message: 'Does not contain a valid address: sam@example.invalid', field: 'personalizations.0.to.0.email' }] } };
    const args = { to: { email: 'sam@example.invalid' }, from: 'incasso@example.invalid', subject: 's', text: 't', customArgs: {} };
    const viaSdk = await capture(() => sdkMail().send(args));
    const viaUs = await capture(() => sendMail({ apiKey: KEY, apiBaseUrl: base }, args, 5_000));
    expect(viaUs.error).toBeInstanceOf(SendgridResponseError);
    expect((viaUs.error as SendgridResponseError).code).toBe((viaSdk.error as { code: number }).code);
    expect(describeProviderError(viaUs.error)).toBe(`HTTP ${status}`);
    expect(String((viaUs.error as Error).message)).not.toContain('@');
  });
});
