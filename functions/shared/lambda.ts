/**
 * The wrapper every Lambda entry exports its handler through: the Lambda context and a correlation id on every
 * log line of the invocation, an X-Ray subsegment for the handler (cold start and service annotations, the case id
 * as a searchable annotation, errors as metadata), and clean-up afterwards so nothing leaks into the next
 * invocation of a warm container. Handlers stay thin and testable: the local runtime and tests call the same
 * exported function without a context.
 *
 * The log keys are set only when there is a Lambda context: a Lambda container runs one invocation at a time,
 * the local runtime runs many concurrently in one process, where per-invocation keys on the shared logger would
 * label one journey's lines with another's case id (the messages carry their ids themselves).
 */
import type { Context } from 'aws-lambda';
import { logger } from './logger.js';
import { tracer } from './tracer.js';

export interface Correlation {
  /** the case id where the event has one, else the request id: on every log line as correlation_id */
  correlationId?: string;
  /** more ids for every log line (never personal data) */
  keys?: Record<string, string | number>;
}

export type Handler<E, R> = (event: E, context?: Context) => Promise<R>;

export function lambdaHandler<E, R>(fn: Handler<E, R>, correlate?: (event: E) => Correlation | undefined): Handler<E, R> {
  return async (event, context) => {
    let c: Correlation | undefined;
    try {
      c = correlate?.(event);
    } catch {
      c = undefined; // a malformed event is the handler's to refuse, not the logger's
    }
    if (context) {
      logger.addContext(context);
      if (c?.correlationId) logger.setCorrelationId(c.correlationId);
      if (c?.keys) logger.appendKeys(c.keys);
    }
    const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    const segment = parent?.addNewSubsegment(`## ${process.env._HANDLER ?? 'handler'}`);
    if (segment) {
      tracer.setSegment(segment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
      if (c?.correlationId) tracer.putAnnotation('correlationId', c.correlationId);
    }
    try {
      return await fn(event, context);
    } catch (err) {
      if (segment) tracer.addErrorAsMetadata(err as Error);
      throw err;
    } finally {
      segment?.close();
      if (parent) tracer.setSegment(parent);
      if (context) logger.resetKeys();
    }
  };
}

/** `{ state: { caseId } }` events (Decide, the channel steps): the case id is the correlation id. */
export function journeyCorrelation(event: unknown): Correlation | undefined {
  const state = (event as { state?: { caseId?: unknown; journeyNo?: unknown; action?: { stepNo?: unknown } } } | undefined)?.state;
  if (typeof state?.caseId !== 'string') return undefined;
  const keys: Record<string, string | number> = { caseId: state.caseId };
  if (typeof state.journeyNo === 'number') keys.journeyNo = state.journeyNo;
  if (typeof state.action?.stepNo === 'number') keys.stepNo = state.action.stepNo;
  return { correlationId: state.caseId, keys };
}
