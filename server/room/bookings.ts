/**
 * Booking, changing, cancelling, checking in, ending early and deciding. Every path that takes
 * time takes its locks first (server/room/locks.ts) and every path that lets time go writes the
 * booking's new state first and frees its locks after, so a crash between the two leaves only
 * dead locks, which the next booking or the timer clears.
 */
import { createHash } from 'node:crypto';
import type { BookingView, BookRequest, Page } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import type { UserDoc } from '../accounts/model';
import { AppFailure } from '../core/result';
import { formatBusiness } from '../core/time';
import { isDuplicateKey, readAll, type Db, type Filter } from '../db/db';
import { keysetAfter, keysetCursor } from '../db/keyset';
import type { FileStoragePort } from '../ports/storage.port';
import type { WechatOpenApiPort } from '../ports/wechat-openapi.port';
import type { RoomConfig } from './config';
import { freeBookings, readBookings, readLocks, releaseAttempt, releaseLocks, removeAsSeen, takeLocks, type LockRequest } from './locks';
import { BOOKINGS, bookingView, cannotBook, isAdmin, LIVE_STATUSES, newRev, placeOf, ROOMS, type BookingDoc, type RoomDoc, type ViewContext } from './model';
import { checkTime, grainsOf, lockId, nextGrain, wallClockField } from './periods';

export interface RoomDeps {
  db: Db;
  now(): Date;
  organisationName: string;
  storage: FileStoragePort;
  openapi: WechatOpenApiPort;
  config: RoomConfig;
}

/** How long a booking's locks stay live while it is being made: well beyond the few requests it takes. */
export const HOLD_LEASE_MS = 30_000;
const WEEK_MS = 7 * 24 * 3_600_000;

export function ctxOf(deps: RoomDeps, account: UserDoc): ViewContext {
  return { account, now: deps.now(), config: deps.config };
}

export async function loadRoom(deps: Pick<RoomDeps, 'db'>, roomId: string): Promise<RoomDoc> {
  const { data } = await deps.db.collection(ROOMS).where({ _id: roomId }).limit(1).get();
  const room = data[0] as RoomDoc | undefined;
  if (!room) throw new AppFailure('ROOM_NOT_FOUND', undefined, 'roomId');
  return room;
}

export async function loadBooking(deps: Pick<RoomDeps, 'db'>, bookingId: string): Promise<BookingDoc> {
  const { data } = await deps.db.collection(BOOKINGS).where({ _id: bookingId }).limit(1).get();
  const doc = data[0] as BookingDoc | undefined;
  if (!doc || doc.status === 'holding' || doc.status === 'failed') throw new AppFailure('BOOKING_NOT_FOUND', undefined, 'bookingId');
  return doc;
}

function isBooker(doc: BookingDoc, account: UserDoc): boolean {
  return doc.bookerId === account._id || (account.member !== null && doc.bookerMemberId === account.member.id);
}

function isParticipant(doc: BookingDoc, account: UserDoc): boolean {
  return account.member !== null && doc.participants.includes(account.member.id);
}

function isApprover(doc: BookingDoc, account: UserDoc): boolean {
  return account.member !== null && doc.approverIds.includes(account.member.id);
}

/** Who may see a booking: its people, its approvers, admins; the others hear it does not exist. */
export function mayView(doc: BookingDoc, account: UserDoc): boolean {
  return isBooker(doc, account) || isParticipant(doc, account) || isApprover(doc, account) || isAdmin(account);
}

export async function getBooking(deps: RoomDeps, account: UserDoc, bookingId: string): Promise<BookingView> {
  const doc = await loadBooking(deps, bookingId);
  if (!mayView(doc, account)) throw new AppFailure('BOOKING_NOT_FOUND', undefined, 'bookingId');
  return bookingView(doc, ctxOf(deps, account));
}

