/**
 * A journey channel step (Letter / Email / SMS / WhatsApp / CallTask); the Await state is ./await-step.ts. Each is a
 * .waitForTaskToken task: this code carries out the action, leaves the task token on the case and a timer for
 * the planned moment, and returns; the state then waits until something happens to the case (a reply, a payment
 * ends the wait into Decide) or the timer ends it with the planned next action.
 *
 * A send, in the happy path, costs two writes and no read:
 *  1. the claim — one conditional update of the case, only if nothing happened since the decision (eventSeq) and
 *     the step was not claimed before: the contact is recorded, the token and the decision's view stored, and
 *     the whole case comes back to render from (store/cases.ts claimStep);
 *  2. after the provider took it, one batch: the decision entry, the 'sent' entry, costs, the provider-id look-up.
 * Then the plan for the next moment is computed (pure) and its timer set.
 *
 * At most once per (case, journey, step): the claim comes before the provider call, and nothing gives it back
 * once the provider accepted. A retried or replayed step finds its claim: with its 'sent' entry it only repeats
 * the idempotent bookkeeping; without one it is still in flight (SendInProgress, Step Functions retries later) or,
 * past its lease, interrupted. A letter is then asked again under the same Idempotency-Key (the print service
 * answers what it did, and posts nothing twice); for an SMS or WhatsApp message Twilio is asked what it took for
 * the number since the claim (confirmed as sent, or sent now when it took nothing); an email SendGrid may have
 * taken cannot be confirmed, so it is recorded as interrupted and never resent (a duplicate is worse than a missed
 * reminder).
 * A transient provider failure gives the claim back and throws, so Step Functions retries with backoff; a
 * permanent one marks the contact point unusable and wakes Decide to fail over. Nothing personal is logged.
 */
import { isContactAllowed, localDate } from '../domain/calendar.js';
import { instalmentClaimCosts, wikCosts } from '../domain/costs.js';
import { accrualStop, claimAmounts } from '../domain/case/amounts.js';
import { messageContradictions } from '../domain/message-guard.js';
import { type CaseState, type ClaimRecord, claimsOf, contactFor, isActive, nameFor, pointOptedOut } from '../domain/case/state.js';
import { CONTACT_POINT_OF, type Channel, SEGMENTS, type Segment } from '../domain/vocabulary.js';
import { renderMessage, RenderError } from '../channels/render.js';
import {
  type ChannelAdapter,
  describeProviderError,
  type OutgoingMessage,
  PermanentSendError,
  ProviderUnavailableError,
  type ProviderMessage,
} from '../channels/port.js';
import { letterKey, type LetterStorage, letterStorageFromEnv } from '../channels/letter-storage.js';
import { adapterFor, setAdapters } from '../channels/adapters.js';
import type { AgencyDetails, RenderedMessage, RenderInput } from '../channels/render-contract.js';
import { pageLinkFor } from './page-links.js';
import { firstUnpaid, due as instalmentDue } from '../domain/arrangements.js';
import { logger } from '../shared/logger.js';
import { metrics, type SendOutcome } from '../shared/metrics.js';
import { redact } from '../shared/redact.js';
import type { Action, ChannelStepEvent, JourneyState, SendAction } from '../shared/schemas.js';
import { claimStep, setToken } from '../store/cases.js';
import { type Client, getClient } from '../store/clients.js';
import { phoneIndexItem } from '../store/identity.js';
import { getMessageRef, messageRefItem } from '../store/messages.js';
import { taskIdFor, taskItem } from '../store/tasks.js';
import type { Item } from '../store/batch.js';
import { appendEvents, getEvent, type NewEvent } from '../store/timeline.js';
import agency from '../../templates/agency.json' with { type: 'json' };
import { loadCase, mutateCase } from './case.js';
import { askDecide } from './ask-decide.js';
import { endWait } from './journeys.js';
import { decisionRecords } from './records.js';
import { strategyId } from './strategy-file.js';
import { setTimer, timerName } from './timers.js';
import { exposureCounters, sendCounters } from './learning.js';
import { decideAgain, park, stateOf } from './await-step.js';
import type { ContactFact } from '../domain/case/facts.js';

/**
 * A claim older than this with no outcome was left by a crashed attempt: no attempt lives longer than its
 * Lambda (30 s for messages, 60 s for letters), and the adapters stop retrying well inside that.
 */
export const DEFAULT_SEND_LEASE_MS = 65_000;
const isSegment = (v: string): v is Segment => (SEGMENTS as readonly string[]).includes(v);
const sendLeaseMs = () => Number(process.env.SEND_LEASE_MS ?? DEFAULT_SEND_LEASE_MS);

