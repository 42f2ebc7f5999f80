/**
 * Accounts through the local cloud on the real wx-server-sdk: sign-in and identity linking,
 * merges and conflicts, profile, roles and the shared guard.
 */
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import type { AccountConflictView, AccountSummary, AccountView, LoginResponse, Page, Result, RoleChangeView, UnitView } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { type Caller, call, issuePhoneCode, startTestCloud } from '../helpers/local-cloud';

let cloud: RunningLocalCloud;
let seq = 0;

/** A fresh person for each test, so tests do not depend on each other's accounts. */
function person(label: string): { openid: string; unionid: string } {
  seq += 1;
  return { openid: `o-${label}-${seq}`, unionid: `u-${label}-${seq}` };
}

const ADMIN: Caller = { openid: 'demo-admin-openid', appid: 'wx-demo-appid', unionid: 'demo-admin-unionid' };
const CONFIG_ADMIN_OPENID = 'o-configured-admin';

beforeAll(async () => {
  cloud = await startTestCloud({ functionEnv: { XINTONG_ADMIN_OPENIDS: `${CONFIG_ADMIN_OPENID}, o-other-admin`, XINTONG_ORG_NAME: '测试大学' } });
});

afterAll(async () => {
  await cloud.close();
});

function docs(collection: string): Record<string, unknown>[] {
  return cloud.cloud.engine.dump(collection) as Record<string, unknown>[];
}

async function login(caller: Caller) {
  const reply = await call<Result<LoginResponse>>(cloud, 'login', { action: 'login' }, caller);
  if (!reply.body.ok) throw new Error(`login failed: ${JSON.stringify(reply.body)}`);
  return { ...reply.body.data, dbRequests: reply.dbRequests };
}

async function act<T>(caller: Caller, action: string, request: Record<string, unknown> = {}) {
  const reply = await call<Result<T>>(cloud, 'login', { action, ...request }, caller);
  return reply.body;
}

async function giveData(caller: Caller, nickname: string): Promise<void> {
  const updated = await act<AccountView>(caller, 'profile.update', { nickname });
  expect(updated).toMatchObject({ ok: true });
}

