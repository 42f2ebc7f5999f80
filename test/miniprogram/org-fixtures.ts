/**
 * Organisation fixtures for the page tests (units, members, imports as the `org` function
 * returns them), and a way to run a page hook that WeChat itself calls (reaching the bottom,
 * pulling down to refresh).
 */
import type { ImportItemView, ImportView, MemberCard, MemberDetail, Page, UnitView } from '../../typings';
import { componentsOf, waitFor, type RenderedPage } from '../helpers/simulate';
import { ok, type FakeBackend } from './fake-backend';

export function unit(overrides: Partial<UnitView> = {}): UnitView {
  return {
    id: 'unit-1',
    name: '软件工程 2301 班',
    kind: 'class',
    parentId: 'college-1',
    path: ['计算机学院', '软件工程 2301 班'],
    childCount: 0,
    memberCount: 32,
    ...overrides,
  };
}

export const root = unit({ id: 'root', name: '信通大学', kind: 'org', parentId: null, path: [], childCount: 2, memberCount: 0 });
export const college = unit({ id: 'college-1', name: '计算机学院', kind: 'college', parentId: 'root', path: ['计算机学院'], childCount: 1, memberCount: 5 });

export function card(overrides: Partial<MemberCard> = {}): MemberCard {
  return { id: 'm1', name: '林一', number: '2023001', kind: 'student', title: null, bound: true, active: true, ...overrides };
}

export function detail(overrides: Partial<MemberDetail> = {}): MemberDetail {
  return {
    ...card(),
    units: [{ id: 'unit-1', name: '软件工程 2301 班', kind: 'class', path: '计算机学院/软件工程 2301 班' }],
    phone: '+8613800000000',
    phoneVisible: true,
    wecomUserId: null,
    observes: [],
    userId: null,
    rev: 'r1',
    ...overrides,
  };
}

export function importView(overrides: Partial<ImportView> = {}): ImportView {
  return {
    id: 'imp-1',
    fileName: '花名册.xlsx',
    status: 'previewed',
    deactivateMissing: false,
    counts: { rows: 10, add: 3, update: 1, deactivate: 0, unchanged: 4, invalid: 2 },
    progress: { done: 0, total: 4 },
    skipped: 0,
    createdAt: '2024-03-01 09:30',
    appliedAt: null,
    ...overrides,
  };
}

export function item(overrides: Partial<ImportItemView> = {}): ImportItemView {
  return { line: 2, category: 'add', name: '王五', number: '2023005', changes: [], reasons: [], ...overrides };
}

export const pageOf = <T>(items: T[], next: string | null = null) => ok<Page<T>>({ items, next });

/** Runs a page lifecycle hook as WeChat would (`onReachBottom`, `onPullDownRefresh`). */
export async function runHook(page: RenderedPage, hook: string): Promise<void> {
  const instance = (page.root as unknown as { instance: Record<string, unknown> }).instance;
  const fn = instance[hook];
  if (typeof fn !== 'function') throw new Error(`the page has no ${hook}`);
  (fn as () => void).call(instance);
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** The Vant components the unit picker uses, for pages that render it (simulate resolves nested components with these). */
export function unitPickerComponents(): Record<string, string> {
  return componentsOf('packages/admin/components/unit-picker/index');
}

/** Text of the page once every call has been answered and handled (see `FakeBackend.idle`). */
export async function settled(page: RenderedPage, backend: FakeBackend): Promise<string> {
  await backend.idle();
  return page.text();
}

/** The text of each element matching `selector` (one list row each), whitespace collapsed. */
export function rowTexts(page: RenderedPage, selector: string): string[] {
  return page.root.querySelectorAll(selector).map((row) => (row.dom.textContent ?? '').replace(/\s+/g, ' ').trim());
}

/** The classes rendered inside the element matching `selector` (a Vant button's `van-button--disabled`). */
export function classesOf(page: RenderedPage, selector: string): string {
  const found = page.root.querySelector(selector);
  if (!found) throw new Error(`nothing matches ${selector}`);
  const dom = found.dom as unknown as { innerHTML: string };
  return Array.from(dom.innerHTML.matchAll(/class="([^"]*)"/g), (match) => match[1]).join(' ');
}

/** Waits until the dialog or popup matching `selector` has rendered its content. */
export async function shown(page: RenderedPage, selector: string, text = ''): Promise<void> {
  await waitFor(() => {
    const found = page.root.querySelector(selector);
    const content = (found?.dom.textContent ?? '').replace(/\s+/g, ' ').trim();
    return content.length > 0 && content.includes(text);
  }, `${selector} to show ${text}`);
}