/** WhatsApp's customer-service window: free text only within 24 h of the debtor's last WhatsApp message. */
export const WHATSAPP_WINDOW_MS = 24 * 3600_000;

/** Another attempt of the same step holds the claim right now: Step Functions retries later. */
export class SendInProgressError extends Error {
  override readonly name = 'SendInProgress';
  constructor() {
    super('another attempt of this step is still sending');
  }
}

/** Not sent because of a rule (opt-out, no WhatsApp opt-in, unusable contact point): a skip, not a failure. */
class SendBlockedError extends PermanentSendError {}

type MessageChannel = OutgoingMessage['channel'];

let storage: LetterStorage | undefined;

function letterStorage(): LetterStorage {
  storage ??= letterStorageFromEnv();
  return storage;
}

/** Tests and the local runtime: forget adapters built from an earlier configuration (or inject some). */
export function resetAdapters(inject: { adapters?: Partial<Record<MessageChannel, ChannelAdapter>>; letterStorage?: LetterStorage } = {}): void {
  setAdapters(inject.adapters);
  storage = inject.letterStorage;
}

/** What a successful send leaves on the timeline. */
interface Sent {
  providerId: string;
  template: string;
  language: string;
  /** the contact point used (look-ups, not shown to creditors) */
  to?: string;
  meta?: Record<string, unknown>;
  /** items written with the step's timeline entries (a call task) */
  items?: Item[];
}

export async function runChannelStep(ev: ChannelStepEvent, now: Date): Promise<void> {
  const { state, taskToken } = ev;
  const action = state.action;
  if (!action || action.type === 'done' || action.type === 'decide') throw new Error('channel step got no send or wait action');
  if (action.type === 'wait') return park(state, action, taskToken, now);
  if (ev.channel !== action.channel) throw new Error(`step ${ev.channel} got an action for ${action.channel}`);
  // An action of the first version (no plan moment) or one planned under another strategy: decide afresh.
  if (!action.nextDecisionAt || (action.strategy !== undefined && action.strategy !== strategyId())) return redecide(state, action, taskToken, now);
  // Decide chose an allowed moment, but a retry or a slow start can carry the send past 20:00 or into a Sunday:
  // the law is checked again at the moment of sending, and Decide picks the next allowed moment instead.
  if (action.channel !== 'letter' && !isContactAllowed(now)) {
    await endWait(taskToken, decideAgain(state, 'outside contact hours'));
    return;
  }
  const c = await claim(state, action, taskToken, now);
  if (!c) return unclaimed(state, action, taskToken, now);
  await sendClaimed(c, action, taskToken, now);
}

/** The contact a send records on the case: with the segment and the experiments it is under (KPIs, results). */
function contactOf(action: SendAction, journeyNo: number, at: string): ContactFact & { stepNo: number } {
  return {
    at,
    channel: action.channel,
    phase: action.phase,
    tone: action.tone,
    stepNo: action.stepNo,
    journeyNo,
    dossierIds: action.dossierIds,
    ...(action.aside ? { aside: true } : {}),
    ...(action.log && isSegment(action.log.segment) ? { seg: action.log.segment } : {}),
    ...(action.experiments?.length ? { x: action.experiments.map((x) => `${x.experimentId}:${x.variant}`) } : {}),
  };
}

async function claim(state: JourneyState, action: SendAction, token: string, now: Date): Promise<CaseState | undefined> {
  const at = now.toISOString();
  const contact = contactOf(action, state.journeyNo, at);
  const assignments = action.experiments?.filter((x) => x.assigned).map(({ experimentId, variant }) => ({ experimentId, variant })) ?? [];
  return claimStep({
    caseId: state.caseId,
    journeyNo: state.journeyNo,
    seenEventSeq: action.seenEventSeq,
    contact,
    ...(assignments.length ? { assignments } : {}),
    // the debtor joins these experiments with this contact: the claim's write carries the exposures
    counters: exposureCounters(state.caseId, assignments, contact.at),
    ...(action.arrangement ? { arrangement: action.arrangement } : {}),
    letterFor: action.channel === 'letter' && action.phase === 'fourteen_day_letter' ? action.dossierIds : undefined,
    token,
    timer: timerName(state.caseId, state.journeyNo, action.stepNo, action.seenEventSeq),
    view: { phase: action.phase, ...(action.log ? { segment: action.log.segment, segmentReasons: action.log.segmentReasons } : {}), nextContactAt: action.nextDecisionAt },
    costs: action.costs,
    ...(action.termEndDate ? { statedTermEnd: action.termEndDate } : {}),
    openTask:
      action.channel === 'call'
        ? { taskId: taskIdFor(state.caseId, state.journeyNo, action.stepNo), stepNo: action.stepNo, dueAt: action.nextDecisionAt! }
        : action.expiredTask
          ? null
          : undefined,
    at,
  });
}

