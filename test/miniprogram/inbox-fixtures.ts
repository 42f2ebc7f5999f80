/**
 * What the reader's-side notice tests share: inbox items and opened notices as the backend
 * answers them, subscription states, and the `wx` APIs these pages call beyond the harness's.
 */
import type { InboxItem, InboxPage, NoticeDetail, SubscribeTemplate, SubscriptionState } from '../../typings';
import { wx } from '../helpers/simulate';
import { ok } from './fake-backend';

export function inboxItem(overrides: Partial<InboxItem> = {}): InboxItem {
  return {
    id: 'n1',
    kind: 'notice',
    title: '关于期末考试安排的通知',
    excerpt: '各位同学：期末考试将于第 18 周进行…',
    authorName: '张老师',
    publishedAt: '2024-03-01 09:30',
    deadline: null,
    pinned: false,
    requiresConfirm: false,
    read: false,
    confirmed: false,
    attachmentCount: 0,
    edited: false,
    ...overrides,
  };
}

export function inboxPage(items: InboxItem[], overrides: Partial<InboxPage> = {}) {
  return ok<InboxPage>({ items, next: null, pinned: [], blocked: null, ...overrides });
}

export function noticeDetail(overrides: Partial<NoticeDetail> = {}): NoticeDetail {
  return {
    id: 'n1',
    kind: 'notice',
    status: 'published',
    title: '关于期末考试安排的通知',
    body: '各位同学：\n期末考试将于第 18 周进行。\n\n请**携带学生证**按时到场。',
    authorName: '张老师',
    publishedAt: '2024-03-01 09:30',
    editedAt: null,
    deadline: null,
    pinned: false,
    requiresConfirm: false,
    attachments: [],
    receipt: { readAt: '2024-03-01 10:00', confirmedAt: null },
    canSeeStats: false,
    canManage: false,
    ...overrides,
  };
}

export function template(overrides: Partial<SubscribeTemplate & { credits: number }> = {}): SubscribeTemplate & { credits: number } {
  return { id: 'tpl-notice', kind: 'one-time', purpose: 'notice', credits: 0, ...overrides };
}

export function subscriptions(...templates: (SubscribeTemplate & { credits: number })[]): SubscriptionState {
  return { templates };
}

/** The options of the `wx` calls these pages make, as far as the tests read them. */
export interface SubscribeOptions {
  tmplIds: string[];
  success?(result: Record<string, string>): void;
  fail?(error: { errMsg: string; errCode?: number }): void;
}

export interface DownloadOptions {
  url: string;
  success?(result: { statusCode: number; tempFilePath: string }): void;
  fail?(error: { errMsg: string }): void;
}

export interface NavigateOptions {
  url: string;
  events?: Record<string, (data: unknown) => void>;
}

export interface WxNotice {
  setTabBarBadge(options: { index: number; text: string }): unknown;
  removeTabBarBadge(options: { index: number }): unknown;
  requestSubscribeMessage(options: SubscribeOptions): unknown;
  navigateTo(options: NavigateOptions): unknown;
  showToast(options: { title: string }): unknown;
  stopPullDownRefresh(): unknown;
  previewImage(options: { urls: string[]; current: string }): unknown;
  downloadFile(options: DownloadOptions): unknown;
  openDocument(options: { filePath: string; fileType: string; showMenu: boolean }): unknown;
  showLoading(options: { title: string }): unknown;
  hideLoading(): unknown;
  pageScrollTo(options: unknown): unknown;
  setNavigationBarTitle(options: { title: string }): unknown;
}

export const wxNotice = wx as unknown as WxNotice;

/** Answers every subscribe popup with `answers` (by template id), as the person would tap. */
export function answerPopups(answers: Record<string, string>): jest.SpyInstance {
  return jest.spyOn(wxNotice, 'requestSubscribeMessage').mockImplementation((options: SubscribeOptions) => {
    setTimeout(() => options.success?.({ errMsg: 'requestSubscribeMessage:ok', ...answers }), 0);
  });
}

interface RequestLike {
  url: string;
  data?: unknown;
  success?(result: { statusCode: number; data: unknown }): void;
}

/**
 * Answers the mini-program's POSTs to the local cloud's subscribe route (the platform's half of
 * a popup) and logs them in `order`, passing every other request on to the fake backend
 * installed before. Call after `installBackend`.
 */
export function fakeLocalPlatform(order: string[] = []): { posts: unknown[]; order: string[] } {
  const posts: unknown[] = [];
  const request = wx.request as unknown as jest.Mock;
  const backend = request.getMockImplementation() as (options: RequestLike) => unknown;
  request.mockImplementation((options: RequestLike) => {
    if (!options.url.endsWith('/_local/openapi/subscribe')) return backend(options);
    posts.push(options.data);
    order.push('platform');
    setTimeout(() => options.success?.({ statusCode: 200, data: { ok: true } }), 0);
    return {};
  });
  return { posts, order };
}
