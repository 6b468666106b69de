/**
 * The letters' Unicode font, without fontkit. A letter whose texts are all WinAnsi is set in pdfkit's standard
 * Helvetica (render-pdf.ts); one with any other character (Łukasz, Şahin, Nguyễn, Ђорђе, …) in Arimo, embedded.
 * Arimo (SIL Open Font License 1.1, letter-fonts/LICENSE) is metric-compatible with Helvetica: every letter, digit
 * and punctuation mark has Helvetica's advance width, so such a letter keeps the Helvetica letter's line breaks and
 * page breaks; its lines also sit where Helvetica's do (the vertical metrics pdfkit lays out with are Helvetica's).
 *
 * letter-fonts/Arimo-{Regular,Bold}.ttf are generated (infra/build/letter-fonts.ts, `npm run letter-fonts`): Latin-1,
 * Latin Extended-A/B and Additional (Vietnamese), Greek, Cyrillic, combining marks, punctuation and currency signs.
 * They are read when the first such letter is made and kept for the process; in the Lambda bundle they sit next to
 * index.mjs (infra/build/bundle.ts), outside its size budget.
 *
 * pdfkit embeds a font object that looks like fontkit's (`layout()`, `createSubset()`, metrics) with its own
 * EmbeddedFont: a Type0 / CIDFontType2 font, Identity-H, a W array, FontFile2 and a ToUnicode CMap, so the text stays
 * extractable and searchable. This module is that object: the cmap look-up, the advance widths (no kerning) and a
 * TrueType subset of the glyphs a document uses (composite glyphs with their components), written per document.
 *
 * A character the font lacks (CJK, Arabic, Hebrew, …) is never garbled: it is printed as U+FFFD "�" (and reads
 * back as that), and render-pdf.ts logs how many and of which scripts, without the text. Text is set in NFC; a
 * character without a glyph of its own but whose NFD parts all have one is set as those parts.
 */
import { readFileSync } from 'node:fs';

/** The two weights, in letter-fonts/ next to this module (and next to index.mjs in the bundle). */
export const LETTER_FONT_FILES = { regular: 'Arimo-Regular.ttf', bold: 'Arimo-Bold.ttf' } as const;
export const LETTER_FONT_DIR_NAME = 'letter-fonts';
export const REPLACEMENT = 0xfffd;

export type Tables = Map<string, Uint8Array>;

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
/** A copy (not `slice()`: on a Node Buffer that is a view of the same bytes). */
export const copyOf = (b: Uint8Array): Uint8Array => new Uint8Array(b);
const tag4 = (b: Uint8Array, at: number) => String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);

/** The tables of a TrueType (sfnt) file, by tag. */
export function readSfnt(file: Uint8Array): Tables {
  // a plain Uint8Array over the same bytes, so that no table is a Buffer (see copyOf)
  const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  const v = view(bytes);
  const tables: Tables = new Map();
  for (let i = 0, n = v.getUint16(4); i < n; i++) {
    const at = 12 + 16 * i;
    const offset = v.getUint32(at + 8);
    tables.set(tag4(bytes, at), bytes.subarray(offset, offset + v.getUint32(at + 12)));
  }
  return tables;
}

function checksum(b: Uint8Array): number {
  const padded = new Uint8Array((b.length + 3) & ~3);
  padded.set(b);
  const v = view(padded);
  let sum = 0;
  for (let i = 0; i < padded.length; i += 4) sum = (sum + v.getUint32(i)) >>> 0;
  return sum;
}

