/**
 * The handlers' proposal pages without a page: the dashboard's grid and first-answer lines, the
 * desk's rows and filters, which handling actions a proposal offers, the checks made before an
 * action is sent, the merge and assign pickers, the category form and the reveal audit's rows.
 * Plain functions, tested without a page.
 */
import type {
  AppError,
  CategoryInput,
  ProposalCard,
  ProposalCategory,
  ProposalDashboard,
  ProposalStatus,
  ProposalView,
  RevealedAuthor,
  RevealRecord,
} from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { OPEN_PROPOSAL_STATUSES, PROPOSAL_STATUSES } from '../../typings/proposal-rules';
import { shortTime, type TagType } from './notice-view';
import { authorText, proposalHead, statusTagType, statusText, timeline, type ProposalHead, type TimelineItem } from './proposal-view';

export const CATEGORIES_URL = '/packages/admin/pages/proposal-categories/index';
export const REVEALS_URL = '/packages/admin/pages/proposal-reveals/index';

const chars = (text: string) => Array.from(text).length;

// Dashboard

export interface CountCell {
  /** '' is 全部. */
  status: ProposalStatus | '';
  label: string;
  /** The number, or — until the dashboard has answered (never a 0 it did not say). */
  count: string;
  active: boolean;
}

const UNKNOWN_COUNT = '—';

/** The grid: 全部 then every status in the order of the handling; the one filtering the list is active. */
export function countGrid(dashboard: ProposalDashboard | null, active: ProposalStatus | ''): CountCell[] {
  const count = (value: number | undefined) => (dashboard ? String(value ?? 0) : UNKNOWN_COUNT);
  const total: CountCell = { status: '', label: '全部', count: count(dashboard?.total), active: active === '' };
  return [total, ...PROPOSAL_STATUSES.map((status) => ({ status, label: statusText(status), count: count(dashboard?.counts[status]), active: active === status }))];
}

/** A count's status from a tap's dataset: '' (全部), a known status, or null for anything else. */
export function statusFilterOf(value: unknown): ProposalStatus | '' | null {
  if (value === '' || value === undefined) return '';
  return (PROPOSAL_STATUSES as readonly unknown[]).includes(value) ? (value as ProposalStatus) : null;
}

/**
 * `45 分钟`, `5.5 小时`, `2.3 天`: a duration as a handler reads it, one decimal at most. The unit
 * follows `scale` (the duration itself unless given), so figures read side by side share one.
 */
export function durationWords(minutes: number, scale: number = minutes): string {
  const round = (value: number) => String(Math.round(value * 10) / 10);
  if (scale < 60) return `${Math.max(0, Math.round(minutes))} 分钟`;
  if (scale < 48 * 60) return `${round(minutes / 60)} 小时`;
  return `${round(minutes / (24 * 60))} 天`;
}

export interface FirstAnswerRow {
  categoryId: string;
  name: string;
  text: string;
}

/** Per category: how many were answered, and the mean and longest wait for the first answer. */
export function firstAnswerRows(dashboard: ProposalDashboard | null): FirstAnswerRow[] {
  return (dashboard?.firstAnswer ?? []).map((line) => ({
    categoryId: line.categoryId,
    name: line.categoryName,
    text:
      line.answered > 0 && line.meanMinutes !== null && line.maxMinutes !== null
        ? `已答复 ${line.answered} 件 · 平均 ${durationWords(line.meanMinutes, line.maxMinutes)} · 最长 ${durationWords(line.maxMinutes)}`
        : '尚无答复',
  }));
}

// The desk's list and filters

export interface DeskRow {
  id: string;
  title: string;
  statusText: string;
  statusType: TagType;
  /** `后勤服务 · 李明 · 03-01 09:30`. */
  meta: string;
  /** `指派给 张老师` or `未指派`. */
  assignee: string;
  isPublic: boolean;
}

export function deskRow(card: ProposalCard, now: number): DeskRow {
  return {
    id: card.id,
    title: card.title,
    statusText: statusText(card.status),
    statusType: statusTagType(card.status),
    meta: `${card.categoryName} · ${authorText(card)} · ${shortTime(card.submittedAt, now)}`,
    assignee: card.assignee ? `指派给 ${card.assignee.name}` : '未指派',
    isPublic: card.public,
  };
}

