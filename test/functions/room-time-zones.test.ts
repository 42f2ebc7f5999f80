/**
 * Room times are Shanghai times whatever the server's zone: the same wall-clock bookings give
 * the same answers, the same lock ids and the same timelines on a local cloud running under
 * UTC, America/Los_Angeles and Asia/Shanghai, including a booking crossing midnight in an
 * 18:00–02:00 room (allowed) and in an 08:00–22:00 room (refused), "today" when the zones
 * disagree on the date, and the past.
 *
 * Each zone gets its own `npm start` process with TZ set: a function instance is a worker
 * thread, and a thread's zone is its process's (a worker's `env.TZ` does not change it, and
 * Jest's sandboxed process.env cannot change the test process's own).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BookingView, Result, RoomCard, RoomDay, RoomView } from '../../typings';
import { ROOT, requireBuilt } from '../helpers/local-cloud';
import { grainIds, roomInput } from '../helpers/room-fixtures';

const ZONES = ['UTC', 'America/Los_Angeles', 'Asia/Shanghai'];
const ADMIN = { 'X-WX-OPENID': 'demo-admin-openid', 'X-WX-APPID': 'wx-demo-appid' };
/** 张三, a demo member bound to his account. */
const MEMBER = { 'X-WX-OPENID': 'demo-member-1-openid', 'X-WX-APPID': 'wx-demo-appid' };

interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  dataDir: string;
}

function start(zone: string, clock: string): Promise<Started> {
  requireBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'xintong-tz-'));
  const child = spawn(process.execPath, [join(ROOT, 'local-cloud/bin/start.js'), '--port', '0', '--data-dir', dataDir, '--no-timers', '--clock', clock], {
    cwd: ROOT,
    env: { ...process.env, TZ: zone },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local cloud under ${zone} did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], dataDir });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (exitCode) => reject(new Error(`local cloud under ${zone} exited with ${exitCode}:\n${output}`)));
  });
}

function stop(started: Started): Promise<void> {
  return new Promise((resolve) => {
    started.child.removeAllListeners('exit');
    started.child.on('exit', () => {
      rmSync(started.dataDir, { recursive: true, force: true });
      resolve();
    });
    started.child.kill('SIGTERM');
  });
}

async function room<T>(url: string, action: string, request: Record<string, unknown>, caller: Record<string, string>): Promise<Result<T>> {
  const response = await fetch(`${url}/functions/room`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...caller }, body: JSON.stringify({ action, ...request }) });
  return (await response.json()) as Result<T>;
}

async function must<T>(url: string, action: string, request: Record<string, unknown>, caller: Record<string, string>): Promise<T> {
  const result = await room<T>(url, action, request, caller);
  if (!result.ok) throw new Error(`${action}: ${JSON.stringify(result.error)}`);
  return result.data;
}

function outcome(result: Result<{ bookings: BookingView[] }>): string {
  return result.ok ? `OK ${result.data.bookings.map((b) => `${b.start}–${b.end}`).join(',')}` : result.error.code;
}

let seq = 0;
function book(url: string, roomId: string, start: string, end: string): Promise<Result<{ bookings: BookingView[] }>> {
  seq += 1;
  return room(url, 'bookings.create', { requestId: `tz-request-${seq}-${Date.now()}`, roomId, start, end, subject: '时区测试', attendeeIds: [], repeatWeeks: 0 }, MEMBER);
}

async function locks(url: string, roomId: string): Promise<string[]> {
  const response = await fetch(`${url}/_local/db/room_slots`);
  const { documents } = (await response.json()) as { documents: { _id: string; roomId: string }[] };
  return documents
    .filter((d) => d.roomId === roomId)
    .map((d) => d._id)
    .sort();
}

