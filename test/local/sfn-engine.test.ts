/**
 * Engine semantics on the virtual clock: callbacks (success, failure, timeout via TimeoutSecondsPath),
 * heartbeats, long waits, Retry backoff timing, the context object, error shapes, runtime errors,
 * a SendTaskSuccess that races its own handler, and what createStateMachine rejects.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { Clock } from '../../infra/local/clock.js';
import { DefinitionError, StepFunctionsEmulator, type LambdaHandler } from '../../infra/local/sfn/index.js';
import { ACCOUNT, REGION, T0, describeExec, history, settle, sfnClient, statesEntered, virtualClock } from './sfn-helpers.js';

const CALLBACK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const INVOKE = 'arn:aws:states:::lambda:invoke';
const DAY = 86_400_000;

let open: StepFunctionsEmulator[] = [];
afterEach(async () => {
  await Promise.all(open.map((e) => e.close()));
  open = [];
});

function setup(definition: object, fns: Record<string, LambdaHandler> = {}, clock = virtualClock()) {
  const emu = new StepFunctionsEmulator({ clock, region: REGION, accountId: ACCOUNT });
  open.push(emu);
  for (const [n, f] of Object.entries(fns)) emu.registerFunction(n, f);
  const smArn = emu.createStateMachine('engine', definition);
  let k = 0;
  const start = (input: unknown, name = `e${++k}`) =>
    (emu.api('StartExecution', { stateMachineArn: smArn, name, input: JSON.stringify(input) }) as { executionArn: string }).executionArn;
  return { emu, clock, smArn, start };
}

/** Park → Next: a callback task whose timeout comes from the input. */
const parkMachine = {
  StartAt: 'Park',
  States: {
    Park: {
      Type: 'Task',
      Resource: CALLBACK,
      Parameters: { FunctionName: 'park', Payload: { 'token.$': '$$.Task.Token', 'caseId.$': '$.caseId' } },
      TimeoutSecondsPath: '$.awaitSeconds',
      ResultPath: '$.reaction',
      Catch: [
        { ErrorEquals: ['States.Timeout'], ResultPath: '$.timedOut', Next: 'After' },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'After' },
      ],
      Next: 'After',
    },
    After: { Type: 'Pass', End: true },
  },
};

