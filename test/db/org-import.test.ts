/**
 * Roster import against the local database through the real wx-server-sdk: an apply that
 * crashes part-way (before or after a write reached the database) is resumed by the next call
 * once its lease has run out, and concurrent applies of one import, and the roster ends exactly
 * as the preview said either way.
 */
import type { Db } from '../../server/db/db';
import { AppFailure } from '../../server/core/result';
import { applyImport, type ImportDeps, previewImport } from '../../server/org/import/imports';
import type { MemberDoc } from '../../server/org/model';
import { createUnit, deleteUnit } from '../../server/org/units';
import type { FileStoragePort } from '../../server/ports/storage.port';
import type { ImportView, UnitView } from '../../typings';
import { useAppDatabase } from './helpers';

const app = useAppDatabase();
let clock: Date;
let files: Map<string, Uint8Array>;

const storage: FileStoragePort = {
  async exists(fileId) {
    return files.has(fileId);
  },
  async remove(fileIds) {
    for (const id of fileIds) files.delete(id);
  },
  async download(fileId) {
    return files.get(fileId) ?? null;
  },
  async upload(cloudPath, content) {
    const fileId = `cloud://test.bucket/${cloudPath}`;
    files.set(fileId, content);
    return fileId;
  },
  async temporaryUrls(fileIds) {
    return new Map(fileIds.filter((id) => files.has(id)).map((id) => [id, `https://files.test/${encodeURIComponent(id)}`]));
  },
};

function deps(db: Db = app.db, extra: Partial<ImportDeps> = {}): ImportDeps {
  return { db, now: () => clock, organisationName: '测试大学', storage, ...extra };
}

beforeEach(() => {
  clock = new Date('2026-03-02T08:00:00Z');
  files = new Map();
});

type Doc = Record<string, unknown>;

function dump(collection: string): Doc[] {
  return app.cloud.engine.dump(collection) as Doc[];
}

const pad = (n: number, width = 4) => String(n).padStart(width, '0');

interface Scenario {
  importView: ImportView;
  classA: UnitView;
  classB: UnitView;
}

/**
 * On the roster: U0000-U0249 in class A (to be updated: new title, odd ones moved to class B)
 * and X00-X29 in class A (missing from the file: deactivated). The file adds N0000-N0449 to
 * class B. 250 + 450 + 30 = 730 changes, four batches of the apply step.
 */
async function scenario(): Promise<Scenario> {
  const d = deps();
  const college = await createUnit(d, 'root', '计算机学院', 'college');
  const classA = await createUnit(d, college.id, '软件2301班', 'class');
  const classB = await createUnit(d, college.id, '软件2302班', 'class');
  const member = (number: string, name: string, phone: string): MemberDoc => ({
    _id: `m_${number}`,
    name,
    number,
    phone,
    kind: 'student',
    unitIds: [classA.id],
    title: '组员',
    wecomUserId: null,
    observes: [],
    active: true,
    userId: null,
    rev: `rev-${number}`,
    fieldsRev: `fields-${number}`,
    wecomKey: `none:m_${number}`,
    createdAt: clock,
    updatedAt: clock,
    deactivatedAt: null,
  });
  const existing = [
    ...Array.from({ length: 250 }, (_, i) => member(`U${pad(i)}`, `老成员${pad(i)}`, `+861390000${pad(i)}`)),
    ...Array.from({ length: 30 }, (_, i) => member(`X${pad(i, 2)}`, `离开${pad(i, 2)}`, `+861370000${pad(i)}`)),
  ];
  app.cloud.engine.insertDocuments('members', existing as unknown as Doc[]);
  await app.db.collection('units').doc(classA.id).update({ data: { memberCount: 280, rosterCount: 280 } });

  const lines = ['姓名,学号,手机号,单位,职务'];
  for (let i = 0; i < 250; i++) lines.push(`老成员${pad(i)},U${pad(i)},1390000${pad(i)},计算机学院/${i % 2 ? '软件2302班' : '软件2301班'},组长`);
  for (let i = 0; i < 450; i++) lines.push(`新成员${pad(i)},N${pad(i)},1380000${pad(i)},测试大学/计算机学院/软件2302班,`);
  const fileId = 'cloud://env.bucket/imports/u1/roster.csv';
  files.set(fileId, Buffer.from(lines.join('\n'), 'utf8'));
  const importView = await previewImport(d, 'admin-user', { fileId, fileName: 'roster.csv', deactivateMissing: true });
  expect(importView.counts).toEqual({ rows: 700, add: 450, update: 250, deactivate: 30, unchanged: 0, invalid: 0 });
  expect(importView.progress).toEqual({ done: 0, total: 730 });
  return { importView, classA, classB };
}

