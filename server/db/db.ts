/**
 * The database handle domain modules take, and the few facts about its errors they rely on.
 * It is wx-server-sdk's database: the real cloud environment, or the local cloud's endpoint.
 */
import type cloud from 'wx-server-sdk';
import { AppFailure } from '../core/result';

type SdkDatabase = ReturnType<typeof cloud.database>;

/* eslint-disable @typescript-eslint/no-explicit-any -- documents are shaped by each caller */
export type Filter = Record<string, unknown> | ReturnType<SdkDatabase['command']['and']>;

/**
 * The part of wx-server-sdk's database the code uses, typed the way it behaves with
 * promises (the SDK's own typings union every result with the callback style's `void`).
 */
export interface Query {
  where(filter: Filter): Query;
  orderBy(field: string, direction: 'asc' | 'desc'): Query;
  skip(count: number): Query;
  limit(count: number): Query;
  field(projection: Record<string, boolean>): Query;
  get(): Promise<{ data: any[] }>;
  count(): Promise<{ total: number }>;
  update(options: { data: object }): Promise<{ stats: { updated: number } }>;
  remove(): Promise<{ stats: { removed: number } }>;
}

export interface DocumentRef {
  get(): Promise<{ data: any }>;
  set(options: { data: object }): Promise<unknown>;
  update(options: { data: object }): Promise<{ stats: { updated: number } }>;
  remove(): Promise<unknown>;
}

/**
 * An aggregation pipeline. Without a `limit` stage CloudBase returns 20 rows; with one, at most
 * 10,000 (platform facts): every pipeline here ends with an explicit limit.
 */
export interface Aggregate {
  match(filter: Filter): Aggregate;
  project(projection: Record<string, unknown>): Aggregate;
  group(group: Record<string, unknown>): Aggregate;
  sort(order: Record<string, 1 | -1>): Aggregate;
  skip(count: number): Aggregate;
  limit(count: number): Aggregate;
  unwind(field: string): Aggregate;
  end(): Promise<{ list: any[] }>;
}

export interface CollectionRef extends Query {
  doc(id: string): DocumentRef;
  add(options: { data: object | object[] }): Promise<{ _id?: string; _ids?: string[] }>;
  aggregate(): Aggregate;
}

/** Inside a transaction only single-document operations exist (platform facts). */
export interface Transaction {
  collection(name: string): { doc(id: string): DocumentRef; add(options: { data: object }): Promise<unknown> };
}

export interface Db {
  collection(name: string): CollectionRef;
  command: SdkDatabase['command'];
  RegExp(options: { regexp: string; options?: string }): unknown;
  /**
   * Runs `body` in a transaction. A conflict with a concurrent transaction runs it again after
   * a short random pause; conflicts that outlast TRANSACTION_RETRY answer BUSY_RETRY.
   */
  runTransaction<T>(body: (transaction: Transaction) => Promise<T>): Promise<T>;
}

/** What the SDK's database offers for transactions: `times` is how often it retries a conflict by itself. */
interface SdkTransactions {
  runTransaction<T>(body: (transaction: Transaction) => Promise<T>, times?: number): Promise<T>;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * A write conflict with a concurrent transaction. The SDK recognises only its own `code`, but
 * wx-server-sdk rewraps errors thrown by reads and writes inside the body (keeping the text),
 * so conflicts reported there are recognised by their message too.
 */
export function isTransactionConflict(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; errMsg?: unknown } | null;
  const text = `${String(e?.code ?? '')} ${String(e?.message ?? '')} ${String(e?.errMsg ?? '')}`;
  return /TRANSACTION_CONFLICT|TransactionConflict|WriteConflict/i.test(text);
}

/** The local cloud gave up waiting in its one-at-a-time transaction queue: a retry would wait again. */
function isTransactionQueueFull(error: unknown): boolean {
  const e = error as { message?: unknown; errMsg?: unknown } | null;
  return /TransactionBusy/.test(`${String(e?.message ?? '')} ${String(e?.errMsg ?? '')}`);
}

export interface TransactionRetryPolicy {
  /** Runs in all, the first included. */
  attempts: number;
  /** The pause before the first retry; it doubles per retry up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  sleep(ms: number): Promise<void>;
  /** In [0, 1): spreads the pauses so callers that conflicted together do not retry together. */
  random(): number;
}

