import type { AccountView, AppError, InboxItem, InboxPage } from '../../../typings';
import { isDevelopBuild } from '../../config/launch';
import { accountPageHooks } from '../../common/account-page';
import { LatestOnly, perInstance } from '../../common/latest';
import { definePage } from '../../common/page';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, showWindow, windowRequest, type ListRequest, type ListWindow, type WindowStart } from '../../common/paged-list';
import { whoami } from '../../services/login';
import { inbox, unreadCount } from '../../services/notice';
import { ensureSession } from '../../services/session';
import { declinedThisSession, knownSubscriptions, loadSubscriptions, promptSubscribe } from '../../services/subscribe';
import { errorText } from '../../utils/error-text';
import { identityRows, type IdentityRow } from '../../utils/identity-view';
import {
  badgeText,
  blockedView,
  cachedInbox,
  canPublish,
  COMPOSE_URL,
  detailUrl,
  emptyInboxText,
  INBOX_CAP,
  INBOX_TABS,
  inboxCacheKey,
  inboxRow,
  MINE_URL,
  NOTICE_READ_EVENT,
  readRow,
  type BlockedView,
  type CachedInbox,
  type InboxCache,
  type InboxFilter,
  type InboxRow,
  type NoticeReadEvent,
} from '../../utils/notice-view';
import { creditText, hasCredit, promptIds, remindSwitch, type RemindSwitch } from '../../utils/subscribe-view';

/** 通知 is the first tab of app.json: its badge carries the unread count. */
const TAB_INDEX = 0;

type Status = 'loading' | 'ready' | 'blocked' | 'error';

interface NoticesData {
  status: Status;
  errorText: string;
  /** Unbound or deactivated: the welcome and the way to bind instead of the list. */
  blocked: BlockedView | null;
  canPublish: boolean;
  tabs: typeof INBOX_TABS;
  filter: InboxFilter;
  /** Pinned 公告, above the list (first window only). */
  pinned: InboxRow[];
  rows: InboxRow[];
  next: string | null;
  window: ListWindow;
  /** A tab's first page is loading (the rows are cleared meanwhile). */
  listLoading: boolean;
  loadingMore: boolean;
  /** The rows come from the device cache: the network call failed. */
  offline: boolean;
  emptyText: string;
  remind: RemindSwitch;
  /** Development builds only: the identity WeChat gave this launch, to debug sign-in. */
  debug: boolean;
  debugRows: IdentityRow[];
}

interface InboxState {
  account: AccountView | null;
  /** A notice is being opened: a second tap meanwhile would open it twice. */
  opening: boolean;
  /** What the list was loaded for: a change of account or roster binding reloads it. */
  loadedFor: string;
}

const loads = perInstance(() => new LatestOnly());
const state = perInstance<InboxState>(() => ({ account: null, opening: false, loadedFor: '' }));

function accountKey(account: AccountView): string {
  const member = account.member;
  return `${account.id}:${member ? `${member.id}:${member.active !== false}` : '-'}`;
}

function readCache(accountId: string, filter: InboxFilter): CachedInbox | null {
  try {
    return cachedInbox(wx.getStorageSync(inboxCacheKey(accountId)), filter);
  } catch {
    return null;
  }
}

function writeCache(accountId: string, filter: InboxFilter, page: InboxPage): void {
  try {
    const key = inboxCacheKey(accountId);
    const stored = wx.getStorageSync(key) as InboxCache | '';
    const cache: InboxCache = stored && typeof stored === 'object' ? stored : {};
    cache[filter] = { pinned: page.pinned, items: page.items };
    wx.setStorageSync(key, cache);
  } catch {
    // Full or unavailable storage only costs the offline copy.
  }
}

function rowsOf(items: readonly InboxItem[], now: number): InboxRow[] {
  return items.map((item) => inboxRow(item, now));
}

