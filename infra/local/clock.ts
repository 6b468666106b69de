/**
 * The local runtime's clock and timer wheel (DESIGN §8).
 *
 * - real:    now = wall clock.
 * - scaled:  now = start + elapsed × MAATWERK_TIME_SCALE (a journey day per second at 86400).
 * - virtual: time stands still until advance(); advance runs every due timer in time order and
 *            returns when nothing is left running (the Activity tracker is idle).
 *
 * Timers never rely on one long setTimeout (Node overflows past 2^31 ms): they are kept in a list
 * and re-armed, so waits of any length work.
 */
export type ClockMode = 'real' | 'scaled' | 'virtual';

export interface Timer {
  readonly id: number;
  readonly at: number;
}

interface Entry extends Timer {
  fn: () => void | Promise<void>;
}


/** A binary min-heap of timers by (at, id): equal times keep their creation order. Cancelled entries are skipped. */
class TimerHeap {
  private readonly items: Entry[] = [];
  private readonly cancelled = new Set<number>();

  get size(): number {
    return this.items.length - this.cancelled.size;
  }
  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.id < b.id);
  }
  push(e: Entry): void {
    const h = this.items;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  private prune(): void {
    while (this.items.length && this.cancelled.has(this.items[0]!.id)) {
      this.cancelled.delete(this.items[0]!.id);
      this.popRaw();
    }
  }
  peek(): Entry | undefined {
    this.prune();
    return this.items[0];
  }
  shift(): Entry | undefined {
    this.prune();
    return this.items.length ? this.popRaw() : undefined;
  }
  private popRaw(): Entry {
    const h = this.items;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
  cancel(id: number): void {
    this.cancelled.add(id);
  }
  clear(): void {
    this.items.length = 0;
    this.cancelled.clear();
  }
}

const MAX_TIMEOUT_MS = 2_147_483_000;

/**
 * The times the local clock may show: [1970, 2200). A configured start, a saved clock and an advance target are
 * all held to it, so whatever the clock shows can be saved and started from again.
 */
export const CLOCK_MIN = Date.UTC(1970, 0, 1);
export const CLOCK_MAX = Date.UTC(2200, 0, 1);

/** Counts work in flight (running tasks, HTTP handlers) so the virtual clock knows when all is quiet. */
export class Activity {
  private running = 0;
  private waiters: Array<() => void> = [];
  private idleHooks: Array<(final: boolean) => boolean> = [];

  /**
   * `io` (default): idle also waits 2 ms for sockets and files to deliver what is in flight (HTTP between the
   * runtime's parts). `immediate`: everything runs in-process (the simulator), so one turn of the event loop is enough.
   */
  constructor(private readonly settle: 'io' | 'immediate' = 'io') {}

  /** Marks work as started; call the returned function exactly once when it ends. */
  begin(): () => void {
    this.running++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.running--;
      if (this.running === 0) this.flush();
    };
  }

  /**
   * Work that waits for the rest to be done (the stream emulator's pending records): when nothing else runs at the
   * end of a clock advance (`final`), each hook may start its work (tracked) and says whether it did; idle means no
   * hook had any.
   */
  onIdle(hook: (final: boolean) => boolean): void {
    this.idleHooks.push(hook);
  }

  /** Runs `work` as tracked activity. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    const end = this.begin();
    try {
      return await work();
    } finally {
      end();
    }
  }

  get busy(): boolean {
    return this.running > 0;
  }

  /** Resolves once no work is running (after letting queued microtasks and I/O settle). */
  async whenIdle(final = false): Promise<void> {
    for (;;) {
      if (this.running > 0) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      // Give callbacks that are about to begin new work a chance to do so.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.settle === 'io') await new Promise((resolve) => setTimeout(resolve, 2));
      else await new Promise((resolve) => setImmediate(resolve));
      if (this.running !== 0) continue;
      let started = false;
      for (const hook of this.idleHooks) started = hook(final) || started;
      if (!started) return;
    }
  }

  private flush(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

export class Clock {
  readonly mode: ClockMode;
  readonly scale: number;
  readonly activity: Activity;
  private virtualNow: number;
  private readonly realStart = Date.now();
  private readonly clockStart: number;
  private timers = new TimerHeap();
  /** ids of timers not yet fired or cancelled (cancel() of a fired timer must be a no-op) */
  private readonly pendingIds = new Set<number>();
  private nextId = 1;
  private armed: NodeJS.Timeout | undefined;
  private advancing: Promise<void> = Promise.resolve();
  private inAdvance = false;
  private dueSoon = false;
  private closed = false;
  /** Called (virtual mode) whenever time moves forward, before any work runs at the new time. */
  onVirtualTime: ((now: number) => void) | undefined;

  constructor(opts: { mode?: ClockMode; scale?: number; start?: number; settle?: 'io' | 'immediate' } = {}) {
    this.activity = new Activity(opts.settle);
    this.scale = opts.scale && opts.scale > 0 ? opts.scale : 1;
    this.mode = opts.mode ?? (this.scale !== 1 ? 'scaled' : 'real');
    this.clockStart = opts.start ?? Date.now();
    this.virtualNow = this.clockStart;
  }

  /** Reads the clock mode from the environment variables documented in DESIGN §8. */
  static fromEnv(env: NodeJS.ProcessEnv, persistedNow?: number): Clock {
    if (env.MAATWERK_CLOCK === 'virtual') {
      const startIso = env.MAATWERK_CLOCK_START;
      const start = persistedNow ?? (startIso ? Date.parse(startIso) : Date.now());
      // A start no journey can work with (year 0, +275760, …) is refused here rather than failing every request later.
      if (Number.isNaN(start) || start < CLOCK_MIN || start >= CLOCK_MAX) {
        throw new Error(`MAATWERK_CLOCK_START must be an ISO-8601 time between 1970 and 2200, e.g. 2026-03-02T08:00:00Z; got ${startIso}`);
      }
      return new Clock({ mode: 'virtual', start });
    }
    const scale = env.MAATWERK_TIME_SCALE ? Number(env.MAATWERK_TIME_SCALE) : 1;
    // At most a year per second: beyond that a day passes between two timer checks and dates run off the calendar.
    if (!Number.isFinite(scale) || scale <= 0 || scale > 31_557_600) {
      throw new Error(`MAATWERK_TIME_SCALE must be a positive number up to 31557600 (a year per second), got ${env.MAATWERK_TIME_SCALE}`);
    }
    // A scaled clock continues from where it stopped, so a restart does not jump back in time.
    return new Clock({ scale, start: scale !== 1 ? persistedNow ?? Date.now() : Date.now() });
  }

  now(): number {
    if (this.mode === 'virtual') return this.virtualNow;
    if (this.mode === 'real') return Date.now();
    return Math.floor(this.clockStart + (Date.now() - this.realStart) * this.scale);
  }

  /** Runs fn at clock time `at` (ms since epoch). Past times run on the next tick. */
  schedule(at: number, fn: () => void | Promise<void>): Timer {
    const entry: Entry = { id: this.nextId++, at, fn };
    // Keep sorted by time, then by creation order, so equal times run first-come first-served.
    this.timers.push(entry);
    this.pendingIds.add(entry.id);
    if (this.mode === 'virtual') {
      if (at <= this.virtualNow) this.runDueSoon();
    } else {
      this.arm();
    }
    return entry;
  }

  /**
   * Virtual mode: a timer that is already due (at <= now) runs on the next tick instead of waiting
   * for the next advance(). During advance() the advance loop runs it, in time order.
   */
  private runDueSoon(): void {
    if (this.dueSoon || this.closed) return;
    this.dueSoon = true;
    const end = this.activity.begin();
    setImmediate(() => {
      void (async () => {
        try {
          while (!this.inAdvance && !this.closed && this.timers.peek() && this.timers.peek()!.at <= this.virtualNow) {
            await this.fire(this.timers.shift()!);
          }
        } finally {
          this.dueSoon = false;
          end();
        }
      })();
    });
  }

  cancel(timer: Timer | undefined): void {
    if (!timer) return;
    if (!this.pendingIds.delete(timer.id)) return;
    this.timers.cancel(timer.id);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  nextTimerAt(): number | undefined {
    return this.timers.peek()?.at;
  }

  /**
   * Virtual mode: moves time forward to `until`, running every timer due on the way in time order,
   * and resolves once the system is idle. Calls are serialised.
   */
  advance(until: number): Promise<void> {
    if (this.mode !== 'virtual') return Promise.reject(new Error('the clock is not virtual (set MAATWERK_CLOCK=virtual)'));
    // Never move to a time no Date can show: it would be saved and break every later start.
    if (!Number.isFinite(until) || Number.isNaN(new Date(until).getTime())) return Promise.reject(new RangeError(`cannot advance the clock to ${until}`));
    const run = this.advancing.then(() => this.advanceNow(until));
    this.advancing = run.catch(() => undefined);
    return run;
  }

  private async advanceNow(until: number): Promise<void> {
    await this.activity.whenIdle();
    this.inAdvance = true;
    try {
      for (;;) {
        const next = this.timers.peek();
        if (!next || next.at > until) {
          if (until > this.virtualNow) {
            this.virtualNow = until;
            this.onVirtualTime?.(this.virtualNow);
          }
          // the end of the advance: work that waits for idle (the stream's pending records) runs now too
          await this.activity.whenIdle(true);
          // Work that ran while settling may have scheduled timers that are already due.
          const again = this.timers.peek();
          if (again && again.at <= this.virtualNow) continue;
          break;
        }
        if (next.at > this.virtualNow) this.virtualNow = next.at;
        // Persist the new time before anything runs at it, so a restart never moves time backwards.
        this.onVirtualTime?.(this.virtualNow);
        // Everything due at this instant runs together (thousands of journeys often share a moment).
        const due: Entry[] = [];
        while (this.timers.peek() && this.timers.peek()!.at <= this.virtualNow) due.push(this.timers.shift()!);
        await Promise.all(due.map((entry) => this.fire(entry)));
        await this.activity.whenIdle();
      }
    } finally {
      this.inAdvance = false;
    }
  }

  private async fire(entry: Entry): Promise<void> {
    this.pendingIds.delete(entry.id);
    const end = this.activity.begin();
    try {
      await entry.fn();
    } catch (err) {
      console.error('timer failed', err);
    } finally {
      end();
    }
  }

  /** Real and scaled modes: keeps one setTimeout armed for the earliest timer. */
  private arm(): void {
    if (this.mode === 'virtual' || this.closed) return;
    if (this.armed) clearTimeout(this.armed);
    this.armed = undefined;
    const next = this.timers.peek();
    if (!next) return;
    const delayMs = Math.max(0, Math.min(MAX_TIMEOUT_MS, (next.at - this.now()) / this.scale));
    this.armed = setTimeout(() => {
      this.armed = undefined;
      const due: Entry[] = [];
      while (this.timers.peek() && this.timers.peek()!.at <= this.now()) due.push(this.timers.shift()!);
      for (const entry of due) void this.fire(entry);
      this.arm();
    }, delayMs);
    this.armed.unref?.();
  }

  close(): void {
    this.closed = true;
    if (this.armed) clearTimeout(this.armed);
    this.timers.clear();
    this.pendingIds.clear();
  }
}
