/**
 * ACCOUNT_CONFLICT records: an openid and its UNIONID lead to two accounts that both own
 * data. Sign-in records them (sign-in.ts); admins list them and close them, either keeping
 * the accounts apart or folding the openid's account into the UNIONID's.
 */
import type { AccountConflictView, AccountSummary, GrantableRole, Page } from '../../typings';
import { AppFailure } from '../core/result';
import { formatBusiness } from '../core/time';
import { COLLECTIONS } from '../db/collections';
import { findById } from '../db/db';
import { GRANTABLE_ROLES, type UserDoc, accountSummary, displayName } from './model';
import { getInTransaction, runRefusable } from '../db/transactions';
import { ADMINS_DOC_ID, type AdminsDoc, type RoleChangeDoc } from './roles';
import { type AccountDeps, finishMerge, loadUser, loadUsers } from './store';

export interface ConflictDoc {
  _id: string;
  status: 'open' | 'resolved';
  appid: string;
  openidKey: string;
  unionidKey: string;
  openidUserId: string;
  unionidUserId: string;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolution?: 'merged' | 'dismissed' | null;
  note: string | null;
}

export const CONFLICT_PAGE_SIZE = 20;
const MAX_CONFLICT_OFFSET = 100_000;

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
    resolution: doc.resolution ?? null,
    note: doc.note ?? null,
  }));
}

/** Conflicts are rare, so an offset cursor is enough; open ones sort before resolved ones. */
export async function listConflicts(deps: AccountDeps, status: 'open' | 'resolved' | undefined, after: string | undefined): Promise<Page<AccountConflictView>> {
  const offset = after === undefined ? 0 : Number(after);
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > MAX_CONFLICT_OFFSET) throw new AppFailure('INVALID_INPUT', '分页参数无效', 'after');
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

/**
 * Folds `from` into `into` although both own data: in one transaction `into` takes the roles
 * and the roster member `from` had and `into` lacks, fills profile gaps, the admin set follows,
 * role records are written, and `from` is marked merged. Owned documents and identities move
 * after the mark; a crash before they do is finished by resolving again (or by readers).
 */
async function foldAccount(deps: AccountDeps, admin: UserDoc, fromId: string, intoId: string): Promise<void> {
  const now = deps.now();
  await runRefusable(deps.db, async (t) => {
    const from = await getInTransaction<UserDoc>(t, 'users', fromId);
    const into = await getInTransaction<UserDoc>(t, 'users', intoId);
    if (!from || !into || into.mergedInto) throw new AppFailure('USER_NOT_FOUND');
    if (from.mergedInto === intoId) return;
    if (from.mergedInto) throw new AppFailure('USER_NOT_FOUND');
    if (from.member && into.member && from.member.id !== into.member.id) {
      throw new AppFailure('ACCOUNT_MERGE_BLOCKED');
    }
    const gained = GRANTABLE_ROLES.filter((role) => (from.roles ?? []).includes(role) && !(into.roles ?? []).includes(role));
    const roles: GrantableRole[] = GRANTABLE_ROLES.filter((role) => (into.roles ?? []).includes(role) || gained.includes(role));
    if ((from.roles ?? []).includes('admin')) {
      const admins = (await getInTransaction<AdminsDoc>(t, 'settings', ADMINS_DOC_ID))?.userIds ?? [];
      const next = [...new Set([...admins.filter((id) => id !== fromId), intoId])];
      await t.collection('settings').doc(ADMINS_DOC_ID).set({ data: { userIds: next, updatedAt: now } });
    }
    const _ = deps.db.command;
    await t.collection('users').doc(intoId).update({
      data: {
        roles,
        member: _.set(into.member ?? from.member ?? null),
        nickname: into.nickname ?? from.nickname ?? null,
        avatarFileId: into.avatarFileId ?? from.avatarFileId ?? null,
        profileEditedAt: into.profileEditedAt ?? from.profileEditedAt ?? null,
        updatedAt: now,
      },
    });
    await t.collection('users').doc(fromId).update({ data: { mergedInto: intoId, updatedAt: now } });
    for (const role of gained) {
      const record: RoleChangeDoc = {
        change: 'grant',
        role,
        targetUserId: intoId,
        targetName: displayName(into),
        actorUserId: admin._id,
        actorName: displayName(admin),
        source: 'admin',
        at: now,
      };
      await t.collection('role_changes').add({ data: record });
    }
  });
  for (const decl of COLLECTIONS) {
    if (!decl.ownerField) continue;
    await deps.db.collection(decl.name).where({ [decl.ownerField]: fromId }).update({ data: { [decl.ownerField]: intoId } });
  }
  const [from, into] = [await findById<UserDoc>(deps.db, 'users', fromId), await loadUser(deps.db, intoId)];
  if (from && into) await finishMerge(deps, from, into);
}

export async function resolveConflict(
  deps: AccountDeps,
  admin: UserDoc,
  id: string,
  decision: 'merge' | 'dismiss',
  note: string | undefined,
): Promise<AccountConflictView> {
  const { db } = deps;
  const doc = await findById<ConflictDoc>(db, 'account_conflicts', id);
  if (!doc) throw new AppFailure('CONFLICT_NOT_FOUND', undefined, 'id');
  if (doc.status === 'open') {
    if (decision === 'merge') {
      await foldAccount(deps, admin, doc.openidUserId, doc.unionidUserId);
      // The openid now leads to the survivor directly; the sign-in shortcut is not needed.
      await db.collection('identities').doc(doc.openidKey).update({ data: { conflictId: db.command.remove() } });
    }
    // Only an open record changes: resolving twice keeps the first resolution.
    await db
      .collection('account_conflicts')
      .where({ _id: id, status: 'open' })
      .update({
        data: { status: 'resolved', resolvedAt: deps.now(), resolvedBy: admin._id, resolution: decision === 'merge' ? 'merged' : 'dismissed', note: note?.trim() || null },
      });
  }
  const current = (await findById<ConflictDoc>(db, 'account_conflicts', id)) ?? doc;
  return (await conflictViews(deps, [current]))[0];
}
