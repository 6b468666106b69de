/**
 * Accepting a payment arrangement — by replying the option's number to the offer, or on the debtor page. The plan is
 * recomputed from today, written to the case through the reducer (arrangement_accepted, with the Wki cost cap), put
 * on the timeline with the costs' reason, and the journey woken: it then sends no collection messages while the
 * arrangement runs.
 */
import { acceptedArrangement, offerChoice, proposePlans } from '../domain/arrangements.js';
import { type CaseState, type ClaimRecord, claimsOf, factsOf } from '../domain/case/state.js';
import { localDate } from '../domain/calendar.js';
import { IncomeSourceSchema } from '../domain/payday.js';
import { arrangementRulesFor } from '../domain/strategy.js';
import { appendEvents, type NewEvent } from '../store/timeline.js';
import { loadCase, mutateCase } from './case.js';
import { wakeJourney } from './journeys.js';
import { costEvents } from './records.js';
import { currentStrategy } from './strategy-source.js';

/** The open claims the page lists, in the order it lists them (claim-1, claim-2, …). */
export const openClaims = (c: CaseState): ClaimRecord[] => claimsOf(c).filter((d) => d.status === 'open' && d.principal + d.costs - d.paid > 0);

const incomeOf = (c: CaseState) => {
  const r = IncomeSourceSchema.safeParse(factsOf(c).debtor.incomeSource);
  return r.success ? r.data : ({ type: 'unknown' } as const);
};

/** The plans the page offers now (the stored offer's, when one is open). */
export function plansFor(c: CaseState, now: Date) {
  if (c.arrangement?.status === 'proposed' && c.arrangement.options?.length) return c.arrangement.options;
  const open = openClaims(c);
  return proposePlans(open, arrangementRulesFor(currentStrategy(), [...new Set(open.map((d) => d.clientId))]), incomeOf(c), localDate(now));
}

/** Accepts option `chosen` (1-based); false when there is no such option (or an arrangement runs already). */
export async function acceptOption(caseId: string, chosen: number, via: 'reply' | 'page', now: Date, known?: CaseState): Promise<boolean> {
  const at = now.toISOString();
  let accepted: ReturnType<typeof acceptedArrangement> | undefined;
  const m = await mutateCase(
    caseId,
    now,
    (c) => {
      accepted = undefined;
      if (c.arrangement?.status === 'active') return undefined;
      const option = plansFor(c, now)[chosen - 1];
      if (!option) return undefined;
      const offered = c.arrangement?.status === 'proposed' ? c.arrangement.dossierIds : undefined;
      const dossiers = openClaims(c).filter((d) => !offered || offered.includes(d.dossierId));
      if (dossiers.length === 0) return undefined;
      accepted = acceptedArrangement({
        id: c.arrangement?.status === 'proposed' ? c.arrangement.id : `arr-${c.journey.journeyNo}-p${c.eventSeq}`,
        dossiers,
        months: option.months,
        chosen,
        income: incomeOf(c),
        today: localDate(now),
        at,
        ...(c.arrangement?.status === 'proposed' ? { proposedAt: c.arrangement.proposedAt } : {}),
      });
      return [{ type: 'arrangement_accepted', at, arrangement: accepted.arrangement, ...(accepted.costs.length ? { costs: accepted.costs } : {}) }];
    },
    known,
  );
  if (!m?.changed || !accepted) return false;
  const a = accepted.arrangement;
  const events: NewEvent[] = [
    {
      eventId: `arr-accepted-${a.id}`,
      at,
      type: 'arrangement',
      detail: `Payment arrangement accepted ${via === 'reply' ? 'by reply' : 'on the payment page'}: option ${chosen}, ${a.instalments.length} instalments (${a.instalments.map((i) => `${i.amount} cents on ${i.dueDate}`).join(', ')}); ${a.costsReason}. No collection messages while it runs.`,
      dossierIds: a.dossierIds,
      data: { arrangement: 'active', chosen, via },
    },
    ...costEvents(accepted.costs, at),
  ];
  await appendEvents(caseId, events);
  await wakeJourney(m.after, 'arrangement accepted');
  return true;
}

/**
 * A reply that picks an option of the open offer ("1", "2", "3") accepts it — checked before the reply is
 * classified (domain/arrangements.ts offerChoice). True when it did; the reply is then on the timeline as that choice.
 */
export async function acceptOfferByReply(caseId: string, msg: { MessageSid: string; Body: string }, channel: 'sms' | 'whatsapp', at: string, now: Date): Promise<boolean> {
  const c = await loadCase(caseId, now);
  const chosen = offerChoice(msg.Body, c?.arrangement);
  if (!c || chosen === undefined) return false;
  const dossierIds = c.arrangement!.dossierIds;
  if (!(await acceptOption(caseId, chosen, 'reply', now, c))) return false;
  await appendEvents(caseId, [
    { eventId: `in-${msg.MessageSid}`, at, type: 'replied', channel, detail: `Debtor chose option ${chosen} of the payment arrangement offer`, dossierIds, text: msg.Body.slice(0, 1600), intent: 'arrangement', data: { intent: 'arrangement', choice: chosen } },
  ]);
  return true;
}
