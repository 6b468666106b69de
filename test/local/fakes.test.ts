import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../infra/local/clock.js';
import { FakeProviders, sendgridMailFor, twilioClientFor, type ProviderRecord } from '../../infra/local/fakes/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SID = 'AC' + 'a1'.repeat(16);
const TOKEN = 'local-test-auth-token';
const START = Date.parse('2025-03-03T09:00:00.000Z');
const CONTENT_SID = 'HX' + 'b2'.repeat(16);
const SG_KEY = 'SG.local-test-key';
const PRINT_KEY = 'print-local-key';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1');

/** A webhook receiver that keeps the raw bytes and headers of every POST. */
interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
}
async function receiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void>; answer: { status: number } }> {
  const received: Received[] = [];
  const answer = { status: 204 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answer.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

function restError(err: unknown): { status: number; code: number } {
  expect(err).toBeInstanceOf(twilio.RestException);
  const e = err as InstanceType<typeof twilio.RestException>;
  return { status: e.status, code: e.code ?? -1 };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to reject');
}

describe('fake providers with the real SDKs', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-fakes-'));
  const clock = new Clock({ mode: 'virtual', start: START });
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  let fakes: FakeProviders;
  let base: string;
  let hooks: Awaited<ReturnType<typeof receiver>>;
  let client: twilio.Twilio;

  beforeAll(async () => {
    hooks = await receiver();
    fakes = new FakeProviders({
      clock,
      dataDir,
      twilioAccountSid: SID,
      twilioAuthToken: TOKEN,
      sendgridEventKey: privateKey,
      sendgridEventWebhookUrl: `${hooks.url}/webhooks/sendgrid/events`,
      sendgridApiKey: SG_KEY,
      printApiKey: PRINT_KEY,
    });
    base = await fakes.listen();
    client = twilioClientFor(base, SID, TOKEN, { timeout: 2_000 });
  });

  afterAll(async () => {
    await fakes?.close();
    await hooks?.close();
    clock.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens on loopback and refuses an account SID the SDK would refuse', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(() => new FakeProviders({ clock, twilioAccountSid: 'XX1', twilioAuthToken: TOKEN })).toThrow(/AC/);
  });

  it('records an SMS sent with the real twilio SDK and answers a realistic Message resource', async () => {
    await clock.advance(START + 60_000);
    const msg = await client.messages.create({
      to: '+31612345678',
      from: '+3197010000001',
      body: 'Beste J. Jansen, er staat nog € 120,00 open.',
      statusCallback: `${hooks.url}/webhooks/twilio/status?tenant=acme`,
    });
    expect(msg.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(msg.status).toBe('queued');
    expect(msg.accountSid).toBe(SID);
    expect(msg.to).toBe('+31612345678');
    expect(msg.from).toBe('+3197010000001');
    expect(msg.numSegments).toBe('1');
    expect(msg.direction).toBe('outbound-api');
    expect(msg.dateCreated.toISOString()).toBe('2025-03-03T09:01:00.000Z');

    const record = fakes.records().at(-1)!;
    expect(record).toEqual<ProviderRecord>({
      id: msg.sid,
      provider: 'twilio',
      channel: 'sms',
      to: '+31612345678',
      from: '+3197010000001',
      text: 'Beste J. Jansen, er staat nog € 120,00 open.',
      statusCallback: `${hooks.url}/webhooks/twilio/status?tenant=acme`,
      receivedAt: '2025-03-03T09:01:00.000Z',
    });

    const fetched = await client.messages(msg.sid).fetch();
    expect(fetched.sid).toBe(msg.sid);
    expect(fetched.body).toBe(record.text);
    expect(await rejection(client.messages('SM' + '0'.repeat(32)).fetch()).then(restError)).toEqual({ status: 404, code: 20404 });
  });

  it('counts SMS segments like Twilio (GSM-7 vs UCS-2)', async () => {
    const long = await client.messages.create({ to: '+31612345678', from: 'Maatwerk', body: 'a'.repeat(161) });
    expect(long.numSegments).toBe('2');
    const unicode = await client.messages.create({ to: '+31612345678', from: 'Maatwerk', body: 'Groet 🙂'.repeat(10) });
    expect(unicode.numSegments).toBe('2');
    const extended = await client.messages.create({ to: '+31612345678', from: 'Maatwerk', body: '€'.repeat(81) });
    expect(extended.numSegments).toBe('2'); // 81 × € = 162 septets: € takes two GSM-7 septets
    const viaAccount = await client.api.v2010.accounts(SID).messages.create({ to: '+31612345678', from: 'Maatwerk', body: 'x' });
    expect(fakes.records().at(-1)!.id).toBe(viaAccount.sid);
  });

  it('records a WhatsApp template message (ContentSid + ContentVariables) with whatsapp: prefixes', async () => {
    const msg = await client.messages.create({
      to: 'whatsapp:+31612345678',
      from: 'whatsapp:+3197010000002',
      contentSid: CONTENT_SID,
      contentVariables: JSON.stringify({ 1: 'Jan', 2: '€ 120,00' }),
      statusCallback: `${hooks.url}/webhooks/twilio/status`,
    });
    expect(msg.to).toBe('whatsapp:+31612345678');
    expect(msg.from).toBe('whatsapp:+3197010000002');
    const record = fakes.records().at(-1)!;
    expect(record).toMatchObject({
      id: msg.sid,
      provider: 'twilio',
      channel: 'whatsapp',
      to: '+31612345678',
      from: '+3197010000002',
      text: '',
      contentSid: CONTENT_SID,
      contentVariables: { '1': 'Jan', '2': '€ 120,00' },
    });
  });

  it('answers 401 (RestException) for a wrong auth token, like Twilio', async () => {
    const before = fakes.records().length;
    const wrong = twilioClientFor(base, SID, 'not-the-token');
    const err = await rejection(wrong.messages.create({ to: '+31612345678', from: '+3197010000001', body: 'x' }));
    expect(restError(err)).toEqual({ status: 401, code: 20003 });
    expect(fakes.records()).toHaveLength(before);
  });

  it('answers 400 code 21211 for a To that is not E.164, and other Twilio validation codes', async () => {
    const before = fakes.records().length;
    const send = (p: Record<string, string>) => rejection(client.messages.create(p as never)).then(restError);
    expect(await send({ to: '0612345678', from: '+3197010000001', body: 'x' })).toEqual({ status: 400, code: 21211 });
    expect(await send({ to: 'whatsapp:0612345678', from: 'whatsapp:+3197010000001', body: 'x' })).toEqual({ status: 400, code: 21211 });
    expect(await send({ to: 'whatsapp:+31612345678', from: '+3197010000001', body: 'x' })).toEqual({ status: 400, code: 21910 });
    expect(await send({ to: '+31612345678', body: 'x' })).toEqual({ status: 400, code: 21603 });
    expect(await send({ to: '+31612345678', from: '+3197010000001' })).toEqual({ status: 400, code: 21602 });
    expect(
      await send({ to: 'whatsapp:+31612345678', from: 'whatsapp:+3197010000001', contentSid: CONTENT_SID, contentVariables: '{bad' }),
    ).toEqual({ status: 400, code: 21656 });
    expect(fakes.records()).toHaveLength(before);
  });

  it('fails the next N sends with injected 429 / 500 / 400 (RestException with that status), then recovers', async () => {
    const before = fakes.records().length;
    fakes.inject({ provider: 'twilio', kind: '429', times: 2 });
    fakes.inject({ provider: 'twilio', kind: '500', times: 1 });
    fakes.inject({ provider: 'twilio', kind: '400', times: 1 });
    const send = () => client.messages.create({ to: '+31612345678', from: '+3197010000001', body: 'x' });
    expect(await rejection(send()).then(restError)).toEqual({ status: 429, code: 20429 });
    expect(await rejection(send()).then(restError)).toEqual({ status: 429, code: 20429 });
    expect(await rejection(send()).then(restError)).toEqual({ status: 500, code: 20500 });
    expect(await rejection(send()).then(restError)).toEqual({ status: 400, code: 21610 });
    expect(fakes.pendingFaults().twilio).toBe(0);
    expect(fakes.records()).toHaveLength(before);
    const ok = await send();
    expect(fakes.records().at(-1)!.id).toBe(ok.sid);
  });

  it('an injected timeout makes the SDK call reject after its timeout, and records nothing', async () => {
    const before = fakes.records().length;
    const impatient = twilioClientFor(base, SID, TOKEN, { timeout: 300 });
    fakes.inject({ provider: 'twilio', kind: 'timeout', times: 1, holdMs: 10_000 });
    const started = Date.now();
    const err = await rejection(impatient.messages.create({ to: '+31612345678', from: '+3197010000001', body: 'x' }));
    const waited = Date.now() - started;
    expect(err).not.toBeInstanceOf(twilio.RestException);
    expect(String((err as Error).message)).toMatch(/timeout/i);
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(5_000);
    expect(fakes.records()).toHaveLength(before);
    // the same client works again afterwards
    const ok = await impatient.messages.create({ to: '+31612345678', from: '+3197010000001', body: 'x' });
    expect(fakes.records()).toHaveLength(before + 1);
    expect(fakes.records().at(-1)!.id).toBe(ok.sid);
  });

  it('drops a held request after holdMs when the client does not time out itself', async () => {
    const before = fakes.records().length;
    fakes.inject({ provider: 'sendgrid', kind: 'timeout', times: 1, holdMs: 200 });
    const mail = sendgridMailFor(base, SG_KEY); // no client timeout
    const err = await rejection(mail.send({ to: 'debtor@example.nl', from: 'incasso@example.nl', subject: 's', text: 't' }));
    expect(String((err as Error).message)).toMatch(/socket hang up|ECONNRESET/i);
    expect(fakes.records()).toHaveLength(before);
  });

  it('keeps twilioClientFor requests for other Twilio hosts on the fake (404 "not emulated"), and client.api.baseUrl works too', async () => {
    const err = await rejection(client.messaging.v1.services.list());
    expect(restError(err)).toEqual({ status: 404, code: 20404 });

    const plain = twilio(SID, TOKEN);
    plain.api.baseUrl = base;
    const msg = await plain.messages.create({ to: '+31612345678', from: '+3197010000001', body: 'via api.baseUrl' });
    expect(fakes.records().at(-1)!.id).toBe(msg.sid);
  });

  it('receives a real @sendgrid/mail send with customArgs and answers 202 + x-message-id', async () => {
    await clock.advance(START + 120_000);
    const mail = sendgridMailFor(base, SG_KEY);
    const [response] = await mail.send({
      to: { email: 'j.jansen@example.nl', name: 'J. Jansen' },
      from: { email: 'incasso@example.nl', name: 'Maatwerk Incasso' },
      subject: 'Herinnering factuur 2025-001',
      text: 'Beste J. Jansen, er staat nog € 120,00 open.',
      html: '<p>Beste J. Jansen, er staat nog &euro; 120,00 open.</p>',
      customArgs: { debtorId: 'deb_1', stepId: 'step_1', template: 'email/reminder/friendly' },
    });
    expect(response.statusCode).toBe(202);
    const messageId = response.headers['x-message-id'] as string;
    expect(messageId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(fakes.records().at(-1)).toEqual<ProviderRecord>({
      id: messageId,
      provider: 'sendgrid',
      channel: 'email',
      to: 'j.jansen@example.nl',
      from: 'incasso@example.nl',
      subject: 'Herinnering factuur 2025-001',
      text: 'Beste J. Jansen, er staat nog € 120,00 open.',
      html: '<p>Beste J. Jansen, er staat nog &euro; 120,00 open.</p>',
      customArgs: { debtorId: 'deb_1', stepId: 'step_1', template: 'email/reminder/friendly' },
      receivedAt: '2025-03-03T09:02:00.000Z',
    });
  });

  it('SendGrid: wrong key → 401, invalid body → 400, injected 429/500 → ResponseError with that code', async () => {
    const before = fakes.records().length;
    const msg = { to: 'a@example.nl', from: 'b@example.nl', subject: 's', text: 't' };
    const code = async (p: Promise<unknown>) => ((await rejection(p)) as { code: number }).code;
    expect(await code(sendgridMailFor(base, 'SG.wrong').send(msg))).toBe(401);
    const mail = sendgridMailFor(base, SG_KEY);
    expect(await code(mail.send({ ...msg, to: 'not-an-address' }))).toBe(400);
    expect(await code(mail.send({ ...msg, customArgs: { n: 1 as unknown as string } }))).toBe(400);
    fakes.inject({ provider: 'sendgrid', kind: '429', times: 1 });
    fakes.inject({ provider: 'sendgrid', kind: '500', times: 1 });
    expect(await code(mail.send(msg))).toBe(429);
    expect(await code(mail.send(msg))).toBe(500);
    expect(fakes.records()).toHaveLength(before);
  });

  it('print: accepts a JSON letter with a base64 PDF, stores the PDF, answers 201 {id}', async () => {
    const post = (body: unknown, key = PRINT_KEY) =>
      fetch(`${base}/v1/letters`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const letter = {
      pdfBase64: PDF.toString('base64'),
      address: { name: 'J. Jansen', line1: 'Kerkstraat 1', postalCode: '1234 AB', city: 'Utrecht' },
      reference: 'step_14day_1',
      text: 'Veertiendagenbrief',
      metadata: { debtorId: 'deb_1' },
    };
    const before = fakes.records().length;
    expect((await post(letter, 'wrong')).status).toBe(401);
    expect((await post({ ...letter, pdfBase64: Buffer.from('hello').toString('base64') })).status).toBe(400);
    expect((await post({ ...letter, address: { name: 'J. Jansen' } })).status).toBe(400);
    expect(fakes.records()).toHaveLength(before);

    const res = await post(letter);
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(id).toMatch(/^ltr_[0-9a-f]{26}$/);
    const record = fakes.records().at(-1)!;
    expect(record).toMatchObject({
      id,
      provider: 'print',
      channel: 'letter',
      to: 'J. Jansen, Kerkstraat 1, 1234 AB Utrecht',
      text: 'Veertiendagenbrief',
      reference: 'step_14day_1',
      customArgs: { debtorId: 'deb_1' },
    });
    expect(record.pdfPath).toBe(path.join(dataDir, 'letters', `${id}.pdf`));
    expect(fakes.pdf(id)!.equals(PDF)).toBe(true);
    const download = await fetch(`${base}/v1/letters/${id}.pdf`, { headers: { Authorization: `Bearer ${PRINT_KEY}` } });
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await download.arrayBuffer()).equals(PDF)).toBe(true);

    fakes.inject({ provider: 'print', kind: '500', times: 1 });
    expect((await post(letter)).status).toBe(500);
    expect(fakes.records()).toHaveLength(before + 1);
  });

  it('deliverStatus posts a form-encoded status callback that twilio.validateRequest accepts', async () => {
    const sms = fakes.records().find((r) => r.channel === 'sms' && r.statusCallback)!;
    hooks.received.length = 0;
    await fakes.deliverStatus(sms.id, 'delivered');
    expect(hooks.received).toHaveLength(1);
    const hit = hooks.received[0];
    expect(hit.url).toBe('/webhooks/twilio/status?tenant=acme');
    expect(hit.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    const params = Object.fromEntries(new URLSearchParams(hit.raw));
    expect(params).toMatchObject({ MessageSid: sms.id, MessageStatus: 'delivered', AccountSid: SID, To: sms.to });
    const signature = hit.headers['x-twilio-signature'] as string;
    expect(twilio.validateRequest(TOKEN, signature, sms.statusCallback!, params)).toBe(true);
    expect(twilio.validateRequest(TOKEN, signature, sms.statusCallback!, { ...params, MessageStatus: 'failed' })).toBe(false);
    expect(twilio.validateRequest('other-token', signature, sms.statusCallback!, params)).toBe(false);
    expect((await client.messages(sms.id).fetch()).status).toBe('delivered');

    const wa = fakes.records().find((r) => r.channel === 'whatsapp')!;
    await fakes.deliverStatus(wa.id, 'undelivered');
    const waParams = Object.fromEntries(new URLSearchParams(hooks.received[1].raw));
    expect(waParams).toMatchObject({ MessageStatus: 'undelivered', ErrorCode: '30003', To: 'whatsapp:+31612345678' });
    expect(twilio.validateRequest(TOKEN, hooks.received[1].headers['x-twilio-signature'] as string, wa.statusCallback!, waParams)).toBe(true);
    const fetched = await client.messages(wa.id).fetch();
    expect(fetched.status).toBe('undelivered');
    expect(fetched.errorCode).toBe(30003);

    hooks.answer.status = 403;
    await expect(fakes.deliverStatus(sms.id, 'delivered')).rejects.toThrow(/403/);
    hooks.answer.status = 204;
    await expect(fakes.deliverStatus('SMnope', 'sent')).rejects.toThrow(/no Twilio message/);
  });

  it('sendgridEvents posts an ECDSA-signed batch that EventWebhook.verifySignature accepts', async () => {
    const email = fakes.records().find((r) => r.provider === 'sendgrid')!;
    hooks.received.length = 0;
    const delivered = fakes.sendgridEventFor(email.id, 'delivered');
    expect(delivered).toMatchObject({ email: email.to, event: 'delivered', debtorId: 'deb_1', timestamp: Math.floor(clock.now() / 1000) });
    expect(String(delivered.sg_message_id).startsWith(`${email.id}.`)).toBe(true);
    await fakes.sendgridEvents([delivered, fakes.sendgridEventFor(email.id, 'open', { useragent: 'Mozilla/5.0 “quoted” é' })]);
    expect(hooks.received).toHaveLength(1);
    const hit = hooks.received[0];
    expect(hit.url).toBe('/webhooks/sendgrid/events');
    const signature = hit.headers[EventWebhookHeader.SIGNATURE().toLowerCase()] as string;
    const timestamp = hit.headers[EventWebhookHeader.TIMESTAMP().toLowerCase()] as string;
    expect(timestamp).toBe(String(Math.floor(clock.now() / 1000)));
    const webhook = new EventWebhook();
    const key = webhook.convertPublicKeyToECDSA(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    expect(webhook.verifySignature(key, hit.raw, signature, timestamp)).toBe(true);
    expect(webhook.verifySignature(key, hit.raw.replace('open', 'click'), signature, timestamp)).toBe(false);
    expect(webhook.verifySignature(key, hit.raw, signature, String(Number(timestamp) + 1))).toBe(false);
    const events = JSON.parse(hit.raw) as Array<Record<string, unknown>>;
    expect(events.map((e) => e.event)).toEqual(['delivered', 'open']);
  });

  it('records, statuses and PDFs survive a new FakeProviders on the same dataDir', async () => {
    const before = fakes.records();
    const letter = before.find((r) => r.channel === 'letter')!;
    const sms = before.find((r) => r.channel === 'sms' && r.statusCallback)!;
    const again = new FakeProviders({ clock, dataDir, twilioAccountSid: SID, twilioAuthToken: TOKEN });
    try {
      expect(again.records()).toEqual(before);
      expect(again.pdf(letter.id)!.equals(PDF)).toBe(true);
      const url = await again.listen();
      const fetched = await twilioClientFor(url, SID, TOKEN).messages(sms.id).fetch();
      expect(fetched.status).toBe('delivered');
    } finally {
      await again.close();
    }
  });
});

describe('durability under kill -9', () => {
  it('a record answered by a fake in another process is still there after SIGKILL; a torn last line is skipped', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-fakes-kill-'));
    const script = path.join(dataDir, 'child.mts');
    const url = (p: string) => pathToFileURL(path.join(repoRoot, p)).href;
    fs.writeFileSync(
      script,
      `import { Clock } from '${url('infra/local/clock.ts')}';
       import { FakeProviders } from '${url('infra/local/fakes/index.ts')}';
       const fakes = new FakeProviders({ clock: new Clock(), dataDir: process.argv[2], twilioAccountSid: '${SID}', twilioAuthToken: '${TOKEN}' });
       console.log(await fakes.listen());`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script, path.join(dataDir, 'providers')], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
          if (m) resolve(m[0]);
        });
        child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
      });
      const msg = await twilioClientFor(base, SID, TOKEN).messages.create({ to: '+31612345678', from: '+3197010000001', body: 'kill me' });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      const file = path.join(dataDir, 'providers', 'records.jsonl');
      fs.appendFileSync(file, '{"id":"SMtorn","provider":"twil'); // a kill in the middle of the next append
      const clock = new Clock({ mode: 'virtual', start: START });
      const reopened = new FakeProviders({ clock, dataDir: path.join(dataDir, 'providers'), twilioAccountSid: SID, twilioAuthToken: TOKEN });
      expect(reopened.records().map((r) => [r.id, r.text])).toEqual([[msg.sid, 'kill me']]);
      const base2 = await reopened.listen();
      const next = await twilioClientFor(base2, SID, TOKEN).messages.create({ to: '+31612345678', from: '+3197010000001', body: 'after' });
      await reopened.close();
      const third = new FakeProviders({ clock, dataDir: path.join(dataDir, 'providers'), twilioAccountSid: SID, twilioAuthToken: TOKEN });
      expect(third.records().map((r) => r.id)).toEqual([msg.sid, next.sid]);
      clock.close();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('memory mode', () => {
  it('keeps records and PDFs in memory when no dataDir is given', async () => {
    const clock = new Clock({ mode: 'virtual', start: START });
    const fakes = new FakeProviders({ clock, twilioAccountSid: SID, twilioAuthToken: TOKEN });
    const base = await fakes.listen();
    try {
      const res = await fetch(`${base}/v1/letters`, {
        method: 'POST',
        headers: { Authorization: 'Bearer any', 'Content-Type': 'application/json' },
        body: JSON.stringify({ pdfBase64: PDF.toString('base64'), address: { name: 'A', line1: 'B 1', postalCode: '1000 AA', city: 'C' } }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      expect(fakes.records()[0].pdfPath).toBeUndefined();
      expect(fakes.pdf(id)!.equals(PDF)).toBe(true);
      // without a configured sendgridApiKey any Bearer key is accepted
      const [r] = await sendgridMailFor(base, 'SG.anything').send({ to: 'a@example.nl', from: 'b@example.nl', subject: 's', text: 't' });
      expect(r.statusCode).toBe(202);
      expect(fakes.records()).toHaveLength(2);
    } finally {
      await fakes.close();
      clock.close();
    }
  });
});

describe('onAccepted (what the benchmark scripts statuses with)', () => {
  it('calls its listener with a copy of every accepted send, once, after it is recorded; not for a refused one, nor after removal', async () => {
    const clock = new Clock({ mode: 'virtual', start: START });
    const fakes = new FakeProviders({ clock, twilioAccountSid: SID, twilioAuthToken: TOKEN });
    const base = await fakes.listen();
    const seen: Array<{ r: ProviderRecord; recorded: boolean }> = [];
    const off = fakes.onAccepted((r) => seen.push({ r, recorded: fakes.record(r.id) !== undefined }));
    try {
      const client = twilioClientFor(base, SID, TOKEN);
      const sms = await client.messages.create({ to: '+31612345678', from: '+3197010000000', body: 'Hallo' });
      const [mail] = await sendgridMailFor(base, 'SG.any').send({ to: 'a@example.nl', from: 'b@example.nl', subject: 's', text: 't' });
      expect(seen.map((s) => [s.r.channel, s.r.id, s.recorded])).toEqual([
        ['sms', sms.sid, true],
        ['email', mail.headers['x-message-id'], true],
      ]);
      seen[0]!.r.text = 'changed';
      expect(fakes.record(sms.sid)!.text).toBe('Hallo');
      fakes.inject({ provider: 'twilio', kind: '500', times: 1 });
      await rejection(client.messages.create({ to: '+31612345678', from: '+3197010000000', body: 'Nog eens' }));
      off();
      await client.messages.create({ to: '+31612345678', from: '+3197010000000', body: 'Later' });
      expect(seen).toHaveLength(2);
    } finally {
      await fakes.close();
      clock.close();
    }
  });
});

describe('the Twilio message list (what an interrupted send is confirmed by)', () => {
  it('answers client.messages.list as Twilio does: by To and From, DateSent filters (a queued message has none), newest first, paged', async () => {
    const clock = new Clock({ mode: 'virtual', start: START });
    const fakes = new FakeProviders({ clock, twilioAccountSid: SID, twilioAuthToken: TOKEN });
    const client = twilioClientFor(await fakes.listen(), SID, TOKEN, { timeout: 2_000 });
    try {
      const to = '+31611112222';
      const at = (min: number) => START + min * 60_000;
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        await clock.advance(at(i * 10));
        ids.push((await client.messages.create({ to, from: '+3197010000001', body: `bericht ${i}` })).sid);
        await clock.advance(at(i * 10 + 1));
        // The first two go out a minute after they were taken; the third stays queued (no DateSent).
        if (i < 2) await fakes.deliverStatus(ids[i], i === 0 ? 'sent' : 'delivered');
      }
      await client.messages.create({ to: '+31699990000', from: '+3197010000001', body: 'iemand anders' });

      const all = await client.messages.list({ to });
      expect(all.map((m) => m.body)).toEqual(['bericht 2', 'bericht 1', 'bericht 0']);
      expect(all.map((m) => m.sid)).toEqual([ids[2], ids[1], ids[0]]);
      expect(all[1].dateSent?.toISOString()).toBe(new Date(at(11)).toISOString());
      expect(all[0].dateSent).toBeNull();
      expect(all[0].status).toBe('queued');

      expect((await client.messages.list({ to, dateSentAfter: new Date(at(5)) })).map((m) => m.sid), 'a queued message has no DateSent').toEqual([ids[1]]);
      expect((await client.messages.list({ to, dateSentBefore: new Date(at(5)) })).map((m) => m.sid)).toEqual([ids[0]]);
      expect((await client.messages.list({ to, from: '+3197010000009' })).length).toBe(0);
      // Paged with next_page_uri: pages of one.
      expect((await client.messages.list({ to, pageSize: 1 })).map((m) => m.sid)).toEqual(all.map((m) => m.sid));
      expect((await client.messages.list({ to, limit: 2 })).length).toBe(2);
      // WhatsApp numbers carry their prefix in the filter, as in the resource.
      const wa = await client.messages.create({ to: `whatsapp:${to}`, from: 'whatsapp:+3197010000002', contentSid: CONTENT_SID, contentVariables: JSON.stringify({ 1: 'x' }) });
      expect((await client.messages.list({ to: `whatsapp:${to}` })).map((m) => m.sid)).toEqual([wa.sid]);
      // An injected failure of the list (on: 'list') leaves sends alone.
      fakes.inject({ provider: 'twilio', kind: '500', on: 'list', times: 1 });
      await client.messages.create({ to, from: '+3197010000001', body: 'nog een' });
      expect(await rejection(client.messages.list({ to })).then(restError)).toEqual({ status: 500, code: 20500 });
      expect((await client.messages.list({ to })).length).toBe(4);
    } finally {
      await fakes.close();
      clock.close();
    }
  });
});
