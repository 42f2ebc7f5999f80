/**
 * Which subscribe-message templates to ask for, and what the inbox's 接收提醒 switch says.
 * WeChat's rules shape it: at most 3 template ids per popup, one-time and long-term ids never
 * in one popup, an answer per id. One-time credits add up with every acceptance; a long-term
 * template, once accepted, needs none. Plain functions, tested without a page.
 */
import type { SubscribeChoice, SubscribeTemplate, SubscriptionState } from '../../typings';

export type Purpose = SubscribeTemplate['purpose'];

/** WeChat refuses a popup with more template ids (some pages say 5, others 3: the safe one). */
export const MAX_IDS_PER_PROMPT = 3;

const CHOICES: readonly SubscribeChoice[] = ['accept', 'reject', 'ban', 'filter'];

/**
 * Reminders spend a reminder template's credit first and a new-notice template's after it, so a
 * credit of either kind reaches the person: for whether someone can be reached, the purposes
 * count together.
 */
const SPENT_BY_REMINDERS: readonly Purpose[] = ['remind', 'notice'];

function spentTogether(template: { purpose: Purpose }, purpose: Purpose): boolean {
  return template.purpose === purpose || (SPENT_BY_REMINDERS.includes(purpose) && SPENT_BY_REMINDERS.includes(template.purpose));
}

/** Whether the person can still be reached for `purpose`: a credit left, or a long-term template accepted. */
export function hasCredit(state: SubscriptionState | null, purpose: Purpose): boolean {
  return !!state && state.templates.some((template) => spentTogether(template, purpose) && template.credits > 0);
}

/** Whether any template serves `purpose` (none when reminders are not configured). */
export function offers(state: SubscriptionState | null, purpose: Purpose): boolean {
  return !!state && state.templates.some((template) => spentTogether(template, purpose));
}

/**
 * The ids one popup asks for: templates of `purposes` (in that order), all of one kind, at most
 * MAX_IDS_PER_PROMPT. The kind is that of the first template without a credit (the one the
 * person most needs), else of the first template.
 */
export function promptIds(state: SubscriptionState | null, purposes: readonly Purpose[]): string[] {
  if (!state) return [];
  const candidates = purposes.flatMap((purpose) => state.templates.filter((template) => template.purpose === purpose));
  const lead = candidates.find((template) => template.credits === 0) ?? candidates[0];
  if (!lead) return [];
  const ids = candidates.filter((template) => template.kind === lead.kind).map((template) => template.id);
  return [...new Set(ids)].slice(0, MAX_IDS_PER_PROMPT);
}

/** The answers of a `wx.requestSubscribeMessage` result for the ids asked, anything else left out. */
export function choicesOf(result: Record<string, unknown>, ids: readonly string[]): Record<string, SubscribeChoice> {
  const choices: Record<string, SubscribeChoice> = {};
  for (const id of ids) {
    const answer = result[id];
    if (CHOICES.includes(answer as SubscribeChoice)) choices[id] = answer as SubscribeChoice;
  }
  return choices;
}

/** One-time credits reminders can still spend, over every template they use. */
export function noticeCredits(state: SubscriptionState | null): number {
  if (!state) return 0;
  return state.templates
    .filter((template) => spentTogether(template, 'notice') && template.kind === 'one-time')
    .reduce((sum, template) => sum + Math.max(0, template.credits), 0);
}

/** What the credits amount to, said plainly: `剩余提醒 3 次`, `已开启长期提醒`, or empty for none. */
export function creditText(state: SubscriptionState | null): string {
  const longTerm = !!state && state.templates.some((t) => spentTogether(t, 'notice') && t.kind === 'long-term' && t.credits > 0);
  if (longTerm) return '已开启长期提醒';
  const credits = noticeCredits(state);
  return credits > 0 ? `剩余提醒 ${credits} 次` : '';
}

/** The inbox's 接收提醒 row: shown only when reminders are configured; on while the person can be reached. */
export interface RemindSwitch {
  shown: boolean;
  checked: boolean;
  label: string;
}

export function remindSwitch(state: SubscriptionState | null): RemindSwitch {
  if (!offers(state, 'notice')) return { shown: false, checked: false, label: '' };
  const text = creditText(state);
  if (!text) return { shown: true, checked: false, label: '开启后，未读的通知可通过微信提醒你' };
  // A one-time credit is spent by each message: tapping again adds one, WeChat has no way to take one back.
  return { shown: true, checked: true, label: text.startsWith('剩余') ? `${text}，点按可增加` : text };
}
