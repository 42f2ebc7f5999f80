/** What admins read about accounts: role holders, role history, search, and conflicts. */
import type { AccountSummary, GrantableRole, Page, RoleChangeView } from '../../typings';
import { AppFailure } from '../core/result';
import { formatBusiness } from '../core/time';
import { escapeRegExp, prefixFilter } from '../org/members';
import type { MemberDoc } from '../org/model';
import { loadTree } from '../org/tree';
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

/**
 * Accounts an admin looks for, e.g. to grant a role: by the bound roster member's name or
 * 学号/工号 prefix (spaces and full-width digits read as numbers are stored), or by nickname
 * prefix. Each result carries its member's number and unit paths, so two people named 王伟
 * can be told apart. Prefixes are anchored and literal (escaped); the members' one ignores
 * case (学号 like T0001), which no index serves, so it scans the bound members. Database
 * requests per search: the tree revision and bound members at once, then the accounts, then
 * (only when some were found by nickname) their members: 3 or 4, plus the units when this
 * instance's tree snapshot is out of date.
 */
export async function searchAccounts(deps: AccountDeps, rawQuery: string): Promise<AccountSummary[]> {
  const query = rawQuery.trim();
  if (query.length === 0) throw new AppFailure('INVALID_INPUT', '请输入搜索内容', 'query');
  const { db } = deps;
  const _ = db.command;
  const [snapshot, { data: memberHits }] = await Promise.all([
    loadTree(db, deps.config.organisationName, deps.now()),
    db
      .collection('members')
      .where(_.and([prefixFilter(deps, query), { userId: _.neq(null) }]))
      .orderBy('number', 'asc')
      .limit(SEARCH_LIMIT)
      .field(SEARCHED_MEMBER_FIELDS)
      .get(),
  ]);
  const members = new Map((memberHits as SearchedMember[]).map((member) => [member._id, member]));
  const boundIds = [...new Set((memberHits as SearchedMember[]).map((member) => member.userId))];
  const nickname = db.RegExp({ regexp: `^${escapeRegExp(query)}`, options: '' });
  const byAccount: Record<string, unknown>[] = [{ nickname }, { 'member.name': nickname }];
  if (boundIds.length > 0) byAccount.push({ _id: _.in(boundIds) });
  const { data } = await db
    .collection('users')
    .where(_.or(byAccount))
    .limit(SEARCH_LIMIT + boundIds.length)
    .get();
  const found = new Map((data as UserDoc[]).filter((user) => !user.mergedInto).map((user) => [user._id, user]));
  // Members' matches first, in number order; then the others by id.
  const ordered = [...boundIds.map((id) => found.get(id)).filter((user): user is UserDoc => Boolean(user))];
  for (const user of [...found.values()].sort((a, b) => (a._id < b._id ? -1 : 1))) if (!boundIds.includes(user._id)) ordered.push(user);
  const results = ordered.slice(0, SEARCH_LIMIT);
  const unread = results.map((user) => user.member?.id).filter((id): id is string => Boolean(id) && !members.has(id as string));
  if (unread.length > 0) {
    const { data: more } = await db.collection('members').where({ _id: _.in(unread) }).limit(unread.length).field(SEARCHED_MEMBER_FIELDS).get();
    for (const member of more as SearchedMember[]) members.set(member._id, member);
  }
  return results.map((user) => {
    const member = user.member ? members.get(user.member.id) : undefined;
    const summary = accountSummary(user);
    if (!member || member.userId !== user._id) return { ...summary, unitPath: null };
    const paths = member.unitIds.map((id) => snapshot.pathNames(id).join('/')).filter(Boolean);
    return { ...summary, memberNumber: member.number, unitPath: paths.join('；') || null };
  });
}

type SearchedMember = Pick<MemberDoc, '_id' | 'number' | 'unitIds'> & { userId: string };
const SEARCHED_MEMBER_FIELDS = { _id: true, number: true, unitIds: true, userId: true };
