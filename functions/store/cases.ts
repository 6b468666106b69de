/**
 * The case item (`DEBTOR#<id>` / `CASE`): one debtor's whole conversation as the pure aggregate of
 * functions/domain/case/state.ts. Written in two ways:
 *
 *  - full writes with optimistic locking: read, apply the domain's reducer, put the item back on condition that
 *    `version` is unchanged (`mutateCase` in the services retries on a conflict);
 *  - targeted updates on the journey's hot path, which need no read: a step's claim (the channel step) and a
 *    parked wait (Await), each conditional on nothing having happened since the decision (`eventSeq`). Every
 *    targeted update bumps `version` too, so a full write prepared before it fails and is redone on top of it.
 *
 * Items written by the first version (no `v: 2`) are read raw and upgraded by functions/services/upgrade.ts.
 *
 * Every write sets or removes the counter increments attribute (`lrn`, store/learning.ts): a write that records an
 * event carries what the learning counters must add (the stream aggregator adds it), every other write removes it,
 * so a later write never carries an earlier change's increments (and each carries its own write id besides).
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CostUpdate } from '../domain/decide/costs.js';
import type { ContactFact } from '../domain/case/facts.js';
import { type ArrangementChange, type JourneyView, arrangementAfter } from '../domain/case/events.js';
import { type CaseState, type JourneyRecord, normalised } from '../domain/case/state.js';
import { dynamo, tableName } from '../shared/aws.js';
import { EXPERIMENT_ATTR, NO_ORDINALS, decodeCase, encodeCase, encodeContact } from './case-codec.js';
import { isConditionFailed, key, strip } from './keys.js';
import { COUNTERS_ATTR, type CounterWrite, encodeCounters } from './learning.js';
import type { TransactAction } from './transact.js';

export type StoredCase = { v: 2; item: CaseState } | { v: 1; item: Record<string, unknown> };

/** The case item as stored: the current model, or a first-version item to upgrade. Strongly consistent. */
export async function readCase(caseId: string): Promise<StoredCase | undefined> {
  const res = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.case(caseId), ConsistentRead: true }));
  const item = strip<Record<string, unknown>>(res.Item);
  if (!item) return undefined;
  return item.v === 2 ? { v: 2, item: normalised(decodeCase(item)) } : { v: 1, item };
}

/** A new case's write (at version 1), refused when the case exists. */
const newCasePut = (state: CaseState) => ({
  TableName: tableName(),
  Item: { ...key.case(state.caseId), ...encodeCase(state), version: 1 },
  ConditionExpression: 'attribute_not_exists(PK)',
});

/** Writes a new case; false when one exists already. */
export async function createCase(state: CaseState): Promise<boolean> {
  try {
    await dynamo().send(new PutCommand(newCasePut(state)));
    state.version = 1;
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/**
 * createCase's write as one action of a transaction (services/intake.ts); `written()` once the transaction is, so the
 * state knows its version as createCase's caller does.
 */
export function newCaseCreation(state: CaseState): { action: TransactAction; written(): void } {
  return { action: { Put: newCasePut(state) }, written: () => void (state.version = 1) };
}

/**
 * Writes the case back if nobody else wrote it since it was read at `expectedVersion` (or, for an item of the
 * first version being upgraded, if it is still that item). False on a conflict: read again and re-apply.
 */
export async function saveCase(state: CaseState, expectedVersion: number | 'v1', counters: readonly CounterWrite[] = []): Promise<boolean> {
  const version = expectedVersion === 'v1' ? 1 : expectedVersion + 1;
  // the case's version names this write once (the write is conditional on the version before it)
  const carried = encodeCounters(`C#${state.caseId}#v${version}${expectedVersion === 'v1' ? '#up' : ''}`, counters);
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...key.case(state.caseId), ...encodeCase(state), version, ...(carried ? { [COUNTERS_ATTR]: carried } : {}) },
        ConditionExpression: expectedVersion === 'v1' ? 'attribute_exists(PK) AND attribute_not_exists(#model)' : '#version = :v',
        ExpressionAttributeNames: expectedVersion === 'v1' ? { '#model': 'v' } : { '#version': 'version' },
        ...(expectedVersion === 'v1' ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
      }),
    );
    state.version = version;
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** Builds one UpdateItem expression from named paths, so every path segment is an attribute-name alias. */
class Update {
  private sets: string[] = [];
  private removes: string[] = [];
  private conditions: string[] = [];
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private n = 0;
  private carried: string | undefined;

