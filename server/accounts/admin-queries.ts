/** What admins read about accounts: role holders, role history, search, and conflicts. */
import type { AccountConflictView, AccountSummary, GrantableRole, Page, RoleChangeView } from '../../typings';
import { AppFailure } from '../core/result';
import { formatBusiness } from '../core/time';
import { findById } from '../db/db';
import { GRANTABLE_ROLES, type UserDoc, accountSummary } from './model';
import type { RoleChangeDoc } from './roles';
import { type AccountDeps, loadUsers } from './store';

export const ROLE_PAGE_SIZE = 50;
export const HISTORY_PAGE_SIZE = 30;
export const CONFLICT_PAGE_SIZE = 20;
export const SEARCH_LIMIT = 20;

export async function listRoleHolders(deps: AccountDeps, role: GrantableRole | undefined, after: string | undefined): Promise<Page<AccountSummary>> {
  const _ = deps.db.command;
  const filter: Record<string, unknown> = { roles: role ? role : _.in([...GRANTABLE_ROLES]) };
  if (after) filter._id = _.gt(after);
  const { data } = await deps.db.collection('users').where(filter).orderBy('_id', 'asc').limit(ROLE_PAGE_SIZE + 1).get();
  const users = (data as UserDoc[]).filter((user) => !user.mergedInto);
  const more = data.length > ROLE_PAGE_SIZE;
  const page = users.slice(0, ROLE_PAGE_SIZE);
  return { items: page.map(accountSummary), next: more ? (data[ROLE_PAGE_SIZE - 1] as UserDoc)._id : null };
}

/** History cursors are `<epoch ms>_<id>`: records are ordered by time, ties by id. */
function parseHistoryCursor(after: string): { at: Date; id: string } {
  const match = /^(\d{1,15})_(.+)$/.exec(after);
  if (!match) throw new AppFailure('INVALID_INPUT', '分页参数无效', 'after');
  return { at: new Date(Number(match[1])), id: match[2] };
}

export async function roleHistory(deps: AccountDeps, userId: string | undefined, after: string | undefined): Promise<Page<RoleChangeView>> {
  const _ = deps.db.command;
  const conditions: Record<string, unknown>[] = [];
  if (userId) conditions.push({ targetUserId: userId });
  if (after) {
    const cursor = parseHistoryCursor(after);
    conditions.push(_.or([{ at: _.lt(cursor.at) }, { at: cursor.at, _id: _.lt(cursor.id) }]) as unknown as Record<string, unknown>);
  }
  const query = conditions.length === 0 ? {} : conditions.length === 1 ? conditions[0] : _.and(conditions);
  const { data } = await deps.db
    .collection('role_changes')
    .where(query as Record<string, unknown>)
    .orderBy('at', 'desc')
    .orderBy('_id', 'desc')
    .limit(HISTORY_PAGE_SIZE + 1)
    .get();
  const docs = data as Required<RoleChangeDoc>[];
  const page = docs.slice(0, HISTORY_PAGE_SIZE);
  const last = page[page.length - 1];
  return {
    items: page.map((doc) => ({
      id: doc._id,
      change: doc.change,
      role: doc.role,
      target: { id: doc.targetUserId, name: doc.targetName },
      actor: doc.actorUserId ? { id: doc.actorUserId, name: doc.actorName ?? '' } : null,
      source: doc.source,
      at: formatBusiness(new Date(doc.at)),
    })),
    next: docs.length > HISTORY_PAGE_SIZE && last ? `${new Date(last.at).getTime()}_${last._id}` : null,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Accounts whose nickname or roster name starts with the query (anchored, so an index serves it). */
export async function searchAccounts(deps: AccountDeps, rawQuery: string): Promise<AccountSummary[]> {
  const query = rawQuery.trim();
  if (query.length === 0) throw new AppFailure('INVALID_INPUT', '请输入搜索内容', 'query');
  const { db } = deps;
  const _ = db.command;
  const prefix = db.RegExp({ regexp: `^${escapeRegExp(query)}`, options: '' });
  const { data } = await db
    .collection('users')
    .where(_.or([{ nickname: prefix }, { 'member.name': prefix }]))
    .orderBy('_id', 'asc')
    .limit(SEARCH_LIMIT)
    .get();
  return (data as UserDoc[]).filter((user) => !user.mergedInto).map(accountSummary);
}

interface ConflictDoc {
  _id: string;
  status: 'open' | 'resolved';
  appid: string;
  openidUserId: string;
  unionidUserId: string;
  createdAt: Date;
  resolvedAt: Date | null;
  note: string | null;
}

function missingSummary(id: string): AccountSummary {
  return { id, nickname: null, avatarFileId: null, memberName: null, roles: ['member'] };
}

async function conflictViews(deps: AccountDeps, docs: ConflictDoc[]): Promise<AccountConflictView[]> {
  const users = await loadUsers(deps.db, docs.flatMap((doc) => [doc.openidUserId, doc.unionidUserId]));
  const summary = (id: string): AccountSummary => {
    const user = users.get(id);
    return user ? accountSummary(user) : missingSummary(id);
  };
  return docs.map((doc) => ({
    id: doc._id,
    code: 'ACCOUNT_CONFLICT',
    status: doc.status,
    appid: doc.appid,
    openidAccount: summary(doc.openidUserId),
    unionidAccount: summary(doc.unionidUserId),
    at: formatBusiness(new Date(doc.createdAt)),
    resolvedAt: doc.resolvedAt ? formatBusiness(new Date(doc.resolvedAt)) : null,
    note: doc.note ?? null,
  }));
}

/** Conflicts are rare, so an offset cursor is enough; open ones sort before resolved ones. */
export async function listConflicts(deps: AccountDeps, status: 'open' | 'resolved' | undefined, after: string | undefined): Promise<Page<AccountConflictView>> {
  const offset = after === undefined ? 0 : Number(after);
  if (!Number.isInteger(offset) || offset < 0) throw new AppFailure('INVALID_INPUT', '分页参数无效', 'after');
  const { data } = await deps.db
    .collection('account_conflicts')
    .where(status ? { status } : {})
    .orderBy('status', 'asc')
    .orderBy('createdAt', 'desc')
    .skip(offset)
    .limit(CONFLICT_PAGE_SIZE + 1)
    .get();
  const docs = (data as ConflictDoc[]).slice(0, CONFLICT_PAGE_SIZE);
  return { items: await conflictViews(deps, docs), next: data.length > CONFLICT_PAGE_SIZE ? String(offset + CONFLICT_PAGE_SIZE) : null };
}

export async function resolveConflict(deps: AccountDeps, admin: UserDoc, id: string, note: string | undefined): Promise<AccountConflictView> {
  const { db } = deps;
  const now = deps.now();
  const trimmed = note?.trim() || null;
  // Only an open record changes: resolving twice keeps the first resolution.
  await db
    .collection('account_conflicts')
    .where({ _id: id, status: 'open' })
    .update({ data: { status: 'resolved', resolvedAt: now, resolvedBy: admin._id, note: trimmed } });
  const doc = await findById<ConflictDoc>(db, 'account_conflicts', id);
  if (!doc) throw new AppFailure('CONFLICT_NOT_FOUND', '冲突记录不存在', 'id');
  return (await conflictViews(deps, [doc]))[0];
}
