/**
 * Generates the letters' Unicode fonts, functions/channels/letter-fonts/Arimo-{Regular,Bold}.ttf (and the licence
 * next to them), from the installed @fontsource/arimo (Arimo 1.341, SIL Open Font License 1.1; metric-compatible
 * with Helvetica): one TrueType font per weight with the code points of LETTER_RANGES that both weights have,
 * gathered from the package's per-script WOFF files (latin, latin-ext, vietnamese, greek, cyrillic, cyrillic-ext).
 *
 *   npm run letter-fonts                  # regenerate (after an @fontsource/arimo upgrade or a change of ranges)
 *
 * Each code point gets a glyph of its own (a copy where two share one in the source), so the PDF's ToUnicode map
 * gives every glyph back as exactly its character. The tables: glyf, loca, hmtx, head, hhea, maxp as the source's
 * (composite glyphs with their components, renumbered), a format 12 cmap, OS/2 and name as the source's, post
 * version 3 (no glyph names). fontkit (pdfkit's dependency) reads the sources' cmaps here; at run time
 * functions/channels/letter-font.ts reads these files without it. test/unit/letter-fonts.test.ts regenerates them
 * and fails when they differ from the committed files, and compares every glyph with the source's through fontkit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { copyOf, GlyphSet, GlyphSource, glyphHeaders, LETTER_FONT_DIR_NAME, LETTER_FONT_FILES, REPLACEMENT, type Tables, writeSfnt } from '../../functions/channels/letter-font.js';
import { repoPath } from '../aws/paths.js';

export const LETTER_FONT_DIR = repoPath('functions', 'channels', LETTER_FONT_DIR_NAME);
export const LETTER_FONT_LICENSE = 'LICENSE';

/** The package's WOFF files per script, in the order a code point is looked for. */
export const SOURCE_SUBSETS = ['latin', 'latin-ext', 'vietnamese', 'greek', 'cyrillic', 'cyrillic-ext'] as const;
const WEIGHTS = { regular: 400, bold: 700 } as const;

/**
 * What the letters can print: Latin-1, Latin Extended-A and -B, spacing modifiers (ʻ ʼ ˇ …), combining marks,
 * Greek, Cyrillic (with its supplement), Latin Extended Additional (Vietnamese), general punctuation, currency
 * signs, letterlike symbols (№ ™), and U+FFFD for what the font lacks.
 */
export const LETTER_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x0020, 0x007e],
  [0x00a0, 0x024f],
  [0x02b0, 0x02ff],
  [0x0300, 0x036f],
  [0x0370, 0x03ff],
  [0x0400, 0x052f],
  [0x1e00, 0x1eff],
  [0x2000, 0x206f],
  [0x20a0, 0x20cf],
  [0x2100, 0x214f],
  [REPLACEMENT, REPLACEMENT],
];

interface FontkitFont {
  hasGlyphForCodePoint(cp: number): boolean;
  glyphForCodePoint(cp: number): { id: number };
}

const require = createRequire(import.meta.url);
const fontkit = require(require.resolve('fontkit', { paths: [path.dirname(require.resolve('pdfkit'))] })) as { create(b: Uint8Array): FontkitFont };

/** The sfnt tables of a WOFF 1.0 file (zlib-compressed tables inflated). */
export function woffTables(file: Uint8Array): Tables {
  const woff = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  const v = new DataView(woff.buffer, woff.byteOffset, woff.byteLength);
  if (v.getUint32(0) !== 0x774f4646) throw new Error('not a WOFF file');
  const tables: Tables = new Map();
  for (let i = 0, n = v.getUint16(12); i < n; i++) {
    const at = 44 + 20 * i;
    const tag = String.fromCharCode(...woff.subarray(at, at + 4));
    const [offset, compLength, origLength] = [v.getUint32(at + 4), v.getUint32(at + 8), v.getUint32(at + 12)];
    const data = woff.subarray(offset, offset + compLength);
    tables.set(tag, compLength < origLength ? new Uint8Array(inflateSync(data)) : data);
  }
  return tables;
}

interface Source {
  subset: string;
  tables: Tables;
  glyphs: GlyphSource;
  font: FontkitFont;
}

export function sourceFile(subset: string, weight: number): string {
  return path.join(path.dirname(require.resolve('@fontsource/arimo/LICENSE')), 'files', `arimo-${subset}-${weight}-normal.woff`);
}

function sources(weight: number): Source[] {
  return SOURCE_SUBSETS.map((subset) => {
    const bytes = readFileSync(sourceFile(subset, weight));
    const tables = woffTables(bytes);
    return { subset, tables, glyphs: new GlyphSource(tables), font: fontkit.create(bytes) };
  });
}

