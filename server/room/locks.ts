/**
 * Taking and freeing slot locks. A booking's locks go in as one batch insert; the database
 * refuses any `_id` that exists, so two bookings can never both hold a grain, however many
 * ask at once. What was refused is then read back: grains held by live bookings are a conflict
 * (this attempt's locks are removed and nothing is left behind), and dead locks are cleared and
 * taken again.
 *
 * Every lock carries the token of the attempt that inserted it (a booking's hold, a move). One
 * rule keeps a lock from being removed from under a booking: a lock whose claim could still
 * commit (the hold or the move holding that token) is removed only after a conditional write has
 * ended that claim, under the token seen; when the write finds the claim gone or renewed, the
 * lock stays for the next look. Every removal names the token it saw. Clocks of two instances
 * may disagree: a claim is ended by the database, never by one caller's reading of a lease.
 */
import type { BookingConflict } from '../../typings';
import { AppFailure } from '../core/result';
import { formatBusiness } from '../core/time';
import { isDuplicateKey, type Db } from '../db/db';
import { BOOKINGS, lockIsLive, SLOTS, type BookingDoc, type SlotDoc } from './model';

export interface LockRequest {
  roomId: string;
  /** The attempt taking them: its locks carry it. */
  token: string;
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

export async function readLocks(db: Db, ids: readonly string[]): Promise<SlotDoc[]> {
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

/** A booking in the way, with the time of it that is in the way: its own, or the one it is moving to. */
export function conflictOf(doc: BookingDoc, locks: readonly Pick<SlotDoc, 'token'>[] = []): BookingConflict {
  const moving = doc.moving && doc.status !== 'holding' && locks.length > 0 && locks.every((lock) => lock.token === doc.moving?.token) ? doc.moving : null;
  return {
    bookingId: doc._id,
    subject: doc.subject,
    bookerName: doc.bookerName,
    start: formatBusiness(moving ? moving.start : doc.start),
    end: formatBusiness(moving ? moving.end : doc.end),
    status: doc.status === 'confirmed' ? 'confirmed' : 'pending',
  };
}

/** Removes locks while they still hold what the caller saw: their `_id`s, for `bookingId`, under `token`. */
export async function removeAsSeen(db: Db, locks: readonly Pick<SlotDoc, '_id' | 'bookingId' | 'token'>[]): Promise<void> {
  const _ = db.command;
  for (const group of groupBySeen(locks)) {
    for (const part of chunks(group.ids, LOCK_BATCH)) await db.collection(SLOTS).where({ _id: _.in(part), bookingId: group.bookingId, token: group.token }).remove();
  }
}

function groupBySeen(locks: readonly Pick<SlotDoc, '_id' | 'bookingId' | 'token'>[]): { bookingId: string; token: string; ids: string[] }[] {
  const groups = new Map<string, { bookingId: string; token: string; ids: string[] }>();
  for (const lock of locks) {
    const key = `${lock.bookingId}~${lock.token}`;
    const group = groups.get(key) ?? { bookingId: lock.bookingId, token: lock.token, ids: [] };
    group.ids.push(lock._id);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * Removes dead locks among those read. A lock under the token of its owner's hold or move is
 * removed only once that claim is ended here (a hold marked failed, a move's lease cleared, each
 * while its lease has run out and its token is the one seen); a claim that committed or was
 * renewed meanwhile keeps its locks. Any other dead lock can never be claimed again: it goes.
 */
export async function clearDead(db: Db, dead: readonly SlotDoc[], owners: ReadonlyMap<string, BookingDoc>, now: Date): Promise<void> {
  const _ = db.command;
  const kept = new Set<string>();
  for (const id of new Set(dead.map((lock) => lock.bookingId))) {
    const owner = owners.get(id);
    if (!owner) continue;
    const tokens = new Set(dead.filter((lock) => lock.bookingId === id).map((lock) => lock.token));
    if (owner.status === 'holding' && tokens.has(owner.holdToken)) {
      const { stats } = await db
        .collection(BOOKINGS)
        .where({ _id: id, status: 'holding', holdToken: owner.holdToken, holdUntil: _.lte(now) })
        .update({ data: { status: 'failed', holdUntil: null, updatedAt: now } });
      if (stats.updated === 0) kept.add(`${id}~${owner.holdToken}`);
    }
    if (owner.moving && tokens.has(owner.moving.token)) {
      const { stats } = await db
        .collection(BOOKINGS)
        .where({ _id: id, 'moving.token': owner.moving.token, 'moving.until': _.lte(now) })
        .update({ data: { moving: null, updatedAt: now } });
      if (stats.updated === 0) kept.add(`${id}~${owner.moving.token}`);
    }
  }
  await removeAsSeen(db, dead.filter((lock) => !kept.has(`${lock.bookingId}~${lock.token}`)));
}

/**
 * Takes every lock of the request or none. `ours` are the bookings the request is for: a live
 * lock of one of them under another token is another attempt of the same request, answered
 * BUSY_RETRY (its caller waits for that attempt). Throws BOOKING_CONFLICT with the live bookings
 * in the way. Either way the locks this attempt holds are removed first.
 */
export async function takeLocks(db: Db, request: LockRequest, ours: ReadonlySet<string>, now: () => Date): Promise<void> {
  const ids = [...request.locks.keys()];
  let missing = ids;
  for (let round = 0; round < ROUNDS; round += 1) {
    if (await insertBatch(db, request, missing, now())) return;
    const found = await readLocks(db, ids);
    const held = found.filter((lock) => ours.has(lock.bookingId) && lock.token === request.token);
    const others = found.filter((lock) => !(ours.has(lock.bookingId) && lock.token === request.token));
    if (others.length > 0) {
      const owners = await readBookings(db, others.map((lock) => lock.bookingId));
      const at = now();
      const live = others.filter((lock) => lockIsLive(lock, owners.get(lock.bookingId), at));
      if (live.length > 0) {
        await removeAsSeen(db, held);
        if (live.some((lock) => ours.has(lock.bookingId))) throw new AppFailure('BUSY_RETRY');
        const holders = [...new Set(live.map((lock) => lock.bookingId))].map((id) => owners.get(id) as BookingDoc).sort((a, b) => a.start.getTime() - b.start.getTime());
        const conflicts = holders.map((holder) => conflictOf(holder, live.filter((lock) => lock.bookingId === holder._id)));
        const first = conflicts[0];
        throw new AppFailure('BOOKING_CONFLICT', `与${first.bookerName}的预约「${first.subject}」（${first.start.slice(5)}–${first.end.slice(11)}）冲突${conflicts.length > 1 ? `等 ${conflicts.length} 个预约` : ''}`, 'start', conflicts);
      }
      await clearDead(db, others, owners, at);
    }
    // What this attempt does not hold yet goes in next round (a dead lock kept is met again).
    const mine = new Set(held.map((lock) => lock._id));
    missing = ids.filter((id) => !mine.has(id));
    if (missing.length === 0) return;
  }
  throw new AppFailure('BUSY_RETRY');
}

/** Inserts the locks; false when any was refused (some may have gone in: the caller reads back). */
async function insertBatch(db: Db, request: LockRequest, ids: readonly string[], at: Date): Promise<boolean> {
  let ok = true;
  for (const part of chunks(ids, 500)) {
    const docs: SlotDoc[] = part.map((id) => {
      const lock = request.locks.get(id) as { bookingId: string; start: Date };
      return { _id: id, roomId: request.roomId, bookingId: lock.bookingId, token: request.token, start: lock.start, createdAt: at };
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

/** Removes the locks an attempt holds (inserted or taken over) among `ids`. */
export async function releaseLocks(db: Db, ids: readonly string[], bookingId: string, token: string): Promise<void> {
  await removeAsSeen(db, ids.map((_id) => ({ _id, bookingId, token })));
}

/** Removes every lock an attempt holds, whatever grain (a booking attempt that did not go through). */
export async function releaseAttempt(db: Db, bookingIds: readonly string[], token: string): Promise<void> {
  if (bookingIds.length === 0) return;
  const _ = db.command;
  for (const part of chunks(bookingIds, 100)) await db.collection(SLOTS).where({ bookingId: _.in(part), token }).remove();
}

/**
 * Frees every lock of bookings that let their time go (cancelled, rejected, released, ended),
 * from `from` on (all of them when null). They can never become live again, so no attempt can
 * hold these locks: no token is needed.
 */
export async function freeBookings(db: Db, bookingIds: readonly string[], from: Date | null): Promise<void> {
  if (bookingIds.length === 0) return;
  const _ = db.command;
  for (const part of chunks(bookingIds, 100)) {
    await db.collection(SLOTS).where(from ? { bookingId: _.in(part), start: _.gte(from) } : { bookingId: _.in(part) }).remove();
  }
}
