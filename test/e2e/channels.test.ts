/**
 * The five channels end to end on the local runtime: the real channel-step handlers with explicit actions
 * (the journey's decision logic is not under test here), the real Twilio/SendGrid SDKs over HTTP against
 * the fake providers, letters rendered, stored and posted. Each channel must send the right template in the
 * right language and tone with the right variables, exactly once.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startLocal } from '../support/local.js';
import { invokeStep, norm, pdfText, runStep, seedCase, sendAction, stepEvent, stepOutcome, timeline } from '../support/channel-steps.js';
import { renderMessage, loadSampleAgency } from '../../functions/channels/render.js';
import { FileLetterStorage, letterKey, letterStorageFromEnv, S3LetterStorage } from '../../functions/channels/letter-storage.js';
import { formatMoney } from '../../functions/channels/render-format.js';
import { wikCosts } from '../../functions/domain/costs.js';
import { now } from '../../functions/shared/clock.js';
import { putClient } from '../../functions/store/clients.js';
import { loadCase } from '../../functions/services/case.js';
import { pageLinkFor } from '../../functions/services/page-links.js';

/** The message's own link to the debtor page (a sealed token per debtor and step, no ids in it). */
const linkOf = async (s: { caseId: string }, stepNo: number) => {
  const c = (await loadCase(s.caseId, now()))!;
  return pageLinkFor(c, stepNo, c.journey.contacts.find((x) => x.stepNo === stepNo)?.dossierIds ?? [], now());
};

let h: Harness;
const agency = loadSampleAgency();

beforeAll(async () => {
  // Monday 2 March 2026, 09:00 in Amsterdam: inside the contact hours.
  h = await startLocal({ start: '2026-03-02T08:00:00Z' });
  await putClient({ clientId: 'vatco', name: 'Vatloos Zorg B.V.', vatOnCosts: true }, 'key-vatco');
});
afterAll(async () => h?.stop());

const recordsFor = (pred: (r: ReturnType<Harness['rt']['fakes']['records']>[number]) => boolean) => h.rt.fakes.records().filter(pred);
/** The journey's messages only: not the answers to the debtor's replies (issue 8), which carry inReplyTo. */
const stepRecordsFor = async (pred: Parameters<typeof recordsFor>[0]) => {
  const answers = new Set((await h.outbox()).filter((m) => m.inReplyTo).map((m) => m.id));
  return recordsFor((r) => pred(r) && !answers.has(r.id));
};

