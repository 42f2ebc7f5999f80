/** What admins read about accounts: role holders, role history, search, and conflicts. */
import type { AccountSummary, GrantableRole, Page, RoleChangeView } from '../../typings';
import { AppFailure } from '../core/result';
import { formatBusiness } from '../core/time';
import { GRANTABLE_ROLES, type UserDoc, accountSummary } from './model';
import type { RoleChangeDoc } from './roles';
import type { AccountDeps } from './store';

export const ROLE_PAGE_SIZE = 50;
export const HISTORY_PAGE_SIZE = 30;
export const SEARCH_LIMIT = 20;

export async function listRoleHolders(deps: AccountDeps, role: GrantableRole | undefined, after: string | undefined): Promise<Page<AccountSummary>> {
  const _ = deps.db.command;
  const filter: Record<string, unknown> = { roles: role ? role : _.in([...GRANTABLE_ROLES]) };
  if (after) filter._id = _.gt(after);
  const { data } = await deps.db.collection('users').where(filter).orderBy('_id', 'asc').limit(ROLE_PAGE_SIZE + 1).get();
  const page = (data as UserDoc[]).slice(0, ROLE_PAGE_SIZE);
  const more = data.length > ROLE_PAGE_SIZE;
  // The cursor is the last document read, shown or not, so no holder appears twice.
  return { items: page.filter((user) => !user.mergedInto).map(accountSummary), next: more ? page[page.length - 1]._id : null };
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
