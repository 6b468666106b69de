/**
 * The learning counters arrive through the table's stream (local runtime, dynalite, the stream emulator feeding the
 * Counters function with DynamoDB Streams records, over HTTP): the request path writes no counter; a flush (or a
 * clock advance) delivers the batch and the KPIs count it; a batch delivered again counts once; a record that cannot
 * be read is retried and then lands in the failure destination, while the rest of its batch counts once; ADDs that
 * keep failing are kept for the retry and added once when they can be.
 */
import fs from 'node:fs';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo, tableName } from '../../functions/shared/aws.js';
import { COUNTERS_ATTR, encodeCounters } from '../../functions/store/learning.js';
import { type Harness, dossierBody, startLocal } from '../support/local.js';

let h: Harness;

beforeAll(async () => {
  h = await startLocal({ start: '2026-03-02T08:00:00Z' });
}, 60_000);

afterAll(async () => {
  await h?.stop();
  fs.rmSync(h.dataDir, { recursive: true, force: true });
});

const kpis = async () => (await h.api('GET', '/v1/reports/kpis?from=2026-03-01&to=2026-03-31&groupBy=channel', undefined, { key: 'key-agency' })).body;
const get = async (PK: string, SK: string) => (await dynamo().send(new GetCommand({ TableName: tableName(), Key: { PK, SK }, ConsistentRead: true }))).Item;
/** an item carrying counter writes, as the store writes them (the stream's filter matches it) */
const carrying = (id: string, counters: string) => dynamo().send(new PutCommand({ TableName: tableName(), Item: { PK: `TEST#${id}`, SK: 'TEST', [COUNTERS_ATTR]: counters } }));
const add = (PK: string, n: number) => encodeCounters(`test-${PK}-${Math.random()}`, [{ PK, SK: 'S#0', add: { 'channel:test|c': n } }])!;

describe('the learning counters through the stream', () => {
  it('the request path writes no counter; the stream delivers them, and the KPIs count exactly what was sent', async () => {
    h.rt.streams.pause();
    const res = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'STREAM-1', principal: 12_000 }, { name: 'Sam Stream', phone: '+31610000301', email: 'sam@example.invalid' }));
    expect(res.status).toBe(201);
    await h.advance('2026-03-04T18:00:00Z');
    const sent = (await h.outbox()).filter((m) => m.debtorId === res.body.debtorId);
    expect(sent.length).toBeGreaterThan(0);
    // the contacts happened, but no counter item was written by them: their writes wait in the stream
    expect(h.rt.streams.pendingRecords).toBeGreaterThanOrEqual(sent.length);
    expect((await kpis()).total.contacts).toBe(0);
    h.rt.streams.resume();
    const after = await h.flushStream();
    expect(after.pendingRecords).toBe(0);
    expect(after.failures).toEqual([]);
    const counted = await kpis();
    expect(counted.total.contacts).toBe(sent.length);
    expect(counted.total.debtors).toBe(1);

    // a payment counts through the stream too; a clock advance waits for it like a flush
    expect((await h.api('POST', `/v1/dossiers/${res.body.dossierId}/payments`, { amount: 12_000, reference: 'PAY-S1' })).status).toBe(200);
    await h.advance({ seconds: 0 });
    const paid = await kpis();
    expect(paid.total.recoveredCents).toBe(12_000);
    expect(paid.total.paymentRate).toBeGreaterThan(0);
  });

  it('a batch delivered again (a retry, a duplicate delivery) counts once', async () => {
    const before = await kpis();
    await carrying('again', add('KPI#again#2026-03-02', 1));
    await h.flushStream();
    expect((await get('KPI#again#2026-03-02', 'S#0'))?.['channel:test|c']).toBe(1);
    expect(await h.rt.streams.redeliverLast()).toBeGreaterThan(0);
    expect(await h.rt.streams.redeliverLast()).toBeGreaterThan(0);
    expect((await get('KPI#again#2026-03-02', 'S#0'))?.['channel:test|c']).toBe(1);
    // the journey's counters did not move either
    expect(await kpis()).toEqual(before);
  });

  it('a record that cannot be read is retried, then its position goes to the failure destination; the rest of its batch counts once', async () => {
    const failuresBefore = (await h.flushStream()).failures.length;
    await carrying('good-1', add('KPI#poison#2026-03-02', 1));
    await carrying('poison', 'this is not what the store writes');
    await carrying('good-2', add('KPI#poison#2026-03-02', 10));
    const { failures, stats } = await h.flushStream();
    expect(failures).toHaveLength(failuresBefore + 1);
    const f = failures.at(-1)!;
    expect(f.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 6, functionArn: expect.stringContaining(':function:maatwerk-Counters') });
    expect(f.DDBStreamBatchInfo).toMatchObject({ batchSize: 2, streamArn: h.rt.streams.streamArn, shardId: expect.any(String) });
    expect(stats.retries).toBeGreaterThanOrEqual(5);
    // both good records counted, each once, although the one after the poison was delivered six times
    expect((await get('KPI#poison#2026-03-02', 'S#0'))?.['channel:test|c']).toBe(11);
  });

  it('ADDs that keep failing are kept for the retry of their batch and added once when they can be', async () => {
    // an item whose counter is not a number: every ADD to it fails
    await dynamo().send(new PutCommand({ TableName: tableName(), Item: { PK: 'KPI#broken#2026-03-02', SK: 'S#0', 'channel:test|c': 'text' } }));
    const failuresBefore = (await h.flushStream()).failures.length;
    await carrying('to-broken', add('KPI#broken#2026-03-02', 3));
    await carrying('to-fine', add('KPI#fine#2026-03-02', 4));
    const { failures } = await h.flushStream();
    expect(failures).toHaveLength(failuresBefore + 1);
    expect((await get('KPI#fine#2026-03-02', 'S#0'))?.['channel:test|c']).toBe(4);
    const batchId = failures.at(-1)!.DDBStreamBatchInfo.startSequenceNumber as string;
    expect(await get(`LRNPEND#${batchId}`, 'LRNPEND')).toBeDefined();
    // mended: the failed batch's records are read again from the stream (here: delivered again) and what was kept is added
    await dynamo().send(new DeleteCommand({ TableName: tableName(), Key: { PK: 'KPI#broken#2026-03-02', SK: 'S#0' } }));
    await h.rt.streams.redeliverLast();
    expect((await get('KPI#broken#2026-03-02', 'S#0'))?.['channel:test|c']).toBe(3);
    expect((await get('KPI#fine#2026-03-02', 'S#0'))?.['channel:test|c']).toBe(4);
    expect(await get(`LRNPEND#${batchId}`, 'LRNPEND')).toBeUndefined();
    await h.rt.streams.redeliverLast();
    expect((await get('KPI#broken#2026-03-02', 'S#0'))?.['channel:test|c']).toBe(3);
  });
});
