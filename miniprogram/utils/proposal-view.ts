/**
 * How proposals (提案) are shown to members and handlers: status names and tags, who proposed
 * it (匿名 hides the name from everyone, the proposer included), list rows, the timeline's
 * sentences, image badges, page addresses, and the submission form's checks. Plain functions,
 * tested without a page.
 */
import type { AppError, HistoryEntry, ImageCheck, ProposalCard, ProposalCategory, ProposalStatus, ProposalView } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { PROPOSAL_STATUS_NAMES, RATING_STARS } from '../../typings/proposal-rules';
import { shortTime, type TagType } from './notice-view';

export const PROPOSALS_TAB_URL = '/pages/proposals/index';
export const NEW_PROPOSAL_URL = '/pages/proposal-new/index';
export const DESK_URL = '/packages/admin/pages/proposal-desk/index';

export function proposalUrl(proposalId: string): string {
  return `/pages/proposal/index?id=${encodeURIComponent(proposalId)}`;
}

export function handleUrl(proposalId: string): string {
  return `/packages/admin/pages/proposal-handle/index?id=${encodeURIComponent(proposalId)}`;
}

/**
 * Cards a window of a proposal list holds: a card with its tag and 附议 is about 15 WXML nodes,
 * so 50 of them with the tabs and filters above stay under the 1,000 nodes of WeChat's
 * experience score (60 came within a few dozen of it).
 */
export const PROPOSALS_CAP = 50;

/** The Chinese name of a status; an unknown one (a newer server) as it came. */
export function statusText(status: ProposalStatus | string): string {
  return (PROPOSAL_STATUS_NAMES as Record<string, string>)[status] ?? status;
}

const STATUS_TAGS: Readonly<Record<ProposalStatus, TagType>> = {
  submitted: 'warning',
  accepted: 'primary',
  in_progress: 'primary',
  resolved: 'success',
  rejected: 'danger',
  merged: 'default',
};

/** The Vant tag type of a status: waiting is warning, being handled primary, closed by its outcome. */
export function statusTagType(status: ProposalStatus | string): TagType {
  return (STATUS_TAGS as Record<string, TagType>)[status] ?? 'default';
}

/** Who proposed it, as a list row and the detail page say: 匿名 to everyone, the proposer told it is theirs. */
export function authorText(view: Pick<ProposalCard, 'anonymous' | 'authorName' | 'mine'>): string {
  if (view.anonymous || !view.authorName) return view.mine ? '我（匿名提交）' : '匿名';
  return view.authorName;
}

/**
 * Who proposed it with their units, as the detail page and 办理提案 say it: `李明 · 计算机学院`,
 * and for an anonymous proposal only 匿名 (or 我（匿名提交）), never its units, whatever came.
 */
export function authorLine(view: Pick<ProposalView, 'anonymous' | 'authorName' | 'mine' | 'unitNames'>): string {
  const author = authorText(view);
  if (view.anonymous || !view.authorName || !view.unitNames.length) return author;
  return `${author} · ${view.unitNames.join('、')}`;
}

const PROPOSER = '提案人';

/** One sentence per recorded change; the proposer (`by` null) is 提案人, never named. */
export function historyText(entry: HistoryEntry): string {
  const by = entry.by ?? PROPOSER;
  switch (entry.kind) {
    case 'submitted':
      return `${by} 提交了提案`;
    case 'status': {
      const moved = `${by} 将状态由 ${statusText(entry.from ?? '')} 改为 ${statusText(entry.to ?? '')}`;
      return entry.note ? `${moved}（原因：${entry.note}）` : moved;
    }
    case 'answer':
      return `${by} 答复了提案`;
    case 'assigned':
      return entry.to ? `${by} 将提案指派给 ${entry.to}` : `${by} 取消了提案的指派`;
    case 'visibility':
      return entry.to === 'private' ? `${by} 取消公开了提案` : `${by} 公开了提案`;
    case 'merged':
      return entry.to ? `${by} 将本提案并入提案「${entry.to}」` : `${by} 将本提案并入其他提案`;
    case 'merged-in': {
      // No title for those who may not see the duplicate (it may be someone's private proposal).
      const merged = entry.from ? `${by} 将提案「${entry.from}」并入本提案` : `${by} 将一条提案并入本提案`;
      const count = Number(entry.note);
      return entry.note && Number.isFinite(count) && count > 0 ? `${merged}（${count} 人的附议随之转入）` : merged;
    }
    case 'rated':
      return `${by} 评价了答复（${entry.to ?? '?'} 星）`;
    case 'revealed':
      return `管理员 ${by} 查看了提案人身份（原因：${entry.note ?? ''}）`;
    default:
      return `${by} 更新了提案`;
  }
}

