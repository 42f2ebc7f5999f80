import type { AppError, ProposalDashboard } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import {
  categoryFormOf,
  categoryInputOf,
  categoryOptions,
  categoryRow,
  checkAnswer,
  checkCategoryForm,
  checkProposalReason,
  countGrid,
  deskRow,
  doneText,
  durationWords,
  emptyCategoryForm,
  fieldOfCategoryError,
  firstAnswerRows,
  handleActions,
  handledCategories,
  handlerChoices,
  hasCategoryErrors,
  actionKeyOf,
  handleView,
  mergeChoices,
  moveDialogText,
  moveTarget,
  revealedLines,
  revealRow,
  statusFilterOf,
  stillOnDesk,
} from '../../miniprogram/utils/proposal-admin-view';
import { category, historyEntry, proposalCard, proposalView } from './proposal-fixtures';

// 2024-03-05 10:00 in Shanghai.
const NOW = Date.UTC(2024, 2, 5, 2, 0);

const dashboard: ProposalDashboard = {
  counts: { submitted: 4, accepted: 2, in_progress: 1, resolved: 7, rejected: 1, merged: 0 },
  total: 15,
  firstAnswer: [
    { categoryId: 'cat-1', categoryName: '后勤服务', answered: 3, meanMinutes: 330, maxMinutes: 4320 },
    { categoryId: 'cat-2', categoryName: '教学教务', answered: 0, meanMinutes: null, maxMinutes: null },
  ],
};

const err = (code: AppError['code'], field?: string): AppError => ({ code, message: 'x', ...(field ? { field } : {}) });

describe('dashboard', () => {
  it('lays out 全部 then every status in the order of the handling, the filtering one active', () => {
    expect(countGrid(dashboard, 'resolved').map((cell) => [cell.label, cell.count, cell.active])).toEqual([
      ['全部', '15', false],
      ['待受理', '4', false],
      ['已受理', '2', false],
      ['办理中', '1', false],
      ['已办结', '7', true],
      ['未采纳', '1', false],
      ['已合并', '0', false],
    ]);
  });

  it('shows no count before the dashboard answered, never a 0 it did not say', () => {
    expect(countGrid(null, '').map((cell) => cell.count)).toEqual(['—', '—', '—', '—', '—', '—', '—']);
    expect(countGrid(null, '')[0].active).toBe(true);
  });

  it('takes a tapped count’s status only when it is a known one', () => {
    expect(statusFilterOf('in_progress')).toBe('in_progress');
    expect(statusFilterOf('')).toBe('');
    expect(statusFilterOf(undefined)).toBe('');
    expect(statusFilterOf('archived')).toBeNull();
    expect(statusFilterOf(3)).toBeNull();
  });

  it('says durations in 分钟, 小时 or 天 with one decimal at most', () => {
    expect(durationWords(0)).toBe('0 分钟');
    expect(durationWords(45)).toBe('45 分钟');
    expect(durationWords(60)).toBe('1 小时');
    expect(durationWords(330)).toBe('5.5 小时');
    expect(durationWords(47 * 60)).toBe('47 小时');
    expect(durationWords(48 * 60)).toBe('2 天');
    expect(durationWords(3 * 24 * 60 + 7 * 60)).toBe('3.3 天');
    // Beside a longer figure it takes that figure's unit, so one line never mixes them.
    expect(durationWords(330, 3 * 24 * 60)).toBe('0.2 天');
  });

  it('says the first answer per category, or that none came yet', () => {
    expect(firstAnswerRows(dashboard)).toEqual([
      { categoryId: 'cat-1', name: '后勤服务', text: '已答复 3 件 · 平均 0.2 天 · 最长 3 天' },
      { categoryId: 'cat-2', name: '教学教务', text: '尚无答复' },
    ]);
    expect(firstAnswerRows(null)).toEqual([]);
  });
});

