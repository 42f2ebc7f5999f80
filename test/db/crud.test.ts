import { handleDatabaseRequest } from '../../local-cloud/src/db/protocol';
import { failure, openEngine, startTestCloud, type TestCloud } from './helpers';

let t: TestCloud;
const NOW = new Date('2024-05-01T08:00:00.000Z');

beforeAll(async () => {
  t = await startTestCloud(await openEngine({ now: () => NOW }));
});

afterAll(async () => {
  await t.engine.close();
  await t.close();
});

beforeEach(async () => {
  await t.engine.reset();
});

describe('add', () => {
  it('adds one document with a generated 32-hex _id', async () => {
    const res = await t.db.collection('accounts').add({ data: { name: 'a', n: 1 } });
    expect(res._id).toMatch(/^[0-9a-f]{32}$/);
    expect(t.engine.dump('accounts')).toEqual([{ _id: res._id, name: 'a', n: 1 }]);
  });

  it('adds an array in one insertDocument request and returns every id', async () => {
    const before = t.requests.length;
    const res = (await t.db.collection('accounts').add({ data: [{ _id: 'x1', v: 1 }, { v: 2 }, { v: 3 }] })) as unknown as {
      _ids: string[];
    };
    expect(t.requests.length - before).toBe(1);
    expect(t.requests[t.requests.length - 1].action).toBe('database.insertDocument');
    expect(res._ids).toHaveLength(3);
    expect(res._ids[0]).toBe('x1');
    expect(t.engine.countDocuments('accounts')).toBe(3);
  });

  it('fails on a duplicate _id, so a deterministic id works as a lock', async () => {
    await t.db.collection('accounts').add({ data: { _id: 'lock-1', owner: 'a' } });
    const err = await failure(t.db.collection('accounts').add({ data: { _id: 'lock-1', owner: 'b' } }));
    expect(err.errCode).toBe(-502001);
    expect(err.message).toContain('E11000 duplicate key error');
    const doc = await t.db.collection('accounts').doc('lock-1').get();
    expect(doc.data).toEqual({ _id: 'lock-1', owner: 'a' });
  });

  it('keeps the documents before a failing one in a batch (ordered insert)', async () => {
    await t.db.collection('accounts').add({ data: { _id: 'b' } });
    const err = await failure(t.db.collection('accounts').add({ data: [{ _id: 'a' }, { _id: 'b' }, { _id: 'c' }] }));
    expect(err.errCode).toBe(-502001);
    expect(t.engine.dump('accounts').map((d) => d._id)).toEqual(['b', 'a']);
  });

  it('enforces a declared unique index, counting a missing field as null', async () => {
    await t.db.collection('items').add({ data: { sku: 'S1' } });
    const dup = await failure(t.db.collection('items').add({ data: { sku: 'S1' } }));
    expect(dup.errCode).toBe(-502001);
    expect(dup.message).toContain('sku_unique');
    await t.db.collection('items').add({ data: { name: 'no sku' } });
    const missing = await failure(t.db.collection('items').add({ data: { name: 'no sku either' } }));
    expect(missing.message).toContain('E11000');
    const explicitNull = await failure(t.db.collection('items').add({ data: { sku: null } }));
    expect(explicitNull.message).toContain('E11000');
    expect(t.engine.countDocuments('items')).toBe(2);
  });

  it('enforces a compound unique index over all its keys', async () => {
    const slots = t.db.collection('slots');
    await slots.add({ data: { room: 'A', day: '2024-05-01' } });
    await slots.add({ data: { room: 'A', day: '2024-05-02' } });
    await slots.add({ data: { room: 'B', day: '2024-05-01' } });
    const err = await failure(slots.add({ data: { room: 'A', day: '2024-05-01', note: 'again' } }));
    expect(err.message).toContain('room_day_unique');
    expect(t.engine.countDocuments('slots')).toBe(3);
  });

  it('rejects an update that would break a unique index and leaves the document unchanged', async () => {
    await t.db.collection('items').add({ data: { _id: 'i1', sku: 'S1' } });
    await t.db.collection('items').add({ data: { _id: 'i2', sku: 'S2' } });
    const err = await failure(t.db.collection('items').doc('i2').update({ data: { sku: 'S1' } }));
    expect(err.errCode).toBe(-502001);
    expect((await t.db.collection('items').doc('i2').get()).data.sku).toBe('S2');
  });

  it('stores server dates as the server time plus the offset', async () => {
    const { _id } = await t.db.collection('accounts').add({ data: { at: t.db.serverDate(), later: t.db.serverDate({ offset: 60_000 }) } });
    const doc = (await t.db.collection('accounts').doc(_id as string).get()).data;
    expect(doc.at).toBeInstanceOf(Date);
    expect(doc.at.getTime()).toBe(NOW.getTime());
    expect(doc.later.getTime()).toBe(NOW.getTime() + 60_000);
  });

  it('round-trips dates, nested objects, arrays, booleans and null', async () => {
    const when = new Date('2023-01-02T03:04:05.678Z');
    const data = { when, nested: { a: [1, 2.5, 'x'], b: { c: true } }, none: null, big: 2 ** 40 };
    const { _id } = await t.db.collection('accounts').add({ data });
    const doc = (await t.db.collection('accounts').doc(_id as string).get()).data;
    expect(doc).toEqual({ _id, ...data });
    expect(doc.when).toBeInstanceOf(Date);
  });
});