/** The claim did not take: the journey ended, the step was claimed before (a replay), or something happened. */
async function unclaimed(state: JourneyState, action: SendAction, token: string, now: Date): Promise<void> {
  const c = await loadCase(state.caseId, now);
  if (!c || !isActive(c, state.journeyNo)) {
    await endWait(token, decideAgain(state, 'journey closed or superseded'));
    return;
  }
  if (c.journey.claim?.stepNo === action.stepNo) return replay(c, action, token, now);
  if (c.journey.stepNo >= action.stepNo) {
    // settled already (failed over, or failed through the Catch and moved on): a late replay must not send
    logger.info('stale step ignored', { caseId: c.caseId, stepNo: action.stepNo, channel: action.channel });
    await endWait(token, decideAgain(state, 'stale step'));
    return;
  }
  return redecide(state, action, token, now, c);
}

/** Something changed since the decision: decide now; the same channel sends at once, another goes through Route. */
async function redecide(state: JourneyState, action: SendAction, token: string, now: Date, known?: CaseState): Promise<void> {
  const c = known ?? (await loadCase(state.caseId, now));
  if (!c || !isActive(c, state.journeyNo)) {
    await endWait(token, decideAgain(state, 'journey closed or superseded'));
    return;
  }
  let fresh: Action;
  try {
    fresh = await askDecide('now', c, now);
  } catch (err) {
    // Nothing was claimed or sent: the Decide state decides instead (never a send failure, never a channel switch).
    logger.warn('decision not asked; handed to the Decide state', { caseId: c.caseId, errorName: (err as Error)?.name });
    await endWait(token, decideAgain(state, 'decide unavailable'));
    return;
  }
  if (fresh.type === 'send' && fresh.channel === action.channel && fresh.nextDecisionAt && isContactAllowed(now)) {
    const claimed = await claim(state, fresh, token, now);
    if (claimed) return sendClaimed(claimed, fresh, token, now);
  }
  await endWait(token, fresh.type === 'done' ? decideAgain(state, 'the journey ends') : stateOf(c, fresh));
}

/** This step was claimed by an earlier attempt. */
async function replay(c: CaseState, action: SendAction, token: string, now: Date): Promise<void> {
  await setToken(c.caseId, c.journey.journeyNo, token);
  const claimAt = c.journey.claim!.at;
  if (await getEvent(c.caseId, claimAt, sentEventId(c, action.stepNo))) {
    // Sent by the earlier attempt: nothing is sent again; the plan and its timer are made again (idempotent).
    await scheduleNext(c, action, token);
    return;
  }
  if (now.getTime() - Date.parse(claimAt) < sendLeaseMs()) throw new SendInProgressError();
  // The print service keeps an Idempotency-Key per step: asking again tells whether it took the letter (and
  // posts it only if it never did), so a letter is recorded as what really happened.
  if (action.channel === 'letter') return sendClaimed(c, action, token, now);
  // Twilio can list what it took for the number since the claim: confirmed as sent, or sent now if it has nothing.
  if (action.channel === 'sms' || action.channel === 'whatsapp') return confirmWithProvider(c, action, token, now);
  // SendGrid cannot be asked whether it took a message (no idempotency key, no per-recipient search in its send API):
  // in doubt, recorded as such and never resent.
  await failStep(c, action, token, now, {
    reason: `${action.channel} step was interrupted while sending and ${action.channel === 'email' ? 'SendGrid' : 'the provider'} cannot be asked whether it took it; not sent again to avoid a duplicate`,
    kind: 'send_failed',
    outcome: 'interrupted',
  });
}

/** How far before the claim a message the provider took may be dated (clocks differ by a little). */
const CONFIRM_SKEW_MS = 60_000;

/**
 * An SMS or WhatsApp step interrupted past its lease: Twilio is asked which messages it took for the number since
 * the claim. One that no other step of ours accounts for (no provider-message look-up names another step) is this
 * step's: it is recorded as sent — what really happened. None: Twilio never took it, so it is sent now (the claim is
 * still this step's). Twilio could not be asked: in doubt, recorded as interrupted and never resent.
 */