describe('the desk', () => {
  it('shows a row with status, category, author or 匿名, time and assignee', () => {
    expect(deskRow(proposalCard({ assignee: { id: 'm9', name: '张老师' } }), NOW)).toEqual({
      id: 'p-1',
      title: '食堂增加晚间窗口',
      statusText: '待受理',
      statusType: 'warning',
      meta: '后勤服务 · 李明 · 03-01 09:00',
      assignee: '指派给 张老师',
      isPublic: true,
    });
    const anonymous = deskRow(proposalCard({ anonymous: true, authorName: null, public: false, status: 'in_progress' }), NOW);
    expect(anonymous.meta).toBe('后勤服务 · 匿名 · 03-01 09:00');
    expect(anonymous.assignee).toBe('未指派');
    expect(anonymous.statusText).toBe('办理中');
  });

  it('filters by the categories the caller handles: every one for an admin, those naming their member otherwise', () => {
    const all = [category({ id: 'a', name: '后勤', handlers: [{ id: 'm1', name: '林一' }] }), category({ id: 'b', name: '教学', handlers: [], active: false })];
    expect(handledCategories(all, true, null).map((c) => c.id)).toEqual(['a', 'b']);
    expect(handledCategories(all, false, 'm1').map((c) => c.id)).toEqual(['a']);
    expect(handledCategories(all, false, null)).toEqual([]);
    expect(categoryOptions(all)).toEqual([
      { id: '', label: '全部类别' },
      { id: 'a', label: '后勤' },
      { id: 'b', label: '教学（已停用）' },
    ]);
  });
});

describe('handling actions', () => {
  const handler = { support: false, rate: false, handle: true, moveTo: [], reveal: false };
  const keys = (overrides: Parameters<typeof proposalView>[0]) => handleActions(proposalView(overrides)).map((action) => action.label);

  it('offers the moves the server allows, then answer, assign, publish and merge while open', () => {
    expect(keys({ status: 'submitted', can: { ...handler, moveTo: ['accepted', 'rejected'] } })).toEqual(['受理', '不予采纳', '答复', '指派', '取消公开', '合并到…']);
    expect(keys({ status: 'accepted', public: false, can: { ...handler, moveTo: ['in_progress', 'rejected'] } })).toEqual(['开始办理', '不予采纳', '答复', '指派', '公开', '合并到…']);
    expect(
      keys({ status: 'in_progress', answer: { text: '已安排', by: '张老师', at: '2024-03-02 10:00' }, assignee: { id: 'm9', name: '张老师' }, can: { ...handler, moveTo: ['resolved', 'rejected'] } }),
    ).toEqual(['办结', '不予采纳', '修改答复', '改派', '取消公开', '合并到…']);
  });

  it('offers only answer and publish once closed, and nothing but the reveal on a merged one', () => {
    expect(keys({ status: 'resolved', can: handler })).toEqual(['答复', '取消公开']);
    expect(keys({ status: 'merged', can: handler })).toEqual([]);
    expect(keys({ status: 'merged', anonymous: true, authorName: null, can: { ...handler, reveal: true } })).toEqual(['查看提案人']);
  });

  it('offers the reveal only to an admin (can.reveal) on an anonymous proposal', () => {
    expect(keys({ anonymous: true, authorName: null, can: { ...handler, reveal: true } })).toContain('查看提案人');
    expect(keys({ anonymous: true, authorName: null, can: handler })).not.toContain('查看提案人');
    expect(keys({ anonymous: false, can: { ...handler, reveal: true } })).not.toContain('查看提案人');
    expect(keys({ anonymous: true, authorName: null, can: { ...handler, handle: false, reveal: true } })).toEqual(['查看提案人']);
    expect(keys({ can: { ...handler, handle: false } })).toEqual([]);
  });

  it('takes an action button’s key only when it is a known one', () => {
    expect(actionKeyOf('merge')).toBe('merge');
    expect(actionKeyOf('delete')).toBeNull();
    expect(actionKeyOf(undefined)).toBeNull();
  });

  it('promises the proposer no more than the server does: the progress, and a message only with a subscription', () => {
    expect(moveDialogText('resolve')).toBe('办结后提案人可在办理进度中看到（订阅了提醒的会收到消息）。可同时填写或更新答复（可选）。');
    expect(moveDialogText('reject')).toBe('不予采纳后提案人可在办理进度中看到原因（订阅了提醒的会收到消息），提案不能再办理。');
    expect(`${moveDialogText('resolve')}${moveDialogText('reject')}`).not.toContain('会收到通知');
  });

  it('maps each move to its status', () => {
    expect([moveTarget('accept'), moveTarget('start'), moveTarget('resolve'), moveTarget('reject'), moveTarget('answer')]).toEqual(['accepted', 'in_progress', 'resolved', 'rejected', null]);
  });

  it('requires a reason of 1–200 characters and an answer of at most 1000', () => {
    expect(checkProposalReason('  ', '不予采纳的原因')).toBe('请填写不予采纳的原因');
    expect(checkProposalReason('好'.repeat(FIELD_LIMITS.proposalReason), '查看原因')).toBe('');
    expect(checkProposalReason('好'.repeat(FIELD_LIMITS.proposalReason + 1), '查看原因')).toBe('查看原因不超过 200 个字');
    expect(checkAnswer('', true)).toBe('请填写答复内容');
    expect(checkAnswer('', false)).toBe('');
    expect(checkAnswer('答'.repeat(FIELD_LIMITS.proposalAnswer + 1), false)).toBe('答复不超过 1000 个字');
  });

  it('says what was done', () => {
    expect(doneText('assign', proposalView({ assignee: null }))).toBe('已取消指派');
    expect(doneText('assign', proposalView({ assignee: { id: 'm1', name: '林一' } }))).toBe('已指派');
    expect(doneText('publish', proposalView({ public: false }))).toBe('已取消公开');
    expect(doneText('reject', proposalView())).toBe('已不予采纳');
  });

  it('lists the category handlers to assign, the current one marked, and 取消指派 when assigned', () => {
    const cat = category({ handlers: [{ id: 'm1', name: '林一' }, { id: 'm2', name: '王二' }] });
    expect(handlerChoices(cat, null)).toEqual([
      { id: 'm1', name: '林一', subname: '' },
      { id: 'm2', name: '王二', subname: '' },
    ]);
    expect(handlerChoices(cat, { id: 'm2', name: '王二' })).toEqual([
      { id: 'm1', name: '林一', subname: '' },
      { id: 'm2', name: '王二', subname: '当前' },
      { id: '', name: '取消指派', subname: '' },
    ]);
    expect(handlerChoices(undefined, null)).toEqual([]);
  });

  it('offers to merge into what the server listed as open, never into itself', () => {
    const cards = [
      proposalCard({ id: 'p-1', status: 'submitted' }),
      proposalCard({ id: 'p-2', status: 'accepted', title: '甲' }),
      proposalCard({ id: 'p-3', status: 'resolved' }),
      proposalCard({ id: 'p-4', status: 'in_progress', title: '乙' }),
      proposalCard({ id: 'p-5', status: 'rejected' }),
      proposalCard({ id: 'p-6', status: 'merged' }),
    ];
    // The server answers open ones only (openOnly): the picker leaves out only the proposal itself.
    expect(mergeChoices(cards.slice(0, 2), 'p-1', NOW)).toEqual([{ id: 'p-2', title: '甲', meta: '已受理 · 后勤服务 · 03-01 09:00' }]);
    expect(mergeChoices(cards, 'p-1', NOW).map((choice) => choice.id)).toEqual(['p-2', 'p-3', 'p-4', 'p-5', 'p-6']);
  });

  it('says who the revealed author is, leaving out what is unknown', () => {
    expect(revealedLines({ memberId: 'm1', name: '林一', number: '2023001', unitNames: ['计算机学院', '软件工程 2301 班'] })).toEqual([
      '姓名：林一',
      '学号/工号：2023001',
      '所在单位：计算机学院、软件工程 2301 班',
    ]);
    expect(revealedLines({ memberId: null, name: '微信用户', number: null, unitNames: [] })).toEqual(['姓名：微信用户']);
  });
});

