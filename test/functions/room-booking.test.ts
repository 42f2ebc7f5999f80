/**
 * Booking through the `room` function: the locks a booking takes, repeating bookings all or
 * nothing, approval holding the time, moves (the new time taken before the old is freed),
 * cancelling, who sees a booking, and a room taken out of service and back. Every refusal is
 * checked to leave the locks as they were.
 */
import type { BookingConflict, BookingView, Page, RoomDay } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import type { Caller } from '../helpers/local-cloud';
import { ADMIN, code, dataOf, errorOf, grainIds, plus, RESULT_TEMPLATE, type RoomWorld, useRoomWorld } from '../helpers/room-fixtures';

let w: RoomWorld;
useRoomWorld('b', (world) => (w = world));

beforeEach(() => w.resetClock());

function lockIds(roomId: string): string[] {
  return w.locks(roomId).map((lock) => String(lock._id));
}

describe('a booking and its locks', () => {
  test('a booking is confirmed with one lock per 15-minute grain, each naming it; others see the time taken', async () => {
    const room = await w.makeRoom({ slotMinutes: 60, maxMinutes: 180, hours: { open: '08:00', close: '20:00' } });
    const [me, other, guest] = await Promise.all([w.booker(), w.booker(), w.booker()]);
    const booking = await w.bookMust(me, room, w.t(1, '10:00'), w.t(1, '12:00'), { subject: '季度总结', attendeeIds: [guest.memberId] });
    expect(booking).toMatchObject({
      roomId: room.id,
      roomName: room.name,
      place: '行政楼 3F',
      subject: '季度总结',
      start: w.t(1, '10:00'),
      end: w.t(1, '12:00'),
      status: 'confirmed',
      seriesId: null,
      occurrence: 1,
      occurrences: 1,
      booker: { memberId: me.memberId, name: me.name },
      attendees: [{ id: guest.memberId, name: guest.name }],
      mine: true,
      checkIn: { opens: w.t(1, '09:50'), closes: w.t(1, '10:15') },
      can: { change: true, cancel: true, decide: false },
    });
    expect(w.locksOf(room.id, booking.id)).toEqual(grainIds(room.id, w.t(1, '10:00'), w.t(1, '12:00')));
    expect(w.locksOf(room.id, booking.id)).toHaveLength(8);
    const seen = dataOf(await w.room<RoomDay>('rooms.day', { roomId: room.id, date: w.day(1) }, other));
    expect(seen.slots.filter((s) => s.state === 'taken').map((s) => s.start)).toEqual([w.t(1, '10:00'), w.t(1, '11:00')]);
    expect(seen.slots.find((s) => s.state === 'taken')?.booking).toMatchObject({ id: booking.id, bookerName: me.name });
    const refused = errorOf(await w.book(other, room, w.t(1, '11:00'), w.t(1, '13:00')));
    expect(refused.code).toBe('BOOKING_CONFLICT');
    expect(refused.conflicts).toEqual([{ bookingId: booking.id, subject: '季度总结', bookerName: me.name, start: w.t(1, '10:00'), end: w.t(1, '12:00'), status: 'confirmed' } satisfies BookingConflict]);
    // DETAILED: the sentence names who holds which time.
    expect(refused.message).toContain(me.name);
    expect(lockIds(room.id)).toEqual(grainIds(room.id, w.t(1, '10:00'), w.t(1, '12:00')));
    // Back to back is no overlap.
    expect(code(await w.book(other, room, w.t(1, '12:00'), w.t(1, '13:00')))).toBe('OK');
  });

  test('a booking is seen by its booker, attendees, the room’s approvers and admins; others get BOOKING_NOT_FOUND', async () => {
    const [me, guest, approver, stranger] = await Promise.all([w.booker(), w.booker(), w.booker(), w.booker()]);
    const room = await w.makeRoom({ approval: { required: true, approverIds: [approver.memberId] } });
    const booking = await w.bookMust(me, room, w.t(1, '10:00'), w.t(1, '11:00'), { attendeeIds: [guest.memberId] });
    for (const who of [me, guest, approver, ADMIN]) expect(dataOf(await w.get(who, booking.id)).id).toBe(booking.id);
    expect(code(await w.get(stranger, booking.id))).toBe('BOOKING_NOT_FOUND');
    expect(code(await w.get(me, 'b_missing'))).toBe('BOOKING_NOT_FOUND');
    expect(code(await w.room('bookings.cancel', { bookingId: booking.id }, stranger))).toBe('BOOKING_NOT_FOUND');
    expect(dataOf(await w.get(approver, booking.id)).can.decide).toBe(true);
    // How each takes part, in the booking and on the room's timeline (pending, as the room needs approval).
    expect(await Promise.all([me, guest, approver, ADMIN].map(async (who) => dataOf(await w.get(who, booking.id)).role))).toEqual(['booker', 'attendee', null, null]);
    const slotOf = async (who: Caller) => dataOf(await w.room<RoomDay>('rooms.day', { roomId: room.id, date: w.day(1) }, who)).slots.find((slot) => slot.start === w.t(1, '10:00'));
    expect(await slotOf(me)).toMatchObject({ state: 'mine', booking: { id: booking.id, pending: true, attending: false } });
    expect(await slotOf(guest)).toMatchObject({ state: 'mine', booking: { pending: true, attending: true } });
    expect(await slotOf(stranger)).toMatchObject({ state: 'pending', booking: { attending: false } });
  });

  test('bookings.mine lists what the caller booked or attends, upcoming soonest first', async () => {
    const room = await w.makeRoom();
    const [me, guest] = await Promise.all([w.booker(), w.booker()]);
    const later = await w.bookMust(me, room, w.t(2, '10:00'), w.t(2, '11:00'));
    const sooner = await w.bookMust(guest, room, w.t(1, '10:00'), w.t(1, '11:00'), { attendeeIds: [me.memberId] });
    const page = dataOf(await w.room<Page<BookingView>>('bookings.mine', { when: 'upcoming' }, me));
    expect(page.items.map((b) => b.id)).toEqual([sooner.id, later.id]);
    expect(page.items.every((b) => b.mine)).toBe(true);
  });
});

