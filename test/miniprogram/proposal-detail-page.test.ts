/**
 * @jest-environment jsdom
 *
 * 提案详情: every block as the server's view says (title, status, category, author, time,
 * content, images with the proposer's badges, answer, rejection, merge link, support, rating,
 * timeline newest first, 去办理 for handlers), 附议 with the server's count, rating once, and a
 * clear state for a proposal that is not there or not the person's to see.
 */
import type { ProposalView } from '../../typings';
import { renderPage, waitFor, wx, type RenderedPage } from '../helpers/simulate';
import { account, fail, installBackend, installStorage, ok, storedSession, wxMore, type FakeBackend, type Handlers } from './fake-backend';
import { rowTexts, runHook } from './org-fixtures';
import { attributeOf, attributesOf, exists, textIn, trigger } from './page-helpers';
import { historyEntry, proposalView } from './proposal-fixtures';
import './simulate-polyfills';

const DETAIL = 'pages/proposal/index';

const wxNav = wx as unknown as {
  navigateTo(options: { url: string }): void;
  switchTab(options: { url: string }): void;
  previewImage(options: { urls: string[]; current?: string }): void;
  stopPullDownRefresh(): void;
};

const can = (overrides: Partial<ProposalView['can']> = {}): ProposalView['can'] => ({ support: false, rate: false, handle: false, moveTo: [], reveal: false, ...overrides });

async function open(view: ProposalView | null, handlers: Handlers = {}, id = 'p-1'): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend({ 'proposals.get': () => (view ? ok(view) : fail('PROPOSAL_NOT_FOUND')), ...handlers });
  const page = renderPage(DETAIL, { query: { id } });
  await backend.idle();
  await waitFor(() => !page.text().includes('加载中'), 'the proposal');
  return { page, backend };
}

const textOf = (page: RenderedPage, selector: string) => (page.root.querySelector(selector)?.dom.textContent ?? '').replace(/\s+/g, ' ').trim();
let navigate: jest.SpyInstance;

