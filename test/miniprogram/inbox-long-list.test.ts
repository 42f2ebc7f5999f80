/**
 * @jest-environment jsdom
 *
 * The inbox however long it grows: one setData carries one page of rows, the page never holds
 * more than INBOX_CAP rows nor 1,000 WXML nodes (WeChat's experience-score line) however far
 * one scrolls, and every notice stays reachable a window at a time, in order, none twice.
 */
import type { InboxItem } from '../../typings';
import { renderPage, requireBuilt, waitFor, watchSetData, type RenderedPage } from '../helpers/simulate';
import { account, installBackend, installStorage, ok, storedSession, type FakeBackend } from './fake-backend';
import { inboxItem, inboxPage, subscriptions, template, wxNotice } from './inbox-fixtures';
import { runHook } from './org-fixtures';
import './simulate-polyfills';

const { INBOX_CAP } = requireBuilt<{ INBOX_CAP: number }>('utils/notice-view');
const HOME = 'pages/notices/index';
/** What one setData may carry, as for the other long lists. */
const BUDGET = 32 * 1024;
const MAX_NODES = 1000;

/** The heaviest rows there are: longest title and excerpt, every tag. */
function heavy(i: number): InboxItem {
  const n = String(i).padStart(4, '0');
  return inboxItem({
    id: `n${n}`,
    title: `通知${n}：${'关于做好学期末各项教学检查与考试组织工作的安排说明'.repeat(2)}`.slice(0, 64),
    excerpt: `${'各学院、各部门：为切实做好本学期期末考试及各项教学检查工作，现将有关事项通知如下，请遵照执行。'.repeat(2)}`.slice(0, 60) + '…',
    authorName: '教务处教学运行与考试管理科',
    kind: i % 5 === 0 ? 'announcement' : 'notice',
    requiresConfirm: true,
    confirmed: i % 2 === 0,
    read: i % 3 === 0,
    deadline: '2099-06-30 18:00',
    edited: true,
    attachmentCount: 9,
  });
}

const pinned = [0, 1, 2].map((i) => ({ ...heavy(9000 + i), kind: 'announcement' as const, pinned: true }));

function serve(all: InboxItem[], size: number) {
  return (request: { after?: string }) => {
    const start = Number(request.after ?? 0);
    const end = start + size;
    return inboxPage(all.slice(start, end), { next: end < all.length ? String(end) : null, pinned: start === 0 ? pinned : [] });
  };
}

const nodes = (page: RenderedPage) => (page.root.dom as unknown as { querySelectorAll(s: string): ArrayLike<unknown> }).querySelectorAll('*').length;
const titles = (page: RenderedPage) => page.root.querySelectorAll('.inbox-rows .row__title').map((title) => (title.dom.textContent ?? '').slice(0, 6));

async function openInbox(all: InboxItem[], size: number): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend({
    inbox: serve(all, size),
    'inbox.unreadCount': () => ok({ count: all.length }),
    'subscriptions.state': () => ok(subscriptions(template({ id: 'tpl-new' }))),
    whoami: () => ok({ openid: 'o', appid: 'a', unionid: null }),
  });
  const page = renderPage(HOME);
  await waitFor(() => titles(page).length > 0, 'the first page');
  return { page, backend };
}

beforeEach(() => {
  installStorage(storedSession(account({ id: 'u-lin', member: { id: 'm1', name: '林一', number: '1', kind: 'student', unitNames: [], active: true } }), Date.now()));
  jest.spyOn(wxNotice, 'setTabBarBadge').mockImplementation(() => undefined);
  jest.spyOn(wxNotice, 'pageScrollTo').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

it(`keeps 1,000 notices to one page per setData, at most ${INBOX_CAP} rows and under ${MAX_NODES} nodes, and reaches every one in order`, async () => {
  const all = Array.from({ length: 1000 }, (_, i) => heavy(i));
  const sizes: number[] = [];
  const problems: string[] = [];
  const stop = watchSetData((patch) => {
    sizes.push(Buffer.byteLength(JSON.stringify(patch)));
    for (const [key, value] of Object.entries(patch)) {
      const index = /^rows\[(\d+)\]$/.exec(key);
      if (index && Number(index[1]) >= INBOX_CAP) problems.push(`${key} is past the window`);
      if (Array.isArray(value) && value.length > INBOX_CAP) problems.push(`${key} holds ${value.length} rows`);
    }
  });
  // 25 a page (the function's is 20), so a server page straddles two windows.
  const { page, backend } = await openInbox(all, 25);
  let most = nodes(page);
  const seen: string[] = [];

  for (let start = 0; start < all.length; start += INBOX_CAP) {
    const size = Math.min(INBOX_CAP, all.length - start);
    await waitFor(() => titles(page)[0] === `通知${String(start).padStart(4, '0')}`, `row ${start + 1} to open its window`);
    while (titles(page).length < size) {
      const count = titles(page).length;
      await runHook(page, 'onReachBottom');
      await waitFor(() => titles(page).length > count, `the page after row ${start + count}`);
      most = Math.max(most, nodes(page));
    }
    await backend.idle();
    most = Math.max(most, nodes(page));
    seen.push(...titles(page));
    expect(titles(page)).toHaveLength(size);
    if (start + size < all.length) await page.tap(`显示后 ${INBOX_CAP} 条`);
    else expect(page.text()).toContain('没有更多了');
  }
  stop();

  expect(seen).toEqual(all.map((item) => item.title.slice(0, 6)));
  expect(problems).toEqual([]);
  expect(Math.max(...sizes)).toBeLessThan(BUDGET);
  expect(most).toBeLessThan(MAX_NODES);
  // Pinned 公告 head the first window only.
  expect(page.root.querySelectorAll('.pinned .row')).toHaveLength(0);

  await page.tap('回到开头');
  await waitFor(() => titles(page)[0] === '通知0000', 'the first row again');
  expect(page.root.querySelectorAll('.pinned .row')).toHaveLength(3);
  page.unmount();
});
