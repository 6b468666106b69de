/**
 * Starting, joining and waking journeys. Whatever happens to a case is written to the store first
 * (noteEvent) and only then wakes the waiting step, so a lost wake-up only delays the reaction.
 */
import { DescribeExecutionCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { stepFunctions } from '../shared/aws.js';
import { logger } from '../shared/logger.js';
import { metrics } from '../shared/metrics.js';
import { type Case, closeCase, noteEvent, openOrJoinCase, setExecution } from '../store/cases.js';

const GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken', 'ExecutionDoesNotExist']);

function stateMachineArn(): string {
  const arn = process.env.STATE_MACHINE_ARN;
  if (!arn) throw new Error('STATE_MACHINE_ARN is not set');
  return arn;
}

/** Deterministic execution name: a retry of the same start is idempotent in Step Functions. */
export function executionName(caseId: string, journeyNo: number): string {
  return `${caseId}-j${journeyNo}`.slice(0, 80);
}

/** A new claim for a debtor: one journey per debtor; a running one is joined and woken. */
export async function startOrJoinJourney(caseId: string, at: string, attempt = 0): Promise<Case> {
  const { case: c, startJourney } = await openOrJoinCase(caseId, at);
  if (startJourney) {
    const res = await stepFunctions()
      .send(
        new StartExecutionCommand({
          stateMachineArn: stateMachineArn(),
          name: executionName(caseId, c.journeyNo),
          input: JSON.stringify({ caseId, journeyNo: c.journeyNo }),
        }),
      )
      .catch((err) => {
        // Same name, same input: already started by an earlier attempt.
        if ((err as { name?: string }).name === 'ExecutionAlreadyExists') return undefined;
        throw err;
      });
    if (res?.executionArn) {
      metrics.journeyStarted();
      await setExecution(caseId, c.journeyNo, res.executionArn);
    }
    logger.info('journey started', { caseId, journeyNo: c.journeyNo });
  } else if (attempt < 3 && c.executionArn && !(await isRunning(c.executionArn))) {
    // The execution ended outside our control (stopped by an operator, failed): close this journey and start
    // a new one, so the new claim is never left without a running journey.
    if (await closeCase(caseId, c.journeyNo, c.eventSeq, 'execution ended unexpectedly', at)) {
      metrics.journeyEnded('execution ended unexpectedly');
      logger.warn('journey execution was not running; starting a new one', { caseId, journeyNo: c.journeyNo });
    }
    return startOrJoinJourney(caseId, at, attempt + 1);
  } else {
    await wake(c, 'claim_added');
  }
  return c;
}

async function isRunning(executionArn: string): Promise<boolean> {
  const res = await stepFunctions().send(new DescribeExecutionCommand({ executionArn }));
  return res.status === 'RUNNING';
}

/** Records that something happened to the case and wakes its waiting step. */
export async function notifyCase(caseId: string, reason: string, at: string): Promise<void> {
  const c = await noteEvent(caseId, at);
  if (c) await wake(c, reason);
}

/** Ends the current wait of a journey early. A token that already expired is fine: the journey moved on. */
export async function wake(c: Pick<Case, 'caseId' | 'taskToken'>, reason: string): Promise<void> {
  if (!c.taskToken) return;
  try {
    await stepFunctions().send(new SendTaskSuccessCommand({ taskToken: c.taskToken, output: JSON.stringify({ wokenBy: reason }) }));
    logger.info('journey woken', { caseId: c.caseId, reason });
  } catch (err) {
    if (!GONE.has((err as { name?: string }).name ?? '')) throw err;
  }
}
