import { FIELD_LIMITS } from '../../typings/limits';
import type { AppError } from '../../typings';
import {
  type BookingForm,
  bookingPromptIds,
  bookingRow,
  bookRequestOf,
  cancelQuestion,
  checkBooking,
  checkInNote,
  checkInWindowOf,
  conflictLine,
  emptyBookingForm,
  endAfterMove,
  endOptions,
  fieldOfBookingError,
  msUntil,
  nextTurn,
  personResults,
  pickerUnits,
  REPEAT_WEEKS,
  repeatWeeksOf,
  resultView,
  roomIdOfScan,
  roomSummary,
  startOptions,
  statusOf,
  whenText,
} from '../../miniprogram/utils/booking-view';
import { subscriptions, template } from './inbox-fixtures';
import { card } from './org-fixtures';
import { bookingView, holdSlots, roomDay, roomView } from './room-fixtures';

const TODAY = '2099-06-01';
const NOW = '2099-06-01 09:00';
const form = (overrides: Partial<BookingForm> = {}): BookingForm => ({ ...emptyBookingForm('2099-06-01 14:00', '2099-06-01 15:30'), subject: '项目周会', ...overrides });

describe('times as people read them', () => {
  it('says the day with its weekday, the year only when it is not this one, and 次日 across midnight', () => {
    expect(whenText('2099-06-01 14:00', '2099-06-01 15:30', TODAY)).toBe('06-01 周一 14:00–15:30');
    expect(whenText('2099-06-07 22:00', '2099-06-08 01:00', TODAY)).toBe('06-07 周日 22:00–次日 01:00');
    expect(whenText('2098-12-31 09:00', '2098-12-31 10:00', TODAY)).toBe('2098-12-31 周三 09:00–10:00');
  });

});

describe('the pickers', () => {
  const day = roomDay({ date: TODAY }, { hours: { open: '08:00', close: '12:00' }, maxMinutes: 90 });
  const taken = { ...day, slots: holdSlots(day.slots, { id: 'bk-9', subject: '例会', bookerName: '张三', start: '2099-06-01 10:00', end: '2099-06-01 11:00' }) };

  it('offers free slot starts and the ends that follow without a gap, up to the longest booking', () => {
    expect(startOptions(taken).map((option) => option.label)).toEqual(['08:00', '08:30', '09:00', '09:30', '11:00', '11:30']);
    expect(endOptions(taken, '2099-06-01 08:00').map((option) => option.label)).toEqual(['08:30', '09:00', '09:30']);
    expect(endOptions(taken, '2099-06-01 09:00').map((option) => option.label)).toEqual(['09:30', '10:00']);
  });

  it('counts the slots of the booking being changed as its own', () => {
    expect(startOptions(taken, 'bk-9').map((option) => option.label)).toContain('10:00');
    expect(endOptions(taken, '2099-06-01 09:30', 'bk-9').map((option) => option.label)).toEqual(['10:00', '10:30', '11:00']);
  });

  it('labels slots of the next day 次日', () => {
    const night = roomDay({ date: TODAY }, { hours: { open: '22:00', close: '01:00' }, maxMinutes: 180 });
    expect(startOptions(night).map((option) => option.label)).toEqual(['22:00', '22:30', '23:00', '23:30', '次日 00:00', '次日 00:30']);
    expect(endOptions(night, '2099-06-01 23:30').map((option) => option.value)).toEqual(['2099-06-02 00:00', '2099-06-02 00:30', '2099-06-02 01:00']);
  });

  it('keeps the length when the start moves, when the room allows it there', () => {
    const ends = endOptions(taken, '2099-06-01 08:30');
    expect(endAfterMove(ends, '2099-06-01 08:30', 60)).toBe('2099-06-01 09:30');
    expect(endAfterMove(endOptions(taken, '2099-06-01 09:30'), '2099-06-01 09:30', 60)).toBe('2099-06-01 10:00');
  });
});

