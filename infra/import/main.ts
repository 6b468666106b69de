/**
 * `npm run import -- --file claims.csv --api-key KEY [--url http://127.0.0.1:3000] [--report refused.csv]
 *  [--batch-size 500] [--concurrency 2] [--delimiter ';']`
 *
 * Files every row of the CSV as a claim through POST /v1/dossiers/batch (the columns: csv-import.ts and the README),
 * with a progress bar; the rows the API refused go to the report with its reasons. Run it again after fixing the
 * report's rows, or after an interruption: rows filed already are not filed twice.
 *
 * Exit status: 0 every row filed; 3 some rows refused (see the report); 1 the import stopped (the message says why);
 * 2 wrong arguments.
 */
import { parseArgs } from 'node:util';
import { ImportError, importClaims } from './csv-import.js';

const USAGE = 'usage: npm run import -- --file claims.csv --api-key KEY [--url http://127.0.0.1:3000] [--report refused.csv] [--batch-size 500] [--concurrency 2] [--delimiter ";"]';

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      file: { type: 'string' },
      'api-key': { type: 'string' },
      url: { type: 'string' },
      report: { type: 'string' },
      'batch-size': { type: 'string' },
      concurrency: { type: 'string' },
      delimiter: { type: 'string' },
      'no-progress': { type: 'boolean', default: false },
    },
  }));
} catch (err) {
  console.error(`${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}

const file = values.file as string | undefined;
const apiKey = (values['api-key'] as string | undefined) ?? process.env.MAATWERK_API_KEY;
if (!file || !apiKey) {
  console.error(USAGE);
  process.exit(2);
}
const number = (name: string): number | undefined => {
  const v = values[name] as string | undefined;
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) {
    console.error(`--${name} must be a whole number.\n${USAGE}`);
    process.exit(2);
  }
  return Number(v);
};

try {
  const s = await importClaims({
    file,
    apiKey,
    url: (values.url as string | undefined) ?? process.env.MAATWERK_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`,
    ...(values.report ? { report: values.report as string } : {}),
    ...(number('batch-size') !== undefined ? { batchSize: number('batch-size') } : {}),
    ...(number('concurrency') !== undefined ? { concurrency: number('concurrency') } : {}),
    ...(values.delimiter ? { delimiter: values.delimiter as string } : {}),
    ...(values['no-progress'] ? { progress: false } : {}),
  });
  const fresh = s.filed - s.replayed;
  console.log(
    `${s.rows} rows in ${s.seconds.toFixed(1)} s (${Math.round(s.rowsPerSecond)} rows/s): ${s.filed} filed (${fresh} new, ${s.replayed} filed before), ` +
      `${s.refused} refused${s.refused ? ` — see ${s.report}` : ''}.`,
  );
  process.exit(s.refused ? 3 : 0);
} catch (err) {
  if (err instanceof ImportError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
