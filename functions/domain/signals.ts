/**
 * What a flag, a reply's intent and a call's outcome say about the debtor: the vocabulary segmentation decides with
 * (segmentation.ts) and the case model keeps its signals by (case/events.ts, case/history.ts), in a module of its own
 * so that the functions which only record what happened do not carry the segmentation.
 */

/** Flags that need a person's care. */
export const VULNERABLE_FLAGS: Readonly<Record<string, string>> = Object.freeze({
  vulnerable: 'marked vulnerable',
  bewind: 'under protective administration (beschermingsbewind)',
  curatele: 'under guardianship (curatele)',
  mentorschap: 'has a mentor (mentorschap)',
});

/** Debt-relief statuses: DESIGN §5 rule 10, all outreach stops and the case is referred. */
export const DEBT_RELIEF_FLAGS: Readonly<Record<string, string>> = Object.freeze({
  debt_help_reported: 'reported municipal debt help',
  schuldhulp: 'in municipal debt help (schuldhulpverlening)',
  wsnp: 'in the WSNP (statutory debt restructuring)',
  moratorium: 'under a moratorium',
});

/** Flags that point at a lack of means. */
export const CANNOT_PAY_FLAGS: Readonly<Record<string, string>> = Object.freeze({
  cannot_pay_reported: 'said they cannot pay',
  beslag: 'income garnished by another creditor (beslag)',
});

/** Reply intents that say something about the debtor's means. */
export const CAPACITY_REPLIES: Readonly<Record<string, string>> = {
  cannot_pay: 'said they cannot pay',
  arrangement: 'asked for a payment arrangement',
  debt_help: 'reported debt help',
  postpone: 'asked to pay later',
};
/** Call outcomes that say something about the debtor's means. */
export const CAPACITY_CALLS: Readonly<Record<string, string>> = {
  cannot_pay: 'told the agent they cannot pay',
  arrangement_requested: 'asked the agent for a payment arrangement',
};
/** Call outcomes in which the agent reached the debtor (a reaction). */
export const REACHED_CALL_OUTCOMES: ReadonlySet<string> = new Set(['reached', 'promise_to_pay', 'arrangement_requested', 'cannot_pay', 'dispute', 'vulnerable']);