describe('the form', () => {
  it('asks for a subject, a time still ahead, and at most the attendees and weeks allowed', () => {
    expect(checkBooking(form(), 0, NOW)).toEqual({ time: '', subject: '', attendees: '', repeat: '' });
    expect(checkBooking(form({ subject: '  ' }), 0, NOW).subject).toBe('请输入会议主题');
    expect(checkBooking(form({ subject: '会'.repeat(FIELD_LIMITS.bookingSubject + 1) }), 0, NOW).subject).toBe(`会议主题不超过 ${FIELD_LIMITS.bookingSubject} 个字`);
    expect(checkBooking(form(), 0, '2099-06-01 14:00').time).toBe('开始时间已过，请重新选择');
    expect(checkBooking(form({ end: '2099-06-01 14:00' }), 0, NOW).time).toBe('结束时间需晚于开始时间');
    expect(checkBooking(form(), FIELD_LIMITS.bookingAttendees + 1, NOW).attendees).toBe(`最多邀请 ${FIELD_LIMITS.bookingAttendees} 人`);
  });

  it('turns 每周重复 N 周 into N − 1 further weeks, 2 to 12 weeks in all', () => {
    expect(REPEAT_WEEKS[0]).toBe(2);
    expect(REPEAT_WEEKS[REPEAT_WEEKS.length - 1]).toBe(FIELD_LIMITS.bookingRepeatWeeks + 1);
    expect(repeatWeeksOf({ repeat: false, weeks: 6 })).toBe(0);
    expect(repeatWeeksOf({ repeat: true, weeks: 6 })).toBe(5);
    expect(repeatWeeksOf({ repeat: true, weeks: 12 })).toBe(11);
    expect(bookRequestOf('req-1', 'room-1', form({ subject: ' 周会 ', repeat: true, weeks: 3 }), [{ id: 'm2', name: '王二' }])).toEqual({
      requestId: 'req-1',
      roomId: 'room-1',
      start: '2099-06-01 14:00',
      end: '2099-06-01 15:30',
      subject: '周会',
      attendeeIds: ['m2'],
      repeatWeeks: 2,
    });
  });

  it('puts each backend error on its field', () => {
    const error = (code: AppError['code'], field?: string): AppError => ({ code, message: 'x', field });
    expect(fieldOfBookingError(error('INVALID_INPUT', 'subject'))).toBe('subject');
    expect(fieldOfBookingError(error('INVALID_INPUT', 'attendeeIds[3]'))).toBe('attendees');
    expect(fieldOfBookingError(error('INVALID_INPUT', 'start'))).toBe('time');
    expect(fieldOfBookingError(error('INVALID_INPUT', 'repeatWeeks'))).toBe('repeat');
    expect(fieldOfBookingError(error('MEMBER_NOT_FOUND'))).toBe('attendees');
    expect(fieldOfBookingError(error('BOOKING_TOO_LONG'))).toBe('time');
    expect(fieldOfBookingError(error('NETWORK_ERROR'))).toBeNull();
  });

  it('says each conflict in Chinese: when, who, what, and whether it waits for approval', () => {
    expect(conflictLine({ bookingId: 'b1', subject: '周会', bookerName: '张三', start: '2099-12-03 14:00', end: '2099-12-03 15:00', status: 'pending' })).toBe('12-03 14:00–15:00 张三《周会》（待审批）');
    expect(conflictLine({ bookingId: 'b2', subject: '评审', bookerName: '李四', start: '2099-12-03 23:00', end: '2099-12-04 01:00', status: 'confirmed' })).toBe('12-03 23:00–次日 01:00 李四《评审》');
  });

  it('says the room, and the check-in rule', () => {
    expect(roomSummary(roomView({ equipment: ['whiteboard', 'projector'] }))).toEqual({ name: '第一会议室', facts: '行政楼 3F · 容纳 12 人', equipment: '投影仪 · 白板' });
    expect(checkInNote({ beforeMinutes: 10, afterMinutes: 15 })).toBe('需在开始前 10 分钟至开始后 15 分钟内签到，否则自动释放');
    expect(checkInWindowOf(bookingView({ start: '2099-06-01 14:00', checkIn: { opens: '2099-06-01 13:55', closes: '2099-06-01 14:20' } }))).toEqual({ beforeMinutes: 5, afterMinutes: 20 });
  });

  it('offers the people of a unit but the caller, marking those chosen; the units once each', () => {
    const found = personResults([card({ id: 'me' }), card({ id: 'm2', name: '王二', number: '2' }), card({ id: 'm3', name: '张三', number: '3' })], [{ id: 'm3', name: '张三' }], 'me');
    expect(found).toEqual([
      { id: 'm2', name: '王二', label: '2', chosen: false },
      { id: 'm3', name: '张三', label: '3', chosen: true },
    ]);
    expect(pickerUnits({ units: [{ id: 'u1', name: '教务处' }], observed: [{ id: 'u2', name: '一班' }, { id: 'u1', name: '教务处' }] })).toEqual([
      { id: 'u1', name: '教务处' },
      { id: 'u2', name: '一班' },
    ]);
  });

  it('asks for the room templates of purposes with no credit, one kind per popup', () => {
    const remind = (credits: number) => template({ id: 'br', purpose: 'booking-remind', credits });
    const outcome = (credits: number) => template({ id: 'bo', purpose: 'booking-result', credits });
    expect(bookingPromptIds(subscriptions(remind(0), outcome(0)))).toEqual(['br', 'bo']);
    expect(bookingPromptIds(subscriptions(remind(2), outcome(0)))).toEqual(['bo']);
    expect(bookingPromptIds(subscriptions(remind(1), outcome(1)))).toEqual([]);
    expect(bookingPromptIds(null)).toEqual([]);
  });

  it('shows the result: booked, or waiting for approval, with every week of a series', () => {
    const weeks = [0, 1, 2].map((i) => bookingView({ id: `bk-${i}`, start: `2099-06-${String(1 + 7 * i).padStart(2, '0')} 14:00`, end: `2099-06-${String(1 + 7 * i).padStart(2, '0')} 15:00` }));
    const booked = resultView(weeks, 'new', TODAY);
    expect(booked.title).toBe('预约成功');
    expect(booked.rows.map((row) => row.when)).toEqual(['06-01 周一 14:00–15:00', '06-08 周一 14:00–15:00', '06-15 周一 14:00–15:00']);
    expect(booked.note).toBe('共 3 周，每周同一时间');
    const pending = resultView([bookingView({ status: 'pending' })], 'new', TODAY);
    expect(pending.title).toBe('已提交，等待审批');
    expect(pending.rows[0].statusText).toBe('待审批');
    expect(resultView([bookingView()], 'change', TODAY).title).toBe('修改成功');
  });
});

