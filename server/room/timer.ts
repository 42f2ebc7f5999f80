/**
 * The room function's minute timer: releases bookings not checked in, reminds people before
 * their bookings start, expires pending bookings nobody decided in time, tells bookers of
 * outcomes, and finishes what a crash or a race left (lapsed holds and their locks, bookings
 * that slipped into a room as it went out of service). Each step claims its work with a
 * conditional update, so two runs at once never do a thing twice; a step that fails is logged
 * and the others still run.
 */
import { closeBookings, type RoomDeps } from './bookings';
import { clearRecentDeadLocks, freeBookings, releaseAttempt } from './locks';
import { BOOKINGS, newRev, ROOMS, type BookingDoc, type RoomDoc } from './model';
import { tellMembers, type Tell } from './notify';
import { nextGrain } from './periods';
import { sweepOutOfService } from './rooms';

const MINUTE = 60_000;
/** How far back the timer looks for locks a crash left (runs every minute; a few missed runs are covered). */
const RECENT_LOCKS_MS = 10 * MINUTE;
/** Bookings one step takes per run; the next run takes the rest. */
const BATCH = 200;

export interface RoomTimerReport {
  released: number;
  reminded: number;
  expired: number;
  told: number;
  lapsedHolds: number;
  deadLocks: number;
  swept: number;
  failures: string[];
}

/** Releases confirmed bookings whose check-in window closed without a check-in; frees their time from now. */
export async function releaseNoShows(deps: RoomDeps): Promise<number> {
  const _ = deps.db.command;
  const now = deps.now();
  const closedBefore = new Date(now.getTime() - deps.config.checkInAfterMinutes * MINUTE);
  const { data } = await deps.db
    .collection(BOOKINGS)
    .where({ status: 'confirmed', start: _.lt(closedBefore), checkInRequired: true, checkedInAt: null })
    .limit(BATCH)
    .field({ _id: true, start: true, end: true })
    .get();
  let released = 0;
  const until = nextGrain(now);
  for (const row of data as Pick<BookingDoc, '_id' | 'start' | 'end'>[]) {
    const heldUntil = until < row.end ? until : row.end;
    const { stats } = await deps.db
      .collection(BOOKINGS)
      // As read: a booking moved meanwhile has a check-in window of its own.
      .where({ _id: row._id, status: 'confirmed', checkedInAt: null, start: row.start })
      .update({ data: { status: 'released', heldUntil, closedAt: now, rev: newRev(), updatedAt: now } });
    if (stats.updated === 0) continue;
    released += 1;
    await freeBookings(deps.db, [row._id], heldUntil);
  }
  return released;
}

/** Reminds the people of bookings starting within the reminder lead, once per booking. */
export async function sendReminders(deps: RoomDeps): Promise<number> {
  if (!deps.config.templates.some((t) => t.purpose === 'booking-remind')) return 0;
  const _ = deps.db.command;
  const now = deps.now();
  const { data } = await deps.db
    .collection(BOOKINGS)
    .where({ status: 'confirmed', remindedAt: null, start: _.gt(now).and(_.lte(new Date(now.getTime() + deps.config.remindBeforeMinutes * MINUTE))) })
    .limit(BATCH)
    .get();
  let reminded = 0;
  for (const doc of data as BookingDoc[]) {
    const claim = await deps.db.collection(BOOKINGS).where({ _id: doc._id, remindedAt: null }).update({ data: { remindedAt: now } });
    if (claim.stats.updated === 0) continue;
    reminded += await tellMembers(deps, doc, doc.participants, 'remind');
  }
  return reminded;
}

/** Pending bookings whose start has come without a decision are refused, and their time freed. */
export async function expirePending(deps: RoomDeps): Promise<number> {
  const _ = deps.db.command;
  const now = deps.now();
  const decision = _.set({ approved: false, by: '系统', at: now, reason: '开始前无人审批，已自动取消' });
  return (await closeBookings(deps, { status: 'pending', start: _.lte(now) }, { status: 'rejected', decision, closedAt: now, tell: 'rejected' }, null)).length;
}