export interface DeskFilters {
  status: ProposalStatus | '';
  categoryId: string;
  unitId: string;
  assignedToMe: boolean;
}

/**
 * Whether a proposal read again (back from handling it) still belongs in the desk's list under
 * its filters: the caller still handles it, and its status, category and assignee still match.
 * A unit filter never matches an anonymous one; otherwise the units did not change.
 */
export function stillOnDesk(view: ProposalView, filters: DeskFilters, memberId: string | null): boolean {
  if (!view.can.handle) return false;
  if (filters.status && view.status !== filters.status) return false;
  if (filters.categoryId && view.categoryId !== filters.categoryId) return false;
  if (filters.unitId && view.anonymous) return false;
  return !filters.assignedToMe || (!!memberId && view.assignee?.id === memberId);
}

export interface CategoryOption {
  /** '' is every category. */
  id: string;
  label: string;
}

/**
 * The categories a caller handles: every one for an admin, otherwise those naming the caller's
 * roster member among their handlers.
 */
export function handledCategories(categories: readonly ProposalCategory[], admin: boolean, memberId: string | null): ProposalCategory[] {
  if (admin) return [...categories];
  if (!memberId) return [];
  return categories.filter((category) => category.handlers.some((handler) => handler.id === memberId));
}

/** The category filter's choices: 全部类别 then the handled ones, an inactive one marked. */
export function categoryOptions(categories: readonly ProposalCategory[]): CategoryOption[] {
  return [{ id: '', label: '全部类别' }, ...categories.map((category) => ({ id: category.id, label: category.active ? category.name : `${category.name}（已停用）` }))];
}

export function emptyDeskText(filtered: boolean): string {
  return filtered ? '没有符合筛选条件的提案' : '暂无需要办理的提案';
}

// Handling one proposal

export type ActionKey = 'accept' | 'start' | 'resolve' | 'reject' | 'answer' | 'assign' | 'publish' | 'merge' | 'reveal';

export interface HandleAction {
  key: ActionKey;
  label: string;
  /** A Vant button type. */
  type: 'primary' | 'danger' | 'default';
}

/** Moves as the buttons name them; the status they lead to. */
const MOVES: readonly { to: ProposalStatus; key: ActionKey; label: string; type: HandleAction['type'] }[] = [
  { to: 'accepted', key: 'accept', label: '受理', type: 'primary' },
  { to: 'in_progress', key: 'start', label: '开始办理', type: 'primary' },
  { to: 'resolved', key: 'resolve', label: '办结', type: 'primary' },
  { to: 'rejected', key: 'reject', label: '不予采纳', type: 'danger' },
];

const ACTION_KEYS: readonly ActionKey[] = ['accept', 'start', 'resolve', 'reject', 'answer', 'assign', 'publish', 'merge', 'reveal'];

/** An action button's key from a tap's dataset; null for anything else. */
export function actionKeyOf(value: unknown): ActionKey | null {
  return (ACTION_KEYS as readonly unknown[]).includes(value) ? (value as ActionKey) : null;
}

export function moveTarget(key: ActionKey): ProposalStatus | null {
  return MOVES.find((move) => move.key === key)?.to ?? null;
}

export function isOpen(status: ProposalStatus): boolean {
  return OPEN_PROPOSAL_STATUSES.includes(status);
}

/**
 * The actions a proposal offers the caller now: the moves the server allows (`can.moveTo`), the
 * answer (not on a merged one), assigning and merging while it is open, publishing unless merged,
 * and for an admin on an anonymous proposal the reveal.
 */
export function handleActions(view: ProposalView): HandleAction[] {
  if (!view.can.handle) return view.can.reveal && view.anonymous ? [{ key: 'reveal', label: '查看提案人', type: 'default' }] : [];
  const actions: HandleAction[] = MOVES.filter((move) => view.can.moveTo.includes(move.to)).map(({ key, label, type }) => ({ key, label, type }));
  if (view.status !== 'merged') actions.push({ key: 'answer', label: view.answer ? '修改答复' : '答复', type: 'default' });
  if (isOpen(view.status)) actions.push({ key: 'assign', label: view.assignee ? '改派' : '指派', type: 'default' });
  if (view.status !== 'merged') actions.push({ key: 'publish', label: view.public ? '取消公开' : '公开', type: 'default' });
  if (isOpen(view.status)) actions.push({ key: 'merge', label: '合并到…', type: 'default' });
  if (view.can.reveal && view.anonymous) actions.push({ key: 'reveal', label: '查看提案人', type: 'default' });
  return actions;
}

