/**
 * A journey channel step (Letter / Email / SMS / WhatsApp / CallTask / Await). The state is a
 * .waitForTaskToken task: this code stores the token, makes the contact at most once, and returns; the
 * journey then waits until the debtor reacts (someone calls SendTaskSuccess) or the next moment comes.
 *
 * At most once per (case, journey, step): the send ledger is claimed before the provider is called.
 * - a retried or replayed step finds the claim and sends nothing new (it only repeats the idempotent
 *   bookkeeping, so a crash between the provider's answer and the timeline write still ends up recorded);
 * - a transient provider failure (429/5xx/timeout after the adapter's own retries) gives the claim back and
 *   throws, so Step Functions retries with backoff; when those run out too, the Catch sends the error to
 *   Decide, which records the send_failed and moves on;
 * - a permanent failure (bad number, bounced address, refused letter) marks the contact point unusable,
 *   records why and wakes Decide at once to fail over to another channel;
 * - once the provider has accepted a message nothing gives the claim back, whatever fails afterwards;
 * - a claim left "sending" by a crash is never re-sent (a duplicate is worse than a missed reminder):
 *   after its lease it is recorded as "outcome unknown" and Decide moves on.
 *
 * Nothing personal is logged or thrown: ids, channels and provider status codes only.
 */
import { renderMessage, RenderError } from '../channels/render.js';
import { type ChannelAdapter, type OutgoingMessage, PermanentSendError, redact } from '../channels/port.js';
import { letterKey, type LetterStorage, letterStorageFromEnv } from '../channels/letter-storage.js';
import { PrintLetter } from '../channels/print-letter.js';
import { SendgridEmail } from '../channels/sendgrid-email.js';
import { TwilioMessaging } from '../channels/twilio-messaging.js';
import type { AgencyDetails, Channel, RenderedMessage, RenderInput } from '../channels/render-contract.js';
import { wikCosts } from '../domain/costs.js';
import { isContactAllowed } from '../domain/calendar.js';
import { paymentLinkBase, printConfig, sendgridConfig, twilioConfig } from '../shared/config.js';
import { logger } from '../shared/logger.js';
import { metrics } from '../shared/metrics.js';
import type { ChannelStepEvent, SendAction } from '../shared/schemas.js';
import { type Case, markContact, storeTaskToken } from '../store/cases.js';
import { type Client, getClient } from '../store/clients.js';
import { type ContactPoint, type Debtor, getDebtor, markUnusable } from '../store/debtors.js';
import { type Dossier, getDossier, outstanding } from '../store/dossiers.js';
import { claimSend, completeSend, getSend, putMessageRef, releaseSend, type SendRecord } from '../store/sends.js';
import { createTaskOnce, taskIdFor } from '../store/tasks.js';
import { appendEvent, caseTimeline } from '../store/timeline.js';
import agency from '../../templates/agency.json' with { type: 'json' };
import { wake } from './journeys.js';

/**
 * A claim older than this with no outcome was left by a crashed attempt: no attempt lives longer than its
 * Lambda (30 s for messages, 60 s for letters), and the adapters stop retrying well inside that.
 */
export const DEFAULT_SEND_LEASE_MS = 65_000;
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

let adapters: Partial<Record<MessageChannel, ChannelAdapter>> = {};
let storage: LetterStorage | undefined;

