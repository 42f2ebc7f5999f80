/**
 * @jest-environment jsdom
 *
 * The booking form: the time from the room page and the pickers that adjust it, the subject,
 * attendees picked through the directory, weekly repetition, one request id per attempt, the
 * backend's refusals where they belong (conflicts in Chinese under the time), approval and
 * check-in notes, the result, changing a booking, and the subscribe popup on the submit tap.
 */
import { FIELD_LIMITS } from '../../typings/limits';
import type { AppError, BookingView, BookRequest, Result, RoomDay, SubscriptionState } from '../../typings';
import { renderPage, requireBuilt, waitFor, wx, type RenderedPage } from '../helpers/simulate';
import { account, fail, installBackend, installStorage, ok, storedSession, wxMore, type Call, type FakeBackend, type Handlers } from './fake-backend';
import { answerPopups, fakeLocalPlatform, subscriptions, template } from './inbox-fixtures';
import { card, pageOf, rowTexts, settled, shown, unit } from './org-fixtures';
import { attributeOf, exists, trigger } from './page-helpers';
import { addMinutes, bookingView, holdSlots, roomDay } from './room-fixtures';
import './simulate-polyfills';

const BOOK = 'pages/room-book/index';
const START = '2099-06-01 14:00';
const END = '2099-06-01 15:30';
const WEEK = 7 * 24 * 60;
const NEW_QUERY = { roomId: 'room-1', start: encodeURIComponent(START), end: encodeURIComponent(END) };

const wxPages = wx as unknown as {
  redirectTo(options: { url: string }): void;
  navigateBack(options: { delta: number }): void;
  setNavigationBarTitle(options: { title: string }): void;
};

const me = { id: 'm1', name: '林一', number: '2023001', kind: 'staff' as const, unitNames: ['教务处'], active: true };
const office = unit({ id: 'u-office', name: '教务处', kind: 'department', path: ['教务处'] });
const klass = unit({ id: 'u-class', name: '软件工程 2301 班', path: ['计算机学院', '软件工程 2301 班'] });
const people = [card({ id: 'm1', name: '林一', number: '2023001' }), card({ id: 'm2', name: '王二', number: '2023002' }), card({ id: 'm3', name: '张三', number: '2023003' })];

/** What the backend answers for a booking made from `request`: one week, or each week of a series. */
function booked(request: BookRequest, overrides: Partial<BookingView> = {}): Result<{ bookings: BookingView[] }> {
  const weeks = request.repeatWeeks + 1;
  const seriesId = weeks > 1 ? 'series-1' : null;
  return ok({
    bookings: Array.from({ length: weeks }, (_, i) =>
      bookingView({
        id: `bk-${i + 1}`,
        seriesId,
        occurrence: i + 1,
        occurrences: weeks,
        subject: request.subject,
        start: addMinutes(request.start, WEEK * i),
        end: addMinutes(request.end, WEEK * i),
        ...overrides,
      }),
    ),
  });
}

/** Room templates when the room function asks, none for the notice function. */
function roomTemplates(state: SubscriptionState) {
  return (_request: unknown, call: Call) => ok(call.name === 'room' ? state : subscriptions());
}

function defaultHandlers(day: RoomDay = roomDay({ date: '2099-06-01' })): Handlers {
  return {
    'rooms.day': () => ok(day),
    'subscriptions.state': roomTemplates(subscriptions()),
    'bookings.create': (request) => booked(request),
    'directory.mine': () => ok({ member: people[0], units: [office], observed: [klass] }),
    'directory.unitMembers': (request) => pageOf(request.unitId === 'u-class' ? [card({ id: 'm7', name: '赵七', number: '2023007' })] : people.filter((person) => !request.query || person.name.startsWith(request.query))),
  };
}

async function open(handlers: Handlers = {}, query: Record<string, string> = NEW_QUERY, first = '会议主题'): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend({ ...defaultHandlers(), ...handlers });
  const page = renderPage(BOOK, { query });
  await waitFor(() => page.queryByText(first), first);
  return { page, backend };
}

const textOf = (page: RenderedPage, selector: string) => (page.root.querySelector(selector)?.dom.textContent ?? '').replace(/\s+/g, ' ').trim();

