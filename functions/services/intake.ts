/**
 * A creditor files a claim (POST /v1/dossiers). Idempotent end to end: a client retrying after a timeout never
 * creates a second dossier, debtor, case or journey, and a crash half-way is completed by the retry.
 *
 * A new person — most claims — takes steps 1–3 in one transaction (`fileNewPerson`): the reference, the identity
 * keys (and the creditor's debtorRef) and the case are written together or not at all. When anything it needs is
 * taken (a retry, a duplicate reference, a known person) it writes nothing and the steps below run one by one:
 *
 *  1. the Idempotency-Key and the reference are claimed (a retry finds them and carries on with the same id);
 *  2. who is the debtor (DESIGN §4): the creditor's debtorRef, else strong evidence — a new person claims all of
 *     its identity keys in one conditional write, so concurrent filings of one new person make one debtor;
 *     a match that conflicts (another name, another address) is another person;
 *  3. the claim goes into the case: a new case is written whole; an existing one gets the claim as an event (a
 *     closed journey opens the next one);
 *  4. the timeline, the dossier's projection and the phone/email look-ups in one batch;
 *  5. the journey starts (its first action is Decide's), or the running one is woken to reconsider (a claim the
 *     case held already — a retry — wakes nothing).
 */
import { createHash } from 'node:crypto';
import type { CaseEvent, NewContactPoint } from '../domain/case/events.js';
import { applyEvent } from '../domain/case/events.js';
import { addressKey, identityConflict, identityKeys, normaliseEmail } from '../domain/case/identity.js';
import { type CaseState, type ClaimRecord, emptyCase, identityOf } from '../domain/case/state.js';
import { interestPlan } from '../domain/interest.js';
import { incomeSourceFromApi } from '../domain/payday.js';
import { HttpError } from '../shared/http.js';
import { newId, opaqueId } from '../shared/ids.js';
import { logger } from '../shared/logger.js';
import type { CreateDossierBody, DebtorInput } from '../shared/schemas.js';
import type { Item } from '../store/batch.js';
import { createCase, newCaseCreation, readCase } from '../store/cases.js';
import type { Client } from '../store/clients.js';
import { type Claim, claimIdempotencyKey, claimReference, dossierItem, getDossier, referenceClaim, releaseIdempotencyKey, releaseReference } from '../store/dossiers.js';
import {
  addIdentityKeys,
  claimDebtorRef,
  claimIdentityKeys,
  debtorByRef,
  debtorRefClaim,
  earlierUse,
  type EarlierUse,
  emailIndexItem,
  identityKeysClaim,
  identityOwners,
  phoneIndexItem,
} from '../store/identity.js';
import { appendEvents } from '../store/timeline.js';
import { writeTogether } from '../store/transact.js';
import { loadCase, mutateCase } from './case.js';
import { startOrWake } from './journey-control.js';

const IDEMPOTENCY_TTL_S = 7 * 86400;
export const MAX_CLAIMS_PER_DEBTOR = 100;

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

