/**
 * Durability: executions on a dataDir survive an emulator that is dropped without close() (in-process)
 * and a process killed with SIGKILL. After recover(): a task that was entered but not finished runs
 * again (the handler is idempotent, so its side effect happens once per state entry), a callback keeps
 * waiting with the same token and its original deadline, and a Wait keeps its end time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { StepFunctionsEmulator, type LambdaHandler } from '../../infra/local/sfn/index.js';
import { T0, describeExec, history, settle, sfnClient, statesEntered, tempDir, until, virtualClock } from './sfn-helpers.js';
import { durableMachine, effectKey, type EffectPayload } from './fixtures/sfn-durable-machine.js';

const DAY = 86_400_000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Handlers with an idempotent side-effect log shared across emulator "lives". */
class World {
  effects = new Map<string, number>(); // key → times the side effect was applied (must stay 1)
  invocations: Array<{ life: number; fn: string; p: EffectPayload }> = [];
  tokens = new Map<string, string[]>();
  blocked = new Set<string>(); // `${fn}:${exec}` blocks forever in life 1

  handlers(life: number): Record<string, LambdaHandler> {
    const make =
      (fn: string): LambdaHandler =>
      async (payload) => {
        const p = payload as EffectPayload;
        this.invocations.push({ life, fn, p });
        const key = effectKey(p);
        if (!this.effects.has(key)) this.effects.set(key, 1); // idempotent on (execution, state entry)
        if (p.token) this.tokens.set(p.exec, [...(this.tokens.get(p.exec) ?? []), p.token]);
        if (life === 1 && this.blocked.has(`${fn}:${p.exec}`)) await new Promise(() => undefined);
        return { ok: fn };
      };
    return { prepare: make('prepare'), send: make('send'), final: make('final') };
  }
}

function open(dataDir: string, world: World, life: number, clock = virtualClock()) {
  const emu = new StepFunctionsEmulator({ clock, dataDir });
  for (const [name, fn] of Object.entries(world.handlers(life))) emu.registerFunction(name, fn);
  const smArn = emu.createStateMachine('durable', durableMachine);
  return { emu, clock, smArn };
}

