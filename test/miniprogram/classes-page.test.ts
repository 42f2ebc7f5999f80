/**
 * @jest-environment jsdom
 */
import type { MemberSummary, MyDirectory } from '../../typings';
import { renderPage, waitFor, wx, type RenderedPage } from '../helpers/simulate';
import { account, fail, installBackend, installStorage, ok, SESSION_KEY, storedSession, wxMore, type FakeBackend } from './fake-backend';
import { card, classesOf, runHook, settled, unit } from './org-fixtures';
import { pathPieces, trigger } from './page-helpers';

const CLASSES = 'pages/classes/index';

const unbound: MyDirectory = { member: null, units: [], observed: [] };
const boundDirectory: MyDirectory = {
  member: card({ title: '班长' }),
  units: [unit(), unit({ id: 'unit-2', name: '羽毛球社', kind: 'group', path: ['校团委', '羽毛球社'], memberCount: 8 })],
  observed: [],
};
const summary: MemberSummary = { id: 'm1', name: '林一', number: '2023001', kind: 'student', unitNames: ['计算机学院', '软件工程 2301 班'], active: true };

async function open(waitText: string): Promise<RenderedPage> {
  const page = renderPage(CLASSES);
  await waitFor(() => page.queryByText(waitText), waitText);
  return page;
}

beforeEach(() => {
  installStorage();
  jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
});

afterEach(() => {
  delete wxMore.qy;
  jest.restoreAllMocks();
});

/** An unbound person whose phone binding succeeds: the directory then shows the member. */
function bindingBackend(): FakeBackend {
  installStorage(storedSession(account(), Date.now()));
  let bound = false;
  return installBackend({
    'directory.mine': () => ok(bound ? boundDirectory : unbound),
    'bind.phone': () => {
      bound = true;
      return ok({ member: summary });
    },
  });
}

describe('班级 page, not bound to the roster', () => {
  it('explains 尚未绑定花名册 and offers the phone button only, outside WeCom', async () => {
    const backend = installBackend({ 'directory.mine': () => ok(unbound) });

    const page = await open('尚未绑定花名册');

    expect(page.getByText('用手机号绑定')).toBeTruthy();
    expect(page.queryByText('用企业微信绑定')).toBeNull();
    expect(page.text()).not.toContain('我的单位');
    expect(backend.calls.map((c) => [c.name, c.action, c.request])).toEqual([['org', 'directory.mine', {}]]);
    page.unmount();
  });

  it('binds with the phone code, reloads to the bound state and updates the stored account', async () => {
    const backend = bindingBackend();
    const page = await open('尚未绑定花名册');

    await trigger(page, '.bind-phone', 'getphonenumber', { code: 'phone-code-1', errMsg: 'getPhoneNumber:ok' });

    await waitFor(() => page.queryByText('学号 2023001'), 'the member card');
    expect(backend.callsOf('bind.phone').map((c) => c.request)).toEqual([{ code: 'phone-code-1' }]);
    expect(backend.callsOf('directory.mine')).toHaveLength(2);
    expect(page.queryByText('尚未绑定花名册')).toBeNull();
    expect(page.getByText('林一')).toBeTruthy();
    expect(page.getByText('班长')).toBeTruthy();
    expect(wxMore.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '绑定成功' }));
    const stored = (wxMore.getStorageSync(SESSION_KEY) as { account: { member: MemberSummary } }).account;
    expect(stored.member).toEqual(summary);
    page.unmount();
  });

  it.each([
    ['ROSTER_NO_MATCH', '花名册中没有与你匹配的在册成员，请联系管理员核对信息'],
    ['ROSTER_AMBIGUOUS', '花名册中有多名成员与你匹配，请联系管理员为你绑定'],
    ['MEMBER_ALREADY_BOUND', '对应的花名册成员已绑定其他账号，请联系管理员处理'],
    ['ACCOUNT_ALREADY_BOUND', '你的账号已绑定其他花名册成员，请联系管理员处理'],
    ['PHONE_CODE_INVALID', '手机号授权已失效，请重新绑定'],
    ['MEMBER_INACTIVE', '对应的花名册成员已停用，请联系管理员'],
  ] as const)('shows %s as a Chinese sentence and stays unbound', async (code, text) => {
    const backend = installBackend({ 'directory.mine': () => ok(unbound), 'bind.phone': () => fail(code, 'english detail') });
    const page = await open('尚未绑定花名册');

    await trigger(page, '.bind-phone', 'getphonenumber', { code: 'c1' });

    await waitFor(() => page.queryByText(text), text);
    expect(page.text()).not.toContain('english detail');
    expect(page.getByText('尚未绑定花名册')).toBeTruthy();
    expect(backend.callsOf('directory.mine')).toHaveLength(1);
    page.unmount();
  });

  it.each([
    ['the person refuses to share the phone number', 'getPhoneNumber:fail user deny', '未获得手机号授权，可稍后再绑定'],
    ['the person closes the prompt', 'getPhoneNumber:fail user cancel', '未获得手机号授权，可稍后再绑定'],
    ['the platform gives no code', 'getPhoneNumber:fail no permission', '暂时无法获取手机号，请稍后重试或联系管理员'],
  ])('calls nothing when %s, and says what happened', async (_case, errMsg, text) => {
    const backend = installBackend({ 'directory.mine': () => ok(unbound) });
    const page = await open('尚未绑定花名册');

    await trigger(page, '.bind-phone', 'getphonenumber', { errMsg });

    await settled(page, backend);
    expect(backend.callsOf('bind.phone')).toHaveLength(0);
    expect(backend.calls).toHaveLength(1);
    expect(wxMore.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: text, icon: 'none' }));
    page.unmount();
  });

  it('keeps the bind button busy until the bound state has loaded', async () => {
    const backend = bindingBackend();
    const page = await open('尚未绑定花名册');
    backend.delay((call) => (call.action === 'directory.mine' ? 100 : 0));

    await trigger(page, '.bind-phone', 'getphonenumber', { code: 'phone-code-1' });
    await waitFor(() => (wxMore.showToast as jest.Mock).mock.calls.length > 0, 'the bind to succeed');

    expect(page.text()).toContain('尚未绑定花名册');
    expect(classesOf(page, '.bind-phone')).toContain('van-button--loading');
    await waitFor(() => page.queryByText('学号 2023001'), 'the member card');
    page.unmount();
  });

  it('inside WeCom also offers 用企业微信绑定, which calls bind.wecom and shows WECOM_NOT_LINKED in Chinese', async () => {
    wxMore.qy = { login: () => undefined };
    const backend = installBackend({ 'directory.mine': () => ok(unbound), 'bind.wecom': () => fail('WECOM_NOT_LINKED') });
    const page = await open('用企业微信绑定');

    await page.tap('用企业微信绑定');

    await waitFor(() => page.queryByText('你的账号尚未关联企业微信，请在企业微信中重新进入小程序后再试'), 'the error');
    expect(backend.callsOf('bind.wecom').map((c) => c.request)).toEqual([{}]);
    page.unmount();
  });
});

