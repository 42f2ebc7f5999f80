/**
 * How a notice's statistics are shown (pages/notice-readers): rates and their rings, the bar of
 * each unit, the rows of the read / unread / unconfirmed lists, the reminder's outcome and its
 * cooling-off. Plain functions, tested without a page.
 */
import type { NoticePerson, NoticeStats, NoticeStatus, PeopleList, RemindResult, UnitStats } from '../../typings';
import { unitPathText } from './org-view';

/**
 * Rows a window of the statistics page holds (its units and each of its lists): a person row is
 * 5 WXML nodes and a unit bar 7, and the rings, tabs and search take about 150, so a full window
 * stays well under WeChat's 1,000 nodes.
 */
export const READERS_CAP = 100;

/**
 * A whole percentage, rounded down so that 149 of 150 never reads 100%: 100% means everyone.
 * 0 when there is nobody to count.
 */
export function ratePercent(part: number, whole: number): number {
  if (!(whole > 0) || !(part > 0)) return 0;
  if (part >= whole) return 100;
  return Math.floor((part / whole) * 100);
}

/**
 * The rotation of the two half-circle masks of a ring (components/rate-ring): the right half
 * fills the first 50% (0–180°), the left half the rest.
 */
export function ringAngles(percent: number): { right: number; left: number } {
  const p = Math.min(100, Math.max(0, Number.isFinite(percent) ? percent : 0));
  // Tenths of a degree: finer than a pixel on any phone, and no float tails in the style.
  const degrees = (part: number) => Math.round((part / 50) * 1800) / 10;
  return { right: degrees(Math.min(p, 50)), left: degrees(Math.max(p - 50, 0)) };
}

/** What a screen reader says for a ring: 「已读率 80%」. */
export function ringLabel(label: string, percent: number): string {
  return `${label}率 ${percent}%`;
}

export interface RingView {
  key: 'read' | 'confirmed';
  /** 已读 or 已确认. */
  label: string;
  percent: number;
  /** `120/150`. */
  figures: string;
}

/** The read ring, and the confirmed ring when the notice asks for confirmation. */
export function ringsOf(stats: NoticeStats): RingView[] {
  const { audience, read, confirmed } = stats.totals;
  const rings: RingView[] = [{ key: 'read', label: '已读', percent: ratePercent(read, audience), figures: `${read}/${audience}` }];
  if (stats.notice.requiresConfirm) rings.push({ key: 'confirmed', label: '已确认', percent: ratePercent(confirmed, audience), figures: `${confirmed}/${audience}` });
  return rings;
}

