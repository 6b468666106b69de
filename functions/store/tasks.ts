import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TaskPriority, TaskReason } from '../domain/vocabulary.js';
import { dynamo, tableName } from '../shared/aws.js';
import { isConditionFailed, key, queryAll, strip } from './keys.js';

export interface CallTask {
  taskId: string;
  /** what the task is for: a journey's call step, a reply nobody could be sure was whose, or what a reply needs */
  reason?: TaskReason;
  /** urgent (vulnerability), high, normal; journey calls are normal */
  priority?: TaskPriority;
  caseId: string;
  journeyNo: number;
  stepNo: number;
  status: 'open' | 'done' | 'expired';
  dueAt: string;
  createdAt: string;
  dossierIds: string[];
  /** what the agent needs: open dossiers, last contacts, segment and reasons, a suggested talking line */
  context: Record<string, unknown>;
  outcome?: string;
  note?: string;
  completedAt?: string;
}

export const taskIdFor = (caseId: string, journeyNo: number, stepNo: number) => `task_${caseId}_${journeyNo}_${stepNo}`;

const gsi1 = (t: Pick<CallTask, 'status' | 'dueAt' | 'taskId'>) => ({ GSI1PK: `TASKS#${t.status}`, GSI1SK: `${t.dueAt}#${t.taskId}` });

/** The task item, for a batch that writes it together with the step's timeline entries. */
export const taskItem = (task: CallTask) => ({ ...key.task(task.taskId), ...gsi1(task), ...task });

/** Creates the call task for a journey step once; a retried step finds the existing one. */
export async function createTaskOnce(task: CallTask): Promise<boolean> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...key.task(task.taskId), ...gsi1(task), ...task },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

export async function getTask(taskId: string): Promise<CallTask | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.task(taskId), ConsistentRead: true }));
  return strip<CallTask>(res.Item);
}

/** Access pattern: open call tasks by due time (GSI1). */
export async function listOpenTasks(): Promise<CallTask[]> {
  return tasksWithStatus('open');
}

/** Access pattern: call tasks in one status by due time (GSI1). */
export async function tasksWithStatus(status: CallTask['status']): Promise<CallTask[]> {
  return queryAll<CallTask>({
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': `TASKS#${status}` },
  });
}

/** Closes an open task (done with an outcome, or expired). Returns the closed task, or undefined if it was not open. */
export async function closeTask(
  taskId: string,
  status: 'done' | 'expired',
  at: string,
  outcome?: { outcome: string; note?: string },
): Promise<CallTask | undefined> {
  const task = await getTask(taskId);
  if (!task) return undefined;
  try {
    const res = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key.task(taskId),
        UpdateExpression: 'SET #s = :s, completedAt = :at, GSI1PK = :pk, GSI1SK = :sk, #o = :o, #n = :n',
        ConditionExpression: '#s = :open',
        ExpressionAttributeNames: { '#s': 'status', '#o': 'outcome', '#n': 'note' },
        ExpressionAttributeValues: {
          ':s': status,
          ':open': 'open',
          ':at': at,
          ':pk': gsi1({ ...task, status }).GSI1PK,
          ':sk': gsi1(task).GSI1SK,
          ':o': outcome?.outcome ?? null,
          ':n': outcome?.note ?? null,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip<CallTask>(res.Attributes);
  } catch (err) {
    if (isConditionFailed(err)) return undefined;
    throw err;
  }
}

/**
 * Closes a task whose id and due time are known (the case keeps them): one conditional write, no read.
 * A task that is no longer open stays as it is.
 */
export async function closeOpenTask(taskId: string, dueAt: string, status: 'done' | 'expired', at: string): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key.task(taskId),
        UpdateExpression: 'SET #s = :s, completedAt = :at, GSI1PK = :pk, GSI1SK = :sk',
        ConditionExpression: '#s = :open',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': status, ':open': 'open', ':at': at, ':pk': `TASKS#${status}`, ':sk': `${dueAt}#${taskId}` },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}
