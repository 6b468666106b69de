/**
 * The walking skeleton's fixed journey: email, then SMS, then a letter, then an agent's call task,
 * each at a later moment inside the legal contact hours, then hand-over. Pure; replaced by the
 * segment-aware strategy.
 */
import type { Channel } from '../channels/render-contract.js';
import { nextContactMoment } from './calendar.js';
import type { Decision, DecisionInput } from './decision.js';

const DAY = 86_400_000;

export const FIXED_SEQUENCE: ReadonlyArray<{ channel: Channel; afterDays: number }> = [
  { channel: 'email', afterDays: 0 },
  { channel: 'sms', afterDays: 3 },
  { channel: 'letter', afterDays: 4 },
  { channel: 'call', afterDays: 7 },
];
/** how long the last step (the call task) may take before the file is handed over */
export const HANDOVER_AFTER_DAYS = 7;

export function channelUsable(channel: Channel, d: DecisionInput['debtor']): boolean {
  if (d.optOuts.includes('all') || d.optOuts.includes(channel)) return false;
  switch (channel) {
    case 'email':
      return d.hasEmail && !d.unusable.includes('email');
    case 'sms':
    case 'call':
      return d.hasPhone && !d.unusable.includes('phone');
    case 'whatsapp':
      return d.hasPhone && d.whatsappOptIn && !d.unusable.includes('phone');
    case 'letter':
      return d.hasAddress && !d.unusable.includes('address');
  }
}

export function decideFixedSequence(input: DecisionInput): Decision {
  const open = input.dossiers.filter((d) => d.status === 'open');
  if (open.length === 0) return { kind: 'done', reason: 'no open dossiers left', reasons: ['every dossier is paid, paused, withdrawn or closed'] };
  const last = input.journey.lastContactAt ? Date.parse(input.journey.lastContactAt) : undefined;
  const reasons: string[] = [];
  // Position in the sequence = steps already taken; unusable channels are skipped, with the reason.
  for (let pos = input.journey.stepNo; pos < FIXED_SEQUENCE.length; pos++) {
    const step = FIXED_SEQUENCE[pos];
    if (!channelUsable(step.channel, input.debtor)) {
      reasons.push(`${step.channel} skipped: not usable for this debtor`);
      continue;
    }
    const due = last === undefined ? input.now.getTime() : last + step.afterDays * DAY;
    const moment = nextContactMoment(new Date(Math.max(due, input.now.getTime())));
    if (moment.at.getTime() > input.now.getTime()) {
      return { kind: 'wait', until: moment.at, reasons: [...reasons, `step ${pos + 1} (${step.channel}) is due ${moment.at.toISOString()}${moment.moved ? ` (moved: ${moment.reason})` : ''}`] };
    }
    const nextStep = FIXED_SEQUENCE[pos + 1];
    const nextDecisionAt = new Date(input.now.getTime() + (nextStep ? nextStep.afterDays : HANDOVER_AFTER_DAYS) * DAY);
    return {
      kind: 'send',
      stepNo: pos + 1,
      channel: step.channel,
      phase: 'reminder',
      tone: 'friendly',
      language: input.debtor.language,
      template: `${step.channel}/reminder/friendly`,
      dossierIds: open.map((d) => d.dossierId),
      nextDecisionAt,
      reasons: [...reasons, `fixed sequence step ${pos + 1} of ${FIXED_SEQUENCE.length}: ${step.channel}`],
    };
  }
  const end = last === undefined ? input.now.getTime() : last + HANDOVER_AFTER_DAYS * DAY;
  if (end > input.now.getTime()) return { kind: 'wait', until: new Date(end), reasons: [...reasons, 'sequence finished; hand-over when the last step had its time'] };
  return { kind: 'done', reason: 'sequence finished without payment', dossierStatus: 'handed_over', reasons };
}
