/**
 * Letters with names and addresses outside WinAnsi (functions/channels/letter-font.ts, render-pdf.ts): set in the
 * embedded Arimo subset, read back (pdf.js, through the PDF's ToUnicode map) with exactly those names; the
 * WinAnsi letters still in Helvetica; what the font lacks printed as U+FFFD and logged without the text. The
 * committed font files are what the generator makes, glyph for glyph the source's, with Helvetica's widths.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRenderer } from '../../functions/channels/render.js';
import type { RenderInput } from '../../functions/channels/render-contract.js';
import { HELVETICA_VERTICAL, isWinAnsi, LETTER_FONT_FILES, LetterFont, letterFonts, REPLACEMENT } from '../../functions/channels/letter-font.js';
import { logger } from '../../functions/shared/logger.js';
import { LETTER_FONT_DIR, letterCodePoints, letterFontFiles, SOURCE_SUBSETS, sourceFile } from '../../infra/build/letter-fonts.js';
import { sampleInput } from '../../infra/local/preview.js';
import { norm, pdfLineHeights, pdfText } from '../support/pdf-text.js';

const require = createRequire(import.meta.url);
interface FkGlyph {
  id: number;
  advanceWidth: number;
  path: { toSVG(): string };
}
interface FkFont {
  numGlyphs: number;
  hmtx: { metrics: { length: number; get(i: number): { advance: number } } };
  characterSet: number[];
  hasGlyphForCodePoint(cp: number): boolean;
  glyphForCodePoint(cp: number): FkGlyph;
  getGlyph(id: number): FkGlyph;
}
const fontkit = require(require.resolve('fontkit', { paths: [path.dirname(require.resolve('pdfkit'))] })) as { create(b: Uint8Array): FkFont };

const renderer = createRenderer();

function letterInput(name: string, line1: string, city = 'Voorbeeldstad', language: 'nl' | 'en' = 'nl'): RenderInput {
  const input = sampleInput('letter', 'fourteen_day_letter', 'neutral', language);
  return { ...input, debtor: { ...input.debtor, name, address: { line1, postalCode: '9999 AA', city } } };
}

async function letterPdf(input: RenderInput): Promise<Buffer> {
  return (await renderer.renderMessage(input)).pdf!;
}

/** The fonts a PDF names (BaseFont), and whether it embeds a TrueType font. */
function pdfFonts(pdf: Buffer): { names: string[]; embedded: boolean } {
  const s = pdf.toString('latin1');
  return { names: [...new Set([...s.matchAll(/\/BaseFont \/([A-Za-z+-]+)/g)].map((m) => m[1]))].sort(), embedded: s.includes('/FontFile2') };
}

const NAMES: Array<[string, string, string]> = [
  ['Polish', 'Łukasz Wąsowicz-Żółć', 'Ulica Łódzka 7'],
  ['Turkish', 'Şahin Ağaoğlu İlkgün Işık', 'Atatürk Caddesi 12'],
  ['Croatian', 'Đurđica Čačić-Šćepanović', 'Ulica Ivana Gundulića 3'],
  ['Czech', 'Tomáš Dvořák Řehoř Ůlehla', 'Náměstí Míru 8'],
  ['Romanian', 'Ștefan Țăranu Mănăstireanu', 'Strada Brâncoveanu 4'],
  ['Vietnamese', 'Nguyễn Thị Ánh Tuyết Phạm Đức Hưởng', 'Đường Lê Lợi 15'],
  ['Greek', 'Γιώργος Παπαδόπουλος', 'Οδός Ερμού 22'],
  ['Cyrillic', 'Ђорђе Јовановић Олександр Ґудзь', 'Вулиця Шевченка 9'],
];

afterEach(() => vi.restoreAllMocks());

