/**
 * @jest-environment jsdom
 */
import type { RoomUsage } from '../../typings';
import { renderPage, waitFor, wx, type RenderedPage } from '../helpers/simulate';
import { account, fail, installBackend, installStorage, ok, storedSession, wxMore, type Handlers } from './fake-backend';
import { pageOf, rowTexts, runHook } from './org-fixtures';
import { attributeOf, attributesOf, textIn, trigger } from './page-helpers';
import { bookingView, roomCard } from './room-fixtures';
import './simulate-polyfills';

const ADMIN = 'packages/admin/pages/room-admin/index';
const CODES = 'packages/admin/pages/room-codes/index';
const APPROVALS = 'packages/admin/pages/room-approvals/index';
const USAGE = 'packages/admin/pages/room-usage/index';

interface DownloadOptions {
  url: string;
  success?(res: { statusCode: number; tempFilePath: string }): void;
  fail?(err: { errMsg: string }): void;
}

interface AlbumOptions {
  filePath: string;
  success?(): void;
  fail?(err: { errMsg: string }): void;
}

const wxRoom = wx as unknown as {
  downloadFile(options: DownloadOptions): void;
  saveImageToPhotosAlbum(options: AlbumOptions): void;
  openSetting(options: { success?(res: { authSetting: Record<string, boolean> }): void }): void;
  previewImage(options: { urls: string[]; current?: string }): void;
};

function signIn(roles: ('admin' | 'member')[] = ['admin']): void {
  installStorage(storedSession(account({ id: 'u-admin', roles }), Date.now()));
}

async function open(path: string, handlers: Handlers, ready: string): Promise<{ page: RenderedPage; backend: ReturnType<typeof installBackend> }> {
  const backend = installBackend(handlers);
  const page = renderPage(path);
  await waitFor(() => page.queryByText(ready), ready);
  return { page, backend };
}

function tapIn(page: RenderedPage, selector: string, index = 0): Promise<void> {
  const found = page.root.querySelectorAll(selector)[index];
  if (!found) throw new Error(`nothing matches ${selector}`);
  return page.tap(found.dom);
}

