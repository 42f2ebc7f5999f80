/**
 * A person's side: the inbox, the unread count, opening and confirming. Each costs at most
 * three database requests beyond the guard's, whatever the number of notices and members:
 * - the caller's units come with the account the guard loaded (`member.unitKeys`);
 * - everything in the inbox is a receipt of the caller: one range query on (memberId, listKey);
 * - 公告 published before the caller joined their units get receipts from the notice timer
 *   (`syncLateReceipts`) within a minute of the change: every write of an account's member
 *   summary that may change its units removes its `noticeSync` mark, and the timer completes
 *   accounts without one. Until then such a 公告 still opens (opening writes its receipt).
 */
import { createHash } from 'node:crypto';
import type { InboxItem, InboxPage, NoticeDetail } from '../../typings';
import type { UserDoc } from '../accounts/model';
import { AppFailure } from '../core/result';
import { findById, insertIfAbsent } from '../db/db';
import type { MemberDoc } from '../org/model';
import { tree } from '../org/units';
import { canManage, type NoticeDeps } from './compose';
import { insertReceipts, receiptFor } from './fanout';
import {
  ALL_KEY,
  announcementReaches,
  business,
  inboxItemOfReceipt,
  NOTICES,
  RECEIPTS,
  receiptId,
  type NoticeDoc,
  type ReceiptDoc,
} from './model';
import { canSeeStats } from './access';
import { formatBusiness } from '../core/time';

export const INBOX_PAGE = 20;
/** Unread receipts the badge counts at most; the tab shows 99+ long before. */
const UNREAD_SCAN = 1000;

export interface Reader {
  memberId: string;
  unitKeys: string[];
  /** What a receipt of a later joiner records of them, from the account summary; null when the summary predates it. */
  person: { name: string; number: string; unitIds: string[]; hasPhone: boolean } | null;
}

export type ReaderOrBlock = { reader: Reader } | { blocked: 'unbound' | 'inactive' };

/**
 * Who reads, from the account the guard loaded. Summaries written before notices existed lack
 * the unit keys: those cost one read of the tree (and of the member when the ids are missing too).
 */
export async function readerOf(deps: NoticeDeps, account: UserDoc): Promise<ReaderOrBlock> {
  const member = account.member;
  if (!member) return { blocked: 'unbound' };
  if (!member.active) return { blocked: 'inactive' };
  const person = member.unitIds && member.hasPhone !== undefined ? { name: member.name, number: member.number, unitIds: member.unitIds, hasPhone: member.hasPhone } : null;
  if (member.unitKeys) return { reader: { memberId: member.id, unitKeys: member.unitKeys, person } };
  let unitIds = member.unitIds;
  if (!unitIds) unitIds = (await findById<MemberDoc>(deps.db, 'members', member.id))?.unitIds ?? [];
  return { reader: { memberId: member.id, unitKeys: (await tree(deps)).ancestorKeys(unitIds), person } };
}

function requireReader(found: ReaderOrBlock): Reader {
  if ('blocked' in found) throw new AppFailure(found.blocked === 'inactive' ? 'MEMBER_INACTIVE' : 'NOTICE_NOT_FOUND');
  return found.reader;
}

/** Whether a receipt belongs in its holder's inbox now. */
function showsReceipt(receipt: ReceiptDoc, reader: Reader): boolean {
  if (receipt.hidden) return false;
  return receipt.kind !== 'announcement' || announcementReaches(receipt.audienceKeys, reader.unitKeys);
}

function matchKeys(reader: Reader): string[] {
  return [ALL_KEY, ...reader.unitKeys];
}

const CURSOR = /^[PN]\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\|[A-Za-z0-9_-]{1,64}$/;

/** 公告 a person joining units gets receipts for at once, newest first; older ones still open from a link. */
const LATE_SYNC_MAX = 1000;

/** What a receipt of a 公告 needs of it: not the body (up to 5,000 characters). */
const LATE_NOTICE_FIELDS = {
  _id: true,
  kind: true,
  status: true,
  title: true,
  excerpt: true,
  authorName: true,
  publishedAt: true,
  deadline: true,
  pinned: true,
  requiresConfirm: true,
  attachments: true,
  editedAt: true,
  listKey: true,
  audienceKeys: true,
  version: true,
};

