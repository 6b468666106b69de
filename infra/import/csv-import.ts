/**
 * CSV import of claims (`npm run import -- --file claims.csv --api-key KEY [--url URL]`): reads the file with
 * csv-parse, turns each row into the claim POST /v1/dossiers takes, sends them in batches to
 * POST /v1/dossiers/batch, shows a progress bar (cli-progress) and writes the rows the API refused, with its reasons,
 * to a report. Safe to run again: a claim is idempotent by its reference, so a rerun files nothing twice (the API
 * answers rows filed before as `replayed`), and an import that stopped half-way simply goes on.
 *
 * Columns (a header row; names as below, in any order; an empty cell is "not given"):
 *
 *   reference*      your reference of the claim (unique among your dossiers)
 *   principal*      the amount owed in euro cents (12500 = €125.00)
 *   dueDate*        YYYY-MM-DD
 *   description     shown to the debtor
 *   name*           the debtor's full name
 *   consumer*       true/false (also yes/no, ja/nee, 1/0)
 *   email, phone    phone in E.164 (+31612345678)
 *   whatsappOptIn   true/false
 *   language        nl or en
 *   addressLine1, postalCode, city, country   the postal address (country: ISO code, default NL)
 *   incomeSource    salary, aow, toeslagen, bijstand, unknown, or the JSON object form ({"type":"uwv","benefit":"ww"})
 *   paydayOfMonth   1–31
 *   debtorRef       your own customer id for the person
 *
 * The delimiter is a comma or a semicolon (what Dutch spreadsheet programs write), found from the header.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import cliProgress from 'cli-progress';

export const CSV_COLUMNS = [
  'reference',
  'principal',
  'dueDate',
  'description',
  'name',
  'consumer',
  'email',
  'phone',
  'whatsappOptIn',
  'language',
  'addressLine1',
  'postalCode',
  'city',
  'country',
  'incomeSource',
  'paydayOfMonth',
  'debtorRef',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];
const REQUIRED: CsvColumn[] = ['reference', 'principal', 'dueDate', 'name', 'consumer'];

/** The API's field path → the CSV column it came from (for the report). */
const COLUMN_OF: Record<string, CsvColumn> = {
  reference: 'reference',
  principal: 'principal',
  dueDate: 'dueDate',
  description: 'description',
  'debtor.name': 'name',
  'debtor.consumer': 'consumer',
  'debtor.email': 'email',
  'debtor.phone': 'phone',
  'debtor.whatsappOptIn': 'whatsappOptIn',
  'debtor.language': 'language',
  'debtor.address.line1': 'addressLine1',
  'debtor.address.postalCode': 'postalCode',
  'debtor.address.city': 'city',
  'debtor.address.country': 'country',
  'debtor.address': 'addressLine1',
  'debtor.incomeSource': 'incomeSource',
  'debtor.paydayOfMonth': 'paydayOfMonth',
  'debtor.debtorRef': 'debtorRef',
};

export class ImportError extends Error {}

export interface ImportOptions {
  file: string;
  apiKey: string;
  /** the API's base URL (default http://127.0.0.1:3000) */
  url?: string;
  /** where refused rows go (default: next to the file, <name>.refused.csv) */
  report?: string;
  /** claims per request, 1–500 (default 500) */
  batchSize?: number;
  /** requests in flight at once (default 2) */
  concurrency?: number;
  /** ',' or ';' (default: found from the header) */
  delimiter?: string;
  /** show the progress bar (default: when stderr is a terminal) */
  progress?: boolean;
}

export interface RefusedRow {
  /** the row's line in the file (the header is line 1) */
  line: number;
  reference: string;
  status: number;
  code: string;
  message: string;
  /** CSV column → what is wrong */
  fields: Record<string, string>;
}

export interface ImportSummary {
  rows: number;
  /** rows the API answered 201 */
  filed: number;
  /** of those, rows filed by an earlier run (nothing new written) */
  replayed: number;
  refused: number;
  report: string;
  seconds: number;
  rowsPerSecond: number;
}

const TRUE = new Set(['true', 'yes', 'ja', 'y', 'j', '1']);
const FALSE = new Set(['false', 'no', 'nee', 'n', '0']);

