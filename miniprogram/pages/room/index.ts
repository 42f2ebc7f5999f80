import type { AppError, RoomDay, RoomView, TimelineSlot } from '../../../typings';
import { roomIdOfScene } from '../../../typings/room-rules';
import { LatestOnly, perInstance } from '../../common/latest';
import { definePage, type PathKey } from '../../common/page';
import { checkInAtRoom, roomDay } from '../../services/room';
import { ensureSession } from '../../services/session';
import { errorText } from '../../utils/error-text';
import { queryText } from '../../utils/org-view';
import { businessTime } from '../../utils/notice-view';
import {
  BAD_CODE_TEXT,
  bookingPopup,
  bookUrl,
  slotsForChange,
  cannotBook,
  carrySelection,
  checkedInText,
  closedText,
  dateStrip,
  dateText,
  ME_URL,
  ROOMS_TAB_URL,
  NONE_NOW_TEXT,
  roomHeader,
  roomTarget,
  selectedRange,
  selectionText,
  selectSlot,
  timelineRows,
  validDate,
  type CannotBook,
  type DateChip,
  type RoomHeader,
  type Selection,
  type TimelineRow,
} from '../../utils/room-view';

/** `invalid`: no room to show (a code that is not a room's, a link without one); retrying cannot help. */
type Status = 'loading' | 'ready' | 'error' | 'invalid';

/** What the check-in at the door came to, above the timeline. */
interface CheckInNotice {
  tone: 'success' | 'info' | 'warning';
  text: string;
}

interface RoomData {
  status: Status;
  errorText: string;
  header: RoomHeader | null;
  today: string;
  date: string;
  dateText: string;
  dates: DateChip[];
  /** Why the day has no timeline; empty when it has one. */
  closedText: string;
  cannotBook: CannotBook | null;
  rows: TimelineRow[];
  /** 「已选 14:00–15:30（1.5 小时）」; empty without a selection. */
  selectionText: string;
  dayLoading: boolean;
  notice: CheckInNotice | null;
  popup: { show: boolean; title: string; lines: string[] };
  /** Picking a new time for a booking (修改预约): the page says so. */
  changing: boolean;
}

interface RoomState {
  roomId: string | null;
  fromCode: boolean;
  checkInTried: boolean;
  room: RoomView | null;
  /** The day's slots: kept here, the view gets their rows. */
  slots: TimelineSlot[];
  selection: Selection | null;
  /** The booking whose new time the person is picking (from 修改预约), or null. */
  changing: string | null;
}

const loads = perInstance(() => new LatestOnly());
const state = perInstance<RoomState>(() => ({ roomId: null, fromCode: false, checkInTried: false, room: null, slots: [], selection: null, changing: null }));

const today = () => businessTime(Date.now()).slice(0, 10);