async function confirmWithProvider(c: CaseState, action: SendAction, token: string, now: Date): Promise<void> {
  const channel = action.channel as MessageChannel;
  const claimAt = c.journey.claim!.at;
  const point = contactFor(c, channel, action.dossierIds);
  let found: ProviderMessage[] | undefined;
  let why = 'no usable number to ask about';
  if (point) {
    try {
      const adapter = await adapterFor(channel);
      found = adapter.sentSince ? await adapter.sentSince({ channel, to: point.value, since: new Date(Date.parse(claimAt) - CONFIRM_SKEW_MS) }) : undefined;
      if (!found) why = 'the provider cannot be asked';
    } catch (err) {
      why = `Twilio could not be asked (${err instanceof PermanentSendError || err instanceof ProviderUnavailableError ? redact(err.message) : describeProviderError(err)})`;
    }
  }
  if (!found) {
    await failStep(c, action, token, now, { reason: `${channel} step was interrupted while sending and ${why}; not sent again to avoid a duplicate`, kind: 'send_failed', outcome: 'interrupted' });
    return;
  }
  const refs = await Promise.all(found.map((m) => getMessageRef(m.providerId)));
  const mine = found.filter((_, i) => {
    const ref = refs[i];
    return !ref || (ref.caseId === c.caseId && ref.journeyNo === c.journey.journeyNo && ref.stepNo === action.stepNo);
  })[0];
  if (!mine) {
    logger.info('interrupted send not taken by the provider; sending now', { caseId: c.caseId, stepNo: action.stepNo, channel });
    return sendClaimed(c, action, token, now);
  }
  await recordSent(c, action, {
    providerId: mine.providerId,
    template: action.template,
    language: action.language,
    to: point!.value,
    meta: { confirmed: 'after an interruption', providerStatus: mine.status, ...(mine.segments !== undefined ? { segments: mine.segments } : {}) },
  });
  await scheduleNext(c, action, token);
  logger.info('interrupted send confirmed with the provider', { caseId: c.caseId, stepNo: action.stepNo, channel });
}

const sentEventId = (c: Pick<CaseState, 'journey'>, stepNo: number) => `send-${c.journey.journeyNo}-${stepNo}`;

async function sendClaimed(c: CaseState, action: SendAction, token: string, now: Date): Promise<void> {
  let sent: Sent;
  try {
    sent = action.channel === 'call' ? await createCallTask(c, action, now) : await sendMessage(c, action, now);
  } catch (err) {
    if (err instanceof PermanentSendError || err instanceof RenderError) {
      const reason = err instanceof RenderError ? `the message could not be made (${redact(err.message)})` : err.message;
      if (err instanceof RenderError) logger.error('message could not be rendered', { caseId: c.caseId, stepNo: action.stepNo, channel: action.channel, error: redact(err.message) });
      // a template or a rule is wrong: operators must hear of it, not only the timeline
      if (err instanceof ContradictionError) logger.error('message contradicts the legal state of its claims; not sent', { caseId: c.caseId, stepNo: action.stepNo, channel: action.channel, phase: action.phase, error: err.message });
      const point = err instanceof PermanentSendError && err.contactPoint ? contactFor(c, action.channel, action.dossierIds) : undefined;
      await failStep(c, action, token, now, {
        reason,
        kind: err instanceof SendBlockedError ? 'send_skipped' : 'send_failed',
        outcome: err instanceof RenderError ? 'render_failed' : err instanceof SendBlockedError ? 'skipped' : err instanceof ContradictionError ? 'contradicted' : 'rejected',
        ...(point && err instanceof PermanentSendError && err.contactPoint ? { contactPoint: { kind: err.contactPoint, value: point.value, reason } } : {}),
      });
      return;
    }
    // Transient (the provider stayed unavailable through the adapter's retries, or storage failed before the
    // provider took the message): give the claim back so the Step Functions retry can send.
    await mutateCase(c.caseId, now, () => [{ type: 'step_released', at: now.toISOString(), stepNo: action.stepNo }]);
    metrics.sent(action.channel, 'provider_error');
    logger.warn('send failed, Step Functions will retry', {
      caseId: c.caseId,
      stepNo: action.stepNo,
      channel: action.channel,
      errorName: (err as Error)?.name,
      error: redact((err as Error)?.message ?? String(err)),
    });
    throw err;
  }
  // The provider has the message (or the agent has the task): from here on the claim is never given back.
  await recordSent(c, action, sent);
  await scheduleNext(c, action, token);
  logger.info('step sent', { caseId: c.caseId, stepNo: action.stepNo, channel: action.channel });
}

