import { FIELD_LIMITS } from '../../typings/limits';
import type { AppError, RoomUsage } from '../../typings';
import {
  addClosedDate,
  addDays,
  albumRefused,
  approvalRow,
  checkInHint,
  checkReason,
  checkRoomForm,
  closeLabel,
  closeOptions,
  durationText,
  emptyRoomForm,
  fieldOfRoomError,
  fitMaxMinutes,
  hasRoomErrors,
  hoursText,
  maxMinutesOptions,
  mondayOf,
  openOptions,
  roomFormOf,
  roomInputOf,
  timeRangeText,
  usageView,
  weekdayOf,
  weekView,
  withoutDecided,
  type RoomForm,
} from '../../miniprogram/utils/room-admin-view';
import { bookingView, roomView } from './room-fixtures';

const form = (overrides: Partial<RoomForm> = {}): RoomForm => ({ ...emptyRoomForm(), name: '第一会议室', ...overrides });

describe('calendar', () => {
  it('finds weekdays and Mondays across months and years, whatever the host zone', () => {
    expect(weekdayOf('2024-06-03')).toBe(1);
    expect(weekdayOf('2024-06-09')).toBe(7);
    expect(mondayOf('2024-06-09')).toBe('2024-06-03');
    expect(mondayOf('2024-06-03')).toBe('2024-06-03');
    expect(mondayOf('2025-01-01')).toBe('2024-12-30');
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
  });

  it('writes a booking time, an end after midnight as 次日', () => {
    expect(timeRangeText('2024-06-03 14:00', '2024-06-03 15:30')).toBe('6月3日 周一 14:00–15:30');
    expect(timeRangeText('2024-06-08 22:00', '2024-06-09 01:00')).toBe('6月8日 周六 22:00–次日 01:00');
  });

  it('weeks: this week and last week are named, and no week after this one is offered', () => {
    expect(weekView('2024-06-03', '2024-06-03')).toEqual({ weekStart: '2024-06-03', label: '本周 · 6月3日–6月9日', canForward: false });
    expect(weekView('2024-05-27', '2024-06-03')).toEqual({ weekStart: '2024-05-27', label: '上周 · 5月27日–6月2日', canForward: true });
    expect(weekView('2024-05-20', '2024-06-03').label).toBe('5月20日–5月26日');
  });
});

describe('hours on the slot', () => {
  it('offers openings on every slot boundary of the day', () => {
    expect(openOptions(60)).toHaveLength(24);
    expect(openOptions(15).slice(0, 3).map((option) => option.value)).toEqual(['00:00', '00:15', '00:30']);
  });

  it('offers closings after the open, the next day’s read 次日 up to the open itself', () => {
    const options = closeOptions('18:00', 60);
    expect(options[0]).toEqual({ value: '19:00', label: '19:00' });
    expect(options.find((option) => option.value === '24:00')).toEqual({ value: '24:00', label: '24:00' });
    expect(options.find((option) => option.value === '02:00')).toEqual({ value: '02:00', label: '次日 02:00' });
    expect(options.at(-1)).toEqual({ value: '18:00', label: '次日 18:00' });
    // 24:00 is 次日 00:00: one option, not two.
    expect(options.filter((option) => option.value === '00:00')).toEqual([]);
    expect(options).toHaveLength(24);
  });

  it('reads a close not after the open as the next day', () => {
    expect(closeLabel('08:00', '22:00')).toBe('22:00');
    expect(closeLabel('18:00', '02:00')).toBe('次日 02:00');
    expect(hoursText('18:00', '02:00')).toBe('18:00–次日 02:00');
  });

  it('offers longest bookings in multiples of the slot up to the limit, and keeps one on a slot change', () => {
    expect(maxMinutesOptions(60).map((option) => option.value)).toEqual(Array.from({ length: FIELD_LIMITS.roomMaxMinutes / 60 }, (_, i) => (i + 1) * 60));
    expect(maxMinutesOptions(30)[2]).toEqual({ value: 90, label: '1.5 小时' });
    expect(maxMinutesOptions(15)[4]).toEqual({ value: 75, label: '1 小时 15 分钟' });
    expect(fitMaxMinutes(90, 60)).toBe(60);
    expect(fitMaxMinutes(15, 60)).toBe(60);
    expect(durationText(45)).toBe('45 分钟');
  });
});

