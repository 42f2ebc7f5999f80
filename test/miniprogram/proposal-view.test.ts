/**
 * How proposals are shown, without a page: status names and tags, the author as each person may
 * see it (匿名 to everyone, the proposer told it is theirs), list rows, one sentence per kind of
 * recorded change with the proposer never named, the timeline newest first, image badges.
 */
import type { HistoryEntry } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { PROPOSAL_REQUEST_ID } from '../../typings/proposal-rules';
import { requireBuilt } from '../helpers/simulate';
import { historyEntry, proposalCard, proposalView } from './proposal-fixtures';

type View = typeof import('../../miniprogram/utils/proposal-view');
const view = requireBuilt<View>('utils/proposal-view');

/** 2024-03-01 09:30 in Shanghai. */
const NOW = Date.UTC(2024, 2, 1, 1, 30);

describe('what the form promises', () => {
  it('says a reveal is recorded and shown in the proposer’s progress, and what a named proposal shows', () => {
    expect(view.ANONYMOUS_NOTE).toBe('匿名提交后，处理人和其他同事都看不到你的姓名和单位；只有管理员因正当理由才能查看提案人，且每次查看都会留下记录，并显示在你的提案进度中。');
    expect(view.NAMED_NOTE).toBe('不匿名时处理人可以看到你的姓名和单位，提案公开后所有同事都能看到');
    expect(view.RATING_NOTE).toContain('所有能看到本提案的人');
  });
});

describe('statuses', () => {
  it('reads each status in Chinese with its tag type', () => {
    const all = ['submitted', 'accepted', 'in_progress', 'resolved', 'rejected', 'merged'] as const;
    expect(all.map((status) => view.statusText(status))).toEqual(['待受理', '已受理', '办理中', '已办结', '未采纳', '已合并']);
    expect(all.map((status) => view.statusTagType(status))).toEqual(['warning', 'primary', 'primary', 'success', 'danger', 'default']);
  });

  it('shows a status it does not know as it came, in a plain tag', () => {
    expect(view.statusText('archived')).toBe('archived');
    expect(view.statusTagType('archived')).toBe('default');
  });
});

describe('author', () => {
  it('names the author of a named proposal', () => {
    expect(view.authorText({ anonymous: false, authorName: '李明', mine: false })).toBe('李明');
    expect(view.authorText({ anonymous: false, authorName: '李明', mine: true })).toBe('李明');
  });

  it('says 匿名 to others and tells the proposer it is theirs', () => {
    expect(view.authorText({ anonymous: true, authorName: null, mine: false })).toBe('匿名');
    expect(view.authorText({ anonymous: true, authorName: null, mine: true })).toBe('我（匿名提交）');
  });

  it('names nobody when an anonymous proposal came with a name by mistake', () => {
    expect(view.authorText({ anonymous: true, authorName: '李明', mine: false })).toBe('匿名');
  });
});

