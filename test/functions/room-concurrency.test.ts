/**
 * No double booking, proved through the local cloud: 50 members booking overlapping times of one
 * room at once get exactly one booking, and the room's locks are all the winner's; 50 retries of
 * one request at once make one booking; and what a function killed half-way through a booking
 * leaves (a hold past its lease with some locks, locks of a booking never written) is repaired
 * by the next booking that meets it and by the minute timer.
 */
import type { Doc } from '../../local-cloud/src/db/engine';
import type { BookingConflict, BookingView, RoomDay } from '../../typings';
import { code, dataOf, errorOf, grainIds, instantOf, plus, type Reader, type RoomWorld, useRoomWorld } from '../helpers/room-fixtures';

let w: RoomWorld;
useRoomWorld('k', (world) => (w = world));

beforeEach(() => w.resetClock());

const PEOPLE = 50;

function live(roomId: string): Doc[] {
  return w.bookingsOf(roomId).filter((b) => b.status === 'pending' || b.status === 'confirmed');
}

/** `count` bound members: one made through the functions, the rest cloned from it in the engine. */
async function members(count: number): Promise<Reader[]> {
  const first = await w.booker();
  return [first, ...w.cloneReaders(first, count - 1)];
}

describe('the concurrency proof', () => {
  test(`${PEOPLE} members booking overlapping times of one room at once: exactly one booking, 49 BOOKING_CONFLICT naming it, every lock the winner's`, async () => {
    const room = await w.makeRoom({ maxMinutes: 240 });
    const people = await members(PEOPLE);
    // Every range holds 11:00–11:30, so any two overlap.
    const starts = ['09:30', '10:00', '10:30', '11:00'];
    const ends = ['11:30', '12:00', '12:30'];
    const results = await Promise.all(people.map((who, i) => w.book(who, room, w.t(1, starts[i % starts.length]), w.t(1, ends[i % ends.length]), { subject: `并发${i}` })));
    const winners = results.map((r, i) => [r, i] as const).filter(([r]) => r.ok);
    expect(winners).toHaveLength(1);
    const [winnerResult, winnerIndex] = winners[0];
    const winner = dataOf(winnerResult).bookings[0];
    expect(winner.booker.memberId).toBe(people[winnerIndex].memberId);
    const losers = results.filter((r) => !r.ok);
    expect(losers).toHaveLength(PEOPLE - 1);
    for (const loser of losers) {
      const error = errorOf(loser);
      expect(error.code).toBe('BOOKING_CONFLICT');
      expect((error.conflicts as BookingConflict[]).map((c) => c.bookingId)).toContain(winner.id);
      expect(error.conflicts).toContainEqual({ bookingId: winner.id, subject: winner.subject, bookerName: winner.booker.name, start: winner.start, end: winner.end, status: 'confirmed' });
    }
    // The database holds exactly the winner's grains, each naming the winner.
    const locks = w.locks(room.id);
    expect(locks.map((l) => String(l._id))).toEqual(grainIds(room.id, winner.start, winner.end));
    expect(new Set(locks.map((l) => l.bookingId))).toEqual(new Set([winner.id]));
    expect(live(room.id).map((b) => b._id)).toEqual([winner.id]);
    // The timeline agrees.
    const day = dataOf(await w.room<RoomDay>('rooms.day', { roomId: room.id, date: w.day(1) }, people[0]));
    expect(new Set(day.slots.filter((s) => s.booking).map((s) => s.booking?.id))).toEqual(new Set([winner.id]));
    // Nothing crashed on the way.
    expect(w.cloud.cloud.invocations.recent(1000).filter((r) => r.outcome === 'CRASH' || r.outcome === 'TIMEOUT')).toEqual([]);
  }, 120_000);

  test(`${PEOPLE} concurrent calls with one request id by one account make one booking, answered to all`, async () => {
    const room = await w.makeRoom();
    const me = await w.booker();
    const request = w.request(room, w.t(1, '15:00'), w.t(1, '16:00'), { repeatWeeks: 1 });
    const results = await Promise.all(Array.from({ length: PEOPLE }, () => w.room<{ bookings: BookingView[] }>('bookings.create', { ...request }, me)));
    expect(results.map(code)).toEqual(Array.from({ length: PEOPLE }, () => 'OK'));
    const answered = new Set(results.map((r) => dataOf(r).bookings.map((b) => b.id).join(',')));
    expect(answered.size).toBe(1);
    const ids = [...answered][0].split(',');
    expect(ids).toHaveLength(2);
    expect(live(room.id).map((b) => String(b._id)).sort()).toEqual([...ids].sort());
    expect(w.locks(room.id)).toHaveLength(8);
    // Later, the same request id still answers the same bookings.
    const again = dataOf(await w.room<{ bookings: BookingView[] }>('bookings.create', { ...request }, me));
    expect(again.bookings.map((b) => b.id)).toEqual(ids);
  }, 120_000);

  test('one request id used by two accounts is two bookings', async () => {
    const room = await w.makeRoom();
    const [a, b] = await Promise.all([w.booker(), w.booker()]);
    const requestId = w.next('shared-request-');
    const first = dataOf(await w.book(a, room, w.t(1, '08:00'), w.t(1, '09:00'), { requestId })).bookings[0];
    const second = dataOf(await w.book(b, room, w.t(1, '09:00'), w.t(1, '10:00'), { requestId })).bookings[0];
    expect(first.id).not.toBe(second.id);
    expect(live(room.id)).toHaveLength(2);
  });
});

