/** Choice rules: compiled at createStateMachine, evaluated against the effective input. */
import { parsePath, query, type ParsedPath } from './jsonpath.js';
import { runtimeError } from './errors.js';

export type ChoiceRule =
  | { kind: 'and' | 'or'; rules: ChoiceRule[] }
  | { kind: 'not'; rule: ChoiceRule }
  | { kind: 'cmp'; variable: ParsedPath; op: string; value?: unknown; valuePath?: ParsedPath };

export interface TopChoice {
  rule: ChoiceRule;
  next: string;
}

const STRING_OPS = ['StringEquals', 'StringLessThan', 'StringGreaterThan', 'StringLessThanEquals', 'StringGreaterThanEquals'];
const NUMERIC_OPS = ['NumericEquals', 'NumericLessThan', 'NumericGreaterThan', 'NumericLessThanEquals', 'NumericGreaterThanEquals'];
const TIMESTAMP_OPS = ['TimestampEquals', 'TimestampLessThan', 'TimestampGreaterThan', 'TimestampLessThanEquals', 'TimestampGreaterThanEquals'];
const TYPE_OPS = ['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'];
const VALUE_OPS = [...STRING_OPS, 'StringMatches', ...NUMERIC_OPS, 'BooleanEquals', ...TIMESTAMP_OPS, ...TYPE_OPS];
const PATH_OPS = [...STRING_OPS, ...NUMERIC_OPS, 'BooleanEquals', ...TIMESTAMP_OPS].map((o) => `${o}Path`);
const ALL_OPS = new Set([...VALUE_OPS, ...PATH_OPS]);

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 timestamp as Step Functions accepts it (upper-case T and Z); NaN if invalid. */
export function parseTimestamp(v: unknown): number {
  if (typeof v !== 'string') return NaN;
  const m = RFC3339.exec(v);
  if (!m) return NaN;
  const [, , mo, d, h, mi, s] = m;
  if (+mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31 || +h! > 23 || +mi! > 59 || +s! > 60) return NaN;
  return Date.parse(v);
}

export function compileChoices(choices: unknown, stateName: string, fail: (msg: string) => never): TopChoice[] {
  if (!Array.isArray(choices) || choices.length === 0) fail(`Choice state '${stateName}': 'Choices' must be a non-empty array`);
  return (choices as unknown[]).map((c, k) => {
    const where = `Choice state '${stateName}' Choices[${k}]`;
    if (typeof c !== 'object' || c === null) fail(`${where} must be an object`);
    const o = c as Record<string, unknown>;
    if (typeof o.Next !== 'string') fail(`${where} needs a 'Next' state name`);
    return { rule: compileRule(o, where, true, fail), next: o.Next as string };
  });
}

function compileRule(o: Record<string, unknown>, where: string, top: boolean, fail: (msg: string) => never): ChoiceRule {
  for (const key of Object.keys(o)) {
    if (key === 'Assign' || key === 'Condition' || key === 'Output') fail(`${where}: '${key}' is not supported by the local emulator (JSONPath only, no variables)`);
    const known = key === 'Variable' || key === 'And' || key === 'Or' || key === 'Not' || key === 'Comment' || ALL_OPS.has(key) || (top && key === 'Next');
    if (!known) fail(`${where}: unknown field '${key}'${!top && key === 'Next' ? " ('Next' is only allowed on top-level rules)" : ''}`);
  }
  const ops = Object.keys(o).filter((k) => ALL_OPS.has(k) || k === 'And' || k === 'Or' || k === 'Not');
  if (ops.length !== 1) fail(`${where}: exactly one comparison operator (or And/Or/Not) is required, found ${ops.length ? ops.join(', ') : 'none'}`);
  const op = ops[0]!;
  if (op === 'And' || op === 'Or') {
    if (o.Variable !== undefined) fail(`${where}: '${op}' cannot have a 'Variable'`);
    const list = o[op];
    if (!Array.isArray(list) || list.length === 0) fail(`${where}.${op} must be a non-empty array of rules`);
    return {
      kind: op === 'And' ? 'and' : 'or',
      rules: (list as unknown[]).map((r, k) => {
        if (typeof r !== 'object' || r === null) fail(`${where}.${op}[${k}] must be an object`);
        return compileRule(r as Record<string, unknown>, `${where}.${op}[${k}]`, false, fail);
      }),
    };
  }
  if (op === 'Not') {
    if (o.Variable !== undefined) fail(`${where}: 'Not' cannot have a 'Variable'`);
    const r = o.Not;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) fail(`${where}.Not must be a rule object`);
    return { kind: 'not', rule: compileRule(r as Record<string, unknown>, `${where}.Not`, false, fail) };
  }
  if (typeof o.Variable !== 'string') fail(`${where}: '${op}' needs a 'Variable' path`);
  let variable: ParsedPath;
  try {
    variable = parsePath(o.Variable as string);
  } catch (err) {
    return fail(`${where}.Variable: ${(err as Error).message}`);
  }
  const value = o[op];
  if (op.endsWith('Path')) {
    if (typeof value !== 'string') fail(`${where}.${op} must be a JSONPath string`);
    try {
      return { kind: 'cmp', variable, op, valuePath: parsePath(value as string) };
    } catch (err) {
      return fail(`${where}.${op}: ${(err as Error).message}`);
    }
  }
  const expect = (ok: boolean, what: string) => {
    if (!ok) fail(`${where}.${op} must be ${what}, got ${JSON.stringify(value)}`);
  };
  if (STRING_OPS.includes(op) || op === 'StringMatches') expect(typeof value === 'string', 'a string');
  else if (NUMERIC_OPS.includes(op)) expect(typeof value === 'number', 'a number');
  else if (op === 'BooleanEquals' || TYPE_OPS.includes(op)) expect(typeof value === 'boolean', 'a boolean');
  else if (TIMESTAMP_OPS.includes(op)) expect(!Number.isNaN(parseTimestamp(value)), 'an RFC 3339 timestamp such as 2026-01-01T00:00:00Z');
  return { kind: 'cmp', variable, op, value };
}

