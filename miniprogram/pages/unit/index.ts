import { FIELD_LIMITS } from '../../../typings/limits';
import { definePage } from '../../common/page';
import { LatestOnly, perInstance, searchBoxMethods, SearchLoads } from '../../common/latest';
import { childUnits, unitMembers } from '../../services/org';
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
import { LIST_CAP, listPage } from '../../common/paged-list';

type Status = 'loading' | 'ready' | 'forbidden' | 'error';

interface UnitData {
  status: Status;
  errorText: string;
  unitId: string;
  unitName: string;
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
  /** A list is full (LIST_CAP rows) while more exist. */
  capped: boolean;
  subUnitsCapped: boolean;
  cap: number;
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
    query: '',
    members: [],
    next: null,
    loadingMore: false,
    searching: false,
    emptyText: '',
    subUnits: [],
    subUnitsNext: null,
    loadingSubUnits: false,
    capped: false,
    subUnitsCapped: false,
    cap: LIST_CAP,
    limits: FIELD_LIMITS,
  } as UnitData,

  onLoad(query) {
    const unitName = queryText(query.name);
    this.setData({ unitId: queryText(query.id), unitName });
    if (unitName) wx.setNavigationBarTitle({ title: unitName });
    this.load(true);
    this.loadSubUnits(true);
  },

  onShow() {
    // Back from a member or a sub-unit: members and counts may have changed.
    if (this.data.status === 'ready') this.refresh();
  },

  onUnload() {
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

    /** The sub-units, a page at a time; `reset` reads the first page again. */
    loadSubUnits(reset: boolean): Promise<void> {
      if (!reset && !this.data.subUnitsNext) return Promise.resolve();
      const ticket = subUnitLoads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      this.setData({ loadingSubUnits: true });
      return childUnits(this.data.unitId, reset ? null : this.data.subUnitsNext).then((result) => {
        if (!subUnitLoads(this).settle(ticket)) return;
        if (!result.ok) {
          // The section is a way down, not the page's subject: FORBIDDEN hides it, other failures keep what is shown.
          if (result.error.code === 'FORBIDDEN') this.setData({ subUnits: [], subUnitsNext: null, loadingSubUnits: false });
          else this.setData({ loadingSubUnits: false });
          return;
        }
        const page = listPage('subUnits', reset ? null : this.data.subUnits, result.data.items.map(childRow), result.data.next);
        this.setData({
          ...(page.rows ? { subUnits: page.rows } : page.patch),
          subUnitsNext: page.next,
          subUnitsCapped: page.capped,
          loadingSubUnits: false,
        });
      });
    },

    onMoreSubUnits() {
      return this.loadSubUnits(false);
    },

    onSubUnitTap(event: { currentTarget: { dataset: { id?: string; name?: string } } }) {
      const { id, name } = event.currentTarget.dataset;
      if (id) wx.navigateTo({ url: unitPageUrl({ id, name: name ?? '' }) });
    },

    /** `reset` loads the first page for the current query (superseding any load in flight); otherwise the next page. */
    load(reset: boolean): Promise<void> {
      const ticket = loads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      const query = this.data.query;
      const after = reset ? null : this.data.next;
      this.setData(reset ? { searching: true, loadingMore: false } : { loadingMore: true });
      return unitMembers(this.data.unitId, query, after).then((result) => {
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
        const page = listPage('members', reset ? null : this.data.members, result.data.items.map(memberRow), result.data.next);
        this.setData({
          status: 'ready',
          ...(page.rows ? { members: page.rows } : page.patch),
          next: page.next,
          capped: page.capped,
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
