/**
 * Picks a unit by walking down the tree in a bottom popup: the breadcrumb goes back up, a
 * sub-unit goes down, 选择此单位 picks the unit shown. Emits `pick` with `{ unit, trail }`
 * (the trail runs from the organisation to the unit) and `close`.
 *
 * With `multiple`, several units are chosen in one visit: the page passes the chosen ones as
 * `selected` (a map of ids), rows show which are chosen, the button toggles the unit shown
 * (`pick` then carries `selected`, the unit's new state) and 完成 closes.
 */
import type { UnitView } from '../../../../../typings';
import { defineComponent } from '../../../../common/component';
import { LatestOnly, perInstance } from '../../../../common/latest';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, windowRequest, type ListWindow, type WindowStart } from '../../../../common/paged-list';
import { childUnits, rootUnit } from '../../../../services/org';
import { errorText } from '../../../../utils/error-text';
import { childRow, crumbsOf, type ChildRow, type Crumb } from '../../../../utils/org-view';

interface PickerData {
  trail: UnitView[];
  crumbs: Crumb[];
  children: UnitView[];
  rows: ChildRow[];
  next: string | null;
  /** Which sub-units are on screen (at most LIST_CAP). */
  childrenWindow: ListWindow;
  /** The id the list scrolls to: set to its top when a new window lands, cleared before each load. */
  scrollInto: string;
  loading: boolean;
  errorText: string;
  /** Whether the unit shown can be picked. */
  canPick: boolean;
  /** With `multiple`: whether the unit shown is among `selected`. */
  pickedNow: boolean;
}

const loads = perInstance(() => new LatestOnly());

defineComponent({
  properties: {
    show: Boolean,
    title: { type: String, value: '选择单位' },
    /** A unit that cannot be picked nor entered (the unit being moved). */
    excludeId: String,
    /** Whether the organisation itself can be picked. */
    allowRoot: { type: Boolean, value: true },
    confirmText: { type: String, value: '选择此单位' },
    /** Several units are chosen, each toggled, instead of one picked. */
    multiple: { type: Boolean, value: false },
    /** With `multiple`: the chosen units' ids, as a map `{ [id]: true }`. */
    selected: { type: Object, value: null },
  },

  data: {
    trail: [],
    crumbs: [],
    children: [],
    rows: [],
    next: null,
    childrenWindow: emptyWindow(),
    scrollInto: '',
    loading: false,
    errorText: '',
    canPick: false,
    pickedNow: false,
  } as PickerData,

  observers: {
    show(show: boolean) {
      if (!show) return;
      // Reopened where it was left, with the sub-units read again: the tree may have changed meanwhile.
      if (this.data.trail.length) this.loadChildren(true);
      else if (!this.data.loading) this.start();
    },
    'excludeId, allowRoot'() {
      this.setData({ canPick: this.pickable(this.data.trail) });
    },
    selected() {
      this.setData({ pickedNow: this.isSelected(this.data.trail) });
    },
  },

  lifetimes: {
    detached() {
      loads(this).cancel();
    },
  },

  methods: {
    pickable(trail: UnitView[]): boolean {
      if (!trail.length) return false;
      // Reopened where it was left, the walk may pass through the excluded unit: nothing at or below it can be picked.
      const excluded = this.data.excludeId;
      if (excluded && trail.some((unit) => unit.id === excluded)) return false;
      return this.data.allowRoot || trail.length > 1;
    },

    isSelected(trail: UnitView[]): boolean {
      const unit = trail[trail.length - 1];
      const selected = this.data.selected as Record<string, boolean> | null;
      return !!(unit && selected && selected[unit.id]);
    },

    start(): Promise<void> {
      const ticket = loads(this).begin(true);
      if (ticket === null) return Promise.resolve();
      this.setData({ loading: true, errorText: '' });
      return rootUnit().then((result) => {
        if (!loads(this).settle(ticket)) return undefined;
        if (!result.ok) {
          this.setData({ loading: false, errorText: errorText(result.error) });
          return undefined;
        }
        return this.enter([result.data]);
      });
    },

    enter(trail: UnitView[]): Promise<void> {
      this.setData({
        trail,
        crumbs: crumbsOf(trail),
        canPick: this.pickable(trail),
        pickedNow: this.isSelected(trail),
        children: [],
        rows: [],
        next: null,
        childrenWindow: emptyWindow(),
      });
      return this.loadChildren(true);
    },

    /** `reset` reads a window of sub-units from `start` (the first by default); otherwise the next page of the window shown. */
    loadChildren(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const current = this.data.trail[this.data.trail.length - 1];
      if (!current) return this.start();
      const ticket = loads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      const request = reset ? windowRequest(start) : nextRequest(this.data.next, this.data.childrenWindow);
      this.setData({ loading: true, errorText: '', scrollInto: '' });
      return childUnits(current.id, request.after).then((result) => {
        if (!loads(this).settle(ticket)) return;
        if (!result.ok) {
          this.setData({ loading: false, errorText: errorText(result.error) });
          return;
        }
        const leaveOut = this.data.excludeId ? { leaveOut: [this.data.excludeId] } : {};
        const units = listPage('children', reset ? null : this.data.children, result.data.items, result.data.next, request, leaveOut);
        const rows = listPage('rows', reset ? null : this.data.rows, result.data.items.map(childRow), result.data.next, request, leaveOut);
        this.setData({
          loading: false,
          ...(units.rows ? { children: units.rows } : units.patch),
          ...(rows.rows ? { rows: rows.rows } : rows.patch),
          next: units.next,
          childrenWindow: units.window,
          ...(reset ? { scrollInto: 'picker-top' } : {}),
        });
      });
    },

    onChildTap(event: { currentTarget: { dataset: { id?: string } } }) {
      const child = this.data.children.find((unit) => unit.id === event.currentTarget.dataset.id);
      if (child) this.enter([...this.data.trail, child]);
    },

    onCrumbTap(event: { currentTarget: { dataset: { index?: number } } }) {
      const index = Number(event.currentTarget.dataset.index);
      if (Number.isInteger(index) && index < this.data.trail.length - 1) this.enter(this.data.trail.slice(0, index + 1));
    },

    onMore() {
      this.loadChildren(false);
    },

    onChildrenOnward() {
      const start = this.data.childrenWindow.onward;
      if (start) this.loadChildren(true, start);
    },

    onChildrenRestart() {
      this.loadChildren(true);
    },

    onRetry() {
      if (this.data.trail.length) this.loadChildren(true);
      else this.start();
    },

    onPick() {
      const trail = this.data.trail;
      const unit = trail[trail.length - 1];
      if (!unit || !this.data.canPick) return;
      if (this.data.multiple) this.triggerEvent('pick', { unit, trail, selected: !this.data.pickedNow });
      else this.triggerEvent('pick', { unit, trail });
    },

    onClose() {
      this.triggerEvent('close');
    },
  },
});
