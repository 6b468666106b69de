/**
 * What the learning counters must add as things happen: a contact sent (KPIs: contacts, cost, debtors), a debtor
 * joining an experiment (its exposure), and every change of a case through the reducer (outcomes attributed to
 * contacts and experiments, domain/outcomes/). Nothing is ADDed here: the write that records the event carries its
 * counter writes (the case item, or the sent step's timeline entry: store/learning.ts encodeCounters), and the
 * stream aggregator adds a batch of many debtors' writes with one ADD per counter item (services/counters.ts). So the
 * increments exist exactly when the event's write does.
 */
import * as z from '../shared/zod.js';
import { type CaseEvent, applyEvent } from '../domain/case/events.js';
import type { ContactFact } from '../domain/case/facts.js';
import type { CaseState } from '../domain/case/state.js';
import { DEFAULT_CHANNEL_PRICES, type KpiIncrement, experimentIncrements, outcomeIncrements, sentIncrements, storedIncrements } from '../domain/outcomes/kpis.js';
import { CHANNELS, type Channel } from '../domain/vocabulary.js';
import { logger } from '../shared/logger.js';
import { type CounterWrite, counterWrites } from '../store/learning.js';

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

/** Counters never fail the work they count: a failure to compute them is logged (no personal data) and the work goes on. */
function safely(what: string, caseId: string, work: () => CounterWrite[]): CounterWrite[] {
  try {
    return work();
  } catch (err) {
    logger.warn('learning counters not computed', { what, caseId, errorName: (err as Error)?.name });
    return [];
  }
}

/** A contact went out (the provider took it, or the agent has the task): carried by its timeline entry. */
export function sendCounters(c: CaseState, contact: ContactFact): CounterWrite[] {
  return safely('send', c.caseId, () => counterWrites(c.caseId, storedIncrements(sentIncrements(c, contact, channelPrices()[contact.channel]))));
}

/** The claim of a step adds the debtor to experiments (assigned now, at the contact's moment): carried by the claim. */
export function exposureCounters(caseId: string, assignments: ReadonlyArray<{ experimentId: string; variant: string }>, at: string): CounterWrite[] {
  if (!assignments.length) return [];
  const after = { experiments: Object.fromEntries(assignments.map((a) => [a.experimentId, { variant: a.variant, at }])) } as Pick<CaseState, 'experiments'>;
  return safely('exposure', caseId, () => counterWrites(caseId, [], experimentIncrements({ experiments: {} }, after)));
}

const OUTCOME_EVENTS = new Set<CaseEvent['type']>(['delivery', 'reply', 'payment', 'payment_reversed', 'arrangement_accepted', 'call_outcome']);

/** A change of the case through the reducer: what the events attributed (carried by the case write). */
export function changeCounters(before: CaseState, after: CaseState, events: readonly CaseEvent[]): CounterWrite[] {
  return safely('change', after.caseId, () => {
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
    return counterWrites(after.caseId, storedIncrements(kpis), experimentIncrements(before, after));
  });
}
