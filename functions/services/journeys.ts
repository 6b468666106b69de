/**
 * Starting and waking journeys. Whatever happens to a case is written to the case first (services/case.ts) and
 * only then ends the journey's current wait, so a lost wake-up only delays the reaction until the wait's timer.
 */
import { DescribeExecutionCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { CaseState } from '../domain/case/state.js';
import { stepFunctions } from '../shared/aws.js';
import { logger } from '../shared/logger.js';
import { metrics } from '../shared/metrics.js';
import type { JourneyState } from '../shared/schemas.js';
import { clearTimer } from './timers.js';

/** Errors of SendTaskSuccess that mean the wait is over already: the journey moved on. */
const GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken', 'ExecutionDoesNotExist']);

function stateMachineArn(): string {
  const arn = process.env.STATE_MACHINE_ARN;
  if (!arn) throw new Error('STATE_MACHINE_ARN is not set');
  return arn;
}

/** Deterministic execution name: a retried start is recognised by Step Functions. */
export function executionName(caseId: string, journeyNo: number): string {
  return `${caseId}-j${journeyNo}`.slice(0, 80);
}

/** The execution ARN follows from the state machine's and the name, so the case need not store it. */
export function executionArnOf(caseId: string, journeyNo: number): string {
  return `${stateMachineArn().replace(':stateMachine:', ':execution:')}:${executionName(caseId, journeyNo)}`;
}

/**
 * Starts the case's current journey; a second start is a no-op. It starts without an action, so its Route goes to
 * Decide, which decides the first one from the case as stored.
 */
export async function startJourney(c: CaseState): Promise<void> {
  const input: JourneyState = { caseId: c.caseId, journeyNo: c.journey.journeyNo };
  try {
    await stepFunctions().send(
      new StartExecutionCommand({ stateMachineArn: stateMachineArn(), name: executionName(c.caseId, c.journey.journeyNo), input: JSON.stringify(input) }),
    );
    metrics.journeyStarted();
    logger.info('journey started', { caseId: c.caseId, journeyNo: c.journey.journeyNo });
  } catch (err) {
    // Started already (a retried request): the running execution carries on.
    if ((err as { name?: string }).name !== 'ExecutionAlreadyExists') throw err;
  }
}

export async function isRunning(caseId: string, journeyNo: number): Promise<boolean> {
  try {
    const res = await stepFunctions().send(new DescribeExecutionCommand({ executionArn: executionArnOf(caseId, journeyNo) }));
    return res.status === 'RUNNING';
  } catch (err) {
    if ((err as { name?: string }).name === 'ExecutionDoesNotExist') return false;
    throw err;
  }
}

/** Ends a wait with the state the journey continues with. A wait that is over already is fine. */
export async function endWait(taskToken: string | undefined, state: JourneyState): Promise<boolean> {
  if (!taskToken) return false;
  try {
    await stepFunctions().send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(state) }));
    return true;
  } catch (err) {
    if (GONE.has((err as { name?: string }).name ?? '')) return false;
    throw err;
  }
}

/** Something happened to the case: the journey decides again at once, and the timer of its wait is dropped. */
export async function wakeJourney(c: CaseState, reason: string): Promise<void> {
  if (c.journey.status !== 'active') return;
  const woken = await endWait(c.journey.taskToken, { caseId: c.caseId, journeyNo: c.journey.journeyNo, action: { type: 'decide', reason } });
  if (woken) {
    await clearTimer(c.journey.timer);
    logger.info('journey woken', { caseId: c.caseId, reason });
  }
}
