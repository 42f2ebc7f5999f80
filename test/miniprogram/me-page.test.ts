/**
 * @jest-environment jsdom
 */
import { FIELD_LIMITS } from '../../typings/limits';
import type { AccountView } from '../../typings';
import { renderPage, waitFor, wx, type RenderedPage } from '../helpers/simulate';
import { account, cloudMore, fail, installBackend, installStorage, ok, wxMore, type Handlers, type UploadOptions } from './fake-backend';
import { attributeOf, exists, trigger } from './page-helpers';

const ME = 'pages/me/index';

const me = account({
  id: 'u-me',
  nickname: '小林',
  roles: ['member', 'publisher'],
  member: { id: 'm1', name: '林一', number: '2023001', kind: 'student', unitNames: ['计算机学院', '软件工程 2301 班'], active: true },
  wecom: { corpId: 'corp1', userId: 'linyi' },
  organisation: { name: '信通大学' },
});
const admin = account({ id: 'u-admin', nickname: '王老师', roles: ['member', 'admin'] });

/** The fake backend of these tests: an admin exists (no first-admin setup open) unless a test says otherwise. */
function backendWith(handlers: Handlers) {
  return installBackend({ 'roles.bootstrapOpen': () => ok({ bootstrapOpen: false }), ...handlers });
}

function signedInAs(value: AccountView) {
  return () => ok({ account: value, created: false });
}

async function open(value: AccountView): Promise<RenderedPage> {
  const page = renderPage(ME);
  await waitFor(() => page.queryByText(value.nickname ?? '微信用户'), 'the profile');
  return page;
}

beforeEach(() => {
  installStorage();
});

afterEach(() => jest.restoreAllMocks());

describe('我的 page', () => {
  it('signs in, then shows the nickname, roles, roster member, WeCom link and organisation', async () => {
    const backend = backendWith({ login: signedInAs(me) });

    const page = renderPage(ME);
    expect(page.text()).toContain('加载中');
    await waitFor(() => page.queryByText('小林'), 'the nickname');

    const text = page.text();
    expect(page.getByText('发布者')).toBeTruthy();
    expect(page.getByText('成员')).toBeTruthy();
    expect(text).toContain('林一');
    expect(text).toContain('学号 2023001 · 计算机学院 / 软件工程 2301 班');
    expect(page.getByText('企业微信')).toBeTruthy();
    expect(text).toContain('已关联（linyi）');
    expect(page.getByText('信通大学')).toBeTruthy();
    expect(page.queryByText('管理员')).toBeNull();
    expect(text).not.toContain('角色管理');
    expect(text).not.toContain('加载中');
    expect(exists(page, '.avatar__image')).toBe(false);
    expect(backend.calls.map((c) => c.action)).toEqual(['login', 'roles.bootstrapOpen']);
    page.unmount();
  });

  it('names a new account 微信用户 and says it is not bound to the roster', async () => {
    backendWith({ login: signedInAs(account({ nickname: null, member: null, wecom: null })) });

    const page = await open(account({ nickname: null }));

    expect(page.getByText('微信用户')).toBeTruthy();
    expect(page.getByText('未绑定花名册')).toBeTruthy();
    expect(page.queryByText('企业微信')).toBeNull();
    page.unmount();
  });

  it('shows 角色管理 only to admins, and tapping it opens the roles page', async () => {
    backendWith({ login: signedInAs(admin) });
    const navigateTo = jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);

    const page = await open(admin);
    expect(page.getByText('管理员')).toBeTruthy();
    expect(page.queryByText('首位管理员初始化')).toBeNull();

    await page.tap('角色管理');

    await waitFor(() => navigateTo.mock.calls.length > 0, 'a navigation');
    expect(navigateTo.mock.calls[0][0]).toMatchObject({ url: '/packages/admin/pages/roles/index' });
    page.unmount();
  });

  it('offers 提案办理 to admins only, opening the handlers\' desk', async () => {
    backendWith({ login: signedInAs(me) });
    const member = await open(me);
    expect(member.queryByText('提案办理')).toBeNull();
    member.unmount();

    // Signed out again, so the next page signs in as the admin.
    installStorage();
    backendWith({ login: signedInAs(admin) });
    const navigateTo = jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
    const page = await open(admin);
    await page.tap('提案办理');
    await waitFor(() => navigateTo.mock.calls.length > 0, 'a navigation');
    expect(navigateTo.mock.calls[0][0]).toMatchObject({ url: '/packages/admin/pages/proposal-desk/index' });
    page.unmount();
  });

  it('shows the error with a retry button when signing in fails, and retrying shows the profile', async () => {
    let attempts = 0;
    backendWith({ login: () => (++attempts === 1 ? fail('NETWORK_ERROR', 'x') : ok({ account: me, created: false })) });

    const page = renderPage(ME);
    await waitFor(() => page.queryByText('网络异常，请稍后重试'), 'the error');
    expect(page.text()).not.toContain('小林');

    await page.tap('重试');

    await waitFor(() => page.queryByText('小林'), 'the profile after retrying');
    expect(page.queryByText('重试')).toBeNull();
    expect(attempts).toBe(2);
    page.unmount();
  });
});

