/**
 * View rows for the admin 角色管理 page: role holders, search results, the role-change history
 * and account conflicts, plus the actions offered on an account. Plain functions, tested
 * without a page.
 */
import type { AccountConflictView, AccountSummary, GrantableRole, Role, RoleChangeView } from '../../typings';
import { DEFAULT_NICKNAME, GRANTABLE_ROLES, roleLabel, roleTags, type RoleTag } from './account-view';
import { unitPathPieces } from './org-view';

export type RoleFilter = 'all' | GrantableRole;

export interface RoleFilterTab {
  name: RoleFilter;
  title: string;
}

export const ROLE_FILTERS: readonly RoleFilterTab[] = [
  { name: 'all', title: '全部' },
  ...GRANTABLE_ROLES.map((role) => ({ name: role, title: roleLabel(role) })),
];

/** The `roles.list` role for a filter tab; null lists holders of any granted role. */
export function roleOfFilter(filter: RoleFilter): GrantableRole | null {
  return filter === 'all' ? null : filter;
}

/** How another person is named in admin lists: the roster name first, as the backend names them in records. */
export function summaryName(summary: Pick<AccountSummary, 'nickname' | 'memberName'>): string {
  return summary.memberName?.trim() || summary.nickname?.trim() || DEFAULT_NICKNAME;
}

export interface AccountRow {
  id: string;
  title: string;
  /** The roster name, its 学号/工号 and the nickname when it differs: enough to tell two 王伟 apart. */
  label: string;
  /** The bound member's units, in pieces that wrap between names; empty when not known. */
  unitPieces: string[];
  roles: Role[];
  /** Granted roles only: every account is a member, so that tag says nothing in a list. */
  tags: RoleTag[];
}

export function accountRow(summary: AccountSummary): AccountRow {
  const nickname = summary.nickname?.trim();
  const parts = [summary.memberName ? `花名册：${summary.memberName}` : '未绑定花名册'];
  const number = summary.memberNumber?.trim();
  if (summary.memberName && number) parts.push(number);
  if (nickname && summary.memberName && nickname !== summary.memberName) parts.push(`昵称：${nickname}`);
  return {
    id: summary.id,
    title: summaryName(summary),
    label: parts.join(' · '),
    unitPieces: summary.unitPath ? unitPathPieces(summary.unitPath) : [],
    roles: summary.roles,
    tags: roleTags(summary.roles.filter((role) => role !== 'member')),
  };
}

/** One entry of the action sheet opened on an account; Vant shows `name` and hands the item back. */
export interface RoleAction {
  name: string;
  change: 'grant' | 'revoke';
  role: GrantableRole;
  color?: string;
}

/** Grant for each role the account lacks, revoke for each it holds, in role order. */
export function roleActions(roles: readonly Role[]): RoleAction[] {
  return GRANTABLE_ROLES.map((role) =>
    roles.includes(role)
      ? { name: `撤销${roleLabel(role)}`, change: 'revoke' as const, role, color: '#ee0a24' }
      : { name: `授予${roleLabel(role)}`, change: 'grant' as const, role },
  );
}

export function revokeQuestion(name: string, role: GrantableRole): string {
  return `确定撤销「${name}」的${roleLabel(role)}角色吗？`;
}

export function changeDoneText(change: 'grant' | 'revoke', name: string, role: GrantableRole): string {
  return change === 'grant' ? `已授予「${name}」${roleLabel(role)}角色` : `已撤销「${name}」的${roleLabel(role)}角色`;
}

export interface HistoryRow {
  id: string;
  title: string;
  label: string;
  change: 'grant' | 'revoke';
}

function sourceText(change: RoleChangeView): string {
  switch (change.source) {
    case 'config':
      return '来自配置';
    case 'bootstrap':
      return '首位管理员初始化';
    default:
      return change.actor ? `操作人：${change.actor.name}` : '管理员操作';
  }
}

export function historyRow(change: RoleChangeView): HistoryRow {
  const verb = change.change === 'grant' ? '授予' : '撤销';
  return {
    id: change.id,
    title: `${verb}「${change.target.name}」${roleLabel(change.role)}`,
    label: `${change.at} · ${sourceText(change)}`,
    change: change.change,
  };
}

export interface ConflictRow {
  id: string;
  open: boolean;
  statusLabel: string;
  openidAccount: string;
  unionidAccount: string;
  at: string;
  /** The resolution line, empty while open. */
  resolution: string;
}

export function conflictRow(conflict: AccountConflictView): ConflictRow {
  const open = conflict.status === 'open';
  let resolution = '';
  if (!open) {
    const how = conflict.resolution === 'merged' ? '已合并' : conflict.resolution === 'dismissed' ? '保持独立' : '已处理';
    resolution = `${how}，处理于 ${conflict.resolvedAt ?? ''}`.trim();
    if (conflict.note) resolution += `：${conflict.note}`;
  }
  return {
    id: conflict.id,
    open,
    statusLabel: open ? '待处理' : '已处理',
    openidAccount: summaryName(conflict.openidAccount),
    unionidAccount: summaryName(conflict.unionidAccount),
    at: conflict.at,
    resolution,
  };
}

/** The list with the row of the same id replaced; unchanged when there is none. */
export function replaceRow<R extends { id: string }>(rows: readonly R[], row: R): R[] {
  return rows.map((existing) => (existing.id === row.id ? row : existing));
}