/** The roster exactly as the preview said, and the import finished. */
function expectApplied({ importView, classA, classB }: Scenario): void {
  const members = dump('members');
  expect(members).toHaveLength(730);
  expect(new Set(members.map((doc) => doc.number)).size).toBe(730);
  const byNumber = new Map(members.map((doc) => [String(doc.number), doc]));
  for (let i = 0; i < 450; i++) {
    expect(byNumber.get(`N${pad(i)}`)).toMatchObject({ name: `新成员${pad(i)}`, phone: `+861380000${pad(i)}`, unitIds: [classB.id], active: true, title: null });
  }
  for (let i = 0; i < 250; i++) {
    expect(byNumber.get(`U${pad(i)}`)).toMatchObject({ _id: `m_U${pad(i)}`, title: '组长', unitIds: [i % 2 ? classB.id : classA.id], active: true });
  }
  for (let i = 0; i < 30; i++) expect(byNumber.get(`X${pad(i, 2)}`)).toMatchObject({ active: false, deactivatedAt: expect.any(Date) });

  const doc = dump('imports').find((d) => d._id === importView.id);
  expect(doc).toMatchObject({ status: 'applied', done: 730, total: 730, skipped: 0, leaseToken: null });
  expect(dump('import_items').filter((item) => item.importId === importView.id && item.category === 'skipped')).toEqual([]);
  const units = new Map(dump('units').map((u) => [u._id, u]));
  expect(units.get(classA.id)).toMatchObject({ memberCount: 125, rosterCount: 155 });
  expect(units.get(classB.id)).toMatchObject({ memberCount: 575, rosterCount: 575 });
  // Once applied, the import holds no unit any more: they can be deleted again when empty.
  expect(dump('units').filter((u) => Object.keys((u.importHolds as object | undefined) ?? {}).length > 0)).toEqual([]);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

interface CrashPlan {
  collection: string;
  /** `transaction`: a whole `runTransaction` (the collection is then only a label). */
  op: 'add' | 'update' | 'transaction';
  /** The n-th such call (1-based) on the collection fails, once. */
  nth: number;
  /** Only calls whose arguments match are counted (all by default). */
  matches?: (args: unknown[]) => boolean;
  /** `after`: the write reaches the database, then the call fails (a lost reply). */
  when: 'before' | 'after';
}

type AnyFunction = (...args: unknown[]) => unknown;
const CHAINING = new Set(['where', 'orderBy', 'skip', 'limit', 'field', 'doc']);

/** The database, with every `op` call on `collection` passed through `around` (numbered from 1). */
function interceptDb(
  db: Db,
  collection: string,
  op: 'add' | 'update',
  around: (n: number, run: () => unknown) => Promise<unknown>,
  matches: (args: unknown[]) => boolean = () => true,
): Db {
  let calls = 0;
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, prop) {
        const value = Reflect.get(object, prop, object) as unknown;
        if (typeof value !== 'function') return value;
        const fn = value as AnyFunction;
        if (prop === op) return (...args: unknown[]) => (matches(args) ? around(++calls, () => fn.apply(object, args)) : fn.apply(object, args));
        if (typeof prop === 'string' && CHAINING.has(prop)) return (...args: unknown[]) => wrap(fn.apply(object, args) as object);
        return fn.bind(object);
      },
    });
  return new Proxy(db, {
    get(object, prop) {
      const value = Reflect.get(object, prop, object) as unknown;
      if (prop === 'collection') {
        return (name: string) => {
          const ref = (value as AnyFunction).call(object, name) as object;
          return name === collection ? wrap(ref) : ref;
        };
      }
      return typeof value === 'function' ? (value as AnyFunction).bind(object) : value;
    },
  });
}

/** The database, except that one write of the plan fails once. */
function crashingDb(db: Db, plan: CrashPlan): { db: Db; fired(): boolean } {
  let fired = false;
  const around = async (n: number, run: () => unknown) => {
    if (fired || n !== plan.nth) return run();
    fired = true;
    if (plan.when === 'after') await run();
    throw new Error(`simulated crash at ${plan.collection}.${plan.op} #${plan.nth} (${plan.when} the write)`);
  };
  if (plan.op === 'transaction') {
    // Whole transactions (the apply step's checkpoint): committed or not, the reply is lost.
    let calls = 0;
    const wrapped = new Proxy(db, {
      get(object, prop) {
        const value = Reflect.get(object, prop, object) as unknown;
        if (prop === 'runTransaction') return (...args: unknown[]) => around(++calls, () => (value as AnyFunction).apply(object, args));
        return typeof value === 'function' ? (value as AnyFunction).bind(object) : value;
      },
    });
    return { db: wrapped, fired: () => fired };
  }
  return { db: interceptDb(db, plan.collection, plan.op, around, plan.matches), fired: () => fired };
}

