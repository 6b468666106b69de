/**
 * Logs the legal tables' coverage warnings (domain/coverage.ts) once per container: on AWS the first Decide of each
 * Lambda execution environment, locally the runtime's start and its first Decide. Once, not per decision: a
 * warning that repeats on every step drowns in the logs; one per container still reaches every deployment (a
 * LegalTableWarnings metric per table, alarmed on: the alarm goes off when a table starts running out and stays on
 * until a deployment brings the next entries).
 */
import { type CoverageWarning, coverageWarnings } from '../domain/coverage.js';
import { logger } from '../shared/logger.js';
import { metrics } from '../shared/metrics.js';

let checked = false;

/** Logs what runs out (each table once), the first time it is called in this container; returns what it logged. */
export function warnCoverageOnce(now: Date, log: Pick<typeof logger, 'warn'> = logger): CoverageWarning[] {
  if (checked) return [];
  checked = true;
  const warnings = logCoverage(now, log);
  for (const w of warnings) metrics.legalTableWarning(w.table);
  return warnings;
}

/** Logs the coverage warnings at `now` (the local runtime at start). */
export function logCoverage(now: Date, log: Pick<typeof logger, 'warn'> = logger): CoverageWarning[] {
  const warnings = coverageWarnings(now);
  // `detail`, not `message`: the logger keeps `message` for the line's own text and would drop the key.
  for (const w of warnings) log.warn('legal table runs out', { table: w.table, coveredThrough: w.coveredThrough, daysLeft: w.daysLeft, detail: w.message });
  return warnings;
}

/** Tests: behave like a fresh container. */
export function resetCoverageCheck(): void {
  checked = false;
}
