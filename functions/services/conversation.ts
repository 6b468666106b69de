/**
 * The agency's side of a conversation: the agent tasks a reply needs and the one answer it gets (what and when:
 * domain/conversation.ts). Answers are not journey steps — they go from the reply path (or, outside contact hours,
 * from a one-time timer at 07:00) through the same messaging adapters as the journey, on the channel the reply came
 * in, and appear on the timeline and in the provider-message look-up with `inReplyTo` set.
 *
 * At most one answer per inbound message: the answer item (store/answers.ts) is planned once and claimed with one
 * conditional write before Twilio is called; a second delivery of the webhook, a retried timer or a concurrent
 * duplicate finds it claimed or sent. Nothing personal is logged.
 */
import type { CaseState, ClaimRecord } from '../domain/case/state.js';
import { claimsOf, nameFor } from '../domain/case/state.js';
import { accrualStop, claimAmounts } from '../domain/case/amounts.js';
import { localDate } from '../domain/calendar.js';
import { firstUnpaid } from '../domain/arrangements.js';
import { messageContradictions } from '../domain/message-guard.js';
import type { ReplyPlan } from '../domain/conversation.js';
import type { ClassifiedReply } from '../domain/intents/index.js';
import { adapterFor } from '../channels/adapters.js';
import { PermanentSendError, redact } from '../channels/port.js';
import { type AnswerInput, type ArrangementOffer, renderAnswer } from '../channels/render-answer.js';
import type { AgencyDetails, Language } from '../channels/render-contract.js';
import { logger } from '../shared/logger.js';
import { type AnswerRecord, claimAnswer, getAnswer, planAnswer, settleAnswer } from '../store/answers.js';
import { getClient } from '../store/clients.js';
import { phoneIndexItem } from '../store/identity.js';
import { messageRefItem } from '../store/messages.js';
import { createTaskOnce } from '../store/tasks.js';
import { appendEvents, type NewEvent } from '../store/timeline.js';
import agency from '../../templates/agency.json' with { type: 'json' };
import { loadCase } from './case.js';
import { setTimer } from './timers.js';
import { answerLinkFor } from './page-links.js';

/** A claim older than this that is still `sending` was left by a crash: in doubt, never sent again. */
const ANSWER_LEASE_MS = 65_000;

/** The task id for what reply `messageSid` needs (`reason`): one per reply and reason, whatever the retries. */
export const replyTaskId = (messageSid: string, reason: string) => `reply_${messageSid}_${reason}`;

