import type { AppError, UnitView } from '../../../../../typings';
import { FIELD_LIMITS } from '../../../../../typings/limits';
import { definePage, stopDialogLoading } from '../../../../common/page';
import { LatestOnly, perInstance } from '../../../../common/latest';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, showWindow, windowRequest, type ListWindow, type WindowStart } from '../../../../common/paged-list';
import { childUnits, createUnit, deleteUnit, getUnit, moveUnit, renameUnit, rootUnit } from '../../../../services/org';
import { errorText } from '../../../../utils/error-text';
import { eventText } from '../../../../utils/events';
import {
  checkUnitName,
  childRow,
  CHILD_KINDS,
  crumbsOf,
  defaultChildKind,
  deleteUnitQuestion,
  membersPageUrl,
  unitHeader,
  type ChildKind,
  type ChildRow,
  type Crumb,
  type UnitHeader,
} from '../../../../utils/org-view';

type Status = 'loading' | 'ready' | 'forbidden' | 'error';

interface UnitsData {
  status: Status;
  errorText: string;
  /** From the organisation down to the unit shown. */
  trail: UnitView[];
  crumbs: Crumb[];
  header: UnitHeader | null;
  children: UnitView[];
  rows: ChildRow[];
  next: string | null;
  loadingChildren: boolean;
  /** Which sub-units are on screen (at most LIST_CAP). */
  childrenWindow: ListWindow;
  message: string;
  messageType: 'error' | 'success';
  kinds: typeof CHILD_KINDS;
  createShow: boolean;
  createName: string;
  createKind: ChildKind;
  createError: string;
  renameShow: boolean;
  renameName: string;
  renameError: string;
  deleteShow: boolean;
  deleteMessage: string;
  moveShow: boolean;
  currentId: string;
  limits: typeof FIELD_LIMITS;
}

const loads = perInstance(() => new LatestOnly());

