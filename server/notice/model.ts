/**
 * Notices and receipts as stored, and the views the contract sends.
 *
 * The data model is shaped by the request budgets of the issue (README, "How notices scale"):
 * - `notices`: one document per notice or announcement, with its audience as chosen.
 * - `notice_receipts`: one document per person a notice reached, `_id` `<notice>~<member>`,
 *   written in batches when it is published. It carries what the inbox row shows (title,
 *   excerpt, times, the sort key), the person's name, number and units at publishing (lists,
 *   search, per-unit figures) and the read and confirm times. So an inbox page is one query,
 *   recording a read is one conditional update of one document (no shared counter, nothing to
 *   contend on), and every figure is an aggregation over receipts: exact by construction.
 * - 公告 reach whoever is in their units now: the inbox also asks `notices` for announcements
 *   matching the caller's units (`summary.unitKeys`), and a person who joined later gets a
 *   receipt when first opening one.
 */
import type {
  Attachment,
  AudienceInput,
  InboxItem,
  ManagedNotice,
  NoticeInput,
  NoticeKind,
  NoticeStatus,
  ReadCounts,
} from '../../typings';
import { bodyExcerpt } from '../../typings/notice-body';
import { attachmentKindOf } from '../../typings/notice-files';
import { formatBusiness } from '../core/time';

export const NOTICES = 'notices';
export const RECEIPTS = 'notice_receipts';
export const SUBSCRIPTIONS = 'subscriptions';
export const SUBSCRIBE_SENDS = 'subscribe_sends';
/** Exported lists waiting to be removed from storage. */
export const EXPORTS = 'notice_exports';
/** How long an exported list stays in storage (its link lasts 10 minutes). */
export const EXPORT_KEEP_MS = 24 * 3_600_000;

/** Every member: the audience key of notices to the whole organisation. */
export const ALL_KEY = '*';

export interface NoticeDoc {
  _id: string;
  kind: NoticeKind;
  status: NoticeStatus;
  title: string;
  body: string;
  /** The body's first characters without markup, for inbox rows. */
  excerpt: string;
  attachments: Attachment[];
  audience: AudienceInput;
  /** 公告 match people by these: the chosen unit ids, or ALL_KEY. Empty for 通知 and drafts. */
  audienceKeys: string[];
  /**
   * The chosen units and all their ancestors, set when published: whether the notice reached
   * into a unit an observer watches is a comparison of keys, with no tree to read.
   */
  reachKeys?: string[];
  requiresConfirm: boolean;
  deadline: Date | null;
  pinned: boolean;
  scheduledAt: Date | null;
  authorId: string;
  authorName: string;
  /** The author's request id of the publish that made it (idempotency). */
  requestId: string | null;
  rev: string;
  /**
   * Goes up by one with every change receipts repeat (edit, recall); receipts record the one they
   * show, so of two syncs racing, the older one matches no receipt and cannot undo the newer.
   */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
  editedAt: Date | null;
  recalledAt: Date | null;
  /** Inbox order, descending: pinned first, then newest (see listKey). Null until published. */
  listKey: string | null;
  /** While `publishing`: who may write receipts until when (a crashed publish is resumed after it). */
  leaseUntil: Date | null;
  /** Receipts written, once published. */
  audienceSize: number;
  /** Set when the notice changed and its receipts still show the old version (see syncReceipts). */
  receiptsPending: boolean;
  remindedAt: Date | null;
}

export interface ReceiptDoc {
  _id: string;
  noticeId: string;
  memberId: string;
  kind: NoticeKind;
  /** Out of the inbox: the notice was recalled. */
  hidden: boolean;
  /** The notice's `version` this receipt shows. */
  noticeVersion: number;
  listKey: string;
  /** 公告: the notice's audience keys, so a person who moved out stops seeing it. */
  audienceKeys: string[];
  /** The person at publishing (or when first opening a 公告 published before they joined). */
  name: string;
  number: string;
  hasPhone: boolean;
  unitIds: string[];
  /** Units and their ancestors, the organisation excluded: per-unit figures group by these. */
  unitKeys: string[];
  /** What the inbox row shows, kept in step with the notice on edits. */
  title: string;
  excerpt: string;
  authorName: string;
  publishedAt: Date;
  deadline: Date | null;
  requiresConfirm: boolean;
  pinned: boolean;
  attachmentCount: number;
  editedAt: Date | null;
  readAt: Date | null;
  /** Seconds from publishing to the first read. */
  readSeconds: number | null;
  confirmedAt: Date | null;
  /** A 公告 opened by someone who joined its units after it was published. */
  late: boolean;
  createdAt: Date;
}

/** Aggregation terms: 1 for a receipt read (confirmed), 0 otherwise. */
export const READ = { $cond: [{ $eq: ['$readAt', null] }, 0, 1] };
export const CONFIRMED = { $cond: [{ $eq: ['$confirmedAt', null] }, 0, 1] };

