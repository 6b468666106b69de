/**
 * Decide, step "channel": which channel a contact goes out on. Never an opted-out or unusable channel,
 * WhatsApp only with a recorded opt-in (DESIGN §5 rules 10–11), not the channel that just failed.
 */
import type { DebtorFacts } from '../case/facts.js';
import type { PhaseSpec } from '../strategy.js';
import type { Channel } from '../vocabulary.js';

/**
 * Why a channel cannot be used for this debtor now, or undefined when it can. `legalLetter`: the letter is the
 * legally required 14-day letter, which still goes by post after STOPALL (issue 8 item 6: STOPALL stops every
 * digital channel and calls, not the letters the law requires).
 */
export function channelProblem(channel: Channel, d: DebtorFacts, failed: ReadonlySet<Channel> = new Set(), legalLetter = false): string | undefined {
  const optOuts = d.optOuts as string[];
  if (optOuts.includes('all') && !(channel === 'letter' && legalLetter)) return 'opted out of all channels';
  if (optOuts.includes(channel)) return 'opted out';
  if (failed.has(channel)) return 'failed on the last attempt';
  switch (channel) {
    case 'email':
      if (!d.hasEmail) return 'no email address';
      return d.unusable.includes('email') ? 'email address unusable' : undefined;
    case 'sms':
    case 'call':
      if (!d.hasPhone) return 'no phone number';
      return d.unusable.includes('phone') ? 'phone number unusable' : undefined;
    case 'whatsapp':
      if (!d.hasPhone) return 'no phone number';
      if (!d.whatsappOptIn) return 'no WhatsApp opt-in';
      return d.unusable.includes('phone') ? 'phone number unusable' : undefined;
    case 'letter':
      if (!d.hasAddress) return 'no postal address';
      return d.unusable.includes('address') ? 'postal address unusable' : undefined;
  }
}

export interface ChannelChoice {
  channel?: Channel;
  /** why channels before the chosen one were passed over */
  reasons: string[];
}

/** The first usable channel of `order`. */
export function chooseChannel(order: readonly Channel[], d: DebtorFacts, failed: ReadonlySet<Channel>, legalLetter = false): ChannelChoice {
  const reasons: string[] = [];
  for (const c of order) {
    const problem = channelProblem(c, d, failed, legalLetter);
    if (!problem) return { channel: c, reasons };
    reasons.push(`${c} skipped: ${problem}`);
  }
  return { reasons };
}

/** normal: the phase's channels; letter: only the letter (the 14-day letter itself); no-letter: the reminders inside its term. */
export type ChannelMode = 'normal' | 'letter' | 'no-letter';

/** The channel order for contact `contactNo` (0-based) of a phase: rotated per contact when the phase says so. */
export function channelOrder(spec: PhaseSpec, contactNo: number, d: DebtorFacts, failed: ReadonlySet<Channel>, mode: ChannelMode): Channel[] {
  if (mode === 'letter') return ['letter'];
  const withoutLetter = (l: readonly Channel[]) => (mode === 'no-letter' ? l.filter((c) => c !== 'letter') : [...l]);
  const primary = withoutLetter(spec.channels);
  const fallback = withoutLetter(spec.fallback);
  if (!spec.rotate) return [...primary, ...fallback];
  const usable = primary.filter((c) => !channelProblem(c, d, failed));
  if (usable.length === 0) return [...primary, ...fallback];
  const k = contactNo % usable.length;
  // the unusable ones first, so the reasons say why they were passed over
  return [...primary.filter((c) => !usable.includes(c)), ...usable.slice(k), ...usable.slice(0, k), ...fallback];
}

/** Picks the channel for contact `contactNo` of a phase in the given mode. */
export function channelFor(spec: PhaseSpec, contactNo: number, d: DebtorFacts, failed: ReadonlySet<Channel>, mode: ChannelMode): ChannelChoice {
  return chooseChannel(channelOrder(spec, contactNo, d, failed, mode), d, failed, mode === 'letter');
}