function bool(v: string): boolean | string {
  const l = v.toLowerCase();
  return TRUE.has(l) ? true : FALSE.has(l) ? false : v;
}

/** A cell as the API's field: numbers and booleans where the column is one (else the text, for the API to refuse). */
function claimOf(row: Partial<Record<CsvColumn, string>>): Record<string, unknown> {
  const given = (c: CsvColumn) => (row[c] !== undefined && row[c] !== '' ? row[c] : undefined);
  const int = (c: CsvColumn) => {
    const v = given(c);
    return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : v;
  };
  const debtor: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => {
    if (v !== undefined) debtor[k] = v;
  };
  put('name', given('name'));
  put('consumer', given('consumer') === undefined ? undefined : bool(given('consumer')!));
  put('email', given('email'));
  put('phone', given('phone'));
  put('whatsappOptIn', given('whatsappOptIn') === undefined ? undefined : bool(given('whatsappOptIn')!));
  put('language', given('language'));
  const income = given('incomeSource');
  if (income !== undefined) {
    let value: unknown = income;
    if (income.startsWith('{')) {
      try {
        value = JSON.parse(income);
      } catch {
        value = income;
      }
    }
    put('incomeSource', value);
  }
  put('paydayOfMonth', int('paydayOfMonth'));
  put('debtorRef', given('debtorRef'));
  if (given('addressLine1') || given('postalCode') || given('city') || given('country')) {
    const address: Record<string, unknown> = {};
    for (const [k, c] of [['line1', 'addressLine1'], ['postalCode', 'postalCode'], ['city', 'city'], ['country', 'country']] as const) if (given(c) !== undefined) address[k] = given(c);
    debtor.address = address;
  }
  const claim: Record<string, unknown> = {};
  if (given('reference') !== undefined) claim.reference = given('reference');
  if (given('principal') !== undefined) claim.principal = int('principal');
  if (given('dueDate') !== undefined) claim.dueDate = given('dueDate');
  if (given('description') !== undefined) claim.description = given('description');
  claim.debtor = debtor;
  return claim;
}

/** "a;b" → ';' when the header has more semicolons than commas. */
function delimiterOf(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const header = buf.subarray(0, n).toString('utf8').split(/\r?\n/)[0] ?? '';
    return (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
  } finally {
    fs.closeSync(fd);
  }
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function writeReport(file: string, rows: RefusedRow[]): void {
  const lines = [['line', 'reference', 'status', 'code', 'message', 'fields'].join(',')];
  for (const r of [...rows].sort((a, b) => a.line - b.line)) {
    const fields = Object.entries(r.fields)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ');
    lines.push([r.line, r.reference, r.status, r.code, r.message, fields].map(csvCell).join(','));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

interface BatchAnswer {
  results: Array<{ index: number; status: number; body: { error?: { code: string; message: string; fields?: Record<string, string> } }; replayed?: boolean }>;
}

async function post(url: string, apiKey: string, claims: unknown[]): Promise<BatchAnswer> {
  for (let attempt = 0; ; attempt++) {
    let res: Response | undefined;
    let failure: string;
    try {
      res = await fetch(`${url}/v1/dossiers/batch`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ claims }),
      });
      if (res.status === 200) return (await res.json()) as BatchAnswer;
      const text = await res.text();
      if (res.status === 401) throw new ImportError('The API refused the API key (401): check --api-key.');
      failure = `HTTP ${res.status}: ${text.slice(0, 300)}`;
      // A refused batch (4xx) does not get better by sending it again.
      if (res.status < 500 && res.status !== 429) throw new ImportError(`The API refused a batch: ${failure}`);
    } catch (err) {
      if (err instanceof ImportError) throw err;
      failure = (err as Error).message;
    }
    if (attempt >= 4) throw new ImportError(`The API did not take a batch after 5 attempts (${failure}). Run the import again: rows filed already are not filed twice.`);
    await new Promise((r) => setTimeout(r, 250 * 2 ** attempt * (0.5 + Math.random())));
  }
}

