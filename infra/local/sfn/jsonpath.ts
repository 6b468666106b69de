/**
 * JSONPath for the Amazon States Language (JSONPath query language only).
 *
 * Supported: `$`, `.name`, `['name']`/`["name"]`, `[n]` (negative counts from the end), `[*]`, `.*`,
 * `..name`/`..*` (recursive descent), unions `[0,2]`/`['a','b']` and slices `[start:end:step]`.
 * Filter expressions (`[?(...)]`) and script expressions are rejected when the state machine is created.
 *
 * A *definite* path (only names and indexes) selects at most one node; any other path selects a list.
 */
export type Segment =
  | { kind: 'name'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'names'; names: string[] }
  | { kind: 'indexes'; indexes: number[] }
  | { kind: 'slice'; start?: number; end?: number; step?: number }
  | { kind: 'descend'; name?: string }; // `..name`; name undefined = `..*`

export interface ParsedPath {
  source: string;
  /** `$$` paths address the context object. */
  context: boolean;
  segments: Segment[];
  definite: boolean;
}

export class JsonPathSyntaxError extends Error {
  override name = 'JsonPathSyntaxError';
}

const cache = new Map<string, ParsedPath>();

export function isPathString(s: unknown): s is string {
  return typeof s === 'string' && s.startsWith('$');
}

export function parsePath(source: string): ParsedPath {
  const hit = cache.get(source);
  if (hit) return hit;
  const parsed = parseUncached(source);
  if (cache.size > 5000) cache.clear();
  cache.set(source, parsed);
  return parsed;
}

function parseUncached(source: string): ParsedPath {
  if (typeof source !== 'string' || !source.startsWith('$')) {
    throw new JsonPathSyntaxError(`'${source}' is not a JSONPath (it must start with '$')`);
  }
  let i = 1;
  let context = false;
  if (source[1] === '$') {
    context = true;
    i = 2;
  }
  const segments: Segment[] = [];
  const fail = (why: string): never => {
    throw new JsonPathSyntaxError(`invalid JSONPath '${source}' at position ${i}: ${why}`);
  };
  const readName = (): string => {
    const start = i;
    while (i < source.length && !'.[]'.includes(source[i]!) && !/\s/.test(source[i]!)) i++;
    if (i === start) fail('expected a field name');
    return source.slice(start, i);
  };
  const readQuoted = (): string => {
    const quote = source[i];
    i++;
    let out = '';
    while (i < source.length && source[i] !== quote) {
      if (source[i] === '\\' && i + 1 < source.length) {
        i++;
      }
      out += source[i];
      i++;
    }
    if (source[i] !== quote) fail('unterminated quoted name');
    i++;
    return out;
  };
  const readInt = (): number => {
    const m = /^-?\d+/.exec(source.slice(i));
    if (!m) fail('expected an integer');
    i += m![0].length;
    return Number(m![0]);
  };
  const skipWs = () => {
    while (i < source.length && source[i] === ' ') i++;
  };

  while (i < source.length) {
    const c = source[i];
    if (c === '.') {
      if (source[i + 1] === '.') {
        i += 2;
        if (source[i] === '*') {
          i++;
          segments.push({ kind: 'descend' });
        } else if (source[i] === '[') {
          // `..['name']`
          i++;
          skipWs();
          if (source[i] !== "'" && source[i] !== '"') fail("only `..['name']` is supported after '..['");
          const name = readQuoted();
          skipWs();
          if (source[i] !== ']') fail("expected ']'");
          i++;
          segments.push({ kind: 'descend', name });
        } else {
          segments.push({ kind: 'descend', name: readName() });
        }
        continue;
      }
      i++;
      if (source[i] === '*') {
        i++;
        segments.push({ kind: 'wildcard' });
      } else {
        segments.push({ kind: 'name', name: readName() });
      }
      continue;
    }
    if (c === '[') {
      i++;
      skipWs();
      const d = source[i];
      if (d === '?' || d === '(') fail('filter and script expressions are not supported by the local emulator');
      if (d === '*') {
        i++;
        skipWs();
        if (source[i] !== ']') fail("expected ']'");
        i++;
        segments.push({ kind: 'wildcard' });
        continue;
      }
      if (d === "'" || d === '"') {
        const names = [readQuoted()];
        skipWs();
        while (source[i] === ',') {
          i++;
          skipWs();
          if (source[i] !== "'" && source[i] !== '"') fail('expected a quoted name');
          names.push(readQuoted());
          skipWs();
        }
        if (source[i] !== ']') fail("expected ']'");
        i++;
        segments.push(names.length === 1 ? { kind: 'name', name: names[0]! } : { kind: 'names', names });
        continue;
      }
      // number, union of numbers or slice
      const parts: Array<number | undefined> = [];
      let sep: ',' | ':' | undefined;
      for (;;) {
        skipWs();
        if (source[i] === ':' || source[i] === ']' || source[i] === ',') parts.push(undefined);
        else parts.push(readInt());
        skipWs();
        const s = source[i] as string | undefined;
        if (s === ']') {
          i++;
          break;
        }
        if (s !== ',' && s !== ':') fail("expected ',', ':' or ']'");
        if (sep && sep !== s) fail("cannot mix ',' and ':' in one subscript");
        sep = s as ',' | ':';
        i++;
      }
      if (sep === ':') {
        if (parts.length > 3) fail('a slice has at most three parts');
        const [start, end, step] = parts;
        if (step === 0) fail('slice step cannot be 0');
        segments.push({ kind: 'slice', start, end, step });
      } else if (sep === ',') {
        if (parts.some((p) => p === undefined)) fail('empty index in a union');
        segments.push({ kind: 'indexes', indexes: parts as number[] });
      } else {
        if (parts[0] === undefined) fail('empty subscript');
        segments.push({ kind: 'index', index: parts[0]! });
      }
      continue;
    }
    fail(`unexpected character '${c}'`);
  }
  const definite = segments.every((s) => s.kind === 'name' || s.kind === 'index');
  return { source, context, segments, definite };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.values(v);
  return [];
}

