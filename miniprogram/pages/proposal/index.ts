import type { AppError, ProposalView } from '../../../typings';
import { FIELD_LIMITS } from '../../../typings/limits';
import { perInstance } from '../../common/latest';
import { definePage } from '../../common/page';
import { getProposal, rateProposal, supportProposal } from '../../services/proposal';
import { errorText } from '../../utils/error-text';
import { eventText } from '../../utils/events';
import { countText } from '../../utils/notice-compose-view';
import { queryText } from '../../utils/org-view';
import { checkRating, detailView, handleUrl, PROPOSALS_TAB_URL, proposalUrl, RATING_NOTE, type DetailView } from '../../utils/proposal-view';

type Status = 'loading' | 'ready' | 'missing' | 'error';

interface ProposalData {
  status: Status;
  errorText: string;
  view: DetailView | null;
  supporting: boolean;
  /** The rating being written (when the proposer may rate). */
  stars: number;
  comment: string;
  commentCount: string;
  ratingError: string;
  rating: boolean;
  ratingNote: string;
  limits: typeof FIELD_LIMITS;
}

interface PageState {
  proposalId: string;
  alive: boolean;
  /** Loaded once: showing the page again (back from handling it) reads it anew. */
  loaded: boolean;
  /** Counts loads: only the latest one's answer is shown. */
  ticket: number;
  /** An image preview is open: showing the page again is its closing, and nothing changed. */
  previewing: boolean;
}

const state = perInstance<PageState>(() => ({ proposalId: '', alive: true, loaded: false, ticket: 0, previewing: false }));

definePage({
  data: {
    status: 'loading',
    errorText: '',
    view: null,
    supporting: false,
    stars: 0,
    comment: '',
    commentCount: countText('', FIELD_LIMITS.proposalRatingComment),
    ratingError: '',
    rating: false,
    ratingNote: RATING_NOTE,
    limits: FIELD_LIMITS,
  } as ProposalData,

  onLoad(query) {
    const own = state(this);
    own.alive = true;
    own.proposalId = queryText(query.id);
    if (!own.proposalId) {
      this.setData({ status: 'missing' });
      return;
    }
    void this.load();
  },

  onShow() {
    const own = state(this);
    if (own.previewing) {
      own.previewing = false;
      return;
    }
    if (own.loaded) void this.load();
  },

  onUnload() {
    state(this).alive = false;
  },

  onPullDownRefresh() {
    void this.load().then(() => wx.stopPullDownRefresh());
  },

  methods: {
    load(): Promise<void> {
      const own = state(this);
      if (!own.proposalId) return Promise.resolve();
      own.ticket += 1;
      const ticket = own.ticket;
      return getProposal(own.proposalId).then((result) => {
        if (!own.alive || ticket !== own.ticket) return;
        if (result.ok) {
          own.loaded = true;
          this.show(result.data);
          return;
        }
        if (result.error.code === 'PROPOSAL_NOT_FOUND') this.setData({ status: 'missing', view: null });
        else if (this.data.status === 'ready') wx.showToast({ title: errorText(result.error), icon: 'none' });
        else this.setData({ status: 'error', errorText: errorText(result.error) });
      });
    },

    show(view: ProposalView) {
      this.setData({ status: 'ready', view: detailView(view, Date.now()) });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      return this.load();
    },

    onBackToList() {
      wx.switchTab({ url: PROPOSALS_TAB_URL });
    },

    onPreviewImage(event: { currentTarget: { dataset: { index?: number } } }) {
      const images = this.data.view?.images ?? [];
      const image = images[Number(event.currentTarget.dataset.index)];
      if (!image) return;
      const own = state(this);
      own.previewing = true;
      // A preview that never opened brings no onShow to clear the mark.
      wx.previewImage({ urls: images.map((tile) => tile.url), current: image.url, fail: () => (own.previewing = false) });
    },

    onMergedInto() {
      const into = this.data.view?.mergedInto;
      if (into?.visible) wx.navigateTo({ url: proposalUrl(into.id) });
    },

    onHandle() {
      const view = this.data.view;
      if (view?.canHandle) wx.navigateTo({ url: handleUrl(view.id) });
    },

    /** 附议 or its withdrawal; the count is the server's. */
    onSupport() {
      const view = this.data.view;
      if (!view || this.data.supporting || !(view.canSupport || view.supported)) return undefined;
      this.setData({ supporting: true });
      return supportProposal(view.id, !view.supported).then((result) => {
        if (!state(this).alive) return undefined;
        this.setData({ supporting: false });
        if (result.ok) {
          this.setData({ 'view.supportCount': result.data.supportCount, 'view.supported': result.data.supported });
          wx.showToast({ title: result.data.supported ? '已附议' : '已取消附议', icon: 'none' });
          return undefined;
        }
        return this.showFailure(result.error);
      });
    },

    /** A refused action says why; what changed underneath (no longer public, merged, rated) is read again. */
    showFailure(error: AppError): Promise<void> | undefined {
      wx.showToast({ title: errorText(error), icon: 'none' });
      return error.code === 'NETWORK_ERROR' ? undefined : this.load();
    },

    onStarsChange(event: { detail: unknown }) {
      this.setData({ stars: Number(event.detail) || 0, ratingError: '' });
    },

    onCommentChange(event: { detail: unknown }) {
      const comment = eventText(event);
      this.setData({ comment, commentCount: countText(comment, FIELD_LIMITS.proposalRatingComment), ratingError: '' });
    },

    onRate() {
      const view = this.data.view;
      if (!view?.canRate || this.data.rating) return undefined;
      const errors = checkRating(this.data.stars, this.data.comment);
      if (errors.stars || errors.comment) {
        this.setData({ ratingError: errors.stars || errors.comment });
        return undefined;
      }
      this.setData({ rating: true });
      return rateProposal(view.id, this.data.stars, this.data.comment.trim()).then((result) => {
        if (!state(this).alive) return undefined;
        this.setData({ rating: false });
        if (result.ok) {
          this.show(result.data);
          wx.showToast({ title: '感谢你的评价', icon: 'none' });
          return undefined;
        }
        return this.showFailure(result.error);
      });
    },
  },
});
