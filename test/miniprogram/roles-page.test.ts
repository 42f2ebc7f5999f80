/**
 * @jest-environment jsdom
 */
import type { AccountConflictView, AccountSummary, RoleChangeView } from '../../typings';
import { renderPage, waitFor, type RenderedPage } from '../helpers/simulate';
import { fail, installBackend, installStorage, ok, summary, type FakeBackend, type Handlers } from './fake-backend';
import { pathPieces, textIn, trigger } from './page-helpers';
import './simulate-polyfills';

const ROLES = 'packages/admin/pages/roles/index';

const zhang = summary({ id: 'u-zhang', nickname: 'zz', memberName: '张三', roles: ['member', 'admin'] });
const li = summary({ id: 'u-li', nickname: '李四', roles: ['member', 'publisher'] });
const wang = summary({ id: 'u-wang', memberName: '王五', roles: ['member'] });

const page1 = (items: AccountSummary[], next: string | null = null) => ok({ items, next });

async function open(handlers: Handlers, firstName = '张三'): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend(handlers);
  const page = renderPage(ROLES);
  await waitFor(() => page.queryByText(firstName), firstName);
  return { page, backend };
}

beforeEach(() => {
  installStorage();
});

afterEach(() => jest.restoreAllMocks());

describe('role holders', () => {
  it('lists holders with their granted roles, and loads the next page with `next`', async () => {
    const { page, backend } = await open({
      'roles.list': (request) => (request.after === 'p2' ? page1([li]) : page1([zhang], 'p2')),
    });

    expect(page.text()).toContain('花名册：张三');
    expect(page.text()).not.toContain('李四');
    expect(backend.callsOf('roles.list')[0].request).toEqual({});

    await page.tap('加载更多');

    await waitFor(() => page.queryByText('李四'), 'the second page');
    expect(page.getByText('张三')).toBeTruthy();
    expect(backend.callsOf('roles.list').map((c) => c.request)).toEqual([{}, { after: 'p2' }]);
    expect(page.queryByText('加载更多')).toBeNull();
    page.unmount();
  });

  it('lists the holders of one role when its filter tab is tapped', async () => {
    const { page, backend } = await open({
      'roles.list': (request) => (request.role === 'publisher' ? page1([li]) : page1([zhang])),
    });

    await page.tap('发布者');

    await waitFor(() => page.queryByText('李四'), 'the publishers');
    expect(page.queryByText('张三')).toBeNull();
    expect(backend.callsOf('roles.list').map((c) => c.request)).toEqual([{}, { role: 'publisher' }]);
    page.unmount();
  });

  it('shows 仅管理员可用 to a caller who is not an admin', async () => {
    const backend = installBackend({ 'roles.list': () => fail('FORBIDDEN') });

    const page = renderPage(ROLES);

    await waitFor(() => page.queryByText('仅管理员可用'), 'the refusal');
    expect(page.queryByText('加载更多')).toBeNull();
    expect(page.text()).not.toContain('变更记录');
    expect(backend.calls).toHaveLength(1);
    page.unmount();
  });

  it('shows the error with a retry button when the list cannot load', async () => {
    let attempts = 0;
    const backend = installBackend({ 'roles.list': () => (++attempts === 1 ? fail('NETWORK_ERROR', 'x') : page1([zhang])) });
    const page = renderPage(ROLES);
    await waitFor(() => page.queryByText('网络异常，请稍后重试'), 'the error');

    await page.tap('重试');

    await waitFor(() => page.queryByText('张三'), 'the list');
    expect(backend.callsOf('roles.list')).toHaveLength(2);
    page.unmount();
  });
});

describe('granting a role', () => {
  it('searches accounts, offers the roles in an action sheet and grants the chosen one', async () => {
    let granted = false;
    const { page, backend } = await open({
      'roles.list': () => page1(granted ? [zhang, { ...wang, roles: ['member', 'publisher'] }] : [zhang]),
      'accounts.search': () => ok({ items: [wang] }),
      'roles.grant': (request) => {
        granted = true;
        return ok({ ...wang, roles: ['member', request.role as 'publisher'] });
      },
    });

    await trigger(page, '.search', 'change', '王');
    await trigger(page, '.search', 'search', '王');
    await waitFor(() => page.queryByText('王五'), 'the search result');
    expect(backend.callsOf('accounts.search').map((c) => c.request)).toEqual([{ query: '王' }]);

    await page.tap('王五');
    await waitFor(() => page.queryByText('授予发布者'), 'the action sheet');
    expect(page.getByText('授予管理员')).toBeTruthy();
    expect(page.getByText('授予观察员')).toBeTruthy();

    await page.tap(textIn(page, '.role-sheet', '授予发布者'));

    await waitFor(() => page.queryByText('已授予「王五」发布者角色'), 'the confirmation');
    expect(backend.callsOf('roles.grant').map((c) => c.request)).toEqual([{ userId: 'u-wang', role: 'publisher' }]);
    await waitFor(() => backend.callsOf('roles.list').length === 2, 'the list reloading');
    page.unmount();
  });

  it('tells two people of one name apart by their 学号/工号 and units, each unit name kept whole', async () => {
    const wangA = summary({ id: 'u-wa', memberName: '王伟', memberNumber: '2023001', unitPath: '计算机学院/软件工程2301班；学生会', roles: ['member'] });
    const wangB = summary({ id: 'u-wb', memberName: '王伟', memberNumber: 'T0042', unitPath: '外国语学院', roles: ['member'] });
    const { page } = await open({ 'roles.list': () => page1([zhang]), 'accounts.search': () => ok({ items: [wangA, wangB] }) });

    await trigger(page, '.search', 'search', '王伟');

    await waitFor(() => page.queryByText('花名册：王伟 · T0042'), 'the second 王伟');
    expect(page.getByText('花名册：王伟 · 2023001')).toBeTruthy();
    expect(pathPieces(page)).toEqual(['计算机学院 /', '软件工程2301班；', '学生会', '外国语学院']);
    page.unmount();
  });

  it('says so when the search finds nobody', async () => {
    const { page } = await open({ 'roles.list': () => page1([zhang]), 'accounts.search': () => ok({ items: [] }) });

    await trigger(page, '.search', 'search', '赵');

    await waitFor(() => page.queryByText('没有找到匹配的账号'), 'the empty result');
    page.unmount();
  });
});