function matches(pattern: string, s: string): boolean {
  let re = '^';
  for (let k = 0; k < pattern.length; k++) {
    const c = pattern[k]!;
    if (c === '\\' && k + 1 < pattern.length) {
      re += pattern[k + 1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      k++;
    } else if (c === '*') re += '[\\s\\S]*';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$').test(s);
}

function compare(op: string, a: unknown, b: unknown): boolean {
  const base = op.replace(/Path$/, '');
  if (base.startsWith('String') && base !== 'StringMatches') {
    if (typeof a !== 'string' || typeof b !== 'string') return false;
    return ordered(base.slice('String'.length), a < b ? -1 : a > b ? 1 : 0);
  }
  if (base === 'StringMatches') return typeof a === 'string' && typeof b === 'string' && matches(b, a);
  if (base.startsWith('Numeric')) {
    if (typeof a !== 'number' || typeof b !== 'number') return false;
    return ordered(base.slice('Numeric'.length), a < b ? -1 : a > b ? 1 : 0);
  }
  if (base === 'BooleanEquals') return typeof a === 'boolean' && a === b;
  if (base.startsWith('Timestamp')) {
    const x = parseTimestamp(a);
    const y = parseTimestamp(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return false;
    return ordered(base.slice('Timestamp'.length), x < y ? -1 : x > y ? 1 : 0);
  }
  return false;
}

function ordered(kind: string, c: number): boolean {
  switch (kind) {
    case 'Equals':
      return c === 0;
    case 'LessThan':
      return c < 0;
    case 'GreaterThan':
      return c > 0;
    case 'LessThanEquals':
      return c <= 0;
    case 'GreaterThanEquals':
      return c >= 0;
  }
  return false;
}

export function evaluateRule(rule: ChoiceRule, input: unknown, context: unknown): boolean {
  switch (rule.kind) {
    case 'and':
      return rule.rules.every((r) => evaluateRule(r, input, context));
    case 'or':
      return rule.rules.some((r) => evaluateRule(r, input, context));
    case 'not':
      return !evaluateRule(rule.rule, input, context);
    case 'cmp': {
      const v = query(rule.variable, input, context);
      if (rule.op === 'IsPresent') return v.found === rule.value;
      if (!v.found) {
        throw runtimeError(`Invalid path '${rule.variable.source}': The choice state's condition path references an invalid value.`);
      }
      const a = v.value;
      switch (rule.op) {
        case 'IsNull':
          return (a === null) === rule.value;
        case 'IsNumeric':
          return (typeof a === 'number') === rule.value;
        case 'IsString':
          return (typeof a === 'string') === rule.value;
        case 'IsBoolean':
          return (typeof a === 'boolean') === rule.value;
        case 'IsTimestamp':
          return !Number.isNaN(parseTimestamp(a)) === rule.value;
      }
      let b = rule.value;
      if (rule.valuePath) {
        const r = query(rule.valuePath, input, context);
        if (!r.found) {
          throw runtimeError(`Invalid path '${rule.valuePath.source}': The choice state's condition path references an invalid value.`);
        }
        b = r.value;
      }
      return compare(rule.op, a, b);
    }
  }
}