describe('email (SendGrid)', () => {
  it('sends the Dutch friendly reminder once, with the debtor, amount, reference, payment link and agency, tied to its step', async () => {
    const s = await seedCase({ name: 'Sam Voorbeeld' });
    const { action } = await runStep(s, 'email', { phase: 'reminder', tone: 'friendly' });
    const mails = recordsFor((r) => r.provider === 'sendgrid' && r.to === s.email);
    expect(mails).toHaveLength(1);
    const m = mails[0];
    expect(m.customArgs).toEqual({ caseId: s.caseId, journeyNo: '1', stepNo: String(action.stepNo), template: 'email/reminder/friendly' });
    expect(m.subject).toMatch(/herinnering/i);
    const text = norm(m.text);
    expect(text).toContain('Beste Sam Voorbeeld');
    expect(text).toContain(s.references[0]);
    expect(text).toContain('Acme Energie B.V.');
    expect(text).toContain(norm(formatMoney(12_500, 'nl')));
    const link = await linkOf(s, action.stepNo);
    expect(text).toContain(link);
    expect(link).toMatch(/\/p\/[A-Za-z0-9_-]{40,60}$/);
    expect(link).not.toContain(s.dossierIds[0]);
    expect(link).not.toContain(s.caseId);
    expect(text).toContain(agency.wkiNumber);
    expect(m.html).toContain('<html lang="nl"');
    expect(m.html).toContain('Sam Voorbeeld');

    const out = (await h.outbox()).find((o) => o.id === m.id)!;
    expect(out).toMatchObject({ channel: 'email', template: 'email/reminder/friendly', tone: 'friendly', language: 'nl', debtorId: s.caseId, dossierIds: s.dossierIds });
    const send = await stepOutcome(s.caseId, 1, action.stepNo);
    expect(send).toMatchObject({ status: 'sent', providerId: m.id, template: 'email/reminder/friendly', tone: 'friendly', language: 'nl' });
    const sent = (await timeline(s.caseId)).filter((e) => e.type === 'sent');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ channel: 'email', template: 'email/reminder/friendly', tone: 'friendly', language: 'nl', providerId: m.id, stepNo: action.stepNo });
  });

  it('an English-speaking debtor gets English, and the firm demand reads differently from the friendly reminder', async () => {
    const s = await seedCase({ name: 'Alex Example', language: 'en' });
    await runStep(s, 'email', { phase: 'reminder', tone: 'friendly', language: 'en' });
    await runStep(s, 'email', { phase: 'demand', tone: 'firm', language: 'en' });
    const [friendly, firm] = recordsFor((r) => r.provider === 'sendgrid' && r.to === s.email);
    expect(friendly.customArgs?.template).toBe('email/reminder/friendly');
    expect(firm.customArgs?.template).toBe('email/demand/firm');
    for (const m of [friendly, firm]) {
      expect(m.text).toContain('Dear Alex Example');
      expect(m.text).toContain(formatMoney(12_500, 'en'));
      expect(m.text).not.toMatch(/Beste|openstaand|betaling/);
      expect(m.html).toContain('<html lang="en"');
    }
    expect(friendly.subject).not.toBe(firm.subject);
    expect(friendly.text).not.toBe(firm.text);
    const outbox = (await h.outbox()).filter((o) => o.debtorId === s.caseId);
    expect(outbox.map((o) => [o.template, o.tone, o.language])).toEqual([
      ['email/reminder/friendly', 'friendly', 'en'],
      ['email/demand/firm', 'firm', 'en'],
    ]);
  });
});

describe('SMS (Twilio)', () => {
  it('sends exactly what the renderer makes for this debtor (template, tone, language, variables), with a signed status callback URL', async () => {
    const s = await seedCase({ name: 'Alex Example', language: 'en', dossiers: [{ principal: 9_950 }, { principal: 2_050 }] });
    const { action } = await runStep(s, 'sms', { phase: 'demand', tone: 'firm', language: 'en' });
    const sms = recordsFor((r) => r.provider === 'twilio' && r.to === s.phone);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({ channel: 'sms', from: '+3197010000000' });
    const expected = await renderMessage({
      channel: 'sms',
      phase: 'demand',
      tone: 'firm',
      language: 'en',
      now: now(),
      debtor: { name: 'Alex Example' },
      claims: s.references.map((reference, i) => {
        const principal = [9_950, 2_050][i];
        return { reference, description: 'Energierekening januari', creditorName: 'Acme Energie B.V.', principal, costs: 0, paid: 0, outstanding: principal };
      }),
      totalOutstanding: 12_000,
      paymentLink: await linkOf(s, action.stepNo),
      agency,
    });
    expect(sms[0].text).toBe(expected.text);
    expect(sms[0].text).toContain(formatMoney(12_000, 'en'));
    expect(sms[0].text).toContain(`${s.references[0]} and ${s.references[1]}`);
    expect(sms[0].statusCallback).toBe(`${h.url}/webhooks/twilio/status?c=${s.caseId}&j=1&s=${action.stepNo}`);
    const out = (await h.outbox()).find((o) => o.id === sms[0].id)!;
    expect(out).toMatchObject({ template: 'sms/demand/firm', tone: 'firm', language: 'en', segments: expected.sms!.segments, encoding: 'GSM-7' });
  });

  it('a replayed step (the same event again, also concurrently) sends nothing new', async () => {
    const s = await seedCase();
    const action = await sendAction(s, 'sms');
    const ev = stepEvent(s, action);
    await invokeStep(ev);
    const again = await Promise.allSettled([invokeStep(ev), invokeStep(ev), invokeStep({ ...ev, taskToken: 'a-retry-token' })]);
    for (const r of again) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/SendInProgress|still sending/);
    expect(recordsFor((r) => r.to === s.phone)).toHaveLength(1);
    expect((await timeline(s.caseId)).filter((e) => e.type === 'sent')).toHaveLength(1);
  });
});

