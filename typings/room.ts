/**
 * Contract of the `room` cloud function: meeting rooms (admins keep them), availability, booking
 * with no double booking ever, approval, change and cancel, check-in at the door, and usage.
 *
 * Times are business times (Asia/Shanghai): an instant is sent and shown `YYYY-MM-DD HH:mm`, a
 * day `YYYY-MM-DD`, a time of day `HH:mm`. A room's opening period starts on a day at `hours.open`
 * and ends at `hours.close` the same day, or the next day when `close` is not after `open`
 * (`18:00`–`02:00`); a booking lies inside one period, so it may cross midnight only when the
 * room's hours do.
 */
import type { Page } from './account';
import type { SubscribeChoice, SubscriptionState } from './notice';

/** Keys of ROOM_EQUIPMENT (typings/room-rules.ts), which names them in Chinese. */
export type Equipment = 'projector' | 'screen' | 'video' | 'whiteboard' | 'microphone' | 'phone';

/** Minutes per slot: bookings start and end on slot boundaries of their room. */
export type SlotMinutes = 15 | 30 | 60;

export interface RoomHours {
  /** `HH:mm`, on a slot boundary. */
  open: string;
  /** `HH:mm`; `24:00` or anything not after `open` ends the next day. */
  close: string;
}

/** What an admin enters for a room. */
export interface RoomInput {
  /** 1–40 characters, unique among rooms. */
  name: string;
  /** 0–40 characters, e.g. 行政楼. */
  building: string;
  /** 0–10 characters, e.g. 3F. */
  floor: string;
  /** People it seats, 1–1000. */
  capacity: number;
  equipment: Equipment[];
  /** An image the admin uploaded under `room-photos/<account id>/`; null for none. */
  photoFileId: string | null;
  hours: RoomHours;
  /** Days of the week it opens: 1 Monday … 7 Sunday (a period belongs to the day it starts). */
  openWeekdays: number[];
  /** Days it does not open whatever the weekday (holidays), `YYYY-MM-DD`, at most 60. */
  closedDates: string[];
  slotMinutes: SlotMinutes;
  /** Longest booking in minutes: a multiple of the slot, at most 720. */
  maxMinutes: number;
  /** How many days ahead it can be booked, 1–90 (today counts as day 0). */
  advanceDays: number;
  /** Units whose members (with their sub-units) may book it; empty: everyone. */
  unitIds: string[];
  /** Whether a booking waits for an approver; approvers are roster members (admins always may approve). */
  approval: { required: boolean; approverIds: string[] };
  /** Whether bookings must be checked in; a booking not checked in by the end of the window is released. */
  checkInRequired: boolean;
  /** 0–200 characters shown on the room page (how to get the key, rules). */
  notes: string;
}

/** A room as everyone reads it. */
export interface RoomView extends Omit<RoomInput, 'unitIds' | 'approval'> {
  id: string;
  /** Changes on every save; a save sends back the one it read. */
  rev: string;
  inService: boolean;
  /** Why it is out of service (null when in service). */
  outOfServiceReason: string | null;
  /** A temporary link to the photo (never stored); null without a photo. */
  photoUrl: string | null;
  units: { id: string; name: string }[];
  approval: { required: boolean; approvers: { id: string; name: string }[] };
  /** Whether the caller may book it (units, service, roster). */
  canBook: boolean;
  /** Why not, when `canBook` is false: `unbound`, `units`, `out-of-service`. */
  cannotBookReason: 'unbound' | 'units' | 'out-of-service' | null;
  /** This deployment's check-in window around a booking's start, in minutes. */
  checkInWindow: { beforeMinutes: number; afterMinutes: number };
}

/** A free stretch of time, `HH:mm`–`HH:mm` (the end may be the next day's, shown as is). */
export interface FreeRange {
  start: string;
  end: string;
}

