/**
 * Typed calls for the `room` function: rooms and their availability, booking, 我的预约 with
 * check-in, end, change and cancel, approvals, room administration and usage. Pages call
 * these, never the transport.
 */
import type {
  BookingView,
  BookRequest,
  Page,
  Result,
  RoomCard,
  RoomCode,
  RoomDay,
  RoomFilters,
  RoomInput,
  RoomUsage,
  RoomView,
  SubscribeChoice,
  SubscriptionState,
} from '../../typings';
import { callWithSession } from './session';

function withFilters<T extends object>(request: T, filters: RoomFilters): T & RoomFilters {
  const out: T & RoomFilters = { ...request };
  if (filters.minCapacity) out.minCapacity = filters.minCapacity;
  if (filters.equipment && filters.equipment.length > 0) out.equipment = [...filters.equipment];
  return out;
}

/** Rooms with the day's free time; `all` (admins) includes rooms out of service. */
export function listRooms(date: string, filters: RoomFilters = {}, after: string | null = null, all = false): Promise<Result<Page<RoomCard> & { date: string }>> {
  const request: { date: string; all?: boolean; after?: string } = { date };
  if (all) request.all = true;
  if (after) request.after = after;
  return callWithSession('room', 'rooms.list', withFilters(request, filters));
}

/** Rooms free for the whole range (`YYYY-MM-DD HH:mm` both). */
export function freeRooms(start: string, end: string, filters: RoomFilters = {}): Promise<Result<{ items: RoomCard[] }>> {
  return callWithSession('room', 'rooms.free', withFilters({ start, end }, filters));
}

export function roomDay(roomId: string, date: string): Promise<Result<RoomDay>> {
  return callWithSession('room', 'rooms.day', { roomId, date });
}

/** Creates a room (no `roomId`) or saves one with the `rev` it was read at. */
export function saveRoom(room: RoomInput, existing?: { roomId: string; rev: string } | null): Promise<Result<RoomView>> {
  return callWithSession('room', 'rooms.save', existing ? { roomId: existing.roomId, rev: existing.rev, room } : { room });
}

export function setRoomService(roomId: string, inService: boolean, reason?: string): Promise<Result<{ room: RoomView; cancelled: number }>> {
  return callWithSession('room', 'rooms.setService', reason ? { roomId, inService, reason } : { roomId, inService });
}

export function roomCode(roomId: string): Promise<Result<RoomCode>> {
  return callWithSession('room', 'rooms.code', { roomId });
}

export function roomUsage(weekStart: string): Promise<Result<RoomUsage>> {
  return callWithSession('room', 'rooms.usage', { weekStart });
}

/**
 * A fresh id for one booking attempt. Keep it while retrying the same attempt: the backend
 * answers the booking it already made instead of booking twice.
 */
export function newBookingRequestId(now: number = Date.now(), random: () => number = Math.random): string {
  const tail = Math.floor(random() * 0x7fffffff).toString(36);
  return `b${now.toString(36)}${tail}`.slice(0, 40);
}

/** Books; a BOOKING_CONFLICT failure carries `error.conflicts`. */
export function book(request: BookRequest): Promise<Result<{ bookings: BookingView[] }>> {
  return callWithSession('room', 'bookings.create', request);
}

export function myBookings(when: 'upcoming' | 'past', after: string | null = null): Promise<Result<Page<BookingView>>> {
  return callWithSession('room', 'bookings.mine', after ? { when, after } : { when });
}

export function getBooking(bookingId: string): Promise<Result<BookingView>> {
  return callWithSession('room', 'bookings.get', { bookingId });
}

export function changeBooking(booking: Pick<BookingView, 'id' | 'rev'>, change: { start: string; end: string; subject: string; attendeeIds: string[] }): Promise<Result<BookingView>> {
  return callWithSession('room', 'bookings.change', { bookingId: booking.id, rev: booking.rev, ...change });
}

export function cancelBooking(bookingId: string, series = false, reason?: string): Promise<Result<{ cancelled: number }>> {
  const request: { bookingId: string; series?: boolean; reason?: string } = { bookingId };
  if (series) request.series = true;
  if (reason) request.reason = reason;
  return callWithSession('room', 'bookings.cancel', request);
}

export function checkIn(bookingId: string): Promise<Result<BookingView>> {
  return callWithSession('room', 'bookings.checkIn', { bookingId });
}

/** At the door, after scanning the room's code. */
export function checkInAtRoom(roomId: string): Promise<Result<BookingView>> {
  return callWithSession('room', 'bookings.checkInAtRoom', { roomId });
}

export function endBooking(bookingId: string): Promise<Result<BookingView>> {
  return callWithSession('room', 'bookings.end', { bookingId });
}

export function approvals(after: string | null = null): Promise<Result<Page<BookingView>>> {
  return callWithSession('room', 'bookings.approvals', after ? { after } : {});
}

export function decide(bookingId: string, approve: boolean, reason?: string): Promise<Result<{ decided: number }>> {
  return callWithSession('room', 'bookings.decide', reason ? { bookingId, approve, reason } : { bookingId, approve });
}

export function roomSubscriptionState(): Promise<Result<SubscriptionState>> {
  return callWithSession('room', 'subscriptions.state', {});
}

export function recordRoomSubscriptions(choices: Record<string, SubscribeChoice>): Promise<Result<SubscriptionState>> {
  return callWithSession('room', 'subscriptions.record', { choices });
}
