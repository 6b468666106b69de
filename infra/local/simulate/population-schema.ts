/**
 * The simulator's population file: who the debtors are and how they behave. Validated at start (field paths in
 * every error, like the strategy file). `$comment` is allowed on every object: the default population
 * (populations/default.json) gives each published effect its source there.
 *
 *   version      1
 *   arrivalShare share of the simulated days over which the debtors arrive, evenly (default 0.5): later arrivals
 *                would not reach the later phases before the end
 *   clients      optional [{ id, name, share }]: the creditors the claims come from (default one, "sim")
 *   segments     [{ name, share, consumer?, amounts, income, channels, behaviour }] — the debtors' true types (the
 *                journey does not know them; it segments on what it sees)
 *     amounts    { medianCents, spread (log-normal sigma), minCents, maxCents }
 *     income     shares of salary | aow | toeslagen | uwv | bijstand | unknown (normalised)
 *     channels   chances of having an email address, a phone, a WhatsApp opt-in (of those with a phone), an address
 *     behaviour  per contact the chance to react (open, click or reply), to promise, to ask for an arrangement and
 *                to pay (in full); keepPromise: the chance a promise or arrangement is followed by a payment;
 *                payDelayDays { min, max }: how long after the contact the money arrives; selfCure: the chance to
 *                pay without any contact, over the whole simulation (spread evenly)
 *   effects      [{ when: { tone?, channel?, phase?, timing?, template? }, react?, promise?, arrange?, pay? }] —
 *                multipliers on the chances of a contact that matches every field of `when` (phase may be a list);
 *                timing is "payday" (a contact in the 5 days from the debtor's payday) or "other"
 */
import { z } from 'zod';
import { CHANNELS, PHASES, TONES } from '../../../functions/domain/vocabulary.js';

const comment = z.union([z.string(), z.array(z.string())]).optional();
const share = z.number({ error: 'must be a number from 0 to 1' }).min(0, 'must be a number from 0 to 1').max(1, 'must be a number from 0 to 1');
const positive = z.number({ error: 'must be a positive number' }).positive('must be a positive number');
const cents = z.number({ error: 'must be whole cents' }).int('must be whole cents').positive('must be more than 0 cents');
const factor = z.number({ error: 'must be a multiplier ≥ 0, e.g. 1.28' }).min(0, 'must be a multiplier ≥ 0, e.g. 1.28').optional();

export const INCOME_TYPES = ['salary', 'aow', 'toeslagen', 'uwv', 'bijstand', 'unknown'] as const;

const Behaviour = z.strictObject({
  $comment: comment,
  react: share,
  promise: share,
  arrange: share,
  pay: share,
  keepPromise: share,
  payDelayDays: z.strictObject({ min: z.number().int().min(0), max: z.number().int().min(0) }).refine((d) => d.min <= d.max, { path: ['max'], message: 'must not be less than min' }),
  selfCure: share.optional().default(0),
});

const Segment = z.strictObject({
  $comment: comment,
  name: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'must be a name of a-z, 0-9, _ and -'),
  share: positive,
  consumer: z.boolean().optional().default(true),
  amounts: z
    .strictObject({ $comment: comment, medianCents: cents, spread: z.number().min(0).max(3), minCents: cents, maxCents: cents })
    .refine((a) => a.minCents <= a.medianCents && a.medianCents <= a.maxCents, { path: ['medianCents'], message: 'must lie between minCents and maxCents' }),
  income: z.partialRecord(z.enum(INCOME_TYPES, { error: `must be one of ${INCOME_TYPES.join(', ')}` }), z.number().min(0)).refine((r) => Object.values(r).some((v) => (v ?? 0) > 0), 'must give at least one income type a share'),
  channels: z.strictObject({ $comment: comment, email: share, phone: share, whatsappOptIn: share, address: share }),
  behaviour: Behaviour,
});

const When = z
  .strictObject({
    tone: z.enum(TONES).optional(),
    channel: z.enum(CHANNELS).optional(),
    phase: z.union([z.enum(PHASES), z.array(z.enum(PHASES)).min(1)]).optional(),
    timing: z.enum(['payday', 'other']).optional(),
    template: z.string().min(1).optional(),
  })
  .refine((w) => Object.keys(w).length > 0, 'must name at least one of tone, channel, phase, timing, template');

const Effect = z.strictObject({ $comment: comment, when: When, react: factor, promise: factor, arrange: factor, pay: factor });

export const PopulationSchema = z
  .strictObject({
    $comment: comment,
    version: z.literal(1, { error: 'must be 1' }),
    arrivalShare: z.number().gt(0).max(1).optional().default(0.5),
    clients: z
      .array(z.strictObject({ id: z.string().regex(/^[a-z0-9_-]{1,32}$/), name: z.string().min(1), share: positive }))
      .min(1)
      .optional()
      .default([{ id: 'sim', name: 'Simulated Creditor B.V.', share: 1 }]),
    segments: z.array(Segment).min(1, 'must describe at least one segment'),
    effects: z.array(Effect).optional().default([]),
  })
  .superRefine((p, ctx) => {
    p.segments.forEach((s, i) => {
      if (p.segments.findIndex((x) => x.name === s.name) !== i) ctx.addIssue({ code: 'custom', path: ['segments', i, 'name'], message: `${s.name} is listed twice` });
      const b = s.behaviour;
      if (b.promise + b.arrange + b.pay > 1) ctx.addIssue({ code: 'custom', path: ['segments', i, 'behaviour', 'pay'], message: 'pay + promise + arrange must not exceed 1' });
    });
  });

export type Population = z.infer<typeof PopulationSchema>;
export type PopulationSegment = Population['segments'][number];
export type Effect = Population['effects'][number];

export function populationPath(path: ReadonlyArray<PropertyKey>): string {
  let out = 'population';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

/** Validates a population (parsed JSON); the error names every bad field path and why. */
export function parsePopulation(json: unknown): Population {
  const r = PopulationSchema.safeParse(json);
  if (r.success) return r.data;
  const problems = r.error.issues.map((iss) =>
    iss.code === 'unrecognized_keys' ? iss.keys.map((k) => `${populationPath([...iss.path, k])}: is not a known field`).join('; ') : `${populationPath(iss.path)}: ${iss.message}`,
  );
  throw new Error(`invalid population: ${problems.join('; ')}`);
}
