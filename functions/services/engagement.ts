/**
 * What comes back from debtors and providers: replies (Twilio inbound), delivery statuses (Twilio status
 * callbacks, SendGrid events). Each is written to the case first — as an event of the domain's reducer — and
 * then wakes the journey where it may change the next step. Webhook deliveries are deduplicated, so a
 * redelivered one changes the case and the timeline once.
 */
import { type CaseEvent, applyEvent } from '../domain/case/events.js';
import { INTENT_TEXT } from '../domain/case/visibility.js';
import { replyScope } from '../domain/case/reply-scope.js';
import { type ClassifiedReply, SAFETY_ORDER, classifyReply } from '../domain/intents/index.js';
import { optOutsOf, planReply, type ReplyPlan } from '../domain/conversation.js';
import type { Channel, OptOut } from '../domain/vocabulary.js';
import { answerReply, createReplyTasks, replyTaskId } from './conversation.js';

export { PAGE_STATEMENTS, recordPageStatement } from './page-statements.js';
import { logger } from '../shared/logger.js';
import { metrics } from '../shared/metrics.js';
import { redact } from '../shared/redact.js';
import { debtorsByPhone, recordNumberOptOut } from '../store/identity.js';
import { getMessageRef, webhookDone, webhookReceipt } from '../store/messages.js';
import { createTaskOnce } from '../store/tasks.js';
import { appendEvents, type NewEvent, type TimelineType } from '../store/timeline.js';
import { changedProjections, mutateCase } from './case.js';
import { wakeJourney } from './journeys.js';
import { type Acceptance, acceptanceEvents, acceptanceTimeline, offerEvents, openClaims } from './arrangements.js';
import { type Arrangement, offerChoice } from '../domain/arrangements.js';

/** A shared number's reply goes to the debtor messaged there last, if that was this recently; else to a person. */
export const SHARED_NUMBER_WINDOW_MS = 30 * 86_400_000;
/** Messaged there closer together than this: it is not clear which message the reply answers. */
export const SHARED_NUMBER_TIE_MS = 86_400_000;

/**
 * Whose reply is this? One debtor with this number: that one. Several (a family's shared phone): the one the
 * agency messaged there last within 30 days; otherwise nobody — an agent decides, never a guess.
 */
export async function debtorForReply(phone: string, now: Date): Promise<{ debtorId?: string; candidates: string[]; why?: string }> {
  const owners = await debtorsByPhone(phone);
  if (owners.length <= 1) return { debtorId: owners[0]?.debtorId, candidates: owners.map((o) => o.debtorId) };
  const candidates = owners.map((o) => o.debtorId);
  const recent = owners
    .filter((o) => o.lastMessagedAt && now.getTime() - Date.parse(o.lastMessagedAt) <= SHARED_NUMBER_WINDOW_MS)
    .sort((a, b) => b.lastMessagedAt!.localeCompare(a.lastMessagedAt!));
  if (recent.length === 0) return { candidates, why: 'a reply from a number several debtors share; none was messaged there in the last 30 days' };
  // Two messaged there within a day of each other (a family's messages in one morning's batch): no "last" one.
  if (recent.length > 1 && Date.parse(recent[0].lastMessagedAt!) - Date.parse(recent[1].lastMessagedAt!) < SHARED_NUMBER_TIE_MS) {
    return { candidates, why: 'a reply from a number several debtors share; more than one was messaged there within a day of the other' };
  }
  return { debtorId: recent[0].debtorId, candidates };
}

/**
 * A debtor's SMS or WhatsApp reply: understood (domain/intents), written to the case (the reducer applies its
 * intent, opt-outs and holds), put on the timeline, handed to agents where it needs a person, answered once
 * (services/conversation.ts), and only then the journey woken. A redelivered webhook is recognised by its receipt;
 * one that comes while the first is still at work repeats only idempotent writes and finds the answer claimed.
 */
