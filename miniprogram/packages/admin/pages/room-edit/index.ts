import type { AppError, Equipment, Result, RoomView, SlotMinutes, UnitView } from '../../../../../typings';
import { FIELD_LIMITS } from '../../../../../typings/limits';
import { perInstance, SearchLoads } from '../../../../common/latest';
import { definePage, type PageContext, stopDialogLoading } from '../../../../common/page';
import { rosterPickerMethods, type RosterPicker } from '../../../../common/roster-picker';
import { displayUrl, uploadRoomPhoto } from '../../../../services/files';
import { roomDay, saveRoom, setRoomService } from '../../../../services/room';
import { ensureSession } from '../../../../services/session';
import { errorText } from '../../../../utils/error-text';
import { eventText } from '../../../../utils/events';
import { businessToday } from '../../../../utils/notice-compose-view';
import { queryText, type PersonResult } from '../../../../utils/org-view';
import {
  addClosedDate,
  checkReason,
  checkRoomForm,
  checkInHint,
  closeLabel,
  closeOptions,
  emptyRoomForm,
  EQUIPMENT_OPTIONS,
  fieldOfRoomError,
  fitMaxMinutes,
  hasRoomErrors,
  maxMinutesOptions,
  NO_ROOM_ERRORS,
  openOptions,
  outOfServiceDone,
  outOfServiceQuestion,
  roomFormOf,
  roomInputOf,
  SLOT_OPTIONS,
  WEEKDAY_OPTIONS,
  type CheckOption,
  type Chip,
  type MinutesOption,
  type RoomErrors,
  type RoomForm,
  type TimeOption,
} from '../../../../utils/room-admin-view';

type Status = 'loading' | 'ready' | 'missing' | 'error';
type PhotoState = '' | 'uploading' | 'failed';

/** A roster search result, marked when already an approver. */

interface EditData {
  status: Status;
  errorText: string;
  mode: 'create' | 'edit';
  roomId: string;
  /** The room as last read; its `rev` goes with every save. */
  room: RoomView | null;
  form: RoomForm;
  errors: RoomErrors;
  equipmentOptions: readonly CheckOption[];
  weekdayOptions: readonly CheckOption[];
  /** The open weekdays as the checkbox group names them (strings). */
  weekdayKeys: string[];
  openOptions: TimeOption[];
  openIndex: number;
  closeOptions: TimeOption[];
  closeIndex: number;
  /** `22:00` or `次日 02:00`. */
  closeText: string;
  slotOptions: readonly MinutesOption[];
  slotIndex: number;
  maxOptions: MinutesOption[];
  maxIndex: number;
  /** What the photo box shows: a temporary link of the saved photo, or the new upload. */
  photoUrl: string;
  photoState: PhotoState;
  photoProgress: number;
  today: string;
  checkInHint: string;
  pickerShow: boolean;
  selectedUnits: Record<string, boolean>;
  query: string;
  results: PersonResult[];
  searching: boolean;
  searchNote: string;
  saving: boolean;
  acting: boolean;
  message: string;
  messageType: 'error' | 'success';
  serviceShow: boolean;
  serviceQuestion: string;
  serviceReason: string;
  serviceError: string;
  limits: typeof FIELD_LIMITS;
}

interface State {
  alive: boolean;
  search: SearchLoads;
  /** Counts photo uploads: only the latest one's outcome lands on the form. */
  photoTicket: number;
  photoTemp: string;
}

const state = perInstance<State>(() => ({ alive: true, search: new SearchLoads(), photoTicket: 0, photoTemp: '' }));

