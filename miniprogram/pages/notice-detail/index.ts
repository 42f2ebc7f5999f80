import type { AttachmentLink, NoticeDetail } from '../../../typings';
import { perInstance } from '../../common/latest';
import { definePage } from '../../common/page';
import { namedDownloadPath } from '../../services/files';
import { confirmNotice, openNotice } from '../../services/notice';
import { knownSubscriptions, loadSubscriptions, promptSubscribe } from '../../services/subscribe';
import { errorText } from '../../utils/error-text';
import { documentType, detailView, NOTICE_READ_EVENT, type DetailView, type NoticeReadEvent } from '../../utils/notice-view';
import { queryText } from '../../utils/org-view';
import { creditText, hasCredit, offers, promptIds } from '../../utils/subscribe-view';

type Status = 'loading' | 'ready' | 'gone' | 'error';

interface DetailData {
  status: Status;
  errorText: string;
  view: DetailView | null;
  confirming: boolean;
  /** 开启提醒: shown after the read to someone who could get no message about the next notice. */
  prompt: boolean;
}

interface DetailState {
  noticeId: string;
  /** The links of the notice as last opened: they expire, and are never stored. */
  attachments: AttachmentLink[];
  /** Image links were refreshed once after a thumbnail failed to load: not again. */
  imagesRefreshed: boolean;
  /** When the links shown were handed out (they last 30 minutes). */
  linksAt: number;
}

const DOWNLOAD_FAILED = '附件下载失败，请稍后重试';
const OPEN_FAILED = '无法打开该文件';

const state = perInstance<DetailState>(() => ({ noticeId: '', attachments: [], imagesRefreshed: false, linksAt: 0 }));

/** Links older than this are renewed before a preview: the function hands out 30-minute ones. */
const LINK_FRESH_MS = 25 * 60_000;

/** Downloads a link to a file named `name`; null when it failed (an expired link answers 403). */
function download(url: string, name: string): Promise<string | null> {
  return new Promise((resolve) => {
    try {
      const filePath = namedDownloadPath(name);
      wx.downloadFile({
        url,
        ...(filePath ? { filePath } : {}),
        success: (res) => {
          const saved = (res as { filePath?: string }).filePath ?? res.tempFilePath;
          resolve(res.statusCode === 200 && saved ? saved : null);
        },
        fail: () => resolve(null),
      });
    } catch {
      resolve(null);
    }
  });
}

