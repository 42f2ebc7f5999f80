import type { AppError, BookingView, Result, RoomDay } from '../../../typings';
import { FIELD_LIMITS } from '../../../typings/limits';
import { perInstance, SearchLoads, SEARCH_PAUSE_MS } from '../../common/latest';
import { definePage } from '../../common/page';
import { myDirectory, unitMembers } from '../../services/org';
import { book, changeBooking, getBooking, newBookingRequestId, roomDay } from '../../services/room';
import { currentAccount } from '../../services/session';
import { declinedThisSession, knownSubscriptions, loadSubscriptions, promptSubscribe } from '../../services/subscribe';
import {
  APPROVAL_NOTE,
  approversText,
  ATTENDEES_FULL,
  BLOCKING_CODES,
  bookingPromptIds,
  bookRequestOf,
  changeOf,
  checkBooking,
  checkInNote,
  CONFLICT_MESSAGE,
  checkInWindowOf,
  CONFLICT_HEAD,
  conflictLines,
  countText,
  dayText,
  emptyBookingForm,
  endAfterMove,
  endOptions,
  fieldOfBookingError,
  formOfBooking,
  hasBookingErrors,
  NO_BOOKING_ERRORS,
  OUTCOME_UNKNOWN,
  personResults,
  pickerUnits,
  REPEAT_LABELS,
  REPEAT_WEEKS,
  resultView,
  roomSummary,
  startOptions,
  timeLabel,
  clockRange,
  type BookingErrors,
  type BookingForm,
  type PersonChip,
  type PersonResult,
  type ResultView,
  type RoomSummary,
  type TimeOption,
} from '../../utils/booking-view';
import { errorText } from '../../utils/error-text';
import { eventText } from '../../utils/events';
import { businessNow, businessToday } from '../../utils/notice-compose-view';
import { queryText } from '../../utils/org-view';
import { addDays, BOOKINGS_URL, cannotBook, durationText, minutesBetween, roomUrl } from '../../utils/room-view';

type Status = 'loading' | 'ready' | 'missing' | 'error' | 'done';
type Mode = 'new' | 'change';

/** People one unit search shows: a name or number finds a person faster than scrolling. */
const PEOPLE_SHOWN = 50;

interface BookData {
  status: Status;
  errorText: string;
  mode: Mode;
  room: RoomSummary | null;
  dayText: string;
  timeText: string;
  durationText: string;
  startOptions: TimeOption[];
  startIndex: number;
  /** The chosen start and end as the pickers show them, even when taken since (a conflict). */
  startLabel: string;
  endLabel: string;
  endOptions: TimeOption[];
  endIndex: number;
  form: BookingForm;
  errors: BookingErrors;
  /** The bookings in the way of the last attempt, one line each. */
  conflicts: string[];
  conflictHead: string;
  subjectCount: string;
  attendees: PersonChip[];
  attendeesLimit: number;
  repeatLabels: readonly string[];
  weeksIndex: number;
  needsApproval: boolean;
  approvalNote: string;
  approvers: string;
  checkInText: string;
  /** Why this person cannot book this room: shown instead of the submit button. */
  blocked: string;
  busy: boolean;
  message: string;
  pickerShow: boolean;
  pickerUnits: { id: string; name: string }[];
  pickerUnitId: string;
  query: string;
  people: PersonResult[];
  peopleLoading: boolean;
  pickerNote: string;
  result: ResultView | null;
  limits: typeof FIELD_LIMITS;
}

interface State {
  alive: boolean;
  /**
   * The id of the booking attempt under way: kept while its outcome is unknown (no reply, a busy
   * or failing server) so a retry can never book twice; dropped once the server answered for
   * certain or the person changed the form (a new attempt).
   */
  requestId: string | null;
  roomId: string;
  bookingId: string;
  day: RoomDay | null;
  /** The booking being changed. */
  booking: BookingView | null;
  directoryLoaded: boolean;
  search: SearchLoads;
}

const state = perInstance<State>(() => ({ alive: true, requestId: null, roomId: '', bookingId: '', day: null, booking: null, directoryLoaded: false, search: new SearchLoads() }));