describe('letters with names outside WinAnsi', () => {
  it.each(NAMES)('%s: the address block and the salutation read back with exactly the name and address', async (_, name, line1) => {
    const input = letterInput(name, line1);
    const message = await renderer.renderMessage(input);
    const text = await pdfText(message.pdf!);
    expect(text).toContain(`${name}\n${line1}\n`);
    expect(text).toContain(`Geachte ${name},`);
    expect(text).not.toContain('\ufffd');
    expect(pdfFonts(message.pdf!)).toEqual({ names: ['AAAAAA+Arimo-Bold', 'AAAAAA+Arimo-Regular'].map((n) => expect.stringMatching(n.replace('AAAAAA', '[A-Z]{6}').replace('+', '\\+'))), embedded: true });
    // the plain text (the outbox, the print service's `text`) is the template's, with the name as given
    expect(message.text).toContain(`${name}\n${line1}\n`);
  });

  it('a name in decomposed form (NFD) prints and reads back composed', async () => {
    const text = await pdfText(await letterPdf(letterInput('Nguye\u0302\u0303n Thi\u0323 Lu\u031bu', 'Ulica Lo\u0301dzka 7')));
    expect(text).toContain('Nguyễn Thị Lưu\nUlica Lódzka 7\n');
  });

  it('keeps the Helvetica letter’s layout: same pages, same lines at the same heights', async () => {
    const lines = async (name: string, line1: string) => pdfLineHeights(await letterPdf(letterInput(name, line1)));
    const unicode = await lines('Łukasz Şahin', 'Ulica Łódzka 7');
    const ascii = await lines('Lukasz Sahin', 'Ulica Lodzka 7');
    expect(unicode.length).toBe(ascii.length);
    expect(unicode).toEqual(ascii);
  });

  it('prints what the font lacks as U+FFFD, and logs how many and which scripts, never the text', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const text = await pdfText(await letterPdf(letterInput('李小龍 Łukasz', 'שדרות רוטשילד 1')));
    expect(text).toContain('\ufffd\ufffd\ufffd Łukasz\n');
    expect(text).toContain(`${'\ufffd'.repeat(5)} ${'\ufffd'.repeat(7)} 1\n`);
    expect(text).not.toMatch(/[李小龍שדרותוטשיל]/);
    expect(warn).toHaveBeenCalledTimes(1);
    const [message, extra] = warn.mock.calls[0] as unknown as [string, { characters: number; scripts: string[] }];
    expect(message).toMatch(/printed as U\+FFFD/);
    // the name is in the address block and the salutation; the street only in the address block
    expect(extra).toEqual({ characters: 3 * 2 + 12, scripts: ['Han', 'Hebrew'] });
    expect(JSON.stringify(warn.mock.calls)).not.toMatch(/[李小龍שדרותוטשילŁ]|Lukasz|ukasz/);
  });

  it('keeps a letter whose texts are all WinAnsi in Helvetica (é, ü, ç, Œ, Š, €): nothing embedded, nothing logged', async () => {
    const warn = vi.spyOn(logger, 'warn');
    const pdf = await letterPdf(letterInput('Zoë Çelik-Müller Œuvré Šime', 'Straße 1'));
    expect(pdfFonts(pdf)).toEqual({ names: ['Helvetica', 'Helvetica-Bold'], embedded: false });
    expect(norm(await pdfText(pdf))).toContain('Geachte Zoë Çelik-Müller Œuvré Šime,');
    expect(warn).not.toHaveBeenCalled();
    expect(isWinAnsi('Zoë € „x“ – Ÿ\n')).toBe(true);
    expect(isWinAnsi('Łukasz')).toBe(false);
    expect(isWinAnsi('\u0080')).toBe(false);
  });

  it('makes the same PDF every time: a document’s subset leaves the shared font as it was', async () => {
    const input = letterInput('Nguyễn Thị Ánh Tuyết Ștefan', 'Đường Lê Lợi 15');
    const first = await letterPdf(input);
    await letterPdf(letterInput('Şahin Ђорђе ễ ș ț', 'Ulica Łódzka 7'));
    expect(Buffer.compare(await letterPdf(input), first)).toBe(0);
  });

  it('embeds only the glyphs a letter uses: a few KB per weight', async () => {
    const ascii = await letterPdf(letterInput('Lukasz Sahin', 'Ulica Lodzka 7'));
    const unicode = await letterPdf(letterInput('Łukasz Şahin', 'Ulica Łódzka 7'));
    expect(unicode.length - ascii.length).toBeLessThan(20_000);
  });
});