describe('callbacks (.waitForTaskToken)', () => {
  it('SendTaskSuccess completes the task with its output at ResultPath', async () => {
    const tokens: string[] = [];
    const { emu, clock, start } = setup(parkMachine, { park: async (p) => void tokens.push((p as { token: string }).token) });
    const url = await emu.listen(0);
    const arn = start({ caseId: 'c1', awaitSeconds: 3600 });
    await settle(clock);
    expect(tokens).toHaveLength(1);
    expect(describeExec(emu, arn).status).toBe('RUNNING');
    await clock.advance(T0 + 600_000);
    await sfnClient(url).send(new SendTaskSuccessCommand({ taskToken: tokens[0]!, output: JSON.stringify({ intent: 'promise_to_pay' }) }));
    await settle(clock);
    const d = describeExec(emu, arn);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ caseId: 'c1', awaitSeconds: 3600, reaction: { intent: 'promise_to_pay' } });
    expect(d.stopDate).toBe((T0 + 600_000) / 1000);
    const types = history(emu, arn).map((e) => e.type);
    expect(types.slice(2, 7)).toEqual(['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited']);
  });

  it('SendTaskFailure fails the task with its error and cause (caught as {Error, Cause})', async () => {
    const tokens: string[] = [];
    const { emu, clock, start } = setup(parkMachine, { park: async (p) => void tokens.push((p as { token: string }).token) });
    const arn = start({ caseId: 'c2', awaitSeconds: 3600 });
    await settle(clock);
    emu.api('SendTaskFailure', { taskToken: tokens[0], error: 'Debtor.Disputed', cause: 'not my debt' });
    await settle(clock);
    const out = JSON.parse(describeExec(emu, arn).output!);
    expect(out.error).toEqual({ Error: 'Debtor.Disputed', Cause: 'not my debt' });
    expect(history(emu, arn).find((e) => e.type === 'TaskFailed')!.taskFailedEventDetails).toMatchObject({
      error: 'Debtor.Disputed',
      cause: 'not my debt',
      resource: 'invoke.waitForTaskToken',
    });
  });

  it('times out exactly at TimeoutSecondsPath (States.Timeout, not matched by States.TaskFailed)', async () => {
    const machine = structuredClone(parkMachine) as typeof parkMachine & { States: { Park: { Retry?: unknown } } };
    machine.States.Park.Retry = [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 5 }];
    const { emu, clock, start } = setup(machine, { park: async () => ({ sent: true }) });
    const arn = start({ caseId: 'c3', awaitSeconds: 7200 });
    await settle(clock);
    await clock.advance(T0 + 7_199_999);
    expect(describeExec(emu, arn).status).toBe('RUNNING');
    await clock.advance(T0 + 7_200_000);
    const d = describeExec(emu, arn);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!).timedOut).toEqual({ Error: 'States.Timeout' });
    const timedOut = history(emu, arn).find((e) => e.type === 'TaskTimedOut')!;
    expect(timedOut.timestamp).toBe((T0 + 7_200_000) / 1000);
    expect(timedOut.taskTimedOutEventDetails).toMatchObject({ error: 'States.Timeout' });
    expect(history(emu, arn).filter((e) => e.type === 'TaskScheduled')).toHaveLength(1); // no retry on Timeout
  });

  it('a token-based wait of 45 days times out on the day (timers past 2^31 ms)', async () => {
    const { emu, clock, start } = setup(parkMachine, { park: async () => null });
    const arn = start({ caseId: 'c4', awaitSeconds: 45 * 86_400 });
    await settle(clock);
    await clock.advance(T0 + 45 * DAY - 1);
    expect(describeExec(emu, arn).status).toBe('RUNNING');
    await clock.advance(T0 + 45 * DAY);
    expect(describeExec(emu, arn).stopDate).toBe((T0 + 45 * DAY) / 1000);
  });

  it('a SendTaskSuccess from inside the running handler completes the task once the handler returns', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let returned = false;
    const { emu, clock, start } = setup(parkMachine, {
      park: async (p) => {
        const { token } = p as { token: string };
        // The handler wakes its own task immediately (e.g. the debtor already replied)…
        emu.api('SendTaskSuccess', { taskToken: token, output: JSON.stringify({ early: true }) });
        // …and a second delivery for the same task is refused, like AWS.
        expect(() => emu.api('SendTaskSuccess', { taskToken: token, output: '{}' })).toThrow(/Task Timed Out/);
        await gate;
        returned = true;
        return { sent: true };
      },
    });
    const arn = start({ caseId: 'c5', awaitSeconds: 60 });
    await new Promise((r) => setTimeout(r, 20));
    expect(describeExec(emu, arn).status).toBe('RUNNING'); // not completed while the handler runs
    release();
    await settle(clock);
    expect(returned).toBe(true);
    const d = describeExec(emu, arn);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!).reaction).toEqual({ early: true });
    const types = history(emu, arn).map((e) => e.type);
    expect(types.indexOf('TaskSubmitted')).toBeLessThan(types.indexOf('TaskSucceeded'));
  });

  it('the same works over HTTP with the SDK, and an accepted callback wins over a handler that then throws', async () => {
    let url = '';
    const { emu, clock, start } = setup(parkMachine, {
      park: async (p) => {
        const { token } = p as { token: string };
        await sfnClient(url).send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ via: 'sdk' }) }));
        throw new Error('failed after waking the task');
      },
    });
    url = await emu.listen(0);
    const arn = start({ caseId: 'c6', awaitSeconds: 60 });
    await settle(clock);
    expect(JSON.parse(describeExec(emu, arn).output!).reaction).toEqual({ via: 'sdk' });
  });

  it('heartbeats extend HeartbeatSeconds; a missed heartbeat fails with States.HeartbeatTimeout', async () => {
    const machine = {
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: CALLBACK,
          Parameters: { FunctionName: 'park', Payload: { 'token.$': '$$.Task.Token' } },
          HeartbeatSeconds: 60,
          TimeoutSeconds: 600,
          End: true,
        },
      },
    };
    const tokens: string[] = [];
    const { emu, clock, start } = setup(machine, { park: async (p) => void tokens.push((p as { token: string }).token) });
    const arn = start({});
    await settle(clock);
    await clock.advance(T0 + 50_000);
    emu.api('SendTaskHeartbeat', { taskToken: tokens[0] });
    await clock.advance(T0 + 109_999);
    expect(describeExec(emu, arn).status).toBe('RUNNING');
    await clock.advance(T0 + 110_000);
    expect(describeExec(emu, arn)).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
  });
});