async function adapterFor(channel: MessageChannel): Promise<ChannelAdapter> {
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

function letterStorage(): LetterStorage {
  storage ??= letterStorageFromEnv();
  return storage;
}

/** Tests and the local runtime: forget adapters built from an earlier configuration (or inject some). */
export function resetAdapters(inject: { adapters?: Partial<Record<MessageChannel, ChannelAdapter>>; letterStorage?: LetterStorage } = {}): void {
  adapters = { ...(inject.adapters ?? {}) };
  storage = inject.letterStorage;
}

/** What a successful step leaves in the ledger and on the timeline. */
interface Sent {
  providerId: string;
  template: string;
  language: string;
  meta?: Record<string, unknown>;
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
  if (c.stepNo >= action.stepNo) {
    // The journey already settled this step (sent, failed over, or failed through the Catch after its
    // retries and moved on): a late replay of it must not send now.
    const existing = await getSend(c.caseId, c.journeyNo, action.stepNo);
    if (existing && existing.status !== 'sending') return handleExistingClaim(c, action, existing, now);
    logger.info('stale step ignored', { caseId: c.caseId, stepNo: action.stepNo, channel: action.channel });
    return;
  }
  // Decide chose an allowed moment, but a retry or a slow start can carry the send past 20:00 or into a
  // Sunday: re-check the law at the moment of sending, and let Decide pick the next allowed moment instead.
  if (action.channel !== 'letter' && !isContactAllowed(now)) {
    const existing = await getSend(c.caseId, c.journeyNo, action.stepNo);
    if (!existing) {
      await wake(c, 'outside_contact_hours');
      return;
    }
  }

  const claim = await claimSend({
    caseId: c.caseId,
    journeyNo: c.journeyNo,
    stepNo: action.stepNo,
    channel: action.channel,
    claimedAt: at,
    dossierIds: action.dossierIds,
  });
  if (claim.outcome === 'exists') return handleExistingClaim(c, action, claim.record, now);

  let sent: Sent;
  try {
    sent = action.channel === 'call' ? await createCallTask(c, action, now) : await sendMessage(c, action, now);
  } catch (err) {
    if (err instanceof PermanentSendError || err instanceof RenderError) {
      const blocked = err instanceof SendBlockedError;
      const reason = err instanceof RenderError ? `the message could not be made (${redact(err.message)})` : err.message;
      if (err instanceof RenderError) logger.error('message could not be rendered', { caseId: c.caseId, stepNo: action.stepNo, channel: action.channel, error: redact(err.message) });
      const record: SendRecord = {
        caseId: c.caseId,
        journeyNo: c.journeyNo,
        stepNo: action.stepNo,
        channel: action.channel,
        status: 'failed',
        claimedAt: at,
        dossierIds: action.dossierIds,
        reason,
        failedAt: at,
        contactPoint: err instanceof PermanentSendError ? err.contactPoint : undefined,
        failureType: blocked ? 'send_skipped' : 'send_failed',
      };
      metrics.sent(action.channel, err instanceof RenderError ? 'render_failed' : blocked ? 'skipped' : 'rejected');
      await completeSend(c.caseId, c.journeyNo, action.stepNo, pickOutcome(record));
      await recordFailure(c, record);
      return;
    }
    // Transient (the provider stayed unavailable through the adapter's retries, or the store/storage failed
    // before the provider took the message): give the claim back so the Step Functions retry can send.
    await releaseSend(c.caseId, c.journeyNo, action.stepNo);
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
  metrics.sent(action.channel, 'sent');
  const record: SendRecord = {
    caseId: c.caseId,
    journeyNo: c.journeyNo,
    stepNo: action.stepNo,
    channel: action.channel,
    status: 'sent',
    claimedAt: at,
    sentAt: at,
    providerId: sent.providerId,
    template: sent.template,
    tone: action.tone,
    language: sent.language,
    dossierIds: action.dossierIds,
    meta: sent.meta,
  };
  await completeSend(c.caseId, c.journeyNo, action.stepNo, pickOutcome(record));
  await recordSent(c, record);
}

function pickOutcome(r: SendRecord) {
  const { status, sentAt, providerId, template, tone, language, dossierIds, meta, reason, failedAt, contactPoint, failureType } = r;
  return { status, sentAt, providerId, template, tone, language, dossierIds, meta, reason, failedAt, contactPoint, failureType };
}

async function handleExistingClaim(c: Case, action: SendAction, record: SendRecord, now: Date): Promise<void> {
  if (record.status === 'sent') {
    // A replay: nothing is sent again. Repeat the idempotent bookkeeping in case the first attempt
    // stopped between the ledger and the timeline.
    await recordSent(c, record);
    return;
  }
  if (record.status === 'failed') {
    await recordFailure(c, record);
    return;
  }
  if (now.getTime() - Date.parse(record.claimedAt) < sendLeaseMs()) throw new SendInProgressError();
  const at = now.toISOString();
  const doubt: SendRecord = {
    ...record,
    status: 'failed',
    dossierIds: record.dossierIds ?? action.dossierIds,
    reason: `${action.channel} step was interrupted while sending; not sent again to avoid a duplicate`,
    failedAt: at,
    failureType: 'send_failed',
  };
  if (!(await completeSend(c.caseId, c.journeyNo, action.stepNo, pickOutcome(doubt), { onlyIfSending: true }))) {
    // It was settled meanwhile: follow what it says.
    const now2 = await getSend(c.caseId, c.journeyNo, action.stepNo);
    if (now2 && now2.status !== 'sending') return handleExistingClaim(c, action, now2, now);
    throw new SendInProgressError();
  }
  metrics.sent(action.channel, 'interrupted');
  await recordFailure(c, doubt);
}

/** The timeline, the provider-id look-up and the case's last contact for a sent step. Idempotent. */
async function recordSent(c: Case, r: SendRecord): Promise<void> {
  const at = r.sentAt ?? r.claimedAt;
  const dossierIds = r.dossierIds ?? [];
  const providerId = r.providerId!;
  const template = r.template ?? '';
  const segments = typeof r.meta?.segments === 'number' ? r.meta.segments : undefined;
  if (r.channel === 'call') {
    await appendEvent(c.caseId, {
      eventId: `send-${r.journeyNo}-${r.stepNo}`,
      at,
      type: 'call_task',
      channel: 'call',
      detail: `Call task ${providerId} created for an agent.`,
      dossierIds,
      stepNo: r.stepNo,
      template,
      tone: r.tone,
      language: r.language,
      providerId,
      data: { journeyNo: r.journeyNo },
    });
  } else {
    await putMessageRef({
      providerId,
      caseId: c.caseId,
      journeyNo: r.journeyNo,
      stepNo: r.stepNo,
      channel: r.channel,
      template,
      tone: r.tone ?? '',
      language: r.language ?? '',
      dossierIds,
      sentAt: at,
      meta: r.meta,
    });
    const how = r.meta?.contentSid ? `, approved WhatsApp template ${String(r.meta.contentSid)}` : r.channel === 'whatsapp' ? ', free text inside the 24 h window' : '';
    await appendEvent(c.caseId, {
      eventId: `send-${r.journeyNo}-${r.stepNo}`,
      at,
      type: 'sent',
      channel: r.channel,
      detail: `${r.channel} sent (${template}, ${r.tone}, ${r.language})${segments !== undefined ? `, ${segments} SMS segment(s)` : ''}${how}.`,
      dossierIds,
      stepNo: r.stepNo,
      template,
      tone: r.tone,
      language: r.language,
      providerId,
      data: { ...(r.meta ?? {}), journeyNo: r.journeyNo },
    });
  }
  await markContact(c.caseId, r.journeyNo, r.stepNo, at);
  logger.info('step sent', { caseId: c.caseId, stepNo: r.stepNo, channel: r.channel });
}

/** Why a step did not send, on the timeline; the contact point it showed unusable; wakes Decide to fail over. Idempotent. */
async function recordFailure(c: Case, r: SendRecord): Promise<void> {
  const at = r.failedAt ?? r.claimedAt;
  if (r.contactPoint) await markUnusable(c.caseId, r.contactPoint as ContactPoint);
  const type = r.failureType ?? 'send_failed';
  await appendEvent(c.caseId, {
    eventId: `sendfail-${r.journeyNo}-${r.stepNo}`,
    at,
    type,
    channel: r.channel,
    detail: `${r.channel} not sent: ${r.reason ?? 'unknown reason'}.${r.contactPoint ? ` The ${r.contactPoint} is marked unusable.` : ''} Trying another channel.`,
    dossierIds: r.dossierIds ?? [],
    stepNo: r.stepNo,
    data: { reason: r.reason, ...(r.contactPoint ? { contactPoint: r.contactPoint } : {}) },
  });
  await markContact(c.caseId, r.journeyNo, r.stepNo, at);
  logger.warn('step not sent, failing over', { caseId: c.caseId, stepNo: r.stepNo, channel: r.channel, reason: r.reason, type });
  await wake(c, type);
}

// ---- what a step sends ---------------------------------------------------------------------------------------

interface SendContext {
  debtor: Debtor;
  dossiers: Dossier[];
  clients: Map<string, Client | undefined>;
}

async function loadContext(c: Case, action: SendAction): Promise<SendContext> {
  const debtor = await getDebtor(c.caseId);
  if (!debtor) throw new Error(`case ${c.caseId} has no debtor record`);
  // Only dossiers still open: a payment, dispute or withdrawal since Decide looked means no message about them.
  const dossiers = (await Promise.all(action.dossierIds.map((id) => getDossier(id)))).filter((d): d is Dossier => d?.status === 'open');
  if (dossiers.length === 0) throw new PermanentSendError('none of the dossiers of this step is still open');
  const clients = new Map<string, Client | undefined>();
  for (const d of dossiers) if (!clients.has(d.clientId)) clients.set(d.clientId, await getClient(d.clientId));
  return { debtor, dossiers, clients };
}

const CONTACT_POINT: Record<Channel, ContactPoint> = { email: 'email', sms: 'phone', whatsapp: 'phone', call: 'phone', letter: 'address' };

/** Rules checked again at the moment of sending (Decide checked them too, but things change). */
function blockedReason(channel: Channel, debtor: Debtor): string | undefined {
  if (debtor.optOuts.includes('all')) return 'the debtor opted out of all channels';
  if (debtor.optOuts.includes(channel)) return `the debtor opted out of ${channel}`;
  if (channel === 'whatsapp' && !debtor.whatsappOptIn) return 'no recorded WhatsApp opt-in';
  if (debtor.unusable.includes(CONTACT_POINT[channel])) return `the debtor's ${CONTACT_POINT[channel]} is marked unusable`;
  return undefined;
}

/**
 * The WhatsApp 24 h window is opened by the debtor's last message *on WhatsApp* (an SMS reply does not open
 * it). lastInboundAt (any channel) rules the window out cheaply; only when it is recent is the timeline read.
 */
async function whatsappWindowOpen(c: Case, debtor: Debtor, now: Date): Promise<boolean> {
  const recent = (iso: string | undefined) => iso !== undefined && now.getTime() - Date.parse(iso) < WHATSAPP_WINDOW_MS && Date.parse(iso) <= now.getTime();
  if (!recent(debtor.lastInboundAt)) return false;
  const timeline = await caseTimeline(c.caseId);
  const lastWhatsapp = timeline.filter((e) => e.type === 'replied' && e.channel === 'whatsapp').at(-1);
  return recent(lastWhatsapp?.at);
}

/**
 * The 14-day letter states the exact costs that will be added (DESIGN §5 rules 1–3): WIK on the principal still
 * unpaid, per creditor on the sum of its claims, with VAT where that creditor cannot deduct it.
 */
export function costNoticeFor(dossiers: Dossier[], clients: Map<string, Client | undefined>): { costs: number; vatIncluded: boolean } {
  const principalByClient = new Map<string, number>();
  for (const d of dossiers) principalByClient.set(d.clientId, (principalByClient.get(d.clientId) ?? 0) + Math.max(0, d.principal - d.paid));
  let costs = 0;
  let vatIncluded = false;
  for (const [clientId, principal] of principalByClient) {
    const vat = clients.get(clientId)?.vatOnCosts === true;
    costs += wikCosts(principal, { vat }).total;
    vatIncluded ||= vat;
  }
  return { costs, vatIncluded };
}

function renderInput(action: SendAction, ctx: SendContext, now: Date, whatsappWindow: boolean): RenderInput {
  const { debtor, dossiers, clients } = ctx;
  const claims = dossiers.map((d) => ({
    reference: d.reference,
    description: d.description,
    creditorName: clients.get(d.clientId)?.name ?? d.clientId,
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
    ...(action.phase === 'fourteen_day_letter' ? { costNotice: costNoticeFor(dossiers, clients) } : {}),
    ...(action.channel === 'whatsapp' ? { whatsappWindowOpen: whatsappWindow } : {}),
  };
}

function statusCallbackUrl(c: Case, action: SendAction): string | undefined {
  const base = process.env.PUBLIC_BASE_URL;
  if (!base || (action.channel !== 'sms' && action.channel !== 'whatsapp')) return undefined;
  // The correlation travels in the (signed) URL too, so a status that beats our own bookkeeping still finds its step.
  const q = new URLSearchParams({ c: c.caseId, j: String(c.journeyNo), s: String(action.stepNo) });
  return `${base.replace(/\/$/, '')}/webhooks/twilio/status?${q}`;
}

async function sendMessage(c: Case, action: SendAction, now: Date): Promise<Sent> {
  const ctx = await loadContext(c, action);
  const { debtor } = ctx;
  const channel = action.channel as MessageChannel;
  const blocked = blockedReason(channel, debtor);
  if (blocked) throw new SendBlockedError(blocked);
  const to = channel === 'email' ? debtor.email : channel === 'letter' ? debtor.address?.line1 : debtor.phone;
  if (!to) throw new PermanentSendError(`debtor has no ${channel === 'email' ? 'email address' : channel === 'letter' ? 'address' : 'phone number'}`);
  const window = channel === 'whatsapp' ? await whatsappWindowOpen(c, debtor, now) : false;
  const rendered = await renderMessage(renderInput(action, ctx, now, window));
  const correlation = { caseId: c.caseId, journeyNo: c.journeyNo, stepNo: action.stepNo };
  let storedAt: string | undefined;
  if (channel === 'letter') {
    // Kept before it is posted: what the debtor received can always be shown later.
    const stored = await letterStorage().put(letterKey(correlation), rendered.pdf!, {
      template: rendered.template,
      case: c.caseId,
      step: `${c.journeyNo}-${action.stepNo}`,
    });
    storedAt = stored.uri;
  }
  const adapter = await adapterFor(channel);
  const { providerId } = await adapter.send({
    channel,
    to,
    name: debtor.name,
    address: debtor.address,
    rendered,
    correlation,
    statusCallbackUrl: statusCallbackUrl(c, action),
    storedAt,
  });
  return { providerId, template: rendered.template, language: rendered.language, meta: metaOf(rendered, storedAt) };
}

function metaOf(rendered: RenderedMessage, storedAt: string | undefined): Record<string, unknown> | undefined {
  if (rendered.sms) return { encoding: rendered.sms.encoding, segments: rendered.sms.segments };
  if (rendered.whatsappTemplate) return { contentSid: rendered.whatsappTemplate.contentSid };
  if (storedAt) return { storedAt };
  return undefined;
}

/** The CallTask step: an agent task that carries this step's task token; the agent's outcome resumes the journey. */
async function createCallTask(c: Case, action: SendAction, now: Date): Promise<Sent> {
  const ctx = await loadContext(c, action);
  const { debtor, dossiers, clients } = ctx;
  const blocked = blockedReason('call', debtor);
  if (blocked) throw new SendBlockedError(blocked);
  if (!debtor.phone) throw new PermanentSendError('debtor has no phone number');
  const rendered = await renderMessage(renderInput(action, ctx, now, false));
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
      openDossiers: dossiers.map((d) => ({
        dossierId: d.dossierId,
        reference: d.reference,
        creditor: clients.get(d.clientId)?.name ?? d.clientId,
        status: d.status,
        outstanding: outstanding(d),
      })),
      lastContacts: timeline
        .filter((e) => ['sent', 'replied', 'delivered', 'opened', 'clicked', 'bounced', 'failed', 'send_failed', 'call_outcome'].includes(e.type))
        .slice(-5)
        .map((e) => ({ at: e.at, type: e.type, channel: e.channel, detail: e.detail })),
      talkingLine: rendered.text,
    },
  });
  return { providerId: taskId, template: rendered.template, language: rendered.language };
}
