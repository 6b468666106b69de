/**
 * AWS clients, configured the standard SDK v3 way. The local runtime only sets endpoints
 * (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SFN, AWS_ENDPOINT_URL_SCHEDULER), so the same code runs on AWS and locally.
 * Every client is traced (an X-Ray subsegment per call on AWS; a no-op elsewhere).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { tracer } from './tracer.js';

let ddb: DynamoDBDocumentClient | undefined;
let sfn: SFNClient | undefined;
let scheduler: SchedulerClient | undefined;

export function dynamo(): DynamoDBDocumentClient {
  if (!ddb) {
    ddb = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), { marshallOptions: { removeUndefinedValues: true } });
    if (process.env.MAATWERK_MEASURE_CAPACITY === '1') measureCapacity(ddb);
  }
  return ddb;
}

/** DynamoDB capacity units consumed, counted when MAATWERK_MEASURE_CAPACITY=1 (the benchmark; off in production). */
export const dynamoUsage = { readUnits: 0, writeUnits: 0 };
/**
 * The function whose invocation runs now, when a runtime says so (the local runtime and the benchmark run every
 * function in one process): requests are counted per purpose by it.
 */
export const invocationOf = new AsyncLocalStorage<string>();
/** The function that adds the learning counters (the stream's aggregator, functions/counters/handler.ts). */
export const COUNTER_AGGREGATOR = 'Counters';
/** DynamoDB commands by what they are for (the benchmark's breakdown): the learning counters' aggregator, or the rest. */
export const dynamoRequestsByPurpose: Record<'journey' | 'counterAggregator', number> = { journey: 0, counterAggregator: 0 };
/** DynamoDB commands per function and command ("Decide GetItemCommand"), for the benchmark's breakdown. */
export const dynamoRequestsByFunction: Record<string, number> = {};
/** Of those, the ones DynamoDB refused on their condition ("SendEmail UpdateItemCommand": a refused claim), for the benchmark. */
export const dynamoConditionFailuresByFunction: Record<string, number> = {};
/** UpdateItems on counter items (KPI#/EXP#) outside the aggregator: none, since the counters moved to the stream. */
export const counterUpdatesOutsideAggregator = { count: 0 };

/** A key attribute's string, in document or marshalled ({ S }) form. */
const str = (v: unknown): string => (typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { S?: unknown }).S === 'string' ? (v as { S: string }).S : '');
const COUNTER_ITEM = /^(KPI|EXP)#/;

/** Asks DynamoDB for the capacity every request consumed (ReturnConsumedCapacity) and adds it up. */
function measureCapacity(client: DynamoDBDocumentClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const aggregator = invocationOf.getStore() === COUNTER_AGGREGATOR;
      dynamoRequestsByPurpose[aggregator ? 'counterAggregator' : 'journey'] += 1;
      const k = (input as { Key?: Record<string, unknown> }).Key;
      const byFunction = `${invocationOf.getStore() ?? 'other'} ${context.commandName ?? '?'}`;
      dynamoRequestsByFunction[byFunction] = (dynamoRequestsByFunction[byFunction] ?? 0) + 1;
      // the document client's commands run as the client's own (an UpdateCommand is counted as UpdateItemCommand)
      if (!aggregator && (context.commandName === 'UpdateItemCommand' || context.commandName === 'UpdateCommand') && k && COUNTER_ITEM.test(str(k.PK))) counterUpdatesOutsideAggregator.count++;
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (err) {
        const name = (err as { name?: string })?.name;
        if (name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException') dynamoConditionFailuresByFunction[byFunction] = (dynamoConditionFailuresByFunction[byFunction] ?? 0) + 1;
        throw err;
      }
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> }).ConsumedCapacity;
      const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      if (/^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(context.commandName ?? '')) dynamoUsage.writeUnits += units;
      else dynamoUsage.readUnits += units;
      return result;
    },
    { step: 'initialize', name: 'maatwerkCapacity' },
  );
}

export function stepFunctions(): SFNClient {
  sfn ??= tracer.captureAWSv3Client(new SFNClient({}));
  return sfn;
}

/** EventBridge Scheduler: the journey's timers (one-time schedules). Locally AWS_ENDPOINT_URL_SCHEDULER. */
export function schedulerClient(): SchedulerClient {
  scheduler ??= tracer.captureAWSv3Client(new SchedulerClient({}));
  return scheduler;
}

/**
 * Uses these clients instead of the configured ones (the simulator's in-process table, Step Functions and
 * Scheduler: infra/local/simulate). The next resetAwsClients() goes back to the configuration.
 */
export function useAwsClients(c: { dynamo?: DynamoDBDocumentClient; sfn?: SFNClient; scheduler?: SchedulerClient }): void {
  if (c.dynamo) ddb = c.dynamo;
  if (c.sfn) sfn = c.sfn;
  if (c.scheduler) scheduler = c.scheduler;
}

/** Drops cached clients (the local runtime calls this after it has set the endpoints). */
export function resetAwsClients(): void {
  ddb = undefined;
  sfn = undefined;
  scheduler = undefined;
}

export function tableName(): string {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set');
  return name;
}
