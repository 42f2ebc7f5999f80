/**
 * WeCom sign-in through the local cloud: the built `login` function runs the real WeCom
 * client against a fake WeCom server over HTTP.
 */
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { WecomStandIn, type WecomStandInReply, startFakeWecomServer } from '../../local-cloud/src/stand-ins/wecom';
import type { AccountView, LoginResponse, Result } from '../../typings';
import { type Caller, call, startTestCloud } from '../helpers/local-cloud';

const CORP = 'ww-test-corp';
const MISMATCH = 'code-from-another-corp';

/** Answers one agreed code as a member of another organisation would be answered. */
class TwoCorpStandIn extends WecomStandIn {
  handle(method: string, path: string, query: URLSearchParams, body: unknown): WecomStandInReply {
    if (path === '/cgi-bin/miniprogram/jscode2session' && query.get('js_code') === MISMATCH) {
      return { status: 200, json: { errcode: 0, errmsg: 'ok', corpid: 'ww-other-corp', userid: 'stranger', session_key: 'k' } };
    }
    return super.handle(method, path, query, body);
  }
}

let wecom: TwoCorpStandIn;
let server: { url: string; close(): Promise<void> };
let cloud: RunningLocalCloud;
let unconfigured: RunningLocalCloud;
let seq = 0;

function person(): Caller {
  seq += 1;
  return { openid: `o-wecom-${seq}`, appid: 'wx-app-a' };
}

beforeAll(async () => {
  wecom = new TwoCorpStandIn({ corpId: CORP, secret: 'wecom-secret-for-tests' });
  server = await startFakeWecomServer(wecom);
  cloud = await startTestCloud({
    functionEnv: { XINTONG_WECOM_CORP_ID: CORP, XINTONG_WECOM_SECRET: 'wecom-secret-for-tests', XINTONG_WECOM_BASE_URL: server.url },
  });
  // The local cloud configures its WeCom stand-in by default; an operator may leave WeCom out.
  unconfigured = await startTestCloud({ functionEnv: { XINTONG_WECOM_CORP_ID: '', XINTONG_WECOM_SECRET: '' } });
});

afterAll(async () => {
  await Promise.all([cloud.close(), unconfigured.close()]);
  await server.close();
});

async function wecomLogin(caller: Caller, code: string, target: RunningLocalCloud = cloud): Promise<Result<LoginResponse>> {
  return (await call<Result<LoginResponse>>(target, 'login', { action: 'wecomLogin', code }, caller)).body;
}

function docs(collection: string): Record<string, unknown>[] {
  return cloud.cloud.engine.dump(collection) as Record<string, unknown>[];
}

test('a wx.qy.login code links the WeCom member to the caller’s account', async () => {
  const caller = person();
  const result = await wecomLogin(caller, wecom.issueCode('zhangsan'));
  expect(result).toMatchObject({ ok: true, data: { account: { wecom: { corpId: CORP, userId: 'zhangsan' } } } });
  const id = result.ok ? result.data.account.id : '';
  expect(docs('identities').find((doc) => doc._id === `wecom-userid:${CORP}:zhangsan`)).toMatchObject({ userId: id });
  // The WeChat sign-in sees the link too.
  const profile = (await call<Result<AccountView>>(cloud, 'login', { action: 'profile.get' }, caller)).body;
  expect(profile).toMatchObject({ ok: true, data: { id, wecom: { userId: 'zhangsan' } } });
  // The secret never reaches a request other than gettoken.
  const leaked = wecom.requests.filter((r) => r.path !== '/cgi-bin/gettoken' && JSON.stringify(r).includes('wecom-secret-for-tests'));
  expect(leaked).toEqual([]);
});

test('an access token expiring in the middle of a run is refreshed and every login still succeeds', async () => {
  const callers = Array.from({ length: 6 }, () => person());
  const before = await Promise.all(callers.slice(0, 3).map((c, i) => wecomLogin(c, wecom.issueCode(`batch-a-${i}`))));
  const tokensBefore = wecom.tokenRequests;
  wecom.expireTokens();
  const after = await Promise.all(callers.slice(3).map((c, i) => wecomLogin(c, wecom.issueCode(`batch-b-${i}`))));
  for (const result of [...before, ...after]) expect(result).toMatchObject({ ok: true });
  expect(wecom.tokenRequests).toBeGreaterThan(tokensBefore);
  // Refreshed tokens are shared through the database, so a cold instance need not fetch its own.
  expect(docs('settings').some((doc) => String(doc._id).startsWith('token:'))).toBe(true);
});

test('a bad or reused code is WECOM_CODE_INVALID and links nothing', async () => {
  const caller = person();
  expect(await wecomLogin(caller, 'not-a-code')).toMatchObject({ ok: false, error: { code: 'WECOM_CODE_INVALID', field: 'code' } });
  const code = wecom.issueCode('wangwu');
  expect(await wecomLogin(caller, code)).toMatchObject({ ok: true });
  const other = person();
  expect(await wecomLogin(other, code)).toMatchObject({ ok: false, error: { code: 'WECOM_CODE_INVALID' } });
  expect(await wecomLogin(caller, '')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'code' } });
});

test('a member of another WeCom organisation is refused', async () => {
  const caller = person();
  expect(await wecomLogin(caller, MISMATCH)).toMatchObject({ ok: false, error: { code: 'WECOM_CORP_MISMATCH' } });
  expect(docs('identities').some((doc) => String(doc._id).includes('ww-other-corp'))).toBe(false);
});

test('WeCom busy beyond the retries is WECOM_UNAVAILABLE', async () => {
  const caller = person();
  wecom.failNext('/cgi-bin/miniprogram/jscode2session', -1, 10);
  expect(await wecomLogin(caller, wecom.issueCode('busy'))).toMatchObject({ ok: false, error: { code: 'WECOM_UNAVAILABLE' } });
  wecom.reset();
});

test('a WeCom member linked to another account: merged when one side owns nothing, refused otherwise', async () => {
  const owner = person();
  expect(await wecomLogin(owner, wecom.issueCode('lisi'))).toMatchObject({ ok: true });
  await call(cloud, 'login', { action: 'profile.update', nickname: '李四' }, owner);

  // A second WeChat account of the same person, with nothing of its own, joins the first.
  const newcomer = person();
  const joined = await wecomLogin(newcomer, wecom.issueCode('lisi'));
  expect(joined).toMatchObject({ ok: true, data: { account: { nickname: '李四', wecom: { userId: 'lisi' } } } });

  // One that owns data of its own is not silently merged.
  const busy = person();
  await call(cloud, 'login', { action: 'login' }, busy);
  await call(cloud, 'login', { action: 'profile.update', nickname: '另一个人' }, busy);
  expect(await wecomLogin(busy, wecom.issueCode('lisi'))).toMatchObject({ ok: false, error: { code: 'WECOM_ALREADY_LINKED' } });
  const busyProfile = (await call<Result<AccountView>>(cloud, 'login', { action: 'profile.get' }, busy)).body;
  expect(busyProfile).toMatchObject({ ok: true, data: { nickname: '另一个人', wecom: null } });
});

test('without WeCom configuration the action says so', async () => {
  expect(await wecomLogin(person(), 'any-code', unconfigured)).toMatchObject({ ok: false, error: { code: 'WECOM_NOT_CONFIGURED' } });
});
