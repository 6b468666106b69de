/**
 * Change capture at the storage layer, for the stream emulator (./emulator.ts): every item a table commits, with
 * its image before and after, in commit order — whichever request wrote it (PutItem, UpdateItem, DeleteItem,
 * BatchWriteItem, TransactWriteItems). Two sources:
 *
 *  - dynalite (the local runtime, the tests): its item store is wrapped where the actions write (`getItemDb(table)`
 *    put/del, under dynalite's per-key lock), so the new image is exactly what was stored; the change is taken
 *    before dynalite answers the request, so the request is still in flight (tracked) when the record is queued.
 *    This reaches into dynalite's internals (`dynalite/db` `create`; pinned at 4.0.0 in package.json), which is why
 *    it lives here and nowhere else. The same server answers TransactWriteItems (../dynalite-transactions.ts), whose
 *    writes are committed in one batch past the wrapped store: it hands them over here once they are committed.
 *  - the in-process table (the simulator): its `onChange` hook (functions/store/in-process.ts).
 */
import { createRequire } from 'node:module';
import type http from 'node:http';
import { marshall } from '@aws-sdk/util-dynamodb';
import dynalite from 'dynalite';
import type { InProcessTable } from '../../../functions/store/in-process.js';
import { type DynaliteStore, withTransactions } from '../dynalite-transactions.js';
import { TABLE } from '../../../functions/store/table.js';
import type { Image, StreamEmulator } from './emulator.js';

const require = createRequire(import.meta.url);

type Callback = (err?: Error | null, value?: unknown) => void;
interface ItemDb {
  put(key: string, value: unknown, cb: Callback): void;
  get(key: string, cb: Callback): void;
  del(key: string, cb: Callback): void;
  __captured?: boolean;
}
interface Store {
  getItemDb(name: string): ItemDb;
}

const keysOf = (item: Image): Image => ({ [TABLE.partitionKey]: item[TABLE.partitionKey]!, [TABLE.sortKey]: item[TABLE.sortKey]! });

/** A dynalite server whose committed item changes of `tableName` go to `stream`. */
export function dynaliteWithStream(options: Parameters<typeof dynalite>[0], tableName: string, stream: () => StreamEmulator | undefined): http.Server {
  const db = require('dynalite/db') as { create: (o: unknown) => Store };
  const create = db.create;
  let created: Store | undefined;
  db.create = (o: unknown) => {
    const store = create(o);
    created = store;
    const getItemDb = store.getItemDb.bind(store);
    store.getItemDb = (name: string) => {
      const itemDb = getItemDb(name);
      if (name !== tableName || itemDb.__captured) return itemDb;
      itemDb.__captured = true;
      const get = itemDb.get.bind(itemDb);
      const put = itemDb.put.bind(itemDb);
      const del = itemDb.del.bind(itemDb);
      const before = (key: string, then: (old: Image | undefined) => void) => get(key, (err, old) => then(err ? undefined : (old as Image)));
      itemDb.put = (key, value, cb) => {
        const s = stream();
        // only a change whose new image may pass the stream's filter is read before and captured
        if (!s || !s.mayMatch(value as Image)) return put(key, value, cb);
        before(key, (old) =>
          put(key, value, (err) => {
            if (!err) s.capture(keysOf(value as Image), value as Image, old);
            cb(err);
          }),
        );
      };
      itemDb.del = (key, cb) => {
        const s = stream();
        if (!s || !s.mayMatch(undefined)) return del(key, cb);
        before(key, (old) =>
          del(key, (err) => {
            if (!err && old && s.mayMatch(undefined)) s.capture(keysOf(old), undefined, old);
            cb(err);
          }),
        );
      };
      return itemDb;
    };
    return store;
  };
  let server: http.Server;
  try {
    server = dynalite(options);
  } finally {
    db.create = create;
  }
  return withTransactions(server, created as unknown as DynaliteStore, (changes) => {
    const s = stream();
    if (!s) return;
    for (const c of changes) {
      if (c.tableName === tableName && (c.after || c.before) && s.mayMatch(c.after as Image | undefined)) s.capture(c.keys as Image, c.after as Image | undefined, c.before as Image | undefined);
    }
  });
}

/** The in-process table's committed changes go to `stream` (only those that may pass its filter are copied). */
export function inProcessWithStream(table: InProcessTable, stream: StreamEmulator): void {
  const opts = { removeUndefinedValues: true, convertClassInstanceToMap: true };
  table.onChange = (key, before, now) => {
    if (!stream.mayMatch(now)) return;
    const keys = marshall({ [TABLE.partitionKey]: key[TABLE.partitionKey], [TABLE.sortKey]: key[TABLE.sortKey] }) as Image;
    stream.capture(keys, now ? (marshall(now, opts) as Image) : undefined, before && before !== 'existed' ? (marshall(before, opts) as Image) : before);
  };
}
