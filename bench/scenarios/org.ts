/**
 * The organisation at a realistic size: 22 colleges, 700 classes and 25,000 active members,
 * one college holding 5,000 members in 100 classes of 50. Measured over HTTP as the
 * mini-program calls: a class's member page, a search in it, audience resolution for the
 * large college, and the import of a 10,000-row roster file (preview, then apply in as many
 * calls as it takes).
 */
import { fileIdOf } from '../../local-cloud/src/stand-ins/storage';
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { identityId } from '../../server/db/collections';
import { ROOT_UNIT_ID, UNIT_TREE_DOC_ID } from '../../server/org/model';
import { invokeAction, measure, type Measurement } from '../harness';

const COLLEGES = 20;
const CLASSES_PER_COLLEGE = 25;
const MEMBERS_PER_CLASS = 40;
const BIG_COLLEGE_CLASSES = 100;
const BIG_CLASS_SIZE = 50;
const IMPORT_ROWS = 10_000;
const APPID = 'wx-bench-org';

const ADMIN = { 'X-WX-OPENID': 'demo-admin-openid', 'X-WX-APPID': 'wx-demo-appid', 'X-WX-UNIONID': 'demo-admin-unionid' };
const STUDENT = { 'X-WX-OPENID': 'bench-student', 'X-WX-APPID': APPID };

function invoke<T>(cloud: RunningLocalCloud, headers: Record<string, string>, action: string, request: Record<string, unknown> = {}): Promise<T> {
  return invokeAction<T>(cloud, 'org', headers, action, request);
}

function populate(cloud: RunningLocalCloud): { bigCollege: string; bigClass: string; unitCount: number } {
  const engine = cloud.cloud.engine;
  const now = new Date();
  const units: Record<string, unknown>[] = [];
  const members: Record<string, unknown>[] = [];
  const unitDoc = (id: string, name: string, kind: string, parentId: string, childCount: number, memberCount: number) => ({
    _id: id, name, kind, parentId, childCount, memberCount, rosterCount: memberCount, createdAt: now, updatedAt: now,
  });
  let n = 0;
  const addClass = (collegeId: string, classId: string, name: string, size: number) => {
    units.push(unitDoc(classId, name, 'class', collegeId, 0, size));
    for (let i = 0; i < size; i += 1) {
      n += 1;
      members.push({
        _id: `m_bench_${String(n).padStart(6, '0')}`, name: `成员${n}`, number: `B${String(n).padStart(7, '0')}`,
        phone: `+86139${String(n).padStart(8, '0')}`, kind: 'student', unitIds: [classId], title: null, wecomUserId: null,
        observes: [], active: true, userId: null, rev: 'bench', fieldsRev: 'bench', wecomKey: `none:m_bench_${String(n).padStart(6, '0')}`, createdAt: now, updatedAt: now, deactivatedAt: null,
      });
    }
  };
  for (let c = 0; c < COLLEGES; c += 1) {
    const collegeId = `u_bench_c${c}`;
    units.push(unitDoc(collegeId, `学院${c}`, 'college', ROOT_UNIT_ID, CLASSES_PER_COLLEGE, 0));
    for (let k = 0; k < CLASSES_PER_COLLEGE; k += 1) addClass(collegeId, `u_bench_c${c}_k${k}`, `班级${c}-${k}`, MEMBERS_PER_CLASS);
  }
  const bigCollege = 'u_bench_big';
  units.push(unitDoc(bigCollege, '大学院', 'college', ROOT_UNIT_ID, BIG_COLLEGE_CLASSES, 0));
  for (let k = 0; k < BIG_COLLEGE_CLASSES; k += 1) addClass(bigCollege, `u_bench_big_k${String(k).padStart(3, '0')}`, `大班${k}`, BIG_CLASS_SIZE);
  const importCollege = 'u_bench_import';
  units.push(unitDoc(importCollege, '导入学院', 'college', ROOT_UNIT_ID, 100, 0));
  for (let k = 0; k < 100; k += 1) units.push(unitDoc(`u_bench_import_k${k}`, `导入班${k}`, 'class', importCollege, 0, 0));
  engine.insertDocuments('units', units);
  engine.insertDocuments('members', members);
  // The root's counters and a new tree revision, as a structural change would leave them.
  engine.modify('units', { query: { _id: ROOT_UNIT_ID }, data: { $inc: { childCount: COLLEGES + 2 } }, multi: false, merge: true, upsert: false });
  engine.modify('settings', { query: { _id: UNIT_TREE_DOC_ID }, data: { $set: { rev: `bench-${Date.now()}` } }, multi: false, merge: true, upsert: true });
  // A student bound to a member of the first large class, signing in as the mini-program does.
  const bigClass = 'u_bench_big_k000';
  const student = members.find((m) => (m.unitIds as string[])[0] === bigClass) as Record<string, unknown>;
  engine.modify('members', { query: { _id: student._id }, data: { $set: { userId: 'bench-student-user' } }, multi: false, merge: true, upsert: false });
  engine.insertDocuments('users', [{
    _id: 'bench-student-user', nickname: '学生', avatarFileId: null, roles: [], wecom: null, profileEditedAt: null, createdAt: now, updatedAt: now,
    member: { id: student._id, name: student.name, number: student.number, kind: 'student', unitNames: ['大班0'] },
  }]);
  engine.insertDocuments('identities', [{ _id: identityId('wx-openid', `${APPID}:bench-student`), kind: 'wx-openid', key: `${APPID}:bench-student`, userId: 'bench-student-user', createdAt: now }]);
  return { bigCollege, bigClass, unitCount: units.length + 1 };
}

