/**
 * Rooms and bookings as the `room` function answers them, for every room page test: list cards,
 * rooms, a room's day with its timeline, and bookings. Each builder gives a plausible value that
 * overrides adjust; `daySlots` cuts a period into slots and `holdSlots` puts a booking on some.
 */
import type { BookingView, RoomCard, RoomDay, RoomView, SlotState, TimelineSlot } from '../../typings';

const pad = (value: number) => String(value).padStart(2, '0');

/** `YYYY-MM-DD HH:mm` plus `minutes` (business times carry no zone: plain calendar arithmetic). */
export function addMinutes(time: string, minutes: number): string {
  const [date, clock] = time.split(' ');
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = clock.split(':').map(Number);
  const moved = new Date(Date.UTC(y, mo - 1, d, h, mi + minutes));
  return `${moved.getUTCFullYear()}-${pad(moved.getUTCMonth() + 1)}-${pad(moved.getUTCDate())} ${pad(moved.getUTCHours())}:${pad(moved.getUTCMinutes())}`;
}

/** Today in business time (Shanghai) moved by `offsetDays`, from the real clock, as the pages compute it. */
export function businessDate(offsetDays = 0): string {
  return new Date(Date.now() + 8 * 3600 * 1000 + offsetDays * 86400000).toISOString().slice(0, 10);
}

export function roomCard(overrides: Partial<RoomCard> = {}): RoomCard {
  return {
    id: 'room-1',
    name: '第一会议室',
    building: '行政楼',
    floor: '3F',
    capacity: 12,
    equipment: ['projector', 'whiteboard'],
    photoUrl: null,
    inService: true,
    canBook: true,
    needsApproval: false,
    period: { start: '08:00', end: '22:00' },
    free: [{ start: '08:00', end: '22:00' }],
    ...overrides,
  };
}

export function roomView(overrides: Partial<RoomView> = {}): RoomView {
  return {
    id: 'room-1',
    rev: 'rev-1',
    name: '第一会议室',
    building: '行政楼',
    floor: '3F',
    capacity: 12,
    equipment: ['projector', 'whiteboard'],
    photoFileId: null,
    photoUrl: null,
    checkInWindow: { beforeMinutes: 10, afterMinutes: 15 },
    hours: { open: '08:00', close: '22:00' },
    openWeekdays: [1, 2, 3, 4, 5],
    closedDates: [],
    slotMinutes: 30,
    maxMinutes: 240,
    advanceDays: 14,
    checkInRequired: false,
    notes: '',
    inService: true,
    outOfServiceReason: null,
    units: [],
    approval: { required: false, approvers: [] },
    canBook: true,
    cannotBookReason: null,
    ...overrides,
  };
}

/**
 * Every slot of a period from `start` to `end` (`YYYY-MM-DD HH:mm`; an end on the next day
 * crosses midnight), all `state` (free by default).
 */
export function daySlots(start: string, end: string, slotMinutes = 30, state: SlotState = 'free'): TimelineSlot[] {
  const slots: TimelineSlot[] = [];
  for (let at = start; at < end; at = addMinutes(at, slotMinutes)) {
    slots.push({ start: at, end: addMinutes(at, slotMinutes), state, booking: null });
  }
  return slots;
}

/**
 * The slots with those inside `booking` (its start to end) held by it in `state`: what the
 * server answers for a day with that booking.
 */
export function holdSlots(
  slots: TimelineSlot[],
  booking: { id: string; subject: string; bookerName: string; start: string; end: string; pending?: boolean; attending?: boolean },
  state: Exclude<SlotState, 'free' | 'past'> = 'taken',
): TimelineSlot[] {
  const held = { pending: state === 'pending', attending: false, ...booking };
  return slots.map((slot) => (slot.start >= booking.start && slot.end <= booking.end ? { ...slot, state, booking: { ...held } } : slot));
}

/** The slots before `now` (`YYYY-MM-DD HH:mm`) marked past, as the server marks them (booked or not). */
export function pastSlots(slots: TimelineSlot[], now: string): TimelineSlot[] {
  return slots.map((slot) => (slot.end <= now ? { ...slot, state: 'past' } : slot));
}

/**
 * A room's day: by default a weekday open 08:00–22:00 in 30-minute slots, all free. Slots follow
 * `room.hours` and `room.slotMinutes` unless given.
 */
export function roomDay(overrides: Partial<RoomDay> = {}, room: Partial<RoomView> = {}): RoomDay {
  const view = roomView(room);
  const date = overrides.date ?? '2099-06-01';
  // `24:00`, or a close not after the open, ends the period the next day.
  const nextDay = view.hours.close === '24:00' || view.hours.close <= view.hours.open;
  const endDate = nextDay ? addMinutes(`${date} 00:00`, 24 * 60).slice(0, 10) : date;
  const period = { start: `${date} ${view.hours.open}`, end: `${endDate} ${view.hours.close === '24:00' ? '00:00' : view.hours.close}` };
  const closed = overrides.closed ?? null;
  return {
    room: view,
    date,
    period: closed ? null : period,
    closed,
    slots: closed ? [] : daySlots(period.start, period.end, view.slotMinutes),
    lastBookableDate: addMinutes(`${date} 00:00`, 13 * 24 * 60).slice(0, 10),
    ...overrides,
  };
}

export function bookingView(overrides: Partial<BookingView> = {}): BookingView {
  return {
    id: 'bk-1',
    seriesId: null,
    occurrence: 1,
    occurrences: 1,
    roomId: 'room-1',
    roomName: '第一会议室',
    place: '行政楼 3F',
    subject: '项目周会',
    start: '2099-06-01 14:00',
    end: '2099-06-01 15:30',
    status: 'confirmed',
    booker: { memberId: 'm1', name: '林一' },
    attendees: [],
    mine: true,
    role: 'booker',
    checkInRequired: false,
    checkedInAt: null,
    closedAt: null,
    decision: null,
    cancelReason: null,
    checkIn: { opens: '2099-06-01 13:50', closes: '2099-06-01 14:15' },
    can: { checkIn: false, end: false, change: true, cancel: true, decide: false },
    rev: 'rev-1',
    ...overrides,
  };
}