/** A TrueType file of these tables (tags in order, 4-byte aligned, checksums and head's checkSumAdjustment set). */
export function writeSfnt(tables: Tables): Uint8Array {
  const tags = [...tables.keys()].sort();
  const n = tags.length;
  const pow = 2 ** Math.floor(Math.log2(n));
  let size = 12 + 16 * n;
  for (const t of tags) size += (tables.get(t)!.length + 3) & ~3;
  const out = new Uint8Array(size);
  const v = view(out);
  v.setUint32(0, 0x00010000);
  v.setUint16(4, n);
  v.setUint16(6, pow * 16);
  v.setUint16(8, Math.log2(pow));
  v.setUint16(10, n * 16 - pow * 16);
  let offset = 12 + 16 * n;
  let headAt = -1;
  tags.forEach((t, i) => {
    let data = tables.get(t)!;
    if (t === 'head') {
      data = copyOf(data);
      view(data).setUint32(8, 0);
      headAt = offset;
    }
    const at = 12 + 16 * i;
    for (let k = 0; k < 4; k++) out[at + k] = t.charCodeAt(k);
    v.setUint32(at + 4, checksum(data));
    v.setUint32(at + 8, offset);
    v.setUint32(at + 12, data.length);
    out.set(data, offset);
    offset += (data.length + 3) & ~3;
  });
  if (headAt >= 0) v.setUint32(headAt + 8, (0xb1b0afba - checksum(out)) >>> 0);
  return out;
}

/** Byte offsets of the glyph index fields of a composite glyph's components (none for a simple glyph). */
export function componentIndexOffsets(glyph: Uint8Array): number[] {
  if (glyph.length < 10) return [];
  const v = view(glyph);
  if (v.getInt16(0) >= 0) return [];
  const out: number[] = [];
  let p = 10;
  for (;;) {
    const flags = v.getUint16(p);
    out.push(p + 2);
    p += 4 + (flags & 0x0001 ? 4 : 2) + (flags & 0x0008 ? 2 : flags & 0x0040 ? 4 : flags & 0x0080 ? 8 : 0);
    if (!(flags & 0x0020)) return out;
  }
}

/** Glyph outlines and horizontal metrics of a TrueType font (glyf, loca, hmtx). */
export class GlyphSource {
  readonly numGlyphs: number;
  private readonly offsets: Uint32Array;
  private readonly glyf: Uint8Array;
  private readonly hmtx: DataView;
  private readonly longMetrics: number;

  constructor(readonly tables: Tables) {
    const head = view(table(tables, 'head'));
    this.numGlyphs = view(table(tables, 'maxp')).getUint16(4);
    this.longMetrics = view(table(tables, 'hhea')).getUint16(34);
    this.hmtx = view(table(tables, 'hmtx'));
    this.glyf = table(tables, 'glyf');
    const loca = view(table(tables, 'loca'));
    const long = head.getInt16(50) === 1;
    this.offsets = new Uint32Array(this.numGlyphs + 1);
    for (let i = 0; i <= this.numGlyphs; i++) this.offsets[i] = long ? loca.getUint32(4 * i) : 2 * loca.getUint16(2 * i);
  }

  glyph(gid: number): Uint8Array {
    return this.glyf.subarray(this.offsets[gid], this.offsets[gid + 1]);
  }

  advance(gid: number): number {
    return this.hmtx.getUint16(4 * Math.min(gid, this.longMetrics - 1));
  }

  leftBearing(gid: number): number {
    return gid < this.longMetrics ? this.hmtx.getInt16(4 * gid + 2) : this.hmtx.getInt16(4 * this.longMetrics + 2 * (gid - this.longMetrics));
  }
}

function table(tables: Tables, tag: string): Uint8Array {
  const t = tables.get(tag);
  if (!t) throw new Error(`letter font: no ${tag} table`);
  return t;
}

/**
 * New glyf, loca (long) and hmtx tables of some glyphs of one or more fonts, renumbered in the order they were
 * added (glyph 0 first); a composite glyph's components are added after the others, with their indexes rewritten.
 */
export class GlyphSet {
  private readonly list: Array<{ source: GlyphSource; gid: number }> = [];
  private readonly ids = new Map<GlyphSource, Map<number, number>>();

