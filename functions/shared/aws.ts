/**
 * AWS clients, configured the standard SDK v3 way. The local runtime only sets endpoints
 * (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SFN, AWS_ENDPOINT_URL_SCHEDULER), so the same code runs on AWS and locally.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SchedulerClient } from '@aws-sdk/client-scheduler';

let ddb: DynamoDBDocumentClient | undefined;
let sfn: SFNClient | undefined;
let scheduler: SchedulerClient | undefined;

export function dynamo(): DynamoDBDocumentClient {
  ddb ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return ddb;
}

export function stepFunctions(): SFNClient {
  sfn ??= new SFNClient({});
  return sfn;
}

/** EventBridge Scheduler: the journey's timers (one-time schedules). Locally AWS_ENDPOINT_URL_SCHEDULER. */
export function schedulerClient(): SchedulerClient {
  scheduler ??= new SchedulerClient({});
  return scheduler;
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
