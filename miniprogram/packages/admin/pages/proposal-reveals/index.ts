/**
 * 匿名查看记录 (admins): every time an admin saw who proposed an anonymous proposal, newest
 * first: when, who looked, which proposal (a tap opens it) and why. Never whom they saw.
 */
import { LatestOnly, perInstance } from '../../../../common/latest';
import { definePage } from '../../../../common/page';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, pagedListHooks, pagedListMethods, windowRequest, type ListWindow, type WindowStart } from '../../../../common/paged-list';
import { revealRecords } from '../../../../services/proposal';
import { errorText } from '../../../../utils/error-text';
import { revealRow, type RevealRow } from '../../../../utils/proposal-admin-view';
import { handleUrl } from '../../../../utils/proposal-view';

type Status = 'loading' | 'ready' | 'forbidden' | 'error';

interface RevealsData {
  status: Status;
  errorText: string;
  rows: RevealRow[];
  next: string | null;
  loadingMore: boolean;
  rowsWindow: ListWindow;
  message: string;
}

const loads = perInstance(() => new LatestOnly());

definePage({
  data: {
    status: 'loading',
    errorText: '',
    rows: [],
    next: null,
    loadingMore: false,
    rowsWindow: emptyWindow(),
    message: '',
  } as RevealsData,

  onLoad() {
    void this.load(true);
  },

  ...pagedListHooks<RevealsData>(loads),

  methods: {
    load(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const ticket = loads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      const request = reset ? windowRequest(start) : nextRequest(this.data.next, this.data.rowsWindow);
      if (!reset) this.setData({ loadingMore: true });
      return revealRecords(request.after).then((result) => {
        if (!loads(this).settle(ticket)) return;
        if (!result.ok) {
          if (reset && this.data.status !== 'ready') this.setData(result.error.code === 'FORBIDDEN' ? { status: 'forbidden' } : { status: 'error', errorText: errorText(result.error) });
          else this.setData({ loadingMore: false, message: errorText(result.error) });
          return;
        }
        const now = Date.now();
        const page = listPage('rows', reset ? null : this.data.rows, result.data.items.map((record) => revealRow(record, now)), result.data.next, request);
        this.setData({ status: 'ready', loadingMore: false, message: '', ...(page.rows ? { rows: page.rows } : page.patch), next: page.next, rowsWindow: page.window });
      });
    },

    ...pagedListMethods<RevealsData>('rowsWindow'),

    onRowTap(event: { currentTarget: { dataset: { id?: string } } }) {
      const row = this.data.rows.find((one) => one.id === event.currentTarget.dataset.id);
      if (row) wx.navigateTo({ url: handleUrl(row.proposalId) });
    },
  },
});
