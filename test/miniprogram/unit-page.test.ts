/**
 * @jest-environment jsdom
 */
import { FIELD_LIMITS } from '../../typings/limits';
import type { MemberCard, UnitView } from '../../typings';
import { renderPage, requireBuilt, waitFor, wx, type RenderedPage } from '../helpers/simulate';
import { account, fail, installBackend, installStorage, storedSession, type FakeBackend, type Handler, type Handlers } from './fake-backend';
import { card, pageOf, rowTexts, runHook, settled, unit } from './org-fixtures';
import { attributeOf, holdPauses, trigger } from './page-helpers';

const UNIT = 'pages/unit/index';
const query = { id: 'unit-1', name: encodeURIComponent('软件工程 2301 班') };

const lin = card({ id: 'm1', name: '林一', number: '2023001', title: '班长' });
const wang = card({ id: 'm2', name: '王二', number: '2023002', bound: false });
const zhao = card({ id: 'm3', name: '赵三', number: '2023003' });
const linEr = card({ id: 'm4', name: '林二', number: '2023004' });

/** Opens the unit page; a class has no sub-units unless the test says otherwise. */
async function open(handlers: Handlers, first: string, pageQuery: Record<string, string> = query): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend({ 'units.children': () => pageOf([]), ...handlers });
  const page = renderPage(UNIT, { query: pageQuery });
  await waitFor(() => page.queryByText(first), first);
  return { page, backend };
}

function byQuery(lists: Record<string, MemberCard[]>): Handler<'directory.unitMembers'> {
  return (request) => pageOf(lists[(request.query as string | undefined) ?? ''] ?? []);
}

