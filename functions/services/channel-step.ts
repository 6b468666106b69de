/**
 * A journey channel step (Letter / Email / SMS / WhatsApp / CallTask / Await). The state is a
 * .waitForTaskToken task: this code stores the token, makes the contact at most once, and returns; the
 * journey then waits until the debtor reacts (someone calls SendTaskSuccess) or the next moment comes.
 *
 * At most once per (case, journey, step): the send ledger is claimed before the provider is called.
 * - a retried or replayed step finds the claim and sends nothing new;
 * - a transient provider failure gives the claim back and throws, so Step Functions retries with backoff;
 * - a permanent failure marks the contact point unusable and wakes Decide at once to fail over;
 * - a claim left "sending" by a crash is never re-sent (a duplicate is worse than a missed reminder):
 *   it is recorded as "outcome unknown" and Decide moves on.
 */
import { renderMessage } from '../channels/render.js';
import { type ChannelAdapter, type OutgoingMessage, PermanentSendError } from '../channels/port.js';
import { PrintLetter } from '../channels/print-letter.js';
import { SendgridEmail } from '../channels/sendgrid-email.js';
import { TwilioMessaging } from '../channels/twilio-messaging.js';
import type { AgencyDetails, RenderInput } from '../channels/render-contract.js';
import { paymentLinkBase, printConfig, sendgridConfig, twilioConfig } from '../shared/config.js';
import { logger } from '../shared/logger.js';
import type { ChannelStepEvent, SendAction } from '../shared/schemas.js';
import { type Case, markContact, storeTaskToken } from '../store/cases.js';
import { getClient } from '../store/clients.js';
import { type Debtor, getDebtor, markUnusable } from '../store/debtors.js';
import { type Dossier, getDossier, outstanding } from '../store/dossiers.js';
import { claimSend, completeSend, getSend, putMessageRef, releaseSend, type SendRecord } from '../store/sends.js';
import { isContactAllowed } from '../domain/calendar.js';
import { createTaskOnce, taskIdFor } from '../store/tasks.js';
import { appendEvent, caseTimeline } from '../store/timeline.js';
import agency from '../../templates/agency.json' with { type: 'json' };
import { wake } from './journeys.js';

/** A claim older than this with no outcome was left by a crashed attempt. */
const IN_DOUBT_AFTER_MS = 120_000;

let adapters: Partial<Record<OutgoingMessage['channel'], ChannelAdapter>> = {};

async function adapterFor(channel: OutgoingMessage['channel']): Promise<ChannelAdapter> {
  const cached = adapters[channel];
  if (cached) return cached;
  const created =
    channel === 'email'
      ? new SendgridEmail(await sendgridConfig())
      : channel === 'letter'
        ? new PrintLetter(await printConfig())
        : new TwilioMessaging(await twilioConfig());
  adapters[channel] = created;
  return created;
}

/** Tests and the local runtime: forget adapters built from an earlier configuration. */
export function resetAdapters(): void {
  adapters = {};
}

