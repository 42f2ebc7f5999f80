import type { AppError, ManagedNoticeDetail, NoticeKind, Result, UnitView } from '../../../../../typings';
import { FIELD_LIMITS } from '../../../../../typings/limits';
import { LatestOnly, perInstance, SearchLoads } from '../../../../common/latest';
import { definePage, type PageContext } from '../../../../common/page';
import { rosterPickerMethods, type RosterPicker } from '../../../../common/roster-picker';
import { uploadNoticeFile } from '../../../../services/files';
import { editNotice, manageNotice, newRequestId, publish, reach, saveDraft } from '../../../../services/notice';
import { currentAccount, ensureSession } from '../../../../services/session';
import { errorText } from '../../../../utils/error-text';
import { eventText } from '../../../../utils/events';
import {
  acceptFiles,
  ATTACHMENT_HINT,
  audienceChips,
  audienceInputOf,
  audienceIsEmpty,
  audienceText,
  BODY_HINT,
  CHOSEN_SHOWN,
  businessNow,
  businessToday,
  checkCompose,
  composeFormOf,
  composeModeOf,
  countText,
  DOCUMENT_EXTENSIONS,
  emptyComposeForm,
  fieldOfNoticeError,
  hasComposeErrors,
  imageName,
  KIND_OPTIONS,
  kindLabel,
  lockedText,
  mineUrl,
  NO_COMPOSE_ERRORS,
  noticeChangesOf,
  noticeInputOf,
  previewOf,
  readersUrl,
  reachView,
  savedRows,
  unitChipOf,
  uploadingRow,
  type AttachmentRow,
  type ComposeErrors,
  type ComposeForm,
  type PersonChip,
  type PickedFile,
  type PreviewView,
  type ReachView,
  type UnitChip,
} from '../../../../utils/notice-compose-view';
import { queryText, type PersonResult } from '../../../../utils/org-view';

type Status = 'loading' | 'ready' | 'missing' | 'error';
/** `draft`: a new notice or a saved draft (everything editable); `published`: only what may change after publishing. */
type Mode = 'draft' | 'published';
type Busy = '' | 'draft' | 'publish' | 'edit';

/** A member search result, marked when already chosen. */
/** People shown for one search: a name or number finds a person faster than scrolling. */

interface ComposeData {
  status: Status;
  errorText: string;
  mode: Mode;
  noticeId: string;
  /** The notice's version as last read; every save sends it back. */
  rev: string;
  form: ComposeForm;
  errors: ComposeErrors;
  kinds: typeof KIND_OPTIONS;
  kindLabel: string;
  titleCount: string;
  bodyCount: string;
  bodyHint: string;
  /** The body box grows with the text from about eight lines. */
  bodyAutosize: { minHeight: number };
  attachments: AttachmentRow[];
  attachmentHint: string;
  /** The first CHOSEN_SHOWN chosen units and people (all of them are in the page's state). */
  units: UnitChip[];
  people: PersonChip[];
  /** `另有 12 个单位` when more are chosen than shown; '' otherwise. */
  unitsMore: string;
  peopleMore: string;
  /** The audience of a published notice, read only. */
  audienceText: string;
  pickerShow: boolean;
  /** The chosen units as the picker marks them. */
  selectedUnits: Record<string, boolean>;
  query: string;
  results: PersonResult[];
  searching: boolean;
  searchNote: string;
  reach: ReachView | null;
  reachLoading: boolean;
  reachNote: string;
  today: string;
  busy: Busy;
  message: string;
  messageType: 'error' | 'success';
  previewShow: boolean;
  preview: PreviewView | null;
  limits: typeof FIELD_LIMITS;
}

interface State {
  alive: boolean;
  /**
   * The id of the publish attempt under way. Kept while the outcome is unknown (no reply, a
   * busy or failing server) so a retry can never publish twice; dropped once the server has
   * answered for certain.
   */
  requestId: string | null;
  /** The id of a first draft save, kept across its retries so a lost reply never makes two drafts. */
  draftRequestId: string | null;
  reach: LatestOnly;
  search: SearchLoads;
  uploads: number;
  /** Every chosen unit and person, in the order chosen. */
  units: UnitChip[];
  people: PersonChip[];
}

const state = perInstance<State>(() => ({ alive: true, requestId: null, draftRequestId: null, reach: new LatestOnly(), search: new SearchLoads(), uploads: 0, units: [], people: [] }));

type ComposeHost = PageContext<ComposeData> & { setPeople(people: PersonChip[]): void };

