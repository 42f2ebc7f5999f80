/**
 * Transactions as every domain writes them: a read that answers null for a missing document,
 * and refusals (AppFailure) carried out of the transaction intact. Conflicts are retried, and
 * answer BUSY_RETRY once they outlast the retries, by `Db.runTransaction` itself (db.ts).
 */
import { AppFailure } from '../core/result';
import type { Db, Transaction } from './db';

export async function getInTransaction<T>(t: Transaction, collection: string, id: string): Promise<T | null> {
  try {
    const { data } = await t.collection(collection).doc(id).get();
    return (data as T | null) ?? null;
  } catch (error) {
    // CloudBase answers a missing document inside a transaction with an error, not null.
    if (/not exist|does not exist|cannot find/i.test(String((error as { message?: unknown; errMsg?: unknown })?.message ?? (error as { errMsg?: unknown })?.errMsg ?? ''))) return null;
    throw error;
  }
}

/**
 * Runs a transaction whose body may refuse with an AppFailure. The SDK rolls back on any
 * throw but may rewrap what it rethrows, so the refusal is carried out beside it.
 */
export async function runRefusable<T>(db: Db, body: (t: Transaction) => Promise<T>): Promise<T> {
  let refusal: AppFailure | null = null;
  try {
    return await db.runTransaction(async (t) => {
      refusal = null;
      try {
        return await body(t);
      } catch (error) {
        if (error instanceof AppFailure) refusal = error;
        throw error;
      }
    });
  } catch (error) {
    if (refusal) throw refusal;
    throw error;
  }
}