  /** The new index of a font's glyph; `copy` gives it an index of its own even if the glyph is in already. */
  add(source: GlyphSource, gid: number, copy = false): number {
    let ids = this.ids.get(source);
    if (!ids) this.ids.set(source, (ids = new Map()));
    const known = ids.get(gid);
    if (known !== undefined && !copy) return known;
    this.list.push({ source, gid });
    if (known === undefined) ids.set(gid, this.list.length - 1);
    return this.list.length - 1;
  }

  get size(): number {
    return this.list.length;
  }

  tables(): { glyf: Uint8Array; loca: Uint8Array; hmtx: Uint8Array; numGlyphs: number; advanceWidthMax: number } {
    const parts: Uint8Array[] = [];
    const offsets: number[] = [];
    const metrics: Array<[number, number]> = [];
    let offset = 0;
    for (let i = 0; i < this.list.length; i++) {
      const { source, gid } = this.list[i];
      let data = source.glyph(gid);
      const components = componentIndexOffsets(data);
      if (components.length) {
        data = copyOf(data);
        for (const at of components) view(data).setUint16(at, this.add(source, view(data).getUint16(at)));
      }
      offsets.push(offset);
      const padded = (data.length + 3) & ~3;
      const copy = new Uint8Array(padded);
      copy.set(data);
      parts.push(copy);
      offset += padded;
      metrics.push([source.advance(gid), source.leftBearing(gid)]);
    }
    offsets.push(offset);
    const glyf = new Uint8Array(offset);
    let at = 0;
    for (const p of parts) {
      glyf.set(p, at);
      at += p.length;
    }
    const loca = new Uint8Array(4 * offsets.length);
    offsets.forEach((o, i) => view(loca).setUint32(4 * i, o));
    const hmtx = new Uint8Array(4 * metrics.length);
    metrics.forEach(([adv, lsb], i) => {
      view(hmtx).setUint16(4 * i, adv);
      view(hmtx).setInt16(4 * i + 2, lsb);
    });
    return { glyf, loca, hmtx, numGlyphs: metrics.length, advanceWidthMax: Math.max(...metrics.map((m) => m[0])) };
  }
}

/** head, hhea and maxp for new glyph tables: long loca offsets, every metric long, the new glyph count. */
export function glyphHeaders(base: Tables, glyphs: ReturnType<GlyphSet['tables']>): Tables {
  const head = copyOf(table(base, 'head'));
  view(head).setInt16(50, 1);
  const hhea = copyOf(table(base, 'hhea'));
  view(hhea).setUint16(10, glyphs.advanceWidthMax);
  view(hhea).setUint16(34, glyphs.numGlyphs);
  const maxp = copyOf(table(base, 'maxp'));
  view(maxp).setUint16(4, glyphs.numGlyphs);
  return new Map([
    ['head', head],
    ['hhea', hhea],
    ['maxp', maxp],
    ['loca', glyphs.loca],
    ['glyf', glyphs.glyf],
    ['hmtx', glyphs.hmtx],
  ]);
}

/** Code point → glyph of a format 12 cmap subtable (the letter fonts have that one, written by the generator). */
function readCmap(cmap: Uint8Array): Map<number, number> {
  const v = view(cmap);
  const out = new Map<number, number>();
  for (let i = 0, n = v.getUint16(2); i < n; i++) {
    const at = v.getUint32(4 + 8 * i + 4);
    if (v.getUint16(at) !== 12) continue;
    for (let g = 0, groups = v.getUint32(at + 12); g < groups; g++) {
      const [start, end, gid] = [v.getUint32(at + 16 + 12 * g), v.getUint32(at + 20 + 12 * g), v.getUint32(at + 24 + 12 * g)];
      for (let cp = start; cp <= end; cp++) out.set(cp, gid + cp - start);
    }
    return out;
  }
  throw new Error('letter font: no format 12 cmap');
}

