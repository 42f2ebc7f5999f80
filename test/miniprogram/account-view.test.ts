import { FIELD_LIMITS } from '../../typings/limits';
import type { AccountConflictView, RoleChangeView } from '../../typings';
import { checkNickname, displayName, memberLine, profileView, roleTags } from '../../miniprogram/utils/account-view';
import {
  accountRow,
  conflictRow,
  historyRow,
  replaceRow,
  revokeQuestion,
  roleActions,
  roleOfFilter,
  ROLE_FILTERS,
} from '../../miniprogram/utils/role-admin-view';
import { account, summary } from './fake-backend';

describe('roleTags', () => {
  it('labels roles in Chinese, strongest first and 成员 last', () => {
    expect(roleTags(['member', 'observer', 'admin', 'publisher']).map((tag) => tag.label)).toEqual(['管理员', '发布者', '观察员', '成员']);
  });

  it('gives admins a different tag type than members, in the theme colour and never red', () => {
    const [adminTag, memberTag] = roleTags(['member', 'admin']);
    expect(adminTag.type).not.toBe(memberTag.type);
    expect(adminTag.type).toBe('primary');
    expect(roleTags(['admin', 'publisher', 'observer', 'member']).map((tag) => tag.type)).not.toContain('danger');
  });
});

describe('displayName', () => {
  it('uses the nickname, or 微信用户 when it is missing or blank', () => {
    expect(displayName({ nickname: '小林' })).toBe('小林');
    expect(displayName({ nickname: null })).toBe('微信用户');
    expect(displayName({ nickname: '  ' })).toBe('微信用户');
    expect(displayName(null)).toBe('微信用户');
  });
});

describe('memberLine', () => {
  it('names the roster member, with the kind of number and the units on the line below', () => {
    expect(memberLine({ id: 'm', name: '林一', number: '2023001', kind: 'student', unitNames: ['计算机学院', '2301 班'], active: true })).toEqual({
      title: '林一',
      label: '学号 2023001 · 计算机学院 / 2301 班',
    });
    expect(memberLine({ id: 'm', name: '王老师', number: 'T01', kind: 'staff', unitNames: [], active: true }).label).toBe('工号 T01');
    expect(memberLine({ id: 'm', name: '王老师', number: 'T01', kind: 'staff', unitNames: ['教务处'], active: false }).label).toBe('已停用 · 工号 T01 · 教务处');
  });

  it('says 未绑定花名册 without a member', () => {
    expect(memberLine(null)).toEqual({ title: '未绑定花名册', label: '' });
  });
});

describe('profileView', () => {
  it('marks admins, keeps an empty nickname empty for the input, and shows the WeCom user', () => {
    const view = profileView(account({ nickname: null, roles: ['member', 'admin'], wecom: { corpId: 'c', userId: 'zs' } }));
    expect(view).toMatchObject({ displayName: '微信用户', nickname: '', isAdmin: true, wecom: '已关联（zs）', organisationName: '信通大学' });
    expect(profileView(account()).isAdmin).toBe(false);
    expect(profileView(account()).wecom).toBe('');
  });
});

describe('checkNickname', () => {
  const MAX = FIELD_LIMITS.nickname;

  it('trims and accepts 1 to FIELD_LIMITS.nickname characters, counting an emoji once', () => {
    expect(checkNickname('  小林 ')).toEqual({ ok: true, nickname: '小林' });
    expect(checkNickname('😀'.repeat(MAX))).toEqual({ ok: true, nickname: '😀'.repeat(MAX) });
  });

  it('refuses empty and too long nicknames with a Chinese reason', () => {
    expect(checkNickname('   ')).toEqual({ ok: false, message: '昵称不能为空' });
    expect(checkNickname('a'.repeat(MAX + 1))).toEqual({ ok: false, message: `昵称最多 ${MAX} 个字` });
  });
});

describe('role administration rows', () => {
  it('has the filter tabs 全部/管理员/发布者/观察员, 全部 listing any granted role', () => {
    expect(ROLE_FILTERS.map((tab) => tab.title)).toEqual(['全部', '管理员', '发布者', '观察员']);
    expect(roleOfFilter('all')).toBeNull();
    expect(roleOfFilter('observer')).toBe('observer');
  });

  it('names an account by roster name, then nickname, then 微信用户, and tags only granted roles', () => {
    expect(accountRow(summary({ memberName: '张三', nickname: 'zz', roles: ['member', 'admin'] }))).toMatchObject({
      title: '张三',
      label: '花名册：张三 · 昵称：zz',
      tags: [expect.objectContaining({ label: '管理员' })],
    });
    expect(accountRow(summary({ nickname: '李四' }))).toMatchObject({ title: '李四', label: '未绑定花名册', tags: [] });
    expect(accountRow(summary()).title).toBe('微信用户');
  });

  it('offers revoke for held roles and grant for the others', () => {
    expect(roleActions(['member', 'publisher']).map((a) => [a.name, a.change, a.role])).toEqual([
      ['授予管理员', 'grant', 'admin'],
      ['撤销发布者', 'revoke', 'publisher'],
      ['授予观察员', 'grant', 'observer'],
    ]);
    expect(revokeQuestion('张三', 'admin')).toBe('确定撤销「张三」的管理员角色吗？');
  });

  it('describes a role change with who did it, or where it came from', () => {
    const change: RoleChangeView = {
      id: 'c1',
      change: 'revoke',
      role: 'observer',
      target: { id: 'u2', name: '李四' },
      actor: null,
      source: 'config',
      at: '2024-03-01 09:30',
    };
    expect(historyRow(change)).toMatchObject({ title: '撤销「李四」观察员', label: '2024-03-01 09:30 · 来自配置' });
    expect(historyRow({ ...change, change: 'grant', role: 'admin', source: 'bootstrap' }).label).toBe('2024-03-01 09:30 · 首位管理员初始化');
  });

  it('describes a conflict, open or resolved with its note', () => {
    const conflict: AccountConflictView = {
      id: 'k1',
      code: 'ACCOUNT_CONFLICT',
      status: 'open',
      appid: 'a',
      openidAccount: summary({ nickname: '旧账号' }),
      unionidAccount: summary({ memberName: '赵六' }),
      at: '2024-03-02 10:00',
      resolvedAt: null,
      resolution: null,
      note: null,
    };
    expect(conflictRow(conflict)).toMatchObject({ open: true, statusLabel: '待处理', openidAccount: '旧账号', unionidAccount: '赵六', resolution: '' });
    expect(conflictRow({ ...conflict, status: 'resolved', resolvedAt: '2024-03-03 08:00', resolution: 'dismissed', note: '本人确认' })).toMatchObject({
      open: false,
      statusLabel: '已处理',
      resolution: '保持独立，处理于 2024-03-03 08:00：本人确认',
    });
  });

  it('replaces a row by id', () => {
    const a = { id: 'a', v: 1 };
    const b = { id: 'b', v: 1 };
    expect(replaceRow([a, b], { id: 'b', v: 9 })).toEqual([a, { id: 'b', v: 9 }]);
  });
});
