/**
 * What the 会议室 tab and the room page show, as pure functions: the date strip, the filters,
 * room cards, the room's header, the day timeline with a booking's slots merged into one row,
 * and the selection of a range of free slots (the rules a tap follows). Times are business
 * times, `YYYY-MM-DD HH:mm`, compared as strings (they sort as they read).
 */
import type { Equipment, RoomCard, RoomDay, RoomFilters, RoomView, SlotState, TimelineSlot } from '../../typings';
import { EQUIPMENT_KEYS, ROOM_EQUIPMENT, WEEKDAY_NAMES } from '../../typings/room-rules';

export const ROOM_URL = '/pages/room/index';
export const BOOK_URL = '/pages/room-book/index';
export const BOOKINGS_URL = '/pages/bookings/index';
export const ROOM_ADMIN_URL = '/packages/admin/pages/room-admin/index';
export const APPROVALS_URL = '/packages/admin/pages/room-approvals/index';
export const ME_URL = '/pages/me/index';
export const ROOMS_TAB_URL = '/pages/rooms/index';

/** Days the 会议室 tab offers: today and the next 13. */
export const LIST_DAYS = 14;

/**
 * Rooms a window of the list holds. A card is about ten WXML nodes, so 60 of them with the
 * filters above stay under the 1,000 nodes of WeChat's experience score.
 */
export const ROOMS_CAP = 60;

/** Free stretches a card names before 「等 N 段」: a fragmented day would fill the card. */
const FREE_SHOWN = 3;

const pad = (value: number) => String(value).padStart(2, '0');

// ---------------------------------------------------------------------------------------
// Dates and durations

