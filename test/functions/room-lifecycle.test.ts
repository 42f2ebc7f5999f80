/**
 * A booking's day through the `room` function, on the local cloud's movable clock: the
 * check-in window (10 minutes before to 15 after the start) from 我的预约 and at the door by
 * room id, the minute timer releasing a no-show and freeing the rest, ending early, and the
 * reminder 15 minutes before the start (once, and only to people holding a credit).
 */
import type { BookingView } from '../../typings';
import type { Caller } from '../helpers/local-cloud';
import { ADMIN, code, dataOf, errorOf, grainIds, REMIND_TEMPLATE, type RoomWorld, useRoomWorld } from '../helpers/room-fixtures';

let w: RoomWorld;
useRoomWorld('l', (world) => (w = world));

beforeEach(() => w.resetClock());

/** A check-in room, a booker and an attendee, and a booking tomorrow 10:00–12:00. */
async function tomorrowAtTen(overrides: { checkInRequired?: boolean; slotMinutes?: 15 | 30 | 60 } = {}) {
  const room = await w.makeRoom({ checkInRequired: true, ...overrides });
  const [me, guest, stranger] = await Promise.all([w.booker(), w.booker(), w.booker()]);
  const booking = await w.bookMust(me, room, w.t(1, '10:00'), w.t(1, '12:00'), { attendeeIds: [guest.memberId], subject: '项目周会' });
  /** The booking's day at `time`: fixed, where `w.t` follows the clock. */
  const on = (time: string) => `${booking.start.slice(0, 10)} ${time}`;
  const at = (time: string) => w.at(on(time));
  const checkIn = (who: Caller = me) => w.room<BookingView>('bookings.checkIn', { bookingId: booking.id }, who);
  return { room, me, guest, stranger, booking, on, at, checkIn };
}

