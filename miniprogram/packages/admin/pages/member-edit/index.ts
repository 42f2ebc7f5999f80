import type { AppError, MemberDetail, UnitView } from '../../../../../typings';
import { FIELD_LIMITS } from '../../../../../typings/limits';
import { definePage } from '../../../../common/page';
import {
  createMember,
  deactivateMember,
  getMember,
  getUnit,
  restoreMember,
  setObservedUnits,
  unbindMember,
  updateMember,
} from '../../../../services/org';
import { errorText } from '../../../../utils/error-text';
import { eventText } from '../../../../utils/events';
import {
  addChip,
  checkForm,
  emptyForm,
  fieldOfError,
  formOf,
  hasErrors,
  memberChanges,
  memberInputOf,
  memberStatusText,
  NO_ERRORS,
  removeChip,
  unitChip,
  type FormErrors,
  type FormField,
  type MemberForm,
  type UnitChip,
} from '../../../../utils/member-form';
import { MEMBER_KINDS, numberLabel, queryText, unitRefOf } from '../../../../utils/org-view';

type Status = 'loading' | 'ready' | 'missing' | 'error';
type PickFor = 'units' | 'observes';
type ConfirmAction = 'deactivate' | 'unbind';

interface EditData {
  status: Status;
  errorText: string;
  mode: 'create' | 'edit';
  memberId: string;
  /** The member as last read; its `rev` goes with every update. */
  detail: MemberDetail | null;
  form: MemberForm;
  errors: FormErrors;
  numberLabel: string;
  units: UnitChip[];
  observes: UnitChip[];
  kinds: typeof MEMBER_KINDS;
  statusText: string;
  saving: boolean;
  acting: boolean;
  message: string;
  messageType: 'error' | 'success';
  pickerShow: boolean;
  pickerFor: PickFor;
  pickerTitle: string;
  /** A member is placed in units below the organisation, but may observe the whole of it. */
  pickerAllowRoot: boolean;
  confirmShow: boolean;
  confirmTitle: string;
  confirmMessage: string;
  confirmAction: ConfirmAction;
  limits: typeof FIELD_LIMITS;
}

interface FieldEvent {
  detail: unknown;
  currentTarget: { dataset: { field?: FormField } };
}

interface ChipEvent {
  currentTarget: { dataset: { id?: string } };
}

const TEXT_FIELDS: readonly FormField[] = ['name', 'number', 'phone', 'title', 'wecomUserId'];

