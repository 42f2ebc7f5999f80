/**
 * @jest-environment jsdom
 *
 * The 通知 tab: the inbox of a bound member (未读 / 全部, pinned 公告, dots and tags, refresh,
 * more, the badge, the offline copy, the subscribe prompts), and the welcome with binding
 * guidance for people whose inbox is blocked.
 */
import type { AccountView } from '../../typings';
import { renderPage, waitFor, wx, type RenderedPage } from '../helpers/simulate';
import { account, fail, installBackend, installStorage, ok, type FakeBackend, type Handlers } from './fake-backend';
import { answerPopups, fakeLocalPlatform, inboxItem, inboxPage, subscriptions, template, wxNotice, type NavigateOptions } from './inbox-fixtures';
import { runHook } from './org-fixtures';
import { attributesOf, exists, textIn } from './page-helpers';
import './simulate-polyfills';

const HOME = 'pages/notices/index';

const member = { id: 'm1', name: '林一', number: '2023001', kind: 'student' as const, unitNames: ['计算机学院', '软件工程 2301 班'], active: true };
const bound = account({ id: 'u-lin', nickname: 'lin', member });
const publisher = account({ id: 'u-pub', nickname: 'zhang', roles: ['member', 'publisher'], member: { ...member, id: 'm2', name: '张老师' } });
const identity = { openid: 'demo-admin-openid', appid: 'wx-demo-appid', unionid: null };

const exam = inboxItem({ id: 'n1', title: '期末考试安排', excerpt: '第 18 周进行', requiresConfirm: true, deadline: '2099-06-30 18:00' });
const sports = inboxItem({ id: 'n2', title: '运动会报名', excerpt: '即日起报名', authorName: '体育部', read: true, requiresConfirm: true, confirmed: true, edited: true, attachmentCount: 2 });
const pinnedNotice = inboxItem({ id: 'a1', kind: 'announcement', pinned: true, title: '校园网维护公告', excerpt: '周六凌晨维护', authorName: '网络中心' });

function handlers(who: AccountView, extra: Handlers = {}): Handlers {
  return {
    login: () => ok({ account: who, created: false }),
    whoami: () => ok(identity),
    inbox: (request) => (request.filter === 'unread' ? inboxPage([exam], { pinned: [pinnedNotice] }) : inboxPage([exam, sports], { pinned: [pinnedNotice] })),
    'inbox.unreadCount': () => ok({ count: 2 }),
    'subscriptions.state': () => ok(subscriptions(template({ id: 'tpl-new' }), template({ id: 'tpl-remind', purpose: 'remind' }))),
    ...extra,
  };
}

async function open(who: AccountView, first: string, extra: Handlers = {}): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend(handlers(who, extra));
  const page = renderPage(HOME);
  await waitFor(() => page.queryByText(first), first);
  // The badge and the credits follow the first page: let them land here, not in the next test.
  await backend.idle();
  return { page, backend };
}

function asVersion(envVersion: 'develop' | 'trial' | 'release') {
  jest.spyOn(wx, 'getAccountInfoSync').mockReturnValue({ miniProgram: { appId: 'wx1', envVersion, version: '' } });
}

/** The titles of the list's rows (`.inbox-rows`) or of the pinned 公告 above it (`.pinned`), in order. */
const rowTitles = (page: RenderedPage, list = '.inbox-rows') => page.root.querySelectorAll(`${list} .row__title`).map((title) => title.dom.textContent ?? '');
const rowsIn = (page: RenderedPage, list = '.inbox-rows') => page.root.querySelectorAll(`${list} .row`);
const dots = (page: RenderedPage) => page.root.querySelectorAll('.row__dot').length;

let badge: jest.SpyInstance;
let unbadge: jest.SpyInstance;
let navigate: jest.SpyInstance;