/** A name table entry (Windows, Unicode), e.g. 6: the PostScript name. */
function readName(name: Uint8Array, nameId: number): string | undefined {
  const v = view(name);
  const strings = v.getUint16(4);
  for (let i = 0, n = v.getUint16(2); i < n; i++) {
    const at = 6 + 12 * i;
    if (v.getUint16(at) !== 3 || v.getUint16(at + 6) !== nameId) continue;
    const [length, offset] = [v.getUint16(at + 8), v.getUint16(at + 10)];
    let s = '';
    for (let k = 0; k < length; k += 2) s += String.fromCharCode(v.getUint16(strings + offset + k));
    return s;
  }
  return undefined;
}

/** What pdfkit's EmbeddedFont reads of a glyph. */
export interface LetterGlyph {
  id: number;
  advanceWidth: number;
  codePoints: number[];
}

/** A run of glyphs as fontkit lays it out: pdfkit scales the positions, then reads the run's advance from them. */
class GlyphRun {
  constructor(
    readonly glyphs: LetterGlyph[],
    readonly positions: Array<{ xAdvance: number; yAdvance: number; xOffset: number; yOffset: number }>,
  ) {}

  get advanceWidth(): number {
    let w = 0;
    for (const p of this.positions) w += p.xAdvance;
    return w;
  }
}

/** Vertical metrics to lay out with, per 1000 units of the em (pdfkit's own unit). */
export interface VerticalMetrics {
  ascender: number;
  descender: number;
  lineGap: number;
}

/** Characters that print as nothing: controls, and the default-ignorable ones (ZWJ, variation selectors, …). */
const INVISIBLE = /[\p{Cc}\p{Default_Ignorable_Code_Point}]/u;

/** One letter font: the font object pdfkit's EmbeddedFont is given (see the header). */
export class LetterFont {
  readonly postscriptName: string;
  readonly unitsPerEm: number;
  readonly ascent: number;
  readonly descent: number;
  readonly lineGap: number;
  readonly capHeight: number;
  readonly xHeight: number;
  readonly italicAngle: number;
  readonly bbox: { minX: number; minY: number; maxX: number; maxY: number };
  readonly 'OS/2': { sFamilyClass: number };
  readonly post: { isFixedPitch: boolean };
  readonly head: { macStyle: { italic: boolean } };
  private readonly source: GlyphSource;
  private readonly cmap: Map<number, number>;

  constructor(bytes: Uint8Array, vertical?: VerticalMetrics) {
    const tables = readSfnt(bytes);
    this.source = new GlyphSource(tables);
    this.cmap = readCmap(table(tables, 'cmap'));
    if (!this.cmap.has(REPLACEMENT)) throw new Error('letter font: no U+FFFD glyph');
    const head = view(table(tables, 'head'));
    const hhea = view(table(tables, 'hhea'));
    const os2 = view(table(tables, 'OS/2'));
    const post = view(table(tables, 'post'));
    this.postscriptName = readName(table(tables, 'name'), 6) ?? 'LetterFont';
    this.unitsPerEm = head.getUint16(18);
    const units = (perThousand: number) => (perThousand * this.unitsPerEm) / 1000;
    this.ascent = vertical ? units(vertical.ascender) : hhea.getInt16(4);
    this.descent = vertical ? units(vertical.descender) : hhea.getInt16(6);
    this.lineGap = vertical ? units(vertical.lineGap) : hhea.getInt16(8);
    this.xHeight = os2.getInt16(86);
    this.capHeight = os2.getInt16(88);
    this.italicAngle = post.getInt32(4) / 65536;
    this.bbox = { minX: head.getInt16(36), minY: head.getInt16(38), maxX: head.getInt16(40), maxY: head.getInt16(42) };
    this['OS/2'] = { sFamilyClass: os2.getInt16(30) };
    this.post = { isFixedPitch: post.getUint32(12) !== 0 };
    this.head = { macStyle: { italic: (head.getUint16(44) & 2) !== 0 } };
  }

  /** Whether the font has a glyph for this code point. */
  has(codePoint: number): boolean {
    return this.cmap.has(codePoint);
  }

