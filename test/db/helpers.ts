/**
 * Minimal stand-in for the local cloud's HTTP server: the real wx-server-sdk in the Jest process
 * talks to an http server on 127.0.0.1 whose only job is to hand database requests to the
 * engine, exactly as the local cloud does.
 */
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import type { UserDoc } from '../../server/accounts/model';
import { COLLECTIONS, type CollectionDecl } from '../../server/db/collections';
import { asDb, type Db } from '../../server/db/db';
import { forgetTree } from '../../server/org/tree';
import { DbEngine, type DbEngineOptions } from '../../local-cloud/src/db/engine';
import { handleDatabaseRequest } from '../../local-cloud/src/db/protocol';

/** Collections of the fidelity suite only (never the app's list). */
export const TEST_COLLECTIONS: readonly CollectionDecl[] = [
  {
    name: 'items',
    indexes: [
      { name: 'sku_unique', keys: { sku: 1 }, unique: true },
      { name: 'category_price', keys: { category: 1, price: -1 } },
    ],
  },
  { name: 'slots', indexes: [{ name: 'room_day_unique', keys: { room: 1, day: 1 }, unique: true }] },
  { name: 'accounts', indexes: [] },
  { name: 'people', indexes: [{ name: 'group', keys: { group: 1 } }] },
];

export type WxCloud = typeof import('wx-server-sdk');

/*
 * wx-server-sdk's own typings mix callback and promise styles (every call returns
 * `void | string | Promise`); the suite uses this promise-only view of the same objects.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDoc = Record<string, any>;

export interface SdkQuery {
  where(query: object): SdkQuery;
  orderBy(field: string, direction: 'asc' | 'desc'): SdkQuery;
  skip(n: number): SdkQuery;
  limit(n: number): SdkQuery;
  field(projection: object): SdkQuery;
  get(): Promise<{ data: AnyDoc[]; errMsg: string }>;
  count(): Promise<{ total: number; errMsg: string }>;
  update(options: { data: object }): Promise<{ stats: { updated: number } }>;
  remove(): Promise<{ stats: { removed: number } }>;
}

export interface SdkDocument {
  get(): Promise<{ data: AnyDoc }>;
  set(options: { data: object }): Promise<{ _id: unknown; stats: { updated: number; created: number } }>;
  update(options: { data: object }): Promise<{ stats: { updated: number } }>;
  remove(): Promise<{ stats: { removed: number } }>;
  field(projection: object): SdkDocument;
}

export interface SdkAggregate {
  match(query: object): SdkAggregate;
  group(spec: object): SdkAggregate;
  sort(spec: object): SdkAggregate;
  limit(n: number): SdkAggregate;
  lookup(spec: object): SdkAggregate;
  end(): Promise<{ list: AnyDoc[] }>;
}

export interface SdkCollection extends SdkQuery {
  doc(id: string | number): SdkDocument;
  add(options: { data: object[] }): Promise<{ _ids: (string | number)[] }>;
  add(options: { data: object }): Promise<{ _id: string | number }>;
  aggregate(): SdkAggregate;
}

export interface SdkTransaction {
  collection(name: string): SdkCollection;
  commit(): Promise<unknown>;
  rollback(reason?: unknown): Promise<unknown>;
}

export interface SdkDb {
  collection(name: string): SdkCollection;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  command: any;
  serverDate(options?: { offset: number }): unknown;
  RegExp(options: { regexp: string; options?: string }): unknown;
  createCollection(name: string): Promise<{ errMsg: string }>;
  runTransaction<T>(callback: (txn: SdkTransaction) => Promise<T>, times?: number): Promise<T>;
  startTransaction(): Promise<SdkTransaction>;
}

export interface TestCloud {
  /** The engine requests currently go to (swap it to test reopening). */
  engine: DbEngine;
  readonly cloud: WxCloud;
  readonly db: SdkDb;
  /** Bodies of every request received, newest last. */
  readonly requests: Record<string, unknown>[];
  readonly url: string;
  close(): Promise<void>;
}

export function openEngine(options: Partial<DbEngineOptions> = {}): Promise<DbEngine> {
  return DbEngine.open({ dataDir: null, collections: TEST_COLLECTIONS, ...options });
}

