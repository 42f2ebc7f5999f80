/**
 * Meeting rooms at an institution's scale: 50 rooms, 50 bound members who book them, and a
 * realistic day (8 bookings in each room, one room booked end to end) made through the `room`
 * function, then measured over HTTP as the mini-program calls it:
 * - availability: the room list of that day (two pages: 30 rooms, then 20) and the full room's day;
 * - the free-room search over the 50 rooms for a 2-hour range, without and with filters;
 * - booking: a single booking, one refused by a conflict, and a 12-week repeating booking;
 * - a race: 50 members book overlapping times of one room at the same moment; the run fails
 *   unless exactly one wins and the room's locks and bookings say the same.
 * Budgets are database requests of the worst single call (reads and bookings cost a fixed
 * number whatever the number of rooms and bookings); `broken` lists those exceeded, so a
 * regression fails the benchmark.
 */
import type { BookingView, Equipment, Page, RoomCard, RoomDay, RoomInput, RoomView } from '../../typings';
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { businessDate } from '../../server/core/time';
import { identityId } from '../../server/db/collections';
import { ROOT_UNIT_ID, UNIT_TREE_DOC_ID } from '../../server/org/model';
import { BOOKINGS, SLOTS } from '../../server/room/model';
import { addDays } from '../../server/room/periods';
import { attemptAction, boundedMeasure, invokeAction, round, type BoundCheck, type Measurement, type Reply } from '../harness';

const ROOMS = 50;
const BOOKINGS_PER_ROOM = 8;
/** Its day is booked end to end in one-hour bookings (08:00–22:00): the day view's worst case. */
const FULL_ROOM = 0;
/** Every APPROVAL_EVERY-th room waits for an approver: its bookings are pending, still holding time. */
const APPROVAL_EVERY = 10;
const BOOKERS = 50;
/** Fill bookings in flight at once (not measured). */
const FILL_PARALLEL = 8;
const RACERS = 50;
/** Races measured after one that starts the instances. */
const RACES = 3;
/** Database requests of the shared guard (identities, then the account) in every call. */
const GUARD = 2;
/** Reads: the rooms in one request, the bookings overlapping the day or range in one more. */
const READ_BOUND = GUARD + 2;
/**
 * Booking: the room, the attendees, the request's earlier bookings, the holds, the locks in one
 * insert, the settle and the read back, whatever the number of weeks.
 */
const BOOK_BOUND = GUARD + 7;
/** Refused: as booking up to the locks, then the locks read back, their owners, ours removed, the holds failed. */
const REFUSED_BOUND = GUARD + 8;

const APPID = 'wx-bench-room';
const ADMIN = { 'X-WX-OPENID': 'demo-admin-openid', 'X-WX-APPID': 'wx-demo-appid', 'X-WX-UNIONID': 'demo-admin-unionid' };
const UNIT_ID = 'u_rb_office';

export interface RoomBench {
  rows: Measurement[];
  bounds: BoundCheck[];
  /** Bounds exceeded and race outcomes other than exactly one winner, for the run's failure message. */
  broken: string[];
  /** Wall time of the whole room part, and of its setup (rooms, members and the day's bookings). */
  seconds: number;
  setupSeconds: number;
}


const pad = (n: number, width: number) => String(n).padStart(width, '0');
const memberId = (n: number) => `m_rb_${pad(n, 3)}`;
const booker = (n: number) => ({ 'X-WX-OPENID': `rb-booker-${n % BOOKERS}`, 'X-WX-APPID': APPID });

function invoke<T>(cloud: RunningLocalCloud, headers: Record<string, string>, action: string, request: Record<string, unknown> = {}): Promise<T> {
  return invokeAction<T>(cloud, 'room', headers, action, request);
}

/** One call whose failure is an answer to count, not the end of the benchmark. */
function attempt<T>(cloud: RunningLocalCloud, headers: Record<string, string>, action: string, request: Record<string, unknown>): Promise<Reply<T> | { ok: false; status: number }> {
  return attemptAction<T>(cloud, 'room', headers, action, request);
}

