/**
 * Payment arrangements (issue 9): plans proposed from what is owed, the creditors' limits and the debtor's payday;
 * an offer accepted by replying its number; payments allocated to instalments in order; what the journey does for
 * an active arrangement (a reminder before each due date, one after a missed one, a breach after the grace period).
 * Pure: no AWS, no clock — dates and `now` are passed in.
 *
 * Collection costs in an arrangement follow the Wki small-instalment rule (DESIGN §5 rule 6) through the one
 * function that applies it to instalment claims as well (costs.ts instalmentClaimCosts): a monthly amount below
 * €266.67 caps the costs at €40 per instalment and €140 per six months. What a claim still owes — principal, costs
 * and statutory interest after the art. 6:44 BW allocation of its payments — comes from case/amounts.ts, the one
 * allocation rule of the case.
 */
import { addDays, localDate, workingDayOnOrAfter } from './calendar.js';
import { type ClaimMoney, claimAmounts } from './case/amounts.js';
import { instalmentClaimCosts } from './costs.js';
import { splitCents } from './decide/costs.js';
import { euro } from './money.js';
import { type IncomeSource, paydayOnOrAfter } from './payday.js';

export const ARRANGEMENT_STATUSES = ['proposed', 'active', 'completed', 'breached', 'cancelled'] as const;
export type ArrangementStatus = (typeof ARRANGEMENT_STATUSES)[number];

/** The creditors' limits (strategy file defaults, per-client overrides) and the journey's timing for instalments. */
export interface ArrangementRules {
  /** at most this many monthly instalments */
  maxMonths: number;
  /** no instalment below this (cents) */
  minInstalmentCents: number;
  /** the plan lengths offered, in months (the feasible ones, at most three) */
  options: number[];
  /** the reminder goes this many days before a due date */
  reminderDaysBefore: number;
  /** an instalment unpaid this many days after its due date breaches the arrangement */
  graceDays: number;
}

export interface PlannedInstalment {
  dueDate: string;
  amount: number;
}

export interface PlanOption {
  months: number;
  /** the first (largest) instalment; the others are equal or a cent less */
  monthly: number;
  total: number;
  /** collection costs inside the plan (after the Wki cap) */
  costs: number;
  costsReason: string;
  instalments: PlannedInstalment[];
}

export interface Instalment extends PlannedInstalment {
  paidAmount: number;
  status: 'open' | 'paid';
}

/** The arrangement as the case keeps it. */
export interface Arrangement {
  id: string;
  status: ArrangementStatus;
  dossierIds: string[];
  /** what each dossier contributes to the plan's total (cents): its share of every instalment */
  weights: Record<string, number>;
  proposedAt: string;
  /** proposed: the options offered ("1", "2", "3") */
  options?: PlanOption[];
  acceptedAt?: string;
  /** which option (1-based) */
  chosen?: number;
  instalments: Instalment[];
  costsReason?: string;
  /** reminders sent: "<instalment no>:before" and "<instalment no>:missed" */
  reminders: string[];
  endedAt?: string;
  reason?: string;
}

/** A claim as a plan reads it: what it still owes today (art. 6:44 BW allocation, interest included). */
export interface PlanDossier {
  dossierId: string;
  /** principal + costs + interest still open */
  outstanding: number;
  /** the collection costs charged (incl. VAT), paid or not */
  costs: number;
  /** principal still open */
  principal: number;
  /** the costs include VAT (the creditor cannot deduct it) */
  vat?: boolean;
}

/** A claim's plan figures on `day` (Europe/Amsterdam), from case/amounts.ts. */
export function planDossierOf(d: ClaimMoney & { dossierId: string; vatOnCosts?: boolean }, day: string, stopAccrualOn?: string): PlanDossier {
  const a = claimAmounts(d, day, stopAccrualOn ? { stopAccrualOn } : {});
  return { dossierId: d.dossierId, outstanding: a.outstanding, costs: d.costs, principal: a.open.principal, ...(d.vatOnCosts ? { vat: true } : {}) };
}

const outstanding = (d: PlanDossier) => Math.max(0, d.outstanding);

/**
 * The Wki small-instalment cap on the costs of an `months`-month plan of `monthly` a month on `principal`
 * (costs.ts instalmentClaimCosts: the WIK scale, capped at €40 per instalment and €140 per six months below
 * €266.67 a month); `costs` only ever goes down.
 */
