/**
 * Who may see a notice's figures: its author and admins, holders of the observer role, and
 * the observers of units it reached (those see their units only).
 */
import type { UserDoc } from '../accounts/model';
import { findById } from '../db/db';
import type { MemberDoc } from '../org/model';
import { AppFailure } from '../core/result';
import { ROOT_UNIT_ID } from '../org/model';
import type { UnitTree } from '../org/tree';
import { tree } from '../org/units';
import { canManage, type NoticeDeps } from './compose';
import { RECEIPTS, type NoticeDoc } from './model';

/** Everything, or only these units (with their sub-units). */
export type StatsScope = { all: true } | { all: false; unitIds: string[] };

export function overseesAll(account: Pick<UserDoc, 'roles'>): boolean {
  const roles = account.roles ?? [];
  return roles.includes('admin') || roles.includes('observer');
}

/** Units the caller observes as a roster member (a class counsellor), from the member document. */
export async function observedUnits(deps: NoticeDeps, account: UserDoc): Promise<string[]> {
  if (!account.member?.active) return [];
  // Summaries carry them since notices exist; older ones cost a read of the member.
  if (account.member.observes) return account.member.observes;
  const member = await findById<MemberDoc>(deps.db, 'members', account.member.id);
  return member?.active ? member.observes ?? [] : [];
}

/** Observed units with those inside another observed unit left out: the tops of what the caller sees. */
export function topUnits(unitIds: readonly string[], snapshot: UnitTree): string[] {
  const known = unitIds.filter((id) => snapshot.get(id));
  return known.filter((id) => !known.some((other) => other !== id && snapshot.isWithin(id, other)));
}

/** Whether a notice's audience reaches into any of `unitIds` (or is reached from above). */
async function reachesInto(deps: NoticeDeps, doc: NoticeDoc, unitIds: readonly string[], snapshot: UnitTree): Promise<boolean> {
  if (unitIds.length === 0) return false;
  if (doc.audience.all) return true;
  for (const chosen of doc.audience.unitIds) {
    for (const observed of unitIds) if (snapshot.isWithin(observed, chosen) || snapshot.isWithin(chosen, observed)) return true;
  }
  if (doc.audience.memberIds.length === 0) return false;
  const _ = deps.db.command;
  const { data } = await deps.db.collection(RECEIPTS).where({ noticeId: doc._id, unitKeys: _.in([...unitIds]) }).limit(1).field({ _id: true }).get();
  return data.length > 0;
}

/** The caller's view of a notice's figures, or null when they may not see them. */
export async function statsScope(deps: NoticeDeps, account: UserDoc, doc: NoticeDoc, snapshot?: UnitTree): Promise<StatsScope | null> {
  if (canManage(account, doc) || overseesAll(account)) return { all: true };
  const observed = await observedUnits(deps, account);
  if (observed.length === 0) return null;
  const current = snapshot ?? (await tree(deps));
  const tops = topUnits(observed, current);
  return (await reachesInto(deps, doc, tops, current)) ? { all: false, unitIds: tops } : null;
}

export async function canSeeStats(deps: NoticeDeps, account: UserDoc, doc: NoticeDoc): Promise<boolean> {
  if (canManage(account, doc) || overseesAll(account)) return true;
  const member = account.member;
  if (!member?.active || member.observes?.length === 0) return false;
  // Keys on both sides answer it without the tree: an observed unit inside a chosen one has the
  // chosen one among its ancestors (observeKeys), a chosen unit inside an observed one has the
  // observed one among its own (reachKeys).
  if (member.observes && member.observeKeys && doc.reachKeys && doc.status !== 'scheduled' && doc.status !== 'draft') {
    if (doc.audience.all) return true;
    const observeKeys = new Set(member.observeKeys);
    if (doc.audience.unitIds.some((id) => observeKeys.has(id))) return true;
    // reachKeys also holds the units of the chosen people, written when the notice was published.
    return member.observes.some((id) => doc.reachKeys?.includes(id));
  }
  return (await statsScope(deps, account, doc)) !== null;
}

/**
 * The receipts filter of a scope: a unit (which must be inside what the caller sees), or for a
 * restricted caller without one, all the units they observe.
 */
export function scopeFilter(deps: NoticeDeps, scope: StatsScope, unitId: string | undefined, snapshot: UnitTree): { filter: Record<string, unknown>; unitId: string | null } {
  const _ = deps.db.command;
  if (unitId && unitId !== ROOT_UNIT_ID) {
    if (!snapshot.get(unitId)) throw new AppFailure('UNIT_NOT_FOUND', undefined, 'unitId');
    if (!scope.all && !scope.unitIds.some((top) => snapshot.isWithin(unitId, top))) throw new AppFailure('FORBIDDEN');
    return { filter: { unitKeys: unitId }, unitId };
  }
  if (scope.all) return { filter: {}, unitId: null };
  return { filter: { unitKeys: _.in(scope.unitIds) }, unitId: null };
}