function utcOf(date: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

/** `YYYY-MM-DD` plus `days`. */
export function addDays(date: string, days: number): string {
  const moved = utcOf(date);
  moved.setUTCDate(moved.getUTCDate() + days);
  return `${moved.getUTCFullYear()}-${pad(moved.getUTCMonth() + 1)}-${pad(moved.getUTCDate())}`;
}

/** Days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcOf(to).getTime() - utcOf(from).getTime()) / 86400000);
}

/** 1 Monday … 7 Sunday. */
export function weekdayOf(date: string): number {
  const day = utcOf(date).getUTCDay();
  return day === 0 ? 7 : day;
}

/** `14:00–15:30` (`22:00–次日 01:00` across midnight, `06-03 09:00` further). */
export function clockRange(start: string, end: string): string {
  const day = (time: string) => time.slice(0, 10);
  const at = (time: string) => time.slice(11, 16);
  const endText = day(end) === day(start) ? at(end) : day(end) === addDays(day(start), 1) ? `次日 ${at(end)}` : `${end.slice(5, 10)} ${at(end)}`;
  return `${at(start)}–${endText}`;
}

/** Minutes from one `YYYY-MM-DD HH:mm` to another. */
export function minutesBetween(start: string, end: string): number {
  const at = (time: string) => utcOf(time.slice(0, 10)).getTime() / 60000 + Number(time.slice(11, 13)) * 60 + Number(time.slice(14, 16));
  return at(end) - at(start);
}

/** `1.5 小时`, `45 分钟`, `1 小时 15 分钟`. */
export function durationText(minutes: number): string {
  if (minutes < 60) return `${minutes} 分钟`;
  if (minutes % 30 === 0) return `${minutes / 60} 小时`;
  return `${Math.floor(minutes / 60)} 小时 ${minutes % 60} 分钟`;
}

export interface DateChip {
  date: string;
  /** 今天, 明天 or the weekday. */
  label: string;
  /** `12-03`. */
  day: string;
  ariaLabel: string;
}

export function dateChip(date: string, today: string): DateChip {
  const offset = daysBetween(today, date);
  const label = offset === 0 ? '今天' : offset === 1 ? '明天' : WEEKDAY_NAMES[weekdayOf(date)];
  const day = date.slice(5);
  return { date, label, day, ariaLabel: `${label} ${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日` };
}

/**
 * The days from `today` to `last` (at least today), with `chosen` added at the end when it
 * lies beyond (a day opened from a link the strip would not reach).
 */
export function dateStrip(today: string, last: string, chosen: string | null = null): DateChip[] {
  const count = Math.max(1, daysBetween(today, last) + 1);
  const dates = Array.from({ length: count }, (_, i) => addDays(today, i));
  if (chosen && chosen > dates[dates.length - 1]) dates.push(chosen);
  return dates.map((date) => dateChip(date, today));
}

/** `2024-12-03` -> `12月3日 周二`. */
export function dateText(date: string): string {
  return `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日 ${WEEKDAY_NAMES[weekdayOf(date)]}`;
}

// ---------------------------------------------------------------------------------------
// Filters

export interface FilterChip {
  value: number | string;
  text: string;
  selected: boolean;
  ariaLabel: string;
}

export const CAPACITY_CHOICES: readonly { value: number; text: string }[] = [
  { value: 0, text: '不限人数' },
  { value: 5, text: '≥ 5 人' },
  { value: 10, text: '≥ 10 人' },
  { value: 20, text: '≥ 20 人' },
  { value: 50, text: '≥ 50 人' },
];

export function capacityChips(minCapacity: number): FilterChip[] {
  return CAPACITY_CHOICES.map((choice) => ({
    value: choice.value,
    text: choice.text,
    selected: choice.value === minCapacity,
    ariaLabel: choice.value ? `至少容纳 ${choice.value} 人` : '不限人数',
  }));
}

export function equipmentChips(chosen: readonly Equipment[]): FilterChip[] {
  return EQUIPMENT_KEYS.map((key) => ({ value: key, text: ROOM_EQUIPMENT[key], selected: chosen.includes(key), ariaLabel: `需要${ROOM_EQUIPMENT[key]}` }));
}

/** The equipment chosen with `key` toggled, kept in ROOM_EQUIPMENT's order. */
export function toggleEquipment(chosen: readonly Equipment[], key: string): Equipment[] {
  if (!(EQUIPMENT_KEYS as string[]).includes(key)) return [...chosen];
  const set = new Set<string>(chosen);
  if (set.has(key)) set.delete(key);
  else set.add(key);
  return EQUIPMENT_KEYS.filter((item) => set.has(item));
}

export function roomFilters(minCapacity: number, equipment: readonly Equipment[]): RoomFilters {
  const filters: RoomFilters = {};
  if (minCapacity > 0) filters.minCapacity = minCapacity;
  if (equipment.length) filters.equipment = [...equipment];
  return filters;
}

// ---------------------------------------------------------------------------------------
// Room cards

export type FreeTone = 'free' | 'full' | 'closed';

export interface RoomCardRow {
  id: string;
  name: string;
  /** `行政楼 3F · 容纳 12 人`. */
  meta: string;
  /** `投影仪 · 白板`; empty without equipment. */
  equipment: string;
  photoUrl: string;
  needsApproval: boolean;
  outOfService: boolean;
  freeText: string;
  freeTone: FreeTone;
  ariaLabel: string;
}

export function placeText(building: string, floor: string): string {
  return [building, floor].filter(Boolean).join(' ');
}

export function equipmentText(equipment: readonly Equipment[]): string {
  return EQUIPMENT_KEYS.filter((key) => equipment.includes(key))
    .map((key) => ROOM_EQUIPMENT[key])
    .join(' · ');
}

/** 「空闲 14:00–16:00、18:00–22:00」, 「今日已约满」, 「当日不开放」. */
export function freeText(card: Pick<RoomCard, 'period' | 'free'>, isToday: boolean): { text: string; tone: FreeTone } {
  if (!card.period) return { text: '当日不开放', tone: 'closed' };
  if (card.free.length === 0) return { text: isToday ? '今日已约满' : '当日已约满', tone: 'full' };
  const ranges = card.free.slice(0, FREE_SHOWN).map((range) => `${range.start}–${range.end}`);
  const more = card.free.length > FREE_SHOWN ? ` 等 ${card.free.length} 段` : '';
  return { text: `空闲 ${ranges.join('、')}${more}`, tone: 'free' };
}

export function roomCardRow(card: RoomCard, isToday: boolean): RoomCardRow {
  const free = card.inService ? freeText(card, isToday) : { text: '暂停使用', tone: 'closed' as const };
  const meta = [placeText(card.building, card.floor), `容纳 ${card.capacity} 人`].filter(Boolean).join(' · ');
  const flags = [card.needsApproval ? '需审批' : '', card.inService ? '' : '暂停使用'].filter(Boolean);
  return {
    id: card.id,
    name: card.name,
    meta,
    equipment: equipmentText(card.equipment),
    photoUrl: card.photoUrl ?? '',
    needsApproval: card.needsApproval,
    outOfService: !card.inService,
    freeText: free.text,
    freeTone: free.tone,
    ariaLabel: [card.name, meta, ...flags, card.inService ? free.text : ''].filter(Boolean).join('，'),
  };
}

/** A room's day; with `changing`, picking a new time for that booking of the room. */
export function roomUrl(roomId: string, date: string, changing: string | null = null): string {
  return `${ROOM_URL}?id=${encodeURIComponent(roomId)}&date=${date}${changing ? `&booking=${encodeURIComponent(changing)}` : ''}`;
}

/** The booking form for `start`–`end` (`YYYY-MM-DD HH:mm`) in the room; with `changing`, that booking moved there. */
export function bookUrl(roomId: string, start: string, end: string, changing: string | null = null): string {
  const time = `start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`;
  return changing ? `${BOOK_URL}?bookingId=${encodeURIComponent(changing)}&${time}` : `${BOOK_URL}?roomId=${encodeURIComponent(roomId)}&${time}`;
}

/** The day as the person moving `bookingId` sees it: its own time not yet begun is free to choose again. */
export function slotsForChange(slots: readonly TimelineSlot[], bookingId: string): TimelineSlot[] {
  return slots.map((slot) => (slot.booking?.id === bookingId && slot.state !== 'past' ? { ...slot, state: 'free', booking: null } : slot));
}

// ---------------------------------------------------------------------------------------
// Free-room search

/** The range a search starts with: the next whole hour today, 09:00–10:00 on a later day. */
export function searchDefaults(date: string, today: string, nowTime: string): { start: string; end: string } {
  if (date !== today) return { start: '09:00', end: '10:00' };
  const [h, m] = nowTime.split(':').map(Number);
  // The next whole hour; late in the evening the last hour a picker can end in.
  const next = Math.min(m === 0 ? h : h + 1, 22);
  return { start: `${pad(next)}:00`, end: `${pad(next + 1)}:00` };
}

/** Why a search cannot run (a person-readable sentence), or null; `now` (`YYYY-MM-DD HH:mm`) refuses a start already past on `date`. */
export function searchProblem(date: string, start: string, end: string, now: string): string | null {
  if (!start || !end) return '请选择开始和结束时间';
  if (end <= start) return '结束时间需晚于开始时间';
  if (`${date} ${start}` <= now) return '开始时间已过，请选择之后的时间';
  return null;
}

// ---------------------------------------------------------------------------------------
// The room's header

export interface RoomHeader {
  name: string;
  photoUrl: string;
  place: string;
  capacityText: string;
  equipment: string;
  hoursText: string;
  notes: string;
  /** `需审批（审批人：张老师、李老师）`; empty when no approval is needed. */
  approvalText: string;
  checkInText: string;
  maxText: string;
}

/** The check-in rule of this deployment: `需在开始前 10 分钟至开始后 15 分钟内签到，否则自动释放`. */
export function checkInNote(window: RoomView['checkInWindow']): string {
  return `需在开始前 ${window.beforeMinutes} 分钟至开始后 ${window.afterMinutes} 分钟内签到，否则自动释放`;
}

function hoursText(room: Pick<RoomView, 'hours'>): string {
  const { open, close } = room.hours;
  const nextDay = close === '24:00' || close <= open;
  return `开放 ${open}–${close === '24:00' ? '24:00' : `${nextDay ? '次日 ' : ''}${close}`}`;
}

export function roomHeader(room: RoomView): RoomHeader {
  const approvers = room.approval.approvers.map((approver) => approver.name).join('、');
  return {
    name: room.name,
    photoUrl: room.photoUrl ?? '',
    place: placeText(room.building, room.floor),
    capacityText: `容纳 ${room.capacity} 人`,
    equipment: equipmentText(room.equipment),
    hoursText: hoursText(room),
    notes: room.notes,
    approvalText: room.approval.required ? (approvers ? `需审批（审批人：${approvers}）` : '需审批') : '',
    checkInText: room.checkInRequired ? `${checkInNote(room.checkInWindow)}（可在会议室门口扫码签到）` : '',
    maxText: `单次最长 ${durationText(room.maxMinutes)}`,
  };
}

/** Why a day has no timeline. */
export function closedText(day: Pick<RoomDay, 'closed' | 'room'>): string {
  switch (day.closed) {
    case 'weekday':
      return '这一天是该会议室不开放的星期';
    case 'holiday':
      return '节假日不开放';
    case 'out-of-service':
      return day.room.outOfServiceReason ? `暂停使用：${day.room.outOfServiceReason}` : '暂停使用';
    case 'too-far':
      return `超出可预约天数（最多提前 ${day.room.advanceDays} 天）`;
    default:
      return '';
  }
}

export interface CannotBook {
  text: string;
  /** Unbound: offer the way to 我的 to bind. */
  bind: boolean;
}

export function cannotBook(room: Pick<RoomView, 'canBook' | 'cannotBookReason' | 'outOfServiceReason'>): CannotBook | null {
  if (room.canBook) return null;
  switch (room.cannotBookReason) {
    case 'unbound':
      return { text: '绑定花名册后才能预约会议室', bind: true };
    case 'units':
      return { text: '你所在的单位不能预约该会议室', bind: false };
    case 'out-of-service':
      return { text: room.outOfServiceReason ? `该会议室暂停使用：${room.outOfServiceReason}` : '该会议室暂停使用', bind: false };
    default:
      return { text: '你暂时不能预约该会议室', bind: false };
  }
}

// ---------------------------------------------------------------------------------------
// The timeline

export interface Selection {
  /** Indices into the day's slots, inclusive. */
  from: number;
  to: number;
}

export const STATE_TEXTS: Readonly<Record<SlotState, string>> = {
  free: '空闲',
  taken: '已预约',
  pending: '待审批',
  mine: '我的预约',
  past: '已过',
};

export interface TimelineRow {
  /** The first slot's index: a tap carries it. */
  index: number;
  /** Slots the row stands for (a booking's or a past stretch's, merged). */
  count: number;
  time: string;
  /** `14:00–15:30`, for a merged row; empty for one slot. */
  range: string;
  /** The row starts on the day after the page's (a period past midnight). */
  nextDay: boolean;
  state: SlotState;
  stateText: string;
  /** Subject and booker of the booking holding it. */
  subject: string;
  who: string;
  selected: boolean;
  tappable: boolean;
  ariaLabel: string;
}

const clock = (time: string) => time.slice(11, 16);

/** One's own booking on the timeline: booked or invited to, and whether it still waits for approval. */
function mineText(booking: NonNullable<TimelineSlot['booking']>): string {
  const whose = booking.attending ? '我参加的' : STATE_TEXTS.mine;
  return booking.pending ? `${whose} · 待审批` : whose;
}

/** Rows merge slots of one booking, and a past stretch, which differ only in their times. */
function sameBlock(a: TimelineSlot, b: TimelineSlot): boolean {
  if (a.state !== b.state || a.end !== b.start) return false;
  if (a.state === 'past') return (a.booking?.id ?? null) === (b.booking?.id ?? null);
  return a.state !== 'free' && !!a.booking && a.booking.id === b.booking?.id;
}

function within(selection: Selection | null, index: number): boolean {
  return !!selection && index >= selection.from && index <= selection.to;
}

/** One row per free slot, one per booking (its slots merged) and one per past stretch. */
export function timelineRows(slots: readonly TimelineSlot[], date: string, selection: Selection | null): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let i = 0;
  while (i < slots.length) {
    const first = slots[i];
    let last = i;
    while (last + 1 < slots.length && sameBlock(slots[last], slots[last + 1])) last += 1;
    const count = last - i + 1;
    const endSlot = slots[last];
    const nextDay = first.start.slice(0, 10) > date;
    const booking = first.state === 'free' ? null : first.booking;
    const time = clock(first.start);
    const range = count > 1 ? `${time}–${clock(endSlot.end)}` : '';
    const selected = first.state === 'free' && within(selection, i);
    const subject = booking?.subject ?? '';
    const who = booking?.bookerName ?? '';
    const stateText = first.state === 'free' && selected ? '已选' : first.state === 'mine' && booking ? mineText(booking) : STATE_TEXTS[first.state];
    rows.push({
      index: i,
      count,
      time,
      range,
      nextDay,
      state: first.state,
      stateText,
      subject,
      who,
      selected,
      tappable: first.state !== 'past',
      ariaLabel: [`${nextDay ? '次日 ' : ''}${time}–${clock(endSlot.end)}`, stateText, subject, who].filter(Boolean).join('，'),
    });
    i = last + 1;
  }
  return rows;
}

