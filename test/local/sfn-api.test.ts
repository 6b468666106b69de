/**
 * The emulator's Step Functions API through the real @aws-sdk/client-sfn: every operation round-trips,
 * and errors arrive as the SDK's typed exceptions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  InvalidOutput,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { StepFunctionsEmulator } from '../../infra/local/sfn/index.js';
import type { Clock } from '../../infra/local/clock.js';
import { ACCOUNT, REGION, T0, settle, sfnClient, virtualClock } from './sfn-helpers.js';

const definition = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Parameters: { 'who.$': '$.who', 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'Park' },
    Park: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'park', Payload: { 'token.$': '$$.Task.Token', 'who.$': '$.who' } },
      HeartbeatSeconds: 600,
      TimeoutSeconds: 3600,
      ResultPath: '$.reply',
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
};

describe('Step Functions API over HTTP with @aws-sdk/client-sfn', () => {
  let clock: Clock;
  let emu: StepFunctionsEmulator;
  let other: StepFunctionsEmulator;
  let sfn: SFNClient;
  let url: string;
  let smArn: string;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    clock = virtualClock();
    emu = new StepFunctionsEmulator({ clock, region: REGION, accountId: ACCOUNT });
    emu.registerFunction('park', async (p) => {
      const { token, who } = p as { token: string; who: string };
      tokens.set(who, token);
      return { parked: who };
    });
    smArn = emu.createStateMachine('api-test', definition);
    url = await emu.listen(0);
    sfn = sfnClient(url);
    other = new StepFunctionsEmulator({ clock, region: REGION, accountId: ACCOUNT });
    other.registerFunction('park', async (p) => void tokens.set(`other:${(p as { who: string }).who}`, (p as { token: string }).token));
    other.createStateMachine('ghost', definition);
  });

  afterAll(async () => {
    await emu.close();
    await other.close();
  });

  it('listens on 127.0.0.1 and builds ARNs like AWS', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(smArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:api-test`);
  });

  it('StartExecution: starts, is idempotent for the same name and input, rejects a different input', async () => {
    const input = JSON.stringify({ who: 'ann', n: 1 });
    const a = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, name: 'ann', input }));
    expect(a.executionArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:api-test:ann`);
    expect(a.startDate).toEqual(new Date(T0));
    // Same name + same input while it runs: the same execution comes back (key order does not matter).
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, name: 'ann', input: JSON.stringify({ n: 1, who: 'ann' }) }));
    expect(again.executionArn).toBe(a.executionArn);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, name: 'ann', input: JSON.stringify({ who: 'ann', n: 2 }) })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    // Without a name a UUID is used.
    const anon = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, input: JSON.stringify({ who: 'anon', n: 0 }) }));
    expect(anon.executionArn).toMatch(/:execution:api-test:[0-9a-f-]{36}$/);
    expect(emu.stats().executionsStarted).toBe(2);
  });

  it('StartExecution errors: unknown machine, bad input, bad name', async () => {
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:nope`, input: '{}' })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, input: '{not json' }))).rejects.toBeInstanceOf(
      InvalidExecutionInput,
    );
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, name: 'has space', input: '{}' }))).rejects.toBeInstanceOf(
      InvalidName,
    );
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: 'not-an-arn', input: '{}' }))).rejects.toBeInstanceOf(InvalidArn);
  });

  it('DescribeExecution: running, then succeeded after SendTaskSuccess; unknown and invalid ARNs', async () => {
    await settle(clock);
    const arn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:api-test:ann`;
    const running = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(running).toMatchObject({ status: 'RUNNING', name: 'ann', stateMachineArn: smArn, input: JSON.stringify({ who: 'ann', n: 1 }) });
    expect(running.stopDate).toBeUndefined();

    await clock.advance(T0 + 60_000);
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: tokens.get('ann')! }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: tokens.get('ann')!, output: JSON.stringify({ ok: true }) }));
    await settle(clock);
    const done = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ who: 'ann', n: 2, reply: { ok: true } });
    expect(done.stopDate).toEqual(new Date(T0 + 60_000));
    // Once closed, the name cannot be reused, even with the same input (STANDARD workflows).
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: smArn, name: 'ann', input: JSON.stringify({ who: 'ann', n: 1 }) })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);

    await expect(
      sfn.send(new DescribeExecutionCommand({ executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:api-test:nobody` })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:nope' }))).rejects.toBeInstanceOf(InvalidArn);
  });

  it('SendTask*: a finished task times out, a forged token is invalid, a token of an unknown execution does not exist', async () => {
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: tokens.get('ann')!, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(sfn.send(new SendTaskFailureCommand({ taskToken: tokens.get('ann')!, error: 'X' }))).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(sfn.send(new SendTaskHeartbeatCommand({ taskToken: tokens.get('ann')! }))).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: 'forged-token', output: '{}' }))).rejects.toBeInstanceOf(InvalidToken);
    const tampered = tokens.get('ann')!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    await expect(sfn.send(new SendTaskHeartbeatCommand({ taskToken: tampered }))).rejects.toBeInstanceOf(InvalidToken);

    // A well-formed token for an execution this emulator does not have.
    const arn = other.createStateMachine('ghost', definition);
    other.api('StartExecution', { stateMachineArn: arn, name: 'g1', input: JSON.stringify({ who: 'g1', n: 0 }) });
    await settle(clock);
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: tokens.get('other:g1')!, output: '{}' }))).rejects.toBeInstanceOf(
      TaskDoesNotExist,
    );
  });

  it('SendTaskSuccess rejects output that is not JSON; SendTaskFailure fails the execution with error and cause', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: smArn, name: 'bob', input: JSON.stringify({ who: 'bob', n: 0 }) }),
    );
    await settle(clock);
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: tokens.get('bob')!, output: '{oops' }))).rejects.toBeInstanceOf(
      InvalidOutput,
    );
    await sfn.send(new SendTaskFailureCommand({ taskToken: tokens.get('bob')!, error: 'Debtor.Disputed', cause: 'disputes the claim' }));
    await settle(clock);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(d).toMatchObject({ status: 'FAILED', error: 'Debtor.Disputed', cause: 'disputes the claim' });
  });

  it('GetExecutionHistory: AWS event types, clock timestamps, ids, paging and reverse order', async () => {
    const arn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:api-test:ann`;
    const all = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    const types = all.events!.map((e) => e.type);
    expect(types).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    all.events!.forEach((e, k) => {
      expect(e.id).toBe(k + 1);
      expect(e.previousEventId).toBe(k);
      expect(e.timestamp).toBeInstanceOf(Date);
    });
    expect(all.events![0]!.timestamp).toEqual(new Date(T0));
    expect(all.events!.at(-1)!.timestamp).toEqual(new Date(T0 + 60_000));
    const scheduled = all.events!.find((e) => e.type === 'TaskScheduled')!.taskScheduledEventDetails!;
    expect(scheduled).toMatchObject({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken', region: REGION, timeoutInSeconds: 3600, heartbeatInSeconds: 600 });
    expect(JSON.parse(scheduled.parameters!)).toMatchObject({ FunctionName: 'park', Payload: { who: 'ann', token: tokens.get('ann') } });
    expect(all.events![0]!.executionStartedEventDetails!.input).toBe(JSON.stringify({ who: 'ann', n: 1 }));
    expect(all.events![1]!.stateEnteredEventDetails).toMatchObject({ name: 'Prepare' });

    const paged: HistoryEvent[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 5, nextToken }));
      paged.push(...page.events!);
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(paged.map((e) => e.id)).toEqual(all.events!.map((e) => e.id));

    const reversed = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 2 }));
    expect(reversed.events!.map((e) => e.type)).toEqual(['ExecutionSucceeded', 'SucceedStateExited']);
    expect(reversed.nextToken).toBeDefined();

    const lean = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, includeExecutionData: false }));
    expect(lean.events![0]!.executionStartedEventDetails!.input).toBeUndefined();
    await expect(
      sfn.send(new GetExecutionHistoryCommand({ executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:api-test:zzz` })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('ListExecutions: by machine, by status, paged, newest first', async () => {
    const all = await sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn }));
    expect(all.executions!.map((e) => e.name).sort()).toEqual(expect.arrayContaining(['ann', 'bob']));
    expect(all.executions!.length).toBe(3);
    const succeeded = await sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn, statusFilter: 'SUCCEEDED' }));
    expect(succeeded.executions!.map((e) => e.name)).toEqual(['ann']);
    const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn, statusFilter: 'RUNNING' }));
    expect(running.executions!.length).toBe(1);
    const first = await sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn, maxResults: 2 }));
    const second = await sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn, maxResults: 2, nextToken: first.nextToken }));
    expect([...first.executions!, ...second.executions!].map((e) => e.executionArn)).toEqual(all.executions!.map((e) => e.executionArn));
    expect(second.nextToken).toBeUndefined();
    // bob started after ann: newest first.
    const names = all.executions!.map((e) => e.name);
    expect(names.indexOf('bob')).toBeLessThan(names.indexOf('ann'));
    await expect(
      sfn.send(new ListExecutionsCommand({ stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:nope` })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });

  it('StopExecution aborts a running execution; its task token is then dead', async () => {
    const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn, statusFilter: 'RUNNING' }));
    const arn = running.executions![0]!.executionArn!;
    const stop = await sfn.send(new StopExecutionCommand({ executionArn: arn, error: 'Case.Closed', cause: 'paid in full' }));
    expect(stop.stopDate).toEqual(new Date(clock.now()));
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(d).toMatchObject({ status: 'ABORTED', error: 'Case.Closed', cause: 'paid in full' });
    const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 1 }));
    expect(h.events![0]).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'Case.Closed', cause: 'paid in full' } });
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: tokens.get('anon')!, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
    expect(emu.stats().running).toBe(0);
  });

  it('DescribeStateMachine returns the definition', async () => {
    const d = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: smArn }));
    expect(d).toMatchObject({ name: 'api-test', status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(d.definition!)).toEqual(definition);
  });

  it('speaks AWS JSON 1.0 on the wire: 400 + {__type, message}, unknown operations rejected', async () => {
    const post = (target: string, body: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target }, body });
    const r = await post('AWSStepFunctions.DescribeExecution', JSON.stringify({ executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:api-test:x` }));
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(await r.json()).toEqual({ __type: 'ExecutionDoesNotExist', message: expect.stringContaining('Execution Does Not Exist') });
    const u = await post('AWSStepFunctions.CreateActivity', '{}');
    expect(u.status).toBe(400);
    expect(((await u.json()) as { __type: string }).__type).toBe('UnknownOperationException');
    const bad = await post('AWSStepFunctions.StartExecution', '{oops');
    expect(((await bad.json()) as { __type: string }).__type).toBe('SerializationException');
  });
});
