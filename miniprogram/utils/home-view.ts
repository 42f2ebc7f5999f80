/**
 * The 通知 tab until notices land: a welcome with the person's name and units, what is coming,
 * and the way to bind when there is nothing to show yet. Plain functions, tested without a page.
 */
import type { AccountView } from '../../typings';
import { displayName } from './account-view';

export interface HomeView {
  /** `你好，林一`: the roster name once bound, else the nickname (or 微信用户). */
  greeting: string;
  organisation: string;
  /** The bound member's units; empty when unbound or deactivated. */
  units: string[];
  /** Shown instead of the units: how to get them. Empty when there are units. */
  hint: string;
  /** Binding would help: offer the way to 班级. */
  needsBinding: boolean;
}

export function homeView(account: AccountView): HomeView {
  const member = account.member;
  const active = !!member && member.active !== false;
  const name = active && member ? member.name : displayName(account);
  let hint = '';
  if (!member) hint = '绑定花名册后，这里会显示你所在的班级和单位。';
  else if (!active) hint = '你的花名册身份已停用，如有疑问请联系管理员。';
  else if (!member.unitNames.length) hint = '你暂未分配到任何单位。';
  return {
    greeting: `你好，${name}`,
    organisation: account.organisation.name,
    units: active && member ? member.unitNames : [],
    hint,
    needsBinding: !member || !active,
  };
}


