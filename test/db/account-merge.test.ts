/**
 * Account merges against the local database through the real wx-server-sdk: the steps a
 * sign-in takes when two accounts turn out to be one person, including the races and
 * crashes between them.
 */
import { newUser, type UserDoc } from '../../server/accounts/model';
import { type AccountDeps, loadUser, mergeEmptyAccount } from '../../server/accounts/store';
import { accountConfigFromEnv } from '../../server/accounts/config';
import { COLLECTIONS } from '../../server/db/collections';
import { asDb, insertIfAbsent } from '../../server/db/db';
import { openEngine, startTestCloud, type TestCloud } from './helpers';

let t: TestCloud;
let deps: AccountDeps;
const now = new Date('2026-11-23T08:00:00Z');

beforeAll(async () => {
  t = await startTestCloud(await openEngine({ collections: COLLECTIONS }));
  deps = { db: asDb(t.db as never), now: () => now, config: accountConfigFromEnv({}) };
});

afterAll(async () => {
  await t.engine.close();
  await t.close();
});

beforeEach(async () => {
  await t.engine.reset();
});

function user(id: string, extra: Partial<UserDoc> = {}): UserDoc & Record<string, unknown> {
  return { ...newUser(id, now), ...extra };
}

function identity(id: string, userId: string): Record<string, unknown> & { _id: string } {
  return { _id: id, kind: id.split(':')[0], key: id.slice(id.indexOf(':') + 1), userId, createdAt: now };
}

function doc(collection: string, id: string): Record<string, unknown> | undefined {
  return t.engine.dump(collection).find((d) => d._id === id) as Record<string, unknown> | undefined;
}

test('an empty account is folded in: marked, its identities and WeCom link moved', async () => {
  const link = { corpId: 'ww', userId: 'zs' };
  t.engine.insertDocuments('users', [user('from', { wecom: link }), user('into', { nickname: '保留' })]);
  t.engine.insertDocuments('identities', [identity('wx-openid:app:o1', 'from'), identity('wecom-userid:ww:zs', 'from'), identity('wx-unionid:u1', 'into')]);
  const merged = await mergeEmptyAccount(deps, user('from', { wecom: link }), user('into', { nickname: '保留' }));
  expect(merged).toMatchObject({ _id: 'into', wecom: link });
  expect(doc('users', 'from')).toMatchObject({ mergedInto: 'into' });
  expect(doc('users', 'into')).toMatchObject({ wecom: link, nickname: '保留' });
  expect(t.engine.dump('identities').map((d) => [d._id, d.userId]).sort()).toEqual([
    ['wecom-userid:ww:zs', 'into'],
    ['wx-openid:app:o1', 'into'],
    ['wx-unionid:u1', 'into'],
  ]);
});

test('an account that gained data after the ownership check is not merged', async () => {
  // What the check saw: nothing. What is stored by the time of the merge: an edited profile.
  const seen = user('from');
  t.engine.insertDocuments('users', [user('from', { nickname: '刚改的', profileEditedAt: now }), user('into')]);
  t.engine.insertDocuments('identities', [identity('wx-openid:app:o1', 'from')]);
  expect(await mergeEmptyAccount(deps, seen, user('into'))).toBeNull();
  expect(doc('users', 'from')?.mergedInto).toBeUndefined();
  expect(doc('identities', 'wx-openid:app:o1')).toMatchObject({ userId: 'from' });

  t.engine.insertDocuments('users', [user('granted', { roles: ['publisher'] })]);
  expect(await mergeEmptyAccount(deps, user('granted'), user('into'))).toBeNull();
  expect(doc('users', 'granted')?.mergedInto).toBeUndefined();
});

test('a merge interrupted after the mark is finished by the next reader, which pays the detour once', async () => {
  // A into B, then B into C; identities still point at A and B (crashes before moving them).
  t.engine.insertDocuments('users', [user('A', { mergedInto: 'B' }), user('B', { mergedInto: 'C' }), user('C', { nickname: '终点' })]);
  t.engine.insertDocuments('identities', [identity('wx-openid:app:oa', 'A'), identity('wx-openid:app:ob', 'B')]);
  const found = await loadUser(deps.db, 'A');
  expect(found).toMatchObject({ _id: 'C', nickname: '终点' });
  expect(doc('identities', 'wx-openid:app:oa')).toMatchObject({ userId: 'C' });
  expect(doc('identities', 'wx-openid:app:ob')).toMatchObject({ userId: 'C' });
});

test('two merges of the same pair at once both land on the survivor', async () => {
  t.engine.insertDocuments('users', [user('from'), user('into')]);
  t.engine.insertDocuments('identities', [identity('wx-openid:app:o1', 'from')]);
  const results = await Promise.all([mergeEmptyAccount(deps, user('from'), user('into')), mergeEmptyAccount(deps, user('from'), user('into'))]);
  expect(results.map((r) => r?._id)).toEqual(['into', 'into']);
  expect(doc('identities', 'wx-openid:app:o1')).toMatchObject({ userId: 'into' });
});

test('insertIfAbsent reports an existing _id as false, whatever the error text', async () => {
  expect(await insertIfAbsent(deps.db, 'settings', { _id: 'once', v: 1 })).toBe(true);
  expect(await insertIfAbsent(deps.db, 'settings', { _id: 'once', v: 2 })).toBe(false);
  expect(doc('settings', 'once')).toMatchObject({ v: 1 });
});