describe('waits and retries on the clock', () => {
  it('a 40-day Wait fires exactly at its time', async () => {
    const machine = { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 40 * 86_400, Next: 'Go' }, Go: { Type: 'Pass', End: true } } };
    const { emu, clock, start } = setup(machine);
    const arn = start({ n: 1 });
    await settle(clock);
    await clock.advance(T0 + 40 * DAY - 1);
    expect(describeExec(emu, arn).status).toBe('RUNNING');
    expect(clock.nextTimerAt()).toBe(T0 + 40 * DAY);
    await clock.advance(T0 + 40 * DAY);
    const d = describeExec(emu, arn);
    expect(d.status).toBe('SUCCEEDED');
    expect(d.stopDate).toBe((T0 + 40 * DAY) / 1000);
    const exited = history(emu, arn).find((e) => e.type === 'WaitStateExited')!;
    expect(exited.timestamp).toBe((T0 + 40 * DAY) / 1000);
  });

  it('Wait with SecondsPath, TimestampPath and a past Timestamp', async () => {
    const machine = {
      StartAt: 'A',
      States: {
        A: { Type: 'Wait', SecondsPath: '$.s', Next: 'B' },
        B: { Type: 'Wait', TimestampPath: '$.at', Next: 'C' },
        C: { Type: 'Wait', Timestamp: '2020-01-01T00:00:00Z', End: true },
      },
    };
    const { emu, clock, start } = setup(machine);
    const at = new Date(T0 + 3 * DAY).toISOString();
    const arn = start({ s: 3600, at });
    await settle(clock);
    await clock.advance(T0 + 3 * DAY);
    const waits = history(emu, arn).filter((e) => e.type === 'WaitStateExited').map((e) => e.timestamp * 1000);
    expect(waits).toEqual([T0 + 3_600_000, T0 + 3 * DAY, T0 + 3 * DAY]);
    expect(describeExec(emu, arn).status).toBe('SUCCEEDED');
    // A SecondsPath that is not a non-negative integer fails the execution.
    const bad = start({ s: -5, at });
    await settle(clock);
    expect(describeExec(emu, bad)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('Retry waits IntervalSeconds × BackoffRate^n (capped by MaxDelaySeconds), then Catch; RetryCount counts', async () => {
    const machine = {
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: INVOKE,
          Parameters: { FunctionName: 'fail', Payload: { 'retry.$': '$$.State.RetryCount' } },
          Retry: [
            { ErrorEquals: ['Other'], MaxAttempts: 9 },
            { ErrorEquals: ['States.ALL'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 3, MaxDelaySeconds: 10 },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    };
    const calls: Array<{ at: number; retry: number }> = [];
    const clock = virtualClock();
    const { emu, start } = setup(
      machine,
      {
        fail: async (p) => {
          calls.push({ at: clock.now(), retry: (p as { retry: number }).retry });
          throw new TypeError('boom');
        },
      },
      clock,
    );
    const arn = start({});
    await settle(clock);
    await clock.advance(T0 + 3_600_000);
    // delays 2 s, 6 s, then 18 s capped at 10 s
    expect(calls).toEqual([
      { at: T0, retry: 0 },
      { at: T0 + 2000, retry: 1 },
      { at: T0 + 8000, retry: 2 },
      { at: T0 + 18_000, retry: 3 },
    ]);
    const d = describeExec(emu, arn);
    expect(JSON.parse(d.output!)).toEqual({ Error: 'TypeError', Cause: JSON.stringify({ errorType: 'TypeError', errorMessage: 'boom' }) });
    expect(statesEntered(emu, arn)).toEqual(['Call', 'Caught']); // retries are not new state entries
    expect(emu.stats()).toMatchObject({ stateTransitions: 2, lambdaInvocations: 4 });
  });

  it('JitterStrategy FULL keeps every delay between 0 and the computed interval', async () => {
    const machine = {
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: INVOKE,
          Parameters: { FunctionName: 'fail' },
          Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 100, BackoffRate: 2, MaxAttempts: 4, JitterStrategy: 'FULL' }],
          End: true,
        },
      },
    };
    const at: number[] = [];
    const clock = virtualClock();
    const fail: LambdaHandler = async () => {
      at.push(clock.now());
      throw new Error('x');
    };
    const { emu, start } = setup(machine, { fail }, clock);
    const arn = start({});
    await settle(clock);
    await clock.advance(T0 + DAY);
    expect(at).toHaveLength(5);
    const gaps = at.slice(1).map((t, k) => t - at[k]!);
    gaps.forEach((g, k) => {
      expect(g).toBeGreaterThanOrEqual(0);
      expect(g).toBeLessThanOrEqual(100_000 * 2 ** k);
    });
    expect(describeExec(emu, arn)).toMatchObject({ status: 'FAILED', error: 'Error' });
  });

  it('TimeoutSeconds on a plain task: a handler that takes too long on the real clock fails with States.Timeout', async () => {
    const machine = {
      StartAt: 'Slow',
      States: { Slow: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: 'slow' }, TimeoutSeconds: 1, End: true } },
    };
    const clock = new Clock({ mode: 'scaled', scale: 20 }); // 1 s of task time = 50 ms
    let remaining = -1;
    const { emu, start } = setup(
      machine,
      {
        slow: async (_p, ctx) => {
          remaining = ctx.getRemainingTimeInMillis();
          await new Promise((r) => setTimeout(r, 300));
          return 'late';
        },
      },
      clock,
    );
    const arn = start({});
    await new Promise((r) => setTimeout(r, 200));
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(1000);
    expect(describeExec(emu, arn)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    await new Promise((r) => setTimeout(r, 200)); // the late result is ignored
    expect(describeExec(emu, arn).status).toBe('FAILED');
    clock.close();
  });

  it('the top-level TimeoutSeconds times the execution out', async () => {
    const machine = { TimeoutSeconds: 3600, StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 7200, End: true } } };
    const { emu, clock, start } = setup(machine);
    const arn = start({});
    await settle(clock);
    await clock.advance(T0 + DAY);
    expect(describeExec(emu, arn)).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout', stopDate: (T0 + 3_600_000) / 1000 });
    expect(history(emu, arn).at(-1)!.type).toBe('ExecutionTimedOut');
  });
});

