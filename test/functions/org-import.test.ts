/**
 * Roster import through the `org` function on the real wx-server-sdk: preview, the items it
 * lists, apply (in chunks, repeated, concurrent), deactivating missing members, stale rows, the
 * file formats (CSV in UTF-8 and GBK, XLSX) and the errors. Roster files are put straight into
 * the local cloud's storage under `imports/`, as the mini-program's upload would.
 */
import { Workbook } from 'exceljs';
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { cloudPathOf, fileIdOf } from '../../local-cloud/src/stand-ins/storage';
import type { ImportItemCategory, ImportItemView, ImportView, MemberDetail, MemberInput, Page, Result, UnitView } from '../../typings';
import { type Caller, call, issuePhoneCode, startTestCloud } from '../helpers/local-cloud';

const ADMIN: Caller = { openid: 'demo-admin-openid', appid: 'wx-demo-appid', unionid: 'demo-admin-unionid' };
const MEMBER: Caller = { openid: 'demo-member-1-openid', appid: 'wx-demo-appid', unionid: 'demo-member-1-unionid' };
const ORG_NAME = '测试大学';

let cloud: RunningLocalCloud;
let seq = 0;

beforeAll(async () => {
  cloud = await startTestCloud({ functionEnv: { XINTONG_ORG_NAME: ORG_NAME } });
});

afterAll(async () => {
  await cloud.close();
});

/** A fresh label per use: unit names and member numbers never collide between tests. */
function unique(): string {
  seq += 1;
  return `${Date.now().toString(36).slice(-4)}${seq}`.toUpperCase();
}

type Doc = Record<string, unknown>;

function docs(c: RunningLocalCloud, collection: string): Doc[] {
  return c.cloud.engine.dump(collection) as Doc[];
}

function memberDocs(c: RunningLocalCloud, prefix: string): Doc[] {
  return docs(c, 'members')
    .filter((doc) => String(doc.number).startsWith(prefix))
    .sort((a, b) => String(a.number).localeCompare(String(b.number)));
}

function byNumber(c: RunningLocalCloud, number: string): Doc {
  const found = docs(c, 'members').filter((doc) => doc.number === number);
  if (found.length !== 1) throw new Error(`expected one member ${number}, found ${found.length}`);
  return found[0];
}

async function org<T>(c: RunningLocalCloud, action: string, request: Record<string, unknown> = {}, caller: Caller = ADMIN): Promise<Result<T>> {
  const reply = await call<Result<T>>(c, 'org', { action, ...request }, caller);
  if (reply.status !== 200) throw new Error(`org.${action}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

async function ok<T>(c: RunningLocalCloud, action: string, request: Record<string, unknown> = {}, caller: Caller = ADMIN): Promise<T> {
  const result = await org<T>(c, action, request, caller);
  if (!result.ok) throw new Error(`org.${action} failed: ${JSON.stringify(result.error)}`);
  return result.data;
}

async function errorOf(c: RunningLocalCloud, action: string, request: Record<string, unknown> = {}, caller: Caller = ADMIN) {
  const result = await org<unknown>(c, action, request, caller);
  if (result.ok) throw new Error(`org.${action} succeeded, expected a failure: ${JSON.stringify(result.data)}`);
  return result.error;
}

/** Puts a file where the mini-program's upload puts roster files; returns its file id. */
function upload(c: RunningLocalCloud, name: string, content: Buffer | string, folder = 'imports'): string {
  const cloudPath = `${folder}/t-${unique()}/${name}`;
  c.cloud.storage.put(cloudPath, Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'));
  return fileIdOf(cloudPath);
}

function csv(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n`;
}

async function preview(c: RunningLocalCloud, fileId: string, fileName: string, deactivateMissing = false): Promise<ImportView> {
  return ok<ImportView>(c, 'imports.preview', { fileId, fileName, deactivateMissing });
}

async function previewCsv(c: RunningLocalCloud, lines: string[], deactivateMissing = false): Promise<ImportView> {
  return preview(c, upload(c, 'roster.csv', csv(lines)), 'roster.csv', deactivateMissing);
}

async function items(c: RunningLocalCloud, importId: string, category: ImportItemCategory): Promise<ImportItemView[]> {
  const out: ImportItemView[] = [];
  let after: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result: Page<ImportItemView> = await ok(c, 'imports.items', { importId, category, ...(after ? { after } : {}) });
    out.push(...result.items);
    if (!result.next) return out;
    after = result.next;
  }
  throw new Error('imports.items does not end');
}

/** Calls `imports.apply` until the import is applied; every reply, in order. */
async function applyUntilDone(c: RunningLocalCloud, importId: string, maxCalls = 40): Promise<ImportView[]> {
  const replies: ImportView[] = [];
  for (let i = 0; i < maxCalls; i++) {
    const result = await org<ImportView>(c, 'imports.apply', { importId });
    if (!result.ok) {
      if (result.error.code === 'IMPORT_BUSY') continue;
      throw new Error(`imports.apply failed: ${JSON.stringify(result.error)}`);
    }
    replies.push(result.data);
    if (result.data.status === 'applied') return replies;
  }
  throw new Error(`not applied after ${maxCalls} calls; progress: ${replies.map((r) => `${r.status} ${r.progress.done}/${r.progress.total}`).join(', ')}`);
}

interface Units {
  college: UnitView;
  classA: UnitView;
  classB: UnitView;
  /** Paths as roster files write them. */
  pathA: string;
  pathB: string;
}