function rosterCsv(rows: number): Buffer {
  const lines = ['姓名,学号,手机号,类型,单位'];
  for (let i = 0; i < rows; i += 1) {
    lines.push(`导入${i},I${String(i).padStart(7, '0')},138${String(i).padStart(8, '0')},学生,导入学院/导入班${i % 100}`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

export async function orgScenario(cloud: RunningLocalCloud): Promise<Measurement[]> {
  const { bigCollege, bigClass, unitCount } = populate(cloud);
  const counter = () => cloud.cloud.dbRequestsTotal;
  const rosterSize = `${(COLLEGES * CLASSES_PER_COLLEGE * MEMBERS_PER_CLASS + BIG_COLLEGE_CLASSES * BIG_CLASS_SIZE).toLocaleString('en')} members, ${unitCount} units`;
  const rows: Measurement[] = [];
  rows.push(
    await measure('org', {
      operation: 'directory.unitMembers, class of 50, first page (student)',
      size: rosterSize,
      calls: 200,
      run: () => invoke(cloud, STUDENT, 'directory.unitMembers', { unitId: bigClass }),
    }, counter),
  );
  rows.push(
    await measure('org', {
      operation: 'directory.unitMembers, search by name prefix (student)',
      size: rosterSize,
      calls: 200,
      run: () => invoke(cloud, STUDENT, 'directory.unitMembers', { unitId: bigClass, query: '成员2' }),
    }, counter),
  );
  rows.push(
    await measure('org', {
      operation: 'audience.count, college of 5,000 in 100 classes',
      size: rosterSize,
      calls: 50,
      run: () => invoke(cloud, ADMIN, 'audience.count', { unitIds: [bigCollege], memberIds: [] }),
    }, counter),
  );
  rows.push(
    await measure('org', {
      operation: 'audience.members, one page of 50 of that college',
      size: rosterSize,
      calls: 100,
      run: () => invoke(cloud, ADMIN, 'audience.members', { unitIds: [bigCollege], memberIds: [] }),
    }, counter),
  );
  let reached = 0;
  rows.push(
    await measure('org', {
      operation: 'audience.members, whole college (100 pages of 50)',
      size: rosterSize,
      calls: 1,
      warmup: 0,
      run: async () => {
        let after: string | null = null;
        reached = 0;
        do {
          const page: { items: unknown[]; next: string | null } = await invoke(cloud, ADMIN, 'audience.members', after ? { unitIds: [bigCollege], memberIds: [], after } : { unitIds: [bigCollege], memberIds: [] });
          reached += page.items.length;
          after = page.next;
        } while (after);
      },
    }, counter),
  );
  if (reached !== BIG_COLLEGE_CLASSES * BIG_CLASS_SIZE) throw new Error(`audience reached ${reached} members, expected ${BIG_COLLEGE_CLASSES * BIG_CLASS_SIZE}`);

  const cloudPath = 'imports/bench/roster-10000.csv';
  cloud.cloud.storage.put(cloudPath, rosterCsv(IMPORT_ROWS), 'text/csv');
  let importId = '';
  const importSize = `${IMPORT_ROWS.toLocaleString('en')} rows into ${rosterSize}`;
  rows.push(
    await measure('org', {
      operation: 'imports.preview, 10,000 new members (CSV)',
      size: importSize,
      calls: 1,
      warmup: 0,
      run: async () => {
        const view = await invoke<{ id: string; counts: { add: number } }>(cloud, ADMIN, 'imports.preview', { fileId: fileIdOf(cloudPath), fileName: 'roster-10000.csv', deactivateMissing: false });
        if (view.counts.add !== IMPORT_ROWS) throw new Error(`preview found ${view.counts.add} rows to add`);
        importId = view.id;
      },
    }, counter),
  );
  let applyCalls = 0;
  rows.push(
    await measure('org', {
      operation: 'imports.apply until applied (all calls together)',
      size: importSize,
      calls: 1,
      warmup: 0,
      run: async () => {
        let status = 'applying';
        while (status !== 'applied') {
          applyCalls += 1;
          status = (await invoke<{ status: string }>(cloud, ADMIN, 'imports.apply', { importId })).status;
        }
      },
    }, counter),
  );
  rows[rows.length - 1].operation += ` [${applyCalls} call${applyCalls === 1 ? '' : 's'}]`;
  rows.push(
    await measure('org', {
      operation: 'imports.preview, same file again (nothing to change)',
      size: importSize,
      calls: 1,
      warmup: 0,
      run: async () => {
        // The preview removes the file it read (rosters hold phone numbers): upload it again.
        cloud.cloud.storage.put(cloudPath, rosterCsv(IMPORT_ROWS), 'text/csv');
        const view = await invoke<{ counts: { unchanged: number } }>(cloud, ADMIN, 'imports.preview', { fileId: fileIdOf(cloudPath), fileName: 'roster-10000.csv', deactivateMissing: false });
        if (view.counts.unchanged !== IMPORT_ROWS) throw new Error(`re-import found ${IMPORT_ROWS - view.counts.unchanged} changes`);
      },
    }, counter),
  );
  return rows;
}