beforeEach(() => {
  jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
  jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('会议室管理', () => {
  it('lists every room, out of service ones tagged, and opens the form, the codes, approvals and usage', async () => {
    signIn();
    const { page, backend } = await open(
      ADMIN,
      {
        'rooms.list': (request) =>
          ok({
            items: request.after
              ? [roomCard({ id: 'room-3', name: '第三会议室' })]
              : [roomCard({ id: 'room-1', name: '第一会议室', needsApproval: true }), roomCard({ id: 'room-2', name: '旧会议室', inService: false, canBook: false })],
            next: request.after ? null : 'c1',
            date: request.date,
          }),
      },
      '第一会议室',
    );

    expect(backend.callsOf('rooms.list')[0].request).toEqual({ date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), all: true });
    expect(rowTexts(page, '.room')).toEqual(['第一会议室需审批行政楼 3F · 12 人 · 投影仪 · 白板', '旧会议室暂停使用行政楼 3F · 12 人 · 投影仪 · 白板']);

    await runHook(page, 'onReachBottom');
    await waitFor(() => rowTexts(page, '.room').length === 3, 'the next page');
    expect(backend.callsOf('rooms.list')[1].request).toMatchObject({ all: true, after: 'c1' });

    await page.tap('新建会议室');
    await page.tap('旧会议室');
    await page.tap('小程序码');
    await page.tap('预约审批');
    await page.tap('使用情况');
    expect((wx.navigateTo as jest.Mock).mock.calls.map((call) => call[0].url)).toEqual([
      '/packages/admin/pages/room-edit/index',
      '/packages/admin/pages/room-edit/index?id=room-2',
      '/packages/admin/pages/room-codes/index',
      '/packages/admin/pages/room-approvals/index',
      '/packages/admin/pages/room-usage/index',
    ]);
    page.unmount();
  });
});

describe('小程序码', () => {
  const rooms = [roomCard({ id: 'room-1', name: '第一会议室' }), roomCard({ id: 'room-2', name: '报告厅', building: '图书馆', floor: '1F' })];

  it('shows a printable card per room with its code, and retries a code that could not be made', async () => {
    signIn();
    let refusals = 1;
    const { page, backend } = await open(
      CODES,
      {
        'rooms.list': (request) => ok({ items: rooms, next: null, date: request.date }),
        'rooms.code': (request) => {
          if (request.roomId === 'room-2' && refusals-- > 0) return fail('ROOM_CODE_UNAVAILABLE');
          return ok({ roomId: request.roomId, scene: `r=${request.roomId}`, url: `https://tmp.example/${request.roomId}.png` });
        },
      },
      '第一会议室',
    );
    await waitFor(() => page.queryByText('暂时无法生成会议室小程序码，请稍后再试'), 'the failed card');
    await backend.idle();

    expect(rowTexts(page, '.code-card__name')).toEqual(['第一会议室', '报告厅']);
    expect(rowTexts(page, '.code-card__place')).toEqual(['行政楼 3F', '图书馆 1F']);
    expect(rowTexts(page, '.code-card__caption')).toEqual(['扫码签到 / 查看空闲', '扫码签到 / 查看空闲']);
    expect(attributesOf(page, '.code-card__image', 'src')).toEqual(['https://tmp.example/room-1.png']);

    await page.tap('重试');
    await waitFor(() => attributesOf(page, '.code-card__image', 'src').length === 2, 'the second code');
    expect(backend.callsOf('rooms.code').map((call) => call.request.roomId)).toEqual(['room-1', 'room-2', 'room-2']);

    const preview = jest.spyOn(wxRoom, 'previewImage').mockImplementation(() => undefined);
    await tapIn(page, '.code-card__image', 1);
    expect(preview).toHaveBeenCalledWith({ urls: ['https://tmp.example/room-2.png'], current: 'https://tmp.example/room-2.png' });
    page.unmount();
  });

  it('saves a code to the album, and says how to allow the album once it is refused', async () => {
    signIn();
    const download = jest.spyOn(wxRoom, 'downloadFile').mockImplementation((options) => {
      setTimeout(() => options.success?.({ statusCode: 200, tempFilePath: `wxfile://tmp/${options.url.split('/').pop()}` }), 0);
    });
    let refuse = false;
    const album = jest.spyOn(wxRoom, 'saveImageToPhotosAlbum').mockImplementation((options) => {
      setTimeout(() => (refuse ? options.fail?.({ errMsg: 'saveImageToPhotosAlbum:fail auth deny' }) : options.success?.()), 0);
    });
    const setting = jest.spyOn(wxRoom, 'openSetting').mockImplementation((options) => {
      setTimeout(() => options.success?.({ authSetting: { 'scope.writePhotosAlbum': true } }), 0);
    });
    const { page } = await open(
      CODES,
      {
        'rooms.list': (request) => ok({ items: rooms.slice(0, 1), next: null, date: request.date }),
        'rooms.code': (request) => ok({ roomId: request.roomId, scene: `r=${request.roomId}`, url: `https://tmp.example/${request.roomId}.png` }),
      },
      '保存到相册',
    );

    await page.tap('保存到相册');
    await waitFor(() => album.mock.calls.length === 1, 'the album');
    expect(download.mock.calls[0][0].url).toBe('https://tmp.example/room-1.png');
    expect(album.mock.calls[0][0].filePath).toBe('wxfile://tmp/room-1.png');
    await waitFor(() => (wxMore.showToast as jest.Mock).mock.calls.length === 1, 'the toast');
    expect(wxMore.showToast).toHaveBeenCalledWith({ title: '已保存到相册', icon: 'success' });

    refuse = true;
    await page.tap('保存到相册');
    await waitFor(() => page.queryByText('去设置'), 'the hint');
    expect(page.text()).toContain('保存到相册需要相册权限');
    await page.tap('去设置');
    await waitFor(() => !page.queryByText('去设置'), 'the hint gone once allowed');
    expect(setting).toHaveBeenCalledTimes(1);
    page.unmount();
  });
});

describe('预约审批', () => {
  const series = bookingView({ id: 'bk-s1', seriesId: 's1', occurrence: 1, occurrences: 3, subject: '周例会', start: '2099-06-01 09:00', end: '2099-06-01 10:00', attendees: [{ id: 'm2', name: '林二' }] });
  const single = bookingView({ id: 'bk-2', subject: '答辩彩排', booker: { memberId: 'm5', name: '赵五' } });
  const later = bookingView({ id: 'bk-3', subject: '读书会' });

  function handlers(decided: string[] = []): Handlers {
    return {
      'bookings.approvals': (request) => (request.after ? pageOf([later]) : pageOf([series, single].filter((b) => !decided.includes(b.id)), 'c1')),
      'bookings.decide': (request) => ok({ decided: request.bookingId === 'bk-s1' ? 3 : 1 }),
    };
  }

  it('lists pending bookings with the series note for an approver who is not an admin, and pages on', async () => {
    signIn(['member']);
    const { page, backend } = await open(APPROVALS, handlers(), '周例会');

    expect(rowTexts(page, '.approval')[0]).toBe('周例会第 1/3 周第一会议室 · 行政楼 3F6月1日 周一 09:00–10:00林一 预约 · 参会 2 人将一并审批整个系列驳回通过');
    expect(rowTexts(page, '.approval')[1]).not.toContain('将一并审批整个系列');
    await runHook(page, 'onReachBottom');
    await waitFor(() => rowTexts(page, '.approval').length === 3, 'the next page');
    expect(backend.callsOf('bookings.approvals').map((call) => call.request)).toEqual([{}, { after: 'c1' }]);
    page.unmount();
  });

  it('stops at 200 rows on screen, saying the rest come once these are decided', async () => {
    signIn();
    const PAGE = 20;
    const pageAt = (after: string | undefined) => {
      const start = after ? Number(after) : 0;
      const items = Array.from({ length: PAGE }, (_unused, i) => bookingView({ id: `bk-${start + i}`, subject: `会议${start + i}` }));
      return pageOf(items, String(start + PAGE));
    };
    const { page, backend } = await open(APPROVALS, { ...handlers(), 'bookings.approvals': (request) => pageAt(request.after) }, '会议0');
    for (let round = 1; round < 12; round += 1) {
      await runHook(page, 'onReachBottom');
      await waitFor(() => !page.root.querySelector('.list-state van-loading'), 'the page');
    }
    expect(rowTexts(page, '.approval')).toHaveLength(200);
    expect(backend.callsOf('bookings.approvals')).toHaveLength(10);
    expect(textIn(page, '.capped', '已显示 200 条，处理后下拉刷新可看到其余的')).toBeTruthy();
    page.unmount();
  });

  it('approves a series and rejects with a required reason, each row leaving with a toast, until none is left', async () => {
    signIn();
    const { page, backend } = await open(APPROVALS, { ...handlers(), 'bookings.approvals': () => pageOf([series, single]) }, '周例会');

    await page.tap(textIn(page, '.approval', '通过'));
    await waitFor(() => rowTexts(page, '.approval').length === 1, 'the series gone');
    expect(backend.callsOf('bookings.decide')[0].request).toEqual({ bookingId: 'bk-s1', approve: true });
    expect(wxMore.showToast).toHaveBeenCalledWith({ title: '已通过 3 个预约', icon: 'success' });

    await page.tap('驳回');
    await waitFor(() => page.queryByText('驳回「答辩彩排」'), 'the dialog');
    await page.tap(textIn(page, '.reject-dialog', '驳回'));
    await waitFor(() => page.queryByText('请填写驳回原因'), 'the reason asked for');
    expect(backend.callsOf('bookings.decide')).toHaveLength(1);

    await trigger(page, '.reject-reason', 'change', '该时段另有安排');
    await page.tap(textIn(page, '.reject-dialog', '驳回'));
    await waitFor(() => page.queryByText('暂无待审批的预约'), 'the empty list');
    expect(backend.callsOf('bookings.decide')[1].request).toEqual({ bookingId: 'bk-2', approve: false, reason: '该时段另有安排' });
    expect(wxMore.showToast).toHaveBeenLastCalledWith({ title: '已驳回', icon: 'success' });
    page.unmount();
  });

  it('drops a booking another approver decided meanwhile, saying so', async () => {
    signIn();
    const { page } = await open(APPROVALS, { ...handlers(), 'bookings.approvals': () => pageOf([single]), 'bookings.decide': () => fail('BOOKING_STATE') }, '答辩彩排');

    await page.tap('通过');
    await waitFor(() => page.queryByText('暂无待审批的预约'), 'the row gone');
    expect(page.text()).toContain('该预约当前的状态不支持此操作，请刷新后再试（已从列表移除）');
    page.unmount();
  });
});

describe('使用情况', () => {
  // Wednesday 2024-06-05 10:00 in Shanghai: the week starts on Monday 2024-06-03.
  const NOW = Date.UTC(2024, 5, 5, 2, 0);

  const usage = (weekStart: string): RoomUsage => ({
    weekStart,
    rooms: [
      { roomId: 'room-1', name: '第一会议室', openMinutes: 4200, bookedMinutes: 1890, occupancy: 0.45 },
      { roomId: 'room-2', name: '报告厅', openMinutes: 0, bookedMinutes: 0, occupancy: 0 },
    ],
    noShows: { due: 20, released: 3, rate: 0.15 },
    hours: Array.from({ length: 24 }, (_, hour) => ({ hour, minutes: hour === 14 ? 600 : hour === 9 ? 300 : 0 })),
  });

  beforeEach(() => {
    const realNow = Date.now.bind(Date);
    const start = realNow();
    // Time moves on from NOW, so waits still time out.
    jest.spyOn(Date, 'now').mockImplementation(() => NOW + realNow() - start);
  });

  it('draws occupancy bars, the no-show rate and the busiest hours of this week', async () => {
    signIn();
    const { page, backend } = await open(USAGE, { 'rooms.usage': (request) => ok(usage(request.weekStart)) }, '第一会议室');

    expect(backend.callsOf('rooms.usage')[0].request).toEqual({ weekStart: '2024-06-03' });
    expect(page.text()).toContain('本周 · 6月3日–6月9日');
    expect(rowTexts(page, '.occupancy')).toEqual(['第一会议室45%已约 31.5 小时 / 开放 70 小时', '报告厅0%已约 0 小时 / 开放 0 小时']);
    expect(attributesOf(page, '.occupancy__bar', 'style')).toEqual(['width: 45%', 'width: 0%']);
    expect(page.text()).toContain('20 个需签到的预约中，3 个未签到被释放');
    expect(attributeOf(page, '.no-show-ring', 'percent')).toBe(15);
    expect(rowTexts(page, '.hour__label')).toEqual(['08', '09', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20', '21']);
    expect(attributesOf(page, '.hour__bar', 'style').slice(0, 2)).toEqual(['height: 0%', 'height: 50%']);
    expect(page.text()).toContain('最忙 14:00–15:00（共 10 小时）');
    page.unmount();
  });

  it('goes back week by week on Mondays and never past this week', async () => {
    signIn();
    const { page, backend } = await open(USAGE, { 'rooms.usage': (request) => ok(usage(request.weekStart)) }, '第一会议室');

    await tapIn(page, '.week__arrow', 1);
    await backend.idle();
    expect(backend.callsOf('rooms.usage')).toHaveLength(1);

    await tapIn(page, '.week__arrow', 0);
    await waitFor(() => page.queryByText('上周 · 5月27日–6月2日'), 'last week');
    await tapIn(page, '.week__arrow', 0);
    await waitFor(() => page.queryByText('5月20日–5月26日'), 'the week before');
    await tapIn(page, '.week__arrow', 1);
    await waitFor(() => page.queryByText('上周 · 5月27日–6月2日'), 'forward again');
    await backend.idle();
    expect(backend.callsOf('rooms.usage').map((call) => call.request.weekStart)).toEqual(['2024-06-03', '2024-05-27', '2024-05-20', '2024-05-27']);
    page.unmount();
  });
});
