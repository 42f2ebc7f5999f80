/** Update semantics MongoDB enforces and CloudBase inherits, through the real SDK. */
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
});

test('a positional $ path updates the array element the query matched', async () => {
  await t.db.collection('accounts').add({ data: { _id: 'p', items: [{ k: 1, v: 'a' }, { k: 2, v: 'b' }, { k: 3, v: 'c' }] } });
  const res = await t.db.collection('accounts').where({ 'items.k': 2 }).update({ data: { 'items.$.v': 'X' } });
  expect(res.stats.updated).toBe(1);
  expect(t.engine.dump('accounts')[0].items).toEqual([{ k: 1, v: 'a' }, { k: 2, v: 'X' }, { k: 3, v: 'c' }]);
});

test('operators that do not fit the stored type fail and change nothing', async () => {
  const _ = t.db.command;
  await t.db.collection('accounts').add({ data: { _id: 'w', label: '5', n: 3, tags: 'x', nothing: null } });
  const before = t.engine.dump('accounts');
  const attempts = [
    { label: _.inc(1) },
    { n: _.push(1) },
    { 'n.x': 1 },
    { 'nothing.p': 1 },
    { tags: _.pull('x') },
  ];
  for (const data of attempts) {
    const err = await failure(t.db.collection('accounts').doc('w').update({ data }));
    expect(err.errCode).toBe(-502001);
  }
  const multi = await failure(t.db.collection('accounts').where({ _id: 'w' }).update({ data: { label: _.inc(1) } }));
  expect(multi.message).toContain('non-numeric');
  expect(t.engine.dump('accounts')).toEqual(before);
});

test('operators on missing fields create them, as MongoDB does', async () => {
  const _ = t.db.command;
  await t.db.collection('accounts').add({ data: { _id: 'm' } });
  await t.db.collection('accounts').doc('m').update({ data: { count: _.inc(2), list: _.push(['a']), 'deep.er': 1 } });
  expect(t.engine.dump('accounts')[0]).toEqual({ _id: 'm', count: 2, list: ['a'], deep: { er: 1 } });
});

test('a multi update over thousands of documents changes each exactly once', async () => {
  const _ = t.db.command;
  const docs = Array.from({ length: 3000 }, (_unused, i) => ({ _id: `d${i}`, g: i % 3, n: i }));
  for (let i = 0; i < docs.length; i += 1000) await t.db.collection('accounts').add({ data: docs.slice(i, i + 1000) });
  const res = await t.db.collection('accounts').where({ g: 1 }).update({ data: { n: _.inc(1000000), touched: true } });
  expect(res.stats.updated).toBe(1000);
  const all = t.engine.dump('accounts');
  expect(all.filter((d) => d.touched === true)).toHaveLength(1000);
  expect(all.every((d) => (d.g === 1 ? d.n === Number(String(d._id).slice(1)) + 1000000 : d.n === Number(String(d._id).slice(1))))).toBe(true);
});
