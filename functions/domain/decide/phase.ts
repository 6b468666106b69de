/**
 * Decide, step "phase": the next contact of the journey — which phase, which contact of it, which tone, which
 * dossiers, when it is due — or the end of the journey when every phase is done.
 *
 *  - The next contact is in the first phase at or after the phase reached that still has contacts left and a
 *    usable channel. The journey never goes back to an earlier phase.
 *  - Hold: when the segment changed during this journey to one whose phases stop earlier (a "kan niet betalen"
 *    reply), its last phase is used again — that phase's messages and tone, no further escalation.
 *  - Vulnerable debtors: moving to a later phase needs a person (an agent's call outcome).
 *  - Consumers: no demand, final notice or hand-over before the 14-day letter and its term (DESIGN §5 rule 3).
 */
import { localInstant, nextContactMoment } from '../calendar.js';
import type { DossierFacts } from '../case/facts.js';
import type { PhaseSpec } from '../strategy.js';
import { toneFor } from '../strategy.js';
import { PHASES, type Channel, type Phase, type Tone, phaseIndex } from '../vocabulary.js';
import { type ChannelMode, channelFor, channelProblem, chooseChannel } from './channel.js';
import {
  type DecideContext,
  LETTER_PHASE,
  type StrategyDecision,
  contactsIn,
  escalationGap,
  firstDue,
  needsLetter,
  phaseSpec,
  readyFor,
} from './context.js';
import { DAY, fmt, laterDays, plural } from './moment.js';

/** How many call tasks a vulnerable debtor's escalation waits for before the journey stops for a person. */
export const VULNERABLE_MAX_CALL_TASKS = 2;

export interface Step {
  spec: PhaseSpec;
  phase: Phase;
  /** 0-based number of this contact within its phase */
  contactNo: number;
  /** the number of contacts this step counts towards */
  of: number;
  tone: Tone;
  /** when it is due (ms), before timing rules */
  due: number;
  why: string[];
  dossiers: DossierFacts[];
  /** channel problems met while choosing */
  channelWhy: string[];
  channel: Channel;
}

export interface Pick {
  step?: Step;
  /** phases passed over, and why */
  skipped: string[];
  /** set when the step holds the segment's last phase after a segment change */
  holdSince?: number;
}

/** A decision that ends the step pipeline early (wait or done). */
export type Early = Extract<StrategyDecision, { kind: 'wait' | 'done' }>;

export function base(ctx: DecideContext) {
  return { segment: ctx.seg.segment, segmentReasons: ctx.seg.reasons };
}

export function done(ctx: DecideContext, reason: string, reasons: string[], dossierStatus?: 'handed_over' | 'debt_help'): Early {
  return { kind: 'done', reason, ...(dossierStatus ? { dossierStatus } : {}), reasons, ...base(ctx) };
}

export function wait(ctx: DecideContext, until: Date | number, reasons: string[]): Early {
  return { kind: 'wait', until: new Date(until), reasons, ...base(ctx) };
}

// ---------------------------------------------------------------------------------------------------
// The next contact
// ---------------------------------------------------------------------------------------------------

export function nextStep(ctx: DecideContext): Pick {
  const skipped: string[] = [];
  for (const spec of ctx.phases) {
    const step = entryOf(ctx, spec, skipped);
    if (step) return { step, skipped };
  }
  const held = holdLastPhase(ctx, skipped);
  return held ? { step: held.step, skipped, holdSince: held.since } : { skipped };
}

