/**
 * Decide, step "stops" (DESIGN §5 rule 10): debt help, the WSNP or a moratorium end all outreach and cost
 * accrual at once (the dossiers get the status debt_help); a reply that signalled vulnerability, bankruptcy or the
 * wrong person holds all automated outreach until an agent records an outcome on its task; a journey with no open
 * dossier left ends; claims not yet overdue wait for their due date.
 */
import { addDays, localDate, localInstant } from '../calendar.js';
import { DEBT_RELIEF_FLAGS } from '../signals.js';
import type { DecideContext } from './context.js';
import { type Early, done, wait } from './phase.js';
import { DAY, fmt } from './moment.js';

/** A held journey looks again this often (an agent's outcome wakes it at once; this is only the safety net). */
export const HOLD_RECHECK_DAYS = 7;

const HOLD_TEXT: Record<string, string> = {
  vulnerable: 'the debtor signalled vulnerability (bereavement, illness, crisis or distress)',
  bankruptcy: 'the debtor reported a bankruptcy',
  wrong_person: 'the reply says we may have the wrong person',
};

export function stopFor(ctx: DecideContext): Early | undefined {
  const { facts } = ctx;
  const flags = new Set(facts.debtor.flags);
  const relief = Object.keys(DEBT_RELIEF_FLAGS)
    .filter((f) => flags.has(f))
    .map((f) => `debtor ${DEBT_RELIEF_FLAGS[f]}`);
  const helpReply = facts.signals.debtHelpReplyAt;
  if (helpReply && !relief.length) relief.push(`debtor reported debt help on ${localDate(new Date(helpReply))}`);
  if (relief.length) {
    return done(ctx, 'referred to debt help', [...relief, 'all outreach and cost accrual stop (WSNP, moratorium or municipal debt help)'], 'debt_help');
  }
  const holds = facts.debtor.holds ?? [];
  if (holds.length && ctx.open.length) {
    const since = Math.min(...holds.map((h) => Date.parse(h.at)));
    return wait(ctx, ctx.t + HOLD_RECHECK_DAYS * DAY, [
      ...holds.map((h) => `${HOLD_TEXT[h.reason] ?? h.reason} on ${fmt(Date.parse(h.at))}`),
      `automated outreach paused since ${fmt(since)} until an agent records an outcome on the task`,
    ]);
  }
  if (ctx.open.length === 0) {
    const statuses = [...new Set(facts.dossiers.map((d) => d.status))];
    return done(ctx, 'no open dossiers left', [facts.dossiers.length ? `every dossier is ${statuses.join(' or ')}` : 'no dossiers']);
  }
  return undefined;
}

/** No open claim is overdue yet: wait until the day after the first due date. */
export function notOverdueYet(ctx: DecideContext): Early | undefined {
  if (ctx.overdue.length > 0) return undefined;
  const first = ctx.open.map((d) => d.dueDate).sort()[0];
  return wait(ctx, localInstant(addDays(first, 1), 0), [`no open claim is overdue yet: the first is due ${first}`]);
}
