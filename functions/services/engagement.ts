/**
 * What comes back from debtors and providers: replies (Twilio inbound), delivery statuses (Twilio status
 * callbacks, SendGrid events). Each is written to the case first and then wakes the journey.
 * Webhook deliveries are deduplicated, so a redelivered one changes the timeline once.
 */
import { classifyReply, type Intent } from '../domain/intents.js';
import { logger } from '../shared/logger.js';
import { metrics } from '../shared/metrics.js';
import { addFlag, addOptOut, debtorIdByPhone, markUnusable, recordInbound } from '../store/debtors.js';
import { dossiersOfDebtor, setDossierStatus } from '../store/dossiers.js';
import { getMessageRef, getSend, type MessageRef, webhookDone, webhookReceipt } from '../store/sends.js';
import { redact } from '../channels/port.js';
import { appendEvent, caseTimeline, type TimelineType } from '../store/timeline.js';
import { notifyCase } from './journeys.js';

const INTENT_TEXT: Record<Intent, string> = {
  opt_out: 'opted out of this channel',
  opt_out_all: 'opted out of all channels',
  arrangement: 'asks for a payment arrangement',
  already_paid: 'says the claim is already paid',
  cannot_pay: 'says they cannot pay',
  dispute: 'disputes the claim',
  debt_help: 'reports debt help or debt restructuring',
  promise_to_pay: 'promises to pay',
  other: 'replied',
};

export async function handleInboundMessage(msg: { MessageSid: string; From: string; Body: string }, now: Date): Promise<void> {
  const receipt = await webhookReceipt('twilio-in', msg.MessageSid, now);
  if (receipt.done) return;
  const channel = msg.From.startsWith('whatsapp:') ? 'whatsapp' : 'sms';
  const phone = msg.From.replace(/^whatsapp:/, '');
  const debtorId = await debtorIdByPhone(phone);
  if (!debtorId) {
    logger.info('reply from an unknown number ignored', { messageSid: msg.MessageSid });
    await webhookDone('twilio-in', msg.MessageSid);
    return;
  }
  const at = receipt.at;
  const open = await dossiersOfDebtor(debtorId, 'open');
  const all = open.length ? open : await dossiersOfDebtor(debtorId);
  // A reply answers the last message we sent: it concerns that message's dossiers (so one creditor does not read
  // replies about another's claim); without such a message, all the debtor's open dossiers.
  const lastSent = (await caseTimeline(debtorId)).filter((e) => e.type === 'sent' || e.type === 'call_task').at(-1);
  const answered = all.filter((d) => lastSent?.dossierIds.includes(d.dossierId));
  const dossierIds = (answered.length ? answered : all).map((d) => d.dossierId);
  const reply = classifyReply(msg.Body);
  await appendEvent(debtorId, {
    eventId: `in-${msg.MessageSid}`,
    at,
    type: 'replied',
    channel,
    detail: `Debtor ${INTENT_TEXT[reply.intent]}: "${msg.Body.slice(0, 320)}"`,
    dossierIds,
    data: { intent: reply.intent, matched: reply.matched },
  });
  await recordInbound(debtorId, at);
  switch (reply.intent) {
    case 'opt_out':
    case 'opt_out_all': {
      const which = reply.intent === 'opt_out_all' ? 'all' : channel;
      await addOptOut(debtorId, which);
      await appendEvent(debtorId, {
        eventId: `optout-${msg.MessageSid}`,
        at,
        type: 'opted_out',
        channel,
        detail: which === 'all' ? 'No more messages on any channel.' : `No more ${channel} messages.`,
        dossierIds,
      });
      break;
    }
    case 'dispute':
      for (const d of open.filter((o) => dossierIds.includes(o.dossierId))) await setDossierStatus(d.dossierId, 'paused', ['open'], 'dispute reported by the debtor', at);
      break;
    case 'debt_help':
      await addFlag(debtorId, 'debt_help_reported');
      break;
    case 'cannot_pay':
      await addFlag(debtorId, 'cannot_pay_reported');
      break;
    default:
      break;
  }
  await notifyCase(debtorId, `reply:${reply.intent}`, at);
  metrics.replied(reply.intent);
  await webhookDone('twilio-in', msg.MessageSid);
  logger.info('reply recorded', { debtorId, intent: reply.intent, channel });
}

/**
 * Twilio error codes in a failed/undelivered status that mean the number itself cannot receive messages:
 * invalid or unreachable number (21211, 21214, 21614), unsubscribed (21610), unknown handset (30005),
 * landline or unreachable carrier (30006), not on WhatsApp (63003, 63024). Temporary ones — handset off
 * (30003), unknown error (30008), filtered (30007) — are recorded but leave the number usable.
 */
