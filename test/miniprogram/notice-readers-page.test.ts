/**
 * @jest-environment jsdom
 *
 * 阅读统计 (pages/notice-readers): the rings and figures, the units and the way down and back,
 * the read / unread / unconfirmed lists with search and paging, reminders and their 5-minute
 * pause, the list as an .xlsx file, and the page a person without access sees.
 */
import type { NoticePerson, NoticeStats } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { renderPage, waitFor, watchSetData, wx, type RenderedPage } from '../helpers/simulate';
import { fail, installBackend, installStorage, ok, wxMore, type FakeBackend, type Handler, type Handlers } from './fake-backend';
import { person, stats, unitStats } from './notice-stats-fixtures';
import { classesOf, pageOf, rowTexts, runHook, settled } from './org-fixtures';
import { attributeOf, textIn, trigger } from './page-helpers';
import './simulate-polyfills';

const READERS = 'pages/notice-readers/index';
const { READERS_CAP } = jest.requireActual<{ READERS_CAP: number }>('../../miniprogram/utils/notice-stats-view');

/** The `wx` calls this page makes beyond those the harness types. */
interface WxReaders {
  showLoading(options: { title: string; mask?: boolean }): unknown;
  hideLoading(): unknown;
  showActionSheet(options: { itemList: string[]; success?(res: { tapIndex: number }): void }): unknown;
  downloadFile(options: { url: string; success?(res: { statusCode: number; tempFilePath: string }): void; fail?(err: { errMsg: string }): void }): unknown;
  openDocument(options: { filePath: string; fileType?: string; showMenu?: boolean; success?(): void; fail?(err: { errMsg: string }): void }): unknown;
  stopPullDownRefresh(): unknown;
  pageScrollTo(options: unknown): unknown;
}
const wxr = wx as unknown as WxReaders & typeof wxMore;

/** A business time (Shanghai) `minutes` from now, as the function writes it. */
function businessTimeIn(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000 + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

const college = stats({
  scope: { unitId: 'college-1', name: '计算机学院', path: '计算机学院' },
  totals: { audience: 100, read: 90, confirmed: 60, unread: 10, medianReadMinutes: 30 },
  units: [
    unitStats({ unitId: 'class-a', name: '软件工程 2301 班', audience: 30, read: 24, confirmed: 20, unread: 6 }),
    unitStats({ unitId: 'class-b', name: '软件工程 2302 班', audience: 70, read: 66, confirmed: 40, unread: 4, medianReadMinutes: 8 }),
  ],
});

/** Answers `stats` by the unit asked for: the organisation without one, the college with college-1. */
function byScope(scopes: Record<string, NoticeStats>): Handler<'stats'> {
  return (request) => {
    const found = scopes[request.unitId ?? ''];
    return found ? ok(found) : fail('FORBIDDEN');
  };
}

async function open(handlers: Handlers, first: string, query: Record<string, string> = { id: 'n1' }): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend({ stats: byScope({ '': stats(), 'college-1': college }), people: () => pageOf<NoticePerson>([]), ...handlers });
  const page = renderPage(READERS, { query });
  await waitFor(() => page.queryByText(first), first);
  return { page, backend };
}

/** The spoken label and the left mask's rotation of each ring. */
function rings(page: RenderedPage): { label: unknown; left: unknown }[] {
  return page.root.querySelectorAll('.ring').map((ring) => {
    const attrs = (selector: string) =>
      ((ring.querySelector(selector) as unknown as { _exparserNode?: { _vt?: { attrs?: { name: string; value: unknown }[] } } })._exparserNode?._vt?.attrs ?? []);
    return {
      label: attrs('.rate-ring').find((attr) => attr.name === 'ariaLabel')?.value,
      left: attrs('.rate-ring__fill--left').find((attr) => attr.name === 'style')?.value,
    };
  });
}

async function tapTab(page: RenderedPage, title: string): Promise<void> {
  await page.tap(textIn(page, '.list-tabs', title));
}

