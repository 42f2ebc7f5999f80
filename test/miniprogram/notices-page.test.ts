/**
 * @jest-environment jsdom
 */
import type { AccountView } from '../../typings';
import { renderPage, waitFor, wx, type RenderedPage } from '../helpers/simulate';
import { account, fail, installBackend, installStorage, ok, type FakeBackend } from './fake-backend';
import { textIn } from './page-helpers';

const HOME = 'pages/notices/index';

const bound = account({
  nickname: 'lin',
  member: { id: 'm1', name: '林一', number: '2023001', kind: 'student', unitNames: ['计算机学院', '软件工程 2301 班'], active: true },
});
const identity = { openid: 'demo-admin-openid', appid: 'wx-demo-appid', unionid: null };

async function open(who: AccountView, first: string): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend({ login: () => ok({ account: who, created: false }), whoami: () => ok(identity) });
  const page = renderPage(HOME);
  await waitFor(() => page.queryByText(first), first);
  return { page, backend };
}

function asVersion(envVersion: 'develop' | 'trial' | 'release') {
  jest.spyOn(wx, 'getAccountInfoSync').mockReturnValue({ miniProgram: { appId: 'wx1', envVersion, version: '' } });
}

beforeEach(() => {
  installStorage();
});

afterEach(() => jest.restoreAllMocks());

describe('通知 tab until notices land', () => {
  it('welcomes a bound person by roster name with their units, says what is coming and offers 班级 and 我的', async () => {
    asVersion('release');
    const switchTab = jest.spyOn(wx, 'switchTab').mockImplementation(() => undefined);
    const { page } = await open(bound, '你好，林一');

    const text = page.text();
    expect(text).toContain('信通大学');
    expect(page.getByText('计算机学院')).toBeTruthy();
    expect(page.getByText('软件工程 2301 班')).toBeTruthy();
    expect(text).toContain('通知功能即将上线');
    expect(page.queryByText('去绑定花名册')).toBeNull();

    await page.tap(textIn(page, '.shortcut--classes', '我的班级、单位和同学同事'));
    expect(switchTab).toHaveBeenLastCalledWith(expect.objectContaining({ url: '/pages/classes/index' }));
    await page.tap(textIn(page, '.shortcut--me', '昵称、头像和花名册身份'));
    expect(switchTab).toHaveBeenLastCalledWith(expect.objectContaining({ url: '/pages/me/index' }));
    page.unmount();
  });

  it('asks an unbound person to bind, and the button opens 班级', async () => {
    asVersion('release');
    const switchTab = jest.spyOn(wx, 'switchTab').mockImplementation(() => undefined);
    const { page } = await open(account({ nickname: '小林' }), '你好，小林');

    expect(page.text()).toContain('绑定花名册后，这里会显示你所在的班级和单位。');
    await page.tap('去绑定花名册');
    expect(switchTab).toHaveBeenCalledWith({ url: '/pages/classes/index' });
    page.unmount();
  });

  it.each(['release', 'trial'] as const)('shows no openid, AppID or UnionID in a %s build, and never asks for them', async (version) => {
    asVersion(version);
    const { page, backend } = await open(bound, '你好，林一');
    await backend.idle();

    expect(page.text()).not.toMatch(/openid|AppID|UnionID|调试/i);
    expect(backend.callsOf('whoami')).toHaveLength(0);
    page.unmount();
  });

  it('shows the identity WeChat gave as debugging details in a development build', async () => {
    asVersion('develop');
    const { page } = await open(bound, '你好，林一');

    await waitFor(() => page.queryByText('demo-admin-openid'), 'the debugging details');
    expect(page.text()).toContain('调试信息（仅开发版可见）');
    expect(page.getByText('未绑定开放平台')).toBeTruthy();
    page.unmount();
  });

  it('shows the error and a retry button when signing in fails, and retrying shows the welcome', async () => {
    asVersion('release');
    let failing = true;
    const backend = installBackend({ login: () => (failing ? fail('NETWORK_ERROR') : ok({ account: bound, created: false })) });
    const page = renderPage(HOME);
    await waitFor(() => page.queryByText('网络异常，请稍后重试'), 'the error');

    failing = false;
    await page.tap('重试');

    await waitFor(() => page.queryByText('你好，林一'), 'the welcome');
    expect(backend.callsOf('login')).toHaveLength(2);
    page.unmount();
  });
});
