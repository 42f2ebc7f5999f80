/**
 * Creating, renaming, moving and deleting units. Each change runs in a transaction that
 * checks the tree revision it planned against and writes a new one, so two concurrent
 * changes cannot together build a cycle or a tree deeper than six levels.
 */
import { randomBytes } from 'node:crypto';
import type { UnitKind, UnitView } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { AppFailure } from '../core/result';
import { type Db, findById, isDuplicateKey, retryDelayMs, type Transaction, TRANSACTION_RETRY } from '../db/db';
import { getInTransaction, runRefusable } from '../db/transactions';
import { isHeld, MAX_UNIT_LEVELS, oneLine, ROOT_UNIT_ID, UNIT_TREE_DOC_ID, type UnitDoc, type UnitHold, unitView } from './model';
import { loadTree, newRev, type TreeDoc, type UnitTree } from './tree';
import { refreshMemberSummaries } from './summaries';

export interface OrgDeps {
  db: Db;
  now(): Date;
  organisationName: string;
}

/** Roster files write paths as `学院/班级` and list several units with `;`. */
const RESERVED_IN_NAMES = /[/／\\;；|\n\r\t]/;

export function cleanUnitName(raw: string): string {
  const name = oneLine(raw);
  if (!name || [...name].length > FIELD_LIMITS.unitName) throw new AppFailure('INVALID_INPUT', `单位名称需为 1-${FIELD_LIMITS.unitName} 个字`, 'name');
  if (RESERVED_IN_NAMES.test(name)) throw new AppFailure('INVALID_INPUT', '单位名称不能包含 / ; | 等分隔符', 'name');
  return name;
}

export function tree(deps: OrgDeps): Promise<UnitTree> {
  return loadTree(deps.db, deps.organisationName, deps.now());
}

function unitNotFound(): AppFailure {
  return new AppFailure('UNIT_NOT_FOUND');
}

/** The tree changed since the plan was made: reload and plan again (an AppFailure, so runRefusable carries it out intact). */
class TreeMoved extends AppFailure {
  constructor() {
    super('BUSY_RETRY');
  }
}

/**
 * What a change plans against, and so what it must find unchanged when it commits:
 * - `create` needs its parent to exist at its level: only moves and deletes change that, and
 *   they write `shapeRev`. Creates do not check `rev`, so siblings created at once (other
 *   creates, renames) do not make each other plan again. Sibling names are decided by the
 *   unique index on `parentId, name`.
 * - `rename` plans nothing structural (the unit is read in the transaction; the index decides names).
 * - `move` and `delete` plan against the whole tree (a move's depth counts the height of the
 *   sub-tree it moves, which any create below changes): they check `rev`.
 * Every change writes a new `rev` in its transaction, so warm instances' snapshots, keyed on
 * `rev`, are reloaded after any of them. On the platform transactions run side by side and
 * conflict only on documents both write: every change writes the tree document, so a create
 * and a move (or any two changes) that overlap conflict and one is retried; the local cloud
 * runs transactions one at a time, so the checks below order them the same way.
 */
type TreeChange = 'create' | 'rename' | 'move' | 'delete';

/**
 * Plans against a tree snapshot, then runs the writes in a transaction that first confirms
 * what the plan relied on is unchanged (see TreeChange) and then writes a new revision.
 * Contention that outlasts the attempts answers BUSY_RETRY.
 */
async function changeTree<T>(deps: OrgDeps, change: TreeChange, body: (t: Transaction, snapshot: UnitTree) => Promise<T>): Promise<T> {
  // Planning again is paced like a conflicting transaction's retries (db.ts), so one burst spreads out.
  for (let attempt = 1; attempt <= TRANSACTION_RETRY.attempts; attempt += 1) {
    const snapshot = await tree(deps);
    const reshapes = change === 'move' || change === 'delete';
    try {
      return await runRefusable(deps.db, async (t) => {
        if (change !== 'rename') {
          const current = await getInTransaction<TreeDoc>(t, 'settings', UNIT_TREE_DOC_ID);
          const moved = reshapes ? (current?.rev ?? '') !== snapshot.rev : (current?.shapeRev ?? '') !== snapshot.shapeRev;
          if (moved) throw new TreeMoved();
        }
        const result = await body(t, snapshot);
        const revisions = reshapes ? { rev: newRev(), shapeRev: newRev() } : { rev: newRev() };
        // An update, not a set: a create keeps the `shapeRev` it did not read.
        await t.collection('settings').doc(UNIT_TREE_DOC_ID).update({ data: { ...revisions, updatedAt: deps.now() } });
        return result;
      });
    } catch (error) {
      if (isDuplicateKey(error)) throw new AppFailure('UNIT_NAME_TAKEN', undefined, 'name');
      if (!(error instanceof TreeMoved)) throw error;
      if (attempt < TRANSACTION_RETRY.attempts) await TRANSACTION_RETRY.sleep(retryDelayMs(TRANSACTION_RETRY, attempt - 1));
    }
  }
  throw new AppFailure('BUSY_RETRY');
}