async function makeUnits(c: RunningLocalCloud, label: string): Promise<Units> {
  const college = await ok<UnitView>(c, 'units.create', { parentId: 'root', name: `学院${label}`, kind: 'college' });
  const classA = await ok<UnitView>(c, 'units.create', { parentId: college.id, name: `甲班${label}`, kind: 'class' });
  const classB = await ok<UnitView>(c, 'units.create', { parentId: college.id, name: `乙班${label}`, kind: 'class' });
  return { college, classA, classB, pathA: `${college.name}/${classA.name}`, pathB: `${college.name}/${classB.name}` };
}

async function createMember(c: RunningLocalCloud, member: Partial<MemberInput> & Pick<MemberInput, 'name' | 'number' | 'unitIds'>): Promise<MemberDetail> {
  return ok<MemberDetail>(c, 'members.create', { member: { phone: null, kind: 'student', title: null, wecomUserId: null, ...member } });
}

async function memberCounts(c: RunningLocalCloud, units: Units): Promise<Record<'college' | 'classA' | 'classB', number>> {
  const children = await ok<Page<UnitView>>(c, 'units.children', { parentId: units.college.id });
  const count = (id: string) => children.items.find((unit) => unit.id === id)?.memberCount;
  const college = await ok<UnitView>(c, 'units.get', { unitId: units.college.id });
  return { college: college.memberCount, classA: count(units.classA.id) as number, classB: count(units.classB.id) as number };
}

/** What the roster's members look like, without the fields every write changes. */
function comparable(members: Doc[]): Doc[] {
  return members.map(({ updatedAt, rev, ...rest }) => {
    void updatedAt;
    void rev;
    return rest;
  });
}