describe('doc()', () => {
  it('get on a missing document throws document.get:fail', async () => {
    const err = await failure(t.db.collection('accounts').doc('nope').get());
    expect(err.message).toBe('document.get:fail document with _id nope does not exist');
  });

  it('set creates, then replaces the whole document', async () => {
    const created = await t.db.collection('accounts').doc('s1').set({ data: { a: 1, b: 2 } });
    expect(created.stats).toEqual({ updated: 0, created: 1 });
    const replaced = await t.db.collection('accounts').doc('s1').set({ data: { c: 3 } });
    expect(replaced.stats).toEqual({ updated: 1, created: 0 });
    expect((await t.db.collection('accounts').doc('s1').get()).data).toEqual({ _id: 's1', c: 3 });
  });

  it('update on a missing document updates nothing', async () => {
    const res = await t.db.collection('accounts').doc('ghost').update({ data: { a: 1 } });
    expect(res.stats.updated).toBe(0);
    expect(t.engine.countDocuments('accounts')).toBe(0);
  });

  it('update merges fields and applies nested dot-path updates', async () => {
    await t.db.collection('accounts').doc('u1').set({ data: { profile: { name: 'a', city: 'sh' }, n: 1 } });
    const res = await t.db.collection('accounts').doc('u1').update({ data: { profile: { city: 'bj' }, 'stats.visits': 3 } });
    expect(res.stats.updated).toBe(1);
    expect((await t.db.collection('accounts').doc('u1').get()).data).toEqual({
      _id: 'u1',
      profile: { name: 'a', city: 'bj' },
      n: 1,
      stats: { visits: 3 },
    });
  });

  it('update with equal values reports updated 0 (MongoDB nModified)', async () => {
    await t.db.collection('accounts').doc('same').set({ data: { a: 1 } });
    const res = await t.db.collection('accounts').doc('same').update({ data: { a: 1 } });
    expect(res.stats.updated).toBe(0);
  });

  it('applies command operators: inc, push, remove, set, mul, addToSet, pull, pop', async () => {
    const _ = t.db.command;
    await t.db.collection('accounts').doc('ops').set({ data: { n: 1, tags: ['a'], gone: 'x', obj: { keep: 1, drop: 2 }, price: 10, list: [1, 2, 3] } });
    await t.db.collection('accounts').doc('ops').update({
      data: { n: _.inc(2), tags: _.push(['b', 'c']), gone: _.remove(), obj: _.set({ only: true }), price: _.mul(3), list: _.pull(2) },
    });
    await t.db.collection('accounts').doc('ops').update({ data: { tags: _.addToSet('a'), list: _.pop() } });
    expect((await t.db.collection('accounts').doc('ops').get()).data).toEqual({
      _id: 'ops',
      n: 3,
      tags: ['a', 'b', 'c'],
      obj: { only: true },
      price: 30,
      list: [1],
    });
  });

  it('applies array modifiers and the remaining field operators', async () => {
    const _ = t.db.command;
    await t.db.collection('accounts').doc('arr').set({ data: { q: [3, 4], s: [1, 2, 3], lo: 5, hi: 5, old: 'v', bag: [1, 2, 3, 4] } });
    await t.db.collection('accounts').doc('arr').update({
      data: {
        q: _.push({ each: [1, 2], position: 0, slice: 3 }),
        s: _.unshift([0]),
        lo: _.min(2),
        hi: _.max(9),
        old: _.rename('renamed'),
        bag: _.pullAll([2, 4]),
      },
    });
    await t.db.collection('accounts').doc('arr').update({ data: { s: _.shift(), bag: _.pull(_.gt(2)) } });
    expect((await t.db.collection('accounts').doc('arr').get()).data).toEqual({
      _id: 'arr',
      q: [1, 2, 3],
      s: [1, 2, 3],
      lo: 2,
      hi: 9,
      renamed: 'v',
      bag: [1],
    });
  });

  it('remove deletes one document', async () => {
    await t.db.collection('accounts').doc('r1').set({ data: { a: 1 } });
    const res = await t.db.collection('accounts').doc('r1').remove();
    expect(res.stats.removed).toBe(1);
    const again = await t.db.collection('accounts').doc('r1').remove();
    expect(again.stats.removed).toBe(0);
  });

  it('field() projects a single document', async () => {
    await t.db.collection('accounts').doc('f1').set({ data: { a: 1, b: 2, c: 3 } });
    const res = await t.db.collection('accounts').doc('f1').field({ a: true, c: true }).get();
    expect(res.data).toEqual({ _id: 'f1', a: 1, c: 3 });
  });

  it('accepts numeric ids distinct from their string form', async () => {
    await t.db.collection('accounts').doc(7).set({ data: { kind: 'number' } });
    await t.db.collection('accounts').doc('7').set({ data: { kind: 'string' } });
    expect((await t.db.collection('accounts').doc(7).get()).data).toEqual({ _id: 7, kind: 'number' });
    expect((await t.db.collection('accounts').doc('7').get()).data).toEqual({ _id: '7', kind: 'string' });
  });
});