/** Approvers chosen from the roster, at most FIELD_LIMITS.roomApprovers. */
const picker: RosterPicker = {
  loads: (page) => state(page).search,
  alive: (page) => state(page).alive,
  chosenIds: (page) => (page as PageContext<EditData>).data.form.approvers.map((person) => person.id),
  add(page, person) {
    const host = page as PageContext<EditData>;
    const approvers = host.data.form.approvers;
    if (approvers.length >= FIELD_LIMITS.roomApprovers) {
      host.setData({ 'errors.approvers': `审批人最多 ${FIELD_LIMITS.roomApprovers} 人` });
      return false;
    }
    host.setData({ 'form.approvers': [...approvers, { id: person.id, name: person.name }], 'errors.approvers': '' });
    return true;
  },
  remove(page, id) {
    const host = page as PageContext<EditData>;
    host.setData({ 'form.approvers': host.data.form.approvers.filter((person) => person.id !== id), 'errors.approvers': '' });
  },
};

interface TapEvent {
  detail: unknown;
  currentTarget: { dataset: { field?: string; id?: string; date?: string } };
}

const TEXT_FIELDS = ['name', 'building', 'floor', 'notes'] as const;
type TextField = (typeof TEXT_FIELDS)[number];

/** The pickers' lists and positions for a form: times on its slot, the longest booking in its multiples. */
function pickersOf(form: RoomForm) {
  const opens = openOptions(form.slotMinutes);
  const closes = closeOptions(form.open, form.slotMinutes);
  const maxes = maxMinutesOptions(form.slotMinutes);
  return {
    openOptions: opens,
    openIndex: opens.findIndex((option) => option.value === form.open),
    closeOptions: closes,
    closeIndex: closes.findIndex((option) => option.value === form.close),
    closeText: closeLabel(form.open, form.close),
    slotIndex: SLOT_OPTIONS.findIndex((option) => option.value === form.slotMinutes),
    maxOptions: maxes,
    maxIndex: maxes.findIndex((option) => option.value === form.maxMinutes),
  };
}

function chooseImage(): Promise<string | null> {
  return new Promise((resolve) => {
    wx.chooseMedia({
      count: 1,
      mediaType: ['image'],
      sourceType: ['album', 'camera'],
      sizeType: ['compressed'],
      success: (res) => resolve(res.tempFiles?.[0]?.tempFilePath ?? null),
      // Cancelling the chooser is not an error.
      fail: () => resolve(null),
    });
  });
}

const initialForm = emptyRoomForm();