describe('a CSV with every kind of row: preview, then apply', () => {
  let units: Units;
  let p: string;
  let wang: MemberDetail;
  let wu: MemberDetail;
  let content: string;
  let view: ImportView;
  let membersBefore: Doc[];

  beforeAll(async () => {
    const label = unique();
    p = `P${label}`;
    units = await makeUnits(cloud, label);
    wang = await createMember(cloud, {
      name: '王老师', number: `${p}900`, phone: '13900000000', kind: 'staff', unitIds: [units.classA.id], title: '辅导员', wecomUserId: 'wang.t',
    });
    wu = await createMember(cloud, { name: '吴老师', number: `${p}901`, phone: '13900000001', kind: 'staff', unitIds: [units.classB.id], title: '班主任' });
    content = csv([
        '姓名,学号,手机号,类型,单位,职务', // 1
        `张三,${p}001,138 0000 0001,学生,${units.pathA},`, // 2: add
        `李四,${p}002,+86 138-0000-0002,,${ORG_NAME}/${units.pathB},班长`, // 3: add, with the organisation's name leading the path
        `王老师,${p}900,13900000009,教职工,${units.pathA};${units.pathB},辅导员`, // 4: update of phone and units
        ',,,,,', // 5: blank, skipped
        `赵六,${p}003,12345,学生,${units.pathA},`, // 6: bad phone
        `钱七,${p}004,13800000004,学生,${units.pathA},`, // 7: number shared with line 8
        `孙八,${p}004,13800000005,学生,${units.pathB},`, // 8
        `周九,${p}005,13800000006,学生,${units.college.name}/不存在的班,`, // 9: unknown unit
        `,${p}006,13800000007,学生,${units.pathA},`, // 10: no name
        `吴老师,${p}901,139 0000 0001,,${units.pathB},`, // 11: update: the empty title clears it, the empty kind keeps it
    ]);
    membersBefore = comparable(docs(cloud, 'members'));
    view = await preview(cloud, upload(cloud, '花名册.csv', content), '花名册.csv');
  });

  test('the preview counts each kind of row exactly and changes no member', async () => {
    expect(view).toMatchObject({
      fileName: '花名册.csv',
      status: 'previewed',
      deactivateMissing: false,
      counts: { rows: 9, add: 2, update: 2, deactivate: 0, unchanged: 0, invalid: 5 },
      progress: { done: 0, total: 4 },
      skipped: 0,
      appliedAt: null,
    });
    expect(view.createdAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(await ok<ImportView>(cloud, 'imports.get', { importId: view.id })).toEqual(view);
    expect(comparable(docs(cloud, 'members'))).toEqual(membersBefore);
    expect(memberDocs(cloud, p).map((doc) => doc.number)).toEqual([`${p}900`, `${p}901`]);
  });

  test('invalid rows are listed with their spreadsheet line numbers and reasons', async () => {
    const invalid = await items(cloud, view.id, 'invalid');
    expect(invalid.map((item) => ({ line: item.line, category: item.category, name: item.name, number: item.number, codes: item.reasons.map((r) => r.code) }))).toEqual([
      { line: 6, category: 'invalid', name: '赵六', number: `${p}003`, codes: ['PHONE_INVALID'] },
      { line: 7, category: 'invalid', name: '钱七', number: `${p}004`, codes: ['NUMBER_DUPLICATE'] },
      { line: 8, category: 'invalid', name: '孙八', number: `${p}004`, codes: ['NUMBER_DUPLICATE'] },
      { line: 9, category: 'invalid', name: '周九', number: `${p}005`, codes: ['UNIT_UNKNOWN'] },
      { line: 10, category: 'invalid', name: '', number: `${p}006`, codes: ['NAME_MISSING'] },
    ]);
    for (const item of invalid) {
      expect(item.changes).toEqual([]);
      for (const reason of item.reasons) expect(reason.message).toEqual(expect.stringMatching(/\S/));
    }
    // Each duplicate points at the other line.
    expect(invalid[1].reasons[0].message).toContain('8');
    expect(invalid[2].reasons[0].message).toContain('7');
    expect(invalid[0].reasons[0].message).toContain('12345');
  });

  test('adds and updates are listed; an update shows each changed field before and after', async () => {
    const adds = await items(cloud, view.id, 'add');
    expect(adds.map((item) => [item.line, item.name, item.number, item.changes, item.reasons])).toEqual([
      [2, '张三', `${p}001`, [], []],
      [3, '李四', `${p}002`, [], []],
    ]);
    const updates = await items(cloud, view.id, 'update');
    expect(updates).toEqual([
      {
        line: 4,
        category: 'update',
        name: '王老师',
        number: `${p}900`,
        changes: [
          { field: 'phone', before: '+8613900000000', after: '+8613900000009' },
          { field: 'unitIds', before: units.pathA, after: `${units.pathA}；${units.pathB}` },
        ],
        reasons: [],
      },
      { line: 11, category: 'update', name: '吴老师', number: `${p}901`, changes: [{ field: 'title', before: '班主任', after: '' }], reasons: [] },
    ]);
    expect(await items(cloud, view.id, 'deactivate')).toEqual([]);
    expect(await items(cloud, view.id, 'skipped')).toEqual([]);
  });

  test('apply: status applied, the members written with E.164 phones and their units, counters recounted', async () => {
    const replies = await applyUntilDone(cloud, view.id);
    const applied = replies[replies.length - 1];
    expect(applied).toMatchObject({ id: view.id, status: 'applied', counts: view.counts, progress: { done: 4, total: 4 }, skipped: 0 });
    expect(applied.appliedAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);

    expect(memberDocs(cloud, p).map((doc) => doc.number)).toEqual([`${p}001`, `${p}002`, `${p}900`, `${p}901`]);
    expect(byNumber(cloud, `${p}001`)).toMatchObject({ name: '张三', phone: '+8613800000001', kind: 'student', unitIds: [units.classA.id], title: null, wecomUserId: null, active: true, userId: null });
    expect(byNumber(cloud, `${p}002`)).toMatchObject({ name: '李四', phone: '+8613800000002', kind: 'student', unitIds: [units.classB.id], title: '班长', active: true });
    // The file has no WeCom column: the userid is left alone.
    expect(byNumber(cloud, `${p}900`)).toMatchObject({ _id: wang.id, phone: '+8613900000009', kind: 'staff', unitIds: [units.classA.id, units.classB.id], title: '辅导员', wecomUserId: 'wang.t', active: true });
    expect(byNumber(cloud, `${p}901`)).toMatchObject({ _id: wu.id, phone: '+8613900000001', kind: 'staff', title: null, unitIds: [units.classB.id] });

    expect(await memberCounts(cloud, units)).toEqual({ college: 0, classA: 2, classB: 3 });
    // The new members are visible through the function too.
    const added = await ok<MemberDetail>(cloud, 'directory.member', { memberId: byNumber(cloud, `${p}001`)._id });
    expect(added).toMatchObject({ name: '张三', phone: '+8613800000001', units: [{ id: units.classA.id, path: units.pathA }] });
  });

  test('the same file previewed again changes nothing; its apply is a no-op', async () => {
    // The preview removed the upload: the admin uploads the same file again.
    const again = await preview(cloud, upload(cloud, '花名册.csv', content), '花名册.csv');
    expect(again.counts).toEqual({ rows: 9, add: 0, update: 0, deactivate: 0, unchanged: 4, invalid: 5 });
    expect(again.progress).toEqual({ done: 0, total: 0 });
    const before = docs(cloud, 'members');
    const replies = await applyUntilDone(cloud, again.id);
    expect(replies[replies.length - 1]).toMatchObject({ status: 'applied', progress: { done: 0, total: 0 }, skipped: 0 });
    expect(docs(cloud, 'members')).toEqual(before);
  });

  test('applying an applied import again returns it unchanged and writes nothing', async () => {
    const first = await ok<ImportView>(cloud, 'imports.get', { importId: view.id });
    const before = { members: docs(cloud, 'members'), units: docs(cloud, 'units'), imports: docs(cloud, 'imports') };
    const again = await ok<ImportView>(cloud, 'imports.apply', { importId: view.id });
    expect(again).toEqual(first);
    expect({ members: docs(cloud, 'members'), units: docs(cloud, 'units'), imports: docs(cloud, 'imports') }).toEqual(before);
  });
});

describe('deactivating members missing from the file', () => {
  // Its own cloud: deactivation considers the whole roster.
  let c: RunningLocalCloud;
  let units: Units;
  let p: string;
  let file: string[];

  beforeAll(async () => {
    c = await startTestCloud({ functionEnv: { XINTONG_ORG_NAME: ORG_NAME } });
    const label = unique();
    p = `D${label}`;
    units = await makeUnits(c, label);
    await createMember(c, { name: '甲', number: `${p}01`, phone: '13800000001', unitIds: [units.classA.id] });
    await createMember(c, { name: '乙', number: `${p}02`, phone: '13800000002', unitIds: [units.classA.id] });
    await createMember(c, { name: '丙', number: `${p}03`, phone: '13800000003', unitIds: [units.classB.id] });
    await createMember(c, { name: '丁', number: `${p}04`, phone: '13800000004', unitIds: [units.classB.id] });
    const e = await createMember(c, { name: '戊', number: `${p}05`, phone: '13800000005', unitIds: [units.classA.id] });
    await ok(c, 'members.deactivate', { memberId: e.id });
    file = [
      '姓名,学号,手机号,单位',
      `甲,${p}01,13800000001,${units.pathA}`, // unchanged
      `丙,${p}03,not-a-phone,${units.pathB}`, // invalid, but names 丙's number
      `新人,${p}06,13800000006,${units.pathB}`, // add
    ];
  });

  afterAll(async () => {
    await c.close();
  });

  test('without deactivateMissing nobody is deactivated', async () => {
    const activeBefore = docs(c, 'members').filter((doc) => doc.active).map((doc) => doc._id).sort();
    const view = await previewCsv(c, file, false);
    expect(view.counts).toEqual({ rows: 3, add: 1, update: 0, deactivate: 0, unchanged: 1, invalid: 1 });
    expect(await items(c, view.id, 'deactivate')).toEqual([]);
    await applyUntilDone(c, view.id);
    const stillActive = docs(c, 'members').filter((doc) => doc.active).map((doc) => doc._id);
    expect(stillActive).toEqual(expect.arrayContaining(activeBefore));
    expect(stillActive).toHaveLength(activeBefore.length + 1);
    expect(byNumber(c, `${p}06`)).toMatchObject({ name: '新人', active: true, unitIds: [units.classB.id] });
    expect(await memberCounts(c, units)).toEqual({ college: 0, classA: 2, classB: 3 });
  });

  test('with it, exactly the active members whose number is on no row are deactivated', async () => {
    const inFile = new Set([`${p}01`, `${p}03`, `${p}06`]);
    // The whole roster counts, including any member other tests or demo data put there.
    const expected = docs(c, 'members').filter((doc) => doc.active && !inFile.has(String(doc.number)));
    expect(expected.map((doc) => doc.number)).toEqual(expect.arrayContaining([`${p}02`, `${p}04`]));
    const view = await previewCsv(c, file, true);
    expect(view.deactivateMissing).toBe(true);
    expect(view.counts).toEqual({ rows: 3, add: 0, update: 0, deactivate: expected.length, unchanged: 2, invalid: 1 });
    const listed = await items(c, view.id, 'deactivate');
    expect(listed.map((item) => item.number).sort()).toEqual(expected.map((doc) => String(doc.number)).sort());
    for (const item of listed) expect(item).toMatchObject({ line: null, category: 'deactivate', changes: [], reasons: [] });
    expect(listed.find((item) => item.number === `${p}02`)?.name).toBe('乙');

    const replies = await applyUntilDone(c, view.id);
    expect(replies[replies.length - 1]).toMatchObject({ status: 'applied', progress: { done: expected.length, total: expected.length }, skipped: 0 });
    for (const doc of expected) expect(byNumber(c, String(doc.number))).toMatchObject({ active: false, deactivatedAt: expect.any(Date) });
    // 丙's row is invalid but carries its number: kept. 戊 was already inactive: untouched.
    expect(byNumber(c, `${p}01`).active).toBe(true);
    expect(byNumber(c, `${p}03`)).toMatchObject({ active: true, phone: '+8613800000003' });
    expect(byNumber(c, `${p}06`).active).toBe(true);
    expect(byNumber(c, `${p}05`).active).toBe(false);
    expect(docs(c, 'members').filter((doc) => doc.active).map((doc) => doc.number).sort()).toEqual([...inFile].sort());
    expect(await memberCounts(c, units)).toEqual({ college: 0, classA: 1, classB: 2 });
  });

  test('a deactivated member found in a later file is restored', async () => {
    const view = await previewCsv(c, ['姓名,学号', `乙,${p}02`, `戊,${p}05`], false);
    expect(view.counts).toEqual({ rows: 2, add: 0, update: 2, deactivate: 0, unchanged: 0, invalid: 0 });
    const updates = await items(c, view.id, 'update');
    expect(updates.map((item) => [item.line, item.number, item.changes])).toEqual([
      [2, `${p}02`, [{ field: 'active', before: '已停用', after: '在册' }]],
      [3, `${p}05`, [{ field: 'active', before: '已停用', after: '在册' }]],
    ]);
    await applyUntilDone(c, view.id);
    expect(byNumber(c, `${p}02`)).toMatchObject({ active: true, deactivatedAt: null, phone: '+8613800000002', unitIds: [units.classA.id] });
    expect(byNumber(c, `${p}05`)).toMatchObject({ active: true, deactivatedAt: null, unitIds: [units.classA.id] });
    expect(await memberCounts(c, units)).toEqual({ college: 0, classA: 3, classB: 2 });
  });
});

test('a member edited after the preview is skipped as ROSTER_CHANGED; the edit survives, the rest applies', async () => {
  const label = unique();
  const p = `S${label}`;
  const units = await makeUnits(cloud, label);
  const edited = await createMember(cloud, { name: '甲', number: `${p}01`, phone: '13800000001', unitIds: [units.classA.id], title: '组员' });
  const other = await createMember(cloud, { name: '乙', number: `${p}02`, phone: '13800000002', unitIds: [units.classA.id], title: '组员' });
  const view = await previewCsv(cloud, [
    '姓名,学号,单位,职务',
    `甲,${p}01,${units.pathA},组长`,
    `乙,${p}02,${units.pathB},副组长`,
    `丙,${p}03,${units.pathB},`,
  ]);
  expect(view.counts).toMatchObject({ add: 1, update: 2, invalid: 0 });

  const current = await ok<MemberDetail>(cloud, 'directory.member', { memberId: edited.id });
  await ok<MemberDetail>(cloud, 'members.update', { memberId: edited.id, rev: current.rev, member: { phone: '13700000000', title: '班长' } });

  const replies = await applyUntilDone(cloud, view.id);
  expect(replies[replies.length - 1]).toMatchObject({ status: 'applied', skipped: 1, progress: { done: 3, total: 3 } });
  expect(await ok<ImportView>(cloud, 'imports.get', { importId: view.id })).toMatchObject({ skipped: 1 });
  const skipped = await items(cloud, view.id, 'skipped');
  expect(skipped).toHaveLength(1);
  expect(skipped[0]).toMatchObject({ line: 2, category: 'skipped', number: `${p}01`, name: '甲' });
  expect(skipped[0].reasons.map((r) => r.code)).toEqual(['ROSTER_CHANGED']);
  expect((await items(cloud, view.id, 'update')).map((item) => item.number)).toEqual([`${p}02`]);

  // The admin's edit survives whole; the other changes are applied.
  expect(byNumber(cloud, `${p}01`)).toMatchObject({ phone: '+8613700000000', title: '班长', unitIds: [units.classA.id] });
  expect(byNumber(cloud, `${p}02`)).toMatchObject({ _id: other.id, title: '副组长', unitIds: [units.classB.id] });
  expect(byNumber(cloud, `${p}03`)).toMatchObject({ name: '丙', unitIds: [units.classB.id], active: true });
  expect(await memberCounts(cloud, units)).toEqual({ college: 0, classA: 1, classB: 2 });
});

test('binding, observing and a bound account do not make a previewed change stale', async () => {
  const label = unique();
  const p = `V${label}`;
  const units = await makeUnits(cloud, label);
  const phone = `+86137${String(Date.now() % 1e8).padStart(8, '0')}`;
  const member = await createMember(cloud, { name: '甲', number: `${p}01`, phone, unitIds: [units.classA.id], title: '组员' });
  const view = await previewCsv(cloud, ['姓名,学号,单位,职务', `甲,${p}01,${units.pathB},组长`]);
  expect(view.counts).toMatchObject({ update: 1 });

  // After the preview the person binds their account and an admin makes them an observer.
  const person = { openid: `o-${p}`, appid: 'wx-demo-appid' };
  await call(cloud, 'login', { action: 'login' }, person);
  expect(await org(cloud, 'bind.phone', { code: await issuePhoneCode(cloud, phone) }, person)).toMatchObject({ ok: true });
  await ok(cloud, 'observers.set', { memberId: member.id, unitIds: [units.classA.id] });

  const replies = await applyUntilDone(cloud, view.id);
  expect(replies[replies.length - 1]).toMatchObject({ status: 'applied', skipped: 0 });
  expect(byNumber(cloud, `${p}01`)).toMatchObject({ title: '组长', unitIds: [units.classB.id], observes: [units.classA.id] });
  // The bound account's summary follows the import's change of unit.
  const account = docs(cloud, 'users').find((u) => (u.member as { id?: string } | null)?.id === member.id) as Doc;
  expect((account.member as { unitNames: string[] }).unitNames).toEqual([units.classB.name]);
});

test('an add whose number was taken after the preview is skipped as ROSTER_CHANGED; the other adds go in', async () => {
  const label = unique();
  const p = `T${label}`;
  const units = await makeUnits(cloud, label);
  const view = await previewCsv(cloud, ['姓名,学号,单位', `甲,${p}01,${units.pathA}`, `乙,${p}02,${units.pathA}`, `丙,${p}03,${units.pathB}`]);
  expect(view.counts).toMatchObject({ add: 3 });
  const manual = await createMember(cloud, { name: '手工录入', number: `${p}02`, unitIds: [units.classB.id] });

  const replies = await applyUntilDone(cloud, view.id);
  expect(replies[replies.length - 1]).toMatchObject({ status: 'applied', skipped: 1, progress: { done: 3, total: 3 } });
  const skipped = await items(cloud, view.id, 'skipped');
  expect(skipped.map((item) => [item.line, item.number, item.reasons.map((r) => r.code)])).toEqual([[3, `${p}02`, ['ROSTER_CHANGED']]]);
  expect(memberDocs(cloud, p).map((doc) => [doc.number, doc.name])).toEqual([
    [`${p}01`, '甲'],
    [`${p}02`, '手工录入'],
    [`${p}03`, '丙'],
  ]);
  expect(byNumber(cloud, `${p}02`)._id).toBe(manual.id);
  expect(await memberCounts(cloud, units)).toEqual({ college: 0, classA: 1, classB: 2 });
});

test('an add into a unit deleted after the preview is skipped as UNIT_GONE', async () => {
  const label = unique();
  const p = `V${label}`;
  const units = await makeUnits(cloud, label);
  const doomed = await ok<UnitView>(cloud, 'units.create', { parentId: units.college.id, name: `丙班${label}`, kind: 'class' });
  const view = await previewCsv(cloud, ['姓名,学号,单位', `甲,${p}01,${units.pathA}`, `乙,${p}02,${units.college.name}/${doomed.name}`]);
  expect(view.counts).toMatchObject({ add: 2, invalid: 0 });
  await ok(cloud, 'units.delete', { unitId: doomed.id });

  const replies = await applyUntilDone(cloud, view.id);
  expect(replies[replies.length - 1]).toMatchObject({ status: 'applied', skipped: 1 });
  const skipped = await items(cloud, view.id, 'skipped');
  expect(skipped.map((item) => [item.line, item.number, item.reasons.map((r) => r.code)])).toEqual([[3, `${p}02`, ['UNIT_GONE']]]);
  expect(memberDocs(cloud, p).map((doc) => doc.number)).toEqual([`${p}01`]);
  expect(docs(cloud, 'members').some((doc) => (doc.unitIds as string[]).includes(doomed.id))).toBe(false);
});

test('a WeCom userid is never given to two members: not by two rows, not when another member holds it', async () => {
  const label = unique();
  const p = `W${label}`;
  const units = await makeUnits(cloud, label);
  const holder = await createMember(cloud, { name: '已有', number: `${p}00`, unitIds: [units.classA.id], wecomUserId: `held${label}` });
  // What members.create refuses (MEMBER_WECOM_TAKEN) an import must not do either.
  const refused = await errorOf(cloud, 'members.create', {
    member: { name: '手工', number: `${p}09`, phone: null, kind: 'student', unitIds: [units.classA.id], title: null, wecomUserId: `held${label}` },
  });
  expect(refused.code).toBe('MEMBER_WECOM_TAKEN');

  const view = await previewCsv(cloud, [
    '姓名,学号,单位,企业微信账号',
    `甲,${p}01,${units.pathA},dup${label}`,
    `乙,${p}02,${units.pathA},dup${label}`,
    `丙,${p}03,${units.pathA},held${label}`,
    `丁,${p}04,${units.pathA},own${label}`,
  ]);
  await applyUntilDone(cloud, view.id);
  const holders = (userid: string) => docs(cloud, 'members').filter((doc) => doc.wecomUserId === userid).map((doc) => doc.number);
  expect(holders(`held${label}`)).toEqual([holder.number]);
  expect(holders(`dup${label}`).length).toBeLessThanOrEqual(1);
  expect(holders(`own${label}`)).toEqual([`${p}04`]);
});

describe('a frozen clock (screenshots) does not stop the time budget', () => {
  let c: RunningLocalCloud;

  beforeAll(async () => {
    c = await startTestCloud({ clock: new Date('2025-09-01T01:41:00Z'), functionEnv: { XINTONG_ORG_NAME: ORG_NAME, XINTONG_IMPORT_BUDGET_MS: '1' } });
  });

  afterAll(async () => {
    await c.close();
  });

  test('under --clock an apply still returns after its budget, so its lease is released', async () => {
    const label = unique();
    const units = await makeUnits(c, label);
    const lines = ['姓名,学号,手机号,单位'];
    for (let i = 0; i < 400; i++) lines.push(`成员${i},F${label}${String(i).padStart(3, '0')},,${units.pathA}`);
    const view = await previewCsv(c, lines);
    const first = await ok<ImportView>(c, 'imports.apply', { importId: view.id });
    expect(first.status).toBe('applying');
    expect(first.progress.done).toBeLessThan(400);
    // The next call is not refused as IMPORT_BUSY, though the frozen clock never passes the lease.
    expect((await ok<ImportView>(c, 'imports.apply', { importId: view.id })).progress.done).toBeGreaterThan(first.progress.done);
  }, 60_000);
});

describe('apply in chunks under a tiny time budget', () => {
  let c: RunningLocalCloud;

  beforeAll(async () => {
    c = await startTestCloud({ functionEnv: { XINTONG_ORG_NAME: ORG_NAME, XINTONG_IMPORT_BUDGET_MS: '1' } });
  });

  afterAll(async () => {
    await c.close();
  });

  test('1,000 rows: each call makes progress, the last one finishes; every member exactly once', async () => {
    const label = unique();
    const p = `R${label}`;
    const units = await makeUnits(c, label);
    const lines = ['姓名,学号,手机号,单位'];
    for (let i = 0; i < 1000; i++) {
      const n = String(i).padStart(4, '0');
      lines.push(`成员${n},${p}${n},1380000${n},${i < 600 ? units.pathA : units.pathB}`);
    }
    const view = await previewCsv(c, lines);
    expect(view.counts).toEqual({ rows: 1000, add: 1000, update: 0, deactivate: 0, unchanged: 0, invalid: 0 });

    const replies: ImportView[] = [];
    for (let i = 0; i < 30; i++) {
      const reply = await ok<ImportView>(c, 'imports.apply', { importId: view.id });
      replies.push(reply);
      if (reply.status === 'applied') break;
      expect(reply.status).toBe('applying');
      const previous = replies.length > 1 ? replies[replies.length - 2].progress.done : 0;
      // Each call must get somewhere, or the caller's loop never ends.
      expect(reply.progress.done).toBeGreaterThan(previous);
      expect(reply.progress.total).toBe(1000);
      // Counters follow each batch, not only the end of the import.
      const placed = memberDocs(c, p);
      const counts = await memberCounts(c, units);
      expect(counts.classA + counts.classB).toBe(placed.length);
      if (i === 1) {
        // An admin adds someone to the class while the import runs: neither count is lost.
        await createMember(c, { name: '插班生', number: `${p}X`, unitIds: [units.classA.id] });
      }
    }
    const last = replies[replies.length - 1];
    expect(last).toMatchObject({ status: 'applied', progress: { done: 1000, total: 1000 }, skipped: 0 });
    expect(replies.length).toBeGreaterThan(1);

    const members = memberDocs(c, p).filter((doc) => doc.number !== `${p}X`);
    expect(members).toHaveLength(1000);
    expect(new Set(members.map((doc) => doc.number)).size).toBe(1000);
    expect(new Set(members.map((doc) => doc._id)).size).toBe(1000);
    expect(members[0]).toMatchObject({ name: '成员0000', phone: '+8613800000000', unitIds: [units.classA.id], active: true });
    expect(members[999]).toMatchObject({ name: '成员0999', phone: '+8613800000999', unitIds: [units.classB.id] });
    expect(await memberCounts(c, units)).toEqual({ college: 0, classA: 601, classB: 400 });
  }, 60_000);
});

test('two applies at once: each succeeds or is IMPORT_BUSY, and the roster ends exactly right', async () => {
  const label = unique();
  const p = `C${label}`;
  const units = await makeUnits(cloud, label);
  await createMember(cloud, { name: '旧名', number: `${p}999`, unitIds: [units.classA.id] });
  const lines = ['姓名,学号,单位'];
  for (let i = 0; i < 60; i++) lines.push(`并发${i},${p}${String(i).padStart(3, '0')},${i % 2 ? units.pathA : units.pathB}`);
  lines.push(`新名,${p}999,${units.pathB}`);
  const view = await previewCsv(cloud, lines);
  expect(view.counts).toMatchObject({ add: 60, update: 1 });

  const results = await Promise.all([org<ImportView>(cloud, 'imports.apply', { importId: view.id }), org<ImportView>(cloud, 'imports.apply', { importId: view.id })]);
  for (const result of results) {
    if (result.ok) expect(['applying', 'applied']).toContain(result.data.status);
    else expect(result.error.code).toBe('IMPORT_BUSY');
  }
  expect(results.some((result) => result.ok)).toBe(true);
  const replies = await applyUntilDone(cloud, view.id);
  expect(replies[replies.length - 1]).toMatchObject({ status: 'applied', progress: { done: 61, total: 61 }, skipped: 0 });

  const members = memberDocs(cloud, p);
  expect(members).toHaveLength(61);
  expect(new Set(members.map((doc) => doc.number)).size).toBe(61);
  expect(byNumber(cloud, `${p}999`)).toMatchObject({ name: '新名', unitIds: [units.classB.id] });
  expect(await memberCounts(cloud, units)).toEqual({ college: 0, classA: 30, classB: 31 });
});

test('an .xlsx from Excel with Chinese headers and numeric phone cells imports end to end', async () => {
  const label = unique();
  const p = `X${label}`;
  const units = await makeUnits(cloud, label);
  const workbook = new Workbook();
  const sheet = workbook.addWorksheet('花名册');
  sheet.addRow(['姓名', '学号', '手机号码', '类型', '所属单位', '职务', '企业微信账号']);
  sheet.addRow(['张老师', `${p}01`, 13912345678, '教职工', units.pathA, '辅导员', 'zhang.ls']);
  sheet.addRow(['学生甲', `${p}02`, 13800001111, '学生', `${units.pathA}；${units.pathB}`, null, null]);
  sheet.addRow(['学生乙', `${p}03`, 8613800002222, '本科生', units.pathB, '', '']);
  const data = Buffer.from(await workbook.xlsx.writeBuffer());
  const view = await preview(cloud, upload(cloud, '名单.xlsx', data), '名单.xlsx');
  expect(view.counts).toEqual({ rows: 3, add: 3, update: 0, deactivate: 0, unchanged: 0, invalid: 0 });
  const replies = await applyUntilDone(cloud, view.id);
  expect(replies[replies.length - 1]).toMatchObject({ status: 'applied', progress: { done: 3, total: 3 } });

  expect(byNumber(cloud, `${p}01`)).toMatchObject({ name: '张老师', phone: '+8613912345678', kind: 'staff', unitIds: [units.classA.id], title: '辅导员', wecomUserId: 'zhang.ls' });
  expect(byNumber(cloud, `${p}02`)).toMatchObject({ name: '学生甲', phone: '+8613800001111', kind: 'student', unitIds: [units.classA.id, units.classB.id], title: null, wecomUserId: null });
  expect(byNumber(cloud, `${p}03`)).toMatchObject({ name: '学生乙', phone: '+8613800002222', kind: 'student', unitIds: [units.classB.id] });
  expect(await memberCounts(cloud, units)).toEqual({ college: 0, classA: 2, classB: 2 });
});

/** Bytes of `text` in GBK, from the platform's GBK decoder run backwards over every two-byte code. */
function gbkEncoder(): (text: string) => Buffer {
  const decoder = new TextDecoder('gbk');
  const codes = new Map<string, number[]>();
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const char = decoder.decode(Uint8Array.of(lead, trail));
      if (char.length === 1 && char !== '\ufffd' && !codes.has(char)) codes.set(char, [lead, trail]);
    }
  }
  return (text) =>
    Buffer.from(
      [...text].flatMap((char) => {
        if (char.charCodeAt(0) < 0x80) return [char.charCodeAt(0)];
        const code = codes.get(char);
        if (!code) throw new Error(`no GBK code for ${char}`);
        return code;
      }),
    );
}

