/**
 * Proposals as the `proposal` function answers them, for the proposal page tests (members' and
 * handlers'): list cards, full views, history entries and categories. Each builder gives a
 * plausible value that overrides adjust; `cards` makes a numbered run of them.
 */
import type { HistoryEntry, ProposalCard, ProposalCategory, ProposalView } from '../../typings';

export function proposalCard(overrides: Partial<ProposalCard> = {}): ProposalCard {
  return {
    id: 'p-1',
    title: '食堂增加晚间窗口',
    excerpt: '晚自习后不少同学需要用餐，建议食堂开放一个晚间窗口。',
    categoryId: 'cat-1',
    categoryName: '后勤服务',
    status: 'submitted',
    public: true,
    anonymous: false,
    authorName: '李明',
    supportCount: 3,
    supported: false,
    mine: false,
    hasAnswer: false,
    imageCount: 0,
    submittedAt: '2024-03-01 09:00',
    updatedAt: '2024-03-01 09:00',
    assignee: null,
    ...overrides,
  };
}

/** `count` cards `p-<offset+i>`, titled by their number. */
export function proposalCards(count: number, offset = 0, overrides: Partial<ProposalCard> = {}): ProposalCard[] {
  return Array.from({ length: count }, (_, i) => proposalCard({ id: `p-${offset + i}`, title: `提案 ${offset + i}`, ...overrides }));
}

export function historyEntry(overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  return { at: '2024-03-01 09:00', kind: 'submitted', by: null, from: null, to: null, note: null, ...overrides };
}

export function proposalView(overrides: Partial<ProposalView> = {}): ProposalView {
  const { excerpt: _excerpt, imageCount: _imageCount, hasAnswer: _hasAnswer, ...card } = proposalCard();
  return {
    ...card,
    rev: 'rev-1',
    content: '晚自习后不少同学需要用餐，建议食堂开放一个晚间窗口。\n可以先试行一个月。',
    unitNames: ['计算机学院'],
    images: [],
    answer: null,
    rejectReason: null,
    mergedInto: null,
    rating: null,
    history: [historyEntry()],
    can: { support: true, rate: false, handle: false, moveTo: [], reveal: false },
    ...overrides,
  };
}

export function category(overrides: Partial<ProposalCategory> = {}): ProposalCategory {
  return { id: 'cat-1', name: '后勤服务', description: '食堂、宿舍、水电等', active: true, handlers: [], rev: 'c-rev-1', ...overrides };
}
