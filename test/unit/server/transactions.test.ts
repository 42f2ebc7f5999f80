import { isTransactionConflict, runRefusable } from '../../../server/accounts/roles';
import { AppFailure } from '../../../server/core/result';
import type { Db, Transaction } from '../../../server/db/db';

/** A database whose transactions fail with the given errors before succeeding. */
function flakyDb(failures: unknown[]): { db: Db; attempts: () => number } {
  let attempts = 0;
  const db = {
    async runTransaction<T>(body: (t: Transaction) => Promise<T>): Promise<T> {
      attempts += 1;
      const failure = failures.shift();
      const result = await body({} as Transaction);
      if (failure) throw failure;
      return result;
    },
  } as unknown as Db;
  return { db, attempts: () => attempts };
}

// What wx-server-sdk 4 throws for a conflict reported by a write inside the body: the
// platform's code is gone, its text survives.
const wrapped = Object.assign(new Error('document.update:fail -502001 database request fail. [ResourceUnavailable.TransactionConflict] Transaction is conflicted'), { errCode: -502001 });
const byCode = Object.assign(new Error('conflict'), { code: 'DATABASE_TRANSACTION_CONFLICT' });

test('conflicts are recognised by code or by the text the SDK keeps', () => {
  expect(isTransactionConflict(wrapped)).toBe(true);
  expect(isTransactionConflict(byCode)).toBe(true);
  expect(isTransactionConflict({ errMsg: 'WriteConflict' })).toBe(true);
  expect(isTransactionConflict(new Error('E11000 duplicate key error'))).toBe(false);
  expect(isTransactionConflict(null)).toBe(false);
});

test('a transaction that conflicts is run again, up to four attempts', async () => {
  const twice = flakyDb([wrapped, byCode]);
  await expect(runRefusable(twice.db, async () => 'done')).resolves.toBe('done');
  expect(twice.attempts()).toBe(3);
  const always = flakyDb([wrapped, wrapped, wrapped, wrapped, wrapped]);
  await expect(runRefusable(always.db, async () => 'done')).rejects.toBe(wrapped);
  expect(always.attempts()).toBe(4);
});

test('a refusal is rethrown as itself and never retried; other errors are not retried', async () => {
  const db = flakyDb([]);
  const refusal = new AppFailure('LAST_ADMIN', '至少需要保留一位管理员');
  await expect(
    runRefusable(db.db, async () => {
      throw refusal;
    }),
  ).rejects.toBe(refusal);
  expect(db.attempts()).toBe(1);
  const broken = flakyDb([new Error('network down')]);
  await expect(runRefusable(broken.db, async () => 'x')).rejects.toThrow('network down');
  expect(broken.attempts()).toBe(1);
});
