/**
 * Sign-in inside WeCom: the member behind a `wx.qy.login()` code is linked to the caller's
 * account as a `wecom-userid` identity, under the same one-person-one-account rules.
 */
import { AppFailure } from '../core/result';
import { identityId } from '../db/collections';
import { WecomApiError, WecomErrcode, type WecomPort } from '../ports/wecom.port';
import type { UserDoc } from './model';
import { signIn, type SignInResult } from './sign-in';
import { type AccountDeps, type WxCaller, claimIdentity, loadUser, mergeEmptyAccount, ownsData } from './store';

export interface WecomLinkDeps extends AccountDeps {
  /** Null when the deployment has no WeCom app configured. */
  wecom: { client: WecomPort; corpId: string } | null;
}

async function exchange(client: WecomPort, code: string): Promise<{ corpId: string; userId: string }> {
  try {
    return await client.code2Session(code);
  } catch (error) {
    if (error instanceof WecomApiError && error.errcode === WecomErrcode.INVALID_CODE) {
      throw new AppFailure('WECOM_CODE_INVALID', undefined, 'code');
    }
    if (error instanceof WecomApiError) {
      console.warn(`[accounts] ${error.message}`);
      throw new AppFailure('WECOM_UNAVAILABLE');
    }
    throw error;
  }
}

export async function wecomSignIn(deps: WecomLinkDeps, caller: WxCaller, code: string): Promise<SignInResult> {
  if (!deps.wecom) throw new AppFailure('WECOM_NOT_CONFIGURED');
  const session = await exchange(deps.wecom.client, code);
  if (session.corpId !== deps.wecom.corpId) {
    throw new AppFailure('WECOM_CORP_MISMATCH', undefined, 'code');
  }
  const signedIn = await signIn(deps, caller);
  const linked = signedIn.user.wecom;
  if (linked && linked.corpId === session.corpId && linked.userId !== session.userId) {
    // Replacing the link would leave the other member's identity here: an admin decides.
    throw new AppFailure('WECOM_ALREADY_LINKED');
  }
  const key = identityId('wecom-userid', `${session.corpId}:${session.userId}`);
  const holderId = await claimIdentity(deps.db, key, signedIn.user._id, deps.now());
  let user = signedIn.user;
  if (holderId !== user._id) user = await settleWecomHolder(deps, user, holderId);
  const link = { corpId: session.corpId, userId: session.userId };
  if (user.wecom?.corpId !== link.corpId || user.wecom?.userId !== link.userId) {
    const now = deps.now();
    // `_.set` replaces the field whole: a plain object would be merged key by key, which
    // fails on a field that is still null.
    await deps.db.collection('users').doc(user._id).update({ data: { wecom: deps.db.command.set(link), updatedAt: now } });
    user = { ...user, wecom: link, updatedAt: now };
  }
  return { user, created: signedIn.created };
}

/** The WeCom member already has an account: merge when one side owns nothing, else refuse. */
async function settleWecomHolder(deps: WecomLinkDeps, caller: UserDoc, holderId: string): Promise<UserDoc> {
  const holder = await loadUser(deps.db, holderId);
  if (!holder || holder._id === caller._id) return holder ?? caller;
  if (!(await ownsData(deps.db, caller))) {
    const merged = await mergeEmptyAccount(deps, caller, holder);
    if (merged) return merged;
  } else if (!(await ownsData(deps.db, holder))) {
    const merged = await mergeEmptyAccount(deps, holder, caller);
    if (merged) return merged;
  }
  throw new AppFailure('WECOM_ALREADY_LINKED');
}