async function tapIn(page: RenderedPage, selector: string, index = 0, inner = '[class~="van-cell--van-cell"]'): Promise<void> {
  const host = page.root.querySelectorAll(selector)[index];
  if (!host) throw new Error(`nothing matches ${selector}`);
  const target = inner ? (host.dom as unknown as { querySelector(selector: string): unknown }).querySelector(inner) : host.dom;
  await page.tap(target as Parameters<RenderedPage['tap']>[0]);
}

const submit = (page: RenderedPage) => tapIn(page, '.submit', 0, 'wx-button');
const requests = (backend: FakeBackend) => backend.callsOf('bookings.create').map((call) => call.request as unknown as BookRequest);

function conflictFailure(): Result<never> {
  const error: AppError = {
    code: 'BOOKING_CONFLICT',
    message: '所选时间已被他人预约',
    conflicts: [
      { bookingId: 'bk-8', subject: '周会', bookerName: '张三', start: '2099-06-01 14:00', end: '2099-06-01 15:00', status: 'pending' },
      { bookingId: 'bk-9', subject: '评审', bookerName: '李四', start: '2099-06-01 15:00', end: '2099-06-01 16:00', status: 'confirmed' },
    ],
  };
  return { ok: false, error };
}

beforeEach(() => {
  installStorage(storedSession(account({ id: 'u-lin', member: me }), Date.now()));
  jest.spyOn(wxPages, 'setNavigationBarTitle').mockImplementation(() => undefined);
  jest.spyOn(wxPages, 'redirectTo').mockImplementation(() => undefined);
  jest.spyOn(wxPages, 'navigateBack').mockImplementation(() => undefined);
  jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('the booking form', () => {
  it('shows the room and the time chosen on the room page, reads every limit from FIELD_LIMITS, and adjusts the time on the slots', async () => {
    const { page, backend } = await open();

    expect(backend.callsOf('rooms.day').map((call) => call.request)).toEqual([{ roomId: 'room-1', date: '2099-06-01' }]);
    expect(textOf(page, '.room-summary')).toBe('第一会议室行政楼 3F · 容纳 12 人投影仪 · 白板');
    expect(textOf(page, '.time')).toBe('2099-06-01 周一14:00–15:30（1.5 小时）');
    expect(attributeOf(page, '.field-subject', 'maxlength')).toBe(FIELD_LIMITS.bookingSubject);

    await trigger(page, '.time-end', 'change', { value: 3 });
    expect(textOf(page, '.time')).toBe('2099-06-01 周一14:00–16:00（2 小时）');

    // A later start keeps the length.
    await trigger(page, '.time-start', 'change', { value: 14 });
    expect(textOf(page, '.time')).toBe('2099-06-01 周一15:00–17:00（2 小时）');
    expect(textOf(page, '.time-pickers')).toContain('开始 15:00');
    page.unmount();
  });

  it('finds a time after midnight in the period of the day before, which it belongs to', async () => {
    const night = { hours: { open: '20:00', close: '02:00' } };
    const { page, backend } = await open(
      { 'rooms.day': (request) => ok(roomDay({ date: request.date }, night)) },
      { roomId: 'room-1', start: encodeURIComponent('2099-06-02 00:30'), end: encodeURIComponent('2099-06-02 01:30') },
    );
    expect(backend.callsOf('rooms.day').map((call) => call.request.date)).toEqual(['2099-06-02', '2099-06-01']);
    expect(textOf(page, '.time')).toBe('2099-06-02 周二00:30–01:30（1 小时）');
    expect(textOf(page, '.time-pickers')).toContain('开始 次日 00:30');
    expect(textOf(page, '.time-pickers')).toContain('结束 次日 01:30');
    page.unmount();
  });

  it('asks for the day before only when the date\'s own period does not hold the time, and keeps the date\'s own day when neither does', async () => {
    const { page, backend } = await open({ 'rooms.day': (request) => ok(roomDay({ date: request.date, closed: request.date === '2099-06-01' ? null : 'holiday' })) });
    expect(backend.callsOf('rooms.day').map((call) => call.request.date)).toEqual(['2099-06-01']);
    page.unmount();

    // 07:00 is before the day's opening, and the day before's period ended at 22:00.
    const early = await open({}, { roomId: 'room-1', start: encodeURIComponent('2099-06-01 07:00'), end: encodeURIComponent('2099-06-01 08:00') });
    expect(early.backend.callsOf('rooms.day').map((call) => call.request.date)).toEqual(['2099-06-01', '2099-05-31']);
    await early.page.tap('重新选择时间');
    expect((wxPages.redirectTo as unknown as jest.Mock).mock.calls[0][0]).toEqual({ url: '/pages/room/index?id=room-1&date=2099-06-01' });
    early.page.unmount();
  });

  it('goes back to the room page to choose another time', async () => {
    const { page } = await open();
    await page.tap('重新选择时间');
    expect((wxPages.redirectTo as unknown as jest.Mock).mock.calls[0][0]).toEqual({ url: '/pages/room/index?id=room-1&date=2099-06-01' });
    page.unmount();
  });

  it('asks for a subject before calling the backend', async () => {
    const { page, backend } = await open();
    await submit(page);
    expect(page.text()).toContain('请输入会议主题');
    expect(await settled(page, backend)).toContain('请先修改标红的内容');
    expect(backend.callsOf('bookings.create')).toHaveLength(0);
    page.unmount();
  });

  it('picks attendees through the directory (the caller\'s units, a search, another unit) as removable tags, and books with them', async () => {
    const { page, backend } = await open();
    await trigger(page, '.field-subject', 'change', '项目周会');

    await page.tap('从花名册添加参会人');
    await shown(page, '.picker-popup', '王二');
    expect(backend.callsOf('directory.unitMembers')[0].request).toEqual({ unitId: 'u-office' });
    // The caller is not offered: the booker need not be listed.
    expect(rowTexts(page, '.person').map((row) => row.slice(0, 2))).toEqual(['王二', '张三']);
    await tapIn(page, '.person', 0);

    await trigger(page, '.people-search', 'search', '张');
    await waitFor(() => backend.callsOf('directory.unitMembers').length === 2 && rowTexts(page, '.person').length === 1, 'the search');
    expect(backend.callsOf('directory.unitMembers')[1].request).toEqual({ unitId: 'u-office', query: '张' });
    await tapIn(page, '.person', 0);

    await tapIn(page, '.unit-choice', 1, 'wx-button');
    await waitFor(() => rowTexts(page, '.person')[0]?.startsWith('赵七'), 'the other unit');
    await tapIn(page, '.person', 0);
    await page.tap('完成');

    expect(rowTexts(page, '.chip')).toEqual(['王二', '张三', '赵七']);
    expect(textOf(page, '.attendees__title')).toBe('参会人（选填，3/50）');
    await page.tap(page.root.querySelectorAll('.chip__remove')[1].dom);
    expect(rowTexts(page, '.chip')).toEqual(['王二', '赵七']);

    await submit(page);
    await waitFor(() => page.queryByText('预约成功'), 'the result');
    expect(requests(backend)).toEqual([
      { requestId: expect.stringMatching(/^b[0-9a-z]+$/), roomId: 'room-1', start: START, end: END, subject: '项目周会', attendeeIds: ['m2', 'm7'], repeatWeeks: 0 },
    ]);
    expect(rowTexts(page, '.result__row')).toEqual(['2099-06-01 周一 14:00–15:30已确认']);

    await page.tap('查看我的预约');
    expect((wxPages.redirectTo as unknown as jest.Mock).mock.calls[0][0]).toEqual({ url: '/pages/bookings/index' });
    await page.tap('返回');
    expect(wxPages.navigateBack).toHaveBeenCalledWith({ delta: 1 });
    page.unmount();
  });

  it('repeats weekly: 每周重复 N 周 sends repeatWeeks N − 1 and the result lists every week', async () => {
    const { page, backend } = await open();
    await trigger(page, '.field-subject', 'change', '组会');
    await trigger(page, '.field-repeat', 'change', 'weekly');
    expect(textOf(page, '.weeks')).toContain('共 4 周');
    await trigger(page, '.weeks-picker', 'change', { value: 4 });
    expect(textOf(page, '.weeks')).toContain('共 6 周');

    await submit(page);
    await waitFor(() => page.queryByText('预约成功'), 'the result');
    expect(requests(backend)[0].repeatWeeks).toBe(5);
    expect(rowTexts(page, '.result__row').map((row) => row.slice(0, 13))).toEqual(['2099-06-01 周一', '2099-06-08 周一', '2099-06-15 周一', '2099-06-22 周一', '2099-06-29 周一', '2099-07-06 周一']);
    expect(page.text()).toContain('共 6 周，每周同一时间');
    page.unmount();
  });

  it('retries an attempt whose reply was lost with the same request id, and starts a new one once the form is edited', async () => {
    let replies = 0;
    const { page, backend } = await open({ 'bookings.create': (request) => (++replies <= 2 ? fail('NETWORK_ERROR') : booked(request)) });
    await trigger(page, '.field-subject', 'change', '项目周会');

    await submit(page);
    await waitFor(() => textOf(page, '.message').length > 0, 'the failure');
    await submit(page);
    await waitFor(() => backend.callsOf('bookings.create').length === 2 && textOf(page, '.message').length > 0, 'the second failure');
    await trigger(page, '.field-subject', 'change', '项目周会（改）');
    await submit(page);
    await waitFor(() => page.queryByText('预约成功'), 'the result');

    const ids = requests(backend).map((request) => request.requestId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[1]);
    page.unmount();
  });

  it('lists the bookings in the way in Chinese under the time, and keeps the form as it was', async () => {
    const { page, backend } = await open({ 'bookings.create': () => conflictFailure() });
    await trigger(page, '.field-subject', 'change', '项目周会');
    await submit(page);

    await waitFor(() => exists(page, '.conflicts'), 'the conflicts');
    expect(rowTexts(page, '.conflicts__head')).toEqual(['与以下预约冲突：']);
    expect(rowTexts(page, '.conflicts__line')).toEqual(['06-01 14:00–15:00 张三《周会》（待审批）', '06-01 15:00–16:00 李四《评审》']);
    expect(attributeOf(page, '.field-subject', 'value')).toBe('项目周会');
    expect(textOf(page, '.time')).toContain('14:00–15:30');

    // A new time is a new attempt, and the old conflicts go.
    await trigger(page, '.time-end', 'change', { value: 0 });
    expect(exists(page, '.conflicts')).toBe(false);
    await submit(page);
    await waitFor(() => backend.callsOf('bookings.create').length === 2, 'the second attempt');
    const ids = requests(backend).map((request) => request.requestId);
    expect(ids[1]).not.toBe(ids[0]);
    page.unmount();
  });

  it('shows the chosen time in the pickers even when someone has taken it since (a conflict reloads the day)', async () => {
    const base = roomDay({ date: '2099-06-01' });
    const taken = { ...base, slots: holdSlots(base.slots, { id: 'b-other', subject: '评审', bookerName: '李四', start: START, end: END }) };
    const { page } = await open({ 'rooms.day': () => ok(taken) });

    expect(textOf(page, '.time-start')).toBe('开始 14:00');
    expect(textOf(page, '.time-end')).toBe('结束 15:30');
    page.unmount();
  });

  it('shows a rule of the room the time breaks under the time, in the server\'s words, and an invalid field on it', async () => {
    const { page, backend } = await open({ 'bookings.create': () => fail('BOOKING_TOO_LONG', '该会议室单次最长可预约 2 小时') });
    await trigger(page, '.field-subject', 'change', '项目周会');
    await submit(page);
    await waitFor(() => exists(page, '.time-error'), 'the rule');
    expect(textOf(page, '.time-error')).toBe('该会议室单次最长可预约 2 小时');

    backend.on('bookings.create', () => ({ ok: false, error: { code: 'INVALID_INPUT', message: '会议主题含有不能使用的字符', field: 'subject' } }));
    await submit(page);
    await waitFor(() => textOf(page, '.field-subject').includes('会议主题含有不能使用的字符'), 'the field error');
    // The server answered both for certain: each try was an attempt of its own.
    const ids = requests(backend).map((request) => request.requestId);
    expect(ids[1]).not.toBe(ids[0]);
    page.unmount();
  });

  it('says a room needs approval and check-in, and that the booking waits for the approver', async () => {
    const day = roomDay({ date: '2099-06-01' }, { approval: { required: true, approvers: [{ id: 'm8', name: '王老师' }] }, checkInRequired: true });
    const { page } = await open({ 'rooms.day': () => ok(day), 'bookings.create': (request) => booked(request, { status: 'pending' }) });

    expect(textOf(page, '.approval-note')).toBe('提交后需审批人同意（审批人：王老师）');
    expect(textOf(page, '.check-in-note')).toBe('需在开始前 10 分钟至开始后 15 分钟内签到，否则自动释放');
    await trigger(page, '.field-subject', 'change', '项目周会');
    await page.tap('提交申请');

    await waitFor(() => page.queryByText('已提交，等待审批'), 'the pending result');
    expect(rowTexts(page, '.result__row')).toEqual(['2099-06-01 周一 14:00–15:30待审批']);
    page.unmount();
  });

  it("states this deployment's check-in window, not the default one", async () => {
    const day = roomDay({ date: '2099-06-01' }, { checkInRequired: true, checkInWindow: { beforeMinutes: 5, afterMinutes: 30 } });
    const { page } = await open({ 'rooms.day': () => ok(day) });

    expect(textOf(page, '.check-in-note')).toBe('需在开始前 5 分钟至开始后 30 分钟内签到，否则自动释放');
    page.unmount();
  });

  it('offers no submit for a room the person may not book, and stops once the server says so', async () => {
    const closed = roomDay({ date: '2099-06-01' }, { canBook: false, cannotBookReason: 'units' });
    const first = await open({ 'rooms.day': () => ok(closed) });
    expect(textOf(first.page, '.notice--blocked')).toBe('你所在的单位不能预约该会议室');
    await trigger(first.page, '.field-subject', 'change', '项目周会');
    await submit(first.page);
    expect(await settled(first.page, first.backend)).toContain('你所在的单位不能预约该会议室');
    expect(first.backend.callsOf('bookings.create')).toHaveLength(0);
    first.page.unmount();

    const second = await open({ 'bookings.create': () => fail('ROOM_OUT_OF_SERVICE') });
    await trigger(second.page, '.field-subject', 'change', '项目周会');
    await submit(second.page);
    await waitFor(() => exists(second.page, '.notice--blocked'), 'the notice');
    expect(textOf(second.page, '.notice--blocked')).toBe('该会议室暂停使用，无法预约');
    await submit(second.page);
    await second.backend.idle();
    expect(second.backend.callsOf('bookings.create')).toHaveLength(1);
    second.page.unmount();
  });

  it('says a missing room plainly', async () => {
    const { page } = await open({ 'rooms.day': () => fail('ROOM_NOT_FOUND') }, NEW_QUERY, '该会议室不存在或已被删除');
    expect(exists(page, '.submit')).toBe(false);
    page.unmount();
  });
});

describe('changing a booking', () => {
  const mine = bookingView({ id: 'bk-1', rev: 'rev-7', subject: '项目周会', attendees: [{ id: 'm2', name: '王二' }], start: START, end: END });
  const base = roomDay({ date: '2099-06-01' });
  const day = { ...base, slots: holdSlots(base.slots, { id: 'bk-1', subject: '项目周会', bookerName: '林一', start: START, end: END }, 'mine') };

  it('picks a new time on the room page as a change, and comes back to change the booking, never to book anew', async () => {
    const change = (request: { start: string; end: string }) => ok({ ...mine, start: request.start, end: request.end, rev: 'rev-8' });
    const first = await open({ 'bookings.get': () => ok(mine), 'rooms.day': () => ok(day) }, { bookingId: 'bk-1' });
    await first.page.tap('重新选择时间');
    expect((wxPages.redirectTo as unknown as jest.Mock).mock.calls[0][0]).toEqual({ url: '/pages/room/index?id=room-1&date=2099-06-01&booking=bk-1' });
    first.page.unmount();

    // The room page sends the chosen time back with the booking's id.
    const { page, backend } = await open({ 'bookings.get': () => ok(mine), 'rooms.day': () => ok(day), 'bookings.change': change }, { bookingId: 'bk-1', start: encodeURIComponent('2099-06-01 17:00'), end: encodeURIComponent('2099-06-01 18:00') });
    expect(textOf(page, '.time')).toBe('2099-06-01 周一17:00–18:00（1 小时）');
    await page.tap('保存修改');
    await waitFor(() => page.queryByText('修改成功'), 'the result');
    expect(backend.callsOf('bookings.change').map((call) => call.request)).toEqual([
      { bookingId: 'bk-1', rev: 'rev-7', start: '2099-06-01 17:00', end: '2099-06-01 18:00', subject: '项目周会', attendeeIds: ['m2'] },
    ]);
    expect(backend.callsOf('bookings.create')).toHaveLength(0);

    // 查看我的预约 goes back to the 我的预约 the change started from instead of opening another.
    const stack = [{ route: 'pages/bookings/index', options: {} }, { route: 'pages/room/index', options: { booking: 'bk-1' } }, { route: 'pages/room-book/index', options: {} }];
    jest.spyOn(globalThis as unknown as { getCurrentPages(): unknown[] }, 'getCurrentPages').mockReturnValue(stack);
    await page.tap('查看我的预约');
    expect((wxPages.navigateBack as unknown as jest.Mock).mock.calls.at(-1)?.[0]).toEqual({ delta: 2 });
    page.unmount();
  });

  it('opens the booking, offers its own slots, and sends its id and version with the new time; no repetition', async () => {
    const { page, backend } = await open(
      { 'bookings.get': () => ok(mine), 'rooms.day': () => ok(day), 'bookings.change': (request) => ok({ ...mine, start: request.start, end: request.end, rev: 'rev-8' }) },
      { bookingId: 'bk-1' },
    );
    expect(backend.callsOf('bookings.get')[0].request).toEqual({ bookingId: 'bk-1' });
    expect(attributeOf(page, '.field-subject', 'value')).toBe('项目周会');
    expect(rowTexts(page, '.chip')).toEqual(['王二']);
    expect(page.text()).not.toContain('每周重复');
    expect(textOf(page, '.time-pickers')).toContain('开始 14:00');

    await trigger(page, '.time-end', 'change', { value: 3 });
    await page.tap('保存修改');
    await waitFor(() => page.queryByText('修改成功'), 'the result');
    expect(backend.callsOf('bookings.change').map((call) => call.request)).toEqual([
      { bookingId: 'bk-1', rev: 'rev-7', start: START, end: '2099-06-01 16:00', subject: '项目周会', attendeeIds: ['m2'] },
    ]);
    expect(backend.callsOf('bookings.create')).toHaveLength(0);
    page.unmount();
  });

  it('reads a booking changed meanwhile again and says so', async () => {
    let version = 7;
    const { page, backend } = await open(
      { 'bookings.get': () => ok({ ...mine, rev: `rev-${version}` }), 'rooms.day': () => ok(day), 'bookings.change': () => fail('BOOKING_STALE') },
      { bookingId: 'bk-1' },
    );
    version = 8;
    await page.tap('保存修改');
    await waitFor(() => backend.callsOf('bookings.get').length === 2, 'the booking read again');
    expect(await settled(page, backend)).toContain('该预约刚被修改，已重新加载最新信息，请核对后再试');
    page.unmount();
  });

  it('says a booking that can no longer change cannot', async () => {
    const { page } = await open({ 'bookings.get': () => ok({ ...mine, can: { ...mine.can, change: false } }) }, { bookingId: 'bk-1' }, '该预约当前不能修改（已开始、已结束或你不是预约人）');
    expect(exists(page, '.submit')).toBe(false);
    page.unmount();
  });
});

describe('booking reminders and results', () => {
  const remind = template({ id: 'tpl-remind', purpose: 'booking-remind' });
  const outcome = template({ id: 'tpl-result', purpose: 'booking-result' });

  it('asks for the room templates the person has no credit for on the submit tap, records the answers with the room function, and books without waiting', async () => {
    const after = subscriptions({ ...remind, credits: 1 }, outcome);
    const { page, backend } = await open({
      'subscriptions.state': roomTemplates(subscriptions(remind, outcome)),
      'subscriptions.record': (_request, call) => ok(call.name === 'room' ? after : subscriptions()),
    });
    await waitFor(() => backend.callsOf('subscriptions.state').length === 1 && backend.inFlight() === 0, 'the templates');
    expect(backend.callsOf('subscriptions.state')[0].name).toBe('room');
    const platform = fakeLocalPlatform();
    const popup = jest.spyOn(wx as unknown as { requestSubscribeMessage(o: unknown): void }, 'requestSubscribeMessage').mockImplementation(() => undefined);
    await trigger(page, '.field-subject', 'change', '项目周会');

    await submit(page);
    expect(popup).toHaveBeenCalledTimes(1);
    expect((popup.mock.calls[0][0] as { tmplIds: string[] }).tmplIds).toEqual(['tpl-remind', 'tpl-result']);
    // The popup is still open: the booking went out all the same.
    await waitFor(() => page.queryByText('预约成功'), 'the result');

    const options = popup.mock.calls[0][0] as { success(result: Record<string, string>): void };
    options.success({ errMsg: 'requestSubscribeMessage:ok', 'tpl-remind': 'accept', 'tpl-result': 'reject' });
    await waitFor(() => backend.callsOf('subscriptions.record').length === 1, 'the answers recorded');
    expect(backend.callsOf('subscriptions.record')[0]).toMatchObject({ name: 'room', request: { choices: { 'tpl-remind': 'accept', 'tpl-result': 'reject' } } });
    expect(platform.posts).toEqual([{ openid: 'demo-admin-openid', choices: { 'tpl-remind': 'accept', 'tpl-result': 'reject' } }]);
    page.unmount();
  });

  it('asks for nothing when the person can already be told', async () => {
    const { page, backend } = await open({ 'subscriptions.state': roomTemplates(subscriptions({ ...remind, credits: 2 }, { ...outcome, credits: 1 })) });
    await waitFor(() => backend.callsOf('subscriptions.state').length === 1 && backend.inFlight() === 0, 'the templates');
    const popup = answerPopups({});
    await trigger(page, '.field-subject', 'change', '项目周会');
    await submit(page);
    await waitFor(() => page.queryByText('预约成功'), 'the result');
    expect(popup).not.toHaveBeenCalled();
    page.unmount();
  });
});

describe('the subscribe service with two functions', () => {
  type Source = 'notice' | 'room';
  /** The service as the test uses it (its module reaches `wx`, which the test program does not declare). */
  interface Service {
    knownSubscriptions(source?: Source): SubscriptionState | null;
    loadSubscriptions(source?: Source): Promise<SubscriptionState | null>;
    promptSubscribe(ids: readonly string[], source?: Source): { recorded: Promise<SubscriptionState | null> };
    declinedThisSession(source?: Source): boolean;
  }

  it('keeps the room function\'s templates, credits and refusals apart from the notice function\'s, notice by default', async () => {
    const service = requireBuilt<Service>('services/subscribe');
    const notices = subscriptions(template({ id: 'n1' }));
    const rooms = subscriptions(template({ id: 'br', purpose: 'booking-remind' }));
    const roomsAfter = subscriptions(template({ id: 'br', purpose: 'booking-remind', credits: 1 }));
    const backend = installBackend({
      'subscriptions.state': (_request, call) => ok(call.name === 'room' ? rooms : notices),
      'subscriptions.record': (_request, call) => ok(call.name === 'room' ? roomsAfter : notices),
    });
    fakeLocalPlatform();

    expect(await service.loadSubscriptions('room')).toEqual(rooms);
    expect(service.knownSubscriptions()).toBeNull();
    expect(await service.loadSubscriptions()).toEqual(notices);
    expect(service.knownSubscriptions('room')).toEqual(rooms);

    answerPopups({ br: 'reject' });
    expect(await service.promptSubscribe(['br'], 'room').recorded).toEqual(roomsAfter);
    expect(backend.callsOf('subscriptions.record').map((call) => call.name)).toEqual(['room']);
    expect(service.knownSubscriptions('room')).toEqual(roomsAfter);
    expect(service.knownSubscriptions('notice')).toEqual(notices);
    // Turning down booking messages does not stop the inbox from asking about notices.
    expect(service.declinedThisSession('room')).toBe(true);
    expect(service.declinedThisSession()).toBe(false);
  });
});