describe('the room form', () => {
  it('sends every field of RoomInput, units and approvers by id, trimmed texts', () => {
    const input = roomInputOf(
      form({
        name: ' 第一会议室 ',
        building: '行政楼',
        floor: '3F',
        capacity: 20,
        equipment: ['whiteboard', 'projector'],
        photoFileId: 'cloud://env/room-photos/u-admin/1.jpg',
        open: '18:00',
        close: '02:00',
        openWeekdays: [5, 1],
        closedDates: ['2099-10-02', '2099-10-01'],
        slotMinutes: 60,
        maxMinutes: 180,
        advanceDays: 30,
        everyone: false,
        units: [{ id: 'college-1', name: '计算机学院' }],
        approvalRequired: true,
        approvers: [{ id: 'm1', name: '林一' }],
        checkInRequired: true,
        notes: ' 钥匙在前台 ',
      }),
    );
    expect(input).toEqual({
      name: '第一会议室',
      building: '行政楼',
      floor: '3F',
      capacity: 20,
      equipment: ['projector', 'whiteboard'],
      photoFileId: 'cloud://env/room-photos/u-admin/1.jpg',
      hours: { open: '18:00', close: '02:00' },
      openWeekdays: [1, 5],
      closedDates: ['2099-10-01', '2099-10-02'],
      slotMinutes: 60,
      maxMinutes: 180,
      advanceDays: 30,
      unitIds: ['college-1'],
      approval: { required: true, approverIds: ['m1'] },
      checkInRequired: true,
      notes: '钥匙在前台',
    });
    // Everyone may book: the units chosen before are not sent.
    expect(roomInputOf(form({ everyone: true, units: [{ id: 'college-1', name: '计算机学院' }] })).unitIds).toEqual([]);
  });

  it('reads a room back into the form, its units and approvers from their views', () => {
    const room = roomView({ units: [{ id: 'college-1', name: '计算机学院' }], approval: { required: true, approvers: [{ id: 'm1', name: '林一' }] } });
    const back = roomFormOf(room);
    expect(back.everyone).toBe(false);
    expect(back.units).toEqual([{ id: 'college-1', name: '计算机学院' }]);
    expect(back.approvers).toEqual([{ id: 'm1', name: '林一' }]);
    expect(roomInputOf(back)).toMatchObject({ unitIds: ['college-1'], approval: { required: true, approverIds: ['m1'] }, hours: room.hours });
    expect(roomFormOf(roomView()).everyone).toBe(true);
  });

  it('passes a complete form, cross-midnight hours included', () => {
    expect(hasRoomErrors(checkRoomForm(form({ open: '18:00', close: '02:00' })))).toBe(false);
  });

  it('says in Chinese what to fix, on the field at fault', () => {
    const errors = checkRoomForm(
      form({
        name: ' ',
        floor: '一'.repeat(FIELD_LIMITS.roomFloor + 1),
        capacity: 0,
        openWeekdays: [],
        slotMinutes: 60,
        open: '08:30',
        maxMinutes: 90,
        advanceDays: FIELD_LIMITS.roomAdvanceDays + 1,
        everyone: false,
        units: [],
        closedDates: Array.from({ length: FIELD_LIMITS.roomClosedDates + 1 }, (_, i) => addDays('2099-01-01', i)),
      }),
    );
    expect(errors).toMatchObject({
      name: '请输入会议室名称',
      floor: `楼层不超过 ${FIELD_LIMITS.roomFloor} 个字`,
      capacity: `容纳人数为 1–${FIELD_LIMITS.roomCapacity} 的整数`,
      openWeekdays: '请至少选择一个开放日',
      hours: '开放和关闭时间需为 1 小时的整数倍，请重新选择',
      maxMinutes: `最长预约时长需为 1 小时的整数倍，不超过 12 小时`,
      advanceDays: `可提前预约 1–${FIELD_LIMITS.roomAdvanceDays} 天`,
      units: '请选择可预约的单位，或改为全体成员可预约',
      closedDates: `不开放的日期最多 ${FIELD_LIMITS.roomClosedDates} 个`,
    });
    expect(checkRoomForm(form({ name: '一'.repeat(FIELD_LIMITS.roomName + 1) })).name).toBe(`名称不超过 ${FIELD_LIMITS.roomName} 个字`);
  });

  it('adds a closed date once, in order', () => {
    expect(addClosedDate(['2099-10-03'], '2099-10-01')).toEqual(['2099-10-01', '2099-10-03']);
    expect(addClosedDate(['2099-10-01'], '2099-10-01')).toEqual(['2099-10-01']);
  });

  it('puts a failed save on its field', () => {
    const invalid = (field: string): AppError => ({ code: 'INVALID_INPUT', message: '格式不对', field });
    expect(fieldOfRoomError({ code: 'ROOM_NAME_TAKEN', message: '' })).toBe('name');
    expect(fieldOfRoomError({ code: 'ROOM_PHOTO_INVALID', message: '' })).toBe('photo');
    expect(fieldOfRoomError(invalid('room.hours.close'))).toBe('hours');
    expect(fieldOfRoomError(invalid('room.closedDates[3]'))).toBe('closedDates');
    expect(fieldOfRoomError(invalid('room.approval.approverIds[0]'))).toBe('approvers');
    expect(fieldOfRoomError(invalid('room.unitIds'))).toBe('units');
    expect(fieldOfRoomError(invalid('room'))).toBeNull();
    expect(fieldOfRoomError({ code: 'ROOM_STALE', message: '' })).toBeNull();
  });
});