beforeEach(() => {
  installStorage();
  jest.spyOn(wx as unknown as { setNavigationBarTitle(o: { title: string }): void }, 'setNavigationBarTitle').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('unit page', () => {
  it("lists the unit's members with number, title and a 未绑定 tag, titled with the unit's name", async () => {
    const { page, backend } = await open({ 'directory.unitMembers': () => pageOf([lin, wang]) }, '林一');

    const text = page.text();
    expect(text).toContain('2023001 · 班长');
    expect(page.getByText('王二')).toBeTruthy();
    expect(text).toContain('2023002');
    expect(rowTexts(page, '.member')).toEqual(['林一2023001 · 班长', '王二2023002未绑定']);
    expect(backend.calls.map((c) => [c.name, c.action, c.request])).toEqual([
      ['org', 'directory.unitMembers', { unitId: 'unit-1' }],
      ['org', 'units.children', { parentId: 'unit-1' }],
    ]);
    expect(page.text()).not.toContain('下级单位');
    expect((wx as unknown as { setNavigationBarTitle: jest.Mock }).setNavigationBarTitle).toHaveBeenCalledWith({ title: '软件工程 2301 班' });
    page.unmount();
  });

  it('searches after typing pauses, sending the query and replacing the list', async () => {
    const { page, backend } = await open({ 'directory.unitMembers': byQuery({ '': [lin, wang, zhao], 林: [lin, linEr] }) }, '赵三');

    await trigger(page, '.search', 'change', '林');
    expect(backend.callsOf('directory.unitMembers')).toHaveLength(1);

    await waitFor(() => page.queryByText('林二'), 'the search result');
    expect(backend.callsOf('directory.unitMembers').map((c) => c.request)).toEqual([{ unitId: 'unit-1' }, { unitId: 'unit-1', query: '林' }]);
    expect(page.queryByText('赵三')).toBeNull();
    expect(page.queryByText('王二')).toBeNull();
    page.unmount();
  });

  it('sends one search for a burst of typing, and searches at once on confirm', async () => {
    const { page, backend } = await open({ 'directory.unitMembers': byQuery({ '': [lin], 林: [lin], 林一: [lin] }) }, '林一');
    const pauses = holdPauses(requireBuilt<{ SEARCH_PAUSE_MS: number }>('common/latest').SEARCH_PAUSE_MS);

    await trigger(page, '.search', 'change', '林');
    await trigger(page, '.search', 'change', '林一');
    expect(pauses.pending()).toBe(1);
    await trigger(page, '.search', 'search', '林一');
    expect(pauses.pending()).toBe(0);

    // Whatever pause the page still kept would run now, as if typing had long stopped.
    pauses.runPending();
    await settled(page, backend);
    expect(backend.callsOf('directory.unitMembers').map((c) => c.request.query)).toEqual([undefined, '林一']);
    page.unmount();
  });

  it('drops the reply of an earlier search that answers after a newer one', async () => {
    const { page, backend } = await open({ 'directory.unitMembers': byQuery({ '': [lin, wang], 林: [lin, linEr], 王: [wang] }) }, '林一');
    backend.delay((call) => (call.request.query === '林' ? 150 : 0));

    await trigger(page, '.search', 'change', '林');
    await waitFor(() => backend.callsOf('directory.unitMembers').length === 2, 'the slow search to go out');
    await trigger(page, '.search', 'search', '王');

    await waitFor(() => page.queryByText('林一') === null, 'the newer result');
    expect(await settled(page, backend)).not.toContain('林二');
    expect(page.getByText('王二')).toBeTruthy();
    expect(page.queryByText('林一')).toBeNull();
    expect(backend.callsOf('directory.unitMembers').map((c) => c.request.query)).toEqual([undefined, '林', '王']);
    page.unmount();
  });

  it('appends the next page with `after` when the bottom is reached, once, and stops at the last page', async () => {
    const { page, backend } = await open(
      { 'directory.unitMembers': (request) => (request.after === 'p2' ? pageOf([zhao]) : pageOf([lin, wang], 'p2')) },
      '林一',
    );
    backend.hold();

    await runHook(page, 'onReachBottom');
    await runHook(page, 'onReachBottom');
    backend.release();

    await waitFor(() => page.queryByText('赵三'), 'the second page');
    expect(page.getByText('林一')).toBeTruthy();
    expect(backend.callsOf('directory.unitMembers').map((c) => c.request)).toEqual([{ unitId: 'unit-1' }, { unitId: 'unit-1', after: 'p2' }]);
    expect(page.getByText('没有更多了')).toBeTruthy();

    await runHook(page, 'onReachBottom');
    await settled(page, backend);
    expect(backend.callsOf('directory.unitMembers')).toHaveLength(2);
    page.unmount();
  });

  it('pages through search results with the query and `after`', async () => {
    const { page, backend } = await open(
      {
        'directory.unitMembers': (request) =>
          request.query ? (request.after ? pageOf([linEr]) : pageOf([lin], 'q2')) : pageOf([lin, wang, zhao], 'p2'),
      },
      '赵三',
    );

    await trigger(page, '.search', 'search', '林');
    await waitFor(() => page.queryByText('赵三') === null, 'the search result');
    await runHook(page, 'onReachBottom');

    await waitFor(() => page.queryByText('林二'), 'the second page of the search');
    expect(backend.callsOf('directory.unitMembers').map((c) => c.request)).toEqual([
      { unitId: 'unit-1' },
      { unitId: 'unit-1', query: '林' },
      { unitId: 'unit-1', query: '林', after: 'q2' },
    ]);
    page.unmount();
  });

  it('says when the unit has no members, and when a search finds nobody', async () => {
    const { page } = await open({ 'directory.unitMembers': () => pageOf([]) }, '该单位暂无成员');

    await trigger(page, '.search', 'search', '周');

    await waitFor(() => page.queryByText('没有找到匹配的成员'), 'the empty search');
    page.unmount();
  });

  it('opens the member page when a member is tapped', async () => {
    const navigateTo = jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
    const { page } = await open({ 'directory.unitMembers': () => pageOf([lin, wang]) }, '王二');

    await page.tap('王二');

    await waitFor(() => navigateTo.mock.calls.length > 0, 'a navigation');
    expect(navigateTo.mock.calls[0][0]).toMatchObject({ url: '/pages/member/index?id=m2' });
    page.unmount();
  });

  it('tells a person without access who may see the unit', async () => {
    const { page } = await open({ 'directory.unitMembers': () => fail('FORBIDDEN') }, '仅本单位成员、上级单位成员、关注人和管理员可查看');
    expect(page.queryByText('没有更多了')).toBeNull();
    page.unmount();
  });

  it('limits the search box to FIELD_LIMITS.searchQuery characters and sends at most that many', async () => {
    const MAX = FIELD_LIMITS.searchQuery;
    const { page, backend } = await open({ 'directory.unitMembers': () => pageOf([lin]) }, '林一');
    expect(String(attributeOf(page, '.search', 'maxlength'))).toBe(String(MAX));

    await trigger(page, '.search', 'search', '2'.repeat(MAX + 18));

    await waitFor(() => backend.callsOf('directory.unitMembers').length === 2, 'the search');
    expect(backend.callsOf('directory.unitMembers')[1].request).toEqual({ unitId: 'unit-1', query: '2'.repeat(MAX) });
    page.unmount();
  });

  it('reads the members again when the page shows again', async () => {
    let members = [lin];
    const { page, backend } = await open({ 'directory.unitMembers': () => pageOf(members) }, '林一');
    members = [lin, wang];

    await runHook(page, 'onShow');

    await waitFor(() => page.queryByText('王二'), 'the fresh list');
    expect(backend.callsOf('directory.unitMembers')).toHaveLength(2);
    page.unmount();
  });
});

describe('unit page, sub-units', () => {
  const collegeQuery = { id: 'college-1', name: encodeURIComponent('计算机学院') };
  const classA = unit({ id: 'class-a', name: '软件工程 2301 班', parentId: 'college-1', memberCount: 32 });
  const classB = unit({ id: 'class-b', name: '软件工程 2302 班', parentId: 'college-1', memberCount: 30, childCount: 2 });
  const classC = unit({ id: 'class-c', name: '网络工程 2301 班', parentId: 'college-1', memberCount: 28 });

  function children(pages: Record<string, { items: UnitView[]; next: string | null }>): Handler<'units.children'> {
    return (request) => {
      const found = pages[(request.after as string | undefined) ?? ''];
      return pageOf(found.items, found.next);
    };
  }

  it('lists the sub-units with their member counts above the members, and opens the unit page of one tapped', async () => {
    const navigateTo = jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
    const { page, backend } = await open(
      { 'directory.unitMembers': () => pageOf([zhao]), 'units.children': () => pageOf([classA, classB]) },
      '软件工程 2302 班',
      collegeQuery,
    );

    expect(page.text()).toContain('下级单位');
    expect(rowTexts(page, '.sub-unit')).toEqual(['软件工程 2301 班班级32 人', '软件工程 2302 班班级30 人 · 2 个下级']);
    expect(page.text().indexOf('软件工程 2302 班')).toBeLessThan(page.text().indexOf('赵三'));
    expect(backend.callsOf('units.children').map((c) => c.request)).toEqual([{ parentId: 'college-1' }]);

    await page.tap('软件工程 2302 班');

    await waitFor(() => navigateTo.mock.calls.length > 0, 'a navigation');
    expect(navigateTo.mock.calls[0][0]).toMatchObject({ url: `/pages/unit/index?id=class-b&name=${encodeURIComponent('软件工程 2302 班')}` });
    page.unmount();
  });

  it('hides the section when the sub-units are not open to the caller', async () => {
    const { page, backend } = await open(
      { 'directory.unitMembers': () => pageOf([zhao]), 'units.children': () => fail('FORBIDDEN') },
      '赵三',
      collegeQuery,
    );

    expect(await settled(page, backend)).not.toContain('下级单位');
    expect(page.text()).not.toContain('你没有权限');
    expect(page.getByText('赵三')).toBeTruthy();
    page.unmount();
  });

  it('loads further sub-units with `after` from 更多下级单位', async () => {
    const { page, backend } = await open(
      {
        'directory.unitMembers': () => pageOf([zhao]),
        'units.children': children({ '': { items: [classA, classB], next: 'c2' }, c2: { items: [classC], next: null } }),
      },
      '软件工程 2302 班',
      collegeQuery,
    );

    await page.tap('更多下级单位');

    await waitFor(() => page.queryByText('网络工程 2301 班'), 'the next page of sub-units');
    expect(rowTexts(page, '.sub-unit')).toHaveLength(3);
    expect(page.queryByText('更多下级单位')).toBeNull();
    expect(backend.callsOf('units.children').map((c) => c.request)).toEqual([{ parentId: 'college-1' }, { parentId: 'college-1', after: 'c2' }]);
    page.unmount();
  });

  it('reads the sub-units again when the page shows again', async () => {
    let items = [classA];
    const { page } = await open(
      { 'directory.unitMembers': () => pageOf([zhao]), 'units.children': () => pageOf(items) },
      '软件工程 2301 班',
      collegeQuery,
    );
    items = [classA, classC];

    await runHook(page, 'onShow');

    await waitFor(() => page.queryByText('网络工程 2301 班'), 'the new sub-unit');
    page.unmount();
  });
});

describe('unit page, 长期未读', () => {
  const member = (observes: string[]) => ({ id: 'm9', name: '周老师', number: 'T001', kind: 'staff' as const, unitNames: [], active: true, observes });
  const as = (value: ReturnType<typeof account>) => installStorage(storedSession(value, Date.now()));
  const collegeQuery = { id: 'college-1', name: encodeURIComponent('计算机学院') };

  it('offers it to an admin, and opens the page for this unit', async () => {
    as(account({ roles: ['member', 'admin'] }));
    const navigateTo = jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
    const { page } = await open({ 'directory.unitMembers': () => pageOf([lin]) }, '林一');

    expect(page.text()).toContain('最近有截止时间的通知都未按时阅读的成员');
    await page.tap('长期未读');

    await waitFor(() => navigateTo.mock.calls.length > 0, 'a navigation');
    expect(navigateTo.mock.calls[0][0]).toMatchObject({ url: `/pages/non-readers/index?unitId=unit-1&name=${encodeURIComponent('软件工程 2301 班')}` });
    page.unmount();
  });

  it('offers it to a holder of the observer role', async () => {
    as(account({ roles: ['member', 'observer'] }));
    const { page } = await open({ 'directory.unitMembers': () => pageOf([lin]) }, '林一');
    expect(page.getByText('长期未读')).toBeTruthy();
    page.unmount();
  });

  it('offers it to an observer of the unit, and to them on its sub-units, whose links say which observed unit they come from', async () => {
    as(account({ member: member(['college-1']) }));
    const navigateTo = jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
    const classA = unit({ id: 'class-a', name: '软件工程 2301 班', parentId: 'college-1' });
    const { page } = await open({ 'directory.unitMembers': () => pageOf([zhao]), 'units.children': () => pageOf([classA]) }, '赵三', collegeQuery);
    expect(page.getByText('长期未读')).toBeTruthy();

    await page.tap('软件工程 2301 班');

    await waitFor(() => navigateTo.mock.calls.length > 0, 'a navigation');
    const url = `/pages/unit/index?id=class-a&name=${encodeURIComponent('软件工程 2301 班')}&via=college-1`;
    expect(navigateTo.mock.calls[0][0]).toMatchObject({ url });
    page.unmount();

    const { page: sub } = await open({ 'directory.unitMembers': () => pageOf([lin]) }, '林一', { id: 'class-a', name: classA.name, via: 'college-1' });
    expect(sub.getByText('长期未读')).toBeTruthy();
    sub.unmount();
  });

  it('is not offered to a plain member, nor to an observer of another unit whatever the link says', async () => {
    as(account({ member: member([]) }));
    const { page, backend } = await open({ 'directory.unitMembers': () => pageOf([lin]) }, '林一');
    expect(await settled(page, backend)).not.toContain('长期未读');
    page.unmount();

    as(account({ member: member(['college-2']) }));
    const { page: other, backend: otherBackend } = await open({ 'directory.unitMembers': () => pageOf([lin]) }, '林一', { ...query, via: 'college-1' });
    expect(await settled(other, otherBackend)).not.toContain('长期未读');
    other.unmount();
  });

  it('is not offered before the person has signed in', async () => {
    const { page, backend } = await open({ 'directory.unitMembers': () => pageOf([lin]) }, '林一');
    expect(await settled(page, backend)).not.toContain('长期未读');
    page.unmount();
  });
});
