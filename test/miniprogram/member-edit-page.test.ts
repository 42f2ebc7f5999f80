/**
 * @jest-environment jsdom
 */
import { FIELD_LIMITS } from '../../typings/limits';
import type { MemberDetail } from '../../typings';
import { renderPage, waitFor, wx, type RenderedPage } from '../helpers/simulate';
import { fail, installBackend, installStorage, ok, wxMore, type FakeBackend, type Handlers } from './fake-backend';
import { college, detail, pageOf, root, rowTexts, shown, unit, unitPickerComponents } from './org-fixtures';
import { attributeOf, pathPieces, textIn, trigger } from './page-helpers';

const EDIT = 'packages/admin/pages/member-edit/index';

const lin = detail({ bound: true, userId: 'u-lin', wecomUserId: 'linyi', rev: 'r1' });

async function open(handlers: Handlers, query: Record<string, string>, first: string): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend(handlers);
  const page = renderPage(EDIT, { query, usingComponents: unitPickerComponents() });
  // A unit path is shown in pieces (one per name), so it is found by them too.
  await waitFor(() => page.queryByText(first) || pathPieces(page).join(' ').includes(first), first);
  return { page, backend };
}

beforeEach(() => {
  installStorage();
  jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
  jest.spyOn(wx as unknown as { setNavigationBarTitle(o: unknown): void }, 'setNavigationBarTitle').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('editing a member', () => {
  it('loads the member and saves only the changed fields with the rev it read', async () => {
    const { page, backend } = await open(
      { 'directory.member': () => ok(lin), 'members.update': (request) => ok({ ...lin, phone: '+8613900000000', rev: 'r2' }) },
      { id: 'm1' },
      '计算机学院 / 软件工程 2301 班',
    );
    expect(page.text()).toContain('在册 · 已绑定账号');
    // The unit wraps between names, never inside one; the phone reads as on the member page.
    expect(pathPieces(page)).toEqual(['计算机学院 /', '软件工程 2301 班']);
    expect(attributeOf(page, '.field-phone', 'value')).toBe('138 0000 0000');

    await trigger(page, '.field-phone', 'change', '139 0000 0000');
    await page.tap('保存');

    await waitFor(() => backend.callsOf('members.update').length > 0, 'members.update');
    expect(backend.callsOf('members.update').map((c) => c.request)).toEqual([
      { memberId: 'm1', rev: 'r1', member: { phone: '139 0000 0000' } },
    ]);
    await waitFor(() => (wxMore.showToast as jest.Mock).mock.calls.length > 0, 'the toast');
    expect((wxMore.showToast as jest.Mock).mock.calls[0][0]).toMatchObject({ title: '已保存' });
    page.unmount();
  });

  it('tells the admin when someone else changed the member, and reloads it', async () => {
    let reads = 0;
    const { page, backend } = await open(
      {
        'directory.member': () => ok({ ...lin, rev: `r${++reads}`, title: reads > 1 ? '班长' : null }),
        'members.update': () => fail('MEMBER_STALE'),
      },
      { id: 'm1' },
      '在册 · 已绑定账号',
    );

    await trigger(page, '.field-name', 'change', '林一一');
    await page.tap('保存');

    await waitFor(() => page.queryByText('该成员刚被他人修改，已重新加载最新信息，请核对后再保存'), 'the message');
    await waitFor(() => backend.callsOf('directory.member').length === 2, 'the reload');
    expect(backend.callsOf('members.update')[0].request).toMatchObject({ rev: 'r1', member: { name: '林一一' } });
    // The form now holds the member as reloaded: the other admin's title, and the name as stored.
    await waitFor(() => attributeOf(page, '.field-title', 'value') === '班长', 'the reloaded title');
    expect(attributeOf(page, '.field-name', 'value')).toBe('林一');

    // Saving again goes with the reloaded rev and only what differs from the reloaded member.
    await trigger(page, '.field-name', 'change', '林一一');
    await page.tap('保存');
    await waitFor(() => backend.callsOf('members.update').length === 2, 'the second save');
    expect(backend.callsOf('members.update')[1].request).toEqual({ memberId: 'm1', rev: 'r2', member: { name: '林一一' } });
    page.unmount();
  });

  it('limits each field to what the roster keeps, and names the remove buttons for screen readers', async () => {
    const { page } = await open({ 'directory.member': () => ok({ ...lin, observes: [{ id: 'college-1', name: '计算机学院', kind: 'college', path: '计算机学院' }] }) }, { id: 'm1' }, '在册 · 已绑定账号');

    expect(
      ['.field-name', '.field-number', '.field-phone', '.field-title', '.field-wecom'].map((selector) => String(attributeOf(page, selector, 'maxlength'))),
    ).toEqual([FIELD_LIMITS.memberName, FIELD_LIMITS.memberNumber, FIELD_LIMITS.phoneInput, FIELD_LIMITS.memberTitle, FIELD_LIMITS.wecomUserId].map(String));
    // The template's aria-role and aria-label, as the simulator keeps them: what each cross removes.
    expect([attributeOf(page, '.unit-remove', 'ariaRole'), attributeOf(page, '.unit-remove', 'ariaLabel')]).toEqual(['button', '移除所在单位软件工程 2301 班']);
    expect([attributeOf(page, '.observed-remove', 'ariaRole'), attributeOf(page, '.observed-remove', 'ariaLabel')]).toEqual(['button', '取消关注计算机学院']);
    page.unmount();
  });

  it('removes a unit with its remove button and saves without it', async () => {
    const twoUnits = { ...lin, units: [...lin.units, { id: 'unit-2', name: '羽毛球社', kind: 'group' as const, path: '校团委/羽毛球社' }] };
    const { page, backend } = await open(
      { 'directory.member': () => ok(twoUnits), 'members.update': () => ok({ ...lin, rev: 'r2' }) },
      { id: 'm1' },
      '校团委 / 羽毛球社',
    );

    await page.tap(page.root.querySelectorAll('.unit-remove')[1].dom);
    await page.tap('保存');

    await waitFor(() => backend.callsOf('members.update').length > 0, 'members.update');
    expect(backend.callsOf('members.update')[0].request).toEqual({ memberId: 'm1', rev: 'r1', member: { unitIds: ['unit-1'] } });
    page.unmount();
  });

  it.each([
    ['MEMBER_NUMBER_TAKEN', '.field-number', '该学号/工号已被其他成员使用'],
    ['PHONE_INVALID', '.field-phone', '手机号格式不正确'],
  ] as const)('shows %s on its field', async (code, selector, text) => {
    const { page } = await open({ 'directory.member': () => ok(lin), 'members.update': () => fail(code) }, { id: 'm1' }, '在册 · 已绑定账号');

    await trigger(page, '.field-number', 'change', '2023009');
    await page.tap('保存');

    await waitFor(() => page.queryByText(text), text);
    expect(page.root.querySelector(selector)?.dom.textContent).toContain(text);
    page.unmount();
  });

  it('asks before unbinding, then shows the member unbound', async () => {
    const { page, backend } = await open(
      { 'directory.member': () => ok(lin), 'members.unbind': () => ok({ ...lin, bound: false, userId: null, rev: 'r2' }) },
      { id: 'm1' },
      '解除绑定',
    );

    await page.tap('解除绑定');
    await shown(page, '.confirm-dialog', '确定解除吗');
    await page.tap(textIn(page, '.confirm-dialog', '确定'));

    await waitFor(() => page.queryByText('已解除绑定'), 'the confirmation');
    expect(backend.callsOf('members.unbind').map((c) => c.request)).toEqual([{ memberId: 'm1' }]);
    expect(page.text()).toContain('在册 · 未绑定账号');
    expect(rowTexts(page, '.actions')).toEqual(['停用']);
    page.unmount();
  });

  it('deactivates after confirmation, then offers 恢复', async () => {
    const { page, backend } = await open(
      {
        'directory.member': () => ok(lin),
        'members.deactivate': () => ok({ ...lin, active: false, rev: 'r2' }),
        'members.restore': () => ok({ ...lin, active: true, rev: 'r3' }),
      },
      { id: 'm1' },
      '停用',
    );

    await page.tap('停用');
    await shown(page, '.confirm-dialog', '确定停用吗');
    await page.tap(textIn(page, '.confirm-dialog', '确定'));
    await waitFor(() => page.queryByText('恢复'), 'the restore button');
    expect(page.text()).toContain('已停用 · 已绑定账号');

    await page.tap('恢复');

    await waitFor(() => page.queryByText('已恢复'), 'the restored member');
    expect(backend.calls.map((c) => c.action)).toEqual(['directory.member', 'members.deactivate', 'members.restore']);
    page.unmount();
  });

  it('sets the observed units by picking one in the tree', async () => {
    const observed: MemberDetail = { ...lin, observes: [{ id: 'college-1', name: '计算机学院', kind: 'college', path: '计算机学院' }], rev: 'r2' };
    const { page, backend } = await open(
      {
        'directory.member': () => ok(lin),
        'units.root': () => ok(root),
        'units.children': (request) => pageOf(request.parentId === 'root' ? [college] : []),
        'observers.set': () => ok(observed),
      },
      { id: 'm1' },
      '设置关注单位',
    );
    expect(page.text()).toContain('未关注任何单位');

    await page.tap('设置关注单位');
    await shown(page, '.unit-picker', '计算机学院');
    await page.tap(textIn(page, '.unit-picker', '计算机学院'));
    await shown(page, '.unit-picker', '信通大学/计算机学院');
    await page.tap(textIn(page, '.unit-picker', '选择此单位'));

    await waitFor(() => page.queryByText('关注单位已更新'), 'the confirmation');
    expect(backend.callsOf('observers.set').map((c) => c.request)).toEqual([{ memberId: 'm1', unitIds: ['college-1'] }]);
    expect(page.text()).not.toContain('未关注任何单位');
    page.unmount();
  });
});

describe('creating a member', () => {
  it('starts in the unit it was opened from and creates the member with the form', async () => {
    const created = detail({ id: 'm9', name: '周七', number: '2023007', phone: null, bound: false });
    const { page, backend } = await open(
      { 'units.get': () => ok(unit()), 'members.create': () => ok(created), 'directory.member': () => ok(created) },
      { unitId: 'unit-1', unitName: encodeURIComponent('软件工程 2301 班') },
      '计算机学院 / 软件工程 2301 班',
    );
    expect(rowTexts(page, '.actions')).toEqual([]);
    expect(page.text()).not.toContain('关注单位');

    await trigger(page, '.field-name', 'change', ' 周七 ');
    await trigger(page, '.field-number', 'change', '2023007');
    await page.tap('保存');

    await waitFor(() => backend.callsOf('members.create').length > 0, 'members.create');
    expect(backend.callsOf('members.create').map((c) => c.request)).toEqual([
      { member: { name: '周七', number: '2023007', phone: null, kind: 'student', unitIds: ['unit-1'], title: null, wecomUserId: null } },
    ]);
    await waitFor(() => page.queryByText('在册 · 未绑定账号'), 'the member in edit mode');
    page.unmount();
  });

  it('asks for the name and number before calling the backend', async () => {
    const { page, backend } = await open({}, {}, '保存');

    await page.tap('保存');

    await waitFor(() => page.queryByText('请输入姓名'), 'the name message');
    expect(page.text()).toContain('请输入学号');
    expect(backend.calls).toHaveLength(0);
    page.unmount();
  });
});
