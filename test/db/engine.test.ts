import type { DbEngine, Doc } from '../../local-cloud/src/db/engine';
import { handleDatabaseRequest, isDatabaseAction } from '../../local-cloud/src/db/protocol';
import { openEngine, TEST_COLLECTIONS } from './helpers';

const COLORS = ['red', 'green', 'blue', 'cyan', 'black'];

function person(i: number): Doc {
  return {
    _id: `p${i}`,
    group: `g${i % 500}`,
    color: COLORS[i % COLORS.length],
    age: i % 90,
    tags: [`t${i % 7}`, `t${(i + 1) % 7}`],
    profile: { city: i % 2 ? 'sh' : 'bj' },
  };
}

describe('indexes and query speed', () => {
  let engine: DbEngine;
  let plain: DbEngine;

  beforeAll(async () => {
    engine = await openEngine();
    // The same data without secondary indexes: every query there is a full scan.
    plain = await openEngine({ collections: TEST_COLLECTIONS.map((c) => ({ ...c, indexes: [] })) });
    const docs = Array.from({ length: 10_000 }, (_, i) => person(i));
    engine.insertDocuments('people', docs);
    plain.insertDocuments('people', docs);
  });

  afterAll(async () => {
    await engine.close();
    await plain.close();
  });

  it('serves an equality query on an indexed field of 10,000 documents from the index', () => {
    const res = engine.find('people', { query: { group: 'g42' } });
    expect(res.map((d) => d._id)).toEqual(Array.from({ length: 20 }, (_, k) => `p${42 + k * 500}`));
    // Counted, not timed: the index narrows 10,000 documents to the 20 that can match.
    expect(engine.examinedBy('people', { group: 'g42' })).toBe(20);
    expect(engine.examinedBy('people', { _id: 'p9999' })).toBe(1);
    expect(engine.examinedBy('people', { group: 'g7', age: { $gte: 0 } })).toBe(20);
    expect(engine.examinedBy('people', { group: { $in: ['g1', 'g2'] } })).toBe(40);
    // Without the index, or on a field no index leads with, every document is examined.
    expect(plain.examinedBy('people', { group: 'g42' })).toBe(10_000);
    expect(engine.examinedBy('people', { age: 30 })).toBe(10_000);
    expect(engine.count('people', { group: 'g7' })).toBe(20);
  });

  it('gives the same results with and without indexes', () => {
    const queries: Doc[] = [
      { group: 'g1' },
      { group: { $in: ['g1', 'g2', 'nope'] }, age: { $lt: 50 } },
      { $and: [{ group: 'g3' }, { color: 'cyan' }] },
      { group: { $eq: 'g4' }, 'profile.city': 'sh' },
      { _id: { $in: ['p1', 'p2', 'p77777'] } },
      { _id: 'p10', group: 'g11' },
      { $or: [{ group: 'g5' }, { age: 3 }] },
      { color: 'red', tags: 't3' },
    ];
    for (const query of queries) {
      expect(engine.find('people', { query, limit: 1000 })).toEqual(plain.find('people', { query, limit: 1000 }));
      expect(engine.count('people', query)).toBe(plain.count('people', query));
    }
  });

  it('keeps indexes in step with updates and removals', () => {
    engine.modify('people', { query: { group: 'g9' }, data: { $set: { group: 'moved' } }, multi: true, merge: true, upsert: false });
    expect(engine.count('people', { group: 'g9' })).toBe(0);
    expect(engine.count('people', { group: 'moved' })).toBe(20);
    expect(engine.remove('people', { query: { group: 'moved' }, multi: true })).toBe(20);
    expect(engine.count('people', { group: 'moved' })).toBe(0);
    expect(engine.countDocuments('people')).toBe(9980);
  });

  it('uses the compound index prefix and sorts by the requested order', () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ sku: `s${i}`, category: `c${i % 5}`, price: (i * 37) % 100 }));
    engine.insertDocuments('items', items);
    const res = engine.find('items', { query: { category: 'c2' }, order: { price: -1 } });
    const expected = items.filter((d) => d.category === 'c2').sort((a, b) => b.price - a.price);
    expect(res.map((d) => d.sku)).toEqual(expected.map((d) => d.sku));
  });
});

