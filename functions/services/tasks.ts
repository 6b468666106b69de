/**
 * The agents' call queue (API §7). Only the agency's own keys (clients marked `agent`) work the queue.
 *
 * A journey's CallTask step creates a task, which then waits. Completing it closes the task (once: a second,
 * different completion is a 409; the same one again replays its effects), writes the outcome to the case as an
 * event (wrong number → the phone unusable; dispute → the dossiers paused; cannot pay → flagged), then to the
 * timeline, and only then wakes the journey, so Decide sees the outcome. A task nobody completes expires when
 * the journey moves on. A task for a reply from a shared number concerns no journey: it is only closed.
 */
import type * as z from '../shared/zod.js';
import { HttpError } from '../shared/http.js';
import { logger } from '../shared/logger.js';
import type { CompleteTaskBody } from '../shared/schemas.js';
import type { Client } from '../store/clients.js';
import type { TaskPriority, TaskReason } from '../domain/vocabulary.js';
import { type CallTask, closeTask, createTaskOnce, getTask, listOpenTasks } from '../store/tasks.js';
import { appendEvents } from '../store/timeline.js';
import { changedProjections, mutateCase } from './case.js';
import { wakeJourney } from './journeys.js';

type Outcome = z.infer<typeof CompleteTaskBody>['outcome'];

const OUTCOME_TEXT: Record<Outcome, string> = {
  reached: 'debtor reached',
  no_answer: 'no answer',
  promise_to_pay: 'debtor promises to pay',
  arrangement_requested: 'debtor asks for a payment arrangement',
  cannot_pay: 'debtor says they cannot pay',
  dispute: 'debtor disputes the claim; the dossiers are paused',
  wrong_number: 'wrong number; the phone number is marked unusable',
  vulnerable: 'the debtor is vulnerable; a person decides before any escalation',
};

export function requireAgent(client: Client): void {
  if (!client.agent) throw new HttpError(403, 'forbidden', 'Only the agency’s agent keys can work the call queue.');
}

const PRIORITY_ORDER: Record<TaskPriority, number> = { urgent: 0, high: 1, normal: 2 };

/** Open tasks, the most urgent first, then by due time; optionally only those with one reason. */
export async function openTasks(client: Client, reason?: TaskReason) {
  requireAgent(client);
  const tasks = (await listOpenTasks())
    .filter((t) => !reason || (t.reason ?? 'call') === reason)
    .sort((a, b) => PRIORITY_ORDER[a.priority ?? 'normal'] - PRIORITY_ORDER[b.priority ?? 'normal'] || a.dueAt.localeCompare(b.dueAt));
  return tasks.map((t) => ({
    taskId: t.taskId,
    reason: t.reason ?? 'call',
    priority: t.priority ?? 'normal',
    debtorId: t.caseId || null,
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
  if (task.caseId) {
    // The consequences first, then the timeline, then the wake-up: Decide must see all of it.
    const phone = typeof task.context.phone === 'string' ? task.context.phone : undefined;
    const m = await mutateCase(task.caseId, now, (c) =>
      c.signals.callOutcomes.some((o) => o.at === at && o.outcome === body.outcome) ? undefined : [{ type: 'call_outcome', at, outcome: body.outcome, dossierIds: task.dossierIds, taskId, ...(phone ? { phone } : {}) }],
    );
    await appendEvents(
      task.caseId,
      [
        {
          eventId: `call-${taskId}`,
          at,
          type: 'call_outcome',
          channel: 'call',
          detail: `Call outcome: ${OUTCOME_TEXT[body.outcome]}.${body.note ? ' The agent left a note.' : ''}`,
          dossierIds: task.dossierIds,
          stepNo: task.stepNo,
          data: { outcome: body.outcome, taskId, ...(body.note ? { note: body.note } : {}) },
        },
      ],
      m ? changedProjections(m.before, m.after) : [],
    );
    // Nobody answered a call about a hold (vulnerability, bankruptcy, wrong person): outreach keeps waiting, and the
    // agents get the task again tomorrow, so the person is not forgotten.
    const held = m?.after.holds?.find((h) => taskId === h.taskId || taskId.startsWith(`${h.taskId}_r`));
    if (body.outcome === 'no_answer' && held) await followUp(task, held.taskId, at);
    if (m) await wakeJourney(m.after, `call:${body.outcome}`);
  }
  logger.info('call task completed', { taskId, caseId: task.caseId, outcome: body.outcome });
  return { taskId, status: 'done', outcome: body.outcome, completedAt: at };
}

/** The next try of a hold's task after no answer: `<hold task>_r2`, `_r3`, … due a day later. */
async function followUp(task: CallTask, holdTaskId: string, at: string): Promise<void> {
  const n = task.taskId === holdTaskId ? 2 : Number(/_r(\d+)$/.exec(task.taskId)?.[1] ?? 1) + 1;
  await createTaskOnce({
    ...task,
    taskId: `${holdTaskId}_r${n}`,
    status: 'open',
    createdAt: at,
    dueAt: new Date(Date.parse(at) + 86_400_000).toISOString(),
    context: { ...task.context, why: `${String(task.context.why ?? 'follow-up')} (try ${n}: nobody answered before)` },
    outcome: undefined,
    note: undefined,
    completedAt: undefined,
  });
}
