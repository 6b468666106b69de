/**
 * How many Lambda invocations run at once in-process (the simulator's "account concurrency"). Thousands of journeys
 * often share an instant of the virtual clock; started all together, every one of them holds its case, context and
 * rendering in memory at the same time, and the garbage collector copies that working set over and over. Queued
 * in order instead (first come, first run), at most `limit` are in flight — the clock stands still while they wait,
 * so nothing in a journey moves, only the interleaving of journeys at one instant (the same for the same run).
 * Never a limit to wait on from inside an invocation: nothing a handler awaits needs another invocation to start.
 */
export class InvocationLimit {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError('the invocation limit is at least 1');
  }

  /** Runs `work` when a slot is free; resolves or rejects with it. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running++;
        let out: Promise<T>;
        try {
          out = work();
        } catch (err) {
          out = Promise.reject(err);
        }
        out.then(resolve, reject).finally(() => {
          this.running--;
          this.queue.shift()?.();
        });
      };
      if (this.running < this.limit) start();
      else this.queue.push(start);
    });
  }

  get queued(): number {
    return this.queue.length;
  }
}