describe('data flow and errors', () => {
  it('passes the context object and applies InputPath, Parameters, ResultSelector, ResultPath, OutputPath', async () => {
    const machine = {
      StartAt: 'Ctx',
      States: {
        Ctx: {
          Type: 'Task',
          Resource: CALLBACK,
          InputPath: '$.case',
          Parameters: {
            FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:ctx`,
            Payload: {
              'exec.$': '$$.Execution.Id',
              'name.$': '$$.Execution.Name',
              'input.$': '$$.Execution.Input',
              'start.$': '$$.Execution.StartTime',
              'role.$': '$$.Execution.RoleArn',
              'sm.$': '$$.StateMachine.Id',
              'smName.$': '$$.StateMachine.Name',
              'state.$': '$$.State.Name',
              'entered.$': '$$.State.EnteredTime',
              'retry.$': '$$.State.RetryCount',
              'token.$': '$$.Task.Token',
              'id.$': '$.id',
            },
          },
          ResultSelector: { 'got.$': '$.answer' },
          ResultPath: '$.case.result',
          OutputPath: '$.case',
          End: true,
        },
      },
    };
    let seen: Record<string, unknown> = {};
    const clock = virtualClock();
    const { emu, start, smArn } = setup(machine, { ctx: async (p) => void (seen = p as Record<string, unknown>) }, clock);
    await clock.advance(T0 + 5000);
    const arn = start({ case: { id: 'k1' }, other: 1 }, 'ctx-run');
    await settle(clock);
    expect(seen).toEqual({
      exec: arn,
      name: 'ctx-run',
      input: { case: { id: 'k1' }, other: 1 },
      start: new Date(T0 + 5000).toISOString(),
      role: expect.stringMatching(/^arn:aws:iam::123456789012:role\//),
      sm: smArn,
      smName: 'engine',
      state: 'Ctx',
      entered: new Date(T0 + 5000).toISOString(),
      retry: 0,
      token: expect.any(String),
      id: 'k1',
    });
    emu.api('SendTaskSuccess', { taskToken: seen.token, output: JSON.stringify({ answer: 42, noise: true }) });
    await settle(clock);
    expect(JSON.parse(describeExec(emu, arn).output!)).toEqual({ id: 'k1', result: { got: 42 } });
  });

  it('$$.Task.Token is deterministic per execution and state entry', async () => {
    const tokens: string[] = [];
    const make = () => setup(parkMachine, { park: async (p) => void tokens.push((p as { token: string }).token) });
    const a = make();
    const b = make();
    a.start({ caseId: 'x', awaitSeconds: 60 }, 'same');
    b.start({ caseId: 'x', awaitSeconds: 60 }, 'same');
    await settle(a.clock);
    await settle(b.clock);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBe(tokens[1]);
  });

  it('ResultPath null keeps the input; InputPath null gives {}; Result + ResultPath nests', async () => {
    const machine = {
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: 'echo', 'Payload.$': '$' }, ResultPath: null, Next: 'B' },
        B: { Type: 'Pass', InputPath: null, ResultPath: '$.empty', Next: 'C' },
        C: { Type: 'Pass', Result: { x: 1 }, ResultPath: '$.deep.er', End: true },
      },
    };
    const { emu, clock, start } = setup(machine, { echo: async (p) => ({ echoed: p }) });
    const arn = start({ keep: true });
    await settle(clock);
    expect(JSON.parse(describeExec(emu, arn).output!)).toEqual({ keep: true, empty: {}, deep: { er: { x: 1 } } });
  });

  it('a missing path fails the execution with States.Runtime, which Catch States.ALL does not catch', async () => {
    const machine = {
      StartAt: 'A',
      States: {
        A: {
          Type: 'Task',
          Resource: INVOKE,
          Parameters: { FunctionName: 'echo', Payload: { 'x.$': '$.missing' } },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'B' }],
          End: true,
        },
        B: { Type: 'Pass', End: true },
      },
    };
    const { emu, clock, start } = setup(machine, { echo: async (p) => p });
    const arn = start({ present: 1 });
    await settle(clock);
    const d = describeExec(emu, arn);
    expect(d).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(d.cause).toContain("The JSONPath '$.missing' specified for the field 'x.$' could not be found in the input");
    expect(emu.stats().lambdaInvocations).toBe(0);
    // OutputPath on a missing field, and a Choice on a missing variable, fail the same way.
    const out = setup({ StartAt: 'P', States: { P: { Type: 'Pass', OutputPath: '$.nope', End: true } } });
    const a2 = out.start({});
    await settle(out.clock);
    expect(describeExec(out.emu, a2)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    const ch = setup({
      StartAt: 'C',
      States: { C: { Type: 'Choice', Choices: [{ Variable: '$.v', NumericEquals: 1, Next: 'E' }], Default: 'E' }, E: { Type: 'Succeed' } },
    });
    const a3 = ch.start({});
    await settle(ch.clock);
    expect(describeExec(ch.emu, a3)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('a handler error becomes Error = err.name, Cause = {"errorType","errorMessage"}; an unknown function is Lambda.ResourceNotFoundException', async () => {
    class PaymentDeclined extends Error {
      override name = 'PaymentDeclined';
    }
    const machine = {
      StartAt: 'A',
      States: {
        A: {
          Type: 'Task',
          Resource: INVOKE,
          Parameters: { 'FunctionName.$': '$.fn' },
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'B' }],
          End: true,
        },
        B: { Type: 'Pass', End: true },
      },
    };
    const { emu, clock, start } = setup(machine, {
      pay: async () => {
        throw new PaymentDeclined('card expired');
      },
    });
    const a = start({ fn: 'pay' });
    const b = start({ fn: 'missing' });
    await settle(clock);
    expect(JSON.parse(describeExec(emu, a).output!).err).toEqual({
      Error: 'PaymentDeclined',
      Cause: JSON.stringify({ errorType: 'PaymentDeclined', errorMessage: 'card expired' }),
    });
    expect(JSON.parse(describeExec(emu, b).output!).err.Error).toBe('Lambda.ResourceNotFoundException');
  });

  it('lambda:invoke returns {ExecutedVersion, Payload, StatusCode}; a direct function ARN returns the payload', async () => {
    const machine = {
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: 'one', Payload: { a: 1 } }, ResultPath: '$.viaInvoke', Next: 'B' },
        B: { Type: 'Task', Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:one`, ResultPath: '$.direct', End: true },
      },
    };
    const { emu, clock, start } = setup(machine, { one: async (p) => ({ got: p }) });
    const arn = start({ z: 0 });
    await settle(clock);
    const out = JSON.parse(describeExec(emu, arn).output!);
    expect(out.viaInvoke).toEqual({ ExecutedVersion: '$LATEST', Payload: { got: { a: 1 } }, StatusCode: 200 });
    expect(out.direct).toEqual({ got: { z: 0, viaInvoke: out.viaInvoke } });
    expect(history(emu, arn).map((e) => e.type)).toContain('LambdaFunctionSucceeded');
  });

  it('Choice operators: Path variants, Is*, And/Or/Not, string ordering and timestamps', async () => {
    const rule = (r: object, next: string) => ({ ...r, Next: next });
    const machine = {
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [
            rule({ Variable: '$.a', StringEqualsPath: '$.b' }, 'EqPath'),
            rule({ And: [{ Variable: '$.n', IsNumeric: true }, { Variable: '$.n', NumericLessThanEqualsPath: '$.max' }] }, 'InRange'),
            rule({ Variable: '$.t', TimestampGreaterThanEquals: '2026-01-01T00:00:00+01:00' }, 'Recent'),
            rule({ Variable: '$.s', StringGreaterThan: 'm' }, 'Late'),
            rule({ Variable: '$.z', IsNull: true }, 'Null'),
            rule({ Or: [{ Variable: '$.flag', IsBoolean: true }, { Not: { Variable: '$.s', IsString: true } }] }, 'Other'),
          ],
          Default: 'Fallback',
        },
        EqPath: { Type: 'Succeed' },
        InRange: { Type: 'Succeed' },
        Recent: { Type: 'Succeed' },
        Late: { Type: 'Succeed' },
        Null: { Type: 'Succeed' },
        Other: { Type: 'Succeed' },
        Fallback: { Type: 'Succeed' },
      },
    };
    const { emu, clock, start } = setup(machine);
    const cases: Array<[object, string]> = [
      [{ a: 'x', b: 'x' }, 'EqPath'],
      [{ a: 'x', b: 'y', n: 3, max: 3 }, 'InRange'],
      [{ a: 'x', b: 'y', n: 4, max: 3, t: '2025-12-31T23:30:00Z' }, 'Recent'],
      [{ a: 'x', b: 'y', n: 'x', t: '2025-12-31T22:30:00Z', s: 'q' }, 'Late'],
      [{ a: 'x', b: 'y', n: 'x', t: 'not a time', s: 'a', z: null }, 'Null'],
      [{ a: 'x', b: 'y', n: 'x', t: 'x', s: 5, z: 1, flag: 'no' }, 'Other'],
      [{ a: 'x', b: 'y', n: 'x', t: 'x', s: 'a', z: 1, flag: 'no' }, 'Fallback'],
    ];
    const arns = cases.map(([input]) => start(input));
    await settle(clock);
    arns.forEach((arn, k) => expect(statesEntered(emu, arn)[1]).toBe(cases[k]![1]));
  });

  it('intrinsics: Format escapes, StringSplit, ArrayRange, Hash, Base64, JsonMerge, UUID', async () => {
    const machine = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Pass',
          Parameters: {
            'f.$': "States.Format('\\{{}\\} it\\'s {}', $.a, $.n)",
            'split.$': "States.StringSplit('a.b+c,,d', '.+,')",
            'range.$': 'States.ArrayRange(1, 9, 3)',
            'md5.$': "States.Hash('abc', 'MD5')",
            'b64.$': "States.Base64Decode(States.Base64Encode('hé'))",
            'merged.$': 'States.JsonMerge($.o1, $.o2, false)',
            'uuid.$': 'States.UUID()',
            'item.$': 'States.ArrayGetItem(States.ArrayPartition(States.ArrayRange(1, 5, 1), 2), 2)',
            'uniq.$': 'States.ArrayUnique(States.Array(1, 1, $.n, 2))',
            'has.$': 'States.ArrayContains($.list, $.n)',
          },
          End: true,
        },
      },
    };
    const { emu, clock, start } = setup(machine);
    const arn = start({ a: 'x', n: 2, o1: { a: 1, b: 1 }, o2: { b: 2 }, list: [1, 2] });
    await settle(clock);
    const out = JSON.parse(describeExec(emu, arn).output!);
    expect(out).toEqual({
      f: "{x} it's 2",
      split: ['a', 'b', 'c', 'd'],
      range: [1, 4, 7],
      md5: '900150983cd24fb0d6963f7d28e17f72',
      b64: 'hé',
      merged: { a: 1, b: 2 },
      uuid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      item: [5],
      uniq: [1, 2],
      has: true,
    });
  });
});

