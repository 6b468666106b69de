/**
 * Reading and changing a case. Every change is an event for the domain's reducer (domain/case/events.ts),
 * applied to the case as read and written back on condition that nobody wrote it meanwhile; on a conflict the
 * case is read again and the events re-derived, so concurrent replies, payments and steps never overwrite
 * each other. Cases of the first version are upgraded on first read (upgrade.ts).
 */
import { type CaseEvent, applyEvent } from '../domain/case/events.js';
import { type CaseState, claimsOf } from '../domain/case/state.js';
import { readCase, saveCase } from '../store/cases.js';
import { dossierItem } from '../store/dossiers.js';
import { upgradeCase } from './upgrade.js';
import { changeCounters } from './learning.js';

export async function loadCase(caseId: string, now: Date): Promise<CaseState | undefined> {
  const stored = await readCase(caseId);
  if (!stored) return undefined;
  return stored.v === 2 ? stored.item : upgradeCase(caseId, stored.item, now);
}

export interface Mutation {
  before: CaseState;
  after: CaseState;
  /** false when the events changed nothing (a repeated payment, a claim already there) */
  changed: boolean;
}

/**
 * Applies the events `change` derives from the case as it is now. `change` may be called more than once (after a
 * conflict), so it must only look at the case it is given. `known`: the case as the caller just read it.
 */
/** Writes of one case that may collide (a burst of payments, a batch of claims for one person) before giving up. */
const MAX_ATTEMPTS = 16;

export async function mutateCase(caseId: string, now: Date, change: (c: CaseState) => CaseEvent[] | undefined, known?: CaseState): Promise<Mutation | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // After a conflict, a short random pause (growing, at most ~100 ms) keeps colliding writers from meeting again.
    if (attempt > 1) await new Promise((r) => setTimeout(r, Math.random() * Math.min(100, 2 ** attempt)));
    // The caller's copy saves a read on the first attempt; a conflict reads the case again.
    const before = attempt === 0 && known ? known : await loadCase(caseId, now);
    if (!before) return undefined;
    const events = change(before) ?? [];
    const after = events.reduce(applyEvent, before);
    if (after === before) return { before, after, changed: false };
    // the write carries what the change adds to the learning counters (the stream aggregator adds it)
    if (await saveCase(after, before.version, changeCounters(before, after, events))) return { before, after, changed: true };
  }
  throw new Error(`case ${caseId} kept changing while it was updated`);
}

/** The dossiers whose status an event changed, as projection items to rewrite. */
export function changedProjections(before: CaseState, after: CaseState) {
  return claimsOf(after)
    .filter((d) => before.dossiers[d.dossierId]?.status !== d.status)
    .map((d) => dossierItem({ ...d, debtorId: after.caseId }));
}
