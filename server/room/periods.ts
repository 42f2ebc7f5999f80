/**
 * A room's time rules in business time (Asia/Shanghai), whatever zone the server runs in:
 * opening periods (which may cross midnight), slot boundaries, the booking rules in the order
 * a person would ask, and the 15-minute grains a booking locks.
 */
import { LOCK_GRAIN_MINUTES } from '../../typings/room-rules';
import { AppFailure } from '../core/result';
import { businessDate, businessTime, formatBusiness, fromBusinessWallClock } from '../core/time';
import type { RoomDoc } from './model';

const MINUTE = 60_000;
export const GRAIN_MS = LOCK_GRAIN_MINUTES * MINUTE;

/** Minutes after midnight of `HH:mm` (`24:00` is 1440); NaN when it is not a time of day. */
export function minuteOfDay(text: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match) return Number.NaN;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes > 0)) return Number.NaN;
  return hours * 60 + minutes;
}

/** Length of the opening period in minutes: past midnight when `close` is not after `open`. */
export function periodMinutes(hours: RoomDoc['hours']): number {
  const open = minuteOfDay(hours.open);
  let close = minuteOfDay(hours.close);
  if (close <= open) close += 24 * 60;
  return close - open;
}

export type ClosedReason = 'weekday' | 'holiday';

/** 1 Monday … 7 Sunday of a business day. */
export function weekdayOf(day: string): number {
  const weekday = businessTime(fromBusinessWallClock(`${day} 12:00`)).day();
  return weekday === 0 ? 7 : weekday;
}

export function closedReason(room: Pick<RoomDoc, 'openWeekdays' | 'closedDates'>, day: string): ClosedReason | null {
  if (room.closedDates.includes(day)) return 'holiday';
  if (!room.openWeekdays.includes(weekdayOf(day))) return 'weekday';
  return null;
}

export interface Period {
  day: string;
  start: Date;
  end: Date;
}

/** The opening period starting on `day`, whether or not the room opens that day. */
export function periodOf(room: Pick<RoomDoc, 'hours'>, day: string): Period {
  const start = fromBusinessWallClock(`${day} ${room.hours.open === '24:00' ? '00:00' : room.hours.open}`);
  return { day, start, end: new Date(start.getTime() + periodMinutes(room.hours) * MINUTE) };
}

/** `YYYY-MM-DD` shifted by whole days (calendar arithmetic in business time). */
export function addDays(day: string, days: number): string {
  return businessDate(businessTime(fromBusinessWallClock(`${day} 12:00`)).add(days, 'day').toDate());
}

/** Parses a wall-clock request field, or INVALID_INPUT naming it. */
export function wallClockField(text: string, field: string): Date {
  try {
    return fromBusinessWallClock(text);
  } catch {
    throw new AppFailure('INVALID_INPUT', '时间格式应为 YYYY-MM-DD HH:mm', field);
  }
}

export function dayField(text: string, field: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new AppFailure('INVALID_INPUT', '日期格式应为 YYYY-MM-DD', field);
  try {
    fromBusinessWallClock(`${text} 00:00`);
  } catch {
    throw new AppFailure('INVALID_INPUT', '日期不存在', field);
  }
  return text;
}

function hoursText(room: Pick<RoomDoc, 'hours'>): string {
  const overnight = minuteOfDay(room.hours.close) <= minuteOfDay(room.hours.open) || room.hours.close === '24:00';
  return `${room.hours.open}–${overnight && room.hours.close !== '24:00' ? '次日' : ''}${room.hours.close}`;
}

function lengthText(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60} 小时` : `${minutes} 分钟`;
}

export interface CheckedTime {
  start: Date;
  end: Date;
  /** The opening period it lies in. */
  period: Period;
}

/**
 * Checks one booking's time against the room, in the order a person asks: the slots, the
 * opening hours, the length, the past, the advance window. `label` names the week of a
 * repeating booking in the message.
 */
export function checkTime(room: RoomDoc, start: Date, end: Date, now: Date, label = ''): CheckedTime {
  const slotMs = room.slotMinutes * MINUTE;
  const openMinute = minuteOfDay(room.hours.open) % (24 * 60);
  const offset = (instant: Date): number => {
    const local = businessTime(instant);
    return ((local.hour() * 60 + local.minute() - openMinute) % (24 * 60) + 24 * 60) % (24 * 60);
  };
  if (end.getTime() <= start.getTime()) throw new AppFailure('BOOKING_NOT_ON_SLOT', `${label}结束时间需晚于开始时间`, 'end');
  if (offset(start) % room.slotMinutes !== 0 || (end.getTime() - start.getTime()) % slotMs !== 0) {
    throw new AppFailure('BOOKING_NOT_ON_SLOT', `${label}该会议室按 ${room.slotMinutes} 分钟划分时段，请按时段选择`, 'start');
  }
  const today = businessDate(start);
  const period = [today, addDays(today, -1)]
    .map((day) => ({ day, closed: closedReason(room, day), period: periodOf(room, day) }))
    .find((candidate) => start.getTime() >= candidate.period.start.getTime() && end.getTime() <= candidate.period.end.getTime());
  if (!period) throw new AppFailure('BOOKING_OUTSIDE_HOURS', `${label}所选时间不在开放时间 ${hoursText(room)} 内`, 'start');
  if (period.closed === 'holiday') throw new AppFailure('BOOKING_OUTSIDE_HOURS', `${label}${period.day} 该会议室不开放`, 'start');
  if (period.closed === 'weekday') throw new AppFailure('BOOKING_OUTSIDE_HOURS', `${label}该会议室${weekdayText(period.day)}不开放`, 'start');
  if (end.getTime() - start.getTime() > room.maxMinutes * MINUTE) {
    throw new AppFailure('BOOKING_TOO_LONG', `${label}该会议室一次最长可预约 ${lengthText(room.maxMinutes)}`, 'end');
  }
  if (start.getTime() <= now.getTime()) throw new AppFailure('BOOKING_IN_PAST', undefined, 'start');
  const lastDay = addDays(businessDate(now), room.advanceDays);
  if (period.day > lastDay) throw new AppFailure('BOOKING_TOO_FAR', `${label}该会议室最多可提前 ${room.advanceDays} 天预约（至 ${lastDay}）`, 'start');
  return { start, end, period: period.period };
}

function weekdayText(day: string): string {
  return ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'][weekdayOf(day)];
}

/** The grains `[start, end)` covers, as their start instants. */
export function grainsOf(start: Date, end: Date): Date[] {
  const out: Date[] = [];
  for (let at = start.getTime(); at < end.getTime(); at += GRAIN_MS) out.push(new Date(at));
  return out;
}

/** The grain boundary at or after `instant`. */
export function nextGrain(instant: Date): Date {
  return new Date(Math.ceil(instant.getTime() / GRAIN_MS) * GRAIN_MS);
}

export function lockId(roomId: string, grain: Date): string {
  return `${roomId}~${formatBusiness(grain, 'YYYYMMDDHHmm')}`;
}
