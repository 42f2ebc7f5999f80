import {
  businessTimeMs,
  canScope,
  crumbsOf,
  exportChoices,
  headerOf,
  medianText,
  minutesText,
  personRow,
  ratePercent,
  remindResultText,
  remindWait,
  ringAngles,
  ringLabel,
  ringsOf,
  scopePathText,
  tabAfter,
  tabsOf,
  unitBar,
} from '../../miniprogram/utils/notice-stats-view';
import { person, stats, unitStats } from './notice-stats-fixtures';

/** 2024-03-03 12:00 in Shanghai. */
const NOON = Date.UTC(2024, 2, 3, 4, 0);

describe('ratePercent', () => {
  it('is a whole percentage rounded down, so only everyone reads 100%', () => {
    expect(ratePercent(120, 150)).toBe(80);
    expect(ratePercent(149, 150)).toBe(99);
    expect(ratePercent(150, 150)).toBe(100);
    expect(ratePercent(1, 3)).toBe(33);
  });

  it('is 0 when nobody is counted, never NaN', () => {
    expect(ratePercent(0, 0)).toBe(0);
    expect(ratePercent(0, 10)).toBe(0);
  });
});

describe('ringAngles', () => {
  it('turns the right half for the first 50% and the left half for the rest', () => {
    expect(ringAngles(0)).toEqual({ right: 0, left: 0 });
    expect(ringAngles(25)).toEqual({ right: 90, left: 0 });
    expect(ringAngles(50)).toEqual({ right: 180, left: 0 });
    expect(ringAngles(80)).toEqual({ right: 180, left: 108 });
    expect(ringAngles(100)).toEqual({ right: 180, left: 180 });
  });

  it('keeps what it is given within 0–100', () => {
    expect(ringAngles(140)).toEqual({ right: 180, left: 180 });
    expect(ringAngles(-5)).toEqual({ right: 0, left: 0 });
    expect(ringAngles(Number.NaN)).toEqual({ right: 0, left: 0 });
  });

  it('is labelled for screen readers as a rate', () => {
    expect(ringLabel('已读', 80)).toBe('已读率 80%');
  });
});

describe('ringsOf', () => {
  it('has a read ring and, when confirmation is required, a confirmed ring, with their figures', () => {
    expect(ringsOf(stats())).toEqual([
      { key: 'read', label: '已读', percent: 80, figures: '120/150' },
      { key: 'confirmed', label: '已确认', percent: 53, figures: '80/150' },
    ]);
  });

  it('has only the read ring when no confirmation is asked', () => {
    expect(ringsOf(stats({}, { requiresConfirm: false })).map((ring) => ring.key)).toEqual(['read']);
  });
});

describe('minutesText and medianText', () => {
  it('reads minutes, hours and days', () => {
    expect(minutesText(0.4)).toBe('不到 1 分钟');
    expect(minutesText(12)).toBe('12 分钟');
    expect(minutesText(12.6)).toBe('13 分钟');
    expect(minutesText(60)).toBe('1 小时');
    expect(minutesText(125)).toBe('2 小时 5 分钟');
    expect(minutesText(24 * 60)).toBe('1 天');
    expect(minutesText(3 * 24 * 60 + 4 * 60 + 10)).toBe('3 天 4 小时');
  });

  it('says when nobody has read yet', () => {
    expect(medianText(12)).toBe('中位阅读用时 12 分钟');
    expect(medianText(null)).toBe('暂无人阅读');
  });
});

describe('businessTimeMs', () => {
  it('reads a business time in Shanghai whatever the host zone', () => {
    expect(businessTimeMs('2024-03-03 12:00')).toBe(NOON);
    expect(businessTimeMs('2024-03-01 00:30')).toBe(Date.UTC(2024, 1, 29, 16, 30));
    expect(businessTimeMs('soon')).toBeNaN();
  });
});