/** Active roster members by id, with their names; any unknown or inactive one is MEMBER_NOT_FOUND. */
async function attendeesOf(deps: RoomDeps, ids: readonly string[], bookerMemberId: string): Promise<{ id: string; name: string }[]> {
  const wanted = [...new Set(ids)].filter((id) => id !== bookerMemberId);
  if (wanted.length > FIELD_LIMITS.bookingAttendees) throw new AppFailure('INVALID_INPUT', `参会人最多 ${FIELD_LIMITS.bookingAttendees} 位`, 'attendeeIds');
  if (wanted.length === 0) return [];
  const _ = deps.db.command;
  const { data } = await deps.db.collection('members').where({ _id: _.in(wanted), active: true }).limit(wanted.length).field({ _id: true, name: true }).get();
  const names = new Map((data as { _id: string; name: string }[]).map((m) => [m._id, m.name]));
  if (names.size !== wanted.length) throw new AppFailure('MEMBER_NOT_FOUND', undefined, 'attendeeIds');
  return wanted.map((id) => ({ id, name: names.get(id) as string }));
}

function subjectOf(text: string): string {
  const subject = text.replace(/\s+/g, ' ').trim();
  if (!subject) throw new AppFailure('INVALID_INPUT', '请填写会议主题', 'subject');
  return subject;
}

/** The account's booker identity: an active roster member allowed by the room. */
function bookerOf(room: RoomDoc, account: UserDoc): { memberId: string; name: string } {
  const reason = cannotBook(room, account);
  if (reason === 'out-of-service') throw new AppFailure('ROOM_OUT_OF_SERVICE', undefined, 'roomId');
  if (reason === 'unbound') throw new AppFailure('ROOM_NOT_ALLOWED', '请先在「我的」中绑定花名册后再预约', 'roomId');
  if (reason === 'units') throw new AppFailure('ROOM_NOT_ALLOWED', undefined, 'roomId');
  const member = account.member as NonNullable<UserDoc['member']>;
  return { memberId: member.id, name: member.name };
}

function keyOf(accountId: string, requestId: string): string {
  return `bk${createHash('sha256').update(`${accountId}~${requestId}`).digest('hex').slice(0, 22)}`;
}

function lockRequest(room: RoomDoc, token: string, docs: readonly Pick<BookingDoc, '_id' | 'start' | 'end'>[], skip: ReadonlySet<string> = new Set()): LockRequest {
  const locks = new Map<string, { bookingId: string; start: Date }>();
  for (const doc of docs) {
    for (const grain of grainsOf(doc.start, doc.end)) {
      const id = lockId(room._id, grain);
      if (!skip.has(id)) locks.set(id, { bookingId: doc._id, start: grain });
    }
  }
  return { roomId: room._id, token, locks };
}

/**
 * Books a room: every week of a repeating booking or none. The bookings are written first as
 * invisible holds with a lease; their locks go in next; then they become pending or confirmed.
 * The ids derive from the account and the request id, so a retry (or the same request twice at
 * once) resumes the same bookings instead of making new ones.
 */