describe('where().get()', () => {
  async function seed(n: number): Promise<void> {
    const docs = Array.from({ length: n }, (_, i) => ({ _id: `p${String(i).padStart(4, '0')}`, i, group: i % 3, name: `person ${i}` }));
    for (let k = 0; k < docs.length; k += 500) await t.db.collection('people').add({ data: docs.slice(k, k + 500) });
  }

  it('returns 100 documents by default and at most 1000', async () => {
    await seed(1200);
    expect((await t.db.collection('people').get()).data).toHaveLength(100);
    expect((await t.db.collection('people').limit(1000).get()).data).toHaveLength(1000);
    expect((await t.db.collection('people').limit(5000).get()).data).toHaveLength(1000);
    expect((await t.db.collection('people').limit(7).get()).data).toHaveLength(7);
  });

  it('pages with skip and limit in natural order', async () => {
    await seed(25);
    const page1 = (await t.db.collection('people').skip(0).limit(10).get()).data.map((d) => d.i);
    const page3 = (await t.db.collection('people').skip(20).limit(10).get()).data.map((d) => d.i);
    expect(page1).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(page3).toEqual([20, 21, 22, 23, 24]);
  });

  it('orders by two fields', async () => {
    await seed(9);
    const res = await t.db.collection('people').orderBy('group', 'desc').orderBy('i', 'asc').get();
    expect(res.data.map((d) => [d.group, d.i])).toEqual([
      [2, 2],
      [2, 5],
      [2, 8],
      [1, 1],
      [1, 4],
      [1, 7],
      [0, 0],
      [0, 3],
      [0, 6],
    ]);
  });

  it('projects fields with field()', async () => {
    await seed(2);
    const res = await t.db.collection('people').field({ name: true }).get();
    expect(res.data).toEqual([
      { _id: 'p0000', name: 'person 0' },
      { _id: 'p0001', name: 'person 1' },
    ]);
    const excluded = await t.db.collection('people').field({ name: false, group: false }).limit(1).get();
    expect(excluded.data).toEqual([{ _id: 'p0000', i: 0 }]);
  });

  it('supports gt, in, and, or, exists and neq', async () => {
    await seed(10);
    const _ = t.db.command;
    const people = t.db.collection('people');
    expect((await people.where({ i: _.gt(7) }).get()).data.map((d) => d.i)).toEqual([8, 9]);
    expect((await people.where({ i: _.in([1, 3, 42]) }).get()).data.map((d) => d.i)).toEqual([1, 3]);
    expect((await people.where({ i: _.gte(2).and(_.lt(5)) }).get()).data.map((d) => d.i)).toEqual([2, 3, 4]);
    expect((await people.where(_.or([{ i: 0 }, { i: _.gt(8) }])).get()).data.map((d) => d.i)).toEqual([0, 9]);
    expect((await people.where(_.and([{ group: 0 }, { i: _.neq(0) }])).get()).data.map((d) => d.i)).toEqual([3, 6, 9]);
    await people.doc('p0005').update({ data: { flag: true } });
    expect((await people.where({ flag: _.exists(true) }).get()).data.map((d) => d.i)).toEqual([5]);
    expect(await people.where({ flag: _.exists(false) }).count()).toEqual(expect.objectContaining({ total: 9 }));
  });

  it('matches regular expressions (db.RegExp and JS RegExp)', async () => {
    await t.db.collection('accounts').add({ data: [{ name: 'Alice' }, { name: 'alina' }, { name: 'Bob' }] });
    const res = await t.db.collection('accounts').where({ name: t.db.RegExp({ regexp: '^al', options: 'i' }) }).get();
    expect(res.data.map((d) => d.name)).toEqual(['Alice', 'alina']);
    const js = await t.db.collection('accounts').where({ name: /b$/ }).get();
    expect(js.data.map((d) => d.name)).toEqual(['Bob']);
  });

  it('compares against server dates in queries', async () => {
    await t.db.collection('accounts').add({
      data: [{ k: 'past', at: new Date(NOW.getTime() - 1000) }, { k: 'future', at: new Date(NOW.getTime() + 1000) }],
    });
    const res = await t.db.collection('accounts').where({ at: t.db.command.lt(t.db.serverDate()) }).get();
    expect(res.data.map((d) => d.k)).toEqual(['past']);
  });

  it('queries nested fields and array elements', async () => {
    await t.db.collection('accounts').add({
      data: [
        { k: 1, profile: { city: 'sh' }, tags: ['x', 'y'] },
        { k: 2, profile: { city: 'bj' }, tags: ['y'] },
      ],
    });
    expect((await t.db.collection('accounts').where({ 'profile.city': 'bj' }).get()).data.map((d) => d.k)).toEqual([2]);
    expect((await t.db.collection('accounts').where({ profile: { city: 'sh' } }).get()).data.map((d) => d.k)).toEqual([1]);
    expect((await t.db.collection('accounts').where({ tags: 'x' }).get()).data.map((d) => d.k)).toEqual([1]);
  });
});

