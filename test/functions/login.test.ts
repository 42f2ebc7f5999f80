/** The built `login` function through the local cloud, on the real wx-server-sdk. */
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import type { Result, WhoamiResponse } from '../../typings';
import { call, startTestCloud } from '../helpers/local-cloud';

let cloud: RunningLocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud();
});

afterAll(async () => {
  await cloud.close();
});

describe('login.whoami', () => {
  test('returns the caller as the WeChat context gives it', async () => {
    const reply = await call<Result<WhoamiResponse>>(cloud, 'login', { action: 'whoami' }, { openid: 'o-alice', appid: 'wx-app-1', unionid: 'u-alice' });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ok: true, data: { openid: 'o-alice', appid: 'wx-app-1', unionid: 'u-alice' } });
    expect(reply.dbRequests).toBe(0);
  });

  test('unionid is null when the mini-program is not bound to an Open Platform account', async () => {
    const reply = await call<Result<WhoamiResponse>>(cloud, 'login', { action: 'whoami' }, { openid: 'o-bob', appid: 'wx-app-1' });
    expect(reply.body).toEqual({ ok: true, data: { openid: 'o-bob', appid: 'wx-app-1', unionid: null } });
  });

  test('many concurrent calls under different identities each get their own', async () => {
    const callers = Array.from({ length: 60 }, (_, i) => ({ openid: `o-${i}`, appid: `wx-app-${i % 4}`, unionid: i % 5 === 0 ? undefined : `u-${i}` }));
    const replies = await Promise.all(callers.map((caller) => call<Result<WhoamiResponse>>(cloud, 'login', { action: 'whoami' }, caller)));
    replies.forEach((reply, i) => {
      expect(reply.body).toEqual({ ok: true, data: { openid: callers[i].openid, appid: callers[i].appid, unionid: callers[i].unionid ?? null } });
    });
  });

  test('identity in the event is ignored; only the context counts', async () => {
    const reply = await call<Result<WhoamiResponse>>(cloud, 'login', { action: 'whoami', userInfo: { openId: 'o-mallory', appId: 'wx-evil' } }, { openid: 'o-carol', appid: 'wx-app-1' });
    expect(reply.body).toEqual({ ok: true, data: { openid: 'o-carol', appid: 'wx-app-1', unionid: null } });
  });

  test('a call without a WeChat identity is UNAUTHENTICATED', async () => {
    const reply = await call<Result<WhoamiResponse>>(cloud, 'login', { action: 'whoami' });
    expect(reply.body).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  test('unknown actions and unexpected fields are typed errors', async () => {
    const unknown = await call<Result<WhoamiResponse>>(cloud, 'login', { action: 'becomeAdmin' }, { openid: 'o-dave' });
    expect(unknown.body).toMatchObject({ ok: false, error: { code: 'UNKNOWN_ACTION', field: 'action' } });
    const invalid = await call<Result<WhoamiResponse>>(cloud, 'login', { action: 'whoami', openid: 'o-other' }, { openid: 'o-dave' });
    expect(invalid.body).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'openid' } });
  });
});
