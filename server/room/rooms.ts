/**
 * Rooms: what admins keep (save, service, the door code) and what everyone reads (the list with
 * the day's free time, free rooms for a range, a room's day). Reads cost a fixed number of
 * database requests whatever the number of bookings: rooms in one query, the bookings that
 * overlap in one more (or one aggregation for a range).
 */
import type { FreeRange, Page, RoomCard, RoomCode, RoomDay, RoomFilters, RoomInput, RoomView, TimelineSlot } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { roomScene, SLOT_SIZES } from '../../typings/room-rules';
import type { UserDoc } from '../accounts/model';
import { isUploadUnder } from '../core/file-ids';
import { AppFailure } from '../core/result';
import { businessDate, formatBusiness } from '../core/time';
import { isDuplicateKey, readAll } from '../db/db';
import { tree } from '../org/units';
import { OpenApiError } from '../ports/wechat-openapi.port';
import { closeBookings, ctxOf, loadRoom, type RoomDeps } from './bookings';
import { BOOKINGS, cannotBook, isAdmin, LIVE_STATUSES, newRev, roomView, ROOMS, type BookingDoc, type RoomDoc } from './model';
import { addDays, closedReason, dayField, minuteOfDay, nextGrain, periodMinutes, periodOf, wallClockField, type Period } from './periods';

/** How far the out-of-service sweep trusts a booking's creation time (instance clocks differ). */
const SWEEP_MARGIN_MS = 5_000;

/** Rooms one organisation may keep: every list reads them in one request. */
export const MAX_ROOMS = 500;
const LIST_PAGE = 30;
const MINUTE = 60_000;
/** The longest booking any room allows: how far back a query looks for bookings reaching into a range. */
const LONGEST_MS = FIELD_LIMITS.roomMaxMinutes * MINUTE;

function invalid(message: string, field: string): AppFailure {
  return new AppFailure('INVALID_INPUT', message, field);
}

function line(text: string, field: string, max: number, required: boolean): string {
  const value = text.replace(/\s+/g, ' ').trim();
  if (required && !value) throw invalid('不能为空', field);
  if ([...value].length > max) throw invalid(`不能超过 ${max} 个字`, field);
  return value;
}

