/**
 * Demo data written on the first start of an empty local cloud, so the mini-program has
 * someone to be. Feature issues extend it (units, notices, rooms).
 */
import { createHash, randomBytes } from 'node:crypto';
import { ADMINS_DOC_ID, type RoleChangeDoc } from '../../server/accounts/roles';
import { DEFAULT_ORGANISATION_NAME } from '../../server/accounts/config';
import { type MemberDoc, ROOT_UNIT_ID, UNIT_TREE_DOC_ID, type UnitDoc, wecomKeyOf } from '../../server/org/model';
import { identityId } from '../../server/db/collections';
import { memberSummary } from '../../server/org/summaries';
import { UnitTree } from '../../server/org/tree';
import type { GrantableRole, MemberSummary } from '../../typings';
import type { DbEngine } from './db/engine';
import { seedNotices, type DemoFile } from './seed-notices';

export const DEMO_APPID = 'wx-demo-appid';

/**
 * The subscribe-message templates `npm start` gives the notice function (an operator's own
 * `NOTICE_SUBSCRIBE_TEMPLATES` wins): one for a new notice, one for a reminder, both one-time.
 */
export const DEMO_SUBSCRIBE_TEMPLATES = JSON.stringify([
  { id: 'demo-tmpl-new-notice', kind: 'one-time', purpose: 'notice', fields: { thing1: 'title', name2: 'author', time3: 'publishedAt' } },
  { id: 'demo-tmpl-remind', kind: 'one-time', purpose: 'remind', fields: { thing1: 'title', time2: 'deadline', thing3: 'hint' } },
]);

export interface DemoPerson {
  userId: string;
  openid: string;
  unionid: string;
  nickname: string;
  /** Granted roles; everyone is a member. */
  roles: GrantableRole[];
}

export const DEMO_PEOPLE: readonly DemoPerson[] = [
  { userId: 'demo-admin', openid: 'demo-admin-openid', unionid: 'demo-admin-unionid', nickname: '演示管理员', roles: ['admin'] },
  { userId: 'demo-member-1', openid: 'demo-member-1-openid', unionid: 'demo-member-1-unionid', nickname: '张三', roles: [] },
  { userId: 'demo-member-2', openid: 'demo-member-2-openid', unionid: 'demo-member-2-unionid', nickname: '李四', roles: [] },
  { userId: 'demo-member-3', openid: 'demo-member-3-openid', unionid: 'demo-member-3-unionid', nickname: '王五', roles: [] },
];

export interface SeedSummary {
  /** False when the database already held data and nothing was written. */
  seeded: boolean;
  people: readonly DemoPerson[];
  /** Files the demo data refers to (notice attachments), for the caller to put in storage. */
  files: DemoFile[];
}

interface DemoUnit {
  id: string;
  name: string;
  kind: UnitDoc['kind'];
  parentId: string;
}

/** A small school: two colleges with classes, and an administration with one office. */
const DEMO_UNITS: readonly DemoUnit[] = [
  { id: 'u_demo_cs', name: '计算机学院', kind: 'college', parentId: ROOT_UNIT_ID },
  { id: 'u_demo_se2301', name: '软件工程2301班', kind: 'class', parentId: 'u_demo_cs' },
  { id: 'u_demo_cs2302', name: '计算机科学2302班', kind: 'class', parentId: 'u_demo_cs' },
  { id: 'u_demo_math', name: '数学学院', kind: 'college', parentId: ROOT_UNIT_ID },
  { id: 'u_demo_math2301', name: '数学2301班', kind: 'class', parentId: 'u_demo_math' },
  { id: 'u_demo_admin', name: '行政部门', kind: 'department', parentId: ROOT_UNIT_ID },
  { id: 'u_demo_office', name: '教务处', kind: 'department', parentId: 'u_demo_admin' },
];

const SURNAMES = '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜';
const GIVEN = ['子涵', '雨桐', '浩然', '思远', '欣怡', '宇轩', '梓萱', '一鸣', '佳琪', '俊杰', '诗雨', '明轩'];

interface DemoMember {
  id: string;
  name: string;
  number: string;
  kind: MemberDoc['kind'];
  unitIds: string[];
  title?: string;
  observes?: string[];
  userId?: string;
}

function demoMembers(): DemoMember[] {
  const members: DemoMember[] = [
    { id: 'm_demo_admin', name: '陈主任', number: 'T0001', kind: 'staff', unitIds: ['u_demo_office'], title: '教务处主任', userId: 'demo-admin' },
    { id: 'm_demo_counsellor', name: '林老师', number: 'T0002', kind: 'staff', unitIds: ['u_demo_cs'], title: '辅导员', observes: ['u_demo_se2301', 'u_demo_cs2302'] },
    { id: 'm_demo_1', name: '张三', number: '2023010101', kind: 'student', unitIds: ['u_demo_se2301'], title: '班长', userId: 'demo-member-1' },
    { id: 'm_demo_2', name: '李四', number: '2023010102', kind: 'student', unitIds: ['u_demo_se2301'], userId: 'demo-member-2' },
    { id: 'm_demo_3', name: '王五', number: '2023010201', kind: 'student', unitIds: ['u_demo_cs2302'], userId: 'demo-member-3' },
  ];
  const classes: [string, string, number][] = [
    ['u_demo_se2301', '20230101', 18],
    ['u_demo_cs2302', '20230102', 14],
    ['u_demo_math2301', '20230201', 12],
  ];
  let n = 0;
  for (const [unitId, prefix, size] of classes) {
    for (let i = 3; i < size + 3; i += 1) {
      n += 1;
      const name = `${SURNAMES[n % SURNAMES.length]}${GIVEN[(n * 7) % GIVEN.length]}`;
      members.push({ id: `m_demo_${prefix}_${i}`, name, number: `${prefix}${String(i).padStart(2, '0')}`, kind: 'student', unitIds: [unitId] });
    }
  }
  return members;
}

