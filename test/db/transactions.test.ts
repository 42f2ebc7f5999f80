import { failure, openEngine, startTestCloud, type TestCloud } from './helpers';

let t: TestCloud;

beforeAll(async () => {
  t = await startTestCloud(await openEngine());
});

afterAll(async () => {
  await t.engine.close();
  await t.close();
});

beforeEach(async () => {
  await t.engine.reset();
  await t.db.collection('accounts').add({
    data: [
      { _id: 'alice', balance: 100 },
      { _id: 'bob', balance: 50 },
    ],
  });
});

function balances(): Record<string, unknown> {
  return Object.fromEntries(t.engine.dump('accounts').map((d) => [d._id, d.balance]));
}

describe('runTransaction', () => {
  it('commits when the callback returns and returns its value', async () => {
    const _ = t.db.command;
    const result = await t.db.runTransaction(async (txn) => {
      const alice = await txn.collection('accounts').doc('alice').get();
      expect(alice.data).toEqual({ _id: 'alice', balance: 100 });
      await txn.collection('accounts').doc('alice').update({ data: { balance: _.inc(-30) } });
      await txn.collection('accounts').doc('bob').update({ data: { balance: _.inc(30) } });
      const { _id } = await txn.collection('accounts').add({ data: { _id: 'log-1', amount: 30 } });
      return { moved: 30, logId: _id };
    });
    expect(result).toEqual({ moved: 30, logId: 'log-1' });
    expect(balances()).toEqual({ alice: 70, bob: 80, 'log-1': undefined });
  });

  it('rolls back everything when the callback throws', async () => {
    const _ = t.db.command;
    const err = await failure(
      t.db.runTransaction(async (txn) => {
        await txn.collection('accounts').doc('alice').update({ data: { balance: _.inc(-30) } });
        await txn.collection('accounts').add({ data: { _id: 'log-2' } });
        throw new Error('insufficient funds');
      }),
    );
    expect(err.message).toBe('insufficient funds');
    expect(balances()).toEqual({ alice: 100, bob: 50 });
  });

  it('rolls back with transaction.rollback(reason) and rejects with the reason', async () => {
    const reason = await failure(
      t.db.runTransaction(async (txn) => {
        await txn.collection('accounts').doc('bob').set({ data: { balance: 0 } });
        await txn.rollback(new Error('cancelled by caller'));
      }),
    );
    expect(reason.message).toBe('cancelled by caller');
    expect(balances()).toEqual({ alice: 100, bob: 50 });
  });

  it('reads its own writes inside and hides them outside until commit', async () => {
    const _ = t.db.command;
    await t.db.runTransaction(async (txn) => {
      await txn.collection('accounts').doc('alice').update({ data: { balance: _.inc(5) } });
      expect((await txn.collection('accounts').doc('alice').get()).data.balance).toBe(105);
      expect((await t.db.collection('accounts').doc('alice').get()).data.balance).toBe(100);
      await txn.collection('accounts').doc('bob').remove();
      expect(await failure(txn.collection('accounts').doc('bob').get())).toHaveProperty(
        'message',
        'document.get:fail document with _id bob does not exist',
      );
      expect((await t.db.collection('accounts').doc('bob').get()).data.balance).toBe(50);
    });
    expect(balances()).toEqual({ alice: 105 });
  });

  it('retries after a conflicting write outside the transaction', async () => {
    const _ = t.db.command;
    let attempts = 0;
    await t.db.runTransaction(async (txn) => {
      attempts += 1;
      const alice = await txn.collection('accounts').doc('alice').get();
      if (attempts === 1) {
        // Someone else changes the document after the transaction read it.
        await t.db.collection('accounts').doc('alice').update({ data: { balance: _.inc(1000) } });
      }
      await txn.collection('accounts').doc('alice').update({ data: { balance: (alice.data.balance as number) + 1 } });
    }, 3);
    expect(attempts).toBe(2);
    expect(balances().alice).toBe(1101);
  });

  it('reports the conflict once retries are used up', async () => {
    let attempts = 0;
    const err = await failure(
      t.db.runTransaction(async (txn) => {
        attempts += 1;
        await txn.collection('accounts').doc('alice').get();
        await t.db.collection('accounts').doc('alice').update({ data: { touched: attempts } });
        await txn.collection('accounts').doc('alice').update({ data: { balance: 0 } });
      }, 1),
    );
    expect(err.code).toBe('DATABASE_TRANSACTION_CONFLICT');
    expect(attempts).toBe(2);
    expect(balances().alice).toBe(100);
  });

  it('applies 20 concurrent read-modify-write transactions without losing one', async () => {
    await Promise.all(
      Array.from({ length: 20 }, () =>
        t.db.runTransaction(async (txn) => {
          const doc = await txn.collection('accounts').doc('alice').get();
          await txn.collection('accounts').doc('alice').update({ data: { balance: (doc.data.balance as number) + 1 } });
        }),
      ),
    );
    expect(balances().alice).toBe(120);
  });

  it('fails a duplicate add inside the transaction and applies nothing', async () => {
    const err = await failure(
      t.db.runTransaction(async (txn) => {
        await txn.collection('accounts').doc('bob').update({ data: { balance: 1 } });
        await txn.collection('accounts').add({ data: { _id: 'alice' } });
      }),
    );
    expect(err.message).toContain('E11000');
    expect(balances()).toEqual({ alice: 100, bob: 50 });
  });

  it('rejects where() queries inside a transaction', async () => {
    const err = await failure(
      t.db.runTransaction(async (txn) => {
        await txn.collection('accounts').where({ balance: 100 }).get();
      }),
    );
    expect((err as { errCode?: number }).errCode).toBe(-502001);
    expect(err.message).toContain('only doc(id)');
  });
});

