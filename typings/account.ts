/** Accounts: who a person is in Xintong, their profile and their roles. */

/** `member` is everyone's; the others are granted by admins (or by configuration). */
export type Role = 'admin' | 'publisher' | 'observer' | 'member';
export type GrantableRole = Exclude<Role, 'member'>;

/** The roster member an account is bound to (the organisation issue fills it in). */
export interface MemberSummary {
  id: string;
  name: string;
  /** Student or staff number. */
  number: string;
  kind: 'student' | 'staff';
  /** Names of the member's units, e.g. ['计算机学院', '软件工程 2301 班']. */
  unitNames: string[];
  /** False once an admin deactivates the member; the binding stays for a restore. */
  active: boolean;
  /** Ids of the member's units (absent in summaries written before notices existed). */
  unitIds?: string[];
  /** The units and all their ancestors, the organisation excluded: what 公告 audiences match. */
  unitKeys?: string[];
  /** Units the member observes (a class counsellor sees their figures). */
  observes?: string[];
  /** The observed units and all their ancestors: whether a notice reached into them needs no tree. */
  observeKeys?: string[];
  /** Whether the roster has a phone for the member (the number itself stays on the roster). */
  hasPhone?: boolean;
}

export interface WecomLink {
  corpId: string;
  userId: string;
}

/** The signed-in person as the mini-program sees them. */
export interface AccountView {
  id: string;
  /** Null until the person sets one; the mini-program shows 微信用户. */
  nickname: string | null;
  /** A cloud storage file id (`cloud://...`), never a URL. */
  avatarFileId: string | null;
  /** Always contains `member`; granted roles follow in a fixed order. */
  roles: Role[];
  member: MemberSummary | null;
  wecom: WecomLink | null;
  organisation: { name: string };
}

export interface LoginResponse {
  account: AccountView;
  /** True when this call created the account. */
  created: boolean;
}

/** Another person as an admin sees them in lists. */
export interface AccountSummary {
  id: string;
  nickname: string | null;
  avatarFileId: string | null;
  memberName: string | null;
  /** The bound roster member's 学号/工号, so two people of one name can be told apart. */
  memberNumber?: string | null;
  /** `accounts.search` only: the bound member's units as paths, e.g. `计算机学院/软件2301班；学生会`. */
  unitPath?: string | null;
  roles: Role[];
}

export interface Page<T> {
  items: T[];
  /** Pass back as `after` for the next page; null on the last page. */
  next: string | null;
}

export type RoleChangeSource = 'admin' | 'config' | 'bootstrap';

export interface RoleChangeView {
  id: string;
  change: 'grant' | 'revoke';
  role: GrantableRole;
  target: { id: string; name: string };
  /** Null when the change came from configuration. */
  actor: { id: string; name: string } | null;
  source: RoleChangeSource;
  /** Business time (Asia/Shanghai), `YYYY-MM-DD HH:mm`. */
  at: string;
}

/**
 * A UNIONID that arrived on an openid already bound to another account with data of its
 * own. The login went to the UNIONID's account; an admin decides what to do with the other.
 */
export interface AccountConflictView {
  id: string;
  code: 'ACCOUNT_CONFLICT';
  status: 'open' | 'resolved';
  appid: string;
  /** The account the openid belonged to. */
  openidAccount: AccountSummary;
  /** The account holding the UNIONID, where the login now goes. */
  unionidAccount: AccountSummary;
  at: string;
  resolvedAt: string | null;
  /** How an admin closed it: the accounts merged, or kept apart. */
  resolution: 'merged' | 'dismissed' | null;
  note: string | null;
}