export interface SelectOutcome {
  selection: Selection | null;
  /** Why the tap started a new selection instead of extending the one there was. */
  toast: string | null;
}

/**
 * The selection after a tap on the free slot `index`: the first tap selects it; a later free
 * slot extends the selection to it when every slot between is free and the whole stays within
 * `maxMinutes` (otherwise the tap starts anew, and the toast says why); a tap inside the
 * selection clears it; an earlier slot starts anew. A tap on anything but a free slot changes
 * nothing.
 */
export function selectSlot(slots: readonly TimelineSlot[], selection: Selection | null, index: number, maxMinutes: number): SelectOutcome {
  const slot = slots[index];
  if (!slot || slot.state !== 'free') return { selection, toast: null };
  if (!selection) return { selection: { from: index, to: index }, toast: null };
  if (within(selection, index)) return { selection: null, toast: null };
  if (index < selection.from) return { selection: { from: index, to: index }, toast: null };
  const anew = { from: index, to: index };
  if (slots.slice(selection.from, index + 1).some((between) => between.state !== 'free')) {
    return { selection: anew, toast: '中间有已预约的时段' };
  }
  if (minutesBetween(slots[selection.from].start, slot.end) > maxMinutes) {
    return { selection: anew, toast: `最长可预约 ${durationText(maxMinutes)}` };
  }
  return { selection: { from: selection.from, to: index }, toast: null };
}

