/** Account documents as stored, and the views the contract sends. */
import { createHash } from 'node:crypto';
import type { AccountSummary, AccountView, GrantableRole, MemberSummary, Role, WecomLink } from '../../typings';
import type { IdentityKind } from '../db/collections';

export interface UserDoc {
  _id: string;
  nickname: string | null;
  avatarFileId: string | null;
  /** Granted roles only; `member` is implied for everyone. */
  roles: GrantableRole[];
  member: MemberSummary | null;
  wecom: WecomLink | null;
  /** Set once the person edits their profile: an edited profile is data of their own. */
  profileEditedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Set on an account folded into another by a merge; logins follow it. */
  mergedInto?: string;
  /**
   * The notice inbox: the member and units this account's receipts of 公告 were last completed
   * for (server/notice/inbox.ts); a different value makes the next inbox call complete them.
   */
  noticeSync?: string;
}

export interface IdentityDoc {
  _id: string;
  kind: IdentityKind;
  key: string;
  userId: string;
  createdAt: Date;
  /** Set on an openid whose account conflicts with its UNIONID's: logins go to the UNIONID's. */
  conflictId?: string;
  /** The account this identity belonged to before a merge moved it. */
  mergedFrom?: string;
}

export const GRANTABLE_ROLES: readonly GrantableRole[] = ['admin', 'publisher', 'observer'];

export function rolesOf(user: Pick<UserDoc, 'roles'>): Role[] {
  const granted = new Set(user.roles ?? []);
  return ['member', ...GRANTABLE_ROLES.filter((role) => granted.has(role))];
}

export function accountView(user: UserDoc, organisationName: string): AccountView {
  return {
    id: user._id,
    nickname: user.nickname ?? null,
    avatarFileId: user.avatarFileId ?? null,
    roles: rolesOf(user),
    member: user.member ?? null,
    wecom: user.wecom ?? null,
    organisation: { name: organisationName },
  };
}

export function accountSummary(user: UserDoc): AccountSummary {
  return {
    id: user._id,
    nickname: user.nickname ?? null,
    avatarFileId: user.avatarFileId ?? null,
    memberName: user.member?.name ?? null,
    memberNumber: user.member?.number ?? null,
    roles: rolesOf(user),
  };
}

/** How a person is named in records and lists: the roster name first, then the nickname. */
export function displayName(user: Pick<UserDoc, 'nickname' | 'member'> | null): string {
  return user?.member?.name ?? user?.nickname ?? '微信用户';
}

/**
 * The account id a first login creates, derived from the identity it is created for. Two
 * first logins racing on one identity derive the same id, so they cannot create two accounts.
 */
export function accountIdFor(identityDocId: string): string {
  return `u${createHash('sha256').update(identityDocId).digest('hex').slice(0, 24)}`;
}

export function newUser(id: string, now: Date): UserDoc {
  return {
    _id: id,
    nickname: null,
    avatarFileId: null,
    roles: [],
    member: null,
    wecom: null,
    profileEditedAt: null,
    createdAt: now,
    updatedAt: now,
  };
}
