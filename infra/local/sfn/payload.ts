/**
 * Input and output processing for the JSONPath query language:
 * InputPath → Parameters → (task) → ResultSelector → ResultPath → OutputPath.
 */
import { isPathString, parsePath, query, setAt, type ParsedPath } from './jsonpath.js';
import { evaluateIntrinsic, isIntrinsic, parseIntrinsic, type IntrinsicCall } from './intrinsics.js';
import { TerminalError, runtimeError } from './errors.js';

export type CompiledTemplate =
  | { kind: 'static'; value: unknown }
  | { kind: 'path'; key: string; path: ParsedPath }
  | { kind: 'intrinsic'; key: string; call: IntrinsicCall }
  | { kind: 'object'; entries: Array<[string, CompiledTemplate]> }
  | { kind: 'array'; items: CompiledTemplate[] };

/** Compiles a payload template (Parameters, ResultSelector); throws Error with `where` in the message. */
export function compileTemplate(template: unknown, where: string): CompiledTemplate {
  if (Array.isArray(template)) return { kind: 'array', items: template.map((t, k) => compileTemplate(t, `${where}[${k}]`)) };
  if (typeof template !== 'object' || template === null) return { kind: 'static', value: template };
  const entries: Array<[string, CompiledTemplate]> = [];
  const seen = new Set<string>();
  for (const [key, value] of Object.entries(template as Record<string, unknown>)) {
    const dynamic = key.endsWith('.$');
    const outKey = dynamic ? key.slice(0, -2) : key;
    if (seen.has(outKey)) throw new Error(`${where}: the field '${outKey}' is given twice (with and without '.$')`);
    seen.add(outKey);
    if (!dynamic) {
      entries.push([outKey, compileTemplate(value, `${where}.${key}`)]);
      continue;
    }
    if (isIntrinsic(value)) {
      entries.push([outKey, { kind: 'intrinsic', key, call: parseIntrinsic(value) }]);
    } else if (isPathString(value)) {
      entries.push([outKey, { kind: 'path', key, path: parsePath(value) }]);
    } else {
      throw new Error(
        `${where}.${key}: a field ending in '.$' must hold a JSONPath ('$…' or '$$…') or an intrinsic function, got ${JSON.stringify(value)}`,
      );
    }
  }
  return { kind: 'object', entries };
}

/** Every path used by a template (for validation, e.g. that a callback task passes $$.Task.Token). */
export function templatePaths(t: CompiledTemplate | undefined): string[] {
  if (!t) return [];
  switch (t.kind) {
    case 'static':
      return [];
    case 'path':
      return [t.path.source];
    case 'intrinsic':
      return [t.call.source];
    case 'object':
      return t.entries.flatMap(([, v]) => templatePaths(v));
    case 'array':
      return t.items.flatMap((v) => templatePaths(v));
  }
}

export function evaluateTemplate(t: CompiledTemplate, input: unknown, context: unknown): unknown {
  switch (t.kind) {
    case 'static':
      return structuredClone(t.value);
    case 'array':
      return t.items.map((i) => evaluateTemplate(i, input, context));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of t.entries) out[k] = evaluateTemplate(v, input, context);
      return out;
    }
    case 'path': {
      const r = query(t.path, input, context);
      if (!r.found) {
        throw runtimeError(
          `The JSONPath '${t.path.source}' specified for the field '${t.key}' could not be found in the input '${JSON.stringify(t.path.context ? context : input)}'`,
        );
      }
      return structuredClone(r.value);
    }
    case 'intrinsic':
      return evaluateIntrinsic(t.call, input, context);
  }
}

/** InputPath / OutputPath: undefined = '$' (everything), null = {} (nothing). */
export function applyPath(path: string | null | undefined, value: unknown, context: unknown, field: string): unknown {
  if (path === undefined || path === '$') return value;
  if (path === null) return {};
  const r = query(path, value, context);
  if (!r.found) {
    throw runtimeError(`Invalid path '${path}' : No results for path: ${field} '${path}' on '${JSON.stringify(value)}'`);
  }
  return r.value;
}

/** ResultPath: undefined = '$' (result replaces input), null = discard result (input passes through). */
export function applyResultPath(path: string | null | undefined, rawInput: unknown, result: unknown): unknown {
  if (path === undefined || path === '$') return result;
  if (path === null) return rawInput;
  const r = setAt(path, rawInput, result);
  if (!r.ok) {
    throw new TerminalError(
      'States.Runtime',
      `Invalid path '${path}': The ResultPath could not be applied to the input '${JSON.stringify(rawInput)}': ${r.why}`,
    );
  }
  return r.value;
}