/** A room in the list and in search results. */
export interface RoomCard {
  id: string;
  name: string;
  building: string;
  floor: string;
  capacity: number;
  equipment: Equipment[];
  photoUrl: string | null;
  inService: boolean;
  canBook: boolean;
  needsApproval: boolean;
  /** The day's opening period, `HH:mm`; null when closed that day. */
  period: FreeRange | null;
  /** Free stretches of the day's period from now on (the whole period for a later day). */
  free: FreeRange[];
}

export type SlotState = 'free' | 'taken' | 'pending' | 'mine' | 'past';

/** One slot of a room's day: the timeline the room page draws. */
export interface TimelineSlot {
  /** `YYYY-MM-DD HH:mm`: what a booking sends back. */
  start: string;
  end: string;
  state: SlotState;
  /**
   * The booking holding it (taken, pending or mine): `pending` while it waits for approval,
   * `attending` when the caller is invited to it rather than its booker.
   */
  booking: { id: string; subject: string; bookerName: string; start: string; end: string; pending: boolean; attending: boolean } | null;
}

export interface RoomDay {
  room: RoomView;
  date: string;
  /** Null when the room does not open that day. */
  period: { start: string; end: string } | null;
  /** Why there is no period: a closed weekday, a holiday, out of service, beyond the advance window. */
  closed: 'weekday' | 'holiday' | 'out-of-service' | 'too-far' | null;
  slots: TimelineSlot[];
  /** The last day that may be booked now. */
  lastBookableDate: string;
}

export type BookingStatus =
  /** Waiting for an approver: holds its slots. */
  | 'pending'
  | 'confirmed'
  /** By the booker or an admin, or because the room went out of service. */
  | 'cancelled'
  | 'rejected'
  /** Not checked in in time: released by the timer. */
  | 'released'
  /** Ended early by the booker: the rest was freed. */
  | 'ended';

export interface BookingView {
  id: string;
  /** Shared by the weeks of a repeating booking; null for a single one. */
  seriesId: string | null;
  /** 1-based week of the series, and how many there are (1 for a single booking). */
  occurrence: number;
  occurrences: number;
  roomId: string;
  roomName: string;
  /** Building and floor, `行政楼 3F`. */
  place: string;
  subject: string;
  start: string;
  end: string;
  status: BookingStatus;
  booker: { memberId: string; name: string };
  attendees: { id: string; name: string }[];
  /** The caller booked it (or attends it). */
  mine: boolean;
  /** How the caller takes part: its booker, an attendee, or neither (an approver, an admin). */
  role: 'booker' | 'attendee' | null;
  checkInRequired: boolean;
  checkedInAt: string | null;
  /** When it was ended early, cancelled, rejected or released. */
  closedAt: string | null;
  /** Who approved or rejected it, and why (a rejection always has a reason). */
  decision: { approved: boolean; by: string; at: string; reason: string | null } | null;
  cancelReason: string | null;
  /** The check-in window, `YYYY-MM-DD HH:mm`. */
  checkIn: { opens: string; closes: string };
  /** What the caller may do now. */
  can: { checkIn: boolean; end: boolean; change: boolean; cancel: boolean; decide: boolean };
  /** Changes on every write; change and cancel send back the one they read. */
  rev: string;
}

/** A booking in the way of a new or moved one: enough for the page to say who holds which time. */
export interface BookingConflict {
  bookingId: string;
  subject: string;
  bookerName: string;
  start: string;
  end: string;
  status: 'pending' | 'confirmed';
}

export interface BookRequest {
  /** The client's id of this attempt (8–64): a retry answers the same booking, never a second one. */
  requestId: string;
  roomId: string;
  start: string;
  end: string;
  /** 1–40 characters. */
  subject: string;
  /** Roster members invited (at most 50); the booker need not be listed. */
  attendeeIds: string[];
  /** Further weeks at the same time: 0 for a single booking, up to 11 (12 weeks in all). */
  repeatWeeks: number;
}

