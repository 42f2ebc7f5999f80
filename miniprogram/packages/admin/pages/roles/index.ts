import type { AppError, GrantableRole } from '../../../../../typings';
import { FIELD_LIMITS } from '../../../../../typings/limits';
import { definePage } from '../../../../common/page';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, showWindow, windowRequest, type ListWindow, type WindowStart } from '../../../../common/paged-list';
import {
  type ConflictAction,
  grantRole,
  listConflicts,
  listRoleHolders,
  resolveConflict,
  revokeRole,
  roleHistory,
  searchAccounts,
} from '../../../../services/account';
import { errorText } from '../../../../utils/error-text';
import { eventText } from '../../../../utils/events';
import {
  accountRow,
  changeDoneText,
  conflictRow,
  historyRow,
  replaceRow,
  revokeQuestion,
  roleActions,
  roleOfFilter,
  ROLE_FILTERS,
  type AccountRow,
  type ConflictRow,
  type HistoryRow,
  type RoleAction,
  type RoleFilter,
  type RoleFilterTab,
} from '../../../../utils/role-admin-view';

type Status = 'loading' | 'ready' | 'forbidden' | 'error';
type Section = 'holders' | 'history' | 'conflicts';

interface PendingChange {
  id: string;
  name: string;
  change: 'grant' | 'revoke';
  role: GrantableRole;
}

interface RolesData {
  status: Status;
  errorText: string;
  section: Section;
  filters: readonly RoleFilterTab[];
  filter: RoleFilter;
  holders: AccountRow[];
  holdersNext: string | null;
  holdersLoading: boolean;
  /** Which rows of each list are on screen (at most LIST_CAP). */
  holdersWindow: ListWindow;
  historyWindow: ListWindow;
  conflictsWindow: ListWindow;
  query: string;
  searching: boolean;
  searched: boolean;
  results: AccountRow[];
  history: HistoryRow[];
  historyNext: string | null;
  historyLoaded: boolean;
  historyLoading: boolean;
  conflicts: ConflictRow[];
  conflictsNext: string | null;
  conflictsLoaded: boolean;
  conflictsLoading: boolean;
  message: string;
  messageType: 'error' | 'success';
  sheetShow: boolean;
  sheetTitle: string;
  sheetActions: RoleAction[];
  sheetTarget: AccountRow | null;
  confirmShow: boolean;
  confirmMessage: string;
  pending: PendingChange | null;
  resolveShow: boolean;
  resolveId: string;
  resolveAction: ConflictAction;
  resolveTitle: string;
  resolveMessage: string;
  resolveNote: string;
  limits: typeof FIELD_LIMITS;
}

interface TabChange {
  detail: { name: string };
}

interface DatasetEvent {
  currentTarget: { dataset: { id?: string; action?: string } };
}

