/**
 * Decide, step "arrangement" (issue 9), right after the stops:
 *  - an arrangement in force: no collection messages; a reminder before each instalment's due date, one after a
 *    missed one, and after the grace period the breach — the journey then resumes where it stands, with the breach
 *    in the decision log (and on the case: the decision carries it like its costs);
 *  - a debtor who just asked for an arrangement ("ik wil een regeling") gets the offer at once (inside contact hours);
 *  - a cannot_pay debtor's next message is the offer with the debt-help referral (see `offerFor`), never "vergeten?".
 * Arrangement messages go by SMS, e-mail or WhatsApp, inside the legal contact hours and days.
 */
import { isContactAllowed, localInstant, nextContactMoment } from '../calendar.js';
import { type Arrangement, type ArrangementStep, type PlanOption, arrangementStep, planDossierOf, proposePlans } from '../arrangements.js';
import type { DossierFacts } from '../case/facts.js';
import type { ArrangementChange } from '../case/events.js';
import { IncomeSourceSchema } from '../payday.js';
import { arrangementRulesFor } from '../strategy.js';
import { PHASES, type Channel, type Phase, type Tone, type Topic } from '../vocabulary.js';
import { chooseChannel } from './channel.js';
import type { DecideContext, StrategyDecision } from './context.js';
import { fmt } from './moment.js';
import { base, type Early, wait } from './phase.js';

/** The channels arrangement messages go on, in this order. */
export const ARRANGEMENT_CHANNELS: readonly Channel[] = ['sms', 'email', 'whatsapp'];

export interface AsideSend {
  topic: Topic;
  tone: Tone;
  channel: Channel;
  dossierIds: string[];
  reasons: string[];
  change: ArrangementChange;
}

export type ArrangementOutcome =
  | { kind: 'none' }
  | { kind: 'early'; decision: Early }
  | { kind: 'send'; send: AsideSend }
  /** the arrangement is breached: decide on as the journey would, with this in the log */
  | { kind: 'breached'; reason: string };

const rulesOf = (ctx: DecideContext, dossierIds: readonly string[]) =>
  arrangementRulesFor(ctx.strategy, [...new Set(ctx.facts.dossiers.filter((d) => dossierIds.includes(d.dossierId)).map((d) => d.clientId))]);

const incomeOf = (ctx: DecideContext) => {
  const r = IncomeSourceSchema.safeParse(ctx.facts.debtor.incomeSource);
  return r.success ? r.data : ({ type: 'unknown' } as const);
};

/** The phase an arrangement message is recorded under: the journey's current one. */
export const currentPhase = (ctx: DecideContext): Phase => (ctx.reached >= 0 ? PHASES[ctx.reached] : 'reminder');

/** After a breach no new plan is offered unasked for this long (the agency's agents may still agree one). */
export const NO_OFFER_AFTER_BREACH_DAYS = 30;

/**
 * The plans to offer for `claims` (the message's, by default every open claim) now, and the proposed arrangement
 * that records them. Not within NO_OFFER_AFTER_BREACH_DAYS of a breach, unless the debtor asked for one since.
 */
export function offerFor(ctx: DecideContext, stepNo: number, asked = false, claims: readonly DossierFacts[] = ctx.open): { arrangement: Arrangement; options: PlanOption[] } | undefined {
  const dossiers = claims.map((d) => planDossierOf(d, ctx.today)).filter((d) => d.outstanding > 0);
  if (dossiers.length === 0) return undefined;
  const a = ctx.facts.arrangement;
  if (!asked && a?.status === 'breached' && a.endedAt && ctx.t - Date.parse(a.endedAt) < NO_OFFER_AFTER_BREACH_DAYS * 86_400_000) return undefined;
  const ids = dossiers.map((d) => d.dossierId);
  const options = proposePlans(dossiers, rulesOf(ctx, ids), incomeOf(ctx), ctx.today);
  if (options.length === 0) return undefined;
  return {
    options,
    arrangement: { id: `arr-${ctx.facts.journey.journeyNo}-${stepNo}`, status: 'proposed', dossierIds: ids, weights: {}, proposedAt: ctx.now.toISOString(), options, instalments: [], reminders: [] },
  };
}

/** Not now (outside contact hours or on a Sunday/holiday): the first allowed moment. */
function allowedNow(ctx: DecideContext): Early | undefined {
  if (isContactAllowed(ctx.now)) return undefined;
  const m = nextContactMoment(ctx.now);
  return wait(ctx, m.at, [`arrangement message due now, but not allowed now: moved to ${fmt(m.at)}`]);
}

