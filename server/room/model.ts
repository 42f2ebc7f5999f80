/**
 * Rooms, bookings and slot locks as stored, and how a booking is shown.
 *
 * No double booking is kept by the database itself: every booking takes one lock document per
 * room and 15-minute grain (`room_slots`, `_id` `<room>~<YYYYMMDDHHmm>`), and inserting an `_id`
 * that exists fails. A lock is live only while its booking holds that grain (see `lockIsLive`);
 * a lock left by a crash or by a booking that let its time go is dead, and whoever meets it
 * removes it, naming the attempt token it saw (server/room/locks.ts).
 */
import type { BookingStatus, BookingView, RoomInput, RoomView } from '../../typings';
import { formatBusiness } from '../core/time';
import type { UserDoc } from '../accounts/model';
import type { RoomConfig } from './config';

export const ROOMS = 'rooms';
export const BOOKINGS = 'room_bookings';
export const SLOTS = 'room_slots';

export interface RoomDoc extends Omit<RoomInput, 'unitIds' | 'approval'> {
  _id: string;
  /** Units whose members may book (names as when saved); empty: everyone. */
  units: { id: string; name: string }[];
  unitIds: string[];
  approval: { required: boolean; approvers: { id: string; name: string }[] };
  approverIds: string[];
  inService: boolean;
  outOfServiceReason: string | null;
  /** The room's code image in storage, made once. */
  codeFileId: string | null;
  rev: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A booking while its locks are being taken: invisible, and its locks live only until `holdUntil`. */
export type StoredStatus = BookingStatus | 'holding' | 'failed';

export const LIVE_STATUSES: readonly StoredStatus[] = ['pending', 'confirmed'];

export interface BookingDoc {
  /** `<key>-<week>`: the key derives from the booker's account and the request id. */
  _id: string;
  key: string;
  seriesId: string | null;
  occurrence: number;
  occurrences: number;
  roomId: string;
  roomName: string;
  place: string;
  subject: string;
  start: Date;
  end: Date;
  /** Until when it holds its time: `end`, or the grain after it was ended early or released. */
  heldUntil: Date;
  /** The business day its room's opening period starts. */
  day: string;
  status: StoredStatus;
  /** The lease of a `holding` booking (a function that died while taking locks lets it lapse). */
  holdUntil: Date | null;
  /** The attempt of the request that holds (or last held) it: its locks carry this token, and only it may settle. */
  holdToken: string;
  /** What the request asked (room, time, weeks): the same request id asking otherwise is refused. */
  requestDigest: string;
  /** A move in progress: the new time's locks are live under this lease until the move commits. */
  moving: { start: Date; end: Date; until: Date; token: string } | null;
  bookerId: string;
  bookerMemberId: string;
  bookerName: string;
  attendees: { id: string; name: string }[];
  /** The booker's and the attendees' member ids: 我的预约. */
  participants: string[];
  /** The room's approvers when booked: their approvals list. */
  approverIds: string[];
  checkInRequired: boolean;
  checkedInAt: Date | null;
  closedAt: Date | null;
  decision: { approved: boolean; by: string; at: Date; reason: string | null } | null;
  cancelReason: string | null;
  /** The call that closed it (cancelled, rejected, ended): only that call frees its locks. */
  closedBy?: string;
  /** The booker is yet to be told of an outcome (approved, rejected, cancelled by others). */
  tell: 'approved' | 'rejected' | 'cancelled' | null;
  remindedAt: Date | null;
  rev: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface SlotDoc {
  _id: string;
  roomId: string;
  bookingId: string;
  /** The attempt (a booking's hold, a move) holding it: removals and take-overs name it. */
  token: string;
  start: Date;
  createdAt: Date;
}

export function newRev(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 0x7fffffff).toString(36)}`;
}

export function placeOf(room: Pick<RoomDoc, 'building' | 'floor'>): string {
  return [room.building, room.floor].filter((part) => part.trim()).join(' ');
}

/**
 * Whether the lock still holds its grain for its booking at `now`: inside the time of a pending
 * or confirmed booking, or claimed by the booking's hold or move (the lock's token being theirs)
 * while its lease runs.
 */
export function lockIsLive(lock: Pick<SlotDoc, 'start' | 'token'>, owner: BookingDoc | undefined, now: Date): boolean {
  if (!owner) return false;
  const at = lock.start.getTime();
  if (LIVE_STATUSES.includes(owner.status) && at >= owner.start.getTime() && at < owner.heldUntil.getTime()) return true;
  if (owner.status === 'holding') return owner.holdToken === lock.token && owner.holdUntil !== null && owner.holdUntil.getTime() > now.getTime();
  const moving = owner.moving;
  return !!moving && moving.token === lock.token && moving.until.getTime() > now.getTime() && at >= moving.start.getTime() && at < moving.end.getTime();
}

export function isAdmin(account: Pick<UserDoc, 'roles'>): boolean {
  return (account.roles ?? []).includes('admin');
}

export function roomView(room: RoomDoc, account: UserDoc, photoUrl: string | null, config: Pick<RoomConfig, 'checkInBeforeMinutes' | 'checkInAfterMinutes'>): RoomView {
  const reason = cannotBook(room, account);
  return {
    id: room._id,
    rev: room.rev,
    name: room.name,
    building: room.building,
    floor: room.floor,
    capacity: room.capacity,
    equipment: [...room.equipment],
    photoFileId: room.photoFileId,
    hours: { ...room.hours },
    openWeekdays: [...room.openWeekdays],
    closedDates: [...room.closedDates],
    slotMinutes: room.slotMinutes,
    maxMinutes: room.maxMinutes,
    advanceDays: room.advanceDays,
    checkInRequired: room.checkInRequired,
    notes: room.notes,
    inService: room.inService,
    outOfServiceReason: room.inService ? null : room.outOfServiceReason,
    photoUrl,
    units: room.units.map((u) => ({ ...u })),
    approval: { required: room.approval.required, approvers: room.approval.approvers.map((a) => ({ ...a })) },
    canBook: reason === null,
    cannotBookReason: reason,
    checkInWindow: { beforeMinutes: config.checkInBeforeMinutes, afterMinutes: config.checkInAfterMinutes },
  };
}

/** Why the account may not book the room, or null. Admins may book any room in service. */
export function cannotBook(room: Pick<RoomDoc, 'inService' | 'unitIds'>, account: UserDoc): RoomView['cannotBookReason'] {
  if (!room.inService) return 'out-of-service';
  const member = account.member;
  if (!member || !member.active) return 'unbound';
  if (isAdmin(account) || room.unitIds.length === 0) return null;
  const keys = new Set([...(member.unitKeys ?? []), ...(member.unitIds ?? [])]);
  return room.unitIds.some((id) => keys.has(id)) ? null : 'units';
}

function text(instant: Date | null): string | null {
  return instant ? formatBusiness(instant) : null;
}

export interface ViewContext {
  account: UserDoc;
  now: Date;
  config: RoomConfig;
}

/** What the caller may do with the booking now. */
export function bookingCan(doc: BookingDoc, ctx: ViewContext): BookingView['can'] {
  const now = ctx.now.getTime();
  const memberId = ctx.account.member?.id ?? null;
  const isBooker = doc.bookerId === ctx.account._id || (memberId !== null && doc.bookerMemberId === memberId);
  const participant = memberId !== null && doc.participants.includes(memberId);
  const admin = isAdmin(ctx.account);
  const live = LIVE_STATUSES.includes(doc.status);
  const begun = doc.start.getTime() <= now;
  const opens = doc.start.getTime() - ctx.config.checkInBeforeMinutes * 60_000;
  const closes = doc.start.getTime() + ctx.config.checkInAfterMinutes * 60_000;
  const inProgress = begun && doc.heldUntil.getTime() > now;
  return {
    checkIn: doc.status === 'confirmed' && doc.checkInRequired && doc.checkedInAt === null && (isBooker || participant) && now >= opens && now <= closes,
    end: doc.status === 'confirmed' && inProgress && (isBooker || participant || admin) && (!doc.checkInRequired || doc.checkedInAt !== null),
    change: live && !begun && (isBooker || admin),
    cancel: live && !begun && (isBooker || admin),
    decide: doc.status === 'pending' && (admin || (memberId !== null && doc.approverIds.includes(memberId))),
  };
}

export function bookingView(doc: BookingDoc, ctx: ViewContext): BookingView {
  const memberId = ctx.account.member?.id ?? null;
  const status: BookingStatus = doc.status === 'holding' || doc.status === 'failed' ? 'pending' : doc.status;
  const role = doc.bookerId === ctx.account._id || doc.bookerMemberId === memberId ? 'booker' : memberId !== null && doc.participants.includes(memberId) ? 'attendee' : null;
  return {
    id: doc._id,
    seriesId: doc.seriesId,
    occurrence: doc.occurrence,
    occurrences: doc.occurrences,
    roomId: doc.roomId,
    roomName: doc.roomName,
    place: doc.place,
    subject: doc.subject,
    start: formatBusiness(doc.start),
    end: formatBusiness(doc.end),
    status,
    booker: { memberId: doc.bookerMemberId, name: doc.bookerName },
    attendees: doc.attendees.map((a) => ({ ...a })),
    mine: role !== null,
    role,
    checkInRequired: doc.checkInRequired,
    checkedInAt: text(doc.checkedInAt),
    closedAt: text(doc.closedAt),
    decision: doc.decision ? { approved: doc.decision.approved, by: doc.decision.by, at: formatBusiness(doc.decision.at), reason: doc.decision.reason } : null,
    cancelReason: doc.cancelReason,
    checkIn: {
      opens: formatBusiness(new Date(doc.start.getTime() - ctx.config.checkInBeforeMinutes * 60_000)),
      closes: formatBusiness(new Date(doc.start.getTime() + ctx.config.checkInAfterMinutes * 60_000)),
    },
    can: bookingCan(doc, ctx),
    rev: doc.rev,
  };
}
