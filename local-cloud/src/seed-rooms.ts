/**
 * Demo meeting rooms and bookings for the local cloud's first start with demo data. Made through
 * the `room` function's own actions, called as the demo admin and the demo members, so rooms,
 * bookings and their slot locks are exactly what the pages would have left. Bookings lie today
 * and tomorrow of the cloud's clock, so under `--clock` every run has the same ones.
 */
import { businessTime, formatBusiness, fromBusinessWallClock } from '../../server/core/time';
import type { BookingView, Result, RoomInput, RoomView } from '../../typings';
import type { CallerIdentity } from './invocations';
import { DEMO_APPID, DEMO_PEOPLE } from './seed';

/**
 * The subscribe-message templates `npm start` gives the room function (an operator's own
 * `ROOM_SUBSCRIBE_TEMPLATES` wins): a reminder before a booking and a booking's result, both one-time.
 */
export const DEMO_ROOM_SUBSCRIBE_TEMPLATES = JSON.stringify([
  { id: 'demo-tmpl-booking-remind', kind: 'one-time', purpose: 'booking-remind', fields: { thing1: 'subject', thing2: 'room', time3: 'start', thing4: 'hint' } },
  { id: 'demo-tmpl-booking-result', kind: 'one-time', purpose: 'booking-result', fields: { thing1: 'subject', thing2: 'room', time3: 'start', phrase4: 'status', thing5: 'reason' } },
]);

/** Written once the demo rooms are made: a restart, or an operator's later changes, never seeds them again. */
export const DEMO_ROOMS_DOC_ID = 'demo-rooms';

/** What the seeding needs of the local cloud: its database and a way to call a function as someone. */
export interface RoomSeedHost {
  readonly engine: {
    hasCollection(name: string): boolean;
    countDocuments(name: string, query?: Record<string, unknown>): number;
    dump(name: string): Array<Record<string, unknown>>;
    insertDocuments(name: string, docs: ReadonlyArray<Record<string, unknown>>): unknown[];
  };
  listFunctions(): ReadonlyArray<{ name: string }>;
  invoke(functionName: string, event: unknown, identity: CallerIdentity): Promise<{ status: number; body: unknown }>;
  currentTime(): Date;
}

export interface DemoRoomsSummary {
  rooms: number;
  bookings: number;
}

type RoomKey = 'meeting' | 'seminar' | 'hall' | 'study' | 'small';

interface DemoRoom {
  key: RoomKey;
  input: RoomInput;
  /** Taken out of service with this reason once made. */
  outOfService?: string;
}

function room(fields: Partial<RoomInput> & Pick<RoomInput, 'name' | 'building' | 'floor' | 'capacity' | 'equipment' | 'hours' | 'slotMinutes' | 'maxMinutes' | 'advanceDays'>): RoomInput {
  return {
    photoFileId: null,
    // Every day, so the demo bookings of today and tomorrow exist whatever day the clock shows.
    openWeekdays: [1, 2, 3, 4, 5, 6, 7],
    closedDates: [],
    unitIds: [],
    approval: { required: false, approverIds: [] },
    checkInRequired: false,
    notes: '',
    ...fields,
  };
}