describe('revoking a role', () => {
  async function revokeAdminOfZhang(handlers: Handlers) {
    const opened = await open({ 'roles.list': () => page1([zhang]), ...handlers });
    const { page } = opened;
    await page.tap('张三');
    await waitFor(() => page.queryByText('撤销管理员'), 'the action sheet');
    expect(page.getByText('授予发布者')).toBeTruthy();
    await page.tap(textIn(page, '.role-sheet', '撤销管理员'));
    await waitFor(() => page.queryByText('确定撤销「张三」的管理员角色吗？'), 'the confirmation dialog');
    return opened;
  }

  it('asks for confirmation, and shows 至少保留一位管理员 when the backend answers LAST_ADMIN', async () => {
    const { page, backend } = await revokeAdminOfZhang({ 'roles.revoke': () => fail('LAST_ADMIN', 'last admin') });
    expect(backend.callsOf('roles.revoke')).toHaveLength(0);

    await page.tap(textIn(page, '.revoke-dialog', '撤销'));

    await waitFor(() => page.queryByText('至少保留一位管理员'), 'the LAST_ADMIN message');
    expect(backend.callsOf('roles.revoke').map((c) => c.request)).toEqual([{ userId: 'u-zhang', role: 'admin' }]);
    expect(backend.callsOf('roles.list')).toHaveLength(1);
    page.unmount();
  });

  it('revokes on confirmation and reloads the holders', async () => {
    const { page, backend } = await revokeAdminOfZhang({ 'roles.revoke': () => ok({ ...zhang, roles: ['member'] }) });

    await page.tap(textIn(page, '.revoke-dialog', '撤销'));

    await waitFor(() => page.queryByText('已撤销「张三」的管理员角色'), 'the confirmation');
    await waitFor(() => backend.callsOf('roles.list').length === 2, 'the list reloading');
    page.unmount();
  });

  it('does nothing when the confirmation is cancelled', async () => {
    const { page, backend } = await revokeAdminOfZhang({});

    await page.tap(textIn(page, '.revoke-dialog', '取消'));

    await backend.idle();
    expect(page.text()).not.toContain('已撤销');
    expect(backend.callsOf('roles.revoke')).toHaveLength(0);
    page.unmount();
  });
});

describe('history and conflicts', () => {
  const change: RoleChangeView = {
    id: 'c1',
    change: 'grant',
    role: 'publisher',
    target: { id: 'u-li', name: '李四' },
    actor: { id: 'u-zhang', name: '张三' },
    source: 'admin',
    at: '2024-03-01 09:30',
  };
  const conflict: AccountConflictView = {
    id: 'k1',
    code: 'ACCOUNT_CONFLICT',
    status: 'open',
    appid: 'wx-demo-appid',
    openidAccount: summary({ id: 'u-old', nickname: '旧账号' }),
    unionidAccount: summary({ id: 'u-new', memberName: '赵六' }),
    at: '2024-03-02 10:00',
    resolvedAt: null,
    resolution: null,
    note: null,
  };

  it('shows the role changes, newest first as the backend sends them', async () => {
    const { page, backend } = await open({
      'roles.list': () => page1([zhang]),
      'roles.history': () => ok({ items: [change], next: null }),
    });

    await page.tap('变更记录');

    await waitFor(() => page.text().includes('授予「李四」发布者'), 'the history');
    expect(page.text()).toContain('2024-03-01 09:30 · 操作人：张三');
    expect(backend.callsOf('roles.history').map((c) => c.request)).toEqual([{}]);
    page.unmount();
  });

  it('lists account conflicts and merges one with a note', async () => {
    const { page, backend } = await open({
      'roles.list': () => page1([zhang]),
      'conflicts.list': () => ok({ items: [conflict], next: null }),
      'conflicts.resolve': (request) =>
        ok({
          ...conflict,
          status: 'resolved',
          resolvedAt: '2024-03-03 08:00',
          resolution: request.decision === 'merge' ? 'merged' : 'dismissed',
          note: (request.note as string) ?? null,
        }),
    });

    await page.tap('账号冲突');
    await waitFor(() => page.queryByText('待处理'), 'the conflict');
    expect(page.text()).toContain('原账号：旧账号');
    expect(page.text()).toContain('现登录账号：赵六');
    expect(backend.callsOf('conflicts.list').map((c) => c.request)).toEqual([{}]);

    await page.tap('合并账号');
    await waitFor(() => page.text().includes('并入现登录账号'), 'the merge dialog');
    await trigger(page, '.resolve-note', 'change', '已与本人确认');
    await page.tap(textIn(page, '.resolve-dialog', '确认'));

    await waitFor(() => page.queryByText('已处理'), 'the resolved conflict');
    expect(backend.callsOf('conflicts.resolve').map((c) => c.request)).toEqual([{ id: 'k1', decision: 'merge', note: '已与本人确认' }]);
    expect(page.text()).toContain('已合并，处理于 2024-03-03 08:00：已与本人确认');
    expect(page.queryByText('待处理')).toBeNull();
    page.unmount();
  });
});
