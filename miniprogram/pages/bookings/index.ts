import type { AppError, BookingView, Result } from '../../../typings';
import { LatestOnly, perInstance } from '../../common/latest';
import { definePage } from '../../common/page';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, pagedListHooks, pagedListMethods, windowRequest, type ListWindow, type WindowStart } from '../../common/paged-list';
import { cancelBooking, checkIn, checkInAtRoom, endBooking, myBookings } from '../../services/room';
import {
  BOOKING_TABS,
  bookingRow,
  type BookingRow,
  BOOKINGS_CAP,
  type BookingsTab,
  cancelledText,
  cancelQuestion,
  changeUrl,
  checkedInDetail,
  emptyBookingsText,
  END_QUESTION,
  msUntil,
  nextTurn,
  NOT_A_ROOM_CODE,
  roomIdOfScan,
  SERIES_CHOICES,
} from '../../utils/booking-view';
import { errorText } from '../../utils/error-text';
import { businessNow } from '../../utils/notice-compose-view';
import { queryText } from '../../utils/org-view';

type Status = 'loading' | 'ready' | 'error';
type ConfirmAction = 'cancel' | 'cancel-series' | 'end';

interface BookingsData {
  status: Status;
  errorText: string;
  tabs: typeof BOOKING_TABS;
  tab: BookingsTab;
  rows: BookingRow[];
  next: string | null;
  loading: boolean;
  loaded: boolean;
  window: ListWindow;
  emptyText: string;
  acting: boolean;
  confirmShow: boolean;
  confirmTitle: string;
  confirmMessage: string;
  confirmButton: string;
  confirmAction: ConfirmAction;
  confirmId: string;
}

interface RowEvent {
  currentTarget: { dataset: { id?: string } };
}

const loads = perInstance(() => new LatestOnly());
/** The look again planned for the next check-in window or end among the rows shown. */
const turns = perInstance<{ timer: ReturnType<typeof setTimeout> | null; next: string | null }>(() => ({ timer: null, next: null }));

/** A row's buttons follow the clock (签到 appears when its window opens): further than this, showing the page again reloads it anyway. */
const TURN_HORIZON_MS = 6 * 3_600_000;

function stopTurns(page: object): void {
  const own = turns(page);
  if (own.timer) clearTimeout(own.timer);
  own.timer = null;
  own.next = null;
}

function rowOfBooking(booking: BookingView): BookingRow {
  return bookingRow(booking, businessNow());
}

/** What a scan gave: the code's result, or null when the person cancelled or the camera failed. */
function scan(): Promise<{ path?: string; result?: string } | null> {
  return new Promise((resolve) => {
    wx.scanCode({
      onlyFromCamera: true,
      success: (result) => resolve(result as { path?: string; result?: string }),
      fail: () => resolve(null),
    });
  });
}

function pickSeries(): Promise<boolean | null> {
  return new Promise((resolve) => {
    wx.showActionSheet({
      itemList: [...SERIES_CHOICES],
      success: (result) => resolve(result.tapIndex === 1),
      fail: () => resolve(null),
    });
  });
}