describe('a function killed half-way through a booking', () => {
  /** A booking document as the function writes it, to plant a crash's leftovers. */
  async function template(roomId: string): Promise<Doc> {
    const me = await w.booker();
    const real = await w.bookMust(me, { id: roomId }, w.t(3, '20:00'), w.t(3, '20:30'));
    const doc = w.bookingDoc(real.id) as Doc;
    await w.roomMust('bookings.cancel', { bookingId: real.id }, me);
    return doc;
  }

  function plantHold(base: Doc, id: string, start: string, end: string, holdUntil: string): void {
    w.insert('room_bookings', [
      { ...structuredClone(base), _id: id, key: id, start: instantOf(start), end: instantOf(end), heldUntil: instantOf(end), status: 'holding', holdUntil: instantOf(holdUntil), holdToken: `${id}-token`, rev: `${id}-rev` },
    ]);
  }

  /** Locks as an attempt of `bookingId` leaves them (a planted hold's attempt token by default). */
  function plantLocks(roomId: string, bookingId: string, start: string, end: string, token = `${bookingId}-token`): string[] {
    const ids = grainIds(roomId, start, end);
    w.insert(
      'room_slots',
      ids.map((id, i) => ({ _id: id, roomId, bookingId, token, start: instantOf(plus(start, 15 * i)), createdAt: instantOf(w.now) })),
    );
    return ids;
  }

  test('a hold past its lease with some of its locks: a new booking of that time succeeds, the stale locks are gone', async () => {
    const room = await w.makeRoom();
    const base = await template(room.id);
    const dead = w.next('b_crashed_');
    plantHold(base, dead, w.t(1, '10:00'), w.t(1, '12:00'), plus(w.now, -1));
    // It died after two of its eight grains.
    plantLocks(room.id, dead, w.t(1, '10:00'), w.t(1, '10:30'));
    const other = await w.booker();
    const booking = await w.bookMust(other, room, w.t(1, '10:00'), w.t(1, '11:00'));
    expect(w.locks(room.id).map((l) => [String(l._id), l.bookingId])).toEqual(grainIds(room.id, w.t(1, '10:00'), w.t(1, '11:00')).map((id) => [id, booking.id]));
    // The dead hold never shows to anyone.
    expect(code(await w.get(other, dead))).toBe('BOOKING_NOT_FOUND');
  });

  test('locks of a booking that was never written: a new booking of that time succeeds and takes over the grains it meets', async () => {
    const room = await w.makeRoom();
    const ghost = w.next('b_never_written_');
    const planted = plantLocks(room.id, ghost, w.t(1, '14:00'), w.t(1, '15:00'));
    const me = await w.booker();
    const booking = await w.bookMust(me, room, w.t(1, '14:30'), w.t(1, '15:30'));
    expect(w.locksOf(room.id, booking.id)).toEqual(grainIds(room.id, w.t(1, '14:30'), w.t(1, '15:30')));
    // The grains it met are its own now; those it did not meet are left for the timer.
    expect(w.locksOf(room.id, ghost)).toEqual(planted.slice(0, 2));
  });

  test('a hold still within its lease is respected; once the lease passes the time books', async () => {
    const room = await w.makeRoom();
    const base = await template(room.id);
    const holding = w.next('b_holding_');
    plantHold(base, holding, w.t(1, '16:00'), w.t(1, '17:00'), plus(w.now, 1));
    const held = plantLocks(room.id, holding, w.t(1, '16:00'), w.t(1, '17:00'));
    const me = await w.booker();
    expect(code(await w.book(me, room, w.t(1, '16:00'), w.t(1, '16:30')))).not.toBe('OK');
    expect(w.locks(room.id).map((l) => String(l._id))).toEqual(held);
    w.at(plus(w.now, 2));
    expect(code(await w.book(me, room, w.t(1, '16:00'), w.t(1, '16:30')))).toBe('OK');
  });

  test('the minute timer removes locks of dead holds and of bookings never written, and leaves live ones', async () => {
    const room = await w.makeRoom();
    const base = await template(room.id);
    const me = await w.booker();
    const kept = await w.bookMust(me, room, w.t(2, '08:00'), w.t(2, '09:00'));
    const dead = w.next('b_crashed_');
    plantHold(base, dead, w.t(2, '10:00'), w.t(2, '11:00'), plus(w.now, -5));
    plantLocks(room.id, dead, w.t(2, '10:00'), w.t(2, '10:45'));
    plantLocks(room.id, w.next('b_ghost_'), w.t(2, '13:00'), w.t(2, '13:30'));
    // A cancelled booking's lock left behind by a crash between the two writes.
    plantLocks(room.id, String(base._id), w.t(2, '15:00'), w.t(2, '15:15'));
    const { status } = await w.roomTimer();
    expect(status).toBe(200);
    expect(w.locks(room.id).map((l) => String(l._id))).toEqual(grainIds(room.id, w.t(2, '08:00'), w.t(2, '09:00')));
    expect(w.locksOf(room.id, kept.id)).toHaveLength(4);
    // The dead hold is finished as failed, never shown.
    expect(['failed', 'holding']).toContain(w.bookingDoc(dead)?.status);
  });
});
