/**
 * How a roster import is shown: the counts of a preview, its items by category with field
 * changes in Chinese, the apply progress and the result. Plain functions, tested without a page.
 */
import type { ImportCounts, ImportItemCategory, ImportItemView, ImportView, MemberInput } from '../../typings';
import { MEMBER_KIND_LABELS } from './org-view';

export type ChangeField = keyof MemberInput | 'active';
export type ImportTab = Exclude<ImportItemCategory, 'skipped'>;

export const IMPORT_TABS: readonly { name: ImportTab; title: string }[] = [
  { name: 'add', title: '新增' },
  { name: 'update', title: '更新' },
  { name: 'deactivate', title: '停用' },
  { name: 'invalid', title: '无效' },
];

export const CHANGE_FIELD_LABELS: Readonly<Record<ChangeField, string>> = {
  name: '姓名',
  number: '学号/工号',
  phone: '手机号',
  kind: '类型',
  unitIds: '单位',
  title: '职务',
  wecomUserId: '企业微信账号',
  active: '状态',
};

export function changeFieldLabel(field: string): string {
  return CHANGE_FIELD_LABELS[field as ChangeField] ?? field;
}

/** A changed value as people read it: kinds and the active flag in Chinese, blanks as （空）. */
export function changeValueText(field: string, value: string): string {
  const text = value.trim();
  if (!text) return '（空）';
  if (field === 'kind' && text in MEMBER_KIND_LABELS) return MEMBER_KIND_LABELS[text as keyof typeof MEMBER_KIND_LABELS];
  if (field === 'active' && (text === 'true' || text === 'false')) return text === 'true' ? '在册' : '已停用';
  return text;
}

export interface CountCell {
  key: keyof ImportCounts;
  label: string;
  value: number;
}

/** The five counts of a preview, in the order of the tabs. */
export function countCells(counts: ImportCounts): CountCell[] {
  return [
    { key: 'add', label: '新增', value: counts.add },
    { key: 'update', label: '更新', value: counts.update },
    { key: 'deactivate', label: '停用', value: counts.deactivate },
    { key: 'unchanged', label: '无变化', value: counts.unchanged },
    { key: 'invalid', label: '无效', value: counts.invalid },
  ];
}

export function importSummaryText(counts: ImportCounts): string {
  const parts = countCells(counts).map((cell) => `${cell.label} ${cell.value}`);
  return `共 ${counts.rows} 行：${parts.join('，')}`;
}

/** How many changes applying makes. */
export function changeTotal(counts: ImportCounts): number {
  return counts.add + counts.update + counts.deactivate;
}

export function canApply(counts: ImportCounts): boolean {
  return changeTotal(counts) > 0;
}

/** Asked before applying an import that deactivates members; null when nothing is deactivated. */
export function applyQuestion(counts: ImportCounts): string | null {
  if (counts.deactivate <= 0) return null;
  return `将停用 ${counts.deactivate} 名不在名单中的成员（可在成员管理中恢复），确定应用吗？`;
}

/** Whole percent of the changes applied, 0-100. */
export function progressPercent(progress: { done: number; total: number }): number {
  if (progress.total <= 0) return progress.done > 0 ? 100 : 0;
  const ratio = Math.max(0, Math.min(1, progress.done / progress.total));
  return Math.floor(ratio * 100);
}

export function progressText(progress: { done: number; total: number }): string {
  return `已应用 ${progress.done} / ${progress.total}`;
}

/**
 * What an applied import changed. `done` counts the skipped changes too; which categories they
 * came from is not known, so the per-category figures are given only when nothing was skipped.
 */
export function importResultText(view: ImportView): string {
  const applied = Math.max(0, view.progress.done - view.skipped);
  const total = `导入完成：共应用 ${applied} 项变更`;
  if (view.skipped > 0) return total;
  const { add, update, deactivate } = view.counts;
  return `${total}（新增 ${add} 人，更新 ${update} 人，停用 ${deactivate} 人）`;
}

/** The skipped changes; each one's reason is listed below it. */
export function skippedText(skipped: number): string {
  return `跳过 ${skipped} 条，原因见下`;
}

export interface RecentImportRow {
  id: string;
  title: string;
  label: string;
  status: string;
}

/** An import in the 最近导入 list: which file, when, and how far it got. */
export function recentImportRow(view: ImportView): RecentImportRow {
  const status: Record<ImportView['status'], string> = {
    previewed: '待应用',
    applying: `应用中 ${progressPercent(view.progress)}%`,
    applied: '已应用',
    expired: '已过期',
  };
  return { id: view.id, title: view.fileName, label: `${view.createdAt} · ${importSummaryText(view.counts)}`, status: status[view.status] };
}

export interface ImportItemRow {
  /** Unique across the pages of one category. */
  id: string;
  title: string;
  label: string;
  lines: string[];
}

function lineText(line: number | null): string {
  return line === null ? '' : `第 ${line} 行`;
}

function who(item: ImportItemView): string {
  return [item.name, item.number].filter((part) => part && part.trim()).join(' · ') || '（未填写姓名和学号/工号）';
}

/** One row of an import's item list; `index` keeps keys unique across pages. */
export function importItemRow(item: ImportItemView, index: number): ImportItemRow {
  const id = `${item.category}-${index}`;
  switch (item.category) {
    // A skipped change, like an invalid row, is worth nothing without its reasons.
    case 'invalid':
    case 'skipped':
      return {
        id,
        title: lineText(item.line) || who(item),
        label: who(item),
        lines: item.reasons.map((reason) => reason.message),
      };
    case 'update':
      return {
        id,
        title: who(item),
        label: lineText(item.line),
        lines: item.changes.map(
          (change) =>
            `${changeFieldLabel(change.field)}：${changeValueText(change.field, change.before)} → ${changeValueText(change.field, change.after)}`,
        ),
      };
    case 'deactivate':
      return { id, title: who(item), label: '不在名单中', lines: [] };
    default:
      return { id, title: who(item), label: lineText(item.line), lines: [] };
  }
}

export function emptyItemsText(category: ImportItemCategory): string {
  switch (category) {
    case 'add':
      return '没有新增的成员';
    case 'update':
      return '没有需要更新的成员';
    case 'deactivate':
      return '没有需要停用的成员';
    case 'invalid':
      return '没有无效的行';
    default:
      return '没有跳过的记录';
  }
}

export const DEACTIVATE_WARNING = '开启后，花名册中在册但名单里没有的成员都将被停用';
