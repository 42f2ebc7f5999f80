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
}

export const COLLECTIONS: readonly CollectionDecl[] = [
  {
    name: 'users',
    indexes: [{ name: 'createdAt', keys: { createdAt: -1 } }],
  },
  {
    // One document per way of recognising a person; `_id` is `<kind>:<key>` (see identityId),
    // so no two users can ever hold the same identity, even when two first logins race.
    name: 'identities',
    indexes: [{ name: 'userId', keys: { userId: 1 } }],
  },
];

export type IdentityKind = 'wx-openid' | 'wx-unionid' | 'wecom-userid';

/** Deterministic id of an identity document: an insert of an existing one fails. */
export function identityId(kind: IdentityKind, key: string): string {
  return `${kind}:${key}`;
}
