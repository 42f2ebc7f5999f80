/**
 * Unit counters: `memberCount` (active members placed directly) and `rosterCount` (all of
 * them). Every write that places, moves, deactivates or restores members moves them inside
 * its own transaction, by the difference between where the members were and where they are.
 */
import type { Transaction } from '../db/db';
import type { OrgDeps } from './units';

/** What the counters depend on: where a member is placed and whether active. */
export interface Placement {
  unitIds: readonly string[];
  active: boolean;
}

export type CounterChanges = Map<string, { active: number; all: number }>;

/** Per unit, how the counters move when members go from `before` (null: new) to `after`. */
export function counterChanges(moves: readonly { before: Placement | null; after: Placement }[]): CounterChanges {
  const changes: CounterChanges = new Map();
  const add = (unitIds: readonly string[], active: number, all: number) => {
    for (const id of unitIds) {
      const current = changes.get(id) ?? { active: 0, all: 0 };
      changes.set(id, { active: current.active + active, all: current.all + all });
    }
  };
  for (const { before, after } of moves) {
    if (before) add(before.unitIds, before.active ? -1 : 0, -1);
    add(after.unitIds, after.active ? 1 : 0, 1);
  }
  for (const [id, change] of changes) if (change.active === 0 && change.all === 0) changes.delete(id);
  return changes;
}

/** Moves the counters inside the caller's transaction. */
export async function moveCounters(deps: OrgDeps, t: Transaction, changes: CounterChanges): Promise<void> {
  const _ = deps.db.command;
  const now = deps.now();
  for (const [id, change] of changes) {
    await t.collection('units').doc(id).update({ data: { memberCount: _.inc(change.active), rosterCount: _.inc(change.all), updatedAt: now } });
  }
}
