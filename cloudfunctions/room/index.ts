/**
 * Meeting rooms: rooms (admins keep them), availability, booking with no double booking,
 * approval, change and cancel, check-in at the door, usage, and the subscribe-message credits
 * booking messages spend. A minute timer releases no-shows, sends reminders and finishes what a
 * crash left. Identity comes from the WeChat context through the shared guard.
 */
import * as z from 'zod/mini';
import type { Equipment } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { EQUIPMENT_KEYS } from '../../typings/room-rules';
import { hasAnyRole, loadCallerAccount } from '../../server/accounts/guard';
import { platformDeps } from '../../server/adapters/platform-deps';
import { db, readWxIdentity } from '../../server/adapters/wx-cloud.adapter';
import { ok } from '../../server/core/result';
import { createMain } from '../../server/core/router';
import { chars } from '../../server/core/validation';
import { subscriptionActions } from '../../server/notice/subscription-schema';
import {
  approvalsOf,
  cancelBooking,
  changeBooking,
  checkIn,
  checkInAtRoom,
  createBooking,
  decideBooking,
  endBooking,
  getBooking,
  myBookings,
  type RoomDeps,
} from '../../server/room/bookings';
import { roomConfigFromEnv } from '../../server/room/config';
import { freeRooms, listRooms, roomCode, roomDay, saveRoom, setService } from '../../server/room/rooms';
import { deliverTells, runRoomTimer } from '../../server/room/timer';
import { roomUsage } from '../../server/room/usage';

function deps(): RoomDeps {
  return { ...platformDeps(), config: roomConfigFromEnv() };
}

const id = z.string().check(z.minLength(1), z.maxLength(64));
const cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(200)));
/** Business wall-clock time `YYYY-MM-DD HH:mm`; its meaning is checked by the domain. */
const wallClock = z.string().check(z.maxLength(16));
const day = z.string().check(z.maxLength(10));
const timeOfDay = z.string().check(z.maxLength(5));
const count = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));
const equipment = z.array(z.enum(EQUIPMENT_KEYS as [Equipment, ...Equipment[]])).check(z.maxLength(EQUIPMENT_KEYS.length));
const filters = { minCapacity: z.optional(count(0, FIELD_LIMITS.roomCapacity)), equipment: z.optional(equipment) };
const room = z.strictObject({
  name: chars(FIELD_LIMITS.roomName),
  building: chars(FIELD_LIMITS.roomBuilding),
  floor: chars(FIELD_LIMITS.roomFloor),
  capacity: z.number(),
  equipment,
  photoFileId: z.nullable(z.string().check(z.minLength(1), z.maxLength(1024))),
  hours: z.strictObject({ open: timeOfDay, close: timeOfDay }),
  openWeekdays: z.array(z.number()).check(z.maxLength(7)),
  closedDates: z.array(day).check(z.maxLength(FIELD_LIMITS.roomClosedDates)),
  slotMinutes: z.union([z.literal(15), z.literal(30), z.literal(60)]),
  maxMinutes: z.number(),
  advanceDays: z.number(),
  unitIds: z.array(id).check(z.maxLength(FIELD_LIMITS.roomUnits)),
  approval: z.strictObject({ required: z.boolean(), approverIds: z.array(id).check(z.maxLength(FIELD_LIMITS.roomApprovers)) }),
  checkInRequired: z.boolean(),
  notes: chars(FIELD_LIMITS.roomNotes),
});
const rev = z.string().check(z.maxLength(64));
const reason = z.optional(chars(FIELD_LIMITS.bookingReason));

