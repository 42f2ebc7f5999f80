/**
 * The `org` function through the local cloud on the real wx-server-sdk: the unit tree, the
 * roster, binding accounts to members, the directory and its phone visibility, observers
 * and audiences. (Roster import has its own file.)
 */
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import type { AccountView, AudienceMember, LoginResponse, MemberCard, MemberDetail, MemberInput, MyDirectory, Page, Result, RoleChangeView, UnitView } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { type Caller, call, issuePhoneCode, startTestCloud } from '../helpers/local-cloud';

let cloud: RunningLocalCloud;
let seq = 0;

const ADMIN: Caller = { openid: 'demo-admin-openid', appid: 'wx-demo-appid', unionid: 'demo-admin-unionid' };

beforeAll(async () => {
  cloud = await startTestCloud({ functionEnv: { XINTONG_ORG_NAME: '测试大学' } });
});

afterAll(async () => {
  await cloud.close();
});

function next(label: string): string {
  seq += 1;
  return `${label}${seq}`;
}

function docs(collection: string): Record<string, unknown>[] {
  return cloud.cloud.engine.dump(collection) as Record<string, unknown>[];
}

function doc(collection: string, id: string): Record<string, unknown> | undefined {
  return docs(collection).find((d) => d._id === id);
}

async function org<T>(action: string, request: Record<string, unknown> = {}, caller: Caller = ADMIN) {
  return (await call<Result<T>>(cloud, 'org', { action, ...request }, caller)).body;
}

async function must<T>(action: string, request: Record<string, unknown> = {}, caller: Caller = ADMIN): Promise<T> {
  const result = await org<T>(action, request, caller);
  if (!result.ok) throw new Error(`${action} failed: ${JSON.stringify(result.error)}`);
  return result.data;
}

function code(result: Result<unknown>): string {
  return result.ok ? 'OK' : result.error.code;
}

/** A signed-in person with no roles. */
async function person(label: string): Promise<Caller & { userId: string }> {
  const caller = { openid: next(`o-${label}-`), appid: 'wx-demo-appid' };
  const reply = await call<Result<LoginResponse>>(cloud, 'login', { action: 'login' }, caller);
  if (!reply.body.ok) throw new Error('login failed');
  return { ...caller, userId: reply.body.data.account.id };
}

async function unit(parentId: string, name: string, kind = 'college'): Promise<UnitView> {
  return must<UnitView>('units.create', { parentId, name, kind });
}

function input(overrides: Partial<MemberInput> & { unitIds: string[] }): MemberInput {
  return { name: '测试成员', number: next('N'), phone: null, kind: 'student', title: null, wecomUserId: null, ...overrides };
}

async function member(overrides: Partial<MemberInput> & { unitIds: string[] }): Promise<MemberDetail> {
  return must<MemberDetail>('members.create', { member: input(overrides) });
}

/** A unique mainland mobile number. */
function phone(): string {
  seq += 1;
  return `+86139${String(seq).padStart(8, '0')}`;
}

async function bind(caller: Caller, memberPhone: string) {
  return org<{ member: { id: string } }>('bind.phone', { code: await issuePhoneCode(cloud, memberPhone) }, caller);
}

describe('demo data', () => {
  test('the demo school is consistent: counters match the roster and demo people are bound', async () => {
    const member1 = { openid: 'demo-member-1-openid', appid: 'wx-demo-appid', unionid: 'demo-member-1-unionid' };
    const mine = await must<MyDirectory>('directory.mine', {}, member1);
    expect(mine.member).toMatchObject({ name: '张三', bound: true, active: true });
    expect(mine.units.map((u) => u.path)).toEqual([['计算机学院', '软件工程2301班']]);
    const classmates = await must<Page<MemberCard>>('directory.unitMembers', { unitId: mine.units[0].id }, member1);
    expect(classmates.items).toHaveLength(mine.units[0].memberCount);
    const stored = docs('members');
    for (const u of docs('units')) {
      const placed = stored.filter((m) => (m.unitIds as string[]).includes(u._id as string));
      expect([u._id, u.memberCount, u.rosterCount]).toEqual([u._id, placed.filter((m) => m.active).length, placed.length]);
      expect([u._id, u.childCount]).toEqual([u._id, docs('units').filter((c) => c.parentId === u._id).length]);
    }
    const adminView = await must<MemberDetail>('directory.member', { memberId: classmates.items[1].id });
    expect(adminView.phone).toMatch(/^\+86139\d{8}$/);
  });

  test('the demo admin role has its record, so 变更记录 tells where it came from', async () => {
    const history = await call<Result<Page<RoleChangeView>>>(cloud, 'login', { action: 'roles.history', userId: 'demo-admin' }, ADMIN);
    expect(history.body).toMatchObject({ ok: true, data: { items: [{ change: 'grant', role: 'admin', source: 'config', target: { id: 'demo-admin' }, actor: null }] } });
  });
});

