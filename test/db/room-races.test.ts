/**
 * Room bookings under forced interleavings: one call is paused at a chosen write while another
 * runs to the end, the orders CloudBase (where calls truly run side by side) can produce. After
 * each, no two live bookings of a room overlap and every live booking holds the locks of its
 * time, so a third person can never book the same time.
 */
import type { UserDoc } from '../../server/accounts/model';
import type { Db } from '../../server/db/db';
import { cancelBooking, changeBooking, createBooking, decideBooking, endBooking, loadBooking, type RoomDeps } from '../../server/room/bookings';
import { BOOKINGS, ROOMS, SLOTS, type RoomDoc } from '../../server/room/model';
import { grainsOf, lockId } from '../../server/room/periods';
import { setService } from '../../server/room/rooms';
import { clearLapsedHolds, sweepRooms } from '../../server/room/timer';
import { memberAccount, paused, useAppDatabase } from './helpers';

const app = useAppDatabase();
/** Wednesday 2030-06-05 09:10 in Shanghai. */
const START = new Date('2030-06-05T01:10:00Z');
let clock = START;

type Doc = Record<string, unknown>;

function person(id: string, memberId: string, admin = false): UserDoc {
  return memberAccount(id, memberId, { admin, at: START });
}
const booker = person('u1', 'm1');
const other = person('u2', 'm2');
const approver = person('u3', 'm3');
const admin = person('u4', 'm4', true);

function deps(db: Db = app.db): RoomDeps {
  return {
    db,
    now: () => clock,
    organisationName: '信通',
    storage: {} as RoomDeps['storage'],
    openapi: {} as RoomDeps['openapi'],
    config: { checkInBeforeMinutes: 10, checkInAfterMinutes: 15, remindBeforeMinutes: 15, templates: [], miniprogramState: 'formal' },
  };
}

beforeEach(async () => {
  clock = START;
});

async function addRoom(approval = false): Promise<void> {
  const room: RoomDoc = {
    _id: 'rmA',
    name: '第一会议室',
    building: '行政楼',
    floor: '3F',
    capacity: 10,
    equipment: [],
    photoFileId: null,
    hours: { open: '08:00', close: '22:00' },
    openWeekdays: [1, 2, 3, 4, 5, 6, 7],
    closedDates: [],
    slotMinutes: 30,
    maxMinutes: 240,
    advanceDays: 14,
    checkInRequired: false,
    notes: '',
    units: [],
    unitIds: [],
    approval: { required: approval, approvers: approval ? [{ id: 'm3', name: 'm3' }] : [] },
    approverIds: approval ? ['m3'] : [],
    inService: true,
    outOfServiceReason: null,
    codeFileId: null,
    rev: 'r1',
    createdAt: START,
    updatedAt: START,
  };
  await app.db.collection(ROOMS).add({ data: room });
}

const pausedAt = (collection: string, op: 'get' | 'update' | 'remove', when: (filter: Doc, data?: Doc) => boolean, meanwhile: () => Promise<unknown>): Db =>
  paused(app.db, 'before', collection, op, when, meanwhile);
const pausedAfter = (base: Db, collection: string, op: 'get' | 'update' | 'remove', when: (filter: Doc, data?: Doc) => boolean, meanwhile: () => Promise<unknown>): Db =>
  paused(base, 'after', collection, op, when, meanwhile);

const outcome = (work: Promise<unknown>): Promise<string> =>
  work.then(
    () => 'OK',
    (error: { code?: string }) => error.code ?? String(error),
  );

const request = (requestId: string, start: string, end: string) => ({ requestId, roomId: 'rmA', start, end, subject: '周会', attendeeIds: [], repeatWeeks: 0 });
const move = (bookingId: string, rev: string, start: string, end: string) => ({ bookingId, rev, start, end, subject: '周会', attendeeIds: [] });

function liveBookings(): Doc[] {
  return (app.cloud.engine.dump(BOOKINGS) as Doc[]).filter((b) => b.status === 'pending' || b.status === 'confirmed');
}