export async function createDossier(
  client: Client,
  body: CreateDossierBody,
  idempotencyKey: string | undefined,
  now: Date,
): Promise<{ status: number; body: { dossierId: string; debtorId: string; status: string }; replayed: boolean }> {
  const requestHash = hashOf(body);
  let dossierId = newId('dos');
  let keyClaimed = false;
  if (idempotencyKey) {
    const owner = await claimIdempotencyKey(client.clientId, idempotencyKey, { dossierId, requestHash }, Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_S);
    if (owner.claim.requestHash !== requestHash) throw new HttpError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request.');
    dossierId = owner.claim.dossierId;
    keyClaimed = owner.claimed;
  }
  const refClaim: Claim = { dossierId, requestHash, ...(idempotencyKey ? { idempotencyKey } : {}) };
  const used = await earlierUse(body.debtor.phone, body.debtor.email ? normaliseEmail(body.debtor.email) : undefined);
  // A retry under an Idempotency-Key this request did not claim is known to be one: it goes step by step at once.
  let identityTaken = false;
  if (!idempotencyKey || keyClaimed) {
    const filed = await fileNewPerson(client, body, refClaim, used, now);
    if ('added' in filed) return answer(filed.added, filed.claim, now);
    identityTaken = filed.identityTaken;
  }
  const ref = await claimReference(client.clientId, body.reference, refClaim);
  if (!ref.claimed) {
    if (ref.claim.requestHash !== requestHash) {
      // A refused request leaves nothing behind: the key it claimed is free for the corrected request.
      if (keyClaimed) await releaseIdempotencyKey(client.clientId, idempotencyKey!, dossierId);
      throw new HttpError(409, 'duplicate_reference', `A dossier with reference ${body.reference} already exists (${ref.claim.dossierId}).`);
    }
    dossierId = ref.claim.dossierId; // the same request again: finish and answer as the first time
  }
  // A retry finds the debtor the first attempt chose (its projection is written once the case holds the claim).
  const earlier = ref.claimed && !idempotencyKey ? undefined : await getDossier(dossierId);
  const at = earlier?.createdAt ?? now.toISOString();
  const claim = claimOf(client, body, dossierId, at);
  const { debtorId, keysToAdd } = earlier ? { debtorId: earlier.debtorId, keysToAdd: [] } : await resolveDebtor(client, body.debtor, used, now, identityTaken);
  const added = await addToCase(debtorId, claim, pointsOf(body.debtor, used), body.debtor, now).catch(async (err: unknown) => {
    // A refused claim leaves nothing behind: its reference and key are free for a corrected request.
    if (err instanceof HttpError && ref.claimed) await releaseReference(client.clientId, body.reference, dossierId);
    if (err instanceof HttpError && keyClaimed) await releaseIdempotencyKey(client.clientId, idempotencyKey!, dossierId);
    throw err;
  });
  if (keysToAdd.length) await addIdentityKeys(keysToAdd[0].name, keysToAdd.map((k) => k.key), debtorId);
  return answer(added, claim, now);
}

/** Steps 4 and 5, and the answer. */
async function answer(added: Added, claim: ClaimRecord, now: Date): Promise<Awaited<ReturnType<typeof createDossier>>> {
  await record(added.after, claim, added.newPoints);
  // Step 5. A claim the case held already (a retry, a rerun of an import) wakes nothing: the journey knew of it.
  await startOrWake(added.after, { opened: added.opened, ...(added.changed ? { wake: 'claim_added' } : {}) }, now);
  return {
    status: 201,
    body: { dossierId: claim.dossierId, debtorId: added.after.caseId, status: added.after.dossiers[claim.dossierId]?.status ?? 'open' },
    replayed: !added.changed,
  };
}

/**
 * Steps 1–3 for a new person in one transaction: the reference claim, the person's identity keys (and the creditor's
 * debtorRef) and a new case holding the claim. Cancelled — the reference is taken (a retry, a duplicate), a key or
 * the debtorRef has an owner (a known person) — it has written nothing, and the caller goes step by step;
 * `identityTaken` says the identity keys were owned, so that path reads their owners at once instead of trying to
 * claim them again.
 * Why one transaction: one request instead of three (four with a debtorRef) for most claims, and a new person's keys
 * never exist without the case (a concurrent filing of the same person finds it at once). Its price: DynamoDB charges
 * a transaction's items twice the write units of single writes (README "Performance and cost"), and a known person's
 * claim pays for the cancelled transaction where it paid for a refused identity-key claim before — the same count.
 */