definePage({
  data: {
    status: 'loading',
    errorText: '',
    tabs: BOOKING_TABS,
    tab: 'upcoming',
    rows: [],
    next: null,
    loading: false,
    loaded: false,
    window: emptyWindow(BOOKINGS_CAP),
    emptyText: emptyBookingsText('upcoming'),
    acting: false,
    confirmShow: false,
    confirmTitle: '',
    confirmMessage: '',
    confirmButton: '确定',
    confirmAction: 'cancel',
    confirmId: '',
  } as BookingsData,

  onLoad(query) {
    const tab = BOOKING_TABS.find((option) => option.name === queryText(query.tab));
    if (tab) this.setData({ tab: tab.name, emptyText: emptyBookingsText(tab.name) });
    this.load(true);
  },

  // Back from the form: a booking may have moved or changed.
  ...pagedListHooks<BookingsData>(loads, (data) => data.loaded),

  onHide() {
    stopTurns(this);
  },

  onUnload() {
    loads(this).cancel();
    stopTurns(this);
  },

  methods: {
    /** `reset` loads a window of the tab from `start` (the first by default); otherwise the next page of the window shown. */
    load(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const ticket = loads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      const tab = this.data.tab;
      const request = reset ? windowRequest(start) : nextRequest(this.data.next, this.data.window);
      this.setData({ loading: true });
      return myBookings(tab, request.after).then((result) => {
        if (!loads(this).settle(ticket)) return;
        if (!result.ok) {
          this.setData({ loading: false });
          this.showFailure(result.error);
          return;
        }
        this.planTurn(result.data.items, reset);
        const rows = result.data.items.map(rowOfBooking);
        const page = listPage('rows', reset ? null : this.data.rows, rows, result.data.next, request, { cap: BOOKINGS_CAP });
        this.setData({
          status: 'ready',
          loading: false,
          loaded: true,
          ...(page.rows ? { rows: page.rows } : page.patch),
          next: page.next,
          window: page.window,
        });
      });
    },

    /** Looks again when the next check-in window among the rows opens or closes, or a booking ends. */
    planTurn(items: readonly BookingView[], reset: boolean) {
      const own = turns(this);
      if (reset) stopTurns(this);
      const next = nextTurn(items, businessNow());
      if (!next || (own.next !== null && own.next <= next)) return;
      const wait = msUntil(next, Date.now()) + 1000;
      if (wait > TURN_HORIZON_MS) return;
      if (own.timer) clearTimeout(own.timer);
      own.next = next;
      own.timer = setTimeout(() => {
        own.timer = null;
        own.next = null;
        void this.load(true);
      }, wait);
    },

    showFailure(error: AppError) {
      if (this.data.status !== 'ready') this.setData({ status: 'error', errorText: errorText(error) });
      else wx.showToast({ title: errorText(error), icon: 'none' });
    },

    ...pagedListMethods<BookingsData>('window'),

    onTabChange(event: { detail: { name: string } }) {
      const tab = BOOKING_TABS.find((option) => option.name === event.detail.name);
      if (!tab || tab.name === this.data.tab) return undefined;
      this.setData({ tab: tab.name, emptyText: emptyBookingsText(tab.name), rows: [], next: null, window: emptyWindow(BOOKINGS_CAP) });
      return this.load(true);
    },


    onRooms() {
      wx.switchTab({ url: '/pages/rooms/index' });
    },

    rowOf(event: RowEvent): BookingRow | null {
      const id = event.currentTarget.dataset.id;
      return this.data.rows.find((row) => row.id === id) ?? null;
    },

    /** Shows a booking as an action answered it, in its row when the row is on screen. */
    showBooking(booking: BookingView): boolean {
      const index = this.data.rows.findIndex((row) => row.id === booking.id);
      if (index < 0) return false;
      this.setData({ [`rows[${index}]`]: rowOfBooking(booking) });
      return true;
    },

    /** Runs an action of a row and shows its answer there; a refusal is said and the tab read again. */
    act(call: Promise<Result<BookingView>>, done: string): Promise<void> {
      this.setData({ acting: true });
      return call.then((result) => {
        this.setData({ acting: false });
        if (result.ok) {
          this.showBooking(result.data);
          wx.showToast({ title: done, icon: 'success' });
          return undefined;
        }
        wx.showToast({ title: errorText(result.error), icon: 'none' });
        return this.load(true);
      });
    },

    onCheckIn(event: RowEvent) {
      const row = this.rowOf(event);
      if (!row?.canCheckIn || this.data.acting) return undefined;
      return this.act(checkIn(row.id), '签到成功');
    },

    onChange(event: RowEvent) {
      const row = this.rowOf(event);
      if (row?.canChange) wx.navigateTo({ url: changeUrl(row.id) });
    },

    onEndTap(event: RowEvent) {
      const row = this.rowOf(event);
      if (!row?.canEnd) return;
      this.setData({ confirmShow: true, confirmAction: 'end', confirmId: row.id, confirmTitle: '提前结束会议', confirmMessage: END_QUESTION, confirmButton: '提前结束' });
    },

    /** A week of a series asks first whether the later weeks go too. */
    onCancelTap(event: RowEvent) {
      const row = this.rowOf(event);
      if (!row?.canCancel) return undefined;
      const series = row.inSeries ? pickSeries() : Promise.resolve(false);
      return series.then((all) => {
        if (all === null) return;
        this.setData({
          confirmShow: true,
          confirmAction: all ? 'cancel-series' : 'cancel',
          confirmId: row.id,
          confirmTitle: all ? '确认取消后续全部' : '确认取消这次预约',
          confirmMessage: cancelQuestion(row, all),
          confirmButton: '取消预约',
        });
      });
    },

    onConfirmCancel() {
      this.setData({ confirmShow: false });
    },

    onConfirm() {
      const { confirmAction, confirmId } = this.data;
      this.setData({ confirmShow: false });
      if (!confirmId || this.data.acting) return undefined;
      if (confirmAction === 'end') return this.act(endBooking(confirmId), '已结束');
      this.setData({ acting: true });
      return cancelBooking(confirmId, confirmAction === 'cancel-series').then((result) => {
        this.setData({ acting: false });
        if (result.ok) wx.showToast({ title: cancelledText(result.data.cancelled), icon: 'success' });
        else wx.showToast({ title: errorText(result.error), icon: 'none' });
        // Either way the tab is read again: the bookings left it, or they changed meanwhile.
        return this.load(true);
      });
    },

    /** 扫码签到: the room's code at the door checks the person in to their booking there now. */
    onScan() {
      if (this.data.acting) return undefined;
      return scan().then((result) => {
        if (!result) return undefined;
        const roomId = roomIdOfScan(result);
        if (!roomId) {
          wx.showModal({ title: '无法签到', content: NOT_A_ROOM_CODE, showCancel: false, confirmText: '知道了' });
          return undefined;
        }
        this.setData({ acting: true });
        return checkInAtRoom(roomId).then((answer) => {
          this.setData({ acting: false });
          if (!answer.ok) {
            wx.showModal({ title: '未能签到', content: errorText(answer.error), showCancel: false, confirmText: '知道了' });
            return undefined;
          }
          wx.showModal({ title: '签到成功', content: checkedInDetail(answer.data), showCancel: false, confirmText: '好的' });
          if (this.showBooking(answer.data) || this.data.tab !== 'upcoming') return undefined;
          return this.load(true);
        });
      });
    },
  },
});
