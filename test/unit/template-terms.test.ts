/**
 * Only the 14-day letter starts a term; every other message states no term of its own (DESIGN §5 rules 3 and 12,
 * art. 6:96 lid 6 BW, HR 25-11-2016 ECLI:NL:HR:2016:2704). Renders every template (channel × phase × tone ×
 * language, WhatsApp inside and outside the 24 h window), with and without the letter's term end date, and checks
 * what each says about terms with the pure checker in functions/domain/term-statements.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Language, Phase, RenderInput, Tone } from '../../functions/channels/render-contract.js';
import { CHANNELS, LANGUAGES, PHASES, RenderError, TONES, renderMessage } from '../../functions/channels/render.js';
import { formatDate } from '../../functions/channels/render-format.js';
import { checkFourteenDayWording, fourteenDayTermEnd, presumedReceipt } from '../../functions/domain/costs.js';
import { type TermPolicy, isLegalLetterTerm, termStatementsOf, termViolations } from '../../functions/domain/term-statements.js';
import { sampleInput } from '../../infra/local/preview.js';

// The sample letter went out Thursday 26 February 2026 → presumed received Saturday 28 February → day 14 is
// Saturday 14 March → the term ends Monday 16 March 2026 (Atw art. 1).
const TERM_END = fourteenDayTermEnd(presumedReceipt(new Date('2026-02-26T10:00:00Z')));

interface Rendered {
  id: string;
  channel: Channel;
  phase: Phase;
  language: Language;
  withDate: boolean;
  windowOpen?: boolean;
  visible: string;
  segments?: number;
}

/** The text an email's HTML shows (the preheader is only there). */
function htmlText(html: string): string {
  return html
    .replace(/<(style|head)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<br\s*\/?>|<\/(p|div|td|tr|h\d|li)>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

function policyFor(r: Pick<Rendered, 'channel' | 'phase' | 'withDate'>): TermPolicy {
  if (r.phase !== 'fourteen_day_letter') return { message: 'other' };
  if (r.channel === 'letter') return { message: 'fourteen-day-letter' };
  return { message: 'follow-up', ...(r.withDate ? { termEndDate: TERM_END } : {}) };
}

const all: Rendered[] = [];

beforeAll(async () => {
  for (const channel of CHANNELS)
    for (const phase of PHASES)
      for (const tone of TONES)
        for (const language of LANGUAGES)
          for (const withDate of [false, true]) {
            if (withDate && (channel === 'letter' || phase !== 'fourteen_day_letter')) continue; // only follow-ups get the date
            const input: RenderInput = { ...sampleInput(channel, phase, tone as Tone, language), ...(withDate ? { termEndDate: TERM_END } : {}) };
            for (const windowOpen of channel === 'whatsapp' ? [true, false] : [undefined]) {
              const msg = await renderMessage({ ...input, whatsappWindowOpen: windowOpen });
              const visible = [msg.subject ?? '', msg.text, msg.html ? htmlText(msg.html) : ''].join('\n');
              all.push({ id: msg.template, channel, phase, language, withDate, windowOpen, visible, segments: msg.sms?.segments });
            }
          }
});

describe('every template, every tone and language: term statements (DESIGN §5 rules 3 and 12)', () => {
  it('renders every combination (75 templates × 2 languages, WhatsApp twice, follow-ups also with the term end date)', () => {
    // 5 channels × 5 phases × 3 tones × 2 languages = 150, + 30 WhatsApp outside the window;
    // follow-ups with the date: (email, sms, call: 3 × 3 × 2) + WhatsApp 3 × 2 × 2 = 30
    expect(all).toHaveLength(150 + 30 + 30);
  });

  it('no template states a term the costs are not charged on (the checker finds nothing wrong in any of them)', () => {
    for (const r of all) {
      const label = `${r.id}/${r.language}${r.withDate ? ' with termEndDate' : ''}${r.windowOpen === undefined ? '' : ` window=${r.windowOpen}`}`;
      expect(termViolations(r.visible, policyFor(r)), label).toEqual([]);
    }
  });

  it('only the 14-day letter starts a term, and it does so with the legal wording (art. 6:96 lid 6 BW)', () => {
    for (const r of all) {
      const starts = termStatementsOf(r.visible).filter((s) => s.kind === 'starts-term');
      if (r.channel === 'letter' && r.phase === 'fourteen_day_letter') {
        expect(starts.length, r.id).toBeGreaterThanOrEqual(1);
        expect(starts.every((s) => s.kind === 'starts-term' && s.medium === 'letter' && s.days === 14), r.id).toBe(true);
        if (r.language === 'nl') expect(checkFourteenDayWording(r.visible).valid, r.id).toBe(true);
        expect(starts.every((s) => isLegalLetterTerm(s.sentence)), r.id).toBe(true);
      } else {
        expect(starts, `${r.id}/${r.language}`).toEqual([]);
      }
    }
  });

  it('messages after the letter refer to its term: by its last day when the renderer has it, else to "the term in the letter"', () => {
    const followUps = all.filter((r) => r.phase === 'fourteen_day_letter' && r.channel !== 'letter');
    expect(followUps).toHaveLength(60); // email, SMS, call 3 × 6, WhatsApp 12 (both windows); each with and without the date
    for (const r of followUps) {
      const found = termStatementsOf(r.visible);
      const approvedTemplate = r.channel === 'whatsapp' && r.windowOpen === false; // fixed text: no date variable
      if (r.withDate && !approvedTemplate) {
        const dates = found.filter((s) => s.kind === 'deadline').map((s) => (s.kind === 'deadline' ? s.date : ''));
        expect(dates.length, `${r.id}/${r.language}`).toBeGreaterThanOrEqual(1);
        expect(new Set(dates), `${r.id}/${r.language}`).toEqual(new Set([TERM_END]));
        expect(r.visible, r.id).toContain(formatDate(TERM_END, r.language));
      } else {
        expect(found.some((s) => s.kind === 'letter-term'), `${r.id}/${r.language}: ${r.visible}`).toBe(true);
        expect(found.some((s) => s.kind === 'deadline'), r.id).toBe(false);
      }
    }
  });

  it('the follow-up e-mail of the issue no longer starts its own term (was: "binnen 14 dagen vanaf de dag nadat deze e-mail bij u is bezorgd")', () => {
    for (const r of all.filter((x) => x.channel === 'email' && x.phase === 'fourteen_day_letter')) {
      expect(r.visible).not.toMatch(/nadat deze e-mail|after this email has been delivered|14 dagen|14 days/);
    }
  });

  it('SMS stays GSM-7 within 2 segments with the date', () => {
    for (const r of all.filter((x) => x.channel === 'sms')) expect(r.segments, r.id).toBeLessThanOrEqual(2);
  });

  it('the renderer refuses a term end that is not a calendar date', async () => {
    const input = sampleInput('email', 'fourteen_day_letter', 'neutral', 'nl');
    for (const bad of ['16-03-2026', '2026-02-30', '2026-03-16T00:00:00Z']) {
      await expect(renderMessage({ ...input, termEndDate: bad })).rejects.toThrow(RenderError);
    }
  });
});

describe('termStatementsOf / termViolations (the checker itself)', () => {
  const OLD_FOLLOW_UP = 'Betaal € 1.227,60 binnen 14 dagen vanaf de dag nadat deze e-mail bij u is bezorgd.';

  it('finds the legal term of the letter (nl, en) and what it is counted from', () => {
    expect(termStatementsOf('**Betaal € 1.227,60 binnen 14 dagen vanaf de dag nadat deze brief bij u is bezorgd.**')).toEqual([
      { kind: 'starts-term', sentence: 'betaal € 1.227,60 binnen 14 dagen vanaf de dag nadat deze brief bij u is bezorgd.', days: 14, medium: 'letter' },
    ]);
    expect(termStatementsOf('Pay €1,227.60 within 14 days from the day after this letter has been delivered to you.')[0]).toMatchObject({ kind: 'starts-term', medium: 'letter', days: 14 });
    expect(termStatementsOf(OLD_FOLLOW_UP)[0]).toMatchObject({ kind: 'starts-term', medium: 'email' });
  });

  it('the old follow-up e-mail wording is a violation: it starts a new, later term', () => {
    const v = termViolations(OLD_FOLLOW_UP, { message: 'follow-up', termEndDate: '2026-03-31' });
    expect(v).toHaveLength(1);
    expect(v[0]).toContain('starts a new term (only the 14-day letter may)');
  });

  it.each([
    'Betaal binnen 14 dagen zonder incassokosten',
    'Betaal binnen veertien dagen.',
    'U hebt 14 dagen na dagtekening om te betalen.',
    'Pay within two weeks.',
    'Pay within 14 days without collection costs',
    'You have 14 days from the date of this letter.',
  ])('a term counted in days or weeks from an unclear moment is flagged everywhere: %j', (text) => {
    expect(termStatementsOf(text).map((s) => s.kind)).toEqual(['relative-term']);
    for (const policy of [{ message: 'follow-up' }, { message: 'other' }, { message: 'fourteen-day-letter' }] as TermPolicy[]) {
      expect(termViolations(text, policy).some((v) => v.includes('unclear moment'))).toBe(true);
    }
  });

  it('a date in a follow-up must be the letter\'s term end: a later one (4 April for a term ending 31 March) is refused', () => {
    const text = 'Betaal uiterlijk op 4 april 2026. Dan komen er geen incassokosten bij.';
    expect(termStatementsOf(text)).toEqual([{ kind: 'deadline', sentence: 'betaal uiterlijk op 4 april 2026.', date: '2026-04-04', costFree: false }]);
    expect(termViolations(text, { message: 'follow-up', termEndDate: '2026-03-31' })).toEqual(['names 2026-04-04, not the letter\'s term end 2026-03-31: "betaal uiterlijk op 4 april 2026."']);
    expect(termViolations(text, { message: 'follow-up', termEndDate: '2026-04-04' })).toEqual([]);
    expect(termViolations(text, { message: 'follow-up' })[0]).toContain('not known');
    expect(termViolations('Pay by 4 April 2026 and no collection costs will be added.', { message: 'follow-up', termEndDate: '2026-03-31' })).toHaveLength(1);
  });

  it('after the term a payment date is fine, but not a promise of no costs until a date', () => {
    expect(termViolations('Betaal € 1.411,74 zo snel mogelijk. Doe dit uiterlijk op 16 maart 2026.', { message: 'other' })).toEqual([]);
    expect(termViolations('Betaal uiterlijk 20 april 2026 zonder incassokosten.', { message: 'other' })).toHaveLength(1);
    expect(termViolations('Pay by 20 April 2026 to avoid collection costs.', { message: 'other' })).toHaveLength(1);
  });

  it('the 14-day letter: the legal term is required, and nothing beside it', () => {
    const legal = 'Betaal € 100,00 binnen 14 dagen vanaf de dag nadat deze brief bij u is bezorgd.';
    expect(termViolations(legal, { message: 'fourteen-day-letter' })).toEqual([]);
    expect(termViolations('Betaal € 100,00 binnen 14 dagen na dagtekening.', { message: 'fourteen-day-letter' }).length).toBeGreaterThanOrEqual(2);
    expect(termViolations(`${legal} Betaal dus uiterlijk op 16 maart 2026.`, { message: 'fourteen-day-letter' })).toHaveLength(1);
    expect(termViolations('Betaal € 100,00 binnen 14 dagen nadat deze brief bij u is bezorgd.', { message: 'fourteen-day-letter' })).toHaveLength(2); // 14 days after delivery is a day short
    expect(termViolations('Betaal zo snel mogelijk.', { message: 'fourteen-day-letter' })[0]).toContain('does not state the legal term');
    expect(isLegalLetterTerm('Pay within 14 days from the day after this letter has been delivered to you.')).toBe(true);
    expect(isLegalLetterTerm('Pay within 15 days after this letter has been delivered.')).toBe(true);
    expect(isLegalLetterTerm('Pay within 14 days after this letter has been delivered.')).toBe(false);
    expect(isLegalLetterTerm('Pay within 10 days from the day after this letter has been delivered to you.')).toBe(false);
  });

  it('references to the letter\'s term are recognised, and plain dates (a letter\'s own date) are not deadlines', () => {
    expect(termStatementsOf('Betaalt u binnen de termijn uit die brief? Dan komen er geen incassokosten bij.').map((s) => s.kind)).toEqual(['letter-term']);
    expect(termStatementsOf('Do you pay within the term in that letter?').map((s) => s.kind)).toEqual(['letter-term']);
    expect(termStatementsOf('Datum: 2 maart 2026\nOns kenmerk: MW-1')).toEqual([]);
    expect(termStatementsOf('Die termijn loopt tot en met 16 maart 2026.')).toMatchObject([{ kind: 'deadline', date: '2026-03-16' }]);
  });
});
