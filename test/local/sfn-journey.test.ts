/**
 * The real journey ASL (state-machines/journey.asl.json) on the emulator with stub handlers bound through
 * the file's own ${…} placeholders: Decide → Route → channel → Decide … → Done, on the virtual clock,
 * with a debtor reply, timeouts, a retried channel failure and an agent's call outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsEmulator, type LambdaHandler } from '../../infra/local/sfn/index.js';
import type { Clock } from '../../infra/local/clock.js';
import { ACCOUNT, JOURNEY_ASL, REGION, T0, describeExec, history, journeyPlaceholders, settle, sfnClient, statesEntered, virtualClock } from './sfn-helpers.js';

type Action = { type: 'send'; channel: string; awaitSeconds: number } | { type: 'wait'; awaitSeconds: number } | { type: 'done'; reason: string } | { type: string };

/** What the stub Decide returns, call by call. */
const SCRIPT: Action[] = [
  { type: 'send', channel: 'sms', awaitSeconds: 3600 }, // the debtor replies after 10 minutes
  { type: 'wait', awaitSeconds: 86_400 }, // Await: its timer ends it with a planned email (no Decide)
  { type: 'send', channel: 'letter', awaitSeconds: 600 }, // after the email's lost timer (a timeout)
  { type: 'send', channel: 'call', awaitSeconds: 600 }, // the agent reports no answer (SendTaskFailure)
  { type: 'done', reason: 'paid' },
];

