/**
 * The timeline (`DEBTOR#<id>` / `EVENT#<at>#<eventId>`): an append-only record of what happened to a case, for
 * display and audit. Decisions never read it — they read the case (cases.ts). Event ids are fixed per fact
 * (`send-<journey>-<step>`, `in-<MessageSid>`, …), so a retried step or a redelivered webhook writes the same
 * item again instead of a second one.
 */
import { GetCommand, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';
import { now } from '../shared/clock.js';
import { newId } from '../shared/ids.js';
import type { DossierOwner } from '../domain/notifications.js';
import { notifyCreditors } from '../notifications/outbox.js';
import { type Item, writeItems } from './batch.js';
import { isConditionFailed, key, queryAll, strip } from './keys.js';
import { COUNTERS_ATTR, type CounterWrite, encodeCounters } from './learning.js';

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
  | 'contact_updated'
  | 'flags'
  | 'journey_ended'
  | 'arrangement'
  | 'payment_attempt'
  | 'payment_reversed'

  | 'task'
  | 'answered'
  | 'answer_planned'
  | 'answer_skipped'
  | 'answer_failed'
  | 'dispute_resolved';

export interface TimelineEvent {
  eventId: string;
  at: string;
  type: TimelineType;
  channel?: string;
  /** the agency's description (creditors see it through domain/case/visibility.ts) */
  detail: string;
  /** dossiers this event concerns; a creditor only ever sees events about its own dossiers */
  dossierIds: string[];
  stepNo?: number;
  template?: string;
  tone?: string;
  language?: string;
  providerId?: string;
  /** a reply's own words: shown to the agency, and to a creditor only when the message answered was about its claims alone */
  text?: string;
  intent?: string;
  confidence?: number;
  data?: Record<string, unknown>;
}

export type NewEvent = Omit<TimelineEvent, 'eventId'> & {
  eventId?: string;
  /** what the event adds to the learning counters (a sent step's contact): carried by the entry for the stream aggregator */
  counters?: readonly CounterWrite[];
};

export function eventItem(caseId: string, event: NewEvent): Item {
  const { counters, ...rest } = event;
  const eventId = rest.eventId ?? newId('evt');
  const k = key.event(caseId, rest.at, eventId);
  // the entry's key names the write once: writing the same entry again carries the same id (counted once)
  const carried = counters ? encodeCounters(`E#${k.PK}|${k.SK}`, counters) : undefined;
  return { ...k, ...rest, eventId, ...(carried ? { [COUNTERS_ATTR]: carried } : {}) };
}

/**
 * Appends one event; with an `eventId` a second write of the same event changes nothing. `owners`: the dossiers'
 * creditors as the caller knows them (from the case it holds), so a notifying entry needs no case read to find them.
 */
export async function appendEvent(caseId: string, event: NewEvent, owners: readonly DossierOwner[] = []): Promise<void> {
  const item = eventItem(caseId, event);
  try {
    await dynamo().send(new PutCommand({ TableName: tableName(), Item: item, ConditionExpression: 'attribute_not_exists(PK)' }));
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
  }
  await notifyCreditors(caseId, [item as unknown as TimelineEvent], now(), owners);
}

/**
 * Appends several events (and any other idempotent items) in one request. Then the creditors concerned are
 * notified (functions/notifications/outbox.ts: once per fact, whatever writes the entries again).
 */
export async function appendEvents(caseId: string, events: readonly NewEvent[], extra: readonly Item[] = []): Promise<void> {
  const items = events.map((e) => eventItem(caseId, e));
  await writeItems([...items, ...extra]);
  // The dossier items written with the entries name their owners: no case read to find them.
  const owners = extra.filter((i) => typeof i.dossierId === 'string' && typeof i.clientId === 'string' && typeof i.reference === 'string' && String(i.PK).startsWith('DOSSIER#'));
  await notifyCreditors(caseId, items as unknown as TimelineEvent[], now(), owners.map((i) => ({ dossierId: String(i.dossierId), clientId: String(i.clientId), reference: String(i.reference) })));
}

/** One event by its key (a step's outcome after a crash). */
export async function getEvent(caseId: string, at: string, eventId: string): Promise<TimelineEvent | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.event(caseId, at, eventId), ConsistentRead: true }));
  return strip<TimelineEvent>(res.Item);
}

/** Access pattern: a case's timeline in time order (display and audit only). */
/**
 * Access pattern (views): the latest `limit` events of a case, oldest first — a view's cost stays bounded however
 * long the conversation runs (and within Lambda's response limit).
 */
export async function recentTimeline(caseId: string, limit: number): Promise<TimelineEvent[]> {
  const out: TimelineEvent[] = [];
  for await (const page of paginateQuery(
    { client: dynamo(), pageSize: Math.min(limit, 500) },
    { TableName: tableName(), KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)', ExpressionAttributeValues: { ':pk': `DEBTOR#${caseId}`, ':sk': 'EVENT#' }, ScanIndexForward: false },
  )) {
    for (const item of page.Items ?? []) if (out.length < limit) out.push(strip<TimelineEvent>(item)!);
    if (out.length >= limit) break;
  }
  return out.reverse();
}

/** The whole timeline of a case (the first version's upgrade folds it once). */
export async function caseTimeline(caseId: string): Promise<TimelineEvent[]> {
  return queryAll<TimelineEvent>({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': `DEBTOR#${caseId}`, ':sk': 'EVENT#' },
  });
}