describe('unit tree', () => {
  test('the organisation is the root, named by configuration', async () => {
    const root = await must<UnitView>('units.root');
    expect(root).toMatchObject({ id: 'root', name: '测试大学', kind: 'org', parentId: null, path: [] });
  });

  test('units nest with paths and child counts; sibling names are unique, cousins may repeat', async () => {
    const college = await unit('root', next('计算机学院'));
    const cls = await unit(college.id, '2301班', 'class');
    expect(cls.path).toEqual([college.name, '2301班']);
    expect(code(await org('units.create', { parentId: college.id, name: ' 2301班 ', kind: 'class' }))).toBe('UNIT_NAME_TAKEN');
    const other = await unit('root', next('数学学院'));
    await unit(other.id, '2301班', 'class');
    expect((await must<UnitView>('units.get', { unitId: college.id })).childCount).toBe(1);
    expect(code(await org('units.create', { parentId: college.id, name: 'a/b', kind: 'class' }))).toBe('INVALID_INPUT');
    expect(code(await org('units.create', { parentId: 'u_missing', name: 'x', kind: 'class' }))).toBe('UNIT_NOT_FOUND');
  });

  test('at most six levels, by creating and by moving', async () => {
    let parent = await unit('root', next('L2-'));
    const chain = [parent];
    for (let level = 3; level <= 6; level += 1) {
      parent = await unit(parent.id, `L${level}`, 'group');
      chain.push(parent);
    }
    expect(code(await org('units.create', { parentId: parent.id, name: 'L7', kind: 'group' }))).toBe('UNIT_TOO_DEEP');
    const twoLevels = await unit('root', next('T'));
    await unit(twoLevels.id, 'child', 'group');
    // Level 5 + a two-level sub-tree = 7 levels.
    expect(code(await org('units.move', { unitId: twoLevels.id, parentId: chain[3].id }))).toBe('UNIT_TOO_DEEP');
    expect(code(await org('units.move', { unitId: twoLevels.id, parentId: chain[2].id }))).toBe('OK');
  });

  test('a move cannot create a cycle; a valid move updates paths and counts', async () => {
    const a = await unit('root', next('A'));
    const b = await unit(a.id, 'B', 'department');
    const c = await unit(b.id, 'C', 'group');
    expect(code(await org('units.move', { unitId: a.id, parentId: c.id }))).toBe('UNIT_CYCLE');
    expect(code(await org('units.move', { unitId: a.id, parentId: a.id }))).toBe('UNIT_CYCLE');
    expect(code(await org('units.move', { unitId: 'root', parentId: a.id }))).toBe('UNIT_ROOT_LOCKED');
    const moved = await must<UnitView>('units.move', { unitId: c.id, parentId: a.id });
    expect(moved.path).toEqual([a.name, 'C']);
    expect((await must<UnitView>('units.get', { unitId: a.id })).childCount).toBe(2);
    expect((await must<UnitView>('units.get', { unitId: b.id })).childCount).toBe(0);
  });

  test('two crossing moves at once cannot both win', async () => {
    const a = await unit('root', next('X'));
    const b = await unit('root', next('Y'));
    const results = await Promise.all([org('units.move', { unitId: a.id, parentId: b.id }), org('units.move', { unitId: b.id, parentId: a.id })]);
    expect(results.map(code).sort()).toEqual(['OK', 'UNIT_CYCLE']);
    const stored = docs('units');
    const parentOf = (id: string) => stored.find((d) => d._id === id)?.parentId;
    // Walking up from either reaches the root.
    for (const start of [a.id, b.id]) {
      let current: unknown = start;
      for (let hops = 0; current !== 'root'; hops += 1) {
        expect(hops).toBeLessThan(6);
        current = parentOf(current as string);
      }
    }
  });

  test('16 creates under one parent at once all succeed; the tree stays consistent', async () => {
    const college = await unit('root', next('Burst'));
    const names = Array.from({ length: 16 }, (_, i) => `班${String(i).padStart(2, '0')}`);
    const results = await Promise.all(names.map((name) => org<UnitView>('units.create', { parentId: college.id, name, kind: 'class' })));
    expect(results.map(code)).toEqual(names.map(() => 'OK'));
    const children = docs('units').filter((d) => d.parentId === college.id);
    expect(children.map((d) => d.name).sort()).toEqual(names);
    expect(doc('units', college.id)).toMatchObject({ childCount: 16 });
    // A warm instance's snapshot sees every one of them (the revision moved with each create).
    const listed = await must<Page<UnitView>>('units.children', { parentId: college.id });
    expect(listed.items.map((u) => u.path)).toEqual(names.map((name) => [college.name, name]));
    const view = await must<MemberDetail>('members.create', { member: input({ unitIds: [children[15]._id as string] }) });
    expect(view.units[0].path).toBe(`${college.name}/${children[15].name as string}`);
  }, 60_000);

  test('a unit with sub-units or members (even deactivated) cannot be deleted', async () => {
    const college = await unit('root', next('D'));
    const cls = await unit(college.id, 'K', 'class');
    expect(code(await org('units.delete', { unitId: college.id }))).toBe('UNIT_NOT_EMPTY');
    const m = await member({ unitIds: [cls.id] });
    await must('members.deactivate', { memberId: m.id });
    expect(code(await org('units.delete', { unitId: cls.id }))).toBe('UNIT_NOT_EMPTY');
    const empty = await unit(college.id, 'E', 'class');
    const observer = await member({ unitIds: [cls.id] });
    await must('observers.set', { memberId: observer.id, unitIds: [empty.id, cls.id] });
    expect(code(await org('units.delete', { unitId: empty.id }))).toBe('OK');
    expect(doc('units', empty.id)).toBeUndefined();
    expect(doc('members', observer.id)?.observes).toEqual([cls.id]);
    expect(code(await org('units.delete', { unitId: 'root' }))).toBe('UNIT_ROOT_LOCKED');
  });

  test('only admins change the tree; publishers may browse it; members may not', async () => {
    const someone = await person('plain');
    expect(code(await org('units.create', { parentId: 'root', name: next('Z'), kind: 'college' }, someone))).toBe('FORBIDDEN');
    expect(code(await org('units.children', { parentId: 'root' }, someone))).toBe('FORBIDDEN');
    const publisher = await person('pub');
    await call(cloud, 'login', { action: 'roles.grant', userId: publisher.userId, role: 'publisher' }, ADMIN);
    expect(code(await org('units.children', { parentId: 'root' }, publisher))).toBe('OK');
    expect(code(await org('units.create', { parentId: 'root', name: next('Z'), kind: 'college' }, publisher))).toBe('FORBIDDEN');
  });

  test('children come in pages by name', async () => {
    const parent = await unit('root', next('P'));
    for (let i = 0; i < 55; i += 1) await unit(parent.id, `班${String(i).padStart(2, '0')}`, 'class');
    const first = await must<Page<UnitView>>('units.children', { parentId: parent.id });
    expect(first.items).toHaveLength(50);
    expect(first.next).not.toBeNull();
    const second = await must<Page<UnitView>>('units.children', { parentId: parent.id, after: first.next });
    expect(second.items.map((u) => u.name)).toEqual(['班50', '班51', '班52', '班53', '班54']);
    expect(second.next).toBeNull();
  });
});

