/**
 * The `room` function's rules through the local cloud: what a room may be (every limit, slot
 * boundaries, weekdays, holidays, unique names, revisions), admin-only actions, the room list,
 * free-room search and a room's day, and every time rule of a booking with its own code in the
 * order the function checks them (crossing midnight both ways, the advance window's edge, the
 * past, closed days), who may book (units, unbound accounts) and who may attend.
 */
import type { Page, Result, RoomCard, RoomDay, RoomView } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import type { Caller } from '../helpers/local-cloud';
import { ADMIN, code, dataOf, errorOf, plus, type RoomWorld, useRoomWorld } from '../helpers/room-fixtures';

let w: RoomWorld;
useRoomWorld('q', (world) => (w = world));

beforeEach(() => w.resetClock());

/** The INVALID_INPUT field names the offending key (with or without its `room.` prefix). */
function expectInvalid(result: Result<unknown>, key: string): void {
  const error = errorOf(result);
  expect(error.code).toBe('INVALID_INPUT');
  expect(error.field).toMatch(new RegExp(`(^|\\.)${key.replace('.', '\\.')}(\\.\\d+)?$`));
}

function roomCount(): number {
  return w.docs('rooms').length;
}

describe('rooms.save: what a room may be', () => {
  test('an admin creates a room and reads back what was entered, in service, with a revision', async () => {
    const input = w.roomInput({ equipment: ['video', 'projector'], closedDates: ['2030-06-10'], notes: '钥匙在前台' });
    const room = dataOf(await w.room<RoomView>('rooms.save', { room: input }));
    expect(room).toMatchObject({
      name: input.name,
      building: '行政楼',
      floor: '3F',
      capacity: 10,
      hours: { open: '08:00', close: '22:00' },
      openWeekdays: [1, 2, 3, 4, 5, 6, 7],
      closedDates: ['2030-06-10'],
      slotMinutes: 30,
      maxMinutes: 240,
      advanceDays: 14,
      units: [],
      approval: { required: false, approvers: [] },
      checkInRequired: false,
      notes: '钥匙在前台',
      inService: true,
      outOfServiceReason: null,
      photoUrl: null,
    });
    expect(new Set(room.equipment)).toEqual(new Set(['video', 'projector']));
    expect(room.id).toBeTruthy();
    expect(room.rev).toBeTruthy();
  });

  test('text limits: name 1–40, building 0–40, floor 0–10, notes 0–200; refusals save nothing', async () => {
    const before = roomCount();
    expectInvalid(await w.saveRoom({ name: '  ' }), 'name');
    expectInvalid(await w.saveRoom({ name: '名'.repeat(FIELD_LIMITS.roomName + 1) }), 'name');
    expectInvalid(await w.saveRoom({ building: '楼'.repeat(FIELD_LIMITS.roomBuilding + 1) }), 'building');
    expectInvalid(await w.saveRoom({ floor: '1'.repeat(FIELD_LIMITS.roomFloor + 1) }), 'floor');
    expectInvalid(await w.saveRoom({ notes: '注'.repeat(FIELD_LIMITS.roomNotes + 1) }), 'notes');
    expect(roomCount()).toBe(before);
    const longest = await w.saveRoom({
      name: w.next('').padEnd(FIELD_LIMITS.roomName, '名'),
      building: '楼'.repeat(FIELD_LIMITS.roomBuilding),
      floor: '1'.repeat(FIELD_LIMITS.roomFloor),
      notes: '注'.repeat(FIELD_LIMITS.roomNotes),
    });
    expect(code(longest)).toBe('OK');
    expect(code(await w.saveRoom({ building: '', floor: '', notes: '' }))).toBe('OK');
    expect(roomCount()).toBe(before + 2);
  });

  test('capacity 1–1000 whole people', async () => {
    expectInvalid(await w.saveRoom({ capacity: 0 }), 'capacity');
    expectInvalid(await w.saveRoom({ capacity: FIELD_LIMITS.roomCapacity + 1 }), 'capacity');
    expectInvalid(await w.saveRoom({ capacity: 2.5 }), 'capacity');
    expect(code(await w.saveRoom({ capacity: 1 }))).toBe('OK');
    expect(code(await w.saveRoom({ capacity: FIELD_LIMITS.roomCapacity }))).toBe('OK');
  });

  test('equipment only from the known list', async () => {
    expectInvalid(await w.saveRoom({ equipment: ['coffee' as never] }), 'equipment');
    expect(code(await w.saveRoom({ equipment: [] }))).toBe('OK');
  });

  test('slot sizes 15, 30 or 60; hours on slot boundaries; longest booking a multiple of the slot, at most 720', async () => {
    expectInvalid(await w.saveRoom({ slotMinutes: 20 as never }), 'slotMinutes');
    expectInvalid(await w.saveRoom({ hours: { open: '08:10', close: '22:00' } }), 'open');
    expectInvalid(await w.saveRoom({ hours: { open: '8:00', close: '22:00' } }), 'open');
    expectInvalid(await w.saveRoom({ hours: { open: '08:00', close: '25:00' } }), 'close');
    // 15-minute rooms may open at a quarter past; 60-minute ones only on the hour.
    expect(code(await w.saveRoom({ slotMinutes: 15, maxMinutes: 60, hours: { open: '08:15', close: '21:45' } }))).toBe('OK');
    expectInvalid(await w.saveRoom({ slotMinutes: 60, maxMinutes: 120, hours: { open: '08:30', close: '22:30' } }), 'open');
    expectInvalid(await w.saveRoom({ maxMinutes: 45 }), 'maxMinutes');
    expectInvalid(await w.saveRoom({ maxMinutes: 0 }), 'maxMinutes');
    expectInvalid(await w.saveRoom({ maxMinutes: FIELD_LIMITS.roomMaxMinutes + 30 }), 'maxMinutes');
    expect(code(await w.saveRoom({ maxMinutes: FIELD_LIMITS.roomMaxMinutes }))).toBe('OK');
    // Overnight hours and 24:00 are hours too.
    expect(code(await w.saveRoom({ hours: { open: '18:00', close: '02:00' } }))).toBe('OK');
    expect(code(await w.saveRoom({ hours: { open: '08:00', close: '24:00' } }))).toBe('OK');
  });

  test('a close time off the slot boundaries names the close time, not the opening', async () => {
    expectInvalid(await w.saveRoom({ hours: { open: '08:00', close: '21:45' } }), 'close');
  });

  test('weekdays 1–7 (at least one), advance days 1–90', async () => {
    expectInvalid(await w.saveRoom({ openWeekdays: [0, 1] }), 'openWeekdays');
    expectInvalid(await w.saveRoom({ openWeekdays: [8] }), 'openWeekdays');
    expectInvalid(await w.saveRoom({ openWeekdays: [1.5] }), 'openWeekdays');
    expectInvalid(await w.saveRoom({ advanceDays: 0 }), 'advanceDays');
    expectInvalid(await w.saveRoom({ advanceDays: FIELD_LIMITS.roomAdvanceDays + 1 }), 'advanceDays');
    expect(code(await w.saveRoom({ advanceDays: 1, openWeekdays: [7] }))).toBe('OK');
    expect(code(await w.saveRoom({ advanceDays: FIELD_LIMITS.roomAdvanceDays }))).toBe('OK');
  });

  test('closed dates are real dates, at most 60', async () => {
    expectInvalid(await w.saveRoom({ closedDates: ['2030-02-30'] }), 'closedDates');
    expectInvalid(await w.saveRoom({ closedDates: ['2030/06/10'] }), 'closedDates');
    const many = Array.from({ length: FIELD_LIMITS.roomClosedDates + 1 }, (_, i) => plus('2030-07-01 00:00', i * 1440).slice(0, 10));
    expectInvalid(await w.saveRoom({ closedDates: many }), 'closedDates');
    expect(code(await w.saveRoom({ closedDates: many.slice(0, FIELD_LIMITS.roomClosedDates) }))).toBe('OK');
  });

  test('units and approvers must exist and stay within their limits', async () => {
    const noUnit = errorOf(await w.saveRoom({ unitIds: ['u_no_such_unit'] }));
    expect([noUnit.code, noUnit.field]).toEqual(['UNIT_NOT_FOUND', 'unitIds']);
    const noMember = errorOf(await w.saveRoom({ approval: { required: true, approverIds: ['m_no_such_member'] } }));
    expect([noMember.code, noMember.field]).toEqual(['MEMBER_NOT_FOUND', 'approverIds']);
    const approvers = Array.from({ length: FIELD_LIMITS.roomApprovers + 1 }, (_, i) => `m_x${i}`);
    expectInvalid(await w.saveRoom({ approval: { required: true, approverIds: approvers } }), 'approverIds');
    const units = Array.from({ length: FIELD_LIMITS.roomUnits + 1 }, (_, i) => `u_x${i}`);
    expectInvalid(await w.saveRoom({ unitIds: units }), 'unitIds');
    const unit = await w.home();
    const approver = await w.booker();
    const room = dataOf(await w.saveRoom({ unitIds: [unit.id], approval: { required: true, approverIds: [approver.memberId] } }));
    expect(room.units).toEqual([{ id: unit.id, name: unit.name }]);
    expect(room.approval).toEqual({ required: true, approvers: [{ id: approver.memberId, name: approver.name }] });
  });

  test('a name another room has is ROOM_NAME_TAKEN, on create and on rename', async () => {
    const first = await w.makeRoom();
    const taken = await w.saveRoom({ name: first.name });
    expect(code(taken)).toBe('ROOM_NAME_TAKEN');
    const second = await w.makeRoom();
    const renamed = await w.room('rooms.save', { roomId: second.id, rev: second.rev, room: w.roomInput({ name: first.name }) });
    expect(code(renamed)).toBe('ROOM_NAME_TAKEN');
    expect(w.doc('rooms', second.id)?.name).toBe(second.name);
    // Saving a room under its own name is no clash.
    expect(code(await w.room('rooms.save', { roomId: first.id, rev: first.rev, room: w.roomInput({ name: first.name, capacity: 12 }) }))).toBe('OK');
  });

  test('a save sends the revision it read: a stale one is ROOM_STALE and changes nothing', async () => {
    const room = await w.makeRoom();
    const saved = dataOf(await w.room<RoomView>('rooms.save', { roomId: room.id, rev: room.rev, room: w.roomInput({ name: room.name, capacity: 30 }) }));
    expect(saved.capacity).toBe(30);
    expect(saved.rev).not.toBe(room.rev);
    const stale = await w.room('rooms.save', { roomId: room.id, rev: room.rev, room: w.roomInput({ name: room.name, capacity: 5 }) });
    expect(code(stale)).toBe('ROOM_STALE');
    expect(w.doc('rooms', room.id)?.capacity).toBe(30);
    expect(code(await w.room('rooms.save', { roomId: 'r_missing', rev: 'x', room: w.roomInput() }))).toBe('ROOM_NOT_FOUND');
  });

  test('only admins save rooms, take them out of service, make codes and read usage', async () => {
    const member = await w.booker();
    const room = await w.makeRoom();
    const before = roomCount();
    expect(code(await w.saveRoom({}, member))).toBe('FORBIDDEN');
    expect(code(await w.room('rooms.save', { roomId: room.id, rev: room.rev, room: w.roomInput({ name: room.name }) }, member))).toBe('FORBIDDEN');
    expect(code(await w.room('rooms.setService', { roomId: room.id, inService: false, reason: '装修' }, member))).toBe('FORBIDDEN');
    expect(code(await w.room('rooms.code', { roomId: room.id }, member))).toBe('FORBIDDEN');
    expect(code(await w.room('rooms.usage', { weekStart: '2030-06-03' }, member))).toBe('FORBIDDEN');
    expect(roomCount()).toBe(before);
    expect(w.doc('rooms', room.id)?.inService).toBe(true);
    // Someone not signed in at all is not even asked.
    expect(code(await w.room('rooms.list', { date: w.day() }, {}))).toBe('UNAUTHENTICATED');
  });
});