export interface TimelineItem {
  /** Place in the timeline, as the template's key. */
  key: number;
  at: string;
  text: string;
}

/** The history newest first (the server records it oldest first; same-minute entries keep their order reversed). */
export function timeline(history: readonly HistoryEntry[]): TimelineItem[] {
  const newestFirst = [...history].reverse();
  newestFirst.sort((a, b) => (a.at === b.at ? 0 : a.at < b.at ? 1 : -1));
  return newestFirst.map((entry, key) => ({ key, at: entry.at, text: historyText(entry) }));
}

/** What one list row shows: a few strings and flags, none repeated, so a page of rows stays small. */
export interface ProposalRow {
  id: string;
  title: string;
  excerpt: string;
  statusText: string;
  statusType: TagType;
  categoryName: string;
  author: string;
  mine: boolean;
  /** 我的 beside a named author (an anonymous one already reads 我（匿名提交）). */
  mineMark: boolean;
  /** Others see it in 全部提案: a private one (the proposer's own, in 我的提案) is tagged 未公开 and shows no count. */
  isPublic: boolean;
  supportCount: number;
  supported: boolean;
  /** Offer 附议: public, still open to support, and not the person's own. */
  canSupport: boolean;
  hasAnswer: boolean;
  imageCount: number;
  /** `03-01 09:30`: when it was submitted. */
  time: string;
}

/** Whether the person may support a listed proposal (the server decides; this hides a button it would refuse). */
export function canSupportCard(card: Pick<ProposalCard, 'public' | 'mine' | 'status'>): boolean {
  return card.public && !card.mine && card.status !== 'merged';
}

export function cardView(card: ProposalCard, now: number): ProposalRow {
  return {
    id: card.id,
    title: card.title,
    excerpt: card.excerpt,
    statusText: statusText(card.status),
    statusType: statusTagType(card.status),
    categoryName: card.categoryName,
    author: authorText(card),
    mine: card.mine,
    mineMark: card.mine && authorText(card) !== '我（匿名提交）',
    isPublic: card.public,
    supportCount: card.supportCount,
    supported: card.supported,
    canSupport: canSupportCard(card),
    hasAnswer: card.hasAnswer,
    imageCount: card.imageCount,
    time: shortTime(card.submittedAt, now),
  };
}

/** A card's excerpt as the server cuts it: the first 80 characters, on one line. */
function excerptOf(content: string): string {
  return Array.from(content.replace(/\s+/g, ' ').trim()).slice(0, 80).join('');
}

/** The list card of a proposal read on its own (coming back from its page), for `cardView` and the desk's rows. */
export function cardOfView(view: ProposalView): ProposalCard {
  const { content, unitNames: _units, images, answer, rejectReason: _reason, mergedInto: _into, rating: _rating, history: _history, can: _can, rev: _rev, ...card } = view;
  return { ...card, excerpt: excerptOf(content), imageCount: images.length, hasAnswer: !!answer };
}

/** Whether a proposal read again still belongs in the tab's list it was opened from. */
export function stillListed(view: ProposalView, tab: ProposalTab, categoryId: string): boolean {
  if (tab === 'mine') return view.mine;
  return view.public && (!categoryId || view.categoryId === categoryId);
}

/** A row after the server answered a support tap: its count and state as the server says. */
export function supportedRow(row: ProposalRow, answer: { supportCount: number; supported: boolean }): ProposalRow {
  return { ...row, supportCount: answer.supportCount, supported: answer.supported };
}

