import type { AppError, Result } from '../../../typings';
import { FIELD_LIMITS } from '../../../typings/limits';
import { perInstance } from '../../common/latest';
import { definePage } from '../../common/page';
import { uploadProposalImage } from '../../services/files';
import { listCategories, submitProposal } from '../../services/proposal';
import { declinedThisSession, knownSubscriptions, loadSubscriptions, promptSubscribe } from '../../services/subscribe';
import { errorText } from '../../utils/error-text';
import { eventText } from '../../utils/events';
import { countText } from '../../utils/notice-compose-view';
import {
  ANONYMOUS_NOTE,
  categoryOptions,
  checkProposal,
  fieldOfProposalError,
  hasProposalErrors,
  newProposalRequestId,
  NO_PROPOSAL_ERRORS,
  proposalUrl,
  UPLOADS_PENDING,
  type CategoryOption,
  type ImageRow,
  type ProposalErrors,
  type ProposalForm,
} from '../../utils/proposal-view';
import { promptIds } from '../../utils/subscribe-view';

type Status = 'loading' | 'ready' | 'error';

interface NewProposalData {
  status: Status;
  errorText: string;
  categories: CategoryOption[];
  form: ProposalForm;
  titleCount: string;
  contentCount: string;
  images: ImageRow[];
  errors: ProposalErrors;
  /** What the last submit said about the whole proposal (a limit, the content check). */
  message: string;
  /** Sending, or waiting for images to finish first. */
  busy: boolean;
  busyText: string;
  anonymousNote: string;
  contentAutosize: { minHeight: number };
  limits: typeof FIELD_LIMITS;
}

interface FormState {
  alive: boolean;
  /**
   * The submission's id, made with the form: its images are uploaded under it, and a retry after
   * a failure sends it again, so the backend never makes a second proposal of one submission.
   */
  requestId: string;
  uploads: number;
  /** Uploads on their way, by row key: a submit waits for them. */
  pending: Map<string, Promise<void>>;
}

const state = perInstance<FormState>(() => ({ alive: true, requestId: newProposalRequestId(), uploads: 0, pending: new Map() }));

interface DataEvent {
  currentTarget: { dataset: { key?: string; id?: string } };
}

const EMPTY_FORM: ProposalForm = { categoryId: '', title: '', content: '', anonymous: false };

function chooseImages(count: number): Promise<string[]> {
  return new Promise((resolve) => {
    wx.chooseMedia({
      count,
      mediaType: ['image'],
      sourceType: ['album', 'camera'],
      sizeType: ['compressed'],
      success: (res) => resolve((res.tempFiles ?? []).map((file) => file.tempFilePath).filter(Boolean)),
      // Cancelling the chooser is not an error.
      fail: () => resolve([]),
    });
  });
}