/** Words of acute distress: the vulnerability answer then names 113 Zelfmoordpreventie. */
const DISTRESS = /zelfmoord|zelfdoding|suicid|niet meer (willen |wil )?(zijn|leven)|einde aan (mijn|m'n|het) leven|end it all|ending it all|kill myself|want to die|zie het niet meer zitten|cant go on|can'?t go on/i;

export interface ReplyContext {
  c: CaseState;
  messageSid: string;
  /** `page`: said on the debtor page (tasks only; the page confirms it, no answer message) */
  channel: 'sms' | 'whatsapp' | 'page';
  phone: string;
  text: string;
  reply: ClassifiedReply;
  plan: ReplyPlan;
  dossierIds: string[];
  at: string;
}

/** The agent tasks the reply needs, each once (deterministic ids). */
export async function createReplyTasks(r: ReplyContext): Promise<NewEvent[]> {
  const events: NewEvent[] = [];
  const claims = claimsOf(r.c).filter((d) => r.dossierIds.includes(d.dossierId));
  for (const t of r.plan.tasks) {
    const taskId = replyTaskId(r.messageSid, t.reason);
    await createTaskOnce({
      taskId,
      reason: t.reason,
      priority: t.priority,
      caseId: r.c.caseId,
      journeyNo: r.c.journey.journeyNo,
      stepNo: 0,
      status: 'open',
      dueAt: t.dueAt.toISOString(),
      createdAt: r.at,
      dossierIds: r.dossierIds,
      context: {
        why: t.why,
        debtorName: nameFor(r.c, r.dossierIds),
        language: languageOf(claims),
        channel: r.channel,
        phone: r.phone,
        text: r.text.slice(0, 1600),
        intent: r.reply.intent,
        confidence: r.reply.confidence,
        ...(r.reply.guess ? { guess: r.reply.guess } : {}),
        openDossiers: await dossierLines(r.c, claims, new Date(r.at)),
      },
    });
    events.push({
      eventId: `task-${taskId}`,
      at: r.at,
      type: 'task',
      detail: `Agent task ${taskId} (${t.reason.replace(/_/g, ' ')}, ${t.priority}) due ${t.dueAt.toISOString()}: ${t.why}.`,
      dossierIds: r.dossierIds,
      data: { taskId, reason: t.reason, priority: t.priority, dueAt: t.dueAt.toISOString() },
    });
  }
  return events;
}

/**
 * Plans the reply's answer and sends it now, or sets the timer for the first moment inside contact hours. Returns the
 * timeline entries to write with the reply (a skipped or planned answer); a sent answer writes its own.
 */
export async function answerReply(r: ReplyContext, now: Date): Promise<NewEvent[]> {
  const { plan } = r;
  if (r.channel === 'page') return [];
  if (!plan.answer) {
    return [{ eventId: `answer-${r.messageSid}`, at: r.at, type: 'answer_skipped', channel: r.channel, detail: `No answer sent: ${plan.noAnswer}.`, dossierIds: r.dossierIds }];
  }
  const agentTask = plan.tasks.find((t) => ['vulnerable', 'call_back_requested', 'unclear_reply'].includes(t.reason));
  const rec = await planAnswer({
    messageSid: r.messageSid,
    caseId: r.c.caseId,
    channel: r.channel,
    to: r.phone,
    answer: plan.answer,
    dossierIds: r.dossierIds,
    sendAt: plan.sendAt.toISOString(),
    status: 'planned',
    ...(r.reply.date ? { promise: { date: r.reply.date.date, precision: r.reply.date.precision } } : {}),
    ...(plan.optOuts.length ? { optOuts: plan.optOuts } : {}),
    ...(agentTask ? { agentBy: agentTask.dueAt.toISOString() } : {}),
    ...(r.reply.also.includes('vulnerable') ? { alsoVulnerable: true } : {}),
    ...(DISTRESS.test(r.text) ? { distress: true } : {}),
  });
  if (Date.parse(rec.sendAt) <= now.getTime()) {
    await deliverAnswer(r.messageSid, now);
    return [];
  }
  await setTimer(`a-${r.messageSid}`.slice(0, 64), new Date(rec.sendAt), { kind: 'answer', messageSid: r.messageSid });
  return [
    {
      eventId: `answer-plan-${r.messageSid}`,
      at: r.at,
      type: 'answer_planned',
      channel: r.channel,
      detail: `Answer (answer/${rec.answer}) planned for ${rec.sendAt}: no messages between 20:00 and 07:00 (Bki art. 4.2).`,
      dossierIds: r.dossierIds,
      data: { answer: rec.answer, sendAt: rec.sendAt },
    },
  ];
}

/**
 * The arrangement an answer shows (issue 9): the offer made with the reply (its options: the debtor replies the
 * number or chooses on the page), or the plan in force about the reply's claims (just accepted by it).
 */
export function arrangementOffer(c: CaseState, dossierIds: readonly string[], link: string): ArrangementOffer | undefined {
  const a = c.arrangement;
  if (!a || !a.dossierIds.some((id) => dossierIds.includes(id))) return undefined;
  if (a.status === 'proposed' && a.options?.length) return { options: a.options.map((o, i) => ({ no: i + 1, instalments: o.months, amount: o.monthly })), link };
  if (a.status === 'active' && a.instalments.length) {
    const next = firstUnpaid(a)?.instalment ?? a.instalments[0];
    return { options: [], link, accepted: { option: a.chosen ?? 1, instalments: a.instalments.length, amount: a.instalments[0].amount, firstDue: next.dueDate } };
  }
  return undefined;
}

/** Answers that show an arrangement: the offer, or the plan agreed. */
const ARRANGEMENT_ANSWERS: ReadonlySet<string> = new Set(['arrangement', 'cannot_pay']);

/** Sends a planned answer once (the reply path, or the 07:00 timer). Safe to call again: it never sends twice. */
export async function deliverAnswer(messageSid: string, now: Date): Promise<void> {
  const planned = await getAnswer(messageSid);
  if (!planned) return;
  if (planned.status === 'sending' && planned.claimedAt && now.getTime() - Date.parse(planned.claimedAt) >= ANSWER_LEASE_MS) {
    // A crash after Twilio may have taken it: record the doubt, never send again.
    await settleAnswer(messageSid, 'in_doubt', { reason: 'interrupted while sending; not sent again to avoid a duplicate' });
    await appendEvents(planned.caseId, [answerEvent(planned, 'answer_failed', `Answer (answer/${planned.answer}) may not have been sent: the attempt was interrupted; not sent again to avoid a duplicate.`, planned.claimedAt)]);
    return;
  }
  const rec = await claimAnswer(messageSid, now.toISOString());
  if (!rec) return; // claimed by another delivery, or settled already
  const c = await loadCase(rec.caseId, now);
  if (!c) return settleAnswer(messageSid, 'skipped', { reason: 'case not found' });
  const isConfirmation = rec.answer === 'opt_out' || rec.answer === 'opt_out_all';
  // Opted out since the answer was planned (a later STOP before 07:00): only a confirmation may still go.
  if (!isConfirmation && (c.optOuts.includes('all') || c.optOuts.includes(rec.channel))) {
    await settleAnswer(messageSid, 'skipped', { reason: 'opted out before the answer could go' });
    await appendEvents(rec.caseId, [answerEvent(rec, 'answer_skipped', `Answer (answer/${rec.answer}) not sent: the debtor opted out of ${rec.channel} meanwhile.`, now.toISOString())]);
    return;
  }
  try {
    const rendered = renderAnswer(await answerInput(c, rec, now));
    lawful(rendered, c, rec, now);
    const adapter = await adapterFor(rec.channel);
    const { providerId } = await adapter.send({
      channel: rec.channel,
      to: rec.to,
      name: nameFor(c, rec.dossierIds),
      rendered,
      correlation: { caseId: c.caseId, journeyNo: c.journey.journeyNo, stepNo: 0 },
    });
    const at = now.toISOString();
    const how = rendered.whatsappTemplate ? ', approved WhatsApp template (outside the 24 h window)' : rec.channel === 'whatsapp' ? ', free text inside the 24 h window' : '';
    await appendEvents(
      c.caseId,
      [
        {
          ...answerEvent(rec, 'answered', `Answered the reply by ${rec.channel === 'sms' ? 'SMS' : 'WhatsApp'} (${rendered.template}, ${rendered.language}${rendered.sms ? `, ${rendered.sms.segments} SMS segment(s)` : ''}${how}).`, at),
          template: rendered.template,
          language: rendered.language,
          providerId,
        },
      ],
      [
        messageRefItem({
          providerId,
          caseId: c.caseId,
          journeyNo: c.journey.journeyNo,
          stepNo: 0,
          channel: rec.channel,
          template: rendered.template,
          tone: 'neutral',
          language: rendered.language,
          dossierIds: rec.dossierIds,
          sentAt: at,
          ...(rendered.sms ? { meta: { encoding: rendered.sms.encoding, segments: rendered.sms.segments } } : rendered.whatsappTemplate ? { meta: { contentSid: rendered.whatsappTemplate.contentSid } } : {}),
          inReplyTo: messageSid,
        }),
        // A reply from a number several debtors share goes to the one messaged there last (engagement.ts).
        phoneIndexItem(rec.to, c.caseId, at),
      ],
    );
    await settleAnswer(messageSid, 'sent', { providerId, sentAt: at });
    logger.info('reply answered', { caseId: c.caseId, answer: rec.answer, channel: rec.channel });
  } catch (err) {
    if (err instanceof PermanentSendError || (err as Error)?.name === 'AnswerRenderError' || err instanceof AnswerContradiction) {
      const reason = redact((err as Error).message);
      await settleAnswer(messageSid, 'failed', { reason });
      await appendEvents(rec.caseId, [answerEvent(rec, 'answer_failed', `Answer (answer/${rec.answer}) not sent: ${reason}.`, now.toISOString())]);
      logger.warn('answer not sent', { caseId: rec.caseId, answer: rec.answer, reason });
      return;
    }
    // Transient: back to planned, so the webhook's or the timer's retry sends it.
    await settleAnswer(messageSid, 'planned');
    throw err;
  }
}

/** An answer that would contradict the legal state of its claims (a template is wrong): not sent, logged as an error. */
class AnswerContradiction extends Error {
  override readonly name = 'AnswerContradiction';
}

/**
 * The message guard (domain/message-guard.ts) on an answer: it is no message of the collection sequence, so it may
 * state no term of its own and promise no date free of costs (the plan's due dates are no term).
 */
function lawful(rendered: { text: string; subject?: string }, c: CaseState, rec: AnswerRecord, now: Date): void {
  const problems = messageContradictions({
    channel: rec.channel,
    phase: 'reminder',
    aside: true,
    text: [rendered.subject ?? '', rendered.text].join('\n'),
    claims: claimsOf(c).filter((d) => rec.dossierIds.includes(d.dossierId)),
    needsLetter: (d) => d.consumer !== false,
    now,
  });
  if (problems.length) {
    logger.error('answer stopped by the message guard', { caseId: c.caseId, answer: rec.answer });
    throw new AnswerContradiction(`the answer would contradict the legal state of its claims: ${problems.join('; ')}`);
  }
}

function answerEvent(rec: AnswerRecord, type: NewEvent['type'], detail: string, at: string): NewEvent {
  return { eventId: `answer-${rec.messageSid}`, at, type, channel: rec.channel, detail, dossierIds: rec.dossierIds, data: { inReplyTo: rec.messageSid, answer: rec.answer } };
}

function languageOf(claims: readonly ClaimRecord[]): Language {
  return [...claims].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1)?.language ?? 'nl';
}

