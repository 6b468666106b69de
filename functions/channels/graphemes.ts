/**
 * grapheme-splitter (UAX #29, Unicode 10), the library Twilio's sms-segments-calculator splits an SMS into
 * user-perceived characters with — the same algorithm, statement for statement, over a generated table of the break
 * properties (./grapheme-breaks.generated.ts, from the library itself by infra/build/graphemes.ts) instead of the
 * library's ≈ 23 KB of range checks. The Lambda bundles use this module in the library's place
 * (infra/build/bundle.ts); test/unit/graphemes.test.ts holds it equal to the library on every code point and on
 * hundreds of thousands of strings, so an SMS has the same segments on AWS as locally.
 */
import { GRAPHEME_BREAKS } from './grapheme-breaks.generated.js';

const CR = 0;
const LF = 1;
const Control = 2;
const Extend = 3;
const Regional_Indicator = 4;
const SpacingMark = 5;
const L = 6;
const V = 7;
const T = 8;
const LV = 9;
const LVT = 10;
const Other = 11;
const Prepend = 12;
const E_Base = 13;
const E_Modifier = 14;
const ZWJ = 15;
const Glue_After_Zwj = 16;
const E_Base_GAZ = 17;

const NotBreak = 0;
const BreakStart = 1;
const Break = 2;
const BreakLastRegional = 3;
const BreakPenultimateRegional = 4;

/** Run starts, ends and properties, ascending (decoded once from the table). */
let starts: Int32Array | undefined;
let ends: Int32Array;
let props: Uint8Array;

function decode(): void {
  const runs = GRAPHEME_BREAKS.runs.split(';').filter(Boolean);
  starts = new Int32Array(runs.length);
  ends = new Int32Array(runs.length);
  props = new Uint8Array(runs.length);
  let previousEnd = 0;
  runs.forEach((run, i) => {
    const [gap, length, property] = run.split(',').map((x) => parseInt(x, 36));
    starts![i] = previousEnd + gap;
    ends[i] = starts![i] + length;
    props[i] = property;
    previousEnd = ends[i] + 1;
  });
}

/** The grapheme break property of a code point (grapheme-splitter's codes: Other = 11). */
export function getGraphemeBreakProperty(code: number): number {
  if (code >= 0xac00 && code <= 0xd7a3) return (code - 0xac00) % 28 === 0 ? LV : LVT;
  if (!starts) decode();
  let lo = 0;
  let hi = starts!.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (code < starts![mid]) hi = mid - 1;
    else if (code > ends[mid]) lo = mid + 1;
    else return props[mid];
  }
  return Other;
}

function isSurrogate(str: string, pos: number): boolean {
  return 0xd800 <= str.charCodeAt(pos) && str.charCodeAt(pos) <= 0xdbff && 0xdc00 <= str.charCodeAt(pos + 1) && str.charCodeAt(pos + 1) <= 0xdfff;
}

function codePointAt(str: string, idx = 0): number {
  const code = str.charCodeAt(idx);
  if (0xd800 <= code && code <= 0xdbff && idx < str.length - 1) {
    const low = str.charCodeAt(idx + 1);
    if (0xdc00 <= low && low <= 0xdfff) return (code - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
    return code;
  }
  if (0xdc00 <= code && code <= 0xdfff && idx >= 1) {
    const hi = str.charCodeAt(idx - 1);
    if (0xd800 <= hi && hi <= 0xdbff) return (hi - 0xd800) * 0x400 + (code - 0xdc00) + 0x10000;
    return code;
  }
  return code;
}

function shouldBreak(start: number, mid: number[], end: number): number {
  const all = [start, ...mid, end];
  const previous = all[all.length - 2];
  const next = end;
  // GB10 lookahead terminator
  const eModifierIndex = all.lastIndexOf(E_Modifier);
  if (eModifierIndex > 1 && all.slice(1, eModifierIndex).every((c) => c === Extend) && [Extend, E_Base, E_Base_GAZ].indexOf(start) === -1) return Break;
  // GB12, GB13 lookahead terminator
  const rIIndex = all.lastIndexOf(Regional_Indicator);
  if (rIIndex > 0 && all.slice(1, rIIndex).every((c) => c === Regional_Indicator) && [Prepend, Regional_Indicator].indexOf(previous) === -1) {
    return all.filter((c) => c === Regional_Indicator).length % 2 === 1 ? BreakLastRegional : BreakPenultimateRegional;
  }
  if (previous === CR && next === LF) return NotBreak; // GB3
  if (previous === Control || previous === CR || previous === LF) return next === E_Modifier && mid.every((c) => c === Extend) ? Break : BreakStart; // GB4
  if (next === Control || next === CR || next === LF) return BreakStart; // GB5
  if (previous === L && (next === L || next === V || next === LV || next === LVT)) return NotBreak; // GB6
  if ((previous === LV || previous === V) && (next === V || next === T)) return NotBreak; // GB7
  if ((previous === LVT || previous === T) && next === T) return NotBreak; // GB8
  if (next === Extend || next === ZWJ) return NotBreak; // GB9
  if (next === SpacingMark) return NotBreak; // GB9a
  if (previous === Prepend) return NotBreak; // GB9b
  // GB10
  const previousNonExtendIndex = all.indexOf(Extend) !== -1 ? all.lastIndexOf(Extend) - 1 : all.length - 2;
  if ([E_Base, E_Base_GAZ].indexOf(all[previousNonExtendIndex]) !== -1 && all.slice(previousNonExtendIndex + 1, -1).every((c) => c === Extend) && next === E_Modifier) return NotBreak;
  if (previous === ZWJ && [Glue_After_Zwj, E_Base_GAZ].indexOf(next) !== -1) return NotBreak; // GB11
  // GB12, GB13
  if (mid.indexOf(Regional_Indicator) !== -1) return Break;
  if (previous === Regional_Indicator && next === Regional_Indicator) return NotBreak;
  return BreakStart; // GB999
}

export default class GraphemeSplitter {
  /** The next grapheme break in the string after `index`. */
  nextBreak(string: string, index = 0): number {
    if (index < 0) return 0;
    if (index >= string.length - 1) return string.length;
    const prev = getGraphemeBreakProperty(codePointAt(string, index));
    const mid: number[] = [];
    for (let i = index + 1; i < string.length; i++) {
      if (isSurrogate(string, i - 1)) continue; // a low surrogate already read
      const next = getGraphemeBreakProperty(codePointAt(string, i));
      if (shouldBreak(prev, mid, next)) return i;
      mid.push(next);
    }
    return string.length;
  }

  splitGraphemes(str: string): string[] {
    const res: string[] = [];
    let index = 0;
    let brk: number;
    while ((brk = this.nextBreak(str, index)) < str.length) {
      res.push(str.slice(index, brk));
      index = brk;
    }
    if (index < str.length) res.push(str.slice(index));
    return res;
  }

  iterateGraphemes(str: string): IterableIterator<string> {
    return this.splitGraphemes(str)[Symbol.iterator]();
  }

  countGraphemes(str: string): number {
    return this.splitGraphemes(str).length;
  }
}
