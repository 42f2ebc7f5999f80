/**
 * The one check every function's actions go through: who the caller is (from the WeChat
 * context only) and whether their roles allow the action. The router applies it.
 */
import type { Role } from '../../typings';
import { AppFailure } from '../core/result';
import type { UserDoc } from './model';
import { type AccountDeps, type WxCaller, accountIdOf, callerKeys, findIdentities, loadUser } from './store';

/** The caller's account, in two database requests; ACCOUNT_NOT_FOUND before their first login. */
export async function loadCallerAccount(deps: Pick<AccountDeps, 'db'>, caller: WxCaller): Promise<UserDoc> {
  const found = await findIdentities(deps.db, callerKeys(caller));
  const userId = accountIdOf(found);
  const user = userId ? await loadUser(deps.db, userId) : null;
  if (!user) throw new AppFailure('ACCOUNT_NOT_FOUND');
  return user;
}

/** Admins may do anything; `member` is everyone's; otherwise one of the roles must be granted. */
export function hasAnyRole(user: Pick<UserDoc, 'roles'>, required: readonly Role[]): boolean {
  if (required.length === 0 || required.includes('member')) return true;
  const granted = user.roles ?? [];
  if (granted.includes('admin')) return true;
  return required.some((role) => role !== 'member' && granted.includes(role));
}