definePage({
  data: {
    status: 'loading',
    errorText: '',
    view: null,
    confirming: false,
    prompt: false,
  } as DetailData,

  onLoad(query) {
    state(this).noticeId = queryText(query.id);
    this.load();
  },

  onPullDownRefresh() {
    this.load().then(() => wx.stopPullDownRefresh());
  },

  methods: {
    load(): Promise<void> {
      const noticeId = state(this).noticeId;
      if (!noticeId) {
        this.setData({ status: 'gone' });
        return Promise.resolve();
      }
      if (this.data.status !== 'ready') this.setData({ status: 'loading', errorText: '' });
      return openNotice(noticeId).then((result) => {
        if (!result.ok) {
          if (result.error.code === 'NOTICE_NOT_FOUND') this.setData({ status: 'gone' });
          else if (this.data.status === 'ready') wx.showToast({ title: errorText(result.error), icon: 'none' });
          else this.setData({ status: 'error', errorText: errorText(result.error) });
          return;
        }
        this.show(result.data);
        if (result.data.receipt) {
          this.tellOpener({ noticeId, confirmed: !!result.data.receipt.confirmedAt });
          this.offerReminders();
        }
      });
    },

    show(notice: NoticeDetail) {
      state(this).attachments = notice.attachments;
      state(this).linksAt = Date.now();
      const view = detailView(notice, Date.now());
      this.setData({ status: 'ready', view });
      wx.setNavigationBarTitle({ title: `${view.kindLabel}详情` });
    },

    /** The inbox that opened this page takes the dot off and counts again; opened from elsewhere, nobody listens. */
    tellOpener(event: NoticeReadEvent) {
      try {
        this.getOpenerEventChannel?.()?.emit(NOTICE_READ_EVENT, event);
      } catch {
        // No opener to tell: the inbox counts again when it shows.
      }
    },

    /** After the read: offered only to someone reminders could not reach, so it does not nag. */
    offerReminders() {
      return loadSubscriptions().then((subscriptions) => {
        this.setData({ prompt: offers(subscriptions, 'notice') && !hasCredit(subscriptions, 'notice') });
      });
    },

    onRetry() {
      this.load();
    },

    onSubscribe() {
      const ids = promptIds(knownSubscriptions(), ['notice', 'remind']);
      return promptSubscribe(ids).recorded.then((recorded) => {
        if (!recorded) return;
        this.setData({ prompt: !hasCredit(recorded, 'notice') });
        const text = creditText(recorded);
        if (text) wx.showToast({ title: text, icon: 'none' });
      });
    },

    /**
     * 确认收到. Someone reminders could not reach is asked too (the popup needs this tap); the
     * confirmation does not wait for the answer.
     */
    onConfirm() {
      const noticeId = state(this).noticeId;
      if (this.data.confirming || !this.data.view?.canConfirm) return undefined;
      const subscriptions = knownSubscriptions();
      if (!hasCredit(subscriptions, 'notice')) {
        promptSubscribe(promptIds(subscriptions, ['notice', 'remind'])).recorded.then((recorded) => {
          if (recorded) this.setData({ prompt: !hasCredit(recorded, 'notice') });
        });
      }
      this.setData({ confirming: true });
      return confirmNotice(noticeId).then((result) => {
        if (!result.ok) {
          this.setData({ confirming: false });
          if (result.error.code === 'NOTICE_NOT_FOUND') this.setData({ status: 'gone' });
          else wx.showToast({ title: errorText(result.error), icon: 'none' });
          return;
        }
        this.setData({ confirming: false, 'view.canConfirm': false, 'view.confirmedText': `已确认 ${result.data.confirmedAt}` });
        wx.showToast({ title: '已确认收到', icon: 'success' });
        this.tellOpener({ noticeId, confirmed: true });
      });
    },

    /** Previews the notice's images; links older than LINK_FRESH_MS are renewed first (an open page outlives them). */
    onImageTap(event: { currentTarget: { dataset: { url?: string } } }) {
      const tapped = event.currentTarget.dataset.url;
      const images = this.data.view?.images ?? [];
      const index = images.findIndex((image) => image.url === tapped);
      if (index < 0) return undefined;
      const own = state(this);
      if (Date.now() - own.linksAt < LINK_FRESH_MS) {
        wx.previewImage({ urls: images.map((image) => image.url), current: images[index].url });
        return undefined;
      }
      return openNotice(own.noticeId).then((result) => {
        if (!result.ok) return wx.showToast({ title: errorText(result.error), icon: 'none' });
        this.show(result.data);
        const fresh = this.data.view?.images ?? [];
        if (fresh.length > 0) wx.previewImage({ urls: fresh.map((image) => image.url), current: (fresh[index] ?? fresh[0]).url });
        return undefined;
      });
    },

    /** A thumbnail that fails to load most likely has an expired link: open the notice again, once. */
    onImageError() {
      const own = state(this);
      if (own.imagesRefreshed || this.data.status !== 'ready') return undefined;
      own.imagesRefreshed = true;
      return openNotice(own.noticeId).then((result) => {
        if (result.ok) this.show(result.data);
      });
    },

    onDocumentTap(event: { currentTarget: { dataset: { id?: string } } }) {
      const fileId = event.currentTarget.dataset.id;
      const attachment = state(this).attachments.find((a) => a.fileId === fileId);
      if (!attachment) return undefined;
      wx.showLoading({ title: '正在打开…', mask: true });
      return this.openDocument(attachment, false);
    },

    /** Downloads and opens a document; a failed download opens the notice again once for a fresh link. */
    openDocument(attachment: AttachmentLink, retried: boolean): Promise<void> {
      return download(attachment.url, attachment.name).then((filePath) => {
        if (filePath) {
          wx.hideLoading();
          const fileType = documentType(attachment);
          wx.openDocument({
            filePath,
            ...(fileType ? { fileType } : {}),
            showMenu: true,
            fail: () => wx.showToast({ title: OPEN_FAILED, icon: 'none' }),
          });
          return undefined;
        }
        if (retried) return this.downloadFailed();
        return openNotice(state(this).noticeId).then((result) => {
          const fresh = result.ok ? result.data.attachments.find((a) => a.fileId === attachment.fileId) : undefined;
          if (!result.ok || !fresh) return this.downloadFailed();
          this.show(result.data);
          return this.openDocument(fresh, true);
        });
      });
    },

    downloadFailed() {
      wx.hideLoading();
      wx.showToast({ title: DOWNLOAD_FAILED, icon: 'none' });
    },

    onStats() {
      const url = this.data.view?.statsUrl;
      if (url) wx.navigateTo({ url });
    },
  },
});
