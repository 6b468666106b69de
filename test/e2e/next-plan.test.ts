/**
 * A sending step's next plan is the Decide function's (services/ask-decide.ts): the step sends the facts of the case
 * it holds, Decide answers the plan, and the step's timer ends the wait with it — straight into the next channel
 * state at the planned moment. When Decide cannot be asked, the timer wakes Decide at that moment instead, and the
 * journey goes on as planned. Real SDKs against the local runtime: the Lambda Invoke stand-in and the scheduler
 * emulator over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { loadCase, mutateCase } from '../../functions/services/case.js';
import { useLambdaClient } from '../../functions/services/invoke.js';
import { SEND_TASK_SUCCESS_TARGET } from '../../functions/services/timers.js';
import { now } from '../../functions/shared/clock.js';
import { dossierBody, type Harness, startLocal } from '../support/local.js';

let h: Harness;
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };

beforeAll(async () => {
  // Monday 2 March 2026, 09:00 in Amsterdam.
  h = await startLocal({ start: '2026-03-02T08:00:00Z' });
});
afterAll(async () => {
  useLambdaClient();
  await h?.stop();
});

/** The case's journey timer as the scheduler holds it: when it fires and what it then does. */
async function timerOf(debtorId: string): Promise<{ at: string; arn: string; input: Record<string, any> }> {
  const c = await loadCase(debtorId, now());
  expect(c?.journey.timer, 'the step left a timer').toBeTruthy();
  const scheduler = new SchedulerClient({ endpoint: h.rt.schedulerUrl, region: 'eu-west-1', credentials });
  const s = await scheduler.send(new GetScheduleCommand({ Name: c!.journey.timer!, GroupName: process.env.SCHEDULE_GROUP_NAME ?? 'default' }));
  return { at: /^at\((.+)\)$/.exec(s.ScheduleExpression!)![1]! + 'Z', arn: s.Target!.Arn!, input: JSON.parse(s.Target!.Input!) };
}

/** A Lambda client of the real SDK against the local Invoke stand-in that keeps what each invocation sent. */
function recordingClient(sent: string[]): LambdaClient {
  const client = new LambdaClient({ endpoint: h.rt.lambdaUrl, region: 'eu-west-1', credentials });
  client.middlewareStack.add(
    (next) => async (args) => {
      const payload = (args.input as { Payload?: Uint8Array }).Payload;
      if (payload) sent.push(new TextDecoder().decode(payload));
      return next(args);
    },
    { step: 'initialize' },
  );
  return client;
}

async function firstMessage(n: number): Promise<string> {
  // a debtor of their own (other contact details: not the same person as another test's)
  const res = await h.api('POST', '/v1/dossiers', dossierBody({}, { name: `Debtor ${n}`, email: `debtor-${n}@example.invalid`, phone: `+3161234560${n}` }));
  expect(res.status).toBe(201);
  await h.advance({ seconds: 0 });
  expect((await h.outbox()).filter((m) => m.debtorId === res.body.debtorId).map((m) => m.channel)).toEqual(['email']);
  return res.body.debtorId;
}

describe('the next plan after a send', () => {
  it('is asked of Decide, and the timer carries it out at the planned moment without Decide', async () => {
    const debtorId = await firstMessage(1);
    const timer = await timerOf(debtorId);
    expect(timer.arn).toBe(SEND_TASK_SUCCESS_TARGET);
    const planned = JSON.parse(timer.input.Output).action;
    expect(planned).toMatchObject({ type: 'send', stepNo: 2 });
    // the plan is for the moment the email's decision named, and is decided with the email recorded
    expect(Date.parse(planned.log.at)).toBe(Date.parse(timer.at));
    await h.advance(new Date(Date.parse(timer.at) + 60_000).toISOString());
    const second = (await h.outbox()).filter((m) => m.debtorId === debtorId)[1];
    expect(second).toMatchObject({ channel: planned.channel, stepNo: 2 });
    expect(Date.parse(second!.sentAt)).toBeGreaterThanOrEqual(Date.parse(timer.at));
  });

  it('sends Decide the facts a decision reads, without the name, reference or description of a claim', async () => {
    const sent: string[] = [];
    useLambdaClient(recordingClient(sent));
    let debtorId: string;
    try {
      debtorId = await firstMessage(3);
    } finally {
      useLambdaClient();
    }
    const question = sent.map((p) => JSON.parse(p)).find((e) => e.decide?.caseId === debtorId)?.decide;
    expect(question).toMatchObject({ kind: 'plan', facts: { dossiers: [expect.objectContaining({ principal: 12_500, dueDate: '2026-02-01' })] } });
    const c = await loadCase(debtorId, now());
    const claim = Object.values(c!.dossiers)[0]!;
    const text = JSON.stringify(question);
    for (const personal of [claim.name, claim.reference, claim.description!, 'debtor-3@example.invalid', '+31612345603']) expect(text).not.toContain(personal);
    // and the plan it answered is the one the timer carries
    expect((await timerOf(debtorId)).arn).toBe(SEND_TASK_SUCCESS_TARGET);
  });

  it('hands the journey to the Decide state when the case changed and Decide cannot be asked for the decision now', async () => {
    const debtorId = await firstMessage(4);
    const timer = await timerOf(debtorId);
    const planned = JSON.parse(timer.input.Output).action;
    // a delivery status after the plan was made: the planned step's claim is refused, the step must decide again
    const c = await loadCase(debtorId, now());
    const first = c!.journey.contacts[0]!;
    await mutateCase(debtorId, now(), () => [{ type: 'delivery', at: now().toISOString(), journeyNo: 1, stepNo: first.stepNo!, channel: first.channel, status: 'delivered' }]);
    useLambdaClient(new LambdaClient({ endpoint: 'http://127.0.0.1:9', region: 'eu-west-1', credentials, maxAttempts: 1 }));
    try {
      await h.advance(new Date(Date.parse(timer.at) + 60_000).toISOString());
    } finally {
      useLambdaClient();
    }
    const messages = (await h.outbox()).filter((m) => m.debtorId === debtorId);
    expect(messages.map((m) => [m.stepNo, m.channel])).toEqual([[1, 'email'], [2, planned.channel]]);
    const after = await loadCase(debtorId, now());
    expect(after!.journey.failures, 'no send failure, no channel avoided').toEqual([]);
  });

  it('is left to Decide at the planned moment when Decide cannot be asked, and the journey goes on', async () => {
    // Decide unreachable for the sending steps (a refused connection, no retry): the step sends and cannot plan.
    useLambdaClient(new LambdaClient({ endpoint: 'http://127.0.0.1:9', region: 'eu-west-1', credentials, maxAttempts: 1 }));
    let debtorId: string;
    try {
      debtorId = await firstMessage(2);
    } finally {
      useLambdaClient();
    }
    const timer = await timerOf(debtorId);
    expect(timer.arn).toBe(process.env.WAKE_FUNCTION_ARN);
    expect(timer.input).toEqual({ wake: { caseId: debtorId, journeyNo: 1, taskToken: expect.any(String) } });
    await h.advance(new Date(Date.parse(timer.at) + 60_000).toISOString());
    const messages = (await h.outbox()).filter((m) => m.debtorId === debtorId);
    expect(messages.map((m) => m.stepNo)).toEqual([1, 2]);
    expect(Date.parse(messages[1]!.sentAt)).toBeGreaterThanOrEqual(Date.parse(timer.at));
  });
});
