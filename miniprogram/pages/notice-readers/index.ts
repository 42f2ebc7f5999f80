/**
 * 阅读统计 of one notice (`?id=<noticeId>[&unitId=]`), for its author, admins and observers:
 * the read and confirmed rings, a bar per unit of the scope (a unit with sub-units scopes the
 * page to it, and the crumbs lead back up), the read / unread / unconfirmed lists with search,
 * reminders and the list as an .xlsx file.
 */
import type { NoticeStats, PeopleList } from '../../../typings';
import { FIELD_LIMITS } from '../../../typings/limits';
import { LatestOnly, perInstance, searchBoxMethods, SearchLoads } from '../../common/latest';
import { definePage } from '../../common/page';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, showWindow, windowRequest, type ListWindow, type WindowStart } from '../../common/paged-list';
import { namedDownloadPath } from '../../services/files';
import { exportPeople, noticePeople, noticeStats, remind } from '../../services/notice';
import { searchQuery } from '../../services/org';
import { errorText } from '../../utils/error-text';
import {
  crumbsOf,
  emptyPeopleText,
  exportChoices,
  headerOf,
  personRow,
  remindResultText,
  remindWait,
  ringsOf,
  scopePathText,
  tabAfter,
  tabsOf,
  unitBarsOf,
  type Crumb,
  type HeaderView,
  type PersonRow,
  type ReadersTab,
  type RingView,
  type ScopeStep,
  type TabView,
  type UnitBar,
  READERS_CAP,
} from '../../utils/notice-stats-view';
import { memberPageUrl, queryText } from '../../utils/org-view';

/** The longest delay setTimeout keeps (a signed 32-bit count of milliseconds). */
const MAX_TIMER_MS = 2 ** 31 - 1;

type Status = 'loading' | 'ready' | 'forbidden' | 'missing' | 'error';

interface PeopleListState {
  rows: PersonRow[];
  next: string | null;
  window: ListWindow;
  loaded: boolean;
  /** The query the rows answer (a search typed on another tab reloads this one when shown). */
  query: string;
  emptyText: string;
}

type Lists = Record<PeopleList, PeopleListState>;

interface ReadersData {
  status: Status;
  errorText: string;
  noticeId: string;
  /** The unit the page was opened on (`unitId=`), null for the caller's whole scope. */
  startUnitId: string | null;
  header: HeaderView | null;
  rings: RingView[];
  requiresConfirm: boolean;
  /** Reminders and downloads are for a published notice. */
  published: boolean;
  unread: number;
  unconfirmed: number;
  trail: ScopeStep[];
  crumbs: Crumb[];
  /** The scope's full path, when the crumbs do not say it. */
  scopePath: string;
  /** A new scope is loading (the figures shown are the previous one's). */
  scoping: boolean;
  tabs: TabView[];
  tab: ReadersTab;
  units: UnitBar[];
  unitsWindow: ListWindow;
  query: string;
  lists: Lists;
  searching: boolean;
  loadingMore: boolean;
  /** The 5-minute pause between reminders still runs. */
  remindBlocked: boolean;
  remindWaitText: string;
  reminding: '' | 'unread' | 'unconfirmed';
  remindMessage: string;
  limits: typeof FIELD_LIMITS;
}

function emptyList(list: PeopleList): PeopleListState {
  return { rows: [], next: null, window: emptyWindow(READERS_CAP), loaded: false, query: '', emptyText: emptyPeopleText(list, '') };
}

function emptyLists(): Lists {
  return { read: emptyList('read'), unread: emptyList('unread'), unconfirmed: emptyList('unconfirmed') };
}

/** The window of unit bars from `offset`: the breakdown arrives whole, and is shown a window at a time. */
function unitsWindowOf(all: readonly UnitBar[], offset: number): { rows: UnitBar[]; window: ListWindow } {
  const rows = all.slice(offset, offset + READERS_CAP);
  const more = offset + READERS_CAP < all.length;
  return {
    rows,
    window: {
      offset,
      first: rows.length ? offset + 1 : 0,
      last: offset + rows.length,
      size: READERS_CAP,
      onward: more ? { after: null, skip: 0, offset: offset + READERS_CAP } : null,
    },
  };
}

