/**
 * 办理提案: one proposal as its handlers see it (content, images, answer, history) with the
 * actions the caller may take now. Every action sends the `rev` it read; when another handler
 * acted first (PROPOSAL_STALE) the proposal is read again and the person told so.
 */
import type { AppError, ProposalView, Result } from '../../../../../typings';
import { FIELD_LIMITS } from '../../../../../typings/limits';
import { perInstance } from '../../../../common/latest';
import { definePage, stopDialogLoading } from '../../../../common/page';
import {
  answerProposal,
  assignProposal,
  getProposal,
  handlingProposals,
  listCategories,
  mergeProposal,
  moveProposal,
  publishProposal,
  revealAuthor,
} from '../../../../services/proposal';
import { errorText } from '../../../../utils/error-text';
import { eventText } from '../../../../utils/events';
import { queryText } from '../../../../utils/org-view';
import {
  actionKeyOf,
  checkAnswer,
  checkProposalReason,
  doneText,
  handlerChoices,
  handleView,
  mergeChoices,
  mergeQuestion,
  moveDialogText,
  moveTarget,
  REVEAL_NOTICE,
  revealedLines,
  type ActionKey,
  type HandlerChoice,
  type HandleView,
  type MergeChoice,
} from '../../../../utils/proposal-admin-view';
import { handleUrl } from '../../../../utils/proposal-view';

type Status = 'loading' | 'ready' | 'missing' | 'error';

interface HandleData {
  status: Status;
  errorText: string;
  /** What the template shows of the proposal last read (the view itself stays in the page's state). */
  view: HandleView | null;
  /** The action being sent, so every button waits. */
  acting: ActionKey | '';
  message: string;
  messageType: 'error' | 'success';
  moveShow: boolean;
  moveKey: ActionKey | '';
  moveTitle: string;
  moveText: string;
  moveReason: string;
  moveAnswer: string;
  moveError: string;
  answerShow: boolean;
  answerText: string;
  answerError: string;
  assignShow: boolean;
  assignChoices: HandlerChoice[];
  mergeShow: boolean;
  mergeChoices: MergeChoice[];
  mergeNext: string | null;
  mergeLoading: boolean;
  mergeNote: string;
  mergeConfirmShow: boolean;
  mergeIntoId: string;
  mergeQuestion: string;
  revealShow: boolean;
  revealNotice: string;
  revealReason: string;
  revealError: string;
  revealedShow: boolean;
  revealedLines: string[];
  limits: typeof FIELD_LIMITS;
}

interface State {
  alive: boolean;
  proposalId: string;
  /** The proposal as last read; its `rev` goes with every action. */
  proposal: ProposalView | null;
  /** Counts merge-list loads: a new opening drops the answer of an older one. */
  mergeTicket: number;
}

const state = perInstance<State>(() => ({ alive: true, proposalId: '', proposal: null, mergeTicket: 0 }));

interface TapEvent {
  detail: unknown;
  currentTarget: { dataset: { key?: string; id?: string; index?: number } };
}

/** Where the failure of an action is shown: in its open dialog or popup, or above the proposal. */
type Place = 'move' | 'answer' | 'merge' | 'reveal' | 'page';

const DIALOGS: Record<Exclude<Place, 'page' | 'answer'>, string> = {
  move: '.move-dialog',
  merge: '.merge-dialog',
  reveal: '.reveal-dialog',
};