/** The timeline entries of a sent step, the provider-id look-up and the phone's "messaged last" mark. Idempotent. */
async function recordSent(c: CaseState, action: SendAction, sent: Sent): Promise<void> {
  const at = c.journey.claim!.at;
  const segments = typeof sent.meta?.segments === 'number' ? sent.meta.segments : undefined;
  const how = sent.meta?.contentSid ? `, approved WhatsApp template ${String(sent.meta.contentSid)}` : action.channel === 'whatsapp' ? ', free text inside the 24 h window' : '';
  const entry: NewEvent = {
    eventId: sentEventId(c, action.stepNo),
    at,
    type: action.channel === 'call' ? 'call_task' : 'sent',
    channel: action.channel,
    detail:
      action.channel === 'call'
        ? `Call task ${sent.providerId} created for an agent.`
        : `${action.channel} sent (${sent.template}, ${action.tone}, ${sent.language})${segments !== undefined ? `, ${segments} SMS segment(s)` : ''}${how}${sent.meta?.confirmed ? `; the step was interrupted, and ${action.channel === 'letter' ? 'the print service' : 'Twilio'} confirmed it took the message` : ''}.`,
    dossierIds: action.dossierIds,
    stepNo: action.stepNo,
    template: sent.template,
    tone: action.tone,
    language: sent.language,
    providerId: sent.providerId,
    data: {
      ...(sent.meta ?? {}),
      journeyNo: c.journey.journeyNo,
      phase: action.phase,
      // every send records the experiments it is under (KPIs, results, audit)
      ...(action.experiments?.length ? { experiments: action.experiments.map((x) => `${x.experimentId}:${x.variant}`) } : {}),
    },
  };
  // the entry records the contact: it carries what the contact adds to the learning counters (the stream adds it)
  const contact = c.journey.contacts.find((x) => x.stepNo === action.stepNo && x.at === at);
  if (contact) entry.counters = sendCounters(c, contact);
  const extra: Item[] = [...(sent.items ?? [])];
  if (action.channel !== 'call') {
    extra.push(
      messageRefItem({
        providerId: sent.providerId,
        caseId: c.caseId,
        journeyNo: c.journey.journeyNo,
        stepNo: action.stepNo,
        channel: action.channel,
        template: sent.template,
        tone: action.tone,
        language: sent.language,
        dossierIds: action.dossierIds,
        sentAt: at,
        ...(sent.meta ? { meta: sent.meta } : {}),
      }),
    );
  }
  // A reply from a number several debtors share goes to the one messaged there last (engagement.ts).
  if ((action.channel === 'sms' || action.channel === 'whatsapp') && sent.to) extra.push(phoneIndexItem(sent.to, c.caseId, at));
  await appendEvents(c.caseId, [...decisionRecords(c, action, new Date(at)), entry], extra);
  // Once per step: counted with its 'sent' entry, which a replay finds (and then sends and counts nothing).
  metrics.sent(action.channel, 'sent');
}

/**
 * The plan for the moment the next step is due (if nothing happens until then), asked of the Decide function, and
 * the timer that carries it out: straight into the next channel state, or into Decide when the plan is to end.
 */
async function scheduleNext(c: CaseState, action: SendAction, token: string): Promise<void> {
  const at = new Date(action.nextDecisionAt!);
  const name = c.journey.timer ?? timerName(c.caseId, c.journey.journeyNo, action.stepNo, action.seenEventSeq);
  // After a call task Decide runs first: a task nobody completed in time expires before the journey moves on.
  const plan = action.channel === 'call' ? undefined : await planFor(c, at);
  await setTimer(
    name,
    at,
    plan?.type === 'send' ? { kind: 'output', taskToken: token, output: stateOf(c, plan) } : { kind: 'wake', caseId: c.caseId, journeyNo: c.journey.journeyNo, taskToken: token },
  );
}

/** The plan at `at`; without an answer from Decide the timer wakes Decide then, which decides as the plan would have. */
async function planFor(c: CaseState, at: Date): Promise<Action | undefined> {
  try {
    return await askDecide('plan', c, at);
  } catch (err) {
    logger.warn('next plan not made; the timer wakes Decide instead', { caseId: c.caseId, errorName: (err as Error)?.name });
    return undefined;
  }
}

/** Why a step did not send, on the case and the timeline; wakes Decide to fail over. */
async function failStep(
  c: CaseState,
  action: SendAction,
  token: string,
  now: Date,
  f: {
    reason: string;
    kind: 'send_failed' | 'send_skipped';
    /** the Sends metric's outcome */
    outcome: Exclude<SendOutcome, 'sent' | 'provider_error'>;
    contactPoint?: { kind: 'email' | 'phone' | 'address'; value: string; reason: string };
  },
): Promise<void> {
  const at = now.toISOString();
  await mutateCase(c.caseId, now, () => [{ type: 'step_failed', at, stepNo: action.stepNo, channel: action.channel, kind: f.kind, ...(f.contactPoint ? { contactPoint: f.contactPoint } : {}) }]);
  await appendEvents(c.caseId, [
    ...decisionRecords(c, action, now),
    {
      eventId: `sendfail-${c.journey.journeyNo}-${action.stepNo}`,
      at,
      type: f.kind,
      channel: action.channel,
      detail: `${action.channel} not sent: ${f.reason}.${f.contactPoint ? ` The ${f.contactPoint.kind} is marked unusable.` : ''} Trying another channel.`,
      dossierIds: action.dossierIds,
      stepNo: action.stepNo,
      data: { reason: f.reason, ...(f.contactPoint ? { contactPoint: f.contactPoint.kind } : {}) },
    },
  ]);
  metrics.sent(action.channel, f.outcome);
  logger.warn('step not sent, failing over', { caseId: c.caseId, stepNo: action.stepNo, channel: action.channel, reason: f.reason, type: f.kind });
  await endWait(token, decideAgain({ caseId: c.caseId, journeyNo: c.journey.journeyNo }, f.kind));
}

