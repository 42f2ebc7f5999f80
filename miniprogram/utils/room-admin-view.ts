/**
 * Room administration without a page: the room form and the RoomInput it sends, the checks made
 * before saving (Chinese messages on the field at fault), which field a backend error belongs
 * to, the rows of the admin list, the approvals and the codes, and the usage charts. Plain
 * functions, tested without a page.
 */
import type { AppError, BookingView, Equipment, RoomCard, RoomInput, RoomUsage, RoomView, SlotMinutes } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { EQUIPMENT_KEYS, ROOM_EQUIPMENT, SLOT_SIZES, WEEKDAY_NAMES } from '../../typings/room-rules';
import { addDays, checkInNote, durationText, equipmentText, placeText, weekdayOf } from './room-view';

/** Shared with the room pages, so a duration or a place reads the same everywhere. */
export { addDays, durationText, placeText, weekdayOf };

const pad = (value: number) => String(value).padStart(2, '0');
const chars = (text: string) => Array.from(text).length;

// Calendar arithmetic on business dates (`YYYY-MM-DD`): plain days, no zone involved.

/** The Monday of the week holding `date`. */
export function mondayOf(date: string): string {
  return addDays(date, 1 - weekdayOf(date));
}

/** `6月3日`. */
function monthDay(date: string): string {
  const [, m, d] = date.split('-').map(Number);
  return `${m}月${d}日`;
}

/** `6月3日 周一 14:00–15:30`; an end on a later day reads `次日 01:00`. */
export function timeRangeText(start: string, end: string): string {
  const [startDate, startTime] = start.split(' ');
  const [endDate, endTime] = end.split(' ');
  const endText = endDate === startDate ? endTime : endDate === addDays(startDate, 1) ? `次日 ${endTime}` : `${monthDay(endDate)} ${endTime}`;
  return `${monthDay(startDate)} ${WEEKDAY_NAMES[weekdayOf(startDate)]} ${startTime}–${endText}`;
}

// Times of day on a room's slot

function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h * 60 + m;
}

