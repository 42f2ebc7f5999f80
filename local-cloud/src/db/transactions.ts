import { randomBytes } from 'crypto';
import { DbError, transactionConflict } from './errors';
import type { Doc } from './values';

/**
 * One open transaction. Reads see committed data plus the transaction's own buffered writes;
 * nothing is visible to others until commit applies `writes` in one step.
 */
export class Transaction {
  /** Documents read or written, as `collection \0 encoded _id`: a later outside write to one is a conflict. */
  readonly touched = new Set<string>();
  /** Buffered final state per collection and encoded `_id` (null = deleted). */
  readonly writes = new Map<string, Map<string, Doc | null>>();
  conflict: string | null = null;
  timer: NodeJS.Timeout | null = null;

  constructor(readonly id: string) {}

  static touchKey(collection: string, key: string): string {
    return `${collection}\u0000${key}`;
  }

  bufferedWrite(collection: string, key: string): Doc | null | undefined {
    return this.writes.get(collection)?.get(key);
  }

  hasBufferedWrite(collection: string, key: string): boolean {
    return this.writes.get(collection)?.has(key) ?? false;
  }

  buffer(collection: string, key: string, doc: Doc | null): void {
    let coll = this.writes.get(collection);
    if (!coll) {
      coll = new Map();
      this.writes.set(collection, coll);
    }
    coll.set(key, doc);
    this.touched.add(Transaction.touchKey(collection, key));
  }
}

export interface TransactionLockOptions {
  /** An open transaction with no request for this long is aborted, releasing the lock. */
  readonly idleTimeoutMs: number;
  /** startTransaction gives up after waiting this long (must stay below the SDK's 15 s timeout). */
  readonly waitTimeoutMs: number;
}

interface Waiter {
  resolve(txn: Transaction): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Transactions run one at a time: startTransaction waits in a FIFO queue for the previous one
 * to finish. Together with buffered writes and conflict detection against outside writes
 * this makes transactions serializable, so concurrent read-modify-write transactions never
 * lose updates.
 */
export class TransactionLock {
  private active: Transaction | null = null;
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(
    private readonly opts: TransactionLockOptions,
    private readonly onAbandoned: (txn: Transaction) => void,
  ) {}

  get current(): Transaction | null {
    return this.active;
  }

  get queueLength(): number {
    return this.waiters.length;
  }

  /**
   * Opens a transaction once the lock is free. `signal` aborts the wait (the requesting
   * function timed out or disconnected), so a dead request never ends up holding the lock.
   */
  begin(signal?: AbortSignal): Promise<Transaction> {
    if (this.closed) return Promise.reject(new DbError('DATABASE_REQUEST_FAILED', '[ResourceUnavailable] database is closed'));
    if (signal?.aborted) return Promise.reject(new DbError('DATABASE_REQUEST_FAILED', '[RequestAborted] startTransaction was cancelled'));
    if (!this.active) return Promise.resolve(this.activate());
    return new Promise<Transaction>((resolve, reject) => {
      const leave = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        clearTimeout(waiter.timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        leave();
        reject(new DbError('DATABASE_REQUEST_FAILED', '[RequestAborted] startTransaction was cancelled'));
      };
      const waiter: Waiter = {
        resolve: (txn) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(txn);
        },
        reject,
        timer: setTimeout(() => {
          leave();
          reject(
            new DbError(
              'DATABASE_REQUEST_FAILED',
              `[ResourceUnavailable.TransactionBusy] waited ${this.opts.waitTimeoutMs} ms for another transaction to finish`,
            ),
          );
        }, this.opts.waitTimeoutMs),
      };
      waiter.timer.unref();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** The open transaction with this id; a finished, expired or unknown one is a retryable conflict. */
  get(id: unknown): Transaction {
    const txn = this.active;
    if (!txn || txn.id !== id) {
      throw transactionConflict(`transaction ${String(id)} does not exist or has expired; retry it`);
    }
    this.arm(txn);
    return txn;
  }

  /** Ends `txn` (committed or aborted) and hands the lock to the next waiter. */
  release(txn: Transaction): void {
    if (this.active !== txn) return;
    if (txn.timer) clearTimeout(txn.timer);
    txn.timer = null;
    this.active = null;
    if (this.closed) return;
    const next = this.waiters.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve(this.activate());
    }
  }

  /** Records a non-transactional write so the open transaction fails at commit if it used that document. */
  noteOutsideWrite(collection: string, keys: Iterable<string>): void {
    const txn = this.active;
    if (!txn || txn.conflict) return;
    for (const key of keys) {
      if (txn.touched.has(Transaction.touchKey(collection, key))) {
        txn.conflict = `document ${key.slice(1)} in ${collection} was changed outside the transaction`;
        return;
      }
    }
  }

  close(): void {
    this.closed = true;
    if (this.active) this.release(this.active);
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new DbError('DATABASE_REQUEST_FAILED', '[ResourceUnavailable] database is closed'));
    }
  }

  private activate(): Transaction {
    const txn = new Transaction(randomBytes(16).toString('hex'));
    this.active = txn;
    this.arm(txn);
    return txn;
  }

  private arm(txn: Transaction): void {
    if (txn.timer) clearTimeout(txn.timer);
    txn.timer = setTimeout(() => {
      if (this.active !== txn) return;
      this.onAbandoned(txn);
      this.release(txn);
    }, this.opts.idleTimeoutMs);
    txn.timer.unref();
  }
}
