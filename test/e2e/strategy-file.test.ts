/**
 * Operators steer the journeys through templates/strategy.json (here a copy, via MAATWERK_STRATEGY_FILE):
 * an edit shows in the next decisions without touching code, and a bad file is refused at start, naming the field.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalRuntime } from '../../infra/local/runtime.js';
import { dossierBody, type Harness, startLocal } from '../support/local.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-strategy-'));
const file = path.join(dir, 'strategy.json');
const original = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../templates/strategy.json'), 'utf8'));
let h: Harness | undefined;
afterAll(async () => h?.stop());

/** Makes every first reminder go out by SMS only. */
function smsFirst(strategy: any) {
  const copy = structuredClone(strategy);
  for (const seg of Object.values<any>(copy.segments)) {
    const reminder = seg.phases.find((p: any) => p.phase === 'reminder');
    if (reminder) {
      reminder.channels = ['sms'];
      delete reminder.rotate;
      delete reminder.fallback;
    }
  }
  return copy;
}

describe('the strategy file', () => {
  it('refuses to start with an invalid file and names the field and the reason', async () => {
    const bad = structuredClone(original);
    bad.segments.unaware.phases[1].cadenceDays = -2;
    const badFile = path.join(dir, 'bad.json');
    fs.writeFileSync(badFile, JSON.stringify(bad));
    await expect(
      LocalRuntime.start({ dataDir: fs.mkdtempSync(path.join(dir, 'rt-')), port: 0, env: { MAATWERK_STRATEGY_FILE: badFile }, quiet: true }),
    ).rejects.toThrow(/strategy\.segments\.unaware\.phases\[1\]\.cadenceDays/);
  });

  it('applies an edited file to the next decisions, without a restart', async () => {
    fs.writeFileSync(file, JSON.stringify(original));
    h = await startLocal({ start: '2026-03-02T08:00:00Z', env: { MAATWERK_STRATEGY_FILE: file } });
    const a = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'STRAT-A' }, { phone: '+31610000011', email: 'a@example.invalid' }));
    await h.advance({ seconds: 0 });
    expect((await h.outbox()).filter((m) => m.debtorId === a.body.debtorId)[0].channel).toBe('email');

    fs.writeFileSync(file, JSON.stringify(smsFirst(original)));
    const b = await h.api('POST', '/v1/dossiers', dossierBody({ reference: 'STRAT-B' }, { phone: '+31610000012', email: 'b@example.invalid' }));
    await h.advance({ seconds: 0 });
    expect((await h.outbox()).filter((m) => m.debtorId === b.body.debtorId)[0].channel).toBe('sms');
  });
});
