/**
 * The legal tables say when they run out (issue 11 item 5): the declared-equal days (Atw art. 3 lid 3) and the
 * statutory interest rates (art. 6:119 / 6:119a BW), as one list of warnings (functions/domain/coverage.ts), logged
 * once per container by Decide (functions/services/coverage.ts), never per decision.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { coverageWarnings } from '../../functions/domain/coverage.js';
import { logCoverage, resetCoverageCheck, warnCoverageOnce } from '../../functions/services/coverage.js';

afterEach(() => resetCoverageCheck());

describe('coverage warnings of the legal tables', () => {
  it('none while both tables run well ahead (June 2026)', () => {
    expect(coverageWarnings(new Date('2026-06-01T10:00:00Z'))).toEqual([]);
  });

  it('the rate table warns from 31 days before it ends (December 2026), naming INTEREST_RATES', () => {
    const w = coverageWarnings(new Date('2026-12-05T10:00:00Z'));
    expect(w.map((x) => x.table)).toEqual(['interest_rates']);
    expect(w[0]).toMatchObject({ coveredThrough: '2026-12-31', daysLeft: 26 });
    expect(w[0].message).toMatch(/INTEREST_RATES in functions\/domain\/interest\.ts/);
  });

  it('the declared-equal days warn within 12 months of 2028-12-31 (March 2028), naming DECLARED_EQUAL_DAYS; the rates have run out', () => {
    const w = coverageWarnings(new Date('2028-03-01T10:00:00Z'));
    expect(w.map((x) => x.table)).toEqual(['declared_equal_days', 'interest_rates']);
    expect(w[0].message).toMatch(/DECLARED_EQUAL_DAYS in functions\/domain\/calendar\.ts/);
    expect(w[1].daysLeft).toBeLessThan(0);
  });

  it('Decide logs them once per container, not per decision', () => {
    const logged: unknown[][] = [];
    const log = { warn: (...args: unknown[]) => void logged.push(args) };
    const now = new Date('2028-03-01T10:00:00Z');
    expect(warnCoverageOnce(now, log)).toHaveLength(2);
    expect(warnCoverageOnce(now, log)).toEqual([]);
    expect(warnCoverageOnce(now, log)).toEqual([]);
    expect(logged).toHaveLength(2);
    expect(logged[0][0]).toBe('legal table runs out');
    expect(logged[0][1]).toMatchObject({ table: 'declared_equal_days', coveredThrough: '2028-12-31' });
    // what to add, under a key the logger keeps (it drops a `message` key: the line's text is its own)
    expect((logged[0][1] as { detail: string }).detail).toMatch(/DECLARED_EQUAL_DAYS in functions\/domain\/calendar\.ts/);
  });

  it('the local runtime logs them at start (logCoverage), every start', () => {
    const logged: unknown[][] = [];
    const log = { warn: (...args: unknown[]) => void logged.push(args) };
    logCoverage(new Date('2026-12-20T10:00:00Z'), log);
    logCoverage(new Date('2026-12-20T10:00:00Z'), log);
    expect(logged).toHaveLength(2);
  });
});