definePage({
  data: {
    status: 'loading',
    errorText: '',
    categories: [],
    form: { ...EMPTY_FORM },
    titleCount: countText('', FIELD_LIMITS.proposalTitle),
    contentCount: countText('', FIELD_LIMITS.proposalContent),
    images: [],
    errors: { ...NO_PROPOSAL_ERRORS },
    message: '',
    busy: false,
    busyText: '',
    anonymousNote: ANONYMOUS_NOTE,
    contentAutosize: { minHeight: 160 },
    limits: FIELD_LIMITS,
  } as NewProposalData,

  onLoad() {
    state(this).alive = true;
    // The popup on submit chooses its templates from what is known by then.
    void loadSubscriptions('proposal');
    void this.loadCategories();
  },

  onUnload() {
    state(this).alive = false;
  },

  methods: {
    loadCategories(): Promise<void> {
      return listCategories().then((result) => {
        if (!state(this).alive) return;
        if (!result.ok) {
          if (this.data.status !== 'ready') this.setData({ status: 'error', errorText: errorText(result.error) });
          return;
        }
        const categories = categoryOptions(result.data.items);
        const kept = categories.some((category) => category.id === this.data.form.categoryId);
        // A single category is the only choice there is.
        const categoryId = kept ? this.data.form.categoryId : categories.length === 1 ? categories[0].id : '';
        this.setData({ status: 'ready', categories, 'form.categoryId': categoryId });
      });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      return this.loadCategories();
    },

    onCategoryTap(event: DataEvent) {
      const id = event.currentTarget.dataset.id;
      if (id) this.setData({ 'form.categoryId': id, 'errors.category': '' });
    },

    onTitleChange(event: { detail: unknown }) {
      const title = eventText(event);
      this.setData({ 'form.title': title, 'errors.title': '', titleCount: countText(title, FIELD_LIMITS.proposalTitle) });
    },

    onContentChange(event: { detail: unknown }) {
      const content = eventText(event);
      this.setData({ 'form.content': content, 'errors.content': '', contentCount: countText(content, FIELD_LIMITS.proposalContent) });
    },

    onAnonymousToggle() {
      this.setData({ 'form.anonymous': !this.data.form.anonymous });
    },

    // Images: each is uploaded as soon as it is picked, into the submission's folder.

    onAddImages() {
      const room = FIELD_LIMITS.proposalImages - this.data.images.length;
      if (room <= 0 || this.data.busy) return undefined;
      return chooseImages(room).then((paths) => {
        const own = state(this);
        if (!own.alive || !paths.length) return undefined;
        const rows = paths.slice(0, FIELD_LIMITS.proposalImages - this.data.images.length).map((path): ImageRow => {
          own.uploads += 1;
          return { key: `img-${own.uploads}`, path, status: 'uploading', progress: 0, fileId: '' };
        });
        this.setData({ images: [...this.data.images, ...rows], 'errors.images': '' });
        return Promise.all(rows.map((row) => this.upload(row.key))).then(() => undefined);
      });
    },

    /** Uploads a row's file; its progress and outcome land on the row while it is still listed. */
    upload(key: string): Promise<void> {
      const own = state(this);
      const at = () => this.data.images.findIndex((row) => row.key === key);
      const row = this.data.images[at()];
      if (!row) return Promise.resolve();
      const done = uploadProposalImage(own.requestId, row.path, (percent) => {
        const index = at();
        if (index >= 0 && own.alive) this.setData({ [`images[${index}].progress`]: percent });
      }).then((result: Result<string>) => {
        own.pending.delete(key);
        const index = at();
        if (index < 0 || !own.alive) return;
        if (result.ok) this.setData({ [`images[${index}].status`]: 'done', [`images[${index}].fileId`]: result.data, [`images[${index}].progress`]: 100 });
        else this.setData({ [`images[${index}].status`]: 'failed', [`images[${index}].progress`]: 0 });
      });
      own.pending.set(key, done);
      return done;
    },

    onRetryImage(event: DataEvent) {
      const key = event.currentTarget.dataset.key;
      const index = this.data.images.findIndex((row) => row.key === key);
      if (!key || index < 0 || this.data.images[index].status !== 'failed') return undefined;
      this.setData({ [`images[${index}].status`]: 'uploading', [`images[${index}].progress`]: 0, 'errors.images': '' });
      return this.upload(key);
    },

    onRemoveImage(event: DataEvent) {
      const key = event.currentTarget.dataset.key;
      if (!key || this.data.busy) return;
      state(this).pending.delete(key);
      this.setData({ images: this.data.images.filter((row) => row.key !== key), 'errors.images': '' });
    },

    onPreviewImage(event: DataEvent) {
      const key = event.currentTarget.dataset.key;
      const row = this.data.images.find((image) => image.key === key);
      if (row) wx.previewImage({ urls: this.data.images.map((image) => image.path), current: row.path });
    },

    // Submitting

    /**
     * Sends the proposal once its images are up. The popup for status messages is asked for
     * here, inside the tap as WeChat requires, and never waited for.
     */
    onSubmit() {
      const own = state(this);
      if (this.data.busy || this.data.status !== 'ready') return undefined;
      // Images still uploading are waited for; anything else must be fixed first.
      const pendingOnly = (errors: ProposalErrors) => errors.images === UPLOADS_PENDING && !hasProposalErrors({ ...errors, images: '' });
      const errors = checkProposal(this.data.form, this.data.images, this.data.categories.map((category) => category.id));
      if (hasProposalErrors(errors) && !pendingOnly(errors)) {
        this.setData({ errors, message: '请先修改标红的内容' });
        return undefined;
      }
      if (!declinedThisSession('proposal')) promptSubscribe(promptIds(knownSubscriptions('proposal'), ['proposal-status']), 'proposal');
      this.setData({ errors: { ...NO_PROPOSAL_ERRORS }, message: '', busy: true, busyText: own.pending.size ? '等待图片上传…' : '提交中…' });
      return Promise.all([...own.pending.values()]).then(() => {
        if (!own.alive) return undefined;
        const after = checkProposal(this.data.form, this.data.images, this.data.categories.map((category) => category.id));
        if (hasProposalErrors(after)) {
          this.setData({ busy: false, errors: after, message: '请先修改标红的内容' });
          return undefined;
        }
        this.setData({ busyText: '提交中…' });
        return this.send();
      });
    },

    send(): Promise<void> {
      const own = state(this);
      const { form, images } = this.data;
      const requestId = own.requestId;
      return submitProposal({
        requestId,
        categoryId: form.categoryId,
        title: form.title.trim(),
        content: form.content.trim(),
        imageFileIds: images.map((row) => row.fileId),
        anonymous: form.anonymous,
      }).then((result) => {
        if (!own.alive) return undefined;
        if (!result.ok) {
          // The id stays: a retry of this submission must answer the proposal it may have made.
          this.setData({ busy: false });
          return this.showFailure(result.error);
        }
        // A next submission from this form is a new proposal.
        own.requestId = newProposalRequestId();
        this.setData({ busy: false, form: { ...EMPTY_FORM, categoryId: form.categoryId }, images: [], titleCount: countText('', FIELD_LIMITS.proposalTitle), contentCount: countText('', FIELD_LIMITS.proposalContent) });
        wx.showToast({ title: '已提交', icon: 'success' });
        wx.redirectTo({ url: proposalUrl(result.data.id) });
        return undefined;
      });
    },

    showFailure(error: AppError): Promise<void> | undefined {
      const field = fieldOfProposalError(error);
      if (field) {
        this.setData({ [`errors.${field}`]: errorText(error), message: '请先修改标红的内容' });
        // A category stopped meanwhile: the choices are read again.
        return field === 'category' ? this.loadCategories() : undefined;
      }
      this.setData({ message: errorText(error) });
      return undefined;
    },
  },
});
