/**
 * The collection strategy as DATA: operators edit templates/strategy.json, this module validates it.
 * Pure: no AWS, no clock, no file system (the bundled default is imported as JSON).
 *
 * Format (all fields required unless marked optional):
 *
 *   version            1
 *   allowHandover      may a journey end with the dossiers handed over (to a bailiff)? false drops every
 *                      `handover` phase at run time; the segment's `end.reason` closes the journey instead
 *   contactWindow      { startHour, endHour } local Europe/Amsterdam hours for every contact; fractions allowed
 *                      (8.5 = 08:30). Stricter than the legal 07:00–20:00 is fine, looser is refused (Bki art. 4.2)
 *   frequencyCap       { maxContacts, perDays }: at most that many contacts per debtor in any `perDays` days
 *   leanDays           optional { from, to } days of the month with no contact ("around the 10th"), or null
 *   promiseGraceDays   after a promise to pay (or "already paid") no contact for this many days
 *   experiments        optional: A/B tests and bandits on tone, template, channel order, timing or cadence
 *                      (format and rules: ./experiments/schema.ts)
 *   arrangements       optional { maxMonths, minInstalmentCents, options (plan lengths in months), reminderDaysBefore,
 *                      graceDays }: payment plans offered to debtors (defaults DEFAULT_ARRANGEMENT_RULES)
 *   clients            optional { "<clientId>": { arrangements: { maxMonths?, minInstalmentCents? } } }: a creditor's
 *                      own limits; a plan over several creditors' claims keeps to the strictest of them
 *   segments           one entry per segment: cannot_pay, will_not_pay, unaware, vulnerable, unknown
 *     description      optional, for people
 *     phases[]         in journey order, each phase at most once:
 *                      reminder → fourteen_day_letter → demand → final_notice → handover
 *       phase
 *       channels       preference order; the first usable one is used, the others are the fallbacks
 *       rotate         optional (false): successive contacts of the phase start at the next usable channel
 *       fallback       optional: channels used only when none of `channels` is usable
 *       tone           friendly | neutral | firm, or one per contact (the last repeats): ["friendly","neutral"]
 *       cadenceDays    days between two contacts of this phase
 *       maxContacts    contacts in this phase before the journey moves on
 *       escalateAfterDays  days after the phase's last contact before the next phase (or the end) starts
 *       timing         optional "asap" (default): the first allowed moment; "payday": shortly after the
 *                      debtor's expected payday, when that is at most `maxPaydayWaitDays` (default 10) away
 *       contactWindow  optional, this phase only; must also stay within 07:00–20:00
 *     end              { reason }: how the journey ends when the phases are done without a hand-over
 *
 * Rules checked at parse time (each error names the field path and why):
 *  - phases in journey order, each at most once; handover is therefore always last;
 *  - a demand, final_notice or handover phase needs a fourteen_day_letter phase before it (consumers: no demand
 *    and no costs before the 14-day letter, art. 6:96(6) BW); the 14-day letter goes by letter: its first
 *    channel is "letter", and more than one contact in that phase needs another channel for the reminders
 *    inside the term;
 *  - no handover for cannot_pay (arrangement and debt help instead) nor for vulnerable (never without a human);
 *  - no friendly tone at final_notice or handover (Toon & Timing: a positive tone helped at the first demand but
 *    did worse than none at the bailiff stage);
 *  - contact windows inside 07:00–20:00 and not empty; channels listed once per phase.
 */
import * as z from '../shared/zod.js';
import { LEGAL_CONTACT_WINDOW } from './calendar.js';
import { CHANNELS, PHASES, SEGMENTS, TONES, type Channel, type Phase, type Tone, phaseIndex } from './vocabulary.js';
import { ExperimentsSchema } from './experiments/schema.js';
import defaultStrategyJson from '../../templates/strategy.json' with { type: 'json' };

export { PHASES, phaseIndex };

const required = (what: string) => (iss: { input?: unknown }) => (iss.input === undefined ? 'is required' : what);

const posInt = z.int({ error: required('must be a positive integer') }).check(z.positive('must be a positive integer'));
const nonNegInt = z
  .int({ error: required('must be a whole number of days, 0 or more') })
  .check(z.minimum(0, 'must be a whole number of days, 0 or more'));
