/**
 * KPI counters as the case's events produce them. Pure: the case (before and after an event) in, increments out;
 * the store adds them up with atomic ADDs (functions/store/learning.ts), one counter item per scope and day.
 *
 * Why counters (and not a query over contacts when a report is asked for): a report must never read a partition
 * that every debtor writes to, nor grow with the portfolio. The case already knows, at the moment something
 * happens, which contacts an outcome belongs to (./attribution.ts), so each event turns into a handful of numbers
 * to add: a report then reads one small item per scope, day and shard, whatever the number of debtors. The price:
 * the group dimensions are fixed here (segment, channel, template, tone, variant, client), an increment lost to a
 * crash between the case write and the ADD is not repeated (counters are at most once; the case is the truth), and
 * a counter item is billed by its size on every ADD (a few KB: attribute names are short).
 *
 * Counting: a contact counts on the day it was sent (Europe/Amsterdam), in every group it belongs to; an outcome
 * counts on its contact's day, so a day's rates compare like with like (a cohort per day). Outcomes per contact (at
 * most once each, the flags on the contact): reacted, replied, promised, paid, and the provider's statuses delivered,
 * opened and clicked. By last touch (one contact takes it): recovered cents, and each reply's intent (`i<code>`,
 * INTENT_CODES: replies per intent). A step taken back (never sent) takes back what its contact took meanwhile
 * (takenBack). `debtors` counts a
 * debtor once per group and journey (at their first contact in that group). Each scope is a reader: "*" (the
 * agency, everything once) and each creditor (only contacts about its own claims, and of those only outcomes
 * about its own claims).
 *
 * Stored (`storedIncrements`): only the creditors' items are written — one UpdateItem per creditor and day an event
 * touches, usually one. The agency's view is their sum, read at report time (store/learning.ts readKpis), plus
 * corrections: where the agency's count differs from the creditors' sum (a contact about two creditors' claims is
 * one contact for the agency, one for each creditor), the difference rides along as `~<counter>` attributes in the
 * first creditor's item of that event (or, for a contact about no known creditor, in the `-` scope's item). A
 * creditor's read ignores `~` attributes; the agency's adds them to the counter they name.
 */
import { localDate } from '../calendar.js';
import type { CaseEvent } from '../case/events.js';
import type { ContactFact } from '../case/facts.js';
import type { CaseState } from '../case/state.js';
import { INTENTS, type Channel, type Intent } from '../vocabulary.js';
import { CENTS, OUTCOME_FLAG, clientsOfContact, clientsOfOutcome, contactKey, creditorFlags, isClaimed, lastTouchCounts, lastTouches, outcomeOf, remembered } from './attribution.js';

export { clientsOfContact };

export const GROUP_BY = ['segment', 'channel', 'template', 'tone', 'variant', 'client'] as const;
export type GroupBy = (typeof GROUP_BY)[number];
export const AGENCY_SCOPE = '*';
/** Attribute prefix of the agency's corrections stored in creditors' items (see storedIncrements). */
export const AGENCY_CORRECTION = '~';
/** The scope that holds the agency's counts of contacts about no known creditor (legacy contacts). */
export const NO_CREDITOR_SCOPE = '-';

/** Counter names, short because every ADD pays for the item's size. */
export const KPI_METRICS = {
  debtors: 'd',
  contacts: 'c',
  reacted: 'r',
  replied: 'y',
  promised: 'p',
  paid: '$',
  recovered: 'e',
  cost: 'k',
  delivered: 'v',
  opened: 'o',
  clicked: 'l',
} as const;
export type KpiMetric = keyof typeof KPI_METRICS;
/** A contact's outcome flag (attribution.ts OUTCOME_FLAG) → the counter it raises (the same name). */
const FLAG_METRIC: Record<string, KpiMetric> = Object.fromEntries(Object.entries(OUTCOME_FLAG).map(([kind, f]) => [f, kind as KpiMetric]));