beforeEach(() => {
  installStorage(storedSession(account({ id: 'u-lin' }), Date.now()));
  navigate = jest.spyOn(wxNav, 'navigateTo').mockImplementation(() => undefined);
  jest.spyOn(wxNav, 'switchTab').mockImplementation(() => undefined);
  jest.spyOn(wxNav, 'previewImage').mockImplementation(() => undefined);
  jest.spyOn(wxNav, 'stopPullDownRefresh').mockImplementation(() => undefined);
  jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('the blocks', () => {
  it('shows the head, the content and the answer, and the timeline newest first', async () => {
    const { page, backend } = await open(
      proposalView({
        title: '食堂增加晚间窗口',
        status: 'resolved',
        categoryName: '后勤服务',
        authorName: '李明',
        unitNames: ['计算机学院'],
        submittedAt: '2024-03-01 09:00',
        content: '晚自习后不少同学需要用餐。\n建议试行一个月。',
        answer: { text: '下周起二食堂开放晚间窗口。', by: '王老师', at: '2024-03-03 10:00' },
        supportCount: 12,
        history: [
          historyEntry({ at: '2024-03-01 09:00', kind: 'submitted' }),
          historyEntry({ at: '2024-03-02 08:00', kind: 'status', by: '王老师', from: 'submitted', to: 'accepted' }),
          historyEntry({ at: '2024-03-03 10:00', kind: 'answer', by: '王老师', note: '下周起二食堂开放晚间窗口。' }),
        ],
      }),
    );
    expect(backend.callsOf('proposals.get').map((call) => call.request)).toEqual([{ proposalId: 'p-1' }]);
    expect(textOf(page, '.head__title')).toBe('食堂增加晚间窗口');
    expect(textOf(page, '.head__status')).toBe('已办结');
    expect(textOf(page, '.head__category')).toBe('后勤服务');
    expect(textOf(page, '.head__author')).toBe('李明 · 计算机学院');
    expect(textOf(page, '.head__time')).toBe('2024-03-01 09:00 提交');
    expect(textOf(page, '.content')).toBe('晚自习后不少同学需要用餐。 建议试行一个月。');
    expect(attributeOf(page, '.content', 'userSelect')).toBe(true);
    expect(textOf(page, '.block--answer')).toContain('下周起二食堂开放晚间窗口。');
    expect(textOf(page, '.block--answer')).toContain('王老师 · 2024-03-03');
    expect(textOf(page, '.support__count')).toBe('12 人附议');
    expect(rowTexts(page, '.step__text')).toEqual(['王老师 答复了提案', '王老师 将状态由 待受理 改为 已受理', '提案人 提交了提案']);
    expect(exists(page, '.handle')).toBe(false);
    expect(exists(page, '.block--reject')).toBe(false);
    page.unmount();
  });

  it('names nobody on an anonymous proposal, and tells its proposer it is theirs', async () => {
    const other = await open(proposalView({ anonymous: true, authorName: null, unitNames: [] }));
    expect(textOf(other.page, '.head__author')).toBe('匿名');
    other.page.unmount();
    const mine = await open(proposalView({ anonymous: true, authorName: null, unitNames: [], mine: true, public: false }));
    expect(textOf(mine.page, '.head__author')).toBe('我（匿名提交）');
    expect(textOf(mine.page, '.head__note')).toContain('仅你和处理人可见');
    mine.page.unmount();
  });

  it('shows the rejection’s reason and the proposal a duplicate went into', async () => {
    const rejected = await open(proposalView({ status: 'rejected', rejectReason: '已有类似安排' }));
    expect(textOf(rejected.page, '.head__status')).toBe('未采纳');
    expect(textOf(rejected.page, '.block--reject')).toContain('已有类似安排');
    rejected.page.unmount();

    const { page } = await open(proposalView({ status: 'merged', mergedInto: { id: 'p-2', title: '食堂延长营业', visible: true }, public: true }));
    expect(textOf(page, '.merged')).toContain('已并入提案「食堂延长营业」');
    await page.tap(page.root.querySelector('.merged')!.dom);
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/proposal/index?id=p-2' });
    page.unmount();
  });

  it('says only that a duplicate was merged when the proposal it went into is not the person’s to see', async () => {
    const { page } = await open(
      proposalView({
        status: 'merged',
        mergedInto: { id: '', title: '', visible: false },
        history: [historyEntry(), historyEntry({ at: '2024-03-02 10:00', kind: 'merged-in', by: '王老师', from: null, note: '3' })],
      }),
    );
    expect(textOf(page, '.merged')).toBe('已并入其他提案，附议已随之转入');
    await page.tap(page.root.querySelector('.merged')!.dom);
    expect(navigate).not.toHaveBeenCalled();
    expect(rowTexts(page, '.step__text')[0]).toBe('王老师 将一条提案并入本提案（3 人的附议随之转入）');
    page.unmount();
  });

  it('previews the images, badging for the proposer those being checked or refused', async () => {
    const { page } = await open(
      proposalView({
        mine: true,
        images: [
          { url: 'https://files/a.jpg', check: 'passed' },
          { url: 'https://files/b.jpg', check: 'pending' },
          { url: 'https://files/c.jpg', check: 'refused' },
        ],
      }),
    );
    expect(attributesOf(page, '.image__thumb', 'src')).toEqual(['https://files/a.jpg', 'https://files/b.jpg', 'https://files/c.jpg']);
    expect(rowTexts(page, '.image')).toEqual(['', '审核中', '未通过审核']);
    await page.tap(page.root.querySelectorAll('.image')[1].dom);
    expect(wxNav.previewImage).toHaveBeenCalledWith(expect.objectContaining({ urls: ['https://files/a.jpg', 'https://files/b.jpg', 'https://files/c.jpg'], current: 'https://files/b.jpg' }));
    page.unmount();
  });

  it('shows no badge to others (their images are the passed ones)', async () => {
    const { page } = await open(proposalView({ images: [{ url: 'https://files/a.jpg' }] }));
    expect(rowTexts(page, '.image')).toEqual(['']);
    expect(exists(page, '.image__badge')).toBe(false);
    page.unmount();
  });

  it('offers 去办理 to a handler', async () => {
    const { page } = await open(proposalView({ id: 'p-1', can: can({ handle: true, moveTo: ['accepted', 'rejected'] }) }));
    await page.tap(textIn(page, '.actions', '去办理'));
    expect(navigate).toHaveBeenCalledWith({ url: '/packages/admin/pages/proposal-handle/index?id=p-1' });
    page.unmount();
  });

  it('reads the proposal again on coming back (after handling it)', async () => {
    const { page, backend } = await open(proposalView({ status: 'submitted' }));
    backend.on('proposals.get', () => ok(proposalView({ status: 'accepted' })));
    await runHook(page, 'onShow');
    await waitFor(() => textOf(page, '.head__status') === '已受理', 'the new status');
    page.unmount();
  });

  it('reads nothing again when the page shows after an image preview closes, and reads on the next coming back', async () => {
    const { page, backend } = await open(proposalView({ images: [{ url: 'https://files/a.jpg' }] }));
    await page.tap(page.root.querySelectorAll('.image')[0].dom);
    expect(wxNav.previewImage).toHaveBeenCalledTimes(1);
    await runHook(page, 'onShow');
    await backend.idle();
    expect(backend.callsOf('proposals.get')).toHaveLength(1);
    await runHook(page, 'onShow');
    await waitFor(() => backend.callsOf('proposals.get').length === 2, 'read again');

    // A preview that failed to open brings no onShow: the next one is a coming back.
    await page.tap(page.root.querySelectorAll('.image')[0].dom);
    (wxNav.previewImage as unknown as jest.Mock).mock.calls.at(-1)![0].fail();
    await runHook(page, 'onShow');
    await waitFor(() => backend.callsOf('proposals.get').length === 3, 'read again after a failed preview');
    page.unmount();
  });
});

describe('support', () => {
  it('supports with one tap and takes the server’s count, then withdraws', async () => {
    const { page, backend } = await open(proposalView({ supportCount: 3, can: can({ support: true }) }), {
      'proposals.support': (request) => ok(request.support ? { supportCount: 9, supported: true } : { supportCount: 8, supported: false }),
    });
    await page.tap(textIn(page, '.support', '附议'));
    await waitFor(() => textOf(page, '.support__count') === '9 人附议', 'the count');
    expect(textOf(page, '.support__button')).toBe('已附议');
    await page.tap(textIn(page, '.support', '已附议'));
    await waitFor(() => textOf(page, '.support__count') === '8 人附议', 'the withdrawal');
    expect(backend.callsOf('proposals.support').map((call) => call.request)).toEqual([
      { proposalId: 'p-1', support: true },
      { proposalId: 'p-1', support: false },
    ]);
    page.unmount();
  });

  it('offers no 附议 on one’s own proposal or a private one, the count still shown on one’s own public one', async () => {
    const own = await open(proposalView({ mine: true, public: true, supportCount: 5, can: can() }));
    expect(textOf(own.page, '.support__count')).toBe('5 人附议');
    expect(exists(own.page, '.support__button')).toBe(false);
    own.page.unmount();
    const hidden = await open(proposalView({ public: false, supportCount: 0, can: can({ handle: true }) }));
    expect(exists(hidden.page, '.support')).toBe(false);
    hidden.page.unmount();
  });

  it('says why a support was refused and reads the proposal again', async () => {
    const { page, backend } = await open(proposalView({ can: can({ support: true }) }), { 'proposals.support': () => fail('PROPOSAL_NOT_PUBLIC') });
    await page.tap(textIn(page, '.support', '附议'));
    await waitFor(() => backend.callsOf('proposals.get').length === 2, 'the proposal again');
    expect(wxMore.showToast).toHaveBeenCalledWith({ title: '只有公开的提案可以附议', icon: 'none' });
    page.unmount();
  });
});

describe('rating', () => {
  const resolved = (overrides: Partial<ProposalView> = {}) =>
    proposalView({ mine: true, status: 'resolved', answer: { text: '已开放晚间窗口', by: '王老师', at: '2024-03-03 10:00' }, can: can({ rate: true }), ...overrides });

  it('lets the proposer rate a resolved proposal once, then shows the rating read-only', async () => {
    const { page, backend } = await open(resolved(), {
      'proposals.rate': (request) =>
        ok(
          resolved({
            can: can(),
            rating: { stars: request.stars, comment: request.comment ?? '', at: '2024-03-04 09:00' },
            history: [historyEntry(), historyEntry({ at: '2024-03-04 09:00', kind: 'rated', by: null, to: String(request.stars) })],
          }),
        ),
    });
    // What it promises: the comment is read by all who see the proposal.
    expect(textOf(page, '.rate__note')).toBe('评分和评价会显示在提案中，所有能看到本提案的人都能看到');
    // No stars yet: nothing is sent.
    await page.tap(textIn(page, '.block--rate', '提交评价'));
    expect(textOf(page, '.rate__error')).toBe('请选择 1–5 星');
    expect(backend.callsOf('proposals.rate')).toHaveLength(0);

    await trigger(page, '.rating__stars--input', 'change', 4);
    await trigger(page, '.rate-comment', 'change', '  很及时  ');
    await page.tap(textIn(page, '.block--rate', '提交评价'));
    await waitFor(() => exists(page, '.block--rating'), 'the rating');
    expect(backend.callsOf('proposals.rate').map((call) => call.request)).toEqual([{ proposalId: 'p-1', stars: 4, comment: '很及时' }]);
    expect(attributeOf(page, '.rating__stars--done', 'value')).toBe(4);
    expect(attributeOf(page, '.rating__stars--done', 'readonly')).toBe(true);
    expect(textOf(page, '.block--rating')).toContain('很及时');
    expect(exists(page, '.block--rate')).toBe(false);
    expect(rowTexts(page, '.step__text')[0]).toBe('提案人 评价了答复（4 星）');
    page.unmount();
  });

  it('offers no rating to anyone the server does not let rate', async () => {
    const { page } = await open(resolved({ mine: false, can: can() }));
    expect(exists(page, '.block--rate')).toBe(false);
    page.unmount();
  });

  it('reads the proposal again when it was rated already', async () => {
    const { page, backend } = await open(resolved(), { 'proposals.rate': () => fail('PROPOSAL_ALREADY_RATED') });
    backend.on('proposals.get', () => ok(resolved({ can: can(), rating: { stars: 5, comment: '', at: '2024-03-04 09:00' } })));
    await trigger(page, '.rating__stars--input', 'change', 3);
    await page.tap(textIn(page, '.block--rate', '提交评价'));
    await waitFor(() => exists(page, '.block--rating'), 'the rating read again');
    expect(wxMore.showToast).toHaveBeenCalledWith({ title: '你已评价过该提案的答复', icon: 'none' });
    page.unmount();
  });
});

describe('a proposal that is not there', () => {
  it('says so clearly and leads back to the list', async () => {
    const { page } = await open(null);
    expect(page.text()).toContain('该提案不存在或你无权查看');
    await page.tap('查看全部提案');
    expect(wxNav.switchTab).toHaveBeenCalledWith({ url: '/pages/proposals/index' });
    page.unmount();
  });

  it('shows another failure with a retry', async () => {
    const { page, backend } = await open(null, { 'proposals.get': () => fail('NETWORK_ERROR', '网络不可用') });
    expect(page.text()).toContain('重试');
    backend.on('proposals.get', () => ok(proposalView({ title: '路灯' })));
    await page.tap('重试');
    await waitFor(() => textOf(page, '.head__title') === '路灯', 'the proposal');
    page.unmount();
  });
});