describe('班级 page, member deactivated', () => {
  const inactiveAccount = account({ member: { ...summary, active: false } });

  it('says the roster identity is deactivated, and still offers binding to a new one', async () => {
    installStorage(storedSession(inactiveAccount, Date.now()));
    wxMore.qy = { login: () => undefined };
    installBackend({ 'directory.mine': () => ok(unbound) });

    const page = await open('花名册身份已停用');

    expect(page.text()).toContain('可用登记的手机号重新绑定');
    expect(page.queryByText('尚未绑定花名册')).toBeNull();
    expect(page.queryByText('用手机号绑定')).not.toBeNull();
    page.unmount();
  });

  it('learns of a deactivation when a refreshed session lands, without being reopened', async () => {
    // The stored account is stale and still says active; the refresh says deactivated.
    installStorage(storedSession(account({ member: summary }), 0));
    const backend = installBackend({
      'directory.mine': () => ok(unbound),
      login: () => ok({ account: inactiveAccount, created: false }),
    });
    backend.hold((call) => call.action === 'login');
    const page = await open('尚未绑定花名册');

    await runHook(page, 'onShow');
    await waitFor(() => backend.callsOf('login').length === 1, 'the refresh to go out');
    expect(await settled(page, backend)).toContain('尚未绑定花名册');

    backend.release();
    await waitFor(() => page.queryByText('花名册身份已停用'), 'the deactivated state');
    expect(backend.callsOf('login')).toHaveLength(1);
    expect(page.queryByText('尚未绑定花名册')).toBeNull();
    page.unmount();
  });

  it('stops listening for account changes once the page is unloaded', async () => {
    installStorage(storedSession(account({ member: summary }), 0));
    const backend = installBackend({
      'directory.mine': () => ok(boundDirectory),
      login: () => ok({ account: inactiveAccount, created: false }),
    });
    backend.delay((call) => (call.action === 'login' ? 50 : 0));
    const page = await open('软件工程 2301 班');
    await runHook(page, 'onShow');
    await waitFor(() => backend.callsOf('directory.mine').length === 2, 'the reload on show');

    page.unmount();

    await waitFor(() => backend.callsOf('login').length === 1, 'the login');
    await backend.idle();
    expect(backend.callsOf('directory.mine')).toHaveLength(2);
  });
});

