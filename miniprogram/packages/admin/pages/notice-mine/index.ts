import type { AppError, Result } from '../../../../../typings';
import { LatestOnly, perInstance } from '../../../../common/latest';
import { definePage } from '../../../../common/page';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, pagedListHooks, showWindow, windowRequest, type ListWindow, type WindowStart } from '../../../../common/paged-list';
import { deleteDraft, myNotices, recall } from '../../../../services/notice';
import { ensureSession } from '../../../../services/session';
import { errorText } from '../../../../utils/error-text';
import {
  composeUrl,
  deleteQuestion,
  emptyMineText,
  MINE_CAP,
  MINE_TABS,
  mineRow,
  readersUrl,
  recallQuestion,
  SCHEDULED_LOCKED,
  type MineRow,
  type MineTab,
} from '../../../../utils/notice-compose-view';
import { queryText } from '../../../../utils/org-view';

type Status = 'loading' | 'ready' | 'forbidden' | 'error';
type ConfirmAction = 'recall' | 'delete';

interface MineData {
  status: Status;
  errorText: string;
  tabs: typeof MINE_TABS;
  tab: MineTab;
  /** Admins may list everyone's notices, not only their own. */
  isAdmin: boolean;
  everyone: boolean;
  rows: MineRow[];
  next: string | null;
  loading: boolean;
  loaded: boolean;
  /** Which rows of the whole list are on screen (at most LIST_CAP). */
  rowsWindow: ListWindow;
  emptyText: string;
  acting: boolean;
  confirmShow: boolean;
  confirmTitle: string;
  confirmMessage: string;
  confirmButton: string;
  confirmAction: ConfirmAction;
  confirmId: string;
}

interface RowEvent {
  currentTarget: { dataset: { id?: string } };
}

const loads = perInstance(() => new LatestOnly());

