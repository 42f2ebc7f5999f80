import type { AppError, ProposalInput, Result } from '../../../typings';
import { FIELD_LIMITS } from '../../../typings/limits';
import { perInstance } from '../../common/latest';
import { definePage } from '../../common/page';
import { uploadProposalImage, type UploadHandle } from '../../services/files';
import { listCategories, submitProposal } from '../../services/proposal';
import { declinedThisSession, knownSubscriptions, loadSubscriptions, promptSubscribe } from '../../services/subscribe';
import { errorText } from '../../utils/error-text';
import { eventText } from '../../utils/events';
import { countText } from '../../utils/notice-compose-view';
import {
  addSecureBytes,
  ANONYMOUS_NOTE,
  categoryOptions,
  checkProposal,
  fieldOfProposalError,
  hasProposalErrors,
  IMAGES_INVALID,
  NAMED_NOTE,
  newProposalRequestId,
  NO_PROPOSAL_ERRORS,
  OUTCOME_UNKNOWN,
  PROPOSALS_TAB_URL,
  proposalUrl,
  PROPOSAL_TAB_KEY,
  SECURE_POOL_SIZE,
  securePoolLow,
  submitOutcomeUnknown,
  submittedEarlier,
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
  /**
   * The last submit may have made the proposal (its outcome is unknown) or did so earlier: the
   * form no longer changes, so nothing but what went can be sent under its request id.
   */
  locked: boolean;
  /** Offer 重试 (the same request with the same content); off once the server said it was made. */
  lockedRetry: boolean;
  anonymousNote: string;
  namedNote: string;
  contentAutosize: { minHeight: number };
  limits: typeof FIELD_LIMITS;
}

interface FormState {
  alive: boolean;
  /**
   * The submission's id, made with the form: its images are uploaded under it, and a retry after
   * a failure sends it again, so the backend never makes a second proposal of one submission.
   */
  requestId: Promise<string>;
  uploads: number;
  /** Uploads on their way, by row key: a submit waits for them. */
  pending: Map<string, Promise<void>>;
  /** Their tasks, to stop the upload of an image removed (or of every image when the page is left). */
  tasks: Map<string, UploadHandle>;
  /** What went in the submit whose outcome is unknown: 重试 sends exactly this. */
  sent: ProposalInput | null;
  /** The categories were read once: a lone category is chosen for the person only then. */
  categoriesRead: boolean;
}

/**
 * Tops up the pool of secure random bytes the request id and the images' names are made of, from
 * wx.getRandomValues where the base library has it (2.15.0 on); resolves either way, and the ids
 * fall back to Math.random without it.
 */
let filling: Promise<void> | null = null;

function fillSecurePool(): Promise<void> {
  if (filling) return filling;
  if (!securePoolLow() || typeof wx.getRandomValues !== 'function') return Promise.resolve();
  filling = new Promise<void>((resolve) => {
    const done = () => {
      filling = null;
      resolve();
    };
    try {
      wx.getRandomValues({
        length: SECURE_POOL_SIZE,
        success: (res) => {
          addSecureBytes(new Uint8Array(res.randomValues));
          done();
        },
        fail: done,
      });
    } catch {
      done();
    }
  });
  return filling;
}

function freshRequestId(): Promise<string> {
  return fillSecurePool().then(() => newProposalRequestId());
}