/** Checks and normalises what an admin entered; unit and approver names are looked up. */
async function cleanRoom(deps: RoomDeps, account: UserDoc, input: RoomInput, current: RoomDoc | null): Promise<Omit<RoomDoc, '_id' | 'rev' | 'createdAt' | 'updatedAt' | 'inService' | 'outOfServiceReason' | 'codeFileId'>> {
  const name = line(input.name, 'room.name', FIELD_LIMITS.roomName, true);
  const building = line(input.building, 'building', FIELD_LIMITS.roomBuilding, false);
  const floor = line(input.floor, 'floor', FIELD_LIMITS.roomFloor, false);
  const notes = input.notes.trim();
  if ([...notes].length > FIELD_LIMITS.roomNotes) throw invalid(`不能超过 ${FIELD_LIMITS.roomNotes} 个字`, 'notes');
  if (!Number.isInteger(input.capacity) || input.capacity < 1 || input.capacity > FIELD_LIMITS.roomCapacity) throw invalid(`容纳人数需为 1-${FIELD_LIMITS.roomCapacity}`, 'capacity');
  if (!SLOT_SIZES.includes(input.slotMinutes)) throw invalid(`时段长度只能是 ${SLOT_SIZES.join('、')} 分钟`, 'slotMinutes');
  const open = minuteOfDay(input.hours.open);
  const close = minuteOfDay(input.hours.close);
  if (Number.isNaN(open) || open >= 24 * 60) throw invalid('开放时间格式应为 HH:mm', 'open');
  if (Number.isNaN(close)) throw invalid('关闭时间格式应为 HH:mm', 'close');
  if (open % input.slotMinutes !== 0) throw invalid(`开放时间需在 ${input.slotMinutes} 分钟的时段边界上`, 'open');
  if (close % input.slotMinutes !== 0) throw invalid(`关闭时间需在 ${input.slotMinutes} 分钟的时段边界上`, 'close');
  if (open === close % (24 * 60) && close !== 24 * 60 && open !== 0) throw invalid('开放时间和关闭时间不能相同', 'close');
  const hours = { open: input.hours.open, close: input.hours.close };
  if (!Number.isInteger(input.maxMinutes) || input.maxMinutes < input.slotMinutes || input.maxMinutes > FIELD_LIMITS.roomMaxMinutes || input.maxMinutes % input.slotMinutes !== 0) {
    throw invalid(`最长预约时长需为时段长度的整数倍，且不超过 ${FIELD_LIMITS.roomMaxMinutes / 60} 小时`, 'maxMinutes');
  }
  if (input.maxMinutes > periodMinutes(hours)) throw invalid('最长预约时长不能超过每天的开放时长', 'maxMinutes');
  if (!Number.isInteger(input.advanceDays) || input.advanceDays < 1 || input.advanceDays > FIELD_LIMITS.roomAdvanceDays) throw invalid(`可提前预约天数需为 1-${FIELD_LIMITS.roomAdvanceDays}`, 'advanceDays');
  const weekdays = [...new Set(input.openWeekdays)].sort();
  if (weekdays.length === 0 || weekdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) throw invalid('请至少选择一个开放日（周一至周日）', 'openWeekdays');
  const closedDates = [...new Set(input.closedDates)].sort();
  if (closedDates.length > FIELD_LIMITS.roomClosedDates) throw invalid(`不开放的日期最多 ${FIELD_LIMITS.roomClosedDates} 个`, 'closedDates');
  closedDates.forEach((day) => dayField(day, 'closedDates'));
  const equipment = [...new Set(input.equipment)];
  if (input.photoFileId !== null && !isUploadUnder(input.photoFileId, 'room-photos', account._id, { subfolders: false }) && input.photoFileId !== current?.photoFileId) {
    throw new AppFailure('ROOM_PHOTO_INVALID', undefined, 'photoFileId');
  }
  if (input.photoFileId !== null && input.photoFileId !== current?.photoFileId && !(await deps.storage.exists(input.photoFileId))) throw new AppFailure('ROOM_PHOTO_INVALID', undefined, 'photoFileId');

  const unitIds = [...new Set(input.unitIds)];
  if (unitIds.length > FIELD_LIMITS.roomUnits) throw invalid(`可预约单位最多 ${FIELD_LIMITS.roomUnits} 个`, 'unitIds');
  let units: { id: string; name: string }[] = [];
  if (unitIds.length > 0) {
    const snapshot = await tree(deps);
    units = unitIds.map((id) => {
      const unit = snapshot.get(id);
      if (!unit) throw new AppFailure('UNIT_NOT_FOUND', undefined, 'unitIds');
      return { id, name: unit.name };
    });
  }
  const approverIds = [...new Set(input.approval.approverIds)];
  if (approverIds.length > FIELD_LIMITS.roomApprovers) throw invalid(`审批人最多 ${FIELD_LIMITS.roomApprovers} 位`, 'approverIds');
  let approvers: { id: string; name: string }[] = [];
  if (approverIds.length > 0) {
    const _ = deps.db.command;
    const { data } = await deps.db.collection('members').where({ _id: _.in(approverIds), active: true }).limit(approverIds.length).field({ _id: true, name: true }).get();
    const names = new Map((data as { _id: string; name: string }[]).map((m) => [m._id, m.name]));
    if (names.size !== approverIds.length) throw new AppFailure('MEMBER_NOT_FOUND', undefined, 'approverIds');
    approvers = approverIds.map((id) => ({ id, name: names.get(id) as string }));
  }
  return {
    name,
    building,
    floor,
    capacity: input.capacity,
    equipment,
    photoFileId: input.photoFileId,
    hours,
    openWeekdays: weekdays,
    closedDates,
    slotMinutes: input.slotMinutes,
    maxMinutes: input.maxMinutes,
    advanceDays: input.advanceDays,
    units,
    unitIds,
    approval: { required: input.approval.required, approvers },
    approverIds,
    checkInRequired: input.checkInRequired,
    notes,
  };
}

export function newRoomId(): string {
  return `rm${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 6).toString(36).padStart(6, '0')}`;
}

async function photoUrls(deps: RoomDeps, rooms: readonly RoomDoc[]): Promise<Map<string, string>> {
  const ids = rooms.map((room) => room.photoFileId).filter((id): id is string => !!id);
  if (ids.length === 0) return new Map();
  return deps.storage.temporaryUrls(ids, 3600);
}

