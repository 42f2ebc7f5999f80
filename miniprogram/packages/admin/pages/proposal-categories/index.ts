/**
 * 提案类别 (admins): the categories with their handlers; a popup adds or edits one (name,
 * description, whether new proposals may choose it, handlers chosen from the roster). A save
 * sends the `rev` it read: when another admin saved first, the category is read again.
 */
import type { AppError, ProposalCategory } from '../../../../../typings';
import { FIELD_LIMITS } from '../../../../../typings/limits';
import { perInstance, SearchLoads } from '../../../../common/latest';
import { definePage, type PageContext } from '../../../../common/page';
import { rosterPickerMethods, type RosterPicker } from '../../../../common/roster-picker';
import { listCategories, saveCategory } from '../../../../services/proposal';
import { ensureSession } from '../../../../services/session';
import { isAdmin } from '../../../../utils/account-view';
import { errorText } from '../../../../utils/error-text';
import { eventText } from '../../../../utils/events';
import type { PersonResult } from '../../../../utils/org-view';
import {
  categoryFormOf,
  categoryInputOf,
  categoryRow,
  checkCategoryForm,
  emptyCategoryForm,
  fieldOfCategoryError,
  hasCategoryErrors,
  NO_CATEGORY_ERRORS,
  type CategoryErrors,
  type CategoryForm,
  type CategoryRow,
} from '../../../../utils/proposal-admin-view';

type Status = 'loading' | 'ready' | 'forbidden' | 'error';

interface CategoriesData {
  status: Status;
  errorText: string;
  rows: CategoryRow[];
  message: string;
  messageType: 'error' | 'success';
  formShow: boolean;
  /** The category being edited ('' for a new one). */
  editingId: string;
  form: CategoryForm;
  errors: CategoryErrors;
  formMessage: string;
  saving: boolean;
  query: string;
  results: PersonResult[];
  searching: boolean;
  searchNote: string;
  limits: typeof FIELD_LIMITS;
}

interface State {
  alive: boolean;
  search: SearchLoads;
  /** The categories as read, with the `rev` each save sends. */
  categories: ProposalCategory[];
}

const state = perInstance<State>(() => ({ alive: true, search: new SearchLoads(), categories: [] }));

/** Handlers chosen from the roster, at most FIELD_LIMITS.categoryHandlers. */
const picker: RosterPicker = {
  loads: (page) => state(page).search,
  alive: (page) => state(page).alive,
  chosenIds: (page) => (page as PageContext<CategoriesData>).data.form.handlers.map((person) => person.id),
  add(page, person) {
    const host = page as PageContext<CategoriesData>;
    const handlers = host.data.form.handlers;
    if (handlers.length >= FIELD_LIMITS.categoryHandlers) {
      host.setData({ 'errors.handlers': `处理人最多 ${FIELD_LIMITS.categoryHandlers} 人` });
      return false;
    }
    host.setData({ 'form.handlers': [...handlers, { id: person.id, name: person.name }], 'errors.handlers': '' });
    return true;
  },
  remove(page, id) {
    const host = page as PageContext<CategoriesData>;
    host.setData({ 'form.handlers': host.data.form.handlers.filter((person) => person.id !== id), 'errors.handlers': '' });
  },
};

interface TapEvent {
  detail: unknown;
  currentTarget: { dataset: { id?: string; field?: string } };
}