/** `HH:mm` `minutes` after 08:00. */
function clock(minutes: number): string {
  const at = 8 * 60 + minutes;
  return `${pad(Math.floor(at / 60), 2)}:${pad(at % 60, 2)}`;
}

const CAPACITIES = [6, 8, 10, 12, 16, 20, 30, 40, 60, 100];
const EQUIPMENT: Equipment[][] = [[], ['whiteboard'], ['projector', 'whiteboard'], ['projector', 'screen', 'video', 'microphone']];

function roomInput(i: number): RoomInput {
  return {
    name: `基准会议室${pad(i, 2)}`,
    building: `教学楼${String.fromCharCode(65 + (i % 5))}座`,
    floor: `${1 + (i % 6)}F`,
    capacity: CAPACITIES[i % CAPACITIES.length],
    equipment: EQUIPMENT[i % EQUIPMENT.length],
    photoFileId: null,
    hours: { open: '08:00', close: '22:00' },
    openWeekdays: [1, 2, 3, 4, 5, 6, 7],
    closedDates: [],
    slotMinutes: 30,
    maxMinutes: 240,
    // A term's weekly meeting (12 weeks) starts a few days out.
    advanceDays: 90,
    unitIds: [],
    approval: { required: i % APPROVAL_EVERY === APPROVAL_EVERY - 1, approverIds: [] },
    checkInRequired: i % 2 === 0,
    notes: '钥匙在一楼值班室领取，用后请关闭投影和空调。',
  };
}

/**
 * The day's bookings of room `i`, minutes after 08:00 and length: a busy afternoon for two
 * rooms in three (shifted by up to an hour and a half), the afternoon free for the third, and
 * the full room booked hour after hour.
 */
function dayPlan(i: number): [number, number][] {
  if (i === FULL_ROOM) return Array.from({ length: 14 }, (_, h) => [h * 60, 60]);
  if (i % 3 === 0) return [0, 60, 120, 180, 270, 570, 660, 750].map((start) => [start, 60]);
  const shift = (i % 4) * 30;
  return [0, 90, 180, 300, 390, 480, 570, 660].map((start) => [start + shift, 60]);
}

/** Rooms free 15:00–17:00 on the measured day, among those `keep` accepts. */
function expectedFree(keep: (i: number) => boolean): number {
  const from = 7 * 60;
  const to = 9 * 60;
  let free = 0;
  for (let i = 0; i < ROOMS; i += 1) {
    if (keep(i) && dayPlan(i).every(([start, length]) => start + length <= from || start >= to)) free += 1;
  }
  return free;
}

/** 50 bound members of one office, inserted as the org function leaves them. */
function populate(cloud: RunningLocalCloud): void {
  const engine = cloud.cloud.engine;
  const now = new Date();
  engine.insertDocuments('units', [{ _id: UNIT_ID, name: '会议室基准办公室', kind: 'department', parentId: ROOT_UNIT_ID, childCount: 0, memberCount: BOOKERS, rosterCount: BOOKERS, createdAt: now, updatedAt: now }]);
  engine.modify('units', { query: { _id: ROOT_UNIT_ID }, data: { $inc: { childCount: 1 } }, multi: false, merge: true, upsert: false });
  engine.modify('settings', { query: { _id: UNIT_TREE_DOC_ID }, data: { $set: { rev: `bench-rooms-${Date.now()}` } }, multi: false, merge: true, upsert: true });
  const members: Record<string, unknown>[] = [];
  const users: Record<string, unknown>[] = [];
  const identities: Record<string, unknown>[] = [];
  for (let n = 0; n < BOOKERS; n += 1) {
    const id = memberId(n);
    const userId = `rb-user-${n}`;
    const name = `职员${pad(n, 2)}`;
    const number = `R${pad(n, 5)}`;
    members.push({
      _id: id, name, number, phone: `+86138${pad(n, 8)}`, kind: 'staff', unitIds: [UNIT_ID], title: null, wecomUserId: null,
      observes: [], active: true, userId, rev: 'bench', fieldsRev: 'bench', wecomKey: `none:${id}`, createdAt: now, updatedAt: now, deactivatedAt: null,
    });
    users.push({
      _id: userId, nickname: name, avatarFileId: null, roles: [], wecom: null, profileEditedAt: null, createdAt: now, updatedAt: now,
      member: { id, name, number, kind: 'staff', unitNames: ['会议室基准办公室'], active: true, unitIds: [UNIT_ID], unitKeys: [UNIT_ID], observes: [], observeKeys: [], hasPhone: true },
    });
    const key = `${APPID}:rb-booker-${n}`;
    identities.push({ _id: identityId('wx-openid', key), kind: 'wx-openid', key, userId, createdAt: now });
  }
  engine.insertDocuments('members', members);
  engine.insertDocuments('users', users);
  engine.insertDocuments('identities', identities);
}