export async function createBooking(deps: RoomDeps, account: UserDoc, request: BookRequest): Promise<BookingView[]> {
  const room = await loadRoom(deps, request.roomId);
  const booker = bookerOf(room, account);
  const subject = subjectOf(request.subject);
  const start = wallClockField(request.start, 'start');
  const end = wallClockField(request.end, 'end');
  const now = deps.now();
  const weeks = request.repeatWeeks + 1;
  const times = Array.from({ length: weeks }, (_unused, index) => {
    const label = weeks > 1 ? `第 ${index + 1} 周（${formatBusiness(new Date(start.getTime() + index * WEEK_MS), 'MM-DD')}）：` : '';
    return checkTime(room, new Date(start.getTime() + index * WEEK_MS), new Date(end.getTime() + index * WEEK_MS), now, label);
  });
  const attendees = await attendeesOf(deps, request.attendeeIds, booker.memberId);
  const key = keyOf(account._id, request.requestId);
  const ids = times.map((_unused, index) => `${key}-${index + 1}`);

  // This attempt: its locks carry the token, and only the attempt holding it may settle.
  const token = newRev();
  const requestDigest = createHash('sha256').update(`${room._id}|${request.start}|${request.end}|${weeks}`).digest('hex').slice(0, 16);
  const docs: BookingDoc[] = times.map((time, index) => ({
    _id: ids[index],
    key,
    seriesId: weeks > 1 ? key : null,
    occurrence: index + 1,
    occurrences: weeks,
    roomId: room._id,
    roomName: room.name,
    place: placeOf(room),
    subject,
    start: time.start,
    end: time.end,
    heldUntil: time.end,
    day: time.period.day,
    status: 'holding',
    holdUntil: null,
    holdToken: token,
    requestDigest,
    moving: null,
    bookerId: account._id,
    bookerMemberId: booker.memberId,
    bookerName: booker.name,
    attendees,
    participants: [booker.memberId, ...attendees.map((a) => a.id)],
    approverIds: room.approval.required ? [...room.approverIds] : [],
    checkInRequired: room.checkInRequired,
    checkedInAt: null,
    closedAt: null,
    decision: null,
    cancelReason: null,
    tell: null,
    remindedAt: null,
    rev: newRev(),
    createdAt: now,
    updatedAt: now,
  }));
  // The same request sent again (a retry, a double tap) gets its answer, or that of the attempt
  // running now once it ends; only a failed or lapsed attempt is taken over, by one call at a time.
  for (let round = 0; ; round += 1) {
    const earlier = await awaitAttempt(deps, ids);
    // A request id already used for another room, time or number of weeks: never answered with
    // that booking, never mixed with it.
    if ([...earlier.docs.values()].some((doc) => doc.requestDigest !== requestDigest)) throw new AppFailure('INVALID_INPUT', '该请求编号已用于另一次预约，请重新提交', 'requestId');
    if (earlier.settled) return earlier.settled.map((doc) => bookingView(doc, ctxOf(deps, account)));
    if (await writeHolds(deps, docs, earlier.docs)) break;
    if (round >= 2) throw new AppFailure('BUSY_RETRY');
  }

  try {
    await takeLocks(deps.db, lockRequest(room, token, docs), new Set(ids), deps.now);
  } catch (error) {
    // Refused: the holds become failed (a retry with the same request id starts over) and
    // whatever locks this attempt holds go (a conflict has removed them already).
    await failHolds(deps, ids, token);
    if (!(error instanceof AppFailure && error.code === 'BOOKING_CONFLICT')) await releaseAttempt(deps.db, ids, token);
    if (error instanceof AppFailure && error.code === 'BUSY_RETRY') {
      // Another attempt of the same request holds the time: its answer is this one's.
      const other = await awaitAttempt(deps, ids);
      if (other.settled) return other.settled.map((doc) => bookingView(doc, ctxOf(deps, account)));
    }
    throw error;
  }
  const status = room.approval.required ? 'pending' : 'confirmed';
  const _ = deps.db.command;
  const settled = await deps.db
    .collection(BOOKINGS)
    .where({ _id: _.in(ids), status: 'holding', holdToken: token, holdUntil: _.gt(deps.now()) })
    .update({ data: { status, holdUntil: null, updatedAt: deps.now() } });
  if (settled.stats.updated === ids.length) return docs.map((doc) => bookingView({ ...doc, status }, ctxOf(deps, account)));
  const after = await readBookings(deps.db, ids);
  const final = ids.map((id) => after.get(id)).filter((doc): doc is BookingDoc => !!doc && LIVE_STATUSES.includes(doc.status));
  if (final.length !== ids.length) {
    if (settled.stats.updated === 0) {
      // Another attempt of the same request took this one over: its answer is this one's.
      const other = await awaitAttempt(deps, ids);
      if (other.settled) return other.settled.map((doc) => bookingView(doc, ctxOf(deps, account)));
    }
    // The lease ran out before the bookings settled (a very slow call): nothing is claimed
    // here; the same request id can be sent again.
    if (settled.stats.updated > 0) await cancelQuietly(deps, final, token);
    await failHolds(deps, ids, token);
    await releaseAttempt(deps.db, ids, token);
    throw new AppFailure('BUSY_RETRY');
  }
  return final.map((doc) => bookingView(doc, ctxOf(deps, account)));
}

/** How often, and how many times, a call looks again at an attempt of its request running elsewhere. */
const ATTEMPT_POLL_MS = 200;
const ATTEMPT_POLLS = 25;

