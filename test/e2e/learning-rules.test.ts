/**
 * A variant never breaks a rule, on the local runtime over HTTP (real handlers, dynalite, the emulator, signed
 * webhooks): a template variant whose text would contradict the legal state of its claims is stopped by the channel
 * step's message guard (not sent, the exposure taken back, the journey fails over); a channel-order variant never
 * uses a number someone opted out of (a number-level opt-out recorded before the debtor was filed); and the answers
 * to replies are replies, not journey messages: they are no contacts in the KPIs nor exposures of an experiment.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTemplatesDir } from '../../functions/channels/render.js';
import { defaultStrategy } from '../../functions/domain/strategy.js';
import { type Harness, dossierBody, startLocal } from '../support/local.js';

/** A reminder variant that starts a term of its own: only the 14-day letter may (DESIGN §5 rule 12). */
const UNLAWFUL = '{{debtor.name}}, betaal {{money totalOutstanding}} voor {{referencesShort}} binnen 7 dagen via {{paymentLink}} {{agency.name}}';

const TEMPLATE_EXPERIMENT = {
  id: 'reminder-words',
  dimension: 'template',
  eligibility: { phases: ['reminder'] },
  // every variant is the unlawful SMS: whatever the hash says, the guard must stop it
  variants: [
    { name: 'control', control: true, template: 'unlawful' },
    { name: 'short', template: 'unlawful' },
  ],
  metric: 'contact_within_7d',
  start: '2026-01-01T00:00:00Z',
  allocation: 'fixed',
};
const CHANNEL_EXPERIMENT = {
  id: 'reminder-channel',
  dimension: 'channel_order',
  eligibility: { phases: ['reminder'] },
  variants: [
    { name: 'control', control: true, channels: ['sms', 'email'] },
    { name: 'chat', channels: ['sms', 'whatsapp', 'email'] },
  ],
  metric: 'contact_within_7d',
  start: '2026-01-01T00:00:00Z',
  allocation: 'fixed',
};

let h: Harness;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-learning-rules-'));
  const templates = path.join(dir, 'templates');
  fs.cpSync(defaultTemplatesDir(), templates, { recursive: true });
  fs.writeFileSync(path.join(templates, 'sms/nl/reminder.unlawful.hbs'), UNLAWFUL);
  const file = path.join(dir, 'strategy.json');
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(JSON.stringify(defaultStrategy())), experiments: [TEMPLATE_EXPERIMENT, CHANNEL_EXPERIMENT] }));
  // the renderer reads the templates from the process's environment (the runtime passes on the strategy file only)
  process.env.MAATWERK_TEMPLATES_DIR = templates;
  h = await startLocal({ start: '2026-03-02T08:00:00Z', env: { MAATWERK_STRATEGY_FILE: file } });
}, 60_000);

afterAll(async () => {
  await h?.stop();
  delete process.env.MAATWERK_TEMPLATES_DIR;
  fs.rmSync(dir, { recursive: true, force: true });
});

const timelineOf = async (dossierId: string, key = 'key-acme') => (await h.api('GET', `/v1/dossiers/${dossierId}`, undefined, { key })).body.timeline as Array<{ type: string; detail: string; channel?: string }>;

describe('a variant never breaks a rule', () => {
  it("the message guard stops a variant's text that contradicts the law: not sent, no exposure from it, the journey fails over", async () => {
    const g = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'GUARD-1', principal: 12_000 }, { name: 'Gerda Guard', phone: '+31610000201' }));
    expect(g.status).toBe(201);
    await h.advance('2026-03-03T18:00:00Z');
    const sent = (await h.outbox()).filter((m) => m.debtorId === g.body.debtorId);
    // nothing with the variant's words went out; the reminder went on the next channel of the order instead
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.some((m) => /binnen 7 dagen/.test(m.text))).toBe(false);
    expect(sent.some((m) => m.channel === 'sms')).toBe(false);
    const timeline = await timelineOf(g.body.dossierId);
    const failed = timeline.find((e) => e.type === 'send_failed' && e.channel === 'sms');
    expect(failed?.detail).toMatch(/would contradict the legal state of its claims/);
    // the refused SMS's exposure was taken back; the message that went is the one exposure
    const results = await h.api('GET', '/v1/experiments/reminder-words/results', undefined, { key: 'key-agency' });
    expect(results.status).toBe(200);
    expect(results.body.variants.reduce((s: number, v: { exposed: number }) => s + v.exposed, 0)).toBe(1);
  });

  it('a channel-order variant never uses a number someone opted out of, even one opted out before this debtor was filed', async () => {
    const phone = '+31610000202';
    const x = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'NUM-X', principal: 9_000 }, { name: 'Xander Eerste', phone, email: 'xander@example.invalid' }));
    expect(x.status).toBe(201);
    expect(await h.reply(phone, 'STOP', { messageSid: 'SMnumberoptout00000000000000000001' })).toBe(200);
    await h.advance({ seconds: 0 });
    // another person, filed later with the same number: the number's opt-out holds for them too
    const y = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'NUM-Y', principal: 9_500 }, { name: 'Yara Tweede', phone, email: 'yara@example.invalid' }));
    expect(y.status).toBe(201);
    expect(y.body.debtorId).not.toBe(x.body.debtorId);
    await h.advance('2026-03-05T18:00:00Z');
    const toY = (await h.outbox()).filter((m) => m.debtorId === y.body.debtorId);
    expect(toY.length).toBeGreaterThan(0);
    expect(toY.every((m) => m.channel !== 'sms' && m.channel !== 'whatsapp')).toBe(true);
    expect(toY[0]!.channel).toBe('email');
    const details = (await timelineOf(y.body.dossierId)).map((e) => e.detail).join('\n');
    expect(details).toMatch(/experiment reminder-channel: variant (control|chat)/);
    expect(details).toMatch(/sms skipped: opted out/);
  });

  it('the answers to replies are replies: no contacts in the KPIs, no exposures', async () => {
    const outbox = await h.outbox();
    const answers = outbox.filter((m) => m.inReplyTo);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((m) => (m.template ?? '').startsWith('answer/'))).toBe(true);
    const kpis = await h.api('GET', '/v1/reports/kpis?from=2026-03-01&to=2026-03-31&groupBy=channel', undefined, { key: 'key-agency' });
    expect(kpis.status).toBe(200);
    // journey messages only: no answers, no agent tasks a reply made (template task/<reason>)
    const journey = outbox.filter((m) => !m.inReplyTo && !(m.template ?? '').startsWith('task/'));
    expect(kpis.body.total.contacts).toBe(journey.length);
    // the SMS answer is counted nowhere: the only SMS contacts would be journey messages, and none went
    expect(kpis.body.groups.find((g: { group: string }) => g.group === 'sms')).toBeUndefined();
    const exposed = async (id: string) => (await h.api('GET', `/v1/experiments/${id}/results`, undefined, { key: 'key-agency' })).body.variants.reduce((s: number, v: { exposed: number }) => s + v.exposed, 0);
    const journeyDebtors = new Set(journey.filter((m) => (m.template ?? '').includes('/reminder/')).map((m) => m.debtorId));
    expect(await exposed('reminder-channel')).toBe(journeyDebtors.size);
  });
});
