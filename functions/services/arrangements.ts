/**
 * Payment arrangements outside the journey's own steps: the offer made in the answer to a reply ("ik wil een
 * regeling", "ik kan niet betalen"), and accepting a plan — by replying the option's number to the offer, or on the
 * debtor page. The plan is recomputed from today, written to the case through the reducer (arrangement_accepted,
 * with the Wki cost cap), put on the timeline with the costs' reason, and the journey woken: it then sends no
 * collection messages while the arrangement runs.
 *
 * What a claim owes comes from domain/case/amounts.ts (principal, costs and interest after the art. 6:44 BW
 * allocation), the same figures the views, the messages and the payments show.
 */
import { type Arrangement, type PlanOption, acceptedArrangement, planDossierOf, proposePlans } from '../domain/arrangements.js';
import { accrualStop, claimAmounts } from '../domain/case/amounts.js';
import type { CaseEvent } from '../domain/case/events.js';
import { type CaseState, type ClaimRecord, claimsOf, factsOf } from '../domain/case/state.js';
import { localDate } from '../domain/calendar.js';
import { IncomeSourceSchema } from '../domain/payday.js';
import { arrangementRulesFor } from '../domain/strategy.js';
import { appendEvents, type NewEvent } from '../store/timeline.js';
import { mutateCase } from './case.js';
import { wakeJourney } from './journeys.js';
import { costEvents } from './records.js';
import { currentStrategy } from './strategy-source.js';

/** What a claim still owes today (art. 6:44 BW allocation, interest where the creditor claims it). */
export const owedOn = (c: CaseState, d: ClaimRecord, now: Date): number => claimAmounts(d, localDate(now), { stopAccrualOn: accrualStop(c) }).outstanding;

/**
 * The open claims with something owed, in the order the page lists them (claim-1, claim-2, …); `creditors`: only
 * those creditors' claims (the claims the message with the page link was about).
 */
export const openClaims = (c: CaseState, now: Date, creditors?: readonly string[]): ClaimRecord[] =>
  claimsOf(c).filter((d) => d.status === 'open' && (!creditors || creditors.includes(d.clientId)) && owedOn(c, d, now) > 0);

const incomeOf = (c: CaseState) => {
  const r = IncomeSourceSchema.safeParse(factsOf(c).debtor.incomeSource);
  return r.success ? r.data : ({ type: 'unknown' } as const);
};

const planDossiers = (c: CaseState, claims: readonly ClaimRecord[], now: Date) => claims.map((d) => planDossierOf(d, localDate(now), accrualStop(c)));

/** Is the open offer about exactly claims among `claims` (so a page or reply about them may take it)? */
const offerWithin = (c: CaseState, claims: readonly ClaimRecord[]): boolean =>
  c.arrangement?.status === 'proposed' && (c.arrangement.options?.length ?? 0) > 0 && c.arrangement.dossierIds.every((id) => claims.some((d) => d.dossierId === id));

/** The plans for `claims` now: the stored offer's when one is open for them, else new ones. */
export function plansFor(c: CaseState, now: Date, claims: readonly ClaimRecord[] = openClaims(c, now)): PlanOption[] {
  if (offerWithin(c, claims)) return c.arrangement!.options!;
  return proposePlans(planDossiers(c, claims, now), arrangementRulesFor(currentStrategy(), [...new Set(claims.map((d) => d.clientId))]), incomeOf(c), localDate(now));
}

/**
 * The offer for the claims a reply is about, as an event for the reply's own write: the answer shows it, and the
 * journey (which sees an offer made since the request) sends no second one. Nothing while an arrangement runs or when
 * no plan fits.
 */
export function offerEvents(c: CaseState, dossierIds: readonly string[], now: Date, id: string): CaseEvent[] {
  if (c.arrangement?.status === 'active') return [];
  const claims = openClaims(c, now).filter((d) => dossierIds.includes(d.dossierId));
  if (claims.length === 0) return [];
  const options = proposePlans(planDossiers(c, claims, now), arrangementRulesFor(currentStrategy(), [...new Set(claims.map((d) => d.clientId))]), incomeOf(c), localDate(now));
  if (options.length === 0) return [];
  const at = now.toISOString();
  const arrangement: Arrangement = { id, status: 'proposed', dossierIds: claims.map((d) => d.dossierId), weights: {}, proposedAt: at, options, instalments: [], reminders: [] };
  return [{ type: 'arrangement_offered', at, arrangement }];
}

export type Acceptance = ReturnType<typeof acceptedArrangement> & { chosen: number };

/**
 * The events that accept option `chosen` (1-based) for `claims` (default: every open claim), or undefined when there
 * is no such option or an arrangement runs already. The open offer's plans when it is about those claims.
 */
export function acceptanceEvents(c: CaseState, chosen: number, now: Date, claims: readonly ClaimRecord[] = openClaims(c, now)): { events: CaseEvent[]; accepted: Acceptance } | undefined {
  if (c.arrangement?.status === 'active') return undefined;
  const option = plansFor(c, now, claims)[chosen - 1];
  if (!option) return undefined;
  const offered = offerWithin(c, claims) ? c.arrangement! : undefined;
  const dossiers = claims.filter((d) => !offered || offered.dossierIds.includes(d.dossierId));
  if (dossiers.length === 0) return undefined;
  const at = now.toISOString();
  const accepted = acceptedArrangement({
    id: offered ? offered.id : `arr-${c.journey.journeyNo}-p${c.eventSeq}`,
    dossiers: planDossiers(c, dossiers, now),
    months: option.months,
    chosen,
    income: incomeOf(c),
    today: localDate(now),
    at,
    ...(offered ? { proposedAt: offered.proposedAt } : {}),
  });
  return {
    events: [{ type: 'arrangement_accepted', at, arrangement: accepted.arrangement, ...(accepted.costs.length ? { costs: accepted.costs } : {}) }],
    accepted: { ...accepted, chosen },
  };
}

/** The timeline entries of an accepted plan: what was agreed and the costs the Wki rule set. */
export function acceptanceTimeline(accepted: Acceptance, via: 'reply' | 'page', at: string): NewEvent[] {
  const a = accepted.arrangement;
  return [
    {
      eventId: `arr-accepted-${a.id}`,
      at,
      type: 'arrangement',
      detail: `Payment arrangement accepted ${via === 'reply' ? 'by reply' : 'on the payment page'}: option ${accepted.chosen}, ${a.instalments.length} instalments (${a.instalments.map((i) => `${i.amount} cents on ${i.dueDate}`).join(', ')}); ${a.costsReason}. No collection messages while it runs.`,
      dossierIds: a.dossierIds,
      data: { arrangement: 'active', chosen: accepted.chosen, via },
    },
    ...costEvents(accepted.costs, at),
  ];
}

/** Accepts option `chosen` (1-based) on the page for `claims`; false when there is no such option (or an arrangement runs already). */
export async function acceptOption(caseId: string, chosen: number, now: Date, known?: CaseState, creditors?: readonly string[]): Promise<boolean> {
  let accepted: Acceptance | undefined;
  const m = await mutateCase(
    caseId,
    now,
    (c) => {
      const r = acceptanceEvents(c, chosen, now, openClaims(c, now, creditors));
      accepted = r?.accepted;
      return r?.events;
    },
    known,
  );
  if (!m?.changed || !accepted) return false;
  await appendEvents(caseId, acceptanceTimeline(accepted, 'page', now.toISOString()));
  await wakeJourney(m.after, 'arrangement accepted');
  return true;
}
