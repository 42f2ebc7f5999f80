/**
 * Contract of the `notice` cloud function: composing and publishing notices (通知) and
 * announcements (公告), the inbox, reads and confirmations, statistics per unit, reminders by
 * subscribe message, and the credits those reminders spend.
 *
 * Times a person reads are business times (Asia/Shanghai) formatted `YYYY-MM-DD HH:mm`; times
 * a person enters (deadline, scheduled publish) are sent the same way.
 */
import type { Page } from './account';
import type { UnitKind } from './org';

/**
 * 通知: its audience is fixed when published (a member who joins later neither sees it nor
 * counts). 公告: shown to whoever is in its units now, members who join later included, and
 * above the inbox while pinned.
 */
export type NoticeKind = 'notice' | 'announcement';

export type NoticeStatus = 'draft' | 'scheduled' | 'publishing' | 'published' | 'recalled';

export type AttachmentKind = 'image' | 'pdf' | 'word' | 'excel' | 'powerpoint';

/** A file the author uploaded under `notice-files/<account id>/`. */
export interface AttachmentInput {
  fileId: string;
  /** As shown to readers, with its extension (`报名表.xlsx`). */
  name: string;
  /** Bytes, at most 10 MB. */
  size: number;
}

export interface Attachment extends AttachmentInput {
  kind: AttachmentKind;
}

/** An attachment as a reader receives it: a temporary link, never stored. */
export interface AttachmentLink extends Attachment {
  /** Valid for a short while (minutes); ask again with `notice.open` when it has expired. */
  url: string;
}

/** Who a notice reaches: the whole organisation, units (with their sub-units) and chosen members. */
export interface AudienceInput {
  all: boolean;
  unitIds: string[];
  /** Chosen people; 通知 only (公告 go to units). */
  memberIds: string[];
}

/** The audience as the author sees it again: names resolved. */
export interface AudienceView {
  all: boolean;
  units: { id: string; name: string; path: string }[];
  members: { id: string; name: string; number: string }[];
}

export interface NoticeInput {
  kind: NoticeKind;
  /** 1–64 characters. */
  title: string;
  /**
   * Up to 5,000 characters. Paragraphs are separated by blank lines; `**text**` is emphasis.
   * Nothing else is markup.
   */
  body: string;
  attachments: AttachmentInput[];
  audience: AudienceInput;
  /** Readers are asked to tap 确认收到 (distinct from reading). */
  requiresConfirm: boolean;
  /** Business time `YYYY-MM-DD HH:mm` by which it should be read (and confirmed); null for none. */
  deadline: string | null;
  /** 公告 only: shown above the inbox while pinned. */
  pinned: boolean;
  /** Business time to publish at; null publishes at once. */
  scheduledAt: string | null;
}

/** What may change after publishing: not the kind, the audience or the schedule. */
export type NoticeChanges = Pick<NoticeInput, 'title' | 'body' | 'attachments' | 'deadline' | 'pinned' | 'requiresConfirm'>;

/** How far an audience reaches, before publishing. */
export interface NoticeReach {
  /** Distinct people. */
  total: number;
  /** Of them, people with a phone number on the roster (SMS can reach them). */
  withPhone: number;
  /** Per chosen unit (a person in two chosen units counts in both). */
  units: { id: string; name: string; path: string; total: number; withPhone: number }[];
  /** Chosen people not already inside a chosen unit. */
  members: { total: number; withPhone: number };
}

/** A notice in a person's inbox. */
export interface InboxItem {
  id: string;
  kind: NoticeKind;
  title: string;
  /** The first characters of the body, markup removed. */
  excerpt: string;
  authorName: string;
  publishedAt: string;
  deadline: string | null;
  pinned: boolean;
  requiresConfirm: boolean;
  read: boolean;
  confirmed: boolean;
  attachmentCount: number;
  edited: boolean;
}