async function viewOf(deps: RoomDeps, account: UserDoc, room: RoomDoc): Promise<RoomView> {
  const urls = await photoUrls(deps, [room]);
  return roomView(room, account, room.photoFileId ? (urls.get(room.photoFileId) ?? null) : null, deps.config);
}

async function nameTaken(deps: RoomDeps, name: string, except: string | null): Promise<boolean> {
  const { data } = await deps.db.collection(ROOMS).where({ name }).limit(2).field({ _id: true }).get();
  return (data as { _id: string }[]).some((row) => row._id !== except);
}

/** Creates or saves a room (admins). A save sends back the `rev` it read. */
export async function saveRoom(deps: RoomDeps, account: UserDoc, request: { roomId?: string; rev?: string; room: RoomInput }): Promise<RoomView> {
  const now = deps.now();
  if (!request.roomId) {
    const fields = await cleanRoom(deps, account, request.room, null);
    if (await nameTaken(deps, fields.name, null)) throw new AppFailure('ROOM_NAME_TAKEN', undefined, 'room.name');
    const { total } = await deps.db.collection(ROOMS).count();
    if (total >= MAX_ROOMS) throw invalid(`会议室最多 ${MAX_ROOMS} 间`, 'room');
    const doc: RoomDoc = { _id: newRoomId(), ...fields, inService: true, outOfServiceReason: null, codeFileId: null, rev: newRev(), createdAt: now, updatedAt: now };
    try {
      await deps.db.collection(ROOMS).add({ data: doc });
    } catch (error) {
      // Two admins creating the same name at once: the unique index lets one in.
      if (isDuplicateKey(error)) throw new AppFailure('ROOM_NAME_TAKEN', undefined, 'room.name');
      throw error;
    }
    return viewOf(deps, account, doc);
  }
  const current = await loadRoom(deps, request.roomId);
  if (request.rev !== current.rev) throw new AppFailure('ROOM_STALE', undefined, 'rev');
  const fields = await cleanRoom(deps, account, request.room, current);
  if (fields.name !== current.name && (await nameTaken(deps, fields.name, current._id))) throw new AppFailure('ROOM_NAME_TAKEN', undefined, 'room.name');
  const rev = newRev();
  let updated: number;
  try {
    updated = (await deps.db.collection(ROOMS).where({ _id: current._id, rev: current.rev }).update({ data: { ...fields, rev, updatedAt: now } })).stats.updated;
  } catch (error) {
    if (isDuplicateKey(error)) throw new AppFailure('ROOM_NAME_TAKEN', undefined, 'room.name');
    throw error;
  }
  if (updated === 0) throw new AppFailure('ROOM_STALE', undefined, 'rev');
  if (current.photoFileId && current.photoFileId !== fields.photoFileId) await deps.storage.remove([current.photoFileId]).catch(() => undefined);
  return viewOf(deps, account, { ...current, ...fields, rev, updatedAt: now });
}

/**
 * Takes a room out of service or back. Out of service, its bookings not yet over are cancelled
 * (one in progress ends now), their time freed, and each booker told by the timer's next run
 * (or at once here when there are few).
 */
export async function setService(deps: RoomDeps, account: UserDoc, request: { roomId: string; inService: boolean; reason?: string }): Promise<{ room: RoomView; cancelled: number }> {
  const room = await loadRoom(deps, request.roomId);
  const now = deps.now();
  const reason = request.reason?.replace(/\s+/g, ' ').trim() ?? '';
  if (!request.inService && !reason) throw invalid('请填写暂停使用的原因', 'reason');
  await deps.db.collection(ROOMS).where({ _id: room._id }).update({ data: { inService: request.inService, outOfServiceReason: request.inService ? null : reason, rev: newRev(), updatedAt: now } });
  const cancelled = request.inService ? 0 : await sweepOutOfService(deps, room._id, reason, new Date(now.getTime() + SWEEP_MARGIN_MS));
  return { room: await viewOf(deps, account, await loadRoom(deps, room._id)), cancelled };
}

