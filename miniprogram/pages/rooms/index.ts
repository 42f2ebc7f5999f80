import type { AccountView, AppError, Equipment, RoomCard } from '../../../typings';
import { accountPageHooks } from '../../common/account-page';
import { LatestOnly, perInstance } from '../../common/latest';
import { definePage } from '../../common/page';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, showWindow, windowRequest, type ListRequest, type ListWindow, type WindowStart } from '../../common/paged-list';
import { approvals, freeRooms, listRooms } from '../../services/room';
import { ensureSession } from '../../services/session';
import { isAdmin } from '../../utils/account-view';
import { errorText } from '../../utils/error-text';
import { businessTime } from '../../utils/notice-view';
import {
  addDays,
  APPROVALS_URL,
  bookUrl,
  BOOKINGS_URL,
  capacityChips,
  dateStrip,
  equipmentChips,
  LIST_DAYS,
  ROOM_ADMIN_URL,
  roomCardRow,
  roomFilters,
  roomUrl,
  ROOMS_CAP,
  searchDefaults,
  searchProblem,
  toggleEquipment,
  type DateChip,
  type FilterChip,
  type RoomCardRow,
} from '../../utils/room-view';

type Status = 'loading' | 'ready' | 'error';
/** All rooms of a day, or those free for a range of it. */
type Mode = 'day' | 'free';

interface RoomsData {
  status: Status;
  errorText: string;
  mode: Mode;
  today: string;
  dates: DateChip[];
  date: string;
  minCapacity: number;
  equipment: Equipment[];
  capacityChips: FilterChip[];
  equipmentChips: FilterChip[];
  /** The day's rooms, or the search's results in the free mode. */
  rows: RoomCardRow[];
  next: string | null;
  window: ListWindow;
  listLoading: boolean;
  loadingMore: boolean;
  emptyText: string;
  /** The free search's range on `date`, `HH:mm`. */
  startTime: string;
  endTime: string;
  /** A search has run for the range and filters shown. */
  searched: boolean;
  isAdmin: boolean;
  /** Bookings waiting for the person's decision: 预约审批 shows only for those who have some. */
  approvalCount: number;
  /** More wait beyond the first page: the count reads `20+`. */
  approvalMore: boolean;
}

interface RoomsState {
  /** The person went to a room or the form: back on the tab, free times may have changed. */
  left: boolean;
  loaded: boolean;
}

const loads = perInstance(() => new LatestOnly());
const state = perInstance<RoomsState>(() => ({ left: false, loaded: false }));

function nowText(): string {
  return businessTime(Date.now());
}

