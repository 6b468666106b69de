/**
 * The import section of `npm run bench`: a CSV of BENCH_IMPORT_ROWS claims (default 10,000; 0 skips it) filed with
 * `npm run import`'s code through POST /v1/dossiers/batch on a fresh local runtime, timed from the first row read to
 * the last answer. Every claim is a new debtor whose journey starts (its first action decided at intake); the clock
 * stands on a Sunday, so each journey's first step is a wait for Monday — what is measured is intake, not sending.
 * Also runnable alone: `tsx test/bench/import.bench.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalRuntime } from '../../infra/local/runtime.js';
import { importClaims } from '../../infra/import/csv-import.js';

export interface ImportBench {
  importRows: number;
  importSeconds: number;
  importRowsPerSecond: number;
}

function writeCsv(file: string, rows: number): void {
  const lines = ['reference,principal,dueDate,name,consumer,email,phone,addressLine1,postalCode,city,incomeSource,paydayOfMonth'];
  for (let i = 0; i < rows; i++) {
    lines.push(
      [`IMP-${i}`, 5_000 + (i % 997) * 13, '2026-01-15', `Bench Debiteur ${i}`, i % 9 === 0 ? 'false' : 'true', `bench${i}@example.invalid`, `+3162${String(i).padStart(7, '0')}`, `Benchstraat ${i}`, '1234 AB', 'Utrecht', i % 2 ? 'salary' : '', i % 2 ? '25' : ''].join(','),
    );
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** Files `rows` claims from a CSV on a fresh local runtime; the figure for the bench. */
export async function importBench(rows = Number(process.env.BENCH_IMPORT_ROWS ?? 10_000)): Promise<ImportBench | undefined> {
  if (!rows) return undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maatwerk-bench-import-'));
  const rt = await LocalRuntime.start({
    dataDir,
    port: 0,
    // Sunday 1 March 2026: no contact today, so every journey parks until Monday.
    env: { MAATWERK_CLOCK: 'virtual', MAATWERK_CLOCK_START: '2026-03-01T10:00:00Z' },
    clients: [{ clientId: 'bench', name: 'Bench B.V.', apiKey: 'bench-key' }],
    quiet: true,
  });
  try {
    const file = path.join(dataDir, 'claims.csv');
    writeCsv(file, rows);
    const s = await importClaims({ file, apiKey: 'bench-key', url: rt.apiUrl, progress: process.stderr.isTTY === true });
    if (s.filed !== rows) throw new Error(`import bench: ${s.filed} of ${rows} rows filed (${s.refused} refused, see ${s.report})`);
    console.log(`
Maatwerk import benchmark — ${rows} CSV rows through POST /v1/dossiers/batch (500 per request), each a new debtor and journey
  import                                     ${s.seconds.toFixed(1)} s wall, ${Math.round(s.rowsPerSecond)} rows/s
`);
    return { importRows: rows, importSeconds: Number(s.seconds.toFixed(1)), importRowsPerSecond: Math.round(s.rowsPerSecond) };
  } finally {
    await rt.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  importBench()
    .then((r) => {
      if (process.argv.includes('--json')) console.log(JSON.stringify(r ?? {}));
      process.exit(0);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