/**
 * The bookings of a request as an earlier attempt left them: `settled` when they all stand;
 * otherwise, after waiting while another attempt holds them under a live lease, what is there
 * (none, failed, or lapsed: this attempt takes them over).
 */
async function awaitAttempt(deps: RoomDeps, ids: readonly string[]): Promise<{ settled: BookingDoc[] | null; docs: Map<string, BookingDoc> }> {
  for (let poll = 0; ; poll += 1) {
    const docs = await readBookings(deps.db, ids);
    const found = ids.map((id) => docs.get(id));
    if (found.every((doc) => doc && doc.status !== 'holding' && doc.status !== 'failed')) return { settled: found as BookingDoc[], docs };
    const running = found.some((doc) => doc?.status === 'holding' && doc.holdUntil !== null && doc.holdUntil.getTime() > deps.now().getTime());
    if (!running) return { settled: null, docs };
    if (poll >= ATTEMPT_POLLS) throw new AppFailure('BUSY_RETRY');
    await new Promise((resolve) => setTimeout(resolve, ATTEMPT_POLL_MS));
  }
}

/**
 * Writes the holds: new ones inserted, a failed or lapsed earlier attempt of the same request
 * renewed under this attempt's token. False when another attempt got there first (it inserted
 * them, or renewed one): that attempt goes on and this call waits for its answer.
 */
async function writeHolds(deps: RoomDeps, docs: BookingDoc[], existing: Map<string, BookingDoc>): Promise<boolean> {
  const _ = deps.db.command;
  // The lease starts now, after any wait for an earlier attempt.
  const holdUntil = new Date(deps.now().getTime() + HOLD_LEASE_MS);
  const fresh = docs.filter((doc) => !existing.has(doc._id)).map((doc) => ({ ...doc, holdUntil }));
  if (fresh.length > 0) {
    try {
      await deps.db.collection(BOOKINGS).add({ data: fresh });
    } catch (error) {
      // Written by the same request at the same moment (or a refusal worded otherwise): the
      // caller looks again and waits for that attempt.
      if (!isDuplicateKey(error)) console.warn(`[room] holds not written, looking again: ${String((error as Error)?.message ?? error)}`);
      return false;
    }
  }
  for (const doc of docs.filter((d) => existing.has(d._id))) {
    const { _id, ...fields } = doc;
    const { stats } = await deps.db
      .collection(BOOKINGS)
      .where(_.and([{ _id }, _.or([{ status: 'failed' }, { status: 'holding', holdUntil: _.lte(deps.now()) }])]))
      .update({ data: { ...fields, holdUntil } });
    if (stats.updated === 0) return false;
  }
  return true;
}

/** The holds of an attempt that did not go through: failed, never shown; a retry of its request id renews them. */
async function failHolds(deps: RoomDeps, ids: readonly string[], token: string): Promise<void> {
  const _ = deps.db.command;
  await deps.db.collection(BOOKINGS).where({ _id: _.in([...ids]), status: 'holding', holdToken: token }).update({ data: { status: 'failed', holdUntil: null, updatedAt: deps.now() } });
}

/** Weeks this attempt settled while others of its series did not: taken back, as if never made. */
async function cancelQuietly(deps: RoomDeps, docs: BookingDoc[], token: string): Promise<void> {
  const _ = deps.db.command;
  if (docs.length === 0) return;
  await deps.db.collection(BOOKINGS).where({ _id: _.in(docs.map((d) => d._id)), status: _.in([...LIVE_STATUSES]), holdToken: token }).update({ data: { status: 'failed', updatedAt: deps.now() } });
}

/**
 * Moves a booking and changes its subject and attendees. The new time's locks are taken under
 * a lease recorded on the booking before it changes; the old time's locks go only after.
 */
