/**
 * How the signed-in person's account is shown: role labels, the name fallback, the roster
 * line. Plain functions so the 我的 page stays a thin holder of view state.
 */
import type { AccountView, GrantableRole, MemberSummary, Role, WecomLink } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  admin: '管理员',
  publisher: '发布者',
  observer: '观察员',
  member: '成员',
};

/** Grantable roles in the order the backend lists them. */
export const GRANTABLE_ROLES: readonly GrantableRole[] = ['admin', 'publisher', 'observer'];

/**
 * Vant tag types: each granted role its own colour, admin in the theme's blue; red stays for
 * what is wrong or destructive (已停用, 删除), never for a role.
 */
const ROLE_TAG_TYPES: Readonly<Record<Role, 'warning' | 'primary' | 'success' | 'default'>> = {
  admin: 'primary',
  publisher: 'success',
  observer: 'warning',
  member: 'default',
};

export const DEFAULT_NICKNAME = '微信用户';

export interface RoleTag {
  role: Role;
  label: string;
  type: string;
}

export function roleLabel(role: Role): string {
  return ROLE_LABELS[role] ?? role;
}

/** Tags for a list of roles; `member` goes last since everyone has it. */
export function roleTags(roles: readonly Role[]): RoleTag[] {
  const order: Role[] = ['admin', 'publisher', 'observer', 'member'];
  return order.filter((role) => roles.includes(role)).map((role) => ({ role, label: roleLabel(role), type: ROLE_TAG_TYPES[role] }));
}

export function isAdmin(account: Pick<AccountView, 'roles'> | null): boolean {
  return !!account && account.roles.includes('admin');
}

/** The name a person picked, or 微信用户 until they pick one. */
export function displayName(account: { nickname: string | null } | null): string {
  const nickname = account?.nickname?.trim();
  return nickname ? nickname : DEFAULT_NICKNAME;
}

/**
 * The name (short enough for the value column), then `学号 2023001 · 软件工程2301班` on the
 * line below, where it has the row's width; 未绑定花名册 without a member.
 */
export function memberLine(member: MemberSummary | null): { title: string; label: string } {
  if (!member) return { title: '未绑定花名册', label: '' };
  const kind = member.kind === 'staff' ? '工号' : '学号';
  const units = member.unitNames.join(' / ');
  // Summaries stored before `active` existed count as active.
  const parts = [...(member.active === false ? ['已停用'] : []), `${kind} ${member.number}`, ...(units ? [units] : [])];
  return { title: member.name, label: parts.join(' · ') };
}

export function wecomLine(wecom: WecomLink | null): string {
  return wecom ? `已关联（${wecom.userId}）` : '';
}

/** Everything the 我的 page shows about the account, derived in one place. */
export interface ProfileView {
  displayName: string;
  /** The input's value: empty until a nickname is set, so the placeholder shows. */
  nickname: string;
  roleTags: RoleTag[];
  isAdmin: boolean;
  memberTitle: string;
  memberLabel: string;
  bound: boolean;
  wecom: string;
  organisationName: string;
}

export function profileView(account: AccountView): ProfileView {
  const member = memberLine(account.member);
  return {
    displayName: displayName(account),
    nickname: account.nickname ?? '',
    roleTags: roleTags(account.roles),
    isAdmin: isAdmin(account),
    memberTitle: member.title,
    memberLabel: member.label,
    bound: account.member !== null,
    wecom: wecomLine(account.wecom),
    organisationName: account.organisation.name,
  };
}

export type NicknameCheck = { ok: true; nickname: string } | { ok: false; message: string };

/**
 * The client-side check before saving, matching the server's rule (trimmed, 1 to FIELD_LIMITS.nickname code points,
 * so an emoji counts once). The server stays the authority: it also runs the content check.
 */
export function checkNickname(raw: string): NicknameCheck {
  const nickname = raw.trim();
  const length = Array.from(nickname).length;
  if (length === 0) return { ok: false, message: '昵称不能为空' };
  if (length > FIELD_LIMITS.nickname) return { ok: false, message: `昵称最多 ${FIELD_LIMITS.nickname} 个字` };
  return { ok: true, nickname };
}