/** No two live bookings overlap, and each holds a lock of its own for every grain of its time. */
function expectSound(): void {
  const live = liveBookings();
  for (let i = 0; i < live.length; i += 1) {
    for (let j = i + 1; j < live.length; j += 1) {
      const overlap = new Date(live[i].start as Date) < new Date(live[j].end as Date) && new Date(live[j].start as Date) < new Date(live[i].end as Date);
      expect(overlap ? `${String(live[i]._id)} overlaps ${String(live[j]._id)}` : '').toBe('');
    }
  }
  const locks = new Map((app.cloud.engine.dump(SLOTS) as Doc[]).map((lock) => [String(lock._id), String(lock.bookingId)]));
  for (const booking of live) {
    const grains = grainsOf(new Date(booking.start as Date), new Date(booking.heldUntil as Date)).map((grain) => lockId('rmA', grain));
    expect(grains.filter((id) => locks.get(id) !== booking._id)).toEqual([]);
  }
}

const isMoveCommit = (filter: Doc, data?: Doc): boolean => 'moving.token' in filter && !!data && 'rev' in data;

test('two moves of one booking at once: the second is stale, the first holds its new time', async () => {
  await addRoom();
  const [b] = await createBooking(deps(), booker, request('req-race-1', '2030-06-06 10:00', '2030-06-06 11:00'));
  let second = '';
  const paused = pausedAt(BOOKINGS, 'update', isMoveCommit, async () => {
    second = await outcome(changeBooking(deps(), booker, move(b.id, b.rev, '2030-06-06 14:30', '2030-06-06 15:30')));
  });
  expect(await outcome(changeBooking(deps(paused), booker, move(b.id, b.rev, '2030-06-06 14:00', '2030-06-06 15:00')))).toBe('OK');
  expect(second).toBe('BOOKING_STALE');
  expect(await outcome(createBooking(deps(), other, request('req-race-1b', '2030-06-06 14:30', '2030-06-06 15:00')))).toBe('BOOKING_CONFLICT');
  expectSound();
});

test('a cancel during a move wins: the booking stays cancelled and its time is free', async () => {
  await addRoom();
  const [b] = await createBooking(deps(), booker, request('req-race-2', '2030-06-06 10:00', '2030-06-06 11:00'));
  const paused = pausedAt(BOOKINGS, 'update', isMoveCommit, () => cancelBooking(deps(), booker, { bookingId: b.id }));
  expect(await outcome(changeBooking(deps(paused), booker, move(b.id, b.rev, '2030-06-06 14:00', '2030-06-06 15:00')))).toBe('BUSY_RETRY');
  expect((await app.db.collection(BOOKINGS).where({ _id: b.id }).get()).data[0].status).toBe('cancelled');
  expect(await outcome(createBooking(deps(), other, request('req-race-2b', '2030-06-06 14:00', '2030-06-06 15:00')))).toBe('OK');
  expectSound();
});

test('approve and reject at once: one decision stands and the approved booking keeps its locks', async () => {
  await addRoom(true);
  const [b] = await createBooking(deps(), booker, request('req-race-3', '2030-06-06 10:00', '2030-06-06 11:00'));
  let approved = '';
  const paused = pausedAt(BOOKINGS, 'update', (_filter, data) => data?.status === 'rejected', async () => {
    approved = await outcome(decideBooking(deps(), approver, { bookingId: b.id, approve: true }));
  });
  expect(await outcome(decideBooking(deps(paused), admin, { bookingId: b.id, approve: false, reason: '另有安排' }))).toBe('BOOKING_STATE');
  expect(approved).toBe('OK');
  expect(await outcome(createBooking(deps(), other, request('req-race-3b', '2030-06-06 10:00', '2030-06-06 11:00')))).toBe('BOOKING_CONFLICT');
  expectSound();
});

test('a move slower than its lease does not commit once another booking took the new time', async () => {
  await addRoom();
  const [b] = await createBooking(deps(), booker, request('req-race-4', '2030-06-06 10:00', '2030-06-06 11:00'));
  let third = '';
  // Paused once the new time's locks are in, at the read of the old time's locks before the commit.
  const paused = pausedAt(SLOTS, 'get', () => true, async () => {
    clock = new Date(clock.getTime() + 31_000);
    third = await outcome(createBooking(deps(), other, request('req-race-4b', '2030-06-06 14:00', '2030-06-06 15:00')));
  });
  expect(await outcome(changeBooking(deps(paused), booker, move(b.id, b.rev, '2030-06-06 14:00', '2030-06-06 15:00')))).toBe('BUSY_RETRY');
  expect(third).toBe('OK');
  expect((await loadBooking(deps(), b.id)).start).toEqual(new Date('2030-06-06T02:00:00Z'));
  expectSound();
});