definePage({
  data: {
    status: 'loading',
    errorText: '',
    trail: [],
    crumbs: [],
    header: null,
    children: [],
    rows: [],
    next: null,
    loadingChildren: false,
    childrenWindow: emptyWindow(),
    message: '',
    messageType: 'error',
    kinds: CHILD_KINDS,
    createShow: false,
    createName: '',
    createKind: 'college',
    createError: '',
    renameShow: false,
    renameName: '',
    renameError: '',
    deleteShow: false,
    deleteMessage: '',
    moveShow: false,
    currentId: '',
    limits: FIELD_LIMITS,
  } as UnitsData,

  onLoad() {
    this.start();
  },

  onShow() {
    // Back from member management or an import: the counts shown may have changed.
    if (this.data.status === 'ready') this.refresh();
  },

  onUnload() {
    loads(this).cancel();
  },

  onReachBottom() {
    if (this.data.next) this.loadChildren(false);
  },

  onPullDownRefresh() {
    this.refresh().then(() => wx.stopPullDownRefresh());
  },

  methods: {
    start() {
      return rootUnit().then((result) => {
        if (result.ok) return this.enter([result.data]);
        this.showLoadFailure(result.error);
        return undefined;
      });
    },

    showLoadFailure(error: AppError) {
      if (error.code === 'FORBIDDEN') this.setData({ status: 'forbidden' });
      else this.setData({ status: 'error', errorText: errorText(error) });
    },

    current(): UnitView | null {
      const trail = this.data.trail;
      return trail.length ? trail[trail.length - 1] : null;
    },

    /** Shows the last unit of `trail` and loads its sub-units. */
    enter(trail: UnitView[]) {
      const unit = trail[trail.length - 1];
      this.setData({
        trail,
        crumbs: crumbsOf(trail),
        header: unitHeader(unit),
        currentId: unit.id,
        children: [],
        rows: [],
        next: null,
        childrenWindow: emptyWindow(),
      });
      return this.loadChildren(true);
    },

    /** Reads the unit shown and its sub-units again, keeping the walk. */
    refresh(): Promise<void> {
      const unit = this.current();
      if (!unit) return Promise.resolve();
      const header = getUnit(unit.id).then((result) => {
        // Only while that unit is still the one shown; a failure leaves the header as it was.
        if (result.ok && this.current()?.id === unit.id) this.replaceCurrent(result.data);
      });
      return Promise.all([header, this.loadChildren(true)]).then(() => undefined);
    },

    /** `reset` reads a window of sub-units from `start` (the first by default); otherwise the next page of the window shown. */
    loadChildren(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const unit = this.current();
      const ticket = loads(this).begin(reset);
      if (!unit || ticket === null) return Promise.resolve();
      const request = reset ? windowRequest(start) : nextRequest(this.data.next, this.data.childrenWindow);
      this.setData({ loadingChildren: true });
      return childUnits(unit.id, request.after).then((result) => {
        if (!loads(this).settle(ticket)) return;
        if (!result.ok) {
          this.setData({ loadingChildren: false });
          if (this.data.status !== 'ready') this.showLoadFailure(result.error);
          else this.showMessage(errorText(result.error));
          return;
        }
        const units = listPage('children', reset ? null : this.data.children, result.data.items, result.data.next, request);
        const rows = listPage('rows', reset ? null : this.data.rows, result.data.items.map(childRow), result.data.next, request);
        this.setData({
          status: 'ready',
          loadingChildren: false,
          ...(units.rows ? { children: units.rows } : units.patch),
          ...(rows.rows ? { rows: rows.rows } : rows.patch),
          next: units.next,
          childrenWindow: units.window,
        });
      });
    },

    showMessage(text: string, type: 'error' | 'success' = 'error') {
      this.setData({ message: text, messageType: type });
    },

    /** Replaces the unit shown (after a rename), keeping the walk. */
    replaceCurrent(unit: UnitView) {
      const trail = [...this.data.trail.slice(0, -1), unit];
      this.setData({ trail, crumbs: crumbsOf(trail), header: unitHeader(unit) });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      if (this.data.trail.length) this.loadChildren(true);
      else this.start();
    },

    onChildTap(event: { currentTarget: { dataset: { id?: string } } }) {
      const child = this.data.children.find((unit) => unit.id === event.currentTarget.dataset.id);
      if (!child) return;
      this.setData({ message: '' });
      this.enter([...this.data.trail, child]);
    },

    onCrumbTap(event: { currentTarget: { dataset: { index?: number } } }) {
      const index = Number(event.currentTarget.dataset.index);
      if (!Number.isInteger(index) || index >= this.data.trail.length - 1) return;
      this.setData({ message: '' });
      this.enter(this.data.trail.slice(0, index + 1));
    },

    onMoreChildren() {
      this.loadChildren(false);
    },

    onChildrenOnward() {
      return showWindow(this.data.childrenWindow.onward, (start) => this.loadChildren(true, start), '#children');
    },

    onChildrenRestart() {
      return showWindow(FIRST_WINDOW, (start) => this.loadChildren(true, start), '#children');
    },

    onOpenMembers() {
      wx.navigateTo({ url: membersPageUrl(null) });
    },

    onOpenImport() {
      wx.navigateTo({ url: '/packages/admin/pages/import/index' });
    },

    onUnitMembers() {
      const unit = this.current();
      if (unit) wx.navigateTo({ url: membersPageUrl(unit) });
    },

    // 新建下级单位

    onCreateTap() {
      const unit = this.current();
      if (!unit) return;
      this.setData({ createShow: true, createName: '', createKind: defaultChildKind(unit.kind), createError: '', message: '' });
    },

    onCreateNameChange(event: { detail: unknown }) {
      this.setData({ createName: eventText(event), createError: '' });
    },

    onCreateKindChange(event: { detail: unknown }) {
      const kind = CHILD_KINDS.find((option) => option.kind === event.detail);
      if (kind) this.setData({ createKind: kind.kind });
    },

    onCreateCancel() {
      this.setData({ createShow: false });
    },

    onCreateConfirm() {
      const unit = this.current();
      const checked = checkUnitName(this.data.createName);
      if (!unit) return undefined;
      if (!checked.ok) {
        this.setData({ createError: checked.message });
        stopDialogLoading(this, '.create-dialog');
        return undefined;
      }
      return createUnit(unit.id, checked.name, this.data.createKind).then((result) => {
        if (!result.ok) {
          this.setData({ createError: errorText(result.error) });
          stopDialogLoading(this, '.create-dialog');
          return undefined;
        }
        this.setData({ createShow: false });
        this.showMessage(`已新建「${result.data.name}」`, 'success');
        this.replaceCurrent({ ...unit, childCount: unit.childCount + 1 });
        return this.loadChildren(true);
      });
    },

    // 重命名

    onRenameTap() {
      const unit = this.current();
      if (unit) this.setData({ renameShow: true, renameName: unit.name, renameError: '', message: '' });
    },

    onRenameNameChange(event: { detail: unknown }) {
      this.setData({ renameName: eventText(event), renameError: '' });
    },

    onRenameCancel() {
      this.setData({ renameShow: false });
    },

    onRenameConfirm() {
      const unit = this.current();
      const checked = checkUnitName(this.data.renameName);
      if (!unit) return undefined;
      if (!checked.ok) {
        this.setData({ renameError: checked.message });
        stopDialogLoading(this, '.rename-dialog');
        return undefined;
      }
      if (checked.name === unit.name) {
        this.setData({ renameShow: false });
        return undefined;
      }
      return renameUnit(unit.id, checked.name).then((result) => {
        if (!result.ok) {
          this.setData({ renameError: errorText(result.error) });
          stopDialogLoading(this, '.rename-dialog');
          return;
        }
        this.setData({ renameShow: false });
        this.replaceCurrent(result.data);
        this.showMessage(`已重命名为「${result.data.name}」`, 'success');
      });
    },

    // 移动

    onMoveTap() {
      this.setData({ moveShow: true, message: '' });
    },

    onMoveClose() {
      this.setData({ moveShow: false });
    },

    onMovePick(event: { detail: { unit: UnitView; trail: UnitView[] } }) {
      const unit = this.current();
      const target = event.detail?.unit;
      this.setData({ moveShow: false });
      if (!unit || !target) return undefined;
      return moveUnit(unit.id, target.id).then((result) => {
        if (!result.ok) {
          this.showMessage(errorText(result.error));
          return undefined;
        }
        this.showMessage(`已将「${result.data.name}」移到「${target.name}」下`, 'success');
        return this.enter([...event.detail.trail, result.data]);
      });
    },

    // 删除

    onDeleteTap() {
      const unit = this.current();
      if (unit) this.setData({ deleteShow: true, deleteMessage: deleteUnitQuestion(unit.name), message: '' });
    },

    onDeleteCancel() {
      this.setData({ deleteShow: false });
    },

    onDeleteConfirm() {
      const unit = this.current();
      this.setData({ deleteShow: false });
      if (!unit) return undefined;
      return deleteUnit(unit.id).then((result) => {
        if (!result.ok) {
          this.showMessage(errorText(result.error));
          return undefined;
        }
        const parentTrail = this.data.trail.slice(0, -1);
        const parent = parentTrail[parentTrail.length - 1];
        if (parent) parentTrail[parentTrail.length - 1] = { ...parent, childCount: Math.max(0, parent.childCount - 1) };
        this.showMessage(`已删除「${unit.name}」`, 'success');
        return parentTrail.length ? this.enter(parentTrail) : this.start();
      });
    },
  },
});
