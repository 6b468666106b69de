/**
 * The journey contract between the ASL, Decide and the channel steps.
 *
 * The state every journey state passes on is { caseId, journeyNo, action }. Route (a Choice) sends it to the
 * state that carries out `action`. Actions of executions started by the first version (no nextDecisionAt, no
 * log) still parse: the steps then decide afresh.
 */
import type { CaseFacts } from '../../domain/case/facts.js';
import { PHASES, TONES, TOPICS } from '../../domain/vocabulary.js';
import * as z from '../zod.js';
import { ChannelName, Language } from './fields.js';
import { ArrangementChangeSchema } from './payments.js';

export { ChannelName, Language };

const instant = z.iso.datetime({ offset: true });
const int = () => z.number().check(z.int());
const positiveInt = () => z.number().check(z.int(), z.positive());
const nonNegativeInt = () => z.number().check(z.int(), z.nonnegative());

/** The decision entry a state writes to the timeline when it carries the action out (absent: written already). */
export const DecisionLog = z.object({
  at: instant,
  segment: z.string(),
  segmentReasons: z.array(z.string()),
  reasons: z.array(z.string()),
});
export type DecisionLog = z.infer<typeof DecisionLog>;

export const CostsUpdate = z.array(z.object({ dossierId: z.string(), costs: nonNegativeInt(), reason: z.string(), from: z.optional(z.iso.date()) }));
/** A call task Decide found overdue and expired: the state that carries out the action forgets it on the case. */
export const ExpiredTask = z.object({ taskId: z.string(), stepNo: int(), dossierIds: z.array(z.string()), at: instant });
export type ExpiredTask = z.infer<typeof ExpiredTask>;

export const SendAction = z.object({
  type: z.literal('send'),
  channel: ChannelName,
  stepNo: positiveInt(),
  /** the safety net: how long the channel state waits before Decide runs anyway (the planned moment + a margin) */
  awaitSeconds: positiveInt(),
  /** the case's event counter the decision saw; a newer event means "decide again, do not send" */
  seenEventSeq: nonNegativeInt(),
  template: z.string(),
  tone: z.enum(TONES),
  language: Language,
  phase: z.enum(PHASES),
  dossierIds: z.array(z.string()).check(z.minLength(1)),
  /** when the next step is due if nothing happens: the journey's timer ends the wait then */
  nextDecisionAt: z.optional(instant),
  log: z.optional(DecisionLog),
  costs: z.optional(CostsUpdate),
  /** the strategy the decision was made with (services/strategy-source.ts strategyId) */
  strategy: z.optional(z.string()),
  expiredTask: z.optional(ExpiredTask),
  /** the experiments this contact is under; `assigned`: the debtor joins with it (domain/decide/experiment.ts) */
  experiments: z.optional(z.array(z.object({ experimentId: z.string(), variant: z.string(), assigned: z.boolean() }))),
  /** a template experiment's variant */
  templateVariant: z.optional(z.string()),
  /** an arrangement message: its template topic; aside: not a contact of the collection sequence */
  topic: z.optional(z.enum(TOPICS)),
  aside: z.optional(z.boolean()),
  arrangement: z.optional(ArrangementChangeSchema),
  /** a follow-up of the 14-day letter: the letter's term end it states (and records on its claims) */
  termEndDate: z.optional(z.iso.date()),
});
/** Decide afresh (something happened, or the plan ran out). */
export const DecideAction = z.object({ type: z.literal('decide'), reason: z.string() });
export const WaitAction = z.object({
  type: z.literal('wait'),
  awaitSeconds: positiveInt(),
  seenEventSeq: nonNegativeInt(),
  until: instant,
  /** what to do at `until` if nothing happens before (the planned decision) */
  then: z.optional(z.union([SendAction, DecideAction])),
  log: z.optional(DecisionLog),
  costs: z.optional(CostsUpdate),
  expiredTask: z.optional(ExpiredTask),
  arrangement: z.optional(ArrangementChangeSchema),
});
export const DoneAction = z.object({ type: z.literal('done'), reason: z.string() });
export const Action = z.discriminatedUnion('type', [SendAction, WaitAction, DoneAction, DecideAction]);
export type Action = z.infer<typeof Action>;
export type SendAction = z.infer<typeof SendAction>;
export type WaitAction = z.infer<typeof WaitAction>;
export type DecideAction = z.infer<typeof DecideAction>;

export const JourneyState = z.object({
  caseId: z.string().check(z.minLength(1)),
  journeyNo: positiveInt(),
  action: z.optional(Action),
  error: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
});
export type JourneyState = z.infer<typeof JourneyState>;

export const DecideEvent = z.object({ state: JourneyState, executionId: z.string() });
/** The journey timer's call at the planned moment when the plan is to end (or to decide afresh). */
export const WakeEvent = z.object({
  wake: z.object({ caseId: z.string().check(z.minLength(1)), journeyNo: positiveInt(), taskToken: z.string().check(z.minLength(1)) }),
});
export const ChannelStepEvent = z.object({
  channel: z.enum(['email', 'sms', 'whatsapp', 'letter', 'call', 'await']),
  state: JourneyState,
  taskToken: z.string().check(z.minLength(1)),
  executionId: z.string(),
});
export type ChannelStepEvent = z.infer<typeof ChannelStepEvent>;

/**
 * The case's facts as a sending step sends them (decisionFacts of the case it just read or wrote: each claim cut down
 * to its DossierFacts, so no name, reference or description; contact points only as kinds). Only the sending
 * functions may invoke Decide (IAM), so the facts are checked for their shape, not field by field: the domain's
 * CaseFacts type is their contract, and both ends are this code.
 */
const FactsShape = z.looseObject({
  debtor: z.looseObject({ optOuts: z.array(z.string()), flags: z.array(z.string()) }),
  dossiers: z.array(z.looseObject({ dossierId: z.string(), status: z.string() })),
  journey: z.looseObject({ journeyNo: positiveInt(), stepNo: nonNegativeInt(), contacts: z.array(z.looseObject({})) }),
  contacts: z.array(z.looseObject({})),
  signals: z.looseObject({}),
  totals: z.looseObject({ contacts: nonNegativeInt() }),
});

/**
 * A sending step's question to the Decide function (services/ask-decide.ts): `plan`, the plan at `at` (the moment its
 * next step is due) for the case after its send; `now`, the decision at `at` for a case that changed since the step's
 * action was decided.
 */
export const DecisionRequest = z.object({
  kind: z.enum(['plan', 'now']),
  caseId: z.string().check(z.minLength(1)),
  seenEventSeq: nonNegativeInt(),
  at: instant,
  facts: FactsShape,
});
export type DecisionRequest = Omit<z.infer<typeof DecisionRequest>, 'facts'> & { facts: CaseFacts };
const DecisionRequestEvent = z.object({ decide: DecisionRequest });

/** The question in a `{ decide }` event; its facts' shape checked, their fields typed as the sender's CaseFacts. */
export function parseDecisionRequest(event: unknown): DecisionRequest {
  return DecisionRequestEvent.parse(event).decide as unknown as DecisionRequest;
}