export async function handleInboundMessage(msg: { MessageSid: string; From: string; Body: string }, now: Date): Promise<void> {
  const receipt = await webhookReceipt('twilio-in', msg.MessageSid, now);
  if (receipt.done) return;
  const channel = msg.From.startsWith('whatsapp:') ? 'whatsapp' : 'sms';
  const phone = msg.From.replace(/^whatsapp:/, '');
  const { debtorId, candidates, why } = await debtorForReply(phone, now);
  if (!debtorId) {
    if (candidates.length) await unassignedReply(msg, channel, phone, candidates, why!, receipt.at, now);
    else logger.info('reply from an unknown number ignored', { messageSid: msg.MessageSid });
    await webhookDone('twilio-in', msg.MessageSid);
    return;
  }
  const at = receipt.at;
  const classified = classifyReply(msg.Body, new Date(at));
  let reply: ClassifiedReply = classified;
  let accepted: Acceptance | undefined;
  let dossierIds: string[] = [];
  let plan: ReplyPlan | undefined;
  const m = await mutateCase(debtorId, now, (c): CaseEvent[] => {
    dossierIds = replyScope(c, phone);
    reply = classified;
    accepted = undefined;
    const repeat = c.inbound?.recent?.includes(msg.MessageSid) === true;
    // Issue 9: "1", "2", "de eerste" to an open offer about this number's claims accepts that plan: the reply is
    // the choice (no agent needs to read it), answered with the plan agreed.
    const choice = repeat || hasSafetyIntent(classified) ? undefined : offerChoice(msg.Body, c.arrangement);
    let arrangement: CaseEvent[] = [];
    if (choice !== undefined && c.arrangement!.dossierIds.every((id) => dossierIds.includes(id))) {
      const r = acceptanceEvents(c, choice, now, openClaims(c, now).filter((d) => dossierIds.includes(d.dossierId)));
      if (r) {
        accepted = r.accepted;
        arrangement = r.events;
        reply = choiceReply(choice);
        dossierIds = r.accepted.arrangement.dossierIds;
      }
    }
    // The plan reads the opt-outs as they were before this reply (a repeated reply sees its own: same plan).
    const before = repeat ? c.optOuts.filter((o) => !optOutsOf(reply, channel).includes(o)) : c.optOuts;
    plan = planReply(reply, { channel, optOuts: before, now: new Date(at) });
    const replied: CaseEvent = {
      type: 'reply',
      at,
      channel,
      intent: reply.intent,
      dossierIds,
      messageId: msg.MessageSid,
      ...(reply.also.length ? { also: reply.also } : {}),
      ...(reply.date ? { promiseDate: reply.date.date } : {}),
      ...(plan.holds.length ? { holds: plan.holds.map((reason) => ({ reason, taskId: replyTaskId(msg.MessageSid, reason) })) } : {}),
    };
    // "Ik wil een regeling" / "ik kan niet betalen": the answer is the offer (one answer; the journey, seeing an
    // offer made since the request, sends no second one). Only when the answer goes, and never past debt help.
    if (!repeat && !accepted && OFFER_ANSWERS.has(reply.intent) && plan.answer === reply.intent && !hasSafetyIntent(reply)) {
      arrangement = offerEvents(applyEvent(c, replied), dossierIds, now, `arr-${c.journey.journeyNo}-r${msg.MessageSid}`.slice(0, 80));
    }
    return [replied, ...arrangement, ...plan.optOuts.map((o) => ({ type: 'opted_out' as const, at, channel: o, dossierIds }))];
  });
  if (!m || !plan) return;
  // Whoever is filed with this number later is not messaged where it asked for no more.
  await recordNumberOptOut(phone, plan.optOuts, at);
  const events: NewEvent[] = [
    {
      eventId: `in-${msg.MessageSid}`,
      at,
      type: 'replied',
      channel,
      detail: `Debtor ${accepted ? `chose option ${accepted.chosen} of the payment arrangement offer` : (INTENT_TEXT[reply.intent] ?? 'replied')}${reply.guess ? ` (best guess: ${reply.guess.replace(/_/g, ' ')}, ${Math.round(reply.confidence * 100)}% sure)` : ''}${reply.date ? ` (${reply.date.date})` : ''}`,
      dossierIds,
      text: msg.Body.slice(0, 1600),
      intent: reply.intent,
      confidence: reply.confidence,
      data: {
        intent: reply.intent,
        confidence: reply.confidence,
        ...(reply.guess ? { guess: reply.guess } : {}),
        ...(reply.also.length ? { also: reply.also } : {}),
        ...(reply.date ? { date: reply.date.date, precision: reply.date.precision } : {}),
        ...(reply.matched ? { matched: reply.matched } : {}),
      },
    },
  ];
  for (const o of plan.optOuts) {
    events.push({
      eventId: `optout-${msg.MessageSid}-${o}`,
      at,
      type: 'opted_out',
      channel: o === 'all' ? channel : o,
      detail: o === 'all' ? 'No more messages or calls on any digital channel; legally required letters still go by post.' : `No more ${o} messages.`,
      dossierIds,
    });
  }
  if (accepted) events.push(...acceptanceTimeline(accepted, 'reply', now.toISOString()));
  else if (m.after.arrangement?.status === 'proposed' && m.after.arrangement !== m.before.arrangement) events.push(offerTimeline(m.after.arrangement, at));
  const r = { c: m.after, messageSid: msg.MessageSid, channel, phone, text: msg.Body, reply, plan, dossierIds, at } as const;
  events.push(...(await createReplyTasks(r)));
  // The reply and what it changed go on the timeline before the answer, so the answer follows it there.
  await appendEvents(debtorId, events, changedProjections(m.before, m.after));
  const later = await answerReply(r, now);
  if (later.length) await appendEvents(debtorId, later);
  await wakeJourney(m.after, `reply:${reply.intent}`);
  // Once per MessageSid: a redelivery finds the receipt done and returns before this.
  metrics.replied(reply.intent);
  await webhookDone('twilio-in', msg.MessageSid);
  logger.info('reply recorded', { debtorId, intent: reply.intent, confidence: reply.confidence, channel, tasks: plan.tasks.length });
}