describe('where().update() / remove() / count()', () => {
  beforeEach(async () => {
    await t.db.collection('accounts').add({
      data: [
        { _id: 'a', team: 'red', score: 1 },
        { _id: 'b', team: 'red', score: 2 },
        { _id: 'c', team: 'blue', score: 3 },
      ],
    });
  });

  it('updates every match and reports the count', async () => {
    const res = await t.db.collection('accounts').where({ team: 'red' }).update({ data: { score: t.db.command.inc(10) } });
    expect(res.stats.updated).toBe(2);
    expect(t.engine.dump('accounts').map((d) => d.score)).toEqual([11, 12, 3]);
  });

  it('removes every match', async () => {
    const res = await t.db.collection('accounts').where({ score: t.db.command.lte(2) }).remove();
    expect(res.stats.removed).toBe(2);
    expect(t.engine.dump('accounts').map((d) => d._id)).toEqual(['c']);
  });

  it('counts matches and the whole collection', async () => {
    expect((await t.db.collection('accounts').where({ team: 'red' }).count()).total).toBe(2);
    expect((await t.db.collection('accounts').count()).total).toBe(3);
  });
});

describe('aggregate', () => {
  it('runs match, group, sort and limit', async () => {
    const $ = t.db.command.aggregate;
    await t.db.collection('accounts').add({
      data: [
        { team: 'red', score: 1 },
        { team: 'red', score: 4 },
        { team: 'blue', score: 3 },
        { team: 'green', score: 10 },
        { team: 'green', score: 0, ignored: true },
      ],
    });
    const res = await t.db
      .collection('accounts')
      .aggregate()
      .match({ ignored: t.db.command.exists(false) })
      .group({ _id: '$team', total: $.sum('$score'), n: $.sum(1), best: $.max('$score') })
      .sort({ total: -1 })
      .limit(2)
      .end();
    expect(res.list).toEqual([
      { _id: 'green', total: 10, n: 1, best: 10 },
      { _id: 'red', total: 5, n: 2, best: 4 },
    ]);
  });

  it('returns only 20 rows when the pipeline has no $limit, like CloudBase', async () => {
    await t.db.collection('accounts').add({ data: Array.from({ length: 30 }, (_, i) => ({ i })) });
    expect((await t.db.collection('accounts').aggregate().match({}).end()).list).toHaveLength(20);
    expect((await t.db.collection('accounts').aggregate().match({}).limit(100).end()).list).toHaveLength(30);
  });

  it('looks up another collection and keeps dates as Dates', async () => {
    const when = new Date('2024-01-01T00:00:00Z');
    await t.db.collection('accounts').add({ data: { _id: 'u1', name: 'a', at: when } });
    await t.db.collection('items').add({ data: { sku: 'S', owner: 'u1' } });
    const res = await t.db
      .collection('items')
      .aggregate()
      .lookup({ from: 'accounts', localField: 'owner', foreignField: '_id', as: 'owners' })
      .limit(5)
      .end();
    expect(res.list[0].owners).toEqual([{ _id: 'u1', name: 'a', at: when }]);
    expect(res.list[0].owners[0].at).toBeInstanceOf(Date);
  });
});

