/**
 * @jest-environment jsdom
 *
 * The 提案 tab: 全部提案 (most supported or newest, by category) and 我的提案, paged; 附议 on
 * others' public proposals taking the server's count; the way to the form, to each proposal and,
 * for handlers, to 办理提案; read again on coming back; a long list kept to a window.
 */
import type { Page, ProposalCard } from '../../typings';
import { renderPage, waitFor, watchSetData, wx, type RenderedPage } from '../helpers/simulate';
import { account, fail, installBackend, installStorage, ok, storedSession, wxMore, type FakeBackend, type Handlers } from './fake-backend';
import { pageOf, rowTexts, runHook } from './org-fixtures';
import { exists, textIn } from './page-helpers';
import { category, proposalCard, proposalCards, proposalView } from './proposal-fixtures';
import './simulate-polyfills';

const TAB = 'pages/proposals/index';

const wxNav = wx as unknown as {
  navigateTo(options: { url: string }): void;
  stopPullDownRefresh(): void;
  pageScrollTo(options: unknown): void;
};

const categories = [category({ id: 'cat-1', name: '后勤服务' }), category({ id: 'cat-2', name: '教学管理', description: '课程、考试' })];

function defaultHandlers(): Handlers {
  return {
    'categories.list': () => ok({ items: categories, handles: false }),
    'proposals.public': () => pageOf([proposalCard()]),
    'proposals.mine': () => pageOf([]),
  };
}

async function open(handlers: Handlers = {}): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend({ ...defaultHandlers(), ...handlers });
  const page = renderPage(TAB);
  await backend.idle();
  await waitFor(() => !page.text().includes('加载中'), 'the list');
  return { page, backend };
}

const titles = (page: RenderedPage) => rowTexts(page, '.card__title');
const textOf = (page: RenderedPage, selector: string, index = 0) => (page.root.querySelectorAll(selector)[index]?.dom.textContent ?? '').replace(/\s+/g, ' ').trim();
let navigate: jest.SpyInstance;

