/**
 * @jest-environment jsdom
 */
import { FIELD_LIMITS } from '../../typings/limits';
import type { UnitView } from '../../typings';
import { renderPage, waitFor, wx, type RenderedPage } from '../helpers/simulate';
import { fail, installBackend, installStorage, ok, type FakeBackend, type Handler, type Handlers } from './fake-backend';
import { classesOf, college, pageOf, root, rowTexts, runHook, settled, shown, unit, unitPickerComponents } from './org-fixtures';
import { attributesOf, textIn, trigger } from './page-helpers';
import './simulate-polyfills';

const UNITS = 'packages/admin/pages/units/index';


const software = unit({ id: 'class-1', name: '软件工程 2301 班', parentId: 'college-1', path: ['计算机学院', '软件工程 2301 班'], memberCount: 32 });
const office = unit({ id: 'dept-1', name: '教务处', kind: 'department', parentId: 'root', path: ['教务处'], memberCount: 6, childCount: 0 });

const tree: Record<string, UnitView[]> = { root: [college, office], 'college-1': [software], 'class-1': [], 'dept-1': [] };

function children(extra: Record<string, UnitView[]> = {}): Handler<'units.children'> {
  return (request) => pageOf({ ...tree, ...extra }[request.parentId as string] ?? []);
}

async function open(handlers: Handlers): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend({ 'units.root': () => ok(root), 'units.children': children(), ...handlers });
  const page = renderPage(UNITS, { usingComponents: unitPickerComponents() });
  await waitFor(() => page.queryByText('计算机学院'), 'the colleges');
  return { page, backend };
}

async function enter(page: RenderedPage, name: string, childName: string | null) {
  await page.tap(name);
  if (childName) await waitFor(() => page.queryByText(childName), childName);
  else await waitFor(() => page.queryByText('暂无下级单位'), 'the empty unit');
}

beforeEach(() => {
  installStorage();
});

afterEach(() => jest.restoreAllMocks());

describe('unit tree', () => {
  it('starts at the organisation, lists its sub-units, and links to members and import', async () => {
    const navigateTo = jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
    const { page, backend } = await open({});

    expect(rowTexts(page, '.child')).toEqual(['计算机学院学院5 人 · 1 个下级', '教务处部门6 人']);
    expect(page.text()).toContain('直属成员 0 人 · 下级单位 2 个');
    expect(page.queryByText('删除')).toBeNull();
    expect(page.queryByText('移动')).toBeNull();
    expect(backend.calls.map((c) => [c.action, c.request])).toEqual([
      ['units.root', {}],
      ['units.children', { parentId: 'root' }],
    ]);

    await page.tap('成员管理');
    await page.tap('导入花名册');
    expect(navigateTo.mock.calls.map((call) => (call[0] as { url: string }).url)).toEqual([
      '/packages/admin/pages/members/index',
      '/packages/admin/pages/import/index',
    ]);
    page.unmount();
  });

  it('descends into a sub-unit and goes back up through the breadcrumb', async () => {
    const { page, backend } = await open({});

    await enter(page, '计算机学院', '软件工程 2301 班');
    expect(page.text()).toContain('信通大学/计算机学院');
    expect(page.queryByText('教务处')).toBeNull();
    // The way back up is a button to screen readers; the unit shown is not.
    expect(attributesOf(page, '.crumbs__item', 'ariaRole')).toEqual(['button', undefined]);
    await enter(page, '软件工程 2301 班', null);
    expect(page.text()).toContain('信通大学/计算机学院/软件工程 2301 班');

    await page.tap('信通大学');

    await waitFor(() => page.queryByText('教务处'), 'the organisation again');
    expect(backend.callsOf('units.children').map((c) => c.request.parentId)).toEqual(['root', 'college-1', 'class-1', 'root']);
    page.unmount();
  });

  it('reads the unit shown and its sub-units again when the page shows again, keeping the walk', async () => {
    let counts = { college: 5, software: 32 };
    const { page, backend } = await open({
      'units.get': (request) => ok({ ...college, id: request.unitId as string, memberCount: counts.college }),
      'units.children': (request) =>
        pageOf(request.parentId === 'college-1' ? [{ ...software, memberCount: counts.software }] : tree[request.parentId as string] ?? []),
    });
    await enter(page, '计算机学院', '软件工程 2301 班');
    expect(page.text()).toContain('直属成员 5 人');
    expect(rowTexts(page, '.child')).toEqual(['软件工程 2301 班班级32 人']);
    counts = { college: 7, software: 33 };

    await runHook(page, 'onShow');

    await waitFor(() => page.text().includes('直属成员 7 人'), 'the fresh header');
    await waitFor(() => rowTexts(page, '.child')[0] === '软件工程 2301 班班级33 人', 'the fresh count');
    expect(page.text()).toContain('信通大学/计算机学院');
    expect(backend.callsOf('units.get').map((c) => c.request)).toEqual([{ unitId: 'college-1' }]);
    page.unmount();
  });

  it('opens the member list of the unit shown', async () => {
    const navigateTo = jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
    const { page } = await open({});
    await enter(page, '计算机学院', '软件工程 2301 班');

    await page.tap('成员');

    expect(navigateTo.mock.calls[0][0]).toMatchObject({
      url: `/packages/admin/pages/members/index?unitId=college-1&unitName=${encodeURIComponent('计算机学院')}`,
    });
    page.unmount();
  });
});

