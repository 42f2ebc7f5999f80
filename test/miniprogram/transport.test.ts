import type { Result } from '../../typings';
import type { LaunchQuery, LocalRuntime, RuntimeConfig } from '../../miniprogram/config/runtime';
import { requireBuilt, wx, type RequestOptions, type RequestSuccess } from '../helpers/simulate';

type Call = (name: string, action: string, request: Record<string, unknown>) => Promise<Result<unknown>>;
interface TransportModule {
  createTransport(config: RuntimeConfig): { callFunction: Call };
  callFunction: Call;
}
interface RuntimeModule {
  chooseRuntime(envVersion: string | undefined, query: LaunchQuery): RuntimeConfig;
}
interface LaunchModule {
  runtimeConfig(): RuntimeConfig;
  isDevelopBuild(): boolean;
}

const NETWORK_ERROR = { ok: false, error: { code: 'NETWORK_ERROR', message: '网络异常，请稍后重试' } };

const local: LocalRuntime = {
  transport: 'local',
  cloudEnv: 'test-env',
  localBaseUrl: 'http://127.0.0.1:3900',
  devIdentity: { openid: 'demo-member-2-openid', appid: 'wx-demo-appid', unionid: 'demo-member-2-unionid' },
};
const cloud: RuntimeConfig = { ...local, transport: 'cloud' };

function load(): TransportModule {
  return requireBuilt<TransportModule>('services/transport');
}

function answerRequest(answer: (options: RequestOptions) => void) {
  return jest.spyOn(wx, 'request').mockImplementation((options: RequestOptions) => {
    answer(options);
    return {};
  });
}

const reply = (res: RequestSuccess) => (options: RequestOptions) => options.success?.(res);

afterEach(() => jest.restoreAllMocks());

describe('which backend a version uses', () => {
  const runtime = () => requireBuilt<RuntimeModule>('config/runtime');
  const CLOUD = { transport: 'cloud', cloudEnv: expect.any(String) };
  const DEMO_ADMIN = { openid: 'demo-admin-openid', appid: 'wx-demo-appid', unionid: 'demo-admin-unionid' };

  it.each(['release', 'trial'])('%s always uses the cloud, whatever it was launched with, and carries no identity', (version) => {
    const { chooseRuntime } = runtime();
    for (const query of [{}, { backend: 'local' }, { backend: 'local', user: 'demo-member-1', host: '10.0.0.2:3900' }]) {
      const chosen = chooseRuntime(version, query);
      expect(chosen).toEqual(CLOUD);
      expect(chosen).not.toHaveProperty('devIdentity');
    }
  });

  it('an unknown or missing version counts as a release', () => {
    const { chooseRuntime } = runtime();
    expect(chooseRuntime(undefined, { backend: 'local' })).toEqual(CLOUD);
    expect(chooseRuntime('gray', { backend: 'local' })).toEqual(CLOUD);
  });

  it('develop uses the cloud unless the launch asks for the local cloud', () => {
    const { chooseRuntime } = runtime();
    expect(chooseRuntime('develop', {})).toEqual(CLOUD);
    expect(chooseRuntime('develop', { backend: 'cloud' })).toEqual(CLOUD);
    expect(chooseRuntime('develop', { backend: 'local' })).toEqual({
      transport: 'local',
      cloudEnv: expect.any(String),
      localBaseUrl: 'http://127.0.0.1:3900',
      devIdentity: DEMO_ADMIN,
    });
  });

  it('develop with the local cloud may act as another demo person, always at the loopback address', () => {
    const { chooseRuntime } = runtime();
    expect(chooseRuntime('develop', { backend: 'local', user: 'demo-member-1' })).toEqual({
      transport: 'local',
      cloudEnv: expect.any(String),
      localBaseUrl: 'http://127.0.0.1:3900',
      devIdentity: { openid: 'demo-member-1-openid', appid: 'wx-demo-appid', unionid: 'demo-member-1-unionid' },
    });
    // The local cloud takes identity headers from loopback only, so no launch key moves the
    // address; an unknown key is ignored and a user that is not a plain name is not sent along.
    expect(chooseRuntime('develop', { backend: 'local', host: '192.168.1.20:3900', port: '4000', url: 'http://10.0.0.2:3900' })).toEqual({
      transport: 'local',
      cloudEnv: expect.any(String),
      localBaseUrl: 'http://127.0.0.1:3900',
      devIdentity: DEMO_ADMIN,
    });
    expect(chooseRuntime('develop', { backend: 'local', user: 'a b/../c' })).toMatchObject({ devIdentity: DEMO_ADMIN });
  });

  it('reads the version from wx.getAccountInfoSync and the request from the launch query, once per launch', () => {
    const account = jest.spyOn(wx, 'getAccountInfoSync').mockReturnValue({ miniProgram: { appId: 'wx1', envVersion: 'release', version: '1.0.0' } });
    jest.spyOn(wx, 'getLaunchOptionsSync').mockReturnValue({ path: 'pages/notices/index', scene: 1001, query: { backend: 'local' } });
    const launch = () => requireBuilt<LaunchModule>('config/launch');
    const released = launch();
    expect(released.runtimeConfig()).toEqual(CLOUD);
    expect(released.isDevelopBuild()).toBe(false);

    account.mockReturnValue({ miniProgram: { appId: 'wx1', envVersion: 'develop', version: '' } });
    const developing = launch();
    expect(developing.runtimeConfig()).toMatchObject({ transport: 'local', devIdentity: DEMO_ADMIN });
    expect(developing.isDevelopBuild()).toBe(true);
    account.mockReturnValue({ miniProgram: { appId: 'wx1', envVersion: 'release', version: '1.0.0' } });
    expect(developing.runtimeConfig()).toMatchObject({ transport: 'local' });
  });

  it('a release calls wx.cloud and never the local cloud', async () => {
    jest.spyOn(wx, 'getAccountInfoSync').mockReturnValue({ miniProgram: { appId: 'wx1', envVersion: 'release', version: '1.0.0' } });
    jest.spyOn(wx, 'getLaunchOptionsSync').mockReturnValue({ path: 'pages/notices/index', scene: 1001, query: { backend: 'local' } });
    jest.spyOn(wx.cloud, 'init').mockImplementation(() => undefined);
    const cloudCall = jest.spyOn(wx.cloud, 'callFunction').mockResolvedValue({ result: { ok: true, data: null } });
    const request = jest.spyOn(wx, 'request');

    await load().callFunction('login', 'whoami', {});

    expect(cloudCall).toHaveBeenCalledWith({ name: 'login', data: { action: 'whoami' } });
    expect(request).not.toHaveBeenCalled();
  });
});