describe('headerOf', () => {
  it('has the title, the published time, the deadline and the totals', () => {
    expect(headerOf(stats(), NOON)).toEqual({
      title: '关于期末考试安排的通知',
      statusTag: '',
      publishedText: '发布于 2024-03-01 09:30',
      deadlineText: '截止 2024-03-05 18:00',
      totalsText: '共 150 人 · 未读 30 人 · 未确认 70 人',
      medianText: '中位阅读用时 45 分钟',
    });
  });

  it('marks a passed deadline, a recalled notice, and no deadline nor confirmation', () => {
    expect(headerOf(stats(), Date.UTC(2024, 2, 6)).deadlineText).toBe('截止 2024-03-05 18:00（已截止）');
    expect(headerOf(stats({}, { status: 'recalled' }), NOON).statusTag).toBe('已撤回');
    const plain = headerOf(stats({ totals: { audience: 10, read: 0, confirmed: 0, unread: 10, medianReadMinutes: null } }, { deadline: null, requiresConfirm: false }), NOON);
    expect(plain.deadlineText).toBe('');
    expect(plain.totalsText).toBe('共 10 人 · 未读 10 人');
    expect(plain.medianText).toBe('');
  });
});

describe('scopePathText', () => {
  it('shows the full path of a nested scope, not the organisation nor a top unit whose crumb says it', () => {
    expect(scopePathText(stats())).toBe('');
    expect(scopePathText(stats({ scope: { unitId: 'college-1', name: '计算机学院', path: '计算机学院' } }))).toBe('');
    expect(scopePathText(stats({ scope: { unitId: 'class-a', name: '软件工程 2301 班', path: '计算机学院/软件工程 2301 班' } }))).toBe('计算机学院 / 软件工程 2301 班');
  });
});

describe('unitBar', () => {
  it('has the bar width, the figures and a spoken label', () => {
    expect(unitBar(unitStats(), true, false)).toEqual({
      id: 'class-a',
      name: '软件工程 2301 班',
      percent: 80,
      barStyle: 'width: 80%',
      meta: '已读 24/30 · 确认 20 · 中位阅读用时 12 分钟',
      scopable: false,
      ariaLabel: '软件工程 2301 班，已读率 80%，已读 24/30，确认 20，中位阅读用时 12 分钟',
    });
  });

  it('leaves confirmation out when not required, and says a scopable unit opens', () => {
    const bar = unitBar(unitStats({ read: 0, medianReadMinutes: null }), false, true);
    expect(bar.meta).toBe('已读 0/30 · 暂无人阅读');
    expect(bar.ariaLabel).toBe('软件工程 2301 班，已读率 0%，已读 0/30，暂无人阅读，查看下级单位');
  });
});

describe('canScope', () => {
  const college = unitStats({ unitId: 'college-1', hasChildren: true });

  it('opens a unit with sub-units for an unrestricted caller, never one without', () => {
    expect(canScope(college, [], false)).toBe(true);
    expect(canScope(unitStats({ hasChildren: false }), [], true)).toBe(false);
  });

  it('lets an observer into the units they observe and anything inside them only', () => {
    expect(canScope(college, ['college-1'], false)).toBe(true);
    expect(canScope(college, ['college-2'], false)).toBe(false);
    expect(canScope(college, ['college-2'], true)).toBe(true);
  });
});

describe('tabsOf and tabAfter', () => {
  it('offers the units, 已读, 未读 and 未确认 with their counts', () => {
    expect(tabsOf(stats())).toEqual([
      { name: 'units', title: '各单位 2' },
      { name: 'read', title: '已读 120' },
      { name: 'unread', title: '未读 30' },
      { name: 'unconfirmed', title: '未确认 70' },
    ]);
  });

  it('leaves out the units of a scope without sub-units and 未确认 when not required', () => {
    expect(tabsOf(stats({ units: [] }, { requiresConfirm: false })).map((tab) => tab.name)).toEqual(['read', 'unread']);
  });

  it('keeps the tab shown when it still exists, else opens the units, else 未读', () => {
    const all = tabsOf(stats());
    const noUnits = tabsOf(stats({ units: [] }));
    expect(tabAfter('read', all)).toBe('read');
    expect(tabAfter(null, all)).toBe('units');
    expect(tabAfter('units', noUnits)).toBe('unread');
    expect(tabAfter('unconfirmed', tabsOf(stats({}, { requiresConfirm: false })))).toBe('units');
  });
});

