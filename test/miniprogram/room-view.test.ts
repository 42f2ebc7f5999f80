/**
 * What the 会议室 tab and the room page show, without a page: the date strip, filters, cards'
 * free time, the room's header and closed days, the timeline with a booking's slots merged and
 * 次日 past midnight, and the selection rules (extend, blocked, too long, clear, carried over).
 */
import type { TimelineSlot } from '../../typings';
import { requireBuilt } from '../helpers/simulate';
import { daySlots, holdSlots, pastSlots, roomCard, roomDay, roomView } from './room-fixtures';

type View = typeof import('../../miniprogram/utils/room-view');
const view = requireBuilt<View>('utils/room-view');

const DATE = '2099-06-01';
/** 08:00–22:00 in 30-minute slots: index 12 is 14:00. */
const free = () => daySlots(`${DATE} 08:00`, `${DATE} 22:00`, 30);
const at = (slots: TimelineSlot[], time: string) => slots.findIndex((slot) => slot.start === `${DATE} ${time}`);
const weekly = { id: 'bk-1', subject: '项目周会', bookerName: '张老师', start: `${DATE} 15:00`, end: `${DATE} 16:30` };

describe('dates', () => {
  it('labels today, tomorrow and then weekdays with the month and day', () => {
    // 2024-12-01 is a Sunday.
    const strip = view.dateStrip('2024-12-01', view.addDays('2024-12-01', view.LIST_DAYS - 1));
    expect(strip).toHaveLength(14);
    expect(strip.slice(0, 3).map((chip) => `${chip.label} ${chip.day}`)).toEqual(['今天 12-01', '明天 12-02', '周二 12-03']);
    expect(strip[13].date).toBe('2024-12-14');
    expect(strip[2].ariaLabel).toBe('周二 12月3日');
  });

  it('crosses months and years, and adds a chosen day beyond the strip at its end', () => {
    expect(view.addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(view.addDays('2024-02-28', 1)).toBe('2024-02-29');
    const strip = view.dateStrip('2024-12-30', '2025-01-01', '2025-01-20');
    expect(strip.map((chip) => chip.date)).toEqual(['2024-12-30', '2024-12-31', '2025-01-01', '2025-01-20']);
    expect(view.dateStrip('2024-12-30', '2024-12-01')).toHaveLength(1);
  });

  it('says durations as people do', () => {
    expect(view.durationText(30)).toBe('30 分钟');
    expect(view.durationText(90)).toBe('1.5 小时');
    expect(view.durationText(240)).toBe('4 小时');
    expect(view.durationText(75)).toBe('1 小时 15 分钟');
    expect(view.minutesBetween('2099-06-01 22:00', '2099-06-02 01:30')).toBe(210);
  });
});

describe('filters', () => {
  it('offers the capacities and equipment, marking what is chosen, and sends only what is set', () => {
    expect(view.capacityChips(10).filter((chip) => chip.selected).map((chip) => chip.text)).toEqual(['≥ 10 人']);
    expect(view.capacityChips(0).map((chip) => chip.text)).toEqual(['不限人数', '≥ 5 人', '≥ 10 人', '≥ 20 人', '≥ 50 人']);
    expect(view.equipmentChips(['video']).filter((chip) => chip.selected).map((chip) => chip.text)).toEqual(['视频会议']);
    expect(view.roomFilters(0, [])).toEqual({});
    expect(view.roomFilters(20, ['whiteboard', 'projector'])).toEqual({ minCapacity: 20, equipment: ['whiteboard', 'projector'] });
  });

  it('toggles equipment in the list order, ignoring unknown keys', () => {
    const chosen = view.toggleEquipment(view.toggleEquipment([], 'whiteboard'), 'projector');
    expect(chosen).toEqual(['projector', 'whiteboard']);
    expect(view.toggleEquipment(chosen, 'projector')).toEqual(['whiteboard']);
    expect(view.toggleEquipment(chosen, 'coffee')).toEqual(chosen);
  });
});

describe('room cards', () => {
  it('shows place, capacity, equipment and the free stretches', () => {
    const row = view.roomCardRow(roomCard({ free: [{ start: '14:00', end: '16:00' }, { start: '18:00', end: '22:00' }] }), true);
    expect(row.meta).toBe('行政楼 3F · 容纳 12 人');
    expect(row.equipment).toBe('投影仪 · 白板');
    expect(row.freeText).toBe('空闲 14:00–16:00、18:00–22:00');
    expect(row.freeTone).toBe('free');
    expect(row.ariaLabel).toBe('第一会议室，行政楼 3F · 容纳 12 人，空闲 14:00–16:00、18:00–22:00');
  });

  it('says when a day is booked up, closed, or the room is out of service', () => {
    expect(view.roomCardRow(roomCard({ free: [] }), true).freeText).toBe('今日已约满');
    expect(view.roomCardRow(roomCard({ free: [] }), false).freeText).toBe('当日已约满');
    expect(view.roomCardRow(roomCard({ period: null, free: [] }), true)).toMatchObject({ freeText: '当日不开放', freeTone: 'closed' });
    const stopped = view.roomCardRow(roomCard({ inService: false, needsApproval: true }), true);
    expect(stopped).toMatchObject({ outOfService: true, needsApproval: true, freeText: '暂停使用' });
    expect(stopped.ariaLabel).toContain('需审批，暂停使用');
  });

  it('names a fragmented day\'s first stretches and how many there are', () => {
    const free = ['08:00', '10:00', '12:00', '14:00', '16:00'].map((start) => ({ start, end: start.replace(':00', ':30') }));
    expect(view.roomCardRow(roomCard({ free }), true).freeText).toBe('空闲 08:00–08:30、10:00–10:30、12:00–12:30 等 5 段');
  });

  it('links the room page and the booking form with encoded times', () => {
    expect(view.roomUrl('room-1', DATE)).toBe(`/pages/room/index?id=room-1&date=${DATE}`);
    expect(view.bookUrl('room-1', `${DATE} 14:00`, `${DATE} 15:30`)).toBe('/pages/room-book/index?roomId=room-1&start=2099-06-01%2014%3A00&end=2099-06-01%2015%3A30');
  });

  it('starts a search at the next whole hour today and 09:00 on a later day, and checks its range', () => {
    expect(view.searchDefaults('2099-06-02', '2099-06-01', '10:20')).toEqual({ start: '09:00', end: '10:00' });
    expect(view.searchDefaults(DATE, DATE, '10:20')).toEqual({ start: '11:00', end: '12:00' });
    expect(view.searchDefaults(DATE, DATE, '10:00')).toEqual({ start: '10:00', end: '11:00' });
    expect(view.searchDefaults(DATE, DATE, '23:10')).toEqual({ start: '22:00', end: '23:00' });
    expect(view.searchProblem(DATE, '14:00', '14:00', `${DATE} 10:20`)).toBe('结束时间需晚于开始时间');
    expect(view.searchProblem(DATE, '14:00', '15:00', `${DATE} 10:20`)).toBeNull();
    expect(view.searchProblem(DATE, '10:00', '11:00', `${DATE} 10:20`)).toBe('开始时间已过，请选择之后的时间');
    expect(view.searchProblem('2099-06-02', '10:00', '11:00', `${DATE} 10:20`)).toBeNull();
  });
});

describe('the room', () => {
  it('shows approval with its approvers, check-in, hours past midnight and the longest booking', () => {
    const header = view.roomHeader(
      roomView({
        approval: { required: true, approvers: [{ id: 'm2', name: '张老师' }, { id: 'm3', name: '李老师' }] },
        checkInRequired: true,
        checkInWindow: { beforeMinutes: 5, afterMinutes: 30 },
        hours: { open: '18:00', close: '02:00' },
        maxMinutes: 90,
      }),
    );
    expect(header.approvalText).toBe('需审批（审批人：张老师、李老师）');
    // The deployment's window, as the room carries it.
    expect(header.checkInText).toBe('需在开始前 5 分钟至开始后 30 分钟内签到，否则自动释放（可在会议室门口扫码签到）');
    expect(header.hoursText).toBe('开放 18:00–次日 02:00');
    expect(header.maxText).toBe('单次最长 1.5 小时');
    expect(view.roomHeader(roomView()).approvalText).toBe('');
  });

  it.each([
    ['weekday', '这一天是该会议室不开放的星期'],
    ['holiday', '节假日不开放'],
    ['out-of-service', '暂停使用：空调维修'],
    ['too-far', '超出可预约天数（最多提前 14 天）'],
  ] as const)('says why a %s day has no timeline', (closed, text) => {
    expect(view.closedText({ closed, room: roomView({ outOfServiceReason: '空调维修' }) })).toBe(text);
  });

  it('says in Chinese why the person cannot book, offering binding to the unbound', () => {
    expect(view.cannotBook(roomView())).toBeNull();
    expect(view.cannotBook(roomView({ canBook: false, cannotBookReason: 'unbound' }))).toEqual({ text: '绑定花名册后才能预约会议室', bind: true });
    expect(view.cannotBook(roomView({ canBook: false, cannotBookReason: 'units' }))?.text).toBe('你所在的单位不能预约该会议室');
    expect(view.cannotBook(roomView({ canBook: false, cannotBookReason: 'out-of-service', outOfServiceReason: null }))?.text).toBe('该会议室暂停使用');
  });

  it('reads the room from a link or a scanned code, and refuses a code that is not a room\'s', () => {
    const decode = (scene: string) => (/^r=(\w+)$/.exec(scene) ?? [])[1] ?? null;
    expect(view.roomTarget({ id: 'room-1' }, decode)).toEqual({ roomId: 'room-1', fromCode: false });
    expect(view.roomTarget({ scene: encodeURIComponent('r=room7') }, decode)).toEqual({ roomId: 'room7', fromCode: true });
    expect(view.roomTarget({ scene: 'x=1' }, decode)).toEqual({ roomId: null, fromCode: true });
    expect(view.roomTarget({ scene: '%E0%A4%A' }, decode)).toEqual({ roomId: null, fromCode: true });
    expect(view.validDate('2099-06-01')).toBe('2099-06-01');
    expect(view.validDate('tomorrow')).toBeNull();
    expect(view.checkedInText(weekly)).toBe('签到成功：项目周会 15:00–16:30');
    expect(view.checkedInText({ subject: '通宵自习', start: '2099-06-01 22:00', end: '2099-06-02 01:00' })).toBe('签到成功：通宵自习 22:00–次日 01:00');
  });
});

describe('the timeline', () => {
  it('gives free slots a row each and merges a booking\'s slots into one row with its range', () => {
    const slots = holdSlots(free(), weekly);
    const rows = view.timelineRows(slots, DATE, null);
    expect(rows).toHaveLength(28 - 3 + 1);
    const held = rows.find((row) => row.state === 'taken');
    expect(held).toMatchObject({ index: at(slots, '15:00'), count: 3, time: '15:00', range: '15:00–16:30', subject: '项目周会', who: '张老师', stateText: '已预约', tappable: true });
    expect(rows[rows.indexOf(held!) + 1].time).toBe('16:30');
  });

  it('keeps two bookings back to back apart, and merges a past stretch into one dimmed row', () => {
    const next = { ...weekly, id: 'bk-2', subject: '答辩', start: `${DATE} 16:30`, end: `${DATE} 17:00` };
    const slots = pastSlots(holdSlots(holdSlots(free(), weekly), next, 'pending'), `${DATE} 10:00`);
    const rows = view.timelineRows(slots, DATE, null);
    expect(rows[0]).toMatchObject({ state: 'past', count: 4, range: '08:00–10:00', tappable: false, stateText: '已过' });
    expect(rows.filter((row) => row.subject).map((row) => `${row.range || row.time} ${row.stateText}`)).toEqual(['15:00–16:30 已预约', '16:30 待审批']);
  });

  it("says of one's own bookings whether one booked or is invited, and whether it still waits for approval", () => {
    const own = { ...weekly, id: 'bk-own', start: `${DATE} 09:00`, end: `${DATE} 10:00`, pending: true };
    const invited = { ...weekly, id: 'bk-invited', start: `${DATE} 11:00`, end: `${DATE} 12:00`, attending: true };
    const slots = holdSlots(holdSlots(free(), own, 'mine'), invited, 'mine');
    const rows = view.timelineRows(slots, DATE, null).filter((row) => row.state === 'mine');
    expect(rows.map((row) => `${row.range} ${row.stateText}`)).toEqual(['09:00–10:00 我的预约 · 待审批', '11:00–12:00 我参加的']);
  });

  it('marks slots of the next day 次日 in a period past midnight', () => {
    const slots = daySlots(`${DATE} 22:00`, '2099-06-02 02:00', 60);
    const rows = view.timelineRows(slots, DATE, null);
    expect(rows.map((row) => `${row.nextDay ? '次日 ' : ''}${row.time}`)).toEqual(['22:00', '23:00', '次日 00:00', '次日 01:00']);
    expect(rows[2].ariaLabel).toBe('次日 00:00–01:00，空闲');
  });

  it('marks the selected free rows', () => {
    const slots = free();
    const rows = view.timelineRows(slots, DATE, { from: at(slots, '14:00'), to: at(slots, '14:30') });
    expect(rows.filter((row) => row.selected).map((row) => row.time)).toEqual(['14:00', '14:30']);
    expect(rows.find((row) => row.selected)?.stateText).toBe('已选');
  });
});

describe('selecting a range', () => {
  const slots = holdSlots(free(), weekly);
  const fourteen = at(slots, '14:00');
  const pick = (selection: { from: number; to: number } | null, time: string, max = 240) => view.selectSlot(slots, selection, at(slots, time), max);

  it('selects a free slot, then extends to a later one', () => {
    const first = pick(null, '14:00');
    expect(first).toEqual({ selection: { from: fourteen, to: fourteen }, toast: null });
    const extended = pick(first.selection, '14:30');
    expect(extended).toEqual({ selection: { from: fourteen, to: fourteen + 1 }, toast: null });
    expect(view.selectionText(slots, extended.selection, DATE)).toBe('已选 14:00–15:00（1 小时）');
    expect(view.selectedRange(slots, extended.selection)).toEqual({ start: `${DATE} 14:00`, end: `${DATE} 15:00` });
  });

  it('starts anew past a taken slot, saying why', () => {
    expect(pick({ from: fourteen, to: fourteen }, '17:00')).toEqual({ selection: { from: at(slots, '17:00'), to: at(slots, '17:00') }, toast: '中间有已预约的时段' });
  });

  it('starts anew beyond the room\'s longest booking, saying the limit', () => {
    const nine = at(slots, '09:00');
    // 09:00–10:30 is 1.5 hours; the slot from 10:30 would make it 2.
    expect(pick({ from: nine, to: nine }, '10:00', 90)).toEqual({ selection: { from: nine, to: nine + 2 }, toast: null });
    expect(pick({ from: nine, to: nine }, '10:30', 90)).toEqual({ selection: { from: at(slots, '10:30'), to: at(slots, '10:30') }, toast: '最长可预约 1.5 小时' });
  });

  it('clears on a tap inside the selection, starts anew on an earlier slot, and ignores held or past slots', () => {
    const selection = { from: fourteen, to: fourteen + 2 };
    expect(pick(selection, '14:30')).toEqual({ selection: null, toast: null });
    expect(pick(selection, '09:00')).toEqual({ selection: { from: at(slots, '09:00'), to: at(slots, '09:00') }, toast: null });
    expect(pick(selection, '15:30')).toEqual({ selection, toast: null });
    const past = pastSlots(slots, `${DATE} 10:00`);
    expect(view.selectSlot(past, null, 0, 240)).toEqual({ selection: null, toast: null });
  });

  it('says 次日 for a selection past midnight', () => {
    const night = daySlots(`${DATE} 22:00`, '2099-06-02 02:00', 30);
    expect(view.selectionText(night, { from: 2, to: 4 }, DATE)).toBe('已选 23:00–次日 00:30（1.5 小时）');
  });

  it('keeps the selection over a reload while its slots stay free, and drops it once one is taken', () => {
    const selection = { from: fourteen, to: fourteen + 1 };
    expect(view.carrySelection(slots, selection, slots)).toEqual(selection);
    const taken = holdSlots(slots, { ...weekly, id: 'bk-3', start: `${DATE} 14:30`, end: `${DATE} 15:00` });
    expect(view.carrySelection(slots, selection, taken)).toBeNull();
    expect(view.carrySelection(slots, null, slots)).toBeNull();
  });

  it('tells the held booking\'s subject, booker and whole time', () => {
    const held = slots[at(slots, '15:30')];
    expect(view.bookingPopup(held, DATE)).toEqual({ title: '项目周会', lines: ['15:00–16:30', '预约人：张老师', '已预约'] });
    expect(view.bookingPopup(slots[0], DATE)).toBeNull();
  });
});

describe('fixtures', () => {
  it('build a day past midnight from the room\'s hours', () => {
    const day = roomDay({ date: DATE }, { hours: { open: '18:00', close: '02:00' }, slotMinutes: 60 });
    expect(day.period).toEqual({ start: `${DATE} 18:00`, end: '2099-06-02 02:00' });
    expect(day.slots).toHaveLength(8);
  });
});