/**
 * Takes over the page's timers of a minute or more (the reminder's pause): they never run on
 * their own; the test runs them, after moving the clock when it wants the pause over.
 */
function holdLongTimers(): { fn: () => void; ms: number }[] {
  const timers: { fn: () => void; ms: number }[] = [];
  const realSetTimeout = global.setTimeout;
  jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
    if ((ms ?? 0) < 60_000) return realSetTimeout(fn, ms);
    timers.push({ fn, ms: ms ?? 0 });
    return 0 as unknown as ReturnType<typeof setTimeout>;
  }) as typeof setTimeout);
  return timers;
}

const disabled = (page: RenderedPage, selector: string) => classesOf(page, selector).includes('van-button--disabled');

beforeEach(() => {
  installStorage();
  jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
  jest.spyOn(wxr, 'showLoading').mockImplementation(() => undefined);
  jest.spyOn(wxr, 'hideLoading').mockImplementation(() => undefined);
  jest.spyOn(wxr, 'stopPullDownRefresh').mockImplementation(() => undefined);
  jest.spyOn(wxr, 'pageScrollTo').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('notice readers page: figures', () => {
  it('shows the title, times, both rings with their figures and spoken rates, and the bar of each unit', async () => {
    const { page, backend } = await open({}, '关于期末考试安排的通知');

    const text = page.text();
    expect(text).toContain('发布于 2024-03-01 09:30');
    expect(text).toContain('截止 2024-03-05 18:00');
    expect(text).toContain('已读 120/150');
    expect(text).toContain('80%');
    expect(text).toContain('已确认 80/150');
    expect(text).toContain('53%');
    expect(text).toContain('共 150 人 · 未读 30 人 · 未确认 70 人');
    expect(page.getByText('中位阅读用时 45 分钟')).toBeTruthy();
    expect(rings(page)).toEqual([
      { label: '已读率 80%', left: 'transform: rotate(108deg)' },
      { label: '已确认率 53%', left: 'transform: rotate(10.8deg)' },
    ]);
    expect(rowTexts(page, '.unit')).toEqual([
      '计算机学院90%已读 90/100 · 确认 60 · 中位阅读用时 30 分钟',
      '外国语学院60%已读 30/50 · 确认 20 · 中位阅读用时 1 小时 30 分钟',
    ]);
    expect(attributeOf(page, '.unit', 'ariaLabel')).toBe('计算机学院，已读率 90%，已读 90/100，确认 60，中位阅读用时 30 分钟，查看下级单位');
    // The units tab opens first: no list is read until one is shown.
    expect(backend.calls.map((call) => [call.name, call.action, call.request])).toEqual([['notice', 'stats', { noticeId: 'n1' }]]);
    page.unmount();
  });

  it('has one ring and no 未确认 when the notice asks for no confirmation', async () => {
    const { page } = await open({ stats: () => ok(stats({}, { requiresConfirm: false })) }, '关于期末考试安排的通知');

    expect(rings(page).map((ring) => ring.label)).toEqual(['已读率 80%']);
    expect(page.queryByText('提醒未确认')).toBeNull();
    expect(textIn(page, '.list-tabs', '未读 30')).toBeTruthy();
    expect(page.root.querySelector('.list-tabs')?.dom.textContent).not.toContain('未确认');
    page.unmount();
  });

  it('reads the figures again on pull-down refresh', async () => {
    let current = stats();
    const { page, backend } = await open({ stats: () => ok(current) }, '已读 120/150');
    current = stats({ totals: { audience: 150, read: 135, confirmed: 90, unread: 15, medianReadMinutes: 40 } });

    await runHook(page, 'onPullDownRefresh');

    await waitFor(() => page.queryByText('已读 135/150'), 'the fresh figures');
    expect(backend.callsOf('stats')).toHaveLength(2);
    await waitFor(() => (wxr.stopPullDownRefresh as unknown as jest.Mock).mock.calls.length === 1, 'the refresh to stop');
    page.unmount();
  });
});

describe('notice readers page: no access', () => {
  it('shows who may see the statistics, and no figures, to a person without access', async () => {
    const { page } = await open({ stats: () => fail('FORBIDDEN') }, '仅通知的发布者、管理员、观察员和相关单位的关注人可查看阅读统计');

    const text = page.text();
    expect(text).not.toMatch(/\d+%/);
    expect(text).not.toContain('已读');
    expect(page.queryByText('提醒未读')).toBeNull();
    expect(page.queryByText('下载名单')).toBeNull();
    page.unmount();
  });

  it('says when the notice does not exist, and offers a retry after other failures', async () => {
    const missing = await open({ stats: () => fail('NOTICE_NOT_FOUND') }, '该通知不存在或已撤回');
    expect(missing.page.text()).not.toMatch(/\d+%/);
    missing.page.unmount();

    let reply: ReturnType<Handler<'stats'>> = fail('NETWORK_ERROR');
    const { page, backend } = await open({ stats: () => reply }, '重试');
    reply = ok(stats());
    await page.tap('重试');
    await waitFor(() => page.queryByText('已读 120/150'), 'the figures after a retry');
    expect(backend.callsOf('stats').map((call) => call.request)).toEqual([{ noticeId: 'n1' }, { noticeId: 'n1' }]);
    page.unmount();
  });
});

describe('notice readers page: units', () => {
  it('scopes the page to a college when tapped, then back to the organisation from the crumbs', async () => {
    const { page, backend } = await open({}, '计算机学院');

    await page.tap(page.root.querySelectorAll('.unit')[0].dom);

    await waitFor(() => page.queryByText('软件工程 2302 班'), 'the classes of the college');
    expect(backend.callsOf('stats').map((call) => call.request)).toEqual([{ noticeId: 'n1' }, { noticeId: 'n1', unitId: 'college-1' }]);
    expect(rowTexts(page, '.crumb')).toEqual(['信通大学/', '计算机学院']);
    expect(page.text()).toContain('已读 90/100');
    expect(rings(page)[0].label).toBe('已读率 90%');
    expect(rowTexts(page, '.unit')[1]).toBe('软件工程 2302 班94%已读 66/70 · 确认 40 · 中位阅读用时 8 分钟');

    await page.tap(textIn(page, '.scope', '信通大学/'));

    await waitFor(() => page.queryByText('外国语学院'), 'the organisation again');
    expect(backend.callsOf('stats').map((call) => call.request.unitId)).toEqual([undefined, 'college-1', undefined]);
    expect(rowTexts(page, '.crumb')).toEqual(['信通大学']);
    page.unmount();
  });

  it('does not scope to a unit without sub-units', async () => {
    const { page, backend } = await open({ stats: byScope({ '': stats({ units: [unitStats({ hasChildren: false })] }) }) }, '软件工程 2301 班');

    await page.tap(page.root.querySelectorAll('.unit')[0].dom);

    await settled(page, backend);
    expect(backend.callsOf('stats')).toHaveLength(1);
    page.unmount();
  });

  it('lets an observer into the units they observe only', async () => {
    const observed = stats({ observedUnitIds: ['college-2'] });
    const { page, backend } = await open({ stats: byScope({ '': observed, 'college-2': college }) }, '外国语学院');

    await page.tap(page.root.querySelectorAll('.unit')[0].dom);
    await settled(page, backend);
    expect(backend.callsOf('stats')).toHaveLength(1);

    await page.tap(page.root.querySelectorAll('.unit')[1].dom);
    await waitFor(() => backend.callsOf('stats').length === 2, 'the observed college');
    expect(backend.callsOf('stats')[1].request).toEqual({ noticeId: 'n1', unitId: 'college-2' });
    page.unmount();
  });

  it('keeps the scope shown when a unit cannot be opened, and says why', async () => {
    const { page, backend } = await open({ stats: byScope({ '': stats() }) }, '计算机学院');

    await page.tap(page.root.querySelectorAll('.unit')[0].dom);

    await settled(page, backend);
    expect(wxMore.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '你没有权限进行此操作', icon: 'none' }));
    expect(page.text()).toContain('外国语学院');
    expect(rowTexts(page, '.crumb')).toEqual(['信通大学']);
    page.unmount();
  });

  it('opened on a unit (`unitId=`), reads its figures and offers the way up to everyone', async () => {
    const { page, backend } = await open({}, '软件工程 2301 班', { id: 'n1', unitId: 'college-1' });

    expect(backend.callsOf('stats')[0].request).toEqual({ noticeId: 'n1', unitId: 'college-1' });
    expect(rowTexts(page, '.crumb')).toEqual(['全部/', '计算机学院']);

    await page.tap(textIn(page, '.scope', '全部/'));

    await waitFor(() => page.queryByText('外国语学院'), 'the whole audience');
    expect(backend.callsOf('stats')[1].request).toEqual({ noticeId: 'n1' });
    page.unmount();
  });
});