/** People chosen one by one for the audience, at most FIELD_LIMITS.audienceMembers (they may be past the chips shown). */
const picker: RosterPicker = {
  loads: (page) => state(page).search,
  alive: (page) => state(page).alive,
  chosenIds: (page) => state(page).people.map((person) => person.id),
  add(page, person) {
    const host = page as ComposeHost;
    const { people } = state(page);
    if (people.length >= FIELD_LIMITS.audienceMembers) {
      host.setData({ 'errors.audience': `最多指定 ${FIELD_LIMITS.audienceMembers} 人` });
      return false;
    }
    host.setPeople([...people, { id: person.id, name: person.name, number: person.label }]);
    return true;
  },
  remove(page, id) {
    (page as ComposeHost).setPeople(state(page).people.filter((person) => person.id !== id));
  },
  failureNote: (error) => (error.code === 'FORBIDDEN' ? '按姓名添加成员需要管理员权限，可改为选择单位' : null),
};

function moreText(count: number, unit: string): string {
  return count > CHOSEN_SHOWN ? `另有 ${count - CHOSEN_SHOWN} ${unit}未列出` : '';
}

/** Failures after which the publish may or may not have happened: the next try must carry the same id. */
const OUTCOME_UNKNOWN: ReadonlySet<string> = new Set(['NETWORK_ERROR', 'BUSY_RETRY', 'INTERNAL']);

interface FieldEvent {
  detail: unknown;
  currentTarget: { dataset: { field?: string; key?: string; id?: string } };
}

function chooseImages(count: number): Promise<PickedFile[]> {
  return new Promise((resolve) => {
    wx.chooseMedia({
      count,
      mediaType: ['image'],
      sourceType: ['album', 'camera'],
      success: (res) => resolve((res.tempFiles ?? []).map((file) => ({ path: file.tempFilePath, name: file.tempFilePath, size: file.size }))),
      // Cancelling the chooser is not an error.
      fail: () => resolve([]),
    });
  });
}

function chooseDocuments(count: number): Promise<PickedFile[]> {
  return new Promise((resolve) => {
    wx.chooseMessageFile({
      count,
      type: 'file',
      extension: [...DOCUMENT_EXTENSIONS],
      success: (res) => resolve((res.tempFiles ?? []).map((file) => ({ path: file.path, name: file.name, size: file.size }))),
      fail: () => resolve([]),
    });
  });
}

function authorName(): string {
  const account = currentAccount();
  return account?.member?.name || account?.nickname || '我';
}