export interface InboxPage extends Page<InboxItem> {
  /** First page only: pinned 公告, shown above the list (they are not repeated in `items`). */
  pinned: InboxItem[];
  /**
   * Why the inbox is empty whatever is published: `unbound` (no roster member yet),
   * `inactive` (the member was deactivated); null otherwise.
   */
  blocked: 'unbound' | 'inactive' | null;
}

/** A notice as its reader opens it. */
export interface NoticeDetail {
  id: string;
  kind: NoticeKind;
  status: NoticeStatus;
  title: string;
  body: string;
  authorName: string;
  publishedAt: string | null;
  /** When last edited after publishing; null when never. */
  editedAt: string | null;
  deadline: string | null;
  pinned: boolean;
  requiresConfirm: boolean;
  attachments: AttachmentLink[];
  /** The caller's receipt; null for an author or admin outside the audience. */
  receipt: { readAt: string | null; confirmedAt: string | null } | null;
  /** Whether the caller may open the statistics. */
  canSeeStats: boolean;
  /** Whether the caller may edit or recall it. */
  canManage: boolean;
}

export interface ReadCounts {
  audience: number;
  read: number;
  confirmed: number;
  unread: number;
}

/** Figures of one unit of the breakdown: the unit with its sub-units. */
export interface UnitStats extends ReadCounts {
  unitId: string;
  name: string;
  kind: UnitKind;
  /** Whether it has sub-units with people of the audience (tap to see them). */
  hasChildren: boolean;
  /** Median minutes from publishing to reading, of those who read; null when nobody did. */
  medianReadMinutes: number | null;
}

export interface NoticeStats {
  notice: { id: string; title: string; kind: NoticeKind; status: NoticeStatus; publishedAt: string | null; deadline: string | null; requiresConfirm: boolean };
  /** The unit the figures are scoped to (the organisation, or a unit the caller observes). */
  scope: { unitId: string; name: string; path: string };
  totals: ReadCounts & { medianReadMinutes: number | null };
  /** The scope's sub-units that hold people of the audience, by name. */
  units: UnitStats[];
  /** Units the caller may scope to next (observers: only theirs); empty for unrestricted callers. */
  observedUnitIds: string[];
  remind: { lastAt: string | null; nextAllowedAt: string | null };
}

export type PeopleList = 'read' | 'unread' | 'unconfirmed';

export interface NoticePerson {
  memberId: string;
  name: string;
  number: string;
  /** The person's units as paths, `计算机学院/软件2301班`. */
  unitPath: string;
  readAt: string | null;
  confirmedAt: string | null;
}

/** A notice as its author (or an admin) lists and manages it. */
export interface ManagedNotice {
  id: string;
  kind: NoticeKind;
  status: NoticeStatus;
  title: string;
  authorName: string;
  /** Changes on every write; edits send back the one they read. */
  rev: string;
  updatedAt: string;
  publishedAt: string | null;
  scheduledAt: string | null;
  editedAt: string | null;
  recalledAt: string | null;
  requiresConfirm: boolean;
  /** Audience size, reads and confirmations so far; zeros before publishing. */
  counts: ReadCounts;
}

export interface ManagedNoticeDetail extends ManagedNotice {
  input: NoticeInput;
  audienceView: AudienceView;
}

/** A subscribe-message template the mini-program may ask a person to accept. */
export interface SubscribeTemplate {
  id: string;
  /** One-time: each acceptance allows one message. Long-term: no credit needed (some categories only). */
  kind: 'one-time' | 'long-term';
  /**
   * What it is used for: a new notice or a reminder of an unread one (function `notice`); a
   * reminder before a booking starts, or a booking's outcome (approved, rejected, cancelled;
   * function `room`); a change of a proposal's status (function `proposal`).
   */
  purpose: 'notice' | 'remind' | 'booking-remind' | 'booking-result' | 'proposal-status';
}

export type SubscribeChoice = 'accept' | 'reject' | 'ban' | 'filter';

export interface SubscriptionState {
  templates: (SubscribeTemplate & { credits: number })[];
}

