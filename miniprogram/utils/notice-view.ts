/**
 * How notices are shown to their readers: inbox rows, the inbox's blocked and empty states,
 * the tab-bar badge, the detail view (body, attachments, confirmation), page addresses, the
 * inbox's device cache, and what the detail page tells the inbox that opened it once a notice
 * is read. Plain functions, tested without a page.
 */
import type { AccountView, AttachmentLink, InboxItem, InboxPage, NoticeDetail, NoticeKind } from '../../typings';
import { parseBody } from '../../typings/notice-body';
import { homeView } from './home-view';

export type InboxFilter = 'unread' | 'all';

export const INBOX_TABS: readonly { filter: InboxFilter; title: string }[] = [
  { filter: 'unread', title: '未读' },
  { filter: 'all', title: '全部' },
];

/**
 * Rows an inbox window holds. Each row is about ten WXML nodes, and a page must stay under
 * 1,000 however far one scrolls, so the inbox keeps fewer rows on screen than other lists.
 */
export const INBOX_CAP = 60;

export const KIND_LABELS: Readonly<Record<NoticeKind, string>> = { notice: '通知', announcement: '公告' };

/** Business time (Asia/Shanghai, no daylight saving) `YYYY-MM-DD HH:mm` of an instant. */
export function businessTime(now: number): string {
  return new Date(now + 8 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * A business time as short as it stays clear: `09:30` today, `03-01 09:30` this year, the date
 * alone in an earlier year.
 */
export function shortTime(time: string, now: number): string {
  const today = businessTime(now);
  if (time.slice(0, 10) === today.slice(0, 10)) return time.slice(11, 16);
  if (time.slice(0, 4) === today.slice(0, 4)) return time.slice(5, 16);
  return time.slice(0, 10);
}

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'default';

export interface RowTag {
  text: string;
  type: TagType;
}

/** One inbox row: a few strings, none repeated (the template composes the screen reader's label), so a page of rows stays small. */
export interface InboxRow {
  id: string;
  title: string;
  excerpt: string;
  /** `张老师 · 03-01 09:30`. */
  meta: string;
  unread: boolean;
  tags: RowTag[];
}

/** A deadline keeps its hour: `今天 18:00`, `06-30 18:00`, or the full time in another year. */
export function deadlineText(deadline: string, now: number): string {
  const today = businessTime(now);
  if (deadline.slice(0, 10) === today.slice(0, 10)) return `今天 ${deadline.slice(11, 16)}`;
  return deadline.slice(0, 4) === today.slice(0, 4) ? deadline.slice(5, 16) : deadline;
}

function deadlineTag(deadline: string, now: number, done: boolean): RowTag {
  const passed = deadline <= businessTime(now);
  if (passed) return { text: '已截止', type: 'default' };
  return { text: `${deadlineText(deadline, now)} 截止`, type: done ? 'default' : 'danger' };
}

export function inboxRow(item: InboxItem, now: number): InboxRow {
  const tags: RowTag[] = [];
  if (item.kind === 'announcement') tags.push({ text: KIND_LABELS.announcement, type: 'primary' });
  if (item.requiresConfirm) tags.push(item.confirmed ? { text: '已确认', type: 'success' } : { text: '需确认', type: 'warning' });
  if (item.deadline) tags.push(deadlineTag(item.deadline, now, item.requiresConfirm ? item.confirmed : item.read));
  if (item.edited) tags.push({ text: '已编辑', type: 'default' });
  if (item.attachmentCount > 0) tags.push({ text: `附件 ${item.attachmentCount}`, type: 'default' });
  const meta = `${item.authorName} · ${shortTime(item.publishedAt, now)}`;
  return {
    id: item.id,
    title: item.title,
    excerpt: item.excerpt,
    meta,
    unread: !item.read,
    tags,
  };
}

/** The row after its notice was read (and perhaps confirmed) on the detail page. */
export function readRow(row: InboxRow, confirmed: boolean): InboxRow {
  const tags = confirmed ? row.tags.map((tag) => (tag.text === '需确认' ? { text: '已确认', type: 'success' as const } : tag)) : row.tags;
  return { ...row, unread: false, tags };
}

export function emptyInboxText(filter: InboxFilter): string {
  return filter === 'unread' ? '没有未读通知，全部看完了' : '暂时没有发给你的通知';
}

/** What an inbox blocked for `unbound` or `inactive` says instead of the list. */
export interface BlockedView {
  greeting: string;
  organisation: string;
  hint: string;
  /** Offer the way to 班级, where binding happens. */
  canBind: boolean;
}

export function blockedView(account: AccountView, blocked: NonNullable<InboxPage['blocked']>): BlockedView {
  const home = homeView(account);
  const hint =
    blocked === 'unbound'
      ? '绑定花名册后，这里会显示发给你的通知。'
      : '你的花名册身份已停用，暂时收不到通知，如有疑问请联系管理员。';
  return { greeting: home.greeting, organisation: home.organisation, hint, canBind: blocked === 'unbound' };
}

/** Whether the person may publish: the 发布通知 and 我发布的 entries. */
export function canPublish(account: AccountView): boolean {
  return account.roles.includes('admin') || account.roles.includes('publisher');
}

/** The tab bar's badge: the count, `99+` past 99; null removes it. */
export function badgeText(count: number): string | null {
  if (!(count > 0)) return null;
  return count > 99 ? '99+' : String(count);
}

export const COMPOSE_URL = '/packages/admin/pages/notice-compose/index';
export const MINE_URL = '/packages/admin/pages/notice-mine/index';

export function detailUrl(noticeId: string): string {
  return `/pages/notice-detail/index?id=${encodeURIComponent(noticeId)}`;
}

export function readersUrl(noticeId: string): string {
  return `/pages/notice-readers/index?id=${encodeURIComponent(noticeId)}`;
}

// The inbox's device cache: the last first page of each tab, per account.

export interface CachedInbox {
  pinned: InboxItem[];
  items: InboxItem[];
}

export type InboxCache = Partial<Record<InboxFilter, CachedInbox>>;

export function inboxCacheKey(accountId: string): string {
  return `xintong.inbox.${accountId}`;
}

/** A stored cache as read back: anything not shaped like one counts as none. */
export function cachedInbox(stored: unknown, filter: InboxFilter): CachedInbox | null {
  const entry = (stored as InboxCache | null | undefined)?.[filter];
  if (!entry || typeof entry !== 'object' || !Array.isArray(entry.items) || !Array.isArray(entry.pinned)) return null;
  return entry;
}

// The detail page.

export interface BodyPiece {
  text: string;
  strong: boolean;
}

/** A paragraph as one selectable text: its lines joined by line breaks, emphasis kept as pieces. */
export type BodyBlock = BodyPiece[];

/**
 * The page draws a view per paragraph and a text per piece: a body of hundreds of short
 * paragraphs (a list of names) or of bold pieces would pass WeChat's 1,000 nodes. Past these,
 * paragraphs share the last block (a blank line between them) and emphasis is dropped.
 */
export const BODY_MAX_BLOCKS = 100;
export const BODY_MAX_PIECES = 400;

export function bodyBlocks(body: string): BodyBlock[] {
  let budget = BODY_MAX_PIECES;
  const blocks: BodyBlock[] = [];
  for (const lines of parseBody(body)) {
    const flat = lines.flatMap((segments, index) => (index > 0 ? [{ text: '\n', strong: false }, ...segments] : segments));
    const pieces: BodyPiece[] = blocks.length < BODY_MAX_BLOCKS ? [] : blocks[blocks.length - 1];
    if (blocks.length >= BODY_MAX_BLOCKS) flat.unshift({ text: '\n\n', strong: false });
    for (const segment of flat) {
      if (!segment.text) continue;
      const strong = segment.strong && budget > 1;
      const last = pieces[pieces.length - 1];
      if (last && last.strong === strong) last.text += segment.text;
      else {
        pieces.push({ text: segment.text, strong });
        budget -= 1;
      }
    }
    if (blocks.length < BODY_MAX_BLOCKS) blocks.push(pieces);
  }
  return blocks;
}

export type DocumentType = 'doc' | 'docx' | 'xls' | 'xlsx' | 'ppt' | 'pptx' | 'pdf';

const DOCUMENT_TYPES: readonly DocumentType[] = ['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'pdf'];
const KIND_TYPES: Readonly<Record<Exclude<AttachmentLink['kind'], 'image'>, DocumentType>> = {
  pdf: 'pdf',
  word: 'docx',
  excel: 'xlsx',
  powerpoint: 'pptx',
};

/** `wx.openDocument`'s fileType: the name's extension when it is one it opens, else by kind. */
export function documentType(attachment: Pick<AttachmentLink, 'name' | 'kind'>): DocumentType | null {
  const extension = /\.([A-Za-z]{3,4})$/.exec(attachment.name)?.[1].toLowerCase() ?? '';
  const byName = DOCUMENT_TYPES.find((type) => type === extension);
  if (byName) return byName;
  return attachment.kind === 'image' ? null : KIND_TYPES[attachment.kind];
}

export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const DOCUMENT_ICONS: Readonly<Record<Exclude<AttachmentLink['kind'], 'image'>, string>> = {
  pdf: 'description',
  word: 'notes-o',
  excel: 'balance-list-o',
  powerpoint: 'tv-o',
};

export interface ImageView {
  fileId: string;
  url: string;
  name: string;
}

export interface DocumentView {
  fileId: string;
  name: string;
  size: string;
  icon: string;
}

export interface DetailView {
  title: string;
  kindLabel: string;
  author: string;
  published: string;
  /** `已编辑 03-02 10:00`; empty when never edited. */
  edited: string;
  /** `截止 2024-03-05 18:00`; empty without a deadline. */
  deadline: string;
  deadlinePassed: boolean;
  /** A status other than published, for authors and admins: 已撤回, 草稿, 定时发布. */
  statusText: string;
  blocks: BodyBlock[];
  images: ImageView[];
  documents: DocumentView[];
  /** 确认收到 is offered: confirmation required, the caller is in the audience and has not confirmed. */
  canConfirm: boolean;
  /** `已确认 03-01 10:02`; empty until confirmed. */
  confirmedText: string;
  statsUrl: string;
}

const STATUS_TEXTS: Readonly<Record<NoticeDetail['status'], string>> = {
  draft: '草稿',
  scheduled: '定时发布',
  publishing: '发布中',
  published: '',
  recalled: '已撤回',
};

export function detailView(notice: NoticeDetail, now: number): DetailView {
  const receipt = notice.receipt;
  const confirmedAt = receipt?.confirmedAt ?? null;
  return {
    title: notice.title,
    kindLabel: KIND_LABELS[notice.kind],
    author: notice.authorName,
    published: notice.publishedAt ?? '',
    edited: notice.editedAt ? `已编辑 ${notice.editedAt}` : '',
    deadline: notice.deadline ? `截止 ${notice.deadline}` : '',
    deadlinePassed: !!notice.deadline && notice.deadline <= businessTime(now),
    statusText: STATUS_TEXTS[notice.status] ?? '',
    blocks: bodyBlocks(notice.body),
    images: notice.attachments.filter((a) => a.kind === 'image').map((a) => ({ fileId: a.fileId, url: a.url, name: a.name })),
    documents: notice.attachments
      .filter((a): a is AttachmentLink & { kind: Exclude<AttachmentLink['kind'], 'image'> } => a.kind !== 'image')
      .map((a) => ({ fileId: a.fileId, name: a.name, size: sizeText(a.size), icon: DOCUMENT_ICONS[a.kind] ?? 'description' })),
    canConfirm: notice.requiresConfirm && !!receipt && !confirmedAt && notice.status === 'published',
    confirmedText: confirmedAt ? `已确认 ${confirmedAt}` : '',
    statsUrl: notice.canSeeStats ? readersUrl(notice.id) : '',
  };
}

/**
 * What the detail page sends its opener (the inbox) through the page's event channel once the
 * read, or the confirmation, is recorded, so the row and the badge change without a reload.
 * An event channel rather than a module-level emitter: it reaches exactly the page that opened
 * this one, and nothing is left listening when that page is gone.
 */
export const NOTICE_READ_EVENT = 'noticeRead';

export interface NoticeReadEvent {
  noticeId: string;
  confirmed: boolean;
}
