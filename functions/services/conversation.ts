/**
 * The agency's side of a conversation: the agent tasks a reply needs and the one answer it gets (what and when:
 * domain/conversation.ts). Answers are not journey steps — they go from the reply path (or, outside contact hours,
 * from a one-time timer at 07:00) through the same messaging adapters as the journey, on the channel the reply came
 * in, and appear on the timeline and in the provider-message look-up with `inReplyTo` set.
 *
 * At most one answer per inbound message: the answer item (store/answers.ts) is planned once and claimed with one
 * conditional write before Twilio is called; a second delivery of the webhook, a retried timer or a concurrent
 * duplicate finds it claimed or sent. Nothing personal is logged.
 *
 * This module plans (the Webhooks function, on the reply path); the Deliveries function renders and sends
 * (services/answer-delivery.ts): invoked by the reply path for an answer due now, by the answer timer at 07:00.
 */
import { metrics } from '../shared/metrics.js';
import { planAnswer } from '../store/answers.js';
import type { NewEvent } from '../store/timeline.js';
import { setTimer } from './timers.js';
import { deliverNow } from './deliver-now.js';
import { createReplyTasks, type ReplyContext, replyTaskId } from './reply-tasks.js';

export { createReplyTasks, type ReplyContext, replyTaskId };

/** Words of acute distress: the vulnerability answer then names 113 Zelfmoordpreventie. */
const DISTRESS = /zelfmoord|zelfdoding|suicid|niet meer (willen |wil )?(zijn|leven)|einde aan (mijn|m'n|het) leven|end it all|ending it all|kill myself|want to die|zie het niet meer zitten|cant go on|can'?t go on/i;

/**
 * Plans the reply's answer and sends it now, or sets the timer for the first moment inside contact hours. Returns the
 * timeline entries to write with the reply (a skipped or planned answer); a sent answer writes its own.
 */
export async function answerReply(r: ReplyContext, now: Date): Promise<NewEvent[]> {
  const { plan } = r;
  if (r.channel === 'page') return [];
  if (!plan.answer) {
    metrics.answered(r.channel, 'skipped');
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
    // Sent now by the Deliveries function (it renders and sends; it fails, and with it this request, where sending
    // failed transiently, so the provider's retry of the webhook sends it).
    await deliverNow({ answer: { messageSid: r.messageSid } });
    return [];
  }
  await setTimer(`a-${r.messageSid}`.slice(0, 64), new Date(rec.sendAt), { kind: 'answer', messageSid: r.messageSid });
  metrics.answered(r.channel, 'planned');
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
