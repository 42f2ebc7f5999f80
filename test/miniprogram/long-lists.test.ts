/**
 * @jest-environment jsdom
 *
 * Long lists loaded a page at a time: what one `setData` sends stays one page however long the
 * list grows (WeChat refuses a setData over 256 KB), and a list keeps at most LIST_CAP rows on
 * screen, saying so instead of loading more.
 */
import type { ImportItemView, MemberCard, UnitView } from '../../typings';
import { renderPage, waitFor, watchSetData, type RenderedPage } from '../helpers/simulate';
import { account, installBackend, installStorage, storedSession, ok, type FakeBackend, type Handlers } from './fake-backend';
import { card, importView, item, pageOf, runHook, unit, unitPickerComponents } from './org-fixtures';
import { textIn } from './page-helpers';
import './simulate-polyfills';

/** WeChat's limit for one setData. */
const WECHAT_LIMIT = 256 * 1024;
/** What one setData of these lists may carry: a page of rows, with room to spare. */
const BUDGET = 32 * 1024;
const ROWS = 1000;
const PAGE = 50;
/** The mini-program's LIST_CAP, read from the built code. */
const { LIST_CAP } = jest.requireActual<{ LIST_CAP: number }>('../../miniprogram/common/paged-list');

/** A backend page of `all`, 50 rows from `after` (an offset). */
function paged<T>(all: T[], after: string | undefined) {
  const start = Number(after ?? 0);
  const end = start + PAGE;
  return pageOf(all.slice(start, end), end < all.length ? String(end) : null);
}

const members: MemberCard[] = Array.from({ length: ROWS }, (_, i) =>
  card({ id: `m${i}`, name: `成员${i}`, number: `2023${String(i).padStart(4, '0')}`, title: i % 3 ? null : '学习委员', bound: i % 2 === 0 }),
);

interface Measured {
  page: RenderedPage;
  backend: FakeBackend;
  largest: number;
  total: number;
}

const rowsOf = (page: RenderedPage, selector: string) => page.root.querySelectorAll(selector).length;

/**
 * Scrolls to the bottom page after page until LIST_CAP rows show, then once more (which must
 * load nothing), measuring every setData of the page on the way.
 */
async function scrollThrough(page: RenderedPage, rowSelector: string): Promise<void> {
  await waitFor(() => rowsOf(page, rowSelector) === PAGE, 'the first page');
  while (rowsOf(page, rowSelector) < LIST_CAP) {
    const shown = rowsOf(page, rowSelector);
    await runHook(page, 'onReachBottom');
    await waitFor(() => rowsOf(page, rowSelector) > shown, 'the next page');
  }
  await runHook(page, 'onReachBottom');
}

async function measure(
  path: string,
  handlers: Handlers,
  rowSelector: string,
  options: { query?: Record<string, string>; usingComponents?: Record<string, string>; before?(page: RenderedPage): Promise<void> } = {},
): Promise<Measured> {
  const sizes: number[] = [];
  const stop = watchSetData((patch) => sizes.push(Buffer.byteLength(JSON.stringify(patch))));
  const backend = installBackend(handlers);
  const page = renderPage(path, options);
  await options.before?.(page);
  await scrollThrough(page, rowSelector);
  stop();
  return { page, backend, largest: Math.max(...sizes), total: sizes.length };
}