  path(...segments: string[]): string {
    return segments
      .map((s) => {
        let alias = `#${s.replace(/[^A-Za-z0-9]/g, '_')}`;
        // two names that differ only in punctuation ("exp#a-b", "exp#a_b") get their own aliases
        for (let k = 1; this.names[alias] !== undefined && this.names[alias] !== s; k++) alias = `#${s.replace(/[^A-Za-z0-9]/g, '_')}_${k}`;
        this.names[alias] = s;
        return alias;
      })
      .join('.');
  }
  value(v: unknown): string {
    const name = `:v${this.n++}`;
    this.values[name] = v;
    return name;
  }
  set(path: string[], v: unknown): this {
    if (v !== undefined) this.sets.push(`${this.path(...path)} = ${this.value(v)}`);
    return this;
  }
  setIfMissing(path: string[], v: unknown): this {
    const p = this.path(...path);
    this.sets.push(`${p} = if_not_exists(${p}, ${this.value(v)})`);
    return this;
  }
  add(path: string[], n: number): this {
    const p = this.path(...path);
    this.sets.push(`${p} = ${p} + ${this.value(n)}`);
    return this;
  }
  remove(path: string[]): this {
    this.removes.push(this.path(...path));
    return this;
  }
  append(path: string[], items: unknown[]): this {
    const p = this.path(...path);
    this.sets.push(`${p} = list_append(${p}, ${this.value(items)})`);
    return this;
  }
  /** The write's counter increments (none: the attribute is removed, so no earlier change's ride along). */
  counters(carried: string | undefined): this {
    this.carried = carried;
    return this;
  }
  when(condition: (u: this) => string): this {
    this.conditions.push(condition(this));
    return this;
  }
  input(caseId: string) {
    if (this.carried) this.set([COUNTERS_ATTR], this.carried);
    else this.remove([COUNTERS_ATTR]);
    return {
      TableName: tableName(),
      Key: key.case(caseId),
      UpdateExpression: `SET ${this.sets.join(', ')}${this.removes.length ? ` REMOVE ${this.removes.join(', ')}` : ''}`,
      ConditionExpression: this.conditions.join(' AND '),
      ExpressionAttributeNames: this.names,
      ExpressionAttributeValues: this.values,
      ReturnValues: 'ALL_NEW' as const,
    };
  }
}

/** Nothing happened since the decision: same journey, still active, the event counter unchanged. */
function unchangedSince(u: Update, journeyNo: number, seenEventSeq: number): Update {
  return u
    .when((x) => `${x.path('v')} = ${x.value(2)}`)
    .when((x) => `${x.path('journey', 'journeyNo')} = ${x.value(journeyNo)}`)
    .when((x) => `${x.path('journey', 'status')} = ${x.value('active')}`)
    .when((x) => `${x.path('eventSeq')} = ${x.value(seenEventSeq)}`);
}

function withView(u: Update, view: JourneyView | undefined, costs: readonly CostUpdate[] | undefined, at: string): Update {
  if (view) {
    u.set(['journey', 'phase'], view.phase).set(['journey', 'segment'], view.segment).set(['journey', 'segmentReasons'], view.segmentReasons).set(['journey', 'nextContactAt'], view.nextContactAt);
  }
  for (const c of costs ?? []) u.set(['dossiers', c.dossierId, 'costs'], c.costs).set(['dossiers', c.dossierId, 'costsFrom'], c.from).set(['dossiers', c.dossierId, 'updatedAt'], at);
  return u.add(['version'], 1).set(['updatedAt'], at);
}

async function update(caseId: string, u: Update): Promise<CaseState | undefined> {
  try {
    const res = await dynamo().send(new UpdateCommand(u.input(caseId)));
    return normalised(decodeCase(strip<Record<string, unknown>>(res.Attributes)!));
  } catch (err) {
    if (isConditionFailed(err)) return undefined;
    throw err;
  }
}

export interface StepClaimInput {
  caseId: string;
  journeyNo: number;
  seenEventSeq: number;
  contact: ContactFact & { stepNo: number };
  /** the 14-day letter: the dossiers it covers */
  letterFor?: string[];
  token: string;
  timer: string;
  view?: JourneyView;
  costs?: CostUpdate[];
  /** a call step's task; `null`: the open task was closed (expired) by the decision, forget it */
  openTask?: JourneyRecord['openTask'] | null;
  /** experiments the debtor joins with this contact; refused if the case holds another variant of one */
  assignments?: Array<{ experimentId: string; variant: string }>;
  /** the step's change to the arrangement (an offer, a reminder sent, a breach) */
  arrangement?: ArrangementChange;
  /**
   * the term end the message states (a follow-up of the 14-day letter), kept on each of its claims. Decide computes
   * it as the last day before costs, which is never before a term stated earlier, so setting it equals the
   * reducer's "latest of the two"; the claim's condition (nothing happened since the decision) keeps that true.
   */
  statedTermEnd?: string;
  /** what the learning counters add for this claim (the exposures it makes), carried by the claim's write */
  counters?: readonly CounterWrite[];
  at: string;
}