export async function changeBooking(
  deps: RoomDeps,
  account: UserDoc,
  request: { bookingId: string; rev: string; start: string; end: string; subject: string; attendeeIds: string[] },
): Promise<BookingView> {
  const doc = await loadBooking(deps, request.bookingId);
  if (!mayView(doc, account)) throw new AppFailure('BOOKING_NOT_FOUND', undefined, 'bookingId');
  if (!isBooker(doc, account) && !isAdmin(account)) throw new AppFailure('FORBIDDEN');
  if (doc.rev !== request.rev) throw new AppFailure('BOOKING_STALE', undefined, 'rev');
  const now = deps.now();
  if (!LIVE_STATUSES.includes(doc.status) || doc.start.getTime() <= now.getTime()) throw new AppFailure('BOOKING_STATE');
  const room = await loadRoom(deps, doc.roomId);
  if (!room.inService) throw new AppFailure('ROOM_OUT_OF_SERVICE', undefined, 'roomId');
  const subject = subjectOf(request.subject);
  const time = checkTime(room, wallClockField(request.start, 'start'), wallClockField(request.end, 'end'), now);
  const attendees = await attendeesOf(deps, request.attendeeIds, doc.bookerMemberId);
  const _ = deps.db.command;
  const moved = time.start.getTime() !== doc.start.getTime() || time.end.getTime() !== doc.end.getTime();
  const held = new Set(grainsOf(doc.start, doc.end).map((grain) => lockId(room._id, grain)));
  const token = newRev();
  const newTime = lockRequest(room, token, [{ _id: doc._id, start: time.start, end: time.end }], held);
  if (moved) {
    // The lease leaves `rev` alone: a refused move changes nothing a person can see.
    const claim = await deps.db
      .collection(BOOKINGS)
      // One move at a time: a second one while the first holds its lease is stale.
      .where(_.and([{ _id: doc._id, rev: doc.rev, status: _.in([...LIVE_STATUSES]) }, _.or([{ moving: null }, { 'moving.until': _.lte(now) }])]))
      .update({ data: { moving: _.set({ start: time.start, end: time.end, until: new Date(now.getTime() + HOLD_LEASE_MS), token }) } });
    if (claim.stats.updated === 0) throw new AppFailure('BOOKING_STALE', undefined, 'rev');
    try {
      await takeLocks(deps.db, newTime, new Set([doc._id]), deps.now);
    } catch (error) {
      await deps.db.collection(BOOKINGS).where({ _id: doc._id, 'moving.token': token }).update({ data: { moving: null, updatedAt: deps.now() } });
      await releaseLocks(deps.db, [...newTime.locks.keys()], doc._id, token);
      throw error;
    }
  }
  // The old time's locks as they are while the lease keeps other moves out: after the commit,
  // only these are freed (a later move that takes one of them over keeps it).
  const kept = new Set(grainsOf(time.start, time.end).map((grain) => lockId(room._id, grain)));
  const oldLocks = moved ? (await readLocks(deps.db, [...held].filter((id) => !kept.has(id)))).filter((lock) => lock.bookingId === doc._id) : [];
  // A booker's move of a room needing approval asks again; an admin's stands.
  const status = moved && room.approval.required && !isAdmin(account) ? 'pending' : doc.status;
  const finalRev = newRev();
  const commit = await deps.db
    .collection(BOOKINGS)
    // Unchanged since read (a cancel, decision, check-in or out of service meanwhile wins; the
    // move's lease leaves `rev` alone), not begun, and for a move still holding its lease: past
    // it, another booking may have ended the claim and taken the new time.
    .where(
      moved
        ? { _id: doc._id, rev: doc.rev, 'moving.token': token, start: _.gt(deps.now()), status: _.in([...LIVE_STATUSES]) }
        : { _id: doc._id, rev: doc.rev, start: _.gt(deps.now()), status: _.in([...LIVE_STATUSES]) },
    )
    .update({
      data: {
        start: time.start,
        end: time.end,
        heldUntil: time.end,
        day: time.period.day,
        subject,
        attendees,
        participants: [doc.bookerMemberId, ...attendees.map((a) => a.id)],
        status,
        decision: status === 'pending' ? null : _.set(doc.decision),
        approverIds: status === 'pending' ? [...room.approverIds] : doc.approverIds,
        remindedAt: moved ? null : doc.remindedAt,
        // A check-in belongs to the time it was made for.
        checkedInAt: moved ? null : doc.checkedInAt,
        moving: null,
        rev: finalRev,
        updatedAt: deps.now(),
      },
    });
  if (commit.stats.updated === 0) {
    if (moved) {
      // The claim goes with it, so the person's next move (with the fresh rev) is not held off by it.
      await deps.db.collection(BOOKINGS).where({ _id: doc._id, 'moving.token': token }).update({ data: { moving: null, updatedAt: deps.now() } });
      await releaseLocks(deps.db, [...newTime.locks.keys()], doc._id, token);
    }
    throw new AppFailure(moved ? 'BUSY_RETRY' : 'BOOKING_STALE', undefined, moved ? undefined : 'rev');
  }
  if (moved) await removeAsSeen(deps.db, oldLocks);
  return bookingView(await loadBooking(deps, doc._id), ctxOf(deps, account));
}