describe('editing the tree', () => {
  it('creates a sub-unit with the parent, the trimmed name and the chosen kind, then lists it', async () => {
    const created = unit({ id: 'class-2', name: '软件工程 2302 班', parentId: 'college-1', memberCount: 0 });
    let extra: Record<string, UnitView[]> = {};
    const { page, backend } = await open({
      'units.create': (request) => {
        extra = { 'college-1': [software, created] };
        return ok({ ...created, name: request.name as string });
      },
      'units.children': (request, call) => children(extra)(request, call),
    });
    await enter(page, '计算机学院', '软件工程 2301 班');

    await page.tap('新建下级单位');
    await shown(page, '.create-dialog', '小组');
    await trigger(page, '.create-name', 'change', '  软件工程 2302 班 ');
    await page.tap(textIn(page, '.create-dialog', '小组'));
    await page.tap(textIn(page, '.create-dialog', '新建'));

    await waitFor(() => page.queryByText('已新建「软件工程 2302 班」'), 'the confirmation');
    expect(backend.callsOf('units.create').map((c) => c.request)).toEqual([
      { parentId: 'college-1', name: '软件工程 2302 班', kind: 'group' },
    ]);
    await waitFor(() => rowTexts(page, '.child').length === 2, 'the new sub-unit listed');
    page.unmount();
  });

  it('offers the likely kind first: 班级 below a college', async () => {
    const { page, backend } = await open({ 'units.create': () => ok(unit()) });
    await enter(page, '计算机学院', '软件工程 2301 班');

    await page.tap('新建下级单位');
    await shown(page, '.create-dialog', '班级');
    await trigger(page, '.create-name', 'change', '软件工程 2303 班');
    await page.tap(textIn(page, '.create-dialog', '新建'));

    await waitFor(() => backend.callsOf('units.create').length > 0, 'units.create');
    expect(backend.callsOf('units.create')[0].request).toMatchObject({ kind: 'class' });
    page.unmount();
  });

  it('refuses an empty or too long name without calling the backend', async () => {
    const { page, backend } = await open({});

    await page.tap('新建下级单位');
    await shown(page, '.create-dialog', '班级');
    await trigger(page, '.create-name', 'change', '   ');
    await page.tap(textIn(page, '.create-dialog', '新建'));
    await waitFor(() => page.queryByText('请输入单位名称'), 'the empty-name message');

    await trigger(page, '.create-name', 'change', '名'.repeat(FIELD_LIMITS.unitName + 1));
    await page.tap(textIn(page, '.create-dialog', '新建'));
    await waitFor(() => page.queryByText(`单位名称不超过 ${FIELD_LIMITS.unitName} 个字`), 'the long-name message');

    expect(backend.callsOf('units.create')).toHaveLength(0);
    page.unmount();
  });

  it('shows UNIT_NAME_TAKEN in the dialog', async () => {
    const { page } = await open({ 'units.create': () => fail('UNIT_NAME_TAKEN') });

    await page.tap('新建下级单位');
    await shown(page, '.create-dialog', '班级');
    await trigger(page, '.create-name', 'change', '计算机学院');
    await page.tap(textIn(page, '.create-dialog', '新建'));

    await waitFor(() => page.queryByText('同一上级单位下已有同名单位'), 'the message');
    page.unmount();
  });

  it("asks before deleting, and explains UNIT_NOT_EMPTY in the server's words", async () => {
    const { page, backend } = await open({ 'units.delete': () => fail('UNIT_NOT_EMPTY', '正在向该单位导入成员，请导入完成后再删除') });
    await enter(page, '计算机学院', '软件工程 2301 班');

    await page.tap('删除');
    await waitFor(() => page.text().includes('确定删除「计算机学院」吗？'), 'the confirmation');
    expect(backend.callsOf('units.delete')).toHaveLength(0);
    await page.tap(textIn(page, '.delete-dialog', '删除'));

    await waitFor(() => page.queryByText('正在向该单位导入成员，请导入完成后再删除'), 'the message');
    expect(backend.callsOf('units.delete').map((c) => c.request)).toEqual([{ unitId: 'college-1' }]);
    expect(page.text()).toContain('信通大学/计算机学院');
    page.unmount();
  });

  it('deletes an empty unit and returns to its parent', async () => {
    const { page, backend } = await open({ 'units.delete': () => ok({ id: 'dept-1' }) });
    await enter(page, '教务处', null);

    await page.tap('删除');
    await shown(page, '.delete-dialog', '确定删除「教务处」吗？');
    await page.tap(textIn(page, '.delete-dialog', '删除'));

    await waitFor(() => page.queryByText('已删除「教务处」'), 'the confirmation');
    expect(backend.callsOf('units.delete').map((c) => c.request)).toEqual([{ unitId: 'dept-1' }]);
    await waitFor(() => page.queryByText('计算机学院'), 'the organisation');
    page.unmount();
  });

  it('renames the unit shown', async () => {
    const { page, backend } = await open({ 'units.rename': (request) => ok({ ...office, name: request.name as string }) });
    await enter(page, '教务处', null);

    await page.tap('重命名');
    await shown(page, '.rename-dialog', '保存');
    await trigger(page, '.rename-name', 'change', '教务部');
    await page.tap(textIn(page, '.rename-dialog', '保存'));

    await waitFor(() => page.queryByText('已重命名为「教务部」'), 'the confirmation');
    expect(backend.callsOf('units.rename').map((c) => c.request)).toEqual([{ unitId: 'dept-1', name: '教务部' }]);
    expect(page.text()).toContain('信通大学/教务部');
    page.unmount();
  });

  it('moves the unit under a unit picked in the tree, and shows UNIT_CYCLE', async () => {
    let attempts = 0;
    const { page, backend } = await open({
      'units.move': (request) =>
        ++attempts === 1 ? fail('UNIT_CYCLE') : ok({ ...software, parentId: request.parentId as string, path: ['教务处', '软件工程 2301 班'] }),
    });
    await enter(page, '计算机学院', '软件工程 2301 班');
    await enter(page, '软件工程 2301 班', null);

    await page.tap('移动');
    await shown(page, '.move-picker', '计算机学院学院教务处部门');
    await page.tap(textIn(page, '.move-picker', '教务处'));
    await shown(page, '.move-picker', '信通大学/教务处');
    await shown(page, '.move-picker', '没有下级单位');
    await page.tap(textIn(page, '.move-picker', '移到此单位下'));

    await waitFor(() => page.queryByText('不能移动到该单位自身或其下级单位中'), 'the UNIT_CYCLE message');
    expect(backend.callsOf('units.move').map((c) => c.request)).toEqual([{ unitId: 'class-1', parentId: 'dept-1' }]);

    await page.tap('移动');
    await shown(page, '.move-picker', '移到此单位下');
    await page.tap(textIn(page, '.move-picker', '移到此单位下'));

    await waitFor(() => page.queryByText('已将「软件工程 2301 班」移到「教务处」下'), 'the move');
    expect(page.text()).toContain('信通大学/教务处/软件工程 2301 班');
    expect(await settled(page, backend)).toContain('直属成员 32 人');
    page.unmount();
  });

  it("closes the picker with its own 44 px close control (Vant's icon is an 18 px target)", async () => {
    const { page } = await open({});
    await enter(page, '计算机学院', '软件工程 2301 班');
    await page.tap('移动');
    await shown(page, '.move-picker', '移到此单位下');

    const close = page.root.querySelector('.move-picker')?.querySelector('.picker__close');
    await page.tap(close?.dom ?? '没有关闭按钮');

    // The popup keeps its content for the closing animation; the page's `show` says it closed.
    const data = () => (page.root as unknown as { instance: { data: { moveShow: boolean } } }).instance.data;
    await waitFor(() => !data().moveShow, 'the picker to close');
    page.unmount();
  });

  it('will not move a unit under itself when the picker reopens inside it', async () => {
    const { page, backend } = await open({ 'units.move': () => ok(college) });
    // Walk the picker down to 软件工程 2301 班 while moving 教务处, and leave it there.
    await enter(page, '教务处', null);
    await page.tap('移动');
    await shown(page, '.move-picker', '计算机学院学院');
    await page.tap(textIn(page, '.move-picker', '计算机学院'));
    await shown(page, '.move-picker', '软件工程 2301 班');
    await page.tap(textIn(page, '.move-picker', '软件工程 2301 班'));
    await shown(page, '.move-picker', '信通大学/计算机学院/软件工程 2301 班');
    expect(classesOf(page, '.move-picker')).not.toContain('van-button--disabled');
    await trigger(page, '.move-picker', 'close', {});
    // Now move 计算机学院: the picker opens where it was left, inside 计算机学院 itself.
    await page.tap(textIn(page, '.crumbs', '信通大学'));
    await waitFor(() => page.queryByText('教务处'), 'the organisation');
    await enter(page, '计算机学院', '软件工程 2301 班');
    await page.tap('移动');
    await shown(page, '.move-picker', '没有下级单位');

    expect(classesOf(page, '.move-picker')).toContain('van-button--disabled');
    await page.tap(textIn(page, '.move-picker', '移到此单位下'));
    await settled(page, backend);
    expect(backend.callsOf('units.move')).toHaveLength(0);
    page.unmount();
  });
});