describe('roster', () => {
  test('members are validated, stored with E.164 phones, and counted in their units', async () => {
    const college = await unit('root', next('R'));
    const cls = await unit(college.id, 'C1', 'class');
    const created = await member({ unitIds: [cls.id], phone: '138 0013 8000', name: '  王  小明 ' });
    expect(created).toMatchObject({ name: '王 小明', phone: '+8613800138000', active: true, bound: false });
    expect((await must<UnitView>('units.get', { unitId: cls.id })).memberCount).toBe(1);
    expect(code(await org('members.create', { member: input({ unitIds: [cls.id], number: created.number }) }))).toBe('MEMBER_NUMBER_TAKEN');
    expect(code(await org('members.create', { member: input({ unitIds: [cls.id], phone: '12345' }) }))).toBe('PHONE_INVALID');
    expect(code(await org('members.create', { member: input({ unitIds: ['u_gone'] }) }))).toBe('UNIT_NOT_FOUND');
    expect(code(await org('members.create', { member: input({ unitIds: [] }) }))).toBe('INVALID_INPUT');
    expect(code(await org('members.create', { member: { ...input({ unitIds: [cls.id] }), extra: 1 } }))).toBe('INVALID_INPUT');
  });

  test('a number typed with spaces or full-width digits is stored as one number; searches read it the same way', async () => {
    const cls = await unit('root', next('NUM'));
    const stem = String(70000 + seq);
    const spaced = await member({ unitIds: [cls.id], number: ` ${stem} 01 ` });
    expect(spaced.number).toBe(`${stem}01`);
    const wide = await member({ unitIds: [cls.id], number: [...`${stem}02`].map((d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)).join('') });
    expect(wide.number).toBe(`${stem}02`);
    expect(code(await org('members.create', { member: input({ unitIds: [cls.id], number: `${stem} 01` }) }))).toBe('MEMBER_NUMBER_TAKEN');
    const slash = await org('members.create', { member: input({ unitIds: [cls.id], number: `${stem}/03` }) });
    expect(slash).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'member.number', message: expect.stringContaining('只能包含字母、数字和 _ . -') } });
    const found = await must<Page<MemberCard>>('members.search', { query: `${stem} 0`, unitId: cls.id });
    expect(found.items.map((item) => item.number)).toEqual([`${stem}01`, `${stem}02`]);
  });

  test('every member field takes exactly its declared limit (FIELD_LIMITS), counting characters; one more is refused naming the field', async () => {
    const cls = await unit('root', next('LIM'));
    const stem = String(80000 + seq);
    const fields: [keyof MemberInput, number, string][] = [
      ['name', FIELD_LIMITS.memberName, '名'],
      ['number', FIELD_LIMITS.memberNumber, '9'],
      ['title', FIELD_LIMITS.memberTitle, '😀'],
      ['wecomUserId', FIELD_LIMITS.wecomUserId, 'w'],
    ];
    for (const [field, limit, unitText] of fields) {
      const at = field === 'number' ? `${stem}${'9'.repeat(limit - stem.length)}` : unitText.repeat(limit);
      const atLimit = await org<MemberDetail>('members.create', { member: input({ unitIds: [cls.id], [field]: at }) });
      expect({ field, code: code(atLimit) }).toEqual({ field, code: 'OK' });
      const over = await org('members.create', { member: input({ unitIds: [cls.id], [field]: `${at}${unitText}` }) });
      expect({ field, over }).toEqual({ field, over: { ok: false, error: expect.objectContaining({ code: 'INVALID_INPUT', field: `member.${field}`, message: expect.stringContaining(String(limit)) }) } });
    }
    const units = Array.from({ length: FIELD_LIMITS.memberUnits + 1 }, () => cls.id);
    expect(code(await org('members.create', { member: input({ unitIds: units }) }))).toBe('INVALID_INPUT');
    const unitName = '院'.repeat(FIELD_LIMITS.unitName);
    expect(code(await org('units.create', { parentId: cls.id, name: unitName, kind: 'group' }))).toBe('OK');
    expect(await org('units.create', { parentId: cls.id, name: `${unitName}院`, kind: 'group' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'name' } });
    expect(code(await org('members.search', { query: 'q'.repeat(FIELD_LIMITS.searchQuery + 1) }))).toBe('INVALID_INPUT');
  });

  test('concurrent creates of one number leave one member', async () => {
    const cls = await unit('root', next('CC'));
    const number = next('DUP');
    const results = await Promise.all(Array.from({ length: 6 }, () => org('members.create', { member: input({ unitIds: [cls.id], number }) })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map(code)).toEqual(Array(5).fill('MEMBER_NUMBER_TAKEN'));
    expect(docs('members').filter((d) => d.number === number)).toHaveLength(1);
    expect((await must<UnitView>('units.get', { unitId: cls.id })).memberCount).toBe(1);
  });

  test('a WeCom userid belongs to one member, even when two admins give it at once', async () => {
    const cls = await unit('root', next('WU'));
    const userid = next('wu');
    const results = await Promise.all(Array.from({ length: 4 }, () => org('members.create', { member: input({ unitIds: [cls.id], wecomUserId: userid }) })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map(code)).toEqual(Array(3).fill('MEMBER_WECOM_TAKEN'));
    expect(docs('members').filter((d) => d.wecomUserId === userid)).toHaveLength(1);
    const other = await member({ unitIds: [cls.id] });
    const taken = await org('members.update', { memberId: other.id, rev: other.rev, member: { wecomUserId: userid } });
    expect(code(taken)).toBe('MEMBER_WECOM_TAKEN');
    // Members without one do not collide with each other.
    expect(code(await org('members.update', { memberId: other.id, rev: other.rev, member: { title: '无企业微信' } }))).toBe('OK');
    expect((await must<UnitView>('units.get', { unitId: cls.id })).memberCount).toBe(2);
  });

  test('searching an unknown unit is UNIT_NOT_FOUND; a unit lists its direct members only', async () => {
    expect(code(await org('members.search', { unitId: 'u_gone' }))).toBe('UNIT_NOT_FOUND');
    const college = await unit('root', next('SD'));
    const cls = await unit(college.id, 'K', 'class');
    const staff = await member({ unitIds: [college.id] });
    await member({ unitIds: [cls.id] });
    expect((await must<Page<MemberCard>>('members.search', { unitId: college.id })).items.map((i) => i.id)).toEqual([staff.id]);
  });

  test('an update needs the current revision; moving units moves the counts', async () => {
    const a = await unit('root', next('MA'));
    const b = await unit('root', next('MB'));
    const m = await member({ unitIds: [a.id] });
    const moved = await must<MemberDetail>('members.update', { memberId: m.id, rev: m.rev, member: { unitIds: [b.id], title: '班长\n 副' } });
    expect(moved.units.map((u) => u.id)).toEqual([b.id]);
    expect(moved.title).toBe('班长 副');
    expect((await must<UnitView>('units.get', { unitId: a.id })).memberCount).toBe(0);
    expect((await must<UnitView>('units.get', { unitId: b.id })).memberCount).toBe(1);
    const stale = await org('members.update', { memberId: m.id, rev: m.rev, member: { name: '改名' } });
    expect(code(stale)).toBe('MEMBER_STALE');
    expect(doc('members', m.id)?.name).toBe('测试成员');
  });

  test('deactivation keeps the member, hides them from the directory, and can be undone', async () => {
    const cls = await unit('root', next('DA'));
    const m = await member({ unitIds: [cls.id] });
    await must('members.deactivate', { memberId: m.id });
    expect((await must<UnitView>('units.get', { unitId: cls.id })).memberCount).toBe(0);
    expect(doc('members', m.id)).toMatchObject({ active: false });
    const listed = await must<Page<MemberCard>>('directory.unitMembers', { unitId: cls.id });
    expect(listed.items).toEqual([]);
    const inactive = await must<Page<MemberCard>>('members.search', { unitId: cls.id, status: 'inactive' });
    expect(inactive.items.map((i) => i.id)).toEqual([m.id]);
    await must('members.restore', { memberId: m.id });
    expect((await must<UnitView>('units.get', { unitId: cls.id })).memberCount).toBe(1);
  });

  test('admin search by name or number prefix, paged by number', async () => {
    const cls = await unit('root', next('S'));
    const prefix = next('Q');
    for (let i = 0; i < 53; i += 1) await member({ unitIds: [cls.id], number: `${prefix}${String(i).padStart(3, '0')}`, name: i === 7 ? '欧阳锋' : `成员${i}` });
    const first = await must<Page<MemberCard>>('members.search', { unitId: cls.id });
    expect(first.items).toHaveLength(50);
    const rest = await must<Page<MemberCard>>('members.search', { unitId: cls.id, after: first.next });
    expect(rest.items).toHaveLength(3);
    expect(rest.next).toBeNull();
    expect((await must<Page<MemberCard>>('members.search', { query: '欧阳' })).items.map((i) => i.number)).toEqual([`${prefix}007`]);
    expect((await must<Page<MemberCard>>('members.search', { query: `${prefix}05`, unitId: cls.id })).items).toHaveLength(3);
    // Regular-expression characters are taken literally.
    expect((await must<Page<MemberCard>>('members.search', { query: '.*' })).items).toEqual([]);
  });
});