describe('我的预约 rows', () => {
  it('names every status, a checked-in booking as 已签到', () => {
    const texts = (['pending', 'confirmed', 'cancelled', 'rejected', 'released', 'ended'] as const).map((status) => statusOf({ status, checkedInAt: null, end: '2099-06-01 15:00' }).text);
    expect(texts).toEqual(['待审批', '已确认', '已取消', '已驳回', '未签到已释放', '已提前结束']);
    expect(statusOf({ status: 'confirmed', checkedInAt: '2099-06-01 13:58', end: '2099-06-01 15:00' }).text).toBe('已签到');
    // Over: 已结束, checked in or not; before its end it keeps its status.
    expect(statusOf({ status: 'confirmed', checkedInAt: '2099-06-01 13:58', end: '2099-06-01 15:00' }, '2099-06-01 15:00')).toEqual({ text: '已结束', type: 'default' });
    expect(statusOf({ status: 'confirmed', checkedInAt: null, end: '2099-06-01 15:00' }, '2099-06-01 14:59').text).toBe('已确认');
  });

  it('shows the room, the time, the week of a series, whose booking it is and the actions the backend allows', () => {
    const row = bookingRow(
      bookingView({ seriesId: 's1', occurrence: 2, occurrences: 4, booker: { memberId: 'm9', name: '张三' }, role: 'attendee', can: { checkIn: true, end: false, change: false, cancel: false, decide: false } }),
      TODAY,
    );
    expect(row).toMatchObject({
      subject: '项目周会',
      place: '第一会议室 · 行政楼 3F',
      when: '06-01 周一 14:00–15:30',
      statusText: '已确认',
      series: '第 2/4 周',
      attending: true,
      extra: '第 2/4 周 · 我参加的 · 预约人 张三',
      canCheckIn: true,
      canEnd: false,
      canChange: false,
      canCancel: false,
      inSeries: true,
    });
    expect(bookingRow(bookingView(), TODAY)).toMatchObject({ attending: false, extra: '', inSeries: false });
    // An admin invited to someone else's meeting may change or cancel it elsewhere, not from 我参加的.
    expect(bookingRow(bookingView({ role: 'attendee', can: { checkIn: false, end: false, change: true, cancel: true, decide: false } }), TODAY)).toMatchObject({ canChange: false, canCancel: false });
  });

  it('says why a booking was rejected or cancelled, and when to check in', () => {
    expect(bookingRow(bookingView({ status: 'rejected', decision: { approved: false, by: '王老师', at: '2099-05-30 10:00', reason: '当天有校领导会议' } }), TODAY).note).toBe('驳回理由：当天有校领导会议');
    expect(bookingRow(bookingView({ status: 'cancelled', cancelReason: '会议室暂停使用' }), TODAY).note).toBe('取消原因：会议室暂停使用');
    expect(bookingRow(bookingView({ checkInRequired: true }), TODAY).note).toBe('请在 13:50–14:15 签到');
    expect(bookingRow(bookingView({ checkInRequired: true }), '2099-05-31').note).toBe('请在 06-01 13:50–14:15 签到');
    // Once the window has closed there is nothing left to do: no note.
    expect(bookingRow(bookingView({ checkInRequired: true }), '2099-06-01 14:16').note).toBe('');
  });

  it('asks before cancelling one week or the rest of a series', () => {
    const row = bookingRow(bookingView(), TODAY);
    expect(cancelQuestion(row, false)).toBe('将取消「项目周会」06-01 周一 14:00–15:30，时间会立即释放给他人');
    expect(cancelQuestion(row, true)).toBe('将取消「项目周会」本次及之后尚未开始的每一周，时间会立即释放给他人');
  });
});