export function planCosts(costs: number, monthly: number, months: number, principal: number, vat = false): { costs: number; reason: string } {
  if (costs === 0) return { costs: 0, reason: 'no collection costs charged' };
  if (monthly <= 0 || principal <= 0) return { costs, reason: `the costs stay ${euro(costs)}` };
  const c = instalmentClaimCosts({ monthlyAmountCents: monthly, overdueInstalments: months, overdueCents: principal, vat });
  if (c.capCents === null) return { costs, reason: `monthly amount ${euro(monthly)} is €266.67 or more: the costs stay ${euro(costs)}` };
  const capped = Math.min(costs, c.total);
  return {
    costs: capped,
    reason: `Wki small-instalment rule: ${c.reason}; ${capped < costs ? `costs lowered from ${euro(costs)} to ${euro(capped)}` : `the costs of ${euro(costs)} stay below it`}`,
  };
}

/** The due dates of `months` instalments: the working day after each expected payday, the first at least 3 days away. */
export function dueDates(income: IncomeSource, today: string, months: number): string[] {
  const out: string[] = [];
  let from = addDays(today, 2);
  for (let k = 0; k < months; k++) {
    const payday = paydayOnOrAfter(income, from).date;
    const due = workingDayOnOrAfter(addDays(payday, 1));
    out.push(due);
    from = addDays(payday, 20);
  }
  return out;
}

/** One plan of `months` instalments, or why it does not fit the limits. */
export function planOf(dossiers: readonly PlanDossier[], months: number, income: IncomeSource, today: string): PlanOption {
  const owed = dossiers.reduce((s, d) => s + outstanding(d), 0);
  const costs = dossiers.reduce((s, d) => s + d.costs, 0);
  const principal = dossiers.reduce((s, d) => s + d.principal, 0);
  const guess = Math.ceil(owed / months);
  const c = planCosts(costs, guess, months, principal, dossiers.some((d) => d.vat === true));
  const total = Math.max(0, owed - (costs - c.costs));
  const amounts = splitCents(total, Array.from({ length: months }, () => 1));
  const dates = dueDates(income, today, months);
  return { months, monthly: amounts[0], total, costs: c.costs, costsReason: c.reason, instalments: dates.map((dueDate, i) => ({ dueDate, amount: amounts[i] })) };
}

/**
 * Two or three feasible plans for what is owed: the strategy's plan lengths within maxMonths whose instalments are at
 * least minInstalmentCents; when none fits, the longest plan that keeps the minimum instalment (at least 2 months).
 * Empty when even two instalments would fall below the minimum (pay at once instead).
 */
export function proposePlans(dossiers: readonly PlanDossier[], rules: ArrangementRules, income: IncomeSource, today: string): PlanOption[] {
  const owed = dossiers.reduce((s, d) => s + outstanding(d), 0);
  if (owed === 0) return [];
  const lengths = [...new Set(rules.options)].filter((n) => n >= 2 && n <= rules.maxMonths).sort((a, b) => a - b);
  let plans = lengths.map((n) => planOf(dossiers, n, income, today)).filter((p) => p.instalments.at(-1)!.amount >= rules.minInstalmentCents);
  if (plans.length === 0) {
    const n = Math.min(rules.maxMonths, Math.floor(owed / rules.minInstalmentCents));
    if (n >= 2) plans = [planOf(dossiers, n, income, today)];
  }
  return plans.slice(0, 3);
}

/** The arrangement's weights: what each dossier contributes, so every instalment is split per dossier in cents. */
export function weightsOf(dossiers: readonly PlanDossier[], plan: PlanOption): Record<string, number> {
  const shares = splitCents(plan.total, dossiers.map(outstanding));
  return Object.fromEntries(dossiers.map((d, i) => [d.dossierId, shares[i]]));
}

/** The cost each dossier carries in the plan (the capped total split by principal still open), for cost updates. */
export function costsPerDossier(dossiers: readonly PlanDossier[], plan: PlanOption): Array<{ dossierId: string; costs: number }> {
  const current = dossiers.reduce((s, d) => s + d.costs, 0);
  if (plan.costs >= current) return [];
  const shares = splitCents(plan.costs, dossiers.map((d) => d.costs));
  return dossiers.map((d, i) => ({ dossierId: d.dossierId, costs: shares[i] })).filter((x, i) => x.costs !== dossiers[i].costs);
}

/** Splits `amount` over the arrangement's dossiers by their weights (the parts add up exactly). */
export function splitOverDossiers(a: Pick<Arrangement, 'dossierIds' | 'weights'>, amount: number): Array<{ dossierId: string; amount: number }> {
  const parts = splitCents(amount, a.dossierIds.map((id) => a.weights[id] ?? 0));
  return a.dossierIds.map((dossierId, i) => ({ dossierId, amount: parts[i] })).filter((p) => p.amount > 0);
}

