/**
 * The decision: what the journey does next for one debtor — send on a channel now, wait until a moment, or end —
 * with the segment, its reasons, and the collection costs the dossiers should now carry. Pure: the case's
 * bounded facts and `now` in, a decision out. The steps, in order:
 *
 *   stops  (stops.ts)    debt relief, nothing open, nothing overdue yet
 *   phase  (phase.ts)    the next contact: phase, contact number, tone, dossiers, due moment — or the end;
 *                        the vulnerable-debtor gate and the 14-day letter gate
 *   channel (channel.ts) the first usable channel of the phase's order (chosen inside the phase step)
 *   experiment (experiment.ts)  the debtor's variant of an experiment on tone, template, channel order, timing or
 *                        cadence — after the strategy's choice, before every rule check below
 *   moment (moment.ts)   promise grace, the frequency cap, payday timing, contact hours and days
 *   costs  (costs.ts)    WIK costs after the 14-day term, attached to whatever the decision is
 *
 * A send's nextDecisionAt is when the next step would be due if nothing happens: the decision is run once more
 * with this contact recorded, so the journey wakes exactly then.
 */
import { addDays, isContactAllowed, localInstant } from '../calendar.js';
import { type CaseFacts, recordContact } from '../case/facts.js';
import type { Strategy } from '../strategy.js';
import { PHASES, phaseIndex } from '../vocabulary.js';
import type { ArrangementChange } from '../case/events.js';
import { type DecideContext, LETTER_PHASE, type StrategyDecision, decideContext } from './context.js';
import { afterFrequencyCap, afterGrace, firstAllowed, fmt, isLean, schedule, windowFor } from './moment.js';
import { type Early, type Step, base, journeyEnd, letterGate, nextStep, vulnerableGate, wait } from './phase.js';
import { notOverdueYet, stopFor } from './stops.js';
import { type AsideSend, arrangementOutcome, asideDecision, offerFor } from './arrangement.js';
import { arrangementAfter } from '../case/events.js';
import { euro } from '../money.js';
import { type ExperimentInputs, type ExperimentPick, type ExperimentStep, applyExperiments, eligible } from './experiment.js';

const eligibleFor = (ctx: DecideContext, id: string, step: Step): boolean => {
  const x = ctx.strategy.experiments?.find((e) => e.id === id);
  return x !== undefined && eligible(x, ctx, step);
};

export type { StrategyDecision };
export type { CostUpdate } from './costs.js';
export { splitCents } from './costs.js';
export { channelProblem } from './channel.js';
export { VULNERABLE_MAX_CALL_TASKS } from './phase.js';
export type { ExperimentInputs, ExperimentPick } from './experiment.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The next step for the debtor under the strategy (and its experiments: `experiments` is the bandits' state). */
export function decide(facts: CaseFacts, strategy: Strategy, now: Date, experiments?: ExperimentInputs): StrategyDecision {
  return decideAt(facts, strategy, now, true, experiments);
}