/** The code points of LETTER_RANGES that both weights have. */
export function letterCodePoints(): number[] {
  const all = Object.values(WEIGHTS).map(sources);
  const out: number[] = [];
  for (const [from, to] of LETTER_RANGES) {
    for (let cp = from; cp <= to; cp++) if (all.every((s) => s.some((x) => x.font.hasGlyphForCodePoint(cp)))) out.push(cp);
  }
  return out;
}

const u16 = (t: Uint8Array, at: number) => new DataView(t.buffer, t.byteOffset).getUint16(at);
const i16 = (t: Uint8Array, at: number) => new DataView(t.buffer, t.byteOffset).getInt16(at);

function cmapTable(map: Array<[number, number]>): Uint8Array {
  const groups: Array<[number, number, number]> = [];
  for (const [cp, gid] of map) {
    const last = groups[groups.length - 1];
    if (last && last[1] === cp - 1 && last[2] + (cp - last[0]) === gid) last[1] = cp;
    else groups.push([cp, cp, gid]);
  }
  const sub = 16 + 12 * groups.length;
  const out = new Uint8Array(4 + 8 * 2 + sub);
  const v = new DataView(out.buffer);
  v.setUint16(2, 2);
  [[0, 4], [3, 10]].forEach(([platform, encoding], i) => {
    v.setUint16(4 + 8 * i, platform);
    v.setUint16(6 + 8 * i, encoding);
    v.setUint32(8 + 8 * i, 20);
  });
  v.setUint16(20, 12);
  v.setUint32(24, sub);
  v.setUint32(32, groups.length);
  groups.forEach(([start, end, gid], g) => {
    v.setUint32(36 + 12 * g, start);
    v.setUint32(40 + 12 * g, end);
    v.setUint32(44 + 12 * g, gid);
  });
  return out;
}

/** One weight's font file. */
export function letterFont(weight: keyof typeof WEIGHTS, codePoints = letterCodePoints()): Uint8Array {
  const src = sources(WEIGHTS[weight]);
  const base = src[0].tables;
  const set = new GlyphSet();
  set.add(src[0].glyphs, 0);
  const map: Array<[number, number]> = [];
  for (const cp of codePoints) {
    const s = src.find((x) => x.font.hasGlyphForCodePoint(cp))!;
    map.push([cp, set.add(s.glyphs, s.font.glyphForCodePoint(cp).id, true)]);
  }
  const tables = glyphHeaders(base, set.tables());
  // head: the bounding box of all the sources; maxp: the largest of each limit
  const head = tables.get('head')!;
  const hv = new DataView(head.buffer, head.byteOffset);
  [36, 38].forEach((at) => hv.setInt16(at, Math.min(...src.map((s) => i16(s.tables.get('head')!, at)))));
  [40, 42].forEach((at) => hv.setInt16(at, Math.max(...src.map((s) => i16(s.tables.get('head')!, at)))));
  const maxp = tables.get('maxp')!;
  for (let at = 6; at + 2 <= maxp.length; at += 2) new DataView(maxp.buffer, maxp.byteOffset).setUint16(at, Math.max(...src.map((s) => u16(s.tables.get('maxp')!, at))));
  const os2 = copyOf(base.get('OS/2')!);
  new DataView(os2.buffer).setUint16(64, codePoints[0]);
  new DataView(os2.buffer).setUint16(66, codePoints[codePoints.length - 1]);
  const post = copyOf(base.get('post')!.subarray(0, 32));
  new DataView(post.buffer).setUint32(0, 0x00030000);
  tables.set('cmap', cmapTable(map));
  tables.set('OS/2', os2);
  tables.set('post', post);
  tables.set('name', base.get('name')!);
  return writeSfnt(tables);
}

/** Every generated file (font files and the licence) by name. */
export function letterFontFiles(): Record<string, Uint8Array> {
  const codePoints = letterCodePoints();
  return {
    [LETTER_FONT_FILES.regular]: letterFont('regular', codePoints),
    [LETTER_FONT_FILES.bold]: letterFont('bold', codePoints),
    [LETTER_FONT_LICENSE]: readFileSync(require.resolve('@fontsource/arimo/LICENSE')),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const [name, bytes] of Object.entries(letterFontFiles())) {
    writeFileSync(path.join(LETTER_FONT_DIR, name), bytes);
    console.log(`wrote ${path.join(LETTER_FONT_DIR, name)} (${bytes.length} bytes)`);
  }
}