function timeOf(minutes: number): string {
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

export interface TimeOption {
  value: string;
  label: string;
}

/** Opening times a room may have with this slot: every slot boundary of a day. */
export function openOptions(slot: SlotMinutes): TimeOption[] {
  const options: TimeOption[] = [];
  for (let at = 0; at < 24 * 60; at += slot) options.push({ value: timeOf(at), label: timeOf(at) });
  return options;
}

/** How a closing time reads after `open`: a close not after the open is the next day's. */
export function closeLabel(open: string, close: string): string {
  if (close === '24:00') return '24:00';
  return minutesOf(close) <= minutesOf(open) ? `次日 ${close}` : close;
}

/**
 * Closing times after `open`, in the order of the day: the same day's up to 24:00, then the
 * next day's up to the open again (a room open round the clock closes at 次日 the same time).
 */
export function closeOptions(open: string, slot: SlotMinutes): TimeOption[] {
  const start = minutesOf(open);
  const options: TimeOption[] = [];
  for (let at = start + slot; at <= start + 24 * 60; at += slot) {
    // 24:00 and 次日 00:00 are one time: the contract's name for it is 24:00.
    const value = at === 24 * 60 ? '24:00' : timeOf(at % (24 * 60));
    options.push({ value, label: closeLabel(open, value) });
  }
  return options;
}

/** `08:00–22:00`, `18:00–次日 02:00`. */
export function hoursText(open: string, close: string): string {
  return `${open}–${closeLabel(open, close)}`;
}

export interface MinutesOption {
  value: number;
  label: string;
}

export const SLOT_OPTIONS: readonly MinutesOption[] = SLOT_SIZES.map((value) => ({ value, label: durationText(value) }));

/** Longest bookings a room with this slot may allow: every multiple of the slot up to the limit. */
export function maxMinutesOptions(slot: SlotMinutes): MinutesOption[] {
  const options: MinutesOption[] = [];
  for (let value = slot; value <= FIELD_LIMITS.roomMaxMinutes; value += slot) options.push({ value, label: durationText(value) });
  return options;
}

/** The longest booking kept on a new slot size: the largest multiple of it not above the old value (one slot at least). */
export function fitMaxMinutes(maxMinutes: number, slot: SlotMinutes): number {
  return Math.max(slot, Math.floor(maxMinutes / slot) * slot);
}

// The form

export interface Chip {
  id: string;
  name: string;
}

export interface RoomForm {
  name: string;
  building: string;
  floor: string;
  capacity: number;
  equipment: Equipment[];
  photoFileId: string | null;
  open: string;
  close: string;
  /** 1 Monday … 7 Sunday, in order. */
  openWeekdays: number[];
  closedDates: string[];
  slotMinutes: SlotMinutes;
  maxMinutes: number;
  advanceDays: number;
  /** Everyone may book; otherwise members of `units` (with their sub-units). */
  everyone: boolean;
  units: Chip[];
  approvalRequired: boolean;
  approvers: Chip[];
  checkInRequired: boolean;
  notes: string;
}

export type RoomField = 'name' | 'building' | 'floor' | 'capacity' | 'equipment' | 'photo' | 'hours' | 'openWeekdays' | 'closedDates' | 'slotMinutes' | 'maxMinutes' | 'advanceDays' | 'units' | 'approvers' | 'notes';
export type RoomErrors = Record<RoomField, string>;

export const NO_ROOM_ERRORS: Readonly<RoomErrors> = {
  name: '',
  building: '',
  floor: '',
  capacity: '',
  equipment: '',
  photo: '',
  hours: '',
  openWeekdays: '',
  closedDates: '',
  slotMinutes: '',
  maxMinutes: '',
  advanceDays: '',
  units: '',
  approvers: '',
  notes: '',
};

/** A new room: office hours on working days, half-hour slots, bookable two weeks ahead by everyone. */
export function emptyRoomForm(): RoomForm {
  return {
    name: '',
    building: '',
    floor: '',
    capacity: 10,
    equipment: [],
    photoFileId: null,
    open: '08:00',
    close: '22:00',
    openWeekdays: [1, 2, 3, 4, 5],
    closedDates: [],
    slotMinutes: 30,
    maxMinutes: 240,
    advanceDays: 14,
    everyone: true,
    units: [],
    approvalRequired: false,
    approvers: [],
    checkInRequired: false,
    notes: '',
  };
}

/** The form of a room as read; RoomView names its units and approvers, whose ids the save sends back. */
export function roomFormOf(room: RoomView): RoomForm {
  return {
    name: room.name,
    building: room.building,
    floor: room.floor,
    capacity: room.capacity,
    equipment: EQUIPMENT_KEYS.filter((key) => room.equipment.includes(key)),
    photoFileId: room.photoFileId,
    open: room.hours.open,
    close: room.hours.close,
    openWeekdays: [...room.openWeekdays].sort((a, b) => a - b),
    closedDates: [...room.closedDates].sort(),
    slotMinutes: room.slotMinutes,
    maxMinutes: room.maxMinutes,
    advanceDays: room.advanceDays,
    everyone: room.units.length === 0,
    units: room.units.map((unit) => ({ id: unit.id, name: unit.name })),
    approvalRequired: room.approval.required,
    approvers: room.approval.approvers.map((person) => ({ id: person.id, name: person.name })),
    checkInRequired: room.checkInRequired,
    notes: room.notes,
  };
}

export function roomInputOf(form: RoomForm): RoomInput {
  return {
    name: form.name.trim(),
    building: form.building.trim(),
    floor: form.floor.trim(),
    capacity: form.capacity,
    equipment: EQUIPMENT_KEYS.filter((key) => form.equipment.includes(key)),
    photoFileId: form.photoFileId,
    hours: { open: form.open, close: form.close },
    openWeekdays: [...form.openWeekdays].sort((a, b) => a - b),
    closedDates: [...form.closedDates].sort(),
    slotMinutes: form.slotMinutes,
    maxMinutes: form.maxMinutes,
    advanceDays: form.advanceDays,
    unitIds: form.everyone ? [] : form.units.map((unit) => unit.id),
    // Approvers are kept while approval is off, so switching it on again finds them.
    approval: { required: form.approvalRequired, approverIds: form.approvers.map((person) => person.id) },
    checkInRequired: form.checkInRequired,
    notes: form.notes.trim(),
  };
}

function onSlot(time: string, slot: number): boolean {
  return time === '24:00' || minutesOf(time) % slot === 0;
}

function wholeIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

function longText(text: string, limit: number, label: string): string {
  return chars(text.trim()) > limit ? `${label}不超过 ${limit} 个字` : '';
}

/** What must be fixed before saving; every message empty when the form can be sent. */
export function checkRoomForm(form: RoomForm): RoomErrors {
  const slot = form.slotMinutes;
  const errors: RoomErrors = { ...NO_ROOM_ERRORS };
  errors.name = form.name.trim() ? longText(form.name, FIELD_LIMITS.roomName, '名称') : '请输入会议室名称';
  errors.building = longText(form.building, FIELD_LIMITS.roomBuilding, '楼宇');
  errors.floor = longText(form.floor, FIELD_LIMITS.roomFloor, '楼层');
  errors.notes = longText(form.notes, FIELD_LIMITS.roomNotes, '使用说明');
  if (!wholeIn(form.capacity, 1, FIELD_LIMITS.roomCapacity)) errors.capacity = `容纳人数为 1–${FIELD_LIMITS.roomCapacity} 的整数`;
  if (!SLOT_SIZES.includes(slot)) errors.slotMinutes = '请选择时段长度';
  else if (!onSlot(form.open, slot) || !onSlot(form.close, slot)) errors.hours = `开放和关闭时间需为 ${durationText(slot)}的整数倍，请重新选择`;
  if (!form.openWeekdays.length) errors.openWeekdays = '请至少选择一个开放日';
  if (form.closedDates.length > FIELD_LIMITS.roomClosedDates) errors.closedDates = `不开放的日期最多 ${FIELD_LIMITS.roomClosedDates} 个`;
  if (!errors.slotMinutes && (!wholeIn(form.maxMinutes, slot, FIELD_LIMITS.roomMaxMinutes) || form.maxMinutes % slot !== 0)) {
    errors.maxMinutes = `最长预约时长需为 ${durationText(slot)}的整数倍，不超过 ${durationText(FIELD_LIMITS.roomMaxMinutes)}`;
  }
  if (!wholeIn(form.advanceDays, 1, FIELD_LIMITS.roomAdvanceDays)) errors.advanceDays = `可提前预约 1–${FIELD_LIMITS.roomAdvanceDays} 天`;
  if (!form.everyone && !form.units.length) errors.units = '请选择可预约的单位，或改为全体成员可预约';
  else if (!form.everyone && form.units.length > FIELD_LIMITS.roomUnits) errors.units = `最多选择 ${FIELD_LIMITS.roomUnits} 个单位`;
  if (form.approvers.length > FIELD_LIMITS.roomApprovers) errors.approvers = `审批人最多 ${FIELD_LIMITS.roomApprovers} 人`;
  return errors;
}

export function hasRoomErrors(errors: RoomErrors): boolean {
  return Object.values(errors).some(Boolean);
}

/** Request fields (the last name of an INVALID_INPUT `field`) and the form field that shows them. */
const REQUEST_FIELDS: Readonly<Record<string, RoomField>> = {
  name: 'name',
  building: 'building',
  floor: 'floor',
  capacity: 'capacity',
  equipment: 'equipment',
  photoFileId: 'photo',
  hours: 'hours',
  open: 'hours',
  close: 'hours',
  openWeekdays: 'openWeekdays',
  closedDates: 'closedDates',
  slotMinutes: 'slotMinutes',
  maxMinutes: 'maxMinutes',
  advanceDays: 'advanceDays',
  unitIds: 'units',
  approverIds: 'approvers',
  approval: 'approvers',
  notes: 'notes',
};

/** The form field a failed save belongs to, or null for errors about the whole room. */
export function fieldOfRoomError(error: AppError): RoomField | null {
  switch (error.code) {
    case 'ROOM_NAME_TAKEN':
      return 'name';
    case 'ROOM_PHOTO_INVALID':
      return 'photo';
    case 'UNIT_NOT_FOUND':
      return 'units';
    case 'MEMBER_NOT_FOUND':
      return 'approvers';
    case 'INVALID_INPUT': {
      // `room.hours.close`, `room.closedDates[3]`, `room.approval.approverIds[0]`...
      const last = (error.field ?? '').split('.').pop() ?? '';
      return REQUEST_FIELDS[last.replace(/\[\d+\]$/, '')] ?? null;
    }
    default:
      return null;
  }
}

/** The dates with `date` added, in order; a date already listed is not repeated. */
export function addClosedDate(dates: readonly string[], date: string): string[] {
  return dates.includes(date) ? [...dates] : [...dates, date].sort();
}

export interface CheckOption {
  key: string;
  label: string;
}

export const EQUIPMENT_OPTIONS: readonly CheckOption[] = EQUIPMENT_KEYS.map((key) => ({ key, label: ROOM_EQUIPMENT[key] }));
export const WEEKDAY_OPTIONS: readonly CheckOption[] = [1, 2, 3, 4, 5, 6, 7].map((day) => ({ key: String(day), label: WEEKDAY_NAMES[day] }));

/** The hint under 需要签到: this deployment's window once a room (carrying it) is read, plainly before. */
export function checkInHint(room: RoomView | null): string {
  return room ? checkInNote(room.checkInWindow) : '开始前后规定时间内签到，未签到的预约将自动释放';
}

/** What the out-of-service dialog says before it is confirmed. */
export function outOfServiceQuestion(name: string): string {
  return `暂停后「${name}」不能再预约，今后的预约将全部取消，并通知预约人。请填写原因：`;
}

/** What the page says once a room was taken out of service. */
export function outOfServiceDone(cancelled: number): string {
  return cancelled ? `已暂停使用，已取消 ${cancelled} 个预约` : '已暂停使用，没有需要取消的预约';
}

// The admin list and the codes

export interface AdminRoomRow {
  id: string;
  name: string;
  /** `行政楼 3F · 12 人 · 投影仪 · 白板`, equipment in the order the room cards list it. */
  meta: string;
  inService: boolean;
  needsApproval: boolean;
  ariaLabel: string;
}

export function adminRoomRow(card: RoomCard): AdminRoomRow {
  const equipment = equipmentText(card.equipment);
  const meta = [placeText(card.building, card.floor), `${card.capacity} 人`, equipment].filter(Boolean).join(' · ');
  const state = card.inService ? '' : '，暂停使用';
  return { id: card.id, name: card.name, meta, inService: card.inService, needsApproval: card.needsApproval, ariaLabel: `编辑${card.name}${state}` };
}

export function roomEditUrl(roomId: string | null): string {
  return roomId ? `/packages/admin/pages/room-edit/index?id=${encodeURIComponent(roomId)}` : '/packages/admin/pages/room-edit/index';
}

export type CodeState = 'loading' | 'ready' | 'failed';

export interface CodeCard {
  id: string;
  name: string;
  place: string;
  state: CodeState;
  url: string;
  errorText: string;
  saving: boolean;
}

export function codeCard(card: RoomCard): CodeCard {
  return { id: card.id, name: card.name, place: placeText(card.building, card.floor), state: 'loading', url: '', errorText: '', saving: false };
}

/** Whether a failed save to the album was the person refusing the permission (now or before). */
export function albumRefused(error: unknown): boolean {
  const message = String((error as { errMsg?: unknown } | null)?.errMsg ?? '');
  return /auth|authoriz|permission|denied|deny/i.test(message);
}

// Approvals

export interface ApprovalRow {
  id: string;
  seriesId: string | null;
  roomName: string;
  place: string;
  time: string;
  subject: string;
  booker: string;
  /** `参会 4 人`: the booker and the attendees. */
  people: string;
  /** `第 2/6 周` for a repeating booking; '' otherwise. */
  series: string;
}

export function approvalRow(booking: BookingView): ApprovalRow {
  const invited = booking.attendees.filter((person) => person.id !== booking.booker.memberId).length;
  return {
    id: booking.id,
    seriesId: booking.seriesId,
    roomName: booking.roomName,
    place: booking.place,
    time: timeRangeText(booking.start, booking.end),
    subject: booking.subject,
    booker: booking.booker.name,
    people: `参会 ${invited + 1} 人`,
    series: booking.occurrences > 1 ? `第 ${booking.occurrence}/${booking.occurrences} 周` : '',
  };
}

/** The rows left once `decided` was decided: with it go the other weeks of its series, decided together. */
export function withoutDecided(rows: readonly ApprovalRow[], decided: ApprovalRow): ApprovalRow[] {
  return rows.filter((row) => row.id !== decided.id && (decided.seriesId === null || row.seriesId !== decided.seriesId));
}

/** A reason is required (a rejection, taking a room out of service); `what` names it in the message. */
export function checkReason(reason: string, what = '驳回原因'): string {
  const text = reason.trim();
  if (!text) return `请填写${what}`;
  return chars(text) > FIELD_LIMITS.bookingReason ? `原因不超过 ${FIELD_LIMITS.bookingReason} 个字` : '';
}

// Usage

/** `1.5`: hours of booked or open time with at most one decimal. */
export function hoursFigure(minutes: number): string {
  return String(Math.round((minutes / 60) * 10) / 10);
}

export function percentOf(rate: number): number {
  return Math.round(Math.min(1, Math.max(0, Number.isFinite(rate) ? rate : 0)) * 100);
}

export interface WeekView {
  weekStart: string;
  /** `本周 · 6月3日–6月9日`. */
  label: string;
  /** Whether a later week may be shown (never past this week). */
  canForward: boolean;
}

export function weekView(weekStart: string, thisWeek: string): WeekView {
  const span = `${monthDay(weekStart)}–${monthDay(addDays(weekStart, 6))}`;
  const name = weekStart === thisWeek ? '本周 · ' : weekStart === addDays(thisWeek, -7) ? '上周 · ' : '';
  return { weekStart, label: `${name}${span}`, canForward: weekStart < thisWeek };
}

export interface OccupancyRow {
  id: string;
  name: string;
  percent: number;
  barStyle: string;
  figures: string;
  ariaLabel: string;
}

export interface HourColumn {
  hour: number;
  /** `08`: the hour under its column. */
  label: string;
  barStyle: string;
  ariaLabel: string;
}

export interface UsageView {
  rooms: OccupancyRow[];
  /**
   * The ring's figures (`3/20`), and beside it what they mean: the bookings whose check-in has
   * closed and of them those released; a week without any yet says so (its bookings may be ahead).
   */
  noShow: { percent: number; figures: string; text: string; hint: string };
  columns: HourColumn[];
  /** The busiest hour, `最忙 14:00–15:00（共 12.5 小时）`; '' when nothing was booked. */
  busiest: string;
}

/** The day's hours shown when the rest are empty: a working day reads better than 24 thin columns. */
const DAY_HOURS = { from: 8, to: 22 } as const;

export function usageView(usage: RoomUsage): UsageView {
  const rooms = usage.rooms.map((room) => {
    const percent = percentOf(room.occupancy);
    const figures = `已约 ${hoursFigure(room.bookedMinutes)} 小时 / 开放 ${hoursFigure(room.openMinutes)} 小时`;
    return { id: room.roomId, name: room.name, percent, barStyle: `width: ${percent}%`, figures, ariaLabel: `${room.name}，使用率 ${percent}%，${figures}` };
  });
  const byHour = new Map(usage.hours.map((entry) => [entry.hour, entry.minutes]));
  const minutesAt = (hour: number) => byHour.get(hour) ?? 0;
  const outside = Array.from({ length: 24 }, (_, hour) => hour).some((hour) => (hour < DAY_HOURS.from || hour >= DAY_HOURS.to) && minutesAt(hour) > 0);
  const hours = outside ? Array.from({ length: 24 }, (_, hour) => hour) : Array.from({ length: DAY_HOURS.to - DAY_HOURS.from }, (_, index) => DAY_HOURS.from + index);
  const peak = Math.max(0, ...hours.map(minutesAt));
  const columns = hours.map((hour) => {
    const minutes = minutesAt(hour);
    const height = peak ? Math.round((minutes / peak) * 100) : 0;
    return { hour, label: pad(hour), barStyle: `height: ${height}%`, ariaLabel: `${pad(hour)}:00–${pad(hour + 1)}:00 已约 ${hoursFigure(minutes)} 小时` };
  });
  const top = hours.find((hour) => peak > 0 && minutesAt(hour) === peak);
  const { due, released } = usage.noShows;
  return {
    rooms,
    noShow: {
      percent: percentOf(usage.noShows.rate),
      figures: `${released}/${due}`,
      text: due ? `${due} 个需签到的预约中，${released} 个未签到被释放` : '还没有签到截止的预约',
      hint: due ? '签到截止时仍未签到的预约会被自动释放' : '需签到的预约在签到截止后计入',
    },
    columns,
    busiest: top === undefined ? '' : `最忙 ${pad(top)}:00–${pad(top + 1)}:00（共 ${hoursFigure(peak)} 小时）`,
  };
}
