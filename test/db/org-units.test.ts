/**
 * Structural changes of the unit tree against the local database through the real
 * wx-server-sdk, with the interleavings that matter forced: a change that commits between
 * another's plan and its transaction. Creates under one parent never make each other plan
 * again; a create and a move that together would pass six levels cannot both commit.
 */
import type { Db } from '../../server/db/db';
import type { AppFailure } from '../../server/core/result';
import { MAX_UNIT_LEVELS } from '../../server/org/model';
import { forgetTree } from '../../server/org/tree';
import { createUnit, deleteUnit, moveUnit, type OrgDeps, renameUnit } from '../../server/org/units';
import { useAppDatabase } from './helpers';

const app = useAppDatabase();
const clock = new Date('2026-03-02T08:00:00Z');

function deps(db: Db = app.db): OrgDeps {
  return { db, now: () => clock, organisationName: '测试大学' };
}

type Doc = Record<string, unknown>;
type AnyFunction = (...args: unknown[]) => unknown;

/**
 * The database, except that before its first transaction `first` runs to the end: the change
 * using it has planned, and another change commits before its transaction starts.
 */
function interleaved(first: () => Promise<unknown>): { db: Db; transactions(): number } {
  let transactions = 0;
  const db = new Proxy(app.db, {
    get(object, prop) {
      const value = Reflect.get(object, prop, object) as unknown;
      if (prop === 'runTransaction') {
        return async (...args: unknown[]) => {
          transactions += 1;
          if (transactions === 1) await first();
          return (value as AnyFunction).apply(object, args);
        };
      }
      return typeof value === 'function' ? (value as AnyFunction).bind(object) : value;
    },
  });
  return { db, transactions: () => transactions };
}

async function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'OK',
    (error: unknown) => (error as AppFailure).code ?? String(error),
  );
}

function depths(): number[] {
  const units = app.cloud.engine.dump('units') as Doc[];
  const byId = new Map(units.map((u) => [u._id, u]));
  return units.map((unit) => {
    let level = 1;
    for (let current = unit; current.parentId !== null; current = byId.get(current.parentId) as Doc) level += 1;
    return level;
  });
}

/** root(1) → A(2) → B(3) → C(4), and root → P(2) → Q(3): moving P under C is fine alone (P at 5, Q at 6). */
async function twoBranches() {
  const d = deps();
  const a = await createUnit(d, 'root', 'A', 'college');
  const b = await createUnit(d, a.id, 'B', 'group');
  const c = await createUnit(d, b.id, 'C', 'group');
  const p = await createUnit(d, 'root', 'P', 'college');
  const q = await createUnit(d, p.id, 'Q', 'class');
  return { a, b, c, p, q };
}

describe('creates under one parent do not conflict', () => {
  test('a sibling created between another create’s plan and its transaction: both commit at the first attempt', async () => {
    const college = await createUnit(deps(), 'root', '计算机学院', 'college');
    let sibling = '';
    const racing = interleaved(async () => {
      sibling = await outcome(createUnit(deps(), college.id, '软件2302班', 'class'));
    });
    const created = await createUnit(deps(racing.db), college.id, '软件2301班', 'class');
    expect({ sibling, transactions: racing.transactions() }).toEqual({ sibling: 'OK', transactions: 1 });
    expect(created.path).toEqual(['计算机学院', '软件2301班']);
    expect((app.cloud.engine.dump('units') as Doc[]).find((u) => u._id === college.id)).toMatchObject({ childCount: 2 });
  });

  test('a rename between a create’s plan and its transaction does not make it plan again either', async () => {
    const college = await createUnit(deps(), 'root', '计算机学院', 'college');
    const other = await createUnit(deps(), college.id, '旧名', 'class');
    const racing = interleaved(() => renameUnit(deps(), other.id, '新名'));
    await createUnit(deps(racing.db), college.id, '软件2301班', 'class');
    expect(racing.transactions()).toBe(1);
  });

  test('two creates of one name under one parent: one commits, the other is UNIT_NAME_TAKEN (the unique index decides)', async () => {
    const college = await createUnit(deps(), 'root', '计算机学院', 'college');
    let first = '';
    const racing = interleaved(async () => {
      first = await outcome(createUnit(deps(), college.id, '软件2301班', 'class'));
    });
    const second = await outcome(createUnit(deps(racing.db), college.id, '软件2301班', 'class'));
    expect({ first, second }).toEqual({ first: 'OK', second: 'UNIT_NAME_TAKEN' });
    expect((app.cloud.engine.dump('units') as Doc[]).filter((u) => u.name === '软件2301班')).toHaveLength(1);
  });

  test('a create planned under a parent that is deleted before its transaction is UNIT_NOT_FOUND, never an orphan', async () => {
    const college = await createUnit(deps(), 'root', '计算机学院', 'college');
    const racing = interleaved(() => deleteUnit(deps(), college.id));
    expect(await outcome(createUnit(deps(racing.db), college.id, '软件2301班', 'class'))).toBe('UNIT_NOT_FOUND');
    expect((app.cloud.engine.dump('units') as Doc[]).map((u) => u._id)).toEqual(['root']);
  });
});

describe('a create and a move cannot together pass six levels', () => {
  test('the move commits between the create’s plan and its transaction: the create plans again and is refused', async () => {
    const { c, p, q } = await twoBranches();
    let move = '';
    const racing = interleaved(async () => {
      move = await outcome(moveUnit(deps(), p.id, c.id));
    });
    const create = await outcome(createUnit(deps(racing.db), q.id, 'R', 'class'));
    expect({ move, create }).toEqual({ move: 'OK', create: 'UNIT_TOO_DEEP' });
    expect(Math.max(...depths())).toBe(MAX_UNIT_LEVELS);
  });

  test('the create commits between the move’s plan and its transaction: the move plans again and is refused', async () => {
    const { c, p, q } = await twoBranches();
    let create = '';
    const racing = interleaved(async () => {
      create = await outcome(createUnit(deps(), q.id, 'R', 'class'));
    });
    const move = await outcome(moveUnit(deps(racing.db), p.id, c.id));
    expect({ create, move }).toEqual({ create: 'OK', move: 'UNIT_TOO_DEEP' });
    expect(Math.max(...depths())).toBe(4);
  });

  test('both at once, many times over: never deeper than six levels', async () => {
    for (let round = 0; round < 5; round += 1) {
      await app.cloud.engine.reset();
      forgetTree();
      const { c, p, q } = await twoBranches();
      const results = await Promise.all([outcome(moveUnit(deps(), p.id, c.id)), outcome(createUnit(deps(), q.id, 'R', 'class'))]);
      expect(results.filter((r) => r === 'OK')).toHaveLength(1);
      expect(results.filter((r) => r !== 'OK')).toEqual(['UNIT_TOO_DEEP']);
      expect(Math.max(...depths())).toBeLessThanOrEqual(MAX_UNIT_LEVELS);
    }
  });
});