/** Cancels the live bookings of a room out of service; also run by the timer for bookings that raced it. */
/**
 * Bookings made before `seenOut` (when the room was read out of service) are swept: one made
 * after the room came back into service meanwhile is never touched. A booking that slipped in
 * just before is caught by the next run, which reads the room again.
 */
export async function sweepOutOfService(deps: Pick<RoomDeps, 'db' | 'now'>, roomId: string, reason: string, seenOut: Date): Promise<number> {
  const _ = deps.db.command;
  const now = deps.now();
  const until = nextGrain(now);
  const cancelReason = `会议室暂停使用：${reason}`.slice(0, FIELD_LIMITS.bookingReason);
  // A few seconds' margin for instances whose clocks run behind.
  const live = { roomId, status: _.in([...LIVE_STATUSES]), createdAt: _.lte(new Date(seenOut.getTime() - SWEEP_MARGIN_MS)) };
  // A booking in progress ends now (its time until the next grain stays held); one not begun is cancelled.
  const ended = await closeBookings(deps, { ...live, start: _.lte(now), heldUntil: _.gt(until) }, { status: 'ended', heldUntil: until, closedAt: now, cancelReason, tell: 'cancelled' }, until);
  const cancelled = await closeBookings(deps, { ...live, start: _.gt(now) }, { status: 'cancelled', closedAt: now, cancelReason, tell: 'cancelled' }, null);
  return ended.length + cancelled.length;
}

/** The room's door code: made by WeChat once, kept in storage, handed out as a temporary link. */
export async function roomCode(deps: RoomDeps, roomId: string): Promise<RoomCode> {
  const room = await loadRoom(deps, roomId);
  const scene = roomScene(room._id);
  let fileId = room.codeFileId;
  if (fileId && !(await deps.storage.exists(fileId))) fileId = null;
  if (!fileId) {
    let image: { contentType: string; buffer: Uint8Array };
    try {
      image = await deps.openapi.getUnlimitedCode({ scene, page: 'pages/room/index', checkPath: deps.config.miniprogramState === 'formal', envVersion: envVersionOf(deps.config.miniprogramState), width: 430 });
    } catch (error) {
      if (error instanceof OpenApiError) throw new AppFailure('ROOM_CODE_UNAVAILABLE');
      throw error;
    }
    // The platform answers JPEG, the local stand-in PNG: the name follows what came back.
    const extension = /png/i.test(image.contentType) ? 'png' : 'jpg';
    fileId = await deps.storage.upload(`room-codes/${room._id}.${extension}`, image.buffer);
    await deps.db.collection(ROOMS).where({ _id: room._id }).update({ data: { codeFileId: fileId } });
  }
  const urls = await deps.storage.temporaryUrls([fileId], 3600);
  const url = urls.get(fileId);
  if (!url) throw new AppFailure('ROOM_CODE_UNAVAILABLE');
  return { roomId: room._id, scene, url };
}

function envVersionOf(state: RoomDeps['config']['miniprogramState']): 'release' | 'trial' | 'develop' {
  return state === 'trial' ? 'trial' : state === 'developer' ? 'develop' : 'release';
}

function matches(room: RoomDoc, filters: RoomFilters): boolean {
  if (filters.minCapacity && room.capacity < filters.minCapacity) return false;
  return (filters.equipment ?? []).every((item) => room.equipment.includes(item));
}

/** Every room (at most MAX_ROOMS) in one request, by name. */
async function allRooms(deps: RoomDeps, includeOut: boolean): Promise<RoomDoc[]> {
  const { data } = await deps.db.collection(ROOMS).where(includeOut ? {} : { inService: true }).orderBy('name', 'asc').limit(MAX_ROOMS).get();
  return data as RoomDoc[];
}

/**
 * Live bookings of the rooms overlapping [from, to): one request for a day of up to 1,000
 * bookings (a period of 24 hours in 15-minute bookings is 96 per room), a page more per 1,000.
 */
async function bookingsOverlapping(deps: RoomDeps, roomIds: readonly string[], from: Date, to: Date): Promise<BookingDoc[]> {
  if (roomIds.length === 0) return [];
  const _ = deps.db.command;
  return readAll<BookingDoc>(
    deps.db,
    BOOKINGS,
    { roomId: _.in([...roomIds]), status: _.in([...LIVE_STATUSES]), start: _.gt(new Date(from.getTime() - LONGEST_MS)).and(_.lt(to)), heldUntil: _.gt(from) },
    { roomId: true, start: true, end: true, heldUntil: true, status: true, subject: true, bookerName: true, bookerId: true, bookerMemberId: true, participants: true },
  );
}