/** The badge the proposer sees on an image still being checked or refused; none once passed. */
export function imageBadge(check: ImageCheck | undefined): string | null {
  if (check === 'pending') return '审核中';
  if (check === 'refused') return '未通过审核';
  return null;
}

/** `张老师 · 03-01 09:30`: who answered and when. */
export function answerMeta(answer: NonNullable<ProposalView['answer']>, now: number): string {
  return `${answer.by} · ${shortTime(answer.at, now)}`;
}

export type ProposalTab = 'public' | 'mine';

export const PROPOSAL_TABS: readonly { tab: ProposalTab; title: string }[] = [
  { tab: 'public', title: '全部提案' },
  { tab: 'mine', title: '我的提案' },
];

export type ProposalSort = 'support' | 'newest';

export const PROPOSAL_SORTS: readonly { sort: ProposalSort; text: string }[] = [
  { sort: 'support', text: '最多附议' },
  { sort: 'newest', text: '最新' },
];

/**
 * Where 提交提案's 查看我的提案 leaves the tab it asks the 提案 tab to show (switchTab takes no
 * query), read and removed on the tab's next show.
 */
export const PROPOSAL_TAB_KEY = 'xintong.proposals.tab';

/** The tab asked for under PROPOSAL_TAB_KEY, or null for nothing (or anything else). */
export function requestedTab(stored: unknown): ProposalTab | null {
  return PROPOSAL_TABS.some((option) => option.tab === stored) ? (stored as ProposalTab) : null;
}

export function emptyListText(tab: ProposalTab, filtered: boolean): string {
  if (tab === 'mine') return '你还没有提交过提案，有好的想法就提出来吧';
  return filtered ? '这个类别下还没有公开的提案' : '还没有公开的提案';
}

// The submission form

export const ANONYMOUS_NOTE =
  '匿名提交后，处理人和其他同事都看不到你的姓名和单位；只有管理员因正当理由才能查看提案人，且每次查看都会留下记录，并显示在你的提案进度中。';

/** Under the switch while it is off: what a named proposal shows, and to whom. */
export const NAMED_NOTE = '不匿名时处理人可以看到你的姓名和单位，提案公开后所有同事都能看到';

// Random ids. A proposal's id is made from its request id and is seen by everyone who sees the
// proposal, and its images' names by whoever gets their links: neither may carry a time (the
// moment the form was opened could then be matched with who was writing then).

const ID_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
/** 22 letters of 64: 132 random bits. */
export const RANDOM_ID_LENGTH = 22;
/**
 * Secure random bytes the form fetched ahead (wx.getRandomValues answers only later, and an
 * image's name is needed at once), spent by `randomId`.
 */
const securePool: number[] = [];
/** Bytes the form asks for when the pool runs low: ids for a request and nine images, and more. */
export const SECURE_POOL_SIZE = 256;

export function addSecureBytes(bytes: ArrayLike<number>): void {
  securePool.push(...Array.from(bytes, (byte) => byte & 0xff));
}

/** Whether the pool could not pay for a submission's ids (a request and nine images). */
export function securePoolLow(): boolean {
  return securePool.length < RANDOM_ID_LENGTH * 10;
}

/**
 * RANDOM_ID_LENGTH letters of `[A-Za-z0-9_-]`: secure bytes from the pool while it has them,
 * otherwise `random` (a base library without wx.getRandomValues).
 */
export function randomId(random: () => number = Math.random): string {
  const secure = securePool.length >= RANDOM_ID_LENGTH ? securePool.splice(0, RANDOM_ID_LENGTH) : null;
  // 256 is a multiple of 64: a byte's low six bits are uniform.
  return Array.from({ length: RANDOM_ID_LENGTH }, (_, i) => ID_LETTERS[(secure ? secure[i] : Math.floor(random() * 64)) & 63]).join('');
}

/**
 * A fresh id for one submission (it also names the images' folder). Keep it while retrying the
 * same submission: the backend answers the proposal it already made instead of making two.
 */
