/**
 * @jest-environment jsdom
 */
import { FIELD_LIMITS } from '../../typings/limits';
import type { RoomInput, RoomView } from '../../typings';
import { renderPage, waitFor, wx, type RenderedPage } from '../helpers/simulate';
import { account, fail, heldUploads, installBackend, installStorage, ok, storedSession, wxMore, type FakeBackend, type Handlers } from './fake-backend';
import { card, college, pageOf, root, rowTexts, shown, unit, unitPickerComponents } from './org-fixtures';
import { attributeOf, textIn, trigger } from './page-helpers';
import { roomDay, roomView } from './room-fixtures';
import './simulate-polyfills';

const EDIT = 'packages/admin/pages/room-edit/index';
const software = unit({ id: 'class-1', name: '软件工程 2301 班', parentId: 'college-1', path: ['计算机学院', '软件工程 2301 班'] });

const wxMedia = wx as unknown as {
  chooseMedia(options: { count: number; success?(res: { tempFiles: { tempFilePath: string; size: number }[] }): void; fail?(): void }): void;
  previewImage(options: { urls: string[]; current?: string }): void;
  setNavigationBarTitle(options: { title: string }): void;
};


function choosesImage(path = 'wxfile://tmp/room.JPG') {
  jest.spyOn(wxMedia, 'chooseMedia').mockImplementation((options) => {
    setTimeout(() => options.success?.({ tempFiles: [{ tempFilePath: path, size: 2048 }] }), 0);
  });
}

function defaultHandlers(): Handlers {
  return {
    'units.root': () => ok(root),
    'units.children': (request) => pageOf(request.parentId === 'root' ? [college] : request.parentId === 'college-1' ? [software] : []),
    'rooms.save': (request) => ok(savedView(request.room, request.roomId, request.rev)),
  };
}

/** What the server answers for a saved input: the room as everyone reads it, with a new rev. */
function savedView(input: RoomInput, roomId = 'room-new', rev = 'rev-0'): RoomView {
  const { unitIds, approval, ...rest } = input;
  return roomView({
    ...rest,
    id: roomId,
    rev: `${rev}+1`,
    units: unitIds.map((id) => ({ id, name: id === 'college-1' ? '计算机学院' : id })),
    approval: { required: approval.required, approvers: approval.approverIds.map((id) => ({ id, name: id === 'm2' ? '林二' : id })) },
  });
}

async function open(handlers: Handlers = {}, query: Record<string, string> = {}): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend({ ...defaultHandlers(), ...handlers });
  const page = renderPage(EDIT, { query, usingComponents: unitPickerComponents() });
  await waitFor(() => page.queryByText(query.id ? '保存' : '新建会议室'), 'the form');
  return { page, backend };
}

/** Taps a cell whose title has a label below it (a switch row, a search result). */
async function tapCell(page: RenderedPage, selector: string, index = 0): Promise<void> {
  const host = page.root.querySelectorAll(selector)[index];
  if (!host) throw new Error(`nothing matches ${selector}`);
  const inner = (host.dom as unknown as { querySelector(selector: string): unknown }).querySelector('[class~="van-cell--van-cell"]');
  await page.tap(inner as Parameters<RenderedPage['tap']>[0]);
}

const textOf = (page: RenderedPage, selector: string) => (page.root.querySelector(selector)?.dom.textContent ?? '').replace(/\s+/g, ' ').trim();
const saved = (backend: FakeBackend) => backend.callsOf('rooms.save').map((call) => call.request as { roomId?: string; rev?: string; room: RoomInput });

