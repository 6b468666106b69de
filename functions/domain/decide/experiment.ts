/**
 * Decide, step "experiment": after the strategy chose the next contact (phase, channel, tone, moment) and BEFORE the
 * rule checks, the experiments the contact is eligible for put the debtor's variant in: another tone, template,
 * channel order, timing rule or cadence. Everything after this step — the vulnerable-debtor gate, the 14-day letter
 * and its term, promise grace, the frequency cap, contact hours and days, opt-outs and usable channels — applies to
 * the variant's contact exactly as to the strategy's, so a variant can never break a rule. What a variant may not do
 * at all is refused here too (a friendly tone at final_notice or hand-over, a channel the debtor opted out of).
 *
 * A debtor already in an experiment keeps the variant the case holds (sticky); a new one is assigned by
 * ../experiments/assign.ts (holdout, fixed hash or the bandit's shares). The decision reports every pick, and its
 * reasons name the experiment and the variant (the decision log).
 */
import { type AllocationState, assignVariant } from '../experiments/assign.js';
import { type Experiment, HOLDOUT, NO_FRIENDLY_PHASES, type Variant, controlOf, isRunning } from '../experiments/schema.js';
import { type ChannelMode, channelFor } from './channel.js';
import { type DecideContext, contactsIn } from './context.js';
import { fmt, laterDays, plural } from './moment.js';
import type { Step } from './phase.js';

/** Per experiment id: what the bandit or the stopping rule says for new debtors (services/experiments.ts). */
export type ExperimentInputs = Readonly<Record<string, AllocationState>>;

export interface ExperimentPick {
  experimentId: string;
  variant: string;
  /** the debtor joins the experiment with this contact */
  assigned: boolean;
}

export type ExperimentStep = Step & { templateVariant?: string };

export interface Applied {
  step: ExperimentStep;
  picks: ExperimentPick[];
  why: string[];
}

/** Is this contact one the experiment is about (its phases, segments and clients)? */
export function eligible(x: Experiment, ctx: Pick<DecideContext, 'seg'>, step: Pick<Step, 'phase' | 'dossiers'>): boolean {
  const e = x.eligibility;
  if (!e.phases.includes(step.phase)) return false;
  if (e.segments && !e.segments.includes(ctx.seg.segment)) return false;
  if (e.clients && !step.dossiers.some((d) => e.clients!.includes(d.clientId))) return false;
  return true;
}

export function applyExperiments(ctx: DecideContext, step: Step, holdSince: number | undefined, inputs: ExperimentInputs = {}): Applied {
  let out: ExperimentStep = step;
  const picks: ExperimentPick[] = [];
  const why: string[] = [];
  const debtorKey = ctx.facts.caseId ?? ctx.facts.dossiers[0]?.dossierId ?? '';
  for (const x of ctx.strategy.experiments ?? []) {
    const held = ctx.facts.experiments?.[x.id];
    if (held === undefined && !isRunning(x, ctx.now)) continue;
    if (!eligible(x, ctx, out)) continue;
    const variant = held ?? assignVariant(x, debtorKey, inputs[x.id]);
    picks.push({ experimentId: x.id, variant, assigned: held === undefined });
    const label = `experiment ${x.id}: variant ${variant}${held === undefined ? ' (assigned now)' : ''}`;
    if (variant === HOLDOUT) {
      why.push(`${label}: held out, the strategy as it is`);
      continue;
    }
    const v = x.variants.find((c) => c.name === variant);
    if (!v) {
      why.push(`${label}: no longer in the strategy file, the strategy as it is`);
      continue;
    }
    const r = applyVariant(ctx, out, x, v, holdSince);
    out = r.step;
    why.push(`${label}${v === controlOf(x) ? ' (control)' : ''}: ${r.what}`);
  }
  return { step: out, picks, why };
}

function applyVariant(ctx: DecideContext, step: ExperimentStep, x: Experiment, v: Variant, holdSince: number | undefined): { step: ExperimentStep; what: string } {
  switch (x.dimension) {
    case 'tone': {
      if (!v.tone || v.tone === step.tone) return { step, what: `tone ${step.tone} (the strategy's)` };
      if (v.tone === 'friendly' && NO_FRIENDLY_PHASES.includes(step.phase)) {
        return { step, what: `tone friendly refused at ${step.phase} (Toon & Timing), ${step.tone} as the strategy says` };
      }
      return { step: { ...step, tone: v.tone }, what: `tone ${v.tone} instead of ${step.tone}` };
    }
    case 'template':
      return v.template ? { step: { ...step, templateVariant: v.template }, what: `template variant ${v.template}` } : { step, what: 'the standard template' };
    case 'channel_order': {
      if (!v.channels) return { step, what: `channel order ${step.spec.channels.join(', ')} (the strategy's)` };
      const mode: ChannelMode = step.phase === 'fourteen_day_letter' ? (step.contactNo === 0 ? 'letter' : 'no-letter') : 'normal';
      const choice = channelFor({ ...step.spec, channels: v.channels }, step.contactNo, ctx.facts.debtor, ctx.failed, mode);
      if (!choice.channel) return { step, what: `channel order ${v.channels.join(', ')} has no usable channel (${choice.reasons.join(', ')}), ${step.channel} as the strategy says` };
      return { step: { ...step, channel: choice.channel, channelWhy: choice.reasons }, what: `channel order ${v.channels.join(', ')}: ${choice.channel}` };
    }
    case 'timing': {
      if (!v.timing) return { step, what: `timing ${step.spec.timing} (the strategy's)` };
      const spec = { ...step.spec, timing: v.timing, maxPaydayWaitDays: v.timing === 'payday' ? (v.maxPaydayWaitDays ?? step.spec.maxPaydayWaitDays) : undefined };
      return { step: { ...step, spec }, what: `timing ${v.timing}` };
    }
    case 'cadence': {
      if (!v.cadenceDays) return { step, what: `cadence ${plural(step.spec.cadenceDays, 'day')} (the strategy's)` };
      const spec = { ...step.spec, cadenceDays: v.cadenceDays };
      const prev = contactsIn(ctx, step.phase).at(-1);
      // only the next contact of a phase already under way is timed by its cadence
      if (holdSince !== undefined || step.contactNo === 0 || !prev) return { step: { ...step, spec }, what: `cadence ${plural(v.cadenceDays, 'day')}` };
      const due = laterDays(prev.t, v.cadenceDays);
      return {
        step: { ...step, spec, due, why: [`${plural(v.cadenceDays, 'day')} after the previous ${step.phase} contact (${fmt(prev.t)})`, ...step.why.slice(1)] },
        what: `cadence ${plural(v.cadenceDays, 'day')} instead of ${step.spec.cadenceDays}`,
      };
    }
  }
}