export function newProposalRequestId(random: () => number = Math.random): string {
  return randomId(random);
}

export interface ProposalForm {
  categoryId: string;
  title: string;
  content: string;
  anonymous: boolean;
}

export type ImageState = 'uploading' | 'done' | 'failed';

/** One image of the form: the picked file shown at once, its upload's progress and outcome. */
export interface ImageRow {
  key: string;
  /** The picked file's temporary path (what the thumbnail shows). */
  path: string;
  status: ImageState;
  progress: number;
  fileId: string;
}

export type ProposalField = 'category' | 'title' | 'content' | 'images';
export type ProposalErrors = Record<ProposalField, string>;

export const NO_PROPOSAL_ERRORS: Readonly<ProposalErrors> = { category: '', title: '', content: '', images: '' };

export function hasProposalErrors(errors: ProposalErrors): boolean {
  return Object.values(errors).some(Boolean);
}

const length = (text: string) => Array.from(text).length;

export const UPLOADS_PENDING = '图片还在上传，请稍候';
export const UPLOADS_FAILED = '有图片上传失败，请重试或移除';
/** PROPOSAL_IMAGE_INVALID: the server does not say which image, so every one goes. */
export const IMAGES_INVALID = '有图片无法使用，请移除所有图片后重新添加';

export interface ProposalCheck {
  errors: ProposalErrors;
  /** Nothing stands in the way but images still uploading: the submit waits for them. */
  waitForUploads: boolean;
}

/** What must be fixed before sending, by the limits the backend applies (FIELD_LIMITS). */
export function checkProposal(form: ProposalForm, images: readonly ImageRow[], categoryIds: readonly string[]): ProposalCheck {
  const errors: ProposalErrors = { ...NO_PROPOSAL_ERRORS };
  if (!form.categoryId) errors.category = '请选择提案类别';
  else if (!categoryIds.includes(form.categoryId)) errors.category = '该类别已停用，请重新选择';
  const title = form.title.trim();
  if (!title) errors.title = '请输入标题';
  else if (length(title) > FIELD_LIMITS.proposalTitle) errors.title = `标题不超过 ${FIELD_LIMITS.proposalTitle} 个字`;
  const content = form.content.trim();
  if (!content) errors.content = '请输入提案内容';
  else if (length(content) > FIELD_LIMITS.proposalContent) errors.content = `提案内容不超过 ${FIELD_LIMITS.proposalContent} 个字`;
  if (images.length > FIELD_LIMITS.proposalImages) errors.images = `最多 ${FIELD_LIMITS.proposalImages} 张图片`;
  // A failure is said at once, even while others still upload: waiting would not mend it.
  else if (images.some((row) => row.status === 'failed')) errors.images = UPLOADS_FAILED;
  else if (images.some((row) => row.status === 'uploading')) errors.images = UPLOADS_PENDING;
  const waitForUploads = errors.images === UPLOADS_PENDING && !hasProposalErrors({ ...errors, images: '' });
  return { errors, waitForUploads };
}

/**
 * Whether a failed submit may have made the proposal all the same: the call never came back, or
 * failed past the point the server can say. A retry must then send exactly what went.
 */
export function submitOutcomeUnknown(error: AppError): boolean {
  return error.code === 'NETWORK_ERROR' || error.code === 'INTERNAL';
}

/** The server's word that this submission's id made a proposal already (with what was sent first). */
export function submittedEarlier(error: AppError): boolean {
  return error.code === 'INVALID_INPUT' && error.field === 'requestId';
}

/** What the form says of a submit whose outcome is not known. */
export const OUTCOME_UNKNOWN = '没能确认提案是否已提交成功：请重试（按刚才的内容提交，不会重复提交），或到「我的提案」查看。';

