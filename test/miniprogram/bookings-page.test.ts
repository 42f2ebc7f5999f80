/**
 * @jest-environment jsdom
 *
 * 我的预约: the two tabs, each booking's row (status, week of a series, 我参加的), the actions
 * the backend allows and what each sends, cancelling one week or the rest of a series, checking
 * in by scanning the room's code, and a long list that stays light.
 */
import type { BookingView } from '../../typings';
import { renderPage, waitFor, watchSetData, wx, type RenderedPage } from '../helpers/simulate';
import { account, fail, installBackend, installStorage, ok, storedSession, wxMore, type FakeBackend, type Handlers } from './fake-backend';
import { pageOf, rowTexts, runHook, settled, shown } from './org-fixtures';
import { textIn } from './page-helpers';
import { bookingView } from './room-fixtures';
import './simulate-polyfills';

const MINE = 'pages/bookings/index';
const { BOOKINGS_CAP } = jest.requireActual<{ BOOKINGS_CAP: number }>('../../miniprogram/utils/booking-view');

interface ScanOptions {
  onlyFromCamera?: boolean;
  success?(result: { path?: string; result?: string; scanType?: string }): void;
  fail?(error: { errMsg: string }): void;
}

const wxMine = wx as unknown as {
  scanCode(options: ScanOptions): void;
  showActionSheet(options: { itemList: string[]; success?(result: { tapIndex: number }): void; fail?(error: { errMsg: string }): void }): void;
  showModal(options: { title: string; content: string }): void;
  stopPullDownRefresh(): void;
  switchTab(options: { url: string }): void;
  pageScrollTo(options: unknown): void;
};

const can = (overrides: Partial<BookingView['can']> = {}): BookingView['can'] => ({ checkIn: false, end: false, change: false, cancel: false, decide: false, ...overrides });

const soon = bookingView({ id: 'bk-1', subject: '项目周会', checkInRequired: true, can: can({ checkIn: true, change: true, cancel: true }) });
const weekly = bookingView({
  id: 'bk-2',
  subject: '教研组会',
  seriesId: 's-1',
  occurrence: 2,
  occurrences: 4,
  start: '2099-06-08 09:00',
  end: '2099-06-08 10:00',
  status: 'pending',
  can: can({ change: true, cancel: true }),
});
const invited = bookingView({ id: 'bk-3', subject: '评审会', booker: { memberId: 'm9', name: '张三' }, role: 'attendee', start: '2099-06-09 15:00', end: '2099-06-09 16:00', can: can({ end: true }) });

const past = [
  bookingView({ id: 'p1', subject: '预算会', status: 'rejected', decision: { approved: false, by: '王老师', at: '2099-05-01 10:00', reason: '当天礼堂检修' }, can: can() }),
  bookingView({ id: 'p2', subject: '晨会', status: 'released', can: can() }),
  bookingView({ id: 'p3', subject: '答辩', status: 'ended', can: can() }),
  bookingView({ id: 'p4', subject: '迎新', status: 'cancelled', cancelReason: '会议室暂停使用', can: can() }),
  bookingView({ id: 'p5', subject: '例会', checkedInAt: '2099-05-02 13:55', can: can() }),
];

function defaultHandlers(): Handlers {
  return { 'bookings.mine': (request) => pageOf(request.when === 'upcoming' ? [soon, weekly, invited] : past) };
}

async function open(handlers: Handlers = {}, first = '项目周会'): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend({ ...defaultHandlers(), ...handlers });
  const page = renderPage(MINE);
  await waitFor(() => page.queryByText(first), first);
  return { page, backend };
}

async function tapButton(page: RenderedPage, selector: string, index = 0): Promise<void> {
  const host = page.root.querySelectorAll(selector)[index];
  if (!host) throw new Error(`no ${selector} number ${index}`);
  const button = (host.dom as unknown as { querySelector(selector: string): unknown }).querySelector('wx-button');
  await page.tap(button as Parameters<RenderedPage['tap']>[0]);
}

const toasts = () => (wxMore.showToast as unknown as jest.Mock).mock.calls.map((call) => (call[0] as { title: string }).title);
const modals = () => (wxMine.showModal as unknown as jest.Mock).mock.calls.map((call) => call[0] as { title: string; content: string });

function scans(result: Parameters<NonNullable<ScanOptions['success']>>[0] | null) {
  return jest.spyOn(wxMine, 'scanCode').mockImplementation((options: ScanOptions) => {
    setTimeout(() => (result ? options.success?.(result) : options.fail?.({ errMsg: 'scanCode:fail cancel' })), 0);
  });
}