describe('办理提案', () => {
  const handler = { support: false, rate: false, handle: true, moveTo: [], reveal: false };

  it('keeps only what the page shows, the units of a named proposer, none of an anonymous one whatever came', () => {
    const named = handleView(proposalView({ unitNames: ['计算机学院', '2301 班'], assignee: { id: 'm2', name: '王二' }, public: false, can: handler }), NOW);
    expect(named.author).toBe('提案人：李明 · 计算机学院、2301 班');
    expect(named.state).toBe('指派给 王二 · 未公开 · 附议 3');
    expect(Object.keys(named)).not.toContain('rev');
    expect(Object.keys(named)).not.toContain('history');
    expect(handleView(proposalView({ anonymous: true, authorName: null, unitNames: ['计算机学院'], can: handler }), NOW).author).toBe('提案人：匿名');
  });

  it('says a duplicate went elsewhere without naming a proposal the handler may not see', () => {
    const hidden = handleView(proposalView({ status: 'merged', mergedInto: { id: '', title: '', visible: false }, can: handler }), NOW);
    expect(hidden.mergedInto).toEqual({ title: '', visible: false });
    const history = handleView(proposalView({ history: [historyEntry({ kind: 'merged-in', by: '王二', from: null, note: '2' })], can: handler }), NOW).timeline;
    expect(history.map((item) => item.text)).toEqual(['王二 将一条提案并入本提案（2 人的附议随之转入）']);
  });
});

