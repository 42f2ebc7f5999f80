/** Granting and revoking roles, recorded; the admin set never becomes empty. */
import type { GrantableRole, RoleChangeSource } from '../../typings';
import { AppFailure } from '../core/result';
import type { Db, Transaction } from '../db/db';
import { displayName, type UserDoc } from './model';
import type { AccountDeps } from './store';

/** `settings/admins` lists every admin; each admin change writes it in the same transaction. */
export const ADMINS_DOC_ID = 'admins';

export interface AdminsDoc {
  _id: string;
  userIds: string[];
  updatedAt: Date;
}

export interface RoleChangeDoc {
  _id?: string;
  change: 'grant' | 'revoke';
  role: GrantableRole;
  targetUserId: string;
  targetName: string;
  actorUserId: string | null;
  actorName: string | null;
  source: RoleChangeSource;
  at: Date;
}

export interface RoleChange {
  targetId: string;
  role: GrantableRole;
  change: 'grant' | 'revoke';
  actor: UserDoc | null;
  source: RoleChangeSource;
}

export async function getInTransaction<T>(t: Transaction, collection: string, id: string): Promise<T | null> {
  try {
    const { data } = await t.collection(collection).doc(id).get();
    return (data as T | null) ?? null;
  } catch (error) {
    // CloudBase answers a missing document inside a transaction with an error, not null.
    if (/not exist|does not exist|cannot find/i.test(String((error as { message?: unknown; errMsg?: unknown })?.message ?? (error as { errMsg?: unknown })?.errMsg ?? ''))) return null;
    throw error;
  }
}

const TRANSACTION_ATTEMPTS = 4;

/**
 * A write conflict with a concurrent transaction. `runTransaction` retries only errors whose
 * `code` says so, but wx-server-sdk rewraps errors thrown by reads and writes inside the body
 * (keeping the text), so conflicts reported there are recognised by their message too.
 */
export function isTransactionConflict(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; errMsg?: unknown } | null;
  const text = `${String(e?.code ?? '')} ${String(e?.message ?? '')} ${String(e?.errMsg ?? '')}`;
  return /TRANSACTION_CONFLICT|TransactionConflict|WriteConflict/i.test(text);
}

/**
 * Runs a transaction whose body may refuse with an AppFailure, retrying on conflicts. The
 * SDK rolls back on any throw but may rewrap what it rethrows, so the refusal is carried
 * out beside it.
 */
export async function runRefusable<T>(db: Db, body: (t: Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    let refusal: AppFailure | null = null;
    try {
      return await db.runTransaction(async (t) => {
        try {
          return await body(t);
        } catch (error) {
          if (error instanceof AppFailure) refusal = error;
          throw error;
        }
      });
    } catch (error) {
      if (refusal) throw refusal;
      if (attempt >= TRANSACTION_ATTEMPTS || !isTransactionConflict(error)) throw error;
    }
  }
}

/** Applies one role change atomically with its record; a change that is already true is a no-op. */
export async function changeRole(deps: AccountDeps, request: RoleChange): Promise<UserDoc> {
  const now = deps.now();
  return runRefusable(deps.db, async (t) => {
    if (request.source === 'admin') {
      // The guard checked the actor before the transaction; a concurrent revoke may have
      // taken their admin role since, so check again where it cannot change underneath.
      const actor = request.actor ? await getInTransaction<UserDoc>(t, 'users', request.actor._id) : null;
      if (!actor?.roles?.includes('admin')) throw new AppFailure('FORBIDDEN', '没有权限执行此操作');
    }
    const target = await getInTransaction<UserDoc>(t, 'users', request.targetId);
    if (!target || target.mergedInto) throw new AppFailure('USER_NOT_FOUND', '用户不存在', 'userId');
    const roles = target.roles ?? [];
    const holds = roles.includes(request.role);
    if (holds === (request.change === 'grant')) return target;

    if (request.role === 'admin') {
      const admins = (await getInTransaction<AdminsDoc>(t, 'settings', ADMINS_DOC_ID))?.userIds ?? [];
      const next = request.change === 'grant' ? [...new Set([...admins, target._id])] : admins.filter((id) => id !== target._id);
      if (next.length === 0) throw new AppFailure('LAST_ADMIN', '至少需要保留一位管理员');
      await t.collection('settings').doc(ADMINS_DOC_ID).set({ data: { userIds: next, updatedAt: now } });
    }

    const nextRoles = request.change === 'grant' ? [...roles, request.role] : roles.filter((role) => role !== request.role);
    await t.collection('users').doc(target._id).update({ data: { roles: nextRoles, updatedAt: now } });
    const record: RoleChangeDoc = {
      change: request.change,
      role: request.role,
      targetUserId: target._id,
      targetName: displayName(target),
      actorUserId: request.actor?._id ?? null,
      actorName: request.actor ? displayName(request.actor) : null,
      source: request.source,
      at: now,
    };
    await t.collection('role_changes').add({ data: record });
    return { ...target, roles: nextRoles, updatedAt: now };
  });
}

/** Makes the caller the first admin, once, while no admin exists. */
export async function bootstrapAdmin(deps: AccountDeps, caller: UserDoc): Promise<UserDoc> {
  const now = deps.now();
  return runRefusable(deps.db, async (t) => {
    const admins = (await getInTransaction<AdminsDoc>(t, 'settings', ADMINS_DOC_ID))?.userIds ?? [];
    if (admins.length > 0) throw new AppFailure('BOOTSTRAP_CLOSED', '已有管理员，请联系管理员授予权限');
    const target = await getInTransaction<UserDoc>(t, 'users', caller._id);
    if (!target) throw new AppFailure('ACCOUNT_NOT_FOUND', '请先登录');
    const roles = [...(target.roles ?? []).filter((role) => role !== 'admin'), 'admin' as const];
    await t.collection('settings').doc(ADMINS_DOC_ID).set({ data: { userIds: [target._id], updatedAt: now } });
    await t.collection('users').doc(target._id).update({ data: { roles, updatedAt: now } });
    const record: RoleChangeDoc = {
      change: 'grant',
      role: 'admin',
      targetUserId: target._id,
      targetName: displayName(target),
      actorUserId: target._id,
      actorName: displayName(target),
      source: 'bootstrap',
      at: now,
    };
    await t.collection('role_changes').add({ data: record });
    return { ...target, roles, updatedAt: now };
  });
}