describe('local transport', () => {
  it('posts {action, ...request} to /functions/<name> with the identity headers and returns the Result', async () => {
    const request = answerRequest(reply({ statusCode: 200, data: { ok: true, data: { n: 1 } } }));
    const result = await load().createTransport(local).callFunction('notice', 'list', { page: 2 });

    expect(result).toEqual({ ok: true, data: { n: 1 } });
    expect(request.mock.calls[0][0]).toMatchObject({
      url: 'http://127.0.0.1:3900/functions/notice',
      method: 'POST',
      data: { action: 'list', page: 2 },
      header: {
        'X-WX-OPENID': 'demo-member-2-openid',
        'X-WX-APPID': 'wx-demo-appid',
        'X-WX-UNIONID': 'demo-member-2-unionid',
      },
    });
  });

  it('passes an error Result through unchanged', async () => {
    const refusal = { ok: false, error: { code: 'FORBIDDEN', message: '无权限' } };
    answerRequest(reply({ statusCode: 200, data: refusal }));
    await expect(load().createTransport(local).callFunction('login', 'whoami', {})).resolves.toEqual(refusal);
  });

  it.each([
    ['a non-2xx status, even with a Result body', { statusCode: 500, data: { ok: false, error: { code: 'INTERNAL', message: 'x' } } }],
    ['a 404 page', { statusCode: 404, data: '<html>Not Found</html>' }],
    ['a 2xx reply that is not a Result', { statusCode: 200, data: { hello: 'world' } }],
    ['a 2xx reply with a malformed error', { statusCode: 200, data: { ok: false, error: 'boom' } }],
    ['an empty 2xx reply', { statusCode: 204, data: '' }],
  ])('maps %s to NETWORK_ERROR', async (_label, res) => {
    answerRequest(reply(res));
    await expect(load().createTransport(local).callFunction('login', 'whoami', {})).resolves.toEqual(NETWORK_ERROR);
  });

  it('maps a failed request to NETWORK_ERROR instead of rejecting', async () => {
    answerRequest((options) => options.fail?.({ errMsg: 'request:fail connect ECONNREFUSED' }));
    await expect(load().createTransport(local).callFunction('login', 'whoami', {})).resolves.toEqual(NETWORK_ERROR);
  });

  it('is what the default callFunction uses', async () => {
    const request = answerRequest(reply({ statusCode: 200, data: { ok: true, data: null } }));
    await load().callFunction('login', 'whoami', {});
    expect(request.mock.calls[0][0].url).toBe('http://127.0.0.1:3900/functions/login');
  });
});

describe('cloud transport', () => {
  it('calls wx.cloud.callFunction with {action, ...request} as data and initialises the env once', async () => {
    const init = jest.spyOn(wx.cloud, 'init').mockImplementation(() => undefined);
    const callFunction = jest.spyOn(wx.cloud, 'callFunction').mockResolvedValue({ result: { ok: true, data: { id: 'n1' } } });
    const request = jest.spyOn(wx, 'request');
    const transport = load().createTransport(cloud);

    await expect(transport.callFunction('notice', 'get', { id: 'n1' })).resolves.toEqual({ ok: true, data: { id: 'n1' } });
    await transport.callFunction('login', 'whoami', {});

    expect(callFunction).toHaveBeenNthCalledWith(1, { name: 'notice', data: { action: 'get', id: 'n1' } });
    expect(callFunction).toHaveBeenNthCalledWith(2, { name: 'login', data: { action: 'whoami' } });
    expect(init).toHaveBeenCalledTimes(1);
    expect(init.mock.calls[0][0]).toMatchObject({ env: 'test-env' });
    expect(request).not.toHaveBeenCalled();
  });

  it('maps a rejected call and a reply that is not a Result to NETWORK_ERROR', async () => {
    jest.spyOn(wx.cloud, 'init').mockImplementation(() => undefined);
    jest
      .spyOn(wx.cloud, 'callFunction')
      .mockRejectedValueOnce(new Error('cloud.callFunction:fail -404011 function not found'))
      .mockResolvedValueOnce({ result: undefined });
    const transport = load().createTransport(cloud);

    await expect(transport.callFunction('login', 'whoami', {})).resolves.toEqual(NETWORK_ERROR);
    await expect(transport.callFunction('login', 'whoami', {})).resolves.toEqual(NETWORK_ERROR);
  });

  it('maps a missing wx.cloud (base library without cloud) to NETWORK_ERROR', async () => {
    const saved = wx.cloud;
    try {
      (wx as { cloud?: unknown }).cloud = undefined;
      await expect(load().createTransport(cloud).callFunction('login', 'whoami', {})).resolves.toEqual(NETWORK_ERROR);
    } finally {
      wx.cloud = saved;
    }
  });
});
