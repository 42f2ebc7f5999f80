/**
 * @jest-environment jsdom
 *
 * The room page: the room, its date strip and the day timeline (free, taken, pending, mine and
 * past rows, a booking's slots merged into one, 次日 past midnight), the selection that opens the
 * booking form with its exact range, closed days, reasons a person cannot book, the check-in
 * of a scanned door code, refreshing on show, and a day of 56 slots within WeChat's limits.
 */
import type { AppError, RoomDay, RoomView, TimelineSlot } from '../../typings';
import { renderPage, waitFor, watchSetData, wx, type RenderedPage } from '../helpers/simulate';
import { account, installBackend, installStorage, ok, storedSession, type FakeBackend, type Handlers } from './fake-backend';
import { wxNotice } from './inbox-fixtures';
import { runHook } from './org-fixtures';
import { attributesOf, exists } from './page-helpers';
import { addMinutes, bookingView, businessDate, daySlots, holdSlots, pastSlots, roomDay } from './room-fixtures';
import './simulate-polyfills';

const PAGE = 'pages/room/index';

const DATE = businessDate();
const NEXT = businessDate(1);

const member = { id: 'm1', name: '林一', number: '2023001', kind: 'student' as const, unitNames: ['计算机学院'], active: true };
const lin = account({ id: 'u-lin', member });

const weekly = { id: 'bk-1', subject: '项目周会', bookerName: '张老师', start: `${DATE} 15:00`, end: `${DATE} 16:30` };
const defence = { id: 'bk-2', subject: '毕业答辩', bookerName: '李老师', start: `${DATE} 16:30`, end: `${DATE} 17:00` };
const mine = { id: 'bk-3', subject: '组会', bookerName: '林一', start: `${DATE} 19:00`, end: `${DATE} 20:00` };

/**
 * 08:00–22:00 in 30-minute slots: past until 10:00, 项目周会 taken 15:00–16:30, 毕业答辩
 * pending 16:30–17:00, 组会 mine 19:00–20:00.
 */
function busySlots(date = DATE): TimelineSlot[] {
  const shift = (b: typeof weekly) => ({ ...b, start: `${date}${b.start.slice(10)}`, end: `${date}${b.end.slice(10)}` });
  let slots = daySlots(`${date} 08:00`, `${date} 22:00`, 30);
  slots = holdSlots(slots, shift(weekly));
  slots = holdSlots(slots, shift(defence), 'pending');
  slots = holdSlots(slots, shift(mine), 'mine');
  return pastSlots(slots, `${date} 10:00`);
}

const richRoom: Partial<RoomView> = {
  id: 'r1',
  name: '第一会议室',
  equipment: ['projector', 'video'],
  capacity: 20,
  notes: '钥匙在 301 室领取',
  approval: { required: true, approvers: [{ id: 'm2', name: '张老师' }] },
  checkInRequired: true,
  maxMinutes: 120,
};

function busyDay(date = DATE, room: Partial<RoomView> = richRoom): RoomDay {
  return roomDay({ date, slots: busySlots(date) }, room);
}

function handlers(extra: Handlers = {}): Handlers {
  return {
    login: () => ok({ account: lin, created: false }),
    'rooms.day': (request) => ok(busyDay(request.date)),
    ...extra,
  };
}

async function open(query: Record<string, string> = { id: 'r1', date: DATE }, extra: Handlers = {}): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend(handlers(extra));
  const page = renderPage(PAGE, { query });
  await waitFor(() => exists(page, '.slot') || exists(page, '.closed') || exists(page, '.state__text'), 'the day');
  await backend.idle();
  return { page, backend };
}

/** Each row as read: `time state [range] [subject · booker]`, 次日 in front when it is. */
const rowTexts = (page: RenderedPage) => page.root.querySelectorAll('.slot').map((slot) => (slot.dom.textContent ?? '').replace(/\s+/g, ' ').trim());
const rowAt = (page: RenderedPage, time: string) => {
  const found = page.root.querySelectorAll('.slot').find((slot) => (slot.dom.textContent ?? '').trim().startsWith(time));
  if (!found) throw new Error(`no row at ${time}: ${rowTexts(page).join(' | ')}`);
  return found.dom as unknown as Parameters<RenderedPage['tap']>[0];
};
const barText = (page: RenderedPage) => (page.root.querySelector('.bar__text')?.dom.textContent ?? '').trim();