definePage({
  data: {
    status: 'loading',
    errorText: '',
    blocked: null,
    canPublish: false,
    tabs: INBOX_TABS,
    filter: 'unread',
    pinned: [],
    rows: [],
    next: null,
    window: emptyWindow(INBOX_CAP),
    listLoading: false,
    loadingMore: false,
    offline: false,
    emptyText: '',
    remind: { shown: false, checked: false, label: '' },
    debug: false,
    debugRows: [],
  } as NoticesData,

  onLoad() {
    accountPageHooks.onLoad.call(this);
  },

  onShow() {
    accountPageHooks.onShow.call(this);
    state(this).opening = false;
    // Back on the tab: notices may have arrived or been read elsewhere, and credits spent.
    if (this.data.status === 'ready' && !this.data.offline) {
      this.refreshBadge();
      this.refreshRemind();
    }
  },

  onUnload() {
    accountPageHooks.onUnload.call(this);
    loads(this).cancel();
  },

  onReachBottom() {
    if (this.data.status === 'ready' && this.data.next && !this.data.offline) this.loadList(false);
  },

  onPullDownRefresh() {
    const done = this.data.status === 'ready' ? Promise.all([this.loadList(true), this.refreshRemind()]) : this.load();
    done.then(() => wx.stopPullDownRefresh());
  },

  methods: {
    load(): Promise<void> {
      state(this).loadedFor = '';
      this.setData({ status: 'loading', errorText: '' });
      if (isDevelopBuild()) this.loadDebug();
      return ensureSession().then((result) => {
        if (result.ok) return this.showAccount(result.data);
        this.setData({ status: 'error', errorText: errorText(result.error) });
        return undefined;
      });
    },

    showAccount(account: AccountView): Promise<void> {
      const own = state(this);
      own.account = account;
      this.setData({ canPublish: canPublish(account) });
      // Signing in answers twice (the session's listener and the load itself): one inbox load serves both.
      const key = accountKey(account);
      if (own.loadedFor === key) return Promise.resolve();
      own.loadedFor = key;
      return this.loadList(true);
    },

    /** Debugging details never block the page: a failure just leaves them out. */
    loadDebug() {
      return whoami().then((result) => {
        if (result.ok) this.setData({ debug: true, debugRows: identityRows(result.data) });
      });
    },

    /**
     * `reset` loads a window of the tab shown from `start` (the first by default), superseding
     * any load in flight; otherwise the next page of the window shown.
     */
    loadList(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const ticket = loads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      const filter = this.data.filter;
      const request = reset ? windowRequest(start) : nextRequest(this.data.next, this.data.window);
      this.setData(reset ? { listLoading: true, loadingMore: false } : { loadingMore: true });
      return inbox(filter, request.after).then((result) => {
        if (!loads(this).settle(ticket)) return;
        if (result.ok) this.showPage(filter, result.data, request, reset);
        else this.showFailure(filter, result.error, reset);
      });
    },

    showPage(filter: InboxFilter, page: InboxPage, request: ListRequest, reset: boolean) {
      const account = state(this).account;
      if (page.blocked && account) {
        this.setData({ status: 'blocked', blocked: blockedView(account, page.blocked), listLoading: false, loadingMore: false });
        wx.removeTabBarBadge({ index: TAB_INDEX, fail: () => undefined });
        return;
      }
      const now = Date.now();
      const list = listPage('rows', reset ? null : this.data.rows, rowsOf(page.items, now), page.next, request, { cap: INBOX_CAP });
      const first = this.data.status !== 'ready';
      const top = reset && request.after === null;
      this.setData({
        status: 'ready',
        blocked: null,
        ...(list.rows ? { rows: list.rows } : list.patch),
        // Pinned 公告 head the first window only; later windows start further down the list.
        ...(reset ? { pinned: top ? rowsOf(page.pinned, now) : [] } : {}),
        next: list.next,
        window: list.window,
        listLoading: false,
        loadingMore: false,
        offline: false,
        emptyText: emptyInboxText(filter),
      });
      if (top && account) writeCache(account.id, filter, page);
      if (first || top) this.refreshBadge();
      if (first) this.refreshRemind();
      // A page with nothing to show but more after it (receipts of units the person left) is
      // followed at once: an empty screen cannot be scrolled to load more.
      if (page.items.length === 0 && page.pinned.length === 0 && list.next) this.loadList(false);
    },

    /** A first page that fails shows the tab's last copy, marked offline; without one, the error. */
    showFailure(filter: InboxFilter, error: AppError, reset: boolean) {
      const account = state(this).account;
      const cached = reset && account ? readCache(account.id, filter) : null;
      if (cached) {
        const now = Date.now();
        const list = listPage('rows', null, rowsOf(cached.items, now), null, windowRequest(), { cap: INBOX_CAP });
        this.setData({
          status: 'ready',
          rows: list.rows ?? [],
          pinned: rowsOf(cached.pinned, now),
          next: null,
          window: list.window,
          listLoading: false,
          loadingMore: false,
          offline: true,
          emptyText: emptyInboxText(filter),
        });
        return;
      }
      if (this.data.status === 'ready') {
        this.setData({ listLoading: false, loadingMore: false });
        wx.showToast({ title: errorText(error), icon: 'none' });
        return;
      }
      this.setData({ status: 'error', errorText: errorText(error), listLoading: false, loadingMore: false });
    },

    refreshBadge(): Promise<void> {
      return unreadCount().then((result) => {
        if (!result.ok) return;
        const text = badgeText(result.data.count);
        if (text) wx.setTabBarBadge({ index: TAB_INDEX, text, fail: () => undefined });
        else wx.removeTabBarBadge({ index: TAB_INDEX, fail: () => undefined });
      });
    },

    refreshRemind(): Promise<void> {
      return loadSubscriptions().then((subscriptions) => {
        this.setData({ remind: remindSwitch(subscriptions) });
      });
    },

    onRetry() {
      this.load();
    },

    onBind() {
      wx.switchTab({ url: '/pages/classes/index' });
    },

    onCompose() {
      wx.navigateTo({ url: COMPOSE_URL });
    },

    onMine() {
      wx.navigateTo({ url: MINE_URL });
    },

    onTabChange(event: { detail: { name: string } }) {
      const tab = INBOX_TABS.find((option) => option.filter === event.detail.name);
      if (!tab || tab.filter === this.data.filter) return undefined;
      this.setData({ filter: tab.filter, rows: [], pinned: [], next: null, window: emptyWindow(INBOX_CAP), offline: false });
      return this.loadList(true);
    },

    onOnward() {
      return showWindow(this.data.window.onward, (start) => this.loadList(true, start));
    },

    onRestart() {
      return showWindow(FIRST_WINDOW, (start) => this.loadList(true, start));
    },

    /**
     * Opens a notice. A person who could get no message about new notices is asked first (the
     * popup needs this tap); whatever they answer, or if the popup fails, the notice opens.
     */
    onRowTap(event: { currentTarget: { dataset: { id?: string } } }) {
      const id = event.currentTarget.dataset.id;
      const own = state(this);
      if (!id || own.opening) return undefined;
      own.opening = true;
      const subscriptions = knownSubscriptions();
      // Asked on passing taps until they answer once; after a refusal only 接收提醒 asks again.
      const ask = !hasCredit(subscriptions, 'notice') && !declinedThisSession();
      const prompt = promptSubscribe(ask ? promptIds(subscriptions, ['notice', 'remind']) : []);
      prompt.recorded.then((recorded) => {
        if (recorded) this.setData({ remind: remindSwitch(recorded) });
      });
      return prompt.answered.then(() => {
        wx.navigateTo({
          url: detailUrl(id),
          events: { [NOTICE_READ_EVENT]: (read: NoticeReadEvent) => this.onNoticeRead(read) },
          complete: () => {
            own.opening = false;
          },
        });
      });
    },

    /** The detail page recorded a read (or a confirmation): the row loses its dot, the badge its one. */
    onNoticeRead(read: NoticeReadEvent) {
      const patch: Record<string, InboxRow> = {};
      this.data.rows.forEach((row, index) => {
        if (row.id === read.noticeId) patch[`rows[${index}]`] = readRow(row, read.confirmed);
      });
      this.data.pinned.forEach((row, index) => {
        if (row.id === read.noticeId) patch[`pinned[${index}]`] = readRow(row, read.confirmed);
      });
      if (Object.keys(patch).length) this.setData(patch);
      return this.refreshBadge();
    },

    /** 接收提醒: each tap asks WeChat for more messages (a one-time credit is spent by each one). */
    onRemindTap() {
      const ids = promptIds(knownSubscriptions(), ['notice', 'remind']);
      if (!ids.length) return undefined;
      return promptSubscribe(ids).recorded.then((recorded) => {
        if (!recorded) return;
        this.setData({ remind: remindSwitch(recorded) });
        const text = creditText(recorded);
        if (text) wx.showToast({ title: text, icon: 'none' });
      });
    },
  },
});
