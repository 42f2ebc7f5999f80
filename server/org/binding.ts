/**
 * Binding an account to its roster member. A person binds themselves by a proof the platform
 * gives (the WeChat phone number, the WeCom userid); a member binds to at most one account and
 * an account to at most one member, and only an admin can move a binding.
 */
import type { MemberSummary } from '../../typings';
import type { UserDoc } from '../accounts/model';
import { getInTransaction, runRefusable } from '../db/transactions';
import { AppFailure } from '../core/result';
import { type MemberDoc, wecomKeyOf } from './model';
import { OpenApiError, type PhoneNumberInfo, type WechatOpenApiPort } from '../ports/wechat-openapi.port';
import { memberNotFound } from './members';
import { normalizePhone } from './phone';
import { memberSummary, summaryWrite } from './summaries';
import { newRev } from './tree';
import { type OrgDeps, tree } from './units';

export interface BindOptions {
  /** An admin's binding replaces existing bindings of either side; a person's never does. */
  byAdmin: boolean;
}

export async function bindMember(deps: OrgDeps, memberId: string, userId: string, options: BindOptions): Promise<{ member: MemberDoc; summary: MemberSummary }> {
  const snapshot = await tree(deps);
  const _ = deps.db.command;
  const now = deps.now();
  return runRefusable(deps.db, async (t) => {
    const member = await getInTransaction<MemberDoc>(t, 'members', memberId);
    if (!member) throw memberNotFound();
    if (!member.active) throw new AppFailure('MEMBER_INACTIVE');
    const user = await getInTransaction<UserDoc>(t, 'users', userId);
    if (!user || user.mergedInto) throw new AppFailure('USER_NOT_FOUND');
    const summary = memberSummary(member, snapshot);
    if (member.userId === userId && user.member?.id === memberId) return { member, summary };
    if (member.userId && member.userId !== userId) {
      if (!options.byAdmin) throw new AppFailure('MEMBER_ALREADY_BOUND');
      const previous = await getInTransaction<UserDoc>(t, 'users', member.userId);
      if (previous?.member?.id === memberId) await t.collection('users').doc(member.userId).update({ data: { member: null, updatedAt: now } });
    }
    if (user.member && user.member.id !== memberId) {
      const other = await getInTransaction<MemberDoc>(t, 'members', user.member.id);
      // A person may move on from a deactivated member (a graduate now on the staff roster);
      // leaving an active one needs an admin.
      if (!options.byAdmin && other?.active && other.userId === userId) {
        throw new AppFailure('ACCOUNT_ALREADY_BOUND');
      }
      if (other?.userId === userId) await t.collection('members').doc(other._id).update({ data: { userId: null, rev: newRev(), updatedAt: now } });
    }
    const bound: MemberDoc = { ...member, userId, rev: newRev(), updatedAt: now };
    await t.collection('members').doc(memberId).update({ data: { userId, rev: bound.rev, updatedAt: now } });
    await t.collection('users').doc(userId).update({ data: summaryWrite(summary, _, now, true) });
    return { member: bound, summary };
  });
}

export async function unbindMember(deps: OrgDeps, memberId: string): Promise<MemberDoc> {
  const now = deps.now();
  return runRefusable(deps.db, async (t) => {
    const member = await getInTransaction<MemberDoc>(t, 'members', memberId);
    if (!member) throw memberNotFound();
    if (!member.userId) return member;
    const user = await getInTransaction<UserDoc>(t, 'users', member.userId);
    if (user?.member?.id === memberId) await t.collection('users').doc(member.userId).update({ data: { member: null, updatedAt: now } });
    const unbound: MemberDoc = { ...member, userId: null, rev: newRev(), updatedAt: now };
    await t.collection('members').doc(memberId).update({ data: { userId: null, rev: unbound.rev, updatedAt: now } });
    return unbound;
  });
}

/**
 * The one member a proof leads to: among active members with the key, the one already bound
 * to the caller, else the only unbound one.
 */
function pickCandidate(candidates: MemberDoc[], userId: string): MemberDoc {
  if (candidates.length === 0) throw new AppFailure('ROSTER_NO_MATCH');
  const mine = candidates.find((member) => member.userId === userId);
  if (mine) return mine;
  const free = candidates.filter((member) => !member.userId);
  if (free.length === 0) throw new AppFailure('MEMBER_ALREADY_BOUND');
  if (free.length > 1) throw new AppFailure('ROSTER_AMBIGUOUS');
  return free[0];
}

async function bindByKey(deps: OrgDeps, account: UserDoc, key: { phone: string } | { wecomKey: string }): Promise<MemberSummary> {
  const members = deps.db.collection('members');
  const { data } = await members.where({ ...key, active: true }).limit(20).get();
  if (data.length === 0) {
    // Only on the way to a refusal: a person whose members are all deactivated is told so, not that nobody matches.
    const { data: inactive } = await members.where({ ...key, active: false }).limit(1).field({ _id: true }).get();
    if (inactive.length > 0) throw new AppFailure('MEMBER_INACTIVE');
  }
  const member = pickCandidate(data as MemberDoc[], account._id);
  return (await bindMember(deps, member._id, account._id, { byAdmin: false })).summary;
}

export function bindByPhone(deps: OrgDeps, account: UserDoc, phone: string): Promise<MemberSummary> {
  return bindByKey(deps, account, { phone });
}

/** Codes of `<button open-type="getPhoneNumber">` that are unknown, used or expired (40029), or already exchanged (40163). */
const SPENT_PHONE_CODES = new Set([40029, 40163]);

/**
 * Binds the caller to the active member with the phone WeChat vouches for: the code of
 * `<button open-type="getPhoneNumber">` is exchanged with `phonenumber.getPhoneNumber`, and
 * the number read as the roster stores numbers (E.164).
 */
export async function bindByPhoneCode(deps: OrgDeps & { openapi: WechatOpenApiPort }, account: UserDoc, code: string): Promise<MemberSummary> {
  let info: PhoneNumberInfo;
  try {
    info = await deps.openapi.getPhoneNumber(code);
  } catch (error) {
    if (error instanceof OpenApiError && SPENT_PHONE_CODES.has(error.errCode)) throw new AppFailure('PHONE_CODE_INVALID', undefined, 'code');
    throw error;
  }
  const phone = normalizePhone(`+${info.countryCode}${info.purePhoneNumber}`);
  if (!phone) throw new AppFailure('ROSTER_NO_MATCH');
  return bindByPhone(deps, account, phone);
}

export function bindByWecom(deps: OrgDeps, account: UserDoc): Promise<MemberSummary> {
  if (!account.wecom) throw new AppFailure('WECOM_NOT_LINKED');
  return bindByKey(deps, account, { wecomKey: wecomKeyOf('', account.wecom.userId) });
}

/**
 * Right after a WeCom sign-in: binds the member with that userid when exactly one is free,
 * and otherwise leaves the account unbound (the person can bind by phone or ask an admin).
 */
export async function bindWecomMemberQuietly(deps: OrgDeps, account: UserDoc): Promise<MemberSummary | null> {
  if (!account.wecom || account.member) return account.member ?? null;
  try {
    return await bindByWecom(deps, account);
  } catch (error) {
    // The sign-in itself is done; binding is a bonus that must never fail it.
    if (!(error instanceof AppFailure)) console.error('[org] binding after WeCom sign-in failed:', error);
    return null;
  }
}