describe('journey.asl.json on the emulator', () => {
  let clock: Clock;
  let emu: StepFunctionsEmulator;
  let sfn: SFNClient;
  let smArn: string;
  const decideCalls: Array<{ at: number; executionId: string; state: Record<string, unknown> }> = [];
  const channelCalls: Array<{ at: number; fn: string; channel: string; token: string; executionId: string; state: Record<string, unknown> }> = [];
  let emailFailures = 0;

  beforeAll(async () => {
    clock = virtualClock();
    emu = new StepFunctionsEmulator({ clock, region: REGION, accountId: ACCOUNT });
    const placeholders = journeyPlaceholders();
    expect(placeholders).toContain('DecideFunctionArn');
    const substitutions: Record<string, string> = {};
    for (const p of placeholders) {
      const name = `maatwerk-${p.replace(/FunctionArn$/, '')}`;
      substitutions[p] = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
      const decide: LambdaHandler = async (payload) => {
        const { state, executionId } = payload as { state: Record<string, unknown>; executionId: string };
        decideCalls.push({ at: clock.now(), executionId, state });
        const n = decideCalls.filter((c) => c.executionId === executionId).length;
        const script = (state.script as Action[] | undefined) ?? SCRIPT;
        return { caseId: state.caseId, journeyNo: n, script, action: script[n - 1] };
      };
      const channel: LambdaHandler = async (payload) => {
        const { channel: ch, taskToken, executionId, state } = payload as { channel: string; taskToken: string; executionId: string; state: Record<string, unknown> };
        channelCalls.push({ at: clock.now(), fn: name, channel: ch, token: taskToken, executionId, state });
        if (ch === 'email' && emailFailures++ === 0) throw new Error('SendGrid 503');
        return { queued: true };
      };
      emu.registerFunction(name, p === 'DecideFunctionArn' ? decide : channel);
    }
    smArn = emu.createStateMachine('maatwerk-journey', readFileSync(JOURNEY_ASL, 'utf8'), substitutions);
    sfn = sfnClient(await emu.listen(0));
  });
  afterAll(() => emu.close());

  it('Route carries out each action; a planned action goes straight from one channel state to the next; events, lost timers and failures go through Decide', async () => {
    const { executionArn = '' } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: smArn, name: 'debtor-1', input: JSON.stringify({ caseId: 'case-1' }) }),
    );
    await settle(clock);
    const mine = () => channelCalls.filter((c) => c.executionId === executionArn);
    expect(mine().map((c) => c.channel)).toEqual(['sms']);

    // The debtor replies by SMS after ten minutes: the webhook ends the wait with "decide".
    await clock.advance(T0 + 600_000);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: mine()[0]!.token, output: JSON.stringify({ caseId: 'case-1', journeyNo: 1, action: { type: 'decide', reason: 'reply' } }) }));
    await settle(clock);
    expect(mine().map((c) => c.channel)).toEqual(['sms', 'await']);
    expect(decideCalls.filter((c) => c.executionId === executionArn)[1]!.at).toBe(T0 + 600_000);

    // Await's timer ends it with the planned email: Route, Email — no Decide in between. The email step fails
    // once and is retried (same token), then waits.
    const planned = { caseId: 'case-1', journeyNo: 2, action: { type: 'send', channel: 'email', awaitSeconds: 7200, planned: true } };
    await clock.advance(T0 + 600_000 + 3_600_000);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: mine()[1]!.token, output: JSON.stringify(planned) }));
    await clock.advance(clock.now() + 5_000); // + the FULL-jitter retry delay (≤ 5 s)
    expect(mine().map((c) => c.channel)).toEqual(['sms', 'await', 'email', 'email']);
    expect(mine()[2]!.state, 'the state a timer delivers is the next state input').toEqual(planned);
    expect(decideCalls.filter((c) => c.executionId === executionArn)).toHaveLength(2);

    // The email's timer is lost: its own timeout (the safety net) hands the journey to Decide, input kept.
    await clock.advance(clock.now() + 7200_000 + 1_000);
    expect(mine().at(-1)!.channel).toBe('letter');
    const afterTimeout = decideCalls.filter((c) => c.executionId === executionArn)[2]!;
    expect(afterTimeout.state).toEqual(planned);

    // A SendTaskFailure is a task failure: the States.TaskFailed retrier re-runs the call step (same token)
    // before the States.ALL catcher hands it to Decide with the error at $.error.
    await clock.advance(clock.now() + 601_000);
    for (let k = 0; k < 4; k++) {
      expect(mine().at(-1)!.channel).toBe('call');
      await sfn.send(new SendTaskFailureCommand({ taskToken: mine().at(-1)!.token, error: 'Call.NoAnswer', cause: 'no answer after 8 rings' }));
      await clock.advance(clock.now() + 60_000); // past the jittered backoff (≤ 5, 15, 45 s)
    }
    const callSteps = mine().filter((c) => c.channel === 'call');
    expect(callSteps).toHaveLength(4);
    expect(new Set(callSteps.map((c) => c.token)).size).toBe(1);

    const d = describeExec(emu, executionArn);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toMatchObject({ caseId: 'case-1', journeyNo: 5, action: { type: 'done', reason: 'paid' } });
    expect(statesEntered(emu, executionArn)).toEqual([
      ...['Route', 'Decide', 'Route', 'SMS'],
      ...['Route', 'Decide', 'Route', 'Await'],
      ...['Route', 'Email'],
      ...['Decide', 'Route', 'Letter'],
      ...['Decide', 'Route', 'CallTask'],
      ...['Decide', 'Route', 'Done'],
    ]);
    const calls = decideCalls.filter((c) => c.executionId === executionArn);
    expect(calls).toHaveLength(5);
    expect(calls[0]!.state).toEqual({ caseId: 'case-1' });
    expect(calls[1]!.state).toMatchObject({ action: { type: 'decide', reason: 'reply' } });
    expect(calls[4]!.state.error).toEqual({ Error: 'Call.NoAnswer', Cause: 'no answer after 8 rings' });
    // Each channel step waited with the timeout its action carries (the safety net).
    const scheduled = history(emu, executionArn).filter((e) => e.type === 'TaskScheduled');
    const timeouts = scheduled.map((e) => (e.taskScheduledEventDetails as { timeoutInSeconds?: number }).timeoutInSeconds);
    expect(timeouts).toEqual([undefined, 3600, undefined, 86_400, 7200, 7200, undefined, 600, undefined, 600, 600, 600, 600, undefined]);
    expect(history(emu, executionArn).filter((e) => e.type === 'TaskTimedOut')).toHaveLength(2); // Email, Letter
    expect(emu.stats()).toMatchObject({ executionsStarted: 1, stateTransitions: 19, running: 0 });
  });

  it('a journey started with its first action goes straight to it; an action the journey does not know ends in UnknownAction', async () => {
    const { executionArn: first = '' } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: smArn, name: 'debtor-3', input: JSON.stringify({ caseId: 'case-3', journeyNo: 1, action: { type: 'done', reason: 'nothing to do' } }) }),
    );
    await settle(clock);
    expect(statesEntered(emu, first)).toEqual(['Route', 'Done']);
    const script: Action[] = [{ type: 'send', channel: 'pigeon' }];
    const { executionArn = '' } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: smArn, name: 'debtor-2', input: JSON.stringify({ caseId: 'case-2', script }) }),
    );
    await settle(clock);
    expect(describeExec(emu, executionArn)).toMatchObject({ status: 'FAILED', error: 'UnknownAction' });
    expect(statesEntered(emu, executionArn)).toEqual(['Route', 'Decide', 'Route', 'UnknownAction']);
  });
});
