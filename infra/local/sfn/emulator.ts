/**
 * The durable local Step Functions engine (DESIGN §3, §8).
 *
 * Runs ASL (JSONPath) state machines with Lambda handlers in-process, on the local clock, and serves
 * the Step Functions API over HTTP (AWS JSON 1.0) so handlers use the real @aws-sdk/client-sfn.
 *
 * Execution model: every step of an execution (enter a state, a handler returning, a timer firing,
 * a SendTask* call) is a synchronous function that ends in one commit to the store. Asynchronous work
 * (handler invocations, timers) reports back into such a step and is ignored when the execution has
 * moved on in between (`gen` guards). All work is tracked by clock.activity so the virtual clock's
 * advance() knows when the system is idle, and every timer goes through clock.schedule().
 */
import { createHmac, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Clock, Timer } from '../clock.js';
import {
  compileDefinition,
  substitute,
  type CompiledDefinition,
  type State,
  type TaskState,
  type WaitState,
} from './definition.js';
import { applyPath, applyResultPath, evaluateTemplate } from './payload.js';
import { evaluateRule, parseTimestamp } from './choice.js';
import { query } from './jsonpath.js';
import { evaluateIntrinsic } from './intrinsics.js';
import { SfnApiError, TerminalError, runtimeError } from './errors.js';
import { ExecutionStore, type Callback, type Cursor, type ExecutionRecord, type ExecutionStatus, type HistoryEvent } from './store.js';
import { serve, type ServerHandle } from './http.js';

export type LambdaHandler = (
  payload: unknown,
  context: { functionName: string; awsRequestId: string; getRemainingTimeInMillis(): number },
) => Promise<unknown>;

export interface EmulatorOptions {
  clock: Clock;
  /** Directory for durable state; undefined keeps everything in memory. */
  dataDir?: string;
  /**
   * Whether the history events are kept (default true). The simulator runs hundreds of thousands of transitions
   * nobody reads the history of: with `false` the events are counted (ids, the 25,000-event limit) but never built
   * or stored, and GetExecutionHistory is refused. In memory only (a durable store needs its journal).
   */
  keepHistory?: boolean;
  region?: string;
  accountId?: string;
}

export interface EmulatorStats {
  executionsStarted: number;
  stateTransitions: number;
  lambdaInvocations: number;
  running: number;
}

interface StateMachine {
  arn: string;
  name: string;
  def: CompiledDefinition;
  creationDate: number;
  roleArn: string;
}

interface Exec {
  rec: ExecutionRecord;
  /** bumped whenever outstanding handler results / timers become stale */
  gen: number;
  timers: Timer[];
  /** the execution-level TimeoutSeconds timer (survives state transitions) */
  execTimer?: Timer;
  pending: HistoryEvent[];
  live: boolean;
  parsedInput?: unknown;
}

const MAX_EVENTS = 25_000;
const MAX_PAYLOAD = 256 * 1024;
const LAMBDA_MAX_MS = 900_000;
const TOKEN_KEY = 'maatwerk-local-sfn-task-token';
const NAME_RE = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

/** The Lambda function name inside a name, partial ARN or full ARN (qualifier dropped). */
export function lambdaFunctionName(nameOrArn: string): string {
  const m = /(?:^|:)function:([^:]+)/.exec(nameOrArn);
  if (m) return m[1]!;
  return nameOrArn.split(':')[0]!;
}

export class StepFunctionsEmulator {
  private readonly clock: Clock;
  private readonly region: string;
  private readonly accountId: string;
  private readonly store: ExecutionStore;
  private readonly functions = new Map<string, LambdaHandler>();
  private readonly machines = new Map<string, StateMachine>();
  private readonly execs = new Map<string, Exec>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<Exec>();
  private server: ServerHandle | undefined;
  private closed = false;
  private counters = { executionsStarted: 0, stateTransitions: 0, lambdaInvocations: 0 };
  private readonly keepHistory: boolean;

  constructor(opts: EmulatorOptions) {
    this.clock = opts.clock;
    this.region = opts.region ?? 'eu-west-1';
    this.accountId = opts.accountId ?? '123456789012';
    this.store = new ExecutionStore(opts.dataDir);
    this.keepHistory = opts.keepHistory ?? true;
    if (!this.keepHistory && opts.dataDir) throw new Error('keepHistory: false is for an in-memory emulator (a durable one needs its journal)');
    for (const rec of this.store.loadAll()) {
      this.execs.set(rec.executionArn, { rec, gen: 0, timers: [], pending: [], live: false });
      if (rec.status === 'RUNNING') this.running.add(rec.executionArn);
    }
  }

  // ───────────────────────────── public API ─────────────────────────────

  registerFunction(functionNameOrArn: string, handler: LambdaHandler): void {
    this.functions.set(lambdaFunctionName(functionNameOrArn), handler);
  }

