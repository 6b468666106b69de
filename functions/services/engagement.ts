/**
 * What comes back from debtors and providers: replies (Twilio inbound), delivery statuses (Twilio status
 * callbacks, SendGrid events). Each is written to the case first and then wakes the journey.
 * Webhook deliveries are deduplicated, so a redelivered one changes the timeline once.
 */
import { classifyReply, type Intent } from '../domain/intents.js';
import { logger } from '../shared/logger.js';
import { addFlag, addOptOut, debtorIdByPhone, markUnusable, recordInbound } from '../store/debtors.js';
import { dossiersOfDebtor, setDossierStatus } from '../store/dossiers.js';
import { getMessageRef, getSend, webhookDone, webhookReceipt } from '../store/sends.js';
import { appendEvent, type TimelineType } from '../store/timeline.js';
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
  const dossierIds = all.map((d) => d.dossierId);
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
      for (const d of open) await setDossierStatus(d.dossierId, 'paused', ['open'], 'dispute reported by the debtor', at);
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
  await webhookDone('twilio-in', msg.MessageSid);
  logger.info('reply recorded', { debtorId, intent: reply.intent, channel });
}

/** Twilio error codes that mean the number cannot receive messages (not a temporary problem). */
const DEAD_NUMBER_CODES = new Set(['21211', '21214', '21610', '21614', '30003', '30005', '30006', '63003', '63024']);

export async function handleTwilioStatus(s: { MessageSid: string; MessageStatus: string; ErrorCode?: string }, now: Date): Promise<void> {
  const mapped: Partial<Record<string, TimelineType>> = { delivered: 'delivered', read: 'opened', undelivered: 'failed', failed: 'failed' };
  const type = mapped[s.MessageStatus];
  if (!type) return; // queued / sent / sending: nothing a person needs to see
  const dedupeId = `${s.MessageSid}:${s.MessageStatus}`;
  const receipt = await webhookReceipt('twilio-status', dedupeId, now);
  if (receipt.done) return;
  const ref = await getMessageRef(s.MessageSid);
  if (ref) {
    await appendEvent(ref.caseId, {
      eventId: `st-${dedupeId}`,
      at: receipt.at,
      type,
      channel: ref.channel,
      detail: `${ref.channel.toUpperCase()} of step ${ref.stepNo} ${s.MessageStatus}${s.ErrorCode ? ` (error ${s.ErrorCode})` : ''}.`,
      dossierIds: ref.dossierIds,
      stepNo: ref.stepNo,
      template: ref.template,
      providerId: s.MessageSid,
    });
    if (type === 'failed') {
      if (s.ErrorCode && DEAD_NUMBER_CODES.has(s.ErrorCode)) await markUnusable(ref.caseId, 'phone');
      await notifyCase(ref.caseId, `status:${s.MessageStatus}`, receipt.at);
    }
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
    const type = mapped[e.event];
    if (!type || !e.caseId || e.journeyNo === undefined || e.stepNo === undefined) continue;
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
        detail: `Email of step ${send.stepNo} ${e.event}${e.reason ? `: ${e.reason.slice(0, 200)}` : ''}.`,
        dossierIds: send.dossierIds ?? [],
        stepNo: send.stepNo,
        template: send.template,
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
