/**
 * How proposals (提案) are shown to members and handlers: status names and tags, who proposed
 * it (匿名 hides the name from everyone, the proposer included), list rows, the timeline's
 * sentences, image badges and page addresses. Plain functions, tested without a page.
 */
import type { HistoryEntry, ImageCheck, ProposalCard, ProposalStatus, ProposalView } from '../../typings';
import { PROPOSAL_STATUS_NAMES } from '../../typings/proposal-rules';
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
 * Rows a window of a proposal list holds: a card is about a dozen WXML nodes, so 60 of them
 * with the tabs and filters above stay under the 1,000 nodes of WeChat's experience score.
 */
export const PROPOSALS_CAP = 60;

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