describe('notice readers page: lists', () => {
  const lin = person({ memberId: 'm1', name: '林一', number: '2023001', readAt: null });
  const wang = person({ memberId: 'm2', name: '王二', number: '2023002', readAt: null });
  const linEr = person({ memberId: 'm3', name: '林二', number: '2023003', readAt: '2024-03-01 10:02', confirmedAt: '2024-03-01 10:05' });

  it('lists the unread people of the tab tapped, with number and unit path, and each tab reads its own list', async () => {
    const { page, backend } = await open(
      { people: (request) => pageOf(request.list === 'unread' ? [lin, wang] : request.list === 'read' ? [linEr] : [lin]) },
      '计算机学院',
    );

    await tapTab(page, '未读 30');
    await waitFor(() => page.queryByText('王二'), 'the unread list');
    expect(rowTexts(page, '.person')).toEqual(['林一2023001计算机学院 / 软件工程 2301 班 · 未读', '王二2023002计算机学院 / 软件工程 2301 班 · 未读']);

    await tapTab(page, '已读 120');
    await waitFor(() => page.queryByText('林二'), 'the read list');
    expect(rowTexts(page, '.person')[0]).toMatch(/^林二2023003计算机学院 \/ 软件工程 2301 班 · 阅读 (2024-)?03-01 10:02 · 确认 (2024-)?03-01 10:05$/);

    await tapTab(page, '未确认 70');
    await waitFor(() => page.queryByText('林一'), 'the unconfirmed list');

    // Back on 未读: it was read already, so it is not read again.
    await tapTab(page, '未读 30');
    await settled(page, backend);
    expect(backend.callsOf('people').map((call) => call.request)).toEqual([
      { noticeId: 'n1', list: 'unread' },
      { noticeId: 'n1', list: 'read' },
      { noticeId: 'n1', list: 'unconfirmed' },
    ]);
    page.unmount();
  });

  it('opens the unread list first in a scope without sub-units, scoped to it', async () => {
    const inClass = stats({ scope: { unitId: 'class-a', name: '软件工程 2301 班', path: '计算机学院/软件工程 2301 班' }, units: [] });
    const { page, backend } = await open({ stats: () => ok(inClass), people: () => pageOf([lin]) }, '林一', { id: 'n1', unitId: 'class-a' });

    expect(backend.callsOf('people')[0].request).toEqual({ noticeId: 'n1', list: 'unread', unitId: 'class-a' });
    expect(page.text()).toContain('计算机学院 / 软件工程 2301 班');
    page.unmount();
  });

  it('searches the list shown by name or number, trimmed and cut to FIELD_LIMITS.searchQuery, and a tab shown later searches too', async () => {
    const MAX = FIELD_LIMITS.searchQuery;
    const { page, backend } = await open({ people: (request) => pageOf(request.query ? [lin] : [lin, wang]) }, '计算机学院');
    await tapTab(page, '未读 30');
    await waitFor(() => page.queryByText('王二'), 'the unread list');
    expect(String(attributeOf(page, '.search', 'maxlength'))).toBe(String(MAX));

    await trigger(page, '.search', 'search', '  林  ');
    await waitFor(() => page.queryByText('王二') === null, 'the search result');
    await trigger(page, '.search', 'search', '2'.repeat(MAX + 10));
    await tapTab(page, '已读 120');

    await settled(page, backend);
    expect(backend.callsOf('people').map((call) => call.request)).toEqual([
      { noticeId: 'n1', list: 'unread' },
      { noticeId: 'n1', list: 'unread', query: '林' },
      { noticeId: 'n1', list: 'unread', query: '2'.repeat(MAX) },
      { noticeId: 'n1', list: 'read', query: '2'.repeat(MAX) },
    ]);
    page.unmount();
  });

  it('says when a list is empty, and when a search finds nobody', async () => {
    const { page } = await open({ people: () => pageOf<NoticePerson>([]) }, '计算机学院');
    await tapTab(page, '未读 30');
    await waitFor(() => page.queryByText('全部已读'), 'the empty list');

    await trigger(page, '.search', 'search', '周');
    await waitFor(() => page.queryByText('没有找到匹配的成员'), 'the empty search');
    page.unmount();
  });

  it('appends the next page with `after` at the bottom, once, and the list follows the scope', async () => {
    const { page, backend } = await open({ people: (request) => (request.after === 'p2' ? pageOf([linEr]) : pageOf([lin, wang], 'p2')) }, '计算机学院');
    await tapTab(page, '未读 30');
    await waitFor(() => page.queryByText('王二'), 'the first page');
    backend.hold();

    await runHook(page, 'onReachBottom');
    await runHook(page, 'onReachBottom');
    backend.release();

    await waitFor(() => page.queryByText('林二'), 'the second page');
    expect(page.getByText('没有更多了')).toBeTruthy();
    expect(backend.callsOf('people').map((call) => call.request)).toEqual([
      { noticeId: 'n1', list: 'unread' },
      { noticeId: 'n1', list: 'unread', after: 'p2' },
    ]);
    page.unmount();
  });

  it('opens the member page of a person tapped', async () => {
    const navigateTo = jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
    const { page } = await open({ people: () => pageOf([lin, wang]) }, '计算机学院');
    await tapTab(page, '未读 30');
    await waitFor(() => page.queryByText('王二'), 'the unread list');

    await page.tap(page.root.querySelectorAll('.person')[1].dom);

    await waitFor(() => navigateTo.mock.calls.length > 0, 'a navigation');
    expect(navigateTo.mock.calls[0][0]).toMatchObject({ url: '/pages/member/index?id=m2' });
    page.unmount();
  });
});