describe('repeating bookings: all weeks or none', () => {
  test('12 free weeks make 12 bookings of one series, a week apart', async () => {
    const room = await w.makeRoom({ advanceDays: 90 });
    const me = await w.booker();
    const { bookings } = dataOf(await w.book(me, room, w.t(1, '14:00'), w.t(1, '15:00'), { repeatWeeks: FIELD_LIMITS.bookingRepeatWeeks }));
    expect(bookings).toHaveLength(12);
    const seriesId = bookings[0].seriesId;
    expect(seriesId).toBeTruthy();
    bookings.forEach((b, i) => {
      expect(b).toMatchObject({ seriesId, occurrence: i + 1, occurrences: 12, start: w.t(1 + 7 * i, '14:00'), end: w.t(1 + 7 * i, '15:00'), status: 'confirmed' });
      expect(w.locksOf(room.id, b.id)).toEqual(grainIds(room.id, b.start, b.end));
    });
    expect(lockIds(room.id)).toHaveLength(12 * 4);
  });

  test('a conflict in week 7 of 12 refuses every week, names the week, and leaves no lock behind', async () => {
    const room = await w.makeRoom({ advanceDays: 90 });
    const [me, other] = await Promise.all([w.booker(), w.booker()]);
    const blocker = await w.bookMust(other, room, w.t(1 + 7 * 6, '14:30'), w.t(1 + 7 * 6, '15:30'));
    const before = lockIds(room.id);
    const refused = errorOf(await w.book(me, room, w.t(1, '14:00'), w.t(1, '15:00'), { repeatWeeks: 11 }));
    expect(refused.code).toBe('BOOKING_CONFLICT');
    expect(refused.conflicts?.map((c) => (c as BookingConflict).bookingId)).toEqual([blocker.id]);
    expect(refused.message).toContain(w.day(1 + 7 * 6).slice(5));
    expect(lockIds(room.id)).toEqual(before);
    expect(w.bookingsOf(room.id).filter((b) => b.status === 'pending' || b.status === 'confirmed').map((b) => b._id)).toEqual([blocker.id]);
    // Nothing of the refused series shows anywhere.
    expect(dataOf(await w.room<Page<BookingView>>('bookings.mine', { when: 'upcoming' }, me)).items).toEqual([]);
  });

  test('a week outside the rules (a holiday in week 3) refuses every week, naming its date', async () => {
    const holiday = w.day(1 + 14);
    const room = await w.makeRoom({ advanceDays: 90, closedDates: [holiday] });
    const me = await w.booker();
    const refused = errorOf(await w.book(me, room, w.t(1, '14:00'), w.t(1, '15:00'), { repeatWeeks: 4 }));
    expect(refused.code).toBe('BOOKING_OUTSIDE_HOURS');
    expect(refused.message).toContain(holiday.slice(5));
    expect(lockIds(room.id)).toEqual([]);
  });

  test('cancelling with series cancels every week not begun; the freed weeks book at once', async () => {
    const room = await w.makeRoom({ advanceDays: 90 });
    const [me, other] = await Promise.all([w.booker(), w.booker()]);
    const { bookings } = dataOf(await w.book(me, room, w.t(0, '10:00'), w.t(0, '11:00'), { repeatWeeks: 3 }));
    // The first week has begun: it stays.
    w.at(w.t(0, '10:30'));
    const cancelled = dataOf(await w.room<{ cancelled: number }>('bookings.cancel', { bookingId: bookings[1].id, series: true }, me));
    expect(cancelled.cancelled).toBe(3);
    expect(dataOf(await w.get(me, bookings[0].id)).status).toBe('confirmed');
    for (const b of bookings.slice(1)) expect(dataOf(await w.get(me, b.id)).status).toBe('cancelled');
    expect(lockIds(room.id).filter((id) => !w.locksOf(room.id, bookings[0].id).includes(id))).toEqual([]);
    expect(code(await w.book(other, room, w.t(7, '10:00'), w.t(7, '11:00')))).toBe('OK');
  });
});

