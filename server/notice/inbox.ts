/**
 * A person's side: the inbox, the unread count, opening and confirming. Each costs at most
 * three database requests beyond the guard's, whatever the number of notices and members:
 * - the caller's units come with the account the guard loaded (`member.unitKeys`);
 * - receipts of the caller are one range query on (memberId, listKey);
 * - 公告 the caller has no receipt for (joined their units later) are one query on notices by
 *   audience key, and one lookup of receipts tells which of those were read.
 */
import type { InboxItem, InboxPage, NoticeDetail } from '../../typings';
import type { UserDoc } from '../accounts/model';
import { AppFailure } from '../core/result';
import { findById, insertIfAbsent } from '../db/db';
import type { MemberDoc } from '../org/model';
import { tree } from '../org/units';
import { canManage, type NoticeDeps } from './compose';
import { receiptFor, unitKeysOf } from './fanout';
import {
  ALL_KEY,
  announcementReaches,
  business,
  inboxItemOfNotice,
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
  return { reader: { memberId: member.id, unitKeys: unitKeysOf(unitIds, await tree(deps)), person } };
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

/** What an inbox row of a 公告 needs: not the body (up to 5,000 characters). */
const INBOX_NOTICE_FIELDS = {
  _id: true,
  kind: true,
  title: true,
  excerpt: true,
  authorName: true,
  publishedAt: true,
  createdAt: true,
  deadline: true,
  pinned: true,
  requiresConfirm: true,
  attachments: true,
  editedAt: true,
  listKey: true,
};

const CURSOR = /^[PN]\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\|[A-Za-z0-9_-]{1,64}$/;

/** A page of unread notices may come out empty when the caller read most 公告 of a stretch: a few more passes fill it. */
const UNREAD_PASSES = 3;

export async function inbox(deps: NoticeDeps, account: UserDoc, filter: 'unread' | 'all', after: string | undefined): Promise<InboxPage> {
  const found = await readerOf(deps, account);
  if ('blocked' in found) return { items: [], next: null, pinned: [], blocked: found.blocked };
  if (after !== undefined && !CURSOR.test(after)) throw new AppFailure('INVALID_INPUT', '分页参数无效', 'after');
  let page = await inboxPass(deps, found.reader, filter, after);
  for (let pass = 1; filter === 'unread' && page.items.length === 0 && page.next && pass < UNREAD_PASSES; pass += 1) {
    page = await inboxPass(deps, found.reader, filter, page.next);
  }
  const { items, next } = page;
  return after ? { items, next, pinned: [], blocked: null } : { items: items.filter((i) => !i.pinned), next, pinned: items.filter((i) => i.pinned), blocked: null };
}

/**
 * One pass: the caller's receipts and the 公告 of their units after `after`, merged in order.
 * Each list is complete only down to its last key when it came back full, so only what sorts
 * above both of those is certain to be in order with everything not fetched.
 */
async function inboxPass(deps: NoticeDeps, reader: Reader, filter: 'unread' | 'all', after: string | undefined): Promise<{ items: InboxItem[]; next: string | null }> {
  const _ = deps.db.command;
  const size = INBOX_PAGE + 1;
  const receiptFilter: Record<string, unknown> = { memberId: reader.memberId, hidden: false };
  if (after) receiptFilter.listKey = _.lt(after);
  if (filter === 'unread') receiptFilter.readAt = null;
  const noticeFilter: Record<string, unknown> = { kind: 'announcement', status: 'published', audienceKeys: _.in(matchKeys(reader)) };
  if (after) noticeFilter.listKey = _.lt(after);
  const [receiptRows, announcementRows] = await Promise.all([
    deps.db.collection(RECEIPTS).where(receiptFilter).orderBy('listKey', 'desc').limit(size).get(),
    deps.db.collection(NOTICES).where(noticeFilter).orderBy('listKey', 'desc').limit(size).field(INBOX_NOTICE_FIELDS).get(),
  ]);
  const receipts = receiptRows.data as ReceiptDoc[];
  const announcements = announcementRows.data as NoticeDoc[];
  const floor = [receipts.length === size ? receipts[receipts.length - 1].listKey : '', announcements.length === size ? (announcements[announcements.length - 1].listKey ?? '') : '']
    .sort()
    .pop() as string;
  const held = new Map(receipts.map((r) => [r.noticeId, r]));
  // 公告 fetched without a receipt among the caller's: read ones may have receipts outside this
  // pass's receipts (unread filter); one lookup tells.
  const unknown = announcements.filter((a) => !held.has(a._id) && (a.listKey ?? '') >= floor).map((a) => a._id);
  const looked = new Map<string, ReceiptDoc>();
  if (unknown.length > 0) {
    const { data } = await deps.db.collection(RECEIPTS).where({ _id: _.in(unknown.map((id) => receiptId(id, reader.memberId))) }).limit(unknown.length).field({ noticeId: true, readAt: true, confirmedAt: true, hidden: true }).get();
    for (const row of data as ReceiptDoc[]) looked.set(row.noticeId, row);
  }
  const rows: { key: string; item: InboxItem }[] = [];
  for (const receipt of receipts) {
    if (receipt.listKey >= floor && showsReceipt(receipt, reader)) rows.push({ key: receipt.listKey, item: inboxItemOfReceipt(receipt) });
  }
  for (const doc of announcements) {
    const key = doc.listKey ?? '';
    if (key < floor || held.has(doc._id)) continue;
    const receipt = looked.get(doc._id) ?? null;
    if (filter === 'unread' && receipt?.readAt) continue;
    rows.push({ key, item: inboxItemOfNotice(doc, receipt) });
  }
  rows.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  const page = rows.slice(0, INBOX_PAGE);
  const more = rows.length > INBOX_PAGE || floor !== '';
  // An empty pass that is not the end resumes below everything it looked at.
  const lastKey = page.length > 0 ? page[page.length - 1].key : floor;
  return { items: page.map((row) => row.item), next: more && lastKey ? lastKey : null };
}

export async function unreadCount(deps: NoticeDeps, account: UserDoc): Promise<number> {
  const found = await readerOf(deps, account);
  if ('blocked' in found) return 0;
  const { reader } = found;
  const _ = deps.db.command;
  const [unreadRows, announcementRows] = await Promise.all([
    deps.db.collection(RECEIPTS).where({ memberId: reader.memberId, hidden: false, readAt: null }).limit(UNREAD_SCAN).field({ noticeId: true, kind: true, audienceKeys: true }).get(),
    deps.db.collection(NOTICES).where({ kind: 'announcement', status: 'published', audienceKeys: _.in(matchKeys(reader)) }).orderBy('listKey', 'desc').limit(UNREAD_SCAN).field({ _id: true }).get(),
  ]);
  const unread = new Set<string>();
  for (const receipt of unreadRows.data as ReceiptDoc[]) if (showsReceipt({ ...receipt, hidden: false }, reader)) unread.add(receipt.noticeId);
  const candidates = (announcementRows.data as { _id: string }[]).map((row) => row._id).filter((id) => !unread.has(id));
  if (candidates.length > 0) {
    const { data } = await deps.db.collection(RECEIPTS).where({ _id: _.in(candidates.map((id) => receiptId(id, reader.memberId))) }).limit(candidates.length).field({ noticeId: true }).get();
    const held = new Set((data as { noticeId: string }[]).map((row) => row.noticeId));
    for (const id of candidates) if (!held.has(id)) unread.add(id);
  }
  return unread.size;
}

/**
 * The caller's receipt for a notice they may read: the one written at publishing, or for a
 * 公告 reaching them now without one (they joined later), a new one, written already read (it
 * is made by opening). Null when they are not in the audience.
 */
async function receiptOf(deps: NoticeDeps, doc: NoticeDoc, reader: Reader, opening: boolean): Promise<ReceiptDoc | null> {
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
  if (opening) Object.assign(late, readFields(late, now));
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

export async function openNotice(deps: NoticeDeps, account: UserDoc, noticeId: string): Promise<NoticeDetail> {
  const doc = await findById<NoticeDoc>(deps.db, NOTICES, noticeId);
  if (!doc) throw new AppFailure('NOTICE_NOT_FOUND', undefined, 'noticeId');
  const manager = canManage(account, doc);
  const found = await readerOf(deps, account);
  const reader = 'reader' in found ? found.reader : null;
  let receipt: ReceiptDoc | null = null;
  if (doc.status === 'published' && reader) {
    const held = await receiptOf(deps, doc, reader, true);
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
  if (!doc || doc.status !== 'published') throw new AppFailure('NOTICE_NOT_FOUND', undefined, 'noticeId');
  const held = await receiptOf(deps, doc, reader, true);
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