test('a retry of a lapsed hold while another booking clears its locks: never both', async () => {
  await addRoom();
  // The first attempt dies after taking its locks: its settle never happens.
  const killed = pausedAt(BOOKINGS, 'update', (_filter, data) => data?.status === 'confirmed', () => Promise.reject(new Error('killed')));
  expect(await outcome(createBooking(deps(killed), booker, request('req-race-5', '2030-06-06 10:00', '2030-06-06 11:00')))).toBe('Error: killed');
  clock = new Date(clock.getTime() + 31_000);
  // Z meets the lapsed locks; just before it removes them, the booker retries the same request.
  let retry = '';
  const paused = pausedAt(SLOTS, 'remove', (filter) => typeof filter.bookingId === 'string', async () => {
    retry = await outcome(createBooking(deps(), booker, request('req-race-5', '2030-06-06 10:00', '2030-06-06 11:00')));
  });
  const z = await outcome(createBooking(deps(paused), other, request('req-race-5z', '2030-06-06 10:00', '2030-06-06 11:00')));
  expect([retry, z].filter((result) => result === 'OK')).toHaveLength(1);
  expectSound();
});

test('a move back while the first move frees its old time keeps the moved-back booking whole', async () => {
  await addRoom();
  const [b] = await createBooking(deps(), booker, request('req-race-6', '2030-06-06 10:00', '2030-06-06 11:00'));
  let back = '';
  const paused = pausedAt(SLOTS, 'remove', (filter) => typeof filter.token === 'string' && typeof filter.bookingId === 'string', async () => {
    const fresh = await loadBooking(deps(), b.id);
    back = await outcome(changeBooking(deps(), admin, move(b.id, fresh.rev, '2030-06-06 10:00', '2030-06-06 11:00')));
  });
  expect(await outcome(changeBooking(deps(paused), booker, move(b.id, b.rev, '2030-06-06 14:00', '2030-06-06 15:00')))).toBe('OK');
  expect(back).toBe('OK');
  expect(await outcome(createBooking(deps(), other, request('req-race-6b', '2030-06-06 10:00', '2030-06-06 11:00')))).toBe('BOOKING_CONFLICT');
  expectSound();
});

test('the timer clearing a lapsed hold while its retry renews it leaves the retry its locks', async () => {
  await addRoom();
  const killed = pausedAt(BOOKINGS, 'update', (_filter, data) => data?.status === 'confirmed', () => Promise.reject(new Error('killed')));
  await outcome(createBooking(deps(killed), booker, request('req-race-7', '2030-06-06 10:00', '2030-06-06 11:00')));
  clock = new Date(clock.getTime() + 31_000);
  let retry = '';
  const paused = pausedAt(BOOKINGS, 'update', (_filter, data) => data?.status === 'failed', async () => {
    retry = await outcome(createBooking(deps(), booker, request('req-race-7', '2030-06-06 10:00', '2030-06-06 11:00')));
  });
  await clearLapsedHolds(deps(paused));
  expect(retry).toBe('OK');
  expect(await outcome(createBooking(deps(), other, request('req-race-7b', '2030-06-06 10:00', '2030-06-06 11:00')))).toBe('BOOKING_CONFLICT');
  expectSound();
});

/** Deps whose clock runs `skewMs` ahead of the shared clock (another instance). */
function skewed(db: Db, skewMs: number): RoomDeps {
  return { ...deps(db), now: () => new Date(clock.getTime() + skewMs) };
}

function gate(): { open: () => void; wait: Promise<void> } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { open, wait };
}

/** Whether a query's filter names `id` (as a value anywhere in it). */
const mentions = (filter: Doc, id: string): boolean => JSON.stringify(filter).includes(id);

test('a move committing in its lease\'s last moment keeps its new time from a booking that read it as still moving', async () => {
  await addRoom();
  const [b] = await createBooking(deps(), booker, request('f1a', '2030-06-06 10:00', '2030-06-06 11:00'));
  const atCommit = gate();
  const resume = gate();
  const pausedMove = pausedAt(BOOKINGS, 'update', isMoveCommit, async () => { atCommit.open(); await resume.wait; });
  const moving = outcome(changeBooking(deps(pausedMove), booker, move(b.id, b.rev, '2030-06-06 14:00', '2030-06-06 15:00')));
  await atCommit.wait;
  clock = new Date(START.getTime() + 20_000);
  // C has read the move's locks and now reads their owner (moving, lease live). Right after that read,
  // the move commits (still inside its lease) and the clock passes the lease before C judges.
  const cDb = pausedAfter(app.db, BOOKINGS, 'get', (filter) => mentions(filter, b.id), async () => {
    resume.open();
    await moving;
    clock = new Date(START.getTime() + 31_000);
  });
  const c = await outcome(createBooking(deps(cDb), other, request('f1a-c', '2030-06-06 14:00', '2030-06-06 14:30')));
  // The claim had committed when C went to end it: the move stands and C is refused.
  expect([await moving, c]).toEqual(['OK', 'BOOKING_CONFLICT']);
  expectSound();
});

