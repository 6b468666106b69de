/**
 * Validates and compiles an ASL definition for the subset the emulator runs. Anything it cannot run
 * faithfully (JSONata, variables, Map, Parallel, other resources) is rejected here with the state and
 * field named, instead of being ignored at run time.
 */
import { parsePath } from './jsonpath.js';
import { compileTemplate, templatePaths, type CompiledTemplate } from './payload.js';
import { compileChoices, parseTimestamp, type TopChoice } from './choice.js';
import { isIntrinsic, parseIntrinsic, type IntrinsicCall } from './intrinsics.js';
import { DefinitionError } from './errors.js';
import type { ParsedPath } from './jsonpath.js';

export type TaskKind = 'lambda:invoke' | 'lambda:invoke.waitForTaskToken' | 'lambda:function';

export interface Retrier {
  errorEquals: string[];
  intervalSeconds: number;
  maxAttempts: number;
  backoffRate: number;
  maxDelaySeconds?: number;
  jitter: 'FULL' | 'NONE';
}

export interface Catcher {
  errorEquals: string[];
  next: string;
  resultPath: string | null | undefined;
}

interface Common {
  name: string;
  inputPath: string | null | undefined;
  outputPath: string | null | undefined;
  next?: string;
  end: boolean;
}

export interface PassState extends Common {
  type: 'Pass';
  parameters?: CompiledTemplate;
  result?: unknown;
  hasResult: boolean;
  resultPath: string | null | undefined;
}
export interface TaskState extends Common {
  type: 'Task';
  resource: string;
  kind: TaskKind;
  /** Function name for `lambda:function` resources. */
  functionName?: string;
  parameters?: CompiledTemplate;
  resultSelector?: CompiledTemplate;
  resultPath: string | null | undefined;
  retry: Retrier[];
  catch: Catcher[];
  timeoutSeconds?: number;
  timeoutSecondsPath?: ParsedPath;
  heartbeatSeconds?: number;
  heartbeatSecondsPath?: ParsedPath;
}
export interface ChoiceState extends Common {
  type: 'Choice';
  choices: TopChoice[];
  default?: string;
}
export interface WaitState extends Common {
  type: 'Wait';
  seconds?: number;
  secondsPath?: ParsedPath;
  timestamp?: string;
  timestampPath?: ParsedPath;
}
export interface SucceedState extends Common {
  type: 'Succeed';
}
export interface FailState extends Common {
  type: 'Fail';
  error?: string;
  errorPath?: ParsedPath | IntrinsicCall;
  cause?: string;
  causePath?: ParsedPath | IntrinsicCall;
}
export type State = PassState | TaskState | ChoiceState | WaitState | SucceedState | FailState;

export interface CompiledDefinition {
  startAt: string;
  states: Map<string, State>;
  timeoutSeconds?: number;
  json: string;
}