definePage({
  data: {
    status: 'loading',
    errorText: '',
    mode: 'day',
    today: '',
    dates: [],
    date: '',
    minCapacity: 0,
    equipment: [],
    capacityChips: capacityChips(0),
    equipmentChips: equipmentChips([]),
    rows: [],
    next: null,
    window: emptyWindow(ROOMS_CAP),
    listLoading: false,
    loadingMore: false,
    emptyText: '',
    startTime: '',
    endTime: '',
    searched: false,
    isAdmin: false,
    approvalCount: 0,
    approvalMore: false,
  } as RoomsData,

  onLoad() {
    this.setToday();
    accountPageHooks.onLoad.call(this);
  },

  onShow() {
    accountPageHooks.onShow.call(this);
    if (this.data.status !== 'ready') return;
    const own = state(this);
    const dayTurned = nowText().slice(0, 10) !== this.data.today;
    if (dayTurned) this.setToday();
    this.refreshApprovals();
    if (own.left || dayTurned) {
      own.left = false;
      this.reload();
    }
  },

  onUnload() {
    accountPageHooks.onUnload.call(this);
    loads(this).cancel();
  },

  onReachBottom() {
    if (this.data.status === 'ready' && this.data.mode === 'day' && this.data.next) this.loadList(false);
  },

  onPullDownRefresh() {
    const done = this.data.status === 'ready' ? Promise.all([this.reload(), this.refreshApprovals()]) : this.load();
    done.then(() => wx.stopPullDownRefresh());
  },

  methods: {
    /** The strip from today; a chosen day that fell off it (the day turned) becomes today. */
    setToday() {
      const now = nowText();
      const today = now.slice(0, 10);
      const date = this.data.date && this.data.date >= today ? this.data.date : today;
      const times = searchDefaults(date, today, now.slice(11, 16));
      this.setData({
        today,
        date,
        dates: dateStrip(today, addDays(today, LIST_DAYS - 1)),
        ...(this.data.startTime ? {} : { startTime: times.start, endTime: times.end }),
      });
    },

    load(): Promise<void> {
      state(this).loaded = false;
      this.setData({ status: 'loading', errorText: '' });
      return ensureSession().then((result) => {
        if (result.ok) return this.showAccount(result.data);
        this.setData({ status: 'error', errorText: errorText(result.error) });
        return undefined;
      });
    },

    showAccount(account: AccountView): Promise<void> {
      this.setData({ isAdmin: isAdmin(account) });
      // Signing in answers twice (the session's listener and the load itself): one list serves both.
      const own = state(this);
      if (own.loaded) return Promise.resolve();
      own.loaded = true;
      this.refreshApprovals();
      return this.loadList(true);
    },

    /** The list shown again from its start: the day's rooms, or the search run again. */
    reload(): Promise<void> {
      if (this.data.mode === 'day') return this.loadList(true);
      return this.data.searched ? this.search() : Promise.resolve();
    },

    refreshApprovals(): Promise<void> {
      return approvals().then((result) => {
        // Not being an approver is the usual answer; a failure just leaves the entry as it was.
        if (result.ok) this.setData({ approvalCount: result.data.items.length, approvalMore: result.data.next !== null });
      });
    },

    loadList(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const ticket = loads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      const { date, minCapacity, equipment } = this.data;
      const request = reset ? windowRequest(start) : nextRequest(this.data.next, this.data.window);
      this.setData(reset ? { listLoading: true, loadingMore: false } : { loadingMore: true });
      return listRooms(date, roomFilters(minCapacity, equipment), request.after).then((result) => {
        if (!loads(this).settle(ticket)) return;
        if (result.ok) this.showRooms(result.data.items, result.data.next, request, reset);
        else this.showFailure(result.error);
      });
    },

    showRooms(items: RoomCard[], next: string | null, request: ListRequest, reset: boolean) {
      const isToday = this.data.date === this.data.today;
      const incoming = items.map((card) => roomCardRow(card, isToday));
      const list = listPage('rows', reset ? null : this.data.rows, incoming, next, request, { cap: ROOMS_CAP });
      const filtered = this.data.minCapacity > 0 || this.data.equipment.length > 0;
      this.setData({
        status: 'ready',
        ...(list.rows ? { rows: list.rows } : list.patch),
        next: list.next,
        window: list.window,
        listLoading: false,
        loadingMore: false,
        emptyText: filtered ? '没有符合条件的会议室，试试放宽筛选' : '还没有可预约的会议室',
      });
    },

    showFailure(error: AppError) {
      if (this.data.status === 'ready') {
        this.setData({ listLoading: false, loadingMore: false });
        wx.showToast({ title: errorText(error), icon: 'none' });
        return;
      }
      this.setData({ status: 'error', errorText: errorText(error), listLoading: false, loadingMore: false });
    },

    /** Rooms free for the range chosen, best fit first; one list, no pages. */
    search(): Promise<void> {
      const { date, startTime, endTime, minCapacity, equipment } = this.data;
      const problem = searchProblem(date, startTime, endTime, nowText());
      if (problem) {
        wx.showToast({ title: problem, icon: 'none' });
        return Promise.resolve();
      }
      const ticket = loads(this).begin(true);
      if (ticket === null) return Promise.resolve();
      this.setData({ listLoading: true, searched: true });
      return freeRooms(`${date} ${startTime}`, `${date} ${endTime}`, roomFilters(minCapacity, equipment)).then((result) => {
        if (!loads(this).settle(ticket)) return;
        if (!result.ok) {
          this.setData({ listLoading: false });
          wx.showToast({ title: errorText(result.error), icon: 'none' });
          return;
        }
        const isToday = date === this.data.today;
        this.setData({
          rows: result.data.items.map((card) => roomCardRow(card, isToday)),
          next: null,
          window: emptyWindow(ROOMS_CAP),
          listLoading: false,
          emptyText: `${startTime}–${endTime} 没有空闲的会议室，换个时间试试`,
        });
      });
    },

    /** A new date or filter: the list (or the search already run) follows it. */
    refilter(): Promise<void> {
      if (this.data.mode === 'day') return this.loadList(true);
      if (!this.data.searched) return Promise.resolve();
      return this.search();
    },

    onRetry() {
      this.load();
    },

    onDateTap(event: { currentTarget: { dataset: { date?: string } } }) {
      const date = event.currentTarget.dataset.date;
      if (!date || date === this.data.date) return undefined;
      this.setData({ date });
      return this.refilter();
    },

    onCapacityTap(event: { currentTarget: { dataset: { value?: number } } }) {
      const minCapacity = Number(event.currentTarget.dataset.value ?? 0);
      if (minCapacity === this.data.minCapacity) return undefined;
      this.setData({ minCapacity, capacityChips: capacityChips(minCapacity) });
      return this.refilter();
    },

    onEquipmentTap(event: { currentTarget: { dataset: { value?: string } } }) {
      const equipment = toggleEquipment(this.data.equipment, event.currentTarget.dataset.value ?? '');
      this.setData({ equipment, equipmentChips: equipmentChips(equipment) });
      return this.refilter();
    },

    onModeChange(event: { detail: { name: string } }) {
      const mode: Mode = event.detail.name === 'free' ? 'free' : 'day';
      if (mode === this.data.mode) return undefined;
      loads(this).cancel();
      this.setData({ mode, rows: [], next: null, window: emptyWindow(ROOMS_CAP), searched: false, listLoading: false, loadingMore: false });
      return mode === 'day' ? this.loadList(true) : undefined;
    },

    /** Rooms found for another range must not open the form with the new one: they go until searched again. */
    onStartChange(event: { detail: { value: string } }) {
      this.setData({ startTime: event.detail.value, searched: false, rows: [] });
    },

    onEndChange(event: { detail: { value: string } }) {
      this.setData({ endTime: event.detail.value, searched: false, rows: [] });
    },

    onSearch() {
      return this.search();
    },

    onCardTap(event: { currentTarget: { dataset: { id?: string } } }) {
      const id = event.currentTarget.dataset.id;
      if (!id) return;
      const { mode, date, startTime, endTime } = this.data;
      state(this).left = true;
      // A room found free for the range opens the form for it; otherwise the room's day.
      wx.navigateTo({ url: mode === 'free' ? bookUrl(id, `${date} ${startTime}`, `${date} ${endTime}`) : roomUrl(id, date) });
    },

    onOnward() {
      return showWindow(this.data.window.onward, (start) => this.loadList(true, start));
    },

    onRestart() {
      return showWindow(FIRST_WINDOW, (start) => this.loadList(true, start));
    },

    onBookings() {
      state(this).left = true;
      wx.navigateTo({ url: BOOKINGS_URL });
    },

    onApprovals() {
      state(this).left = true;
      wx.navigateTo({ url: APPROVALS_URL });
    },

    onRoomAdmin() {
      state(this).left = true;
      wx.navigateTo({ url: ROOM_ADMIN_URL });
    },
  },
});
