import * as z from 'zod/mini';
import { asDb, isTransactionConflict, retryDelayMs, runTransactionRetrying, TRANSACTION_RETRY, type Transaction, type TransactionRetryPolicy } from '../../../server/db/db';
import { AppFailure, ok } from '../../../server/core/result';
import { type ActionTable, createMain } from '../../../server/core/router';
import { ERROR_TEXTS } from '../../../typings/error-texts';

// What wx-server-sdk 4 throws for a conflict reported by a write inside the body: the
// platform's code is gone, its text survives.
const wrapped = Object.assign(new Error('document.update:fail -502001 database request fail. [ResourceUnavailable.TransactionConflict] Transaction is conflicted'), { errCode: -502001 });
const byCode = Object.assign(new Error('conflict'), { code: 'DATABASE_TRANSACTION_CONFLICT' });

/** An SDK database whose transactions fail with `failures` (one per run, `always` after them). */
function fakeSdk(failures: unknown[], always?: unknown) {
  const times: unknown[] = [];
  const sdk = {
    async runTransaction<T>(body: (t: Transaction) => Promise<T>, retryTimes?: number): Promise<T> {
      times.push(retryTimes);
      const result = await body({} as Transaction);
      const failure = failures.length > 0 ? failures.shift() : always;
      if (failure) throw failure;
      return result;
    },
  };
  return { sdk, runs: () => times.length, times };
}

function policy(random: () => number = () => 0.5): TransactionRetryPolicy & { slept: number[] } {
  const slept: number[] = [];
  return {
    ...TRANSACTION_RETRY,
    random,
    slept,
    async sleep(ms: number) {
      slept.push(ms);
    },
  };
}

function busy(error: unknown): boolean {
  return error instanceof AppFailure && error.code === 'BUSY_RETRY' && error.message === ERROR_TEXTS.BUSY_RETRY;
}

test('conflicts are recognised by code or by the text the SDK keeps', () => {
  expect(isTransactionConflict(wrapped)).toBe(true);
  expect(isTransactionConflict(byCode)).toBe(true);
  expect(isTransactionConflict({ errMsg: 'WriteConflict' })).toBe(true);
  expect(isTransactionConflict(new Error('E11000 duplicate key error'))).toBe(false);
  expect(isTransactionConflict(null)).toBe(false);
});

test('a transaction that always conflicts ends in BUSY_RETRY after bounded, jittered pauses, never INTERNAL', async () => {
  const fake = fakeSdk([], wrapped);
  let draws = 0;
  const p = policy(() => [0, 0.99, 0.3, 0.7, 0.5][draws++ % 5]);
  const error = await runTransactionRetrying(fake.sdk, async () => 'done', p).catch((e: unknown) => e);
  expect(busy(error)).toBe(true);
  expect(fake.runs()).toBe(TRANSACTION_RETRY.attempts);
  // The SDK's own immediate retries are off: every retry is ours, with a pause before it.
  expect(fake.times.every((t) => t === 0)).toBe(true);
  expect(p.slept).toHaveLength(TRANSACTION_RETRY.attempts - 1);
  p.slept.forEach((ms, retry) => {
    const ceiling = Math.min(TRANSACTION_RETRY.maxDelayMs, TRANSACTION_RETRY.baseDelayMs * 2 ** retry);
    expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
    expect(ms).toBeLessThanOrEqual(ceiling);
  });
  expect(p.slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(620);
});

test('jitter spreads callers that conflicted together', () => {
  const low = retryDelayMs({ ...TRANSACTION_RETRY, random: () => 0 }, 3);
  const high = retryDelayMs({ ...TRANSACTION_RETRY, random: () => 0.999 }, 3);
  expect(low).toBe(80);
  expect(high).toBe(160);
  expect(retryDelayMs({ ...TRANSACTION_RETRY, random: () => 0.999 }, 30)).toBe(TRANSACTION_RETRY.maxDelayMs);
});

test('a transaction that conflicts a few times succeeds on a later run', async () => {
  const fake = fakeSdk([wrapped, byCode]);
  const p = policy();
  await expect(runTransactionRetrying(fake.sdk, async () => 'done', p)).resolves.toBe('done');
  expect(fake.runs()).toBe(3);
  expect(p.slept).toHaveLength(2);
});

test('a refusal or an unexpected error passes through at once, unchanged', async () => {
  const refusal = new AppFailure('LAST_ADMIN', '至少需要保留一位管理员');
  const refused = fakeSdk([refusal]);
  await expect(runTransactionRetrying(refused.sdk, async () => 'x', policy())).rejects.toBe(refusal);
  expect(refused.runs()).toBe(1);
  const broken = fakeSdk([new Error('network down')]);
  await expect(runTransactionRetrying(broken.sdk, async () => 'x', policy())).rejects.toThrow('network down');
  expect(broken.runs()).toBe(1);
});

test('a full transaction queue is BUSY_RETRY at once: retrying would only wait in it again', async () => {
  const fake = fakeSdk([new Error('[ResourceUnavailable.TransactionBusy] waited 12000 ms')]);
  const error = await runTransactionRetrying(fake.sdk, async () => 'x', policy()).catch((e: unknown) => e);
  expect(busy(error)).toBe(true);
  expect(fake.runs()).toBe(1);
});

test('every transaction through asDb is retried, and a caller hears BUSY_RETRY from the router', async () => {
  const fake = fakeSdk([], byCode);
  const db = asDb(fake.sdk as never, policy());
  const main = createMain({
    name: 'setup',
    readIdentity: () => ({ openid: null, appid: null, unionid: null, source: 'wx_http' }),
    actions: {
      ensureCollections: {
        input: z.strictObject({}),
        access: 'public',
        async handle() {
          return ok(await db.runTransaction(async () => ({ created: [], existing: [], indexesToCreate: [] })));
        },
      },
    } as unknown as ActionTable<'setup'>,
  });
  await expect(main({ action: 'ensureCollections' })).resolves.toEqual({ ok: false, error: { code: 'BUSY_RETRY', message: ERROR_TEXTS.BUSY_RETRY } });
  expect(fake.runs()).toBe(TRANSACTION_RETRY.attempts);
});
