/**
 * A local EventBridge Scheduler for one-time schedules — what the journey uses to end a wait at its planned
 * moment. The real `@aws-sdk/client-scheduler` talks to it over HTTP (restJson1: POST/GET/DELETE
 * /schedules/{Name}, errors with the `x-amzn-errortype` header), with `AWS_ENDPOINT_URL_SCHEDULER` pointing here.
 *
 * Supported: `at(yyyy-mm-ddThh:mm:ss)` expressions (UTC or another IANA zone), schedule groups by name,
 * `ActionAfterCompletion: DELETE`, targets that are the Step Functions SendTaskSuccess universal target
 * (`arn:aws:scheduler:::aws-sdk:sfn:sendTaskSuccess`) or a Lambda function ARN registered in-process.
 * Durable: one JSON file per schedule under dataDir; `recover()` re-arms them after a restart (due ones fire
 * at once). A target that fails is retried like the service does (a few times with backoff), then recorded as a
 * dead letter. Everything runs on the local clock and is tracked as activity, so a virtual clock's advance()
 * waits for it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { Clock, Timer } from '../clock.js';
import { lambdaFunctionName } from '../sfn/emulator.js';

export const SEND_TASK_SUCCESS_TARGET = 'arn:aws:scheduler:::aws-sdk:sfn:sendTaskSuccess';

export interface ScheduleTarget {
  Arn: string;
  RoleArn?: string;
  Input?: string;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
}

interface Schedule {
  name: string;
  group: string;
  arn: string;
  expression: string;
  timezone: string;
  at: number;
  target: ScheduleTarget;
  deleteAfter: boolean;
  state: 'ENABLED' | 'DISABLED';
  createdAt: number;
}

export interface SchedulerTargets {
  /** SendTaskSuccess on the local Step Functions emulator; throws its API error */
  sendTaskSuccess(taskToken: string, output: string): Promise<void> | void;
  /** invokes a registered Lambda handler by ARN; throws if none */
  invoke(functionArn: string, payload: unknown): Promise<unknown>;
}

/**
 * The targets the local runtime and the simulator wire: SendTaskSuccess on their Step Functions emulator, and the
 * Lambda handler registered under the ARN's function name (`around` wraps each invocation, e.g. to count it).
 */
export function localTargets(
  sfn: { api(action: 'SendTaskSuccess', input: { taskToken: string; output: string }): unknown },
  handlers: ReadonlyMap<string, (payload: unknown) => Promise<unknown>>,
  around: (invoke: () => Promise<unknown>) => Promise<unknown> = (invoke) => invoke(),
): SchedulerTargets {
  return {
    sendTaskSuccess: (taskToken, output) => {
      sfn.api('SendTaskSuccess', { taskToken, output });
    },
    invoke: async (arn, payload) => {
      const fn = handlers.get(lambdaFunctionName(arn));
      if (!fn) throw Object.assign(new Error(`no function ${arn}`), { code: 'ResourceNotFoundException' });
      return around(() => fn(payload));
    },
  };
}