definePage({
  data: {
    status: 'loading',
    errorText: '',
    mode: 'create',
    memberId: '',
    detail: null,
    form: emptyForm(),
    errors: { ...NO_ERRORS },
    numberLabel: numberLabel('student'),
    units: [],
    observes: [],
    kinds: MEMBER_KINDS,
    statusText: '',
    saving: false,
    acting: false,
    message: '',
    messageType: 'error',
    pickerShow: false,
    pickerFor: 'units',
    pickerTitle: '',
    pickerAllowRoot: false,
    confirmShow: false,
    confirmTitle: '',
    confirmMessage: '',
    confirmAction: 'deactivate',
    limits: FIELD_LIMITS,
  } as EditData,

  onLoad(query) {
    const memberId = queryText(query.id);
    if (memberId) {
      this.setData({ mode: 'edit', memberId });
      wx.setNavigationBarTitle({ title: '编辑成员' });
      this.load();
      return;
    }
    wx.setNavigationBarTitle({ title: '新增成员' });
    const unitId = queryText(query.unitId);
    if (!unitId) {
      this.setData({ status: 'ready' });
      return;
    }
    const unitName = queryText(query.unitName) || unitId;
    this.setData({ status: 'ready', units: [{ id: unitId, name: unitName, path: unitName, pieces: [unitName] }] });
    // The full path reads better than the name alone; the name stays if this fails.
    getUnit(unitId).then((result) => {
      if (result.ok) this.setData({ units: this.data.units.map((chip) => (chip.id === unitId ? unitChip(unitRefOf(result.data)) : chip)) });
    });
  },

  methods: {
    load() {
      return getMember(this.data.memberId).then((result) => {
        if (result.ok) {
          this.showMember(result.data, true);
        } else if (result.error.code === 'MEMBER_NOT_FOUND' || result.error.code === 'FORBIDDEN') {
          this.setData({ status: 'missing', errorText: result.error.code === 'FORBIDDEN' ? '仅管理员可用' : errorText(result.error) });
        } else {
          this.setData({ status: 'error', errorText: errorText(result.error) });
        }
      });
    },

    /** Shows a member the backend returned; `withForm` also resets the form to it (otherwise edits stay). */
    showMember(detail: MemberDetail, withForm: boolean) {
      this.setData({
        status: 'ready',
        mode: 'edit',
        memberId: detail.id,
        detail,
        statusText: memberStatusText(detail),
        observes: detail.observes.map(unitChip),
      });
      if (withForm) {
        this.setData({
          form: formOf(detail),
          errors: { ...NO_ERRORS },
          numberLabel: numberLabel(detail.kind),
          units: detail.units.map(unitChip),
        });
      }
    },

    showMessage(text: string, type: 'error' | 'success' = 'error') {
      this.setData({ message: text, messageType: type });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      this.load();
    },

    onFieldChange(event: FieldEvent) {
      const field = event.currentTarget.dataset.field;
      if (!field || !TEXT_FIELDS.includes(field)) return;
      this.setData({ [`form.${field}`]: eventText(event), [`errors.${field}`]: '' });
    },

    onKindChange(event: { detail: unknown }) {
      const kind = MEMBER_KINDS.find((option) => option.kind === event.detail);
      if (kind) this.setData({ 'form.kind': kind.kind, numberLabel: numberLabel(kind.kind) });
    },

    onRemoveUnit(event: ChipEvent) {
      const id = event.currentTarget.dataset.id;
      if (id) this.setData({ units: removeChip(this.data.units, id), 'errors.units': '' });
    },

    onAddUnit() {
      this.setData({ pickerShow: true, pickerFor: 'units', pickerTitle: '选择所在单位', pickerAllowRoot: false });
    },

    onAddObserved() {
      this.setData({ pickerShow: true, pickerFor: 'observes', pickerTitle: '选择关注的单位', pickerAllowRoot: true });
    },

    onPickerClose() {
      this.setData({ pickerShow: false });
    },

    onPick(event: { detail: { unit: UnitView } }) {
      const unit = event.detail?.unit;
      this.setData({ pickerShow: false });
      if (!unit) return undefined;
      const chip = unitChip(unitRefOf(unit));
      if (this.data.pickerFor === 'units') {
        this.setData({ units: addChip(this.data.units, chip), 'errors.units': '' });
        return undefined;
      }
      return this.saveObserved(addChip(this.data.observes, chip));
    },

    onRemoveObserved(event: ChipEvent) {
      const id = event.currentTarget.dataset.id;
      return id ? this.saveObserved(removeChip(this.data.observes, id)) : undefined;
    },

    saveObserved(observes: UnitChip[]) {
      const detail = this.data.detail;
      if (!detail || this.data.acting) return undefined;
      this.setData({ acting: true, message: '' });
      return setObservedUnits(detail.id, observes.map((chip) => chip.id)).then((result) => {
        this.setData({ acting: false });
        if (!result.ok) {
          this.showMessage(errorText(result.error));
          return;
        }
        this.showMember(result.data, false);
        this.showMessage('关注单位已更新', 'success');
      });
    },

    onSave() {
      if (this.data.saving) return undefined;
      const errors = checkForm(this.data.form);
      if (hasErrors(errors)) {
        this.setData({ errors });
        return undefined;
      }
      const input = memberInputOf(this.data.form, this.data.units);
      const detail = this.data.detail;
      let call: ReturnType<typeof createMember>;
      if (this.data.mode === 'edit' && detail) {
        const changes = memberChanges(detail, input);
        if (!Object.keys(changes).length) {
          wx.showToast({ title: '没有修改', icon: 'none' });
          return undefined;
        }
        call = updateMember(detail.id, detail.rev, changes);
      } else {
        call = createMember(input);
      }
      const creating = this.data.mode === 'create';
      this.setData({ saving: true, message: '', errors: { ...NO_ERRORS } });
      return call.then((result) => {
        this.setData({ saving: false });
        if (result.ok) {
          this.showMember(result.data, true);
          if (creating) wx.setNavigationBarTitle({ title: '编辑成员' });
          wx.showToast({ title: creating ? '已新增' : '已保存', icon: 'success' });
          return undefined;
        }
        return this.showSaveFailure(result.error);
      });
    },

    showSaveFailure(error: AppError) {
      if (error.code === 'MEMBER_STALE') {
        this.showMessage(errorText(error));
        return this.load();
      }
      const field = fieldOfError(error);
      if (field) this.setData({ [`errors.${field}`]: errorText(error) });
      else this.showMessage(errorText(error));
      return undefined;
    },

    onDeactivateTap() {
      const detail = this.data.detail;
      if (!detail) return;
      this.setData({
        confirmShow: true,
        confirmAction: 'deactivate',
        confirmTitle: '停用成员',
        confirmMessage: `停用后「${detail.name}」不再出现在通讯录和通知对象中，可随时恢复。确定停用吗？`,
      });
    },

    onRestoreTap() {
      const detail = this.data.detail;
      return detail ? this.act(() => restoreMember(detail.id), '已恢复') : undefined;
    },

    onUnbindTap() {
      const detail = this.data.detail;
      if (!detail) return;
      this.setData({
        confirmShow: true,
        confirmAction: 'unbind',
        confirmTitle: '解除绑定',
        confirmMessage: `解除后，原账号将不再对应「${detail.name}」，需要重新绑定。确定解除吗？`,
      });
    },

    onConfirmCancel() {
      this.setData({ confirmShow: false });
    },

    onConfirm() {
      const detail = this.data.detail;
      this.setData({ confirmShow: false });
      if (!detail) return undefined;
      return this.data.confirmAction === 'unbind'
        ? this.act(() => unbindMember(detail.id), '已解除绑定')
        : this.act(() => deactivateMember(detail.id), '已停用');
    },

    act(call: () => ReturnType<typeof restoreMember>, done: string) {
      if (this.data.acting) return undefined;
      this.setData({ acting: true, message: '' });
      return call().then((result) => {
        this.setData({ acting: false });
        if (!result.ok) {
          this.showMessage(errorText(result.error));
          return;
        }
        this.showMember(result.data, false);
        this.showMessage(done, 'success');
      });
    },
  },
});