// ---- what a step sends ---------------------------------------------------------------------------------------

interface SendContext {
  dossiers: ClaimRecord[];
  clients: Map<string, Client | undefined>;
}

async function loadContext(c: CaseState, action: SendAction): Promise<SendContext> {
  // Only dossiers still open: nothing is ever sent about a paid, paused or withdrawn claim.
  const dossiers = claimsOf(c).filter((d) => action.dossierIds.includes(d.dossierId) && d.status === 'open');
  if (dossiers.length === 0) throw new PermanentSendError('none of the dossiers of this step is still open');
  const clients = new Map<string, Client | undefined>();
  for (const d of dossiers) if (!clients.has(d.clientId)) clients.set(d.clientId, await getClient(d.clientId));
  return { dossiers, clients };
}

/** Rules checked again at the moment of sending (Decide checked them too, but things change). */
function blockedReason(channel: Channel, c: CaseState, dossierIds: readonly string[], phase?: string): string | undefined {
  // STOPALL stops every digital channel and calls; the legally required 14-day letter still goes by post.
  if (c.optOuts.includes('all') && !(channel === 'letter' && phase === 'fourteen_day_letter')) return 'the debtor opted out of all channels';
  if (c.optOuts.includes(channel)) return `the debtor opted out of ${channel}`;
  if (channel === 'whatsapp' && !contactFor(c, 'whatsapp', dossierIds)) return 'no recorded WhatsApp opt-in';
  if (!contactFor(c, channel, dossierIds)) {
    const kind = CONTACT_POINT_OF[channel];
    const points = c.contactPoints.filter((p) => p.kind === kind);
    if (points.length && points.every((p) => pointOptedOut(p, channel))) return `someone using this ${kind} opted out of ${channel}`;
    return points.length ? `the debtor's ${kind} is marked unusable` : undefined;
  }
  return undefined;
}

/** The WhatsApp 24 h window is opened by the debtor's last message *on WhatsApp* (an SMS reply does not open it). */
function whatsappWindowOpen(c: CaseState, now: Date): boolean {
  const at = c.inbound?.whatsappAt;
  return at !== undefined && now.getTime() - Date.parse(at) < WHATSAPP_WINDOW_MS && Date.parse(at) <= now.getTime();
}

/**
 * The 14-day letter states the exact costs that will be added (DESIGN §5 rules 1–3, 6): WIK on the principal still
 * unpaid, per creditor on the sum of its claims, with VAT where that creditor cannot deduct it; an instalment claim
 * on its own, with the small-instalment cap (the same groups as Decide's cost step, domain/decide/costs.ts).
 */
export function costNoticeFor(
  dossiers: ReadonlyArray<Pick<ClaimRecord, 'clientId' | 'principal' | 'paid' | 'instalment'>>,
  clients: Map<string, Client | undefined>,
): { costs: number; vatIncluded: boolean } {
  const principalByClient = new Map<string, number>();
  let costs = 0;
  let vatIncluded = false;
  const vatFor = (clientId: string) => clients.get(clientId)?.vatOnCosts === true;
  for (const d of dossiers) {
    const open = Math.max(0, d.principal - d.paid);
    if (!d.instalment) {
      principalByClient.set(d.clientId, (principalByClient.get(d.clientId) ?? 0) + open);
      continue;
    }
    const monthly = d.instalment.monthlyAmountCents;
    const overdueInstalments = Math.max(1, Math.ceil(d.principal / monthly));
    costs += open === 0 ? 0 : instalmentClaimCosts({ monthlyAmountCents: monthly, overdueInstalments, overdueCents: open, vat: vatFor(d.clientId) }).total;
    vatIncluded ||= vatFor(d.clientId);
  }
  for (const [clientId, principal] of principalByClient) {
    costs += wikCosts(principal, { vat: vatFor(clientId) }).total;
    vatIncluded ||= vatFor(clientId);
  }
  return { costs, vatIncluded };
}