test('a GBK CSV (Excel on Chinese Windows) previews and applies correctly', async () => {
  const gbk = gbkEncoder();
  expect([...gbk('姓名')]).toEqual([0xd0, 0xd5, 0xc3, 0xfb]);
  expect([...gbk('学号')]).toEqual([0xd1, 0xa7, 0xba, 0xc5]);
  const label = unique();
  const p = `G${label}`;
  const units = await makeUnits(cloud, label);
  const bytes = gbk(csv(['姓名,学号,手机号,类型,单位', `张三丰,${p}01,13800000001,学生,${units.pathA}`, `李四光,${p}02,13800000002,教师,${units.pathB}`]));
  expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
  const view = await preview(cloud, upload(cloud, 'roster.csv', bytes), 'roster.csv');
  expect(view.counts).toEqual({ rows: 2, add: 2, update: 0, deactivate: 0, unchanged: 0, invalid: 0 });
  expect((await items(cloud, view.id, 'add')).map((item) => [item.line, item.name, item.number])).toEqual([
    [2, '张三丰', `${p}01`],
    [3, '李四光', `${p}02`],
  ]);
  await applyUntilDone(cloud, view.id);
  expect(byNumber(cloud, `${p}01`)).toMatchObject({ name: '张三丰', kind: 'student', unitIds: [units.classA.id] });
  expect(byNumber(cloud, `${p}02`)).toMatchObject({ name: '李四光', kind: 'staff', unitIds: [units.classB.id] });
});

