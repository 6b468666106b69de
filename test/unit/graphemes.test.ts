/**
 * The Lambda bundles split SMS texts into graphemes with functions/channels/graphemes.ts instead of
 * grapheme-splitter (the library sms-segments-calculator uses): the library's algorithm over a table generated from
 * the library. It must be the library exactly — the same break property for every code point, the same graphemes
 * for every string — so an SMS has the same segments on AWS as locally.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import GraphemeSplitter, { getGraphemeBreakProperty } from '../../functions/channels/graphemes.js';
import { GRAPHEME_BREAKS_FILE, graphemeBreaksModule, libraryBreakProperty } from '../../infra/build/graphemes.js';

const require = createRequire(import.meta.url);
const Library = require('grapheme-splitter') as new () => { splitGraphemes(s: string): string[]; nextBreak(s: string, i?: number): number };
const library = new Library();
const ours = new GraphemeSplitter();

/** Code point ranges where grapheme rules have something to say, and some plain text. */
const RANGES: Array<[number, number]> = [
  [0x09, 0x0d], [0x20, 0x7e], [0xa0, 0x24f], [0x300, 0x36f], [0x370, 0x3ff], [0x400, 0x4ff], [0x590, 0x6ff], [0x900, 0x97f],
  [0x980, 0x9ff], [0xa00, 0xa7f], [0xb80, 0xbff], [0xe00, 0xe7f], [0x1100, 0x11ff], [0xa960, 0xa97f], [0xac00, 0xac40],
  [0xd7b0, 0xd7ff], [0x200b, 0x200f], [0x2600, 0x27bf], [0xfe00, 0xfe0f], [0x1f1e6, 0x1f1ff], [0x1f300, 0x1f6ff],
  [0x1f3fb, 0x1f3ff], [0x1f900, 0x1f9ff], [0xe0020, 0xe007f], [0x110bd, 0x110bd], [0xd800, 0xdfff],
];

function randomStrings(n: number, seed = 7): string[] {
  let s = seed;
  const rnd = () => (s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let text = '';
    const length = 1 + Math.floor(rnd() * 8);
    for (let j = 0; j < length; j++) {
      const [lo, hi] = RANGES[Math.floor(rnd() * RANGES.length)];
      const cp = lo + Math.floor(rnd() * (hi - lo + 1));
      // lone surrogates too: the library has its own way with them
      text += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
    }
    out.push(text);
  }
  return out;
}

describe('graphemes without grapheme-splitter', () => {
  it('the committed table is what the generator reads from the installed grapheme-splitter', () => {
    expect(readFileSync(GRAPHEME_BREAKS_FILE, 'utf8')).toBe(graphemeBreaksModule());
  });

  it('has the library’s break property for every code point', () => {
    const property = libraryBreakProperty();
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (getGraphemeBreakProperty(cp) !== property(cp)) expect(getGraphemeBreakProperty(cp), `U+${cp.toString(16)}`).toBe(property(cp));
    }
  });

  it('splits every string as the library does: names of many scripts, emoji sequences, flags, CRLF, lone surrogates', () => {
    const samples = [
      'Geachte heer Çelik', 'Beste Zoë, financiële', 'e\u0301', 'नमस्ते क्षत्रिय', 'ਪੰਜਾਬੀ', 'தமிழ்', 'ไทย น้ำ', '한국어 각', '\u1100\u1161\u11a8',
      'مرحبا', 'שָׁלוֹם', '👍🏽', '👨‍👩‍👧‍👦', '🇳🇱🇧🇪🇩', '1️⃣', '🏳️‍🌈', '🥲', 'a\r\nb', '中文名字', '🧑🏽‍💻', '\ud83d', 'x\udc00y',
    ];
    for (const s of [...samples, ...randomStrings(150_000)]) {
      const expected = library.splitGraphemes(s);
      const got = ours.splitGraphemes(s);
      if (got.length !== expected.length || got.some((g, i) => g !== expected[i])) expect(got, JSON.stringify(s)).toEqual(expected);
    }
  });
});
