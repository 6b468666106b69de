/**
 * `npm run import` end to end on the local runtime: a CSV of 450 rows (three batches of 200) with a handful of bad ones
 * is filed through POST /v1/dossiers/batch; the refused rows land in the report with the API's reasons under the
 * CSV's own column names; a second run files nothing (every row answered as filed before) and writes nothing; the
 * CLI's exit status and summary; a semicolon file; header mistakes refused before anything is sent.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startLocal } from '../support/local.js';
import { storeCounts } from '../support/edge.js';
import { CSV_COLUMNS, ImportError, importClaims } from '../../infra/import/csv-import.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-import-'));
let h: Harness;
beforeAll(async () => {
  // A Sunday: the journeys wait for Monday, so the import is what the runtime does.
  h = await startLocal({ start: '2026-03-01T10:00:00Z' });
});
afterAll(async () => {
  await h?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const HEADER = ['reference', 'principal', 'dueDate', 'description', 'name', 'consumer', 'email', 'phone', 'whatsappOptIn', 'language', 'addressLine1', 'postalCode', 'city', 'country', 'incomeSource', 'paydayOfMonth', 'debtorRef'];
const cell = (v: string) => (/[",\n;]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

function row(i: number, over: Partial<Record<string, string>> = {}): string {
  const base: Record<string, string> = {
    reference: `CSV-${i}`,
    principal: String(5_000 + i),
    dueDate: '2026-01-15',
    description: i % 7 === 0 ? 'Energie, januari\n(tweede regel)' : 'Energierekening januari',
    name: `Import Persoon ${i}`,
    consumer: i % 5 === 0 ? 'nee' : 'true',
    email: `import${i}@example.invalid`,
    phone: `+3161${String(3_000_000 + i).padStart(7, '0')}`,
    whatsappOptIn: i % 3 === 0 ? 'ja' : '',
    language: i % 4 === 0 ? 'en' : '',
    addressLine1: `Importstraat ${i}`,
    postalCode: '1234 AB',
    city: 'Utrecht',
    country: '',
    incomeSource: i % 6 === 0 ? '{"type":"uwv","benefit":"ww"}' : i % 2 === 0 ? 'salary' : '',
    paydayOfMonth: i % 2 === 0 && i % 6 !== 0 ? '25' : '',
    debtorRef: i % 10 === 0 ? `CUST-${i}` : '',
    ...over,
  };
  return HEADER.map((c) => cell(base[c] ?? '')).join(',');
}

const ROWS = 450;
/** Row index → what is wrong with it (the rest are valid). */
const BAD: Record<number, Partial<Record<string, string>>> = {
  3: { principal: '125.00' },
  17: { phone: '0612345678' },
  150: { dueDate: '15-01-2026' },
  199: { name: '' },
  200: { consumer: 'misschien' },
  277: { incomeSource: 'lottery' },
  420: { reference: 'CSV-10', principal: '1' }, // CSV-10 again, with other content
};

function writeCsv(file: string): void {
  const lines = [HEADER.join(',')];
  for (let i = 0; i < ROWS; i++) lines.push(i === 400 ? 'CSV-400,5400,2026-01-15' : row(i, BAD[i]));
  fs.writeFileSync(file, lines.join('\r\n') + '\r\n');
}

