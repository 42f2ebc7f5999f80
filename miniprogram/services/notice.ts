/**
 * Typed calls for the `notice` function: composing and publishing, the inbox, reading and
 * confirming, statistics and reminders, and the subscribe-message credits reminders spend.
 * Pages call these, never the transport.
 */
import type {
  AudienceInput,
  InboxPage,
  ManagedNotice,
  ManagedNoticeDetail,
  NoticeChanges,
  NoticeDetail,
  NoticeInput,
  NoticeKind,
  NoticePerson,
  NoticeReach,
  NoticeStats,
  NoticeStatus,
  Page,
  PeopleList,
  RemindResult,
  Result,
  SubscribeChoice,
  SubscriptionState,
  ChronicNonReader,
} from '../../typings';
import { searchQuery } from './org';
import { callWithSession } from './session';

/**
 * A fresh id for one publish attempt. Keep it while retrying the same attempt (a timeout, a
 * lost reply): the backend answers the notice it already made instead of publishing twice.
 */
export function newRequestId(now: number = Date.now(), random: () => number = Math.random): string {
  const tail = Math.floor(random() * 0x7fffffff).toString(36);
  return `r${now.toString(36)}${tail}`.slice(0, 40);
}

// Composing (publishers and admins)

/**
 * Saves a draft. A first save (no `noticeId`) should pass a `requestId` from `newRequestId()`,
 * kept across retries of that save, so a lost reply never leaves two drafts.
 */
export function saveDraft(input: NoticeInput, noticeId?: string | null, rev?: string | null, requestId?: string | null): Promise<Result<ManagedNoticeDetail>> {
  if (noticeId) return callWithSession('notice', 'drafts.save', { noticeId, rev: rev ?? '', input });
  return callWithSession('notice', 'drafts.save', requestId ? { requestId, input } : { input });
}

export function deleteDraft(noticeId: string): Promise<Result<{ id: string }>> {
  return callWithSession('notice', 'drafts.delete', { noticeId });
}

export function reach(audience: AudienceInput, kind: NoticeKind): Promise<Result<NoticeReach>> {
  return callWithSession('notice', 'reach', { audience, kind });
}

export function publish(requestId: string, input: NoticeInput, draft?: { noticeId: string; rev: string } | null): Promise<Result<ManagedNoticeDetail>> {
  return callWithSession('notice', 'publish', draft ? { requestId, noticeId: draft.noticeId, rev: draft.rev, input } : { requestId, input });
}

export function editNotice(noticeId: string, rev: string, changes: NoticeChanges): Promise<Result<ManagedNoticeDetail>> {
  return callWithSession('notice', 'edit', { noticeId, rev, changes });
}

export function recall(noticeId: string): Promise<Result<ManagedNotice>> {
  return callWithSession('notice', 'recall', { noticeId });
}

export function myNotices(status: NoticeStatus | 'all' = 'all', after: string | null = null, everyone = false): Promise<Result<Page<ManagedNotice>>> {
  const request: { status: NoticeStatus | 'all'; everyone?: boolean; after?: string } = { status };
  if (everyone) request.everyone = true;
  if (after) request.after = after;
  return callWithSession('notice', 'mine', request);
}

export function manageNotice(noticeId: string): Promise<Result<ManagedNoticeDetail>> {
  return callWithSession('notice', 'manage', { noticeId });
}

// Reading

export function inbox(filter: 'unread' | 'all', after: string | null = null): Promise<Result<InboxPage>> {
  return callWithSession('notice', 'inbox', after ? { filter, after } : { filter });
}

export function unreadCount(): Promise<Result<{ count: number }>> {
  return callWithSession('notice', 'inbox.unreadCount', {});
}

export function openNotice(noticeId: string): Promise<Result<NoticeDetail>> {
  return callWithSession('notice', 'open', { noticeId });
}

export function confirmNotice(noticeId: string): Promise<Result<{ readAt: string; confirmedAt: string }>> {
  return callWithSession('notice', 'confirm', { noticeId });
}

// Statistics (authors, admins, observers)

export function noticeStats(noticeId: string, unitId?: string | null): Promise<Result<NoticeStats>> {
  return callWithSession('notice', 'stats', unitId ? { noticeId, unitId } : { noticeId });
}

export interface PeopleQuery {
  list: PeopleList;
  unitId?: string | null;
  query?: string;
  after?: string | null;
}

export function noticePeople(noticeId: string, search: PeopleQuery): Promise<Result<Page<NoticePerson>>> {
  const request: { noticeId: string; list: PeopleList; unitId?: string; query?: string; after?: string } = { noticeId, list: search.list };
  if (search.unitId) request.unitId = search.unitId;
  const query = searchQuery(search.query);
  if (query) request.query = query;
  if (search.after) request.after = search.after;
  return callWithSession('notice', 'people', request);
}

export function exportPeople(noticeId: string, list: PeopleList | 'all', unitId?: string | null): Promise<Result<{ url: string; fileName: string; rows: number }>> {
  return callWithSession('notice', 'export', unitId ? { noticeId, list, unitId } : { noticeId, list });
}

export function remind(noticeId: string, target: 'unread' | 'unconfirmed', unitId?: string | null): Promise<Result<RemindResult>> {
  return callWithSession('notice', 'remind', unitId ? { noticeId, target, unitId } : { noticeId, target });
}

export function nonReaders(unitId: string, last: number, after: string | null = null): Promise<Result<Page<ChronicNonReader> & { notices: number }>> {
  return callWithSession('notice', 'nonReaders', after ? { unitId, last, after } : { unitId, last });
}

// Subscribe-message credits

export function subscriptionState(): Promise<Result<SubscriptionState>> {
  return callWithSession('notice', 'subscriptions.state', {});
}

export function recordSubscriptions(choices: Record<string, SubscribeChoice>): Promise<Result<SubscriptionState>> {
  return callWithSession('notice', 'subscriptions.record', { choices });
}
