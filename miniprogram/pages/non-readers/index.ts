/**
 * 长期未读 of a unit (`?unitId=&name=`), for admins, observers and the unit's observers: the
 * people who left every one of the last N notices with a passed deadline unread in time, N
 * chosen among 3, 5 and 10. Tapping a person opens the member page.
 */
import { LatestOnly, perInstance } from '../../common/latest';
import { definePage } from '../../common/page';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, showWindow, windowRequest, type ListWindow, type WindowStart } from '../../common/paged-list';
import { nonReaders } from '../../services/notice';
import { errorText } from '../../utils/error-text';
import {
  DEFAULT_LAST,
  emptyNonReadersText,
  explanationText,
  lastChoices,
  lastOf,
  NON_READERS_CAP,
  nonReaderRow,
  nonReadersTitle,
  type LastChoice,
  type NonReaderRow,
} from '../../utils/non-readers-view';
import { memberPageUrl, queryText } from '../../utils/org-view';

type Status = 'loading' | 'ready' | 'forbidden' | 'missing' | 'error';

interface NonReadersData {
  status: Status;
  errorText: string;
  unitId: string;
  choices: LastChoice[];
  /** The choice selected, as its tab name. */
  last: string;
  /** The choice the rows answer (a new choice that fails goes back to it). */
  shownLast: string;
  /** How many notices the server considered for the rows shown. */
  notices: number;
  explanation: string;
  rows: NonReaderRow[];
  next: string | null;
  window: ListWindow;
  /** A new choice is loading; the rows shown are the previous choice's. */
  switching: boolean;
  loadingMore: boolean;
  emptyText: string;
}

const loads = perInstance(() => new LatestOnly());

type TapEvent = { currentTarget: { dataset: { id?: string } } };

definePage({
  data: {
    status: 'loading',
    errorText: '',
    unitId: '',
    choices: lastChoices(),
    last: String(DEFAULT_LAST),
    shownLast: String(DEFAULT_LAST),
    notices: 0,
    explanation: '',
    rows: [],
    next: null,
    window: emptyWindow(NON_READERS_CAP),
    switching: false,
    loadingMore: false,
    emptyText: '',
  } as NonReadersData,

  onLoad(query) {
    const unitName = queryText(query.name);
    this.setData({ unitId: queryText(query.unitId) });
    wx.setNavigationBarTitle({ title: nonReadersTitle(unitName) });
    this.load(true);
  },

  onUnload() {
    loads(this).cancel();
  },

  onReachBottom() {
    if (this.data.status === 'ready' && this.data.next && !this.data.switching) this.load(false);
  },

  onPullDownRefresh() {
    if (this.data.status !== 'ready') this.setData({ status: 'loading' });
    this.load(true).then(() => wx.stopPullDownRefresh());
  },

  methods: {
    /**
     * `reset` reads a window from `start` (the first by default) for the choice selected,
     * superseding any load in flight; otherwise the next page of the window shown. A failure
     * before anything is shown is the page's state; later it is a toast and the rows stay.
     */
    load(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const ticket = loads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      const last = this.data.last;
      const request = reset ? windowRequest(start) : nextRequest(this.data.next, this.data.window);
      if (!reset) this.setData({ loadingMore: true });
      return nonReaders(this.data.unitId, Number(last), request.after).then((result) => {
        if (!loads(this).settle(ticket)) return;
        if (!result.ok) {
          const code = result.error.code;
          if (this.data.status !== 'ready') {
            if (code === 'FORBIDDEN') this.setData({ status: 'forbidden' });
            else if (code === 'UNIT_NOT_FOUND') this.setData({ status: 'missing' });
            else this.setData({ status: 'error', errorText: errorText(result.error) });
            return;
          }
          this.setData({ last: this.data.shownLast, switching: false, loadingMore: false });
          wx.showToast({ title: errorText(result.error), icon: 'none' });
          return;
        }
        const { items, next, notices } = result.data;
        const page = listPage('rows', reset ? null : this.data.rows, items.map(nonReaderRow), next, request, { cap: NON_READERS_CAP });
        this.setData({
          status: 'ready',
          ...(page.rows ? { rows: page.rows } : page.patch),
          next: page.next,
          window: page.window,
          shownLast: last,
          notices,
          explanation: explanationText(notices),
          emptyText: emptyNonReadersText(notices),
          switching: false,
          loadingMore: false,
        });
      });
    },

    onLastChange(event: { detail: { name?: string | number } }) {
      const last = lastOf(event.detail.name);
      if (last === null || String(last) === this.data.last) return Promise.resolve();
      this.setData({ last: String(last), switching: true, loadingMore: false });
      return this.load(true);
    },

    onOnward() {
      return showWindow(this.data.window.onward, (start) => this.load(true, start));
    },

    onRestart() {
      return showWindow(FIRST_WINDOW, (start) => this.load(true, start));
    },

    onRowTap(event: TapEvent) {
      const id = event.currentTarget.dataset.id;
      if (id) wx.navigateTo({ url: memberPageUrl(String(id)) });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      return this.load(true);
    },
  },
});
