/**
 * An in-process implementation of the table behind functions/store, for the simulator (infra/local/simulate): the
 * same store modules, the same commands (`@aws-sdk/lib-dynamodb`'s Get/Put/Update/Delete/Query/BatchGet/BatchWrite),
 * answered from memory instead of over HTTP by dynalite — a request costs microseconds instead of a millisecond.
 * The store's contract tests (test/e2e/case-store.test.ts, test/e2e/store-contract.test.ts) run against both this
 * and dynalite, so the two cannot drift. Never imported by a Lambda: `useInProcessTable()` swaps it in.
 *
 * Implemented: the expression language the store uses — conditions (=, <>, <, <=, >, >=, BETWEEN, IN, AND, OR,
 * NOT, parentheses, attribute_exists, attribute_not_exists, begins_with, contains, size), key conditions (the
 * partition key = and a sort key comparison, BETWEEN or begins_with), updates (SET with +, -, if_not_exists and
 * list_append; REMOVE; ADD on numbers and on sets; DELETE of set elements), string and number sets (lib-dynamodb's
 * `Set`s: a number's opt-outs, store/identity.ts), ProjectionExpression (attribute names and map paths),
 * ExpressionAttributeNames/Values, ReturnValues (ALL_NEW, ALL_OLD, UPDATED_NEW, UPDATED_OLD), Query on the table and its GSIs (sorted by sort
 * key, ScanIndexForward, Limit, paging), BatchGet/BatchWrite (with their limits), TransactWriteItems (Put, Update,
 * Delete, ConditionCheck; all or nothing, the cancellation reasons per action, ReturnValuesOnConditionCheckFailure,
 * ClientRequestToken), and ConditionalCheckFailedException. Items are copied in and out, so callers never share
 * objects with the table. Not implemented (not used): Scan, TransactGetItems, PartiQL, TTL deletion (like dynalite),
 * capacity figures; a command or expression the store does not use is refused with a ValidationException, never
 * ignored.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { TABLE } from './table.js';

type Item = Record<string, unknown>;
type Names = Record<string, string> | undefined;
type Values = Record<string, unknown> | undefined;

class ConditionFailed extends Error {
  override name = 'ConditionalCheckFailedException';
  constructor() {
    super('The conditional request failed');
  }
}
class Validation extends Error {
  override name = 'ValidationException';
}
class TransactionCanceled extends Error {
  override name = 'TransactionCanceledException';
  /** as the SDK gives them: an item (ReturnValuesOnConditionCheckFailure) in DynamoDB's attribute-value form */
  constructor(readonly CancellationReasons: Array<{ Code: string; Message?: string; Item?: Record<string, unknown> }>) {
    super(`Transaction cancelled, please refer cancellation reasons for specific reasons [${CancellationReasons.map((r) => r.Code).join(', ')}]`);
  }
}

/** Does a document hold a set anywhere (lib-dynamodb's `Set` for SS/NS)? */
function hasSet(v: unknown): boolean {
  if (v instanceof Set) return true;
  if (Array.isArray(v)) return v.some(hasSet);
  if (v && typeof v === 'object') {
    for (const k in v as Record<string, unknown>) if (hasSet((v as Record<string, unknown>)[k])) return true;
  }
  return false;
}

/** A deep copy that keeps sets (JSON would turn them into `{}`). */
function copyDeep(v: unknown): unknown {
  if (v instanceof Set) return new Set(v);
  if (Array.isArray(v)) return v.map(copyDeep);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k in v as Record<string, unknown>) out[k] = copyDeep((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/**
 * Items are documents (lib-dynamodb's: strings, numbers, booleans, lists, maps, and sets); a JSON copy is the
 * cheapest for those without a set.
 */
const copy = <T>(v: T): T => (v === null || typeof v !== 'object' ? v : hasSet(v) ? (copyDeep(v) as T) : (JSON.parse(JSON.stringify(v)) as T));

/** Equality of two documents (sets compare by their elements, in any order). */
function same(a: unknown, b: unknown): boolean {
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set) || !(b instanceof Set) || a.size !== b.size) return false;
    for (const x of a) if (!b.has(x)) return false;
    return true;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && (hasSet(a) || hasSet(b))) {
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The set type of a lib-dynamodb Set ('SS' or 'NS'), or a ValidationException for an empty or mixed one. */
function setType(v: Set<unknown>): 'SS' | 'NS' {
  if (v.size === 0) throw new Validation('One or more parameter values were invalid: An string set  may not be empty');
  const types = new Set([...v].map((x) => typeof x));
  if (types.size === 1 && types.has('string')) return 'SS';
  if (types.size === 1 && (types.has('number') || types.has('bigint'))) return 'NS';
  throw new Validation('One or more parameter values were invalid: a set holds strings or numbers, one kind');
}

// ---- expressions ----------------------------------------------------------------------------------------

type Tok = { t: 'name' | 'value' | 'ident' | 'num' | 'op' | 'punct' | 'kw'; v: string };
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN', 'SET', 'REMOVE', 'ADD', 'DELETE']);

const tokenCache = new Map<string, Tok[]>();

/** The tokens of an expression (the store uses a few dozen distinct expressions: each is tokenized once). */
function tokenize(src: string): Tok[] {
  let hit = tokenCache.get(src);
  if (!hit) {
    hit = tokenizeNow(src);
    if (tokenCache.size < 10_000) tokenCache.set(src, hit);
  }
  return hit;
}

function tokenizeNow(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^#[A-Za-z0-9_]+/.exec(rest))) out.push({ t: 'name', v: m[0] });
    else if ((m = /^:[A-Za-z0-9_]+/.exec(rest))) out.push({ t: 'value', v: m[0] });
    else if ((m = /^(<=|>=|<>|=|<|>)/.exec(rest))) out.push({ t: 'op', v: m[0] });
    else if ((m = /^[(),.[\]+-]/.exec(rest))) out.push({ t: 'punct', v: m[0] });
    else if ((m = /^\d+/.exec(rest))) out.push({ t: 'num', v: m[0] });
    else if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) out.push({ t: KEYWORDS.has(m[0].toUpperCase()) ? 'kw' : 'ident', v: KEYWORDS.has(m[0].toUpperCase()) ? m[0].toUpperCase() : m[0] });
    else throw new Validation(`Invalid expression: unexpected "${ch}" in ${src}`);
    i += m[0].length;
  }
  return out;
}

