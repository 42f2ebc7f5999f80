/** Contract of the `login` cloud function: sign-in, profile, roles and account conflicts. */
import type {
  AccountConflictView,
  AccountSummary,
  AccountView,
  GrantableRole,
  LoginResponse,
  Page,
  RoleChangeView,
} from './account';

export interface WhoamiResponse {
  openid: string;
  appid: string;
  /** Present only when the mini-program is bound to a WeChat Open Platform account. */
  unionid: string | null;
}

type Empty = Record<string, never>;

export interface LoginActions {
  whoami: { request: Empty; response: WhoamiResponse };
  /** Finds or creates the caller's account from the WeChat context (OPENID, APPID, UNIONID). */
  login: { request: Empty; response: LoginResponse };
  /** Links the WeCom member behind a `wx.qy.login()` code to the caller's account. */
  wecomLogin: { request: { code: string }; response: LoginResponse };
  'profile.get': { request: Empty; response: AccountView };
  /** Nickname 1-32 characters; the avatar is a file the caller uploaded under `avatars/<account id>/`. */
  'profile.update': { request: { nickname?: string; avatarFileId?: string }; response: AccountView };
  /** Admins only. */
  'roles.grant': { request: { userId: string; role: GrantableRole }; response: AccountSummary };
  /** Admins only; the last admin cannot be revoked. */
  'roles.revoke': { request: { userId: string; role: GrantableRole }; response: AccountSummary };
  /** Admins only: holders of a role (or of any granted role), by account id. */
  'roles.list': { request: { role?: GrantableRole; after?: string }; response: Page<AccountSummary> };
  /** Admins only: role changes, newest first. */
  'roles.history': { request: { userId?: string; after?: string }; response: Page<RoleChangeView> };
  /** Makes the caller the first admin with the one-time bootstrap code, while there is no admin. */
  'roles.bootstrap': { request: { code: string }; response: AccountView };
  /** Whether `roles.bootstrap` can succeed now (a code is configured and there is no admin), so the form is offered only then. */
  'roles.bootstrapOpen': { request: Empty; response: { bootstrapOpen: boolean } };
  /** Admins only: accounts whose nickname or bound member's name starts with the query. */
  'accounts.search': { request: { query: string }; response: { items: AccountSummary[] } };
  /** Admins only: ACCOUNT_CONFLICT records, open ones first. */
  'conflicts.list': { request: { status?: 'open' | 'resolved'; after?: string }; response: Page<AccountConflictView> };
  /**
   * Admins only (`decision`, since `action` names the action itself): `merge` folds the openid's account into the UNIONID's (roles, roster member,
   * profile gaps, owned documents and identities move; ACCOUNT_MERGE_BLOCKED when both are
   * bound to different roster members); `dismiss` keeps both as they are. Either closes it.
   */
  'conflicts.resolve': { request: { id: string; decision: 'merge' | 'dismiss'; note?: string }; response: AccountConflictView };
}
