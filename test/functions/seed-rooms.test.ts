/**
 * The demo rooms and bookings: made through the room function on the first start with demo
 * data, seen by the demo people as the pages would show them, the same under the same clock, and
 * never made twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ROOMS_DOC_ID } from '../../local-cloud/src/seed-rooms';
import { DEMO_APPID, DEMO_PEOPLE } from '../../local-cloud/src/seed';
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import type { BookingView, Page, Result, RoomCard, RoomDay } from '../../typings';
import { type Caller, call, startTestCloud } from '../helpers/local-cloud';

/** Wednesday 5 June 2030, 09:10 in Shanghai. */
const CLOCK = new Date('2030-06-05T09:10:00+08:00');
const TODAY = '2030-06-05';
const TOMORROW = '2030-06-06';

const as = (userId: string): Caller => {
  const person = DEMO_PEOPLE.find((p) => p.userId === userId);
  if (!person) throw new Error(`no demo person ${userId}`);
  return { openid: person.openid, appid: DEMO_APPID };
};
const ADMIN = as('demo-admin');
const MEMBER = as('demo-member-1');

async function room<T>(cloud: RunningLocalCloud, caller: Caller, action: string, request: Record<string, unknown>): Promise<T> {
  const { status, body } = await call<Result<T>>(cloud, 'room', { action, ...request }, caller);
  if (status !== 200 || !body.ok) throw new Error(`${action}: ${status} ${JSON.stringify(body)}`);
  return body.data;
}

const dirs: string[] = [];
function start(dir: string): Promise<RunningLocalCloud> {
  return startTestCloud({ dataDir: dir, clock: CLOCK, seed: true, demoRooms: true });
}
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'xintong-demo-rooms-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** What 张三 sees in 我的预约, without ids. */
async function memberBookings(cloud: RunningLocalCloud): Promise<Array<Pick<BookingView, 'subject' | 'roomName' | 'start' | 'end' | 'status' | 'occurrences'>>> {
  const page = await room<Page<BookingView>>(cloud, MEMBER, 'bookings.mine', { when: 'upcoming' });
  return page.items.map(({ subject, roomName, start: from, end, status, occurrences }) => ({ subject, roomName, start: from, end, status, occurrences }));
}

