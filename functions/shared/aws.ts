/**
 * AWS clients, configured the standard SDK v3 way. The local runtime only sets endpoints
 * (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SFN), so the same code runs on AWS and locally.
 * Every client is traced (an X-Ray subsegment per call on AWS; a no-op elsewhere).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { tracer } from './tracer.js';

let ddb: DynamoDBDocumentClient | undefined;
let sfn: SFNClient | undefined;

export function dynamo(): DynamoDBDocumentClient {
  ddb ??= DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return ddb;
}

export function stepFunctions(): SFNClient {
  sfn ??= tracer.captureAWSv3Client(new SFNClient({}));
  return sfn;
}

/** Drops cached clients (the local runtime calls this after it has set the endpoints). */
export function resetAwsClients(): void {
  ddb = undefined;
  sfn = undefined;
}

export function tableName(): string {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set');
  return name;
}
