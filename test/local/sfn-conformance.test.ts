/**
 * Conformance: the same ASL and the same handlers through aws-local-stepfunctions 3.0.0 and through our
 * emulator give identical outputs (and identical errors) where both engines apply.
 *
 * aws-local-stepfunctions binds Task handlers by state name and hands them the effective input; the
 * adapter below plays the lambda:invoke integration for it (Payload in, {ExecutedVersion, Payload,
 * StatusCode} out, errors as Error = err.name, Cause = {"errorType","errorMessage"}), which is the
 * integration contract our emulator implements natively.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateMachine } from 'aws-local-stepfunctions';
import { StepFunctionsEmulator, lambdaFunctionName } from '../../infra/local/sfn/index.js';
import type { Clock } from '../../infra/local/clock.js';
import { describeExec, polyfillWithResolvers, settle, statesEntered, virtualClock } from './sfn-helpers.js';

polyfillWithResolvers();

const INVOKE = 'arn:aws:states:::lambda:invoke';

const main = {
  Comment: 'Pass, Choice, Task with Parameters/ResultSelector/ResultPath/OutputPath, Retry + Catch, Wait',
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Result: { rate: 15, tags: ['a', 'b', 'c'] }, ResultPath: '$.config', Next: 'Shape' },
    Shape: {
      Type: 'Pass',
      Parameters: {
        'customer.$': '$.customer',
        'amount.$': '$.amount',
        'config.$': '$.config',
        'label.$': "States.Format('{} owes {} cents', $.customer.name, $.amount)",
        'next.$': 'States.MathAdd($.amount, 1)',
        'parsed.$': 'States.StringToJson($.raw)',
        'text.$': 'States.JsonToString($.config)',
        'count.$': 'States.ArrayLength($.config.tags)',
        'pair.$': 'States.Array($.amount, $.customer.name)',
        'fromContext.$': '$$.Execution.Input.customer.name',
        static: { nested: { n: 1 }, list: [1, 'two'] },
      },
      Next: 'Route',
    },
    Route: {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.amount', NumericGreaterThanEquals: 1000 },
            { Variable: '$.customer.vip', BooleanEquals: true },
          ],
          Next: 'Score',
        },
        { Variable: '$.customer.name', StringMatches: 'J*n', Next: 'Flaky' },
        { Not: { Variable: '$.customer.email', IsPresent: true }, Next: 'AlwaysFails' },
        { Variable: '$.customer.since', TimestampLessThan: '2020-01-01T00:00:00Z', Next: 'Pause' },
        {
          Or: [
            { Variable: '$.customer.name', StringEquals: 'Zed' },
            { Variable: '$.amount', NumericGreaterThanPath: '$.next' },
          ],
          Next: 'Score',
        },
      ],
      Default: 'Plain',
    },
    Score: {
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { FunctionName: 'score', Payload: { 'amount.$': '$.amount', 'name.$': '$.customer.name', 'tags.$': '$.config.tags' } },
      ResultSelector: { 'score.$': '$.Payload.score', 'code.$': '$.StatusCode', 'version.$': '$.ExecutedVersion' },
      ResultPath: '$.result',
      OutputPath: '$.result',
      End: true,
    },
    Flaky: {
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:flaky', 'Payload.$': '$.customer' },
      Retry: [{ ErrorEquals: ['Transient'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }],
      ResultSelector: { 'attempts.$': '$.Payload.attempts' },
      ResultPath: '$.flaky',
      Next: 'Plain',
    },
    AlwaysFails: {
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { FunctionName: 'boom', Payload: {} },
      Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 1 }],
      Catch: [
        { ErrorEquals: ['Other'], Next: 'Plain' },
        { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Recovered' },
      ],
      End: true,
    },
    Recovered: {
      Type: 'Pass',
      Parameters: { 'error.$': '$.error.Error', 'cause.$': 'States.StringToJson($.error.Cause)', 'label.$': '$.label' },
      End: true,
    },
    Pause: { Type: 'Wait', Seconds: 1, Next: 'Plain' },
    Plain: { Type: 'Pass', InputPath: '$.customer', Result: 'plain', ResultPath: '$.kind', OutputPath: '$', End: true },
  },
};

const failing = {
  StartAt: 'Check',
  States: {
    Check: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.mode', StringEquals: 'fail', Next: 'Stop' },
        { Variable: '$.mode', StringEquals: 'task', Next: 'Call' },
      ],
    },
    Stop: { Type: 'Fail', Error: 'Case.Invalid', Cause: 'the case cannot be collected' },
    Call: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: 'boom' }, End: true },
  },
};

class KaputError extends Error {
  override name = 'Kaput';
}

type Handler = (payload: unknown) => Promise<unknown>;

/** Fresh handlers per engine run (the flaky one counts its calls). */
function handlers(): Record<string, Handler> {
  let calls = 0;
  return {
    score: async (p) => {
      const { amount, name, tags } = p as { amount: number; name: string; tags: string[] };
      return { score: amount >= 1000 ? 'high' : 'low', name, tags: tags.length };
    },
    flaky: async () => {
      calls++;
      if (calls <= 2) {
        const e = new Error(`transient failure ${calls}`);
        e.name = 'Transient';
        throw e;
      }
      return { attempts: calls };
    },
    boom: async () => {
      throw new KaputError('kaput');
    },
  };
}