export interface DeadLetter {
  schedule: string;
  target: string;
  error: string;
  at: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const NAME_RE = /^[0-9a-zA-Z\-_.]{1,64}$/;
const AT_RE = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
/** Errors of a SendTaskSuccess that mean the wait already ended: nothing to retry. */
const TASK_GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export class SchedulerEmulator {
  private readonly schedules = new Map<string, Schedule>();
  private readonly timers = new Map<string, Timer>();
  private server: http.Server | undefined;
  private readonly dir: string | undefined;
  readonly deadLetters: DeadLetter[] = [];
  readonly stats = { created: 0, deleted: 0, fired: 0, staleTokens: 0 };

  constructor(
    private readonly opts: { clock: Clock; targets: SchedulerTargets; dataDir?: string; region?: string; accountId?: string },
  ) {
    this.dir = opts.dataDir;
    if (this.dir) fs.mkdirSync(this.dir, { recursive: true });
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = http.createServer((req, res) => {
      const end = this.opts.clock.activity.begin();
      res.on('close', end);
      this.handle(req, res).catch((err) => {
        const e = err instanceof ApiError ? err : new ApiError('InternalServerException', 'internal error', 500);
        if (!(err instanceof ApiError)) console.error('scheduler: unexpected error', err);
        res.writeHead(e.status, { 'content-type': 'application/json', 'x-amzn-errortype': e.code });
        res.end(JSON.stringify({ message: e.message }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const t of this.timers.values()) this.opts.clock.cancel(t);
    this.timers.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections?.();
  }

  /** Re-arms every stored schedule (after a restart). */
  recover(): number {
    if (!this.dir) return 0;
    for (const f of fs.readdirSync(this.dir)) {
      if (!f.endsWith('.json')) continue;
      try {
        const s = JSON.parse(fs.readFileSync(path.join(this.dir, f), 'utf8')) as Schedule;
        this.schedules.set(this.id(s.group, s.name), s);
        this.arm(s);
      } catch (err) {
        console.error(`scheduler: skipping unreadable schedule ${f}: ${(err as Error).message}`);
      }
    }
    return this.schedules.size;
  }

  get pending(): number {
    return this.schedules.size;
  }

  private id(group: string, name: string): string {
    return `${group}/${name}`;
  }

  private file(s: Pick<Schedule, 'group' | 'name'>): string | undefined {
    return this.dir ? path.join(this.dir, `${createHash('sha256').update(this.id(s.group, s.name)).digest('hex').slice(0, 40)}.json`) : undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://scheduler.local');
    const m = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    if (!m) throw new ApiError('ResourceNotFoundException', `No route ${req.method} ${url.pathname}`, 404);
    const name = decodeURIComponent(m[1]!);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    const group = (url.searchParams.get('groupName') ?? (body.GroupName as string | undefined) ?? 'default').trim();
    let out: unknown;
    if (req.method === 'POST') out = this.create(name, group, body);
    else if (req.method === 'GET') out = this.describe(name, group);
    else if (req.method === 'DELETE') out = this.delete(name, group);
    else throw new ApiError('ValidationException', `Method ${req.method} is not supported`, 400);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out));
  }

  /**
   * The API in-process (the simulator's SchedulerClient, infra/local/in-process-clients.ts): the operation and the
   * SDK command's input; throws `{ code, message }` errors like the HTTP API's.
   */
  call(op: 'CreateSchedule' | 'GetSchedule' | 'DeleteSchedule', input: Record<string, unknown>): unknown {
    const name = String(input.Name ?? '');
    const group = String(input.GroupName ?? 'default').trim();
    if (op === 'CreateSchedule') return this.create(name, group, input);
    if (op === 'GetSchedule') return this.describe(name, group);
    return this.delete(name, group);
  }

  private create(name: string, group: string, body: Record<string, unknown>): { ScheduleArn: string } {
    if (!NAME_RE.test(name)) throw new ApiError('ValidationException', 'Name must match [0-9a-zA-Z-_.]{1,64}', 400);
    const expression = String(body.ScheduleExpression ?? '');
    const at = AT_RE.exec(expression);
    if (!at) throw new ApiError('ValidationException', 'Only one-time schedules at(yyyy-mm-ddThh:mm:ss) are emulated', 400);
    const timezone = String(body.ScheduleExpressionTimezone ?? 'UTC');
    const when = DateTime.fromISO(at[1]!, { zone: timezone });
    if (!when.isValid) throw new ApiError('ValidationException', `Invalid schedule expression ${expression} in ${timezone}`, 400);
    const target = body.Target as ScheduleTarget | undefined;
    if (!target || typeof target.Arn !== 'string' || !target.Arn) throw new ApiError('ValidationException', 'Target.Arn is required', 400);
    if (!body.FlexibleTimeWindow) throw new ApiError('ValidationException', 'FlexibleTimeWindow is required', 400);
    const key = this.id(group, name);
    if (this.schedules.has(key)) throw new ApiError('ConflictException', `Schedule ${name} already exists.`, 409);
    const s: Schedule = {
      name,
      group,
      arn: `arn:aws:scheduler:${this.opts.region ?? 'eu-west-1'}:${this.opts.accountId ?? '000000000000'}:schedule/${group}/${name}`,
      expression,
      timezone,
      at: when.toMillis(),
      target,
      deleteAfter: body.ActionAfterCompletion === 'DELETE',
      state: body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      createdAt: this.opts.clock.now(),
    };
    this.schedules.set(key, s);
    const file = this.file(s);
    if (file) {
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(s));
      fs.renameSync(`${file}.tmp`, file);
    }
    this.stats.created++;
    this.arm(s);
    return { ScheduleArn: s.arn };
  }

  private describe(name: string, group: string) {
    const s = this.schedules.get(this.id(group, name));
    if (!s) throw new ApiError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    return {
      Name: s.name,
      GroupName: s.group,
      Arn: s.arn,
      ScheduleExpression: s.expression,
      ScheduleExpressionTimezone: s.timezone,
      State: s.state,
      Target: s.target,
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: s.deleteAfter ? 'DELETE' : 'NONE',
      CreationDate: s.createdAt / 1000,
    };
  }

  private delete(name: string, group: string): Record<string, never> {
    const key = this.id(group, name);
    const s = this.schedules.get(key);
    if (!s) throw new ApiError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    this.remove(s);
    this.stats.deleted++;
    return {};
  }

  private remove(s: Schedule): void {
    const key = this.id(s.group, s.name);
    this.schedules.delete(key);
    this.opts.clock.cancel(this.timers.get(key));
    this.timers.delete(key);
    const file = this.file(s);
    if (file && fs.existsSync(file)) fs.unlinkSync(file);
  }

  private arm(s: Schedule): void {
    if (s.state !== 'ENABLED') return;
    const key = this.id(s.group, s.name);
    this.timers.set(key, this.opts.clock.schedule(s.at, () => this.fire(key)));
  }

  /** Delivers to the target; a failure is retried later on the clock (never awaited here: advance() would wait forever). */
  private async fire(key: string, attempt = 1): Promise<void> {
    const s = this.schedules.get(key);
    if (!s) return;
    this.timers.delete(key);
    if (attempt === 1) this.stats.fired++;
    try {
      await this.deliver(s);
    } catch (err) {
      const code = (err as { code?: string; name?: string }).code ?? (err as { name?: string }).name ?? 'Error';
      // A wait that already ended (an event ended it first) leaves nothing to do.
      if (TASK_GONE.has(code)) this.stats.staleTokens++;
      else if (attempt < Math.min(3, (s.target.RetryPolicy?.MaximumRetryAttempts ?? 185) + 1)) {
        this.timers.set(key, this.opts.clock.schedule(this.opts.clock.now() + 1000 * 2 ** attempt, () => this.fire(key, attempt + 1)));
        return;
      } else {
        this.deadLetters.push({ schedule: key, target: s.target.Arn, error: code, at: this.opts.clock.now() });
        console.error(`scheduler: ${key} failed after ${attempt} attempts (${code})`);
      }
    }
    if (s.deleteAfter) this.remove(s);
  }

  private async deliver(s: Schedule): Promise<void> {
    const input = s.target.Input ? (JSON.parse(s.target.Input) as Record<string, unknown>) : {};
    if (s.target.Arn === SEND_TASK_SUCCESS_TARGET) {
      await this.opts.targets.sendTaskSuccess(String(input.TaskToken), String(input.Output));
      return;
    }
    if (/^arn:aws:lambda:/.test(s.target.Arn)) {
      await this.opts.targets.invoke(s.target.Arn, input);
      return;
    }
    throw Object.assign(new Error(`target ${s.target.Arn} is not emulated`), { code: 'UnsupportedTarget' });
  }
}
