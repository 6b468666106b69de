import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured logs. Never log phone numbers, email addresses, names or message text:
 * log ids (debtorId, dossierId, caseId, stepNo) only.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'maatwerk',
  logLevel: (process.env.LOG_LEVEL as 'INFO' | 'DEBUG' | 'WARN' | 'ERROR' | undefined) ?? 'INFO',
});