describe('a row read again', () => {
  const handler = { support: false, rate: false, handle: true, moveTo: [], reveal: false };
  const none = { status: '' as const, categoryId: '', unitId: '', assignedToMe: false };

  it('stays while it still matches the desk’s filters', () => {
    expect(stillOnDesk(proposalView({ can: handler }), none, 'm1')).toBe(true);
    expect(stillOnDesk(proposalView({ status: 'accepted', can: handler }), { ...none, status: 'submitted' }, 'm1')).toBe(false);
    expect(stillOnDesk(proposalView({ categoryId: 'cat-2', can: handler }), { ...none, categoryId: 'cat-1' }, 'm1')).toBe(false);
    expect(stillOnDesk(proposalView({ assignee: { id: 'm2', name: '王二' }, can: handler }), { ...none, assignedToMe: true }, 'm1')).toBe(false);
    expect(stillOnDesk(proposalView({ assignee: { id: 'm1', name: '林一' }, can: handler }), { ...none, assignedToMe: true }, 'm1')).toBe(true);
    expect(stillOnDesk(proposalView({ anonymous: true, authorName: null, can: handler }), { ...none, unitId: 'u1' }, 'm1')).toBe(false);
  });

  it('goes when the caller no longer handles it', () => {
    expect(stillOnDesk(proposalView({ can: { ...handler, handle: false } }), none, 'm1')).toBe(false);
  });
});

describe('categories', () => {
  it('round-trips a category through the form, trimming what is sent', () => {
    const cat = category({ handlers: [{ id: 'm1', name: '林一' }] });
    const form = categoryFormOf(cat);
    expect(categoryInputOf({ ...form, name: ' 后勤服务 ', description: ' 食堂 ' })).toEqual({ name: '后勤服务', description: '食堂', active: true, handlerIds: ['m1'] });
    expect(categoryInputOf(emptyCategoryForm())).toEqual({ name: '', description: '', active: true, handlerIds: [] });
  });

  it('checks the limits: name 1–20, description up to 60, at most 20 handlers', () => {
    expect(hasCategoryErrors(checkCategoryForm({ ...emptyCategoryForm(), name: '好'.repeat(20), description: '说'.repeat(60) }))).toBe(false);
    expect(checkCategoryForm(emptyCategoryForm()).name).toBe('请填写类别名称');
    expect(checkCategoryForm({ ...emptyCategoryForm(), name: '好'.repeat(21) }).name).toBe('类别名称不超过 20 个字');
    expect(checkCategoryForm({ ...emptyCategoryForm(), name: '后勤', description: '说'.repeat(61) }).description).toBe('说明不超过 60 个字');
    const many = Array.from({ length: 21 }, (_, i) => ({ id: `m${i}`, name: `成员${i}` }));
    expect(checkCategoryForm({ ...emptyCategoryForm(), name: '后勤', handlers: many }).handlers).toBe('处理人最多 20 人');
  });

  it('puts a failed save on its field', () => {
    expect(fieldOfCategoryError(err('CATEGORY_NAME_TAKEN'))).toBe('name');
    expect(fieldOfCategoryError(err('INVALID_INPUT', 'details.handlerIds'))).toBe('handlers');
    expect(fieldOfCategoryError(err('INVALID_INPUT', 'details.handlerIds[2]'))).toBe('handlers');
    expect(fieldOfCategoryError(err('INVALID_INPUT', 'details.description'))).toBe('description');
    expect(fieldOfCategoryError(err('INVALID_INPUT', 'details.name'))).toBe('name');
    expect(fieldOfCategoryError(err('CATEGORY_STALE'))).toBeNull();
    expect(fieldOfCategoryError(err('INVALID_INPUT', 'rev'))).toBeNull();
  });

  it('shows a category with its handlers, or says admins handle it', () => {
    expect(categoryRow(category({ handlers: [{ id: 'm1', name: '林一' }, { id: 'm2', name: '王二' }] })).handlers).toBe('处理人：林一、王二');
    expect(categoryRow(category()).handlers).toBe('未指定处理人（由管理员办理）');
  });
});

describe('the reveal audit', () => {
  it('shows when, who and why, and which proposal', () => {
    expect(revealRow({ id: 'r1', proposalId: 'p-1', proposalTitle: '食堂', by: '王老师', at: '2024-03-05 09:30', reason: '涉及人身安全' }, NOW)).toEqual({
      id: 'r1',
      proposalId: 'p-1',
      title: '食堂',
      meta: '王老师 · 09:30',
      reason: '原因：涉及人身安全',
    });
  });
});