/**
 * One dossier's share of every instalment (what a creditor sees of the plan), split on the running totals so the
 * shares add up to exactly the dossier's weight.
 */
export function shareOf(a: Pick<Arrangement, 'dossierIds' | 'weights' | 'instalments'>, dossierId: string): Instalment[] {
  const i = a.dossierIds.indexOf(dossierId);
  const weights = a.dossierIds.map((id) => a.weights[id] ?? 0);
  let amount = 0;
  let paid = 0;
  let prevAmount = 0;
  let prevPaid = 0;
  return a.instalments.map((inst) => {
    amount += inst.amount;
    paid += inst.paidAmount;
    const cumAmount = splitCents(amount, weights)[i] ?? 0;
    const cumPaid = splitCents(paid, weights)[i] ?? 0;
    const out = { ...inst, amount: Math.max(0, cumAmount - prevAmount), paidAmount: Math.max(0, cumPaid - prevPaid) };
    prevAmount = cumAmount;
    prevPaid = cumPaid;
    return out;
  });
}

/**
 * Allocates a payment to instalments in order (the oldest unpaid first); what is left after the last instalment is
 * returned (a surplus on the dossiers, shown as refundDue there).
 */
export function allocateToInstalments(instalments: readonly Instalment[], amount: number): { instalments: Instalment[]; left: number } {
  let left = amount;
  const out = instalments.map((inst) => {
    if (left <= 0 || inst.paidAmount >= inst.amount) return inst;
    const take = Math.min(left, inst.amount - inst.paidAmount);
    left -= take;
    const paidAmount = inst.paidAmount + take;
    return { ...inst, paidAmount, status: paidAmount >= inst.amount ? ('paid' as const) : inst.status };
  });
  return { instalments: out, left };
}

/** Takes a refunded or charged-back amount back from the instalments, the latest paid first; they reopen. */
export function reverseFromInstalments(instalments: readonly Instalment[], amount: number): Instalment[] {
  let left = amount;
  const out = [...instalments];
  for (let i = out.length - 1; i >= 0 && left > 0; i--) {
    const take = Math.min(left, out[i].paidAmount);
    if (take === 0) continue;
    left -= take;
    out[i] = { ...out[i], paidAmount: out[i].paidAmount - take, status: 'open' };
  }
  return out;
}

/** The instalment a reminder or a link is about: the first one not fully paid (1-based number), if any. */
export function firstUnpaid(a: Pick<Arrangement, 'instalments'>): { no: number; instalment: Instalment } | undefined {
  const i = a.instalments.findIndex((x) => x.paidAmount < x.amount);
  return i < 0 ? undefined : { no: i + 1, instalment: a.instalments[i] };
}

/** What an instalment still needs (cents). */
export const due = (inst: Instalment): number => Math.max(0, inst.amount - inst.paidAmount);

/**
 * What the journey does about an active arrangement at `today` (Europe/Amsterdam date):
 *   remind   a reminder before the due date (from dueDate − reminderDaysBefore), once per instalment;
 *   missed   a reminder after a missed due date, once;
 *   breach   still unpaid graceDays after the due date: the arrangement is breached, the journey resumes;
 *   wait     nothing to do until `from` (a date: the next reminder day or the day after the due date / grace);
 *   complete every instalment is paid.
 */
export type ArrangementStep =
  | { kind: 'complete' }
  | { kind: 'wait'; from: string; why: string }
  | { kind: 'remind' | 'missed'; no: number; instalment: Instalment; key: string; why: string }
  | { kind: 'breach'; no: number; instalment: Instalment; reason: string };

export function arrangementStep(a: Arrangement, rules: Pick<ArrangementRules, 'reminderDaysBefore' | 'graceDays'>, today: string): ArrangementStep {
  const next = firstUnpaid(a);
  if (!next) return { kind: 'complete' };
  const { no, instalment } = next;
  const what = `instalment ${no} of ${a.instalments.length} (${euro(due(instalment))} due ${instalment.dueDate})`;
  const remindFrom = addDays(instalment.dueDate, -rules.reminderDaysBefore);
  if (today <= instalment.dueDate) {
    if (today < remindFrom) return { kind: 'wait', from: remindFrom, why: `arrangement active: reminder for ${what} from ${remindFrom}` };
    if (!a.reminders.includes(`${no}:before`)) return { kind: 'remind', no, instalment, key: `${no}:before`, why: `arrangement active: reminder ${rules.reminderDaysBefore} days before ${what}` };
    return { kind: 'wait', from: addDays(instalment.dueDate, 1), why: `arrangement active: ${what}, reminder sent` };
  }
  const breachOn = addDays(instalment.dueDate, rules.graceDays + 1);
  if (today >= breachOn) {
    return { kind: 'breach', no, instalment, reason: `arrangement breached: ${what} still unpaid ${rules.graceDays} days after its due date` };
  }
  if (!a.reminders.includes(`${no}:missed`)) return { kind: 'missed', no, instalment, key: `${no}:missed`, why: `arrangement active: ${what} missed, a reminder within the ${rules.graceDays}-day grace period` };
  return { kind: 'wait', from: breachOn, why: `arrangement active: ${what} missed and reminded; breached on ${breachOn} unless paid` };
}