describe('班级 page, bound', () => {
  it('lists my units with their paths and member counts, and no 我关注的单位 heading without observed units', async () => {
    installBackend({ 'directory.mine': () => ok(boundDirectory) });

    const page = await open('软件工程 2301 班');

    const text = page.text();
    expect(text).toContain('我的单位');
    // Each name is one piece, so a narrow screen wraps a path between names only.
    expect(pathPieces(page)).toEqual(['计算机学院 /', '软件工程 2301 班', '校团委 /', '羽毛球社']);
    expect(page.getByText('32 人')).toBeTruthy();
    expect(page.getByText('8 人')).toBeTruthy();
    expect(text).not.toContain('我关注的单位');
    expect(text).not.toContain('尚未绑定花名册');
    page.unmount();
  });

  it('tapping a unit opens the unit page with its id and name', async () => {
    installBackend({ 'directory.mine': () => ok(boundDirectory) });
    const navigateTo = jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
    const page = await open('羽毛球社');

    await page.tap('羽毛球社');

    await waitFor(() => navigateTo.mock.calls.length > 0, 'a navigation');
    expect(navigateTo.mock.calls[0][0]).toMatchObject({ url: `/pages/unit/index?id=unit-2&name=${encodeURIComponent('羽毛球社')}` });
    page.unmount();
  });

  it('shows observed units under 我关注的单位', async () => {
    const observed = unit({ id: 'unit-9', name: '软件工程 2302 班', path: ['计算机学院', '软件工程 2302 班'], memberCount: 30 });
    installBackend({ 'directory.mine': () => ok({ ...boundDirectory, observed: [observed] }) });

    const page = await open('我关注的单位');

    expect(page.getByText('软件工程 2302 班')).toBeTruthy();
    expect(page.getByText('30 人')).toBeTruthy();
    const text = page.text();
    expect(text.indexOf('我关注的单位')).toBeGreaterThan(text.indexOf('我的单位'));
    expect(text.indexOf('软件工程 2302 班')).toBeGreaterThan(text.indexOf('我关注的单位'));
    page.unmount();
  });

  it('reloads on pull-down refresh and stops the refresh indicator', async () => {
    let units = [unit()];
    const backend = installBackend({ 'directory.mine': () => ok({ ...boundDirectory, units }) });
    const stop = jest.spyOn(wx as unknown as { stopPullDownRefresh(): void }, 'stopPullDownRefresh').mockImplementation(() => undefined);
    const page = await open('软件工程 2301 班');
    units = [...units, unit({ id: 'unit-3', name: '合唱团', path: ['校团委', '合唱团'], memberCount: 12 })];

    await runHook(page, 'onPullDownRefresh');

    await waitFor(() => page.queryByText('合唱团'), 'the refreshed list');
    expect(backend.callsOf('directory.mine')).toHaveLength(2);
    await waitFor(() => stop.mock.calls.length > 0, 'the refresh to stop');
    page.unmount();
  });

  it('reads the directory again when the tab shows again', async () => {
    installStorage(storedSession(account({ member: summary }), Date.now()));
    let units = [unit()];
    const backend = installBackend({ 'directory.mine': () => ok({ ...boundDirectory, units }) });
    const page = await open('软件工程 2301 班');
    units = [...units, unit({ id: 'unit-3', name: '合唱团', path: ['校团委', '合唱团'], memberCount: 12 })];

    await runHook(page, 'onShow');

    await waitFor(() => page.queryByText('合唱团'), 'the refreshed list');
    expect(backend.callsOf('directory.mine')).toHaveLength(2);
    expect(backend.callsOf('login')).toHaveLength(0);
    page.unmount();
  });

  it('keeps the newest directory when an older reload answers last', async () => {
    installStorage(storedSession(account({ member: summary }), Date.now()));
    const choir = unit({ id: 'unit-3', name: '合唱团', path: ['校团委', '合唱团'], memberCount: 12 });
    jest.spyOn(wx as unknown as { stopPullDownRefresh(): void }, 'stopPullDownRefresh').mockImplementation(() => undefined);
    const backend = installBackend({
      // The second read (on show) is slow and still has the old units; the third (pull-down) is quick and has the new ones.
      'directory.mine': (_request, call) =>
        ok({ ...boundDirectory, units: backend.callsOf('directory.mine').indexOf(call) >= 2 ? [unit(), choir] : [unit()] }),
    });
    backend.delay((call) => (backend.callsOf('directory.mine').indexOf(call) === 1 ? 100 : 0));
    const page = await open('软件工程 2301 班');

    await runHook(page, 'onShow');
    await runHook(page, 'onPullDownRefresh');
    await waitFor(() => page.queryByText('合唱团'), 'the newest units');

    await waitFor(() => backend.callsOf('directory.mine').length === 3, 'all reads');
    expect(await settled(page, backend)).toContain('合唱团');
    page.unmount();
  });

  it('shows the error with a retry button when the directory cannot load', async () => {
    let attempts = 0;
    installBackend({ 'directory.mine': () => (++attempts === 1 ? fail('NETWORK_ERROR') : ok(boundDirectory)) });
    const page = await open('网络异常，请稍后重试');

    await page.tap('重试');

    await waitFor(() => page.queryByText('软件工程 2301 班'), 'the units');
    page.unmount();
  });
});