export const DEAD_NUMBER_CODES = new Set(['21211', '21214', '21610', '21614', '30005', '30006', '63003', '63024']);

/** Where a status callback belongs, from our provider-id look-up or (before that is written) the signed callback URL. */
async function statusTarget(
  messageSid: string,
  correlation: { caseId: string; journeyNo: number; stepNo: number } | undefined,
): Promise<Pick<MessageRef, 'caseId' | 'stepNo' | 'channel' | 'dossierIds' | 'template'> | undefined> {
  const ref = await getMessageRef(messageSid);
  if (ref) return ref;
  if (!correlation) return undefined;
  const send = await getSend(correlation.caseId, correlation.journeyNo, correlation.stepNo);
  if (!send) return undefined;
  return { caseId: send.caseId, stepNo: send.stepNo, channel: send.channel, dossierIds: send.dossierIds ?? [], template: send.template ?? '' };
}

export async function handleTwilioStatus(
  s: { MessageSid: string; MessageStatus: string; ErrorCode?: string },
  now: Date,
  correlation?: { caseId: string; journeyNo: number; stepNo: number },
): Promise<void> {
  const mapped: Partial<Record<string, TimelineType>> = { delivered: 'delivered', read: 'opened', undelivered: 'failed', failed: 'failed' };
  const type = mapped[s.MessageStatus];
  if (!type) return; // queued / sent / sending: nothing a person needs to see
  const dedupeId = `${s.MessageSid}:${s.MessageStatus}`;
  const receipt = await webhookReceipt('twilio-status', dedupeId, now);
  if (receipt.done) return;
  const ref = await statusTarget(s.MessageSid, correlation);
  if (ref) {
    const errorCode = s.ErrorCode && /^\d{3,6}$/.test(s.ErrorCode) ? s.ErrorCode : undefined;
    const dead = type === 'failed' && errorCode !== undefined && DEAD_NUMBER_CODES.has(errorCode);
    await appendEvent(ref.caseId, {
      eventId: `st-${dedupeId}`,
      at: receipt.at,
      type,
      channel: ref.channel,
      detail: `${ref.channel === 'sms' ? 'SMS' : ref.channel === 'whatsapp' ? 'WhatsApp message' : ref.channel} of step ${ref.stepNo} ${s.MessageStatus}${errorCode ? ` (error ${errorCode})` : ''}${dead ? '; the phone number is marked unusable' : ''}.`,
      dossierIds: ref.dossierIds,
      stepNo: ref.stepNo,
      template: ref.template,
      providerId: s.MessageSid,
      data: { status: s.MessageStatus, ...(errorCode ? { errorCode } : {}) },
    });
    if (type === 'failed') {
      if (dead) await markUnusable(ref.caseId, 'phone');
      await notifyCase(ref.caseId, `status:${s.MessageStatus}`, receipt.at);
    }
  } else {
    logger.info('status for an unknown message ignored', { messageSid: s.MessageSid });
  }
  await webhookDone('twilio-status', dedupeId);
}

export interface SendgridEvent {
  event: string;
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
  const mapped: Partial<Record<string, TimelineType>> = {
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
    const send = await getSend(e.caseId, Number(e.journeyNo), Number(e.stepNo));
    if (send) {
      const hard = e.event === 'dropped' || (e.event === 'bounce' && e.type !== 'blocked');
      await appendEvent(e.caseId, {
        eventId: `sg-${dedupeId}`,
        at: receipt.at,
        type,
        channel: 'email',
        // SendGrid's reason quotes the mail server, often with the address in it: redacted.
        detail: `Email of step ${send.stepNo} ${e.event}${typeof e.reason === 'string' && e.reason ? `: ${redact(e.reason).slice(0, 200)}` : ''}${hard ? '; the email address is marked unusable' : ''}.`,
        dossierIds: send.dossierIds ?? [],
        stepNo: send.stepNo,
        template: send.template,
        providerId: typeof e.sg_message_id === 'string' ? e.sg_message_id.split('.')[0] : undefined,
        data: { event: e.event, ...(e.type ? { bounceType: e.type } : {}) },
      });
      if (type === 'opted_out') await addOptOut(e.caseId, 'email');
      if (hard) await markUnusable(e.caseId, 'email');
      if (hard || type === 'opted_out') await notifyCase(e.caseId, `email:${e.event}`, receipt.at);
      recorded++;
    }
    await webhookDone('sendgrid', dedupeId);
  }
  return recorded;
}
