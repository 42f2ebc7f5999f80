/**
 * Taking and freeing slot locks. A booking's locks go in as one batch insert; the database
 * refuses any `_id` that exists, so two bookings can never both hold a grain, however many
 * ask at once. What was refused is then read back: grains held by our own bookings (a retry,
 * a move) are fine, grains held by dead locks are cleared and taken again, and grains held by
 * live bookings are a conflict: our new locks are removed and nothing is left behind.
 */
import type { BookingConflict } from '../../typings';
import { AppFailure } from '../core/result';
import { formatBusiness } from '../core/time';
import { isDuplicateKey, type Db } from '../db/db';
import { BOOKINGS, lockIsLive, SLOTS, type BookingDoc, type SlotDoc } from './model';

export interface LockRequest {
  roomId: string;
  /** Lock `_id` → the booking that takes it. */
  locks: Map<string, { bookingId: string; start: Date }>;
}

/** Locks one request reads or inserts (a `get` returns at most 1,000). */
const LOCK_BATCH = 1000;
/** Rounds of clearing dead locks before giving up as contention. */
const ROUNDS = 4;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function readLocks(db: Db, ids: readonly string[]): Promise<SlotDoc[]> {
  const _ = db.command;
  const out: SlotDoc[] = [];
  for (const part of chunks(ids, LOCK_BATCH)) {
    const { data } = await db.collection(SLOTS).where({ _id: _.in(part) }).limit(part.length).get();
    out.push(...(data as SlotDoc[]));
  }
  return out;
}

export async function readBookings(db: Db, ids: readonly string[]): Promise<Map<string, BookingDoc>> {
  const _ = db.command;
  const out = new Map<string, BookingDoc>();
  for (const part of chunks([...new Set(ids)], LOCK_BATCH)) {
    const { data } = await db.collection(BOOKINGS).where({ _id: _.in(part) }).limit(part.length).get();
    for (const doc of data as BookingDoc[]) out.set(doc._id, doc);
  }
  return out;
}

export function conflictOf(doc: BookingDoc): BookingConflict {
  return {
    bookingId: doc._id,
    subject: doc.subject,
    bookerName: doc.bookerName,
    start: formatBusiness(doc.status === 'holding' || !doc.moving ? doc.start : doc.moving.start),
    end: formatBusiness(doc.status === 'holding' || !doc.moving ? doc.end : doc.moving.end),
    status: doc.status === 'confirmed' ? 'confirmed' : 'pending',
  };
}

/**
 * Removes dead locks among `found`: a `holding` owner past its lease is first marked failed
 * (so a slow owner cannot revive it), then each dead lock is removed only while it still names
 * that owner (a lock taken again meanwhile by a live booking stays).
 */
export async function clearDead(db: Db, dead: SlotDoc[], owners: Map<string, BookingDoc>, now: Date): Promise<void> {
  const _ = db.command;
  const lapsed = [...new Set(dead.map((lock) => lock.bookingId))].filter((id) => owners.get(id)?.status === 'holding');
  if (lapsed.length > 0) {
    await db.collection(BOOKINGS).where({ _id: _.in(lapsed), status: 'holding', holdUntil: _.lte(now) }).update({ data: { status: 'failed', holdUntil: null, updatedAt: now } });
  }
  const byOwner = new Map<string, string[]>();
  for (const lock of dead) byOwner.set(lock.bookingId, [...(byOwner.get(lock.bookingId) ?? []), lock._id]);
  for (const [bookingId, ids] of byOwner) {
    for (const part of chunks(ids, LOCK_BATCH)) await db.collection(SLOTS).where({ _id: _.in(part), bookingId }).remove();
  }
}

/**
 * Takes every lock of the request or none. `ours` are the bookings whose existing locks count
 * as already taken (the request's own, a booking being moved). Throws BOOKING_CONFLICT with the
 * live bookings in the way, after removing the locks this call inserted.
 */