describe('history', () => {
  const text = (entry: Partial<HistoryEntry>) => view.historyText(historyEntry(entry));

  it('has one sentence per kind', () => {
    expect(text({ kind: 'submitted', by: null })).toBe('提案人 提交了提案');
    expect(text({ kind: 'submitted', by: '李明' })).toBe('李明 提交了提案');
    expect(text({ kind: 'status', by: '王老师', from: 'submitted', to: 'accepted' })).toBe('王老师 将状态由 待受理 改为 已受理');
    expect(text({ kind: 'status', by: '王老师', from: 'accepted', to: 'rejected', note: '已有类似安排' })).toBe(
      '王老师 将状态由 已受理 改为 未采纳（原因：已有类似安排）',
    );
    expect(text({ kind: 'answer', by: '王老师', note: '下周起试行' })).toBe('王老师 答复了提案');
    expect(text({ kind: 'assigned', by: '王老师', to: '李老师' })).toBe('王老师 将提案指派给 李老师');
    expect(text({ kind: 'assigned', by: '王老师', to: null })).toBe('王老师 取消了提案的指派');
    expect(text({ kind: 'visibility', by: '王老师', to: 'public' })).toBe('王老师 公开了提案');
    expect(text({ kind: 'visibility', by: '王老师', to: 'private' })).toBe('王老师 取消公开了提案');
    expect(text({ kind: 'merged', by: '王老师', to: '食堂延长营业' })).toBe('王老师 将本提案并入提案「食堂延长营业」');
    expect(text({ kind: 'merged-in', by: '王老师', from: '晚上吃饭难', note: '4' })).toBe('王老师 将提案「晚上吃饭难」并入本提案（4 人的附议随之转入）');
    expect(text({ kind: 'merged-in', by: '王老师', from: '晚上吃饭难', note: '0' })).toBe('王老师 将提案「晚上吃饭难」并入本提案');
    // The duplicate is not named to those who may not see it.
    expect(text({ kind: 'merged-in', by: '王老师', from: null, note: '4' })).toBe('王老师 将一条提案并入本提案（4 人的附议随之转入）');
    expect(text({ kind: 'merged', by: '王老师', to: null })).toBe('王老师 将本提案并入其他提案');
    expect(text({ kind: 'rated', by: null, to: '4' })).toBe('提案人 评价了答复（4 星）');
    expect(text({ kind: 'revealed', by: '张三', note: '涉及人身安全' })).toBe('管理员 张三 查看了提案人身份（原因：涉及人身安全）');
  });

  it('never names the proposer of their own entries', () => {
    for (const kind of ['submitted', 'rated'] as const) expect(text({ kind, by: null, to: '5' })).toMatch(/^提案人 /);
  });

  it('lists the timeline newest first, same-minute entries latest first', () => {
    const items = view.timeline([
      historyEntry({ at: '2024-03-01 09:00', kind: 'submitted' }),
      historyEntry({ at: '2024-03-02 10:00', kind: 'status', by: '王老师', from: 'submitted', to: 'accepted' }),
      historyEntry({ at: '2024-03-02 10:00', kind: 'answer', by: '王老师' }),
    ]);
    expect(items.map((item) => item.text)).toEqual(['王老师 答复了提案', '王老师 将状态由 待受理 改为 已受理', '提案人 提交了提案']);
    expect(items.map((item) => item.key)).toEqual([0, 1, 2]);
  });
});

describe('list rows', () => {
  it('carry what a row shows', () => {
    const row = view.cardView(proposalCard({ status: 'resolved', hasAnswer: true, supportCount: 12, submittedAt: '2024-03-01 08:05' }), NOW);
    expect(row).toMatchObject({
      id: 'p-1',
      title: '食堂增加晚间窗口',
      statusText: '已办结',
      statusType: 'success',
      categoryName: '后勤服务',
      author: '李明',
      mine: false,
      supportCount: 12,
      hasAnswer: true,
      canSupport: true,
      time: '08:05',
    });
    expect(row.excerpt).toContain('晚间窗口');
  });

  it('offer support only on others\' public proposals still open to it', () => {
    expect(view.cardView(proposalCard({ mine: true }), NOW).canSupport).toBe(false);
    expect(view.cardView(proposalCard({ public: false }), NOW).canSupport).toBe(false);
    expect(view.cardView(proposalCard({ status: 'merged' }), NOW).canSupport).toBe(false);
  });

  it('show an anonymous proposal as 匿名, and as the proposer\'s own to them', () => {
    expect(view.cardView(proposalCard({ anonymous: true, authorName: null }), NOW).author).toBe('匿名');
    const mine = view.cardView(proposalCard({ anonymous: true, authorName: null, mine: true }), NOW);
    expect(mine.author).toBe('我（匿名提交）');
    expect(mine.mine).toBe(true);
    // 我的 beside a name; an anonymous one of one's own already says so.
    expect(mine.mineMark).toBe(false);
    expect(view.cardView(proposalCard({ mine: true }), NOW).mineMark).toBe(true);
    expect(view.cardView(proposalCard(), NOW).mineMark).toBe(false);
  });

  it('tag the proposer’s private proposals and show no count for them', () => {
    const hidden = view.cardView(proposalCard({ mine: true, public: false, supportCount: 0 }), NOW);
    expect(hidden.isPublic).toBe(false);
    expect(view.cardView(proposalCard(), NOW).isPublic).toBe(true);
  });

  it('are made again from a proposal read on its own, as the server cuts its card', () => {
    const read = proposalView({ content: `第一行\n  第二行${'长'.repeat(100)}`, images: [{ url: 'a' }, { url: 'b' }], answer: { text: '好', by: '王老师', at: '2024-03-02 10:00' } });
    const card = view.cardOfView(read);
    expect(card.excerpt).toBe(`第一行 第二行${'长'.repeat(73)}`);
    expect(card).toMatchObject({ id: read.id, title: read.title, imageCount: 2, hasAnswer: true, public: read.public, supportCount: read.supportCount });
    expect(Object.keys(card)).not.toContain('content');
  });

  it('stay in a list only while the proposal still belongs there', () => {
    expect(view.stillListed(proposalView({ public: true }), 'public', '')).toBe(true);
    expect(view.stillListed(proposalView({ public: false }), 'public', '')).toBe(false);
    expect(view.stillListed(proposalView({ categoryId: 'cat-2' }), 'public', 'cat-1')).toBe(false);
    expect(view.stillListed(proposalView({ public: false, mine: true }), 'mine', '')).toBe(true);
  });

  it('take the count and state the server answered to a support tap', () => {
    const row = view.cardView(proposalCard({ supportCount: 3 }), NOW);
    expect(view.supportedRow(row, { supportCount: 9, supported: true })).toMatchObject({ supportCount: 9, supported: true, title: row.title });
  });
});