/** Replies whose answer is the offer of a payment plan (issue 9). */
const OFFER_ANSWERS: ReadonlySet<string> = new Set(['arrangement', 'cannot_pay']);

/** A safety intent (opt-out, vulnerability, debt help, bankruptcy) outweighs a plan: no offer, no choice. */
const hasSafetyIntent = (r: ClassifiedReply) => [r.intent, ...r.also].some((i) => SAFETY_ORDER.includes(i));

/** A reply that picks option `n` of the open offer, as the conversation records it: an arrangement, sure. */
function choiceReply(n: number): ClassifiedReply {
  return { intent: 'arrangement', confidence: 1, also: [], channels: [], bareStop: false, matched: `option ${n} of the offer` };
}

function offerTimeline(a: Arrangement, at: string): NewEvent {
  return {
    eventId: `arr-offered-${a.id}`,
    at,
    type: 'arrangement',
    detail: `Payment arrangement offered in the answer to the reply: ${(a.options ?? []).map((o, i) => `option ${i + 1}: ${o.months} × ${o.monthly} cents (${o.costsReason})`).join('; ')}.`,
    dossierIds: a.dossierIds,
    data: { arrangement: 'proposed', options: (a.options ?? []).length },
  };
}


/**
 * A reply nobody can be sure was whose: an agent task with the candidates, no journey touched — except a STOP:
 * it holds at once for the number, for everyone who uses it (nobody is messaged there again on that channel while
 * an agent finds out whose it was).
 */
async function unassignedReply(msg: { MessageSid: string; Body: string }, channel: 'sms' | 'whatsapp', phone: string, candidates: string[], why: string, at: string, now: Date): Promise<void> {
  const stops = optOutsOf(classifyReply(msg.Body, new Date(at)), channel);
  if (stops.length) {
    await recordNumberOptOut(phone, stops, at);
    for (const caseId of candidates) {
      const m = await mutateCase(caseId, now, (c) => stops.filter((o) => !c.contactPoints.some((p) => p.value === phone && p.optedOut?.includes(o))).map((o) => ({ type: 'opted_out' as const, at, channel: o, point: phone })));
      if (!m?.changed) continue;
      await appendEvents(caseId, [{ eventId: `optout-${msg.MessageSid}`, at, type: 'opted_out', channel, detail: `Someone using a shared number asked for no more ${stops.includes('all') ? 'messages' : stops.join(', ')} there: nobody is messaged there on it.`, dossierIds: [] }]);
      await wakeJourney(m.after, 'opted_out');
    }
  }
  const created = await createTaskOnce({
    taskId: `reply_${msg.MessageSid}`,
    reason: 'unassigned_reply',
    caseId: '',
    journeyNo: 0,
    stepNo: 0,
    status: 'open',
    dueAt: new Date(Date.parse(at) + 86_400_000).toISOString(),
    createdAt: at,
    dossierIds: [],
    context: { why: stops.length ? `${why}; the number is opted out of ${stops.join(', ')} for all of them` : why, channel, phone, text: msg.Body.slice(0, 1600), candidates },
  });
  if (created) metrics.agentTask('unassigned_reply');
  logger.info('reply from a shared number given to an agent', { messageSid: msg.MessageSid, candidates: candidates.length, optOut: stops.length > 0 });
}

