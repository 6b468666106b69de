/**
 * The last check before a message goes out: what it says must agree with the legal state of its claims
 * (DESIGN §5 rules 3 and 12). Pure; the channel step runs it on the rendered text, after the claim and before the
 * provider call, so a message that would contradict the law is never sent — whatever a template or a decision got
 * wrong. Why so strict: costs are lost in court when the debtor was told a term other than the one they are
 * charged on, and a wrong message is not repaired by a later one (HR 25-11-2016, ECLI:NL:HR:2016:2704).
 *
 *  - the 14-day letter states the legal term and nothing else; no other message starts a term of its own;
 *  - a follow-up of the letter names no date but the letter's term end, and that date is not before the term the
 *    costs are charged on (it is recorded on the claims, so the costs wait for it);
 *  - a demand, final notice or hand-over notice about a consumer claim whose 14-day letter was sent comes after
 *    that letter's term (its text asks for payment now, and says the term is over once costs were added).
 *
 * A message outside the collection sequence (`aside`: an arrangement offer, an instalment reminder, the answer to a
 * reply) starts no term and demands nothing: it is held to the rule for "any other message" — no term of its own,
 * no date promised free of costs — whatever phase the journey is in (its due dates are the plan's, not a term).
 *
 * It checks what a message says against the law, not the strategy's order: that a demand waits for the 14-day
 * letter at all is Decide's rule (decide/phase.ts letterGate), and without a letter no costs are charged, so a
 * demand then says nothing untrue about a term.
 */
import { localDate } from './calendar.js';
import type { DossierFacts } from './case/facts.js';
import { costState } from './decide/costs.js';
import { type TermPolicy, termViolations } from './term-statements.js';
import { type Channel, type Phase, phaseIndex } from './vocabulary.js';

export interface MessageCheck {
  channel: Channel;
  phase: Phase;
  /** the term end the message was rendered with (follow-ups of the 14-day letter) */
  termEndDate?: string;
  /** not a message of the collection sequence (arrangement messages, answers to replies) */
  aside?: boolean;
  /** everything the debtor sees: subject and text */
  text: string;
  /** the message's claims as the case holds them now (the step's claim applied) */
  claims: readonly DossierFacts[];
  /** consumer claims need the 14-day letter */
  needsLetter: (d: DossierFacts) => boolean;
  now: Date;
}

/** Which term rule a message is held to (term-statements.ts). */
export function termPolicyFor(channel: Channel, phase: Phase, termEndDate?: string): TermPolicy {
  if (phase !== 'fourteen_day_letter') return { message: 'other' };
  if (channel === 'letter') return { message: 'fourteen-day-letter' };
  return { message: 'follow-up', ...(termEndDate ? { termEndDate } : {}) };
}

/**
 * What is wrong with sending this message now; [] when nothing is. The reasons name rules and claims, never
 * the message's sentences (they hold the debtor's name): they go to the timeline and the logs.
 */
export function messageContradictions(m: MessageCheck): string[] {
  const out = termViolations(m.text, m.aside ? { message: 'other' } : termPolicyFor(m.channel, m.phase, m.termEndDate)).map((v) => `the text ${v.replace(/: ".*"$/s, '')}`);
  if (m.aside) return out;
  const letterClaims = m.claims.filter(m.needsLetter);
  const costs = costState(letterClaims, m.now, () => true);
  const today = localDate(m.now);
  if (m.phase === 'fourteen_day_letter' && m.channel !== 'letter' && m.termEndDate) {
    for (const d of letterClaims) {
      const end = costs.termEnd.get(d.dossierId);
      if (end && m.termEndDate < end) out.push(`it names ${m.termEndDate} while the term of ${d.dossierId} runs until ${end}`);
    }
  }
  if (phaseIndex(m.phase) > phaseIndex('fourteen_day_letter')) {
    for (const d of letterClaims) {
      const from = costs.costsFrom.get(d.dossierId);
      if (d.letter && from && from > today) out.push(`a ${m.phase} about ${d.dossierId} while its 14-day term runs (costs from ${from})`);
    }
  }
  return out;
}
