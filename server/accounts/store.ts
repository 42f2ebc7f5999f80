/** Reading accounts and the identities that lead to them. */
import type { Identity } from '../core/identity';
import { COLLECTIONS, identityId } from '../db/collections';
import { type Db, findById, insertIfAbsent } from '../db/db';
import type { AccountConfig } from './config';
import type { IdentityDoc, UserDoc } from './model';

export interface AccountDeps {
  db: Db;
  now(): Date;
  config: AccountConfig;
}

/** A caller the WeChat context vouches for. */
export type WxCaller = Identity & { openid: string };

export interface CallerKeys {
  /** `wx-openid:<appid>:<openid>`: openids are per mini-program. */
  openid: string;
  unionid: string | null;
}

export function callerKeys(caller: WxCaller): CallerKeys {
  return {
    openid: identityId('wx-openid', `${caller.appid ?? ''}:${caller.openid}`),
    unionid: caller.unionid ? identityId('wx-unionid', caller.unionid) : null,
  };
}

export interface FoundIdentities {
  openid: IdentityDoc | null;
  unionid: IdentityDoc | null;
}

/** One request for both of a caller's identities. */
export async function findIdentities(db: Db, keys: CallerKeys): Promise<FoundIdentities> {
  const ids = keys.unionid ? [keys.openid, keys.unionid] : [keys.openid];
  const _ = db.command;
  const { data } = await db.collection('identities').where({ _id: _.in(ids) }).limit(ids.length).get();
  const docs = data as IdentityDoc[];
  return {
    openid: docs.find((doc) => doc._id === keys.openid) ?? null,
    unionid: keys.unionid ? docs.find((doc) => doc._id === keys.unionid) ?? null : null,
  };
}

/**
 * The account an identity pair leads to. A UNIONID is the stronger claim: when the two
 * disagree (a recorded conflict), the UNIONID's account is the caller's.
 */
export function accountIdOf(found: FoundIdentities): string | null {
  return found.unionid?.userId ?? found.openid?.userId ?? null;
}

/** Merges chain at most this deep (A into B, then B into C, ...). */
const MAX_MERGE_HOPS = 4;

/**
 * An account by id, following merges. Identities still pointing at a merged account (a
 * merge interrupted between marking and moving) are moved on the way, so the detour is paid once.
 */
export async function loadUser(db: Db, id: string): Promise<UserDoc | null> {
  let user = await findById<UserDoc>(db, 'users', id);
  const passed: string[] = [];
  while (user?.mergedInto && passed.length < MAX_MERGE_HOPS) {
    passed.push(user._id);
    user = await findById<UserDoc>(db, 'users', user.mergedInto);
  }
  if (user?.mergedInto) throw new Error(`account ${id} is merged more than ${MAX_MERGE_HOPS} times over`);
  if (user && passed.length > 0) {
    const _ = db.command;
    await db
      .collection('identities')
      .where({ userId: _.in(passed) })
      .update({ data: { userId: user._id } });
  }
  return user;
}

export async function loadUsers(db: Db, ids: string[]): Promise<Map<string, UserDoc>> {
  const unique = [...new Set(ids)];
  const users = new Map<string, UserDoc>();
  if (unique.length === 0) return users;
  const { data } = await db.collection('users').where({ _id: db.command.in(unique) }).limit(unique.length).get();
  for (const user of data as UserDoc[]) users.set(user._id, user);
  return users;
}

/**
 * Records that an identity belongs to an account, unless it already belongs to one.
 * Returns the account that holds it afterwards: ours, or the one that got there first.
 */
export async function claimIdentity(db: Db, identityDocId: string, userId: string, now: Date): Promise<string> {
  const separator = identityDocId.indexOf(':');
  const doc: IdentityDoc = {
    _id: identityDocId,
    kind: identityDocId.slice(0, separator) as IdentityDoc['kind'],
    key: identityDocId.slice(separator + 1),
    userId,
    createdAt: now,
  };
  if (await insertIfAbsent(db, 'identities', { ...doc })) return userId;
  const existing = await findById<IdentityDoc>(db, 'identities', identityDocId);
  if (!existing) throw new Error(`identity ${identityDocId} neither inserted nor found`);
  return existing.userId;
}

/**
 * Whether an account holds anything a merge would lose: a bound member, a granted role, an
 * edited profile, or documents in a collection that declares an owner field.
 */
export async function ownsData(db: Db, user: UserDoc): Promise<boolean> {
  if (user.member || (user.roles ?? []).length > 0 || user.profileEditedAt) return true;
  for (const decl of COLLECTIONS) {
    if (!decl.ownerField) continue;
    const { total } = await db.collection(decl.name).where({ [decl.ownerField]: user._id }).count();
    if (total > 0) return true;
  }
  return false;
}

/**
 * Folds an account that owns nothing into another. `from` is marked first, by an update
 * that matches only while it still owns nothing: a profile edit or role grant landing after
 * the ownership check makes the mark miss, and nothing is merged (null). Once marked, every
 * reader follows `mergedInto`, so the identities can move after it without a window where
 * writes reach `from`; a crash in between is finished by the next reader (`loadUser`).
 */
export async function mergeEmptyAccount(deps: AccountDeps, from: UserDoc, into: UserDoc): Promise<UserDoc | null> {
  const { db } = deps;
  const _ = db.command;
  const { stats } = await db
    .collection('users')
    .where({ _id: from._id, mergedInto: _.exists(false), member: null, profileEditedAt: null, roles: _.size(0) })
    .update({ data: { mergedInto: into._id, updatedAt: deps.now() } });
  if (stats.updated !== 1) {
    const current = await findById<UserDoc>(db, 'users', from._id);
    // A concurrent login may have made the same merge: finish it rather than refuse.
    if (current?.mergedInto !== into._id) return null;
  }
  return finishMerge(deps, from, into);
}

/** Moves what a marked account still holds (its identities, a WeCom link) to its survivor. */
export async function finishMerge(deps: AccountDeps, from: Pick<UserDoc, '_id' | 'wecom'>, into: UserDoc): Promise<UserDoc> {
  const { db } = deps;
  let result = into;
  if (!into.wecom && from.wecom) {
    const now = deps.now();
    await db.collection('users').doc(into._id).update({ data: { wecom: db.command.set(from.wecom), updatedAt: now } });
    result = { ...into, wecom: from.wecom, updatedAt: now };
  }
  await db
    .collection('identities')
    .where({ userId: from._id })
    .update({ data: { userId: into._id, mergedFrom: from._id } });
  return result;
}