/**
 * Twilio error codes in a failed/undelivered status that mean the number itself cannot receive messages:
 * invalid or unreachable number (21211, 21214, 21614), unsubscribed (21610), unknown handset (30005),
 * landline or unreachable carrier (30006), not on WhatsApp (63003, 63024). Temporary ones — handset off
 * (30003), unknown error (30008), filtered (30007) — are recorded but leave the number usable.
 */
export const DEAD_NUMBER_CODES = new Set(['21211', '21214', '21610', '21614', '30005', '30006', '63003', '63024']);

interface StepRef {
  caseId: string;
  journeyNo: number;
  stepNo: number;
}

/** Where a status belongs: the correlation in the (signed) callback URL, else our provider-id look-up. */
async function statusTarget(messageSid: string, correlation: StepRef | undefined): Promise<StepRef | undefined> {
  if (correlation) return correlation;
  const ref = await getMessageRef(messageSid);
  return ref ? { caseId: ref.caseId, journeyNo: ref.journeyNo, stepNo: ref.stepNo } : undefined;
}

/** A delivery outcome for step `ref` on the case, then on the timeline; a hard failure wakes Decide to fail over. */
async function recordDelivery(
  ref: StepRef,
  channel: Channel,
  status: Extract<CaseEvent, { type: 'delivery' }>['status'],
  at: string,
  now: Date,
  entry: Omit<NewEvent, 'dossierIds' | 'at'>,
  opts: { unusable?: { value: string; reason: string }; optOut?: OptOut; wake: boolean },
): Promise<boolean> {
  let dossierIds: string[] | undefined;
  const m = await mutateCase(ref.caseId, now, (c) => {
    const contact = c.contacts.find((x) => x.stepNo === ref.stepNo && x.journeyNo === ref.journeyNo && x.channel === channel);
    if (!contact) return undefined;
    dossierIds = contact.dossierIds ?? [];
    return [
      { type: 'delivery', at, journeyNo: ref.journeyNo, stepNo: ref.stepNo, channel, status, ...(opts.unusable ? { unusable: opts.unusable } : {}) },
      ...(opts.optOut ? [{ type: 'opted_out' as const, at, channel: opts.optOut, dossierIds }] : []),
    ];
  });
  if (!m || !dossierIds) return false;
  await appendEvents(ref.caseId, [{ ...entry, at, dossierIds }]);
  if (opts.wake) await wakeJourney(m.after, `status:${status}`);
  return true;
}

