import type { AppError, ImportCounts, ImportItemCategory, ImportView } from '../../../../../typings';
import { definePage } from '../../../../common/page';
import { perInstance } from '../../../../common/latest';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, showWindow, windowRequest, type ListWindow, type WindowStart } from '../../../../common/paged-list';
import { uploadImportFile } from '../../../../services/files';
import { applyImport, getImport, importItems, listImports, previewImport } from '../../../../services/org';
import { errorText } from '../../../../utils/error-text';
import {
  applyQuestion,
  canApply,
  countCells,
  DEACTIVATE_WARNING,
  emptyItemsText,
  importItemRow,
  importResultText,
  importSummaryText,
  IMPORT_TABS,
  progressPercent,
  progressText,
  recentImportRow,
  skippedText,
  type CountCell,
  type ImportItemRow,
  type ImportTab,
  type RecentImportRow,
} from '../../../../utils/import-view';
import { queryText } from '../../../../utils/org-view';

/** How long to wait before asking again while another call applies the same import, or the roster is busy. */
const BUSY_RETRY_MS = 2000;
const FILE_EXTENSIONS = ['xlsx', 'csv'];

type Step = 'loading' | 'choose' | 'preview' | 'applying' | 'applied' | 'error';

interface ItemList {
  rows: ImportItemRow[];
  next: string | null;
  /** Which rows of the category are on screen (at most LIST_CAP); the counts above give the totals. */
  window: ListWindow;
  loaded: boolean;
  loading: boolean;
  emptyText: string;
}

interface ChosenFile {
  path: string;
  name: string;
}

interface ImportData {
  step: Step;
  errorText: string;
  file: ChosenFile | null;
  /** The file cell: the chosen file's name and how to change it, or how to choose one. */
  fileTitle: string;
  fileLabel: string;
  deactivateMissing: boolean;
  deactivateWarning: string;
  /** What the page is waiting for while uploading or previewing; empty when idle. */
  busyText: string;
  message: string;
  importId: string;
  fileName: string;
  counts: ImportCounts | null;
  summary: string;
  cells: CountCell[];
  canApply: boolean;
  tabs: typeof IMPORT_TABS;
  tab: ImportTab;
  lists: Record<ImportItemCategory, ItemList>;
  percent: number;
  progressText: string;
  /** An apply call failed with something other than BUSY: offer to continue. */
  applyStalled: boolean;
  resultText: string;
  skipped: number;
  skippedText: string;
  showSkipped: boolean;
  confirmShow: boolean;
  confirmMessage: string;
  /** Earlier imports, to resume one left applying or review one. */
  recent: RecentImportRow[];
  /** The newest import when it was left applying, shown first so it is resumed rather than forgotten. */
  pending: RecentImportRow | null;
}

interface State {
  alive: boolean;
  /** The import the apply loop is working on; null when no loop runs. */
  applying: string | null;
  /** Item loads in flight, per category; bumped when the import changes so old replies drop. */
  generation: number;
  itemLoads: Partial<Record<ImportItemCategory, boolean>>;
}

const state = perInstance<State>(() => ({ alive: true, applying: null, generation: 0, itemLoads: {} }));

function emptyList(category: ImportItemCategory): ItemList {
  return { rows: [], next: null, window: emptyWindow(), loaded: false, loading: false, emptyText: emptyItemsText(category) };
}

function emptyLists(): Record<ImportItemCategory, ItemList> {
  return {
    add: emptyList('add'),
    update: emptyList('update'),
    deactivate: emptyList('deactivate'),
    invalid: emptyList('invalid'),
    skipped: emptyList('skipped'),
  };
}

function extensionOf(name: string): string {
  const match = /\.([A-Za-z0-9]+)$/.exec(name);
  return match ? match[1].toLowerCase() : '';
}