describe('approval', () => {
  async function approvalRoom() {
    const [approver, me, other] = await Promise.all([w.booker(), w.booker(), w.booker()]);
    const room = await w.makeRoom({ approval: { required: true, approverIds: [approver.memberId] } });
    return { approver, me, other, room };
  }

  test('a pending booking holds its time: another booking of it conflicts', async () => {
    const { me, other, room } = await approvalRoom();
    const pending = await w.bookMust(me, room, w.t(1, '10:00'), w.t(1, '11:00'));
    expect(pending.status).toBe('pending');
    expect(w.locksOf(room.id, pending.id)).toEqual(grainIds(room.id, w.t(1, '10:00'), w.t(1, '11:00')));
    const refused = errorOf(await w.book(other, room, w.t(1, '10:30'), w.t(1, '11:30')));
    expect(refused.code).toBe('BOOKING_CONFLICT');
    expect(refused.conflicts).toEqual([expect.objectContaining({ bookingId: pending.id, status: 'pending' })]);
    const day = dataOf(await w.room<RoomDay>('rooms.day', { roomId: room.id, date: w.day(1) }, other));
    expect(day.slots.filter((s) => s.state === 'pending').map((s) => s.start)).toEqual([w.t(1, '10:00'), w.t(1, '10:30')]);
  });

  test('the approver sees it in approvals and approves: confirmed, the booker told when they hold a credit', async () => {
    const { approver, me, room } = await approvalRoom();
    await w.accept(me, RESULT_TEMPLATE);
    const pending = await w.bookMust(me, room, w.t(1, '10:00'), w.t(1, '11:00'), { subject: '评审会' });
    const queue = dataOf(await w.room<Page<BookingView>>('bookings.approvals', {}, approver));
    expect(queue.items.map((b) => b.id)).toContain(pending.id);
    expect(dataOf(await w.room<{ decided: number }>('bookings.decide', { bookingId: pending.id, approve: true }, approver)).decided).toBe(1);
    const approved = dataOf(await w.get(me, pending.id));
    expect(approved).toMatchObject({ status: 'confirmed', decision: { approved: true, by: approver.name, reason: null } });
    expect(w.locksOf(room.id, pending.id)).toHaveLength(4);
    const told = w.messagesTo(me.openid, RESULT_TEMPLATE);
    expect(told).toHaveLength(1);
    expect(told[0].errCode).toBe(0);
    expect(Object.values(told[0].data).map((v) => v.value)).toContain('评审会');
    expect(dataOf(await w.room<Page<BookingView>>('bookings.approvals', {}, approver)).items.map((b) => b.id)).not.toContain(pending.id);
  });

  test('rejecting needs a reason, frees the time at once, and tells the booker', async () => {
    const { approver, me, other, room } = await approvalRoom();
    await w.accept(me, RESULT_TEMPLATE);
    const pending = await w.bookMust(me, room, w.t(1, '10:00'), w.t(1, '11:00'));
    const noReason = errorOf(await w.room('bookings.decide', { bookingId: pending.id, approve: false }, approver));
    expect([noReason.code, noReason.field]).toEqual(['INVALID_INPUT', 'reason']);
    expect(dataOf(await w.get(me, pending.id)).status).toBe('pending');
    const long = errorOf(await w.room('bookings.decide', { bookingId: pending.id, approve: false, reason: '因'.repeat(FIELD_LIMITS.bookingReason + 1) }, approver));
    expect([long.code, long.field]).toEqual(['INVALID_INPUT', 'reason']);
    await w.roomMust('bookings.decide', { bookingId: pending.id, approve: false, reason: '当天有校级会议' }, approver);
    expect(dataOf(await w.get(me, pending.id))).toMatchObject({ status: 'rejected', decision: { approved: false, reason: '当天有校级会议' } });
    expect(w.locksOf(room.id, pending.id)).toEqual([]);
    expect(code(await w.book(other, room, w.t(1, '10:00'), w.t(1, '11:00')))).toBe('OK');
    const told = w.messagesTo(me.openid, RESULT_TEMPLATE);
    expect(told.map((m) => m.errCode)).toEqual([0]);
    expect(Object.values(told[0].data).map((v) => v.value)).toContain('当天有校级会议');
    // Deciding again is not possible.
    expect(code(await w.room('bookings.decide', { bookingId: pending.id, approve: true }, approver))).toBe('BOOKING_STATE');
  });

  test('without a credit nobody is messaged; admins decide any room; a non-approver is FORBIDDEN', async () => {
    const { me, other, room } = await approvalRoom();
    const first = await w.bookMust(me, room, w.t(1, '10:00'), w.t(1, '11:00'));
    const refused = await w.room('bookings.decide', { bookingId: first.id, approve: true }, other);
    // A stranger to the booking may not see it at all; either way nothing is decided.
    expect(['FORBIDDEN', 'BOOKING_NOT_FOUND']).toContain(code(refused));
    expect(code(await w.room('bookings.decide', { bookingId: first.id, approve: true }, me))).toBe('FORBIDDEN');
    expect(dataOf(await w.get(me, first.id)).status).toBe('pending');
    await w.roomMust('bookings.decide', { bookingId: first.id, approve: true }, ADMIN);
    expect(dataOf(await w.get(me, first.id)).status).toBe('confirmed');
    expect(w.messagesTo(me.openid).filter((m) => m.errCode === 0)).toEqual([]);
  });

  test('a decision covers every pending week of the series', async () => {
    const { approver, me, room } = await approvalRoom();
    const { bookings } = dataOf(await w.book(me, room, w.t(1, '10:00'), w.t(1, '11:00'), { repeatWeeks: 1 }));
    expect(bookings.map((b) => b.status)).toEqual(['pending', 'pending']);
    expect(dataOf(await w.room<{ decided: number }>('bookings.decide', { bookingId: bookings[0].id, approve: true }, approver)).decided).toBe(2);
    for (const b of bookings) expect(dataOf(await w.get(me, b.id)).status).toBe('confirmed');
  });
});