describe('images and addresses', () => {
  it('badges images still checked or refused for the proposer', () => {
    expect(view.imageBadge('pending')).toBe('审核中');
    expect(view.imageBadge('refused')).toBe('未通过审核');
    expect(view.imageBadge('passed')).toBeNull();
    expect(view.imageBadge(undefined)).toBeNull();
  });

  it('builds page addresses with the id encoded', () => {
    expect(view.proposalUrl('a b')).toBe('/pages/proposal/index?id=a%20b');
    expect(view.handleUrl('p-1')).toBe('/packages/admin/pages/proposal-handle/index?id=p-1');
  });
});

describe('the form', () => {
  const form = { categoryId: 'cat-1', title: '路灯', content: '增设路灯', anonymous: false };
  const image = (status: 'uploading' | 'done' | 'failed') => ({ key: status, path: 'wxfile://a.jpg', status, progress: 0, fileId: '' });
  const errors = (...args: Parameters<View['checkProposal']>) => view.checkProposal(...args).errors;

  it('passes a complete form', () => {
    expect(view.checkProposal(form, [image('done')], ['cat-1'])).toEqual({ errors: view.NO_PROPOSAL_ERRORS, waitForUploads: false });
  });

  it('counts characters as people do and trims blanks', () => {
    expect(errors({ ...form, title: '😀'.repeat(FIELD_LIMITS.proposalTitle) }, [], ['cat-1']).title).toBe('');
    expect(errors({ ...form, title: '😀'.repeat(FIELD_LIMITS.proposalTitle + 1) }, [], ['cat-1']).title).toBe('标题不超过 64 个字');
    expect(errors({ ...form, content: ' \n ' }, [], ['cat-1']).content).toBe('请输入提案内容');
  });

  it('wants a category still offered', () => {
    expect(errors({ ...form, categoryId: '' }, [], ['cat-1']).category).toBe('请选择提案类别');
    expect(errors(form, [], ['cat-2']).category).toBe('该类别已停用，请重新选择');
  });

  it('says a failed image before one still uploading, which the submit waits for', () => {
    expect(errors(form, [image('uploading'), image('failed')], ['cat-1']).images).toBe(view.UPLOADS_FAILED);
    expect(errors(form, [image('uploading'), image('done')], ['cat-1']).images).toBe(view.UPLOADS_PENDING);
  });

  it('flags a submit to wait for uploads only when nothing else stands in the way', () => {
    expect(view.checkProposal(form, [image('uploading'), image('done')], ['cat-1']).waitForUploads).toBe(true);
    expect(view.checkProposal({ ...form, title: '' }, [image('uploading')], ['cat-1']).waitForUploads).toBe(false);
    expect(view.checkProposal(form, [image('uploading'), image('failed')], ['cat-1']).waitForUploads).toBe(false);
    expect(view.checkProposal(form, [image('done')], ['cat-1']).waitForUploads).toBe(false);
  });

  it('tells an unknown outcome from a refusal, and the server’s word that the id made a proposal already', () => {
    expect(view.submitOutcomeUnknown({ code: 'NETWORK_ERROR', message: '' })).toBe(true);
    expect(view.submitOutcomeUnknown({ code: 'INTERNAL', message: '' })).toBe(true);
    expect(view.submitOutcomeUnknown({ code: 'PROPOSAL_DAILY_LIMIT', message: '' })).toBe(false);
    expect(view.submittedEarlier({ code: 'INVALID_INPUT', message: '', field: 'requestId' })).toBe(true);
    expect(view.submittedEarlier({ code: 'INVALID_INPUT', message: '', field: 'title' })).toBe(false);
  });

  it('puts the server\'s refusals on their fields', () => {
    expect(view.fieldOfProposalError({ code: 'INVALID_INPUT', message: '', field: 'title' })).toBe('title');
    expect(view.fieldOfProposalError({ code: 'INVALID_INPUT', message: '', field: 'imageFileIds[2]' })).toBe('images');
    expect(view.fieldOfProposalError({ code: 'CONTENT_RISKY', message: '', field: 'content' })).toBe('content');
    expect(view.fieldOfProposalError({ code: 'CATEGORY_NOT_FOUND', message: '' })).toBe('category');
    expect(view.fieldOfProposalError({ code: 'PROPOSAL_IMAGE_INVALID', message: '' })).toBe('images');
    expect(view.fieldOfProposalError({ code: 'CONTENT_RISKY', message: '' })).toBeNull();
    expect(view.fieldOfProposalError({ code: 'PROPOSAL_DAILY_LIMIT', message: '' })).toBeNull();
  });

  it('makes request ids the server accepts, a new one each time', () => {
    const ids = new Set(Array.from({ length: 50 }, () => view.newProposalRequestId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(PROPOSAL_REQUEST_ID);
  });

  it('puts no time in a request id: 22 random letters, whatever the clock says', () => {
    const clock = jest.spyOn(Date, 'now');
    clock.mockReturnValue(Date.UTC(2024, 2, 1));
    const early = view.newProposalRequestId(() => 0.5);
    clock.mockReturnValue(Date.UTC(2031, 7, 9));
    const late = view.newProposalRequestId(() => 0.5);
    clock.mockRestore();
    expect(early).toBe(late);
    expect(early).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(view.newProposalRequestId(() => 0)).toBe('A'.repeat(22));
  });

  it('draws ids from secure bytes while the form has fetched them, then from Math.random', () => {
    view.addSecureBytes(Array.from({ length: 22 }, (_, i) => i + 64));
    const secure = view.newProposalRequestId(() => 0);
    expect(secure).toBe('ABCDEFGHIJKLMNOPQRSTUV');
    expect(view.newProposalRequestId(() => 0)).toBe('A'.repeat(22));
  });

  it('checks a rating', () => {
    expect(view.checkRating(0, '')).toEqual({ stars: '请选择 1–5 星', comment: '' });
    expect(view.checkRating(5, '好'.repeat(FIELD_LIMITS.proposalRatingComment + 1)).comment).toBe('评价不超过 200 个字');
    expect(view.checkRating(4, '')).toEqual({ stars: '', comment: '' });
  });
});

describe('the detail', () => {
  it('names the units of a named proposal and nobody of an anonymous one', () => {
    expect(view.detailView(proposalView({ unitNames: ['计算机学院', '软件工程 2301 班'] }), NOW).author).toBe('李明 · 计算机学院、软件工程 2301 班');
    expect(view.detailView(proposalView({ anonymous: true, authorName: null, unitNames: [], mine: true }), NOW).author).toBe('我（匿名提交）');
    // Units that came with an anonymous proposal by mistake are not shown either.
    expect(view.authorLine({ anonymous: true, authorName: null, unitNames: ['计算机学院'], mine: false })).toBe('匿名');
    expect(view.authorLine({ anonymous: false, authorName: '李明', unitNames: [], mine: false })).toBe('李明');
  });

  it('says only that a duplicate was merged when the proposal it went into may not be seen', () => {
    expect(view.detailView(proposalView({ status: 'merged', mergedInto: { id: '', title: '', visible: false } }), NOW).mergedInto).toEqual({ id: '', title: '', visible: false });
  });

  it('tells the proposer a private proposal is not seen by others yet', () => {
    expect(view.detailView(proposalView({ mine: true, public: false }), NOW).visibilityNote).toContain('仅你和处理人可见');
    expect(view.detailView(proposalView({ mine: true, public: true }), NOW).visibilityNote).toBe('');
    expect(view.detailView(proposalView({ mine: false, public: false }), NOW).visibilityNote).toBe('');
  });

  it('offers rating only until it is given', () => {
    const can = { support: false, rate: true, handle: false, moveTo: [], reveal: false };
    expect(view.detailView(proposalView({ can }), NOW).canRate).toBe(true);
    expect(view.detailView(proposalView({ can, rating: { stars: 4, comment: '', at: '2024-03-02 10:00' } }), NOW).canRate).toBe(false);
  });
});