describe('crumbsOf', () => {
  it('makes every step but the last a way back', () => {
    expect(crumbsOf([{ unitId: null, name: '信通大学' }, { unitId: 'college-1', name: '计算机学院' }])).toEqual([
      { index: 0, name: '信通大学', current: false },
      { index: 1, name: '计算机学院', current: true },
    ]);
  });
});

describe('personRow', () => {
  it('shows the path and the read and confirm times, without this year', () => {
    const row = personRow(person({ confirmedAt: '2024-03-01 10:05' }), 'read', NOON);
    expect(row).toEqual({
      id: 'm1',
      name: '林一',
      number: '2023001',
      meta: '计算机学院 / 软件工程 2301 班 · 阅读 03-01 10:02 · 确认 03-01 10:05',
      ariaLabel: '林一 2023001，计算机学院 / 软件工程 2301 班 · 阅读 03-01 10:02 · 确认 03-01 10:05，查看成员',
    });
    expect(personRow(person(), 'read', Date.UTC(2025, 0, 10)).meta).toBe('计算机学院 / 软件工程 2301 班 · 阅读 2024-03-01 10:02');
  });

  it('says 未读 and 未确认 in those lists', () => {
    expect(personRow(person({ readAt: null }), 'unread', NOON).meta).toBe('计算机学院 / 软件工程 2301 班 · 未读');
    expect(personRow(person(), 'unconfirmed', NOON).meta).toBe('计算机学院 / 软件工程 2301 班 · 阅读 03-01 10:02 · 未确认');
    expect(personRow(person({ readAt: null }), 'unconfirmed', NOON).meta).toBe('计算机学院 / 软件工程 2301 班 · 未读 · 未确认');
  });
});

describe('remindResultText', () => {
  it('says how many were reached, had no credit and failed', () => {
    expect(remindResultText({ reached: 20, noCredit: 10, failed: 0, remaining: 0, nextAllowedAt: '2024-03-03 12:05' })).toBe('已提醒 20 人，10 人未开启提醒');
    expect(remindResultText({ reached: 20, noCredit: 0, failed: 2, remaining: 0, nextAllowedAt: '2024-03-03 12:05' })).toBe('已提醒 20 人，2 人发送失败');
    expect(remindResultText({ reached: 0, noCredit: 0, failed: 0, remaining: 0, nextAllowedAt: '2024-03-03 12:05' })).toBe('没有需要提醒的人');
    expect(remindResultText({ reached: 900, noCredit: 0, failed: 0, remaining: 300, nextAllowedAt: '2024-03-03 12:05' })).toBe('已提醒 900 人，还有 300 人未及提醒，稍后可再提醒一次');
  });
});

describe('remindWait', () => {
  it('waits until the next allowed time, shown without the date today', () => {
    expect(remindWait('2024-03-03 12:05', NOON)).toEqual({ waiting: true, text: '12:05 后可再次提醒', ms: 5 * 60_000 });
    expect(remindWait('2024-03-04 00:02', Date.UTC(2024, 2, 3, 15, 58)).text).toBe('2024-03-04 00:02 后可再次提醒');
  });

  it('does not wait once the time has come, nor without one', () => {
    expect(remindWait('2024-03-03 12:00', NOON).waiting).toBe(false);
    expect(remindWait(null, NOON)).toEqual({ waiting: false, text: '', ms: 0 });
  });
});

describe('exportChoices', () => {
  it('offers everyone, 已读, 未读 and 未确认 only when required', () => {
    expect(exportChoices(true).map((choice) => choice.list)).toEqual(['all', 'read', 'unread', 'unconfirmed']);
    expect(exportChoices(false).map((choice) => choice.label)).toEqual(['全部成员', '已读名单', '未读名单']);
  });
});
