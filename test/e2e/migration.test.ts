/**
 * Migration: what a runtime of the first version stored (test/fixtures/v1-data: four debtors, one of them at two
 * creditors, mid-journey on 20 April 2026, their executions waiting in channel states) is loaded into a fresh
 * data dir and the current runtime is started on it. Each case is upgraded on first read (services/upgrade.ts);
 * the journeys carry on from where they were, nothing is sent twice, the old timelines stay readable, and a new
 * claim for an upgraded person joins that person's case.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../functions/store/table.js';
import { createTable } from '../../infra/local/table.js';
import { type Harness, dossierBody, startLocal } from '../support/local.js';
import { caseState } from '../support/channel-steps.js';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/v1-data');
const ids = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'ids.json'), 'utf8')) as Record<'a' | 'b1' | 'b2' | 'c' | 'd', { dossierId: string; debtorId: string }>;
const before = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'outbox-before.json'), 'utf8')) as Array<{ debtorId: string; stepNo: number; channel: string }>;

/** The fixture's DynamoDB items written into a dynalite store on disk, as the first version left them. */
async function loadItems(dir: string): Promise<void> {
  const server = dynalite({ path: path.join(dir, 'dynamodb'), createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const ddb = new DynamoDBClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await createTable(ddb);
  const raw = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'dynamodb.json'), 'utf8')) as Array<Record<string, unknown>>;
  const items = raw.map((i) => {
    const out = { ...i };
    if (out.paymentKeys && typeof out.paymentKeys === 'object' && '$set' in (out.paymentKeys as object)) out.paymentKeys = new Set((out.paymentKeys as { $set: string[] }).$set);
    return out;
  });
  items.push(...nobodyReadSince());
  for (let k = 0; k < items.length; k += 25) {
    await ddb.send(
      new BatchWriteItemCommand({
        RequestItems: { [TABLE.defaultName]: items.slice(k, k + 25).map((Item) => ({ PutRequest: { Item: marshall(Item, { removeUndefinedValues: true }) } })) },
      }),
    );
  }
  ddb.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * A person the first version filed whose journey ended long ago and whom nothing reads any more: Eva opted out of
 * every channel. Her case stays a first-version item until something reads it.
 */
const EVA = { debtorId: 'deb_01kjprzb00eyz12p5nksb6r9ev', dossierId: 'dos_01kjprzb00eyz12p5nksb6r9ev', name: 'Eva Oud', phone: '+31611110005', email: 'eva@example.invalid' };
function nobodyReadSince(): Array<Record<string, unknown>> {
  const at = '2026-03-02T08:00:00.000Z';
  const address = { line1: 'Esdoorn 5', postalCode: '5555 EE', city: 'Ede', country: 'NL' };
  return [
    { PK: `DEBTOR#${EVA.debtorId}`, SK: 'DEBTOR', debtorId: EVA.debtorId, name: EVA.name, email: EVA.email, phone: EVA.phone, whatsappOptIn: false, language: 'nl', address, consumer: true, incomeSource: { type: 'unknown' }, optOuts: ['all'], unusable: [], flags: [], createdAt: at },
    { PK: `DEBTOR#${EVA.debtorId}`, SK: 'CASE', caseId: EVA.debtorId, journeyNo: 1, status: 'closed', eventSeq: 1, stepNo: 0, createdAt: at, updatedAt: at, closedReason: 'no open dossiers left' },
    { PK: `DOSSIER#${EVA.dossierId}`, SK: 'DOSSIER', GSI1PK: `DEBTOR#${EVA.debtorId}`, GSI1SK: `DOSSIER#paid#${at}#${EVA.dossierId}`, dossierId: EVA.dossierId, clientId: 'acme', debtorId: EVA.debtorId, reference: 'V1-E-1', principal: 9_000, costs: 0, paid: 9_000, dueDate: '2026-02-01', status: 'paid', createdAt: at, updatedAt: at },
    { PK: `PHONE#${EVA.phone}`, SK: 'PHONE', debtorId: EVA.debtorId },
    { PK: `EMAIL#${EVA.email}`, SK: 'EMAIL', debtorId: EVA.debtorId },
  ];
}

let h: Harness;
beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-migration-'));
  await loadItems(dataDir);
  fs.cpSync(path.join(FIXTURE, 'stepfunctions'), path.join(dataDir, 'stepfunctions'), { recursive: true });
  fs.copyFileSync(path.join(FIXTURE, 'clock.json'), path.join(dataDir, 'clock.json'));
  h = await startLocal({ start: '2026-04-20T12:00:00Z', dataDir });
});
afterAll(async () => h?.stop());

