/**
 * The unit tree as one in-memory snapshot. Every structural change (create, rename, move,
 * delete) writes a new `rev` to `settings/unit-tree` in its transaction, so a warm function
 * instance reloads the units only when the tree changed: ancestry, paths and sub-trees then
 * cost one read. Counters are not part of the snapshot; views that show them read fresh.
 * Moves and deletes also write a new `shapeRev`: the part of the tree a create plans against
 * (which units exist, at which level), see `changeTree` in units.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/db';
import { findById, insertIfAbsent, readAll } from '../db/db';
import { MAX_UNIT_LEVELS, ROOT_UNIT_ID, UNIT_TREE_DOC_ID, type UnitDoc } from './model';

export interface TreeDoc {
  _id: string;
  /** New on every structural change. */
  rev: string;
  /** New on every move and delete; absent until the first one. */
  shapeRev?: string;
  updatedAt: Date;
}

export function newRev(): string {
  return randomBytes(8).toString('hex');
}

export class UnitTree {
  readonly byId: ReadonlyMap<string, UnitDoc>;
  private readonly childrenOf = new Map<string, UnitDoc[]>();

  constructor(
    readonly rev: string,
    units: readonly UnitDoc[],
    readonly shapeRev = '',
  ) {
    this.byId = new Map(units.map((unit) => [unit._id, unit]));
    for (const unit of units) {
      if (unit.parentId === null) continue;
      const siblings = this.childrenOf.get(unit.parentId) ?? [];
      siblings.push(unit);
      this.childrenOf.set(unit.parentId, siblings);
    }
  }

  get root(): UnitDoc | undefined {
    return this.byId.get(ROOT_UNIT_ID);
  }

  get(id: string): UnitDoc | undefined {
    return this.byId.get(id);
  }

  children(id: string): readonly UnitDoc[] {
    return this.childrenOf.get(id) ?? [];
  }

  /** The unit and its ancestors up to the root, nearest first. */
  lineage(id: string): UnitDoc[] {
    const chain: UnitDoc[] = [];
    let current = this.byId.get(id);
    while (current && chain.length <= MAX_UNIT_LEVELS) {
      chain.push(current);
      current = current.parentId === null ? undefined : this.byId.get(current.parentId);
    }
    return chain;
  }

  /**
   * The units and all their ancestors, the organisation itself left out, sorted: what account
   * summaries (`unitKeys`, `observeKeys`) and notice receipts record, so matching a unit against
   * someone's units or a notice's reach needs no tree.
   */
  ancestorKeys(unitIds: readonly string[]): string[] {
    const keys = new Set<string>();
    for (const id of unitIds) for (const unit of this.lineage(id)) if (unit.parentId !== null) keys.add(unit._id);
    return [...keys].sort();
  }

  /** Level of a unit: the root is 1. */
  level(id: string): number {
    return this.lineage(id).length;
  }

  /** Names below the root down to the unit. */
  pathNames(id: string): string[] {
    return this.lineage(id)
      .filter((unit) => unit.parentId !== null)
      .map((unit) => unit.name)
      .reverse();
  }

  /** The unit and all units below it. */
  subtreeIds(id: string): string[] {
    if (!this.byId.has(id)) return [];
    const out: string[] = [];
    const queue = [id];
    while (queue.length > 0) {
      const next = queue.shift() as string;
      out.push(next);
      for (const child of this.children(next)) queue.push(child._id);
    }
    return out;
  }

  /** Levels of the sub-tree below and including the unit (a leaf is 1). */
  height(id: string): number {
    const children = this.children(id);
    return 1 + (children.length === 0 ? 0 : Math.max(...children.map((child) => this.height(child._id))));
  }

  /** Whether `ancestorId` is the unit itself or above it. */
  isWithin(id: string, ancestorId: string): boolean {
    return this.lineage(id).some((unit) => unit._id === ancestorId);
  }

  /** A unit by the names below the root (a leading organisation name is allowed). */
  resolvePath(names: readonly string[]): UnitDoc | undefined {
    let segments = names;
    const root = this.root;
    if (!root) return undefined;
    if (segments.length > 1 && segments[0] === root.name && !this.children(root._id).some((c) => c.name === segments[0])) {
      segments = segments.slice(1);
    }
    let current: UnitDoc | undefined = root;
    for (const name of segments) {
      current = this.children(current._id).find((child) => child.name === name);
      if (!current) return undefined;
    }
    return current === root ? undefined : current;
  }
}

let cached: UnitTree | null = null;

/** Creates the root unit, named after the organisation, if there is none yet. */
export async function ensureRoot(db: Db, organisationName: string, now: Date): Promise<void> {
  const created = await insertIfAbsent(db, 'units', {
    _id: ROOT_UNIT_ID,
    name: organisationName,
    kind: 'org',
    parentId: null,
    childCount: 0,
    memberCount: 0,
    rosterCount: 0,
    createdAt: now,
    updatedAt: now,
  });
  if (created) await db.collection('settings').doc(UNIT_TREE_DOC_ID).set({ data: { rev: newRev(), updatedAt: now } });
}

/** The current tree; one read when this instance's snapshot is still current. */
export async function loadTree(db: Db, organisationName: string, now: Date): Promise<UnitTree> {
  // The revision is read before the units: a snapshot is never labelled newer than its data.
  const doc = await findById<TreeDoc>(db, 'settings', UNIT_TREE_DOC_ID);
  const rev = doc?.rev ?? '';
  if (cached && rev && cached.rev === rev) return cached;
  const units = await readAll<UnitDoc>(db, 'units');
  if (!units.some((unit) => unit._id === ROOT_UNIT_ID)) {
    await ensureRoot(db, organisationName, now);
    return loadTree(db, organisationName, now);
  }
  if (!rev) {
    // Units written without a revision (an older deployment, a hand edit): start one, then cache.
    await insertIfAbsent(db, 'settings', { _id: UNIT_TREE_DOC_ID, rev: newRev(), updatedAt: now });
    return loadTree(db, organisationName, now);
  }
  cached = new UnitTree(rev, units, doc?.shapeRev ?? '');
  return cached;
}

/** Forgets this instance's snapshot (tests that rewrite the database underneath). */
export function forgetTree(): void {
  cached = null;
}