export interface RemindResult {
  /** People the reminder was sent to. */
  reached: number;
  /** People without a credit (or never subscribed): nothing was sent to them. */
  noCredit: number;
  /** Sends the platform refused for other reasons. */
  failed: number;
  /** People this round had no time left for (a very large audience); the next round reaches them. */
  remaining: number;
  nextAllowedAt: string;
}

/** A member who left the latest tracked notices unread past their deadlines. */
export interface ChronicNonReader {
  memberId: string;
  name: string;
  number: string;
  unitPath: string;
  /** Of the notices considered, how many this person left unread past the deadline. */
  unreadCount: number;
}

type Empty = Record<string, never>;

export interface NoticeActions {
  /**
   * Saves a draft; publishers and admins. Without `noticeId` a new one, and `requestId` (the
   * client's id of this first save) makes a retried first save answer the same draft.
   */
  'drafts.save': { request: { noticeId?: string; rev?: string; requestId?: string; input: NoticeInput }; response: ManagedNoticeDetail };
  'drafts.delete': { request: { noticeId: string }; response: { id: string } };
  /** How many people the audience reaches, per unit, and how many have a phone. */
  reach: { request: { audience: AudienceInput; kind: NoticeKind }; response: NoticeReach };
  /**
   * Publishes (or schedules) now. `requestId` is the client's id for this attempt: retrying
   * with the same id answers the same notice and never publishes twice. With `noticeId` the
   * draft is published with `input` (its `rev` must match).
   */
  publish: { request: { requestId: string; noticeId?: string; rev?: string; input: NoticeInput }; response: ManagedNoticeDetail };
  /** Edits a published notice: readers see 已编辑; reads and confirmations stay. Audience and kind do not change. */
  edit: { request: { noticeId: string; rev: string; changes: NoticeChanges }; response: ManagedNoticeDetail };
  /** Takes it out of every inbox; the author and admins keep it, marked 已撤回. A scheduled one goes back to draft. */
  recall: { request: { noticeId: string }; response: ManagedNotice };
  /** The caller's notices (admins: everyone's), newest first, by status. */
  mine: { request: { status?: NoticeStatus | 'all'; everyone?: boolean; after?: string }; response: Page<ManagedNotice> };
  manage: { request: { noticeId: string }; response: ManagedNoticeDetail };

  /** The caller's inbox: pinned first (first page), then newest. */
  inbox: { request: { filter: 'unread' | 'all'; after?: string }; response: InboxPage };
  'inbox.unreadCount': { request: Empty; response: { count: number } };
  /** Opens a notice: records the first read (idempotent) and returns it with fresh attachment links. */
  open: { request: { noticeId: string }; response: NoticeDetail };
  /** 确认收到 (idempotent). */
  confirm: { request: { noticeId: string }; response: { readAt: string; confirmedAt: string } };

  /** Figures for the author, admins, observers (only their units). `unitId` scopes the breakdown. */
  stats: { request: { noticeId: string; unitId?: string }; response: NoticeStats };
  people: { request: { noticeId: string; list: PeopleList; unitId?: string; query?: string; after?: string }; response: Page<NoticePerson> };
  /** The list as an .xlsx file: a temporary link to download and open with `wx.openDocument`. */
  export: { request: { noticeId: string; list: PeopleList | 'all'; unitId?: string }; response: { url: string; fileName: string; rows: number } };
  /** Reminds the unread (or unconfirmed), of one unit when given, by subscribe message; at most once every 5 minutes per notice. */
  remind: { request: { noticeId: string; target: 'unread' | 'unconfirmed'; unitId?: string }; response: RemindResult };

  /** The templates the mini-program asks for, and the caller's credits. */
  'subscriptions.state': { request: Empty; response: SubscriptionState };
  /** Records what the person chose in `wx.requestSubscribeMessage`: each accept is one credit. */
  'subscriptions.record': { request: { choices: Record<string, SubscribeChoice> }; response: SubscriptionState };

  /** People of a unit who left the last `last` notices with a passed deadline unread (observers of the unit, admins). */
  nonReaders: { request: { unitId: string; last: number; after?: string }; response: Page<ChronicNonReader> & { notices: number } };
}
