/** Granting and revoking roles, recorded; the admin set never becomes empty. */
import type { GrantableRole, RoleChangeSource } from '../../typings';
import { AppFailure } from '../core/result';
import { findById } from '../db/db';
import { getInTransaction, runRefusable } from '../db/transactions';
import { isBootstrapCode } from './config';
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

/** Applies one role change atomically with its record; a change that is already true is a no-op. */
export async function changeRole(deps: AccountDeps, request: RoleChange): Promise<UserDoc> {
  const now = deps.now();
  return runRefusable(deps.db, async (t) => {
    if (request.source === 'admin') {
      // The guard checked the actor before the transaction; a concurrent revoke may have
      // taken their admin role since, so check again where it cannot change underneath.
      const actor = request.actor ? await getInTransaction<UserDoc>(t, 'users', request.actor._id) : null;
      if (!actor?.roles?.includes('admin')) throw new AppFailure('FORBIDDEN');
    }
    const target = await getInTransaction<UserDoc>(t, 'users', request.targetId);
    if (!target || target.mergedInto) throw new AppFailure('USER_NOT_FOUND', undefined, 'userId');
    const roles = target.roles ?? [];
    const holds = roles.includes(request.role);
    if (holds === (request.change === 'grant')) return target;

    if (request.role === 'admin') {
      const admins = (await getInTransaction<AdminsDoc>(t, 'settings', ADMINS_DOC_ID))?.userIds ?? [];
      const next = request.change === 'grant' ? [...new Set([...admins, target._id])] : admins.filter((id) => id !== target._id);
      if (next.length === 0) throw new AppFailure('LAST_ADMIN');
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

/** Makes the caller the first admin, once, while no admin exists, given the configured bootstrap code. */
export async function bootstrapAdmin(deps: AccountDeps, caller: UserDoc, code: string): Promise<UserDoc> {
  if (!isBootstrapCode(deps.config, code)) throw new AppFailure('BOOTSTRAP_CODE_INVALID', undefined, 'code');
  const now = deps.now();
  return runRefusable(deps.db, async (t) => {
    const admins = (await getInTransaction<AdminsDoc>(t, 'settings', ADMINS_DOC_ID))?.userIds ?? [];
    if (admins.length > 0) throw new AppFailure('BOOTSTRAP_CLOSED');
    const target = await getInTransaction<UserDoc>(t, 'users', caller._id);
    if (!target) throw new AppFailure('ACCOUNT_NOT_FOUND');
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

/**
 * Whether 首位管理员初始化 can succeed now: a bootstrap code is configured and no admin exists.
 * One read of `settings/admins`, so the mini-program offers the form only while it can work.
 */
export async function isBootstrapOpen(deps: AccountDeps): Promise<boolean> {
  if (deps.config.bootstrapCode === null) return false;
  const admins = await findById<AdminsDoc>(deps.db, 'settings', ADMINS_DOC_ID);
  return (admins?.userIds ?? []).length === 0;
}
