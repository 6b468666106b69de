/**
 * SMS encoding and segment count, via Twilio's open-source `sms-segments-calculator` (GSM 03.38 basic table plus
 * extension table, UCS-2 surrogate pairs, 160/153 and 70/67 limits, escape sequences and surrogate pairs never split
 * across segments). This wrapper only narrows its result to what the renderer reports.
 */
import { SegmentedMessage } from 'sms-segments-calculator';

export interface SmsInfo {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  /** GSM-7: septets (extension characters such as € [ ] { } ~ ^ | \ count 2); UCS-2: UTF-16 code units. */
  characters: number;
}

/**
 * GSM 03.38 basic characters that are one septet each (printable ASCII minus the escaped ones, plus the letters
 * with accents the basic table holds). A text of only these needs no grapheme analysis: 160 per single message,
 * 153 per part when concatenated — what SegmentedMessage computes too (test/unit/sms-segments.test.ts holds them
 * equal), at a fraction of the cost.
 */
const GSM7_BASIC = /^[A-Za-z0-9 \n\r!"#$%&'()*+,\-./:;<=>?@_£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉÄÖÑÜ§¿äöñüà¡]*$/;

/** The GSM 03.38 extension characters: two septets each (an escape and the character). */
const GSM7_EXTENSION = /[€[\]{}~^|\\\f]/g;
const GSM7_EXTENSION_CHARS = new Set(['€', '[', ']', '{', '}', '~', '^', '|', '\\', '\f']);

export function smsInfo(text: string): SmsInfo {
  const ext = text.match(GSM7_EXTENSION)?.length ?? 0;
  if (GSM7_BASIC.test(ext ? text.replace(GSM7_EXTENSION, '') : text)) {
    const septets = text.length + ext;
    if (ext === 0 || septets <= 160) return { encoding: 'GSM-7', segments: septets <= 160 ? 1 : Math.ceil(septets / 153), characters: septets };
    // with escapes a long text's split points matter: parts of at most 153 septets, filled in order, and an escape
    // (2 septets) that does not fit the part any more starts the next one (never straddles two parts)
    let segments = 1;
    let used = 0;
    for (let i = 0; i < text.length; i++) {
      const size = GSM7_EXTENSION_CHARS.has(text[i]!) ? 2 : 1;
      if (used + size > 153) {
        segments++;
        used = 0;
      }
      used += size;
    }
    return { encoding: 'GSM-7', segments, characters: septets };
  }
  const m = new SegmentedMessage(text, 'auto');
  const encoding = m.encodingName === 'GSM-7' ? 'GSM-7' : 'UCS-2';
  // UCS-2 counts UTF-16 code units (an emoji outside the BMP takes 2)
  const characters = encoding === 'GSM-7' ? m.numberOfCharacters : text.length;
  return { encoding, segments: m.segmentsCount, characters };
}

/**
 * SMS body: one line, single plain spaces (newlines cost a character each and look odd on many phones; \s also
 * matches the no-break space in "€ 12,34", which is not GSM-7).
 */
export function smsText(rendered: string): string {
  return rendered.replace(/\s+/g, ' ').trim();
}