interface TapEvent {
  detail: unknown;
  currentTarget: { dataset: { id?: string } };
}

function selfMemberId(): string {
  return currentAccount()?.member?.id ?? '';
}

const indexOf = (options: readonly TimeOption[], value: string) => Math.max(0, options.findIndex((option) => option.value === value));

definePage({
  data: {
    status: 'loading',
    errorText: '',
    mode: 'new',
    room: null,
    dayText: '',
    timeText: '',
    durationText: '',
    startOptions: [],
    startIndex: 0,
    startLabel: '',
    endLabel: '',
    endOptions: [],
    endIndex: 0,
    form: emptyBookingForm(),
    errors: { ...NO_BOOKING_ERRORS },
    conflicts: [],
    conflictHead: CONFLICT_HEAD,
    subjectCount: countText('', FIELD_LIMITS.bookingSubject),
    attendees: [],
    attendeesLimit: FIELD_LIMITS.bookingAttendees,
    repeatLabels: REPEAT_LABELS,
    weeksIndex: REPEAT_WEEKS.indexOf(4),
    needsApproval: false,
    approvalNote: APPROVAL_NOTE,
    approvers: '',
    checkInText: '',
    blocked: '',
    busy: false,
    message: '',
    pickerShow: false,
    pickerUnits: [],
    pickerUnitId: '',
    query: '',
    people: [],
    peopleLoading: false,
    pickerNote: '',
    result: null,
    limits: FIELD_LIMITS,
  } as BookData,

  onLoad(query) {
    // The room function's templates and credits, ahead of the submit tap that may ask for more.
    loadSubscriptions('room');
    const bookingId = queryText(query.bookingId);
    const start = queryText(query.start);
    const end = queryText(query.end);
    if (bookingId) {
      state(this).bookingId = bookingId;
      this.setData({ mode: 'change' });
      wx.setNavigationBarTitle({ title: '修改预约' });
      // A new time chosen on the room's timeline, or the booking's own.
      this.loadBooking(bookingId, start && end ? { start, end } : null);
      return;
    }
    const roomId = queryText(query.roomId);
    if (!roomId || !start || !end) {
      this.setData({ status: 'missing', errorText: '请先在会议室页面选择时间' });
      return;
    }
    state(this).roomId = roomId;
    this.setData({ form: emptyBookingForm(start, end) });
    this.loadDay(roomId, start.slice(0, 10));
  },

  onUnload() {
    const own = state(this);
    own.alive = false;
    own.search.cancel();
  },

  methods: {
    loadBooking(bookingId: string, moveTo: { start: string; end: string } | null = null): Promise<void> {
      return getBooking(bookingId).then((result) => {
        if (!state(this).alive) return undefined;
        if (!result.ok) return this.showLoadFailure(result.error);
        const booking = result.data;
        if (!booking.can.change) {
          this.setData({ status: 'missing', errorText: '该预约当前不能修改（已开始、已结束或你不是预约人）' });
          return undefined;
        }
        const own = state(this);
        own.booking = booking;
        own.roomId = booking.roomId;
        this.setData({
          form: moveTo ? { ...formOfBooking(booking), ...moveTo } : formOfBooking(booking),
          subjectCount: countText(booking.subject, FIELD_LIMITS.bookingSubject),
          attendees: booking.attendees.map((person) => ({ id: person.id, name: person.name })),
          checkInText: booking.checkInRequired ? checkInNote(checkInWindowOf(booking)) : '',
        });
        return this.loadDay(booking.roomId, (moveTo?.start ?? booking.start).slice(0, 10));
      });
    },

    /**
     * Loads the day whose period holds the start. A period that crosses midnight belongs to the
     * day it opens, so a start before the date's own opening is the day before's.
     */
    loadDay(roomId: string, date: string): Promise<void> {
      const start = this.data.form.start;
      return roomDay(roomId, date).then((result): Promise<void> | undefined => {
        if (!state(this).alive) return undefined;
        if (!result.ok) {
          this.showLoadFailure(result.error);
          return undefined;
        }
        const day = result.data;
        if (day.period && start >= day.period.start) {
          this.showDay(day);
          return undefined;
        }
        return roomDay(roomId, addDays(date, -1)).then((before) => {
          if (!state(this).alive) return;
          const holds = before.ok && !!before.data.period && start >= before.data.period.start && start < before.data.period.end;
          // A start in neither day's period: the date's own day, and the server says which rule it breaks.
          this.showDay(holds && before.ok ? before.data : day);
        });
      });
    },

    showLoadFailure(error: AppError) {
      const missing = error.code === 'ROOM_NOT_FOUND' || error.code === 'BOOKING_NOT_FOUND';
      this.setData({ status: missing ? 'missing' : 'error', errorText: errorText(error) });
    },

    showDay(day: RoomDay) {
      const own = state(this);
      own.day = day;
      const room = day.room;
      const checkIn = this.data.mode === 'new' && room.checkInRequired ? checkInNote(room.checkInWindow) : this.data.checkInText;
      this.setData({
        status: 'ready',
        room: roomSummary(room),
        needsApproval: room.approval.required,
        approvers: approversText(room),
        checkInText: room.checkInRequired ? checkIn : '',
        blocked: cannotBook(room)?.text ?? '',
      });
      this.showTime(this.data.form.start, this.data.form.end);
    },

    /** Shows a time and the pickers' choices around it. */
    showTime(start: string, end: string) {
      const day = state(this).day;
      if (!day) return;
      const ownId = state(this).booking?.id ?? null;
      const starts = startOptions(day, ownId);
      const ends = endOptions(day, start, ownId);
      this.setData({
        'form.start': start,
        'form.end': end,
        dayText: dayText(start.slice(0, 10), businessToday()),
        timeText: clockRange(start, end),
        durationText: end > start ? `（${durationText(minutesBetween(start, end))}）` : '',
        startOptions: starts,
        startIndex: indexOf(starts, start),
        startLabel: timeLabel(start, day.date),
        endOptions: ends,
        endIndex: indexOf(ends, end),
        endLabel: end > start ? timeLabel(end, day.date) : '',
      });
    },

    /** The person changed the form: the next submit is a new attempt. */
    edited() {
      state(this).requestId = null;
    },

    onRetry() {
      this.setData({ status: 'loading' });
      const own = state(this);
      if (this.data.mode === 'change' && !own.booking) return this.loadBooking(own.bookingId);
      return this.loadDay(own.roomId, this.data.form.start.slice(0, 10));
    },

    // Time

    onStartChange(event: { detail: { value?: string | number } }) {
      const option = this.data.startOptions[Number(event.detail.value)];
      const day = state(this).day;
      if (!option || !day) return;
      const length = minutesBetween(this.data.form.start, this.data.form.end);
      const end = endAfterMove(endOptions(day, option.value, state(this).booking?.id ?? null), option.value, length);
      this.edited();
      this.setData({ 'errors.time': '', conflicts: [] });
      this.showTime(option.value, end);
    },

    onEndChange(event: { detail: { value?: string | number } }) {
      const option = this.data.endOptions[Number(event.detail.value)];
      if (!option) return;
      this.edited();
      this.setData({ 'errors.time': '', conflicts: [] });
      this.showTime(this.data.form.start, option.value);
    },

    /** Back to the room's timeline: the page it came from, or the room page opened in its place. */
    onPickAgain() {
      const pages = getCurrentPages();
      const previous = pages.length > 1 ? pages[pages.length - 2] : null;
      const changing = state(this).booking?.id ?? null;
      // The room page below serves when it picks for the same purpose (a new booking, or this change).
      if (previous?.route === 'pages/room/index' && (queryText(previous.options?.booking) || null) === changing) {
        wx.navigateBack({ delta: 1 });
        return;
      }
      // Changing a booking, the room page picks its new time (and brings it back here as a change).
      wx.redirectTo({ url: roomUrl(state(this).roomId, state(this).day?.date ?? this.data.form.start.slice(0, 10), state(this).booking?.id ?? null) });
    },

    // Subject and repetition

    onSubjectChange(event: { detail: unknown }) {
      const subject = eventText(event);
      this.edited();
      this.setData({ 'form.subject': subject, 'errors.subject': '', subjectCount: countText(subject, FIELD_LIMITS.bookingSubject) });
    },

    onRepeatChange(event: { detail: unknown }) {
      if (this.data.mode !== 'new') return;
      const repeat = event.detail === 'weekly';
      if (repeat === this.data.form.repeat) return;
      this.edited();
      this.setData({ 'form.repeat': repeat, 'errors.repeat': '', conflicts: [] });
    },

    onWeeksChange(event: { detail: { value?: string | number } }) {
      const weeks = REPEAT_WEEKS[Number(event.detail.value)];
      if (!weeks) return;
      this.edited();
      this.setData({ 'form.weeks': weeks, weeksIndex: REPEAT_WEEKS.indexOf(weeks), 'errors.repeat': '', conflicts: [] });
    },

    // Attendees

    onAddAttendees() {
      this.setData({ pickerShow: true });
      if (state(this).directoryLoaded) return Promise.resolve();
      this.setData({ peopleLoading: true, pickerNote: '' });
      return myDirectory().then((result) => {
        if (!state(this).alive) return undefined;
        if (!result.ok) {
          this.setData({ peopleLoading: false, pickerNote: errorText(result.error) });
          return undefined;
        }
        state(this).directoryLoaded = true;
        const units = pickerUnits(result.data);
        if (!units.length) {
          this.setData({ peopleLoading: false, pickerNote: '你还没有所属单位，暂时无法从花名册选择参会人' });
          return undefined;
        }
        this.setData({ pickerUnits: units, pickerUnitId: units[0].id });
        return this.loadPeople();
      });
    },

    onPickerClose() {
      this.setData({ pickerShow: false });
    },

    onPickUnit(event: TapEvent) {
      const id = event.currentTarget.dataset.id;
      if (!id || id === this.data.pickerUnitId) return undefined;
      this.setData({ pickerUnitId: id, people: [] });
      return this.loadPeople();
    },

    onQueryChange(event: { detail: unknown }) {
      this.setData({ query: eventText(event) });
      state(this).search.afterPause(() => this.loadPeople(), SEARCH_PAUSE_MS);
    },

    onSearch(event: { detail: unknown }) {
      state(this).search.clearPause();
      this.setData({ query: eventText(event) });
      return this.loadPeople();
    },

    onSearchClear() {
      state(this).search.clearPause();
      this.setData({ query: '' });
      return this.loadPeople();
    },

    /** The chosen unit's members matching the query; a newer search supersedes one in flight. */
    loadPeople(): Promise<void> {
      const unitId = this.data.pickerUnitId;
      if (!unitId) return Promise.resolve();
      const loads = state(this).search;
      const ticket = loads.begin(true);
      if (ticket === null) return Promise.resolve();
      const query = this.data.query.trim();
      this.setData({ peopleLoading: true, pickerNote: '' });
      return unitMembers(unitId, query).then((result) => {
        if (!loads.settle(ticket) || !state(this).alive) return;
        if (!result.ok) {
          this.setData({ peopleLoading: false, people: [], pickerNote: errorText(result.error) });
          return;
        }
        const people = personResults(result.data.items, this.data.attendees, selfMemberId()).slice(0, PEOPLE_SHOWN);
        const more = result.data.next !== null || result.data.items.length > PEOPLE_SHOWN;
        this.setData({
          peopleLoading: false,
          people,
          pickerNote: !people.length ? (query ? '没有找到该成员' : '该单位暂无其他成员') : more ? `仅显示前 ${people.length} 人，搜索姓名或学号/工号可更快找到` : '',
        });
      });
    },

    onTogglePerson(event: TapEvent) {
      const id = event.currentTarget.dataset.id;
      const index = this.data.people.findIndex((person) => person.id === id);
      if (index < 0) return;
      const person = this.data.people[index];
      this.edited();
      if (person.chosen) {
        this.setData({ [`people[${index}].chosen`]: false, attendees: this.data.attendees.filter((chip) => chip.id !== person.id), 'errors.attendees': '' });
        return;
      }
      if (this.data.attendees.length >= FIELD_LIMITS.bookingAttendees) {
        this.setData({ 'errors.attendees': ATTENDEES_FULL, pickerNote: ATTENDEES_FULL });
        return;
      }
      this.setData({ [`people[${index}].chosen`]: true, attendees: [...this.data.attendees, { id: person.id, name: person.name }], 'errors.attendees': '' });
    },

    onRemoveAttendee(event: TapEvent) {
      const id = event.currentTarget.dataset.id;
      if (!id) return;
      this.edited();
      const index = this.data.people.findIndex((person) => person.id === id);
      if (index >= 0) this.setData({ [`people[${index}].chosen`]: false });
      this.setData({ attendees: this.data.attendees.filter((chip) => chip.id !== id), 'errors.attendees': '' });
    },

    // Submitting

    /**
     * Sends the booking. The popup for booking reminders and results is asked for here, inside
     * the tap as WeChat requires, and never waited for: the booking goes out at once.
     */
    onSubmit() {
      const own = state(this);
      if (this.data.busy || this.data.blocked || !own.day) return undefined;
      const { form, attendees, mode } = this.data;
      const errors = checkBooking(form, attendees.length, businessNow());
      this.setData({ errors, message: '', conflicts: [] });
      if (hasBookingErrors(errors)) {
        this.setData({ message: '请先修改标红的内容' });
        return undefined;
      }
      if (!declinedThisSession('room')) promptSubscribe(bookingPromptIds(knownSubscriptions('room')), 'room');
      this.setData({ busy: true });
      let call: Promise<Result<BookingView[]>>;
      if (mode === 'change' && own.booking) {
        call = changeBooking(own.booking, changeOf(form, attendees)).then((result) => (result.ok ? { ok: true, data: [result.data] } : result));
      } else {
        if (!own.requestId) own.requestId = newBookingRequestId();
        call = book(bookRequestOf(own.requestId, own.roomId, form, attendees)).then((result) => (result.ok ? { ok: true, data: result.data.bookings } : result));
      }
      return call.then((result) => {
        if (!own.alive) return undefined;
        this.setData({ busy: false });
        if (!result.ok) {
          if (!OUTCOME_UNKNOWN.has(result.error.code)) own.requestId = null;
          return this.showFailure(result.error);
        }
        own.requestId = null;
        this.setData({ status: 'done', result: resultView(result.data, mode, businessToday()) });
        wx.setNavigationBarTitle({ title: mode === 'change' ? '修改预约' : '预约结果' });
        return undefined;
      });
    },

    showFailure(error: AppError): Promise<void> | undefined {
      if (BLOCKING_CODES.has(error.code)) {
        this.setData({ blocked: errorText(error) });
        return undefined;
      }
      if (error.code === 'BOOKING_STALE' || error.code === 'BOOKING_STATE') {
        this.setData({ message: errorText(error) });
        const booking = state(this).booking;
        return booking ? this.loadBooking(booking.id) : undefined;
      }
      if (error.code === 'BOOKING_CONFLICT' && error.conflicts?.length) {
        this.setData({ conflicts: conflictLines(error.conflicts), message: CONFLICT_MESSAGE });
        return undefined;
      }
      const field = fieldOfBookingError(error);
      if (field) this.setData({ [`errors.${field}`]: errorText(error), message: '请先修改标红的内容' });
      else this.setData({ message: errorText(error) });
      return undefined;
    },

    /** 我的预约: back to it when it is open below (a change started there), else opened here. */
    onMine() {
      const pages = getCurrentPages();
      const below = pages.map((page) => page.route).lastIndexOf('pages/bookings/index');
      if (below >= 0 && below < pages.length - 1) wx.navigateBack({ delta: pages.length - 1 - below });
      else wx.redirectTo({ url: BOOKINGS_URL });
    },

    onBack() {
      wx.navigateBack({ delta: 1 });
    },
  },
});