describe('login', () => {
  test('a first login creates the account; a returning one finds it in at most 2 requests', async () => {
    const p = person('new');
    const caller = { ...p, appid: 'wx-app-a' };
    const first = await login(caller);
    expect(first.created).toBe(true);
    expect(first.account).toEqual({
      id: expect.any(String),
      nickname: null,
      avatarFileId: null,
      roles: ['member'],
      member: null,
      wecom: null,
      organisation: { name: '测试大学' },
    });
    const again = await login(caller);
    expect(again.created).toBe(false);
    expect(again.account.id).toBe(first.account.id);
    expect(again.dbRequests).toBeLessThanOrEqual(2);
    const identities = docs('identities').filter((doc) => doc.userId === first.account.id);
    expect(identities.map((doc) => doc._id).sort()).toEqual([`wx-openid:wx-app-a:${p.openid}`, `wx-unionid:${p.unionid}`].sort());
  });

  test('concurrent first logins of one person create exactly one account', async () => {
    const p = person('race');
    const caller = { ...p, appid: 'wx-app-a' };
    const results = await Promise.all(Array.from({ length: 16 }, () => login(caller)));
    const ids = new Set(results.map((r) => r.account.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.created).length).toBeGreaterThanOrEqual(1);
    const [id] = [...ids];
    expect(docs('users').filter((doc) => doc._id === id)).toHaveLength(1);
    expect(docs('identities').filter((doc) => doc.userId === id)).toHaveLength(2);
  });

  test('concurrent first logins from two mini-programs with one UNIONID meet on one account', async () => {
    const p = person('twoapps');
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => login({ openid: `${p.openid}-${i % 2 ? 'b' : 'a'}`, appid: i % 2 ? 'wx-app-b' : 'wx-app-a', unionid: p.unionid })),
    );
    const ids = new Set(results.map((r) => r.account.id));
    expect(ids.size).toBe(1);
    const held = docs('identities').filter((doc) => doc.userId === [...ids][0]).map((doc) => doc._id);
    expect(held.sort()).toEqual([`wx-openid:wx-app-a:${p.openid}-a`, `wx-openid:wx-app-b:${p.openid}-b`, `wx-unionid:${p.unionid}`].sort());
  });

  test('the same UNIONID from another mini-program resolves to the same account and records its openid', async () => {
    const p = person('multi');
    const a = await login({ openid: `${p.openid}-a`, appid: 'wx-app-a', unionid: p.unionid });
    const b = await login({ openid: `${p.openid}-b`, appid: 'wx-app-b', unionid: p.unionid });
    expect(b.created).toBe(false);
    expect(b.account.id).toBe(a.account.id);
    expect(docs('identities').some((doc) => doc._id === `wx-openid:wx-app-b:${p.openid}-b` && doc.userId === a.account.id)).toBe(true);
  });

  test('a UNIONID appearing later is attached to the existing account, not a new one', async () => {
    const p = person('late');
    const before = await login({ openid: p.openid, appid: 'wx-app-a' });
    const after = await login({ openid: p.openid, appid: 'wx-app-a', unionid: p.unionid });
    expect(after.account.id).toBe(before.account.id);
    expect(after.created).toBe(false);
    expect(docs('identities').find((doc) => doc._id === `wx-unionid:${p.unionid}`)).toMatchObject({ userId: before.account.id });
    const users = docs('users').length;
    await login({ openid: `${p.openid}-b`, appid: 'wx-app-b', unionid: p.unionid });
    expect(docs('users').length).toBe(users);
  });

  test('an openid account that owns nothing is merged into the UNIONID account', async () => {
    const p = person('merge');
    const openidOnly = await login({ openid: p.openid, appid: 'wx-app-a' });
    const viaOtherApp = await login({ openid: `${p.openid}-b`, appid: 'wx-app-b', unionid: p.unionid });
    await giveData({ openid: `${p.openid}-b`, appid: 'wx-app-b', unionid: p.unionid }, '合并保留者');
    expect(viaOtherApp.account.id).not.toBe(openidOnly.account.id);

    const merged = await login({ openid: p.openid, appid: 'wx-app-a', unionid: p.unionid });
    expect(merged.account.id).toBe(viaOtherApp.account.id);
    expect(merged.account.nickname).toBe('合并保留者');
    expect(docs('users').find((doc) => doc._id === openidOnly.account.id)).toMatchObject({ mergedInto: viaOtherApp.account.id });
    expect(docs('identities').find((doc) => doc._id === `wx-openid:wx-app-a:${p.openid}`)).toMatchObject({ userId: viaOtherApp.account.id });
    expect(docs('account_conflicts').filter((doc) => String(doc._id).includes(openidOnly.account.id))).toHaveLength(0);
    // The merged account is found directly from now on.
    const again = await login({ openid: p.openid, appid: 'wx-app-a', unionid: p.unionid });
    expect(again.account.id).toBe(viaOtherApp.account.id);
    expect(again.dbRequests).toBeLessThanOrEqual(2);
  });

  test('a UNIONID account that owns nothing is merged into the openid account that does', async () => {
    const p = person('mergeback');
    const caller = { openid: p.openid, appid: 'wx-app-a' };
    const old = await login(caller);
    await giveData(caller, '老账号');
    const fresh = await login({ openid: `${p.openid}-b`, appid: 'wx-app-b', unionid: p.unionid });
    const merged = await login({ ...caller, unionid: p.unionid });
    expect(merged.account.id).toBe(old.account.id);
    expect(merged.account.nickname).toBe('老账号');
    expect(docs('users').find((doc) => doc._id === fresh.account.id)).toMatchObject({ mergedInto: old.account.id });
    const fromB = await login({ openid: `${p.openid}-b`, appid: 'wx-app-b', unionid: p.unionid });
    expect(fromB.account.id).toBe(old.account.id);
  });

  test('when both accounts own data: sign in to the UNIONID account and record ACCOUNT_CONFLICT once', async () => {
    const p = person('conflict');
    const callerA = { openid: p.openid, appid: 'wx-app-a' };
    const callerB = { openid: `${p.openid}-b`, appid: 'wx-app-b', unionid: p.unionid };
    const a = await login(callerA);
    await giveData(callerA, '甲账号');
    const b = await login(callerB);
    await giveData(callerB, '乙账号');

    const both = { ...callerA, unionid: p.unionid };
    const first = await login(both);
    expect(first.account.id).toBe(b.account.id);
    expect(first.account.nickname).toBe('乙账号');
    // Nothing was overwritten or moved.
    expect(docs('users').find((doc) => doc._id === a.account.id)).toMatchObject({ nickname: '甲账号' });
    expect(docs('users').find((doc) => doc._id === a.account.id)?.mergedInto).toBeUndefined();

    const second = await login(both);
    expect(second.account.id).toBe(b.account.id);
    expect(second.dbRequests).toBeLessThanOrEqual(2);
    const records = docs('account_conflicts').filter((doc) => doc.openidUserId === a.account.id);
    expect(records).toHaveLength(1);

    const listed = await act<Page<AccountConflictView>>(ADMIN, 'conflicts.list', { status: 'open' });
    expect(listed.ok).toBe(true);
    const view = listed.ok ? listed.data.items.find((item) => item.openidAccount.id === a.account.id) : undefined;
    expect(view).toMatchObject({ code: 'ACCOUNT_CONFLICT', status: 'open', appid: 'wx-app-a', unionidAccount: { id: b.account.id, nickname: '乙账号' } });

    const resolved = await act<AccountConflictView>(ADMIN, 'conflicts.resolve', { id: view!.id, decision: 'dismiss', note: '已人工核对' });
    expect(resolved).toMatchObject({ ok: true, data: { status: 'resolved', resolution: 'dismissed', note: '已人工核对' } });
    // Kept apart: both accounts are unchanged and the login still goes to the UNIONID's.
    expect(docs('users').find((doc) => doc._id === a.account.id)?.mergedInto).toBeUndefined();
    expect((await login(both)).account.id).toBe(b.account.id);
    // Resolving again keeps the first resolution.
    expect(await act(ADMIN, 'conflicts.resolve', { id: view!.id, decision: 'merge' })).toMatchObject({ ok: true, data: { resolution: 'dismissed' } });
    expect(docs('users').find((doc) => doc._id === a.account.id)?.mergedInto).toBeUndefined();
    const stillOpen = await act<Page<AccountConflictView>>(ADMIN, 'conflicts.list', { status: 'open' });
    expect(stillOpen.ok && stillOpen.data.items.some((item) => item.id === view!.id)).toBe(false);
    expect(await act(ADMIN, 'conflicts.resolve', { id: 'nope~nope', decision: 'dismiss' })).toMatchObject({ ok: false, error: { code: 'CONFLICT_NOT_FOUND' } });
    expect(await act(ADMIN, 'conflicts.resolve', { id: view!.id })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'decision' } });
    expect(await act(callerB, 'conflicts.list')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  test('an admin merges a conflict: roles, member and profile gaps move to the UNIONID account', async () => {
    const p = person('fold');
    const callerA = { openid: p.openid, appid: 'wx-app-a' };
    const callerB = { openid: `${p.openid}-b`, appid: 'wx-app-b', unionid: p.unionid };
    const a = await login(callerA);
    await giveData(callerA, '旧号');
    expect(await act(ADMIN, 'roles.grant', { userId: a.account.id, role: 'publisher' })).toMatchObject({ ok: true });
    const b = await login(callerB);
    await giveData(callerB, '新号');
    await login({ ...callerA, unionid: p.unionid });
    const listed = await act<Page<AccountConflictView>>(ADMIN, 'conflicts.list', { status: 'open' });
    const view = listed.ok ? listed.data.items.find((item) => item.openidAccount.id === a.account.id) : undefined;
    expect(view).toBeDefined();

    const merged = await act<AccountConflictView>(ADMIN, 'conflicts.resolve', { id: view!.id, decision: 'merge', note: '同一人' });
    expect(merged).toMatchObject({ ok: true, data: { status: 'resolved', resolution: 'merged', unionidAccount: { id: b.account.id, roles: ['member', 'publisher'] } } });
    expect(docs('users').find((doc) => doc._id === a.account.id)).toMatchObject({ mergedInto: b.account.id });
    expect(docs('users').find((doc) => doc._id === b.account.id)).toMatchObject({ nickname: '新号', roles: ['publisher'] });
    const openidIdentity = docs('identities').find((doc) => doc._id === `wx-openid:wx-app-a:${p.openid}`);
    expect(openidIdentity).toMatchObject({ userId: b.account.id });
    expect(openidIdentity?.conflictId).toBeUndefined();
    // The role the account gained is on record, made by the admin who merged.
    expect(docs('role_changes').filter((doc) => doc.targetUserId === b.account.id)).toEqual([
      expect.objectContaining({ change: 'grant', role: 'publisher', actorUserId: 'demo-admin', source: 'admin' }),
    ]);
    // Both mini-programs now sign in to the one account, in 2 requests.
    const fromA = await login(callerA);
    expect(fromA.account).toMatchObject({ id: b.account.id, roles: ['member', 'publisher'] });
    expect(fromA.dbRequests).toBeLessThanOrEqual(2);
  });

  test('accounts bound to different roster members are not merged', async () => {
    const now = new Date();
    const member = (id: string, name: string) => ({ id, name, number: id, kind: 'staff', unitNames: [], active: true });
    cloud.cloud.engine.insertDocuments('users', [
      { _id: 'u-m1', nickname: null, avatarFileId: null, roles: [], member: member('m1', '甲'), wecom: null, profileEditedAt: null, createdAt: now, updatedAt: now },
      { _id: 'u-m2', nickname: null, avatarFileId: null, roles: [], member: member('m2', '乙'), wecom: null, profileEditedAt: null, createdAt: now, updatedAt: now },
    ]);
    cloud.cloud.engine.insertDocuments('account_conflicts', [
      { _id: 'u-m1~u-m2', status: 'open', appid: 'wx-app-a', openidKey: 'wx-openid:wx-app-a:o-m1', unionidKey: 'wx-unionid:u-m', openidUserId: 'u-m1', unionidUserId: 'u-m2', createdAt: now, resolvedAt: null, resolvedBy: null, note: null },
    ]);
    expect(await act(ADMIN, 'conflicts.resolve', { id: 'u-m1~u-m2', decision: 'merge' })).toMatchObject({ ok: false, error: { code: 'ACCOUNT_MERGE_BLOCKED' } });
    expect(docs('users').find((doc) => doc._id === 'u-m1')?.mergedInto).toBeUndefined();
    expect(docs('account_conflicts').find((doc) => doc._id === 'u-m1~u-m2')).toMatchObject({ status: 'open' });
  });

  test('identity comes from the WeChat context only', async () => {
    const p = person('ctx');
    const reply = await call<Result<LoginResponse>>(cloud, 'login', { action: 'login', openid: 'someone-else' }, { ...p, appid: 'wx-app-a' });
    expect(reply.body).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'openid' } });
    const anonymous = await call<Result<LoginResponse>>(cloud, 'login', { action: 'login' });
    expect(anonymous.body).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  test('openids listed in the configuration become admin at login, recorded as configuration', async () => {
    const caller = { openid: CONFIG_ADMIN_OPENID, appid: 'wx-app-a' };
    const first = await login(caller);
    expect(first.account.roles).toEqual(['member', 'admin']);
    const again = await login(caller);
    expect(again.account.roles).toEqual(['member', 'admin']);
    const changes = docs('role_changes').filter((doc) => doc.targetUserId === first.account.id);
    expect(changes).toEqual([expect.objectContaining({ change: 'grant', role: 'admin', source: 'config', actorUserId: null })]);
    expect(docs('settings').find((doc) => doc._id === 'admins')?.userIds).toContain(first.account.id);

    // An admin's later revoke stands: the configuration grants once, not at every login.
    expect(await act(ADMIN, 'roles.revoke', { userId: first.account.id, role: 'admin' })).toMatchObject({ ok: true });
    const afterRevoke = await login(caller);
    expect(afterRevoke.account.roles).toEqual(['member']);
    expect(docs('role_changes').filter((doc) => doc.targetUserId === first.account.id)).toHaveLength(2);
  });
});

