/**
 * kill -9 in the middle of journeys, start again on the same data dir: every journey continues where it
 * was, nothing is sent twice and nothing is silently lost. Runs `npm start`'s entry point as a child process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dossierBody } from '../support/local.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-crash-'));
const children: ChildProcess[] = [];

async function startChild(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'infra/local/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      MAATWERK_DATA_DIR: dataDir,
      MAATWERK_CLOCK: 'virtual',
      MAATWERK_CLOCK_START: '2026-03-02T08:00:00Z',
      MAATWERK_API_KEYS: 'acme:key-acme',
      LOG_LEVEL: 'WARN',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runtime did not start:\n${out}`)), 90_000);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const m = /API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr!.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => reject(new Error(`runtime exited with ${code}:\n${out}`)));
  });
  return { child, url };
}

async function call(url: string, method: string, p: string, body?: unknown) {
  const res = await fetch(`${url}${p}`, {
    method,
    headers: { 'x-api-key': 'key-acme', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('crash recovery of the local runtime', () => {
  it('continues every journey after kill -9, sending nothing twice and losing nothing silently', async () => {
    const first = await startChild();
    const debtors: Array<{ dossierId: string; debtorId: string }> = [];
    for (let i = 0; i < 4; i++) {
      const res = await call(first.url, 'POST', '/v1/dossiers', dossierBody({ reference: `CRASH-${i}` }, { phone: `+3161234500${i}`, email: `crash${i}@example.invalid` }));
      expect(res.status).toBe(201);
      debtors.push(res.body);
    }
    await call(first.url, 'POST', '/local/clock/advance', { until: '2026-03-08T12:00:00Z' });
    const beforeKill = (await call(first.url, 'GET', '/local/outbox')).body.messages as Array<{ channel: string }>;
    expect(beforeKill.filter((m) => m.channel === "sms"), JSON.stringify(beforeKill.map((m) => [m.channel, (m as any).sentAt, (m as any).debtorId]))).toHaveLength(4);

    // Kill it while it is busy: as soon as the first letter reached the print service.
    const records = path.join(dataDir, 'providers', 'records.jsonl');
    void fetch(`${first.url}/local/clock/advance`, { method: 'POST', body: JSON.stringify({ until: '2026-03-20T12:00:00Z' }) }).catch(() => undefined);
    const letters = () => (fs.readFileSync(records, 'utf8').match(/"channel":"letter"/g) ?? []).length;
    while (letters() === 0) await new Promise((r) => setTimeout(r, 2));
    first.child.kill('SIGKILL');
    const lettersAtKill = letters();
    await new Promise((r) => first.child.once('exit', r));

    expect(lettersAtKill, 'killed in the middle of the letters').toBeLessThan(4);
    const second = await startChild();
    await call(second.url, 'POST', '/local/clock/advance', { until: '2026-05-20T12:00:00Z' });
    const outbox = (await call(second.url, 'GET', '/local/outbox')).body.messages as Array<{ debtorId: string; stepNo: number; channel: string }>;

    for (const d of debtors) {
      const mine = outbox.filter((m) => m.debtorId === d.debtorId);
      const steps = mine.map((m) => m.stepNo);
      expect(new Set(steps).size, `no step of ${d.debtorId} sent twice`).toBe(steps.length);
      const view = await call(second.url, 'GET', `/v1/dossiers/${d.dossierId}`);
      const timeline = view.body.timeline as Array<{ type: string; channel?: string }>;
      // Every step of the sequence either went out or is on the timeline as not sent, with the reason.

      for (const channel of ['email', 'sms', 'letter', 'call']) {
        const sent = mine.some((m) => m.channel === channel);
        const reported = timeline.some((e) => e.type === 'send_failed' && e.channel === channel);
        expect(sent || reported, `${channel} for ${d.debtorId}`).toBe(true);
      }
      expect(view.body.status).toBe('handed_over');
    }
    second.child.kill('SIGTERM');
    // No time budget: two runtimes start as child processes and run months of journeys (33 s with two other heavy
    // processes on 2 cores, against vitest's 60 s default).
  }, 300_000);
});