describe('changing the avatar', () => {
  it('uploads the chosen file under avatars/<id>/, saves its file id with profile.update and shows it', async () => {
    const fileID = 'cloud://local.bucket/avatars/u-me/1700000000000.png';
    const backend = backendWith({
      login: signedInAs(me),
      'profile.update': (request) => ok({ ...me, avatarFileId: request.avatarFileId as string }),
    });
    const upload = jest.spyOn(wxMore, 'uploadFile').mockImplementation((options: UploadOptions) => {
      setTimeout(() => options.success?.({ statusCode: 200, data: JSON.stringify({ fileID }) }), 0);
      return {};
    });
    const cloudUpload = jest.spyOn(cloudMore, 'uploadFile');
    const page = await open(me);

    await trigger(page, '.avatar', 'chooseavatar', { avatarUrl: 'http://tmp/chosen.png' });

    await waitFor(() => backend.callsOf('profile.update').length > 0, 'profile.update');
    expect(upload).toHaveBeenCalledTimes(1);
    expect(upload.mock.calls[0][0].filePath).toBe('http://tmp/chosen.png');
    expect(upload.mock.calls[0][0].formData?.cloudPath).toMatch(/^avatars\/u-me\/\d+\.png$/);
    expect(cloudUpload).not.toHaveBeenCalled();
    expect(backend.callsOf('profile.update')[0].request).toEqual({ avatarFileId: fileID });

    await waitFor(() => attributeOf(page, '.avatar__image', 'src') === 'http://127.0.0.1:3900/storage/files/avatars/u-me/1700000000000.png', 'the new avatar');
    page.unmount();
  });

  it('says the upload failed and saves nothing when the upload fails', async () => {
    const backend = backendWith({ login: signedInAs(me) });
    jest.spyOn(wxMore, 'uploadFile').mockImplementation((options: UploadOptions) => {
      setTimeout(() => options.fail?.({ errMsg: 'uploadFile:fail' }), 0);
      return {};
    });
    const page = await open(me);

    await trigger(page, '.avatar', 'chooseavatar', { avatarUrl: 'http://tmp/chosen.png' });

    await waitFor(() => page.queryByText('头像上传失败，请稍后重试'), 'the failure');
    expect(backend.callsOf('profile.update')).toHaveLength(0);
    expect(exists(page, '.avatar__image')).toBe(false);
    page.unmount();
  });

  it('shows the reason when the backend refuses the avatar', async () => {
    backendWith({ login: signedInAs(me), 'profile.update': () => fail('AVATAR_INVALID') });
    jest.spyOn(wxMore, 'uploadFile').mockImplementation((options: UploadOptions) => {
      setTimeout(() => options.success?.({ statusCode: 200, data: JSON.stringify({ fileID: 'cloud://x/avatars/other/1.png' }) }), 0);
      return {};
    });
    const page = await open(me);

    await trigger(page, '.avatar', 'chooseavatar', { avatarUrl: 'http://tmp/chosen.png' });

    await waitFor(() => page.queryByText('头像文件无效，请重新选择'), 'the refusal');
    page.unmount();
  });
});

describe('changing the nickname', () => {
  it('saves a changed nickname when the field loses focus, and shows it', async () => {
    const backend = backendWith({
      login: signedInAs(me),
      'profile.update': (request) => ok({ ...me, nickname: request.nickname as string }),
    });
    const toast = jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
    const page = await open(me);

    await trigger(page, '.nickname', 'blur', { value: '  林同学 ' });

    await waitFor(() => page.queryByText('林同学'), 'the new nickname');
    expect(backend.callsOf('profile.update').map((c) => c.request)).toEqual([{ nickname: '林同学' }]);
    expect(page.queryByText('小林')).toBeNull();
    expect(toast.mock.calls[0][0]).toMatchObject({ title: '昵称已保存' });
    page.unmount();
  });

  it('saves on confirm too, but not again for the blur that follows', async () => {
    const backend = backendWith({
      login: signedInAs(me),
      'profile.update': (request) => ok({ ...me, nickname: request.nickname as string }),
    });
    jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
    const page = await open(me);

    await trigger(page, '.nickname', 'confirm', { value: '林同学' });
    await trigger(page, '.nickname', 'blur', { value: '林同学' });

    await waitFor(() => page.queryByText('林同学'), 'the new nickname');
    await trigger(page, '.nickname', 'blur', { value: '林同学' });
    expect(backend.callsOf('profile.update')).toHaveLength(1);
    page.unmount();
  });

  it('does not call the backend for an unchanged, empty or too long nickname, and says why', async () => {
    const backend = backendWith({ login: signedInAs(me) });
    const page = await open(me);

    await trigger(page, '.nickname', 'blur', { value: '小林' });
    await backend.idle();
    expect(backend.calls.map((c) => c.action)).toEqual(['login', 'roles.bootstrapOpen']);

    await trigger(page, '.nickname', 'blur', { value: '   ' });
    await waitFor(() => page.queryByText('昵称不能为空'), 'the empty message');

    await trigger(page, '.nickname', 'blur', { value: '好'.repeat(FIELD_LIMITS.nickname + 1) });
    await waitFor(() => page.queryByText(`昵称最多 ${FIELD_LIMITS.nickname} 个字`), 'the length message');

    expect(backend.callsOf('profile.update')).toHaveLength(0);
    page.unmount();
  });

  it('shows 内容不合规 when the content check rejects the nickname, keeping the old one', async () => {
    backendWith({
      login: signedInAs(me),
      'profile.update': () => fail('CONTENT_RISKY', '昵称包含不合规内容，请修改后重试'),
    });
    const page = await open(me);

    await trigger(page, '.nickname', 'blur', { value: '不当昵称' });

    await waitFor(() => page.queryByText('内容不合规，请修改后重试'), 'the refusal');
    expect(page.getByText('小林')).toBeTruthy();
    page.unmount();
  });

  it("shows the server's message for other input errors", async () => {
    backendWith({ login: signedInAs(me), 'profile.update': () => fail('INVALID_INPUT', '昵称需为 1-32 个字符') });
    const page = await open(me);

    await trigger(page, '.nickname', 'blur', { value: '新名字' });

    await waitFor(() => page.queryByText('昵称需为 1-32 个字符'), 'the server message');
    page.unmount();
  });
});