export async function handleTwilioStatus(s: { MessageSid: string; MessageStatus: string; ErrorCode?: string; To?: string }, now: Date, correlation?: StepRef): Promise<void> {
  const mapped: Partial<Record<string, 'delivered' | 'opened' | 'failed'>> = { delivered: 'delivered', read: 'opened', undelivered: 'failed', failed: 'failed' };
  const type = mapped[s.MessageStatus];
  if (!type) return; // queued / sent / sending: nothing a person needs to see
  const dedupeId = `${s.MessageSid}:${s.MessageStatus}`;
  const receipt = await webhookReceipt('twilio-status', dedupeId, now);
  if (receipt.done) return;
  const ref = await statusTarget(s.MessageSid, correlation);
  const channel: Channel = s.To?.startsWith('whatsapp:') ? 'whatsapp' : ((await getMessageRef(s.MessageSid))?.channel as Channel | undefined) ?? 'sms';
  const errorCode = s.ErrorCode && /^\d{3,6}$/.test(s.ErrorCode) ? s.ErrorCode : undefined;
  const dead = type === 'failed' && errorCode !== undefined && DEAD_NUMBER_CODES.has(errorCode);
  const to = s.To?.replace(/^whatsapp:/, '');
  const recorded =
    ref &&
    (await recordDelivery(
      ref,
      channel,
      type,
      receipt.at,
      now,
      {
        eventId: `st-${dedupeId}`,
        type: type as TimelineType,
        channel,
        detail: `${channel === 'sms' ? 'SMS' : 'WhatsApp message'} of step ${ref.stepNo} ${s.MessageStatus}${errorCode ? ` (error ${errorCode})` : ''}${dead ? '; the phone number is marked unusable' : ''}.`,
        stepNo: ref.stepNo,
        providerId: s.MessageSid,
        data: { status: s.MessageStatus, ...(errorCode ? { errorCode } : {}) },
      },
      { ...(dead ? { unusable: { value: to ?? '*', reason: `Twilio error ${errorCode}` } } : {}), wake: type === 'failed' },
    ));
  if (!recorded) logger.info('status for an unknown message ignored', { messageSid: s.MessageSid });
  await webhookDone('twilio-status', dedupeId);
}

export interface SendgridEvent {
  event: string;
  email?: string;
  sg_event_id?: string;
  sg_message_id?: string;
  timestamp?: number;
  type?: string;
  reason?: string;
  caseId?: string;
  journeyNo?: string | number;
  stepNo?: string | number;
}

export async function handleSendgridEvents(events: SendgridEvent[], now: Date): Promise<number> {
  const mapped: Partial<Record<string, 'delivered' | 'opened' | 'clicked' | 'bounced' | 'failed' | 'opted_out'>> = {
    delivered: 'delivered',
    open: 'opened',
    click: 'clicked',
    bounce: 'bounced',
    dropped: 'failed',
    spamreport: 'opted_out',
    unsubscribe: 'opted_out',
    group_unsubscribe: 'opted_out',
  };
  let recorded = 0;
  for (const e of events) {
    if (!e || typeof e !== 'object' || typeof e.event !== 'string') continue;
    const type = mapped[e.event];
    // custom_args we set on every email tie the event to its step; events without them are not ours
    if (!type || typeof e.caseId !== 'string' || !/^\d+$/.test(String(e.journeyNo)) || !/^\d+$/.test(String(e.stepNo))) continue;
    const dedupeId = e.sg_event_id ?? `${e.sg_message_id}:${e.event}:${e.timestamp}`;
    const receipt = await webhookReceipt('sendgrid', dedupeId, now);
    if (receipt.done) continue;
    const ref = { caseId: e.caseId, journeyNo: Number(e.journeyNo), stepNo: Number(e.stepNo) };
    const hard = e.event === 'dropped' || (e.event === 'bounce' && e.type !== 'blocked');
    const ok = await recordDelivery(
      ref,
      'email',
      // An unsubscribe or spam report shows the email arrived; like an opt-out by reply it is no reaction to the claim.
      type === 'opted_out' ? 'delivered' : type,
      receipt.at,
      now,
      {
        eventId: `sg-${dedupeId}`,
        type,
        channel: 'email',
        // SendGrid's reason quotes the mail server, often with the address in it: redacted.
        detail: `Email of step ${ref.stepNo} ${e.event}${typeof e.reason === 'string' && e.reason ? `: ${redact(e.reason).slice(0, 200)}` : ''}${hard ? '; the email address is marked unusable' : ''}.`,
        stepNo: ref.stepNo,
        ...(typeof e.sg_message_id === 'string' ? { providerId: e.sg_message_id.split('.')[0] } : {}),
        data: { event: e.event, ...(e.type ? { bounceType: e.type } : {}) },
      },
      { ...(hard ? { unusable: { value: typeof e.email === 'string' ? e.email.toLowerCase() : '*', reason: `SendGrid ${e.event}` } } : {}), ...(type === 'opted_out' ? { optOut: 'email' as const } : {}), wake: hard || type === 'opted_out' },
    );
    if (ok) recorded++;
    await webhookDone('sendgrid', dedupeId);
  }
  return recorded;
}
