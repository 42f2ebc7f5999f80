/**
 * Typed calls for the profile, roles and account-conflict actions of the `login` function.
 * Calls that return the caller's own account also refresh the stored session, so every page
 * subscribed with `onAccountChange` shows the change.
 */
import type {
  AccountConflictView,
  AccountSummary,
  AccountView,
  GrantableRole,
  Page,
  Result,
  RoleChangeView,
} from '../../typings';
import { callWithSession, updateCachedAccount } from './session';

export interface ProfileChange {
  nickname?: string;
  avatarFileId?: string;
}

function keepAccount(result: Result<AccountView>): Result<AccountView> {
  if (result.ok) updateCachedAccount(result.data);
  return result;
}

export function getProfile(): Promise<Result<AccountView>> {
  return callWithSession('login', 'profile.get', {}).then(keepAccount);
}

export function updateProfile(change: ProfileChange): Promise<Result<AccountView>> {
  const request: ProfileChange = {};
  if (change.nickname !== undefined) request.nickname = change.nickname;
  if (change.avatarFileId !== undefined) request.avatarFileId = change.avatarFileId;
  return callWithSession('login', 'profile.update', request).then(keepAccount);
}

/**
 * Whether 首位管理员初始化 can work now (a code is configured and no admin exists); false
 * when the backend cannot say, so the form is never offered where it would only fail.
 */
export function bootstrapOpen(): Promise<boolean> {
  return callWithSession('login', 'roles.bootstrapOpen', {}).then((result) => result.ok && result.data.bootstrapOpen === true);
}

/** Makes the caller the first admin with the one-time code. */
export function bootstrapAdmin(code: string): Promise<Result<AccountView>> {
  return callWithSession('login', 'roles.bootstrap', { code }).then(keepAccount);
}

export function grantRole(userId: string, role: GrantableRole): Promise<Result<AccountSummary>> {
  return callWithSession('login', 'roles.grant', { userId, role });
}

export function revokeRole(userId: string, role: GrantableRole): Promise<Result<AccountSummary>> {
  return callWithSession('login', 'roles.revoke', { userId, role });
}

/** Holders of `role`, or of any granted role when `role` is null. */
export function listRoleHolders(role: GrantableRole | null, after: string | null = null): Promise<Result<Page<AccountSummary>>> {
  const request: { role?: GrantableRole; after?: string } = {};
  if (role) request.role = role;
  if (after) request.after = after;
  return callWithSession('login', 'roles.list', request);
}

export function roleHistory(after: string | null = null, userId: string | null = null): Promise<Result<Page<RoleChangeView>>> {
  const request: { userId?: string; after?: string } = {};
  if (userId) request.userId = userId;
  if (after) request.after = after;
  return callWithSession('login', 'roles.history', request);
}

export function searchAccounts(query: string): Promise<Result<{ items: AccountSummary[] }>> {
  return callWithSession('login', 'accounts.search', { query });
}

export function listConflicts(
  after: string | null = null,
  status: 'open' | 'resolved' | null = null,
): Promise<Result<Page<AccountConflictView>>> {
  const request: { status?: 'open' | 'resolved'; after?: string } = {};
  if (status) request.status = status;
  if (after) request.after = after;
  return callWithSession('login', 'conflicts.list', request);
}

export type ConflictAction = 'merge' | 'dismiss';

/** `merge` folds the earlier account into the one the person now signs in to; `dismiss` keeps both. */
export function resolveConflict(id: string, decision: ConflictAction, note: string): Promise<Result<AccountConflictView>> {
  const trimmed = note.trim();
  return callWithSession('login', 'conflicts.resolve', trimmed ? { id, decision, note: trimmed } : { id, decision });
}