/** The next contact in `spec`'s phase, if the phase is not behind the journey, has contacts left and a channel. */
function entryOf(ctx: DecideContext, spec: PhaseSpec, skipped: string[]): Step | undefined {
  const index = phaseIndex(spec.phase);
  if (index < ctx.reached) return undefined;
  const contactNo = index === ctx.reached ? contactsIn(ctx, spec.phase).length : 0;
  if (contactNo >= spec.maxContacts) return undefined;
  let mode: ChannelMode = 'normal';
  let dossiers = ctx.overdue;
  if (spec.phase === 'fourteen_day_letter') {
    if (contactNo === 0) {
      if (ctx.uncovered.length === 0) {
        skipped.push('14-day letter: already sent for every open claim');
        return undefined;
      }
      mode = 'letter';
      dossiers = ctx.uncovered;
    } else {
      // the reminders inside the letter's term are about the claims it covers, while their term runs: a reminder
      // of a term that has ended would contradict the costs now charged (DESIGN §5 rule 12)
      mode = 'no-letter';
      const covered = ctx.overdue.filter((d) => d.letter !== undefined);
      dossiers = covered.filter((d) => (ctx.costs.costsFrom.get(d.dossierId) ?? ctx.today) > ctx.today);
      if (covered.length > 0 && dossiers.length === 0) skipped.push("14-day letter reminder skipped: the letter's term has ended");
      if (dossiers.length === 0) return undefined;
    }
  }
  const choice = channelFor(spec, contactNo, ctx.facts.debtor, ctx.failed, mode);
  if (!choice.channel) {
    skipped.push(`${spec.phase} skipped: no usable channel (${choice.reasons.join(', ')})`);
    return undefined;
  }
  const { due, why } = dueOf(ctx, spec, contactNo, dossiers);
  return { spec, phase: spec.phase, contactNo, of: spec.maxContacts, tone: toneFor(spec, contactNo), due, why, dossiers, channelWhy: choice.reasons, channel: choice.channel };
}

/** When contact `contactNo` of a phase is due: the journey's start, the phase's cadence, or the escalation delay. */
function dueOf(ctx: DecideContext, spec: PhaseSpec, contactNo: number, dossiers: readonly DossierFacts[]): { due: number; why: string[] } {
  if (ctx.journey.length === 0) return { due: firstDue(dossiers), why: ['first contact of the journey'] };
  if (contactNo > 0) {
    const prev = contactsIn(ctx, spec.phase).at(-1)!;
    return { due: laterDays(prev.t, spec.cadenceDays), why: [`${plural(spec.cadenceDays, 'day')} after the previous ${spec.phase} contact (${fmt(prev.t)})`] };
  }
  const gap = escalationGap(ctx)!;
  return { due: laterDays(gap.from, gap.days), why: [`next phase ${gap.what}`] };
}