async function fileNewPerson(
  client: Client,
  body: CreateDossierBody,
  refClaim: Claim,
  used: EarlierUse,
  now: Date,
): Promise<{ added: Added; claim: ClaimRecord } | { identityTaken: boolean }> {
  const { name, keys } = identityKeys(body.debtor);
  // Step by step: a name without letters is refused there; first-version look-ups are upgraded there first.
  if (!name || used.legacyOwners.length) return { identityTaken: false };
  const claim = claimOf(client, body, refClaim.dossierId, now.toISOString());
  const event = claimEvent(claim, pointsOf(body.debtor, used), body.debtor);
  const fresh = applyEvent(emptyCase(opaqueId('deb'), claim.createdAt), event);
  const creation = newCaseCreation(fresh);
  const identity = keys.length ? identityKeysClaim(name, keys.map((k) => k.key), fresh.caseId) : undefined;
  const outcome = await writeTogether([
    referenceClaim(client.clientId, body.reference, refClaim),
    creation.action,
    ...(identity ? [identity] : []),
    ...(body.debtor.debtorRef ? [debtorRefClaim(client.clientId, body.debtor.debtorRef, fresh.caseId)] : []),
  ]);
  if (!outcome.written) return { identityTaken: identity !== undefined && outcome.conditionFailed[2] === true };
  creation.written();
  return { added: { after: fresh, opened: true, newPoints: event.points, changed: true }, claim };
}

/**
 * The claim as the case holds it. The client's settings that decide its money are copied onto it (VAT, statutory
 * interest, the business-cost agreement): the terms in force when the claim was filed, and no client read on the
 * journey's hot path.
 */
function claimOf(client: Client, body: CreateDossierBody, dossierId: string, at: string): ClaimRecord {
  const income = incomeSourceFromApi(body.debtor);
  const plan = interestPlan({ consumer: body.debtor.consumer, clientClaimsInterest: client.claimsInterest === true, dueDate: body.dueDate });
  return {
    dossierId,
    clientId: client.clientId,
    reference: body.reference,
    ...(body.description ? { description: body.description } : {}),
    principal: body.principal,
    costs: 0,
    paid: 0,
    dueDate: body.dueDate,
    status: 'open',
    createdAt: at,
    updatedAt: at,
    vatOnCosts: client.vatOnCosts === true,
    consumer: body.debtor.consumer,
    name: body.debtor.name,
    language: body.debtor.language,
    ...(income.type !== 'unknown' ? { incomeSource: income } : {}),
    ...(body.debtor.debtorRef ? { debtorRef: body.debtor.debtorRef } : {}),
    ...(plan.claim ? { interest: { kind: plan.kind, from: plan.from } } : {}),
    ...(!body.debtor.consumer && client.businessCosts ? { businessCosts: client.businessCosts } : {}),
    ...(body.instalment ? { instalment: { monthlyAmountCents: body.instalment.monthlyAmount } } : {}),
    payments: [],
    paymentKeys: [],
  };
}

/** The claim's contact points; a number someone asked to stop messaging stays stopped (whoever is filed with it). */
function pointsOf(d: DebtorInput, used: EarlierUse): NewContactPoint[] {
  const points: NewContactPoint[] = [];
  if (d.email) points.push({ kind: 'email', value: normaliseEmail(d.email) });
  if (d.phone) points.push({ kind: 'phone', value: d.phone, ...(d.whatsappOptIn ? { whatsappOptIn: true } : {}), ...(used.phoneOptOuts.length ? { optedOut: used.phoneOptOuts } : {}) });
  if (d.address) {
    const address = { line1: d.address.line1, postalCode: d.address.postalCode, city: d.address.city, country: d.address.country ?? 'NL' };
    points.push({ kind: 'address', value: addressKey(address), address });
  }
  return points;
}

interface Resolved {
  debtorId: string;
  /** identity keys to add for a debtor the claim joined */
  keysToAdd: Array<{ name: string; key: string }>;
}

