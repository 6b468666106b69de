/**
 * What every step of a decision looks at: the segment, the strategy's phases for it, where this journey is
 * (its contacts and the highest phase reached), the open and overdue claims, 14-day letter coverage, costs and
 * the channels that just failed. Built once per decision from the case's facts.
 */
import { addDays, localDate, localInstant } from '../calendar.js';
import type { CaseFacts, ContactFact, DossierFacts } from '../case/facts.js';
import { segmentWithEvidence, type SegmentEvidence } from '../segmentation.js';
import type { PhaseSpec, SegmentStrategy, Strategy } from '../strategy.js';
import { PHASES, type Channel, type Phase, isChannel, phaseIndex } from '../vocabulary.js';
import type { Decision } from '../decision.js';
import { type CostState, type CostUpdate, costState } from './costs.js';
import type { ArrangementChange } from '../case/events.js';
import { DAY, fmt, laterDays, plural } from './moment.js';

export type StrategyDecision = Decision & { segment: SegmentEvidence['segment']; segmentReasons: string[]; costs?: CostUpdate[]; arrangement?: ArrangementChange };

export const LETTER_PHASE = phaseIndex('fourteen_day_letter');

/** A contact of this journey with its phase known (replayed from the strategy for old data that lacks it). */
export type JourneyContact = ContactFact & { phase: Phase; t: number };

export interface DecideContext {
  facts: CaseFacts;
  strategy: Strategy;
  now: Date;
  t: number;
  today: string;
  seg: SegmentEvidence;
  /** the segment's phases that apply to this debtor */
  phases: PhaseSpec[];
  segmentSpec: SegmentStrategy;
  /** this journey's contacts, oldest first */
  journey: JourneyContact[];
  /** index in PHASES of the highest phase this journey reached, -1 before the first contact */
  reached: number;
  lastContact?: JourneyContact;
  open: DossierFacts[];
  overdue: DossierFacts[];
  /** the journey runs for a consumer (some claim needs the 14-day letter) */
  consumer: boolean;
  /** overdue consumer claims without a 14-day letter yet */
  uncovered: DossierFacts[];
  costs: CostState;
  /** channels that failed since the last contact, less than a day ago */
  failed: Set<Channel>;
}

const inArrangement = (f: CaseFacts, dossierId: string) =>
  (f.arrangement?.status === 'active' || f.arrangement?.status === 'completed') && f.arrangement.dossierIds.includes(dossierId);

/** Does this dossier need the 14-day letter before demands and costs (consumer claims, DESIGN §5 rule 3)? */
export const needsLetter = (ctx: Pick<DecideContext, 'facts'>, d: DossierFacts): boolean => d.consumer ?? ctx.facts.debtor.consumer;

export function decideContext(facts: CaseFacts, strategy: Strategy, now: Date): DecideContext {
  const t = now.getTime();
  const today = localDate(now);
  const seg = segmentWithEvidence(facts, now);
  const phases = phasesFor(seg.segment, facts.debtor.consumer, strategy);
  // Arrangement messages (offers asked for, instalment reminders) are no step of the collection sequence.
  const journey = withPhases(facts.journey.contacts.filter((c) => !c.aside), phases);
  const reached = journey.reduce((m, c) => Math.max(m, phaseIndex(c.phase)), -1);
  const open = facts.dossiers.filter((d) => d.status === 'open');
  const overdue = open.filter((d) => d.dueDate < today);
  const ctx = { facts } as const;
  const lastContact = journey.at(-1);
  return {
    facts,
    strategy,
    now,
    t,
    today,
    seg,
    phases,
    segmentSpec: strategy.segments[seg.segment],
    journey,
    reached,
    lastContact,
    open,
    overdue,
    consumer: facts.debtor.consumer,
    uncovered: overdue.filter((d) => needsLetter(ctx, d) && !d.letter),
    // Claims in an arrangement in force (or completed) carry the costs the arrangement set (the Wki rule).
    costs: costState(open.filter((d) => !inArrangement(facts, d.dossierId)), now, (d) => needsLetter(ctx, d)),
    failed: failedChannels(facts, lastContact, t),
  };
}

