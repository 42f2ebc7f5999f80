/**
 * @jest-environment jsdom
 *
 * 长期未读 (pages/non-readers): the people of a unit who left the last N notices with a passed
 * deadline unread, N chosen among 3, 5 and 10; paging and the window of rows, the empty
 * states, the page a person without access sees, failures with retry, and the member page.
 */
import type { ChronicNonReader } from '../../typings';
import { renderPage, waitFor, watchSetData, wx, type RenderedPage } from '../helpers/simulate';
import { fail, installBackend, installStorage, ok, wxMore, type FakeBackend, type Handler, type Handlers } from './fake-backend';
import { rowTexts, runHook, settled } from './org-fixtures';
import { textIn } from './page-helpers';
import './simulate-polyfills';

const PAGE_PATH = 'pages/non-readers/index';
const { NON_READERS_CAP } = jest.requireActual<{ NON_READERS_CAP: number }>('../../miniprogram/utils/non-readers-view');

interface WxNonReaders {
  setNavigationBarTitle(options: { title: string }): unknown;
  stopPullDownRefresh(): unknown;
  pageScrollTo(options: unknown): unknown;
  navigateTo(options: { url: string }): unknown;
}
const wxn = wx as unknown as WxNonReaders & typeof wxMore;

function person(overrides: Partial<ChronicNonReader> = {}): ChronicNonReader {
  return { memberId: 'm1', name: '林一', number: '2023001', unitPath: '计算机学院/软件工程 2301 班', unreadCount: 5, ...overrides };
}

const lin = person();
const wang = person({ memberId: 'm2', name: '王二', number: '2023002', unreadCount: 3, unitPath: '计算机学院/软件工程 2302 班' });
const zhao = person({ memberId: 'm3', name: '赵三', number: '2023003', unreadCount: 2 });

type Reply = { items: ChronicNonReader[]; next: string | null; notices: number };
const reply = (items: ChronicNonReader[], notices: number, next: string | null = null) => ok<Reply>({ items, next, notices });

/** Answers by the `last` asked for; any other fails the test's expectations by being absent. */
function byLast(replies: Record<number, Reply>): Handler<'nonReaders'> {
  return (request) => {
    const found = replies[request.last];
    return found ? ok(found) : fail('INVALID_INPUT');
  };
}

const query = { unitId: 'college-1', name: encodeURIComponent('计算机学院') };

async function open(handlers: Handlers, first: string): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend(handlers);
  const page = renderPage(PAGE_PATH, { query });
  await waitFor(() => page.queryByText(first), first);
  return { page, backend };
}

/** Name, number, figure and unit path of each row shown. */
function rowParts(page: RenderedPage): string[][] {
  const texts = (selector: string) => rowTexts(page, selector);
  const [names, numbers, counts, metas] = ['.person__name', '.person__number', '.person__count', '.person__meta'].map(texts);
  return names.map((name, i) => [name, numbers[i], counts[i], metas[i]]);
}

const requests = (backend: FakeBackend) => backend.callsOf('nonReaders').map((call) => call.request);

