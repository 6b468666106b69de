/**
 * A DynamoDB Streams emulator for the local runtime and the simulator (dynalite and the in-process table have no
 * streams). It takes the table's changes from a change-capture hook at the storage layer (./capture.ts: every
 * item dynalite or the in-process table commits, in commit order), builds DynamoDB Streams records (the
 * `aws-lambda` DynamoDBStreamEvent shape: eventName, Keys, NewImage, SequenceNumber, …), keeps those that match
 * the event source mapping's filter (functions/store/table.ts `TABLE.stream.filter`, the same pattern CDK deploys)
 * and invokes the handler with batches, like Lambda's event source mapping for one shard:
 *
 *  - a batch is at most `batchSize` records, delivered `windowMs` of clock time after its first record (the event
 *    source mapping's batching window, TABLE.stream: the KPIs lag by at most that), when it is full, at the end of
 *    every virtual clock advance (an advance answers with the counters added: deterministic for tests and the
 *    simulator), or on `flush()` (POST /local/streams/flush), which resolves when the handler has had them all;
 *  - the partial batch response is honoured: a reported record and everything after it is retried; a handler that
 *    throws has its batch bisected (TABLE.stream.bisectOnError) and retried; after `retryAttempts` retries the batch
 *    is skipped and its position goes to the on-failure destination (`failures`, shaped like the message Lambda
 *    sends to the SQS queue: requestContext.condition and DDBStreamBatchInfo);
 *  - one shard, batches one at a time, in commit order (on AWS order holds per item, which this keeps).
 * Records wait in memory: a `kill -9` between a write and its batch loses that batch's counters (at most once).
 */
import crypto from 'node:crypto';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { TABLE } from '../../../functions/store/table.js';
import type { Clock, Timer } from '../clock.js';
import { recordFilter, requiredNewImageAttributes } from './filter.js';

export type Image = Record<string, AttributeValue>;
export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

/** What the on-failure destination receives for a batch that kept failing (Lambda's format for stream sources). */
export interface StreamFailure {
  requestContext: { requestId: string; functionArn: string; condition: 'RetryAttemptsExhausted'; approximateInvokeCount: number };
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  version: '1.0';
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export interface StreamEmulatorOptions {
  handler: StreamHandler;
  /** the runtime's clock: the batching window is clock time, and work is tracked as its activity */
  clock: Clock;
  region: string;
  accountId: string;
  tableName: string;
  functionName: string;
  batchSize?: number;
  /** clock milliseconds a record waits at most for its batch (default TABLE.stream.maxBatchingWindowSeconds) */
  windowMs?: number;
  retryAttempts?: number;
}

export class StreamEmulator {
  readonly streamArn: string;
  private readonly functionArn: string;
  private readonly shardId = 'shardId-00000000000000000001-00000001';
  private readonly matches: (r: unknown) => boolean;
  private readonly required: string[];
  private readonly batchSize: number;
  private readonly windowMs: number;
  private readonly retryAttempts: number;
  private seq = 0;
  private pending: DynamoDBRecord[] = [];
  private draining: Promise<void> | undefined;
  private timer: Timer | undefined;
  private paused = false;
  private closed = false;
  /** the last batch handed to the handler (for redelivery tests) */
  private lastBatch: DynamoDBRecord[] = [];
  /** the on-failure destination (the SQS queue on AWS) */
  readonly failures: StreamFailure[] = [];
  readonly stats = { changes: 0, records: 0, batches: 0, invocations: 0, retries: 0 };

  constructor(private readonly opts: StreamEmulatorOptions) {
    const stamp = '2026-01-01T00:00:00.000';
    this.streamArn = `arn:aws:dynamodb:${opts.region}:${opts.accountId}:table/${opts.tableName}/stream/${stamp}`;
    this.functionArn = `arn:aws:lambda:${opts.region}:${opts.accountId}:function:${opts.functionName}`;
    this.matches = recordFilter(TABLE.stream.filter);
    this.required = requiredNewImageAttributes(TABLE.stream.filter);
    this.batchSize = opts.batchSize ?? TABLE.stream.batchSize;
    this.windowMs = opts.windowMs ?? TABLE.stream.maxBatchingWindowSeconds * 1000;
    this.retryAttempts = opts.retryAttempts ?? TABLE.stream.retryAttempts;
    // the end of a virtual clock's advance delivers what is pending: an advance answers with the counters added
    opts.clock.activity.onIdle((final) => {
      if (!final || !this.pending.length || this.paused || this.closed) return false;
      void this.kick();
      return true;
    });
  }

  /** Would a change with this new image (as a document or marshalled) possibly pass the filter? Cheap, before building it. */
  mayMatch(newImage: Record<string, unknown> | undefined): boolean {
    if (!newImage) return this.required.length === 0;
    return this.required.every((a) => newImage[a] !== undefined);
  }

