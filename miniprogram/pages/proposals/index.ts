import type { AppError, Page, ProposalCard, Result } from '../../../typings';
import { LatestOnly, perInstance } from '../../common/latest';
import { definePage } from '../../common/page';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, pagedListHooks, pagedListMethods, windowRequest, withoutRow, type ListWindow, type WindowStart } from '../../common/paged-list';
import { getProposal, listCategories, myProposals, publicProposals, supportProposal } from '../../services/proposal';
import { errorText } from '../../utils/error-text';
import {
  cardOfView,
  cardView,
  categoryOptions,
  DESK_URL,
  emptyListText,
  NEW_PROPOSAL_URL,
  PROPOSAL_SORTS,
  PROPOSAL_TABS,
  proposalUrl,
  PROPOSALS_CAP,
  stillListed,
  PROPOSAL_TAB_KEY,
  requestedTab,
  supportedRow,
  type CategoryOption,
  type ProposalRow,
  type ProposalSort,
  type ProposalTab,
} from '../../utils/proposal-view';

type Status = 'loading' | 'ready' | 'error';

interface ProposalsData {
  status: Status;
  errorText: string;
  tabs: typeof PROPOSAL_TABS;
  tab: ProposalTab;
  sorts: typeof PROPOSAL_SORTS;
  sort: ProposalSort;
  categories: CategoryOption[];
  /** The category filter of 全部提案; empty for every category. */
  categoryId: string;
  /** The caller handles proposals: the entry to 办理提案. */
  handles: boolean;
  rows: ProposalRow[];
  next: string | null;
  window: ListWindow;
  /** A first window is loading (the rows are cleared meanwhile). */
  listLoading: boolean;
  loadingMore: boolean;
  loaded: boolean;
  emptyText: string;
}

interface RowEvent {
  currentTarget: { dataset: { id?: string; value?: string } };
}

const loads = perInstance(() => new LatestOnly());
/** Proposals whose support tap is on its way: a second tap meanwhile would undo the first. */
const supporting = perInstance(() => new Set<string>());
/** The proposal whose card was opened: coming back reads that one again, not the whole window. */
const opened = perInstance(() => ({ id: null as string | null }));

function fetchPage(data: Readonly<ProposalsData>, after: string | null): Promise<Result<Page<ProposalCard>>> {
  if (data.tab === 'mine') return myProposals(after);
  return publicProposals(data.sort, data.categoryId ? { categoryId: data.categoryId } : {}, after);
}