function viewOf(snapshot: UnitTree, unit: UnitDoc, ancestorsNames?: string[]): UnitView {
  return unitView(unit, ancestorsNames ?? snapshot.pathNames(unit._id));
}

/** A unit with fresh counters and its path from the tree. */
export async function getUnit(deps: OrgDeps, unitId: string): Promise<UnitView> {
  const snapshot = await tree(deps);
  if (!snapshot.get(unitId)) throw unitNotFound();
  const unit = await findById<UnitDoc>(deps.db, 'units', unitId);
  if (!unit) throw unitNotFound();
  return viewOf(snapshot, unit);
}

const CHILDREN_PAGE = 50;

/** Sub-units by name, fresh from the database (counters included). */
export async function listChildren(deps: OrgDeps, parentId: string, after: string | undefined): Promise<{ items: UnitView[]; next: string | null }> {
  const snapshot = await tree(deps);
  if (!snapshot.get(parentId)) throw unitNotFound();
  const _ = deps.db.command;
  const filter: Record<string, unknown> = { parentId };
  if (after) filter.name = _.gt(after);
  const { data } = await deps.db.collection('units').where(filter).orderBy('name', 'asc').limit(CHILDREN_PAGE + 1).get();
  const units = data as UnitDoc[];
  const page = units.slice(0, CHILDREN_PAGE);
  const parentPath = snapshot.pathNames(parentId);
  return {
    items: page.map((unit) => unitView(unit, [...parentPath, unit.name])),
    next: units.length > CHILDREN_PAGE ? page[page.length - 1].name : null,
  };
}

export async function createUnit(deps: OrgDeps, parentId: string, rawName: string, kind: Exclude<UnitKind, 'org'>): Promise<UnitView> {
  const name = cleanUnitName(rawName);
  const id = `u_${randomBytes(8).toString('hex')}`;
  const now = deps.now();
  const created = await changeTree(deps, 'create', async (t, snapshot) => {
    if (!snapshot.get(parentId)) throw unitNotFound();
    if (snapshot.level(parentId) + 1 > MAX_UNIT_LEVELS) throw new AppFailure('UNIT_TOO_DEEP');
    if (snapshot.children(parentId).some((child) => child.name === name)) throw new AppFailure('UNIT_NAME_TAKEN', undefined, 'name');
    const unit: UnitDoc = { _id: id, name, kind, parentId, childCount: 0, memberCount: 0, rosterCount: 0, createdAt: now, updatedAt: now };
    await t.collection('units').add({ data: unit });
    await t.collection('units').doc(parentId).update({ data: { childCount: deps.db.command.inc(1), updatedAt: now } });
    return { unit, path: [...snapshot.pathNames(parentId), name] };
  });
  return unitView(created.unit, created.path);
}

export async function renameUnit(deps: OrgDeps, unitId: string, rawName: string): Promise<UnitView> {
  const name = cleanUnitName(rawName);
  const now = deps.now();
  const renamed = await changeTree(deps, 'rename', async (t, snapshot) => {
    const unit = await getInTransaction<UnitDoc>(t, 'units', unitId);
    if (!unit) throw unitNotFound();
    if (unit.parentId !== null && snapshot.children(unit.parentId).some((s) => s._id !== unitId && s.name === name)) {
      throw new AppFailure('UNIT_NAME_TAKEN', undefined, 'name');
    }
    await t.collection('units').doc(unitId).update({ data: { name, updatedAt: now } });
    const path = snapshot.pathNames(unitId);
    if (path.length > 0) path[path.length - 1] = name;
    return unitView({ ...unit, name, updatedAt: now }, path);
  });
  // Bound accounts show their units' names; the change above is committed, so refresh them.
  await refreshMemberSummaries(deps, { unitId }, false);
  return renamed;
}

