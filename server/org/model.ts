/** Units and roster members as stored, and the views the contract sends. */
import type { MemberCard, MemberKind, UnitKind, UnitRef, UnitView } from '../../typings';

/** The organisation itself; every other unit descends from it. */
export const ROOT_UNIT_ID = 'root';
/** Levels in all, the organisation included. */
export const MAX_UNIT_LEVELS = 6;
/** `settings` document every structural change of the tree writes, so such changes serialise. */
export const UNIT_TREE_DOC_ID = 'unit-tree';

export interface UnitDoc {
  _id: string;
  name: string;
  kind: UnitKind;
  /** Null only for the root. */
  parentId: string | null;
  childCount: number;
  /** Active members placed directly here. */
  memberCount: number;
  /** All members placed directly here, deactivated ones included: a unit they reference is not empty. */
  rosterCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface MemberDoc {
  _id: string;
  name: string;
  /** Student or staff number; unique across the roster (deactivated members included). */
  number: string;
  /** E.164, e.g. `+8613800000000`. */
  phone: string | null;
  kind: MemberKind;
  /** Units the member is placed in directly. */
  unitIds: string[];
  title: string | null;
  wecomUserId: string | null;
  /** Units this member observes (with their sub-units). */
  observes: string[];
  active: boolean;
  /** The bound account, if any (the `ownerField` account merges follow). */
  userId: string | null;
  /** A new value on every write, for an admin's optimistic concurrency. */
  rev: string;
  /**
   * A new value whenever roster fields (name, number, phone, kind, units, title, WeCom userid,
   * active) change, not when the binding or observed units do: an import applies a change
   * only while this is what its preview saw.
   */
  fieldsRev: string;
  /**
   * `wecom:<userid>`, or `none:<member id>` without one: a unique index on this field keeps a
   * WeCom userid on one member (a unique index on the nullable userid would collide on nulls).
   */
  wecomKey: string;
  createdAt: Date;
  updatedAt: Date;
  deactivatedAt: Date | null;
}

/** Names of a unit's ancestors below the root, then its own; from a map of the tree. */
export function unitPathNames(unit: UnitDoc, byId: ReadonlyMap<string, UnitDoc>): string[] {
  const names: string[] = [];
  let current: UnitDoc | undefined = unit;
  for (let hops = 0; current && current.parentId !== null && hops < MAX_UNIT_LEVELS; hops += 1) {
    names.unshift(current.name);
    current = byId.get(current.parentId);
  }
  return names;
}

export function unitView(unit: UnitDoc, path: string[]): UnitView {
  return {
    id: unit._id,
    name: unit.name,
    kind: unit.kind,
    parentId: unit.parentId,
    path,
    childCount: unit.childCount ?? 0,
    memberCount: unit.memberCount ?? 0,
  };
}

export function unitRef(unit: UnitDoc, path: string[]): UnitRef {
  return { id: unit._id, name: unit.name, kind: unit.kind, path: path.join('/') };
}

export function memberCard(member: MemberDoc): MemberCard {
  return {
    id: member._id,
    name: member.name,
    number: member.number,
    kind: member.kind,
    title: member.title ?? null,
    bound: Boolean(member.userId),
    active: member.active,
  };
}

/** Names and titles are one line: a pasted newline or tab becomes a space, runs of spaces one. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function wecomKeyOf(memberId: string, wecomUserId: string | null): string {
  return wecomUserId ? `wecom:${wecomUserId}` : `none:${memberId}`;
}

/**
 * Imports placing members in a unit, each with the time its hold lapses. The unit cannot be
 * deleted while any hold is live. Each import sets and removes only its own key, so two imports
 * filling one unit never release each other's hold; a hold lapses on its own when its import
 * dies, so a crashed import does not keep the unit forever (a resumed one holds it again first).
 */
export interface UnitHold {
  importHolds?: Record<string, Date>;
}

/** Whether an import still holds the unit at `now`. */
export function isHeld(unit: UnitHold, now: Date): boolean {
  return Object.values(unit.importHolds ?? {}).some((until) => new Date(until).getTime() > now.getTime());
}
