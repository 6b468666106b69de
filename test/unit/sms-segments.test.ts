import fc from 'fast-check';
import { SegmentedMessage } from 'sms-segments-calculator';
import { describe, expect, it } from 'vitest';
import { smsInfo, smsText } from '../../functions/channels/render-sms.js';

const a = (n: number) => 'a'.repeat(n);

describe('SMS encoding and segments (GSM 03.38 / UCS-2)', () => {
  it('plain ASCII is GSM-7: 160 chars fit one segment, 161 need two (153 per part)', () => {
    expect(smsInfo(a(160))).toEqual({ encoding: 'GSM-7', segments: 1, characters: 160 });
    expect(smsInfo(a(161))).toEqual({ encoding: 'GSM-7', segments: 2, characters: 161 });
    expect(smsInfo(a(306)).segments).toBe(2);
    expect(smsInfo(a(307)).segments).toBe(3);
  });

  it('extension characters (€ [ ] { } ~ ^ | \\) count double', () => {
    expect(smsInfo('€')).toEqual({ encoding: 'GSM-7', segments: 1, characters: 2 });
    expect(smsInfo('{}[]~^|\\')).toMatchObject({ encoding: 'GSM-7', characters: 16 });
    expect(smsInfo('€'.repeat(80))).toMatchObject({ segments: 1, characters: 160 });
    expect(smsInfo('€'.repeat(80) + 'a')).toMatchObject({ segments: 2, characters: 161 });
  });

  it('an escape sequence is never split across two parts', () => {
    // 152 + 2 + 152 = 306 septets would fit 2 × 153, but the € cannot straddle the boundary → 3 parts
    expect(smsInfo(a(152) + '€' + a(152))).toMatchObject({ encoding: 'GSM-7', segments: 3, characters: 306 });
    expect(smsInfo(a(151) + '€' + a(153))).toMatchObject({ segments: 2, characters: 306 });
  });

  it('accented letters in the GSM basic table stay GSM-7 (é è ü ö ä ñ à ù ì ò É Ä Ö Ü Ñ)', () => {
    for (const ch of ['é', 'è', 'ü', 'ö', 'ä', 'ñ', 'à', 'ù', 'ì', 'ò', 'É', 'Ä', 'Ö', 'Ü', 'Ñ', '£', '¥', '§', '¿', '¡']) {
      expect(smsInfo(`Geachte ${ch}`).encoding, ch).toBe('GSM-7');
    }
  });

  it('ë and ï (financiële, geïnd) are NOT GSM-7: the message becomes UCS-2 with 70/67 limits', () => {
    expect(smsInfo('financiële')).toEqual({ encoding: 'UCS-2', segments: 1, characters: 10 });
    expect(smsInfo('geïnd').encoding).toBe('UCS-2');
    expect(smsInfo('ë'.repeat(70)).segments).toBe(1);
    expect(smsInfo('ë'.repeat(71)).segments).toBe(2);
    expect(smsInfo('ë'.repeat(134)).segments).toBe(2);
    expect(smsInfo('ë'.repeat(135)).segments).toBe(3);
  });

  it('typographic quotes, dashes and the no-break space force UCS-2', () => {
    for (const s of ['‘quote’', '“quote”', 'a – b', 'a — b', '€\u00a012,34']) expect(smsInfo(s).encoding, s).toBe('UCS-2');
  });

  it('emoji are UCS-2 surrogate pairs: 2 code units each, never split across parts', () => {
    expect(smsInfo('😀')).toEqual({ encoding: 'UCS-2', segments: 1, characters: 2 });
    expect(smsInfo('😀'.repeat(35))).toMatchObject({ segments: 1, characters: 70 });
    expect(smsInfo('😀'.repeat(36))).toMatchObject({ segments: 2, characters: 72 });
    // 66 + 2 + 66 = 134 units would fit 2 × 67, but the pair cannot be split → 3 parts
    expect(smsInfo(a(66) + '😀' + a(66))).toMatchObject({ segments: 3, characters: 134 });
  });

  it('smsText makes one line with plain spaces, so "€ 12,34" from Intl (no-break space) stays GSM-7', () => {
    const text = smsText('Beste J.,\n\n  u hebt €\u00a012,34 open.  ');
    expect(text).toBe('Beste J., u hebt € 12,34 open.');
    expect(smsInfo(text).encoding).toBe('GSM-7');
  });

  it('the fast path for plain GSM-7 texts answers what the segment library answers (property, fixed seed)', () => {
    const alphabet = [...'abcXYZ019 !"#$%&\'()*+,-./:;<=>?@_£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉÄÖÑÜ§¿äöñüà¡€[]{}~^|\\\n\r\tç😀ğ'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 400 }), (chars) => {
        const t = chars.join('');
        const m = new SegmentedMessage(t, 'auto');
        const gsm = m.encodingName === 'GSM-7';
        expect(smsInfo(t)).toEqual({ encoding: gsm ? 'GSM-7' : 'UCS-2', segments: m.segmentsCount, characters: gsm ? m.numberOfCharacters : t.length });
      }),
      { numRuns: 1500, seed: 10 },
    );
  });

  it('long GSM-7 texts with escapes split where the segment library splits them (property, fixed seed)', () => {
    const alphabet = [...'abcXYZ019 !"#$%&\'()*+,-./:;<=>?@_£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉÄÖÑÜ§¿äöñüà¡\n\r€[]{}~^|\\'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { minLength: 140, maxLength: 700 }), (chars) => {
        const t = chars.join('');
        const m = new SegmentedMessage(t, 'auto');
        expect(m.encodingName).toBe('GSM-7');
        expect(smsInfo(t)).toEqual({ encoding: 'GSM-7', segments: m.segmentsCount, characters: m.numberOfCharacters });
      }),
      { numRuns: 1500, seed: 11 },
    );
  });
});
