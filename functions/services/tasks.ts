/**
 * The agents' call queue (API §7). Only the agency's own keys (clients marked `agent`) work the queue.
 *
 * A task is created by the journey's CallTask step (channel-step.ts), which then waits. Completing it
 * closes the task (once: a second completion is a 409), writes the outcome on the timeline and its
 * consequences on the case (wrong number → phone unusable; dispute → the dossiers paused), and only then
 * wakes the journey, so Decide sees the outcome. A task nobody completes expires when its step times out
 * (Decide records that and moves on).
 */
import type { z } from 'zod';
import { HttpError } from '../shared/http.js';
import { logger } from '../shared/logger.js';
import type { CompleteTaskBody } from '../shared/schemas.js';
import type { Client } from '../store/clients.js';
import { addFlag, markUnusable } from '../store/debtors.js';
import { setDossierStatus } from '../store/dossiers.js';
import { closeTask, getTask, listOpenTasks } from '../store/tasks.js';
import { appendEvent } from '../store/timeline.js';
import { notifyCase } from './journeys.js';

type Outcome = z.infer<typeof CompleteTaskBody>['outcome'];

const OUTCOME_TEXT: Record<Outcome, string> = {
  reached: 'debtor reached',
  no_answer: 'no answer',
  promise_to_pay: 'debtor promises to pay',
  arrangement_requested: 'debtor asks for a payment arrangement',
  cannot_pay: 'debtor says they cannot pay',
  dispute: 'debtor disputes the claim; the dossiers are paused',
  wrong_number: 'wrong number; the phone number is marked unusable',
};

export function requireAgent(client: Client): void {
  if (!client.agent) throw new HttpError(403, 'forbidden', 'Only the agency’s agent keys can work the call queue.');
}

export async function openTasks(client: Client) {
  requireAgent(client);
  const tasks = await listOpenTasks();
  return tasks.map((t) => ({
    taskId: t.taskId,
    debtorId: t.caseId,
    status: t.status,
    dueAt: t.dueAt,
    createdAt: t.createdAt,
    dossierIds: t.dossierIds,
    context: t.context,
  }));
}

export async function completeTask(client: Client, taskId: string, body: z.infer<typeof CompleteTaskBody>, now: Date) {
  requireAgent(client);
  const task = await getTask(taskId);
  if (!task) throw new HttpError(404, 'not_found', `No task ${taskId}.`);
  let at = now.toISOString();
  const closed = await closeTask(taskId, 'done', at, body);
  if (!closed) {
    const current = (await getTask(taskId)) ?? task;
    // The same outcome again (a retry after a failure half-way): finish its consequences, all idempotent.
    const retry = current.status === 'done' && current.outcome === body.outcome && (current.note ?? undefined) === body.note;
    if (!retry) throw new HttpError(409, 'task_not_open', `Task ${taskId} is already ${current.status}${current.outcome ? ` (${current.outcome})` : ''}.`);
    at = current.completedAt ?? at;
  }
  // The consequences first, then the timeline, then the wake-up: Decide must see all of it.
  if (body.outcome === 'wrong_number') await markUnusable(task.caseId, 'phone');
  if (body.outcome === 'dispute') {
    for (const id of task.dossierIds) await setDossierStatus(id, 'paused', ['open'], 'dispute reported in a call', at);
  }
  if (body.outcome === 'cannot_pay') await addFlag(task.caseId, 'cannot_pay_reported');
  await appendEvent(task.caseId, {
    eventId: `call-${taskId}`,
    at,
    type: 'call_outcome',
    channel: 'call',
    detail: `Call outcome: ${OUTCOME_TEXT[body.outcome]}.${body.note ? ' The agent left a note.' : ''}`,
    dossierIds: task.dossierIds,
    stepNo: task.stepNo,
    data: { outcome: body.outcome, taskId, ...(body.note ? { note: body.note } : {}) },
  });
  await notifyCase(task.caseId, `call:${body.outcome}`, at);
  logger.info('call task completed', { taskId, caseId: task.caseId, outcome: body.outcome });
  return { taskId, status: 'done', outcome: body.outcome, completedAt: at };
}