describe('errors', () => {
  const good = csv(['姓名,学号', '张三,E0001']);

  test('a file outside imports/ is refused, even though it exists', async () => {
    const fileId = upload(cloud, 'roster.csv', good, 'avatars');
    expect(await errorOf(cloud, 'imports.preview', { fileId, fileName: 'roster.csv', deactivateMissing: false })).toMatchObject({ code: 'IMPORT_FILE_INVALID' });
    // Not fooled by an imports/ segment further down, nor by another scheme.
    const nested = upload(cloud, 'roster.csv', good, 'avatars/imports');
    expect(await errorOf(cloud, 'imports.preview', { fileId: nested, fileName: 'roster.csv', deactivateMissing: false })).toMatchObject({ code: 'IMPORT_FILE_INVALID' });
    expect(await errorOf(cloud, 'imports.preview', { fileId: 'https://example.com/imports/roster.csv', fileName: 'roster.csv', deactivateMissing: false })).toMatchObject({
      code: 'IMPORT_FILE_INVALID',
    });
    // Someone else's file, outside the import folder: left where it is.
    expect(cloud.cloud.storage.has(cloudPathOf(fileId) as string)).toBe(true);
    expect(cloud.cloud.storage.has(cloudPathOf(nested) as string)).toBe(true);
  });

  test('a missing file is IMPORT_FILE_INVALID', async () => {
    const fileId = fileIdOf(`imports/none-${unique()}/roster.csv`);
    expect(await errorOf(cloud, 'imports.preview', { fileId, fileName: 'roster.csv', deactivateMissing: false })).toMatchObject({ code: 'IMPORT_FILE_INVALID' });
  });

  test('.xls, garbage and an empty file are IMPORT_FILE_INVALID with a message', async () => {
    const ole2 = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512, 0)]);
    const cases: [string, Buffer][] = [
      ['old.xls', ole2],
      ['renamed.csv', ole2],
      ['broken.xlsx', Buffer.from('this is not a zip archive')],
      ['notes.txt', Buffer.from(good)],
      ['empty.csv', Buffer.alloc(0)],
    ];
    for (const [name, data] of cases) {
      const error = await errorOf(cloud, 'imports.preview', { fileId: upload(cloud, name, data), fileName: name, deactivateMissing: false });
      expect({ name, code: error.code }).toEqual({ name, code: 'IMPORT_FILE_INVALID' });
      expect(error.message).toEqual(expect.stringMatching(/\S/));
    }
  });

  test('a CSV without the number column is IMPORT_FILE_INVALID, naming the column', async () => {
    const fileId = upload(cloud, 'roster.csv', csv(['姓名,手机号', '张三,13800000001']));
    const error = await errorOf(cloud, 'imports.preview', { fileId, fileName: 'roster.csv', deactivateMissing: false });
    expect(error.code).toBe('IMPORT_FILE_INVALID');
    expect(error.message).toContain('学号/工号');
  });

  test('an uploaded roster is removed once read, readable or not', async () => {
    const readable = upload(cloud, 'roster.csv', csv(['姓名,学号', `张三,E${unique()}`]));
    await preview(cloud, readable, 'roster.csv');
    expect(cloud.cloud.storage.has(cloudPathOf(readable) as string)).toBe(false);
    const unreadable = upload(cloud, 'old.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0, 0, 0]));
    expect((await errorOf(cloud, 'imports.preview', { fileId: unreadable, fileName: 'old.xls', deactivateMissing: false })).code).toBe('IMPORT_FILE_INVALID');
    expect(cloud.cloud.storage.has(cloudPathOf(unreadable) as string)).toBe(false);
  });

  test('nothing is stored for a refused file', async () => {
    const before = docs(cloud, 'imports').length;
    await errorOf(cloud, 'imports.preview', { fileId: upload(cloud, 'roster.csv', csv(['姓名', '张三'])), fileName: 'roster.csv', deactivateMissing: false });
    expect(docs(cloud, 'imports')).toHaveLength(before);
  });

  test('non-admins are refused every import action', async () => {
    const fileId = upload(cloud, 'roster.csv', good);
    const view = await preview(cloud, fileId, 'roster.csv');
    const requests: [string, Record<string, unknown>][] = [
      ['imports.preview', { fileId, fileName: 'roster.csv', deactivateMissing: false }],
      ['imports.get', { importId: view.id }],
      ['imports.items', { importId: view.id, category: 'add' }],
      ['imports.apply', { importId: view.id }],
      ['imports.list', {}],
    ];
    for (const [action, request] of requests) {
      expect({ action, code: (await errorOf(cloud, action, request, MEMBER)).code }).toEqual({ action, code: 'FORBIDDEN' });
    }
    expect(await ok<ImportView>(cloud, 'imports.get', { importId: view.id })).toMatchObject({ status: 'previewed' });
    expect(docs(cloud, 'members').some((doc) => doc.number === 'E0001')).toBe(false);
  });

  test('imports are listed newest first, 20 to a page, so one left applying can be found again', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await preview(cloud, upload(cloud, 'roster.csv', good), 'roster.csv')).id);
    const first = await ok<Page<ImportView>>(cloud, 'imports.list');
    expect(first.items.length).toBeLessThanOrEqual(20);
    const listed = first.items.map((view) => view.id);
    // The three just made come first, newest first.
    expect(listed.slice(0, 3)).toEqual([...ids].reverse());
    if (first.next) {
      const second = await ok<Page<ImportView>>(cloud, 'imports.list', { after: first.next });
      expect(second.items.map((view) => view.id).some((id) => listed.includes(id))).toBe(false);
    }
  });

  test('an unknown import is IMPORT_NOT_FOUND', async () => {
    for (const [action, request] of [
      ['imports.get', { importId: 'imp_nope' }],
      ['imports.items', { importId: 'imp_nope', category: 'invalid' }],
      ['imports.apply', { importId: 'imp_nope' }],
    ] as [string, Record<string, unknown>][]) {
      expect({ action, code: (await errorOf(cloud, action, request)).code }).toEqual({ action, code: 'IMPORT_NOT_FOUND' });
    }
  });
});