export async function takeLocks(db: Db, request: LockRequest, ours: ReadonlySet<string>, now: () => Date): Promise<void> {
  const ids = [...request.locks.keys()];
  let missing = ids;
  for (let round = 0; round < ROUNDS; round += 1) {
    const inserted = await insertBatch(db, request, missing, now());
    if (inserted) return;
    const found = await readLocks(db, ids);
    const foundIds = new Set(found.map((lock) => lock._id));
    const theirs = found.filter((lock) => !ours.has(lock.bookingId));
    if (theirs.length > 0) {
      const owners = await readBookings(db, theirs.map((lock) => lock.bookingId));
      const at = now();
      const live = theirs.filter((lock) => lockIsLive(lock, owners.get(lock.bookingId), at));
      if (live.length > 0) {
        await releaseLocks(db, found.filter((lock) => ours.has(lock.bookingId) && isNewLock(request, lock)).map((lock) => lock._id), ours);
        const holders = [...new Set(live.map((lock) => lock.bookingId))].map((id) => owners.get(id) as BookingDoc).sort((a, b) => a.start.getTime() - b.start.getTime());
        const first = holders[0];
        throw new AppFailure('BOOKING_CONFLICT', `与${first.bookerName}的预约「${first.subject}」（${formatBusiness(first.start, 'MM-DD HH:mm')}–${formatBusiness(first.end, 'HH:mm')}）冲突${holders.length > 1 ? `等 ${holders.length} 个预约` : ''}`, 'start', holders.map(conflictOf));
      }
      await clearDead(db, theirs, owners, at);
      foundIds.clear();
      for (const lock of found) if (ours.has(lock.bookingId)) foundIds.add(lock._id);
    }
    missing = ids.filter((id) => !foundIds.has(id));
    if (missing.length === 0) return;
  }
  throw new AppFailure('BUSY_RETRY');
}

/** Whether the lock is one this request means to hold (as opposed to a grain a moved booking keeps). */
function isNewLock(request: LockRequest, lock: SlotDoc): boolean {
  return request.locks.has(lock._id);
}

/** Inserts the locks; false when any was refused (some may have gone in: the caller reads back). */
async function insertBatch(db: Db, request: LockRequest, ids: readonly string[], at: Date): Promise<boolean> {
  let ok = true;
  for (const part of chunks(ids, 500)) {
    const docs: SlotDoc[] = part.map((id) => {
      const lock = request.locks.get(id) as { bookingId: string; start: Date };
      return { _id: id, roomId: request.roomId, bookingId: lock.bookingId, start: lock.start, createdAt: at };
    });
    try {
      await db.collection(SLOTS).add({ data: docs });
    } catch (error) {
      // Whatever the wording of the refusal (a duplicate key, or a failure after some went in),
      // the caller reads the locks back and decides from what is there.
      if (!isDuplicateKey(error)) console.warn(`[room] lock insert failed, reading back: ${String((error as Error)?.message ?? error)}`);
      ok = false;
    }
  }
  return ok;
}

/**
 * Removes the dead locks among those written in the last `withinMs` (what a crash leaves is
 * recent: a booking killed while taking locks, a booking whose time was let go just before
 * its locks were freed). Older dead locks are cleared by the next booking that meets them.
 */
export async function clearRecentDeadLocks(db: Db, now: Date, withinMs: number): Promise<number> {
  const _ = db.command;
  const { data } = await db.collection(SLOTS).where({ createdAt: _.gt(new Date(now.getTime() - withinMs)) }).limit(LOCK_BATCH).get();
  const locks = data as SlotDoc[];
  if (locks.length === 0) return 0;
  const owners = await readBookings(db, locks.map((lock) => lock.bookingId));
  const dead = locks.filter((lock) => !lockIsLive(lock, owners.get(lock.bookingId), now));
  if (dead.length > 0) await clearDead(db, dead, owners, now);
  return dead.length;
}

/** Removes locks by id while they still belong to one of `owners`. */
export async function releaseLocks(db: Db, ids: readonly string[], owners: ReadonlySet<string>): Promise<void> {
  const _ = db.command;
  for (const part of chunks(ids, LOCK_BATCH)) await db.collection(SLOTS).where({ _id: _.in(part), bookingId: _.in([...owners]) }).remove();
}

/** Frees every lock of the bookings from `from` on (all of them when `from` is null). */
export async function freeBookings(db: Db, bookingIds: readonly string[], from: Date | null): Promise<void> {
  if (bookingIds.length === 0) return;
  const _ = db.command;
  for (const part of chunks(bookingIds, 100)) {
    await db.collection(SLOTS).where(from ? { bookingId: _.in(part), start: _.gte(from) } : { bookingId: _.in(part) }).remove();
  }
}
