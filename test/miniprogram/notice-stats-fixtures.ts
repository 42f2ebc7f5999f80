/**
 * Statistics of a notice as the `notice` function returns them, for the readers page and its
 * view tests: a college of classes by default, requiring confirmation.
 */
import type { NoticePerson, NoticeStats, UnitStats } from '../../typings';

export function unitStats(overrides: Partial<UnitStats> = {}): UnitStats {
  return {
    unitId: 'class-a',
    name: '软件工程 2301 班',
    kind: 'class',
    hasChildren: false,
    audience: 30,
    read: 24,
    confirmed: 20,
    unread: 6,
    medianReadMinutes: 12,
    ...overrides,
  };
}

export function stats(overrides: Partial<NoticeStats> = {}, notice: Partial<NoticeStats['notice']> = {}): NoticeStats {
  return {
    notice: {
      id: 'n1',
      title: '关于期末考试安排的通知',
      kind: 'notice',
      status: 'published',
      publishedAt: '2024-03-01 09:30',
      deadline: '2024-03-05 18:00',
      requiresConfirm: true,
      ...notice,
    },
    scope: { unitId: 'root', name: '信通大学', path: '' },
    totals: { audience: 150, read: 120, confirmed: 80, unread: 30, medianReadMinutes: 45 },
    units: [
      unitStats({ unitId: 'college-1', name: '计算机学院', kind: 'college', hasChildren: true, audience: 100, read: 90, confirmed: 60, unread: 10, medianReadMinutes: 30 }),
      unitStats({ unitId: 'college-2', name: '外国语学院', kind: 'college', hasChildren: true, audience: 50, read: 30, confirmed: 20, unread: 20, medianReadMinutes: 90 }),
    ],
    observedUnitIds: [],
    remind: { lastAt: null, nextAllowedAt: null },
    ...overrides,
  };
}

export function person(overrides: Partial<NoticePerson> = {}): NoticePerson {
  return {
    memberId: 'm1',
    name: '林一',
    number: '2023001',
    unitPath: '计算机学院/软件工程 2301 班',
    readAt: '2024-03-01 10:02',
    confirmedAt: null,
    ...overrides,
  };
}
