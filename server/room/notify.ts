/**
 * Telling people about their bookings by subscribe message, with the credit rules of notices
 * (server/notice/remind.ts): one-time templates spend a credit per send, 43101 zeroes the
 * count, long-term ones spend none; messages go only to the account bound to the member now.
 * A person without a credit is simply not messaged: 我的预约 always shows the outcome.
 */
import { formatBusiness } from '../core/time';
import { keywordValue, sendWithCredits, type SubscriptionDoc } from '../notice/remind';
import { SUBSCRIPTIONS } from '../notice/model';
import type { RoomDeps } from './bookings';
import type { RoomFieldSource, RoomTemplateConfig } from './config';
import type { BookingDoc } from './model';

export type Tell = 'approved' | 'rejected' | 'cancelled' | 'remind';

const STATUS_TEXT: Record<Tell, string> = { approved: '已通过', rejected: '已驳回', cancelled: '已取消', remind: '即将开始' };

function fieldValue(source: RoomFieldSource, doc: BookingDoc, tell: Tell): string {
  switch (source) {
    case 'subject':
      return doc.subject;
    case 'room':
      return doc.roomName;
    case 'start':
      return formatBusiness(doc.start);
    case 'end':
      return formatBusiness(doc.end);
    case 'status':
      return STATUS_TEXT[tell];
    case 'reason':
      return doc.decision?.reason ?? doc.cancelReason ?? '无';
    case 'booker':
      return doc.bookerName;
    case 'hint':
      return tell === 'remind' ? '会议即将开始，请按时签到' : '请打开信通查看预约详情';
  }
}

function messageData(template: RoomTemplateConfig, doc: BookingDoc, tell: Tell): Record<string, { value: string }> {
  const data: Record<string, { value: string }> = {};
  for (const [keyword, source] of Object.entries(template.fields)) data[keyword] = { value: keywordValue(keyword, fieldValue(source, doc, tell)) };
  return data;
}

/**
 * Sends one message about `doc` to each member's bound account that holds a credit of a
 * template of `purpose`. Returns how many were sent. Never throws for a refused send.
 */
export async function tellMembers(deps: RoomDeps, doc: BookingDoc, memberIds: readonly string[], tell: Tell): Promise<number> {
  const purpose = tell === 'remind' ? 'booking-remind' : 'booking-result';
  const templates = deps.config.templates.filter((t) => t.purpose === purpose);
  if (templates.length === 0 || memberIds.length === 0) return 0;
  const _ = deps.db.command;
  // As reminders of notices: the account bound to each active member now (members.userId).
  const { data: members } = await deps.db.collection('members').where({ _id: _.in([...memberIds]), active: true }).limit(memberIds.length).field({ _id: true, userId: true }).get();
  const memberOf = new Map<string, string>();
  for (const member of members as { _id: string; userId?: string | null }[]) if (member.userId) memberOf.set(member.userId, member._id);
  if (memberOf.size === 0) return 0;
  const { data } = await deps.db
    .collection(SUBSCRIPTIONS)
    .where({ accountId: _.in([...memberOf.keys()]), templateId: _.in(templates.map((t) => t.id)), credits: _.gt(0) })
    .limit(Math.min(1000, memberOf.size * templates.length))
    .get();
  // One message per person, with the first template of the purpose they hold a credit of.
  const byAccount = new Map<string, SubscriptionDoc>();
  for (const row of data as SubscriptionDoc[]) if (!byAccount.has(row.accountId)) byAccount.set(row.accountId, row);
  const page = `pages/bookings/index?id=${encodeURIComponent(doc._id)}`;
  const tally = await sendWithCredits(
    deps,
    [...byAccount.values()].map((subscription) => {
      const template = templates.find((t) => t.id === subscription.templateId) as RoomTemplateConfig;
      return { subscription, template, page, data: messageData(template, doc, tell), record: { memberId: memberOf.get(subscription.accountId) as string, bookingId: doc._id, purpose } };
    }),
    'room',
  );
  return tally.sent;
}
