/**
 * TransactWriteItems for dynalite, which has none (TOOLCHAIN.md; architect/dynalite#151): the store uses one
 * transaction, a new person's intake (functions/services/intake.ts → functions/store/transact.ts), and the local
 * runtime must run the same code as AWS.
 *
 * What DynamoDB documents, for one table (a transaction over several tables is refused: the store has one):
 *  - all or nothing: the items' keys are locked with dynalite's own per-key lock (the one its single-item actions
 *    take, so nothing writes them meanwhile); every action is first run *dry* — dynalite's own putItem, updateItem
 *    and deleteItem code against a store whose writes are only recorded — and only when every condition holds and
 *    every action can be carried out are the recorded writes (items and index entries) committed in one LevelDB
 *    batch, which is atomic on disk too (a kill -9 leaves all of it or none);
 *  - a failed condition cancels it: `TransactionCanceledException` with one `CancellationReasons` entry per action in
 *    order (`None`, `ConditionalCheckFailed` — with the item when the action asks `ReturnValuesOnConditionCheckFailure:
 *    ALL_OLD` —, or `ValidationError` for an action that cannot be carried out, such as ADD to a string);
 *  - at most 100 actions, no two on one item, expressions validated as dynalite validates them for the single-item
 *    actions (ValidationException);
 *  - `ClientRequestToken` (the SDK sets one and keeps it across its retries): the same token and request within 10
 *    minutes answers as the first time without writing again; the same token with another request is
 *    `IdempotentParameterMismatchException`;
 *  - consumed capacity: twice what the single-item actions would consume (DynamoDB's price of a transaction).
 * Not implemented: transaction conflicts with concurrent writes (the lock serialises them instead; DynamoDB may cancel
 * with `TransactionConflict`, which the store treats like any cancellation), TransactGetItems.
 *
 * This reaches into dynalite's internals (`dynalite/db`, its actions and validations; pinned at 4.0.0 in
 * package.json), like the stream's change capture (./streams/capture.ts), which installs it.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type http from 'node:http';
import { crc32 } from 'node:zlib';

const require = createRequire(import.meta.url);

type Callback = (err?: (Error & { statusCode?: number; body?: Record<string, unknown>; name: string }) | null, value?: unknown) => void;
type Attrs = Record<string, Record<string, unknown>>;
/** A LevelDB batch operation on dynalite's one database (keys prefixed by their sub-database). */
type LevelOp = { type: 'put'; key: string; value: unknown } | { type: 'del'; key: string };

interface SubDb {
  get(key: string, cb: Callback): void;
  put(key: string, value: unknown, cb: Callback): void;
  del(key: string, cb: Callback): void;
  lock(keys: string | string[], exec: (release: (cb: Callback) => Callback) => void): void;
}
interface Table {
  TableName: string;
  KeySchema: unknown[];
}
/** What dynalite's `db.create` returns (the parts used here). */
export interface DynaliteStore {
  db: { batch(ops: LevelOp[], cb: (err?: Error | null) => void): void };
  options: Record<string, unknown>;
  getItemDb(name: string): SubDb;
  getIndexDb(indexType: string, tableName: string, indexName: string): SubDb;
  getTable(name: string, cb: Callback): void;
}
/** One committed change of an item, for the stream's change capture. */
export interface CommittedChange {
  tableName: string;
  keys: Attrs;
  before?: Attrs;
  after?: Attrs;
}

const db = require('dynalite/db') as {
  createKey(item: Attrs, table: Table): string;
  checkConditional(data: Record<string, unknown>, existing: Attrs | undefined): Error | null;
  validateKey(key: Attrs, table: Table): Error | null;
  validationError(msg: string): Error & { statusCode: number; body: Record<string, unknown> };
  capacityUnits(item: Attrs | undefined, isRead: boolean, consistent?: boolean): number;
};
const validations = require('dynalite/validations') as {
  checkTypes(data: unknown, types: unknown): Record<string, unknown>;
  checkValidations(data: unknown, types: unknown, custom: unknown, store: DynaliteStore): void;
};
type Action = (store: DynaliteStore, data: Record<string, unknown>, cb: Callback) => void;
const OPS = {
  Put: { action: require('dynalite/actions/putItem') as Action, validation: require('dynalite/validations/putItem') },
  Update: { action: require('dynalite/actions/updateItem') as Action, validation: require('dynalite/validations/updateItem') },
  Delete: { action: require('dynalite/actions/deleteItem') as Action, validation: require('dynalite/validations/deleteItem') },
  // a condition on a key: validated like a delete (Key, ConditionExpression), never written
  ConditionCheck: { action: undefined, validation: require('dynalite/validations/deleteItem') },
} as const;
type OpName = keyof typeof OPS;