describe('approvals', () => {
  it('shows room, time, subject, booker, people and the week of a series', () => {
    const row = approvalRow(
      bookingView({
        seriesId: 's1',
        occurrence: 2,
        occurrences: 6,
        start: '2024-06-03 14:00',
        end: '2024-06-03 15:30',
        attendees: [
          { id: 'm2', name: '林二' },
          { id: 'm3', name: '林三' },
        ],
      }),
    );
    expect(row).toMatchObject({ roomName: '第一会议室', place: '行政楼 3F', time: '6月3日 周一 14:00–15:30', booker: '林一', people: '参会 3 人', series: '第 2/6 周' });
    expect(approvalRow(bookingView()).series).toBe('');
  });

  it('takes the other weeks of a decided series out with it', () => {
    const rows = [
      approvalRow(bookingView({ id: 'a', seriesId: 's1', occurrences: 2 })),
      approvalRow(bookingView({ id: 'b', seriesId: 's1', occurrence: 2, occurrences: 2 })),
      approvalRow(bookingView({ id: 'c' })),
      approvalRow(bookingView({ id: 'd' })),
    ];
    expect(withoutDecided(rows, rows[0]).map((row) => row.id)).toEqual(['c', 'd']);
    expect(withoutDecided(rows, rows[2]).map((row) => row.id)).toEqual(['a', 'b', 'd']);
  });

  it('requires a reason within the limit', () => {
    expect(checkReason('  ')).toBe('请填写驳回原因');
    expect(checkReason('', '暂停原因')).toBe('请填写暂停原因');
    expect(checkReason('一'.repeat(FIELD_LIMITS.bookingReason + 1))).toBe(`原因不超过 ${FIELD_LIMITS.bookingReason} 个字`);
    expect(checkReason('时间冲突')).toBe('');
  });
});

describe('codes', () => {
  it('tells a refused album permission from other failures', () => {
    expect(albumRefused({ errMsg: 'saveImageToPhotosAlbum:fail auth deny' })).toBe(true);
    expect(albumRefused({ errMsg: 'saveImageToPhotosAlbum:fail authorize no response' })).toBe(true);
    expect(albumRefused({ errMsg: 'saveImageToPhotosAlbum:fail cancel' })).toBe(false);
    expect(albumRefused(null)).toBe(false);
  });
});

describe('usage', () => {
  const usage = (overrides: Partial<RoomUsage> = {}): RoomUsage => ({
    weekStart: '2024-06-03',
    rooms: [{ roomId: 'room-1', name: '第一会议室', openMinutes: 4200, bookedMinutes: 1890, occupancy: 0.45 }],
    noShows: { due: 20, released: 3, rate: 0.15 },
    hours: Array.from({ length: 24 }, (_, hour) => ({ hour, minutes: hour === 14 ? 600 : hour === 9 ? 300 : 0 })),
    ...overrides,
  });

  it('draws a bar per room with its figures', () => {
    expect(usageView(usage()).rooms).toEqual([
      { id: 'room-1', name: '第一会议室', percent: 45, barStyle: 'width: 45%', figures: '已约 31.5 小时 / 开放 70 小时', ariaLabel: '第一会议室，使用率 45%，已约 31.5 小时 / 开放 70 小时' },
    ]);
  });

  it('gives the no-show rate with its counts', () => {
    expect(usageView(usage()).noShow).toEqual({ percent: 15, figures: '3/20', text: '20 个需签到的预约中，3 个未签到被释放', hint: '签到截止时仍未签到的预约会被自动释放' });
  });

  it('shows 08–22 only while the other hours are empty, bars against the busiest hour', () => {
    const view = usageView(usage());
    expect(view.columns.map((column) => column.hour)).toEqual(Array.from({ length: 14 }, (_, i) => 8 + i));
    expect(view.columns.find((column) => column.hour === 14)?.barStyle).toBe('height: 100%');
    expect(view.columns.find((column) => column.hour === 9)?.barStyle).toBe('height: 50%');
    expect(view.busiest).toBe('最忙 14:00–15:00（共 10 小时）');

    const late = usageView(usage({ hours: [{ hour: 23, minutes: 60 }] }));
    expect(late.columns).toHaveLength(24);
    expect(late.columns[23].ariaLabel).toBe('23:00–24:00 已约 1 小时');
  });

  it('draws an empty week without dividing by zero', () => {
    const view = usageView(usage({ rooms: [], hours: [], noShows: { due: 0, released: 0, rate: 0 } }));
    expect(view.columns.every((column) => column.barStyle === 'height: 0%')).toBe(true);
    expect(view.busiest).toBe('');
    // Bookings needing check-in may lie ahead in the week: none has come due yet, not "none at all".
    expect(view.noShow).toMatchObject({ figures: '0/0', text: '还没有签到截止的预约', hint: '需签到的预约在签到截止后计入' });
  });
});

describe('the check-in hint of the room form', () => {
  it("states this deployment's window once a room is read, and no numbers before", () => {
    expect(checkInHint(roomView({ checkInWindow: { beforeMinutes: 5, afterMinutes: 30 } }))).toBe('需在开始前 5 分钟至开始后 30 分钟内签到，否则自动释放');
    expect(checkInHint(null)).toBe('开始前后规定时间内签到，未签到的预约将自动释放');
  });
});