/** The segment changed during this journey to one whose phases stop earlier: its last phase again, no escalation. */
function holdLastPhase(ctx: DecideContext, skipped: string[]): { step: Step; since: number } | undefined {
  const { seg, phases, journey } = ctx;
  if (!seg.since || phases.length === 0 || journey.length === 0 || Date.parse(seg.since) <= journey[0].t) return undefined;
  const last = phases[phases.length - 1];
  if (last.phase === 'handover') return undefined;
  const since = Date.parse(seg.since);
  const held = journey.filter((c) => c.t >= since && c.phase === last.phase);
  if (held.length >= last.maxContacts) return undefined;
  const choice = channelFor(last, held.length, ctx.facts.debtor, ctx.failed, last.phase === 'fourteen_day_letter' ? 'no-letter' : 'normal');
  if (!choice.channel) {
    skipped.push(`${last.phase} skipped: no usable channel (${choice.reasons.join(', ')})`);
    return undefined;
  }
  const prev = held.at(-1);
  return {
    since,
    step: {
      spec: last,
      phase: last.phase,
      contactNo: held.length,
      of: last.maxContacts,
      tone: toneFor(last, held.length),
      due: prev ? laterDays(prev.t, last.cadenceDays) : since,
      why: [
        `segment ${seg.segment} since ${fmt(since)}: no further escalation, ${last.phase} messages instead`,
        prev ? `${plural(last.cadenceDays, 'day')} after the previous one (${fmt(prev.t)})` : 'reacting to the change at once',
      ],
      dossiers: readyFor(ctx, ctx.overdue, last.phase),
      channelWhy: choice.reasons,
      channel: choice.channel,
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Vulnerable debtors: a person before every escalation
// ---------------------------------------------------------------------------------------------------

export function vulnerableGate(ctx: DecideContext, step: Step, holdSince: number | undefined): Step | Early {
  if (ctx.seg.segment !== 'vulnerable' || holdSince !== undefined || ctx.reached < 0 || phaseIndex(step.phase) <= ctx.reached) return step;
  const current = PHASES[ctx.reached];
  const entered = ctx.journey.find((c) => c.phase === current)!.t;
  const human = ctx.facts.signals.callOutcomes.find((c) => Date.parse(c.at) > entered && Date.parse(c.at) <= ctx.t);
  const spec = phaseSpec(ctx, current) ?? step.spec;
  // the escalation delay runs from the phase's own last contact, not from the call task
  const own = contactsIn(ctx, current);
  const lastOwn = own.filter((c) => c.channel !== 'call').at(-1) ?? own.at(-1)!;
  const escalateAt = laterDays(lastOwn.t, spec.escalateAfterDays);
  if (human) {
    const decidedAt = Date.parse(human.at);
    return {
      ...step,
      due: Math.max(escalateAt, decidedAt),
      why: [
        `vulnerable debtor: an agent spoke with the debtor on ${fmt(decidedAt)} (${human.outcome.replace(/_/g, ' ')}), so the journey may move on`,
        `${plural(spec.escalateAfterDays, 'day')} after the last ${current} contact (${fmt(lastOwn.t)})`,
      ],
    };
  }
  const calls = ctx.journey.filter((c) => c.channel === 'call' && c.t > entered);
  const prev = calls.at(-1);
  if (calls.length >= VULNERABLE_MAX_CALL_TASKS) {
    const giveUp = laterDays(prev!.t, spec.cadenceDays);
    const reasons = [`${plural(calls.length, 'call task')} since ${fmt(entered)} without an outcome from an agent`, `the journey does not move to ${step.phase} without a person`];
    if (giveUp > ctx.t) return wait(ctx, giveUp, [...reasons, `waiting for the last call task until ${fmt(giveUp)}`]);
    return done(ctx, 'needs a human decision (vulnerable debtor)', reasons);
  }
  const choice = chooseChannel(['call'], ctx.facts.debtor, ctx.failed);
  if (!choice.channel) {
    return done(ctx, 'needs a human decision (vulnerable debtor)', [`no call task possible: ${choice.reasons.join(', ')}`, `the journey does not move to ${step.phase} without a person`]);
  }
  const n = contactsIn(ctx, current).length;
  return {
    spec,
    phase: current,
    contactNo: n,
    of: n + 1,
    tone: toneFor(spec, n),
    due: prev ? laterDays(prev.t, spec.cadenceDays) : escalateAt,
    why: [
      `vulnerable debtor: an agent calls before the journey moves to ${step.phase}`,
      prev ? `${plural(spec.cadenceDays, 'day')} after the previous call task (${fmt(prev.t)})` : `${plural(spec.escalateAfterDays, 'day')} after the last ${current} contact (${fmt(lastOwn.t)})`,
    ],
    dossiers: readyFor(ctx, ctx.overdue, current),
    channelWhy: [],
    channel: 'call',
  };
}

// ---------------------------------------------------------------------------------------------------
// Consumers: the 14-day letter before any demand
// ---------------------------------------------------------------------------------------------------

export function letterGate(ctx: DecideContext, step: Step): Step | Early {
  if (!ctx.consumer || phaseIndex(step.phase) <= LETTER_PHASE) return step;
  let gated = step;
  if (ctx.uncovered.length) {
    const letter = letterFirst(ctx, step);
    if ('kind' in letter) return letter;
    gated = letter;
  }
  if (gated.phase === 'fourteen_day_letter') return gated;
  return afterTheTerm(ctx, gated);
}

/** A claim without its 14-day letter gets the letter first; without a usable address the demand waits or stops. */
function letterFirst(ctx: DecideContext, step: Step): Step | Early {
  const { facts, uncovered, failed } = ctx;
  const letterSpec = phaseSpec(ctx, 'fourteen_day_letter');
  const ids = uncovered.map((d) => d.dossierId).join(', ');
  if (letterSpec && !channelProblem('letter', facts.debtor, failed, true)) {
    const lastContact = ctx.lastContact;
    return {
      spec: letterSpec,
      phase: 'fourteen_day_letter',
      contactNo: 0,
      of: 1,
      tone: toneFor(letterSpec, 0),
      due: Math.max(firstDue(uncovered), lastContact ? laterDays(lastContact.t, 1) : 0),
      why: [`the 14-day letter comes before any ${step.phase}: not yet sent for ${ids}`],
      dossiers: uncovered,
      channelWhy: [],
      channel: 'letter',
    };
  }
  if (letterSpec && !channelProblem('letter', facts.debtor, undefined, true)) {
    // The letter is possible; only its last attempt failed (a provider outage, an interrupted send):
    // the 14-day letter is required, so try it again the next day instead of giving up on the journey.
    const retryAt = nextContactMoment(new Date(ctx.t + DAY)).at;
    return wait(ctx, retryAt, [`the 14-day letter failed on a recent attempt${facts.lastError ? ` (${facts.lastError.error})` : ''}; trying again ${fmt(retryAt.getTime())}`]);
  }
  if (step.dossiers.filter((d) => !needsLetter(ctx, d) || d.letter !== undefined).length === 0) {
    return done(ctx, 'no usable postal address for the 14-day letter', [
      `${channelProblem('letter', facts.debtor, failed, true) ?? 'no 14-day letter phase in this segment'}: no ${step.phase} without the 14-day letter (${ids})`,
    ]);
  }
  return { ...step, why: [...step.why, `not for ${ids}: no 14-day letter possible (${channelProblem('letter', facts.debtor, failed, true)})`] };
}

/** A demand about covered claims waits for the end of their 14-day term (receipt + the term, Atw). */
function afterTheTerm(ctx: DecideContext, step: Step): Step {
  const covered = step.dossiers.filter((d) => !needsLetter(ctx, d) || d.letter !== undefined);
  const firstFrom = covered
    .map((d) => ctx.costs.costsFrom.get(d.dossierId))
    .filter((x): x is string => x !== undefined)
    .sort()[0];
  const out = { ...step, dossiers: covered, why: [...step.why] };
  if (firstFrom) {
    const from = localInstant(firstFrom, 0).getTime();
    if (from > out.due) {
      out.due = from;
      const d0 = covered.find((d) => ctx.costs.costsFrom.get(d.dossierId) === firstFrom)!;
      out.why.push(`14-day term: letter received ${ctx.costs.receipt.get(d0.dossierId)}, no ${step.phase} before ${firstFrom}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The end
// ---------------------------------------------------------------------------------------------------

/** Every phase is done: end after the last phase's escalation delay, handing over after a hand-over notice. */
export function journeyEnd(ctx: DecideContext, skipped: string[]): Early {
  const { journey, phases, lastContact, segmentSpec } = ctx;
  if (journey.length === 0) return done(ctx, 'no usable channel left', skipped.length ? skipped : ['no phase to run']);
  const handover = journey.some((c) => c.phase === 'handover') && phases.some((s) => s.phase === 'handover');
  const lastSpec = phaseSpec(ctx, lastContact!.phase) ?? phases[phases.length - 1];
  const endAt = laterDays(lastContact!.t, lastSpec.escalateAfterDays);
  const what = handover ? 'hand-over' : `end (${segmentSpec.end.reason})`;
  const reasons = [...skipped, `all phases for segment ${ctx.seg.segment} done; ${what} ${plural(lastSpec.escalateAfterDays, 'day')} after the last contact (${fmt(lastContact!.t)})`];
  if (endAt > ctx.t) return wait(ctx, endAt, reasons);
  if (handover) return done(ctx, 'handed over: no payment after the hand-over notice', reasons, 'handed_over');
  return done(ctx, segmentSpec.end.reason, reasons);
}