const DEMO_ROOMS: readonly DemoRoom[] = [
  {
    key: 'meeting',
    input: room({
      name: '第一会议室',
      building: '行政楼',
      floor: '3F',
      capacity: 20,
      equipment: ['projector', 'video', 'whiteboard'],
      hours: { open: '08:00', close: '22:00' },
      slotMinutes: 30,
      maxMinutes: 240,
      // The weekly meeting's fourth week must be within the window.
      advanceDays: 30,
      checkInRequired: true,
      notes: '钥匙在行政楼 3F 综合办公室领取，用后请关闭投影和空调。',
    }),
  },
  {
    key: 'seminar',
    input: room({
      name: '研讨室 A',
      building: '图书馆',
      floor: '2F',
      capacity: 8,
      equipment: ['whiteboard'],
      hours: { open: '08:00', close: '22:00' },
      slotMinutes: 30,
      maxMinutes: 180,
      advanceDays: 14,
      unitIds: ['u_demo_cs'],
      checkInRequired: true,
      notes: '仅限计算机学院师生预约。',
    }),
  },
  {
    key: 'hall',
    input: room({
      name: '学术报告厅',
      building: '综合楼',
      floor: '1F',
      capacity: 200,
      equipment: ['projector', 'screen', 'microphone', 'video'],
      hours: { open: '08:00', close: '21:00' },
      slotMinutes: 60,
      maxMinutes: 240,
      advanceDays: 30,
      approval: { required: true, approverIds: ['m_demo_admin'] },
      notes: '预约需教务处审批，请至少提前一天申请。',
    }),
  },
  {
    key: 'study',
    input: room({
      name: '自习室 301',
      building: '实验楼',
      floor: '3F',
      capacity: 60,
      equipment: [],
      hours: { open: '18:00', close: '02:00' },
      slotMinutes: 60,
      maxMinutes: 480,
      advanceDays: 7,
      notes: '夜间自习室，开放至次日 02:00。',
    }),
  },
  {
    key: 'small',
    input: room({
      name: '第二会议室',
      building: '行政楼',
      floor: '2F',
      capacity: 10,
      equipment: ['phone', 'whiteboard'],
      hours: { open: '08:00', close: '22:00' },
      slotMinutes: 30,
      maxMinutes: 240,
      advanceDays: 14,
    }),
    outOfService: '空调维修，暂停使用',
  },
];

interface DemoBooking {
  requestId: string;
  /** The demo account that books. */
  by: string;
  room: RoomKey;
  /** Days after the clock's day (0 today, 1 tomorrow), at `time`; `next` is the first slot after now. */
  day: 0 | 1;
  time: string | 'next';
  minutes: number;
  subject: string;
  attendeeIds: string[];
  repeatWeeks: number;
}

const DEMO_BOOKINGS: readonly DemoBooking[] = [
  // The demo member's own booking, soon: 我的预约 shows it with check-in.
  { requestId: 'demo-booking-class', by: 'demo-member-1', room: 'meeting', day: 0, time: 'next', minutes: 60, subject: '软工2301班班会', attendeeIds: ['m_demo_2'], repeatWeeks: 0 },
  // Waits for the demo admin's approval.
  { requestId: 'demo-booking-election', by: 'demo-member-1', room: 'hall', day: 1, time: '14:00', minutes: 120, subject: '学生会换届选举大会', attendeeIds: ['m_demo_2', 'm_demo_3'], repeatWeeks: 0 },
  // Every week at the same time, four weeks.
  { requestId: 'demo-booking-weekly', by: 'demo-admin', room: 'meeting', day: 1, time: '09:00', minutes: 60, subject: '教务处周例会', attendeeIds: ['m_demo_counsellor'], repeatWeeks: 3 },
  // Someone else's booking the demo member attends.
  { requestId: 'demo-booking-group', by: 'demo-member-3', room: 'seminar', day: 1, time: '15:00', minutes: 90, subject: '数据结构小组讨论', attendeeIds: ['m_demo_1', 'm_demo_2'], repeatWeeks: 0 },
  // Across midnight, as the study room's hours allow.
  { requestId: 'demo-booking-study', by: 'demo-member-2', room: 'study', day: 0, time: '22:00', minutes: 180, subject: '考研晚自习', attendeeIds: [], repeatWeeks: 0 },
];

function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h * 60 + m;
}

function wallAt(date: string, minutes: number): string {
  const instant = fromBusinessWallClock(`${date} 00:00`).getTime() + minutes * 60_000;
  return formatBusiness(instant);
}

/**
 * Start and end (`YYYY-MM-DD HH:mm`) of a demo booking with the clock at `now`: its day and
 * time, a day later when that has begun already. `next` is the first slot boundary after now
 * that leaves the booking inside the room's hours today, or 10:00 tomorrow.
 */