definePage({
  data: {
    status: 'loading',
    errorText: '',
    view: null,
    acting: '',
    message: '',
    messageType: 'error',
    moveShow: false,
    moveKey: '',
    moveTitle: '',
    moveText: '',
    moveReason: '',
    moveAnswer: '',
    moveError: '',
    answerShow: false,
    answerText: '',
    answerError: '',
    assignShow: false,
    assignChoices: [],
    mergeShow: false,
    mergeChoices: [],
    mergeNext: null,
    mergeLoading: false,
    mergeNote: '',
    mergeConfirmShow: false,
    mergeIntoId: '',
    mergeQuestion: '',
    revealShow: false,
    revealNotice: REVEAL_NOTICE,
    revealReason: '',
    revealError: '',
    revealedShow: false,
    revealedLines: [],
    limits: FIELD_LIMITS,
  } as HandleData,

  onLoad(query) {
    const proposalId = queryText(query.id);
    if (!proposalId) {
      this.setData({ status: 'missing', errorText: '没有指定要办理的提案' });
      return;
    }
    state(this).proposalId = proposalId;
    void this.load();
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
      return getProposal(own.proposalId).then((result) => {
        if (!own.alive) return;
        if (result.ok) this.show(result.data);
        else if (result.error.code === 'PROPOSAL_NOT_FOUND') this.setData({ status: 'missing', errorText: errorText(result.error) });
        else if (own.proposal) this.showMessage(errorText(result.error));
        else this.setData({ status: 'error', errorText: errorText(result.error) });
      });
    },

    show(view: ProposalView) {
      state(this).proposal = view;
      this.setData({ status: 'ready', view: handleView(view, Date.now()) });
    },

    showMessage(text: string, type: 'error' | 'success' = 'error') {
      this.setData({ message: text, messageType: type });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      return this.load();
    },

    onPreviewImage(event: TapEvent) {
      const urls = this.data.view?.images ?? [];
      const current = urls[Number(event.currentTarget.dataset.index)];
      if (current) wx.previewImage({ urls, current });
    },

    onOpenMerged() {
      const into = state(this).proposal?.mergedInto;
      if (into?.visible) wx.navigateTo({ url: handleUrl(into.id) });
    },

    onAction(event: TapEvent) {
      const key = actionKeyOf(event.currentTarget.dataset.key);
      const view = state(this).proposal;
      if (!key || !view || this.data.acting) return undefined;
      this.setData({ message: '' });
      switch (key) {
        case 'accept':
        case 'start':
          return this.act(key, 'page', () => moveProposal(view, moveTarget(key) ?? view.status));
        case 'resolve':
        case 'reject':
          this.setData({
            moveShow: true,
            moveKey: key,
            moveTitle: key === 'resolve' ? '办结提案' : '不予采纳该提案',
            moveText: moveDialogText(key),
            moveReason: '',
            moveAnswer: '',
            moveError: '',
          });
          return undefined;
        case 'answer':
          this.setData({ answerShow: true, answerText: view.answer?.text ?? '', answerError: '' });
          return undefined;
        case 'assign':
          return this.openAssign(view);
        case 'publish':
          return this.act('publish', 'page', () => publishProposal(view, !view.public));
        case 'merge':
          return this.openMerge();
        case 'reveal':
          this.setData({ revealShow: true, revealReason: '', revealError: '' });
          return undefined;
        default:
          return undefined;
      }
    },

    /**
     * Sends one action and shows what came back. A stale read is read again (whatever was open
     * closes, since it was about the proposal as it was); other failures stay where they happened.
     */
    act(key: ActionKey, place: Place, send: () => Promise<Result<ProposalView>>): Promise<void> {
      this.setData({ acting: key });
      return send().then((result) => {
        if (!state(this).alive) return undefined;
        this.setData({ acting: '' });
        if (result.ok) {
          this.closeAll();
          this.show(result.data);
          wx.showToast({ title: doneText(key, result.data), icon: 'success' });
          return undefined;
        }
        return this.failed(result.error, place);
      });
    },

    failed(error: AppError, place: Place): Promise<void> | undefined {
      if (error.code === 'PROPOSAL_STALE' || error.code === 'PROPOSAL_NOT_FOUND') {
        this.closeAll();
        this.showMessage(errorText(error));
        return this.load();
      }
      const text = errorText(error);
      if (place === 'move') this.setData({ moveError: text });
      else if (place === 'answer') this.setData({ answerError: text });
      else if (place === 'reveal') this.setData({ revealError: text });
      else {
        if (place === 'merge') this.setData({ mergeConfirmShow: false });
        this.showMessage(text);
      }
      if (place !== 'page' && place !== 'answer') stopDialogLoading(this, DIALOGS[place]);
      return undefined;
    },

    closeAll() {
      this.setData({ moveShow: false, answerShow: false, assignShow: false, mergeShow: false, mergeConfirmShow: false, revealShow: false });
    },

    // 办结 and 不予采纳

    onMoveReasonChange(event: TapEvent) {
      this.setData({ moveReason: eventText(event), moveError: '' });
    },

    onMoveAnswerChange(event: TapEvent) {
      this.setData({ moveAnswer: eventText(event), moveError: '' });
    },

    onMoveCancel() {
      this.setData({ moveShow: false });
    },

    onMoveConfirm() {
      const view = state(this).proposal;
      const key = this.data.moveKey;
      const to = key ? moveTarget(key) : null;
      if (!view || !key || !to || this.data.acting) {
        stopDialogLoading(this, '.move-dialog');
        return undefined;
      }
      const problem = key === 'reject' ? checkProposalReason(this.data.moveReason, '不予采纳的原因') : checkAnswer(this.data.moveAnswer, false);
      if (problem) {
        this.setData({ moveError: problem });
        stopDialogLoading(this, '.move-dialog');
        return undefined;
      }
      const extra = key === 'reject' ? { reason: this.data.moveReason.trim() } : { answer: this.data.moveAnswer.trim() };
      return this.act(key, 'move', () => moveProposal(view, to, extra));
    },

    // 答复

    onAnswerChange(event: TapEvent) {
      this.setData({ answerText: eventText(event), answerError: '' });
    },

    onAnswerClose() {
      this.setData({ answerShow: false });
    },

    onAnswerSave() {
      const view = state(this).proposal;
      if (!view || this.data.acting) return undefined;
      const problem = checkAnswer(this.data.answerText, true);
      if (problem) {
        this.setData({ answerError: problem });
        return undefined;
      }
      return this.act('answer', 'answer', () => answerProposal(view, this.data.answerText.trim()));
    },

    // 指派

    openAssign(view: ProposalView): Promise<void> {
      this.setData({ acting: 'assign' });
      return listCategories(true).then((result) => {
        if (!state(this).alive) return;
        this.setData({ acting: '' });
        if (!result.ok) {
          this.showMessage(errorText(result.error));
          return;
        }
        const choices = handlerChoices(
          result.data.items.find((category) => category.id === view.categoryId),
          view.assignee,
        );
        if (!choices.length) {
          this.showMessage('该类别还没有处理人，管理员可在「类别管理」中添加');
          return;
        }
        this.setData({ assignShow: true, assignChoices: choices });
      });
    },

    onAssignSelect(event: { detail: HandlerChoice | null }) {
      const choice = event.detail;
      const view = state(this).proposal;
      this.setData({ assignShow: false });
      if (!choice || !view) return undefined;
      if (choice.id && choice.id === view.assignee?.id) return undefined;
      return this.act('assign', 'page', () => assignProposal(view, choice.id || null));
    },

    onAssignClose() {
      this.setData({ assignShow: false });
    },

    // 合并到…

    openMerge(): Promise<void> {
      this.setData({ mergeShow: true, mergeChoices: [], mergeNext: null, mergeNote: '' });
      return this.loadMerge(null);
    },

    loadMerge(after: string | null): Promise<void> {
      const own = state(this);
      own.mergeTicket += 1;
      const ticket = own.mergeTicket;
      this.setData({ mergeLoading: true });
      return handlingProposals({ openOnly: true }, after).then((result) => {
        if (!own.alive || ticket !== own.mergeTicket) return;
        if (!result.ok) {
          this.setData({ mergeLoading: false, mergeNote: errorText(result.error) });
          return;
        }
        const shown = new Set(this.data.mergeChoices.map((choice) => choice.id));
        const fresh = mergeChoices(result.data.items, own.proposalId, Date.now()).filter((choice) => !shown.has(choice.id));
        const start = this.data.mergeChoices.length;
        const patch: Record<string, MergeChoice> = {};
        fresh.forEach((choice, index) => (patch[`mergeChoices[${start + index}]`] = choice));
        const none = !start && !fresh.length && !result.data.next;
        this.setData({ ...patch, mergeNext: result.data.next, mergeLoading: false, mergeNote: none ? '没有可以合并到的办理中提案' : '' });
      });
    },

    onMergeMore() {
      return this.data.mergeNext && !this.data.mergeLoading ? this.loadMerge(this.data.mergeNext) : undefined;
    },

    onMergeClose() {
      state(this).mergeTicket += 1;
      this.setData({ mergeShow: false, mergeLoading: false });
    },

    onMergePick(event: TapEvent) {
      const id = event.currentTarget.dataset.id;
      const into = this.data.mergeChoices.find((choice) => choice.id === id);
      const view = state(this).proposal;
      if (!into || !view) return;
      this.setData({ mergeConfirmShow: true, mergeIntoId: into.id, mergeQuestion: mergeQuestion(view.title, into.title) });
    },

    onMergeCancel() {
      this.setData({ mergeConfirmShow: false });
    },

    onMergeConfirm() {
      const view = state(this).proposal;
      const intoId = this.data.mergeIntoId;
      if (!view || !intoId || this.data.acting) {
        stopDialogLoading(this, '.merge-dialog');
        return undefined;
      }
      return this.act('merge', 'merge', () => mergeProposal(view, intoId).then((result) => (result.ok ? { ok: true as const, data: result.data.merged } : result)));
    },

    // 查看提案人

    onRevealReasonChange(event: TapEvent) {
      this.setData({ revealReason: eventText(event), revealError: '' });
    },

    onRevealCancel() {
      this.setData({ revealShow: false });
    },

    onRevealConfirm() {
      const view = state(this).proposal;
      const problem = checkProposalReason(this.data.revealReason, '查看原因');
      if (!view || problem || this.data.acting) {
        this.setData({ revealError: problem });
        stopDialogLoading(this, '.reveal-dialog');
        return undefined;
      }
      this.setData({ acting: 'reveal' });
      return revealAuthor(view.id, this.data.revealReason.trim()).then((result) => {
        if (!state(this).alive) return undefined;
        this.setData({ acting: '' });
        if (!result.ok) return this.failed(result.error, 'reveal');
        this.setData({ revealShow: false, revealedShow: true, revealedLines: revealedLines(result.data) });
        // The reveal is now in the proposal's history.
        return this.load();
      });
    },

    onRevealedClose() {
      this.setData({ revealedShow: false, revealedLines: [] });
    },
  },
});