describe('首位管理员 bootstrap', () => {
  const open_ = { 'roles.bootstrapOpen': () => ok({ bootstrapOpen: true }) } as const;

  it('is offered to a member only while the backend says it can work (no admin yet)', async () => {
    const closed = backendWith({ login: signedInAs(me) });
    const page = await open(me);
    await waitFor(() => closed.callsOf('roles.bootstrapOpen').length === 1, 'the bootstrap check');
    await closed.idle();
    expect(page.queryByText('首位管理员初始化')).toBeNull();
    page.unmount();

    backendWith({ ...open_, login: signedInAs(me) });
    const offered = await open(me);
    await waitFor(() => offered.queryByText('首位管理员初始化'), 'the bootstrap link');
    offered.unmount();
  });

  it('is never offered to an admin, who is not asked about it', async () => {
    const backend = backendWith({ ...open_, login: signedInAs(admin) });
    const page = await open(admin);
    await waitFor(() => page.queryByText('角色管理'), 'the admin entry');
    expect(page.queryByText('首位管理员初始化')).toBeNull();
    expect(backend.callsOf('roles.bootstrapOpen')).toHaveLength(0);
    page.unmount();
  });

  async function submitCode(page: RenderedPage, code: string) {
    await waitFor(() => page.queryByText('首位管理员初始化'), 'the bootstrap link');
    await page.tap('首位管理员初始化');
    await waitFor(() => exists(page, '.bootstrap__code'), 'the code field');
    await trigger(page, '.bootstrap__code', 'change', code);
    await page.tap('确认');
  }

  it.each([
    ['BOOTSTRAP_CODE_INVALID', '初始化码不正确'],
    ['BOOTSTRAP_CLOSED', '已有管理员，请联系管理员授予角色'],
  ] as const)('sends the code with roles.bootstrap and explains %s', async (code, message) => {
    const backend = backendWith({ ...open_, login: signedInAs(me), 'roles.bootstrap': () => fail(code) });
    const page = await open(me);

    await submitCode(page, ' BOOT-1 ');

    await waitFor(() => page.queryByText(message), message);
    expect(backend.callsOf('roles.bootstrap').map((c) => c.request)).toEqual([{ code: 'BOOT-1' }]);
    expect(page.text()).not.toContain('角色管理');
    page.unmount();
  });

  it('makes the caller an admin: the link goes and 角色管理 appears', async () => {
    backendWith({ ...open_, login: signedInAs(me), 'roles.bootstrap': () => ok({ ...me, roles: ['member', 'admin', 'publisher'] }) });
    jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
    const page = await open(me);

    await submitCode(page, 'BOOT-1');

    await waitFor(() => page.queryByText('角色管理'), 'the admin entry');
    expect(page.getByText('管理员')).toBeTruthy();
    expect(page.queryByText('首位管理员初始化')).toBeNull();
    page.unmount();
  });

  it('asks for a code instead of sending an empty one', async () => {
    const backend = backendWith({ ...open_, login: signedInAs(me) });
    const page = await open(me);

    await waitFor(() => page.queryByText('首位管理员初始化'), 'the bootstrap link');
    await page.tap('首位管理员初始化');
    await waitFor(() => exists(page, '.bootstrap__code'), 'the code field');
    await page.tap('确认');

    await waitFor(() => page.queryByText('请输入初始化码'), 'the prompt');
    expect(backend.callsOf('roles.bootstrap')).toHaveLength(0);
    page.unmount();
  });
});