describe('durability across a dropped emulator (same process)', () => {
  it('resumes waits, callbacks and unfinished tasks; side effects happen once per state entry', async () => {
    const dir = tempDir('sfn-durable');
    dirs.push(dir);
    const world = new World();
    world.blocked.add('prepare:stuck');
    world.blocked.add('send:midsend');

    // Life 1: bring five executions to different points, then drop the emulator (no close()).
    const one = open(dir, world, 1);
    const start = (name: string, input: object) => one.emu.api('StartExecution', { stateMachineArn: one.smArn, name, input: JSON.stringify(input) });
    start('waiting', { holdSeconds: 86_400, awaitSeconds: 3 * 86_400 }); // in the 1-day Wait
    start('parked', { holdSeconds: 0, awaitSeconds: 3 * 86_400 }); // waiting for its callback
    start('expires', { holdSeconds: 0, awaitSeconds: 2 * 86_400 }); // callback that will time out
    start('stuck', { holdSeconds: 0, awaitSeconds: 86_400 }); // Prepare handler never returns
    start('midsend', { holdSeconds: 0, awaitSeconds: 86_400 }); // Send handler never returns
    const arn = (name: string) => `arn:aws:states:eu-west-1:123456789012:execution:durable:${name}`;
    await until(
      () =>
        world.tokens.has('parked') &&
        world.tokens.has('expires') &&
        world.tokens.has('midsend') &&
        world.invocations.some((i) => i.fn === 'prepare' && i.p.exec === 'stuck') &&
        statesEntered(one.emu, arn('waiting')).includes('Hold'),
    );
    await new Promise((r) => setTimeout(r, 20));
    const before = {
      parked: history(one.emu, arn('parked')),
      midsendToken: world.tokens.get('midsend')![0]!,
      parkedToken: world.tokens.get('parked')![0]!,
    };
    expect(before.parked.at(-1)!.type).toBe('TaskSubmitted');
    const files = readdirSync(join(dir, 'executions'));
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(5);
    expect(files.some((f) => f.includes('.tmp-'))).toBe(false);

    // Life 2: a new emulator on the same dir, an hour later.
    const two = open(dir, world, 2, virtualClock(T0 + 3_600_000));
    expect(await two.emu.recover()).toBe(5);
    expect(await two.emu.recover()).toBe(0); // idempotent
    const url = await two.emu.listen(0);
    const sfn = sfnClient(url);
    await settle(two.clock);

    // The unfinished tasks ran again; 'midsend' got the very same token as before the crash.
    const again = (fn: string, exec: string) => world.invocations.filter((i) => i.fn === fn && i.p.exec === exec);
    expect(again('prepare', 'stuck').map((i) => i.life)).toEqual([1, 2]);
    expect(again('send', 'midsend').map((i) => i.life)).toEqual([1, 2]);
    expect(world.tokens.get('midsend')).toEqual([before.midsendToken, before.midsendToken]);
    // History continued without duplicates: ids 1..n, each state entered once.
    expect(statesEntered(two.emu, arn('stuck'))).toEqual(['Prepare', 'Hold', 'Send']);

    // The callback that was waiting accepts its original token.
    await sfn.send(new SendTaskSuccessCommand({ taskToken: before.parkedToken, output: JSON.stringify({ replied: 'parked' }) }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: before.midsendToken, output: JSON.stringify({ replied: 'midsend' }) }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: world.tokens.get('stuck')!.at(-1)!, output: JSON.stringify({ replied: 'stuck' }) }));
    await settle(two.clock);
    for (const name of ['parked', 'midsend', 'stuck']) {
      const d = describeExec(two.emu, arn(name));
      expect(d.status).toBe('SUCCEEDED');
      expect(JSON.parse(d.output!).reaction).toEqual({ replied: name });
    }

    // The Wait keeps its end time (T0 + 1 day), the expiring callback its deadline (T0 + 2 days).
    await two.clock.advance(T0 + DAY - 1);
    expect(statesEntered(two.emu, arn('waiting'))).toEqual(['Prepare', 'Hold']);
    await two.clock.advance(T0 + DAY);
    expect(statesEntered(two.emu, arn('waiting'))).toEqual(['Prepare', 'Hold', 'Send']);
    expect(history(two.emu, arn('waiting')).find((e) => e.type === 'WaitStateExited')!.timestamp).toBe((T0 + DAY) / 1000);
    await two.clock.advance(T0 + 2 * DAY - 1);
    expect(describeExec(two.emu, arn('expires')).status).toBe('RUNNING');
    await two.clock.advance(T0 + 2 * DAY);
    expect(describeExec(two.emu, arn('expires')).status).toBe('SUCCEEDED');
    expect(history(two.emu, arn('expires')).find((e) => e.type === 'TaskTimedOut')!.timestamp).toBe((T0 + 2 * DAY) / 1000);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: world.tokens.get('waiting')![0]!, output: '{}' }));
    await settle(two.clock);

    // Everything finished; every side effect happened exactly once per state entry.
    for (const name of ['waiting', 'parked', 'expires', 'stuck', 'midsend']) {
      expect(describeExec(two.emu, arn(name)).status).toBe('SUCCEEDED');
      expect(statesEntered(two.emu, arn(name))).toEqual(['Prepare', 'Hold', 'Send', 'Final']);
      const h = history(two.emu, arn(name));
      expect(h.map((e) => e.id)).toEqual(h.map((_, k) => k + 1));
    }
    expect([...world.effects.values()].every((n) => n === 1)).toBe(true);
    expect(world.effects.size).toBe(5 * 3); // Prepare, Send, Final per execution
    expect(world.invocations.length).toBe(15 + 2); // two re-invocations after the crash
    expect(two.emu.stats()).toMatchObject({ running: 0, executionsStarted: 0 });
    expect((two.emu.api('ListExecutions', { stateMachineArn: two.smArn, statusFilter: 'SUCCEEDED' }) as { executions: unknown[] }).executions).toHaveLength(5);

    // A third life sees the finished executions and does not resume anything.
    const three = open(dir, world, 3);
    expect(await three.emu.recover()).toBe(0);
    expect(describeExec(three.emu, arn('parked')).status).toBe('SUCCEEDED');
    await Promise.all([two.emu.close(), three.emu.close()]);
  });

  it('deadlines that passed while the emulator was down fire at recovery (the handler is not re-run)', async () => {
    const dir = tempDir('sfn-late');
    dirs.push(dir);
    const world = new World();
    world.blocked.add('send:late-running');
    const one = open(dir, world, 1);
    for (const name of ['late-waiting', 'late-running']) {
      one.emu.api('StartExecution', { stateMachineArn: one.smArn, name, input: JSON.stringify({ holdSeconds: 0, awaitSeconds: 3600 }) });
    }
    await until(() => world.tokens.has('late-waiting') && world.tokens.has('late-running'));
    await new Promise((r) => setTimeout(r, 20));

    const two = open(dir, world, 2, virtualClock(T0 + 2 * 3_600_000));
    expect(await two.emu.recover()).toBe(2);
    await settle(two.clock);
    for (const name of ['late-waiting', 'late-running']) {
      const arn = `arn:aws:states:eu-west-1:123456789012:execution:durable:${name}`;
      expect(describeExec(two.emu, arn).status).toBe('SUCCEEDED');
      const h = history(two.emu, arn);
      expect(h.find((e) => e.type === 'TaskTimedOut')!.timestamp).toBe((T0 + 2 * 3_600_000) / 1000);
      expect(JSON.parse(describeExec(two.emu, arn).output!).timedOut).toEqual({ Error: 'States.Timeout' });
    }
    // Life 2 only ran the two Final steps: the timed-out Send was not invoked again.
    expect(world.invocations.filter((i) => i.life === 2).map((i) => `${i.fn}:${i.p.exec}`).sort()).toEqual([
      'final:late-running',
      'final:late-waiting',
    ]);
    await two.emu.close();
  });

  it('a crash between the history append and the record write leaves no phantom events', async () => {
    const dir = tempDir('sfn-torn');
    dirs.push(dir);
    const world = new World();
    const one = open(dir, world, 1);
    one.emu.api('StartExecution', { stateMachineArn: one.smArn, name: 'torn', input: JSON.stringify({ holdSeconds: 60, awaitSeconds: 60 }) });
    await settle(one.clock);
    const arn = 'arn:aws:states:eu-west-1:123456789012:execution:durable:torn';
    const committed = history(one.emu, arn).length;
    // Simulate the torn write: history lines appended, the record not yet replaced.
    const events = readdirSync(join(dir, 'executions')).find((f) => f.endsWith('.events'))!;
    const { appendFileSync } = await import('node:fs');
    appendFileSync(join(dir, 'executions', events), '{"id":99,"type":"Phantom","previousEventId":98,"timestamp":0}\n{"id":100,"ty');
    const two = open(dir, world, 2, virtualClock(T0));
    expect(history(two.emu, arn)).toHaveLength(committed);
    expect(await two.emu.recover()).toBe(1);
    await two.clock.advance(T0 + 60_000);
    const h = history(two.emu, arn);
    expect(h.map((e) => e.id)).toEqual(h.map((_, k) => k + 1));
    expect(h.some((e) => e.type === 'Phantom')).toBe(false);
    await two.emu.close();
  });
});

