/**
 * Demo data written on the first start of an empty local cloud, so the mini-program has
 * someone to be. Feature issues extend it (units, notices, rooms).
 */
import { ADMINS_DOC_ID } from '../../server/accounts/roles';
import { identityId } from '../../server/db/collections';
import type { GrantableRole } from '../../typings';
import type { DbEngine } from './db/engine';

export const DEMO_APPID = 'wx-demo-appid';

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
}

export async function seedDemoData(engine: DbEngine, now: Date = new Date()): Promise<SeedSummary> {
  if (engine.countDocuments('users') > 0) return { seeded: false, people: DEMO_PEOPLE };
  engine.insertDocuments(
    'users',
    DEMO_PEOPLE.map((p) => ({
      _id: p.userId,
      nickname: p.nickname,
      avatarFileId: null,
      roles: p.roles,
      member: null,
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
  engine.insertDocuments(
    'identities',
    DEMO_PEOPLE.flatMap((p) => [
      { _id: identityId('wx-openid', `${DEMO_APPID}:${p.openid}`), kind: 'wx-openid', key: `${DEMO_APPID}:${p.openid}`, userId: p.userId, createdAt: now },
      { _id: identityId('wx-unionid', p.unionid), kind: 'wx-unionid', key: p.unionid, userId: p.userId, createdAt: now },
    ]),
  );
  return { seeded: true, people: DEMO_PEOPLE };
}
