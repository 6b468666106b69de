/**
 * `npm run report -- --out report.html [--data-dir .data] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--client ID]`:
 * the learning report of a local runtime's data (dynalite on disk under MAATWERK_DATA_DIR, default .data/) as one
 * self-contained HTML file. Run it while `npm start` is stopped (dynalite keeps one writer per folder), or open
 * http://127.0.0.1:3000/local/report while it runs. "Today" is the runtime's saved clock (virtual/scaled), else now.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import dynalite from 'dynalite';
import { resetAwsClients } from '../../../functions/shared/aws.js';
import { TABLE } from '../../../functions/store/table.js';
import { readSavedClock } from '../runtime.js';
import { reportData } from './data.js';
import { renderReport } from './render.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'report.html' },
    'data-dir': { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    client: { type: 'string' },
  },
});
const day = /^\d{4}-\d{2}-\d{2}$/;
for (const k of ['from', 'to'] as const) {
  if (values[k] !== undefined && !day.test(values[k]!)) {
    console.error(`--${k} must be a date YYYY-MM-DD`);
    process.exit(2);
  }
}
const dataDir = path.resolve(values['data-dir'] ?? process.env.MAATWERK_DATA_DIR ?? '.data');
const dbDir = path.join(dataDir, 'dynamodb');
if (!fs.existsSync(dbDir)) {
  console.error(`no local data in ${dataDir} (start the runtime with npm start first, or pass --data-dir)`);
  process.exit(2);
}
const server = dynalite({ path: dbDir, createTableMs: 0 });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
Object.assign(process.env, {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  TABLE_NAME: TABLE.defaultName,
});
resetAwsClients();
try {
  const now = new Date(readSavedClock(path.join(dataDir, 'clock.json')) ?? Date.now());
  const data = await reportData({ now, ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}), ...(values.client ? { scope: values.client } : {}) });
  fs.writeFileSync(values.out!, renderReport(data));
  console.log(`report for ${data.from} – ${data.to} (${data.scope}): ${values.out}`);
} finally {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
