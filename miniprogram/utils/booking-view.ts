/**
 * The booking form and 我的预约 as plain functions: times as people read them, the form's state
 * and checks, where a backend error belongs, conflicts in Chinese, the rows of 我的预约 with
 * their status and actions, and the room code a scan carries. Tested without a page.
 *
 * Times are business times (`YYYY-MM-DD HH:mm`, Asia/Shanghai) as the contract sends them; the
 * arithmetic here is calendar arithmetic on those strings, never the phone's zone.
 */
import type { AppError, BookingConflict, BookingStatus, BookingView, BookRequest, ErrorCode, MemberCard, RoomDay, RoomView, SubscriptionState } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { roomIdOfScene, WEEKDAY_NAMES } from '../../typings/room-rules';
import { personResults as sharedPersonResults, type PersonResult } from './org-view';
import { checkInNote, clockRange, equipmentText, minutesBetween, placeText, weekdayOf } from './room-view';
import { hasCredit, promptIds, type Purpose } from './subscribe-view';

const pad = (value: number) => String(value).padStart(2, '0');

function utcOf(time: string): number {
  const [date, clock = '00:00'] = time.split(' ');
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = clock.split(':').map(Number);
  return Date.UTC(y, mo - 1, d, h, mi);
}

/** `YYYY-MM-DD HH:mm` moved by `minutes`. */
export function addMinutes(time: string, minutes: number): string {
  const at = new Date(utcOf(time) + minutes * 60000);
  return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}`;
}

const dateOf = (time: string) => time.slice(0, 10);
const clockOf = (time: string) => time.slice(11, 16);

/** `06-01 周一`, with the year in front when it is not this year. */
export function dayText(date: string, today: string): string {
  const short = `${date.slice(5)} ${WEEKDAY_NAMES[weekdayOf(date)]}`;
  return date.slice(0, 4) === today.slice(0, 4) ? short : `${date.slice(0, 4)}-${short}`;
}

/** The end as read after the start: `15:30`, `次日 01:00`, or `06-03 09:00` for a later day. */

export { clockRange };

/** `06-01 周一 14:00–15:30`. */
export function whenText(start: string, end: string, today: string): string {
  return `${dayText(dateOf(start), today)} ${clockRange(start, end)}`;
}

// The room

export interface RoomSummary {
  name: string;
  /** `行政楼 3F · 容纳 12 人`. */
  facts: string;
  /** `投影仪 · 白板`; '' without equipment. */
  equipment: string;
}

export function roomSummary(room: RoomView): RoomSummary {
  return {
    name: room.name,
    facts: [placeText(room.building, room.floor), `容纳 ${room.capacity} 人`].filter(Boolean).join(' · '),
    equipment: equipmentText(room.equipment),
  };
}

export const APPROVAL_NOTE = '提交后需审批人同意';

/** Who approves, when the room names anyone: `审批人：王老师、李老师`. */
export function approversText(room: RoomView): string {
  const names = room.approval.approvers.map((person) => person.name);
  return names.length ? `审批人：${names.join('、')}` : '';
}

export { checkInNote };

/** The check-in window of a booking, in minutes around its start. */
export function checkInWindowOf(booking: Pick<BookingView, 'start' | 'checkIn'>): { beforeMinutes: number; afterMinutes: number } {
  return { beforeMinutes: minutesBetween(booking.checkIn.opens, booking.start), afterMinutes: minutesBetween(booking.start, booking.checkIn.closes) };
}

// Times the pickers offer

export interface TimeOption {
  /** `YYYY-MM-DD HH:mm`. */
  value: string;
  /** `14:00`, or `次日 01:00` for a slot of the next day. */
  label: string;
}

function optionOf(value: string, date: string): TimeOption {
  return { value, label: dateOf(value) === date ? clockOf(value) : `次日 ${clockOf(value)}` };
}

/** What a time picker shows for `value` (`14:00`, `次日 01:00`), whether or not it is one of the choices. */
export function timeLabel(value: string, date: string): string {
  return optionOf(value, date).label;
}

/** A slot the booking may hold: free, or held by the booking being changed. */
function usable(slot: RoomDay['slots'][number], ownId: string | null): boolean {
  return slot.state === 'free' || (ownId !== null && slot.booking?.id === ownId && slot.state !== 'past');
}

/** Where a booking may start: every usable slot of the day, in order. */
export function startOptions(day: RoomDay, ownId: string | null = null): TimeOption[] {
  return day.slots.filter((slot) => usable(slot, ownId)).map((slot) => optionOf(slot.start, day.date));
}

/**
 * Where a booking starting at `start` may end: the ends of the usable slots that follow it
 * without a gap, up to the room's longest booking.
 */
export function endOptions(day: RoomDay, start: string, ownId: string | null = null): TimeOption[] {
  const first = day.slots.findIndex((slot) => slot.start === start);
  if (first < 0) return [];
  const options: TimeOption[] = [];
  for (let i = first; i < day.slots.length; i += 1) {
    const slot = day.slots[i];
    if (!usable(slot, ownId) || minutesBetween(start, slot.end) > day.room.maxMinutes) break;
    options.push(optionOf(slot.end, day.date));
  }
  return options;
}

/** The end after the start moved: the same length when the room allows it there, else one slot. */
export function endAfterMove(options: readonly TimeOption[], start: string, minutes: number): string {
  const same = addMinutes(start, minutes);
  if (options.some((option) => option.value === same)) return same;
  return options[0]?.value ?? same;
}

// The form

export interface BookingForm {
  start: string;
  end: string;
  subject: string;
  repeat: boolean;
  /** Weeks in all when repeating, 2 … 12. */
  weeks: number;
}

/** Weeks a repeating booking may run, in all: the booking itself and its further weeks. */
export const REPEAT_WEEKS: readonly number[] = Array.from({ length: FIELD_LIMITS.bookingRepeatWeeks }, (_, i) => i + 2);

export const REPEAT_LABELS: readonly string[] = REPEAT_WEEKS.map((weeks) => `共 ${weeks} 周`);

export function emptyBookingForm(start = '', end = ''): BookingForm {
  return { start, end, subject: '', repeat: false, weeks: 4 };
}

export function formOfBooking(booking: BookingView): BookingForm {
  return { start: booking.start, end: booking.end, subject: booking.subject, repeat: false, weeks: 4 };
}

/** What the contract's `repeatWeeks` is for the form: the further weeks, 0 for a single booking. */
export function repeatWeeksOf(form: Pick<BookingForm, 'repeat' | 'weeks'>): number {
  return form.repeat ? Math.min(Math.max(form.weeks, 2), FIELD_LIMITS.bookingRepeatWeeks + 1) - 1 : 0;
}

export interface PersonChip {
  id: string;
  name: string;
}

export function bookRequestOf(requestId: string, roomId: string, form: BookingForm, attendees: readonly PersonChip[]): BookRequest {
  return {
    requestId,
    roomId,
    start: form.start,
    end: form.end,
    subject: form.subject.trim(),
    attendeeIds: attendees.map((person) => person.id),
    repeatWeeks: repeatWeeksOf(form),
  };
}

export function changeOf(form: BookingForm, attendees: readonly PersonChip[]): { start: string; end: string; subject: string; attendeeIds: string[] } {
  return { start: form.start, end: form.end, subject: form.subject.trim(), attendeeIds: attendees.map((person) => person.id) };
}

export type BookingField = 'time' | 'subject' | 'attendees' | 'repeat';
export type BookingErrors = Record<BookingField, string>;

export const NO_BOOKING_ERRORS: Readonly<BookingErrors> = { time: '', subject: '', attendees: '', repeat: '' };

export function hasBookingErrors(errors: BookingErrors): boolean {
  return Object.values(errors).some(Boolean);
}

const length = (text: string) => Array.from(text).length;

export function countText(text: string, max: number): string {
  return `${length(text)}/${max}`;
}

export const ATTENDEES_FULL = `最多邀请 ${FIELD_LIMITS.bookingAttendees} 人`;

/** What must be fixed before sending: the backend checks the room's rules itself. */
export function checkBooking(form: BookingForm, attendees: number, now: string): BookingErrors {
  const errors: BookingErrors = { ...NO_BOOKING_ERRORS };
  if (!form.start || !form.end) errors.time = '请选择时间';
  else if (form.end <= form.start) errors.time = '结束时间需晚于开始时间';
  else if (form.start <= now) errors.time = '开始时间已过，请重新选择';
  const subject = form.subject.trim();
  if (!subject) errors.subject = '请输入会议主题';
  else if (length(subject) > FIELD_LIMITS.bookingSubject) errors.subject = `会议主题不超过 ${FIELD_LIMITS.bookingSubject} 个字`;
  if (attendees > FIELD_LIMITS.bookingAttendees) errors.attendees = ATTENDEES_FULL;
  if (form.repeat && !REPEAT_WEEKS.includes(form.weeks)) errors.repeat = `每周重复 2–${FIELD_LIMITS.bookingRepeatWeeks + 1} 周`;
  return errors;
}

/** The room's rules a time can break: their sentences say which rule, shown under the time. */
export const TIME_RULE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['BOOKING_NOT_ON_SLOT', 'BOOKING_OUTSIDE_HOURS', 'BOOKING_TOO_LONG', 'BOOKING_TOO_FAR', 'BOOKING_IN_PAST']);

/** Failures that say the caller may not book this room at all: no submit is offered after them. */
export const BLOCKING_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['ROOM_NOT_ALLOWED', 'ROOM_OUT_OF_SERVICE']);

/** Failures after which the booking may or may not have been made: a retry must carry the same request id. */
export const OUTCOME_UNKNOWN: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['NETWORK_ERROR', 'BUSY_RETRY', 'INTERNAL']);

/** The form field a backend error belongs to, or null for errors about the whole booking. */
export function fieldOfBookingError(error: AppError): BookingField | null {
  if (TIME_RULE_CODES.has(error.code) || error.code === 'BOOKING_CONFLICT') return 'time';
  if (error.code === 'MEMBER_NOT_FOUND') return 'attendees';
  if (error.code !== 'INVALID_INPUT') return null;
  const name = (error.field ?? '').split('.').pop()?.replace(/\[\d+\]$/, '') ?? '';
  if (name === 'start' || name === 'end') return 'time';
  if (name === 'subject') return 'subject';
  if (name === 'attendeeIds') return 'attendees';
  if (name === 'repeatWeeks') return 'repeat';
  return null;
}

export const CONFLICT_HEAD = '与以下预约冲突：';

const CONFLICT_STATUS: Readonly<Record<BookingConflict['status'], string>> = { pending: '（待审批）', confirmed: '' };

/** `12-03 14:00–15:00 张三《周会》（待审批）`: one line per booking in the way. */
export function conflictLine(conflict: BookingConflict): string {
  return `${conflict.start.slice(5, 10)} ${clockRange(conflict.start, conflict.end)} ${conflict.bookerName}《${conflict.subject}》${CONFLICT_STATUS[conflict.status]}`;
}

/** What a conflict says above its lines: they name whose bookings are in the way (one's own included). */
export const CONFLICT_MESSAGE = '所选时间与已有预约冲突，请调整时间后再提交';

export function conflictLines(conflicts: readonly BookingConflict[] | undefined): string[] {
  return (conflicts ?? []).map(conflictLine);
}

// Attendees

export type { PersonResult };

/** Members found in a unit, marked when chosen; the caller is left out (the booker need not be listed). */
export function personResults(cards: readonly MemberCard[], chosen: readonly PersonChip[], selfId: string): PersonResult[] {
  return sharedPersonResults(cards, chosen.map((person) => person.id), selfId);
}

/** Units the picker offers: the caller's own, then those they observe, each once. */
export function pickerUnits(directory: { units: readonly { id: string; name: string }[]; observed: readonly { id: string; name: string }[] }): { id: string; name: string }[] {
  const seen = new Set<string>();
  return [...directory.units, ...directory.observed].filter((unit) => !seen.has(unit.id) && !!seen.add(unit.id)).map((unit) => ({ id: unit.id, name: unit.name }));
}

// Subscribe messages

const BOOKING_PURPOSES: readonly Purpose[] = ['booking-remind', 'booking-result'];

/** The room templates to ask for on a booking: those of a purpose the person holds no credit for. */
export function bookingPromptIds(state: SubscriptionState | null): string[] {
  return promptIds(
    state,
    BOOKING_PURPOSES.filter((purpose) => !hasCredit(state, purpose)),
  );
}

// The result

export interface ResultRow {
  id: string;
  when: string;
  statusText: string;
}

export interface ResultView {
  title: string;
  /** Vant's icon: a tick when booked, a clock when waiting for approval. */
  icon: 'checked' | 'clock';
  note: string;
  rows: ResultRow[];
}

export function resultView(bookings: readonly BookingView[], mode: 'new' | 'change', today: string): ResultView {
  const pending = bookings.some((booking) => booking.status === 'pending');
  const weeks = bookings.length > 1 ? `共 ${bookings.length} 周，每周同一时间` : '';
  return {
    title: pending ? '已提交，等待审批' : mode === 'change' ? '修改成功' : '预约成功',
    icon: pending ? 'clock' : 'checked',
    note: [pending ? '审批结果会通知你，也可在「我的预约」中查看' : '', weeks].filter(Boolean).join('；'),
    rows: bookings.map((booking) => ({ id: booking.id, when: whenText(booking.start, booking.end, today), statusText: statusOf(booking).text })),
  };
}

// 我的预约

export type BookingsTab = 'upcoming' | 'past';

export const BOOKING_TABS: readonly { name: BookingsTab; title: string }[] = [
  { name: 'upcoming', title: '即将开始' },
  { name: 'past', title: '历史' },
];

export function emptyBookingsText(tab: BookingsTab): string {
  return tab === 'upcoming' ? '没有即将开始的预约，可在「会议室」中预约' : '还没有历史预约';
}

/**
 * Rows on screen at once: a row with its actions is about 30 WXML nodes and the page stays
 * under 1,000 however far one scrolls, so fewer than other lists' LIST_CAP.
 */
export const BOOKINGS_CAP = 30;

type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'default';

const STATUS_TEXTS: Readonly<Record<BookingStatus, { text: string; type: TagType }>> = {
  pending: { text: '待审批', type: 'warning' },
  confirmed: { text: '已确认', type: 'primary' },
  cancelled: { text: '已取消', type: 'default' },
  rejected: { text: '已驳回', type: 'danger' },
  released: { text: '未签到已释放', type: 'default' },
  ended: { text: '已提前结束', type: 'default' },
};

/** The tag of a booking; with `now` (`YYYY-MM-DD HH:mm`), a confirmed one whose end has passed reads 已结束. */
export function statusOf(booking: Pick<BookingView, 'status' | 'checkedInAt' | 'end'>, now = ''): { text: string; type: TagType } {
  if (booking.status === 'confirmed' && now && booking.end <= now) return { text: '已结束', type: 'default' };
  if (booking.status === 'confirmed' && booking.checkedInAt) return { text: '已签到', type: 'success' };
  return STATUS_TEXTS[booking.status];
}

/** The line under a row that says why, or what to do: a rejection's reason, a cancellation's, when to check in (until it closes). */
function noteOf(booking: BookingView, now: string): string {
  const today = now.slice(0, 10);
  if (booking.status === 'rejected') return booking.decision?.reason ? `驳回理由：${booking.decision.reason}` : '';
  if (booking.status === 'cancelled') return booking.cancelReason ? `取消原因：${booking.cancelReason}` : '';
  if (booking.status === 'confirmed' && booking.checkInRequired && !booking.checkedInAt && booking.checkIn.closes >= now) {
    return `请在 ${dateOf(booking.checkIn.opens) === today ? '' : `${booking.checkIn.opens.slice(5, 10)} `}${clockRange(booking.checkIn.opens, booking.checkIn.closes)} 签到`;
  }
  return '';
}

export interface BookingRow {
  id: string;
  subject: string;
  /** `第一会议室 · 行政楼 3F`. */
  place: string;
  when: string;
  statusText: string;
  statusType: TagType;
  note: string;
  /** `第 2/4 周` for a week of a repeating booking; '' otherwise. */
  series: string;
  /** The caller attends it: someone else booked it. */
  attending: boolean;
  /** `第 2/4 周 · 我参加的 · 预约人 张三`: the week and whose booking; '' for one's own single booking. */
  extra: string;
  canCheckIn: boolean;
  canEnd: boolean;
  canChange: boolean;
  canCancel: boolean;
  /** A week of a series with other weeks: cancelling asks which. */
  inSeries: boolean;
}

/** A row of 我的预约 at `now` (`YYYY-MM-DD HH:mm`; a date alone reads as that day's start). */
export function bookingRow(booking: BookingView, now: string): BookingRow {
  const today = now.slice(0, 10);
  const status = statusOf(booking, now);
  const inSeries = !!booking.seriesId && booking.occurrences > 1;
  const series = inSeries ? `第 ${booking.occurrence}/${booking.occurrences} 周` : '';
  const attending = booking.role === 'attendee';
  return {
    id: booking.id,
    subject: booking.subject,
    place: [booking.roomName, booking.place].filter(Boolean).join(' · '),
    when: whenText(booking.start, booking.end, today),
    statusText: status.text,
    statusType: status.type,
    note: noteOf(booking, now),
    series,
    attending,
    extra: [series, attending ? `我参加的 · 预约人 ${booking.booker.name}` : ''].filter(Boolean).join(' · '),
    canCheckIn: booking.can.checkIn,
    canEnd: booking.can.end,
    // In 我的预约 a person changes or cancels only what they booked: an admin invited to a meeting
    // would otherwise cancel it for everyone from a row that reads 我参加的.
    canChange: booking.can.change && booking.role === 'booker',
    canCancel: booking.can.cancel && booking.role === 'booker',
    inSeries,
  };
}

export function changeUrl(bookingId: string): string {
  return `/pages/room-book/index?bookingId=${encodeURIComponent(bookingId)}`;
}

export const SERIES_CHOICES: readonly string[] = ['仅取消本次', '取消后续全部'];

export function cancelQuestion(row: Pick<BookingRow, 'subject' | 'when'>, series: boolean): string {
  return series
    ? `将取消「${row.subject}」本次及之后尚未开始的每一周，时间会立即释放给他人`
    : `将取消「${row.subject}」${row.when}，时间会立即释放给他人`;
}

export const END_QUESTION = '提前结束后，剩余时间会立即释放给他人';

/** What a cancel answered, as a toast says it. */
export function cancelledText(count: number): string {
  return count > 1 ? `已取消 ${count} 次预约` : '已取消';
}

/**
 * The next moment a row of these bookings changes on its own (a check-in window opening or
 * closing, a booking ending), after `now` (`YYYY-MM-DD HH:mm`): when 我的预约 should look again.
 */
export function nextTurn(bookings: readonly BookingView[], now: string): string | null {
  const moments = bookings
    .filter((booking) => booking.status === 'confirmed')
    .flatMap((booking) => [booking.checkInRequired && !booking.checkedInAt ? [booking.checkIn.opens, booking.checkIn.closes] : [], [booking.end]].flat())
    .filter((moment) => moment > now)
    .sort();
  return moments[0] ?? null;
}

/** Milliseconds from `nowMs` until the business wall-clock minute `wall` (`YYYY-MM-DD HH:mm`) has begun. */
export function msUntil(wall: string, nowMs: number): number {
  const [date, time] = wall.split(' ');
  const [y, m, d] = date.split('-').map(Number);
  const [h, min] = time.split(':').map(Number);
  return Date.UTC(y, m - 1, d, h, min) - 8 * 3_600_000 - nowMs;
}

/** What 我的预约 says under 签到成功: `第一会议室《项目周会》14:00–15:30`. */
export function checkedInDetail(booking: BookingView): string {
  return `${booking.roomName}《${booking.subject}》${clockRange(booking.start, booking.end)}`;
}

// Scanning the room's code

export const NOT_A_ROOM_CODE = '这不是会议室的签到码，请扫描会议室门口的小程序码';

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The room a scanned code names: a mini-program code's result carries the page it opens in
 * `path`, its scene (`r=<room id>`, encoded) in the query. Null for any other code.
 */
export function roomIdOfScan(result: { path?: string; result?: string }): string | null {
  const path = result.path ?? '';
  const query = path.includes('?') ? path.slice(path.indexOf('?') + 1) : '';
  for (const pair of query.split('&')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at) === 'scene') return roomIdOfScene(decoded(pair.slice(at + 1)));
  }
  return null;
}
