import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';
import { newId } from '../shared/ids.js';
import { isConditionFailed, key, queryAll } from './keys.js';

export type TimelineType =
  | 'claim_received'
  | 'decision'
  | 'sent'
  | 'send_skipped'
  | 'send_failed'
  | 'delivered'
  | 'opened'
  | 'clicked'
  | 'bounced'
  | 'failed'
  | 'replied'
  | 'opted_out'
  | 'payment'
  | 'paid'
  | 'call_task'
  | 'call_outcome'
  | 'costs'
  | 'status'
  | 'journey_ended';

export interface TimelineEvent {
  eventId: string;
  at: string;
  type: TimelineType;
  channel?: string;
  detail: string;
  /** dossiers this event concerns; a client only ever sees events about its own dossiers */
  dossierIds: string[];
  stepNo?: number;
  template?: string;
  tone?: string;
  language?: string;
  providerId?: string;
  data?: Record<string, unknown>;
}

/**
 * Appends an event to the case's timeline. Pass `eventId` to make the write idempotent
 * (a retried step or a duplicated webhook writes the same item once).
 */
export async function appendEvent(caseId: string, event: Omit<TimelineEvent, 'eventId'> & { eventId?: string }): Promise<void> {
  const eventId = event.eventId ?? newId('evt');
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...key.event(caseId, event.at, eventId), ...event, eventId },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
  }
}

/** Access pattern: a case's timeline in time order. */
export async function caseTimeline(caseId: string): Promise<TimelineEvent[]> {
  return queryAll<TimelineEvent>({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': `DEBTOR#${caseId}`, ':sk': 'EVENT#' },
  });
}