/** The form field a backend error belongs to, or null for errors about the whole submission. */
export function fieldOfProposalError(error: AppError): ProposalField | null {
  if (error.code === 'CATEGORY_NOT_FOUND') return 'category';
  if (error.code === 'PROPOSAL_IMAGE_INVALID') return 'images';
  if (error.code !== 'INVALID_INPUT' && error.code !== 'CONTENT_RISKY') return null;
  const name = (error.field ?? '').split('.').pop()?.replace(/\[\d+\]$/, '') ?? '';
  if (name === 'categoryId') return 'category';
  if (name === 'title') return 'title';
  if (name === 'content') return 'content';
  if (name === 'imageFileIds') return 'images';
  return null;
}

export interface CategoryOption {
  id: string;
  name: string;
  description: string;
}

export function categoryOptions(categories: readonly ProposalCategory[]): CategoryOption[] {
  return categories.filter((category) => category.active).map(({ id, name, description }) => ({ id, name, description }));
}

// The detail page

export interface ImageTile {
  key: number;
  url: string;
  /** 审核中 / 未通过审核, for the proposer only. */
  badge: string;
  refused: boolean;
}

export interface RatingView {
  stars: number;
  comment: string;
  at: string;
}

export interface DetailView extends ProposalHead {
  images: ImageTile[];
  /** The proposal it went into; `visible` false: the caller may not open it (no title, no link). */
  mergedInto: { id: string; title: string; visible: boolean } | null;
  supportCount: number;
  supported: boolean;
  canSupport: boolean;
  /** The count is shown for public proposals (a private one has no supporters). */
  showSupport: boolean;
  rating: RatingView | null;
  canRate: boolean;
  canHandle: boolean;
  /** For the proposer: whether others can see it yet. */
  visibilityNote: string;
  timeline: TimelineItem[];
}

/** What the detail page and 办理提案 both show of a proposal, as they show it. */
export interface ProposalHead {
  id: string;
  title: string;
  statusText: string;
  statusType: TagType;
  categoryName: string;
  /** Who proposed it, with units when named (authorLine). */
  author: string;
  submittedAt: string;
  content: string;
  answer: { text: string; meta: string } | null;
  rejectReason: string;
}

export function proposalHead(view: ProposalView, now: number): ProposalHead {
  return {
    id: view.id,
    title: view.title,
    statusText: statusText(view.status),
    statusType: statusTagType(view.status),
    categoryName: view.categoryName,
    author: authorLine(view),
    submittedAt: view.submittedAt,
    content: view.content,
    answer: view.answer ? { text: view.answer.text, meta: answerMeta(view.answer, now) } : null,
    rejectReason: view.rejectReason ?? '',
  };
}

export function detailView(view: ProposalView, now: number): DetailView {
  return {
    ...proposalHead(view, now),
    images: view.images.map((image, key) => ({ key, url: image.url, badge: imageBadge(image.check) ?? '', refused: image.check === 'refused' })),
    mergedInto: view.mergedInto ? { ...view.mergedInto } : null,
    supportCount: view.supportCount,
    supported: view.supported,
    canSupport: view.can.support,
    showSupport: view.public || view.supportCount > 0,
    rating: view.rating ? { stars: view.rating.stars, comment: view.rating.comment, at: view.rating.at } : null,
    canRate: view.can.rate && !view.rating,
    canHandle: view.can.handle,
    visibilityNote: view.mine && !view.public && view.status !== 'merged' ? '仅你和处理人可见，处理人公开后其他同事才能看到和附议' : '',
    timeline: timeline(view.history),
  };
}

export interface RatingErrors {
  stars: string;
  comment: string;
}

/** Under the rating form: who will read it. */
export const RATING_NOTE = '评分和评价会显示在提案中，所有能看到本提案的人都能看到';

export function checkRating(stars: number, comment: string): RatingErrors {
  const errors: RatingErrors = { stars: '', comment: '' };
  if (!Number.isInteger(stars) || stars < RATING_STARS.min || stars > RATING_STARS.max) errors.stars = '请选择 1–5 星';
  if (length(comment.trim()) > FIELD_LIMITS.proposalRatingComment) errors.comment = `评价不超过 ${FIELD_LIMITS.proposalRatingComment} 个字`;
  return errors;
}
