/**
 * The agents' call queue (API §7) on the real journey: the CallTask state of the deployed ASL creates the
 * task and waits on it; an agent's outcome is recorded and resumes the journey; a task nobody completes
 * expires when its step times out and the journey moves on. The journey is "forced" to the CallTask step
 * (its first Decide returns the call action, later Decides are the real one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startLocal } from '../support/local.js';
import { debtorFacts, entered, type ForcedJourneys, forcedJourneys, runStep, seedCase, sendAction, type Seeded, timeline } from '../support/channel-steps.js';
import { now } from '../../functions/shared/clock.js';
import { mutateCase } from '../../functions/services/case.js';
import { getTask, taskIdFor } from '../../functions/store/tasks.js';

let h: Harness;
let fj: ForcedJourneys;

beforeAll(async () => {
  // Monday 2 March 2026, 09:00 in Amsterdam.
  h = await startLocal({ start: '2026-03-02T08:00:00Z' });
  fj = forcedJourneys(h);
});
afterAll(async () => h?.stop());

const agent = { key: 'key-agency' };
const openTasks = async () => (await h.api('GET', '/v1/tasks?status=open', undefined, agent)).body.tasks as Array<Record<string, any>>;

/** A debtor who got an SMS earlier, with a segment, whose journey is now at a CallTask step. */
async function atCallTask(o: { awaitSeconds?: number; name?: string } = {}): Promise<{ s: Seeded; taskId: string; exec: string }> {
  const s = await seedCase({ name: o.name ?? 'Sam Voorbeeld', dossiers: [{ principal: 12_500 }, { principal: 4_000 }] });
  await runStep(s, 'sms', { phase: 'reminder', tone: 'friendly' });
  // What the agent should see of the journey's last decision (as a Decide would have stored it).
  await mutateCase(s.caseId, now(), () => [{ type: 'parked', at: now().toISOString(), token: 'no-token-yet', view: { phase: 'demand', segment: 'willing_but_forgetful', segmentReasons: ['paid late twice before', 'reacts to SMS'] } }]);
  const action = await sendAction(s, 'call', { phase: 'demand', tone: 'neutral', awaitSeconds: o.awaitSeconds ?? 4 * 3600 });
  const exec = await fj.start(s, action);
  await h.advance({ seconds: 0 });
  return { s, taskId: taskIdFor(s.caseId, 1, action.stepNo), exec };
}

describe('GET /v1/tasks?status=open', () => {
  it('lists the task with what the agent needs: open dossiers, last contacts, segment and reasons, a talking line', async () => {
    const { s, taskId } = await atCallTask({ name: 'Robin de Beller' });
    const task = (await openTasks()).find((t) => t.taskId === taskId)!;
    expect(task).toMatchObject({ taskId, debtorId: s.caseId, status: 'open', dossierIds: s.dossierIds });
    expect(Date.parse(task.dueAt) - Date.parse(task.createdAt)).toBe(4 * 3600_000);
    const ctx = task.context;
    expect(ctx).toMatchObject({ debtorName: 'Robin de Beller', phone: s.phone, language: 'nl', segment: 'willing_but_forgetful', segmentReasons: ['paid late twice before', 'reacts to SMS'] });
    expect(ctx.openDossiers).toEqual([
      { dossierId: s.dossierIds[0], reference: s.references[0], creditor: 'Acme Energie B.V.', status: 'open', outstanding: 12_500 },
      { dossierId: s.dossierIds[1], reference: s.references[1], creditor: 'Acme Energie B.V.', status: 'open', outstanding: 4_000 },
    ]);
    expect(ctx.lastContacts).toEqual([expect.objectContaining({ type: 'sent', channel: 'sms' })]);
    expect(ctx.talkingLine).toContain('Robin de Beller');
    expect(ctx.talkingLine).toContain(s.references[0]);
    // the journey waits in the CallTask state
    const history = await fj.history(await execOf(s));
    expect(entered(history, 'CallTask')).toBe(1);
    expect(history.at(-1)?.type).toBe('TaskSubmitted');
  });

  it('only agency keys may see or work the queue (403), and only open tasks can be listed', async () => {
    expect((await h.api('GET', '/v1/tasks?status=open')).status).toBe(403);
    expect((await h.api('GET', '/v1/tasks?status=open', undefined, { key: 'key-globex' })).status).toBe(403);
    expect((await h.api('GET', '/v1/tasks?status=open', undefined, { key: null })).status).toBe(401);
    expect((await h.api('GET', '/v1/tasks?status=done', undefined, agent)).status).toBe(400);
  });
});

async function execOf(s: Seeded): Promise<string> {
  return `arn:aws:states:eu-west-1:000000000000:execution:${fj.arn.split(':').pop()}:${s.caseId}-forced`;
}