/** Which member and units an account's receipts were last completed for (for people reading the data). */
export function syncSignature(reader: Reader): string {
  return createHash('sha256').update(`${reader.memberId}|${reader.unitKeys.join(',')}`).digest('hex').slice(0, 16);
}

/**
 * Gives a person receipts for the 公告 of their units they have none of: those published before
 * they joined (or were bound, or restored). A race of two runs writes each receipt once (their
 * ids are fixed). Marks the account done only while its units are still the ones it used, so a
 * change in between is completed by the next run. False when the account has no active member.
 */
export async function syncLateReceipts(deps: NoticeDeps, account: UserDoc): Promise<boolean> {
  const found = await readerOf(deps, account);
  if ('blocked' in found) return false;
  const { reader } = found;
  const signature = syncSignature(reader);
  const _ = deps.db.command;
  const { data } = await deps.db
    .collection(NOTICES)
    // Being published too: its fan-out may have passed this person already.
    .where({ kind: 'announcement', status: _.in(['published', 'publishing']), audienceKeys: _.in(matchKeys(reader)) })
    .orderBy('listKey', 'desc')
    .limit(LATE_SYNC_MAX)
    .field(LATE_NOTICE_FIELDS)
    .get();
  const announcements = data as NoticeDoc[];
  if (announcements.length > 0) {
    const ids = announcements.map((doc) => receiptId(doc._id, reader.memberId));
    const { data: held } = await deps.db.collection(RECEIPTS).where({ _id: _.in(ids) }).limit(ids.length).field({ _id: true }).get();
    const have = new Set((held as { _id: string }[]).map((row) => row._id));
    const missing = announcements.filter((doc) => !have.has(receiptId(doc._id, reader.memberId)));
    if (missing.length > 0) {
      const now = deps.now();
      const person = await personOf(deps, reader);
      if (!person) return false;
      await insertReceipts(deps, missing.map((doc) => ({ ...receiptFor(doc, person, null, now, true), unitKeys: [...reader.unitKeys] })));
    }
  }
  // Only while the account still has these units: a change in between syncs again next time.
  const sameUnits = account.member?.unitKeys ? { 'member.unitKeys': account.member.unitKeys } : {};
  await deps.db.collection('users').where({ _id: account._id, 'member.id': reader.memberId, ...sameUnits }).update({ data: { noticeSync: signature } });
  return true;
}

/** The person a new receipt records, from the account summary (older summaries: the member document). */
async function personOf(deps: NoticeDeps, reader: Reader): Promise<Parameters<typeof receiptFor>[1] | null> {
  if (reader.person) return { _id: reader.memberId, ...reader.person };
  const member = await findById<MemberDoc>(deps.db, 'members', reader.memberId);
  return member?.active ? member : null;
}

export async function inbox(deps: NoticeDeps, account: UserDoc, filter: 'unread' | 'all', after: string | undefined): Promise<InboxPage> {
  const found = await readerOf(deps, account);
  if ('blocked' in found) return { items: [], next: null, pinned: [], blocked: found.blocked };
  if (after !== undefined && !CURSOR.test(after)) throw new AppFailure('INVALID_INPUT', '分页参数无效', 'after');
  const { reader } = found;
  const _ = deps.db.command;
  let items: InboxItem[] = [];
  let next: string | null = after ?? null;
  // A page of receipts may all be 公告 of units the caller has left (they stay, should the
  // caller return): a few more pages keep the reply from coming back empty mid-list.
  for (let pass = 0; pass < EMPTY_PASSES && (pass === 0 || (items.length === 0 && next)); pass += 1) {
    const where: Record<string, unknown> = { memberId: reader.memberId, hidden: false };
    if (next) where.listKey = _.lt(next);
    if (filter === 'unread') where.readAt = null;
    const { data } = await deps.db.collection(RECEIPTS).where(where).orderBy('listKey', 'desc').limit(INBOX_PAGE).get();
    const receipts = data as ReceiptDoc[];
    items = receipts.filter((receipt) => showsReceipt(receipt, reader)).map(inboxItemOfReceipt);
    next = receipts.length === INBOX_PAGE ? receipts[receipts.length - 1].listKey : null;
  }
  return after ? { items, next, pinned: [], blocked: null } : { items: items.filter((i) => !i.pinned), next, pinned: items.filter((i) => i.pinned), blocked: null };
}

/** Pages of receipts one inbox call reads at most when they hold nothing to show. */
const EMPTY_PASSES = 3;