describe('availability: list, free rooms and a room’s day', () => {
  test('rooms.day: the period, every slot, who holds which, what is past, and the last bookable day', async () => {
    const room = await w.makeRoom({ hours: { open: '08:00', close: '12:00' } });
    const [me, other] = await Promise.all([w.booker(), w.booker()]);
    const mine = await w.bookMust(me, room, w.t(0, '10:00'), w.t(0, '11:00'), { subject: '我的会' });
    const theirs = await w.bookMust(other, room, w.t(0, '11:00'), w.t(0, '11:30'), { subject: '别人的会' });
    const day = dataOf(await w.room<RoomDay>('rooms.day', { roomId: room.id, date: w.day() }, me));
    expect(day.date).toBe(w.day());
    expect(day.period).toEqual({ start: w.t(0, '08:00'), end: w.t(0, '12:00') });
    expect(day.closed).toBeNull();
    expect(day.lastBookableDate).toBe(w.day(14));
    expect(day.room.id).toBe(room.id);
    expect(day.slots.map((s) => [s.start.slice(11), s.state])).toEqual([
      ['08:00', 'past'],
      ['08:30', 'past'],
      // 09:00–09:30 has begun at 09:10.
      ['09:00', 'past'],
      ['09:30', 'free'],
      ['10:00', 'mine'],
      ['10:30', 'mine'],
      ['11:00', 'taken'],
      ['11:30', 'free'],
    ]);
    expect(day.slots[4].booking).toMatchObject({ id: mine.id, subject: '我的会', bookerName: me.name, start: w.t(0, '10:00'), end: w.t(0, '11:00') });
    expect(day.slots[6].booking).toMatchObject({ id: theirs.id, subject: '别人的会', bookerName: other.name });
    expect(day.slots[7]).toMatchObject({ start: w.t(0, '11:30'), end: w.t(0, '12:00'), booking: null });
  });

  test('rooms.day says why a day has no period: weekday, holiday, beyond the window', async () => {
    const me = await w.booker();
    // BASE is a Wednesday (3); Thursday is closed by weekday, Friday is a holiday.
    const room = await w.makeRoom({ openWeekdays: [1, 2, 3, 5, 6, 7], closedDates: [w.day(2)], advanceDays: 3 });
    const closedOf = async (date: string) => dataOf(await w.room<RoomDay>('rooms.day', { roomId: room.id, date }, me));
    expect((await closedOf(w.day(1))).closed).toBe('weekday');
    expect((await closedOf(w.day(2))).closed).toBe('holiday');
    expect((await closedOf(w.day(3))).closed).toBeNull();
    const far = await closedOf(w.day(4));
    expect(far.closed).toBe('too-far');
    expect(far.lastBookableDate).toBe(w.day(3));
    expect((await closedOf(w.day(1))).period).toBeNull();
  });

  test('rooms.list: rooms in service with the day’s free time from now on, filters; out-of-service rooms for admins with all', async () => {
    const me = await w.booker();
    const tag = w.next('筛选');
    const big = await w.makeRoom({ name: `${tag}大`, capacity: 80, equipment: ['video', 'projector'], hours: { open: '08:00', close: '12:00' } });
    const small = await w.makeRoom({ name: `${tag}小`, capacity: 6, equipment: ['whiteboard'], hours: { open: '08:00', close: '12:00' } });
    const closed = await w.makeRoom({ name: `${tag}停`, capacity: 80, equipment: ['video'] });
    await w.roomMust('rooms.setService', { roomId: closed.id, inService: false, reason: '装修' });
    await w.bookMust(me, big, w.t(0, '10:00'), w.t(0, '11:00'));
    const list = async (request: Record<string, unknown>, who: Caller = me) => {
      const cards: RoomCard[] = [];
      let after: string | undefined;
      do {
        const page = dataOf(await w.room<Page<RoomCard> & { date: string }>('rooms.list', { date: w.day(), ...request, ...(after ? { after } : {}) }, who));
        cards.push(...page.items);
        after = page.next ?? undefined;
      } while (after);
      return cards.filter((c) => c.name.startsWith(tag));
    };
    const all = await list({});
    expect(all.map((c) => c.id).sort()).toEqual([big.id, small.id].sort());
    const bigCard = all.find((c) => c.id === big.id) as RoomCard;
    expect(bigCard).toMatchObject({ capacity: 80, inService: true, canBook: true, needsApproval: false, period: { start: '08:00', end: '12:00' } });
    // From now (09:10) on: the slot that has begun is not free any more.
    expect(bigCard.free).toEqual([
      { start: '09:30', end: '10:00' },
      { start: '11:00', end: '12:00' },
    ]);
    expect((await list({ minCapacity: 50 })).map((c) => c.id)).toEqual([big.id]);
    expect((await list({ equipment: ['whiteboard'] })).map((c) => c.id)).toEqual([small.id]);
    expect((await list({ equipment: ['video', 'whiteboard'] })).map((c) => c.id)).toEqual([]);
    // A later day is free from its opening.
    const tomorrow = (await list({ date: w.day(1) })).find((c) => c.id === big.id) as RoomCard;
    expect(tomorrow.free).toEqual([{ start: '08:00', end: '12:00' }]);
    expect((await list({ all: true })).map((c) => c.id)).not.toContain(closed.id);
    const adminAll = await list({ all: true }, ADMIN);
    expect(adminAll.find((c) => c.id === closed.id)).toMatchObject({ inService: false, canBook: false });
  });

  test('rooms.free: rooms free for the whole range the caller may book, smallest first', async () => {
    const me = await w.booker();
    const tag = w.next('空闲');
    const [large, medium, small, busy] = await Promise.all([
      w.makeRoom({ name: `${tag}L`, capacity: 40 }),
      w.makeRoom({ name: `${tag}M`, capacity: 12, equipment: ['video'] }),
      w.makeRoom({ name: `${tag}S`, capacity: 4 }),
      w.makeRoom({ name: `${tag}B`, capacity: 10 }),
    ]);
    const elsewhere = await w.unit('root', '别处');
    const barred = await w.makeRoom({ name: `${tag}X`, capacity: 10, unitIds: [elsewhere.id] });
    await w.bookMust(me, busy, w.t(1, '14:30'), w.t(1, '15:00'));
    const free = async (request: Record<string, unknown>) =>
      dataOf(await w.room<{ items: RoomCard[] }>('rooms.free', { start: w.t(1, '14:00'), end: w.t(1, '16:00'), ...request }, me)).items.filter((c) => c.name.startsWith(tag));
    expect((await free({})).map((c) => c.id)).toEqual([small.id, medium.id, large.id]);
    expect((await free({ minCapacity: 10 })).map((c) => c.id)).toEqual([medium.id, large.id]);
    expect((await free({ equipment: ['video'] })).map((c) => c.id)).toEqual([medium.id]);
    expect((await free({})).map((c) => c.id)).not.toContain(barred.id);
    // The busy room is free right after the booking.
    const later = dataOf(await w.room<{ items: RoomCard[] }>('rooms.free', { start: w.t(1, '15:00'), end: w.t(1, '16:00') }, me)).items;
    expect(later.map((c) => c.id)).toContain(busy.id);
    expectInvalid(await w.room('rooms.free', { start: w.t(1, '16:00'), end: 'soon' }, me), 'end');
    // A time already begun: no room is free for it, and the search says so.
    const past = errorOf(await w.room('rooms.free', { start: w.t(0, '09:00'), end: w.t(0, '10:00') }, me));
    expect([past.code, past.field]).toEqual(['BOOKING_IN_PAST', 'start']);
    // The free card carries the day's period (not 当日不开放).
    expect((await free({}))[0].period).toEqual({ start: '08:00', end: '22:00' });
  });
});