test('a move keeps its new time when another instance, its clock a second ahead, judges the lease over', async () => {
  await addRoom();
  const [b] = await createBooking(deps(), booker, request('f1b', '2030-06-06 10:00', '2030-06-06 11:00'));
  const atCommit = gate();
  const resume = gate();
  const pausedMove = pausedAt(BOOKINGS, 'update', isMoveCommit, async () => { atCommit.open(); await resume.wait; });
  const moving = outcome(changeBooking(deps(pausedMove), booker, move(b.id, b.rev, '2030-06-06 14:00', '2030-06-06 15:00')));
  await atCommit.wait;
  // The mover's clock: 29.5 s into its 30 s lease. The other instance's clock: 1 s ahead (30.5 s).
  clock = new Date(START.getTime() + 29_500);
  // C clears the move's locks (its clock says the lease is over); the mover commits right after.
  const cDb = pausedAfter(app.db, SLOTS, 'remove', (filter) => mentions(filter, b.id), async () => {
    resume.open();
    await moving;
  });
  const c = await outcome(createBooking(skewed(cDb, 1_000), other, request('f1b-c', '2030-06-06 14:00', '2030-06-06 14:30')));
  // C ended the claim first: the move cannot commit, C has the time.
  expect([await moving, c]).toEqual(['BUSY_RETRY', 'OK']);
  expectSound();
});

test('ending early, read before a move commits and written after, does not end the moved booking', async () => {
  await addRoom();
  await app.db.collection(ROOMS).where({ _id: 'rmA' }).update({ data: { slotMinutes: 15 } });
  clock = new Date('2030-06-06T01:59:59.900Z'); // 09:59:59.9 Shanghai
  const [b] = await createBooking(deps(), booker, request('f3', '2030-06-06 10:00', '2030-06-06 10:15'));
  const atCommit = gate();
  const resume = gate();
  const pausedMove = pausedAt(BOOKINGS, 'update', isMoveCommit, async () => { atCommit.open(); await resume.wait; });
  const moving = outcome(changeBooking(deps(pausedMove), booker, move(b.id, b.rev, '2030-06-06 14:00', '2030-06-06 14:15')));
  await atCommit.wait;
  clock = new Date('2030-06-06T02:00:00.500Z'); // 10:00:00.5: the booking has begun
  const endDb = pausedAt(BOOKINGS, 'update', (_f, data) => !!data && 'closedAt' in data, async () => { resume.open(); await moving; });
  const ended = await outcome(endBooking(deps(endDb), booker, b.id));
  const after = (await app.db.collection(BOOKINGS).where({ _id: b.id }).get()).data[0];
  const third = await outcome(createBooking(deps(), other, request('f3-c', '2030-06-06 14:00', '2030-06-06 14:15')));
  expect([await moving, ended, third]).toEqual(['OK', 'BOOKING_STATE', 'BOOKING_CONFLICT']);
  expect(after).toMatchObject({ status: 'confirmed', start: new Date('2030-06-06T06:00:00Z'), heldUntil: new Date('2030-06-06T06:15:00Z') });
  expectSound();
});

test('an approval landing during an admin\'s move stands', async () => {
  await addRoom(true);
  const [b] = await createBooking(deps(), booker, request('f4', '2030-06-06 10:00', '2030-06-06 11:00'));
  let approved = '';
  const paused = pausedAt(BOOKINGS, 'update', isMoveCommit, async () => {
    approved = await outcome(decideBooking(deps(), approver, { bookingId: b.id, approve: true }));
  });
  const moved = await outcome(changeBooking(deps(paused), admin, move(b.id, b.rev, '2030-06-06 14:00', '2030-06-06 15:00')));
  const after = (await app.db.collection(BOOKINGS).where({ _id: b.id }).get()).data[0];
  expect([approved, moved]).toEqual(['OK', 'BUSY_RETRY']);
  expect(after).toMatchObject({ status: 'confirmed', tell: 'approved', decision: { approved: true } });
});

