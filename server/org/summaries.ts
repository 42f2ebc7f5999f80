/**
 * Bound accounts carry a summary of their roster member (name, number, unit names) so sign-in
 * shows it without another read. Whatever changes those fields refreshes the summaries.
 */
import type { MemberSummary } from '../../typings';
import type { MemberDoc } from './model';
import type { UnitTree } from './tree';
import { readAll } from '../db/db';
import { loadTree } from './tree';
import type { OrgDeps } from './units';
import { inParallel } from '../core/parallel';

/**
 * The summary of a member. Names come from `nameOf` when given (documents read in a
 * transaction), otherwise from the tree; `unitKeys` (the units and all their ancestors, the
 * organisation excluded) always from the tree, so the notice inbox can match 公告 by unit
 * without reading the tree on every call.
 */
export function memberSummary(
  member: Pick<MemberDoc, '_id' | 'name' | 'number' | 'kind' | 'unitIds' | 'active'> & Partial<Pick<MemberDoc, 'observes' | 'phone'>>,
  snapshot: UnitTree,
  nameOf: (id: string) => string | undefined = (id) => snapshot.get(id)?.name,
): MemberSummary {
  return {
    id: member._id,
    name: member.name,
    number: member.number,
    kind: member.kind,
    unitNames: member.unitIds.map(nameOf).filter((name): name is string => Boolean(name)),
    active: member.active,
    unitIds: [...member.unitIds],
    unitKeys: snapshot.ancestorKeys(member.unitIds),
    observes: [...(member.observes ?? [])],
    observeKeys: snapshot.ancestorKeys(member.observes ?? []),
    hasPhone: Boolean(member.phone),
  };
}

/**
 * A write of an account's member summary. When the person's units may have changed (placed,
 * moved, bound, restored), it also clears `noticeSync`: the notice timer then completes their
 * receipts of 公告 published before (server/notice/inbox.ts, `syncLateReceipts`). Renames and
 * other edits leave it, so they cost the timer nothing.
 */
export function summaryWrite(
  summary: MemberSummary,
  command: { set(value: unknown): unknown; remove(): unknown },
  now: Date,
  unitsChanged: boolean,
): Record<string, unknown> {
  return unitsChanged ? { member: command.set(summary), noticeSync: command.remove(), updatedAt: now } : { member: command.set(summary), updatedAt: now };
}

/** Rewrites the summaries of bound members placed in a unit, or of the given members. */
export async function refreshMemberSummaries(
  deps: OrgDeps,
  scope: { unitId: string } | { unitIds: string[] } | { memberIds: string[] } | { observing: string[] },
  /** Whether the members' units (or their ancestors) may have changed, see summaryWrite. */
  unitsChanged: boolean,
): Promise<number> {
  const _ = deps.db.command;
  const snapshot = await loadTree(deps.db, deps.organisationName, deps.now());
  const fields = { name: true, number: true, kind: true, unitIds: true, userId: true, active: true, observes: true, phone: true };
  let members: MemberDoc[];
  if ('unitId' in scope) {
    members = await readAll<MemberDoc>(deps.db, 'members', { unitIds: scope.unitId, userId: _.neq(null) }, fields);
  } else if ('observing' in scope) {
    members = await readAll<MemberDoc>(deps.db, 'members', { observes: _.in(scope.observing), userId: _.neq(null) }, fields);
  } else if ('unitIds' in scope) {
    const seen = new Map<string, MemberDoc>();
    for (let i = 0; i < scope.unitIds.length; i += 500) {
      const chunk = await readAll<MemberDoc>(deps.db, 'members', { unitIds: _.in(scope.unitIds.slice(i, i + 500)), userId: _.neq(null) }, fields);
      for (const member of chunk) seen.set(member._id, member);
    }
    members = [...seen.values()];
  } else {
    members = [];
    for (let i = 0; i < scope.memberIds.length; i += 500) {
      const ids = scope.memberIds.slice(i, i + 500);
      const { data } = await deps.db.collection('members').where({ _id: _.in(ids), userId: _.neq(null) }).limit(ids.length).field({ ...fields, _id: true }).get();
      members.push(...(data as MemberDoc[]));
    }
  }
  const bound = members.filter((member) => member.userId);
  await inParallel(bound, (member) =>
    deps.db
      .collection('users')
      // Only while the account is still bound to this member: an unbind in between wins.
      .where({ _id: member.userId as string, 'member.id': member._id })
      .update({ data: summaryWrite(memberSummary(member, snapshot), _, deps.now(), unitsChanged) }),
  );
  return bound.length;
}