definePage({
  data: {
    status: 'loading',
    errorText: '',
    mode: 'draft',
    noticeId: '',
    rev: '',
    form: emptyComposeForm(),
    errors: { ...NO_COMPOSE_ERRORS },
    kinds: KIND_OPTIONS,
    kindLabel: kindLabel('notice'),
    titleCount: countText('', FIELD_LIMITS.noticeTitle),
    bodyCount: countText('', FIELD_LIMITS.noticeBody),
    bodyHint: BODY_HINT,
    bodyAutosize: { minHeight: 160 },
    attachments: [],
    attachmentHint: ATTACHMENT_HINT,
    units: [],
    people: [],
    unitsMore: '',
    peopleMore: '',
    audienceText: '',
    pickerShow: false,
    selectedUnits: {},
    query: '',
    results: [],
    searching: false,
    searchNote: '',
    reach: null,
    reachLoading: false,
    reachNote: '选择发送范围后，这里显示能通知到多少人',
    today: businessToday(),
    busy: '',
    message: '',
    messageType: 'error',
    previewShow: false,
    preview: null,
    limits: FIELD_LIMITS,
  } as ComposeData,

  onLoad(query) {
    const noticeId = queryText(query.id);
    if (!noticeId) {
      this.setData({ status: 'ready' });
      return;
    }
    this.setData({ noticeId });
    this.load();
  },

  onUnload() {
    const own = state(this);
    own.alive = false;
    own.reach.cancel();
    own.search.cancel();
  },

  methods: {
    load(): Promise<void> {
      return manageNotice(this.data.noticeId).then((result) => {
        if (!state(this).alive) return;
        if (result.ok) {
          this.showNotice(result.data);
          return;
        }
        const code = result.error.code;
        if (code === 'NOTICE_NOT_FOUND' || code === 'FORBIDDEN') {
          this.setData({ status: 'missing', errorText: code === 'FORBIDDEN' ? '仅发布者和管理员可以编辑通知' : errorText(result.error) });
        } else {
          this.setData({ status: 'error', errorText: errorText(result.error) });
        }
      });
    },

    /** Shows a notice as the backend holds it: the form, its attachments and audience reset to it. */
    showNotice(detail: ManagedNoticeDetail) {
      const mode = composeModeOf(detail);
      if (mode === 'locked') {
        this.setData({ status: 'missing', errorText: lockedText(detail) });
        return;
      }
      const form = composeFormOf(detail.input);
      const chips = audienceChips(detail.audienceView);
      this.setData({
        status: 'ready',
        mode,
        noticeId: detail.id,
        rev: detail.rev,
        form,
        errors: { ...NO_COMPOSE_ERRORS },
        kindLabel: kindLabel(form.kind),
        titleCount: countText(form.title, FIELD_LIMITS.noticeTitle),
        bodyCount: countText(form.body, FIELD_LIMITS.noticeBody),
        attachments: savedRows(detail.input.attachments),
        audienceText: audienceText(detail.audienceView),
      });
      this.showChosen(chips.units, chips.people);
      wx.setNavigationBarTitle({ title: mode === 'published' ? '修改通知' : '编辑草稿' });
      if (mode === 'draft') this.refreshReach();
    },

    showMessage(text: string, type: 'error' | 'success' = 'error') {
      this.setData({ message: text, messageType: type });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      return this.load();
    },

    // Content

    onKindChange(event: { detail: unknown }) {
      const option = KIND_OPTIONS.find((kind) => kind.kind === event.detail);
      if (!option || this.data.mode !== 'draft' || option.kind === this.data.form.kind) return;
      const kind: NoticeKind = option.kind;
      this.setData({ 'form.kind': kind, 'form.pinned': false, kindLabel: kindLabel(kind), 'errors.audience': '' });
      this.refreshReach();
    },

    onTitleChange(event: FieldEvent) {
      const title = eventText(event);
      this.setData({ 'form.title': title, 'errors.title': '', titleCount: countText(title, FIELD_LIMITS.noticeTitle) });
    },

    onBodyChange(event: FieldEvent) {
      const body = eventText(event);
      this.setData({ 'form.body': body, 'errors.body': '', bodyCount: countText(body, FIELD_LIMITS.noticeBody) });
    },

    // Attachments

    onAddImages() {
      const room = FIELD_LIMITS.noticeAttachments - this.data.attachments.length;
      if (room <= 0) return this.showMessage(`最多 ${FIELD_LIMITS.noticeAttachments} 个附件`);
      return chooseImages(room).then((files) => {
        const images = this.data.attachments.filter((row) => row.kind === 'image').length;
        this.addFiles(files.map((file, index) => ({ ...file, name: imageName(file.path, images + index + 1) })));
      });
    },

    onAddDocuments() {
      const room = FIELD_LIMITS.noticeAttachments - this.data.attachments.length;
      if (room <= 0) return this.showMessage(`最多 ${FIELD_LIMITS.noticeAttachments} 个附件`);
      return chooseDocuments(room).then((files) => this.addFiles(files));
    },

    addFiles(files: PickedFile[]): Promise<void> {
      if (!files.length || !state(this).alive) return Promise.resolve();
      const { accepted, refusal } = acceptFiles(files, FIELD_LIMITS.noticeAttachments - this.data.attachments.length);
      this.setData({ 'errors.attachments': refusal });
      if (!accepted.length) return Promise.resolve();
      const own = state(this);
      const rows = accepted.map((file) => {
        own.uploads += 1;
        return uploadingRow(`new-${own.uploads}`, file);
      });
      this.setData({ attachments: [...this.data.attachments, ...rows] });
      return Promise.all(rows.map((row) => this.upload(row.key))).then(() => undefined);
    },

    /** Uploads the row's file; its progress and outcome land on the row while it is still listed. */
    upload(key: string): Promise<void> {
      const at = () => this.data.attachments.findIndex((row) => row.key === key);
      const row = this.data.attachments[at()];
      if (!row) return Promise.resolve();
      return ensureSession().then((session): Promise<Result<string>> | Result<string> => {
        if (!session.ok) return { ok: false, error: session.error };
        return uploadNoticeFile(session.data.id, row.tempPath, row.name, (percent) => {
          const index = at();
          if (index >= 0 && state(this).alive) this.setData({ [`attachments[${index}].progress`]: percent });
        });
      }).then((result) => {
        const index = at();
        if (index < 0 || !state(this).alive) return;
        if (result.ok) {
          this.setData({ [`attachments[${index}].status`]: 'done', [`attachments[${index}].fileId`]: result.data, [`attachments[${index}].progress`]: 100 });
          if (this.data.errors.attachments && !this.data.attachments.some((other) => other.status === 'failed')) this.setData({ 'errors.attachments': '' });
        } else {
          this.setData({ [`attachments[${index}].status`]: 'failed', [`attachments[${index}].progress`]: 0 });
        }
      });
    },

    onRetryUpload(event: FieldEvent) {
      const key = event.currentTarget.dataset.key;
      const index = this.data.attachments.findIndex((row) => row.key === key);
      if (!key || index < 0 || this.data.attachments[index].status !== 'failed') return undefined;
      this.setData({ [`attachments[${index}].status`]: 'uploading', [`attachments[${index}].progress`]: 0, 'errors.attachments': '' });
      return this.upload(key);
    },

    onRemoveAttachment(event: FieldEvent) {
      const key = event.currentTarget.dataset.key;
      if (key) this.setData({ attachments: this.data.attachments.filter((row) => row.key !== key), 'errors.attachments': '' });
    },

    // Audience

    onToggleAll() {
      if (this.data.mode !== 'draft') return;
      this.setData({ 'form.all': !this.data.form.all, 'errors.audience': '' });
      this.refreshReach();
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
      const { units } = state(this);
      const chosen = units.some((chip) => chip.id === unit.id);
      if (event.detail.selected === false) {
        if (chosen) this.setUnits(units.filter((chip) => chip.id !== unit.id));
        return;
      }
      if (chosen) return;
      if (units.length >= FIELD_LIMITS.audienceUnits) {
        this.setData({ 'errors.audience': `最多选择 ${FIELD_LIMITS.audienceUnits} 个单位` });
        return;
      }
      this.setUnits([...units, unitChipOf(unit)]);
    },

    onRemoveUnit(event: FieldEvent) {
      const id = event.currentTarget.dataset.id;
      if (id) this.setUnits(state(this).units.filter((chip) => chip.id !== id));
    },

    setUnits(units: UnitChip[]) {
      this.showChosen(units, state(this).people);
      this.setData({ 'errors.audience': '' });
      this.refreshReach();
    },

    setPeople(people: PersonChip[]) {
      this.showChosen(state(this).units, people);
      this.setData({ 'errors.audience': '' });
      this.refreshReach();
    },

    /** Keeps every chosen unit and person, and shows the first of each. */
    showChosen(units: UnitChip[], people: PersonChip[]) {
      const own = state(this);
      own.units = units;
      own.people = people;
      this.setData({
        units: units.slice(0, CHOSEN_SHOWN),
        unitsMore: moreText(units.length, '个单位'),
        people: people.slice(0, CHOSEN_SHOWN),
        peopleMore: moreText(people.length, '人'),
        selectedUnits: Object.fromEntries(units.map((unit) => [unit.id, true])),
      });
    },

    ...rosterPickerMethods(picker),

    /** Asks how far the audience reaches; a newer change supersedes a question still in flight. */
    refreshReach(): Promise<void> {
      const loads = state(this).reach;
      const { form } = this.data;
      const audience = audienceInputOf(form, state(this).units, state(this).people);
      if (audienceIsEmpty(audience)) {
        loads.cancel();
        this.setData({ reach: null, reachLoading: false, reachNote: '选择发送范围后，这里显示能通知到多少人' });
        return Promise.resolve();
      }
      const ticket = loads.begin(true);
      if (ticket === null) return Promise.resolve();
      this.setData({ reachLoading: true, reachNote: '' });
      return reach(audience, form.kind).then((result) => {
        if (!loads.settle(ticket) || !state(this).alive) return;
        if (result.ok) this.setData({ reachLoading: false, reach: reachView(result.data, CHOSEN_SHOWN), reachNote: '' });
        else this.setData({ reachLoading: false, reach: null, reachNote: `暂时无法统计覆盖人数：${errorText(result.error)}` });
      });
    },

    // Options

    onToggleConfirm() {
      this.setData({ 'form.requiresConfirm': !this.data.form.requiresConfirm });
    },

    onTogglePinned() {
      if (this.data.form.kind === 'announcement') this.setData({ 'form.pinned': !this.data.form.pinned });
    },

    onToggleSchedule() {
      if (this.data.mode === 'draft') this.setData({ 'form.scheduled': !this.data.form.scheduled, 'errors.schedule': '' });
    },

    onDateTimeChange(event: FieldEvent) {
      const field = event.currentTarget.dataset.field;
      const value = eventText(event);
      if (!value) return;
      if (field === 'deadlineDate' || field === 'deadlineTime') this.setData({ [`form.${field}`]: value, 'errors.deadline': '' });
      else if ((field === 'scheduleDate' || field === 'scheduleTime') && this.data.mode === 'draft') this.setData({ [`form.${field}`]: value, 'errors.schedule': '' });
    },

    onClearDeadline() {
      this.setData({ 'form.deadlineDate': '', 'errors.deadline': '' });
    },

    // Preview

    onPreview() {
      this.setData({ previewShow: true, preview: previewOf(this.data.form, this.data.attachments, authorName(), this.data.mode === 'published' ? '已发布' : '发布后显示时间') });
    },

    onPreviewClose() {
      this.setData({ previewShow: false });
    },

    // Saving

    /** The checks before a save; shows what to fix and answers whether to go on. */
    ready(purpose: 'draft' | 'publish' | 'edit'): boolean {
      if (this.data.busy) return false;
      const { form, attachments } = this.data;
      const { units, people } = state(this);
      const errors = checkCompose(form, attachments, audienceInputOf(form, units, people), purpose, businessNow());
      this.setData({ errors, message: '' });
      if (!hasComposeErrors(errors)) return true;
      this.showMessage('请先修改标红的内容');
      return false;
    },

    onSaveDraft() {
      if (this.data.mode !== 'draft' || !this.ready('draft')) return undefined;
      const { form, attachments, noticeId, rev } = this.data;
      const own = state(this);
      const { units, people } = own;
      if (!noticeId && !own.draftRequestId) own.draftRequestId = newRequestId();
      this.setData({ busy: 'draft' });
      return saveDraft(noticeInputOf(form, attachments, units, people), noticeId || null, rev || null, noticeId ? null : own.draftRequestId).then((result) => {
        if (!own.alive) return undefined;
        this.setData({ busy: '' });
        if (!result.ok) {
          if (!OUTCOME_UNKNOWN.has(result.error.code)) own.draftRequestId = null;
          return this.showFailure(result.error);
        }
        own.draftRequestId = null;
        this.setData({ noticeId: result.data.id, rev: result.data.rev });
        wx.setNavigationBarTitle({ title: '编辑草稿' });
        wx.showToast({ title: '已存草稿', icon: 'success' });
        return undefined;
      });
    },

    onPublish() {
      if (this.data.mode !== 'draft' || !this.ready('publish')) return undefined;
      const own = state(this);
      if (!own.requestId) own.requestId = newRequestId();
      const requestId = own.requestId;
      const { form, attachments, noticeId, rev } = this.data;
      const { units, people } = state(this);
      this.setData({ busy: 'publish' });
      return publish(requestId, noticeInputOf(form, attachments, units, people), noticeId ? { noticeId, rev } : null).then((result) => {
        if (!own.alive) return undefined;
        this.setData({ busy: '' });
        if (!result.ok) {
          if (!OUTCOME_UNKNOWN.has(result.error.code)) own.requestId = null;
          return this.showFailure(result.error);
        }
        own.requestId = null;
        this.setData({ noticeId: result.data.id, rev: result.data.rev });
        if (result.data.status === 'scheduled') {
          wx.showToast({ title: '已定时发布', icon: 'success' });
          wx.redirectTo({ url: mineUrl('scheduled') });
        } else {
          wx.showToast({ title: '已发布', icon: 'success' });
          // Replaces the form: going back must not offer to publish the same notice again.
          wx.redirectTo({ url: readersUrl(result.data.id) });
        }
        return undefined;
      });
    },

    onSaveEdit() {
      if (this.data.mode !== 'published' || !this.ready('edit')) return undefined;
      const { form, attachments, noticeId, rev } = this.data;
      this.setData({ busy: 'edit' });
      return editNotice(noticeId, rev, noticeChangesOf(form, attachments)).then((result) => {
        if (!state(this).alive) return undefined;
        this.setData({ busy: '' });
        if (!result.ok) return this.showFailure(result.error);
        this.showNotice(result.data);
        this.showMessage('已保存，读者会看到「已编辑」', 'success');
        wx.showToast({ title: '已保存', icon: 'success' });
        return undefined;
      });
    },

    showFailure(error: AppError) {
      if (error.code === 'NOTICE_STALE') {
        this.showMessage(errorText(error));
        return this.load();
      }
      const field = fieldOfNoticeError(error);
      if (field) {
        this.setData({ [`errors.${field}`]: errorText(error) });
        this.showMessage('请先修改标红的内容');
      } else {
        this.showMessage(errorText(error));
      }
      return undefined;
    },
  },
});