/**
 * Six runs, pauses of 10–20, 20–40, 40–80, 80–160 and 160–320 ms between them: at most 620 ms
 * of waiting before a caller hears BUSY_RETRY, instead of an INTERNAL after seconds.
 */
export const TRANSACTION_RETRY: TransactionRetryPolicy = {
  attempts: 6,
  baseDelayMs: 20,
  maxDelayMs: 320,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** The pause before retry `retry` (0 for the first): half its ceiling fixed, half random. */
export function retryDelayMs(policy: Pick<TransactionRetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>, retry: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(ceiling / 2 + (policy.random() * ceiling) / 2);
}

/**
 * Runs a transaction through the SDK with the retries above. The SDK's own retries are turned
 * off (they run again at once, and a caller wrapping them multiplied them into seconds of
 * work); any error other than a conflict, a refusal included, passes through untouched.
 */
export async function runTransactionRetrying<T>(
  sdk: SdkTransactions,
  body: (transaction: Transaction) => Promise<T>,
  policy: TransactionRetryPolicy = TRANSACTION_RETRY,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await sdk.runTransaction(body, 0);
    } catch (error) {
      if (isTransactionQueueFull(error)) throw new AppFailure('BUSY_RETRY');
      if (!isTransactionConflict(error)) throw error;
      if (attempt >= policy.attempts) throw new AppFailure('BUSY_RETRY');
      await policy.sleep(retryDelayMs(policy, attempt - 1));
    }
  }
}

/**
 * The SDK's database seen through the interface above. Every domain's transactions pass
 * here, so expected contention is BUSY_RETRY everywhere, never INTERNAL.
 */
export function asDb(database: SdkDatabase, policy: TransactionRetryPolicy = TRANSACTION_RETRY): Db {
  const sdk = database as unknown as Omit<Db, 'runTransaction'> & SdkTransactions;
  return {
    collection: (name) => sdk.collection(name),
    command: sdk.command,
    RegExp: (options) => sdk.RegExp(options),
    runTransaction: (body) => runTransactionRetrying(sdk, body, policy),
  };
}

/**
 * An insert lost to an existing `_id` or unique key. CloudBase passes MongoDB's E11000 text
 * through; the local cloud answers the same way.
 */
export function isDuplicateKey(error: unknown): boolean {
  const message = (error as { message?: unknown; errMsg?: unknown } | null)?.message ?? (error as { errMsg?: unknown } | null)?.errMsg;
  return typeof message === 'string' && /E11000|duplicate key/i.test(message);
}

/**
 * Inserts a document with a deterministic `_id`; false when one with that `_id` exists.
 * A failure whose text is not recognised is confirmed by reading the `_id`, so the answer
 * does not depend on the exact wording of the platform's duplicate-key error.
 */
export async function insertIfAbsent(db: Db, collection: string, doc: { _id: string } & Record<string, unknown>): Promise<boolean> {
  try {
    await db.collection(collection).add({ data: doc });
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    if (await findById(db, collection, doc._id)) return false;
    throw error;
  }
}

/** One document by `_id`, or null; `doc(id).get()` throws on a missing one, a query does not. */
export async function findById<T>(db: Db, collection: string, id: string): Promise<T | null> {
  const { data } = await db.collection(collection).where({ _id: id }).limit(1).get();
  return (data[0] as T | undefined) ?? null;
}

const READ_PAGE = 1000;

/**
 * Every document of a query, a page of 1000 at a time by `_id` (a `get` returns at most 1,000;
 * paging by `_id` never skips or repeats a document, as paging by a field several share would).
 */
export async function readAll<T extends { _id: string }>(
  db: Db,
  collection: string,
  filter: Record<string, unknown> = {},
  fields?: Record<string, boolean>,
): Promise<T[]> {
  const _ = db.command;
  const out: T[] = [];
  let after: string | null = null;
  for (;;) {
    const where: Record<string, unknown> = after === null ? filter : { ...filter, _id: _.gt(after) };
    let query: Query = db.collection(collection).where(where).orderBy('_id', 'asc').limit(READ_PAGE);
    if (fields) query = query.field({ ...fields, _id: true });
    const { data } = await query.get();
    out.push(...(data as T[]));
    if (data.length < READ_PAGE) return out;
    after = (data[data.length - 1] as T)._id;
  }
}
