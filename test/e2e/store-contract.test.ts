/**
 * The store's access patterns against both tables behind functions/store — dynalite (the DynamoDB API over HTTP)
 * and the simulator's in-process table — with the same assertions, so the in-process table answers every command
 * the store sends exactly as DynamoDB does (test/e2e/case-store.test.ts does the same for the case item).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../../functions/shared/aws.js';
import { claimStep, createCase, readCase, saveCase, setToken } from '../../functions/store/cases.js';
import { claimReference, dossierItem, forgetPayment, listClientDossiers, releaseIdempotencyKey, claimIdempotencyKey, recordPaymentOnce } from '../../functions/store/dossiers.js';
import { getCheckout, markReversed, putCheckout } from '../../functions/store/checkouts.js';
import { countHit } from '../../functions/store/rate-limits.js';
import { clientIds, putClient } from '../../functions/store/clients.js';
import { addIdentityKeys, claimIdentityKeys, earlierUse, identityOwners, phoneIndexItem, recordNumberOptOut } from '../../functions/store/identity.js';
import { claimAnswer, getAnswer, planAnswer, settleAnswer } from '../../functions/store/answers.js';
import { writeItems } from '../../functions/store/batch.js';
import { COUNTERS_ATTR, addExperimentCounts, addKpis, decodeCounters, encodeCounters, readExperimentDays, readKpis } from '../../functions/store/learning.js';
import { webhookDone, webhookReceipt } from '../../functions/store/messages.js';
import { closeOpenTask, createTaskOnce, tasksWithStatus } from '../../functions/store/tasks.js';
import { appendEvents, caseTimeline, getEvent, recentTimeline } from '../../functions/store/timeline.js';
import { isConditionFailed, queryAll } from '../../functions/store/keys.js';
import { writeTogether } from '../../functions/store/transact.js';
import { caseWith } from '../support/cases.js';
import { STORE_BACKENDS } from '../support/stores.js';

describe.each(STORE_BACKENDS.map((make) => [make().name, make] as const))('store access patterns on %s', (_name, make) => {
  const backend = make();
  beforeAll(() => backend.start());
  afterAll(() => backend.stop());

  it('conditional puts, updates and deletes: the same refusals, the same results', async () => {
    const put = (item: Record<string, unknown>, cond?: string) => dynamo().send(new PutCommand({ TableName: tableName(), Item: item, ...(cond ? { ConditionExpression: cond } : {}) }));
    await put({ PK: 'T#1', SK: 'A', n: 1, list: [1], map: { a: 'x' } }, 'attribute_not_exists(PK)');
    const again = await put({ PK: 'T#1', SK: 'A', n: 2 }, 'attribute_not_exists(PK)').catch((e) => e);
    expect(isConditionFailed(again)).toBe(true);
    const res = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { PK: 'T#1', SK: 'A' },
        UpdateExpression: 'SET #n = #n + :one, #l = list_append(#l, :more), #m.#b = if_not_exists(#m.#b, :b), #m.#a = if_not_exists(#m.#a, :b) REMOVE #gone ADD #c :two',
        ConditionExpression: '#n = :one AND (attribute_not_exists(#x) OR #x = :no) AND begins_with(SK, :s) AND size(#l) < :ten',
        ExpressionAttributeNames: { '#n': 'n', '#l': 'list', '#m': 'map', '#b': 'b', '#a': 'a', '#gone': 'nothing', '#c': 'count', '#x': 'x' },
        ExpressionAttributeValues: { ':one': 1, ':more': [2, 3], ':b': 'y', ':no': 'no', ':two': 2, ':s': 'A', ':ten': 10 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(res.Attributes).toEqual({ PK: 'T#1', SK: 'A', n: 2, list: [1, 2, 3], map: { a: 'x', b: 'y' }, count: 2 });
    const stale = await dynamo()
      .send(new UpdateCommand({ TableName: tableName(), Key: { PK: 'T#1', SK: 'A' }, UpdateExpression: 'SET n = :v', ConditionExpression: 'n = :old', ExpressionAttributeValues: { ':v': 9, ':old': 1 } }))
      .catch((e) => e);
    expect(isConditionFailed(stale)).toBe(true);
    // a nested path under a missing map is refused, and changes nothing
    const bad = await dynamo()
      .send(new UpdateCommand({ TableName: tableName(), Key: { PK: 'T#1', SK: 'A' }, UpdateExpression: 'SET n = :v, missing.deep = :v', ExpressionAttributeValues: { ':v': 5 } }))
      .catch((e) => e);
    expect((bad as Error).name).toBe('ValidationException');
    expect((await dynamo().send(new GetCommand({ TableName: tableName(), Key: { PK: 'T#1', SK: 'A' } }))).Item?.n).toBe(2);
    const del = await dynamo().send(new DeleteCommand({ TableName: tableName(), Key: { PK: 'T#1', SK: 'A' }, ConditionExpression: 'n = :n', ExpressionAttributeValues: { ':n': 2 }, ReturnValues: 'ALL_OLD' }));
    expect(del.Attributes?.count).toBe(2);
    expect((await dynamo().send(new GetCommand({ TableName: tableName(), Key: { PK: 'T#1', SK: 'A' } }))).Item).toBeUndefined();
  });

  it('transactions: every action or none, a reason per action, writes as the single-item commands make them (indexes too), a token answered once', async () => {
    const T = tableName();
    const get = async (SK: string) => (await dynamo().send(new GetCommand({ TableName: T, Key: { PK: 'TX#1', SK }, ConsistentRead: true }))).Item;
    const claimB = {
      Update: {
        TableName: T,
        Key: { PK: 'TX#1', SK: 'B' },
        UpdateExpression: 'SET #k = :d ADD #n :one',
        ConditionExpression: 'attribute_not_exists(#k)',
        ExpressionAttributeNames: { '#k': 'k_1', '#n': 'n' },
        ExpressionAttributeValues: { ':d': 'deb_1', ':one': 1 },
      },
    };
    const first = [
      { Put: { TableName: T, Item: { PK: 'TX#1', SK: 'A', v: 1, tags: new Set(['x']) }, ConditionExpression: 'attribute_not_exists(PK)' } },
      claimB,
      { Put: { TableName: T, Item: { PK: 'TX#1', SK: 'G', GSI1PK: 'TXG#1', GSI1SK: 'a' } } },
    ];
    expect(await writeTogether(first)).toEqual({ written: true });
    expect(await get('A')).toEqual({ PK: 'TX#1', SK: 'A', v: 1, tags: new Set(['x']) });
    expect(await get('B')).toEqual({ PK: 'TX#1', SK: 'B', k_1: 'deb_1', n: 1 });
    expect(await queryAll({ IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': 'TXG#1' } })).toHaveLength(1);

    // one condition fails: nothing of it is written, and the reasons say which action's condition it was
    const second = [
      { Put: { TableName: T, Item: { PK: 'TX#1', SK: 'C', v: 3 } } },
      { ...claimB, Update: { ...claimB.Update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } },
      { Delete: { TableName: T, Key: { PK: 'TX#1', SK: 'A' } } },
      { Update: { TableName: T, Key: { PK: 'TX#1', SK: 'G' }, UpdateExpression: 'SET GSI1SK = :b', ExpressionAttributeValues: { ':b': 'b' } } },
    ];
    expect(await writeTogether(second)).toEqual({ written: false, conditionFailed: [false, true, false, false] });
    const cancelled = await dynamo().send(new TransactWriteCommand({ TransactItems: second })).catch((e) => e);
    expect(cancelled.name).toBe('TransactionCanceledException');
    expect(cancelled.CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { PK: { S: 'TX#1' }, SK: { S: 'B' }, k_1: { S: 'deb_1' }, n: { N: '1' } } },
      { Code: 'None' },
      { Code: 'None' },
    ]);
    expect(await get('C')).toBeUndefined();
    expect(await get('A')).toBeDefined();
    expect((await get('G'))?.GSI1SK).toBe('a');
    // an action that cannot be carried out (ADD a number to a string) cancels it too
    const bad = await dynamo()
      .send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: T, Item: { PK: 'TX#1', SK: 'C', v: 3 } } },
            { Update: { TableName: T, Key: { PK: 'TX#1', SK: 'B' }, UpdateExpression: 'ADD k_1 :one', ExpressionAttributeValues: { ':one': 1 } } },
          ],
        }),
      )
      .catch((e) => e);
    expect(bad.name).toBe('TransactionCanceledException');
    expect(bad.CancellationReasons.map((r: { Code: string }) => r.Code)).toEqual(['None', 'ValidationError']);
    expect(await get('C')).toBeUndefined();
    // two actions on one item are refused as a whole
    const twice = await dynamo()
      .send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: T, Item: { PK: 'TX#1', SK: 'C' } } }, { Delete: { TableName: T, Key: { PK: 'TX#1', SK: 'C' } } }] }))
      .catch((e) => e);
    expect(twice.name).toBe('ValidationException');

    // all of it when every condition holds: the put, the delete, the update that moves the index entry
    const third = [second[0]!, { ConditionCheck: { TableName: T, Key: { PK: 'TX#1', SK: 'B' }, ConditionExpression: 'attribute_exists(k_1)' } }, second[2]!, second[3]!];
    expect(await writeTogether(third)).toEqual({ written: true });
    expect(await get('C')).toEqual({ PK: 'TX#1', SK: 'C', v: 3 });
    expect(await get('A')).toBeUndefined();
    expect(await queryAll({ IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK = :b', ExpressionAttributeValues: { ':pk': 'TXG#1', ':b': 'b' } })).toHaveLength(1);
    expect(await queryAll({ IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK = :a', ExpressionAttributeValues: { ':pk': 'TXG#1', ':a': 'a' } })).toHaveLength(0);

    // the same token and request again (a retry whose answer was lost) answers as the first time and writes nothing
    const once = { ClientRequestToken: `tok-${_name}`, TransactItems: [{ Put: { TableName: T, Item: { PK: 'TX#1', SK: 'D', v: 1 }, ConditionExpression: 'attribute_not_exists(PK)' } }] };
    await dynamo().send(new TransactWriteCommand(once));
    await dynamo().send(new PutCommand({ TableName: T, Item: { PK: 'TX#1', SK: 'D', v: 2 } }));
    await dynamo().send(new TransactWriteCommand(once));
    expect((await get('D'))?.v).toBe(2);
    const other = await dynamo()
      .send(new TransactWriteCommand({ ...once, TransactItems: [{ Put: { TableName: T, Item: { PK: 'TX#1', SK: 'E' } } }] }))
      .catch((e) => e);
    expect(other.name).toBe('IdempotentParameterMismatchException');

    if (_name === 'dynalite') {
      // DynamoDB's price of a transaction, which the benchmark counts: twice the units of the same single writes (the
      // in-process table reports no capacity)
      const item = { PK: 'TX#1', SK: 'F', text: 'x'.repeat(1500) };
      const single = await dynamo().send(new PutCommand({ TableName: T, Item: item, ReturnConsumedCapacity: 'TOTAL' }));
      const together = await dynamo().send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: T, Item: { ...item, SK: 'F2' } } }, { Put: { TableName: T, Item: { PK: 'TX#1', SK: 'F3' } } }], ReturnConsumedCapacity: 'TOTAL' }));
      expect(single.ConsumedCapacity?.CapacityUnits).toBe(2);
      expect(together.ConsumedCapacity).toEqual([{ TableName: T, CapacityUnits: 2 * (2 + 1) }]);
    }
  });

  it('the stream sees what a transaction commits, once, with the image before', async () => {
    const seen: Array<{ eventName?: string; SK?: string; writeId: string }> = [];
    backend.streamHandler = async (event) => {
      for (const r of event.Records) seen.push({ eventName: r.eventName, SK: r.dynamodb!.Keys!.SK!.S, writeId: decodeCounters(r.dynamodb!.NewImage![COUNTERS_ATTR]!.S!).writeId });
      return { batchItemFailures: [] };
    };
    const T = tableName();
    const carrying = (SK: string, writeId: string) => ({ PK: 'TXS#1', SK, [COUNTERS_ATTR]: encodeCounters(writeId, [{ PK: 'KPI#acme#2026-03-03', SK: 'S#0', add: { 'channel:email|c': 1 } }]) });
    await dynamo().send(new PutCommand({ TableName: T, Item: { PK: 'TXS#1', SK: 'B' } }));
    expect(await writeTogether([{ Put: { TableName: T, Item: carrying('A', 'w1') } }, { Put: { TableName: T, Item: carrying('B', 'w2') } }, { Put: { TableName: T, Item: { PK: 'TXS#1', SK: 'C' } } }])).toEqual({ written: true });
    // cancelled: nothing reaches the stream
    expect((await writeTogether([{ Put: { TableName: T, Item: carrying('D', 'w3') } }, { Put: { TableName: T, Item: { PK: 'TXS#1', SK: 'C' }, ConditionExpression: 'attribute_not_exists(PK)' } }])).written).toBe(false);
    await backend.stream!.flush();
    expect(seen).toEqual([
      { eventName: 'INSERT', SK: 'A', writeId: 'w1' },
      { eventName: 'MODIFY', SK: 'B', writeId: 'w2' },
    ]);
    backend.streamHandler = undefined;
  });

  it('queries: sort order, begins_with, BETWEEN, reverse, paging with Limit, a GSI', async () => {
    for (let i = 0; i < 7; i++) {
      await dynamo().send(new PutCommand({ TableName: tableName(), Item: { PK: 'Q#1', SK: `S#${String(9 - i).padStart(2, '0')}`, GSI1PK: 'G#1', GSI1SK: `${i}`, i } }));
    }
    const q = async (extra: Record<string, unknown>) =>
      (await dynamo().send(new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'PK = :pk AND SK BETWEEN :a AND :b', ExpressionAttributeValues: { ':pk': 'Q#1', ':a': 'S#04', ':b': 'S#07' }, ...extra }))).Items!.map((x) => x.SK);
    expect(await q({})).toEqual(['S#04', 'S#05', 'S#06', 'S#07']);
    expect(await q({ ScanIndexForward: false })).toEqual(['S#07', 'S#06', 'S#05', 'S#04']);
    const page1 = await dynamo().send(new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'Q#1' }, Limit: 3 }));
    expect(page1.Items!.map((x) => x.i)).toEqual([6, 5, 4]);
    expect(page1.LastEvaluatedKey).toEqual({ PK: 'Q#1', SK: 'S#05' });
    const all = await queryAll<{ i: number }>({ IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': 'G#1' }, Limit: 2 });
    expect(all.map((x) => x.i)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('the store modules: references, idempotency keys, payments, identity keys, webhook receipts, tasks, timeline', async () => {
    const claim = { dossierId: 'dos_1', requestHash: 'h1' };
    expect((await claimReference('acme', 'INV-1', claim)).claimed).toBe(true);
    expect(await claimReference('acme', 'INV-1', { ...claim, dossierId: 'dos_2' })).toEqual({ claimed: false, claim });
    expect((await claimIdempotencyKey('acme', 'k1', claim, 9_999_999_999)).claimed).toBe(true);
    await releaseIdempotencyKey('acme', 'k1', 'dos_other'); // not the owner: stays
    expect((await claimIdempotencyKey('acme', 'k1', { ...claim, dossierId: 'dos_3' }, 1)).claimed).toBe(false);
    await releaseIdempotencyKey('acme', 'k1', 'dos_1');
    expect((await claimIdempotencyKey('acme', 'k1', { ...claim, dossierId: 'dos_3' }, 1)).claimed).toBe(true);
    const p = { paymentKey: 'ref:1', amount: 500, paidAt: '2026-03-02T10:00:00.000Z', recordedAt: '2026-03-02T10:00:00.000Z' };
    expect((await recordPaymentOnce('dos_1', p)).created).toBe(true);
    expect(await recordPaymentOnce('dos_1', { ...p, amount: 900 })).toEqual({ created: false, record: p });

    expect(await claimIdentityKeys('sam voorbeeld', ['phone:+31600000001', 'email:a@b.nl'], 'deb_1')).toBe(true);
    expect(await claimIdentityKeys('sam voorbeeld', ['phone:+31600000001', 'pc:1234ab1'], 'deb_2')).toBe(false);
    await addIdentityKeys('sam voorbeeld', ['phone:+31600000001', 'pc:1234ab1'], 'deb_2');
    expect(await identityOwners('sam voorbeeld', ['phone:+31600000001', 'pc:1234ab1', 'email:a@b.nl', 'x'])).toEqual({ 'phone:+31600000001': 'deb_1', 'pc:1234ab1': 'deb_2', 'email:a@b.nl': 'deb_1' });

    const r1 = await webhookReceipt('twilio-in', 'SM1', new Date('2026-03-02T10:00:00Z'));
    expect(r1.done).toBe(false);
    await webhookDone('twilio-in', 'SM1');
    expect(await webhookReceipt('twilio-in', 'SM1', new Date('2026-03-02T11:00:00Z'))).toEqual({ at: r1.at, done: true });

    const task = { taskId: 'task_1', reason: 'call' as const, caseId: 'deb_1', journeyNo: 1, stepNo: 3, status: 'open' as const, dueAt: '2026-03-05T09:00:00.000Z', createdAt: '2026-03-02T09:00:00.000Z', dossierIds: ['dos_1'], context: {} };
    expect(await createTaskOnce(task)).toBe(true);
    expect(await createTaskOnce(task)).toBe(false);
    expect((await tasksWithStatus('open')).map((t) => t.taskId)).toEqual(['task_1']);
    expect(await closeOpenTask('task_1', task.dueAt, 'expired', '2026-03-06T09:00:00.000Z')).toBe(true);
    expect(await closeOpenTask('task_1', task.dueAt, 'expired', '2026-03-06T09:00:00.000Z')).toBe(false);
    expect((await tasksWithStatus('expired')).map((t) => t.status)).toEqual(['expired']);

    await appendEvents('deb_1', [
      { eventId: 'b', at: '2026-03-02T10:00:00.000Z', type: 'sent', detail: 'second', dossierIds: ['dos_1'] },
      { eventId: 'a', at: '2026-03-02T09:00:00.000Z', type: 'decision', detail: 'first', dossierIds: ['dos_1'] },
    ]);
    expect((await caseTimeline('deb_1')).map((e) => e.detail)).toEqual(['first', 'second']);
    expect((await getEvent('deb_1', '2026-03-02T10:00:00.000Z', 'b'))?.type).toBe('sent');
  });

  it('string sets: ADD unions (a number’s opt-outs), DELETE takes elements out, the wrong type is refused; sets come back as sets', async () => {
    const at = '2026-03-02T10:00:00.000Z';
    await recordNumberOptOut('+31600000009', ['sms'], at);
    await recordNumberOptOut('+31600000009', ['sms', 'whatsapp'], at);
    const item = (await dynamo().send(new GetCommand({ TableName: tableName(), Key: { PK: 'PHONE#+31600000009', SK: 'OPTOUT' } }))).Item!;
    expect(item.channels).toBeInstanceOf(Set);
    expect([...(item.channels as Set<string>)].sort()).toEqual(['sms', 'whatsapp']);
    const upd = (expr: string, values: Record<string, unknown>) =>
      dynamo().send(new UpdateCommand({ TableName: tableName(), Key: { PK: 'S#1', SK: 'S' }, UpdateExpression: expr, ExpressionAttributeNames: { '#c': 'c' }, ExpressionAttributeValues: values, ReturnValues: 'ALL_NEW' }));
    expect([...((await upd('ADD #c :c', { ':c': new Set(['a', 'b']) })).Attributes!.c as Set<string>)].sort()).toEqual(['a', 'b']);
    expect([...((await upd('DELETE #c :c', { ':c': new Set(['a', 'x']) })).Attributes!.c as Set<string>)]).toEqual(['b']);
    // the last element out: the attribute is gone (no empty sets)
    expect((await upd('DELETE #c :c', { ':c': new Set(['b']) })).Attributes).toEqual({ PK: 'S#1', SK: 'S' });
    await upd('SET #c = :n', { ':n': 3 });
    const wrong = await upd('ADD #c :c', { ':c': new Set(['a']) }).catch((e) => e);
    expect((wrong as Error).name).toBe('ValidationException');
    expect((await dynamo().send(new GetCommand({ TableName: tableName(), Key: { PK: 'S#1', SK: 'S' } }))).Item?.c).toBe(3);
    // a refused update of a missing item creates none
    const none = await dynamo()
      .send(new UpdateCommand({ TableName: tableName(), Key: { PK: 'S#2', SK: 'S' }, UpdateExpression: 'SET a = :v, missing.deep = :v', ExpressionAttributeValues: { ':v': 1 } }))
      .catch((e) => e);
    expect((none as Error).name).toBe('ValidationException');
    expect((await dynamo().send(new GetCommand({ TableName: tableName(), Key: { PK: 'S#2', SK: 'S' } }))).Item).toBeUndefined();
    // a set in a put comes back as a set; a condition on it compares its elements
    await dynamo().send(new PutCommand({ TableName: tableName(), Item: { PK: 'S#3', SK: 'S', tags: new Set(['x', 'y']), n: 1 } }));
    await dynamo().send(
      new UpdateCommand({ TableName: tableName(), Key: { PK: 'S#3', SK: 'S' }, UpdateExpression: 'SET n = :two', ConditionExpression: 'contains(tags, :y) AND size(tags) = :two', ExpressionAttributeValues: { ':y': 'y', ':two': 2 } }),
    );
    const s3 = (await dynamo().send(new GetCommand({ TableName: tableName(), Key: { PK: 'S#3', SK: 'S' } }))).Item!;
    expect(s3.n).toBe(2);
    expect(s3.tags).toEqual(new Set(['x', 'y']));
  });

  it('intake’s one BatchGet: the first version’s look-ups and the number’s opt-outs, missing keys left out; projections', async () => {
    expect(await earlierUse('+31600000008', 'nobody@example.invalid')).toEqual({ legacyOwners: [], phoneOptOuts: [] });
    await writeItems([
      { PK: 'PHONE#+31600000008', SK: 'PHONE', debtorId: 'deb_old' },
      { PK: 'EMAIL#old@example.invalid', SK: 'EMAIL', debtorId: 'deb_old' },
      phoneIndexItem('+31600000008', 'deb_new', '2026-03-02T10:00:00.000Z'),
    ]);
    await recordNumberOptOut('+31600000008', ['all'], '2026-03-02T10:00:00.000Z');
    expect(await earlierUse('+31600000008', 'old@example.invalid')).toEqual({ legacyOwners: ['deb_old'], phoneOptOuts: ['all'] });
    expect(await earlierUse(undefined, undefined)).toEqual({ legacyOwners: [], phoneOptOuts: [] });
    const keys = [
      { PK: 'PHONE#+31600000008', SK: 'PHONE' },
      { PK: 'PHONE#+31600000008', SK: 'OPTOUT' },
    ];
    const res = await dynamo().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: keys, ProjectionExpression: '#d, SK', ExpressionAttributeNames: { '#d': 'debtorId' } } } }));
    expect(res.Responses![tableName()]!.sort((a, b) => String(a.SK).localeCompare(String(b.SK)))).toEqual([{ SK: 'OPTOUT' }, { SK: 'PHONE', debtorId: 'deb_old' }]);
    const dup = await dynamo()
      .send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: [keys[0], keys[0]] } } }))
      .catch((e) => e);
    expect((dup as Error).name).toBe('ValidationException');
    const got = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys[0], ProjectionExpression: 'debtorId' }));
    expect(got.Item).toEqual({ debtorId: 'deb_old' });
  });

  it('answers to replies: planned once, claimed once (planned → sending), settled; the latest events of a case, newest pages first', async () => {
    const rec = { messageSid: 'SMin1', caseId: 'deb_1', channel: 'sms' as const, to: '+31600000001', answer: 'promise_to_pay' as const, dossierIds: ['dos_1'], sendAt: '2026-03-02T10:00:00.000Z', status: 'planned' as const };
    expect(await planAnswer(rec)).toEqual(rec);
    expect(await planAnswer({ ...rec, answer: 'dispute' })).toEqual(rec);
    const claimed = await claimAnswer('SMin1', '2026-03-02T10:00:01.000Z');
    expect(claimed).toEqual({ ...rec, status: 'sending', claimedAt: '2026-03-02T10:00:01.000Z' });
    expect(await claimAnswer('SMin1', '2026-03-02T10:00:02.000Z')).toBeUndefined();
    await settleAnswer('SMin1', 'sent', { providerId: 'SMout1', sentAt: '2026-03-02T10:00:03.000Z', reason: undefined });
    expect(await getAnswer('SMin1')).toEqual({ ...rec, status: 'sent', claimedAt: '2026-03-02T10:00:01.000Z', providerId: 'SMout1', sentAt: '2026-03-02T10:00:03.000Z' });

    const events = Array.from({ length: 7 }, (_, i) => ({ eventId: `e${i}`, at: `2026-03-0${i + 1}T10:00:00.000Z`, type: 'sent' as const, detail: `n${i}`, dossierIds: ['dos_1'] }));
    await appendEvents('deb_recent', events);
    expect((await recentTimeline('deb_recent', 3)).map((e) => e.detail)).toEqual(['n4', 'n5', 'n6']);
    expect((await recentTimeline('deb_recent', 50)).map((e) => e.detail)).toEqual(events.map((e) => e.detail));
  });

  it('creditor operations and payments (issues 13b, 9): a client\'s listing with filters and paging, a refused payment forgotten, checkouts, rate counters', async () => {
    const d = (id: string, status: string, createdAt: string) => ({ dossierId: id, clientId: 'lst', debtorId: `deb_${id}`, reference: `R-${id}`, status, createdAt, updatedAt: createdAt });
    await writeItems([
      dossierItem(d('l1', 'open', '2026-03-01T10:00:00.000Z')),
      dossierItem(d('l2', 'open', '2026-03-02T10:00:00.000Z')),
      dossierItem(d('l3', 'paid', '2026-03-02T11:00:00.000Z')),
      dossierItem(d('l4', 'open', '2026-03-03T10:00:00.000Z')),
      dossierItem({ ...d('o1', 'open', '2026-03-02T10:00:00.000Z'), clientId: 'other' }),
    ]);
    const open = await listClientDossiers('lst', { status: 'open', limit: 2 });
    expect(open.items.map((x) => x.dossierId)).toEqual(['l1', 'l2']);
    expect((await listClientDossiers('lst', { status: 'open', limit: 2, after: open.after! })).items.map((x) => x.dossierId)).toEqual(['l4']);
    expect((await listClientDossiers('lst', { status: 'open', from: '2026-03-02T00:00:00.000Z', limit: 10 })).items.map((x) => x.dossierId)).toEqual(['l2', 'l4']);
    // without a status the creation range is a filter: a page may take several reads, Limit counts before the filter
    const range = await listClientDossiers('lst', { from: '2026-03-02T00:00:00.000Z', to: '2026-03-02T23:59:59.999Z', limit: 1 });
    expect(range.items.map((x) => x.dossierId)).toEqual(['l2']);
    expect((await listClientDossiers('lst', { from: '2026-03-02T00:00:00.000Z', to: '2026-03-02T23:59:59.999Z', limit: 5, after: range.after! })).items.map((x) => x.dossierId)).toEqual(['l3']);

    const p = { paymentKey: 'mollie:tr_1', amount: 700, paidAt: '2026-03-02T10:00:00.000Z', recordedAt: '2026-03-02T10:00:01.000Z' };
    await recordPaymentOnce('dos_f', p);
    await forgetPayment('dos_f', { ...p, recordedAt: '2026-03-02T10:00:02.000Z' }); // another attempt's record: stays
    expect((await recordPaymentOnce('dos_f', { ...p, amount: 1 })).created).toBe(false);
    await forgetPayment('dos_f', p);
    expect((await recordPaymentOnce('dos_f', p)).created).toBe(true);

    const c = { providerId: 'tr_1', debtorId: 'deb_1', allocation: [['dos_1', 700]] as Array<[string, number]>, scope: 'acme', amount: 700, createdAt: '2026-03-02T10:00:00.000Z', reversed: 0 };
    await putCheckout(c);
    await putCheckout({ ...c, amount: 1 }); // once: the first stays
    expect(await getCheckout('tr_1')).toEqual(c);
    expect(await markReversed('tr_1', 0, 200)).toBe(true);
    expect(await markReversed('tr_1', 0, 300)).toBe(false);
    expect((await getCheckout('tr_1'))?.reversed).toBe(200);

    const now = new Date('2026-03-02T10:00:30Z');
    expect(await countHit('page:1.2.3.4', now, 60)).toBe(1);
    expect(await countHit('page:1.2.3.4', now, 60)).toBe(2);
    expect(await countHit('page:1.2.3.4', new Date('2026-03-02T10:01:00Z'), 60)).toBe(1);
    const upd = await dynamo().send(
      new UpdateCommand({ TableName: tableName(), Key: { PK: 'T#rv', SK: 'A' }, UpdateExpression: 'SET a = :a, b = if_not_exists(b, :b) ADD n :one', ExpressionAttributeValues: { ':a': 'x', ':b': 'y', ':one': 1 }, ReturnValues: 'UPDATED_NEW' }),
    );
    expect(upd.Attributes).toEqual({ a: 'x', b: 'y', n: 1 });
    const old = await dynamo().send(
      new UpdateCommand({ TableName: tableName(), Key: { PK: 'T#rv', SK: 'A' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 }, ReturnValues: 'UPDATED_OLD' }),
    );
    expect(old.Attributes).toEqual({ n: 1 });
  });

  it('the learning counters: ADDs per scope, day and shard add up; experiment counters per variant and day', async () => {
    await putClient({ clientId: 'ka', name: 'A' }, 'key-ka');
    await putClient({ clientId: 'kb', name: 'B' }, 'key-kb');
    expect((await clientIds()).filter((c) => c.startsWith('k'))).toEqual(['ka', 'kb']);
    await addKpis('deb_a', [{ scope: 'ka', day: '2026-03-02', add: { 'channel:sms|c': 1, 'channel:sms|k': 8 } }]);
    await addKpis('deb_b', [{ scope: 'ka', day: '2026-03-02', add: { 'channel:sms|c': 2, 'channel:email|c': 1 } }]);
    await addKpis('deb_c', [{ scope: 'ka', day: '2026-03-03', add: { 'channel:sms|c': 5 } }]);
    // a contact about both creditors' claims: one contact for the agency (a correction in the first creditor's item)
    await addKpis('deb_d', [
      { scope: 'ka', day: '2026-03-03', add: { 'channel:sms|c': 1, '~channel:sms|c': -1 } },
      { scope: 'kb', day: '2026-03-03', add: { 'channel:sms|c': 1 } },
    ]);
    const view = (k: Map<string, Record<string, number>>) => Object.fromEntries([...k.entries()].map(([d, v]) => [d, Object.fromEntries(Object.entries(v).filter(([a]) => a.includes('|')))]));
    expect(view(await readKpis('ka', ['2026-03-01', '2026-03-02', '2026-03-03']))).toEqual({
      '2026-03-02': { 'channel:sms|c': 3, 'channel:sms|k': 8, 'channel:email|c': 1 },
      '2026-03-03': { 'channel:sms|c': 6 },
    });
    expect(view(await readKpis('kb', ['2026-03-03']))).toEqual({ '2026-03-03': { 'channel:sms|c': 1 } });
    expect(view(await readKpis('*', ['2026-03-02', '2026-03-03']))).toEqual({
      '2026-03-02': { 'channel:sms|c': 3, 'channel:sms|k': 8, 'channel:email|c': 1 },
      '2026-03-03': { 'channel:sms|c': 6 },
    });
    await addExperimentCounts('deb_a', [{ experimentId: 'x1', variant: 'b', day: '2026-03-02', add: { n: 1, paid: 1, cents: 500, sq: 250_000, payers: 1 } }]);
    await addExperimentCounts('deb_b', [{ experimentId: 'x1', variant: 'b', day: '2026-03-02', add: { n: 1 } }]);
    await addExperimentCounts('deb_b', [{ experimentId: 'x1', variant: 'a', day: '2026-03-03', add: { n: 1, reacted: 1 } }]);
    expect(await readExperimentDays('x1')).toEqual([
      { variant: 'a', day: '2026-03-03', n: 1, reacted: 1, promised: 0, paid: 0, payers: 0, cents: 0, sq: 0 },
      { variant: 'b', day: '2026-03-02', n: 2, reacted: 0, promised: 0, paid: 1, payers: 1, cents: 500, sq: 250_000 },
    ]);
  });

  it('a claim stores the experiments the debtor joins, and refuses one that would change a variant the case holds or join it twice', async () => {
    const s = caseWith([{ dossierId: 'dos_x', clientId: 'acme', email: 'x@example.invalid' }], `deb_exp_${_name.replace(/\W/g, '')}`);
    expect(await createCase(s)).toBe(true);
    const at = '2026-03-03T09:00:00.000Z';
    const claim = (stepNo: number, variant: string, seen: number) =>
      claimStep({
        caseId: s.caseId,
        journeyNo: 1,
        seenEventSeq: seen,
        contact: { at, channel: 'email', phase: 'reminder', tone: 'friendly', stepNo, journeyNo: 1, dossierIds: ['dos_x'], x: [`tone-test:${variant}`] },
        token: 't',
        timer: 'x',
        assignments: [{ experimentId: 'tone-test', variant }],
        at,
      });
    const first = await claim(1, 'b', s.eventSeq);
    expect(first?.experiments).toEqual({ 'tone-test': { variant: 'b', at, journeyNo: 1 } });
    expect(first?.journey.contacts[0]?.x).toEqual(['tone-test:b']);
    expect(await claim(2, 'c', s.eventSeq)).toBeUndefined();
    // joining now what the case holds already (a race with another claim): refused, or the exposure would count twice
    expect(await claim(2, 'b', s.eventSeq)).toBeUndefined();
    const read = await readCase(s.caseId);
    expect(read?.v === 2 && read.item.experiments['tone-test']?.variant).toBe('b');
  });

  it('the stream: each write that records an event carries its counter writes once, every other write of the case drops them', async () => {
    const seen: Array<{ eventName?: string; PK?: string; writeId: string; writes: unknown }> = [];
    backend.streamHandler = async (event) => {
      for (const r of event.Records) {
        const { writeId, writes } = decodeCounters(r.dynamodb!.NewImage![COUNTERS_ATTR]!.S!);
        seen.push({ eventName: r.eventName, PK: r.dynamodb!.Keys!.PK!.S, writeId, writes });
      }
      return { batchItemFailures: [] };
    };
    const s = caseWith([{ dossierId: 'dos_s', clientId: 'acme', email: 's@example.invalid' }], `deb_stream_${_name.replace(/\W/g, '')}`);
    expect(await createCase(s)).toBe(true);
    const at = '2026-03-03T09:00:00.000Z';
    const w = (n: number) => [{ PK: 'KPI#acme#2026-03-03', SK: 'S#0', add: { 'channel:email|c': n } }];
    const claimed = await claimStep({
      caseId: s.caseId,
      journeyNo: 1,
      seenEventSeq: s.eventSeq,
      contact: { at, channel: 'email', phase: 'reminder', tone: 'friendly', stepNo: 1, journeyNo: 1, dossierIds: ['dos_s'] },
      token: 't',
      timer: 'x',
      counters: w(1),
      at,
    });
    expect(claimed).toBeDefined();
    await setToken(s.caseId, 1, 't2'); // no event: the claim's counters must not ride along again
    const now = (await readCase(s.caseId))!;
    expect(now.v).toBe(2);
    if (now.v !== 2) return;
    expect(await saveCase({ ...now.item, eventSeq: now.item.eventSeq + 1 }, now.item.version, w(2))).toBe(true);
    const entry = { eventId: 'send-1-1', at, type: 'sent' as const, detail: 'sent', dossierIds: ['dos_s'], counters: w(3) };
    await appendEvents(s.caseId, [entry]);
    await appendEvents(s.caseId, [entry]); // written again: the same item, no new record
    await backend.stream!.flush();
    expect(seen).toEqual([
      { eventName: 'MODIFY', PK: `DEBTOR#${s.caseId}`, writeId: `C#${s.caseId}#claim#1#1#${at}`, writes: w(1) },
      { eventName: 'MODIFY', PK: `DEBTOR#${s.caseId}`, writeId: `C#${s.caseId}#v${now.item.version + 1}`, writes: w(2) },
      { eventName: 'INSERT', PK: `DEBTOR#${s.caseId}`, writeId: expect.stringMatching(/^E#DEBTOR#.*\|EVENT#/), writes: w(3) },
    ]);
    // readers never see the attribute
    expect(JSON.stringify(await readCase(s.caseId))).not.toContain(COUNTERS_ATTR);
    expect(JSON.stringify(await getEvent(s.caseId, at, 'send-1-1'))).not.toContain(`"${COUNTERS_ATTR}"`);
    backend.streamHandler = undefined;
  });
});
