/**
 * Lazy upgrade of a case written by the first version (a `DEBTOR` item, a `CASE` item with journey counters,
 * dossier items, the whole timeline and a send ledger). Done once, on the first read after the change, by
 * whoever reads the case first — a Decide, a channel step, an API call, a webhook — and written with a
 * condition, so two readers upgrading at once produce one result.
 *
 * The first version kept one set of contact details per person, those of the first claim: they are attributed
 * to that claim here (so no other creditor is shown them), and still used for messages about the person's other
 * claims (marked `personWide`, which contactFor honours). Persons it merged by phone alone stay merged:
 * splitting them would change running conversations; new claims follow the strong-evidence rule.
 */
import { factsFromHistory } from '../domain/case/history.js';
import { addressKey, identityKeys, normaliseEmail } from '../domain/case/identity.js';
import { type CaseState, type ClaimRecord, type ContactPoint, emptyCase } from '../domain/case/state.js';
import { emptySignals, emptyTotals } from '../domain/case/facts.js';
import type { DecisionInput, HistoryEvent } from '../domain/decision.js';
import type { IncomeSource } from '../domain/payday.js';
import type { Channel, Language, OptOut } from '../domain/vocabulary.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../shared/aws.js';
import { logger } from '../shared/logger.js';
import { writeItems } from '../store/batch.js';
import { readCase, saveCase } from '../store/cases.js';
import { getClient } from '../store/clients.js';
import { dossierItem, legacyDossiersOfDebtor } from '../store/dossiers.js';
import { addIdentityKeys, emailIndexItem, phoneIndexItem } from '../store/identity.js';
import { key, strip } from '../store/keys.js';
import { legacySend } from '../store/messages.js';
import { caseTimeline } from '../store/timeline.js';

interface LegacyDebtor {
  debtorId: string;
  name: string;
  email?: string;
  phone?: string;
  whatsappOptIn?: boolean;
  language?: Language;
  address?: { line1: string; postalCode: string; city: string; country?: string };
  consumer?: boolean;
  incomeSource?: IncomeSource;
  optOuts?: string[];
  unusable?: string[];
  lastInboundAt?: string;
  flags?: string[];
  createdAt: string;
}

const asArray = (v: unknown): string[] => (v instanceof Set ? [...v] : Array.isArray(v) ? (v as string[]) : []);

export async function upgradeCase(caseId: string, v1: Record<string, unknown>, now: Date): Promise<CaseState | undefined> {
  const debtorRes = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key.legacyDebtor(caseId), ConsistentRead: true }));
  const debtor = strip<LegacyDebtor>(debtorRes.Item);
  if (!debtor) throw new Error(`case ${caseId} of the first version has no debtor record`);
  const dossierItems = (await legacyDossiersOfDebtor(caseId)).sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
  const timeline = await caseTimeline(caseId);
  const vat = new Map<string, boolean>();
  for (const d of dossierItems) if (!vat.has(String(d.clientId))) vat.set(String(d.clientId), (await getClient(String(d.clientId)))?.vatOnCosts === true);

  const state = await stateOf(caseId, v1, debtor, dossierItems, timeline, vat, now);
  if (!(await saveCase(state, 'v1'))) {
    // someone else upgraded it first
    const again = await readCase(caseId);
    return again?.v === 2 ? again.item : undefined;
  }
  await indexes(state, debtor);
  logger.info('case upgraded to the bounded model', { caseId, dossiers: dossierItems.length });
  return state;
}