export const main = createMain({
  name: 'room',
  readIdentity: readWxIdentity,
  guard: { load: (caller) => loadCallerAccount({ db: db() }, caller), allows: hasAnyRole },
  actions: {
    'rooms.list': {
      input: z.strictObject({ date: day, all: z.optional(z.boolean()), after: cursor, ...filters }),
      async handle(request, { account }) {
        return ok(await listRooms(deps(), account, request));
      },
    },
    'rooms.free': {
      input: z.strictObject({ start: wallClock, end: wallClock, ...filters }),
      async handle(request, { account }) {
        return ok(await freeRooms(deps(), account, request));
      },
    },
    'rooms.day': {
      input: z.strictObject({ roomId: id, date: day }),
      async handle(request, { account }) {
        return ok(await roomDay(deps(), account, request));
      },
    },
    'rooms.save': {
      input: z.strictObject({ roomId: z.optional(id), rev: z.optional(rev), room }),
      roles: ['admin'],
      async handle(request, { account }) {
        return ok(await saveRoom(deps(), account, request));
      },
    },
    'rooms.setService': {
      input: z.strictObject({ roomId: id, inService: z.boolean(), reason }),
      roles: ['admin'],
      async handle(request, { account }) {
        const d = deps();
        const result = await setService(d, account, request);
        // Bookers hear at once when few; the timer tells the rest.
        if (result.cancelled > 0 && result.cancelled <= 20) await deliverTells(d);
        return ok(result);
      },
    },
    'rooms.code': {
      input: z.strictObject({ roomId: id }),
      roles: ['admin'],
      async handle({ roomId }) {
        return ok(await roomCode(deps(), roomId));
      },
    },
    'rooms.usage': {
      input: z.strictObject({ weekStart: day }),
      roles: ['admin'],
      async handle(request) {
        return ok(await roomUsage(deps(), request));
      },
    },
    'bookings.create': {
      input: z.strictObject({
        requestId: z.string().check(z.minLength(8), z.maxLength(64)),
        roomId: id,
        start: wallClock,
        end: wallClock,
        subject: chars(FIELD_LIMITS.bookingSubject),
        attendeeIds: z.array(id).check(z.maxLength(FIELD_LIMITS.bookingAttendees)),
        repeatWeeks: count(0, FIELD_LIMITS.bookingRepeatWeeks),
      }),
      async handle(request, { account }) {
        return ok({ bookings: await createBooking(deps(), account, request) });
      },
    },
    'bookings.mine': {
      input: z.strictObject({ when: z.enum(['upcoming', 'past']), after: cursor }),
      async handle(request, { account }) {
        return ok(await myBookings(deps(), account, request));
      },
    },
    'bookings.get': {
      input: z.strictObject({ bookingId: id }),
      async handle({ bookingId }, { account }) {
        return ok(await getBooking(deps(), account, bookingId));
      },
    },
    'bookings.change': {
      input: z.strictObject({
        bookingId: id,
        rev,
        start: wallClock,
        end: wallClock,
        subject: chars(FIELD_LIMITS.bookingSubject),
        attendeeIds: z.array(id).check(z.maxLength(FIELD_LIMITS.bookingAttendees)),
      }),
      async handle(request, { account }) {
        return ok(await changeBooking(deps(), account, request));
      },
    },
    'bookings.cancel': {
      input: z.strictObject({ bookingId: id, series: z.optional(z.boolean()), reason }),
      async handle(request, { account }) {
        const d = deps();
        const cancelled = await cancelBooking(d, account, request);
        // Every week this call cancelled, so a series is told of once (not once now and again by the timer).
        await deliverTells(d, cancelled);
        return ok({ cancelled: cancelled.length });
      },
    },
    'bookings.checkIn': {
      input: z.strictObject({ bookingId: id }),
      async handle({ bookingId }, { account }) {
        return ok(await checkIn(deps(), account, bookingId));
      },
    },
    'bookings.checkInAtRoom': {
      input: z.strictObject({ roomId: id }),
      async handle({ roomId }, { account }) {
        return ok(await checkInAtRoom(deps(), account, roomId));
      },
    },
    'bookings.end': {
      input: z.strictObject({ bookingId: id }),
      async handle({ bookingId }, { account }) {
        return ok(await endBooking(deps(), account, bookingId));
      },
    },
    'bookings.approvals': {
      input: z.strictObject({ after: cursor }),
      async handle({ after }, { account }) {
        return ok(await approvalsOf(deps(), account, after));
      },
    },
    'bookings.decide': {
      input: z.strictObject({ bookingId: id, approve: z.boolean(), reason }),
      async handle(request, { account }) {
        const d = deps();
        const decided = await decideBooking(d, account, request);
        await deliverTells(d);
        return ok({ decided });
      },
    },
    ...subscriptionActions(deps),
  },
  timers: {
    everyMinute: async () => ok(await runRoomTimer(deps())),
  },
});