beforeEach(() => {
  installStorage(storedSession(account({ id: 'u-lin', member: { id: 'm1', name: '林一', number: '2023001', kind: 'staff', unitNames: [], active: true } }), Date.now()));
  jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
  jest.spyOn(wxMine, 'showModal').mockImplementation(() => undefined);
  jest.spyOn(wxMine, 'stopPullDownRefresh').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('我的预约', () => {
  it('lists the coming bookings: subject, status, time, room, the week of a series, 我参加的, and the actions each allows', async () => {
    const { page, backend } = await open();

    expect(backend.callsOf('bookings.mine').map((call) => call.request)).toEqual([{ when: 'upcoming' }]);
    expect(rowTexts(page, '.booking')).toEqual([
      '项目周会已确认2099-06-01 周一 14:00–15:30第一会议室 · 行政楼 3F请在 06-01 13:50–14:15 签到签到修改取消',
      '教研组会待审批2099-06-08 周一 09:00–10:00第一会议室 · 行政楼 3F第 2/4 周修改取消',
      '评审会已确认2099-06-09 周二 15:00–16:00第一会议室 · 行政楼 3F我参加的 · 预约人 张三提前结束',
    ]);
    page.unmount();
  });

  it('shows the history with every way a booking ends, and says plainly when a tab is empty', async () => {
    const { page, backend } = await open({ 'bookings.mine': (request) => pageOf(request.when === 'upcoming' ? [] : past) }, '去预约会议室');
    expect(page.text()).toContain('没有即将开始的预约，可在「会议室」中预约');
    const switchTab = jest.spyOn(wxMine, 'switchTab').mockImplementation(() => undefined);
    await page.tap('去预约会议室');
    expect(switchTab).toHaveBeenCalledWith({ url: '/pages/rooms/index' });

    await page.tap('历史');
    await waitFor(() => page.queryByText('预算会'), 'the history');
    expect(backend.callsOf('bookings.mine').map((call) => call.request)).toEqual([{ when: 'upcoming' }, { when: 'past' }]);
    expect(rowTexts(page, '.booking__head')).toEqual(['预算会已驳回', '晨会未签到已释放', '答辩已提前结束', '迎新已取消', '例会已签到']);
    expect(rowTexts(page, '.booking__note')).toEqual(['驳回理由：当天礼堂检修', '取消原因：会议室暂停使用']);
    expect(page.text()).not.toContain('去预约会议室');
    page.unmount();
  });

  it('checks in from the row and shows the booking as answered', async () => {
    const { page, backend } = await open({ 'bookings.checkIn': () => ok({ ...soon, checkedInAt: '2099-06-01 13:52', can: can({ end: true }) }) });

    await tapButton(page, '.action-check-in');

    await waitFor(() => rowTexts(page, '.booking__head')[0] === '项目周会已签到', 'the row checked in');
    expect(backend.callsOf('bookings.checkIn').map((call) => call.request)).toEqual([{ bookingId: 'bk-1' }]);
    expect(rowTexts(page, '.booking')[0]).toMatch(/提前结束$/);
    expect(toasts()).toEqual(['签到成功']);
    expect(backend.callsOf('bookings.mine')).toHaveLength(1);
    page.unmount();
  });

  it('says why a refused check-in was refused, and reads the tab again', async () => {
    const { page, backend } = await open({ 'bookings.checkIn': () => fail('BOOKING_CHECK_IN_CLOSED', '签到将于 13:50 开始') });
    await tapButton(page, '.action-check-in');
    await waitFor(() => backend.callsOf('bookings.mine').length === 2, 'the tab read again');
    expect(toasts()).toEqual(['签到将于 13:50 开始']);
    page.unmount();
  });

  it('ends a booking early once confirmed, and shows it ended', async () => {
    const { page, backend } = await open({ 'bookings.end': () => ok({ ...invited, status: 'ended', closedAt: '2099-06-09 15:30', can: can() }) });

    await tapButton(page, '.action-end');
    await shown(page, '.confirm-dialog', '提前结束后，剩余时间会立即释放给他人');
    await page.tap(textIn(page, '.confirm-dialog', '再想想'));
    expect(backend.callsOf('bookings.end')).toHaveLength(0);

    await tapButton(page, '.action-end');
    await shown(page, '.confirm-dialog', '剩余时间');
    await page.tap(textIn(page, '.confirm-dialog', '提前结束'));

    await waitFor(() => rowTexts(page, '.booking__head')[2] === '评审会已提前结束', 'the row ended');
    expect(backend.callsOf('bookings.end').map((call) => call.request)).toEqual([{ bookingId: 'bk-3' }]);
    page.unmount();
  });

  it('opens the booking form to change a booking', async () => {
    const navigateTo = jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
    const { page } = await open();
    await tapButton(page, '.action-change', 1);
    expect(navigateTo.mock.calls.map((call) => call[0].url)).toEqual(['/pages/room-book/index?bookingId=bk-2']);
    page.unmount();
  });

  it('cancels a single booking once confirmed, then reads the tab again', async () => {
    const { page, backend } = await open({ 'bookings.cancel': () => ok({ cancelled: 1 }) });
    const sheet = jest.spyOn(wxMine, 'showActionSheet');

    await tapButton(page, '.action-cancel', 0);
    await shown(page, '.confirm-dialog', '将取消「项目周会」');
    expect(sheet).not.toHaveBeenCalled();
    await page.tap(textIn(page, '.confirm-dialog', '取消预约'));

    await waitFor(() => backend.callsOf('bookings.mine').length === 2, 'the tab read again');
    expect(backend.callsOf('bookings.cancel').map((call) => call.request)).toEqual([{ bookingId: 'bk-1' }]);
    expect(toasts()).toEqual(['已取消']);
    page.unmount();
  });

  it('asks whether to cancel one week of a series or every later week, and sends the choice', async () => {
    const { page, backend } = await open({ 'bookings.cancel': (request) => ok({ cancelled: request.series ? 3 : 1 }) });
    let choice: number | null = 1;
    const sheet = jest.spyOn(wxMine, 'showActionSheet').mockImplementation((options) => {
      setTimeout(() => (choice === null ? options.fail?.({ errMsg: 'showActionSheet:fail cancel' }) : options.success?.({ tapIndex: choice })), 0);
    });

    await tapButton(page, '.action-cancel', 1);
    await shown(page, '.confirm-dialog', '将取消「教研组会」本次及之后尚未开始的每一周');
    expect(sheet.mock.calls[0][0].itemList).toEqual(['仅取消本次', '取消后续全部']);
    await page.tap(textIn(page, '.confirm-dialog', '取消预约'));
    await waitFor(() => backend.callsOf('bookings.cancel').length === 1, 'the series cancelled');
    await waitFor(() => toasts().includes('已取消 3 次预约'), 'the toast');

    choice = 0;
    await tapButton(page, '.action-cancel', 1);
    await shown(page, '.confirm-dialog', '将取消「教研组会」2099-06-08');
    await page.tap(textIn(page, '.confirm-dialog', '取消预约'));
    await waitFor(() => backend.callsOf('bookings.cancel').length === 2, 'the week cancelled');

    choice = null;
    await tapButton(page, '.action-cancel', 1);
    await settled(page, backend);
    expect(backend.callsOf('bookings.cancel').map((call) => call.request)).toEqual([{ bookingId: 'bk-2', series: true }, { bookingId: 'bk-2' }]);
    page.unmount();
  });

  it('reads the tab again on pull-down', async () => {
    const { page, backend } = await open();
    await runHook(page, 'onPullDownRefresh');
    await waitFor(() => (wxMine.stopPullDownRefresh as unknown as jest.Mock).mock.calls.length === 1, 'the refresh');
    expect(backend.callsOf('bookings.mine')).toHaveLength(2);
    page.unmount();
  });
});

describe('扫码签到', () => {
  it('checks in at the room whose code was scanned from the camera, and says so', async () => {
    const scan = scans({ scanType: 'WX_CODE', path: 'pages/room/index?scene=r%3Droom-1' });
    const { page, backend } = await open({ 'bookings.checkInAtRoom': () => ok({ ...soon, checkedInAt: '2099-06-01 13:55', can: can({ end: true }) }) });

    await tapButton(page, '.scan');

    await waitFor(() => modals().length === 1, 'the answer');
    expect(scan.mock.calls[0][0].onlyFromCamera).toBe(true);
    expect(backend.callsOf('bookings.checkInAtRoom').map((call) => call.request)).toEqual([{ roomId: 'room-1' }]);
    expect(modals()[0]).toMatchObject({ title: '签到成功', content: '第一会议室《项目周会》14:00–15:30' });
    expect(rowTexts(page, '.booking__head')[0]).toBe('项目周会已签到');
    page.unmount();
  });

  it('says a code that is not a room\'s is not, without calling the backend', async () => {
    scans({ scanType: 'QR_CODE', result: 'https://example.com/' });
    const { page, backend } = await open();
    await tapButton(page, '.scan');
    await waitFor(() => modals().length === 1, 'the answer');
    expect(modals()[0]).toMatchObject({ title: '无法签到', content: '这不是会议室的签到码，请扫描会议室门口的小程序码' });
    expect(backend.callsOf('bookings.checkInAtRoom')).toHaveLength(0);
    page.unmount();
  });

  it('says why no booking was checked in, and does nothing when the scan is cancelled', async () => {
    scans({ scanType: 'WX_CODE', path: 'pages/room/index?scene=r%3Droom-2' });
    const { page, backend } = await open({ 'bookings.checkInAtRoom': () => fail('BOOKING_NONE_NOW') });
    await tapButton(page, '.scan');
    await waitFor(() => modals().length === 1, 'the answer');
    expect(modals()[0]).toMatchObject({ title: '未能签到', content: '你在这间会议室当前没有需要签到的预约' });

    scans(null);
    await tapButton(page, '.scan');
    await settled(page, backend);
    expect(modals()).toHaveLength(1);
    expect(backend.callsOf('bookings.checkInAtRoom')).toHaveLength(1);
    page.unmount();
  });
});

describe('a long list of bookings', () => {
  /** What one setData may carry, and WeChat's line for a page's WXML nodes. */
  const SET_DATA_BUDGET = 64 * 1024;
  const NODES = 1000;
  const PAGE = 20;

  /** The heaviest rows there are: a long subject and place, a week of a series someone else booked, a note, every action. */
  const all: BookingView[] = Array.from({ length: 1000 }, (_, i) =>
    bookingView({
      id: `bk${String(i).padStart(4, '0')}`,
      subject: `预约${String(i).padStart(4, '0')}${'关于期末考试命题与阅卷工作安排的协调会'.repeat(2)}`.slice(0, 40),
      roomName: '行政楼第一多功能学术报告厅',
      place: '行政楼东配楼 12F',
      seriesId: 's1',
      occurrence: (i % 12) + 1,
      occurrences: 12,
      booker: { memberId: 'm9', name: '教务处欧阳老师' },
      checkInRequired: true,
      can: can({ checkIn: true, end: true, change: true, cancel: true }),
    }),
  );
  const nodes = (page: RenderedPage) => (page.root.dom as unknown as { querySelectorAll(s: string): ArrayLike<unknown> }).querySelectorAll('*').length;
  const subjects = (page: RenderedPage) => rowTexts(page, '.booking__subject').map((text) => text.slice(0, 6));

  it(`shows a window of ${BOOKINGS_CAP} at a time, one page per setData under 64 KB and the page under 1,000 nodes, every booking reachable`, async () => {
    const sizes: number[] = [];
    const stop = watchSetData((patch) => sizes.push(Buffer.byteLength(JSON.stringify(patch))));
    jest.spyOn(wxMine, 'pageScrollTo').mockImplementation(() => undefined);
    const { page } = await open(
      {
        'bookings.mine': (request) => {
          const start = Number(request.after ?? 0);
          return pageOf(all.slice(start, start + PAGE), start + PAGE < all.length ? String(start + PAGE) : null);
        },
      },
      '扫码签到',
    );
    await waitFor(() => subjects(page)[0] === '预约0000', 'the first page');
    let most = nodes(page);
    while (!page.text().includes('显示后')) {
      const before = subjects(page).length;
      await runHook(page, 'onReachBottom');
      await waitFor(() => subjects(page).length > before || page.text().includes('显示后'), 'the next page');
      most = Math.max(most, nodes(page));
    }
    const window = subjects(page);
    expect(window).toHaveLength(BOOKINGS_CAP);
    expect(window[0]).toBe('预约0000');

    await page.tap(page.text().match(/显示后 \d+ 条/)![0]);
    await waitFor(() => subjects(page)[0] === `预约${String(BOOKINGS_CAP).padStart(4, '0')}`, 'the next window');
    most = Math.max(most, nodes(page));
    stop();

    expect(Math.max(...sizes)).toBeLessThan(SET_DATA_BUDGET);
    expect(most).toBeLessThan(NODES);
    expect(page.text()).toContain('回到开头');
    page.unmount();
  });
});

describe('following the clock', () => {
  it('looks again when the next check-in window opens, so 签到 appears without a pull-down', async () => {
    const { businessNow } = jest.requireActual<{ businessNow(now?: number): string }>('../../miniprogram/utils/notice-compose-view');
    const inMinutes = (minutes: number) => businessNow(Date.now() + minutes * 60_000);
    const soon = bookingView({ id: 'bk-soon', subject: '晨会', checkInRequired: true, start: inMinutes(12), end: inMinutes(42), checkIn: { opens: inMinutes(2), closes: inMinutes(27) }, can: can() });
    const timers = jest.spyOn(globalThis, 'setTimeout');
    const { page, backend } = await open({ 'bookings.mine': () => pageOf([soon]) }, '晨会');
    const planned = timers.mock.calls.filter(([, delay]) => typeof delay === 'number' && delay > 60_000 && delay <= 3 * 60_000);
    expect(planned).toHaveLength(1);
    const before = backend.callsOf('bookings.mine').length;
    (planned[0][0] as () => void)();
    await waitFor(() => backend.callsOf('bookings.mine').length > before, 'the tab loaded again');
    page.unmount();
  });
});

