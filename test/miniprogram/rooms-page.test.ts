/**
 * @jest-environment jsdom
 *
 * The 会议室 tab: the day's rooms with their free time (filters by date, capacity and
 * equipment, pages, empty, closed and out-of-service cards), the free-room search that opens
 * the booking form, and the entries (我的预约, 预约审批 for approvers, 会议室管理 for admins).
 */
import type { AccountView, RoomCard } from '../../typings';
import { renderPage, waitFor, watchSetData, type RenderedPage } from '../helpers/simulate';
import { account, fail, installBackend, installStorage, ok, storedSession, type FakeBackend, type Handlers } from './fake-backend';
import { wxNotice } from './inbox-fixtures';
import { runHook } from './org-fixtures';
import { attributesOf, textIn, trigger } from './page-helpers';
import { bookingView, businessDate, roomCard } from './room-fixtures';
import './simulate-polyfills';

const TAB = 'pages/rooms/index';

const member = { id: 'm1', name: '林一', number: '2023001', kind: 'student' as const, unitNames: ['计算机学院'], active: true };
const lin = account({ id: 'u-lin', member });
const admin = account({ id: 'u-admin', roles: ['member', 'admin'], member: { ...member, id: 'm9', name: '管理员' } });


const first = roomCard({ id: 'r1', name: '第一会议室', free: [{ start: '14:00', end: '16:00' }, { start: '18:00', end: '22:00' }], photoUrl: 'https://example.com/r1.jpg' });
const full = roomCard({ id: 'r2', name: '报告厅', capacity: 200, equipment: ['projector', 'microphone', 'video'], needsApproval: true, free: [] });
const closed = roomCard({ id: 'r3', name: '周末会议室', period: null, free: [] });
const stopped = roomCard({ id: 'r4', name: '小会议室', capacity: 6, inService: false, canBook: false });

function handlers(extra: Handlers = {}): Handlers {
  return {
    login: () => ok({ account: lin, created: false }),
    'rooms.list': () => ok({ items: [first, full, closed, stopped], next: null, date: businessDate() }),
    'bookings.approvals': () => ok({ items: [], next: null }),
    ...extra,
  };
}

async function open(who: AccountView = lin, extra: Handlers = {}): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  installStorage(storedSession(who, Date.now()));
  const backend = installBackend(handlers(extra));
  const page = renderPage(TAB);
  await waitFor(() => page.root.querySelectorAll('.card').length || page.queryByText('重试') || page.root.querySelector('.van-empty'), 'the list');
  await backend.idle();
  return { page, backend };
}

interface TextTree {
  nodeType: number;
  textContent: string | null;
  childNodes: ArrayLike<TextTree>;
}

/** An element's texts, one piece per text node, joined by spaces (textContent runs them together). */
function pieces(node: TextTree): string[] {
  if (node.nodeType === 3) return node.textContent?.trim() ? [node.textContent.trim()] : [];
  return Array.from(node.childNodes).flatMap(pieces);
}

const cardTexts = (page: RenderedPage) => page.root.querySelectorAll('.card').map((card) => pieces(card.dom as unknown as TextTree).join(' '));
const lastRequest = (backend: FakeBackend, action: 'rooms.list' | 'rooms.free') => backend.callsOf(action).at(-1)?.request;

let navigate: jest.SpyInstance;
let toast: jest.SpyInstance;

