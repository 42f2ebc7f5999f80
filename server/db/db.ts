/**
 * The database handle domain modules take, and the few facts about its errors they rely on.
 * It is wx-server-sdk's database: the real cloud environment, or the local cloud's endpoint.
 */
import type cloud from 'wx-server-sdk';

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

export interface CollectionRef extends Query {
  doc(id: string): DocumentRef;
  add(options: { data: object | object[] }): Promise<{ _id?: string; _ids?: string[] }>;
}

/** Inside a transaction only single-document operations exist (platform facts). */
export interface Transaction {
  collection(name: string): { doc(id: string): DocumentRef; add(options: { data: object }): Promise<unknown> };
}

export interface Db {
  collection(name: string): CollectionRef;
  command: SdkDatabase['command'];
  RegExp(options: { regexp: string; options?: string }): unknown;
  runTransaction<T>(body: (transaction: Transaction) => Promise<T>, retries?: number): Promise<T>;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The SDK's database seen through the interface above. */
export function asDb(database: SdkDatabase): Db {
  return database as unknown as Db;
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