const COMMON = ['Type', 'Comment', 'QueryLanguage'];
const ALLOWED: Record<string, string[]> = {
  Pass: [...COMMON, 'Next', 'End', 'InputPath', 'OutputPath', 'ResultPath', 'Parameters', 'Result'],
  Task: [
    ...COMMON,
    'Next',
    'End',
    'InputPath',
    'OutputPath',
    'ResultPath',
    'Parameters',
    'ResultSelector',
    'Resource',
    'Retry',
    'Catch',
    'TimeoutSeconds',
    'TimeoutSecondsPath',
    'HeartbeatSeconds',
    'HeartbeatSecondsPath',
  ],
  Choice: [...COMMON, 'InputPath', 'OutputPath', 'Choices', 'Default'],
  Wait: [...COMMON, 'Next', 'End', 'InputPath', 'OutputPath', 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'],
  Succeed: [...COMMON, 'InputPath', 'OutputPath'],
  Fail: [...COMMON, 'Error', 'ErrorPath', 'Cause', 'CausePath'],
};
const UNSUPPORTED_FIELDS: Record<string, string> = {
  Assign: 'variables (Assign) are not supported by the local emulator',
  Arguments: "'Arguments' belongs to JSONata; the local emulator runs JSONPath only",
  Output: "'Output' belongs to JSONata; the local emulator runs JSONPath only",
  Items: "'Items' belongs to JSONata Map states, which the local emulator does not run",
  Credentials: 'cross-account task Credentials are not supported by the local emulator',
};

const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:[a-z0-9-]*:\d*:lambda:invoke$/;
const LAMBDA_CALLBACK = /^arn:aws[a-z-]*:states:[a-z0-9-]*:\d*:lambda:invoke\.waitForTaskToken$/;
const LAMBDA_FUNCTION = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(:[A-Za-z0-9$_-]+)?$/;

/** Applies `${Key}` definition substitutions the way CloudFormation/CDK do (string replacement). */
export function substitute(definition: string, substitutions: Record<string, string> | undefined): string {
  if (!substitutions) return definition;
  return definition.replace(/\$\{([A-Za-z0-9_.:-]+)\}/g, (whole, key: string) => {
    const value = substitutions[key];
    return value === undefined ? whole : JSON.stringify(String(value)).slice(1, -1);
  });
}

export function compileDefinition(definition: string): CompiledDefinition {
  const fail = (msg: string): never => {
    throw new DefinitionError(msg);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(definition);
  } catch (err) {
    return fail(`the definition is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail('the definition must be a JSON object');
  const top = doc as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (!['Comment', 'StartAt', 'States', 'TimeoutSeconds', 'Version', 'QueryLanguage'].includes(key)) {
      fail(key === 'Assign' ? UNSUPPORTED_FIELDS.Assign! : `unknown top-level field '${key}'`);
    }
  }
  if (top.QueryLanguage !== undefined && top.QueryLanguage !== 'JSONPath') {
    fail(`QueryLanguage '${String(top.QueryLanguage)}' is not supported by the local emulator (JSONPath only)`);
  }
  if (typeof top.StartAt !== 'string') fail("'StartAt' must name the first state");
  if (typeof top.States !== 'object' || top.States === null || Array.isArray(top.States)) fail("'States' must be an object");
  let timeoutSeconds: number | undefined;
  if (top.TimeoutSeconds !== undefined) {
    if (!isPositiveInt(top.TimeoutSeconds)) fail("top-level 'TimeoutSeconds' must be a positive integer");
    timeoutSeconds = top.TimeoutSeconds as number;
  }
  const raw = top.States as Record<string, unknown>;
  const names = new Set(Object.keys(raw));
  if (names.size === 0) fail("'States' is empty");
  if (!names.has(top.StartAt as string)) fail(`StartAt '${String(top.StartAt)}' is not a state of this machine`);

  const states = new Map<string, State>();
  for (const [name, value] of Object.entries(raw)) {
    if (name.length > 80) fail(`state name '${name.slice(0, 20)}…' is longer than 80 characters`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`state '${name}' must be an object`);
    states.set(name, compileState(name, value as Record<string, unknown>, names, fail));
  }

  // Every state must be reachable from StartAt (AWS rejects unreachable states too).
  const reached = new Set<string>();
  const stack = [top.StartAt as string];
  while (stack.length) {
    const n = stack.pop()!;
    if (reached.has(n)) continue;
    reached.add(n);
    for (const t of targets(states.get(n)!)) stack.push(t);
  }
  for (const n of names) if (!reached.has(n)) fail(`state '${n}' is not reachable from StartAt '${String(top.StartAt)}'`);

  return { startAt: top.StartAt as string, states, timeoutSeconds, json: definition };
}

function targets(s: State): string[] {
  const out: string[] = [];
  if (s.next) out.push(s.next);
  if (s.type === 'Choice') {
    for (const c of s.choices) out.push(c.next);
    if (s.default) out.push(s.default);
  }
  if (s.type === 'Task') for (const c of s.catch) out.push(c.next);
  return out;
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function compileState(name: string, o: Record<string, unknown>, names: Set<string>, fail: (msg: string) => never): State {
  const type = o.Type;
  const at = (field: string) => `state '${name}' field '${field}'`;
  if (type === 'Map' || type === 'Parallel') fail(`state '${name}': ${type} states are not supported by the local emulator`);
  if (typeof type !== 'string' || !(type in ALLOWED)) fail(`state '${name}': unknown Type ${JSON.stringify(type)}`);
  if (o.QueryLanguage !== undefined && o.QueryLanguage !== 'JSONPath') {
    fail(`${at('QueryLanguage')}: '${String(o.QueryLanguage)}' is not supported by the local emulator (JSONPath only)`);
  }
  for (const key of Object.keys(o)) {
    if (UNSUPPORTED_FIELDS[key]) fail(`${at(key)}: ${UNSUPPORTED_FIELDS[key]}`);
    if (!ALLOWED[type as string]!.includes(key)) fail(`${at(key)}: not a valid field for a ${String(type)} state`);
  }
  // JSONata expressions are strings wrapped in {% … %}: reject them wherever they appear.
  const jsonata = JSON.stringify(o).match(/"\{%[\s\S]*?%\}"/);
  if (jsonata) fail(`state '${name}': JSONata expression ${jsonata[0]} is not supported (JSONPath only)`);

  const refPath = (field: string, allowNull: boolean): string | null | undefined => {
    const v = o[field];
    if (v === undefined) return undefined;
    if (v === null) {
      if (!allowNull) fail(`${at(field)} cannot be null`);
      return null;
    }
    if (typeof v !== 'string') return fail(`${at(field)} must be a JSONPath string`);
    try {
      parsePath(v);
    } catch (err) {
      fail(`${at(field)}: ${(err as Error).message}`);
    }
    return v;
  };
  const definitePath = (field: string): ParsedPath | undefined => {
    const v = o[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return fail(`${at(field)} must be a reference path string`);
    let p: ParsedPath;
    try {
      p = parsePath(v);
    } catch (err) {
      return fail(`${at(field)}: ${(err as Error).message}`);
    }
    if (!p.definite) fail(`${at(field)} must be a reference path (names and indexes only): ${v}`);
    return p;
  };
  const template = (field: string): CompiledTemplate | undefined => {
    if (o[field] === undefined) return undefined;
    if (typeof o[field] !== 'object' || o[field] === null) {
      // AWS allows any JSON for Pass Parameters; a non-object template is taken as-is.
      return { kind: 'static', value: o[field] };
    }
    try {
      return compileTemplate(o[field], `state '${name}' ${field}`);
    } catch (err) {
      return fail((err as Error).message);
    }
  };

  const common: Common = { name, inputPath: undefined, outputPath: undefined, end: false };
  if (type !== 'Fail') {
    common.inputPath = refPath('InputPath', true);
    common.outputPath = refPath('OutputPath', true);
  }
  const needsTransition = type === 'Pass' || type === 'Task' || type === 'Wait';
  if (needsTransition) {
    const hasNext = o.Next !== undefined;
    const end = o.End === true;
    if (o.End !== undefined && typeof o.End !== 'boolean') fail(`${at('End')} must be true or absent`);
    if (hasNext && end) fail(`state '${name}' has both 'Next' and 'End'`);
    if (!hasNext && !end) fail(`state '${name}' needs 'Next' or "End": true`);
    if (hasNext) {
      if (typeof o.Next !== 'string' || !names.has(o.Next)) fail(`${at('Next')}: '${String(o.Next)}' is not a state of this machine`);
      common.next = o.Next as string;
    }
    common.end = end;
  }
  const checkResultPath = (v: string | null | undefined, field: string) => {
    if (typeof v === 'string') {
      const p = parsePath(v);
      if (p.context || !p.definite) fail(`${at(field)} must be a reference path on the state input (names and indexes only): ${v}`);
    }
  };

  switch (type) {
    case 'Pass': {
      const resultPath = refPath('ResultPath', true);
      checkResultPath(resultPath, 'ResultPath');
      return { ...common, type, parameters: template('Parameters'), result: o.Result, hasResult: 'Result' in o, resultPath };
    }
    case 'Succeed':
      return { ...common, type };
    case 'Fail': {
      if (o.Error !== undefined && o.ErrorPath !== undefined) fail(`state '${name}' cannot have both 'Error' and 'ErrorPath'`);
      if (o.Cause !== undefined && o.CausePath !== undefined) fail(`state '${name}' cannot have both 'Cause' and 'CausePath'`);
      if (o.Error !== undefined && typeof o.Error !== 'string') fail(`${at('Error')} must be a string`);
      if (o.Cause !== undefined && typeof o.Cause !== 'string') fail(`${at('Cause')} must be a string`);
      const dyn = (field: string): ParsedPath | IntrinsicCall | undefined => {
        const v = o[field];
        if (v === undefined) return undefined;
        if (typeof v !== 'string') return fail(`${at(field)} must be a JSONPath or an intrinsic function`);
        try {
          return isIntrinsic(v) ? parseIntrinsic(v) : parsePath(v);
        } catch (err) {
          return fail(`${at(field)}: ${(err as Error).message}`);
        }
      };
      return {
        ...common,
        type,
        error: o.Error as string | undefined,
        cause: o.Cause as string | undefined,
        errorPath: dyn('ErrorPath'),
        causePath: dyn('CausePath'),
      };
    }
    case 'Wait': {
      const given = ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'].filter((f) => o[f] !== undefined);
      if (given.length !== 1) fail(`Wait state '${name}' needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath (found ${given.length})`);
      if (o.Seconds !== undefined && !(typeof o.Seconds === 'number' && Number.isInteger(o.Seconds) && o.Seconds >= 0)) {
        fail(`${at('Seconds')} must be a non-negative integer`);
      }
      if (o.Timestamp !== undefined && Number.isNaN(parseTimestamp(o.Timestamp))) {
        fail(`${at('Timestamp')} must be an RFC 3339 timestamp such as 2026-01-01T00:00:00Z, got ${JSON.stringify(o.Timestamp)}`);
      }
      return {
        ...common,
        type,
        seconds: o.Seconds as number | undefined,
        secondsPath: definitePath('SecondsPath'),
        timestamp: o.Timestamp as string | undefined,
        timestampPath: definitePath('TimestampPath'),
      };
    }
    case 'Choice': {
      if (o.Default !== undefined && (typeof o.Default !== 'string' || !names.has(o.Default))) {
        fail(`${at('Default')}: '${String(o.Default)}' is not a state of this machine`);
      }
      const choices = compileChoices(o.Choices, name, fail);
      for (const c of choices) if (!names.has(c.next)) fail(`Choice state '${name}': Next '${c.next}' is not a state of this machine`);
      return { ...common, type, choices, default: o.Default as string | undefined };
    }
    case 'Task': {
      const resource = o.Resource;
      if (typeof resource !== 'string') return fail(`${at('Resource')} is required`);
      let kind: TaskKind;
      let functionName: string | undefined;
      if (LAMBDA_INVOKE.test(resource)) kind = 'lambda:invoke';
      else if (LAMBDA_CALLBACK.test(resource)) kind = 'lambda:invoke.waitForTaskToken';
      else if (LAMBDA_FUNCTION.test(resource)) {
        kind = 'lambda:function';
        functionName = LAMBDA_FUNCTION.exec(resource)![1];
      } else {
        return fail(
          `${at('Resource')}: '${resource}' is not supported by the local emulator (supported: arn:aws:states:::lambda:invoke, arn:aws:states:::lambda:invoke.waitForTaskToken, arn:aws:lambda:<region>:<account>:function:<name>)`,
        );
      }
      const parameters = template('Parameters');
      if (kind !== 'lambda:function') {
        const p = o.Parameters as Record<string, unknown> | undefined;
        if (!p || typeof p !== 'object' || (p.FunctionName === undefined && p['FunctionName.$'] === undefined)) {
          fail(`state '${name}' field 'Parameters': ${resource} needs Parameters.FunctionName`);
        }
        for (const key of Object.keys(p!)) {
          const bare = key.replace(/\.\$$/, '');
          if (!['FunctionName', 'Payload', 'Qualifier', 'InvocationType', 'LogType', 'ClientContext'].includes(bare)) {
            fail(`state '${name}' field 'Parameters.${key}': not a parameter of lambda:invoke`);
          }
          if (bare === 'InvocationType' && p![key] !== 'RequestResponse') {
            fail(`state '${name}' field 'Parameters.${key}': only RequestResponse invocations are supported by the local emulator`);
          }
        }
        if (typeof p!.FunctionName === 'string' && /\$\{[^}]*\}/.test(p!.FunctionName)) {
          fail(`state '${name}' field 'Parameters.FunctionName': unsubstituted placeholder ${p!.FunctionName} (pass definitionSubstitutions)`);
        }
      }
      if (kind === 'lambda:invoke.waitForTaskToken' && !templatePaths(parameters).some((s) => s.includes('$$.Task.Token'))) {
        fail(`state '${name}' field 'Parameters': a .waitForTaskToken task must pass $$.Task.Token to the function`);
      }
      const resultPath = refPath('ResultPath', true);
      checkResultPath(resultPath, 'ResultPath');
      if (o.TimeoutSeconds !== undefined && o.TimeoutSecondsPath !== undefined) fail(`state '${name}' cannot have both TimeoutSeconds and TimeoutSecondsPath`);
      if (o.HeartbeatSeconds !== undefined && o.HeartbeatSecondsPath !== undefined) fail(`state '${name}' cannot have both HeartbeatSeconds and HeartbeatSecondsPath`);
      if (o.TimeoutSeconds !== undefined && !isPositiveInt(o.TimeoutSeconds)) fail(`${at('TimeoutSeconds')} must be a positive integer`);
      if (o.HeartbeatSeconds !== undefined && !isPositiveInt(o.HeartbeatSeconds)) fail(`${at('HeartbeatSeconds')} must be a positive integer`);
      if (
        typeof o.TimeoutSeconds === 'number' &&
        typeof o.HeartbeatSeconds === 'number' &&
        (o.HeartbeatSeconds as number) >= (o.TimeoutSeconds as number)
      ) {
        fail(`state '${name}': HeartbeatSeconds must be smaller than TimeoutSeconds`);
      }
      return {
        ...common,
        type,
        resource,
        kind,
        functionName,
        parameters,
        resultSelector: template('ResultSelector'),
        resultPath,
        retry: compileRetry(o.Retry, name, fail),
        catch: compileCatch(o.Catch, name, names, fail),
        timeoutSeconds: o.TimeoutSeconds as number | undefined,
        timeoutSecondsPath: definitePath('TimeoutSecondsPath'),
        heartbeatSeconds: o.HeartbeatSeconds as number | undefined,
        heartbeatSecondsPath: definitePath('HeartbeatSecondsPath'),
      };
    }
  }
  return fail(`state '${name}': unknown Type`);
}

function checkErrorEquals(v: unknown, where: string, fail: (msg: string) => never): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((e) => typeof e === 'string')) {
    fail(`${where}.ErrorEquals must be a non-empty array of error names`);
  }
  const list = v as string[];
  if (list.includes('States.ALL') && list.length > 1) fail(`${where}.ErrorEquals: States.ALL must appear alone`);
  return list;
}

function compileRetry(v: unknown, name: string, fail: (msg: string) => never): Retrier[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail(`state '${name}' field 'Retry' must be an array`);
  const list = v as unknown[];
  return list.map((r, k) => {
    const where = `state '${name}' Retry[${k}]`;
    if (typeof r !== 'object' || r === null) fail(`${where} must be an object`);
    const o = r as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (!['ErrorEquals', 'IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds', 'JitterStrategy', 'Comment'].includes(key)) {
        fail(`${where}: unknown field '${key}'`);
      }
    }
    const errorEquals = checkErrorEquals(o.ErrorEquals, where, fail);
    if (errorEquals.includes('States.ALL') && k !== list.length - 1) fail(`${where}: a States.ALL retrier must be the last one`);
    if (o.IntervalSeconds !== undefined && !isPositiveInt(o.IntervalSeconds)) fail(`${where}.IntervalSeconds must be a positive integer`);
    if (o.MaxAttempts !== undefined && !(typeof o.MaxAttempts === 'number' && Number.isInteger(o.MaxAttempts) && o.MaxAttempts >= 0)) {
      fail(`${where}.MaxAttempts must be a non-negative integer`);
    }
    if (o.BackoffRate !== undefined && !(typeof o.BackoffRate === 'number' && o.BackoffRate >= 1)) fail(`${where}.BackoffRate must be a number >= 1.0`);
    if (o.MaxDelaySeconds !== undefined && !isPositiveInt(o.MaxDelaySeconds)) fail(`${where}.MaxDelaySeconds must be a positive integer`);
    if (o.JitterStrategy !== undefined && o.JitterStrategy !== 'FULL' && o.JitterStrategy !== 'NONE') fail(`${where}.JitterStrategy must be FULL or NONE`);
    return {
      errorEquals,
      intervalSeconds: (o.IntervalSeconds as number | undefined) ?? 1,
      maxAttempts: (o.MaxAttempts as number | undefined) ?? 3,
      backoffRate: (o.BackoffRate as number | undefined) ?? 2,
      maxDelaySeconds: o.MaxDelaySeconds as number | undefined,
      jitter: (o.JitterStrategy as 'FULL' | 'NONE' | undefined) ?? 'NONE',
    };
  });
}

function compileCatch(v: unknown, name: string, names: Set<string>, fail: (msg: string) => never): Catcher[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail(`state '${name}' field 'Catch' must be an array`);
  const list = v as unknown[];
  return list.map((c, k) => {
    const where = `state '${name}' Catch[${k}]`;
    if (typeof c !== 'object' || c === null) fail(`${where} must be an object`);
    const o = c as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (key === 'Assign' || key === 'Output') fail(`${where}: '${key}' is not supported by the local emulator (JSONPath only, no variables)`);
      if (!['ErrorEquals', 'Next', 'ResultPath', 'Comment'].includes(key)) fail(`${where}: unknown field '${key}'`);
    }
    const errorEquals = checkErrorEquals(o.ErrorEquals, where, fail);
    if (errorEquals.includes('States.ALL') && k !== list.length - 1) fail(`${where}: a States.ALL catcher must be the last one`);
    if (typeof o.Next !== 'string' || !names.has(o.Next)) fail(`${where}.Next: '${String(o.Next)}' is not a state of this machine`);
    let resultPath: string | null | undefined;
    if (o.ResultPath !== undefined) {
      if (o.ResultPath !== null && typeof o.ResultPath !== 'string') fail(`${where}.ResultPath must be a path or null`);
      if (typeof o.ResultPath === 'string') {
        let p: ParsedPath | undefined;
        try {
          p = parsePath(o.ResultPath);
        } catch (err) {
          fail(`${where}.ResultPath: ${(err as Error).message}`);
        }
        if (p!.context || !p!.definite) fail(`${where}.ResultPath must be a reference path on the state input: ${o.ResultPath}`);
      }
      resultPath = o.ResultPath as string | null;
    }
    return { errorEquals, next: o.Next as string, resultPath };
  });
}
