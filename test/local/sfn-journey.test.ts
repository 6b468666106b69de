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

const SCRIPT: Action[] = [
  { type: 'send', channel: 'sms', awaitSeconds: 3600 }, // the debtor replies after 10 minutes
  { type: 'wait', awaitSeconds: 86_400 }, // Await times out after a day
  { type: 'send', channel: 'email', awaitSeconds: 7200 }, // fails once, retried, then times out
  { type: 'send', channel: 'letter', awaitSeconds: 600 },
  { type: 'send', channel: 'call', awaitSeconds: 600 }, // the agent reports no answer (SendTaskFailure)
  { type: 'send', channel: 'whatsapp', awaitSeconds: 600 },
  { type: 'done', reason: 'paid' },
];

describe('journey.asl.json on the emulator', () => {
  let clock: Clock;
  let emu: StepFunctionsEmulator;
  let sfn: SFNClient;
  let smArn: string;
  const decideCalls: Array<{ at: number; executionId: string; state: Record<string, unknown> }> = [];
  const channelCalls: Array<{ at: number; fn: string; channel: string; token: string; executionId: string }> = [];
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
        const { channel: ch, taskToken, executionId } = payload as { channel: string; taskToken: string; executionId: string };
        channelCalls.push({ at: clock.now(), fn: name, channel: ch, token: taskToken, executionId });
        if (ch === 'email' && emailFailures++ === 0) throw new Error('SendGrid 503');
        return { queued: true };
      };
      emu.registerFunction(name, p === 'DecideFunctionArn' ? decide : channel);
    }
    smArn = emu.createStateMachine('maatwerk-journey', readFileSync(JOURNEY_ASL, 'utf8'), substitutions);
    sfn = sfnClient(await emu.listen(0));
  });
  afterAll(() => emu.close());

  it('loops Decide → channel → Decide until done, three transitions per contact', async () => {
    const { executionArn = '' } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: smArn, name: 'debtor-1', input: JSON.stringify({ caseId: 'case-1' }) }),
    );
    await settle(clock);
    const mine = () => channelCalls.filter((c) => c.executionId === executionArn);
    expect(mine().map((c) => c.channel)).toEqual(['sms']);

    // The debtor replies by SMS after ten minutes (the webhook wakes the journey with the stored token).
    await clock.advance(T0 + 600_000);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: mine()[0]!.token, output: JSON.stringify({ intent: 'promise_to_pay' }) }));
    await settle(clock);
    expect(mine().map((c) => c.channel)).toEqual(['sms', 'await']);
    const afterReply = decideCalls.filter((c) => c.executionId === executionArn)[1]!;
    expect(afterReply.at).toBe(T0 + 600_000);

    // Await runs to the moment Decide asked for, then email (fails once, is retried) and the rest.
    await clock.advance(T0 + 600_000 + 86_400_000 - 1);
    expect(mine().map((c) => c.channel)).toEqual(['sms', 'await']);
    await clock.advance(T0 + 600_000 + 86_400_000 + 5_000); // + the FULL-jitter retry delay (≤ 5 s)
    expect(mine().map((c) => c.channel)).toEqual(['sms', 'await', 'email', 'email']);
    await clock.advance(T0 + 600_000 + 86_400_000 + 7200_000 + 10_000);
    expect(mine().map((c) => c.channel)).toEqual(['sms', 'await', 'email', 'email', 'letter']);
    await clock.advance(clock.now() + 600_000);
    expect(mine().at(-1)!.channel).toBe('call');
    // A SendTaskFailure is a task failure: the journey's States.TaskFailed retrier re-runs the call step
    // (MaxAttempts 3, same state entry, same token) before the States.ALL catcher hands it to Decide.
    for (let k = 0; k < 4; k++) {
      expect(mine().at(-1)!.channel).toBe('call');
      await sfn.send(new SendTaskFailureCommand({ taskToken: mine().at(-1)!.token, error: 'Call.NoAnswer', cause: 'no answer after 8 rings' }));
      await clock.advance(clock.now() + 60_000); // past the jittered backoff (≤ 5, 15, 45 s)
    }
    const callSteps = mine().filter((c) => c.channel === 'call');
    expect(callSteps).toHaveLength(4);
    expect(new Set(callSteps.map((c) => c.token)).size).toBe(1);
    expect(mine().at(-1)!.channel).toBe('whatsapp');
    await clock.advance(clock.now() + 600_000);

    const d = describeExec(emu, executionArn);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toMatchObject({ caseId: 'case-1', journeyNo: 7, action: { type: 'done', reason: 'paid' } });
    expect(statesEntered(emu, executionArn)).toEqual([
      ...['Decide', 'Route', 'SMS'],
      ...['Decide', 'Route', 'Await'],
      ...['Decide', 'Route', 'Email'],
      ...['Decide', 'Route', 'Letter'],
      ...['Decide', 'Route', 'CallTask'],
      ...['Decide', 'Route', 'WhatsApp'],
      ...['Decide', 'Route', 'Done'],
    ]);

    // What Decide saw: the execution id, the reaction dropped (ResultPath null) and the call outcome caught at $.error.
    const calls = decideCalls.filter((c) => c.executionId === executionArn);
    expect(calls).toHaveLength(7);
    expect(calls[0]!.state).toEqual({ caseId: 'case-1' });
    expect(calls[1]!.state).toMatchObject({ caseId: 'case-1', journeyNo: 1 });
    expect(calls[1]!.state).not.toHaveProperty('intent');
    expect(calls[5]!.state.error).toEqual({ Error: 'Call.NoAnswer', Cause: 'no answer after 8 rings' });
    expect(calls[2]!.state).not.toHaveProperty('error'); // the Await timeout is caught with ResultPath null
    // Each channel step was a task token wait with the timeout Decide asked for.
    const scheduled = history(emu, executionArn).filter((e) => e.type === 'TaskScheduled');
    const timeouts = scheduled.map((e) => (e.taskScheduledEventDetails as { timeoutInSeconds?: number }).timeoutInSeconds);
    expect(timeouts).toEqual([undefined, 3600, undefined, 86_400, undefined, 7200, 7200, undefined, 600, undefined, 600, 600, 600, 600, undefined, 600, undefined]);
    expect(history(emu, executionArn).filter((e) => e.type === 'TaskTimedOut')).toHaveLength(4); // Await, Email, Letter, WhatsApp
    expect(emu.stats()).toMatchObject({ executionsStarted: 1, stateTransitions: 21, running: 0 });
  });

  it('an action the journey does not know ends in UnknownAction', async () => {
    const script: Action[] = [{ type: 'send', channel: 'pigeon' }];
    const { executionArn = '' } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: smArn, name: 'debtor-2', input: JSON.stringify({ caseId: 'case-2', script }) }),
    );
    await settle(clock);
    expect(describeExec(emu, executionArn)).toMatchObject({ status: 'FAILED', error: 'UnknownAction' });
    expect(statesEntered(emu, executionArn)).toEqual(['Decide', 'Route', 'UnknownAction']);
  });
});
