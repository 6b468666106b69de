/**
 * The two implementations of the table behind functions/store: dynalite (the real DynamoDB API over HTTP, what
 * `npm start` runs on) and the in-process table (functions/store/in-process.ts, what the simulator runs on). The
 * store's contract tests run against both (describe.each(STORE_BACKENDS)), so the two cannot drift.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable as createLocalTable } from '../../infra/local/table.js';
import dynalite from 'dynalite';
import { resetAwsClients, useAwsClients } from '../../functions/shared/aws.js';
import { forgetClients } from '../../functions/store/clients.js';
import { InProcessTable, inProcessDocumentClient } from '../../functions/store/in-process.js';
import { TABLE } from '../../functions/store/table.js';

export interface StoreBackend {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
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
  return {
    name: 'dynalite',
    async start() {
      common();
      server = dynalite({ createTableMs: 0 });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
      await createTable(endpoint);
      resetAwsClients();
      forgetClients();
    },
    async stop() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      resetAwsClients();
    },
  };
}

export function inProcessBackend(): StoreBackend & { table?: InProcessTable } {
  const b: StoreBackend & { table?: InProcessTable } = {
    name: 'in-process',
    async start() {
      common();
      b.table = new InProcessTable();
      resetAwsClients();
      useAwsClients({ dynamo: inProcessDocumentClient(b.table) });
      forgetClients();
    },
    async stop() {
      resetAwsClients();
    },
  };
  return b;
}

export const STORE_BACKENDS: Array<() => StoreBackend> = [dynaliteBackend, inProcessBackend];