describe('unique index semantics', () => {
  let engine: DbEngine;
  beforeEach(async () => {
    engine = await openEngine();
  });
  afterEach(async () => {
    await engine.close();
  });

  it('treats array values as multikey entries', () => {
    engine.insertDocuments('items', [{ sku: ['a', 'b'] }]);
    expect(() => engine.insertDocuments('items', [{ sku: 'b' }])).toThrow(/E11000/);
    engine.insertDocuments('items', [{ sku: 'c' }]);
    expect(engine.countDocuments('items')).toBe(2);
  });

  it('lets a document keep its own key when updated and frees a removed key', () => {
    const [id] = engine.insertDocuments('items', [{ sku: 'k', n: 1 }]);
    expect(engine.modify('items', { query: { _id: id }, data: { $inc: { n: 1 } }, multi: false, merge: true, upsert: false }).updated).toBe(1);
    engine.remove('items', { query: { sku: 'k' }, multi: false });
    engine.insertDocuments('items', [{ sku: 'k' }]);
    expect(engine.countDocuments('items', { sku: 'k' })).toBe(1);
  });

  it('allows swapping unique values inside one transaction', async () => {
    engine.insertDocuments('items', [
      { _id: 'x', sku: 'one' },
      { _id: 'y', sku: 'two' },
    ]);
    const txn = await engine.startTransaction();
    engine.txnModify(txn, 'items', 'x', { data: { $set: { sku: 'tmp' } }, merge: true, upsert: false });
    engine.txnModify(txn, 'items', 'y', { data: { $set: { sku: 'one' } }, merge: true, upsert: false });
    engine.txnModify(txn, 'items', 'x', { data: { $set: { sku: 'two' } }, merge: true, upsert: false });
    engine.commitTransaction(txn);
    expect(engine.dump('items')).toEqual([
      { _id: 'x', sku: 'two' },
      { _id: 'y', sku: 'one' },
    ]);
  });
});

