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
      return `${by} 将本提案并入提案「${entry.to ?? ''}」`;
    case 'merged-in': {
      const merged = `${by} 将提案「${entry.from ?? ''}」并入本提案`;
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
    supportCount: card.supportCount,
    supported: card.supported,
    canSupport: canSupportCard(card),
    hasAnswer: card.hasAnswer,
    imageCount: card.imageCount,
    time: shortTime(card.submittedAt, now),
  };
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

export function emptyListText(tab: ProposalTab, filtered: boolean): string {
  if (tab === 'mine') return '你还没有提交过提案，有好的想法就提出来吧';
  return filtered ? '这个类别下还没有公开的提案' : '还没有公开的提案';
}

// The submission form

export const ANONYMOUS_NOTE =
  '匿名提交后，处理人和其他同事都看不到你的姓名和单位；只有管理员因正当理由才能查看提案人，且每次查看都会留下记录并告知你。';

/**
 * A fresh id for one submission (it also names the images' folder). Keep it while retrying the
 * same submission: the backend answers the proposal it already made instead of making two.
 */
export function newProposalRequestId(now: number = Date.now(), random: () => number = Math.random): string {
  const tail = Math.floor(random() * 0x7fffffff).toString(36);
  return `p${now.toString(36)}${tail}`.slice(0, 40);
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

/** What must be fixed before sending, by the limits the backend applies (FIELD_LIMITS). */
export function checkProposal(form: ProposalForm, images: readonly ImageRow[], categoryIds: readonly string[]): ProposalErrors {
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
  return errors;
}

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

export interface DetailView {
  id: string;
  title: string;
  statusText: string;
  statusType: TagType;
  categoryName: string;
  author: string;
  /** The proposer's units (named proposals only). */
  units: string;
  submittedAt: string;
  content: string;
  images: ImageTile[];
  answer: { text: string; meta: string } | null;
  rejectReason: string;
  mergedInto: { id: string; title: string } | null;
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

export function detailView(view: ProposalView, now: number): DetailView {
  return {
    id: view.id,
    title: view.title,
    statusText: statusText(view.status),
    statusType: statusTagType(view.status),
    categoryName: view.categoryName,
    author: authorText(view),
    units: view.anonymous ? '' : view.unitNames.join('、'),
    submittedAt: view.submittedAt,
    content: view.content,
    images: view.images.map((image, key) => ({ key, url: image.url, badge: imageBadge(image.check) ?? '', refused: image.check === 'refused' })),
    answer: view.answer ? { text: view.answer.text, meta: answerMeta(view.answer, now) } : null,
    rejectReason: view.rejectReason ?? '',
    mergedInto: view.mergedInto,
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

export function checkRating(stars: number, comment: string): RatingErrors {
  const errors: RatingErrors = { stars: '', comment: '' };
  if (!Number.isInteger(stars) || stars < RATING_STARS.min || stars > RATING_STARS.max) errors.stars = '请选择 1–5 星';
  if (length(comment.trim()) > FIELD_LIMITS.proposalRatingComment) errors.comment = `评价不超过 ${FIELD_LIMITS.proposalRatingComment} 个字`;
  return errors;
}