/** Replies per intent: the counter `<group>|i<code>`, one short code per intent of the vocabulary. */
export const INTENT_COUNTER = 'i';
export const INTENT_CODES = Object.freeze({
  opt_out: 'so',
  opt_out_all: 'sa',
  promise_to_pay: 'pp',
  postpone: 'pl',
  already_paid: 'ap',
  arrangement: 'ar',
  cannot_pay: 'cp',
  dispute: 'di',
  not_my_debt: 'nm',
  debt_help: 'dh',
  bankruptcy: 'bk',
  vulnerable: 'vu',
  who_are_you: 'wa',
  call_me: 'cm',
  amount_question: 'aq',
  unclear: 'un',
} as const satisfies Record<Intent, string>);
/** An intent's counter code; one the vocabulary does not know (a legacy reply) counts as `unclear`. */
export const intentCode = (intent: string): string => `${INTENT_COUNTER}${(INTENT_CODES as Record<string, string>)[intent] ?? INTENT_CODES.unclear}`;
const INTENT_OF_CODE: Readonly<Record<string, Intent>> = Object.freeze(Object.fromEntries(INTENTS.map((i) => [intentCode(i), i])));
/** The intent a counter code stands for (undefined: not an intent counter). */
export const intentOfCode = (code: string): Intent | undefined => INTENT_OF_CODE[code];

export interface KpiIncrement {
  scope: string;
  /** YYYY-MM-DD, Europe/Amsterdam: the contact's day */
  day: string;
  /** counter attribute (`<group>|<metric>`) → amount */
  add: Record<string, number>;
}

/** "template:sms/reminder/friendly|c" */
export const counterName = (group: string, metric: KpiMetric): string => `${group}|${KPI_METRICS[metric]}`;

/** The groups a contact belongs to, in one scope (a creditor's scope: only its own client group). */
export function groupsOf(c: ContactFact, clients: readonly string[]): string[] {
  return [
    `segment:${c.seg ?? 'unknown'}`,
    `channel:${c.channel}`,
    `template:${c.channel}/${c.phase ?? '-'}/${c.tone ?? '-'}`,
    `tone:${c.tone ?? '-'}`,
    ...(c.x ?? []).map((v) => `variant:${v}`),
    ...clients.map((cl) => `client:${cl}`),
  ];
}

const dayOf = (c: ContactFact) => localDate(new Date(c.at));
const same = (a: ContactFact, b: ContactFact) => a.at === b.at && a.stepNo === b.stepNo && a.channel === b.channel && a.journeyNo === b.journeyNo;

function add(out: Map<string, KpiIncrement>, scope: string, day: string, groups: readonly string[], metric: KpiMetric, n: number): void {
  addCode(out, scope, day, groups, KPI_METRICS[metric], n);
}

function addCode(out: Map<string, KpiIncrement>, scope: string, day: string, groups: readonly string[], code: string, n: number): void {
  if (n === 0) return;
  const k = `${scope}\u0000${day}`;
  let inc = out.get(k);
  if (!inc) out.set(k, (inc = { scope, day, add: {} }));
  for (const g of groups) inc.add[`${g}|${code}`] = (inc.add[`${g}|${code}`] ?? 0) + n;
}

/** The scopes a contact counts in, each with its groups. */
function scopes(s: Pick<CaseState, 'dossiers'>, c: ContactFact): Array<{ scope: string; groups: string[] }> {
  const clients = clientsOfContact(s, c);
  return [{ scope: AGENCY_SCOPE, groups: groupsOf(c, clients) }, ...clients.map((cl) => ({ scope: cl, groups: groupsOf(c, [cl]) }))];
}

const added = (had: string, now: string): string[] => [...now].filter((f) => !had.includes(f));

/**
 * A contact that was sent: one contact, its list price, and a debtor in every group this journey had no contact in
 * before. `s` is the case with the contact claimed (it is the last of the journey's contacts with its step).
 */
export function sentIncrements(s: CaseState, contact: ContactFact, priceCents: number): KpiIncrement[] {
  const out = new Map<string, KpiIncrement>();
  const day = dayOf(contact);
  const earlier = s.journey.contacts.filter((c) => !same(c, contact) && Date.parse(c.at) <= Date.parse(contact.at));
  for (const { scope, groups } of scopes(s, contact)) {
    add(out, scope, day, groups, 'contacts', 1);
    add(out, scope, day, groups, 'cost', priceCents);
    const seen = new Set(earlier.flatMap((c) => scopes(s, c).find((x) => x.scope === scope)?.groups ?? []));
    add(out, scope, day, groups.filter((g) => !seen.has(g)), 'debtors', 1);
  }
  return [...out.values()];
}