describe('the shared guard', () => {
  test('a caller who never signed in gets ACCOUNT_NOT_FOUND and nothing is created', async () => {
    const p = person('guard');
    const users = docs('users').length;
    expect(await act({ ...p, appid: 'wx-app-a' }, 'profile.get')).toMatchObject({ ok: false, error: { code: 'ACCOUNT_NOT_FOUND' } });
    expect(docs('users').length).toBe(users);
  });

  test('a guarded call costs 2 database requests', async () => {
    const reply = await call<Result<AccountView>>(cloud, 'login', { action: 'profile.get' }, ADMIN);
    expect(reply.body).toMatchObject({ ok: true, data: { id: 'demo-admin', roles: ['member', 'admin'] } });
    expect(reply.dbRequests).toBe(2);
  });
});

describe('profile', () => {
  test('nickname: 1 to FIELD_LIMITS.nickname characters, trimmed, emoji count once; bad input changes nothing', async () => {
    const p = person('nick');
    const caller = { ...p, appid: 'wx-app-a' };
    const { account } = await login(caller);
    expect(await act<AccountView>(caller, 'profile.update', { nickname: '  小明  ' })).toMatchObject({ ok: true, data: { nickname: '小明' } });
    const long = '😀'.repeat(FIELD_LIMITS.nickname);
    expect(await act<AccountView>(caller, 'profile.update', { nickname: ` ${long} ` })).toMatchObject({ ok: true, data: { nickname: long } });
    expect(await act(caller, 'profile.update', { nickname: '😀'.repeat(FIELD_LIMITS.nickname + 1) })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', field: 'nickname', message: expect.stringContaining(String(FIELD_LIMITS.nickname)) },
    });
    for (const bad of ['', '   ', 'a\nb', 'x'.repeat(300)]) {
      expect(await act(caller, 'profile.update', { nickname: bad })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'nickname' } });
    }
    expect(await act(caller, 'profile.update', {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await act(caller, 'profile.update', { nickname: 42 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'nickname' } });
    expect(docs('users').find((doc) => doc._id === account.id)).toMatchObject({ nickname: long });
  });

  test('a nickname the content check rejects is CONTENT_RISKY and not saved', async () => {
    const p = person('risky');
    const caller = { ...p, appid: 'wx-app-a' };
    const { account } = await login(caller);
    expect(await act(caller, 'profile.update', { nickname: '含违禁测试词的名字' })).toMatchObject({ ok: false, error: { code: 'CONTENT_RISKY', field: 'nickname' } });
    expect(docs('users').find((doc) => doc._id === account.id)).toMatchObject({ nickname: null, profileEditedAt: null });
  });

  test('an avatar must be an existing file under the caller’s own avatar folder', async () => {
    const p = person('avatar');
    const caller = { ...p, appid: 'wx-app-a' };
    const { account } = await login(caller);
    const cases = [
      'https://example.com/a.png',
      `cloud://local.bucket/avatars/someone-else/a.png`,
      `cloud://local.bucket/avatars/${account.id}/../x.png`,
      `cloud://local.bucket/avatars/${account.id}/missing.png`,
    ];
    for (const avatarFileId of cases) {
      expect(await act(caller, 'profile.update', { avatarFileId })).toMatchObject({ ok: false, error: { code: 'AVATAR_INVALID', field: 'avatarFileId' } });
    }
    expect(docs('users').find((doc) => doc._id === account.id)).toMatchObject({ avatarFileId: null });
  });
});