test('an outdated attempt of a request never removes the locks of the attempt that replaced it (clocks a second apart)', async () => {
  await addRoom();
  // A dead lock in the way, so the first attempt's insert is refused and it reads back.
  await app.db.collection(SLOTS).add({ data: { _id: lockId('rmA', new Date('2030-06-06T02:00:00Z')), roomId: 'rmA', bookingId: 'ghost', token: 'g', start: new Date('2030-06-06T02:00:00Z'), createdAt: START } });
  const aPaused = gate(); const aResume = gate(); const bPaused = gate(); const bResume = gate();
  const dbA = pausedAt(SLOTS, 'get', () => true, async () => { aPaused.open(); await aResume.wait; });
  const a = outcome(createBooking(skewed(dbA, 1_000), booker, request('f5', '2030-06-06 10:00', '2030-06-06 11:00')));
  await aPaused.wait;
  clock = new Date(START.getTime() + 31_000); // A's lease (its clock +30 s) is over
  const dbB = pausedAt(BOOKINGS, 'update', (_f, data) => data?.status === 'confirmed', async () => { bPaused.open(); await bResume.wait; });
  const b = outcome(createBooking(deps(dbB), booker, request('f5', '2030-06-06 10:00', '2030-06-06 11:00')));
  await bPaused.wait; // B has every lock under its token and is about to settle
  clock = new Date(START.getTime() + 60_500); // B's instance: 0.5 s of lease left; A's instance 1 s ahead: over
  aResume.open();
  const aOut = await a;
  bResume.open();
  const bOut = await b;
  const third = await outcome(createBooking(deps(), other, request('f5-c', '2030-06-06 10:00', '2030-06-06 11:00')));
  // A's clock ended B's lapsing claim before B settled: neither attempt booked, the time stayed free.
  expect([aOut, bOut, third]).toEqual(['BUSY_RETRY', 'BUSY_RETRY', 'OK']);
  expectSound();
});

test('a move that lost its commit (to an approval) leaves no claim behind: the next move with the fresh rev goes through', async () => {
  await addRoom(true);
  const [b] = await createBooking(deps(), booker, request('req-race-8', '2030-06-06 10:00', '2030-06-06 11:00'));
  const paused = pausedAt(BOOKINGS, 'update', isMoveCommit, () => decideBooking(deps(), approver, { bookingId: b.id, approve: true }));
  expect(await outcome(changeBooking(deps(paused), admin, move(b.id, b.rev, '2030-06-06 14:00', '2030-06-06 15:00')))).toBe('BUSY_RETRY');
  const fresh = await loadBooking(deps(), b.id);
  expect(fresh.moving).toBeNull();
  clock = new Date(clock.getTime() + 2_000);
  expect(await outcome(changeBooking(deps(), admin, move(b.id, fresh.rev, '2030-06-06 14:00', '2030-06-06 15:00')))).toBe('OK');
  expectSound();
});

test('a request id sent again for other weeks is refused, and leaves nothing behind', async () => {
  await addRoom();
  const once = request('req-race-9', '2030-06-06 10:00', '2030-06-06 11:00');
  expect(await outcome(createBooking(deps(), booker, once))).toBe('OK');
  const before = (app.cloud.engine.dump(BOOKINGS) as Doc[]).length;
  await expect(createBooking(deps(), booker, { ...once, repeatWeeks: 1 })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'requestId' });
  await expect(createBooking(deps(), booker, { ...once, start: '2030-06-06 12:00', end: '2030-06-06 13:00' })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'requestId' });
  expect((app.cloud.engine.dump(BOOKINGS) as Doc[]).length).toBe(before);
  // The same request as first sent still answers its booking.
  expect(await outcome(createBooking(deps(), booker, once))).toBe('OK');
  expectSound();
});

test('the timer sweeping a room it read out of service leaves alone a booking made after the room came back', async () => {
  await addRoom();
  await setService(deps(), admin, { roomId: 'rmA', inService: false, reason: '装修' });
  let made = '';
  const paused = pausedAfter(app.db, ROOMS, 'get', (filter) => filter.inService === false, async () => {
    clock = new Date(clock.getTime() + 60_000);
    await setService(deps(), admin, { roomId: 'rmA', inService: true });
    made = await outcome(createBooking(deps(), booker, request('req-race-10', '2030-06-06 10:00', '2030-06-06 11:00')));
  });
  await sweepRooms(deps(paused));
  expect(made).toBe('OK');
  expect(liveBookings()).toHaveLength(1);
  expectSound();
});