const TOKEN_TTL_MS = 10 * 60_000;
const MAX_ACTIONS = 100;

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * Answers TransactWriteItems on `server` (a dynalite server over `store`); every other request goes to dynalite as
 * before. `onCommit` hears every item a transaction changed, once it is committed (the stream's change capture).
 */
export function withTransactions(server: http.Server, store: DynaliteStore, onCommit: (changes: CommittedChange[]) => void = () => {}): http.Server {
  const listeners = server.listeners('request') as http.RequestListener[];
  server.removeAllListeners('request');
  const tokens = new Map<string, { hash: string; at: number; answer: Record<string, unknown> }>();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.headers['x-amz-target'] !== 'DynamoDB_20120810.TransactWriteItems') {
      for (const l of listeners) l.call(server, req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
      } catch {
        return send(res, 400, { __type: 'com.amazon.coral.service#SerializationException' });
      }
      const token = typeof body.ClientRequestToken === 'string' ? body.ClientRequestToken : undefined;
      const { ClientRequestToken: _t, ...request } = body;
      const hash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
      const now = Date.now();
      for (const [t, seen] of tokens) if (now - seen.at > TOKEN_TTL_MS) tokens.delete(t);
      const earlier = token ? tokens.get(token) : undefined;
      if (earlier && earlier.hash !== hash) {
        return send(res, 400, { __type: 'com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException', message: 'Request token was used with different parameters' });
      }
      if (earlier) return send(res, 200, earlier.answer);
      transact(store, request, onCommit).then(
        (answer) => {
          if (token) tokens.set(token, { hash, at: now, answer });
          send(res, 200, answer);
        },
        (err: unknown) => {
          if (err instanceof ApiError) return send(res, 400, { __type: `com.amazonaws.dynamodb.v20120810#${err.type}`, message: err.message, ...err.extra });
          const e = err as { statusCode?: number; body?: Record<string, unknown> };
          if (e.statusCode && e.body) return send(res, e.statusCode, e.body);
          send(res, 500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: String((err as Error)?.message ?? err) });
        },
      );
    });
  });
  return server;
}

function send(res: http.ServerResponse, status: number, data: Record<string, unknown>): void {
  const body = JSON.stringify(data);
  res.statusCode = status;
  res.setHeader('x-amz-crc32', String(crc32(body)));
  res.setHeader('Content-Type', 'application/x-amz-json-1.0');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

interface Prepared {
  op: OpName;
  data: Record<string, unknown>;
  allOld: boolean;
  key: string;
}

async function transact(store: DynaliteStore, request: Record<string, unknown>, onCommit: (changes: CommittedChange[]) => void): Promise<Record<string, unknown>> {
  const items = request.TransactItems;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ACTIONS) {
    throw db.validationError(`1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length between 1 and ${MAX_ACTIONS}`);
  }
  const tableName = tableOf(items);
  const table = await new Promise<Table>((resolve, reject) => store.getTable(tableName, (err, t) => (err ? reject(err) : resolve(t as Table))));
  const prepared: Prepared[] = items.map((raw: Record<string, Record<string, unknown>>) => {
    const op = Object.keys(raw)[0] as OpName;
    const { ReturnValuesOnConditionCheckFailure: rv, ...input } = raw[op]!;
    const v = OPS[op].validation as { types: unknown; custom: unknown };
    const data = validations.checkTypes({ ...input }, v.types);
    validations.checkValidations(data, v.types, v.custom, store);
    const keyAttrs = (op === 'Put' ? data.Item : data.Key) as Attrs;
    if (op !== 'Put') {
      const invalid = db.validateKey(keyAttrs, table);
      if (invalid) throw invalid;
    }
    // the single-item actions read ReturnConsumedCapacity: asked always, reported doubled if the request asked
    data.ReturnConsumedCapacity = 'TOTAL';
    return { op, data, allOld: rv === 'ALL_OLD', key: db.createKey(keyAttrs, table) };
  });
  if (new Set(prepared.map((p) => p.key)).size !== prepared.length) throw db.validationError('Transaction request cannot include multiple operations on one item');

  const itemDb = store.getItemDb(tableName);
  return new Promise((resolve, reject) => {
    itemDb.lock(
      prepared.map((p) => p.key),
      (release) => {
        const done = release((err, answer) => (err ? reject(err) : resolve(answer as Record<string, unknown>)));
        run(store, table, itemDb, prepared, request, onCommit).then((answer) => done(null, answer), (err: Error & { name: string }) => done(err));
      },
    );
  });
}

