/**
 * The one place that declares every collection and the indexes its queries rely on.
 * Deployment creates them in a cloud environment; the local cloud reads the same list and
 * enforces the unique indexes as CloudBase does. Feature issues append their collections.
 */
export type IndexDirection = 1 | -1;

export interface IndexDecl {
  /** Index name, unique within the collection. */
  name: string;
  /** Field paths in order (dot paths allowed) and their direction. Compound indexes match on prefixes. */
  keys: Record<string, IndexDirection>;
  /** A missing field counts as null, so two documents missing it collide. */
  unique?: boolean;
}

export interface CollectionDecl {
  name: string;
  indexes: IndexDecl[];
  /**
   * The field naming the account a document belongs to, for collections holding a person's
   * own data (proposals, bookings, ...). Two accounts are merged only when one of them owns
   * nothing in any such collection; declare it so merges stay safe as features arrive.
   */
  ownerField?: string;
}

export const COLLECTIONS: readonly CollectionDecl[] = [
  {
    name: 'users',
    indexes: [
      { name: 'createdAt', keys: { createdAt: -1 } },
      // roles.list pages through holders of a role by account id.
      { name: 'roles_id', keys: { roles: 1, _id: 1 } },
      { name: 'nickname', keys: { nickname: 1 } },
      { name: 'memberName', keys: { 'member.name': 1 } },
    ],
  },
  {
    // One document per way of recognising a person; `_id` is `<kind>:<key>` (see identityId),
    // so no two users can ever hold the same identity, even when two first logins race.
    name: 'identities',
    indexes: [{ name: 'userId', keys: { userId: 1 } }],
  },
  {
    // Who granted or revoked which role of whom, and when; never updated or removed.
    name: 'role_changes',
    indexes: [
      { name: 'at', keys: { at: -1, _id: -1 } },
      { name: 'target_at', keys: { targetUserId: 1, at: -1 } },
    ],
  },
  {
    // `_id` is `<openid account>~<unionid account>`: one record per pair, however many logins.
    name: 'account_conflicts',
    indexes: [{ name: 'status_at', keys: { status: 1, createdAt: -1 } }],
  },
  {
    // Small singleton documents by well-known `_id` (e.g. `admins`, the current admin set).
    name: 'settings',
    indexes: [],
  },
];

export type IdentityKind = 'wx-openid' | 'wx-unionid' | 'wecom-userid';

/** Deterministic id of an identity document: an insert of an existing one fails. */
export function identityId(kind: IdentityKind, key: string): string {
  return `${kind}:${key}`;
}