describe('change and cancel', () => {
  async function setUp() {
    const room = await w.makeRoom();
    const [me, other] = await Promise.all([w.booker(), w.booker()]);
    const booking = await w.bookMust(me, room, w.t(1, '10:00'), w.t(1, '11:00'), { subject: '旧主题' });
    const change = (overrides: Record<string, unknown>, who: Caller = me, from: BookingView = booking) =>
      w.room<BookingView>('bookings.change', { bookingId: from.id, rev: from.rev, start: from.start, end: from.end, subject: from.subject, attendeeIds: [], ...overrides }, who);
    return { room, me, other, booking, change };
  }

  test('a move to a free time takes the new grains and frees the old ones', async () => {
    const { room, me, other, booking, change } = await setUp();
    const moved = dataOf(await change({ start: w.t(1, '14:00'), end: w.t(1, '15:30'), subject: '新主题' }));
    expect(moved).toMatchObject({ id: booking.id, start: w.t(1, '14:00'), end: w.t(1, '15:30'), subject: '新主题', status: 'confirmed' });
    expect(moved.rev).not.toBe(booking.rev);
    expect(lockIds(room.id)).toEqual(grainIds(room.id, w.t(1, '14:00'), w.t(1, '15:30')));
    expect(w.locksOf(room.id, booking.id)).toHaveLength(6);
    expect(code(await w.book(other, room, w.t(1, '10:00'), w.t(1, '11:00')))).toBe('OK');
    expect(dataOf(await w.get(me, booking.id)).subject).toBe('新主题');
  });

  test('a move to an overlapping time keeps the shared grains and frees the rest', async () => {
    const { room, other, booking, change } = await setUp();
    const before = new Map(w.locks(room.id).map((lock) => [String(lock._id), lock.createdAt]));
    // A minute later, so a lock written again would show a new createdAt.
    w.at(plus(w.now, 1));
    dataOf(await change({ start: w.t(1, '10:30'), end: w.t(1, '11:30') }));
    expect(lockIds(room.id)).toEqual(grainIds(room.id, w.t(1, '10:30'), w.t(1, '11:30')));
    for (const id of grainIds(room.id, w.t(1, '10:30'), w.t(1, '11:00'))) {
      expect(w.doc('room_slots', id)).toMatchObject({ bookingId: booking.id, createdAt: before.get(id) });
    }
    expect(code(await w.book(other, room, w.t(1, '10:00'), w.t(1, '10:30')))).toBe('OK');
  });

  test('a move into someone else’s time is BOOKING_CONFLICT and keeps the old time and its locks', async () => {
    const { room, me, other, booking, change } = await setUp();
    const theirs = await w.bookMust(other, room, w.t(1, '13:00'), w.t(1, '14:00'));
    const before = lockIds(room.id);
    const refused = errorOf(await change({ start: w.t(1, '12:30'), end: w.t(1, '13:30') }));
    expect(refused.code).toBe('BOOKING_CONFLICT');
    expect(refused.conflicts?.map((c) => (c as BookingConflict).bookingId)).toEqual([theirs.id]);
    expect(lockIds(room.id)).toEqual(before);
    expect(dataOf(await w.get(me, booking.id))).toMatchObject({ start: w.t(1, '10:00'), end: w.t(1, '11:00'), rev: booking.rev });
  });

  test('a move follows the time rules, a stale rev is BOOKING_STALE, others may not move it', async () => {
    const { room, other, booking, change } = await setUp();
    expect(code(await change({ start: w.t(1, '21:30'), end: w.t(1, '22:30') }))).toBe('BOOKING_OUTSIDE_HOURS');
    expect(code(await change({ start: w.t(0, '09:00'), end: w.t(0, '09:30') }))).toBe('BOOKING_IN_PAST');
    const moved = dataOf(await change({ start: w.t(1, '12:00'), end: w.t(1, '13:00') }));
    // The first rev is stale now.
    expect(code(await change({ start: w.t(1, '16:00'), end: w.t(1, '17:00') }))).toBe('BOOKING_STALE');
    expect(['FORBIDDEN', 'BOOKING_NOT_FOUND']).toContain(code(await change({ start: w.t(1, '16:00'), end: w.t(1, '17:00') }, other, moved)));
    expect(lockIds(room.id)).toEqual(grainIds(room.id, w.t(1, '12:00'), w.t(1, '13:00')));
    // An admin may move it.
    expect(code(await change({ start: w.t(1, '16:00'), end: w.t(1, '17:00') }, ADMIN, moved))).toBe('OK');
    expect(booking.id).toBe(moved.id);
  });

  test('a moved booking of an approval room goes back to pending unless an admin moved it', async () => {
    const approver = await w.booker();
    const room = await w.makeRoom({ approval: { required: true, approverIds: [approver.memberId] } });
    const me = await w.booker();
    const booking = await w.bookMust(me, room, w.t(1, '10:00'), w.t(1, '11:00'));
    await w.roomMust('bookings.decide', { bookingId: booking.id, approve: true }, approver);
    const confirmed = dataOf(await w.get(me, booking.id));
    const moved = dataOf(await w.room<BookingView>('bookings.change', { bookingId: booking.id, rev: confirmed.rev, start: w.t(1, '14:00'), end: w.t(1, '15:00'), subject: confirmed.subject, attendeeIds: [] }, me));
    expect(moved.status).toBe('pending');
    await w.roomMust('bookings.decide', { bookingId: booking.id, approve: true }, approver);
    const again = dataOf(await w.get(me, booking.id));
    const byAdmin = dataOf(await w.room<BookingView>('bookings.change', { bookingId: booking.id, rev: again.rev, start: w.t(1, '16:00'), end: w.t(1, '17:00'), subject: again.subject, attendeeIds: [] }, ADMIN));
    expect(byAdmin.status).toBe('confirmed');
  });

  test('cancel frees the time at once; a begun booking cannot be cancelled or moved', async () => {
    const room = await w.makeRoom();
    const [me, other] = await Promise.all([w.booker(), w.booker()]);
    const booking = await w.bookMust(me, room, w.t(0, '10:00'), w.t(0, '11:00'));
    const later = await w.bookMust(me, room, w.t(0, '14:00'), w.t(0, '15:00'));
    expect(dataOf(await w.room<{ cancelled: number }>('bookings.cancel', { bookingId: later.id, reason: '改期' }, me)).cancelled).toBe(1);
    expect(dataOf(await w.get(me, later.id))).toMatchObject({ status: 'cancelled', cancelReason: '改期' });
    expect(w.locksOf(room.id, later.id)).toEqual([]);
    expect(code(await w.book(other, room, w.t(0, '14:00'), w.t(0, '15:00')))).toBe('OK');
    expect(code(await w.room('bookings.cancel', { bookingId: later.id }, me))).toBe('BOOKING_STATE');
    w.at(w.t(0, '10:00'));
    expect(code(await w.room('bookings.cancel', { bookingId: booking.id }, me))).toBe('BOOKING_STATE');
    const current = dataOf(await w.get(me, booking.id));
    expect(current.can).toMatchObject({ change: false, cancel: false });
    expect(code(await w.room('bookings.change', { bookingId: booking.id, rev: current.rev, start: w.t(0, '12:00'), end: w.t(0, '13:00'), subject: current.subject, attendeeIds: [] }, me))).toBe('BOOKING_STATE');
    expect(w.locksOf(room.id, booking.id)).toHaveLength(4);
  });
});

