// First: outside Lambda, keep the X-Ray SDK in manual mode (see xray-mode.ts).
import './xray-mode.js';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray tracing (Powertools Tracer): a subsegment per invocation (lambda.ts) and one per AWS SDK call (aws.ts).
 * Outside Lambda (the local runtime, tests) it is disabled and every call is a no-op. Responses carry debtor data:
 * POWERTOOLS_TRACER_CAPTURE_RESPONSE=false keeps them out of the traces (set by the stack).
 */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'maatwerk' });