describe('a data dir of the first version', () => {
  it('keeps its journeys running: each case upgraded on first read, no step sent twice, every journey carried on to its end', async () => {
    expect(h.rt.sfn.stats().running, 'the four executions were recovered').toBe(4);
    await h.advance('2026-08-01T12:00:00Z');
    const after = await h.outbox();
    const debtors = [ids.a, ids.b1, ids.c, ids.d].map((x) => x.debtorId);
    for (const debtorId of debtors) {
      const c = await caseState(debtorId);
      expect(c.v).toBe(2);
      const old = before.filter((m) => m.debtorId === debtorId);
      const lastOld = Math.max(...old.map((m) => m.stepNo));
      // what the new runtime sent (the outbox also lists the call tasks the first version created)
      const now = after.filter((m) => m.debtorId === debtorId && m.sentAt > '2026-04-20T12:00:00.000Z');
      for (const m of now) expect(m.stepNo, `${debtorId} step ${m.stepNo} after ${lastOld}`).toBeGreaterThan(lastOld);
      expect(new Set(now.map((m) => m.stepNo)).size).toBe(now.length);
      expect(c.journey.status, `${debtorId}'s journey ended`).toBe('closed');
    }
    expect(h.rt.sfn.stats().running).toBe(0);
    const sentSince = after.filter((m) => m.sentAt > '2026-04-20T12:00:00.000Z');
    expect(sentSince.length, 'the journeys sent their remaining steps').toBeGreaterThanOrEqual(3);
  });

  it('keeps the old timeline readable and the money right', async () => {
    const a = await h.api('GET', `/v1/dossiers/${ids.a.dossierId}`);
    expect(a.status).toBe(200);
    const types = a.body.timeline.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('claim_received');
    expect(types.filter((t: string) => t === 'sent').length).toBeGreaterThanOrEqual(before.filter((m) => m.debtorId === ids.a.debtorId && m.channel !== 'call').length);
    const d = await h.api('GET', `/v1/dossiers/${ids.d.dossierId}`);
    expect(d.body.amounts.paid).toBe(5_000);
    // the first version's cannot-pay reply still decides the segment
    const c = await h.api('GET', `/v1/dossiers/${ids.c.dossierId}`);
    expect(c.body.journey.segment).toBe('cannot_pay');
  });

  it('keeps a person the first version merged at two creditors as one conversation, each creditor seeing only its own', async () => {
    expect(ids.b1.debtorId).toBe(ids.b2.debtorId);
    const acme = await h.api('GET', `/v1/debtors/${ids.b1.debtorId}`);
    const globex = await h.api('GET', `/v1/debtors/${ids.b2.debtorId}`, undefined, { key: 'key-globex' });
    expect(acme.body.dossiers.map((x: { dossierId: string }) => x.dossierId)).toEqual([ids.b1.dossierId]);
    expect(globex.body.dossiers.map((x: { dossierId: string }) => x.dossierId)).toEqual([ids.b2.dossierId]);
    expect(JSON.stringify(globex.body)).not.toContain(ids.b1.dossierId);
    expect(JSON.stringify(globex.body)).not.toContain('V1-B-1');
    // the first version kept one set of contact details, from the first claim (Acme's): Globex is not shown them
    expect(globex.body.contactDetails).toEqual([]);
    expect(acme.body.contactDetails.map((p: { kind: string }) => p.kind).sort()).toEqual(['address', 'email', 'phone']);
  });

  it('lets a new claim for an upgraded person join that person', async () => {
    const res = await h.api(
      'POST',
      '/v1/dossiers',
      dossierBody({ reference: 'V2-A-2', dueDate: '2026-07-01' }, { name: 'Anna Oud', email: 'anna@example.invalid', phone: '+31611110001', address: { line1: 'Oudestraat 1', postalCode: '1111 AA', city: 'Utrecht' } }),
    );
    expect(res.status).toBe(201);
    expect(res.body.debtorId).toBe(ids.a.debtorId);
    const c = await caseState(ids.a.debtorId);
    expect(c.journey.journeyNo, 'the ended journey is followed by a new one').toBe(2);
    expect(c.journey.status).toBe('active');
  });

  it('finds a person nobody has read since the upgrade: a new claim for them joins them, and their opt-out holds', async () => {
    const res = await h.api(
      'POST',
      '/v1/dossiers',
      dossierBody({ reference: 'GLX-E-1', dueDate: '2026-07-01' }, { name: 'Eva Oud', email: 'eva@example.invalid', phone: '+31611110005', address: { line1: 'Esdoorn 5', postalCode: '5555 EE', city: 'Ede' } }),
      { key: 'key-globex' },
    );
    expect(res.status).toBe(201);
    expect(res.body.debtorId).toBe(EVA.debtorId);
    const c = await caseState(EVA.debtorId);
    expect(c.v).toBe(2);
    expect(c.optOuts).toEqual(['all']);
    await h.advance('2026-09-15T12:00:00Z');
    const digital = (await h.outbox()).filter((m) => m.debtorId === EVA.debtorId && ['email', 'sms', 'whatsapp'].includes(m.channel));
    expect(digital).toEqual([]);
  });
});

