import type { AccountView, MemberSummary } from '../../typings';
import {
  emptyNonReadersText,
  explanationText,
  lastChoices,
  lastOf,
  nonReaderRow,
  nonReadersPageUrl,
  observedVia,
  offersNonReaders,
} from '../../miniprogram/utils/non-readers-view';

function who(roles: AccountView['roles'], member: Partial<MemberSummary> | null = null): Pick<AccountView, 'roles' | 'member'> {
  return {
    roles,
    member: member && { id: 'm9', name: '周老师', number: 'T001', kind: 'staff', unitNames: [], active: true, ...member },
  };
}

describe('长期未读 view', () => {
  it('offers 3, 5 and 10 recent notices and reads only those back', () => {
    expect(lastChoices()).toEqual([
      { name: '3', title: '最近 3 条' },
      { name: '5', title: '最近 5 条' },
      { name: '10', title: '最近 10 条' },
    ]);
    expect([lastOf('3'), lastOf(10), lastOf('4'), lastOf('20'), lastOf(undefined), lastOf('')]).toEqual([3, 10, null, null, null, null]);
  });

  it('shows a person with the figure, several unit paths readable', () => {
    expect(nonReaderRow({ memberId: 'm1', name: '林一', number: '2023001', unitPath: '计算机学院/软件工程2301班；数学学院/数学2301班', unreadCount: 3 })).toEqual({
      id: 'm1',
      name: '林一',
      number: '2023001',
      meta: '计算机学院 / 软件工程2301班；数学学院 / 数学2301班',
      countText: '3 条未按时阅读',
      ariaLabel: '林一 2023001，计算机学院 / 软件工程2301班；数学学院 / 数学2301班，3 条未按时阅读，查看成员',
    });
  });

  it('explains the list over the notices considered, and says why it is empty', () => {
    expect(explanationText(4)).toBe('以下成员在收到的最近 4 条有截止时间的通知中，均未在截止前阅读');
    expect(explanationText(0)).toBe('');
    expect(emptyNonReadersText(5)).toBe('没有成员在最近 5 条通知中全部未按时阅读');
    expect(emptyNonReadersText(0)).toBe('最近没有设置截止时间的通知');
  });

  it('encodes the unit in the page address', () => {
    expect(nonReadersPageUrl({ id: 'u 1', name: '软件工程 2301 班' })).toBe(`/pages/non-readers/index?unitId=u%201&name=${encodeURIComponent('软件工程 2301 班')}`);
  });

  it('is offered to admins, the observer role and active observers of the unit or of the unit walked down from', () => {
    expect(offersNonReaders(who(['member', 'admin']), 'u1')).toBe(true);
    expect(offersNonReaders(who(['member', 'observer']), 'u1')).toBe(true);
    expect(offersNonReaders(who(['member', 'publisher']), 'u1')).toBe(false);
    expect(offersNonReaders(who(['member'], { observes: ['u1'] }), 'u1')).toBe(true);
    expect(offersNonReaders(who(['member'], { observes: ['college'] }), 'u1', 'college')).toBe(true);
    expect(offersNonReaders(who(['member'], { observes: ['college'] }), 'u1', 'other')).toBe(false);
    expect(offersNonReaders(who(['member'], { observes: ['u1'], active: false }), 'u1')).toBe(false);
    expect(offersNonReaders(who(['member'], {}), 'u1')).toBe(false);
    expect(offersNonReaders(who(['member']), 'u1')).toBe(false);
    expect(offersNonReaders(null, 'u1')).toBe(false);
  });

  it('carries the observed unit down to sub-units: the unit itself when observed, else the one walked down from', () => {
    const observer = who(['member'], { observes: ['college'] });
    expect(observedVia(observer, 'college')).toBe('college');
    expect(observedVia(observer, 'class-a', 'college')).toBe('college');
    expect(observedVia(observer, 'class-a', 'made-up')).toBe('');
    expect(observedVia(who(['member', 'admin']), 'college')).toBe('');
    expect(observedVia(null, 'college', 'college')).toBe('');
  });
});
