/**
 * Notices as the `notice` function returns them to their author, for the compose and 我发布的
 * page tests.
 */
import type { ManagedNotice, ManagedNoticeDetail, NoticeInput, NoticeReach } from '../../typings';

export function noticeInput(overrides: Partial<NoticeInput> = {}): NoticeInput {
  return {
    kind: 'notice',
    title: '关于期末考试安排的通知',
    body: '各位同学：\n\n请于 **6 月 20 日前** 确认考场。',
    attachments: [],
    audience: { all: false, unitIds: ['college-1'], memberIds: [] },
    requiresConfirm: false,
    deadline: null,
    pinned: false,
    scheduledAt: null,
    ...overrides,
  };
}

export function managed(overrides: Partial<ManagedNotice> = {}): ManagedNotice {
  return {
    id: 'n1',
    kind: 'notice',
    status: 'draft',
    title: '关于期末考试安排的通知',
    authorName: '王老师',
    rev: 'r1',
    updatedAt: '2024-06-01 09:30',
    publishedAt: null,
    scheduledAt: null,
    editedAt: null,
    recalledAt: null,
    requiresConfirm: true,
    counts: { audience: 0, read: 0, confirmed: 0, unread: 0 },
    ...overrides,
  };
}

export function managedDetail(overrides: Partial<ManagedNoticeDetail> = {}, input: Partial<NoticeInput> = {}): ManagedNoticeDetail {
  return {
    ...managed(overrides),
    input: noticeInput(input),
    audienceView: { all: false, units: [{ id: 'college-1', name: '计算机学院', path: '计算机学院' }], members: [] },
    ...overrides,
  };
}

export function reachOf(overrides: Partial<NoticeReach> = {}): NoticeReach {
  return {
    total: 120,
    withPhone: 100,
    units: [{ id: 'college-1', name: '计算机学院', path: '计算机学院', total: 120, withPhone: 100 }],
    members: { total: 0, withPhone: 0 },
    ...overrides,
  };
}