/** Is this arrangement the one in force (no collection messages while it runs)? */
export const isActive = (a: Pick<Arrangement, 'status'> | undefined): boolean => a?.status === 'active';

/** Number words and ordinals a choice may use ("twee", "de tweede", "2e", "the second", "2nd"). */
const CHOICE_WORDS: Record<string, number> = {
  een: 1, één: 1, eerste: 1, '1e': 1, '1ste': 1, one: 1, first: 1, '1st': 1,
  twee: 2, tweede: 2, '2e': 2, '2de': 2, two: 2, second: 2, '2nd': 2,
  drie: 3, derde: 3, '3e': 3, '3de': 3, three: 3, third: 3, '3rd': 3,
};
const CHOICE = new RegExp(
  '^(?:(?:ik\\s+(?:kies|neem|wil)|doe\\s+maar|graag|i\\s+(?:choose|pick|take|want)|i\\W?ll\\s+take)\\s+)?' +
    '(?:(?:de|het|the)\\s+)?' +
    '(?:(?:optie|option|plan|keuze|choice|nummer|number|nr\\.?|no\\.?|regeling)\\s*)?' +
    `([1-9]|${Object.keys(CHOICE_WORDS).join('|')})` +
    '(?:\\s+(?:optie|option|plan|keuze|one|graag|please|pls|alstublieft|aub|svp|a\\.u\\.b\\.?))?' +
    '\\s*[.!)]*\\s*$',
  'iu',
);

/**
 * The option a reply picks from an open offer: "2", "optie 2", "plan 2.", "2!", "de tweede", "ik kies 2", "the
 * first one" → 2, 2, 2, 2, 2, 2, 1 (1-based); anything else, or a number the offer does not have, picks nothing (the
 * reply is then classified as usual).
 */
export function offerChoice(text: string, offer: Pick<Arrangement, 'status' | 'options'> | undefined): number | undefined {
  if (offer?.status !== 'proposed' || !offer.options?.length) return undefined;
  const m = CHOICE.exec(text.trim().replace(/\s+/g, ' '));
  if (!m) return undefined;
  const word = m[1].toLowerCase();
  const n = /^[1-9]$/.test(word) ? Number(word) : CHOICE_WORDS[word];
  return n !== undefined && n >= 1 && n <= offer.options.length ? n : undefined;
}

/** The instalments of an accepted option. */
export function instalmentsOf(plan: PlanOption): Instalment[] {
  return plan.instalments.map((i) => ({ ...i, paidAmount: 0, status: 'open' as const }));
}

/** Today in Europe/Amsterdam (the calendar rules' day). */
export const todayOf = (now: Date): string => localDate(now);

/**
 * The arrangement in force after the debtor chose option `chosen` (1-based) of `options`: the plan recomputed from
 * today (so due dates are never in the past), its weights per dossier and the cost updates the Wki cap asks for.
 */
export function acceptedArrangement(input: {
  id: string;
  dossiers: readonly PlanDossier[];
  months: number;
  chosen: number;
  income: IncomeSource;
  today: string;
  at: string;
  proposedAt?: string;
}): { arrangement: Arrangement; costs: Array<{ dossierId: string; costs: number; reason: string }> } {
  const plan = planOf(input.dossiers, input.months, input.income, input.today);
  return {
    arrangement: {
      id: input.id,
      status: 'active',
      dossierIds: input.dossiers.map((d) => d.dossierId),
      weights: weightsOf(input.dossiers, plan),
      proposedAt: input.proposedAt ?? input.at,
      acceptedAt: input.at,
      chosen: input.chosen,
      instalments: instalmentsOf(plan),
      costsReason: plan.costsReason,
      reminders: [],
    },
    costs: costsPerDossier(input.dossiers, plan).map((c) => ({ ...c, reason: `payment arrangement of ${plan.months} instalments: ${plan.costsReason}` })),
  };
}