/** The strategy phases that apply to this debtor and segment. */
export function phasesFor(segment: SegmentEvidence['segment'], consumer: boolean, strategy: Strategy): PhaseSpec[] {
  return strategy.segments[segment].phases.filter((p) => {
    if (p.phase === 'fourteen_day_letter' && !consumer) return false;
    if (p.phase === 'handover' && (!strategy.allowHandover || segment === 'cannot_pay' || segment === 'vulnerable')) return false;
    return true;
  });
}

/** Contacts without a recorded phase get the phase the strategy would have given them (old data only). */
function withPhases(contacts: readonly ContactFact[], phases: readonly PhaseSpec[]): JourneyContact[] {
  const counts = new Map<Phase, number>();
  let pos = 0;
  return contacts.map((c) => {
    let phase = c.phase;
    if (!phase) {
      while (pos < phases.length - 1 && (counts.get(phases[pos].phase) ?? 0) >= phases[pos].maxContacts) pos++;
      phase = phases[pos]?.phase ?? 'reminder';
    } else {
      const i = phases.findIndex((s) => phaseIndex(s.phase) >= phaseIndex(phase!));
      if (i >= 0) pos = Math.max(pos, i);
    }
    counts.set(phase, (counts.get(phase) ?? 0) + 1);
    return { ...c, phase, t: Date.parse(c.at) };
  });
}

/**
 * Channels that failed since the last successful contact are avoided for a day. A permanent problem (bounce,
 * dead number, no address) is in debtor.unusable; a transient one (outage, interrupted send) is retried later.
 */
function failedChannels(facts: CaseFacts, lastContact: JourneyContact | undefined, t: number): Set<Channel> {
  const failed = new Set<Channel>();
  if (facts.lastError?.channel && isChannel(facts.lastError.channel)) failed.add(facts.lastError.channel);
  for (const f of facts.journey.failures) {
    const at = Date.parse(f.at);
    if (lastContact && at < lastContact.t) continue;
    if (t - at >= DAY) continue;
    failed.add(f.channel);
  }
  return failed;
}

// ---- small questions the steps ask ----------------------------------------------------------------------

export const phaseSpec = (ctx: DecideContext, p: Phase): PhaseSpec | undefined => ctx.phases.find((s) => s.phase === p);
export const contactsIn = (ctx: DecideContext, p: Phase): JourneyContact[] => ctx.journey.filter((c) => c.phase === p);

/** When the next phase may start: escalateAfterDays after the last contact of the phase reached. */
export function escalationGap(ctx: DecideContext): { from: number; days: number; what: string } | undefined {
  if (ctx.reached < 0) return undefined;
  const lastMain = ctx.journey.filter((c) => phaseIndex(c.phase) === ctx.reached).at(-1)!;
  const spec = phaseSpec(ctx, PHASES[ctx.reached]) ?? [...ctx.phases].reverse().find((s) => phaseIndex(s.phase) < ctx.reached) ?? ctx.phases[0];
  return {
    from: lastMain.t,
    days: spec.escalateAfterDays,
    what: `${plural(spec.escalateAfterDays, 'day')} after the last ${PHASES[ctx.reached]} contact (${fmt(lastMain.t)})`,
  };
}

/** The first contact of a journey is due the day after the claims fall due, and not before they arrived here. */
export function firstDue(dossiers: readonly DossierFacts[]): number {
  const overdueStart = Math.min(...dossiers.map((d) => localInstant(addDays(d.dueDate, 1), 0).getTime()));
  const arrived = Math.min(...dossiers.map((d) => Date.parse(d.createdAt)));
  return Math.max(overdueStart, Number.isFinite(arrived) ? arrived : overdueStart);
}

/** The dossiers a contact in `phase` may be about: after the 14-day letter phase only those it covers. */
export function readyFor(ctx: DecideContext, dossiers: readonly DossierFacts[], phase: Phase): DossierFacts[] {
  if (phaseIndex(phase) <= LETTER_PHASE) return [...dossiers];
  return dossiers.filter((d) => !needsLetter(ctx, d) || d.letter !== undefined);
}

export { laterDays };