function decideAt(facts: CaseFacts, strategy: Strategy, now: Date, lookahead: boolean, inputs?: ExperimentInputs): StrategyDecision {
  let ctx = decideContext(facts, strategy, now);
  const stop = stopFor(ctx);
  if (stop) return stop;
  const arrangement = arrangementOutcome(ctx);
  if (arrangement.kind === 'early') return ctx.costs.updates.length ? { ...arrangement.decision, costs: ctx.costs.updates } : arrangement.decision;
  if (arrangement.kind === 'send') {
    const d = sendAside(ctx, arrangement.send, lookahead, inputs);
    return ctx.costs.updates.length ? { ...d, costs: ctx.costs.updates } : d;
  }
  let breach: string | undefined;
  if (arrangement.kind === 'breached') {
    // The journey resumes where it stands; the breach goes into the log and, with the decision, onto the case.
    breach = arrangement.reason;
    ctx = decideContext({ ...facts, arrangement: { ...facts.arrangement!, status: 'breached', endedAt: now.toISOString(), reason: breach } }, strategy, now);
  }
  // The cost updates travel with whatever the decision is, and the decision log names the rule behind each.
  const costReasons = ctx.costs.updates.map((u) => `costs ${u.dossierId}: ${euro(u.costs)} (${u.reason})`);
  const withCosts = <D extends StrategyDecision>(d: D): D => {
    const out = ctx.costs.updates.length ? { ...d, costs: ctx.costs.updates, reasons: [...d.reasons, ...costReasons] } : d;
    return breach ? { ...out, reasons: [breach, 'the journey resumes where it stands', ...out.reasons], arrangement: settled(facts, { ...(out.arrangement ?? {}), breach }, now) } : out;
  };

  const early = notOverdueYet(ctx);
  if (early) return withCosts(early);

  const pick = nextStep(ctx);
  let step: Step | undefined = pick.step;
  let experiment: { picks: ExperimentPick[]; why: string[]; templateVariant?: string; step?: Step } = { picks: [], why: [] };
  if (step) {
    const applied = applyExperiments(ctx, step, pick.holdSince, inputs);
    step = applied.step;
    experiment = { picks: applied.picks, why: applied.why, templateVariant: applied.step.templateVariant, step };
  }
  for (const gate of [(s: Step) => vulnerableGate(ctx, s, pick.holdSince), (s: Step) => letterGate(ctx, s)]) {
    if (!step) break;
    const gated: Step | Early = gate(step);
    if ('kind' in gated) return withCosts(gated);
    step = gated;
  }
  if (!step) return withCosts(journeyEnd(ctx, pick.skipped));

  // A gate that replaced the step (the 14-day letter first, an agent's call) carries no variant: nobody joins an
  // experiment with it, and only the experiments the debtor is in already and that cover its phase tag it.
  const same = (a: Step, b: Step | undefined) => b !== undefined && a.phase === b.phase && a.channel === b.channel && a.tone === b.tone && a.contactNo === b.contactNo;
  const kept = same(step, experiment.step) ? experiment : { why: [], picks: experiment.picks.filter((p) => !p.assigned && eligibleFor(ctx, p.experimentId, step!)) };
  const timed = timing(ctx, step, [...pick.skipped, ...kept.why]);
  if ('kind' in timed) return withCosts(timed);
  return withCosts(sendNow(ctx, step, timed, [...pick.skipped, ...kept.why], lookahead, kept, inputs));
}

interface Timed {
  target: { at: Date; reasons: string[] };
  why: string[];
  label: string;
}

/** The moment for a due step: later when a promise, the frequency cap, payday timing or the calendar say so. */
function timing(ctx: DecideContext, step: Step, skipped: string[]): Timed | Early {
  const { strategy, now, t, today } = ctx;
  const why = [...step.why];
  let due = step.due;
  const grace = afterGrace(due, ctx.facts.signals, strategy);
  due = grace.due;
  if (grace.why) why.push(grace.why);
  const cap = afterFrequencyCap(due, ctx.facts.contacts.map((c) => Date.parse(c.at)), strategy);
  due = cap.due;
  if (cap.why) why.push(cap.why);
  const target = schedule(new Date(due), step.spec, ctx.facts.debtor, strategy);
  const label = `phase ${step.phase}, contact ${step.contactNo + 1} of ${step.of}, ${step.tone} tone`;
  if (target.at.getTime() > t) {
    return wait(ctx, target.at, [`next: ${label} by ${step.channel}, at ${fmt(target.at)} Europe/Amsterdam`, ...skipped, ...why, ...target.reasons]);
  }
  const w = windowFor(strategy, step.spec);
  if (!isContactAllowed(now, w) || isLean(today, strategy)) {
    const m = firstAllowed(now, w, strategy);
    return wait(ctx, m.at, [`next: ${label} by ${step.channel}, due now but not allowed now`, ...skipped, ...why, ...m.reasons.map((r) => `moved: ${r}`)]);
  }
  return { target, why, label };
}

