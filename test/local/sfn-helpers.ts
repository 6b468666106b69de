/** Shared helpers for the local Step Functions emulator tests. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Clock } from '../../infra/local/clock.js';
import type { StepFunctionsEmulator } from '../../infra/local/sfn/index.js';

export const T0 = Date.parse('2026-03-02T08:00:00.000Z');
export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const JOURNEY_ASL = fileURLToPath(new URL('../../state-machines/journey.asl.json', import.meta.url));

export function virtualClock(start = T0): Clock {
  return new Clock({ mode: 'virtual', start });
}

export function sfnClient(endpoint: string): SFNClient {
  return new SFNClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

/** `${Placeholder}` names used in the journey ASL. */
export function journeyPlaceholders(): string[] {
  const text = readFileSync(JOURNEY_ASL, 'utf8');
  return [...new Set([...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]!))];
}

/** Runs the engine step for the current virtual time (due timers, started executions) until idle. */
export async function settle(clock: Clock): Promise<void> {
  await clock.advance(clock.now());
}

export function describeExec(emu: StepFunctionsEmulator, executionArn: string) {
  return emu.api('DescribeExecution', { executionArn }) as {
    status: string;
    output?: string;
    error?: string;
    cause?: string;
    startDate: number;
    stopDate?: number;
  };
}

export interface Ev {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [k: string]: unknown;
}

export function history(emu: StepFunctionsEmulator, executionArn: string): Ev[] {
  const out: Ev[] = [];
  let nextToken: string | undefined;
  do {
    const page = emu.api('GetExecutionHistory', { executionArn, maxResults: 1000, nextToken }) as { events: Ev[]; nextToken?: string };
    out.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** Names of the states entered, in order. */
export function statesEntered(emu: StepFunctionsEmulator, executionArn: string): string[] {
  return history(emu, executionArn)
    .filter((e) => e.type.endsWith('StateEntered'))
    .map((e) => (e.stateEnteredEventDetails as { name: string }).name);
}

/** Polls (real time) until `cond` holds; for tests where a handler is deliberately blocked. */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Node 20 lacks Promise.withResolvers, which aws-local-stepfunctions 3 needs (TOOLCHAIN.md). */
export function polyfillWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: () => unknown };
  if (!P.withResolvers) {
    P.withResolvers = function withResolvers<T>() {
      let resolve!: (v: T) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    };
  }
}
