/**
 * 提案办理: the handler's desk. Counts per status over the categories the caller handles (a tap
 * on one filters the list), filters by category, by the proposer's unit and to those assigned to
 * the caller, the proposals a window at a time, and the time to the first answer per category.
 * Admins also reach the categories and the reveal audit from here.
 */
import type { ProposalStatus, UnitView } from '../../../../../typings';
import { LatestOnly, perInstance } from '../../../../common/latest';
import { definePage } from '../../../../common/page';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, showWindow, windowRequest, type ListWindow, type WindowStart } from '../../../../common/paged-list';
import { handlingProposals, listCategories, proposalDashboard } from '../../../../services/proposal';
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
  type CategoryOption,
  type CountCell,
  type DeskRow,
  type FirstAnswerRow,
} from '../../../../utils/proposal-admin-view';
import { handleUrl, PROPOSALS_CAP } from '../../../../utils/proposal-view';

type Status = 'loading' | 'ready' | 'forbidden' | 'error';

interface DeskData {
  status: Status;
  errorText: string;
  isAdmin: boolean;
  /** Browsing units is for admins and publishers (units.children refuses plain handlers). */
  unitFilter: boolean;
  grid: CountCell[];
  firstAnswer: FirstAnswerRow[];
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
}

const state = perInstance<State>(() => ({ list: new LatestOnly(), dashboardTicket: 0, alive: true }));

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
    loadingMore: false,
    rowsWindow: emptyWindow(PROPOSALS_CAP),
    listError: '',
    emptyText: emptyDeskText(false),
  } as DeskData,

  onLoad() {
    this.start();
  },

  // Back from handling a proposal: its status, assignee or answer may have changed.
  onShow() {
    if (this.data.status === 'ready') void this.refresh();
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
          this.setData({ loadingMore: false, listError: errorText(result.error), ...(reset ? { rows: [], next: null, rowsWindow: emptyWindow(PROPOSALS_CAP) } : {}) });
          return;
        }
        const now = Date.now();
        const incoming = result.data.items.map((card) => deskRow(card, now));
        const page = listPage('rows', reset ? null : this.data.rows, incoming, result.data.next, request, { cap: PROPOSALS_CAP });
        const filtered = !!(filters.categoryId || filters.unitId || filters.status || filters.assignedToMe);
        this.setData({ loadingMore: false, ...(page.rows ? { rows: page.rows } : page.patch), next: page.next, rowsWindow: page.window, emptyText: emptyDeskText(filtered) });
      });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      return this.start();
    },

    onMore() {
      return this.load(false);
    },

    onOnward() {
      return showWindow(this.data.rowsWindow.onward, (start) => this.load(true, start), '.rows');
    },

    onRestart() {
      return showWindow(FIRST_WINDOW, (start) => this.load(true, start), '.rows');
    },

    // Filters

    /** A count filters the list by its status; tapping the active one again shows every status. */
    onCountTap(event: TapEvent) {
      const tapped = (event.currentTarget.dataset.status ?? '') as ProposalStatus | '';
      const status = tapped === this.data.filterStatus ? '' : tapped;
      this.setData({ filterStatus: status, grid: this.data.grid.map((cell) => ({ ...cell, active: cell.status === status })) });
      return this.load(true);
    },

    onCategoryChange(event: { detail: unknown }) {
      const index = Number((event.detail as { value?: unknown } | null)?.value);
      if (!Number.isInteger(index) || !this.data.categories[index] || index === this.data.categoryIndex) return undefined;
      this.setData({ categoryIndex: index });
      return this.refresh();
    },

    onToggleMine() {
      this.setData({ assignedToMe: !this.data.assignedToMe });
      return this.load(true);
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
      return this.refresh();
    },

    onClearUnit() {
      if (!this.data.unitId) return undefined;
      this.setData({ unitId: '', unitName: '' });
      return this.refresh();
    },

    // Going on

    onRowTap(event: TapEvent) {
      const id = event.currentTarget.dataset.id;
      if (id) wx.navigateTo({ url: handleUrl(id) });
    },

    onOpenCategories() {
      wx.navigateTo({ url: CATEGORIES_URL });
    },

    onOpenReveals() {
      wx.navigateTo({ url: REVEALS_URL });
    },
  },
});
