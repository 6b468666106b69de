/**
 * A sending step's decisions, made by the Decide function: the decision's code (the strategy, segmentation, the
 * experiments' allocation) lives there only, so the sending functions carry their channel and nothing of deciding
 * (issue 12: small functions). The step sends the facts of the case it holds — the case its claim wrote, or the one
 * it read; each claim cut down to what a decision reads, no name, reference or description — so Decide reads
 * nothing: a question costs one synchronous invocation and no DynamoDB request.
 *  - `plan`: after a send, what the journey does at the moment its next step is due if nothing happens (the timer
 *    carries it out: services/channel-step.ts scheduleNext);
 *  - `now`: the decision now for a case that changed since the step's action was decided (a status, a reply).
 * Configuration: WAKE_FUNCTION_ARN (the Decide function; its timers' wake target too).
 */
import { type CaseState, decisionFacts, factsOf } from '../domain/case/state.js';
import { Action, type DecisionRequest } from '../shared/schemas/journey.js';
import { invokeFunction } from './invoke.js';

/**
 * How long a step waits for Decide's answer (a warm Decide answers in tens of milliseconds, a cold one in about a
 * second). The plan is asked after the send: 10 s stays well inside the sending functions' own timeouts (30 s,
 * letters 60 s), and a slow answer leaves the plan to the timer's wake-up. The decision now is asked before the
 * send, whose provider retries take up to 25 s of the 30: 3 s, and without an answer the Decide state decides.
 */
const ANSWER_TIMEOUT_MS: Record<DecisionRequest['kind'], number> = { plan: 10_000, now: 3_000 };

export async function askDecide(kind: DecisionRequest['kind'], c: CaseState, at: Date): Promise<Action> {
  const arn = process.env.WAKE_FUNCTION_ARN;
  if (!arn) throw new Error('WAKE_FUNCTION_ARN is not set');
  const decide: DecisionRequest = { kind, caseId: c.caseId, seenEventSeq: c.eventSeq, at: at.toISOString(), facts: decisionFacts(factsOf(c)) };
  const answer = Action.safeParse(await invokeFunction(arn, 'Decide', { decide }, { timeoutMs: ANSWER_TIMEOUT_MS[kind] }));
  if (!answer.success) throw new Error(`the Decide function answered no action (${answer.error.issues[0]?.path.join('.') ?? ''})`);
  return answer.data;
}