/** Everything a zone could get wrong, gathered on one cloud running under `zone`. */
async function observe(zone: string): Promise<Record<string, unknown>> {
  // Wednesday 5 June 2030, 09:10 in Shanghai (01:10 UTC; 18:10 the day before in Los Angeles).
  const started = await start(zone, '2030-06-05T09:10:00+08:00');
  try {
    const seen: Record<string, unknown> = {};
    const day = await must<RoomView>(started.url, 'rooms.save', { room: roomInput('时区日间室', { checkInRequired: true }) }, ADMIN);
    const night = await must<RoomView>(started.url, 'rooms.save', { room: roomInput('时区夜间室', { checkInRequired: true, hours: { open: '18:00', close: '02:00' }, openWeekdays: [3] }) }, ADMIN);
    const near = await must<RoomView>(started.url, 'rooms.save', { room: roomInput('时区近期室', { advanceDays: 1 }) }, ADMIN);

    const across = await book(started.url, night.id, '2030-06-05 23:00', '2030-06-06 01:00');
    seen.acrossNight = outcome(across);
    seen.acrossNightCheckIn = across.ok ? across.data.bookings[0].checkIn : null;
    seen.acrossDay = outcome(await book(started.url, day.id, '2030-06-05 21:30', '2030-06-06 00:30'));
    seen.beforeOpening = outcome(await book(started.url, day.id, '2030-06-06 07:30', '2030-06-06 08:30'));
    seen.atOpening = outcome(await book(started.url, day.id, '2030-06-06 08:00', '2030-06-06 09:00'));
    // Thursday's own evening: the night room opens on Wednesdays only.
    seen.thursdayEvening = outcome(await book(started.url, night.id, '2030-06-06 18:00', '2030-06-06 19:00'));
    seen.begun = outcome(await book(started.url, day.id, '2030-06-05 09:00', '2030-06-05 09:30'));
    seen.nightLocks = await locks(started.url, night.id);
    const timeline = await must<RoomDay>(started.url, 'rooms.day', { roomId: night.id, date: '2030-06-05' }, MEMBER);
    seen.nightPeriod = timeline.period;
    seen.nightMine = timeline.slots.filter((s) => s.state === 'mine').map((s) => s.start);
    seen.nightLastBookable = timeline.lastBookableDate;
    const cards = await must<{ items: RoomCard[] }>(started.url, 'rooms.list', { date: '2030-06-05' }, MEMBER);
    seen.nightCard = cards.items.filter((c) => c.id === night.id).map((c) => ({ period: c.period, free: c.free }));

    // 01:00 on Thursday in Shanghai is still Wednesday in UTC and Los Angeles.
    const moved = await fetch(`${started.url}/_local/clock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ at: '2030-06-06T01:00:00+08:00' }) });
    expect(moved.status).toBe(200);
    seen.lastAllowedDay = outcome(await book(started.url, near.id, '2030-06-07 10:00', '2030-06-07 11:00'));
    seen.dayAfterWindow = outcome(await book(started.url, near.id, '2030-06-08 10:00', '2030-06-08 11:00'));
    seen.pastAfterMidnight = outcome(await book(started.url, night.id, '2030-06-06 00:00', '2030-06-06 00:30'));
    seen.laterAfterMidnight = outcome(await book(started.url, night.id, '2030-06-06 01:30', '2030-06-06 02:00'));
    const today = await must<RoomDay>(started.url, 'rooms.day', { roomId: near.id, date: '2030-06-06' }, MEMBER);
    seen.todayLastBookable = today.lastBookableDate;
    return seen;
  } finally {
    await stop(started);
  }
}

test.each(ZONES)('under TZ=%s the same wall-clock bookings give the same Shanghai answers', async (zone) => {
  const seen = await observe(zone);
  expect(seen).toEqual({
    acrossNight: 'OK 2030-06-05 23:00–2030-06-06 01:00',
    acrossNightCheckIn: { opens: '2030-06-05 22:50', closes: '2030-06-05 23:15' },
    acrossDay: 'BOOKING_OUTSIDE_HOURS',
    beforeOpening: 'BOOKING_OUTSIDE_HOURS',
    atOpening: 'OK 2030-06-06 08:00–2030-06-06 09:00',
    thursdayEvening: 'BOOKING_OUTSIDE_HOURS',
    begun: 'BOOKING_IN_PAST',
    nightLocks: expect.any(Array),
    nightPeriod: { start: '2030-06-05 18:00', end: '2030-06-06 02:00' },
    nightMine: ['2030-06-05 23:00', '2030-06-05 23:30', '2030-06-06 00:00', '2030-06-06 00:30'],
    nightLastBookable: '2030-06-19',
    nightCard: [{ period: { start: '18:00', end: '02:00' }, free: [{ start: '18:00', end: '23:00' }, { start: '01:00', end: '02:00' }] }],
    lastAllowedDay: 'OK 2030-06-07 10:00–2030-06-07 11:00',
    dayAfterWindow: 'BOOKING_TOO_FAR',
    pastAfterMidnight: 'BOOKING_IN_PAST',
    laterAfterMidnight: 'OK 2030-06-06 01:30–2030-06-06 02:00',
    todayLastBookable: '2030-06-07',
  });
  // The lock ids are Shanghai wall-clock grains, whatever the zone.
  const nightId = String((seen.nightLocks as string[])[0]).split('~')[0];
  expect(seen.nightLocks).toEqual(grainIds(nightId, '2030-06-05 23:00', '2030-06-06 01:00'));
}, 90_000);
