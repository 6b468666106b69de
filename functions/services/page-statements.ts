/**
 * What the debtor says on the debtor page ("I already paid", "I dispute this", "I get debt help"): the same effects as
 * the matching reply (services/engagement.ts), through the same reducer event and agent tasks. In its own module so
 * that the Payments function does not bundle the reply classifier and the answers.
 */
import { createHash } from 'node:crypto';
import type { ClassifiedReply } from '../domain/intents/index.js';
import type { CaseState } from '../domain/case/state.js';
import { planReply } from '../domain/conversation.js';
import { logger } from '../shared/logger.js';
import { recentReceipt, webhookDone } from '../store/messages.js';
import { appendEvents, type NewEvent } from '../store/timeline.js';
import { changedProjections, mutateCase } from './case.js';
import { wakeJourney } from './journeys.js';
import { createReplyTasks } from './reply-tasks.js';

/** The same statement about the same claims again within this many seconds is a repeat (a double click). */
export const STATEMENT_REPEAT_S = 60;

/** What the debtor can say on the debtor page, with the intent of the matching reply. */
export const PAGE_STATEMENTS = { already_paid: 'says the claim is already paid', dispute: 'disputes the claim', debt_help: 'reports debt help or debt restructuring' } as const;

/**
 * "I already paid", "I dispute this", "I get debt help" said on the debtor page: the same effects as the matching
 * reply, through the same reducer event and agent tasks (a dispute: the dossier paused and a dispute_review task;
 * debt help: every open dossier to debt_help, an arrangement cancelled, the journey stopped; already paid: the
 * grace before the next reminder). No answer message: the page confirms it itself.
 */
export async function recordPageStatement(c: CaseState, intent: keyof typeof PAGE_STATEMENTS, dossierIds: readonly string[], now: Date): Promise<void> {
  if (dossierIds.length === 0) return;
  // A double click (or the form sent again within a minute) is the same statement: one receipt per case, statement
  // and claims for a minute, and the first one's time for every write, so a repeat lands on the same entry and task.
  const ids = [...dossierIds].sort();
  const statementKey = createHash('sha256').update(`${c.caseId}|${intent}|${ids.join(',')}`).digest('hex').slice(0, 32);
  const receipt = await recentReceipt('page', statementKey, now, STATEMENT_REPEAT_S);
  if (receipt.done) return;
  const at = receipt.at;
  const statementId = `page-${intent}-${at}`;
  const reply: ClassifiedReply = { intent, confidence: 1, also: [], channels: [], bareStop: false, matched: 'on the payment page' };
  const plan = planReply(reply, { channel: 'sms', optOuts: [], now });
  const m = await mutateCase(c.caseId, now, () => [{ type: 'reply', at, channel: 'page', intent, dossierIds: ids, messageId: statementId }], c);
  if (!m?.changed) return webhookDone('page', statementKey);
  const events: NewEvent[] = [
    { eventId: statementId, at, type: 'replied', detail: `Debtor ${PAGE_STATEMENTS[intent]} (on the payment page)`, dossierIds: ids, intent, confidence: 1, data: { intent, via: 'page' } },
  ];
  events.push(...(await createReplyTasks({ c: m.after, messageSid: statementId, channel: 'page', phone: '', text: '', reply, plan, dossierIds: ids, at })));
  await appendEvents(c.caseId, events, changedProjections(m.before, m.after));
  await wakeJourney(m.after, `page:${intent}`);
  await webhookDone('page', statementKey);
  logger.info('page statement recorded', { debtorId: c.caseId, intent });
}