describe('notice readers page: remind', () => {
  it('reminds the unread, says how many were reached and had no credit, and waits out the pause', async () => {
    const next = businessTimeIn(5);
    const { page, backend } = await open({ remind: () => ok({ reached: 20, noCredit: 10, failed: 1, remaining: 0, nextAllowedAt: next }) }, '提醒未读');
    const timers = holdLongTimers();

    await page.tap('提醒未读');

    await waitFor(() => page.queryByText('已提醒 20 人，10 人未开启提醒，1 人发送失败'), 'the reminder outcome');
    expect(backend.callsOf('remind').map((call) => call.request)).toEqual([{ noticeId: 'n1', target: 'unread' }]);
    expect(disabled(page, '.remind-unread')).toBe(true);
    expect(disabled(page, '.remind-unconfirmed')).toBe(true);
    await page.tap('提醒未确认');
    expect(backend.callsOf('remind')).toHaveLength(1);

    // The pause ends at nextAllowedAt (a minute's precision), not before.
    expect(timers).toHaveLength(1);
    expect(timers[0].ms).toBeGreaterThan(3 * 60_000);
    expect(timers[0].ms).toBeLessThanOrEqual(5 * 60_000);
    const later = Date.now() + 6 * 60_000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    timers[0].fn();
    await waitFor(() => !disabled(page, '.remind-unread'), 'the buttons enabled again');
    expect(page.text()).not.toContain('后可再次提醒');
    page.unmount();
  });

  it('keeps the buttons disabled through a pause longer than a timer holds (a phone clock far behind)', async () => {
    const timers = holdLongTimers();
    const { page } = await open({ stats: () => ok(stats({ remind: { lastAt: null, nextAllowedAt: businessTimeIn(60 * 24 * 40) } })) }, '提醒未读');

    expect(disabled(page, '.remind-unread')).toBe(true);
    expect(timers).toHaveLength(1);
    expect(timers[0].ms).toBeLessThanOrEqual(2 ** 31 - 1);
    // When it fires, the pause still runs: the buttons stay disabled and a new timer waits.
    timers[0].fn();
    expect(disabled(page, '.remind-unread')).toBe(true);
    expect(timers).toHaveLength(2);
    page.unmount();
  });

  it('reminds the unconfirmed', async () => {
    const { page, backend } = await open({ remind: () => ok({ reached: 3, noCredit: 0, failed: 0, remaining: 0, nextAllowedAt: businessTimeIn(5) }) }, '提醒未确认');

    await page.tap('提醒未确认');

    await waitFor(() => page.queryByText('已提醒 3 人'), 'the reminder outcome');
    expect(backend.callsOf('remind')[0].request).toEqual({ noticeId: 'n1', target: 'unconfirmed' });
    page.unmount();
  });

  it('on a unit’s figures reminds that unit only', async () => {
    const { page, backend } = await open({ remind: () => ok({ reached: 2, noCredit: 0, failed: 0, remaining: 0, nextAllowedAt: businessTimeIn(5) }) }, '提醒未读', { id: 'n1', unitId: 'college-1' });

    await page.tap('提醒未读');

    await waitFor(() => page.queryByText('已提醒 2 人'), 'the reminder outcome');
    expect(backend.callsOf('remind')[0].request).toEqual({ noticeId: 'n1', target: 'unread', unitId: 'college-1' });
    page.unmount();
  });

  it('says until when after NOTICE_REMIND_TOO_SOON, from the figures read again, and keeps the buttons disabled', async () => {
    const next = businessTimeIn(4);
    let current = stats();
    const { page, backend } = await open({ stats: () => ok(current), remind: () => fail('NOTICE_REMIND_TOO_SOON') }, '提醒未读');
    current = stats({ remind: { lastAt: businessTimeIn(-1), nextAllowedAt: next } });

    await page.tap('提醒未读');

    await waitFor(() => page.queryByText(`每 5 分钟最多提醒一次，${next.slice(11)} 后可再次提醒`), 'the next allowed time');
    expect(backend.callsOf('stats')).toHaveLength(2);
    expect(disabled(page, '.remind-unread')).toBe(true);
    page.unmount();
  });

  it('opens with the buttons disabled while the pause of a recent reminder runs, and none for a recalled notice', async () => {
    const next = businessTimeIn(3);
    const waiting = await open({ stats: () => ok(stats({ remind: { lastAt: businessTimeIn(-2), nextAllowedAt: next } })) }, '提醒未读');
    expect(disabled(waiting.page, '.remind-unread')).toBe(true);
    expect(waiting.page.text()).toContain(`${next.slice(11)} 后可再次提醒`);
    waiting.page.unmount();

    const recalled = await open({ stats: () => ok(stats({}, { status: 'recalled' })) }, '已撤回');
    expect(recalled.page.queryByText('提醒未读')).toBeNull();
    recalled.page.unmount();
  });

  it('disables 提醒未读 when everyone has read', async () => {
    const { page } = await open({ stats: () => ok(stats({ totals: { audience: 150, read: 150, confirmed: 80, unread: 0, medianReadMinutes: 45 } })) }, '提醒未读');
    expect(disabled(page, '.remind-unread')).toBe(true);
    expect(disabled(page, '.remind-unconfirmed')).toBe(false);
    page.unmount();
  });
});