function normIndex(i: number, len: number): number {
  return i < 0 ? len + i : i;
}

function step(nodes: unknown[], seg: Segment): unknown[] {
  const out: unknown[] = [];
  for (const node of nodes) {
    switch (seg.kind) {
      case 'name':
        if (isObject(node) && Object.prototype.hasOwnProperty.call(node, seg.name)) out.push(node[seg.name]);
        break;
      case 'names':
        if (isObject(node)) for (const n of seg.names) if (Object.prototype.hasOwnProperty.call(node, n)) out.push(node[n]);
        break;
      case 'index':
        if (Array.isArray(node)) {
          const k = normIndex(seg.index, node.length);
          if (k >= 0 && k < node.length) out.push(node[k]);
        }
        break;
      case 'indexes':
        if (Array.isArray(node)) {
          for (const idx of seg.indexes) {
            const k = normIndex(idx, node.length);
            if (k >= 0 && k < node.length) out.push(node[k]);
          }
        }
        break;
      case 'wildcard':
        out.push(...children(node));
        break;
      case 'slice':
        if (Array.isArray(node)) {
          const len = node.length;
          const stepBy = seg.step ?? 1;
          if (stepBy > 0) {
            const start = Math.max(0, Math.min(len, seg.start === undefined ? 0 : normIndex(seg.start, len)));
            const end = Math.max(0, Math.min(len, seg.end === undefined ? len : normIndex(seg.end, len)));
            for (let k = start; k < end; k += stepBy) out.push(node[k]);
          } else {
            const start = Math.min(len - 1, seg.start === undefined ? len - 1 : normIndex(seg.start, len));
            const end = seg.end === undefined ? -1 : Math.max(-1, normIndex(seg.end, len));
            for (let k = start; k > end; k += stepBy) out.push(node[k]);
          }
        }
        break;
      case 'descend': {
        const visit = (v: unknown) => {
          if (seg.name === undefined) {
            for (const c of children(v)) {
              out.push(c);
              visit(c);
            }
          } else {
            if (isObject(v) && Object.prototype.hasOwnProperty.call(v, seg.name)) out.push(v[seg.name]);
            for (const c of children(v)) visit(c);
          }
        };
        visit(node);
        break;
      }
    }
  }
  return out;
}

export type QueryResult = { found: true; value: unknown } | { found: false };

/**
 * Evaluates a path. A definite path yields the single node (or not found); an indefinite path always
 * yields a list of the matches (possibly empty), like Jayway JsonPath which Step Functions uses.
 */
export function query(path: string | ParsedPath, input: unknown, context?: unknown): QueryResult {
  const p = typeof path === 'string' ? parsePath(path) : path;
  let nodes: unknown[] = [p.context ? context : input];
  for (const seg of p.segments) {
    nodes = step(nodes, seg);
    if (p.definite && nodes.length === 0) return { found: false };
  }
  if (p.definite) return nodes.length ? { found: true, value: nodes[0] } : { found: false };
  return { found: true, value: nodes };
}

/**
 * Writes `value` into a copy of `input` at a reference path (ResultPath semantics): missing
 * intermediate objects are created; returns ok: false when the path cannot be applied.
 */
export function setAt(path: string, input: unknown, value: unknown): { ok: true; value: unknown } | { ok: false; why: string } {
  const p = parsePath(path);
  if (p.context) return { ok: false, why: 'ResultPath cannot address the context object' };
  if (!p.definite) return { ok: false, why: 'ResultPath must be a reference path (names and indexes only)' };
  if (p.segments.length === 0) return { ok: true, value };
  const root: unknown = structuredClone(input);
  let node: unknown = root;
  for (let k = 0; k < p.segments.length; k++) {
    const seg = p.segments[k]!;
    const last = k === p.segments.length - 1;
    if (seg.kind === 'name') {
      if (!isObject(node)) return { ok: false, why: `cannot set field '${seg.name}' on a non-object value` };
      if (last) {
        node[seg.name] = value;
      } else {
        if (node[seg.name] === undefined) node[seg.name] = {};
        node = node[seg.name];
      }
    } else if (seg.kind === 'index') {
      if (!Array.isArray(node)) return { ok: false, why: `cannot index [${seg.index}] into a non-array value` };
      const i = normIndex(seg.index, node.length);
      if (i < 0 || i >= node.length) return { ok: false, why: `index [${seg.index}] is out of bounds` };
      if (last) node[i] = value;
      else node = node[i];
    }
  }
  return { ok: true, value: root };
}