const state = perInstance<FormState>(() => ({ alive: true, requestId: freshRequestId(), uploads: 0, pending: new Map(), tasks: new Map(), sent: null, categoriesRead: false }));

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
    locked: false,
    lockedRetry: false,
    anonymousNote: ANONYMOUS_NOTE,
    namedNote: NAMED_NOTE,
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
    const own = state(this);
    own.alive = false;
    for (const task of own.tasks.values()) task.abort();
    own.tasks.clear();
  },

  methods: {
    loadCategories(): Promise<void> {
      const own = state(this);
      return listCategories().then((result) => {
        if (!own.alive) return;
        if (!result.ok) {
          if (this.data.status !== 'ready') this.setData({ status: 'error', errorText: errorText(result.error) });
          return;
        }
        const categories = categoryOptions(result.data.items);
        const kept = categories.some((category) => category.id === this.data.form.categoryId);
        // A single category is the only choice there is; once the person chose, a category that
        // went away is not replaced behind their back by the one left.
        const first = !own.categoriesRead;
        own.categoriesRead = true;
        const categoryId = kept ? this.data.form.categoryId : first && categories.length === 1 ? categories[0].id : '';
        this.setData({ status: 'ready', categories, 'form.categoryId': categoryId });
      });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      return this.loadCategories();
    },

    onCategoryTap(event: DataEvent) {
      const id = event.currentTarget.dataset.id;
      if (id && !this.data.locked) this.setData({ 'form.categoryId': id, 'errors.category': '' });
    },

    onTitleChange(event: { detail: unknown }) {
      if (this.data.locked) return;
      const title = eventText(event);
      this.setData({ 'form.title': title, 'errors.title': '', titleCount: countText(title, FIELD_LIMITS.proposalTitle) });
    },

    onContentChange(event: { detail: unknown }) {
      if (this.data.locked) return;
      const content = eventText(event);
      this.setData({ 'form.content': content, 'errors.content': '', contentCount: countText(content, FIELD_LIMITS.proposalContent) });
    },

    onAnonymousToggle() {
      if (this.data.locked) return;
      this.setData({ 'form.anonymous': !this.data.form.anonymous });
    },

    // Images: each is uploaded as soon as it is picked, into the submission's folder.

    onAddImages() {
      const room = FIELD_LIMITS.proposalImages - this.data.images.length;
      if (room <= 0 || this.data.busy || this.data.locked) return undefined;
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
      const progress = (percent: number) => {
        const index = at();
        if (index >= 0 && own.alive) this.setData({ [`images[${index}].progress`]: percent });
      };
      const landed = (result: Result<string>) => {
        own.pending.delete(key);
        own.tasks.delete(key);
        const index = at();
        if (index < 0 || !own.alive) return;
        if (result.ok) this.setData({ [`images[${index}].status`]: 'done', [`images[${index}].fileId`]: result.data, [`images[${index}].progress`]: 100 });
        else this.setData({ [`images[${index}].status`]: 'failed', [`images[${index}].progress`]: 0 });
      };
      // The image's name is drawn from the pool too. One removed (or a page left) meanwhile is not sent.
      const done = Promise.all([own.requestId, fillSecurePool()]).then(([requestId]) => {
        if (at() < 0 || !own.alive) {
          own.pending.delete(key);
          return undefined;
        }
        return uploadProposalImage(requestId, row.path, progress, (task) => own.tasks.set(key, task)).then(landed);
      });
      own.pending.set(key, done);
      return done;
    },

    onRetryImage(event: DataEvent) {
      const key = event.currentTarget.dataset.key;
      const index = this.data.images.findIndex((row) => row.key === key);
      // A submit waiting for the uploads has checked the images already: none may start now.
      if (!key || index < 0 || this.data.busy || this.data.locked || this.data.images[index].status !== 'failed') return undefined;
      this.setData({ [`images[${index}].status`]: 'uploading', [`images[${index}].progress`]: 0, 'errors.images': '' });
      return this.upload(key);
    },

    onRemoveImage(event: DataEvent) {
      const key = event.currentTarget.dataset.key;
      if (!key || this.data.busy || this.data.locked) return;
      const own = state(this);
      own.tasks.get(key)?.abort();
      own.tasks.delete(key);
      own.pending.delete(key);
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
      if (this.data.busy || this.data.locked || this.data.status !== 'ready') return undefined;
      // Images still uploading are waited for; anything else must be fixed first.
      const categoryIds = () => this.data.categories.map((category) => category.id);
      const check = checkProposal(this.data.form, this.data.images, categoryIds());
      if (hasProposalErrors(check.errors) && !check.waitForUploads) {
        this.setData({ errors: check.errors, message: '请先修改标红的内容' });
        return undefined;
      }
      if (!declinedThisSession('proposal')) promptSubscribe(promptIds(knownSubscriptions('proposal'), ['proposal-status']), 'proposal');
      this.setData({ errors: { ...NO_PROPOSAL_ERRORS }, message: '', busy: true, busyText: own.pending.size ? '等待图片上传…' : '提交中…' });
      return Promise.all([...own.pending.values()])
        .then(() => own.requestId)
        .then((requestId) => {
          if (!own.alive) return undefined;
          const after = checkProposal(this.data.form, this.data.images, categoryIds());
          if (hasProposalErrors(after.errors)) {
            this.setData({ busy: false, errors: after.errors, message: '请先修改标红的内容' });
            return undefined;
          }
          this.setData({ busyText: '提交中…' });
          const { form, images } = this.data;
          return this.send({
            requestId,
            categoryId: form.categoryId,
            title: form.title.trim(),
            content: form.content.trim(),
            imageFileIds: images.map((row) => row.fileId),
            anonymous: form.anonymous,
          });
        });
    },

    /** 重试 of a submit whose outcome is unknown: the very request that went. */
    onRetrySubmit() {
      const sent = state(this).sent;
      if (!sent || !this.data.locked || !this.data.lockedRetry || this.data.busy) return undefined;
      this.setData({ message: '', busy: true, busyText: '提交中…' });
      return this.send(sent);
    },

    onOpenMine() {
      wx.setStorageSync(PROPOSAL_TAB_KEY, 'mine');
      wx.switchTab({ url: PROPOSALS_TAB_URL });
    },

    send(input: ProposalInput): Promise<void> {
      const own = state(this);
      return submitProposal(input).then((result) => {
        if (!own.alive) return undefined;
        if (!result.ok) {
          // The id stays: a retry of this submission must answer the proposal it may have made.
          this.setData({ busy: false });
          return this.showFailure(result.error, input);
        }
        // A next submission from this form is a new proposal.
        own.requestId = freshRequestId();
        own.sent = null;
        this.setData({ busy: false, locked: false, lockedRetry: false, form: { ...EMPTY_FORM, categoryId: input.categoryId }, images: [], titleCount: countText('', FIELD_LIMITS.proposalTitle), contentCount: countText('', FIELD_LIMITS.proposalContent) });
        wx.showToast({ title: '已提交', icon: 'success' });
        wx.redirectTo({ url: proposalUrl(result.data.id) });
        return undefined;
      });
    },

    showFailure(error: AppError, input: ProposalInput): Promise<void> | undefined {
      const own = state(this);
      if (submittedEarlier(error)) {
        // Made by an earlier send of this id: only the way to it is left.
        own.sent = null;
        this.setData({ locked: true, lockedRetry: false, message: errorText(error) });
        return undefined;
      }
      if (submitOutcomeUnknown(error)) {
        own.sent = input;
        this.setData({ locked: true, lockedRetry: true, message: OUTCOME_UNKNOWN });
        return undefined;
      }
      // A refusal: nothing was made under this id, so the form may change again.
      own.sent = null;
      this.setData({ locked: false, lockedRetry: false });
      const field = fieldOfProposalError(error);
      if (field) {
        this.setData({ [`errors.${field}`]: error.code === 'PROPOSAL_IMAGE_INVALID' ? IMAGES_INVALID : errorText(error), message: '请先修改标红的内容' });
        // A category stopped meanwhile: the choices are read again.
        return field === 'category' ? this.loadCategories() : undefined;
      }
      this.setData({ message: errorText(error) });
      return undefined;
    },
  },
});
