/**
 * Building blocks of the `room` function tests: rooms saved by the admin, members who book,
 * the local cloud's clock moved in business time (Asia/Shanghai), and direct reads and writes
 * of the engine where a test needs to see the locks or plant what a crash leaves.
 *
 * Every world starts with its clock stopped at BASE, a Wednesday morning, so weekdays, the
 * advance window and "not in the past" are the same on every run; tests move it with `at`.
 */
import type { RunningLocalCloud, StartOptions } from '../../local-cloud/src/server';
import type { Doc } from '../../local-cloud/src/db/engine';
import type { BookingView, BookRequest, Result, RoomInput, RoomView, SubscriptionState, UnitView } from '../../typings';
import { type Caller, type CallResult, call, setClock, startTestCloud } from './local-cloud';
import { ADMIN, NoticeWorld, type Person, type Reader } from './notice-fixtures';

export { ADMIN, code, inBatches, type Person, type Reader } from './notice-fixtures';

/** Wednesday 5 June 2030, 09:10 in Shanghai: the time every room world starts at. */
export const BASE = '2030-06-05 09:10';

export const REMIND_TEMPLATE = 'tmpl-booking-remind';
export const RESULT_TEMPLATE = 'tmpl-booking-result';
/** ROOM_SUBSCRIBE_TEMPLATES as a deployment configures it. */
export const ROOM_TEMPLATES = [
  { id: REMIND_TEMPLATE, kind: 'one-time', purpose: 'booking-remind', fields: { thing1: 'subject', thing2: 'room', time3: 'start', thing4: 'hint' } },
  { id: RESULT_TEMPLATE, kind: 'one-time', purpose: 'booking-result', fields: { thing1: 'subject', thing2: 'room', time3: 'start', phrase4: 'status', thing5: 'reason' } },
];

/** The instant of a business wall-clock time `YYYY-MM-DD HH:mm` (Shanghai has no DST). */
export function instantOf(wall: string): Date {
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d)$/.exec(wall);
  if (!match) throw new Error(`not a business time: ${wall}`);
  return new Date(`${match[1]}T${match[2]}:00+08:00`);
}

