/**
 * @jest-environment jsdom
 *
 * The handlers' proposal pages (admin subpackage): 提案办理, 办理提案, 提案类别 and 匿名查看记录,
 * against the typed fake backend.
 */
import type { ProposalCard, ProposalDashboard, ProposalView, Role } from '../../typings';
import { renderPage, waitFor, watchSetData, wx, type RenderedPage } from '../helpers/simulate';
import { account, fail, installBackend, installStorage, ok, storedSession, wxMore, type FakeBackend, type Handlers } from './fake-backend';
import { card, college, pageOf, root, rowTexts, runHook, shown, unitPickerComponents } from './org-fixtures';
import { attributeOf, exists, textIn, trigger } from './page-helpers';
import { PROPOSALS_CAP } from '../../miniprogram/utils/proposal-view';
import { category, historyEntry, proposalCard, proposalCards, proposalView } from './proposal-fixtures';
import './simulate-polyfills';

const DESK = 'packages/admin/pages/proposal-desk/index';
const HANDLE = 'packages/admin/pages/proposal-handle/index';
const CATEGORIES = 'packages/admin/pages/proposal-categories/index';
const REVEALS = 'packages/admin/pages/proposal-reveals/index';

const ME = { id: 'm1', name: '林一', number: 'T001', kind: 'staff' as const, unitNames: [], active: true };

function signIn(roles: Role[] = ['member', 'admin']): void {
  installStorage(storedSession(account({ id: 'u-me', roles, member: ME }), Date.now()));
}

const navigations = () => (wx.navigateTo as jest.Mock).mock.calls.map((call) => call[0].url);
const textOf = (page: RenderedPage, selector: string) => (page.root.querySelector(selector)?.dom.textContent ?? '').replace(/\s+/g, ' ').trim();

async function tapCell(page: RenderedPage, selector: string, index = 0): Promise<void> {
  const host = page.root.querySelectorAll(selector)[index];
  if (!host) throw new Error(`nothing matches ${selector}`);
  const inner = (host.dom as unknown as { querySelector(selector: string): unknown }).querySelector('[class~="van-cell--van-cell"]');
  await page.tap(inner as Parameters<RenderedPage['tap']>[0]);
}

