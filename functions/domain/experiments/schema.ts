/**
 * Experiments as data: `experiments` in the strategy file (templates/strategy.json), validated with the rest of the
 * strategy (functions/domain/strategy.ts) so an error names the field path and why, e.g.
 * `strategy.experiments[0].variants[1].tone: friendly is not allowed at final_notice (…)`.
 *
 * Format (fields required unless marked optional):
 *
 *   id           a-z, 0-9, _ and -, at most 48: how results and the decision log name it
 *   description  optional, for people
 *   dimension    tone | template | channel_order | timing | cadence — the one thing the variants change
 *   eligibility  { phases, segments?, clients? }: the contacts it applies to (no segments/clients: all)
 *   variants     two or more { name, control?, <the dimension's field> }; exactly one is the control. The control
 *                may leave the field out: it then gets what the strategy says. Fields per dimension:
 *                  tone            tone: friendly | neutral | firm
 *                  template        template: a template variant name (templates/<channel>/<lang>/<phase>.<name>.hbs)
 *                  channel_order   channels: [...] (the preference order; the fallbacks stay the strategy's)
 *                  timing          timing: asap | payday, maxPaydayWaitDays? (payday only)
 *                  cadence         cadenceDays: days between two contacts of the phase
 *   holdout      share (0 – 0.5) of eligible debtors kept out of the experiment: they get the strategy as it is and
 *                are reported as "holdout" (a clean baseline also when a bandit starves the control)
 *   metric       paid_within_30d | recovered_cents_within_60d | contact_within_7d | promise_or_arrangement_within_14d
 *   start, end   ISO-8601 with a zone; end optional. Outside [start, end) nobody new is assigned (assigned debtors
 *                keep their variant)
 *   allocation   fixed (equal shares by a hash of debtor and experiment id) | thompson (Thompson sampling on the
 *                delayed reward)
 *   minShare     thompson only, optional (default 0.05): every variant keeps at least this share of new debtors
 *   stopping     optional { minDebtorsPerVariant, maxDebtorsPerVariant?, alpha? (0.05), probabilityBest? (0.95),
 *                winnerTakesOver? (true) }: when a verdict is reached the winner takes over for new debtors
 *
 * Rules (besides the shapes): ids and variant names unique ("holdout" is reserved), one control, a variant sets
 * its dimension's field and no other; no friendly tone where the phases forbid it (final_notice, handover — the
 * same rule as the strategy's, Toon & Timing); two experiments on one dimension never share a phase; minShare ×
 * variants ≤ 1. Pure: no clock, no file system.
 */
import * as z from '../../shared/zod.js';
import { CHANNELS, PHASES, SEGMENTS, TONES, type Phase } from '../vocabulary.js';
import { METRICS } from './metrics.js';