  createStateMachine(name: string, definition: string | object, substitutions?: Record<string, string>): string {
    if (!NAME_RE.test(name)) throw new SfnApiError('InvalidName', `Invalid State Machine Name: '${name}'`);
    const text = substitute(typeof definition === 'string' ? definition : JSON.stringify(definition), substitutions);
    const def = compileDefinition(text);
    const arn = `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
    const existing = this.machines.get(arn);
    this.machines.set(arn, {
      arn,
      name,
      def,
      creationDate: existing?.creationDate ?? this.clock.now(),
      roleArn: `arn:aws:iam::${this.accountId}:role/service-role/StepFunctions-${name}-role`,
    });
    return arn;
  }

  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) return Promise.resolve(this.server.url);
    return serve((op, body) => this.api(op, body), this.clock.activity, port, host).then((s) => {
      this.server = s;
      return s.url;
    });
  }

  /** Resumes every RUNNING execution found in dataDir. Call after createStateMachine + registerFunction. */
  async recover(): Promise<number> {
    let n = 0;
    for (const exec of this.execs.values()) {
      if (exec.rec.status !== 'RUNNING' || exec.live) continue;
      if (!this.machines.has(exec.rec.stateMachineArn)) {
        console.error(`sfn: cannot resume ${exec.rec.executionArn}: state machine ${exec.rec.stateMachineArn} is not created`);
        continue;
      }
      this.resume(exec);
      n++;
    }
    return n;
  }

  stats(): EmulatorStats {
    return { ...this.counters, running: this.running.size };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const exec of this.execs.values()) {
      this.clearTimers(exec);
      this.clock.cancel(exec.execTimer);
    }
    if (this.server) await this.server.close();
    this.server = undefined;
  }

  /** The Step Functions API (AWS JSON 1.0 operation name + request body). Throws SfnApiError. */
  api(op: string, body: Record<string, unknown>): unknown {
    if (this.closed) throw new SfnApiError('ServiceUnavailable', 'the emulator is closed', 503);
    try {
      return this.operation(op, body);
    } finally {
      this.flush();
    }
  }

  private operation(op: string, body: Record<string, unknown>): unknown {
    switch (op) {
      case 'StartExecution':
        return this.startExecution(body);
      case 'DescribeExecution':
        return this.describeExecution(body);
      case 'GetExecutionHistory':
        return this.getExecutionHistory(body);
      case 'ListExecutions':
        return this.listExecutions(body);
      case 'StopExecution':
        return this.stopExecution(body);
      case 'SendTaskSuccess':
        return this.sendTaskSuccess(body);
      case 'SendTaskFailure':
        return this.sendTaskFailure(body);
      case 'SendTaskHeartbeat':
        return this.sendTaskHeartbeat(body);
      case 'DescribeStateMachine':
        return this.describeStateMachine(body);
      case 'DescribeStateMachineForExecution':
        return this.describeStateMachine({ stateMachineArn: this.execOrThrow(body.executionArn).rec.stateMachineArn });
      case 'ListStateMachines':
        return {
          stateMachines: [...this.machines.values()].map((m) => ({
            stateMachineArn: m.arn,
            name: m.name,
            type: 'STANDARD',
            creationDate: m.creationDate / 1000,
          })),
        };
      default:
        throw new SfnApiError('UnknownOperationException', `Operation ${op} is not supported by the local Step Functions emulator`);
    }
  }

  // ───────────────────────────── API operations ─────────────────────────────

  private startExecution(body: Record<string, unknown>): unknown {
    const smArn = requireString(body, 'stateMachineArn');
    const sm = this.machines.get(smArn);
    if (!sm) {
      if (!/^arn:aws[a-z-]*:states:[^:]+:\d+:stateMachine:[^:]+$/.test(smArn)) throw new SfnApiError('InvalidArn', `Invalid Arn: '${smArn}'`);
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${smArn}'`);
    }
    const name = body.name === undefined ? randomUUID() : String(body.name);
    if (!NAME_RE.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    const input = body.input === undefined ? '{}' : String(body.input);
    if (Buffer.byteLength(input) > MAX_PAYLOAD) throw new SfnApiError('InvalidExecutionInput', 'The input is larger than 262144 bytes');
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch (err) {
      throw new SfnApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(err as Error).message}'`);
    }
    const arn = `arn:aws:states:${this.region}:${this.accountId}:execution:${sm.name}:${name}`;
    const existing = this.execs.get(arn);
    if (existing) {
      // StartExecution is idempotent for a running execution with the same name and input (STANDARD).
      if (existing.rec.status === 'RUNNING' && sameJson(existing.rec.input, input)) {
        return { executionArn: arn, startDate: existing.rec.startDate / 1000 };
      }
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const now = this.clock.now();
    const rec: ExecutionRecord = {
      v: 1,
      executionArn: arn,
      stateMachineArn: smArn,
      name,
      input,
      status: 'RUNNING',
      startDate: now,
      entries: 0,
      lastEventId: 0,
      historyBytes: 0,
      timeoutAt: sm.def.timeoutSeconds ? now + sm.def.timeoutSeconds * 1000 : undefined,
    };
    const exec: Exec = { rec, gen: 0, timers: [], pending: [], live: true, parsedInput: parsed };
    this.execs.set(arn, exec);
    this.running.add(arn);
    this.counters.executionsStarted++;
    this.event(exec, 'ExecutionStarted', () => ({
      executionStartedEventDetails: { input, inputDetails: { truncated: false }, roleArn: sm.roleArn },
    }));
    rec.next = { state: sm.def.startAt, input: parsed };
    this.commit(exec);
    this.armExecutionTimeout(exec);
    this.defer(exec, () => this.enterPending(exec));
    return { executionArn: arn, startDate: now / 1000 };
  }

  private describeExecution(body: Record<string, unknown>): unknown {
    const { rec } = this.execOrThrow(body.executionArn);
    return {
      executionArn: rec.executionArn,
      stateMachineArn: rec.stateMachineArn,
      name: rec.name,
      status: rec.status,
      startDate: rec.startDate / 1000,
      stopDate: rec.stopDate === undefined ? undefined : rec.stopDate / 1000,
      input: rec.input,
      inputDetails: { included: true },
      output: rec.output,
      outputDetails: rec.output === undefined ? undefined : { included: true },
      error: rec.error,
      cause: rec.cause,
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    };
  }

  private getExecutionHistory(body: Record<string, unknown>): unknown {
    const exec = this.execOrThrow(body.executionArn);
    if (!this.keepHistory) throw new SfnApiError('ValidationException', 'this emulator keeps no execution history (keepHistory: false)');
    const maxResults = pageSize(body.maxResults);
    const includeData = body.includeExecutionData !== false;
    let events = this.store.history(exec.rec);
    if (body.reverseOrder === true) events = [...events].reverse();
    const start = decodePageToken(body.nextToken);
    const page = events.slice(start, start + maxResults).map((e) => toApiEvent(e, includeData));
    const next = start + maxResults < events.length ? encodePageToken(start + maxResults) : undefined;
    return { events: page, nextToken: next };
  }

  private listExecutions(body: Record<string, unknown>): unknown {
    const smArn = requireString(body, 'stateMachineArn');
    if (!this.machines.has(smArn)) {
      if (!/^arn:aws[a-z-]*:states:[^:]+:\d+:stateMachine:[^:]+$/.test(smArn)) throw new SfnApiError('InvalidArn', `Invalid Arn: '${smArn}'`);
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${smArn}'`);
    }
    const status = body.statusFilter as ExecutionStatus | undefined;
    if (status !== undefined && !['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'].includes(status)) {
      throw new SfnApiError('ValidationException', `1 validation error detected: Value '${String(status)}' at 'statusFilter' failed to satisfy constraint`);
    }
    const all = [...this.execs.values()]
      .map((e) => e.rec)
      .filter((r) => r.stateMachineArn === smArn && (!status || r.status === status))
      .sort((a, b) => b.startDate - a.startDate || (a.name < b.name ? -1 : 1));
    const maxResults = pageSize(body.maxResults);
    const start = decodePageToken(body.nextToken);
    return {
      executions: all.slice(start, start + maxResults).map((r) => ({
        executionArn: r.executionArn,
        stateMachineArn: r.stateMachineArn,
        name: r.name,
        status: r.status,
        startDate: r.startDate / 1000,
        stopDate: r.stopDate === undefined ? undefined : r.stopDate / 1000,
      })),
      nextToken: start + maxResults < all.length ? encodePageToken(start + maxResults) : undefined,
    };
  }

  private stopExecution(body: Record<string, unknown>): unknown {
    const exec = this.execOrThrow(body.executionArn);
    const { rec } = exec;
    if (rec.status === 'RUNNING') {
      this.clearTimers(exec);
      exec.gen++;
      const error = optString(body.error);
      const cause = optString(body.cause);
      this.finish(exec, 'ABORTED', 'ExecutionAborted', { executionAbortedEventDetails: compact({ error, cause }) }, { error, cause });
    }
    return { stopDate: (rec.stopDate ?? this.clock.now()) / 1000 };
  }

  private sendTaskSuccess(body: Record<string, unknown>): unknown {
    const output = requireString(body, 'output');
    if (Buffer.byteLength(output) > MAX_PAYLOAD) throw new SfnApiError('InvalidOutput', 'The output is larger than 262144 bytes');
    try {
      JSON.parse(output);
    } catch (err) {
      throw new SfnApiError('InvalidOutput', `Invalid Output: '${(err as Error).message}'`);
    }
    this.deliver(requireString(body, 'taskToken'), { ok: true, output });
    return {};
  }

  private sendTaskFailure(body: Record<string, unknown>): unknown {
    this.deliver(requireString(body, 'taskToken'), { ok: false, error: optString(body.error), cause: optString(body.cause) });
    return {};
  }

  private sendTaskHeartbeat(body: Record<string, unknown>): unknown {
    const exec = this.taskFor(requireString(body, 'taskToken'));
    const cur = exec.rec.cur!;
    if (cur.heartbeatSeconds) {
      cur.heartbeatAt = this.clock.now() + cur.heartbeatSeconds * 1000;
      this.commit(exec);
      this.armTaskTimers(exec);
    }
    return {};
  }

  private describeStateMachine(body: Record<string, unknown>): unknown {
    const arn = requireString(body, 'stateMachineArn');
    const sm = this.machines.get(arn);
    if (!sm) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return {
      stateMachineArn: sm.arn,
      name: sm.name,
      status: 'ACTIVE',
      definition: sm.def.json,
      roleArn: sm.roleArn,
      type: 'STANDARD',
      creationDate: sm.creationDate / 1000,
    };
  }

  private execOrThrow(arnValue: unknown): Exec {
    if (typeof arnValue !== 'string' || arnValue === '') throw new SfnApiError('MissingRequiredParameter', 'executionArn is required');
    const exec = this.execs.get(arnValue);
    if (exec) return exec;
    if (!/^arn:aws[a-z-]*:states:[^:]+:\d+:execution:[^:]+:[^:]+$/.test(arnValue)) {
      throw new SfnApiError('InvalidArn', `Invalid Arn: '${arnValue}'`);
    }
    throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arnValue}'`);
  }

  // ───────────────────────────── task tokens ─────────────────────────────

  private makeToken(arn: string, entry: number): string {
    const body = Buffer.from(JSON.stringify([arn, entry])).toString('base64url');
    const mac = createHmac('sha256', TOKEN_KEY).update(body).digest('base64url').slice(0, 22);
    return `${body}.${mac}`;
  }

  private parseToken(token: string): { arn: string; entry: number } | undefined {
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined) return undefined;
    if (createHmac('sha256', TOKEN_KEY).update(body).digest('base64url').slice(0, 22) !== mac) return undefined;
    try {
      const v = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
      if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'number') return { arn: v[0], entry: v[1] };
    } catch {
      /* fallthrough */
    }
    return undefined;
  }

  /** The execution whose current task owns `token`; API errors like AWS otherwise. */
  private taskFor(token: string): Exec {
    const t = this.parseToken(token);
    if (!t) throw new SfnApiError('InvalidToken', 'Invalid Token');
    const exec = this.execs.get(t.arn);
    if (!exec) throw new SfnApiError('TaskDoesNotExist', 'Task Does Not Exist');
    const cur = exec.rec.cur;
    if (exec.rec.status === 'RUNNING' && !exec.live) {
      // Loaded from dataDir but not recovered yet: resume it now so the callback lands in a live task.
      if (!this.machines.has(exec.rec.stateMachineArn)) throw new SfnApiError('TaskDoesNotExist', 'Task Does Not Exist');
      this.resume(exec);
    }
    const active =
      exec.rec.status === 'RUNNING' &&
      cur !== undefined &&
      cur.entry === t.entry &&
      cur.token === token &&
      (cur.phase === 'running' || cur.phase === 'waiting') &&
      cur.callback === undefined;
    if (!active) throw new SfnApiError('TaskTimedOut', 'Task Timed Out: Provided task does not exist anymore');
    return exec;
  }

  private deliver(token: string, cb: Callback): void {
    const exec = this.taskFor(token);
    const cur = exec.rec.cur!;
    if (cur.phase === 'running') {
      // The handler of this very task is still running (it may be the one calling us): remember the
      // outcome durably and complete the task once the handler returns.
      cur.callback = cb;
      this.commit(exec);
      return;
    }
    this.step(exec, () => this.applyCallback(exec, cb));
  }

  // ───────────────────────────── engine ─────────────────────────────

  private machine(exec: Exec): StateMachine {
    const sm = this.machines.get(exec.rec.stateMachineArn);
    if (!sm) throw runtimeError(`state machine ${exec.rec.stateMachineArn} is not created in this emulator`);
    return sm;
  }

  private stateDef(exec: Exec, name: string): State {
    const s = this.machine(exec).def.states.get(name);
    if (!s) throw runtimeError(`state '${name}' does not exist in the current definition of ${exec.rec.stateMachineArn}`);
    return s;
  }

  /** Adds a history event; `details` is only built when the history is kept. */
  private event(exec: Exec, type: string, details?: () => Record<string, unknown>): number {
    const rec = exec.rec;
    const id = ++rec.lastEventId;
    if (!this.keepHistory) return id;
    const e: HistoryEvent = { id, previousEventId: id === 1 ? 0 : id - 1, timestamp: this.clock.now(), type, ...details?.() };
    exec.pending.push(e);
    return id;
  }

  /**
   * Marks the execution's record and new events for writing. The write happens in flush(), at the end
   * of the synchronous step, API call or timer callback: always before a handler starts (handlers are
   * invoked from a microtask), an API call is answered or the event loop turns.
   */
  private commit(exec: Exec): void {
    if (this.closed) {
      exec.pending = [];
      return;
    }
    this.dirty.add(exec);
  }

  private flush(): void {
    if (this.closed) {
      this.dirty.clear();
      return;
    }
    for (const exec of this.dirty) {
      const events = exec.pending;
      exec.pending = [];
      this.store.commit(exec.rec, events);
    }
    this.dirty.clear();
  }

  /** Runs one engine step for `exec`: terminal errors fail the execution, and the step is committed. */
  private step(exec: Exec, fn: () => void): void {
    if (this.closed || exec.rec.status !== 'RUNNING') return;
    try {
      fn();
    } catch (err) {
      if (err instanceof TerminalError) {
        this.failExecution(exec, err.error, err.detail);
      } else {
        console.error('sfn: internal error in', exec.rec.executionArn, err);
        this.failExecution(exec, 'States.Runtime', `Internal emulator error: ${(err as Error)?.message ?? String(err)}`);
      }
    }
    if (exec.pending.length) this.commit(exec);
    this.flush();
  }

  /** Runs a step on the next turn of the event loop, as tracked activity. */
  private defer(exec: Exec, fn: () => void): void {
    const end = this.clock.activity.begin();
    setImmediate(() => {
      try {
        this.step(exec, fn);
      } finally {
        end();
      }
    });
  }

  private schedule(exec: Exec, at: number, fn: () => void): void {
    if (this.closed) return;
    const gen = exec.gen;
    const timer = this.clock.schedule(at, () => {
      exec.timers = exec.timers.filter((t) => t !== timer);
      if (exec.gen !== gen) return;
      this.step(exec, fn);
    });
    exec.timers.push(timer);
  }

  private clearTimers(exec: Exec): void {
    for (const t of exec.timers) this.clock.cancel(t);
    exec.timers = [];
  }

  private context(exec: Exec, cur: Cursor, withToken: boolean): unknown {
    const sm = this.machine(exec);
    if (exec.parsedInput === undefined) exec.parsedInput = JSON.parse(exec.rec.input);
    const ctx: Record<string, unknown> = {
      Execution: {
        Id: exec.rec.executionArn,
        Input: exec.parsedInput,
        Name: exec.rec.name,
        RoleArn: sm.roleArn,
        StartTime: new Date(exec.rec.startDate).toISOString(),
        RedriveCount: 0,
      },
      StateMachine: { Id: sm.arn, Name: sm.name },
      State: { Name: cur.state, EnteredTime: new Date(cur.entered).toISOString(), RetryCount: cur.attempt },
    };
    if (withToken && cur.token) ctx.Task = { Token: cur.token };
    return ctx;
  }

  private enterState(exec: Exec, name: string, input: unknown, hops = 0): void {
    const rec = exec.rec;
    if (rec.status !== 'RUNNING') return;
    if (rec.lastEventId >= MAX_EVENTS - 10) {
      throw runtimeError(`The execution reached the maximum number of history events (${MAX_EVENTS}).`);
    }
    const state = this.stateDef(exec, name);
    rec.next = undefined;
    rec.entries++;
    this.counters.stateTransitions++;
    const cur: Cursor = {
      state: name,
      input,
      entered: this.clock.now(),
      entry: rec.entries,
      enteredEventId: 0,
      phase: 'entered',
      attempt: 0,
      retriers: state.type === 'Task' ? state.retry.map(() => 0) : [],
    };
    rec.cur = cur;
    cur.enteredEventId = this.event(exec, `${state.type}StateEntered`, () => ({
      stateEnteredEventDetails: { name, input: JSON.stringify(input), inputDetails: { truncated: false } },
    }));
    this.commit(exec);
    this.process(exec, hops);
  }

  /** Runs the current state from phase 'entered'. */
  private process(exec: Exec, hops = 0): void {
    const cur = exec.rec.cur!;
    const state = this.stateDef(exec, cur.state);
    const ctx = () => this.context(exec, cur, false);
    switch (state.type) {
      case 'Pass': {
        let effective = applyPath(state.inputPath, cur.input, ctx(), 'InputPath');
        if (state.parameters) effective = evaluateTemplate(state.parameters, effective, ctx());
        const result = state.hasResult ? structuredClone(state.result) : effective;
        const out = applyPath(state.outputPath, applyResultPath(state.resultPath, cur.input, result), ctx(), 'OutputPath');
        this.exitState(exec, state, out, state.next, hops);
        return;
      }
      case 'Choice': {
        const effective = applyPath(state.inputPath, cur.input, ctx(), 'InputPath');
        const c = ctx();
        const hit = state.choices.find((ch) => evaluateRule(ch.rule, effective, c));
        const next = hit?.next ?? state.default;
        if (!next) {
          throw new TerminalError('States.NoChoiceMatched', `No Matches! (state '${state.name}', input ${JSON.stringify(effective)})`);
        }
        this.exitState(exec, state, applyPath(state.outputPath, effective, c, 'OutputPath'), next, hops);
        return;
      }
      case 'Wait': {
        const until = this.waitUntil(state, applyPath(state.inputPath, cur.input, ctx(), 'InputPath'), ctx());
        cur.phase = 'wait';
        cur.waitUntil = until;
        this.commit(exec);
        this.schedule(exec, until, () => this.finishWait(exec));
        return;
      }
      case 'Succeed': {
        const out = applyPath(state.outputPath, applyPath(state.inputPath, cur.input, ctx(), 'InputPath'), ctx(), 'OutputPath');
        this.exitState(exec, state, out, undefined, hops);
        return;
      }
      case 'Fail': {
        const text = (v: unknown, field: string): string => {
          if (typeof v !== 'string') throw runtimeError(`The ${field} of Fail state '${state.name}' must resolve to a string, got ${JSON.stringify(v)}`);
          return v;
        };
        const dyn = (p: NonNullable<typeof state.errorPath>, field: string): string => {
          if ('segments' in p) {
            const r = query(p, cur.input, ctx());
            if (!r.found) throw runtimeError(`Invalid path '${p.source}' in ${field} of Fail state '${state.name}'`);
            return text(r.value, field);
          }
          return text(evaluateIntrinsic(p, cur.input, ctx()), field);
        };
        const error = state.errorPath ? dyn(state.errorPath, 'ErrorPath') : state.error;
        const cause = state.causePath ? dyn(state.causePath, 'CausePath') : state.cause;
        this.failExecution(exec, error, cause);
        return;
      }
      case 'Task':
        this.startAttempt(exec, state);
        return;
    }
  }

  private waitUntil(state: WaitState, effective: unknown, ctx: unknown): number {
    const now = this.clock.now();
    if (state.seconds !== undefined) return now + state.seconds * 1000;
    if (state.timestamp !== undefined) return parseTimestamp(state.timestamp);
    if (state.secondsPath) {
      const r = query(state.secondsPath, effective, ctx);
      if (!r.found) throw runtimeError(`Invalid path '${state.secondsPath.source}': The Wait state '${state.name}' SecondsPath references an invalid value.`);
      if (typeof r.value !== 'number' || !Number.isInteger(r.value) || r.value < 0) {
        throw runtimeError(`The SecondsPath '${state.secondsPath.source}' of Wait state '${state.name}' must resolve to a non-negative integer, got ${JSON.stringify(r.value)}`);
      }
      return now + r.value * 1000;
    }
    const p = state.timestampPath!;
    const r = query(p, effective, ctx);
    if (!r.found) throw runtimeError(`Invalid path '${p.source}': The Wait state '${state.name}' TimestampPath references an invalid value.`);
    const at = parseTimestamp(r.value);
    if (Number.isNaN(at)) {
      throw runtimeError(`The TimestampPath '${p.source}' of Wait state '${state.name}' must resolve to an RFC 3339 timestamp, got ${JSON.stringify(r.value)}`);
    }
    return at;
  }

  private finishWait(exec: Exec): void {
    const cur = exec.rec.cur!;
    if (cur.phase !== 'wait') return;
    const state = this.stateDef(exec, cur.state) as WaitState;
    const ctx = this.context(exec, cur, false);
    const out = applyPath(state.outputPath, applyPath(state.inputPath, cur.input, ctx, 'InputPath'), ctx, 'OutputPath');
    this.exitState(exec, state, out, state.next);
  }

  private exitState(exec: Exec, state: State, output: unknown, next: string | undefined, hops = 0): void {
    const json = JSON.stringify(output) ?? 'null';
    if (Buffer.byteLength(json) > MAX_PAYLOAD) {
      throw new TerminalError('States.DataLimitExceeded', `The state/task '${state.name}' returned a result with a size exceeding the maximum number of bytes service limit.`);
    }
    this.event(exec, `${state.type}StateExited`, () => ({
      stateExitedEventDetails: { name: state.name, output: json, outputDetails: { truncated: false } },
    }));
    if (!next) {
      this.finish(exec, 'SUCCEEDED', 'ExecutionSucceeded', {
        executionSucceededEventDetails: { output: JSON.stringify(output), outputDetails: { truncated: false } },
      }, { output: JSON.stringify(output) });
      return;
    }
    // Long chains of Pass/Choice states yield to the event loop now and then.
    if (hops >= 100) {
      exec.rec.cur = undefined;
      exec.rec.next = { state: next, input: output };
      this.commit(exec);
      this.defer(exec, () => this.enterPending(exec));
      return;
    }
    this.enterState(exec, next, output, hops + 1);
  }

  // ── Task states ──

  private resourceInfo(state: TaskState): { resourceType: string; resource: string } {
    return { resourceType: 'lambda', resource: state.kind === 'lambda:invoke' ? 'invoke' : 'invoke.waitForTaskToken' };
  }

  private startAttempt(exec: Exec, state: TaskState): void {
    const cur = exec.rec.cur!;
    const callback = state.kind === 'lambda:invoke.waitForTaskToken';
    cur.token = callback ? this.makeToken(exec.rec.executionArn, cur.entry) : undefined;
    const ctx = this.context(exec, cur, callback);
    const effective = applyPath(state.inputPath, cur.input, ctx, 'InputPath');
    const params = state.parameters ? evaluateTemplate(state.parameters, effective, ctx) : effective;
    const seconds = (fixed: number | undefined, path: TaskState['timeoutSecondsPath'], field: string): number | undefined => {
      if (fixed !== undefined) return fixed;
      if (!path) return undefined;
      const r = query(path, effective, ctx);
      if (!r.found) throw runtimeError(`Invalid path '${path.source}' : No results for path: ${field} of state '${state.name}'`);
      if (typeof r.value !== 'number' || !Number.isInteger(r.value) || r.value <= 0) {
        throw runtimeError(`The ${field} '${path.source}' of state '${state.name}' must resolve to a positive integer, got ${JSON.stringify(r.value)}`);
      }
      return r.value;
    };
    const timeout = seconds(state.timeoutSeconds, state.timeoutSecondsPath, 'TimeoutSecondsPath');
    const heartbeat = seconds(state.heartbeatSeconds, state.heartbeatSecondsPath, 'HeartbeatSecondsPath');
    const now = this.clock.now();
    cur.phase = 'running';
    cur.params = params;
    cur.callback = undefined;
    cur.retryAt = undefined;
    cur.deadline = timeout ? now + timeout * 1000 : undefined;
    cur.heartbeatSeconds = heartbeat;
    cur.heartbeatAt = heartbeat ? now + heartbeat * 1000 : undefined;
    if (state.kind === 'lambda:function') {
      this.event(exec, 'LambdaFunctionScheduled', () => ({
        lambdaFunctionScheduledEventDetails: compact({
          resource: state.resource,
          input: JSON.stringify(params),
          inputDetails: { truncated: false },
          timeoutInSeconds: timeout,
        }),
      }));
      this.event(exec, 'LambdaFunctionStarted');
    } else {
      const info = this.resourceInfo(state);
      this.event(exec, 'TaskScheduled', () => ({
        taskScheduledEventDetails: compact({
          ...info,
          region: this.region,
          parameters: JSON.stringify(params),
          timeoutInSeconds: timeout,
          heartbeatInSeconds: heartbeat,
        }),
      }));
      this.event(exec, 'TaskStarted', () => ({ taskStartedEventDetails: info }));
    }
    this.commit(exec);
    this.armTaskTimers(exec);
    this.invoke(exec, state);
  }

  private armTaskTimers(exec: Exec): void {
    const cur = exec.rec.cur!;
    this.clearTimers(exec);
    if (cur.deadline !== undefined) this.schedule(exec, cur.deadline, () => this.onTaskTimeout(exec, 'States.Timeout'));
    if (cur.heartbeatAt !== undefined) this.schedule(exec, cur.heartbeatAt, () => this.onTaskTimeout(exec, 'States.HeartbeatTimeout'));
  }

  private onTaskTimeout(exec: Exec, error: 'States.Timeout' | 'States.HeartbeatTimeout'): void {
    const cur = exec.rec.cur;
    if (!cur || (cur.phase !== 'running' && cur.phase !== 'waiting')) return;
    // An accepted SendTaskSuccess/Failure wins over a timeout that fires before the handler returned.
    if (cur.callback) return;
    if (error === 'States.HeartbeatTimeout' && (cur.heartbeatAt === undefined || cur.heartbeatAt > this.clock.now())) return;
    this.taskFailed(exec, error, undefined, true);
  }

  private invoke(exec: Exec, state: TaskState): void {
    const cur = exec.rec.cur!;
    const params = cur.params as Record<string, unknown>;
    const fnRef = state.kind === 'lambda:function' ? state.functionName! : params?.FunctionName;
    if (typeof fnRef !== 'string' || fnRef === '') {
      throw runtimeError(`state '${state.name}': Parameters.FunctionName must be a string, got ${JSON.stringify(fnRef)}`);
    }
    const functionName = lambdaFunctionName(fnRef);
    const handler = this.functions.get(functionName);
    const gen = exec.gen;
    if (!handler) {
      const arn = `arn:aws:lambda:${this.region}:${this.accountId}:function:${functionName}`;
      this.taskFailed(
        exec,
        'Lambda.ResourceNotFoundException',
        `Function not found: ${arn} (Service: Lambda, Status Code: 404, Error Code: ResourceNotFoundException)`,
      );
      return;
    }
    const payloadValue = state.kind === 'lambda:function' ? params : params.Payload === undefined ? {} : params.Payload;
    const payload = JSON.parse(JSON.stringify(payloadValue ?? null)) as unknown;
    this.counters.lambdaInvocations++;
    const deadline = cur.deadline;
    const lambdaContext = {
      functionName,
      awsRequestId: randomUUID(),
      getRemainingTimeInMillis: () => Math.max(0, Math.min(LAMBDA_MAX_MS, deadline === undefined ? LAMBDA_MAX_MS : deadline - this.clock.now())),
    };
    const end = this.clock.activity.begin();
    Promise.resolve()
      .then(() => handler(payload, lambdaContext))
      .then(
        (result) => this.step(exec, () => this.onHandlerReturned(exec, state, gen, result)),
        (err: unknown) => this.step(exec, () => this.onHandlerThrew(exec, gen, err)),
      )
      .finally(end);
  }

  private onHandlerReturned(exec: Exec, state: TaskState, gen: number, result: unknown): void {
    if (exec.gen !== gen) return;
    const cur = exec.rec.cur!;
    if (cur.phase !== 'running') return;
    let value: unknown;
    try {
      value = result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown);
    } catch (err) {
      this.taskFailed(exec, 'Lambda.Unknown', `The function returned a value that is not JSON: ${(err as Error).message}`);
      return;
    }
    if (state.kind === 'lambda:function') {
      this.taskSucceeded(exec, state, value);
      return;
    }
    const invokeResult = { ExecutedVersion: '$LATEST', Payload: value, StatusCode: 200 };
    if (state.kind === 'lambda:invoke') {
      this.taskSucceeded(exec, state, invokeResult);
      return;
    }
    this.event(exec, 'TaskSubmitted', () => ({
      taskSubmittedEventDetails: { ...this.resourceInfo(state), output: JSON.stringify(invokeResult), outputDetails: { truncated: false } },
    }));
    if (cur.callback) {
      this.applyCallback(exec, cur.callback);
      return;
    }
    cur.phase = 'waiting';
    this.commit(exec);
  }

  private onHandlerThrew(exec: Exec, gen: number, err: unknown): void {
    if (exec.gen !== gen) return;
    const cur = exec.rec.cur!;
    if (cur.phase !== 'running') return;
    if (cur.callback) {
      // The callback was accepted (HTTP 200) before the handler failed: it decides the outcome.
      this.applyCallback(exec, cur.callback);
      return;
    }
    const e = err as { name?: unknown; message?: unknown } | null;
    const errorType = e && typeof e === 'object' && typeof e.name === 'string' && e.name ? e.name : 'Error';
    const errorMessage = e && typeof e === 'object' && typeof e.message === 'string' ? e.message : String(err);
    this.taskFailed(exec, errorType, JSON.stringify({ errorType, errorMessage }));
  }

  private applyCallback(exec: Exec, cb: Callback): void {
    const cur = exec.rec.cur!;
    const state = this.stateDef(exec, cur.state) as TaskState;
    if (cb.ok) this.taskSucceeded(exec, state, JSON.parse(cb.output));
    else this.taskFailed(exec, cb.error ?? '', cb.cause);
  }

  private taskSucceeded(exec: Exec, state: TaskState, output: unknown): void {
    const cur = exec.rec.cur!;
    exec.gen++;
    this.clearTimers(exec);
    if (state.kind === 'lambda:function') {
      this.event(exec, 'LambdaFunctionSucceeded', () => ({
        lambdaFunctionSucceededEventDetails: { output: JSON.stringify(output), outputDetails: { truncated: false } },
      }));
    } else {
      this.event(exec, 'TaskSucceeded', () => ({
        taskSucceededEventDetails: { ...this.resourceInfo(state), output: JSON.stringify(output), outputDetails: { truncated: false } },
      }));
    }
    const ctx = this.context(exec, cur, false);
    const result = state.resultSelector ? evaluateTemplate(state.resultSelector, output, ctx) : output;
    const out = applyPath(state.outputPath, applyResultPath(state.resultPath, cur.input, result), ctx, 'OutputPath');
    this.exitState(exec, state, out, state.next);
  }

  private taskFailed(exec: Exec, error: string, cause: string | undefined, timedOut = false): void {
    const cur = exec.rec.cur!;
    const state = this.stateDef(exec, cur.state) as TaskState;
    exec.gen++;
    this.clearTimers(exec);
    if (state.kind === 'lambda:function') {
      this.event(exec, timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed', () => ({
        [timedOut ? 'lambdaFunctionTimedOutEventDetails' : 'lambdaFunctionFailedEventDetails']: compact({ error, cause }),
      }));
    } else {
      this.event(exec, timedOut ? 'TaskTimedOut' : 'TaskFailed', () => ({
        [timedOut ? 'taskTimedOutEventDetails' : 'taskFailedEventDetails']: compact({ ...this.resourceInfo(state), error, cause }),
      }));
    }
    // Retry: the first retrier whose ErrorEquals matches decides; an exhausted one ends retrying.
    const r = state.retry.findIndex((x) => errorMatches(x.errorEquals, error));
    if (r >= 0 && cur.retriers[r]! < state.retry[r]!.maxAttempts) {
      const retrier = state.retry[r]!;
      let delay = retrier.intervalSeconds * Math.pow(retrier.backoffRate, cur.retriers[r]!);
      if (retrier.maxDelaySeconds !== undefined) delay = Math.min(delay, retrier.maxDelaySeconds);
      if (retrier.jitter === 'FULL') delay = Math.random() * delay;
      cur.retriers[r]!++;
      cur.attempt++;
      cur.phase = 'backoff';
      cur.retryAt = this.clock.now() + Math.round(delay * 1000);
      cur.callback = undefined;
      this.commit(exec);
      this.schedule(exec, cur.retryAt, () => this.retryNow(exec));
      return;
    }
    const catcher = state.catch.find((c) => errorMatches(c.errorEquals, error));
    if (catcher) {
      const errorOutput = compact({ Error: error, Cause: cause });
      const out = applyResultPath(catcher.resultPath, cur.input, errorOutput);
      this.exitState(exec, state, out, catcher.next);
      return;
    }
    this.failExecution(exec, error, cause);
  }

  private retryNow(exec: Exec): void {
    const cur = exec.rec.cur!;
    if (cur.phase !== 'backoff') return;
    this.startAttempt(exec, this.stateDef(exec, cur.state) as TaskState);
  }

  // ── execution end ──

  private failExecution(exec: Exec, error: string | undefined, cause: string | undefined): void {
    this.finish(exec, 'FAILED', 'ExecutionFailed', { executionFailedEventDetails: compact({ error, cause }) }, { error, cause });
  }

  private finish(
    exec: Exec,
    status: ExecutionStatus,
    eventType: string,
    details: Record<string, unknown>,
    fields: { output?: string; error?: string; cause?: string },
  ): void {
    const rec = exec.rec;
    if (rec.status !== 'RUNNING') return;
    exec.gen++;
    this.clearTimers(exec);
    this.clock.cancel(exec.execTimer);
    exec.execTimer = undefined;
    this.event(exec, eventType, () => details);
    rec.status = status;
    rec.stopDate = this.clock.now();
    rec.output = fields.output;
    rec.error = fields.error;
    rec.cause = fields.cause;
    rec.cur = undefined;
    this.running.delete(rec.executionArn);
    this.commit(exec);
  }

  private armExecutionTimeout(exec: Exec): void {
    const at = exec.rec.timeoutAt;
    if (at === undefined || this.closed) return;
    this.clock.cancel(exec.execTimer);
    exec.execTimer = this.clock.schedule(at, () => {
      exec.execTimer = undefined;
      this.step(exec, () =>
        this.finish(
          exec,
          'TIMED_OUT',
          'ExecutionTimedOut',
          { executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'The execution timed out.' } },
          { error: 'States.Timeout', cause: 'The execution timed out.' },
        ),
      );
    });
  }

  /** Enters the state recorded in rec.next (the first state, or the next one after a yield). */
  private enterPending(exec: Exec): void {
    const next = exec.rec.next;
    if (!next || exec.rec.cur) return;
    this.enterState(exec, next.state, next.input);
  }

  // ── recovery ──

  private resume(exec: Exec): void {
    exec.live = true;
    const cur = exec.rec.cur;
    this.armExecutionTimeout(exec);
    if (!cur) {
      this.defer(exec, () => this.enterPending(exec));
      return;
    }
    // A deferred resumption only runs if nothing (a timeout already due, a StopExecution) moved the
    // execution on in the meantime.
    const gen = exec.gen;
    const unchanged = (phase: string) => exec.gen === gen && exec.rec.cur === cur && cur.phase === phase;
    switch (cur.phase) {
      case 'entered':
        this.defer(exec, () => unchanged('entered') && this.process(exec));
        break;
      case 'running':
        // Entered but not finished: invoke the handler again (handlers are idempotent); the token
        // and the deadline stay the same.
        this.armTaskTimers(exec);
        this.defer(exec, () => unchanged('running') && this.invoke(exec, this.stateDef(exec, cur.state) as TaskState));
        break;
      case 'waiting':
        this.armTaskTimers(exec);
        break;
      case 'backoff':
        this.schedule(exec, cur.retryAt!, () => this.retryNow(exec));
        break;
      case 'wait':
        this.schedule(exec, cur.waitUntil!, () => this.finishWait(exec));
        break;
    }
  }
}