beforeEach(() => {
  installStorage(storedSession(account({ id: 'u-lin', member: { id: 'm1', name: '林一', number: '2023001', kind: 'staff', unitNames: [], active: true } }), Date.now()));
  navigate = jest.spyOn(wxNav, 'navigateTo').mockImplementation(() => undefined);
  jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
  jest.spyOn(wxNav, 'stopPullDownRefresh').mockImplementation(() => undefined);
  jest.spyOn(wxNav, 'pageScrollTo').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('全部提案', () => {
  it('lists public proposals most supported first, each card with its status, category, author or 匿名, count and answer mark', async () => {
    const { page, backend } = await open({
      'proposals.public': () =>
        pageOf([
          proposalCard({ id: 'p-1', title: '食堂增加晚间窗口', status: 'accepted', supportCount: 12, hasAnswer: true }),
          proposalCard({ id: 'p-2', title: '图书馆延长开放', anonymous: true, authorName: null, categoryName: '教学管理', supportCount: 4, status: 'resolved' }),
          proposalCard({ id: 'p-3', title: '操场加装路灯', mine: true, authorName: '林一', supportCount: 2 }),
        ]),
    });
    expect(backend.callsOf('proposals.public').map((call) => call.request)).toEqual([{ sort: 'support' }]);
    expect(titles(page)).toEqual(['食堂增加晚间窗口', '图书馆延长开放', '操场加装路灯']);

    expect(textOf(page, '.card', 0)).toContain('已受理');
    expect(textOf(page, '.card', 0)).toContain('后勤服务');
    expect(textOf(page, '.card', 0)).toContain('李明');
    expect(textOf(page, '.card', 0)).toContain('12 人附议');
    expect(textOf(page, '.card', 0)).toContain('已答复');
    expect(textOf(page, '.card', 1)).toContain('匿名');
    expect(textOf(page, '.card', 1)).not.toContain('李明');
    expect(textOf(page, '.card', 1)).toContain('已办结');
    expect(textOf(page, '.card', 1)).not.toContain('已答复');
    // One's own proposal is marked and offers no 附议.
    expect(textOf(page, '.card', 2)).toContain('我的');
    expect(rowTexts(page, '.card__support')).toEqual(['附议', '附议']);
    const supportsIn = (index: number) => page.root.querySelectorAll('.card')[index].dom.querySelectorAll('[class$="--card__support"]').length;
    expect([0, 1, 2].map(supportsIn)).toEqual([1, 1, 0]);
    page.unmount();
  });

  it('sorts by newest and filters by category, asking the server each time', async () => {
    const { page, backend } = await open();
    await page.tap(textIn(page, '.chips--sort', '最新'));
    await waitFor(() => backend.callsOf('proposals.public').length === 2, 'the newest list');
    await page.tap(textIn(page, '.chips--category', '教学管理'));
    await waitFor(() => backend.callsOf('proposals.public').length === 3, 'the category list');
    await page.tap(textIn(page, '.chips--category', '全部类别'));
    await waitFor(() => backend.callsOf('proposals.public').length === 4, 'every category again');
    expect(backend.callsOf('proposals.public').map((call) => call.request)).toEqual([
      { sort: 'support' },
      { sort: 'newest' },
      { sort: 'newest', categoryId: 'cat-2' },
      { sort: 'newest' },
    ]);
    page.unmount();
  });

  it('says when a category has no public proposals yet', async () => {
    const { page, backend } = await open();
    backend.on('proposals.public', () => pageOf([]));
    await page.tap(textIn(page, '.chips--category', '后勤服务'));
    await waitFor(() => page.queryByText('这个类别下还没有公开的提案'), 'the empty category');
    page.unmount();
  });

  it('loads the next page from the cursor the server gave', async () => {
    const { page, backend } = await open({
      'proposals.public': (request) => (request.after ? pageOf(proposalCards(20, 20)) : pageOf(proposalCards(20), 'c-20')),
    });
    expect(titles(page)).toHaveLength(20);
    await runHook(page, 'onReachBottom');
    await waitFor(() => titles(page).length === 40, 'the second page');
    expect(backend.callsOf('proposals.public').map((call) => call.request)).toEqual([{ sort: 'support' }, { sort: 'support', after: 'c-20' }]);
    expect(page.text()).toContain('没有更多了');
    page.unmount();
  });

  it('supports a proposal with one tap, showing the count the server answers, and withdraws on the next', async () => {
    const { page, backend } = await open({
      'proposals.public': () => pageOf([proposalCard({ id: 'p-9', supportCount: 3 })]),
      // Others supported meanwhile: the server's count, not 3 + 1.
      'proposals.support': (request) => ok(request.support ? { supportCount: 8, supported: true } : { supportCount: 7, supported: false }),
    });
    await page.tap(textIn(page, '.card__support', '附议'));
    await waitFor(() => textOf(page, '.card__count') === '8 人附议', 'the new count');
    expect(textOf(page, '.card__support')).toBe('已附议');
    expect(backend.callsOf('proposals.support').map((call) => call.request)).toEqual([{ proposalId: 'p-9', support: true }]);
    // The tap on 附议 does not open the proposal.
    expect(navigate).not.toHaveBeenCalled();

    await page.tap(textIn(page, '.card__support', '已附议'));
    await waitFor(() => textOf(page, '.card__count') === '7 人附议', 'the withdrawal');
    expect(textOf(page, '.card__support')).toBe('附议');
    expect(backend.callsOf('proposals.support').map((call) => call.request.support)).toEqual([true, false]);
    page.unmount();
  });

  it('says why a support was refused and reads the list again', async () => {
    const { page, backend } = await open({ 'proposals.support': () => fail('PROPOSAL_NOT_PUBLIC') });
    await page.tap(textIn(page, '.card__support', '附议'));
    await waitFor(() => backend.callsOf('proposals.public').length === 2, 'the list again');
    expect(wxMore.showToast).toHaveBeenCalledWith({ title: '只有公开的提案可以附议', icon: 'none' });
    page.unmount();
  });

  it('opens a proposal from its card', async () => {
    const { page } = await open({ 'proposals.public': () => pageOf([proposalCard({ id: 'p 7', title: '食堂增加晚间窗口' })]) });
    await page.tap('食堂增加晚间窗口');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/proposal/index?id=p%207' });
    page.unmount();
  });
});

describe('我的提案', () => {
  it('lists the person’s proposals with their status, anonymous ones as theirs', async () => {
    const { page, backend } = await open({
      'proposals.mine': () => pageOf([proposalCard({ id: 'p-5', title: '宿舍热水时间', mine: true, anonymous: true, authorName: null, status: 'rejected', public: false })]),
    });
    await page.tap(textIn(page, '.proposal-tabs', '我的提案'));
    await waitFor(() => titles(page)[0] === '宿舍热水时间', 'my proposals');
    expect(backend.callsOf('proposals.mine').map((call) => call.request)).toEqual([{}]);
    expect(textOf(page, '.card')).toContain('未采纳');
    expect(textOf(page, '.card')).toContain('我（匿名提交）');
    expect(exists(page, '.chips--sort')).toBe(false);
    expect(exists(page, '.card__support')).toBe(false);
    page.unmount();
  });

  it('tags one’s private proposals 未公开 with no count, and counts the public ones', async () => {
    const { page } = await open({
      'proposals.mine': () =>
        pageOf([
          proposalCard({ id: 'p-5', title: '宿舍热水时间', mine: true, public: false, supportCount: 0 }),
          proposalCard({ id: 'p-6', title: '操场加装路灯', mine: true, public: true, supportCount: 4 }),
        ]),
    });
    await page.tap(textIn(page, '.proposal-tabs', '我的提案'));
    await waitFor(() => titles(page).length === 2, 'my proposals');
    expect(textOf(page, '.card', 0)).toContain('未公开');
    expect(textOf(page, '.card', 0)).not.toContain('人附议');
    expect(textOf(page, '.card', 1)).not.toContain('未公开');
    expect(textOf(page, '.card', 1)).toContain('4 人附议');
    page.unmount();
  });

  it('opens on 我的提案 when 提交提案 asked for it', async () => {
    const { page, backend } = await open({ 'proposals.mine': () => pageOf([proposalCard({ id: 'p-5', title: '宿舍热水时间', mine: true })]) });
    wxMore.setStorageSync('xintong.proposals.tab', 'mine');
    await runHook(page, 'onShow');
    await waitFor(() => titles(page)[0] === '宿舍热水时间', 'my proposals');
    expect(backend.callsOf('proposals.mine')).toHaveLength(1);
    expect(wxMore.getStorageSync('xintong.proposals.tab')).toBe('');
    page.unmount();
  });

  it('invites to submit when there are none', async () => {
    const { page } = await open();
    await page.tap(textIn(page, '.proposal-tabs', '我的提案'));
    await waitFor(() => page.queryByText('你还没有提交过提案，有好的想法就提出来吧'), 'the empty state');
    await page.tap('写一条提案');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/proposal-new/index' });
    page.unmount();
  });
});

describe('entries', () => {
  it('offers 提交提案 at the bottom always', async () => {
    const { page } = await open();
    await page.tap(textIn(page, '.submit-bar', '提交提案'));
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/proposal-new/index' });
    page.unmount();
  });

  it('offers 办理提案 only to those who handle proposals', async () => {
    const plain = await open();
    expect(exists(plain.page, '.desk-entry')).toBe(false);
    plain.page.unmount();

    const { page } = await open({ 'categories.list': () => ok({ items: categories, handles: true }) });
    expect(textOf(page, '.desk-entry')).toContain('办理提案');
    await page.tap(page.root.querySelector('.desk-entry')!.dom.querySelectorAll('[class~="van-cell--van-cell"]')[0]);
    expect(navigate).toHaveBeenCalledWith({ url: '/packages/admin/pages/proposal-desk/index' });
    page.unmount();
  });

  it('reads the list again on coming back from elsewhere (提交提案), so a new proposal shows', async () => {
    const { page, backend } = await open();
    backend.on('proposals.public', () => pageOf([proposalCard({ id: 'p-new', title: '新提案' }), proposalCard()]));
    await page.tap(textIn(page, '.submit-bar', '提交提案'));
    await runHook(page, 'onShow');
    await waitFor(() => titles(page)[0] === '新提案', 'the new proposal');
    expect(backend.callsOf('categories.list').length).toBe(2);
    page.unmount();
  });

  it('reads only the opened proposal again on coming back from it, and drops it once it is no longer public', async () => {
    const { page, backend } = await open({
      'proposals.public': () => pageOf([proposalCard({ id: 'p-1', title: '食堂增加晚间窗口', supportCount: 3 }), proposalCard({ id: 'p-2', title: '图书馆延长开放' })]),
      'proposals.get': () => ok(proposalView({ id: 'p-1', title: '食堂增加晚间窗口', supportCount: 4, supported: true, status: 'accepted' })),
    });
    await page.tap('食堂增加晚间窗口');
    await runHook(page, 'onShow');
    await waitFor(() => textOf(page, '.card__count') === '4 人附议', 'the row read again');
    expect(textOf(page, '.card', 0)).toContain('已受理');
    expect(textOf(page, '.card__support')).toBe('已附议');
    expect(backend.callsOf('proposals.get').map((call) => call.request)).toEqual([{ proposalId: 'p-1' }]);
    expect(backend.callsOf('proposals.public')).toHaveLength(1);

    backend.on('proposals.get', () => ok(proposalView({ id: 'p-1', public: false })));
    await page.tap('食堂增加晚间窗口');
    await runHook(page, 'onShow');
    await waitFor(() => titles(page).length === 1, 'the row gone');
    expect(titles(page)).toEqual(['图书馆延长开放']);
    expect(backend.callsOf('proposals.public')).toHaveLength(1);
    page.unmount();
  });

  it('shows a failed first load with a retry', async () => {
    const { page, backend } = await open({ 'proposals.public': () => fail('NETWORK_ERROR', '网络不可用') });
    await waitFor(() => page.queryByText('重试'), 'the error');
    backend.on('proposals.public', () => pageOf([proposalCard()]));
    await page.tap('重试');
    await waitFor(() => titles(page).length === 1, 'the list');
    page.unmount();
  });
});

describe('a long list', () => {
  /** What one setData may carry (as the other long lists), and WeChat's line for a page's WXML nodes. */
  const SET_DATA_BUDGET = 64 * 1024;
  const NODES = 1000;
  const PAGE = 20;
  const { PROPOSALS_CAP } = jest.requireActual<{ PROPOSALS_CAP: number }>('../../miniprogram/utils/proposal-view');

  /** The heaviest cards: full titles and excerpts, long names, every mark. */
  const all: ProposalCard[] = Array.from({ length: 500 }, (_, i) =>
    proposalCard({
      id: `p${String(i).padStart(3, '0')}`,
      title: `提案${String(i).padStart(3, '0')}${'关于改善校园夜间照明与安全巡查安排的建议'.repeat(3)}`.slice(0, 64),
      excerpt: '晚自习后从图书馆回宿舍的路上有多处没有路灯，建议增设路灯并安排巡查，保障同学们夜间出行的安全。'.repeat(2).slice(0, 80),
      categoryName: '后勤服务与校园安全',
      authorName: '欧阳文轩',
      hasAnswer: true,
      supportCount: 1000 + i,
      status: 'in_progress',
    }),
  );
  const serve = (after: string | undefined): ReturnType<typeof pageOf<ProposalCard>> => {
    const start = Number(after ?? 0);
    return ok<Page<ProposalCard>>({ items: all.slice(start, start + PAGE), next: start + PAGE < all.length ? String(start + PAGE) : null });
  };
  const nodes = (page: RenderedPage) => (page.root.dom as unknown as { querySelectorAll(s: string): ArrayLike<unknown> }).querySelectorAll('*').length;

  it(`shows ${PROPOSALS_CAP} cards at a time, one page per setData, under 1,000 nodes, every card reachable`, async () => {
    const sizes: number[] = [];
    const stop = watchSetData((patch) => sizes.push(Buffer.byteLength(JSON.stringify(patch))));
    const { page } = await open({ 'proposals.public': (request) => serve(request.after), 'categories.list': () => ok({ items: categories, handles: true }) });
    let most = nodes(page);
    while (!page.text().includes('显示后')) {
      const before = titles(page).length;
      await runHook(page, 'onReachBottom');
      await waitFor(() => titles(page).length > before || page.text().includes('显示后'), 'the next page');
      most = Math.max(most, nodes(page));
    }
    expect(titles(page)).toHaveLength(PROPOSALS_CAP);
    expect(titles(page)[0].slice(0, 5)).toBe('提案000');

    await page.tap(page.text().match(/显示后 \d+ 条/)![0]);
    await waitFor(() => titles(page)[0]?.slice(0, 5) === `提案${String(PROPOSALS_CAP).padStart(3, '0')}`, 'the next window');
    most = Math.max(most, nodes(page));
    stop();

    const largest = Math.max(...sizes);
    expect(largest).toBeLessThan(SET_DATA_BUDGET);
    expect(most).toBeLessThan(NODES);
    expect(page.text()).toContain('回到开头');
    page.unmount();
  });
});