const customer = (over: Record<string, unknown>) => ({ name: 'Ann', vip: false, email: 'a@example.org', since: '2024-05-01T00:00:00Z', ...over });
const INPUTS: Array<[string, unknown]> = [
  ['vip → Score (ResultSelector, ResultPath, OutputPath)', { customer: customer({ vip: true }), amount: 1500, raw: '{"a":1}' }],
  ['J*n → Flaky (two Retries, then success)', { customer: customer({ name: 'Jan' }), amount: 10, raw: '[1,2]' }],
  ['no email → AlwaysFails → Catch States.TaskFailed', { customer: { name: 'Piet', vip: false, since: '2024-01-01T00:00:00Z' }, amount: 20, raw: '"s"' }],
  ['old customer → Wait → Plain', { customer: customer({ since: '2019-12-31T23:59:59Z' }), amount: 5, raw: 'null' }],
  ['Or → Score', { customer: customer({ name: 'Zed' }), amount: 7, raw: '{}' }],
  ['Default → Plain', { customer: customer({}), amount: 7, raw: 'true' }],
];

function alsRun(definition: object, input: unknown): Promise<{ ok: true; output: unknown } | { ok: false; error: string; cause?: string }> {
  const h = handlers();
  const localHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [name, state] of Object.entries((definition as { States: Record<string, { Type: string }> }).States)) {
    if (state.Type !== 'Task') continue;
    localHandlers[name] = async (effective: unknown) => {
      const { FunctionName, Payload } = effective as { FunctionName: string; Payload?: unknown };
      try {
        const out = await h[lambdaFunctionName(FunctionName)]!(Payload ?? {});
        return { ExecutedVersion: '$LATEST', Payload: out ?? null, StatusCode: 200 };
      } catch (err) {
        const e = err as Error;
        const wrapped = new Error(JSON.stringify({ errorType: e.name, errorMessage: e.message }));
        wrapped.name = e.name;
        throw wrapped;
      }
    };
  }
  const sm = new StateMachine(definition as never, { validationOptions: { checkArn: false, checkPaths: false } });
  const run = sm.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: localHandlers as never,
      waitTimeOverrides: { Pause: 0 },
      retryIntervalOverrides: { Flaky: 0, AlwaysFails: 0 },
    },
  });
  return run.result.then(
    (output: unknown) => ({ ok: true as const, output }),
    (err: unknown) => {
      const cause = (err as { cause?: { name: string; message: string } }).cause!;
      return { ok: false as const, error: cause.name, cause: cause.message };
    },
  );
}