/** Under the items' locks: every action dry, then (all of them fine) their writes in one batch. */
async function run(
  store: DynaliteStore,
  table: Table,
  itemDb: SubDb,
  prepared: Prepared[],
  request: Record<string, unknown>,
  onCommit: (changes: CommittedChange[]) => void,
): Promise<Record<string, unknown>> {
  const ops: LevelOp[] = [];
  const changes: CommittedChange[] = [];
  const reasons: Array<Record<string, unknown>> = [];
  let units = 0;
  for (const p of prepared) {
    const before = await new Promise<Attrs | undefined>((resolve, reject) =>
      itemDb.get(p.key, (err, item) => (err && err.name !== 'NotFoundError' ? reject(err) : resolve(err ? undefined : (item as Attrs)))),
    );
    const failed = (code: string, message: string) => reasons.push({ Code: code, Message: message, ...(code === 'ConditionalCheckFailed' && p.allOld && before ? { Item: before } : {}) });
    const action = OPS[p.op].action;
    if (!action) {
      if (db.checkConditional(p.data, before)) failed('ConditionalCheckFailed', 'The conditional request failed');
      else reasons.push({ Code: 'None' });
      units += db.capacityUnits(before, true, true);
      continue;
    }
    const recorded: LevelOp[] = [];
    let after: Attrs | undefined;
    const outcome = await new Promise<{ err?: Error & { body?: Record<string, unknown> }; units: number }>((resolve) =>
      action(dryStore(store, table.TableName, before, recorded, (item) => (after = item)), p.data, (err, answer) =>
        resolve({ ...(err ? { err } : {}), units: Number((answer as { ConsumedCapacity?: { CapacityUnits?: number } } | undefined)?.ConsumedCapacity?.CapacityUnits ?? 0) }),
      ),
    );
    const type = String(outcome.err?.body?.__type ?? '');
    if (outcome.err && type.endsWith('#ConditionalCheckFailedException')) failed('ConditionalCheckFailed', 'The conditional request failed');
    else if (outcome.err && outcome.err.body) failed('ValidationError', String(outcome.err.body.message ?? outcome.err.body.Message ?? 'validation error'));
    else if (outcome.err) throw outcome.err;
    else {
      reasons.push({ Code: 'None' });
      units += outcome.units;
      ops.push(...recorded);
      const keyAttrs = Object.fromEntries(table.KeySchema.map((k) => (k as { AttributeName: string }).AttributeName).map((a) => [a, ((after ?? before ?? p.data.Key) as Attrs)[a]!]));
      changes.push({ tableName: table.TableName, keys: keyAttrs, ...(before ? { before } : {}), ...(after ? { after } : {}) });
    }
  }
  if (reasons.some((r) => r.Code !== 'None')) {
    throw new ApiError('TransactionCanceledException', `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`, {
      CancellationReasons: reasons,
    });
  }
  if (ops.length) await new Promise<void>((resolve, reject) => store.db.batch(ops, (err) => (err ? reject(err) : resolve())));
  onCommit(changes);
  const asked = request.ReturnConsumedCapacity === 'TOTAL' || request.ReturnConsumedCapacity === 'INDEXES';
  return asked ? { ConsumedCapacity: [{ TableName: table.TableName, CapacityUnits: 2 * units }] } : {};
}

function tableOf(items: Array<Record<string, Record<string, unknown>>>): string {
  const names = new Set<string>();
  for (const raw of items) {
    const ops = Object.keys(raw ?? {}).filter((k) => raw[k] != null);
    if (ops.length !== 1 || !(ops[0]! in OPS)) throw db.validationError('A TransactWriteItem holds exactly one of Put, Update, Delete, ConditionCheck');
    names.add(String(raw[ops[0]!]!.TableName));
  }
  if (names.size !== 1) throw db.validationError('The local TransactWriteItems writes one table (the store has one)');
  return [...names][0]!;
}

/**
 * A view of the store for one action's dry run: the item reads as `before` (its key is locked), its lock is the one
 * already held, and its writes — the item's and its index entries' — are recorded as LevelDB operations instead of
 * written. The prefixes are dynalite's sub-database names (`getSubDb` in dynalite/db/index.js: `item-<table>` and
 * `index-<type>~<table>~<index>`, each followed by `~`).
 */
function dryStore(store: DynaliteStore, tableName: string, before: Attrs | undefined, recorded: LevelOp[], written: (item: Attrs | undefined) => void): DynaliteStore {
  const recorder = (prefix: string, isItem: boolean): SubDb => ({
    get: (_key, cb) => (before ? cb(null, before) : cb(Object.assign(new Error('NotFound'), { name: 'NotFoundError' }))),
    put: (key, value, cb) => {
      recorded.push({ type: 'put', key: prefix + key, value });
      if (isItem) written(value as Attrs);
      cb(null);
    },
    del: (key, cb) => {
      recorded.push({ type: 'del', key: prefix + key });
      if (isItem) written(undefined);
      cb(null);
    },
    lock: (_keys, exec) => exec((cb) => cb),
  });
  const dry = Object.create(store) as DynaliteStore;
  dry.getItemDb = (name) => {
    if (name !== tableName) throw new Error(`a transaction on ${tableName} touched ${name}`);
    return recorder(`item-${name}~`, true);
  };
  dry.getIndexDb = (indexType, table, indexName) => recorder(`index-${indexType.toLowerCase()}~${table}~${indexName}~`, false);
  return dry;
}
