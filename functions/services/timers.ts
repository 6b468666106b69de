/**
 * The journey's timers: one EventBridge Scheduler one-time schedule per wait (locally the scheduler emulator,
 * infra/local/scheduler). At the planned moment it ends the waiting state with the planned action as the
 * state's output — SendTaskSuccess as the schedule's target, no Lambda in between — so the journey goes
 * straight from one channel state through Route to the next: two state transitions per contact. When the plan
 * is to end the journey, the target is the Decide function instead (it closes the case, then ends the wait).
 *
 * The waiting state's own timeout stays as a safety net (the planned moment + TIMER_GRACE_S): if a schedule is
 * lost, the state times out into Decide and the journey carries on. A schedule whose target still fails after its
 * retries goes to the timers' dead-letter queue (SCHEDULE_DLQ_ARN; alarmed on).
 *
 * Configuration (set by the stack, and by the local runtime): SCHEDULE_GROUP_NAME, SCHEDULER_ROLE_ARN (the role the
 * schedules run with), WAKE_FUNCTION_ARN (the Decide function), ANSWER_FUNCTION_ARN and NOTIFY_FUNCTION_ARN (the
 * Deliveries function: the target of the answers that wait for contact hours and of the creditor notifications'
 * delivery attempts), SCHEDULE_DLQ_ARN (optional).
 *
 * An answer due now is no timer: services/deliver-now.ts invokes the Deliveries function with the same event its timer
 * would send, and waits for it.
 */
import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException } from '@aws-sdk/client-scheduler';
import { schedulerClient } from '../shared/aws.js';
import { logger } from '../shared/logger.js';

export const SEND_TASK_SUCCESS_TARGET = 'arn:aws:scheduler:::aws-sdk:sfn:sendTaskSuccess';
/** How much later than planned a waiting state gives up on its timer and asks Decide. */
export const TIMER_GRACE_S = 3600;

/** Deterministic per (case, journey, step, events seen): a retried step re-creates the same schedule. */
export function timerName(caseId: string, journeyNo: number, stepNo: number, eventSeq: number): string {
  return `t-${caseId}-${journeyNo}-${stepNo}-${eventSeq}`.slice(0, 64);
}

function config() {
  return {
    group: process.env.SCHEDULE_GROUP_NAME ?? 'default',
    roleArn: process.env.SCHEDULER_ROLE_ARN ?? 'arn:aws:iam::000000000000:role/maatwerk-scheduler',
    wakeFunctionArn: process.env.WAKE_FUNCTION_ARN,
    deadLetterArn: process.env.SCHEDULE_DLQ_ARN,
    answerFunctionArn: process.env.ANSWER_FUNCTION_ARN,
    /** creditor notifications are delivered by the Deliveries function too (functions/notifications/outbox.ts) */
    notifyFunctionArn: process.env.NOTIFY_FUNCTION_ARN ?? process.env.ANSWER_FUNCTION_ARN,
  };
}

/** "at(2026-03-25T08:00:00)" in UTC, rounded up to the second (never fires before the planned moment). */
function atExpression(at: Date): string {
  return `at(${new Date(Math.ceil(at.getTime() / 1000) * 1000).toISOString().slice(0, 19)})`;
}

export type TimerTarget =
  | { kind: 'output'; taskToken: string; output: unknown }
  | { kind: 'wake'; caseId: string; journeyNo: number; taskToken: string }
  /** an answer to a reply that waits for contact hours: the Deliveries function sends it (services/answer-delivery.ts) */
  | { kind: 'answer'; messageSid: string }
  /** attempt `attempt` (1-based) of delivering a creditor notification: the Deliveries function delivers it */
  | { kind: 'notify'; id: string; attempt: number };

/** Creates the timer; creating the same one again (a retried step) is fine. */
export async function setTimer(name: string, at: Date, target: TimerTarget): Promise<void> {
  const c = config();
  const Target =
    target.kind === 'output'
      ? { Arn: SEND_TASK_SUCCESS_TARGET, RoleArn: c.roleArn, Input: JSON.stringify({ TaskToken: target.taskToken, Output: JSON.stringify(target.output) }) }
      : target.kind === 'answer'
        ? { Arn: c.answerFunctionArn ?? 'ANSWER_FUNCTION_ARN is not set', RoleArn: c.roleArn, Input: JSON.stringify({ answer: { messageSid: target.messageSid } }) }
        : target.kind === 'notify'
          ? { Arn: c.notifyFunctionArn ?? 'NOTIFY_FUNCTION_ARN is not set', RoleArn: c.roleArn, Input: JSON.stringify({ notify: { id: target.id, attempt: target.attempt } }) }
          : {
          Arn: c.wakeFunctionArn ?? 'WAKE_FUNCTION_ARN is not set',
          RoleArn: c.roleArn,
          Input: JSON.stringify({ wake: { caseId: target.caseId, journeyNo: target.journeyNo, taskToken: target.taskToken } }),
        };
  try {
    await schedulerClient().send(
      new CreateScheduleCommand({
        Name: name,
        GroupName: c.group,
        ScheduleExpression: atExpression(at),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          ...Target,
          RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
          ...(c.deadLetterArn ? { DeadLetterConfig: { Arn: c.deadLetterArn } } : {}),
        },
      }),
    );
  } catch (err) {
    if (!(err instanceof ConflictException)) throw err;
  }
}

/** Removes a timer whose wait ended early; one that already fired or never existed is fine. */
export async function clearTimer(name: string | undefined): Promise<void> {
  if (!name) return;
  try {
    await schedulerClient().send(new DeleteScheduleCommand({ Name: name, GroupName: config().group }));
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return;
    // A stale timer only ends a wait that is over already: log it, never fail the caller for it.
    logger.warn('timer not deleted', { timer: name, errorName: (err as Error)?.name });
  }
}
