/**
 * @jest-environment jsdom
 */
import { FIELD_LIMITS } from '../../typings/limits';
import type { AppError, AudienceInput, NoticeInput } from '../../typings';
import { renderPage, waitFor, watchSetData, wx, type RenderedPage } from '../helpers/simulate';
import { account, fail, heldUploads, installBackend, installStorage, ok, storedSession, wxMore, type FakeBackend, type Handlers } from './fake-backend';
import { card, college, pageOf, root, rowTexts, settled, shown, unit, unitPickerComponents } from './org-fixtures';
import { managedDetail, reachOf } from './notice-fixtures';
import { attributeOf, textIn, trigger } from './page-helpers';
import './simulate-polyfills';

const COMPOSE = 'packages/admin/pages/notice-compose/index';
const { CHOSEN_SHOWN } = jest.requireActual<{ CHOSEN_SHOWN: number }>('../../miniprogram/utils/notice-compose-view');
const nodes = (page: RenderedPage) => (page.root.dom as unknown as { querySelectorAll(s: string): ArrayLike<unknown> }).querySelectorAll('*').length;
const software = unit({ id: 'class-1', name: '软件工程 2301 班', parentId: 'college-1', path: ['计算机学院', '软件工程 2301 班'] });

interface PickedFile {
  path: string;
  name: string;
  size: number;
}

const wxFiles = wx as unknown as {
  chooseMessageFile(options: { count: number; extension?: string[]; success?(res: { tempFiles: PickedFile[] }): void }): void;
  chooseMedia(options: { count: number; mediaType?: string[]; success?(res: { tempFiles: { tempFilePath: string; size: number }[] }): void }): void;
  redirectTo(options: { url: string }): void;
};

function choosesDocuments(files: PickedFile[]) {
  return jest.spyOn(wxFiles, 'chooseMessageFile').mockImplementation((options) => {
    setTimeout(() => options.success?.({ tempFiles: files }), 0);
  });
}

function choosesImages(files: { tempFilePath: string; size: number }[]) {
  return jest.spyOn(wxFiles, 'chooseMedia').mockImplementation((options) => {
    setTimeout(() => options.success?.({ tempFiles: files }), 0);
  });
}


function defaultHandlers(): Handlers {
  return {
    'units.root': () => ok(root),
    'units.children': (request) => pageOf(request.parentId === 'root' ? [college] : request.parentId === 'college-1' ? [software] : []),
    reach: () => ok(reachOf()),
  };
}

async function open(handlers: Handlers = {}, query: Record<string, string> = {}, first = '存草稿'): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend({ ...defaultHandlers(), ...handlers });
  const page = renderPage(COMPOSE, { query, usingComponents: unitPickerComponents() });
  await waitFor(() => page.queryByText(first), first);
  return { page, backend };
}

/** Picks 计算机学院 in the unit picker, then closes it with 完成. */
async function pickCollege(page: RenderedPage): Promise<void> {
  await page.tap('选择单位（含下级单位）');
  await shown(page, '.unit-picker', '计算机学院');
  await page.tap(textIn(page, '.unit-picker', '计算机学院'));
  await shown(page, '.unit-picker', '信通大学/计算机学院');
  await page.tap(textIn(page, '.unit-picker', '选择此单位'));
  await shown(page, '.unit-picker', '取消选择此单位');
  await page.tap(textIn(page, '.unit-picker', '完成'));
}

async function fillTitle(page: RenderedPage, title = '关于期末考试安排的通知'): Promise<void> {
  await trigger(page, '.field-title', 'change', title);
}

const inputOf = (backend: FakeBackend, action: 'publish' | 'drafts.save') => backend.callsOf(action).map((call) => call.request.input as NoticeInput);

