/**
 * The learning counters' stream pieces that need no table: the batch sum (domain/outcomes/counters.ts), the
 * counters attribute's codec (store/learning.ts) and the stream filter as the local emulator matches it — the same
 * pattern the CDK stack gives the event source mapping (functions/store/table.ts).
 */
import { describe, expect, it } from 'vitest';
import { sumCounterWrites } from '../../functions/domain/outcomes/counters.js';
import { counterWrites, decodeCounters, encodeCounters } from '../../functions/store/learning.js';
import { TABLE } from '../../functions/store/table.js';
import { recordFilter, requiredNewImageAttributes } from '../../infra/local/streams/filter.js';

describe('the batch sum', () => {
  it('adds every write to the same counter item into one, keeps first-seen order, leaves out what sums to nothing', () => {
    const a = { PK: 'KPI#acme#2026-03-02', SK: 'S#0' };
    const b = { PK: 'EXP#x', SK: 'V#firm#2026-03-02#0' };
    expect(
      sumCounterWrites([
        { ...a, add: { 'channel:sms|c': 1, 'channel:sms|k': 8 } },
        { ...b, add: { n: 1 }, set: { variant: 'firm', day: '2026-03-02' } },
        { ...a, add: { 'channel:sms|c': 2, 'channel:email|c': 1 } },
        { ...b, add: { n: -1 }, set: { variant: 'firm', day: '2026-03-02' } },
        { PK: 'KPI#globex#2026-03-02', SK: 'S#0', add: { 'channel:sms|k': 0 } },
      ]),
    ).toEqual([{ ...a, add: { 'channel:sms|c': 3, 'channel:sms|k': 8, 'channel:email|c': 1 } }]);
  });

  it("a case's increments become writes on its counter items, experiments with their variant and day", () => {
    const writes = counterWrites('deb_1', [{ scope: 'acme', day: '2026-03-02', add: { 'channel:sms|c': 1 } }], [{ experimentId: 'x', variant: 'firm', day: '2026-03-02', add: { n: 1 } }]);
    expect(writes).toEqual([
      { PK: 'KPI#acme#2026-03-02', SK: 'S#0', add: { 'channel:sms|c': 1 } },
      { PK: 'EXP#x', SK: 'V#firm#2026-03-02#0', add: { n: 1 }, set: { variant: 'firm', day: '2026-03-02' } },
    ]);
  });
});

describe('the counters attribute', () => {
  it('round-trips the write id and the writes, compactly', () => {
    const writes = Array.from({ length: 3 }, (_, i) => ({ PK: `KPI#acme#2026-03-0${i + 1}`, SK: 'S#0', add: { 'segment:unaware|c': 1, 'channel:sms|c': 1, 'template:sms/reminder/friendly|c': 1, 'tone:friendly|c': 1 } }));
    const s = encodeCounters('C#deb_1#v7', writes)!;
    expect(decodeCounters(s)).toEqual({ writeId: 'C#deb_1#v7', writes });
    expect(s.length).toBeLessThan(JSON.stringify(writes).length / 2);
    expect(encodeCounters('C#deb_1#v8', [])).toBeUndefined();
  });

  it('refuses anything the store did not write', () => {
    expect(() => decodeCounters('not base64 deflate')).toThrow();
    const wrong = Buffer.from(JSON.stringify({ w: 'x', u: [['PK', 'SK', { a: 'one' }]] })).toString('base64');
    expect(() => decodeCounters(wrong)).toThrow();
  });
});

describe('the stream filter (as the local emulator matches it)', () => {
  const matches = recordFilter(TABLE.stream.filter);
  const record = (eventName: string, newImage?: Record<string, unknown>) => ({ eventName, dynamodb: { Keys: {}, ...(newImage ? { NewImage: newImage } : {}) } });

  it('lets through inserts and modifies whose new image carries counters, nothing else', () => {
    expect(matches(record('INSERT', { lrn: { S: 'x' } }))).toBe(true);
    expect(matches(record('MODIFY', { lrn: { S: 'x' } }))).toBe(true);
    expect(matches(record('MODIFY', { other: { S: 'x' } }))).toBe(false);
    expect(matches(record('REMOVE'))).toBe(false);
    expect(matches(record('MODIFY', { lrn: { N: '1' } }))).toBe(false);
    expect(requiredNewImageAttributes(TABLE.stream.filter)).toEqual([TABLE.stream.countersAttribute]);
  });

  it('refuses a pattern it cannot match exactly (so the emulator never passes what Lambda would not)', () => {
    expect(() => recordFilter({ dynamodb: { NewImage: { lrn: { S: [{ prefix: 'x' }] } } } })).toThrow(/only literal values/);
  });
});
