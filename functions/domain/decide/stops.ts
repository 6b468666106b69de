/**
 * Decide, step "stops" (DESIGN §5 rule 10): debt help, the WSNP or a moratorium end all outreach and cost
 * accrual at once; a journey with no open dossier left ends; claims not yet overdue wait for their due date.
 */
import { addDays, localDate, localInstant } from '../calendar.js';
import { DEBT_RELIEF_FLAGS } from '../segmentation.js';
import type { DecideContext } from './context.js';
import { type Early, done, wait } from './phase.js';

export function stopFor(ctx: DecideContext): Early | undefined {
  const { facts } = ctx;
  const flags = new Set(facts.debtor.flags);
  const relief = Object.keys(DEBT_RELIEF_FLAGS)
    .filter((f) => flags.has(f))
    .map((f) => `debtor ${DEBT_RELIEF_FLAGS[f]}`);
  const helpReply = facts.signals.debtHelpReplyAt;
  if (helpReply && !relief.length) relief.push(`debtor reported debt help on ${localDate(new Date(helpReply))}`);
  if (relief.length) {
    return done(ctx, 'referred to debt help', [...relief, 'all outreach and cost accrual stop (WSNP, moratorium or municipal debt help)']);
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