export async function runChannelStep(ev: ChannelStepEvent, now: Date): Promise<void> {
  const { state, taskToken } = ev;
  const at = now.toISOString();
  const action = state.action;
  // Store the token first: from now on anything that happens to the case ends this wait.
  const c = await storeTaskToken(state.caseId, state.journeyNo, taskToken, at);
  if (!c) {
    // The journey was closed or superseded: let Decide end it.
    await wake({ caseId: state.caseId, taskToken }, 'journey_closed');
    return;
  }
  if (!action || action.type === 'done') throw new Error(`channel step got no send or wait action`);
  if (c.eventSeq > action.seenEventSeq) {
    // Something happened after Decide looked (reply, payment, new claim): decide again, do not send.
    await wake(c, 'event_since_decide');
    return;
  }
  if (action.type === 'wait') return;
  if (ev.channel !== action.channel) throw new Error(`step ${ev.channel} got an action for ${action.channel}`);
  // Decide chose an allowed moment, but a retry or a slow start can carry the send past 20:00 or into a
  // Sunday: re-check the law at the moment of sending, and let Decide pick the next allowed moment instead.
  if (action.channel !== 'letter' && !isContactAllowed(now)) {
    const existing = await getSend(c.caseId, c.journeyNo, action.stepNo);
    if (!existing) {
      await wake(c, 'outside_contact_hours');
      return;
    }
  }

  const claim = await claimSend({ caseId: c.caseId, journeyNo: c.journeyNo, stepNo: action.stepNo, channel: action.channel, claimedAt: at });
  if (claim.outcome === 'exists') return handleExistingClaim(c, action, claim.record, now);

  try {
    const sent = action.channel === 'call' ? await createCallTask(c, action, taskToken, now) : await sendMessage(c, action, now);
    await completeSend(c.caseId, c.journeyNo, action.stepNo, {
      status: 'sent',
      sentAt: at,
      providerId: sent.providerId,
      template: sent.template,
      tone: action.tone,
      language: action.language,
      dossierIds: action.dossierIds,
    });
    await markContact(c.caseId, c.journeyNo, action.stepNo, at);
  } catch (err) {
    if (err instanceof PermanentSendError) {
      await completeSend(c.caseId, c.journeyNo, action.stepNo, { status: 'failed', reason: err.message });
      if (err.contactPoint) await markUnusable(c.caseId, err.contactPoint);
      await appendEvent(c.caseId, {
        eventId: `sendfail-${c.journeyNo}-${action.stepNo}`,
        at,
        type: 'send_failed',
        channel: action.channel,
        detail: `${action.channel} not sent: ${err.message}. Trying another channel.`,
        dossierIds: action.dossierIds,
        stepNo: action.stepNo,
      });
      await markContact(c.caseId, c.journeyNo, action.stepNo, at);
      await wake(c, 'send_failed');
      return;
    }
    // Transient: give the claim back so the Step Functions retry can send.
    await releaseSend(c.caseId, c.journeyNo, action.stepNo);
    logger.warn('send failed, will be retried', { caseId: c.caseId, stepNo: action.stepNo, channel: action.channel, error: (err as Error).message });
    throw err;
  }
}

async function handleExistingClaim(c: Case, action: SendAction, record: SendRecord, now: Date): Promise<void> {
  if (record.status === 'sent') return; // a replay: already done, keep waiting
  if (record.status === 'failed') return wake(c, 'send_failed');
  if (now.getTime() - Date.parse(record.claimedAt) < IN_DOUBT_AFTER_MS) {
    throw new Error('SendInProgress: another attempt of this step is still sending');
  }
  await completeSend(c.caseId, c.journeyNo, action.stepNo, { status: 'failed', reason: 'outcome unknown after an interrupted attempt; not resent' });
  await appendEvent(c.caseId, {
    eventId: `sendfail-${c.journeyNo}-${action.stepNo}`,
    at: now.toISOString(),
    type: 'send_failed',
    channel: action.channel,
    detail: `${action.channel} step was interrupted while sending; not sent again to avoid a duplicate.`,
    dossierIds: action.dossierIds,
    stepNo: action.stepNo,
  });
  await markContact(c.caseId, c.journeyNo, action.stepNo, now.toISOString());
  await wake(c, 'send_in_doubt');
}

async function loadContext(c: Case, action: SendAction) {
  const debtor = (await getDebtor(c.caseId))!;
  const dossiers = (await Promise.all(action.dossierIds.map((id) => getDossier(id)))).filter((d): d is Dossier => !!d);
  const clientNames = new Map<string, string>();
  for (const d of dossiers) {
    if (!clientNames.has(d.clientId)) clientNames.set(d.clientId, (await getClient(d.clientId))?.name ?? d.clientId);
  }
  return { debtor, dossiers, clientNames };
}

function renderInput(action: SendAction, debtor: Debtor, dossiers: Dossier[], clientNames: Map<string, string>, now: Date): RenderInput {
  const claims = dossiers.map((d) => ({
    reference: d.reference,
    description: d.description,
    creditorName: clientNames.get(d.clientId) ?? d.clientId,
    principal: d.principal,
    costs: d.costs,
    paid: d.paid,
    outstanding: outstanding(d),
  }));
  return {
    channel: action.channel,
    phase: action.phase,
    tone: action.tone,
    language: action.language,
    now,
    debtor: { name: debtor.name, address: debtor.address },
    claims,
    totalOutstanding: claims.reduce((sum, cl) => sum + cl.outstanding, 0),
    paymentLink: `${paymentLinkBase()}${encodeURIComponent(action.dossierIds[0])}`,
    agency: agency as AgencyDetails,
    whatsappWindowOpen: debtor.lastInboundAt !== undefined && now.getTime() - Date.parse(debtor.lastInboundAt) < 24 * 3600_000,
  };
}