async function stateOf(
  caseId: string,
  v1: Record<string, unknown>,
  debtor: LegacyDebtor,
  items: Array<Record<string, unknown>>,
  timeline: HistoryEvent[],
  vat: Map<string, boolean>,
  now: Date,
): Promise<CaseState> {
  const journeyNo = Number(v1.journeyNo ?? 1);
  let stepNo = Number(v1.stepNo ?? 0);
  // A step the first version had claimed but not settled: it counts as claimed, so it is never sent again.
  const inFlight = await legacySend(caseId, journeyNo, stepNo + 1);
  if (inFlight) stepNo += 1;
  const input: DecisionInput = {
    now,
    debtor: {
      consumer: debtor.consumer !== false,
      language: debtor.language ?? 'nl',
      hasEmail: !!debtor.email,
      hasPhone: !!debtor.phone,
      hasAddress: !!debtor.address,
      whatsappOptIn: debtor.whatsappOptIn === true,
      optOuts: debtor.optOuts ?? [],
      unusable: debtor.unusable ?? [],
      flags: debtor.flags ?? [],
      ...(debtor.incomeSource ? { incomeSource: debtor.incomeSource } : {}),
    },
    dossiers: items.map((d) => ({
      dossierId: String(d.dossierId),
      clientId: String(d.clientId),
      status: String(d.status),
      principal: Number(d.principal),
      costs: Number(d.costs ?? 0),
      paid: Number(d.paid ?? 0),
      dueDate: String(d.dueDate),
      createdAt: String(d.createdAt),
      vatOnCosts: vat.get(String(d.clientId)) === true,
    })),
    journey: { journeyNo, stepNo, startedAt: String(v1.updatedAt ?? v1.createdAt) },
    history: timeline,
  };
  const facts = factsFromHistory(input);
  const base = emptyCase(caseId, String(v1.createdAt ?? debtor.createdAt));
  const dossiers: Record<string, ClaimRecord> = {};
  for (const [i, d] of facts.dossiers.entries()) {
    const item = items[i];
    dossiers[d.dossierId] = {
      ...d,
      reference: String(item.reference),
      ...(item.description ? { description: String(item.description) } : {}),
      name: debtor.name,
      language: debtor.language ?? 'nl',
      consumer: debtor.consumer !== false,
      ...(debtor.incomeSource ? { incomeSource: debtor.incomeSource } : {}),
      ...(item.statusReason ? { statusReason: String(item.statusReason) } : {}),
      updatedAt: String(item.updatedAt ?? item.createdAt),
      paymentKeys: asArray(item.paymentKeys).slice(-20),
    };
  }
  const byClient: CaseState['byClient'] = {};
  for (const clientId of new Set(items.map((d) => String(d.clientId)))) {
    const own = new Set(items.filter((d) => d.clientId === clientId).map((d) => String(d.dossierId)));
    const about = (e: HistoryEvent & { dossierIds?: string[] }) => !e.dossierIds || e.dossierIds.some((id) => own.has(id));
    const f = factsFromHistory({ ...input, dossiers: input.dossiers.filter((d) => own.has(d.dossierId)), history: timeline.filter(about) });
    byClient[clientId] = { signals: f.signals, totals: f.totals };
  }
  const whatsappAt = [...timeline].reverse().find((e) => e.type === 'replied' && e.channel === 'whatsapp')?.at;
  return {
    ...base,
    version: 1,
    updatedAt: now.toISOString(),
    eventSeq: Number(v1.eventSeq ?? 0),
    journey: {
      ...facts.journey,
      stepNo,
      status: v1.status === 'closed' ? 'closed' : 'active',
      ...(typeof v1.taskToken === 'string' ? { taskToken: v1.taskToken } : {}),
      ...(inFlight ? { claim: { stepNo, channel: inFlight.channel as Channel, at: String(inFlight.claimedAt) } } : {}),
      ...(typeof v1.phase === 'string' ? { phase: v1.phase } : {}),
      ...(typeof v1.segment === 'string' ? { segment: v1.segment } : {}),
      ...(Array.isArray(v1.segmentReasons) ? { segmentReasons: v1.segmentReasons as string[] } : {}),
      ...(typeof v1.nextContactAt === 'string' ? { nextContactAt: v1.nextContactAt } : {}),
      ...(typeof v1.closedReason === 'string' ? { closedReason: v1.closedReason } : {}),
      ...(v1.closing && typeof v1.closing === 'object' ? { closing: v1.closing as CaseState['journey']['closing'] } : {}),
    },
    contactPoints: contactPointsOf(debtor, items[0]),
    dossiers,
    contacts: facts.contacts,
    signals: facts.signals ?? emptySignals(),
    totals: facts.totals ?? emptyTotals(),
    byClient,
    optOuts: (debtor.optOuts ?? []) as OptOut[],
    flags: (debtor.flags ?? []).map((flag) => ({ flag, at: debtor.createdAt })),
    ...(debtor.lastInboundAt ? { inbound: { at: debtor.lastInboundAt, ...(whatsappAt ? { whatsappAt } : {}) } } : {}),
  };
}

/** The first version's one set of contact details, as given with the person's first claim. */
function contactPointsOf(debtor: LegacyDebtor, first: Record<string, unknown> | undefined): ContactPoint[] {
  const source = first ? [{ dossierId: String(first.dossierId), clientId: String(first.clientId), at: String(first.createdAt), personWide: true as const }] : [];
  const unusable = (kind: string) => (debtor.unusable ?? []).includes(kind) ? { unusable: { at: debtor.createdAt, reason: 'marked unusable before the upgrade' } } : {};
  const points: ContactPoint[] = [];
  if (debtor.email) points.push({ kind: 'email', value: normaliseEmail(debtor.email), sources: source, ...unusable('email') });
  if (debtor.phone) points.push({ kind: 'phone', value: debtor.phone, sources: source.map((s) => ({ ...s, ...(debtor.whatsappOptIn ? { whatsappOptIn: true } : {}) })), ...unusable('phone') });
  if (debtor.address) {
    const address = { line1: debtor.address.line1, postalCode: debtor.address.postalCode, city: debtor.address.city, country: debtor.address.country ?? 'NL' };
    points.push({ kind: 'address', value: addressKey(address), address, sources: source, ...unusable('address') });
  }
  return points;
}

/** The look-ups of the new model: identity keys, phone and email indexes, dossier projections by client. */
async function indexes(state: CaseState, debtor: LegacyDebtor): Promise<void> {
  const { name, keys } = identityKeys(debtor);
  await addIdentityKeys(name, keys.map((k) => k.key), state.caseId);
  await writeItems([
    ...(debtor.phone ? [phoneIndexItem(debtor.phone, state.caseId)] : []),
    ...(debtor.email ? [emailIndexItem(normaliseEmail(debtor.email), state.caseId)] : []),
    ...Object.values(state.dossiers).map((d) => dossierItem({ ...d, debtorId: state.caseId })),
  ]);
}