describe('booking time rules, each its own code, in order', () => {
  let room: RoomView;
  beforeAll(async () => {
    room = await w.makeRoom({ maxMinutes: 120 });
  });

  test('not a real time is INVALID_INPUT on its field', async () => {
    const me = await w.booker();
    expectInvalid(await w.book(me, room, `${w.day(1)} 9:00`, w.t(1, '10:00')), 'start');
    expectInvalid(await w.book(me, room, w.t(1, '10:00'), '2030-02-30 11:00'), 'end');
    expectInvalid(await w.book(me, room, w.t(1, '10:00'), w.t(1, '24:30')), 'end');
    expect(w.bookingsOf(room.id)).toEqual([]);
  });

  test('an end not after the start, or off the slot boundaries counted from the opening, is BOOKING_NOT_ON_SLOT', async () => {
    const me = await w.booker();
    const same = errorOf(await w.book(me, room, w.t(1, '10:00'), w.t(1, '10:00')));
    expect(same.code).toBe('BOOKING_NOT_ON_SLOT');
    expect(code(await w.book(me, room, w.t(1, '11:00'), w.t(1, '10:00')))).toBe('BOOKING_NOT_ON_SLOT');
    const off = errorOf(await w.book(me, room, w.t(1, '10:15'), w.t(1, '11:00')));
    expect(off.code).toBe('BOOKING_NOT_ON_SLOT');
    // DETAILED: the sentence names the slot size, not the generic text.
    expect(off.message).toContain('30');
    // A 15-minute room takes any quarter, nothing between.
    const fifteen = await w.makeRoom({ slotMinutes: 15, hours: { open: '08:15', close: '21:15' }, maxMinutes: 120 });
    expect(code(await w.book(me, fifteen, w.t(1, '09:20'), w.t(1, '09:45')))).toBe('BOOKING_NOT_ON_SLOT');
    expect(code(await w.book(me, fifteen, w.t(1, '09:15'), w.t(1, '09:45')))).toBe('OK');
  });

  test('outside the hours, on a closed weekday or a holiday is BOOKING_OUTSIDE_HOURS, saying the hours', async () => {
    const me = await w.booker();
    const early = errorOf(await w.book(me, room, w.t(1, '07:30'), w.t(1, '08:30')));
    expect(early.code).toBe('BOOKING_OUTSIDE_HOURS');
    expect(early.message).toContain('08:00');
    expect(early.message).toContain('22:00');
    expect(code(await w.book(me, room, w.t(1, '21:30'), w.t(1, '22:30')))).toBe('BOOKING_OUTSIDE_HOURS');
    // Crossing midnight in a room that closes at 22:00.
    expect(code(await w.book(me, room, w.t(1, '21:30'), w.t(2, '00:30')))).toBe('BOOKING_OUTSIDE_HOURS');
    const weekdays = await w.makeRoom({ openWeekdays: [1, 2, 3, 5], closedDates: [w.day(2)] });
    // BASE + 1 is a Thursday (4): closed by weekday; BASE + 2 a Friday listed as a holiday.
    expect(code(await w.book(me, weekdays, w.t(1, '10:00'), w.t(1, '11:00')))).toBe('BOOKING_OUTSIDE_HOURS');
    expect(code(await w.book(me, weekdays, w.t(2, '10:00'), w.t(2, '11:00')))).toBe('BOOKING_OUTSIDE_HOURS');
    expect(code(await w.book(me, weekdays, w.t(5, '10:00'), w.t(5, '11:00')))).toBe('OK');
    expect(w.bookingsOf(room.id).filter((b) => b.status !== 'failed')).toEqual([]);
  });

  test('an overnight room (18:00–02:00): a booking across midnight lies in the period of the day it opened', async () => {
    const me = await w.booker();
    // Open Wednesday and Friday evenings only: Thursday 01:00 belongs to Wednesday's period.
    const night = await w.makeRoom({ hours: { open: '18:00', close: '02:00' }, openWeekdays: [3, 5], maxMinutes: 240 });
    const across = dataOf(await w.book(me, night, w.t(0, '23:00'), w.t(1, '01:00')));
    expect(across.bookings[0]).toMatchObject({ start: w.t(0, '23:00'), end: w.t(1, '01:00'), status: 'confirmed' });
    expect(code(await w.book(me, night, w.t(1, '01:00'), w.t(1, '02:00')))).toBe('OK');
    // Past the close at 02:00, and Thursday's own evening (a closed weekday).
    expect(code(await w.book(me, night, w.t(1, '01:30'), w.t(1, '02:30')))).toBe('BOOKING_OUTSIDE_HOURS');
    expect(code(await w.book(me, night, w.t(1, '18:00'), w.t(1, '19:00')))).toBe('BOOKING_OUTSIDE_HOURS');
    // Friday night's period runs into Saturday, which is not an open weekday itself.
    expect(code(await w.book(me, night, w.t(2, '23:30'), w.t(3, '01:30')))).toBe('OK');
    // Before the evening opening the day has no period at all.
    expect(code(await w.book(me, night, w.t(2, '10:00'), w.t(2, '11:00')))).toBe('BOOKING_OUTSIDE_HOURS');
    const day = dataOf(await w.room<RoomDay>('rooms.day', { roomId: night.id, date: w.day(0) }, me));
    expect(day.period).toEqual({ start: w.t(0, '18:00'), end: w.t(1, '02:00') });
    expect(day.slots.filter((s) => s.state === 'mine').map((s) => s.start)).toEqual([w.t(0, '23:00'), w.t(0, '23:30'), w.t(1, '00:00'), w.t(1, '00:30'), w.t(1, '01:00'), w.t(1, '01:30')]);
  });

  test('longer than the longest booking is BOOKING_TOO_LONG, saying the limit; exactly the limit is fine', async () => {
    const me = await w.booker();
    const long = errorOf(await w.book(me, room, w.t(1, '08:00'), w.t(1, '10:30')));
    expect(long.code).toBe('BOOKING_TOO_LONG');
    expect(long.message).toMatch(/2 ?小时|120 ?分钟/);
    expect(code(await w.book(me, room, w.t(1, '08:00'), w.t(1, '10:00')))).toBe('OK');
  });

  test('a start that has come is BOOKING_IN_PAST (after the rules before it)', async () => {
    const me = await w.booker();
    // 09:10 now: 09:00 has begun, 09:30 has not.
    expect(code(await w.book(me, room, w.t(0, '09:00'), w.t(0, '09:30')))).toBe('BOOKING_IN_PAST');
    expect(code(await w.book(me, room, w.t(-1, '10:00'), w.t(-1, '11:00')))).toBe('BOOKING_IN_PAST');
    // Too long and past: the length is checked first.
    expect(code(await w.book(me, room, w.t(-1, '10:00'), w.t(-1, '13:00')))).toBe('BOOKING_TOO_LONG');
    // Outside the hours and past: the hours first.
    expect(code(await w.book(me, room, w.t(-1, '06:00'), w.t(-1, '07:00')))).toBe('BOOKING_OUTSIDE_HOURS');
    expect(code(await w.book(me, room, w.t(0, '09:30'), w.t(0, '10:00')))).toBe('OK');
  });

  test('the advance window: the last allowed day books, the next is BOOKING_TOO_FAR; a repeating booking counts its last week', async () => {
    const me = await w.booker();
    const edge = await w.makeRoom({ advanceDays: 14 });
    expect(code(await w.book(me, edge, w.t(14, '21:30'), w.t(14, '22:00')))).toBe('OK');
    const far = errorOf(await w.book(me, edge, w.t(15, '08:00'), w.t(15, '08:30')));
    expect(far.code).toBe('BOOKING_TOO_FAR');
    expect(far.message).toContain('14');
    expect(code(await w.book(me, edge, w.t(7, '10:00'), w.t(7, '11:00'), { repeatWeeks: 1 }))).toBe('OK');
    expect(code(await w.book(me, edge, w.t(7, '12:00'), w.t(7, '13:00'), { repeatWeeks: 2 }))).toBe('BOOKING_TOO_FAR');
    // The window moves with the clock: tomorrow, day 15 is day 14.
    w.at(w.t(1, '08:00'));
    expect(code(await w.book(me, edge, w.t(14, '08:00'), w.t(14, '08:30')))).toBe('OK');
  });

  test('an out-of-service room is ROOM_OUT_OF_SERVICE; an unknown one ROOM_NOT_FOUND', async () => {
    const me = await w.booker();
    const closed = await w.makeRoom();
    await w.roomMust('rooms.setService', { roomId: closed.id, inService: false, reason: '维修' });
    expect(code(await w.book(me, closed, w.t(1, '10:00'), w.t(1, '11:00')))).toBe('ROOM_OUT_OF_SERVICE');
    expect(code(await w.book(me, { id: 'r_missing' }, w.t(1, '10:00'), w.t(1, '11:00')))).toBe('ROOM_NOT_FOUND');
  });
});