describe('out of service', () => {
  test('taking a room out cancels its future bookings and tells their bookers; new bookings refused; back in service books again', async () => {
    const room = await w.makeRoom();
    const [me, other] = await Promise.all([w.booker(), w.booker()]);
    await w.accept(me, RESULT_TEMPLATE);
    const mine = await w.bookMust(me, room, w.t(1, '10:00'), w.t(1, '11:00'));
    const theirs = await w.bookMust(other, room, w.t(2, '10:00'), w.t(2, '11:00'));
    const out = dataOf(await w.room<{ cancelled: number; room: { inService: boolean; outOfServiceReason: string | null } }>('rooms.setService', { roomId: room.id, inService: false, reason: '设备维修' }));
    expect(out.cancelled).toBe(2);
    expect(out.room).toMatchObject({ inService: false, outOfServiceReason: '设备维修' });
    for (const [who, b] of [[me, mine], [other, theirs]] as const) expect(dataOf(await w.get(who, b.id)).status).toBe('cancelled');
    expect(lockIds(room.id)).toEqual([]);
    // The booker holding a credit is told; the other is not (no credit).
    await w.roomTimer();
    expect(w.messagesTo(me.openid, RESULT_TEMPLATE).map((m) => m.errCode)).toEqual([0]);
    expect(w.messagesTo(other.openid).filter((m) => m.errCode === 0)).toEqual([]);
    expect(code(await w.book(me, room, w.t(1, '10:00'), w.t(1, '11:00')))).toBe('ROOM_OUT_OF_SERVICE');
    const day = dataOf(await w.room<RoomDay>('rooms.day', { roomId: room.id, date: w.day(1) }, me));
    expect(day.closed).toBe('out-of-service');
    const back = dataOf(await w.room<{ cancelled: number; room: { inService: boolean } }>('rooms.setService', { roomId: room.id, inService: true }));
    expect(back).toMatchObject({ cancelled: 0, room: { inService: true } });
    expect(code(await w.book(me, room, w.t(1, '10:00'), w.t(1, '11:00')))).toBe('OK');
  });

  test('a booking in progress when the room goes out ends now and frees the rest', async () => {
    const room = await w.makeRoom();
    const me = await w.booker();
    const booking = await w.bookMust(me, room, w.t(0, '09:30'), w.t(0, '11:30'));
    w.at(w.t(0, '10:05'));
    await w.roomMust('rooms.setService', { roomId: room.id, inService: false, reason: '停电' });
    const after = dataOf(await w.get(me, booking.id));
    expect(after.status).toBe('ended');
    // Nothing from the next grain on is held.
    expect(w.locksOf(room.id, booking.id).filter((id) => id >= `${room.id}~${w.day(0).replace(/-/g, '')}1015`)).toEqual([]);
  });
});