export function receiptId(noticeId: string, memberId: string): string {
  return `${noticeId}~${memberId}`;
}

/**
 * Sorts descending as the inbox shows notices: pinned 公告 first, then newest. Ties (same
 * millisecond) are broken by id, so the key is unique and a range cursor never skips one.
 */
export function listKey(pinned: boolean, publishedAt: Date, noticeId: string): string {
  return `${pinned ? 'P' : 'N'}${publishedAt.toISOString()}|${noticeId}`;
}

/** What an attachment is, by its name's extension; null for a kind that cannot be attached. */
export const attachmentKind = attachmentKindOf;

export function business(instant: Date | null): string | null {
  return instant ? formatBusiness(instant) : null;
}

export function noticeInputOf(doc: NoticeDoc): NoticeInput {
  return {
    kind: doc.kind,
    title: doc.title,
    body: doc.body,
    attachments: doc.attachments.map(({ fileId, name, size }) => ({ fileId, name, size })),
    audience: { all: doc.audience.all, unitIds: [...doc.audience.unitIds], memberIds: [...doc.audience.memberIds] },
    requiresConfirm: doc.requiresConfirm,
    deadline: business(doc.deadline),
    pinned: doc.pinned,
    scheduledAt: business(doc.scheduledAt),
  };
}

export const NO_COUNTS: ReadCounts = { audience: 0, read: 0, confirmed: 0, unread: 0 };

export function managedView(doc: NoticeDoc, counts: ReadCounts = NO_COUNTS): ManagedNotice {
  return {
    id: doc._id,
    kind: doc.kind,
    status: doc.status,
    title: doc.title,
    authorName: doc.authorName,
    rev: doc.rev,
    updatedAt: formatBusiness(doc.updatedAt),
    publishedAt: business(doc.publishedAt),
    scheduledAt: business(doc.scheduledAt),
    editedAt: business(doc.editedAt),
    recalledAt: business(doc.recalledAt),
    requiresConfirm: doc.requiresConfirm,
    counts,
  };
}

/** What receipts repeat of their notice, for the inbox row. */
export function receiptShowing(doc: NoticeDoc): Pick<
  ReceiptDoc,
  'title' | 'excerpt' | 'authorName' | 'deadline' | 'requiresConfirm' | 'pinned' | 'attachmentCount' | 'editedAt' | 'listKey' | 'hidden' | 'noticeVersion'
> {
  return {
    noticeVersion: doc.version ?? 0,
    title: doc.title,
    excerpt: doc.excerpt,
    authorName: doc.authorName,
    deadline: doc.deadline,
    requiresConfirm: doc.requiresConfirm,
    pinned: doc.pinned,
    attachmentCount: doc.attachments.length,
    editedAt: doc.editedAt,
    listKey: doc.listKey ?? '',
    hidden: doc.status !== 'published',
  };
}

export function inboxItemOfReceipt(receipt: ReceiptDoc): InboxItem {
  return {
    id: receipt.noticeId,
    kind: receipt.kind,
    title: receipt.title,
    excerpt: receipt.excerpt,
    authorName: receipt.authorName,
    publishedAt: formatBusiness(receipt.publishedAt),
    deadline: business(receipt.deadline),
    pinned: receipt.pinned,
    requiresConfirm: receipt.requiresConfirm,
    read: receipt.readAt !== null,
    confirmed: receipt.confirmedAt !== null,
    attachmentCount: receipt.attachmentCount,
    edited: receipt.editedAt !== null,
  };
}

export function inboxItemOfNotice(doc: NoticeDoc, receipt: ReceiptDoc | null): InboxItem {
  return {
    id: doc._id,
    kind: doc.kind,
    title: doc.title,
    excerpt: doc.excerpt ?? bodyExcerpt(doc.body ?? ''),
    authorName: doc.authorName,
    publishedAt: formatBusiness(doc.publishedAt ?? doc.createdAt),
    deadline: business(doc.deadline),
    pinned: doc.pinned,
    requiresConfirm: doc.requiresConfirm,
    read: Boolean(receipt?.readAt),
    confirmed: Boolean(receipt?.confirmedAt),
    attachmentCount: doc.attachments.length,
    edited: doc.editedAt !== null,
  };
}

/** The audience as the organisation's audience reader takes it: the whole organisation is its root unit. */
export function audienceSpec(audience: AudienceInput): { unitIds: string[]; memberIds: string[] } {
  return audience.all ? { unitIds: ['root'], memberIds: [] } : { unitIds: audience.unitIds, memberIds: audience.memberIds };
}

/** Whether a 公告 with these audience keys reaches someone in units `unitKeys` now. */
export function announcementReaches(audienceKeys: readonly string[], unitKeys: readonly string[]): boolean {
  if (audienceKeys.includes(ALL_KEY)) return true;
  return audienceKeys.some((key) => unitKeys.includes(key));
}