beforeEach(() => {
  installStorage(storedSession(account({ id: 'u-admin', roles: ['admin'], member: null, nickname: '王老师' }), Date.now()));
  jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
  jest.spyOn(wxMedia, 'setNavigationBarTitle').mockImplementation(() => undefined);
  jest.spyOn(wxMedia, 'previewImage').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('creating a room', () => {
  it('sends every field of the form, hours crossing midnight included, and becomes the room it saved', async () => {
    const uploads = heldUploads();
    choosesImage();
    const { page, backend } = await open({
      'members.search': () => pageOf([card({ id: 'm1', name: '林一', number: '2023001' }), card({ id: 'm2', name: '林二', number: '2023002' })]),
    });
    expect(String(attributeOf(page, '.field-name', 'maxlength'))).toBe(String(FIELD_LIMITS.roomName));
    expect(String(attributeOf(page, '.field-notes', 'maxlength'))).toBe(String(FIELD_LIMITS.roomNotes));

    await trigger(page, '.field-name', 'change', '学术报告厅');
    await trigger(page, '.field-building', 'change', '图书馆');
    await trigger(page, '.field-floor', 'change', 'B1');
    await trigger(page, '.field-capacity', 'change', 120);
    await trigger(page, '.field-equipment', 'change', ['video', 'projector']);

    await page.tap('上传照片');
    await waitFor(() => uploads.pending.length === 1, 'the upload');
    uploads.finish(0, 'cloud://env/room-photos/u-admin/hall.jpg');
    await waitFor(() => page.queryByText('更换照片'), 'the photo');

    // Hour slots: the open and close pickers follow the slot.
    await trigger(page, '.slot-picker', 'change', { value: 2 });
    await trigger(page, '.open-picker', 'change', { value: 18 });
    expect(textOf(page, '.close-value')).toBe('22:00');
    // After 18:00 come 19:00 … 24:00, then the next day's 01:00, 02:00.
    await trigger(page, '.close-picker', 'change', { value: 7 });
    expect(textOf(page, '.close-value')).toBe('次日 02:00');

    await trigger(page, '.field-weekdays', 'change', ['5', '1', '3']);
    await trigger(page, '.closed-date-picker', 'change', { value: '2099-10-02' });
    await trigger(page, '.closed-date-picker', 'change', { value: '2099-10-01' });
    await trigger(page, '.closed-date-picker', 'change', { value: '2099-10-02' });
    expect(rowTexts(page, '.date-chip')).toEqual(['2099-10-01', '2099-10-02']);
    await trigger(page, '.max-picker', 'change', { value: 2 });
    await trigger(page, '.field-advance', 'change', 30);
    await tapCell(page, '.toggle-check-in');

    await tapCell(page, '.toggle-everyone');
    await page.tap('选择单位');
    await shown(page, '.unit-picker', '计算机学院');
    await page.tap(textIn(page, '.unit-picker', '计算机学院'));
    await shown(page, '.unit-picker', '信通大学/计算机学院');
    await page.tap(textIn(page, '.unit-picker', '选择此单位'));
    await page.tap(textIn(page, '.unit-picker', '完成'));
    await waitFor(() => rowTexts(page, '.unit-chip').length === 1, 'the unit chosen');

    await tapCell(page, '.toggle-approval');
    await trigger(page, '.approver-search', 'search', '林');
    await waitFor(() => rowTexts(page, '.person-result').length === 2, 'the results');
    await tapCell(page, '.person-result', 1);
    expect(rowTexts(page, '.approver-chip')).toEqual(['林二']);

    await trigger(page, '.field-notes', 'change', '钥匙在一楼前台');
    await page.tap('新建会议室');
    await waitFor(() => saved(backend).length === 1, 'the save');

    expect(saved(backend)[0]).toEqual({
      room: {
        name: '学术报告厅',
        building: '图书馆',
        floor: 'B1',
        capacity: 120,
        equipment: ['projector', 'video'],
        photoFileId: 'cloud://env/room-photos/u-admin/hall.jpg',
        hours: { open: '18:00', close: '02:00' },
        openWeekdays: [1, 3, 5],
        closedDates: ['2099-10-01', '2099-10-02'],
        slotMinutes: 60,
        maxMinutes: 180,
        advanceDays: 30,
        unitIds: ['college-1'],
        approval: { required: true, approverIds: ['m2'] },
        checkInRequired: true,
        notes: '钥匙在一楼前台',
      },
    });
    // A create sends neither id nor rev; the page then edits the room it made.
    await waitFor(() => page.queryByText('暂停使用'), 'the saved room');
    expect(wxMore.showToast).toHaveBeenCalledWith({ title: '已新建', icon: 'success' });
    expect(wxMedia.setNavigationBarTitle).toHaveBeenLastCalledWith({ title: '编辑会议室' });
    page.unmount();
  });

  it('uploads the photo under room-photos/<account id>/ with its progress, retries a failure and can remove it', async () => {
    const uploads = heldUploads();
    choosesImage('wxfile://tmp/p.PNG');
    const { page, backend } = await open();
    await trigger(page, '.field-name', 'change', '小会议室');

    await page.tap('上传照片');
    await waitFor(() => uploads.pending.length === 1, 'the upload');
    expect(uploads.pending[0].options).toMatchObject({ url: 'http://127.0.0.1:3900/storage/upload', formData: { cloudPath: expect.stringMatching(/^room-photos\/u-admin\/\d+-[0-9a-z]+\.png$/) } });
    uploads.progress(0, 42);
    await waitFor(() => page.queryByText('上传中 40%'), 'the progress');

    // Saving waits for the photo.
    await page.tap('新建会议室');
    expect(page.text()).toContain('照片还在上传，请稍候再保存');
    expect(saved(backend)).toHaveLength(0);

    uploads.fail(0);
    await waitFor(() => page.queryByText('照片上传失败'), 'the failure');
    await page.tap('重试');
    await waitFor(() => uploads.pending.length === 2, 'the second upload');
    expect(uploads.pending[1].options.filePath).toBe('wxfile://tmp/p.PNG');
    uploads.finish(1, 'cloud://env/room-photos/u-admin/p.png');
    await waitFor(() => page.queryByText('移除'), 'the photo');
    expect(attributeOf(page, '.photo__image', 'src')).toBe('http://127.0.0.1:3900/storage/files/room-photos/u-admin/p.png');
    await page.tap(page.root.querySelector('.photo__image')!.dom);
    expect(wxMedia.previewImage).toHaveBeenCalledWith({ urls: ['http://127.0.0.1:3900/storage/files/room-photos/u-admin/p.png'], current: 'http://127.0.0.1:3900/storage/files/room-photos/u-admin/p.png' });

    await page.tap('移除');
    await page.tap('新建会议室');
    await waitFor(() => saved(backend).length === 1, 'the save');
    expect(saved(backend)[0].room.photoFileId).toBeNull();
    page.unmount();
  });

  it('says what to fix before sending anything', async () => {
    const { page, backend } = await open();

    await trigger(page, '.field-weekdays', 'change', []);
    await page.tap('新建会议室');

    expect(page.text()).toContain('请输入会议室名称');
    expect(page.text()).toContain('请至少选择一个开放日');
    expect(page.text()).toContain('请先修改标红的内容');
    expect(saved(backend)).toHaveLength(0);
    page.unmount();
  });

  it('puts the server’s refusals on their fields', async () => {
    const { page, backend } = await open({ 'rooms.save': () => fail('ROOM_NAME_TAKEN') });
    await trigger(page, '.field-name', 'change', '第一会议室');

    await page.tap('新建会议室');
    await waitFor(() => page.queryByText('已有同名会议室'), 'the name taken');

    backend.on('rooms.save', () => ({ ok: false, error: { code: 'INVALID_INPUT', message: '关闭时间不在时段上', field: 'room.hours.close' } }));
    await page.tap('新建会议室');
    await waitFor(() => textOf(page, '.hours-error') === '关闭时间不在时段上', 'the hours error');
    expect(page.text()).not.toContain('已有同名会议室');
    page.unmount();
  });
});

describe('editing a room', () => {
  const existing = roomView({
    name: '夜间自习室',
    hours: { open: '18:00', close: '02:00' },
    slotMinutes: 60,
    maxMinutes: 180,
    units: [{ id: 'college-1', name: '计算机学院' }],
    approval: { required: true, approvers: [{ id: 'm1', name: '林一' }] },
    photoFileId: 'cloud://env/room-photos/u-admin/old.jpg',
    photoUrl: 'https://tmp.example/old.jpg',
  });

  it('reads the room, shows its hours and sends the rev it read with the ids of its units and approvers', async () => {
    const { page, backend } = await open({ 'rooms.day': () => ok(roomDay({}, existing)) }, { id: 'room-1' });

    expect(backend.callsOf('rooms.day')[0].request).toEqual({ roomId: 'room-1', date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(textOf(page, '.close-value')).toBe('次日 02:00');
    expect(rowTexts(page, '.unit-chip')).toEqual(['计算机学院']);
    expect(rowTexts(page, '.approver-chip')).toEqual(['林一']);
    expect(attributeOf(page, '.photo__image', 'src')).toBe('https://tmp.example/old.jpg');

    await trigger(page, '.field-name', 'change', '夜间研讨室');
    await page.tap('保存');
    await waitFor(() => saved(backend).length === 1, 'the save');
    expect(saved(backend)[0]).toEqual({
      roomId: 'room-1',
      rev: 'rev-1',
      room: expect.objectContaining({
        name: '夜间研讨室',
        hours: { open: '18:00', close: '02:00' },
        photoFileId: 'cloud://env/room-photos/u-admin/old.jpg',
        unitIds: ['college-1'],
        approval: { required: true, approverIds: ['m1'] },
      }),
    });
    await waitFor(() => (wxMore.showToast as jest.Mock).mock.calls.length > 0, 'the toast');
    expect(wxMore.showToast).toHaveBeenCalledWith({ title: '已保存', icon: 'success' });

    // The next save carries the rev the last one answered.
    await page.tap('保存');
    await waitFor(() => saved(backend).length === 2, 'the second save');
    expect(saved(backend)[1].rev).toBe('rev-1+1');
    page.unmount();
  });

  it('reloads a room someone else saved meanwhile and says so', async () => {
    let reads = 0;
    const { page, backend } = await open(
      {
        'rooms.day': () => {
          reads += 1;
          return ok(roomDay({}, reads === 1 ? existing : { ...existing, name: '他人改过的名字', rev: 'rev-2' }));
        },
        'rooms.save': () => fail('ROOM_STALE'),
      },
      { id: 'room-1' },
    );

    await trigger(page, '.field-name', 'change', '我的修改');
    await page.tap('保存');
    await waitFor(() => reads === 2, 'the reload');
    await backend.idle();

    expect(page.text()).toContain('该会议室刚被他人修改，已重新加载最新信息，请核对后再保存');
    expect(attributeOf(page, '.field-name', 'value')).toBe('他人改过的名字');
    backend.on('rooms.save', (request) => ok(savedView(request.room, request.roomId, request.rev)));
    await page.tap('保存');
    await waitFor(() => saved(backend).length === 2, 'the save after the reload');
    expect(saved(backend)[1].rev).toBe('rev-2');
    page.unmount();
  });

  it('takes the room out of service with a required reason, says how many bookings were cancelled, and back', async () => {
    const { page, backend } = await open(
      {
        'rooms.day': () => ok(roomDay({}, existing)),
        'rooms.setService': (request) =>
          ok({
            room: { ...existing, rev: 'rev-9', inService: request.inService, outOfServiceReason: request.inService ? null : request.reason ?? null },
            cancelled: request.inService ? 0 : 3,
          }),
      },
      { id: 'room-1' },
    );

    await page.tap('暂停使用');
    await waitFor(() => textOf(page, '.service-dialog').includes('今后的预约将全部取消，并通知预约人'), 'the dialog');
    await page.tap(textIn(page, '.service-dialog', '暂停并取消预约'));
    await waitFor(() => textOf(page, '.service-dialog').includes('请填写暂停原因'), 'the reason asked for');
    expect(backend.callsOf('rooms.setService')).toHaveLength(0);

    await trigger(page, '.service-reason', 'change', '空调维修');
    await page.tap(textIn(page, '.service-dialog', '暂停并取消预约'));
    await waitFor(() => page.queryByText('已暂停使用，已取消 3 个预约'), 'the outcome');
    expect(backend.callsOf('rooms.setService')[0].request).toEqual({ roomId: 'room-1', inService: false, reason: '空调维修' });
    expect(page.text()).toContain('空调维修');

    // The service change gave the room a new rev: a save sends it.
    await page.tap('保存');
    await waitFor(() => saved(backend).length === 1, 'the save');
    expect(saved(backend)[0].rev).toBe('rev-9');

    await page.tap('恢复使用');
    await waitFor(() => page.queryByText('已恢复使用，可以预约了'), 'back in service');
    expect(backend.callsOf('rooms.setService')[1].request).toEqual({ roomId: 'room-1', inService: true });
    page.unmount();
  });

  it('says when the room does not exist', async () => {
    installBackend({ ...defaultHandlers(), 'rooms.day': () => fail('ROOM_NOT_FOUND') });
    const page = renderPage(EDIT, { query: { id: 'gone' }, usingComponents: unitPickerComponents() });
    await waitFor(() => page.queryByText('该会议室不存在或已被删除'), 'the missing room');
    expect(page.queryByText('保存')).toBeNull();
    page.unmount();
  });
});