/** The update that removes an import's holds (a hold sets a date; a release removes the key). */
function isRelease(options: unknown): boolean {
  const holds = (options as { data?: { importHolds?: Record<string, unknown> } }).data?.importHolds;
  return Boolean(holds) && Object.values(holds as object).every((value) => !(value instanceof Date));
}

const CRASHES: [string, CrashPlan][] = [
  ['a member update fails mid-batch, before it is written', { collection: 'members', op: 'update', nth: 230, when: 'before' }],
  ['a member update is written but its reply is lost', { collection: 'members', op: 'update', nth: 120, when: 'after' }],
  ['a deactivation is written but its reply is lost', { collection: 'members', op: 'update', nth: 265, when: 'after' }],
  ['a batch of adds fails before it is written', { collection: 'members', op: 'add', nth: 1, when: 'before' }],
  ['a batch of adds is written but its reply is lost', { collection: 'members', op: 'add', nth: 2, when: 'after' }],
  ['the checkpoint of the second batch fails before it commits', { collection: 'imports', op: 'transaction', nth: 2, when: 'before' }],
  ['the checkpoint of the second batch commits but its reply is lost', { collection: 'imports', op: 'transaction', nth: 2, when: 'after' }],
  ['holding the units of a batch fails', { collection: 'units', op: 'update', nth: 2, when: 'before' }],
  [
    'releasing the units at the end fails',
    { collection: 'units', op: 'update', nth: 1, when: 'before', matches: (args) => isRelease(args[0]) },
  ],
];

describe('an apply that crashes is resumed by the next call after its lease', () => {
  test.each(CRASHES)('%s', async (_label, plan) => {
    const s = await scenario();
    const crashing = crashingDb(app.db, plan);
    const error = await rejection(applyImport(deps(crashing.db), s.importView.id));
    expect(crashing.fired()).toBe(true);
    expect(String((error as Error).message)).toContain('simulated crash');
    const stuck = dump('imports').find((d) => d._id === s.importView.id) as Doc;
    expect(stuck.status).toBe('applying');

    // The crashed call's lease still holds: another call now is turned away.
    clock = new Date(clock.getTime() + 10_000);
    const busy = await rejection(applyImport(deps(), s.importView.id));
    expect(busy).toBeInstanceOf(AppFailure);
    expect((busy as AppFailure).code).toBe('IMPORT_BUSY');

    // Once the lease has run out (it is compared with deps.now()), the next call finishes the job.
    clock = new Date((stuck.leaseUntil as Date).getTime() + 1_000);
    const view = await applyImport(deps(), s.importView.id);
    expect(view).toMatchObject({ status: 'applied', progress: { done: 730, total: 730 }, skipped: 0 });
    expectApplied(s);

    // And a further call changes nothing.
    const members = dump('members');
    expect(await applyImport(deps(), s.importView.id)).toEqual(view);
    expect(dump('members')).toEqual(members);
  });
});