/** Which debtor this claim is about (see the module comment, step 2). */
async function resolveDebtor(client: Client, input: DebtorInput, used: EarlierUse, now: Date, identityTaken: boolean): Promise<Resolved> {
  const { name, keys } = identityKeys(input);
  // The edge refuses names without letters; a name that normalises to nothing is never matched on.
  if (!name) throw new HttpError(400, 'invalid_request', 'The request is not valid.', { 'debtor.name': 'needs at least two letters' });
  const all = keys.map((k) => k.key);
  if (input.debtorRef) {
    const byRef = await debtorByRef(client.clientId, input.debtorRef);
    // The creditor's own reference joins its customer's claims, but never over conflicting details.
    if (byRef && (await joinable({ [input.debtorRef]: byRef }, input, now))) return { debtorId: byRef, keysToAdd: all.map((key) => ({ name, key })) };
  }
  // The first attempt claims the keys without reading them (most people are new) — unless the intake's transaction
  // has just found them owned.
  const readFirst = (attempt: number) => attempt > 0 || identityTaken;
  for (let attempt = 0; attempt < 4; attempt++) {
    const candidate = opaqueId('deb');
    const owners = readFirst(attempt) ? await identityOwners(name, all) : {};
    const free = all.filter((k) => !owners[k]);
    // A new person: all of its keys at once (one write; fails if any is taken meanwhile).
    if (!readFirst(attempt) || Object.keys(owners).length === 0) {
      if (attempt === 0 && (await upgradedLegacyOwner(used, now))) continue; // its keys exist now: match on them
      if (await claimIdentityKeys(name, all, candidate)) return withRef(client, input, { debtorId: candidate, keysToAdd: [] }, now);
      continue;
    }
    const match = await joinable(owners, input, now);
    if (match) return withRef(client, input, { debtorId: match, keysToAdd: free.map((key) => ({ name, key })) }, now);
    // Every match conflicts: another person with the same name; it gets the keys nobody owns.
    if (await claimIdentityKeys(name, free, candidate)) return withRef(client, input, { debtorId: candidate, keysToAdd: [] }, now);
  }
  throw new Error('identity keys kept changing while a claim was filed');
}

/** How long a key owner's case may take to appear: a concurrent filing writes it right after its keys. */
const CASE_APPEARS_MS = [25, 50, 100, 200, 400];

/** The debtor a claim may join: most matching keys first, never one whose details conflict. */
async function joinable(owners: Record<string, string>, input: DebtorInput, now: Date): Promise<string | undefined> {
  const score = new Map<string, number>();
  for (const id of Object.values(owners)) score.set(id, (score.get(id) ?? 0) + 1);
  for (const [id] of [...score].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    const c = await caseOfOwner(id, now);
    // Keys of a filing that crashed before its case was written: nobody's details to conflict with.
    if (!c) return id;
    const conflict = identityConflict(identityOf(c), input);
    if (!conflict) return id;
    logger.info('identity match not joined', { debtorId: id, conflict });
  }
  return undefined;
}

/** The case of a key's owner; a filing running at this moment gets a moment to write it, never a guess. */
async function caseOfOwner(debtorId: string, now: Date): Promise<CaseState | undefined> {
  for (const pause of [0, ...CASE_APPEARS_MS]) {
    if (pause) await new Promise((r) => setTimeout(r, pause));
    const c = await loadCase(debtorId, now);
    if (c) return c;
  }
  return undefined;
}

/**
 * A person the first version filed and nobody has read since has no identity keys yet (the upgrade writes them
 * on first read): the first version's phone/email look-up finds them, and reading the case upgrades it.
 */
async function upgradedLegacyOwner(used: EarlierUse, now: Date): Promise<boolean> {
  let upgraded = false;
  for (const id of used.legacyOwners) if ((await readCase(id))?.v === 1 && (await loadCase(id, now))) upgraded = true;
  return upgraded;
}

/**
 * Records the creditor's debtorRef for the chosen debtor. When a concurrent filing took the same ref for another
 * debtor, the claim goes there only if nothing conflicts; otherwise the ref stays with its first owner and this
 * claim keeps the debtor its evidence chose (two debtors are better than one wrong one).
 */