export async function unreadCount(deps: NoticeDeps, account: UserDoc): Promise<number> {
  const found = await readerOf(deps, account);
  if ('blocked' in found) return 0;
  const { reader } = found;
  const { data } = await deps.db
    .collection(RECEIPTS)
    .where({ memberId: reader.memberId, hidden: false, readAt: null })
    .limit(UNREAD_SCAN)
    .field({ kind: true, audienceKeys: true, hidden: true })
    .get();
  return (data as ReceiptDoc[]).filter((receipt) => showsReceipt(receipt, reader)).length;
}

/**
 * The caller's receipt for a notice they may read: the one written at publishing, or for a
 * 公告 reaching them now without one (they joined later), a new one, written already read (it
 * is made by opening). Null when they are not in the audience.
 */
async function receiptOf(deps: NoticeDeps, doc: NoticeDoc, reader: Reader, writing: 'read' | 'confirmed'): Promise<ReceiptDoc | null> {
  const existing = await findById<ReceiptDoc>(deps.db, RECEIPTS, receiptId(doc._id, reader.memberId));
  if (existing) return existing.hidden || !showsReceipt(existing, reader) ? null : existing;
  if (doc.kind !== 'announcement' || !announcementReaches(doc.audienceKeys, reader.unitKeys)) return null;
  // The summary the guard loaded says who the person is; older summaries cost a read of the member and the tree.
  let late: ReceiptDoc;
  const now = deps.now();
  if (reader.person) {
    const { name, number, unitIds, hasPhone } = reader.person;
    late = { ...receiptFor(doc, { _id: reader.memberId, name, number, unitIds, hasPhone }, null, now, true), unitKeys: [...reader.unitKeys] };
  } else {
    const member = await findById<MemberDoc>(deps.db, 'members', reader.memberId);
    if (!member || !member.active) return null;
    late = receiptFor(doc, member, await tree(deps), now, true);
  }
  Object.assign(late, readFields(late, now));
  if (writing === 'confirmed') late.confirmedAt = now;
  if (!(await insertIfAbsent(deps.db, RECEIPTS, { ...late }))) return findById<ReceiptDoc>(deps.db, RECEIPTS, late._id);
  return late;
}

function readFields(receipt: Pick<ReceiptDoc, 'publishedAt'>, now: Date): Pick<ReceiptDoc, 'readAt' | 'readSeconds'> {
  return { readAt: now, readSeconds: Math.max(0, Math.round((now.getTime() - new Date(receipt.publishedAt).getTime()) / 1000)) };
}

/**
 * Records the first read: one conditional update, so 200 people opening at once (or one person
 * twice) each count exactly once and the first time is kept.
 */
async function markRead(deps: NoticeDeps, doc: NoticeDoc, receipt: ReceiptDoc): Promise<ReceiptDoc> {
  if (receipt.readAt) return receipt;
  const read = readFields(receipt, deps.now());
  const { stats } = await deps.db.collection(RECEIPTS).where({ _id: receipt._id, readAt: null }).update({ data: read });
  if (stats.updated === 0) return (await findById<ReceiptDoc>(deps.db, RECEIPTS, receipt._id)) ?? receipt;
  return { ...receipt, ...read };
}

/** Links to the notice's files for someone allowed to see it; they expire, so they are never stored. */
async function attachmentLinks(deps: NoticeDeps, doc: NoticeDoc): Promise<NoticeDetail['attachments']> {
  if (doc.attachments.length === 0) return [];
  const urls = await deps.storage.temporaryUrls(doc.attachments.map((a) => a.fileId), ATTACHMENT_LINK_SECONDS);
  return doc.attachments.filter((a) => urls.has(a.fileId)).map((a) => ({ ...a, url: urls.get(a.fileId) as string }));
}

/** How long an attachment link works: long enough to read a long PDF, short enough to be useless when shared. */
export const ATTACHMENT_LINK_SECONDS = 1800;

/**
 * Published, or being published: receipts appear in inboxes while the fan-out runs, so their
 * notice opens too.
 */
function isReadable(doc: NoticeDoc): boolean {
  return doc.status === 'published' || doc.status === 'publishing';
}

