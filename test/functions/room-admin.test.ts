/**
 * What admins read of rooms through the `room` function: usage figures of a planted week checked
 * by hand (occupancy, no-show rate, busiest hours), the room's door code, and the database
 * requests of availability, which stay bounded whatever the number of bookings or rooms.
 */
import type { BookingView, RoomCard, RoomCode, RoomDay, RoomUsage, RoomView } from '../../typings';
import { roomScene } from '../../typings/room-rules';
import { code, dataOf, errorOf, instantOf, plus, type RoomWorld, useRoomWorld } from '../helpers/room-fixtures';

let w: RoomWorld;
useRoomWorld('a', (world) => (w = world));

beforeEach(() => w.resetClock());

/** The week of 3 June 2030 (Monday); BASE lies in it. No other test of this file books in it. */
const WEEK = '2030-06-03';

describe('usage', () => {
  test('a week of more than 1,000 bookings, many sharing a start time, counts every one of them', async () => {
    // 30 rooms booked 08:00–18:00 in quarter hours on one day: 1,200 bookings, 30 at each start.
    // Read a page of 1,000 at a time, a page ends inside a start time: none of it may be lost.
    w.at('2030-07-01 07:00');
    const tag = w.next('满');
    const rooms: RoomView[] = [];
    for (let i = 0; i < 30; i += 1) rooms.push(await w.makeRoom({ name: `${tag}${i}`, hours: { open: '08:00', close: '18:00' }, openWeekdays: [1, 2, 3, 4, 5, 6, 7], slotMinutes: 15, maxMinutes: 60 }));
    const me = await w.booker();
    const model = w.bookingDoc((await w.bookMust(me, rooms[0], '2030-07-02 08:00', '2030-07-02 08:15')).id) as Record<string, unknown>;
    const planted: Record<string, unknown>[] = [];
    for (const room of rooms) {
      for (let q = 0; q < 40; q += 1) {
        const start = plus('2030-07-01 08:00', 15 * q);
        planted.push({ ...model, _id: `${tag}-${room.id}-${q}`, roomId: room.id, start: instantOf(start), end: instantOf(plus(start, 15)), heldUntil: instantOf(plus(start, 15)), day: '2030-07-01', seriesId: null });
      }
    }
    w.insert('room_bookings', planted);
    const usage = dataOf(await w.room<RoomUsage>('rooms.usage', { weekStart: '2030-07-01' }));
    const mine = usage.rooms.filter((r) => rooms.some((room) => room.id === r.roomId));
    // The booking of 07-02 adds 15 minutes to the first room.
    expect(mine.map((r) => r.bookedMinutes)).toEqual(rooms.map((_room, i) => (i === 0 ? 615 : 600)));
    const list = dataOf(await w.room<{ items: RoomCard[] }>('rooms.list', { date: '2030-07-01', all: true }));
    for (const card of list.items.filter((c) => rooms.some((room) => room.id === c.id))) expect(card.free).toEqual([]);
  });

  test('a planted week: occupancy per room, no-show rate and busiest hours, as counted by hand', async () => {
    w.at('2030-06-03 07:00');
    const tag = w.next('用量');
    // Open Monday–Friday 08:00–18:00 with Friday a holiday: 4 × 600 = 2,400 minutes.
    const a = await w.makeRoom({ name: `${tag}A`, hours: { open: '08:00', close: '18:00' }, openWeekdays: [1, 2, 3, 4, 5], closedDates: ['2030-06-07'], checkInRequired: true });
    // Open every day 08:00–22:00: 7 × 840 = 5,880 minutes; no check-in.
    const b = await w.makeRoom({ name: `${tag}B`, hours: { open: '08:00', close: '22:00' } });
    const me = await w.booker();
    const used = await w.bookMust(me, a, '2030-06-03 09:00', '2030-06-03 11:00');
    const noShow = await w.bookMust(me, a, '2030-06-04 14:00', '2030-06-04 15:00');
    const endedEarly = await w.bookMust(me, a, '2030-06-05 10:00', '2030-06-05 12:00');
    const cancelled = await w.bookMust(me, a, '2030-06-06 16:00', '2030-06-06 18:00');
    await w.bookMust(me, b, '2030-06-08 20:00', '2030-06-08 22:00');
    await w.bookMust(me, a, '2030-06-10 09:00', '2030-06-10 10:00');

    w.at('2030-06-03 08:55');
    await w.roomMust('bookings.checkIn', { bookingId: used.id }, me);
    // Released at 14:16: it held its time until the next grain, 14:30 (30 minutes).
    w.at('2030-06-04 14:16');
    await w.roomTimer();
    expect(dataOf(await w.get(me, noShow.id)).status).toBe('released');
    // Ended at 10:40: held until 10:45 (45 minutes).
    w.at('2030-06-05 09:55');
    await w.roomMust('bookings.checkIn', { bookingId: endedEarly.id }, me);
    w.at('2030-06-05 10:40');
    expect(dataOf(await w.room<BookingView>('bookings.end', { bookingId: endedEarly.id }, me)).status).toBe('ended');
    w.at('2030-06-05 11:00');
    await w.roomMust('bookings.cancel', { bookingId: cancelled.id }, me);

    w.at('2030-06-10 08:00');
    const usage = dataOf(await w.room<RoomUsage>('rooms.usage', { weekStart: WEEK }));
    expect(usage.weekStart).toBe(WEEK);
    const ofRoom = (id: string) => usage.rooms.find((r) => r.roomId === id);
    expect(ofRoom(a.id)).toMatchObject({ name: a.name, openMinutes: 2400, bookedMinutes: 120 + 30 + 45 });
    expect(ofRoom(a.id)?.occupancy).toBeCloseTo(195 / 2400, 3);
    expect(ofRoom(b.id)).toMatchObject({ openMinutes: 5880, bookedMinutes: 120 });
    expect(ofRoom(b.id)?.occupancy).toBeCloseTo(120 / 5880, 3);
    // Due: the three bookings of A whose window closed (the cancelled one never came due); one released.
    expect(usage.noShows.due).toBe(3);
    expect(usage.noShows.released).toBe(1);
    expect(usage.noShows.rate).toBeCloseTo(1 / 3, 3);
    expect(usage.hours.filter((h) => h.minutes > 0)).toEqual([
      { hour: 9, minutes: 60 },
      { hour: 10, minutes: 60 + 45 },
      { hour: 14, minutes: 30 },
      { hour: 20, minutes: 60 },
      { hour: 21, minutes: 60 },
    ]);
    // A week not starting on a Monday is refused.
    const tuesday = errorOf(await w.room('rooms.usage', { weekStart: '2030-06-04' }));
    expect([tuesday.code, tuesday.field]).toEqual(['INVALID_INPUT', 'weekStart']);
  }, 60_000);
});