definePage({
  data: {
    status: 'loading',
    errorText: '',
    tabs: PROPOSAL_TABS,
    tab: 'public',
    sorts: PROPOSAL_SORTS,
    sort: 'support',
    categories: [],
    categoryId: '',
    handles: false,
    rows: [],
    next: null,
    window: emptyWindow(PROPOSALS_CAP),
    listLoading: false,
    loadingMore: false,
    loaded: false,
    emptyText: emptyListText('public', false),
  } as ProposalsData,

  onLoad() {
    void this.loadCategories();
    void this.load(true);
  },

  ...pagedListHooks<ProposalsData>(loads),

  /**
   * Back from a proposal's page: that one may have been supported, rated or handled, and is read
   * again. Back from anywhere else (提交提案 above all: a new proposal), the window is.
   */
  onShow() {
    const card = opened(this);
    const id = card.id;
    card.id = null;
    const tab = this.takeRequestedTab();
    if (tab && tab !== this.data.tab) {
      void this.loadCategories();
      void this.reload({ tab });
      return;
    }
    if (!this.data.loaded) return;
    if (id) {
      void this.refreshRow(id);
      return;
    }
    void this.loadCategories();
    void this.load(true);
  },

  methods: {
    /** Categories for the filter, and whether to offer 办理提案; a failure leaves both as they were. */
    loadCategories(): Promise<void> {
      return listCategories().then((result) => {
        if (result.ok) this.setData({ categories: categoryOptions(result.data.items), handles: result.data.handles });
      });
    },

    /** `reset` loads a window of the tab from `start` (the first by default); otherwise the next page of the window shown. */
    load(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const ticket = loads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      const request = reset ? windowRequest(start) : nextRequest(this.data.next, this.data.window);
      this.setData(reset ? { listLoading: !this.data.rows.length, loadingMore: false } : { loadingMore: true });
      const { tab, categoryId } = this.data;
      return fetchPage(this.data, request.after).then((result) => {
        if (!loads(this).settle(ticket)) return;
        if (!result.ok) {
          this.setData({ listLoading: false, loadingMore: false });
          this.showFailure(result.error);
          return;
        }
        const now = Date.now();
        const rows = result.data.items.map((card) => cardView(card, now));
        const page = listPage('rows', reset ? null : this.data.rows, rows, result.data.next, request, { cap: PROPOSALS_CAP });
        this.setData({
          status: 'ready',
          listLoading: false,
          loadingMore: false,
          loaded: true,
          ...(page.rows ? { rows: page.rows } : page.patch),
          next: page.next,
          window: page.window,
          emptyText: emptyListText(tab, !!categoryId),
        });
      });
    },

    /** The tab 提交提案 asked for (查看我的提案), once. */
    takeRequestedTab() {
      const stored: unknown = wx.getStorageSync(PROPOSAL_TAB_KEY);
      if (stored) wx.removeStorageSync(PROPOSAL_TAB_KEY);
      return requestedTab(stored);
    },

    /** The opened proposal read again: its row as it is now, or gone when it left the list (no longer public). */
    refreshRow(id: string): Promise<void> {
      const { tab, categoryId } = this.data;
      return getProposal(id).then((result) => {
        if (tab !== this.data.tab || categoryId !== this.data.categoryId) return;
        const index = this.data.rows.findIndex((row) => row.id === id);
        if (index < 0) return;
        if (result.ok && stillListed(result.data, tab, categoryId)) {
          this.setData({ [`rows[${index}]`]: cardView(cardOfView(result.data), Date.now()) });
          return;
        }
        if (!result.ok && result.error.code !== 'PROPOSAL_NOT_FOUND') return;
        const left = withoutRow(this.data.rows, this.data.window, index);
        this.setData({ rows: left.rows, window: left.window });
      });
    },

    showFailure(error: AppError) {
      if (this.data.status !== 'ready') this.setData({ status: 'error', errorText: errorText(error) });
      else wx.showToast({ title: errorText(error), icon: 'none' });
    },

    ...pagedListMethods<ProposalsData>('window'),

    onRetry() {
      this.setData({ status: 'loading' });
      void this.loadCategories();
      return this.load(true);
    },

    /** A new list: the rows of the last one go at once, so they are never read as the new one's. */
    reload(patch: Partial<ProposalsData>): Promise<void> {
      this.setData({ ...patch, rows: [], next: null, window: emptyWindow(PROPOSALS_CAP) });
      return this.load(true);
    },

    onTabChange(event: { detail: { name: string } }) {
      const tab = PROPOSAL_TABS.find((option) => option.tab === event.detail.name);
      if (!tab || tab.tab === this.data.tab) return undefined;
      return this.reload({ tab: tab.tab });
    },

    onSortTap(event: RowEvent) {
      const sort = PROPOSAL_SORTS.find((option) => option.sort === event.currentTarget.dataset.value);
      if (!sort || sort.sort === this.data.sort) return undefined;
      return this.reload({ sort: sort.sort });
    },

    onCategoryTap(event: RowEvent) {
      const categoryId = event.currentTarget.dataset.value ?? '';
      if (categoryId === this.data.categoryId) return undefined;
      return this.reload({ categoryId });
    },

    onOpen(event: RowEvent) {
      const id = event.currentTarget.dataset.id;
      if (!id) return;
      opened(this).id = id;
      wx.navigateTo({ url: proposalUrl(id) });
    },

    /** 附议 or its withdrawal; the row takes the count the server answers. */
    onSupport(event: RowEvent) {
      const id = event.currentTarget.dataset.id;
      const row = this.data.rows.find((candidate) => candidate.id === id);
      const pending = supporting(this);
      if (!id || !row?.canSupport || pending.has(id)) return undefined;
      pending.add(id);
      return supportProposal(id, !row.supported).then((result) => {
        pending.delete(id);
        const index = this.data.rows.findIndex((candidate) => candidate.id === id);
        if (result.ok) {
          if (index >= 0) this.setData({ [`rows[${index}]`]: supportedRow(this.data.rows[index], result.data) });
          wx.showToast({ title: result.data.supported ? '已附议' : '已取消附议', icon: 'none' });
          return undefined;
        }
        wx.showToast({ title: errorText(result.error), icon: 'none' });
        // The proposal changed (no longer public, merged, gone): the list is read again.
        return result.error.code === 'NETWORK_ERROR' ? undefined : this.load(true);
      });
    },

    onSubmitTap() {
      wx.navigateTo({ url: NEW_PROPOSAL_URL });
    },

    onDesk() {
      wx.navigateTo({ url: DESK_URL });
    },
  },
});