describe('notice readers page: download', () => {
  function chooseExport(index: number) {
    return jest.spyOn(wxr, 'showActionSheet').mockImplementation((options) => {
      options.success?.({ tapIndex: index });
      return undefined;
    });
  }

  it('makes the list chosen for the scope shown, downloads it and opens it as xlsx with the menu', async () => {
    const sheet = chooseExport(2);
    const download = jest.spyOn(wxr, 'downloadFile').mockImplementation((options) => {
      options.success?.({ statusCode: 200, tempFilePath: 'http://tmp/readers.xlsx' });
      return undefined;
    });
    const openDocument = jest.spyOn(wxr, 'openDocument').mockImplementation((options) => {
      options.success?.();
      return undefined;
    });
    const { page, backend } = await open({ export: () => ok({ url: 'https://files.example/readers.xlsx', fileName: '未读名单.xlsx', rows: 30 }) }, '下载名单');
    await page.tap(page.root.querySelectorAll('.unit')[0].dom);
    await waitFor(() => page.queryByText('软件工程 2302 班'), 'the college');

    await page.tap('下载名单');

    await waitFor(() => openDocument.mock.calls.length > 0, 'the document to open');
    expect(sheet.mock.calls[0][0].itemList).toEqual(['全部成员', '已读名单', '未读名单', '未确认名单']);
    expect(backend.callsOf('export').map((call) => call.request)).toEqual([{ noticeId: 'n1', list: 'unread', unitId: 'college-1' }]);
    expect(download.mock.calls[0][0].url).toBe('https://files.example/readers.xlsx');
    expect(openDocument.mock.calls[0][0]).toMatchObject({ filePath: 'http://tmp/readers.xlsx', fileType: 'xlsx', showMenu: true });
    expect(wxr.showLoading).toHaveBeenCalledWith(expect.objectContaining({ title: '正在生成名单' }));
    expect(wxr.hideLoading).toHaveBeenCalled();
    expect(wxMore.showToast).not.toHaveBeenCalled();
    page.unmount();
  });

  it('says why when the list cannot be made, downloaded or opened', async () => {
    chooseExport(0);
    let reply: ReturnType<Handler<'export'>> = fail('FORBIDDEN');
    const download = jest.spyOn(wxr, 'downloadFile').mockImplementation((options) => {
      options.fail?.({ errMsg: 'downloadFile:fail' });
      return undefined;
    });
    const { page, backend } = await open({ export: () => reply }, '下载名单');
    const toasts = () => (wxMore.showToast as unknown as jest.Mock).mock.calls.map((call) => (call[0] as { title: string }).title);

    await page.tap('下载名单');
    await waitFor(() => toasts().length === 1, 'the first failure');
    expect(download).not.toHaveBeenCalled();

    reply = ok({ url: 'https://files.example/all.xlsx', fileName: '全部.xlsx', rows: 150 });
    await page.tap('下载名单');
    await waitFor(() => toasts().length === 2, 'the download failure');

    download.mockImplementation((options) => {
      options.success?.({ statusCode: 200, tempFilePath: 'http://tmp/all.xlsx' });
      return undefined;
    });
    jest.spyOn(wxr, 'openDocument').mockImplementation((options) => {
      options.fail?.({ errMsg: 'openDocument:fail' });
      return undefined;
    });
    await page.tap('下载名单');
    await waitFor(() => toasts().length === 3, 'the open failure');

    expect(toasts()).toEqual(['你没有权限进行此操作', '下载失败，请检查网络后重试', '无法打开名单文件']);
    expect(backend.callsOf('export').map((call) => call.request)).toEqual(Array(3).fill({ noticeId: 'n1', list: 'all' }));
    expect((wxr.hideLoading as unknown as jest.Mock).mock.calls).toHaveLength(3);
    page.unmount();
  });
});