describe('collections', () => {
  it('reports a missing collection with DATABASE_COLLECTION_NOT_EXIST (-502005)', async () => {
    const get = await failure(t.db.collection('nope').get());
    expect(get.errCode).toBe(-502005);
    expect(get.message).toContain('collection.get:fail -502005');
    const add = await failure(t.db.collection('nope').add({ data: { a: 1 } }));
    expect(add.errCode).toBe(-502005);
    const doc = await failure(t.db.collection('nope').doc('x').get());
    expect(doc.errCode).toBe(-502005);
  });

  it('createCollection creates it once; a second time fails', async () => {
    const res = await t.db.createCollection('fresh');
    expect(res.errMsg).toBe('createCollection:ok');
    await t.db.collection('fresh').add({ data: { a: 1 } });
    expect((await t.db.collection('fresh').count()).total).toBe(1);
    const again = await failure(t.db.createCollection('fresh'));
    expect(again.message).toContain('Table exist');
  });

  it('rejects unknown update operators with a database error', async () => {
    await t.db.collection('accounts').doc('x').set({ data: { a: 1 } });
    const reply = handleDatabaseRequest(t.engine, {
      action: 'database.modifyDocument',
      collectionName: 'accounts',
      query: '{"_id":"x"}',
      data: '{"$frobnicate":{"a":1}}',
      multi: false,
      merge: true,
    });
    expect(await reply).toEqual(expect.objectContaining({ code: 'DATABASE_REQUEST_FAILED' }));
  });
});