interface Booked {
  bookings: BookingView[];
}

/** A booking request of the run; `id` makes its request id (one booking each) and its subject's number. */
function bookRequest(id: string, subject: string, room: RoomView, day: string, start: string, end: string, attendees: number[] = [], repeatWeeks = 0): Record<string, unknown> {
  return { requestId: `bench-${id}`, roomId: room.id, start: `${day} ${start}`, end: `${day} ${end}`, subject: `${subject} ${id}`, attendeeIds: attendees.map((n) => memberId(n % BOOKERS)), repeatWeeks };
}

export async function roomsScenario(cloud: RunningLocalCloud): Promise<RoomBench> {
  const started = Date.now();
  const counter = () => cloud.cloud.dbRequestsTotal;
  const rows: Measurement[] = [];
  const bounds: BoundCheck[] = [];
  const broken: string[] = [];

  const run = boundedMeasure('rooms', counter, rows, bounds);

  populate(cloud);
  const rooms: RoomView[] = [];
  for (let i = 0; i < ROOMS; i += 1) rooms.push(await invoke<RoomView>(cloud, ADMIN, 'rooms.save', { room: roomInput(i) }));

  // Days counted from the business day the run starts on: all in the future whenever it runs.
  const today = businessDate(new Date());
  const listDay = addDays(today, 1);
  const singleDay = addDays(today, 2);
  const seriesDay = addDays(today, 3);
  const raceDay = (r: number) => addDays(today, 4 + r);

  // The measured day, made through the function like people fill it (not measured).
  const plan = rooms.flatMap((room, i) => dayPlan(i).map(([start, length], j) => ({ room, start: clock(start), end: clock(start + length), who: i * BOOKINGS_PER_ROOM + j })));
  for (let k = 0; k < plan.length; k += FILL_PARALLEL) {
    await Promise.all(plan.slice(k, k + FILL_PARALLEL).map((b, j) => invoke<Booked>(cloud, booker(b.who), 'bookings.create', bookRequest(`fill-${k + j}`, '部门例会', b.room, listDay, b.start, b.end, [b.who + 1]))));
  }
  const inDb = () => `${ROOMS} rooms, ${cloud.cloud.engine.countDocuments(BOOKINGS).toLocaleString('en')} bookings, ${cloud.cloud.engine.countDocuments(SLOTS).toLocaleString('en')} locks`;
  const setupSeconds = round((Date.now() - started) / 1000, 1);
  const dayText = `${ROOMS} rooms × ${BOOKINGS_PER_ROOM} bookings (one room 14) on the day; ${inDb()}`;

  // Availability, as a member opens the 会议室 tab and a room.
  const listPage = async (after: string | null, expected: number): Promise<Page<RoomCard>> => {
    const page = await invoke<Page<RoomCard>>(cloud, booker(0), 'rooms.list', after ? { date: listDay, after } : { date: listDay });
    if (page.items.length !== expected) throw new Error(`rooms.list gave ${page.items.length} rooms, expected ${expected}`);
    return page;
  };
  const first = await listPage(null, 30);
  const fullCard = first.items.find((card) => card.id === rooms[FULL_ROOM].id);
  if (!fullCard || fullCard.free.length !== 0) throw new Error(`the full room's card shows free time: ${JSON.stringify(fullCard?.free)}`);
  await run({ operation: 'rooms.list, a day, first page (30 rooms with free time)', size: dayText, calls: 30, run: async () => { await listPage(null, 30); } }, READ_BOUND);
  await run({ operation: 'rooms.list, a day, second page (20 rooms)', size: dayText, calls: 30, run: async () => { await listPage(first.next, ROOMS - 30); } }, READ_BOUND);
  await run({
    operation: 'rooms.day, a room booked end to end (28 slots)',
    size: dayText,
    calls: 30,
    run: async () => {
      const day = await invoke<RoomDay>(cloud, booker(1), 'rooms.day', { roomId: rooms[FULL_ROOM].id, date: listDay });
      if (day.slots.length !== 28 || day.slots.some((slot) => slot.state === 'free')) throw new Error('rooms.day: the full room shows a free slot');
    },
  }, READ_BOUND);

  // Free rooms 15:00–17:00: the afternoon is free in one room in three (not the full one).
  const freeSearch = async (filters: Record<string, unknown>, expected: number) => {
    const { items } = await invoke<{ items: RoomCard[] }>(cloud, booker(2), 'rooms.free', { start: `${listDay} 15:00`, end: `${listDay} 17:00`, ...filters });
    if (items.length !== expected) throw new Error(`rooms.free ${JSON.stringify(filters)} found ${items.length} rooms, expected ${expected}`);
  };
  const allFree = expectedFree(() => true);
  const filteredFree = expectedFree((i) => CAPACITIES[i % CAPACITIES.length] >= 12 && EQUIPMENT[i % EQUIPMENT.length].includes('projector'));
  await run({ operation: `rooms.free, 2 hours, no filter (${allFree} of ${ROOMS} free)`, size: dayText, calls: 30, run: () => freeSearch({}, allFree) }, READ_BOUND);
  await run({ operation: `rooms.free, 2 hours, ≥ 12 seats with a projector (${filteredFree} free)`, size: dayText, calls: 30, run: () => freeSearch({ minCapacity: 12, equipment: ['projector'] }, filteredFree) }, READ_BOUND);

  // Booking: two a room on another day, one by each member, then one refused on the full day.
  await run({
    operation: 'bookings.create, single (1 hour, one attendee)',
    size: dayText,
    calls: 100,
    warmup: 0,
    run: async (i) => {
      const [start, end] = i < ROOMS ? ['09:00', '10:00'] : ['14:00', '15:00'];
      const { bookings } = await invoke<Booked>(cloud, booker(i), 'bookings.create', bookRequest(`single-${i}`, '项目评审', rooms[i % ROOMS], singleDay, start, end, [i + 7]));
      if (bookings.length !== 1) throw new Error(`a single booking made ${bookings.length}`);
    },
  }, BOOK_BOUND);
  await run({
    operation: 'bookings.create, refused: conflict with a booking',
    size: dayText,
    calls: 50,
    warmup: 0,
    run: async (i) => {
      const reply = await attempt(cloud, booker(i + 1), 'bookings.create', bookRequest(`refused-${i}`, '临时会议', rooms[FULL_ROOM], listDay, clock(60 + (i % 10) * 30), clock(150 + (i % 10) * 30)));
      if (reply.ok || !('error' in reply) || reply.error?.code !== 'BOOKING_CONFLICT') throw new Error(`a booking over a taken time answered ${JSON.stringify(reply).slice(0, 300)}`);
    },
  }, REFUSED_BOUND);
  await run({
    operation: 'bookings.create, 12 weeks (repeatWeeks 11, 2 hours)',
    size: dayText,
    calls: 20,
    warmup: 0,
    run: async (i) => {
      const { bookings } = await invoke<Booked>(cloud, booker(i), 'bookings.create', bookRequest(`series-${i}`, '学期周例会', rooms[i % ROOMS], seriesDay, '10:00', '12:00', [i + 3, i + 4], 11));
      if (bookings.length !== 12) throw new Error(`a 12-week booking made ${bookings.length}`);
    },
  }, BOOK_BOUND);

  // The race: 50 members at once, 2 hours from 10:00, 10:30, 11:00 or 11:30, so every two
  // requests share 11:30–12:00 and at most one may win; exactly one must.
  const outcomes = new Map<string, number>();
  let raceRequests = 0;
  const race = async (r: number) => {
    const room = rooms[ROOMS - 1 - r];
    const day = raceDay(r);
    const before = counter();
    const replies = await Promise.all(Array.from({ length: RACERS }, (_, m) => attempt<Booked>(cloud, booker(m), 'bookings.create', bookRequest(`race-${r}-${m}`, '抢订', room, day, clock(120 + (m % 4) * 30), clock(240 + (m % 4) * 30)))));
    if (r >= 1) raceRequests += counter() - before;
    const answers = replies.map((reply) => (reply.ok ? 'won' : 'status' in reply ? `HTTP ${reply.status}` : (reply.error?.code ?? 'no code')));
    for (const answer of answers) outcomes.set(answer, (outcomes.get(answer) ?? 0) + 1);
    const winners = replies.filter((reply) => reply.ok) as Reply<Booked>[];
    // What the database holds must agree: one live booking of the room that day and only its locks.
    const live = cloud.cloud.engine.find(BOOKINGS, { query: { roomId: room.id }, limit: 1000 }).filter((doc) => ['pending', 'confirmed'].includes(String(doc.status)) && String(doc.day) === day);
    const locks = cloud.cloud.engine.find(SLOTS, { query: { roomId: room.id }, limit: 1000 }).filter((lock) => businessDate(new Date(lock.start as string | Date)) === day);
    const winner = winners[0]?.data.bookings[0]?.id;
    const agrees = winners.length === 1 && live.length === 1 && live[0]._id === winner && locks.length === 8 && locks.every((lock) => lock.bookingId === winner);
    const others = answers.filter((answer) => answer !== 'won' && answer !== 'BOOKING_CONFLICT' && answer !== 'BUSY_RETRY');
    if (!agrees || others.length > 0) {
      broken.push(`race ${r + 1}: ${winners.length} of ${RACERS} won, ${live.length} live bookings and ${locks.length} locks in the room, answers ${JSON.stringify(Object.fromEntries(outcomes))}`);
    }
  };
  const raceRow = await run({ operation: `bookings.create, ${RACERS} members at once for overlapping times of one room: all answered`, size: `${RACERS} requests sharing 30 minutes; ${inDb()}`, calls: RACES, warmup: 1, run: race });
  raceRow.dbRequestsPerCall = round(raceRequests / (RACES * RACERS));
  // Calls at once share the counter: the race's budget is on the average request, each a winner or refused.
  bounds.push({ operation: `bookings.create, ${RACERS} at once (average per request)`, maxDbRequests: raceRow.dbRequestsPerCall, bound: REFUSED_BOUND, holds: raceRow.dbRequestsPerCall <= REFUSED_BOUND });
  const tally = [...outcomes].map(([answer, n]) => `${n} ${answer}`).join(', ');
  raceRow.operation += ` (${broken.length === 0 ? 'exactly one won every race' : 'NOT exactly one winner'}; ${RACES + 1} races: ${tally}; db req per request)`;

  for (const b of bounds) if (!b.holds) broken.push(`${b.operation}: ${b.maxDbRequests} database requests in one call, budget ${b.bound}`);
  return { rows, bounds, broken, seconds: round((Date.now() - started) / 1000, 1), setupSeconds };
}

export function formatRoomBounds(bench: RoomBench): string {
  const width = Math.max(...bench.bounds.map((b) => b.operation.length));
  return [
    `room budgets (database requests of the worst call, the guard's 2 included; the room part took ${bench.seconds} s, ${bench.setupSeconds} s of it making the rooms and the day)`,
    ...bench.bounds.map((b) => `  ${b.operation.padEnd(width)}  ${String(b.maxDbRequests).padStart(3)} ≤ ${String(b.bound).padEnd(3)} ${b.holds ? 'holds' : 'BROKEN'}`),
  ].join('\n');
}