export async function importClaims(o: ImportOptions): Promise<ImportSummary> {
  const url = (o.url ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
  const batchSize = o.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 500) throw new ImportError('--batch-size must be 1–500.');
  const concurrency = o.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 8) throw new ImportError('--concurrency must be 1–8.');
  if (!fs.existsSync(o.file)) throw new ImportError(`No file ${o.file}.`);
  const report = o.report ?? path.join(path.dirname(o.file), `${path.basename(o.file, path.extname(o.file))}.refused.csv`);
  const delimiter = o.delimiter ?? delimiterOf(o.file);
  const size = fs.statSync(o.file).size;
  const started = performance.now();

  const bar = (o.progress ?? process.stderr.isTTY === true)
    ? new cliProgress.SingleBar(
        { format: 'importing {bar} {percentage}% | {rows} rows: {filed} filed, {refused} refused | {speed} rows/s', stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(size, 0, { rows: 0, filed: 0, refused: 0, speed: 0 });

  const refused: RefusedRow[] = [];
  let rows = 0;
  let filed = 0;
  let replayed = 0;
  let done = 0;
  let header: CsvColumn[] | undefined;
  const inFlight = new Set<Promise<void>>();
  let failed: unknown;

  const send = (batch: Array<{ line: number; reference: string; claim: unknown }>, bytes: number) => {
    const p = post(url, o.apiKey, batch.map((b) => b.claim))
      .then((answer) => {
        for (const r of answer.results) {
          const row = batch[r.index];
          if (r.status === 201) {
            filed++;
            if (r.replayed) replayed++;
            continue;
          }
          const err = r.body.error ?? { code: 'unknown', message: 'refused' };
          const fields: Record<string, string> = {};
          for (const [k, v] of Object.entries(err.fields ?? {})) fields[COLUMN_OF[k] ?? k] ??= v;
          refused.push({ line: row.line, reference: row.reference, status: r.status, code: err.code, message: err.message, fields });
        }
        done = Math.max(done, bytes);
        const seconds = (performance.now() - started) / 1000;
        bar?.update(done, { rows: filed + refused.length, filed, refused: refused.length, speed: Math.round((filed + refused.length) / Math.max(seconds, 0.001)) });
      })
      .catch((err) => {
        failed ??= err;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    return p;
  };

  try {
    const parser = fs.createReadStream(o.file).pipe(parse({ delimiter, bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: false, info: true }));
    let batch: Array<{ line: number; reference: string; claim: unknown }> = [];
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number; bytes: number } }>) {
      if (failed) break;
      if (!header) {
        const unknown = record.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
        if (unknown.length) throw new ImportError(`Unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')} in the header. The columns are: ${CSV_COLUMNS.join(', ')}.`);
        const missing = REQUIRED.filter((c) => !record.includes(c));
        if (missing.length) throw new ImportError(`The header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (required: ${REQUIRED.join(', ')}).`);
        const twice = record.filter((c, i) => record.indexOf(c) !== i);
        if (twice.length) throw new ImportError(`The header names ${twice.join(', ')} twice.`);
        header = record as CsvColumn[];
        continue;
      }
      rows++;
      const reference = record[header.indexOf('reference')] ?? '';
      if (record.length !== header.length) {
        refused.push({ line: info.lines, reference, status: 0, code: 'bad_row', message: `The row has ${record.length} fields; the header has ${header.length}. Not sent.`, fields: {} });
        continue;
      }
      const row = Object.fromEntries(header.map((c, i) => [c, record[i]])) as Partial<Record<CsvColumn, string>>;
      batch.push({ line: info.lines, reference, claim: claimOf(row) });
      if (batch.length === batchSize) {
        const full = batch;
        batch = [];
        send(full, info.bytes);
        while (inFlight.size >= concurrency) await Promise.race(inFlight);
      }
    }
    if (!header && !failed) throw new ImportError('The file is empty: it needs a header row and a row per claim.');
    if (batch.length && !failed) send(batch, size);
    await Promise.all(inFlight);
  } catch (err) {
    bar?.stop();
    if ((err as { code?: string }).code?.startsWith?.('CSV_')) throw new ImportError(`The file is not valid CSV: ${(err as Error).message}`);
    throw err;
  }
  bar?.update(size);
  bar?.stop();
  if (failed) throw failed;
  writeReport(report, refused);
  const seconds = (performance.now() - started) / 1000;
  return { rows, filed, replayed, refused: refused.length, report, seconds, rowsPerSecond: rows / Math.max(seconds, 0.001) };
}
