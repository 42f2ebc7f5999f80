/**
 * Usage for admins: for a week (Monday 00:00 to Monday 00:00, Asia/Shanghai) each room's open
 * and booked minutes, the no-show rate and booked minutes per hour of day. The bookings of a
 * week are read in pages of 1,000 by `_id` (a busy organisation's week is a few thousand): the figures
 * are sums a person can check by hand.
 */
import type { RoomUsage } from '../../typings';
import { AppFailure } from '../core/result';
import { readAll } from '../db/db';
import { businessTime } from '../core/time';
import type { RoomDeps } from './bookings';
import { BOOKINGS, ROOMS, type BookingDoc, type RoomDoc } from './model';
import { addDays, closedReason, dayField, periodOf, weekdayOf } from './periods';
import { MAX_ROOMS } from './rooms';

const MINUTE = 60_000;
/** Statuses whose time was held: what occupancy counts. */
const HELD = ['confirmed', 'ended', 'released'];

export async function roomUsage(deps: RoomDeps, request: { weekStart: string }): Promise<RoomUsage> {
  const weekStart = dayField(request.weekStart, 'weekStart');
  if (weekdayOf(weekStart) !== 1) throw new AppFailure('INVALID_INPUT', '统计周需从周一开始', 'weekStart');
  const days = Array.from({ length: 7 }, (_unused, i) => addDays(weekStart, i));
  const from = periodOf({ hours: { open: '00:00', close: '24:00' } }, weekStart).start;
  const to = new Date(from.getTime() + 7 * 24 * 60 * MINUTE);
  const { data: roomRows } = await deps.db.collection(ROOMS).orderBy('name', 'asc').limit(MAX_ROOMS).get();
  const rooms = roomRows as RoomDoc[];
  const _ = deps.db.command;
  const bookings = await readAll<BookingDoc>(
    deps.db,
    BOOKINGS,
    { status: _.in(HELD), start: _.gte(from).and(_.lt(to)) },
    { roomId: true, start: true, end: true, heldUntil: true, status: true, checkInRequired: true },
  );
  const now = deps.now();
  const booked = new Map<string, number>();
  const hours = Array.from({ length: 24 }, () => 0);
  let due = 0;
  let released = 0;
  for (const booking of bookings) {
    const held = Math.max(0, Math.min(booking.heldUntil.getTime(), booking.end.getTime()) - booking.start.getTime());
    booked.set(booking.roomId, (booked.get(booking.roomId) ?? 0) + held / MINUTE);
    for (let at = booking.start.getTime(); at < booking.start.getTime() + held; at += 15 * MINUTE) hours[businessTime(at).hour()] += 15;
    if (booking.checkInRequired && booking.start.getTime() + deps.config.checkInAfterMinutes * MINUTE < now.getTime()) {
      due += 1;
      if (booking.status === 'released') released += 1;
    }
  }
  return {
    weekStart,
    rooms: rooms.map((room) => {
      const openMinutes = days.filter((day) => !closedReason(room, day)).reduce((sum, day) => {
        const period = periodOf(room, day);
        return sum + (period.end.getTime() - period.start.getTime()) / MINUTE;
      }, 0);
      const bookedMinutes = Math.round(booked.get(room._id) ?? 0);
      return { roomId: room._id, name: room.name, openMinutes, bookedMinutes, occupancy: openMinutes > 0 ? Math.min(1, bookedMinutes / openMinutes) : 0 };
    }),
    noShows: { due, released, rate: due > 0 ? released / due : 0 },
    hours: hours.map((minutes, hour) => ({ hour, minutes })),
  };
}