const hour = z
  .number({ error: required('must be a number of hours (0–24)') })
  .check(z.minimum(0, 'must be a number of hours (0–24)'), z.maximum(24, 'must be a number of hours (0–24)'));
const ChannelSchema = z.enum(CHANNELS, { error: required(`must be one of ${CHANNELS.join(', ')}`) });
const ToneSchema = z.enum(TONES, { error: required(`must be one of ${TONES.join(', ')}`) });

const LEGAL = `${LEGAL_CONTACT_WINDOW.startHour}:00–${LEGAL_CONTACT_WINDOW.endHour}:00`;
export const ContactWindowSchema = z
  .strictObject({ startHour: hour, endHour: hour }, { error: required('must be an object { startHour, endHour }') })
  .check(z.superRefine((w, ctx) => {
    if (w.startHour < LEGAL_CONTACT_WINDOW.startHour) {
      ctx.addIssue({ code: 'custom', path: ['startHour'], message: `must be ${LEGAL_CONTACT_WINDOW.startHour} or later: no contact before 07:00 (Bki art. 4.2); a strategy may be stricter than ${LEGAL}, never looser` });
    }
    if (w.endHour > LEGAL_CONTACT_WINDOW.endHour) {
      ctx.addIssue({ code: 'custom', path: ['endHour'], message: `must be ${LEGAL_CONTACT_WINDOW.endHour} or earlier: no contact from 20:00 (Bki art. 4.2); a strategy may be stricter than ${LEGAL}, never looser` });
    }
    if (w.endHour <= w.startHour) ctx.addIssue({ code: 'custom', path: ['endHour'], message: 'must be later than startHour' });
  }));

export const PhaseSpecSchema = z.strictObject(
  {
    phase: z.enum(PHASES, { error: required(`must be one of ${PHASES.join(', ')}`) }),
    channels: z.array(ChannelSchema, { error: required('must be a list of channels') }).check(z.minLength(1, 'must name at least one channel')),
    rotate: z._default(z.optional(z.boolean({ error: 'must be true or false' })), false),
    fallback: z._default(z.optional(z.array(ChannelSchema, { error: 'must be a list of channels' })), []),
    tone: z.union([ToneSchema, z.array(ToneSchema).check(z.minLength(1, 'must name at least one tone'))], {
      error: required(`must be one of ${TONES.join(', ')}, or a list of them (one per contact)`),
    }),
    cadenceDays: posInt,
    maxContacts: posInt,
    escalateAfterDays: nonNegInt,
    timing: z._default(z.optional(z.enum(['asap', 'payday'], { error: 'must be "asap" or "payday"' })), 'asap'),
    maxPaydayWaitDays: z.optional(nonNegInt),
    contactWindow: z.optional(ContactWindowSchema),
  },
  { error: required('must be an object') },
);

export const SegmentStrategySchema = z.strictObject(
  {
    description: z.optional(z.string({ error: 'must be text' })),
    phases: z.array(PhaseSpecSchema, { error: required('must be a list of phases') }).check(z.minLength(1, 'must list at least one phase')),
    end: z.strictObject(
      { reason: z.string({ error: required('must be text') }).check(z.trim(), z.minLength(1, 'must not be empty')) },
      { error: required('must be an object { reason }') },
    ),
  },
  { error: required('must be an object') },
);

const DAY_OF_MONTH = 'must be a day of the month 1–31';
const dayOfMonth = z.int({ error: required(DAY_OF_MONTH) }).check(z.minimum(1, DAY_OF_MONTH), z.maximum(31, DAY_OF_MONTH));
const LeanDaysSchema = z
  .strictObject({
    from: dayOfMonth,
    to: dayOfMonth,
  })
  .check(z.refine((v) => v.from <= v.to, { path: ['to'], message: 'must not be before from' }));

