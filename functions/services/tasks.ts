/**
 * The agents' call queue (API §7). Only the agency's own keys (clients marked `agent`) work the queue.
 */
import { HttpError } from '../shared/http.js';
import type { z } from 'zod';
import type { CompleteTaskBody } from '../shared/schemas.js';
import type { Client } from '../store/clients.js';
import { markUnusable } from '../store/debtors.js';
import { getDossier, setDossierStatus } from '../store/dossiers.js';
import { closeTask, getTask, listOpenTasks } from '../store/tasks.js';
import { appendEvent } from '../store/timeline.js';
import { notifyCase } from './journeys.js';

function requireAgent(client: Client): void {
  if (!client.agent) throw new HttpError(403, 'forbidden', 'Only the agency’s agent keys can work the call queue.');
}

export async function openTasks(client: Client) {
  requireAgent(client);
  const tasks = await listOpenTasks();
  return tasks.map((t) => ({ taskId: t.taskId, debtorId: t.caseId, dueAt: t.dueAt, createdAt: t.createdAt, dossierIds: t.dossierIds, context: t.context }));
}

export async function completeTask(client: Client, taskId: string, body: z.infer<typeof CompleteTaskBody>, now: Date) {
  requireAgent(client);
  const at = now.toISOString();
  const task = await getTask(taskId);
  if (!task) throw new HttpError(404, 'not_found', `No task ${taskId}.`);
  const closed = await closeTask(taskId, 'done', at, body);
  if (!closed) throw new HttpError(409, 'task_not_open', `Task ${taskId} is already ${task.status}.`);
  await appendEvent(task.caseId, {
    eventId: `call-${taskId}`,
    at,
    type: 'call_outcome',
    channel: 'call',
    detail: `Call outcome: ${body.outcome}.`,
    dossierIds: task.dossierIds,
    stepNo: task.stepNo,
    data: { outcome: body.outcome },
  });
  if (body.outcome === 'wrong_number') await markUnusable(task.caseId, 'phone');
  if (body.outcome === 'dispute') {
    for (const id of task.dossierIds) {
      const d = await getDossier(id);
      if (d) await setDossierStatus(id, 'paused', ['open'], 'dispute reported in a call', at);
    }
  }
  await notifyCase(task.caseId, `call:${body.outcome}`, at);
  return { taskId, status: 'done', outcome: body.outcome };
}