/** A reason is required (a rejection, a reveal): 1–200 characters. */
export function checkProposalReason(reason: string, what: string): string {
  const text = reason.trim();
  if (!text) return `请填写${what}`;
  return chars(text) > FIELD_LIMITS.proposalReason ? `${what}不超过 ${FIELD_LIMITS.proposalReason} 个字` : '';
}

/** An answer: required when written on its own, optional with 办结; at most 1,000 characters. */
export function checkAnswer(answer: string, required: boolean): string {
  const text = answer.trim();
  if (!text) return required ? '请填写答复内容' : '';
  return chars(text) > FIELD_LIMITS.proposalAnswer ? `答复不超过 ${FIELD_LIMITS.proposalAnswer} 个字` : '';
}

/** What the move's dialog says before it is sent. */
export function moveDialogText(key: ActionKey): string {
  if (key === 'resolve') return '办结后提案人可在办理进度中看到（订阅了提醒的会收到消息）。可同时填写或更新答复（可选）。';
  if (key === 'reject') return '不予采纳后提案人可在办理进度中看到原因（订阅了提醒的会收到消息），提案不能再办理。';
  return '';
}

/** The toast after a handling action succeeded. */
export function doneText(key: ActionKey, view: ProposalView): string {
  switch (key) {
    case 'accept':
      return '已受理';
    case 'start':
      return '已开始办理';
    case 'resolve':
      return '已办结';
    case 'reject':
      return '已不予采纳';
    case 'answer':
      return '答复已保存';
    case 'assign':
      return view.assignee ? '已指派' : '已取消指派';
    case 'publish':
      return view.public ? '已公开' : '已取消公开';
    case 'merge':
      return '已合并';
    default:
      return '完成';
  }
}

export interface HandlerChoice {
  /** '' takes the assignment away. */
  id: string;
  name: string;
  /** `当前` on the handler it is assigned to. */
  subname: string;
}

/** The assign picker: the category's handlers (the current one marked), and 取消指派 when assigned. */
export function handlerChoices(category: ProposalCategory | undefined, assignee: ProposalView['assignee']): HandlerChoice[] {
  const choices: HandlerChoice[] = (category?.handlers ?? []).map((handler) => ({ id: handler.id, name: handler.name, subname: assignee?.id === handler.id ? '当前' : '' }));
  if (assignee) choices.push({ id: '', name: '取消指派', subname: '' });
  return choices;
}

export interface MergeChoice {
  id: string;
  title: string;
  meta: string;
}

/** Proposals this one may be merged into: the open ones the server listed (`openOnly`), never itself. */
export function mergeChoices(cards: readonly ProposalCard[], selfId: string, now: number): MergeChoice[] {
  return cards
    .filter((card) => card.id !== selfId)
    .map((card) => ({ id: card.id, title: card.title, meta: `${statusText(card.status)} · ${card.categoryName} · ${shortTime(card.submittedAt, now)}` }));
}

export function mergeQuestion(from: string, into: string): string {
  return `将「${from}」合并到「${into}」？合并后本提案不再单独办理，其附议人和提案人将转为附议「${into}」。`;
}

export const REVEAL_NOTICE = '查看提案人身份会被记录（查看人、时间和原因），提案人也能在提案记录中看到。请仅在确有必要时查看。';

/** What the reveal's answer says, line by line. */
export function revealedLines(author: RevealedAuthor): string[] {
  const lines = [`姓名：${author.name}`];
  if (author.number) lines.push(`学号/工号：${author.number}`);
  if (author.unitNames.length) lines.push(`所在单位：${author.unitNames.join('、')}`);
  return lines;
}

/** What 办理提案 shows of the proposal: the view's fields the template reads, and no more. */
export interface HandleView extends ProposalHead {
  /** `指派给 王二 · 未公开 · 附议 3`. */
  state: string;
  images: string[];
  /** Where a duplicate went: a link when the handler may open it, else only that it was merged. */
  mergedInto: { title: string; visible: boolean } | null;
  rating: { stars: number; comment: string } | null;
  timeline: TimelineItem[];
  actions: HandleAction[];
}