/** Payment arrangements (issue 9): the defaults every creditor gets unless it has its own limits. */
export const ArrangementRulesSchema = z.strictObject({
  maxMonths: posInt.check(z.maximum(60, 'must be at most 60 months')),
  minInstalmentCents: posInt,
  options: z
    .array(posInt.check(z.minimum(2, 'a plan has at least 2 instalments')), { error: 'must be a list of plan lengths in months' })
    .check(z.minLength(1, 'must offer at least one plan length')),
  reminderDaysBefore: nonNegInt,
  graceDays: nonNegInt,
});
export const DEFAULT_ARRANGEMENT_RULES = { maxMonths: 12, minInstalmentCents: 2500, options: [3, 6, 12], reminderDaysBefore: 3, graceDays: 7 };
/** A client's own limits: any of maxMonths and minInstalmentCents (the rest stays the agency's). */
export const ClientArrangementSchema = z.strictObject({ maxMonths: z.optional(posInt.check(z.maximum(60, 'must be at most 60 months'))), minInstalmentCents: z.optional(posInt) });

export const StrategySchema = z
  .strictObject(
    {
      $comment: z.optional(z.union([z.string(), z.array(z.string())])),
      version: z.literal(1, { error: 'must be 1' }),
      allowHandover: z.boolean({ error: required('must be true or false') }),
      contactWindow: ContactWindowSchema,
      frequencyCap: z.strictObject({ maxContacts: posInt, perDays: posInt }, { error: required('must be an object { maxContacts, perDays }') }),
      leanDays: z.optional(z.nullable(LeanDaysSchema)),
      promiseGraceDays: nonNegInt,
      /** experiments as data (./experiments/schema.ts documents the format); optional */
      experiments: z._default(z.optional(ExperimentsSchema), []),
      arrangements: z._default(z.optional(ArrangementRulesSchema), DEFAULT_ARRANGEMENT_RULES),
      /** per client: its own arrangement limits, e.g. { "acme": { "arrangements": { "maxMonths": 6 } } } */
      clients: z._default(z.optional(z.record(z.string(), z.strictObject({ arrangements: z.optional(ClientArrangementSchema) }))), {}),
      segments: z.strictObject(
        {
          cannot_pay: SegmentStrategySchema,
          will_not_pay: SegmentStrategySchema,
          unaware: SegmentStrategySchema,
          vulnerable: SegmentStrategySchema,
          unknown: SegmentStrategySchema,
        },
        { error: required('must be an object with one entry per segment') },
      ),
    },
    { error: 'must be a JSON object' },
  )
  .check(z.superRefine((s, ctx) => {
    for (const name of SEGMENTS) {
      const seg = s.segments[name];
      let previous = -1;
      let letterAt = -1;
      seg.phases.forEach((p, i) => {
        const at = (...rest: Array<string | number>) => ['segments', name, 'phases', i, ...rest];
        const idx = phaseIndex(p.phase);
        if (idx <= previous) {
          ctx.addIssue({
            code: 'custom',
            path: at('phase'),
            message: `${p.phase} cannot come after ${PHASES[previous]}: phases go ${PHASES.join(' → ')}, each at most once`,
          });
        }
        previous = Math.max(previous, idx);
        if (p.phase === 'fourteen_day_letter') letterAt = i;
        if (idx > phaseIndex('fourteen_day_letter') && letterAt < 0) {
          ctx.addIssue({
            code: 'custom',
            path: at('phase'),
            message: `${p.phase} needs a fourteen_day_letter phase before it (consumers: no demand and no costs before the 14-day letter)`,
          });
        }
        if (p.phase === 'handover' && name === 'cannot_pay') {
          ctx.addIssue({ code: 'custom', path: at('phase'), message: 'handover is not allowed for cannot_pay: offer an arrangement and debt help instead' });
        }
        if (p.phase === 'handover' && name === 'vulnerable') {
          ctx.addIssue({ code: 'custom', path: at('phase'), message: 'handover is not allowed for vulnerable debtors: never escalate without a human' });
        }
        if (p.phase === 'final_notice' || p.phase === 'handover') {
          const tones = Array.isArray(p.tone) ? p.tone : [p.tone];
          tones.forEach((t, k) => {
            if (t === 'friendly') {
              ctx.addIssue({
                code: 'custom',
                path: Array.isArray(p.tone) ? at('tone', k) : at('tone'),
                message: `friendly is not allowed at ${p.phase} (Toon & Timing: a positive tone did worse than none at the bailiff stage)`,
              });
            }
          });
        }
        for (const [field, list] of [['channels', p.channels], ['fallback', p.fallback]] as const) {
          list.forEach((c, k) => {
            if (list.indexOf(c) !== k) ctx.addIssue({ code: 'custom', path: at(field, k), message: `${c} is listed twice` });
            if (field === 'fallback' && p.channels.includes(c)) {
              ctx.addIssue({ code: 'custom', path: at(field, k), message: `${c} is already in channels` });
            }
          });
        }
        if (p.phase === 'fourteen_day_letter') {
          if (p.channels[0] !== 'letter') {
            ctx.addIssue({ code: 'custom', path: at('channels', 0), message: 'must be "letter": the 14-day letter goes by post' });
          }
          const others = [...p.channels, ...p.fallback].filter((c) => c !== 'letter');
          if (p.maxContacts > 1 && others.length === 0) {
            ctx.addIssue({
              code: 'custom',
              path: at('maxContacts'),
              message: 'more than 1 contact in fourteen_day_letter needs another channel besides the letter (the reminders inside the term)',
            });
          }
        }
        if (p.maxPaydayWaitDays !== undefined && p.timing !== 'payday') {
          ctx.addIssue({ code: 'custom', path: at('maxPaydayWaitDays'), message: 'only applies when timing is "payday"' });
        }
      });
    }
  }));