beforeEach(() => {
  jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
  jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

const dashboard = (total = 15): ProposalDashboard => ({
  counts: { submitted: 4, accepted: 2, in_progress: 1, resolved: 7, rejected: 1, merged: 0 },
  total,
  firstAnswer: [{ categoryId: 'cat-1', categoryName: '后勤服务', answered: 3, meanMinutes: 330, maxMinutes: 4320 }],
});

const categories = [
  category({ id: 'cat-1', name: '后勤服务', handlers: [{ id: 'm1', name: '林一' }, { id: 'm2', name: '王二' }] }),
  category({ id: 'cat-2', name: '教学教务', handlers: [{ id: 'm3', name: '张三' }] }),
];

describe('提案办理', () => {
  function deskHandlers(cards: ProposalCard[] = [proposalCard()]): Handlers {
    return {
      'categories.list': () => ok({ items: categories, handles: true }),
      'proposals.dashboard': () => ok(dashboard()),
      'proposals.handling': () => pageOf(cards),
    };
  }

  async function openDesk(handlers: Handlers, options: { withUnits?: boolean } = {}) {
    const backend = installBackend(handlers);
    const page = renderPage(DESK, options.withUnits ? { usingComponents: unitPickerComponents() } : {});
    await waitFor(() => page.queryByText('只看指派给我的'), 'the desk');
    await backend.idle();
    return { page, backend };
  }

  it('shows the counts, the cards and the first answer per category, and opens a card, the categories and the audit', async () => {
    signIn();
    const { page, backend } = await openDesk(
      deskHandlers([
        proposalCard({ id: 'p-1', title: '食堂增加晚间窗口', assignee: { id: 'm2', name: '王二' } }),
        proposalCard({ id: 'p-2', title: '图书馆延长开放', anonymous: true, authorName: null, status: 'accepted', public: false }),
      ]),
    );

    expect(backend.callsOf('categories.list')[0].request).toEqual({ all: true });
    expect(backend.callsOf('proposals.dashboard')[0].request).toEqual({});
    expect(backend.callsOf('proposals.handling')[0].request).toEqual({});
    expect(rowTexts(page, '.count')).toEqual(['15全部', '4待受理', '2已受理', '1办理中', '7已办结', '1未采纳', '0已合并']);
    expect(rowTexts(page, '.proposal')).toEqual([
      '食堂增加晚间窗口待受理后勤服务 · 李明 · 2024-03-01指派给 王二已公开',
      '图书馆延长开放已受理后勤服务 · 匿名 · 2024-03-01未指派',
    ]);
    // 首次答复用时 sits above the list, folded to one line until opened.
    expect(exists(page, '.first-answer')).toBe(false);
    expect(textOf(page, '.first-answers__toggle')).toBe('各类别首次答复用时 ▸');
    await page.tap(page.root.querySelector('.first-answers__toggle')!.dom);
    expect(textOf(page, '.first-answers__toggle')).toBe('各类别首次答复用时 ▾');
    expect(rowTexts(page, '.first-answer')).toEqual(['后勤服务已答复 3 件 · 平均 0.2 天 · 最长 3 天']);
    type Placed = { compareDocumentPosition(other: Placed): number };
    const above = page.root.querySelector('.first-answers')!.dom as unknown as Placed;
    const list = page.root.querySelector('.rows')!.dom as unknown as Placed;
    // DOCUMENT_POSITION_FOLLOWING: the list comes after.
    expect(above.compareDocumentPosition(list) & 4).toBe(4);

    await page.tap('图书馆延长开放');
    await page.tap('类别管理');
    await page.tap('匿名查看记录');
    expect(navigations()).toEqual([
      '/packages/admin/pages/proposal-handle/index?id=p-2',
      '/packages/admin/pages/proposal-categories/index',
      '/packages/admin/pages/proposal-reveals/index',
    ]);
    page.unmount();
  });

  it('filters by a tapped count, a category, 只看指派给我的 and the proposer unit, counting again where the counts depend on it', async () => {
    signIn();
    const { page, backend } = await openDesk(
      {
        ...deskHandlers(),
        'units.root': () => ok(root),
        'units.children': (request) => pageOf(request.parentId === 'root' ? [college] : []),
      },
      { withUnits: true },
    );
    const handling = () => backend.callsOf('proposals.handling').map((call) => call.request);
    const counted = () => backend.callsOf('proposals.dashboard').map((call) => call.request);

    await page.tap(textIn(page, '.grid', '待受理'));
    await backend.idle();
    expect(handling().at(-1)).toEqual({ status: 'submitted' });
    expect(attributeOf(page, '.count--active', 'ariaLabel')).toBe('待受理 4 件');
    expect(counted()).toHaveLength(1);

    await trigger(page, '.category-picker', 'change', { value: 2 });
    await backend.idle();
    expect(page.text()).toContain('教学教务');
    expect(counted().at(-1)).toEqual({ categoryId: 'cat-2' });
    expect(handling().at(-1)).toEqual({ status: 'submitted', categoryId: 'cat-2' });

    await tapCell(page, '.toggle-mine');
    await backend.idle();
    expect(handling().at(-1)).toEqual({ status: 'submitted', categoryId: 'cat-2', assignedToMe: true });

    await page.tap('全部单位');
    await shown(page, '.unit-picker', '计算机学院');
    await page.tap(textIn(page, '.unit-picker', '计算机学院'));
    await shown(page, '.unit-picker', '信通大学/计算机学院');
    await page.tap(textIn(page, '.unit-picker', '按此单位筛选'));
    await backend.idle();
    expect(counted().at(-1)).toEqual({ categoryId: 'cat-2', unitId: 'college-1' });
    expect(handling().at(-1)).toEqual({ status: 'submitted', categoryId: 'cat-2', unitId: 'college-1', assignedToMe: true });
    expect(page.text()).toContain('含下级单位，不含匿名提案');

    // The active count tapped again shows every status; clearing the unit counts again.
    await page.tap(textIn(page, '.grid', '待受理'));
    await backend.idle();
    expect(handling().at(-1)).toEqual({ categoryId: 'cat-2', unitId: 'college-1', assignedToMe: true });
    await page.tap(page.root.querySelector('.clear')!.dom);
    await backend.idle();
    expect(counted().at(-1)).toEqual({ categoryId: 'cat-2' });
    page.unmount();
  });

  it("gives a handler who is not an admin their own categories only, no unit filter and no admin links", async () => {
    signIn(['member']);
    const { page } = await openDesk(deskHandlers());
    expect(attributeOf(page, '.category-picker', 'range')).toEqual([
      { id: '', label: '全部类别' },
      { id: 'cat-1', label: '后勤服务' },
    ]);
    expect(page.queryByText('类别管理')).toBeNull();
    expect(page.queryByText('匿名查看记录')).toBeNull();
    expect(exists(page, '.unit-filter')).toBe(false);
    page.unmount();
  });

  it('tells someone who handles nothing that the desk is not theirs', async () => {
    signIn(['member']);
    const backend = installBackend({ 'categories.list': () => fail('FORBIDDEN') });
    const page = renderPage(DESK);
    await waitFor(() => page.queryByText('仅管理员和提案类别的处理人可用'), 'the refusal');
    await backend.idle();
    expect(backend.calls.map((call) => call.action)).toEqual(['categories.list']);
    page.unmount();
  });

  it('shows — for the counts and a loading mark for the list until they answer, never 0 nor 暂无', async () => {
    signIn();
    const backend = installBackend(deskHandlers([proposalCard({ id: 'p-1', title: '食堂增加晚间窗口' })]));
    backend.hold((call) => call.action !== 'categories.list');
    const page = renderPage(DESK);
    await waitFor(() => page.queryByText('只看指派给我的'), 'the desk');
    await backend.idle();
    expect(rowTexts(page, '.count')).toEqual(['—全部', '—待受理', '—已受理', '—办理中', '—已办结', '—未采纳', '—已合并']);
    expect(exists(page, '.list-loading')).toBe(true);
    expect(page.text()).not.toContain('暂无需要办理的提案');
    backend.release();
    await waitFor(() => rowTexts(page, '.proposal').length === 1, 'the list');
    await backend.idle();
    expect(rowTexts(page, '.count')[0]).toBe('15全部');
    expect(exists(page, '.list-loading')).toBe(false);
    page.unmount();
  });

  it('shows a loading mark instead of the old rows while another filter loads', async () => {
    signIn();
    const { page, backend } = await openDesk({
      ...deskHandlers(),
      'proposals.handling': (request) => pageOf([request.status ? proposalCard({ id: 'p-9', title: '图书馆延长开放' }) : proposalCard({ id: 'p-1', title: '食堂增加晚间窗口' })]),
    });
    expect(rowTexts(page, '.proposal')).toHaveLength(1);
    backend.hold();
    await page.tap(textIn(page, '.grid', '已受理'));
    expect(rowTexts(page, '.proposal')).toEqual([]);
    expect(exists(page, '.list-loading')).toBe(true);
    expect(page.text()).not.toContain('没有符合筛选条件的提案');
    backend.release();
    await waitFor(() => page.queryByText('图书馆延长开放'), 'the filtered rows');
    expect(exists(page, '.list-loading')).toBe(false);
    page.unmount();
  });

  it('reads only the opened proposal again on coming back from it (and the counts), dropping it once it left the filter', async () => {
    signIn();
    const { page, backend } = await openDesk({
      ...deskHandlers(),
      'proposals.handling': (request) =>
        pageOf(request.status ? [proposalCard({ id: 'p-1', title: '食堂增加晚间窗口' })] : [proposalCard({ id: 'p-1', title: '食堂增加晚间窗口' }), proposalCard({ id: 'p-2', title: '图书馆延长开放' })]),
      'proposals.get': () => ok(proposalView({ id: 'p-1', title: '食堂增加晚间窗口', status: 'accepted', assignee: { id: 'm1', name: '林一' }, can: { support: false, rate: false, handle: true, moveTo: [], reveal: false } })),
    });
    await page.tap('食堂增加晚间窗口');
    await runHook(page, 'onShow');
    await waitFor(() => rowTexts(page, '.proposal')[0]?.includes('已受理'), 'the row read again');
    expect(rowTexts(page, '.proposal')[0]).toContain('指派给 林一');
    expect(backend.callsOf('proposals.handling')).toHaveLength(1);
    expect(backend.callsOf('proposals.dashboard')).toHaveLength(2);

    await page.tap(textIn(page, '.grid', '待受理'));
    await waitFor(() => rowTexts(page, '.proposal').length === 1, 'the filtered list');
    await page.tap('食堂增加晚间窗口');
    await runHook(page, 'onShow');
    await waitFor(() => rowTexts(page, '.proposal').length === 0, 'the row gone from 待受理');
    expect(backend.callsOf('proposals.handling')).toHaveLength(2);
    page.unmount();
  });

  it('pages on from the cursor, says when nothing matches, and reloads counts and list on coming back', async () => {
    signIn();
    const { page, backend } = await openDesk({
      ...deskHandlers(),
      'proposals.handling': (request) => (request.status === 'merged' ? pageOf([]) : request.after ? pageOf(proposalCards(5, 20)) : pageOf(proposalCards(20), 'c1')),
    });
    await runHook(page, 'onReachBottom');
    await waitFor(() => rowTexts(page, '.proposal').length === 25, 'the next page');
    expect(backend.callsOf('proposals.handling')[1].request).toEqual({ after: 'c1' });

    await page.tap(textIn(page, '.grid', '已合并'));
    await waitFor(() => page.queryByText('没有符合筛选条件的提案'), 'the empty filter');

    await runHook(page, 'onShow');
    await backend.idle();
    expect(backend.callsOf('proposals.dashboard')).toHaveLength(2);
    expect(backend.callsOf('proposals.handling').at(-1)?.request).toEqual({ status: 'merged' });
    page.unmount();
  });
});

describe('办理提案', () => {
  const HANDLER = { support: false, rate: false, handle: true, moveTo: [], reveal: false };
  const NEXT_MOVES: Record<string, ProposalView['status'][]> = { submitted: ['accepted', 'rejected'], accepted: ['in_progress', 'rejected'], in_progress: ['resolved', 'rejected'] };

  /**
   * A proposal the fake backend keeps: every write checks the rev it is sent, answers the
   * proposal as changed with a new rev, or PROPOSAL_STALE.
   */
  function served(start: Partial<ProposalView> = {}) {
    let revs = 1;
    let current = proposalView({ status: 'submitted', public: false, can: { ...HANDLER, moveTo: NEXT_MOVES.submitted }, ...start });
    const write = (rev: string, change: Partial<ProposalView>) => {
      if (rev !== current.rev) return fail('PROPOSAL_STALE');
      revs += 1;
      const status = change.status ?? current.status;
      current = { ...current, ...change, rev: `rev-${revs}`, can: { ...current.can, moveTo: NEXT_MOVES[status] ?? [] } };
      return ok(current);
    };
    const handlers: Handlers = {
      'proposals.get': () => ok(current),
      'proposals.move': (request) =>
        write(request.rev, {
          status: request.to,
          ...(request.reason ? { rejectReason: request.reason } : {}),
          ...(request.answer ? { answer: { text: request.answer, by: '林一', at: '2024-03-02 10:00' } } : {}),
        }),
      'proposals.answer': (request) => write(request.rev, { answer: { text: request.answer, by: '林一', at: '2024-03-02 10:00' } }),
      'proposals.assign': (request) => write(request.rev, { assignee: request.handlerId ? { id: request.handlerId, name: request.handlerId === 'm2' ? '王二' : '林一' } : null }),
      'proposals.publish': (request) => write(request.rev, { public: request.public }),
      'categories.list': () => ok({ items: categories, handles: true }),
    };
    return {
      handlers,
      view: () => current,
      /** Another handler acts meanwhile: the rev the page holds is no longer current. */
      elsewhere(change: Partial<ProposalView>) {
        write(current.rev, change);
      },
    };
  }

  async function openHandle(handlers: Handlers, ready = '食堂增加晚间窗口') {
    const backend = installBackend(handlers);
    const page = renderPage(HANDLE, { query: { id: 'p-1' } });
    await waitFor(() => page.queryByText(ready), ready);
    await backend.idle();
    return { page, backend };
  }

  const actions = (page: RenderedPage) => rowTexts(page, '.action');
  const tapAction = (page: RenderedPage, label: string) => page.tap(textIn(page, '.actions', label));
  const lastRequest = (backend: FakeBackend, action: Parameters<FakeBackend['callsOf']>[0]) => backend.callsOf(action).at(-1)?.request;

  it('shows the proposal as the detail page does, with its history newest first', async () => {
    signIn();
    const { page } = await openHandle(
      served({
        images: [{ url: 'https://tmp.example/1.png' }, { url: 'https://tmp.example/2.png' }],
        answer: { text: '已与食堂沟通', by: '王二', at: '2024-03-02 10:00' },
        assignee: { id: 'm2', name: '王二' },
        history: [historyEntry(), historyEntry({ at: '2024-03-02 10:00', kind: 'answer', by: '王二' })],
      }).handlers,
    );
    const text = page.text();
    expect(text).toContain('待受理');
    expect(text).toContain('后勤服务 · 2024-03-01 09:00 提交');
    expect(textOf(page, '.author')).toBe('提案人：李明 · 计算机学院');
    // Outlined, as everywhere else.
    expect(attributeOf(page, '.status', 'plain')).toBe(true);
    expect(text).toContain('指派给 王二 · 未公开 · 附议 3');
    expect(text).toContain('可以先试行一个月。');
    expect(text).toContain('已与食堂沟通');
    expect(rowTexts(page, '.history')).toEqual(['王二 答复了提案2024-03-02 10:00', '提案人 提交了提案2024-03-01 09:00']);
    expect(actions(page)).toEqual(['受理', '不予采纳', '修改答复', '改派', '公开', '合并到…']);

    const preview = jest.spyOn(wx as unknown as { previewImage(o: unknown): void }, 'previewImage').mockImplementation(() => undefined);
    await page.tap(page.root.querySelectorAll('.image')[1].dom);
    expect(preview).toHaveBeenCalledWith({ urls: ['https://tmp.example/1.png', 'https://tmp.example/2.png'], current: 'https://tmp.example/2.png' });
    page.unmount();
  });

  it('moves along 受理 → 开始办理 → 办结 (with an answer), each sending the rev it read', async () => {
    signIn();
    const proposal = served();
    const { page, backend } = await openHandle(proposal.handlers);

    await tapAction(page, '受理');
    await waitFor(() => actions(page).includes('开始办理'), 'accepted');
    expect(lastRequest(backend, 'proposals.move')).toEqual({ proposalId: 'p-1', rev: 'rev-1', to: 'accepted' });
    expect(wxMore.showToast).toHaveBeenLastCalledWith({ title: '已受理', icon: 'success' });
    expect(page.text()).toContain('已受理');

    await tapAction(page, '开始办理');
    await waitFor(() => actions(page).includes('办结'), 'in progress');
    expect(lastRequest(backend, 'proposals.move')).toEqual({ proposalId: 'p-1', rev: 'rev-2', to: 'in_progress' });

    await tapAction(page, '办结');
    await shown(page, '.move-dialog', '办结后提案人可在办理进度中看到（订阅了提醒的会收到消息）');
    await trigger(page, '.move-answer', 'change', '  已增设晚间窗口，3 月起开放  ');
    await page.tap(textIn(page, '.move-dialog', '办结'));
    await waitFor(() => page.queryByText('已办结'), 'resolved');
    expect(lastRequest(backend, 'proposals.move')).toEqual({ proposalId: 'p-1', rev: 'rev-3', to: 'resolved', answer: '已增设晚间窗口，3 月起开放' });
    expect(page.text()).toContain('已增设晚间窗口，3 月起开放');
    expect(actions(page)).toEqual(['修改答复', '公开']);
    page.unmount();
  });

  it('refuses 不予采纳 without a reason on the page, then sends the reason', async () => {
    signIn();
    const { page, backend } = await openHandle(served().handlers);

    await tapAction(page, '不予采纳');
    await shown(page, '.move-dialog', '不予采纳后提案人可在办理进度中看到原因（订阅了提醒的会收到消息）');
    await page.tap(textIn(page, '.move-dialog', '不予采纳'));
    await waitFor(() => page.queryByText('请填写不予采纳的原因'), 'the reason asked for');
    await trigger(page, '.move-reason', 'change', '   ');
    await page.tap(textIn(page, '.move-dialog', '不予采纳'));
    expect(backend.callsOf('proposals.move')).toHaveLength(0);

    await trigger(page, '.move-reason', 'change', '与现行管理规定冲突');
    await page.tap(textIn(page, '.move-dialog', '不予采纳'));
    await waitFor(() => page.queryByText('未采纳'), 'rejected');
    expect(lastRequest(backend, 'proposals.move')).toEqual({ proposalId: 'p-1', rev: 'rev-1', to: 'rejected', reason: '与现行管理规定冲突' });
    expect(page.text()).toContain('与现行管理规定冲突');
    page.unmount();
  });

  it('writes the answer in a popup (1000 at most) and publishes, then takes it back', async () => {
    signIn();
    const { page, backend } = await openHandle(served().handlers);

    await tapAction(page, '答复');
    await shown(page, '.answer-popup', '答复提案');
    expect(attributeOf(page, '.answer-text', 'maxlength')).toBe(1000);
    await page.tap(textIn(page, '.answer-popup', '保存答复'));
    await waitFor(() => page.queryByText('请填写答复内容'), 'the answer asked for');
    await trigger(page, '.answer-text', 'change', '感谢建议，已转食堂');
    await page.tap(textIn(page, '.answer-popup', '保存答复'));
    await waitFor(() => actions(page).includes('修改答复'), 'the answer saved');
    expect(lastRequest(backend, 'proposals.answer')).toEqual({ proposalId: 'p-1', rev: 'rev-1', answer: '感谢建议，已转食堂' });
    expect(wxMore.showToast).toHaveBeenLastCalledWith({ title: '答复已保存', icon: 'success' });

    await tapAction(page, '公开');
    await waitFor(() => actions(page).includes('取消公开'), 'public');
    expect(lastRequest(backend, 'proposals.publish')).toEqual({ proposalId: 'p-1', rev: 'rev-2', public: true });
    await tapAction(page, '取消公开');
    await waitFor(() => actions(page).includes('公开'), 'private again');
    expect(lastRequest(backend, 'proposals.publish')).toEqual({ proposalId: 'p-1', rev: 'rev-3', public: false });
    page.unmount();
  });

  it("assigns among the category's handlers only, and takes the assignment away", async () => {
    signIn();
    const { page, backend } = await openHandle(served().handlers);

    await tapAction(page, '指派');
    await shown(page, '.assign-sheet', '王二');
    expect(lastRequest(backend, 'categories.list')).toEqual({ all: true });
    const sheet = page.root.querySelector('.assign-sheet')!.dom.textContent ?? '';
    expect(sheet).toContain('林一');
    expect(sheet).not.toContain('张三');
    expect(sheet).not.toContain('取消指派');
    await page.tap(textIn(page, '.assign-sheet', '王二'));
    await waitFor(() => page.queryByText('指派给 王二 · 未公开 · 附议 3'), 'assigned');
    expect(lastRequest(backend, 'proposals.assign')).toEqual({ proposalId: 'p-1', rev: 'rev-1', handlerId: 'm2' });

    await tapAction(page, '改派');
    await shown(page, '.assign-sheet', '取消指派');
    await page.tap(textIn(page, '.assign-sheet', '取消指派'));
    await waitFor(() => page.queryByText('未指派 · 未公开 · 附议 3'), 'unassigned');
    expect(lastRequest(backend, 'proposals.assign')).toEqual({ proposalId: 'p-1', rev: 'rev-2', handlerId: null });
    expect(wxMore.showToast).toHaveBeenLastCalledWith({ title: '已取消指派', icon: 'success' });
    page.unmount();
  });

  it('merges into an open proposal the server lists (openOnly), never itself', async () => {
    signIn();
    const proposal = served();
    const merged = (intoId: string) => ({ ...proposal.view(), status: 'merged' as const, rev: 'rev-9', mergedInto: { id: intoId, title: '食堂开放夜宵', visible: true }, can: { ...HANDLER } });
    const { page, backend } = await openHandle({
      ...proposal.handlers,
      'proposals.handling': (request) =>
        request.after
          ? pageOf([proposalCard({ id: 'p-7', title: '食堂开放夜宵', status: 'in_progress' })])
          : pageOf([proposalCard({ id: 'p-1', title: '食堂增加晚间窗口' }), proposalCard({ id: 'p-4', title: '延长食堂营业时间', status: 'accepted' })], 'c1'),
      'proposals.merge': (request) => ok({ merged: merged(request.intoId), into: proposalView({ id: request.intoId, title: '食堂开放夜宵' }) }),
    });

    await tapAction(page, '合并到…');
    await shown(page, '.merge-popup', '延长食堂营业时间');
    expect(lastRequest(backend, 'proposals.handling')).toEqual({ openOnly: true });
    await page.tap(textIn(page, '.merge-popup', '加载更多'));
    await waitFor(() => rowTexts(page, '.merge-choice').length === 2, 'the next page');
    expect(rowTexts(page, '.merge-choice')).toEqual(['延长食堂营业时间已受理 · 后勤服务 · 2024-03-01', '食堂开放夜宵办理中 · 后勤服务 · 2024-03-01']);
    expect(lastRequest(backend, 'proposals.handling')).toEqual({ openOnly: true, after: 'c1' });

    await tapCell(page, '.merge-choice', 1);
    await shown(page, '.merge-dialog', '将「食堂增加晚间窗口」合并到「食堂开放夜宵」');
    await page.tap(textIn(page, '.merge-dialog', '合并'));
    await waitFor(() => page.queryByText('已合并到提案「食堂开放夜宵」'), 'merged');
    expect(lastRequest(backend, 'proposals.merge')).toEqual({ proposalId: 'p-1', rev: 'rev-1', intoId: 'p-7' });
    expect(actions(page)).toEqual([]);

    await page.tap(page.root.querySelector('.merged-into')!.dom);
    expect(navigations()).toEqual(['/packages/admin/pages/proposal-handle/index?id=p-7']);
    page.unmount();
  });

  it('reads the proposal again when another handler acted first, says so, and sends the new rev next', async () => {
    signIn();
    const proposal = served();
    const { page, backend } = await openHandle(proposal.handlers);
    proposal.elsewhere({ status: 'accepted' });

    await tapAction(page, '受理');
    await waitFor(() => page.queryByText('该提案刚被他人处理，已重新加载最新信息，请核对后再试'), 'the stale message');
    await waitFor(() => actions(page).includes('开始办理'), 'the fresh proposal');
    expect(backend.callsOf('proposals.get')).toHaveLength(2);
    expect(lastRequest(backend, 'proposals.move')).toEqual({ proposalId: 'p-1', rev: 'rev-1', to: 'accepted' });

    // A dialog open on the stale read closes once the proposal is read again.
    proposal.elsewhere({ public: true });
    await tapAction(page, '不予采纳');
    await shown(page, '.move-dialog', '不予采纳后');
    await trigger(page, '.move-reason', 'change', '重复');
    await page.tap(textIn(page, '.move-dialog', '不予采纳'));
    await waitFor(() => backend.callsOf('proposals.get').length === 3, 'read again');
    await backend.idle();
    expect(attributeOf(page, '.move-dialog', 'show')).toBe(false);
    expect(lastRequest(backend, 'proposals.move')).toEqual({ proposalId: 'p-1', rev: 'rev-2', to: 'rejected', reason: '重复' });

    await tapAction(page, '开始办理');
    await waitFor(() => actions(page).includes('办结'), 'moved with the fresh rev');
    expect(lastRequest(backend, 'proposals.move')).toEqual({ proposalId: 'p-1', rev: 'rev-3', to: 'in_progress' });
    page.unmount();
  });

  it('lets an admin see who proposed an anonymous proposal, with a reason, saying the look is recorded', async () => {
    signIn();
    const proposal = served({ anonymous: true, authorName: null, unitNames: [], can: { ...HANDLER, moveTo: NEXT_MOVES.submitted, reveal: true } });
    const { page, backend } = await openHandle({
      ...proposal.handlers,
      'proposals.reveal': () => ok({ memberId: 'm8', name: '赵八', number: '2023008', unitNames: ['计算机学院'] }),
    });
    expect(page.text()).toContain('提案人：匿名');

    await tapAction(page, '查看提案人');
    await shown(page, '.reveal-dialog', '查看提案人身份会被记录（查看人、时间和原因）');
    await page.tap(textIn(page, '.reveal-dialog', '记录并查看'));
    await waitFor(() => page.queryByText('请填写查看原因'), 'the reason asked for');
    expect(backend.callsOf('proposals.reveal')).toHaveLength(0);

    await trigger(page, '.reveal-reason', 'change', '内容涉及人身安全，需要联系提案人');
    await page.tap(textIn(page, '.reveal-dialog', '记录并查看'));
    await shown(page, '.revealed-dialog', '姓名：赵八');
    expect(lastRequest(backend, 'proposals.reveal')).toEqual({ proposalId: 'p-1', reason: '内容涉及人身安全，需要联系提案人' });
    expect(page.root.querySelector('.revealed-dialog')!.dom.textContent).toContain('学号/工号：2023008');
    await backend.idle();
    // Read again: the reveal is in the history now.
    expect(backend.callsOf('proposals.get')).toHaveLength(2);
    page.unmount();
  });

  it('offers no reveal on a named proposal, nor to a handler who is not an admin', async () => {
    signIn(['member']);
    const named = await openHandle(served({ can: { ...HANDLER, moveTo: NEXT_MOVES.submitted, reveal: true } }).handlers);
    expect(actions(named.page)).not.toContain('查看提案人');
    named.page.unmount();

    // The fixture's units are still filled: none of them may show on an anonymous proposal.
    const anonymous = await openHandle(served({ anonymous: true, authorName: null, unitNames: ['计算机学院'], can: { ...HANDLER, moveTo: NEXT_MOVES.submitted } }).handlers);
    expect(textOf(anonymous.page, '.author')).toBe('提案人：匿名');
    expect(actions(anonymous.page)).not.toContain('查看提案人');
    anonymous.page.unmount();
  });

  it('says a duplicate went elsewhere without a link when the handler may not see that proposal', async () => {
    signIn(['member']);
    const { page } = await openHandle(served({ status: 'merged', mergedInto: { id: '', title: '', visible: false }, can: { ...HANDLER } }).handlers);
    expect(textOf(page, '.merged-into')).toBe('已并入其他提案');
    await page.tap(page.root.querySelector('.merged-into')!.dom);
    expect(navigations()).toEqual([]);
    page.unmount();
  });

  it('ignores a tap carrying an action it does not know', async () => {
    signIn();
    const { page, backend } = await openHandle(served().handlers);
    const button = page.root.querySelector('.action-accept')!;
    (button.dom as unknown as { dataset: Record<string, string> }).dataset.key = 'delete';
    await page.tap(button.dom);
    await backend.idle();
    expect(backend.callsOf('proposals.move')).toHaveLength(0);
    page.unmount();
  });

  it('says a proposal it cannot see is not there', async () => {
    signIn(['member']);
    installBackend({ 'proposals.get': () => fail('PROPOSAL_NOT_FOUND') });
    const page = renderPage(HANDLE, { query: { id: 'p-x' } });
    await waitFor(() => page.queryByText('该提案不存在或你无权查看'), 'the empty state');
    expect(exists(page, '.actions')).toBe(false);
    page.unmount();
  });
});

describe('提案类别', () => {
  const twenty = Array.from({ length: 20 }, (_, i) => ({ id: `h${i}`, name: `处理人${i}` }));

  function served() {
    let items = [
      category({ id: 'cat-1', name: '后勤服务', handlers: [{ id: 'm2', name: '王二' }] }),
      category({ id: 'cat-2', name: '教学教务', description: '', active: false, handlers: [], rev: 'c2-rev-1' }),
    ];
    const handlers: Handlers = {
      'categories.list': () => ok({ items, handles: true }),
      'categories.save': (request) => {
        if (items.some((one) => one.name === request.details.name && one.id !== request.categoryId)) return fail('CATEGORY_NAME_TAKEN');
        const found = items.find((one) => one.id === request.categoryId);
        if (request.categoryId && found?.rev !== request.rev) return fail('CATEGORY_STALE');
        const saved = {
          id: request.categoryId ?? `cat-${items.length + 1}`,
          name: request.details.name,
          description: request.details.description,
          active: request.details.active,
          handlers: request.details.handlerIds.map((id) => ({ id, name: id === 'm1' ? '林一' : id })),
          rev: `${request.categoryId ?? 'new'}-rev-${Date.now()}`,
        };
        items = found ? items.map((one) => (one.id === saved.id ? saved : one)) : [...items, saved];
        return ok(saved);
      },
      'members.search': () => pageOf([card({ id: 'm1', name: '林一' }), card({ id: 'm5', name: '林五', number: '2023005' })]),
    };
    return {
      handlers,
      /** Another admin saves a category meanwhile. */
      elsewhere(id: string, change: Partial<(typeof items)[number]>) {
        items = items.map((one) => (one.id === id ? { ...one, ...change, rev: `${id}-elsewhere` } : one));
      },
      get: (id: string) => items.find((one) => one.id === id),
    };
  }

  async function openCategories(handlers: Handlers) {
    const backend = installBackend(handlers);
    const page = renderPage(CATEGORIES);
    await waitFor(() => page.queryByText('后勤服务'), 'the categories');
    return { page, backend };
  }

  const saves = (backend: FakeBackend) => backend.callsOf('categories.save').map((call) => call.request);

  it('lists the categories with their handlers', async () => {
    signIn();
    const { page } = await openCategories(served().handlers);
    expect(rowTexts(page, '.category')).toEqual(['后勤服务食堂、宿舍、水电等处理人：王二', '教学教务已停用未指定处理人（由管理员办理）']);
    page.unmount();
  });

  it('adds a category with handlers from the roster, refusing an empty or long name before sending', async () => {
    signIn();
    const { page, backend } = await openCategories(served().handlers);

    await page.tap('新建类别');
    await shown(page, '.form-popup', '新建类别');
    expect(attributeOf(page, '.field-name', 'maxlength')).toBe(20);
    expect(attributeOf(page, '.field-description', 'maxlength')).toBe(60);
    await page.tap(textIn(page, '.form-popup .sheet__foot', '新建类别'));
    await waitFor(() => page.queryByText('请填写类别名称'), 'the name asked for');
    await trigger(page, '.field-name', 'change', '好'.repeat(21));
    await page.tap(textIn(page, '.form-popup .sheet__foot', '新建类别'));
    await waitFor(() => page.queryByText('类别名称不超过 20 个字'), 'the long name refused');
    expect(saves(backend)).toHaveLength(0);

    await trigger(page, '.field-name', 'change', ' 校园安全 ');
    await trigger(page, '.field-description', 'change', '门禁、消防、交通');
    await trigger(page, '.handler-search', 'search', '林');
    await waitFor(() => rowTexts(page, '.person-result').length === 2, 'the roster results');
    expect(backend.callsOf('members.search')[0].request).toEqual({ query: '林', status: 'active' });
    await tapCell(page, '.person-result', 0);
    await waitFor(() => rowTexts(page, '.handler-chip').length === 1, 'the handler chosen');
    await tapCell(page, '.toggle-active');
    await page.tap(textIn(page, '.form-popup .sheet__foot', '新建类别'));
    await waitFor(() => page.queryByText('已新建「校园安全」') && rowTexts(page, '.category').length === 3, 'saved and listed');
    expect(saves(backend)).toEqual([{ details: { name: '校园安全', description: '门禁、消防、交通', active: false, handlerIds: ['m1'] } }]);
    expect(rowTexts(page, '.category')[2]).toBe('校园安全已停用门禁、消防、交通处理人：林一');
    page.unmount();
  });

  it('edits with the rev it read, stops at 20 handlers, and says a taken name on its field', async () => {
    signIn();
    const categories = served();
    categories.elsewhere('cat-1', { handlers: twenty });
    const { page, backend } = await openCategories(categories.handlers);

    await tapCell(page, '.category', 0);
    await shown(page, '.form-popup', '编辑类别');
    await trigger(page, '.handler-search', 'search', '林');
    await waitFor(() => rowTexts(page, '.person-result').length === 2, 'the roster results');
    await tapCell(page, '.person-result', 0);
    await waitFor(() => page.queryByText('处理人最多 20 人'), 'the limit');
    expect(rowTexts(page, '.handler-chip')).toHaveLength(20);
    await page.tap(page.root.querySelectorAll('.handler-chip .remove')[0].dom);
    await tapCell(page, '.person-result', 0);
    await waitFor(() => rowTexts(page, '.handler-chip').at(-1) === '林一', 'the handler swapped');

    await trigger(page, '.field-name', 'change', '教学教务');
    await page.tap(textIn(page, '.form-popup .sheet__foot', '保存'));
    await waitFor(() => page.queryByText('已有同名的提案类别'), 'the taken name');
    expect(saves(backend)[0]).toMatchObject({ categoryId: 'cat-1', rev: 'cat-1-elsewhere', details: { name: '教学教务' } });
    expect((saves(backend)[0].details as { handlerIds: string[] }).handlerIds).toEqual([...twenty.slice(1).map((h) => h.id), 'm1']);

    await trigger(page, '.field-name', 'change', '后勤保障');
    await page.tap(textIn(page, '.form-popup .sheet__foot', '保存'));
    await waitFor(() => page.queryByText('已保存「后勤保障」'), 'saved');
    expect(categories.get('cat-1')?.name).toBe('后勤保障');
    page.unmount();
  });

  it('reads the category again when another admin saved it first, and saves with the new rev', async () => {
    signIn();
    const categories = served();
    const { page, backend } = await openCategories(categories.handlers);

    await tapCell(page, '.category', 0);
    await shown(page, '.form-popup', '编辑类别');
    categories.elsewhere('cat-1', { description: '食堂和宿舍' });
    await trigger(page, '.field-name', 'change', '后勤');
    await page.tap(textIn(page, '.form-popup .sheet__foot', '保存'));
    await waitFor(() => page.queryByText('该类别刚被他人修改，已重新加载最新信息，请核对后再保存'), 'the stale message');
    expect(attributeOf(page, '.field-description', 'value')).toBe('食堂和宿舍');
    expect(attributeOf(page, '.field-name', 'value')).toBe('后勤服务');

    await page.tap(textIn(page, '.form-popup .sheet__foot', '保存'));
    await waitFor(() => page.queryByText('已保存「后勤服务」'), 'saved');
    expect(saves(backend).map((save) => save.rev)).toEqual(['c-rev-1', 'cat-1-elsewhere']);
    page.unmount();
  });

  it('is for admins only', async () => {
    signIn(['member']);
    const backend = installBackend({});
    const page = renderPage(CATEGORIES);
    await waitFor(() => page.queryByText('仅管理员可用'), 'the refusal');
    expect(backend.calls).toEqual([]);
    page.unmount();
  });
});

describe('匿名查看记录', () => {
  const record = (i: number) => ({ id: `r${i}`, proposalId: `p-${i}`, proposalTitle: `提案 ${i}`, by: '王老师', at: '2024-03-01 09:30', reason: `原因 ${i}` });

  it('lists who looked, when and why, a page at a time, and opens the proposal', async () => {
    signIn();
    const backend = installBackend({
      'proposals.reveals': (request) => (request.after ? pageOf([record(20)]) : pageOf(Array.from({ length: 20 }, (_, i) => record(i)), 'c1')),
    });
    const page = renderPage(REVEALS);
    await waitFor(() => page.queryByText('提案 0'), 'the records');
    expect(rowTexts(page, '.reveal')[0]).toBe('提案 0王老师 · 2024-03-01原因：原因 0');

    await runHook(page, 'onReachBottom');
    await waitFor(() => rowTexts(page, '.reveal').length === 21, 'the next page');
    expect(backend.callsOf('proposals.reveals').map((call) => call.request)).toEqual([{}, { after: 'c1' }]);

    await tapCell(page, '.reveal', 20);
    expect(navigations()).toEqual(['/packages/admin/pages/proposal-handle/index?id=p-20']);
    page.unmount();
  });

  it('is for admins only', async () => {
    signIn(['member']);
    installBackend({ 'proposals.reveals': () => fail('FORBIDDEN') });
    const page = renderPage(REVEALS);
    await waitFor(() => page.queryByText('仅管理员可用'), 'the refusal');
    page.unmount();
  });
});

describe('a desk of 500 proposals', () => {
  it('sends one page per setData and keeps a window of rows on screen, every row reachable', async () => {
    signIn();
    const ALL = 500;
    const PAGE = 20;
    const all = proposalCards(ALL, 0, { excerpt: '建'.repeat(80), assignee: { id: 'm2', name: '王二' } });
    const sizes: number[] = [];
    const stop = watchSetData((patch) => sizes.push(Buffer.byteLength(JSON.stringify(patch))));
    const backend = installBackend({
      'categories.list': () => ok({ items: categories, handles: true }),
      'proposals.dashboard': () => ok(dashboard(ALL)),
      'proposals.handling': (request) => {
        const start = Number(request.after ?? 0);
        return pageOf(all.slice(start, start + PAGE), start + PAGE < ALL ? String(start + PAGE) : null);
      },
    });
    const page = renderPage(DESK);
    const rows = () => rowTexts(page, '.proposal');
    await waitFor(() => rows().length === PAGE, 'the first page');
    while (rows().length < PROPOSALS_CAP) {
      const count = rows().length;
      await runHook(page, 'onReachBottom');
      await waitFor(() => rows().length > count, 'the next page');
    }
    // A full window loads nothing more at the bottom: the bar offers the next one.
    await runHook(page, 'onReachBottom');
    await backend.idle();
    stop();
    expect(rows()).toHaveLength(PROPOSALS_CAP);
    expect(page.text()).toContain(`已显示第 1–${PROPOSALS_CAP} 条，可按状态或类别筛选`);
    expect(Math.max(...sizes)).toBeLessThan(32 * 1024);
    expect(backend.callsOf('proposals.handling')).toHaveLength(Math.ceil(PROPOSALS_CAP / PAGE));

    await page.tap(`显示后 ${PROPOSALS_CAP} 条`);
    await waitFor(() => rows()[0]?.startsWith(`提案 ${PROPOSALS_CAP}`), 'the second window');
    expect(page.text()).toContain(`从第 ${PROPOSALS_CAP + 1} 条起`);
    // The next window starts inside the server page that held its first row.
    expect(backend.callsOf('proposals.handling').at(-1)?.request).toEqual({ after: String(Math.floor(PROPOSALS_CAP / PAGE) * PAGE) });
    page.unmount();
  });
});