beforeEach(() => {
  installStorage();
  badge = jest.spyOn(wxNotice, 'setTabBarBadge').mockImplementation(() => undefined);
  unbadge = jest.spyOn(wxNotice, 'removeTabBarBadge').mockImplementation(() => undefined);
  navigate = jest.spyOn(wxNotice, 'navigateTo').mockImplementation(() => undefined);
  jest.spyOn(wxNotice, 'showToast').mockImplementation(() => undefined);
  jest.spyOn(wxNotice, 'stopPullDownRefresh').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('通知 for someone whose inbox is blocked', () => {
  it('asks an unbound person to bind, the button opens 班级, and no badge is shown', async () => {
    asVersion('release');
    const switchTab = jest.spyOn(wx, 'switchTab').mockImplementation(() => undefined);
    const { page, backend } = await open(account({ nickname: '小林' }), '你好，小林', { inbox: () => inboxPage([], { blocked: 'unbound' }) });
    await backend.idle();

    expect(page.text()).toContain('绑定花名册后，这里会显示发给你的通知。');
    expect(page.text()).toContain('信通大学');
    await page.tap('去绑定花名册');
    expect(switchTab).toHaveBeenCalledWith({ url: '/pages/classes/index' });
    await page.tap(textIn(page, '.shortcut--me', '昵称、头像和花名册身份'));
    expect(switchTab).toHaveBeenLastCalledWith(expect.objectContaining({ url: '/pages/me/index' }));
    expect(unbadge).toHaveBeenCalledWith(expect.objectContaining({ index: 0 }));
    expect(badge).not.toHaveBeenCalled();
    expect(backend.callsOf('inbox.unreadCount')).toHaveLength(0);
    expect(page.text()).not.toContain('未读');
    page.unmount();
  });

  it('tells a deactivated member why nothing arrives, greeting them by nickname, with no way to bind', async () => {
    asVersion('release');
    const inactive = account({ nickname: '小林', member: { ...member, active: false } });
    const { page } = await open(inactive, '你好，小林', { inbox: () => inboxPage([], { blocked: 'inactive' }) });

    expect(page.text()).toContain('你的花名册身份已停用，暂时收不到通知，如有疑问请联系管理员。');
    expect(page.queryByText('去绑定花名册')).toBeNull();
    page.unmount();
  });

  it('shows the inbox once the person binds elsewhere (the account change reaches the tab)', async () => {
    asVersion('release');
    let blocked = true;
    const { page, backend } = await open(account({ nickname: '小林' }), '你好，小林', {
      inbox: () => (blocked ? inboxPage([], { blocked: 'unbound' }) : inboxPage([exam])),
    });
    blocked = false;
    const session = (page.root as unknown as { instance: { showAccount(a: AccountView): Promise<void> } }).instance;
    await session.showAccount(bound);

    await waitFor(() => page.queryByText('期末考试安排'), 'the inbox');
    expect(backend.callsOf('inbox')).toHaveLength(2);
    page.unmount();
  });
});

describe('通知 in any build', () => {
  it.each(['release', 'trial'] as const)('shows no openid, AppID or UnionID in a %s build, and never asks for them', async (version) => {
    asVersion(version);
    const { page, backend } = await open(bound, '期末考试安排');
    await backend.idle();

    expect(page.text()).not.toMatch(/openid|AppID|UnionID|调试/i);
    expect(backend.callsOf('whoami')).toHaveLength(0);
    page.unmount();
  });

  it('shows the identity WeChat gave as debugging details in a development build', async () => {
    asVersion('develop');
    const { page } = await open(bound, '期末考试安排');

    await waitFor(() => page.queryByText('demo-admin-openid'), 'the debugging details');
    expect(page.text()).toContain('调试信息（仅开发版可见）');
    expect(page.getByText('未绑定开放平台')).toBeTruthy();
    page.unmount();
  });

  it('shows the error and a retry button when signing in fails, and retrying shows the inbox', async () => {
    asVersion('release');
    let failing = true;
    const backend = installBackend(handlers(bound, { login: () => (failing ? fail('NETWORK_ERROR') : ok({ account: bound, created: false })) }));
    const page = renderPage(HOME);
    await waitFor(() => page.queryByText('网络异常，请稍后重试'), 'the error');

    failing = false;
    await page.tap('重试');

    await waitFor(() => page.queryByText('期末考试安排'), 'the inbox');
    expect(backend.callsOf('login')).toHaveLength(2);
    page.unmount();
  });
});

describe('the inbox of a bound member', () => {
  beforeEach(() => asVersion('release'));

  it('opens on 未读: pinned 公告 above, each row with its dot, title, excerpt, author and tags, and the unread count on the tab', async () => {
    const { page, backend } = await open(bound, '期末考试安排');
    await backend.idle();

    expect(backend.callsOf('inbox')[0].request).toEqual({ filter: 'unread' });
    expect(rowTitles(page, '.pinned')).toEqual(['校园网维护公告']);
    expect(rowTitles(page)).toEqual(['期末考试安排']);
    const text = page.text();
    expect(text).toContain('公告');
    expect(text).toContain('网络中心 · 2024-03-01');
    expect(text).toContain('第 18 周进行');
    expect(text).toContain('需确认');
    expect(text).toContain('2099-06-30 18:00 截止');
    expect(dots(page)).toBe(2);
    expect(attributesOf(page, '.inbox-rows .row', 'ariaLabel')).toEqual(['未读，期末考试安排，张老师 · 2024-03-01']);
    expect(badge).toHaveBeenLastCalledWith(expect.objectContaining({ index: 0, text: '2' }));
    page.unmount();
  });

  it('shows every notice on 全部, read ones without a dot and with 已确认, 已编辑 and the attachments', async () => {
    const { page, backend } = await open(bound, '期末考试安排');
    await page.tap(textIn(page, '.inbox-tabs', '全部'));

    await waitFor(() => page.queryByText('运动会报名'), 'the whole inbox');
    expect(backend.callsOf('inbox').map((call) => call.request.filter)).toEqual(['unread', 'all']);
    expect(rowTitles(page)).toEqual(['期末考试安排', '运动会报名']);
    const sportsRow = rowsIn(page)[1];
    // The pinned 公告 and 期末考试安排 are unread; 运动会报名 is not.
    expect(dots(page)).toBe(2);
    expect(sportsRow.dom.textContent).toContain('已确认');
    expect(sportsRow.dom.textContent).toContain('已编辑');
    expect(sportsRow.dom.textContent).toContain('附件 2');
    expect(sportsRow.dom.textContent).toContain('体育部');
    page.unmount();
  });

  it('says so when a tab is empty, in words fit for each tab', async () => {
    const { page } = await open(bound, '没有未读通知，全部看完了', { inbox: () => inboxPage([]) });
    await page.tap(textIn(page, '.inbox-tabs', '全部'));
    await waitFor(() => page.queryByText('暂时没有发给你的通知'), 'the empty 全部');
    page.unmount();
  });

  it('loads the next page at the bottom, from the cursor, and pull-down reads the first page again', async () => {
    const second = inboxItem({ id: 'n9', title: '第二页的通知' });
    let fresh = false;
    const { page, backend } = await open(bound, '期末考试安排', {
      inbox: (request) =>
        request.after === 'c1'
          ? inboxPage([second])
          : inboxPage(fresh ? [inboxItem({ id: 'n10', title: '刚发布的通知' })] : [exam], { next: fresh ? null : 'c1' }),
    });

    await runHook(page, 'onReachBottom');
    await waitFor(() => page.queryByText('第二页的通知'), 'the next page');
    expect(rowTitles(page)).toEqual(['期末考试安排', '第二页的通知']);
    expect(backend.callsOf('inbox')[1].request).toEqual({ filter: 'unread', after: 'c1' });
    await backend.idle();
    expect(page.text()).toContain('没有更多了');

    fresh = true;
    await runHook(page, 'onPullDownRefresh');
    await waitFor(() => page.queryByText('刚发布的通知'), 'the refreshed inbox');
    await backend.idle();
    expect(rowTitles(page)).toEqual(['刚发布的通知']);
    expect(wxNotice.stopPullDownRefresh).toHaveBeenCalled();
    page.unmount();
  });

  it('offers 发布通知 and 我发布的 to publishers, and not to members', async () => {
    const { page, backend: first } = await open(publisher, '期末考试安排');
    await first.idle();
    await page.tap('发布通知');
    expect(navigate).toHaveBeenLastCalledWith({ url: '/packages/admin/pages/notice-compose/index' });
    await page.tap('我发布的');
    expect(navigate).toHaveBeenLastCalledWith({ url: '/packages/admin/pages/notice-mine/index' });
    page.unmount();

    installStorage();
    const { page: memberPage, backend } = await open(bound, '期末考试安排');
    await backend.idle();
    expect(memberPage.queryByText('发布通知')).toBeNull();
    expect(memberPage.queryByText('我发布的')).toBeNull();
    memberPage.unmount();
  });

  it('removes the badge when nothing is unread', async () => {
    const { page, backend } = await open(bound, '期末考试安排', { 'inbox.unreadCount': () => ok({ count: 0 }) });
    await backend.idle();
    expect(unbadge).toHaveBeenCalledWith(expect.objectContaining({ index: 0 }));
    expect(badge).not.toHaveBeenCalled();
    page.unmount();
  });

  it('says 99+ past 99 unread', async () => {
    const { page, backend } = await open(bound, '期末考试安排', { 'inbox.unreadCount': () => ok({ count: 240 }) });
    await backend.idle();
    expect(badge).toHaveBeenLastCalledWith(expect.objectContaining({ index: 0, text: '99+' }));
    page.unmount();
  });
});

describe('the inbox offline', () => {
  beforeEach(() => asVersion('release'));

  it('shows the last loaded first page from the device, marked 离线数据，下拉重试, when the network fails, and the live one once it is back', async () => {
    let offline = false;
    const { page, backend } = await open(bound, '期末考试安排', {
      inbox: (request) => (offline ? fail('NETWORK_ERROR') : handlers(bound).inbox!(request, { name: 'notice', action: 'inbox', request: {} })),
    });
    await backend.idle();
    expect(page.text()).not.toContain('离线数据');
    page.unmount();

    // The tab opens again without a network: the copy of this account's first page shows.
    offline = true;
    const again = renderPage(HOME);
    await waitFor(() => again.queryByText('离线数据，下拉重试'), 'the offline mark');
    expect(rowTitles(again)).toEqual(['期末考试安排']);
    expect(rowTitles(again, '.pinned')).toEqual(['校园网维护公告']);
    expect(again.text()).not.toContain('网络异常');

    offline = false;
    await runHook(again, 'onPullDownRefresh');
    await waitFor(() => !again.queryByText('离线数据，下拉重试'), 'the live inbox');
    expect(rowTitles(again)).toEqual(['期末考试安排']);
    again.unmount();
  });

  it('keeps each account its own copy: another person offline sees the error, not the first one\'s notices', async () => {
    const store = installStorage();
    const { page, backend } = await open(bound, '期末考试安排');
    await backend.idle();
    page.unmount();
    const copy = store.get('xintong.inbox.u-lin');
    expect(copy).toBeTruthy();

    // Another person signs in on this phone: only their session differs, the first one's copy stays.
    installStorage({ 'xintong.inbox.u-lin': copy });
    installBackend(handlers(publisher, { inbox: () => fail('NETWORK_ERROR') }));
    const other = renderPage(HOME);
    await waitFor(() => other.queryByText('网络异常，请稍后重试'), 'the error');
    expect(other.text()).not.toContain('期末考试安排');
    expect(other.getByText('重试')).toBeTruthy();
    other.unmount();
  });
});

describe('opening a notice from the inbox', () => {
  beforeEach(() => asVersion('release'));

  it('stops asking on passing taps once the person turned the popup down', async () => {
    const popup = answerPopups({ 'tpl-new': 'reject' });
    const items = [inboxItem({ id: 'n1', title: '期末考试安排' }), inboxItem({ id: 'n2', title: '运动会报名' })];
    const { page, backend } = await open(bound, '期末考试安排', {
      inbox: () => inboxPage(items),
      'subscriptions.state': () => ok(subscriptions(template({ id: 'tpl-new' }))),
      'subscriptions.record': () => ok(subscriptions(template({ id: 'tpl-new' }))),
    });
    // The page opens, and a second tap is taken once the first has gone through.
    navigate.mockImplementation((options: { complete?: () => void }) => options.complete?.());
    await backend.idle();
    await page.tap('期末考试安排');
    await waitFor(() => navigate.mock.calls.length === 1, 'the first notice to open');
    await page.tap('运动会报名');
    await waitFor(() => navigate.mock.calls.length === 2, 'the second notice to open');
    expect(popup).toHaveBeenCalledTimes(1);
    page.unmount();
  });

  it('follows a page with nothing to show at once, so the rows after it appear', async () => {
    let calls = 0;
    const { page, backend } = await open(bound, '运动会报名', {
      inbox: () => {
        calls += 1;
        return calls === 1 ? inboxPage([], { next: 'N2099-01-01T00:00:00.000Z|n9' }) : inboxPage([inboxItem({ id: 'n2', title: '运动会报名' })]);
      },
    });
    await backend.idle();
    expect(backend.callsOf('inbox').map((c) => c.request)).toEqual([{ filter: 'unread' }, { filter: 'unread', after: 'N2099-01-01T00:00:00.000Z|n9' }]);
    expect(rowTitles(page)).toEqual(['运动会报名']);
    page.unmount();
  });

  function tapRow(page: RenderedPage, title: string) {
    return page.tap(title);
  }

  it('asks someone without a credit for the notice templates (one kind, at most 3), records the answers after the local platform, and opens the notice', async () => {
    // A development build on the local cloud, whose stand-in keeps the platform's half of the popup.
    asVersion('develop');
    const order: string[] = [];
    const popup = answerPopups({ 'tpl-new': 'accept', 'tpl-remind': 'reject' });
    const { page, backend } = await open(bound, '期末考试安排', {
      'subscriptions.state': () =>
        ok(subscriptions(template({ id: 'tpl-new' }), template({ id: 'tpl-remind', purpose: 'remind' }), template({ id: 'tpl-long', kind: 'long-term' }), template({ id: 'tpl-2' }), template({ id: 'tpl-3' }))),
      'subscriptions.record': () => {
        order.push('record');
        return ok(subscriptions(template({ id: 'tpl-new', credits: 1 })));
      },
    });
    const platform = fakeLocalPlatform(order);
    await backend.idle();

    await tapRow(page, '期末考试安排');
    await waitFor(() => navigate.mock.calls.length > 0, 'the notice to open');
    expect(popup).toHaveBeenCalledTimes(1);
    expect(popup.mock.calls[0][0].tmplIds).toEqual(['tpl-new', 'tpl-2', 'tpl-3']);
    expect((navigate.mock.calls[0][0] as NavigateOptions).url).toBe('/pages/notice-detail/index?id=n1');

    await waitFor(() => backend.callsOf('subscriptions.record').length > 0, 'the answers recorded');
    await backend.idle();
    // Only the ids asked are recorded, and only those answered.
    expect(backend.callsOf('subscriptions.record')[0].request).toEqual({ choices: { 'tpl-new': 'accept' } });
    expect(platform.posts).toEqual([{ openid: 'demo-admin-openid', choices: { 'tpl-new': 'accept' } }]);
    expect(order).toEqual(['platform', 'record']);
    page.unmount();
  });

  it('records the answers without the local platform in a release build (WeChat keeps its half itself)', async () => {
    answerPopups({ 'tpl-new': 'accept' });
    const { page, backend } = await open(bound, '期末考试安排', { 'subscriptions.record': () => ok(subscriptions(template({ id: 'tpl-new', credits: 1 }))) });
    const platform = fakeLocalPlatform();
    await backend.idle();

    await page.tap('期末考试安排');
    await waitFor(() => backend.callsOf('subscriptions.record').length > 0, 'the answers recorded');
    expect(backend.callsOf('subscriptions.record')[0].request).toEqual({ choices: { 'tpl-new': 'accept' } });
    expect(platform.posts).toEqual([]);
    page.unmount();
  });

  it('opens a notice once however fast the row is tapped twice', async () => {
    const popup = answerPopups({ 'tpl-new': 'reject' });
    const { page, backend } = await open(bound, '期末考试安排', { 'subscriptions.record': () => ok(subscriptions(template({ id: 'tpl-new' }))) });

    await tapRow(page, '期末考试安排');
    await tapRow(page, '期末考试安排');
    await waitFor(() => navigate.mock.calls.length > 0, 'the notice to open');
    await backend.idle();
    expect(popup).toHaveBeenCalledTimes(1);
    expect(navigate).toHaveBeenCalledTimes(1);
    page.unmount();
  });

  it('opens the notice without a popup when the person has a credit for new notices', async () => {
    const popup = answerPopups({});
    const { page, backend } = await open(bound, '期末考试安排', {
      'subscriptions.state': () => ok(subscriptions(template({ id: 'tpl-new', credits: 2 }), template({ id: 'tpl-remind', purpose: 'remind' }))),
    });
    await backend.idle();

    await tapRow(page, '期末考试安排');
    await waitFor(() => navigate.mock.calls.length > 0, 'the notice to open');
    expect(popup).not.toHaveBeenCalled();
    page.unmount();
  });

  it('still opens the notice when the popup fails, and records nothing', async () => {
    const popup = jest.spyOn(wxNotice, 'requestSubscribeMessage').mockImplementation((options) => {
      setTimeout(() => options.fail?.({ errMsg: 'requestSubscribeMessage:fail can only be invoked by user TAP gesture.', errCode: 20004 }), 0);
    });
    const { page, backend } = await open(bound, '期末考试安排');
    await backend.idle();

    await tapRow(page, '期末考试安排');
    await waitFor(() => navigate.mock.calls.length > 0, 'the notice to open');
    await backend.idle();
    expect(popup).toHaveBeenCalledTimes(1);
    expect(backend.callsOf('subscriptions.record')).toHaveLength(0);
    page.unmount();
  });

  it('takes the dot off and updates the badge when the notice says it was read and confirmed', async () => {
    let unread = 2;
    jest.spyOn(wxNotice, 'requestSubscribeMessage').mockImplementation(() => undefined);
    const { page, backend } = await open(bound, '期末考试安排', {
      'subscriptions.state': () => ok(subscriptions(template({ id: 'tpl-new', credits: 1 }))),
      'inbox.unreadCount': () => ok({ count: unread }),
    });
    await backend.idle();
    expect(dots(page)).toBe(2);

    await tapRow(page, '期末考试安排');
    await waitFor(() => navigate.mock.calls.length > 0, 'the notice to open');
    const events = (navigate.mock.calls[0][0] as NavigateOptions).events ?? {};
    unread = 1;
    events.noticeRead({ noticeId: 'n1', confirmed: true });

    await waitFor(() => dots(page) === 1, 'the dot to go');
    const row = rowsIn(page)[0];
    expect(row?.dom.textContent).toContain('已确认');
    expect(row?.dom.textContent).not.toContain('需确认');
    await waitFor(() => badge.mock.calls.some((call) => call[0].text === '1'), 'the badge to say 1');
    expect(backend.callsOf('inbox')).toHaveLength(1);
    page.unmount();
  });
});

describe('接收提醒', () => {
  beforeEach(() => asVersion('release'));

  it('is off without credits; turning it on asks for the templates and then shows the credits', async () => {
    const popup = answerPopups({ 'tpl-new': 'accept', 'tpl-remind': 'accept' });
    const { page, backend } = await open(bound, '期末考试安排', {
      'subscriptions.record': () => ok(subscriptions(template({ id: 'tpl-new', credits: 3 }), template({ id: 'tpl-remind', purpose: 'remind', credits: 1 }))),
    });
    fakeLocalPlatform();
    await waitFor(() => page.queryByText('开启后，未读的通知可通过微信提醒你'), 'the switch');
    expect(page.text()).toContain('接收提醒');

    // The whole row toggles: a tap on its text reaches it.
    await page.tap('开启后，未读的通知可通过微信提醒你');
    // A reminder spends either template's credit: 3 + 1.
    await waitFor(() => page.queryByText('剩余提醒 4 次，点按可增加'), 'the credits');
    expect(popup.mock.calls[0][0].tmplIds).toEqual(['tpl-new', 'tpl-remind']);
    expect(backend.callsOf('subscriptions.record')[0].request).toEqual({ choices: { 'tpl-new': 'accept', 'tpl-remind': 'accept' } });
    expect(wxNotice.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '剩余提醒 4 次' }));
    page.unmount();
  });

  it('is not offered when reminders are not configured', async () => {
    const { page, backend } = await open(bound, '期末考试安排', { 'subscriptions.state': () => fail('SUBSCRIBE_NOT_CONFIGURED') });
    await backend.idle();
    expect(page.text()).not.toContain('接收提醒');
    expect(exists(page, '.remind__row')).toBe(false);
    page.unmount();
  });
});
