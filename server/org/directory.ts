/**
 * What a person may see of the roster. Members see their own units and the units below
 * them; observers see the units they observe and below; admins, publishers and holders of
 * the observer role see everyone. Phone numbers are shown to admins, publishers, observers
 * and the observers of one of the member's units, and to the member themself.
 */
import type { MemberCard, MemberDetail, MyDirectory, UnitView } from '../../typings';
import { hasAnyRole } from '../accounts/guard';
import type { UserDoc } from '../accounts/model';
import { AppFailure } from '../core/result';
import { type MemberDoc, memberCard, type UnitDoc, unitRef, unitView } from './model';
import { findMember, memberNotFound, pageMembers } from './members';
import type { UnitTree } from './tree';
import { type OrgDeps, tree } from './units';

export interface Viewer {
  account: UserDoc;
  /** The caller's own roster member, when bound and active. */
  member: MemberDoc | null;
  admin: boolean;
  /** Sees the whole directory and phone numbers. */
  privileged: boolean;
}

/** What decides visibility; an admin acting on the roster has no member of their own in play. */
export type Visibility = Pick<Viewer, 'member' | 'admin' | 'privileged'>;

export async function loadViewer(deps: OrgDeps, account: UserDoc): Promise<Viewer> {
  const own = account.member ? await findMember(deps, account.member.id) : null;
  return {
    account,
    // A binding is both sides agreeing; a deactivated member sees no directory.
    member: own && own.userId === account._id && own.active ? own : null,
    admin: account.roles.includes('admin'),
    privileged: hasAnyRole(account, ['publisher', 'observer']),
  };
}

/**
 * Refuses a unit the account may not browse. Publishers and observers pick audiences
 * anywhere; others browse their own and observed units and those below. A missing unit is
 * left to the action (UNIT_NOT_FOUND), so this answers nothing about units that do not exist.
 */
export async function assertBrowsable(deps: OrgDeps, account: UserDoc, unitId: string): Promise<void> {
  if (hasAnyRole(account, ['publisher', 'observer'])) return;
  const snapshot = await tree(deps);
  if (snapshot.get(unitId) && !canBrowseUnit(await loadViewer(deps, account), unitId, snapshot)) throw notBrowsable();
}

function notBrowsable(): AppFailure {
  return new AppFailure('FORBIDDEN');
}

export function canBrowseUnit(viewer: Visibility, unitId: string, snapshot: UnitTree): boolean {
  if (viewer.privileged) return true;
  const own = viewer.member;
  if (!own) return false;
  return snapshot.lineage(unitId).some((unit) => own.unitIds.includes(unit._id) || own.observes.includes(unit._id));
}

function observesAny(viewer: Visibility, target: MemberDoc, snapshot: UnitTree): boolean {
  const own = viewer.member;
  if (!own || own.observes.length === 0) return false;
  return target.unitIds.some((unitId) => snapshot.lineage(unitId).some((unit) => own.observes.includes(unit._id)));
}

export function canSeePhone(viewer: Visibility, target: MemberDoc, snapshot: UnitTree): boolean {
  return viewer.privileged || viewer.member?._id === target._id || observesAny(viewer, target, snapshot);
}

export function canSeeMember(viewer: Visibility, target: MemberDoc, snapshot: UnitTree): boolean {
  if (viewer.admin) return true;
  if (!target.active) return false;
  if (viewer.member?._id === target._id) return true;
  return target.unitIds.some((unitId) => canBrowseUnit(viewer, unitId, snapshot));
}

export function memberDetail(target: MemberDoc, snapshot: UnitTree, viewer: Visibility): MemberDetail {
  const refs = (ids: readonly string[]) =>
    ids.map((id) => snapshot.get(id)).filter((unit): unit is UnitDoc => Boolean(unit)).map((unit) => unitRef(unit, snapshot.pathNames(unit._id)));
  const phoneVisible = canSeePhone(viewer, target, snapshot);
  return {
    ...memberCard(target),
    units: refs(target.unitIds),
    phone: phoneVisible ? target.phone : null,
    phoneVisible,
    wecomUserId: viewer.admin ? target.wecomUserId : null,
    observes: refs(target.observes ?? []),
    userId: viewer.admin ? target.userId : null,
    rev: target.rev,
  };
}

/** An admin's view of a member just written: everything, phone and binding included. */
export async function adminMemberDetail(deps: OrgDeps, member: MemberDoc): Promise<MemberDetail> {
  return memberDetail(member, await tree(deps), { member: null, admin: true, privileged: true });
}

export async function myDirectory(deps: OrgDeps, viewer: Viewer): Promise<MyDirectory> {
  const own = viewer.member;
  if (!own) return { member: null, units: [], observed: [] };
  const snapshot = await tree(deps);
  const ids = [...new Set([...own.unitIds, ...own.observes])];
  const _ = deps.db.command;
  // Fresh documents for the counters; the snapshot gives the paths.
  const { data } = await deps.db.collection('units').where({ _id: _.in(ids) }).limit(ids.length).get();
  const byId = new Map((data as UnitDoc[]).map((unit) => [unit._id, unit]));
  const views = (list: readonly string[]): UnitView[] =>
    list.map((id) => byId.get(id)).filter((unit): unit is UnitDoc => Boolean(unit)).map((unit) => unitView(unit, snapshot.pathNames(unit._id)));
  return { member: memberCard(own), units: views(own.unitIds), observed: views(own.observes) };
}

export async function unitMembers(deps: OrgDeps, viewer: Viewer, unitId: string, query: string | undefined, after: string | undefined): Promise<{ items: MemberCard[]; next: string | null }> {
  const snapshot = await tree(deps);
  if (!snapshot.get(unitId)) throw new AppFailure('UNIT_NOT_FOUND');
  if (!canBrowseUnit(viewer, unitId, snapshot)) throw notBrowsable();
  const page = await pageMembers(deps, { unitIds: unitId, active: true }, query, after);
  return { items: page.items.map(memberCard), next: page.next };
}

export async function memberForViewer(deps: OrgDeps, viewer: Viewer, memberId: string): Promise<MemberDetail> {
  const [snapshot, target] = await Promise.all([tree(deps), findMember(deps, memberId)]);
  // Someone the caller may not see is reported as missing, so ids cannot be probed.
  if (!target || !canSeeMember(viewer, target, snapshot)) throw memberNotFound();
  return memberDetail(target, snapshot, viewer);
}