async function uploadAvatar(cloudPath: string): Promise<string> {
  const form = new FormData();
  form.append('cloudPath', cloudPath);
  form.append('file', new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])], { type: 'image/png' }), 'avatar.png');
  const response = await fetch(`${cloud.url}/storage/upload`, { method: 'POST', body: form });
  const body = (await response.json()) as { fileID?: string };
  if (!body.fileID) throw new Error(`upload failed: ${JSON.stringify(body)}`);
  return body.fileID;
}

describe('profile avatar', () => {
  test('an uploaded avatar is kept as its file id; replacing it removes the old file', async () => {
    const p = person('avatar-ok');
    const caller = { ...p, appid: 'wx-app-a' };
    const { account } = await login(caller);
    const first = await uploadAvatar(`avatars/${account.id}/1.png`);
    expect(await act<AccountView>(caller, 'profile.update', { avatarFileId: first })).toMatchObject({ ok: true, data: { avatarFileId: first } });
    const second = await uploadAvatar(`avatars/${account.id}/2.png`);
    expect(await act<AccountView>(caller, 'profile.update', { avatarFileId: second })).toMatchObject({ ok: true, data: { avatarFileId: second } });
    const stored = cloud.cloud.storage.list(`avatars/${account.id}/`).map((file: { cloudPath: string }) => file.cloudPath);
    expect(stored).toEqual([`avatars/${account.id}/2.png`]);
    // Someone else cannot claim the file.
    const other = { ...person('avatar-thief'), appid: 'wx-app-a' };
    await login(other);
    expect(await act(other, 'profile.update', { avatarFileId: second })).toMatchObject({ ok: false, error: { code: 'AVATAR_INVALID' } });
  });
});