/** A stable, obviously fake mainland mobile number per demo member. */
function demoPhone(number: string): string {
  const digits = parseInt(createHash('sha256').update(number).digest('hex').slice(0, 8), 16) % 100_000_000;
  return `+86139${String(digits).padStart(8, '0')}`;
}

/** Writes the demo organisation; answers its tree, which the demo accounts' summaries are made from. */
function seedOrganisation(engine: DbEngine, now: Date, organisationName: string): UnitTree {
  const members = demoMembers();
  const counts = new Map<string, number>();
  for (const m of members) for (const id of m.unitIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  const children = new Map<string, number>();
  for (const u of DEMO_UNITS) children.set(u.parentId, (children.get(u.parentId) ?? 0) + 1);
  const unit = (id: string, name: string, kind: UnitDoc['kind'], parentId: string | null): UnitDoc => ({
    _id: id,
    name,
    kind,
    parentId,
    childCount: children.get(id) ?? 0,
    memberCount: counts.get(id) ?? 0,
    rosterCount: counts.get(id) ?? 0,
    createdAt: now,
    updatedAt: now,
  });
  const units = [unit(ROOT_UNIT_ID, organisationName, 'org', null), ...DEMO_UNITS.map((u) => unit(u.id, u.name, u.kind, u.parentId))];
  engine.insertDocuments('units', units.map((u) => ({ ...u })));
  engine.insertDocuments(
    'members',
    members.map(
      (m): MemberDoc & Record<string, unknown> => ({
        _id: m.id,
        name: m.name,
        number: m.number,
        phone: demoPhone(m.number),
        kind: m.kind,
        unitIds: m.unitIds,
        title: m.title ?? null,
        wecomUserId: null,
        observes: m.observes ?? [],
        active: true,
        userId: m.userId ?? null,
        rev: 'demo',
        fieldsRev: 'demo',
        wecomKey: wecomKeyOf(m.id, null),
        createdAt: now,
        updatedAt: now,
        deactivatedAt: null,
      }),
    ),
  );
  // A fresh revision each seed, so a function instance that outlived a reset reloads the tree.
  const rev = randomBytes(8).toString('hex');
  engine.insertDocuments('settings', [{ _id: UNIT_TREE_DOC_ID, rev, updatedAt: now }]);
  return new UnitTree(rev, units);
}

/** What a bound account shows of its member: the summary server/org/summaries.ts writes. */
function summaryOf(userId: string, snapshot: UnitTree): MemberSummary | null {
  const m = demoMembers().find((member) => member.userId === userId);
  if (!m) return null;
  return memberSummary({ _id: m.id, name: m.name, number: m.number, kind: m.kind, unitIds: m.unitIds, active: true, observes: m.observes ?? [], phone: demoPhone(m.number) }, snapshot);
}

export interface SeedOptions {
  /** The root unit's name: the organisation name the functions are configured with. */
  organisationName?: string;
  /** Demo notices with reads and confirmations (default true). */
  notices?: boolean;
  /** The file id of a stored file's cloud path (demo attachments). */
  fileIdOf?: (cloudPath: string) => string;
}

export async function seedDemoData(engine: DbEngine, now: Date = new Date(), options: SeedOptions = {}): Promise<SeedSummary> {
  if (engine.countDocuments('users') > 0) return { seeded: false, people: DEMO_PEOPLE, files: [] };
  const snapshot = seedOrganisation(engine, now, options.organisationName || DEFAULT_ORGANISATION_NAME);
  engine.insertDocuments(
    'users',
    DEMO_PEOPLE.map((p) => ({
      _id: p.userId,
      nickname: p.nickname,
      avatarFileId: null,
      roles: p.roles,
      member: summaryOf(p.userId, snapshot),
      wecom: null,
      profileEditedAt: null,
      createdAt: now,
      updatedAt: now,
      demo: true,
    })),
  );
  // The admin set the role rules keep in step with users' roles (see server/accounts/roles.ts).
  engine.insertDocuments('settings', [
    { _id: ADMINS_DOC_ID, userIds: DEMO_PEOPLE.filter((p) => p.roles.includes('admin')).map((p) => p.userId), updatedAt: now },
  ]);
  // Demo roles are configuration, recorded as the configured admins of XINTONG_ADMIN_OPENIDS
  // are, so 角色管理 → 变更记录 tells where the demo admin came from.
  engine.insertDocuments(
    'role_changes',
    DEMO_PEOPLE.flatMap((p) =>
      p.roles.map(
        (role): RoleChangeDoc & Record<string, unknown> => ({
          _id: `demo-grant-${p.userId}-${role}`,
          change: 'grant',
          role,
          targetUserId: p.userId,
          targetName: p.nickname,
          actorUserId: null,
          actorName: null,
          source: 'config',
          at: now,
        }),
      ),
    ),
  );
  engine.insertDocuments(
    'identities',
    DEMO_PEOPLE.flatMap((p) => [
      { _id: identityId('wx-openid', `${DEMO_APPID}:${p.openid}`), kind: 'wx-openid', key: `${DEMO_APPID}:${p.openid}`, userId: p.userId, createdAt: now },
      { _id: identityId('wx-unionid', p.unionid), kind: 'wx-unionid', key: p.unionid, userId: p.userId, createdAt: now },
    ]),
  );
  const files = (options.notices ?? true) ? seedNotices(engine, now, options.fileIdOf ?? ((cloudPath) => `cloud://local/${cloudPath}`)) : [];
  return { seeded: true, people: DEMO_PEOPLE, files };
}
