/**
 * Issue 9's message templates (offer, instalment reminder, missed instalment) for SMS and e-mail in Dutch and
 * English: the agency, its Wki number, how to reach it, the amounts and the link; SMS in GSM-7; never "vergeten?";
 * the offer lists every option and, for those who cannot pay, the debt-help referral. Channels without a topic
 * template fall back to their phase template.
 */
import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../functions/channels/render.js';
import { TOPICS } from '../../functions/domain/vocabulary.js';
import { sampleInput } from '../../infra/local/preview.js';

const LINK = 'https://maatwerk.example.invalid/p/q3Jx0mJ7l3u1bGQw8g9r0e2KxJ8sd7Hk1vZl0aQ3m1c_xYa';
const offer = { options: [{ no: 1, months: 3, monthly: 10_000, firstDue: '2026-03-26' }, { no: 2, months: 6, monthly: 5_000, firstDue: '2026-03-26' }], debtHelp: true };
const instalment = { no: 2, of: 6, amount: 5_000, dueDate: '2026-04-28' };
const GSM7 = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà^{}\\[~\]|€]*$/;

describe('arrangement message templates', () => {
  for (const topic of TOPICS)
    for (const channel of ['sms', 'email'] as const)
      for (const language of ['nl', 'en'] as const) {
        it(`${channel}/${topic} (${language})`, async () => {
          const input = { ...sampleInput(channel, 'reminder', 'friendly', language), paymentLink: LINK, topic, ...(topic === 'arrangement_offer' ? { offer } : { instalment }) };
          const msg = await renderMessage(input);
          expect(msg.template).toBe(`${channel}/${topic}/friendly`);
          expect(msg.language).toBe(language);
          const text = msg.text.replace(/\s+/g, ' ');
          for (const must of [input.agency.name, input.agency.wkiNumber, input.agency.phone, LINK]) expect(text).toContain(must);
          expect(text).not.toMatch(/vergeten|forgot/i);
          if (topic === 'arrangement_offer') {
            expect(text).toMatch(language === 'nl' ? /3 (x|termijnen van) € 100,00/ : /3 (x|instalments of) €100\.00/);
            expect(text).toMatch(language === 'nl' ? /6 (x|termijnen van) € 50,00/ : /6 (x|instalments of) €50\.00/);
            expect(text).toMatch(language === 'nl' ? /gemeente/ : /municipality/);
          } else {
            expect(text).toMatch(language === 'nl' ? /€ 50,00/ : /€50\.00/);
          }
          if (channel === 'sms') {
            expect(msg.text).toMatch(GSM7);
            expect(msg.sms!.segments).toBeLessThanOrEqual(topic === 'arrangement_offer' ? 3 : 2);
          } else {
            expect(msg.subject).toBeTruthy();
            expect(msg.html).toContain(`href="${LINK}"`);
          }
        });
      }

  it('a channel without a topic template uses its phase template (WhatsApp, letter)', async () => {
    const msg = await renderMessage({ ...sampleInput('whatsapp', 'reminder', 'neutral', 'nl'), topic: 'arrangement_offer', offer, whatsappWindowOpen: true });
    expect(msg.template).toBe('whatsapp/reminder/neutral');
  });
});