describe('check-in', () => {
  test('a check-in belongs to the time it was made for: a booking moved after checking in must check in again', async () => {
    const { me, booking, on, at, checkIn } = await tomorrowAtTen();
    at('09:52');
    expect(dataOf(await checkIn()).checkedInAt).toBe(on('09:52'));
    const moved = dataOf(
      await w.room<BookingView>('bookings.change', { bookingId: booking.id, rev: dataOf(await w.get(me, booking.id)).rev, start: on('15:00'), end: on('16:00'), subject: '项目周会', attendeeIds: [] }, me),
    );
    expect(moved).toMatchObject({ start: on('15:00'), checkedInAt: null });
    // Not checked in at the new time: the timer releases it once that window closes.
    at('15:16');
    await w.roomTimer();
    expect(dataOf(await w.get(me, booking.id)).status).toBe('released');
  });

  test('opens 10 minutes before the start: before that BOOKING_CHECK_IN_CLOSED says when it opens', async () => {
    const { booking, on, at, checkIn } = await tomorrowAtTen();
    expect(booking.checkIn).toEqual({ opens: on('09:50'), closes: on('10:15') });
    at('09:49');
    const early = errorOf(await checkIn());
    expect(early.code).toBe('BOOKING_CHECK_IN_CLOSED');
    expect(early.message).toContain('09:50');
    expect(dataOf(await w.get(ADMIN, booking.id)).checkedInAt).toBeNull();
    at('09:50');
    const done = dataOf(await checkIn());
    expect(done).toMatchObject({ status: 'confirmed', checkedInAt: on('09:50') });
    // A second check-in answers the same booking.
    at('09:55');
    expect(dataOf(await checkIn()).checkedInAt).toBe(on('09:50'));
  });

  test('closes 15 minutes after the start: at 10:15 still in, after it BOOKING_CHECK_IN_CLOSED says it closed', async () => {
    const first = await tomorrowAtTen();
    first.at('10:15');
    expect(code(await first.checkIn(first.guest))).toBe('OK');
    const second = await tomorrowAtTen();
    second.at('10:16');
    const late = errorOf(await second.checkIn());
    expect(late.code).toBe('BOOKING_CHECK_IN_CLOSED');
    second.at('09:00');
    const early = errorOf(await second.checkIn());
    // Not the sentence saying when it opens.
    expect(late.message).not.toBe(early.message);
    expect(late.message).not.toContain('09:50');
  });

  test('the booker or an attendee checks in; others cannot; a pending booking is BOOKING_STATE', async () => {
    const { stranger, at, checkIn } = await tomorrowAtTen();
    at('09:58');
    expect(['FORBIDDEN', 'BOOKING_NOT_FOUND']).toContain(code(await checkIn(stranger)));
    const approver = await w.booker();
    const room = await w.makeRoom({ checkInRequired: true, approval: { required: true, approverIds: [approver.memberId] } });
    w.resetClock();
    const me = await w.booker();
    const pending = await w.bookMust(me, room, w.t(1, '10:00'), w.t(1, '11:00'));
    at('09:58');
    expect(code(await w.room('bookings.checkIn', { bookingId: pending.id }, me))).toBe('BOOKING_STATE');
  });

  test('at the door: the caller’s booking of that room whose window is open now is checked in; none now is BOOKING_NONE_NOW', async () => {
    const { room, me, guest, stranger, booking, on, at } = await tomorrowAtTen();
    at('08:40');
    expect(code(await w.room('bookings.checkInAtRoom', { roomId: room.id }, me))).toBe('BOOKING_NONE_NOW');
    // Within the hour before the window opens, the door says when it opens.
    at('09:40');
    const early = await w.room('bookings.checkInAtRoom', { roomId: room.id }, me);
    expect(code(early)).toBe('BOOKING_CHECK_IN_CLOSED');
    expect(early.ok ? '' : early.error.message).toContain('09:50');
    at('09:52');
    const byGuest = dataOf(await w.room<BookingView>('bookings.checkInAtRoom', { roomId: room.id }, guest));
    expect(byGuest).toMatchObject({ id: booking.id, checkedInAt: on('09:52') });
    expect(code(await w.room('bookings.checkInAtRoom', { roomId: room.id }, me))).toBe('OK');
    expect(code(await w.room('bookings.checkInAtRoom', { roomId: room.id }, stranger))).toBe('BOOKING_NONE_NOW');
    const elsewhere = await w.makeRoom({ checkInRequired: true });
    expect(code(await w.room('bookings.checkInAtRoom', { roomId: elsewhere.id }, me))).toBe('BOOKING_NONE_NOW');
    expect(code(await w.room('bookings.checkInAtRoom', { roomId: 'r_missing' }, me))).toBe('ROOM_NOT_FOUND');
  });
});

describe('the minute timer and no-shows', () => {
  test('a booking not checked in by start + 15 is released by the timer and the rest of its time is free at once', async () => {
    const { room, me, booking, on, at } = await tomorrowAtTen();
    const other = await w.booker();
    at('10:15');
    await w.roomTimer();
    expect(dataOf(await w.get(me, booking.id)).status).toBe('confirmed');
    at('10:16');
    await w.roomTimer();
    const released = dataOf(await w.get(me, booking.id));
    expect(released).toMatchObject({ status: 'released', closedAt: on('10:16') });
    // Every grain from the release on is free: nothing of the booking remains from 10:30.
    expect(w.locksOf(room.id, booking.id)).toEqual(grainIds(room.id, on('10:00'), on('10:30')));
    expect(code(await w.book(other, room, on('10:30'), on('12:00')))).toBe('OK');
    // A second run changes nothing.
    await w.roomTimer();
    expect(dataOf(await w.get(me, booking.id)).status).toBe('released');
  });

  test('a checked-in booking, and one of a room that needs no check-in, are never released', async () => {
    const checked = await tomorrowAtTen();
    checked.at('09:55');
    await checked.checkIn();
    const free = await tomorrowAtTen({ checkInRequired: false });
    checked.at('10:40');
    await w.roomTimer();
    expect(dataOf(await w.get(checked.me, checked.booking.id)).status).toBe('confirmed');
    expect(dataOf(await w.get(free.me, free.booking.id)).status).toBe('confirmed');
    expect(w.locksOf(free.room.id, free.booking.id)).toHaveLength(8);
  });

  test('ending early frees every grain from the next boundary on; only a checked-in booking in progress ends', async () => {
    const { room, me, booking, on, at, checkIn } = await tomorrowAtTen({ slotMinutes: 15 });
    const other = await w.booker();
    at('09:55');
    expect(code(await w.room('bookings.end', { bookingId: booking.id }, me))).toBe('BOOKING_STATE');
    await checkIn();
    at('10:20');
    const ended = dataOf(await w.room<BookingView>('bookings.end', { bookingId: booking.id }, me));
    expect(ended).toMatchObject({ status: 'ended', closedAt: on('10:20') });
    // The grain in progress stays the booking's; everything from 10:30 is free.
    expect(w.locksOf(room.id, booking.id)).toEqual(grainIds(room.id, on('10:00'), on('10:30')));
    expect(code(await w.book(other, room, on('10:30'), on('11:00')))).toBe('OK');
    expect(code(await w.room('bookings.end', { bookingId: booking.id }, me))).toBe('BOOKING_STATE');
  });

  test('a booking needing check-in that was not checked in cannot be ended', async () => {
    const { me, booking, at } = await tomorrowAtTen();
    at('10:05');
    expect(code(await w.room('bookings.end', { bookingId: booking.id }, me))).toBe('BOOKING_STATE');
  });
});