describe('concurrent applies of one import', () => {
  test('two at once: one applies, the other is busy or sees it applied', async () => {
    const s = await scenario();
    const settled = await Promise.allSettled([applyImport(deps(), s.importView.id), applyImport(deps(), s.importView.id)]);
    for (const result of settled) {
      if (result.status === 'fulfilled') expect(['applying', 'applied']).toContain(result.value.status);
      else expect(result.reason).toMatchObject({ code: 'IMPORT_BUSY' });
    }
    expect(settled.some((result) => result.status === 'fulfilled')).toBe(true);
    for (let i = 0; i < 20; i++) {
      const view = await applyImport(deps(), s.importView.id).catch((error: unknown) => {
        if ((error as AppFailure).code === 'IMPORT_BUSY') return null;
        throw error;
      });
      if (view?.status === 'applied') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expectApplied(s);
  });

  test('three callers looping with a short budget finish it between them, each change once', async () => {
    const s = await scenario();
    const progress: number[] = [];
    const loop = async (): Promise<void> => {
      for (let i = 0; i < 200; i++) {
        try {
          const view = await applyImport(deps(app.db, { applyBudgetMs: 30 }), s.importView.id);
          progress.push(view.progress.done);
          if (view.status === 'applied') return;
        } catch (error) {
          if ((error as AppFailure).code !== 'IMPORT_BUSY') throw error;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
      throw new Error(`not applied; progress seen: ${progress.join(',')}`);
    };
    await Promise.all([loop(), loop(), loop()]);
    expectApplied(s);
  }, 60_000);
});

describe('what the apply step checks against the roster of now', () => {
  test('a preview older than 24 hours is refused as IMPORT_EXPIRED and marked expired; nothing is written', async () => {
    const s = await scenario();
    const members = dump('members');
    clock = new Date(clock.getTime() + 24 * 3600_000 + 60_000);
    const error = await rejection(applyImport(deps(), s.importView.id));
    expect(error).toBeInstanceOf(AppFailure);
    expect((error as AppFailure).code).toBe('IMPORT_EXPIRED');
    expect(dump('imports').find((d) => d._id === s.importView.id)).toMatchObject({ status: 'expired', done: 0 });
    expect(dump('members')).toEqual(members);
    expect((await rejection(applyImport(deps(), s.importView.id)) as AppFailure).code).toBe('IMPORT_EXPIRED');
  });

  test('a unit deleted while a call is applying does not end up with members placed in it', async () => {
    const d = deps();
    const college = await createUnit(d, 'root', '计算机学院', 'college');
    const classA = await createUnit(d, college.id, '软件2301班', 'class');
    const classB = await createUnit(d, college.id, '软件2302班', 'class');
    const fileId = 'cloud://env.bucket/imports/u2/roster.csv';
    files.set(fileId, Buffer.from(['姓名,学号,单位', '甲,N01,计算机学院/软件2301班', '乙,N02,计算机学院/软件2302班'].join('\n')));
    const view = await previewImport(d, 'admin-user', { fileId, fileName: 'roster.csv', deactivateMissing: false });
    expect(view.counts).toMatchObject({ add: 2, invalid: 0 });

    // An admin deletes the (still empty) class just before the apply step inserts the batch.
    let deleted: unknown = 'not attempted';
    const racing = interceptDb(app.db, 'members', 'add', async (n, run) => {
      if (n === 1) deleted = await deleteUnit(deps(), classB.id).then(() => 'deleted', (error: unknown) => (error as AppFailure).code);
      return run();
    });
    await applyImport(deps(racing), view.id).catch(() => undefined);
    for (let i = 0; i < 5; i++) {
      clock = new Date(clock.getTime() + 120_000);
      const current = await applyImport(deps(), view.id).catch(() => null);
      if (current?.status === 'applied') break;
    }
    const unitIds = new Set(dump('units').map((u) => u._id));
    const stranded = dump('members').filter((m) => !(m.unitIds as string[]).every((id) => unitIds.has(id)));
    // Either the delete is refused, or the member is not placed: never a member in a unit that is gone.
    expect({ deleted, stranded: stranded.map((m) => m.number) }).toEqual({ deleted: expect.anything(), stranded: [] });
    expect(dump('members').find((m) => m.number === 'N01')).toMatchObject({ unitIds: [classA.id] });
  });

  test('old previews are purged when a preview starts, however many expired ones there are', async () => {
    const old = new Date(clock.getTime() - 10 * 24 * 3600_000);
    const shared = { fileId: 'cloud://env.bucket/imports/x.csv', fileName: 'x.csv', deactivateMissing: false, counts: { rows: 1, add: 1, update: 0, deactivate: 0, unchanged: 0, invalid: 0 } };
    const importDoc = (id: string, status: string) => ({
      ...shared, _id: id, status, total: 1, done: 0, skipped: 0, cursor: '', affectedUnitIds: [], leaseUntil: new Date(0), leaseToken: null,
      createdBy: 'admin-user', createdAt: old, expiresAt: new Date(old.getTime() + 24 * 3600_000), appliedAt: null, updatedAt: old,
    });
    // Thirty old previews purged earlier, then one old preview nobody applied, with its items.
    app.cloud.engine.insertDocuments('imports', Array.from({ length: 30 }, (_, i) => importDoc(`imp_20260210000000_a${pad(i)}`, 'expired')));
    app.cloud.engine.insertDocuments('imports', [importDoc('imp_20260210000000_zzzz', 'previewed')]);
    app.cloud.engine.insertDocuments('import_items', [{ _id: 'imp_20260210000000_zzzz:000000', importId: 'imp_20260210000000_zzzz', category: 'invalid', line: 2, name: 'x', number: 'x', reasons: [] }]);

    const d = deps();
    await createUnit(d, 'root', '计算机学院', 'college');
    const fileId = 'cloud://env.bucket/imports/u3/roster.csv';
    files.set(fileId, Buffer.from('姓名,学号,单位\n甲,N01,计算机学院\n', 'utf8'));
    await previewImport(d, 'admin-user', { fileId, fileName: 'roster.csv', deactivateMissing: false });
    expect(dump('imports').find((doc) => doc._id === 'imp_20260210000000_zzzz')).toMatchObject({ status: 'expired' });
    expect(dump('import_items').filter((item) => item.importId === 'imp_20260210000000_zzzz')).toEqual([]);
  });
});

describe('unit holds are per import', () => {
  /** An empty class, and a roster file adding one member to it. */
  async function emptyClassAndFile(d: ImportDeps, number: string) {
    const fileId = `cloud://env.bucket/imports/u4/${number}.csv`;
    files.set(fileId, Buffer.from(['姓名,学号,单位', `成员${number},${number},计算机学院/软件2303班`].join('\n')));
    return previewImport(d, 'admin-user', { fileId, fileName: `${number}.csv`, deactivateMissing: false });
  }

  function holdsOf(unitId: string): string[] {
    return Object.keys((dump('units').find((u) => u._id === unitId)?.importHolds as object | undefined) ?? {});
  }

  test('the import that finishes first releases only its own hold: the other still keeps the unit from deletion', async () => {
    const d = deps();
    const college = await createUnit(d, 'root', '计算机学院', 'college');
    const target = await createUnit(d, college.id, '软件2303班', 'class');
    const elsewhere = await createUnit(d, college.id, '软件2304班', 'class');
    const first = await emptyClassAndFile(d, 'A01');
    const second = await emptyClassAndFile(d, 'B01');
    // B01 is taken after the second preview: that import holds the class, then places nobody.
    app.cloud.engine.insertDocuments('members', [{ _id: 'm_b01', name: '别人', number: 'B01', phone: null, kind: 'student', unitIds: [elsewhere.id], title: null, wecomUserId: null, observes: [], active: true, userId: null, rev: 'r', fieldsRev: 'f', wecomKey: 'none:m_b01', createdAt: clock, updatedAt: clock, deactivatedAt: null }]);

    // The first import has held the class and is about to insert; meanwhile the second runs to the end and an admin deletes the (still empty) class.
    const seen: { holdsDuring?: string[]; secondStatus?: string; deleted?: string } = {};
    const racing = interceptDb(app.db, 'members', 'add', async (n, run) => {
      if (n === 1) {
        seen.secondStatus = (await applyImport(deps(), second.id)).status;
        seen.holdsDuring = holdsOf(target.id);
        seen.deleted = await deleteUnit(deps(), target.id).then(() => 'deleted', (error: unknown) => (error as AppFailure).code);
      }
      return run();
    });
    const view = await applyImport(deps(racing), first.id);

    expect(seen).toEqual({ secondStatus: 'applied', holdsDuring: [first.id], deleted: 'UNIT_NOT_EMPTY' });
    expect(view).toMatchObject({ status: 'applied', skipped: 0 });
    expect(dump('members').find((m) => m.number === 'A01')).toMatchObject({ unitIds: [target.id] });
    expect(dump('units').find((u) => u._id === target.id)).toMatchObject({ rosterCount: 1 });
    expect(holdsOf(target.id)).toEqual([]);
  });

  test('the hold of an import that died lapses with its lease: the unit can be deleted, and the resumed import skips it', async () => {
    const d = deps();
    const college = await createUnit(d, 'root', '计算机学院', 'college');
    const target = await createUnit(d, college.id, '软件2303班', 'class');
    const view = await emptyClassAndFile(d, 'A01');
    const crashing = crashingDb(app.db, { collection: 'members', op: 'add', nth: 1, when: 'before' });
    await rejection(applyImport(deps(crashing.db), view.id));
    expect(holdsOf(target.id)).toEqual([view.id]);

    // While the hold is live the class cannot go; after it lapsed it can, although the import never finished.
    expect(await rejection(deleteUnit(deps(), target.id))).toMatchObject({ code: 'UNIT_NOT_EMPTY' });
    clock = new Date(clock.getTime() + 31_000);
    await deleteUnit(deps(), target.id);

    const resumed = await applyImport(deps(), view.id);
    expect(resumed).toMatchObject({ status: 'applied', skipped: 1 });
    expect(dump('members')).toEqual([]);
  });
});