definePage({
  data: {
    status: 'loading',
    errorText: '',
    mode: 'create',
    roomId: '',
    room: null,
    form: initialForm,
    errors: { ...NO_ROOM_ERRORS },
    equipmentOptions: EQUIPMENT_OPTIONS,
    weekdayOptions: WEEKDAY_OPTIONS,
    weekdayKeys: initialForm.openWeekdays.map(String),
    ...pickersOf(initialForm),
    slotOptions: SLOT_OPTIONS,
    photoUrl: '',
    photoState: '',
    photoProgress: 0,
    today: businessToday(),
    checkInHint: checkInHint(null),
    pickerShow: false,
    selectedUnits: {},
    query: '',
    results: [],
    searching: false,
    searchNote: '',
    saving: false,
    acting: false,
    message: '',
    messageType: 'error',
    serviceShow: false,
    serviceQuestion: '',
    serviceReason: '',
    serviceError: '',
    limits: FIELD_LIMITS,
  } as EditData,

  onLoad(query) {
    const roomId = queryText(query.id);
    if (!roomId) {
      wx.setNavigationBarTitle({ title: '新建会议室' });
      this.setData({ status: 'ready' });
      return;
    }
    wx.setNavigationBarTitle({ title: '编辑会议室' });
    this.setData({ mode: 'edit', roomId });
    this.load();
  },

  onUnload() {
    const own = state(this);
    own.alive = false;
    own.search.cancel();
  },

  methods: {
    load(): Promise<void> {
      return roomDay(this.data.roomId, businessToday()).then((result) => {
        if (!state(this).alive) return;
        if (result.ok) {
          this.showRoom(result.data.room, true);
        } else if (result.error.code === 'ROOM_NOT_FOUND') {
          this.setData({ status: 'missing', errorText: errorText(result.error) });
        } else {
          this.setData({ status: 'error', errorText: errorText(result.error) });
        }
      });
    },

    /** Shows a room the backend returned; `withForm` also resets the form to it (otherwise edits stay). */
    showRoom(room: RoomView, withForm: boolean) {
      this.setData({ status: 'ready', mode: 'edit', roomId: room.id, room, checkInHint: checkInHint(room) });
      if (withForm) {
        state(this).photoTicket += 1;
        this.setForm(roomFormOf(room));
        this.setData({ errors: { ...NO_ROOM_ERRORS }, photoUrl: room.photoUrl ?? '', photoState: '', photoProgress: 0 });
      }
    },

    /** Replaces the whole form, with everything drawn from it. */
    setForm(form: RoomForm) {
      this.setData({
        form,
        weekdayKeys: form.openWeekdays.map(String),
        selectedUnits: Object.fromEntries(form.units.map((unit) => [unit.id, true])),
        ...pickersOf(form),
      });
    },

    showMessage(text: string, type: 'error' | 'success' = 'error') {
      this.setData({ message: text, messageType: type });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      return this.load();
    },

    // Text fields, capacity, equipment

    onFieldChange(event: TapEvent) {
      const field = event.currentTarget.dataset.field as TextField | undefined;
      if (!field || !TEXT_FIELDS.includes(field)) return;
      this.setData({ [`form.${field}`]: eventText(event), [`errors.${field}`]: '' });
    },

    onCapacityChange(event: { detail: unknown }) {
      const capacity = Number(event.detail);
      if (Number.isFinite(capacity)) this.setData({ 'form.capacity': capacity, 'errors.capacity': '' });
    },

    onAdvanceChange(event: { detail: unknown }) {
      const days = Number(event.detail);
      if (Number.isFinite(days)) this.setData({ 'form.advanceDays': days, 'errors.advanceDays': '' });
    },

    onEquipmentChange(event: { detail: unknown }) {
      const keys = Array.isArray(event.detail) ? (event.detail as string[]) : [];
      const equipment = EQUIPMENT_OPTIONS.map((option) => option.key as Equipment).filter((key) => keys.includes(key));
      this.setData({ 'form.equipment': equipment, 'errors.equipment': '' });
    },

    // Photo

    onChoosePhoto() {
      if (this.data.photoState === 'uploading') return undefined;
      return chooseImage().then((path) => {
        if (!path || !state(this).alive) return undefined;
        state(this).photoTemp = path;
        return this.uploadPhoto();
      });
    },

    uploadPhoto(): Promise<void> {
      const own = state(this);
      own.photoTicket += 1;
      const ticket = own.photoTicket;
      const path = own.photoTemp;
      this.setData({ photoState: 'uploading', photoProgress: 0, 'errors.photo': '' });
      const current = () => own.alive && own.photoTicket === ticket;
      return ensureSession()
        .then((session): Promise<Result<string>> | Result<string> => {
          if (!session.ok) return { ok: false, error: session.error };
          return uploadRoomPhoto(session.data.id, path, (percent) => {
            if (current()) this.setData({ photoProgress: percent });
          });
        })
        .then((result) => {
          if (!current()) return;
          if (!result.ok) {
            this.setData({ photoState: 'failed', photoProgress: 0 });
            return;
          }
          this.setData({ 'form.photoFileId': result.data, photoUrl: displayUrl(result.data) ?? path, photoState: '', photoProgress: 100 });
        });
    },

    onRetryPhoto() {
      return this.data.photoState === 'failed' && state(this).photoTemp ? this.uploadPhoto() : undefined;
    },

    onRemovePhoto() {
      state(this).photoTicket += 1;
      this.setData({ 'form.photoFileId': null, photoUrl: '', photoState: '', photoProgress: 0, 'errors.photo': '' });
    },

    onPreviewPhoto() {
      const url = this.data.photoUrl;
      if (url) wx.previewImage({ urls: [url], current: url });
    },

    // Hours and slots

    onOpenChange(event: { detail: unknown }) {
      const option = this.data.openOptions[Number((event.detail as { value?: unknown })?.value)];
      if (!option) return;
      this.setForm({ ...this.data.form, open: option.value });
      this.setData({ 'errors.hours': '' });
    },

    onCloseChange(event: { detail: unknown }) {
      const option = this.data.closeOptions[Number((event.detail as { value?: unknown })?.value)];
      if (!option) return;
      this.setForm({ ...this.data.form, close: option.value });
      this.setData({ 'errors.hours': '' });
    },

    onSlotChange(event: { detail: unknown }) {
      const option = SLOT_OPTIONS[Number((event.detail as { value?: unknown })?.value)];
      if (!option) return;
      const slotMinutes = option.value as SlotMinutes;
      // The longest booking follows the slot; hours off the new slot are flagged on saving, never moved silently.
      this.setForm({ ...this.data.form, slotMinutes, maxMinutes: fitMaxMinutes(this.data.form.maxMinutes, slotMinutes) });
      this.setData({ 'errors.slotMinutes': '', 'errors.maxMinutes': '' });
    },

    onMaxChange(event: { detail: unknown }) {
      const option = this.data.maxOptions[Number((event.detail as { value?: unknown })?.value)];
      if (option) this.setData({ 'form.maxMinutes': option.value, maxIndex: Number((event.detail as { value?: unknown }).value), 'errors.maxMinutes': '' });
    },

    onWeekdaysChange(event: { detail: unknown }) {
      const keys = Array.isArray(event.detail) ? (event.detail as string[]) : [];
      const days = [1, 2, 3, 4, 5, 6, 7].filter((day) => keys.includes(String(day)));
      this.setData({ 'form.openWeekdays': days, weekdayKeys: days.map(String), 'errors.openWeekdays': '' });
    },

    onAddClosedDate(event: { detail: unknown }) {
      const date = eventText(event);
      if (!date) return;
      const dates = this.data.form.closedDates;
      if (!dates.includes(date) && dates.length >= FIELD_LIMITS.roomClosedDates) {
        this.setData({ 'errors.closedDates': `不开放的日期最多 ${FIELD_LIMITS.roomClosedDates} 个，可先移除已过去的日期` });
        return;
      }
      this.setData({ 'form.closedDates': addClosedDate(dates, date), 'errors.closedDates': '' });
    },

    onRemoveClosedDate(event: TapEvent) {
      const date = event.currentTarget.dataset.date;
      if (date) this.setData({ 'form.closedDates': this.data.form.closedDates.filter((day) => day !== date), 'errors.closedDates': '' });
    },

    // Who may book

    onToggleEveryone() {
      this.setData({ 'form.everyone': !this.data.form.everyone, 'errors.units': '' });
    },

    onAddUnits() {
      this.setData({ pickerShow: true });
    },

    onPickerClose() {
      this.setData({ pickerShow: false });
    },

    onPickUnit(event: { detail: { unit?: UnitView; selected?: boolean } }) {
      const unit = event.detail?.unit;
      if (!unit) return;
      const units = this.data.form.units;
      const chosen = units.some((chip) => chip.id === unit.id);
      if (event.detail.selected === false) {
        if (chosen) this.setUnits(units.filter((chip) => chip.id !== unit.id));
        return;
      }
      if (chosen) return;
      if (units.length >= FIELD_LIMITS.roomUnits) {
        this.setData({ 'errors.units': `最多选择 ${FIELD_LIMITS.roomUnits} 个单位` });
        return;
      }
      this.setUnits([...units, { id: unit.id, name: unit.name }]);
    },

    onRemoveUnit(event: TapEvent) {
      const id = event.currentTarget.dataset.id;
      if (id) this.setUnits(this.data.form.units.filter((chip) => chip.id !== id));
    },

    setUnits(units: Chip[]) {
      this.setData({ 'form.units': units, selectedUnits: Object.fromEntries(units.map((unit) => [unit.id, true])), 'errors.units': '' });
    },

    // Approval and check-in

    onToggleApproval() {
      this.setData({ 'form.approvalRequired': !this.data.form.approvalRequired, 'errors.approvers': '' });
    },

    onToggleCheckIn() {
      this.setData({ 'form.checkInRequired': !this.data.form.checkInRequired });
    },

    ...rosterPickerMethods(picker),

    // Saving

    onSave() {
      if (this.data.saving) return undefined;
      if (this.data.photoState === 'uploading') {
        this.showMessage('照片还在上传，请稍候再保存');
        return undefined;
      }
      const errors = checkRoomForm(this.data.form);
      if (this.data.photoState === 'failed') errors.photo = '照片上传失败，请重试或移除';
      if (hasRoomErrors(errors)) {
        this.setData({ errors });
        this.showMessage('请先修改标红的内容');
        return undefined;
      }
      const room = this.data.room;
      const creating = this.data.mode === 'create' || !room;
      this.setData({ saving: true, message: '', errors: { ...NO_ROOM_ERRORS } });
      return saveRoom(roomInputOf(this.data.form), room ? { roomId: room.id, rev: room.rev } : null).then((result) => {
        if (!state(this).alive) return undefined;
        this.setData({ saving: false });
        if (!result.ok) return this.showSaveFailure(result.error);
        this.showRoom(result.data, true);
        if (creating) wx.setNavigationBarTitle({ title: '编辑会议室' });
        wx.showToast({ title: creating ? '已新建' : '已保存', icon: 'success' });
        return undefined;
      });
    },

    showSaveFailure(error: AppError) {
      if (error.code === 'ROOM_STALE') {
        this.showMessage(errorText(error));
        return this.load();
      }
      const field = fieldOfRoomError(error);
      if (field) {
        this.setData({ [`errors.${field}`]: errorText(error) });
        this.showMessage('请先修改标红的内容');
      } else {
        this.showMessage(errorText(error));
      }
      return undefined;
    },

    // Service

    onServiceTap() {
      const room = this.data.room;
      if (!room || this.data.acting) return undefined;
      if (!room.inService) return this.changeService(true, '');
      this.setData({ serviceShow: true, serviceQuestion: outOfServiceQuestion(room.name), serviceReason: '', serviceError: '', message: '' });
      return undefined;
    },

    onServiceReasonChange(event: TapEvent) {
      this.setData({ serviceReason: eventText(event), serviceError: '' });
    },

    onServiceCancel() {
      this.setData({ serviceShow: false });
    },

    onServiceConfirm() {
      const problem = checkReason(this.data.serviceReason, '暂停原因');
      if (problem) {
        this.setData({ serviceError: problem });
        stopDialogLoading(this, '.service-dialog');
        return undefined;
      }
      return this.changeService(false, this.data.serviceReason.trim());
    },

    changeService(inService: boolean, reason: string): Promise<void> {
      const room = this.data.room;
      if (!room) return Promise.resolve();
      this.setData({ acting: true, message: '' });
      return setRoomService(room.id, inService, reason || undefined).then((result) => {
        if (!state(this).alive) return;
        this.setData({ acting: false });
        if (!result.ok) {
          if (this.data.serviceShow) {
            this.setData({ serviceError: errorText(result.error) });
            stopDialogLoading(this, '.service-dialog');
          } else {
            this.showMessage(errorText(result.error));
          }
          return;
        }
        // The room's new rev goes with the next save; edits not yet saved stay in the form.
        this.setData({ serviceShow: false });
        this.showRoom(result.data.room, false);
        this.showMessage(inService ? '已恢复使用，可以预约了' : outOfServiceDone(result.data.cancelled), 'success');
      });
    },

  },
});
