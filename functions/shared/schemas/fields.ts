/** Field types every schema shares, and the zod issue → API `fields` mapping. */
import type { core } from 'zod/mini';
import * as z from '../zod.js';

export const cents = z.int('must be whole cents').check(z.positive('must be more than 0 cents'));
export const isoDate = z.iso.date('must be a date YYYY-MM-DD');
export const isoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' });

/** Turns a zod error into { "debtor.phone": "reason" } for the API's 400 answer. */
export function fieldErrors(error: { issues: readonly core.$ZodIssue[] }): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '(body)';
    fields[key] ??= issue.message;
  }
  return fields;
}
