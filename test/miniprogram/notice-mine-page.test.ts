/**
 * @jest-environment jsdom
 */
import type { ManagedNotice } from '../../typings';
import { renderPage, waitFor, watchSetData, wx, type RenderedPage } from '../helpers/simulate';
import { account, fail, installBackend, installStorage, ok, storedSession, wxMore, type FakeBackend, type Handlers } from './fake-backend';
import { pageOf, rowTexts, runHook, settled, shown } from './org-fixtures';
import { managed } from './notice-fixtures';
import { textIn } from './page-helpers';
import './simulate-polyfills';

const MINE = 'packages/admin/pages/notice-mine/index';
const { MINE_CAP } = jest.requireActual<{ MINE_CAP: number }>('../../miniprogram/utils/notice-compose-view');

const draft = managed({ id: 'd1', status: 'draft', title: '运动会报名（草稿）', updatedAt: '2024-06-02 08:00' });
const scheduled = managed({ id: 's1', status: 'scheduled', title: '暑假安排', scheduledAt: '2024-07-01 08:00' });
const published = managed({
  id: 'p1',
  status: 'published',
  title: '期末考试安排',
  publishedAt: '2024-06-01 10:00',
  editedAt: '2024-06-01 12:00',
  counts: { audience: 150, read: 120, confirmed: 80, unread: 30 },
});
const recalled = managed({ id: 'r1', status: 'recalled', title: '旧通知', publishedAt: '2024-05-01 10:00', recalledAt: '2024-05-02 09:00', counts: { audience: 10, read: 4, confirmed: 0, unread: 6 } });

async function open(handlers: Handlers = {}, query: Record<string, string> = {}, first = '期末考试安排'): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend({ mine: () => pageOf([draft, scheduled, published, recalled]), ...handlers });
  const page = renderPage(MINE, { query });
  await waitFor(() => page.queryByText(first), first);
  return { page, backend };
}

function signedIn(roles: ('admin' | 'publisher' | 'member')[]) {
  installStorage(storedSession(account({ id: 'u-admin', roles }), Date.now()));
}