describe('binding', () => {
  test('binding by WeChat phone puts the member on the account', async () => {
    const cls = await unit('root', next('B'));
    const p = phone();
    const m = await member({ unitIds: [cls.id], phone: p, name: '赵六' });
    const me = await person('bind');
    const bound = await bind(me, p);
    expect(bound).toMatchObject({ ok: true, data: { member: { id: m.id, name: '赵六', unitNames: [cls.name] } } });
    const profile = await call<Result<AccountView>>(cloud, 'login', { action: 'profile.get' }, me);
    expect(profile.body.ok && profile.body.data.member?.id).toBe(m.id);
    expect(doc('members', m.id)?.userId).toBe(me.userId);
    // Binding again is harmless; the code itself is single use.
    expect(code(await bind(me, p))).toBe('OK');
  });

  test('a used or unknown phone code is refused', async () => {
    const me = await person('code');
    const used = await issuePhoneCode(cloud, phone());
    await org('bind.phone', { code: used }, me);
    expect(code(await org('bind.phone', { code: used }, me))).toBe('PHONE_CODE_INVALID');
    expect(code(await org('bind.phone', { code: 'made-up' }, me))).toBe('PHONE_CODE_INVALID');
  });

  test('no match, a deactivated match, several matches, and a member bound to someone else', async () => {
    const cls = await unit('root', next('BM'));
    const nobody = await person('nomatch');
    expect(code(await bind(nobody, phone()))).toBe('ROSTER_NO_MATCH');
    const gonePhone = phone();
    const gone = await member({ unitIds: [cls.id], phone: gonePhone });
    await must('members.deactivate', { memberId: gone.id });
    // Only a deactivated member has the phone: the person is told so, not that nobody matches.
    expect(await bind(nobody, gonePhone)).toMatchObject({ ok: false, error: { code: 'MEMBER_INACTIVE' } });
    // An active member with the phone as well: that one is bound.
    const back = await member({ unitIds: [cls.id], phone: gonePhone });
    expect(await bind(nobody, gonePhone)).toMatchObject({ ok: true, data: { member: { id: back.id } } });
    const shared = phone();
    await member({ unitIds: [cls.id], phone: shared });
    await member({ unitIds: [cls.id], phone: shared });
    expect(code(await bind(nobody, shared))).toBe('ROSTER_AMBIGUOUS');
    const p = phone();
    await member({ unitIds: [cls.id], phone: p });
    const first = await person('first');
    const second = await person('second');
    expect(code(await bind(first, p))).toBe('OK');
    expect(code(await bind(second, p))).toBe('MEMBER_ALREADY_BOUND');
    // The first person cannot rebind themselves to another member either.
    const q = phone();
    await member({ unitIds: [cls.id], phone: q });
    expect(code(await bind(first, q))).toBe('ACCOUNT_ALREADY_BOUND');
  });

  test('two people racing for one member: exactly one gets it', async () => {
    const cls = await unit('root', next('BR'));
    const p = phone();
    const m = await member({ unitIds: [cls.id], phone: p });
    const people = await Promise.all(Array.from({ length: 5 }, (_, i) => person(`race${i}`)));
    const codes = await Promise.all(people.map(() => issuePhoneCode(cloud, p)));
    const results = await Promise.all(people.map((who, i) => org('bind.phone', { code: codes[i] }, who)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const winner = people[results.findIndex((r) => r.ok)];
    expect(doc('members', m.id)?.userId).toBe(winner.userId);
    const boundUsers = docs('users').filter((u) => (u.member as { id?: string } | null)?.id === m.id);
    expect(boundUsers.map((u) => u._id)).toEqual([winner.userId]);
  });

  test('admins rebind and unbind; the other side is cleared', async () => {
    const cls = await unit('root', next('AB'));
    const p = phone();
    const m = await member({ unitIds: [cls.id], phone: p });
    const first = await person('old');
    const second = await person('new');
    await bind(first, p);
    const rebound = await must<MemberDetail>('members.bind', { memberId: m.id, userId: second.userId });
    expect(rebound.userId).toBe(second.userId);
    expect(doc('users', first.userId)?.member).toBeNull();
    expect((doc('users', second.userId)?.member as { id: string }).id).toBe(m.id);
    expect(code(await org('members.bind', { memberId: m.id, userId: first.userId }, second))).toBe('FORBIDDEN');
    await must('members.unbind', { memberId: m.id });
    expect(doc('users', second.userId)?.member).toBeNull();
    expect(doc('members', m.id)?.userId).toBeNull();
  });

  test('a deactivated member keeps its binding, marked inactive; the person may bind to their new member', async () => {
    const cls = await unit('root', next('DB'));
    const oldPhone = phone();
    const graduate = await member({ unitIds: [cls.id], phone: oldPhone, name: '毕业生' });
    const me = await person('grad');
    await bind(me, oldPhone);
    await must('members.deactivate', { memberId: graduate.id });
    expect(doc('users', me.userId)?.member).toMatchObject({ id: graduate.id, active: false });
    expect(doc('members', graduate.id)?.userId).toBe(me.userId);
    expect(await must<MyDirectory>('directory.mine', {}, me)).toEqual({ member: null, units: [], observed: [] });
    await must('members.restore', { memberId: graduate.id });
    expect(doc('users', me.userId)?.member).toMatchObject({ id: graduate.id, active: true });
    await must('members.deactivate', { memberId: graduate.id });
    // Now on the staff roster under a new number: binding moves there, the old member lets go.
    const newPhone = phone();
    const staff = await member({ unitIds: [cls.id], phone: newPhone, kind: 'staff', name: '新老师' });
    expect(code(await bind(me, newPhone))).toBe('OK');
    expect(doc('users', me.userId)?.member).toMatchObject({ id: staff.id, active: true });
    expect(doc('members', graduate.id)?.userId).toBeNull();
  });

  test('binding by WeCom userid needs a WeCom link and a matching member', async () => {
    const cls = await unit('root', next('W'));
    const me = await person('wecom');
    expect(code(await org('bind.wecom', {}, me))).toBe('WECOM_NOT_LINKED');
    const userid = next('zhang');
    const m = await member({ unitIds: [cls.id], wecomUserId: userid });
    const linked = await call<Result<LoginResponse>>(cloud, 'login', { action: 'wecomLogin', code: cloud.cloud.wecom.issueCode(userid) }, me);
    expect(linked.body.ok).toBe(true);
    // Linking WeCom binds the matching member at once.
    expect(linked.body.ok && linked.body.data.account.member?.id).toBe(m.id);
    expect(code(await org('bind.wecom', {}, me))).toBe('OK');
    expect(doc('members', m.id)?.userId).toBe(me.userId);
  });

  test('renaming a unit and editing a member refresh the bound account summary', async () => {
    const cls = await unit('root', next('RN'));
    const p = phone();
    const m = await member({ unitIds: [cls.id], phone: p });
    const me = await person('summary');
    await bind(me, p);
    await must('units.rename', { unitId: cls.id, name: next('新名') });
    const renamed = (doc('units', cls.id) as { name: string }).name;
    expect((doc('users', me.userId)?.member as { unitNames: string[] }).unitNames).toEqual([renamed]);
    const current = await must<MemberDetail>('directory.member', { memberId: m.id });
    await must('members.update', { memberId: m.id, rev: current.rev, member: { name: '新名字' } });
    expect((doc('users', me.userId)?.member as { name: string }).name).toBe('新名字');
  });
});

describe('directory', () => {
  async function classroom() {
    const college = await unit('root', next('DC'));
    const classA = await unit(college.id, 'A班', 'class');
    const classB = await unit(college.id, 'B班', 'class');
    const students = [];
    for (let i = 0; i < 3; i += 1) students.push(await member({ unitIds: [classA.id], phone: phone(), name: `甲${i}` }));
    const other = await member({ unitIds: [classB.id], phone: phone(), name: '乙' });
    const staff = await member({ unitIds: [college.id], phone: phone(), name: '院办老师', kind: 'staff' });
    const counsellor = await member({ unitIds: [college.id], phone: phone(), name: '辅导员', kind: 'staff' });
    await must('observers.set', { memberId: counsellor.id, unitIds: [classA.id] });
    const people = { student: await person('stu'), otherStudent: await person('stu2'), staff: await person('staff'), counsellor: await person('couns') };
    await bind(people.student, students[0].phone as string);
    await bind(people.otherStudent, other.phone as string);
    await bind(people.staff, staff.phone as string);
    await bind(people.counsellor, counsellor.phone as string);
    return { college, classA, classB, students, other, staff, counsellor, people };
  }

  test('my units, observed units and classmates', async () => {
    const c = await classroom();
    const mine = await must<MyDirectory>('directory.mine', {}, c.people.student);
    expect(mine.member?.id).toBe(c.students[0].id);
    expect(mine.units.map((u) => [u.id, u.memberCount])).toEqual([[c.classA.id, 3]]);
    expect(mine.observed).toEqual([]);
    const counsellor = await must<MyDirectory>('directory.mine', {}, c.people.counsellor);
    expect(counsellor.observed.map((u) => u.id)).toEqual([c.classA.id]);
    const classmates = await must<Page<MemberCard>>('directory.unitMembers', { unitId: c.classA.id }, c.people.student);
    expect(classmates.items.map((i) => i.name)).toEqual(['甲0', '甲1', '甲2']);
    const searched = await must<Page<MemberCard>>('directory.unitMembers', { unitId: c.classA.id, query: '甲1' }, c.people.student);
    expect(searched.items.map((i) => i.name)).toEqual(['甲1']);
    const unbound = await person('unbound');
    expect(await must<MyDirectory>('directory.mine', {}, unbound)).toEqual({ member: null, units: [], observed: [] });
  });

  test('who may browse which unit', async () => {
    const c = await classroom();
    expect(code(await org('directory.unitMembers', { unitId: c.classB.id }, c.people.student))).toBe('FORBIDDEN');
    expect(code(await org('directory.unitMembers', { unitId: c.college.id }, c.people.student))).toBe('FORBIDDEN');
    // Staff of the college see the classes below it.
    expect(code(await org('directory.unitMembers', { unitId: c.classB.id }, c.people.staff))).toBe('OK');
    expect(code(await org('directory.member', { memberId: c.other.id }, c.people.student))).toBe('MEMBER_NOT_FOUND');
    expect(code(await org('directory.unitMembers', { unitId: c.classB.id }, await person('nobody')))).toBe('FORBIDDEN');
  });

  test('phones: visible to admins, the unit observers and the member; hidden from classmates and colleagues', async () => {
    const c = await classroom();
    const target = c.students[1];
    const asStudent = await must<MemberDetail>('directory.member', { memberId: target.id }, c.people.student);
    expect(asStudent).toMatchObject({ phoneVisible: false, phone: null, wecomUserId: null, userId: null });
    const asStaff = await must<MemberDetail>('directory.member', { memberId: target.id }, c.people.staff);
    expect(asStaff.phone).toBeNull();
    const asCounsellor = await must<MemberDetail>('directory.member', { memberId: target.id }, c.people.counsellor);
    expect(asCounsellor).toMatchObject({ phoneVisible: true, phone: target.phone });
    // The counsellor observes class A only.
    expect((await must<MemberDetail>('directory.member', { memberId: c.other.id }, c.people.counsellor)).phone).toBeNull();
    expect((await must<MemberDetail>('directory.member', { memberId: target.id })).phone).toBe(target.phone);
    const self = await must<MemberDetail>('directory.member', { memberId: c.students[0].id }, c.people.student);
    expect(self.phone).toBe(c.students[0].phone);
  });

  test('members find the units below theirs; not other units', async () => {
    const c = await classroom();
    const below = await must<Page<UnitView>>('units.children', { parentId: c.college.id }, c.people.staff);
    expect(below.items.map((u) => u.id).sort()).toEqual([c.classA.id, c.classB.id].sort());
    expect(code(await org('units.get', { unitId: c.classB.id }, c.people.staff))).toBe('OK');
    expect(code(await org('units.children', { parentId: c.college.id }, c.people.student))).toBe('FORBIDDEN');
    expect(code(await org('units.get', { unitId: c.classB.id }, c.people.student))).toBe('FORBIDDEN');
    expect(code(await org('units.get', { unitId: c.classA.id }, c.people.student))).toBe('OK');
  });

  test('observers of a unit, as admins list them', async () => {
    const c = await classroom();
    const listed = await must<{ items: MemberCard[] }>('observers.list', { unitId: c.classA.id });
    expect(listed.items.map((i) => i.id)).toEqual([c.counsellor.id]);
  });
});

describe('audience', () => {
  test('units with their sub-units plus chosen members, each active member once', async () => {
    const college = await unit('root', next('AU'));
    const classA = await unit(college.id, 'A', 'class');
    const classB = await unit(college.id, 'B', 'class');
    const elsewhere = await unit('root', next('AX'));
    const inA = await member({ unitIds: [classA.id] });
    const inBoth = await member({ unitIds: [classA.id, classB.id] });
    const inCollege = await member({ unitIds: [college.id] });
    const inactive = await member({ unitIds: [classB.id] });
    await must('members.deactivate', { memberId: inactive.id });
    const outsider = await member({ unitIds: [elsewhere.id] });
    const notChosen = await member({ unitIds: [elsewhere.id] });
    const spec = { unitIds: [college.id, classA.id], memberIds: [outsider.id, inA.id, inactive.id] };
    const page = await must<Page<AudienceMember>>('audience.members', spec);
    expect(page.items.map((i) => i.id).sort()).toEqual([inA.id, inBoth.id, inCollege.id, outsider.id].sort());
    expect(page.items.map((i) => i.id)).not.toContain(notChosen.id);
    expect(await must<{ count: number }>('audience.count', spec)).toEqual({ count: 4 });
    expect(code(await org('audience.count', { unitIds: ['u_gone'], memberIds: [] }))).toBe('UNIT_NOT_FOUND');
    expect(code(await org('audience.count', spec, await person('aud')))).toBe('FORBIDDEN');
  });

  test('pages of 50 cover a large unit exactly once', async () => {
    const cls = await unit('root', next('AP'));
    const created = new Set<string>();
    for (let i = 0; i < 120; i += 1) created.add((await member({ unitIds: [cls.id] })).id);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const request: Record<string, unknown> = { unitIds: [cls.id], memberIds: [] };
      if (after) request.after = after;
      const page: Page<AudienceMember> = await must<Page<AudienceMember>>('audience.members', request);
      seen.push(...page.items.map((i) => i.id));
      after = page.next;
    } while (after);
    expect(seen).toHaveLength(120);
    expect(new Set(seen)).toEqual(created);
  });
});
