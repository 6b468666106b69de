/**
 * Learning on the local runtime, over HTTP (real handlers, dynalite, the emulator, signed webhooks): an experiment in
 * the strategy file is applied to the sends and named in the decision log; the KPIs count the contacts and what
 * came back; GET /v1/reports/kpis shows a creditor only its own contacts and outcomes (an agency key all);
 * GET /v1/experiments/{id}/results is the agency's for an experiment over several creditors; /local/report renders.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStrategy } from '../../functions/domain/strategy.js';
import { assignVariant } from '../../functions/domain/experiments/assign.js';
import { parseStrategy } from '../../functions/domain/strategy.js';
import { type Harness, dossierBody, startLocal } from '../support/local.js';
import { toneExperiment } from '../support/experiments.js';

const EXPERIMENT = toneExperiment('reminder-tone');
const ACME_ONLY = { ...EXPERIMENT, id: 'acme-cadence', dimension: 'cadence', eligibility: { phases: ['demand'], clients: ['acme'] }, variants: [{ name: 'control', control: true }, { name: 'slow', cadenceDays: 14 }] };

let h: Harness;
let dir: string;
const ids: Record<string, { dossierId: string; debtorId: string }> = {};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-learning-'));
  const file = path.join(dir, 'strategy.json');
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(JSON.stringify(defaultStrategy())), experiments: [EXPERIMENT, ACME_ONLY] }));
  h = await startLocal({ start: '2026-03-02T08:00:00Z', env: { MAATWERK_STRATEGY_FILE: file } });
  const a = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'LEARN-A', principal: 10_000 }, { name: 'Anna Acme', phone: '+31610000101', email: 'anna@example.invalid' }), { key: 'key-acme' });
  const b = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'LEARN-B', principal: 20_000 }, { name: 'Bas Globex', phone: '+31610000102', email: 'bas@example.invalid' }), { key: 'key-globex' });
  expect([a.status, b.status]).toEqual([201, 201]);
  ids.a = a.body;
  ids.b = b.body;
  await h.advance('2026-03-04T18:00:00Z');
}, 60_000);

afterAll(async () => {
  await h?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('an experiment on the journey', () => {
  it("each send carries the debtor's variant: the tone it says, the experiment and variant on the timeline and in the decision log", async () => {
    const s = parseStrategy({ ...JSON.parse(JSON.stringify(defaultStrategy())), experiments: [EXPERIMENT] });
    for (const who of ['a', 'b'] as const) {
      const variant = assignVariant(s.experiments[0]!, ids[who]!.debtorId);
      const sent = (await h.outbox()).filter((m) => m.debtorId === ids[who]!.debtorId);
      expect(sent.length).toBeGreaterThan(0);
      if (variant === 'firm') expect(sent[0]!.tone).toBe('firm');
      else expect(sent[0]!.tone).toBe('friendly'); // the strategy's reminder tone
      const key = who === 'a' ? 'key-acme' : 'key-globex';
      const dossier = await h.api('GET', `/v1/dossiers/${ids[who]!.dossierId}`, undefined, { key });
      const details = dossier.body.timeline.map((e: { detail: string }) => e.detail).join('\n');
      expect(details).toContain(`experiment reminder-tone: variant ${variant}`);
    }
  });

  it('the KPIs count contacts per variant, and what came back: a payment for acme, a promise for globex', async () => {
    expect((await h.api('POST', `/v1/dossiers/${ids.a!.dossierId}/payments`, { amount: 10_000, reference: 'PAY-A' }, { key: 'key-acme' })).status).toBe(200);
    expect(await h.reply('+31610000102', 'Ik betaal vrijdag')).toBe(200);
    await h.advance({ seconds: 0 });
    const all = await h.api('GET', '/v1/reports/kpis?from=2026-03-01&to=2026-03-31&groupBy=client', undefined, { key: 'key-agency' });
    expect(all.status).toBe(200);
    const byClient = Object.fromEntries(all.body.groups.map((g: { group: string }) => [g.group, g]));
    expect(Object.keys(byClient).sort()).toEqual(['acme', 'globex']);
    expect(byClient.acme).toMatchObject({ debtors: 1, paymentRate: expect.any(Number), recoveredCents: 10_000, promiseRate: 0 });
    expect(byClient.acme.paymentRate).toBeGreaterThan(0);
    expect(byClient.globex).toMatchObject({ debtors: 1, recoveredCents: 0, paymentRate: 0 });
    expect(byClient.globex.promiseRate).toBeGreaterThan(0);
    expect(byClient.globex.replyRate).toBeGreaterThan(0);
    expect(all.body.total.contacts).toBe(byClient.acme.contacts + byClient.globex.contacts);
    expect(all.body.total.costCents).toBeGreaterThan(0);
    const variants = await h.api('GET', '/v1/reports/kpis?from=2026-03-01&to=2026-03-31&groupBy=variant', undefined, { key: 'key-agency' });
    expect(variants.body.groups.reduce((s: number, g: { debtors: number }) => s + g.debtors, 0)).toBe(2);
    expect(variants.body.groups.every((g: { group: string }) => g.group.startsWith('reminder-tone:'))).toBe(true);
  });

  it('a creditor sees only its own contacts and outcomes; an agency key sees all', async () => {
    const mine = await h.api('GET', '/v1/reports/kpis?from=2026-03-01&to=2026-03-31&groupBy=client', undefined, { key: 'key-acme' });
    expect(mine.body.scope).toBe('acme');
    expect(mine.body.groups.map((g: { group: string }) => g.group)).toEqual(['acme']);
    const theirs = await h.api('GET', '/v1/reports/kpis?from=2026-03-01&to=2026-03-31&groupBy=channel', undefined, { key: 'key-globex' });
    const agency = await h.api('GET', '/v1/reports/kpis?from=2026-03-01&to=2026-03-31&groupBy=channel', undefined, { key: 'key-agency' });
    const acme = await h.api('GET', '/v1/reports/kpis?from=2026-03-01&to=2026-03-31&groupBy=channel', undefined, { key: 'key-acme' });
    expect(theirs.body.total.contacts + acme.body.total.contacts).toBe(agency.body.total.contacts);
    // globex never sees acme's payment, acme never sees globex's promise
    expect(theirs.body.total.recoveredCents).toBe(0);
    expect(acme.body.total.promiseRate).toBe(0);
    expect(acme.body.total.recoveredCents).toBe(10_000);
  });

  it("experiment results: the agency's for an experiment over several creditors; a creditor's own experiment is its", async () => {
    const agency = await h.api('GET', '/v1/experiments/reminder-tone/results', undefined, { key: 'key-agency' });
    expect(agency.status).toBe(200);
    expect(agency.body).toMatchObject({ experimentId: 'reminder-tone', allocation: 'fixed', status: 'running', verdict: 'running' });
    expect(agency.body.variants.reduce((s: number, v: { exposed: number }) => s + v.exposed, 0)).toBe(2);
    expect((await h.api('GET', '/v1/experiments/reminder-tone/results', undefined, { key: 'key-acme' })).status).toBe(404);
    expect((await h.api('GET', '/v1/experiments/acme-cadence/results', undefined, { key: 'key-acme' })).status).toBe(200);
    expect((await h.api('GET', '/v1/experiments/acme-cadence/results', undefined, { key: 'key-globex' })).status).toBe(404);
    expect((await h.api('GET', '/v1/experiments/nope/results', undefined, { key: 'key-agency' })).status).toBe(404);
  });

  it('refuses what it cannot answer, naming the field', async () => {
    const bad = await h.api('GET', '/v1/reports/kpis?groupBy=colour', undefined, { key: 'key-agency' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.groupBy).toMatch(/must be one of segment, channel, template, tone, variant, client/);
    const backwards = await h.api('GET', '/v1/reports/kpis?from=2026-03-10&to=2026-03-01', undefined, { key: 'key-agency' });
    expect(backwards.body.error.fields.to).toBe('must not be before from');
    expect((await h.api('GET', '/v1/reports/kpis', undefined, { key: null })).status).toBe(401);
  });

  it('the learning report is served at /local/report with its charts', async () => {
    const res = await fetch(`${h.url}/local/report?from=2026-03-01&to=2026-03-31`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    for (const id of ['chart-funnel', 'chart-recovery', 'chart-channels']) expect(html).toMatch(new RegExp(`id="${id}"><svg`));
    expect(html).toContain('reminder-tone');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});

describe("one person's claims at two creditors, one contact about both (red-team finding)", () => {
  let h2: Harness;
  const kpis = async (key: string, groupBy: string) => {
    const r = await h2.api('GET', `/v1/reports/kpis?from=2026-03-01&to=2026-04-30&groupBy=${groupBy}`, undefined, { key });
    expect(r.status).toBe(200);
    return { total: r.body.total, by: Object.fromEntries(r.body.groups.map((g: { group: string }) => [g.group, g])) };
  };

  beforeAll(async () => {
    h2 = await startLocal({ start: '2026-03-02T08:00:00Z' });
  }, 60_000);
  afterAll(async () => {
    await h2?.stop();
  });

  it("each creditor's payment counts for it as a payment, and the agency's client groups are each creditor's own", async () => {
    const person = { name: 'Dirk Dubbel', phone: '+31610000201', email: 'dirk@example.invalid' };
    const a = await h2.api('POST', '/v1/dossiers', dossierBody({ reference: 'BOTH-A', principal: 25_000 }, person), { key: 'key-acme' });
    const g = await h2.api('POST', '/v1/dossiers', dossierBody({ reference: 'BOTH-G', principal: 72_500 }, person), { key: 'key-globex' });
    expect([a.status, g.status]).toEqual([201, 201]);
    expect(g.body.debtorId).toBe(a.body.debtorId);
    await h2.advance('2026-03-08T18:00:00Z'); // after the SMS about both claims, before the letter
    const sent = (await h2.outbox()).filter((m) => m.debtorId === a.body.debtorId);
    const both = sent.filter((m) => m.dossierIds.includes(a.body.dossierId) && m.dossierIds.includes(g.body.dossierId));
    expect(both.length).toBeGreaterThan(0);
    const channel = both.at(-1)!.channel;
    expect(channel).toBe('sms');
    expect((await h2.api('POST', `/v1/dossiers/${a.body.dossierId}/payments`, { amount: 25_000, reference: 'PAY-BOTH-A' }, { key: 'key-acme' })).status).toBe(200);
    expect((await h2.api('POST', `/v1/dossiers/${g.body.dossierId}/payments`, { amount: 72_500, reference: 'PAY-BOTH-G' }, { key: 'key-globex' })).status).toBe(200);
    await h2.advance({ seconds: 0 });

    const acme = await kpis('key-acme', 'channel');
    const globex = await kpis('key-globex', 'channel');
    expect(acme.by[channel]).toMatchObject({ recoveredCents: 25_000 });
    expect(globex.by[channel]).toMatchObject({ recoveredCents: 72_500 });
    expect(acme.by[channel].paymentRate).toBeGreaterThan(0);
    expect(globex.by[channel].paymentRate).toBe(acme.by[channel].paymentRate);
    const agency = await kpis('key-agency', 'client');
    expect(agency.by.acme).toMatchObject({ recoveredCents: 25_000, paymentRate: acme.total.paymentRate, contacts: acme.total.contacts });
    expect(agency.by.globex).toMatchObject({ recoveredCents: 72_500, paymentRate: globex.total.paymentRate, contacts: globex.total.contacts });
    expect(agency.total.recoveredCents).toBe(97_500);
    expect(agency.total.contacts).toBeLessThan(acme.total.contacts + globex.total.contacts); // one contact about both
  });
});
