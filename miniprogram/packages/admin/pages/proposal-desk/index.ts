/**
 * 提案办理: the handler's desk. Counts per status over the categories the caller handles (a tap
 * on one filters the list), filters by category, by the proposer's unit and to those assigned to
 * the caller, the proposals a window at a time, and the time to the first answer per category.
 * Admins also reach the categories and the reveal audit from here.
 */
import type { ProposalStatus, UnitView } from '../../../../../typings';
import { LatestOnly, perInstance } from '../../../../common/latest';
import { definePage } from '../../../../common/page';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, pagedListMethods, windowRequest, withoutRow, type ListWindow, type WindowStart } from '../../../../common/paged-list';
import { getProposal, handlingProposals, listCategories, proposalDashboard } from '../../../../services/proposal';
import { ensureSession } from '../../../../services/session';
import { isAdmin } from '../../../../utils/account-view';
import { errorText } from '../../../../utils/error-text';
import {
  CATEGORIES_URL,
  categoryOptions,
  countGrid,
  deskRow,
  emptyDeskText,
  firstAnswerRows,
  handledCategories,
  REVEALS_URL,
  statusFilterOf,
  stillOnDesk,
  type CategoryOption,
  type CountCell,
  type DeskRow,
  type FirstAnswerRow,
} from '../../../../utils/proposal-admin-view';
import { cardOfView, handleUrl, PROPOSALS_CAP } from '../../../../utils/proposal-view';

type Status = 'loading' | 'ready' | 'forbidden' | 'error';

interface DeskData {
  status: Status;
  errorText: string;
  isAdmin: boolean;
  /** Browsing units is for admins and publishers (units.children refuses plain handlers). */
  unitFilter: boolean;
  grid: CountCell[];
  firstAnswer: FirstAnswerRow[];
  /** 首次答复用时 is folded to one line until tapped open. */
  firstAnswerOpen: boolean;
  dashboardError: string;
  categories: CategoryOption[];
  categoryIndex: number;
  filterStatus: ProposalStatus | '';
  unitId: string;
  unitName: string;
  assignedToMe: boolean;
  pickerShow: boolean;
  rows: DeskRow[];
  next: string | null;
  /** A first window is on its way and no rows of it are in yet (the old filter's rows are gone). */
  listLoading: boolean;
  loadingMore: boolean;
  rowsWindow: ListWindow;
  listError: string;
  emptyText: string;
}

interface State {
  list: LatestOnly;
  /** Counts each dashboard load: only the latest one's answer lands. */
  dashboardTicket: number;
  alive: boolean;
  /** The caller's roster member: 只看指派给我的 matches it. */
  memberId: string | null;
  /** The proposal whose card was opened: coming back reads that one again, not the whole window. */
  opened: string | null;
}

const state = perInstance<State>(() => ({ list: new LatestOnly(), dashboardTicket: 0, alive: true, memberId: null, opened: null }));

interface TapEvent {
  currentTarget: { dataset: { status?: string; id?: string } };
}