/** The business wall-clock time of an instant. */
export function wallOf(instant: Date): string {
  return new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** `wall` moved by `minutes`. */
export function plus(wall: string, minutes: number): string {
  return wallOf(new Date(instantOf(wall).getTime() + minutes * 60_000));
}

/** The day `days` after `date` (`YYYY-MM-DD`). */
export function dayAfter(date: string, days: number): string {
  return plus(`${date} 00:00`, days * 1440).slice(0, 10);
}

/** The lock ids (`<room>~<YYYYMMDDHHmm>`) of the 15-minute grains from `start` to `end`. */
export function grainIds(roomId: string, start: string, end: string): string[] {
  const ids: string[] = [];
  for (let at = start; instantOf(at) < instantOf(end); at = plus(at, 15)) ids.push(`${roomId}~${at.replace(/[- :]/g, '')}`);
  return ids;
}

export function errorOf(result: Result<unknown>): { code: string; message: string; field?: string; conflicts?: unknown[] } {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.data).slice(0, 300)}`);
  return result.error as { code: string; message: string; field?: string; conflicts?: unknown[] };
}

export function dataOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.data;
}

/** A room open every day 08:00–22:00 in 30-minute slots, up to 4 hours, 14 days ahead, for everyone. */
export function roomInput(name: string, overrides: Partial<RoomInput> = {}): RoomInput {
  return {
    name,
    building: '行政楼',
    floor: '3F',
    capacity: 10,
    equipment: ['projector', 'whiteboard'],
    photoFileId: null,
    hours: { open: '08:00', close: '22:00' },
    openWeekdays: [1, 2, 3, 4, 5, 6, 7],
    closedDates: [],
    slotMinutes: 30,
    maxMinutes: 240,
    advanceDays: 14,
    unitIds: [],
    approval: { required: false, approverIds: [] },
    checkInRequired: false,
    notes: '',
    ...overrides,
  };
}

/**
 * One local cloud for a test file with the room templates configured and its clock at BASE;
 * `ready` receives the world. Each test should start from `w.at(...)` or `w.resetClock()`.
 */
export function useRoomWorld(tag: string, ready: (world: RoomWorld) => void, functionEnv: Record<string, string> = {}, options: Partial<StartOptions> = {}): void {
  let cloud: RunningLocalCloud | null = null;
  beforeAll(async () => {
    cloud = await startTestCloud({
      clock: instantOf(BASE),
      functionEnv: { XINTONG_ORG_NAME: '测试大学', ROOM_SUBSCRIBE_TEMPLATES: JSON.stringify(ROOM_TEMPLATES), ...functionEnv },
      ...options,
    });
    ready(new RoomWorld(cloud, tag));
  });
  afterAll(async () => {
    await cloud?.close();
  });
}

export class RoomWorld extends NoticeWorld {
  private clockWall = BASE;
  private homeUnit: Promise<UnitView> | null = null;

  constructor(cloud: RunningLocalCloud, tag: string) {
    super(cloud, tag);
  }

  /** Moves the time every function sees to the business time `wall`. */
  at(wall: string): void {
    setClock(this.cloud, instantOf(wall));
    this.clockWall = wall;
  }

  resetClock(): void {
    this.at(BASE);
  }

  get now(): string {
    return this.clockWall;
  }

  /** The business day `offset` days from the clock's. */
  day(offset = 0): string {
    return dayAfter(this.clockWall.slice(0, 10), offset);
  }

  /** `HH:mm` on the day `offset` days from the clock's. */
  t(offset: number, time: string): string {
    return `${this.day(offset)} ${time}`;
  }

  /** One call of the room function, with the database requests it made. */
  callRoom<T>(action: string, request: Record<string, unknown>, caller: Caller = ADMIN): Promise<CallResult<Result<T>>> {
    return call<Result<T>>(this.cloud, 'room', { action, ...request }, caller);
  }

  async room<T>(action: string, request: Record<string, unknown>, caller: Caller = ADMIN): Promise<Result<T>> {
    return (await this.callRoom<T>(action, request, caller)).body;
  }

  async roomMust<T>(action: string, request: Record<string, unknown>, caller: Caller = ADMIN): Promise<T> {
    const result = await this.room<T>(action, request, caller);
    if (!result.ok) throw new Error(`room ${action} failed: ${JSON.stringify(result.error)}`);
    return result.data;
  }

  roomInput(overrides: Partial<RoomInput> = {}): RoomInput {
    return roomInput(this.next('会议室'), overrides);
  }

  saveRoom(overrides: Partial<RoomInput> = {}, caller: Caller = ADMIN): Promise<Result<RoomView>> {
    return this.room<RoomView>('rooms.save', { room: this.roomInput(overrides) }, caller);
  }

  /** A room saved by the admin. */
  async makeRoom(overrides: Partial<RoomInput> = {}): Promise<RoomView> {
    return dataOf(await this.saveRoom(overrides));
  }

  /** The unit people book from unless a test places them elsewhere. */
  home(): Promise<UnitView> {
    this.homeUnit ??= this.unit('root', '办公室', 'department');
    return this.homeUnit;
  }

  /** A roster member bound to a signed-in person (in the home unit unless `unitIds`). */
  async booker(unitIds?: string[]): Promise<Reader> {
    return this.reader(unitIds ?? [(await this.home()).id]);
  }

  request(room: { id: string }, start: string, end: string, overrides: Partial<BookRequest> = {}): BookRequest {
    return { requestId: this.next('request-'), roomId: room.id, start, end, subject: this.next('例会'), attendeeIds: [], repeatWeeks: 0, ...overrides };
  }

  book(who: Caller, room: { id: string }, start: string, end: string, overrides: Partial<BookRequest> = {}): Promise<Result<{ bookings: BookingView[] }>> {
    return this.room<{ bookings: BookingView[] }>('bookings.create', { ...this.request(room, start, end, overrides) }, who);
  }

  /** The one booking of a single booking request that must succeed. */
  async bookMust(who: Caller, room: { id: string }, start: string, end: string, overrides: Partial<BookRequest> = {}): Promise<BookingView> {
    const { bookings } = dataOf(await this.book(who, room, start, end, overrides));
    return bookings[0];
  }

  get(who: Caller, bookingId: string): Promise<Result<BookingView>> {
    return this.room<BookingView>('bookings.get', { bookingId }, who);
  }

  /** The room's lock documents as stored. */
  locks(roomId: string): Doc[] {
    return this.docs('room_slots')
      .filter((lock) => lock.roomId === roomId)
      .sort((a, b) => String(a._id).localeCompare(String(b._id)));
  }

  /** The lock ids of the room held by `bookingId` (sorted). */
  locksOf(roomId: string, bookingId: string): string[] {
    return this.locks(roomId)
      .filter((lock) => lock.bookingId === bookingId)
      .map((lock) => String(lock._id));
  }

  bookingDoc(id: string): Doc | undefined {
    return this.doc('room_bookings', id);
  }

  bookingsOf(roomId: string): Doc[] {
    return this.docs('room_bookings').filter((b) => b.roomId === roomId);
  }

  /** The room function's minute timer, as the platform's trigger delivers it. */
  async roomTimer(): Promise<{ status: number; body: unknown }> {
    const event = { Type: 'Timer', TriggerName: 'everyMinute', Time: instantOf(this.clockWall).toISOString(), Message: '' };
    const { status, body } = await this.cloud.cloud.invoke('room', event, { source: 'wx_trigger' });
    return { status, body };
  }

  /** A person accepts `templateId` in the popup: WeChat counts a credit, and so does Xintong. */
  async accept(person: Person, templateId: string): Promise<SubscriptionState> {
    this.cloud.cloud.openapi.subscribe(person.openid as string, { [templateId]: 'accept' });
    return this.roomMust<SubscriptionState>('subscriptions.record', { choices: { [templateId]: 'accept' } }, person);
  }

  /** Subscribe messages the stand-in received for `openid` (delivered or refused). */
  messagesTo(openid: string | undefined, templateId?: string): { templateId: string; data: Record<string, { value: string }>; errCode: number; page: string | null }[] {
    return this.cloud.cloud.openapi.subscribeMessages.filter((m) => m.touser === openid && (templateId === undefined || m.templateId === templateId));
  }
}