export function handleView(view: ProposalView, now: number): HandleView {
  const head = proposalHead(view, now);
  return {
    ...head,
    author: `提案人：${head.author}`,
    state: `${view.assignee ? `指派给 ${view.assignee.name}` : '未指派'} · ${view.public ? '已公开' : '未公开'} · 附议 ${view.supportCount}`,
    images: view.images.map((image) => image.url),
    mergedInto: view.mergedInto ? { title: view.mergedInto.title, visible: view.mergedInto.visible } : null,
    rating: view.rating ? { stars: view.rating.stars, comment: view.rating.comment } : null,
    timeline: timeline(view.history),
    actions: handleActions(view),
  };
}

// Categories

export interface CategoryForm {
  name: string;
  description: string;
  active: boolean;
  handlers: { id: string; name: string }[];
}

export type CategoryField = 'name' | 'description' | 'handlers';
export type CategoryErrors = Record<CategoryField, string>;

export const NO_CATEGORY_ERRORS: Readonly<CategoryErrors> = { name: '', description: '', handlers: '' };

export function emptyCategoryForm(): CategoryForm {
  return { name: '', description: '', active: true, handlers: [] };
}

export function categoryFormOf(category: ProposalCategory): CategoryForm {
  return { name: category.name, description: category.description, active: category.active, handlers: category.handlers.map((handler) => ({ ...handler })) };
}

export function categoryInputOf(form: CategoryForm): CategoryInput {
  return { name: form.name.trim(), description: form.description.trim(), active: form.active, handlerIds: form.handlers.map((handler) => handler.id) };
}

export function checkCategoryForm(form: CategoryForm): CategoryErrors {
  const errors = { ...NO_CATEGORY_ERRORS };
  const name = form.name.trim();
  if (!name) errors.name = '请填写类别名称';
  else if (chars(name) > FIELD_LIMITS.categoryName) errors.name = `类别名称不超过 ${FIELD_LIMITS.categoryName} 个字`;
  if (chars(form.description.trim()) > FIELD_LIMITS.categoryDescription) errors.description = `说明不超过 ${FIELD_LIMITS.categoryDescription} 个字`;
  if (form.handlers.length > FIELD_LIMITS.categoryHandlers) errors.handlers = `处理人最多 ${FIELD_LIMITS.categoryHandlers} 人`;
  return errors;
}

export function hasCategoryErrors(errors: CategoryErrors): boolean {
  return Object.values(errors).some(Boolean);
}

/** The form field a failed save belongs to, or null for errors about the whole category. */
export function fieldOfCategoryError(error: AppError): CategoryField | null {
  switch (error.code) {
    case 'CATEGORY_NAME_TAKEN':
      return 'name';
    case 'MEMBER_NOT_FOUND':
      return 'handlers';
    case 'INVALID_INPUT': {
      // `details.name`, `details.handlerIds[3]`...
      const last = (error.field ?? '').split('.').pop()?.replace(/\[\d+\]$/, '') ?? '';
      if (last === 'name') return 'name';
      if (last === 'description') return 'description';
      if (last === 'handlerIds') return 'handlers';
      return null;
    }
    default:
      return null;
  }
}

export interface CategoryRow {
  id: string;
  name: string;
  description: string;
  active: boolean;
  /** `处理人：张老师、李老师` or `未指定处理人（由管理员办理）`. */
  handlers: string;
}

export function categoryRow(category: ProposalCategory): CategoryRow {
  return {
    id: category.id,
    name: category.name,
    description: category.description,
    active: category.active,
    handlers: category.handlers.length ? `处理人：${category.handlers.map((handler) => handler.name).join('、')}` : '未指定处理人（由管理员办理）',
  };
}

// The reveal audit

export interface RevealRow {
  id: string;
  proposalId: string;
  title: string;
  /** `王老师 · 03-01 09:30`. */
  meta: string;
  reason: string;
}

export function revealRow(record: RevealRecord, now: number): RevealRow {
  return { id: record.id, proposalId: record.proposalId, title: record.proposalTitle, meta: `${record.by} · ${shortTime(record.at, now)}`, reason: `原因：${record.reason}` };
}
