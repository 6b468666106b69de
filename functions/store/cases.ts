import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';
import { isConditionFailed, key, strip } from './keys.js';

/**
 * A case is the debtor's conversation: one journey at a time, however many dossiers they owe.
 * caseId = debtorId. `eventSeq` counts everything that happened to the case (new claim, reply,
 * payment, task outcome); a step that sees a newer eventSeq than its Decide saw re-decides instead of sending.
 */
export interface Case {
  caseId: string;
  journeyNo: number;
  status: 'active' | 'closed';
  executionArn?: string;
  taskToken?: string;
  eventSeq: number;
  /** last journey step that produced a contact */
  stepNo: number;
  phase?: string;
  segment?: string;
  segmentReasons?: string[];
  nextContactAt?: string;
  lastContactAt?: string;
  closedReason?: string;
  /** what ending the journey does, kept so a retry after a crash can finish it (dossier status, timeline text) */
  closing?: { dossierStatus?: 'handed_over'; detail: string; at: string };
  createdAt: string;
  updatedAt: string;
}

export async function getCase(caseId: string): Promise<Case | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.case(caseId), ConsistentRead: true }));
  return strip<Case>(res.Item);
}

/**
 * A new claim for a debtor: opens the first journey, opens a new journey after a closed one, or joins
 * the running one (bumping eventSeq so it reconsiders). `startJourney` tells the caller to StartExecution.
 */
export async function openOrJoinCase(caseId: string, at: string): Promise<{ case: Case; startJourney: boolean }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await getCase(caseId);
    try {
      if (!current) {
        const created: Case = { caseId, journeyNo: 1, status: 'active', eventSeq: 1, stepNo: 0, createdAt: at, updatedAt: at };
        await dynamo().send(
          new PutCommand({
            TableName: tableName(),
            Item: { ...key.case(caseId), ...created },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
        return { case: created, startJourney: true };
      }
      if (current.status === 'closed') {
        const res = await dynamo().send(
          new UpdateCommand({
            TableName: tableName(),
            Key: key.case(caseId),
            UpdateExpression:
              'SET journeyNo = :next, #s = :active, stepNo = :zero, updatedAt = :at ADD eventSeq :one REMOVE taskToken, executionArn, closedReason, closing, nextContactAt',
            ConditionExpression: '#s = :closed AND journeyNo = :j',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':next': current.journeyNo + 1,
              ':active': 'active',
              ':closed': 'closed',
              ':j': current.journeyNo,
              ':zero': 0,
              ':one': 1,
              ':at': at,
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { case: strip<Case>(res.Attributes)!, startJourney: true };
      }
      const joined = await noteEvent(caseId, at, current.journeyNo);
      if (joined) return { case: joined, startJourney: !joined.executionArn };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
  }
  throw new Error(`case ${caseId} kept changing while a claim was added`);
}

/** Something happened to an active journey: bump eventSeq. Returns undefined when that journey is no longer active. */
export async function noteEvent(caseId: string, at: string, journeyNo?: number): Promise<Case | undefined> {
  try {
    const res = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key.case(caseId),
        UpdateExpression: 'ADD eventSeq :one SET updatedAt = :at',
        ConditionExpression: journeyNo === undefined ? '#s = :active' : '#s = :active AND journeyNo = :j',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':one': 1, ':at': at, ':active': 'active', ...(journeyNo === undefined ? {} : { ':j': journeyNo }) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip<Case>(res.Attributes);
  } catch (err) {
    if (isConditionFailed(err)) return undefined;
    throw err;
  }
}

export async function setExecution(caseId: string, journeyNo: number, executionArn: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key.case(caseId),
      UpdateExpression: 'SET executionArn = :e',
      ConditionExpression: 'journeyNo = :j',
      ExpressionAttributeValues: { ':e': executionArn, ':j': journeyNo },
    }),
  ).catch((err) => {
    if (!isConditionFailed(err)) throw err;
  });
}

/** Stores the waiting step's task token; returns the case as it is now (to spot events Decide did not see). */
export async function storeTaskToken(caseId: string, journeyNo: number, taskToken: string, at: string): Promise<Case | undefined> {
  try {
    const res = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key.case(caseId),
        UpdateExpression: 'SET taskToken = :t, updatedAt = :at',
        ConditionExpression: 'journeyNo = :j AND #s = :active',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':t': taskToken, ':j': journeyNo, ':active': 'active', ':at': at },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip<Case>(res.Attributes);
  } catch (err) {
    if (isConditionFailed(err)) return undefined;
    throw err;
  }
}

/** Decide's view of the journey, shown in GET /v1/dossiers/{id}. */
export async function saveDecision(
  caseId: string,
  journeyNo: number,
  fields: Pick<Case, 'phase' | 'segment' | 'segmentReasons' | 'nextContactAt'>,
  at: string,
): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key.case(caseId),
      UpdateExpression: 'SET #phase = :p, #segment = :s, segmentReasons = :r, nextContactAt = :n, updatedAt = :at',
      ConditionExpression: 'journeyNo = :j',
      ExpressionAttributeNames: { '#phase': 'phase', '#segment': 'segment' },
      ExpressionAttributeValues: {
        ':p': fields.phase ?? null,
        ':s': fields.segment ?? null,
        ':r': fields.segmentReasons ?? [],
        ':n': fields.nextContactAt ?? null,
        ':j': journeyNo,
        ':at': at,
      },
    }),
  ).catch((err) => {
    if (!isConditionFailed(err)) throw err;
  });
}

/** Records that step `stepNo` made contact (monotonic). */
export async function markContact(caseId: string, journeyNo: number, stepNo: number, at: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key.case(caseId),
      UpdateExpression: 'SET stepNo = :n, lastContactAt = :at, updatedAt = :at',
      ConditionExpression: 'journeyNo = :j AND stepNo < :n',
      ExpressionAttributeValues: { ':n': stepNo, ':j': journeyNo, ':at': at },
    }),
  ).catch((err) => {
    if (!isConditionFailed(err)) throw err;
  });
}

/**
 * Ends the journey, but only if nothing happened since Decide looked (eventSeq unchanged):
 * a claim that arrives at the same moment is never left without a journey.
 */
export async function closeCase(
  caseId: string,
  journeyNo: number,
  seenEventSeq: number,
  reason: string,
  at: string,
  closing?: Case['closing'],
): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key.case(caseId),
        UpdateExpression: 'SET #s = :closed, closedReason = :r, updatedAt = :at, closing = :c REMOVE taskToken, nextContactAt',
        ConditionExpression: 'journeyNo = :j AND eventSeq = :seq AND #s = :active',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':closed': 'closed', ':active': 'active', ':r': reason, ':at': at, ':j': journeyNo, ':seq': seenEventSeq, ':c': closing ?? null },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}