definePage({
  data: {
    status: 'loading',
    errorText: '',
    header: null,
    today: '',
    date: '',
    dateText: '',
    dates: [],
    closedText: '',
    cannotBook: null,
    rows: [],
    selectionText: '',
    dayLoading: false,
    notice: null,
    popup: { show: false, title: '', lines: [] },
    changing: false,
  } as RoomData,

  onLoad(query) {
    const own = state(this);
    const target = roomTarget(query, roomIdOfScene);
    own.roomId = target.roomId;
    own.fromCode = target.fromCode;
    own.changing = queryText(query.booking) || null;
    const day = today();
    this.setData({ today: day, date: validDate(query.date) ?? day, changing: own.changing !== null });
    if (own.changing) wx.setNavigationBarTitle({ title: '选择新的时间' });
    this.load();
  },

  onShow() {
    // Back from the booking form (or anywhere): the day may have changed meanwhile.
    if (this.data.status === 'ready') this.loadDay(this.data.date);
  },

  onUnload() {
    loads(this).cancel();
  },

  onPullDownRefresh() {
    const done = this.data.status === 'ready' ? this.loadDay(this.data.date) : this.load();
    done.then(() => wx.stopPullDownRefresh());
  },

  methods: {
    load(): Promise<void> {
      const own = state(this);
      const roomId = own.roomId;
      if (!roomId) {
        this.setData({ status: 'invalid', errorText: own.fromCode ? BAD_CODE_TEXT : '该会议室不存在或已被删除' });
        return Promise.resolve();
      }
      this.setData({ status: 'loading', errorText: '' });
      return ensureSession().then((session) => {
        if (!session.ok) {
          this.setData({ status: 'error', errorText: errorText(session.error) });
          return undefined;
        }
        // A scanned code checks in once per opening, even if the day is loaded again.
        if (own.fromCode && !own.checkInTried) {
          own.checkInTried = true;
          return this.checkIn(roomId).then(() => this.loadDay(this.data.date));
        }
        return this.loadDay(this.data.date);
      });
    },

    checkIn(roomId: string): Promise<void> {
      return checkInAtRoom(roomId).then((result) => {
        if (result.ok) {
          const text = checkedInText(result.data);
          this.setData({ notice: { tone: 'success', text } });
          wx.showToast({ title: '签到成功', icon: 'success' });
        } else if (result.error.code === 'BOOKING_NONE_NOW') {
          this.setData({ notice: { tone: 'info', text: NONE_NOW_TEXT } });
        } else {
          this.setData({ notice: { tone: 'warning', text: errorText(result.error) } });
        }
      });
    },

    loadDay(date: string): Promise<void> {
      const roomId = state(this).roomId;
      const ticket = loads(this).begin(true);
      if (!roomId || ticket === null) return Promise.resolve();
      if (this.data.status === 'ready') this.setData({ dayLoading: true });
      return roomDay(roomId, date).then((result) => {
        if (!loads(this).settle(ticket)) return;
        if (result.ok) this.showDay(result.data);
        else this.showFailure(result.error);
      });
    },

    showDay(answer: RoomDay) {
      const own = state(this);
      // Moving a booking: its own time not yet begun may be chosen again.
      const day = own.changing ? { ...answer, slots: slotsForChange(answer.slots, own.changing) } : answer;
      const sameDay = day.date === this.data.date && own.room?.id === day.room.id;
      const selection = day.room.canBook && sameDay ? carrySelection(own.slots, own.selection, day.slots) : null;
      own.room = day.room;
      own.slots = day.slots;
      own.selection = selection;
      const header = roomHeader(day.room);
      const now = today();
      this.setData({
        status: 'ready',
        header,
        today: now,
        date: day.date,
        dateText: dateText(day.date),
        dates: dateStrip(now, day.lastBookableDate, day.date),
        closedText: day.period ? '' : closedText(day),
        cannotBook: cannotBook(day.room),
        rows: timelineRows(day.slots, day.date, selection),
        selectionText: selectionText(day.slots, selection, day.date),
        dayLoading: false,
      });
      wx.setNavigationBarTitle({ title: header.name });
    },

    showFailure(error: AppError) {
      if (this.data.status === 'ready') {
        this.setData({ dayLoading: false });
        wx.showToast({ title: errorText(error), icon: 'none' });
        return;
      }
      this.setData({ status: 'error', errorText: errorText(error), dayLoading: false });
    },

    /** The selection changed: only the rows whose look changed are sent. */
    select(selection: Selection | null) {
      const own = state(this);
      own.selection = selection;
      const rows = timelineRows(own.slots, this.data.date, selection);
      const patch: Record<PathKey, TimelineRow> = {};
      rows.forEach((row, i) => {
        const shown = this.data.rows[i];
        if (!shown || shown.selected !== row.selected) patch[`rows[${i}]`] = row;
      });
      this.setData({ ...patch, selectionText: selectionText(own.slots, selection, this.data.date) });
    },

    onRetry() {
      this.load();
    },

    onDateTap(event: { currentTarget: { dataset: { date?: string } } }) {
      const date = event.currentTarget.dataset.date;
      if (!date || date === this.data.date) return undefined;
      state(this).selection = null;
      this.setData({ date, selectionText: '' });
      return this.loadDay(date);
    },

    onSlotTap(event: { currentTarget: { dataset: { index?: number } } }) {
      const own = state(this);
      const index = Number(event.currentTarget.dataset.index);
      const slot = own.slots[index];
      if (!slot || !own.room) return;
      if (slot.state === 'past') return;
      if (slot.state !== 'free') {
        const popup = bookingPopup(slot, this.data.date);
        if (popup) this.setData({ popup: { show: true, ...popup } });
        return;
      }
      if (!own.room.canBook) {
        const reason = this.data.cannotBook;
        if (reason) wx.showToast({ title: reason.text, icon: 'none' });
        return;
      }
      const outcome = selectSlot(own.slots, own.selection, index, own.room.maxMinutes);
      this.select(outcome.selection);
      if (outcome.toast) wx.showToast({ title: outcome.toast, icon: 'none' });
    },

    onPopupClose() {
      this.setData({ 'popup.show': false });
    },

    onClearSelection() {
      this.select(null);
    },

    onBook() {
      const own = state(this);
      const range = selectedRange(own.slots, own.selection);
      if (!own.room || !range) return;
      wx.navigateTo({ url: bookUrl(own.room.id, range.start, range.end, own.changing) });
    },

    onBind() {
      wx.switchTab({ url: ME_URL });
    },

    /** A code or link that leads nowhere: the rooms tab is the way on. */
    onRooms() {
      wx.switchTab({ url: ROOMS_TAB_URL });
    },
  },
});