type PathSeg = string | number;

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly names: Names,
    private readonly values: Values,
  ) {}
  peek(): Tok | undefined {
    return this.toks[this.i];
  }
  next(): Tok {
    const t = this.toks[this.i++];
    if (!t) throw new Validation('Invalid expression: unexpected end');
    return t;
  }
  accept(v: string): boolean {
    const t = this.peek();
    if (t && (t.t === 'punct' || t.t === 'op' || t.t === 'kw') && t.v === v) {
      this.i++;
      return true;
    }
    return false;
  }
  expect(v: string): void {
    if (!this.accept(v)) throw new Validation(`Invalid expression: expected "${v}" at ${JSON.stringify(this.peek())}`);
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }
  path(): PathSeg[] {
    const segs: PathSeg[] = [this.segment()];
    for (;;) {
      if (this.accept('.')) segs.push(this.segment());
      else if (this.accept('[')) {
        segs.push(Number(this.next().v));
        this.expect(']');
      } else return segs;
    }
  }
  private segment(): string {
    const t = this.next();
    if (t.t === 'name') {
      const n = this.names?.[t.v];
      if (n === undefined) throw new Validation(`An expression attribute name used in the document path is not defined; attribute name: ${t.v}`);
      return n;
    }
    if (t.t === 'ident') return t.v;
    throw new Validation(`Invalid expression: a path was expected, got ${t.v}`);
  }
  value(name: string): unknown {
    if (!this.values || !(name in this.values)) throw new Validation(`An expression attribute value used in expression is not defined; attribute value: ${name}`);
    return this.values[name];
  }
}