export function demoBookingTimes(booking: Pick<DemoBooking, 'day' | 'time' | 'minutes'>, input: Pick<RoomInput, 'hours' | 'slotMinutes'>, now: Date): { start: string; end: string } {
  const today = businessTime(now);
  const date = (days: number): string => today.add(days, 'day').format('YYYY-MM-DD');
  let start: string;
  if (booking.time === 'next') {
    const open = minutesOf(input.hours.open);
    const close = minutesOf(input.hours.close);
    const nowMinutes = today.hour() * 60 + today.minute();
    const next = Math.max(open, open + (Math.floor((nowMinutes - open) / input.slotMinutes) + 1) * input.slotMinutes);
    start = next + booking.minutes <= close ? wallAt(date(0), next) : wallAt(date(1), minutesOf('10:00'));
  } else {
    start = wallAt(date(booking.day), minutesOf(booking.time));
    if (fromBusinessWallClock(start) <= now) start = wallAt(date(booking.day + 1), minutesOf(booking.time));
  }
  return { start, end: formatBusiness(fromBusinessWallClock(start).getTime() + booking.minutes * 60_000) };
}

class SeedFailure extends Error {}

/**
 * Makes the demo rooms and bookings once: when the demo accounts exist and they were never made.
 * Answers what it made, or null when there was nothing to do; a failing call is logged and
 * leaves the mark unset, so the next start completes it (rooms already made are reused by name,
 * and a booking's request id answers the booking it already made).
 */
export async function seedDemoRooms(host: RoomSeedHost, log: (line: string) => void): Promise<DemoRoomsSummary | null> {
  const { engine } = host;
  if (!engine.hasCollection('users') || engine.countDocuments('users', { _id: 'demo-admin', demo: true }) === 0) return null;
  if (engine.countDocuments('settings', { _id: DEMO_ROOMS_DOC_ID }) > 0) return null;
  if (!host.listFunctions().some((fn) => fn.name === 'room')) {
    log('[demo rooms] the room function is not built: no demo rooms');
    return null;
  }
  const call = async <T>(userId: string, action: string, request: object): Promise<T> => {
    const person = DEMO_PEOPLE.find((p) => p.userId === userId);
    if (!person) throw new SeedFailure(`no demo person ${userId}`);
    const identity: CallerIdentity = { openid: person.openid, appid: DEMO_APPID, unionid: person.unionid, source: 'wx_client' };
    const { status, body } = await host.invoke('room', { action, ...request }, identity);
    const result = body as Result<T> | null;
    if (status !== 200 || !result || typeof result !== 'object') throw new SeedFailure(`${action}: HTTP ${status}`);
    if (!result.ok) throw new SeedFailure(`${action}: ${result.error.code} ${result.error.message}`);
    return result.data;
  };
  try {
    const existing = new Map(engine.hasCollection('rooms') ? engine.dump('rooms').map((doc) => [String(doc.name), String(doc._id)] as const) : []);
    const ids = new Map<RoomKey, string>();
    for (const demo of DEMO_ROOMS) {
      const id = existing.get(demo.input.name) ?? (await call<RoomView>('demo-admin', 'rooms.save', { room: demo.input })).id;
      ids.set(demo.key, id);
    }
    const now = host.currentTime();
    let bookings = 0;
    for (const booking of DEMO_BOOKINGS) {
      const demo = DEMO_ROOMS.find((r) => r.key === booking.room) as DemoRoom;
      const { start, end } = demoBookingTimes(booking, demo.input, now);
      const made = await call<{ bookings: BookingView[] }>(booking.by, 'bookings.create', {
        requestId: booking.requestId,
        roomId: ids.get(booking.room),
        start,
        end,
        subject: booking.subject,
        attendeeIds: booking.attendeeIds,
        repeatWeeks: booking.repeatWeeks,
      });
      bookings += made.bookings.length;
    }
    for (const demo of DEMO_ROOMS) {
      if (demo.outOfService) await call('demo-admin', 'rooms.setService', { roomId: ids.get(demo.key), inService: false, reason: demo.outOfService });
    }
    engine.insertDocuments('settings', [{ _id: DEMO_ROOMS_DOC_ID, rooms: DEMO_ROOMS.length, bookings, at: now }]);
    return { rooms: DEMO_ROOMS.length, bookings };
  } catch (error) {
    if (!(error instanceof SeedFailure)) throw error;
    log(`[demo rooms] not completed, tried again at the next start: ${error.message}`);
    return null;
  }
}