definePage({
  data: {
    status: 'loading',
    errorText: '',
    section: 'holders',
    filters: ROLE_FILTERS,
    filter: 'all',
    holders: [],
    holdersNext: null,
    holdersLoading: false,
    holdersWindow: emptyWindow(),
    historyWindow: emptyWindow(),
    conflictsWindow: emptyWindow(),
    query: '',
    searching: false,
    searched: false,
    results: [],
    history: [],
    historyNext: null,
    historyLoaded: false,
    historyLoading: false,
    conflicts: [],
    conflictsNext: null,
    conflictsLoaded: false,
    conflictsLoading: false,
    message: '',
    messageType: 'error',
    sheetShow: false,
    sheetTitle: '',
    sheetActions: [],
    sheetTarget: null,
    confirmShow: false,
    confirmMessage: '',
    pending: null,
    resolveShow: false,
    resolveId: '',
    resolveAction: 'dismiss',
    resolveTitle: '',
    resolveMessage: '',
    resolveNote: '',
    limits: FIELD_LIMITS,
  } as RolesData,

  onLoad() {
    this.loadHolders(true);
  },

  methods: {
    /** FORBIDDEN from any call closes the page to non-admins; other failures show a message. */
    showFailure(error: AppError) {
      if (error.code === 'FORBIDDEN') this.setData({ status: 'forbidden' });
      else this.setData({ message: errorText(error), messageType: 'error' });
    },

    showDone(text: string) {
      this.setData({ message: text, messageType: 'success' });
    },

    /** `reset` reads a window from `start` (the first by default); otherwise the next page of the window shown. */
    loadHolders(reset: boolean, start: WindowStart = FIRST_WINDOW) {
      const filter = this.data.filter;
      const request = reset ? windowRequest(start) : nextRequest(this.data.holdersNext, this.data.holdersWindow);
      this.setData({ holdersLoading: true });
      return listRoleHolders(roleOfFilter(filter), request.after).then((result) => {
        if (this.data.filter !== filter) return;
        if (result.ok) {
          const page = listPage('holders', reset ? null : this.data.holders, result.data.items.map(accountRow), result.data.next, request);
          this.setData({
            status: 'ready',
            ...(page.rows ? { holders: page.rows } : page.patch),
            holdersNext: page.next,
            holdersWindow: page.window,
            holdersLoading: false,
          });
        } else if (this.data.status === 'loading' && result.error.code !== 'FORBIDDEN') {
          this.setData({ status: 'error', errorText: errorText(result.error), holdersLoading: false });
        } else {
          this.setData({ holdersLoading: false });
          this.showFailure(result.error);
        }
      });
    },

    /** `reset` reads a window from `start` (the first by default); otherwise the next page of the window shown. */
    loadHistory(reset: boolean, start: WindowStart = FIRST_WINDOW) {
      const request = reset ? windowRequest(start) : nextRequest(this.data.historyNext, this.data.historyWindow);
      this.setData({ historyLoading: true });
      return roleHistory(request.after).then((result) => {
        if (result.ok) {
          const page = listPage('history', reset ? null : this.data.history, result.data.items.map(historyRow), result.data.next, request);
          this.setData({
            ...(page.rows ? { history: page.rows } : page.patch),
            historyNext: page.next,
            historyWindow: page.window,
            historyLoaded: true,
            historyLoading: false,
          });
        } else {
          this.setData({ historyLoading: false });
          this.showFailure(result.error);
        }
      });
    },

    /** `reset` reads a window from `start` (the first by default); otherwise the next page of the window shown. */
    loadConflicts(reset: boolean, start: WindowStart = FIRST_WINDOW) {
      const request = reset ? windowRequest(start) : nextRequest(this.data.conflictsNext, this.data.conflictsWindow);
      this.setData({ conflictsLoading: true });
      return listConflicts(request.after).then((result) => {
        if (result.ok) {
          const page = listPage('conflicts', reset ? null : this.data.conflicts, result.data.items.map(conflictRow), result.data.next, request);
          this.setData({
            ...(page.rows ? { conflicts: page.rows } : page.patch),
            conflictsNext: page.next,
            conflictsWindow: page.window,
            conflictsLoaded: true,
            conflictsLoading: false,
          });
        } else {
          this.setData({ conflictsLoading: false });
          this.showFailure(result.error);
        }
      });
    },

    onRetry() {
      this.setData({ status: 'loading', errorText: '' });
      this.loadHolders(true);
    },

    onSectionChange(event: TabChange) {
      const section = event.detail.name as Section;
      this.setData({ section, message: '' });
      if (section === 'history' && !this.data.historyLoaded) this.loadHistory(true);
      if (section === 'conflicts' && !this.data.conflictsLoaded) this.loadConflicts(true);
    },

    onFilterChange(event: TabChange) {
      const filter = event.detail.name as RoleFilter;
      if (filter === this.data.filter) return;
      this.setData({ filter, holders: [], holdersNext: null, message: '' });
      this.loadHolders(true);
    },

    onMoreHolders() {
      if (!this.data.holdersLoading) this.loadHolders(false);
    },

    onMoreHistory() {
      if (!this.data.historyLoading) this.loadHistory(false);
    },

    onMoreConflicts() {
      if (!this.data.conflictsLoading) this.loadConflicts(false);
    },

    onHoldersOnward() {
      return showWindow(this.data.holdersLoading ? null : this.data.holdersWindow.onward, (start) => this.loadHolders(true, start));
    },

    onHoldersRestart() {
      return showWindow(this.data.holdersLoading ? null : FIRST_WINDOW, (start) => this.loadHolders(true, start));
    },

    onHistoryOnward() {
      return showWindow(this.data.historyLoading ? null : this.data.historyWindow.onward, (start) => this.loadHistory(true, start));
    },

    onHistoryRestart() {
      return showWindow(this.data.historyLoading ? null : FIRST_WINDOW, (start) => this.loadHistory(true, start));
    },

    onConflictsOnward() {
      return showWindow(this.data.conflictsLoading ? null : this.data.conflictsWindow.onward, (start) => this.loadConflicts(true, start));
    },

    onConflictsRestart() {
      return showWindow(this.data.conflictsLoading ? null : FIRST_WINDOW, (start) => this.loadConflicts(true, start));
    },

    onQueryChange(event: { detail: unknown }) {
      this.setData({ query: eventText(event) });
    },

    onSearch(event: { detail: unknown }) {
      const query = (eventText(event) || this.data.query).trim();
      if (!query) {
        this.setData({ results: [], searched: false });
        return undefined;
      }
      this.setData({ query, searching: true, message: '' });
      return searchAccounts(query).then((result) => {
        if (result.ok) {
          this.setData({ searching: false, searched: true, results: result.data.items.map(accountRow) });
        } else {
          this.setData({ searching: false });
          this.showFailure(result.error);
        }
      });
    },

    onSearchClear() {
      this.setData({ query: '', results: [], searched: false });
    },

    onAccountTap(event: DatasetEvent) {
      const id = event.currentTarget.dataset.id;
      const row = this.data.results.find((r) => r.id === id) ?? this.data.holders.find((r) => r.id === id);
      if (!row) return;
      this.setData({ sheetShow: true, sheetTitle: row.title, sheetActions: roleActions(row.roles), sheetTarget: row, message: '' });
    },

    onSheetClose() {
      this.setData({ sheetShow: false });
    },

    onSheetSelect(event: { detail: RoleAction }) {
      const target = this.data.sheetTarget;
      const action = event.detail;
      this.setData({ sheetShow: false });
      if (!target || !action) return undefined;
      const pending: PendingChange = { id: target.id, name: target.title, change: action.change, role: action.role };
      if (action.change === 'revoke') {
        this.setData({ pending, confirmShow: true, confirmMessage: revokeQuestion(target.title, action.role) });
        return undefined;
      }
      return this.applyChange(pending);
    },

    onRevokeConfirm() {
      const pending = this.data.pending;
      this.setData({ confirmShow: false, pending: null });
      return pending ? this.applyChange(pending) : undefined;
    },

    onRevokeCancel() {
      this.setData({ confirmShow: false, pending: null });
    },

    applyChange(pending: PendingChange) {
      const call = pending.change === 'grant' ? grantRole : revokeRole;
      return call(pending.id, pending.role).then((result) => {
        if (!result.ok) {
          this.showFailure(result.error);
          return undefined;
        }
        const row = accountRow(result.data);
        this.setData({ results: replaceRow(this.data.results, row) });
        this.showDone(changeDoneText(pending.change, row.title, pending.role));
        // Holders are ordered by the backend; the changed account may enter or leave any page.
        this.setData({ historyLoaded: false });
        return this.loadHolders(true);
      });
    },

    onResolveTap(event: DatasetEvent) {
      const { id, action } = event.currentTarget.dataset;
      if (!id) return;
      const merge = action === 'merge';
      this.setData({
        resolveShow: true,
        resolveId: id,
        resolveAction: merge ? 'merge' : 'dismiss',
        resolveTitle: merge ? '合并账号' : '保持独立',
        resolveMessage: merge
          ? '原账号的角色、花名册绑定和资料并入现登录账号，原账号不再使用。'
          : '两个账号保持不变，此人今后登录现登录账号。',
        resolveNote: '',
      });
    },

    onResolveNoteChange(event: { detail: unknown }) {
      this.setData({ resolveNote: eventText(event) });
    },

    onResolveCancel() {
      this.setData({ resolveShow: false });
    },

    onResolveConfirm() {
      const { resolveId, resolveAction, resolveNote } = this.data;
      this.setData({ resolveShow: false });
      if (!resolveId) return undefined;
      return resolveConflict(resolveId, resolveAction, resolveNote).then((result) => {
        if (result.ok) {
          this.setData({ conflicts: replaceRow(this.data.conflicts, conflictRow(result.data)) });
          this.showDone(resolveAction === 'merge' ? '账号已合并' : '已标记为保持独立');
          if (resolveAction === 'merge') this.setData({ historyLoaded: false });
        } else {
          this.showFailure(result.error);
        }
      });
    },
  },
});