describe('notice readers page: long lists', () => {
  const BUDGET = 64 * 1024;
  const NODES = 1000;
  const PAGE = 50;

  function paged<T>(all: T[], after: string | undefined) {
    const start = Number(after ?? 0);
    return pageOf(all.slice(start, start + PAGE), start + PAGE < all.length ? String(start + PAGE) : null);
  }

  const nodes = (page: RenderedPage) => (page.root.dom as unknown as { querySelectorAll(s: string): ArrayLike<unknown> }).querySelectorAll('*').length;

  it('keeps 1,000 unread people to windows of READERS_CAP, each setData under 64 KB and the page under 1,000 nodes, every row reachable', async () => {
    const people = Array.from({ length: 1000 }, (_, i) =>
      person({ memberId: `m${i}`, name: `成员${String(i).padStart(4, '0')}`, number: `2023${String(i).padStart(4, '0')}`, readAt: null, unitPath: '计算机学院/软件工程 2301 班' }),
    );
    const sizes: number[] = [];
    let most = 0;
    const stop = watchSetData((patch) => sizes.push(Buffer.byteLength(JSON.stringify(patch))));
    const { page, backend } = await open({ people: (request) => paged(people, request.after) }, '计算机学院');
    await tapTab(page, '未读 30');
    const names = () => rowTexts(page, '.person').map((row) => row.slice(0, 6));

    for (let start = 0; start < 300; start += READERS_CAP) {
      await waitFor(() => names()[0] === people[start].name, `row ${start + 1}`);
      while (names().length < READERS_CAP) {
        const count = names().length;
        await runHook(page, 'onReachBottom');
        await waitFor(() => names().length > count, `the page after row ${start + count}`);
        most = Math.max(most, nodes(page));
      }
      expect(names()).toEqual(people.slice(start, start + READERS_CAP).map((p) => p.name));
      await runHook(page, 'onReachBottom');
      await settled(page, backend);
      expect(names()).toHaveLength(READERS_CAP);
      expect(page.text()).toContain(`已显示第 ${start + 1}–${start + READERS_CAP} 条`);
      most = Math.max(most, nodes(page));
      await page.tap(`显示后 ${READERS_CAP} 条`);
    }
    stop();
    expect(Math.max(...sizes)).toBeLessThan(BUDGET);
    expect(most).toBeLessThan(NODES);
    page.unmount();
  });

  it('shows the bars of 1,000 units a window at a time, under 64 KB per setData and 1,000 nodes', async () => {
    const units = Array.from({ length: 1000 }, (_, i) => unitStats({ unitId: `c${i}`, name: `班级${String(i).padStart(4, '0')}`, hasChildren: i % 2 === 0 }));
    const sizes: number[] = [];
    const stop = watchSetData((patch) => sizes.push(Buffer.byteLength(JSON.stringify(patch))));
    const { page } = await open({ stats: () => ok(stats({ units })) }, '班级0000');

    expect(page.root.querySelectorAll('.unit')).toHaveLength(READERS_CAP);
    expect(nodes(page)).toBeLessThan(NODES);
    await page.tap(`显示后 ${READERS_CAP} 条`);
    await waitFor(() => page.queryByText(`班级${String(READERS_CAP).padStart(4, '0')}`), 'the next window');
    expect(page.text()).toContain(`已显示第 ${READERS_CAP + 1}–${2 * READERS_CAP} 条`);
    expect(nodes(page)).toBeLessThan(NODES);
    await page.tap('回到开头');
    await waitFor(() => page.queryByText('班级0000'), 'the first window again');
    stop();
    expect(Math.max(...sizes)).toBeLessThan(BUDGET);
    page.unmount();
  });
});