definePage({
  data: {
    status: 'loading',
    errorText: '',
    rows: [],
    message: '',
    messageType: 'error',
    formShow: false,
    editingId: '',
    form: emptyCategoryForm(),
    errors: { ...NO_CATEGORY_ERRORS },
    formMessage: '',
    saving: false,
    query: '',
    results: [],
    searching: false,
    searchNote: '',
    limits: FIELD_LIMITS,
  } as CategoriesData,

  onLoad() {
    void this.start();
  },

  onUnload() {
    const own = state(this);
    own.alive = false;
    own.search.cancel();
  },

  onPullDownRefresh() {
    void this.load().then(() => wx.stopPullDownRefresh());
  },

  methods: {
    start(): Promise<void> {
      return ensureSession().then((session) => {
        if (!state(this).alive) return undefined;
        if (!session.ok) {
          this.setData({ status: 'error', errorText: errorText(session.error) });
          return undefined;
        }
        if (!isAdmin(session.data)) {
          this.setData({ status: 'forbidden' });
          return undefined;
        }
        return this.load();
      });
    },

    load(): Promise<void> {
      return listCategories(true).then((result) => {
        if (!state(this).alive) return;
        if (!result.ok) {
          if (result.error.code === 'FORBIDDEN') this.setData({ status: 'forbidden' });
          else if (this.data.status === 'ready') this.showMessage(errorText(result.error));
          else this.setData({ status: 'error', errorText: errorText(result.error) });
          return;
        }
        state(this).categories = result.data.items;
        this.setData({ status: 'ready', rows: result.data.items.map(categoryRow) });
      });
    },

    showMessage(text: string, type: 'error' | 'success' = 'error') {
      this.setData({ message: text, messageType: type });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      return this.start();
    },

    // The form

    onCreate() {
      this.openForm('', emptyCategoryForm());
    },

    onRowTap(event: TapEvent) {
      const category = state(this).categories.find((one) => one.id === event.currentTarget.dataset.id);
      if (category) this.openForm(category.id, categoryFormOf(category));
    },

    openForm(editingId: string, form: CategoryForm) {
      state(this).search.cancel();
      this.setData({
        formShow: true,
        editingId,
        form,
        errors: { ...NO_CATEGORY_ERRORS },
        formMessage: '',
        message: '',
        query: '',
        results: [],
        searching: false,
        searchNote: '',
      });
    },

    onFormClose() {
      state(this).search.cancel();
      this.setData({ formShow: false });
    },

    onFieldChange(event: TapEvent) {
      const field = event.currentTarget.dataset.field;
      if (field !== 'name' && field !== 'description') return;
      this.setData({ [`form.${field}`]: eventText(event), [`errors.${field}`]: '', formMessage: '' });
    },

    onToggleActive() {
      this.setData({ 'form.active': !this.data.form.active });
    },

    // Handlers from the roster

    ...rosterPickerMethods(picker),

    // Saving

    onSave() {
      if (this.data.saving) return undefined;
      const errors = checkCategoryForm(this.data.form);
      if (hasCategoryErrors(errors)) {
        this.setData({ errors, formMessage: '请先修改标红的内容' });
        return undefined;
      }
      const editing = state(this).categories.find((one) => one.id === this.data.editingId) ?? null;
      if (this.data.editingId && !editing) {
        this.setData({ formMessage: '该类别已不在列表中，请关闭后刷新' });
        return undefined;
      }
      this.setData({ saving: true, formMessage: '', errors: { ...NO_CATEGORY_ERRORS } });
      return saveCategory(categoryInputOf(this.data.form), editing ? { id: editing.id, rev: editing.rev } : null).then((result) => {
        if (!state(this).alive) return undefined;
        this.setData({ saving: false });
        if (!result.ok) return this.showSaveFailure(result.error);
        this.setData({ formShow: false });
        this.showMessage(editing ? `已保存「${result.data.name}」` : `已新建「${result.data.name}」`, 'success');
        return this.load();
      });
    },

    showSaveFailure(error: AppError): Promise<void> | undefined {
      if (error.code === 'CATEGORY_STALE') {
        // Read again and show the category as it is now: the person checks it and saves again.
        const editingId = this.data.editingId;
        return this.load().then(() => {
          const fresh = state(this).categories.find((one) => one.id === editingId);
          if (fresh) this.setData({ form: categoryFormOf(fresh), results: [], query: '', searchNote: '' });
          this.setData({ formMessage: errorText(error) });
        });
      }
      if (error.code === 'CATEGORY_NOT_FOUND') {
        this.setData({ formShow: false });
        this.showMessage(errorText(error));
        return this.load();
      }
      const field = fieldOfCategoryError(error);
      if (field) this.setData({ [`errors.${field}`]: errorText(error), formMessage: '请先修改标红的内容' });
      else this.setData({ formMessage: errorText(error) });
      return undefined;
    },
  },
});