describe('createStateMachine rejects what the emulator cannot run, naming the state and field', () => {
  const { emu } = { emu: new StepFunctionsEmulator({ clock: virtualClock() }) };
  const task = (extra: object) => ({ StartAt: 'T', States: { T: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: 'f' }, End: true, ...extra } } });
  const cases: Array<[string, object, RegExp]> = [
    ['JSONata at the top', { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, /QueryLanguage 'JSONata'/],
    ['JSONata in a state', { StartAt: 'P', States: { P: { Type: 'Pass', QueryLanguage: 'JSONata', End: true } } }, /state 'P' field 'QueryLanguage'/],
    ['a JSONata expression', task({ Parameters: { FunctionName: 'f', Payload: '{% $states.input %}' } }), /state 'T'.*JSONata/],
    ['Map', { StartAt: 'M', States: { M: { Type: 'Map', End: true } } }, /state 'M': Map states are not supported/],
    ['Parallel', { StartAt: 'M', States: { M: { Type: 'Parallel', Branches: [], End: true } } }, /state 'M': Parallel/],
    ['Assign', { StartAt: 'P', States: { P: { Type: 'Pass', Assign: { x: 1 }, End: true } } }, /state 'P' field 'Assign'/],
    ['an unknown resource', task({ Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken' }), /state 'T' field 'Resource'.*sqs:sendMessage/],
    ['a callback task that does not pass the token', task({ Resource: CALLBACK }), /state 'T' field 'Parameters'.*\$\$\.Task\.Token/],
    ['a missing Next target', { StartAt: 'P', States: { P: { Type: 'Pass', Next: 'Nope' } } }, /state 'P' field 'Next': 'Nope'/],
    ['an unreachable state', { StartAt: 'P', States: { P: { Type: 'Pass', End: true }, Q: { Type: 'Pass', End: true } } }, /state 'Q' is not reachable/],
    [
      'a choice rule with two operators',
      { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.a', StringEquals: 'x', NumericEquals: 1, Next: 'E' }] }, E: { Type: 'Succeed' } } },
      /Choice state 'C' Choices\[0\]: exactly one comparison operator/,
    ],
    ['a bad JSONPath', task({ InputPath: '$.a[?(@.x)]' }), /state 'T' field 'InputPath'.*filter/],
    ['an unknown field', task({ Foo: 1 }), /state 'T' field 'Foo'/],
    ['an unknown intrinsic', { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'x.$': 'States.Nope(1)' }, End: true } } }, /unknown intrinsic function States\.Nope/],
    ['an unsubstituted placeholder', task({ Parameters: { FunctionName: '${DecideFunctionArn}' } }), /unsubstituted placeholder \$\{DecideFunctionArn\}/],
    ['States.ALL not last', task({ Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }] }), /Retry\[0\].*last/],
    ['both Timeout fields', task({ TimeoutSeconds: 5, TimeoutSecondsPath: '$.t' }), /both TimeoutSeconds and TimeoutSecondsPath/],
    ['a Wait with two durations', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Timestamp: '2026-01-01T00:00:00Z', End: true } } }, /Wait state 'W' needs exactly one/],
  ];
  it.each(cases)('%s', (_label, def, message) => {
    expect(() => emu.createStateMachine('bad', def)).toThrow(DefinitionError);
    expect(() => emu.createStateMachine('bad', def)).toThrow(message);
  });

  it('applies ${Key} substitutions like CDK and accepts the journey-style definition', () => {
    const arn = emu.createStateMachine('subst', task({ Parameters: { FunctionName: '${Fn}' } }), { Fn: 'arn:aws:lambda:eu-west-1:123456789012:function:f' });
    const d = emu.api('DescribeStateMachine', { stateMachineArn: arn }) as { definition: string };
    expect(JSON.parse(d.definition).States.T.Parameters.FunctionName).toBe('arn:aws:lambda:eu-west-1:123456789012:function:f');
  });
});

describe('clock', () => {
  it('virtual mode: a timer that is already due runs without an advance()', async () => {
    const clock = virtualClock();
    const fired: string[] = [];
    clock.schedule(T0, () => void fired.push('now'));
    clock.schedule(T0 - 1000, () => void fired.push('past'));
    clock.schedule(T0 + 1, () => void fired.push('future'));
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toEqual(['past', 'now']);
    await clock.advance(T0 + 1);
    expect(fired).toEqual(['past', 'now', 'future']);
  });

  it('virtual mode: timers scheduled for "now" while advance() settles still run before it returns', async () => {
    const clock = virtualClock();
    const fired: number[] = [];
    clock.schedule(T0 + 10, () => {
      clock.schedule(clock.now(), () => void fired.push(clock.now()));
    });
    await clock.advance(T0 + 10);
    expect(fired).toEqual([T0 + 10]);
  });
});
