/**
 * Sending the answer to a reply (the Deliveries function): once, from its planned record (services/conversation.ts
 * plans it on the reply path). Invoked by the reply path when the answer is due now, and by the answer timer at
 * 07:00 when it waited for contact hours. The answer is rendered (channels/render-answer.ts), checked by the message
 * guard, claimed with one conditional write and sent through the SMS/WhatsApp adapter; the timeline, the provider
 * message look-up and the answer item record what happened. Nothing personal is logged.
 */
import type { CaseState } from '../domain/case/state.js';
import { claimsOf, nameFor } from '../domain/case/state.js';
import { firstUnpaid } from '../domain/arrangements.js';
import { messageContradictions } from '../domain/message-guard.js';
import { adapterFor } from '../channels/adapters.js';
import { PermanentSendError, redact } from '../channels/port.js';
import { type AnswerInput, type ArrangementOffer, renderAnswer } from '../channels/render-answer.js';
import type { AgencyDetails } from '../channels/render-contract.js';
import { logger } from '../shared/logger.js';
import { metrics } from '../shared/metrics.js';
import { type AnswerRecord, claimAnswer, getAnswer, settleAnswer } from '../store/answers.js';
import { phoneIndexItem } from '../store/identity.js';
import { messageRefItem } from '../store/messages.js';
import { appendEvents, type NewEvent } from '../store/timeline.js';
import agency from '../../templates/agency.json' with { type: 'json' };
import { loadCase } from './case.js';
import { answerLinkFor } from './page-links.js';
import { dossierLines, languageOf } from './reply-tasks.js';

/** A claim older than this that is still `sending` was left by a crash: in doubt, never sent again. */
const ANSWER_LEASE_MS = 65_000;

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
    metrics.answered(planned.channel, 'in_doubt');
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
    metrics.answered(rec.channel, 'skipped');
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
    metrics.answered(rec.channel, 'sent');
    logger.info('reply answered', { caseId: c.caseId, answer: rec.answer, channel: rec.channel });
  } catch (err) {
    if (err instanceof PermanentSendError || (err as Error)?.name === 'AnswerRenderError' || err instanceof AnswerContradiction) {
      const reason = redact((err as Error).message);
      await settleAnswer(messageSid, 'failed', { reason });
      await appendEvents(rec.caseId, [answerEvent(rec, 'answer_failed', `Answer (answer/${rec.answer}) not sent: ${reason}.`, now.toISOString())]);
      metrics.answered(rec.channel, 'failed');
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