describe('protocol', () => {
  let engine: DbEngine;
  beforeAll(async () => {
    engine = await openEngine({ now: () => new Date(1_700_000_000_000) });
  });
  afterAll(async () => {
    await engine.close();
  });

  it('recognizes database actions', () => {
    expect(isDatabaseAction('database.getDocument')).toBe(true);
    expect(isDatabaseAction('functions.invokeFunction')).toBe(false);
  });

  it('replies in the shapes the SDK reads', async () => {
    const insert = await handleDatabaseRequest(engine, {
      action: 'database.insertDocument',
      collectionName: 'accounts',
      data: ['{"_id":"a","n":{"$numberInt":"1"},"at":{"$tcb_server_date":{"offset":{"$numberInt":"5"}}}}'],
    });
    expect(insert).toEqual({ data: { insertedIds: ['a'] }, requestId: expect.any(String) });
    const get = (await handleDatabaseRequest(engine, {
      action: 'database.getDocument',
      collectionName: 'accounts',
      query: '{"_id":"a"}',
      queryType: 'DOC',
      multi: false,
    })) as { data: { list: string[] } };
    expect(JSON.parse(get.data.list[0])).toEqual({ _id: 'a', n: 1, at: { $date: '2023-11-14T22:13:20.005Z' } });
    expect(
      await handleDatabaseRequest(engine, {
        action: 'database.modifyDocument',
        collectionName: 'accounts',
        query: '{"_id":"b"}',
        queryType: 'DOC',
        data: '{"x":{"$numberInt":"1"}}',
        multi: false,
        merge: false,
        upsert: true,
      }),
    ).toEqual({ data: { updated: 0, upsert_id: 'b' }, requestId: expect.any(String) });
    expect(await handleDatabaseRequest(engine, { action: 'database.calculateDocument', collectionName: 'accounts' })).toEqual({
      data: { total: 2 },
      requestId: expect.any(String),
    });
    expect(
      await handleDatabaseRequest(engine, { action: 'database.removeDocument', collectionName: 'accounts', query: '{}', multi: true }),
    ).toEqual({ data: { deleted: 2 }, requestId: expect.any(String) });
    const start = (await handleDatabaseRequest(engine, { action: 'database.startTransaction' })) as { transactionId: string };
    expect(start.transactionId).toMatch(/^[0-9a-f]{32}$/);
    expect(await handleDatabaseRequest(engine, { action: 'database.commitTransaction', transactionId: start.transactionId })).toEqual({
      requestId: expect.any(String),
    });
  });

  it('answers bad requests with an error reply instead of throwing', async () => {
    const cases: Record<string, unknown>[] = [
      { action: 'database.getDocument' },
      { action: 'database.getDocument', collectionName: 'accounts', query: '{not json' },
      { action: 'database.getDocument', collectionName: 'accounts', limit: -1 },
      { action: 'database.getDocument', collectionName: 'accounts', query: '{"a":{"$nosuchop":1}}' },
      { action: 'database.insertDocument', collectionName: 'accounts', data: ['[1,2]'] },
      { action: 'database.insertDocument', collectionName: 'accounts', data: ['{"$bad":1}'] },
      { action: 'database.modifyDocument', collectionName: 'accounts', query: '{}', data: '{"$set":{"a":1},"b":2}', merge: true },
      { action: 'database.aggregateDocuments', collectionName: 'accounts', stages: [{ stageKey: '$out', stageValue: '"x"' }] },
      { action: 'database.commitTransaction', transactionId: 'nope' },
      { action: 'database.noSuchThing' },
    ];
    for (const body of cases) {
      const reply = (await handleDatabaseRequest(engine, body)) as { code?: string; message?: string };
      expect(typeof reply.code).toBe('string');
      expect(typeof reply.message).toBe('string');
    }
    const unknownTxn = (await handleDatabaseRequest(engine, { action: 'database.commitTransaction', transactionId: 'nope' })) as { code: string };
    expect(unknownTxn.code).toBe('DATABASE_TRANSACTION_CONFLICT');
  });
});

describe('transaction lock', () => {
  let engine: DbEngine;
  beforeEach(async () => {
    engine = await openEngine({ txnWaitTimeoutMs: 200 });
  });
  afterEach(async () => {
    await engine.close();
  });

  it('cancels a waiting startTransaction when its request is aborted', async () => {
    const first = await engine.startTransaction();
    const controller = new AbortController();
    const waiting = handleDatabaseRequest(engine, { action: 'database.startTransaction' }, { signal: controller.signal });
    controller.abort();
    expect(await waiting).toEqual(expect.objectContaining({ code: 'DATABASE_REQUEST_FAILED', message: expect.stringContaining('cancelled') }));
    engine.commitTransaction(first);
    // The cancelled waiter did not take the lock: the next transaction starts at once.
    expect(engine.openTransactionId).toBeNull();
    const next = await engine.startTransaction();
    expect(engine.openTransactionId).toBe(next);
  });

  it('gives up waiting after the wait timeout', async () => {
    await engine.startTransaction();
    const reply = (await handleDatabaseRequest(engine, { action: 'database.startTransaction' })) as { code: string; message: string };
    expect(reply.code).toBe('DATABASE_REQUEST_FAILED');
    expect(reply.message).toContain('waited 200 ms');
  });

  it('rejects waiters when the engine closes', async () => {
    await engine.startTransaction();
    const waiting = engine.startTransaction();
    await engine.close();
    await expect(waiting).rejects.toThrow(/closed/);
  });
});
