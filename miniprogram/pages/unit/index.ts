import { definePage } from '../../common/page';
import { perInstance, SearchLoads } from '../../common/latest';
import { unitMembers } from '../../services/org';
import { errorText } from '../../utils/error-text';
import { eventText } from '../../utils/events';
import { emptyMembersText, memberPageUrl, memberRow, queryText, type MemberRow } from '../../utils/org-view';
import { appendRows } from '../../utils/role-admin-view';

/** Typing pauses this long before the search is sent. */
const SEARCH_DEBOUNCE_MS = 300;

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
}

const loads = perInstance(() => new SearchLoads());

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
  } as UnitData,

  onLoad(query) {
    const unitName = queryText(query.name);
    this.setData({ unitId: queryText(query.id), unitName });
    if (unitName) wx.setNavigationBarTitle({ title: unitName });
    this.load(true);
  },

  onUnload() {
    loads(this).cancel();
  },

  onReachBottom() {
    if (this.data.next) this.load(false);
  },

  onPullDownRefresh() {
    this.load(true).then(() => wx.stopPullDownRefresh());
  },

  methods: {
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
        const rows = result.data.items.map(memberRow);
        this.setData({
          status: 'ready',
          members: reset ? rows : appendRows(this.data.members, rows),
          next: result.data.next,
          searching: false,
          loadingMore: false,
          emptyText: emptyMembersText(query),
        });
      });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      this.load(true);
    },

    onQueryChange(event: { detail: unknown }) {
      const query = eventText(event);
      this.setData({ query });
      loads(this).afterPause(() => this.load(true), SEARCH_DEBOUNCE_MS);
    },

    onSearch(event: { detail: unknown }) {
      loads(this).clearPause();
      this.setData({ query: eventText(event) });
      return this.load(true);
    },

    onSearchClear() {
      loads(this).clearPause();
      this.setData({ query: '' });
      return this.load(true);
    },

    onMemberTap(event: { currentTarget: { dataset: { id?: string } } }) {
      const id = event.currentTarget.dataset.id;
      if (id) wx.navigateTo({ url: memberPageUrl(id) });
    },
  },
});
