/**
 * Helpers for the edge tests (hostile input, fuzzing, the OpenAPI document): raw HTTP requests that fetch() will
 * not send (a GET with a body, a malformed path), and a count of everything the runtime has stored, so a test can
 * show that a refused request wrote nothing.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { TABLE } from '../../functions/store/table.js';
import type { LocalRuntime } from '../../infra/local/runtime.js';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** the parsed body when it is JSON */
  json: any;
}

/** One HTTP request exactly as given: any method, path (not normalised or re-encoded), headers and body. */
export function rawRequest(baseUrl: string, method: string, p: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path: p, headers: { ...headers, ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export interface StoreCounts {
  items: number;
  messages: number;
  executions: number;
}

/** Everything the runtime holds: DynamoDB items (one Scan, test-only), provider records, journey executions. */
export async function storeCounts(rt: LocalRuntime): Promise<StoreCounts> {
  const ddb = new DynamoDBClient({ endpoint: rt.dynamoUrl, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  let items = 0;
  let start: Record<string, any> | undefined;
  do {
    // Rate-limit counters (RATE#…) count requests, refused ones too; they are not data a request wrote.
    const page = await ddb.send(
      new ScanCommand({ TableName: TABLE.defaultName, Select: 'COUNT', ExclusiveStartKey: start, FilterExpression: 'NOT begins_with(PK, :rate)', ExpressionAttributeValues: { ':rate': { S: 'RATE#' } } }),
    );
    items += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  ddb.destroy();
  const execDir = path.join(rt.dataDir, 'stepfunctions', 'executions');
  const executions = fs.existsSync(execDir) ? fs.readdirSync(execDir).filter((f) => f.endsWith('.json')).length : 0;
  return { items, messages: rt.fakes.records().length, executions };
}

/** Every DynamoDB item the runtime holds (one Scan, test-only), unmarshalled. */
export async function storeItems(rt: LocalRuntime): Promise<Array<Record<string, any>>> {
  const { DynamoDBDocumentClient, ScanCommand: DocScan } = await import('@aws-sdk/lib-dynamodb');
  const ddb = new DynamoDBClient({ endpoint: rt.dynamoUrl, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const doc = DynamoDBDocumentClient.from(ddb);
  const out: Array<Record<string, any>> = [];
  let start: Record<string, any> | undefined;
  do {
    const page = await doc.send(new DocScan({ TableName: TABLE.defaultName, ExclusiveStartKey: start }));
    out.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  ddb.destroy();
  return out;
}