export async function openNotice(deps: NoticeDeps, account: UserDoc, noticeId: string): Promise<NoticeDetail> {
  const doc = await findById<NoticeDoc>(deps.db, NOTICES, noticeId);
  if (!doc) throw new AppFailure('NOTICE_NOT_FOUND', undefined, 'noticeId');
  const manager = canManage(account, doc);
  const found = await readerOf(deps, account);
  const reader = 'reader' in found ? found.reader : null;
  let receipt: ReceiptDoc | null = null;
  if (isReadable(doc) && reader) {
    const held = await receiptOf(deps, doc, reader, 'read');
    receipt = held ? await markRead(deps, doc, held) : null;
  }
  const statsAllowed = await canSeeStats(deps, account, doc);
  // Outside the audience, only those who manage or oversee it may look; recalled ones only managers.
  if (!receipt && !manager && !(statsAllowed && doc.status === 'published')) throw new AppFailure('NOTICE_NOT_FOUND', undefined, 'noticeId');
  if (doc.status === 'recalled' && !manager) throw new AppFailure('NOTICE_NOT_FOUND', undefined, 'noticeId');
  return {
    id: doc._id,
    kind: doc.kind,
    status: doc.status,
    title: doc.title,
    body: doc.body,
    authorName: doc.authorName,
    publishedAt: business(doc.publishedAt),
    editedAt: business(doc.editedAt),
    deadline: business(doc.deadline),
    pinned: doc.pinned,
    requiresConfirm: doc.requiresConfirm,
    attachments: await attachmentLinks(deps, doc),
    receipt: receipt ? { readAt: business(receipt.readAt), confirmedAt: business(receipt.confirmedAt) } : null,
    canSeeStats: statsAllowed && doc.status !== 'draft',
    canManage: manager,
  };
}

/** 确认收到: reading first if needed; the first confirmation time is kept. */
export async function confirmNotice(deps: NoticeDeps, account: UserDoc, noticeId: string): Promise<{ readAt: string; confirmedAt: string }> {
  const reader = requireReader(await readerOf(deps, account));
  const doc = await findById<NoticeDoc>(deps.db, NOTICES, noticeId);
  if (!doc || !isReadable(doc)) throw new AppFailure('NOTICE_NOT_FOUND', undefined, 'noticeId');
  // Confirming one that does not ask would count a 确认 nobody was asked for: refused before
  // anything is written, and only to someone who may know the notice exists.
  if (!doc.requiresConfirm) {
    const mine = await findById<ReceiptDoc>(deps.db, RECEIPTS, receiptId(doc._id, reader.memberId));
    const reaches = mine ? !mine.hidden && showsReceipt(mine, reader) : doc.kind === 'announcement' && announcementReaches(doc.audienceKeys, reader.unitKeys);
    throw reaches ? new AppFailure('NOTICE_STATE') : new AppFailure('NOTICE_NOT_FOUND', undefined, 'noticeId');
  }
  const held = await receiptOf(deps, doc, reader, 'confirmed');
  if (!held) throw new AppFailure('NOTICE_NOT_FOUND', undefined, 'noticeId');
  if (held.confirmedAt && held.readAt) return { readAt: formatBusiness(held.readAt), confirmedAt: formatBusiness(held.confirmedAt) };
  const now = deps.now();
  const _ = deps.db.command;
  // One update sets the read too when it was never recorded (confirming from a reminder).
  const data = held.readAt ? { confirmedAt: now } : { confirmedAt: now, ...readFields(held, now) };
  const { stats } = await deps.db.collection(RECEIPTS).where({ _id: held._id, confirmedAt: null, readAt: held.readAt ? _.neq(null) : null }).update({ data });
  if (stats.updated === 0) {
    const current = await findById<ReceiptDoc>(deps.db, RECEIPTS, held._id);
    if (current?.confirmedAt && current.readAt) return { readAt: formatBusiness(current.readAt), confirmedAt: formatBusiness(current.confirmedAt) };
    if (current && !current.confirmedAt) {
      // Read by another call in between: confirm only.
      await deps.db.collection(RECEIPTS).where({ _id: held._id, confirmedAt: null }).update({ data: { confirmedAt: now } });
      const final = await findById<ReceiptDoc>(deps.db, RECEIPTS, held._id);
      if (final?.readAt && final.confirmedAt) return { readAt: formatBusiness(final.readAt), confirmedAt: formatBusiness(final.confirmedAt) };
    }
    throw new AppFailure('BUSY_RETRY');
  }
  return { readAt: formatBusiness(held.readAt ?? now), confirmedAt: formatBusiness(now) };
}
