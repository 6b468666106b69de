/**
 * Intrinsic functions (JSONPath query language): parsed once at createStateMachine, evaluated per state.
 * All AWS intrinsics are implemented: States.Format, StringToJson, JsonToString, Array, ArrayPartition,
 * ArrayContains, ArrayRange, ArrayGetItem, ArrayLength, ArrayUnique, Base64Encode, Base64Decode, Hash,
 * JsonMerge (shallow), MathRandom, MathAdd, StringSplit, UUID.
 */
import { createHash, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { parsePath, query, type ParsedPath } from './jsonpath.js';
import { TerminalError } from './errors.js';

export type IntrinsicArg =
  | { kind: 'string'; raw: string }
  | { kind: 'literal'; value: number | boolean | null }
  | { kind: 'path'; path: ParsedPath }
  | { kind: 'call'; call: IntrinsicCall };

export interface IntrinsicCall {
  name: string;
  args: IntrinsicArg[];
  source: string;
}

const ARITY: Record<string, [min: number, max: number]> = {
  'States.Format': [1, Infinity],
  'States.StringToJson': [1, 1],
  'States.JsonToString': [1, 1],
  'States.Array': [0, Infinity],
  'States.ArrayPartition': [2, 2],
  'States.ArrayContains': [2, 2],
  'States.ArrayRange': [3, 3],
  'States.ArrayGetItem': [2, 2],
  'States.ArrayLength': [1, 1],
  'States.ArrayUnique': [1, 1],
  'States.Base64Encode': [1, 1],
  'States.Base64Decode': [1, 1],
  'States.Hash': [2, 2],
  'States.JsonMerge': [3, 3],
  'States.MathRandom': [2, 3],
  'States.MathAdd': [2, 2],
  'States.StringSplit': [2, 2],
  'States.UUID': [0, 0],
};

export function isIntrinsic(s: unknown): s is string {
  return typeof s === 'string' && /^States\.[A-Za-z0-9]+\s*\(/.test(s);
}

export class IntrinsicSyntaxError extends Error {
  override name = 'IntrinsicSyntaxError';
}

/** Parses `States.Fn(arg, …)`; throws IntrinsicSyntaxError with the position and reason. */
export function parseIntrinsic(source: string): IntrinsicCall {
  let i = 0;
  const fail = (why: string): never => {
    throw new IntrinsicSyntaxError(`invalid intrinsic function '${source}' at position ${i}: ${why}`);
  };
  const ws = () => {
    while (i < source.length && /\s/.test(source[i]!)) i++;
  };
  const parseCall = (depth: number): IntrinsicCall => {
    if (depth > 10) fail('intrinsic functions can be nested at most 10 deep');
    const start = i;
    const m = /^States\.[A-Za-z0-9]+/.exec(source.slice(i));
    if (!m) fail('expected States.<Function>(');
    const name = m![0];
    if (!(name in ARITY)) fail(`unknown intrinsic function ${name}`);
    i += name.length;
    ws();
    if (source[i] !== '(') fail("expected '('");
    i++;
    const args: IntrinsicArg[] = [];
    ws();
    if (source[i] === ')') {
      i++;
    } else {
      for (;;) {
        ws();
        args.push(parseArg(depth));
        ws();
        if (source[i] === ',') {
          i++;
          continue;
        }
        if (source[i] === ')') {
          i++;
          break;
        }
        fail("expected ',' or ')'");
      }
    }
    const [min, max] = ARITY[name]!;
    if (args.length < min || args.length > max) {
      fail(`${name} takes ${min === max ? min : max === Infinity ? `at least ${min}` : `${min} to ${max}`} argument(s), got ${args.length}`);
    }
    return { name, args, source: source.slice(start, i) };
  };
  const parseArg = (depth: number): IntrinsicArg => {
    const c = source[i];
    if (c === "'") {
      i++;
      let raw = '';
      while (i < source.length && source[i] !== "'") {
        if (source[i] === '\\' && i + 1 < source.length) {
          raw += source[i]! + source[i + 1]!;
          i += 2;
          continue;
        }
        raw += source[i];
        i++;
      }
      if (source[i] !== "'") fail('unterminated string literal');
      i++;
      return { kind: 'string', raw };
    }
    if (c === '$') {
      const start = i;
      let bracket = 0;
      let quote: string | undefined;
      while (i < source.length) {
        const d = source[i]!;
        if (quote) {
          if (d === '\\') i++;
          else if (d === quote) quote = undefined;
        } else if (d === "'" || d === '"') quote = d;
        else if (d === '[') bracket++;
        else if (d === ']') bracket--;
        else if (bracket === 0 && (d === ',' || d === ')' || /\s/.test(d))) break;
        i++;
      }
      const text = source.slice(start, i);
      try {
        return { kind: 'path', path: parsePath(text) };
      } catch (err) {
        return fail((err as Error).message);
      }
    }
    if (source.startsWith('States.', i)) return { kind: 'call', call: parseCall(depth + 1) };
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(source.slice(i));
    if (!m) return fail('expected a string literal, number, boolean, null, a path or an intrinsic function');
    i += m[0].length;
    return { kind: 'literal', value: JSON.parse(m[0]) as number | boolean | null };
  };
  ws();
  const call = parseCall(1);
  ws();
  if (i !== source.length) fail('unexpected text after the closing parenthesis');
  return call;
}

function unescape(raw: string): string {
  return raw.replace(/\\(.)/g, '$1');
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export function evaluateIntrinsic(call: IntrinsicCall, input: unknown, context: unknown): unknown {
  const fail = (why: string): never => {
    throw new TerminalError('States.IntrinsicFailure', `${call.name}: ${why} (in ${call.source})`);
  };
  const values = call.args.map((a): unknown => {
    switch (a.kind) {
      case 'string':
        return unescape(a.raw);
      case 'literal':
        return a.value;
      case 'call':
        return evaluateIntrinsic(a.call, input, context);
      case 'path': {
        const r = query(a.path, input, context);
        if (!r.found) {
          throw new TerminalError(
            'States.Runtime',
            `The JSONPath '${a.path.source}' in ${call.source} could not be found in the input '${JSON.stringify(a.path.context ? context : input)}'`,
          );
        }
        return r.value;
      }
    }
  });
  const str = (k: number): string => {
    const v = values[k];
    if (typeof v !== 'string') fail(`argument ${k + 1} must be a string, got ${typeName(v)}`);
    return v as string;
  };
  const int = (k: number): number => {
    const v = values[k];
    if (typeof v !== 'number' || !Number.isInteger(v)) fail(`argument ${k + 1} must be an integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const arr = (k: number): unknown[] => {
    const v = values[k];
    if (!Array.isArray(v)) fail(`argument ${k + 1} must be an array, got ${typeName(v)}`);
    return v as unknown[];
  };
  const obj = (k: number): Record<string, unknown> => {
    const v = values[k];
    if (typeName(v) !== 'object') fail(`argument ${k + 1} must be an object, got ${typeName(v)}`);
    return v as Record<string, unknown>;
  };

  switch (call.name) {
    case 'States.Format': {
      const first = call.args[0]!;
      const template = first.kind === 'string' ? first.raw : str(0).replace(/\\/g, '\\\\');
      if (first.kind !== 'string') str(0);
      const rest = values.slice(1);
      let out = '';
      let used = 0;
      for (let k = 0; k < template.length; k++) {
        const c = template[k]!;
        if (c === '\\' && k + 1 < template.length) {
          out += template[k + 1];
          k++;
        } else if (c === '{' && template[k + 1] === '}') {
          if (used >= rest.length) fail('there are more {} placeholders than arguments');
          const v = rest[used++];
          if (v !== null && typeof v === 'object') fail(`argument ${used + 1} must be a string, number, boolean or null`);
          out += typeof v === 'string' ? v : JSON.stringify(v);
          k++;
        } else {
          out += c;
        }
      }
      if (used !== rest.length) fail('there are more arguments than {} placeholders');
      return out;
    }
    case 'States.StringToJson': {
      const s = str(0);
      try {
        return JSON.parse(s) as unknown;
      } catch {
        return fail(`argument 1 is not valid JSON: ${s}`);
      }
    }
    case 'States.JsonToString':
      return JSON.stringify(values[0]);
    case 'States.Array':
      return values;
    case 'States.ArrayPartition': {
      const a = arr(0);
      const size = int(1);
      if (size <= 0) fail('the chunk size must be a positive integer');
      const out: unknown[][] = [];
      for (let k = 0; k < a.length; k += size) out.push(a.slice(k, k + size));
      return out;
    }
    case 'States.ArrayContains':
      return arr(0).some((v) => isDeepStrictEqual(v, values[1]));
    case 'States.ArrayRange': {
      const start = int(0);
      const end = int(1);
      const stepBy = int(2);
      if (stepBy === 0) fail('the step cannot be 0');
      const out: number[] = [];
      for (let v = start; stepBy > 0 ? v <= end : v >= end; v += stepBy) {
        out.push(v);
        if (out.length > 1000) fail('the result cannot contain more than 1000 items');
      }
      return out;
    }
    case 'States.ArrayGetItem': {
      const a = arr(0);
      const k = int(1);
      if (k < 0 || k >= a.length) fail(`index ${k} is out of bounds for an array of length ${a.length}`);
      return a[k];
    }
    case 'States.ArrayLength':
      return arr(0).length;
    case 'States.ArrayUnique': {
      const out: unknown[] = [];
      for (const v of arr(0)) if (!out.some((o) => isDeepStrictEqual(o, v))) out.push(v);
      return out;
    }
    case 'States.Base64Encode': {
      const s = str(0);
      if (s.length > 10_000) fail('the string is longer than 10,000 characters');
      return Buffer.from(s, 'utf8').toString('base64');
    }
    case 'States.Base64Decode': {
      const s = str(0);
      if (s.length > 10_000) fail('the string is longer than 10,000 characters');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) fail('argument 1 is not valid Base64');
      return Buffer.from(s, 'base64').toString('utf8');
    }
    case 'States.Hash': {
      const data = values[0];
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      if (text.length > 10_000) fail('the data is longer than 10,000 characters');
      const algo = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' }[str(1)];
      if (!algo) fail(`unsupported algorithm '${str(1)}' (MD5, SHA-1, SHA-256, SHA-384, SHA-512)`);
      return createHash(algo!).update(text, 'utf8').digest('hex');
    }
    case 'States.JsonMerge': {
      const a = obj(0);
      const b = obj(1);
      if (values[2] !== false) fail('only a shallow merge (third argument false) is supported');
      return { ...a, ...b };
    }
    case 'States.MathRandom': {
      const start = int(0);
      const end = int(1);
      if (end < start) fail('the end must not be below the start');
      if (values.length > 2) int(2);
      return start + Math.floor(Math.random() * (end - start + 1));
    }
    case 'States.MathAdd': {
      const a = values[0];
      const b = values[1];
      if (typeof a !== 'number' || typeof b !== 'number') fail('both arguments must be numbers');
      return (a as number) + (b as number);
    }
    case 'States.StringSplit': {
      const s = str(0);
      const delims = str(1);
      if (delims === '') return [s];
      const out: string[] = [];
      let cur = '';
      for (const ch of s) {
        if (delims.includes(ch)) {
          if (cur !== '') out.push(cur);
          cur = '';
        } else cur += ch;
      }
      if (cur !== '') out.push(cur);
      return out;
    }
    case 'States.UUID':
      return randomUUID();
  }
  return fail('unknown function');
}
