/** The journey contract between the ASL, Decide and the channel steps. */
import { CHANNELS, LANGUAGES, PHASES, TONES } from '../../channels/render-contract.js';
import * as z from '../zod.js';
import { isoDateTime } from './fields.js';

export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;

export const ChannelName = z.enum(CHANNELS);
export type ChannelName = z.infer<typeof ChannelName>;

const positiveInt = z.int().check(z.positive());
const nonNegativeInt = z.int().check(z.nonnegative());

export const SendAction = z.object({
  type: z.literal('send'),
  channel: ChannelName,
  stepNo: positiveInt,
  /** how long the channel step waits for a reaction before Decide runs again */
  awaitSeconds: positiveInt,
  /** the case's event counter Decide saw; a newer event means "decide again, do not send" */
  seenEventSeq: nonNegativeInt,
  template: z.string(),
  tone: z.enum(TONES),
  language: Language,
  phase: z.enum(PHASES),
  dossierIds: z.array(z.string()).check(z.minLength(1)),
});
export const WaitAction = z.object({
  type: z.literal('wait'),
  awaitSeconds: positiveInt,
  seenEventSeq: nonNegativeInt,
  until: isoDateTime,
});
export const DoneAction = z.object({ type: z.literal('done'), reason: z.string() });
export const Action = z.discriminatedUnion('type', [SendAction, WaitAction, DoneAction]);
export type Action = z.infer<typeof Action>;
export type SendAction = z.infer<typeof SendAction>;

export const JourneyState = z.object({
  caseId: z.string().check(z.minLength(1)),
  journeyNo: positiveInt,
  action: z.optional(Action),
  error: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
});
export type JourneyState = z.infer<typeof JourneyState>;

export const DecideEvent = z.object({ state: JourneyState, executionId: z.string() });
export const ChannelStepEvent = z.object({
  channel: z.enum(['email', 'sms', 'whatsapp', 'letter', 'call', 'await']),
  state: JourneyState,
  taskToken: z.string().check(z.minLength(1)),
  executionId: z.string(),
});
export type ChannelStepEvent = z.infer<typeof ChannelStepEvent>;