describe('roles.bootstrapOpen', () => {
  test('answers whether 首位管理员初始化 can work: a code configured and no admin yet; one read, changing nothing', async () => {
    const code = 'first-admin-code-2025';
    const empty = await startTestCloud({ seed: false, functionEnv: { XINTONG_BOOTSTRAP_CODE: code } });
    try {
      const first = { ...person('boot-first'), appid: 'wx-app-a' };
      await call(empty, 'login', { action: 'login' }, first);
      const before = JSON.stringify(empty.cloud.engine.dump('settings'));
      const open = await call<Result<{ bootstrapOpen: boolean }>>(empty, 'login', { action: 'roles.bootstrapOpen' }, first);
      expect(open.body).toEqual({ ok: true, data: { bootstrapOpen: true } });
      // The guard's two reads of the caller's account, then settings/admins.
      expect(open.dbRequests).toBeLessThanOrEqual(3);
      expect(JSON.stringify(empty.cloud.engine.dump('settings'))).toBe(before);

      expect((await call<Result<AccountView>>(empty, 'login', { action: 'roles.bootstrap', code }, first)).body).toMatchObject({ ok: true });
      const closed = await call<Result<{ bootstrapOpen: boolean }>>(empty, 'login', { action: 'roles.bootstrapOpen' }, first);
      expect(closed.body).toEqual({ ok: true, data: { bootstrapOpen: false } });
    } finally {
      await empty.close();
    }
  });

  test('is closed where no bootstrap code is configured, even without an admin', async () => {
    // An empty setting is no code, as in a deployment that sets none.
    const noCode = await startTestCloud({ seed: false, functionEnv: { XINTONG_BOOTSTRAP_CODE: '' } });
    try {
      const caller = { ...person('boot-nocode'), appid: 'wx-app-a' };
      await call(noCode, 'login', { action: 'login' }, caller);
      expect((await call(noCode, 'login', { action: 'roles.bootstrapOpen' }, caller)).body).toEqual({ ok: true, data: { bootstrapOpen: false } });
    } finally {
      await noCode.close();
    }
  });

  test('is closed once an admin exists, and needs a caller', async () => {
    const member = { ...person('boot-member'), appid: 'wx-app-a' };
    await login(member);
    expect(await act(member, 'roles.bootstrapOpen')).toEqual({ ok: true, data: { bootstrapOpen: false } });
    expect((await call(cloud, 'login', { action: 'roles.bootstrapOpen' })).body).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});

describe('roles', () => {
  async function fresh(label: string, nickname?: string): Promise<{ caller: Caller; id: string }> {
    const p = person(label);
    const caller = { ...p, appid: 'wx-app-a' };
    const { account } = await login(caller);
    if (nickname) await giveData(caller, nickname);
    return { caller, id: account.id };
  }

  test('an admin grants and revokes; each change is recorded with who, whom and when', async () => {
    const target = await fresh('pub', '发布员甲');
    const granted = await act<AccountSummary>(ADMIN, 'roles.grant', { userId: target.id, role: 'publisher' });
    expect(granted).toMatchObject({ ok: true, data: { id: target.id, roles: ['member', 'publisher'] } });
    // Granting again changes nothing and records nothing.
    await act(ADMIN, 'roles.grant', { userId: target.id, role: 'publisher' });
    expect(await act<AccountView>(target.caller, 'profile.get')).toMatchObject({ ok: true, data: { roles: ['member', 'publisher'] } });

    const list = await act<Page<AccountSummary>>(ADMIN, 'roles.list', { role: 'publisher' });
    expect(list.ok && list.data.items.map((item) => item.id)).toContain(target.id);

    expect(await act(ADMIN, 'roles.revoke', { userId: target.id, role: 'publisher' })).toMatchObject({ ok: true, data: { roles: ['member'] } });
    const history = await act<Page<RoleChangeView>>(ADMIN, 'roles.history', { userId: target.id });
    expect(history).toMatchObject({
      ok: true,
      data: {
        items: [
          { change: 'revoke', role: 'publisher', target: { id: target.id, name: '发布员甲' }, actor: { id: 'demo-admin', name: '陈主任' }, source: 'admin' },
          { change: 'grant', role: 'publisher', target: { id: target.id }, actor: { id: 'demo-admin' } },
        ],
        next: null,
      },
    });
    expect(history.ok && history.data.items[0].at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  });

  test('only admins manage roles; bad input and unknown users are typed errors that change nothing', async () => {
    const member = await fresh('plain');
    const other = await fresh('other');
    expect(await act(member.caller, 'roles.grant', { userId: member.id, role: 'admin' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await act(member.caller, 'roles.list')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await act(ADMIN, 'roles.grant', { userId: other.id, role: 'member' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'role' } });
    expect(await act(ADMIN, 'roles.grant', { userId: 'u-missing', role: 'observer' })).toMatchObject({ ok: false, error: { code: 'USER_NOT_FOUND' } });
    expect(docs('role_changes').filter((doc) => doc.targetUserId === member.id || doc.targetUserId === other.id || doc.targetUserId === 'u-missing')).toHaveLength(0);
  });

  test('the last admin cannot be revoked, even by two admins revoking each other at once', async () => {
    const second = await fresh('admin2', '第二管理员');
    expect(await act(ADMIN, 'roles.grant', { userId: second.id, role: 'admin' })).toMatchObject({ ok: true });
    const before = docs('settings').find((doc) => doc._id === 'admins')?.userIds as string[];
    expect(before).toEqual(expect.arrayContaining(['demo-admin', second.id]));

    // Leave exactly these two admins, then let them revoke each other concurrently.
    for (const id of before.filter((id) => id !== 'demo-admin' && id !== second.id)) {
      expect(await act(ADMIN, 'roles.revoke', { userId: id, role: 'admin' })).toMatchObject({ ok: true });
    }
    const [a, b] = await Promise.all([
      act(ADMIN, 'roles.revoke', { userId: second.id, role: 'admin' }),
      act(second.caller, 'roles.revoke', { userId: 'demo-admin', role: 'admin' }),
    ]);
    const outcomes = [a, b].map((r) => (r.ok ? 'OK' : r.error.code));
    // Exactly one wins; the other either lost its admin role first (FORBIDDEN) or hit the last-admin rule.
    expect(outcomes.filter((o) => o === 'OK')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'FORBIDDEN' || o === 'LAST_ADMIN')).toHaveLength(1);
    const admins = docs('users').filter((doc) => (doc.roles as string[] | undefined)?.includes('admin') && !doc.mergedInto);
    expect(admins.length).toBeGreaterThanOrEqual(1);
    expect((docs('settings').find((doc) => doc._id === 'admins')?.userIds as string[]).sort()).toEqual(admins.map((doc) => doc._id).sort());

    const survivor = admins[0]._id === 'demo-admin' ? ADMIN : second.caller;
    if (admins.length === 1) {
      expect(await act(survivor, 'roles.revoke', { userId: admins[0]._id, role: 'admin' })).toMatchObject({ ok: false, error: { code: 'LAST_ADMIN' } });
    }
    // Restore the demo admin for later tests.
    if (survivor !== ADMIN) expect(await act(survivor, 'roles.grant', { userId: 'demo-admin', role: 'admin' })).toMatchObject({ ok: true });
  });

  test('accounts.search finds bound people by 学号/工号 or name prefix, with number and units to tell two 王伟 apart', async () => {
    const org = async <T>(action: string, request: Record<string, unknown>, caller: Caller = ADMIN) => {
      const reply = (await call<Result<T>>(cloud, 'org', { action, ...request }, caller)).body;
      if (!reply.ok) throw new Error(`${action} failed: ${JSON.stringify(reply.error)}`);
      return reply.data;
    };
    const college = await org<UnitView>('units.create', { parentId: 'root', name: `搜索学院${seq}`, kind: 'college' });
    const classes = [await org<UnitView>('units.create', { parentId: college.id, name: '一班', kind: 'class' }), await org<UnitView>('units.create', { parentId: college.id, name: '二班', kind: 'class' })];
    const stem = `S${Date.now() % 100000}`;
    const people: string[] = [];
    for (const [i, cls] of classes.entries()) {
      const phone = `+86137${String(Date.now() % 100000).padStart(5, '0')}${String(i).padStart(3, '0')}`;
      await org('members.create', { member: { name: '王伟', number: `${stem}0${i + 1}`, phone, kind: 'student', unitIds: [cls.id], title: null, wecomUserId: null } });
      const caller = { ...person('wangwei'), appid: 'wx-demo-appid' };
      const { account } = await login(caller);
      await org('bind.phone', { code: await issuePhoneCode(cloud, phone) }, caller);
      people.push(account.id);
    }
    const search = async (query: string) => {
      const reply = await call<Result<{ items: AccountSummary[] }>>(cloud, 'login', { action: 'accounts.search', query }, ADMIN);
      if (!reply.body.ok) throw new Error(JSON.stringify(reply.body.error));
      return { items: reply.body.data.items, dbRequests: reply.dbRequests };
    };
    const byNumber = await search(stem);
    expect(byNumber.items.map((item) => [item.id, item.memberName, item.memberNumber, item.unitPath])).toEqual([
      [people[0], '王伟', `${stem}01`, `${college.name}/一班`],
      [people[1], '王伟', `${stem}02`, `${college.name}/二班`],
    ]);
    // The guard's 2, the tree revision (and the units when this instance's snapshot is stale), the members, the accounts.
    expect(byNumber.dbRequests).toBeLessThanOrEqual(6);
    const byName = await search('王伟');
    expect(byName.items.filter((item) => people.includes(item.id)).map((item) => item.unitPath)).toEqual([`${college.name}/一班`, `${college.name}/二班`]);
    // Typed with a space, or in full-width digits, a number is read as the roster stores it.
    expect((await search(`${stem.slice(0, 3)} ${stem.slice(3)}02`)).items.map((item) => item.id)).toEqual([people[1]]);
    const wide = [...`${stem}01`].map((c) => (/\d/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('');
    expect((await search(wide)).items.map((item) => item.id)).toEqual([people[0]]);
  });

  test('accounts.search finds by nickname prefix, literally', async () => {
    const target = await fresh('search', '搜索目标(甲)');
    const found = await act<{ items: AccountSummary[] }>(ADMIN, 'accounts.search', { query: '搜索目标(' });
    expect(found.ok && found.data.items.map((item) => item.id)).toEqual([target.id]);
    const regex = await act<{ items: AccountSummary[] }>(ADMIN, 'accounts.search', { query: '.*' });
    expect(regex).toEqual({ ok: true, data: { items: [] } });
    expect(await act(ADMIN, 'accounts.search', { query: '' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
