/**
 * Keeps the learning counters up to date as things happen: a contact sent (KPIs: contacts, cost, debtors), a debtor
 * joining an experiment (its exposure), and every change of a case through the reducer (outcomes attributed to
 * contacts and experiments, domain/outcomes/). Written after the case, never instead of it: the case is the truth
 * and a counter lost to a crash in between is not repeated (see domain/outcomes/kpis.ts for why counters).
 */
import * as z from '../shared/zod.js';
import { type CaseEvent, applyEvent } from '../domain/case/events.js';
import type { ContactFact } from '../domain/case/facts.js';
import type { CaseState } from '../domain/case/state.js';
import { DEFAULT_CHANNEL_PRICES, type KpiIncrement, experimentIncrements, outcomeIncrements, sentIncrements, storedIncrements } from '../domain/outcomes/kpis.js';
import { CHANNELS, type Channel } from '../domain/vocabulary.js';
import { logger } from '../shared/logger.js';
import { addExperimentCounts, addKpis } from '../store/learning.js';

const PricesSchema = z.partialRecord(z.enum(CHANNELS), z.number().check(z.int(), z.minimum(0), z.maximum(100_000)));
let prices: { text: string | undefined; value: Record<Channel, number> } | undefined;

/** Channel list prices in cents per contact: CHANNEL_PRICES_CENTS='{"sms":8,"letter":95}' over the defaults. */
export function channelPrices(): Record<Channel, number> {
  const text = process.env.CHANNEL_PRICES_CENTS;
  if (prices && prices.text === text) return prices.value;
  let value = { ...DEFAULT_CHANNEL_PRICES };
  if (text) {
    const r = PricesSchema.safeParse(JSON.parse(text));
    if (!r.success) throw new Error(`CHANNEL_PRICES_CENTS: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    value = { ...value, ...r.data };
  }
  prices = { text, value };
  return value;
}

/** Counters never fail the work they count: a failure is logged (no personal data) and the work goes on. */
async function safely(what: string, caseId: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    logger.warn('learning counters not updated', { what, caseId, errorName: (err as Error)?.name });
  }
}

/** A contact went out (the provider took it, or the agent has the task). */
export async function learnFromSend(c: CaseState, contact: ContactFact): Promise<void> {
  await safely('send', c.caseId, () => addKpis(c.caseId, storedIncrements(sentIncrements(c, contact, channelPrices()[contact.channel]))));
}

/** The claim of a step added the debtor to experiments (`before`: the case without them). */
export async function learnFromExposure(before: Pick<CaseState, 'experiments'>, after: CaseState): Promise<void> {
  const inc = experimentIncrements(before, after);
  if (inc.length) await safely('exposure', after.caseId, () => addExperimentCounts(after.caseId, inc));
}

const OUTCOME_EVENTS = new Set<CaseEvent['type']>(['delivery', 'reply', 'payment', 'payment_reversed', 'arrangement_accepted', 'call_outcome']);

/** A change of the case through the reducer: what the events attributed. */
export async function learnFromChange(before: CaseState, after: CaseState, events: readonly CaseEvent[]): Promise<void> {
  const kpis: KpiIncrement[] = [];
  if (events.length === 1) kpis.push(...outcomeIncrements(before, after, events[0]!));
  else if (events.some((e) => OUTCOME_EVENTS.has(e.type))) {
    let s = before;
    for (const e of events) {
      const next = applyEvent(s, e);
      kpis.push(...outcomeIncrements(s, next, e));
      s = next;
    }
  }
  const exp = experimentIncrements(before, after);
  if (kpis.length) await safely('outcome', after.caseId, () => addKpis(after.caseId, storedIncrements(kpis)));
  if (exp.length) await safely('experiment', after.caseId, () => addExperimentCounts(after.caseId, exp));
}