/** The claims as an answer or an agent task states them: what is owed today (art. 6:44 BW allocation, interest included). */
async function dossierLines(c: CaseState, claims: readonly ClaimRecord[], now: Date) {
  const names = new Map<string, string>();
  for (const d of claims) if (!names.has(d.clientId)) names.set(d.clientId, (await getClient(d.clientId))?.name ?? d.clientId);
  const day = localDate(now);
  const stop = accrualStop(c);
  return claims.map((d) => {
    const a = claimAmounts(d, day, { stopAccrualOn: stop });
    return { dossierId: d.dossierId, reference: d.reference, creditor: names.get(d.clientId)!, status: d.status, interest: a.interest, outstanding: a.outstanding };
  });
}

async function answerInput(c: CaseState, rec: AnswerRecord, now: Date): Promise<AnswerInput> {
  const claims = claimsOf(c).filter((d) => rec.dossierIds.includes(d.dossierId));
  const lines = await dossierLines(c, claims, now);
  const at = c.inbound?.whatsappAt;
  // The page link of this answer: sealed for this debtor and this answer, about the reply's claims.
  const paymentLink = await answerLinkFor(c, rec.messageSid, rec.dossierIds, now);
  const offer = ARRANGEMENT_ANSWERS.has(rec.answer) ? arrangementOffer(c, rec.dossierIds, paymentLink) : undefined;
  return {
    answer: rec.answer,
    channel: rec.channel,
    language: languageOf(claims),
    now,
    debtorName: nameFor(c, rec.dossierIds),
    claims: claims.map((d, i) => ({ reference: d.reference, creditorName: lines[i].creditor, principal: d.principal, costs: d.costs, interest: lines[i].interest, paid: d.paid, outstanding: lines[i].outstanding })),
    paymentLink,
    agency: agency as AgencyDetails,
    ...(rec.promise ? { promise: rec.promise } : {}),
    ...(rec.optOuts ? { optOuts: rec.optOuts } : {}),
    ...(rec.agentBy ? { agentBy: new Date(rec.agentBy) } : {}),
    ...(rec.alsoVulnerable ? { alsoVulnerable: true } : {}),
    ...(rec.distress ? { distress: true } : {}),
    ...(offer ? { arrangement: offer } : {}),
    ...(rec.channel === 'whatsapp' ? { whatsappWindowOpen: at !== undefined && now.getTime() - Date.parse(at) < 24 * 3600_000 } : {}),
  };
}