/**
 * Tells bookers of outcomes (approved, rejected, cancelled by someone else): one message per
 * series, claimed before it is sent so it is never sent twice. `ids` limits it to some bookings.
 */
export async function deliverTells(deps: RoomDeps, ids?: readonly string[]): Promise<number> {
  const _ = deps.db.command;
  const filter = ids ? { _id: _.in([...ids]), tell: _.in(['approved', 'rejected', 'cancelled']) } : { tell: _.in(['approved', 'rejected', 'cancelled']) };
  const { data } = await deps.db.collection(BOOKINGS).where(filter).orderBy('start', 'asc').limit(BATCH).get();
  const groups = new Map<string, BookingDoc[]>();
  for (const doc of data as BookingDoc[]) {
    const key = `${doc.seriesId ?? doc._id}~${doc.tell}`;
    groups.set(key, [...(groups.get(key) ?? []), doc]);
  }
  let told = 0;
  for (const docs of groups.values()) {
    const tell = docs[0].tell as Exclude<Tell, 'remind'>;
    const claim = await deps.db.collection(BOOKINGS).where({ _id: _.in(docs.map((d) => d._id)), tell }).update({ data: { tell: null } });
    if (claim.stats.updated === 0) continue;
    told += await tellMembers(deps, docs[0], [docs[0].bookerMemberId], tell);
  }
  return told;
}

/**
 * Holds whose lease ran out (a function died while booking): marked failed and their attempt's
 * locks removed, each under the attempt token seen, so a retry that renewed one meanwhile keeps it.
 */
export async function clearLapsedHolds(deps: RoomDeps): Promise<number> {
  const _ = deps.db.command;
  const now = deps.now();
  const { data } = await deps.db.collection(BOOKINGS).where({ status: 'holding', holdUntil: _.lte(now) }).limit(BATCH).field({ _id: true, holdToken: true }).get();
  let cleared = 0;
  for (const row of data as Pick<BookingDoc, '_id' | 'holdToken'>[]) {
    const { stats } = await deps.db
      .collection(BOOKINGS)
      .where({ _id: row._id, status: 'holding', holdToken: row.holdToken, holdUntil: _.lte(now) })
      .update({ data: { status: 'failed', holdUntil: null, updatedAt: now } });
    if (stats.updated === 0) continue;
    cleared += 1;
    await releaseAttempt(deps.db, [row._id], row.holdToken);
  }
  return cleared;
}

/** Bookings that reached a room while it went out of service. */
export async function sweepRooms(deps: RoomDeps): Promise<number> {
  const seenOut = deps.now();
  const { data } = await deps.db.collection(ROOMS).where({ inService: false }).limit(500).field({ _id: true, outOfServiceReason: true }).get();
  let swept = 0;
  for (const room of data as Pick<RoomDoc, '_id' | 'outOfServiceReason'>[]) swept += await sweepOutOfService(deps, room._id, room.outOfServiceReason ?? '', seenOut);
  return swept;
}

export async function runRoomTimer(deps: RoomDeps): Promise<RoomTimerReport> {
  const report: RoomTimerReport = { released: 0, reminded: 0, expired: 0, told: 0, lapsedHolds: 0, deadLocks: 0, swept: 0, failures: [] };
  const steps: [keyof Omit<RoomTimerReport, 'failures'>, () => Promise<number>][] = [
    ['lapsedHolds', () => clearLapsedHolds(deps)],
    ['deadLocks', () => clearRecentDeadLocks(deps.db, deps.now(), RECENT_LOCKS_MS)],
    ['swept', () => sweepRooms(deps)],
    ['released', () => releaseNoShows(deps)],
    ['expired', () => expirePending(deps)],
    ['told', () => deliverTells(deps)],
    ['reminded', () => sendReminders(deps)],
  ];
  for (const [name, step] of steps) {
    try {
      report[name] = await step();
    } catch (error) {
      console.error(`[room] timer step ${name} failed: ${(error as Error)?.stack ?? String(error)}`);
      report.failures.push(name);
    }
  }
  return report;
}
