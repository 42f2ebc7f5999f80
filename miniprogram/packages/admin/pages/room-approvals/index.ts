/**
 * Pending bookings the caller may decide: the rooms' approvers (who need not be admins) and
 * admins. Each is approved or rejected with a reason; a decision covers every pending week of
 * its series, so those rows leave the list together.
 */
import { FIELD_LIMITS } from '../../../../../typings/limits';
import { LatestOnly, perInstance } from '../../../../common/latest';
import { LIST_CAP, pagedListHooks } from '../../../../common/paged-list';
import { definePage, stopDialogLoading } from '../../../../common/page';
import { approvals, decide } from '../../../../services/room';
import { errorText } from '../../../../utils/error-text';
import { eventText } from '../../../../utils/events';
import { approvalRow, checkReason, withoutDecided, type ApprovalRow } from '../../../../utils/room-admin-view';

type Status = 'loading' | 'ready' | 'error';

interface ApprovalsData {
  status: Status;
  errorText: string;
  rows: ApprovalRow[];
  next: string | null;
  /** The queue shows LIST_CAP rows at most: more wait until some are decided (a pull-down brings them). */
  capped: boolean;
  loadingMore: boolean;
  /** The booking being decided, so its buttons wait. */
  deciding: string;
  message: string;
  rejectShow: boolean;
  rejectId: string;
  rejectTitle: string;
  rejectReason: string;
  rejectError: string;
  limits: typeof FIELD_LIMITS;
}

const loads = perInstance(() => new LatestOnly());

/** Failures meaning the booking is no longer waiting (decided by another approver, cancelled): its row goes. */
const GONE: ReadonlySet<string> = new Set(['BOOKING_STATE', 'BOOKING_NOT_FOUND']);

interface RowEvent {
  currentTarget: { dataset: { id?: string } };
}

definePage({
  data: {
    status: 'loading',
    errorText: '',
    rows: [],
    next: null,
    capped: false,
    loadingMore: false,
    deciding: '',
    message: '',
    rejectShow: false,
    rejectId: '',
    rejectTitle: '',
    rejectReason: '',
    rejectError: '',
    limits: FIELD_LIMITS,
  } as ApprovalsData,

  onLoad() {
    this.load(true);
  },

  ...pagedListHooks<ApprovalsData>(loads),

  methods: {
    load(reset: boolean): Promise<void> {
      const ticket = loads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      if (!reset) this.setData({ loadingMore: true });
      return approvals(reset ? null : this.data.next).then((result) => {
        if (!loads(this).settle(ticket)) return;
        if (!result.ok) {
          if (reset) this.setData({ status: 'error', errorText: errorText(result.error) });
          else this.setData({ loadingMore: false, message: errorText(result.error) });
          return;
        }
        const incoming = result.data.items.map(approvalRow);
        if (reset) {
          this.setData({ status: 'ready', rows: incoming, next: result.data.next, capped: false, loadingMore: false });
          return;
        }
        // A row may shift between pages while others are decided: each shows once. The queue
        // stops at LIST_CAP rows on screen: deciding them comes before reading further.
        const shown = new Set(this.data.rows.map((row) => row.id));
        const start = this.data.rows.length;
        const fresh = incoming.filter((row) => !shown.has(row.id)).slice(0, Math.max(0, LIST_CAP - start));
        const full = start + fresh.length >= LIST_CAP;
        const patch: Record<string, ApprovalRow> = {};
        fresh.forEach((row, index) => (patch[`rows[${start + index}]`] = row));
        this.setData({ ...patch, next: full ? null : result.data.next, capped: full && result.data.next !== null, loadingMore: false });
      });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      return this.load(true);
    },

    onMore() {
      return this.load(false);
    },

    onApprove(event: RowEvent) {
      const row = this.data.rows.find((one) => one.id === event.currentTarget.dataset.id);
      return row ? this.decideRow(row, true, '') : undefined;
    },

    onRejectTap(event: RowEvent) {
      const row = this.data.rows.find((one) => one.id === event.currentTarget.dataset.id);
      if (!row || this.data.deciding) return;
      this.setData({
        rejectShow: true,
        rejectId: row.id,
        rejectTitle: row.series ? `驳回「${row.subject}」整个系列` : `驳回「${row.subject}」`,
        rejectReason: '',
        rejectError: '',
      });
    },

    onRejectReasonChange(event: { detail: unknown }) {
      this.setData({ rejectReason: eventText(event), rejectError: '' });
    },

    onRejectCancel() {
      this.setData({ rejectShow: false });
    },

    onRejectConfirm() {
      const problem = checkReason(this.data.rejectReason);
      const row = this.data.rows.find((one) => one.id === this.data.rejectId);
      if (problem || !row) {
        this.setData({ rejectError: problem || '该预约已不在列表中' });
        stopDialogLoading(this, '.reject-dialog');
        return undefined;
      }
      return this.decideRow(row, false, this.data.rejectReason.trim());
    },

    decideRow(row: ApprovalRow, approve: boolean, reason: string): Promise<void> {
      if (this.data.deciding) return Promise.resolve();
      this.setData({ deciding: row.id, message: '' });
      return decide(row.id, approve, approve ? undefined : reason).then((result) => {
        this.setData({ deciding: '' });
        if (!result.ok && !GONE.has(result.error.code)) {
          if (this.data.rejectShow) {
            this.setData({ rejectError: errorText(result.error) });
            stopDialogLoading(this, '.reject-dialog');
          } else {
            this.setData({ message: errorText(result.error) });
          }
          return undefined;
        }
        this.setData({ rows: withoutDecided(this.data.rows, row), rejectShow: false });
        if (!result.ok) {
          this.setData({ message: `${errorText(result.error)}（已从列表移除）` });
        } else {
          const count = result.data.decided > 1 ? ` ${result.data.decided} 个预约` : '';
          wx.showToast({ title: `已${approve ? '通过' : '驳回'}${count}`, icon: 'success' });
        }
        // Deciding the last rows shown must not hide those on the next page.
        return !this.data.rows.length && this.data.next ? this.load(false) : undefined;
      });
    },

  },
});