  /**
   * A committed change of one item (marshalled images), in commit order. `before`: the image it replaced, or just
   * whether there was one ('existed': the in-process table does not copy it). A write that changed nothing makes no
   * record (as on DynamoDB) when the image before is known.
   */
  capture(keys: Image, newImage: Image | undefined, before: Image | 'existed' | undefined): void {
    if (this.closed) return;
    this.stats.changes++;
    if (!before && !newImage) return;
    if (before && before !== 'existed' && newImage && JSON.stringify(before) === JSON.stringify(newImage)) return;
    const eventName = !before ? 'INSERT' : !newImage ? 'REMOVE' : 'MODIFY';
    const sequenceNumber = `1${String(++this.seq).padStart(20, '0')}`;
    const record: DynamoDBRecord = {
      eventID: crypto.randomBytes(16).toString('hex'),
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.opts.region,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(this.opts.clock.now() / 1000),
        Keys: keys,
        ...(newImage ? { NewImage: newImage } : {}),
        SequenceNumber: sequenceNumber,
        SizeBytes: Buffer.byteLength(JSON.stringify(keys)) + (newImage ? Buffer.byteLength(JSON.stringify(newImage)) : 0),
        StreamViewType: TABLE.stream.viewType,
      },
      eventSourceARN: this.streamArn,
    };
    if (!this.matches(record)) return;
    this.stats.records++;
    this.pending.push(record);
    if (!this.timer && !this.paused) this.armWindow();
    if (this.pending.length >= this.batchSize) void this.kick();
  }

  /** Delivers every pending record (in batches) and resolves when the handler has had them all. */
  async flush(): Promise<void> {
    for (;;) {
      await this.kick();
      if (!this.pending.length || this.paused || this.closed) return;
    }
  }

  /** Holds deliveries (tests: what the request path writes before any counter is added). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    void this.kick();
  }

  /** Hands the last delivered batch to the handler again, as a retry or a duplicate delivery would. */
  async redeliverLast(): Promise<number> {
    const batch = this.lastBatch;
    if (batch.length) await this.opts.clock.activity.track(() => this.deliver(batch));
    return batch.length;
  }

  get pendingRecords(): number {
    return this.pending.length;
  }

  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    this.closed = true;
    this.opts.clock.cancel(this.timer);
  }

  /** The batching window: the first pending record waits at most this long (clock time). */
  private armWindow(): void {
    this.timer = this.opts.clock.schedule(this.opts.clock.now() + this.windowMs, () => {
      this.timer = undefined;
      return this.kick();
    });
  }

  private kick(): Promise<void> {
    if (this.timer) {
      this.opts.clock.cancel(this.timer);
      this.timer = undefined;
    }
    if (this.draining) return this.draining;
    if (!this.pending.length || this.paused) return Promise.resolve();
    this.draining = this.opts.clock.activity
      .track(async () => {
        while (this.pending.length && !this.paused) await this.deliver(this.pending.splice(0, this.batchSize));
      })
      .finally(() => {
        this.draining = undefined;
        // records captured while the last batch ran go in the next one
        if (this.pending.length && !this.paused && !this.timer && !this.closed) this.armWindow();
      });
    return this.draining;
  }

  /** One batch, with the event source mapping's retry rules. */
  private async deliver(batch: DynamoDBRecord[], attempts = 0): Promise<void> {
    this.stats.batches++;
    let records = batch;
    let invokes = 0;
    for (;;) {
      this.lastBatch = records;
      this.stats.invocations++;
      invokes++;
      let failedAt: number | undefined;
      let functionError = false;
      try {
        const res = await this.opts.handler({ Records: records });
        const ids = (res?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
        if (ids.length) {
          // the lowest reported record; one that is not in the batch (or empty) fails the whole batch
          const at = ids.map((id) => records.findIndex((r) => r.dynamodb?.SequenceNumber === id));
          failedAt = at.some((i) => i < 0) ? 0 : Math.min(...at);
        }
      } catch {
        functionError = true;
        failedAt = 0;
      }
      if (failedAt === undefined) return;
      if (functionError && TABLE.stream.bisectOnError && records.length > 1) {
        const half = Math.ceil(records.length / 2);
        this.stats.retries++;
        await this.deliver(records.slice(0, half), attempts + 1);
        await this.deliver(records.slice(half), attempts + 1);
        return;
      }
      records = records.slice(failedAt);
      if (++attempts > this.retryAttempts) {
        this.failures.push(this.failure(records, invokes, functionError));
        return;
      }
      this.stats.retries++;
    }
  }

  private failure(records: DynamoDBRecord[], invokes: number, functionError: boolean): StreamFailure {
    const first = records[0]!.dynamodb!;
    const last = records.at(-1)!.dynamodb!;
    const iso = (s: number | undefined) => new Date((s ?? 0) * 1000).toISOString();
    return {
      requestContext: { requestId: crypto.randomUUID(), functionArn: this.functionArn, condition: 'RetryAttemptsExhausted', approximateInvokeCount: invokes },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(functionError ? { functionError: 'Unhandled' } : {}) },
      version: '1.0',
      timestamp: new Date(this.opts.clock.now()).toISOString(),
      DDBStreamBatchInfo: {
        shardId: this.shardId,
        startSequenceNumber: first.SequenceNumber!,
        endSequenceNumber: last.SequenceNumber!,
        approximateArrivalOfFirstRecord: iso(first.ApproximateCreationDateTime),
        approximateArrivalOfLastRecord: iso(last.ApproximateCreationDateTime),
        batchSize: records.length,
        streamArn: this.streamArn,
      },
    };
  }
}