describe('the letter fonts', () => {
  it('the committed files are what the generator makes from the installed @fontsource/arimo', () => {
    for (const [name, bytes] of Object.entries(letterFontFiles())) {
      expect(Buffer.compare(readFileSync(path.join(LETTER_FONT_DIR, name)), Buffer.from(bytes)), name).toBe(0);
    }
  });

  it('have every code point of the letter ranges both weights have, each glyph the source’s outline and advance', () => {
    const codePoints = letterCodePoints();
    expect(codePoints.length).toBeGreaterThan(1200);
    for (const cp of [...'ŁłŞşİıĞğĐđČčŠšŽžŘřŮůȘșȚțĂăÂâẠỹƠơƯưΓΩαωЂђЉљҐґЁё€„“”‚‘’–—…•№™']) expect(codePoints, cp).toContain(cp.codePointAt(0));
    for (const [weight, file] of Object.entries(LETTER_FONT_FILES)) {
      const ours = fontkit.create(readFileSync(path.join(LETTER_FONT_DIR, file)));
      const sources = SOURCE_SUBSETS.map((s) => fontkit.create(readFileSync(sourceFile(s, weight === 'bold' ? 700 : 400))));
      expect([...ours.characterSet].sort((a, b) => a - b)).toEqual(codePoints);
      const glyphIds = new Set<number>();
      for (const cp of codePoints) {
        const a = ours.glyphForCodePoint(cp);
        const source = sources.find((s) => s.hasGlyphForCodePoint(cp))!;
        const b = source.glyphForCodePoint(cp);
        // the source's advance from its hmtx (fontkit's glyph.advanceWidth fails on the WOFF's last, empty glyph)
        const advance = source.hmtx.metrics.get(Math.min(b.id, source.hmtx.metrics.length - 1)).advance;
        glyphIds.add(a.id);
        if (a.path.toSVG() !== b.path.toSVG() || a.advanceWidth !== advance) expect({ cp, svg: a.path.toSVG(), w: a.advanceWidth }).toEqual({ cp, svg: b.path.toSVG(), w: advance });
      }
      // one glyph per code point, so that the ToUnicode map gives each back as itself
      expect(glyphIds.size, weight).toBe(codePoints.length);
    }
  });

  it('have Helvetica’s advance widths for WinAnsi (but a few signs) and are laid out with its vertical metrics', () => {
    const doc = new PDFDocument();
    const fonts = letterFonts();
    const winAnsi = [...Array(0x100).keys()].map((c) => String.fromCharCode(c)).filter((c) => c >= ' ' && c !== '\x7f' && isWinAnsi(c));
    // Arimo's source lacks ‡ and ‰: a letter in the letter font prints them as U+FFFD
    const extra = '€‚ƒ„…†ˆŠ‹ŒŽ‘’“”•–—˜™š›œžŸ';
    expect(fonts.regular.lacking('‡‰')).toEqual([0x2021, 0x2030]);
    // Arial's (and so Arimo's) own widths for five signs, Arimo's florin, and Ÿ (500 in pdfkit's Helvetica data)
    const arialDiffers = new Set('¯±µ·÷ƒŸ');
    for (const [weight, standard] of [['regular', 'Helvetica'], ['bold', 'Helvetica-Bold']] as const) {
      doc.font(standard).fontSize(1000);
      const font = fonts[weight];
      const off: string[] = [];
      for (const ch of [...winAnsi, ...extra]) {
        const ours = (font.layout(ch).advanceWidth * 1000) / font.unitsPerEm;
        if (Math.abs(ours - doc.widthOfString(ch)) > 0.5 && !arialDiffers.has(ch)) off.push(`${ch} ${ours} ${doc.widthOfString(ch)}`);
      }
      expect(off, weight).toEqual([]);
      const helvetica = (doc as unknown as { _font: { ascender: number; descender: number; lineGap: number } })._font;
      expect(HELVETICA_VERTICAL[weight]).toEqual({ ascender: helvetica.ascender, descender: helvetica.descender, lineGap: helvetica.lineGap });
    }
  });

  it('write a subset per document that is a TrueType font of those glyphs, composite glyphs with their components', () => {
    const font = letterFonts().regular;
    const base = fontkit.create(readFileSync(path.join(LETTER_FONT_DIR, LETTER_FONT_FILES.regular)));
    const subset = font.createSubset();
    // ș and ễ are composite glyphs in Arimo: their components come along, renumbered
    const run = font.layout('Aș ễ Ł\ufffd');
    const ids = run.glyphs.map((g) => subset.includeGlyph(g.id));
    expect(ids).toEqual([1, 2, 3, 4, 3, 5, 6]);
    const encoded = fontkit.create(subset.encode());
    expect(encoded.numGlyphs).toBeGreaterThan(7);
    run.glyphs.forEach((g, i) => {
      expect(encoded.getGlyph(ids[i]).path.toSVG(), String.fromCodePoint(...g.codePoints)).toBe(base.getGlyph(g.id).path.toSVG());
      expect(encoded.getGlyph(ids[i]).advanceWidth).toBe(base.getGlyph(g.id).advanceWidth);
    });
    expect(run.glyphs.map((g) => g.codePoints[0])).toEqual([...'Aș ễ Ł\ufffd'].map((c) => c.codePointAt(0)));
  });

  it('set what they lack as U+FFFD and what prints as nothing (ZWJ, variation selectors, controls) as nothing', () => {
    const font = letterFonts().regular;
    expect(font.layout('a\u200db\ufe0fc\u0007').glyphs.map((g) => g.codePoints[0])).toEqual([0x61, 0x62, 0x63]);
    expect(font.layout('中a').glyphs.map((g) => g.codePoints[0])).toEqual([REPLACEMENT, 0x61]);
    expect(font.lacking('中a\u200d\ufffd')).toEqual([0x4e2d]);
    expect(font).toBeInstanceOf(LetterFont);
  });
});