/** Cancels one booking, or every week of its series not yet begun. */
export async function cancelBooking(deps: RoomDeps, account: UserDoc, request: { bookingId: string; series?: boolean; reason?: string }): Promise<string[]> {
  const doc = await loadBooking(deps, request.bookingId);
  if (!mayView(doc, account)) throw new AppFailure('BOOKING_NOT_FOUND', undefined, 'bookingId');
  if (!isBooker(doc, account) && !isAdmin(account)) throw new AppFailure('FORBIDDEN');
  const now = deps.now();
  if (!LIVE_STATUSES.includes(doc.status) || doc.start.getTime() <= now.getTime()) throw new AppFailure('BOOKING_STATE');
  const _ = deps.db.command;
  const filter = request.series && doc.seriesId ? { seriesId: doc.seriesId, status: _.in([...LIVE_STATUSES]), start: _.gt(now) } : { _id: doc._id, status: _.in([...LIVE_STATUSES]), start: _.gt(now) };
  const byOther = !isBooker(doc, account);
  const cancelled = await closeBookings(deps, filter, { status: 'cancelled', closedAt: now, cancelReason: request.reason?.trim() || null, tell: byOther ? 'cancelled' : null }, null);
  if (cancelled.length === 0) throw new AppFailure('BOOKING_STATE');
  return cancelled;
}

/**
 * Closes the bookings `filter` matches (cancelled, rejected, ended) in one multi-update tagged
 * with this call, reads back only those it changed, and frees their locks from `from` on (all of
 * them when null): three requests however many bookings, and a booking another call kept live
 * meanwhile (an approval racing a rejection, a move) keeps its locks.
 */
export async function closeBookings(deps: Pick<RoomDeps, 'db' | 'now'>, filter: Record<string, unknown>, data: Record<string, unknown>, from: Date | null): Promise<string[]> {
  const tag = newRev();
  const { stats } = await deps.db.collection(BOOKINGS).where(filter).update({ data: { ...data, closedBy: tag, moving: null, rev: newRev(), updatedAt: deps.now() } });
  if (stats.updated === 0) return [];
  const ids = (await readAll<{ _id: string }>(deps.db, BOOKINGS, { closedBy: tag }, { _id: true })).map((row) => row._id);
  await freeBookings(deps.db, ids, from);
  return ids;
}

function checkInWindow(deps: RoomDeps, doc: BookingDoc): { opens: Date; closes: Date } {
  return {
    opens: new Date(doc.start.getTime() - deps.config.checkInBeforeMinutes * 60_000),
    closes: new Date(doc.start.getTime() + deps.config.checkInAfterMinutes * 60_000),
  };
}

async function checkInDoc(deps: RoomDeps, account: UserDoc, doc: BookingDoc): Promise<BookingView> {
  if (doc.checkedInAt) return bookingView(doc, ctxOf(deps, account));
  if (doc.status !== 'confirmed') throw new AppFailure('BOOKING_STATE');
  const now = deps.now();
  const window = checkInWindow(deps, doc);
  if (now < window.opens) throw new AppFailure('BOOKING_CHECK_IN_CLOSED', `签到将于 ${formatBusiness(window.opens, 'MM-DD HH:mm')} 开始`);
  if (now > window.closes) throw new AppFailure('BOOKING_CHECK_IN_CLOSED', `签到已于 ${formatBusiness(window.closes, 'MM-DD HH:mm')} 截止`);
  // For the time it was read at: a move committed meanwhile needs its own check-in.
  const { stats } = await deps.db.collection(BOOKINGS).where({ _id: doc._id, status: 'confirmed', checkedInAt: null, start: doc.start }).update({ data: { checkedInAt: now, rev: newRev(), updatedAt: now } });
  const fresh = await loadBooking(deps, doc._id);
  if (stats.updated === 0 && !fresh.checkedInAt) throw new AppFailure('BOOKING_STATE');
  return bookingView(fresh, ctxOf(deps, account));
}

