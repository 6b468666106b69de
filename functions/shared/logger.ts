import { Logger } from '@aws-lambda-powertools/logger';
import { redact } from './redact.js';

/**
 * Structured logs (Powertools Logger). Never log phone numbers, email addresses, names, IBANs or message text:
 * log ids (caseId, dossierId, stepNo) only. The handler wrapper (lambda.ts) adds the Lambda context and the
 * correlation id (the case id where there is one) to every line of an invocation.
 *
 * As a safety net every string value is passed through redact() on its way out, so an address or number that slips
 * into a message or an error text is masked rather than stored in CloudWatch Logs.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'maatwerk',
  logLevel: (process.env.LOG_LEVEL as 'INFO' | 'DEBUG' | 'WARN' | 'ERROR' | undefined) ?? 'INFO',
  jsonReplacerFn: (_key: string, value: unknown) => (typeof value === 'string' ? redact(value) : value),
});