  getGlyph(id: number): LetterGlyph {
    return { id, advanceWidth: this.source.advance(id), codePoints: [] };
  }

  /** The code points of a text (in NFC) that are printed as U+FFFD. */
  lacking(text: string): number[] {
    const out: number[] = [];
    for (const ch of text.normalize('NFC')) {
      if (this.glyphsOf(ch).some(([, cp]) => cp === REPLACEMENT) && ch.codePointAt(0) !== REPLACEMENT) out.push(ch.codePointAt(0)!);
    }
    return out;
  }

  /** fontkit's `layout(text)`: one glyph per character (see the header), advance widths without kerning. */
  layout(text: string): GlyphRun {
    const glyphs: LetterGlyph[] = [];
    const positions: GlyphRun['positions'] = [];
    for (const ch of text.normalize('NFC')) {
      for (const [id, cp] of this.glyphsOf(ch)) {
        const advanceWidth = this.source.advance(id);
        glyphs.push({ id, advanceWidth, codePoints: [cp] });
        positions.push({ xAdvance: advanceWidth, yAdvance: 0, xOffset: 0, yOffset: 0 });
      }
    }
    return new GlyphRun(glyphs, positions);
  }

  /** fontkit's `createSubset()`: the glyphs a document uses, as a TrueType font of its own. */
  createSubset(): { cff: undefined; includeGlyph(id: number): number; encode(): Uint8Array } {
    const set = new GlyphSet();
    set.add(this.source, 0);
    const source = this.source;
    return {
      cff: undefined,
      includeGlyph: (id: number) => set.add(source, id),
      encode: () => writeSfnt(glyphHeaders(source.tables, set.tables())),
    };
  }

  private glyphsOf(ch: string): Array<[number, number]> {
    const cp = ch.codePointAt(0)!;
    const gid = this.cmap.get(cp);
    if (gid !== undefined) return [[gid, cp]];
    if (INVISIBLE.test(ch)) return [];
    const parts = [...ch.normalize('NFD')].map((c) => c.codePointAt(0)!);
    if (parts.length > 1 && parts.every((p) => this.cmap.has(p))) return parts.map((p) => [this.cmap.get(p)!, p]);
    return [[this.cmap.get(REPLACEMENT)!, REPLACEMENT]];
  }
}

/**
 * Helvetica's vertical metrics as pdfkit's standard fonts have them (ascender, descender, line gap per 1000 units):
 * the letter fonts are laid out with them, so their lines sit exactly where Helvetica's would.
 * test/unit/letter-fonts.test.ts holds them equal to pdfkit's.
 */
export const HELVETICA_VERTICAL: Record<keyof typeof LETTER_FONT_FILES, VerticalMetrics> = {
  regular: { ascender: 718, descender: -207, lineGap: 231 },
  bold: { ascender: 718, descender: -207, lineGap: 265 },
};

let loaded: Record<keyof typeof LETTER_FONT_FILES, LetterFont> | undefined;

/** The two letter fonts, read on first use and kept. */
export function letterFonts(): Record<keyof typeof LETTER_FONT_FILES, LetterFont> {
  if (!loaded) {
    const read = (w: keyof typeof LETTER_FONT_FILES) =>
      new LetterFont(readFileSync(new URL(`./${LETTER_FONT_DIR_NAME}/${LETTER_FONT_FILES[w]}`, import.meta.url)), HELVETICA_VERTICAL[w]);
    loaded = { regular: read('regular'), bold: read('bold') };
  }
  return loaded;
}

/** The characters pdfkit's standard fonts print (WinAnsi): Latin-1 and 27 more in 0x80–0x9F, e.g. € and Š. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/** Whether Helvetica prints this text as it is (every character WinAnsi; line ends and tabs too). */
export function isWinAnsi(text: string): boolean {
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if ((c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (!WIN_ANSI_EXTRA.has(ch)) return false;
  }
  return true;
}