export const DIMENSIONS = ['tone', 'template', 'channel_order', 'timing', 'cadence'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const HOLDOUT = 'holdout';
/** Phases where a friendly tone is not allowed (strategy.ts has the same rule for the phases themselves). */
export const NO_FRIENDLY_PHASES: readonly Phase[] = ['final_notice', 'handover'];
export const DEFAULT_MIN_SHARE = 0.05;

/** The field a variant sets for each dimension. */
export const DIMENSION_FIELD: Readonly<Record<Dimension, 'tone' | 'template' | 'channels' | 'timing' | 'cadenceDays'>> = Object.freeze({
  tone: 'tone',
  template: 'template',
  channel_order: 'channels',
  timing: 'timing',
  cadence: 'cadenceDays',
});
const VARIANT_FIELDS = ['tone', 'template', 'channels', 'timing', 'maxPaydayWaitDays', 'cadenceDays'] as const;

const required = (what: string) => (iss: { input?: unknown }) => (iss.input === undefined ? 'is required' : what);
const name = (what: string, max: number) =>
  z
    .string({ error: required(`must be ${what}`) })
    .check(z.regex(new RegExp(`^[a-z0-9][a-z0-9_-]{0,${max - 1}}$`), `must be ${what}: a-z, 0-9, _ and -, at most ${max} characters, e.g. "tone-first-demand"`));
const instant = (what: string) =>
  z.iso.datetime({ offset: true, error: required(`must be ${what} as an ISO-8601 date-time with a zone, e.g. "2026-03-01T00:00:00Z"`) });
const share = (max: number, what: string) => {
  const message = `must be ${what}, a number from 0 to ${max}`;
  return z.number({ error: required(message) }).check(z.minimum(0, message), z.maximum(max, message));
};
const positiveInt = (error: ReturnType<typeof required> | string) =>
  z.number({ error }).check(z.int('must be a positive integer'), z.positive('must be a positive integer'));
const between = (low: number, high: number, o: { lowOpen?: boolean; highOpen?: boolean }) => {
  const message = `must be a number between ${low} and ${high}`;
  return z.number({ error: message }).check(o.lowOpen ? z.gt(low, message) : z.minimum(low, message), o.highOpen ? z.lt(high, message) : z.maximum(high, message));
};

export const VariantSchema = z.strictObject(
  {
    name: name('a variant name', 32),
    control: z.optional(z.boolean({ error: 'must be true or false' })),
    tone: z.optional(z.enum(TONES, { error: `must be one of ${TONES.join(', ')}` })),
    template: z.optional(name('a template variant name', 32)),
    channels: z.optional(
      z.array(z.enum(CHANNELS, { error: `must be one of ${CHANNELS.join(', ')}` }), { error: 'must be a list of channels' }).check(z.minLength(1, 'must name at least one channel')),
    ),
    timing: z.optional(z.enum(['asap', 'payday'], { error: 'must be "asap" or "payday"' })),
    maxPaydayWaitDays: z.optional(
      z.number({ error: 'must be a whole number of days, 0 or more' }).check(z.int('must be a whole number of days, 0 or more'), z.minimum(0, 'must be a whole number of days, 0 or more')),
    ),
    cadenceDays: z.optional(positiveInt('must be a positive integer')),
  },
  { error: required('must be an object { name, control?, … }') },
);

export const StoppingSchema = z.strictObject(
  {
    minDebtorsPerVariant: positiveInt(required('must be a positive integer')),
    maxDebtorsPerVariant: z.optional(positiveInt('must be a positive integer')),
    alpha: z._default(z.optional(between(0, 0.2, { lowOpen: true })), 0.05),
    probabilityBest: z._default(z.optional(between(0.5, 1, { lowOpen: true, highOpen: true })), 0.95),
    winnerTakesOver: z._default(z.optional(z.boolean({ error: 'must be true or false' })), true),
  },
  { error: 'must be an object { minDebtorsPerVariant, … }' },
);

const ExperimentShape = z.strictObject(
  {
    id: name('an experiment id', 48),
    description: z.optional(z.string({ error: 'must be text' })),
    dimension: z.enum(DIMENSIONS, { error: required(`must be one of ${DIMENSIONS.join(', ')}`) }),
    eligibility: z.strictObject(
      {
        phases: z
          .array(z.enum(PHASES, { error: `must be one of ${PHASES.join(', ')}` }), { error: required('must be a list of phases') })
          .check(z.minLength(1, 'must name at least one phase')),
        segments: z.optional(
          z
            .array(z.enum(SEGMENTS, { error: `must be one of ${SEGMENTS.join(', ')}` }), { error: 'must be a list of segments' })
            .check(z.minLength(1, 'must name at least one segment (or leave segments out: all)')),
        ),
        clients: z.optional(
          z
            .array(z.string({ error: 'must be a client id' }).check(z.minLength(1, 'must be a client id')), { error: 'must be a list of client ids' })
            .check(z.minLength(1, 'must name at least one client (or leave clients out: all)')),
        ),
      },
      { error: required('must be an object { phases, segments?, clients? }') },
    ),
    variants: z.array(VariantSchema, { error: required('must be a list of variants') }).check(z.minLength(2, 'must list at least two variants (one of them the control)')),
    holdout: z._default(z.optional(share(0.5, 'the share of eligible debtors held out')), 0),
    metric: z.enum(METRICS, { error: required(`must be one of ${METRICS.join(', ')}`) }),
    start: instant('when the experiment starts'),
    end: z.optional(instant('when it ends')),
    allocation: z.enum(['fixed', 'thompson'], { error: required('must be "fixed" or "thompson"') }),
    minShare: z.optional(share(0.5, 'the minimum share of each variant')),
    stopping: z.optional(StoppingSchema),
  },
  { error: required('must be an object') },
);
type ExperimentShape = z.infer<typeof ExperimentShape>;

/** The rules across fields of one experiment (see the header). */
function experimentProblems(x: ExperimentShape): Array<{ path: Array<string | number>; message: string }> {
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  const add = (message: string, ...path: Array<string | number>) => problems.push({ path, message });
  const names = new Set<string>();
  const controls = x.variants.filter((v) => v.control).length;
  if (controls !== 1) add(`must have exactly one variant with "control": true (found ${controls})`, 'variants');
  const field = DIMENSION_FIELD[x.dimension];
  x.variants.forEach((v, i) => {
    if (v.name === HOLDOUT) add(`"${HOLDOUT}" is reserved for the debtors held out`, 'variants', i, 'name');
    if (names.has(v.name)) add(`${v.name} is listed twice`, 'variants', i, 'name');
    names.add(v.name);
    if (!v.control && v[field] === undefined) add(`is required: a ${x.dimension} experiment's variant sets ${field}`, 'variants', i, field);
    for (const f of VARIANT_FIELDS) {
      const allowed = f === field || (f === 'maxPaydayWaitDays' && x.dimension === 'timing');
      if (!allowed && v[f] !== undefined) add(`does not belong to a ${x.dimension} experiment (it changes ${field} only)`, 'variants', i, f);
    }
    if (v.maxPaydayWaitDays !== undefined && v.timing !== 'payday') add('only applies when timing is "payday"', 'variants', i, 'maxPaydayWaitDays');
    if (v.tone === 'friendly') {
      const banned = x.eligibility.phases.filter((p) => NO_FRIENDLY_PHASES.includes(p));
      if (banned.length) {
        add(
          `friendly is not allowed at ${banned.join(' and ')} (Toon & Timing: a positive tone did worse than none at the bailiff stage); leave ${banned.join(' and ')} out of eligibility.phases`,
          'variants',
          i,
          'tone',
        );
      }
    }
    v.channels?.forEach((c, k) => {
      if (v.channels!.indexOf(c) !== k) add(`${c} is listed twice`, 'variants', i, 'channels', k);
    });
  });
  if (x.minShare !== undefined && x.allocation !== 'thompson') add('only applies when allocation is "thompson"', 'minShare');
  const min = x.minShare ?? (x.allocation === 'thompson' ? DEFAULT_MIN_SHARE : 0);
  if (min <= 0.5 && min * x.variants.length > 1) add(`× ${x.variants.length} variants is more than 1: at most ${(1 / x.variants.length).toFixed(3)}`, 'minShare');
  if (x.end !== undefined && Date.parse(x.end) <= Date.parse(x.start)) add('must be later than start', 'end');
  const s = x.stopping;
  if (s?.maxDebtorsPerVariant !== undefined && s.maxDebtorsPerVariant < s.minDebtorsPerVariant) add('must not be less than minDebtorsPerVariant', 'stopping', 'maxDebtorsPerVariant');
  return problems;
}

export const ExperimentSchema = ExperimentShape.check(
  z.superRefine((x, ctx) => {
    for (const p of experimentProblems(x)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  }),
);

export const ExperimentsSchema = z.array(ExperimentSchema, { error: 'must be a list of experiments' }).check(
  z.superRefine((list, ctx) => {
    list.forEach((x, i) => {
      const twin = list.findIndex((y) => y.id === x.id);
      if (twin !== i) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `${x.id} is used twice (experiments[${twin}])` });
      list.slice(0, i).forEach((y, j) => {
        const shared = x.eligibility.phases.filter((p) => y.eligibility.phases.includes(p));
        if (y.dimension === x.dimension && shared.length) {
          ctx.addIssue({ code: 'custom', path: [i, 'eligibility', 'phases'], message: `${shared.join(', ')} already has a ${x.dimension} experiment (${y.id}, experiments[${j}]): one experiment per dimension and phase` });
        }
      });
    });
  }),
);

export type Variant = z.infer<typeof VariantSchema>;
export type Experiment = z.infer<typeof ExperimentSchema>;
export type Stopping = z.infer<typeof StoppingSchema>;

export const controlOf = (x: Experiment): Variant => x.variants.find((v) => v.control) ?? x.variants[0];
export const minShareOf = (x: Experiment): number => (x.allocation === 'thompson' ? (x.minShare ?? DEFAULT_MIN_SHARE) : 0);
export const isRunning = (x: Experiment, now: Date): boolean => Date.parse(x.start) <= now.getTime() && (x.end === undefined || now.getTime() < Date.parse(x.end));