describe('a scanned code', () => {
  it('names the room its scene carries, and nothing for any other code', () => {
    expect(roomIdOfScan({ path: 'pages/room/index?scene=r%3Droom-1' })).toBe('room-1');
    expect(roomIdOfScan({ path: 'pages/room/index?from=door&scene=r%3Dabc_9' })).toBe('abc_9');
    expect(roomIdOfScan({ path: 'pages/room/index?scene=x%3D1' })).toBeNull();
    expect(roomIdOfScan({ path: 'pages/notices/index' })).toBeNull();
    expect(roomIdOfScan({ result: 'https://example.com/?scene=r%3Droom-1' })).toBeNull();
    expect(roomIdOfScan({})).toBeNull();
  });
});

describe('when 我的预约 looks again', () => {
  it('is the next check-in window opening or closing, or a booking ending, after now', () => {
    const waiting = bookingView({ checkInRequired: true, checkIn: { opens: '2099-06-01 13:50', closes: '2099-06-01 14:15' }, end: '2099-06-01 15:30' });
    expect(nextTurn([waiting], '2099-06-01 13:00')).toBe('2099-06-01 13:50');
    expect(nextTurn([waiting], '2099-06-01 14:00')).toBe('2099-06-01 14:15');
    expect(nextTurn([{ ...waiting, checkedInAt: '2099-06-01 13:55' }], '2099-06-01 14:00')).toBe('2099-06-01 15:30');
    expect(nextTurn([{ ...waiting, status: 'cancelled' }], '2099-06-01 13:00')).toBeNull();
    // A business minute in milliseconds from an instant: Shanghai is UTC+8.
    expect(msUntil('2099-06-01 08:00', Date.UTC(2099, 5, 1, 0, 0))).toBe(0);
    expect(msUntil('2099-06-01 08:01', Date.UTC(2099, 5, 1, 0, 0))).toBe(60_000);
  });
});