// ───────────────────────────── helpers ─────────────────────────────

function errorMatches(list: string[], error: string): boolean {
  for (const e of list) {
    if (e === 'States.ALL') return true;
    if (e === 'States.TaskFailed' && error !== 'States.Timeout') return true;
    if (e === error) return true;
  }
  return false;
}

function compact<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

function requireString(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (v === undefined || v === null) throw new SfnApiError('MissingRequiredParameter', `${key} is required`);
  if (typeof v !== 'string') throw new SfnApiError('ValidationException', `${key} must be a string`);
  return v;
}

function optString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function sameJson(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
  } catch {
    return false;
  }
}

function pageSize(v: unknown): number {
  if (v === undefined || v === null || v === 0) return 100;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1000) {
    throw new SfnApiError('ValidationException', `1 validation error detected: Value '${String(v)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`);
  }
  return v;
}

function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodePageToken(v: unknown): number {
  if (v === undefined || v === null || v === '') return 0;
  try {
    const o = JSON.parse(Buffer.from(String(v), 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof o.o === 'number' && o.o >= 0) return o.o;
  } catch {
    /* fallthrough */
  }
  throw new SfnApiError('InvalidToken', `Invalid Token: '${String(v)}'`);
}

const DATA_FIELDS = new Set(['input', 'output', 'parameters', 'inputDetails', 'outputDetails']);

function toApiEvent(e: HistoryEvent, includeData: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === 'timestamp') out.timestamp = (v as number) / 1000;
    else if (!includeData && k.endsWith('EventDetails') && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([dk]) => !DATA_FIELDS.has(dk)));
    } else out[k] = v;
  }
  return out;
}
