/**
 * @jest-environment jsdom
 *
 * Long lists loaded a page at a time: what one `setData` sends stays one page however long the
 * list grows (WeChat refuses a setData over 256 KB), a list keeps at most LIST_CAP rows on
 * screen (a window), and every row stays reachable: a full window offers the next one and a
 * later window the way back to the start.
 */
import type { ImportItemView, MemberCard, RoleChangeView, UnitView } from '../../typings';
import { renderPage, waitFor, watchSetData, type RenderedPage } from '../helpers/simulate';
import { account, installBackend, installStorage, storedSession, ok, summary, type FakeBackend, type Handlers } from './fake-backend';
import { card, importView, item, pageOf, rowTexts, runHook, shown, unit, unitPickerComponents } from './org-fixtures';
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

/** A backend page of `all`, `size` rows from `after` (an offset). */
function paged<T>(all: T[], after: string | undefined, size = PAGE) {
  const start = Number(after ?? 0);
  const end = start + size;
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
  expect(measured.page.text()).toContain(`显示后 ${LIST_CAP} 条`);
  expect(measured.page.text()).not.toContain('没有更多了');
}

describe('a list of 1,000 rows', () => {
  it('成员管理 sends one page per setData and keeps LIST_CAP members on screen', async () => {
    const measured = await measure('packages/admin/pages/members/index', { 'members.search': (request) => paged(members, request.after) }, '.member');
    expectBounded(measured, '.member', `已显示第 1–${LIST_CAP} 条，搜索姓名或学号/工号更快`);
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
    expectBounded(measured, '.member', `已显示第 1–${LIST_CAP} 条，搜索姓名或学号/工号更快`);
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
    expectBounded(measured, '.child', `已显示第 1–${LIST_CAP} 条`);
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
    expectBounded(measured, '.item', `已显示第 1–${LIST_CAP} 条，应用时全部生效`);
    expect(measured.backend.callsOf('imports.items').filter((call) => call.request.category === 'update')).toHaveLength(LIST_CAP / PAGE);
    measured.page.unmount();
  });
});

/** What walking a list needs: its rows' names on screen, and how a next page of the window loads. */
interface Walk {
  page: RenderedPage;
  names(): string[];
  /** Loads the next page of the window shown (a scroll to the bottom, or a 加载更多 tap). */
  more(): Promise<void>;
  /** Taps a button of the window bar (inside the list's own scope when the page has several). */
  tapBar(label: string): Promise<void>;
}

const LONG = 500;

/**
 * Walks every window of a list of LONG rows named `all` (in order): fills each window page by
 * page, checks it holds the next rows of the list and no more than LIST_CAP, moves on with
 * 「显示后 N 条」, and at the end goes back with 「回到开头」. Every row must be seen once, in order.
 */
async function walkEveryRow(walk: Walk, all: string[]): Promise<void> {
  const seen: string[] = [];
  for (let start = 0; start < all.length; start += LIST_CAP) {
    const size = Math.min(LIST_CAP, all.length - start);
    await waitFor(() => walk.names()[0] === all[start], `row ${start + 1} to open its window`);
    while (walk.names().length < size) {
      const count = walk.names().length;
      await walk.more();
      await waitFor(() => walk.names().length > count, `the next page after row ${start + count}`);
    }
    const names = walk.names();
    expect(names).toHaveLength(size);
    seen.push(...names);
    const text = walk.page.text();
    expect(text).toContain(`已显示第 ${start + 1}–${start + size} 条`);
    if (start > 0) expect(text).toContain(`从第 ${start + 1} 条起`);
    if (start + size < all.length) await walk.tapBar(`显示后 ${LIST_CAP} 条`);
    else expect(text).toContain('没有更多了');
  }
  expect(seen).toEqual(all);
  await walk.tapBar('回到开头');
  await waitFor(() => walk.names()[0] === all[0], 'the first row again');
  expect(walk.page.text()).not.toContain('回到开头');
}

/** Fails the test when one setData of the page carries more than BUDGET, or puts a row past LIST_CAP on screen. */
function watchBounds(): { stop(): void; largest(): number } {
  const sizes: number[] = [];
  const problems: string[] = [];
  const stop = watchSetData((patch) => {
    sizes.push(Buffer.byteLength(JSON.stringify(patch)));
    for (const [key, value] of Object.entries(patch)) {
      const index = /\[(\d+)\]$/.exec(key);
      if (index && Number(index[1]) >= LIST_CAP) problems.push(`${key} is past the window`);
      if (Array.isArray(value) && value.length > LIST_CAP) problems.push(`${key} holds ${value.length} rows`);
    }
  });
  return {
    stop() {
      stop();
      expect(problems).toEqual([]);
      expect(Math.max(...sizes)).toBeLessThan(BUDGET);
    },
    largest: () => Math.max(...sizes),
  };
}

const nameIn = (pattern: RegExp) => (text: string) => pattern.exec(text)?.[0] ?? text;