export async function moveUnit(deps: OrgDeps, unitId: string, parentId: string): Promise<UnitView> {
  if (unitId === ROOT_UNIT_ID) throw new AppFailure('UNIT_ROOT_LOCKED');
  const now = deps.now();
  const moved = await changeTree(deps, 'move', async (t, snapshot) => {
    const planned = snapshot.get(unitId);
    if (!planned || !snapshot.get(parentId)) throw unitNotFound();
    if (snapshot.isWithin(parentId, unitId)) throw new AppFailure('UNIT_CYCLE', undefined, 'parentId');
    const unit = await getInTransaction<UnitDoc>(t, 'units', unitId);
    if (!unit) throw unitNotFound();
    if (unit.parentId === parentId) return viewOf(snapshot, unit);
    if (snapshot.level(parentId) + snapshot.height(unitId) > MAX_UNIT_LEVELS) {
      throw new AppFailure('UNIT_TOO_DEEP', undefined, 'parentId');
    }
    if (snapshot.children(parentId).some((child) => child.name === unit.name)) {
      throw new AppFailure('UNIT_NAME_TAKEN', undefined, 'parentId');
    }
    const _ = deps.db.command;
    await t.collection('units').doc(unitId).update({ data: { parentId, updatedAt: now } });
    if (unit.parentId) await t.collection('units').doc(unit.parentId).update({ data: { childCount: _.inc(-1), updatedAt: now } });
    await t.collection('units').doc(parentId).update({ data: { childCount: _.inc(1), updatedAt: now } });
    return unitView({ ...unit, parentId }, [...snapshot.pathNames(parentId), unit.name]);
  });
  // Bound accounts of the moved sub-tree carry their units' ancestors (summary.unitKeys), and
  // observers of it the ancestors of what they observe (observeKeys): the move is committed, so
  // refresh both against the new tree.
  const subtree = (await tree(deps)).subtreeIds(unitId);
  await refreshMemberSummaries(deps, { unitIds: subtree }, true);
  await refreshMemberSummaries(deps, { observing: subtree }, false);
  return moved;
}

export async function deleteUnit(deps: OrgDeps, unitId: string): Promise<void> {
  if (unitId === ROOT_UNIT_ID) throw new AppFailure('UNIT_ROOT_LOCKED');
  const notEmpty = new AppFailure('UNIT_NOT_EMPTY');
  // Members reference units directly; any of them, deactivated ones too, keeps the unit.
  const { data: placed } = await deps.db.collection('members').where({ unitIds: unitId }).limit(1).field({ _id: true }).get();
  if (placed.length > 0) throw notEmpty;
  const now = deps.now();
  await changeTree(deps, 'delete', async (t, snapshot) => {
    if (snapshot.children(unitId).length > 0) throw notEmpty;
    const unit = await getInTransaction<UnitDoc>(t, 'units', unitId);
    if (!unit) throw unitNotFound();
    // Member writes count themselves into the unit in their own transactions: this catches
    // one that committed after the query above.
    if ((unit.childCount ?? 0) > 0 || (unit.rosterCount ?? 0) > 0) throw notEmpty;
    if (isHeld(unit as UnitDoc & UnitHold, now)) throw new AppFailure('UNIT_NOT_EMPTY', '正在向该单位导入成员，请导入完成后再删除');
    await t.collection('units').doc(unitId).remove();
    if (unit.parentId) await t.collection('units').doc(unit.parentId).update({ data: { childCount: deps.db.command.inc(-1), updatedAt: now } });
  });
  // Observers of the unit observe nothing there any more; their accounts' summaries say so.
  const _ = deps.db.command;
  const { data: observers } = await deps.db.collection('members').where({ observes: unitId }).limit(1000).field({ _id: true }).get();
  await deps.db.collection('members').where({ observes: unitId }).update({ data: { observes: _.pull(unitId), rev: newRev(), updatedAt: now } });
  if (observers.length > 0) await refreshMemberSummaries(deps, { memberIds: (observers as { _id: string }[]).map((m) => m._id) }, false);
}