/**
 * The arrangement after a step's change (the decision filled in `proposed`), as one SET of the whole (small)
 * arrangement; every change from outside the journey bumps eventSeq, so the write's condition covers it.
 */
function withArrangement(u: Update, change: ArrangementChange | undefined, at: string): Update {
  if (!change) return u;
  const after = arrangementAfter({ arrangement: undefined }, change, at).arrangement;
  if (after) u.set(['arrangement'], after);
  return u;
}

/**
 * Claims journey step `contact.stepNo` in one conditional update — the same change as the reducer's
 * `step_claimed` (tests hold them equal): the contact is recorded, the task token stored, the decision's
 * view and costs written. Undefined when anything happened since the decision, or the step was claimed already.
 */
export async function claimStep(i: StepClaimInput): Promise<CaseState | undefined> {
  const u = unchangedSince(new Update(), i.journeyNo, i.seenEventSeq).when((x) => `${x.path('journey', 'stepNo')} < ${x.value(i.contact.stepNo)}`);
  // Without the case at hand the claim's dossier ids are stored as they are; the next full write compacts them.
  const stored = encodeContact(i.contact, NO_ORDINALS);
  u.set(['journey', 'stepNo'], i.contact.stepNo)
    .set(['journey', 'lastContactAt'], i.contact.at)
    .append(['journey', 'contacts'], [stored])
    .append(['contacts'], [stored])
    .add(['totals', 'contacts'], 1)
    .set(['journey', 'taskToken'], i.token)
    .set(['journey', 'timer'], i.timer)
    .set(['journey', 'claim'], { stepNo: i.contact.stepNo, channel: i.contact.channel, at: i.at });
  if (i.openTask === null) u.remove(['journey', 'openTask']);
  else u.set(['journey', 'openTask'], i.openTask);
  for (const dossierId of i.letterFor ?? []) u.setIfMissing(['dossiers', dossierId, 'letter'], { at: i.contact.at, stepNo: i.contact.stepNo });
  for (const a of i.assignments ?? []) {
    const attr = `${EXPERIMENT_ATTR}${a.experimentId}`;
    // Assigned now: the decision saw no variant, and the claim counts the exposure (its counters), so a case that
    // holds one meanwhile (a race) refuses the claim and the step is decided again.
    u.set([attr], { variant: a.variant, at: i.contact.at, journeyNo: i.journeyNo }).when((x) => `attribute_not_exists(${x.path(attr)})`);
  }
  // a step is claimed once per claim moment (a claim given back and taken again is another)
  u.counters(encodeCounters(`C#${i.caseId}#claim#${i.journeyNo}#${i.contact.stepNo}#${i.at}`, i.counters ?? []));
  withArrangement(u, i.arrangement, i.at);
  if (i.statedTermEnd) for (const dossierId of i.contact.dossierIds ?? []) u.set(['dossiers', dossierId, 'statedTermEnd'], i.statedTermEnd);
  return update(i.caseId, withView(u, i.view, i.costs, i.at));
}

/** The Await state: stores its token and the decision's view, if nothing happened since the decision. */
export async function parkJourney(i: {
  caseId: string;
  journeyNo: number;
  seenEventSeq: number;
  token: string;
  timer: string;
  view?: JourneyView;
  costs?: CostUpdate[];
  /** the decision expired the open call task: forget it */
  forgetTask?: boolean;
  arrangement?: ArrangementChange;
  at: string;
}): Promise<CaseState | undefined> {
  const u = unchangedSince(new Update(), i.journeyNo, i.seenEventSeq).set(['journey', 'taskToken'], i.token).set(['journey', 'timer'], i.timer);
  if (i.forgetTask) u.remove(['journey', 'openTask']);
  withArrangement(u, i.arrangement, i.at);
  return update(i.caseId, withView(u, i.view, i.costs, i.at));
}

/** A retried step attempt stores its own task token, so a wake-up reaches the attempt that waits. */
export async function setToken(caseId: string, journeyNo: number, token: string): Promise<void> {
  const u = new Update()
    .set(['journey', 'taskToken'], token)
    .add(['version'], 1)
    .when((x) => `${x.path('journey', 'journeyNo')} = ${x.value(journeyNo)}`)
    .when((x) => `${x.path('journey', 'status')} = ${x.value('active')}`);
  await update(caseId, u);
}
