/**
 * What the agency does with a debtor's reply, besides writing it down: which answer goes back and when, which
 * agent task it needs, which channels it opts out of, and whether automated outreach must wait for a person.
 * Pure: the classification, the reply's channel, the case's opt-outs and `now` in, a plan out. The reducer
 * (case/events.ts) applies the plan's effects to the case; services/conversation.ts carries out the rest.
 *
 * Rules:
 *  - Every reply gets one answer on the channel it came in, naming the agency — unless the debtor opted out of
 *    that channel earlier (then only an opt-out confirmation may still go there).
 *  - Opt-out confirmations go at once; every other answer goes inside contact hours (07:00–20:00 Europe/Amsterdam,
 *    Bki art. 4.2), so a reply at 22:30 is answered at 07:00. An answer to the debtor's own message is no unasked
 *    contact, so Sundays and holidays do not hold it back — the hours do.
 *  - STOP (or a sentence asking to stop) opts out of the channels it names, else of the reply's own channel;
 *    STOPALL of every digital channel and calls — the legally required 14-day letter still goes by post.
 *  - Vulnerability, bankruptcy and "wrong person" hold automated outreach until an agent records an outcome; those,
 *    a dispute, a call-back request and an unclear reply each get an agent task with a priority and a due time.
 */
import { addDays, localInstant, toLocal } from './calendar.js';
import type { ClassifiedReply } from './intents/index.js';
import type { HoldReason } from './case/state.js';
import type { Channel, Intent, OptOut, TaskPriority, TaskReason } from './vocabulary.js';

/** Contact hours for answers: from 07:00 until 20:00 Europe/Amsterdam. */
export const ANSWER_HOURS = { from: 7, until: 20 } as const;

export interface TaskPlan {
  reason: TaskReason;
  priority: TaskPriority;
  /** when an agent should have acted */
  dueAt: Date;
  /** why, for the agent */
  why: string;
}

export interface ReplyPlan {
  /** the answer's template (templates/answer/<lang>/<answer>.hbs); none when the channel may not be used */
  answer?: Intent;
  /** when the answer goes: now, or the next 07:00 */
  sendAt: Date;
  /** why no answer is sent */
  noAnswer?: string;
  optOuts: OptOut[];
  tasks: TaskPlan[];
  holds: HoldReason[];
}

/** What each intent needs from an agent: the task's reason, priority, and how many hours they have. */
const TASKS: Partial<Record<Intent, { reason: TaskReason; priority: TaskPriority; hours: number; why: string }>> = {
  vulnerable: { reason: 'vulnerable', priority: 'urgent', hours: 4, why: 'the debtor signalled vulnerability: contact them with care; automated outreach waits for your outcome' },
  bankruptcy: { reason: 'bankruptcy', priority: 'high', hours: 24, why: 'the debtor reported a bankruptcy: check the insolvency register and the curator; automated outreach waits for your outcome' },
  not_my_debt: { reason: 'wrong_person', priority: 'high', hours: 24, why: 'the reply says we have the wrong person or number: check the identity and contact details; automated outreach waits for your outcome' },
  dispute: { reason: 'dispute_review', priority: 'high', hours: 48, why: 'the debtor disputes the claim: the dossier is paused; ask the creditor to check and resolve the dispute' },
  call_me: { reason: 'call_back_requested', priority: 'normal', hours: 24, why: 'the debtor asked to be called' },
  unclear: { reason: 'unclear_reply', priority: 'normal', hours: 24, why: 'the classifier could not tell what the reply means: read it and answer or record the outcome' },
};
const HOLDS: Partial<Record<Intent, HoldReason>> = { vulnerable: 'vulnerable', bankruptcy: 'bankruptcy', not_my_debt: 'wrong_person' };

/** The first moment inside answer hours at or after `now`. */
export function answerMoment(now: Date): Date {
  const local = toLocal(now);
  if (local.hour >= ANSWER_HOURS.from && local.hour < ANSWER_HOURS.until) return now;
  return localInstant(local.hour < ANSWER_HOURS.from ? local.date : addDays(local.date, 1), ANSWER_HOURS.from);
}

/** The channels an opt-out reply stops. */
export function optOutsOf(r: ClassifiedReply, channel: 'sms' | 'whatsapp'): OptOut[] {
  if (r.intent === 'opt_out_all' || r.also.includes('opt_out_all')) return ['all'];
  if (r.intent !== 'opt_out' && !r.also.includes('opt_out')) return [];
  const named: Channel[] = [...r.channels];
  if (named.length === 0 || r.bareStop) named.unshift(channel);
  return [...new Set(named)];
}

export function planReply(r: ClassifiedReply, ctx: { channel: 'sms' | 'whatsapp'; optOuts: readonly string[]; now: Date }): ReplyPlan {
  const optOuts = optOutsOf(r, ctx.channel);
  const isOptOut = optOuts.length > 0;
  const intents: Intent[] = [r.intent, ...r.also];
  const tasks: TaskPlan[] = [];
  for (const i of intents) {
    const t = TASKS[i];
    if (t && !tasks.some((x) => x.reason === t.reason)) tasks.push({ reason: t.reason, priority: t.priority, dueAt: new Date(ctx.now.getTime() + t.hours * 3_600_000), why: t.why });
  }
  const holds = [...new Set(intents.map((i) => HOLDS[i]).filter((h): h is HoldReason => h !== undefined))];
  const before = ctx.optOuts;
  const channelClosed = before.includes('all') || before.includes(ctx.channel);
  const base = { optOuts, tasks, holds };
  // An opt-out is confirmed once, at once, on the channel it came in — even when it repeats an earlier opt-out.
  if (isOptOut) return { ...base, answer: optOuts.includes('all') ? 'opt_out_all' : 'opt_out', sendAt: ctx.now };
  if (channelClosed) return { ...base, sendAt: ctx.now, noAnswer: `the debtor opted out of ${before.includes('all') ? 'all channels' : ctx.channel} earlier` };
  return { ...base, answer: r.intent, sendAt: answerMoment(ctx.now) };
}
