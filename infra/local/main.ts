/**
 * `npm start`: the whole orchestrator on this machine, no AWS account needed (DESIGN §8).
 */
import path from 'node:path';
import { isLoopback, LocalRuntime } from './runtime.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const port = process.env.PORT ? Number(process.env.PORT) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
  const dataDir = path.resolve(process.env.MAATWERK_DATA_DIR ?? '.data');
  const rt = await LocalRuntime.start({ dataDir, port });
  const key = rt.clients[0];
  const clock = rt.clock.mode === 'virtual' ? `virtual, now ${new Date(rt.clock.now()).toISOString()} (POST /local/clock/advance)` : rt.clock.mode === 'scaled' ? `scaled ×${rt.clock.scale}` : 'real time';
  console.log(`
Maatwerk local runtime is up (no AWS account needed).

  API            ${rt.apiUrl}            (x-api-key: ${key.apiKey}  — client "${key.clientId}")
  Docs           ${rt.apiUrl}/docs       (OpenAPI 3.1: ${rt.apiUrl}/openapi.json)
  Outbox         ${rt.apiUrl}/local/outbox   (every message; its page link opens the debtor page ${rt.apiUrl}/p/…)
  Report         ${rt.apiUrl}/local/report   (KPIs, channel mix and experiments as one HTML page)
  Notifications  ${rt.apiUrl}/local/webhooks (what the fake creditor receiver got; register with PUT /v1/webhook)
  Clock          ${rt.apiUrl}/local/clock   [${clock}]
  DynamoDB       ${rt.dynamoUrl}   (dynalite, data in ${dataDir})
  Step Functions ${rt.sfnUrl}   (state machine ${rt.stateMachineArn})
  Fake providers ${rt.fakesUrl}   (Twilio, SendGrid, print, Mollie with its checkout, creditor webhooks)

${rt.coverageWarnings.map((w) => `WARNING: ${w}\n\n`).join('')}${isLoopback(rt.host) ? '' : `WARNING: listening on ${rt.host} (MAATWERK_ALLOW_REMOTE=true): anyone who can reach it can read the outbox and move the clock.\n\n`}Clients: ${rt.clients.map((c) => `${c.clientId}${c.agent ? ' (agent)' : ''}`).join(', ')}

Try:
  curl -s -X POST ${rt.apiUrl}/v1/dossiers -H 'x-api-key: ${key.apiKey}' -H 'content-type: application/json' \\
    -d '{"reference":"INV-1001","principal":12500,"dueDate":"2026-01-15","debtor":{"name":"Sam Voorbeeld","email":"sam@example.invalid","phone":"+31612345678","consumer":true,"address":{"line1":"Dorpsstraat 1","postalCode":"1234 AB","city":"Utrecht"}}}'
  curl -s ${rt.apiUrl}/local/outbox
  npm run reply -- --from +31612345678 --body "ik wil een regeling"
`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await rt.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(`Maatwerk could not start: ${(err as Error).message}`);
  process.exit(1);
});