function getPath(item: Item | undefined, path: readonly PathSeg[]): unknown {
  let cur: unknown = item;
  for (const s of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

function setPath(item: Item, path: readonly PathSeg[], v: unknown): void {
  let cur: Record<string | number, unknown> = item;
  for (let k = 0; k < path.length - 1; k++) {
    const next = cur[path[k]!];
    if (next === null || typeof next !== 'object') throw new Validation('The document path provided in the update expression is invalid for update');
    cur = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(cur) && typeof last === 'number') {
    if (last >= cur.length) cur.push(v);
    else cur[last] = v;
  } else cur[last] = v;
}

function removePath(item: Item, path: readonly PathSeg[]): void {
  const parent = getPath(item, path.slice(0, -1));
  if (parent === null || typeof parent !== 'object') return;
  const last = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else delete (parent as Record<string, unknown>)[last as string];
}

type Operand = { kind: 'path'; path: PathSeg[] } | { kind: 'value'; v: unknown } | { kind: 'size'; path: PathSeg[] };

function operand(p: Parser): Operand {
  const t = p.peek();
  if (t?.t === 'value') {
    p.next();
    return { kind: 'value', v: p.value(t.v) };
  }
  if (t?.t === 'ident' && t.v === 'size') {
    p.next();
    p.expect('(');
    const path = p.path();
    p.expect(')');
    return { kind: 'size', path };
  }
  return { kind: 'path', path: p.path() };
}

function evalOperand(o: Operand, item: Item | undefined): unknown {
  if (o.kind === 'value') return o.v;
  const v = getPath(item, o.path);
  if (o.kind === 'path') return v;
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.length;
  if (v instanceof Set) return v.size;
  if (v && typeof v === 'object') return Object.keys(v).length;
  return undefined;
}

function compare(a: unknown, op: string, b: unknown): boolean {
  if (op === '=') return a !== undefined && same(a, b);
  if (op === '<>') return !same(a, b);
  if (a === undefined || b === undefined || typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
  const x = a as number | string;
  const y = b as number | string;
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
  return false;
}

type Cond = (item: Item | undefined) => boolean;

function parseCondition(p: Parser): Cond {
  let left = parseAnd(p);
  while (p.accept('OR')) {
    const l = left;
    const r = parseAnd(p);
    left = (it) => l(it) || r(it);
  }
  return left;
}
function parseAnd(p: Parser): Cond {
  let left = parseNot(p);
  while (p.accept('AND')) {
    const l = left;
    const r = parseNot(p);
    left = (it) => l(it) && r(it);
  }
  return left;
}
function parseNot(p: Parser): Cond {
  if (p.accept('NOT')) {
    const c = parseNot(p);
    return (it) => !c(it);
  }
  return parsePrimary(p);
}
function parsePrimary(p: Parser): Cond {
  if (p.accept('(')) {
    const c = parseCondition(p);
    p.expect(')');
    return c;
  }
  const t = p.peek();
  if (t?.t === 'ident' && ['attribute_exists', 'attribute_not_exists', 'begins_with', 'contains', 'attribute_type'].includes(t.v)) {
    p.next();
    p.expect('(');
    const path = p.path();
    let arg: Operand | undefined;
    if (p.accept(',')) arg = operand(p);
    p.expect(')');
    switch (t.v) {
      case 'attribute_exists':
        return (it) => getPath(it, path) !== undefined;
      case 'attribute_not_exists':
        return (it) => getPath(it, path) === undefined;
      case 'begins_with':
        return (it) => {
          const v = getPath(it, path);
          const pre = evalOperand(arg!, it);
          return typeof v === 'string' && typeof pre === 'string' && v.startsWith(pre);
        };
      case 'contains':
        return (it) => {
          const v = getPath(it, path);
          const x = evalOperand(arg!, it);
          if (typeof v === 'string') return typeof x === 'string' && v.includes(x);
          if (Array.isArray(v)) return v.some((e) => JSON.stringify(e) === JSON.stringify(x));
          if (v instanceof Set) return v.has(x);
          return false;
        };
      default:
        throw new Validation(`${t.v} is not supported in-process`);
    }
  }
  const left = operand(p);
  if (p.accept('BETWEEN')) {
    const lo = operand(p);
    p.expect('AND');
    const hi = operand(p);
    return (it) => compare(evalOperand(left, it), '>=', evalOperand(lo, it)) && compare(evalOperand(left, it), '<=', evalOperand(hi, it));
  }
  if (p.accept('IN')) {
    p.expect('(');
    const list: Operand[] = [operand(p)];
    while (p.accept(',')) list.push(operand(p));
    p.expect(')');
    return (it) => list.some((o) => compare(evalOperand(left, it), '=', evalOperand(o, it)));
  }
  const op = p.next();
  if (op.t !== 'op') throw new Validation(`Invalid condition: expected a comparison, got ${op.v}`);
  const right = operand(p);
  return (it) => compare(evalOperand(left, it), op.v, evalOperand(right, it));
}

function condition(expr: string | undefined, names: Names, values: Values): Cond | undefined {
  if (!expr) return undefined;
  const p = new Parser(tokenize(expr), names, values);
  const c = parseCondition(p);
  if (!p.done()) throw new Validation(`Invalid condition expression: ${expr}`);
  return c;
}

type SetValue = { kind: 'operand'; o: Operand } | { kind: 'if_not_exists'; path: PathSeg[]; fallback: SetValue } | { kind: 'list_append'; a: SetValue; b: SetValue } | { kind: 'arith'; op: '+' | '-'; a: SetValue; b: SetValue };

function parseSetTerm(p: Parser): SetValue {
  const t = p.peek();
  if (t?.t === 'ident' && (t.v === 'if_not_exists' || t.v === 'list_append')) {
    p.next();
    p.expect('(');
    if (t.v === 'if_not_exists') {
      const path = p.path();
      p.expect(',');
      const fallback = parseSetValue(p);
      p.expect(')');
      return { kind: 'if_not_exists', path, fallback };
    }
    const a = parseSetValue(p);
    p.expect(',');
    const b = parseSetValue(p);
    p.expect(')');
    return { kind: 'list_append', a, b };
  }
  return { kind: 'operand', o: operand(p) };
}
function parseSetValue(p: Parser): SetValue {
  const a = parseSetTerm(p);
  if (p.accept('+')) return { kind: 'arith', op: '+', a, b: parseSetTerm(p) };
  if (p.accept('-')) return { kind: 'arith', op: '-', a, b: parseSetTerm(p) };
  return a;
}
function evalSet(v: SetValue, item: Item): unknown {
  switch (v.kind) {
    case 'operand':
      return copy(evalOperand(v.o, item));
    case 'if_not_exists': {
      const cur = getPath(item, v.path);
      return cur !== undefined ? copy(cur) : evalSet(v.fallback, item);
    }
    case 'list_append': {
      const a = evalSet(v.a, item);
      const b = evalSet(v.b, item);
      if (!Array.isArray(a) || !Array.isArray(b)) throw new Validation('An operand in the update expression has an incorrect data type (list_append)');
      return [...a, ...b];
    }
    case 'arith': {
      const a = evalSet(v.a, item);
      const b = evalSet(v.b, item);
      if (typeof a !== 'number' || typeof b !== 'number') throw new Validation('An operand in the update expression has an incorrect data type');
      return v.op === '+' ? a + b : a - b;
    }
  }
}

/** Applies an update expression; returns the top-level attributes it names (for ReturnValues UPDATED_NEW/_OLD). */
function applyUpdate(item: Item, expr: string, names: Names, values: Values): Set<string> {
  const p = new Parser(tokenize(expr), names, values);
  const actions: Array<{ run: () => void; check?: () => void }> = [];
  const touched = new Set<string>();
  const parentExists = (path: readonly PathSeg[]) => () => {
    if (path.length < 2) return;
    const parent = getPath(item, path.slice(0, -1));
    if (parent === null || typeof parent !== 'object') throw new Validation('The document path provided in the update expression is invalid for update');
  };
  let clause: string | undefined;
  while (!p.done()) {
    const t = p.peek()!;
    if (t.t === 'kw' && ['SET', 'REMOVE', 'ADD', 'DELETE'].includes(t.v)) {
      clause = p.next().v;
      continue;
    }
    if (!clause) throw new Validation(`Invalid UpdateExpression: ${expr}`);
    const path = p.path();
    touched.add(String(path[0]));
    if (clause === 'SET') {
      p.expect('=');
      const v = parseSetValue(p);
      // every value is computed from the item as it was before the update (as DynamoDB does)
      const computed = evalSet(v, item);
      actions.push({ run: () => setPath(item, path, computed), check: parentExists(path) });
    } else if (clause === 'REMOVE') {
      actions.push({ run: () => removePath(item, path) });
    } else {
      const v = operand(p);
      const x = evalOperand(v, item);
      const cur = getPath(item, path);
      const wrongType = () => new Validation('An operand in the update expression has an incorrect data type');
      if (clause === 'ADD') {
        if (typeof x === 'number') {
          if (cur !== undefined && typeof cur !== 'number') throw wrongType();
          actions.push({ run: () => setPath(item, path, ((cur as number | undefined) ?? 0) + x), check: parentExists(path) });
        } else if (x instanceof Set) {
          const kind = setType(x);
          if (cur !== undefined && (!(cur instanceof Set) || setType(cur) !== kind)) throw wrongType();
          actions.push({ run: () => setPath(item, path, new Set([...((cur as Set<unknown> | undefined) ?? []), ...x])), check: parentExists(path) });
        } else throw new Validation('Incorrect operand type for operator or function; operator: ADD (a number or a set)');
      } else {
        // DELETE: elements out of a set; an emptied set is removed (DynamoDB stores no empty set)
        if (!(x instanceof Set)) throw new Validation('Incorrect operand type for operator or function; operator: DELETE (a set)');
        const kind = setType(x);
        if (cur !== undefined && (!(cur instanceof Set) || setType(cur) !== kind)) throw wrongType();
        actions.push({
          run: () => {
            if (!(cur instanceof Set)) return;
            const left = new Set([...cur].filter((e) => !x.has(e)));
            if (left.size) setPath(item, path, left);
            else removePath(item, path);
          },
        });
      }
    }
    p.accept(',');
  }
  // nothing changes unless every action can be carried out (a missing parent map fails the whole update)
  for (const a of actions) a.check?.();
  for (const a of actions) a.run();
  return touched;
}

// ---- the table ------------------------------------------------------------------------------------------

interface IndexDef {
  name: string;
  pk: string;
  sk: string;
}

/**
 * A stored item: its JSON text, or (an item that holds a set, which JSON cannot carry) the item itself, and its key
 * attributes (the table's and the indexes': what key conditions, sorting and the indexes read). Text rather than
 * objects: a table of a simulated portfolio holds hundreds of thousands of items, and strings are what the garbage
 * collector gets through without looking inside; every read parses a copy for its caller anyway.
 */
interface Stored {
  keys: Item;
  json?: string;
  item?: Item;
}

/** A new copy of a stored item (the caller's to change). */
function open(s: Stored): Item {
  return s.item ? (copyDeep(s.item) as Item) : (JSON.parse(s.json!) as Item);
}

/** The table in memory: partitions by PK, each a map from SK to the stored item. */
export class InProcessTable {
  private readonly parts = new Map<string, Map<string, Stored>>();
  private readonly indexes: IndexDef[] = TABLE.indexes.map((i) => ({ name: i.name, pk: i.partitionKey, sk: i.sortKey }));
  /** index name → partition value → (table key → stored item) */
  private readonly indexParts = new Map<string, Map<string, Map<string, Stored>>>(this.indexes.map((i) => [i.name, new Map()]));
  /** requests by operation (the simulator and the benchmark count them) */
  readonly requests: Record<string, number> = {};
  /**
   * Called after every committed change of an item (its key; the item it replaced, or 'existed' when an update
   * changed it in place; the item now — undefined when deleted; not copies: read them at once): the local stream
   * emulator's change capture (infra/local/streams/).
   */
  onChange: ((key: Item, before: Item | 'existed' | undefined, item: Item | undefined) => void) | undefined;

  get size(): number {
    let n = 0;
    for (const p of this.parts.values()) n += p.size;
    return n;
  }

  private tableKey(item: Item): { pk: string; sk: string } {
    const pk = item[TABLE.partitionKey];
    const sk = item[TABLE.sortKey];
    if (typeof pk !== 'string' || typeof sk !== 'string' || !pk || !sk) throw new Validation('One or more parameter values were invalid: Missing the key PK or SK in the item');
    return { pk, sk };
  }

  private stored(key: Item): Stored | undefined {
    const { pk, sk } = this.tableKey(key);
    return this.parts.get(pk)?.get(sk);
  }

  /** A copy of the item under `key`, or undefined. */
  get(key: Item): Item | undefined {
    const s = this.stored(key);
    return s && open(s);
  }

  /** A copy of a stored item for a caller (only the projected attributes, if the request names them). */
  private out(s: Stored | undefined, projection?: Projection): Item | undefined {
    if (!s) return undefined;
    if (projection) return project(s.item ?? (JSON.parse(s.json!) as Item), projection);
    return open(s);
  }

  /** The key attributes of an item (all strings: the key schema's type). */
  private keysOf(item: Item): Item {
    const keys: Item = { [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] };
    for (const ix of this.indexes) {
      if (item[ix.pk] !== undefined) keys[ix.pk] = item[ix.pk];
      if (item[ix.sk] !== undefined) keys[ix.sk] = item[ix.sk];
    }
    return keys;
  }

  /**
   * Stores an item; `sets`: whether it may hold a set (a put's item, or an update that had or added one). An item
   * without a set is kept as its JSON, so the caller's object is not kept (and may be the caller's own); one with a
   * set is kept as the object given (a copy made for it).
   */
  private put(item: Item, sets = hasSet(item)): void {
    const { pk, sk } = this.tableKey(item);
    // DynamoDB stores no empty set and no set of mixed types
    if (sets) for (const v of setsIn(item)) setType(v);
    const s: Stored = sets ? { keys: this.keysOf(item), item } : { keys: this.keysOf(item), json: JSON.stringify(item) };
    let part = this.parts.get(pk);
    if (!part) this.parts.set(pk, (part = new Map()));
    const old = part.get(sk);
    if (old) this.unindex(old);
    part.set(sk, s);
    this.index(s);
  }

  /** A put request's item stored (copied: a set-holding one structurally, the others as JSON). */
  private putCopy(item: Item): void {
    if (hasSet(item)) this.put(copyDeep(item) as Item, true);
    else this.put(item, false);
  }

  private delete(key: Item): Stored | undefined {
    const { pk, sk } = this.tableKey(key);
    const part = this.parts.get(pk);
    const old = part?.get(sk);
    if (!old) return undefined;
    part!.delete(sk);
    if (part!.size === 0) this.parts.delete(pk);
    this.unindex(old);
    return old;
  }

  private indexKey(s: Stored): string {
    return `${s.keys[TABLE.partitionKey] as string}\u0000${s.keys[TABLE.sortKey] as string}`;
  }

  private index(s: Stored): void {
    for (const ix of this.indexes) {
      const v = s.keys[ix.pk];
      if (typeof v !== 'string' || typeof s.keys[ix.sk] !== 'string') continue;
      const parts = this.indexParts.get(ix.name)!;
      let part = parts.get(v);
      if (!part) parts.set(v, (part = new Map()));
      part.set(this.indexKey(s), s);
    }
  }

  private unindex(s: Stored): void {
    for (const ix of this.indexes) {
      const v = s.keys[ix.pk];
      if (typeof v !== 'string') continue;
      const part = this.indexParts.get(ix.name)!.get(v);
      part?.delete(this.indexKey(s));
      if (part?.size === 0) this.indexParts.get(ix.name)!.delete(v);
    }
  }

  /** One command of @aws-sdk/lib-dynamodb (by its class name and input). */
  execute(command: string, input: Record<string, unknown>): unknown {
    this.requests[command] = (this.requests[command] ?? 0) + 1;
    const names = input.ExpressionAttributeNames as Names;
    const values = input.ExpressionAttributeValues as Values;
    switch (command) {
      case 'GetCommand': {
        return { Item: this.out(this.stored(input.Key as Item), projectionOf(input, names)) };
      }
      case 'PutCommand': {
        const item = input.Item as Item;
        const old = this.stored(item);
        const cond = condition(input.ConditionExpression as string | undefined, names, values);
        if (cond && !cond(old && open(old))) throw new ConditionFailed();
        this.putCopy(item);
        this.onChange?.(item, old && open(old), item);
        return input.ReturnValues === 'ALL_OLD' ? { Attributes: this.out(old) } : {};
      }
      case 'DeleteCommand': {
        const old = this.stored(input.Key as Item);
        const cond = condition(input.ConditionExpression as string | undefined, names, values);
        if (cond && !cond(old && open(old))) throw new ConditionFailed();
        const deleted = this.delete(input.Key as Item);
        if (deleted) this.onChange?.(input.Key as Item, open(deleted), undefined);
        return input.ReturnValues === 'ALL_OLD' ? { Attributes: this.out(old) } : {};
      }
      case 'UpdateCommand': {
        const key = input.Key as Item;
        const stored = this.stored(key);
        // a copy: the update works on it and stores it only when all of it applied
        const old = stored && open(stored);
        const cond = condition(input.ConditionExpression as string | undefined, names, values);
        if (cond && !cond(old)) throw new ConditionFailed();
        const rv = input.ReturnValues;
        const before = rv === 'ALL_OLD' || rv === 'UPDATED_OLD' ? this.out(stored) : undefined;
        if (rv !== undefined && !['NONE', 'ALL_NEW', 'ALL_OLD', 'UPDATED_NEW', 'UPDATED_OLD'].includes(String(rv))) throw new Validation(`ReturnValues ${String(rv)} is not valid`);
        let touched = new Set<string>();
        // refused (an exception): the stored item stays as it was (and an update of a missing item creates none)
        const item: Item = old ?? copy(key);
        if (input.UpdateExpression) touched = applyUpdate(item, input.UpdateExpression as string, names, values);
        // parsed from JSON, the item holds an undefined only where this update's values put one (or a set item)
        if (stored?.item !== undefined || (values !== undefined && hasUndefined(values))) stripUndefined(item);
        // only an item that held a set, or an update whose values carry one, can hold a set now
        const sets = stored?.item !== undefined || (values !== undefined && hasSet(values)) ? hasSet(item) : false;
        this.put(item, sets);
        this.onChange?.(key, old ? 'existed' : undefined, item);
        // kept as JSON, the updated object is this request's own: it goes back as it is
        const after = () => (sets ? (copyDeep(item) as Item) : item);
        const only = (x: Item | undefined) => {
          const picked = Object.fromEntries(Object.entries(x ?? {}).filter(([k]) => touched.has(k)));
          return Object.keys(picked).length ? { Attributes: picked } : {};
        };
        if (rv === 'UPDATED_NEW') return only(after());
        if (rv === 'UPDATED_OLD') return only(before);
        return rv === 'ALL_NEW' ? { Attributes: after() } : rv === 'ALL_OLD' ? { Attributes: before } : {};
      }
      case 'BatchWriteCommand': {
        const req = input.RequestItems as Record<string, Array<{ PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }>>;
        for (const list of Object.values(req)) {
          if (list.length > 25) throw new Validation('Too many items requested for the BatchWriteItem call');
          for (const r of list) {
            if (r.PutRequest) {
              const old = this.onChange ? this.stored(r.PutRequest.Item) : undefined;
              this.putCopy(r.PutRequest.Item);
              this.onChange?.(r.PutRequest.Item, old && open(old), r.PutRequest.Item);
            } else if (r.DeleteRequest) {
              const deleted = this.delete(r.DeleteRequest.Key);
              if (deleted) this.onChange?.(r.DeleteRequest.Key, open(deleted), undefined);
            }
          }
        }
        return { UnprocessedItems: {} };
      }
      case 'BatchGetCommand': {
        const req = input.RequestItems as Record<string, { Keys: Item[]; ProjectionExpression?: string; ExpressionAttributeNames?: Names }>;
        const Responses: Record<string, Item[]> = {};
        let keys = 0;
        for (const [table, r] of Object.entries(req)) {
          keys += r.Keys.length;
          const seen = new Set<string>();
          for (const k of r.Keys) {
            const { pk, sk } = this.tableKey(k);
            if (seen.has(`${pk}\u0000${sk}`)) throw new Validation('Provided list of item keys contains duplicates');
            seen.add(`${pk}\u0000${sk}`);
          }
          const projection = projectionOf(r as Record<string, unknown>, r.ExpressionAttributeNames);
          Responses[table] = r.Keys.map((k) => this.out(this.stored(k), projection)).filter((x): x is Item => x !== undefined);
        }
        if (keys > 100) throw new Validation('Too many items requested for the BatchGetItem call');
        return { Responses, UnprocessedKeys: {} };
      }
      case 'QueryCommand':
        return this.query(input, names, values);
      case 'TransactWriteCommand':
        return this.transact(input);
      default:
        throw new Validation(`${command} is not implemented by the in-process table`);
    }
  }

  /** ClientRequestToken → the request it came with (10 minutes), as DynamoDB keeps them */
  private readonly tokens = new Map<string, { request: string; at: number }>();

  /**
   * TransactWriteItems: every action's condition is evaluated and its new item computed on copies first; only when all
   * hold is anything stored (so a failed condition or an update that cannot be carried out changes nothing). A token
   * seen with the same request within 10 minutes answers as the first time did, without writing again.
   */
  private transact(input: Record<string, unknown>): unknown {
    const { ClientRequestToken: token, ...request } = input;
    const seen = typeof token === 'string' ? this.tokens.get(token) : undefined;
    const now = Date.now();
    if (seen && now - seen.at <= 600_000) {
      if (seen.request !== JSON.stringify(request)) throw Object.assign(new Error('Request token was used with different parameters'), { name: 'IdempotentParameterMismatchException' });
      return {};
    }
    const result = this.transactNow(request.TransactItems as Array<Record<string, Record<string, unknown> | undefined>> | undefined);
    if (typeof token === 'string') this.tokens.set(token, { request: JSON.stringify(request), at: now });
    return result;
  }

  private transactNow(items: Array<Record<string, Record<string, unknown> | undefined>> | undefined): unknown {
    if (!items?.length || items.length > 100) throw new Validation('TransactItems must hold 1 to 100 actions');
    const keys = new Set<string>();
    const plans = items.map((raw) => {
      const ops = Object.keys(raw).filter((k) => raw[k] !== undefined);
      const op = ops[0];
      if (ops.length !== 1 || !op || !['Put', 'Update', 'Delete', 'ConditionCheck'].includes(op)) throw new Validation('A TransactWriteItem holds exactly one of Put, Update, Delete, ConditionCheck');
      const a = raw[op]!;
      const key = op === 'Put' ? (a.Item as Item) : (a.Key as Item);
      const { pk, sk } = this.tableKey(key);
      if (keys.has(`${pk}\u0000${sk}`)) throw new Validation('Transaction request cannot include multiple operations on one item');
      keys.add(`${pk}\u0000${sk}`);
      return { op, a, key, cond: condition(a.ConditionExpression as string | undefined, a.ExpressionAttributeNames as Names, a.ExpressionAttributeValues as Values) };
    });
    const reasons: TransactionCanceled['CancellationReasons'] = [];
    const writes: Array<{ key: Item; before: Item | undefined; after: Item | undefined }> = [];
    for (const p of plans) {
      const stored = this.stored(p.key);
      const before = stored && open(stored);
      if (p.cond && !p.cond(before)) {
        reasons.push({ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...(p.a.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && before ? { Item: marshall(before) } : {}) });
        continue;
      }
      try {
        if (p.op === 'Put' || p.op === 'Update') {
          let after = copy((p.op === 'Put' ? p.a.Item : before ?? p.key) as Item);
          if (p.op === 'Update') applyUpdate(after, String(p.a.UpdateExpression ?? ''), p.a.ExpressionAttributeNames as Names, p.a.ExpressionAttributeValues as Values);
          after = stripUndefined(after);
          // DynamoDB stores no empty set and no set of mixed types: refused here, before anything is stored
          for (const v of setsIn(after)) setType(v);
          writes.push({ key: p.key, before, after });
        } else if (p.op === 'Delete') writes.push({ key: p.key, before, after: undefined });
        reasons.push({ Code: 'None' });
      } catch (err) {
        if (!(err instanceof Validation)) throw err;
        reasons.push({ Code: 'ValidationError', Message: err.message });
      }
    }
    if (reasons.some((r) => r.Code !== 'None')) throw new TransactionCanceled(reasons);
    for (const w of writes) {
      if (w.after) this.put(w.after, hasSet(w.after));
      else this.delete(w.key);
      this.onChange?.(w.key, w.before, w.after);
    }
    return {};
  }

  private query(input: Record<string, unknown>, names: Names, values: Values): unknown {
    const expr = String(input.KeyConditionExpression ?? '');
    const ix = input.IndexName ? this.indexes.find((i) => i.name === input.IndexName) : undefined;
    if (input.IndexName && !ix) throw new Validation(`The table does not have the specified index: ${String(input.IndexName)}`);
    const pkAttr = ix ? ix.pk : TABLE.partitionKey;
    const skAttr = ix ? ix.sk : TABLE.sortKey;
    // the partition key equality is one of the AND-ed parts
    const m = pkPattern(pkAttr).exec(expr);
    if (!m) throw new Validation(`Query condition missed key schema element: ${pkAttr}`);
    const pkName = m[1]!.startsWith('#') ? names?.[m[1]!] : m[1];
    if (pkName !== pkAttr) throw new Validation(`Query condition missed key schema element: ${pkAttr}`);
    const pkValue = values?.[m[2]!];
    const cond = condition(expr, names, values)!;
    // a key condition names key attributes only (DynamoDB refuses others): it is decided on the keys
    let found: Stored[] = [...((ix ? this.indexParts.get(ix.name)!.get(String(pkValue)) : this.parts.get(String(pkValue)))?.values() ?? [])];
    found = found.filter((s) => cond(s.keys));
    const tieKey = (s: Stored) => this.indexKey(s);
    found.sort((a, b) => {
      const x = String(a.keys[skAttr]);
      const y = String(b.keys[skAttr]);
      return x < y ? -1 : x > y ? 1 : tieKey(a) < tieKey(b) ? -1 : tieKey(a) > tieKey(b) ? 1 : 0;
    });
    if (input.ScanIndexForward === false) found.reverse();
    const start = input.ExclusiveStartKey as Item | undefined;
    if (start) {
      const at = found.findIndex((s) => s.keys[TABLE.partitionKey] === start[TABLE.partitionKey] && s.keys[TABLE.sortKey] === start[TABLE.sortKey]);
      found = at >= 0 ? found.slice(at + 1) : found;
    }
    const filter = condition(input.FilterExpression as string | undefined, names, values);
    const limit = typeof input.Limit === 'number' ? input.Limit : undefined;
    const page = limit !== undefined ? found.slice(0, limit) : found;
    const last = limit !== undefined && found.length > limit ? page.at(-1) : undefined;
    const projection = projectionOf(input, names);
    const items: Item[] = [];
    for (const s of page) {
      const it = open(s);
      if (filter && !filter(it)) continue;
      items.push(projection ? project(it, projection) : it);
    }
    const lastKey = last ? Object.fromEntries([TABLE.partitionKey, TABLE.sortKey, ...(ix ? [ix.pk, ix.sk] : [])].map((k) => [k, last.keys[k]])) : undefined;
    return { Items: items, Count: items.length, ...(lastKey ? { LastEvaluatedKey: lastKey } : {}) };
  }
}

/** The attribute paths a ProjectionExpression names (undefined: the whole item). */
type Projection = PathSeg[][];

function projectionOf(input: Record<string, unknown>, names: Names): Projection | undefined {
  const expr = input.ProjectionExpression as string | undefined;
  if (!expr) return undefined;
  const p = new Parser(tokenize(expr), names, undefined);
  const paths: Projection = [p.path()];
  while (p.accept(',')) paths.push(p.path());
  if (!p.done()) throw new Validation(`Invalid ProjectionExpression: ${expr}`);
  if (paths.some((path) => path.some((seg) => typeof seg === 'number'))) throw new Validation('list elements in a ProjectionExpression are not used by the store, nor implemented in-process');
  return paths;
}

/** Only the projected attributes (and map paths) of an item, copied. */
function project(item: Item, paths: Projection): Item {
  const out: Item = {};
  for (const path of paths) {
    const v = getPath(item, path);
    if (v === undefined) continue;
    let cur: Record<string | number, unknown> = out;
    for (const seg of path.slice(0, -1)) {
      if (cur[seg] === undefined) cur[seg] = {};
      cur = cur[seg] as Record<string | number, unknown>;
    }
    cur[path[path.length - 1]!] = copyDeep(v);
  }
  return out;
}

/** Every set in a document. */
function setsIn(v: unknown, out: Set<unknown>[] = []): Set<unknown>[] {
  if (v instanceof Set) out.push(v);
  else if (Array.isArray(v)) for (const x of v) setsIn(x, out);
  else if (v && typeof v === 'object') for (const k in v as Record<string, unknown>) setsIn((v as Record<string, unknown>)[k], out);
  return out;
}

const pkPatterns = new Map<string, RegExp>();
function pkPattern(attr: string): RegExp {
  let r = pkPatterns.get(attr);
  if (!r) pkPatterns.set(attr, (r = new RegExp(`(?:^|\\s|\\()((?:#\\w+)|${attr})\\s*=\\s*(:\\w+)`)));
  return r;
}

/** Does a document hold an undefined anywhere (a value lib-dynamodb's removeUndefinedValues would drop)? */
function hasUndefined(v: unknown): boolean {
  if (v === undefined) return true;
  if (Array.isArray(v)) return v.some(hasUndefined);
  if (v && typeof v === 'object' && !(v instanceof Set) && !(v instanceof Uint8Array)) {
    for (const k in v as Record<string, unknown>) if (hasUndefined((v as Record<string, unknown>)[k])) return true;
  }
  return false;
}

function stripUndefined<T>(v: T): T {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = stripUndefined(v[i]);
    return v;
  }
  if (v && typeof v === 'object' && !(v instanceof Set) && !(v instanceof Uint8Array)) {
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined) delete (v as Record<string, unknown>)[k];
      else stripUndefined(x);
    }
  }
  return v;
}

/**
 * A real DynamoDBDocumentClient (the SDK's paginators check for one) whose requests the in-process table answers.
 * Errors carry the names the store checks (ConditionalCheckFailedException, ValidationException).
 */
export function inProcessDocumentClient(table: InProcessTable): DynamoDBDocumentClient {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  (client as unknown as { send: (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => Promise<unknown> }).send = async (cmd) => {
    return table.execute(cmd.constructor.name, cmd.input);
  };
  return client;
}
