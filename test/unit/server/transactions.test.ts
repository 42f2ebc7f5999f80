/** The transaction helpers every domain uses (server/db/transactions.ts) over db.ts's retrying transactions, against a scripted SDK. */
import { AppFailure } from '../../../server/core/result';
import { asDb, type Transaction, type TransactionRetryPolicy } from '../../../server/db/db';
import { runRefusable } from '../../../server/db/transactions';

const noPause: TransactionRetryPolicy = { attempts: 6, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => undefined, random: () => 0 };

/** An SDK database whose transactions fail with the given errors (after running the body) before succeeding. */
function scriptedDb(failures: unknown[]) {
  let attempts = 0;
  const sdk = {
    collection: () => ({}),
    command: {},
    RegExp: () => ({}),
    async runTransaction<T>(body: (t: Transaction) => Promise<T>): Promise<T> {
      attempts += 1;
      const failure = failures.shift();
      let result: T;
      try {
        result = await body({} as Transaction);
      } catch (error) {
        // wx-server-sdk rethrows what the body threw as a new error that keeps only the text.
        throw new Error(String((error as Error).message));
      }
      if (failure) throw failure;
      return result;
    },
  };
  return { db: asDb(sdk as never, noPause), attempts: () => attempts };
}

// What wx-server-sdk 4 throws for a conflict reported by a write inside the body: the
// platform's code is gone, its text survives.
const conflict = Object.assign(new Error('document.update:fail -502001 database request fail. [ResourceUnavailable.TransactionConflict] Transaction is conflicted'), { errCode: -502001 });

test('a refusal comes out as itself, although the SDK rewrapped it, and is not retried', async () => {
  const scripted = scriptedDb([]);
  const refusal = new AppFailure('LAST_ADMIN', '至少需要保留一位管理员');
  const error = await runRefusable(scripted.db, async () => {
    throw refusal;
  }).catch((e: unknown) => e);
  expect(error).toBe(refusal);
  expect(scripted.attempts()).toBe(1);
});

test('a refusal after a conflict is still the refusal; a success after a conflict is the success', async () => {
  const refusing = scriptedDb([conflict]);
  let runs = 0;
  const refusal = new AppFailure('MEMBER_STALE', '已被修改');
  const error = await runRefusable(refusing.db, async () => {
    runs += 1;
    if (runs === 2) throw refusal;
  }).catch((e: unknown) => e);
  expect(error).toBe(refusal);
  const succeeding = scriptedDb([conflict]);
  await expect(runRefusable(succeeding.db, async () => 'done')).resolves.toBe('done');
  expect(succeeding.attempts()).toBe(2);
});

test('contention that outlasts the retries is BUSY_RETRY (never INTERNAL); other errors pass through unretried', async () => {
  const always = scriptedDb(Array.from({ length: 10 }, () => conflict));
  await expect(runRefusable(always.db, async () => 'done')).rejects.toMatchObject({ code: 'BUSY_RETRY' });
  expect(always.attempts()).toBe(noPause.attempts);
  const broken = scriptedDb([new Error('network down')]);
  await expect(runRefusable(broken.db, async () => 'x')).rejects.toThrow('network down');
  expect(broken.attempts()).toBe(1);
});