describe('npm run import', () => {
  const file = path.join(dir, 'claims.csv');

  it('files every good row, reports every bad one with the API’s reasons, and a rerun files nothing', async () => {
    writeCsv(file);
    const first = await importClaims({ file, apiKey: 'key-acme', url: h.url, progress: false, batchSize: 200 });
    const badRows = Object.keys(BAD).length + 1; // + the row with too few fields
    expect(first).toMatchObject({ rows: ROWS, filed: ROWS - badRows, replayed: 0, refused: badRows, report: path.join(dir, 'claims.refused.csv') });
    console.info(`import: ${ROWS} rows in ${first.seconds.toFixed(1)} s, ${Math.round(first.rowsPerSecond)} rows/s`);

    const report = parse(fs.readFileSync(first.report, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    // Lines in the file: the header is line 1, row i is line i + 2 (the multi-line descriptions count their lines).
    const byRef = new Map(report.map((r) => [r.reference, r]));
    expect(report.map((r) => r.reference)).toEqual(['CSV-3', 'CSV-17', 'CSV-150', 'CSV-199', 'CSV-200', 'CSV-277', 'CSV-400', 'CSV-10']);
    expect(byRef.get('CSV-3')).toMatchObject({ status: '400', code: 'validation_failed', fields: expect.stringMatching(/^principal: must be /) });
    expect(byRef.get('CSV-17')!.fields).toMatch(/^phone: must be an E\.164 phone number/);
    expect(byRef.get('CSV-150')!.fields).toMatch(/^dueDate: /);
    expect(byRef.get('CSV-199')!.fields).toMatch(/^name: /);
    expect(byRef.get('CSV-200')!.fields).toMatch(/^consumer: /);
    expect(byRef.get('CSV-277')!.fields).toMatch(/^incomeSource: must be one of "salary"/);
    expect(byRef.get('CSV-400')).toMatchObject({ status: '0', code: 'bad_row', message: expect.stringMatching(/has 3 fields; the header has 17/) });
    expect(byRef.get('CSV-10')).toMatchObject({ status: '409', code: 'duplicate_reference' });
    for (const r of report) expect(Number(r.line)).toBeGreaterThan(1);

    // Filed as the rows said.
    const one = await h.api('GET', '/v1/dossiers?reference=CSV-42');
    expect(one.body.dossiers).toHaveLength(1);
    const debtor = await h.api('GET', `/v1/debtors/${one.body.dossiers[0].debtorId}`);
    expect(debtor.body).toMatchObject({ name: 'Import Persoon 42', language: 'nl', consumer: true });
    expect(debtor.body.contactDetails.map((c: { value: string }) => c.value)).toEqual(expect.arrayContaining(['import42@example.invalid', '+31613000042', 'Importstraat 42, 1234 AB Utrecht']));
    const en = await h.api('GET', `/v1/debtors/${(await h.api('GET', '/v1/dossiers?reference=CSV-12')).body.dossiers[0].debtorId}`);
    expect(en.body).toMatchObject({ language: 'en', consumer: true });
    expect(en.body.contactDetails.find((c: { kind: string }) => c.kind === 'phone').sources[0].whatsappOptIn).toBe(true);

    // Run again: nothing new is written, the same rows are refused for the same reasons.
    await h.advance({ seconds: 0 });
    const before = await storeCounts(h.rt);
    const again = await importClaims({ file, apiKey: 'key-acme', url: h.url, progress: false, concurrency: 3, batchSize: 120 });
    expect(again).toMatchObject({ rows: ROWS, filed: first.filed, replayed: first.filed, refused: badRows });
    await h.advance({ seconds: 0 });
    expect(await storeCounts(h.rt), 'a rerun is a no-op').toEqual(before);
    expect(fs.readFileSync(again.report, 'utf8')).toBe(fs.readFileSync(first.report, 'utf8'));
  }, 240_000);

  it('the CLI: exit status 3 and a summary when rows were refused, 0 when all were filed, 2 for wrong arguments', async () => {
    const small = path.join(dir, 'small.csv');
    fs.writeFileSync(small, [HEADER.join(';'), ...[2_000, 2_001].map((i) => row(i).split(',').join(';')), row(2_002, { principal: 'veel' }).split(',').join(';')].join('\n'));
    // Not spawnSync: the runtime answering it lives in this process.
    const run = (...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'infra/import/main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c) => (stdout += c));
        child.stderr.on('data', (c) => (stderr += c));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    const res = await run('--file', small, '--api-key', 'key-acme', '--url', h.url);
    expect(res.status, res.stderr).toBe(3);
    expect(res.stdout).toMatch(/^3 rows in [\d.]+ s \(\d+ rows\/s\): 2 filed \(2 new, 0 filed before\), 1 refused — see .*small\.refused\.csv\.$/m);
    fs.writeFileSync(small, [HEADER.join(';'), row(2_000).split(',').join(';')].join('\n'));
    const ok = await run('--file', small, '--api-key', 'key-acme', '--url', h.url);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/1 filed \(0 new, 1 filed before\), 0 refused\./);
    expect((await run('--file', small)).status).toBe(2);
    const wrongKey = await run('--file', small, '--api-key', 'nope', '--url', h.url);
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stderr).toMatch(/refused the API key/);
  }, 120_000);

  it('refuses a header it does not know, or one without the required columns, before sending anything', async () => {
    const bad = path.join(dir, 'bad.csv');
    const counts = await storeCounts(h.rt);
    fs.writeFileSync(bad, 'reference,principal,dueDate,name,consumer,zip\nX-1,100,2026-01-15,A B,true,1234\n');
    await expect(importClaims({ file: bad, apiKey: 'key-acme', url: h.url, progress: false })).rejects.toThrow(new ImportError(`Unknown column "zip" in the header. The columns are: ${CSV_COLUMNS.join(', ')}.`));
    fs.writeFileSync(bad, 'reference,principal,name\nX-1,100,A B\n');
    await expect(importClaims({ file: bad, apiKey: 'key-acme', url: h.url, progress: false })).rejects.toThrow(/lacks the columns dueDate, consumer/);
    fs.writeFileSync(bad, '');
    await expect(importClaims({ file: bad, apiKey: 'key-acme', url: h.url, progress: false })).rejects.toThrow(/empty/);
    await expect(importClaims({ file: path.join(dir, 'none.csv'), apiKey: 'key-acme', url: h.url })).rejects.toThrow(/No file/);
    expect(await storeCounts(h.rt)).toEqual(counts);
  });
});