describe('the door code', () => {
  test('an admin gets the room’s code carrying r=<room id>, made once and then kept', async () => {
    const room = await w.makeRoom();
    const first = dataOf(await w.room<RoomCode>('rooms.code', { roomId: room.id }));
    expect(first).toMatchObject({ roomId: room.id, scene: roomScene(room.id) });
    expect(first.url).toBeTruthy();
    const stored = w.doc('rooms', room.id)?.codeFileId;
    expect(stored).toBeTruthy();
    const second = dataOf(await w.room<RoomCode>('rooms.code', { roomId: room.id }));
    expect(second.scene).toBe(first.scene);
    expect(w.doc('rooms', room.id)?.codeFileId).toBe(stored);
    const image = await fetch(second.url);
    expect(image.status).toBe(200);
    expect(Buffer.from(await image.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    expect(code(await w.room('rooms.code', { roomId: 'r_missing' }))).toBe('ROOM_NOT_FOUND');
  });
});

describe('bounded database requests', () => {
  test('rooms.day costs the same requests with 50 bookings that day as with one', async () => {
    const busy = await w.makeRoom({ slotMinutes: 15, maxMinutes: 60 });
    const quiet = await w.makeRoom({ slotMinutes: 15, maxMinutes: 60 });
    const me = await w.booker();
    const day = w.day(12);
    await w.bookMust(me, quiet, `${day} 08:00`, `${day} 08:15`);
    for (let i = 0; i < 50; i += 1) {
      const start = plus(`${day} 08:00`, 15 * i);
      await w.bookMust(me, busy, start, plus(start, 15));
    }
    const one = await w.callRoom<RoomDay>('rooms.day', { roomId: quiet.id, date: day }, me);
    const fifty = await w.callRoom<RoomDay>('rooms.day', { roomId: busy.id, date: day }, me);
    expect(dataOf(fifty.body).slots.filter((s) => s.state === 'mine')).toHaveLength(50);
    expect(fifty.dbRequests).toBe(one.dbRequests);
    expect(fifty.dbRequests).toBeLessThanOrEqual(6);
  }, 120_000);

  test('rooms.free and rooms.list over 50 more rooms cost the same requests as over a few', async () => {
    const me = await w.booker();
    const range = { start: w.t(13, '10:00'), end: w.t(13, '11:00') };
    const before = await w.callRoom<{ items: RoomCard[] }>('rooms.free', range, me);
    const listBefore = await w.callRoom<{ items: RoomCard[] }>('rooms.list', { date: w.day(13) }, me);
    const tag = w.next('批量');
    for (let i = 0; i < 50; i += 1) await w.makeRoom({ name: `${tag}-${i}`, capacity: 5 + i });
    // Some of them busy at that time.
    const some = dataOf((await w.callRoom<{ items: RoomCard[] }>('rooms.free', range, me)).body).items.filter((c) => c.name.startsWith(tag)).slice(0, 5);
    for (const room of some) await w.bookMust(me, room, range.start, range.end);
    const after = await w.callRoom<{ items: RoomCard[] }>('rooms.free', range, me);
    const listAfter = await w.callRoom<{ items: RoomCard[] }>('rooms.list', { date: w.day(13) }, me);
    expect(dataOf(after.body).items.filter((c) => c.name.startsWith(tag))).toHaveLength(45);
    expect(after.dbRequests).toBeLessThanOrEqual(Math.max(before.dbRequests, 6));
    expect(listAfter.dbRequests).toBeLessThanOrEqual(Math.max(listBefore.dbRequests, 6));
  }, 120_000);

  test('a 12-week repeating booking takes its locks in one batch: about the requests of a single booking', async () => {
    const room = await w.makeRoom({ advanceDays: 90 });
    const me = await w.booker();
    const single = await w.callRoom('bookings.create', { ...w.request(room, w.t(1, '08:00'), w.t(1, '09:00')) }, me);
    const series = await w.callRoom('bookings.create', { ...w.request(room, w.t(1, '10:00'), w.t(1, '11:00'), { repeatWeeks: 11 }) }, me);
    expect([code(single.body), code(series.body)]).toEqual(['OK', 'OK']);
    expect(series.dbRequests).toBeLessThanOrEqual(single.dbRequests + 4);
  });
});