describe(`a list of ${LONG} rows: every row is reachable, a window at a time`, () => {
  it("导入花名册's 无效 tab shows rows 201–400 and 401–500 too, so every invalid row can be fixed in the file", async () => {
    const invalid: ImportItemView[] = Array.from({ length: LONG }, (_, i) =>
      item({ line: i + 2, category: 'invalid', name: `无效${String(i).padStart(4, '0')}`, number: '', reasons: [{ code: 'NUMBER_MISSING', message: '缺少学号/工号' }] }),
    );
    const view = importView({ counts: { rows: LONG, add: 0, update: 0, deactivate: 0, unchanged: 0, invalid: LONG } });
    const bounds = watchBounds();
    const backend = installBackend({
      'imports.list': () => pageOf([]),
      'imports.get': () => ok(view),
      'imports.items': (request) => (request.category === 'invalid' ? paged(invalid, request.after) : pageOf<ImportItemView>([])),
    });
    const page = renderPage('packages/admin/pages/import/index', { query: { id: 'imp-1' } });
    await waitFor(() => page.queryByText('第 2 步：核对预览'), 'the preview');
    await page.tap(textIn(page, '.item-tabs', '无效'));

    await walkEveryRow(
      {
        page,
        names: () => rowTexts(page, '.item').map(nameIn(/第 \d+ 行/)),
        more: () => runHook(page, 'onReachBottom'),
        tapBar: (label) => page.tap(label),
      },
      invalid.map((row) => `第 ${row.line} 行`),
    );
    bounds.stop();
    // Each window after the first starts from the cursor the server gave; none reads a page twice.
    const reads = backend.callsOf('imports.items').filter((call) => call.request.category === 'invalid');
    expect(reads.map((call) => call.request.after)).toEqual([
      ...[undefined, '50', '100', '150'],
      ...['200', '250', '300', '350'],
      ...['400', '450'],
      undefined,
    ]);
    page.unmount();
  });

  it('组织架构 shows sub-units 201–400 and 401–500', async () => {
    const root = unit({ id: 'root', name: '信通大学', kind: 'org', parentId: null, path: [], childCount: LONG });
    const classes = Array.from({ length: LONG }, (_, i) => unit({ id: `c${i}`, name: `班级${String(i).padStart(4, '0')}`, path: [`班级${i}`] }));
    const bounds = watchBounds();
    installBackend({ 'units.root': () => ok(root), 'units.children': (request) => paged(classes, request.after) });
    const page = renderPage('packages/admin/pages/units/index', { usingComponents: unitPickerComponents() });

    await walkEveryRow(
      {
        page,
        names: () => rowTexts(page, '.child').map(nameIn(/班级\d{4}/)),
        more: () => runHook(page, 'onReachBottom'),
        tapBar: (label) => page.tap(label),
      },
      classes.map((c) => c.name),
    );
    bounds.stop();
    page.unmount();
  });

  it('the unit picker shows sub-units 201–400 and 401–500, and leaves the unit being moved out without losing a row', async () => {
    const root = unit({ id: 'root', name: '信通大学', kind: 'org', parentId: null, path: [], childCount: LONG });
    const classes = Array.from({ length: LONG }, (_, i) => unit({ id: `c${i}`, name: `班级${String(i).padStart(4, '0')}`, path: [`班级${i}`] }));
    // The unit moved sits in the page that straddles the first two windows.
    const moved = classes[190];
    installBackend({ 'units.root': () => ok(root), 'units.children': (request) => (request.parentId === 'root' ? paged(classes, request.after) : pageOf<UnitView>([])) });
    const page = renderPage('packages/admin/pages/units/index', { usingComponents: unitPickerComponents() });
    await waitFor(() => page.queryByText('班级0000'), 'the classes');
    // Enter 班级0190 and open 移动: the picker starts at the organisation, listing its sub-units.
    while (!page.queryByText(moved.name)) await runHook(page, 'onReachBottom');
    await page.tap(moved.name);
    await waitFor(() => page.queryByText('暂无下级单位'), 'the class');
    await page.tap('移动');
    await shown(page, '.move-picker', '班级0000');

    // The picker's rows are inside its component: read them from there.
    const picker = () => page.root.querySelector('.move-picker');
    const names = () => (picker()?.querySelectorAll('.picker__child') ?? []).map((row) => nameIn(/班级\d{4}/)(row.dom.textContent ?? ''));
    await walkEveryRow(
      {
        page,
        names,
        more: () => page.tap(textIn(page, '.move-picker', '加载更多')),
        tapBar: (label) => page.tap(textIn(page, '.move-picker', label)),
      },
      classes.filter((c) => c.id !== moved.id).map((c) => c.name),
    );
    page.unmount();
  });

  it('角色管理 → 变更记录 (30 a page, so a page straddles two windows) shows every change once', async () => {
    const changes: RoleChangeView[] = Array.from({ length: LONG }, (_, i) => ({
      id: `c${i}`,
      change: 'grant',
      role: 'publisher',
      target: { id: `u${i}`, name: `用户${String(i).padStart(4, '0')}` },
      actor: null,
      source: 'config',
      at: '2024-03-01 09:30',
    }));
    const bounds = watchBounds();
    installBackend({
      'roles.list': () => pageOf([summary({ id: 'u-zhang', memberName: '张三', roles: ['member', 'admin'] })]),
      'roles.history': (request) => paged(changes, request.after, 30),
    });
    const page = renderPage('packages/admin/pages/roles/index');
    await waitFor(() => page.queryByText('张三'), 'the holders');
    await page.tap('变更记录');

    await walkEveryRow(
      {
        page,
        names: () => rowTexts(page, '.history').map(nameIn(/用户\d{4}/)),
        more: () => page.tap('加载更多'),
        tapBar: (label) => page.tap(label),
      },
      changes.map((c) => c.target.name),
    );
    bounds.stop();
    page.unmount();
  });
});