/** Taps a cell (a switch row, a search result) whose title has a label below it, so no element reads the title alone. */
async function tapCell(page: RenderedPage, selector: string, index = 0): Promise<void> {
  const host = page.root.querySelectorAll(selector)[index];
  if (!host) throw new Error(`nothing matches ${selector}`);
  const inner = (host.dom as unknown as { querySelector(selector: string): unknown }).querySelector('[class~="van-cell--van-cell"]');
  await page.tap(inner as Parameters<RenderedPage['tap']>[0]);
}

const textOf = (page: RenderedPage, selector: string) => (page.root.querySelector(selector)?.dom.textContent ?? '').replace(/\s+/g, ' ').trim();

beforeEach(() => {
  installStorage(storedSession(account({ id: 'u-admin', roles: ['admin'], member: null, nickname: '王老师' }), Date.now()));
  jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
  jest.spyOn(wxFiles, 'redirectTo').mockImplementation(() => undefined);
  jest.spyOn(wx as unknown as { setNavigationBarTitle(o: unknown): void }, 'setNavigationBarTitle').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('composing a new notice', () => {
  it('reads every limit from FIELD_LIMITS and says how the body is marked up', async () => {
    const { page } = await open();

    expect(String(attributeOf(page, '.field-title', 'maxlength'))).toBe(String(FIELD_LIMITS.noticeTitle));
    expect(String(attributeOf(page, '.field-body', 'maxlength'))).toBe(String(FIELD_LIMITS.noticeBody));
    expect(page.text()).toContain('空一行即分段；**文字** 显示为粗体');
    expect(page.text()).toContain(`附件（0/${FIELD_LIMITS.noticeAttachments}）`);

    // Characters as people count them: the emoji is one, not two UTF-16 units.
    await trigger(page, '.field-body', 'change', '第一段😀');
    expect(textOf(page, '.body-foot__count')).toBe(`4/${FIELD_LIMITS.noticeBody}`);
    page.unmount();
  });

  it('shows how far the chosen units reach, per unit and with phones, and asks again when the audience changes', async () => {
    const { page, backend } = await open({
      reach: (request) =>
        request.audience.all
          ? ok(reachOf({ total: 800, withPhone: 640, units: [] }))
          : ok(reachOf({ members: request.audience.memberIds.length ? { total: 1, withPhone: 0 } : { total: 0, withPhone: 0 } })),
    });
    expect(page.text()).toContain('选择发送范围后，这里显示能通知到多少人');
    expect(backend.callsOf('reach')).toHaveLength(0);

    await pickCollege(page);

    await waitFor(() => page.queryByText('共 120 人，其中 100 人有手机号'), 'the reach');
    expect(rowTexts(page, '.reach__row')).toEqual(['计算机学院120 人 · 100 人有手机号']);
    expect(rowTexts(page, '.unit-chip')).toEqual(['计算机学院']);

    await tapCell(page, '.toggle-all');
    await waitFor(() => page.queryByText('共 800 人，其中 640 人有手机号'), 'the reach of everyone');
    expect(backend.callsOf('reach').map((call) => call.request)).toEqual([
      { audience: { all: false, unitIds: ['college-1'], memberIds: [] }, kind: 'notice' },
      { audience: { all: true, unitIds: [], memberIds: [] }, kind: 'notice' },
    ]);
    page.unmount();
  });

  it('chooses several units in one visit of the picker, marks them, and unchooses one', async () => {
    const { page, backend } = await open();

    await pickCollege(page);
    await page.tap('继续选择单位');
    await shown(page, '.unit-picker', '软件工程 2301 班');
    await page.tap(textIn(page, '.unit-picker', '软件工程 2301 班'));
    await shown(page, '.unit-picker', '信通大学/计算机学院/软件工程 2301 班');
    await page.tap(textIn(page, '.unit-picker', '选择此单位'));
    await waitFor(() => rowTexts(page, '.unit-chip').length === 2, 'two units');

    // Back in the college: its class is marked, and the college itself can be unchosen.
    await page.tap(textIn(page, '.unit-picker', '计算机学院'));
    await waitFor(() => textOf(page, '.unit-picker').includes('软件工程 2301 班班级已选'), 'the marked class');
    await page.tap(textIn(page, '.unit-picker', '取消选择此单位'));
    await waitFor(() => rowTexts(page, '.unit-chip').length === 1, 'one unit');
    expect(rowTexts(page, '.unit-chip')).toEqual(['计算机学院 /软件工程 2301 班']);
    await backend.idle();
    expect(backend.callsOf('reach').at(-1)?.request.audience).toEqual({ all: false, unitIds: ['class-1'], memberIds: [] });
    page.unmount();
  });

  it('adds chosen people found by name and counts them in the reach', async () => {
    const { page, backend } = await open({
      'members.search': () => pageOf([card({ id: 'm1', name: '林一', number: '2023001' }), card({ id: 'm2', name: '林二', number: '2023002' })]),
      reach: (request) => ok(reachOf({ total: request.audience.memberIds.length, withPhone: 0, units: [], members: { total: request.audience.memberIds.length, withPhone: 0 } })),
    });

    await trigger(page, '.person-search', 'search', '林');
    await waitFor(() => rowTexts(page, '.person-result').length === 2, 'the results');
    expect(backend.callsOf('members.search').map((call) => call.request)).toEqual([{ query: '林', status: 'active' }]);

    await tapCell(page, '.person-result', 1);
    await waitFor(() => page.queryByText('共 1 人，其中 0 人有手机号'), 'the reach of one person');
    expect(rowTexts(page, '.person-chip')).toEqual(['林二2023002']);
    expect(rowTexts(page, '.person-result')).toEqual(['林一2023001添加', '林二2023002已添加，点按取消']);
    expect(backend.callsOf('reach').at(-1)?.request).toEqual({ audience: { all: false, unitIds: [], memberIds: ['m2'] }, kind: 'notice' });

    // Tapped again, the result takes the person out.
    await tapCell(page, '.person-result', 1);
    await waitFor(() => rowTexts(page, '.person-chip').length === 0, 'the person removed');
    await tapCell(page, '.person-result', 1);
    await waitFor(() => rowTexts(page, '.person-chip').length === 1, 'the person added again');

    // 公告 go to units only: the chosen people are not sent, and no longer shown.
    await trigger(page, '.field-kind', 'change', 'announcement');
    expect(page.queryByText('林二')).toBeNull();
    expect(page.text()).toContain('公告发给所选单位');
    page.unmount();
  });

  it('says why a publisher cannot search people by name instead of failing silently', async () => {
    const { page } = await open({ 'members.search': () => fail('FORBIDDEN') });

    await trigger(page, '.person-search', 'search', '林');

    await waitFor(() => page.queryByText('按姓名添加成员需要管理员权限，可改为选择单位'), 'the note');
    page.unmount();
  });

  it('publishes with one request id, navigates to the readers, and sends everything the form holds', async () => {
    const published = managedDetail({ id: 'n9', status: 'published', publishedAt: '2024-06-01 10:00' });
    const { page, backend } = await open({ publish: () => ok(published) });

    await fillTitle(page, '  关于期末考试安排的通知 ');
    await trigger(page, '.field-body', 'change', '各位同学：\n\n请按时参加。');
    await pickCollege(page);
    await tapCell(page, '.toggle-confirm');
    await trigger(page, '.deadline-date', 'change', { value: '2099-06-20' });
    await trigger(page, '.deadline-time', 'change', { value: '17:30' });
    await page.tap('发布');

    await waitFor(() => (wxFiles.redirectTo as jest.Mock).mock.calls.length > 0, 'the navigation');
    expect((wxFiles.redirectTo as jest.Mock).mock.calls[0][0]).toEqual({ url: '/pages/notice-readers/index?id=n9' });
    const [call] = backend.callsOf('publish');
    expect(call.request.requestId).toMatch(/^r[0-9a-z]+$/);
    expect(call.request.noticeId).toBeUndefined();
    expect(call.request.input).toEqual({
      kind: 'notice',
      title: '关于期末考试安排的通知',
      body: '各位同学：\n\n请按时参加。',
      attachments: [],
      audience: { all: false, unitIds: ['college-1'], memberIds: [] },
      requiresConfirm: true,
      deadline: '2099-06-20 17:30',
      pinned: false,
      scheduledAt: null,
    });
    page.unmount();
  });

  it('retries a publish whose reply was lost with the same request id, so it can never publish twice', async () => {
    let replies = 0;
    const { page, backend } = await open({
      publish: () => (++replies === 1 ? fail('NETWORK_ERROR') : ok(managedDetail({ id: 'n9', status: 'published' }))),
    });
    await fillTitle(page);
    await pickCollege(page);

    await page.tap('发布');
    await waitFor(() => page.queryByText('网络异常，请稍后重试'), 'the network message');
    // The author fixes a typo meanwhile: still the same attempt, whose first try may have landed.
    await fillTitle(page, '关于期末考试安排的通知（更正）');
    await page.tap('发布');

    await waitFor(() => backend.callsOf('publish').length === 2, 'the retry');
    const ids = backend.callsOf('publish').map((call) => call.request.requestId);
    expect(ids[1]).toBe(ids[0]);
    await waitFor(() => (wxFiles.redirectTo as jest.Mock).mock.calls.length > 0, 'the navigation');
    page.unmount();
  });

  it('starts a new attempt with a new id once the server refused the last one', async () => {
    let replies = 0;
    const risky: AppError = { code: 'CONTENT_RISKY', message: '内容不合规', field: 'input.title' };
    const { page, backend } = await open({
      publish: () => (++replies === 1 ? { ok: false, error: risky } : ok(managedDetail({ id: 'n9', status: 'published' }))),
    });
    await fillTitle(page);
    await pickCollege(page);

    await page.tap('发布');
    await waitFor(() => textOf(page, '.field-title').includes('内容不合规，请修改后重试'), 'the refusal on the title');
    expect(textOf(page, '.field-body')).not.toContain('内容不合规');

    await fillTitle(page, '期末考试安排');
    expect(textOf(page, '.field-title')).not.toContain('内容不合规');
    await page.tap('发布');

    await waitFor(() => backend.callsOf('publish').length === 2, 'the second attempt');
    const ids = backend.callsOf('publish').map((call) => call.request.requestId);
    expect(ids[1]).not.toBe(ids[0]);
    page.unmount();
  });

  it.each([
    [{ code: 'CONTENT_RISKY', message: '', field: 'input.body' } as AppError, '.field-body', '内容不合规，请修改后重试'],
    [{ code: 'INVALID_INPUT', message: '标题不能超过 64 个字', field: 'input.title' } as AppError, '.field-title', '标题不能超过 64 个字'],
    [{ code: 'NOTICE_AUDIENCE_EMPTY', message: '' } as AppError, '.audience-error', '所选范围内没有在册成员，请重新选择发送范围'],
    [{ code: 'NOTICE_ATTACHMENT_INVALID', message: '', field: 'input.attachments[0].fileId' } as AppError, '.attachments-error', '附件无效，请重新上传'],
  ])('shows %o on its field', async (error, selector, text) => {
    const { page } = await open({ publish: () => ({ ok: false, error }) });
    await fillTitle(page);
    await pickCollege(page);

    await page.tap('发布');

    await waitFor(() => textOf(page, selector).includes(text), `${text} at ${selector}`);
    expect(page.text()).toContain('请先修改标红的内容');
    page.unmount();
  });

  it('asks for a title and an audience before calling the backend', async () => {
    const { page, backend } = await open();

    await page.tap('发布');

    await waitFor(() => page.queryByText('请输入标题'), 'the title message');
    expect(textOf(page, '.audience-error')).toBe('请选择发送范围');
    expect(backend.callsOf('publish')).toHaveLength(0);
    page.unmount();
  });

  it('schedules a publish: the button says 定时发布, the time must be ahead, and it lands in 定时', async () => {
    const { page, backend } = await open({ publish: () => ok(managedDetail({ id: 'n9', status: 'scheduled', scheduledAt: '2099-07-01 08:00' })) });
    await fillTitle(page);
    await pickCollege(page);

    await tapCell(page, '.toggle-schedule');
    expect(page.queryByText('发布')).toBeNull();
    await trigger(page, '.schedule-date', 'change', { value: '2000-01-01' });
    await page.tap('定时发布');
    await waitFor(() => textOf(page, '.schedule-error') === '定时发布的时间需晚于现在', 'the schedule message');
    expect(backend.callsOf('publish')).toHaveLength(0);

    await trigger(page, '.schedule-date', 'change', { value: '2099-07-01' });
    await trigger(page, '.schedule-time', 'change', { value: '08:00' });
    await page.tap('定时发布');

    await waitFor(() => (wxFiles.redirectTo as jest.Mock).mock.calls.length > 0, 'the navigation');
    expect(inputOf(backend, 'publish')[0].scheduledAt).toBe('2099-07-01 08:00');
    expect((wxFiles.redirectTo as jest.Mock).mock.calls[0][0]).toEqual({ url: '/packages/admin/pages/notice-mine/index?status=scheduled' });
    page.unmount();
  });

  it('saves a draft, then saves it again with the id and version the backend gave', async () => {
    let saves = 0;
    const { page, backend } = await open({ 'drafts.save': () => ok(managedDetail({ id: 'd1', rev: `r${++saves}` })) });
    await fillTitle(page);

    await page.tap('存草稿');
    await waitFor(() => (wxMore.showToast as jest.Mock).mock.calls.length === 1, 'the first toast');
    await page.tap('存草稿');
    await waitFor(() => backend.callsOf('drafts.save').length === 2, 'the second save');

    expect(backend.callsOf('drafts.save').map((call) => [call.request.noticeId, call.request.rev])).toEqual([
      [undefined, undefined],
      ['d1', 'r1'],
    ]);
    // A draft may be saved before its audience is chosen.
    expect(inputOf(backend, 'drafts.save')[0].audience).toEqual({ all: false, unitIds: [], memberIds: [] });
    page.unmount();
  });
});

describe('attachments', () => {
  it('uploads each chosen file under the author\'s folder with its progress, and sends it with the notice', async () => {
    const uploads = heldUploads();
    choosesDocuments([{ path: 'wxfile://tmp/a', name: '报名表.xlsx', size: 20 * 1024 }]);
    const { page, backend } = await open({ publish: () => ok(managedDetail({ id: 'n9', status: 'published' })) });

    await page.tap('添加文件');
    await waitFor(() => uploads.pending.length === 1, 'the upload');
    expect(uploads.pending[0].options.formData?.cloudPath).toMatch(/^notice-files\/u-admin\/\d+-[0-9a-z]+-报名表\.xlsx$/);
    expect(textOf(page, '.attachment')).toContain('上传中 0%');

    uploads.progress(0, 42.7);
    await waitFor(() => textOf(page, '.attachment').includes('上传中 40%'), 'the progress');

    // Publishing waits for the upload.
    await fillTitle(page);
    await pickCollege(page);
    await page.tap('发布');
    await waitFor(() => textOf(page, '.attachments-error') === '附件正在上传，请稍候', 'the wait message');
    expect(backend.callsOf('publish')).toHaveLength(0);

    uploads.finish(0, 'cloud://env/notice-files/u-admin/1-报名表.xlsx');
    await waitFor(() => textOf(page, '.attachment') === '报名表.xlsx20 KB', 'the uploaded file');
    await page.tap('发布');

    await waitFor(() => backend.callsOf('publish').length === 1, 'the publish');
    expect(inputOf(backend, 'publish')[0].attachments).toEqual([{ fileId: 'cloud://env/notice-files/u-admin/1-报名表.xlsx', name: '报名表.xlsx', size: 20 * 1024 }]);
    page.unmount();
  });

  it('refuses a file over 10 MB on the device, before any upload', async () => {
    const uploads = heldUploads();
    choosesDocuments([
      { path: 'wxfile://tmp/big', name: '录像说明.pdf', size: FIELD_LIMITS.attachmentBytes + 1 },
      { path: 'wxfile://tmp/ok', name: '说明.pdf', size: 1024 },
    ]);
    const { page } = await open();

    await page.tap('添加文件');

    await waitFor(() => textOf(page, '.attachments-error') === '「录像说明.pdf」超过 10 MB，不能作为附件', 'the refusal');
    await waitFor(() => uploads.pending.length === 1, 'the one upload');
    expect(uploads.pending[0].options.filePath).toBe('wxfile://tmp/ok');
    expect(rowTexts(page, '.attachment__name')).toEqual(['说明.pdf']);
    page.unmount();
  });

  it('names photos, offers only what room is left, and retries or removes a failed upload', async () => {
    const uploads = heldUploads();
    const media = choosesImages([{ tempFilePath: 'wxfile://tmp/p.PNG', size: 300 * 1024 }]);
    const { page } = await open();

    await page.tap('添加图片');
    await waitFor(() => uploads.pending.length === 1, 'the upload');
    expect(media.mock.calls[0][0]).toMatchObject({ count: FIELD_LIMITS.noticeAttachments, mediaType: ['image'] });
    expect(rowTexts(page, '.attachment__name')).toEqual(['图片1.png']);

    uploads.fail(0);
    await waitFor(() => page.queryByText('上传失败'), 'the failure');
    await page.tap('重试');
    await waitFor(() => uploads.pending.length === 2, 'the second upload');
    uploads.finish(1, 'cloud://env/notice-files/u-admin/2-p.png');
    await waitFor(() => textOf(page, '.attachment') === '图片1.png300 KB', 'the uploaded photo');

    await page.tap(page.root.querySelector('.attachment__remove')!.dom);
    expect(rowTexts(page, '.attachment')).toEqual([]);
    page.unmount();
  });
});

describe('preview', () => {
  it('shows the notice as a reader will: title, tags, paragraphs with emphasis, attachments', async () => {
    const uploads = heldUploads();
    choosesDocuments([{ path: 'wxfile://tmp/a', name: '考场安排.pdf', size: 1536 * 1024 }]);
    const { page } = await open();
    await trigger(page, '.field-kind', 'change', 'announcement');
    await fillTitle(page, '期末考试安排');
    await trigger(page, '.field-body', 'change', '各位同学：\n请注意\n\n\n考试 **6 月 20 日** 开始。');
    await tapCell(page, '.toggle-pinned');
    await tapCell(page, '.toggle-confirm');
    await page.tap('添加文件');
    await waitFor(() => uploads.pending.length === 1, 'the upload');
    uploads.finish(0, 'cloud://env/notice-files/u-admin/1-考场安排.pdf');
    await waitFor(() => page.queryByText('1.5 MB'), 'the uploaded file');

    await page.tap('预览');

    await shown(page, '.preview-popup', '期末考试安排');
    expect(textOf(page, '.preview__title')).toBe('期末考试安排');
    expect(rowTexts(page, '.preview__tags')).toEqual(['公告置顶需确认']);
    expect(textOf(page, '.preview__meta')).toBe('王老师 · 发布后显示时间');
    expect(rowTexts(page, '.preview__paragraph')).toEqual(['各位同学：请注意', '考试 6 月 20 日 开始。']);
    expect(rowTexts(page, '.preview__line')).toEqual(['各位同学：', '请注意', '考试 6 月 20 日 开始。']);
    expect(rowTexts(page, '.preview__strong')).toEqual(['6 月 20 日']);
    expect(rowTexts(page, '.preview__attachment')).toEqual(['考场安排.pdf1.5 MB']);

    await page.tap(page.root.querySelector('.preview__close')!.dom);
    await waitFor(() => attributeOf(page, '.preview-popup', 'show') === false, 'the preview to close');
    page.unmount();
  });
});

describe('continuing a draft and editing a published notice', () => {
  it('opens a draft with its content and audience, and publishes it with its id and version', async () => {
    const draft = managedDetail(
      { id: 'd1', rev: 'r5', status: 'draft' },
      { attachments: [{ fileId: 'cloud://env/notice-files/u-admin/1-a.pdf', name: '安排.pdf', size: 2048 }] },
    );
    const { page, backend } = await open({ manage: () => ok(draft), publish: () => ok(managedDetail({ id: 'd1', status: 'published' })) }, { id: 'd1' });

    await waitFor(() => page.queryByText('共 120 人，其中 100 人有手机号'), 'the reach');
    expect(attributeOf(page, '.field-title', 'value')).toBe('关于期末考试安排的通知');
    expect(rowTexts(page, '.unit-chip')).toEqual(['计算机学院']);
    expect(rowTexts(page, '.attachment')).toEqual(['安排.pdf2 KB']);

    await page.tap('发布');

    await waitFor(() => backend.callsOf('publish').length === 1, 'the publish');
    const [call] = backend.callsOf('publish');
    expect([call.request.noticeId, call.request.rev]).toEqual(['d1', 'r5']);
    expect((call.request.input as NoticeInput).attachments).toEqual(draft.input.attachments);
    page.unmount();
  });

  it('edits a published notice: only what may change, with its version; the audience is read only', async () => {
    const notice = managedDetail({ id: 'n1', rev: 'r2', status: 'published', publishedAt: '2024-06-01 10:00' });
    const { page, backend } = await open({ manage: () => ok(notice), edit: () => ok({ ...notice, rev: 'r3', title: '更正' }) }, { id: 'n1' }, '保存修改');

    expect(page.text()).toContain('发布后不能修改发送范围');
    expect(page.queryByText('存草稿')).toBeNull();
    expect(page.queryByText('定时发布')).toBeNull();
    expect(page.queryByText('选择单位（含下级单位）')).toBeNull();

    await fillTitle(page, '关于期末考试安排的通知（更正）');
    await page.tap('保存修改');

    await waitFor(() => backend.callsOf('edit').length === 1, 'the edit');
    expect(backend.callsOf('edit')[0].request).toEqual({
      noticeId: 'n1',
      rev: 'r2',
      changes: { title: '关于期末考试安排的通知（更正）', body: notice.input.body, attachments: [], deadline: null, pinned: false, requiresConfirm: false },
    });
    await waitFor(() => page.queryByText('已保存，读者会看到「已编辑」'), 'the confirmation');
    page.unmount();
  });

  it('reloads a notice someone else changed meanwhile and says so', async () => {
    let reads = 0;
    const { page, backend } = await open(
      {
        manage: () => ok(managedDetail({ id: 'n1', status: 'published', rev: `r${++reads}` }, { title: reads > 1 ? '他人改过的标题' : '关于期末考试安排的通知' })),
        edit: () => fail('NOTICE_STALE'),
      },
      { id: 'n1' },
      '保存修改',
    );

    await fillTitle(page, '我的修改');
    await page.tap('保存修改');

    await waitFor(() => page.queryByText('该通知刚被他人修改，已重新加载最新内容，请核对后再保存'), 'the message');
    await waitFor(() => attributeOf(page, '.field-title', 'value') === '他人改过的标题', 'the reloaded title');
    expect(backend.callsOf('manage')).toHaveLength(2);
    page.unmount();
  });

  it('shows at most CHOSEN_SHOWN chosen units and reach rows however many are chosen, and counts the rest', async () => {
    const units = Array.from({ length: CHOSEN_SHOWN + 5 }, (_, i) => ({ id: `c${i}`, name: `班级${i}`, path: `计算机学院/班级${i}` }));
    const draft = managedDetail({ id: 'd1', status: 'draft' }, { audience: { all: false, unitIds: units.map((one) => one.id), memberIds: [] } });
    const { page, backend } = await open(
      {
        manage: () => ok({ ...draft, audienceView: { all: false, units, members: [] } }),
        reach: () => ok(reachOf({ total: 350, units: units.map((one) => ({ ...one, total: 10, withPhone: 9 })) })),
      },
      { id: 'd1' },
    );

    await waitFor(() => page.queryByText('共 350 人，其中 100 人有手机号'), 'the reach');
    expect(rowTexts(page, '.unit-chip')).toHaveLength(CHOSEN_SHOWN);
    expect(page.text()).toContain('另有 5 个单位未列出，可在「继续选择单位」中取消');
    expect(rowTexts(page, '.reach__row')).toHaveLength(CHOSEN_SHOWN);
    const sentUnits = () => backend.callsOf('reach').map((call) => (call.request as { audience: AudienceInput }).audience.unitIds);
    expect(sentUnits()[0]).toHaveLength(CHOSEN_SHOWN + 5);

    // Removing a shown unit brings the next one into view; every chosen unit is still sent.
    await page.tap(page.root.querySelector('.unit-chip .remove')!.dom);
    await waitFor(() => backend.callsOf('reach').length === 2, 'the reach asked again');
    expect(sentUnits()[1]).toEqual(units.slice(1).map((one) => one.id));
    expect(page.text()).toContain('另有 4 个单位未列出');
    page.unmount();
  });

  it('stays under 1,000 nodes and small setData with the largest audience, every attachment and a page of search results', async () => {
    const units = Array.from({ length: FIELD_LIMITS.audienceUnits }, (_, i) => ({ id: `c${i}`, name: `班级${i}`, path: `计算机学院/班级${i}` }));
    const members = Array.from({ length: FIELD_LIMITS.audienceMembers }, (_, i) => ({ id: `m${i}`, name: `成员${i}`, number: `2023${i}` }));
    const attachments = Array.from({ length: FIELD_LIMITS.noticeAttachments }, (_, i) => ({ fileId: `cloud://x/notice-files/u-admin/${i}.pdf`, name: `附件${i}.pdf`, size: 2048 }));
    const input = { attachments, audience: { all: false, unitIds: units.map((one) => one.id), memberIds: members.map((one) => one.id) } };
    const sizes: number[] = [];
    const stop = watchSetData((patch) => sizes.push(Buffer.byteLength(JSON.stringify(patch))));
    const { page } = await open(
      {
        manage: () => ok({ ...managedDetail({ id: 'd1', status: 'draft' }, input), audienceView: { all: false, units, members } }),
        reach: () => ok(reachOf({ total: 5000, units: units.map((one) => ({ ...one, total: 25, withPhone: 20 })), members: { total: 1000, withPhone: 900 } })),
        'members.search': () => pageOf(Array.from({ length: 50 }, (_, i) => card({ id: `s${i}`, name: `林${i}` }))),
      },
      { id: 'd1' },
    );
    await waitFor(() => page.queryByText('共 5000 人，其中 100 人有手机号'), 'the reach');
    await trigger(page, '.person-search', 'search', '林');
    await waitFor(() => rowTexts(page, '.person-result').length === 20, 'the results');
    stop();

    expect(nodes(page)).toBeLessThan(1000);
    expect(Math.max(...sizes)).toBeLessThan(64 * 1024);
    page.unmount();
  });

  it.each([
    ['recalled', '该通知已撤回，不能再编辑'],
    ['scheduled', '该通知将于 2099-07-01 08:00 定时发布。如需修改，请先在「我发布的」中撤回定时，它会回到草稿'],
  ] as const)('says a %s notice cannot be edited here, and why', async (status, text) => {
    const { page, backend } = await open({ manage: () => ok(managedDetail({ status, scheduledAt: '2099-07-01 08:00' })) }, { id: 'n1' }, text);
    expect(await settled(page, backend)).not.toContain('保存');
    page.unmount();
  });
});