describe('conformance with aws-local-stepfunctions 3.0.0', () => {
  let clock: Clock;
  let emu: StepFunctionsEmulator;
  let mainArn: string;
  let failingArn: string;
  let n = 0;

  beforeAll(() => {
    clock = virtualClock();
    emu = new StepFunctionsEmulator({ clock });
    mainArn = emu.createStateMachine('conformance', main);
    failingArn = emu.createStateMachine('conformance-fail', failing);
  });
  afterAll(() => emu.close());

  async function ourRun(smArn: string, input: unknown) {
    const h = handlers();
    for (const [name, fn] of Object.entries(h)) emu.registerFunction(name, fn);
    const { executionArn } = emu.api('StartExecution', { stateMachineArn: smArn, name: `run-${++n}`, input: JSON.stringify(input) }) as {
      executionArn: string;
    };
    await settle(clock);
    await clock.advance(clock.now() + 3_600_000); // lets Retry backoffs and the Wait run
    const d = describeExec(emu, executionArn);
    return {
      executionArn,
      result: d.status === 'SUCCEEDED' ? { ok: true as const, output: JSON.parse(d.output!) } : { ok: false as const, error: d.error!, cause: d.cause },
    };
  }

  it.each(INPUTS)('%s', async (_label, input) => {
    const theirs = await alsRun(main, input);
    const ours = await ourRun(mainArn, input);
    expect(theirs.ok).toBe(true);
    expect(ours.result).toEqual(theirs);
  });

  it('the paths taken are the ones intended (the comparison is not vacuous)', async () => {
    const { executionArn, result } = await ourRun(mainArn, INPUTS[1]![1]);
    expect(statesEntered(emu, executionArn)).toEqual(['Init', 'Shape', 'Route', 'Flaky', 'Plain']);
    // ResultPath writes into the raw state input (InputPath only shapes the effective input).
    expect(result).toEqual({ ok: true, output: expect.objectContaining({ kind: 'plain', flaky: { attempts: 3 }, label: 'Jan owes 10 cents' }) });
    const first = await ourRun(mainArn, INPUTS[0]![1]);
    expect(first.result).toEqual({ ok: true, output: { score: 'high', code: 200, version: '$LATEST' } });
    const caught = await ourRun(mainArn, INPUTS[2]![1]);
    expect(caught.result).toEqual({
      ok: true,
      output: { error: 'Kaput', cause: { errorType: 'Kaput', errorMessage: 'kaput' }, label: 'Piet owes 20 cents' },
    });
  });

  it('a Fail state gives the same error and cause', async () => {
    const theirs = await alsRun(failing, { mode: 'fail' });
    const ours = await ourRun(failingArn, { mode: 'fail' });
    expect(theirs).toEqual({ ok: false, error: 'Case.Invalid', cause: 'the case cannot be collected' });
    expect(ours.result).toEqual(theirs);
  });

  it('an uncaught task error fails both executions with the Lambda error name', async () => {
    const theirs = await alsRun(failing, { mode: 'task' });
    const ours = await ourRun(failingArn, { mode: 'task' });
    expect(theirs).toEqual({ ok: false, error: 'Kaput', cause: JSON.stringify({ errorType: 'Kaput', errorMessage: 'kaput' }) });
    expect(ours.result).toEqual(theirs);
  });

  it('no matching choice and no Default: States.NoChoiceMatched in both', async () => {
    const theirs = await alsRun(failing, { mode: 'other' });
    const ours = await ourRun(failingArn, { mode: 'other' });
    expect(theirs.ok).toBe(false);
    expect(ours.result.ok).toBe(false);
    expect((ours.result as { error: string }).error).toBe((theirs as { error: string }).error);
    expect((ours.result as { error: string }).error).toBe('States.NoChoiceMatched');
  });

  it('a path that does not exist is States.Runtime in both', async () => {
    const theirs = await alsRun(main, { customer: customer({}), amount: 1 });
    const ours = await ourRun(mainArn, { customer: customer({}), amount: 1 });
    expect((theirs as { error: string }).error).toBe('States.Runtime');
    expect((ours.result as { error: string }).error).toBe('States.Runtime');
  });
});