/** A median time to read: `12 分钟`, `2 小时 5 分钟`, `3 天 4 小时`; `不到 1 分钟` below one. */
export function minutesText(minutes: number): string {
  const whole = Math.round(minutes);
  if (whole < 1) return '不到 1 分钟';
  if (whole < 60) return `${whole} 分钟`;
  const hours = Math.floor(whole / 60);
  if (hours < 24) return whole % 60 ? `${hours} 小时 ${whole % 60} 分钟` : `${hours} 小时`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} 天 ${hours % 24} 小时` : `${days} 天`;
}

export function medianText(minutes: number | null): string {
  return minutes === null ? '暂无人阅读' : `中位阅读用时 ${minutesText(minutes)}`;
}

const STATUS_TAGS: Readonly<Record<NoticeStatus, string>> = {
  draft: '草稿',
  scheduled: '待发布',
  publishing: '发布中',
  published: '',
  recalled: '已撤回',
};

/** Business time `YYYY-MM-DD HH:mm` (Asia/Shanghai, UTC+8 all year) as epoch ms; NaN when unreadable. */
export function businessTimeMs(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text.trim());
  if (!match) return NaN;
  const [, y, mo, d, h, mi] = match.map(Number);
  return Date.UTC(y, mo - 1, d, h - 8, mi);
}

export interface HeaderView {
  title: string;
  /** 已撤回, 草稿 ...; empty for a published notice. */
  statusTag: string;
  publishedText: string;
  deadlineText: string;
  totalsText: string;
  /** 中位阅读用时 of the scope; empty while nobody has read (a line of its own, so it never wraps inside). */
  medianText: string;
}

export function headerOf(stats: NoticeStats, now: number = Date.now()): HeaderView {
  const { notice, totals } = stats;
  const passed = notice.deadline !== null && businessTimeMs(notice.deadline) <= now;
  const totalsParts = [`共 ${totals.audience} 人`, `未读 ${totals.unread} 人`];
  if (notice.requiresConfirm) totalsParts.push(`未确认 ${Math.max(0, totals.audience - totals.confirmed)} 人`);
  return {
    title: notice.title,
    statusTag: STATUS_TAGS[notice.status] ?? '',
    publishedText: notice.publishedAt ? `发布于 ${notice.publishedAt}` : '尚未发布',
    deadlineText: notice.deadline ? `截止 ${notice.deadline}${passed ? '（已截止）' : ''}` : '',
    totalsText: totalsParts.join(' · '),
    medianText: totals.medianReadMinutes === null ? '' : medianText(totals.medianReadMinutes),
  };
}

/**
 * The full path of the scope under its crumbs, when the crumbs do not already say it (a page
 * opened on a class shows 计算机学院 / 软件 2301 班); empty otherwise.
 */
export function scopePathText(stats: NoticeStats): string {
  const path = unitPathText(stats.scope.path);
  return path && path !== stats.scope.name ? path : '';
}

export interface UnitBar {
  /** The unit id (`id`, as the list window needs). */
  id: string;
  name: string;
  percent: number;
  /** `width: 80%`, the filled part of the bar. */
  barStyle: string;
  /** `已读 120/150 · 确认 80 · 中位阅读用时 12 分钟` (no 确认 when the notice needs no confirmation). */
  meta: string;
  /** Whether a tap scopes the page to it (it has sub-units the caller may see). */
  scopable: boolean;
  ariaLabel: string;
}

export function unitBar(unit: UnitStats, requiresConfirm: boolean, scopable: boolean): UnitBar {
  const percent = ratePercent(unit.read, unit.audience);
  const parts = [`已读 ${unit.read}/${unit.audience}`, requiresConfirm ? `确认 ${unit.confirmed}` : '', medianText(unit.medianReadMinutes)].filter(Boolean);
  const spoken = [unit.name, `已读率 ${percent}%`, ...parts].join('，');
  return {
    id: unit.unitId,
    name: unit.name,
    percent,
    barStyle: `width: ${percent}%`,
    meta: parts.join(' · '),
    scopable,
    ariaLabel: scopable ? `${spoken}，查看下级单位` : spoken,
  };
}

/**
 * Whether the caller may scope the page to a unit of the breakdown: it must have sub-units, and
 * an observer (whose `observedUnitIds` is not empty) only goes into units they observe or units
 * inside one (the scope shown is already inside an observed unit).
 */
export function canScope(unit: UnitStats, observedUnitIds: readonly string[], insideObserved: boolean): boolean {
  if (!unit.hasChildren) return false;
  return observedUnitIds.length === 0 || insideObserved || observedUnitIds.includes(unit.unitId);
}

export function unitBarsOf(stats: NoticeStats, insideObserved: boolean): UnitBar[] {
  return stats.units.map((unit) => unitBar(unit, stats.notice.requiresConfirm, canScope(unit, stats.observedUnitIds, insideObserved)));
}

/** A step of the way down the units: the unit asked for (null: the caller's default scope) and its name. */
export interface ScopeStep {
  unitId: string | null;
  name: string;
}

export interface Crumb {
  index: number;
  name: string;
  /** The scope shown: read, not tapped. */
  current: boolean;
}

export function crumbsOf(trail: readonly ScopeStep[]): Crumb[] {
  return trail.map((step, index) => ({ index, name: step.name, current: index === trail.length - 1 }));
}

export type ReadersTab = 'units' | PeopleList;

export interface TabView {
  name: ReadersTab;
  title: string;
}

/** 各单位 (when the scope has sub-units), 已读, 未读, and 未确认 when the notice asks for confirmation, with their counts. */
export function tabsOf(stats: NoticeStats): TabView[] {
  const { audience, read, unread, confirmed } = stats.totals;
  const tabs: TabView[] = [];
  if (stats.units.length) tabs.push({ name: 'units', title: `各单位 ${stats.units.length}` });
  tabs.push({ name: 'read', title: `已读 ${read}` }, { name: 'unread', title: `未读 ${unread}` });
  if (stats.notice.requiresConfirm) tabs.push({ name: 'unconfirmed', title: `未确认 ${Math.max(0, audience - confirmed)}` });
  return tabs;
}

/** The tab to show: the one shown if the new figures still have it, else the units, else 未读. */
export function tabAfter(current: ReadersTab | null, tabs: readonly TabView[]): ReadersTab {
  if (current && tabs.some((tab) => tab.name === current)) return current;
  return tabs.some((tab) => tab.name === 'units') ? 'units' : 'unread';
}

export interface PersonRow {
  /** The member id. */
  id: string;
  name: string;
  number: string;
  /** The unit path and the times, on one line: `计算机学院 / 软件 2301 班 · 阅读 03-01 09:30`. */
  meta: string;
  ariaLabel: string;
}

/** `2024-03-01 09:30` without its year when it is the current one. */
function shortTime(time: string, now: number): string {
  const year = new Date(now + 8 * 3600 * 1000).getUTCFullYear();
  return time.startsWith(`${year}-`) ? time.slice(5) : time;
}

function timesText(person: NoticePerson, list: PeopleList, now: number): string {
  const read = person.readAt ? `阅读 ${shortTime(person.readAt, now)}` : '未读';
  if (list === 'unread') return '未读';
  if (list === 'unconfirmed') return person.readAt ? `${read} · 未确认` : '未读 · 未确认';
  return person.confirmedAt ? `${read} · 确认 ${shortTime(person.confirmedAt, now)}` : read;
}

export function personRow(person: NoticePerson, list: PeopleList, now: number = Date.now()): PersonRow {
  const meta = [unitPathText(person.unitPath), timesText(person, list, now)].filter(Boolean).join(' · ');
  return {
    id: person.memberId,
    name: person.name,
    number: person.number,
    meta,
    ariaLabel: `${person.name} ${person.number}，${meta}，查看成员`,
  };
}

export function emptyPeopleText(list: PeopleList, query: string): string {
  if (query) return '没有找到匹配的成员';
  switch (list) {
    case 'read':
      return '还没有人阅读';
    case 'unread':
      return '全部已读';
    default:
      return '全部已确认';
  }
}

/** What the reminder did: 「已提醒 20 人，10 人未开启提醒」, and the sends that failed. */
export function remindResultText(result: RemindResult): string {
  if (result.reached === 0 && result.noCredit === 0 && result.failed === 0 && !result.remaining) return '没有需要提醒的人';
  const parts = [`已提醒 ${result.reached} 人`];
  if (result.noCredit) parts.push(`${result.noCredit} 人未开启提醒`);
  if (result.failed) parts.push(`${result.failed} 人发送失败`);
  if (result.remaining) parts.push(`还有 ${result.remaining} 人未及提醒，稍后可再提醒一次`);
  return parts.join('，');
}

export interface RemindWait {
  /** Whether reminding is still refused at `now`. */
  waiting: boolean;
  /** 「10:08 后可再次提醒」; empty when not waiting. */
  text: string;
  /** Milliseconds until it is allowed again (0 when not waiting). */
  ms: number;
}

/** Whether the 5-minute pause between reminders still runs, from `nextAllowedAt` (business time). */
export function remindWait(nextAllowedAt: string | null, now: number = Date.now()): RemindWait {
  const at = nextAllowedAt ? businessTimeMs(nextAllowedAt) : NaN;
  if (!(at > now)) return { waiting: false, text: '', ms: 0 };
  const today = new Date(now + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const shown = nextAllowedAt!.startsWith(today) ? nextAllowedAt!.slice(11) : nextAllowedAt!;
  return { waiting: true, text: `${shown} 后可再次提醒`, ms: at - now };
}

export const EXPORT_CHOICES: readonly { list: PeopleList | 'all'; label: string }[] = [
  { list: 'all', label: '全部成员' },
  { list: 'read', label: '已读名单' },
  { list: 'unread', label: '未读名单' },
  { list: 'unconfirmed', label: '未确认名单' },
];

/** What 下载名单 offers: 未确认 only when the notice asks for confirmation. */
export function exportChoices(requiresConfirm: boolean): { list: PeopleList | 'all'; label: string }[] {
  return EXPORT_CHOICES.filter((choice) => requiresConfirm || choice.list !== 'unconfirmed');
}

export function readersPageUrl(noticeId: string, unitId?: string | null): string {
  const base = `/pages/notice-readers/index?id=${encodeURIComponent(noticeId)}`;
  return unitId ? `${base}&unitId=${encodeURIComponent(unitId)}` : base;
}