describe('WhatsApp (Twilio): opt-in and the 24-hour window (DESIGN §5 rule 11)', () => {
  it('without a recorded opt-in nothing is sent; the timeline says why and Decide is woken to pick another channel', async () => {
    const s = await seedCase({ whatsappOptIn: false });
    const { action } = await runStep(s, 'whatsapp');
    expect(recordsFor((r) => r.to === s.phone)).toHaveLength(0);
    expect(await stepOutcome(s.caseId, 1, action.stepNo)).toMatchObject({ status: 'failed', reason: 'no recorded WhatsApp opt-in' });
    const skipped = (await timeline(s.caseId)).filter((e) => e.type === 'send_skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0].detail).toContain('no recorded WhatsApp opt-in');
  });

  it('outside the window: only the approved template ContentSid with its variables; inside (after a WhatsApp reply): free text; 24 h later: the template again', async () => {
    const s = await seedCase({ name: 'Sam Voorbeeld', whatsappOptIn: true });
    const content = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../templates/whatsapp/content-templates.json'), 'utf8'));
    const tpl = content.templates.reminder.nl;

    // 1. No message from the debtor yet: the approved template.
    const first = await runStep(s, 'whatsapp', { phase: 'reminder', tone: 'friendly' });
    let msgs = await stepRecordsFor((r) => r.to === s.phone);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({ channel: 'whatsapp', text: '', contentSid: tpl.contentSid });
    expect(msgs[0].contentVariables).toEqual({
      '1': 'Sam Voorbeeld',
      '2': norm(formatMoney(12_500, 'nl')), // template variables carry no no-break spaces
      '3': s.references[0],
      '4': await linkOf(s, first.action.stepNo),
      '5': agency.name,
      '6': agency.wkiNumber,
      '7': agency.phone,
    });
    expect((await h.outbox()).find((o) => o.id === msgs[0].id)).toMatchObject({ contentSid: tpl.contentSid, template: 'whatsapp/reminder/friendly' });

    // 2. An SMS reply does not open the WhatsApp window (it still sets lastInboundAt).
    expect(await h.reply(s.phone!, 'Ik betaal vrijdag')).toBe(200);
    expect((await loadCase(s.caseId, now()))!.inbound?.at).toBe(now().toISOString());
    await runStep(s, 'whatsapp', { phase: 'reminder', tone: 'friendly' });
    msgs = await stepRecordsFor((r) => r.to === s.phone);
    expect(msgs).toHaveLength(2);
    expect(msgs[1].contentSid).toBe(tpl.contentSid);

    // 3. A WhatsApp message from the debtor opens the 24 h window: free text, no template.
    await h.advance({ seconds: 60 });
    expect(await h.reply(s.phone!, 'Kan ik in delen betalen?', { whatsapp: true })).toBe(200);
    expect((await loadCase(s.caseId, now()))!.inbound?.at).toBe(now().toISOString());
    await h.advance({ seconds: 3600 });
    await runStep(s, 'whatsapp', { phase: 'reminder', tone: 'neutral' });
    msgs = await stepRecordsFor((r) => r.to === s.phone);
    expect(msgs).toHaveLength(3);
    expect(msgs[2].contentSid).toBeUndefined();
    expect(msgs[2].text).toContain('Sam Voorbeeld');
    expect(norm(msgs[2].text)).toContain(norm(formatMoney(12_500, 'nl')));
    expect(msgs[2].text).toContain('\n');

    // 4. More than 24 h after the debtor's last WhatsApp message: the template again.
    await h.advance({ seconds: 23 * 3600 });
    await runStep(s, 'whatsapp', { phase: 'demand', tone: 'firm' });
    msgs = await stepRecordsFor((r) => r.to === s.phone);
    expect(msgs).toHaveLength(4);
    expect(msgs[3]).toMatchObject({ text: '', contentSid: content.templates.demand.nl.contentSid });
    const sent = (await timeline(s.caseId)).filter((e) => e.type === 'sent');
    expect(sent.map((e) => /approved WhatsApp template/.test(e.detail))).toEqual([true, true, false, true]);
  });

  it('an English-speaking debtor gets the English approved template', async () => {
    const s = await seedCase({ name: 'Alex Example', whatsappOptIn: true, language: 'en' });
    const content = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../templates/whatsapp/content-templates.json'), 'utf8'));
    await runStep(s, 'whatsapp', { phase: 'reminder', tone: 'friendly', language: 'en' });
    const [m] = recordsFor((r) => r.to === s.phone);
    expect(m.contentSid).toBe(content.templates.reminder.en.contentSid);
    expect(m.contentVariables?.['2']).toBe(norm(formatMoney(12_500, 'en')));
  });
});

describe('letters: rendered, stored, posted', () => {
  const TERM = {
    nl: 'binnen 14 dagen vanaf de dag nadat deze brief bij u is bezorgd',
    en: 'within 14 days from the day after this letter has been delivered to you',
  } as const;

  it.each([
    ['nl', 'acme', false],
    ['en', 'acme', false],
    ['nl', 'vatco', true],
  ] as const)('the 14-day letter (%s, client %s) states the term and the exact costs; the PDF is kept in LETTER_DIR and handed to print', async (language, clientId, vat) => {
    const s = await seedCase({ name: language === 'nl' ? 'Sam Voorbeeld' : 'Alex Example', language, clientId, dossiers: [{ principal: 250_000 }, { principal: 50_000 }] });
    const { action } = await runStep(s, 'letter', { phase: 'fourteen_day_letter', tone: 'neutral', language });
    const letters = recordsFor((r) => r.provider === 'print' && r.reference === `${s.caseId}/1/${action.stepNo}`);
    expect(letters).toHaveLength(1);
    const posted = h.rt.fakes.pdf(letters[0].id)!;
    expect(posted.subarray(0, 5).toString()).toBe('%PDF-');

    // Stored before posting, under <dataDir>/letters/<case>/<journey>-<step>.pdf, byte for byte what print got.
    const file = path.join(h.dataDir, 'letters', s.caseId, `1-${action.stepNo}.pdf`);
    expect(fs.readFileSync(file).equals(posted)).toBe(true);
    const send = await stepOutcome(s.caseId, 1, action.stepNo);
    expect(send).toMatchObject({ status: 'sent', providerId: letters[0].id, meta: { storedAt: `file://${file}` } });

    // The PDF's own text: the legally required term and the exact costs (WIK on €3,000 of one creditor = €425.00).
    const costs = wikCosts(300_000, { vat }).total;
    expect(costs).toBe(vat ? 51_425 : 42_500);
    const raw = await pdfText(posted);
    const text = norm(raw);
    expect(text).toContain(TERM[language]);
    expect(text).toContain(norm(formatMoney(costs, language)));
    expect(text).toContain(norm(formatMoney(300_000 + costs, language)));
    if (language === 'nl') expect(text).toContain(vat ? 'In dit bedrag zit 21% btw' : 'Over dit bedrag betaalt u geen btw');
    else expect(text).toContain('No VAT is charged on this amount');
    expect(text).not.toMatch(/na dagtekening|na heden|na verzending/);
    expect(text).toContain(s.references[0]);
    expect(text).toContain(s.references[1]);
    expect(text).toContain('Dorpsstraat 1');

    const out = (await h.outbox()).find((o) => o.id === letters[0].id)!;
    expect(out).toMatchObject({ channel: 'letter', template: 'letter/fourteen_day_letter/neutral', tone: 'neutral', language });
    const pdfRes = await fetch(out.pdf!);
    expect(Buffer.from(await pdfRes.arrayBuffer()).equals(posted)).toBe(true);
  });

  it('a letter step replayed sends one letter; a debtor without an address gets none and the journey is told why', async () => {
    const s = await seedCase();
    const action = await sendAction(s, 'letter');
    const ev = stepEvent(s, action);
    await invokeStep(ev);
    await invokeStep(ev);
    expect(recordsFor((r) => r.provider === 'print' && r.reference?.startsWith(`${s.caseId}/`) === true)).toHaveLength(1);

    const noAddress = await seedCase({ address: null });
    const { action: a2 } = await runStep(noAddress, 'letter');
    expect(recordsFor((r) => r.provider === 'print' && r.reference?.startsWith(`${noAddress.caseId}/`) === true)).toHaveLength(0);
    expect(await stepOutcome(noAddress.caseId, 1, a2.stepNo)).toMatchObject({ status: 'failed' });
    expect((await timeline(noAddress.caseId)).find((e) => e.type === 'send_failed')?.detail).toMatch(/no address/);
  });
});

describe('call tasks (the fifth channel)', () => {
  it('creates one agent task per step with the talking line in the debtor’s language', async () => {
    const s = await seedCase({ name: 'Alex Example', language: 'en' });
    const action = await sendAction(s, 'call', { language: 'en', phase: 'demand', tone: 'neutral' });
    const ev = stepEvent(s, action);
    await invokeStep(ev);
    await invokeStep(ev);
    const tasks = (await h.api('GET', '/v1/tasks?status=open', undefined, { key: 'key-agency' })).body.tasks.filter((t: { debtorId: string }) => t.debtorId === s.caseId);
    expect(tasks).toHaveLength(1);
    expect(tasks[0].context.talkingLine).toContain('Alex Example');
    expect(tasks[0].context.language).toBe('en');
    expect((await timeline(s.caseId)).filter((e) => e.type === 'call_task')).toHaveLength(1);
  });
});

describe('letter storage: S3 on AWS (LETTER_BUCKET), a folder locally (LETTER_DIR)', () => {
  it('is chosen by configuration: the bucket wins, then the folder; with neither a letter cannot be sent', () => {
    expect(letterStorageFromEnv({ LETTER_BUCKET: 'letters-bucket', LETTER_DIR: '/tmp/x' })).toBeInstanceOf(S3LetterStorage);
    expect(letterStorageFromEnv({ LETTER_DIR: '/tmp/x' })).toBeInstanceOf(FileLetterStorage);
    expect(() => letterStorageFromEnv({})).toThrow(/LETTER_BUCKET|LETTER_DIR/);
    expect(letterKey({ caseId: 'deb_01abc', journeyNo: 2, stepNo: 7 })).toBe('deb_01abc/2-7.pdf');
    expect(() => letterKey({ caseId: '../etc', journeyNo: 1, stepNo: 1 })).toThrow(/unsafe/);
  });

  it('the S3 adapter PUTs the PDF into the bucket under the step’s key, as application/pdf, with ids only as metadata', async () => {
    const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }> = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { ETag: '"0123456789abcdef"' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new S3Client({
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        forcePathStyle: true,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      const pdf = Buffer.from('%PDF-1.7 a letter');
      const stored = await new S3LetterStorage('maatwerk-letters', client).put('deb_01abc/1-3.pdf', pdf, { template: 'letter/reminder/friendly', case: 'deb_01abc' });
      expect(stored).toEqual({ uri: 's3://maatwerk-letters/deb_01abc/1-3.pdf', key: 'deb_01abc/1-3.pdf' });
      expect(seen).toHaveLength(1);
      expect(seen[0].method).toBe('PUT');
      expect(seen[0].url.split('?')[0]).toBe('/maatwerk-letters/deb_01abc/1-3.pdf');
      expect(seen[0].headers['content-type']).toBe('application/pdf');
      expect(seen[0].headers['x-amz-meta-template']).toBe('letter/reminder/friendly');
      expect(seen[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
      expect(seen[0].body.includes(pdf)).toBe(true);
      client.destroy();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('the folder adapter writes atomically and a retried step overwrites its own unsent PDF', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-letters-'));
    const store = new FileLetterStorage(dir);
    await store.put('deb_x/1-1.pdf', Buffer.from('%PDF-first'));
    const again = await store.put('deb_x/1-1.pdf', Buffer.from('%PDF-second'));
    expect(again.uri).toBe(`file://${path.join(dir, 'deb_x', '1-1.pdf')}`);
    expect(fs.readFileSync(path.join(dir, 'deb_x', '1-1.pdf'), 'utf8')).toBe('%PDF-second');
    expect(fs.readdirSync(path.join(dir, 'deb_x'))).toEqual(['1-1.pdf']);
    await expect(store.put('../escape.pdf', Buffer.from('%PDF-'))).rejects.toThrow(/leaves/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