interface Instance {
  /** Every unit bar of the scope shown. */
  units: UnitBar[];
  /** Re-enables reminding when the pause ends. */
  remindTimer: ReturnType<typeof setTimeout> | null;
}

const state = perInstance<Instance>(() => ({ units: [], remindTimer: null }));
const statsLoads = perInstance(() => new LatestOnly());
const loads = perInstance(() => new SearchLoads());

type TapEvent = { currentTarget: { dataset: { id?: string; index?: number | string } } };

definePage({
  data: {
    status: 'loading',
    errorText: '',
    noticeId: '',
    startUnitId: null,
    header: null,
    rings: [],
    requiresConfirm: false,
    published: false,
    unread: 0,
    unconfirmed: 0,
    trail: [],
    crumbs: [],
    scopePath: '',
    scoping: false,
    tabs: [],
    tab: 'units',
    units: [],
    unitsWindow: emptyWindow(READERS_CAP),
    query: '',
    lists: emptyLists(),
    searching: false,
    loadingMore: false,
    remindBlocked: false,
    remindWaitText: '',
    reminding: '',
    remindMessage: '',
    limits: FIELD_LIMITS,
  } as ReadersData,

  onLoad(query) {
    const unitId = queryText(query.unitId) || null;
    this.setData({ noticeId: queryText(query.id), startUnitId: unitId });
    this.loadScope([{ unitId, name: '' }]);
  },

  onUnload() {
    statsLoads(this).cancel();
    loads(this).cancel();
    this.stopRemindTimer();
  },

  onReachBottom() {
    const tab = this.data.tab;
    if (tab !== 'units' && this.data.lists[tab].next) this.load(false);
  },

  onPullDownRefresh() {
    const done = () => wx.stopPullDownRefresh();
    if (this.data.status !== 'ready') {
      this.setData({ status: 'loading' });
      this.loadScope([{ unitId: this.data.startUnitId, name: '' }]).then(done);
      return;
    }
    this.loadScope(this.data.trail).then(done);
  },

  methods: {
    /**
     * Reads the figures of the last step of `trail` and, once they land, shows them with that
     * trail as the crumbs and reloads the list shown. On the first load a failure is the page's
     * state; later (a tap on a unit or a crumb) it is a toast and the scope shown stays.
     */
    loadScope(trail: ScopeStep[]): Promise<void> {
      const ticket = statsLoads(this).begin(true);
      if (ticket === null) return Promise.resolve();
      const first = this.data.status !== 'ready';
      if (!first) this.setData({ scoping: true });
      const step = trail[trail.length - 1];
      return noticeStats(this.data.noticeId, step.unitId).then((result) => {
        if (!statsLoads(this).settle(ticket)) return;
        if (!result.ok) {
          const code = result.error.code;
          if (!first) {
            this.setData({ scoping: false });
            wx.showToast({ title: errorText(result.error), icon: 'none' });
          } else if (code === 'FORBIDDEN') this.setData({ status: 'forbidden' });
          else if (code === 'NOTICE_NOT_FOUND') this.setData({ status: 'missing' });
          else this.setData({ status: 'error', errorText: errorText(result.error) });
          return;
        }
        this.showStats(result.data, trail, first);
        return this.load(true);
      });
    },

    showStats(stats: NoticeStats, asked: ScopeStep[], first: boolean) {
      let trail = asked.map((step, index) => (index === asked.length - 1 ? { ...step, name: stats.scope.name } : step));
      const observed = stats.observedUnitIds;
      // A link straight to a unit: an unrestricted caller may still go up to the whole audience.
      if (first && trail.length === 1 && trail[0].unitId && observed.length === 0) trail = [{ unitId: null, name: '全部' }, ...trail];
      const insideObserved = [...trail.map((step) => step.unitId), stats.scope.unitId].some((id) => id !== null && observed.includes(id));
      const all = unitBarsOf(stats, insideObserved);
      state(this).units = all;
      const units = unitsWindowOf(all, 0);
      const tabs = tabsOf(stats);
      const { audience, unread, confirmed } = stats.totals;
      this.setData({
        status: 'ready',
        scoping: false,
        header: headerOf(stats),
        rings: ringsOf(stats),
        requiresConfirm: stats.notice.requiresConfirm,
        published: stats.notice.status === 'published',
        unread,
        unconfirmed: Math.max(0, audience - confirmed),
        trail,
        crumbs: crumbsOf(trail),
        scopePath: scopePathText(stats),
        tabs,
        tab: tabAfter(first ? null : this.data.tab, tabs),
        units: units.rows,
        unitsWindow: units.window,
        lists: emptyLists(),
        searching: false,
        loadingMore: false,
      });
      this.applyRemindWait(stats.remind.nextAllowedAt);
    },

    onUnitTap(event: TapEvent) {
      const id = event.currentTarget.dataset.id;
      const unit = state(this).units.find((bar) => bar.id === id);
      if (!unit || !unit.scopable || this.data.scoping) return;
      this.loadScope([...this.data.trail, { unitId: unit.id, name: unit.name }]);
    },

    onCrumbTap(event: TapEvent) {
      const index = Number(event.currentTarget.dataset.index);
      if (!(index >= 0 && index < this.data.trail.length - 1)) return;
      this.loadScope(this.data.trail.slice(0, index + 1));
    },

    onUnitsOnward() {
      return showWindow(this.data.unitsWindow.onward, (start) => this.showUnits(start), '#lists');
    },

    onUnitsRestart() {
      return showWindow(FIRST_WINDOW, (start) => this.showUnits(start), '#lists');
    },

    showUnits(start: WindowStart): Promise<void> {
      const units = unitsWindowOf(state(this).units, start.offset);
      this.setData({ units: units.rows, unitsWindow: units.window });
      return Promise.resolve();
    },

    onTabChange(event: { detail: { name?: string } }) {
      const tab = this.data.tabs.find((option) => option.name === event.detail.name);
      if (!tab) return;
      this.setData({ tab: tab.name, searching: false, loadingMore: false });
      if (tab.name === 'units') return;
      const list = this.data.lists[tab.name];
      if (!list.loaded || list.query !== searchQuery(this.data.query)) this.load(true);
    },

    /**
     * The list of the tab shown: `reset` reads a window from `start` (the first by default) for
     * the current query and scope, superseding any load in flight; otherwise its next page.
     */
    load(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const list = this.data.tab;
      if (list === 'units') return Promise.resolve();
      const ticket = loads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      const shown = this.data.lists[list];
      const query = searchQuery(this.data.query);
      const request = reset ? windowRequest(start) : nextRequest(shown.next, shown.window);
      const unitId = this.data.trail[this.data.trail.length - 1]?.unitId ?? null;
      this.setData(reset ? { searching: true, loadingMore: false } : { loadingMore: true });
      return noticePeople(this.data.noticeId, { list, unitId, query, after: request.after }).then((result) => {
        if (!loads(this).settle(ticket)) return;
        if (!result.ok) {
          this.setData({ searching: false, loadingMore: false });
          wx.showToast({ title: errorText(result.error), icon: 'none' });
          return;
        }
        const rows = result.data.items.map((person) => personRow(person, list));
        const key = `lists.${list}.rows`;
        const page = listPage(key, reset ? null : shown.rows, rows, result.data.next, request, { cap: READERS_CAP });
        this.setData({
          ...(page.rows ? { [key]: page.rows } : page.patch),
          [`lists.${list}.next`]: page.next,
          [`lists.${list}.window`]: page.window,
          [`lists.${list}.loaded`]: true,
          [`lists.${list}.query`]: query,
          [`lists.${list}.emptyText`]: emptyPeopleText(list, query),
          searching: false,
          loadingMore: false,
        });
      });
    },

    ...searchBoxMethods(loads),

    onPeopleOnward() {
      const tab = this.data.tab;
      if (tab === 'units') return Promise.resolve();
      return showWindow(this.data.lists[tab].window.onward, (start) => this.load(true, start), '#lists');
    },

    onPeopleRestart() {
      return showWindow(FIRST_WINDOW, (start) => this.load(true, start), '#lists');
    },

    onPersonTap(event: TapEvent) {
      const id = event.currentTarget.dataset.id;
      if (id) wx.navigateTo({ url: memberPageUrl(String(id)) });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      return this.loadScope([{ unitId: this.data.startUnitId, name: '' }]);
    },

    onRemindUnread() {
      return this.sendRemind('unread');
    },

    onRemindUnconfirmed() {
      return this.sendRemind('unconfirmed');
    },

    sendRemind(target: 'unread' | 'unconfirmed'): Promise<void> {
      if (this.data.reminding || this.data.remindBlocked) return Promise.resolve();
      this.setData({ reminding: target, remindMessage: '' });
      // The unit shown, when the page is scoped to one: its figures are what the buttons offer.
      const unitId = this.data.trail[this.data.trail.length - 1]?.unitId ?? null;
      return remind(this.data.noticeId, target, unitId).then((result) => {
        this.setData({ reminding: '' });
        if (result.ok) {
          this.setData({ remindMessage: remindResultText(result.data) });
          this.applyRemindWait(result.data.nextAllowedAt);
          return;
        }
        if (result.error.code !== 'NOTICE_REMIND_TOO_SOON') {
          wx.showToast({ title: errorText(result.error), icon: 'none' });
          return;
        }
        // Someone reminded a moment ago: the figures say until when.
        const message = errorText(result.error);
        this.setData({ remindMessage: message });
        const step = this.data.trail[this.data.trail.length - 1];
        return noticeStats(this.data.noticeId, step?.unitId ?? null).then((stats) => {
          if (!stats.ok) return;
          const wait = remindWait(stats.data.remind.nextAllowedAt);
          if (wait.waiting) this.setData({ remindMessage: `每 5 分钟最多提醒一次，${wait.text}` });
          this.applyRemindWait(stats.data.remind.nextAllowedAt);
        });
      });
    },

    /**
     * Keeps the remind buttons disabled until `nextAllowedAt`, then enables them. The timer asks
     * the clock again when it fires: a delay past the 32-bit limit (a phone's clock far behind)
     * would otherwise fire at once.
     */
    applyRemindWait(nextAllowedAt: string | null) {
      this.stopRemindTimer();
      const wait = remindWait(nextAllowedAt);
      this.setData({ remindBlocked: wait.waiting, remindWaitText: wait.text });
      if (!wait.waiting) return;
      state(this).remindTimer = setTimeout(() => {
        state(this).remindTimer = null;
        this.applyRemindWait(nextAllowedAt);
      }, Math.min(wait.ms, MAX_TIMER_MS));
    },

    stopRemindTimer() {
      const timer = state(this).remindTimer;
      if (timer !== null) clearTimeout(timer);
      state(this).remindTimer = null;
    },

    onDownload() {
      const choices = exportChoices(this.data.requiresConfirm);
      wx.showActionSheet({
        itemList: choices.map((choice) => choice.label),
        success: (res) => {
          const choice = choices[res.tapIndex];
          if (choice) this.download(choice.list);
        },
      });
    },

    /** The list as an .xlsx file: made by the function, downloaded from its link, opened by WeChat. */
    download(list: PeopleList | 'all'): Promise<void> {
      const unitId = this.data.trail[this.data.trail.length - 1]?.unitId ?? null;
      const failed = (title: string) => {
        wx.hideLoading();
        wx.showToast({ title, icon: 'none' });
      };
      wx.showLoading({ title: '正在生成名单', mask: true });
      return exportPeople(this.data.noticeId, list, unitId).then((result) => {
        if (!result.ok) return failed(errorText(result.error));
        if (result.data.rows === 0) return failed('名单中没有人');
        const filePath = namedDownloadPath(result.data.fileName);
        wx.downloadFile({
          url: result.data.url,
          ...(filePath ? { filePath } : {}),
          success: (res) => {
            if (res.statusCode !== 200) return failed('下载失败，请稍后重试');
            wx.openDocument({
              filePath: (res as { filePath?: string }).filePath ?? res.tempFilePath,
              fileType: 'xlsx',
              showMenu: true,
              success: () => wx.hideLoading(),
              fail: () => failed('无法打开名单文件'),
            });
          },
          fail: () => failed('下载失败，请检查网络后重试'),
        });
      });
    },
  },
});