describe('startTransaction', () => {
  it('commits explicitly', async () => {
    const txn = await t.db.startTransaction();
    await txn.collection('accounts').doc('carol').set({ data: { balance: 7 } });
    expect(t.engine.countDocuments('accounts')).toBe(2);
    await txn.commit();
    expect(balances()).toEqual({ alice: 100, bob: 50, carol: 7 });
  });

  it('rolls back explicitly', async () => {
    const txn = await t.db.startTransaction();
    await txn.collection('accounts').doc('alice').update({ data: { balance: 0 } });
    await txn.rollback();
    expect(balances()).toEqual({ alice: 100, bob: 50 });
  });

  it('makes a second transaction wait for the first', async () => {
    const order: string[] = [];
    const first = await t.db.startTransaction();
    const secondStarted = t.db.startTransaction().then((txn) => {
      order.push('second started');
      return txn;
    });
    await new Promise((r) => setTimeout(r, 50));
    order.push('first commits');
    await first.commit();
    const second = await secondStarted;
    await second.commit();
    expect(order).toEqual(['first commits', 'second started']);
  });
});

describe('abandoned transactions', () => {
  it('are aborted after the idle timeout so others can proceed', async () => {
    const main = t.engine;
    const short = await openEngine({ txnIdleTimeoutMs: 150 });
    t.engine = short;
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await t.db.collection('accounts').add({ data: { _id: 'x', v: 1 } });
      const abandoned = await t.db.startTransaction();
      await abandoned.collection('accounts').doc('x').update({ data: { v: 2 } });
      const started = Date.now();
      const next = await t.db.startTransaction();
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
      await next.commit();
      const late = await failure(abandoned.commit());
      expect(late.code).toBe('DATABASE_TRANSACTION_CONFLICT');
      expect(short.dump('accounts')).toEqual([{ _id: 'x', v: 1 }]);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('aborted after 150 ms'));
    } finally {
      warn.mockRestore();
      t.engine = main;
      await short.close();
    }
  });
});
