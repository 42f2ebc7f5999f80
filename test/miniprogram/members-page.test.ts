/**
 * @jest-environment jsdom
 */
import { FIELD_LIMITS } from '../../typings/limits';
import { renderPage, waitFor, wx, type RenderedPage } from '../helpers/simulate';
import { fail, installBackend, installStorage, wxMore, type FakeBackend, type Handlers } from './fake-backend';
import { card, pageOf, rowTexts, runHook, settled } from './org-fixtures';
import { attributeOf, textIn, trigger } from './page-helpers';
import './simulate-polyfills';

const MEMBERS = 'packages/admin/pages/members/index';

const lin = card({ id: 'm1', name: '林一', number: '2023001' });
const gone = card({ id: 'm2', name: '钱八', number: '2023008', active: false, bound: false });

async function open(handlers: Handlers, query: Record<string, string>, first: string): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend(handlers);
  const page = renderPage(MEMBERS, { query });
  await waitFor(() => page.queryByText(first), first);
  return { page, backend };
}

beforeEach(() => {
  installStorage();
});

afterEach(() => jest.restoreAllMocks());

describe('member management', () => {
  it('lists active members of the unit it was opened from, and filters by status', async () => {
    const { page, backend } = await open(
      { 'members.search': (request) => pageOf(request.status === 'inactive' ? [gone] : [lin]) },
      { unitId: 'unit-1', unitName: encodeURIComponent('软件工程 2301 班') },
      '林一',
    );
    expect(page.text()).toContain('单位：软件工程 2301 班（仅直属成员）');

    await page.tap(textIn(page, '.filters', '已停用'));

    await waitFor(() => page.queryByText('钱八'), 'the deactivated member');
    expect(rowTexts(page, '.member')).toEqual(['钱八2023008已停用未绑定']);
    expect(backend.callsOf('members.search').map((c) => c.request)).toEqual([
      { unitId: 'unit-1', status: 'active' },
      { unitId: 'unit-1', status: 'inactive' },
    ]);
    page.unmount();
  });

  it('searches by name or number and pages with `after`', async () => {
    const { page, backend } = await open(
      { 'members.search': (request) => (request.after ? pageOf([gone]) : pageOf([lin], 'p2')) },
      {},
      '林一',
    );

    await trigger(page, '.search', 'search', '2023');
    await waitFor(() => backend.callsOf('members.search').length === 2, 'the search');
    await settled(page, backend);
    await runHook(page, 'onReachBottom');

    await waitFor(() => page.queryByText('钱八'), 'the next page');
    expect(backend.callsOf('members.search').map((c) => c.request)).toEqual([
      { status: 'active' },
      { query: '2023', status: 'active' },
      { query: '2023', status: 'active', after: 'p2' },
    ]);
    page.unmount();
  });

  it('opens the editor for a member, and for a new member in the unit', async () => {
    const navigateTo = jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
    const { page } = await open({ 'members.search': () => pageOf([lin]) }, { unitId: 'unit-1', unitName: 'C1' }, '林一');

    await page.tap('林一');
    await page.tap('新增成员');

    expect(navigateTo.mock.calls.map((call) => (call[0] as { url: string }).url)).toEqual([
      '/packages/admin/pages/member-edit/index?id=m1',
      '/packages/admin/pages/member-edit/index?unitId=unit-1&unitName=C1',
    ]);
    page.unmount();
  });

  it('opened from a unit that no longer exists, says so and lists all members instead of an error', async () => {
    jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
    const { page, backend } = await open(
      { 'members.search': (request) => (request.unitId ? fail('UNIT_NOT_FOUND') : pageOf([lin, card({ id: 'm3', name: '赵三', number: '2023003' })])) },
      { unitId: 'unit-gone', unitName: encodeURIComponent('已删除的班') },
      '赵三',
    );

    expect(page.getByText('林一')).toBeTruthy();
    expect(page.text()).not.toContain('单位：');
    expect(page.text()).not.toContain('该单位不存在或已被删除');
    expect(wxMore.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '该单位已不存在，已显示全部成员' }));
    expect(backend.callsOf('members.search').map((c) => c.request)).toEqual([{ unitId: 'unit-gone', status: 'active' }, { status: 'active' }]);
    page.unmount();
  });

  it('names the unit by its id when opened without a name', async () => {
    const { page } = await open({ 'members.search': () => pageOf([lin]) }, { unitId: 'unit-1' }, '林一');
    expect(page.text()).toContain('单位：unit-1（仅直属成员）');
    page.unmount();
  });

  it('limits the search box to FIELD_LIMITS.searchQuery characters and sends at most that many', async () => {
    const MAX = FIELD_LIMITS.searchQuery;
    const { page, backend } = await open({ 'members.search': () => pageOf([lin]) }, {}, '林一');
    expect(String(attributeOf(page, '.search', 'maxlength'))).toBe(String(MAX));

    await trigger(page, '.search', 'search', `  ${'林'.repeat(MAX + 8)}  `);

    await waitFor(() => backend.callsOf('members.search').length === 2, 'the search');
    expect(backend.callsOf('members.search')[1].request).toEqual({ query: '林'.repeat(MAX), status: 'active' });

    // An emoji counts two toward the limit and is never cut in half.
    await trigger(page, '.search', 'search', `${'林'.repeat(MAX - 1)}😀`);
    await waitFor(() => backend.callsOf('members.search').length === 3, 'the second search');
    expect(backend.callsOf('members.search')[2].request).toEqual({ query: '林'.repeat(MAX - 1), status: 'active' });
    page.unmount();
  });
});