describe('reminders', () => {
  test('15 minutes before the start, once, to the booker holding a credit; none without one', async () => {
    const room = await w.makeRoom();
    const [withCredit, without] = await Promise.all([w.booker(), w.booker()]);
    await w.accept(withCredit, REMIND_TEMPLATE);
    const day = w.day(1);
    const mine = await w.bookMust(withCredit, room, `${day} 10:00`, `${day} 11:00`, { subject: '提醒测试' });
    const theirs = await w.bookMust(without, room, `${day} 11:00`, `${day} 12:00`);
    w.at(`${day} 09:44`);
    await w.roomTimer();
    expect(w.messagesTo(withCredit.openid, REMIND_TEMPLATE)).toEqual([]);
    w.at(`${day} 09:45`);
    await w.roomTimer();
    const sent = w.messagesTo(withCredit.openid, REMIND_TEMPLATE);
    expect(sent.map((m) => m.errCode)).toEqual([0]);
    expect(Object.values(sent[0].data).map((v) => v.value)).toContain('提醒测试');
    expect(Object.values(sent[0].data).map((v) => v.value).join(' ')).toContain(room.name.slice(0, 10));
    // Later runs do not remind again, even with a credit to spend.
    await w.accept(withCredit, REMIND_TEMPLATE);
    w.at(`${day} 09:50`);
    await w.roomTimer();
    expect(w.messagesTo(withCredit.openid, REMIND_TEMPLATE)).toHaveLength(1);
    w.at(`${day} 10:45`);
    await w.roomTimer();
    expect(w.messagesTo(without.openid).filter((m) => m.errCode === 0)).toEqual([]);
    expect(w.messagesTo(withCredit.openid, REMIND_TEMPLATE).map((m) => m.data)).toHaveLength(1);
    expect([mine.status, theirs.status]).toEqual(['confirmed', 'confirmed']);
  });
});

describe('a deployment configuring the window (5 minutes before, 30 after)', () => {
  let c: RoomWorld;
  useRoomWorld('lc', (world) => (c = world), { ROOM_CHECK_IN_BEFORE_MINUTES: '5', ROOM_CHECK_IN_AFTER_MINUTES: '30' });

  test('the window and the release follow the configuration', async () => {
    const room = await c.makeRoom({ checkInRequired: true });
    const me = await c.booker();
    const day = c.day(1);
    const booking = await c.bookMust(me, room, `${day} 10:00`, `${day} 11:00`);
    expect(booking.checkIn).toEqual({ opens: `${day} 09:55`, closes: `${day} 10:30` });
    c.at(`${day} 09:54`);
    expect(code(await c.room('bookings.checkIn', { bookingId: booking.id }, me))).toBe('BOOKING_CHECK_IN_CLOSED');
    c.at(`${day} 10:20`);
    await c.roomTimer();
    expect(dataOf(await c.get(me, booking.id)).status).toBe('confirmed');
    c.at(`${day} 10:31`);
    await c.roomTimer();
    expect(dataOf(await c.get(me, booking.id)).status).toBe('released');
  });
});
