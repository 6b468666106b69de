/**
 * The agent tasks a reply needs (services/engagement.ts for SMS and WhatsApp replies, services/page-statements.ts for
 * what the debtor says on the debtor page), and the claim lines they state. In their own module so that the Payments
 * function, which records page statements, does not bundle the classifier and the answers' renderer.
 */
import type { CaseState, ClaimRecord } from '../domain/case/state.js';
import { claimsOf, nameFor } from '../domain/case/state.js';
import { accrualStop, claimAmounts } from '../domain/case/amounts.js';
import { localDate } from '../domain/calendar.js';
import type { ReplyPlan } from '../domain/conversation.js';
import type { ClassifiedReply } from '../domain/intents/index.js';
import type { Language } from '../channels/render-contract.js';
import { metrics } from '../shared/metrics.js';
import { getClient } from '../store/clients.js';
import { createTaskOnce } from '../store/tasks.js';
import type { NewEvent } from '../store/timeline.js';

/** The task id for what reply `messageSid` needs (`reason`): one per reply and reason, whatever the retries. */
export const replyTaskId = (messageSid: string, reason: string) => `reply_${messageSid}_${reason}`;

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
    const created = await createTaskOnce({
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
    if (created) metrics.agentTask(t.reason);
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

/** The language of the newest of the claims (an answer and a task are in it). */
export function languageOf(claims: readonly ClaimRecord[]): Language {
  return [...claims].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1)?.language ?? 'nl';
}

/** The claims as an answer or an agent task states them: what is owed today (art. 6:44 BW allocation, interest included). */
export async function dossierLines(c: CaseState, claims: readonly ClaimRecord[], now: Date) {
  const names = new Map<string, string>();
  for (const d of claims) if (!names.has(d.clientId)) names.set(d.clientId, (await getClient(d.clientId))?.name ?? d.clientId);
  const day = localDate(now);
  const stop = accrualStop(c);
  return claims.map((d) => {
    const a = claimAmounts(d, day, { stopAccrualOn: stop });
    return { dossierId: d.dossierId, reference: d.reference, creditor: names.get(d.clientId)!, status: d.status, interest: a.interest, outstanding: a.outstanding };
  });
}