let navigate: jest.SpyInstance;
let toast: jest.SpyInstance;

beforeEach(() => {
  installStorage(storedSession(lin, Date.now()));
  navigate = jest.spyOn(wxNotice, 'navigateTo').mockImplementation(() => undefined);
  toast = jest.spyOn(wxNotice, 'showToast').mockImplementation(() => undefined);
  jest.spyOn(wxNotice, 'stopPullDownRefresh').mockImplementation(() => undefined);
  jest.spyOn(wxNotice, 'setNavigationBarTitle').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('the room and its day', () => {
  it('shows the room with its rules, the days it can be booked, and the timeline with every state', async () => {
    const { page, backend } = await open();

    expect(backend.callsOf('rooms.day').map((call) => call.request)).toEqual([{ roomId: 'r1', date: DATE }]);
    expect(wxNotice.setNavigationBarTitle).toHaveBeenCalledWith({ title: '第一会议室' });
    const text = page.text();
    expect(text).toContain('行政楼 3F · 容纳 20 人 · 开放 08:00–22:00 · 单次最长 2 小时');
    expect(text).toContain('设备：投影仪 · 视频会议');
    expect(text).toContain('需审批（审批人：张老师）');
    expect(text).toContain('需在开始前 10 分钟至开始后 15 分钟内签到');
    expect(text).toContain('钥匙在 301 室领取');
    // Today to the last bookable day (13 days later in the fixture).
    expect(page.root.querySelectorAll('.date')).toHaveLength(14);

    const rows = rowTexts(page);
    expect(rows[0]).toBe('08:00已过08:00–10:00');
    expect(rows).toContain('10:00空闲');
    expect(rows).toContain('15:00已预约15:00–16:30项目周会 · 张老师');
    expect(rows).toContain('16:30待审批毕业答辩 · 李老师');
    expect(rows).toContain('19:00我的预约19:00–20:00组会 · 林一');
    // 28 slots: 4 past merged into one, 3 + 1 + 2 held merged into three rows.
    expect(rows).toHaveLength(28 - 3 - 2 - 1);
    expect(page.root.querySelectorAll('.slot--past')).toHaveLength(1);
    expect(page.root.querySelectorAll('.slot--taken')).toHaveLength(1);
    expect(page.root.querySelectorAll('.slot--pending')).toHaveLength(1);
    expect(page.root.querySelectorAll('.slot--mine')).toHaveLength(1);
    expect(attributesOf(page, '.slot--taken', 'ariaLabel')).toEqual(['15:00–16:30，已预约，项目周会，张老师']);
    page.unmount();
  });

  it('marks the slots after midnight 次日 in a room open into the night', async () => {
    const night = roomDay({ date: DATE }, { id: 'r1', hours: { open: '20:00', close: '02:00' }, slotMinutes: 60 });
    const { page } = await open(undefined, { 'rooms.day': () => ok(night) });
    expect(rowTexts(page)).toEqual(['20:00空闲', '21:00空闲', '22:00空闲', '23:00空闲', '次日00:00空闲', '次日01:00空闲']);
    expect(page.text()).toContain('开放 20:00–次日 02:00');

    await page.tap(rowAt(page, '23:00'));
    await page.tap(rowAt(page, '次日00:00'));
    expect(barText(page)).toBe('已选 23:00–次日 01:00（2 小时）');
    await page.tap('预约');
    expect(navigate).toHaveBeenCalledWith({ url: `/pages/room-book/index?roomId=r1&start=${encodeURIComponent(`${DATE} 23:00`)}&end=${encodeURIComponent(`${NEXT} 01:00`)}` });
    page.unmount();
  });

  it('shows the booking holding a row in a popup, and does nothing for a past row', async () => {
    const { page } = await open();
    await page.tap(rowAt(page, '15:00'));
    await waitFor(() => page.queryByText('预约人：张老师'), 'the popup');
    expect(page.text()).toContain('15:00–16:30');
    expect(barText(page)).toBe('');
    await page.tap('知道了');

    await page.tap(rowAt(page, '08:00'));
    expect(barText(page)).toBe('');
    expect(toast).not.toHaveBeenCalled();
    page.unmount();
  });

  it('loads another day from the strip', async () => {
    const { page, backend } = await open();
    await page.tap(page.root.querySelectorAll('.date')[1].dom as unknown as Parameters<RenderedPage['tap']>[0]);
    await backend.idle();
    expect(backend.callsOf('rooms.day').at(-1)?.request).toEqual({ roomId: 'r1', date: NEXT });
    expect(page.text()).toContain(`${Number(NEXT.slice(5, 7))}月${Number(NEXT.slice(8, 10))}日`);
    page.unmount();
  });
});

describe('selecting a range', () => {
  it('selects a slot, extends to a later one, and opens the form with exactly that range', async () => {
    const { page } = await open();
    await page.tap(rowAt(page, '13:00'));
    expect(barText(page)).toBe('已选 13:00–13:30（30 分钟）');
    await page.tap(rowAt(page, '14:30'));
    expect(barText(page)).toBe('已选 13:00–15:00（2 小时）');
    expect(page.root.querySelectorAll('.slot--selected')).toHaveLength(4);

    await page.tap('预约');
    expect(navigate).toHaveBeenCalledWith({ url: `/pages/room-book/index?roomId=r1&start=${encodeURIComponent(`${DATE} 13:00`)}&end=${encodeURIComponent(`${DATE} 15:00`)}` });
    page.unmount();
  });

  it('picks a new time for a booking being changed: its own time may be chosen again, and the form opens as that change', async () => {
    const { page } = await open({ id: 'r1', date: DATE, booking: 'bk-3' });
    // 组会 19:00–20:00 is the booking being moved: its slots read free; others stay taken.
    expect(rowTexts(page).some((text) => text.startsWith('19:00') && text.includes('组会'))).toBe(false);
    await page.tap(rowAt(page, '19:30'));
    await page.tap(rowAt(page, '20:00'));
    expect(barText(page)).toBe('已选 19:30–20:30（1 小时）');
    await page.tap('改到这个时间');
    expect(navigate).toHaveBeenCalledWith({ url: `/pages/room-book/index?bookingId=bk-3&start=${encodeURIComponent(`${DATE} 19:30`)}&end=${encodeURIComponent(`${DATE} 20:30`)}` });
    page.unmount();
  });

  it('starts anew past a booking, saying why', async () => {
    const { page } = await open();
    await page.tap(rowAt(page, '14:00'));
    await page.tap(rowAt(page, '17:00'));
    expect(toast).toHaveBeenCalledWith({ title: '中间有已预约的时段', icon: 'none' });
    expect(barText(page)).toBe('已选 17:00–17:30（30 分钟）');
    page.unmount();
  });

  it('starts anew beyond the room\'s longest booking, saying the limit', async () => {
    const { page } = await open();
    await page.tap(rowAt(page, '10:00'));
    await page.tap(rowAt(page, '12:00'));
    expect(toast).toHaveBeenCalledWith({ title: '最长可预约 2 小时', icon: 'none' });
    expect(barText(page)).toBe('已选 12:00–12:30（30 分钟）');
    page.unmount();
  });

  it('clears on a tap inside the selection, or with 清除', async () => {
    const { page } = await open();
    await page.tap(rowAt(page, '10:00'));
    await page.tap(rowAt(page, '11:00'));
    await page.tap(rowAt(page, '10:30'));
    expect(barText(page)).toBe('');
    expect(exists(page, '.slot--selected')).toBe(false);

    await page.tap(rowAt(page, '10:00'));
    await page.tap('清除');
    expect(exists(page, '.bar')).toBe(false);
    page.unmount();
  });

  it('sends only the rows that changed when the selection grows', async () => {
    const { page } = await open();
    const patches: Record<string, unknown>[] = [];
    const stop = watchSetData((patch) => patches.push(patch));
    await page.tap(rowAt(page, '10:00'));
    await page.tap(rowAt(page, '11:00'));
    stop();
    expect(Object.keys(patches[0]).sort()).toEqual(['rows[1]', 'selectionText']);
    expect(Object.keys(patches[1]).sort()).toEqual(['rows[2]', 'rows[3]', 'selectionText']);
    page.unmount();
  });
});

describe('coming back and refreshing', () => {
  it('reloads the day on show, keeping a selection still free and dropping one taken meanwhile', async () => {
    let slots = busySlots();
    const { page, backend } = await open(undefined, { 'rooms.day': () => ok(roomDay({ date: DATE, slots }, richRoom)) });
    await page.tap(rowAt(page, '12:00'));
    await page.tap(rowAt(page, '12:30'));

    await runHook(page, 'onShow');
    await backend.idle();
    expect(backend.callsOf('rooms.day')).toHaveLength(2);
    expect(barText(page)).toBe('已选 12:00–13:00（1 小时）');

    slots = holdSlots(slots, { id: 'bk-9', subject: '新预约', bookerName: '林一', start: `${DATE} 12:00`, end: `${DATE} 13:00` }, 'mine');
    await runHook(page, 'onPullDownRefresh');
    await backend.idle();
    expect(barText(page)).toBe('');
    expect(rowTexts(page)).toContain('12:00我的预约12:00–13:00新预约 · 林一');
    expect(wxNotice.stopPullDownRefresh).toHaveBeenCalled();
    page.unmount();
  });
});

describe('days without a timeline and people who cannot book', () => {
  it.each([
    ['holiday', '节假日不开放'],
    ['weekday', '这一天是该会议室不开放的星期'],
    ['too-far', '超出可预约天数（最多提前 14 天）'],
  ] as const)('says why a %s day has no timeline', async (closed, text) => {
    const { page } = await open(undefined, { 'rooms.day': () => ok(roomDay({ date: DATE, closed }, { id: 'r1' })) });
    expect(page.getByText(text)).toBeTruthy();
    expect(exists(page, '.slot')).toBe(false);
    page.unmount();
  });

  it('asks an unbound person to bind on 我的, and selects nothing', async () => {
    const switchTab = jest.spyOn(wx, 'switchTab').mockImplementation(() => undefined);
    const room = { ...richRoom, canBook: false, cannotBookReason: 'unbound' as const };
    const { page } = await open(undefined, { 'rooms.day': () => ok(roomDay({ date: DATE, slots: busySlots() }, room)) });
    expect(page.text()).toContain('绑定花名册后才能预约会议室');

    await page.tap(rowAt(page, '12:00'));
    expect(barText(page)).toBe('');
    expect(toast).toHaveBeenCalledWith({ title: '绑定花名册后才能预约会议室', icon: 'none' });
    await page.tap('去绑定');
    expect(switchTab).toHaveBeenCalledWith({ url: '/pages/me/index' });
    page.unmount();
  });

  it.each([
    ['units', '你所在的单位不能预约该会议室'],
    ['out-of-service', '该会议室暂停使用：空调维修'],
  ] as const)('says a %s room cannot be booked, with no way to bind', async (reason, text) => {
    const room = { ...richRoom, canBook: false, cannotBookReason: reason, outOfServiceReason: '空调维修' };
    const { page } = await open(undefined, { 'rooms.day': () => ok(roomDay({ date: DATE }, room)) });
    expect(page.text()).toContain(text);
    expect(page.queryByText('去绑定')).toBeNull();
    page.unmount();
  });
});

describe('check-in with the door\'s code', () => {
  const scene = { scene: encodeURIComponent('r=r1') };

  it('checks in once, says so, and shows the day', async () => {
    const booking = bookingView({ subject: '项目周会', start: `${DATE} 15:00`, end: `${DATE} 16:30`, checkedInAt: `${DATE} 14:55` });
    const { page, backend } = await open(scene, { 'bookings.checkInAtRoom': () => ok(booking) });
    expect(backend.callsOf('bookings.checkInAtRoom').map((call) => call.request)).toEqual([{ roomId: 'r1' }]);
    expect(page.text()).toContain('签到成功：项目周会 15:00–16:30');
    expect(toast).toHaveBeenCalledWith({ title: '签到成功', icon: 'success' });
    expect(backend.callsOf('rooms.day').map((call) => call.request)).toEqual([{ roomId: 'r1', date: DATE }]);

    await runHook(page, 'onShow');
    await backend.idle();
    expect(backend.callsOf('bookings.checkInAtRoom')).toHaveLength(1);
    page.unmount();
  });

  it('says calmly when the person has nothing to check in here now', async () => {
    const none: AppError = { code: 'BOOKING_NONE_NOW', message: 'none' };
    const { page } = await open(scene, { 'bookings.checkInAtRoom': () => ({ ok: false, error: none }) });
    expect(page.text()).toContain('你当前在这间会议室没有需要签到的预约');
    expect(rowTexts(page).length).toBeGreaterThan(0);
    page.unmount();
  });

  it('says when check-in opens for a booking outside its window', async () => {
    const closed: AppError = { code: 'BOOKING_CHECK_IN_CLOSED', message: '签到将于 14:50 开始' };
    const { page } = await open(scene, { 'bookings.checkInAtRoom': () => ({ ok: false, error: closed }) });
    expect(page.text()).toContain('签到将于 14:50 开始');
    expect(rowTexts(page).length).toBeGreaterThan(0);
    page.unmount();
  });

  it('refuses a code that is not a room\'s without calling anything', async () => {
    const { page, backend } = await open({ scene: encodeURIComponent('u=someone') });
    expect(page.text()).toContain('无法识别的会议室码');
    expect(backend.calls).toEqual([]);
    expect(page.queryByText('重试')).toBeNull();
    // The way on: every room, on the 会议室 tab.
    const tabs = jest.spyOn(wx, 'switchTab').mockImplementation(() => undefined);
    await page.tap('查看全部会议室');
    expect(tabs).toHaveBeenCalledWith({ url: '/pages/rooms/index' });
    page.unmount();
  });

  it('says a link without a room leads nowhere, without calling anything', async () => {
    const { page, backend } = await open({ date: DATE });
    expect(page.text()).toContain('该会议室不存在或已被删除');
    expect(backend.calls).toEqual([]);
    page.unmount();
  });
});

describe('a long day', () => {
  it('keeps 56 slots and 91 bookable days under 64 KB per setData and 1,000 nodes', async () => {
    // 15-minute slots from 08:00 to 22:00, every other hour held by a booking with the longest subject.
    let slots = daySlots(`${DATE} 08:00`, `${DATE} 22:00`, 15);
    for (let hour = 8; hour < 22; hour += 2) {
      const start = `${DATE} ${String(hour).padStart(2, '0')}:00`;
      slots = holdSlots(slots, { id: `b${hour}`, subject: '关于学期末教学检查与考试组织工作的专题协调会议'.slice(0, 40), bookerName: '教务处教学运行与考试管理科', start, end: addMinutes(start, 60) });
    }
    expect(slots).toHaveLength(56);
    const day = roomDay({ date: DATE, slots, lastBookableDate: businessDate(90) }, { ...richRoom, slotMinutes: 15, notes: '说明'.repeat(100) });
    const sizes: number[] = [];
    const stop = watchSetData((patch) => sizes.push(Buffer.byteLength(JSON.stringify(patch))));
    const { page } = await open(undefined, { 'rooms.day': () => ok(day) });
    await page.tap(rowAt(page, '09:00'));
    await page.tap(rowAt(page, '09:45'));
    stop();

    const nodes = (page.root.dom as unknown as { querySelectorAll(s: string): ArrayLike<unknown> }).querySelectorAll('*').length;
    expect(page.root.querySelectorAll('.date')).toHaveLength(91);
    // 28 free slots and 7 bookings merged: 35 rows.
    expect(page.root.querySelectorAll('.slot')).toHaveLength(35);
    expect(Math.max(...sizes)).toBeLessThan(64 * 1024);
    expect(nodes).toBeLessThan(1000);
    page.unmount();
  });
});