beforeEach(() => {
  signedIn(['member', 'admin']);
  jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

/** Taps the `index`th element matching `selector` where a finger would: a cell's row or a button inside its host. */
async function tapNth(page: RenderedPage, selector: string, index: number, inner: string): Promise<void> {
  const host = page.root.querySelectorAll(selector)[index];
  if (!host) throw new Error(`no ${selector} number ${index}`);
  const target = (host.dom as unknown as { querySelector(selector: string): unknown }).querySelector(inner);
  if (!target) throw new Error(`nothing matches ${inner} inside ${selector}`);
  await page.tap(target as Parameters<RenderedPage['tap']>[0]);
}

const tapButton = (page: RenderedPage, selector: string, index: number) => tapNth(page, selector, index, 'wx-button');

const urls = (spy: jest.SpyInstance) => spy.mock.calls.map((call) => (call[0] as { url: string }).url);

describe('我发布的', () => {
  it('lists each notice with its status, time, reads and confirmations, and the actions its status allows', async () => {
    const { page, backend } = await open();

    expect(rowTexts(page, '.notice__main')).toEqual([
      '运动会报名（草稿）草稿通知 · 更新于 2024-06-02 08:00',
      '暑假安排定时通知 · 将于 2024-07-01 08:00 发布',
      '期末考试安排已发布通知 · 发布于 2024-06-01 10:00（2024-06-01 12:00 编辑）已读 120/150 · 确认 80',
      '旧通知已撤回通知 · 撤回于 2024-05-02 09:00已读 4/10 · 确认 0',
    ]);
    expect(rowTexts(page, '.notice__actions')).toEqual(['编辑删除', '撤回', '统计编辑撤回', '统计']);
    expect(backend.callsOf('mine').map((call) => call.request)).toEqual([{ status: 'all' }]);
    page.unmount();
  });

  it('asks for one status per tab, starting on the tab the link names', async () => {
    const { page, backend } = await open({ mine: (request) => pageOf(request.status === 'scheduled' ? [scheduled] : [published]) }, { status: 'scheduled' }, '暑假安排');

    await page.tap('已发布');

    await waitFor(() => page.queryByText('期末考试安排'), 'the published tab');
    expect(backend.callsOf('mine').map((call) => call.request.status)).toEqual(['scheduled', 'published']);
    page.unmount();
  });

  it('lets admins list everyone\'s notices, with their authors', async () => {
    const { page, backend } = await open({ mine: () => pageOf([published]) });
    await waitFor(() => page.text().includes('全部人员的'), 'the switch');

    await tapNth(page, '.toggle-everyone', 0, '[class~="van-cell--van-cell"]');

    await waitFor(() => page.queryByText('发布人 王老师'), 'the author');
    expect(backend.callsOf('mine').map((call) => call.request)).toEqual([{ status: 'all' }, { status: 'all', everyone: true }]);
    page.unmount();
  });

  it('offers no everyone switch to a publisher', async () => {
    signedIn(['member', 'publisher']);
    const { page, backend } = await open();
    expect(await settled(page, backend)).not.toContain('全部人员的');
    page.unmount();
  });

  it('opens a draft in the form and a published notice in its statistics', async () => {
    const navigateTo = jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
    const { page } = await open();

    await page.tap('运动会报名（草稿）');
    await page.tap('期末考试安排');
    await tapButton(page, '.action-edit', 1);
    await page.tap('统计');
    await page.tap('发布通知');

    expect(urls(navigateTo)).toEqual([
      '/packages/admin/pages/notice-compose/index?id=d1',
      '/pages/notice-readers/index?id=p1',
      '/packages/admin/pages/notice-compose/index?id=p1',
      '/pages/notice-readers/index?id=p1',
      '/packages/admin/pages/notice-compose/index',
    ]);
    page.unmount();
  });

  it('says a scheduled notice is recalled to a draft before it changes', async () => {
    const navigateTo = jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
    const modal = jest.spyOn(wx as unknown as { showModal(o: unknown): void }, 'showModal').mockImplementation(() => undefined);
    const { page } = await open();

    await page.tap('暑假安排');

    expect(modal.mock.calls[0][0]).toMatchObject({ content: '该通知将于 2024-07-01 08:00 定时发布。如需修改，请先在「我发布的」中撤回定时，它会回到草稿' });
    expect(navigateTo).not.toHaveBeenCalled();
    page.unmount();
  });

  it('recalls a published notice after confirmation, then reads the list again', async () => {
    let recalledYet = false;
    const { page, backend } = await open({
      mine: () => pageOf(recalledYet ? [{ ...published, status: 'recalled' as const, recalledAt: '2024-06-03 09:00' }] : [published]),
      recall: () => {
        recalledYet = true;
        return ok({ ...published, status: 'recalled', recalledAt: '2024-06-03 09:00' });
      },
    });

    await page.tap('撤回');
    await shown(page, '.confirm-dialog', '撤回后「期末考试安排」将从所有人的通知列表中消失');
    await page.tap(textIn(page, '.confirm-dialog', '撤回'));

    await waitFor(() => rowTexts(page, '.notice__main')[0]?.startsWith('期末考试安排已撤回'), 'the recalled notice');
    expect(backend.callsOf('recall').map((call) => call.request)).toEqual([{ noticeId: 'p1' }]);
    expect((wxMore.showToast as jest.Mock).mock.calls[0][0]).toMatchObject({ title: '已撤回' });
    page.unmount();
  });

  it('deletes a draft only once the author confirms', async () => {
    const { page, backend } = await open({ 'drafts.delete': () => ok({ id: 'd1' }) });

    await page.tap('删除');
    await shown(page, '.confirm-dialog', '删除后草稿「运动会报名（草稿）」无法恢复');
    await page.tap(textIn(page, '.confirm-dialog', '取消'));
    expect(backend.callsOf('drafts.delete')).toHaveLength(0);

    await page.tap('删除');
    await shown(page, '.confirm-dialog', '无法恢复');
    await page.tap(textIn(page, '.confirm-dialog', '删除'));

    await waitFor(() => backend.callsOf('drafts.delete').length === 1, 'the delete');
    expect(backend.callsOf('drafts.delete')[0].request).toEqual({ noticeId: 'd1' });
    await waitFor(() => backend.callsOf('mine').length === 2, 'the list read again');
    page.unmount();
  });

  it('says when a recall is refused, and shows the list as it now is', async () => {
    const { page, backend } = await open({ recall: () => fail('NOTICE_STATE') });

    await tapButton(page, '.action-recall', 1);
    await shown(page, '.confirm-dialog', '撤回后');
    await page.tap(textIn(page, '.confirm-dialog', '撤回'));

    await waitFor(() => (wxMore.showToast as jest.Mock).mock.calls.length > 0, 'the toast');
    expect((wxMore.showToast as jest.Mock).mock.calls[0][0]).toMatchObject({ title: '该通知当前的状态不支持此操作，请刷新后再试' });
    await waitFor(() => backend.callsOf('mine').length === 2, 'the list read again');
    page.unmount();
  });

  it('tells a member without the role that the page is not theirs, and shows an empty tab plainly', async () => {
    const forbidden = await open({ mine: () => fail('FORBIDDEN') }, {}, '仅发布者和管理员可用');
    forbidden.page.unmount();

    const empty = await open({ mine: () => pageOf([]) }, { status: 'draft' }, '没有草稿的通知');
    empty.page.unmount();
  });
});

describe('a long list of my notices', () => {
  /** What one setData may carry (the bound), and the page's nodes however far one scrolls. */
  const SET_DATA_BUDGET = 64 * 1024;
  const NODES = 1000;
  const all: ManagedNotice[] = Array.from({ length: 1000 }, (_, i) =>
    managed({ id: `p${i}`, status: 'published', title: `通知${String(i).padStart(4, '0')}`, publishedAt: '2024-06-01 10:00', counts: { audience: 150, read: i % 150, confirmed: 0, unread: 150 - (i % 150) } }),
  );
  const nodes = (page: RenderedPage) => (page.root.dom as unknown as { querySelectorAll(s: string): ArrayLike<unknown> }).querySelectorAll('*').length;
  const titles = (page: RenderedPage) => rowTexts(page, '.notice__title');

  it('shows a window at a time, each setData small and the page under 1,000 nodes, every notice reachable', async () => {
    const sizes: number[] = [];
    const stop = watchSetData((patch) => sizes.push(Buffer.byteLength(JSON.stringify(patch))));
    jest.spyOn(wx as unknown as { pageScrollTo(o: unknown): void }, 'pageScrollTo').mockImplementation(() => undefined);
    const { page } = await open(
      {
        mine: (request) => {
          const start = Number(request.after ?? 0);
          return pageOf(all.slice(start, start + 20), start + 20 < all.length ? String(start + 20) : null);
        },
      },
      {},
      '通知0000',
    );
    let most = nodes(page);
    await waitFor(() => titles(page).length === 20, 'the first page');
    while (!page.text().includes('显示后')) {
      const before = titles(page).length;
      await runHook(page, 'onReachBottom');
      await waitFor(() => titles(page).length > before, 'the next page');
      most = Math.max(most, nodes(page));
    }
    const window = titles(page);
    expect(window).toHaveLength(MINE_CAP);
    expect(window[0]).toBe('通知0000');

    await page.tap(page.text().match(/显示后 \d+ 条/)![0]);
    await waitFor(() => titles(page)[0] === `通知${String(window.length).padStart(4, '0')}`, 'the next window');
    most = Math.max(most, nodes(page));
    stop();

    expect(Math.max(...sizes)).toBeLessThan(SET_DATA_BUDGET);
    expect(most).toBeLessThan(NODES);
    expect(page.text()).toContain('回到开头');
    page.unmount();
  });
});