beforeEach(() => {
  installStorage(storedSession(account({ id: 'u-admin', roles: ['member', 'admin'] }), Date.now()));
  jest.spyOn(wx(), 'setNavigationBarTitle').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

function wx(): { setNavigationBarTitle(options: { title: string }): void } {
  return (globalThis as unknown as { wx: { setNavigationBarTitle(options: { title: string }): void } }).wx;
}

function expectBounded(measured: Measured, rowSelector: string, cappedText: string) {
  expect(measured.largest).toBeLessThan(BUDGET);
  expect(measured.largest).toBeLessThan(WECHAT_LIMIT / 8);
  expect(measured.page.root.querySelectorAll(rowSelector)).toHaveLength(LIST_CAP);
  expect(measured.page.text()).toContain(cappedText);
  expect(measured.page.text()).not.toContain('没有更多了');
}

describe('a list of 1,000 rows', () => {
  it('成员管理 sends one page per setData and keeps LIST_CAP members on screen', async () => {
    const measured = await measure('packages/admin/pages/members/index', { 'members.search': (request) => paged(members, request.after) }, '.member');
    expectBounded(measured, '.member', `已显示前 ${LIST_CAP} 人，请搜索姓名或学号/工号查找其他成员`);
    expect(measured.backend.callsOf('members.search')).toHaveLength(LIST_CAP / PAGE);
    measured.page.unmount();
  });

  it('the unit page sends one page per setData and keeps LIST_CAP members on screen', async () => {
    const measured = await measure(
      'pages/unit/index',
      { 'directory.unitMembers': (request) => paged(members, request.after), 'units.children': () => pageOf<UnitView>([]) },
      '.member',
      { query: { id: 'unit-1', name: '软件工程 2301 班' } },
    );
    expectBounded(measured, '.member', `已显示前 ${LIST_CAP} 人，请搜索姓名或学号/工号查找其他成员`);
    expect(measured.backend.callsOf('directory.unitMembers')).toHaveLength(LIST_CAP / PAGE);
    measured.page.unmount();
  });

  it('组织架构 sends one page of sub-units per setData and keeps LIST_CAP on screen', async () => {
    const root = unit({ id: 'root', name: '信通大学', kind: 'org', parentId: null, path: [], childCount: ROWS });
    const classes = Array.from({ length: ROWS }, (_, i) => unit({ id: `c${i}`, name: `班级${i}`, path: ['计算机学院', `班级${i}`] }));
    const measured = await measure(
      'packages/admin/pages/units/index',
      { 'units.root': () => ok(root), 'units.children': (request) => paged(classes, request.after) },
      '.child',
      { usingComponents: unitPickerComponents() },
    );
    expectBounded(measured, '.child', `已显示前 ${LIST_CAP} 个下级单位`);
    expect(measured.backend.callsOf('units.children')).toHaveLength(LIST_CAP / PAGE);
    measured.page.unmount();
  });

  it("导入花名册's preview sends one page of items per setData and keeps LIST_CAP on screen", async () => {
    const updates: ImportItemView[] = Array.from({ length: ROWS }, (_, i) =>
      item({
        line: i + 2,
        category: 'update',
        name: `成员${i}`,
        number: `2023${String(i).padStart(4, '0')}`,
        changes: [
          { field: 'phone', before: '+8613800000000', after: '+8613900000000' },
          { field: 'unitIds', before: '计算机学院/软件工程 2301 班', after: '计算机学院/软件工程 2302 班' },
        ],
      }),
    );
    const view = importView({ counts: { rows: ROWS, add: 0, update: ROWS, deactivate: 0, unchanged: 0, invalid: 0 } });
    const measured = await measure(
      'packages/admin/pages/import/index',
      {
        'imports.list': () => pageOf([]),
        'imports.get': () => ok(view),
        'imports.items': (request) => (request.category === 'update' ? paged(updates, request.after) : pageOf<ImportItemView>([])),
      },
      '.item',
      {
        query: { id: 'imp-1' },
        async before(page) {
          await waitFor(() => page.queryByText('第 2 步：核对预览'), 'the preview');
          await page.tap(textIn(page, '.item-tabs', '更新'));
        },
      },
    );
    expectBounded(measured, '.item', `仅显示前 ${LIST_CAP} 条，应用时全部生效`);
    expect(measured.backend.callsOf('imports.items').filter((call) => call.request.category === 'update')).toHaveLength(LIST_CAP / PAGE);
    measured.page.unmount();
  });
});