export async function checkIn(deps: RoomDeps, account: UserDoc, bookingId: string): Promise<BookingView> {
  const doc = await loadBooking(deps, bookingId);
  if (!isBooker(doc, account) && !isParticipant(doc, account)) throw new AppFailure('BOOKING_NOT_FOUND', undefined, 'bookingId');
  return checkInDoc(deps, account, doc);
}

/** How long before a check-in window opens scanning the door code says when it opens instead of "none". */
const EARLY_SCAN_MINUTES = 60;

/** At the door: the caller's confirmed booking of the room whose check-in window is open now. */
export async function checkInAtRoom(deps: RoomDeps, account: UserDoc, roomId: string): Promise<BookingView> {
  await loadRoom(deps, roomId);
  const memberId = account.member?.id;
  if (!memberId) throw new AppFailure('BOOKING_NONE_NOW');
  const now = deps.now();
  const _ = deps.db.command;
  const { data } = await deps.db
    .collection(BOOKINGS)
    .where({
      roomId,
      participants: memberId,
      status: 'confirmed',
      // Bookings whose window is open, or opens within the hour: early comers hear when it opens.
      start: _.gte(new Date(now.getTime() - deps.config.checkInAfterMinutes * 60_000)).and(_.lte(new Date(now.getTime() + (deps.config.checkInBeforeMinutes + EARLY_SCAN_MINUTES) * 60_000))),
    })
    .orderBy('start', 'asc')
    .limit(5)
    .get();
  const docs = data as BookingDoc[];
  const due = docs.find((doc) => !doc.checkedInAt) ?? docs[0];
  if (!due) throw new AppFailure('BOOKING_NONE_NOW');
  return checkInDoc(deps, account, due);
}

/** Ends a booking in progress: its time from the next grain on is free at once. */
export async function endBooking(deps: RoomDeps, account: UserDoc, bookingId: string): Promise<BookingView> {
  const doc = await loadBooking(deps, bookingId);
  if (!isBooker(doc, account) && !isParticipant(doc, account) && !isAdmin(account)) throw new AppFailure('BOOKING_NOT_FOUND', undefined, 'bookingId');
  const now = deps.now();
  if (doc.status !== 'confirmed' || doc.start.getTime() > now.getTime() || doc.heldUntil.getTime() <= now.getTime()) throw new AppFailure('BOOKING_STATE');
  if (doc.checkInRequired && !doc.checkedInAt) throw new AppFailure('BOOKING_STATE');
  const until = nextGrain(now);
  const { stats } = await deps.db
    .collection(BOOKINGS)
    // The booking as read: a move committed meanwhile is not ended by a tap meant for its old time.
    .where({ _id: doc._id, status: 'confirmed', rev: doc.rev })
    .update({ data: { status: until.getTime() >= doc.end.getTime() ? 'confirmed' : 'ended', heldUntil: until < doc.end ? until : doc.end, closedAt: now, rev: newRev(), updatedAt: now } });
  if (stats.updated === 0) throw new AppFailure('BOOKING_STATE');
  await freeBookings(deps.db, [doc._id], until);
  return bookingView(await loadBooking(deps, doc._id), ctxOf(deps, account));
}