/** The selected range, `YYYY-MM-DD HH:mm` both; null without one. */
export function selectedRange(slots: readonly TimelineSlot[], selection: Selection | null): { start: string; end: string } | null {
  if (!selection || !slots[selection.from] || !slots[selection.to]) return null;
  return { start: slots[selection.from].start, end: slots[selection.to].end };
}

/** 「已选 14:00–15:30（1.5 小时）」; a range past midnight says 次日 where it is. */
export function selectionText(slots: readonly TimelineSlot[], selection: Selection | null, date: string): string {
  const range = selectedRange(slots, selection);
  if (!range) return '';
  const at = (time: string) => `${time.slice(0, 10) > date ? '次日 ' : ''}${clock(time)}`;
  return `已选 ${at(range.start)}–${at(range.end)}（${durationText(minutesBetween(range.start, range.end))}）`;
}

/**
 * The selection carried over to a reloaded day (back from the form, a refresh): the same range
 * if its slots are all still free, else none.
 */
export function carrySelection(before: readonly TimelineSlot[], selection: Selection | null, after: readonly TimelineSlot[]): Selection | null {
  const range = selectedRange(before, selection);
  if (!range) return null;
  const from = after.findIndex((slot) => slot.start === range.start);
  const to = after.findIndex((slot) => slot.end === range.end);
  if (from < 0 || to < from) return null;
  for (let i = from; i <= to; i += 1) if (after[i].state !== 'free') return null;
  return { from, to };
}