definePage({
  data: {
    status: 'loading',
    errorText: '',
    isAdmin: false,
    unitFilter: false,
    grid: countGrid(null, ''),
    firstAnswer: [],
    firstAnswerOpen: false,
    dashboardError: '',
    categories: categoryOptions([]),
    categoryIndex: 0,
    filterStatus: '',
    unitId: '',
    unitName: '',
    assignedToMe: false,
    pickerShow: false,
    rows: [],
    next: null,
    listLoading: true,
    loadingMore: false,
    rowsWindow: emptyWindow(PROPOSALS_CAP),
    listError: '',
    emptyText: emptyDeskText(false),
  } as DeskData,

  onLoad() {
    this.start();
  },

  /**
   * Back from handling a proposal: its status, assignee or answer may have changed, so it is read
   * again (and the counts); back from anywhere else (the categories), everything is.
   */
  onShow() {
    if (this.data.status !== 'ready') return;
    const own = state(this);
    const opened = own.opened;
    own.opened = null;
    if (!opened) {
      void this.refresh();
      return;
    }
    void this.loadDashboard();
    void this.refreshRow(opened);
  },

  onUnload() {
    const own = state(this);
    own.alive = false;
    own.list.cancel();
  },

  onReachBottom() {
    if (this.data.next) void this.load(false);
  },

  onPullDownRefresh() {
    const done = this.data.status === 'ready' ? this.refresh() : this.start();
    void done.then(() => wx.stopPullDownRefresh());
  },

  methods: {
    /** Who is asking, and the categories they handle; then the counts and the list. */
    start(): Promise<void> {
      return ensureSession().then((session) => {
        if (!state(this).alive) return undefined;
        if (!session.ok) {
          this.setData({ status: 'error', errorText: errorText(session.error) });
          return undefined;
        }
        const account = session.data;
        return listCategories(true).then((categories) => {
          if (!state(this).alive) return undefined;
          if (!categories.ok) {
            this.setData(categories.error.code === 'FORBIDDEN' ? { status: 'forbidden' } : { status: 'error', errorText: errorText(categories.error) });
            return undefined;
          }
          const admin = isAdmin(account);
          if (!admin && !categories.data.handles) {
            this.setData({ status: 'forbidden' });
            return undefined;
          }
          const handled = handledCategories(categories.data.items, admin, account.member?.id ?? null);
          state(this).memberId = account.member?.id ?? null;
          this.setData({
            status: 'ready',
            isAdmin: admin,
            unitFilter: admin || account.roles.includes('publisher'),
            categories: categoryOptions(handled),
          });
          return this.refresh();
        });
      });
    },

    refresh(): Promise<void> {
      return Promise.all([this.loadDashboard(), this.load(true)]).then(() => undefined);
    },

    /** Other filters: the rows and, when the counts depend on them, the counts are unknown until read. */
    refilter(counts: boolean): Promise<void> {
      this.setData({ listLoading: true, rows: [], next: null, rowsWindow: emptyWindow(PROPOSALS_CAP), listError: '', ...(counts ? { grid: countGrid(null, this.data.filterStatus) } : {}) });
      return counts ? this.refresh() : this.load(true);
    },

    /** The opened proposal read again: its row as it is now, or gone when it no longer matches the filters. */
    refreshRow(id: string): Promise<void> {
      const own = state(this);
      const filters = this.deskFilters();
      return getProposal(id).then((result) => {
        if (!own.alive || JSON.stringify(filters) !== JSON.stringify(this.deskFilters())) return;
        const index = this.data.rows.findIndex((row) => row.id === id);
        if (index < 0) return;
        if (result.ok && stillOnDesk(result.data, filters, own.memberId)) {
          this.setData({ [`rows[${index}]`]: deskRow(cardOfView(result.data), Date.now()) });
          return;
        }
        if (!result.ok && result.error.code !== 'PROPOSAL_NOT_FOUND') return;
        const left = withoutRow(this.data.rows, this.data.rowsWindow, index);
        this.setData({ rows: left.rows, rowsWindow: left.window });
      });
    },

    deskFilters() {
      const category = this.data.categories[this.data.categoryIndex];
      return { status: this.data.filterStatus, categoryId: category?.id ?? '', unitId: this.data.unitId, assignedToMe: this.data.assignedToMe };
    },

    filters() {
      const category = this.data.categories[this.data.categoryIndex];
      return { categoryId: category?.id || undefined, unitId: this.data.unitId || undefined };
    },

    loadDashboard(): Promise<void> {
      const own = state(this);
      own.dashboardTicket += 1;
      const ticket = own.dashboardTicket;
      return proposalDashboard(this.filters()).then((result) => {
        if (!own.alive || ticket !== own.dashboardTicket) return;
        if (!result.ok) {
          this.setData({ dashboardError: errorText(result.error) });
          return;
        }
        this.setData({ dashboardError: '', grid: countGrid(result.data, this.data.filterStatus), firstAnswer: firstAnswerRows(result.data) });
      });
    },

    load(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const loads = state(this).list;
      const ticket = loads.begin(reset);
      if (ticket === null) return Promise.resolve();
      const request = reset ? windowRequest(start) : nextRequest(this.data.next, this.data.rowsWindow);
      if (reset) this.setData({ listError: '' });
      else this.setData({ loadingMore: true });
      const filters = { ...this.filters(), status: this.data.filterStatus || undefined, assignedToMe: this.data.assignedToMe };
      return handlingProposals(filters, request.after).then((result) => {
        if (!loads.settle(ticket) || !state(this).alive) return;
        if (!result.ok) {
          this.setData({ listLoading: false, loadingMore: false, listError: errorText(result.error), ...(reset ? { rows: [], next: null, rowsWindow: emptyWindow(PROPOSALS_CAP) } : {}) });
          return;
        }
        const now = Date.now();
        const incoming = result.data.items.map((card) => deskRow(card, now));
        const page = listPage('rows', reset ? null : this.data.rows, incoming, result.data.next, request, { cap: PROPOSALS_CAP });
        const filtered = !!(filters.categoryId || filters.unitId || filters.status || filters.assignedToMe);
        this.setData({ listLoading: false, loadingMore: false, ...(page.rows ? { rows: page.rows } : page.patch), next: page.next, rowsWindow: page.window, emptyText: emptyDeskText(filtered) });
      });
    },

    ...pagedListMethods<DeskData>('rowsWindow', '.rows'),

    onRetry() {
      this.setData({ status: 'loading' });
      return this.start();
    },

    onToggleFirstAnswer() {
      this.setData({ firstAnswerOpen: !this.data.firstAnswerOpen });
    },

    // Filters

    /** A count filters the list by its status; tapping the active one again shows every status. */
    onCountTap(event: TapEvent) {
      const tapped = statusFilterOf(event.currentTarget.dataset.status);
      if (tapped === null) return undefined;
      const status = tapped === this.data.filterStatus ? '' : tapped;
      this.setData({ filterStatus: status, grid: this.data.grid.map((cell) => ({ ...cell, active: cell.status === status })) });
      return this.refilter(false);
    },

    onCategoryChange(event: { detail: unknown }) {
      const index = Number((event.detail as { value?: unknown } | null)?.value);
      if (!Number.isInteger(index) || !this.data.categories[index] || index === this.data.categoryIndex) return undefined;
      this.setData({ categoryIndex: index });
      return this.refilter(true);
    },

    onToggleMine() {
      this.setData({ assignedToMe: !this.data.assignedToMe });
      return this.refilter(false);
    },

    onOpenUnitPicker() {
      this.setData({ pickerShow: true });
    },

    onPickerClose() {
      this.setData({ pickerShow: false });
    },

    onPickUnit(event: { detail: { unit?: UnitView } }) {
      const unit = event.detail?.unit;
      if (!unit) return undefined;
      this.setData({ pickerShow: false, unitId: unit.id, unitName: unit.name });
      return this.refilter(true);
    },

    onClearUnit() {
      if (!this.data.unitId) return undefined;
      this.setData({ unitId: '', unitName: '' });
      return this.refilter(true);
    },

    // Going on

    onRowTap(event: TapEvent) {
      const id = event.currentTarget.dataset.id;
      if (!id) return;
      state(this).opened = id;
      wx.navigateTo({ url: handleUrl(id) });
    },

    onOpenCategories() {
      wx.navigateTo({ url: CATEGORIES_URL });
    },

    onOpenReveals() {
      wx.navigateTo({ url: REVEALS_URL });
    },
  },
});
