import { FIELD_LIMITS } from '../../../typings/limits';
import { definePage } from '../../common/page';
import { LatestOnly, perInstance, searchBoxMethods, SearchLoads } from '../../common/latest';
import { childUnits, unitMembers } from '../../services/org';
import { currentAccount, unwatchAccount, watchAccount } from '../../services/session';
import { errorText } from '../../utils/error-text';
import {
  childRow,
  emptyMembersText,
  memberPageUrl,
  memberRow,
  queryText,
  unitPageUrl,
  type ChildRow,
  type MemberRow,
} from '../../utils/org-view';
import { nonReadersPageUrl, observedVia, offersNonReaders } from '../../utils/non-readers-view';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, showWindow, windowRequest, type ListWindow, type WindowStart } from '../../common/paged-list';

type Status = 'loading' | 'ready' | 'forbidden' | 'error';

interface UnitData {
  status: Status;
  errorText: string;
  unitId: string;
  unitName: string;
  /** The observed unit the person walked down from (`via=`), '' otherwise. */
  via: string;
  /** Whether 长期未读 is offered (admins, observers, the unit's observers). */
  offersNonReaders: boolean;
  query: string;
  members: MemberRow[];
  next: string | null;
  loadingMore: boolean;
  searching: boolean;
  emptyText: string;
  /** Sub-units the caller may walk down to; empty (and the section hidden) when there are none or they are not open to the caller. */
  subUnits: ChildRow[];
  subUnitsNext: string | null;
  loadingSubUnits: boolean;
  /** Which rows of each list are on screen (at most LIST_CAP). */
  membersWindow: ListWindow;
  subUnitsWindow: ListWindow;
  limits: typeof FIELD_LIMITS;
}

const loads = perInstance(() => new SearchLoads());
const subUnitLoads = perInstance(() => new LatestOnly());

definePage({
  data: {
    status: 'loading',
    errorText: '',
    unitId: '',
    unitName: '',
    via: '',
    offersNonReaders: false,
    query: '',
    members: [],
    next: null,
    loadingMore: false,
    searching: false,
    emptyText: '',
    subUnits: [],
    subUnitsNext: null,
    loadingSubUnits: false,
    membersWindow: emptyWindow(),
    subUnitsWindow: emptyWindow(),
    limits: FIELD_LIMITS,
  } as UnitData,

  onLoad(query) {
    const unitName = queryText(query.name);
    const unitId = queryText(query.id);
    const via = queryText(query.via);
    this.setData({ unitId, unitName, via, offersNonReaders: offersNonReaders(currentAccount(), unitId, via) });
    if (unitName) wx.setNavigationBarTitle({ title: unitName });
    // Roles granted or observed units changed while the page is open (a refreshed session).
    watchAccount(this, (account) => this.setData({ offersNonReaders: offersNonReaders(account, unitId, via) }));
    this.load(true);
    this.loadSubUnits(true);
  },

  onShow() {
    // Back from a member or a sub-unit: members and counts may have changed.
    if (this.data.status === 'ready') this.refresh();
  },

  onUnload() {
    unwatchAccount(this);
    loads(this).cancel();
    subUnitLoads(this).cancel();
  },

  onReachBottom() {
    if (this.data.next) this.load(false);
  },

  onPullDownRefresh() {
    this.refresh().then(() => wx.stopPullDownRefresh());
  },

  methods: {
    refresh(): Promise<void> {
      return Promise.all([this.load(true), this.loadSubUnits(true)]).then(() => undefined);
    },

    /** The sub-units, a page at a time; `reset` reads a window from `start` (the first by default). */
    loadSubUnits(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      if (!reset && !this.data.subUnitsNext) return Promise.resolve();
      const ticket = subUnitLoads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      const request = reset ? windowRequest(start) : nextRequest(this.data.subUnitsNext, this.data.subUnitsWindow);
      this.setData({ loadingSubUnits: true });
      return childUnits(this.data.unitId, request.after).then((result) => {
        if (!subUnitLoads(this).settle(ticket)) return;
        if (!result.ok) {
          // The section is a way down, not the page's subject: FORBIDDEN hides it, other failures keep what is shown.
          if (result.error.code === 'FORBIDDEN') this.setData({ subUnits: [], subUnitsNext: null, subUnitsWindow: emptyWindow(), loadingSubUnits: false });
          else this.setData({ loadingSubUnits: false });
          return;
        }
        const page = listPage('subUnits', reset ? null : this.data.subUnits, result.data.items.map(childRow), result.data.next, request);
        this.setData({
          ...(page.rows ? { subUnits: page.rows } : page.patch),
          subUnitsNext: page.next,
          subUnitsWindow: page.window,
          loadingSubUnits: false,
        });
      });
    },

    onMoreSubUnits() {
      return this.loadSubUnits(false);
    },

    onSubUnitsOnward() {
      return showWindow(this.data.subUnitsWindow.onward, (start) => this.loadSubUnits(true, start));
    },

    onSubUnitsRestart() {
      return showWindow(FIRST_WINDOW, (start) => this.loadSubUnits(true, start));
    },

    onMembersOnward() {
      return showWindow(this.data.membersWindow.onward, (start) => this.load(true, start), '#members');
    },

    onMembersRestart() {
      return showWindow(FIRST_WINDOW, (start) => this.load(true, start), '#members');
    },

    onSubUnitTap(event: { currentTarget: { dataset: { id?: string; name?: string } } }) {
      const { id, name } = event.currentTarget.dataset;
      if (!id) return;
      // A sub-unit of an observed unit is observed too, which the account alone cannot tell.
      const via = observedVia(currentAccount(), this.data.unitId, this.data.via);
      const url = unitPageUrl({ id, name: name ?? '' });
      wx.navigateTo({ url: via ? `${url}&via=${encodeURIComponent(via)}` : url });
    },

    onNonReadersTap() {
      wx.navigateTo({ url: nonReadersPageUrl({ id: this.data.unitId, name: this.data.unitName }) });
    },

    /**
     * `reset` loads a window from `start` (the first by default) for the current query,
     * superseding any load in flight; otherwise the next page of the window shown.
     */
    load(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const ticket = loads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      const query = this.data.query;
      const request = reset ? windowRequest(start) : nextRequest(this.data.next, this.data.membersWindow);
      this.setData(reset ? { searching: true, loadingMore: false } : { loadingMore: true });
      return unitMembers(this.data.unitId, query, request.after).then((result) => {
        // A newer search answered first, or the page left: this reply is no longer wanted.
        if (!loads(this).settle(ticket)) return;
        if (!result.ok) {
          const first = this.data.status !== 'ready';
          if (result.error.code === 'FORBIDDEN' && first) this.setData({ status: 'forbidden', searching: false, loadingMore: false });
          else if (first) this.setData({ status: 'error', errorText: errorText(result.error), searching: false, loadingMore: false });
          else {
            this.setData({ searching: false, loadingMore: false });
            wx.showToast({ title: errorText(result.error), icon: 'none' });
          }
          return;
        }
        const page = listPage('members', reset ? null : this.data.members, result.data.items.map(memberRow), result.data.next, request);
        this.setData({
          status: 'ready',
          ...(page.rows ? { members: page.rows } : page.patch),
          next: page.next,
          membersWindow: page.window,
          searching: false,
          loadingMore: false,
          emptyText: emptyMembersText(query),
        });
      });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      this.refresh();
    },

    ...searchBoxMethods(loads),

    onMemberTap(event: { currentTarget: { dataset: { id?: string } } }) {
      const id = event.currentTarget.dataset.id;
      if (id) wx.navigateTo({ url: memberPageUrl(id) });
    },
  },
});