function channelOrWait(ctx: DecideContext): { channel?: Channel; why: string[] } {
  const choice = chooseChannel(ARRANGEMENT_CHANNELS, ctx.facts.debtor, ctx.failed);
  return { channel: choice.channel, why: choice.reasons };
}

export function arrangementOutcome(ctx: DecideContext): ArrangementOutcome {
  const a = ctx.facts.arrangement;
  if (a?.status === 'active') return activeOutcome(ctx, a);
  // A request for an arrangement (reply or call) since the last offer: the offer at once.
  const st = ctx.facts.signals.latestStatement;
  const asked = st && (st.code === 'arrangement' || st.code === 'arrangement_requested');
  // Answered already: an offer made (also in the answer to the reply) or a plan accepted since the request.
  const offeredSince = a !== undefined && Math.max(Date.parse(a.proposedAt), Date.parse(a.acceptedAt ?? '') || 0) >= Date.parse(st?.at ?? '');
  if (asked && !offeredSince && ctx.open.length) {
    const early = allowedNow(ctx);
    if (early) return { kind: 'early', decision: early };
    const { channel, why } = channelOrWait(ctx);
    if (!channel) return { kind: 'none' };
    const offer = offerFor(ctx, ctx.facts.journey.stepNo + 1, true);
    if (!offer) return { kind: 'none' };
    return {
      kind: 'send',
      send: {
        topic: 'arrangement_offer',
        tone: 'friendly',
        channel,
        dossierIds: offer.arrangement.dossierIds,
        reasons: [`the debtor asked for a payment arrangement on ${fmt(Date.parse(st.at))}: the offer at once`, ...offer.options.map((o, i) => `option ${i + 1}: ${o.months} × about €${(o.monthly / 100).toFixed(2)}; ${o.costsReason}`), ...why, `channel ${channel}`],
        change: { proposed: offer.arrangement },
      },
    };
  }
  return { kind: 'none' };
}

function activeOutcome(ctx: DecideContext, a: Arrangement): ArrangementOutcome {
  const rules = rulesOf(ctx, a.dossierIds);
  const step: ArrangementStep = arrangementStep(a, rules, ctx.today);
  switch (step.kind) {
    case 'complete':
      return { kind: 'none' };
    case 'breach':
      return { kind: 'breached', reason: step.reason };
    case 'wait': {
      const at = nextContactMoment(localInstant(step.from, 0)).at;
      return { kind: 'early', decision: wait(ctx, at, [step.why, 'no collection messages while the arrangement runs']) };
    }
    case 'remind':
    case 'missed': {
      const early = allowedNow(ctx);
      if (early) return { kind: 'early', decision: { ...early, reasons: [step.why, ...early.reasons] } };
      const { channel, why } = channelOrWait(ctx);
      const open = a.dossierIds.filter((id) => ctx.open.some((d) => d.dossierId === id));
      if (!channel || open.length === 0) {
        // No way to remind: the arrangement still runs; look again after the due date.
        const at = nextContactMoment(localInstant(step.instalment.dueDate, 0)).at;
        return { kind: 'early', decision: wait(ctx, Math.max(at.getTime(), ctx.t + 86_400_000), [step.why, `no channel for the reminder (${why.join(', ')})`]) };
      }
      return {
        kind: 'send',
        send: {
          topic: step.kind === 'remind' ? 'instalment_reminder' : 'instalment_missed',
          tone: step.kind === 'remind' ? 'friendly' : 'neutral',
          channel,
          dossierIds: open,
          reasons: [step.why, 'no collection messages while the arrangement runs', ...why, `channel ${channel}`],
          change: { remind: step.key },
        },
      };
    }
  }
}

/** The send decision of an arrangement message (stepNo and the look-ahead are the caller's). */
export function asideDecision(ctx: DecideContext, s: AsideSend, stepNo: number, nextDecisionAt: Date, language: Extract<StrategyDecision, { kind: 'send' }>['language']): StrategyDecision {
  const phase = currentPhase(ctx);
  return {
    kind: 'send',
    stepNo,
    channel: s.channel,
    phase,
    tone: s.tone,
    language,
    template: `${s.channel}/${s.topic}/${s.tone}`,
    dossierIds: s.dossierIds,
    nextDecisionAt,
    reasons: [`segment ${ctx.seg.segment}: ${s.topic.replace(/_/g, ' ')}`, ...s.reasons],
    topic: s.topic,
    aside: true,
    arrangement: s.change,
    ...base(ctx),
  };
}