beforeEach(() => {
  installStorage();
  jest.spyOn(wxn, 'setNavigationBarTitle').mockImplementation(() => undefined);
  jest.spyOn(wxn, 'stopPullDownRefresh').mockImplementation(() => undefined);
  jest.spyOn(wxn, 'pageScrollTo').mockImplementation(() => undefined);
  jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('长期未读', () => {
  it('lists the people with number, unit path and how many notices they left unread, over the last 5 by default', async () => {
    const { page, backend } = await open({ nonReaders: () => reply([lin, wang], 5) }, '林一');

    expect(rowParts(page)).toEqual([
      ['林一', '2023001', '5 条未按时阅读', '计算机学院 / 软件工程 2301 班'],
      ['王二', '2023002', '3 条未按时阅读', '计算机学院 / 软件工程 2302 班'],
    ]);
    expect(page.text()).toContain('以下成员在收到的最近 5 条有截止时间的通知中，均未在截止前阅读');
    expect(page.text()).toContain('没有更多了');
    expect(requests(backend)).toEqual([{ unitId: 'college-1', last: 5 }]);
    expect(wxn.setNavigationBarTitle).toHaveBeenCalledWith({ title: '长期未读 · 计算机学院' });
    page.unmount();
  });

  it('says how many notices were considered when fewer had a deadline than asked for', async () => {
    const { page } = await open({ nonReaders: () => reply([lin], 2) }, '林一');
    expect(page.text()).toContain('以下成员在收到的最近 2 条有截止时间的通知中');
    page.unmount();
  });

  it('sends the chosen number as `last` and shows that choice’s people', async () => {
    const { page, backend } = await open({ nonReaders: byLast({ 5: { items: [lin], next: null, notices: 5 }, 3: { items: [lin, zhao], next: null, notices: 3 }, 10: { items: [], next: null, notices: 10 } }) }, '林一');

    await page.tap(textIn(page, '.choices', '最近 3 条'));
    await waitFor(() => page.queryByText('赵三'), 'the people of the last 3');
    expect(page.text()).toContain('以下成员在收到的最近 3 条有截止时间的通知中');

    await page.tap(textIn(page, '.choices', '最近 10 条'));
    await waitFor(() => page.queryByText('没有成员在最近 10 条通知中全部未按时阅读'), 'the empty list of the last 10');
    expect(page.queryByText('林一')).toBeNull();
    expect(requests(backend)).toEqual([
      { unitId: 'college-1', last: 5 },
      { unitId: 'college-1', last: 3 },
      { unitId: 'college-1', last: 10 },
    ]);
    page.unmount();
  });

  it('keeps the people and the choice shown when a new choice fails, and says why', async () => {
    const { page, backend } = await open({ nonReaders: () => reply([lin], 5) }, '林一');
    backend.on('nonReaders', () => fail('NETWORK_ERROR'));

    await page.tap(textIn(page, '.choices', '最近 3 条'));

    await settled(page, backend);
    expect(wxMore.showToast).toHaveBeenCalledWith(expect.objectContaining({ icon: 'none' }));
    expect(page.getByText('林一')).toBeTruthy();
    expect(page.text()).toContain('最近 5 条有截止时间的通知中');
    const instance = (page.root as unknown as { instance: { data: { last: string } } }).instance;
    expect(instance.data.last).toBe('5');
    page.unmount();
  });

  it('drops the reply of an earlier choice that answers after a later one', async () => {
    const { page, backend } = await open({ nonReaders: byLast({ 5: { items: [lin], next: null, notices: 5 }, 3: { items: [wang], next: null, notices: 3 }, 10: { items: [zhao], next: null, notices: 10 } }) }, '林一');
    backend.delay((call) => (call.request.last === 3 ? 150 : 0));

    await page.tap(textIn(page, '.choices', '最近 3 条'));
    await page.tap(textIn(page, '.choices', '最近 10 条'));

    await waitFor(() => page.queryByText('赵三'), 'the later choice');
    expect(await settled(page, backend)).not.toContain('王二');
    expect(page.text()).toContain('最近 10 条有截止时间的通知中');
    page.unmount();
  });

  it('appends the next page with `after` and the same `last` when the bottom is reached, once', async () => {
    const { page, backend } = await open(
      { nonReaders: (request) => (request.after === 'm2' ? reply([zhao], 5) : reply([lin, wang], 5, 'm2')) },
      '王二',
    );
    expect(page.text()).not.toContain('没有更多了');
    backend.hold();

    await runHook(page, 'onReachBottom');
    await runHook(page, 'onReachBottom');
    backend.release();

    await waitFor(() => page.queryByText('赵三'), 'the second page');
    expect(rowTexts(page, '.person')).toHaveLength(3);
    expect(requests(backend)).toEqual([
      { unitId: 'college-1', last: 5 },
      { unitId: 'college-1', last: 5, after: 'm2' },
    ]);
    expect(page.text()).toContain('没有更多了');

    await runHook(page, 'onReachBottom');
    await settled(page, backend);
    expect(requests(backend)).toHaveLength(2);
    page.unmount();
  });

  it('says when no notice with a deadline has passed lately, without the explanation', async () => {
    const { page } = await open({ nonReaders: () => reply([], 0) }, '最近没有设置截止时间的通知');
    expect(page.text()).not.toContain('以下成员');
    expect(page.text()).not.toContain('没有更多了');
    page.unmount();
  });

  it('says when everyone read at least one of the notices in time', async () => {
    const { page } = await open({ nonReaders: () => reply([], 5) }, '没有成员在最近 5 条通知中全部未按时阅读');
    expect(page.text()).not.toContain('以下成员');
    page.unmount();
  });

  it('tells a person without access who may see the list, and offers no choice', async () => {
    const { page } = await open({ nonReaders: () => fail('FORBIDDEN') }, '仅管理员、观察员和本单位的关注人可查看长期未读的成员');
    expect(page.queryByText('最近 3 条')).toBeNull();
    page.unmount();
  });

  it('says when the unit is gone', async () => {
    const { page } = await open({ nonReaders: () => fail('UNIT_NOT_FOUND') }, '该单位不存在或已被删除');
    page.unmount();
  });

  it('shows a failed first load with 重试, which loads again', async () => {
    const { page, backend } = await open({ nonReaders: () => fail('NETWORK_ERROR') }, '重试');
    backend.on('nonReaders', () => reply([lin], 5));

    await page.tap('重试');

    await waitFor(() => page.queryByText('林一'), 'the people after retrying');
    expect(requests(backend)).toEqual([
      { unitId: 'college-1', last: 5 },
      { unitId: 'college-1', last: 5 },
    ]);
    page.unmount();
  });

  it('reads the list again from the start on pull-down refresh, with the choice shown', async () => {
    let items = [lin];
    const { page, backend } = await open({ nonReaders: byLast({ 5: { items, next: null, notices: 5 }, 3: { items: [lin], next: null, notices: 3 } }) }, '林一');
    await page.tap(textIn(page, '.choices', '最近 3 条'));
    await settled(page, backend);
    items = [lin, wang];
    backend.on('nonReaders', (request) => reply(items, request.last));

    await runHook(page, 'onPullDownRefresh');

    await waitFor(() => page.queryByText('王二'), 'the refreshed list');
    await waitFor(() => (wxn.stopPullDownRefresh as unknown as jest.Mock).mock.calls.length === 1, 'the refresh to stop');
    expect(requests(backend).at(-1)).toEqual({ unitId: 'college-1', last: 3 });
    page.unmount();
  });

  it('opens the member page of a person tapped', async () => {
    const navigateTo = jest.spyOn(wxn, 'navigateTo').mockImplementation(() => undefined);
    const { page } = await open({ nonReaders: () => reply([lin, wang], 5) }, '王二');

    await page.tap('王二');

    await waitFor(() => navigateTo.mock.calls.length > 0, 'a navigation');
    expect(navigateTo.mock.calls[0][0]).toMatchObject({ url: '/pages/member/index?id=m2' });
    page.unmount();
  });

  it('gives every row a link role and a spoken label with its figure', async () => {
    const { page } = await open({ nonReaders: () => reply([lin], 5) }, '林一');
    const attrs = (page.root.querySelector('.person') as unknown as { _exparserNode?: { _vt?: { attrs?: { name: string; value: unknown }[] } } })._exparserNode?._vt?.attrs ?? [];
    expect(attrs.find((attr) => attr.name === 'ariaLabel')?.value).toBe('林一 2023001，计算机学院 / 软件工程 2301 班，5 条未按时阅读，查看成员');
    expect(attrs.find((attr) => attr.name === 'ariaRole')?.value).toBe('link');
    page.unmount();
  });
});

describe('长期未读, a long list', () => {
  /** WeChat's line for a page's WXML nodes, and what one setData of a page of rows may carry. */
  const MAX_NODES = 1000;
  const BUDGET = 32 * 1024;
  const ALL = 450;
  const SIZE = 50;
  const everyone = Array.from({ length: ALL }, (_, i) =>
    person({ memberId: `m${String(i).padStart(4, '0')}`, name: `成员${i}`, number: `2023${String(i).padStart(4, '0')}`, unitPath: '计算机学院/软件工程 2301 班；数学学院/数学 2301 班', unreadCount: 10 - (i % 3) }),
  );

  /** The function's cursor is the last member id of the page before. */
  const serve: Handler<'nonReaders'> = (request) => {
    const start = request.after ? everyone.findIndex((row) => row.memberId === request.after) + 1 : 0;
    const items = everyone.slice(start, start + SIZE);
    return reply(items, 10, start + SIZE < ALL ? items[items.length - 1].memberId : null);
  };

  const nodes = (page: RenderedPage) => (page.root.dom as unknown as { querySelectorAll(s: string): ArrayLike<unknown> }).querySelectorAll('*').length;
  const names = (page: RenderedPage) => page.root.querySelectorAll('.person__name').map((name) => name.dom.textContent ?? '');

  it(`reaches all ${ALL} people in order, a window of ${NON_READERS_CAP} at a time, one page per setData and under ${MAX_NODES} nodes`, async () => {
    const sizes: number[] = [];
    const stop = watchSetData((patch) => sizes.push(Buffer.byteLength(JSON.stringify(patch))));
    const { page, backend } = await open({ nonReaders: serve }, '成员0');
    let most = nodes(page);
    const seen: string[] = [];

    for (let start = 0; start < ALL; start += NON_READERS_CAP) {
      const size = Math.min(NON_READERS_CAP, ALL - start);
      await waitFor(() => names(page)[0] === `成员${start}`, `row ${start + 1} to open its window`);
      while (names(page).length < size) {
        const count = names(page).length;
        await runHook(page, 'onReachBottom');
        await waitFor(() => names(page).length > count, `the page after row ${start + count}`);
      }
      await backend.idle();
      most = Math.max(most, nodes(page));
      seen.push(...names(page));
      if (start + size < ALL) await page.tap(`显示后 ${NON_READERS_CAP} 条`);
      else expect(page.text()).toContain('没有更多了');
    }
    stop();

    expect(seen).toEqual(everyone.map((row) => row.name));
    expect(Math.max(...sizes)).toBeLessThan(BUDGET);
    expect(most).toBeLessThan(MAX_NODES);

    await page.tap('回到开头');
    await waitFor(() => names(page)[0] === '成员0', 'the first row again');
    page.unmount();
  });
});