async function withRef(client: Client, input: DebtorInput, r: Resolved, now: Date): Promise<Resolved> {
  if (!input.debtorRef) return r;
  const owner = await claimDebtorRef(client.clientId, input.debtorRef, r.debtorId);
  if (owner === r.debtorId) return r;
  const theirs = await caseOfOwner(owner, now);
  if (theirs && !identityConflict(identityOf(theirs), input)) return { ...r, debtorId: owner };
  logger.info('debtorRef belongs to another debtor; not joined', { debtorId: r.debtorId, refOwner: owner });
  return r;
}

const claimEvent = (claim: ClaimRecord, points: NewContactPoint[], input: DebtorInput): CaseEvent & { type: 'claim_added' } => ({
  type: 'claim_added',
  at: claim.createdAt,
  claim,
  points,
  identity: input,
});

interface Added {
  before?: CaseState;
  after: CaseState;
  /** the claim opened a journey (a new case, or the next journey after the last one ended) */
  opened: boolean;
  /** contact points the case did not have yet (their look-ups are written) */
  newPoints: NewContactPoint[];
  /** false: the case held the claim already */
  changed: boolean;
}

/** Adds the claim to the debtor's case (step 3). A claim that is there already changes nothing. */
async function addToCase(debtorId: string, claim: ClaimRecord, points: NewContactPoint[], input: DebtorInput, now: Date): Promise<Added> {
  const event = claimEvent(claim, points, input);
  const fresh = applyEvent(emptyCase(debtorId, claim.createdAt), event);
  if (await createCase(fresh)) return { after: fresh, opened: true, newPoints: event.points, changed: true };
  const m = await mutateCase(debtorId, now, (c) => {
    if (c.dossiers[claim.dossierId]) return [];
    // Why a limit: the case is one item (a decision reads it whole; DynamoDB items end at 400 KB). 100 claims of
    // one person at one agency is far beyond any real portfolio; past it a creditor's mistake must not stall the
    // person's whole conversation.
    if (Object.keys(c.dossiers).length >= MAX_CLAIMS_PER_DEBTOR) {
      throw new HttpError(422, 'too_many_claims', `This debtor has ${MAX_CLAIMS_PER_DEBTOR} claims at this agency, the most one conversation holds; contact the agency to file more.`);
    }
    return [event];
  });
  if (!m) throw new Error(`case ${debtorId} vanished while a claim was added`);
  const known = (p: NewContactPoint) => m.before.contactPoints.some((x) => x.kind === p.kind && x.value === p.value);
  return {
    before: m.before,
    after: m.after,
    opened: m.changed && (m.before.journey.status === 'closed' || m.after.journey.journeyNo > m.before.journey.journeyNo),
    newPoints: m.changed ? event.points.filter((p) => !known(p)) : [],
    changed: m.changed,
  };
}

const interestText = (i: NonNullable<ClaimRecord['interest']>) =>
  `${i.kind === 'commercial' ? 'handelsrente (art. 6:119a BW)' : 'wettelijke rente (art. 6:119 BW)'} from ${i.from}, compounded yearly`;

/** The claim on the timeline, the dossier's projection, the look-ups of new contact points (step 4). */
async function record(c: CaseState, claim: ClaimRecord, newPoints: NewContactPoint[]): Promise<void> {
  const d = c.dossiers[claim.dossierId];
  const extra: Item[] = [dossierItem({ ...d, debtorId: c.caseId })];
  for (const p of newPoints) {
    if (p.kind === 'phone') extra.push(phoneIndexItem(p.value, c.caseId));
    if (p.kind === 'email') extra.push(emailIndexItem(p.value, c.caseId));
  }
  await appendEvents(
    c.caseId,
    [
      {
        eventId: `claim-${d.dossierId}`,
        at: d.createdAt,
        type: 'claim_received',
        detail: `Claim ${d.reference} received: principal ${d.principal} cents, due ${d.dueDate}${d.instalment ? `, an instalment claim of ${d.instalment.monthlyAmountCents} cents a month` : ''}${d.interest ? `; ${interestText(d.interest)}` : ''}.`,
        dossierIds: [d.dossierId],
      },
    ],
    extra,
  );
}