/** What the popup of a held row says: the booking's subject, who booked it, and its whole time. */
export function bookingPopup(slot: TimelineSlot, date: string): { title: string; lines: string[] } | null {
  const booking = slot.booking;
  if (!booking) return null;
  const at = (time: string) => `${time.slice(0, 10) > date ? '次日 ' : ''}${clock(time)}`;
  return {
    title: booking.subject,
    lines: [`${at(booking.start)}–${at(booking.end)}`, `预约人：${booking.bookerName}`, slot.state === 'mine' ? mineText(booking) : STATE_TEXTS[slot.state]],
  };
}

// ---------------------------------------------------------------------------------------
// Opening a room

/** The room a page was opened for: `id` from a link, or a scanned code's `scene`. */
export function roomTarget(query: Record<string, string | undefined>, decode: (scene: string) => string | null): { roomId: string | null; fromCode: boolean } {
  if (query.scene !== undefined) {
    let scene = query.scene;
    try {
      scene = decodeURIComponent(scene);
    } catch {
      return { roomId: null, fromCode: true };
    }
    return { roomId: decode(scene), fromCode: true };
  }
  let id = query.id ?? '';
  try {
    id = decodeURIComponent(id);
  } catch {
    id = '';
  }
  return { roomId: id || null, fromCode: false };
}

/** `2024-12-03` as given, or null for anything else. */
export function validDate(value: string | undefined): string | null {
  return value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}

/** 「签到成功：项目周会 14:00–15:30」 (an end after midnight reads 次日). */
export function checkedInText(booking: { subject: string; start: string; end: string }): string {
  return `签到成功：${booking.subject} ${clockRange(booking.start, booking.end)}`;
}

export const NONE_NOW_TEXT = '你当前在这间会议室没有需要签到的预约';
export const BAD_CODE_TEXT = '无法识别的会议室码';