/** What an arrangement message shows: the offer's plans, or the instalment a reminder is about. */
function arrangementInput(c: CaseState, action: SendAction): Pick<RenderInput, 'topic' | 'offer' | 'instalment'> {
  if (!action.topic) return {};
  const a = action.arrangement?.proposed ?? c.arrangement;
  if (action.topic === 'arrangement_offer') {
    const options = (a?.options ?? []).map((o, i) => ({ no: i + 1, months: o.months, monthly: o.monthly, firstDue: o.instalments[0].dueDate }));
    return { topic: action.topic, offer: { options, debtHelp: true } };
  }
  const next = a ? firstUnpaid(a) : undefined;
  if (!a || !next) return {};
  return { topic: action.topic, instalment: { no: next.no, of: a.instalments.length, amount: instalmentDue(next.instalment), dueDate: next.instalment.dueDate } };
}

function renderInput(c: CaseState, action: SendAction, ctx: SendContext, now: Date, whatsappWindow: boolean, paymentLink: string): RenderInput {
  const { dossiers, clients } = ctx;
  const day = localDate(now);
  const stop = accrualStop(c);
  const claims = dossiers.map((d) => {
    // What is owed today, statutory interest included where the creditor claims it (domain/case/amounts.ts).
    const a = claimAmounts(d, day, { stopAccrualOn: stop });
    return {
      reference: d.reference,
      description: d.description,
      creditorName: clients.get(d.clientId)?.name ?? d.clientId,
      principal: d.principal,
      costs: d.costs,
      ...(a.interest > 0 ? { interest: a.interest } : {}),
      paid: d.paid,
      outstanding: a.outstanding,
    };
  });
  const address = contactFor(c, 'letter', action.dossierIds)?.address;
  return {
    channel: action.channel,
    phase: action.phase,
    tone: action.tone,
    language: action.language,
    now,
    debtor: { name: nameFor(c, action.dossierIds), ...(address ? { address } : {}) },
    claims,
    totalOutstanding: claims.reduce((sum, cl) => sum + cl.outstanding, 0),
    paymentLink,
    ...arrangementInput(c, action),
    agency: agency as AgencyDetails,
    ...(action.phase === 'fourteen_day_letter' ? { costNotice: costNoticeFor(dossiers, clients) } : {}),
    ...(action.channel === 'whatsapp' ? { whatsappWindowOpen: whatsappWindow } : {}),
    ...(action.templateVariant ? { variant: action.templateVariant } : {}),
    // A follow-up of the 14-day letter names the letter's term end as costs are charged on it (Decide computed it;
    // the claim recorded it on the claims, so the costs wait for it).
    ...(action.termEndDate ? { termEndDate: action.termEndDate } : {}),
  };
}

/**
 * The message would contradict the legal state of its claims (domain/message-guard.ts): it is not sent. A bug
 * in a template or a decision, never the debtor's doing: it fails like a send that failed after its retries, so
 * Decide tries another channel (and the error log says a template or rule needs fixing).
 */
class ContradictionError extends PermanentSendError {}

function checkLawful(rendered: RenderedMessage, action: SendAction, ctx: SendContext, now: Date): void {
  const problems = messageContradictions({
    channel: action.channel,
    phase: action.phase,
    ...(action.termEndDate ? { termEndDate: action.termEndDate } : {}),
    // An arrangement message (its own topic) states the plan's dates, no term: held to the rule for other messages.
    ...(action.topic ? { aside: true } : {}),
    text: [rendered.subject ?? '', rendered.text].join('\n'),
    claims: ctx.dossiers,
    needsLetter: (d) => d.consumer !== false,
    now,
  });
  if (problems.length) throw new ContradictionError(`the message would contradict the legal state of its claims: ${problems.join('; ')}`);
}

function statusCallbackUrl(c: CaseState, action: SendAction): string | undefined {
  const base = process.env.PUBLIC_BASE_URL;
  if (!base || (action.channel !== 'sms' && action.channel !== 'whatsapp')) return undefined;
  // The correlation travels in the (signed) URL, so a status finds its step without a look-up.
  const q = new URLSearchParams({ c: c.caseId, j: String(c.journey.journeyNo), s: String(action.stepNo) });
  return `${base.replace(/\/$/, '')}/webhooks/twilio/status?${q}`;
}