/** Send now: the dossiers whose term has passed, the template, the reasons, and when to look again. */
function sendNow(
  ctx: DecideContext,
  step: Step,
  timed: Timed,
  skipped: string[],
  lookahead: boolean,
  experiment: { picks: ExperimentPick[]; templateVariant?: string },
  inputs: ExperimentInputs | undefined,
): StrategyDecision {
  const { facts, t, today } = ctx;
  const stepNo = facts.journey.stepNo + 1;
  const termMatters = step.phase !== 'fourteen_day_letter' && ctx.consumer && phaseIndex(step.phase) > LETTER_PHASE;
  const dossiers = termMatters ? step.dossiers.filter((d) => (ctx.costs.costsFrom.get(d.dossierId) ?? today) <= today) : step.dossiers;
  if (dossiers.length === 0) {
    const from = step.dossiers.map((d) => ctx.costs.costsFrom.get(d.dossierId) ?? today).sort()[0] ?? addDays(today, 1);
    return wait(ctx, localInstant(from > today ? from : addDays(today, 1), 0), [`next: ${timed.label}: no claim has passed its 14-day term yet`]);
  }
  // Cannot pay: the next message offers a plan and the debt-help referral, never the friendly "vergeten?" reminder.
  let tone = step.tone;
  let offer: ReturnType<typeof offerFor>;
  if (ctx.seg.segment === 'cannot_pay') {
    offer = step.channel === 'sms' || step.channel === 'email' ? offerFor(ctx, stepNo, false, dossiers) : undefined;
    // No offer in a message now (WhatsApp and the letter have no offer template; no unasked offer within 30 days
    // of a breach): the friendly reminder asks "vergeten?", the neutral one not. An agent's call stays friendly.
    if (!offer && tone === 'friendly' && step.channel !== 'call') tone = 'neutral';
  }
  const template = offer ? `${step.channel}/arrangement_offer/${tone}` : `${step.channel}/${step.phase}/${tone}`;
  const late = t - timed.target.at.getTime() > 60_000 ? [`due since ${fmt(timed.target.at)}`] : [];
  const reasons = [`segment ${ctx.seg.segment}: ${timed.label}`, ...skipped, ...timed.why, ...timed.target.reasons, ...late, ...step.channelWhy, `channel ${step.channel}`];
  if (step.channel === 'call') reasons.push('a call task for an agent');
  if (offer) reasons.push(`cannot pay: an arrangement offer with the debt-help referral (${offer.options.map((o) => `${o.months} months`).join(', ')})`);
  const dossierIds = dossiers.map((d) => d.dossierId);
  const change = offer ? { proposed: offer.arrangement } : undefined;
  const nextDecisionAt = lookahead ? nextMoment(ctx, { ...step, tone }, stepNo, dossierIds, { picks: experiment.picks, inputs, ...(change ? { change } : {}) }) : new Date(t + DAY);
  const termEndDate = offer ? undefined : followUpTermEnd(ctx, step, dossiers);
  if (termEndDate) reasons.push(`states the 14-day letter's term end ${termEndDate} (costs from the day after)`);
  return {
    kind: 'send',
    stepNo,
    channel: step.channel,
    phase: step.phase,
    tone,
    ...(offer ? { topic: 'arrangement_offer' as const, arrangement: { proposed: offer.arrangement } } : {}),
    language: languageOf(ctx, dossiers),
    template,
    dossierIds,
    nextDecisionAt,
    reasons,
    ...(experiment.picks.length ? { experiments: experiment.picks } : {}),
    ...(experiment.templateVariant && (step as ExperimentStep).templateVariant === experiment.templateVariant ? { templateVariant: experiment.templateVariant } : {}),
    ...(termEndDate ? { termEndDate } : {}),
    ...base(ctx),
  };
}

/**
 * A message in the 14-day letter's phase that is not the letter itself follows it up: it states the letter's term
 * end instead of a term of its own (templates: "betaal uiterlijk op …"). The date is the last day before costs may
 * be charged — the Atw-extended term, or a later term an earlier message stated — so the message never states a
 * term the costs are not charged on. About claims of several letters: the latest of their term ends (recorded on
 * every claim of the message, so no claim's costs come before the day the message named).
 */