/** What an event attributed (new outcome flags on contacts, recovered cents and intents to the last touch), as increments. */
export function outcomeIncrements(before: CaseState, after: CaseState, e: CaseEvent): KpiIncrement[] {
  if (e.type === 'step_failed' || e.type === 'step_released') return takenBack(before, after);
  const o = outcomeOf(before, after, e);
  if (!o) return [];
  const out = new Map<string, KpiIncrement>();
  // a creditor's counters only take outcomes about its own claims
  const aboutClients = clientsOfOutcome(after, o);
  for (const c of after.contacts) {
    const was = before.contacts.find((b) => same(b, c));
    const day = dayOf(c);
    // the agency: once per contact (`o`), in its groups but the creditors'
    for (const f of added(was?.o ?? '', c.o ?? '')) add(out, AGENCY_SCOPE, day, groupsOf(c, []), FLAG_METRIC[f]!, 1);
    // each creditor: once per creditor (attribution.ts creditorFlags), in its groups and in its group of the agency's
    for (const cl of clientsOfContact(after, c)) {
      if (aboutClients && !aboutClients.includes(cl)) continue;
      for (const f of added(was ? creditorFlags(was, cl) : '', creditorFlags(c, cl))) {
        add(out, cl, day, groupsOf(c, [cl]), FLAG_METRIC[f]!, 1);
        add(out, AGENCY_SCOPE, day, [`client:${cl}`], FLAG_METRIC[f]!, 1);
      }
    }
  }
  // counted once, by last touch (a payment's cents, a reply's intent): for the agency, to the last contact about its
  // claims, in that contact's groups but the creditors'; for each creditor, to the last about its own claims, in its
  // groups and in its group of the agency's
  for (const { what, n, days } of lastTouchCounts(o)) {
    const { agency, clients } = lastTouches(after, after.contacts, o, days);
    if (agency) addCode(out, AGENCY_SCOPE, dayOf(agency), groupsOf(agency, []), codeOf(what), n);
    for (const [cl, c] of clients) {
      addCode(out, cl, dayOf(c), groupsOf(c, [cl]), codeOf(what), n);
      addCode(out, AGENCY_SCOPE, dayOf(c), [`client:${cl}`], codeOf(what), n);
    }
  }
  return [...out.values()];
}

/** The counter code of what a last touch counts: recovered cents, or an intent. */
const codeOf = (what: string): string => (what === CENTS ? KPI_METRICS.recovered : intentCode(what));

/**
 * A claimed step taken back (its send failed, was skipped, or was given back before the provider had it): its contact
 * was never counted as sent, so the outcomes it took while it was being sent are taken back too — its outcome flags
 * (the contacts before it have their own), and what the claim remembers it took by last touch (attribution.ts
 * claimRemembers), which goes to the contact that would have taken it without this one, if any. Like an experiment's
 * exposure.
 */
function takenBack(before: CaseState, after: CaseState): KpiIncrement[] {
  const out = new Map<string, KpiIncrement>();
  for (const c of before.contacts) {
    if (after.contacts.some((a) => same(a, c))) continue;
    const day = dayOf(c);
    for (const f of c.o ?? '') add(out, AGENCY_SCOPE, day, groupsOf(c, []), FLAG_METRIC[f]!, -1);
    for (const cl of clientsOfContact(before, c)) {
      for (const f of creditorFlags(c, cl)) {
        add(out, cl, day, groupsOf(c, [cl]), FLAG_METRIC[f]!, -1);
        add(out, AGENCY_SCOPE, day, [`client:${cl}`], FLAG_METRIC[f]!, -1);
      }
    }
    if (!isClaimed(before, c)) continue;
    const moved = (to: ContactFact, scope: string, code: string, n: number) => {
      if (scope === AGENCY_SCOPE) addCode(out, AGENCY_SCOPE, dayOf(to), groupsOf(to, []), code, n);
      else {
        addCode(out, scope, dayOf(to), groupsOf(to, [scope]), code, n);
        addCode(out, AGENCY_SCOPE, dayOf(to), [`client:${scope}`], code, n);
      }
    };
    for (const [scope, took] of Object.entries(before.journey.claim?.lt ?? {})) {
      for (const [key, n] of Object.entries(took)) {
        const { what, instead } = remembered(key);
        moved(c, scope, codeOf(what), -n);
        const to = instead === undefined ? undefined : after.contacts.find((x) => contactKey(x) === instead);
        if (to) moved(to, scope, codeOf(what), n);
      }
    }
  }
  return [...out.values()];
}

/**
 * The increments as stored: the creditors' own, with the agency's difference to their sum as `~` corrections in the
 * first creditor's increment of that day (none when the agency's count is the creditors' sum, e.g. one creditor).
 */
