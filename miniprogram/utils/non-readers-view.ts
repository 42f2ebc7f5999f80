/**
 * How 长期未读 (chronic non-readers of a unit) is shown: the choice of how many recent notices
 * count, the rows, the explanation and empty texts, who is offered the page, and its address.
 * Plain functions, tested without a page.
 */
import type { AccountView, ChronicNonReader } from '../../typings';
import { unitPathText } from './org-view';

/** How many recent notices with a deadline the person may choose to count. */
export const LAST_CHOICES: readonly number[] = [3, 5, 10];

export const DEFAULT_LAST = 5;

/**
 * Rows a window of the page holds: a row is 6 WXML nodes, so a full window with the header,
 * the choice and the window bars stays well under WeChat's 1,000 nodes.
 */
export const NON_READERS_CAP = 100;

export interface LastChoice {
  /** van-tabs names are strings; the number is read back with `lastOf`. */
  name: string;
  title: string;
}

export function lastChoices(): LastChoice[] {
  return LAST_CHOICES.map((last) => ({ name: String(last), title: `最近 ${last} 条` }));
}

/** The choice a tab names, or null for anything that is not one of LAST_CHOICES. */
export function lastOf(name: unknown): number | null {
  const last = Number(name);
  return LAST_CHOICES.includes(last) ? last : null;
}

export interface NonReaderRow {
  /** The member id. */
  id: string;
  name: string;
  number: string;
  /** The member's unit path (several joined by ；). */
  meta: string;
  /** `3 条未按时阅读`. */
  countText: string;
  ariaLabel: string;
}

export function nonReaderRow(person: ChronicNonReader): NonReaderRow {
  const meta = unitPathText(person.unitPath);
  const countText = `${person.unreadCount} 条未按时阅读`;
  return {
    id: person.memberId,
    name: person.name,
    number: person.number,
    meta,
    countText,
    ariaLabel: [`${person.name} ${person.number}`, meta, countText].filter(Boolean).join('，') + '，查看成员',
  };
}

/**
 * What the list means, over the notices the server actually considered: fewer than asked for
 * when fewer recent notices had a deadline that has passed.
 */
export function explanationText(notices: number): string {
  return notices > 0 ? `以下成员在收到的最近 ${notices} 条有截止时间的通知中，均未在截止前阅读` : '';
}

export function emptyNonReadersText(notices: number): string {
  return notices > 0 ? `没有成员在最近 ${notices} 条通知中全部未按时阅读` : '最近没有设置截止时间的通知';
}

export function nonReadersTitle(unitName: string): string {
  return unitName ? `长期未读 · ${unitName}` : '长期未读';
}

export function nonReadersPageUrl(unit: { id: string; name: string }): string {
  return `/pages/non-readers/index?unitId=${encodeURIComponent(unit.id)}&name=${encodeURIComponent(unit.name)}`;
}

/**
 * Whether the unit page offers 长期未读: to admins, holders of the observer role, and the
 * unit's observers. The account knows the units a member observes but not their sub-units, so
 * `via` is the observed unit the person walked down from (carried in the sub-units' links).
 * The function decides: someone offered the page wrongly hears FORBIDDEN there.
 */
export function offersNonReaders(account: Pick<AccountView, 'roles' | 'member'> | null, unitId: string, via: string = ''): boolean {
  if (!account || !unitId) return false;
  if (account.roles.includes('admin') || account.roles.includes('observer')) return true;
  const member = account.member;
  if (!member || !member.active) return false;
  const observes = member.observes ?? [];
  return observes.includes(unitId) || (!!via && observes.includes(via));
}

/**
 * The observed unit a sub-unit's link carries: the unit shown when the person observes it,
 * else the one this page was reached through; '' when neither.
 */
export function observedVia(account: Pick<AccountView, 'roles' | 'member'> | null, unitId: string, via: string = ''): string {
  const observes = account?.member?.active ? account.member.observes ?? [] : [];
  if (observes.includes(unitId)) return unitId;
  return via && observes.includes(via) ? via : '';
}