/** Approves or rejects every pending week of the booking's series. */
export async function decideBooking(deps: RoomDeps, account: UserDoc, request: { bookingId: string; approve: boolean; reason?: string }): Promise<number> {
  const doc = await loadBooking(deps, request.bookingId);
  if (!mayView(doc, account)) throw new AppFailure('BOOKING_NOT_FOUND', undefined, 'bookingId');
  if (!isAdmin(account) && !isApprover(doc, account)) throw new AppFailure('FORBIDDEN');
  const reason = request.reason?.trim() || null;
  if (!request.approve && !reason) throw new AppFailure('INVALID_INPUT', '驳回时请填写原因', 'reason');
  if (doc.status !== 'pending') throw new AppFailure('BOOKING_STATE');
  const _ = deps.db.command;
  const now = deps.now();
  const filter = doc.seriesId ? { seriesId: doc.seriesId, status: 'pending' } : { _id: doc._id, status: 'pending' };
  const by = account.member?.name ?? account.nickname ?? '管理员';
  // Replaces the null it was: the SDK would otherwise write the fields one by one into it.
  const decision = _.set({ approved: request.approve, by, at: now, reason });
  if (!request.approve) {
    const rejected = await closeBookings(deps, filter, { status: 'rejected', decision, closedAt: now, tell: 'rejected' }, null);
    if (rejected.length === 0) throw new AppFailure('BOOKING_STATE');
    return rejected.length;
  }
  const { stats } = await deps.db.collection(BOOKINGS).where(filter).update({ data: { status: 'confirmed', decision, tell: 'approved', rev: newRev(), updatedAt: now } });
  if (stats.updated === 0) throw new AppFailure('BOOKING_STATE');
  return stats.updated;
}

const PAGE = 20;

function cursorOf(doc: BookingDoc): string {
  return keysetCursor(doc.start, doc._id);
}

function afterFilter(deps: RoomDeps, after: string | undefined, direction: 'asc' | 'desc'): Filter | null {
  return keysetAfter(deps.db, after, { field: 'start', kind: 'date', direction, id: /^[A-Za-z0-9-]{1,64}$/ });
}

async function pageOf(deps: RoomDeps, account: UserDoc, base: Record<string, unknown>, after: string | undefined, direction: 'asc' | 'desc'): Promise<Page<BookingView>> {
  const _ = deps.db.command;
  const cursor = afterFilter(deps, after, direction);
  const { data } = await deps.db
    .collection(BOOKINGS)
    .where(cursor ? _.and([base, cursor]) : base)
    .orderBy('start', direction)
    .orderBy('_id', direction)
    .limit(PAGE + 1)
    .get();
  const docs = data as BookingDoc[];
  const items = docs.slice(0, PAGE);
  const ctx = ctxOf(deps, account);
  return { items: items.map((doc) => bookingView(doc, ctx)), next: docs.length > PAGE ? cursorOf(items[items.length - 1]) : null };
}

/** 我的预约: upcoming (held time not over, soonest first) or past (latest first, with the cancelled). */
export async function myBookings(deps: RoomDeps, account: UserDoc, request: { when: 'upcoming' | 'past'; after?: string }): Promise<Page<BookingView>> {
  const memberId = account.member?.id;
  if (!memberId) return { items: [], next: null };
  const _ = deps.db.command;
  const now = deps.now();
  if (request.when === 'upcoming') {
    return pageOf(deps, account, { participants: memberId, status: _.in([...LIVE_STATUSES]), heldUntil: _.gt(now) }, request.after, 'asc');
  }
  const base = _.and([
    { participants: memberId, status: _.in(['pending', 'confirmed', 'cancelled', 'rejected', 'released', 'ended']) },
    _.or([{ heldUntil: _.lte(now) }, { status: _.in(['cancelled', 'rejected', 'released', 'ended']) }]),
  ]) as unknown as Record<string, unknown>;
  return pageOf(deps, account, base, request.after, 'desc');
}

/** Pending bookings the caller may decide, soonest first. */
export async function approvalsOf(deps: RoomDeps, account: UserDoc, after: string | undefined): Promise<Page<BookingView>> {
  const memberId = account.member?.id;
  if (!isAdmin(account) && !memberId) return { items: [], next: null };
  const base: Record<string, unknown> = isAdmin(account) ? { status: 'pending' } : { approverIds: memberId, status: 'pending' };
  return pageOf(deps, account, base, after, 'asc');
}