describe('the first start with demo data', () => {
  let cloud: RunningLocalCloud;
  let dir: string;

  beforeAll(async () => {
    dir = freshDir();
    cloud = await start(dir);
  });

  afterAll(async () => {
    await cloud.close();
  });

  test('makes five rooms and eight bookings (a weekly one of four weeks) through the room function', () => {
    expect(cloud.cloud.demoRooms).toEqual({ rooms: 5, bookings: 8 });
    const calls = cloud.cloud.invocations.recent(100).filter((record) => record.functionName === 'room');
    expect(calls.every((record) => record.outcome === 'OK')).toBe(true);
    expect(calls.map((record) => record.action)).toEqual(expect.arrayContaining(['rooms.save', 'bookings.create', 'rooms.setService']));
  });

  test('a member lists the rooms in service with today\'s free time; an admin sees the one out of service too', async () => {
    const listed = await room<Page<RoomCard> & { date: string }>(cloud, MEMBER, 'rooms.list', { date: TODAY });
    expect(listed.items.map((card) => card.name).sort()).toEqual(['学术报告厅', '研讨室 A', '第一会议室', '自习室 301'].sort());
    const hall = listed.items.find((card) => card.name === '学术报告厅');
    expect(hall).toMatchObject({ capacity: 200, needsApproval: true, canBook: true });
    const all = await room<Page<RoomCard> & { date: string }>(cloud, ADMIN, 'rooms.list', { date: TODAY, all: true });
    expect(all.items.find((card) => card.name === '第二会议室')).toMatchObject({ inService: false });
  });

  test('the rooms\' days show the bookings: the member\'s own soon, the weekly meeting, one pending, one across midnight', async () => {
    const listed = await room<Page<RoomCard>>(cloud, ADMIN, 'rooms.list', { date: TODAY, all: true });
    const idOf = (name: string): string => listed.items.find((card) => card.name === name)?.id ?? '';
    const slot = (day: RoomDay, start: string) => day.slots.find((s) => s.start === start);

    const today = await room<RoomDay>(cloud, MEMBER, 'rooms.day', { roomId: idOf('第一会议室'), date: TODAY });
    expect(slot(today, `${TODAY} 09:30`)).toMatchObject({ state: 'mine', booking: { subject: '软工2301班班会', start: `${TODAY} 09:30`, end: `${TODAY} 10:30` } });
    const tomorrow = await room<RoomDay>(cloud, MEMBER, 'rooms.day', { roomId: idOf('第一会议室'), date: TOMORROW });
    expect(slot(tomorrow, `${TOMORROW} 09:00`)).toMatchObject({ state: 'taken', booking: { subject: '教务处周例会', bookerName: '陈主任' } });

    const hall = await room<RoomDay>(cloud, MEMBER, 'rooms.day', { roomId: idOf('学术报告厅'), date: TOMORROW });
    expect(slot(hall, `${TOMORROW} 14:00`)?.booking?.subject).toBe('学生会换届选举大会');
    expect(['pending', 'mine']).toContain(slot(hall, `${TOMORROW} 14:00`)?.state);

    const study = await room<RoomDay>(cloud, MEMBER, 'rooms.day', { roomId: idOf('自习室 301'), date: TODAY });
    expect(slot(study, `${TOMORROW} 00:00`)).toMatchObject({ state: 'taken', booking: { subject: '考研晚自习', start: `${TODAY} 22:00`, end: `${TOMORROW} 01:00` } });
  });

  test('我的预约 of the demo member: their booking, the one waiting for approval, and one they attend', async () => {
    expect(await memberBookings(cloud)).toEqual([
      { subject: '软工2301班班会', roomName: '第一会议室', start: `${TODAY} 09:30`, end: `${TODAY} 10:30`, status: 'confirmed', occurrences: 1 },
      { subject: '学生会换届选举大会', roomName: '学术报告厅', start: `${TOMORROW} 14:00`, end: `${TOMORROW} 16:00`, status: 'pending', occurrences: 1 },
      { subject: '数据结构小组讨论', roomName: '研讨室 A', start: `${TOMORROW} 15:00`, end: `${TOMORROW} 16:30`, status: 'confirmed', occurrences: 1 },
    ]);
    const approvals = await room<Page<BookingView>>(cloud, ADMIN, 'bookings.approvals', {});
    expect(approvals.items.map((booking) => booking.subject)).toEqual(['学生会换届选举大会']);
    const mine = await room<Page<BookingView>>(cloud, ADMIN, 'bookings.mine', { when: 'upcoming' });
    const weekly = mine.items.filter((booking) => booking.subject === '教务处周例会');
    expect(weekly.map((booking) => [booking.start, booking.occurrence, booking.occurrences])).toEqual([
      [`${TOMORROW} 09:00`, 1, 4],
      ['2030-06-13 09:00', 2, 4],
      ['2030-06-20 09:00', 3, 4],
      ['2030-06-27 09:00', 4, 4],
    ]);
  });

  test('a restart makes nothing again, and another database at the same clock gets the same bookings', async () => {
    const before = {
      rooms: cloud.cloud.engine.countDocuments('rooms'),
      bookings: cloud.cloud.engine.countDocuments('room_bookings'),
      locks: cloud.cloud.engine.countDocuments('room_slots'),
    };
    const seen = await memberBookings(cloud);
    await cloud.close();
    cloud = await start(dir);
    expect(cloud.cloud.demoRooms).toBeNull();
    expect(cloud.cloud.invocations.recent(100).filter((record) => record.functionName === 'room')).toEqual([]);
    expect({
      rooms: cloud.cloud.engine.countDocuments('rooms'),
      bookings: cloud.cloud.engine.countDocuments('room_bookings'),
      locks: cloud.cloud.engine.countDocuments('room_slots'),
    }).toEqual(before);
    expect(cloud.cloud.engine.countDocuments('settings', { _id: DEMO_ROOMS_DOC_ID })).toBe(1);

    const other = await start(freshDir());
    try {
      expect(await memberBookings(other)).toEqual(seen);
    } finally {
      await other.close();
    }
  });
});

test('without demo data, or with demoRooms off, no rooms are made', async () => {
  const bare = await startTestCloud({ dataDir: freshDir(), clock: CLOCK, seed: false, demoRooms: true });
  const off = await startTestCloud({ dataDir: freshDir(), clock: CLOCK, seed: true, demoRooms: false });
  try {
    for (const cloud of [bare, off]) {
      expect(cloud.cloud.demoRooms).toBeNull();
      expect(cloud.cloud.engine.countDocuments('rooms')).toBe(0);
    }
  } finally {
    await Promise.all([bare.close(), off.close()]);
  }
});