export function storedIncrements(incs: readonly KpiIncrement[]): KpiIncrement[] {
  // one increment per scope and day (several events of one change add up into one UpdateItem)
  const merged = new Map<string, KpiIncrement>();
  for (const i of incs) {
    const k = `${i.scope}\u0000${i.day}`;
    const m = merged.get(k) ?? { scope: i.scope, day: i.day, add: {} };
    for (const [a, n] of Object.entries(i.add)) m.add[a] = (m.add[a] ?? 0) + n;
    merged.set(k, m);
  }
  const all = [...merged.values()];
  const out = all.filter((i) => i.scope !== AGENCY_SCOPE);
  for (const agency of all.filter((i) => i.scope === AGENCY_SCOPE)) {
    const same = out.filter((i) => i.day === agency.day && i.scope !== NO_CREDITOR_SCOPE).sort((a, b) => a.scope.localeCompare(b.scope));
    const diff: Record<string, number> = { ...agency.add };
    for (const c of same) for (const [k, n] of Object.entries(c.add)) if (!k.startsWith(AGENCY_CORRECTION)) diff[k] = (diff[k] ?? 0) - n;
    const corrections = Object.fromEntries(Object.entries(diff).filter(([, n]) => n !== 0).map(([k, n]) => [`${AGENCY_CORRECTION}${k}`, n]));
    if (!Object.keys(corrections).length) continue;
    const anchor = same[0];
    if (anchor) Object.assign(anchor.add, corrections);
    else out.push({ scope: NO_CREDITOR_SCOPE, day: agency.day, add: corrections });
  }
  return out.filter((i) => Object.values(i.add).some((n) => n !== 0));
}

/** One scope's counters from stored items: a creditor's own (`~` left out), or the agency's (every item, `~` added in). */
export function viewOf(items: Iterable<Record<string, unknown>>, agency: boolean): Record<string, number> {
  const acc: Record<string, number> = {};
  for (const item of items) {
    for (const [k, v] of Object.entries(item)) {
      if (typeof v !== 'number' || !k.includes('|')) continue;
      const correction = k.startsWith(AGENCY_CORRECTION);
      if (correction && !agency) continue;
      const name = correction ? k.slice(AGENCY_CORRECTION.length) : k;
      acc[name] = (acc[name] ?? 0) + v;
    }
  }
  return acc;
}

/** Experiment counters: per experiment, variant and exposure day. */
export interface ExperimentIncrement {
  experimentId: string;
  variant: string;
  day: string;
  add: Partial<Record<ExperimentCounter, number>>;
}
/** n exposed; successes per binary metric; payers, cents and the sum of squares of cents per debtor (60 days). */
export type ExperimentCounter = 'n' | 'reacted' | 'promised' | 'paid' | 'payers' | 'cents' | 'sq';

/** The experiment counters that changed between two versions of the case (exposures and outcomes). */
export function experimentIncrements(before: Pick<CaseState, 'experiments'>, after: Pick<CaseState, 'experiments'>): ExperimentIncrement[] {
  const out: ExperimentIncrement[] = [];
  for (const [id, a] of Object.entries(after.experiments ?? {})) {
    const b = before.experiments?.[id];
    const inc: ExperimentIncrement['add'] = {};
    if (!b) inc.n = 1;
    for (const k of ['reacted', 'promised', 'paid'] as const) if (a[k] && !b?.[k]) inc[k] = 1;
    const was = b?.cents ?? 0;
    const now = a.cents ?? 0;
    if (now !== was) {
      inc.cents = now - was;
      inc.sq = now * now - was * was;
      if (was === 0 && now > 0) inc.payers = 1;
      if (was > 0 && now === 0) inc.payers = -1; // all of it refunded or charged back
    }
    if (Object.keys(inc).length) out.push({ experimentId: id, variant: a.variant, day: localDate(new Date(a.at)), add: inc });
  }
  // left again (its contact was taken back): everything it counted is taken back too
  for (const [id, b] of Object.entries(before.experiments ?? {})) {
    if (after.experiments?.[id]) continue;
    const inc: ExperimentIncrement['add'] = { n: -1 };
    for (const k of ['reacted', 'promised', 'paid'] as const) if (b[k]) inc[k] = -1;
    if (b.cents) Object.assign(inc, { cents: -b.cents, sq: -(b.cents * b.cents), payers: -1 });
    out.push({ experimentId: id, variant: b.variant, day: localDate(new Date(b.at)), add: inc });
  }
  return out;
}

/** Channel list prices, cents per contact (config: CHANNEL_PRICES_CENTS, functions/shared/config.ts). */
export const DEFAULT_CHANNEL_PRICES: Readonly<Record<Channel, number>> = Object.freeze({ email: 1, sms: 8, whatsapp: 5, letter: 95, call: 350 });
