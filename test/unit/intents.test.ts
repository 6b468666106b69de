import { describe, expect, it } from 'vitest';
import { classifyReply } from '../../functions/domain/intents.js';

describe('classifyReply', () => {
  it.each([
    ['STOP', 'opt_out'],
    ['stop', 'opt_out'],
    ['Stop.', 'opt_out'],
    ['  afmelden ', 'opt_out'],
    ['UITSCHRIJVEN', 'opt_out'],
    ['unsubscribe', 'opt_out'],
    ['Cancel', 'opt_out'],
    ['END', 'opt_out'],
    ['quit', 'opt_out'],
    ['STOPALL', 'opt_out_all'],
    ['ik wil een regeling', 'arrangement'],
    ['Kan ik in termijnen betalen?', 'arrangement'],
    ['Can I get a payment plan', 'arrangement'],
    ['al betaald', 'already_paid'],
    ['Ik heb vorige week al betaald!', 'already_paid'],
    ['ik kan niet betalen', 'cannot_pay'],
    ['Ik ben werkloos en heb geen geld', 'cannot_pay'],
    ["I can't pay this month", 'cannot_pay'],
    ['ik zit in de schuldhulpverlening', 'debt_help'],
    ['Mijn bewindvoerder regelt dit', 'debt_help'],
    ['Ik zit in de WSNP', 'debt_help'],
    ['Deze rekening klopt niet', 'dispute'],
    ['Ik heb dit nooit besteld', 'dispute'],
    ['ik betaal morgen', 'promise_to_pay'],
    ['Hallo, wie is dit?', 'other'],
  ])('%s → %s', (text, intent) => {
    expect(classifyReply(text).intent).toBe(intent);
  });

  it('treats a stop keyword inside a sentence as a normal reply, not an opt-out', () => {
    expect(classifyReply('Wanneer stopt dit? Ik wil een regeling').intent).toBe('arrangement');
    expect(classifyReply('please stop calling me at work').intent).toBe('other');
  });

  it('lets debt help outrank a payment-plan request', () => {
    expect(classifyReply('Mijn schuldhulpverlener wil een regeling').intent).toBe('debt_help');
  });
});