export type PhaseSpec = z.infer<typeof PhaseSpecSchema>;
export type SegmentStrategy = z.infer<typeof SegmentStrategySchema>;
export type Strategy = z.infer<typeof StrategySchema>;
export type { Channel, Phase, Tone };

/** Default for `maxPaydayWaitDays` when a phase uses payday timing. */
export const DEFAULT_MAX_PAYDAY_WAIT_DAYS = 10;

/** `strategy.segments.unaware.phases[1].cadenceDays` */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = 'strategy';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

/** One line per problem: "strategy.x.y: why". */
export function strategyProblems(json: unknown): string[] {
  const r = StrategySchema.safeParse(json);
  if (r.success) return [];
  return r.error.issues.map((iss) => {
    if (iss.code === 'unrecognized_keys') {
      return iss.keys.map((k) => `${fieldPath([...iss.path, k])}: is not a known field`).join('; ');
    }
    return `${fieldPath(iss.path)}: ${iss.message}`;
  });
}

/**
 * Validates a strategy (parsed JSON). Throws an Error whose message names every bad field path and why, e.g.
 * "invalid strategy: strategy.segments.unaware.phases[1].cadenceDays: must be a positive integer".
 */
export function parseStrategy(json: unknown): Strategy {
  const r = StrategySchema.safeParse(json);
  if (r.success) return r.data;
  throw new Error(`invalid strategy: ${strategyProblems(json).join('; ')}`);
}

let bundled: Strategy | undefined;
/** templates/strategy.json, validated once. */
export function defaultStrategy(): Strategy {
  bundled ??= parseStrategy(defaultStrategyJson);
  return bundled;
}

/** The tone for contact number `contactNo` (0-based) of a phase: one per contact, the last repeats. */
export function toneFor(spec: PhaseSpec, contactNo: number): Tone {
  if (!Array.isArray(spec.tone)) return spec.tone;
  return spec.tone[Math.min(contactNo, spec.tone.length - 1)];
}

/** The arrangement rules for claims of these clients: the strictest of their limits (fewest months, highest minimum). */
export function arrangementRulesFor(strategy: Strategy, clientIds: readonly string[]) {
  const base = strategy.arrangements;
  let maxMonths = base.maxMonths;
  let minInstalmentCents = base.minInstalmentCents;
  for (const id of clientIds) {
    const own = strategy.clients[id]?.arrangements;
    if (own?.maxMonths !== undefined) maxMonths = Math.min(maxMonths, own.maxMonths);
    if (own?.minInstalmentCents !== undefined) minInstalmentCents = Math.max(minInstalmentCents, own.minInstalmentCents);
  }
  return { ...base, maxMonths, minInstalmentCents };
}