function freeRanges(period: Period, from: Date, taken: readonly BookingDoc[], slotMs: number): FreeRange[] {
  const busy = taken.map((b) => [b.start.getTime(), b.heldUntil.getTime()] as const).sort((a, b) => a[0] - b[0]);
  // Free time starts at the next slot boundary from now (a slot already begun cannot be booked).
  const base = period.start.getTime();
  let cursor = Math.max(base, base + Math.ceil((from.getTime() - base) / slotMs) * slotMs);
  const out: FreeRange[] = [];
  for (const [start, end] of busy) {
    if (start > cursor) out.push({ start: formatBusiness(new Date(cursor), 'HH:mm'), end: formatBusiness(new Date(Math.min(start, period.end.getTime())), 'HH:mm') });
    cursor = Math.max(cursor, end);
  }
  if (cursor < period.end.getTime()) out.push({ start: formatBusiness(new Date(cursor), 'HH:mm'), end: closeText(period.end) });
  return out.filter((range) => range.start !== range.end);
}

/** `24:00` reads better than `00:00` for a period closing at midnight. */
function closeText(end: Date): string {
  const text = formatBusiness(end, 'HH:mm');
  return text === '00:00' ? '24:00' : text;
}

function cardOf(room: RoomDoc, account: UserDoc, photoUrl: string | null, period: Period | null, free: FreeRange[]): RoomCard {
  return {
    id: room._id,
    name: room.name,
    building: room.building,
    floor: room.floor,
    capacity: room.capacity,
    equipment: [...room.equipment],
    photoUrl,
    inService: room.inService,
    canBook: cannotBook(room, account) === null,
    needsApproval: room.approval.required,
    period: period ? { start: formatBusiness(period.start, 'HH:mm'), end: closeText(period.end) } : null,
    free,
  };
}

/** Rooms with the day's free time, paged by name. */
export async function listRooms(deps: RoomDeps, account: UserDoc, request: RoomFilters & { date: string; all?: boolean; after?: string }): Promise<Page<RoomCard> & { date: string }> {
  const date = dayField(request.date, 'date');
  const now = deps.now();
  const rooms = (await allRooms(deps, request.all === true && isAdmin(account))).filter((room) => matches(room, request));
  const start = request.after ? rooms.findIndex((room) => room._id === request.after) + 1 : 0;
  if (request.after && start === 0) throw invalid('翻页位置无效，请刷新后重试', 'after');
  const page = rooms.slice(start, start + LIST_PAGE);
  const periods = new Map(page.map((room) => [room._id, closedReason(room, date) || !room.inService ? null : periodOf(room, date)]));
  const open = page.filter((room) => periods.get(room._id));
  const from = new Date(Math.min(...open.map((room) => (periods.get(room._id) as Period).start.getTime()), Number.MAX_SAFE_INTEGER));
  const to = new Date(Math.max(...open.map((room) => (periods.get(room._id) as Period).end.getTime()), 0));
  const bookings = open.length > 0 ? await bookingsOverlapping(deps, open.map((room) => room._id), from, to) : [];
  const urls = await photoUrls(deps, page);
  const items = page.map((room) => {
    const period = periods.get(room._id) ?? null;
    const free = period ? freeRanges(period, now, bookings.filter((b) => b.roomId === room._id), room.slotMinutes * MINUTE) : [];
    return cardOf(room, account, room.photoFileId ? (urls.get(room.photoFileId) ?? null) : null, period, free);
  });
  return { date, items, next: start + LIST_PAGE < rooms.length ? page[page.length - 1]._id : null };
}