async function sendMessage(c: Case, action: SendAction, now: Date): Promise<{ providerId: string; template: string }> {
  const { debtor, dossiers, clientNames } = await loadContext(c, action);
  const channel = action.channel as OutgoingMessage['channel'];
  const rendered = await renderMessage(renderInput(action, debtor, dossiers, clientNames, now));
  const to = channel === 'email' ? debtor.email : channel === 'letter' ? debtor.address?.line1 : debtor.phone;
  if (!to) throw new PermanentSendError(`debtor has no ${channel === 'email' ? 'email address' : channel === 'letter' ? 'address' : 'phone number'}`);
  const base = process.env.PUBLIC_BASE_URL;
  const adapter = await adapterFor(channel);
  const { providerId } = await adapter.send({
    channel,
    to,
    name: debtor.name,
    address: debtor.address,
    rendered,
    correlation: { caseId: c.caseId, journeyNo: c.journeyNo, stepNo: action.stepNo },
    statusCallbackUrl: base && (channel === 'sms' || channel === 'whatsapp') ? `${base.replace(/\/$/, '')}/webhooks/twilio/status` : undefined,
  });
  const at = now.toISOString();
  await putMessageRef({
    providerId,
    caseId: c.caseId,
    journeyNo: c.journeyNo,
    stepNo: action.stepNo,
    channel,
    template: rendered.template,
    tone: action.tone,
    language: rendered.language,
    dossierIds: action.dossierIds,
    sentAt: at,
    meta: rendered.sms ? { encoding: rendered.sms.encoding, segments: rendered.sms.segments } : rendered.whatsappTemplate ? { contentSid: rendered.whatsappTemplate.contentSid } : undefined,
  });
  await appendEvent(c.caseId, {
    eventId: `send-${c.journeyNo}-${action.stepNo}`,
    at,
    type: 'sent',
    channel,
    detail: `${channel} sent (${rendered.template}, ${action.tone}, ${rendered.language})${rendered.sms ? `, ${rendered.sms.segments} SMS segment(s)` : ''}.`,
    dossierIds: action.dossierIds,
    stepNo: action.stepNo,
    template: rendered.template,
    tone: action.tone,
    language: rendered.language,
    providerId,
  });
  logger.info('message sent', { caseId: c.caseId, stepNo: action.stepNo, channel });
  return { providerId, template: rendered.template };
}

/** The CallTask step: an agent task that carries this step's task token; the agent's outcome resumes the journey. */
async function createCallTask(c: Case, action: SendAction, taskToken: string, now: Date): Promise<{ providerId: string; template: string }> {
  const { debtor, dossiers, clientNames } = await loadContext(c, action);
  const rendered = await renderMessage(renderInput(action, debtor, dossiers, clientNames, now));
  const timeline = await caseTimeline(c.caseId);
  const taskId = taskIdFor(c.caseId, c.journeyNo, action.stepNo);
  const at = now.toISOString();
  await createTaskOnce({
    taskId,
    caseId: c.caseId,
    journeyNo: c.journeyNo,
    stepNo: action.stepNo,
    status: 'open',
    dueAt: new Date(now.getTime() + action.awaitSeconds * 1000).toISOString(),
    createdAt: at,
    dossierIds: action.dossierIds,
    context: {
      debtorName: debtor.name,
      phone: debtor.phone,
      language: debtor.language,
      segment: c.segment ?? null,
      segmentReasons: c.segmentReasons ?? [],
      openDossiers: dossiers.map((d) => ({ dossierId: d.dossierId, reference: d.reference, creditor: clientNames.get(d.clientId), outstanding: outstanding(d) })),
      lastContacts: timeline
        .filter((e) => ['sent', 'replied', 'delivered', 'send_failed'].includes(e.type))
        .slice(-5)
        .map((e) => ({ at: e.at, type: e.type, channel: e.channel })),
      talkingLine: rendered.text,
    },
  });
  await appendEvent(c.caseId, {
    eventId: `send-${c.journeyNo}-${action.stepNo}`,
    at,
    type: 'call_task',
    channel: 'call',
    detail: `Call task ${taskId} created for an agent.`,
    dossierIds: action.dossierIds,
    stepNo: action.stepNo,
    template: rendered.template,
    tone: action.tone,
    language: rendered.language,
    providerId: taskId,
  });
  return { providerId: taskId, template: rendered.template };
}
