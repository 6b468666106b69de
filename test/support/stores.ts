/**
 * The two implementations of the table behind functions/store: dynalite (the real DynamoDB API over HTTP, what
 * `npm start` runs on) and the in-process table (functions/store/in-process.ts, what the simulator runs on). The
 * store's contract tests run against both (describe.each(STORE_BACKENDS)), so the two cannot drift.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable as createLocalTable } from '../../infra/local/table.js';
import { resetAwsClients, useAwsClients } from '../../functions/shared/aws.js';
import { forgetClients } from '../../functions/store/clients.js';
import { InProcessTable, inProcessDocumentClient } from '../../functions/store/in-process.js';
import { TABLE } from '../../functions/store/table.js';
import { Clock } from '../../infra/local/clock.js';
import { type StreamHandler, StreamEmulator } from '../../infra/local/streams/emulator.js';
import { dynaliteWithStream, inProcessWithStream } from '../../infra/local/streams/capture.js';

export interface StoreBackend {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** the table's stream (infra/local/streams/): its records go to `streamHandler` on `stream.flush()` */
  stream?: StreamEmulator;
  streamHandler?: StreamHandler;
}

/** A stream emulator on a virtual clock of its own, delivering to the backend's `streamHandler`. */
function streamOf(b: StoreBackend): StreamEmulator {
  return new StreamEmulator({
    handler: async (event) => (b.streamHandler ? b.streamHandler(event) : { batchItemFailures: [] }),
    clock: new Clock({ mode: 'virtual', start: Date.parse('2026-03-02T08:00:00Z'), settle: 'immediate' }),
    region: 'eu-west-1',
    accountId: '000000000000',
    tableName: TABLE.defaultName,
    functionName: 'maatwerk-Counters',
  });
}

function common(): void {
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TABLE_NAME: TABLE.defaultName,
  });
}

/** The table on a dynalite at `endpoint` (the definition CDK deploys, as the local runtime creates it). */
export async function createTable(endpoint: string): Promise<void> {
  const ddb = new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await createLocalTable(ddb);
  ddb.destroy();
}

export function dynaliteBackend(): StoreBackend {
  let server: http.Server | undefined;
  const b: StoreBackend = {
    name: 'dynalite',
    async start() {
      common();
      b.stream = streamOf(b);
      server = dynaliteWithStream({ createTableMs: 0 }, TABLE.defaultName, () => b.stream);
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
      await createTable(endpoint);
      resetAwsClients();
      forgetClients();
    },
    async stop() {
      await b.stream?.close();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      resetAwsClients();
    },
  };
  return b;
}

export function inProcessBackend(): StoreBackend & { table?: InProcessTable } {
  const b: StoreBackend & { table?: InProcessTable } = {
    name: 'in-process',
    async start() {
      common();
      b.table = new InProcessTable();
      b.stream = streamOf(b);
      inProcessWithStream(b.table, b.stream);
      resetAwsClients();
      useAwsClients({ dynamo: inProcessDocumentClient(b.table) });
      forgetClients();
    },
    async stop() {
      await b.stream?.close();
      resetAwsClients();
    },
  };
  return b;
}

export const STORE_BACKENDS: Array<() => StoreBackend> = [dynaliteBackend, inProcessBackend];