describe('durability across kill -9', () => {
  it('a SIGKILLed emulator process is resumed by a new one on the same data dir', async () => {
    const dir = tempDir('sfn-kill');
    dirs.push(dir);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./fixtures/sfn-crash-child.ts', import.meta.url)), dir, String(T0)],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
    );
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout! });
      rl.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
      setTimeout(() => reject(new Error('child did not report in time')), 15_000).unref();
    });
    const { tokens } = JSON.parse(line) as { tokens: Record<string, string> };
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(child.signalCode).toBe('SIGKILL');

    const effectsFile = join(dir, 'effects.log');
    const effectLines = () => readFileSync(effectsFile, 'utf8').split('\n').filter(Boolean);
    const invocations: string[] = [];
    const idempotent: LambdaHandler = async (p) => {
      const key = effectKey(p as EffectPayload);
      invocations.push(key);
      if (!(existsSync(effectsFile) && effectLines().includes(key))) {
        const { appendFileSync } = await import('node:fs');
        appendFileSync(effectsFile, `${key}\n`);
      }
      if ((p as EffectPayload).token) tokens[`after:${(p as EffectPayload).exec}`] = (p as EffectPayload).token!;
      return { ok: true };
    };
    const clock = virtualClock(T0);
    const emu = new StepFunctionsEmulator({ clock, dataDir: dir });
    emu.registerFunction('prepare', idempotent);
    emu.registerFunction('send', idempotent);
    emu.registerFunction('final', idempotent);
    const smArn = emu.createStateMachine('durable', durableMachine);
    expect(await emu.recover()).toBe(3);
    await settle(clock);
    const arn = (n: string) => `${smArn.replace(':stateMachine:', ':execution:')}:${n}`;

    // The task killed mid-flight ran again (its side effect is still there once).
    expect(invocations.filter((k) => k.startsWith('k-mid|Prepare'))).toHaveLength(1);
    expect(statesEntered(emu, arn('k-mid'))).toEqual(['Prepare', 'Hold', 'Send']);
    // The callback keeps waiting for the token issued before the kill.
    emu.api('SendTaskSuccess', { taskToken: tokens['k-park'], output: JSON.stringify({ replied: true }) });
    emu.api('SendTaskSuccess', { taskToken: tokens['after:k-mid'], output: '{}' });
    await settle(clock);
    expect(describeExec(emu, arn('k-park')).status).toBe('SUCCEEDED');
    expect(describeExec(emu, arn('k-mid')).status).toBe('SUCCEEDED');
    // The Wait ends at its original time.
    await clock.advance(T0 + 3_599_999);
    expect(statesEntered(emu, arn('k-wait'))).toEqual(['Prepare', 'Hold']);
    await clock.advance(T0 + 3_600_000);
    expect(statesEntered(emu, arn('k-wait'))).toEqual(['Prepare', 'Hold', 'Send']);
    const lines = effectLines();
    expect(new Set(lines).size).toBe(lines.length); // each side effect once
    expect(lines.filter((l) => l.startsWith('k-mid|'))).toHaveLength(3);
    await emu.close();
  }, 20_000);
});
