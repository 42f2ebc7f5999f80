/**
 * Sign-in: one person, one account, whichever mini-program or client they come from.
 * Identities are documents with deterministic ids, so claiming one is an atomic insert and
 * racing first logins settle on a single account without a transaction.
 */
import { findById, insertIfAbsent } from '../db/db';
import { accountIdFor, newUser, type UserDoc } from './model';
import { changeRole } from './roles';
import {
  type AccountDeps,
  type CallerKeys,
  type FoundIdentities,
  type WxCaller,
  callerKeys,
  claimIdentity,
  findIdentities,
  loadUser,
  finishMerge,
  loadUsers,
  mergeEmptyAccount,
  ownsData,
} from './store';

export interface SignInResult {
  user: UserDoc;
  created: boolean;
}

/** Each round either settles or has learnt that another login changed the identities. */
const MAX_ROUNDS = 4;

export async function signIn(deps: AccountDeps, caller: WxCaller): Promise<SignInResult> {
  const keys = callerKeys(caller);
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const found = await findIdentities(deps.db, keys);
    const settled = await settle(deps, caller, keys, found);
    if (settled) return applyConfiguredAdmin(deps, caller, settled);
  }
  throw new Error('sign-in did not settle: identities kept changing');
}

async function settle(deps: AccountDeps, caller: WxCaller, keys: CallerKeys, found: FoundIdentities): Promise<SignInResult | null> {
  const { db } = deps;
  const now = deps.now();

  if (!found.openid && !found.unionid) {
    // The UNIONID, when there is one, names the account: first logins from two mini-programs
    // of one Open Platform account derive the same id and meet on it.
    const userId = accountIdFor(keys.unionid ?? keys.openid);
    const fresh = newUser(userId, now);
    const created = await insertIfAbsent(db, 'users', { ...fresh });
    for (const key of [keys.unionid, keys.openid]) {
      if (key && (await claimIdentity(db, key, userId, now)) !== userId) {
        // Another login claimed the identity for another account first. The account made
        // here holds nothing; remove it unless some identity already leads to it.
        if (created) await removeIfUnclaimed(deps, userId);
        return null;
      }
    }
    const user = created ? fresh : await loadUser(db, userId);
    return user ? { user, created } : null;
  }

  if (found.unionid && !found.openid) {
    // The same person in another mini-program of the Open Platform account: record this openid.
    if ((await claimIdentity(db, keys.openid, found.unionid.userId, now)) !== found.unionid.userId) return null;
    return existing(deps, found.unionid.userId);
  }

  if (found.openid && keys.unionid && !found.unionid) {
    // The UNIONID appears for the first time (the Open Platform binding came later): attach it.
    if ((await claimIdentity(db, keys.unionid, found.openid.userId, now)) !== found.openid.userId) return null;
    return existing(deps, found.openid.userId);
  }

  if (found.openid && found.unionid && found.openid.userId !== found.unionid.userId) {
    if (found.openid.conflictId) return existing(deps, found.unionid.userId);
    return reconcile(deps, caller, keys, found.openid.userId, found.unionid.userId);
  }

  return existing(deps, (found.unionid ?? found.openid)!.userId);
}

async function removeIfUnclaimed(deps: AccountDeps, userId: string): Promise<void> {
  const { total } = await deps.db.collection('identities').where({ userId }).count();
  if (total === 0) await deps.db.collection('users').where({ _id: userId, profileEditedAt: null }).remove();
}

async function existing(deps: AccountDeps, userId: string): Promise<SignInResult | null> {
  const user = await loadUser(deps.db, userId);
  if (user) return { user, created: false };
  // An identity whose account document is gone (removed by hand): give it a fresh one.
  const fresh = newUser(userId, deps.now());
  await insertIfAbsent(deps.db, 'users', { ...fresh });
  return { user: (await loadUser(deps.db, userId)) ?? fresh, created: true };
}

/**
 * The openid and the UNIONID lead to two accounts. Merge when one owns nothing; otherwise
 * keep both, sign in to the UNIONID's account and record the conflict for an admin.
 */
async function reconcile(
  deps: AccountDeps,
  caller: WxCaller,
  keys: CallerKeys,
  openidUserId: string,
  unionidUserId: string,
): Promise<SignInResult | null> {
  const { db } = deps;
  const users = await loadUsers(db, [openidUserId, unionidUserId]);
  const openidUser = users.get(openidUserId);
  const unionidUser = users.get(unionidUserId);
  if (!unionidUser) return existing(deps, openidUserId);
  if (!openidUser) return existing(deps, unionidUserId);
  if (openidUser.mergedInto || unionidUser.mergedInto) {
    // A merge is half done (or just finished elsewhere): finish pointing identities at the survivor.
    const from = openidUser.mergedInto ? openidUser : unionidUser;
    const into = await loadUser(db, from.mergedInto!);
    if (!into) throw new Error(`account ${from._id} merged into a missing account`);
    return { user: await finishMerge(deps, from, into), created: false };
  }

  // A merge refused because the account gained data meanwhile: look again next round.
  if (!(await ownsData(db, openidUser))) {
    const merged = await mergeEmptyAccount(deps, openidUser, unionidUser);
    return merged ? { user: merged, created: false } : null;
  }
  if (!(await ownsData(db, unionidUser))) {
    const merged = await mergeEmptyAccount(deps, unionidUser, openidUser);
    return merged ? { user: merged, created: false } : null;
  }

  const conflictId = `${openidUser._id}~${unionidUser._id}`;
  const now = deps.now();
  await insertIfAbsent(db, 'account_conflicts', {
    _id: conflictId,
    status: 'open',
    appid: caller.appid ?? '',
    openidKey: keys.openid,
    unionidKey: keys.unionid,
    openidUserId: openidUser._id,
    unionidUserId: unionidUser._id,
    createdAt: now,
    resolvedAt: null,
    resolvedBy: null,
    note: null,
  });
  await db.collection('identities').doc(keys.openid).update({ data: { conflictId } });
  console.warn(`[accounts] ACCOUNT_CONFLICT ${conflictId}: both accounts own data; signed in to the UNIONID's account`);
  return { user: unionidUser, created: false };
}

/**
 * Openids listed in the configuration become admin at their login, recorded as such, once:
 * the grant is remembered by a deterministic settings document, so an admin who later
 * revokes the role is not overruled at the next login.
 */
async function applyConfiguredAdmin(deps: AccountDeps, caller: WxCaller, result: SignInResult): Promise<SignInResult> {
  if (!deps.config.adminOpenids.has(caller.openid) || result.user.roles.includes('admin')) return result;
  const marker = `config-admin:${caller.openid}`;
  if (await findById(deps.db, 'settings', marker)) return result;
  const user = await changeRole(deps, { targetId: result.user._id, role: 'admin', change: 'grant', actor: null, source: 'config' });
  // Written after the grant: a crash in between grants once more, never not at all.
  await insertIfAbsent(deps.db, 'settings', { _id: marker, userId: user._id, at: deps.now() });
  return { ...result, user };
}