describe('POST /v1/tasks/{taskId}/complete', () => {
  it.each(['reached', 'no_answer', 'promise_to_pay', 'arrangement_requested', 'cannot_pay', 'dispute', 'wrong_number'] as const)(
    'outcome %s: recorded on the timeline, its consequence applied, the journey resumed',
    async (outcome) => {
      const { s, taskId } = await atCallTask();
      const exec = await execOf(s);
      const decidesBefore = entered(await fj.history(exec), 'Decide');
      const res = await h.api('POST', `/v1/tasks/${taskId}/complete`, { outcome, note: 'Gesproken met de debiteur.' }, agent);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ taskId, status: 'done', outcome });
      await h.advance({ seconds: 0 });

      const events = (await timeline(s.caseId)).filter((e) => e.type === 'call_outcome');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ channel: 'call', dossierIds: s.dossierIds, data: { outcome, taskId } });
      const view = await h.api('GET', `/v1/dossiers/${s.dossierIds[0]}`);
      expect(view.body.timeline.map((e: { type: string }) => e.type)).toContain('call_outcome');
      expect(view.body.status).toBe(outcome === 'dispute' ? 'paused' : 'open');
      expect((await debtorFacts(s.caseId)).unusable).toEqual(outcome === 'wrong_number' ? ['phone'] : []);
      expect(await getTask(taskId)).toMatchObject({ status: 'done', outcome, note: 'Gesproken met de debiteur.' });
      expect((await openTasks()).map((t) => t.taskId)).not.toContain(taskId);
      // resumed: the CallTask state ended through SendTaskSuccess and Decide ran again
      const history = await fj.history(exec);
      expect(entered(history, 'Decide')).toBe(decidesBefore + 1);
      expect(history.some((e) => e.type === 'TaskSucceeded' && e.taskSucceededEventDetails?.output?.includes(`call:${outcome}`))).toBe(true);
    },
  );

  it('a different second completion is a 409 (the same one replays), a bad outcome a 400, an unknown task a 404, a non-agent key a 403 — none changes anything', async () => {
    const { s, taskId } = await atCallTask();
    const before = await timeline(s.caseId);
    expect((await h.api('POST', `/v1/tasks/${taskId}/complete`, { outcome: 'reached' })).status).toBe(403);
    const bad = await h.api('POST', `/v1/tasks/${taskId}/complete`, { outcome: 'gone_fishing' }, agent);
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields)).toEqual(['outcome']);
    expect((await h.api('POST', `/v1/tasks/${taskId}/complete`, {}, agent)).status).toBe(400);
    expect((await h.api('POST', `/v1/tasks/task_nope_1_1/complete`, { outcome: 'reached' }, agent)).status).toBe(404);
    expect(await timeline(s.caseId)).toEqual(before);
    expect((await openTasks()).map((t) => t.taskId)).toContain(taskId);

    const [a, b] = await Promise.all([
      h.api('POST', `/v1/tasks/${taskId}/complete`, { outcome: 'promise_to_pay' }, agent),
      h.api('POST', `/v1/tasks/${taskId}/complete`, { outcome: 'wrong_number' }, agent),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const again = await h.api('POST', `/v1/tasks/${taskId}/complete`, { outcome: 'reached' }, agent);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('task_not_open');
    // The winning outcome sent again (an agent's retry after a time-out) is accepted and changes nothing more.
    const winner = a.status === 200 ? 'promise_to_pay' : 'wrong_number';
    expect((await h.api('POST', `/v1/tasks/${taskId}/complete`, { outcome: winner }, agent)).status).toBe(200);
    await h.advance({ seconds: 0 });
    expect((await timeline(s.caseId)).filter((e) => e.type === 'call_outcome')).toHaveLength(1);
  });

  it('a task nobody completes in time expires when its step times out, and the journey moves on to the next step', async () => {
    const { s, taskId } = await atCallTask({ awaitSeconds: 3600 });
    const exec = await execOf(s);
    await h.advance({ seconds: 1800 });
    expect((await getTask(taskId))!.status).toBe('open');
    await h.advance({ seconds: 1900 });
    expect(await getTask(taskId)).toMatchObject({ status: 'expired' });
    expect((await openTasks()).map((t) => t.taskId)).not.toContain(taskId);
    // The call step's timer woke Decide at the task's due time, which expired it and decided the next step.
    const history = await fj.history(exec);
    expect(history.some((e) => e.type === 'TaskSucceeded' && Date.parse(String(e.timestamp)) >= Date.parse('2026-03-02T09:00:00Z'))).toBe(true);
    const events = await timeline(s.caseId);
    const expired = events.findIndex((e) => e.type === 'call_outcome' && /not completed in time/.test(e.detail));
    expect(expired).toBeGreaterThanOrEqual(0);
    // the next step was decided after it (a decision, or the end of the journey)
    expect(events.slice(expired + 1).some((e) => e.type === 'decision' || e.type === 'journey_ended')).toBe(true);
    // too late to complete it now
    const late = await h.api('POST', `/v1/tasks/${taskId}/complete`, { outcome: 'reached' }, agent);
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('expired');
  });
});