describe('who may book and attend', () => {
  test('units: members of the room’s units and their sub-units book, others are ROOM_NOT_ALLOWED; admins book any room', async () => {
    const college = await w.unit('root', '学院');
    const cls = await w.unit(college.id, '一班', 'class');
    const other = await w.unit('root', '外院');
    const room = await w.makeRoom({ unitIds: [college.id] });
    const [inside, below, outside] = await Promise.all([w.booker([college.id]), w.booker([cls.id]), w.booker([other.id])]);
    expect(code(await w.book(inside, room, w.t(1, '08:00'), w.t(1, '08:30')))).toBe('OK');
    expect(code(await w.book(below, room, w.t(1, '09:00'), w.t(1, '09:30')))).toBe('OK');
    const refused = errorOf(await w.book(outside, room, w.t(1, '10:00'), w.t(1, '10:30')));
    expect(refused.code).toBe('ROOM_NOT_ALLOWED');
    expect(code(await w.book(ADMIN, room, w.t(1, '11:00'), w.t(1, '11:30')))).toBe('OK');
    const seen = dataOf(await w.room<RoomDay>('rooms.day', { roomId: room.id, date: w.day(1) }, outside));
    expect(seen.room).toMatchObject({ canBook: false, cannotBookReason: 'units' });
    expect(w.bookingsOf(room.id).filter((b) => b.bookerMemberId === outside.memberId)).toEqual([]);
  });

  test('an account with no roster member is ROOM_NOT_ALLOWED and sees why', async () => {
    const stranger = await w.person('unbound');
    const room = await w.makeRoom();
    expect(code(await w.book(stranger, room, w.t(1, '10:00'), w.t(1, '10:30')))).toBe('ROOM_NOT_ALLOWED');
    const seen = dataOf(await w.room<RoomDay>('rooms.day', { roomId: room.id, date: w.day(1) }, stranger));
    expect(seen.room).toMatchObject({ canBook: false, cannotBookReason: 'unbound' });
    expect(w.bookingsOf(room.id)).toEqual([]);
  });

  test('attendees are active roster members: an unknown one is MEMBER_NOT_FOUND on attendeeIds; at most 50', async () => {
    const room = await w.makeRoom();
    const [me, guest] = await Promise.all([w.booker(), w.booker()]);
    const unknown = errorOf(await w.book(me, room, w.t(1, '10:00'), w.t(1, '10:30'), { attendeeIds: [guest.memberId, 'm_nobody'] }));
    expect([unknown.code, unknown.field]).toEqual(['MEMBER_NOT_FOUND', 'attendeeIds']);
    const many = Array.from({ length: FIELD_LIMITS.bookingAttendees + 1 }, () => guest.memberId);
    expectInvalid(await w.book(me, room, w.t(1, '10:00'), w.t(1, '10:30'), { attendeeIds: many }), 'attendeeIds');
    expect(w.locks(room.id)).toEqual([]);
    const booked = dataOf(await w.book(me, room, w.t(1, '10:00'), w.t(1, '10:30'), { attendeeIds: [guest.memberId] })).bookings[0];
    expect(booked.attendees).toEqual([{ id: guest.memberId, name: guest.name }]);
    // The attendee sees it as theirs.
    expect(dataOf(await w.get(guest, booked.id))).toMatchObject({ id: booked.id, mine: true });
  });

  test('subject 1–40 characters, request id 8–64, repeat weeks 0–11', async () => {
    const room = await w.makeRoom();
    const me = await w.booker();
    expectInvalid(await w.book(me, room, w.t(1, '10:00'), w.t(1, '10:30'), { subject: ' ' }), 'subject');
    expectInvalid(await w.book(me, room, w.t(1, '10:00'), w.t(1, '10:30'), { subject: '题'.repeat(FIELD_LIMITS.bookingSubject + 1) }), 'subject');
    expectInvalid(await w.book(me, room, w.t(1, '10:00'), w.t(1, '10:30'), { requestId: 'short' }), 'requestId');
    expectInvalid(await w.book(me, room, w.t(1, '10:00'), w.t(1, '10:30'), { repeatWeeks: FIELD_LIMITS.bookingRepeatWeeks + 1 }), 'repeatWeeks');
    expectInvalid(await w.book(me, room, w.t(1, '10:00'), w.t(1, '10:30'), { repeatWeeks: -1 }), 'repeatWeeks');
    expect(w.locks(room.id)).toEqual([]);
    expect(code(await w.book(me, room, w.t(1, '10:00'), w.t(1, '10:30'), { subject: '题'.repeat(FIELD_LIMITS.bookingSubject) }))).toBe('OK');
  });
});