/** The file cell's two lines for a chosen file, or none. */
function fileCell(file: ChosenFile | null): Pick<ImportData, 'file' | 'fileTitle' | 'fileLabel'> {
  return file ? { file, fileTitle: file.name, fileLabel: '点击重新选择' } : { file: null, fileTitle: '选择文件', fileLabel: '支持 xlsx、csv' };
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function chooseFile(): Promise<ChosenFile | null> {
  return new Promise((resolve) => {
    wx.chooseMessageFile({
      count: 1,
      type: 'file',
      extension: FILE_EXTENSIONS,
      success: (res) => {
        const file = res.tempFiles && res.tempFiles[0];
        resolve(file ? { path: file.path, name: file.name } : null);
      },
      // Cancelling the chooser is not an error.
      fail: () => resolve(null),
    });
  });
}

definePage({
  data: {
    step: 'choose',
    errorText: '',
    file: null,
    fileTitle: '选择文件',
    fileLabel: '支持 xlsx、csv',
    deactivateMissing: false,
    deactivateWarning: DEACTIVATE_WARNING,
    busyText: '',
    message: '',
    importId: '',
    fileName: '',
    counts: null,
    summary: '',
    cells: [],
    canApply: false,
    tabs: IMPORT_TABS,
    tab: 'add',
    lists: emptyLists(),
    percent: 0,
    progressText: '',
    applyStalled: false,
    resultText: '',
    skipped: 0,
    skippedText: '',
    showSkipped: false,
    confirmShow: false,
    confirmMessage: '',
    recent: [],
    pending: null,
  } as ImportData,

  onLoad(query) {
    const importId = queryText(query.id);
    if (importId) {
      this.setData({ step: 'loading', importId });
      this.reopen();
    } else {
      this.loadRecent();
    }
  },

  onUnload() {
    // The server keeps the import; an apply left half-way resumes when the page is opened again with ?id=.
    const own = state(this);
    own.alive = false;
    own.generation += 1;
  },

  onReachBottom() {
    if (this.data.step === 'preview') this.loadItems(this.data.tab, false);
    else if (this.data.step === 'applied' && this.data.showSkipped) this.loadItems('skipped', false);
  },

  methods: {
    loadRecent() {
      return listImports().then((result) => {
        // The list is a convenience: without it the page still imports.
        if (!result.ok || !state(this).alive) return;
        const items = result.data.items;
        const newest = items[0];
        this.setData({
          recent: items.slice(0, 5).map(recentImportRow),
          pending: newest && newest.status === 'applying' ? recentImportRow(newest) : null,
        });
      });
    },

    onRecentTap(event: { currentTarget: { dataset: { id?: string } } }) {
      const importId = event.currentTarget.dataset.id;
      if (!importId) return undefined;
      // Another import from here on: replies for the one shown before, and for a preview a tap raced with, are dropped.
      this.resetItems();
      this.setData({ step: 'loading', importId, busyText: '' });
      return this.reopen();
    },

    reopen() {
      const own = state(this);
      const generation = own.generation;
      return getImport(this.data.importId).then((result) => {
        if (!own.alive || own.generation !== generation) return undefined;
        if (!result.ok) {
          this.setData({ step: 'error', errorText: errorText(result.error) });
          return undefined;
        }
        this.showImport(result.data);
        return result.data.status === 'applying' ? this.runApply() : undefined;
      });
    },

    /** Shows an import in the step its status calls for. */
    showImport(view: ImportView) {
      const common = {
        importId: view.id,
        fileName: view.fileName,
        counts: view.counts,
        summary: importSummaryText(view.counts),
        cells: countCells(view.counts),
        canApply: canApply(view.counts),
        percent: progressPercent(view.progress),
        progressText: progressText(view.progress),
        skipped: view.skipped,
        skippedText: skippedText(view.skipped),
      };
      switch (view.status) {
        case 'previewed': {
          const first = this.data.step !== 'preview' || this.data.importId !== view.id;
          this.setData({ ...common, step: 'preview' });
          if (first) this.loadItems(this.data.tab, true);
          break;
        }
        case 'applying':
          this.setData({ ...common, step: 'applying' });
          break;
        case 'applied':
          this.setData({ ...common, step: 'applied', resultText: importResultText(view), percent: 100 });
          break;
        default:
          this.setData({ ...common, step: 'choose', message: errorText({ code: 'IMPORT_EXPIRED', message: '' }) });
      }
    },

    // Step 1: the file

    onChooseFile() {
      return chooseFile().then((file) => {
        if (!file) return;
        if (!FILE_EXTENSIONS.includes(extensionOf(file.name))) {
          this.setData({ message: '请选择 xlsx 或 csv 格式的花名册文件' });
          return;
        }
        this.setData({ ...fileCell(file), message: '' });
      });
    },

    onDeactivateToggle() {
      this.setData({ deactivateMissing: !this.data.deactivateMissing });
    },

    onPreview() {
      const file = this.data.file;
      if (!file || this.data.busyText) return undefined;
      const own = state(this);
      // Opening another import meanwhile bumps the generation: this preview's replies are then dropped.
      const generation = own.generation;
      const current = () => own.alive && own.generation === generation;
      this.setData({ busyText: '正在上传…', message: '' });
      return uploadImportFile(file.path, file.name).then((upload) => {
        if (!current()) return undefined;
        if (!upload.ok) {
          // The upload's own message says that the file did not reach the cloud.
          this.setData({ busyText: '', message: upload.error.message });
          return undefined;
        }
        this.setData({ busyText: '正在读取名单…' });
        return previewImport(upload.data, file.name, this.data.deactivateMissing).then((result) => {
          if (!current()) return;
          this.setData({ busyText: '' });
          if (!result.ok) {
            this.setData({ message: errorText(result.error) });
            return;
          }
          this.resetItems();
          this.setData({ tab: 'add' });
          this.showImport(result.data);
        });
      });
    },

    // Step 2: the preview

    resetItems() {
      state(this).generation += 1;
      state(this).itemLoads = {};
      this.setData({ lists: emptyLists(), showSkipped: false });
    },

    onTabChange(event: { detail: { name: string } }) {
      const tab = IMPORT_TABS.find((option) => option.name === event.detail.name);
      if (!tab) return;
      this.setData({ tab: tab.name });
      if (!this.data.lists[tab.name].loaded) this.loadItems(tab.name, true);
    },

    /** `reset` reads a window of the category from `start` (the first by default); otherwise the next page of the window shown. */
    loadItems(category: ImportItemCategory, reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const own = state(this);
      const list = this.data.lists[category];
      if (own.itemLoads[category] || (!reset && !list.next)) return Promise.resolve();
      own.itemLoads[category] = true;
      const generation = own.generation;
      const request = reset ? windowRequest(start) : nextRequest(list.next, list.window);
      this.setData({ [`lists.${category}.loading`]: true });
      return importItems(this.data.importId, category, request.after).then((result) => {
        if (generation !== own.generation) return;
        own.itemLoads[category] = false;
        if (!result.ok) {
          this.setData({ [`lists.${category}.loading`]: false, message: errorText(result.error) });
          return;
        }
        const shown = reset ? null : this.data.lists[category].rows;
        const offset = shown ? shown.length : 0;
        const rows = result.data.items.map((item, index) => importItemRow(item, offset + index));
        const page = listPage(`lists.${category}.rows`, shown, rows, result.data.next, request);
        this.setData({
          ...(page.rows ? { [`lists.${category}.rows`]: page.rows } : page.patch),
          [`lists.${category}.next`]: page.next,
          [`lists.${category}.window`]: page.window,
          [`lists.${category}.loaded`]: true,
          [`lists.${category}.loading`]: false,
        });
      });
    },

    onMoreItems() {
      this.loadItems(this.data.tab, false);
    },

    onItemsOnward() {
      const tab = this.data.tab;
      return showWindow(this.data.lists[tab].window.onward, (start) => this.loadItems(tab, true, start), '#items');
    },

    onItemsRestart() {
      const tab = this.data.tab;
      return showWindow(FIRST_WINDOW, (start) => this.loadItems(tab, true, start), '#items');
    },

    onSkippedOnward() {
      return showWindow(this.data.lists.skipped.window.onward, (start) => this.loadItems('skipped', true, start), '#skipped');
    },

    onSkippedRestart() {
      return showWindow(FIRST_WINDOW, (start) => this.loadItems('skipped', true, start), '#skipped');
    },

    onRestart() {
      state(this).generation += 1;
      this.resetItems();
      this.setData({ step: 'choose', importId: '', ...fileCell(null), busyText: '', message: '', applyStalled: false });
      return this.loadRecent();
    },

    onApplyTap() {
      const counts = this.data.counts;
      if (!counts || !canApply(counts)) return undefined;
      const question = applyQuestion(counts);
      if (question) {
        this.setData({ confirmShow: true, confirmMessage: question });
        return undefined;
      }
      return this.runApply();
    },

    onApplyCancel() {
      this.setData({ confirmShow: false });
    },

    onApplyConfirm() {
      this.setData({ confirmShow: false });
      return this.runApply();
    },

    // Step 3: applying, one call after another while the status is `applying`

    runApply(): Promise<void> {
      const own = state(this);
      const importId = this.data.importId;
      if (!importId || own.applying === importId) return Promise.resolve();
      own.applying = importId;
      this.setData({ step: 'applying', applyStalled: false, message: '' });
      // The loop applies the import it started with, and only while the page still shows it;
      // another import opened meanwhile runs its own loop.
      const finish = () => {
        if (own.applying === importId) own.applying = null;
      };
      const wanted = () => {
        if (own.alive && this.data.importId === importId) return true;
        finish();
        return false;
      };
      const next = (): Promise<void> =>
        applyImport(importId).then((result) => {
          if (!wanted()) return undefined;
          if (!result.ok) {
            // Both are contention that passes: another apply call holds the import, or many changes meet at once.
            const busy = result.error.code === 'IMPORT_BUSY' || result.error.code === 'BUSY_RETRY';
            if (busy) return wait(BUSY_RETRY_MS).then(() => (wanted() ? next() : undefined));
            finish();
            this.showApplyFailure(result.error);
            return undefined;
          }
          this.showImport(result.data);
          if (result.data.status === 'applying') return next();
          finish();
          return undefined;
        });
      return next();
    },

    showApplyFailure(error: AppError) {
      if (error.code === 'IMPORT_EXPIRED') {
        this.resetItems();
        this.setData({ step: 'choose', importId: '', message: errorText(error) });
      } else {
        this.setData({ applyStalled: true, message: errorText(error) });
      }
    },

    onContinueApply() {
      return this.runApply();
    },

    onShowSkipped() {
      this.setData({ showSkipped: true });
      if (!this.data.lists.skipped.loaded) this.loadItems('skipped', true);
    },
  },
});