beforeEach(() => {
  navigate = jest.spyOn(wxNotice, 'navigateTo').mockImplementation(() => undefined);
  toast = jest.spyOn(wxNotice, 'showToast').mockImplementation(() => undefined);
  jest.spyOn(wxNotice, 'stopPullDownRefresh').mockImplementation(() => undefined);
  jest.spyOn(wxNotice, 'pageScrollTo').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('the day\'s rooms', () => {
  it('shows each room\'s place, capacity, equipment, flags and free time for today', async () => {
    const { page, backend } = await open();

    expect(lastRequest(backend, 'rooms.list')).toEqual({ date: businessDate() });
    expect(cardTexts(page)).toEqual([
      '第一会议室 行政楼 3F · 容纳 12 人 投影仪 · 白板 空闲 14:00–16:00、18:00–22:00',
      '报告厅 需审批 行政楼 3F · 容纳 200 人 投影仪 · 视频会议 · 麦克风 今日已约满',
      '周末会议室 行政楼 3F · 容纳 12 人 投影仪 · 白板 当日不开放',
      '小会议室 暂停使用 行政楼 3F · 容纳 6 人 投影仪 · 白板 暂停使用',
    ]);
    expect(attributesOf(page, '.card__photo', 'src')).toEqual(['https://example.com/r1.jpg']);
    expect(attributesOf(page, '.card', 'ariaLabel')[1]).toBe('报告厅，行政楼 3F · 容纳 200 人，需审批，今日已约满');
    expect(page.root.querySelectorAll('.date')).toHaveLength(14);
    expect(page.root.querySelectorAll('.date__label').slice(0, 2).map((label) => label.dom.textContent)).toEqual(['今天', '明天']);
    page.unmount();
  });

  it('opens a room\'s day from its card', async () => {
    const { page } = await open();
    await page.tap('报告厅');
    expect(navigate).toHaveBeenCalledWith({ url: `/pages/room/index?id=r2&date=${businessDate()}` });
    page.unmount();
  });

  it('sends the date, capacity and every equipment chosen, and says so when nothing matches', async () => {
    const { page, backend } = await open();
    backend.on('rooms.list', (request) => ok({ items: request.minCapacity ? [] : [first], next: null, date: request.date }));

    await page.tap(textIn(page, '.dates', '明天'));
    await backend.idle();
    expect(lastRequest(backend, 'rooms.list')).toEqual({ date: businessDate(1) });
    expect(cardTexts(page)[0]).toContain('空闲 14:00–16:00');

    await page.tap('投影仪');
    await page.tap('白板');
    await backend.idle();
    expect(lastRequest(backend, 'rooms.list')).toEqual({ date: businessDate(1), equipment: ['projector', 'whiteboard'] });

    await page.tap('≥ 20 人');
    await backend.idle();
    expect(lastRequest(backend, 'rooms.list')).toEqual({ date: businessDate(1), minCapacity: 20, equipment: ['projector', 'whiteboard'] });
    expect(page.text()).toContain('没有符合条件的会议室，试试放宽筛选');

    await page.tap('白板');
    await page.tap('不限人数');
    await backend.idle();
    expect(lastRequest(backend, 'rooms.list')).toEqual({ date: businessDate(1), equipment: ['projector'] });
    expect(attributesOf(page, '.chips--equipment .chip', 'ariaLabel')).toEqual(['需要投影仪，已选', '需要大屏', '需要视频会议', '需要白板', '需要麦克风', '需要电话会议']);
    page.unmount();
  });

  it('says 当日已约满 rather than 今日 for a later day', async () => {
    const { page, backend } = await open();
    await page.tap(textIn(page, '.dates', '明天'));
    await backend.idle();
    expect(cardTexts(page)[1]).toContain('当日已约满');
    page.unmount();
  });

  it('loads the next page at the bottom with the cursor, and ends there', async () => {
    const more = Array.from({ length: 3 }, (_, i) => roomCard({ id: `x${i}`, name: `会议室 ${i}` }));
    const { page, backend } = await open(lin, {
      'rooms.list': (request) => (request.after ? ok({ items: more, next: null, date: request.date }) : ok({ items: [first], next: 'c1', date: request.date })),
    });
    expect(page.text()).not.toContain('没有更多了');

    await runHook(page, 'onReachBottom');
    await backend.idle();
    expect(lastRequest(backend, 'rooms.list')).toEqual({ date: businessDate(), after: 'c1' });
    expect(cardTexts(page)).toHaveLength(4);
    expect(page.text()).toContain('没有更多了');

    await runHook(page, 'onReachBottom');
    await backend.idle();
    expect(backend.callsOf('rooms.list')).toHaveLength(2);
    page.unmount();
  });

  it('reloads the list and the approvals on pull-down, and after coming back from a room', async () => {
    const { page, backend } = await open();
    await runHook(page, 'onPullDownRefresh');
    await backend.idle();
    expect(backend.callsOf('rooms.list')).toHaveLength(2);
    expect(backend.callsOf('bookings.approvals')).toHaveLength(2);

    // Switching tabs alone asks only whether approvals wait; back from a room, the free times too.
    await runHook(page, 'onShow');
    await backend.idle();
    expect(backend.callsOf('rooms.list')).toHaveLength(2);
    await page.tap('第一会议室');
    await runHook(page, 'onShow');
    await backend.idle();
    expect(backend.callsOf('rooms.list')).toHaveLength(3);
    expect(backend.callsOf('bookings.approvals')).toHaveLength(4);
    page.unmount();
  });

  it('shows the error with a retry, and the list once it works', async () => {
    let failing = true;
    const { page, backend } = await open(lin, {
      'rooms.list': (request) => (failing ? fail('NETWORK_ERROR') : ok({ items: [first], next: null, date: request.date })),
    });
    expect(page.text()).toContain('网络异常，请稍后重试');
    failing = false;
    await page.tap('重试');
    await backend.idle();
    expect(cardTexts(page)).toHaveLength(1);
    page.unmount();
  });
});

describe('entries', () => {
  it('offers 我的预约 to everyone, and neither 预约审批 nor 会议室管理 to a member with nothing to approve', async () => {
    const { page } = await open();
    expect(page.text()).not.toContain('预约审批');
    expect(page.text()).not.toContain('会议室管理');
    await page.tap('我的预约');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/bookings/index' });
    page.unmount();
  });

  it('offers 预约审批 with the count to an approver, and 会议室管理 to an admin', async () => {
    const waiting = ok({ items: [bookingView({ id: 'b1', status: 'pending' }), bookingView({ id: 'b2', status: 'pending' })], next: null });
    const { page } = await open(admin, { 'bookings.approvals': () => waiting });
    expect(page.text()).toContain('2 条待审批');
    await page.tap('预约审批');
    expect(navigate).toHaveBeenLastCalledWith({ url: '/packages/admin/pages/room-approvals/index' });
    await page.tap('会议室管理');
    expect(navigate).toHaveBeenLastCalledWith({ url: '/packages/admin/pages/room-admin/index' });
    page.unmount();
  });

  it('says more wait when the approvals fill more than a page', async () => {
    const { page } = await open(lin, { 'bookings.approvals': () => ok({ items: [bookingView({ status: 'pending' })], next: 'c1' }) });
    expect(page.text()).toContain('1+ 条待审批');
    page.unmount();
  });
});

describe('按时间找空闲会议室', () => {
  const found: RoomCard[] = [roomCard({ id: 'r7', name: '研讨室 A', capacity: 8 }), roomCard({ id: 'r1', name: '第一会议室' })];

  async function searchMode(extra: Handlers = {}) {
    const opened = await open(lin, { 'rooms.free': () => ok({ items: found }), ...extra });
    await opened.page.tap(textIn(opened.page, '.modes', '按时间找空闲会议室'));
    await waitFor(() => opened.page.queryByText('开始'), 'the pickers');
    return opened;
  }

  it('searches the range chosen with the filters, and opens the form for a room found with that exact range', async () => {
    const { page, backend } = await searchMode();
    expect(page.text()).toContain('选好开始和结束时间后点「查找」');
    expect(cardTexts(page)).toEqual([]);

    await page.tap(textIn(page, '.dates', '明天'));
    await page.tap('视频会议');
    await trigger(page, '.free-start', 'change', { value: '14:00' });
    await trigger(page, '.free-end', 'change', { value: '15:30' });
    expect(backend.callsOf('rooms.free')).toHaveLength(0);
    await page.tap('查找');
    await backend.idle();

    expect(lastRequest(backend, 'rooms.free')).toEqual({ start: `${businessDate(1)} 14:00`, end: `${businessDate(1)} 15:30`, equipment: ['video'] });
    expect(page.root.querySelectorAll('.card__name').map((name) => name.dom.textContent)).toEqual(['研讨室 A', '第一会议室']);
    await page.tap('研讨室 A');
    expect(navigate).toHaveBeenCalledWith({ url: `/pages/room-book/index?roomId=r7&start=${encodeURIComponent(`${businessDate(1)} 14:00`)}&end=${encodeURIComponent(`${businessDate(1)} 15:30`)}` });
    page.unmount();
  });

  it('refuses an end not after the start without asking, and says when nothing is free', async () => {
    const { page, backend } = await searchMode({ 'rooms.free': () => ok({ items: [] }) });
    await trigger(page, '.free-start', 'change', { value: '16:00' });
    await trigger(page, '.free-end', 'change', { value: '15:00' });
    await page.tap('查找');
    expect(toast).toHaveBeenCalledWith({ title: '结束时间需晚于开始时间', icon: 'none' });
    expect(backend.callsOf('rooms.free')).toHaveLength(0);

    await trigger(page, '.free-end', 'change', { value: '17:00' });
    await page.tap('查找');
    await backend.idle();
    expect(page.text()).toContain('16:00–17:00 没有空闲的会议室，换个时间试试');
    page.unmount();
  });

  it('drops rooms found for another range once a time changes, and back on 全部会议室 lists the day again', async () => {
    const { page, backend } = await searchMode();
    await page.tap('查找');
    await backend.idle();
    expect(cardTexts(page)).toHaveLength(2);
    await trigger(page, '.free-end', 'change', { value: '23:00' });
    expect(cardTexts(page)).toHaveLength(0);

    await page.tap(textIn(page, '.modes', '全部会议室'));
    await backend.idle();
    expect(cardTexts(page)).toHaveLength(4);
    expect(backend.callsOf('rooms.list')).toHaveLength(2);
    page.unmount();
  });
});

describe('a long list', () => {
  /** The heaviest card there is: longest name, a photo, both flags, every equipment, a fragmented day. */
  const heavy = (i: number) =>
    roomCard({
      id: `room-${String(i).padStart(3, '0')}`,
      name: `${String(i).padStart(3, '0')} 号${'学术报告与视频会议综合厅'.repeat(4)}`.slice(0, 40),
      building: '图书馆与信息化建设中心综合楼'.slice(0, 40),
      floor: '10F',
      capacity: 1000,
      equipment: ['projector', 'screen', 'video', 'whiteboard', 'microphone', 'phone'],
      photoUrl: `https://example.com/photos/room-${i}.jpg?sign=${'x'.repeat(200)}`,
      needsApproval: true,
      inService: i % 2 === 0,
      free: Array.from({ length: 12 }, (_, k) => ({ start: `${String(8 + k).padStart(2, '0')}:00`, end: `${String(8 + k).padStart(2, '0')}:30` })),
    });

  it('keeps a window of 60 rooms under 64 KB per setData and 1,000 nodes, then offers the next window', async () => {
    const all = Array.from({ length: 90 }, (_, i) => heavy(i));
    const sizes: number[] = [];
    const stop = watchSetData((patch) => sizes.push(Buffer.byteLength(JSON.stringify(patch))));
    const { page, backend } = await open(lin, {
      'rooms.list': (request) => {
        const start = Number(request.after ?? 0);
        return ok({ items: all.slice(start, start + 20), next: start + 20 < all.length ? String(start + 20) : null, date: request.date });
      },
    });
    while (page.root.querySelectorAll('.card').length < 60) {
      await runHook(page, 'onReachBottom');
      await backend.idle();
    }
    await runHook(page, 'onReachBottom');
    await backend.idle();
    stop();

    const nodes = (page.root.dom as unknown as { querySelectorAll(s: string): ArrayLike<unknown> }).querySelectorAll('*').length;
    expect(page.root.querySelectorAll('.card')).toHaveLength(60);
    expect(backend.callsOf('rooms.list')).toHaveLength(3);
    expect(page.text()).toContain('显示后 60 条');
    expect(Math.max(...sizes)).toBeLessThan(64 * 1024);
    expect(nodes).toBeLessThan(1000);
    page.unmount();
  });
});