function followUpTermEnd(ctx: DecideContext, step: Step, dossiers: readonly { dossierId: string }[]): string | undefined {
  if (step.phase !== 'fourteen_day_letter' || step.channel === 'letter') return undefined;
  return dossiers
    .map((d) => ctx.costs.termEnd.get(d.dossierId))
    .filter((x): x is string => x !== undefined)
    .sort()
    .at(-1);
}

/**
 * When the journey should look again if nothing happens after this send: the moment its next step is due. A
 * wait that only leads to another wait (the segment moves with the debt's age, a term runs out) is followed
 * through, so the journey wakes when there is something to do.
 */
function nextMoment(
  ctx: DecideContext,
  step: Pick<Step, 'channel' | 'phase' | 'tone'>,
  stepNo: number,
  dossierIds: string[],
  opts: { picks?: ExperimentPick[]; inputs?: ExperimentInputs; change?: ArrangementChange; aside?: boolean },
): Date {
  const { picks = [], inputs, change, aside } = opts;
  // the debtor is in the experiments this contact assigns, as the case will hold them
  const experiments = picks.length ? { ...ctx.facts.experiments, ...Object.fromEntries(picks.map((p) => [p.experimentId, p.variant])) } : ctx.facts.experiments;
  const recorded = recordContact(
    { ...ctx.facts, lastError: undefined, ...(experiments ? { experiments } : {}) },
    { at: ctx.now.toISOString(), channel: step.channel, phase: step.phase, tone: step.tone, stepNo, journeyNo: ctx.facts.journey.journeyNo, dossierIds, ...(aside ? { aside: true } : {}) },
  );
  const after: CaseFacts = { ...recorded, ...arrangementAfter(recorded, change, ctx.now.toISOString()) };
  let next = decideAt(after, ctx.strategy, ctx.now, false, inputs);
  if (next.kind === 'done') return new Date(ctx.t + HOUR);
  if (next.kind !== 'wait') return new Date(ctx.t + DAY);
  let at = next.until;
  for (let i = 0; i < FOLLOW_WAITS; i++) {
    next = decideAt(after, ctx.strategy, at, false, inputs);
    if (next.kind !== 'wait' || next.until.getTime() <= at.getTime()) break;
    at = next.until;
  }
  return at;
}

/** An arrangement message now (an offer asked for, an instalment reminder). */
function sendAside(ctx: DecideContext, s: AsideSend, lookahead: boolean, inputs: ExperimentInputs | undefined): StrategyDecision {
  const stepNo = ctx.facts.journey.stepNo + 1;
  const phase = ctx.reached >= 0 ? PHASES[ctx.reached] : 'reminder';
  const open = ctx.open.filter((d) => s.dossierIds.includes(d.dossierId));
  const change = settled(ctx.facts, s.change, ctx.now);
  const next = lookahead ? nextMoment(ctx, { channel: s.channel, phase, tone: s.tone }, stepNo, s.dossierIds, { inputs, change, aside: true }) : new Date(ctx.t + DAY);
  return asideDecision(ctx, { ...s, change }, stepNo, next, languageOf(ctx, open.length ? open : ctx.open));
}

/**
 * A change with the arrangement as it will be after it (`proposed`), so the state that carries the decision out
 * writes it without reading the case (its write is conditional on nothing having happened since the decision).
 */
function settled(facts: CaseFacts, change: ArrangementChange, now: Date): ArrangementChange {
  const after = arrangementAfter(facts, change, now.toISOString()).arrangement;
  return after ? { ...change, proposed: after } : change;
}

/** How many waits in a row nextMoment follows (each is one more pure decision). */
const FOLLOW_WAITS = 3;

/** The message's language: the one given with the most recent of its claims, else the debtor's. */
function languageOf(ctx: DecideContext, dossiers: readonly { language?: CaseFacts['debtor']['language']; createdAt: string }[]) {
  const latest = [...dossiers].filter((d) => d.language).sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1);
  return latest?.language ?? ctx.facts.debtor.language;
}

