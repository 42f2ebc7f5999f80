import type { AppError } from '../../../../../typings';
import { FIELD_LIMITS } from '../../../../../typings/limits';
import { definePage } from '../../../../common/page';
import { perInstance, searchBoxMethods, SearchLoads } from '../../../../common/latest';
import { searchMembers, type MemberStatusFilter } from '../../../../services/org';
import { errorText } from '../../../../utils/error-text';
import { memberRow, queryText, type MemberRow } from '../../../../utils/org-view';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, pagedListHooks, showWindow, windowRequest, type ListWindow, type WindowStart } from '../../../../common/paged-list';

const STATUS_FILTERS: readonly { name: MemberStatusFilter; title: string }[] = [
  { name: 'active', title: '在册' },
  { name: 'inactive', title: '已停用' },
  { name: 'all', title: '全部' },
];

type Status = 'loading' | 'ready' | 'forbidden' | 'error';

interface MembersData {
  status: Status;
  errorText: string;
  /** Set when opened from a unit: only its direct members are listed. */
  unitId: string;
  unitName: string;
  /** The unit as the filter line names it: its name, or its id when opened without one. */
  unitLabel: string;
  query: string;
  filters: typeof STATUS_FILTERS;
  filter: MemberStatusFilter;
  members: MemberRow[];
  next: string | null;
  loading: boolean;
  loaded: boolean;
  /** Which rows of the whole list are on screen (at most LIST_CAP). */
  membersWindow: ListWindow;
  limits: typeof FIELD_LIMITS;
}

const loads = perInstance(() => new SearchLoads());

definePage({
  data: {
    status: 'loading',
    errorText: '',
    unitId: '',
    unitName: '',
    unitLabel: '',
    query: '',
    filters: STATUS_FILTERS,
    filter: 'active',
    members: [],
    next: null,
    loading: false,
    loaded: false,
    membersWindow: emptyWindow(),
    limits: FIELD_LIMITS,
  } as MembersData,

  onLoad(query) {
    const unitId = queryText(query.unitId);
    const unitName = queryText(query.unitName);
    this.setData({ unitId, unitName, unitLabel: unitName || unitId });
    this.load(true);
  },

  // Back from the editor: a saved or new member may change the list.
  ...pagedListHooks<MembersData>(loads, (data) => data.loaded),

  methods: {
    /** `reset` loads a window from `start` (the first by default); otherwise the next page of the window shown. */
    load(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const ticket = loads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      const { query, unitId, filter } = this.data;
      const request = reset ? windowRequest(start) : nextRequest(this.data.next, this.data.membersWindow);
      this.setData({ loading: true });
      return searchMembers({ query, unitId, status: filter, after: request.after }).then((result) => {
        if (!loads(this).settle(ticket)) return undefined;
        if (!result.ok) {
          this.setData({ loading: false });
          if (result.error.code === 'UNIT_NOT_FOUND' && unitId) {
            // Opened from a unit deleted meanwhile (or a stale link): the whole roster is the useful answer.
            this.clearUnit();
            wx.showToast({ title: '该单位已不存在，已显示全部成员', icon: 'none' });
            return this.load(true);
          }
          this.showFailure(result.error);
          return undefined;
        }
        const page = listPage('members', reset ? null : this.data.members, result.data.items.map(memberRow), result.data.next, request);
        this.setData({
          status: 'ready',
          loading: false,
          loaded: true,
          ...(page.rows ? { members: page.rows } : page.patch),
          next: page.next,
          membersWindow: page.window,
        });
        return undefined;
      });
    },

    showFailure(error: AppError) {
      if (error.code === 'FORBIDDEN') this.setData({ status: 'forbidden' });
      else if (this.data.status !== 'ready') this.setData({ status: 'error', errorText: errorText(error) });
      else wx.showToast({ title: errorText(error), icon: 'none' });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      this.load(true);
    },

    ...searchBoxMethods(loads),

    onFilterChange(event: { detail: { name: string } }) {
      const filter = STATUS_FILTERS.find((option) => option.name === event.detail.name);
      if (!filter || filter.name === this.data.filter) return;
      this.setData({ filter: filter.name, members: [], next: null, membersWindow: emptyWindow() });
      this.load(true);
    },

    clearUnit() {
      this.setData({ unitId: '', unitName: '', unitLabel: '', members: [], next: null, membersWindow: emptyWindow() });
    },

    onMembersOnward() {
      return showWindow(this.data.membersWindow.onward, (start) => this.load(true, start));
    },

    onMembersRestart() {
      return showWindow(FIRST_WINDOW, (start) => this.load(true, start));
    },

    onClearUnit() {
      this.clearUnit();
      this.load(true);
    },

    onMemberTap(event: { currentTarget: { dataset: { id?: string } } }) {
      const id = event.currentTarget.dataset.id;
      if (id) wx.navigateTo({ url: `/packages/admin/pages/member-edit/index?id=${encodeURIComponent(id)}` });
    },

    onCreate() {
      const { unitId, unitName } = this.data;
      const query = unitId ? `?unitId=${encodeURIComponent(unitId)}&unitName=${encodeURIComponent(unitName)}` : '';
      wx.navigateTo({ url: `/packages/admin/pages/member-edit/index${query}` });
    },
  },
});