export interface RoomUsage {
  /** Monday of the week, `YYYY-MM-DD`. */
  weekStart: string;
  rooms: {
    roomId: string;
    name: string;
    /** Minutes the room was open that week, and minutes held by bookings that were used or still stand. */
    openMinutes: number;
    bookedMinutes: number;
    /** bookedMinutes / openMinutes, 0–1; 0 for a week it never opened. */
    occupancy: number;
  }[];
  /** Bookings whose check-in window has passed, and of them those released unused. */
  noShows: { due: number; released: number; rate: number };
  /** Booked minutes per business hour of day (0–23), every room together. */
  hours: { hour: number; minutes: number }[];
}

export interface RoomCode {
  roomId: string;
  /** What the code carries (`r=<room id>`); the room page reads it from `options.scene`. */
  scene: string;
  /** A temporary link to the PNG. */
  url: string;
}

export interface RoomFilters {
  minCapacity?: number;
  /** Rooms having all of these. */
  equipment?: Equipment[];
}

type Empty = Record<string, never>;

export interface RoomActions {
  /** Rooms in service (admins: `all` includes those out of service) with the day's free time. */
  'rooms.list': { request: RoomFilters & { date: string; all?: boolean; after?: string }; response: Page<RoomCard> & { date: string } };
  /** Rooms free for the whole range the caller may book, best fit (smallest capacity) first. */
  'rooms.free': { request: RoomFilters & { start: string; end: string }; response: { items: RoomCard[] } };
  /** A room's day: its period and every slot with who holds it. */
  'rooms.day': { request: { roomId: string; date: string }; response: RoomDay };
  /** Admins: creates (no `roomId`) or saves a room; `rev` must match the one read. */
  'rooms.save': { request: { roomId?: string; rev?: string; room: RoomInput }; response: RoomView };
  /**
   * Admins: takes a room out of service (its bookings from now on are cancelled and their
   * people told) or back into service.
   */
  'rooms.setService': { request: { roomId: string; inService: boolean; reason?: string }; response: { room: RoomView; cancelled: number } };
  /** Admins: the room's mini-program code for its door (made once, then kept). */
  'rooms.code': { request: { roomId: string }; response: RoomCode };

  /** Books a room; BOOKING_CONFLICT carries `conflicts`. All weeks of a repeating booking or none. */
  'bookings.create': { request: BookRequest; response: { bookings: BookingView[] } };
  /** Bookings the caller made or attends: upcoming (soonest first) or past (latest first). */
  'bookings.mine': { request: { when: 'upcoming' | 'past'; after?: string }; response: Page<BookingView> };
  'bookings.get': { request: { bookingId: string }; response: BookingView };
  /**
   * Moves a booking (same rules as booking; the new time is taken before the old one is freed),
   * and changes its subject and attendees. The booker or an admin.
   */
  'bookings.change': { request: { bookingId: string; rev: string; start: string; end: string; subject: string; attendeeIds: string[] }; response: BookingView };
  /** Cancels one booking, or with `series` every week of it not yet begun. The booker or an admin. */
  'bookings.cancel': { request: { bookingId: string; series?: boolean; reason?: string }; response: { cancelled: number } };
  'bookings.checkIn': { request: { bookingId: string }; response: BookingView };
  /** At the door: checks the caller in to their booking of the room whose window is open now. */
  'bookings.checkInAtRoom': { request: { roomId: string }; response: BookingView };
  /** Ends a booking in progress early: the rest of its time is free at once. */
  'bookings.end': { request: { bookingId: string }; response: BookingView };

  /** Pending bookings the caller may decide (approvers of the room, admins), soonest first. */
  'bookings.approvals': { request: { after?: string }; response: Page<BookingView> };
  /** Approves or rejects (a reason required) a pending booking with every pending week of its series. */
  'bookings.decide': { request: { bookingId: string; approve: boolean; reason?: string }; response: { decided: number } };

  /** Admins: the week's occupancy per room, the no-show rate and the busiest hours. */
  'rooms.usage': { request: { weekStart: string }; response: RoomUsage };

  /** The room templates (reminders, booking results) and the caller's credits. */
  'subscriptions.state': { request: Empty; response: SubscriptionState };
  'subscriptions.record': { request: { choices: Record<string, SubscribeChoice> }; response: SubscriptionState };
}