definePage({
  data: {
    status: 'loading',
    errorText: '',
    tabs: MINE_TABS,
    tab: 'all',
    isAdmin: false,
    everyone: false,
    rows: [],
    next: null,
    loading: false,
    loaded: false,
    rowsWindow: emptyWindow(MINE_CAP),
    emptyText: emptyMineText('all'),
    acting: false,
    confirmShow: false,
    confirmTitle: '',
    confirmMessage: '',
    confirmButton: '确定',
    confirmAction: 'recall',
    confirmId: '',
  } as MineData,

  onLoad(query) {
    const tab = MINE_TABS.find((option) => option.name === queryText(query.status));
    if (tab) this.setData({ tab: tab.name, emptyText: emptyMineText(tab.name) });
    ensureSession().then((session) => {
      if (session.ok) this.setData({ isAdmin: session.data.roles.includes('admin') });
    });
    this.load(true);
  },

  // Back from the compose form or the statistics: a notice may have been saved, published or edited.
  ...pagedListHooks<MineData>(loads, (data) => data.loaded),

  methods: {
    /** `reset` loads a window from `start` (the first by default); otherwise the next page of the window shown. */
    load(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const ticket = loads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      const { tab, everyone } = this.data;
      const request = reset ? windowRequest(start) : nextRequest(this.data.next, this.data.rowsWindow);
      this.setData({ loading: true });
      return myNotices(tab, request.after, everyone).then((result) => {
        if (!loads(this).settle(ticket)) return;
        if (!result.ok) {
          this.setData({ loading: false });
          this.showFailure(result.error);
          return;
        }
        const rows = result.data.items.map((notice) => mineRow(notice, everyone));
        const page = listPage('rows', reset ? null : this.data.rows, rows, result.data.next, request, { cap: MINE_CAP });
        this.setData({
          status: 'ready',
          loading: false,
          loaded: true,
          ...(page.rows ? { rows: page.rows } : page.patch),
          next: page.next,
          rowsWindow: page.window,
        });
      });
    },

    showFailure(error: AppError) {
      if (error.code === 'FORBIDDEN') this.setData({ status: 'forbidden' });
      else if (this.data.status !== 'ready') this.setData({ status: 'error', errorText: errorText(error) });
      else wx.showToast({ title: errorText(error), icon: 'none' });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      return this.load(true);
    },

    onTabChange(event: { detail: { name: string } }) {
      const tab = MINE_TABS.find((option) => option.name === event.detail.name);
      if (!tab || tab.name === this.data.tab) return undefined;
      this.setData({ tab: tab.name, emptyText: emptyMineText(tab.name), rows: [], next: null, rowsWindow: emptyWindow(MINE_CAP) });
      return this.load(true);
    },

    onToggleEveryone() {
      if (!this.data.isAdmin) return undefined;
      this.setData({ everyone: !this.data.everyone, rows: [], next: null, rowsWindow: emptyWindow(MINE_CAP) });
      return this.load(true);
    },

    onMore() {
      return this.load(false);
    },

    onRowsOnward() {
      return showWindow(this.data.rowsWindow.onward, (start) => this.load(true, start));
    },

    onRowsRestart() {
      return showWindow(FIRST_WINDOW, (start) => this.load(true, start));
    },

    rowOf(event: RowEvent): MineRow | null {
      const id = event.currentTarget.dataset.id;
      return this.data.rows.find((row) => row.id === id) ?? null;
    },

    onCreate() {
      wx.navigateTo({ url: composeUrl() });
    },

    /** A draft opens in the form; anything published opens its statistics; a scheduled one says how to change it. */
    onOpen(event: RowEvent) {
      const row = this.rowOf(event);
      if (!row) return;
      if (row.status === 'draft') wx.navigateTo({ url: composeUrl(row.id) });
      else if (row.status === 'scheduled') wx.showModal({ title: '定时发布中', content: SCHEDULED_LOCKED(row.scheduledAt), showCancel: false, confirmText: '知道了' });
      else wx.navigateTo({ url: readersUrl(row.id) });
    },

    onEdit(event: RowEvent) {
      const row = this.rowOf(event);
      if (row?.canEdit) wx.navigateTo({ url: composeUrl(row.id) });
    },

    onStats(event: RowEvent) {
      const row = this.rowOf(event);
      if (row?.canSeeStats) wx.navigateTo({ url: readersUrl(row.id) });
    },

    onRecallTap(event: RowEvent) {
      const row = this.rowOf(event);
      if (!row?.canRecall) return;
      this.setData({
        confirmShow: true,
        confirmAction: 'recall',
        confirmId: row.id,
        confirmTitle: row.status === 'scheduled' ? '撤回定时发布' : '撤回通知',
        confirmMessage: recallQuestion(row),
        confirmButton: '撤回',
      });
    },

    onDeleteTap(event: RowEvent) {
      const row = this.rowOf(event);
      if (!row?.canDelete) return;
      this.setData({
        confirmShow: true,
        confirmAction: 'delete',
        confirmId: row.id,
        confirmTitle: '删除草稿',
        confirmMessage: deleteQuestion(row.title),
        confirmButton: '删除',
      });
    },

    onConfirmCancel() {
      this.setData({ confirmShow: false });
    },

    onConfirm() {
      const { confirmAction, confirmId } = this.data;
      this.setData({ confirmShow: false });
      if (!confirmId || this.data.acting) return undefined;
      this.setData({ acting: true });
      const call: Promise<Result<unknown>> = confirmAction === 'delete' ? deleteDraft(confirmId) : recall(confirmId);
      return call.then((result) => {
        this.setData({ acting: false });
        if (result.ok) wx.showToast({ title: confirmAction === 'delete' ? '已删除' : '已撤回', icon: 'success' });
        else wx.showToast({ title: errorText(result.error), icon: 'none' });
        // Either way the list is read again: the notice left this tab, or it changed meanwhile.
        return this.load(true);
      });
    },
  },
});