export function tempDir(prefix = 'xt-db-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Starts the server and points the real SDK at it. Environment needed by wx-server-sdk 4.0.2:
 * TCB_CONTEXT_CNFG.URL (the endpoint), TENCENTCLOUD=true (skips the metadata lookup) and
 * placeholder secrets (without them a database call rejects unhandled).
 */
export async function startTestCloud(engine: DbEngine): Promise<TestCloud> {
  const requests: Record<string, unknown>[] = [];
  const state = { engine };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        let reply: unknown;
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          requests.push(body);
          reply = await handleDatabaseRequest(state.engine, body);
        } catch (e) {
          reply = { code: 'SYS_ERR', message: String(e) };
        }
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(reply));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/tcb/test-invocation`;
  process.env.TCB_CONTEXT_CNFG = JSON.stringify({ URL: url });
  process.env.TENCENTCLOUD = 'true';
  process.env.TENCENTCLOUD_SECRETID = 'local-secret-id';
  process.env.TENCENTCLOUD_SECRETKEY = 'local-secret-key';
  process.env.SILENCE = 'true';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cloud = require('wx-server-sdk') as WxCloud;
  cloud.init({ env: 'local-env' });
  const db = cloud.database() as unknown as SdkDb;
  return {
    get engine() {
      return state.engine;
    },
    set engine(e: DbEngine) {
      state.engine = e;
    },
    cloud,
    db,
    requests,
    url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Rejection of a promise, for asserting on SDK errors. */
export async function failure(p: Promise<unknown>): Promise<Error & { errCode?: number; code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { errCode?: number; code?: string };
  }
  throw new Error('expected the call to fail');
}

export interface AppDatabase {
  /** The engine and SDK of the running test cloud. */
  readonly cloud: TestCloud;
  /** The app's view of the database, as domain modules take it. */
  readonly db: Db;
}

/**
 * The app's collections and indexes behind the real SDK for one test file: started before
 * its tests, emptied before each (with any cached unit tree forgotten), closed after.
 */
export function useAppDatabase(): AppDatabase {
  let cloud: TestCloud | null = null;
  let db: Db | null = null;
  beforeAll(async () => {
    cloud = await startTestCloud(await openEngine({ collections: COLLECTIONS }));
    db = asDb(cloud.db as never);
  });
  afterAll(async () => {
    await cloud?.engine.close();
    await cloud?.close();
  });
  beforeEach(async () => {
    await cloud?.engine.reset();
    forgetTree();
  });
  return {
    get cloud() {
      if (!cloud) throw new Error('the test database starts in beforeAll');
      return cloud;
    },
    get db() {
      if (!db) throw new Error('the test database starts in beforeAll');
      return db;
    },
  };
}

type Doc = Record<string, unknown>;

/**
 * The database with one request paused: the first `op` on `collection` whose filter and data
 * match `when` runs `meanwhile` (another call, to its end) before the request goes to the
 * database (`pausedAt`), or after it answered and before its caller sees the answer (`pausedAfter`).
 */
export function paused(base: Db, at: 'before' | 'after', collection: string, op: 'get' | 'update' | 'remove', when: (filter: Doc, data?: Doc) => boolean, meanwhile: () => Promise<unknown>): Db {
  let fired = false;
  const hold = async (filter: Doc, data: Doc | undefined): Promise<void> => {
    if (fired || !when(filter, data)) return;
    fired = true;
    await meanwhile();
  };
  // A query and the queries its chain makes (`limit`, `orderBy`...) until the paused call.
  const watch = <Q extends object>(query: Q, filter: Doc): Q =>
    new Proxy(query, {
      get(q, prop) {
        const value = Reflect.get(q, prop, q) as unknown;
        if (typeof value !== 'function') return value;
        const call = value as (...args: unknown[]) => unknown;
        if (prop === op) {
          return async (options?: { data: Doc }) => {
            if (at === 'before') await hold(filter, options?.data);
            const result = await call.call(q, options);
            if (at === 'after') await hold(filter, options?.data);
            return result;
          };
        }
        return (...args: unknown[]) => {
          const result = call.apply(q, args);
          return typeof result === 'object' && result !== null && 'get' in result ? watch(result, filter) : result;
        };
      },
    });
  return {
    ...base,
    collection(name: string) {
      const target = base.collection(name);
      if (name !== collection) return target;
      return new Proxy(target, {
        get(coll, prop) {
          const value = Reflect.get(coll, prop, coll) as unknown;
          if (prop !== 'where') return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(coll) : value;
          return (filter: Doc) => watch(coll.where(filter), filter);
        },
      });
    },
  } as Db;
}

/** An account bound to an active roster member (`memberId`, named after it), as the guard loads it. */
export function memberAccount(id: string, memberId: string, options: { admin?: boolean; at: Date; name?: string; units?: { ids: string[]; names: string[] } }): UserDoc {
  const units = options.units ?? { ids: [], names: [] };
  return {
    _id: id,
    nickname: null,
    avatarFileId: null,
    roles: options.admin ? ['admin'] : [],
    member: { id: memberId, name: options.name ?? memberId, number: memberId, kind: 'staff', unitNames: units.names, active: true, unitIds: units.ids, unitKeys: units.ids },
    wecom: null,
    profileEditedAt: null,
    createdAt: options.at,
    updatedAt: options.at,
  };
}