/** Rooms the caller may book that are free for all of [start, end), smallest fitting first. */
export async function freeRooms(deps: RoomDeps, account: UserDoc, request: RoomFilters & { start: string; end: string }): Promise<{ items: RoomCard[] }> {
  const start = wallClockField(request.start, 'start');
  const end = wallClockField(request.end, 'end');
  if (end <= start) throw new AppFailure('BOOKING_NOT_ON_SLOT', '结束时间需晚于开始时间', 'end');
  if (end.getTime() - start.getTime() > LONGEST_MS) throw new AppFailure('BOOKING_TOO_LONG', `一次最长可查询 ${FIELD_LIMITS.roomMaxMinutes / 60} 小时`, 'end');
  // A time already begun cannot be booked: no room is free for it.
  if (start.getTime() <= deps.now().getTime()) throw new AppFailure('BOOKING_IN_PAST', undefined, 'start');
  const day = businessDate(start);
  const periods = new Map<string, Period>();
  const candidates = (await allRooms(deps, false)).filter((room) => {
    if (!matches(room, request) || cannotBook(room, account) !== null) return false;
    // Inside one of the room's periods (the day's, or the previous day's running past midnight).
    const period = [day, addDays(day, -1)]
      .filter((d) => !closedReason(room, d))
      .map((d) => periodOf(room, d))
      .find((p) => start >= p.start && end <= p.end);
    if (period) periods.set(room._id, period);
    return period !== undefined;
  });
  if (candidates.length === 0) return { items: [] };
  const _ = deps.db.command;
  const { list } = await deps.db
    .collection(BOOKINGS)
    .aggregate()
    .match({ roomId: _.in(candidates.map((room) => room._id)), status: _.in([...LIVE_STATUSES]), start: _.gt(new Date(start.getTime() - LONGEST_MS)).and(_.lt(end)), heldUntil: _.gt(start) })
    .group({ _id: '$roomId' })
    .limit(MAX_ROOMS)
    .end();
  const busy = new Set((list as { _id: string }[]).map((row) => row._id));
  const free = candidates.filter((room) => !busy.has(room._id)).sort((a, b) => a.capacity - b.capacity || a.name.localeCompare(b.name));
  const urls = await photoUrls(deps, free);
  const range = { start: formatBusiness(start, 'HH:mm'), end: formatBusiness(end, 'HH:mm') };
  return { items: free.map((room) => cardOf(room, account, room.photoFileId ? (urls.get(room.photoFileId) ?? null) : null, periods.get(room._id) ?? null, [range])) };
}

/** A room's day: the period's slots at the room's slot size, each with who holds it. */
export async function roomDay(deps: RoomDeps, account: UserDoc, request: { roomId: string; date: string }): Promise<RoomDay> {
  const date = dayField(request.date, 'date');
  const room = await loadRoom(deps, request.roomId);
  const view = await viewOf(deps, account, room);
  const now = deps.now();
  const lastBookableDate = addDays(businessDate(now), room.advanceDays);
  const reason = !room.inService ? 'out-of-service' : date > lastBookableDate ? 'too-far' : closedReason(room, date);
  const base = { room: view, date, lastBookableDate };
  if (reason) return { ...base, period: null, closed: reason, slots: [] };
  const period = periodOf(room, date);
  const bookings = await bookingsOverlapping(deps, [room._id], period.start, period.end);
  const memberId = account.member?.id ?? null;
  const ctx = ctxOf(deps, account);
  const slots: TimelineSlot[] = [];
  const slotMs = room.slotMinutes * MINUTE;
  for (let at = period.start.getTime(); at < period.end.getTime(); at += slotMs) {
    const holder = bookings.find((b) => b.start.getTime() < at + slotMs && b.heldUntil.getTime() > at);
    const booker = !!holder && (holder.bookerId === ctx.account._id || holder.bookerMemberId === memberId);
    const attending = !!holder && !booker && memberId !== null && holder.participants.includes(memberId);
    const mine = booker || attending;
    const state: TimelineSlot['state'] = at < now.getTime() ? 'past' : !holder ? 'free' : mine ? 'mine' : holder.status === 'pending' ? 'pending' : 'taken';
    slots.push({
      start: formatBusiness(new Date(at)),
      end: formatBusiness(new Date(at + slotMs)),
      state,
      booking: holder
        ? { id: holder._id, subject: holder.subject, bookerName: holder.bookerName, start: formatBusiness(holder.start), end: formatBusiness(holder.end), pending: holder.status === 'pending', attending }
        : null,
    });
  }
  return { ...base, period: { start: formatBusiness(period.start), end: formatBusiness(period.end) }, closed: null, slots };
}