async function sendMessage(c: CaseState, action: SendAction, now: Date): Promise<Sent> {
  const channel = action.channel as MessageChannel;
  const blocked = blockedReason(channel, c, action.dossierIds, action.phase);
  if (blocked) throw new SendBlockedError(blocked);
  const point = contactFor(c, channel, action.dossierIds);
  const to = channel === 'letter' ? point?.address?.line1 : point?.value;
  if (!point || !to) throw new PermanentSendError(`debtor has no ${channel === 'email' ? 'email address' : channel === 'letter' ? 'address' : 'phone number'}`);
  const ctx = await loadContext(c, action);
  const link = await pageLinkFor(c, action.stepNo, action.dossierIds, now, action.topic === 'instalment_reminder' || action.topic === 'instalment_missed' ? (arrangementInput(c, action).instalment?.no ?? 0) : 0);
  const rendered = await renderMessage(renderInput(c, action, ctx, now, channel === 'whatsapp' && whatsappWindowOpen(c, now), link));
  checkLawful(rendered, action, ctx, now);
  const correlation = { caseId: c.caseId, journeyNo: c.journey.journeyNo, stepNo: action.stepNo };
  let storedAt: string | undefined;
  if (channel === 'letter') {
    // Kept before it is posted: what the debtor received can always be shown later.
    const stored = await letterStorage().put(letterKey(correlation), rendered.pdf ?? rendered.pdfLater!, { template: rendered.template, case: c.caseId, step: `${c.journey.journeyNo}-${action.stepNo}` });
    storedAt = stored.uri;
  }
  const adapter = await adapterFor(channel);
  const { providerId } = await adapter.send({
    channel,
    to,
    name: nameFor(c, action.dossierIds),
    ...(point.address ? { address: point.address } : {}),
    rendered,
    correlation,
    statusCallbackUrl: statusCallbackUrl(c, action),
    storedAt,
  });
  return { providerId, template: rendered.template, language: rendered.language, to: point.value, meta: metaOf(rendered, storedAt) };
}

function metaOf(rendered: RenderedMessage, storedAt: string | undefined): Record<string, unknown> | undefined {
  if (rendered.sms) return { encoding: rendered.sms.encoding, segments: rendered.sms.segments };
  if (rendered.whatsappTemplate) return { contentSid: rendered.whatsappTemplate.contentSid };
  if (storedAt) return { storedAt };
  return undefined;
}

/** The CallTask step: an agent task that carries this step's task token; the agent's outcome resumes the journey. */
async function createCallTask(c: CaseState, action: SendAction, now: Date): Promise<Sent> {
  const blocked = blockedReason('call', c, action.dossierIds);
  if (blocked) throw new SendBlockedError(blocked);
  const phone = contactFor(c, 'call', action.dossierIds);
  if (!phone) throw new PermanentSendError('debtor has no phone number');
  const ctx = await loadContext(c, action);
  const rendered = await renderMessage(renderInput(c, action, ctx, now, false, await pageLinkFor(c, action.stepNo, action.dossierIds, now)));
  checkLawful(rendered, action, ctx, now);
  const taskId = taskIdFor(c.caseId, c.journey.journeyNo, action.stepNo);
  const at = now.toISOString();
  const task = taskItem({
    taskId,
    reason: 'call',
    caseId: c.caseId,
    journeyNo: c.journey.journeyNo,
    stepNo: action.stepNo,
    status: 'open',
    dueAt: action.nextDecisionAt ?? new Date(now.getTime() + action.awaitSeconds * 1000).toISOString(),
    createdAt: at,
    dossierIds: action.dossierIds,
    context: {
      debtorName: nameFor(c, action.dossierIds),
      phone: phone.value,
      language: action.language,
      segment: c.journey.segment ?? null,
      segmentReasons: c.journey.segmentReasons ?? [],
      openDossiers: ctx.dossiers.map((d) => ({
        dossierId: d.dossierId,
        reference: d.reference,
        creditor: ctx.clients.get(d.clientId)?.name ?? d.clientId,
        status: d.status,
        outstanding: claimAmounts(d, localDate(now), { stopAccrualOn: accrualStop(c) }).outstanding,
      })),
      lastContacts: c.contacts
        .filter((x) => x.stepNo !== action.stepNo || x.journeyNo !== c.journey.journeyNo)
        .slice(-5)
        .map((x) => ({ at: x.at, type: x.channel === 'call' ? 'call_task' : 'sent', channel: x.channel, detail: `${x.channel} ${x.phase ?? ''}${x.tone ? ` (${x.tone})` : ''}`.trim(), ...(x.arrived ? { arrived: true } : {}), ...(x.returned ? { returned: true } : {}) })),
      talkingLine: rendered.text,
    },
  });
  // Written with the step's timeline entries (one request); a replay with its 'sent' entry never writes it again.
  return { providerId: taskId, template: rendered.template, language: rendered.language, items: [task] };
}
